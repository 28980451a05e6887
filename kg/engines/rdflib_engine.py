"""rdflib as a query engine, over an in-memory ``Dataset``: the reference engine."""
from __future__ import annotations

from typing import Iterator

from ..sparql.terms import XSD_STRING, QueryError, Row, SelectResult, SelectStream, Term
from ..sparql.timeout import run_with_timeout, stream_with_timeout


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
        return stream_with_timeout(lambda: self._rows(query, bindings), self.timeout, self.name)

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
