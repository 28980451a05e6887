"""Query engines: the same SELECT/ASK/CONSTRUCT run by rdflib, by Oxigraph (in memory or an
on-disk store) or by a SPARQL 1.1 server, with parameters bound by the engine.

Results are plain ``Term`` values (the shape of the W3C SPARQL 1.1 Query Results JSON format),
so formatting them needs neither rdflib nor pyoxigraph.

Every engine queries the union of the named graphs as its default graph.
"""
from __future__ import annotations

import ctypes
import queue
import threading
import time
from dataclasses import dataclass
from typing import Callable, Iterator, Protocol, TypeVar

from .errors import KgError

T = TypeVar("T")


@dataclass(frozen=True)
class Term:
    """An RDF term: ``type`` is ``uri``, ``literal`` or ``bnode`` (as in SPARQL JSON results)."""

    type: str
    value: str
    datatype: str | None = None
    lang: str | None = None

    def n3(self) -> str:
        """The term in N-Triples / SPARQL syntax (escaped)."""
        if self.type == "uri":
            return f"<{self.value}>"
        if self.type == "bnode":
            return f"_:{self.value}"
        text = (self.value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
                .replace("\r", "\\r"))
        if self.lang:
            return f'"{text}"@{self.lang}'
        if self.datatype and self.datatype != XSD_STRING:
            return f'"{text}"^^<{self.datatype}>'
        return f'"{text}"'

    def to_json(self) -> dict:
        out = {"type": self.type, "value": self.value}
        if self.lang:
            out["xml:lang"] = self.lang
        elif self.datatype and self.datatype != XSD_STRING:
            out["datatype"] = self.datatype
        return out


XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD + "string"

Row = dict[str, Term]  # an unbound variable is absent


@dataclass
class SelectResult:
    variables: list[str]
    rows: list[Row]


@dataclass
class SelectStream:
    """A SELECT query's result read as it comes: ``rows`` can be iterated once. Writing it out
    row by row (``kg.results.write_csv`` ...) holds only a few rows in memory at a time."""

    variables: list[str]
    rows: Iterator[Row]


class QueryError(KgError):
    """A query failed in the engine (syntax error, timeout, server error)."""


class Engine(Protocol):
    """What every engine does. ``bindings`` maps variable names (without ``?``) to terms."""

    name: str

    def select(self, query: str, bindings: dict[str, Term]) -> SelectResult: ...

    def ask(self, query: str, bindings: dict[str, Term]) -> bool: ...

    def construct(self, query: str, bindings: dict[str, Term]) -> bytes:
        """A CONSTRUCT or DESCRIBE query's graph, as N-Triples."""
        ...


# --- rdflib ----------------------------------------------------------------------------------


def to_rdflib(term: Term):
    from rdflib import BNode, Literal, URIRef

    if term.type == "uri":
        return URIRef(term.value)
    if term.type == "bnode":
        return BNode(term.value)
    if term.lang:
        return Literal(term.value, lang=term.lang)
    # rdflib keeps a simple literal ("x") apart from "x"^^xsd:string, though RDF 1.1 makes
    # them one term: bind the form that rdflib's parsers make, or a string would match nothing
    return Literal(term.value, datatype=None if term.datatype in (None, XSD_STRING) else term.datatype)


def from_rdflib(node) -> Term:
    from rdflib import BNode, Literal

    if isinstance(node, Literal):
        datatype = str(node.datatype) if node.datatype else (None if node.language else XSD_STRING)
        return Term("literal", str(node), datatype, node.language)
    if isinstance(node, BNode):
        return Term("bnode", str(node))
    return Term("uri", str(node))


