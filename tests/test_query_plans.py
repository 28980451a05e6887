"""Parameters reach Oxigraph's planner: a bound value is written in the patterns (SEP-0007
substitution, which pyoxigraph applies only after planning), never where a value cannot stand."""
from __future__ import annotations

import pyoxigraph as ox

from kg.engines.oxigraph_engine import OxigraphEngine, bound_in_patterns
from kg.sparql.terms import XSD_STRING, Term

IRAN = Term("uri", "https://w3id.org/milcoop/id/state/IRN")


def test_a_bound_iri_is_written_in_patterns_and_filters():
    q = "SELECT ?_s ?e WHERE { ?e <p> ?_s . FILTER(?e != ?_s) }"
    assert bound_in_patterns(q, {"_s": IRAN}) == (
        "SELECT ?_s ?e WHERE { ?e <p> <https://w3id.org/milcoop/id/state/IRN> . "
        "FILTER(?e != <https://w3id.org/milcoop/id/state/IRN>) }")


def test_the_variable_stays_where_a_value_cannot_stand_and_bound_is_true():
    q = ("SELECT ?_s ?n WHERE { { SELECT ?_s (COUNT(?e) AS ?n) WHERE { ?e <p> ?_s } GROUP BY ?_s } "
         "BIND(?n AS ?m) FILTER(BOUND(?_s)) } ORDER BY ?_s")
    out = bound_in_patterns(q, {"_s": IRAN})
    assert out.startswith("SELECT ?_s ?n WHERE { { SELECT ?_s (COUNT(?e) AS ?n) WHERE { ?e <p> <https://")
    assert out.endswith("GROUP BY ?_s } BIND(?n AS ?m) FILTER(true) } ORDER BY ?_s")


def test_a_sub_select_that_does_not_project_it_has_its_own_variable():
    q = "SELECT ?_s ?x WHERE { ?x <p> ?_s . { SELECT ?x WHERE { ?x <q> ?_s } } }"
    out = bound_in_patterns(q, {"_s": IRAN})
    assert out.count("?_s") == 2 and "{ ?x <q> ?_s }" in out


def test_blank_nodes_comments_strings_stay_and_literals_are_escaped():
    q = 'SELECT ?_t WHERE { ?s <p> ?_t . ?s <q> "?_t" } # ?_t'
    hostile = Term("literal", 'x" } UNION { ?s ?p ?o } #\n', XSD_STRING)
    out = bound_in_patterns(q, {"_t": hostile})
    assert out.endswith('?s <q> "?_t" } # ?_t') and out.count("?_t") == 3
    assert bound_in_patterns(q, {"_t": Term("bnode", "b0")}) == q


def test_the_engine_gives_what_the_substitution_gives():
    store = ox.Store()
    p = ox.NamedNode("https://example.org/p")
    for s, o in (("a", "IRN"), ("b", "RUS"), ("c", "IRN")):
        store.add(ox.Quad(ox.NamedNode(f"https://example.org/{s}"), p,
                          ox.NamedNode(f"https://w3id.org/milcoop/id/state/{o}"), ox.NamedNode("https://example.org/g")))
    engine = OxigraphEngine(store)
    q = ("SELECT ?_s ?n WHERE { { SELECT ?_s (COUNT(?e) AS ?n) WHERE { ?e <https://example.org/p> ?_s } "
         "GROUP BY ?_s } FILTER(BOUND(?_s)) }")
    result = engine.select(q, {"_s": IRAN})
    assert [(r["_s"].value, r["n"].value) for r in result.rows] == [(IRAN.value, "2")]


def test_the_benchmark_runs_every_saved_query_and_check():
    """benchmarks/bench.py times every query file, with a value for each of its parameters."""
    import sys
    from pathlib import Path

    from kg.queries import query_names

    root = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(root / "benchmarks"))
    try:
        import bench
    finally:
        sys.path.remove(str(root / "benchmarks"))
    cases = bench.query_cases(root / "queries")
    assert {name for name, _ in cases} == set(query_names(root / "queries"))
    assert ("exercise-partners", {"state": bench.SAMPLES["state"]}) in cases
    assert ("statements", {}) in cases and ("statements", {"fact": bench.SAMPLES["fact"]}) in cases
