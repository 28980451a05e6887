"""The saved queries: golden results, the two engines agreeing, parameters, errors."""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.engines.oxigraph_engine import OxigraphEngine
from kg.engines.rdflib_engine import RdflibEngine
from kg.pipeline import NAMED, ensure_built
from kg.project import Project
from kg.queries import bind_params, find_query, query_names, run_query
from kg.sparql.terms import Term
from kg.sparql.text import blank_out
from qcfixtures import CHECKS

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
NAMES = [n for n in query_names(ROOT / "queries") if not n.startswith("qc/")]
UPDATE = os.environ.get("KG_UPDATE_GOLDEN") == "1"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The seed project built once (a copy, so the tests never touch the work tree's build/)."""
    from conftest import copy_seed_project

    dest = copy_seed_project(tmp_path_factory.mktemp("q") / "proj")
    ensure_built(Project(dest))
    return dest


@pytest.fixture(scope="module")
def engines(built):
    trig = built / "build" / NAMED
    return RdflibEngine.from_file(trig), OxigraphEngine.from_file(trig)


def kg(project: Path, *args: str):
    return CliRunner().invoke(cli, ["-C", str(project), *args], catch_exceptions=False)


@pytest.mark.parametrize("name", NAMES)
def test_golden(built, name):
    result = kg(built, "query", name, "--format", "tsv")
    assert result.exit_code == 0, result.output
    golden = GOLDEN / f"{name}.tsv"
    if UPDATE or not golden.exists():
        golden.write_text(result.stdout, encoding="utf-8")
        if not UPDATE:
            pytest.fail(f"wrote missing golden file {golden.name}; check it and commit it")
    assert result.stdout == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", NAMES + CHECKS)
def test_rdflib_and_oxigraph_agree(engines, qc_fixtures, name):
    """On the seed, and each quality check on its fixture (tests/qc/): never nothing with nothing."""
    if name in qc_fixtures:
        trig = qc_fixtures[name].trig
        engines = RdflibEngine.from_file(trig), OxigraphEngine.from_file(trig)
    q = find_query(ROOT / "queries", name, str)
    rows = []
    for engine in engines:
        bindings = bind_params(q, {}, engine)
        outcome = run_query(q, bindings, engine)
        rows.append((outcome.select.variables, outcome.select.rows))
    assert rows[1][1], "the query should have rows"
    assert rows[0] == rows[1]


def test_list_shows_every_query(built):
    result = kg(built, "query", "--list")
    assert result.exit_code == 0
    listed = [line.split()[0] for line in result.stdout.splitlines()]
    assert listed == query_names(ROOT / "queries")
    assert all(len(line.split(None, 1)) == 2 for line in result.stdout.splitlines()), "a query has no summary"


def test_show_documents_parameters(built):
    result = kg(built, "query", "exercise-partners", "--show")
    assert result.exit_code == 0
    assert "#   --param state=...  state (an IRI, an entity id or a label, required), default IRN; variable ?_state_iri" \
        in result.stdout


def _rows(built, *args):
    result = kg(built, "query", *args, "--format", "json", "--raw")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    return [{k: v["value"] for k, v in b.items()} for b in doc["results"]["bindings"]]


ID = "https://w3id.org/milcoop/id/"


def test_casarex_observers_are_never_participants(built):
    rows = _rows(built, "exercise-observers")
    casarex = [r for r in rows if r["exercise"] == ID + "exercise/casarex-2025"]
    assert sorted(r["observer"] for r in casarex) == [ID + f"state/{s}" for s in ("AZE", "KAZ", "TKM")]
    assert {r["alsoParticipant"] for r in rows} == {"false"}
    participants = _rows(built, "exercise-participants", "--param", "exercise=casarex-2025")
    assert {r["state"] for r in participants} == {ID + "state/IRN", ID + "state/RUS"}


def test_iran_exercised_with_russia_twice(built):
    rows = _rows(built, "exercise-partners", "--param", "state=IRN")
    assert rows == [{"partner": ID + "state/RUS", "exercises": "2", "firstStart": "2025-07-21",
                     "lastStart": "2025-07-21"}]
    # an id, a label and an alias name the same state
    for value in ("Iran", "tehran", ID + "state/IRN"):
        assert _rows(built, "exercise-partners", "--param", f"state={value}") == rows


def test_transfers_reported_used_in_ukraine_and_denied(built):
    rows = _rows(built, "arms-transfers")
    assert {r["transfer"] for r in rows} == {ID + "arms-transfer/iran-russia-drones",
                                            ID + "arms-transfer/iran-russia-drone-glide-bombs"}
    for r in rows:
        assert r["supplier"] == ID + "state/IRN" and r["recipient"] == ID + "state/RUS"
        assert r["status"].endswith("transfer-status/delivered")
        assert r["usedIn"] == ID + "conflict/war-in-ukraine"
        assert r["deniedBy"] == ID + "state/IRN"


def test_table_uses_labels(built):
    result = kg(built, "query", "exercise-partners", "--param", "state=IRN")
    assert result.stdout == (
        "partner  exercises  firstStart  lastStart\n"
        "-------  ---------  ----------  ----------\n"
        "Russia   2          2025-07-21  2025-07-21\n"
        "(1 row)\n"
    )


@pytest.mark.parametrize("fmt", ["table", "csv", "tsv", "json", "xml", "markdown"])
def test_every_format_runs(built, fmt):
    result = kg(built, "query", "exercises", "--format", fmt)
    assert result.exit_code == 0, result.output
    assert "CASAREX 2025" in result.stdout


def test_xml_is_the_w3c_format(built):
    """SPARQL Query Results XML: a SELECT row by row, typed literals with their datatype, and an
    ASK as a boolean; rdflib's reader of the format reads the same rows back."""
    import io

    from rdflib.plugins.sparql.results.xmlresults import XMLResultParser

    from kg.sparql.results import boolean_text

    result = kg(built, "query", "exercise-partners", "--format", "xml", "--raw")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n'
        '  <head>\n'
        '    <variable name="partner"/>\n'
        '    <variable name="exercises"/>\n'
        '    <variable name="firstStart"/>\n'
        '    <variable name="lastStart"/>\n'
        '  </head>\n'
        '  <results>\n'
        '    <result>\n'
        '      <binding name="partner"><uri>https://w3id.org/milcoop/id/state/RUS</uri></binding>\n'
        '      <binding name="exercises"><literal datatype="http://www.w3.org/2001/XMLSchema#integer">2</literal></binding>\n'
        '      <binding name="firstStart"><literal>2025-07-21</literal></binding>\n'
        '      <binding name="lastStart"><literal>2025-07-21</literal></binding>\n'
        '    </result>\n'
        '  </results>\n'
        '</sparql>\n'
    )
    parsed = XMLResultParser().parse(io.BytesIO(result.stdout_bytes))
    assert [str(v) for v in parsed.vars] == ["partner", "exercises", "firstStart", "lastStart"]
    assert len(parsed.bindings) == 1
    rows = _rows(built, "exercises")
    result = kg(built, "query", "exercises", "--format", "xml")
    assert len(XMLResultParser().parse(io.BytesIO(result.stdout_bytes)).bindings) == len(rows)
    for value in (True, False):
        answer = XMLResultParser().parse(io.BytesIO(boolean_text(value, "xml").encode("utf-8")))
        assert answer.type == "ASK" and answer.askAnswer is value


