"""What the commands print, exactly (issue 16, points 1 and 3): label columns beside IRI columns
(``--raw`` for the W3C results as they are), chosen columns, tables fitted to a width, reports
on standard error filtered by severity, one -q/-v for every command, progress bars."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.pipeline import ensure_built
from kg.project import Project

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
ID = "https://w3id.org/milcoop/id/"
CASAREX_HEADLINE = "Iran, Russia to Launch Joint Naval Drill in Caspian Sea as Military Cooperation Deepens"
CASPIAN_HEADLINE = "Iran and Russia begin military maneuvers in the Caspian Sea"
ARTICLES = ("SELECT DISTINCT ?article ?g WHERE { GRAPH ?g { ?article schema:headline ?h } } "
            "ORDER BY ?article")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The seed project built once (a copy, so the tests never touch the work tree's build/)."""
    from conftest import copy_seed_project

    dest = copy_seed_project(tmp_path_factory.mktemp("out") / "proj")
    ensure_built(Project(dest))
    return dest


def kg(project: Path, *args: str, **kwargs):
    return CliRunner().invoke(cli, ["-C", str(project), *args], catch_exceptions=False, **kwargs)


# --- 1. label columns -------------------------------------------------------------------------


def test_csv_has_a_label_column_beside_each_iri_column(built):
    result = kg(built, "query", "exercise-partners", "--format", "csv")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout_bytes == (
        b"partner,partnerLabel,exercises,firstStart,lastStart\r\n"
        b"https://w3id.org/milcoop/id/state/RUS,Russia,2,2025-07-21,2025-07-21\r\n")


def test_raw_is_the_w3c_result_as_it_is(built):
    for fmt, expected in (
            ("csv", b"partner,exercises,firstStart,lastStart\r\n"
                    b"https://w3id.org/milcoop/id/state/RUS,2,2025-07-21,2025-07-21\r\n"),
            ("tsv", b'?partner\t?exercises\t?firstStart\t?lastStart\n'
                    b'<https://w3id.org/milcoop/id/state/RUS>\t2\t"2025-07-21"\t"2025-07-21"\n'),
            ("table", b"partner       exercises  firstStart  lastStart\n"
                      b"------------  ---------  ----------  ----------\n"
                      b"id:state/RUS  2          2025-07-21  2025-07-21\n"
                      b"(1 row)\n")):
        result = kg(built, "query", "exercise-partners", "--format", fmt, "--raw")
        assert (result.exit_code, result.stdout_bytes) == (0, expected), fmt
    doc = json.loads(kg(built, "query", "exercise-partners", "--format", "json", "--raw").stdout)
    assert doc["head"]["vars"] == ["partner", "exercises", "firstStart", "lastStart"]


def test_tsv_json_and_xml_carry_the_label_as_the_graph_has_it(built):
    result = kg(built, "query", "exercise-partners", "--format", "tsv")
    assert result.stdout == (
        '?partner\t?partnerLabel\t?exercises\t?firstStart\t?lastStart\n'
        '<https://w3id.org/milcoop/id/state/RUS>\t"Russia"@en\t2\t"2025-07-21"\t"2025-07-21"\n')
    doc = json.loads(kg(built, "query", "exercise-partners", "--format", "json").stdout)
    assert doc["head"]["vars"] == ["partner", "partnerLabel", "exercises", "firstStart", "lastStart"]
    assert doc["results"]["bindings"][0]["partnerLabel"] == {"type": "literal", "value": "Russia",
                                                             "xml:lang": "en"}
    xml = kg(built, "query", "exercise-partners", "--format", "xml").stdout
    assert '    <variable name="partnerLabel"/>\n' in xml
    assert '      <binding name="partnerLabel"><literal xml:lang="en">Russia</literal></binding>\n' in xml


