"""A fast SHACL validator for the constraint components ``ontology/shapes.ttl`` uses.

pySHACL stays the reference (``--engine reference``); this engine gives the same results
(focus node, path, source shape, severity, message, value) for the components below, and
``tests/test_fastpath.py`` checks it against pySHACL on every shape fixture, the seed data and
a generated corpus with seeded violations.

- Core components (``sh:minCount``, ``sh:maxCount``, ``sh:class``, ``sh:datatype``,
  ``sh:nodeKind``, ``sh:pattern``, ``sh:in``, ``sh:hasValue``, ``sh:minInclusive``,
  ``sh:maxInclusive``, ``sh:or``, ``sh:xone``, ``sh:not``, ``sh:node``, ``sh:qualifiedValueShape``
  with ``sh:qualifiedMinCount``/``MaxCount``) and SHACL property paths are evaluated in Python over
  dictionaries: an article's graph is a few hundred triples, where a dictionary look-up is far
  cheaper than a query's set-up.
- SPARQL-based constraints (``sh:sparql`` with ``sh:select``) run in Oxigraph, on a small
  in-memory store holding the data graph (for an article: its triples and the reference
  entities it uses, with the links between them followed).

``Shapes.compile`` reads the shapes graph once; ``Shapes.validate`` checks one data graph.
A shape using a component not listed raises ``Unsupported`` so that the caller can fall back to
pySHACL rather than silently skip it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, XSD
from rdflib.term import Node

from .validate import SEVERITY_NAMES, Report, Result
from .namespaces import Cached  # noqa: E402

RDF = Cached(RDF)
RDFS = Cached(RDFS)
SH = Cached(SH)
XSD = Cached(XSD)

_SUPPORTED = {
    SH.path, SH.minCount, SH.maxCount, SH["class"], SH.datatype, SH.nodeKind, SH.pattern, SH["in"],
    SH.hasValue, SH.minInclusive, SH.maxInclusive, SH["or"], SH.xone, SH["not"], SH.node,
    SH.qualifiedValueShape, SH.qualifiedMinCount, SH.qualifiedMaxCount,
    SH.property, SH.sparql, SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf,
    SH.message, SH.severity, SH.name, SH.description, SH.deactivated, SH.order, SH.group, SH.flags,
    RDF.type, RDFS.label, RDFS.comment, SH.declare, SH.prefixes, SH.defaultValue,
}


class Unsupported(Exception):
    """The shapes use a SHACL feature this engine does not implement."""


class Index:
    """Triples as dictionaries: subject -> predicate -> objects, and the reverse."""

    def __init__(self, triples: Iterable[tuple[Node, Node, Node]] = (), base: "Index | None" = None):
        self.spo: dict[Node, dict[Node, list[Node]]] = {}
        self.ops: dict[Node, dict[Node, list[Node]]] = {}
        self.base = base
        for t in triples:
            self.add(t)

    def add(self, t) -> None:
        s, p, o = t
        objs = self.spo.setdefault(s, {}).setdefault(p, [])
        if o in objs:
            return
        objs.append(o)
        self.ops.setdefault(o, {}).setdefault(p, []).append(s)

    def objects(self, s: Node, p: Node) -> list[Node]:
        own = self.spo.get(s, {}).get(p, [])
        if self.base is None:
            return own
        more = self.base.objects(s, p)
        if not own:
            return more
        return own + [o for o in more if o not in own]

    def subjects(self, p: Node, o: Node) -> list[Node]:
        own = self.ops.get(o, {}).get(p, [])
        if self.base is None:
            return own
        more = self.base.subjects(p, o)
        if not own:
            return more
        return own + [s for s in more if s not in own]

    def subjects_with(self, p: Node) -> set[Node]:
        out = {s for s, po in self.spo.items() if p in po}
        if self.base is not None:
            out |= self.base.subjects_with(p)
        return out

    def objects_of(self, p: Node) -> set[Node]:
        out = {o for po in self.spo.values() for o in po.get(p, ())}
        if self.base is not None:
            out |= self.base.objects_of(p)
        return out

    def triples(self):
        for s, po in self.spo.items():
            for p, objs in po.items():
                for o in objs:
                    yield s, p, o


@dataclass
class Shape:
    node: Node
    severity: URIRef = SH.Violation
    messages: list[str] = field(default_factory=list)
    path: Node | None = None
    targets: list[tuple[URIRef, Node]] = field(default_factory=list)
    params: dict[URIRef, list[Node]] = field(default_factory=dict)
    properties: list["Shape"] = field(default_factory=list)
    sparql: list[tuple[Node, str, list[str]]] = field(default_factory=list)
    deactivated: bool = False


def _first(g: Graph, s, p):
    return next(iter(g.objects(s, p)), None)


class Shapes:
    """A compiled shapes graph."""

    def __init__(self, graph: Graph, ontology: Graph | None = None) -> None:
        self.graph = graph
        self._shapes: dict[Node, Shape] = {}
        self.top: list[Shape] = []
        sub: dict[Node, set[Node]] = {}
        for g in (ontology,):
            if g is None:
                continue
            for s, o in g.subject_objects(RDFS.subClassOf):
                sub.setdefault(o, set()).add(s)
        self._subclasses = sub
        targeted = set()
        for p in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf):
            targeted |= set(graph.subjects(p, None))
        for node in sorted(targeted, key=str):
            self.top.append(self.shape(node))
        self._sparql_store_needed = any(self._has_sparql(s) for s in self.top)

    # --- compiling ---------------------------------------------------------------------

    def _has_sparql(self, shape: Shape) -> bool:
        return bool(shape.sparql) or any(self._has_sparql(p) for p in shape.properties)

    def shape(self, node: Node) -> Shape:
        if node in self._shapes:
            return self._shapes[node]
        g = self.graph
        shape = Shape(node)
        self._shapes[node] = shape
        for p, o in g.predicate_objects(node):
            if p not in _SUPPORTED and str(p).startswith(str(SH)):
                raise Unsupported(f"{p} (in shape {node})")
            if p in (SH.message, SH.severity, SH.path, SH.property, SH.sparql, SH.deactivated) or \
                    p in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf):
                continue
            if str(p).startswith(str(SH)):
                shape.params.setdefault(p, []).append(o)
        shape.severity = _first(g, node, SH.severity) or SH.Violation
        shape.messages = [str(m) for m in g.objects(node, SH.message)]
        shape.path = _first(g, node, SH.path)
        shape.deactivated = bool(getattr(_first(g, node, SH.deactivated), "toPython", lambda: False)())
        for p in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf):
            for o in g.objects(node, p):
                shape.targets.append((p, o))
        for prop in sorted(g.objects(node, SH.property), key=str):
            shape.properties.append(self.shape(prop))
        for constraint in g.objects(node, SH.sparql):
            select = _first(g, constraint, SH.select)
            if select is None:
                raise Unsupported(f"sh:sparql without sh:select (in shape {node})")
            prefixes = []
            for decl_owner in g.objects(constraint, SH.prefixes):
                for decl in g.objects(decl_owner, SH.declare):
                    prefixes.append(f"PREFIX {_first(g, decl, SH.prefix)}: <{_first(g, decl, SH.namespace)}>")
            messages = [str(m) for m in g.objects(constraint, SH.message)]
            shape.sparql.append((constraint, "\n".join(prefixes) + "\n" + str(select), messages))
        return shape

    def subclasses(self, cls: Node, data: Index | None = None) -> set[Node]:
        out, todo = set(), [cls]
        while todo:
            c = todo.pop()
            if c in out:
                continue
            out.add(c)
            todo.extend(self._subclasses.get(c, ()))
            if data is not None:
                todo.extend(data.subjects(RDFS.subClassOf, c))
        return out

    # --- validating --------------------------------------------------------------------

    def validate(self, data: Index, focus_within: set[Node] | None = None,
                 lines: dict | None = None, store_triples: Iterable | None = None) -> Report:
        """Validate ``data``; with ``focus_within``, only focus nodes in that set are checked."""
        results: list[Result] = []
        ctx = _Run(self, data, lines or {})
        sparql_focus: list[tuple[Shape, set[Node]]] = []
        for shape in self.top:
            if shape.deactivated:
                continue
            focus = ctx.focus_nodes(shape)
            if focus_within is not None:
                focus &= focus_within
            if not focus:
                continue
            for f in sorted(focus, key=str):
                results.extend(ctx.check(shape, f))
            if self._has_sparql(shape):
                sparql_focus.append((shape, focus))
        if sparql_focus:
            results.extend(ctx.run_sparql(sparql_focus, store_triples))
        return Report(results)


_PATH_KEYS = (SH.inversePath, SH.alternativePath, SH.zeroOrMorePath, SH.oneOrMorePath, SH.zeroOrOnePath)


class _Run:
    def __init__(self, shapes: Shapes, data: Index, lines: dict) -> None:
        self.shapes = shapes
        self.g = shapes.graph
        self.data = data
        self.lines = lines
        self._class_cache: dict[Node, set[Node]] = {}

    # targets and paths

    def focus_nodes(self, shape: Shape) -> set[Node]:
        out: set[Node] = set()
        d = self.data
        for kind, o in shape.targets:
            if kind == SH.targetNode:
                out.add(o)
            elif kind == SH.targetClass:
                for c in self.shapes.subclasses(o, d):
                    out.update(d.subjects(RDF.type, c))
            elif kind == SH.targetSubjectsOf:
                out |= d.subjects_with(o)
            elif kind == SH.targetObjectsOf:
                out |= d.objects_of(o)
        return out

    def values(self, focus: Node, path: Node) -> list[Node]:
        g, d = self.g, self.data
        if isinstance(path, URIRef):
            return list(d.objects(focus, path))
        if _first(g, path, RDF.first) is not None:
            nodes = [focus]
            for step in Collection(g, path):
                nxt: list[Node] = []
                for n in nodes:
                    for v in self.values(n, step):
                        if v not in nxt:
                            nxt.append(v)
                nodes = nxt
            return nodes
        inv = _first(g, path, SH.inversePath)
        if inv is not None:
            if isinstance(inv, URIRef):
                return list(d.subjects(inv, focus))
            raise Unsupported("sh:inversePath of a complex path")
        alt = _first(g, path, SH.alternativePath)
        if alt is not None:
            out: list[Node] = []
            for step in Collection(g, alt):
                out += [v for v in self.values(focus, step) if v not in out]
            return out
        for key, zero, many in ((SH.zeroOrMorePath, True, True), (SH.oneOrMorePath, False, True),
                                (SH.zeroOrOnePath, True, False)):
            inner = _first(g, path, key)
            if inner is None:
                continue
            out = [focus] if zero else []
            frontier = [focus]
            seen = {focus}
            while frontier:
                nxt = []
                for n in frontier:
                    for v in self.values(n, inner):
                        if v not in out:
                            out.append(v)
                        if many and v not in seen:
                            seen.add(v)
                            nxt.append(v)
                frontier = nxt
            return out
        raise Unsupported(f"property path {path}")

    # constraints

    def result(self, shape: Shape, focus: Node, value: Node | None, path: Node | None = None,
               message: str | None = None, source: Node | None = None) -> Result:
        msg = message if message is not None else (shape.messages[0] if shape.messages else "")
        return Result(
            severity=SEVERITY_NAMES.get(shape.severity, str(shape.severity)),
            focus=focus,
            path=path,
            message=msg,
            shape=source if source is not None else shape.node,
            value=value,
            origin=self.lines.get(focus),
        )

    def conforms(self, shape: Shape, focus: Node) -> bool:
        return not self.check(shape, focus, first_only=True)

    def check(self, shape: Shape, focus: Node, first_only: bool = False) -> list[Result]:
        """The results of one shape at one focus node."""
        if shape.deactivated:
            return []
        out: list[Result] = []
        if shape.path is not None:
            values = self.values(focus, shape.path)
            path = shape.path
        else:
            values = [focus]
            path = None
        params = shape.params
        d = self.data

        def add(value, **kw):
            out.append(self.result(shape, focus, value, path, **kw))

        for n in params.get(SH.minCount, ()):
            if len(values) < int(n):
                add(None)
        for n in params.get(SH.maxCount, ()):
            if len(values) > int(n):
                add(None)
        for v in values:
            for cls in params.get(SH["class"], ()):
                if not self.has_class(v, cls):
                    add(v)
            for dtype in params.get(SH.datatype, ()):
                if not _has_datatype(v, dtype):
                    add(v)
            for kind in params.get(SH.nodeKind, ()):
                if not _has_kind(v, kind):
                    add(v)
            for pattern in params.get(SH.pattern, ()):
                flags = params.get(SH.flags, [""])[0]
                if isinstance(v, BNode) or not re.search(str(pattern), str(v), _re_flags(str(flags))):
                    add(v)
            for lst in params.get(SH["in"], ()):
                if v not in list(Collection(self.g, lst)):
                    add(v)
            for bound in params.get(SH.minInclusive, ()):
                if not _compare(v, bound, lambda a, b: a >= b):
                    add(v)
            for bound in params.get(SH.maxInclusive, ()):
                if not _compare(v, bound, lambda a, b: a <= b):
                    add(v)
            for lst in params.get(SH["or"], ()):
                if not any(self.conforms(self.shapes.shape(m), v) for m in Collection(self.g, lst)):
                    add(v)
            for lst in params.get(SH.xone, ()):
                if sum(self.conforms(self.shapes.shape(m), v) for m in Collection(self.g, lst)) != 1:
                    add(v)
            for inner in params.get(SH["not"], ()):
                if self.conforms(self.shapes.shape(inner), v):
                    add(v)
            for inner in params.get(SH.node, ()):
                if not self.conforms(self.shapes.shape(inner), v):
                    add(v)
        for want in params.get(SH.hasValue, ()):
            if want not in values:
                add(None)
        for qshape in params.get(SH.qualifiedValueShape, ()):
            inner = self.shapes.shape(qshape)
            count = sum(1 for v in values if self.conforms(inner, v))
            for n in params.get(SH.qualifiedMinCount, ()):
                if count < int(n):
                    add(None)
            for n in params.get(SH.qualifiedMaxCount, ()):
                if count > int(n):
                    add(None)
        if first_only and out:
            return out
        for prop in shape.properties:
            for v in values:
                out.extend(self.check(prop, v, first_only))
                if first_only and out:
                    return out
        if first_only and shape.sparql:
            raise Unsupported("sh:sparql inside a logical constraint")
        _ = d
        return out

    def has_class(self, value: Node, cls: Node) -> bool:
        if isinstance(value, Literal):
            return False
        wanted = self._class_cache.get(cls)
        if wanted is None:
            wanted = self._class_cache[cls] = self.shapes.subclasses(cls, self.data)
        return any(t in wanted for t in self.data.objects(value, RDF.type))

    def run_sparql(self, work: list[tuple[Shape, set[Node]]], store_triples) -> list[Result]:
        import pyoxigraph as ox

        store = ox.Store()
        triples = store_triples if store_triples is not None else self.data.triples()
        store.bulk_extend([ox.Quad(_ox(s), _ox(p), _ox(o)) for s, p, o in triples])
        out: list[Result] = []
        for shape, focus in work:
            for constraint, text, messages in shape.sparql:
                query = text.replace("$this", "?this")
                solutions = store.query(query)
                names = [v.value for v in solutions.variables]
                for row in solutions:
                    bound = {n: _rdflib(row[n]) for n in names if row[n] is not None}
                    this = bound.get("this")
                    if this not in focus:
                        continue
                    value = bound.get("value", this if shape.path is None else None)
                    msg_vars = dict(bound)
                    msg_vars["value"] = value
                    template = messages[0] if messages else (shape.messages[0] if shape.messages else "")
                    message = _format(template, msg_vars)
                    out.append(self.result(shape, this, value, bound.get("path", shape.path),
                                           message=message, source=shape.node))
        return out


def _format(msg: str, bound: dict) -> str:
    for var, val in bound.items():
        if val is None:
            continue
        msg = re.sub("{{[?$]{}}}".format(var), str(val).replace("\\", "\\\\"), msg)
    return msg


def _re_flags(flags: str) -> int:
    out = 0
    for ch, flag in (("i", re.I), ("m", re.M), ("s", re.S), ("x", re.X)):
        if ch in flags:
            out |= flag
    return out


def _has_datatype(v: Node, dtype: Node) -> bool:
    if not isinstance(v, Literal):
        return False
    if dtype == RDF.langString:
        return v.language is not None
    actual = v.datatype if v.datatype is not None else (None if v.language else XSD.string)
    if actual != dtype:
        return False
    return not getattr(v, "ill_typed", False)


def _has_kind(v: Node, kind: Node) -> bool:
    if kind == SH.IRI:
        return isinstance(v, URIRef)
    if kind == SH.BlankNode:
        return isinstance(v, BNode)
    if kind == SH.Literal:
        return isinstance(v, Literal)
    if kind == SH.BlankNodeOrIRI:
        return isinstance(v, (BNode, URIRef))
    if kind == SH.BlankNodeOrLiteral:
        return isinstance(v, (BNode, Literal))
    if kind == SH.IRIOrLiteral:
        return isinstance(v, (URIRef, Literal))
    return False


def _compare(v: Node, bound: Node, op) -> bool:
    if not isinstance(v, Literal) or not isinstance(bound, Literal):
        return False
    try:
        a, b = v.toPython(), bound.toPython()
        if isinstance(a, str) != isinstance(b, str) or isinstance(a, Literal) or isinstance(b, Literal):
            return False
        return bool(op(a, b))
    except TypeError:
        return False


def _ox(t: Node):
    import pyoxigraph as ox

    if isinstance(t, URIRef):
        return ox.NamedNode(str(t))
    if isinstance(t, BNode):
        return ox.BlankNode(str(t))
    if t.language:
        return ox.Literal(str(t), language=t.language)
    if t.datatype is not None:
        return ox.Literal(str(t), datatype=ox.NamedNode(str(t.datatype)))
    return ox.Literal(str(t))


def _rdflib(t) -> Node:
    import pyoxigraph as ox

    if isinstance(t, ox.NamedNode):
        return URIRef(t.value)
    if isinstance(t, ox.BlankNode):
        return BNode(t.value)
    if t.language:
        return Literal(t.value, lang=t.language)
    dt = t.datatype.value
    if dt == str(XSD.string):
        return Literal(t.value)
    return Literal(t.value, datatype=URIRef(dt))


def path_key(graph: Graph, path: Node | None) -> str | None:
    """A SHACL path as text, the same whichever graph (and blank nodes) holds it."""
    if path is None:
        return None
    if isinstance(path, URIRef):
        return f"<{path}>"
    if _first(graph, path, RDF.first) is not None:
        return "(" + " ".join(path_key(graph, p) or "" for p in Collection(graph, path)) + ")"
    for key in _PATH_KEYS:
        inner = _first(graph, path, key)
        if inner is not None:
            return f"{key.fragment}[{path_key(graph, inner)}]"
    return "?"


def validate_graph(data: Graph, shapes: Graph, ontology: Graph | None = None,
                   lines: dict | None = None) -> Report:
    """Validate a whole graph (every focus node): the fast counterpart of ``validate.validate``."""
    compiled = Shapes(shapes, ontology)
    return compiled.validate(Index(data), lines=lines)
