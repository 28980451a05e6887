"""Reasoning over the built graph, behind one protocol (``Reasoner``) and one factory
(``reasoner``): the rules kg's ontology needs (``rules.FastReasoner``, the fast engine) or the
OWL RL closure with owlrl (``owlrl_engine.Reasoner``, the reference, and the fast engine's
fallback when the ontology uses what the rules do not cover)."""
from __future__ import annotations

from typing import Iterable, Protocol

from rdflib import Graph


class Reasoner(Protocol):
    """What every reasoner does."""

    #: the entailments of the ontology and the reference entities alone
    reference_inferred: Graph

    def inferred(self, article, used: list | None = None) -> Iterable:
        """The new triples that follow from one article (a graph, or its triples) with what it
        uses, and nothing else; ``used``: the reference triples it uses (``used_triples``), when
        the caller has them already."""
        ...


def reasoner(engine: str, ontology: Graph, reference: Graph, mode: str) -> Reasoner:
    """The reasoner of ``engine`` (``fast`` or ``reference``) for ``mode`` (``owlrl``, ``rdfs``,
    ``none``)."""
    if engine == "fast":
        from .rules import FastReasoner, unsupported

        if not unsupported(ontology):
            return FastReasoner(ontology, reference, mode)
    from .owlrl_engine import Reasoner as OwlrlReasoner

    return OwlrlReasoner(ontology, reference, mode)
