"""Pictures of an entity's neighbourhood: the states, forces, exercises, transfers and people
linked to it, as a self-contained interactive HTML page (pyvis / vis-network, inlined: it
fetches nothing), as Mermaid text (renders in Markdown on the common code hosts) or as Graphviz
DOT.

What is drawn (``neighbourhood``):

- the nodes are our entities (``id:``) and the facts about them; claims and articles are left
  out (a fact's sources are in its tooltip), and concept values (activities, statuses...) and
  literals are details of a node, not nodes;
- the edges are the ontology's links (``mc:participant``, ``mc:host``, ``mc:observer``,
  ``mc:supplier``, ``mc:belongsTo``, ``mc:partOf``...) between two drawn nodes, labelled with the
  property's ``rdfs:label``; an edge found only in ``graph:inferred`` is *inferred* (drawn
  dashed), unless it merely restates an edge that is drawn (the inverse ``mc:participatesIn``
  of ``mc:participant``, a super-property);
- ``depth`` counts links from the entity (0: the entity alone); a fact reached on the way
  also brings the entities it names (its participants, supplier and recipient...), since a
  fact without them says nothing.

This module knows nothing of click; ``kg.cli.viz_cmds`` calls it.
"""
from __future__ import annotations

import html
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from .. import namespaces as ns
from ..errors import InputError

_ID = str(ns.ID)
_MC = str(ns.MC)
_LEFT_OUT = (_ID + "claim/", _ID + "article/")

#: the kinds of node, in the order they are listed, each with the class that makes it, how it
#: is coloured (fill, border) and its shape in Mermaid, DOT and vis-network
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
_KIND_ORDER = {k[0]: i for i, k in enumerate(KINDS)}
_COLOURS = {k[0]: (k[2], k[3]) for k in KINDS}
_EQUIPMENT = (ns.MC.Vessel, ns.MC.WeaponSystem)
_KIND_LEGEND = {
    "state": "State", "force": "Military force", "exercise": "Exercise", "transfer": "Arms transfer",
    "person": "Person", "fact": "Other fact (agreement, cooperation, stance, denial...)",
    "organisation": "Organisation or group", "place": "Place", "equipment": "Vessel or weapon",
    "conflict": "Armed conflict", "other": "Other",
}
_MERMAID_SHAPES = {
    "state": ('{{"', '"}}'), "force": ('["', '"]'), "exercise": ('(["', '"])'),
    "transfer": ('[/"', '"/]'), "person": ('("', '")'), "fact": ('[["', '"]]'),
    "organisation": ('("', '")'), "place": ('>"', '"]'), "equipment": ('[/"', '"\\]'),
    "conflict": ('{{"', '"}}'), "other": ('["', '"]'),
}
_DOT_SHAPES = {
    "state": "hexagon", "force": "box", "exercise": "ellipse", "transfer": "parallelogram",
    "person": "box", "fact": "note", "organisation": "box", "place": "house",
    "equipment": "trapezium", "conflict": "octagon", "other": "box",
}
_VIS_SHAPES = {
    "state": "hexagon", "force": "box", "exercise": "ellipse", "transfer": "diamond",
    "person": "dot", "fact": "box", "organisation": "box", "place": "triangle",
    "equipment": "square", "conflict": "star", "other": "box",
}
_OBSERVER = ns.MC.observer
_PARTICIPANT = ns.MC.participant
_OBSERVER_COLOUR = "#888888"


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


def neighbourhood(data: GraphData, root: URIRef, depth: int = 1, with_inferred: bool = True) -> Neighbourhood:
    """The entities within ``depth`` links of ``root``, and the links between them."""
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
    nodes = [_node(data, n) for n in included]
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
    return (node.iri != root, _KIND_ORDER[node.kind], node.label.casefold(), node.iri)


def _node(data: GraphData, iri: URIRef) -> Node:
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
    from ..engines.rdflib_engine import RdflibEngine
    from ..queries import Param, resolve_iri

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
        raise InputError(f"no entity <{iri}> in the graph" + _suggest(data, ident(str(iri))))
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


def _suggest(data: GraphData, text: str) -> str:
    """``; did you mean 'casarex-2025'?``: the names closest to ``text``, one per entity; or
    a hint."""
    import difflib

    names = _names(data)
    shown: list[str] = []
    entities: set[str] = set()
    for close in difflib.get_close_matches(text.casefold(), sorted(names), n=10, cutoff=0.6):
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


# --- Mermaid -------------------------------------------------------------------------------

_MERMAID_ARROWS = {"plain": "-->", "participant": "==>", "observer": "--o", "inferred": "-.->"}


def _ids(hood: Neighbourhood) -> dict[str, str]:
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


