"""A fast SHACL validator: SHACL Core in Python, SPARQL-based constraints in Oxigraph.

pySHACL stays the reference (``--engine reference``); this engine gives the same results
(focus node, path, source shape, severity, message, value) for the components it implements.
``tests/test_fastpath.py`` checks it against pySHACL on every shape fixture, the seed data, a
generated corpus and a fixture per component, and ``tests/test_w3c_shacl.py`` runs the W3C SHACL
Core test suite through it.

- The constraint components are functions registered with ``@component`` in ``COMPONENTS``;
  what the engine supports (``SUPPORTED``) is derived from that registry. Each component parses
  and checks its parameters when the shapes are compiled (a malformed shape is a
  ``ShapesError``, whichever engine runs) and then checks values over dictionaries
  (``Index``): an article's graph is a few hundred triples, where a dictionary look-up is far
  cheaper than a query's set-up. SHACL property paths of every kind are evaluated the same way.
- SPARQL-based constraints (``sh:sparql`` with ``sh:select``) run in Oxigraph, on a small
  in-memory store holding the data graph (for an article: its triples and the reference
  entities it uses, with the links between them followed), each within a time limit. A query
  with ``SERVICE`` is refused: validating never reaches another server.

``Shapes(graph)`` compiles the shapes graph once; a targeted shape that uses (itself or through
the shapes it refers to) something the engine does not implement is listed in
``Shapes.unsupported`` with the reason, never silently skipped: the facade
(``kg.build.shacl.facade.Validator``) checks such shapes with pySHACL. ``Shapes.validate`` checks one data
graph against the supported shapes.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD
from rdflib.term import Node

from ...errors import KgError
from ...namespaces import Cached
from .report import SEVERITY_NAMES, Report, Result, ShapesError

RDF = Cached(RDF)
RDFS = Cached(RDFS)
SH = Cached(SH)
XSD = Cached(XSD)

#: seconds an ``sh:sparql`` query may run (per shape and data graph) before validation stops
SPARQL_TIMEOUT = 60.0


class Unsupported(KgError):
    """The shapes use a SHACL feature this engine does not implement."""


# --- the data ------------------------------------------------------------------------------


class Index:
    """Triples as dictionaries: subject -> predicate -> objects, and the reverse.

    The objects of a subject and predicate are the keys of a dictionary (an ordered set), so
    that adding a triple costs the same however many objects its subject already has.
    """

    def __init__(self, triples: Iterable[tuple[Node, Node, Node]] = (), base: "Index | None" = None):
        self.spo: dict[Node, dict[Node, dict[Node, None]]] = {}
        self.ops: dict[Node, dict[Node, dict[Node, None]]] = {}
        #: predicate -> its subjects, and predicate -> its objects
        self.ps: dict[Node, dict[Node, None]] = {}
        self.po: dict[Node, dict[Node, None]] = {}
        self.base = base
        add = self.add
        for t in triples:
            add(t)

    def add(self, t) -> None:
        s, p, o = t
        objs = self.spo.setdefault(s, {}).setdefault(p, {})
        if o in objs:
            return
        objs[o] = None
        self.ops.setdefault(o, {}).setdefault(p, {})[s] = None
        self.ps.setdefault(p, {})[s] = None
        self.po.setdefault(p, {})[o] = None

    def objects(self, s: Node, p: Node) -> list[Node]:
        own = self.spo.get(s, {}).get(p, {})
        if self.base is None:
            return list(own)
        more = self.base.objects(s, p)
        if not own:
            return more
        return list(own) + [o for o in more if o not in own]

    def subjects(self, p: Node, o: Node) -> list[Node]:
        own = self.ops.get(o, {}).get(p, {})
        if self.base is None:
            return list(own)
        more = self.base.subjects(p, o)
        if not own:
            return more
        return list(own) + [s for s in more if s not in own]

    def predicates(self, s: Node) -> list[Node]:
        own = list(self.spo.get(s, {}))
        if self.base is None:
            return own
        seen = set(own)
        return own + [p for p in self.base.predicates(s) if p not in seen]

    def subjects_with(self, p: Node) -> set[Node]:
        out = set(self.ps.get(p, ()))
        if self.base is not None:
            out |= self.base.subjects_with(p)
        return out

    def objects_of(self, p: Node) -> set[Node]:
        out = set(self.po.get(p, ()))
        if self.base is not None:
            out |= self.base.objects_of(p)
        return out

    def triples(self):
        """This index's own triples (not its base's)."""
        for s, po in self.spo.items():
            for p, objs in po.items():
                for o in objs:
                    yield s, p, o

    def graph(self) -> Graph:
        """Every triple, the base's included, as an rdflib graph."""
        g = Graph()
        index: Index | None = self
        while index is not None:
            for t in index.triples():
                g.add(t)
            index = index.base
        return g


# --- compiled shapes -----------------------------------------------------------------------


@dataclass
class Sparql:
    node: Node
    query: str
    messages: list[str]


@dataclass
class Shape:
    node: Node
    severity: URIRef = SH.Violation
    messages: list[str] = field(default_factory=list)
    #: the path as it stands in the shapes graph (what results report), and compiled
    path: Node | None = None
    steps: Any = None
    targets: list[tuple[URIRef, Node]] = field(default_factory=list)
    #: (component, its compiled argument), in the order of ``COMPONENTS``
    constraints: list[tuple["Component", Any]] = field(default_factory=list)
    properties: list["Shape"] = field(default_factory=list)
    sparql: list[Sparql] = field(default_factory=list)
    deactivated: bool = False
    #: why this engine cannot check the shape (itself or a shape it refers to), or None
    unsupported: str | None = None


