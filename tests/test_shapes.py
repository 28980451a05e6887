"""The SHACL shapes of ``ontology/shapes.ttl``: every targeted shape against its valid and its
invalid fixture (``tests/shapes/{Shape}-valid.ttl``, ``-invalid.ttl``), the shapes' own
hygiene (names, labels, messages, severities, fixtures), and the SPARQL constraints giving the
same answers in rdflib (which pySHACL uses) and in Oxigraph.

A valid fixture yields no result at all. An invalid fixture breaks its shape and nothing else:
each of its results comes from the shape or one of its property shapes, with the severity that
shape declares, and every constraint of the shape (each property shape's minCount, class,
pattern...) is broken at least once.
"""
from __future__ import annotations

import datetime as dt
import random
import re
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, XSD

ROOT = Path(__file__).resolve().parent.parent
SHAPES_PATH = ROOT / "ontology" / "shapes.ttl"
ONTOLOGY_PATHS = (ROOT / "ontology" / "milcoop.ttl", ROOT / "ontology" / "vocab.ttl")
FIXTURES = ROOT / "tests" / "shapes"

MC = Namespace("https://w3id.org/milcoop/ontology/")
MCS = Namespace("https://w3id.org/milcoop/shapes/")
ID = Namespace("https://w3id.org/milcoop/id/")
SHAPES_GRAPH = URIRef("https://w3id.org/milcoop/shapes")

#: shapes whose results are not violations; every other shape is a sh:Violation
SEVERITIES = {
    MCS["ExerciseStartKnown"]: SH.Warning,
    MCS["MilitaryExerciseShape-locationKnown"]: SH.Warning,
    MCS["ArmsTransferShape-quantityKnown"]: SH.Info,
    MCS["BorderingCountMatchesReference"]: SH.Info,
}

#: constraint parameter -> the component a result of it names
COMPONENTS = {
    SH.minCount: SH.MinCountConstraintComponent,
    SH.maxCount: SH.MaxCountConstraintComponent,
    SH.datatype: SH.DatatypeConstraintComponent,
    SH["class"]: SH.ClassConstraintComponent,
    SH.nodeKind: SH.NodeKindConstraintComponent,
    SH.pattern: SH.PatternConstraintComponent,
    SH["in"]: SH.InConstraintComponent,
    SH["or"]: SH.OrConstraintComponent,
    SH.xone: SH.XoneConstraintComponent,
    SH.hasValue: SH.HasValueConstraintComponent,
    SH.minInclusive: SH.MinInclusiveConstraintComponent,
    SH.qualifiedMinCount: SH.QualifiedMinCountConstraintComponent,
    SH.node: SH.NodeConstraintComponent,
    SH.sparql: SH.SPARQLConstraintComponent,
}
TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)

SHAPES = Graph().parse(SHAPES_PATH, format="turtle")


def _shapes() -> list[URIRef]:
    found = set(SHAPES.subjects(RDF.type, SH.NodeShape)) | set(SHAPES.subjects(RDF.type, SH.PropertyShape))
    found |= set(SHAPES.subjects(SH.path, None)) | set(SHAPES.objects(None, SH.property))
    return sorted(s for s in found if isinstance(s, URIRef))


def _targeted() -> list[URIRef]:
    return sorted(s for s in _shapes() if any(SHAPES.value(s, t) is not None for t in TARGETS))


ALL_SHAPES = _shapes()
TARGETED = _targeted()
SPARQL_SHAPES = sorted(s for s in TARGETED if SHAPES.value(s, SH.sparql) is not None)


def local(shape: URIRef) -> str:
    return str(shape)[len(str(MCS)):]


def property_shapes(shape: URIRef) -> list[URIRef]:
    return sorted(SHAPES.objects(shape, SH.property))


def family(shape: URIRef) -> set[URIRef]:
    """The shape and its property shapes: the sources its results may name."""
    return {shape, *property_shapes(shape)}


def severity(shape: URIRef) -> URIRef:
    return SHAPES.value(shape, SH.severity) or SH.Violation


def expected_breaks(shape: URIRef) -> set[tuple[URIRef, URIRef]]:
    """(source shape, constraint component) pairs that the invalid fixture must produce."""
    pairs = set()
    for source in sorted(family(shape)):
        for param, component in COMPONENTS.items():
            if (source, param, None) in SHAPES:
                pairs.add((source, component))
    return pairs


