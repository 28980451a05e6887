"""benchmarks/generate.py: deterministic synthetic projects that kg builds."""
from __future__ import annotations

import sys
from pathlib import Path

from kg.pipeline import run
from kg.project import Project

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from generate import VIOLATION_SHAPES, generate  # noqa: E402


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted((root / "data").rglob("*.yaml"))}


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path):
    a = _files(generate(tmp_path / "a", articles=5, seed=4))
    b = _files(generate(tmp_path / "b", articles=5, seed=4))
    c = _files(generate(tmp_path / "c", articles=5, seed=5))
    assert a == b
    assert a != c
    assert sum(1 for k in a if k.startswith("data/articles/")) == 5


def test_registry_size(tmp_path):
    root = generate(tmp_path / "p", articles=1)
    states = (root / "data/reference/states.yaml").read_text().count("\n  - id: ")
    forces = (root / "data/reference/forces.yaml").read_text().count("\n  - id: ")
    assert states == 200
    assert forces == 1000


def test_generated_corpus_conforms(run_kg, tmp_path):
    root = generate(tmp_path / "p", articles=20, seed=2)
    result = run_kg(root, "build")  # not -q, which leaves the summary out
    assert result.exit_code == 0, result.output
    assert "Built 20 article(s)" in result.stderr
    assert "0 violations" in result.stderr


def test_seeded_violations_are_reported_exactly(tmp_path):
    root = generate(tmp_path / "p", articles=15, seed=2, violations=2)
    report = run(Project(root), reason="none", use_cache=False).report
    found = sorted(str(r.shape).rsplit("/", 1)[-1] for r in report.results if r.severity == "Violation")
    assert found == sorted(list(VIOLATION_SHAPES.values()) * 2)


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_a_folder_it_did_not_write_is_refused_and_kept(tmp_path):
    """The generator replaces ontology/, queries/ and data/ only in a project it wrote itself:
    pointed at a real project (or any folder with files), it refuses and changes nothing."""
    import subprocess

    user = tmp_path / "mine"
    (user / "data" / "articles").mkdir(parents=True)
    (user / "data" / "articles" / "a.yaml").write_text("article: {}\n")
    (user / "notes.txt").write_text("keep me\n")
    before = _tree(user)
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate.py"), str(user), "--articles", "2"],
                          capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        f"Error: {user}: a folder this script did not write (no .kg-generated in it); "
        "it is left as it is: give a new or empty folder"]
    assert _tree(user) == before
    a_file = tmp_path / "file"
    a_file.write_text("x")
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate.py"), str(a_file)],
                          capture_output=True, text=True)
    assert (done.returncode, done.stderr) == (2, f"Error: {a_file}: not a folder; give a new or empty folder\n")
    assert a_file.read_text() == "x"


def test_an_empty_folder_or_its_own_project_is_written(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert len(_files(generate(empty, articles=3))) > 3
    again = _files(generate(empty, articles=2))  # its own project: written again, fewer articles
    assert sorted(k for k in again if k.startswith("data/articles/")) == ["data/articles/gen-000000.yaml",
                                                                        "data/articles/gen-000001.yaml"]
