"""``kg extract``: drafts always build. Names the reference does not know become proposed
reference entries beside the draft (which the draft uses), and a conflict the rules cannot settle
becomes a note for the curator, never an invalid draft. The texts are the project's own."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.extract.draft import draft
from kg.inputs.facts import read_reference
from kg.inputs.ontology import load_ontology, vocabulary
from kg.project import Project

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def reference():
    project = Project(REPO)
    vocab = vocabulary(load_ontology(project))
    return read_reference([(p, p.name) for p in project.reference_paths()], vocab)


@pytest.fixture()
def project(tmp_path):
    root = tmp_path / "project"
    (root / "data" / "articles").mkdir(parents=True)
    shutil.copytree(REPO / "ontology", root / "ontology")
    shutil.copytree(REPO / "data" / "reference", root / "data" / "reference")
    return root


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