@dataclass(frozen=True)
class Component:
    """A SHACL constraint component: ``key`` is the parameter that names it (``sh:minLength``),
    ``also`` its other parameters; ``parse`` checks and compiles the parameters of a shape,
    ``check`` yields the results at one focus node (a value, or ``(path, value)`` where the
    result has a path of its own)."""

    key: URIRef
    also: tuple[URIRef, ...]
    parse: Callable[["Shapes", Node, Node], Any]
    check: Callable[["_Run", Shape, Node, list[Node], Any], Iterable]


#: every constraint component this engine implements, by its parameter
COMPONENTS: dict[URIRef, Component] = {}


def component(key: URIRef, parse: Callable[["Shapes", Node, Node], Any], *also: URIRef):
    """Register the check of the constraint component named by the parameter ``key``."""

    def register(check):
        COMPONENTS[key] = Component(key, also, parse, check)
        return check

    return register


#: what a shape may say besides its constraints: targets, path, nested property shapes,
#: SPARQL constraints and the non-validating annotations of SHACL
_SHAPE_TERMS = frozenset({
    SH.path, SH.property, SH.sparql, SH.targetClass, SH.targetNode, SH.targetSubjectsOf,
    SH.targetObjectsOf, SH.message, SH.severity, SH.name, SH.description, SH.deactivated,
    SH.order, SH.group, SH.defaultValue, SH.declare, SH.prefixes,
})
_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
#: what makes every shape's results depend on something only pySHACL does (SHACL rules change
#: the data every shape sees; SHACL functions may be called from any SPARQL constraint)
_GRAPH_WIDE = ((SH.rule, None), (RDF.type, SH.SPARQLFunction), (RDF.type, SH.SPARQLRule),
               (RDF.type, SH.TripleRule))
_SHAPE_EXPECTING = (SH.node, SH["not"], SH.qualifiedValueShape, SH.property)
_LIST_OF_SHAPES = (SH["and"], SH["or"], SH.xone)


def supported() -> frozenset[URIRef]:
    """Every SHACL term a shape may use with this engine (from ``COMPONENTS``)."""
    params = {p for c in COMPONENTS.values() for p in (c.key, *c.also)}
    return frozenset(params | _SHAPE_TERMS)


def _first(g: Graph, s, p):
    return next(iter(g.objects(s, p)), None)


