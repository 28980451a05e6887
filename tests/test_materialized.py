"""``kg load --materialize``: the saved listings' results and every IRI's label kept in the new
store, used by ``kg query``/``kg check`` on it; always what the store itself answers, through
edits, additions and removals of articles, and never used once anything they came from changed."""
from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from kg.engines import materialized
from kg.engines.materialized import FOLDER, INDEX, Kept, query_key
from kg.engines.oxigraph_engine import OxigraphEngine
from kg.pipeline import NAMED
from kg.queries import grouped_lookups, listings, materialize
from kg.sparql.results import lookup_labels
from kg.sparql.terms import Term
from servers import kg, one_line_error

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from generate import generate  # noqa: E402


def _listings(project: Path):
    return listings(project / "queries", str)


def _grouped(project: Path):
    return grouped_lookups(project / "queries", str)


def _rows(result):
    return result.variables, result.rows


def _assert_kept_is_live(project: Path, store: Path) -> None:
    """Every listing of ``project`` is kept in ``store``, and is what the store answers live and
    what the build's TriG held in memory answers (another engine, from the build itself)."""
    kept = OxigraphEngine.open(store)
    live = OxigraphEngine.open(store, materialized=False)
    memory = OxigraphEngine.from_file(project / "build" / NAMED)
    assert kept.kept is not None and live.kept is None
    queries = _listings(project)
    assert len(queries) > 20 and any(q.narrows for q in queries)
    for q in queries:
        assert kept.kept.result(q.runnable) is not None, q.name  # really kept: the answer below is read
        want = _rows(live.select(q.runnable, {}))
        assert _rows(kept.select(q.runnable, {})) == want, q.name
        stream = kept.select_stream(q.runnable, {})
        assert (stream.variables, list(stream.rows)) == want, q.name
        assert _rows(memory.select(q.runnable, {})) == want, q.name
        _assert_lookups_are_live(q, want, kept, live, memory)
    # a query whose required parameter narrows it: its listing is kept only grouped
    grouped = _grouped(project)
    assert [q.name for q in grouped] == ["exercise-partners"]
    for q in grouped:
        assert kept.kept.result(q.runnable) is None, q.name
        want = _rows(live.select(q.runnable, {}))
        assert _rows(memory.select(q.runnable, {})) == want, q.name
        _assert_lookups_are_live(q, want, kept, live, memory)
    # every IRI's label: as the label queries find them
    iris = {row["s"].value for row in live.select("SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER(isIRI(?s)) }", {}).rows}
    labels = kept.kept_labels()
    assert labels and {i: labels[i] for i in iris if i in labels} == lookup_labels(live, iris)


def _assert_lookups_are_live(q, listing, kept, live, memory) -> None:
    """Each parameter that narrows ``q``'s listing (``#+ narrows``): bound to every value of its
    column, and to an IRI no row has, the rows read from the kept groups are the store's own
    answer, and the in-memory engine's."""
    variables, rows = listing
    for name, column in q.narrows.items():
        var = next(p.var for p in q.params if p.name == name)
        values = sorted({row[column] for row in rows if column in row}, key=lambda t: t.value)
        assert values, (q.name, column)
        for value in [*values, Term("uri", "https://w3id.org/milcoop/id/person/no-one-at-all")]:
            bound = {var: value}
            assert kept.answers_from_kept(q.runnable, bound), (q.name, value)
            want = _rows(live.select(q.runnable, bound))
            assert _rows(kept.select(q.runnable, bound)) == want, (q.name, value)
            stream = kept.select_stream(q.runnable, bound)
            assert (stream.variables, list(stream.rows)) == want, (q.name, value)
            assert _rows(memory.select(q.runnable, bound)) == want, (q.name, value)
        # the listing's rows are all in one group or none: those with no IRI in the column
        assert sum(len(kept.select(q.runnable, {var: v}).rows) for v in values) == \
            sum(1 for row in rows if column in row and row[column].type == "uri")


