"""kg build: outputs, determinism, and the facts of the seed articles in the graph."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pyoxigraph
import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from kg.namespaces import GRAPH, MC, MCV, ID

ROOT = Path(__file__).resolve().parent.parent
#: the articles of data/
N_ARTICLES = len(list((ROOT / "data" / "articles").glob("*.yaml")))


def ent(kind: str, ident: str) -> URIRef:
    return ID[f"{kind}/{ident}"]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("build")
    subprocess.run([sys.executable, "-m", "kg", "-C", str(ROOT), "build", "-o", str(out)], check=True,
                   capture_output=True)
    return out


@pytest.fixture(scope="module")
def graph(built) -> Graph:
    g = Graph()
    g.parse(built / "kg.ttl", format="turtle")
    return g


def test_build_writes_turtle_and_trig(project, run_kg):
    result = run_kg(project, "build")
    assert result.exit_code == 0, result.output
    assert (project / "build" / "kg.ttl").is_file()
    assert (project / "build" / "kg.trig").is_file()
    assert f"Built {N_ARTICLES} article(s)" in result.stderr
    assert not [p for p in (project / "build").iterdir() if p.name.startswith(".")]


def test_two_builds_are_byte_identical(tmp_path):
    """Across processes with different hash seeds, the outputs are the same bytes."""
    outs = []
    for seed in ("1", "2"):
        out = tmp_path / seed
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-m", "kg", "-C", str(ROOT), "build", "-o", str(out)], check=True,
                       env=env, capture_output=True)
        outs.append(out)
    for name in ("kg.ttl", "kg.trig"):
        assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes(), name


def test_turtle_header_says_what_it_holds(built):
    head = (built / "kg.ttl").read_text(encoding="utf-8").splitlines()[:3]
    assert head[1] == f"# Named graphs merged: ontology, reference entities, {N_ARTICLES} article(s)."
    assert head[2] == "# Inferred triples: not included."


def test_outputs_load_in_pyoxigraph_and_rdflib(built, graph):
    store = pyoxigraph.Store()
    store.load(path=str(built / "kg.ttl"), format=pyoxigraph.RdfFormat.TURTLE)
    assert len(store) == len(graph) > 500
    store2 = pyoxigraph.Store()
    store2.load(path=str(built / "kg.trig"), format=pyoxigraph.RdfFormat.TRIG)
    ds = Dataset()
    ds.parse(built / "kg.trig", format="trig")
    names = {str(g.identifier) for g in ds.graphs() if len(g)}
    assert {str(GRAPH["ontology"]), str(GRAPH["reference"]),
            str(GRAPH["article/iran-russia-caspian-maneuvers"]),
            str(GRAPH["article/somali-magazine-casarex-2025"])} <= names
    assert len(store2) == sum(len(g) for g in ds.graphs())


def test_no_blank_nodes_in_the_facts(built):
    ds = Dataset()
    ds.parse(built / "kg.trig", format="trig")
    for g in ds.graphs():
        if g.identifier == GRAPH["ontology"]:
            continue  # OWL lists (AllDisjointClasses) need blank nodes
        for triple in g:
            assert not any(t.__class__.__name__ == "BNode" for t in triple), (g.identifier, triple)


def test_casarex_2025(graph):
    ex = ent("exercise", "casarex-2025")
    assert (ex, RDF.type, MC.NavalExercise) in graph
    assert (ex, RDF.type, MC.JointExercise) in graph
    assert graph.value(ex, MC.startDate) == Literal("2025-07-21", datatype=XSD.date)
    assert graph.value(ex, MC.endDate) == Literal("2025-07-23", datatype=XSD.date)
    assert graph.value(ex, MC.duration) == Literal("P3D", datatype=XSD.duration)
    assert graph.value(ex, MC.host) == ent("force", "iran-northern-fleet")
    assert set(graph.objects(ex, MC.participant)) == {
        ent("force", "iran-navy"), ent("force", "irgc"), ent("force", "iran-police"), ent("force", "russia-navy")}
    assert set(graph.objects(ex, MC.observer)) == {ent("state", s) for s in ("AZE", "KAZ", "TKM")}
    assert str(graph.value(ex, MC.codename)) == "CASAREX 2025"
    assert str(graph.value(ex, MC.slogan)) == "Together for a Safe and Secure Caspian Sea"
    assert graph.value(ex, MC.vessel) == ent("vessel", "sb-738")
    assert graph.value(ex, MC.location) == ent("place", "caspian-sea")
    # what the drill does; patrols and emergency response are only expected, on a claim of their own
    assert set(graph.objects(ex, MC.activity)) == {MCV[f"activity/{a}"] for a in ("search-and-rescue", "maritime-security")}
    expected = ID["claim/somali-magazine-casarex-2025/casarex-2025/expected-showcase"]
    assert graph.value(expected, MC.modality) == MCV["modality/expected"]
    assert {graph.value(v, MC.value) for v in graph.objects(expected, MC.givesValue)} == {
        MCV["activity/patrol"], MCV["activity/emergency-response"]}
    assert (None, MC.nonParticipant, ent("state", "CHN")) in graph


def test_first_drill_has_no_invented_dates(graph):
    ex = ent("exercise", "iran-russia-caspian-drill")
    assert graph.value(ex, MC.startDate) is None
    assert graph.value(ex, MC.duration) is None
    claim = ID["claim/iran-russia-caspian-maneuvers/iran-russia-caspian-drill"]
    assert set(graph.objects(claim, MC.unreported)) == {MC.startDate, MC.endDate, MC.duration}
    assert graph.value(claim, MC.attributedTo) == ent("person", "iran-navy-spokesperson")
    assert graph.value(claim, MC.via) == ent("organisation", "isna")
    assert graph.value(claim, MC.certainty) == MCV["certainty/attributed"]


def test_transfers_and_denial(graph):
    drones = ent("arms-transfer", "iran-russia-drones")
    bombs = ent("arms-transfer", "iran-russia-drone-glide-bombs")
    for t in (drones, bombs):
        assert graph.value(t, MC.supplier) == ent("state", "IRN")
        assert graph.value(t, MC.recipient) == ent("state", "RUS")
        assert graph.value(t, MC.usedIn) == ent("conflict", "war-in-ukraine")
        assert graph.value(t, MC.transferStatus) == MCV["transfer-status/delivered"]
    assert graph.value(ent("weapon", "combat-drone"), MC.weaponCategory) == MCV["weapon-category/aircraft"]
    assert graph.value(ent("weapon", "drone-launched-glide-bomb"), MC.weaponCategory) == MCV["weapon-category/missiles"]
    denial = ent("denial", "iran-denies-ukraine-war-cooperation")
    assert graph.value(denial, MC.deniedBy) == ent("state", "IRN")
    assert set(graph.objects(denial, MC.disputes)) == {drones, bombs}
    claim = ID["claim/iran-russia-caspian-maneuvers/iran-russia-drone-glide-bombs"]
    assert graph.value(claim, MC.attributedTo) == ent("group", "unnamed-media-report")


def test_pact_lacks_mutual_defence(graph):
    pact = ent("agreement", "iran-russia-defence-pact")
    assert (pact, RDF.type, MC.DefencePact) in graph
    assert set(graph.objects(pact, MC.covers)) == {MCV["provision/joint-exercises"],
                                                   MCV["provision/technology-cooperation"]}
    assert set(graph.objects(pact, MC.lacks)) == {MCV["provision/mutual-defence"]}


def test_states_link_to_wikidata_and_iso(graph):
    iran = ent("state", "IRN")
    assert graph.value(iran, MC.iso3166Alpha3) == Literal("IRN")
    assert graph.value(iran, MC.wikidataEntity) == URIRef("http://www.wikidata.org/entity/Q794")
    assert graph.value(ent("place", "caspian-sea"), MC.wikidataEntity) == URIRef(
        "http://www.wikidata.org/entity/Q5484")


def test_validate_reports_the_open_dates_as_warnings(project, run_kg):
    result = run_kg(project, "validate")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert any(line.startswith("Warning: ") and "iran-russia-caspian-drill" in line
               and "(data/articles/iran-russia-caspian-maneuvers.yaml:" in line for line in lines), lines
    assert not any(line.startswith("Violation") for line in lines)


def test_violation_exits_1_and_names_the_line(project, run_kg):
    path = project / "data/articles/somali-magazine-casarex-2025.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("    end: 2025-07-23", "    end: 2025-07-20"), encoding="utf-8")
    result = run_kg(project, "build")
    assert result.exit_code == 1
    violations = [line for line in result.stderr.splitlines() if line.startswith("Violation")]
    assert violations
    fact_line = text.splitlines().index("  - type: exercise") + 1
    assert text.splitlines()[fact_line] == "    id: casarex-2025"
    where = f"(data/articles/somali-magazine-casarex-2025.yaml:{fact_line})"
    assert all(line.endswith(where) for line in violations), violations
    assert not (project / "build").exists()


@pytest.mark.parametrize("fmt, parse_as", [
    ("turtle", "turtle"), ("ntriples", "nt"), ("nquads", "nquads"), ("trig", "trig"),
    ("jsonld", "json-ld"), ("xml", "xml")])
def test_export_formats(project, run_kg, fmt, parse_as, tmp_path):
    out = tmp_path / f"out.{fmt}"
    result = run_kg(project, "export", "--format", fmt, "-o", str(out))
    assert result.exit_code == 0, result.output
    if parse_as in ("nquads", "trig", "json-ld"):
        g = Dataset()
    else:
        g = Graph()
    g.parse(out, format=parse_as)
    assert len(g) > 500 if not isinstance(g, Dataset) else sum(len(x) for x in g.graphs()) > 500
