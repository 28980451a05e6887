"""A validation's result, as pySHACL keeps it: a machine-readable report graph beside ``Result``
rows that name the fact file and line behind each focus node; and its renderings (text, JSON,
the report graph, a one-line summary). Both engines (``facade``, ``fast``) return a ``Report``."""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from rdflib import Graph, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from ... import namespaces as ns
from ...errors import KgError

SEVERITY_NAMES = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}
_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}


@dataclass(frozen=True)
class Result:
    severity: str
    focus: Node
    path: Node | None
    message: str
    shape: Node | None
    value: Node | None
    origin: tuple[str, int] | None

    def sort_key(self):
        origin = self.origin or ("~", 0)
        return (origin, _ORDER.get(self.severity, 3), str(self.focus), str(self.path or ""),
                self.message, str(self.value or ""))


@dataclass
class Report:
    results: list[Result] = field(default_factory=list)
    graph: Graph = field(default_factory=Graph)

    @property
    def conforms(self) -> bool:
        """Warnings and infos are allowed; a violation is not."""
        return not any(r.severity == "Violation" for r in self.results)

    def count(self, severity: str) -> int:
        return sum(1 for r in self.results if r.severity == severity)

    def extend(self, other: "Report") -> None:
        self.results.extend(other.results)
        self.graph += other.graph

    def sorted(self) -> list[Result]:
        return sorted(self.results, key=Result.sort_key)


class ShapesError(KgError):
    """A shape is malformed, or cannot be checked (a SPARQL constraint that fails or runs too
    long): the CLI prints it as one line naming the shapes file and the shape, and exits 2."""


def report_graph(report: Report) -> Graph:
    """The results as a SHACL validation report graph (one sh:ValidationResult each; blank-node
    paths are left out). The graph pySHACL returned is used where the report still has it."""
    if len(report.graph):
        return report.graph
    from rdflib import BNode, Literal
    from rdflib.namespace import RDF

    g = Graph()
    ns.bind_prefixes(g)
    root = BNode("report")
    g.add((root, RDF.type, SH.ValidationReport))
    g.add((root, SH.conforms, Literal(report.conforms)))
    by_name = {v: k for k, v in SEVERITY_NAMES.items()}
    for i, r in enumerate(report.sorted()):
        node = BNode(f"result{i + 1}")
        g.add((root, SH.result, node))
        g.add((node, RDF.type, SH.ValidationResult))
        g.add((node, SH.resultSeverity, by_name.get(r.severity, SH.Violation)))
        g.add((node, SH.focusNode, r.focus))
        g.add((node, SH.resultMessage, Literal(r.message)))
        if isinstance(r.path, URIRef):
            g.add((node, SH.resultPath, r.path))
        if isinstance(r.shape, URIRef):
            g.add((node, SH.sourceShape, r.shape))
        if r.value is not None:
            g.add((node, SH.value, r.value))
    return g


def short(graph: Graph, node: Node | None) -> str:
    """A node as a prefixed name where one of our prefixes fits."""
    if node is None:
        return "-"
    if isinstance(node, URIRef):
        try:
            return graph.namespace_manager.normalizeUri(node)
        except Exception:  # pragma: no cover - rdflib refuses some IRIs
            return f"<{node}>"
    return node.n3()


def format_text(report: Report) -> str:
    """One line per result: severity, focus node, path, message, fact file and line."""
    g = Graph()
    ns.bind_prefixes(g)
    lines = []
    for r in report.sorted():
        origin = f"{r.origin[0]}:{r.origin[1]}" if r.origin else "-"
        lines.append(f"{r.severity}: {short(g, r.focus)} {short(g, r.path)}: {r.message} ({origin})")
    return "\n".join(lines)


def format_json(report: Report) -> str:
    rows = []
    for r in report.sorted():
        rows.append({
            "severity": r.severity,
            "focusNode": str(r.focus),
            "resultPath": str(r.path) if r.path is not None else None,
            "message": r.message,
            "sourceShape": str(r.shape) if isinstance(r.shape, URIRef) else None,
            "value": str(r.value) if r.value is not None else None,
            "file": r.origin[0] if r.origin else None,
            "line": r.origin[1] if r.origin else None,
        })
    return json.dumps({"conforms": report.conforms, "results": rows}, indent=2, ensure_ascii=False)


def summary(report: Report) -> str:
    v, w, i = (report.count(s) for s in ("Violation", "Warning", "Info"))
    return f"{v} violation{'s' * (v != 1)}, {w} warning{'s' * (w != 1)}, {i} info{'s' * (i != 1)}"
