"""What only the articles together show: references to facts, and facts several articles report.

Each article is read, built and validated on its own (and cached, ``kg.pipeline``), so two
things escape that validation:

- a reference written ``TYPE/ID`` (``denies: [exercise/casarex-2025]``) to a fact of another
  article, which may be reported by no article at all;
- a fact that several articles report (the same ``TYPE/ID``: one node in the merged graph)
  with values that disagree: two start dates where the shapes allow one, an observer in one
  article that takes part in the other.

The only nodes that several article graphs share are such facts (an article's own node, its
claims and its named graph carry the article's id; articles add nothing to the reference
entities), so the merged graph differs from the articles one by one only at them. After the
per-article stage, each article gives a small index (its facts' IRIs and lines, and the fact
references it makes, ``ArticleIndex``), kept in its cache entry; ``check`` reads the indexes of
all articles, refuses a reference to a fact that no article reports (``InputError``: the file
and line of the reference), and validates the facts that several articles report with
different triples (a digest of each fact's triples is in the index), with the values of every
article that reports them: its cost grows with the facts articles disagree on, not with the
number of articles.

What it finds there is reported as a ``Warning`` naming the articles and lines: the articles
disagree, which no single fact file can be blamed for (kg keeps what each article says; the
report says where they differ). A single-valued property (``sh:maxCount 1`` on a shape
targeting a class of the fact, or an ``owl:FunctionalProperty`` of the ontology) given different
values by two articles is one warning per fact and property, listing every value and where it
stands; a result that the merged fact gives and no article alone does (an event that ends, by
one article, before it starts, by the other) is one warning with the shape's message.
"""
from __future__ import annotations

import difflib
import hashlib
import pickle
from dataclasses import dataclass
from typing import Callable, Iterable

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH
from rdflib.term import Node

from .. import namespaces as ns
from ..errors import InputError
from ..inputs.schema import FACT_COMMON, FACT_TYPES
from .shacl.report import Result

#: how many places a warning lists for one value before "and N more"
_SHOWN = 3

#: an amount is a node of the article that gives it (id:amount/ARTICLE/...)
_AMOUNT_BASE = str(ns.ID) + "amount/"
#: the IRIs of the facts of every type start with one of these
_FACT_PREFIXES = tuple(sorted(str(ns.entity(kind, "")) for kind in FACT_TYPES))


def subset(triples: list) -> list:
    """What ``check`` reads of an article's triples, in their order: every triple whose subject
    is a fact's IRI (any fact type's, the article's own or not), and the amounts' labels.
    Giving ``check`` this instead of all the triples gives the same results."""
    label = RDFS.label
    out = []
    for t in triples:
        s = t[0]
        if isinstance(s, URIRef):
            text = str(s)  # rdflib's own startswith takes no tuple
            if text.startswith(_FACT_PREFIXES) or (t[1] == label and text.startswith(_AMOUNT_BASE)):
                out.append(t)
    return out


@dataclass(frozen=True)
class ArticleIndex:
    """What the cross-article check needs of one article (kept in its cache entry).

    ``facts``: (fact IRI, line of the fact, digest of the fact's triples) for each fact;
    ``packed_lines``: for each fact in that order, ((property IRI, line of its key), ...),
    pickled (``prop_lines``: read only for the facts several articles give, so that 100,000
    articles' indexes hold one small bytes object each, not thousands of tuples); ``refs``:
    (fact IRI, the reference as written, line) for each ``TYPE/ID`` reference. Articles that
    give a fact the same digest give it the same triples: their fact is the node that each of
    them validated, and is not read again.
    """

    facts: tuple[tuple[str, int, str], ...]
    packed_lines: bytes
    refs: tuple[tuple[str, str, int], ...]

    def prop_lines(self) -> tuple[tuple[tuple[str, int], ...], ...]:
        return pickle.loads(self.packed_lines)


#: the keys a fact's label may come from, in the order ``kg.build.triples.fact_label`` takes them
_LABEL_KEYS = ("label", "codename", "name")