def _load(project: Path, *args: str):
    result = kg(project, "load", *args)
    assert result.exit_code == 0, result.output
    return result


def test_the_kept_results_are_the_stores_through_edits_additions_and_removals(tmp_path):
    root = generate(tmp_path / "p", articles=12, seed=5)
    assert kg(root, "build", "-q").exit_code == 0
    load = _load(root, "--materialize", "--jobs", "2")
    store = root / ".kg" / "store"
    n = len(_listings(root))
    assert load.stderr.splitlines()[-1].startswith(f"Kept the results of {n} listing(s) and check(s) (")
    assert "), 2 lookup(s) grouped by their parameter and " in load.stderr.splitlines()[-1]
    assert load.stderr.splitlines()[-1].endswith(" labels in .kg/store")
    _assert_kept_is_live(root, store)
    first = store.resolve()
    info = kg(root, "store", "info")
    assert info.stderr.splitlines()[-1] == \
        f"{n} listing result(s) and 2 grouped lookup(s) kept by 'kg load --materialize', in use"

    articles = root / "data" / "articles"
    text = (articles / "gen-000002.yaml").read_text()
    assert "codename: Drill 2\n" in text
    (articles / "gen-000002.yaml").write_text(text.replace("codename: Drill 2\n", "codename: Drill Two\n"))
    (articles / "gen-000099.yaml").write_text((articles / "gen-000003.yaml").read_text()
                                              .replace("gen-000003", "gen-000099"))
    (articles / "gen-000005.yaml").unlink()
    assert kg(root, "build", "-q").exit_code == 0
    _load(root, "--materialize")
    assert store.resolve() != first
    _assert_kept_is_live(root, store)
    exercises = next(q for q in _listings(root) if q.name == "exercises")
    ids = {row["exercise"].value.rsplit("/", 1)[-1] for row in OxigraphEngine.open(store).select(exercises.runnable, {}).rows}
    assert "gen-000099-exercise" in ids and "gen-000005-exercise" not in ids

    # loaded again without --materialize: nothing kept in the new store
    _load(root)
    assert OxigraphEngine.open(store).kept is None and not (store / FOLDER).exists()
    assert "kept" not in kg(root, "store", "info").stderr


def test_the_cli_prints_the_same_bytes_with_and_without_the_kept_results(seed, tmp_path):
    kept, plain = tmp_path / "kept", tmp_path / "plain"
    _load(seed, "--store", str(kept), "--materialize")
    _load(seed, "--store", str(plain))
    _assert_kept_is_live(seed, kept)
    for name in ("statements", "arms-transfers", "people", "exercises"):
        for fmt in ("csv", "json", "table"):
            a = kg(seed, "query", name, "--store", str(kept), "--format", fmt)
            b = kg(seed, "query", name, "--store", str(plain), "--format", fmt)
            assert a.exit_code == b.exit_code == 0, a.output + b.output
            assert a.stdout == b.stdout, (name, fmt)
    a, b = kg(seed, "check", "--store", str(kept)), kg(seed, "check", "--store", str(plain))
    assert (a.exit_code, a.stdout) == (b.exit_code, b.stdout)
    # a lookup that narrows a listing: read from its kept group, the same bytes
    speakers = {row["speaker"].value.rsplit("/", 1)[-1]
                for row in OxigraphEngine.open(plain).select(_query(seed, "statements").runnable, {}).rows
                if "speaker" in row}
    assert len(speakers) > 3
    for speaker in sorted(speakers):
        a = kg(seed, "query", "statements", "--param", f"speaker={speaker}", "--store", str(kept), "--format", "csv")
        b = kg(seed, "query", "statements", "--param", f"speaker={speaker}", "--store", str(plain), "--format", "csv")
        assert a.exit_code == b.exit_code == 0, a.output + b.output
        assert a.stdout == b.stdout and a.stdout.count("\n") > 1, speaker


def _query(root: Path, name: str):
    return next(q for q in _listings(root) if q.name == name)


