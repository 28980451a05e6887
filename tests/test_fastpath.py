"""The fast path gives what the reference engines give.

Validation: ``kg.build.shacl.fast`` (Python for the core components, Oxigraph for the SPARQL
constraints) against pySHACL, result by result (focus node, path, source shape, severity,
message, value), on every shape fixture (tests/shapes/*.ttl), on the seed data and on a
generated corpus with seeded violations. Inference: ``kg.build.reasoning.rules`` against owlrl, the kept
entailments triple by triple, in both ``owlrl`` and ``rdfs`` modes.
"""
from __future__ import annotations

import sys
from functools import lru_cache
from pathlib import Path

import pytest
from rdflib import BNode, Graph

from kg.build.shacl.fast import Shapes, Index, path_key
from kg.project import Project
from kg.inputs.ontology import load_ontology, load_shapes
from kg.build.shacl.facade import validate as reference_validate

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = sorted((ROOT / "tests" / "shapes").glob("*.ttl"))
sys.path.insert(0, str(ROOT / "benchmarks"))


@lru_cache(maxsize=1)
def _inputs():
    project = Project(ROOT)
    return load_ontology(project), load_shapes(project)


def keys(report, graph_of_paths) -> list[tuple]:
    """Results as comparable rows: blank-node paths and shapes rendered as text."""
    rows = set()
    for r in report.results:
        shape = r.shape if not isinstance(r.shape, BNode) else "_"
        focus = r.focus if not isinstance(r.focus, BNode) else "_"
        rows.add((r.severity, str(focus), path_key(graph_of_paths, r.path) or "", str(shape), r.message,
                  str(r.value) if r.value is not None and not isinstance(r.value, BNode) else ("_" if r.value is not None else "")))
    return sorted(rows)


def both(data: Graph):
    ontology, shapes = _inputs()
    ref = reference_validate(data, shapes, ontology)
    fast = Shapes(shapes, ontology).validate(Index(data))
    return keys(ref, ref.graph), keys(fast, shapes)


