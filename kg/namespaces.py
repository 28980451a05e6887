"""Every namespace and every IRI pattern of the project, in one place.

No other module assembles an IRI string by hand: they call the functions here.
"""
from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SH, SKOS, XSD

BASE = "https://w3id.org/milcoop/"

#: the ontology's terms (classes and properties)
MC = Namespace(BASE + "ontology/")
#: SKOS concept schemes and their concepts
MCV = Namespace(BASE + "vocab/")
#: instances: states, forces, people, events, claims, articles
ID = Namespace(BASE + "id/")
#: named graphs
GRAPH = Namespace(BASE + "graph/")
#: SHACL shapes
MCS = Namespace(BASE + "shapes/")

SCHEMA = Namespace("https://schema.org/")
WD = Namespace("http://www.wikidata.org/entity/")
TIME = Namespace("http://www.w3.org/2006/time#")
SEM = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")

ONTOLOGY_IRI = URIRef(BASE + "ontology")
REFERENCE_GRAPH = GRAPH["reference"]
ONTOLOGY_GRAPH = GRAPH["ontology"]
INFERRED_GRAPH = GRAPH["inferred"]

#: prefixes bound on every graph we write, in the order they are written
PREFIXES: dict[str, Namespace] = {
    "mc": MC,
    "mcv": MCV,
    "id": ID,
    "graph": GRAPH,
    "mcs": MCS,
    "dcterms": Namespace(str(DCTERMS)),
    "owl": Namespace(str(OWL)),
    "prov": Namespace(str(PROV)),
    "rdf": Namespace(str(RDF)),
    "rdfs": Namespace(str(RDFS)),
    "schema": SCHEMA,
    "sh": Namespace(str(SH)),
    "skos": Namespace(str(SKOS)),
    "wd": WD,
    "xsd": Namespace(str(XSD)),
}


def entity(kind: str, ident: str) -> URIRef:
    """The IRI of an entity of one kind (``state``, ``force``, ``exercise``...)."""
    return ID[f"{kind}/{ident}"]


def concept(scheme: str, ident: str) -> URIRef:
    """The IRI of a SKOS concept in one of our schemes."""
    return MCV[f"{scheme}/{ident}"]


def scheme(name: str) -> URIRef:
    """The IRI of one of our SKOS concept schemes."""
    return MCV[name]


def article(ident: str) -> URIRef:
    return ID[f"article/{ident}"]


def claim(article_id: str, fact_id: str) -> URIRef:
    """What one article says of one fact: ``id/claim/{article}/{fact}``."""
    return ID[f"claim/{article_id}/{fact_id}"]


def article_graph(ident: str) -> URIRef:
    return GRAPH[f"article/{ident}"]


def bind_prefixes(graph) -> None:
    """Bind our prefixes on an rdflib graph (replacing rdflib's defaults)."""
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, URIRef(str(ns)), override=True, replace=True)


class Cached:
    """A namespace whose terms are made once: rdflib's ``RDF.type``, ``SH.path``... build and
    check a new term on every access, which costs in the per-article loops of the fast path."""

    def __init__(self, namespace) -> None:
        self.__dict__["_namespace"] = namespace
        self.__dict__["_items"] = {}

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        value = getattr(self._namespace, name)
        self.__dict__[name] = value
        return value

    def __getitem__(self, name: str):
        items = self._items
        if name not in items:
            items[name] = self._namespace[name]
        return items[name]

    def __str__(self) -> str:
        return str(self._namespace)
