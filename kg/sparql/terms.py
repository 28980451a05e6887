"""Query results as plain values: ``Term`` (the shape of the W3C SPARQL 1.1 Query Results
JSON format), ``SelectResult``/``SelectStream``, ``QueryError`` and the ``Engine`` protocol
that every engine (``kg.engines``) follows, so that formatting results needs neither rdflib nor
pyoxigraph.

Every engine queries the union of the named graphs as its default graph.
"""
from __future__ import annotations

import re

from dataclasses import dataclass, field
from typing import Iterator, Protocol

from ..errors import KgError


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
#: a character no IRI may hold in SPARQL or N-Triples (``<...>``): controls, space and ``<>"{}|^`\``
IRI_BAD = re.compile(r'[\x00-\x20<>"{}|^`\\]')

Row = dict[str, Term]  # an unbound variable is absent


@dataclass
class SelectResult:
    variables: list[str]
    rows: list[Row]
    #: the label columns kg added (``kg.sparql.results.with_labels``): label variable -> the IRI variable
    labels: dict[str, str] = field(default_factory=dict)


@dataclass
class SelectStream:
    """A SELECT query's result read as it comes: ``rows`` can be iterated once. Writing it out
    row by row (``kg.sparql.results.write_csv`` ...) holds only a few rows in memory at a time."""

    variables: list[str]
    rows: Iterator[Row]
    #: the label columns kg added (``kg.sparql.results.with_labels``): label variable -> the IRI variable
    labels: dict[str, str] = field(default_factory=dict)


class QueryError(KgError):
    """A query failed in the engine (syntax error, timeout, server error)."""


class Engine(Protocol):
    """What every engine does. ``bindings`` maps variable names (without ``?``) to terms."""

    name: str

    def select(self, query: str, bindings: dict[str, Term]) -> SelectResult: ...

    def ask(self, query: str, bindings: dict[str, Term]) -> bool: ...

    def select_stream(self, query: str, bindings: dict[str, Term]) -> SelectStream:
        """A SELECT query's rows, read as they come."""
        ...

    def construct(self, query: str, bindings: dict[str, Term]) -> bytes:
        """A CONSTRUCT or DESCRIBE query's graph, as N-Triples."""
        ...
