"""Hostile input: YAML that tries to run code, to exhaust memory or the stack, or is not UTF-8;
query parameters that try to change the query; query files that try to write, fetch or call
out; queries that run too long.

tests/test_bad_input.py has the first unsafe tag and the first non-UTF-8 byte, and
tests/test_queries.py the first refused Update, LOAD and SERVICE and the first hostile
parameters: these tests add the rest. Each prints how many attacks it tried.
"""
from __future__ import annotations

import re
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
import yaml

from kg.engines.oxigraph_engine import OxigraphEngine
from kg.engines.rdflib_engine import RdflibEngine
from kg.errors import InputError
from kg.queries import bind_params, check_query, parse_query_file, run_query
from kg.sparql.terms import QueryError, Term
from kg.stores.local import load_store
from kg.inputs.yamlread import MAX_ALIAS_VALUES, MAX_BYTES, MAX_DEPTH, read_yaml
from servers import fake_server, kg, seed, status  # noqa: F401 (fixtures)
from edits import edit
from test_size import run_measured

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = "data/articles/somali-magazine-casarex-2025.yaml"
MB = 1024 * 1024


def _build_fails(project: Path, message: str, rel: str = ARTICLE) -> None:
    result = kg(project, "build")
    assert (result.exit_code, result.stdout) == (2, ""), result.output
    assert result.stderr == f"Error: {rel}:{message}\n"
    assert not (project / "build").exists()


# --- YAML that tries to run code -------------------------------------------------------------

PY = "tag:yaml.org,2002:python/"
UNSAFE_TAGS = [
    ("!!python/object/apply:os.system [\"touch {sentinel}\"]", f"'{PY}object/apply:os.system'", "lists"),
    ("!!python/object/new:os.system {{args: [\"touch {sentinel}\"]}}", f"'{PY}object/new:os.system'", "mappings"),
    ("!!python/name:os.system", f"'{PY}name:os.system'", "values"),
    ("!!python/module:os", f"'{PY}module:os'", "values"),
    ("!!python/object:os.system x", f"'{PY}object:os.system'", "values"),
    ("!<tag:yaml.org,2002:python/object/apply:os.system> [\"touch {sentinel}\"]",
     f"'{PY}object/apply:os.system'", "lists"),
    ("!!binary aGVsbG8=", "'tag:yaml.org,2002:binary'", "values"),
    ("!!set {{a, b}}", "'tag:yaml.org,2002:set'", "mappings"),
    ("!!omap [a: 1]", "'tag:yaml.org,2002:omap'", "lists"),
    ("!!pairs [a: 1]", "'tag:yaml.org,2002:pairs'", "lists"),
    ("!custom somali-magazine", "'!custom'", "values"),
    ("!!str somali-magazine", None, None),  # an explicit plain tag is fine
]


@pytest.mark.parametrize("value, tag, what", UNSAFE_TAGS, ids=[t[0].split()[0] for t in UNSAFE_TAGS])
def test_unsafe_tags_are_refused_and_never_run(project, value, tag, what, tmp_path):
    sentinel = tmp_path / "ran"
    line = edit(project, ARTICLE, "  publisher: somali-magazine", "  publisher: " + value.format(sentinel=sentinel))
    if tag is None:
        result = kg(project, "validate")
        assert "Error" not in result.stderr, result.stderr
    else:
        _build_fails(project, f"{line}: tag {tag} is not allowed; only plain YAML {what} are")
    assert not sentinel.exists(), "the YAML ran code"


