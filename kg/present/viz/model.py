"""What ``kg viz`` draws, whatever the format: the neighbourhood of an entity in the built
graph (``neighbourhood``: ``Node``s and ``Edge``s, ordered), the kinds of node and their
colours, finding the entity a user names (``resolve``), and names for files and identifiers.
The formats draw it: ``mermaid``, ``dot``, ``html``."""
from __future__ import annotations

import os
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from ... import namespaces as ns
from ...errors import InputError

_ID = str(ns.ID)
_MC = str(ns.MC)
#: what is not drawn: claims and articles (the sources of a fact), and the nodes that hold the
#: detail of one article's account (amounts, times as given, roles, links: a link is drawn as
#: its mc:linkedTo edge)
_LEFT_OUT = tuple(_ID + kind for kind in ("claim/", "article/", "amount/", "time/", "role/", "link/"))

#: the kinds of node, in the order they are listed, each with the class that makes it, how it
#: is coloured (fill, border); each format gives a kind its shape (``SHAPES`` in ``mermaid``,
#: ``dot`` and ``html``)
KINDS: list[tuple[str, URIRef | None, str, str]] = [
    ("state", ns.MC.State, "#F4C26B", "#A66F00"),
    ("force", ns.MC.MilitaryForce, "#9FD3F0", "#1F6FA8"),
    ("exercise", ns.MC.MilitaryExercise, "#8FD6B8", "#17754F"),
    ("transfer", ns.MC.ArmsTransfer, "#F4A7A7", "#B22222"),
    ("person", ns.MC.Person, "#D9B8EC", "#7A3C9E"),
    ("fact", ns.MC.Fact, "#FFF1A8", "#8C7A00"),
    ("organisation", ns.MC.Actor, "#E9DCC9", "#7D5F35"),
    ("place", ns.MC.Place, "#DADADA", "#555555"),
    ("equipment", None, "#C5CCEB", "#3E4C91"),  # vessels and weapon systems
    ("conflict", ns.MC.ArmedConflict, "#F6C3D8", "#9E2F5C"),
    ("other", None, "#FFFFFF", "#444444"),
]
KIND_ORDER = {k[0]: i for i, k in enumerate(KINDS)}
COLOURS = {k[0]: (k[2], k[3]) for k in KINDS}
_EQUIPMENT = (ns.MC.Vessel, ns.MC.WeaponSystem)
KIND_LEGEND = {
    "state": "State", "force": "Military force", "exercise": "Exercise", "transfer": "Arms transfer",
    "person": "Person", "fact": "Other fact (agreement, cooperation, stance, denial...)",
    "organisation": "Organisation or group", "place": "Place", "equipment": "Vessel or weapon",
    "conflict": "Armed conflict", "other": "Other",
}
_OBSERVER = ns.MC.observer
_PARTICIPANT = ns.MC.participant
OBSERVER_COLOUR = "#888888"


@dataclass(frozen=True)
class Node:
    iri: str
    label: str
    kind: str
    #: labels of the node's most specific classes
    classes: tuple[str, ...] = ()
    #: (what, value) pairs for the tooltip: dates, codenames, concept values, sources
    details: tuple[tuple[str, str], ...] = ()

    @property
    def short(self) -> str:
        """The IRI as ``id:...`` where it is one of ours."""
        return "id:" + self.iri[len(_ID):] if self.iri.startswith(_ID) else self.iri


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    prop: str
    label: str
    inferred: bool = False

    @property
    def style(self) -> str:
        """``inferred`` (dashed), ``observer`` (grey, a circle at the end), ``participant``
        (thick) or ``plain``."""
        if self.inferred:
            return "inferred"
        if self.prop == str(_OBSERVER):
            return "observer"
        if self.prop == str(_PARTICIPANT):
            return "participant"
        return "plain"


@dataclass
class Neighbourhood:
    root: str
    depth: int
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    with_inferred: bool = True

    @property
    def kinds(self) -> list[str]:
        """The kinds of its nodes, in the order of ``KINDS``."""
        return [k for k in KIND_ORDER if any(n.kind == k for n in self.nodes)]

    @property
    def root_node(self) -> Node:
        return next(n for n in self.nodes if n.iri == self.root)

    def command(self, fmt: str) -> str:
        """The command that draws this picture."""
        return (f"kg viz {ident(self.root)} --depth {self.depth}{'' if self.with_inferred else ' --no-inferred'}"
                f" --format {fmt}")


