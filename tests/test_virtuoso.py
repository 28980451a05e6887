"""A second real SPARQL 1.1 server: Virtuoso Open Source (Debian's ``virtuoso-opensource-7-bin``,
the binaries of ``virtuoso-opensource``), started here on 127.0.0.1 with a database and a ``virtuoso.ini`` of its own in a
temporary folder; skipped, saying why, where its ``virtuoso-t`` binary is absent.

``kg load --endpoint`` into it, reloads, the removal of an article, and every saved query
giving the same rows as the embedded store (compared as sorted rows: the order of rows that tie
on every ORDER BY key is each engine's own). Where Virtuoso 7.2.5 answers differently for a
reason of its own, ``VIRTUOSO_DIFFERS`` (a value of a column), ``VIRTUOSO_MISSES_ROWS`` and
``VIRTUOSO_CRASHES`` say which query and why, and the tests check that exact difference: nothing
else of the query is let off (README.md, "The servers the tests run", lists them too).

kg talks to Virtuoso's authenticated services, ``/sparql-auth`` (queries) and
``/sparql-graph-crud-auth`` (SPARQL 1.1 Graph Store Protocol), as a user the fixture makes with
``SPARQL_UPDATE`` and a random password, given to kg as ``KG_ENDPOINT_USER`` and
``KG_ENDPOINT_PASSWORD``: Virtuoso wants HTTP Digest there. The administrator's password is
made random too; neither is ever printed. The anonymous services stay read-only.
"""
from __future__ import annotations

import secrets
import shutil
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

import pytest

from kg.engines.endpoint_engine import EndpointEngine
from kg.engines.oxigraph_engine import OxigraphEngine
from kg.output.manifest import read_manifest
from kg.pipeline import NAMED
from kg.queries import bind_params, find_query, query_names, run_query
from kg.sparql.terms import XSD, Term
from servers import GRAPH, ID, free_port, kg, normalise, parse_counts, prefixed

ROOT = Path(__file__).resolve().parent.parent
SAVED = query_names(ROOT / "queries") if (ROOT / "queries").is_dir() else []
VIRTUOSO = shutil.which("virtuoso-t")
#: Virtuoso's SQL client, of the same Debian package (virtuoso-opensource-7-bin)
ISQL = shutil.which("isql-vt") or shutil.which("isql-v")
QUERY_PATH = "/sparql-auth"
GSP_PATH = "/sparql-graph-crud-auth"
#: the anonymous query service (read-only), for the tests' own look at the server
OPEN_QUERY_PATH = "/sparql"
USER = "kgtest"
NO_CREDENTIALS = {"KG_ENDPOINT_USER": None, "KG_ENDPOINT_PASSWORD": None, "KG_ENDPOINT_TOKEN": None}

pytestmark = pytest.mark.skipif(
    VIRTUOSO is None or ISQL is None,
    reason="no Virtuoso server (virtuoso-t and isql-vt): install Debian's Virtuoso Open Source "
           "(apt-get install virtuoso-opensource-7-bin) to test kg against Virtuoso")

INI = """\
[Database]
DatabaseFile       = {dir}/virtuoso.db
ErrorLogFile       = {dir}/virtuoso.log
LockFile           = {dir}/virtuoso.lck
TransactionFile    = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
MaxCheckpointRemap = 2000
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = {dir}/virtuoso-temp.db
TransactionFile    = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping           = 0

[Parameters]
ServerPort           = 127.0.0.1:{sql_port}
DisableUnixSocket    = 1
DisableTcpSocket     = 0
MaxClientConnections = 10
CheckpointInterval   = 0
CaseMode             = 2
DirsAllowed          = .
NumberOfBuffers      = 10000
MaxDirtyBuffers      = 6000
ThreadsPerQuery      = 2

[HTTPServer]
ServerPort           = 127.0.0.1:{http_port}
ServerRoot           = {dir}/vsp
MaxClientConnections = 5
ServerThreads        = 5
Charset              = UTF-8

[Plugins]

[SPARQL]
; every row of every answer (Debian's virtuoso.ini cuts answers at 10,000 rows)
ResultSetMaxRows           = {max_rows}
MaxQueryExecutionTime      = 120
MaxQueryCostEstimationTime = 0
"""