class RdflibEngine:
    """rdflib over a dataset whose default graph is the union of its named graphs.

    ``timeout`` (seconds) stops a query that runs longer, with a ``QueryError``. A query's
    ``FROM`` and ``FROM NAMED`` name graphs of the dataset: rdflib never fetches them from the
    web or reads them from files (as it otherwise would for a graph the dataset lacks).
    """

    name = "rdflib"

    def __init__(self, dataset, timeout: float | None = None):
        self.dataset = dataset
        self.timeout = timeout

    @classmethod
    def from_file(cls, path, fmt: str = "trig", timeout: float | None = None) -> "RdflibEngine":
        from rdflib import Dataset

        ds = Dataset(default_union=True)
        ds.parse(path, format=fmt)
        return cls(ds, timeout=timeout)

    def _run(self, query: str, bindings: dict[str, Term]):
        """The raw result of rdflib's SPARQL processor: a dict whose ``bindings`` (SELECT) is
        a generator, evaluated as it is read."""
        import rdflib.plugins.sparql as rdflib_sparql
        from rdflib.plugins.sparql import prepareQuery
        from rdflib.plugins.sparql.processor import SPARQLProcessor

        rdflib_sparql.SPARQL_LOAD_GRAPHS = False  # FROM <url> never fetches anything
        try:
            prepared = prepareQuery(query)
        except Exception as exc:
            raise QueryError(f"SPARQL syntax error: {exc}") from None
        init = {k: to_rdflib(v) for k, v in bindings.items()}
        return SPARQLProcessor(self.dataset).query(prepared, initBindings=init)

    def _rows(self, query: str, bindings: dict[str, Term]) -> tuple[list[str], Iterator[Row]]:
        res = self._run(query, bindings)
        if res.get("type_") != "SELECT":
            raise QueryError("not a SELECT query")
        names = list(res.get("vars_") or [])
        variables = [str(v) for v in names]

        def rows() -> Iterator[Row]:
            for solution in res["bindings"]:
                row = {}
                for name, var in zip(variables, names):
                    value = solution.get(var)
                    if value is not None:
                        row[name] = from_rdflib(value)
                if row:  # as rdflib's own results do, a row with nothing bound is left out
                    yield row

        return variables, rows()

    def select(self, query: str, bindings: dict[str, Term]) -> SelectResult:
        def work() -> SelectResult:
            variables, rows = self._rows(query, bindings)
            return SelectResult(variables, list(rows))

        return run_with_timeout(work, self.timeout, self.name)

    def select_stream(self, query: str, bindings: dict[str, Term]) -> SelectStream:
        return _stream(lambda: self._rows(query, bindings), self.timeout, self.name)

    def ask(self, query: str, bindings: dict[str, Term]) -> bool:
        def work() -> bool:
            res = self._run(query, bindings)
            if res.get("type_") != "ASK":
                raise QueryError("not an ASK query")
            return bool(res.get("askAnswer"))

        return run_with_timeout(work, self.timeout, self.name)

    def construct(self, query: str, bindings: dict[str, Term]) -> bytes:
        def work() -> bytes:
            res = self._run(query, bindings)
            if res.get("type_") not in ("CONSTRUCT", "DESCRIBE"):
                raise QueryError("not a CONSTRUCT or DESCRIBE query")
            graph = res["graph"]
            return graph.serialize(format="nt", encoding="utf-8")

        return run_with_timeout(work, self.timeout, self.name)


# --- streaming and timeouts ------------------------------------------------------------------


def union_default_graph(query: str) -> bool:
    """Whether Oxigraph should take the union of the named graphs as the default graph: yes,
    unless the query names its own dataset (``FROM``/``FROM NAMED``), which Oxigraph would
    otherwise ignore."""
    import re

    from .query import blank_out

    return re.search(r"\bFROM\b", blank_out(query), re.IGNORECASE) is None


def select_stream(engine: Engine, query: str, bindings: dict[str, Term]) -> SelectStream:
    """Run a SELECT query and read its rows as they come, with any engine.

    An engine with a ``select_stream`` method streams; an Oxigraph engine (``kg.store``) is
    streamed from its pyoxigraph store; any other engine's ``select`` result is handed on.
    """
    own = getattr(engine, "select_stream", None)
    if own is not None:
        return own(query, bindings)
    store = getattr(engine, "store", None)
    if store is not None and type(store).__module__.startswith("pyoxigraph"):
        return _oxigraph_stream(engine, query, bindings)
    result = engine.select(query, bindings)
    return SelectStream(result.variables, iter(result.rows))


