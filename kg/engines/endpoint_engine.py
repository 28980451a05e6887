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

Queries see kg's graphs as their default graph: the server's own default graph where it is the
union of the named graphs (``oxigraph serve --union-default-graph``, Fuseki with
``tdb2:unionDefaultGraph true``, GraphDB by default), else the dataset each request names
(``default-graph-uri`` and ``named-graph-uri``, SPARQL 1.1 Protocol).

Nothing the server says is trusted: no redirect is followed (credentials never leave the
endpoint's origin), ``--timeout`` bounds each whole answer, an answer is read up to
``--max-answer-mb``, an error answer's body up to a few kilobytes, and every message that
quotes a URL or the server goes through ``redact`` (user info, secret query parameters, the
credentials themselves, control characters).

Credentials come from the environment, never from the command line: ``KG_ENDPOINT_TOKEN``
(sent as ``Authorization: Bearer``), or ``KG_ENDPOINT_USER`` and ``KG_ENDPOINT_PASSWORD``
(HTTP Basic, or HTTP Digest where the server answers with a Digest challenge, as Virtuoso's
``/sparql-auth`` and ``/sparql-graph-crud-auth`` do). Connection errors and 5xx answers are
retried with exponential backoff.
"""
from __future__ import annotations

import base64
import json
import os
import re
import time
from dataclasses import dataclass
from typing import Mapping

from ..namespaces import GRAPH
from ..sparql.terms import IRI_BAD, XSD_STRING, QueryError, SelectResult, SelectStream, Term
from ..sparql.text import blank_out, union_default_graph

#: the query service under the endpoint URL (Oxigraph and Fuseki both answer at /query)
DEFAULT_QUERY_PATH = "/query"
#: the Graph Store service under the endpoint URL (Oxigraph; Fuseki: /data)
DEFAULT_GSP_PATH = "/store"
DEFAULT_TIMEOUT = 60.0
DEFAULT_RETRIES = 3
DEFAULT_BACKOFF = 0.5
#: the largest answer read from a server, in MB (--max-answer-mb); SPARQL JSON results are
#: parsed whole, taking several times that in memory
DEFAULT_MAX_ANSWER_MB = 128
#: how much of an error answer's body is read: enough for the server's one-line reason
ERROR_BODY_LIMIT = 4096
_CHUNK = 65536

ENV_USER = "KG_ENDPOINT_USER"
ENV_PASSWORD = "KG_ENDPOINT_PASSWORD"
ENV_TOKEN = "KG_ENDPOINT_TOKEN"

SPARQL_JSON = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

_VAR = re.compile(r"^[A-Za-z0-9_]+$")
_LANG = re.compile(r"^[A-Za-z]+(-[A-Za-z0-9]+)*$")
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}
#: how to make a server's default graph the union of its named graphs
UNION_FIX = ("make the default graph the union of the named graphs (oxigraph serve --union-default-graph; "
             "Fuseki: tdb2:unionDefaultGraph true)")
#: 5xx answers that another try cannot change (not implemented, HTTP version not supported)
_FINAL_5XX = {501, 505}


class EndpointError(QueryError):
    """The server could not be reached, refused the request or answered something unusable."""


class GraphsNotVisible(EndpointError):
    """The server holds kg's graphs but shows them to queries neither in its default graph nor
    in the dataset a request names."""


# --- what reaches the terminal ---------------------------------------------------------------

#: user info in a URL (``scheme://user:password@``, ``//user@``), up to the last ``@`` of the word
_USERINFO = re.compile(r"((?:[A-Za-z][A-Za-z0-9+.-]*:)?//)[^\s'\"<>()]*@")
#: query parameters that carry secrets (``?access_token=...``, ``&apikey=...``)
_SECRET_PARAM = re.compile(
    r"([?&;](?:[\w.-]*token|[\w.-]*key|password|passwd|pwd|[\w.-]*secret|auth|authorization|sig|"
    r"signature|session[\w.-]*|credentials?)=)[^&#\s'\"<>();,]*", re.IGNORECASE)
#: characters that could change what a terminal shows: C0 and C1 controls, DEL, line separators
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
#: secrets shorter than this are hidden where they stand alone, longer ones wherever they appear
_WORDLIKE = 8


def redact(text: str, secrets=()) -> str:
    """``text`` fit for the terminal: every occurrence of each secret (any case) replaced by
    ``***``, the user info of URLs and the values of secret-bearing query parameters
    (``access_token``, ``token``, ``key``, ``apikey``, ``password``, ...) too, and control
    characters written as escapes, so that it stays one line and cannot move the cursor.

    Every message about a server goes through here: its URLs, and whatever text of the server
    it quotes.
    """
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        pattern = re.escape(secret)
        if len(secret) < _WORDLIKE:  # a short secret only where it stands alone, so that hiding
            pattern = rf"(?<![A-Za-z0-9]){pattern}(?![A-Za-z0-9])"  # it inside words cannot spell it out
        text = re.sub(pattern, "***", text, flags=re.IGNORECASE)
    text = _USERINFO.sub(r"\1***@", text)
    text = _SECRET_PARAM.sub(r"\1***", text)
    return _CONTROL.sub(lambda m: _ESCAPES.get(m.group(), f"\\x{ord(m.group()):02x}"
                                              if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}"), text)


def _secret_forms(value: str) -> list[str]:
    """A secret as a server may echo it: as is, and URL-encoded."""
    from urllib.parse import quote, quote_plus

    return [value, quote(value, safe=""), quote_plus(value)]


def _url_secrets(url: str | None) -> list[str]:
    """The user info of a URL given on the command line (``user:password``, and its parts)."""
    if not url or "@" not in url:
        return []
    rest = url.split("//", 1)[1] if "//" in url else url
    info = rest.rsplit("@", 1)[0]
    return [part for piece in (info, *info.split(":", 1)) for part in _secret_forms(piece) if part]


def _reason(code: int, given: str = "") -> str:
    """The standard reason phrase of an HTTP status (the server's own phrase is its text)."""
    from http import HTTPStatus

    try:
        return HTTPStatus(code).phrase
    except ValueError:
        return given or ""


def _origin(url: str) -> tuple[str, str, int | None]:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port or {"http": 80, "https": 443}.get(scheme)
    except ValueError:
        port = None
    return scheme, (parts.hostname or "").lower(), port


def _credential_secrets(env: Mapping[str, str]) -> list[str]:
    """The credentials of the environment, checked: none may hold a control character (an
    HTTP header cannot, and a trailing carriage return is a copy-and-paste accident); the
    message names the variable, never its value."""
    found = []
    for name in (ENV_TOKEN, ENV_USER, ENV_PASSWORD):
        value = env.get(name)
        if not value:
            continue
        if _CONTROL.search(value):
            raise EndpointError(f"{name} holds a control character (a line break, carriage return or "
                                "the like); set it without one")
        if name == ENV_TOKEN and not value.isascii():
            raise EndpointError(f"{ENV_TOKEN} holds a character that is not ASCII; an HTTP header cannot carry it")
        if name != ENV_USER:  # a user name is not a secret, but its Basic encoding is
            found.extend(_secret_forms(value))
    header = credentials_header(env)
    if header:
        found.append(header.split(" ", 1)[1])
    return found


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


# --- HTTP with a deadline over the whole answer ----------------------------------------------


class _Deadline:
    """The time one request may take in all: connecting, sending, and the whole answer.

    A socket timeout bounds each wait for bytes, not the answer: a server sending one byte a
    second never trips it. At the deadline a timer shuts the request's socket down, which ends
    any read in progress; ``expired`` then tells a timeout from a server that hung up.
    """

    def __init__(self, seconds: float):
        import threading

        self.at = time.monotonic() + seconds
        self.expired = False
        self._sockets: list = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def left(self) -> float:
        return max(self.at - time.monotonic(), 0.001)

    def watch(self, sock):
        with self._lock:
            self._sockets.append(sock)
            expired = self.expired
        if expired:
            _shut(sock)
        return sock

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shut(sock)

    def cancel(self) -> None:
        self._timer.cancel()


def _shut(sock) -> None:
    import socket

    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


def _handlers(deadline: _Deadline, direct: bool) -> list:
    """urllib handlers whose connections obey ``deadline`` and that follow no redirect."""
    import http.client
    import socket
    import urllib.request

    def connection(base):
        class Connection(base):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                self._create_connection = (
                    lambda *a, **k: deadline.watch(socket.create_connection(*a, **k)))

            def connect(self):
                self.timeout = deadline.left()
                super().connect()

        return Connection

    class Http(urllib.request.HTTPHandler):
        def http_open(self, req):
            return self.do_open(connection(http.client.HTTPConnection), req)

    class Https(urllib.request.HTTPSHandler):
        def https_open(self, req):
            return self.do_open(connection(http.client.HTTPSConnection), req, context=self._context)

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        """A redirect is an answer, not an instruction: urllib would send the request, with
        its Authorization header, to wherever a 301/302/303 points."""

        def redirect_request(self, req, fp, code, msg, headers, newurl):
            return None

    handlers = [Http(), Https(), NoRedirect()]
    if direct:
        handlers.append(urllib.request.ProxyHandler({}))
    return handlers


class _TooLarge(Exception):
    pass


def _read_bounded(response, limit: int) -> bytes:
    """The body of an answer, refused (``_TooLarge``) once it passes ``limit`` bytes; a body
    that says beforehand it is larger is refused unread."""
    length = (response.headers.get("Content-Length") or "").strip() if response.headers else ""
    if length.isdigit() and int(length) > limit:
        raise _TooLarge
    parts, size = [], 0
    while True:
        chunk = response.read1(_CHUNK)
        if not chunk:
            return b"".join(parts)
        size += len(chunk)
        if size > limit:
            raise _TooLarge
        parts.append(chunk)


def _error_body(exc) -> bytes:
    """The first few kilobytes of an error answer's body (all that a one-line reason needs)."""
    try:
        return exc.read(ERROR_BODY_LIMIT) or b""
    except Exception:
        return b""
    finally:
        try:
            exc.close()
        except Exception:
            pass


@dataclass
class _Answer:
    status: int
    content_type: str
    body: bytes
    #: the server's cap on rows, where it says it reached it (``X-SPARQL-MaxRows``: Virtuoso)
    max_rows: int | None = None


@dataclass(frozen=True)
class Dataset:
    """The RDF dataset a request names (SPARQL 1.1 Protocol ``default-graph-uri`` and
    ``named-graph-uri``): the default graph is the merge of ``default``, ``GRAPH`` sees ``named``."""

    default: tuple[str, ...]
    named: tuple[str, ...]


def _max_rows(headers) -> int | None:
    """The row cap a server says its answer reached (``X-SPARQL-MaxRows``), or None."""
    value = (headers.get("X-SPARQL-MaxRows") or "").strip() if headers else ""
    return int(value) if value.isdigit() else None


def _challenges(headers) -> list[str]:
    """The ``WWW-Authenticate`` headers of an answer."""
    return list(headers.get_all("WWW-Authenticate") or []) if headers else []


class _Digest:
    """HTTP Digest access authentication (RFC 7616, ``qop=auth``): the answer to a server's
    challenge, for each request from then on (the nonce count goes up; a challenge marked
    ``stale`` replaces the nonce). The password itself is never sent."""

    _HASHES = {"MD5": "md5", "SHA-256": "sha256", "SHA-512-256": "sha512_256"}

    def __init__(self, user: str, password: str, challenge: dict[str, str]):
        self.user = user
        self.password = password
        self.realm = challenge.get("realm", "")
        self.nonce = challenge.get("nonce", "")
        self.opaque = challenge.get("opaque")
        algorithm = challenge.get("algorithm", "MD5")
        self.session = algorithm.upper().endswith("-SESS")
        self.algorithm = algorithm
        name = self._HASHES.get(algorithm.upper().removesuffix("-SESS"))
        qops = [q.strip() for q in challenge.get("qop", "").split(",") if q.strip()]
        if name is None:
            raise ValueError(f"Digest algorithm {algorithm!r}")
        if qops and "auth" not in qops:
            raise ValueError(f"Digest qop {challenge.get('qop')!r}")
        self.hash = name
        self.qop = "auth" if qops else None
        self.count = 0

    @staticmethod
    def challenge(headers) -> dict[str, str] | None:
        """The parameters of the Digest challenge among an answer's ``WWW-Authenticate``
        headers, or None."""
        from urllib.request import parse_http_list, parse_keqv_list

        for value in _challenges(headers):
            scheme, _, rest = value.strip().partition(" ")
            if scheme.lower() == "digest":
                try:
                    return {k.lower(): v for k, v in parse_keqv_list(parse_http_list(rest)).items()}
                except ValueError:
                    return None
        return None

    def _h(self, text: str) -> str:
        import hashlib

        return hashlib.new(self.hash, text.encode("utf-8")).hexdigest()

    def header(self, method: str, url: str) -> str:
        import secrets
        from urllib.parse import urlsplit

        parts = urlsplit(url)
        uri = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self.count += 1
        nc = f"{self.count:08x}"
        cnonce = secrets.token_hex(8)
        ha1 = self._h(f"{self.user}:{self.realm}:{self.password}")
        if self.session:
            ha1 = self._h(f"{ha1}:{self.nonce}:{cnonce}")
        ha2 = self._h(f"{method}:{uri}")
        if self.qop:
            response = self._h(f"{ha1}:{self.nonce}:{nc}:{cnonce}:{self.qop}:{ha2}")
        else:
            response = self._h(f"{ha1}:{self.nonce}:{ha2}")

        def quoted(value: str) -> str:
            return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'

        fields = [f"username={quoted(self.user)}", f"realm={quoted(self.realm)}", f"nonce={quoted(self.nonce)}",
                  f"uri={quoted(uri)}", f"algorithm={self.algorithm}", f"response={quoted(response)}"]
        if self.opaque is not None:
            fields.append(f"opaque={quoted(self.opaque)}")
        if self.qop:
            fields += [f"qop={self.qop}", f"nc={nc}", f"cnonce={quoted(cnonce)}"]
        return "Digest " + ", ".join(fields)


class Endpoint:
    """A SPARQL server: its query and Graph Store services, timeouts, retries, credentials."""

    def __init__(self, url: str, query_path: str = DEFAULT_QUERY_PATH, gsp_path: str = DEFAULT_GSP_PATH,
                 timeout: float = DEFAULT_TIMEOUT, retries: int = DEFAULT_RETRIES,
                 backoff: float = DEFAULT_BACKOFF, env: Mapping[str, str] | None = None,
                 max_answer_mb: float = DEFAULT_MAX_ANSWER_MB):
        env = os.environ if env is None else env
        # Everything that could be a secret first, so that no message below can show it.
        self.secrets = tuple(_credential_secrets(env) + _url_secrets(url) + _url_secrets(query_path)
                             + _url_secrets(gsp_path))
        self.authorization = credentials_header(env)
        #: user and password for HTTP Digest, where a server asks for it (not with a token)
        self._user = None if env.get(ENV_TOKEN) else env.get(ENV_USER)
        self._password = env.get(ENV_PASSWORD, "")
        self._digest: _Digest | None = None
        text = (url or "").strip()
        self.url = self._checked_url(text, "--endpoint", base=True).rstrip("/")
        self.query_url = self._service_url(query_path if query_path is not None else DEFAULT_QUERY_PATH,
                                           "--query-path")
        self.gsp_url = self._service_url(gsp_path if gsp_path is not None else DEFAULT_GSP_PATH, "--gsp-path")
        self.timeout = float(timeout)
        self.retries = max(0, int(retries))
        self.backoff = max(0.0, float(backoff))
        self.max_answer_mb = float(max_answer_mb)
        self.max_answer = int(self.max_answer_mb * 1024 * 1024)

    @property
    def shown_url(self) -> str:
        """The endpoint's URL as messages show it."""
        return self.redact(self.url)

    def redact(self, text: str) -> str:
        return redact(text, self.secrets)

    def error(self, message: str, kind: type[EndpointError] = EndpointError) -> EndpointError:
        """An ``EndpointError`` whose message is fit for the terminal (see ``redact``)."""
        return kind(self.redact(message))

    def _checked_url(self, text: str, option: str, base: bool = False) -> str:
        from urllib.parse import urlsplit

        try:
            parts = urlsplit(text)
        except ValueError as exc:
            raise self.error(f"{text}: not an endpoint URL ({exc})") from None
        if parts.username is not None or parts.password is not None or "@" in parts.netloc:
            host = parts.netloc.rsplit("@", 1)[1]
            shown = f"{parts.scheme}://{host}{parts.path}"
            raise self.error(f"{shown}: do not put credentials in the URL"
                             f"{'' if base else f' ({option})'}; set {ENV_USER} and {ENV_PASSWORD}, "
                             f"or {ENV_TOKEN}")
        try:
            parts.port
        except ValueError as exc:
            raise self.error(f"{text}: not an endpoint URL ({exc})") from None
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            raise self.error(f"{text}: not an endpoint URL (give http://host:port/...)")
        if base and (parts.query or parts.fragment):
            raise self.error(f"{text}: give the endpoint URL without '?' or '#'")
        return text

    def _service_url(self, path: str, option: str) -> str:
        """A service's URL: ``path`` under the endpoint, or a full URL (checked as the
        endpoint's is, but it may carry a query)."""
        if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", path) or path.startswith("//"):
            if path.startswith("//"):
                raise self.error(f"{path}: give {option} as a path (/query) or a full http:// URL")
            return self._checked_url(path.strip(), option)
        if path and not path.startswith("/"):
            path = "/" + path
        return self.url + path

    # -- HTTP ---------------------------------------------------------------------------------

    def request(self, method: str, url: str, data: bytes | None = None, headers: dict | None = None,
                doing: str = "", retry_timeouts: bool = True, ok_statuses: tuple[int, ...] = (),
                service: str | None = None) -> _Answer:
        """Send one request, retrying connection errors and 5xx answers with backoff.

        ``--timeout`` bounds each try as a whole (connecting, sending and reading the whole
        answer); an answer is read up to ``--max-answer-mb``, an error answer's body up to a few
        kilobytes; a redirect is never followed. Raises ``EndpointError``: one line
        ``SERVICE: what happened while DOING[: hint]``, redacted.
        """
        import http.client
        import socket
        import urllib.error
        import urllib.request

        headers = dict(headers or {})
        headers.setdefault("User-Agent", "kg (SPARQL client)")
        service = service or url
        where = service
        during = f" while {doing}" if doing else ""
        attempts = self.retries + 1
        direct = _origin(url)[1] in _LOOPBACK
        challenged = False  # a Digest challenge answered for this request (once)
        probing = False  # asking without credentials, to learn what the server wants
        attempt = 0
        while attempt < attempts:
            attempt += 1
            headers.pop("Authorization", None)
            if probing:
                pass
            elif self._digest is not None:
                headers["Authorization"] = self._digest.header(method, url)
            elif self.authorization:
                headers["Authorization"] = self.authorization
            request = urllib.request.Request(url, data=data, headers=headers, method=method)
            hint = ""
            deadline = _Deadline(self.timeout)
            opener = urllib.request.build_opener(*_handlers(deadline, direct))
            try:
                with opener.open(request, timeout=self.timeout) as response:
                    body = _read_bounded(response, self.max_answer)
                if deadline.expired:  # cut off: what was read is not the whole answer
                    raise socket.timeout()
                if probing:  # the server answers without the credentials it refused: not kg's rights
                    raise self.error(f"{where}: HTTP 401 Unauthorized{during}: the server refused the "
                                     "credentials from the environment")
                return _Answer(response.status, response.headers.get("Content-Type", ""), body,
                               _max_rows(response.headers))
            except _TooLarge:
                raise self.error(f"{where}: the answer is larger than {self.max_answer_mb:g} MB{during}; "
                                 "kg reads no more (raise --max-answer-mb if it should)") from None
            except urllib.error.HTTPError as exc:
                body = _error_body(exc)
                content_type = exc.headers.get("Content-Type", "") if exc.headers else ""
                if deadline.expired:
                    timed_out = True
                    problem, hint = self._connection_problem(socket.timeout())
                else:
                    if exc.code in ok_statuses:
                        return _Answer(exc.code, content_type, body)
                    if exc.code == 401 and self._user and not challenged:
                        # not failed tries: the same request again, to answer a Digest challenge,
                        # or without credentials where the server refused Basic without a
                        # challenge (Virtuoso), to learn which scheme it wants
                        if self._answer_digest(exc.headers):
                            challenged, probing = True, False
                            attempt -= 1
                            continue
                        if (not probing and self._digest is None and not _challenges(exc.headers)
                                and service == self.query_url):  # a query changes nothing
                            probing = True
                            attempt -= 1
                            continue
                    if exc.code >= 500 and exc.code not in _FINAL_5XX and attempt < attempts:
                        self._sleep(attempt)
                        continue
                    status = f"HTTP {exc.code} {_reason(exc.code, _short(str(exc.reason or '')))}".rstrip()
                    tries = f" after {attempt} attempts" if attempt > 1 else ""
                    hint = self._http_hint(url, service, exc.code, exc.headers, body, content_type, method)
                    raise self.error(f"{where}: {status}{during}{tries}{hint}") from None
            except urllib.error.URLError as exc:
                timed_out = deadline.expired or isinstance(exc.reason, (socket.timeout, TimeoutError))
                problem, hint = self._connection_problem(socket.timeout() if timed_out else exc.reason)
            except (socket.timeout, TimeoutError) as exc:
                timed_out = True
                problem, hint = self._connection_problem(exc)
            except http.client.RemoteDisconnected:
                timed_out = deadline.expired
                problem = "the server closed the connection without answering"
            except http.client.HTTPException as exc:
                timed_out = deadline.expired
                problem = f"malformed HTTP response ({type(exc).__name__}: {_short(str(exc))})"
            except OSError as exc:
                timed_out = deadline.expired
                problem, hint = self._connection_problem(exc)
            finally:
                deadline.cancel()
            if timed_out:
                problem, hint = self._connection_problem(socket.timeout())
                if not retry_timeouts:
                    raise self.error(f"{where}: {problem}{during}{hint}")
            if attempt < attempts:
                self._sleep(attempt)
                continue
            tries = f" after {attempts} attempts" if attempts > 1 else ""
            raise self.error(f"{where}: {problem}{during}{tries}{hint}")
        raise AssertionError("unreachable")  # pragma: no cover

    def _answer_digest(self, headers) -> bool:
        """Take up the Digest challenge of a 401 answer (the first, or a new nonce); False where
        there is none, or it asks for what kg does not do (raises, saying which)."""
        challenge = _Digest.challenge(headers)
        if challenge is None:
            return False
        try:
            self._digest = _Digest(self._user, self._password, challenge)
        except ValueError as exc:
            raise self.error(f"{self.url}: the server asks for HTTP Digest with {exc}, which kg does not "
                             "support (kg does MD5, SHA-256 and SHA-512-256 with qop=auth)") from None
        return True

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

    def _http_hint(self, url: str, service: str, code: int, headers, body: bytes, content_type: str,
                   method: str) -> str:
        detail = self.redact(_body_line(body, content_type))
        said = f": the server says {detail!r}" if detail else ""
        option = "--gsp-path" if service == self.gsp_url else "--query-path"
        if code == 401:
            if self.authorization:
                return ": the server refused the credentials from the environment"
            return f": the server wants credentials; set {ENV_USER} and {ENV_PASSWORD}, or {ENV_TOKEN}"
        if code == 403:
            if self.authorization:
                return f": these credentials may not {method} here{said}"
            return f": the server forbids {method} here without credentials{said}; set {ENV_USER} and {ENV_PASSWORD}, or {ENV_TOKEN}"
        if code == 404:
            if service == self.gsp_url:
                return ": no Graph Store service at this path; set --gsp-path (Oxigraph: /store, Fuseki: /data)"
            if service == self.query_url:
                return ": no SPARQL query service at this path; set --query-path (Oxigraph and Fuseki: /query)"
            return said
        if 300 <= code < 400:
            from urllib.parse import urljoin

            location = (headers.get("Location") or "").strip() if headers else ""
            if not location:
                return ": a redirect without a Location; kg follows no redirect"
            target = urljoin(url, location)
            if _origin(target) != _origin(url):
                return (f": the server redirects to another origin, {target}; kg follows no redirect, "
                        f"so that credentials never leave the endpoint's origin; give {option} the service's own URL")
            return f": the server redirects to {target.split('#')[0]}; kg follows no redirect: give that URL ({option})"
        return said

    # -- SPARQL 1.1 Protocol ------------------------------------------------------------------

    def query(self, query: str, accept: str, retry_timeouts: bool = False, doing: str = "querying",
              dataset: Dataset | None = None) -> _Answer:
        """POST a query (form-encoded, as every SPARQL 1.1 server accepts), naming ``dataset``
        with ``default-graph-uri`` and ``named-graph-uri`` where given."""
        from urllib.parse import urlencode

        fields = [("query", query)]
        if dataset is not None:
            fields += [("default-graph-uri", g) for g in dataset.default]
            fields += [("named-graph-uri", g) for g in dataset.named]
        data = urlencode(fields).encode("utf-8")
        headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8", "Accept": accept}
        return self.request("POST", self.query_url, data, headers, doing=doing, retry_timeouts=retry_timeouts,
                            service=self.query_url)

    def select(self, query: str, doing: str = "querying", dataset: Dataset | None = None) -> SelectResult:
        answer = self.query(query, f"{SPARQL_JSON}, application/json;q=0.9", doing=doing, dataset=dataset)
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
            raise self.error(f"{self.query_url}: malformed response: not SPARQL 1.1 JSON results "
                             f"of a SELECT query{self._peek(answer.body)}") from None
        self._check_cap(answer, len(rows), "rows", doing)
        return SelectResult(variables, rows)

    def _check_cap(self, answer: _Answer, count: int, what: str, doing: str) -> None:
        """A server that cuts an answer at its row limit still answers 200 OK; Virtuoso says so
        only in an ``X-SPARQL-MaxRows`` header. Such an answer is refused, never shown as if whole."""
        if answer.max_rows is not None and count >= answer.max_rows:
            raise self.error(f"{self.query_url}: the server cut its answer at {answer.max_rows} {what} while "
                             f"{doing} (X-SPARQL-MaxRows), the rest is missing; raise the server's limit "
                             "(Virtuoso: ResultSetMaxRows in the [SPARQL] section of virtuoso.ini)")

    def ask(self, query: str, doing: str = "querying", dataset: Dataset | None = None) -> bool:
        answer = self.query(query, f"{SPARQL_JSON}, application/json;q=0.9", doing=doing, dataset=dataset)
        doc = self._json(answer)
        value = doc.get("boolean") if isinstance(doc, dict) else None
        if not isinstance(value, bool):
            raise self.error(f"{self.query_url}: malformed response: not the SPARQL 1.1 JSON result "
                             f"of an ASK query{self._peek(answer.body)}")
        return value

    def construct(self, query: str, dataset: Dataset | None = None) -> bytes:
        import pyoxigraph as ox

        answer = self.query(query, f"{N_TRIPLES}, text/turtle;q=0.9, application/rdf+xml;q=0.5",
                            dataset=dataset)
        media = answer.content_type.split(";", 1)[0].strip().lower()
        fmt = ox.RdfFormat.from_media_type(media) if media else ox.RdfFormat.N_TRIPLES
        if fmt is None and media == "text/plain":
            fmt = ox.RdfFormat.N_TRIPLES
        if fmt is None:
            raise self.error(f"{self.query_url}: malformed response: an RDF graph was asked for, "
                             f"the server sent {media or 'no content type'}")
        try:
            triples = list(ox.parse(answer.body, format=fmt, base_iri=None))
        except (SyntaxError, ValueError, TypeError) as exc:
            raise self.error(f"{self.query_url}: malformed response: not {fmt.name}: "
                             f"{_short(str(exc))}") from None
        self._check_cap(answer, len(triples), "triples", "querying")
        return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""

    def _peek(self, body: bytes) -> str:
        return _peek(body, self.secrets)

    def _json(self, answer: _Answer):
        """The answer's JSON. Nesting is bounded by the interpreter's recursion limit (a SPARQL
        JSON result is five levels deep), size by --max-answer-mb."""
        try:
            return json.loads(answer.body.decode("utf-8"))
        except RecursionError:
            raise self.error(f"{self.query_url}: malformed response: nested too deeply to be SPARQL "
                             "JSON results") from None
        except MemoryError:
            raise self.error(f"{self.query_url}: the answer does not fit in memory; lower --max-answer-mb "
                             "or ask for fewer rows") from None
        except (UnicodeDecodeError, ValueError):
            raise self.error(f"{self.query_url}: malformed response: not JSON "
                             f"({answer.content_type or 'no content type'}){self._peek(answer.body)}") from None

    # -- the dataset kg's queries see -----------------------------------------------------------

    def our_graphs(self) -> list[str]:
        """The named graphs of kg's (``graph:`` namespace) on the server, sorted.

        ``GRAPH ?g { }`` lists the named graphs without reading them (Oxigraph, Fuseki); where it
        lists none of kg's (Virtuoso answers it with no row at all), the graphs that hold a
        triple are asked for."""
        ours = str(GRAPH)

        def found(result) -> list[str]:
            return sorted(row["g"].value for row in result.rows
                          if "g" in row and row["g"].type == "uri" and row["g"].value.startswith(ours))

        graphs = found(self.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }", doing="querying"))
        if graphs:
            return graphs
        prefix = Term("literal", ours).n3()
        return found(self.select(f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "
                                 f"{prefix})) }}", doing="querying"))

    def _sample(self) -> str | None:
        """One triple of kg's graphs without blank nodes, as an ASK pattern, or None."""
        ours = Term("literal", str(GRAPH)).n3()
        result = self.select(
            f"SELECT ?s ?p ?o WHERE {{ GRAPH ?g {{ ?s ?p ?o FILTER(!isBlank(?s) && !isBlank(?o)) }} "
            f"FILTER(STRSTARTS(STR(?g), {ours})) }} LIMIT 1", doing="querying")
        if not result.rows or {"s", "p", "o"} - set(result.rows[0]):
            return None
        row = result.rows[0]
        try:
            return " ".join(value_n3(v, row[v]) for v in ("s", "p", "o"))
        except QueryError:
            return None

    def dataset_for_queries(self, graphs: list[str]) -> Dataset | None:
        """How requests must name their dataset so that kg's queries see ``graphs`` (kg's graphs
        on the server) as their default graph: None where the server's default graph already
        shows them (a union default graph), else the graphs themselves as ``default-graph-uri``
        and ``named-graph-uri``. Raises ``EndpointError``, with the fix, where the server shows
        them neither way."""
        if not graphs:
            return None
        sample = self._sample()
        probe = f"ASK {{ {sample} }}" if sample else "ASK { ?s ?p ?o }"
        doing = "querying"
        if self.ask(probe, doing=doing):
            return None
        dataset = Dataset(tuple(graphs), tuple(graphs))
        if self.ask(probe, doing=doing, dataset=dataset):
            return dataset
        raise self.error(f"{self.url}: the server does not show kg's graphs in the default graph, nor in the "
                         f"dataset a request names (default-graph-uri); {UNION_FIX}", GraphsNotVisible)

    def covers(self, dataset: Dataset | None) -> bool:
        """Whether every triple of kg's graphs is in the default graph that queries see."""
        ours = Term("literal", str(GRAPH)).n3()
        return not self.ask(f"ASK {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), {ours})) "
                            "FILTER NOT EXISTS { ?s ?p ?o } }", doing="checking that queries see every triple",
                            dataset=dataset)

    # -- Graph Store HTTP Protocol ------------------------------------------------------------

    def _graph_url(self, graph: str) -> str:
        from urllib.parse import quote

        sep = "&" if "?" in self.gsp_url else "?"
        return f"{self.gsp_url}{sep}graph={quote(graph, safe='')}"

    def put_graph(self, graph: str, ntriples: bytes) -> None:
        """Replace one named graph with N-Triples (PUT: all or nothing on the server)."""
        answer = self.request("PUT", self._graph_url(graph), ntriples,
                              {"Content-Type": N_TRIPLES}, doing=f"replacing <{graph}>", service=self.gsp_url)
        if not 200 <= answer.status < 300:
            raise self.error(f"{self.gsp_url}: HTTP {answer.status} while replacing <{graph}>")

    def delete_graph(self, graph: str) -> None:
        """Remove one named graph (a graph already gone is fine)."""
        self.request("DELETE", self._graph_url(graph), doing=f"removing <{graph}>", ok_statuses=(404,),
                     service=self.gsp_url)

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
                raise self.error(f"{self.query_url}: malformed response: a graph count is not a number") from None
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
    if not iri or IRI_BAD.search(iri) or ":" not in iri:
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


def _peek(body: bytes, secrets=()) -> str:
    """The start of an unusable answer, redacted before it is quoted."""
    text = redact(body[:ERROR_BODY_LIMIT].decode("utf-8", "replace").strip(), secrets)
    return f": {_short(text, 60)!r}" if text else " (empty)"


# --- the engine ------------------------------------------------------------------------------


class EndpointEngine:
    """A SPARQL 1.1 server as a query engine (SPARQL 1.1 Protocol, POST).

    Parameters are bound with a VALUES block (``bind_values``). Queries see kg's graphs on the
    server (``graph:`` namespace) as their default graph, as on every engine: where the server's
    default graph does not already show them (no union default graph), each request names its
    dataset (``default-graph-uri`` and ``named-graph-uri``: kg's graphs); a query with its own
    ``FROM`` keeps its own. A server with no graph of kg's is queried as it is.
    """

    def __init__(self, url: str, query_path: str = DEFAULT_QUERY_PATH, timeout: float = DEFAULT_TIMEOUT,
                 retries: int = DEFAULT_RETRIES, backoff: float = DEFAULT_BACKOFF,
                 env: Mapping[str, str] | None = None, max_answer_mb: float = DEFAULT_MAX_ANSWER_MB):
        self.endpoint = Endpoint(url, query_path=query_path, timeout=timeout, retries=retries,
                                 backoff=backoff, env=env, max_answer_mb=max_answer_mb)
        self.name = self.endpoint.shown_url
        self._graphs: list[str] | None = None
        self._dataset: Dataset | None = None
        self._resolved = False

    def graphs(self) -> list[str]:
        """kg's graphs on the server (asked once)."""
        if self._graphs is None:
            self._graphs = self.endpoint.our_graphs()
        return self._graphs

    def dataset(self) -> Dataset | None:
        """The dataset requests name (None: the server's default graph), found once."""
        if not self._resolved:
            self._dataset = self.endpoint.dataset_for_queries(self.graphs())
            self._resolved = True
        return self._dataset

    def _dataset_for(self, query: str) -> Dataset | None:
        return self.dataset() if union_default_graph(query) else None

    def require_graphs(self) -> None:
        """Make sure the queries see kg's graphs, every triple of them (``kg check`` never
        passes on a graph it cannot see): the server must hold graphs of kg's, and no triple of
        them may be missing from the default graph that queries see."""
        url = self.endpoint.url
        if not self.graphs():
            raise self.endpoint.error(f"{url}: the server has no graph of kg's ({GRAPH}...); load the "
                                      f"build first: kg load --endpoint {url}")
        if self.endpoint.covers(self.dataset()):
            return
        if self.dataset() is None:  # the default graph shows some of kg's triples, not all
            named = Dataset(tuple(self.graphs()), tuple(self.graphs()))
            if self.endpoint.covers(named):
                self._dataset = named
                return
        raise self.endpoint.error(f"{url}: queries on the server do not see every triple of kg's graphs; "
                                  f"{UNION_FIX}", GraphsNotVisible)

    def select(self, query: str, bindings: dict[str, Term]) -> SelectResult:
        text = bind_values(query, bindings)
        return self.endpoint.select(text, dataset=self._dataset_for(text))

    def select_stream(self, query: str, bindings: dict[str, Term]) -> SelectStream:
        """The server's answer is read whole (a bounded size), then handed on row by row."""
        result = self.select(query, bindings)
        return SelectStream(result.variables, iter(result.rows))

    def ask(self, query: str, bindings: dict[str, Term]) -> bool:
        text = bind_values(query, bindings)
        return self.endpoint.ask(text, dataset=self._dataset_for(text))

    def construct(self, query: str, bindings: dict[str, Term]) -> bytes:
        text = bind_values(query, bindings)
        return self.endpoint.construct(text, dataset=self._dataset_for(text))