class Shapes:
    """A compiled shapes graph.

    Raises ``ShapesError`` (with ``source``, the shapes file's name) for a malformed shape;
    ``unsupported`` maps each targeted shape this engine cannot check to the reason. Each
    ``sh:select`` is parsed by the engine that will run it (``sparql_syntax``: ``oxigraph``, or
    ``rdflib`` for pySHACL).
    """

    def __init__(self, graph: Graph, ontology: Graph | None = None, source: str | None = None,
                 sparql_syntax: str = "oxigraph") -> None:
        self.graph = graph
        self.source = source
        self.sparql_syntax = sparql_syntax
        self._shapes: dict[Node, Shape] = {}
        self._compiling: list[Node] = []
        sub: dict[Node, set[Node]] = {}
        if ontology is not None:
            for s, o in ontology.subject_objects(RDFS.subClassOf):
                sub.setdefault(o, set()).add(s)
        self._subclasses = sub
        self._custom = self._custom_parameters()
        self._lists: dict[Node, list[Node]] = {}
        self._implicit = self._implicit_class_targets()
        graph_wide = next((f"{p.n3(graph.namespace_manager)}" if o is None else o.n3(graph.namespace_manager)
                           for p, o in _GRAPH_WIDE if (None, p, o) in graph), None)
        self.top: list[Shape] = []
        self.unsupported: dict[Node, str] = {}
        for node in sorted(self.targeted(), key=_sort_key):
            shape = self.shape(node)
            why = shape.unsupported or (f"{graph_wide} (in the shapes graph)" if graph_wide else None)
            if why is None:
                self.top.append(shape)
            else:
                self.unsupported[node] = why

    # --- which nodes are shapes ----------------------------------------------------------

    def targeted(self) -> set[Node]:
        """The shapes with a target: an explicit one, or an implicit class target (a shape that
        is also an ``rdfs:Class``, as pySHACL reads the shapes graph)."""
        g = self.graph
        out = set(self._implicit)
        for p in _TARGETS:
            out |= set(g.subjects(p, None))
        return out

    def target_triples(self, node: Node) -> list[tuple[Node, Node, Node]]:
        """The triples of the shapes graph that give a shape its targets."""
        g = self.graph
        out = [(node, p, o) for p in _TARGETS for o in g.objects(node, p)]
        if node in self._implicit:
            out += [(node, RDF.type, c) for c in g.objects(node, RDF.type) if c in self._class_types()]
        return out

    def _class_types(self) -> set[Node]:
        """rdfs:Class and its subclasses in the shapes graph: a shape of such a type is a class
        too (an implicit class target)."""
        return {RDFS.Class} | set(self.graph.subjects(RDFS.subClassOf, RDFS.Class))

    def _implicit_class_targets(self) -> set[Node]:
        g = self.graph
        classes = self._class_types()
        shapes = set(g.subjects(RDF.type, SH.NodeShape)) | set(g.subjects(RDF.type, SH.PropertyShape))
        shapes |= set(g.subjects(SH.property, None)) | set(g.subjects(SH.node, None))
        for p in _SHAPE_EXPECTING:
            shapes |= set(g.objects(None, p))
        for p in _LIST_OF_SHAPES:
            for lst in g.objects(None, p):
                shapes |= set(g.items(lst))
        return {s for s in shapes if any(t in classes for t in g.objects(s, RDF.type))}

    def _custom_parameters(self) -> dict[Node, Node]:
        """The parameters of the SPARQL-based constraint components the shapes graph declares
        (shapes that use them are pySHACL's)."""
        g = self.graph
        out = {}
        for comp in g.subjects(RDF.type, SH.ConstraintComponent):
            for param in g.objects(comp, SH.parameter):
                path = _first(g, param, SH.path)
                if path is not None:
                    out[path] = comp
        return out

    # --- compiling -----------------------------------------------------------------------

    def name(self, node: Node) -> str:
        """A shape as the user can find it in the shapes file."""
        if isinstance(node, Literal):
            return node.n3()
        if isinstance(node, URIRef):
            try:
                return self.graph.namespace_manager.normalizeUri(node)
            except Exception:  # pragma: no cover - rdflib refuses some IRIs
                return f"<{node}>"
        g = self.graph
        for parent in g.subjects(SH.property, node):
            path = _first(g, node, SH.path)
            shown = self.name(path) if isinstance(path, (URIRef, Literal)) else "a complex path"
            return f"the property shape of {self.name(parent)} with sh:path {shown}"
        return f"a blank-node shape {node.n3()}"

    def bad(self, node: Node, what: str) -> ShapesError:
        return ShapesError(f"shape {self.name(node)}: {what}", self.source)

    def shape(self, node: Node) -> Shape:
        if node in self._shapes:
            return self._shapes[node]
        if node in self._compiling:
            cycle = self._compiling[self._compiling.index(node):] + [node]
            raise self.bad(node, "refers to itself (" + " -> ".join(self.name(n) for n in cycle) +
                           "); recursive shapes are not defined in SHACL")
        if isinstance(node, Literal):
            raise self.bad(node, "a literal cannot be a shape")
        self._compiling.append(node)
        try:
            shape = self._compile(node)
        finally:
            self._compiling.pop()
        self._shapes[node] = shape
        return shape

    def _compile(self, node: Node) -> Shape:
        g = self.graph
        shape = Shape(node)

        def unsupported(why: str) -> None:
            if shape.unsupported is None:
                shape.unsupported = why

        for p in sorted(set(g.predicates(node)), key=str):
            if p in self._custom:
                unsupported(f"the constraint component {self.name(self._custom[p])}")
            elif str(p).startswith(str(SH)) and p not in SUPPORTED:
                unsupported(self.name(p))
        severity = self._single(node, SH.severity)
        if severity is not None and not isinstance(severity, URIRef):
            raise self.bad(node, f"sh:severity must be an IRI, not {severity.n3()}")
        shape.severity = severity or SH.Violation
        shape.messages = [str(m) for m in g.objects(node, SH.message)]
        deactivated = self._single(node, SH.deactivated)
        if deactivated is not None:
            shape.deactivated = _boolean(self, node, SH.deactivated, deactivated)
        for p in _TARGETS:
            for o in g.objects(node, p):
                if p != SH.targetNode and not isinstance(o, URIRef):
                    raise self.bad(node, f"{self.name(p)} must be an IRI, not {o.n3()}")
                shape.targets.append((p, o))
        if node in self._implicit:
            shape.targets.append((SH.targetClass, node))
        shape.path = self._single(node, SH.path)
        if shape.path is not None:
            shape.steps = self.path(node, shape.path)
        for key, comp in COMPONENTS.items():
            for value in sorted(g.objects(node, key), key=_sort_key):
                shape.constraints.append((comp, comp.parse(self, node, value)))
        for inner in _referred(shape):
            if inner.unsupported:
                unsupported(inner.unsupported)
            if self._has_sparql(inner):
                unsupported("sh:sparql in a shape that another shape's constraint refers to")
        for prop in sorted(g.objects(node, SH.property), key=_sort_key):
            inner = self.shape(prop)
            if inner.path is None:
                raise self.bad(prop, "a property shape (the value of sh:property) needs sh:path")
            shape.properties.append(inner)
            if inner.unsupported:
                unsupported(inner.unsupported)
        for constraint in sorted(g.objects(node, SH.sparql), key=_sort_key):
            shape.sparql.append(self._sparql(node, constraint, unsupported))
        return shape

    def _single(self, node: Node, p: URIRef):
        values = list(self.graph.objects(node, p))
        if len(values) > 1:
            raise self.bad(node, f"{self.name(p)} has {len(values)} values; SHACL allows one")
        return values[0] if values else None

    def items(self, node: Node, owner: Node, p: URIRef) -> list[Node]:
        """The members of a well-formed SHACL list, the value of ``p`` in shape ``owner``."""
        if node in self._lists:
            return self._lists[node]
        g = self.graph
        out, seen, cur = [], set(), node
        while cur != RDF.nil:
            if isinstance(cur, Literal) or cur in seen:
                raise self.bad(owner, f"the value of {self.name(p)} is not a well-formed RDF list")
            seen.add(cur)
            first, rest = list(g.objects(cur, RDF.first)), list(g.objects(cur, RDF.rest))
            if len(first) != 1 or len(rest) != 1:
                raise self.bad(owner, f"the value of {self.name(p)} is not a well-formed RDF list")
            out.append(first[0])
            cur = rest[0]
        self._lists[node] = out
        return out

    def path(self, owner: Node, node: Node, _seen: frozenset = frozenset()):
        """A SHACL property path compiled: ("p", iri), ("seq", [..]), ("alt", [..]),
        ("inv", path), ("star" | "plus" | "opt", path)."""
        g = self.graph
        if isinstance(node, URIRef):
            return ("p", node)
        if isinstance(node, Literal) or node in _seen:
            raise self.bad(owner, f"sh:path {node.n3()} is not a well-formed SHACL path")
        seen = _seen | {node}
        if _first(g, node, RDF.first) is not None:
            members = self.items(node, owner, SH.path)
            if len(members) < 2:
                raise self.bad(owner, "a sequence path needs at least two members")
            return ("seq", [self.path(owner, m, seen) for m in members])
        kinds = [(k, o) for k in (SH.inversePath, SH.alternativePath, SH.zeroOrMorePath, SH.oneOrMorePath,
                                  SH.zeroOrOnePath) for o in g.objects(node, k)]
        if len(kinds) != 1:
            raise self.bad(owner, "sh:path is not a well-formed SHACL path (a blank node needs exactly one "
                                  "of sh:inversePath, sh:alternativePath, sh:zeroOrMorePath, sh:oneOrMorePath, "
                                  "sh:zeroOrOnePath)")
        kind, inner = kinds[0]
        if kind == SH.alternativePath:
            members = self.items(inner, owner, SH.alternativePath)
            if len(members) < 2:
                raise self.bad(owner, "sh:alternativePath needs a list of at least two paths")
            return ("alt", [self.path(owner, m, seen) for m in members])
        name = {SH.inversePath: "inv", SH.zeroOrMorePath: "star", SH.oneOrMorePath: "plus",
                SH.zeroOrOnePath: "opt"}[kind]
        return (name, self.path(owner, inner, seen))

    def _sparql(self, node: Node, constraint: Node, unsupported) -> Sparql:
        from ...sparql.text import blank_out

        g = self.graph
        selects = list(g.objects(constraint, SH.select))
        if len(selects) != 1 or not isinstance(selects[0], Literal):
            raise self.bad(node, "an sh:sparql constraint needs exactly one sh:select (a string)")
        select = str(selects[0])
        prefixes = []
        for owner in sorted(g.objects(constraint, SH.prefixes), key=_sort_key):
            for decl in sorted(g.objects(owner, SH.declare), key=_sort_key):
                prefix, namespace = _first(g, decl, SH.prefix), _first(g, decl, SH.namespace)
                if not isinstance(prefix, Literal) or not isinstance(namespace, Literal):
                    raise self.bad(node, f"the prefix declaration {self.name(decl)} needs sh:prefix and "
                                         "sh:namespace (strings)")
                prefixes.append(f"PREFIX {prefix}: <{namespace}>")
        query = "\n".join(prefixes) + "\n" + select
        blank = blank_out(query)
        if re.search(r"\bSERVICE\b", blank, re.I):
            raise self.bad(node, "its sh:select uses SERVICE; a SPARQL constraint may not query "
                                 "another server")
        for var in ("$currentShape", "$shapesGraph", "$PATH"):
            if re.search(re.escape(var) + r"\b", blank):
                unsupported(f"{var} in sh:select")
        try:
            if self.sparql_syntax == "rdflib":
                from rdflib.plugins.sparql.parser import parseQuery

                parseQuery(query)
            else:  # parsed (and run on nothing: no SERVICE is left) by Oxigraph
                import pyoxigraph as ox

                ox.Store().query(query)
        except Exception as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise self.bad(node, f"its sh:select is not valid SPARQL: {first}") from None
        messages = [str(m) for m in g.objects(constraint, SH.message)]
        return Sparql(constraint, query.replace("$this", "?this"), messages)

    def _has_sparql(self, shape: Shape) -> bool:
        memo = self.__dict__.setdefault("_sparql_memo", {})
        key = id(shape)
        if key not in memo:
            memo[key] = None  # a shape that refers to itself: no SPARQL found through that loop
            memo[key] = bool(shape.sparql) or any(self._has_sparql(p) for p in shape.properties) or \
                any(self._has_sparql(s) for s in _referred(shape))
        return bool(memo[key])

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
                 lines: dict | None = None, store_triples: Iterable | None = None,
                 timeout: float | None = SPARQL_TIMEOUT, store_text: str | None = None) -> Report:
        """Validate ``data`` against the supported shapes; with ``focus_within``, only focus
        nodes in that set are checked. The SPARQL constraints run over ``store_text`` (the same
        triples as ``store_triples``, as Turtle: quicker to load than term by term) where
        given, else over ``store_triples``, else over ``data``."""
        results: list[Result] = []
        ctx = _Run(self, data, lines or {})
        sparql_focus: list[tuple[Shape, set[Node]]] = []
        for shape in self.top:
            if shape.deactivated:
                continue
            focus = ctx.focus_nodes(shape) if focus_within is None else ctx.focus_nodes_within(shape, focus_within)
            if not focus:
                continue
            for f in sorted(focus, key=_sort_key):
                results.extend(ctx.check(shape, f))
            if self._has_sparql(shape):
                sparql_focus.append((shape, focus))
        if sparql_focus:
            results.extend(ctx.run_sparql(sparql_focus, store_triples, timeout, store_text))
        return Report(results)


