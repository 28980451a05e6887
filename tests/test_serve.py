"""``kg serve``: every route through Starlette's TestClient (status, content type, content), on
an embedded store of the project's data and on the store of tests/claims/ (two articles that
disagree, with denials and confirmations); the command line; and the pages in headless Chromium
with the network off (tests/test_viz.py's way of running it)."""
from __future__ import annotations

import html
import os
import re
import threading
import time
import urllib.parse
import urllib.request
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS
from starlette.testclient import TestClient

from kg.cli import cli
from kg.engines.oxigraph_engine import OxigraphEngine
from kg.pipeline import NAMED
from kg.serve import create_app
from kg.stores.local import load_store
from servers import free_port

ID = "https://w3id.org/milcoop/id/"
MC = "https://w3id.org/milcoop/ontology/"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
CASAREX = ID + "exercise/casarex-2025"
NORTH_WIND = ID + "exercise/north-wind-2025"
BATCH = ID + "arms-transfer/howitzer-batch-1"


@pytest.fixture(scope="module")
def store(seed, tmp_path_factory) -> Path:
    """An embedded store of the project's data (the session's built seed project)."""
    path = tmp_path_factory.mktemp("serve") / "store"
    load_store(path, seed / "build" / NAMED)
    return path


@pytest.fixture(scope="module")
def client(seed, store) -> TestClient:
    app = create_app(OxigraphEngine.open(store, timeout=30), seed / "queries")
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture(scope="module")
def claims_client(claims_fixture) -> TestClient:
    app = create_app(OxigraphEngine.open(claims_fixture.store, timeout=30), claims_fixture.project / "queries")
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def get(client: TestClient, path: str, accept: str = BROWSER, **kwargs):
    return client.get(path, headers={"accept": accept}, **kwargs)


def text_of(page: str) -> str:
    """The page's text, tags dropped and spaces folded (what a reader sees)."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def kg(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


# --- entity pages -----------------------------------------------------------------------------


def test_entity_page_at_the_path_of_its_iri(client):
    r = get(client, "/id/exercise/casarex-2025")
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    assert r.headers["vary"] == "Accept"
    text = text_of(r.text)
    assert "CASAREX 2025" in text and CASAREX in text
    # what the articles say: speaker (the publisher where no one is named), certainty, source headline, paragraph
    assert "Reported, confirmed" in text
    assert "Somali Magazine Assesses · Stated" in text
    assert "Iran, Russia to Launch Joint Naval Drill in Caspian Sea as Military Cooperation Deepens , ¶ 19" in text
    # links to its neighbours, at their paths
    for path in ("/id/state/IRN", "/id/state/RUS", "/id/place/caspian-sea", "/id/article/somali-magazine-casarex-2025"):
        assert f'href="{path}"' in r.text, path
    # each value with the article that gives it, inferred ones said so
    assert re.search(r"schema:endDate.*?2025-07-23.*?inferred", text)
    # a class with no label and no prefix of ours (SEM's Event) by its name, the IRI in its title
    sem = "http://semanticweb.cs.vu.nl/2009/11/sem/Event"
    assert f'<a href="{sem}" title="&lt;{sem}&gt;">Event</a>' in r.text


def test_a_state_page_and_its_iri(client):
    r = get(client, "/id/state/RUS")
    assert r.status_code == 200
    text = text_of(r.text)
    assert text.startswith("Russia · kg") or "Russia" in text
    assert "https://w3id.org/milcoop/id/state/RUS" in text
    assert '<span class="kind kind-state">state</span> Russia</h1>' in r.text
    assert "Linked from" in text  # the facts that name it


def test_statements_of_a_speaker_are_theirs_only(client):
    """A person's page lists what they said; statements with no speaker are not theirs."""
    r = get(client, "/id/person/reuben-brigety")
    assert r.status_code == 200
    said = r.text.split('id="said"', 1)[1].split("</section>", 1)[0]
    assert "Reuben Brigety" in r.text
    assert "The shipment does not fit South Africa" in said
    casarex = get(client, "/id/exercise/casarex-2025").text
    assert 'id="said"' not in casarex  # an exercise says nothing


def _speakers(engine) -> list[str]:
    """Everyone a claim is attributed to and every publisher of an article."""
    text = ("SELECT DISTINCT ?s WHERE { { ?c <%sattributedTo> ?s } UNION { ?a <https://schema.org/publisher> ?s } } "
            "ORDER BY ?s" % MC)
    return [row["s"].value for row in engine.select(text, {}).rows]


def test_what_a_speaker_said_page_by_page_is_what_statements_gives(seed, store, monkeypatch):
    """A speaker's statements come a page of facts at a time (each fact's statements bound to
    the fact and the speaker); the pages together are the rows of the saved query
    ``statements`` bound to the speaker alone, for every speaker of the project."""
    from collections import Counter

    import kg.serve.site as site_module

    monkeypatch.setattr(site_module, "SAID_FACTS", 1)
    site = site_module.Site(OxigraphEngine.open(store, timeout=30), seed / "queries")
    speakers = _speakers(site.engine)
    assert len(speakers) > 50
    several = 0
    for speaker in speakers:
        whole = site._param("statements", {"speaker": speaker}, "speaker").rows
        first, facts = site.said(speaker, 1)
        paged = list(first.rows)
        for page in range(2, facts + 1):
            paged += site.said(speaker, page)[0].rows
        several += facts > 1
        key = lambda row: tuple(sorted((k, v.value) for k, v in row.items()))  # noqa: E731
        assert Counter(map(key, paged)) == Counter(map(key, whole)), speaker
        assert len({row["fact"].value for row in paged}) <= facts
        with pytest.raises(site_module.NotFound):
            site.said(speaker, max(facts, 1) + 1)
    assert several > 10  # speakers whose statements take more than one page