def test_an_article_is_labelled_by_its_headline_and_the_table_shows_labels(built):
    """The table shows the label in the IRI's place (an article: its headline); an IRI with no
    label (a named graph) keeps its prefixed name, and its label column stays empty."""
    result = kg(built, "query", "-e", ARTICLES, "--format", "csv")
    assert result.stdout_bytes.decode("utf-8").splitlines() == [
        "article,articleLabel,g,gLabel",
        f"{ID}article/iran-russia-caspian-maneuvers,{CASPIAN_HEADLINE},"
        "https://w3id.org/milcoop/graph/article/iran-russia-caspian-maneuvers,",
        f'{ID}article/somali-magazine-casarex-2025,"{CASAREX_HEADLINE}",'
        "https://w3id.org/milcoop/graph/article/somali-magazine-casarex-2025,",
    ]
    result = kg(built, "query", "-e", ARTICLES, "--width", "0")
    width = len(CASAREX_HEADLINE)
    assert result.stdout == (
        f"{'article'.ljust(width)}  g\n"
        f"{'-' * width}  {'-' * len('graph:article/iran-russia-caspian-maneuvers')}\n"
        f"{CASPIAN_HEADLINE.ljust(width)}  graph:article/iran-russia-caspian-maneuvers\n"
        f"{CASAREX_HEADLINE}  graph:article/somali-magazine-casarex-2025\n"
        "(2 rows)\n")


def test_a_variable_of_the_querys_own_named_like_a_label_column_is_kept(built):
    text = 'SELECT ?s ?sLabel WHERE { VALUES ?s { id:state\\/RUS } BIND("mine" AS ?sLabel) }'
    result = kg(built, "query", "-e", text, "--format", "csv")
    assert result.stdout_bytes == b"s,sLabel\r\nhttps://w3id.org/milcoop/id/state/RUS,mine\r\n"


class Counting:
    """An engine that counts the queries it is given."""

    def __init__(self, engine):
        self.engine, self.name, self.queries = engine, engine.name, []

    def select(self, query, bindings):
        self.queries.append(query)
        return self.engine.select(query, bindings)

    def select_stream(self, query, bindings):
        self.queries.append(query)
        return self.engine.select_stream(query, bindings)


def test_labels_come_from_the_engine_in_one_query_per_batch_of_rows(built):
    """One extra query for the labels of a result (not one a row); a result longer than a batch
    gets one a batch, and the rows stay in their order."""
    from kg.engines.oxigraph_engine import OxigraphEngine
    from kg.sparql.results import with_labels
    from kg.sparql.terms import SelectStream, Term

    engine = Counting(OxigraphEngine.from_file(built / "build" / "kg.trig"))
    states = [f"{ID}state/{code}" for code in ("RUS", "IRN", "CHN", "AZE", "RUS")]
    rows = [{"s": Term("uri", iri), "n": Term("literal", str(i))} for i, iri in enumerate(states)]
    labelled = with_labels(SelectStream(["s", "n"], iter(rows)), engine)
    got = [(r["s"].value[-3:], r["sLabel"].value, r["n"].value) for r in labelled.rows]
    assert labelled.variables == ["s", "sLabel", "n"]
    assert got == [("RUS", "Russia", "0"), ("IRN", "Iran", "1"), ("CHN", "China", "2"),
                   ("AZE", "Azerbaijan", "3"), ("RUS", "Russia", "4")]
    assert len(engine.queries) == 1
    engine.queries.clear()
    labelled = with_labels(SelectStream(["s", "n"], iter(rows)), engine, batch=2)
    assert [r["sLabel"].value for r in labelled.rows] == ["Russia", "Iran", "China", "Azerbaijan", "Russia"]
    assert len(engine.queries) == 3


def test_the_embedded_store_and_a_server_give_the_same_labels(built, tmp_path, oxigraph_server):
    from servers import OxigraphServer  # noqa: F401  (the fixture's server)

    expected = kg(built, "query", "exercise-partners", "--format", "csv").stdout_bytes
    store = tmp_path / "store"
    assert kg(built, "load", "--store", str(store)).exit_code == 0
    assert kg(built, "query", "exercise-partners", "--format", "csv", "--store", str(store)).stdout_bytes == expected
    assert kg(built, "load", "--endpoint", oxigraph_server.url).exit_code == 0
    result = kg(built, "query", "exercise-partners", "--format", "csv", "--endpoint", oxigraph_server.url)
    assert (result.exit_code, result.stdout_bytes) == (0, expected)
    result = kg(built, "query", "exercise-partners", "--format", "csv", "--engine", "rdflib")
    assert result.stdout_bytes == expected