def _mermaid_text(text: str) -> str:
    """Text inside a quoted Mermaid label: its own entity codes for the characters it reads."""
    for char, code in (("&", "#amp;"), ('"', "#quot;"), ("<", "#lt;"), (">", "#gt;")):
        text = text.replace(char, code)
    return text


def to_mermaid(hood: Neighbourhood) -> str:
    """A Mermaid flowchart; node colours by class, observers grey with a circle at the end,
    participants thick, inferred links dotted."""
    ids = _ids(hood)
    root = hood.root_node
    lines = [
        f"%% {hood.command('mermaid')}: {_mermaid_text(root.label)}, "
        f"{len(hood.nodes)} entities, {len(hood.edges)} links",
        "flowchart LR",
    ]
    for node in hood.nodes:
        left, right = _MERMAID_SHAPES[node.kind]
        lines.append(f"    {ids[node.iri]}{left}{_mermaid_text(node.label)}{right}")
    styles: dict[str, list[int]] = defaultdict(list)
    for i, edge in enumerate(hood.edges):
        label = re.sub(r"[^\w -]+", " ", edge.label).strip()
        lines.append(f"    {ids[edge.source]} {_MERMAID_ARROWS[edge.style]}|{label}| {ids[edge.target]}")
        styles[edge.style].append(i)
    kinds_used = [k for k in _KIND_ORDER if any(n.kind == k for n in hood.nodes)]
    for kind in kinds_used:
        fill, line = _COLOURS[kind]
        lines.append(f"    classDef {kind} fill:{fill},stroke:{line},color:#000")
    for kind in kinds_used:
        members = ",".join(ids[n.iri] for n in hood.nodes if n.kind == kind)
        lines.append(f"    class {members} {kind}")
    lines.append(f"    class {ids[root.iri]} root")
    lines.append("    classDef root stroke-width:3px")
    if styles.get("observer"):
        lines.append(f"    linkStyle {','.join(map(str, styles['observer']))} stroke:{_OBSERVER_COLOUR}")
    return "\n".join(lines) + "\n"


# --- Graphviz DOT --------------------------------------------------------------------------