def test_tag_directive_and_tagged_keys_are_refused(tmp_path):
    cases = {
        "%TAG !py! tag:yaml.org,2002:python/\n---\na: !py!object:os.system x\n":
            f"3: tag '{PY}object:os.system' is not allowed; only plain YAML values are",
        "a: 1\n? !!python/name:os.system key\n: value\n":
            f"2: tag '{PY}name:os.system' is not allowed; only plain YAML values are",
        "a: &x 1\n*x : 2\n": "2: keys must be plain words (no lists, mappings, aliases or merges)",
        "a: &x {b: 1}\nc:\n  <<: *x\n": "3: keys must be plain words (no lists, mappings, aliases or merges)",
        "? [a, b]\n: 1\n": "1: keys must be plain words (no lists, mappings, aliases or merges)",
        "a: !<" + "x" * 5000 + "> 1\n": "1: tag '" + "x" * 120 + "...' is not allowed; only plain YAML values are",
    }
    for text, message in cases.items():
        path = tmp_path / "f.yaml"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(InputError) as caught:
            read_yaml(path, "f.yaml")
        assert str(caught.value) == f"f.yaml:{message}"


# --- YAML that tries to exhaust memory or the stack ------------------------------------------


def billion_laughs(levels: int = 9) -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels + 1):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


ALIAS_BOMBS = {
    # 9**10 values (3.5 billion) from 11 lines
    "billion-laughs": (billion_laughs(), 6, f"aliases repeat more than {MAX_ALIAS_VALUES:,} values (an alias bomb?)"),
    # one list of 5,000 items repeated 30 times: quadratic, not exponential
    "quadratic": ("big: &big [" + ", ".join(["x"] * 5000) + "]\n" + "".join(f"r{i}: *big\n" for i in range(30)),
                  21, f"aliases repeat more than {MAX_ALIAS_VALUES:,} values (an alias bomb?)"),
    "self-reference": ("a: &a [1, *a]\n", 1, "alias *a refers to a value that contains it"),
    "undefined": ("a: *nowhere\n", 1, "alias *nowhere has no anchor &nowhere before it"),
}


@pytest.mark.parametrize("name", list(ALIAS_BOMBS))
def test_alias_bombs_are_refused(tmp_path, name):
    text, line, message = ALIAS_BOMBS[name]
    path = tmp_path / "bomb.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_yaml(path, "bomb.yaml")
    assert str(caught.value) == f"bomb.yaml:{line}: {message}"


def test_an_alias_is_shared_not_copied(tmp_path):
    path = tmp_path / "ok.yaml"
    path.write_text("a: &p [IRN, RUS]\nb: *p\nc: *p\n", encoding="utf-8")
    doc = read_yaml(path, "ok.yaml")
    assert doc.plain() == {"a": ["IRN", "RUS"], "b": ["IRN", "RUS"], "c": ["IRN", "RUS"]}
    assert doc.value["b"] is doc.value["a"]


def _measured_build(project: Path) -> tuple[int, str, int]:
    """``kg build`` in a child process whose address space is capped at 4 GB (so that a
    regression fails with MemoryError instead of bringing the machine down)."""
    code, out, err, peak = run_measured(["-m", "kg", "-C", str(project), "build"], project.parent, limit=4096 * MB)
    assert out == "" and "Traceback" not in err
    return code, err, peak


def test_hostile_files_are_refused_with_little_memory(project, capsys):
    """Each file replaces the article in its own build, in a child process whose peak memory
    is measured: the billion laughs, a 100 MB file, nesting 200,000 deep (which crashed
    PyYAML's composer with a segmentation fault). What is checked is the behaviour: exit 2,
    one line naming the file and line, nothing built, little memory. Where kg's own limit
    refuses the file, its message is kg's; nesting may be refused by PyYAML's (libyaml's) own
    depth limit first, in words that change with its releases, so only the shape of the line
    is checked there (kg's own depth limit has test_nesting_deeper_than_the_limit_is_refused)."""
    path = project / ARTICLE
    figures = []
    attacks = {
        "billion laughs (9**10 values)": (lambda: path.write_text(billion_laughs(), encoding="utf-8"),
                                          f"6: aliases repeat more than {MAX_ALIAS_VALUES:,} values (an alias bomb?)"),
        "100 MB file": (lambda: _sparse(path, 100 * MB),
                        f" the file is {100 * MB:,} bytes, more than the {MAX_BYTES:,} a fact file may have"),
        "nesting 200,000 deep": (lambda: path.write_text("a: " + "[" * 200_000 + "]" * 200_000, encoding="utf-8"),
                                 None),  # kg's limit or PyYAML's, whichever comes first
    }
    for name, (make, message) in attacks.items():
        if path.is_symlink() or path.exists():
            path.unlink()
        make()
        code, err, peak = _measured_build(project)
        if message is None:
            assert code == 2, (name, err)
            assert re.fullmatch(rf"Error: {re.escape(ARTICLE)}:1: [^\n]+\n", err), (name, err)
        else:
            assert (code, err) == (2, f"Error: {ARTICLE}:{message}\n"), name
        assert not (project / "build").exists()
        assert peak < 300 * MB, f"{name}: peak RSS {peak / MB:.0f} MB"
        figures.append(f"{name}: {peak / MB:.0f} MB")
    with capsys.disabled():
        print("\nhostile YAML refused, peak RSS of each build: " + ", ".join(figures))


