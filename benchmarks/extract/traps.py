"""The dev set's "Must not" traps that drafts fall into.

Every dev-set article has a fidelity file (tests/fidelity/NN_*.yaml) whose ``must_not`` entries
are ASK queries, written against the curated fact file's IRIs, that are true when the graph says
what the article does not (a figure from another report, a host that is not the host, a planned
exercise reported as held...). A draft names its facts in its own way, so its built graph is
first put into the gold's names: each draft fact paired with a gold fact (``kg.extract.score.pairs``,
the pairing the scores use) takes the gold fact's IRI, and so do the nodes built from it (its
claims, amounts, times, roles and links, whose IRIs carry the article and fact ids); a draft fact
with no gold partner is renamed out of the gold's way (``draft-`` before its id). Each trap's
query then runs on that article's graph with the reference and the ontology, as
tests/test_fidelity.py runs them on the curated build: true is a trap the draft fell into.

What this cannot see: a trap that names an entity the draft calls by another id (a person the
draft proposes under a new id) does not fire, so the count is a floor, not a ceiling.
"""
from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _fidelity_lib():
    import sys

    if "fidelity_lib" in sys.modules:
        return sys.modules["fidelity_lib"]
    spec = importlib.util.spec_from_file_location("fidelity_lib", REPO / "tests" / "fidelity_lib.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["fidelity_lib"] = module
    spec.loader.exec_module(module)
    return module


@dataclass(frozen=True)
class Hit:
    article: str
    trap: str


@dataclass
class TrapCount:
    checked: int
    hits: list[Hit]


def renamer(article_id: str, pairs) -> "callable":
    """A function from a draft graph's IRI strings to the gold's: fact IRIs and the IRIs of the
    nodes built from a fact (``.../<article>/<fact>[/...]``)."""
    from kg import namespaces as ns

    facts: dict[tuple[str, str], str] = {}
    for d, g in pairs:
        if d is not None:
            facts[(d.type, d.id)] = g.id if g is not None else f"draft-{d.id}"
    by_id = {fid: new for (_, fid), new in facts.items()}
    base = str(ns.ID)
    fact_re = re.compile(re.escape(base) + r"([^/]+)/([^/]+)$")
    part_re = re.compile(r"^(.*/" + re.escape(article_id) + r"/)([^/]+)(/.*)?$")

    def rename(iri: str) -> str:
        m = fact_re.match(iri)
        if m and (m.group(1), m.group(2)) in facts:
            return f"{base}{m.group(1)}/{facts[(m.group(1), m.group(2))]}"
        m = part_re.match(iri)
        if m and m.group(2) in by_id:
            return f"{m.group(1)}{by_id[m.group(2)]}{m.group(3) or ''}"
        return iri

    return rename


def count(built, pairs_by_article: dict[str, list]) -> TrapCount:
    """Run the traps of every fidelity file whose article is among ``pairs_by_article`` on the
    draft build ``built`` (a ``kg.pipeline.BuildResult``)."""
    import pyoxigraph as ox
    from rdflib import BNode, Literal, URIRef

    from kg import namespaces as ns

    lib = _fidelity_lib()
    units = {unit.article_id: unit for unit in built.units}
    store = ox.Store()

    def term(t, rename=lambda s: s):
        if isinstance(t, URIRef):
            return ox.NamedNode(rename(str(t)))
        if isinstance(t, BNode):
            return ox.BlankNode(str(t))
        assert isinstance(t, Literal)
        if t.language:
            return ox.Literal(str(t), language=t.language)
        if t.datatype:
            return ox.Literal(str(t), datatype=ox.NamedNode(str(t.datatype)))
        return ox.Literal(str(t))

    for name, graph in ((ns.REFERENCE_GRAPH, built.reference), (ns.ONTOLOGY_GRAPH, built.ontology)):
        g = ox.NamedNode(str(name))
        store.extend(ox.Quad(term(s), term(p), term(o), g) for s, p, o in graph)
    checked, hits = 0, []
    for f in lib.files():
        if f.article not in pairs_by_article or f.article not in units:
            continue
        rename = renamer(f.article, pairs_by_article[f.article])
        g = ox.NamedNode(str(ns.article_graph(f.article)))
        store.extend(ox.Quad(term(s, rename), term(p), term(o, rename), g) for s, p, o in units[f.article].triples)
        graphs = [g, ox.NamedNode(str(ns.REFERENCE_GRAPH)), ox.NamedNode(str(ns.ONTOLOGY_GRAPH))]
        for trap in f.traps:
            checked += 1
            if bool(store.query(trap.ask, prefixes=lib.PREFIXES, default_graph=graphs)):
                hits.append(Hit(f.article, trap.trap))
    return TrapCount(checked, hits)
