"""The embedded store: ``kg load``, ``kg store info``, the same rows as in memory, a store that
cannot be opened, and a load killed with SIGKILL."""
from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kg.engines.oxigraph_engine import OxigraphEngine, StoreError, open_store
from kg.engines.rdflib_engine import RdflibEngine
from kg.output.manifest import MANIFEST, read_manifest
from kg.pipeline import NAMED
from kg.queries import bind_params, find_query, query_names, run_query
from kg.stores.local import LOAD_LOCK, generations_dir, load_store, store_info
from servers import (
    GRAPH, ID, OWN_ASK, OWN_CONSTRUCT, OWN_SELECTS, kg, normalise, one_line_error, parse_counts,
    prefixed, synthetic_project,
)

ROOT = Path(__file__).resolve().parent.parent
SAVED = query_names(ROOT / "queries") if (ROOT / "queries").is_dir() else []


@pytest.fixture(scope="module")
def loaded(seed, tmp_path_factory) -> Path:
    store = tmp_path_factory.mktemp("loaded") / "store"
    result = kg(seed, "load", "--store", str(store))
    assert result.exit_code == 0, result.output
    return store


# --- loading ---------------------------------------------------------------------------------


def test_load_prints_each_graph_with_its_count(seed, tmp_path):
    store = tmp_path / "st"
    result = kg(seed, "load", "--store", str(store))
    assert result.exit_code == 0, result.output
    manifest = read_manifest(seed / "build")
    assert parse_counts(result.stdout) == prefixed(manifest)
    names = list(parse_counts(result.stdout))
    assert names[:2] == ["graph:ontology", "graph:reference"]
    assert all(n.startswith("graph:article/") for n in names[2:-1]) and names[-1] == "graph:inferred"
    assert f"Loaded {len(manifest)} graph(s), {sum(manifest.values())} triples into {store}" in result.stderr
    info = kg(seed, "store", "info", "--store", str(store))
    assert info.exit_code == 0, info.output
    assert info.stdout == result.stdout


def test_default_store_is_dot_kg_store(proj):
    result = kg(proj, "load")
    assert result.exit_code == 0, result.output
    assert (proj / ".kg" / "store").is_symlink()
    assert "into .kg/store" in result.stderr
    info = kg(proj, "store", "info")
    assert info.exit_code == 0 and info.stdout == result.stdout
    assert "triples in .kg/store" in info.stderr


def test_reload_replaces_every_graph_without_duplicates(seed, tmp_path):
    store = tmp_path / "st"
    for _ in range(3):
        result = kg(seed, "load", "--store", str(store))
        assert result.exit_code == 0, result.output
    manifest = read_manifest(seed / "build")
    assert store_info(store) == manifest
    assert sum(store_info(store).values()) == json.loads((seed / "build" / MANIFEST).read_text())["triples"]
    # the one in use and the one before it, for readers that opened it just before the swap
    generations = [p for p in generations_dir(store).iterdir() if p.is_dir()]
    assert len(generations) == 2


def test_removed_article_disappears(proj):
    assert kg(proj, "load").exit_code == 0
    article = sorted((proj / "data" / "articles").glob("*.yaml"))[0]
    gone = f"{GRAPH}article/{article.stem}"
    before = store_info(proj / ".kg" / "store")
    assert gone in before
    article.unlink()
    result = kg(proj, "load")
    assert result.exit_code == 0, result.output
    after = store_info(proj / ".kg" / "store")
    assert gone not in after
    assert f"removed graph:article/{article.stem}" in result.stderr
    assert set(after) == set(read_manifest(proj / "build"))
    engine = OxigraphEngine.open(proj / ".kg" / "store")
    assert not engine.ask(f"ASK {{ GRAPH <{gone}> {{ ?s ?p ?o }} }}", {})
    assert not engine.ask(f"ASK {{ <{ID}article/{article.stem}> ?p ?o }}", {})


def test_a_wrong_count_is_not_published(proj, tmp_path):
    store = tmp_path / "st"
    assert kg(proj, "load", "--store", str(store)).exit_code == 0
    before = store_info(store)
    manifest_path = proj / "build" / MANIFEST
    manifest = json.loads(manifest_path.read_text())
    graph = next(iter(manifest["graphs"]))
    manifest["graphs"][graph] += 1
    manifest_path.write_text(json.dumps(manifest))
    result = kg(proj, "load", "--store", str(store))
    assert result.exit_code == 2
    assert result.output.startswith("Error: ") and result.output.count("\n") == 1
    assert "the build manifest says" in result.output
    assert store_info(store) == before


# --- the same rows everywhere ----------------------------------------------------------------


@pytest.fixture(scope="module")
def engines(seed, loaded):
    trig = seed / "build" / NAMED
    return {
        "rdflib": RdflibEngine.from_file(trig),
        "memory": OxigraphEngine.from_file(trig),
        "store": OxigraphEngine.open(loaded, timeout=30),
    }