# --- running pySHACL on the fixtures ----------------------------------------------------


@pytest.fixture(scope="module")
def ontology() -> Graph:
    missing = [p.name for p in ONTOLOGY_PATHS if not p.exists()]
    if missing:
        pytest.skip(f"ontology/{' and ontology/'.join(missing)} not written yet: the shapes need the "
                    "class hierarchy to follow rdfs:subClassOf")
    return _ontology()


@lru_cache(maxsize=1)
def _ontology() -> Graph:
    g = Graph()
    for path in ONTOLOGY_PATHS:
        g.parse(path, format="turtle")
    return g


def fixture_path(shape: URIRef, kind: str) -> Path:
    return FIXTURES / f"{local(shape)}-{kind}.ttl"


@lru_cache(maxsize=None)
def _results(path: Path) -> tuple[dict, ...]:
    from pyshacl import validate

    data = Graph().parse(path, format="turtle")
    _conforms, report, _text = validate(
        data, shacl_graph=SHAPES, ont_graph=_ontology(), inference="none", advanced=True,
        allow_warnings=True, abort_on_first=False)
    assert isinstance(report, Graph), report  # pySHACL returns its error in place of a report
    rows = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        if (None, SH.detail, result) in report:
            continue  # a nested result is reported through its parent
        rows.append({
            "shape": report.value(result, SH.sourceShape),
            "component": report.value(result, SH.sourceConstraintComponent),
            "severity": report.value(result, SH.resultSeverity),
            "focus": report.value(result, SH.focusNode),
            "path": report.value(result, SH.resultPath),
            "value": report.value(result, SH.value),
            "messages": tuple(sorted(report.objects(result, SH.resultMessage))),
        })
        rows[-1]["message"] = rows[-1]["messages"][0] if rows[-1]["messages"] else None
    return tuple(rows)


def show(rows) -> str:
    return "\n".join(f"{local(r['shape']) if isinstance(r['shape'], URIRef) else r['shape']} "
                     f"[{str(r['component']).split('#')[-1]}] {r['focus']} {r['value']}: {r['message']}"
                     for r in rows)


def has_its_message(row) -> bool:
    """Whether a result carries the message of its source: the shape's sh:message@en, or for a
    SPARQL constraint the constraint's sh:message with its {?var} filled in. pySHACL 0.40
    fills in the variables of a SPARQL-based result's messages (the constraint's and the
    shape's) and drops their language tag (``Literal(msg)`` in ``make_v_result``), so there
    the text is checked, not the tag."""
    if row["component"] != SH.SPARQLConstraintComponent:
        return SHAPES.value(row["shape"], SH.message) in row["messages"] \
            and all(m.language == "en" for m in row["messages"])
    template = str(SHAPES.value(SHAPES.value(row["shape"], SH.sparql), SH.message))
    pattern = ".+".join(re.escape(part) for part in re.split(r"\{[?$]\w+\}", template))
    return any(re.fullmatch(pattern, str(m)) and "{?" not in str(m) and "{$" not in str(m)
               for m in row["messages"])


@pytest.mark.parametrize("shape", TARGETED, ids=local)
def test_valid_fixture_yields_no_result(ontology, shape):
    rows = _results(fixture_path(shape, "valid"))
    assert not [r for r in rows if r["shape"] in family(shape)], show(rows)
    # and it trips no other shape either: a valid fixture is a well-formed graph
    assert not rows, show(rows)


@pytest.mark.parametrize("shape", TARGETED, ids=local)
def test_invalid_fixture_breaks_the_shape(ontology, shape):
    rows = _results(fixture_path(shape, "invalid"))
    own = [r for r in rows if r["shape"] in family(shape)]
    assert own, f"{local(shape)}-invalid.ttl breaks nothing of {local(shape)}"
    for r in own:
        assert r["severity"] == severity(r["shape"]), show([r])
        assert has_its_message(r), show([r])
    others = [r for r in rows if r["shape"] not in family(shape)]
    assert not others, f"the fixture also breaks other shapes:\n{show(others)}"
    produced = {(r["shape"], r["component"]) for r in own}
    missing = sorted(expected_breaks(shape) - produced)
    assert not missing, "constraints never broken: " + ", ".join(
        f"{local(s)} {str(c).split('#')[-1]}" for s, c in missing)