def test_a_speaker_page_links_its_pages(client, monkeypatch):
    """Past one page of facts, a speaker's page says which page it shows and links the others
    and the whole list (the API); a page number that is not one is 400, one past the last 404."""
    import kg.serve.site as site_module

    monkeypatch.setattr(site_module, "SAID_FACTS", 1)
    path = "/id/person/reuben-brigety"
    first = get(client, path)
    nav = first.text.split('<nav class="pages">', 1)[1].split("</nav>", 1)[0]
    pages = int(re.search(r"page 1 of (\d+)", nav).group(1))
    assert pages >= 2
    assert 'href="?said=2#said"' in nav and "previous" not in nav
    assert "/api/statements?speaker=https%3A//w3id.org/milcoop/id/person/reuben-brigety" in html.unescape(nav)
    second = get(client, path + "?said=2")
    assert second.status_code == 200
    assert f"page 2 of {pages}" in second.text and 'href="?said=1#said"' in second.text
    said = [r.text.split('id="said"', 1)[1].split("</section>", 1)[0] for r in (first, second)]
    assert said[0] != said[1]
    for bad in ("0", "x", "-1", "1.5", "١"):
        r = get(client, path + "?said=" + urllib.parse.quote(bad))
        assert r.status_code == 400, bad
        assert "said is a page number" in html.unescape(r.text)
    assert get(client, path + f"?said={pages + 1}").status_code == 404
    assert get(client, "/id/exercise/casarex-2025?said=2").status_code == 404  # said nothing
    monkeypatch.setattr(site_module, "SAID_FACTS", 1000)
    assert '<nav class="pages">' not in get(client, path).text  # one page: no links


def test_statements_against_a_fact_on_its_page_are_every_one(claims_fixture):
    """The page reads ``contradictions`` only for what a claim, denial or dispute names: every
    fact with rows in the listing has them all on its page."""
    from kg.serve.site import Site

    site = Site(OxigraphEngine.open(claims_fixture.store, timeout=30), claims_fixture.project / "queries")
    facts = {row["fact"].value for row in site.run(site.query("contradictions"), {}).select.rows}
    assert len(facts) >= 2
    for fact in sorted(facts):
        assert site.entity(fact).contradictions.rows == site._bound("contradictions", "fact", fact).rows, fact


def test_a_page_with_more_links_than_it_lists_says_so(client, monkeypatch):
    """Past ``MAX_INCOMING`` links to it a page lists that many, sorted by property and subject,
    says that there are more, and still shows what the links it did not list bring (what a
    speaker said, read by index)."""
    import kg.serve.site as site_module

    whole = get(client, "/id/person/reuben-brigety").text
    assert "There are more" not in whole
    monkeypatch.setattr(site_module, "MAX_INCOMING", 1)
    r = get(client, "/id/person/reuben-brigety")
    assert r.status_code == 200
    linked = r.text.split("Linked from", 1)[1]
    assert "There are more: 1 of them are listed." in text_of(linked)
    assert r.text.split('id="said"', 1)[1].split("</section>", 1)[0] == \
        whole.split('id="said"', 1)[1].split("</section>", 1)[0]
    monkeypatch.setattr(site_module, "MAX_INCOMING", 500)
    rows = client.app.state.site._incoming(ID + "state/RUS").rows
    assert len({row["p"].value for row in rows}) > 1 and len(rows) > 20
    assert rows == sorted(rows, key=lambda row: (row["p"].value, row["s"].value))


def test_conflicts_between_sources_are_marked(claims_client):
    r = get(claims_client, "/id/exercise/north-wind-2025")
    assert r.status_code == 200
    conflicts = r.text.split('id="conflicts"', 1)[1].split("</section>", 1)[0]
    text = text_of(conflicts)
    assert "Sources disagree" in text
    assert "2025-03-08" in text and "2025-03-07" in text and "Anna Berg" in text
    assert "about 6000 troops" in text and "more than 5000 troops" in text and "Kari Nordmann" in text
    # the property rows that disagree are flagged, the others not
    rows = re.findall(r'<tr class="([^"]*)">\s*<th rowspan="\d+" scope="row"><a href="[^"]*" title="([^"]+)"', r.text)
    flagged = {prop for cls, prop in rows if "conflict" in cls}
    assert flagged == {"mc:endDate", "mc:strength"}


def test_denials_beside_confirmations(claims_client):
    r = get(claims_client, "/id/arms-transfer/howitzer-batch-1")
    assert r.status_code == 200
    sides = r.text.split('id="statements"', 1)[1].split("</section>", 1)[0]
    for_side, against_side = sides.split('<div class="side against">', 1)
    assert "Retracts" in text_of(against_side)
    assert "Retracts" not in text_of(for_side)
    table = r.text.split('id="contradictions"', 1)[1].split("</section>", 1)[0]
    rows = [text_of(row) for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)][2:]
    assert any(row.startswith("Estonia Denies") and "Sweden Confirms" in row for row in rows), rows
    assert sum("conflict" in cls for cls in re.findall(r'<tr class="([^"]*)"', r.text)) >= 2  # quantity, status


