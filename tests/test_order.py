"""kg sorts a SELECT query's rows itself on Oxigraph (``kg.sparql.order``): the rows must come in
the order Oxigraph's own ORDER BY gives them, for every kind of value, direction, unbound key,
LIMIT/OFFSET and key the query does not project, and kg must leave to Oxigraph what it cannot
order the same way."""
from __future__ import annotations

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.engines.oxigraph_engine import OxigraphEngine, from_oxigraph
from kg.sparql.order import client_order

X = "http://example.org/"
XSD = "http://www.w3.org/2001/XMLSchema#"
PROPS = ("a", "b", "c")

_TEXT = st.text(alphabet="aAbZé😀 ~", max_size=3)


def _literal(text: str, datatype: str | None = None, lang: str | None = None):
    if lang:
        return ox.Literal(text, language=lang)
    return ox.Literal(text, datatype=ox.NamedNode(datatype)) if datatype else ox.Literal(text)


#: each kind of value a property takes in one example ("mixed": any of them, value by value)
VALUES = {
    "string": _TEXT.map(_literal),
    "xsd-string": _TEXT.map(lambda t: _literal(t, XSD + "string")),
    "iri": _TEXT.map(lambda t: ox.NamedNode(X + "v/" + t.replace(" ", "_"))),
    "lang": st.tuples(_TEXT, st.sampled_from(["en", "fr", "en-gb"])).map(lambda p: _literal(p[0], lang=p[1])),
    "number": st.one_of(st.integers(-20, 20).map(lambda n: _literal(str(n), XSD + "integer")),
                        st.decimals(-20, 20, places=2).map(lambda d: _literal(str(d), XSD + "decimal"))),
    "double": st.floats(-1e6, 1e6, allow_nan=False).map(lambda f: _literal(repr(f), XSD + "double")),
    "date": st.dates().map(lambda d: _literal(d.isoformat(), XSD + "date")),
}
VALUES["mixed"] = st.one_of(*VALUES.values())

#: the forms of a key kg reads, over the properties' variables
KEYS = st.sampled_from(["?{0}", "DESC(?{0})", "ASC(?{0})", "STR(?{0})", "DESC(STR(?{0}))",
                        'COALESCE(STR(?{0}), STR(?{1}), "~")', 'DESC(COALESCE(STR(?{0}), ""))',
                        'COALESCE(?{0}, ?{1})'])


@st.composite
def cases(draw):
    kinds = {p: draw(st.sampled_from(sorted(VALUES))) for p in PROPS}
    n = draw(st.integers(0, 12))
    data = [{p: draw(st.none() | VALUES[kinds[p]]) for p in PROPS} for _ in range(n)]
    keys = [draw(KEYS).format(*draw(st.permutations(PROPS))) for _ in range(draw(st.integers(1, 3)))]
    shown = draw(st.sampled_from([PROPS, ("a",), ("b", "c"), ()]))
    distinct = draw(st.booleans())
    slice_ = draw(st.sampled_from(["", "LIMIT 3", "OFFSET 2", "OFFSET 1 LIMIT 4", "LIMIT 2 OFFSET 1"]))
    return data, keys, shown, distinct, slice_


def _store(data: list[dict]) -> ox.Store:
    store = ox.Store()
    graph = ox.NamedNode(X + "graph")
    for i, values in enumerate(data):
        entity = ox.NamedNode(f"{X}e/{i:02d}")
        store.add(ox.Quad(entity, ox.NamedNode(X + "kind"), ox.NamedNode(X + "T"), graph))
        for p, value in values.items():
            if value is not None:
                store.add(ox.Quad(entity, ox.NamedNode(X + p), value, graph))
    return store


def _query(keys: list[str], shown: tuple[str, ...], distinct: bool, slice_: str) -> str:
    # ?e last: each row has its own entity, so that the order is total on every engine
    projection = " ".join(f"?{v}" for v in ("e", *shown))
    patterns = " ".join(f"OPTIONAL {{ ?e <{X}{p}> ?{p} }}" for p in PROPS)
    return (f"SELECT {'DISTINCT ' if distinct else ''}{projection} WHERE {{ ?e <{X}kind> <{X}T> {patterns} }}\n"
            f"ORDER BY {' '.join(keys)} ?e {slice_}")


def _oxigraph_rows(store: ox.Store, query: str) -> list[dict]:
    result = store.query(query, use_default_graph_as_union=True)
    names = [v.value for v in result.variables]
    return [{n: from_oxigraph(s[i]) for i, n in enumerate(names) if s[i] is not None} for s in result]


@settings(max_examples=300)
@given(cases())
def test_rows_come_in_oxigraphs_own_order(case):
    data, keys, shown, distinct, slice_ = case
    store = _store(data)
    query = _query(keys, shown, distinct, slice_)
    result = OxigraphEngine(store).select(query, {})
    assert result.rows == _oxigraph_rows(store, query)
    assert result.variables == ["e", *shown]