def _referred(shape: Shape) -> list[Shape]:
    """The shapes a shape's constraints refer to (sh:node, sh:not, sh:and, sh:or, sh:xone,
    sh:qualifiedValueShape)."""
    out = []
    for comp, arg in shape.constraints:
        if isinstance(arg, Shape):
            out.append(arg)
        elif isinstance(arg, list):
            out.extend(a for a in arg if isinstance(a, Shape))
        elif isinstance(arg, tuple):
            out.extend(a for a in arg if isinstance(a, Shape))
    return out


def _sort_key(node) -> tuple:
    return (type(node).__name__, str(node))


# --- parameters -----------------------------------------------------------------------------


def _integer(shapes: Shapes, node: Node, p: URIRef, value: Node) -> int:
    if isinstance(value, Literal):
        py = value.toPython()
        if isinstance(py, int) and not isinstance(py, bool) and py >= 0 and not getattr(value, "ill_typed", False):
            return py
    raise shapes.bad(node, f"{shapes.name(p)} must be a non-negative integer, not {value.n3()}")


def _boolean(shapes: Shapes, node: Node, p: URIRef, value: Node) -> bool:
    if isinstance(value, Literal) and value.datatype == XSD.boolean and str(value) in ("true", "false", "1", "0"):
        return str(value) in ("true", "1")
    raise shapes.bad(node, f"{shapes.name(p)} must be true or false, not {value.n3()}")


