"""Every command and option has help text; --version; python -m kg."""
from __future__ import annotations

import subprocess
import sys

import click
from click.testing import CliRunner

from kg import __version__
from kg.cli import cli


def _commands(group: click.Group, prefix=()):
    for name, command in sorted(group.commands.items()):
        yield (*prefix, name), command
        if isinstance(command, click.Group):
            yield from _commands(command, (*prefix, name))


def test_every_command_and_option_has_help():
    missing = []
    for path, command in [((), cli), *_commands(cli)]:
        if not (command.help or "").strip():
            missing.append(" ".join(path) or "kg")
        for param in command.params:
            if isinstance(param, click.Option) and not (param.help or "").strip() and not param.hidden:
                if param.name not in ("help", "version"):
                    missing.append(f"{' '.join(path)} {param.opts[0]}")
    assert missing == []


def test_every_command_docstring_has_an_example():
    for path, command in _commands(cli):
        if isinstance(command, click.Group):
            continue
        assert "Example:" in (command.help or ""), " ".join(path)


def test_help_runs_for_every_command():
    runner = CliRunner()
    for path, _command in _commands(cli):
        result = runner.invoke(cli, [*path, "--help"])
        assert result.exit_code == 0, path
        assert result.output.startswith("Usage: kg " + " ".join(path))


def test_version():
    result = CliRunner().invoke(cli, ["--version"])
    assert result.output == f"kg {__version__}\n"


def test_python_dash_m():
    out = subprocess.run([sys.executable, "-m", "kg", "--version"], capture_output=True, text=True, check=True)
    assert out.stdout == f"kg {__version__}\n"


def test_help_imports_no_rdflib():
    """`kg --help` and every command's --help start without rdflib, pyoxigraph or pySHACL (rdflib
    alone takes a tenth of a second): the option choices come from registries that import none."""
    import subprocess
    import sys

    code = ("import sys\n"
            "from kg.cli import cli\n"
            "for args in (['--help'], ['export', '--help'], ['query', '--help'], ['check', '--help']):\n"
            "    try:\n"
            "        cli.main(args, prog_name='kg', standalone_mode=False)\n"
            "    except SystemExit:\n"
            "        pass\n"
            "heavy = sorted(m for m in ('rdflib', 'pyoxigraph', 'pyshacl', 'owlrl') if m in sys.modules)\n"
            "print(','.join(heavy))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == ""
