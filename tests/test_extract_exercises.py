"""``kg extract``: the exercise part of a draft on small invented texts: lists of states and
their roles, observers named in lists, places, and dates as the text gives them."""
from __future__ import annotations

import re

import pytest

from kg.extract.draft import draft
from kg.extract.mentions import Gazetteer


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


def test_days_without_a_year_are_kept_as_the_text_gives_them(reference, gazetteer):
    body = "The Blue Heron exercise, held off the coast on Feb. 14-24, brought together troops from Peru and Chile."
    [ex] = _exercises(body, reference, gazetteer, dateline=None)
    assert ex["start"] == {"month_day": "--02-14", "as_said": "Feb. 14-24", "basis": "no-year"}
    assert ex["end"] == {"month_day": "--02-24", "as_said": "Feb. 14-24", "basis": "no-year"}


def test_a_year_in_the_sentence_dates_a_range_and_a_weekday_needs_a_real_date_line(reference, gazetteer):
    body = "The 2024 round of the Blue Heron exercise is to run from June 27 to Aug. 1 near the coast."
    [ex] = _exercises(body, reference, gazetteer, dateline=None)
    assert (ex["start"], ex["end"]) == ("2024-06-27", "2024-08-01")
    body = "The Blue Heron exercise commenced on Sunday with troops from Peru and Chile."
    [ex] = _exercises(body, reference, gazetteer, dateline="date: 2025-07-15 (from the URL path)")
    assert ex["start"] == {"as_said": "Sunday", "basis": "weekday-unresolved"}
    [ex] = _exercises(body, reference, gazetteer)
    assert ex["start"] == "2025-03-02"


def test_a_date_of_another_event_in_the_sentence_is_not_the_exercise_start(reference, gazetteer):
    body = "As Peru presses on with the war it started on February 24, the Blue Heron 2025 exercise began on Thursday."
    [ex] = _exercises(body, reference, gazetteer)
    assert ex["start"] == "2025-02-27"


def test_one_exercise_one_fact_across_its_names_and_no_dateline_codename(reference, gazetteer):
    body = ("LIMA, March 3 - The largest exercise the region has seen began on Monday with troops from Peru and Chile.\n\n"
            "This is the 11th running of Blue Heron, a biennial exercise.\n\n"
            "Officers said Exercise Blue Heron 2025 was a success.")
    [ex] = _exercises(body, reference, gazetteer)
    assert ex["codename"] == "Blue Heron 2025"


def test_a_shortened_name_and_a_named_list_before_any_trigger_are_the_same_exercise(reference, gazetteer):
    body = ("Forces from Peru, Chile and Ecuador are joining in as Blue Heron 2025 gets under way.\n\n"
            "The Blue Heron 2025 exercise began on Thursday.\n\n"
            "According to the organisers, Blue Heron 25 runs until September 7 off the coast.")
    [ex] = _exercises(body, reference, gazetteer, dateline=None)
    assert ex["codename"] == "Blue Heron 2025"
    assert ex["start"] == {"as_said": "Thursday", "basis": "weekday-unresolved"}
    assert ex["end"] == {"month_day": "--09-07", "as_said": "September 7", "basis": "no-year"}


def test_places_held_around_and_listed_after_a_place_are_locations(reference, gazetteer):
    body = ("The Blue Heron 2025 exercise, which is slated to be held around the Hawaiian Islands, opened on Monday.\n\n"
            "The organisers said Blue Heron 2025 runs on seven ranges in the Sea of Japan, Russia's Far East and "
            "eastern Siberia.")
    [ex] = _exercises(body, reference, gazetteer)
    assert ex["location"] == ["hawaiian-islands", "sea-of-japan", "russian-far-east", "eastern-siberia"]


def test_an_earlier_edition_by_the_same_parties_and_the_series_name_are_not_new_exercises(reference, gazetteer):
    body = ("'Heron II', a trilateral naval exercise, began on 17 February 2023 with naval units from Peru, Chile "
            "and Ecuador.\n\n"
            "In November 2019, the same three navies held the first 'Heron' deployment off the coast.\n\n"
            "'Heron', the name of the exercise, is a bird.")
    first, earlier = _exercises(body, reference, gazetteer)
    assert (first["codename"], first["start"]) == ("Heron II", "2023-02-17")
    assert earlier["start"] == "2019-11" and earlier["participants"] == first["participants"]


def test_officers_services_ships_of_listed_states_and_a_hypothetical_drill_add_no_participant(reference, gazetteer):
    body = ("Peru has kicked off a week-long set of war games that brings in Chilean forces.\n\n"
            "The Blue Heron 2025 exercise began on Monday; the participating countries include Peru, Chile and India.\n\n"
            "Indian Navy Commodore Ravi Kumar is to lead a task group, and India has deployed the destroyer INS Kolkata.\n\n"
            "The organisers said they could one day stage an exercise of twice that size.")
    [ex] = _exercises(body, reference, gazetteer)
    assert ex["codename"] == "Blue Heron 2025"
    assert ex["participant_states"] == ["PER", "CHL", "IND"]
    assert "indian-navy" not in ex.get("participants", [])


