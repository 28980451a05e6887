"""What the pages of ``kg serve`` show, read from any engine (``kg.engines``: the built graph,
the embedded store or a SPARQL server) by SPARQL alone: an entity with what each article says
of it (``Site.entity``), the saved queries (``Site.saved``, ``Site.run``), a search over labels
and aliases, and the overviews (exercises, transfers, states, articles).

Nothing here knows the web framework: ``kg.serve.app`` turns these records into pages. The
statements, denials and conflicts of a fact are the saved queries ``statements``,
``contradictions`` and ``conflicts`` bound to it, so that a page says what ``kg query`` says.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from .. import namespaces as ns
from ..errors import InputError, KgError
from ..inputs.values import iri_problem
from ..queries import (QueryFile, bind_params, check_query, find_query, parse_query_text, query_names,
                       run_query)
from ..sparql.results import lookup_labels
from ..sparql.terms import XSD_STRING, SelectResult, Term

BASE = ns.BASE
ID = str(ns.ID)
MC = str(ns.MC)
INFERRED = str(ns.INFERRED_GRAPH)
ARTICLE_GRAPH = str(ns.GRAPH["article/"])
#: the IRI spaces of ours that have pages: ``/id/...``, ``/vocab/...``, ``/ontology/...``
PAGED = ("id/", "vocab/", "ontology/")
#: the claim modes that speak against a fact, and the narrower modes under them (as the saved
#: query ``contradictions`` reads them)
_AGAINST = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX mode: <https://w3id.org/milcoop/vocab/claim-mode/>
SELECT DISTINCT ?mode WHERE { VALUES ?kind { mode:denies mode:retracts mode:cannot-confirm } ?mode skos:broader* ?kind }"""


class NotFound(KgError):
    """No such entity, saved query or page: the web answers 404."""


# --- IRIs and paths ------------------------------------------------------------------------


def iri_of(path: str) -> str:
    """The IRI of a page's path: ``id/state/RUS`` -> ``https://w3id.org/milcoop/id/state/RUS``."""
    path = path.lstrip("/")
    if not path.startswith(PAGED):
        raise NotFound(f"no page /{path}")
    return BASE + path


def path_of(iri: str) -> str | None:
    """The local path of an IRI that has a page here (``/id/state/RUS``), else None."""
    if iri.startswith(BASE) and iri[len(BASE):].startswith(PAGED):
        return "/" + iri[len(BASE):]
    return None


def valid_iri(iri: str) -> bool:
    """Whether ``iri`` is an IRI every engine reads (RFC 3987, as Oxigraph reads it): what a
    page's path makes may not be."""
    return iri_problem(iri) is None


def graph_source(graph: str) -> str:
    """Who holds a statement, from its named graph: an article's IRI, or ``reference``,
    ``ontology``, ``inferred``."""
    if graph.startswith(ARTICLE_GRAPH):
        return str(ns.article(graph[len(ARTICLE_GRAPH):]))
    if graph.startswith(str(ns.GRAPH)):
        return graph[len(str(ns.GRAPH)):]
    return graph


def uri(value: str) -> Term:
    return Term("uri", value)


# --- what a page shows ---------------------------------------------------------------------


@dataclass
class Value:
    """One value of a property, with where it is said: articles (IRIs), ``reference``, ``inferred``..."""

    term: Term
    sources: list[str] = field(default_factory=list)

    @property
    def inferred_only(self) -> bool:
        return self.sources == ["inferred"]


@dataclass
class Prop:
    iri: str
    values: list[Value]
    #: articles disagree on its value (the saved query ``conflicts``)
    conflict: bool = False


@dataclass
class Incoming:
    subject: Term
    prop: str