def test_warnings_and_infos_carry_their_severity(ontology):
    for shape, level in SEVERITIES.items():
        owner = next(SHAPES.subjects(SH.property, shape), shape)
        rows = _results(fixture_path(owner, "invalid"))
        assert {r["severity"] for r in rows if r["shape"] == shape} == {level}, local(shape)


# --- the shapes themselves ----------------------------------------------------------------


def test_every_shape_is_named_labelled_and_has_a_message():
    for shape in ALL_SHAPES:
        assert str(shape).startswith(str(MCS)), shape
        label = SHAPES.value(shape, RDFS.label)
        assert isinstance(label, Literal) and label.language == "en", f"{local(shape)} needs an rdfs:label@en"
        messages = list(SHAPES.objects(shape, SH.message))
        assert len(messages) == 1 and messages[0].language == "en", f"{local(shape)} needs one sh:message@en"
        if (shape, SH.path, None) in SHAPES:
            assert SHAPES.value(shape, SH.name) is not None, f"{local(shape)} needs an sh:name"
    for constraint in SHAPES.objects(None, SH.sparql):
        assert isinstance(constraint, URIRef), constraint
        assert SHAPES.value(constraint, SH.message) is not None, constraint
        assert SHAPES.value(constraint, SH.prefixes) == SHAPES_GRAPH, constraint


def test_no_shape_is_a_blank_node():
    for s in set(SHAPES.subjects(SH.path, None)) | set(SHAPES.objects(None, SH.property)) \
            | set(SHAPES.subjects(RDF.type, SH.NodeShape)) | set(SHAPES.subjects(RDF.type, SH.PropertyShape)):
        assert isinstance(s, URIRef), f"a shape is a blank node: {SHAPES.cbd(s).serialize(format='turtle')}"


def test_every_shape_is_targeted_or_part_of_a_targeted_shape():
    """So that no shape escapes the fixtures: a property shape belongs to one node shape (or is
    a member of one's sh:xone), and a node shape has a target."""
    members = set()
    for shape in TARGETED:
        for xone in SHAPES.objects(shape, SH.xone):
            members |= set(Collection(SHAPES, xone))
    for shape in ALL_SHAPES:
        owners = list(SHAPES.subjects(SH.property, shape))
        if shape in TARGETED:
            assert not owners, f"{local(shape)} is both targeted and a property shape"
        elif shape in members:
            assert not owners
        else:
            assert len(owners) == 1 and owners[0] in TARGETED, f"{local(shape)} is not used by a targeted shape"


def test_every_targeted_shape_has_both_fixtures():
    missing = [fixture_path(s, k).name for s in TARGETED for k in ("valid", "invalid")
               if not fixture_path(s, k).exists()]
    assert not missing, f"missing fixtures: {missing}"
    names = {fixture_path(s, k).name for s in TARGETED for k in ("valid", "invalid")}
    strays = sorted(p.name for p in FIXTURES.glob("*.ttl") if p.name not in names)
    assert not strays, f"fixtures of no shape: {strays}"


def test_severities():
    for shape in ALL_SHAPES:
        assert severity(shape) == SEVERITIES.get(shape, SH.Violation), local(shape)
    assert set(SEVERITIES) <= set(ALL_SHAPES)


def test_the_shapes_cover_every_class_of_the_builder():
    from kg.inputs.schema import ENTITY_KINDS, FACT_TYPES

    targeted = {c for s in TARGETED for c in SHAPES.objects(s, SH.targetClass)}
    classes = {k.cls for k in ENTITY_KINDS.values()} | {t.cls for t in FACT_TYPES.values()}
    classes |= {MC.Article, MC.Claim, MC.Fact, MC.Event, MC.JointExercise}
    assert classes <= targeted, sorted(classes - targeted)


def test_every_key_of_the_builder_has_a_property_shape():
    from kg.inputs.schema import ARTICLE_FIELDS, ENTITY_COMMON, ENTITY_KINDS, FACT_COMMON, FACT_TYPES

    paths = {SHAPES.value(s, SH.path) for s in ALL_SHAPES}
    props = {f.prop for fields in [ENTITY_COMMON, FACT_COMMON, ARTICLE_FIELDS]
             + [k.fields for k in ENTITY_KINDS.values()] + [t.fields for t in FACT_TYPES.values()]
             for f in fields if f.prop is not None}
    props |= {MC.iso3166Alpha3, MC.claims, MC.source, MC.unreported, RDFS.label}
    assert props <= paths, sorted(props - paths)