def _oxigraph_stream(engine, query: str, bindings: dict[str, Term]) -> SelectStream:
    """Rows of an Oxigraph engine's store, converted one at a time."""

    def start() -> tuple[list[str], Iterator[Row]]:
        import pyoxigraph as ox

        from .store import from_oxigraph, to_oxigraph

        substitutions = {ox.Variable(k): to_oxigraph(v) for k, v in bindings.items()}
        try:
            result = engine.store.query(query, use_default_graph_as_union=union_default_graph(query),
                                        substitutions=substitutions or None)
        except SyntaxError as exc:
            raise QueryError(f"SPARQL syntax error: {_first_line(exc)}") from None
        except (OSError, RuntimeError) as exc:
            raise QueryError(f"the query failed in {engine.name}: {_first_line(exc)}") from None
        if not isinstance(result, ox.QuerySolutions):
            raise QueryError("not a SELECT query")
        variables = [v.value for v in result.variables]

        def rows() -> Iterator[Row]:
            try:
                for solution in result:
                    row = {}
                    for i, var in enumerate(variables):
                        value = solution[i]
                        if value is not None:
                            row[var] = from_oxigraph(value)
                    yield row
            except (OSError, RuntimeError) as exc:
                raise QueryError(f"the query failed in {engine.name}: {_first_line(exc)}") from None

        return variables, rows()

    return _stream(start, getattr(engine, "timeout", None), engine.name)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _timeout_error(timeout: float, name: str) -> QueryError:
    return QueryError(f"the query ran longer than {timeout:g} s in {name} (--timeout)")


def _cancel(thread: threading.Thread) -> None:
    """Raise an exception in ``thread`` at its next Python instruction (a pure-Python engine,
    rdflib, stops there; a native one stops when it hands back a row)."""
    if thread.ident is not None and thread.is_alive():
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread.ident), ctypes.py_object(_Cancelled))


class _Cancelled(BaseException):
    """Raised inside a query thread whose query ran over its time."""


def run_with_timeout(work: Callable[[], T], timeout: float | None, name: str) -> T:
    """``work()``; with a timeout, in a worker thread that is stopped (or, when it is inside
    native code that cannot be stopped, abandoned) when it runs over."""
    if timeout is None:
        return work()
    outcome: dict = {}

    def target():
        try:
            outcome["value"] = work()
        except _Cancelled:
            pass
        except BaseException as exc:  # handed to the caller's thread
            outcome["error"] = exc

    worker = threading.Thread(target=target, name="kg-query", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        _cancel(worker)
        raise _timeout_error(timeout, name)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


#: rows handed from the query thread to the writer at a time, and how many such batches wait
_BATCH = 500
_QUEUED = 8


def _stream(start: Callable[[], tuple[list[str], Iterator[Row]]], timeout: float | None,
            name: str) -> SelectStream:
    """Run ``start()`` (the query: its variables and its rows) and read the rows as they come.

    With a timeout, the query runs in a worker thread that hands rows over in small batches
    through a bounded queue (so memory holds a few thousand rows at most); the query may spend
    ``timeout`` seconds in all producing them (time the reader spends writing rows out is not
    counted).
    """
    if timeout is None:
        variables, rows = start()
        return SelectStream(variables, rows)
    handoff: queue.Queue = queue.Queue(maxsize=_QUEUED)
    stop = threading.Event()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                handoff.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def target():
        try:
            variables, rows = start()
            if not put(("variables", variables)):
                return
            batch = []
            for row in rows:
                batch.append(row)
                if len(batch) >= _BATCH:
                    if not put(("rows", batch)):
                        return
                    batch = []
            if put(("rows", batch)):
                put(("done", None))
        except _Cancelled:
            pass
        except BaseException as exc:  # handed to the reader's thread
            put(("error", exc))

    worker = threading.Thread(target=target, name="kg-query-stream", daemon=True)
    worker.start()
    budget = [float(timeout)]

    def take():
        began = time.monotonic()
        try:
            item = handoff.get(timeout=max(budget[0], 0.0))
        except queue.Empty:
            stop.set()
            _cancel(worker)
            raise _timeout_error(timeout, name) from None
        budget[0] -= time.monotonic() - began
        if item[0] == "error":
            stop.set()
            raise item[1]
        return item

    first = take()
    assert first[0] == "variables"

    def rows() -> Iterator[Row]:
        try:
            while True:
                kind, value = take()
                if kind == "done":
                    return
                yield from value
        finally:
            stop.set()

    return SelectStream(first[1], rows())