# --- the graph -----------------------------------------------------------------------------


class GraphData:
    """The built graph, with what was asserted and what was inferred kept apart."""

    def __init__(self, asserted: Graph, inferred: Graph | None = None):
        self.asserted = asserted
        self.inferred = inferred if inferred is not None else Graph()
        if inferred is None:  # nothing inferred: all is what was asserted (read only, never copied)
            self.all = asserted
        else:
            self.all = Graph()
            self.all += self.asserted
            self.all += self.inferred
        self._superclasses: dict[URIRef, set[URIRef]] = {}

    @classmethod
    def from_trig(cls, path: Path) -> "GraphData":
        """Read ``build/kg.trig``: ``graph:inferred`` is the inferred part, the rest asserted."""
        from rdflib import Dataset

        ds = Dataset()
        ds.parse(path, format="trig")
        asserted, inferred = Graph(), Graph()
        for graph in ds.graphs():
            target = inferred if graph.identifier == ns.INFERRED_GRAPH else asserted
            target += graph
        return cls(asserted, inferred)

    def label(self, node) -> str:
        for prop in (RDFS.label, SKOS.prefLabel):
            values = sorted(self.all.objects(node, prop), key=lambda v: (getattr(v, "language", None) != "en", str(v)))
            if values:
                return str(values[0])
        text = str(node)
        return text[len(_ID):] if text.startswith(_ID) else text.rsplit("/", 1)[-1].rsplit("#", 1)[-1]

    def superclasses(self, cls: URIRef) -> set[URIRef]:
        """The class and every class above it (rdfs:subClassOf, followed here)."""
        if cls not in self._superclasses:
            seen, todo = set(), [cls]
            while todo:
                c = todo.pop()
                if c in seen:
                    continue
                seen.add(c)
                todo.extend(o for o in self.all.objects(c, RDFS.subClassOf) if isinstance(o, URIRef))
            self._superclasses[cls] = seen
        return self._superclasses[cls]

    def types(self, node) -> set[URIRef]:
        out: set[URIRef] = set()
        for t in self.all.objects(node, RDF.type):
            if isinstance(t, URIRef):
                out |= self.superclasses(t)
        return out

    def kind(self, node) -> str:
        types = self.types(node)
        if any(t in types for t in _EQUIPMENT):
            return "equipment"
        for name, cls, _fill, _line in KINDS:
            if cls is not None and cls in types:
                return name
        return "other"

    def is_fact(self, node) -> bool:
        """A fact is what a claim claims."""
        return (None, ns.MC.claims, node) in self.all


def _is_node(term, root: URIRef) -> bool:
    if term == root:
        return True
    if not isinstance(term, URIRef):
        return False
    text = str(term)
    return text.startswith(_ID) and not text.startswith(_LEFT_OUT)


def _links(data: GraphData, root: URIRef, with_inferred: bool) -> list[tuple[URIRef, URIRef, URIRef, bool]]:
    """Every link of the ontology between two drawable nodes: (s, p, o, inferred)."""
    inverse: dict[URIRef, set[URIRef]] = defaultdict(set)
    for p, q in data.all.subject_objects(OWL.inverseOf):
        inverse[p].add(q)
        inverse[q].add(p)
    sub_props: dict[URIRef, set[URIRef]] = defaultdict(set)  # property -> its sub-properties
    for p, q in data.all.subject_objects(RDFS.subPropertyOf):
        sub_props[q].add(p)
    out = []
    for s, p, o in data.all:
        if not str(p).startswith(_MC) or s == o or not _is_node(s, root) or not _is_node(o, root):
            continue
        inferred = (s, p, o) not in data.asserted
        if inferred:
            if not with_inferred:
                continue
            if any((o, q, s) in data.all for q in inverse.get(p, ())):
                continue  # the inverse of a link that is drawn
            if any((s, q, o) in data.asserted for q in sub_props.get(p, ())):
                continue  # a super-property of a link that is drawn
        out.append((s, p, o, inferred))
    return out


