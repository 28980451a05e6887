"""A SPARQL 1.1 server: ``kg load --endpoint`` (Graph Store HTTP Protocol), ``kg query`` and
``kg check`` there, parameters that cannot change a query, and the faults of a server.

The server is a real ``oxigraph serve`` on 127.0.0.1 (tests/servers.py). Faults that a real
server does not make on demand (500, silence, garbage, a failing PUT half-way through a load)
come from ``FakeServer``, a small local HTTP server that answers what the test says or relays
the request to the real server.
"""
from __future__ import annotations

import base64
import json
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.engines.endpoint_engine import Endpoint, EndpointEngine, EndpointError, bind_values, credentials_header
from kg.engines.oxigraph_engine import OxigraphEngine
from kg.engines.rdflib_engine import RdflibEngine
from kg.output.manifest import read_manifest
from kg.pipeline import NAMED
from kg.queries import bind_params, find_query, query_names, run_query
from kg.sparql.terms import XSD, XSD_STRING, QueryError, Term
from kg.stores.remote import load_endpoint
from servers import (
    CLOSE, GARBAGE, GRAPH, HANG, ID, MC, OWN_ASK, OWN_CONSTRUCT, OWN_SELECTS, Reply, drip, forward,
    json_reply, kg, normalise, one_line_error, parse_counts, prefixed, relay, running_oxigraph,
    status, stream, synthetic_project,
)

ROOT = Path(__file__).resolve().parent.parent
SAVED = query_names(ROOT / "queries") if (ROOT / "queries").is_dir() else []
ONTOLOGY = GRAPH + "ontology"
NO_CREDENTIALS = {"KG_ENDPOINT_USER": None, "KG_ENDPOINT_PASSWORD": None, "KG_ENDPOINT_TOKEN": None}
REFUSED = "connection refused"
WANTS = "set KG_ENDPOINT_USER and KG_ENDPOINT_PASSWORD, or KG_ENDPOINT_TOKEN"


def run(project: Path, *args: str, env: dict | None = None):
    """``kg`` with no credentials in the environment unless the test sets them."""
    return kg(project, *args, env={**NO_CREDENTIALS, **(env or {})})


@pytest.fixture(scope="module")
def served(seed, module_oxigraph_server):
    """The module's Oxigraph server with the seed loaded (tests only read it)."""
    result = run(seed, "load", "--endpoint", module_oxigraph_server.url)
    assert result.exit_code == 0, result.output
    return module_oxigraph_server


@pytest.fixture(scope="module")
def stored(seed, tmp_path_factory) -> Path:
    store = tmp_path_factory.mktemp("stored") / "store"
    result = run(seed, "load", "--store", str(store))
    assert result.exit_code == 0, result.output
    return store


@pytest.fixture(scope="module")
def engines(seed, served, stored):
    trig = seed / "build" / NAMED
    return {
        "rdflib": RdflibEngine.from_file(trig),
        "memory": OxigraphEngine.from_file(trig),
        "store": OxigraphEngine.open(stored, timeout=30),
        "server": EndpointEngine(served.url, timeout=30),
    }


@pytest.fixture
def relay_to(fake_server):
    """The fake server, relaying every request to a real server (until the test scripts it)."""

    def start(upstream: str):
        fake_server.script(forward(upstream))
        return fake_server

    return start


# --- loading ---------------------------------------------------------------------------------


def test_load_puts_each_graph_on_the_server(seed, oxigraph_server):
    url = oxigraph_server.url
    result = run(seed, "load", "--endpoint", url)
    assert result.exit_code == 0, result.output
    manifest = read_manifest(seed / "build")
    assert parse_counts(result.stdout) == prefixed(manifest)
    assert list(parse_counts(result.stdout))[:2] == ["graph:ontology", "graph:reference"]
    assert result.stderr == f"Loaded {len(manifest)} graph(s), {sum(manifest.values())} triples into {url}\n"
    assert oxigraph_server.graph_counts() == manifest
    info = run(seed, "store", "info", "--endpoint", url + "/")
    assert info.exit_code == 0, info.output
    assert info.stdout == result.stdout
    assert info.stderr == f"{len(manifest)} graph(s), {sum(manifest.values())} triples in {url}\n"