@pytest.mark.parametrize("opener, closer", [("[", "]"), ("{a: ", "}")], ids=["lists", "mappings"])
def test_nesting_deeper_than_the_limit_is_refused(tmp_path, opener, closer):
    """kg's own depth limit, well below any limit of PyYAML's: MAX_DEPTH levels are read,
    one more is refused with the line where it is."""
    path = tmp_path / "deep.yaml"
    for depth, refused in ((MAX_DEPTH - 1, False), (MAX_DEPTH, True)):  # (the top mapping is a level)
        path.write_text("a: ok\nb: " + opener * depth + "x" + closer * depth + "\n", encoding="utf-8")
        if not refused:
            assert read_yaml(path, "deep.yaml").plain()["a"] == "ok"
            continue
        with pytest.raises(InputError) as caught:
            read_yaml(path, "deep.yaml")
        assert str(caught.value) == f"deep.yaml:2: lists and mappings are nested more than {MAX_DEPTH} levels deep"


def test_an_endless_device_is_refused(project):
    path = project / ARTICLE
    path.unlink()
    _link(path, Path("/dev/zero"))
    code, err, peak = _measured_build(project)
    assert (code, err) == (2, f"Error: {ARTICLE}: not a regular file (a device, a pipe or a folder); "
                              "a fact file is a file\n")
    assert peak < 300 * MB


def test_an_endless_device_is_refused_by_the_reader(tmp_path):
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero")
    link = tmp_path / "zero.yaml"
    link.symlink_to("/dev/zero")
    with pytest.raises(InputError) as caught:
        read_yaml(link, "zero.yaml")
    assert str(caught.value) == "zero.yaml: not a regular file (a device, a pipe or a folder); a fact file is a file"


def _sparse(path: Path, size: int) -> None:
    with open(path, "wb") as fh:
        fh.truncate(size)


def _link(path: Path, target: Path) -> None:
    if not target.exists():
        pytest.skip(f"no {target}")
    path.symlink_to(target)


# --- text that is not UTF-8, or has control characters ---------------------------------------

ENCODING_CASES = {
    # name: (bytes in place of "codename: CASAREX 2025", the first bad byte, the message's start)
    "latin-1 after multibyte": ("codename: CASAREX \u2014 \u00e9t\u00e9 ".encode("utf-8") + b"\xe9t\xe9", b"\xe9",
                                "not UTF-8: byte 0xe9"),
    "overlong slash": (b"codename: CASAREX \xc0\xaf", b"\xc0", "not UTF-8: byte 0xc0"),
    "encoded surrogate": (b"codename: \xed\xa0\x80", b"\xed", "not UTF-8: byte 0xed"),
    "truncated at the end": (b"codename: CASAREX \xe2\x80", b"\xe2", "not UTF-8: byte 0xe2"),
    "NUL": (b"codename: CASAREX\x00", b"\x00", "character U+0000"),
    "bell after multibyte": ("codename: \u00e9\u00e9\u00e9\x07".encode("utf-8"), b"\x07", "character U+0007"),
}


