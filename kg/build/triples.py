"""Turning checked reference entities and facts into triples.

Each article becomes a graph of its own; nothing here reads other articles, so the cost of a
build grows linearly with the number of articles. The IRIs come from ``kg.namespaces`` only.
Every node made from a file line is recorded in ``Built.lines`` so that validation results
can name the file and line that produced their focus node.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, SKOS, XSD

from .. import namespaces as ns
from ..inputs.facts import Article, Concept, Date, Entity, Fact, Number, Ref, Reference, Struct
from ..namespaces import MC
from ..inputs.schema import (
    AMOUNT_FIELDS,
    ARTICLE_FIELDS,
    CLAIM_FIELDS,
    ENTITY_COMMON,
    ENTITY_KINDS,
    FACT_COMMON,
    FACT_OWN,
    FACT_TYPES,
    WHEN_FIELDS,
    Field,
)

LANG = "en"
_DATE_TYPES = {"day": XSD.date, "month": XSD.gYearMonth, "year": XSD.gYear}


class Triples(dict):
    """The triples of a graph being built, in the order they were added, each once: a plain
    set with ``add``, for the builders below. An rdflib graph costs ten times as much to fill
    and to read back, and the build reads each article's triples several times (validation,
    reasoning, output)."""

    __slots__ = ()

    def add(self, triple: tuple) -> None:
        self[triple] = None


@dataclass
class Built:
    identifier: URIRef
    #: the triples, in the order they were made
    triples: Triples = field(default_factory=Triples)
    #: node -> (file, line) of the entry that produced it
    lines: dict[URIRef, tuple[str, int]] = field(default_factory=dict)
    _graph: Graph | None = field(default=None, repr=False)

    @property
    def graph(self) -> Graph:
        """The triples as an rdflib graph named ``identifier``, with kg's prefixes (made once)."""
        if self._graph is None:
            g = new_graph(self.identifier)
            for t in self.triples:
                g.add(t)
            self._graph = g
        return self._graph


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
    if isinstance(value, Number):
        return _number(value)
    if f.kind == "month-day":
        return Literal(value, datatype=XSD.gMonthDay)
    if f.kind == "month":
        return Literal(value, datatype=XSD.gMonth)
    if f.kind == "duration":
        return Literal(value, datatype=XSD.duration)
    if f.kind == "wikidata":
        return ns.WD[value]
    if isinstance(value, bool):
        return Literal(value)
    if isinstance(value, int):
        return Literal(value, datatype=XSD.integer)
    if f.kind in ("plain", "language", "currency"):
        return Literal(value)
    if f.kind == "url":
        return Literal(value, datatype=XSD.anyURI)
    return Literal(value, lang=LANG)


def _number(n: Number) -> Literal:
    return Literal(n.text, datatype=XSD.decimal if "." in n.text else XSD.integer)


def _add_values(g: Triples, node: URIRef, fields: tuple[Field, ...], values: dict, base: str | None = None) -> None:
    """The values of ``fields`` as triples of ``node``; structured values (amounts, times) get
    nodes of their own, named from ``base`` (``ARTICLE/FACT`` or ``ARTICLE/FACT/CLAIM``)."""
    for f in fields:
        if f.prop is None or f.key not in values:
            continue
        items = values[f.key] if f.many else [values[f.key]]
        for item in items:
            obj = _object(g, f, item, base)
            if obj is not None:
                g.add((node, f.prop, obj))
            if isinstance(item, Struct) and item.kind == "when":
                g.add((node, MC.timeSpec, _when_node(g, f, item, base)))


def _name(item) -> str:
    """The last segment of the IRI of a node made for a value (an amount, a role, a link, a
    claimed value): from what the value is, never from its place in a list, so that the same
    file in another order gives the same IRIs. An amount with an id is named by it."""
    if isinstance(item, Struct) and item.kind == "amount" and "id" in item:
        return str(item.get("id"))
    if isinstance(item, (Ref, Concept)):
        return item.id
    if isinstance(item, (Date, Number)):
        return item.text
    if isinstance(item, bool):
        return str(item).lower()
    text = amount_label(item) if isinstance(item, Struct) and item.kind == "amount" else str(item)
    words = re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-").split("-")
    slug = "-".join(words[:8]) or "value"
    if isinstance(item, Struct) or len(words) > 8 or slug != text:
        slug += "-" + hashlib.blake2b(repr(item).encode("utf-8"), digest_size=3).hexdigest()
    return slug


def _object(g: Triples, f: Field, item, base: str | None):
    """What a value of ``f`` is in the graph: a literal, an IRI or a node made for it (a time
    gives the date literal, when it has one; its node is linked by ``mc:timeSpec``)."""
    if isinstance(item, Struct) and item.kind == "amount":
        return _amount_node(g, item, ns.ID[f"amount/{base}/{f.key}/{_name(item)}"])
    if isinstance(item, Struct) and item.kind == "when":
        date = item.get("date")
        return _literal(f, date) if date is not None else None
    return _literal(f, item)