def test_reload_never_duplicates(seed, oxigraph_server):
    manifest = read_manifest(seed / "build")
    for _ in range(3):
        result = run(seed, "load", "--endpoint", oxigraph_server.url)
        assert result.exit_code == 0, result.output
        assert oxigraph_server.graph_counts() == manifest
    total = oxigraph_server._post("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert int(total["results"]["bindings"][0]["n"]["value"]) == sum(manifest.values())


def _put(server, graph: str, ntriples: str) -> None:
    url = f"{server.url}/store?graph={urllib.parse.quote(graph, safe='')}"
    request = urllib.request.Request(url, data=ntriples.encode(), method="PUT",
                                     headers={"Content-Type": "application/n-triples"})
    with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(request, timeout=5):
        pass


def test_removed_article_disappears_from_the_server(proj, oxigraph_server):
    foreign = "http://example.org/not-ours"
    _put(oxigraph_server, foreign, '<http://example.org/a> <http://example.org/b> "kept" .\n')
    assert run(proj, "load", "--endpoint", oxigraph_server.url).exit_code == 0
    article = sorted((proj / "data" / "articles").glob("*.yaml"))[0]
    gone = f"{GRAPH}article/{article.stem}"
    assert gone in oxigraph_server.graph_counts()
    article.unlink()
    result = run(proj, "load", "--endpoint", oxigraph_server.url)
    assert result.exit_code == 0, result.output
    assert result.stderr.endswith(f"; removed graph:article/{article.stem}\n")
    # the graphs of the new build, and the graph that is not ours left alone
    assert oxigraph_server.graph_counts() == {**read_manifest(proj / "build"), foreign: 1}
    assert not oxigraph_server.ask(f"ASK {{ <{ID}article/{article.stem}> ?p ?o }}")
    # a load with nothing to remove says nothing about removing
    again = run(proj, "load", "--endpoint", oxigraph_server.url)
    assert again.exit_code == 0 and "removed" not in again.stderr


def test_a_server_whose_default_graph_is_not_the_union_is_queried_by_dataset(seed, tmp_path_factory):
    """No warning any more: queries name their dataset there (see the tests of the dataset below;
    a server that shows the graphs neither way is still named with a warning)."""
    with running_oxigraph(tmp_path_factory, union=False) as server:
        result = run(seed, "load", "--endpoint", server.url)
        assert result.exit_code == 0, result.output
        assert "Warning" not in result.stderr
        assert server.graph_counts() == read_manifest(seed / "build")


def test_counts_on_the_server_are_checked(seed, oxigraph_server, relay_to):
    fake = relay_to(oxigraph_server.url)

    def lie(seen, index):
        answer = relay(oxigraph_server.url, seen)
        query = urllib.parse.parse_qs(seen.body.decode()).get("query", [""])[0]
        if seen.method == "POST" and "VALUES ?g" in query:  # the check after loading
            doc = json.loads(answer.body)
            for row in doc["results"]["bindings"]:
                if row["g"]["value"] == ONTOLOGY:
                    row["n"]["value"] = "999"
            return json_reply(doc)
        return answer

    fake.reply = lie
    result = run(seed, "load", "--endpoint", fake.url)
    sent = read_manifest(seed / "build")[ONTOLOGY]
    assert result.output == (f"Error: {fake.url}: after loading, <{ONTOLOGY}> has 999 triples on the "
                             f"server but {sent} were sent\n")
    assert result.exit_code == 2


# --- the same rows as the embedded store and rdflib ------------------------------------------


@pytest.fixture(scope="module")
def qc_server(tmp_path_factory):
    """A server for the quality checks' fixtures: each test loads its own (the load replaces
    every graph of kg's there)."""
    with running_oxigraph(tmp_path_factory) as server:
        yield server


@pytest.mark.parametrize("name", SAVED)
def test_saved_queries_agree_on_the_server(seed, engines, qc_fixtures, request, name):
    """On the seed, and each quality check on its fixture (tests/qc/): never nothing with nothing."""
    if name in qc_fixtures:
        fixture = qc_fixtures[name]
        server = request.getfixturevalue("qc_server")
        load_endpoint(Endpoint(server.url), fixture.trig)
        engines = {"rdflib": RdflibEngine.from_file(fixture.trig), "memory": OxigraphEngine.from_file(fixture.trig),
                   "store": OxigraphEngine.open(fixture.store, timeout=30),
                   "server": EndpointEngine(server.url, timeout=30)}
    q = find_query(seed / "queries", name, str)
    results = {}
    for label, engine in engines.items():
        outcome = run_query(q, bind_params(q, {}, engine), engine)
        results[label] = normalise(outcome.select) if outcome.select is not None else outcome
    assert results["server"][1], "the query should have rows"
    assert results["server"] == results["store"] == results["memory"] == results["rdflib"]


def _candidates(engine, param) -> list[str]:
    """IRIs worth binding to a parameter: the states that own forces, the exercises, and the
    entities that claims name (five of each at most)."""
    patterns = {
        "state": f"?f <{MC}belongsTo> ?x",
        "exercise": f"?x a <{MC}MilitaryExercise>",
        "entity": f"?c <{MC}claims> ?f . ?f ?p ?x FILTER(isIRI(?x) && ?p != <{MC}claims>)",
        "speaker": f"?c <{MC}attributedTo> ?x",
        "fact": f"?c <{MC}claims> ?x",
    }
    rows = engine.select(f"SELECT DISTINCT ?x WHERE {{ {patterns[param.name]} }} ORDER BY ?x LIMIT 5", {}).rows
    return [row["x"].value for row in rows]


PARAMETERISED = [n for n in SAVED if "?_" in (ROOT / "queries" / f"{n}.rq").read_text()]


@pytest.mark.parametrize("name", PARAMETERISED)
def test_parameters_bind_the_same_everywhere(seed, engines, name):
    q = find_query(seed / "queries", name, str)
    tried = 0
    for param in q.params:
        values = _candidates(engines["memory"], param)
        assert values, f"no value to try for {param.name}"
        for value in values:
            results = {}
            for label, engine in engines.items():
                outcome = run_query(q, bind_params(q, {param.name: value}, engine), engine)
                results[label] = normalise(outcome.select)
            assert results["server"] == results["store"] == results["memory"] == results["rdflib"], value
            tried += bool(results["server"][1])
    assert tried, "some value should have rows"


@pytest.mark.parametrize("index", range(len(OWN_SELECTS)))
def test_own_selects_agree_on_the_server(engines, index):
    query, bindings = OWN_SELECTS[index]
    results = {name: normalise(e.select(query, bindings)) for name, e in engines.items()}
    assert results["server"][1], "the query should have rows"
    assert results["server"] == results["store"] == results["memory"] == results["rdflib"]


def test_ask_and_construct_agree_on_the_server(engines):
    assert {e.ask(OWN_ASK, {}) for e in engines.values()} == {True}
    assert {e.ask(OWN_ASK.replace("MilitaryExercise", "Nothing"), {}) for e in engines.values()} == {False}
    graphs = {name: set(e.construct(OWN_CONSTRUCT, {}).decode().splitlines()) for name, e in engines.items()}
    assert graphs["server"] and graphs["server"] == graphs["store"] == graphs["memory"] == graphs["rdflib"]


@pytest.mark.parametrize("fmt", ["table", "csv", "tsv", "json", "markdown"])
def test_query_command_prints_the_same_from_the_server(seed, served, stored, fmt):
    for name in [n for n in SAVED if not n.startswith("qc/")]:
        remote = run(seed, "query", name, "--endpoint", served.url, "--format", fmt)
        assert remote.exit_code == 0, remote.output
        assert remote.stdout == run(seed, "query", name, "--store", str(stored), "--format", fmt).stdout
        assert remote.stdout == run(seed, "query", name, "--format", fmt).stdout, name


def test_query_command_with_parameters_and_a_query_file(seed, served, stored, tmp_path):
    for args in (["state-forces", "--param", "state=IRN"], ["state-forces", "--param", "state=Iran"],
                 ["exercise-partners", "--param", f"state={ID}state/RUS"]):
        remote = run(seed, "query", *args, "--endpoint", served.url, "--format", "tsv")
        assert remote.exit_code == 0, remote.output
        assert remote.stdout.count("\n") > 1, "the query should have rows"
        assert remote.stdout == run(seed, "query", *args, "--store", str(stored), "--format", "tsv").stdout
        assert remote.stdout == run(seed, "query", *args, "--engine", "rdflib", "--format", "tsv").stdout
    own = tmp_path / "participants.rq"
    own.write_text(OWN_CONSTRUCT + "\n")
    for fmt in ("turtle", "ntriples"):
        remote = run(seed, "query", str(own), "--endpoint", served.url, "--format", fmt)
        assert remote.exit_code == 0, remote.output
        assert remote.stdout and remote.stdout == run(seed, "query", str(own), "--format", fmt).stdout


def test_check_command_on_the_server(seed, served, stored):
    remote = run(seed, "check", "--endpoint", served.url)
    local = run(seed, "check")
    assert remote.exit_code == local.exit_code == run(seed, "check", "--store", str(stored)).exit_code
    assert remote.stdout == local.stdout
    assert remote.stdout.count("== qc/") == len([n for n in SAVED if n.startswith("qc/")])


# --- values that cannot change the query -----------------------------------------------------

HOSTILE = [
    'Iran"',
    'Iran" || true || "',
    "Iran') } UNION { ?s ?p ?o } #",
    'x" } } ; DROP ALL ; SELECT * { "',
    "}",
    "} ?s ?p ?o {",
    "<http://example.org/x>",
    ">",
    "# not a comment",
    "line one\nline two } #",
    "carriage\rreturn",
    "back\\slash",
    "\\",
    '\\"',
    "\\u0022) } #",
    "\\U00000022",
    "'''",
    '"""',
    "tab\tand\x0bvertical",
    "Δ ünïcödé 日本 🛰",
    "",
]


def _echo(engine, value: str):
    return engine.select("SELECT ?_v (STRLEN(?_v) AS ?n) WHERE { }",
                         {"_v": Term("literal", value, XSD_STRING)}).rows


@pytest.mark.parametrize("value", HOSTILE)
def test_a_value_stays_a_value(engines, value):
    rows = _echo(engines["server"], value)
    assert rows == [{"_v": Term("literal", value, XSD_STRING), "n": Term("literal", str(len(value)), XSD + "integer")}]
    assert rows == _echo(engines["memory"], value)


@settings(max_examples=80, deadline=None)
@given(value=st.text(st.characters(exclude_categories=("Cs",)), max_size=30))
def test_any_text_stays_a_value(engines, value):
    rows = _echo(engines["server"], value)
    assert rows[0]["_v"] == Term("literal", value, XSD_STRING) and len(rows) == 1


def test_a_hostile_value_finds_what_a_clean_value_finds(engines):
    query, bindings = OWN_SELECTS[4]  # labels equal to ?_text
    clean = engines["server"].select(query, bindings).rows
    assert clean, "the clean value should have rows"
    for value in HOSTILE[:10]:
        results = {name: e.select(query, {"_text": Term("literal", value, XSD_STRING)}).rows
                   for name, e in engines.items()}
        assert results["server"] == results["memory"] == results["rdflib"] == [], value
    # the same value, typed or tagged, is matched as such
    tagged = engines["server"].select(query, {"_text": Term("literal", "Iran", None, "en")}).rows
    assert tagged == engines["memory"].select(query, {"_text": Term("literal", "Iran", None, "en")}).rows


def test_hostile_parameters_on_the_command_line(seed, served):
    for value in ('casarex-2025" } #', "casarex-2025> } UNION { ?s ?p ?o", "casarex-2025\n#"):
        remote = run(seed, "query", "sources", "--param", f"entity={value}", "--endpoint", served.url)
        local = run(seed, "query", "sources", "--param", f"entity={value}")
        assert remote.output == local.output == (
            f"Error: parameter 'entity': no entity has the id, label or alias {value.strip()!r}\n")
        assert remote.exit_code == 2
    bad = run(seed, "query", "sources", "--param", f"entity={ID}exercise/x>", "--endpoint", served.url)
    assert bad.output == f"Error: parameter 'entity': '{ID}exercise/x>' is not a valid IRI\n"


@pytest.mark.parametrize("iri", [
    f"{ID}state/IRN x", f"{ID}state/IRN> . ?s ?p ?o . <x:y", f"{ID}state/{{IRN}}", f'{ID}"', f"{ID}a\\b",
    "IRN", "", f"{ID}\nx",
])
def test_an_iri_that_is_not_one_is_refused(engines, iri):
    query, _ = OWN_SELECTS[3]
    with pytest.raises(QueryError, match=r"cannot send \?_state .* not a valid IRI"):
        engines["server"].select(query, {"_state": Term("uri", iri)})


def test_other_terms_that_could_break_out_are_refused():
    query = "SELECT ?x WHERE { ?x ?p ?o }"
    for term, message in [
        (Term("literal", "x", None, "en} ?s ?p ?o {"), "is not a language tag"),
        (Term("literal", "x", "http://x/> . ?s ?p ?o . <x:y"), r"the datatype of \?x .* not a valid IRI"),
        (Term("bnode", "b0"), "only IRIs and literals"),
        (Term("literal", "\udc80"), "not valid Unicode text"),
    ]:
        with pytest.raises(QueryError, match=message):
            bind_values(query, {"x": term})
    with pytest.raises(QueryError, match="not a variable name"):
        bind_values(query, {"x) {} } #": Term("literal", "x")})


def test_values_go_where_the_query_filters_see_them():
    select = "PREFIX a: <http://a/{x}> SELECT ?x # {\nWHERE { ?x ?p '{' FILTER(?x) }"
    assert bind_values(select, {"x": Term("literal", "v")}) == (
        "PREFIX a: <http://a/{x}> SELECT ?x # {\nWHERE { VALUES (?x) { (\"v\") }  ?x ?p '{' FILTER(?x) }")
    sub = "SELECT ?x WHERE { SELECT ?x WHERE { ?x ?p ?o } }"
    assert bind_values(sub, {"x": Term("uri", "http://a/b")}) == (
        "SELECT ?x WHERE { VALUES (?x) { (<http://a/b>) } { SELECT ?x WHERE { ?x ?p ?o } } }")
    construct = "CONSTRUCT { ?x ?p ?o } WHERE { ?x ?p ?o }"
    assert bind_values(construct, {"x": Term("uri", "http://a/b")}) == (
        "CONSTRUCT { ?x ?p ?o } WHERE { VALUES (?x) { (<http://a/b>) }  ?x ?p ?o }")
    short = "CONSTRUCT WHERE { ?x ?p ?o }"
    assert bind_values(short, {"x": Term("uri", "http://a/b")}) == short + "\nVALUES (?x) { (<http://a/b>) }\n"


# --- credentials -----------------------------------------------------------------------------


def test_credentials_come_from_the_environment(seed, served, relay_to):
    fake = relay_to(served.url)
    basic = "Basic " + base64.b64encode(b"analyst:pa:ss w").decode()
    for env, header in [({}, None),
                        ({"KG_ENDPOINT_USER": "analyst", "KG_ENDPOINT_PASSWORD": "pa:ss w"}, basic),
                        ({"KG_ENDPOINT_USER": "analyst", "KG_ENDPOINT_PASSWORD": "pa:ss w",
                          "KG_ENDPOINT_TOKEN": "t0ken"}, "Bearer t0ken")]:
        fake.seen.clear()
        result = run(seed, "query", "exercises", "--endpoint", fake.url, env=env)
        assert result.exit_code == 0, result.output
        assert fake.seen and {s.headers.get("authorization") for s in fake.seen} == {header}
    assert credentials_header({"KG_ENDPOINT_USER": "u"}) == "Basic " + base64.b64encode(b"u:").decode()


def _digest_ok(seen, user: str, password: str, realm: str, nonce: str) -> bool:
    """Whether a request carries a right HTTP Digest answer (RFC 7616, MD5, qop=auth)."""
    import hashlib
    from urllib.request import parse_http_list, parse_keqv_list

    header = seen.headers.get("authorization", "")
    if not header.startswith("Digest "):
        return False
    f = parse_keqv_list(parse_http_list(header[len("Digest "):]))

    def h(text: str) -> str:
        return hashlib.md5(text.encode()).hexdigest()

    want = h(f"{h(f'{user}:{realm}:{password}')}:{nonce}:{f['nc']}:{f['cnonce']}:auth:{h(f'{seen.method}:{seen.path}')}")
    return (f.get("username"), f.get("realm"), f.get("nonce"), f.get("uri"), f.get("qop"), f.get("response")) == (
        user, realm, nonce, seen.path, "auth", want)


def test_digest_where_the_server_asks_for_it(seed, served, fake_server):
    """A server that wants HTTP Digest (Virtuoso's -auth services: it refuses Basic without a
    challenge, and challenges a request without credentials): kg answers the challenge, then
    sends Digest with each request; the password itself is never sent."""
    user, password, realm, nonce = "analyst", "pa:ss w\"ord", "SPARQL", "n0nce"
    challenge = f'Digest realm="{realm}", nonce="{nonce}", opaque="0p", qop="auth", algorithm="MD5"'

    def digest_only(seen, index):
        header = seen.headers.get("authorization", "")
        if _digest_ok(seen, user, password, realm, nonce):
            return relay(served.url, seen)
        if header:  # Basic, or a wrong answer: refused, no challenge
            return status(401, "")
        return status(401, "", headers={"WWW-Authenticate": challenge})

    fake_server.reply = digest_only
    env = {"KG_ENDPOINT_USER": user, "KG_ENDPOINT_PASSWORD": password}
    for args in (["query", "exercises", "--format", "tsv"], ["load"]):
        fake_server.seen.clear()
        result = run(seed, *args, "--endpoint", fake_server.url, env=env)
        assert result.exit_code == 0, result.output
        if args[0] == "query":
            assert result.stdout == run(seed, *args).stdout
        headers = [s.headers.get("authorization", "") for s in fake_server.seen]
        # Basic first (sent before any answer), then no credentials to learn the scheme, then Digest only
        assert headers[0].startswith("Basic ") and headers[1] == "" and headers.count("") == 1
        assert all(h.startswith("Digest ") for h in headers[2:]) and len(headers) > 3
        assert all(_digest_ok(s, user, password, realm, nonce) for s in fake_server.seen[2:])
        assert not any(password in h or "pa%3Ass" in h for h in headers[1:])
    wrong = run(seed, "query", "exercises", "--endpoint", fake_server.url,
                env={**env, "KG_ENDPOINT_PASSWORD": "not it"})
    assert wrong.output == (f"Error: {fake_server.url}/query: HTTP 401 Unauthorized while querying: the server "
                            "refused the credentials from the environment\n")
    assert wrong.exit_code == 2


def test_refused_credentials_are_not_dropped_for_anonymous_access(seed, fake_server):
    """A server that refuses Basic without a challenge, but answers a query without credentials:
    kg asks once without them to learn the scheme, and then says the credentials were refused,
    rather than go on with an anonymous user's rights."""
    doc = {"head": {"vars": ["g", "n"]}, "results": {"bindings": []}}
    fake_server.reply = lambda seen, i: status(401, "") if seen.headers.get("authorization") else json_reply(doc)
    result = run(seed, "query", "exercises", "--endpoint", fake_server.url,
                 env={"KG_ENDPOINT_USER": "analyst", "KG_ENDPOINT_PASSWORD": "wrong"})
    assert result.output == (f"Error: {fake_server.url}/query: HTTP 401 Unauthorized while querying: the server "
                             "refused the credentials from the environment\n")
    assert result.exit_code == 2
    assert [bool(s.headers.get("authorization")) for s in fake_server.seen] == [True, False]


def test_an_answer_the_server_cut_short_is_refused(seed, fake_server):
    """Virtuoso answers 200 OK with the first ResultSetMaxRows rows and an X-SPARQL-MaxRows
    header: refused, not printed as the whole answer; under the cap the header changes nothing."""
    row = {"name": {"type": "literal", "value": "x"}}
    doc = {"head": {"vars": ["name"]}, "results": {"bindings": [row] * 3}}
    own = "SELECT ?name WHERE { ?s ?p ?name }"
    fake_server.script(Reply(200, json.dumps(doc).encode(), headers={"X-SPARQL-MaxRows": "3"}))
    with pytest.raises(EndpointError, match=r"^http://127\.0\.0\.1:\d+/query: the server cut its answer at 3 rows"):
        EndpointEngine(fake_server.url, retries=0, env={}).select(own, {})
    fake_server.script(Reply(200, json.dumps(doc).encode(), headers={"X-SPARQL-MaxRows": "4"}))
    assert len(EndpointEngine(fake_server.url, retries=0, env={}).select(own, {}).rows) == 3


def test_credentials_in_the_url_are_refused(seed, served):
    port = served.port
    result = run(seed, "query", "exercises", "--endpoint", f"http://analyst:hunter2@127.0.0.1:{port}/x")
    assert result.output == (f"Error: http://127.0.0.1:{port}/x: do not put credentials in the URL; {WANTS}\n")
    assert result.exit_code == 2


def test_no_credential_option(seed):
    for command in (["load"], ["query"], ["check"], ["store", "info"]):
        text = run(seed, *command, "--help").output
        assert "--password" not in text and "--user" not in text and "--token" not in text


# --- faults ----------------------------------------------------------------------------------


def test_a_stopped_server(seed, tmp_path_factory):
    with running_oxigraph(tmp_path_factory) as server:
        url = server.url
    hint = "; is the server running, at this host and port?"
    load = run(seed, "load", "--endpoint", url, "--retries", "1")
    assert load.output == (f"Error: {url}/query: {REFUSED} while counting the triples of each graph "
                           f"after 2 attempts{hint}\n")
    assert load.exit_code == 2
    query = run(seed, "query", "exercises", "--endpoint", url, "--retries", "0")
    assert query.output == f"Error: {url}/query: {REFUSED} while querying{hint}\n"
    one_line_error(run(seed, "check", "--endpoint", url, "--retries", "0"), url, REFUSED)
    one_line_error(run(seed, "store", "info", "--endpoint", url, "--retries", "0"), url, REFUSED)


def test_wrong_paths(seed, oxigraph_server):
    url = oxigraph_server.url
    load = run(seed, "load", "--endpoint", url, "--gsp-path", "/nope")
    assert load.output == (
        f"Error: {url}/nope: HTTP 404 Not Found while replacing <{ONTOLOGY}>: no Graph Store service at "
        "this path; set --gsp-path (Oxigraph: /store, Fuseki: /data) (no graph was changed)\n")
    assert load.exit_code == 2
    assert oxigraph_server.graph_counts() == {}
    query = run(seed, "query", "exercises", "--endpoint", url, "--query-path", "nope")
    assert query.output == (f"Error: {url}/nope: HTTP 404 Not Found while querying: no SPARQL query service "
                            "at this path; set --query-path (Oxigraph and Fuseki: /query)\n")
    # full URLs work as paths too
    full = run(seed, "load", "--endpoint", "http://127.0.0.1:9/ignored", "--gsp-path", f"{url}/store",
               "--query-path", f"{url}/query")
    assert full.exit_code == 0, full.output
    assert oxigraph_server.graph_counts() == read_manifest(seed / "build")


def test_bad_endpoint_urls(seed):
    for url, message in [("localhost:7878", "localhost:7878: not an endpoint URL (give http://host:port/...)"),
                         ("ftp://127.0.0.1/x", "ftp://127.0.0.1/x: not an endpoint URL (give http://host:port/...)"),
                         ("http://127.0.0.1:7878/?x=1", "http://127.0.0.1:7878/?x=1: give the endpoint URL without '?' or '#'"),
                         ("http://127.0.0.1:99999", "http://127.0.0.1:99999: not an endpoint URL (Port out of range 0-65535)")]:
        result = run(seed, "load", "--endpoint", url)
        assert result.output == f"Error: {message}\n", url
        assert result.exit_code == 2
    both = run(seed, "query", "exercises", "--endpoint", "http://127.0.0.1:1", "--store", "x")
    assert both.exit_code == 2 and "give --store or --endpoint, not both" in both.output
    alone = run(seed, "query", "exercises", "--query-path", "/sparql")
    assert alone.exit_code == 2 and "--query-path goes with --endpoint" in alone.output


def test_credentials_wanted_or_refused(seed, fake_server):
    url = fake_server.url
    fake_server.script(status(401, "no", headers={"WWW-Authenticate": 'Basic realm="kg"'}))
    result = run(seed, "query", "exercises", "--endpoint", url)
    assert result.output == f"Error: {url}/query: HTTP 401 Unauthorized while querying: the server wants credentials; {WANTS}\n"
    assert result.exit_code == 2 and len(fake_server.seen) == 1, "a 401 is not retried"
    result = run(seed, "query", "exercises", "--endpoint", url, env={"KG_ENDPOINT_TOKEN": "expired"})
    assert result.output == (f"Error: {url}/query: HTTP 401 Unauthorized while querying: the server refused "
                             "the credentials from the environment\n")
    assert "expired" not in result.output
    fake_server.script(json_reply({"head": {"vars": ["g", "n"]}, "results": {"bindings": []}}),
                       status(403, "read only\nmore"))
    result = run(seed, "load", "--endpoint", url, env={"KG_ENDPOINT_USER": "reader", "KG_ENDPOINT_PASSWORD": "x"})
    assert result.output == (f"Error: {url}/store: HTTP 403 Forbidden while replacing <{ONTOLOGY}>: these "
                             "credentials may not PUT here: the server says 'read only' (no graph was changed)\n")
    assert result.exit_code == 2


def test_a_500_is_retried(seed, served, fake_server):
    url = fake_server.url
    fake_server.script(status(500, "busy"), status(503, "busy"), forward(served.url))
    result = run(seed, "query", "exercises", "--endpoint", url, "--format", "tsv")
    assert result.exit_code == 0, result.output
    assert result.stdout == run(seed, "query", "exercises", "--format", "tsv").stdout
    assert [s.method for s in fake_server.seen[:3]] == ["POST"] * 3


def test_a_500_during_a_load_is_retried(seed, oxigraph_server, fake_server):
    failed = []

    def flaky(seen, index):
        if seen.method == "PUT" and len(failed) < 2:
            failed.append(seen.path)
            return status(500, "try again")
        return relay(oxigraph_server.url, seen)

    fake_server.reply = flaky
    result = run(seed, "load", "--endpoint", fake_server.url)
    assert result.exit_code == 0, result.output
    assert failed[0] == failed[1] == f"/store?graph={urllib.parse.quote(ONTOLOGY, safe='')}"
    assert oxigraph_server.graph_counts() == read_manifest(seed / "build")


def test_a_500_every_time(seed, fake_server):
    url = fake_server.url
    fake_server.script(status(500, "boom"))
    result = run(seed, "query", "exercises", "--endpoint", url, "--retries", "2")
    assert result.output == (f"Error: {url}/query: HTTP 500 Internal Server Error while querying after 3 "
                             "attempts: the server says 'boom'\n")
    assert result.exit_code == 2 and len(fake_server.seen) == 3
    fake_server.script(status(501, "no GSP here"))
    result = run(seed, "store", "info", "--endpoint", url)
    assert result.output == (f"Error: {url}/query: HTTP 501 Not Implemented while counting the triples of each "
                             "graph: the server says 'no GSP here'\n")
    assert len(fake_server.seen) == 1, "a 501 is not retried"


def test_a_server_that_hangs(seed, fake_server):
    url = fake_server.url
    fake_server.script(HANG)
    started = time.monotonic()
    result = run(seed, "query", "exercises", "--endpoint", url, "--timeout", "0.5")
    assert result.output == f"Error: {url}/query: no answer within 0.5 s (timed out) while querying; see --timeout\n"
    assert result.exit_code == 2 and len(fake_server.seen) == 1, "a query that timed out is not sent again"
    assert time.monotonic() - started < 10
    fake_server.script(json_reply({"head": {"vars": ["g", "n"]}, "results": {"bindings": []}}), HANG)
    result = run(seed, "load", "--endpoint", url, "--timeout", "0.5", "--retries", "1")
    assert result.output == (f"Error: {url}/store: no answer within 0.5 s (timed out) while replacing "
                             f"<{ONTOLOGY}> after 2 attempts; see --timeout (no graph was changed)\n")
    assert [s.method for s in fake_server.seen] == ["POST", "PUT", "PUT"]


@pytest.mark.parametrize("reply, problem", [
    (status(200, '{"head": {"vars": ["s"]}, "results": {"bindi', "application/sparql-results+json"),
     "malformed response: not JSON (application/sparql-results+json): "
     "'{\"head\": {\"vars\": [\"s\"]}, \"results\": {\"bindi'"),
    (status(200, "", "application/sparql-results+json"),
     "malformed response: not JSON (application/sparql-results+json) (empty)"),
    (json_reply({"rows": []}), "malformed response: not SPARQL 1.1 JSON results of a SELECT query: '{\"rows\": []}'"),
    (json_reply({"head": {"vars": ["s"]}, "results": {"bindings": [{"s": {"type": "uri"}}]}}),
     "malformed response: not SPARQL 1.1 JSON results of a SELECT query"),
    (status(200, "<html>welcome</html>", "text/html"), "malformed response: not JSON (text/html): '<html>welcome</html>'"),
    (GARBAGE, "malformed HTTP response (BadStatusLine: this is not HTTP) while querying"),
    (CLOSE, "the server closed the connection without answering while querying"),
])
def test_a_malformed_answer(seed, fake_server, reply, problem):
    url = fake_server.url
    fake_server.script(reply)
    result = run(seed, "query", "exercises", "--endpoint", url, "--retries", "0")
    assert result.output.startswith(f"Error: {url}/query: {problem}"), result.output
    assert result.output.count("\n") == 1 and result.exit_code == 2
    load = run(seed, "load", "--endpoint", url, "--retries", "0")
    one_line_error(load, f"{url}/query: ")
    assert not [s for s in fake_server.seen if s.method != "POST"], "nothing is written after a bad answer"


#: the answer to the engine's first request (kg's graphs on the server): none, so the queries
#: that follow go to the server's default graph as they are; it comes twice, since an engine
#: that finds none with GRAPH ?g { } looks for them by their triples (Virtuoso lists none so)
NO_GRAPHS = json_reply({"head": {"vars": ["g"]}, "results": {"bindings": []}})


def test_a_malformed_graph_answer(served, fake_server):
    fake_server.script(NO_GRAPHS, NO_GRAPHS, status(200, "<http://a> <http://b> oops .\n", "application/n-triples"))
    with pytest.raises(EndpointError, match=rf"^{fake_server.url}/query: malformed response: not N-Triples: Parser error at line 1"):
        EndpointEngine(fake_server.url, retries=0).construct(OWN_CONSTRUCT, {})
    fake_server.script(NO_GRAPHS, NO_GRAPHS, status(200, "<html>no</html>", "text/html"))
    with pytest.raises(EndpointError, match="an RDF graph was asked for, the server sent text/html"):
        EndpointEngine(fake_server.url, retries=0).construct(OWN_CONSTRUCT, {})
    fake_server.script(NO_GRAPHS, NO_GRAPHS, json_reply({"head": {}, "boolean": "yes"}))
    with pytest.raises(EndpointError, match="not the SPARQL 1.1 JSON result of an ASK query"):
        EndpointEngine(fake_server.url, retries=0).ask(OWN_ASK, {})


# --- a load that stops half-way --------------------------------------------------------------


def _state(server, old: dict[str, int], new: dict[str, int]) -> dict[str, str]:
    """Which load each graph on the server comes from, after checking that it is all one load."""
    doc = server._post("SELECT ?g (SUM(IF(CONTAINS(STR(?o), 'load 0'), 1, 0)) AS ?old) "
                       "(SUM(IF(CONTAINS(STR(?o), 'load 3'), 1, 0)) AS ?new) (COUNT(*) AS ?n) "
                       "WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    states = {}
    for row in doc["results"]["bindings"]:
        graph, n = row["g"]["value"], int(row["n"]["value"])
        olds, news = int(row["old"]["value"]), int(row["new"]["value"])
        if olds == n == old.get(graph):
            states[graph] = "old"
        elif news == n == new.get(graph):
            states[graph] = "new"
        else:
            raise AssertionError(f"{graph} is half replaced: {olds} old and {news} new of {n} triples")
    return states


def test_a_load_that_fails_half_way_leaves_each_graph_old_or_new(tmp_path, oxigraph_server, fake_server):
    old = synthetic_project(tmp_path / "old", range(0, 12), 50, 0)
    new = synthetic_project(tmp_path / "new", range(3, 15), 50, 3)  # 3 removed, 3 added, all changed
    assert run(tmp_path / "old", "load", "--endpoint", oxigraph_server.url).exit_code == 0
    assert set(_state(oxigraph_server, old, new).values()) == {"old"}
    broken = f"{GRAPH}article/synthetic-0007"

    def fail_one_graph(seen, index):
        if seen.method == "PUT" and urllib.parse.quote(broken, safe="") in seen.path:
            return status(500, "disk full")
        return relay(oxigraph_server.url, seen)

    fake_server.reply = fail_one_graph
    result = run(tmp_path / "new", "load", "--endpoint", fake_server.url, "--retries", "1")
    assert result.output == (
        f"Error: {fake_server.url}/store: HTTP 500 Internal Server Error while replacing <{broken}> after 2 "
        "attempts: the server says 'disk full' (4 of 12 graphs were replaced before it; each graph is the "
        "old or the new one, run 'kg load' again)\n")
    assert result.exit_code == 2
    states = _state(oxigraph_server, old, new)
    assert states == {**{f"{GRAPH}article/synthetic-{g:04d}": "old" for g in (0, 1, 2, *range(7, 12))},
                      **{f"{GRAPH}article/synthetic-{g:04d}": "new" for g in range(3, 7)}}
    # the next load finishes the work
    result = run(tmp_path / "new", "load", "--endpoint", oxigraph_server.url)
    assert result.exit_code == 0, result.output
    assert _state(oxigraph_server, old, new) == {g: "new" for g in new}
    assert result.stderr.endswith("; removed graph:article/synthetic-0000, graph:article/synthetic-0001, "
                                  "graph:article/synthetic-0002\n")


def test_a_killed_load_leaves_each_graph_old_or_new(tmp_path, oxigraph_server):
    old = synthetic_project(tmp_path / "old", range(0, 16), 2000, 0)
    new = synthetic_project(tmp_path / "new", range(0, 16), 2000, 3)
    builds = {"old": tmp_path / "old", "new": tmp_path / "new"}

    def start(which: str) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-m", "kg", "-C", str(builds[which]), "load", "--endpoint",
                                 oxigraph_server.url], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    began = time.monotonic()
    first = start("old")
    assert first.wait(120) == 0, first.stderr.read()
    span = time.monotonic() - began
    assert set(_state(oxigraph_server, old, new).values()) == {"old"}
    seen = set()
    # when to kill, as a share of the time the first load took (Python starts in the first part)
    for share in (0.35, 0.5, 0.65, 0.8):
        process = start("new")
        time.sleep(share * span)
        process.send_signal(signal.SIGKILL)
        process.wait()
        states = _state(oxigraph_server, old, new)  # raises on a half-replaced graph
        assert set(states) == set(old)
        seen.add(tuple(sorted(set(states.values()))))
    assert ("new", "old") in seen, f"no kill landed half-way through a load: {seen}"
    assert run(builds["new"], "load", "--endpoint", oxigraph_server.url).exit_code == 0
    assert set(_state(oxigraph_server, old, new).values()) == {"new"}


def test_endpoint_paths():
    endpoint = Endpoint("http://localhost:3030/kg/", query_path="query", gsp_path="/data", env={})
    assert (endpoint.url, endpoint.query_url, endpoint.gsp_url) == (
        "http://localhost:3030/kg", "http://localhost:3030/kg/query", "http://localhost:3030/kg/data")
    graphdb = Endpoint("http://localhost:7200/repositories/kg", query_path="", gsp_path="/rdf-graphs/service", env={})
    assert graphdb.query_url == "http://localhost:7200/repositories/kg"
    assert graphdb._graph_url(f"{GRAPH}article/a b") == (
        "http://localhost:7200/repositories/kg/rdf-graphs/service?graph=https%3A%2F%2Fw3id.org%2Fmilcoop%2Fgraph%2Farticle%2Fa%20b")


# --- no credential leaves the endpoint's origin, no secret reaches the terminal ----------------

#: a secret of the tests: it must never appear in kg's output (nor in a failing test's message)
SECRET = "s3cr3t-Vx9q"
BASIC = "Basic " + base64.b64encode(f"analyst:{SECRET}".encode()).decode()
MB = 1024 * 1024
EMPTY_SELECT = {"head": {"vars": ["x"]}, "results": {"bindings": []}}


def _masked(text: str, secrets=(SECRET, BASIC[6:])) -> str:
    for secret in secrets:
        text = text.replace(secret, "<SECRET>")
    return text


def refused(result, *fragments: str, secrets=(SECRET, BASIC[6:])) -> str:
    """Exit 2, one line ``Error: ...`` with each fragment and none of the secrets. Failure
    messages show the output with the secrets masked, so that not even a failing test prints them."""
    text = result.output
    shown = _masked(text, secrets)
    assert result.exit_code == 2, shown
    leaked = any(secret.lower() in text.lower() for secret in secrets)
    assert not leaked, shown
    assert text.startswith("Error: ") and text.endswith("\n") and text.count("\n") == 1, shown
    assert "Traceback" not in text, shown
    for fragment in fragments:
        assert fragment in text, shown
    return text


@pytest.mark.parametrize("code", [301, 302, 303, 307, 308])
def test_a_redirect_to_another_origin_is_refused(seed, fake_server, other_server, code):
    """The endpoint answers with a redirect to another host (here another port: another
    origin): kg sends it nothing (no Authorization header there) and prints nothing of its."""
    other_server.script(json_reply({"head": {"vars": ["x"]}, "results": {"bindings": [
        {"x": {"type": "literal", "value": "an answer from another host"}}]}}))
    fake_server.script(status(code, "moved", headers={"Location": f"{other_server.url}/query"}))
    for env in ({"KG_ENDPOINT_TOKEN": SECRET}, {"KG_ENDPOINT_USER": "analyst", "KG_ENDPOINT_PASSWORD": SECRET}):
        result = run(seed, "query", "exercises", "--endpoint", fake_server.url, "--retries", "0", env=env)
        text = refused(result, f"{fake_server.url}/query: HTTP {code}", "redirects to another origin",
                       f"{other_server.url}/query")
        assert "an answer from another host" not in text
        assert other_server.seen == [], "nothing was sent to the other origin"
    fake_server.script(json_reply({"head": {"vars": ["g", "n"]}, "results": {"bindings": []}}),
                       status(code, "moved", headers={"Location": f"{other_server.url}/store"}))
    load = run(seed, "load", "--endpoint", fake_server.url, "--retries", "0", env={"KG_ENDPOINT_TOKEN": SECRET})
    refused(load, "redirects to another origin", "(no graph was changed)")
    assert other_server.seen == []


def test_a_redirect_within_the_origin_is_named_not_followed(seed, fake_server):
    fake_server.script(status(302, "moved", headers={"Location": "/sparql"}))
    result = run(seed, "query", "exercises", "--endpoint", fake_server.url, "--retries", "0",
                 env={"KG_ENDPOINT_TOKEN": SECRET})
    refused(result, f"{fake_server.url}/query: HTTP 302", f"redirects to {fake_server.url}/sparql",
            "--query-path")
    assert len(fake_server.seen) == 1 and fake_server.seen[0].path == "/query"


def test_user_info_in_urls_never_reaches_the_terminal(seed, fake_server):
    url, port = fake_server.url, fake_server.url.rsplit(":", 1)[1]
    userinfo = f"alice:{SECRET}@"
    for args in [("query", "exercises", "--endpoint", f"http://{userinfo}127.0.0.1:99999/"),
                 ("query", "exercises", "--endpoint", f"http://{userinfo}127.0.0.1:{port}/"),
                 ("query", "exercises", "--endpoint", f"http://{userinfo}[::1/x"),
                 ("query", "exercises", "--endpoint", f"http://alice:{SECRET}@@127.0.0.1:{port}/"),
                 ("query", "exercises", "--endpoint", url, "--query-path", f"http://{userinfo}127.0.0.1:{port}/query"),
                 ("store", "info", "--endpoint", url, "--query-path", f"http://{userinfo}127.0.0.1:99999/q"),
                 ("load", "--endpoint", url, "--gsp-path", f"http://{userinfo}127.0.0.1:{port}/store"),
                 ("check", "--endpoint", url, "--query-path", f"//{userinfo}127.0.0.1:{port}/query")]:
        refused(run(seed, *args, "--retries", "0"))
    assert fake_server.seen == [], "no request is made with credentials in a URL"


@pytest.mark.parametrize("name", ["access_token", "token", "key", "apikey", "api_key", "password", "Access_Token"])
def test_secret_query_parameters_never_reach_the_terminal(seed, fake_server, name):
    fake_server.script(status(200, "not JSON", "application/sparql-results+json"))
    path = f"/query?{name}={SECRET}&limit=5"
    result = run(seed, "query", "exercises", "--endpoint", fake_server.url, "--query-path", path, "--retries", "0")
    refused(result, f"{fake_server.url}/query?{name}=***&limit=5: malformed response")
    assert fake_server.seen[0].path == path, "the parameter is sent to the server, only hidden from the terminal"
    fake_server.script(status(302, "", headers={"Location": f"http://127.0.0.1:9/x?{name}={SECRET}"}))
    refused(run(seed, "query", "exercises", "--endpoint", fake_server.url, "--retries", "0"), f"{name}=***")


@pytest.mark.parametrize("env, variable", [
    ({"KG_ENDPOINT_TOKEN": SECRET + "\r"}, "KG_ENDPOINT_TOKEN"),
    ({"KG_ENDPOINT_TOKEN": SECRET + "\n"}, "KG_ENDPOINT_TOKEN"),
    ({"KG_ENDPOINT_TOKEN": "ab\x7f" + SECRET}, "KG_ENDPOINT_TOKEN"),
    ({"KG_ENDPOINT_USER": "analyst", "KG_ENDPOINT_PASSWORD": SECRET + "\r"}, "KG_ENDPOINT_PASSWORD"),
    ({"KG_ENDPOINT_USER": "analyst\x1b[2J", "KG_ENDPOINT_PASSWORD": SECRET}, "KG_ENDPOINT_USER"),
])
def test_a_credential_with_a_control_character_is_refused_unseen(seed, fake_server, env, variable):
    for args in (["query", "exercises"], ["load"], ["store", "info"], ["check"]):
        result = run(seed, *args, "--endpoint", fake_server.url, "--retries", "0", env=env)
        text = refused(result, f"{variable} holds a control character")
        assert "\x1b" not in text and "analyst" not in text
    assert fake_server.seen == [], "nothing is sent"


def test_server_text_never_echoes_the_credentials(seed, fake_server):
    answer = {"code": 403}

    def echo(seen, index):
        header = seen.headers.get("authorization", "")
        return status(answer["code"], f"forbidden for Authorization: {header} (token {SECRET}, "
                                      f"{urllib.parse.quote(SECRET)}, {header.lower()}); go away\x1b[2J\r")

    fake_server.reply = echo
    for env in ({"KG_ENDPOINT_TOKEN": SECRET}, {"KG_ENDPOINT_USER": "analyst", "KG_ENDPOINT_PASSWORD": SECRET}):
        for code, phrase in ((403, "HTTP 403 Forbidden"), (500, "HTTP 500 Internal Server Error")):
            answer["code"] = code
            result = run(seed, "query", "exercises", "--endpoint", fake_server.url, "--retries", "0", env=env)
            text = refused(result, phrase, "the server says", "go away")
            assert "\x1b" not in text and "\r" not in text
    fake_server.script(json_reply({"rows": SECRET}))
    result = run(seed, "store", "info", "--endpoint", fake_server.url, "--retries", "0",
                 env={"KG_ENDPOINT_TOKEN": SECRET})
    refused(result, "malformed response")


def test_the_redaction():
    from kg.engines.endpoint_engine import redact

    assert redact(f"see http://alice:{SECRET}@host:99999/x and https://bob@h/?a=1&Token={SECRET}#f") == (
        "see http://***@host:99999/x and https://***@h/?a=1&Token=***#f")
    assert redact(f"Bearer {SECRET} said {SECRET}!", [SECRET]) == "Bearer *** said ***!"
    assert redact("line\r\nbreak\x1b[2J\x00", []) == "line\\r\\nbreak\\x1b[2J\\x00"
    assert redact("", [""]) == ""
    # a short secret is hidden where it stands alone, not inside words (which would spell it out)
    assert redact("token=tok; 'tok' in stock, Tokyo", ["tok"]) == "token=***; '***' in stock, Tokyo"


# --- time and size bounds --------------------------------------------------------------------


def _http(body: bytes, code: str = "200 OK", content_type: str = "application/sparql-results+json") -> bytes:
    return (f"HTTP/1.1 {code}\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
            "Connection: close\r\n\r\n").encode() + body


@pytest.mark.parametrize("headers_at_once", [False, True], ids=["headers-drip", "body-drips"])
def test_a_dripping_server_is_bounded_by_the_timeout(seed, fake_server, headers_at_once):
    """One byte every 0.2 s: each read gets something in time, but the whole answer takes
    half a minute. --timeout bounds the whole answer."""
    body = json.dumps(EMPTY_SELECT).encode() + b" " * 60
    raw = _http(body)
    assert len(body) * 0.2 > 20
    fake_server.script(drip(raw, 0.2, len(raw) - len(body) if headers_at_once else 0))
    started = time.monotonic()
    result = run(seed, "query", "exercises", "--endpoint", fake_server.url, "--timeout", "1.5")
    elapsed = time.monotonic() - started
    refused(result, f"{fake_server.url}/query: no answer within 1.5 s (timed out) while querying; see --timeout")
    assert fake_server.sent < len(raw)
    assert elapsed < 6, elapsed
    assert len(fake_server.seen) == 1


def test_a_giant_answer_is_refused(seed, fake_server):
    """A body claiming 2 GB is refused before it is read; one without a length is read up to the
    limit (--max-answer-mb), then refused; either way kg reads a small part of what is sent."""
    url = fake_server.url
    fake_server.script(stream(200, b" " * 65536, 48 * MB, length=2 * 1024 ** 3))
    result = run(seed, "query", "exercises", "--endpoint", url, "--retries", "0")
    refused(result, f"{url}/query: the answer is larger than 128 MB", "--max-answer-mb")
    assert fake_server.sent < 16 * MB
    fake_server.script(stream(200, b"[" * 65536, 48 * MB))
    result = run(seed, "store", "info", "--endpoint", url, "--retries", "0", "--max-answer-mb", "1")
    refused(result, f"{url}/query: the answer is larger than 1 MB", "--max-answer-mb")
    assert fake_server.sent < 16 * MB
    fake_server.script(json_reply({"head": {"vars": ["g", "n"]}, "results": {"bindings": []}}),
                       stream(201, b"x" * 65536, 48 * MB))
    result = run(seed, "load", "--endpoint", url, "--retries", "0", "--max-answer-mb", "1")
    refused(result, f"{url}/store: the answer is larger than 1 MB")
    assert fake_server.sent < 16 * MB


@pytest.mark.parametrize("code", [401, 403, 404, 500])
def test_an_error_body_is_read_only_in_part(seed, fake_server, code):
    fake_server.script(stream(code, b"no " * 20000, 48 * MB, length=1024 ** 3, content_type="text/plain"))
    result = run(seed, "query", "exercises", "--endpoint", fake_server.url, "--retries", "0")
    text = refused(result, f"HTTP {code}")
    assert len(text) < 400
    assert fake_server.sent < 16 * MB


def test_a_deeply_nested_answer(seed, fake_server):
    depth = 100_000
    deep = (b'{"head": {"vars": ["g", "n"]}, "results": {"bindings": ' + b"[" * depth + b"]" * depth + b"}}")
    fake_server.script(status(200, deep, "application/sparql-results+json"))
    for args in (["query", "exercises"], ["store", "info"], ["load"], ["check"]):
        refused(run(seed, *args, "--endpoint", fake_server.url, "--retries", "0"),
                f"{fake_server.url}/query: malformed response: nested too deeply")
    fake_server.script(status(200, b"{" * depth, "application/sparql-results+json"))
    refused(run(seed, "store", "info", "--endpoint", fake_server.url, "--retries", "0"), "malformed response")


# --- the dataset that queries see --------------------------------------------------------------


def test_queries_see_the_graphs_on_a_server_without_a_union_default_graph(seed, tmp_path_factory):
    """``oxigraph serve`` without --union-default-graph: queries name their dataset (the SPARQL
    1.1 Protocol's default-graph-uri and named-graph-uri: kg's graphs on the server) and give
    what they give on the built graph."""
    with running_oxigraph(tmp_path_factory, union=False) as server:
        load = run(seed, "load", "--endpoint", server.url)
        assert load.exit_code == 0, load.output
        assert "Warning" not in load.stderr
        for args in (["query", "exercises"], ["query", "state-forces", "--param", "state=IRN"],
                     ["query", "exercise-partners", "--param", "state=IRN", "--format", "csv"],
                     ["query", "exercises", "--format", "json"], ["check"]):
            remote = run(seed, *args, "--endpoint", server.url)
            local = run(seed, *args)
            assert local.stdout.count("\n") > 1, local.output
            assert (remote.exit_code, remote.stdout) == (local.exit_code, local.stdout), remote.output


def _without_dataset(upstream: str):
    """A relay that drops the dataset a request names (as a server that ignores it would)."""
    def reply(seen, index):
        pairs = [(k, v) for k, v in urllib.parse.parse_qsl(seen.body.decode(), keep_blank_values=True)
                 if k not in ("default-graph-uri", "named-graph-uri")]
        body = urllib.parse.urlencode(pairs).encode() if seen.method == "POST" else seen.body
        seen = type(seen)(seen.method, seen.path.split("?")[0] if seen.method == "POST" else seen.path,
                          seen.headers, body)
        return relay(upstream, seen)
    return reply


def test_check_never_passes_on_what_it_cannot_see(seed, oxigraph_server, fake_server, tmp_path_factory):
    empty = run(seed, "check", "--endpoint", oxigraph_server.url)
    refused(empty, f"{oxigraph_server.url}: the server has no graph of kg's", "kg load --endpoint")
    assert "== qc/" not in empty.output
    with running_oxigraph(tmp_path_factory, union=False) as server:
        assert run(seed, "load", "--endpoint", server.url).exit_code == 0
        fake_server.reply = _without_dataset(server.url)
        for args in (["check"], ["query", "exercises"], ["query", "state-forces", "--param", "state=IRN"]):
            refused(run(seed, *args, "--endpoint", fake_server.url),
                    "does not show kg's graphs in the default graph", "--union-default-graph")
        load = run(seed, "load", "--endpoint", fake_server.url)
        assert load.exit_code == 0, load.output
        assert load.stderr.startswith(f"Warning: {fake_server.url} does not show kg's graphs in the default graph")