def parse_integer(p: URIRef):
    def parse(shapes: Shapes, node: Node, value: Node) -> int:
        shapes._single(node, p)
        return _integer(shapes, node, p, value)
    return parse


def parse_iri(p: URIRef, single: bool = False):
    def parse(shapes: Shapes, node: Node, value: Node) -> Node:
        if single:
            shapes._single(node, p)
        if not isinstance(value, URIRef):
            raise shapes.bad(node, f"{shapes.name(p)} must be an IRI, not {value.n3()}")
        return value
    return parse


def parse_literal(p: URIRef):
    def parse(shapes: Shapes, node: Node, value: Node) -> Node:
        shapes._single(node, p)
        if not isinstance(value, Literal):
            raise shapes.bad(node, f"{shapes.name(p)} must be a literal, not {value.n3()}")
        return value
    return parse


def parse_any(shapes: Shapes, node: Node, value: Node) -> Node:
    return value


def parse_shape(p: URIRef):
    def parse(shapes: Shapes, node: Node, value: Node) -> Shape:
        return shapes.shape(value)
    return parse


def parse_shapes(p: URIRef):
    def parse(shapes: Shapes, node: Node, value: Node) -> list[Shape]:
        return [shapes.shape(m) for m in shapes.items(value, node, p)]
    return parse


# --- the components -----------------------------------------------------------------------


@component(SH["class"], parse_iri(SH["class"]))
def _class(run, shape, focus, values, cls):
    return [v for v in values if not run.has_class(v, cls)]


@component(SH.datatype, parse_iri(SH.datatype, single=True))
def _datatype(run, shape, focus, values, dtype):
    return [v for v in values if not _has_datatype(v, dtype)]


_KINDS = {
    SH.IRI: (URIRef,), SH.BlankNode: (BNode,), SH.Literal: (Literal,), SH.BlankNodeOrIRI: (BNode, URIRef),
    SH.BlankNodeOrLiteral: (BNode, Literal), SH.IRIOrLiteral: (URIRef, Literal),
}


def _parse_kind(shapes, node, value):
    shapes._single(node, SH.nodeKind)
    if value not in _KINDS:
        raise shapes.bad(node, f"sh:nodeKind must be one of sh:IRI, sh:BlankNode, sh:Literal, sh:BlankNodeOrIRI, "
                               f"sh:BlankNodeOrLiteral, sh:IRIOrLiteral, not {value.n3()}")
    return _KINDS[value]


@component(SH.nodeKind, _parse_kind)
def _node_kind(run, shape, focus, values, kinds):
    return [v for v in values if not isinstance(v, kinds)]


@component(SH.minCount, parse_integer(SH.minCount))
def _min_count(run, shape, focus, values, n):
    return [None] if len(values) < n else []


@component(SH.maxCount, parse_integer(SH.maxCount))
def _max_count(run, shape, focus, values, n):
    return [None] if len(values) > n else []


def _range(op):
    def check(run, shape, focus, values, bound):
        return [v for v in values if not _compare(v, bound, op)]
    return check


component(SH.minExclusive, parse_literal(SH.minExclusive))(_range(lambda a, b: a > b))
component(SH.minInclusive, parse_literal(SH.minInclusive))(_range(lambda a, b: a >= b))
component(SH.maxExclusive, parse_literal(SH.maxExclusive))(_range(lambda a, b: a < b))
component(SH.maxInclusive, parse_literal(SH.maxInclusive))(_range(lambda a, b: a <= b))


@component(SH.minLength, parse_integer(SH.minLength))
def _min_length(run, shape, focus, values, n):
    return [v for v in values if isinstance(v, BNode) or len(str(v)) < n]


