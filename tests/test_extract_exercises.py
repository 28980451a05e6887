"""``kg extract``: the exercise part of a draft on small invented texts: lists of states and
their roles, observers named in lists, places, and dates as the text gives them."""
from __future__ import annotations

from pathlib import Path

import pytest

from kg.extract.draft import draft
from kg.extract.mentions import Gazetteer
from kg.inputs.facts import read_reference
from kg.inputs.ontology import load_ontology, vocabulary
from kg.project import Project

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def reference():
    project = Project(REPO)
    vocab = vocabulary(load_ontology(project))
    return read_reference([(p, p.name) for p in project.reference_paths()], vocab)


@pytest.fixture(scope="module")
def gazetteer(reference):
    return Gazetteer.of(reference)


def _exercises(body: str, reference, gazetteer, dateline: str | None = "Monday, March 3, 2025"):
    head = "Navies gather for the spring drills at sea\n\nThe Harbour Courier\n" + (f"{dateline}\n" if dateline else "")
    made = draft(f"{head}\n{body}\n", reference, "t", "t.txt", gazetteer)
    return [f.values for f in made.facts if f.type == "exercise"]


def test_a_list_of_participating_countries_gives_participant_states(reference, gazetteer):
    body = ("The Blue Heron 2025 exercise opened on Monday near the coast.\n\n"
            "The lineup of participating countries is to include Peru, Chile, Norway and the Netherlands.")
    [ex] = _exercises(body, reference, gazetteer)
    assert ex["participant_states"] == ["PER", "CHL", "NOR", "NLD"]
    assert "participants" not in ex


def test_states_held_with_a_state_are_participant_states(reference, gazetteer):
    body = "Diplomats in Lima were alarmed by the naval exercises that Peru held with Chile and Ecuador this year."
    [ex] = _exercises(body, reference, gazetteer)
    assert ex["participant_states"] == ["PER", "CHL", "ECU"]


def test_a_list_before_observer_nations_are_observers_and_a_side_programme_is_neither(reference, gazetteer):
    body = ("The Blue Heron 2025 exercise opened on Monday with troops from Peru and Chile.\n\n"
            "Taking part in the Civic Aid Project are Fiji, Nepal and Mongolia.\n\n"
            "Brazil, Sweden and Pakistan make up the three observer nations.")
    [ex] = _exercises(body, reference, gazetteer)
    assert ex["observers"] == ["BRA", "SWE", "PAK"]
    assert not {"FJI", "NPL", "MNG"} & set(ex.get("participant_states", []) + ex.get("observers", []))


def test_envoys_who_look_on_and_a_state_in_an_aside_do_not_take_part(reference, gazetteer):
    body = ("The Blue Heron 2025 exercise opened on Monday with troops from Peru and Chile, with Bolivia "
            "pressing on with manoeuvres across the Andes.\n\n"
            "The ambassadors of Norway and Sweden looked on as the exercise began.")
    [ex] = _exercises(body, reference, gazetteer)
    named = set(ex.get("participant_states", [])) | set(ex.get("participants", []))
    assert not {"BOL", "NOR", "SWE"} & named
    assert not any(p.startswith(("bolivia", "norway", "sweden")) for p in named)
