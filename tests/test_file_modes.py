"""Files that kg writes with -o (export, viz, extract) get the mode of any new file: 0666
less the umask, as `>` and every editor give; a file they replace keeps its mode."""
from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from kg.output.export import write_atomic

ROOT = Path(__file__).resolve().parent.parent
ARTICLE_TEXT = ROOT / "benchmarks" / "extract" / "articles" / "maritime-security-belt-2025.txt"


@pytest.fixture
def umask():
    """Set the process's umask for a test, and restore it."""
    before = os.umask(0o022)
    os.umask(before)
    yield os.umask
    os.umask(before)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("mask", [0o022, 0o002, 0o077, 0o027])
def test_a_new_file_honours_the_umask(tmp_path, umask, mask):
    umask(mask)
    path = tmp_path / "out.ttl"
    write_atomic(path, b"x")
    write_atomic(tmp_path / "text.ttl", iter(["a", "b"]))
    assert _mode(path) == _mode(tmp_path / "text.ttl") == 0o666 & ~mask
    assert path.read_bytes() == b"x"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.ttl", "text.ttl"]  # no temporary file left


def test_a_replaced_file_keeps_its_mode(tmp_path, umask):
    umask(0o077)
    path = tmp_path / "out.ttl"
    path.write_bytes(b"old")
    path.chmod(0o640)
    write_atomic(path, b"new")
    assert (path.read_bytes(), _mode(path)) == (b"new", 0o640)


def test_a_failed_write_leaves_nothing(tmp_path, umask):
    def pieces():
        yield "a"
        raise RuntimeError("stopped")

    with pytest.raises(RuntimeError):
        write_atomic(tmp_path / "out.ttl", pieces())
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("mask", [0o022, 0o002])
def test_commands_writing_with_o_honour_the_umask(project, run_kg, tmp_path, umask, mask):
    umask(mask)
    expected = 0o666 & ~mask
    out = tmp_path / "out"
    commands = {
        "graph.ttl": ["export", "--format", "turtle", "-o", str(out / "graph.ttl")],
        "iran.html": ["viz", "IRN", "-o", str(out / "iran.html")],
        "iran.dot": ["viz", "IRN", "--format", "dot", "-o", str(out / "iran.dot")],
        "draft.yaml": ["extract", str(ARTICLE_TEXT), "--id", "draft", "-o", str(out / "draft.yaml")],
    }
    assert run_kg(project, "build", "-q").exit_code == 0
    for name, args in commands.items():
        result = run_kg(project, *args)
        assert result.exit_code == 0, (name, result.output)
        assert oct(_mode(out / name)) == oct(expected), name
