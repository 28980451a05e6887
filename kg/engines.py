"""Query engines: the same SELECT/ASK/CONSTRUCT run by rdflib, by Oxigraph (in memory or an
on-disk store) or by a SPARQL 1.1 server, with parameters bound by the engine.

Results are plain ``Term`` values (the shape of the W3C SPARQL 1.1 Query Results JSON format),
so formatting them needs neither rdflib nor pyoxigraph.

Every engine queries the union of the named graphs as its default graph.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from .errors import KgError


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
    return Literal(term.value, lang=term.lang, datatype=None if term.lang else term.datatype)


def from_rdflib(node) -> Term:
    from rdflib import BNode, Literal

    if isinstance(node, Literal):
        datatype = str(node.datatype) if node.datatype else (None if node.language else XSD_STRING)
        return Term("literal", str(node), datatype, node.language)
    if isinstance(node, BNode):
        return Term("bnode", str(node))
    return Term("uri", str(node))


class RdflibEngine:
    """rdflib over a dataset whose default graph is the union of its named graphs."""

    name = "rdflib"

    def __init__(self, dataset):
        self.dataset = dataset

    @classmethod
    def from_file(cls, path, fmt: str = "trig") -> "RdflibEngine":
        from rdflib import Dataset

        ds = Dataset(default_union=True)
        ds.parse(path, format=fmt)
        return cls(ds)

    def _run(self, query: str, bindings: dict[str, Term]):
        from rdflib.plugins.sparql import prepareQuery

        try:
            prepared = prepareQuery(query)
        except Exception as exc:
            raise QueryError(f"SPARQL syntax error: {exc}") from None
        init = {k: to_rdflib(v) for k, v in bindings.items()}
        return self.dataset.query(prepared, initBindings=init)

    def select(self, query: str, bindings: dict[str, Term]) -> SelectResult:
        result = self._run(query, bindings)
        variables = [str(v) for v in result.vars]
        rows = []
        for row in result:
            rows.append({v: from_rdflib(row[i]) for i, v in enumerate(variables) if row[i] is not None})
        return SelectResult(variables, rows)

    def ask(self, query: str, bindings: dict[str, Term]) -> bool:
        return bool(self._run(query, bindings).askAnswer)

    def construct(self, query: str, bindings: dict[str, Term]) -> bytes:
        graph = self._run(query, bindings).graph
        return graph.serialize(format="nt", encoding="utf-8")