def index_of(article, blocks: Iterable[tuple[str, str]], terms: Callable[[Node], str]) -> ArticleIndex:
    """The index of a read article (``kg.inputs.facts.Article``), from its graph's subject blocks
    (``kg.output.turtle.subject_blocks``: canonical, so that the same triples give the same text)."""
    about = dict(blocks)
    facts = []
    for fact in article.facts:
        lines: dict[str, int] = {}
        for f in FACT_COMMON + FACT_TYPES[fact.type].fields:
            if f.prop is not None and f.key in fact.key_lines:
                lines.setdefault(str(f.prop), fact.key_lines[f.key])
        label = next((fact.key_lines[k] for k in _LABEL_KEYS if k in fact.key_lines), None)
        if label is not None:
            lines[str(RDFS.label)] = label
        iri = str(ns.entity(fact.type, fact.id))
        digest = hashlib.blake2b(about.get(terms(URIRef(iri)), "").encode("utf-8"), digest_size=16).hexdigest()
        facts.append((iri, fact.line, tuple(sorted(lines.items())), digest))
    refs = tuple((str(ns.entity(ref.kind, ref.id)), text, line) for ref, text, line in article.fact_refs)
    return ArticleIndex(tuple((iri, line, digest) for iri, line, _lines, digest in facts),
                        pickle.dumps(tuple(lines for _iri, _line, lines, _digest in facts),
                                     protocol=pickle.HIGHEST_PROTOCOL), refs)


@dataclass(frozen=True)
class _Report:
    """One article's report of a shared fact: where, and the triples it gives the fact."""

    path: str
    line: int
    prop_lines: dict[str, int]
    values: dict[URIRef, frozenset]

    def where(self, prop: URIRef) -> str:
        return f"{self.path}:{self.prop_lines.get(str(prop), self.line)}"


# --- single-valued properties --------------------------------------------------------------


def single_valued(shapes: Graph | None, ontology: Graph) -> dict[URIRef | None, dict[URIRef, tuple]]:
    """class -> {property: (property shape, its message)} for the properties a shape targeting
    that class allows once (``sh:maxCount 1`` on a plain property path); the class None holds
    the ontology's ``owl:FunctionalProperty`` properties, single-valued on every node."""
    out: dict[URIRef | None, dict[URIRef, tuple]] = {}
    for prop in ontology.subjects(RDF.type, OWL.FunctionalProperty):
        if isinstance(prop, URIRef):
            out.setdefault(None, {})[prop] = (None, None)
    if shapes is None:
        return out
    for node_shape, cls in sorted(shapes.subject_objects(SH.targetClass)):
        if not isinstance(cls, URIRef):
            continue
        owned = list(shapes.objects(node_shape, SH.property))
        if shapes.value(node_shape, SH.path) is not None:  # a property shape with its own target
            owned.append(node_shape)
        for ps in sorted(owned):
            path = shapes.value(ps, SH.path)
            most = shapes.value(ps, SH.maxCount)
            if not isinstance(path, URIRef) or not isinstance(most, Literal):
                continue
            if str(shapes.value(ps, SH.deactivated, default="false")).lower() == "true":
                continue
            if str(most) != "1":
                continue
            message = shapes.value(ps, SH.message)
            out.setdefault(cls, {}).setdefault(path, (ps, str(message) if message is not None else None))
    return out


def fact_single_valued(shapes: Graph, ontology: Graph) -> set[URIRef]:
    """Every property single-valued on some kind of fact (what the QC query
    ``queries/qc/conflicting-value-violation.rq`` lists)."""
    facts = set(ontology.transitive_subjects(RDFS.subClassOf, ns.MC.Fact))
    out: set[URIRef] = set()
    for cls, props in single_valued(shapes, ontology).items():
        if cls is None or cls in facts:
            out |= set(props)
    return out


# --- the check ----------------------------------------------------------------------------


