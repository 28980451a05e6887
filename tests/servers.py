"""Shared by the store tests: real servers (an Oxigraph SPARQL server, and a tiny local HTTP
server that answers what a test tells it to: errors, garbage, silence, or passes requests on),
the seed project built once, generated projects, and queries of our own.

``tests/conftest.py`` registers this module as a pytest plugin (``pytest_plugins``), so its
fixtures (``oxigraph_server``, ``fake_server``, ``seed``, ``proj``) reach every test module
without an import; test modules import only its helpers (``from servers import kg, ...``).
"""
from __future__ import annotations

import http.server
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.output.manifest import MANIFEST
from kg.pipeline import MERGED, NAMED, ensure_built
from kg.project import Project
from kg.sparql.terms import Term

ROOT = Path(__file__).resolve().parent.parent
#: the Oxigraph server of the ``oxigraph`` package (a test dependency), beside the interpreter
OXIGRAPH = Path(sys.executable).parent / "oxigraph"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _direct_opener():
    return urllib.request.build_opener(urllib.request.ProxyHandler({}))


class OxigraphServer:
    """``oxigraph serve --location DIR --bind 127.0.0.1:PORT --union-default-graph`` (without
    the last option where ``union`` is false)."""

    def __init__(self, location: Path, port: int | None = None, union: bool = True):
        self.location = location
        self.union = union
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None
        self.log = location.parent / f"{location.name}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 15.0) -> None:
        if not OXIGRAPH.exists():
            pytest.fail(f"no Oxigraph server at {OXIGRAPH}: install the test dependencies "
                        "(pip install -e '.[test]')")
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [str(OXIGRAPH), "serve", "--location", str(self.location),
                 "--bind", f"127.0.0.1:{self.port}", *(["--union-default-graph"] if self.union else [])],
                stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"the Oxigraph server stopped at once: {self.log.read_text()[-500:]}")
            try:
                self.ask("ASK {}")
                return
            except (OSError, urllib.error.URLError):
                time.sleep(0.05)
        self.stop()
        pytest.fail(f"the Oxigraph server did not answer within {timeout} s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def _post(self, query: str) -> dict:
        data = urllib.parse.urlencode({"query": query}).encode()
        request = urllib.request.Request(f"{self.url}/query", data=data,
                                         headers={"Accept": "application/sparql-results+json"})
        with _direct_opener().open(request, timeout=5) as response:
            return json.loads(response.read())

    def ask(self, query: str) -> bool:
        return self._post(query)["boolean"]

    def graph_counts(self) -> dict[str, int]:
        """Each named graph's triple count, read straight from the server."""
        doc = self._post("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        return {b["g"]["value"]: int(b["n"]["value"]) for b in doc["results"]["bindings"]}


@contextmanager
def running_oxigraph(tmp_path_factory, union: bool = True) -> Iterator[OxigraphServer]:
    """A fresh Oxigraph server on a free port of 127.0.0.1 with an empty store; stopped after."""
    location = tmp_path_factory.mktemp("oxigraph") / "data"
    server = OxigraphServer(location, union=union)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(location, ignore_errors=True)


@pytest.fixture
def oxigraph_server(tmp_path_factory):
    """A fresh Oxigraph server for one test."""
    with running_oxigraph(tmp_path_factory) as server:
        yield server


@pytest.fixture(scope="module")
def module_oxigraph_server(tmp_path_factory):
    """One Oxigraph server for all the tests of a module (that only read it, or load the seed)."""
    with running_oxigraph(tmp_path_factory) as server:
        yield server


# --- a server that answers what the test says ------------------------------------------------


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Reply:
    """One answer: an HTTP status with a body, or ``hang`` (say nothing for ``seconds``),
    ``close`` (drop the connection), ``garbage`` (bytes that are not HTTP), ``forward``
    (pass the request on to ``upstream`` and relay its answer), ``stream`` (the status line and
    headers, then ``body`` again and again up to ``total`` bytes, as fast as the client reads;
    ``length`` is the Content-Length claimed, None for none), or ``drip`` (the bytes of ``body``,
    a whole raw HTTP answer, one every ``seconds``)."""

    status: int = 200
    body: bytes = b""
    content_type: str = "application/sparql-results+json"
    kind: str = "status"
    seconds: float = 0.0
    upstream: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    total: int = 0
    length: int | None = None


def status(code: int, body: bytes | str = b"", content_type: str = "text/plain",
           headers: dict[str, str] | None = None) -> Reply:
    return Reply(code, body.encode() if isinstance(body, str) else body, content_type, headers=headers or {})


def json_reply(doc) -> Reply:
    return Reply(200, json.dumps(doc).encode(), "application/sparql-results+json")


HANG = Reply(kind="hang", seconds=30.0)
CLOSE = Reply(kind="close")
GARBAGE = Reply(kind="garbage", body=b"this is not HTTP\r\n\r\n")


def forward(upstream: str) -> Reply:
    return Reply(kind="forward", upstream=upstream.rstrip("/"))


def stream(code: int, chunk: bytes, total: int, length: int | None = None,
           content_type: str = "application/sparql-results+json") -> Reply:
    """An answer of ``total`` bytes (``chunk`` repeated) claiming ``length`` (None: no
    Content-Length, the body ends when the connection closes)."""
    return Reply(code, chunk, content_type, kind="stream", total=total, length=length)


def drip(raw: bytes, seconds: float, at_once: int = 0) -> Reply:
    """A whole HTTP answer (status line, headers, body): its first ``at_once`` bytes at once,
    then one byte every ``seconds``."""
    return Reply(kind="drip", body=raw, seconds=seconds, total=at_once)


@dataclass
class FakeServer:
    """``http.server`` on 127.0.0.1 answering each request with ``reply(seen, index)``."""

    reply: Callable[[Seen, int], Reply] = field(default=lambda seen, i: status(500, "boom"))
    seen: list[Seen] = field(default_factory=list)
    #: bytes of ``stream`` and ``drip`` answers written to the client (how much it read)
    sent: int = 0

    def __post_init__(self):
        self._stop = threading.Event()
        self._lock = threading.Lock()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                seen = Seen(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                with outer._lock:
                    outer.seen.append(seen)
                    index = len(outer.seen) - 1
                answer = outer.reply(seen, index)
                if answer.kind == "hang":
                    outer._stop.wait(answer.seconds)
                    self.close_connection = True
                    return
                if answer.kind == "close":
                    self.close_connection = True
                    return
                if answer.kind == "garbage":
                    self.wfile.write(answer.body)
                    self.close_connection = True
                    return
                if answer.kind == "drip":
                    self.close_connection = True
                    self.wfile.write(answer.body[:answer.total])
                    self.wfile.flush()
                    for i in range(answer.total, len(answer.body)):
                        if outer._stop.wait(answer.seconds):
                            return
                        try:
                            self.wfile.write(answer.body[i:i + 1])
                            self.wfile.flush()
                        except OSError:
                            return
                        outer.sent += 1
                    return
                if answer.kind == "stream":
                    self.close_connection = True
                    self.send_response(answer.status)
                    self.send_header("Content-Type", answer.content_type)
                    if answer.length is not None:
                        self.send_header("Content-Length", str(answer.length))
                    self.send_header("Connection", "close")
                    self.end_headers()
                    written = 0
                    while written < answer.total and not outer._stop.is_set():
                        piece = answer.body[:answer.total - written]
                        try:
                            self.wfile.write(piece)
                        except OSError:  # the client stopped reading and closed
                            return
                        written += len(piece)
                        outer.sent += len(piece)
                    return
                if answer.kind == "forward":
                    answer = relay(answer.upstream, seen)
                self.send_response(answer.status)
                self.send_header("Content-Type", answer.content_type)
                self.send_header("Content-Length", str(len(answer.body)))
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(answer.body)

            do_GET = do_POST = do_PUT = do_DELETE = _handle

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def script(self, *replies: Reply) -> None:
        """From now on, answer the n-th request with the n-th reply; the last one repeats.
        (``seen`` starts again from empty.)"""
        with self._lock:
            self.seen.clear()
            self.sent = 0
            self.reply = lambda seen, i: replies[min(i, len(replies) - 1)]

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self._stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def relay(upstream: str, seen: Seen) -> Reply:
    """Send the request that the fake server received on to ``upstream``; its answer."""
    headers = {k: v for k, v in seen.headers.items() if k in ("content-type", "accept", "authorization")}
    request = urllib.request.Request(upstream + seen.path, data=seen.body or None, headers=headers,
                                     method=seen.method)
    try:
        with _direct_opener().open(request, timeout=10) as response:
            return Reply(response.status, response.read(), response.headers.get("Content-Type", ""))
    except urllib.error.HTTPError as exc:
        return Reply(exc.code, exc.read(), exc.headers.get("Content-Type", "") or "text/plain")


@pytest.fixture
def fake_server():
    server = FakeServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def other_server():
    """A second fake server: another origin (another port of 127.0.0.1) that records what
    reaches it, such as an ``Authorization`` header that should never have been sent there."""
    server = FakeServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


# --- projects --------------------------------------------------------------------------------

MC = "https://w3id.org/milcoop/ontology/"
ID = "https://w3id.org/milcoop/id/"
GRAPH = "https://w3id.org/milcoop/graph/"
_SEED: list[Path] = []


def kg(project: Path, *args: str, env: dict[str, str] | None = None):
    """Run ``kg -C project ...`` through CliRunner (stdout and stderr apart); ``env`` is set
    for the run (a value of None unsets a variable)."""
    return CliRunner().invoke(cli, ["-C", str(project), *args], catch_exceptions=False, env=env)


@pytest.fixture(scope="session")
def seed(tmp_path_factory) -> Path:
    """The project's ontology, data and queries, built once for the whole session (a copy: the
    work tree's build/ is never touched). Tests must not change it: see ``proj``."""
    if not _SEED:
        dest = tmp_path_factory.mktemp("seed") / "proj"
        dest.mkdir()
        for name in ("ontology", "data", "queries"):
            if (ROOT / name).exists():
                shutil.copytree(ROOT / name, dest / name)
        ensure_built(Project(dest))
        _SEED.append(dest)
    return _SEED[0]


@pytest.fixture
def proj(seed, tmp_path) -> Path:
    """A copy of the built seed project that a test may change (its build stays fresh)."""
    dest = tmp_path / "proj"
    shutil.copytree(seed, dest, symlinks=True)
    return dest


def synthetic_project(root: Path, names: range, per: int, extra: int) -> dict[str, int]:
    """A project whose fresh build is a generated TriG of one graph per name (``per`` triples
    and a few more; ``extra`` more again and other values, to tell two loads apart)."""
    for folder in ("ontology", "data/articles", "data/reference", "build"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    lines = []
    for g in names:
        iri = f"{GRAPH}article/synthetic-{g:04d}"
        n = per + g % 7 + extra
        counts[iri] = n
        lines.append(f"<{iri}> {{")
        lines.extend(f'<{ID}thing/{g}-{i}> <{MC}p{i % 5}> "value {i} of graph {g}, load {extra}" .'
                     for i in range(n))
        lines.append("}")
    (root / "build" / NAMED).write_text("\n".join(lines) + "\n")
    (root / "build" / MERGED).write_text("")
    (root / "build" / MANIFEST).write_text(json.dumps({"graphs": counts, "reason": "none",
                                                      "triples": sum(counts.values())}))
    past = time.time() - 3600
    for folder in ("ontology", "data", "data/articles", "data/reference"):
        os.utime(root / folder, (past, past))
    return counts


def parse_counts(stdout: str) -> dict[str, int]:
    """``graph:... 123`` lines (kg load, kg store info) as a dict."""
    counts = {}
    for line in stdout.splitlines():
        name, count = line.rsplit(None, 1)
        counts[name.strip()] = int(count)
    return counts


def prefixed(counts: dict[str, int]) -> dict[str, int]:
    return {("graph:" + g[len(GRAPH):]) if g.startswith(GRAPH) else f"<{g}>": n for g, n in counts.items()}


def normalise(result):
    """Variables and rows, blank node labels blanked (each engine names them its own way)."""
    def term(t: Term) -> Term:
        return Term("bnode", "_") if t.type == "bnode" else t

    return result.variables, [{k: term(v) for k, v in row.items()} for row in result.rows]


def one_line_error(result, *fragments: str) -> None:
    """Exit 2 with one line ``Error: ...`` holding each fragment, and no traceback."""
    assert result.exit_code == 2, result.output
    text = result.output.strip()
    assert text.startswith("Error: ") and "\n" not in text, text
    assert "Traceback" not in text
    for fragment in fragments:
        assert fragment in text, text


#: queries of our own, beside the saved ones: graphs, labels, grouping, bound parameters
OWN_SELECTS = [
    ("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g", {}),
    ("PREFIX mc: <%s> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
     "SELECT ?state ?label ?code WHERE { ?state a mc:State ; rdfs:label ?label . "
     "OPTIONAL { ?state mc:iso3166Alpha3 ?code } } ORDER BY ?state ?label" % MC, {}),
    ("SELECT ?class (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a ?class } GROUP BY ?class ORDER BY ?class", {}),
    ("PREFIX mc: <%s> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
     "SELECT ?force ?label ?_state WHERE { ?force mc:belongsTo ?_state ; rdfs:label ?label } "
     "ORDER BY ?force ?label" % MC, {"_state": Term("uri", ID + "state/IRN")}),
    ("PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
     "SELECT ?s ?label ?_text WHERE { ?s rdfs:label ?label FILTER(STR(?label) = ?_text) } ORDER BY ?s",
     {"_text": Term("literal", "Iran", "http://www.w3.org/2001/XMLSchema#string")}),
    ("PREFIX mc: <%s>\n"
     "SELECT ?exercise ?p ?o ?__exercise_iri WHERE { ?exercise a mc:MilitaryExercise ; ?p ?o . "
     "FILTER(COALESCE(?exercise = ?__exercise_iri, true)) } ORDER BY ?exercise ?p ?o" % MC,
     {"__exercise_iri": Term("uri", ID + "exercise/casarex-2025")}),
]
OWN_ASK = "PREFIX mc: <%s> ASK { ?x a mc:MilitaryExercise }" % MC
OWN_CONSTRUCT = ("PREFIX mc: <%s> CONSTRUCT { ?x mc:participant ?f } WHERE { ?x a mc:MilitaryExercise ; "
                 "mc:participant ?f }" % MC)