def test_an_ad_hoc_query_uses_the_projects_prefixes(built):
    """-e QUERY and '-' (standard input) run a query given on the spot, with the project's
    prefixes declared for it; the answer is the same as from a file."""
    text = 'SELECT ?state WHERE { ?state a mc:State ; rdfs:label "Iran"@en }'
    result = kg(built, "query", "-e", text, "--format", "csv", "--raw")
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == b"state\r\nhttps://w3id.org/milcoop/id/state/IRN\r\n"
    result = CliRunner().invoke(cli, ["-C", str(built), "query", "-", "--format", "csv", "--raw"], input=text,
                                catch_exceptions=False)
    assert result.stdout_bytes == b"state\r\nhttps://w3id.org/milcoop/id/state/IRN\r\n"
    result = CliRunner().invoke(cli, ["-C", str(built), "query", "-"], input="ASK { ?s a mc:Claim }",
                                catch_exceptions=False)
    assert (result.exit_code, result.stdout) == (0, "true\n")
    # a query that declares a prefix itself keeps its own
    own = "PREFIX mc: <http://example.org/other#> ASK { ?s a mc:State }"
    assert kg(built, "query", "-e", own).stdout == "false\n"


def test_an_ad_hoc_querys_errors_name_its_line_and_column(built):
    """Errors are one line with the line and column of the text as given (not of the text with
    the prefixes kg declares), exit 2."""
    result = CliRunner().invoke(cli, ["-C", str(built), "query", "-"], input="SELECT ?s\nWHERE { ?s a mc:State\n FILTER( }")
    assert (result.exit_code, result.stderr) == (
        2, "Error: <stdin>:3: SPARQL syntax error at column 2: Expected SelectQuery\n")
    result = kg(built, "query", "-e", "SELECT ?x WHERE {\n  ?x foo:bar ?y }")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: --sparql:2: unknown prefix 'foo:' at column 6; declare it "
                                    "(PREFIX foo: <...>) or use one kg declares: dcterms:, graph:, id:, mc:,")
    result = kg(built, "query", "exercises", "-e", "ASK {}")
    assert result.exit_code == 2 and "give a query name or -e QUERY, not both" in result.stderr