@component(SH.maxLength, parse_integer(SH.maxLength))
def _max_length(run, shape, focus, values, n):
    return [v for v in values if isinstance(v, BNode) or len(str(v)) > n]


def _parse_pattern(shapes, node, value):
    flags = shapes._single(node, SH.flags)
    if not isinstance(value, Literal):
        raise shapes.bad(node, f"sh:pattern must be a string, not {value.n3()}")
    if flags is not None and (not isinstance(flags, Literal) or set(str(flags)) - set("imsxq")):
        raise shapes.bad(node, f"sh:flags {flags.n3()} is not a set of regular expression flags")
    try:
        return re.compile(str(value), _re_flags(str(flags or "")))
    except re.error as exc:
        raise shapes.bad(node, f"sh:pattern {value.n3()} is not a valid regular expression ({exc})") from None


@component(SH.pattern, _parse_pattern, SH.flags)
def _pattern(run, shape, focus, values, regex):
    return [v for v in values if isinstance(v, BNode) or not regex.search(str(v))]


def _parse_language_in(shapes, node, value):
    shapes._single(node, SH.languageIn)
    tags = shapes.items(value, node, SH.languageIn)
    if any(not isinstance(t, Literal) for t in tags):
        raise shapes.bad(node, "sh:languageIn must be a list of language tags (strings)")
    return [str(t).lower() for t in tags]


@component(SH.languageIn, _parse_language_in)
def _language_in(run, shape, focus, values, tags):
    return [v for v in values if not (isinstance(v, Literal) and v.language and _lang_matches(v.language, tags))]


def _lang_matches(lang: str, ranges: list[str]) -> bool:
    lang = lang.lower()
    return any(r == "*" or lang == r or lang.startswith(r + "-") for r in ranges)


def _parse_unique_lang(shapes, node, value):
    shapes._single(node, SH.uniqueLang)
    return _boolean(shapes, node, SH.uniqueLang, value)


@component(SH.uniqueLang, _parse_unique_lang)
def _unique_lang(run, shape, focus, values, on):
    if not on or shape.path is None:
        return []
    seen: dict[str, int] = {}
    for v in values:
        if isinstance(v, Literal) and v.language:
            seen[v.language.lower()] = seen.get(v.language.lower(), 0) + 1
    return [None for lang, n in seen.items() if n > 1]


@component(SH.equals, parse_iri(SH.equals))
def _equals(run, shape, focus, values, p):
    mine, theirs = dict.fromkeys(values), dict.fromkeys(run.data.objects(focus, p))
    return [v for v in mine if v not in theirs] + [v for v in theirs if v not in mine]


@component(SH.disjoint, parse_iri(SH.disjoint))
def _disjoint(run, shape, focus, values, p):
    theirs = dict.fromkeys(run.data.objects(focus, p))
    return [v for v in values if v in theirs]


def _pair(op):
    def check(run, shape, focus, values, p):
        theirs = run.data.objects(focus, p)
        return [v for v in values for w in theirs if not _compare(v, w, op)]
    return check


component(SH.lessThan, parse_iri(SH.lessThan))(_pair(lambda a, b: a < b))
component(SH.lessThanOrEquals, parse_iri(SH.lessThanOrEquals))(_pair(lambda a, b: a <= b))


@component(SH["not"], parse_shape(SH["not"]))
def _not(run, shape, focus, values, inner):
    return [v for v in values if run.conforms(inner, v)]


@component(SH["and"], parse_shapes(SH["and"]))
def _and(run, shape, focus, values, members):
    return [v for v in values if not all(run.conforms(m, v) for m in members)]


@component(SH["or"], parse_shapes(SH["or"]))
def _or(run, shape, focus, values, members):
    return [v for v in values if not any(run.conforms(m, v) for m in members)]


@component(SH.xone, parse_shapes(SH.xone))
def _xone(run, shape, focus, values, members):
    return [v for v in values if sum(run.conforms(m, v) for m in members) != 1]


@component(SH.node, parse_shape(SH.node))
def _node(run, shape, focus, values, inner):
    return [v for v in values if not run.conforms(inner, v)]


def _parse_qualified(shapes, node, value):
    shapes._single(node, SH.qualifiedValueShape)
    low = shapes._single(node, SH.qualifiedMinCount)
    high = shapes._single(node, SH.qualifiedMaxCount)
    disjoint = shapes._single(node, SH.qualifiedValueShapesDisjoint)
    low = None if low is None else _integer(shapes, node, SH.qualifiedMinCount, low)
    high = None if high is None else _integer(shapes, node, SH.qualifiedMaxCount, high)
    siblings: list[Shape] = []
    if disjoint is not None and _boolean(shapes, node, SH.qualifiedValueShapesDisjoint, disjoint):
        g = shapes.graph
        for parent in g.subjects(SH.property, node):
            for sibling in g.objects(parent, SH.property):
                if sibling == node:
                    continue
                for other in g.objects(sibling, SH.qualifiedValueShape):
                    if other != value:
                        siblings.append(shapes.shape(other))
    return (shapes.shape(value), low, high, *siblings)


@component(SH.qualifiedValueShape, _parse_qualified, SH.qualifiedMinCount, SH.qualifiedMaxCount,
           SH.qualifiedValueShapesDisjoint)