class VirtuosoServer:
    """``virtuoso-t +foreground`` with ``folder/virtuoso.ini`` (written here): HTTP and SQL on
    free ports of 127.0.0.1, the database in ``folder``."""

    def __init__(self, folder: Path, max_rows: int = 1_000_000):
        self.folder = folder
        self.max_rows = max_rows
        self.http_port = free_port()
        self.sql_port = free_port()
        self.process: subprocess.Popen | None = None
        self.log = folder / "server.out"
        self.password = "kg" + secrets.token_hex(16)  # an identifier: it may not start with a digit

    @property
    def env(self) -> dict[str, str | None]:
        """kg's credentials for the server."""
        return {"KG_ENDPOINT_USER": USER, "KG_ENDPOINT_PASSWORD": self.password, "KG_ENDPOINT_TOKEN": None}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def start(self, timeout: float = 60.0) -> None:
        (self.folder / "vsp").mkdir(parents=True, exist_ok=True)
        ini = self.folder / "virtuoso.ini"
        ini.write_text(INI.format(dir=self.folder, sql_port=self.sql_port, http_port=self.http_port,
                                  max_rows=self.max_rows))
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen([VIRTUOSO, "+configfile", str(ini), "+foreground"],
                                            cwd=self.folder, stdout=log, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"the Virtuoso server stopped at once: {self._log_tail()}")
            try:
                if self.answers():
                    break
            except (OSError, urllib.error.URLError):
                pass
            time.sleep(0.2)
        else:
            self.stop()
            pytest.fail(f"the Virtuoso server did not answer within {timeout} s: {self._log_tail()}")
        # kg's user, allowed SPARQL Update (and so the Graph Store Protocol), and a random
        # administrator password in place of the default one: given on standard input, never on
        # a command line or in a message
        dba = "kg" + secrets.token_hex(16)
        script = (f"DB.DBA.USER_CREATE ('{USER}', '{self.password}');\n"
                  f'GRANT SPARQL_UPDATE TO "{USER}";\n'
                  f"SET PASSWORD dba {dba};\n")
        done = subprocess.run([ISQL, f"127.0.0.1:{self.sql_port}", "dba", "dba"], input=script.encode(),
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
        said = done.stdout.decode(errors="replace").replace(dba, "***").replace(self.password, "***")
        if done.returncode != 0 or "Error" in said:
            self.stop()
            errors = " ".join(line for line in said.splitlines() if "Error" in line)
            pytest.fail(f"could not make a user with SPARQL_UPDATE on the Virtuoso server (isql exit "
                        f"{done.returncode}): {errors}")

    def _log_tail(self) -> str:
        log = self.folder / "virtuoso.log"
        return log.read_text(errors="replace")[-500:] if log.exists() else ""

    def answers(self) -> bool:
        return self.select("ASK {}").get("boolean") is True

    def select(self, query: str, as_user: bool = False) -> dict:
        """A query (or an update, ``as_user``) sent with the standard library's own client:
        anonymously to /sparql, or as kg's user (HTTP Digest) to /sparql-auth."""
        import json

        data = urllib.parse.urlencode({"query": query}).encode()
        path = QUERY_PATH if as_user else OPEN_QUERY_PATH
        request = urllib.request.Request(self.url + path, data=data,
                                         headers={"Accept": "application/sparql-results+json"})
        handlers: list = [urllib.request.ProxyHandler({})]
        if as_user:
            passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            passwords.add_password(None, self.url, USER, self.password)
            handlers.append(urllib.request.HTTPDigestAuthHandler(passwords))
        with urllib.request.build_opener(*handlers).open(request, timeout=30) as response:
            return json.loads(response.read())

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def graph_counts(self) -> dict[str, int]:
        """Each named graph's triple count, read straight from the server (Virtuoso's own
        graphs, such as its system graph, are not ours: only graphs under GRAPH)."""
        doc = self.select("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
                          f'FILTER(STRSTARTS(STR(?g), "{GRAPH}")) }} GROUP BY ?g')
        return {b["g"]["value"]: int(b["n"]["value"]) for b in doc["results"]["bindings"]}

    def foreign_counts(self, graphs: list[str]) -> dict[str, int]:
        values = " ".join(f"<{g}>" for g in graphs)
        doc = self.select(f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }} "
                          "GROUP BY ?g")
        return {b["g"]["value"]: int(b["n"]["value"]) for b in doc["results"]["bindings"]}

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


@contextmanager
def running_virtuoso(tmp_path_factory, max_rows: int = 1_000_000) -> Iterator[VirtuosoServer]:
    """A fresh Virtuoso server with an empty database in a folder of its own (answers cut at
    ``max_rows`` rows); stopped and the folder removed after."""
    folder = tmp_path_factory.mktemp("virtuoso")
    server = VirtuosoServer(folder, max_rows)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory):
    """One Virtuoso server for the loading tests of this module (each loads its own project)."""
    with running_virtuoso(tmp_path_factory) as server:
        yield server