@pytest.mark.parametrize("name", list(ENCODING_CASES))
def test_bad_bytes_are_reported_with_line_and_column(project, name):
    bad, byte, what = ENCODING_CASES[name]
    path = project / ARTICLE
    original = path.read_bytes()
    if name == "truncated at the end":
        data = original + b"    " + bad
    else:
        data = original.replace(b"codename: CASAREX 2025", bad, 1)
    path.write_bytes(data)
    offset = data.index(byte, data.index(bad))
    line = data[:offset].count(b"\n") + 1
    column = len(data[data.rindex(b"\n", 0, offset) + 1:offset].decode("utf-8")) + 1  # characters, not bytes
    if what.startswith("not UTF-8"):
        message = f"{what} at column {column} (offset {offset})"
    else:
        message = f"{what} at column {column} is not allowed in YAML (control characters are not allowed)"
    _build_fails(project, f"{line}: {message}")


def test_utf16_with_bom_is_not_utf8(project):
    path = project / ARTICLE
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))
    _build_fails(project, "1: not UTF-8: byte 0xff at column 1 (offset 0)")


# --- query parameters that try to change the query -------------------------------------------

ID = "https://w3id.org/milcoop/id/"
HOSTILE_VALUES = [
    'x" } UNION { ?s ?p ?o } #',
    "x' } UNION { ?s ?p ?o } #",
    '"""x""" ; ?p ?o',
    "x> } SELECT * WHERE { ?s ?p ?o",
    "<http://example.org/x>",
    "x\n} DELETE WHERE { ?s ?p ?o }",
    "x\r\nINSERT DATA { <a:b> <a:b> <a:b> }",
    "# all of it",
    "x } } } }",
    "{ ?s ?p ?o }",
    "FILTER(true)",
    "x\\",
    "\\\" } #",
    "?s",
    "$thing",
    "VALUES ?thing { <x:y> }",
    "'; DROP ALL; #",
    "x\u0000y",
    "http://example.org/a b",
    "\u202e}",
]
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
NUMBER = "http://example.org/n"
DAY = "http://example.org/day"
GRAPH = "https://w3id.org/milcoop/graph/article/hostile"


def _escape(text: str) -> str:
    return Term("literal", text).n3()


@pytest.fixture(scope="module")
def labelled(tmp_path_factory) -> tuple[Path, list]:
    """A TriG graph: a thing labelled with each hostile value, one labelled "plain", numbers
    and dates; and the three engines over it (rdflib, Oxigraph in memory, an on-disk store)."""
    folder = tmp_path_factory.mktemp("hostile")
    lines = [f"<{GRAPH}> {{"]
    for i, value in enumerate(HOSTILE_VALUES + ["plain"]):
        lines.append(f"<{ID}thing/t{i}> <{LABEL}> {_escape(value)} ; <{NUMBER}> {i} ; "
                     f'<{DAY}> "2025-01-{i + 1:02d}"^^<http://www.w3.org/2001/XMLSchema#date> .')
    lines.append("}")
    trig = folder / "hostile.trig"
    trig.write_text("\n".join(lines) + "\n", encoding="utf-8")
    store = folder / "store"
    load_store(store, trig)
    engines = [RdflibEngine.from_file(trig), OxigraphEngine.from_file(trig, timeout=30),
               OxigraphEngine.open(store, timeout=30)]
    return folder, engines


def _query(folder: Path, name: str, text: str):
    path = folder / f"{name}.rq"
    path.write_text("#+ summary: test\n" + text, encoding="utf-8")
    q = parse_query_file(path, name)
    check_query(q, str(path))
    return q


def _things(q, given: dict, engine) -> list[str]:
    outcome = run_query(q, bind_params(q, given, engine), engine)
    return sorted(row["thing"].value.rsplit("/", 1)[-1] for row in outcome.select.rows)


