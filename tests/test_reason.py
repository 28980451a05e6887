"""Inference with owlrl: what follows from the ontology, kept apart from what articles say."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyoxigraph
import pytest

from conftest import copy_seed_project
from click.testing import CliRunner
from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF, RDFS, XSD

from kg.cli import cli
from kg.namespaces import GRAPH, ID, MC

ROOT = Path(__file__).resolve().parent.parent
BUILTIN = (str(RDF), str(RDFS), str(OWL), str(XSD))


def kg(project: Path, *args: str):
    return CliRunner().invoke(cli, ["-C", str(project), *args], catch_exceptions=False)


@pytest.fixture(scope="module")
def projects(tmp_path_factory):
    """The seed project built twice: with owlrl (default) and with --reason none."""
    out = {}
    for mode in ("owlrl", "none"):
        dest = copy_seed_project(tmp_path_factory.mktemp(mode) / "proj")
        result = kg(dest, "build", "--reason", mode)
        assert result.exit_code == 0, result.output
        out[mode] = dest
    return out


def _dataset(project: Path) -> Dataset:
    ds = Dataset()
    ds.parse(project / "build" / "kg.trig", format="trig")
    return ds


def _rows(project: Path, *args: str):
    result = kg(project, "query", *args, "--format", "json", "--raw")
    assert result.exit_code == 0, result.output
    return [{k: v["value"].rsplit("/", 1)[-1] for k, v in b.items()}
            for b in json.loads(result.stdout)["results"]["bindings"]]


def test_states_of_casarex_come_from_inference(projects):
    rows = _rows(projects["owlrl"], "exercise-states", "--param", "exercise=casarex-2025")
    assert rows == [{"exercise": "casarex-2025", "state": "IRN"}, {"exercise": "casarex-2025", "state": "RUS"}]
    assert _rows(projects["none"], "exercise-states", "--param", "exercise=casarex-2025") == []


def test_forces_of_a_state_include_sub_units(projects):
    with_inference = {r["force"] for r in _rows(projects["owlrl"], "state-forces", "--param", "state=IRN")}
    assert with_inference == {"iran-armed-forces", "iran-air-force", "iran-army", "iran-navy", "iran-northern-fleet",
                              "irgc", "irgc-navy", "irgc-aerospace-force", "iran-police"}
    without = {r["force"] for r in _rows(projects["none"], "state-forces", "--param", "state=IRN")}
    assert without == {"iran-armed-forces"}


def test_fleet_is_part_of_the_armed_forces(projects):
    ds = _dataset(projects["owlrl"])
    inferred = ds.graph(GRAPH["inferred"])
    fleet = ID["force/iran-northern-fleet"]
    assert (fleet, MC.partOf, ID["force/iran-armed-forces"]) in inferred
    assert (fleet, MC.belongsTo, ID["state/IRN"]) in inferred
    assert (ID["force/russia-navy"], MC.participatesIn, ID["exercise/casarex-2025"]) in inferred


def test_reasoning_leaves_the_asserted_graphs_unchanged(projects):
    with_inference, without = _dataset(projects["owlrl"]), _dataset(projects["none"])
    asserted = [g.identifier for g in without.graphs() if len(g)]
    assert GRAPH["inferred"] not in asserted
    for name in asserted:
        assert isomorphic(with_inference.graph(name), without.graph(name)), name
    assert (projects["owlrl"] / "build" / "kg.ttl").read_bytes() == (projects["none"] / "build" / "kg.ttl").read_bytes()


def test_inferred_graph_is_only_about_our_entities(projects):
    inferred = _dataset(projects["owlrl"]).graph(GRAPH["inferred"])
    assert len(inferred) > 50
    for s, p, o in inferred:
        assert isinstance(s, URIRef) and not isinstance(s, (Literal, BNode)), s
        assert str(s).startswith(str(ID)), s
        assert not str(s).startswith(BUILTIN)
        assert not (p == OWL.sameAs and s == o)


def test_inferred_graph_parses_in_pyoxigraph(projects):
    store = pyoxigraph.Store()
    store.load(path=str(projects["owlrl"] / "build" / "kg.trig"), format=pyoxigraph.RdfFormat.TRIG)
    graph = pyoxigraph.NamedNode(str(GRAPH["inferred"]))
    count = sum(1 for _ in store.quads_for_pattern(None, None, None, graph))
    assert count == len(_dataset(projects["owlrl"]).graph(GRAPH["inferred"]))


def test_no_inconsistency_and_all_checks_pass(projects):
    result = kg(projects["owlrl"], "check")
    assert result.exit_code == 0, result.output
    assert "0 with rows that break a rule" in result.stderr


def test_a_state_typed_as_a_force_is_found(projects, tmp_path):
    dest = tmp_path / "proj"
    shutil.copytree(projects["owlrl"], dest, symlinks=True)  # build/ stays a link (kg replaces only its own)
    ttl = dest / "ontology" / "milcoop.ttl"
    ttl.write_text(ttl.read_text(encoding="utf-8") + (
        "\n<https://w3id.org/milcoop/id/state/RUS> a mc:Navy .\n"), encoding="utf-8")
    assert kg(dest, "build").exit_code == 0
    result = kg(dest, "check")
    assert result.exit_code == 1
    assert "== qc/inconsistency-violation" in result.stdout
    assert "Russia" in result.stdout


def test_export_with_inferred_says_so(projects):
    result = kg(projects["owlrl"], "export", "--with-inferred")
    assert result.exit_code == 0
    assert "# Inferred triples: included.\n" in result.stdout
    plain = kg(projects["owlrl"], "export")
    assert "# Inferred triples: not included.\n" in plain.stdout
    assert len(result.stdout) > len(plain.stdout)
