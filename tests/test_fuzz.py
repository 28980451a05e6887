"""Fuzzing the fact-file reader, checker and builder (hypothesis).

Generated and mutated fact files (random keys, types and nesting, unicode, huge strings,
dates out of range, ids with spaces or angle brackets, YAML syntax broken at random places,
bytes that are not UTF-8) give either a graph whose every IRI parses, or one error
``<file>:<line>: ...`` on one line, naming a line of the file: never another exception.

The in-process test runs 1,000 examples by default (the ``kg-fuzz`` profile; set
``KG_FUZZ_EXAMPLES`` for more); a smaller one goes through the command line (``kg validate``)
and checks the exit code and the one line printed. Both print what they tried. Every fact file
hypothesis ever found that broke a rule is kept in ``FOUND`` and tried first by both, as an
explicit ``@example`` (a failure prints the file's bytes: add them there).
"""
from __future__ import annotations

import copy
import datetime as dt
import os
import shutil
import tempfile
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from rdflib import URIRef

from kg.build.triples import article_graph
from kg.cli import cli
from kg.errors import InputError
from kg.inputs.facts import read_article, read_reference
from kg.project import Project
from kg.inputs.ontology import load_ontology, vocabulary
from kg.inputs.schema import ARTICLE_FIELDS, FACT_COMMON, FACT_TYPES

ROOT = Path(__file__).resolve().parent.parent
SEED_FILES = sorted((ROOT / "data" / "articles").glob("*.yaml"))
EXAMPLES = int(os.environ.get("KG_FUZZ_EXAMPLES", "1000"))

settings.register_profile(
    "kg-fuzz", max_examples=EXAMPLES, deadline=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile(
    "kg-fuzz-cli", max_examples=int(os.environ.get("KG_FUZZ_CLI_EXAMPLES", "40")), deadline=None,
    print_blob=True, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

pytestmark = pytest.mark.skipif(not SEED_FILES, reason="no fact files in data/articles to mutate")


# --- what the fuzzer draws from ------------------------------------------------------------------

PROJECT = Project(ROOT)
ONTOLOGY = load_ontology(PROJECT)
VOCAB = vocabulary(ONTOLOGY)
REFERENCE = read_reference([(p, PROJECT.display(p)) for p in PROJECT.reference_paths()], VOCAB)
SEEDS = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in SEED_FILES]

REF_IDS = sorted(REFERENCE.entities)
CONCEPTS = sorted({c for scheme in VOCAB.values() for c in scheme})
FACT_IDS = sorted({f["id"] for doc in SEEDS for f in doc.get("facts") or [] if isinstance(f, dict)})
KEYS = sorted({f.key for ft in FACT_TYPES.values() for f in ft.fields}
              | {f.key for f in FACT_COMMON} | {f.key for f in ARTICLE_FIELDS} | {"article", "facts"})
HOSTILE_TEXT = [
    "id with spaces", "<IRN>", "IRN>", "a<b", 'quote"d', "back\\slash", "tab\there", "line\nbreak",
    "{curly}", "a|b", "^caret", "`tick`", "http://example.org/a b", "http://example.org/<x>",
    "javascript:alert(1)", "https://example.org/ok", "exercise/casarex-2025", "exercise/", "/x", "a/b/c",
    "nope/casarex-2025", "exercise/has space", "", " ", "unknown", "null", "~", "yes", "no", "0x1F", "0o17",
    "1_000", "1:30", "0777", "-1", "+5", ".inf", ".nan", "2025-02-30", "2025-13-01", "0999-01-01",
    "0000-01-01", "9999-12-31", "10000-01-01", "-2025-01-01", "2025-07-21T10:00:00Z", "2025-7-1", "P", "PT",
    "P3W", "P1Y2M3W4DT5H6M7S", "P-1D", "Q0", "Q794", "Q", "caf\u00e9", "\u0130stanbul", "\U0001F680 drill",
    "\u202eRTL", "\u200b", "\u00a0", "\ufeffBOM", "\u2028sep", "e\u0301", "\u0000nul",
    "SELECT * WHERE { ?s ?p ?o }", "'; DROP ALL; #", "&anchor", "*alias", "!!python/object:os.system",
    # a trailing line break, which Python's `$` lets through
    "casarex-2025\n", "IRN\n", "2025-07-21\n", "P3D\n", "Q794\n", "https://example.org/x\n",
]
HUGE = st.builds(lambda c, n: c * n, st.sampled_from(["x", "\u00e9", "\U0001F680", "ab cd "]),
                 st.sampled_from([9_999, 10_000, 10_001, 50_000]))

scalars = st.one_of(
    st.none(), st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70), st.integers(min_value=-5, max_value=30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40), st.sampled_from(HOSTILE_TEXT), HUGE,
    st.sampled_from(REF_IDS), st.sampled_from(CONCEPTS), st.sampled_from(sorted(FACT_TYPES)),
    st.sampled_from(FACT_IDS or ["x"]),
    st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)),
    st.datetimes(min_value=dt.datetime(1, 1, 1)),
)
keys = st.one_of(st.sampled_from(KEYS), st.text(min_size=1, max_size=20), st.sampled_from(HOSTILE_TEXT[:30]))
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=4)),
    max_leaves=12,
)
PERTURB = ["\n", "\r", " ", "\t", "<", ">", '"', "{", "}", "|", "^", "`", "\\", "/", "#", "%20", " x", "\u00e9",
           "\u200b", "\u00a0", "\u2028", "\x85", "\U0001F680", "0", "-", "_", ".", ":", "?", "&", "\x7f"]