def test_hostile_strings_find_exactly_their_own_thing(labelled, capsys):
    """A string parameter is one literal: each hostile value finds the one thing labelled with
    it, as the clean value "plain" finds its own, in all three engines."""
    folder, engines = labelled
    q = _query(folder, "by-label", f"SELECT ?thing ?_label WHERE {{ ?thing <{LABEL}> ?_label }}")
    clean = len(HOSTILE_VALUES)
    tried = 0
    for engine in engines:
        assert _things(q, {"label": "plain"}, engine) == [f"t{clean}"]
        for i, value in enumerate(HOSTILE_VALUES):
            assert _things(q, {"label": value}, engine) == [f"t{i}"], (engine.name, value)
            tried += 1
        assert _things(q, {"label": "no such label"}, engine) == []
    # the label lookup of an IRI parameter binds the text the same way
    qi = _query(folder, "by-iri", f"SELECT ?thing ?_thing_iri WHERE {{ ?_thing_iri <{LABEL}> ?l . BIND(?_thing_iri AS ?thing) }}")
    for engine in engines:
        for i, value in enumerate(HOSTILE_VALUES):
            if value.strip() != value or "://" in value:
                continue  # values are stripped; text with :// is taken for an IRI (see below)
            assert _things(qi, {"thing": value}, engine) == [f"t{i}"], (engine.name, value)
            tried += 1
    with capsys.disabled():
        print(f"\nhostile parameters: {tried} hostile values bound in 3 engines, each found exactly its own row")


@pytest.mark.parametrize("kind, variable", [("iri", "?_thing_iri"), ("integer", "?_n_integer"),
                                            ("date", "?_day_xsd_date")])
def test_hostile_typed_parameters_are_refused(labelled, kind, variable):
    folder, engines = labelled
    predicate = {"iri": LABEL, "integer": NUMBER, "date": DAY}[kind]
    where = f"{variable} <{predicate}> ?x" if kind == "iri" else f"?thing <{predicate}> {variable}"
    q = _query(folder, f"by-{kind}", f"SELECT ?thing {variable} WHERE {{ {where} . BIND({variable} AS ?thing) }}"
               if kind == "iri" else f"SELECT ?thing {variable} WHERE {{ {where} }}")
    name = variable.lstrip("?_").rsplit("_xsd_date", 1)[0].rsplit("_integer", 1)[0].rsplit("_iri", 1)[0]
    clean = {"iri": f"{ID}thing/t3", "integer": " 3 ", "date": "2025-01-04"}[kind]
    for engine in engines:
        assert _things(q, {name: clean}, engine) == ["t3"]
        tails = ("> } UNION { ?s ?p ?o", " } #", "\n}", '"', " a", "<") + (("'", "x") if kind != "iri" else ())
        attacks = [f"{clean.strip()}{tail}" for tail in tails]
        attacks += [] if kind == "iri" else HOSTILE_VALUES  # (for an IRI, other text is a label to look up)
        for value in attacks:
            with pytest.raises(InputError) as caught:
                bind_params(q, {name: value}, engine)
            assert str(caught.value).startswith(f"parameter {name!r}: " if kind == "iri" else f"parameter {name!r} must be")
            assert "\n" not in str(caught.value)


def test_hostile_values_through_the_command_line(labelled, seed):  # noqa: F811
    """``--param KEY=VALUE`` on the command line, on the on-disk store: the same rows."""
    folder, _ = labelled
    path = folder / "cli-label.rq"
    path.write_text(f"#+ summary: test\nSELECT ?thing ?_label WHERE {{ ?thing <{LABEL}> ?_label }}\n",
                    encoding="utf-8")
    for i, value in enumerate(HOSTILE_VALUES + ["plain"]):
        if "\x00" in value:
            continue  # an argument of a process cannot hold NUL
        result = kg(seed, "query", str(path), "--store", str(folder / "store"), "--param", f"label={value}",
                    "--format", "csv", "--raw")
        assert result.exit_code == 0, result.output
        assert result.stdout_bytes == f"thing\r\n{ID}thing/t{i}\r\n".encode(), value