@pytest.mark.skipif(not FIXTURES, reason="no shape fixtures in tests/shapes yet")
@pytest.mark.parametrize("path", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_fixture_same_results_as_pyshacl(path):
    data = Graph().parse(path, format="turtle")
    ref, fast = both(data)
    assert fast == ref


def _pipeline_rows(root: Path, engine: str, reason: str = "owlrl"):
    from kg.pipeline import run

    result = run(Project(root), reason=reason, engine=engine, use_cache=False)
    _, shapes = _inputs()
    rows = sorted((r.severity, str(r.focus), path_key(shapes, r.path), str(r.shape), r.message, str(r.value),
                   r.origin) for r in result.report.results)
    inferred = set(result.inferred) if result.inferred is not None else None
    return rows, inferred


def test_seed_data_same_results_and_entailments():
    if not (ROOT / "data" / "articles").is_dir():
        pytest.skip("no data/articles in the repository")
    fast, ref = _pipeline_rows(ROOT, "fast"), _pipeline_rows(ROOT, "reference")
    assert fast[0] == ref[0]
    assert fast[1] == ref[1] and len(fast[1]) > 100


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    from generate import VIOLATION_SHAPES, generate

    root = generate(tmp_path_factory.mktemp("corpus"), articles=12, seed=7, violations=1)
    assert len(VIOLATION_SHAPES) <= 12
    return root


def test_generated_corpus_with_seeded_violations(corpus):
    from generate import VIOLATION_SHAPES

    fast, ref = _pipeline_rows(corpus, "fast", "none"), _pipeline_rows(corpus, "reference", "none")
    assert fast[0] == ref[0]
    violations = sorted(row[3].rsplit("/", 1)[-1] for row in fast[0] if row[0] == "Violation")
    assert violations == sorted(VIOLATION_SHAPES.values())


@pytest.mark.parametrize("mode", ["owlrl", "rdfs"])
def test_generated_corpus_same_entailments(tmp_path, mode):
    from generate import generate

    root = generate(tmp_path / "c", articles=6, seed=3)
    fast, ref = _pipeline_rows(root, "fast", mode), _pipeline_rows(root, "reference", mode)
    assert fast[0] == ref[0]
    assert fast[1] == ref[1] and fast[1]


def test_rules_cover_the_ontology():
    from kg.build.reasoning.rules import unsupported

    ontology, _ = _inputs()
    assert unsupported(ontology) == []


# --- each constraint component, property path and target against pySHACL ----------------

_PREFIXES = """
@prefix ex: <http://example.org/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""

#: shapes and data (one Turtle text each case), every case with results of its components
COMPONENT_CASES = {
    "minLength-maxLength": """
ex:S a sh:NodeShape ; sh:targetSubjectsOf ex:name ;
  sh:property [ sh:path ex:name ; sh:minLength 3 ; sh:maxLength 5 ; sh:message "length"@en ] .
ex:a ex:name "ab", "abcd", "abcdefg", 12, ex:x , [ ex:p 1 ] .
""",
    "min-max-exclusive-inclusive": """
ex:S a sh:NodeShape ; sh:targetSubjectsOf ex:n ;
  sh:property [ sh:path ex:n ; sh:minExclusive 1 ; sh:maxExclusive 10 ; sh:message "range"@en ] ;
  sh:property [ sh:path ex:n ; sh:minInclusive 2 ; sh:maxInclusive 9.5 ; sh:message "range2"@en ] .
ex:a ex:n 1, 2, 9.5, 10, "5", ex:x .
""",
    "pattern-flags": """
ex:S a sh:NodeShape ; sh:targetSubjectsOf ex:code ;
  sh:property [ sh:path ex:code ; sh:pattern "^ab" ; sh:flags "i" ; sh:message "pattern"@en ] .
ex:a ex:code "ABc", "xab", ex:abc, [ ex:p 1 ] .
""",
    "languageIn": """
ex:S a sh:NodeShape ; sh:targetSubjectsOf ex:label ;
  sh:property [ sh:path ex:label ; sh:languageIn ( "en" "fr" ) ; sh:message "language"@en ] .
ex:a ex:label "a"@en, "b"@en-GB, "c"@FR, "d"@de, "e", ex:x .
""",
    "uniqueLang": """
ex:S a sh:NodeShape ; sh:targetSubjectsOf ex:label ;
  sh:property [ sh:path ex:label ; sh:uniqueLang true ; sh:message "unique"@en ] .
ex:a ex:label "a"@en, "b"@en, "c"@fr, "d"@de, "e"@DE, "f" , "g" .
ex:b ex:label "a"@en .
""",
    "equals-disjoint": """
ex:S a sh:NodeShape ; sh:targetSubjectsOf ex:p ;
  sh:property [ sh:path ex:p ; sh:equals ex:q ; sh:message "equals"@en ] ;
  sh:property [ sh:path ex:p ; sh:disjoint ex:r ; sh:message "disjoint"@en ] .
ex:N a sh:NodeShape ; sh:targetSubjectsOf ex:p ; sh:equals ex:self ; sh:disjoint ex:other ; sh:message "node"@en .
ex:a ex:p 1, 2 ; ex:q 2, 3 ; ex:r 2, 4 ; ex:self ex:b ; ex:other ex:a .
ex:b ex:p 1 ; ex:q 1 ; ex:self ex:b .
""",
    "lessThan": """
ex:S a sh:NodeShape ; sh:targetSubjectsOf ex:start ;
  sh:property [ sh:path ex:start ; sh:lessThan ex:end ; sh:message "lessThan"@en ] ;
  sh:property [ sh:path ex:start ; sh:lessThanOrEquals ex:end ; sh:message "lessThanOrEquals"@en ] .
ex:a ex:start 1, 5, 7 ; ex:end 5, 9 .
ex:b ex:start "2020-01-01"^^xsd:date ; ex:end "2019-01-01"^^xsd:date, "x" .
ex:c ex:start ex:x ; ex:end 3 .
""",
    "and-or-xone-not-node": """
ex:Int a sh:NodeShape ; sh:datatype xsd:integer .
ex:Small a sh:NodeShape ; sh:maxInclusive 5 .
ex:S a sh:NodeShape ; sh:targetSubjectsOf ex:n ;
  sh:property [ sh:path ex:n ; sh:and ( ex:Int ex:Small ) ; sh:message "and"@en ] ;
  sh:property [ sh:path ex:n ; sh:or ( ex:Int ex:Small ) ; sh:message "or"@en ] ;
  sh:property [ sh:path ex:n ; sh:xone ( ex:Int ex:Small ) ; sh:message "xone"@en ] ;
  sh:property [ sh:path ex:n ; sh:not ex:Small ; sh:message "not"@en ] ;
  sh:property [ sh:path ex:n ; sh:node ex:Int ; sh:message "node"@en ] .
ex:a ex:n 1, 7, 3.5, 9.5 .
""",
    "closed": """
ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:closed true ; sh:ignoredProperties ( rdf:type ) ;
  sh:message "closed"@en ; sh:property [ sh:path ex:p ; sh:message "p"@en ] .
ex:a a ex:C ; ex:p 1 ; ex:q 2, 3 ; ex:r ex:b .
ex:b a ex:C ; ex:p 1 .
""",
    "hasValue-in": """
ex:S a sh:NodeShape ; sh:targetSubjectsOf ex:colour ;
  sh:property [ sh:path ex:colour ; sh:hasValue ex:red ; sh:message "hasValue"@en ] ;
  sh:property [ sh:path ex:colour ; sh:in ( ex:red ex:green 1 ) ; sh:message "in"@en ] .
ex:a ex:colour ex:red, ex:blue, 1, "1" .
ex:b ex:colour ex:green .
""",
    "qualifiedValueShapesDisjoint": """
ex:Hand a sh:NodeShape ; sh:targetClass ex:Hand ;
  sh:property ex:Hand-thumb, ex:Hand-finger .
ex:Hand-thumb sh:path ex:digit ; sh:message "thumb"@en ;
  sh:qualifiedValueShape [ sh:class ex:Thumb ] ; sh:qualifiedValueShapesDisjoint true ;
  sh:qualifiedMinCount 1 ; sh:qualifiedMaxCount 1 .
ex:Hand-finger sh:path ex:digit ; sh:message "finger"@en ;
  sh:qualifiedValueShape [ sh:class ex:Finger ] ; sh:qualifiedValueShapesDisjoint true ;
  sh:qualifiedMinCount 4 ; sh:qualifiedMaxCount 4 .
ex:h1 a ex:Hand ; ex:digit ex:t, ex:f1, ex:f2, ex:f3, ex:f4 .
ex:h2 a ex:Hand ; ex:digit ex:tf, ex:f1, ex:f2, ex:f3 .
ex:t a ex:Thumb . ex:tf a ex:Thumb, ex:Finger . ex:f1 a ex:Finger . ex:f2 a ex:Finger .
ex:f3 a ex:Finger . ex:f4 a ex:Finger .
""",
    "paths": """
ex:S a sh:NodeShape ; sh:targetNode ex:a ;
  sh:property [ sh:path [ sh:alternativePath ( ex:p ex:q ) ] ; sh:maxCount 1 ; sh:message "alt"@en ] ;
  sh:property [ sh:path [ sh:zeroOrMorePath ex:p ] ; sh:maxCount 2 ; sh:message "star"@en ] ;
  sh:property [ sh:path [ sh:oneOrMorePath ex:p ] ; sh:class ex:C ; sh:message "plus"@en ] ;
  sh:property [ sh:path [ sh:zeroOrOnePath ex:p ] ; sh:nodeKind sh:BlankNode ; sh:message "opt"@en ] ;
  sh:property [ sh:path [ sh:inversePath [ sh:alternativePath ( ex:p ex:q ) ] ] ; sh:minCount 3 ;
                sh:message "inverse alt"@en ] ;
  sh:property [ sh:path [ sh:inversePath [ sh:oneOrMorePath ex:p ] ] ; sh:maxCount 1 ;
                sh:message "inverse plus"@en ] ;
  sh:property [ sh:path ( ex:p ex:p [ sh:inversePath ex:q ] ) ; sh:minCount 1 ; sh:message "seq"@en ] .
ex:a ex:p ex:b ; ex:q ex:c .
ex:b ex:p ex:c ; ex:p ex:a .
ex:z ex:p ex:a . ex:y ex:q ex:a .
ex:c a ex:C .
""",
    "implicit-class-target": """
ex:Person a rdfs:Class, sh:NodeShape ;
  sh:property [ sh:path ex:name ; sh:minCount 1 ; sh:message "a person has a name"@en ] .
ex:Student rdfs:subClassOf ex:Person .
ex:a a ex:Person . ex:b a ex:Student . ex:c a ex:Person ; ex:name "c" .
""",
    "sparql-in-a-property-shape": """
ex:S a sh:NodeShape ; sh:targetSubjectsOf ex:n ;
  sh:property [ sh:path ex:n ; sh:message "odd"@en ;
    sh:sparql [ sh:select "SELECT $this ?value WHERE { $this <http://example.org/n> ?value . FILTER (?value > 1) }" ] ] .
ex:a ex:n 1, 2 . ex:b ex:n 0 .
""",
}


@pytest.mark.parametrize("name", sorted(COMPONENT_CASES))
def test_component_same_results_as_pyshacl(name):
    g = Graph().parse(data=_PREFIXES + COMPONENT_CASES[name], format="turtle")
    compiled = Shapes(g)
    assert compiled.unsupported == {}  # the fast engine checks every shape itself
    ref = reference_validate(g, g)
    fast = compiled.validate(Index(g))
    assert ref.results  # every case breaks something
    assert keys(fast, g) == keys(ref, ref.graph)


def test_inverse_of_a_sequence_path():
    """``^(p/q)`` is ``^q/^p`` (SPARQL 1.1, which SHACL paths follow). pySHACL 0.40 walks the
    inverse of a sequence in the written order: its answer is taken on the path written out."""
    def graph(path: str) -> Graph:
        return Graph().parse(data=_PREFIXES + f"""
ex:S a sh:NodeShape ; sh:targetNode ex:article ;
  sh:property [ sh:path {path} ; sh:maxCount 1 ; sh:message "one fact"@en ] .
ex:c1 ex:claims ex:f1 ; ex:source ex:article .
ex:c2 ex:claims ex:f2 ; ex:source ex:article .
""", format="turtle")

    inverse = graph("[ sh:inversePath ( [ sh:inversePath ex:claims ] ex:source ) ]")
    written_out = graph("( [ sh:inversePath ex:source ] ex:claims )")
    fast = Shapes(inverse).validate(Index(inverse))
    ref = reference_validate(written_out, written_out)
    assert len(fast.results) == 1
    assert [(r.focus, r.shape is not None, r.value) for r in fast.results] == \
        [(r.focus, r.shape is not None, r.value) for r in ref.results]


def test_index_add_is_linear():
    """A subject with thousands of objects for one predicate (a fact with 10,000 ``at`` items,
    a state with 20,000 aliases): adding each object used to scan the ones before it (4,000
    took 5 s, 0.05 s now; checked by the result, not timed)."""
    from rdflib import Literal, URIRef

    s, p = URIRef("http://example.org/s"), URIRef("http://example.org/p")
    n = 4_000
    index = Index([(s, p, Literal(i)) for i in range(n)] + [(s, p, Literal(i)) for i in range(0, n, 2)])
    assert index.objects(s, p) == [Literal(i) for i in range(n)]
    assert index.subjects(p, Literal(7)) == [s] and index.subjects_with(p) == {s}
    article = Index([(s, p, Literal(n)), (s, p, Literal(3))], base=index)
    assert article.objects(s, p) == [Literal(n), Literal(3)] + [Literal(i) for i in range(n) if i != 3]
    assert len(article.objects_of(p)) == n + 1


def test_a_fact_at_thousands_of_paragraphs(project):
    """The build's side of ``Index.add``: one claim with 3,000 paragraphs (``at``) is validated
    and kept whole (2.7 s before, growing with the square: 25 s for 10,000)."""
    from rdflib import Literal, URIRef

    from kg.pipeline import run

    path = project / "data" / "articles" / "iran-russia-caspian-maneuvers.yaml"
    text = path.read_text(encoding="utf-8")
    assert "    at: [2, 6, 7]\n" in text
    path.write_text(text.replace("    at: [2, 6, 7]\n", "    at: [" + ", ".join(map(str, range(1, 3001))) + "]\n", 1),
                    encoding="utf-8")
    result = run(Project(project), reason="none", use_cache=False)
    assert result.report.conforms
    claim = URIRef("https://w3id.org/milcoop/id/claim/iran-russia-caspian-maneuvers/iran-russia-caspian-drill")
    paragraph = URIRef("https://w3id.org/milcoop/ontology/paragraph")
    unit = next(u for u in result.units if u.article_id == "iran-russia-caspian-maneuvers")
    assert sorted(o for s, p, o in unit.triples if s == claim and p == paragraph) == \
        [Literal(i) for i in range(1, 3001)]