def _qualified(run, shape, focus, values, arg):
    inner, low, high, *siblings = arg
    count = sum(1 for v in values if run.conforms(inner, v) and not any(run.conforms(s, v) for s in siblings))
    out = []
    if low is not None and count < low:
        out.append(None)
    if high is not None and count > high:
        out.append(None)
    return out


def _parse_closed(shapes, node, value):
    shapes._single(node, SH.closed)
    if not _boolean(shapes, node, SH.closed, value):
        return None
    g = shapes.graph
    allowed = set()
    for lst in g.objects(node, SH.ignoredProperties):
        for p in shapes.items(lst, node, SH.ignoredProperties):
            if not isinstance(p, URIRef):
                raise shapes.bad(node, f"sh:ignoredProperties must list IRIs, not {p.n3()}")
            allowed.add(p)
    for prop in g.objects(node, SH.property):
        path = _first(g, prop, SH.path)
        if isinstance(path, URIRef):
            allowed.add(path)
    return frozenset(allowed)


@component(SH.closed, _parse_closed, SH.ignoredProperties)
def _closed(run, shape, focus, values, allowed):
    if allowed is None:
        return []
    return [(p, o) for v in values for p in run.data.predicates(v) if p not in allowed
            for o in run.data.objects(v, p)]


@component(SH.hasValue, parse_any)
def _has_value(run, shape, focus, values, want):
    return [] if want in values else [None]


def _parse_in(shapes, node, value):
    shapes._single(node, SH["in"])
    return dict.fromkeys(shapes.items(value, node, SH["in"]))


@component(SH["in"], _parse_in)
def _in(run, shape, focus, values, members):
    return [v for v in values if v not in members]


#: every SHACL term a shape may use with this engine, derived from ``COMPONENTS``
SUPPORTED = supported()


# --- a validation run ---------------------------------------------------------------------