def neighbourhood(data: GraphData, root: URIRef, depth: int = 1, with_inferred: bool = True,
                  brief: bool = False) -> Neighbourhood:
    """The entities within ``depth`` links of ``root``, and the links between them. ``brief``:
    each node with its label and kind only (``detailed`` gives the rest), for a picture that
    draws a few of many."""
    if depth < 0:
        raise InputError(f"the depth must be 0 or more, not {depth}")
    if (root, None, None) not in data.all and (None, None, root) not in data.all:
        raise InputError(f"{root} is not in the graph")
    links = _links(data, root, with_inferred)
    adjacent: dict[URIRef, set[URIRef]] = defaultdict(set)
    outgoing: dict[URIRef, set[URIRef]] = defaultdict(set)
    for s, _p, o, _inf in links:
        adjacent[s].add(o)
        adjacent[o].add(s)
        outgoing[s].add(o)
    included = {root}
    frontier = {root}
    for _ in range(depth):
        frontier = {m for n in frontier for m in adjacent[n]} - included
        included |= frontier
    # A fact brings the entities it names (one step, not followed further); depth 0 is the
    # entity alone.
    for node in sorted(included) if depth else ():
        if data.is_fact(node):
            included |= outgoing[node]
    nodes = [Node(str(n), data.label(n), data.kind(n)) if brief else detailed(data, n) for n in included]
    order = {n.iri: i for i, n in enumerate(sorted(nodes, key=lambda n: _node_key(n, str(root))))}
    nodes.sort(key=lambda n: order[n.iri])
    edges = [
        Edge(str(s), str(o), str(p), data.label(p), inferred)
        for s, p, o, inferred in links
        if s in included and o in included
    ]
    edges.sort(key=lambda e: (order[e.source], e.label, order[e.target], e.prop))
    return Neighbourhood(str(root), depth, nodes, edges, with_inferred)


def _node_key(node: Node, root: str):
    return (node.iri != root, KIND_ORDER[node.kind], node.label.casefold(), node.iri)


def detailed(data: GraphData, iri: URIRef) -> Node:
    """The node of ``iri`` with its classes and details."""
    types = {t for t in data.all.objects(iri, RDF.type) if isinstance(t, URIRef)}
    # the most specific classes: those that are not above another of the node's classes
    specific = [t for t in types if str(t).startswith(_MC)
                and not any(t != u and t in data.superclasses(u) for u in types)]
    classes = tuple(sorted(data.label(t) for t in specific))
    return Node(str(iri), data.label(iri), data.kind(iri), classes, _details(data, iri))


def _details(data: GraphData, iri: URIRef) -> tuple[tuple[str, str], ...]:
    """What the tooltip tells beside the label: literal and concept values, and sources."""
    values: dict[str, list[str]] = defaultdict(list)
    for p, o in data.asserted.predicate_objects(iri):
        if not str(p).startswith(_MC) or p == ns.MC.claims:
            continue
        if isinstance(o, Literal):
            values[data.label(p)].append(str(o))
        elif isinstance(o, URIRef) and str(o).startswith(str(ns.MCV)):
            values[data.label(p)].append(data.label(o))
    out = [(k, ", ".join(sorted(v))) for k, v in sorted(values.items())]
    sources = []
    for claim in data.asserted.subjects(ns.MC.claims, iri):
        article = data.asserted.value(claim, ns.MC.source)
        certainty = data.asserted.value(claim, ns.MC.certainty)
        headline = data.asserted.value(article, ns.SCHEMA.headline) if article is not None else None
        text = str(headline) if headline is not None else data.label(article)
        if certainty is not None:
            text += f" ({data.label(certainty).lower()})"
        sources.append(text)
    for text in sorted(sources):
        out.append(("source", text))
    return tuple(out)


# --- finding the entity --------------------------------------------------------------------


