"""Facts seen across articles: a reference to a fact no article reports is an error, and two
articles giving one fact different values of a single-valued property never pass as clean.

Each article is validated on its own (and cached); what only the articles together show is
checked afterwards over an index of the facts (``kg.build.crosscheck``). These tests build a small
project of two fact files and check what ``kg build``, ``kg validate`` and ``kg check`` say.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDFS

from kg import namespaces as ns

ROOT = Path(__file__).resolve().parent.parent

HEADER = """article:
  id: {id}
  title: Report {id} of the drill
  publisher: unknown
  published: unknown
  source: {id}.txt

facts:
"""

# line 9 of each file is "- type: exercise"; start is on line 15, end on line 16
DRILL = """  - type: exercise
    id: drill
    kind: naval
    at: [1]
    participants: [iran-navy, russia-navy]
    location: [caspian-sea]
    start: {start}
    end: {end}
"""

DENIAL = """
  - type: denial
    id: no-drill
    at: [3]
    by: [IRN]
    denies: [{denies}]
"""


@pytest.fixture
def two(tmp_path: Path) -> Path:
    """A project with the repository's ontology, shapes, queries and reference entities and
    no articles (each test writes its own)."""
    dest = tmp_path / "proj"
    dest.mkdir()
    for name in ("ontology", "queries"):
        shutil.copytree(ROOT / name, dest / name)
    (dest / "data" / "articles").mkdir(parents=True)
    shutil.copytree(ROOT / "data" / "reference", dest / "data" / "reference")
    return dest


def write(project: Path, name: str, text: str) -> None:
    (project / "data" / "articles" / f"{name}.yaml").write_text(text, encoding="utf-8")


def drill(project: Path, name: str, start: str, end: str, extra: str = "") -> None:
    write(project, name, HEADER.format(id=name) + DRILL.format(start=start, end=end) + extra)


FOCUS = "<https://w3id.org/milcoop/id/exercise/drill>"
CONFLICT_LINES = [
    f"Warning: {FOCUS} -: The event ends (2025-07-23) before it starts (2025-07-25); seen only with "
    "the articles together: data/articles/a.yaml:9, data/articles/b.yaml:9 (data/articles/a.yaml:9)",
    f"Warning: {FOCUS} mc:endDate: An event has at most one end date: a day, a month or a year; "
    "the articles disagree: data/articles/a.yaml:16 says 2025-07-23, data/articles/b.yaml:16 says "
    "2025-07-27 (data/articles/a.yaml:9)",
    f"Warning: {FOCUS} mc:startDate: An event has at most one start date: a day, a month or a year; "
    "the articles disagree: data/articles/a.yaml:15 says 2025-07-21, data/articles/b.yaml:15 says "
    "2025-07-25 (data/articles/a.yaml:9)",
]


def test_conflicting_values_are_warnings_in_build_and_validate(two: Path, run_kg) -> None:
    drill(two, "a", "2025-07-21", "2025-07-23")
    drill(two, "b", "2025-07-25", "2025-07-27")
    result = run_kg(two, "validate")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == CONFLICT_LINES
    assert result.stderr.splitlines() == ["Conforms: 0 violations, 3 warnings, 0 infos."]
    built = run_kg(two, "build")  # a build's report goes to standard error, before its summary
    assert built.exit_code == 0, built.output
    assert built.stdout == ""
    assert built.stderr.splitlines()[:-1] == CONFLICT_LINES
    assert "(0 violations, 3 warnings, 0 infos)" in built.stderr.splitlines()[-1]
    # the cache must not hide the conflict: a second build takes both articles from it
    again = run_kg(two, "build")
    assert again.stderr.splitlines()[:-1] == CONFLICT_LINES


def test_conflict_with_a_cached_article_is_seen(two: Path, run_kg) -> None:
    """a is built and cached alone; b, added later, disagrees with it."""
    drill(two, "a", "2025-07-21", "2025-07-23")
    first = run_kg(two, "validate", "-q")
    assert first.exit_code == 0 and first.stdout == ""
    drill(two, "b", "2025-07-25", "2025-07-27")
    second = run_kg(two, "validate", "-q")
    assert second.stdout.splitlines() == CONFLICT_LINES
    # and with the engine of reference, no cache
    ref = run_kg(two, "validate", "-q", "--engine", "reference", "--no-cache")
    assert ref.stdout.splitlines() == CONFLICT_LINES


def test_the_kept_check_is_used_only_while_what_it_read_is_unchanged(two: Path, run_kg) -> None:
    """The results of the check across articles are kept (``crosscheck.Memo``) and used again
    while the facts several articles give, and those articles, are as they were; any change to
    them, to a line, or to the reference entities checks again."""
    drill(two, "a", "2025-07-21", "2025-07-23")
    drill(two, "b", "2025-07-25", "2025-07-27")
    write(two, "c", HEADER.format(id="c") + DRILL.replace("id: drill", "id: other-drill").format(
        start="2025-01-01", end="2025-01-02"))
    kept = two / ".kg" / "cache" / "crosscheck.pickle"

    def validated() -> list[str]:
        result = run_kg(two, "validate", "-q")
        assert result.exit_code == 0, result.output
        return result.stdout.splitlines()

    assert validated() == CONFLICT_LINES
    stamp = kept.stat().st_mtime_ns, kept.read_bytes()
    # an article that gives no shared fact, edited: the kept results, unchanged
    write(two, "c", (two / "data/articles/c.yaml").read_text().replace("2025-01-02", "2025-01-03"))
    assert validated() == CONFLICT_LINES
    assert (kept.stat().st_mtime_ns, kept.read_bytes()) == stamp
    # a line moved in an article that gives one: checked again, the new line in the warnings
    write(two, "b", "# a comment first\n" + (two / "data/articles/b.yaml").read_text())
    moved = [re.sub(r"b\.yaml:(\d+)", lambda m: f"b.yaml:{int(m.group(1)) + 1}", line) for line in CONFLICT_LINES]
    assert validated() == moved
    # the disagreement mended: no warning
    drill(two, "b", "2025-07-21", "2025-07-23")
    assert validated() == []
    drill(two, "b", "2025-07-25", "2025-07-27")
    assert validated() == CONFLICT_LINES
    kept_now = kept.read_bytes()
    # a state no article reaches, added to the reference: the kept results, unchanged
    states = two / "data/reference/states.yaml"
    states.write_text(states.read_text() + "  - id: QQQ\n    label: State QQQ\n")
    assert validated() == CONFLICT_LINES
    assert kept.read_bytes() == kept_now
    # an entity the shared fact reaches, edited: checked again
    forces = two / "data/reference/forces.yaml"
    forces.write_text(forces.read_text().replace("label: Islamic Republic of Iran Navy\n", "label: Iran's navy\n", 1))
    assert validated() == CONFLICT_LINES
    assert kept.read_bytes() != kept_now


def test_conflicts_in_json_report(two: Path, run_kg) -> None:
    import json

    drill(two, "a", "2025-07-21", "2025-07-23")
    drill(two, "b", "2025-07-22", "2025-07-23")
    out = json.loads(run_kg(two, "validate", "-q", "--format", "json").stdout)
    assert out["conforms"] is True
    assert [(r["severity"], r["focusNode"], r["resultPath"], r["file"], r["line"]) for r in out["results"]] == [
        ("Warning", str(ns.entity("exercise", "drill")), str(ns.MC.startDate), "data/articles/a.yaml", 9),
    ]
    assert "data/articles/a.yaml:15" in out["results"][0]["message"]
    assert "data/articles/b.yaml:15" in out["results"][0]["message"]


def test_the_same_values_are_no_conflict(two: Path, run_kg) -> None:
    drill(two, "a", "2025-07-21", "2025-07-23")
    drill(two, "b", "2025-07-21", "2025-07-23")
    result = run_kg(two, "validate")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr.splitlines() == ["Conforms: 0 violations, 0 warnings, 0 infos."]
    check = run_kg(two, "check")
    assert check.exit_code == 0, check.output


def test_a_value_only_one_article_gives_is_no_conflict(two: Path, run_kg) -> None:
    drill(two, "a", "2025-07-21", "2025-07-23")
    write(two, "b", HEADER.format(id="b") + DRILL.format(start="2025-07-21", end="2025-07-23")
          .replace("    end: 2025-07-23\n", ""))
    result = run_kg(two, "validate", "-q")
    assert (result.exit_code, result.stdout) == (0, "")


def test_check_finds_conflicting_values(two: Path, run_kg) -> None:
    drill(two, "a", "2025-07-21", "2025-07-23")
    drill(two, "b", "2025-07-21", "2025-07-27")
    assert run_kg(two, "build", "-q").exit_code == 0
    result = run_kg(two, "check")
    assert result.exit_code == 1, result.output
    out = result.stdout.split("== ")
    section = next(s for s in out if s.startswith("qc/conflicting-value-violation"))
    rows = [line for line in section.splitlines()[3:] if line.strip()]
    assert rows == [
        "exercise drill  end date  2025-07-23  Report a of the drill  2025-07-27  Report b of the drill",
        "(1 row)",
    ]
    assert result.stderr.splitlines()[-1] == "8 check(s), 1 with rows that break a rule"


def test_qc_query_lists_the_single_valued_properties_of_the_shapes() -> None:
    """The QC query cannot read the shapes: its list of properties is checked against them."""
    from kg.build.crosscheck import fact_single_valued

    text = (ROOT / "queries" / "qc" / "conflicting-value-violation.rq").read_text(encoding="utf-8")
    blocks = re.findall(r"FILTER\(\?property IN \((.*?)\)\)", text, re.S)
    prefixes = dict(re.findall(r"PREFIX (\w+): <([^>]+)>", text))
    lists = [{URIRef(prefixes[p] + local) for p, local in re.findall(r"(\w+):(\w+)", block)} for block in blocks]
    shapes = Graph().parse(ROOT / "ontology" / "shapes.ttl")
    ontology = Graph().parse(ROOT / "ontology" / "milcoop.ttl")
    expected = fact_single_valued(shapes, ontology)
    assert RDFS.label in expected and ns.MC.startDate in expected
    assert len(lists) == 3  # the values, the values compared, the other article's values
    assert all(listed == expected for listed in lists)


@pytest.mark.parametrize("command", [("build", "-q"), ("validate", "-q")])
def test_reference_to_a_fact_no_article_reports_is_an_error(two: Path, run_kg, command) -> None:
    drill(two, "a", "2025-07-21", "2025-07-23", DENIAL.format(denies="exercise/does-not-exist"))
    result = run_kg(two, *command)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "Error: data/articles/a.yaml:22: 'exercise/does-not-exist': no article reports this fact"]
    assert not (two / "build").exists()


def test_reference_with_the_wrong_type_suggests_the_fact(two: Path, run_kg) -> None:
    drill(two, "a", "2025-07-21", "2025-07-23")
    write(two, "b", HEADER.format(id="b") + DENIAL.lstrip("\n").format(denies="cooperation/drill"))
    result = run_kg(two, "validate", "-q")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "Error: data/articles/b.yaml:13: 'cooperation/drill': no article reports this fact; "
        "did you mean 'exercise/drill'?"]


def test_reference_to_a_fact_of_another_article_is_fine(two: Path, run_kg) -> None:
    drill(two, "a", "2025-07-21", "2025-07-23")
    write(two, "b", HEADER.format(id="b") + DENIAL.lstrip("\n").format(denies="exercise/drill"))
    result = run_kg(two, "build", "-q")
    assert result.exit_code == 0, result.output
    rows = run_kg(two, "query", "denials", "--format", "csv").stdout.splitlines()
    assert len(rows) == 2 and "exercise/drill" in rows[1]


def test_a_dangling_reference_in_a_cached_article_is_seen(two: Path, run_kg) -> None:
    """b refers to a's drill and is cached; then a is removed: b's reference now dangles."""
    drill(two, "a", "2025-07-21", "2025-07-23")
    write(two, "b", HEADER.format(id="b") + DENIAL.lstrip("\n").format(denies="exercise/drill"))
    assert run_kg(two, "validate", "-q").exit_code == 0
    (two / "data" / "articles" / "a.yaml").unlink()
    result = run_kg(two, "validate", "-q")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "Error: data/articles/b.yaml:13: 'exercise/drill': no article reports this fact"]


MANY_A = """  - type: exercise
    id: drill
    kind: naval
    codename: Sea Drill
    at: [1]
    participants: [iran-navy, russia-navy]
    host: iran-navy
    observers: [CHN]
    location: [caspian-sea]
    start: 2025-07-21
    end: 2025-07-23
    duration: P3D

  - type: arms-transfer
    id: drones
    at: [2]
    supplier: IRN
    recipient: RUS
    weapon: combat-drone
    status: reported
    quantity: 10