@pytest.mark.parametrize("accept, ext, media", [
    ("text/turtle", "ttl", "text/turtle"),
    ("application/ld+json", "jsonld", "application/ld+json"),
    ("application/n-triples", "nt", "application/n-triples"),
])
def test_entity_as_rdf_by_accept_or_extension(client, accept, ext, media):
    by_accept = get(client, "/id/state/RUS", accept=accept)
    by_ext = get(client, f"/id/state/RUS.{ext}", accept=BROWSER)
    for r in (by_accept, by_ext):
        assert r.status_code == 200
        assert r.headers["content-type"] == f"{media}; charset=utf-8"
    assert by_accept.text == by_ext.text
    fmt = {"ttl": "turtle", "jsonld": "json-ld", "nt": "nt"}[ext]
    g = Graph().parse(data=by_accept.text, format=fmt)
    rus = URIRef(ID + "state/RUS")
    assert (rus, RDFS.label, Literal("Russia", lang="en")) in g or (rus, RDFS.label, Literal("Russia")) in g
    assert any(o == rus for o in g.objects(None, URIRef(MC + "supplier")))  # links to it, too


def test_the_same_graph_in_every_rdf_format(client):
    graphs = [Graph().parse(data=get(client, f"/id/state/IRN.{e}").text, format=f)
              for e, f in (("ttl", "turtle"), ("jsonld", "json-ld"), ("nt", "nt"))]
    assert len(graphs[0]) > 20
    assert graphs[0].isomorphic(graphs[1]) and graphs[0].isomorphic(graphs[2])


def test_negotiation_prefers_what_the_client_ranks_first(client):
    assert get(client, "/id/state/RUS", accept="text/turtle;q=0.5, application/ld+json").headers[
        "content-type"].startswith("application/ld+json")
    assert get(client, "/id/state/RUS", accept="*/*").headers["content-type"].startswith("text/html")
    r = get(client, "/id/state/RUS", accept="image/png")
    assert r.status_code == 406
    assert r.headers["content-type"].startswith("text/plain")
    assert r.text.startswith("Error: none of the formats asked for is offered here")


@pytest.mark.parametrize("path", ["/id/state/XXX", "/id/state/XXX.ttl", "/id/state/%3Cbad%3E", "/vocab/nothing",
                                  "/no/such/page"])
def test_unknown_entity_or_page_is_404(client, path):
    r = get(client, path)
    assert r.status_code == 404
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    assert "<h1>Not found</h1>" in r.text
    plain = get(client, path, accept="text/turtle")
    assert plain.status_code == 404
    assert plain.text.startswith("Error: ") and plain.text.count("\n") == 1


def test_an_encoded_question_mark_is_part_of_the_iri(client):
    """/id/state/RUS%3Fx is the IRI id/state/RUS?x (not in the graph), not Russia's page."""
    assert get(client, "/id/state/RUS%3Fx").status_code == 404
    assert get(client, "/id/state/RUS%23x", accept="text/turtle").status_code == 404
    assert get(client, "/id/state/RU%53").status_code == 200  # an encoded letter is the letter


def test_method_not_allowed(client):
    r = client.post("/id/state/RUS", headers={"accept": BROWSER})
    assert r.status_code == 405
    assert "<h1>Method not allowed</h1>" in r.text


class _Broken:
    """An engine that fails as no engine of ours should (a bug): the page must not tell how."""

    name = "broken"

    def select(self, query, bindings):
        raise RuntimeError("secret internals /etc/passwd")

    ask = construct = select_stream = select


def test_an_unexpected_error_is_a_plain_500_without_its_trace(seed):
    app = create_app(_Broken(), seed / "queries")
    with TestClient(app, raise_server_exceptions=False) as c:
        for path, accept in (("/id/state/RUS", "text/turtle"), ("/states", "text/plain"), ("/search?q=x", "text/plain"),
                             ("/viz/id/state/RUS", "text/plain")):
            r = get(c, path)
            assert r.status_code == 500, path
            assert r.headers["content-type"] == "text/html; charset=utf-8"
            assert "<h1>Server error</h1>" in r.text
            for leak in ("Traceback", "RuntimeError", "secret", "passwd", 'File "'):
                assert leak not in r.text, (path, leak)
            r = get(c, path, accept=accept)
            assert r.status_code == 500
            assert r.text == "Error: something went wrong on the server; its log says what\n"
        # a query's failure in the engine is one line, as kg query prints it (kg.queries.run_query)
        for path, accept in (("/api/exercises", "text/csv"), ("/sparql?query=ASK%7B%7D", "application/sparql-results+json"),
                             ("/exercises", "text/plain")):
            r = get(c, path, accept=accept)
            assert r.status_code == 500
            assert r.text.startswith("Error: query ") and r.text.count("\n") == 1
            assert "Traceback" not in r.text and 'File "' not in r.text


# --- the saved queries as an API --------------------------------------------------------------