class _Run:
    def __init__(self, shapes: Shapes, data: Index, lines: dict) -> None:
        self.shapes = shapes
        self.data = data
        self.lines = lines
        self._class_cache: dict[Node, set[Node]] = {}
        self._types: dict[Node, set[Node]] = {}
        #: whether the data's own triples declare subclasses: if not, a class's subclasses are
        #: those of the shapes and the base index, the same for every graph over that base
        self._own_subclasses = any(RDFS.subClassOf in index.ps for index in _chain(data) if index is not data.base) \
            if data.base is not None else True

    def subclasses(self, cls: Node) -> set[Node]:
        """``cls`` and its subclasses, in the shapes graph and the data (made once per run, and
        once per base index where the data's own triples declare none)."""
        got = self._class_cache.get(cls)
        if got is None:
            shared = None if self._own_subclasses else self.shapes.__dict__.setdefault("_subclasses_over", {})
            entry = shared.get(cls) if shared is not None else None
            if entry is not None and entry[0] is self.data.base:
                got = entry[1]
            else:
                got = self.shapes.subclasses(cls, self.data)
                if shared is not None:
                    shared[cls] = (self.data.base, got)
            self._class_cache[cls] = got
        return got

    # targets and paths

    def focus_nodes(self, shape: Shape) -> set[Node]:
        out: set[Node] = set()
        d = self.data
        for kind, o in shape.targets:
            if kind == SH.targetNode:
                out.add(o)
            elif kind == SH.targetClass:
                for c in self.subclasses(o):
                    out.update(d.subjects(RDF.type, c))
            elif kind == SH.targetSubjectsOf:
                out |= d.subjects_with(o)
            elif kind == SH.targetObjectsOf:
                out |= d.objects_of(o)
        return out

    def focus_nodes_within(self, shape: Shape, within: set[Node]) -> set[Node]:
        """``focus_nodes(shape) & within``, found from the nodes of ``within`` (an article's
        few subjects) rather than from every node of a target class (the reference's states)."""
        out: set[Node] = set()
        d = self.data
        for kind, o in shape.targets:
            if kind == SH.targetNode:
                if o in within:
                    out.add(o)
            elif kind == SH.targetClass:
                classes = self.subclasses(o)
                out.update(n for n in within if not self.types_of(n).isdisjoint(classes))
            elif kind == SH.targetSubjectsOf:
                out.update(n for n in within if d.objects(n, o))
            elif kind == SH.targetObjectsOf:
                out.update(n for n in within if d.subjects(o, n))
        return out

    def types_of(self, node: Node) -> set[Node]:
        """The classes ``node`` has (its ``rdf:type`` values), found once per run."""
        got = self._types.get(node)
        if got is None:
            got = self._types[node] = set(self.data.objects(node, RDF.type))
        return got

    def values(self, focus: Node, steps, inverse: bool = False) -> list[Node]:
        """The values of a compiled path at ``focus`` (of its inverse, with ``inverse``)."""
        kind, arg = steps
        d = self.data
        if kind == "p":
            return d.subjects(arg, focus) if inverse else d.objects(focus, arg)
        if kind == "inv":
            return self.values(focus, arg, not inverse)
        if kind == "seq":
            nodes = [focus]
            for step in (reversed(arg) if inverse else arg):
                nxt: dict[Node, None] = {}
                for n in nodes:
                    nxt.update(dict.fromkeys(self.values(n, step, inverse)))
                nodes = list(nxt)
            return nodes
        if kind == "alt":
            out: dict[Node, None] = {}
            for step in arg:
                out.update(dict.fromkeys(self.values(focus, step, inverse)))
            return list(out)
        zero, many = kind in ("star", "opt"), kind in ("star", "plus")
        found: dict[Node, None] = {focus: None} if zero else {}
        frontier, seen = [focus], {focus}
        while frontier:
            nxt_frontier = []
            for n in frontier:
                for v in self.values(n, arg, inverse):
                    found.setdefault(v, None)
                    if many and v not in seen:
                        seen.add(v)
                        nxt_frontier.append(v)
            frontier = nxt_frontier
        return list(found)

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
        if shape.steps is not None:
            values = self.values(focus, shape.steps)
        else:
            values = [focus]
        for comp, arg in shape.constraints:
            for found in comp.check(self, shape, focus, values, arg):
                if isinstance(found, tuple):
                    out.append(self.result(shape, focus, found[1], found[0]))
                else:
                    out.append(self.result(shape, focus, found, shape.path))
                if first_only:
                    return out
        for prop in shape.properties:
            for v in values:
                out.extend(self.check(prop, v, first_only))
                if first_only and out:
                    return out
        return out

    def has_class(self, value: Node, cls: Node) -> bool:
        if isinstance(value, Literal):
            return False
        wanted = self.subclasses(cls)
        return any(t in wanted for t in self.data.objects(value, RDF.type))

    def _sparql_of(self, shape: Shape, focus: set[Node]) -> Iterator[tuple[Shape, Sparql, set[Node]]]:
        """The SPARQL constraints of a shape and of its property shapes, each with the focus
        nodes it applies at (a property shape's are its parent's value nodes)."""
        if shape.deactivated:
            return
        for constraint in shape.sparql:
            yield shape, constraint, focus
        if shape.properties:
            values = focus if shape.steps is None else {v for f in focus for v in self.values(f, shape.steps)}
            for prop in shape.properties:
                yield from self._sparql_of(prop, values)

    def run_sparql(self, work: list[tuple[Shape, set[Node]]], store_triples, timeout: float | None,
                   store_text: str | None = None) -> list[Result]:
        import pyoxigraph as ox

        from ...sparql.terms import QueryError
        from ...sparql.timeout import run_with_timeout

        store = ox.Store()
        if store_text is not None:
            store.load(store_text, format=ox.RdfFormat.TURTLE, lenient=True)
        else:
            if store_triples is not None:
                triples = store_triples
            else:
                triples = (t for index in _chain(self.data) for t in index.triples())
            store.extend([ox.Quad(_ox(s), _ox(p), _ox(o)) for s, p, o in triples])
        return self._run_constraints(work, store, timeout)

    def _run_constraints(self, work: list[tuple[Shape, set[Node]]], store, timeout: float | None) -> list[Result]:
        from ...sparql.terms import QueryError
        from ...sparql.timeout import run_with_timeout

        plan = [item for top, focus in work for item in self._sparql_of(top, focus)]
        running: list = [None]

        def run_all() -> tuple[list, tuple | None, Exception | None]:
            """Every constraint's rows, in one hand-over to the worker thread (a hand-over
            costs more than most of these queries): the time limit is for them all."""
            found = []
            for item in plan:
                running[0] = item
                try:
                    found.append(_select(store, item[1].query))
                except Exception as exc:  # Oxigraph's own error, reported with its shape
                    return found, item, exc
            return found, None, None

        try:
            found, failed, error = run_with_timeout(run_all, timeout, "oxigraph")
        except QueryError:
            raise self.shapes.bad(running[0][0].node, f"its SPARQL constraint ran longer than {timeout:g} s") from None
        if failed is not None:
            first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            raise self.shapes.bad(failed[0].node, f"its SPARQL constraint failed in Oxigraph: {first}")
        out: list[Result] = []
        for (shape, constraint, within), rows in zip(plan, found):
            for bound in rows:
                this = bound.get("this")
                if this not in within:
                    continue
                value = bound.get("value", this if shape.path is None else None)
                msg_vars = dict(bound)
                msg_vars["value"] = value
                messages = constraint.messages or shape.messages
                message = _format(messages[0] if messages else "", msg_vars)
                out.append(self.result(shape, this, value, bound.get("path", shape.path),
                                       message=message, source=shape.node))
        return out


def _chain(index: Index | None) -> Iterator[Index]:
    while index is not None:
        yield index
        index = index.base


def _select(store, query: str) -> list[dict[str, Node]]:
    solutions = store.query(query)
    names = [v.value for v in solutions.variables]
    return [{n: _rdflib(row[n]) for n in names if row[n] is not None} for row in solutions]


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


_PATH_KEYS = (SH.inversePath, SH.alternativePath, SH.zeroOrMorePath, SH.oneOrMorePath, SH.zeroOrOnePath)


def path_key(graph: Graph, path: Node | None) -> str | None:
    """A SHACL path as text, the same whichever graph (and blank nodes) holds it."""
    if path is None:
        return None
    if isinstance(path, URIRef):
        return f"<{path}>"
    if isinstance(path, Literal):
        return path.n3()
    if _first(graph, path, RDF.first) is not None:
        return "(" + " ".join(path_key(graph, p) or "" for p in graph.items(path)) + ")"
    for key in _PATH_KEYS:
        inner = _first(graph, path, key)
        if inner is not None:
            return f"{key.fragment}[{path_key(graph, inner)}]"
    return "?"