"""

MANY_B = """  - type: exercise
    id: drill
    kind: naval
    codename: Caspian Drill
    at: [1]
    participants: [iran-navy, china-pla-navy]
    host: russia-navy
    location: [caspian-sea]
    start: 2025-07-25
    duration: P5D

  - type: arms-transfer
    id: drones
    at: [2]
    supplier: RUS
    recipient: IRN
    weapon: combat-drone
    status: delivered
    quantity: 12
"""


def test_every_violation_of_the_merged_graph_is_reported(two: Path, run_kg) -> None:
    """pySHACL over the merged graph (every article together, as build/kg.ttl has it) finds
    nothing that the report lacks: each of its results, on the same focus node and shape, is
    in kg's report, as a warning where only the articles together break the shape."""
    import json

    from pyshacl import validate

    write(two, "a", HEADER.format(id="a") + MANY_A)
    write(two, "b", HEADER.format(id="b") + MANY_B)
    built = run_kg(two, "build", "-q", "--format", "json")
    assert built.exit_code == 0, built.output
    report = json.loads(built.stdout)
    ours = {(r["focusNode"], r["sourceShape"]) for r in report["results"]}
    assert {r["severity"] for r in report["results"]} == {"Warning"}
    merged = Graph().parse(two / "build" / "kg.ttl")
    shapes = Graph().parse(two / "ontology" / "shapes.ttl")
    ontology = Graph().parse(two / "ontology" / "milcoop.ttl").parse(two / "ontology" / "vocab.ttl")
    _conforms, graph, _text = validate(merged, shacl_graph=shapes, ont_graph=ontology, inference="none",
                                       advanced=True, allow_warnings=True)
    from rdflib.namespace import SH

    theirs = {(str(graph.value(r, SH.focusNode)), str(graph.value(r, SH.sourceShape)))
              for r in graph.subjects(SH.resultSeverity, SH.Violation)}
    broken = {shape.rpartition("/")[2] for _, shape in theirs}
    # two labels (from the codenames), two start dates, two codenames, two hosts, two durations, two suppliers, two
    # recipients, two statuses, two quantities, a supplier that is a recipient, an observer
    # taking part (CHN through its navy), an end before a start, a duration that disagrees
    assert broken == {
        "FactShape-label", "MilitaryExerciseShape-codename", "MilitaryExerciseShape-host", "EventShape-startDate",
        "EventShape-duration", "ArmsTransferShape-supplier", "ArmsTransferShape-recipient",
        "ArmsTransferShape-status", "ArmsTransferShape-quantity", "ArmsTransferSupplierNotRecipient",
        "ExerciseObserverNotParticipant", "EventEndNotBeforeStart", "EventDurationMatchesDates",
    }
    assert theirs <= ours
    check = run_kg(two, "check")
    assert check.exit_code == 1