@pytest.mark.parametrize("index", range(len(OWN_SELECTS)))
def test_own_selects_agree(engines, index):
    query, bindings = OWN_SELECTS[index]
    results = {name: normalise(e.select(query, bindings)) for name, e in engines.items()}
    assert results["store"][1], "the query should have rows"
    assert results["store"] == results["memory"] == results["rdflib"]


def test_ask_and_construct_agree(engines):
    assert {e.ask(OWN_ASK, {}) for e in engines.values()} == {True}
    graphs = {name: set(e.construct(OWN_CONSTRUCT, {}).decode().splitlines()) for name, e in engines.items()}
    assert graphs["store"] and graphs["store"] == graphs["memory"] == graphs["rdflib"]



@pytest.mark.parametrize("name", SAVED)
def test_saved_queries_agree(seed, engines, qc_fixtures, name):
    """On the seed, and each quality check on its fixture (tests/qc/): never nothing with nothing."""
    if name in qc_fixtures:
        fixture = qc_fixtures[name]
        engines = {"rdflib": RdflibEngine.from_file(fixture.trig), "memory": OxigraphEngine.from_file(fixture.trig),
                   "store": OxigraphEngine.open(fixture.store, timeout=30)}
    q = find_query(seed / "queries", name, str)
    results = {}
    for label, engine in engines.items():
        outcome = run_query(q, bind_params(q, {}, engine), engine)
        results[label] = normalise(outcome.select) if outcome.select is not None else outcome
    assert results["store"][1], "the query should have rows"
    assert results["store"] == results["memory"] == results["rdflib"]


def test_query_command_reads_the_store(seed, loaded):
    names = [n for n in SAVED if not n.startswith("qc/")]
    if not names:
        pytest.skip("no saved queries")
    for name in names[:3]:
        from_store = kg(seed, "query", name, "--store", str(loaded), "--format", "tsv")
        in_memory = kg(seed, "query", name, "--format", "tsv")
        assert from_store.exit_code == 0, from_store.output
        assert from_store.stdout == in_memory.stdout


def test_a_dataset_clause_is_honoured(engines):
    """FROM names the default graph: Oxigraph must not replace it by the union of the graphs."""
    query = ("SELECT DISTINCT ?s WHERE { ?s a ?class } ORDER BY ?s")
    for graph, expect_rows in (("https://w3id.org/milcoop/graph/reference", True), ("http://example.org/none", False)):
        scoped = query.replace("WHERE", f"FROM <{graph}> WHERE")
        results = {name: normalise(e.select(scoped, {})) for name, e in engines.items()}
        assert bool(results["store"][1]) is expect_rows
        assert results["store"] == results["memory"] == results["rdflib"]