# --- query files that try to write, fetch or call out ----------------------------------------

REFUSED_UPDATES = [
    "INSERT DATA { <http://e/s> <http://e/p> <http://e/o> }",
    "DELETE DATA { <http://e/s> <http://e/p> <http://e/o> }",
    "DELETE WHERE { ?s ?p ?o }",
    "DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }",
    "WITH <http://e/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "CLEAR ALL", "CLEAR DEFAULT", "DROP GRAPH <http://e/g>", "CREATE GRAPH <http://e/g>",
    "ADD DEFAULT TO <http://e/g>", "MOVE <http://e/a> TO <http://e/b>", "COPY <http://e/a> TO DEFAULT",
    "LOAD <http://127.0.0.1:9/data.ttl> INTO GRAPH <http://e/g>", "LOAD SILENT <file:///etc/passwd>",
    "clear all",
    "INSERT DATA { <http://e/s> <http://e/p> 1 } ; DROP ALL",
]
REFUSED_SERVICES = [
    "SELECT * WHERE { SERVICE SILENT <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p ?o OPTIONAL { SERVICE <http://127.0.0.1:9/sparql> { ?s ?q ?r } } }",
    "SELECT * WHERE { { ?s ?p ?o } UNION { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } } }",
    "SELECT * WHERE { { SELECT ?s WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } } } }",
    "SELECT * WHERE { ?s ?p ?o FILTER EXISTS { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } } }",
    "SELECT * WHERE { VALUES ?e { <http://127.0.0.1:9/sparql> } SERVICE ?e { ?s ?p ?o } }",
    "ASK { service <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    "CONSTRUCT { ?s ?p ?o } WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
]


def test_updates_loads_and_services_are_refused(seed, tmp_path, capsys):  # noqa: F811
    tried = 0
    for i, text in enumerate(REFUSED_UPDATES + REFUSED_SERVICES):
        path = tmp_path / f"q{i}.rq"
        path.write_text("#+ summary: hostile\n" + text + "\n", encoding="utf-8")
        expected = ("a SPARQL Update (or LOAD) is not allowed in a query file; only queries run"
                    if text in REFUSED_UPDATES else "the query calls a remote SERVICE; pass --allow-service to allow it")
        for engine in ([], ["--engine", "rdflib"]):
            result = kg(seed, "query", str(path), *engine)
            assert (result.exit_code, result.stdout) == (2, ""), (text, result.output)
            assert result.stderr == f"Error: {path}: {expected}\n", text
            tried += 1
    with capsys.disabled():
        print(f"\nhostile query files: {len(REFUSED_UPDATES)} updates and loads, {len(REFUSED_SERVICES)} services, "
              f"{tried} runs refused")


def test_from_never_fetches_a_graph(labelled, fake_server):  # noqa: F811
    """rdflib loads a graph that a query's FROM names and the dataset lacks from the web (or
    from a file): kg's rdflib engine does not; FROM names graphs of the dataset only."""
    folder, engines = labelled
    engine = engines[0]
    fake_server.script(status(200, f"<{ID}x> <{LABEL}> \"fetched\" .\n", "application/n-triples"))
    every = sorted(f"{ID}thing/t{i}" for i in range(len(HOSTILE_VALUES) + 1))
    queries = {
        f"SELECT ?thing FROM <{fake_server.url}/g.nt> WHERE {{ ?thing <{LABEL}> ?l }}": [],
        f"SELECT ?thing FROM NAMED <{fake_server.url}/g.nt> WHERE {{ GRAPH ?g {{ ?thing <{LABEL}> ?l }} }}": [],
        f"SELECT ?thing FROM <{GRAPH}> WHERE {{ ?thing <{LABEL}> ?l }}": every,
        f"SELECT ?thing FROM <file://{folder}/hostile.trig> WHERE {{ ?thing <{LABEL}> ?l }}": [],
    }
    for text, expected in queries.items():
        assert sorted(r["thing"].value for r in engine.select(text, {}).rows) == expected, text
    assert fake_server.seen == [], "the query fetched a graph"


