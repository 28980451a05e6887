"""A SPARQL 1.1 server: loading the build into it (Graph Store HTTP Protocol) and querying it
(SPARQL 1.1 Protocol), with the standard library's HTTP client only.

The server is named by its base URL (``--endpoint``: Oxigraph ``http://localhost:7878``, Fuseki
``http://localhost:3030/DATASET``, GraphDB ``http://localhost:7200/repositories/REPO``); the query
and Graph Store services are paths under it (``--query-path``, ``--gsp-path``) or full URLs.

Loading PUTs each named graph as N-Triples to ``{gsp}?graph=<iri>``: a PUT replaces the graph
whole and servers apply it atomically, so a graph on the server is always either the old one or
the new one, and a reload never duplicates triples. Graphs of ours (``graph:`` namespace) that
the build no longer has are DELETEd; other graphs on the server are left alone. Afterwards each
graph's triple count on the server is checked against what was sent.

Queries see the union of the named graphs only where the server's default graph is that union:
``oxigraph serve --union-default-graph``, Fuseki with ``tdb2:unionDefaultGraph true``, GraphDB
by default.

Credentials come from the environment, never from the command line: ``KG_ENDPOINT_TOKEN``
(sent as ``Authorization: Bearer``), or ``KG_ENDPOINT_USER`` and ``KG_ENDPOINT_PASSWORD``
(HTTP Basic). Connection errors and 5xx answers are retried with exponential backoff.
"""
from __future__ import annotations

import base64
import json
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from .engines import XSD_STRING, QueryError, SelectResult, Term
from .errors import KgError
from .namespaces import GRAPH
from .query import blank_out

#: the query service under the endpoint URL (Oxigraph and Fuseki both answer at /query)
DEFAULT_QUERY_PATH = "/query"
#: the Graph Store service under the endpoint URL (Oxigraph; Fuseki: /data)
DEFAULT_GSP_PATH = "/store"
DEFAULT_TIMEOUT = 60.0
DEFAULT_RETRIES = 3
DEFAULT_BACKOFF = 0.5

ENV_USER = "KG_ENDPOINT_USER"
ENV_PASSWORD = "KG_ENDPOINT_PASSWORD"
ENV_TOKEN = "KG_ENDPOINT_TOKEN"

SPARQL_JSON = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

_IRI_BAD = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_VAR = re.compile(r"^[A-Za-z0-9_]+$")
_LANG = re.compile(r"^[A-Za-z]+(-[A-Za-z0-9]+)*$")
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}
#: 5xx answers that another try cannot change (not implemented, HTTP version not supported)
_FINAL_5XX = {501, 505}


class EndpointError(QueryError):
    """The server could not be reached, refused the request or answered something unusable."""


def credentials_header(env: Mapping[str, str] | None = None) -> str | None:
    """The ``Authorization`` header the environment's credentials give, or None."""
    env = os.environ if env is None else env
    token = env.get(ENV_TOKEN)
    if token:
        return f"Bearer {token}"
    user = env.get(ENV_USER)
    if user:
        raw = f"{user}:{env.get(ENV_PASSWORD, '')}".encode("utf-8")
        return "Basic " + base64.b64encode(raw).decode("ascii")
    return None


def _service_url(base: str, path: str) -> str:
    if re.match(r"^https?://", path, re.IGNORECASE):
        return path
    if path and not path.startswith("/"):
        path = "/" + path
    return base + path


@dataclass
class _Answer:
    status: int
    content_type: str
    body: bytes