def check(articles: Iterable[tuple[str, ArticleIndex, Callable[[], list]]], ontology: Graph,
          shapes: Graph | None, per_article: Iterable[Result],
          validate_merged: Callable[[Graph, set[Node], dict], list[Result]] | None,
          memo: "Memo | None" = None) -> list[Result]:
    """The results that only the articles together give.

    ``articles``: (fact file, its index, a function giving its triples) for every article (all
    of them, or at least ``subset`` of them);
    ``per_article``: the results the articles gave one by one (not reported twice);
    ``validate_merged(graph, focus, lines)``: the results of the shapes on ``focus`` in
    ``graph`` with the reference entities (None: the shapes are not checked);
    ``memo``: where the results of the last check are kept, with what they were made from
    (:class:`Memo`): where the facts several articles give, and the articles that give them, are
    as they were, the results are those.
    Raises ``InputError`` at the first reference (by file and line) to a fact no article reports.
    """
    articles = sorted(articles, key=lambda a: a[0])
    where: dict[str, list[tuple]] = {}  # fact IRI -> (article, line, its place in the index, digest)
    for i, (_path, index, _triples) in enumerate(articles):
        for k, (iri, line, digest) in enumerate(index.facts):
            where.setdefault(iri, []).append((i, line, k, digest))
    _check_references(articles, where)
    if validate_merged is None:
        return []
    # the facts that articles give different triples (the others are as each article has them)
    shared = {iri: seen for iri, seen in where.items() if len({d for _, _, _, d in seen}) > 1}
    if not shared:
        return []
    key = None
    if memo is not None:
        involved = sorted({i for seen in shared.values() for i, _, _, _ in seen})
        given = [(iri, [(articles[i][0], line, k, d) for i, line, k, d in seen]) for iri, seen in sorted(shared.items())]
        key = memo.key(given, [(articles[i][0], memo.version(articles[i][0])) for i in involved])
        known = memo.get(key)
        if known is not None:
            return known
    out = _check_shared(articles, shared, ontology, shapes, per_article, validate_merged)
    if memo is not None:
        memo.put(key, out)
    return out


class Memo:
    """The results of the last check, kept with a key of what they were made from: the facts
    several articles give (with each article's line, place and digest of the fact), each
    article that gives one (by ``version``: a digest of everything it gives), and ``context``
    (the ontology, the shapes, the reference entities and kg's code, as the caller has them).
    ``get`` and ``put`` read and keep them."""

    def __init__(self, context: str, version: Callable[[str], bytes], get: Callable[[str], list | None],
                 put: Callable[[str, list], None]) -> None:
        self.context, self.version, self.get, self.put = context, version, get, put

    def key(self, shared: list, involved: list) -> str:
        return hashlib.sha256(pickle.dumps((self.context, shared, involved), protocol=4)).hexdigest()


def _check_shared(articles: list, shared: dict, ontology: Graph, shapes: Graph | None,
                  per_article: Iterable[Result],
                  validate_merged: Callable[[Graph, set[Node], dict], list[Result]]) -> list[Result]:
    """The results on the facts that articles give different triples (``shared``: fact IRI ->
    (article, line, place, digest) of each that gives it)."""
    # the triples of each shared fact, by article (only the articles that report one are read)
    nodes = {URIRef(iri) for iri in shared}
    by_article: dict[int, dict[URIRef, dict[URIRef, set]]] = {}
    # Two articles giving the same amount give two nodes. Each amount is taken as its label
    # (value, bound, unit...) and stands in the merged graph as the first node with that label.
    canonical: dict[tuple, URIRef] = {}
    merged = Graph()
    label, amount = RDFS.label, ns.MC.Amount  # looked up once, not for every triple
    for i in sorted({i for seen in shared.values() for i, _, _, _ in seen}):
        mine: dict[URIRef, dict[URIRef, set]] = {}
        labels: dict[URIRef, Literal] = {}
        triples = list(articles[i][2]())
        for s, p, o in triples:
            if p == label and isinstance(s, URIRef) and str(s).startswith(_AMOUNT_BASE):
                labels[s] = o
        for s, p, o in triples:
            if s in nodes:
                if o in labels:
                    key = (s, p, labels[o])
                    if key not in canonical:
                        canonical[key] = o
                        merged.add((o, RDF.type, amount))
                        merged.add((o, label, labels[o]))
                    o = canonical[key]
                mine.setdefault(s, {}).setdefault(p, set()).add(o)
        by_article[i] = mine
    reports: dict[URIRef, list[_Report]] = {}
    prop_lines: dict[int, tuple] = {}
    for iri, seen in sorted(shared.items()):
        node = URIRef(iri)
        for i, line, k, _digest in seen:
            values = by_article[i].get(node, {})
            if i not in prop_lines:
                prop_lines[i] = articles[i][1].prop_lines()
            reports.setdefault(node, []).append(
                _Report(articles[i][0], line, dict(prop_lines[i][k]), {p: frozenset(v) for p, v in values.items()}))
            for p, objects in values.items():
                for o in objects:
                    merged.add((node, p, o))
    amount_labels = {node: label for (_s, _p, label), node in canonical.items()}
    out: list[Result] = []
    conflicted: set[tuple[URIRef, URIRef]] = set()
    single = single_valued(shapes, ontology)
    for node, reps in sorted(reports.items()):
        classes = set()
        for t in merged.objects(node, RDF.type):
            classes |= set(ontology.transitive_objects(t, RDFS.subClassOf))
        props: dict[URIRef, tuple] = dict(single.get(None, {}))
        for cls in sorted(classes):
            for p, shape in single.get(cls, {}).items():
                props.setdefault(p, shape)
        for p, (shape, message) in sorted(props.items()):
            given = [r for r in reps if r.values.get(p)]
            if len({r.values[p] for r in given}) < 2:
                continue
            conflicted.add((node, p))
            out.append(Result("Warning", node, p, _disagreement(message, p, given, amount_labels), shape, None,
                              (reps[0].path, reps[0].line)))
    seen_before = {_key(r) for r in per_article}
    lines = {node: (reps[0].path, reps[0].line) for node, reps in reports.items()}
    for r in validate_merged(merged, nodes, lines):
        if r.focus not in reports or _key(r) in seen_before or (r.focus, r.path) in conflicted:
            continue
        reps = reports[r.focus]
        together = ", ".join(f"{x.path}:{x.line}" for x in reps)
        out.append(Result("Warning" if r.severity == "Violation" else r.severity, r.focus, r.path,
                          f"{r.message}; seen only with the articles together: {together}", r.shape, r.value,
                          (reps[0].path, reps[0].line)))
    return out


