"""Denial of service by size: a fact file of 100,000 facts, a query result of 1,000,000 rows.

Each runs in a child process whose peak resident memory is read from the kernel (``wait4``)
and printed; the tests assert what happens and a memory bound, never a time.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from kg.inputs.facts import MAX_FACTS, read_article, read_reference
from kg.project import Project
from kg.inputs.ontology import load_ontology, vocabulary

ROOT = Path(__file__).resolve().parent.parent
MB = 1024 * 1024


#: runs ``python -m kg ...`` or ``python -c CODE ...`` and, at exit, writes the process's peak
#: resident memory (VmHWM: the high-water mark of this program's own memory, not counting
#: what the parent had when it forked) to the file $KG_PEAK_FILE
LAUNCH = textwrap.dedent("""\
    import atexit, os, resource, runpy, sys

    if os.environ.get("KG_MEMORY_LIMIT"):  # a runaway child fails with MemoryError, not the machine
        limit = int(os.environ["KG_MEMORY_LIMIT"])
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    def report():
        with open("/proc/self/status") as fh:
            peak = next(line.split()[1] for line in fh if line.startswith("VmHWM:"))
        with open(os.environ["KG_PEAK_FILE"], "w") as out:
            out.write(peak)

    atexit.register(report)
    if sys.argv[1] == "-m":
        sys.argv = [sys.argv[2], *sys.argv[3:]]
        runpy.run_module(sys.argv[0], run_name="__main__", alter_sys=True)
    else:
        code, sys.argv = sys.argv[2], ["-c", *sys.argv[3:]]
        exec(compile(code, "<child>", "exec"), {"__name__": "__main__"})
    """)


def run_measured(args: list[str], tmp: Path, limit: int | None = None) -> tuple[int, str, str, int]:
    """Run ``python -m ...`` or ``python -c ...`` (``args`` after the interpreter): its exit code,
    stdout, stderr and peak resident memory in bytes. ``limit`` caps the child's address space."""
    peak_file = tmp / "peak.txt"
    peak_file.unlink(missing_ok=True)
    env = {**os.environ, "KG_PEAK_FILE": str(peak_file)}
    if limit is not None:
        env["KG_MEMORY_LIMIT"] = str(limit)
    proc = subprocess.run([sys.executable, "-c", LAUNCH, *args], stdin=subprocess.DEVNULL, capture_output=True,
                          env=env)
    assert peak_file.exists(), f"the child did not report its memory (exit {proc.returncode}): {proc.stderr[-2000:]!r}"
    peak = int(peak_file.read_text()) * 1024
    return proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace"), peak


def fact_file(n: int) -> str:
    head = ("article:\n  id: huge-article\n  title: A generated article with very many facts\n"
            "  publisher: unknown\n  published: 2025-07-25\n  source: huge.txt\nfacts:\n")
    return head + "".join(
        f"  - type: cooperation\n    id: coop-{i}\n    at: [{i % 50 + 1}]\n    parties: [IRN, RUS]\n"
        f"    label: Generated cooperation {i}\n" for i in range(n))


@pytest.fixture
def huge_project(tmp_path):
    dest = tmp_path / "proj"
    (dest / "data" / "articles").mkdir(parents=True)
    shutil.copytree(ROOT / "ontology", dest / "ontology")
    shutil.copytree(ROOT / "data" / "reference", dest / "data" / "reference")
    return dest


def test_a_fact_file_of_100000_facts_fails_at_once_with_one_line(huge_project, capsys):
    rel = "data/articles/huge.yaml"
    (huge_project / rel).write_text(fact_file(100_000), encoding="utf-8")
    size = (huge_project / rel).stat().st_size
    code, out, err, peak = run_measured(["-m", "kg", "-C", str(huge_project), "build"], huge_project.parent,
                                        limit=4096 * MB)
    line = 8 + 5 * MAX_FACTS  # the first fact over the limit: 7 lines of header, 5 lines a fact
    assert (code, out) == (2, "")
    assert err == (f"Error: {rel}:{line}: the list that starts on line 8 has more than {MAX_FACTS:,} items; "
                   f"a fact file may have at most {MAX_FACTS:,} facts\n")
    assert not (huge_project / "build").exists()
    with capsys.disabled():
        print(f"\nsize: a fact file of 100,000 facts ({size / MB:.1f} MB): exit 2 with one line, "
              f"peak RSS {peak / MB:.0f} MB")
    assert peak < 400 * MB, f"peak RSS {peak / MB:.0f} MB"