def resolve(data: GraphData, text: str) -> URIRef:
    """The entity that ``text`` names: an IRI, an id (casarex-2025, IRN), a label or an alias."""
    from ...engines.rdflib_engine import RdflibEngine
    from ...queries import Param, resolve_iri

    engine = RdflibEngine(data.all)
    try:
        term = resolve_iri(Param("_entity_iri", "entity", "iri", True), text, engine)
    except InputError as exc:
        message = str(exc).removeprefix("parameter 'entity': ")
        if message.startswith("no entity"):
            message += _suggest(data, text.strip())
        raise InputError(message) from None
    iri = URIRef(term.value)
    if (iri, None, None) not in data.all and (None, None, iri) not in data.all:
        kind = str(iri)[len(_ID):].rsplit("/", 1)[0] + "/" if str(iri).startswith(_ID) else ""
        raise InputError(f"no entity <{iri}> in the graph" + _suggest(data, ident(str(iri)), _ID + kind))
    return iri


def _names(data: GraphData) -> dict[str, tuple[str, str]]:
    """What an entity can be called (its id, labels and aliases), by their case-folded form:
    (the name, the entity)."""
    out: dict[str, tuple[str, str]] = {}
    for s in sorted(set(data.all.subjects())):
        if not isinstance(s, URIRef) or not str(s).startswith(_ID) or str(s).startswith(_LEFT_OUT):
            continue
        names = [ident(str(s))]
        for prop in (RDFS.label, SKOS.altLabel, SKOS.prefLabel):
            names += sorted(str(o) for o in data.all.objects(s, prop) if isinstance(o, Literal))
        for name in names:
            out.setdefault(name.casefold(), (name, str(s)))
    return out


def _suggest(data: GraphData, text: str, within: str = "") -> str:
    """``; did you mean 'casarex-2025'?``: the names closest to ``text``, one per entity (of the
    entities whose IRI starts with ``within``, where any is close), those nearly as close as the
    closest, the ones that begin alike first; or a hint."""
    import difflib

    names = _names(data)
    if within:
        names = {k: v for k, v in names.items() if v[1].startswith(within)} or names
    needle = text.casefold()
    scored = []
    for key in sorted(names):
        ratio = difflib.SequenceMatcher(None, needle, key).ratio()
        if ratio >= 0.6:
            prefix = len(os.path.commonprefix([needle, key]))
            scored.append((-round(ratio, 6), -prefix, key))
    scored.sort()
    best = -scored[0][0] if scored else 0
    shown: list[str] = []
    entities: set[str] = set()
    for neg, _prefix, close in scored:
        if -neg < best - 0.1:
            break
        name, entity = names[close]
        if entity not in entities and len(shown) < 3:
            entities.add(entity)
            shown.append(repr(name))
    if not shown:
        return "; give an entity's id (IRN, casarex-2025), label or alias"
    if len(shown) == 1:
        return f"; did you mean {shown[0]}?"
    return "; did you mean " + ", ".join(shown[:-1]) + f" or {shown[-1]}?"


def ident(iri: str) -> str:
    """The id of an entity, as a fact file names it: ``casarex-2025``, ``IRN``."""
    return iri.rstrip("/").rsplit("/", 1)[-1]


#: where ``kg viz`` writes an HTML page when not told, relative to the project folder: a
#: folder of kg's own beside the build (not in it), so that the pages outlive the next build
VIZ_DIR = Path(".kg") / "viz"


def default_page(root: Path, iri: str) -> Path:
    """Where ``kg viz`` writes the HTML page of the entity ``iri`` in the project at ``root``."""
    return root / VIZ_DIR / f"{slug(iri)}.html"


def slug(iri: str) -> str:
    """A file name for an entity: ``exercise-casarex-2025``."""
    text = iri[len(_ID):] if iri.startswith(_ID) else iri.rsplit("/", 1)[-1]
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-") or "entity"



def node_ids(hood: Neighbourhood) -> dict[str, str]:
    """Readable, unique identifiers for Mermaid and DOT: ``exercise_casarex_2025``."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for node in hood.nodes:
        base = re.sub(r"[^A-Za-z0-9]+", "_", slug(node.iri)).strip("_") or "n"
        if base[0].isdigit():
            base = "n_" + base
        ident, i = base, 2
        while ident in used:
            ident, i = f"{base}_{i}", i + 1
        used.add(ident)
        out[node.iri] = ident
    return out
