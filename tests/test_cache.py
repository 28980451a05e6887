"""The per-article cache (.kg/cache/): hits for unchanged articles, misses for changed inputs,
corrupt entries ignored, outputs the same with and without it, and --jobs giving the same bytes."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from kg.cache import Cache
from kg.pipeline import run
from kg.project import Project

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from generate import generate  # noqa: E402


def _entries(root: Path) -> list[Path]:
    return sorted((root / ".kg" / "cache").rglob("*.pickle"))


@pytest.fixture
def corpus(tmp_path) -> Path:
    return generate(tmp_path / "p", articles=6, seed=11)


def _counting(monkeypatch):
    calls = []
    from kg import pipeline

    original = pipeline._Setup.article

    def article(self, path, reference):
        calls.append(Path(path).name)
        return original(self, path, reference)

    monkeypatch.setattr(pipeline._Setup, "article", article)
    return calls


def test_unchanged_articles_come_from_the_cache(corpus, monkeypatch):
    calls = _counting(monkeypatch)
    first = run(Project(corpus))
    assert len(calls) == 6 and len(_entries(corpus)) == 6
    calls.clear()
    second = run(Project(corpus))
    assert calls == []
    assert first.report.results == second.report.results
    assert set(first.inferred) == set(second.inferred)
    # editing one article rebuilds that one only
    path = corpus / "data/articles/gen-000002.yaml"
    path.write_text(path.read_text().replace("codename: Drill 2", "codename: Drill Two"))
    calls.clear()
    run(Project(corpus))
    assert calls == ["gen-000002.yaml"]


def test_changed_shapes_reference_or_mode_miss(corpus, monkeypatch):
    calls = _counting(monkeypatch)
    run(Project(corpus))
    calls.clear()
    run(Project(corpus), reason="rdfs")
    assert len(calls) == 6
    calls.clear()
    shapes = corpus / "ontology/shapes.ttl"
    shapes.write_text(shapes.read_text() + "\n# changed\n")
    run(Project(corpus), reason="rdfs")
    assert len(calls) == 6
    calls.clear()
    ref = corpus / "data/reference/weapons.yaml"
    ref.write_text(ref.read_text().replace("Weapon system 0\n", "Weapon system zero\n"))
    run(Project(corpus), reason="rdfs")
    assert len(calls) == 6


def test_corrupt_entries_are_ignored(corpus, monkeypatch):
    first = run(Project(corpus))
    for entry in _entries(corpus):
        entry.write_bytes(entry.read_bytes()[:40])
    calls = _counting(monkeypatch)
    again = run(Project(corpus))
    assert len(calls) == 6
    assert first.report.results == again.report.results
    assert not [p for p in (corpus / ".kg" / "cache").rglob(".entry-*")]


def test_cache_miss_for_unreadable_file(tmp_path):
    cache = Cache(tmp_path / "c", "k")
    assert cache.get(tmp_path / "missing.yaml") is None


def test_outputs_identical_with_cache_and_jobs(corpus, run_kg, tmp_path):
    outs = []
    for i, args in enumerate((["--no-cache"], [], [], ["--jobs", "2", "--no-cache"])):
        out = tmp_path / f"o{i}"
        result = run_kg(corpus, "build", "-q", "-o", str(out), *args)
        assert result.exit_code == 0, result.output
        outs.append(out)
    for name in ("kg.ttl", "kg.trig", "manifest.json"):
        data = {(o / name).read_bytes() for o in outs}
        assert len(data) == 1, name


def test_engines_give_the_same_outputs(corpus, run_kg, tmp_path):
    a, b = tmp_path / "fast", tmp_path / "ref"
    assert run_kg(corpus, "build", "-q", "-o", str(a)).exit_code == 0
    assert run_kg(corpus, "build", "-q", "--engine", "reference", "--no-cache", "-o", str(b)).exit_code == 0
    for name in ("kg.ttl", "kg.trig"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_bad_article_is_an_error_with_jobs(corpus, run_kg):
    path = corpus / "data/articles/gen-000003.yaml"
    path.write_text(path.read_text().replace("weapon: weapon-", "weapon: nosuch-weapon-", 1))
    result = run_kg(corpus, "build", "-q", "--jobs", "2")
    assert result.exit_code == 2
    assert result.output.startswith("Error: data/articles/gen-000003.yaml:")
    assert "unknown weapon 'nosuch-weapon-" in result.output