# --- queries that run too long ---------------------------------------------------------------

SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def test_timeout_through_the_command_line(seed, tmp_path):  # noqa: F811
    """A child process each (an embedded query cannot be stopped; the process ends with it)."""
    path = tmp_path / "slow.rq"
    path.write_text("#+ summary: slow\n" + SLOW + "\n", encoding="utf-8")
    store = tmp_path / "store"
    assert kg(seed, "load", "--store", str(store)).exit_code == 0
    for extra, where in (([], "oxigraph"), (["--store", str(store)], f"the store {store}")):
        began = time.monotonic()
        proc = subprocess.run([sys.executable, "-m", "kg", "-C", str(seed), "query", str(path), "--timeout", "0.5",
                               *extra], capture_output=True, text=True, timeout=120)
        assert (proc.returncode, proc.stdout) == (2, "")
        assert proc.stderr == f"Error: the query ran longer than 0.5 s in {where} (--timeout)\n"
        assert time.monotonic() - began < 60  # a guard against hanging, not a speed figure


def test_rdflib_query_is_stopped_at_its_timeout(seed):  # noqa: F811
    """rdflib is pure Python: the query thread is stopped, not left running."""
    from kg.pipeline import NAMED

    engine = RdflibEngine.from_file(seed / "build" / NAMED, timeout=0.5)
    before = threading.active_count()
    with pytest.raises(QueryError, match=r"^the query ran longer than 0\.5 s in rdflib \(--timeout\)$"):
        engine.select(SLOW, {})
    with pytest.raises(QueryError, match=r"^the query ran longer than 0\.5 s in rdflib \(--timeout\)$"):
        list(engine.select_stream(SLOW, {}).rows)
    deadline = time.monotonic() + 30
    while threading.active_count() > before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert threading.active_count() == before, "the query thread still runs"
    assert engine.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", {}).rows  # the engine still works


def test_streamed_rows_stop_at_the_timeout(tmp_path):
    """A stream whose rows come too slowly stops with the same error (a child process: the
    query thread of an embedded store cannot be stopped)."""
    code = textwrap.dedent("""\
        import sys
        from kg.engines.oxigraph_engine import OxigraphEngine
        from kg.sparql.terms import QueryError
        engine = OxigraphEngine.from_file(sys.argv[1], timeout=0.5)
        try:
            for row in engine.select_stream(sys.argv[2], {}).rows:
                pass
        except QueryError as exc:
            print(exc)
        """)
    trig = tmp_path / "g.trig"
    trig.write_text("".join(f"<{GRAPH}> {{ <{ID}s{i}> <{LABEL}> \"{i}\" . }}\n" for i in range(300)), encoding="utf-8")
    query = "SELECT ?a ?d ?g ?j WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l } ORDER BY ?a ?d ?g ?j"
    proc = subprocess.run([sys.executable, "-c", code, str(trig), query], capture_output=True, text=True, timeout=120)
    assert proc.stdout == "the query ran longer than 0.5 s in oxigraph (--timeout)\n", proc.stderr


def test_yaml_module_is_never_given_a_full_loader():
    """No code of kg calls yaml.load / full_load / unsafe_load (which build Python objects)."""
    offenders = []
    for path in sorted((ROOT / "kg").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for call in ("yaml.load(", "yaml.full_load(", "yaml.unsafe_load(", "yaml.load_all(", "UnsafeLoader",
                     "FullLoader", "yaml.Loader"):
            if call in text:
                offenders.append(f"{path.relative_to(ROOT)}: {call}")
    assert offenders == []
    assert yaml.__version__  # PyYAML is what reads the files

