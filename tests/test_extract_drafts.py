"""``kg extract``: drafts always build. Names the reference does not know become proposed
reference entries beside the draft (which the draft uses), and a conflict the rules cannot settle
becomes a note for the curator, never an invalid draft. The texts are the project's own."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.extract.draft import draft
from kg.extract.propose import Proposal, Sighting, extended, propose


@pytest.fixture()
def project(tmp_path):
    from conftest import copy_reference_project

    return copy_reference_project(tmp_path / "project")


def _article(body: str) -> str:
    return f"Navies drill and trade arms in a test\n\nTest Wire\nMonday, May 5, 2025\n\n{body}\n"


def _exercise(text, reference):
    d = draft(_article(text), reference, "t", "t.txt")
    (fact,) = [f for f in d.facts if f.type == "exercise"]
    return fact


def _builds(project: Path, tmp_path: Path, body: str) -> str:
    """Extract ``body`` into the project, validate it, and return the draft's text."""
    (tmp_path / "article.txt").write_text(_article(body), encoding="utf-8")
    out = project / "data" / "articles" / "t.yaml"
    runner = CliRunner()
    result = runner.invoke(cli, ["-C", str(project), "extract", str(tmp_path / "article.txt"), "--id", "t",
                                 "-o", str(out)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["-C", str(project), "validate"])
    assert (result.exit_code, result.stderr[:9]) == (0, "Conforms:"), result.output
    return out.read_text(encoding="utf-8")


# --- conflicts become notes ------------------------------------------------------------------

OBSERVER_TAKES_PART = ("Russia and Iran began a joint naval exercise in the Caspian Sea on 3 May 2025. "
                       "Observers from Iran and China watched the drill.")
DURATION_DISAGREES = ("Russia and Iran began a five-day naval exercise in the Caspian Sea on 10 June 2025; "
                      "the drill ended on 20 June 2025.")
END_BEFORE_START = ("The Russian Navy and the Iranian Navy held a naval exercise in the Caspian Sea, which "
                    "began on 12 July 2025 and ended on 2 July 2025.")


def test_a_state_that_takes_part_is_no_observer_but_a_note(reference):
    fact = _exercise(OBSERVER_TAKES_PART, reference)
    assert (fact.values["participants"], fact.values["observers"]) == (["russia-navy", "iran-navy"], ["CHN"])
    assert ("For the curator: Iran is read as an observer ('Iran', 3.2) but takes part (iran-navy); "
            "drafted as a participant only.") in fact.note()


def test_a_duration_that_disagrees_with_the_dates_is_a_note(reference):
    fact = _exercise(DURATION_DISAGREES, reference)
    assert (fact.values["start"], fact.values["end"], "duration" in fact.values) == ("2025-06-10", "2025-06-20", False)
    assert ("For the curator: the text gives a duration of P5D ('five-day', 3.1), but 2025-06-10 to 2025-06-20 "
            "is 11 days; the duration is left out.") in fact.note()


def test_an_end_before_the_start_is_a_note(reference):
    fact = _exercise(END_BEFORE_START, reference)
    assert (fact.values["start"], "end" in fact.values) == ("2025-07-12", False)
    assert ("For the curator: the end read from the text, 2025-07-02 ('2 July 2025', 3.1), is before the start, "
            "2025-07-12; the end is left out.") in fact.note()


def test_an_end_in_the_month_of_the_start_is_kept(reference):
    fact = _exercise("The Russian Navy and the Iranian Navy began a naval exercise in the Caspian Sea on "
                     "21 July 2025. The drill ended in July 2025, officials said.", reference)
    assert (fact.values["start"], fact.values["end"]) == ("2025-07-21", "2025-07")


@pytest.mark.parametrize("body", [OBSERVER_TAKES_PART, DURATION_DISAGREES, END_BEFORE_START])
def test_drafts_with_conflicts_build(project, tmp_path, body):
    text = _builds(project, tmp_path, body)
    assert "For the curator: " in text


# --- names not in the reference become proposed entries ---------------------------------------

UNKNOWN_NAMES = (
    "The Russian Navy and the Iranian Navy began a naval exercise in the Caspian Sea on Sunday. The frigate "
    "Storm Petrel and the 77th Coastal Brigade joined the drill.\n\n"
    "Iran delivered 12 Zephyr-9 missiles to Russia last year, according to the Halvard Defence Institute.\n\n"
    "A day later, Defence Minister Ivan Kolarov denied the delivery. Mira Castell, a navy spokeswoman, said "
    "the drill went to plan.")

PROPOSED = """\
# PROPOSED reference entries, written by `kg extract` for the draft t.yaml:
# names the article uses that the reference entities do not know. The draft uses these ids;
# kg reads this file as reference entities while it lies beside the draft in data/articles/.
# Check every entry, move it to a file of data/reference/, and delete this file when it is empty.
forces:
  # paragraph 3: '77th Coastal Brigade', a force (unit); its state is the state the article names most (a guess)
  - id: 77th-coastal-brigade
    label: "77th Coastal Brigade"
    kind: unit
    state: RUS
organisations:
  # paragraph 4: 'Halvard Defence Institute', an organisation (government-body)
  - id: halvard-defence-institute
    label: "Halvard Defence Institute"
    kind: government-body
people:
  # paragraph 5: 'Ivan Kolarov', a person, 'Defence Minister'
  - id: ivan-kolarov
    label: "Ivan Kolarov"
    description: "Defence Minister, as the article calls them."
  # paragraph 5: 'Mira Castell', a person, 'navy spokeswoman'
  - id: mira-castell
    label: "Mira Castell"
    description: "Navy spokeswoman, as the article calls them."
vessels:
  # paragraph 3: 'Storm Petrel', a vessel
  - id: storm-petrel
    label: "Storm Petrel"
weapons:
  # paragraph 4: 'Zephyr-9', a weapon (missiles)
  - id: zephyr-9
    label: "Zephyr-9"
    aliases: ["Zephyr-9 missile"]
    category: missiles
"""


def test_unknown_names_are_proposed_and_the_facts_use_them(reference):
    d = draft(_article(UNKNOWN_NAMES), reference, "t", "t.txt")
    assert [(p.id, p.kind) for p in d.proposals] == [
        ("77th-coastal-brigade", "force"), ("storm-petrel", "vessel"), ("halvard-defence-institute", "organisation"),
        ("zephyr-9", "weapon"), ("ivan-kolarov", "person"), ("mira-castell", "person")]
    exercise, transfer, denial = d.facts
    assert (exercise.values["participants"], exercise.values["vessels"]) == (
        ["russia-navy", "iran-navy", "77th-coastal-brigade"], ["storm-petrel"])
    assert (transfer.values["weapon"], transfer.values["according_to"]) == ("zephyr-9", ["halvard-defence-institute"])
    assert denial.values == {"by": ["ivan-kolarov"], "denies": [transfer.id]}
    assert d.unresolved == []


def test_without_proposals_the_draft_keeps_to_reference_ids(reference):
    d = draft(_article(UNKNOWN_NAMES), reference, "t", "t.txt", propose=False)
    assert d.proposals == []
    # the denier is not in the reference: no denial; the weapon is only the generic "missile"
    assert [f.type for f in d.facts] == ["exercise", "arms-transfer"]
    assert d.facts[1].values["weapon"] == "missile"
    assert [u.name for u in d.unresolved] == ["Coastal Brigade", "Storm Petrel", "Halvard Defence Institute",
                                              "Zephyr-9", "Ivan Kolarov", "Mira Castell"]


def test_extract_writes_the_proposed_entries_beside_the_draft_and_the_pair_builds(project, tmp_path):
    (tmp_path / "article.txt").write_text(_article(UNKNOWN_NAMES), encoding="utf-8")
    out = project / "data" / "articles" / "t.yaml"
    proposed = project / "data" / "articles" / "t.proposed.yaml"
    runner = CliRunner()
    args = ["-C", str(project), "extract", str(tmp_path / "article.txt"), "--id", "t", "-o", str(out)]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert result.stderr == ("Drafted 3 fact(s) (1 arms-transfer, 1 denial, 1 exercise); 6 name(s) not in the "
                             f"reference, 6 proposed in {proposed}: {out}\n")
    assert proposed.read_text(encoding="utf-8") == PROPOSED
    text = out.read_text(encoding="utf-8")
    assert ("# Proposed reference entries for 6 name(s) not in the reference are in t.proposed.yaml, beside "
            "this file;\n# the draft uses their ids: 77th-coastal-brigade, storm-petrel, halvard-defence-institute, "
            "zephyr-9, ivan-kolarov, mira-castell.\n") in text
    assert "    by: [ivan-kolarov]\n" in text and "    weapon: zephyr-9\n" in text
    result = runner.invoke(cli, ["-C", str(project), "validate"])
    assert (result.exit_code, result.stderr) == (0, "Conforms: 0 violations, 0 warnings, 0 infos.\n"), result.output
    # again, with --force: kg's own proposed file is replaced, with the same bytes
    result = runner.invoke(cli, [*args, "--force"])
    assert result.exit_code == 0, result.output
    assert (proposed.read_text(encoding="utf-8"), out.read_text(encoding="utf-8")) == (PROPOSED, text)
    # a second article that names the same people uses the entries proposed before: no duplicate id
    (tmp_path / "second.txt").write_text(_article("Ivan Kolarov, the defence minister, denied that Iran "
                                                  "delivered 12 Zephyr-9 missiles to Russia."), encoding="utf-8")
    second = project / "data" / "articles" / "second.yaml"
    result = runner.invoke(cli, ["-C", str(project), "extract", str(tmp_path / "second.txt"), "-o", str(second)])
    assert result.exit_code == 0, result.output
    assert not (project / "data" / "articles" / "second.proposed.yaml").exists()
    assert "    by: [ivan-kolarov]\n" in second.read_text(encoding="utf-8")
    result = runner.invoke(cli, ["-C", str(project), "validate"])
    assert result.exit_code == 0, result.output


def test_a_proposed_file_kg_did_not_write_is_never_replaced(project, tmp_path):
    (tmp_path / "article.txt").write_text(_article(UNKNOWN_NAMES), encoding="utf-8")
    out = project / "data" / "articles" / "t.yaml"
    proposed = project / "data" / "articles" / "t.proposed.yaml"
    proposed.write_text("people:\n  - id: someone\n    label: Someone\n", encoding="utf-8")
    for force in ([], ["--force"]):
        result = CliRunner().invoke(cli, ["-C", str(project), "extract", str(tmp_path / "article.txt"), "--id", "t",
                                          "-o", str(out), *force])
        assert (result.exit_code, result.stderr) == (
            2, f"Error: {proposed} exists and kg extract did not write it; move it away (kg never overwrites "
               "what it did not create)\n")
        assert proposed.read_text(encoding="utf-8") == "people:\n  - id: someone\n    label: Someone\n"
        assert not out.exists()


def test_the_draft_on_standard_output_proposes_nothing(project, tmp_path):
    (tmp_path / "article.txt").write_text(_article(UNKNOWN_NAMES), encoding="utf-8")
    result = CliRunner().invoke(cli, ["-C", str(project), "extract", str(tmp_path / "article.txt"), "--id", "t"])
    assert result.exit_code == 0, result.output
    assert "ivan-kolarov" not in result.stdout.split("\narticle:\n")[1] and "denial" not in result.stdout
    assert "#   - 'Ivan Kolarov': looks like a person (paragraph 5)\n" in result.stdout
    assert sorted(p.name for p in (project / "data" / "articles").iterdir()) == []
    assert result.stderr == "Drafted 2 fact(s) (1 arms-transfer, 1 exercise); 6 name(s) not in the reference\n"


@pytest.mark.parametrize("text, title", [
    ("A day later, Defence Minister Ivan Kolarov denied the delivery.", "Defence Minister"),
    ("Ivan Kolarov, the deputy foreign minister, denied the delivery.", "deputy foreign minister"),
    ("Ivan Kolarov said the delivery never happened.", None),
])
def test_a_person_is_proposed_with_the_title_next_to_the_name(reference, text, title):
    d = draft(_article("Iran delivered 12 Zephyr-9 missiles to Russia last year. " + text), reference, "t", "t.txt")
    (person,) = [p for p in d.proposals if p.kind == "person"]
    assert person.description == (f"{title[0].upper()}{title[1:]}, as the article calls them." if title else None)


def test_kg_removes_its_own_proposed_file_when_a_new_draft_proposes_nothing(project, tmp_path):
    article = tmp_path / "article.txt"
    article.write_text(_article(UNKNOWN_NAMES), encoding="utf-8")
    out = project / "data" / "articles" / "t.yaml"
    args = ["-C", str(project), "extract", str(article), "--id", "t", "-o", str(out)]
    assert CliRunner().invoke(cli, args).exit_code == 0
    assert sorted(p.name for p in out.parent.iterdir()) == ["t.proposed.yaml", "t.yaml"]
    article.write_text(_article(DURATION_DISAGREES), encoding="utf-8")
    result = CliRunner().invoke(cli, args)
    assert (result.exit_code, result.stderr) == (2, f"Error: {out} exists; use --force to replace it\n")
    result = CliRunner().invoke(cli, [*args, "--force"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.parent.iterdir()) == ["t.yaml"]


def test_an_output_named_like_a_proposed_file_is_refused(project, tmp_path):
    (tmp_path / "article.txt").write_text(_article(UNKNOWN_NAMES), encoding="utf-8")
    out = project / "data" / "articles" / "t.proposed.yaml"
    result = CliRunner().invoke(cli, ["-C", str(project), "extract", str(tmp_path / "article.txt"), "-o", str(out)])
    assert (result.exit_code, result.stderr) == (
        2, f"Error: -o {out}: a name ending in .proposed.yaml is kept for proposed reference entries\n")
    assert not out.exists()


# --- the proposing component: Sighting records in, Proposal records out -----------------------


def _sighting(name, kind, text, hint=None, state=None, basis=""):
    start = text.index(name)
    return Sighting(name, kind, hint or {}, (2,), text, start, start + len(name), state, basis)


def test_propose_reads_sightings_and_adds_proposals():
    sightings = [
        _sighting("Coastal Brigade", "force", "The 12th Coastal Brigade moved.", {"kind": "unit"}, "RUS",
                  "the state named before it ('Russian')"),
        _sighting("Harbour Watch", "force", "Harbour Watch patrols.", {"kind": "unit"}),  # no state: not proposed
        _sighting("Zephyr-9", "weapon", "Zephyr-9 missiles came.", {"category": "missiles", "noun": "missiles"}),
        _sighting("Zephyr-9", "weapon", "Zephyr-9 came.", {}),
        _sighting("Port Royal", "place", "near Port Royal", {"kind": "city"}),  # not a proposed kind
        _sighting("Ivan Kolarov", "person", "Ivan Kolarov, the deputy defence minister, spoke."),
    ]
    assert propose(sightings, ["zephyr-9"]) == [
        Proposal("12th-coastal-brigade", "force", "12th Coastal Brigade", (), None, {"kind": "unit", "state": "RUS"},
                 "paragraph 2: '12th Coastal Brigade', a force (unit); its state is the state named before it "
                 "('Russian')"),
        Proposal("zephyr-9-2", "weapon", "Zephyr-9", ("Zephyr-9 missile",), None, {"category": "missiles"},
                 "paragraph 2: 'Zephyr-9', a weapon (missiles)"),
        Proposal("zephyr-9-3", "weapon", "Zephyr-9", (), None, {"category": "other"},
                 "paragraph 2: 'Zephyr-9', a weapon (other)"),
        Proposal("ivan-kolarov", "person", "Ivan Kolarov", (), "Deputy defence minister, as the article calls them.",
                 {}, "paragraph 2: 'Ivan Kolarov', a person, 'deputy defence minister'"),
    ]


def test_a_proposal_is_the_entity_the_reference_file_gives(project, reference):
    from kg.extract.writer import proposed_yaml
    from kg.extract.draft import Draft

    proposals = propose([_sighting("Zephyr-9", "weapon", "Zephyr-9 missiles came.",
                                   {"category": "missiles", "noun": "missiles"}),
                         _sighting("Coastal Brigade", "force", "The Coastal Brigade moved.", {"kind": "unit"}, "IRN")],
                        reference.entities)
    path = project / "data" / "articles" / "t.proposed.yaml"
    path.write_text(proposed_yaml(Draft({}, [], None, [], [], [], proposals), "t.yaml"), encoding="utf-8")
    from conftest import project_reference

    read = project_reference(project)
    mine = extended(reference, proposals, "t.proposed.yaml")
    def seen(e):  # what the drafter uses of an entity (its line differs: 0 in memory)
        return e.kind, e.id, e.label, e.aliases, e.description, e.values, e.path

    assert [seen(read.entities[p.id]) for p in proposals] == [seen(mine.entities[p.id]) for p in proposals]
    assert [p.id for p in proposals] == ["zephyr-9", "coastal-brigade"]


# --- who denies: the one a spokesperson speaks for ---------------------------------------------


@pytest.mark.parametrize("subject, by", [
    ("A spokesman for the Russian Navy", ["russia-navy"]),
    ("A spokesperson for the Iranian Navy", ["iran-navy-spokesperson"]),  # a person the reference has
    ("A spokeswoman for the Iranian Navy", ["iran-navy-spokesperson"]),
    ("An official of the Russian defence ministry", ["russia-defence-ministry"]),
])
def test_a_spokesperson_who_denies_is_noticed(reference, subject, by):
    d = draft(_article("Iran delivered 12 drones to Russia last year. " + subject + " denied the delivery."),
              reference, "t", "t.txt")
    transfer, denial = d.facts
    assert denial.values == {"by": by, "denies": [transfer.id]}
