"""The entailments the ontology needs, as rules run to a fixpoint in Python.

owlrl (``kg.build.reasoning.owlrl_engine``) stays the reference; this engine computes the same kept triples
(``kg.build.reasoning.owlrl_engine.keep``) for the axioms the ontology uses: ``rdfs:subClassOf``,
``owl:equivalentClass``, ``rdfs:subPropertyOf``, ``owl:equivalentProperty``, ``rdfs:domain``,
``rdfs:range``, ``owl:inverseOf``, ``owl:SymmetricProperty``, ``owl:TransitiveProperty`` and
``owl:propertyChainAxiom`` (OWL 2 RL rules cax-sco, cax-eqc, prp-spo1, prp-eqp, prp-dom,
prp-rng, prp-inv, prp-symp, prp-trp, prp-spo2; in ``rdfs`` mode only the RDFS ones).
``unsupported(ontology)`` names any other OWL axiom about our terms, so that a build can fall
back to owlrl instead of missing what it implies. ``tests/test_fastpath.py`` compares the two.
"""
from __future__ import annotations

from typing import Iterable

from rdflib import BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS

from ...namespaces import ID
from .owlrl_engine import MODES, keep, used_triples
from ...namespaces import Cached  # noqa: E402

OWL = Cached(OWL)
RDF = Cached(RDF)
RDFS = Cached(RDFS)

#: OWL vocabulary in the ontology that these rules cover, or that entails nothing about entities
_HANDLED = {
    RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range, OWL.inverseOf, OWL.equivalentClass,
    OWL.equivalentProperty, OWL.propertyChainAxiom, OWL.members, OWL.versionIRI, OWL.versionInfo,
    OWL.imports, OWL.deprecated, OWL.priorVersion,
}
_HANDLED_TYPES = {
    OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, OWL.Ontology,
    OWL.TransitiveProperty, OWL.SymmetricProperty, OWL.AllDisjointClasses, OWL.NamedIndividual,
    RDFS.Class, RDF.Property, OWL.Thing,
}


def unsupported(ontology: Graph) -> list[str]:
    """OWL axioms of the ontology that these rules do not implement (empty: the rules suffice)."""
    out = set()
    for s, p, o in ontology:
        if str(p).startswith(str(OWL)) and p not in _HANDLED:
            out.add(str(p))
        if p == RDF.type and str(o).startswith(str(OWL)) and o not in _HANDLED_TYPES:
            out.add(str(o))
    return sorted(out)


