"""The ``kg`` console command ends ``kg build`` and ``kg validate`` without the interpreter's
teardown (``kg.cli.group.exit_without_teardown``): what they print and write, and their exit
codes, are those of the same command through click in-process (``CliRunner``), the functions
registered with ``atexit`` still run, and only they end that way (an object freed in the
teardown says whether it ran)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from generate import generate  # noqa: E402

#: the console command (``kg.cli:main``), with an object that says when the teardown frees it,
#: and an ``atexit`` hook (which runs either way) that writes a file
_MAIN = ("import atexit, os, sys\n"
         "class Freed:\n"
         "    def __del__(self): print('teardown ran', file=sys.stderr)\n"
         "kept = Freed()\n"
         "atexit.register(lambda: open(os.environ['KG_ATEXIT_FILE'], 'w').close())\n"
         "from kg.cli import main; sys.argv = ['kg'] + sys.argv[1:]; main()\n")


def _console(*args: str) -> subprocess.CompletedProcess:
    """The console command run with ``args``; its ``atexit`` hook must have run."""
    marker = Path(args[1]).parent / f"atexit-{len(list(Path(args[1]).parent.glob('atexit-*')))}"
    done = subprocess.run([sys.executable, "-c", _MAIN, *args], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "KG_ATEXIT_FILE": str(marker)})
    assert marker.exists(), done.stderr
    return done


def test_build_and_validate_end_as_click_ends_them(tmp_path, run_kg):
    root = generate(tmp_path / "p", articles=6, seed=3)
    twin = generate(tmp_path / "twin", articles=6, seed=3)
    done = _console("-C", str(root), "build", "--format", "json")
    expected = run_kg(twin, "build", "--format", "json")
    assert (done.returncode, done.stdout, done.stderr) == (0, expected.stdout, expected.stderr)
    assert json.loads(done.stdout)["conforms"] is True
    for name in ("kg.ttl", "kg.trig", "manifest.json"):
        assert (root / "build" / name).read_bytes() == (twin / "build" / name).read_bytes()

    checked = _console("-C", str(root), "validate", "--severity", "violation")
    expected = run_kg(twin, "validate", "--severity", "violation")
    assert (checked.returncode, checked.stdout, checked.stderr) == (0, expected.stdout, expected.stderr)
    assert checked.stderr.startswith("Conforms: ")
    # a command that does not ask for it ends with the teardown
    listed = _console("-C", str(root), "query", "--list")
    assert listed.returncode == 0 and listed.stderr.endswith("teardown ran\n")


@pytest.mark.parametrize("command", ["build", "validate"])
def test_failures_keep_their_exit_codes(tmp_path, run_kg, command):
    # violations: exit 1, the report and summary as click prints them
    root = generate(tmp_path / "v", articles=6, seed=3, violations=1)
    twin = generate(tmp_path / "vt", articles=6, seed=3, violations=1)
    done = _console("-C", str(root), command, "-q")
    expected = run_kg(twin, command, "-q")
    assert expected.exit_code == 1
    assert (done.returncode, done.stdout, done.stderr) == (1, expected.stdout, expected.stderr)
    assert not (root / "build").exists()
    # bad input: exit 2, one line
    article = root / "data/articles/gen-000000.yaml"
    article.write_text(article.read_text() + "facts: [\n")
    broken = _console("-C", str(root), command)
    assert broken.returncode == 2 and broken.stdout == ""
    assert broken.stderr.startswith("Error: data/articles/gen-000000.yaml:") and broken.stderr.count("\n") == 1