def test_embedded_query_timeout(seed, tmp_path):
    """A query over --timeout stops with one line and exit 2. In a child process: the abandoned
    query thread dies with it instead of keeping a core busy for the rest of the test run."""
    heavy = tmp_path / "heavy.rq"
    heavy.write_text("#+ summary: a cross product too big to finish\n"
                     "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }\n")
    run = subprocess.run([sys.executable, "-m", "kg", "-C", str(seed), "query", str(heavy), "--timeout", "0.1"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 2, run.stderr
    assert run.stdout == ""
    assert run.stderr.startswith("Error: ") and run.stderr.count("\n") == 1
    assert "ran longer than 0.1 s" in run.stderr


# --- stores that cannot be opened ------------------------------------------------------------


def test_missing_store(seed, tmp_path):
    one_line_error(kg(seed, "store", "info", "--store", str(tmp_path / "none")), "no store here", "kg load")
    one_line_error(kg(seed, "query", "exercises", "--store", str(tmp_path / "none")), "no store here")


def test_not_a_store(seed, tmp_path):
    junk = tmp_path / "junk"
    junk.mkdir()
    (junk / "notes.txt").write_text("not a store")
    one_line_error(kg(seed, "store", "info", "--store", str(junk)), "not an Oxigraph store")
    one_line_error(kg(seed, "load", "--store", str(junk)), "did not make")
    assert (junk / "notes.txt").read_text() == "not a store", "a folder kg did not make is never overwritten"
    corrupt = tmp_path / "corrupt"
    corrupt.mkdir()
    (corrupt / "CURRENT").write_text("garbage\n")
    one_line_error(kg(seed, "store", "info", "--store", str(corrupt)), "not a readable Oxigraph store")
    a_file = tmp_path / "file"
    a_file.write_text("x")
    with pytest.raises(StoreError, match="not a store"):
        open_store(a_file)
    with pytest.raises(StoreError, match="not a store"):
        load_store(a_file, seed / "build" / NAMED)
    empty = tmp_path / "empty"
    empty.mkdir()
    one_line_error(kg(seed, "store", "info", "--store", str(empty)), "empty")
    assert kg(seed, "load", "--store", str(empty)).exit_code == 0  # an empty folder becomes the store
    assert store_info(empty) == read_manifest(seed / "build")


def test_a_link_to_a_removed_generation(seed, tmp_path):
    store = tmp_path / "st"
    assert kg(seed, "load", "--store", str(store)).exit_code == 0
    shutil.rmtree(store.resolve())
    one_line_error(kg(seed, "store", "info", "--store", str(store)), "is gone", "kg load")
    assert kg(seed, "load", "--store", str(store)).exit_code == 0
    assert store_info(store)


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root reads everything")
def test_unreadable_store(seed, tmp_path):
    store = tmp_path / "st"
    assert kg(seed, "load", "--store", str(store)).exit_code == 0
    target = store.resolve()
    target.chmod(0)
    try:
        one_line_error(kg(seed, "store", "info", "--store", str(store)), "unreadable")
    finally:
        target.chmod(0o755)


HOLD = """
import sys, time, pyoxigraph
store = pyoxigraph.Store(sys.argv[1])
print("ready", flush=True)
time.sleep(60)
"""


def test_store_locked_by_another_process(seed, tmp_path):
    store = tmp_path / "st"
    assert kg(seed, "load", "--store", str(store)).exit_code == 0
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(store.resolve())], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        one_line_error(kg(seed, "store", "info", "--store", str(store)), "locked by another process")
        one_line_error(kg(seed, "query", "exercises", "--store", str(store)), "locked by another process")
        one_line_error(kg(seed, "load", "--store", str(store)), "locked by another process")
    finally:
        holder.kill()
        holder.wait()
    assert kg(seed, "load", "--store", str(store)).exit_code == 0


def test_a_second_load_waits_for_none(seed, tmp_path):
    """A load while another holds the loader lock stops at once with a clear error."""
    store = tmp_path / "st"
    assert kg(seed, "load", "--store", str(store)).exit_code == 0
    with open(generations_dir(store) / LOAD_LOCK, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        one_line_error(kg(seed, "load", "--store", str(store)), "another 'kg load'")
    assert kg(seed, "load", "--store", str(store)).exit_code == 0


# --- a load killed with SIGKILL --------------------------------------------------------------


def state_of(store: Path, old: dict[str, int], new: dict[str, int]) -> str:
    """'old' or 'new' after checking that every graph is either the old or the new one."""
    engine = OxigraphEngine.open(store)  # the store opens
    counts = engine.graph_counts()
    assert set(counts) <= set(old) | set(new)
    for graph, count in counts.items():
        assert count in (old.get(graph), new.get(graph)), f"{graph} has {count} triples: half loaded"
    assert engine.ask("ASK { ?s ?p ?o }", {})
    return "old" if counts == old else "new" if counts == new else "mixed"


def test_sigkill_leaves_each_graph_old_or_new(tmp_path):
    old = synthetic_project(tmp_path / "old", range(0, 30), 2000, 0)
    new = synthetic_project(tmp_path / "new", range(5, 35), 2000, 3)  # 5 removed, 5 added, all changed
    builds = {"old": (tmp_path / "old", old), "new": (tmp_path / "new", new)}
    store = tmp_path / "store"
    gens = generations_dir(store)

    def start(which: str) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-m", "kg", "-C", str(builds[which][0]), "load",
                                 "--store", str(store)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def until_generation_appears(process: subprocess.Popen, existing: set) -> None:
        deadline = time.monotonic() + 30
        while process.poll() is None and time.monotonic() < deadline:
            if gens.exists() and set(gens.iterdir()) - existing:
                return
            time.sleep(0.002)

    # the first load, unkilled, measures how long writing a generation takes
    first = start("old")
    until_generation_appears(first, set())
    began = time.monotonic()
    assert first.wait(60) == 0, first.stderr.read()
    span = time.monotonic() - began
    state = state_of(store, old, new)
    assert state == "old"
    outcomes = []
    # when to kill, as a share of that time after the new generation's folder appears
    # (None: before it does, while Python starts)
    for share in (None, 0.0, 0.3, 0.6, 0.85, 0.95, 1.05):
        target = "new" if state == "old" else "old"
        existing = set(gens.iterdir())
        process = start(target)
        if share is None:
            time.sleep(0.05)
        else:
            until_generation_appears(process, existing)
            time.sleep(share * span)
        finished = process.poll() is not None
        process.send_signal(signal.SIGKILL)
        process.wait()
        state = state_of(store, old, new)
        assert state in ("old", "new"), "the graphs come from two loads"
        if finished:
            assert state == target
        outcomes.append(state == target)
    assert False in outcomes, f"no kill landed before the new store was published: {outcomes}"
    # a load after the kills finishes, and cleans up what the killed ones left
    last = start("new")
    assert last.wait(60) == 0, last.stderr.read()
    assert state_of(store, old, new) == "new"
    assert len([p for p in gens.iterdir() if p.is_dir()]) <= 2
    assert not list(tmp_path.glob(".store.*.link"))