class Rules:
    """The ontology's axioms, compiled."""

    def __init__(self, ontology: Graph, mode: str = "owlrl") -> None:
        if mode not in MODES:
            raise ValueError(f"unknown reasoning mode {mode!r}")
        self.mode = mode
        owl = mode == "owlrl"
        sub: dict = {}
        for s, o in ontology.subject_objects(RDFS.subClassOf):
            sub.setdefault(s, set()).add(o)
        subp: dict = {}
        for s, o in ontology.subject_objects(RDFS.subPropertyOf):
            subp.setdefault(s, set()).add(o)
        if owl:
            for s, o in ontology.subject_objects(OWL.equivalentClass):
                sub.setdefault(s, set()).add(o)
                sub.setdefault(o, set()).add(s)
            for s, o in ontology.subject_objects(OWL.equivalentProperty):
                subp.setdefault(s, set()).add(o)
                subp.setdefault(o, set()).add(s)
        self.supers = {c: _closure(c, sub) for c in sub}
        self.superprops = {p: _closure(p, subp) for p in subp}
        self.domain: dict = {}
        self.range: dict = {}
        for p, c in ontology.subject_objects(RDFS.domain):
            self.domain.setdefault(p, set()).add(c)
        for p, c in ontology.subject_objects(RDFS.range):
            self.range.setdefault(p, set()).add(c)
        self.inverse: dict = {}
        self.symmetric: set = set()
        self.transitive: set = set()
        self.chains: list[tuple[list, URIRef]] = []
        if owl:
            for p, q in ontology.subject_objects(OWL.inverseOf):
                self.inverse.setdefault(p, set()).add(q)
                self.inverse.setdefault(q, set()).add(p)
            self.symmetric = set(ontology.subjects(RDF.type, OWL.SymmetricProperty))
            self.transitive = set(ontology.subjects(RDF.type, OWL.TransitiveProperty))
            for p, lst in ontology.subject_objects(OWL.propertyChainAxiom):
                self.chains.append((list(Collection(ontology, lst)), p))

    def _about(self, p) -> tuple | None:
        """What the rules do with a triple of property ``p`` (None: nothing), found once per
        property: super-properties, domains, ranges, inverses, symmetric, transitive, and the
        property chains it is a step of."""
        table = self.__dict__.get("_table")
        if table is None:
            table = self._table = {}
        if p in table:
            return table[p]
        chains = [(chain, target, i) for chain, target in self.chains for i, step in enumerate(chain) if step == p]
        about = (tuple(self.superprops.get(p, ())), tuple(self.domain.get(p, ())), tuple(self.range.get(p, ())),
                 tuple(self.inverse.get(p, ())), p in self.symmetric, p in self.transitive, chains)
        if not any(about):
            about = None
        table[p] = about
        return about

    def closure(self, triples: set, fresh: Iterable | None = None) -> set:
        """``triples`` and everything the rules derive from them. With ``fresh`` (some of
        ``triples``), the others are taken to be closed already: only what follows from a fresh
        triple (with any others) is derived, as semi-naive evaluation does after its first
        round."""
        known = set(triples)
        # (p, s) -> objects and (p, o) -> subjects: a transitive or chained step looks up the
        # triples that meet it instead of scanning every triple of its property
        by_ps: dict = {}
        by_po: dict = {}
        for s, p, o in known:
            by_ps.setdefault((p, s), set()).add(o)
            by_po.setdefault((p, o), set()).add(s)
        todo = list(known) if fresh is None else list(set(fresh))
        rdf_type = RDF.type
        supers = self.supers
        about_of = self._about
        while todo:
            new = set()
            for s, p, o in todo:
                if p == rdf_type:
                    for c in supers.get(o, ()):
                        new.add((s, rdf_type, c))
                    continue
                about = about_of(p)
                if about is None:
                    continue
                superprops, domain, range_, inverse, symmetric, transitive, chains = about
                for q in superprops:
                    new.add((s, q, o))
                for c in domain:
                    new.add((s, rdf_type, c))
                for c in range_:
                    new.add((o, rdf_type, c))
                if not isinstance(o, (URIRef, BNode)):
                    continue
                for q in inverse:
                    new.add((o, q, s))
                if symmetric:
                    new.add((o, p, s))
                if transitive:
                    for o2 in by_ps.get((p, o), ()):
                        new.add((s, p, o2))
                    for s2 in by_po.get((p, s), ()):
                        new.add((s2, p, o))
                for chain, target, i in chains:
                    for start in self._walk_back(s, chain[:i], by_po):
                        for end in self._walk(o, chain[i + 1:], by_ps):
                            new.add((start, target, end))
            todo = [t for t in new if t not in known]
            for s, p, o in todo:
                known.add((s, p, o))
                by_ps.setdefault((p, s), set()).add(o)
                by_po.setdefault((p, o), set()).add(s)
        return known

    @staticmethod
    def _walk(node, steps, by_ps):
        nodes = {node}
        for step in steps:
            nodes = {o for n in nodes for o in by_ps.get((step, n), ())}
        return nodes

    @staticmethod
    def _walk_back(node, steps, by_po):
        nodes = {node}
        for step in reversed(steps):
            nodes = {s for n in nodes for s in by_po.get((step, n), ())}
        return nodes


class FastReasoner:
    """``kg.build.reasoning.Reasoner`` with the rules in place of owlrl."""

    def __init__(self, ontology: Graph, reference: Graph, mode: str = "owlrl") -> None:
        self.mode = mode
        self.reference = reference
        self.reference_inferred = Graph()
        if mode == "none":
            return
        self.rules = Rules(ontology, mode)
        ours = str(ID)
        # the ontology's statements about our own entities take part like the reference's
        self.ontology_ours = {t for t in ontology
                              if str(t[0]).startswith(ours) or str(t[2]).startswith(ours)}
        base = set(reference) | self.ontology_ours
        for t in self.rules.closure(base):
            if t not in base and keep(t):
                self.reference_inferred.add(t)
        self._ref_inferred_by_s: dict = {}
        for t in self.reference_inferred:
            self._ref_inferred_by_s.setdefault(t[0], []).append(t)

    def infer_triples(self, article, used: list | None = None) -> set:
        """What follows from ``article`` (a graph, or its triples) with the reference triples it
        uses (``used``, found here when not given)."""
        if self.mode == "none":
            return set()
        if used is None:
            used = used_triples(article, self.reference)
        base = set(article) | set(used) | self.ontology_ours
        for node in {t[0] for t in used}:
            base.update(self._ref_inferred_by_s.get(node, ()))
        if getattr(self, "_known", None) is None:  # sets: a Graph's `in` is slow
            self._known = set(self.reference_inferred) | set(self.reference)
        known = self._known
        out = set()
        # the used reference triples come with their own entailments (the reference's closure):
        # only the article's triples need the rules run from them
        for t in self.rules.closure(base, fresh=[*article, *self.ontology_ours]):
            if t in base or t in known:
                continue
            if keep(t):
                out.add(t)
        return out

    def inferred(self, article, used: list | None = None) -> set:
        """``kg.build.reasoning.Reasoner.inferred``: the triples, as a set."""
        return self.infer_triples(article, used)

    def infer(self, article: Graph) -> Graph:
        g = Graph()
        for t in self.infer_triples(article):
            g.add(t)
        return g


def _closure(start, edges: dict) -> set:
    out, todo = set(), list(edges.get(start, ()))
    while todo:
        n = todo.pop()
        if n in out:
            continue
        out.add(n)
        todo.extend(edges.get(n, ()))
    out.discard(start)
    return out
