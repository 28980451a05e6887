"""The SHACL engines behind one facade (``kg.build.shacl.facade.Validator``), through the command line.

A shapes file using a SHACL feature the fast engine lacks gives, with ``--engine fast``, what
pySHACL gives (the facade hands those shapes to pySHACL), never a traceback or a silent pass; a
malformed shape is refused with exit 2 and one line naming the shapes file and the shape, with
either engine; a SPARQL constraint never reaches another server and cannot run forever.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Graph, URIRef

SHAPES = "ontology/shapes.ttl"


def _add_shapes(project: Path, text: str) -> None:
    path = project / SHAPES
    path.write_text(path.read_text(encoding="utf-8") + "\n" + text, encoding="utf-8")


def _lines(output: str) -> list[str]:
    """The report's lines, blank-node labels (which each engine picks) masked."""
    return sorted(re.sub(r"_:\w+", "_:b", line) for line in output.splitlines())


#: shapes using a component the fast engine once lacked, or one it still leaves to pySHACL
#: (a SPARQL-based constraint component with sh:ask); each finds something in the seed data
UNSUPPORTED_ONCE = {
    "minLength": """
mcs:TestShape a sh:NodeShape ; sh:targetClass mc:MilitaryExercise ;
    sh:property [ sh:path rdfs:label ; sh:minLength 200 ; sh:message "label too short"@en ] .
""",
    "lessThan": """
mcs:TestShape a sh:NodeShape ; sh:targetClass mc:Claim ;
    sh:property [ sh:path mc:paragraph ; sh:lessThan mc:paragraph ; sh:message "paragraph order"@en ] .
""",
    "uniqueLang": """
mcs:TestShape a sh:NodeShape ; sh:targetClass mc:MilitaryForce ;
    sh:property [ sh:path skos:altLabel ; sh:uniqueLang true ; sh:message "one alias a language"@en ] .
""",
    "closed": """
mcs:TestShape a sh:NodeShape ; sh:targetClass mc:MilitaryExercise ; sh:message "closed"@en ;
    sh:closed true ; sh:ignoredProperties ( rdf:type rdfs:label ) .
""",
    "inverse-of-a-sequence": """
mcs:TestShape a sh:NodeShape ; sh:targetClass mc:Article ;
    sh:property [ sh:path [ sh:inversePath ( [ sh:inversePath mc:claims ] mc:source ) ] ;
                  sh:maxCount 1 ; sh:message "one fact an article"@en ] .
""",
    "sparql-ask-component": """
mcs:TestForbidden a sh:ConstraintComponent ;
    sh:parameter [ sh:path mcs:testForbidden ] ;
    sh:validator [ a sh:SPARQLAskValidator ; sh:message "a forbidden place"@en ;
                           sh:ask "ASK { FILTER ($value != $testForbidden) }" ] .
mcs:TestShape a sh:NodeShape ; sh:targetClass mc:MilitaryExercise ;
    sh:property [ sh:path mc:location ; mcs:testForbidden <https://w3id.org/milcoop/id/place/caspian-sea> ;
                  sh:message "a forbidden place"@en ] .
""",
    "implicit-class-target": """
mc:MilitaryExercise a rdfs:Class, sh:NodeShape ;
    sh:property [ sh:path mc:startDate ; sh:minCount 1 ; sh:message "an exercise has a start"@en ] .
""",
}


#: pySHACL 0.40 follows the inverse of a sequence path in the wrong order (``^(a/b)`` as
#: ``^a/^b``, where SPARQL and SHACL define ``^b/^a``): its answer is checked on the same path
#: written out
FOR_PYSHACL = {
    "inverse-of-a-sequence": UNSUPPORTED_ONCE["inverse-of-a-sequence"].replace(
        "[ sh:inversePath ( [ sh:inversePath mc:claims ] mc:source ) ]", "( [ sh:inversePath mc:source ] mc:claims )"),
}