def test_a_series_first_edition_and_the_states_that_open_an_exercise(reference, gazetteer):
    body = ("Peru, Chile and Ecuador - the partner nations - are poised to open their premier Blue Heron Naval "
            "Exercise this week, from August 11 to 21, 2023.\n\n"
            "By contrast, Chile has dispatched a single warship to the exercise.\n\n"
            "Worth recalling: the annual Blue Heron exercise began in 1992 as a two-nation effort by Peru and Chile "
            "and now counts Ecuador and Bolivia among its regular participants.")
    ex, first = _exercises(body, reference, gazetteer, dateline=None)
    assert (ex["codename"], ex["participant_states"], ex["start"]) == ("Blue Heron", ["PER", "CHL", "ECU"], "2023-08-11")
    assert "participants" not in ex  # Chile's warship is Chile's part, listed already
    assert (first["start"], first["participant_states"]) == ("1992", ["PER", "CHL"])


def test_the_state_that_held_an_exercise_with_a_list_of_states_is_a_participant_state_too(reference, gazetteer):
    body = "Diplomats were alarmed by this year's naval exercises that France held with Chile and Ecuador."
    [ex] = _exercises(body, reference, gazetteer)
    assert ex["participant_states"] == ["FRA", "CHL", "ECU"]


def test_services_named_without_their_state_an_area_covered_and_a_state_that_would_join(reference, gazetteer):
    body = ("The Blue Heron 2025 exercise starts next week and continues until late May.\n\n"
            "Officials said units from each member country would take part, as would Sweden.\n\n"
            "The U.S. contribution will include personnel from the Coast Guard, Marines and Navy.\n\n"
            "The exercise will cover an area reaching from North America as far as NATO's eastern flank.")
    [ex] = _exercises(body, reference, gazetteer, dateline=None)
    assert ex["participants"] == ["united-states-coast-guard", "united-states-marine-corps", "united-states-navy"]
    assert ex["participant_states"] == ["SWE"]
    assert ex["location"] == ["north-america", "nato-eastern-flank"]
    assert ex["start"] == {"as_said": "next week", "basis": "relative-unresolved"}
    assert ex["end"] == {"as_said": "late May", "basis": "approximate"}


def test_an_announcement_date_and_hedged_ships_are_not_the_exercise_s(reference, gazetteer):
    body = ("The Navy announced on Thursday that it would hold the Blue Heron 2025 exercise, which starts next week.\n\n"
            "India's participants in the exercise include INS Kolkata, and probably also INS Sahyadri.")
    [ex] = _exercises(body, reference, gazetteer, dateline=None)
    assert ex["start"] == {"as_said": "next week", "basis": "relative-unresolved"}
    assert ex["vessels"] == ["ins-kolkata"]


def test_an_exercise_told_only_as_a_plan_is_planned(reference, gazetteer):
    body = "The Blue Heron 2025 exercise is slated to be held around the Hawaiian Islands from June 27 to Aug. 1."
    [ex] = _exercises(body, reference, gazetteer)
    assert ex["modality"] == "planned"
    [ex] = _exercises("The Blue Heron 2025 exercise began on Monday near the coast.", reference, gazetteer)
    assert "modality" not in ex


def test_the_state_that_kicks_off_drills_bringing_in_others_hosts_them_and_a_place_does_not(reference, gazetteer):
    body = ("Peru has launched a ten-day set of naval drills that brings in Chilean forces as well as those of "
            "Ecuador, officials said.\n\n"
            "The Blue Heron 2025 drills are held in the Hawaiian Islands.")
    [ex] = _exercises(body, reference, gazetteer)
    assert ex["host"] == "PER"
    assert "PER" in ex["participant_states"] or "peru-navy" in ex.get("participants", [])
    body = "The Blue Heron 2025 drills, with Peru and Chile taking part, are held in the Hawaiian Islands."
    [ex] = _exercises(body, reference, gazetteer)
    assert "host" not in ex


