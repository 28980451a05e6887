"""kg diff: what changed between two builds, or between a build and the data as it is now."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import cli

CASAREX = "data/articles/somali-magazine-casarex-2025.yaml"
OTHER = "data/articles/iran-russia-caspian-maneuvers.yaml"


def kg(project: Path, *args: str):
    return CliRunner().invoke(cli, ["-C", str(project), *args], catch_exceptions=False)


@pytest.fixture
def before(seed_project, tmp_path):
    """The seed project built, and a copy of that build kept aside."""
    assert kg(seed_project, "build", "-q").exit_code == 0
    kept = tmp_path / "before"
    shutil.copytree(seed_project / "build", kept, symlinks=False)
    return kept


def test_no_change_is_exit_0(seed_project, before):
    result = kg(seed_project, "diff", str(before))
    assert (result.exit_code, result.stdout) == (0, f"No difference between {before} and the project's data.\n")


def test_an_edit_and_a_removed_article(seed_project, before):
    """A changed value is shown statement by statement under its subject; an article removed
    whole by its size; exit 1."""
    path = seed_project / CASAREX
    path.write_text(path.read_text(encoding="utf-8").replace(
        "slogan: Together for a Safe and Secure Caspian Sea", "slogan: Together for a Safe Caspian"), encoding="utf-8")
    (seed_project / OTHER).unlink()
    result = kg(seed_project, "diff", str(before))
    assert result.exit_code == 1, result.output
    assert result.stdout == (
        f"--- {before}\n"
        "+++ the project's data\n"
        "graph:article/iran-russia-caspian-maneuvers: removed (279 statements, 44 subjects)\n"
        "graph:article/somali-magazine-casarex-2025: changed (+1 -1 statements)\n"
        "  id:exercise/casarex-2025: changed\n"
        '    - mc:slogan "Together for a Safe and Secure Caspian Sea"@en\n'
        '    + mc:slogan "Together for a Safe Caspian"@en\n'
        "1 graph removed, 1 graph changed, 44 subjects removed, 1 subject changed, 1 statement added, "
        "280 statements removed\n")
    # two builds named, as JSON: the same changes, terms in N-Triples
    doc = json.loads(kg(seed_project, "diff", str(before), str(seed_project / "build"), "--format", "json").stdout)
    assert doc["summary"]["subjects removed"] == 44 and doc["same"] is False
    changed = [g for g in doc["graphs"] if g["status"] == "changed"][0]
    assert changed["subjects"] == [{
        "subject": "<https://w3id.org/milcoop/id/exercise/casarex-2025>", "status": "changed",
        "added": [["<https://w3id.org/milcoop/ontology/slogan>", '"Together for a Safe Caspian"@en']],
        "removed": [["<https://w3id.org/milcoop/ontology/slogan>", '"Together for a Safe and Secure Caspian Sea"@en']]}]


def test_an_added_article_and_the_inferred_graph(seed_project, before):
    """A new article is a graph added; graph:inferred is compared only when asked."""
    shutil.copy(seed_project / CASAREX, seed_project / "data/articles/copy.yaml")
    text = (seed_project / "data/articles/copy.yaml").read_text(encoding="utf-8")
    (seed_project / "data/articles/copy.yaml").write_text(
        text.replace("id: somali-magazine-casarex-2025", "id: casarex-copy", 1), encoding="utf-8")
    plain = kg(seed_project, "diff", str(before))
    assert plain.exit_code == 1
    assert "graph:article/casarex-copy: added (" in plain.stdout
    assert "graph:inferred" not in plain.stdout
    with_inferred = kg(seed_project, "diff", str(before), "--inferred")
    assert "\ngraph:inferred: changed (+" in with_inferred.stdout  # the copy's claims are typed by inference


def test_not_a_build_is_one_error(seed_project, tmp_path):
    result = kg(seed_project, "diff", str(tmp_path))
    assert result.exit_code == 2
    assert result.stderr == f"Error: {tmp_path}: not a build: no kg.trig here (give a build folder or its kg.trig)\n"
