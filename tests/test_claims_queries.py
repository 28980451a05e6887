"""The saved queries on the claims model: tests/claims/ is a project of two invented articles
that report some facts alike and some differently (a status, a quantity, an end date, a
strength), with claims of every kind the queries read (reports, denials, a retraction, cannot
confirm, an accusation), a batch of a deal, states named with no force, and people with and
without posts.

Each saved query has its exact output there (``tests/claims/golden/NAME.tsv``, through the
command line); the engine-agreement tests (test_queries, test_store, test_remote) run every
saved query on this project too (``qc_fixtures`` in tests/qcfixtures.py).
``KG_UPDATE_GOLDEN=1`` writes the golden files again.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import cli
from qcfixtures import SAVED

GOLDEN = Path(__file__).resolve().parent / "claims" / "golden"
UPDATE = os.environ.get("KG_UPDATE_GOLDEN") == "1"
ID = "https://w3id.org/milcoop/id/"
MC = "https://w3id.org/milcoop/ontology/"
MCV = "https://w3id.org/milcoop/vocab/"
NORTH, BALTIC = ID + "article/north-wind", ID + "article/baltic-report"
BATCH = ID + "arms-transfer/howitzer-batch-1"


def kg(project: Path, *args: str):
    return CliRunner().invoke(cli, ["-C", str(project), *args], catch_exceptions=False)


@pytest.fixture(scope="module")
def claims(claims_fixture) -> Path:
    return claims_fixture.project


def rows(project: Path, *args: str) -> list[dict[str, str]]:
    result = kg(project, "query", *args, "--format", "json", "--raw")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    return [{k: v["value"] for k, v in b.items()} for b in doc["results"]["bindings"]]


@pytest.mark.parametrize("name", SAVED)
def test_golden_on_the_claims_project(claims, name):
    result = kg(claims, "query", name, "--format", "tsv")
    assert result.exit_code == 0, result.output
    golden = GOLDEN / f"{name}.tsv"
    if UPDATE or not golden.exists():
        golden.write_text(result.stdout, encoding="utf-8")
        if not UPDATE:
            pytest.fail(f"wrote missing golden file {golden.name}; check it and commit it")
    assert result.stdout == golden.read_text(encoding="utf-8")
    assert len(result.stdout.splitlines()) > 1, "every saved query has rows on the claims project"


# --- values stay with the article that gave them ---------------------------------------------


def test_each_article_row_shows_only_that_articles_values(claims):
    """One fact id, two articles: status delivered and 4 of 12 in one, reported and 6 of 12 in the
    other; neither article's row shows the other's value."""
    got = sorted((r["article"], r["status"], r["quantity"]) for r in rows(claims, "arms-transfers")
                 if r["transfer"] == BATCH)
    assert got == [(BALTIC, MCV + "transfer-status/reported", "6 of 12"),
                   (NORTH, MCV + "transfer-status/delivered", "4 of 12")]
    got = sorted((r["article"], r["status"], r.get("quantity"), r.get("delivered"), r.get("deliveredOn"))
                 for r in rows(claims, "deals") if r.get("batch") == BATCH)
    assert got == [(BALTIC, MCV + "transfer-status/reported", "6 of 12", None, None),
                   (NORTH, MCV + "transfer-status/delivered", "4 of 12", "4", "2025-03-01")]


def test_strength_per_article(claims):
    got = [(r["article"], r["amount"], r.get("within")) for r in rows(claims, "exercise-strength")
           if r["exercise"] == ID + "exercise/north-wind-2025"]
    assert got == [(BALTIC, "about 6000 troops", None),
                   (NORTH, "12 aircraft", "more than 5000 troops"),
                   (NORTH, "more than 5000 troops", None),
                   (NORTH, "about 40 warships", None)]


def test_sources_names_only_the_articles_that_name_the_entity(claims):
    """The North Sea is a place of the drill in one article only."""
    got = {r["article"] for r in rows(claims, "sources", "--param", "entity=north-sea")}
    assert got == {NORTH}


def test_conflicts_show_both_values_with_their_speakers(claims):
    got = [(r["fact"].removeprefix(ID), r["property"].removeprefix(MC), r.get("values"), r.get("speakers"),
            r.get("otherValues"), r.get("otherSpeakers")) for r in rows(claims, "conflicts")]
    assert got == [
        ("arms-transfer/howitzer-batch-1", "quantity", "6 of 12", None, "4 of 12", None),
        ("arms-transfer/howitzer-batch-1", "transferStatus", "Reported", None, "Delivered", None),
        ("exercise/north-wind-2025", "endDate", "2025-03-08", "Anna Berg", "2025-03-07", None),
        ("exercise/north-wind-2025", "strength", "about 6000 troops", "Anna Berg", "more than 5000 troops",
         "Kari Nordmann"),
    ]


# --- the fixes of what curation showed ---------------------------------------------------------


def test_exercises_one_row_each_with_places_and_articles_in_order(claims):
    got = rows(claims, "exercises")
    assert [r["exercise"] for r in got] == [ID + "exercise/casarex-2025", ID + "exercise/ice-shield",
                                            ID + "exercise/north-wind-2025"]
    north = got[2]
    assert (north["places"], north["articles"], north["end"]) == (
        "Baltic Sea; North Sea", "baltic-report; north-wind", "2025-03-07; 2025-03-08")


def test_corroborated_counts_and_shows_denials(claims):
    got = [(r["stance"], r["article"], r["mode"].removeprefix(MCV), r.get("by", "").removeprefix(ID))
           for r in rows(claims, "corroborated") if r["fact"] == BATCH]
    assert {(r["reports"], r["denials"]) for r in rows(claims, "corroborated") if r["fact"] == BATCH} == {("2", "2")}
    assert got == [
        ("report", BALTIC, "claim-mode/asserts", ""),
        ("report", BALTIC, "claim-mode/confirms", "person/sven-lind"),
        ("report", BALTIC, "claim-mode/reports", "organisation/baltic-wire"),
        ("report", NORTH, "claim-mode/asserts", ""),
        ("denial", BALTIC, "claim-mode/denies", "state/EST"),
        ("denial", BALTIC, "claim-mode/retracts", "organisation/baltic-wire"),
    ]


def test_people_once_each_with_or_without_a_post(claims):
    got = [(r["person"].removeprefix(ID), r.get("posts")) for r in rows(claims, "people")]
    assert got == [
        ("person/anna-berg", None),
        ("person/kari-nordmann", "Defence Minister of Norway; Spokesperson of the Norwegian Navy (former)"),
        ("person/sven-lind", None),
    ]


def test_states_named_without_forces_take_part(claims):
    got = {(r["exercise"], r["state"]) for r in rows(claims, "exercise-participants") if "force" not in r}
    assert got == {(ID + "exercise/ice-shield", ID + "state/EST"), (ID + "exercise/ice-shield", ID + "state/FIN")}
    assert {r["state"] for r in rows(claims, "exercise-states", "--param", "exercise=ice-shield")} == {
        ID + "state/EST", ID + "state/FIN"}
    assert rows(claims, "exercise-partners", "--param", "state=FIN") == [
        {"partner": ID + "state/EST", "exercises": "1", "firstStart": "2025-02", "lastStart": "2025-02"}]


def test_contradictions_side_by_side(claims):
    got = [(r["against"].removeprefix(MCV), r.get("againstBy", "").removeprefix(ID), r.get("againstSaid"),
            r.get("for", "").removeprefix(MCV), r.get("forBy", "").removeprefix(ID), r.get("forSaid"))
           for r in rows(claims, "contradictions") if r["fact"] == BATCH]
    assert got == [
        ("claim-mode/denies", "state/EST", None, "claim-mode/confirms", "person/sven-lind", None),
        ("claim-mode/denies", "state/EST", None, "claim-mode/confirms", "state/SWE", "2025-03-11"),
        ("claim-mode/retracts", "organisation/baltic-wire", "2025-03-04", "claim-mode/confirms", "person/sven-lind", None),
        ("claim-mode/retracts", "organisation/baltic-wire", "2025-03-04", "claim-mode/confirms", "state/SWE",
         "2025-03-11"),
    ]


def test_statements_of_one_speaker(claims):
    got = [(r["fact"].removeprefix(ID), r["mode"].removeprefix(MCV), r.get("said"), r.get("asSaid"), r["paragraphs"])
           for r in rows(claims, "statements", "--param", "speaker=kari-nordmann")]
    assert got == [("exercise/north-wind-2025", "claim-mode/asserts", "2025-03-03", "Monday", "2")]
    facts = {r["speaker"] for r in rows(claims, "statements", "--param", "fact=harbour-strike")}
    assert facts == {ID + "organisation/harbour-watch", ID + "state/LVA", ID + "group/local-officials",
                     ID + "organisation/baltic-wire"}


def test_a_claim_with_no_speaker_is_in_the_listing_and_no_speakers_own(tmp_path):
    """An article whose publisher is unknown, with a claim that names no one: the claim has no
    speaker. The whole listing has it; the statements of a speaker do not."""
    import shutil

    from qcfixtures import CLAIMS, ROOT

    project = tmp_path / "proj"
    for name in ("ontology", "queries"):
        shutil.copytree(ROOT / name, project / name)
    shutil.copytree(CLAIMS / "data", project / "data")
    article = project / "data" / "articles" / "north-wind.yaml"
    article.write_text(article.read_text(encoding="utf-8").replace("publisher: nordic-times", "publisher: unknown"),
                       encoding="utf-8")
    listing = rows(project, "statements")
    nobody = [(r["fact"].removeprefix(ID), r["mode"].removeprefix(MCV)) for r in listing
              if r["article"] == NORTH and "speaker" not in r]
    assert ("exercise/north-wind-2025", "claim-mode/asserts") in nobody
    for speaker in ("kari-nordmann", "baltic-wire"):
        theirs = rows(project, "statements", "--param", f"speaker={speaker}")
        assert theirs and all(r.get("speaker") == ID + ("person/" if speaker == "kari-nordmann" else
                                                         "organisation/") + speaker for r in theirs), speaker
        assert len(theirs) == sum(1 for r in listing if r.get("speaker") == theirs[0]["speaker"])


def test_strikes_attackers_as_claimed(claims):
    got = [(r["article"], r["attacker"].removeprefix(ID), r["held"], r.get("by", "").removeprefix(ID),
            r["mode"].removeprefix(MCV)) for r in rows(claims, "strikes")]
    assert got == [
        (BALTIC, "state/LVA", "true", "", "claim-mode/asserts"),
        (NORTH, "state/LVA", "true", "organisation/harbour-watch", "claim-mode/asserts"),
        (NORTH, "state/FIN", "false", "organisation/harbour-watch", "claim-mode/accuses"),
    ]