SNIPPETS = ["&a ", "*a", "*nowhere", "!!python/object:os.system ", "!!binary ", "!!set ", "<<: *a\n", "? ",
            "---\n", "...\n", "%YAML 1.1\n", "\t", ": ", "- ", "{", "}", "[", "]", "'", '"', "#", "|\n",
            ">-\n", "\x00", "\x07", "\ufeff", "\u2028", "\x85", "\r", "  ", "\n  - ", "&a [*a]"]


def _slots(node, out):
    """Every (container, key) of a document, nested ones included."""
    if isinstance(node, dict):
        for key in list(node):
            out.append((node, key))
            _slots(node[key], out)
    elif isinstance(node, list):
        for index in range(len(node)):
            out.append((node, index))
            _slots(node[index], out)
    return out


def seed_with(where: tuple, value) -> bytes:
    """The first seed fact file that has ``where``, with the value there replaced."""
    for seed in SEEDS:
        doc = copy.deepcopy(seed)
        node = doc
        try:
            for step in where[:-1]:
                node = node[step]
            node[where[-1]]
        except (KeyError, IndexError, TypeError):
            continue
        node[where[-1]] = value
        return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False).encode("utf-8")
    raise AssertionError(f"no seed has {where}")


#: every fact file hypothesis found that broke a rule: both fuzz tests try each of them first
FOUND = [
    # a line break in the article's language: read as valid, then a SHACL violation, exit 1
    # (issue 12); the reader refuses it now, exit 2
    seed_with(("article", "language"), "en\nfr"),
    # a value ending in a line break, which Python's "$" lets through: an IRI with a line break
    seed_with(("facts", -1, "id"), "casarex-2025\n"),
    seed_with(("article", "id"), "somali-magazine-casarex-2025\n"),
    seed_with(("article", "published"), "2025-07-25\n"),
    seed_with(("facts", 0, "duration"), "P3D\n"),
    # digits of other scripts: an xsd:date literal no RDF tool reads
    seed_with(("article", "published"), "\u0662\u0660\u0662\u0665-\u0660\u0667-\u0662\u0665"),
]


def with_found_examples(test):
    """``test`` (given ``raw``, a fact file's bytes) with every ``FOUND`` file as an example."""
    for raw in reversed(FOUND):
        test = example(raw=raw)(test)
    return test


@st.composite
def fact_files(draw) -> bytes:
    """A mutated fact file's bytes (``mutated_fact_file``), as a strategy: a failure shows the
    bytes, which go into ``FOUND`` as they are."""

    class Draws:
        @staticmethod
        def draw(strategy, label=None):
            return draw(strategy)

    return mutated_fact_file(Draws)