def test_xml_refuses_a_character_xml_cannot_hold():
    import io

    from kg.sparql.results import write_xml
    from kg.sparql.terms import QueryError, SelectResult, Term

    result = SelectResult(["x"], [{"x": Term("literal", "bell \x07")}])
    with pytest.raises(QueryError, match="U\\+0007, which XML cannot hold"):
        write_xml(result, io.StringIO())


def test_csv_is_the_w3c_format(built):
    result = kg(built, "query", "exercise-partners", "--format", "csv", "--raw")
    assert result.stdout_bytes == (
        b"partner,exercises,firstStart,lastStart\r\n"
        b"https://w3id.org/milcoop/id/state/RUS,2,2025-07-21,2025-07-21\r\n"
    )


# --- errors ----------------------------------------------------------------------------------


def test_unknown_query_name(built):
    result = kg(built, "query", "exercices")
    assert result.exit_code == 2
    assert result.output == "Error: no query named 'exercices'; did you mean 'exercises'?\n"


def test_missing_required_parameter(built):
    (built / "queries" / "needs-state.rq").write_text(
        "#+ summary: test\nSELECT ?x ?_state_iri WHERE { ?x ?p ?_state_iri }\n", encoding="utf-8")
    result = kg(built, "query", "needs-state")
    assert result.exit_code == 2
    assert result.output == (
        "Error: query 'needs-state' needs --param state=... (an IRI, an entity id or a label)\n")


def test_syntax_error_names_file_line_and_column(built, tmp_path):
    bad = tmp_path / "bad.rq"
    bad.write_text("#+ summary: broken\nSELECT ?x\nWHERE { ?x ?p }\n", encoding="utf-8")
    result = kg(built, "query", str(bad))
    assert result.exit_code == 2
    assert result.output.startswith(f"Error: {bad}:3: SPARQL syntax error at column ")


def test_update_is_refused(built, tmp_path):
    bad = tmp_path / "drop.rq"
    bad.write_text("#+ summary: no\nDROP ALL\n", encoding="utf-8")
    result = kg(built, "query", str(bad))
    assert result.exit_code == 2
    assert result.output == f"Error: {bad}: a SPARQL Update (or LOAD) is not allowed in a query file; only queries run\n"


