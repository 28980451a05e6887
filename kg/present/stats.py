"""Statistics of the graph: how many entities of each class, what each article holds, which
entities most articles mention, how firmly facts are held, and what validation warns about.

``compute(result)`` takes a build (``kg.pipeline.run``) and returns plain data; ``to_text`` and
``to_json`` render it. Counting rules:

- *classes*: the instances (``id:`` IRIs) of each class of the ontology, a class counting the
  instances of its subclasses too (followed here through ``rdfs:subClassOf``, so the counts do
  not depend on the reasoning mode);
- *articles*: per article, its facts (its claims), how many of each type, and the triples of
  its named graph;
- *fact types*: the facts of each type (exercise, arms-transfer...) and the articles reporting
  one of them;
- *mentions*: per reference entity, the articles whose graph names it;
- *certainty*: a fact counts once under each certainty that an article gives it with
  (``stated``, ``reported``, ``attributed``); ``denied`` counts the facts that a denial
  denies or disputes;
- *validation*: the counts of results by severity, and every warning and violation.
"""
from __future__ import annotations

import json
from collections import defaultdict

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from .. import namespaces as ns

_ID = str(ns.ID)
_MC = str(ns.MC)


def _label(graph: Graph, node) -> str:
    for prop in (RDFS.label, SKOS.prefLabel):
        values = sorted(graph.objects(node, prop), key=lambda v: (getattr(v, "language", None) != "en", str(v)))
        if values:
            return str(values[0])
    return str(node).rsplit("/", 1)[-1]


def _short(iri) -> str:
    text = str(iri)
    for prefix, base in (("id:", _ID), ("mc:", _MC)):
        if text.startswith(base):
            return prefix + text[len(base):]
    return text


def _superclasses(ontology: Graph):
    """A function giving a class and every class above it (rdfs:subClassOf, followed)."""
    parents: dict[URIRef, set[URIRef]] = defaultdict(set)
    for s, o in ontology.subject_objects(RDFS.subClassOf):
        if isinstance(s, URIRef) and isinstance(o, URIRef):
            parents[s].add(o)
    closure: dict[URIRef, set[URIRef]] = {}

    def up(cls: URIRef) -> set[URIRef]:
        if cls not in closure:
            seen, todo = set(), [cls]
            while todo:
                c = todo.pop()
                if c not in seen:
                    seen.add(c)
                    todo.extend(parents.get(c, ()))
            closure[cls] = seen
        return closure[cls]

    return up


def compute(result, top: int = 10, validated: bool = True) -> dict:
    """The statistics of a build (a ``kg.pipeline.BuildResult``); ``validated`` says whether
    its report comes from validating (the validation section is None otherwise)."""
    ontology = result.ontology
    data = Graph()
    for g in (result.reference, *result.articles):
        data += g
    everything = Graph()
    everything += data
    everything += ontology
    up = _superclasses(ontology)

    # --- classes
    members: dict[URIRef, set[URIRef]] = defaultdict(set)
    for s, t in data.subject_objects(RDF.type):
        if isinstance(s, URIRef) and str(s).startswith(_ID) and isinstance(t, URIRef):
            for cls in up(t):
                if str(cls).startswith(_MC):
                    members[cls].add(s)
    classes = sorted(
        ({"class": _short(c), "label": _label(ontology, c), "count": len(m)} for c, m in members.items()),
        key=lambda r: (-r["count"], r["label"].casefold(), r["class"]))

    # --- articles
    articles = []
    mentions: dict[URIRef, set[str]] = defaultdict(set)
    reported_by: dict[URIRef, set[str]] = defaultdict(set)
    reference_entities = {s for s in result.reference.subjects(RDF.type, None)
                          if isinstance(s, URIRef) and str(s).startswith(_ID)}
    for graph in sorted(result.articles, key=lambda g: str(g.identifier)):
        article = next((s for s in graph.subjects(RDF.type, ns.MC.Article)), None)
        ident = str(article).rsplit("/", 1)[-1] if article is not None else str(graph.identifier)
        published = graph.value(article, ns.SCHEMA.datePublished) if article is not None else None
        facts = {f for f in graph.objects(None, ns.MC.claims)}
        kinds: dict[str, int] = defaultdict(int)
        for fact in facts:
            kinds[_fact_type(fact)] += 1
            reported_by[fact].add(ident)
        articles.append({
            "article": ident,
            "title": str(graph.value(article, ns.SCHEMA.headline) or "") if article is not None else "",
            "published": str(published) if published is not None else None,
            "facts": len(facts),
            "fact_types": dict(sorted(kinds.items())),
            "triples": len(graph),
        })
        for node in set(graph.subjects()) | set(graph.objects()):
            if node in reference_entities:
                mentions[node].add(ident)
    mentioned = sorted(
        ({"entity": _short(e), "label": _label(result.reference, e), "articles": len(a),
          "article_ids": sorted(a)} for e, a in mentions.items()),
        key=lambda r: (-r["articles"], r["label"].casefold(), r["entity"]))

    # --- fact types: how many facts of each, and how many articles report one
    by_type: dict[str, set[URIRef]] = defaultdict(set)
    for fact in reported_by:
        by_type[_fact_type(fact)].add(fact)
    fact_types = [
        {"type": t, "facts": len(f), "articles": len(set().union(*(reported_by[x] for x in f)))}
        for t, f in sorted(by_type.items(), key=lambda kv: (-len(kv[1]), kv[0]))]

    # --- certainty
    certainties = sorted(
        (c for c in ontology.subjects(SKOS.inScheme, ns.scheme("certainty"))),
        key=lambda c: ({"stated": 0, "reported": 1, "attributed": 2}.get(str(c).rsplit("/", 1)[-1], 9), str(c)))
    held: dict[str, set[URIRef]] = {str(c).rsplit("/", 1)[-1]: set() for c in certainties}
    claims = 0
    facts: set[URIRef] = set()
    for claim, fact in data.subject_objects(ns.MC.claims):
        claims += 1
        facts.add(fact)
        for c in data.objects(claim, ns.MC.certainty):
            held.setdefault(str(c).rsplit("/", 1)[-1], set()).add(fact)
    denied: set[URIRef] = set()
    for denial in set(data.subjects(RDF.type, None)):
        if ns.MC.Denial in _types(data, denial, up):
            denied |= set(data.objects(denial, ns.MC.denies)) | set(data.objects(denial, ns.MC.disputes))
    certainty = {k: len(v) for k, v in held.items()}
    certainty["denied"] = len(denied)

    # --- validation
    report = result.report
    validation = None
    if validated:
        from ..build.shacl.report import format_json

        rows = json.loads(format_json(report))["results"]
        validation = {
            "conforms": report.conforms,
            "violations": report.count("Violation"),
            "warnings": report.count("Warning"),
            "infos": report.count("Info"),
            "results": [r for r in rows if r["severity"] in ("Violation", "Warning")],
        }

    return {
        "triples": sum(len(g) for g in result.graphs),
        "articles": articles,
        "classes": classes,
        "facts": len(facts),
        "claims": claims,
        "fact_types": fact_types,
        "certainty": certainty,
        "most_mentioned": mentioned[:top],
        "validation": validation,
    }