@pytest.mark.parametrize("accept, fmt, media", [
    ("application/sparql-results+json", "json", "application/sparql-results+json"),
    ("application/sparql-results+xml", "xml", "application/sparql-results+xml"),
    ("text/csv", "csv", "text/csv"),
    ("text/tab-separated-values", "tsv", "text/tab-separated-values"),
])
def test_saved_query_in_each_w3c_format_as_kg_query_gives_it(client, seed, store, accept, fmt, media):
    r = get(client, "/api/exercise-partners?state=IRN", accept=accept)
    assert r.status_code == 200
    assert r.headers["content-type"] == f"{media}; charset=utf-8"
    # the API answers programs: the W3C result as it is, which `kg query` gives with --raw
    cli_out = kg("-C", str(seed), "query", "exercise-partners", "--param", "state=IRN", "--format", fmt, "--raw",
                 "--store", str(store))
    assert cli_out.exit_code == 0, cli_out.output
    assert r.content == cli_out.stdout_bytes
    assert len(r.text.splitlines()) >= 2
    by_ext = client.get(f"/api/exercise-partners.{fmt}?state=IRN")
    assert by_ext.content == r.content


def test_saved_query_without_accept_is_json(client):
    r = client.get("/api/exercises", headers={"accept": ""})
    assert r.headers["content-type"] == "application/sparql-results+json; charset=utf-8"
    doc = r.json()
    assert doc["head"]["vars"][0] == "exercise"
    assert any(b["exercise"]["value"] == CASAREX for b in doc["results"]["bindings"])


def test_saved_query_as_an_html_table_with_labels(client):
    r = get(client, "/api/exercise-partners?state=Iran")
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    table = r.text.split('<table class="result">', 1)[1]
    assert '<a href="/id/state/RUS" title="id:state/RUS">Russia</a>' in table
    assert 'value="Iran"' in r.text  # the form keeps what was asked


@pytest.mark.parametrize("query, message", [
    ("/api/exercise-partners?country=IRN", "query 'exercise-partners' has no parameter 'country'"),
    ("/api/exercise-partners?state=Atlantis", "parameter 'state': no entity has the id, label or alias 'Atlantis'"),
    ("/api/exercise-partners?state=IRN&state=RUS", "parameter 'state' is given twice"),
])
def test_bad_parameters_are_400(client, query, message):
    r = get(client, query, accept="text/csv")
    assert r.status_code == 400
    assert r.headers["content-type"] == "text/plain; charset=utf-8"
    assert r.text.startswith(f"Error: {message}") and r.text.count("\n") == 1
    page = get(client, query)
    assert page.status_code == 400 and "<h1>Bad request</h1>" in page.text


def test_unknown_saved_query_is_404(client):
    r = get(client, "/api/no-such-query", accept="application/sparql-results+json")
    assert r.status_code == 404
    assert r.text == "Error: no saved query named 'no-such-query'\n"
    assert get(client, "/api/exercises.pdf").status_code == 404


def test_quality_checks_are_under_api_qc(client):
    r = get(client, "/api/qc/conflicting-value-violation", accept="text/csv")
    assert r.status_code == 200
    assert r.text.splitlines()[0].count(",") >= 1


def test_api_index(client, seed):
    names = sorted(p.stem for p in (seed / "queries").glob("*.rq"))
    r = get(client, "/api")
    assert r.status_code == 200 and r.headers["content-type"] == "text/html; charset=utf-8"
    for name in names:
        assert f'<a href="/api/{name}">{name}</a>' in r.text
    listing = get(client, "/api", accept="application/json")
    assert listing.headers["content-type"] == "application/json"
    assert {q["name"] for q in listing.json()} >= set(names)


def test_openapi_describes_every_saved_query_with_its_parameters(client, seed):
    from kg.queries import find_query, query_names

    r = client.get("/api/openapi.json")
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    doc = r.json()
    assert doc["openapi"].startswith("3.")
    names = query_names(seed / "queries")
    assert set(doc["paths"]) == {f"/api/{n}" for n in names}
    for name in names:
        q = find_query(seed / "queries", name, str)
        op = doc["paths"][f"/api/{name}"]["get"]
        assert op["summary"] == q.summary
        assert [p["name"] for p in op["parameters"]] == [p.name for p in q.params]
        for p, described in zip(q.params, op["parameters"]):
            assert described["in"] == "query"
            assert described["required"] == (p.required and p.name not in q.defaults)
        assert "application/sparql-results+json" in op["responses"]["200"]["content"]
    partners = doc["paths"]["/api/exercise-partners"]["get"]["parameters"][0]
    assert partners["name"] == "state" and partners["schema"]["default"] == "IRN"


# --- the SPARQL endpoint ----------------------------------------------------------------------

SELECT = "SELECT ?s WHERE { ?s a mc:State ; rdfs:label ?l . FILTER(STR(?l) = 'Iran') }"


def test_sparql_get_and_post_give_the_same_results(client):
    expected = {"head": {"vars": ["s"]}, "results": {"bindings": [{"s": {"type": "uri", "value": ID + "state/IRN"}}]}}
    json_type = "application/sparql-results+json"
    answers = [
        client.get("/sparql", params={"query": SELECT}, headers={"accept": json_type}),
        client.post("/sparql", data={"query": SELECT}, headers={"accept": json_type}),
        client.post("/sparql", content=SELECT.encode(), headers={"accept": json_type,
                                                                  "content-type": "application/sparql-query"}),
    ]
    for r in answers:
        assert r.status_code == 200
        assert r.headers["content-type"] == f"{json_type}; charset=utf-8"
        assert r.json() == expected


