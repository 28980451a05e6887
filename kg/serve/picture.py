"""The neighbourhood picture of an entity page: ``kg viz``'s picture (``kg.present.viz``: what
is drawn, its colours and its offline page), made from the part of the graph around the entity
that a few SPARQL queries fetch, so that it works on a store or a server as on the built graph.

A picture is readable only with few nodes: it draws at most ``MAX_NODES`` entities, the entity
and those linked to it most directly first; the page lists the rest."""
from __future__ import annotations

from functools import lru_cache

from rdflib import RDF, RDFS, SKOS, Graph, Literal, URIRef
from rdflib.graph import ReadOnlyGraphAggregate
from rdflib.term import BNode

from .. import namespaces as ns
from ..present.viz import GraphData, Neighbourhood, neighbourhood, to_html
from ..present.viz.model import KIND_ORDER, Node, detailed
from ..sparql.terms import Term
from .site import valid_iri

#: the most entities a picture draws
MAX_NODES = 20
_ID = str(ns.ID)
_LEFT_OUT = tuple(_ID + k for k in ("claim/", "article/", "amount/", "time/", "role/", "link/"))
_ONTOLOGY = """SELECT ?s ?p ?o WHERE { GRAPH <%s> { ?s ?p ?o }
  FILTER(?p IN (<http://www.w3.org/2000/01/rdf-schema#subClassOf>, <http://www.w3.org/2002/07/owl#inverseOf>,
                <http://www.w3.org/2000/01/rdf-schema#subPropertyOf>, <http://www.w3.org/2000/01/rdf-schema#label>)) }""" % ns.ONTOLOGY_GRAPH
_OUT = "SELECT ?g ?s ?p ?o WHERE { VALUES ?s { %s } GRAPH ?g { ?s ?p ?o } }"
#: the links to an entity but those from a claim (``_from_claims``): a claim is not drawn, and
#: what it claims is read by ``_CLAIMS``; so that a concept or an outlet that thousands of claims
#: name costs no more than another (a filter on the property: no term is read back from the store)
_IN = "SELECT ?g ?s ?p ?o WHERE { VALUES ?o { %%s } GRAPH ?g { ?s ?p ?o } FILTER(isIRI(?s)%s) }"
_DOMAINS = """SELECT ?p ?domain ?super WHERE { GRAPH <%s> { ?p <%s> ?domain OPTIONAL { ?p <%s> ?super } } }""" % (
    ns.ONTOLOGY_GRAPH, RDFS.domain, RDFS.subPropertyOf)
#: what ranks an entity in a picture: its classes and labels
_NAMED = ("SELECT ?g ?s ?p ?o WHERE { VALUES ?s { %%s } GRAPH ?g { ?s ?p ?o } FILTER(?p IN (<%s>, <%s>, <%s>)) }"
          % (RDF.type, RDFS.label, SKOS.prefLabel))
_CLAIMS = "SELECT ?g ?s ?p ?o WHERE { VALUES ?o { %s } BIND(<%s> AS ?p) GRAPH ?g { ?s ?p ?o } }" % ("%s", ns.MC.claims)


def _node(term: Term):
    if term.type == "uri":
        return URIRef(term.value)
    if term.type == "bnode":
        return BNode(term.value)
    return Literal(term.value, lang=term.lang, datatype=None if term.lang else URIRef(term.datatype) if term.datatype else None)


def _drawable(iri: str) -> bool:
    return iri.startswith(_ID) and not iri.startswith(_LEFT_OUT)


