"""Turning checked reference entities and facts into triples.

Each article becomes a graph of its own; nothing here reads other articles, so the cost of a
build grows linearly with the number of articles. The IRIs come from ``kg.namespaces`` only.
Every node made from a file line is recorded in ``Built.lines`` so that validation results
can name the file and line that produced their focus node.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, SKOS, XSD

from .. import namespaces as ns
from ..inputs.facts import Article, Concept, Date, Entity, Fact, Ref, Reference
from ..namespaces import MC
from ..inputs.schema import ARTICLE_FIELDS, ENTITY_COMMON, ENTITY_KINDS, FACT_COMMON, FACT_TYPES, Field

LANG = "en"
_DATE_TYPES = {"day": XSD.date, "month": XSD.gYearMonth, "year": XSD.gYear}


@dataclass
class Built:
    graph: Graph
    #: node -> (file, line) of the entry that produced it
    lines: dict[URIRef, tuple[str, int]] = field(default_factory=dict)


def new_graph(identifier: URIRef | None = None) -> Graph:
    g = Graph(identifier=identifier)
    ns.bind_prefixes(g)
    return g


def entity_iri(ref: Ref) -> URIRef:
    """The IRI of an entity or fact reference."""
    return ns.entity(ref.kind, ref.id)


def _literal(f: Field, value) -> URIRef | Literal:
    if isinstance(value, Ref):
        return entity_iri(value)
    if isinstance(value, Concept):
        return ns.concept(value.scheme, value.id)
    if isinstance(value, Date):
        return Literal(value.text, datatype=_DATE_TYPES[value.precision])
    if f.kind == "duration":
        return Literal(value, datatype=XSD.duration)
    if f.kind == "wikidata":
        return ns.WD[value]
    if isinstance(value, bool):
        return Literal(value)
    if isinstance(value, int):
        return Literal(value, datatype=XSD.integer)
    if f.kind in ("plain", "language"):
        return Literal(value)
    if f.kind == "url":
        return Literal(value, datatype=XSD.anyURI)
    return Literal(value, lang=LANG)


def _add_values(g: Graph, node: URIRef, fields: tuple[Field, ...], values: dict) -> None:
    for f in fields:
        if f.prop is None or f.key not in values:
            continue
        items = values[f.key] if f.many else [values[f.key]]
        for item in items:
            g.add((node, f.prop, _literal(f, item)))


def _add_types(g: Graph, node: URIRef, cls: URIRef, subclasses: dict, values: dict) -> None:
    """The class, and the subclass that ``kind:`` names (where ``kind`` selects a subclass)."""
    g.add((node, RDF.type, cls))
    sub = values.get("kind")
    if isinstance(sub, str) and subclasses[sub] != cls:
        g.add((node, RDF.type, subclasses[sub]))


# --- reference entities ------------------------------------------------------------------


def reference_graph(reference: Reference) -> Built:
    built = Built(new_graph(ns.REFERENCE_GRAPH))
    g = built.graph
    for entity in sorted(reference.entities.values(), key=lambda e: (e.kind, e.id)):
        node = ns.entity(entity.kind, entity.id)
        built.lines[node] = (entity.path, entity.line)
        _add_entity(g, node, entity)
    return built


def _add_entity(g: Graph, node: URIRef, entity: Entity) -> None:
    kind = ENTITY_KINDS[entity.kind]
    _add_types(g, node, kind.cls, kind.subclasses, entity.values)
    g.add((node, RDFS.label, Literal(entity.label, lang=LANG)))
    for alias in entity.aliases:
        g.add((node, SKOS.altLabel, Literal(alias, lang=LANG)))
    if entity.description:
        g.add((node, RDFS.comment, Literal(entity.description, lang=LANG)))
    if entity.kind == "state":
        g.add((node, MC.iso3166Alpha3, Literal(entity.id)))
    _add_values(g, node, ENTITY_COMMON + kind.fields, entity.values)


# --- articles ----------------------------------------------------------------------------


def fact_iri(fact: Fact) -> URIRef:
    return ns.entity(fact.type, fact.id)


def fact_label(fact: Fact) -> str:
    v = fact.values
    return v.get("label") or v.get("codename") or v.get("name") or f"{fact.type} {fact.id}"


def article_graph(article: Article) -> Built:
    """The named graph of one article: its metadata, its facts and a claim per fact."""
    gid = ns.article_graph(article.id)
    built = Built(new_graph(gid))
    g = built.graph
    art = ns.article(article.id)
    built.lines[art] = (article.path, article.line)
    g.add((art, RDF.type, MC.Article))
    _add_values(g, art, ARTICLE_FIELDS, article.header)
    by_key = {f.key: f for f in ARTICLE_FIELDS}
    for key in article.unknown:
        g.add((art, MC.unreported, by_key[key].prop))
    g.add((gid, RDF.type, PROV.Entity))
    g.add((gid, PROV.wasDerivedFrom, art))

    for fact in article.facts:
        ft = FACT_TYPES[fact.type]
        node = fact_iri(fact)
        built.lines[node] = (article.path, fact.line)
        _add_types(g, node, ft.cls, ft.subclasses, fact.values)
        if fact.values.get("joint"):
            g.add((node, RDF.type, MC.JointExercise))
        g.add((node, RDFS.label, Literal(fact_label(fact), lang=LANG)))
        _add_values(g, node, ft.fields, fact.values)

        claim = ns.claim(article.id, fact.id)
        built.lines[claim] = (article.path, fact.line)
        g.add((claim, RDF.type, MC.Claim))
        g.add((claim, MC.claims, node))
        g.add((claim, MC.source, art))
        if "certainty" not in fact.values:
            g.add((claim, MC.certainty, ns.concept("certainty", "stated")))
        claim_fields = tuple(f for f in FACT_COMMON if f.key not in ("label", "unreported"))
        _add_values(g, claim, claim_fields, fact.values)
        by_key = {f.key: f for f in ft.fields}
        for key in fact.values.get("unreported", []):
            g.add((claim, MC.unreported, by_key[key].prop))
    return built