@pytest.fixture
def kept_store(tmp_path) -> tuple[Path, Path]:
    root = generate(tmp_path / "p", articles=4, seed=3)
    assert kg(root, "build", "-q").exit_code == 0
    _load(root, "--materialize")
    return root, root / ".kg" / "store"


def _exercises(root: Path):
    return next(q for q in _listings(root) if q.name == "exercises")


def test_a_changed_query_text_runs_on_the_store(kept_store):
    root, store = kept_store
    q = _exercises(root)
    engine = OxigraphEngine.open(store)
    assert engine.kept.result(q.runnable) is not None
    assert engine.kept.result(q.runnable + "\n# changed\n") is None
    assert _rows(engine.select(q.runnable + "\n# changed\n", {})) == _rows(engine.select(q.runnable, {}))


def test_a_store_written_since_is_queried_itself(kept_store):
    """A program that opened the generation for writing (as ``oxigraph serve --location`` would)
    and cleared an article's graph: the kept results are ignored, and its exercise is gone."""
    import gc

    import pyoxigraph as ox

    root, store = kept_store
    q = _exercises(root)
    exercise = "https://w3id.org/milcoop/id/exercise/gen-000001-exercise"
    assert exercise in {row["exercise"].value for row in OxigraphEngine.open(store).select(q.runnable, {}).rows}
    writer = ox.Store(str(store.resolve()))
    writer.clear_graph(ox.NamedNode("https://w3id.org/milcoop/graph/article/gen-000001"))
    writer.flush()
    del writer
    gc.collect()
    engine = OxigraphEngine.open(store)
    assert engine.kept is None
    assert exercise not in {row["exercise"].value for row in engine.select(q.runnable, {}).rows}


@pytest.mark.parametrize("damage", ["groups", "directory"])
def test_a_damaged_group_is_not_used(kept_store, damage):
    root, store = kept_store
    q = _query(root, "statements")
    live = OxigraphEngine.open(store, materialized=False)
    speakers = sorted({row["speaker"] for row in live.select(q.runnable, {}).rows if "speaker" in row},
                      key=lambda t: t.value)
    name = OxigraphEngine.open(store).kept.lookups[query_key(q.runnable)]["__speaker_iri"][1]
    path = store.resolve() / FOLDER / (name if damage == "groups" else f"{name}.index")
    data = bytearray(path.read_bytes())
    for i in range(0, len(data), 97):  # a bit flipped in every group
        data[i] ^= 0x08
    path.write_bytes(bytes(data))
    engine = OxigraphEngine.open(store)
    assert engine.kept.result(q.runnable) is not None  # the listing itself is whole
    for speaker in speakers:
        bound = {"__speaker_iri": speaker}
        assert not engine.answers_from_kept(q.runnable, bound)
        assert _rows(engine.select(q.runnable, bound)) == _rows(live.select(q.runnable, bound))


@pytest.mark.parametrize("header, error", [
    ("#+ narrows:\n#+   nobody: speaker\n", "'narrows' names 'nobody', which is neither an optional IRI parameter "
     "of the query (?__NAME_iri) nor its only required one (?_NAME_iri)"),
    ("#+ narrows:\n#+   one: _one_iri\n", "'narrows' names 'one', which is neither an optional IRI parameter "
     "of the query (?__NAME_iri) nor its only required one (?_NAME_iri)"),
    ("#+ narrows:\n#+   speaker: said\n", "'narrows' names the column 'said', which the SELECT clause does not list"),
    ("#+ narrows: speaker\n", "'narrows' in the '#+' header must map parameters to columns"),
])
def test_a_wrong_narrows_header_is_refused_before_anything_is_loaded(kept_store, header, error):
    root, store = kept_store
    before = store.resolve()
    path = root / "queries" / "mine.rq"
    path.write_text("#+ summary: one speaker's\n" + header +
                    "SELECT ?speaker ?__speaker_iri ?_one_iri ?_two_iri WHERE { ?c <https://w3id.org/milcoop/ontology/attributedTo> "
                    "?speaker FILTER(!BOUND(?__speaker_iri) || ?speaker = ?__speaker_iri) }\n")
    one_line_error(kg(root, "load", "--materialize"), f"queries/mine.rq:2: {error}")
    assert store.resolve() == before
    one_line_error(kg(root, "query", "mine"), f"queries/mine.rq:2: {error}")