@pytest.fixture(scope="module")
def virtuoso_seed(seed, tmp_path_factory):
    """Another, with the seed project loaded (the query tests only read it)."""
    with running_virtuoso(tmp_path_factory) as server:
        result = load(seed, server)
        assert result.exit_code == 0, result.output
        yield server


def endpoint_args(server: VirtuosoServer) -> list[str]:
    """``kg query``, ``kg check`` and ``kg store info`` on the server."""
    return ["--endpoint", server.url, "--query-path", QUERY_PATH]


def load(project: Path, server: VirtuosoServer, env: dict | None = None):
    return kg(project, "load", *endpoint_args(server), "--gsp-path", GSP_PATH,
              env=server.env if env is None else {**NO_CREDENTIALS, **env})


# --- loading ---------------------------------------------------------------------------------


def test_load_into_virtuoso(seed, virtuoso):
    result = load(seed, virtuoso)
    assert result.exit_code == 0, result.output
    manifest = read_manifest(seed / "build")
    assert parse_counts(result.stdout) == prefixed(manifest)
    assert result.stderr == (f"Loaded {len(manifest)} graph(s), {sum(manifest.values())} triples into "
                             f"{virtuoso.url}\n")
    assert virtuoso.graph_counts() == manifest
    info = kg(seed, "store", "info", *endpoint_args(virtuoso), env=virtuoso.env)
    assert info.exit_code == 0, info.output
    # every graph on the server: kg's, as loaded, and Virtuoso's own (its system graph, ...)
    ours = [line for line in info.stdout.splitlines(keepends=True) if line.startswith("graph:")]
    assert "".join(ours) == result.stdout
    assert "<http://www.openlinksw.com/schemas/virtrdf#>" in parse_counts(info.stdout)


def test_reload_into_virtuoso_never_duplicates(seed, virtuoso):
    manifest = read_manifest(seed / "build")
    for _ in range(3):
        result = load(seed, virtuoso)
        assert result.exit_code == 0, result.output
        assert "removed" not in result.stderr
        assert virtuoso.graph_counts() == manifest
    doc = virtuoso.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
                          f'FILTER(STRSTARTS(STR(?g), "{GRAPH}")) }}')
    assert int(doc["results"]["bindings"][0]["n"]["value"]) == sum(manifest.values())


def test_removed_article_disappears_from_virtuoso(proj, virtuoso):
    foreign = "http://example.org/not-ours"
    virtuoso.select(f'INSERT DATA {{ GRAPH <{foreign}> {{ <http://example.org/a> <http://example.org/b> "kept" }} }}',
                    as_user=True)
    assert load(proj, virtuoso).exit_code == 0
    article = sorted((proj / "data" / "articles").glob("*.yaml"))[0]
    gone = f"{GRAPH}article/{article.stem}"
    assert gone in virtuoso.graph_counts()
    article.unlink()
    result = load(proj, virtuoso)
    assert result.exit_code == 0, result.output
    assert result.stderr.endswith(f"; removed graph:article/{article.stem}\n")
    assert virtuoso.graph_counts() == read_manifest(proj / "build")
    assert virtuoso.foreign_counts([foreign]) == {foreign: 1}
    doc = virtuoso.select(f"ASK {{ <{ID}article/{article.stem}> ?p ?o }}")
    assert doc["boolean"] is False


def test_credentials_virtuoso_refuses(seed, virtuoso):
    """Virtuoso's -auth services want HTTP Digest: without credentials, or with a wrong
    password, kg says so in one line (exit 2) and changes nothing; the password never shows."""
    before = virtuoso.graph_counts()
    wrong = "kg-not-the-password-" + virtuoso.password[-6:]
    for env, said in (({}, "the server wants credentials; set KG_ENDPOINT_USER and KG_ENDPOINT_PASSWORD, "
                           "or KG_ENDPOINT_TOKEN"),
                      ({"KG_ENDPOINT_USER": USER, "KG_ENDPOINT_PASSWORD": wrong},
                       "the server refused the credentials from the environment")):
        result = load(seed, virtuoso, env=env)
        assert result.exit_code == 2, result.output
        assert result.output == (f"Error: {virtuoso.url}{QUERY_PATH}: HTTP 401 Unauthorized while counting the "
                                 f"triples of each graph: {said}\n")
        assert wrong not in result.output and virtuoso.password not in result.output
    assert virtuoso.graph_counts() == before


# --- the same rows as the embedded store -----------------------------------------------------

BOOLEAN = XSD + "boolean"