def mutated_fact_file(data) -> bytes:
    """A seed fact file, its structure mutated, dumped as YAML, its text perhaps mutated too."""
    doc = copy.deepcopy(data.draw(st.sampled_from(SEEDS), label="seed"))
    for _ in range(data.draw(st.sampled_from([0, 1, 1, 1, 2, 2, 3, 4]), label="mutations")):
        slots = _slots(doc, [])
        op = data.draw(st.sampled_from(["perturb", "perturb", "perturb", "leaf", "leaf", "leaf", "set", "delete",
                                        "add", "copy-fact", "replace-root"]))
        if op == "perturb":  # a character or two added to a text: an id with a space, a date with a newline
            texts = [(c, k) for c, k in slots if isinstance(c[k], (str, dt.date))]
            words = [(c, k) for c, k in texts if isinstance(c[k], str) and " " not in c[k]]  # ids, codes, refs
            if words and data.draw(st.booleans(), label="a word"):
                texts = words
            if texts:
                container, key = data.draw(st.sampled_from(texts), label="where")
                piece = data.draw(st.sampled_from(PERTURB), label="piece")
                text = str(container[key])
                at = data.draw(st.sampled_from([0, len(text), len(text) // 2]), label="at")
                container[key] = text[:at] + piece + text[at:]
            continue
        if op == "leaf":  # a scalar replaced by another: the file often stays nearly valid
            leaves = [(c, k) for c, k in slots if not isinstance(c[k], (dict, list))]
            if leaves:
                container, key = data.draw(st.sampled_from(leaves), label="where")
                container[key] = data.draw(scalars, label="scalar")
            continue
        if op == "replace-root":
            doc = data.draw(values, label="root")
            continue
        if op == "copy-fact" and isinstance(doc, dict) and isinstance(doc.get("facts"), list) and doc["facts"]:
            fact = copy.deepcopy(data.draw(st.sampled_from(doc["facts"])))
            if isinstance(fact, dict) and data.draw(st.booleans()):
                fact["id"] = data.draw(st.one_of(st.sampled_from(HOSTILE_TEXT), st.text(max_size=12)))
            doc["facts"].append(fact)
            continue
        if not slots:
            continue
        container, key = data.draw(st.sampled_from(slots), label="where")
        if op == "delete":
            del container[key]
        elif op == "add" and isinstance(container, dict):
            container[data.draw(keys, label="new key")] = data.draw(values, label="new value")
        else:
            container[key] = data.draw(values, label="value")
    text = yaml.safe_dump(doc, allow_unicode=data.draw(st.booleans()), sort_keys=False,
                          default_flow_style=data.draw(st.sampled_from([False, None, True])),
                          width=data.draw(st.sampled_from([80, 10_000])))
    raw = text.encode("utf-8")
    for _ in range(data.draw(st.sampled_from([0, 0, 0, 1, 2]), label="text edits")):
        at = data.draw(st.integers(0, len(raw)), label="offset")
        edit = data.draw(st.sampled_from(["insert", "insert", "delete", "bytes", "truncate"]))
        if edit == "insert":
            piece = data.draw(st.one_of(st.sampled_from(SNIPPETS), st.text(max_size=8)), label="piece")
            raw = raw[:at] + piece.encode("utf-8") + raw[at:]
        elif edit == "delete":
            raw = raw[:at] + raw[at + data.draw(st.integers(1, 20)):]
        elif edit == "bytes":
            raw = raw[:at] + data.draw(st.binary(min_size=1, max_size=4), label="bytes") + raw[at:]
        else:
            raw = raw[:at]
    return raw


# --- what every outcome must be -------------------------------------------------------------------


def check_error_line(message: str, display: str, raw: bytes) -> int:
    """``<file>:<line>: <what>`` on one line, the line within the file; returns the line."""
    assert "\n" not in message and "\r" not in message, f"not one line: {message!r}"
    assert message.startswith(display + ":"), message
    line_text, _, what = message[len(display) + 1:].partition(": ")
    assert line_text.isdigit() and what.strip(), f"no line number: {message!r}"
    line = int(line_text)
    text = raw.decode("utf-8", errors="replace")
    assert 1 <= line <= max(text.count("\n"), len(text.splitlines())) + 1, f"line {line} is not in the file"
    assert len(message) < 1_000, f"{len(message)} characters: {message[:200]!r}..."
    return line


def check_graph(graph) -> int:
    """Every IRI of the graph parses (pyoxigraph checks IRIs strictly); returns the triple count."""
    data = graph.serialize(format="nt", encoding="utf-8")
    parsed = list(ox.parse(data, format=ox.RdfFormat.N_TRIPLES))
    assert len(parsed) == len(graph)
    for triple in graph:
        for term in triple:
            if isinstance(term, URIRef):
                ox.NamedNode(str(term))  # raises ValueError on an IRI that does not parse
    turtle = graph.serialize(format="turtle", encoding="utf-8")
    assert len(list(ox.parse(turtle, format=ox.RdfFormat.TURTLE))) == len(graph)
    return len(graph)


@pytest.fixture(scope="module")
def workdir():
    folder = Path(tempfile.mkdtemp(prefix="kg-fuzz-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_fuzzed_fact_files_give_a_graph_or_one_error_line(workdir, capsys):
    display = "data/articles/fuzzed.yaml"
    path = workdir / "fuzzed.yaml"
    stats: Counter = Counter()

    @settings(settings.get_profile("kg-fuzz"))
    @with_found_examples
    @given(raw=fact_files())
    def one(raw):
        path.write_bytes(raw)
        stats["examples"] += 1
        try:
            article = read_article(path, display, REFERENCE, VOCAB)
        except InputError as exc:
            check_error_line(str(exc), display, raw)
            stats["errors"] += 1
            stats["error: " + _kind(exc.message)] += 1
            return
        stats["graphs"] += 1
        stats["triples"] += check_graph(article_graph(article).graph)

    one()
    with capsys.disabled():
        kinds = ", ".join(f"{k[7:]} {n}" for k, n in stats.most_common() if k.startswith("error: "))
        print(f"\nfuzz (reader, checker, builder): {stats['examples']} fact files, {stats['graphs']} graphs "
              f"({stats['triples']} triples, every IRI parsed), {stats['errors']} one-line errors, "
              f"0 other exceptions; errors by kind: {kinds}")
    assert stats["examples"] >= EXAMPLES + len(FOUND)
    assert stats["graphs"] > 0 and stats["errors"] > 0, "the fuzzer only ever makes one kind of file"


def _kind(message: str) -> str:
    """A short name for an error message, for the figures."""
    for fragment, name in (("YAML syntax", "yaml syntax"), ("not UTF-8", "not utf-8"), ("tag ", "tag"),
                           ("is not allowed in YAML", "control character"), ("alias", "alias"),
                           ("unknown key", "unknown key"), ("needs", "missing key"), ("unknown", "unknown value"),
                           ("must start with a letter", "bad id"), ("date", "date"), ("characters long", "huge"),
                           ("must be", "wrong type"), ("duplicate", "duplicate"), ("twice", "duplicate")):
        if fragment in message:
            return name
    return "other"


# --- the same through the command line -----------------------------------------------------------


@pytest.fixture(scope="module")
def cli_project():
    """A project with the ontology and reference data and one fact file, which the test replaces."""
    folder = Path(tempfile.mkdtemp(prefix="kg-fuzz-cli-")) / "proj"
    (folder / "data" / "articles").mkdir(parents=True)
    shutil.copytree(ROOT / "ontology", folder / "ontology")
    shutil.copytree(ROOT / "data" / "reference", folder / "data" / "reference")
    yield folder
    shutil.rmtree(folder.parent, ignore_errors=True)


def test_fuzzed_fact_files_through_the_command_line(cli_project, capsys):
    """``kg validate``: exit 0 with a conforming graph, or exit 2 with one line ``Error: <file>:<line>: ...``."""
    display = "data/articles/fuzzed.yaml"
    path = cli_project / display
    stats: Counter = Counter()

    @settings(settings.get_profile("kg-fuzz-cli"))
    @with_found_examples
    @given(raw=fact_files())
    def one(raw):
        path.write_bytes(raw)
        result = CliRunner().invoke(cli, ["-C", str(cli_project), "validate"])
        stats["examples"] += 1
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
        assert "Traceback" not in result.output
        if result.exit_code == 2:
            assert result.stdout == ""
            assert result.stderr.startswith("Error: ") and result.stderr.endswith("\n")
            check_error_line(result.stderr[len("Error: "):-1], display, raw)
            stats["exit 2"] += 1
        else:
            assert result.exit_code == 0, result.output
            assert result.stderr.startswith("Conforms: "), result.stderr
            stats["exit 0"] += 1

    one()
    with capsys.disabled():
        print(f"\nfuzz (kg validate): {stats['examples']} fact files, {stats['exit 0']} conforming graphs "
              f"(exit 0), {stats['exit 2']} one-line errors (exit 2), no other exit code")
    assert stats["examples"] >= settings.get_profile("kg-fuzz-cli").max_examples + len(FOUND)


# --- what the fuzzer found rarely: a value ending in a line break -------------------------------

TRAILING = [  # (where in the seed, the value with "\n" added, the error)
    (("facts", -1, "id"), "fact id {value} must start with a letter or digit and use only letters, digits, "
                          "'.', '_' and '-' (at most 120 characters)"),
    (("article", "id"), "article id {value} must start with a letter or digit and use only letters, digits, "
                        "'.', '_' and '-' (at most 120 characters)"),
    (("article", "published"), "'published' must be a date YYYY-MM-DD, YYYY-MM or YYYY, not {value}"),
    (("facts", 0, "duration"), "'duration' must be an ISO 8601 duration such as P3D or P2W, not {value}"),
    (("article", "url"), "'url' must be an http(s) URL, not {value}"),
]


@pytest.mark.parametrize("where, message", TRAILING, ids=["-".join(map(str, w)) for w, _ in TRAILING])
def test_a_value_ending_in_a_line_break_is_refused(workdir, where, message):
    """Python's ``$`` matches before a final line break: ``casarex-2025\\n`` passed as an id and
    made an IRI with a line break in it."""
    doc = copy.deepcopy(next(d for d in SEEDS if d["facts"][0].get("duration")))
    node = doc
    for step in where[:-1]:
        node = node[step]
    value = str(node.get(where[-1], "https://example.org/a")) + "\n"
    node[where[-1]] = value
    path = workdir / "trailing.yaml"
    text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_article(path, "trailing.yaml", REFERENCE, VOCAB)
    assert caught.value.message == message.format(value=repr(value))


@pytest.mark.parametrize("key, value, message", [
    ("published", "\u0662\u0660\u0662\u0665-\u0660\u0667-\u0662\u0665", "'published' must be a date YYYY-MM-DD, YYYY-MM or YYYY, not {value!r}"),
    ("published", "\uff12\uff10\uff12\uff15", "'published' must be a date YYYY-MM-DD, YYYY-MM or YYYY, not {value!r}"),
])
def test_digits_of_other_scripts_are_not_dates(workdir, key, value, message):
    """Python's ``\\d`` matches Arabic-Indic and full-width digits: they made xsd:date literals
    that no RDF tool reads."""
    doc = copy.deepcopy(SEEDS[0])
    doc["article"][key] = value
    path = workdir / "digits.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_article(path, "digits.yaml", REFERENCE, VOCAB)
    assert caught.value.message == message.format(value=value)


def test_a_wikidata_id_ending_in_a_line_break_is_refused(tmp_path):
    path = tmp_path / "states.yaml"
    path.write_text('states:\n  - id: XXA\n    label: Testland\n    wikidata: "Q794\\n"\n', encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_reference([(path, "states.yaml")], VOCAB)
    assert str(caught.value) == "states.yaml:4: 'wikidata' must be a Wikidata item id such as Q794, not 'Q794\\n'"