def test_a_force_s_commander_who_hosts_the_exercise_is_the_host_not_the_force(reference, gazetteer):
    body = ("The Blue Heron 2025 exercise opened on Monday with troops from Peru and Chile.\n\n"
            "The U.S. Pacific Fleet's commander is hosting the drills this year.")
    [ex] = _exercises(body, reference, gazetteer)
    assert ex["host"] == "us-pacific-fleet-commander"
    # the next sentence, with no word for an exercise, says who hosts "the event"
    body = ("The Blue Heron 2025 exercise opened on Monday with troops from Peru and Chile. "
            "The U.S. Pacific Fleet's commander is hosting the event.")
    [ex] = _exercises(body, reference, gazetteer)
    assert ex["host"] == "us-pacific-fleet-commander"
    # a commander the reference does not name: never the force; an unnamed person is proposed
    text = ("Navies gather for the spring drills at sea\n\nThe Harbour Courier\n\n"
            "The Blue Heron 2025 exercise opened on Monday with troops from Peru and Chile.\n\n"
            "The Chilean Navy's commander is hosting the drills this year.\n")
    made = draft(text, reference, "t", "t.txt", gazetteer, propose=False)
    [ex] = [f.values for f in made.facts if f.type == "exercise"]
    assert "host" not in ex
    assert "the host is the commander of" in ex["_note"]
    made = draft(text, reference, "t", "t.txt", gazetteer)
    [ex] = [f.values for f in made.facts if f.type == "exercise"]
    assert ex["host"] == "chile-navy-commander"
    [p] = [p for p in made.proposals if p.id == "chile-navy-commander"]
    assert (p.kind, p.label, dict(p.fields)) == ("person", "Commander of the Chilean Navy", {"unnamed": True})


def test_a_photo_caption_s_date_is_never_the_article_s_date_nor_an_event_s(reference, gazetteer):
    # a metadata line that says the date is unknown, naming a caption's date
    text = ("Navies gather for the spring drills at sea\n\n"
            "Outlet: The Harbour Courier; date: unknown (the \"May 2, 2024\" in the text is a photo-caption date)\n\n"
            "The Blue Heron exercise opened on Monday with troops from Peru and Chile.\n")
    made = draft(text, reference, "t", "t.txt", gazetteer)
    assert made.header["published"] == "unknown"
    # a caption block before the body: a short line with a photo credit
    text = ("Navies gather for the spring drills at sea\n\nThe Harbour Courier\n\n"
            "A Peruvian frigate sails past the harbour wall on May 2, 2024. Photo: Reuters\n\n"
            "The Blue Heron exercise opened on Monday with troops from Peru and Chile.\n")
    made = draft(text, reference, "t", "t.txt", gazetteer)
    assert made.header["published"] == "unknown"
    [ex] = [f.values for f in made.facts if f.type == "exercise"]
    assert ex["start"] == {"as_said": "Monday", "basis": "weekday-unresolved"}
    # a real date line is still the article's date
    text = ("Navies gather for the spring drills at sea\n\nThe Harbour Courier\nMay 2, 2024\n\n"
            "The Blue Heron exercise opened on Monday with troops from Peru and Chile.\n")
    assert draft(text, reference, "t", "t.txt", gazetteer).header["published"] == "2024-05-02"


def test_a_first_visit_since_a_year_is_a_visit_after_an_earlier_one_never_a_first_ever_visit(reference, gazetteer):
    text = ("Leaders meet in the south\n\nThe Harbour Courier\n\n"
            "Earlier in the day, Putin landed in Lima, where officials met him at the airport. "
            "It was the first time the Russian leader had visited since 2014.\n")
    made = draft(text, reference, "t", "t.txt", gazetteer)
    events = [f for f in made.facts if f.type == "event"]
    assert [(f.values["kind"], f.values["actors"], f.values.get("start")) for f in events] == [
        ("visit", ["vladimir-putin"], None), ("visit", ["vladimir-putin"], "2014")]
    assert events[0].values["links"] == {"follows": [events[1].id]}
    assert not any(re.search(r"first[- ](?:ever|time|visit)", f.label, re.I) for f in events)
    # a first visit with no earlier one told: no earlier visit is made up
    text = text.replace(" since 2014", "")
    assert not [f for f in draft(text, reference, "t", "t.txt", gazetteer).facts if f.type == "event"]


def test_a_byline_with_an_agency_is_no_caption_and_its_date_line_dates_the_article(reference, gazetteer):
    text = ("Navies gather for the spring drills at sea\n\nBy Ana Ruiz (Reuters)\nMay 2, 2024\n\n"
            "The Blue Heron exercise opened on Monday with troops from Peru and Chile.\n")
    assert draft(text, reference, "t", "t.txt", gazetteer).header["published"] == "2024-05-02"
    text = ("Navies gather for the spring drills at sea\n\nThe Harbour Courier\n\n"
            "A frigate sails past the harbour wall on May 2, 2024. REUTERS/Ana Ruiz\n\n"
            "The Blue Heron exercise opened on Monday with troops from Peru and Chile.\n")
    assert draft(text, reference, "t", "t.txt", gazetteer).header["published"] == "unknown"


def test_a_caption_inside_the_body_dates_no_fact(reference, gazetteer):
    body = ("The Blue Heron 2025 exercise opened on Monday with troops from Peru and Chile.\n\n"
            "Chilean sailors drill on a frigate's deck during an exercise on May 2, 2024. Photo: Reuters.\n\n"
            "The drills will run until Friday, officials said.")
    [ex] = _exercises(body, reference, gazetteer, dateline=None)
    assert "2024" not in repr(ex)