def _as_boolean(term: Term) -> Term:
    """Virtuoso has no boolean values: it stores xsd:boolean literals as 1 and 0, and answers a
    computed truth value (BOUND, EXISTS, a comparison, IF(..., true, false)) as 1 or 0,
    typed xsd:integer or xsd:boolean."""
    assert term.type == "literal" and term.value in ("0", "1") and term.datatype in (XSD + "integer", BOOLEAN), term
    return Term("literal", "true" if term.value == "1" else "false", BOOLEAN)


def _seconds_as_days(term: Term) -> Term:
    """Virtuoso stores an xsd:duration as a number of seconds and STR() gives that number."""
    seconds = int(term.value)
    assert seconds % 86400 == 0, term
    return Term("literal", f"P{seconds // 86400}D", term.datatype)


def _string_as_iri(term: Term) -> Term:
    """Virtuoso's COALESCE turns an IRI constant into a string (COALESCE(?summit, mc:Meeting))."""
    assert term.type == "literal", term
    return Term("uri", term.value)


#: query -> {column: what turns Virtuoso's value into the store's (its docstring says why)}; the
#: other columns, and every row, must agree as they are
VIRTUOSO_DIFFERS: dict[str, dict[str, Callable[[Term], Term]]] = {
    "agreements": {"provides": _as_boolean},
    "denials": {"repeated": _as_boolean},
    "exercise-observers": {"alsoParticipant": _as_boolean},
    "mme-exercises": {"host": _as_boolean},
    "strikes": {"held": _as_boolean},
    "exercises": {"duration": _seconds_as_days},
    "meetings": {"kind": _string_as_iri},
}
#: queries where Virtuoso 7.2.5 misses rows of the store's: an OPTIONAL whose group holds a
#: property path with * and a FILTER (``OPTIONAL { ?mode skos:broader* ?against .
#: FILTER(...) }``) drops the rows it does not match, as a join would
VIRTUOSO_MISSES_ROWS = {"corroborated": "OPTIONAL { ?m skos:broader* ?x FILTER(...) } acts as a join"}
#: queries that end the Virtuoso 7.2.5 process (a crash of the server, no answer)
VIRTUOSO_CRASHES = {"statement-timeline": "FILTER(BOUND(?time) || NOT EXISTS { ... }) beside "
                                          "BIND(COALESCE(?stated, ...)) over a UNION"}


def _sorted(rows: list[dict[str, Term]]) -> list:
    return sorted(sorted((k, v.type, v.value, v.datatype or "", v.lang or "") for k, v in row.items())
                  for row in rows)


def _compare(name: str, store, server) -> None:
    variables, expected = normalise(store)
    got_variables, got = normalise(server)
    assert got_variables == variables
    fixes = VIRTUOSO_DIFFERS.get(name, {})
    if name in VIRTUOSO_MISSES_ROWS:
        # rows of the store's only: never a row of its own, never all of them
        want, have = _sorted(expected), _sorted(got)
        assert [row for row in want if row not in have], "Virtuoso now gives every row; compare the rows"
        assert all(row in want for row in have)
        return
    got = [{k: fixes[k](v) if k in fixes else v for k, v in row.items()} for row in got]
    assert _sorted(got) == _sorted(expected)
    assert got, "the query should have rows"


@pytest.fixture(scope="module")
def store_engine(seed):
    return OxigraphEngine.from_file(seed / "build" / NAMED)


@pytest.mark.parametrize("name", [n for n in SAVED if n not in VIRTUOSO_CRASHES])
def test_saved_queries_agree_on_virtuoso(seed, store_engine, virtuoso_seed, virtuoso, qc_fixtures, name):
    """On the seed, and each quality check on its fixture (tests/qc/), loaded into the loading
    tests' server."""
    engine, server = store_engine, virtuoso_seed
    if name in qc_fixtures:
        from kg.engines.endpoint_engine import Endpoint
        from kg.stores.remote import load_endpoint

        fixture = qc_fixtures[name]
        load_endpoint(Endpoint(virtuoso.url, query_path=QUERY_PATH, gsp_path=GSP_PATH, env=virtuoso.env),
                      fixture.trig)
        engine, server = OxigraphEngine.from_file(fixture.trig), virtuoso
    remote = EndpointEngine(server.url, query_path=QUERY_PATH, timeout=60, env=server.env)
    q = find_query(seed / "queries", name, str)
    _compare(name, run_query(q, bind_params(q, {}, engine), engine).select,
             run_query(q, bind_params(q, {}, remote), remote).select)


@pytest.mark.parametrize("args", [["exercise-states", "--param", "exercise=casarex-2025"],
                                  ["exercise-participants", "--param", "exercise=casarex-2025"],
                                  ["statements", "--param", "speaker=vladimir-putin"],
                                  ["state-forces", "--param", "state=IRN"]])