# --- SPARQL constraints in rdflib and Oxigraph ---------------------------------------------


def sparql_of(shape: URIRef) -> str:
    """The constraint's SELECT with the PREFIX lines its sh:prefixes declare."""
    constraint = SHAPES.value(shape, SH.sparql)
    lines = []
    for decl in sorted(SHAPES.objects(SHAPES.value(constraint, SH.prefixes), SH.declare)):
        lines.append(f"PREFIX {SHAPES.value(decl, SH.prefix)}: <{SHAPES.value(decl, SH.namespace)}>")
    return "\n".join(lines) + "\n" + str(SHAPES.value(constraint, SH.select))


def _key(term) -> tuple:
    """An engine-neutral form of an rdflib or pyoxigraph term."""
    if term is None:
        return ("unbound",)
    if isinstance(term, (URIRef, ox.NamedNode)):
        return ("iri", str(term) if isinstance(term, URIRef) else term.value)
    if isinstance(term, Literal):
        datatype = str(term.datatype) if term.datatype else str(RDF.langString if term.language else XSD.string)
        return ("literal", str(term), datatype, term.language)
    if isinstance(term, ox.Literal):
        # Oxigraph keeps some datatypes in their canonical form ("P0D"^^xsd:duration is read
        # back as "PT0S"): read the literal as rdflib does, which normalizes equal values alike
        if term.language:
            return _key(Literal(term.value, lang=term.language))
        return _key(Literal(term.value, datatype=URIRef(term.datatype.value)))
    return ("bnode",)


@lru_cache(maxsize=None)
def _prepared(query: str):
    """rdflib's parse of a query, made once (parsing takes longer than running it here)."""
    from rdflib.plugins.sparql import prepareQuery

    return prepareQuery(query)


def rdflib_rows(graph: Graph, query: str, this=None) -> list[tuple]:
    bindings = {"this": this} if this is not None else {}
    result = graph.query(_prepared(query), initBindings=bindings)
    names = [str(v) for v in result.vars]
    return sorted(tuple(_key(row[n]) for n in names) for row in result)


def oxigraph_rows(store: ox.Store, query: str, this=None) -> list[tuple]:
    subs = {ox.Variable("this"): ox.NamedNode(str(this))} if this is not None else None
    result = store.query(query, substitutions=subs)
    names = [v.value for v in result.variables]
    return sorted(tuple(_key(solution[n]) for n in names) for solution in result)