class Endpoint:
    """A SPARQL server: its query and Graph Store services, timeouts, retries, credentials."""

    def __init__(self, url: str, query_path: str = DEFAULT_QUERY_PATH, gsp_path: str = DEFAULT_GSP_PATH,
                 timeout: float = DEFAULT_TIMEOUT, retries: int = DEFAULT_RETRIES,
                 backoff: float = DEFAULT_BACKOFF, env: Mapping[str, str] | None = None):
        from urllib.parse import urlsplit

        text = (url or "").strip()
        try:
            parts = urlsplit(text)
            port = parts.port
        except ValueError as exc:
            raise EndpointError(f"{text}: not an endpoint URL ({exc})") from None
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            raise EndpointError(f"{text}: not an endpoint URL (give http://host:port/...)")
        if parts.username is not None or parts.password is not None:
            raise EndpointError(
                f"{parts.scheme}://{parts.hostname}{f':{port}' if port else ''}{parts.path}: "
                f"do not put credentials in the URL; set {ENV_USER} and {ENV_PASSWORD}, or {ENV_TOKEN}")
        if parts.query or parts.fragment:
            raise EndpointError(f"{text}: give the endpoint URL without '?' or '#'")
        self.url = text.rstrip("/")
        self.query_url = _service_url(self.url, query_path if query_path is not None else DEFAULT_QUERY_PATH)
        self.gsp_url = _service_url(self.url, gsp_path if gsp_path is not None else DEFAULT_GSP_PATH)
        self.timeout = float(timeout)
        self.retries = max(0, int(retries))
        self.backoff = max(0.0, float(backoff))
        self.authorization = credentials_header(env)
        self._loopback = parts.hostname in _LOOPBACK

    # -- HTTP ---------------------------------------------------------------------------------

    def _opener(self):
        import urllib.request

        handlers = [urllib.request.ProxyHandler({})] if self._loopback else []
        return urllib.request.build_opener(*handlers)

    def request(self, method: str, url: str, data: bytes | None = None, headers: dict | None = None,
                doing: str = "", retry_timeouts: bool = True, ok_statuses: tuple[int, ...] = ()) -> _Answer:
        """Send one request, retrying connection errors and 5xx answers with backoff.

        Raises ``EndpointError``: one line ``URL: what happened while DOING[: hint]``.
        """
        import http.client
        import socket
        import urllib.error
        import urllib.request

        headers = dict(headers or {})
        if self.authorization:
            headers["Authorization"] = self.authorization
        headers.setdefault("User-Agent", "kg (SPARQL client)")
        where = url.split("?", 1)[0]
        during = f" while {doing}" if doing else ""
        attempts = self.retries + 1
        opener = self._opener()
        for attempt in range(1, attempts + 1):
            request = urllib.request.Request(url, data=data, headers=headers, method=method)
            hint = ""
            try:
                with opener.open(request, timeout=self.timeout) as response:
                    body = response.read()
                    return _Answer(response.status, response.headers.get("Content-Type", ""), body)
            except urllib.error.HTTPError as exc:
                try:
                    body = exc.read()
                except Exception:
                    body = b""
                content_type = exc.headers.get("Content-Type", "") if exc.headers else ""
                if exc.code in ok_statuses:
                    return _Answer(exc.code, content_type, body)
                if exc.code >= 500 and exc.code not in _FINAL_5XX and attempt < attempts:
                    self._sleep(attempt)
                    continue
                status = f"HTTP {exc.code} {exc.reason or ''}".rstrip()
                tries = f" after {attempt} attempts" if attempt > 1 else ""
                hint = self._http_hint(where, exc.code, exc.headers, body, content_type, method)
                raise EndpointError(f"{where}: {status}{during}{tries}{hint}") from None
            except urllib.error.URLError as exc:
                timed_out = isinstance(exc.reason, (socket.timeout, TimeoutError))
                problem, hint = self._connection_problem(exc.reason)
            except (socket.timeout, TimeoutError) as exc:
                timed_out = True
                problem, hint = self._connection_problem(exc)
            except http.client.RemoteDisconnected:
                timed_out = False
                problem = "the server closed the connection without answering"
            except http.client.HTTPException as exc:
                timed_out = False
                problem = f"malformed HTTP response ({type(exc).__name__}: {_short(str(exc))})"
            except OSError as exc:
                timed_out = False
                problem, hint = self._connection_problem(exc)
            if timed_out and not retry_timeouts:
                raise EndpointError(f"{where}: {problem}{during}{hint}")
            if attempt < attempts:
                self._sleep(attempt)
                continue
            tries = f" after {attempts} attempts" if attempts > 1 else ""
            raise EndpointError(f"{where}: {problem}{during}{tries}{hint}")
        raise AssertionError("unreachable")  # pragma: no cover

    def _sleep(self, attempt: int) -> None:
        time.sleep(min(self.backoff * (2 ** (attempt - 1)), 30.0))

    def _connection_problem(self, reason) -> tuple[str, str]:
        """What went wrong, and a hint, for an error before any HTTP answer."""
        import socket

        if isinstance(reason, (socket.timeout, TimeoutError)):
            return f"no answer within {self.timeout:g} s (timed out)", "; see --timeout"
        if isinstance(reason, ConnectionRefusedError):
            return "connection refused", "; is the server running, at this host and port?"
        if isinstance(reason, socket.gaierror):
            return "unknown host (the name does not resolve)", ""
        if isinstance(reason, ConnectionResetError):
            return "the server reset the connection", ""
        if isinstance(reason, OSError):
            return f"connection failed ({reason.strerror or reason})", ""
        return f"connection failed ({reason})", ""

    def _http_hint(self, where: str, code: int, headers, body: bytes, content_type: str, method: str) -> str:
        detail = _body_line(body, content_type)
        said = f": the server says {detail!r}" if detail else ""
        if code == 401:
            if self.authorization:
                return ": the server refused the credentials from the environment"
            return f": the server wants credentials; set {ENV_USER} and {ENV_PASSWORD}, or {ENV_TOKEN}"
        if code == 403:
            if self.authorization:
                return f": these credentials may not {method} here{said}"
            return f": the server forbids {method} here without credentials{said}; set {ENV_USER} and {ENV_PASSWORD}, or {ENV_TOKEN}"
        if code == 404:
            if where == self.gsp_url.split("?", 1)[0]:
                return ": no Graph Store service at this path; set --gsp-path (Oxigraph: /store, Fuseki: /data)"
            if where == self.query_url.split("?", 1)[0]:
                return ": no SPARQL query service at this path; set --query-path (Oxigraph and Fuseki: /query)"
            return said
        if 300 <= code < 400:
            location = headers.get("Location") if headers else None
            return f": the service moved{f' to {location}' if location else ''}; give its URL"
        return said

    # -- SPARQL 1.1 Protocol ------------------------------------------------------------------

    def query(self, query: str, accept: str, retry_timeouts: bool = False, doing: str = "querying") -> _Answer:
        """POST a query (form-encoded, as every SPARQL 1.1 server accepts)."""
        from urllib.parse import urlencode

        data = urlencode({"query": query}).encode("utf-8")
        headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8", "Accept": accept}
        return self.request("POST", self.query_url, data, headers, doing=doing, retry_timeouts=retry_timeouts)

    def select(self, query: str, doing: str = "querying") -> SelectResult:
        answer = self.query(query, f"{SPARQL_JSON}, application/json;q=0.9", doing=doing)
        doc = self._json(answer)
        try:
            variables = doc["head"]["vars"]
            bindings = doc["results"]["bindings"]
            if not isinstance(variables, list) or not isinstance(bindings, list):
                raise TypeError
            variables = [str(v) for v in variables]
            rows = []
            for item in bindings:
                if not isinstance(item, dict):
                    raise TypeError
                rows.append({str(k): _term_from_json(v) for k, v in item.items()})
        except (KeyError, TypeError, ValueError, AttributeError):
            raise EndpointError(f"{self.query_url}: malformed response: not SPARQL 1.1 JSON results "
                                f"of a SELECT query{_peek(answer.body)}") from None
        return SelectResult(variables, rows)

    def ask(self, query: str, doing: str = "querying") -> bool:
        answer = self.query(query, f"{SPARQL_JSON}, application/json;q=0.9", doing=doing)
        doc = self._json(answer)
        value = doc.get("boolean") if isinstance(doc, dict) else None
        if not isinstance(value, bool):
            raise EndpointError(f"{self.query_url}: malformed response: not the SPARQL 1.1 JSON result "
                                f"of an ASK query{_peek(answer.body)}")
        return value

    def construct(self, query: str) -> bytes:
        import pyoxigraph as ox

        answer = self.query(query, f"{N_TRIPLES}, text/turtle;q=0.9, application/rdf+xml;q=0.5")
        media = answer.content_type.split(";", 1)[0].strip().lower()
        fmt = ox.RdfFormat.from_media_type(media) if media else ox.RdfFormat.N_TRIPLES
        if fmt is None and media == "text/plain":
            fmt = ox.RdfFormat.N_TRIPLES
        if fmt is None:
            raise EndpointError(f"{self.query_url}: malformed response: an RDF graph was asked for, "
                                f"the server sent {media or 'no content type'}")
        try:
            triples = list(ox.parse(answer.body, format=fmt, base_iri=None))
            return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
        except (SyntaxError, ValueError, TypeError) as exc:
            raise EndpointError(f"{self.query_url}: malformed response: not {fmt.name}: "
                                f"{_short(str(exc))}") from None

    def _json(self, answer: _Answer):
        try:
            return json.loads(answer.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise EndpointError(f"{self.query_url}: malformed response: not JSON "
                                f"({answer.content_type or 'no content type'}){_peek(answer.body)}") from None

    # -- Graph Store HTTP Protocol ------------------------------------------------------------

    def _graph_url(self, graph: str) -> str:
        from urllib.parse import quote

        sep = "&" if "?" in self.gsp_url else "?"
        return f"{self.gsp_url}{sep}graph={quote(graph, safe='')}"

    def put_graph(self, graph: str, ntriples: bytes) -> None:
        """Replace one named graph with N-Triples (PUT: all or nothing on the server)."""
        answer = self.request("PUT", self._graph_url(graph), ntriples,
                              {"Content-Type": N_TRIPLES}, doing=f"replacing <{graph}>")
        if not 200 <= answer.status < 300:
            raise EndpointError(f"{self.gsp_url}: HTTP {answer.status} while replacing <{graph}>")

    def delete_graph(self, graph: str) -> None:
        """Remove one named graph (a graph already gone is fine)."""
        self.request("DELETE", self._graph_url(graph), doing=f"removing <{graph}>", ok_statuses=(404,))

    def graph_counts(self, graphs: list[str] | None = None, prefix: str | None = None) -> dict[str, int]:
        """Triple counts of named graphs: the given ones (0 when absent), or all those whose IRI
        starts with ``prefix``."""
        if graphs is None:
            text = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
            if prefix:
                text = ("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
                        f"FILTER(STRSTARTS(STR(?g), {Term('literal', prefix).n3()})) }} GROUP BY ?g")
            return self._counts(text)
        counts = {g: 0 for g in graphs}
        for start in range(0, len(graphs), 200):
            chunk = graphs[start:start + 200]
            values = " ".join(_checked_iri(g, "graph") for g in chunk)
            counts.update(self._counts(
                f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?g"))
        return counts

    def _counts(self, text: str) -> dict[str, int]:
        result = self.select(text, doing="counting the triples of each graph")
        counts = {}
        for row in result.rows:
            try:
                counts[row["g"].value] = int(row["n"].value)
            except (KeyError, ValueError):
                raise EndpointError(f"{self.query_url}: malformed response: a graph count is not a number") from None
        return counts


# --- terms and parameters --------------------------------------------------------------------


def _term_from_json(value) -> Term:
    kind = value["type"]
    text = value["value"]
    if not isinstance(text, str):
        raise TypeError
    if kind == "uri":
        return Term("uri", text)
    if kind == "bnode":
        return Term("bnode", text)
    if kind in ("literal", "typed-literal"):
        lang = value.get("xml:lang")
        if lang:
            return Term("literal", text, None, str(lang))
        datatype = value.get("datatype") or XSD_STRING
        if datatype == RDF_LANG_STRING:
            raise ValueError
        return Term("literal", text, str(datatype))
    if kind == "triple":  # RDF 1.2 triple terms: no query of ours makes them
        return Term("literal", json.dumps(text), XSD_STRING)
    raise ValueError(kind)


def _unicode(text: str, what: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise QueryError(f"cannot send {what} to a server: it is not valid Unicode text") from None


def _checked_iri(iri: str, what: str) -> str:
    _unicode(iri, what)
    if not iri or _IRI_BAD.search(iri) or ":" not in iri:
        raise QueryError(f"cannot send {what} {iri!r} to a server: not a valid IRI "
                         "(no spaces or <>\"{}|^`\\ allowed)")
    return f"<{iri}>"


def value_n3(var: str, term: Term) -> str:
    """A term in SPARQL syntax for a VALUES block, after checking it cannot break out of it.

    A literal's text is escaped by ``Term.n3()``: ``\\``, ``"``, line feed and carriage
    return, the only characters that end or break a SPARQL string; ``}``, ``>``, ``#`` and
    the like are plain characters inside it. A backslash is always doubled, so ``\\u0022``
    in a value stays text (servers expand ``\\u`` escapes only after an odd number of
    backslashes). An IRI is refused, not escaped, when it holds a character that IRIs cannot.
    """
    if term.type == "uri":
        return _checked_iri(term.value, f"?{var}")
    if term.type == "literal":
        _unicode(term.value, f"the value of ?{var}")
        if term.lang:
            if not _LANG.match(term.lang):
                raise QueryError(f"cannot bind ?{var}: {term.lang!r} is not a language tag")
        elif term.datatype:
            _checked_iri(term.datatype, f"the datatype of ?{var}")
        return term.n3()
    raise QueryError(f"cannot bind ?{var} to a {term.type} on a server (only IRIs and literals)")


def bind_values(query: str, bindings: dict[str, Term]) -> str:
    """The query with ``bindings`` as a SPARQL 1.1 VALUES block of one row.

    The SPARQL 1.1 Protocol has no parameters, so the values travel in the query text: each
    term is checked (IRIs without ``<>"{}|^`\\`` or spaces, escaped literals, real language
    tags) and written with ``Term.n3()``. The block goes first in the query's outer WHERE group,
    so that the group's FILTERs see the values, as rdflib's ``initBindings`` and Oxigraph's
    ``substitutions`` make them see; a query whose WHERE clause cannot be found (a ``CONSTRUCT
    WHERE`` short form) gets it appended after the query instead.
    """
    if not bindings:
        return query
    names = sorted(bindings)
    for name in names:
        if not _VAR.match(name):
            raise QueryError(f"cannot bind {name!r}: not a variable name")
    row = " ".join(value_n3(n, bindings[n]) for n in names)
    block = f"VALUES ({' '.join('?' + n for n in names)}) {{ ({row}) }}"
    where = _outer_group(query)
    if where is None:
        return query.rstrip() + "\n" + block + "\n"
    open_at, close_at = where
    inner = blank_out(query)[open_at + 1:close_at]
    if re.match(r"\s*SELECT\b", inner, re.IGNORECASE):  # the group is a sub-SELECT: wrap it
        return (query[:open_at + 1] + " " + block + " {" + query[open_at + 1:close_at] + "} "
                + query[close_at:])
    return query[:open_at + 1] + " " + block + " " + query[open_at + 1:]


def _matching(text: str, open_at: int) -> int | None:
    depth = 0
    for i in range(open_at, len(text)):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return i
    return None


def _outer_group(query: str) -> tuple[int, int] | None:
    """Where the outer WHERE group of the query opens and closes (indexes of its braces)."""
    text = blank_out(query)
    form = re.search(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", text, re.IGNORECASE)
    if form is None:
        return None
    i = form.end()
    if form.group(1).upper() == "CONSTRUCT":
        m = re.compile(r"\s*\{").match(text, i)
        if m is None:
            return None  # CONSTRUCT WHERE { ... }: the pattern is the template too
        end = _matching(text, m.end() - 1)
        if end is None:
            return None
        i = end + 1
    depth = 0
    while i < len(text):
        c = text[i]
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "{" and depth == 0:
            close = _matching(text, i)
            return None if close is None else (i, close)
        i += 1
    return None


def _body_line(body: bytes, content_type: str) -> str:
    if not body or "html" in content_type.lower():
        return ""
    text = body.decode("utf-8", "replace").strip()
    return _short(text.splitlines()[0]) if text else ""


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _peek(body: bytes) -> str:
    text = body.decode("utf-8", "replace").strip()
    return f": {_short(text, 60)!r}" if text else " (empty)"


# --- the engine ------------------------------------------------------------------------------


class EndpointEngine:
    """A SPARQL 1.1 server as a query engine (SPARQL 1.1 Protocol, POST).

    Parameters are bound with a VALUES block (``bind_values``). The server's default graph must
    be the union of the named graphs, as with the other engines.
    """

    def __init__(self, url: str, query_path: str = DEFAULT_QUERY_PATH, timeout: float = DEFAULT_TIMEOUT,
                 retries: int = DEFAULT_RETRIES, backoff: float = DEFAULT_BACKOFF,
                 env: Mapping[str, str] | None = None):
        self.endpoint = Endpoint(url, query_path=query_path, timeout=timeout, retries=retries,
                                 backoff=backoff, env=env)
        self.name = self.endpoint.url

    def select(self, query: str, bindings: dict[str, Term]) -> SelectResult:
        return self.endpoint.select(bind_values(query, bindings))

    def ask(self, query: str, bindings: dict[str, Term]) -> bool:
        return self.endpoint.ask(bind_values(query, bindings))

    def construct(self, query: str, bindings: dict[str, Term]) -> bytes:
        return self.endpoint.construct(bind_values(query, bindings))


# --- loading ---------------------------------------------------------------------------------


@dataclass
class RemoteLoad:
    """What a load did: where, each graph's triple count, the graphs it removed, and whether
    the server's default graph shows the loaded triples (the union of the named graphs)."""

    target: str
    graphs: dict[str, int]
    removed: list[str]
    union_default: bool = True

    @property
    def triples(self) -> int:
        return sum(self.graphs.values())


def load_endpoint(endpoint: Endpoint, trig: Path, expected: dict[str, int] | None = None,
                  progress=None) -> RemoteLoad:
    """Replace each named graph of the build on the server, remove the graphs of ours that the
    build no longer has, then check every graph's triple count on the server.

    ``progress(graph, count)`` is called after each graph is replaced.
    """
    import pyoxigraph as ox

    from .store import check_counts, graph_counts, graph_sort_key

    data = ox.Store()
    try:
        data.load(path=str(trig), format=ox.RdfFormat.TRIG)
    except SyntaxError as exc:
        raise KgError(f"{trig}: cannot load: {str(exc).splitlines()[0] if str(exc) else exc}") from None
    counts = graph_counts(data)
    if "" in counts:
        raise KgError(f"{trig}: has triples outside named graphs; run 'kg build'")
    if expected is not None:
        check_counts(counts, expected, trig)
    # Asking first also checks the query service and the credentials before anything changes.
    ours = str(GRAPH)
    before = endpoint.graph_counts(prefix=ours)
    sent: dict[str, int] = {}
    for graph in sorted(counts, key=graph_sort_key):
        body = data.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph)) or b""
        try:
            endpoint.put_graph(graph, body)
        except EndpointError as exc:
            if sent:
                done = (f"{len(sent)} of {len(counts)} graphs were replaced before it; each graph is "
                        "the old or the new one, run 'kg load' again")
            else:
                done = "no graph was changed"
            raise EndpointError(f"{exc} ({done})") from None
        sent[graph] = counts[graph]
        if progress is not None:
            progress(graph, counts[graph])
    removed = sorted((g for g in before if g not in counts), key=graph_sort_key)
    for graph in removed:
        try:
            endpoint.delete_graph(graph)
        except EndpointError as exc:
            raise EndpointError(f"{exc} (every graph of the build was replaced; run 'kg load' again "
                                "to remove the graphs it no longer has)") from None
    after = endpoint.graph_counts(list(sent) + removed)
    for graph in [*sent, *removed]:
        want = sent.get(graph, 0)
        if after.get(graph, 0) != want:
            raise EndpointError(f"{endpoint.url}: after loading, <{graph}> has {after.get(graph, 0)} "
                                f"triples on the server but {want} were sent")
    # One triple of the build, asked for in the default graph: there only where the server
    # queries the union of the named graphs, as kg's queries expect.
    probe = next((q for q in data if not isinstance(q.subject, ox.BlankNode)
                  and not isinstance(q.object, ox.BlankNode)), None)
    union_default = probe is None or endpoint.ask(
        f"ASK {{ {probe.subject} {probe.predicate} {probe.object} }}", doing="checking the default graph")
    return RemoteLoad(endpoint.url, sent, removed, union_default)