def test_optional_and_required_parameters_on_virtuoso(seed, virtuoso_seed, args):
    """The same output through the CLI; an optional parameter left out keeps every row (its
    filter is ``!BOUND(?__x) || ?x = ?__x``: Virtuoso's = with an unbound side is false, not an
    error, so the former ``COALESCE(?x = ?__x, true)`` kept no row there)."""
    remote = kg(seed, "query", *args, *endpoint_args(virtuoso_seed), "--format", "tsv", env=virtuoso_seed.env)
    assert remote.exit_code == 0, remote.output
    local = kg(seed, "query", *args, "--format", "tsv")
    assert remote.stdout.count("\n") > 1, "the query should have rows"
    assert sorted(remote.stdout.splitlines()) == sorted(local.stdout.splitlines())


@pytest.mark.parametrize("name", sorted(VIRTUOSO_CRASHES))
def test_queries_that_stop_virtuoso(seed, tmp_path_factory, name):
    """Virtuoso 7.2.5 ends on these queries: kg says so in one line (exit 2), no traceback.
    When a newer Virtuoso answers, this test fails: compare the rows instead."""
    with running_virtuoso(tmp_path_factory) as server:
        assert load(seed, server).exit_code == 0
        result = kg(seed, "query", name, *endpoint_args(server), "--retries", "0", env=server.env)
        assert result.exit_code == 2, result.output
        assert result.output.startswith(f"Error: {server.url}{QUERY_PATH}: ") and result.output.count("\n") == 1
        time.sleep(1)
        assert not server.alive(), "Virtuoso answered; compare the rows"


def test_an_answer_virtuoso_cut_short_is_an_error(seed, tmp_path_factory):
    """Virtuoso cuts an answer at ResultSetMaxRows rows and still answers 200 OK, saying so
    only in an X-SPARQL-MaxRows header: kg refuses it (exit 2, one line) rather than print part
    of the rows as if they were all; an answer under the cap is whole."""
    with running_virtuoso(tmp_path_factory, max_rows=100) as server:
        assert load(seed, server).exit_code == 0
        cut = kg(seed, "query", "statements", *endpoint_args(server), env=server.env)
        assert cut.output == (f"Error: {server.url}{QUERY_PATH}: the server cut its answer at 100 rows while "
                              "querying (X-SPARQL-MaxRows), the rest is missing; raise the server's limit "
                              "(Virtuoso: ResultSetMaxRows in the [SPARQL] section of virtuoso.ini)\n")
        assert cut.exit_code == 2
        whole = kg(seed, "query", "people", *endpoint_args(server), "--format", "tsv", env=server.env)
        assert whole.exit_code == 0, whole.output
        assert sorted(whole.stdout.splitlines()) == sorted(kg(seed, "query", "people", "--format", "tsv").stdout.splitlines())


def test_check_on_virtuoso(seed, virtuoso_seed):
    """kg check there: the same report and exit code as on the built graph (it first makes sure
    the server holds kg's graphs, which Virtuoso's GRAPH ?g { } does not list)."""
    remote = kg(seed, "check", *endpoint_args(virtuoso_seed), env=virtuoso_seed.env)
    local = kg(seed, "check")
    assert (remote.exit_code, remote.stdout) == (local.exit_code, local.stdout), remote.output
    assert remote.stdout.count("== qc/") == len([n for n in SAVED if n.startswith("qc/")])


def test_labels_of_thousands_of_iris_on_virtuoso(store_engine, virtuoso_seed):
    """kg query looks up the labels of 5,000 rows at a time, which can name more IRIs than
    Virtuoso takes in one VALUES (it refuses 5,000 with SP030): the labels of every entity of the
    seed and 4,000 IRIs it does not hold, as the built graph gives them."""
    from kg.sparql.results import LABEL_QUERY_IRIS, lookup_labels

    held = {row["s"].value for row in store_engine.select(
        "SELECT DISTINCT ?s WHERE { GRAPH ?g { ?s ?p ?o } FILTER(isIRI(?s)) }", {}).rows}
    iris = held | {f"{ID}state/none-{i}" for i in range(4000)}
    assert len(iris) > 3 * LABEL_QUERY_IRIS and len(iris) > 5000  # several queries, more than Virtuoso takes in one
    engine = EndpointEngine(virtuoso_seed.url, query_path=QUERY_PATH, timeout=60, env=virtuoso_seed.env)
    expected = lookup_labels(store_engine, iris)
    assert len(expected) > 1500
    assert lookup_labels(engine, iris) == expected
