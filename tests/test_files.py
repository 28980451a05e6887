"""Files: every file kg reads goes through one reader (``kg.inputs.files``), which reads only a
regular file, at most so many bytes of it, and turns every failure into one error line.

A pipe as the ontology, the shapes or a query file hung kg for ever, a query file linked to
``/dev/zero`` filled the memory, a pipe in the cache hung every build, a symlink loop among
the fact files gave a traceback, and a file name with a line break made a two-line error.
Each command here runs in a child process with a time limit and a memory cap, so that such a
regression fails instead of hanging the tests; click's usage errors are one line too.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.errors import InputError
from kg.inputs.files import MAX_BYTES, read_bytes

ARTICLE = "data/articles/somali-magazine-casarex-2025.yaml"
NOT_REGULAR = "not a regular file (a device, a pipe or a folder); {} is a file"

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")


def _limited():
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))


def kg_child(project: Path, *args: str, timeout: float = 120) -> tuple[int, str, str]:
    """``python -m kg -C project ...`` in a child process: exit code, stdout, stderr. A child
    that outlives ``timeout`` (it waits on a pipe) fails the test."""
    try:
        proc = subprocess.run([sys.executable, "-m", "kg", "-C", str(project), *args], capture_output=True,
                              stdin=subprocess.DEVNULL, timeout=timeout, preexec_fn=_limited)
    except subprocess.TimeoutExpired:
        pytest.fail(f"kg {' '.join(args)} still ran after {timeout} s (waiting on a pipe?)")
    return proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace")


def _fifo(path: Path) -> None:
    if path.exists() or path.is_symlink():
        path.unlink()
    os.mkfifo(path)


@pytest.mark.parametrize("rel, what", [
    ("ontology/milcoop.ttl", "a Turtle file"),
    ("ontology/vocab.ttl", "a Turtle file"),
    ("ontology/shapes.ttl", "a Turtle file"),
    ("data/reference/forces.yaml", "a fact file"),
    (ARTICLE, "a fact file"),
])
def test_a_pipe_as_an_input_is_refused_at_once(project, rel, what):
    _fifo(project / rel)
    code, out, err = kg_child(project, "build")
    assert (code, out, err) == (2, "", f"Error: {rel}: {NOT_REGULAR.format(what)}\n")
    assert not (project / "build").exists()


@pytest.mark.parametrize("make", ["fifo", "dev-zero", "folder"])
def test_a_query_file_that_is_no_regular_file_is_refused(project, make):
    path = project / "q.rq"
    if make == "fifo":
        os.mkfifo(path)
    elif make == "dev-zero":
        if not Path("/dev/zero").exists():
            pytest.skip("no /dev/zero")
        path.symlink_to("/dev/zero")
    else:
        path.mkdir()
    code, out, err = kg_child(project, "query", str(path))
    assert (code, out) == (2, "")
    assert err == f"Error: q.rq: {NOT_REGULAR.format('a query file')}\n"


def test_a_huge_query_file_is_refused_unread(project):
    path = project / "huge.rq"
    with open(path, "wb") as fh:
        fh.truncate(50 * 1024 * 1024)
    code, out, err = kg_child(project, "query", str(path))
    assert (code, out) == (2, "")
    assert err == f"Error: huge.rq: the file is {50 * 1024 * 1024:,} bytes, more than the 1,048,576 a query file may have\n"


def test_pipes_in_the_cache_are_ignored(project):
    """The cache's index, pack and entries are read by the same reader: a pipe among them is
    a file that cannot be read, ignored like a corrupt one (the build gives the same output)."""
    code, _, err = kg_child(project, "build", "-q")
    assert code == 0, err
    expected = (project / "build" / "kg.trig").read_bytes()
    cache = project / ".kg" / "cache"
    files = sorted(p for p in cache.rglob("*") if p.is_file())
    assert len(files) >= 3, files  # the index, a pack and a context entry
    for path in files:
        _fifo(path)
    code, _, err = kg_child(project, "build", "-q")
    assert code == 0, err
    assert (project / "build" / "kg.trig").read_bytes() == expected


def test_a_symlink_loop_among_fact_files_is_one_error_line(project):
    articles = project / "data" / "articles"
    (articles / "a.yaml").symlink_to("b.yaml")
    (articles / "b.yaml").symlink_to("a.yaml")
    code, out, err = kg_child(project, "build")
    assert (code, out) == (2, "")
    assert err.startswith("Error: data/articles/a.yaml: cannot read the file (") and err.endswith(")\n")
    assert err.count("\n") == 1 and "Traceback" not in err


@pytest.mark.parametrize("name, shown", [
    ("bad\nname.yaml", "bad\\nname.yaml"),
    ("bad\x1b[2Jname.yaml", "bad\\x1b[2Jname.yaml"),
    ("bad\rname.yaml", "bad\\rname.yaml"),
])
def test_a_file_name_with_control_characters_is_shown_on_one_line(project, name, shown):
    (project / "data" / "articles" / name).write_text("article: [\n", encoding="utf-8")
    code, out, err = kg_child(project, "build")
    assert (code, out) == (2, "")
    assert err.startswith(f"Error: data/articles/{shown}:2: YAML syntax error: ")
    assert err.count("\n") == 1 and "\r" not in err and "\x1b" not in err


def test_the_reader_stops_at_its_limit(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_bytes(b"x" * 101)
    assert read_bytes(path, "big.yaml", limit=101) == b"x" * 101
    with pytest.raises(InputError) as caught:
        read_bytes(path, "big.yaml", limit=100)
    assert str(caught.value) == "big.yaml: the file is 101 bytes, more than the 100 a fact file may have"
    with pytest.raises(InputError) as caught:
        read_bytes(tmp_path / "missing.yaml", "missing.yaml")
    assert str(caught.value) == "missing.yaml: file not found"
    assert MAX_BYTES == 64 * 1024 * 1024


# --- click's usage errors ----------------------------------------------------------------------

USAGE = [
    (["build", "--nope"], "Error: No such option '--nope'. Did you mean '--no-cache'?"),
    (["nope"], "Error: No such command 'nope'."),
    (["--nope"], "Error: No such option '--nope'."),
    (["query"], "Error: give a query name (see 'kg query --list'), a .rq file, -e QUERY or '-'"),
    (["query", "exercises", "--format", "nope"], None),
    (["query", "exercises", "--store", "a", "--endpoint", "http://127.0.0.1:9"],
     "Error: give --store or --endpoint, not both"),
    (["export", "extra", "arguments"], None),
    (["viz"], None),
]


@pytest.mark.parametrize("args, line", USAGE, ids=[" ".join(a) for a, _ in USAGE])
def test_usage_errors_are_one_line(project, args, line):
    """README: an error is one line ``Error: ...``, exit 2; click printed the usage, a hint
    and a blank line before it."""
    result = CliRunner().invoke(cli, ["-C", str(project), *args])
    assert (result.exit_code, result.stdout) == (2, ""), result.output
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1, result.stderr
    if line is not None:
        assert result.stderr == line + "\n"


def test_help_is_still_help():
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0 and result.stdout.startswith("Usage: kg ")
    result = CliRunner().invoke(cli, ["build", "-h"])
    assert result.exit_code == 0 and result.stdout.startswith("Usage: kg build")