def test_sparql_ask_construct_and_csv(client):
    r = client.get("/sparql", params={"query": "ASK { <%sstate/IRN> a mc:State }" % ID},
                   headers={"accept": "application/sparql-results+xml"})
    assert r.status_code == 200 and "<boolean>true</boolean>" in r.text
    r = client.get("/sparql", params={"query": "CONSTRUCT { ?s rdfs:label ?l } WHERE { VALUES ?s { <%sstate/IRN> } ?s rdfs:label ?l }" % ID},
                   headers={"accept": "text/turtle"})
    assert r.status_code == 200 and r.headers["content-type"] == "text/turtle; charset=utf-8"
    assert (URIRef(ID + "state/IRN"), RDFS.label, Literal("Iran", lang="en")) in Graph().parse(data=r.text, format="turtle")
    r = client.get("/sparql", params={"query": SELECT}, headers={"accept": "text/csv"})
    assert r.text == f"s\r\n{ID}state/IRN\r\n"


@pytest.mark.parametrize("how", ["update-param", "update-body", "update-in-query", "service", "syntax", "nothing",
                                 "graph-uri"])
def test_sparql_bad_requests_are_400(client, how):
    accept = {"accept": "application/sparql-results+json"}
    if how == "update-param":
        r = client.post("/sparql", data={"update": "DELETE WHERE { ?s ?p ?o }"}, headers=accept)
        message = "this endpoint is read-only: SPARQL Update is not allowed"
    elif how == "update-body":
        r = client.post("/sparql", content=b"DELETE WHERE { ?s ?p ?o }",
                        headers={**accept, "content-type": "application/sparql-update"})
        message = "this endpoint is read-only: SPARQL Update is not allowed"
    elif how == "update-in-query":
        r = client.get("/sparql", params={"query": "INSERT DATA { <%sx> a mc:State }" % ID}, headers=accept)
        message = "the query: a SPARQL Update (or LOAD) is not allowed in a query file; only queries run"
    elif how == "service":
        r = client.get("/sparql", params={"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"},
                       headers=accept)
        message = "the query: the query calls a remote SERVICE; pass --allow-service to allow it"
    elif how == "syntax":
        r = client.get("/sparql", params={"query": "SELECT ?s WHERE { ?s"}, headers=accept)
        message = "the query:1: SPARQL syntax error"
    elif how == "graph-uri":
        r = client.get("/sparql", params={"query": SELECT, "default-graph-uri": ID}, headers=accept)
        message = "default-graph-uri is not supported"
    else:
        r = client.get("/sparql", headers=accept)
        message = "give a query: ?query=... (GET) or a POST body"
    assert r.status_code == 400
    assert r.headers["content-type"] == "text/plain; charset=utf-8"
    assert r.text.startswith(f"Error: {message}"), r.text


def test_sparql_timeout_is_the_engines(seed, store):
    app = create_app(OxigraphEngine.open(store, timeout=0.3), seed / "queries")
    with TestClient(app, raise_server_exceptions=False) as c:
        began = time.monotonic()
        r = c.get("/sparql", params={"query": "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"},
                  headers={"accept": "text/csv"})
        assert time.monotonic() - began < 20
    assert r.status_code == 500
    assert r.text.startswith("Error: the query ran longer than 0.3 s")


def test_sparql_page_with_a_form_and_a_table(client):
    r = get(client, "/sparql")
    assert r.status_code == 200 and r.headers["content-type"] == "text/html; charset=utf-8"
    assert '<form class="sparql" action="/sparql" method="get">' in r.text and "<textarea" in r.text
    r = get(client, "/sparql?" + urllib.parse.urlencode({"query": SELECT}))
    assert r.status_code == 200
    assert '<a href="/id/state/IRN" title="id:state/IRN">Iran</a>' in r.text
    assert "1 row." in text_of(r.text)


# --- overviews and search ---------------------------------------------------------------------


def test_search_over_labels_and_aliases(client):
    r = get(client, "/search?q=casarex")
    assert r.status_code == 200 and r.headers["content-type"] == "text/html; charset=utf-8"
    assert '<a href="/id/exercise/casarex-2025" title="id:exercise/casarex-2025">CASAREX 2025</a>' in r.text
    alias = get(client, "/search?q=Islamic Republic of Iran")
    assert 'href="/id/state/IRN"' in alias.text
    assert "Nothing is called anything like" in text_of(get(client, "/search?q=zzqqxx").text)
    assert get(client, "/search?q=" + "x" * 201).status_code == 400


def test_exercises_on_a_timeline(client):
    r = get(client, "/exercises")
    assert r.status_code == 200 and r.headers["content-type"] == "text/html; charset=utf-8"
    lane = r.text.split('title="id:exercise/casarex-2025">CASAREX 2025</a>', 1)[1].split("</div>\n</div>", 1)[0]
    assert re.search(r'class="bar" style="left: [\d.]+%; width: [\d.]+%"', lane)
    assert "2025-07-21 – 2025-07-23" in text_of(lane)
    assert "Exercises with no date in the articles" in r.text


def test_the_timeline_keeps_each_date_s_precision_and_few_labels():
    from kg.serve.overview import span, timeline
    from kg.sparql.terms import Term as T

    assert span("2025") == (date(2025, 1, 1), date(2025, 12, 31))
    assert span("2024-02") == (date(2024, 2, 1), date(2024, 2, 29))
    assert span("2025-07-21") == (date(2025, 7, 21), date(2025, 7, 21))
    assert span("2025-02-30") is None and span("last week") is None

    def row(name, start, end=None):
        out = {"exercise": T("uri", ID + "exercise/" + name), "start": T("literal", start)}
        return out | ({"end": T("literal", end)} if end else {})

    line = timeline([row("b", "2025-07-01", "2025-12-31"), row("a", "1988"), {"exercise": T("uri", ID + "x")}], {})
    assert [b.exercise.value.rsplit("/", 1)[1] for b in line.bars] == ["a", "b"]
    assert line.bars[0].left == 0 and line.bars[1].left + line.bars[1].width == pytest.approx(100, abs=0.01)
    assert [y for y, _ in line.ticks] == [1990, 1995, 2000, 2005, 2010, 2015, 2020, 2025]
    assert len(line.undated) == 1


