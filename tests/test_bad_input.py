"""Each kind of bad input: one exact error line, exit 2, nothing written."""
from __future__ import annotations

import re

from pathlib import Path

import pytest
import yaml

from edits import edit

ARTICLE = "data/articles/somali-magazine-casarex-2025.yaml"
REF_FORCES = "data/reference/forces.yaml"


def _line_of(project: Path, rel: str, needle: str, last: bool = False) -> int:
    # the needle ends where a word does ("id: irgc" is not "id: irgc-navy")
    pattern = re.compile(re.escape(needle) + r"(?![\w-])")
    found = [number for number, line in enumerate((project / rel).read_text(encoding="utf-8").splitlines(), 1)
             if pattern.search(line)]
    assert found, f"{needle!r} not in {rel}"
    return found[-1] if last else found[0]


CASES = [
    pytest.param(
        ARTICLE, "    participants: [iran-navy, irgc", "    participants: [iran-navy, irgc: [",
        "participants: [iran-navy, irgc",
        # libyaml (PyYAML's C loader, used where built) and pure PyYAML word it differently
        "YAML syntax error: " + ("did not find expected node content" if yaml.__with_libyaml__
                                 else "expected ',' or ']', but got '['"), id="yaml-syntax"),
    pytest.param(
        ARTICLE, "host: iran-northern-fleet", "host: iran-northern-flet", "host: iran-northern-flet",
        "unknown force or state or person or organisation 'iran-northern-flet'; did you mean 'iran-northern-fleet' "
        "or 'russia-northern-fleet'?",
        id="unknown-id"),
    pytest.param(
        ARTICLE, "observers: [AZE, KAZ, TKM]", "observers: [AZE, Qwertyland, TKM]", "observers: [AZE, Qwertyland",
        "unknown state or force or organisation 'Qwertyland'", id="unknown-id-no-close-match"),
    pytest.param(
        ARTICLE, "    id: china-not-in-casarex-2025", "    id: casarex-2025", "    id: casarex-2025",
        "duplicate fact id 'casarex-2025' (first on line {first})", id="duplicate-fact-id"),
    pytest.param(
        REF_FORCES, "  - id: iran-police", "  - id: irgc", "  - id: irgc",
        "duplicate id 'irgc' (first defined at data/reference/forces.yaml:{first})", id="duplicate-reference-id"),
    pytest.param(
        ARTICLE, "start: {date: 2025-07-21,", "start: {date: 2025-02-30,", "start: {date: 2025-02-30",
        "'date' is not a real date: 2025-02-30", id="impossible-date"),
    pytest.param(
        ARTICLE, "    position: russia-president\n", "", "id: putin-president-of-russia",
        "a fact of type 'position-held' needs 'position'", id="missing-required"),
    pytest.param(
        ARTICLE, "    state_count: 5", "    state_count: many", "state_count: many",
        "'state_count' must be a whole number, not 'many'", id="wrong-type"),
    pytest.param(
        ARTICLE, "    participants: [iran-navy", "    partcipants: [iran-navy", "partcipants:",
        "unknown key 'partcipants' in a fact of type 'exercise'; did you mean 'participants', "
        "'participant_states' or 'participant_count'?", id="unknown-key"),
]


@pytest.mark.parametrize("rel, old, new, needle, message", CASES)
def test_bad_input_gives_one_line_and_exit_2(project, run_kg, rel, old, new, needle, message):
    edit(project, rel, old, new)
    line = _line_of(project, rel, needle, last=True)
    if needle.startswith("id: putin-president"):  # the fact's mapping starts on the line of 'type:'
        line -= 1
    first = _line_of(project, rel, needle)
    if "fact id" in message:  # a fact is located by the line its mapping starts on ('type:')
        first -= 1
    result = run_kg(project, "build")
    assert result.exit_code == 2, result.output
    assert result.output == f"Error: {rel}:{line}: {message.format(first=first)}\n"
    assert not (project / "build").exists()


def test_quantity_must_be_a_number(project, run_kg):
    path = project / "data/articles/iran-russia-caspian-maneuvers.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("    weapon: combat-drone\n", "    weapon: combat-drone\n    quantity: many\n", 1)
    text = text.replace("    unreported: [quantity]\n", "", 1)
    path.write_text(text, encoding="utf-8")
    line = _line_of(project, "data/articles/iran-russia-caspian-maneuvers.yaml", "quantity: many")
    result = run_kg(project, "build")
    assert result.exit_code == 2
    assert result.output == (
        f"Error: data/articles/iran-russia-caspian-maneuvers.yaml:{line}: "
        "'quantity' must be a whole number or an amount such as {value: 6, bound: about}, not 'many'\n"
    )


def test_failed_build_leaves_previous_outputs(project, run_kg):
    assert run_kg(project, "build").exit_code == 0
    before = {p.name: p.read_bytes() for p in (project / "build").iterdir()}
    edit(project, ARTICLE, "start: {date: 2025-07-21,", "start: {date: 2025-13-01,")
    result = run_kg(project, "build")
    assert result.exit_code == 2
    after = {p.name: p.read_bytes() for p in (project / "build").iterdir()}
    assert after == before


def test_unsafe_yaml_tag_is_refused(project, run_kg):
    edit(project, ARTICLE, "  publisher: somali-magazine", "  publisher: !!python/object:os.system somali")
    line = _line_of(project, ARTICLE, "!!python/object")
    result = run_kg(project, "build")
    assert result.exit_code == 2
    assert result.output == (
        f"Error: {ARTICLE}:{line}: tag 'tag:yaml.org,2002:python/object:os.system' is not allowed; "
        "only plain YAML values are\n"
    )


def test_not_utf8_names_the_position(project, run_kg):
    path = project / ARTICLE
    original = path.read_bytes()
    data = original.replace(b"codename: CASAREX 2025", b"codename: CASAREX \xff 2025", 1)
    assert data != original
    path.write_bytes(data)
    line = original[: original.index(b"codename: CASAREX")].count(b"\n") + 1
    result = run_kg(project, "build")
    assert result.exit_code == 2
    assert result.output == f"Error: {ARTICLE}:{line}: not UTF-8: byte 0xff at column 23 (offset {data.index(bytes([0xff]))})\n"


@pytest.mark.parametrize("args", [(), ("--no-cache",)], ids=["cached", "no-cache"])
def test_no_articles_folder(project, run_kg, args):
    import shutil

    shutil.rmtree(project / "data/articles")
    result = run_kg(project, "build", *args)
    assert result.exit_code == 2
    assert result.output == "Error: no folder data/articles\n"
    assert not (project / "build").exists() and not (project / ".kg").exists()
