"""``kg extract``: dates, quantities, mentions, the drafting of facts, the command, and the
benchmark against gold fact files (benchmarks/extract/)."""
from __future__ import annotations

import datetime as dt
import importlib.util
import shutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import example, given
from hypothesis import strategies as st

from kg.cli import cli
from kg.extract.dates import find_dates, find_durations
from kg.extract.draft import draft
from kg.extract.mentions import Gazetteer
from kg.extract.quantities import quantity_before
from kg.inputs.facts import read_reference
from kg.project import Project
from kg.inputs.ontology import load_ontology, vocabulary
from kg.inputs.text import paragraphs

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO.parent / "shared" / "seeds"
BENCH = REPO / "benchmarks" / "extract"


def _evaluate_module():
    spec = importlib.util.spec_from_file_location("extract_evaluate", BENCH / "evaluate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    # the repository's reference plus the benchmark's entities it does not have, as the benchmark
    # makes it (an entity both have is the repository's)
    project = _evaluate_module().make_project(tmp_path_factory.mktemp("reference") / "project",
                                              sorted((BENCH / "reference").glob("*.yaml")))
    vocab = vocabulary(load_ontology(project))
    return read_reference([(p, p.name) for p in project.reference_paths()], vocab)


@pytest.fixture(scope="module")
def gazetteer(reference):
    return Gazetteer.of(reference)


def _facts(text, reference, gazetteer, base="2025-07-25"):
    article = f"Some headline about drills and arms\n\nSome Outlet\n{base}\n\n{text}\n"
    return draft(article, reference, "t", "t.txt", gazetteer).facts


def _one(facts, ftype):
    found = [f for f in facts if f.type == ftype]
    assert len(found) == 1, [(f.type, f.values) for f in facts]
    return found[0].values


# --- paragraphs and sentences ---------------------------------------------------------------


def test_paragraphs_count_blocks_and_sentences_skip_abbreviations():
    text = "Title line\n\n  \nFirst block. It began on Sept. 12 with Gen. Smith.\nA new line.\n\nLast."
    paras = paragraphs(text)
    assert [p.number for p in paras] == [1, 2, 3]
    assert [s.text for s in paras[1].sentences] == ["First block.", "It began on Sept. 12 with Gen. Smith.",
                                                    "A new line."]


# --- dates and durations ---------------------------------------------------------------------


@pytest.mark.parametrize("text, base, values", [
    ("kicked off on July 21", "2025-07-25", [("2025-07-21", None)]),
    ("held on 21 July 2025", None, [("2025-07-21", None)]),
    ("began on Sept. 12", "2025-09-17", [("2025-09-12", None)]),
    ("from July 21 to July 23", "2025-07-25", [("2025-07-21", "2025-07-23")]),
    ("on July 21-23, 2025", None, [("2025-07-21", "2025-07-23")]),
    ("planned for late December", "2026-01-03", [("2025-12", None)]),
    ("signed in 2024", None, [("2024", None)]),
    ("ended on Tuesday", "2025-09-17", [("2025-09-16", None)]),
    ("it may have been", "2025-09-17", []),
])
def test_dates(text, base, values):
    when = dt.date.fromisoformat(base) if base else None
    assert [(d.value, d.end_value) for d in find_dates(text, when)] == values


def test_date_precision():
    assert [d.precision for d in find_dates("in September 2025, on 3 May 2024, in 2023", None)] == \
        ["month", "day", "year"]


@pytest.mark.parametrize("text, iso, days", [
    ("the three-day exercise", "P3D", 3),
    ("a two-week drill", "P2W", 14),
    ("lasting 10 days", "P10D", 10),
])
def test_durations(text, iso, days):
    (d,) = find_durations(text)
    assert (d.iso, d.days) == (iso, days)


def test_no_duration_in_days_later():
    assert find_durations("two days later the ships left") == []


# --- quantities ------------------------------------------------------------------------------


@pytest.mark.parametrize("text, qualifier, value", [
    ("shipped 2,400 drones", "exact", 2400),
    ("sent dozens of drones", "vague", None),
    ("up to 25 drones", "at-most", 25),
    ("more than 8 million drones", "at-least", 8_000_000),
    ("about 300 Iranian-made drones", "approximate", 300),
    ("three drones", "exact", 3),
])
def test_quantities(text, qualifier, value):
    q = quantity_before(text, text.index("drones") if "Iranian" not in text else text.index("Iranian"))
    assert (q.qualifier, q.value) == (qualifier, value)


def test_quantity_is_the_number_next_to_the_weapon():
    text = "six tanks and 40 drones"
    q = quantity_before(text, text.index("drones"))
    assert (q.qualifier, q.value) == ("exact", 40)


@pytest.mark.parametrize("text", ["in 2024 drones", "to drones"])
def test_no_quantity(text):
    assert quantity_before(text, text.index("drones")) is None


# --- mentions --------------------------------------------------------------------------------


@pytest.mark.parametrize("text, found", [
    ("Iranian officials met", [("iranian-officials", "Iranian officials")]),
    ("an Iranian frigate", [("IRN", "Iranian")]),
    ("the Russian Navy's ships", [("russia-navy", "Russian Navy")]),
    ("Tehran and Moscow agreed", [("IRN", "Tehran"), ("RUS", "Moscow")]),
    ("Iran's Northern Fleet hosted", [("iran-northern-fleet", "Iran's Northern Fleet")]),
    ("dozens of UAVs", [("combat-drone", "UAVs")]),
    ("near Chabahar in the Gulf of Oman", [("gulf-of-oman", "Gulf of Oman")]),
    ("sailed into the Gulf", [("persian-gulf", "the Gulf")]),
    ("the us and them", []),
])
def test_mentions(gazetteer, text, found):
    assert [(m.id, m.text) for m in gazetteer.find(text)] == found


def test_possessive_is_noted(gazetteer):
    (m,) = gazetteer.find("Iran's ambition")
    assert (m.id, m.possessive) == ("IRN", True)


# --- drafting --------------------------------------------------------------------------------


@pytest.mark.parametrize("sentence", [
    "Iran supplied Russia with drones in 2023, officials in Kyiv claimed.",
    "Drones were sent to Russia by Iran last year.",
    "Russia received drones from Iran last year.",
    "Iran delivered drones to Russia last year.",
])
def test_transfer_roles(reference, gazetteer, sentence):
    v = _one(_facts(sentence, reference, gazetteer), "arms-transfer")
    assert (v["supplier"], v["recipient"], v["weapon"]) == ("IRN", "RUS", "combat-drone")


def test_transfer_quantity_status_and_hedge(reference, gazetteer):
    facts = _facts("The United States will deliver 6 more HIMARS launchers to Ukraine. North Korea has "
                   "reportedly shipped up to 25 KN-23 missiles to Russia.", reference, gazetteer)
    first, second = [f.values for f in facts if f.type == "arms-transfer"]
    assert (first["quantity"], first["status"], "certainty" in first) == (6, "planned", False)
    assert ("quantity" in second, second["status"], second["certainty"]) == (False, "reported", "reported")
    assert "up to 25 (at-most)" in second["_note"]


def test_source_of_one_weapon(reference, gazetteer):
    facts = _facts("Iran is reported to have supplied Russia with drones and, according to a media report, "
                   "also drone-mounted glide bombs.", reference, gazetteer)
    drones, bombs = [f.values for f in facts if f.type == "arms-transfer"]
    assert (drones["certainty"], drones.get("according_to")) == ("reported", None)
    assert (bombs["certainty"], bombs["according_to"]) == ("attributed", ["unnamed-media-report"])


def test_observers_are_never_participants(reference, gazetteer):
    v = _one(_facts("Russia and Belarus held a joint land exercise near Brest on 3 May 2025. Observers from "
                    "India, Pakistan and China attended the drill.", reference, gazetteer), "exercise")
    assert v["participants"] == ["russia-armed-forces", "belarus-armed-forces"]
    assert v["observers"] == ["IND", "PAK", "CHN"]
    assert v["start"] == "2025-05-03"


def test_exercise_host_codename_dates(reference, gazetteer):
    v = _one(_facts("The two-week drill, code-named Ocean Shield, began on July 21 and is hosted by the "
                    "Russian Navy, with the Chinese Navy taking part.", reference, gazetteer), "exercise")
    assert (v["codename"], v["host"], v["participants"]) == ("Ocean Shield", "russia-navy", ["china-pla-navy"])
    assert (v["start"], v["end"], v["duration"]) == ("2025-07-21", "2025-08-03", "P14D")


def test_negated_participation(reference, gazetteer):
    facts = _facts("Iran and Russia began a naval drill in the Caspian Sea. China is not taking part in "
                   "the drill.", reference, gazetteer)
    assert _one(facts, "exercise")["participants"] == ["iran-navy", "russia-navy"]
    assert _one(facts, "non-participation") == {"actor": "CHN", "exercise": "IRN-RUS-naval-exercise".lower()}


def test_denial_and_confirmation(reference, gazetteer):
    facts = _facts("North Korea shipped artillery shells to Russia last year. Pyongyang denied the "
                   "shipments, and Moscow later confirmed them.", reference, gazetteer)
    transfer = next(f for f in facts if f.type == "arms-transfer")
    assert _one(facts, "denial") == {"by": ["PRK"], "denies": [transfer.id]}
    assert _one(facts, "confirmation") == {"by": ["RUS"], "confirms": [transfer.id]}


def test_unknown_names_are_listed(reference, gazetteer):
    text = ("Some headline about drills\n\nSome Outlet\n2025-07-25\n\n"
            "Atlantis and Freedonia staged a naval drill codenamed SEA WOLF near Port Royal, with the "
            "Atlantean Navy taking part.\n")
    d = draft(text, reference, "t", "t.txt", gazetteer)
    assert [(u.name, u.kind) for u in d.unresolved] == [
        ("Atlantean Navy", "force"), ("Freedonia", "unknown"), ("Port Royal", "place")]
    assert _one(d.facts, "exercise")["codename"] == "SEA WOLF"


# --- transfers: frames and context ------------------------------------------------------------


def _transfers(text, reference, gazetteer):
    return [f for f in _facts(text, reference, gazetteer) if f.type == "arms-transfer"]


def test_pronoun_subject_is_the_previous_sentences_subject(reference, gazetteer):
    (f,) = _transfers("Belarus has modernised its army. It received artillery shells from Russia last year.",
                      reference, gazetteer)
    assert (f.values["supplier"], f.values["recipient"], f.values["weapon"]) == ("RUS", "BLR", "artillery-shell")
    assert f.confidence == 0.6
    assert "'It' (3.2) read as Belarus, the subject of the previous sentence" in f.note()


def test_missing_recipient_comes_from_the_article_with_lower_confidence(reference, gazetteer):
    (f,) = _transfers("Egypt wants more aircraft, Egyptian officials said. France delivered 12 Rafale jets "
                      "last month.", reference, gazetteer)
    assert (f.values["supplier"], f.values["recipient"], f.values["quantity"]) == ("FRA", "EGY", 12)
    assert f.confidence == 0.4
    assert "The recipient is inferred from the context (the state the article names most)" in f.note()


def test_passive_without_agent_takes_the_supplier_from_the_context(reference, gazetteer):
    (f,) = _transfers("North Korea is running its factories at full capacity. Artillery shells were shipped "
                      "to Russia in March.", reference, gazetteer)
    assert (f.values["supplier"], f.values["recipient"], f.values["status"]) == ("PRK", "RUS", "delivered")
    assert "The supplier is inferred from the context" in f.note()


def test_missing_side_from_an_earlier_transfer_with_the_same_known_side(reference, gazetteer):
    first, second = _transfers("Egypt signed a deal with France for 10 Rafale jets. A further 6 Rafale jets "
                               "were ordered from France in 2021.", reference, gazetteer)
    assert (first.values["supplier"], first.values["recipient"], first.values["status"]) == ("FRA", "EGY", "ordered")
    assert (second.values["recipient"], second.values["quantity"], second.values["status"]) == ("EGY", 6, "ordered")
    assert f"the recipient of {first.id}, which has the same supplier" in second.note()


@pytest.mark.parametrize("sentence, status, quantity", [
    ("Poland signed contracts for 40 K2 tanks with South Korea.", "ordered", 40),
    ("Twelve K9 howitzers made in South Korea arrived in Poland on Monday.", "delivered", 12),
])
def test_deal_and_arrival_frames(reference, gazetteer, sentence, status, quantity):
    (f,) = _transfers(sentence, reference, gazetteer)
    assert (f.values["supplier"], f.values["recipient"]) == ("KOR", "POL")
    assert (f.values["status"], f.values["quantity"]) == (status, quantity)


def test_each_weapon_goes_with_its_own_cue(reference, gazetteer):
    drones, jets = _transfers("Russia received drones from Iran, and France delivered 10 Rafale jets to Egypt.",
                              reference, gazetteer)
    assert (drones.values["supplier"], drones.values["recipient"]) == ("IRN", "RUS")
    assert (jets.values["supplier"], jets.values["recipient"], jets.values["quantity"]) == ("FRA", "EGY", 10)


def test_deal_signed_in_passive_takes_both_sides_from_the_transfer_before(reference, gazetteer):
    first, second = _transfers("South Korea will supply 12 FA-50 jets to Poland, and a deal for 20 K239 "
                               "launchers was signed in May.", reference, gazetteer)
    assert (first.values["status"], second.values["status"]) == ("planned", "ordered")
    assert (second.values["supplier"], second.values["recipient"], second.values["weapon"]) == (
        "KOR", "POL", "k239-chunmoo")


def test_a_denial_points_at_a_transfer_read_from_a_pronoun(reference, gazetteer):
    facts = _facts("Belarus has denied claims that it agreed to send artillery shells to Russia.",
                   reference, gazetteer)
    transfer = next(f for f in facts if f.type == "arms-transfer")
    assert (transfer.values["supplier"], transfer.values["recipient"]) == ("BLR", "RUS")
    assert _one(facts, "denial") == {"by": ["BLR"], "denies": [transfer.id]}


# --- exercises: lists, places, sources, earlier editions -----------------------------------------


def test_participants_listed_after_from(reference, gazetteer):
    v = _one(_facts("Russia began a land exercise near Brest on 3 May 2025. Units from Mongolia, "
                    "Tajikistan and Belarus are taking part.", reference, gazetteer), "exercise")
    assert v["participants"] == ["russia-armed-forces", "mongolia-armed-forces", "tajikistan-armed-forces",
                                 "belarus-armed-forces"]


def test_naval_forces_of_a_list_are_navies(reference, gazetteer):
    v = _one(_facts("Naval forces of Iran and Russia began a drill on 3 May 2025.", reference, gazetteer),
             "exercise")
    assert v["participants"] == ["iran-navy", "russia-navy"]


@pytest.mark.parametrize("sentence, place", [
    ("Belarusian troops were airlifted to the Sergeyevsky training ground.", "sergeyevsky-training-ground"),
    ("The tank crews are based at the Drawsko Pomorskie training area.", "drawsko-pomorskie-training-area"),
])
def test_location_cues_in_a_following_sentence(reference, gazetteer, sentence, place):
    v = _one(_facts("Russia and Belarus began a land exercise on 3 May 2025. " + sentence, reference, gazetteer),
             "exercise")
    assert v["location"] == [place]


def test_a_source_is_not_an_observer(reference, gazetteer):
    v = _one(_facts("Russia and Belarus began a land exercise on 3 May 2025. Observers from Australia and "
                    "Vietnam attended, according to the US embassy in Bangkok.", reference, gazetteer), "exercise")
    assert v["observers"] == ["AUS", "VNM"]
    assert v["according_to"] == ["us-embassy-bangkok"]


def test_the_ministry_said_is_the_ministry_named_before(reference, gazetteer):
    v = _one(_facts("The Polish defence ministry announced new purchases. The Polish Land Forces will begin a "
                    "land exercise on 3 May, the ministry said.", reference, gazetteer), "exercise")
    assert (v["certainty"], v["according_to"]) == ("attributed", ["polish-defence-ministry"])


def test_earlier_editions_are_exercises_of_their_own(reference, gazetteer):
    facts = _facts("Russia and Belarus began a joint exercise on 3 May 2025. The previous Zapad exercise, held "
                   "in 2021, involved 200,000 troops. Last year, 5,000 troops took part.", reference, gazetteer)
    main, zapad, last = [f for f in facts if f.type == "exercise"]
    assert main.values["start"] == "2025-05-03"
    assert (zapad.id, zapad.values["start"], last.id, last.values["start"]) == (
        "zapad-2021", "2021", "the-exercise-of-2024", "2024")


def test_codename_before_the_trigger(reference, gazetteer):
    d = draft("Some headline\n\nSome Outlet\n2025-07-25\n\nThe annual Iron Falcon drill began on 3 May with "
              "Russian and Belarusian troops.\n", reference, "t", "t.txt", gazetteer)
    assert _one(d.facts, "exercise")["codename"] == "Iron Falcon"
    assert d.unresolved == []


def test_staying_out_of_one_phase_is_no_non_participation(reference, gazetteer):
    facts = _facts("Russia and India began a joint exercise on 3 May 2025 with Indian soldiers in the land "
                   "phase. India will not send ships to the naval drills.", reference, gazetteer)
    assert [f.type for f in facts] == ["exercise"]


# --- the command -----------------------------------------------------------------------------

ARTICLE = """\
Belarus and Russia stage naval drill

Test Wire
Monday, May 5, 2025

The Russian Navy began a three-day naval exercise with the navy of Iran on Sunday in the Caspian Sea, according to the Iranian Navy.

Observers from Kazakhstan attended the drill. Iran is reported to have supplied Russia with 40 drones.
"""

EXPECTED = """\
# DRAFT facts of 'Belarus and Russia stage naval drill' (article.txt), written by `kg extract`:
# every fact needs review; its note gives the cues it was drafted from and a confidence.
# `at` counts the blocks of the source text separated by blank lines, from 1; the body is blocks 3 to 4.
article:
  id: caspian-test
  title: "Belarus and Russia stage naval drill"
  publisher: unknown
  published: 2025-05-05
  published_basis: "the date line before the body (block 2)"
  language: en
  source: article.txt

facts:
  - type: exercise
    id: irn-rus-naval-exercise
    label: "Iran–Russia naval exercise in the Caspian Sea"
    at: [3, 4]
    certainty: attributed
    according_to: [iran-navy]
    kind: naval
    joint: true
    participants: [russia-navy, iran-navy]
    observers: [KAZ]
    location: [caspian-sea]
    start: 2025-05-04
    end: 2025-05-06
    duration: P3D
    note: "DRAFT by kg extract, review. Cues: 'exercise' (3.1); 'drill' (4.1); observer 'Kazakhstan' (4.1); date 'on Sunday' (3.1); duration 'three-day' (3.1); 'according to' (3.1). Confidence 0.80."

  - type: arms-transfer
    id: irn-rus-combat-drone
    label: "Combat drone from Iran to Russia"
    at: [4]
    certainty: reported
    supplier: IRN
    recipient: RUS
    weapon: combat-drone
    quantity: 40
    status: reported
    note: "DRAFT by kg extract, review. Cues: 'supplied' (4.2); 'is reported to' (4.2); quantity '40' (4.2). Confidence 0.80."
"""


@pytest.fixture()
def project(tmp_path):
    from conftest import copy_reference_project

    return copy_reference_project(tmp_path / "project")


def test_command_prints_the_draft(project, tmp_path):
    (tmp_path / "article.txt").write_text(ARTICLE, encoding="utf-8")
    result = CliRunner().invoke(cli, ["-C", str(project), "extract", str(tmp_path / "article.txt"),
                                      "--id", "caspian-test"])
    assert result.exit_code == 0, result.output
    assert result.stdout == EXPECTED
    assert result.stderr == "Drafted 2 fact(s) (1 arms-transfer, 1 exercise); 0 name(s) not in the reference\n"


def test_command_writes_atomically_and_the_draft_builds(project, tmp_path):
    (tmp_path / "article.txt").write_text(ARTICLE, encoding="utf-8")
    out = project / "data" / "articles" / "caspian-test.yaml"
    runner = CliRunner()
    result = runner.invoke(cli, ["-C", str(project), "extract", str(tmp_path / "article.txt"),
                                 "--id", "caspian-test", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stderr.endswith(f"in the reference: {out}\n")
    assert out.read_text(encoding="utf-8") == EXPECTED
    assert sorted(p.name for p in out.parent.iterdir()) == ["caspian-test.yaml"]
    result = runner.invoke(cli, ["-C", str(project), "validate"])
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("Conforms")


def _error(args, project):
    result = CliRunner().invoke(cli, ["-C", str(project), "extract", *args])
    assert result.exit_code == 2
    return result.stderr


def test_command_errors(project, tmp_path):
    missing = tmp_path / "missing.txt"
    assert _error([str(missing)], project) == f"Error: {missing}: file not found\n"
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("Title\n\nCaf\xe9 drill\n".encode("latin-1"))
    assert _error([str(bad)], project) == \
        f"Error: {bad}:3: not UTF-8 text (byte 0xe9 cannot be decoded)\n"
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n", encoding="utf-8")
    assert _error([str(empty)], project) == f"Error: {empty}:1: the file holds no text\n"
    good = tmp_path / "article.txt"
    good.write_text(ARTICLE, encoding="utf-8")
    assert _error([str(good), "--id", "no spaces"], project) == (
        "Error: --id 'no spaces' must start with a letter or digit and use only letters, digits, "
        "'.', '_' and '-' (at most 120 characters)\n")
    existing = tmp_path / "old.yaml"
    existing.write_text("kept\n", encoding="utf-8")
    assert _error([str(good), "-o", str(existing)], project) == \
        f"Error: {existing} exists; use --force to replace it\n"
    assert existing.read_text(encoding="utf-8") == "kept\n"


def test_default_id_from_file_name(project, tmp_path):
    path = tmp_path / "My Article (2025).txt"
    path.write_text(ARTICLE, encoding="utf-8")
    result = CliRunner().invoke(cli, ["-C", str(project), "extract", str(path)])
    assert result.exit_code == 0
    assert "  id: My-Article-2025\n" in result.stdout


# --- the benchmark ---------------------------------------------------------------------------

# F1 per kind as measured (benchmarks/extract/evaluate.py); None where the set has nothing to score.
SEED_F1 = {"participant": 1.0, "observer": 1.0, "host": 1.0, "location": 1.0, "start": 1.0, "end": 1.0,
           "supplier": 1.0, "recipient": 1.0, "weapon": 1.0, "quantity": None, "certainty": 1.0, "denial": 1.0}
# Measured again when the reference grew to every sovereign state and the entities of the 16
# dev-set articles: the drafts find more names, and the weaknesses "Draft fact files that hold up on
# unseen articles" is about show more (a denial read from a name near a transfer; generic weapon
# entries such as aircraft-carrier read as transfers). Before: own denial 1.0; blind participant
# 0.94, supplier/recipient/weapon 1.0; blind2 participant 0.38, supplier 0.62, weapon 0.76,
# quantity 0.60.
# participant 0.82 since the reference knows every state's army (issue 15): "Ukrainian and Polish
# troops" are drafted as the two armed forces where this gold has the two armies, while the blind
# gold and test_observers_are_never_participants want armed forces for a state's troops.
OWN_F1 = {"participant": 0.8, "observer": 1.0, "host": 1.0, "location": 1.0, "start": 1.0, "end": 1.0,
          "supplier": 1.0, "recipient": 1.0, "weapon": 1.0, "quantity": 1.0, "certainty": 0.76, "denial": 0.85}


def _check(result, floors, violations: int = 0):
    """Every kind at or above its floor, no observer drafted as a participant, and the drafts
    build (``violations``: the shapes' violations the set is known to have, to be none)."""
    assert len(result.violations) <= violations, [r.message for r in result.violations]
    score = result.score
    for kind, floor in floors.items():
        f1 = score.prf(kind)[2]
        if floor is None:
            assert f1 is None, kind
        else:
            assert f1 is not None and f1 >= floor, (kind, f1, score.counts[kind])
    assert score.observers_as_participants == 0


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the seed articles are not here (../shared/seeds)")
def test_benchmark_seeds():
    ev = _evaluate_module()
    cases = ev.seed_cases(SEEDS)
    assert len(cases) == 2
    _check(ev.run_set("seeds", cases, [], build=True), SEED_F1)


def test_benchmark_own_articles():
    ev = _evaluate_module()
    cases = ev.own_cases()
    assert len(cases) == 4
    result = ev.run_set("own", cases, sorted((BENCH / "reference").glob("*.yaml")), build=True)
    _check(result, OWN_F1)


# The first blind set (benchmarks/extract/blind/): articles written after the extractor. Its misses
# guided the general rules of issue 8 (transfer frames with discourse context, lists of states,
# location cues, source coreference, earlier editions), so it is a development set now; the honest
# held-out measure is blind2. Floors are the measured F1 rounded down to one decimal (participant
# 0.94, certainty 0.93, denial 0.67, 1.00 for the rest).
BLIND_F1 = {"participant": 0.85, "observer": 1.0, "host": 1.0, "location": 1.0, "start": 1.0, "end": 1.0,
            "supplier": 1.0, "recipient": 1.0, "weapon": 1.0, "quantity": 1.0, "certainty": 0.9, "denial": 0.6}


def test_benchmark_blind_articles():
    ev = _evaluate_module()
    cases = ev.blind_cases()
    assert [c.text.name for c in cases] == ["cobra-gold-2025.txt", "egypt-rockets-russia.txt",
                                            "poland-k2-k9.txt", "vostok-2022.txt"]
    result = ev.run_set("blind", cases, sorted((BENCH / "reference").glob("*.yaml")), build=True)
    _check(result, BLIND_F1)


# The second blind set (benchmarks/extract/blind2/): written by someone who read neither the rules
# nor the other sets, after the rules above; nobody tuned on it. It is the honest measure of how
# general the drafts are, and it shows how far they are from it (lists of states named only by
# country, observers introduced by "invited as observers", deniers that are ministries). The
# floors guard against regressions: the measured F1 rounded down to one decimal.
# Raised after the dev-set work (measured: observer 0.57, supplier 0.69, recipient 0.77, weapon 0.85,
# quantity 0.67, certainty 0.62, speaker 0.50, denial 0.80; micro 0.56 before, 0.68 after).
BLIND2_F1 = {"participant": 0.3, "observer": 0.5, "host": 0.5, "location": 0.8, "start": 0.5, "end": 0.6,
             "supplier": 0.6, "recipient": 0.7, "weapon": 0.8, "quantity": 0.6, "certainty": 0.6, "speaker": 0.5,
             "denial": 0.8}


def test_benchmark_blind2_articles():
    ev = _evaluate_module()
    cases = ev.blind2_cases()
    assert len(cases) == 4
    result = ev.run_set("blind2", cases, sorted((BENCH / "reference").glob("*.yaml")), build=True)
    _check(result, BLIND2_F1)


DEVSET = REPO.parent / "shared" / "devset"

# The dev set (../shared/devset, 16 real articles) against its curated fact files (issue "Draft fact
# files that hold up on unseen articles"; goal: micro F1 0.85, no kind below 0.7, no trap). First
# measured before any tuning on it: micro 0.41 (participant 0.11, host, certainty, speaker and denial
# 0). Floors are the figures measured after the work on it, rounded down to one decimal: with the
# reference as shipped (which holds the entities curated for these articles) micro 0.91, every kind
# at 0.80 or above (speaker 0.80, weapon 0.86, location 0.87):
DEVSET_F1 = {"exercise": 0.9, "participant": 0.9, "observer": 1.0, "host": 1.0, "location": 0.8, "start": 1.0,
             "end": 1.0, "transfer": 0.8, "supplier": 0.8, "recipient": 0.8, "weapon": 0.8, "quantity": 0.8,
             "certainty": 0.8, "speaker": 0.8, "denial": 1.0, "micro": 0.9}
# Without the particular entities only these articles name (their people, posts, units, ships,
# groups), as a first reading of them would be (micro 0.86; the deniers and speakers that are
# people the reference does not hold yet are what it lacks):
DEVSET_BEFORE_CURATION_F1 = {"exercise": 0.8, "participant": 0.8, "observer": 1.0, "host": 0.6, "location": 0.8,
                             "start": 0.9, "end": 1.0, "transfer": 0.8, "supplier": 0.8, "recipient": 0.8,
                             "weapon": 0.8, "quantity": 0.8, "certainty": 0.7, "speaker": 0.6, "micro": 0.8}
# The dev set's "Must not" traps the built drafts fall into (benchmarks/extract/traps.py), at most:
# 12 of 102 when the count was first made, none now.
DEVSET_TRAPS = 0


@pytest.mark.skipif(not (DEVSET / "articles").is_dir(), reason="the dev set is not here (../shared/devset)")
@pytest.mark.parametrize("before_curation", [False, True])
def test_benchmark_devset(before_curation):
    ev = _evaluate_module()
    cases = ev.devset_cases(DEVSET)
    assert len(cases) == 16
    drop = ev.curated_only_for(cases) if before_curation else frozenset()
    assert "state" not in drop and ("valery-gerasimov" in drop) == before_curation
    result = ev.run_set("devset", cases, [], build=True, drop=drop, traps=True)
    _check(result, DEVSET_BEFORE_CURATION_F1 if before_curation else DEVSET_F1)
    assert result.traps.checked > 100
    assert len(result.traps.hits) <= DEVSET_TRAPS, result.traps.hits


def test_score_counts_facts_speakers_and_denials_in_claims(reference, tmp_path):
    """The kinds beyond the slots: a fact found or missed, the speakers of a fact's own account,
    a denial told as a claim's mode, and the micro sum of every kind."""
    from kg.extract.score import compare
    from kg.inputs.facts import read_article

    vocab = vocabulary(load_ontology(Project(REPO)))

    def article(name, facts):
        path = tmp_path / f"{name}.yaml"
        path.write_text("article:\n  id: t\n  title: T\n  publisher: unknown\n  published: 2025-01-01\n"
                        "  language: en\n  source: t.txt\nfacts:\n" + facts, encoding="utf-8")
        return read_article(path, path.name, reference, vocab)

    transfer = ("  - type: arms-transfer\n    id: x\n    supplier: RUS\n    recipient: IRN\n    weapon: su-35\n    status: delivered\n    at: [1]\n"
                "    according_to: [vladimir-putin]\n")
    denial = ("    claims:\n      - id: no\n        at: [2]\n        by: [ali-larijani]\n"
              "        mode: denies\n")
    gold = article("gold", transfer + denial + "  - type: exercise\n    id: e\n    participant_states: [RUS, CHN]\n"
                   "    at: [3]\n")
    draft = article("draft", transfer)
    score = compare(draft, gold)
    assert score.counts["transfer"] == [1, 0, 0]
    assert score.counts["exercise"] == [0, 0, 1]
    assert score.counts["speaker"] == [1, 0, 0]
    assert score.counts["denial"] == [0, 0, 1]
    assert score.counts_of("micro") == [sum(c[i] for c in score.counts.values()) for i in range(3)]
    assert score.prf("micro")[0] == 1.0


@pytest.mark.parametrize("gold", ["gold", "blind/gold", "blind2/gold"])
def test_benchmark_gold_files_build(tmp_path, gold):
    """The gold files themselves load and build into a conforming graph, with the benchmark's
    reference entities."""
    from kg.pipeline import run

    ev = _evaluate_module()
    project = ev.make_project(tmp_path / "project", sorted((BENCH / "reference").glob("*.yaml")))
    files = sorted((BENCH / gold).glob("*.yaml"))
    assert len(files) == 4
    for path in files:
        shutil.copy(path, project.articles_dir / path.name)
    report = run(project, reason="none").report
    assert report.conforms


# --- mentions: case and punctuation (issue 15) ------------------------------------------------


@pytest.mark.parametrize("text, found", [
    # a designation (a name with a number) is matched whatever its case
    ("the Mig-29 jets", [("mig-29", "Mig-29")]),
    ("MIG-29 jets", [("mig-29", "MIG-29")]),
    ("two su-35 planes", [("su-35", "su-35")]),
    # a mixed-case or long acronym is matched capitalised or in capitals, not as a lower-case word
    ("the Brahmos test", [("brahmos", "Brahmos")]),
    ("a BRAHMOS test", [("brahmos", "BRAHMOS")]),
    ("Himars launchers", [("himars", "Himars")]),
    ("HIMARS launchers", [("himars", "HIMARS")]),
])
def test_mentions_fold_the_case_of_designations_and_acronyms(gazetteer, text, found):
    assert [(m.id, m.text) for m in gazetteer.find(text)] == found


@pytest.mark.parametrize("text, found", [
    # hyphens, slashes and dots inside a designation do not matter, nor a letter glued to a number
    ("the S400 system", [("s-400", "S400")]),
    ("F16 jets", [("f-16", "F16")]),
    ("the FA-18 jets", [("fa-18", "FA-18")]),
    ("the F/A-18 jets", [("fa-18", "F/A-18")]),
    ("PzH2000 howitzers", [("pzh-2000", "PzH2000")]),
    ("Shahed 136 attacks", [("shahed-136", "Shahed 136")]),
    ("the Shahed-136", [("shahed-136", "Shahed-136")]),
    # an abbreviation with dots is its letters
    ("the U.S. Navy", [("united-states-navy", "U.S. Navy")]),
    ("the US Navy", [("united-states-navy", "US Navy")]),
    ("the U.S.", [("USA", "U.S.")]),
    # a full stop that ends a sentence is not part of a name
    ("sent by the US. Navy ships", [("USA", "US")]),
])
def test_mentions_ignore_punctuation_inside_names(gazetteer, text, found):
    assert [(m.id, m.text) for m in gazetteer.find(text)] == found


@pytest.mark.parametrize("text", [
    "the us navy of words",          # a short acronym is written as it is
    "let us plan ahead",             # "US", "PLAN"
    "a scalp wound",                 # a long acronym is not a lower-case word ("SCALP")
    "polish the boots",              # a capitalised name is not a common word
    "the gripen of fear",            # ("Gripen")
])
def test_mentions_keep_the_case_rules_of_words(gazetteer, text):
    assert [(m.id, m.text) for m in gazetteer.find(text)] == []


@pytest.mark.parametrize("text, found", [
    # a capital that is also a place of the reference: the place after "in", "at", "near"
    ("The drill was held in Belgrade", [("belgrade", "Belgrade")]),
    ("talks near Pyongyang", [("pyongyang", "Pyongyang")]),
    # ... the state (its government) elsewhere
    ("Belgrade denied the report", [("SRB", "Belgrade")]),
    ("Pyongyang denied it", [("PRK", "Pyongyang")]),
])
def test_a_capital_that_is_a_place_is_the_place_after_a_location_preposition(gazetteer, text, found):
    assert [(m.id, m.text) for m in gazetteer.find(text)] == found


@pytest.mark.parametrize("text, found", [
    ("Moscow and Kyiv", [("RUS", "Moscow"), ("UKR", "Kyiv")]),
    ("a Chinese, a Turkish and a Saudi delegation", [("CHN", "Chinese"), ("TUR", "Turkish"), ("SAU", "Saudi")]),
    ("the Royal Navy and the Luftwaffe", [("british-navy", "Royal Navy"), ("german-air-force", "Luftwaffe")]),
    ("South Korea's K2 tanks", [("KOR", "South Korea"), ("k2-tank", "K2 tanks")]),
])
def test_the_shipped_reference_knows_common_names(gazetteer, text, found):
    assert [(m.id, m.text) for m in gazetteer.find(text)] == found


def test_a_state_in_a_land_exercise_or_its_troops_are_its_armed_forces(reference, gazetteer):
    """With every state's army in the reference, a state named without a service is its armed
    forces: "troops" are a state's forces in general and a land drill draws on all of them."""
    v = _one(_facts("Exercise Iron Lance, a land drill, began in Thailand on 3 May 2025. Troops of Singapore and "
                    "Japan are taking part.", reference, gazetteer), "exercise")
    assert v["participants"] == ["singapore-armed-forces", "japan-self-defense-forces"]
    v = _one(_facts("Exercise Iron Lance, a land drill, began in Thailand on 3 May 2025. Singapore soldiers "
                    "are taking part.", reference, gazetteer), "exercise")
    assert v["participants"] == ["singapore-army"]


@given(st.text(alphabet=st.sampled_from(list("US.F/A-18 s'PLANplan\u2019\u2013HimarsBelgrade in,")), max_size=60))
@example("U.S.")
@example("F/A-")
@example(".-/")
def test_name_tokens_and_mentions_keep_their_offsets(gazetteer, text):
    """Whatever the text, name tokens are in order within it and a mention's text is its span."""
    from kg.extract.tokens import name_tokens, plain

    last = 0
    for t in name_tokens(text):
        assert last <= t.start < t.end <= len(text)
        span = plain(text)[t.start:t.end]
        assert t.text == span or t.text == span.replace(".", "").replace("/", "")
        last = t.end
    for m in gazetteer.find(text):
        assert m.text == text[m.start:m.end]