def _amount_node(g: Triples, amount: Struct, node: URIRef) -> URIRef:
    g.add((node, RDF.type, MC.Amount))
    if "bound" not in amount and "value" in amount:
        g.add((node, MC.bound, ns.concept("bound", "exact")))
    by_key = {f.key: f for f in AMOUNT_FIELDS}
    for key, value in amount.items:
        f = by_key[key]
        if key == "each":
            for sub in value:
                g.add((node, MC.each, _amount_node(g, sub, URIRef(f"{node}/each/{_name(sub)}"))))
        elif key == "within":
            g.add((node, MC.within, URIRef(f"{node.rsplit('/', 1)[0]}/{value}")))
        elif key != "id":
            g.add((node, f.prop, _literal(f, value)))
    g.add((node, RDFS.label, Literal(amount_label(amount), lang=LANG)))
    return node


_BOUND_WORDS = {"exact": "", "more-than": "more than ", "at-least": "at least ", "about": "about ",
                "nearly": "nearly ", "up-to": "up to ", "at-most": "at most ", "fewer-than": "fewer than "}


def amount_label(amount: Struct) -> str:
    """An amount in words: "more than 50000 troops", "6 of 42 aircraft", "2-3"."""
    bound = amount.get("bound")
    words = _BOUND_WORDS.get(bound.id, bound.id.replace("-", " ") + " ") if bound else ""
    if "value" in amount:
        text = words + amount.get("value").text
    elif "min" in amount or "max" in amount:
        text = f"{amount.get('min').text if 'min' in amount else '?'}-{amount.get('max').text if 'max' in amount else '?'}"
    else:
        text = amount.get("vague").id.replace("-", " ")
    if "of" in amount:
        text += f" of {amount.get('of').text}"
    if "currency" in amount:
        text += " " + amount.get("currency")
    if "unit" in amount:
        unit = amount.get("unit").id.replace("-", " ")
        if "value" in amount and amount.get("value").text == "1" and "of" not in amount:
            unit = _singular(unit)
        text += " " + unit
    return text


def _singular(unit: str) -> str:
    """"warships" -> "warship", "countries" -> "country" (a unit's id names it in the plural)."""
    head, _, last = unit.rpartition(" ")
    if last.endswith("ies"):
        last = last[:-3] + "y"
    elif last.endswith("s") and not last.endswith("ss"):
        last = last[:-1]
    return f"{head} {last}" if head else last


def _when_node(g: Triples, f: Field, when: Struct, base: str | None) -> URIRef:
    node = ns.ID[f"time/{base}/{f.key}"]
    g.add((node, RDF.type, MC.TimeSpec))
    g.add((node, MC.forProperty, f.prop))
    _add_values(g, node, WHEN_FIELDS, dict(when.items))
    return node


def _add_types(g: Triples, node: URIRef, cls: URIRef, subclasses: dict, values: dict) -> None:
    """The class, and the subclass that ``kind:`` names (where ``kind`` selects a subclass)."""
    g.add((node, RDF.type, cls))
    sub = values.get("kind")
    if isinstance(sub, str) and subclasses[sub] != cls:
        g.add((node, RDF.type, subclasses[sub]))


# --- reference entities ------------------------------------------------------------------


def reference_graph(reference: Reference) -> Built:
    built = Built(ns.REFERENCE_GRAPH)
    g = built.triples
    for entity in sorted(reference.entities.values(), key=lambda e: (e.kind, e.id)):
        node = ns.entity(entity.kind, entity.id)
        built.lines[node] = (entity.path, entity.line)
        _add_entity(g, node, entity)
    for c in sorted(reference.concepts, key=lambda c: (c.scheme, c.id)):
        node = ns.concept(c.scheme, c.id)
        built.lines[node] = (c.path, c.line)
        g.add((node, RDF.type, SKOS.Concept))
        g.add((node, SKOS.inScheme, ns.scheme(c.scheme)))
        g.add((node, SKOS.prefLabel, Literal(c.label, lang=LANG)))
        if c.broader:
            g.add((node, SKOS.broader, ns.concept(c.scheme, c.broader)))
        else:
            g.add((node, SKOS.topConceptOf, ns.scheme(c.scheme)))
        if c.definition:
            g.add((node, SKOS.definition, Literal(c.definition, lang=LANG)))
    return built


def _add_entity(g: Triples, node: URIRef, entity: Entity) -> None:
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