class _Fetch:
    """Quads fetched by the engine, split into what is asserted and what is inferred."""

    def __init__(self, engine):
        self.engine = engine
        self.asserted, self.inferred = Graph(), Graph()

    def run(self, template: str, iris: set[str], keep=None) -> list[tuple[str, str, Term]]:
        """The rows the query finds for ``iris``, each kept (where ``keep(s, o)`` says so)."""
        return self.add(self.rows(template, iris), keep)

    def rows(self, template: str, iris: set[str]) -> list[tuple[str, str, Term, bool]]:
        """The rows the query finds for ``iris``, not kept: (s, p, o, inferred)."""
        found = []
        ordered = sorted(i for i in iris if valid_iri(i))
        for start in range(0, len(ordered), 200):
            values = " ".join(f"<{i}>" for i in ordered[start:start + 200])
            for row in self.engine.select(template % values, {}).rows:
                found.append((row["s"].value, row["p"].value, row["o"], row["g"].value == str(ns.INFERRED_GRAPH)))
        return found

    def add(self, rows, keep=None) -> list[tuple[str, str, Term]]:
        # a triple that several articles give comes once a graph: added once
        for s, p, o, inferred in dict.fromkeys(rows):
            if keep is None or keep(s, o):
                (self.inferred if inferred else self.asserted).add((URIRef(s), URIRef(p), _node(o)))
        return [(s, p, o) for s, p, o, _inferred in rows]


@lru_cache(maxsize=8)
def _ontology(engine) -> Graph:
    """What the picture reads of the ontology (classes and properties: their labels, what is
    above them, their inverses), fetched once per engine."""
    g = Graph()
    for row in engine.select(_ONTOLOGY, {}).rows:
        g.add((_node(row["s"]), _node(row["p"]), _node(row["o"])))
    return g


@lru_cache(maxsize=8)
def _from_claims(engine) -> tuple[str, ...]:
    """The properties whose subject is a claim but ``mc:claims``, as the ontology says (its
    domain), and those above them that only they are below (PROV's, inferred from them)."""
    domains: dict[str, set[str]] = {}
    below: dict[str, set[str]] = {}
    for row in engine.select(_DOMAINS, {}).rows:
        domains.setdefault(row["p"].value, set()).add(row["domain"].value)
        if "super" in row:
            below.setdefault(row["super"].value, set()).add(row["p"].value)
    claim = str(ns.MC.Claim)
    of_claims = {p for p, ds in domains.items() if ds == {claim}} - {str(ns.MC.claims)}
    of_claims |= {sup for sup, subs in below.items() if subs <= of_claims and sup not in domains}
    return tuple(sorted(of_claims))


def _in(engine) -> str:
    """``_IN`` for ``engine``'s ontology."""
    props = _from_claims(engine)
    return _IN % (" && ?p NOT IN (%s)" % ", ".join(f"<{p}>" for p in props) if props else "")


def graph_around(engine, iri: str) -> GraphData | None:
    """The part of the graph that the depth-1 picture of ``iri`` reads; None where the graph
    holds nothing of it."""
    return _around(engine, iri, None)


def _around(engine, iri: str, limit: int | None) -> GraphData | None:
    """``graph_around``; with ``limit``, where more entities than that are linked to ``iri``, only
    the ``limit - 1`` that the picture draws first are fetched whole (``_first_linked``): the
    others keep their classes and labels, enough to be listed, so that a state named by
    thousands of facts costs what a small neighbourhood costs. What the facts among them name
    (drawn at depth 1 only when there is room) is then not listed."""
    if not valid_iri(iri):
        return None
    fetch = _Fetch(engine)
    found = fetch.run(_OUT, {iri}) + fetch.run(_in(engine), {iri})
    if not found:
        return None
    near = {x for s, _p, o in found for x in (s, o.value if o.type == "uri" else "") if _drawable(x)} - {iri}
    if limit is not None and len(near) > limit:
        near = _first_linked(fetch, near, limit - 1)
    # what makes a fact one (a claim of it), and its sources
    fetch.run(_CLAIMS, near | {iri})
    facts = {o for o in fetch.asserted.objects(None, ns.MC.claims)}
    hop = fetch.rows(_OUT, near)
    # a fact brings the entities it names (kg.present.viz.neighbourhood): their classes, labels
    # and links; what an entity (a state, a force) links to is not drawn at depth 1, so of the
    # links of what is drawn only those between two drawn entities are kept (a force's
    # inferred links to each exercise it took part in would be most of what is fetched)
    further = {o.value for s, _p, o, _i in hop if URIRef(s) in facts and o.type == "uri"
               and _drawable(o.value)} - near - {iri}
    drawn = near | further | {iri}

    def between_drawn(_s: str, o: Term) -> bool:
        return o.type != "uri" or not o.value.startswith(_ID) or o.value in drawn

    found += fetch.add(hop, between_drawn) + fetch.run(_OUT, further, between_drawn)
    fetch.run(_CLAIMS, further)
    # the labels of the concepts their details name (activities, statuses...)
    fetch.run(_OUT, {o.value for _s, _p, o in found if o.type == "uri" and o.value.startswith(str(ns.MCV))})
    claims = {str(s) for s in fetch.asserted.subjects(ns.MC.claims, None)}
    sources = {o.value for _s, _p, o in fetch.run(_OUT, claims) if o.type == "uri" and o.value.startswith(_ID + "article/")}
    fetch.run(_OUT, sources)
    asserted = fetch.asserted
    asserted += _ontology(engine)
    return GraphData(asserted, fetch.inferred)


