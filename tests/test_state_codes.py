"""The states' Correlates of War and Gleditsch-Ward numbers are those of the countrycode
package (tools/state_codes.py writes them), and they reach the graph."""
from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _tool():
    spec = importlib.util.spec_from_file_location("state_codes", ROOT / "tools" / "state_codes.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_states_yaml_holds_countrycodes_numbers():
    tool = _tool()
    text = tool.STATES.read_text(encoding="utf-8")
    assert tool.with_codes(text) == text, "run tools/state_codes.py: states.yaml is not countrycode's"
    assert tool.main(["--check"]) == 0
    # the numbers differ where the two lists do (Germany: COW 255, G-W 260)
    assert tool.codes(["DEU", "RUS", "USA"]) == {"DEU": {"cow": 255, "gw": 260}, "RUS": {"cow": 365, "gw": 365},
                                                 "USA": {"cow": 2, "gw": 2}}


def test_an_out_of_date_number_is_found_and_rewritten():
    tool = _tool()
    stale = "states:\n  - id: DEU\n    label: Germany\n    cow: 260\n    aliases: [German]\n"
    assert tool.with_codes(stale) == "states:\n  - id: DEU\n    label: Germany\n    cow: 255\n    gw: 260\n" \
                                     "    aliases: [German]\n"


def test_the_codes_reach_the_graph(seed_project):
    from kg.pipeline import NAMED, ensure_built
    from kg.project import Project

    import pyoxigraph as ox

    store = ox.Store()
    store.bulk_load(path=str(ensure_built(Project(seed_project)) / NAMED), format=ox.RdfFormat.TRIG)
    rows = list(store.query(
        "SELECT ?cow ?gw WHERE { GRAPH ?g { <https://w3id.org/milcoop/id/state/DEU> "
        "<https://w3id.org/milcoop/ontology/cowCode> ?cow ; <https://w3id.org/milcoop/ontology/gwCode> ?gw } }"))
    assert [(r["cow"].value, r["gw"].value) for r in rows] == [("255", "260")]