def test_transfers_as_flows(client):
    r = get(client, "/transfers")
    assert r.status_code == 200
    svg = r.text.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert svg.count('class="band"') >= 10
    assert "<title>Iran → Russia: " in svg
    assert 'href="/id/state/IRN"' in svg


def test_states_with_their_counts(client):
    r = get(client, "/states")
    assert r.status_code == 200
    row = next(t for t in re.findall(r"<tr>(.*?)</tr>", r.text, re.S) if 'href="/id/state/IRN"' in t)
    counts = [int(n) for n in re.findall(r'<td class="n">(\d+)</td>', row)]
    assert len(counts) == 4 and counts[0] >= 4 and counts[1] >= 2 and counts[2] >= 4 and counts[3] >= 4


def test_articles_with_their_facts(client, seed):
    r = get(client, "/articles")
    assert r.status_code == 200
    assert text_of(r.text).count("Iran and Russia begin military maneuvers in the Caspian Sea") == 1
    assert f"{len(list((seed / 'data' / 'articles').glob('*.yaml')))} articles" in text_of(r.text)
    assert 'href="/id/exercise/iran-russia-caspian-drill"' in r.text


def test_home_and_stylesheet(client):
    r = get(client, "/")
    assert r.status_code == 200 and 'href="/exercises"' in r.text
    css = client.get("/static/kg.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")


# --- the neighbourhood picture ----------------------------------------------------------------


def test_the_neighbourhood_on_the_store_is_kg_viz_s(seed, store):
    """Read from the store by SPARQL, the neighbourhood is the one ``kg viz`` draws from the
    built graph: the same entities, the same links, asserted or inferred alike."""
    from rdflib import URIRef as Ref

    from kg.present.viz import GraphData, neighbourhood, resolve
    from kg.serve.picture import graph_around

    data = GraphData.from_trig(seed / "build" / NAMED)
    engine = OxigraphEngine.open(store, timeout=30)
    for name in ("casarex-2025", "IRN", "lady-r-arms-shipment"):
        iri = resolve(data, name)
        expected = neighbourhood(data, iri, 1)
        got = neighbourhood(graph_around(engine, str(iri)), Ref(str(iri)), 1)
        assert got.nodes == expected.nodes, name
        assert got.edges == expected.edges, name


def test_the_picture_of_casarex(client):
    r = get(client, "/viz/id/exercise/casarex-2025")
    assert r.status_code == 200 and r.headers["content-type"] == "text/html; charset=utf-8"
    assert "id:exercise/casarex-2025 · depth 1 · 20 entities" in r.text  # of its 28
    page = get(client, "/id/exercise/casarex-2025").text
    assert '<iframe class="viz" src="/viz/id/exercise/casarex-2025"' in page
    assert "20 entities and 34 links drawn; 8 more are listed below the picture" in text_of(page)


def test_a_large_neighbourhood_draws_a_few_dozen_and_lists_the_rest(client):
    page = get(client, "/id/state/IRN").text
    drawn = re.search(r"(\d+) entities and (\d+) links drawn; (\d+) more are listed", text_of(page))
    assert drawn, "Iran's neighbourhood is larger than a picture can show"
    assert int(drawn.group(1)) == 20 and int(drawn.group(3)) > 0
    rest = page.split("<summary>Not drawn", 1)[1].split("</ul>", 1)[0]
    assert rest.count("<li>") == int(drawn.group(3))
    viz = get(client, "/viz/id/state/IRN").text
    assert f"· depth 1 · {drawn.group(1)} entities" in viz
    assert get(client, "/viz/id/state/XXX").status_code == 404


# --- whatever is asked, an answer, never a crash -----------------------------------------------

from hypothesis import HealthCheck, example, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_ASKED = settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])


@_ASKED
@given(text=st.text(max_size=60))
@example(text="<>\"{}|^`\\ \x00")
@example(text="Iran\" } UNION { ?s ?p ?o } #")
def test_any_search_is_answered(client, text):
    r = client.get("/search", params={"q": text}, headers={"accept": BROWSER})
    assert r.status_code in (200, 400), r.text
    assert "Traceback" not in r.text


@_ASKED
@given(rest=st.text(min_size=1, max_size=40).filter(lambda t: "\x00" not in t))
@example(rest="state/<bad>")
@example(rest="state/RUS.ttl.ttl")
@example(rest="../../etc/passwd")
@example(rest="\ufff0")  # found by hypothesis: not an IRI code point (was a 500)
def test_any_entity_path_is_a_page_or_404(client, rest):
    r = client.get("/id/" + urllib.parse.quote(rest, safe="/"), headers={"accept": BROWSER})
    assert r.status_code in (200, 404), (rest, r.text[-500:])


@_ASKED
@given(accept=st.text(max_size=40))
@example(accept="text/turtle;q=abc")
@example(accept=";;,,*/")
def test_any_accept_header_is_answered(client, accept):
    try:
        r = client.get("/id/state/RUS", headers={"accept": accept})
    except UnicodeEncodeError:  # not a header value HTTP can carry: nothing to send
        return
    assert r.status_code in (200, 406)