TRANSFER = """  - type: arms-transfer
    id: deal
    at: [2]
    supplier: RUS
    recipient: IRN
    weapon: combat-drone
    status: reported
    quantity: {quantity}
"""


def transfer(project: Path, name: str, quantity: str) -> None:
    write(project, name, HEADER.format(id=name) + TRANSFER.format(quantity=quantity))


def test_two_articles_giving_different_amounts_is_a_warning_naming_both(two: Path, run_kg) -> None:
    """An amount is a node of the article that gives it; two articles disagree when what the
    amounts say differs (value, bound, unit), and the warning shows what each says."""
    transfer(two, "a", "{value: 6, bound: about, unit: drones}")
    transfer(two, "b", "{value: 8, bound: about, unit: drones}")
    result = run_kg(two, "validate", "-q")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "Warning: <https://w3id.org/milcoop/id/arms-transfer/deal> mc:quantity: An arms transfer has at most one "
        "quantity, an amount (mc:Amount); the articles disagree: data/articles/a.yaml:16 says \"about 6 drones\", "
        "data/articles/b.yaml:16 says \"about 8 drones\" (data/articles/a.yaml:9)",
    ]


@pytest.mark.parametrize("other", ["{value: 6, bound: more-than, unit: drones}", "6"])
def test_an_amount_with_another_bound_or_unit_is_another_value(two: Path, run_kg, other: str) -> None:
    transfer(two, "a", "{value: 6, bound: about, unit: drones}")
    transfer(two, "b", other)
    result = run_kg(two, "validate", "-q")
    assert "the articles disagree" in result.stdout, result.output


def test_the_same_amount_in_two_articles_is_no_conflict(two: Path, run_kg) -> None:
    transfer(two, "a", "{value: 6, bound: about, unit: drones}")
    transfer(two, "b", "{value: 6, bound: about, unit: drones}")
    result = run_kg(two, "validate", "-q")
    assert (result.exit_code, result.stdout) == (0, ""), result.output