def test_kg_sorts_where_it_can_and_the_engine_where_it_cannot():
    """The property test above compares rows only: here, which side sorted them."""
    store = _store([{"a": _literal("x"), "b": _literal("1", XSD + "integer"), "c": None},
                    {"a": _literal("y", lang="en"), "b": _literal("2", XSD + "integer"), "c": None}])
    engine = OxigraphEngine(store)
    sorted_by_kg = _query(["?b"], PROPS, False, "")
    mixed = _query(["?a"], PROPS, False, "")  # a string and a language-tagged string: two kinds
    order = client_order(sorted_by_kg)
    assert order is not None and order.apply(*_unordered(engine, order.unordered)) is not None
    order = client_order(mixed)
    assert order is not None and order.apply(*_unordered(engine, order.unordered)) is None
    assert engine.select(mixed, {}).rows == _oxigraph_rows(store, mixed)


def _unordered(engine, query):
    result = engine.select(query, {})
    return result.variables, result.rows


@pytest.mark.parametrize("query", [
    "SELECT ?a WHERE { ?a ?p ?b }",  # no ORDER BY
    "SELECT ?a WHERE { { SELECT ?a WHERE { ?a ?p ?b } ORDER BY ?a } }",  # only in a sub-select
    "SELECT ?a WHERE { ?a ?p ?b } ORDER BY LCASE(?a)",  # a function kg does not compute
    "SELECT ?a WHERE { ?a ?p ?b } ORDER BY ?a + 1",
    "SELECT ?a WHERE { ?a ?p ?b } ORDER BY <http://example.org/f>(?a)",
    "SELECT ?a WHERE { ?a ?p ?b } ORDER BY ?a VALUES ?a { 1 }",  # a trailing VALUES block
    "SELECT ?a WHERE { ?a ?p ?b } ORDER BY ?a LIMIT 1 LIMIT 2",  # an error the engine reports
    "SELECT ?a WHERE { ?a ?p ?b } ORDER BY ?a ORDER BY ?b",
    "SELECT ?a WHERE { ?a ?p ?b } ORDER BY ?a # a comment\n ?b",  # kg reads no comment: left alone
    'SELECT ?a WHERE { ?a ?p ?b } ORDER BY "x"',  # a constant alone
    "SELECT DISTINCT ?a WHERE { ?a ?p ?b } ORDER BY ?b",  # ?b would change the distinct rows
    "SELECT ?a WHERE { ?a ?p ?b } GROUP BY ?a ORDER BY ?b",
    "SELECT ?a (COUNT(?b) AS ?n) WHERE { ?a ?p ?b } ORDER BY ?p",
    "CONSTRUCT { ?a ?p ?b } WHERE { ?a ?p ?b } ORDER BY ?a",
    "ASK { ?a ?p ?b }",
])
def test_left_to_the_engine(query):
    assert client_order(query) is None


def test_what_kg_reads_of_the_clause():
    order = client_order('PREFIX x: <http://x/#ORDER BY>\n# ORDER BY ?z\n'
                         'SELECT ?a ?b WHERE { ?a ?p ?b FILTER(?b != "}") }\n'
                         'ORDER BY DESC(?b) COALESCE(STR(?a), "") ?c OFFSET 2 LIMIT 5\n')
    assert order.keys == ((("var", "b"), True), (("coalesce", [("str", ("var", "a")), ("const", "")]), False),
                          (("var", "c"), False))
    assert (order.offset, order.limit, order.hidden) == (2, 5, ("c",))
    assert order.unordered.rstrip().endswith('SELECT ?a ?b ?c\nWHERE { ?a ?p ?b FILTER(?b != "}") }')


def test_terms_met_again_are_shared_and_forgotten_past_the_limit(monkeypatch):
    from kg.engines import oxigraph_engine

    store = _store([{"a": _literal(str(i % 4)), "b": ox.NamedNode(f"{X}v/{i % 3}"), "c": None} for i in range(20)])
    query = "SELECT ?e ?a ?b ?c WHERE { ?e <%skind> ?t OPTIONAL { ?e <%sa> ?a } OPTIONAL { ?e <%sb> ?b } }" % (X, X, X)
    expected = _oxigraph_rows(store, query)
    rows = OxigraphEngine(store).select(query, {}).rows
    assert rows == expected
    same = [row["b"] for row in rows if row["b"].value.endswith("/v/0")]
    assert len(same) == 7 and all(term is same[0] for term in same)
    monkeypatch.setattr(oxigraph_engine, "_KEPT_TERMS", 3)  # cleared again and again on the way
    assert OxigraphEngine(store).select(query, {}).rows == expected
    assert list(OxigraphEngine(store).select_stream(query, {}).rows) == expected


def test_a_long_stream_is_sorted_by_the_engine(monkeypatch):
    """Past ``STREAM_SORTED_ROWS`` rows a stream is Oxigraph's sort, read as it comes."""
    from kg.engines import oxigraph_engine

    store = _store([{"a": _literal(str(i % 5)), "b": None, "c": None} for i in range(12)])
    query = _query(["DESC(?a)"], PROPS, False, "")
    expected = _oxigraph_rows(store, query)
    engine = OxigraphEngine(store)
    assert list(engine.select_stream(query, {}).rows) == expected  # sorted by kg
    monkeypatch.setattr(oxigraph_engine, "STREAM_SORTED_ROWS", 5)
    seen = []
    monkeypatch.setattr(oxigraph_engine.OxigraphEngine, "_run",
                        lambda self, q, b, run=oxigraph_engine.OxigraphEngine._run: seen.append(q) or run(self, q, b))
    assert list(engine.select_stream(query, {}).rows) == expected
    assert "ORDER BY" not in seen[0] and "ORDER BY" in seen[1]  # kg read 6 rows, then the engine sorted