def test_a_fact_file_of_max_facts_is_read(tmp_path):
    """The limit itself is allowed: every one of MAX_FACTS facts is read."""
    project = Project(ROOT)
    vocab = vocabulary(load_ontology(project))
    reference = read_reference([(p, project.display(p)) for p in project.reference_paths()], vocab)
    path = tmp_path / "many.yaml"
    path.write_text(fact_file(MAX_FACTS), encoding="utf-8")
    article = read_article(path, "many.yaml", reference, vocab)
    assert len(article.facts) == MAX_FACTS
    assert article.facts[-1].id == f"coop-{MAX_FACTS - 1}"
    assert article.facts[-1].line == 8 + 5 * (MAX_FACTS - 1)


# --- a result of 1,000,000 rows ---------------------------------------------------------------

ROWS = 1_000_000
QUERY = """\
#+ summary: every thing and its value
PREFIX ex: <http://example.org/>
SELECT ?thing ?value WHERE { ?thing ex:value ?value }
"""

WRITE = textwrap.dedent("""\
    import sys
    from pathlib import Path
    from kg.sparql import results
    from kg.queries import parse_query_file, run_query, run_query_stream
    from kg.engines.oxigraph_engine import OxigraphEngine

    store, query, out, mode = sys.argv[1:5]
    engine = OxigraphEngine.open(store, timeout=300)
    q = parse_query_file(Path(query), "all-values")
    with open(out, "wb") as fh:
        if mode == "stream":
            n = results.write_csv(run_query_stream(q, {}, engine), fh)
        else:  # every row held as Python objects, then written
            result = run_query(q, {}, engine).select
            fh.write(results.to_csv(result).encode("utf-8"))
            n = len(result.rows)
    print(n)
    """)


@pytest.fixture(scope="module")
def big_store(tmp_path_factory):
    """An Oxigraph store on disk whose one query has a million matches."""
    import gc

    import pyoxigraph as ox

    folder = tmp_path_factory.mktemp("big-store")
    path = folder / "store"
    data = folder / "things.nt"
    with open(data, "w", encoding="utf-8") as fh:
        for start in range(0, ROWS, 100_000):
            fh.write("".join(f'<http://example.org/thing/{i}> <http://example.org/value> '
                             f'"value number {i} of a generated store" .\n' for i in range(start, start + 100_000)))
    store = ox.Store(str(path))
    store.bulk_load(path=str(data), format=ox.RdfFormat.N_TRIPLES,
                    to_graph=ox.NamedNode("https://w3id.org/milcoop/graph/article/generated"))
    store.flush()
    del store
    gc.collect()
    data.unlink()
    (folder / "all-values.rq").write_text(QUERY, encoding="utf-8")
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_a_million_rows_stream_to_csv_in_bounded_memory(big_store, capsys):
    peaks = {}
    for mode in ("stream", "hold"):
        out = big_store / f"{mode}.csv"
        code, stdout, stderr, peaks[mode] = run_measured(
            ["-c", WRITE, str(big_store / "store"), str(big_store / "all-values.rq"), str(out), mode], big_store)
        assert code == 0, stderr
        assert stdout == f"{ROWS}\n"
    streamed, held = (big_store / "stream.csv").read_bytes(), (big_store / "hold.csv").read_bytes()
    assert streamed == held
    lines = streamed.split(b"\r\n")
    assert lines[0] == b"thing,value" and len(lines) == ROWS + 2 and lines[-1] == b""
    assert len(set(lines[1:-1])) == ROWS
    with capsys.disabled():
        print(f"\nsize: {ROWS:,} rows to CSV ({len(streamed) / MB:.0f} MB): peak RSS {peaks['stream'] / MB:.0f} MB "
              f"streamed, {peaks['hold'] / MB:.0f} MB with every row held")
    assert peaks["stream"] < 300 * MB, f"streaming peaked at {peaks['stream'] / MB:.0f} MB"
    assert peaks["stream"] * 3 < peaks["hold"], peaks