def _add_claim(g: Triples, built: Built, article: Article, fact: Fact, node: URIRef, extra: Struct,
               by_key: dict[str, Field]) -> None:
    """One more statement about ``fact`` (an entry of its ``claims:``), with the values it gives."""
    cid = extra.get("id")
    claim = URIRef(f"{ns.claim(article.id, fact.id)}/{cid}")
    base = f"{article.id}/{fact.id}/{cid}"
    built.lines[claim] = (article.path, extra.line or fact.line)
    g.add((claim, RDF.type, MC.Claim))
    g.add((claim, MC.claims, node))
    g.add((claim, MC.source, ns.article(article.id)))
    values = dict(extra.items)
    if "mode" not in values:
        g.add((claim, MC.claimMode, ns.concept("claim-mode", "asserts")))
    if "certainty" not in values:
        g.add((claim, MC.certainty, ns.concept("certainty", "stated")))
    if "of" in values:
        g.add((claim, MC.respondsTo, URIRef(f"{ns.claim(article.id, fact.id)}/{values.pop('of')}")))
    _add_values(g, claim, CLAIM_FIELDS, values, base)
    fact_base = f"{article.id}/{fact.id}"
    for key in values.get("gives", ()):
        f = by_key[key]
        items = fact.values[key] if f.many else [fact.values[key]]
        for item in items:
            _claimed_value(g, claim, f, item, _claimed_object(g, f, item, fact_base))
    for key, value in values.get("values", ()):
        f = by_key[key]
        items = value if f.many else [value]
        for item in items:
            obj = _claimed_object(g, f, item, base)
            _claimed_value(g, claim, f, item, obj, own=True)


def _claimed_object(g: Triples, f: Field, item, base: str):
    if isinstance(item, Struct) and item.kind == "when":
        return _when_node(g, f, item, base)
    return _object(g, f, item, base)


def _claimed_value(g: Triples, claim: URIRef, f: Field, item, obj, own: bool = False) -> None:
    name = "time" if isinstance(item, Struct) and item.kind == "when" else _name(item)
    value = URIRef(f"{claim}/value/{f.key}/{name}")
    g.add((claim, MC.givesValue, value))
    g.add((value, RDF.type, MC.ClaimedValue))
    g.add((value, MC.property, f.prop))
    g.add((value, MC.value, obj))
    if own:
        g.add((value, MC.onlyThisClaim, Literal(True)))


def article_graph(article: Article) -> Built:
    """The named graph of one article: its metadata, its facts and a claim per fact."""
    gid = ns.article_graph(article.id)
    built = Built(gid)
    g = built.triples
    art = ns.article(article.id)
    built.lines[art] = (article.path, article.line)
    g.add((art, RDF.type, MC.Article))
    _add_values(g, art, ARTICLE_FIELDS, article.header)
    by_key = {f.key: f for f in ARTICLE_FIELDS}
    for key in article.unknown:
        g.add((art, MC.unreported, by_key[key].prop))
    g.add((gid, RDF.type, PROV.Entity))
    g.add((gid, PROV.wasDerivedFrom, art))

    claim_fields = tuple(f for f in FACT_COMMON if f.key not in FACT_OWN)
    for fact in article.facts:
        ft = FACT_TYPES[fact.type]
        node = fact_iri(fact)
        base = f"{article.id}/{fact.id}"
        built.lines[node] = (article.path, fact.line)
        _add_types(g, node, ft.cls, ft.subclasses, fact.values)
        if fact.values.get("joint"):
            g.add((node, RDF.type, MC.JointExercise))
        g.add((node, RDFS.label, Literal(fact_label(fact), lang=LANG)))
        _add_values(g, node, ft.fields, fact.values, base)
        for concept, actors in fact.values.get("roles", ()):
            for actor in actors:
                role = ns.ID[f"role/{base}/{concept.id}/{actor.id}"]
                g.add((node, MC.involves, role))
                g.add((role, RDF.type, MC.Role))
                g.add((role, MC.roleKind, ns.concept(concept.scheme, concept.id)))
                g.add((role, MC.actor, entity_iri(actor)))
        for concept, targets in fact.values.get("links", ()):
            for target in targets:
                link = ns.ID[f"link/{base}/{concept.id}/{target.kind}.{target.id}"]
                g.add((node, MC.linkedTo, entity_iri(target)))
                g.add((node, MC.link, link))
                g.add((link, RDF.type, MC.FactLink))
                g.add((link, MC.linkKind, ns.concept(concept.scheme, concept.id)))
                g.add((link, MC.toFact, entity_iri(target)))

        claim = ns.claim(article.id, fact.id)
        built.lines[claim] = (article.path, fact.line)
        g.add((claim, RDF.type, MC.Claim))
        g.add((claim, MC.claims, node))
        g.add((claim, MC.source, art))
        if "mode" not in fact.values:
            g.add((claim, MC.claimMode, ns.concept("claim-mode", "asserts")))
        if "certainty" not in fact.values:
            g.add((claim, MC.certainty, ns.concept("certainty", "stated")))
        _add_values(g, claim, claim_fields, fact.values, base)
        by_key = {f.key: f for f in ft.fields}
        for key in fact.values.get("unreported", []):
            g.add((claim, MC.unreported, by_key[key].prop))
        for extra in fact.values.get("claims", ()):
            _add_claim(g, built, article, fact, node, extra, by_key)
    return built

