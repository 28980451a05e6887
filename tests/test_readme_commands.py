"""Commands README.md gives that are not kg's own: they work as shown."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
KG = Path(sys.executable).parent / "kg"  # the console script of this environment


def test_the_generator_runs_as_the_readme_shows(tmp_path):
    """README shows ``python benchmarks/generate.py OUT --articles N``; the script also runs
    by its path alone (a shebang and the executable bit), standard library only."""
    shown = re.search(r"`(python )?benchmarks/generate\.py OUT --articles N[^`]*`", README)
    assert shown, "README no longer shows the generator's command"
    for i, command in enumerate(([sys.executable, "benchmarks/generate.py"], ["benchmarks/generate.py"])):
        out = tmp_path / f"p{i}"
        proc = subprocess.run([*command, str(out), "--articles", "2", "--seed", "3"], cwd=ROOT,
                              capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, (command, proc.stderr)
        assert len(list((out / "data" / "articles").glob("*.yaml"))) == 2
    assert os.access(ROOT / "benchmarks" / "generate.py", os.X_OK)


COMPLETION = re.compile(r"_KG_COMPLETE=(\w+) kg\b")


def test_the_completion_scripts_readme_gives_are_generated():
    """Each shell's line in README (``eval "$(_KG_COMPLETE=bash_source kg)"``, ...) gives the
    completion script of that shell, through the installed kg command."""
    if not KG.exists():
        pytest.skip(f"no kg command beside {sys.executable}")
    shown = set(COMPLETION.findall(README))
    assert shown >= {"bash_source", "zsh_source", "fish_source"}, shown
    marks = {"bash_source": "complete -o nosort -F _kg_completion kg", "zsh_source": "#compdef kg",
             "fish_source": "complete --no-files --command kg"}
    for instruction in sorted(shown):
        proc = subprocess.run([str(KG)], env={**os.environ, "_KG_COMPLETE": instruction},
                              capture_output=True, text=True, timeout=120)
        assert (proc.returncode, proc.stderr) == (0, ""), (instruction, proc.stderr)
        assert marks[instruction] in proc.stdout, (instruction, proc.stdout)


@pytest.mark.parametrize("words, expected", [
    ("kg qu", {"query"}),
    ("kg ex", {"export", "extract"}),
    ("kg export --for", {"--format"}),
])
def test_completion_completes_commands_and_options(words, expected):
    if not KG.exists():
        pytest.skip(f"no kg command beside {sys.executable}")
    env = {**os.environ, "_KG_COMPLETE": "bash_complete", "COMP_WORDS": words,
           "COMP_CWORD": str(len(words.split()) - 1)}
    proc = subprocess.run([str(KG)], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    offered = {line.split(",", 1)[1] for line in proc.stdout.splitlines()}
    assert offered == expected, proc.stdout


def test_rendering_dot_names_graphviz():
    """README's DOT example renders with Graphviz's ``dot``, which is not a Python package:
    README says so where it lists what kg needs."""
    assert "dot -Tsvg" in README
    setup = README[README.index("## Set up, build, test"):README.index("## Commands")]
    assert "Graphviz" in setup