@pytest.mark.parametrize("name", sorted(UNSUPPORTED_ONCE))
def test_fast_engine_gives_what_pyshacl_gives(project, run_kg, tmp_path, name):
    import shutil

    twin = tmp_path / "twin"
    shutil.copytree(project, twin)
    _add_shapes(project, UNSUPPORTED_ONCE[name])
    _add_shapes(twin, FOR_PYSHACL.get(name, UNSUPPORTED_ONCE[name]))
    fast = run_kg(project, "validate", "--no-cache", "--engine", "fast")
    reference = run_kg(twin, "validate", "--no-cache", "--engine", "reference")
    assert reference.exit_code == 1, reference.output  # each shape finds a violation in the seed data
    assert "Traceback" not in fast.output
    assert (fast.exit_code, _lines(fast.output)) == (reference.exit_code, _lines(reference.output))


#: malformed shapes: (what is appended to the shapes, what the error says)
MALFORMED = {
    "pattern": ('mcs:BadShape a sh:NodeShape ; sh:targetClass mc:State ; sh:pattern "^[A-Z" .',
                r'sh:pattern "\^\[A-Z" is not a valid regular expression'),
    "minCount": ('mcs:BadShape a sh:NodeShape ; sh:targetClass mc:State ; '
                 'sh:property [ sh:path rdfs:label ; sh:minCount "abc" ] .',
                 r'sh:minCount must be a non-negative integer, not "abc"'),
    "self-node": ("mcs:BadShape a sh:NodeShape ; sh:targetClass mc:State ; sh:node mcs:BadShape .",
                  r"refers to itself \(mcs:BadShape -> mcs:BadShape\)"),
    "select": ('mcs:BadShape a sh:NodeShape ; sh:targetClass mc:State ; '
               'sh:sparql [ sh:select "SELECT $this WHERE { $this ?p }" ] .',
               r"its sh:select is not valid SPARQL"),
    "service": ('mcs:BadShape a sh:NodeShape ; sh:targetClass mc:State ; sh:sparql [ sh:select """'
                'SELECT $this WHERE { SERVICE <http://127.0.0.1:9/sparql> { $this ?p ?o } }""" ] .',
                r"its sh:select uses SERVICE"),
    "in-not-a-list": ("mcs:BadShape a sh:NodeShape ; sh:targetClass mc:State ; sh:in mc:State .",
                      r"the value of sh:in is not a well-formed RDF list"),
    "path-literal": ('mcs:BadShape a sh:NodeShape ; sh:targetClass mc:State ; '
                     'sh:property [ sh:path "label" ; sh:minCount 1 ] .',
                     r'sh:path "label" is not a well-formed SHACL path'),
}


@pytest.mark.parametrize("engine", ["fast", "reference"])
@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_shape_is_one_line_and_exit_2(project, run_kg, name, engine):
    text, message = MALFORMED[name]
    _add_shapes(project, text)
    result = run_kg(project, "validate", "--no-cache", "--engine", engine)
    assert result.exit_code == 2, result.output
    assert len(result.output.splitlines()) == 1, result.output
    assert re.fullmatch(r"Error: ontology/shapes\.ttl: shape (mcs:BadShape|the property shape of mcs:BadShape "
                        r"with sh:path \S+): .*" + message + r".*\n", result.output), result.output


def test_pyshacl_error_on_shapes_is_one_line(project, run_kg):
    """A shape the fast engine leaves to pySHACL, which pySHACL cannot load: one line, exit 2."""
    _add_shapes(project, """
mcs:TestBroken a sh:ConstraintComponent ; sh:parameter [ sh:path mcs:testBroken ] .
mcs:BadShape a sh:NodeShape ; sh:targetClass mc:State ; mcs:testBroken true .
""")
    for engine in ("fast", "reference"):
        result = run_kg(project, "validate", "--no-cache", "--engine", engine)
        assert result.exit_code == 2, result.output
        assert len(result.output.splitlines()) == 1, result.output
        assert result.output.startswith("Error: ontology/shapes.ttl: pySHACL cannot use the shapes: "), result.output


def test_service_in_a_shape_is_never_run(project, run_kg):
    """The query would reach a server; it is refused before any query runs, with both engines."""
    import socket
    import threading

    calls = []
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    stop = threading.Event()

    def accept():
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            calls.append(conn.recv(1000))
            conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    port = server.getsockname()[1]
    try:
        _add_shapes(project, f'''
mcs:BadShape a sh:NodeShape ; sh:targetClass mc:State ; sh:message "x"@en ;
    sh:sparql [ sh:select """SELECT $this WHERE {{ $this a mc:State .
        SERVICE <http://127.0.0.1:{port}/sparql> {{ $this ?p ?o }} }}""" ; sh:prefixes <https://w3id.org/milcoop/shapes> ] .
''')
        for engine in ("fast", "reference"):
            result = run_kg(project, "validate", "--no-cache", "--engine", engine)
            assert result.exit_code == 2, result.output
            assert "SERVICE" in result.output and len(result.output.splitlines()) == 1, result.output
    finally:
        stop.set()
        thread.join()
        server.close()
    assert calls == []