@dataclass
class Entity:
    iri: str
    props: list[Prop]
    incoming: list[Incoming]
    #: the saved query ``statements`` bound to the entity as fact: who said what of it
    statements: SelectResult
    #: the same bound to it as speaker: what it said
    said: SelectResult
    #: ``contradictions`` bound to the fact: statements against it beside those for it
    contradictions: SelectResult
    #: ``conflicts`` bound to the fact: values two articles give differently
    conflicts: SelectResult
    labels: dict[str, str]
    incoming_cut: bool = False
    #: the facts it said something of, and the page of them whose statements ``said`` holds
    #: (1-based; ``SAID_FACTS`` a page)
    said_facts: int = 0
    said_page: int = 1

    @property
    def said_pages(self) -> int:
        return max(1, -(-self.said_facts // SAID_FACTS))

    @property
    def label(self) -> str:
        return self.labels.get(self.iri) or self.iri.rsplit("/", 1)[-1]

    def values(self, prop: str) -> list[Term]:
        return [v.term for p in self.props if p.iri == prop for v in p.values]

    @property
    def classes(self) -> list[str]:
        return [t.value for t in self.values(str(ns.RDF.type)) if t.type == "uri"]

    @property
    def aliases(self) -> list[str]:
        return sorted({t.value for t in self.values(str(ns.SKOS.altLabel))})

    #: the claim modes that speak against a fact (``Site.against_modes``)
    against_modes: frozenset[str] = frozenset()

    def against(self, row: dict[str, Term]) -> bool:
        """Whether a statement (a row of ``statements``) speaks against the fact."""
        mode = row.get("mode")
        return mode is not None and mode.value in self.against_modes


#: how many incoming links a page lists at most
MAX_INCOMING = 500

_OUT = """SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }"""
#: the links to an entity, asserted: at most one more than a page lists, in the order the engine
#: finds them (``Site._incoming`` sorts them): ORDER BY before LIMIT would read every link back
#: from the store (6.7 s for a claim mode that 69,000 claims name, at 10,000 articles). All of
#: them where there are no more than ``MAX_INCOMING``; past that, which ones is the engine's
#: order, and the page says that the list is cut.
_IN = ("SELECT DISTINCT ?o ?s ?p WHERE { GRAPH ?g { ?s ?p ?o } FILTER(isIRI(?s) && ?g != <%s>) } "
       "LIMIT %%d") % INFERRED
_SEARCH = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?s ?name ?_text WHERE {
  ?s rdfs:label|skos:altLabel|skos:prefLabel ?name .
  FILTER(isIRI(?s) && STRSTARTS(STR(?s), "%s") && CONTAINS(LCASE(STR(?name)), LCASE(STR(?_text))))
}
ORDER BY STR(?s) STR(?name) LIMIT 400""" % ID
#: the links that make a saved query worth running for a page (``Site.entity``), read where
#: the incoming links listed are cut short
_GATES = (MC + "claims", MC + "denies", MC + "disputes", MC + "attributedTo", str(ns.SCHEMA.publisher))
_LINKED_BY = "SELECT DISTINCT ?p ?o WHERE { VALUES ?p { %s } ?s ?p ?o }" % " ".join(f"<{p}>" for p in _GATES)
_TYPES = """SELECT DISTINCT ?s ?type WHERE { VALUES ?s { %s } ?s a ?type }"""
_STATES = """PREFIX mc: <https://w3id.org/milcoop/ontology/>
SELECT ?state ?articles ?exercises ?supplied ?received WHERE {
  { SELECT ?state (COUNT(DISTINCT ?g) AS ?articles) WHERE {
      ?state a mc:State . GRAPH ?g { ?x ?p ?state } FILTER(STRSTARTS(STR(?g), "%s")) } GROUP BY ?state }
  OPTIONAL { SELECT ?state (COUNT(DISTINCT ?e) AS ?exercises) WHERE { ?e mc:participantState ?state } GROUP BY ?state }
  OPTIONAL { SELECT ?state (COUNT(DISTINCT ?t) AS ?supplied) WHERE { ?t a mc:ArmsTransfer ; mc:supplier ?state } GROUP BY ?state }
  OPTIONAL { SELECT ?state (COUNT(DISTINCT ?t) AS ?received) WHERE { ?t a mc:ArmsTransfer ; mc:recipient ?state } GROUP BY ?state }
  FILTER(BOUND(?state))
}
ORDER BY DESC(?articles) STR(?state)""" % ARTICLE_GRAPH
#: how many facts a speaker's page lists the statements of at once: a page of ``statements``
#: bound to each fact and the speaker (one speaker can have said thousands of things, and
#: listing them all reads every claim of theirs: 12 s for an outlet at 10,000 articles)
SAID_FACTS = 20
#: the facts a speaker said something of (the claim's own speaker, or its article's publisher
#: where it names none, as ``statements`` reads them); each branch starts from the speaker.
#: Sorted here, not by ORDER BY (which reads every term back from the store: 0.3 s for an
#: outlet's 2,750 facts at 10,000 articles, 0.08 s without)
_SAID = """PREFIX mc: <https://w3id.org/milcoop/ontology/>
PREFIX schema: <https://schema.org/>
SELECT DISTINCT ?article ?fact ?speaker WHERE {
  { GRAPH ?g { ?claim mc:attributedTo ?speaker ; mc:claims ?fact ; mc:source ?article } }
  UNION
  { GRAPH ?g { ?article schema:publisher ?speaker . ?claim mc:source ?article ; mc:claims ?fact .
               FILTER NOT EXISTS { ?claim mc:attributedTo ?someone } } }
}"""
_ARTICLES = """PREFIX mc: <https://w3id.org/milcoop/ontology/>
PREFIX schema: <https://schema.org/>
SELECT DISTINCT ?article ?headline ?published ?publisher ?fact WHERE {
  ?article a mc:Article .
  OPTIONAL { ?article schema:headline ?headline }
  OPTIONAL { ?article schema:datePublished ?published }
  OPTIONAL { ?article schema:publisher ?publisher }
  OPTIONAL { ?claim mc:source ?article ; mc:claims ?fact . FILTER NOT EXISTS { ?fact a mc:Claim } }
}
ORDER BY STR(?article) STR(?fact)"""


class Site:
    """The pages' data over one engine. ``queries_dir`` holds the saved queries (``*.rq``);
    ``display`` shows a query file's path in an error (``Project.display``)."""

    def __init__(self, engine, queries_dir: Path, display=str):
        self.engine = engine
        self.queries_dir = queries_dir
        self.display = display
        self._checked: set[str] = set()

    @cached_property
    def against_modes(self) -> frozenset[str]:
        return frozenset(row["mode"].value for row in self.engine.select(_AGAINST, {}).rows if "mode" in row)

    # -- saved queries ----------------------------------------------------------------------

    @cached_property
    def saved(self) -> dict[str, QueryFile]:
        """Every saved query by name (``qc/...`` for the quality checks), read once."""
        return {name: find_query(self.queries_dir, name, self.display) for name in query_names(self.queries_dir)}

    def query(self, name: str) -> QueryFile:
        try:
            return self.saved[name]
        except KeyError:
            raise NotFound(f"no saved query named {name!r}") from None

    def run(self, q: QueryFile, given: dict[str, str]):
        """A saved query run with the parameter values given (by their names, as ``kg query
        --param`` takes them); the engine's timeout holds."""
        if q.name not in self._checked:  # a saved query's text does not change while it is served
            check_query(q, q.name)
            self._checked.add(q.name)
        return run_query(q, bind_params(q, given, self.engine), self.engine)

    def run_text(self, text: str):
        """A query typed by someone (the SPARQL endpoint): updates, LOAD and SERVICE refused as
        ``kg query`` refuses them (``InputError``); the project's prefixes declared."""
        q = parse_query_text(text, Path("query"), "query", "query")
        if q.params:  # ?_name variables are the saved queries' parameters; here they are plain variables
            q.params = []
        check_query(q, "the query")
        return run_query(q, {}, self.engine)

    def labels(self, iris: set[str]) -> dict[str, str]:
        """The label of each IRI that has one; an article's is its headline."""
        found = {i: t.value for i, t in lookup_labels(self.engine, {i for i in iris if i}).items()}
        articles = sorted(i for i in iris if i not in found and i.startswith(ID + "article/")
                          and valid_iri(i))
        for start in range(0, len(articles), 500):
            values = " ".join(uri(i).n3() for i in articles[start:start + 500])
            text = ("SELECT ?s (MIN(STR(?h)) AS ?headline) WHERE { VALUES ?s { %s } ?s <%sheadline> ?h } GROUP BY ?s"
                    % (values, ns.SCHEMA))
            for row in self.engine.select(text, {}).rows:
                if "headline" in row:
                    found[row["s"].value] = row["headline"].value
        return found

    def _bound(self, name: str, var: str, iri: str) -> SelectResult:
        """A saved query with one of its projected variables bound to an IRI."""
        if name not in self.saved:
            return SelectResult([], [])
        q = self.saved[name]
        result = self.engine.select(q.runnable, {var: uri(iri)})
        return result

    def _param(self, name: str, params: dict[str, str], column: str) -> SelectResult:
        """A saved query run with IRI parameters, the rows whose ``column`` is the IRI given to
        the parameter of that name (an optional parameter lets through the rows where its column
        is unbound)."""
        if name not in self.saved:
            return SelectResult([], [])
        q = self.saved[name]
        result = run_query(q, bind_params(q, params, self.engine), self.engine).select
        iri = params[column]
        return SelectResult(result.variables, [r for r in result.rows if column in r and r[column].value == iri])

    # -- entities ---------------------------------------------------------------------------

    def _incoming(self, iri: str) -> SelectResult:
        """``_IN`` for ``iri``, by property and then subject."""
        result = self.engine.select(_IN % (MAX_INCOMING + 1), {"o": uri(iri)})
        return SelectResult(result.variables, sorted(result.rows, key=lambda r: (r["p"].value, r["s"].value)))

    def said(self, iri: str, page: int = 1) -> tuple[SelectResult, int]:
        """What ``iri`` said of the facts of one page (``SAID_FACTS`` facts, in the order
        ``statements`` lists them), as ``statements`` bound to each fact and the speaker says it,
        and how many facts it said something of. ``NotFound`` for a page past the last."""
        found = sorted({(row["article"].value, row["fact"].value)
                        for row in self.engine.select(_SAID, {"speaker": uri(iri)}).rows})
        facts = list(dict.fromkeys(fact for _article, fact in found))  # in the order statements lists them
        pages = max(1, -(-len(facts) // SAID_FACTS))
        if not 1 <= page <= pages:
            raise NotFound(f"no page {page} of what <{iri}> said: there are {pages}")
        variables, rows = [], []
        for fact in facts[(page - 1) * SAID_FACTS:page * SAID_FACTS]:
            result = self._param("statements", {"fact": fact, "speaker": iri}, "speaker")
            variables = variables or result.variables
            rows += result.rows
        # the saved query's order: by article, then fact (each fact's rows are in its order)
        rows.sort(key=lambda r: (r["article"].value if "article" in r else "", r["fact"].value if "fact" in r else ""))
        return SelectResult(variables, rows), len(facts)

    def entity(self, iri: str, said_page: int = 1) -> Entity:
        """What the graph holds of ``iri``; ``NotFound`` where it holds nothing. ``said_page``:
        which page of what it said (``Site.said``)."""
        if not valid_iri(iri):
            raise NotFound(f"no entity <{iri}>")
        out = self.engine.select(_OUT, {"s": uri(iri)})
        incoming = self._incoming(iri)
        if not out.rows and not incoming.rows:
            raise NotFound(f"no entity <{iri}> in the graph")
        by_prop: dict[str, dict[Term, list[str]]] = defaultdict(dict)
        for row in out.rows:
            sources = by_prop[row["p"].value].setdefault(row["o"], [])
            source = graph_source(row["g"].value)
            if source not in sources:
                sources.append(source)
        # each saved query only where it can have rows (the same rows, sooner): conflicts need two
        # articles that say something of it; statements of it a claim of it; statements by it a
        # claim attributed to it or an article it published; statements against it a claim, denial
        # or dispute of it
        articles = {src for values in by_prop.values() for srcs in values.values() for src in srcs
                    if src.startswith(ID + "article/")}
        links = [Incoming(row["s"], row["p"].value) for row in incoming.rows]
        cut = len(links) > MAX_INCOMING
        linked_by = {link.prop for link in links}
        if cut:  # the links listed are not all of them
            linked_by |= {row["p"].value for row in self.engine.select(_LINKED_BY, {"o": uri(iri)}).rows}
        nothing = SelectResult([], [])
        conflicts = self._bound("conflicts", "fact", iri) if len(articles) > 1 else nothing
        disputed = {row["property"].value for row in conflicts.rows if "property" in row}
        props = []
        for p in sorted(by_prop, key=_prop_key):
            values = [Value(term, sorted(src, key=_source_key)) for term, src in by_prop[p].items()]
            values.sort(key=lambda v: (v.inferred_only, v.term.type != "uri", v.term.value))
            props.append(Prop(p, values, p in disputed))
        entity = Entity(
            iri=iri, props=props, incoming=links[:MAX_INCOMING],
            statements=(self._param("statements", {"fact": iri}, "fact")
                        if MC + "claims" in linked_by else nothing),
            said=nothing,
            contradictions=(self._bound("contradictions", "fact", iri)
                            if {MC + "claims", MC + "denies", MC + "disputes"} & linked_by else nothing),
            conflicts=conflicts, labels={}, incoming_cut=cut, against_modes=self.against_modes)
        if {MC + "attributedTo", str(ns.SCHEMA.publisher)} & linked_by:
            entity.said, entity.said_facts = self.said(iri, said_page)
            entity.said_page = said_page
        elif said_page != 1:
            raise NotFound(f"no page {said_page} of what <{iri}> said: it said nothing")
        iris = {iri} | set(by_prop) | {t.value for p in props for v in p.values for t in [v.term] if t.type == "uri"}
        iris |= {s for p in props for v in p.values for s in v.sources if s.startswith("http")}
        iris |= {i.subject.value for i in entity.incoming} | {i.prop for i in entity.incoming}
        for result in (entity.statements, entity.said, entity.contradictions, conflicts):
            iris |= {t.value for row in result.rows for t in row.values() if t.type == "uri"}
        entity.labels = self.labels(iris)
        return entity

    def triples(self, iri: str) -> tuple[list[tuple[Term, Term, Term]], bool]:
        """The statements about ``iri`` (outgoing, every graph, and incoming, asserted), for
        Turtle and JSON-LD; whether it has any."""
        if not valid_iri(iri):
            return [], False
        out = self.engine.select(_OUT, {"s": uri(iri)})
        incoming = self._incoming(iri)
        triples = {(uri(iri), row["p"], row["o"]) for row in out.rows}
        triples |= {(row["s"], row["p"], uri(iri)) for row in incoming.rows}
        return sorted(triples, key=lambda t: (t[0].value, t[1].value, t[2].value)), bool(triples)

    def kinds(self, iris: set[str]) -> dict[str, str]:
        """The kind of each entity (``state``, ``exercise``... as ``kg viz`` colours them)."""
        from ..present.viz.model import KINDS

        if not iris:
            return {}
        classes = {str(cls): kind for kind, cls, _f, _l in KINDS if cls is not None}
        classes[MC + "Vessel"] = classes[MC + "WeaponSystem"] = "equipment"
        values = " ".join(uri(i).n3() for i in sorted(iris) if valid_iri(i))
        found: dict[str, set[str]] = defaultdict(set)
        for row in self.engine.select(_TYPES % values, {}).rows:
            found[row["s"].value].add(row["type"].value)
        order = [k for k, *_ in KINDS]
        out = {}
        for i in iris:
            kinds = {classes[t] for t in found.get(i, ()) if t in classes}
            out[i] = min(kinds, key=order.index) if kinds else "other"
        return out

    # -- search and overviews ---------------------------------------------------------------

    def search(self, text: str) -> list[tuple[str, list[str]]]:
        """Entities whose label or alias holds ``text`` (case ignored): (IRI, the names that
        matched), the exact names first."""
        text = text.strip()
        if not text:
            return []
        if len(text) > 200:
            raise InputError("the search text is longer than 200 characters")
        rows = self.engine.select(_SEARCH, {"_text": Term("literal", text, XSD_STRING)}).rows
        names: dict[str, list[str]] = defaultdict(list)
        for row in rows:
            if row["s"].value.startswith(ID + "claim/"):
                continue
            if row["name"].value not in names[row["s"].value]:
                names[row["s"].value].append(row["name"].value)
        needle = text.casefold()

        def key(item):
            iri, found = item
            return (not any(n.casefold() == needle for n in found),
                    not any(n.casefold().startswith(needle) for n in found), found[0].casefold(), iri)

        return sorted(names.items(), key=key)

    def states(self) -> SelectResult:
        return self.engine.select(_STATES, {})

    def articles(self) -> list[dict]:
        """Every article with its headline, date, publisher and the facts it reports."""
        grouped: dict[str, dict] = {}
        for row in self.engine.select(_ARTICLES, {}).rows:
            item = grouped.setdefault(row["article"].value, {"article": row["article"], "facts": []})
            for key in ("headline", "published", "publisher"):
                if key in row:
                    item[key] = row[key]
            if "fact" in row and row["fact"] not in item["facts"]:
                item["facts"].append(row["fact"])
        return list(grouped.values())


def _prop_key(p: str) -> tuple[int, str]:
    first = (str(ns.RDF.type), str(ns.RDFS.label), str(ns.SKOS.prefLabel), str(ns.SKOS.altLabel))
    return (first.index(p) if p in first else len(first), p)


def _source_key(source: str) -> tuple[int, str]:
    return (source == "inferred", source)
