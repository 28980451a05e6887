"""What follows from the ontology (owlrl), kept apart from what the articles say.

Reasoning runs per article: the article's graph with the ontology and the reference entities it
uses, so the cost grows linearly with the number of articles. The ontology's own closure and the
reference entities' closure are computed once. Only triples about our own entities are kept:
no axiomatic triples, nothing about rdf/rdfs/owl/xsd built-ins, no literal subjects, no
reflexive ``owl:sameAs``, and nothing already asserted.
"""
from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from . import namespaces as ns

MODES = ("owlrl", "rdfs", "none")
_OURS = str(ns.ID)
_TRIVIAL_TYPES = {OWL.Thing, RDFS.Resource, OWL.NamedIndividual, RDFS.Class}


def _closure(graph: Graph, mode: str) -> Graph:
    import owlrl

    semantics = owlrl.OWLRL_Semantics if mode == "owlrl" else owlrl.RDFS_Semantics
    out = Graph()
    out += graph
    owlrl.DeductiveClosure(semantics, axiomatic_triples=False, datatype_axioms=False).expand(out)
    return out


def keep(triple) -> bool:
    """Whether an entailed triple is worth keeping: about one of our entities, and not trivial."""
    s, p, o = triple
    if isinstance(s, Literal) or not isinstance(s, URIRef) or not str(s).startswith(_OURS):
        return False
    if p == OWL.sameAs and s == o:
        return False
    if p == RDF.type and o in _TRIVIAL_TYPES:
        return False
    return True


def used_entities(article: Graph, reference: Graph) -> Graph:
    """The reference triples about the entities an article uses, following links between them
    (a fleet's navy, the navy's state) so that chains through them can be followed."""
    out = Graph()
    seen: set[URIRef] = set()
    todo = [t for t in set(article.subjects()) | set(article.objects()) if isinstance(t, URIRef)]
    while todo:
        node = todo.pop()
        if node in seen or not str(node).startswith(_OURS):
            continue
        seen.add(node)
        for p, o in reference.predicate_objects(node):
            out.add((node, p, o))
            if isinstance(o, URIRef):
                todo.append(o)
    return out


@dataclass
class Reasoner:
    """Entailments for each article, over a precomputed closure of the ontology and reference."""

    ontology: Graph
    reference: Graph
    mode: str = "owlrl"

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"unknown reasoning mode {self.mode!r}")
        self.reference_inferred = Graph()
        if self.mode == "none":
            return
        base = Graph()
        base += self.ontology
        base += self.reference
        closed = _closure(base, self.mode)
        for triple in closed:
            if triple not in base and keep(triple):
                self.reference_inferred.add(triple)

    def infer(self, article: Graph) -> Graph:
        """The new triples that follow from one article (with what it uses), and nothing else."""
        out = Graph()
        if self.mode == "none":
            return out
        base = Graph()
        base += self.ontology
        used = used_entities(article, self.reference)
        base += used
        # what is already known about the used entities needs no re-deriving
        for node in set(used.subjects()):
            for p, o in self.reference_inferred.predicate_objects(node):
                base.add((node, p, o))
        base += article
        closed = _closure(base, self.mode)
        for triple in closed:
            if triple in base or triple in self.reference_inferred or triple in self.reference:
                continue
            if keep(triple):
                out.add(triple)
        return out