def _key(r: Result) -> tuple:
    return (r.severity, r.focus, r.path, r.shape, r.value, r.message)


def _check_references(articles: list, where: dict) -> None:
    for path, index, _triples in articles:
        for iri, text, line in sorted(index.refs, key=lambda r: r[2]):
            if iri in where:
                continue
            raise InputError(f"{_quoted(text)}: no article reports this fact{_suggest(iri, where)}", path, line)


def _suggest(iri: str, known: dict) -> str:
    """The facts of the same id (of another type), or else the closest ids."""
    base = str(ns.ID)
    if not iri.startswith(base):
        return ""
    kind, _, fid = iri[len(base):].partition("/")
    names = sorted(k[len(base):] for k in known if k.startswith(base))
    same = [n for n in names if n.partition("/")[2] == fid]
    close = same or difflib.get_close_matches(f"{kind}/{fid}", names, n=3, cutoff=0.8)
    if not close:
        return ""
    return "; did you mean " + " or ".join(repr(c) for c in close) + "?"


def _quoted(text: str) -> str:
    from ..inputs.yamlread import short_repr

    return short_repr(text)


def _disagreement(message: str | None, prop: URIRef, given: list[_Report], labels: dict | None = None) -> str:
    """'<the shape's message>; the articles disagree: a.yaml:15 says X, b.yaml:15 says Y'."""
    by_value: dict[frozenset, list[str]] = {}
    for r in given:
        by_value.setdefault(r.values[prop], []).append(r.where(prop))
    parts = []
    for values, places in by_value.items():
        shown = ", ".join(places[:_SHOWN]) + (f" and {len(places) - _SHOWN} more" if len(places) > _SHOWN else "")
        verb = "says" if len(places) == 1 else "say"
        parts.append(f"{shown} {verb} {' and '.join(sorted(_show(v, labels) for v in values))}")
    head = message or f"{_show(prop)} has one value"
    return f"{head}; the articles disagree: " + ", ".join(parts)


def _show(node: Node, labels: dict | None = None) -> str:
    from .shacl.report import short

    if isinstance(node, Literal):
        text = str(node)
        if node.datatype is None or node.datatype == RDF.langString or str(node.datatype).endswith("#string"):
            text = f'"{text}"'
        return text if len(text) <= 60 else text[:57] + "..."
    if labels and node in labels:
        return f'"{labels[node]}"'
    for base in (str(ns.ID), str(ns.MCV)):  # an entity, fact or concept as a fact file names it
        if isinstance(node, URIRef) and str(node).startswith(base):
            return str(node)[len(base):]
    g = Graph()
    ns.bind_prefixes(g)
    return short(g, node)