def test_load_is_refused(built, tmp_path):
    bad = tmp_path / "load.rq"
    bad.write_text("LOAD <http://example.org/data.ttl>\n", encoding="utf-8")
    result = kg(built, "query", str(bad))
    assert result.exit_code == 2
    assert "is not allowed in a query file" in result.output


def test_service_is_refused_unless_allowed(built, tmp_path):
    bad = tmp_path / "service.rq"
    bad.write_text("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }\n", encoding="utf-8")
    result = kg(built, "query", str(bad))
    assert result.exit_code == 2
    assert result.output == f"Error: {bad}: the query calls a remote SERVICE; pass --allow-service to allow it\n"


def test_parameter_must_be_projected(built):
    (built / "queries" / "hidden-param.rq").write_text(
        "#+ summary: test\nSELECT ?x WHERE { ?x ?p ?_state_iri }\n", encoding="utf-8")
    result = kg(built, "query", "hidden-param", "--param", "state=IRN")
    assert result.exit_code == 2
    assert result.output == (
        "Error: queries/hidden-param.rq: parameter ?_state_iri must be in the SELECT clause (and in GROUP BY "
        "where the query groups), so that every engine can bind it\n")


def test_unknown_parameter(built):
    result = kg(built, "query", "exercises", "--param", "state=IRN")
    assert result.exit_code == 2
    assert result.output == "Error: query 'exercises' has no parameter 'state'; its parameters: none\n"


def test_unknown_entity_parameter(built):
    result = kg(built, "query", "exercise-partners", "--param", "state=Atlantis")
    assert result.exit_code == 2
    assert result.output == "Error: parameter 'state': no entity has the id, label or alias 'Atlantis'\n"


# --- parameter injection ---------------------------------------------------------------------

HOSTILE = [
    'IRN" } UNION { ?s ?p ?o } #',
    "IRN> } SELECT * WHERE { ?s ?p ?o",
    "IRN\n} DELETE WHERE { ?s ?p ?o }",
    "'; DROP ALL; #",
    "Iran }",
    "http://example.org/a b",
    "http://example.org/x> . ?s ?p ?o . <y",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_iri_parameter_cannot_change_the_query(built, value):
    result = kg(built, "query", "exercise-partners", "--param", f"state={value}")
    assert result.exit_code == 2, result.output
    assert result.output.startswith("Error: parameter 'state': ")


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_string_is_bound_as_a_literal(engines, value):
    """A string parameter is bound as one literal, in both engines: it matches nothing."""
    query = "SELECT ?s ?_name WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?_name }"
    for engine in engines:
        result = engine.select(query, {"_name": Term("literal", value)})
        assert result.rows == []
        clean = engine.select(query, {"_name": Term("literal", "Iran", lang="en")})
        assert [r["s"].value for r in clean.rows] == [ID + "state/IRN"]


def _case_clashes(text: str) -> dict[str, set[str]]:
    """Variables of a query whose names differ only in case, by their lower-case name (comments,
    strings and IRIs left out)."""
    by_lower: dict[str, set[str]] = {}
    for name in re.findall(r"[?$]([A-Za-z_][A-Za-z0-9_]*)", blank_out(text)):
        by_lower.setdefault(name.lower(), set()).add(name)
    return {k: v for k, v in by_lower.items() if len(v) > 1}


def test_no_two_variables_differ_only_in_case():
    """Virtuoso takes ?keyOf and ?keyof for one variable (a check then answered nothing there)."""
    assert _case_clashes("SELECT ?keyOf WHERE { ?v <p> ?keyof }") == {"keyof": {"keyOf", "keyof"}}
    assert _case_clashes('SELECT ?a WHERE { ?a <p> "?A" } # ?A') == {}
    clashes = {path.relative_to(ROOT).as_posix(): found for path in sorted((ROOT / "queries").rglob("*.rq"))
               if (found := _case_clashes(path.read_text(encoding="utf-8")))}
    assert clashes == {}