def _dot_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def to_dot(hood: Neighbourhood) -> str:
    """A Graphviz digraph with the same colours and edge styles as the other formats."""
    ids = _ids(hood)
    root = hood.root_node
    lines = [
        f"// {hood.command('dot')}: {root.label}, {len(hood.nodes)} entities, {len(hood.edges)} links",
        f"digraph {_dot_quote(slug(root.iri))} {{",
        "    graph [rankdir=LR, fontname=\"Helvetica\", label=" + _dot_quote(f"Neighbourhood of {root.label}") + "];",
        "    node [style=filled, fontname=\"Helvetica\", fontsize=11];",
        "    edge [fontname=\"Helvetica\", fontsize=9];",
    ]
    for node in hood.nodes:
        fill, line = _COLOURS[node.kind]
        attrs = [f"label={_dot_quote(node.label)}", f"shape={_DOT_SHAPES[node.kind]}",
                 f"fillcolor={_dot_quote(fill)}", f"color={_dot_quote(line)}",
                 f"tooltip={_dot_quote(node.short)}"]
        if node.kind in ("person", "organisation"):
            attrs.append('style="filled,rounded"')
        if node.iri == root.iri:
            attrs.append("penwidth=3")
        lines.append(f"    {ids[node.iri]} [{', '.join(attrs)}];")
    for edge in hood.edges:
        attrs = [f"label={_dot_quote(edge.label)}"]
        if edge.style == "inferred":
            attrs.append("style=dashed")
        elif edge.style == "observer":
            attrs += [f"color={_dot_quote(_OBSERVER_COLOUR)}", f"fontcolor={_dot_quote(_OBSERVER_COLOUR)}",
                      "arrowhead=odot"]
        elif edge.style == "participant":
            attrs.append("penwidth=2.5")
        lines.append(f"    {ids[edge.source]} -> {ids[edge.target]} [{', '.join(attrs)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


# --- HTML (pyvis) --------------------------------------------------------------------------


def _vis_assets() -> tuple[str, str]:
    """vis-network's script and stylesheet, as pyvis ships them (inlined in the page)."""
    import pyvis

    lib = Path(pyvis.__file__).parent / "templates" / "lib" / "vis-9.1.2"
    if not lib.is_dir():  # pragma: no cover - another pyvis layout
        lib = Path(pyvis.__file__).parent / "lib" / "vis-9.1.2"
    return ((lib / "vis-network.min.js").read_text(encoding="utf-8"),
            (lib / "vis-network.css").read_text(encoding="utf-8"))


def _network(hood: Neighbourhood):
    """The pyvis network: nodes coloured by class, edges styled as in the other formats."""
    from pyvis.network import Network

    net = Network(directed=True, height="100%", width="100%")
    for node in hood.nodes:
        fill, line = _COLOURS[node.kind]
        title = "\n".join(
            [node.label, ", ".join(node.classes) or _KIND_LEGEND[node.kind], node.short]
            + [f"{k}: {v}" for k, v in node.details]
        )
        net.add_node(
            node.iri, label=node.label, title=title, shape=_VIS_SHAPES[node.kind],
            color={"background": fill, "border": line,
                   "highlight": {"background": fill, "border": "#000000"}},
            borderWidth=4 if node.iri == hood.root else 1,
            font={"size": 16 if node.iri == hood.root else 13},
            size=20 if node.kind == "state" else 14,
        )
    for edge in hood.edges:
        options = {"label": edge.label, "title": f"{edge.label} ({edge.style})" if edge.style != "plain" else edge.label,
                   "arrows": {"to": {"enabled": True}}, "color": {"color": "#555555"}, "width": 1,
                   "dashes": False, "font": {"size": 11, "align": "middle"}}
        if edge.style == "inferred":
            options["dashes"] = True
            options["title"] = f"{edge.label} (inferred from the ontology)"
        elif edge.style == "observer":
            options["arrows"] = {"to": {"enabled": True, "type": "circle"}}
            options["color"] = {"color": _OBSERVER_COLOUR}
            options["font"]["color"] = _OBSERVER_COLOUR
        elif edge.style == "participant":
            options["width"] = 3
        net.add_edge(edge.source, edge.target, **options)
    net.set_options(json.dumps({
        "layout": {"randomSeed": 7, "improvedLayout": True},
        "physics": {"solver": "forceAtlas2Based",
                    "forceAtlas2Based": {"gravitationalConstant": -80, "springLength": 140},
                    "stabilization": {"enabled": True, "iterations": 400, "fit": True}},
        "interaction": {"hover": True, "tooltipDelay": 150, "navigationButtons": False},
        "edges": {"smooth": {"enabled": True, "type": "dynamic"}},
    }))
    return net


def _js_data(value) -> str:
    """JSON that is safe inside a <script> element."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for char, code in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"),
                       ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, code)
    return text


_PAGE_CSS = """
html, body { margin: 0; height: 100%; font-family: system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #222; }
body { display: flex; flex-direction: column; }
header { padding: 8px 16px; border-bottom: 1px solid #ddd; }
header h1 { font-size: 20px; margin: 0 0 2px 0; }
header p { margin: 0; font-size: 13px; color: #555; }
main { flex: 1; display: flex; min-height: 0; }
#kg-network { flex: 1; min-width: 0; }
aside { width: 250px; padding: 8px 12px; border-left: 1px solid #ddd; font-size: 13px; overflow: auto; }
aside h2 { font-size: 14px; margin: 8px 0 4px; }
aside ul { list-style: none; padding: 0; margin: 0; }
aside li { margin: 3px 0; display: flex; align-items: center; gap: 6px; }
.swatch { display: inline-block; width: 14px; height: 14px; border: 2px solid; border-radius: 3px; flex: none; }
.line { display: inline-block; width: 34px; height: 0; border-top: 2px solid #555; flex: none; }
.line.participant { border-top-width: 4px; }
.line.observer { border-top-color: #888; }
.line.inferred { border-top-style: dashed; }
#kg-status { margin: 0; padding: 4px 16px; font-size: 12px; color: #555; border-top: 1px solid #ddd; }
#kg-status.kg-error { color: #b00020; font-weight: bold; }
details { padding: 0 16px 8px; font-size: 13px; }
table { border-collapse: collapse; margin: 6px 0; }
th, td { border: 1px solid #ddd; padding: 2px 6px; text-align: left; vertical-align: top; }
""".strip()

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="kg viz (pyvis {pyvis_version}, vis-network 9.1.2)">
<title>{title}</title>
<script>
// Every script error is kept in <html data-kg-errors> (a test reads it) and shown in the status line.
window.addEventListener("error", function (event) {{
  var message = event.message || "could not load " + (event.target && (event.target.src || event.target.href));
  var root = document.documentElement, seen = root.getAttribute("data-kg-errors");
  root.setAttribute("data-kg-errors", (seen ? seen + "\\n" : "") + message);
  var status = document.getElementById("kg-status");
  if (status) {{ status.textContent = "The picture could not be drawn: " + message; status.className = "kg-error"; }}
}}, true);
</script>
<style>
{vis_css}
</style>
<style>
{page_css}
</style>
<script>
{vis_js}
</script>
</head>
<body>
<header>
<h1>{heading}</h1>
<p>{subtitle}</p>
</header>
<main>
<div id="kg-network" role="img" aria-label="{aria}"></div>
<aside>
<h2>Entities</h2>
<ul>
{kind_legend}
</ul>
<h2>Links</h2>
<ul>
{edge_legend}
</ul>
<p>Drag to move, scroll to zoom, hover over an entity or a link for details.</p>
</aside>
</main>
<p id="kg-status" role="status">Drawing&hellip;</p>
<details>
<summary>The same as text</summary>
<table>
<thead><tr><th>entity</th><th>class</th><th>IRI</th></tr></thead>
<tbody>
{node_rows}
</tbody>
</table>
<table>
<thead><tr><th>from</th><th>link</th><th>to</th></tr></thead>
<tbody>
{edge_rows}
</tbody>
</table>
</details>
<script>
(function () {{
  var early = document.documentElement.getAttribute("data-kg-errors");
  if (early) {{
    var status = document.getElementById("kg-status");
    status.textContent = "The picture could not be drawn: " + early;
    status.className = "kg-error";
  }}
  var nodes = new vis.DataSet({nodes});
  var edges = new vis.DataSet({edges});
  var container = document.getElementById("kg-network");
  var network = new vis.Network(container, {{nodes: nodes, edges: edges}}, {options});
  network.once("afterDrawing", function () {{
    var ids = Object.keys(network.getPositions());
    container.setAttribute("data-drawn", JSON.stringify(ids.map(function (id) {{ return nodes.get(id).label; }})));
    var status = document.getElementById("kg-status");
    if (status.className !== "kg-error") {{
      status.textContent = "Drawn: " + ids.length + " entities, " + edges.length + " links.";
    }}
  }});
}})();
</script>
</body>
</html>
"""


def to_html(hood: Neighbourhood) -> str:
    """A self-contained interactive page: vis-network and the data are inlined, nothing is
    fetched."""
    import pyvis

    net = _network(hood)
    nodes, edges, _heading, _height, _width, options = net.get_network_data()
    vis_js, vis_css = _vis_assets()
    root = hood.root_node
    e = html.escape
    kinds_used = [k for k in _KIND_ORDER if any(n.kind == k for n in hood.nodes)]
    kind_legend = "\n".join(
        f'<li><span class="swatch" style="background:{_COLOURS[k][0]};border-color:{_COLOURS[k][1]}"></span>'
        f"{e(_KIND_LEGEND[k])}</li>" for k in kinds_used)
    styles = {edge.style for edge in hood.edges}
    edge_texts = [("participant", "participant (thick)"), ("observer", "observer (grey, circle at the end)"),
                  ("plain", "other link, labelled with its property"),
                  ("inferred", "inferred from the ontology (dashed)")]
    edge_legend = "\n".join(f'<li><span class="line {s}"></span>{e(t)}</li>' for s, t in edge_texts if s in styles)
    labels = {n.iri: n.label for n in hood.nodes}
    node_rows = "\n".join(
        f"<tr><td>{e(n.label)}</td><td>{e(', '.join(n.classes) or _KIND_LEGEND[n.kind])}</td>"
        f"<td>{e(n.short)}</td></tr>" for n in hood.nodes)
    edge_rows = "\n".join(
        f"<tr><td>{e(labels[x.source])}</td><td>{e(x.label)}{' (inferred)' if x.inferred else ''}</td>"
        f"<td>{e(labels[x.target])}</td></tr>" for x in hood.edges)
    title = f"{root.label}: neighbourhood (kg viz)"
    return _PAGE.format(
        pyvis_version=e(getattr(pyvis, "__version__", "?")),
        title=e(title),
        vis_css=vis_css,
        page_css=_PAGE_CSS,
        vis_js=vis_js.replace("</script", "<\\/script"),
        heading=e(f"Neighbourhood of {root.label}"),
        subtitle=e(f"{root.short} · depth {hood.depth} · {len(hood.nodes)} entities, {len(hood.edges)} links"),
        aria=e(f"A network of {len(hood.nodes)} entities linked to {root.label}; the same is in the table below"),
        kind_legend=kind_legend,
        edge_legend=edge_legend,
        node_rows=node_rows,
        edge_rows=edge_rows,
        nodes=_js_data(nodes),
        edges=_js_data(edges),
        options=_js_data(json.loads(options)),
    )


FORMATS = {"html": to_html, "mermaid": to_mermaid, "dot": to_dot}


def render(hood: Neighbourhood, fmt: str) -> str:
    try:
        return FORMATS[fmt](hood)
    except KeyError:
        raise InputError(f"unknown format {fmt!r}; known: {', '.join(FORMATS)}") from None