@_ASKED
@given(value=st.text(max_size=30), key=st.sampled_from(["state", "State", "", "x"]))
@example(value="IRN\n", key="state")
def test_any_parameter_is_answered(client, value, key):
    r = client.get("/api/exercise-partners", params={key: value}, headers={"accept": "text/csv"})
    assert r.status_code in (200, 400), r.text
    if r.status_code == 400:
        assert r.text.startswith("Error: ") and r.text.count("\n") == 1


@_ASKED
@given(query=st.text(max_size=80))
@example(query="SELECT * WHERE { ?s ?p ?o } LIMIT 1")
@example(query="SELECT ?_x WHERE { BIND(1 AS ?_x) }")
@example(query="DESCRIBE <https://w3id.org/milcoop/id/state/RUS>")
def test_any_sparql_text_is_answered(client, query):
    r = client.post("/sparql", data={"query": query}, headers={"accept": "application/sparql-results+json, text/turtle"})
    assert r.status_code in (200, 400), r.text
    if r.status_code == 400:
        assert r.text.startswith("Error: ") and "Traceback" not in r.text


# --- on a SPARQL server -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def endpoint_client(seed, module_oxigraph_server) -> TestClient:
    """The seed loaded into a real Oxigraph server, served through ``--endpoint``'s engine."""
    from kg.engines.endpoint_engine import EndpointEngine

    env = {"KG_ENDPOINT_USER": None, "KG_ENDPOINT_PASSWORD": None, "KG_ENDPOINT_TOKEN": None}
    result = CliRunner().invoke(cli, ["-C", str(seed), "load", "--endpoint", module_oxigraph_server.url], env=env)
    assert result.exit_code == 0, result.output
    app = create_app(EndpointEngine(module_oxigraph_server.url, timeout=30), seed / "queries")
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.mark.parametrize("path, accept", [
    ("/id/state/IRN", BROWSER),
    ("/id/arms-transfer/su-35-russia-iran", BROWSER),
    ("/id/state/RUS.ttl", BROWSER),
    ("/viz/id/exercise/casarex-2025", BROWSER),
    ("/api/exercise-partners?state=Iran", "text/tab-separated-values"),
    ("/transfers", BROWSER),
    ("/states", BROWSER),
    ("/search?q=navy", BROWSER),
])
def test_a_server_gives_the_pages_the_store_gives(client, endpoint_client, path, accept):
    on_store, on_server = get(client, path, accept=accept), get(endpoint_client, path, accept=accept)
    assert on_store.status_code == on_server.status_code == 200
    assert on_server.headers["content-type"] == on_store.headers["content-type"]
    assert on_server.text == on_store.text


# --- the command --------------------------------------------------------------------------------


def test_serve_binds_127_0_0_1_by_default(seed, store, monkeypatch):
    import uvicorn

    seen = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: seen.update(kw, app=app))
    result = CliRunner().invoke(cli, ["-C", str(seed), "serve", "--store", str(store)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert seen["host"] == "127.0.0.1" and seen["port"] == 8000
    assert result.stderr == f"Serving the store {store} at http://127.0.0.1:8000/ (Ctrl-C to stop)\n"
    with TestClient(seen["app"]) as c:
        assert c.get("/id/state/RUS").status_code == 200


def test_serve_with_a_missing_store_is_one_line(seed, tmp_path):
    result = CliRunner().invoke(cli, ["-C", str(seed), "serve", "--store", str(tmp_path / "none")])
    assert result.exit_code == 2
    assert result.output == f"Error: {tmp_path / 'none'}: no store here; run 'kg load' first (or give --store DIR)\n"


def test_serve_refuses_to_start_on_a_bad_query_file(proj, store, monkeypatch):
    import uvicorn

    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: pytest.fail("served a project with a broken query"))
    (proj / "queries" / "broken.rq").write_text("#+ summary: [unclosed\nSELECT * WHERE { ?s ?p ?o }\n")
    result = CliRunner().invoke(cli, ["-C", str(proj), "serve", "--store", str(store)])
    assert result.exit_code == 2
    assert result.output.startswith("Error: queries/broken.rq:1: bad '#+' header")
    assert result.output.count("\n") == 1


def test_serve_store_and_endpoint_conflict(seed, store):
    result = CliRunner().invoke(cli, ["-C", str(seed), "serve", "--store", str(store), "--endpoint", "http://127.0.0.1:9"])
    assert result.exit_code == 2
    assert result.output == "Error: give --store or --endpoint, not both\n"


# --- in a browser -----------------------------------------------------------------------------


class Served:
    """The application on 127.0.0.1 (uvicorn in a thread), stopped when the block ends."""

    def __init__(self, store: Path, queries: Path):
        import uvicorn

        self.port = free_port()
        app = create_app(OxigraphEngine.open(store, timeout=30), queries)
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def __enter__(self) -> "Served":
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.05)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(20)


@pytest.fixture(scope="module")
def served(seed, store):
    with Served(store, seed / "queries") as s:
        yield s


@pytest.fixture(scope="module")
def served_claims(claims_fixture):
    with Served(claims_fixture.store, claims_fixture.project / "queries") as s:
        yield s


def _browse(url: str, profile: Path, *action: str, height: int = 900):
    """Headless Chromium on a page of the server: scripts run (virtual time), every host name
    unresolvable but the server's address (the network is off)."""
    import subprocess

    from test_viz import _chromium

    command = [
        _chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-extensions", "--hide-scrollbars", f"--user-data-dir={profile}",
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1", "--enable-logging=stderr", "--v=0",
        "--virtual-time-budget=15000", f"--window-size=1400,{height}", *action, url,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)