@pytest.mark.parametrize("damage", ["result", "index", "labels", "code"])
def test_damaged_or_foreign_kept_files_are_not_used(kept_store, damage, monkeypatch):
    root, store = kept_store
    q = _exercises(root)
    live = _rows(OxigraphEngine.open(store, materialized=False).select(q.runnable, {}))
    folder = store.resolve() / FOLDER
    if damage == "code":  # kept by another kg
        monkeypatch.setattr(materialized, "code_key", lambda: "another kg")
    else:
        path = folder / {"result": f"{query_key(q.runnable)}.pickle", "index": INDEX,
                         "labels": materialized.LABELS}[damage]
        data = bytearray(path.read_bytes())
        data[-5] ^= 0x20
        path.write_bytes(bytes(data))
    engine = OxigraphEngine.open(store)
    if damage in ("index", "code"):
        assert engine.kept is None
    elif damage == "result":
        assert engine.kept.result(q.runnable) is None
    else:
        assert engine.kept_labels() is None
    assert _rows(engine.select(q.runnable, {})) == live
    result = kg(root, "query", "exercises", "--store", str(store), "--format", "csv")
    plain = kg(root, "query", "exercises", "--format", "csv")
    assert result.exit_code == plain.exit_code == 0 and result.stdout == plain.stdout


def test_a_failing_listing_publishes_nothing(kept_store):
    root, store = kept_store
    before = store.resolve()
    bad = root / "queries" / "broken.rq"
    bad.write_text("#+ summary: broken\nSELECT ?x WHERE { ?x ?y }\n")
    result = kg(root, "load", "--materialize")
    one_line_error(result, "queries/broken.rq:2: SPARQL syntax error")
    assert store.resolve() == before and Kept.of(before) is not None
    gens = [p.name for p in store.parent.joinpath(".store.generations").iterdir() if p.is_dir()]
    assert gens == [before.name]


def test_materialize_is_for_the_embedded_store(kept_store):
    root, _ = kept_store
    result = kg(root, "load", "--materialize", "--endpoint", "http://127.0.0.1:9/sparql")
    assert result.exit_code == 2 and "--materialize keeps results in the embedded store" in result.output


def test_materialize_writes_only_inside_the_new_generation(tmp_path):
    """What it keeps is in the generation's folder: nothing beside it, nothing kg did not make."""
    root = generate(tmp_path / "p", articles=3, seed=2)
    assert kg(root, "build", "-q").exit_code == 0
    _load(root)
    gen = (root / ".kg" / "store").resolve()
    before = sorted(os.listdir(gen))
    # run on a copy of the store: materialize adds only its folder
    copy = tmp_path / "copy"
    shutil.copytree(gen, copy)
    queries = [*_listings(root), *_grouped(root)]
    done = materialize(copy, queries)
    assert sorted(os.listdir(copy)) == sorted([*before, FOLDER])
    assert done.results == len(_listings(root)) and done.labels > 0
    assert Kept.of(copy) is not None
    # several at once: the same files, byte for byte, whatever order the queries end in
    other = tmp_path / "other"
    shutil.copytree(gen, other)
    assert materialize(other, queries, jobs=3) == done
    names = sorted(os.listdir(copy / FOLDER))
    # each listing's result, the labels and the index; and each kept lookup's groups and their
    # directory (a query with a required parameter: its groups only)
    lookups = sum(len(q.narrows) for q in queries)
    assert lookups == done.lookups == 2
    assert names == sorted(os.listdir(other / FOLDER)) and len(names) == done.results + 2 + 2 * lookups
    for name in names:
        assert (copy / FOLDER / name).read_bytes() == (other / FOLDER / name).read_bytes(), name
