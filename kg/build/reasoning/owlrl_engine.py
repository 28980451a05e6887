"""What follows from the ontology (owlrl), kept apart from what the articles say.

Reasoning runs per article: the article's graph with the ontology and the reference entities it
uses, so the cost grows linearly with the number of articles. The ontology's own closure and the
reference entities' closure are computed once. Only triples about our own entities are kept:
no axiomatic triples, nothing about rdf/rdfs/owl/xsd built-ins, no literal subjects, no
reflexive ``owl:sameAs``, and nothing already asserted.
"""
from __future__ import annotations

import re

from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from ... import namespaces as ns

MODES = ("owlrl", "rdfs", "none")
_OURS = str(ns.ID)
_TRIVIAL_TYPES = {OWL.Thing, RDFS.Resource, OWL.NamedIndividual, RDFS.Class}


_G_MONTH_DAY = re.compile(r"^--(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])(Z|[+-][0-9]{2}:[0-9]{2})?\Z")
_G_MONTH = re.compile(r"^--(0[1-9]|1[0-2])(Z|[+-][0-9]{2}:[0-9]{2})?\Z")


def _month_day(value: str) -> str:
    """An xsd:gMonthDay such as ``--09-07`` (a day that some year has)."""
    m = _G_MONTH_DAY.match(value)
    if m is None or int(m.group(2)) > (29, 31, 30)[(int(m.group(1)) in (4, 6, 9, 11)) + (int(m.group(1)) != 2)]:
        raise ValueError(f"Invalid gMonthDay {value}")
    return value


def _month(value: str) -> str:
    """An xsd:gMonth such as ``--12``."""
    if not _G_MONTH.match(value):
        raise ValueError(f"Invalid gMonth {value}")
    return value


def _fix_owlrl_datatypes() -> None:
    """owlrl (7.1) checks xsd:gMonthDay and xsd:gMonth as if they had no leading "--" (it reads
    "--09-07" as the date "2008---09-07"), so it takes every valid one for an ill-formed literal,
    and while it reasons rdflib's own parsing of them is replaced by its check. Its table is
    given the XML Schema forms."""
    from owlrl import DatatypeHandling
    from rdflib.namespace import XSD

    DatatypeHandling.AltXSDToPYTHON[XSD.gMonthDay] = _month_day
    DatatypeHandling.AltXSDToPYTHON[XSD.gMonth] = _month


def _closure(graph: Graph, mode: str) -> Graph:
    import owlrl

    _fix_owlrl_datatypes()
    semantics = owlrl.OWLRL_Semantics if mode == "owlrl" else owlrl.RDFS_Semantics
    out = Graph()
    out += graph
    owlrl.DeductiveClosure(semantics, axiomatic_triples=False, datatype_axioms=False).expand(out)
    _drop_recast_literals(graph, out)
    return out


def _drop_recast_literals(graph: Graph, out: Graph) -> None:
    """owlrl stands for each literal by its Python value, and Python's ``True == 1``: a claim at
    paragraph 1 in a graph that also holds ``true`` comes out "at paragraph true" too. Such a
    triple (the asserted subject and property with a literal of another datatype and the same
    Python value) is not an entailment and is dropped."""
    asserted: dict = {}
    for s, p, o in graph:
        if isinstance(o, Literal):
            asserted.setdefault((s, p), set()).add(o)
    for s, p, o in list(out.triples((None, None, None))):
        if isinstance(o, Literal) and (s, p, o) not in graph:
            if any(a.datatype != o.datatype and a.value is not None and a.value == o.value
                   for a in asserted.get((s, p), ())):
                out.remove((s, p, o))


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


def _by_subject(reference: Graph) -> dict:
    """The reference's triples of each subject of ours, computed once per reference graph (kept
    on the graph, and recomputed if the graph has changed size since)."""
    cached = getattr(reference, "_kg_by_subject", None)
    if cached is not None and cached[0] == len(reference):
        return cached[1]
    index: dict = {}
    for t in reference:
        if isinstance(t[0], URIRef) and str(t[0]).startswith(_OURS):
            index.setdefault(t[0], []).append(t)
    reference._kg_by_subject = (len(reference), index)
    return index


def used_triples(article, reference: Graph) -> list:
    """The reference triples about the entities an article (a graph, or its triples) uses,
    following links between them (a fleet's navy, the navy's state) so that chains through them
    can be followed."""
    index = _by_subject(reference)
    out: list = []
    seen: set = set()
    nodes = set()
    for s, _p, o in article:
        nodes.add(s)
        nodes.add(o)
    todo = [t for t in nodes if isinstance(t, URIRef)]
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for t in index.get(node, ()):
            out.append(t)
            if isinstance(t[2], URIRef):
                todo.append(t[2])
    return out


def used_entities(article: Graph, reference: Graph) -> Graph:
    """``used_triples`` as a graph."""
    out = Graph()
    for t in used_triples(article, reference):
        out.add(t)
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

    def inferred(self, article, used: list | None = None) -> Graph:
        """``kg.build.reasoning.Reasoner.inferred``: the triples, as a graph."""
        if not isinstance(article, Graph):
            graph = Graph()
            for t in article:
                graph.add(t)
            article = graph
        return self.infer(article)

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