def both_engines(data: Graph) -> tuple[Graph, ox.Store]:
    store = ox.Store()
    store.load(data.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
    return data, store


def fixture_data(path: Path) -> Graph:
    g = Graph()
    g += _ontology()
    g.parse(path, format="turtle")
    return g


@lru_cache(maxsize=None)
def fixture_engines(path: Path) -> tuple[Graph, ox.Store]:
    """A fixture with the ontology, in rdflib and in Oxigraph (made once, read by every query)."""
    return both_engines(fixture_data(path))


ALL_FIXTURES = sorted(FIXTURES.glob("*.ttl"))


@pytest.mark.parametrize("shape", SPARQL_SHAPES, ids=local)
def test_sparql_constraint_same_in_rdflib_and_oxigraph(ontology, shape):
    """On every fixture, the constraint's query finds the same rows in both engines, with $this
    left free (every offending node) and with $this bound to each focus node; and the nodes it
    finds are those pySHACL reports. In the shape's own invalid fixture every focus node is an
    offender, so that each case that fixture shows (a unit's state through mc:partOf...) counts."""
    query = sparql_of(shape)
    target = SHAPES.value(shape, SH.targetClass)
    found_any = False
    for path in ALL_FIXTURES:
        graph, store = fixture_engines(path)
        free = rdflib_rows(graph, query)
        assert free == oxigraph_rows(store, query), path.name
        found_any = found_any or bool(free)
        focus_nodes = set(graph.query(
            _prepared("SELECT DISTINCT ?n WHERE { ?n a/<http://www.w3.org/2000/01/rdf-schema#subClassOf>* ?c }"),
            initBindings={"c": target}))
        reported = set()
        for (node,) in sorted(focus_nodes):
            bound = rdflib_rows(graph, query, node)
            assert bound == oxigraph_rows(store, query, node), (path.name, node)
            if bound:
                reported.add(node)
        shacl = {r["focus"] for r in _results(path) if r["shape"] == shape}
        assert reported == shacl, path.name
        if path == fixture_path(shape, "invalid"):
            assert reported == {n for (n,) in focus_nodes}, f"{path.name}: not every focus node offends"
        assert {r[0][1] for r in free} >= {str(n) for n in reported}, path.name
    assert found_any, f"no fixture breaks {local(shape)}"


def _event(graph: Graph, n: int, start: Literal, end: Literal, duration: Literal | None = None) -> URIRef:
    node = ID[f"exercise/generated-{n}"]
    graph.add((node, RDF.type, MC.MilitaryExercise))
    graph.add((node, MC.startDate, start))
    graph.add((node, MC.endDate, end))
    if duration is not None:
        graph.add((node, MC.duration, duration))
    return node


def test_duration_check_counts_days_like_python(ontology):
    """mcs:EventDurationMatchesDates against Python's calendar, in both engines: month ends,
    leap days (1900 is no leap year, 2000 is), year ends, and random spans up to three years."""
    rng = random.Random(20250721)
    starts = [dt.date(1900, 2, 28), dt.date(2000, 2, 28), dt.date(2024, 2, 28), dt.date(2023, 2, 28),
              dt.date(2024, 12, 31), dt.date(2025, 7, 21), dt.date(2099, 12, 31), dt.date(2025, 1, 31)]
    cases = [(s, n) for s in starts for n in (1, 2, 3, 30, 366)]
    cases += [(dt.date(1890, 1, 1) + dt.timedelta(days=rng.randrange(80000)), rng.randrange(1, 1100))
              for _ in range(300)]
    graph = Graph()
    expected = set()
    for i, (start, true_days) in enumerate(cases):
        end = start + dt.timedelta(days=true_days - 1)
        stated = true_days + rng.choice((0, 0, -1, 1))
        node = _event(graph, i, Literal(start.isoformat(), datatype=XSD.date),
                      Literal(end.isoformat(), datatype=XSD.date), Literal(f"P{stated}D", datatype=XSD.duration))
        if stated != true_days:
            expected.add(str(node))
    query = sparql_of(MCS.EventDurationMatchesDates)
    graph, store = both_engines(graph)
    rows = rdflib_rows(graph, query)
    assert rows == oxigraph_rows(store, query)
    assert {r[0][1] for r in rows} == expected
    for row in rows:  # ?days is the true count, both days counted
        start = dt.date.fromisoformat(row[2][1])
        end = dt.date.fromisoformat(row[3][1])
        assert int(row[4][1]) == (end - start).days + 1


def test_end_before_start_compares_at_the_common_precision(ontology):
    """mcs:EventEndNotBeforeStart against Python, in both engines, for days, months and years
    mixed: an end is before the start only if it is before it at the coarser precision."""
    rng = random.Random(1)
    kinds = [(XSD.date, 10), (XSD.gYearMonth, 7), (XSD.gYear, 4)]
    graph = Graph()
    expected = set()
    for i in range(400):
        base = dt.date(2023, 1, 1) + dt.timedelta(days=rng.randrange(1100))
        other = base + dt.timedelta(days=rng.randrange(-400, 400))
        (dt_start, n_start), (dt_end, n_end) = rng.choice(kinds), rng.choice(kinds)
        start_text, end_text = base.isoformat()[:n_start], other.isoformat()[:n_end]
        node = _event(graph, i, Literal(start_text, datatype=dt_start), Literal(end_text, datatype=dt_end))
        n = min(n_start, n_end)
        if end_text[:n] < start_text[:n]:
            expected.add(str(node))
    query = sparql_of(MCS.EventEndNotBeforeStart)
    graph, store = both_engines(graph)
    rows = rdflib_rows(graph, query)
    assert rows == oxigraph_rows(store, query)
    assert {r[0][1] for r in rows} == expected
    assert 50 < len(expected) < 350  # both outcomes are well represented