def _first_linked(fetch: "_Fetch", near: set[str], keep: int) -> set[str]:
    """Of the entities linked to the root, the ``keep`` that ``trimmed`` draws first (its order:
    one of each kind in turn, by label), read from the classes and labels of them all, which
    ``fetch`` keeps."""
    fetch.run(_NAMED, near)  # those not drawn are listed by their labels and kinds
    data = GraphData(ReadOnlyGraphAggregate([fetch.asserted, fetch.inferred, _ontology(fetch.engine)]))
    nodes = [Node(i, data.label(URIRef(i)), data.kind(URIRef(i))) for i in near]
    return {n.iri for n in _ranked(nodes)[:keep]}


def _ranked(group: list[Node]) -> list[Node]:
    """``group`` in the order a picture draws it: one of each kind in turn, each kind by label."""
    by_kind: dict[str, list] = {}
    for n in sorted(group, key=lambda n: (KIND_ORDER[n.kind], n.label.casefold(), n.iri)):
        by_kind.setdefault(n.kind, []).append(n)
    out = []
    while by_kind:
        for kind in list(by_kind):
            out.append(by_kind[kind].pop(0))
            if not by_kind[kind]:
                del by_kind[kind]
    return out


def trimmed(hood: Neighbourhood, limit: int = MAX_NODES) -> tuple[Neighbourhood, list]:
    """At most ``limit`` nodes: the root, then those linked to it, then the others, each group
    in ``kg viz``'s order; the nodes left out are returned to be listed."""
    if len(hood.nodes) <= limit:
        return hood, []
    linked = {e.target for e in hood.edges if e.source == hood.root} | {
        e.source for e in hood.edges if e.target == hood.root}
    # the root; then, of those linked to it, one of each kind in turn (so that a state's ten
    # forces do not crowd out its exercises and transfers); then the others, the same way
    rank = [n for n in hood.nodes if n.iri == hood.root]
    rank += _ranked([n for n in hood.nodes if n.iri in linked and n.iri != hood.root])
    rank += _ranked([n for n in hood.nodes if n.iri not in linked and n.iri != hood.root])
    keep = {n.iri for n in rank[:limit]}
    nodes = [n for n in hood.nodes if n.iri in keep]
    edges = [e for e in hood.edges if e.source in keep and e.target in keep]
    rest = [n for n in rank[limit:]]
    return Neighbourhood(hood.root, hood.depth, nodes, edges, hood.with_inferred), rest


def picture(engine, iri: str) -> tuple[Neighbourhood, list] | None:
    """The picture of ``iri`` (its neighbourhood at depth 1, trimmed) and the nodes left out."""
    data = _around(engine, iri, MAX_NODES)
    if data is None:
        return None
    drawn, rest = trimmed(neighbourhood(data, URIRef(iri), 1, brief=True))
    drawn.nodes = [detailed(data, URIRef(n.iri)) for n in drawn.nodes]  # the others are listed by label
    return drawn, rest