def _fact_type(fact) -> str:
    """The type of a fact as a fact file names it: ``id:exercise/casarex-2025`` is an exercise."""
    text = str(fact)
    return text[len(_ID):].split("/", 1)[0] if text.startswith(_ID) else "other"


def _types(graph: Graph, node, up) -> set[URIRef]:
    out: set[URIRef] = set()
    for t in graph.objects(node, RDF.type):
        if isinstance(t, URIRef):
            out |= up(t)
    return out


def to_json(stats: dict) -> str:
    return json.dumps(stats, indent=2, ensure_ascii=False) + "\n"


def _table(headers: list[str], rows: list[list], right: set[int] = frozenset()) -> list[str]:
    cells = [[str(h) for h in headers]] + [[("" if v is None else str(v)) for v in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]

    def line(row):
        parts = [(c.rjust(widths[i]) if i in right else c.ljust(widths[i])) for i, c in enumerate(row)]
        return "  ".join(parts).rstrip()

    return [line(cells[0]), "  ".join("-" * w for w in widths)] + [line(r) for r in cells[1:]]


def to_text(stats: dict) -> str:
    """Tables for people."""
    out = [f"{stats['triples']} asserted triples, {len(stats['articles'])} articles, {stats['facts']} facts "
           f"({stats['claims']} claims)", ""]
    out.append("Articles")
    out += _table(["article", "published", "facts", "triples"],
                  [[a["article"], a["published"] or "unknown", a["facts"], a["triples"]] for a in stats["articles"]],
                  right={2, 3})
    out += ["", "Facts per type"]
    out += _table(["type", "facts", "articles"], [[t["type"], t["facts"], t["articles"]] for t in stats["fact_types"]],
                  right={1, 2})
    out += ["", "Entities per class"]
    out += _table(["class", "label", "count"], [[c["class"], c["label"], c["count"]] for c in stats["classes"]],
                  right={2})
    out += ["", "Facts per certainty (a fact counts under each certainty an article gives it; denied: "
            "denied or disputed by a denial)"]
    out += _table(["certainty", "facts"], [[k, v] for k, v in stats["certainty"].items()], right={1})
    out += ["", f"Entities mentioned by most articles (top {len(stats['most_mentioned'])})"]
    out += _table(["entity", "label", "articles"],
                  [[m["entity"], m["label"], m["articles"]] for m in stats["most_mentioned"]], right={2})
    out.append("")
    v = stats["validation"]
    if v is None:
        out.append("Validation: not run (no shapes file)")
    else:
        counts = ", ".join(f"{v[k]} {word}{'s' * (v[k] != 1)}" for k, word in
                           (("violations", "violation"), ("warnings", "warning"), ("infos", "info")))
        out.append(f"Validation: {counts}")
        for r in v["results"]:
            where = f" ({r['file']}:{r['line']})" if r.get("file") else ""
            path = f" {_short(r['resultPath'])}" if r.get("resultPath") else ""
            out.append(f"{r['severity']}: {_short(r['focusNode'])}{path}: {r['message']}{where}")
    return "\n".join(out) + "\n"