def _screenshot_dir(tmp_path_factory) -> Path:
    folder = Path(os.environ.get("KG_SCREENSHOT_DIR") or tmp_path_factory.getbasetemp() / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _near(rows: list[bytes], colour: str, y_min: int = 0, y_max: int | None = None, tolerance: int = 3) -> int:
    """Pixels within ``tolerance`` of ``colour`` (anti-aliasing and transparency shift a few)."""
    want = bytes.fromhex(colour.lstrip("#"))
    count = 0
    for row in rows[y_min:y_max]:
        for i in range(0, len(row), 3):
            if all(abs(row[i + k] - want[k]) <= tolerance for k in range(3)):
                count += 1
    return count


@pytest.mark.parametrize("path, expected", [
    ("/", "Military cooperation between states"),
    ("/id/exercise/casarex-2025", "What the articles say about it"),
    ("/id/state/IRN", "Not drawn"),
    ("/viz/id/exercise/casarex-2025", "Drawn: 20 entities, 34 links."),
    ("/exercises", "Exercises on a timeline"),
    ("/transfers", "Arms transfers, supplier to recipient"),
    ("/states", "Russia"),
    ("/articles", "Iran and Russia begin military maneuvers in the Caspian Sea"),
    ("/api", "exercise-partners"),
    ("/api/exercise-partners?state=IRN", "Russia"),
    ("/sparql?query=SELECT+%3Fs+WHERE+%7B+%3Fs+a+mc%3AState+%7D+LIMIT+3", "3 rows."),
    ("/search?q=caspian", "Caspian Sea"),
    ("/id/state/XXX", "Not found"),
])
def test_pages_in_headless_chromium(served, tmp_path, path, expected):
    from test_viz import _console, _dom

    run = _browse(served.url(path), tmp_path / "profile", "--dump-dom")
    assert run.returncode == 0, run.stderr[-2000:]
    dom = _dom(run.stdout)
    assert "data-kg-errors" not in dom.root, dom.root
    assert [line for line in _console(run.stderr) if "404" not in line] == []
    assert expected in text_of(run.stdout)


def test_the_browser_check_sees_a_script_error(served, tmp_path):
    """The check above can fail: the server's page with a broken script is caught."""
    from test_viz import _dom

    page = tmp_path / "broken.html"
    text = urllib.request.urlopen(served.url("/viz/id/exercise/casarex-2025")).read().decode("utf-8")
    page.write_text(text.replace("new vis.Network(", "new vis.Netwerk("), encoding="utf-8")
    run = _browse(page.as_uri(), tmp_path / "profile", "--dump-dom")
    assert "vis.Netwerk is not a constructor" in _dom(run.stdout).root.get("data-kg-errors", "")


def _shot(url: str, profile: Path, shot: Path, height: int = 900):
    from test_viz import _console, _png_pixels

    if shot.exists():
        shot.unlink()
    run = _browse(url, profile, f"--screenshot={shot}", height=height)
    assert run.returncode == 0, run.stderr[-2000:]
    assert _console(run.stderr) == []
    width, h, rows = _png_pixels(shot)
    assert (width, h) == (1400, height)
    return rows


def test_screenshots_show_the_colours(served, served_claims, tmp_path, tmp_path_factory, capsys):
    folder = _screenshot_dir(tmp_path_factory)
    # a fact the articles disagree on: the conflicts box (yellow rows), the statements for it
    # (green edge) beside those against it (red edge, pink ground)
    rows = _shot(served_claims.url("/id/arms-transfer/howitzer-batch-1"), tmp_path / "p1",
                 folder / "kg-serve-howitzer-batch-1.png")
    assert _near(rows, "#FFF1A8", tolerance=0) > 5000  # tr.conflict
    assert _near(rows, "#FFFBE0", tolerance=0) > 5000  # the box around them
    assert _near(rows, "#17754F", tolerance=0) > 300  # the edge of a statement for it
    assert _near(rows, "#B22222", tolerance=0) > 300  # the edge of a statement against it
    assert _near(rows, "#FDF3F3", tolerance=0) > 5000  # the ground of a statement against it
    # Iran's neighbourhood: states, exercises, transfers and forces in their colours
    rows = _shot(served.url("/viz/id/state/IRN"), tmp_path / "p2", folder / "kg-serve-viz-iran.png")
    network = [row[:1050 * 3] for row in rows[70:840]]
    for colour in ("#F4C26B", "#8FD6B8", "#F4A7A7", "#9FD3F0"):  # state, exercise, transfer, force
        assert _near(network, colour, tolerance=0) > 80, colour
    # the flows of arms transfers: states as boxes, bands between them
    rows = _shot(served.url("/transfers"), tmp_path / "p3", folder / "kg-serve-transfers.png")
    assert _near(rows, "#F4C26B", tolerance=0) > 20000
    assert _near(rows, "#F6B4B4", tolerance=4) > 20000  # #F4A7A7 at 85 % over white
    # exercises on the timeline
    rows = _shot(served.url("/exercises"), tmp_path / "p4", folder / "kg-serve-exercises.png")
    assert _near(rows, "#8FD6B8", tolerance=0) > 300
    with capsys.disabled():
        print(f"\nkg serve in headless Chromium: screenshots in {folder}")