@pytest.mark.parametrize("engine", ["fast", "reference"])
def test_sparql_constraint_has_a_time_limit(project, run_kg, monkeypatch, engine):
    """A SPARQL constraint that runs too long stops the build with one line and exit 2 (the fast
    engine bounds each query; pySHACL, which runs its queries inside, is bounded as a whole)."""
    import kg.build.shacl.fast
    import kg.build.shacl.facade

    monkeypatch.setattr(kg.build.shacl.fast, "SPARQL_TIMEOUT", 1.0, raising=False)
    monkeypatch.setattr(kg.build.shacl.facade, "PYSHACL_TIMEOUT", 1.0, raising=False)
    _add_shapes(project, '''
mcs:SlowShape a sh:NodeShape ; sh:targetClass mc:State ; sh:message "slow"@en ;
    sh:sparql [ sh:select """SELECT $this WHERE { $this a ?c . ?a ?b ?d . ?e ?f ?g }""" ] .
''')
    result = run_kg(project, "validate", "--no-cache", "--engine", engine)
    assert result.exit_code == 2, result.output
    assert result.output == {
        "fast": "Error: ontology/shapes.ttl: shape mcs:SlowShape: its SPARQL constraint ran longer than 1 s\n",
        "reference": "Error: ontology/shapes.ttl: pySHACL ran longer than 1 s over one graph\n",
    }[engine]


def test_refusing_instead_of_falling_back_names_the_component():
    from kg.build.shacl.fast import Unsupported
    from kg.build.shacl.facade import Validator

    shapes = Graph().parse(data="""
@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
ex:C a sh:ConstraintComponent ; sh:parameter [ sh:path ex:p ] ;
    sh:validator [ a sh:SPARQLAskValidator ; sh:ask "ASK { }" ] .
ex:S a sh:NodeShape ; sh:targetNode ex:x ; ex:p 1 .
""", format="turtle")
    with pytest.raises(Unsupported) as info:
        Validator(shapes, engine="fast", fallback=False, source="shapes.ttl")
    assert str(info.value) == ("shapes.ttl: the fast SHACL engine does not support the constraint component "
                               "ex:C (shape ex:S); use --engine reference")


def test_facade_checks_each_shape_once():
    """Shapes the fast engine checks are not checked again by pySHACL (their targets, implicit
    class targets included, are taken out of the shapes pySHACL is given), and shapes it leaves
    to pySHACL are: the results, as a multiset, are pySHACL's."""
    from collections import Counter

    from kg.build.shacl.facade import Validator, validate

    g = Graph().parse(data="""
@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:C a sh:ConstraintComponent ; sh:parameter [ sh:path ex:forbidden ] ;
    sh:validator [ a sh:SPARQLAskValidator ; sh:message "forbidden"@en ; sh:ask "ASK { FILTER ($value != $forbidden) }" ] .
ex:Slow a sh:NodeShape ; sh:targetClass ex:Person ; sh:message "forbidden"@en ;
    sh:property [ sh:path ex:knows ; ex:forbidden ex:b ; sh:message "forbidden"@en ] .
ex:Person a rdfs:Class, sh:NodeShape ; sh:message "name"@en ;
    sh:property [ sh:path ex:name ; sh:minCount 1 ; sh:minLength 2 ; sh:message "name"@en ] .
ex:a a ex:Person ; ex:knows ex:b ; ex:name "x" .
ex:b a ex:Person .
""", format="turtle")
    facade = Validator(g, engine="fast")
    assert [s.node for s in facade.fast_shapes] == [URIRef("http://example.org/Person")]
    assert list(facade.compiled.unsupported) == [URIRef("http://example.org/Slow")]

    def rows(report):
        return Counter((r.severity, r.focus, r.path, r.value, r.message) for r in report.results)

    got, want = rows(facade.validate(g)), rows(validate(g, g))
    assert got == want and sum(want.values()) == 3
