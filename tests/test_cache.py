"""The per-article cache (.kg/cache/): hits for unchanged articles, misses for changed inputs,
corrupt entries ignored, the stat index trusted only where it may be, the pack compacted, outputs
the same with and without it, and --jobs giving the same bytes."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from kg import cache as cache_module
from kg.cache import RECORD, SIDE, Cache
from kg.pipeline import run
from kg.project import Project

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from generate import generate  # noqa: E402


def _packs(root: Path) -> list[Path]:
    return sorted((root / ".kg" / "cache").glob("pack-*"))


def _entries(root: Path) -> list[str]:
    """The keys of the article entries in the pack (not the blobs kept beside them)."""
    keys = []
    for pack in _packs(root):
        data = pack.read_bytes()
        at = data.find(RECORD)
        while at >= 0:
            start = at + len(RECORD)
            key = data[start:start + 64 + len(SIDE)].decode("latin-1")
            keys.append(key[:64] if not key.endswith(SIDE) else key)
            at = data.find(RECORD, start)
    return sorted(k for k in keys if not k.endswith(SIDE))


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
    (pack,) = _packs(corpus)
    data = bytearray(pack.read_bytes())
    at = data.find(RECORD)
    while at >= 0:  # garble every record's contents, keep the headers
        body = at + len(RECORD) + 64 + 8
        data[body + 20:body + 40] = b"\xff" * 20
        at = data.find(RECORD, body)
    pack.write_bytes(bytes(data))
    calls = _counting(monkeypatch)
    again = run(Project(corpus))
    assert len(calls) == 6
    assert first.report.results == again.report.results
    assert set(first.inferred) == set(again.inferred)
    # a truncated pack and an unreadable index are ignored too
    for p in _packs(corpus):
        p.write_bytes(p.read_bytes()[:100])
    (corpus / ".kg/cache/index.pickle").write_bytes(b"garbage")
    calls.clear()
    run(Project(corpus))
    assert len(calls) == 6
    calls.clear()
    run(Project(corpus))
    assert calls == []
    assert not [p for p in (corpus / ".kg" / "cache").rglob(".entry-*")]


def test_stat_index_trusts_only_old_unchanged_files(corpus, monkeypatch):
    path = corpus / "data/articles/gen-000001.yaml"
    old = path.stat().st_mtime_ns - 10 * cache_module.RACY_NS
    for p in (corpus / "data/articles").glob("*.yaml"):
        os.utime(p, ns=(old, old))
    run(Project(corpus))
    calls = _counting(monkeypatch)
    # touched, same bytes: hashed again, found in the cache (the content decides)
    os.utime(path, None)
    run(Project(corpus))
    assert calls == []
    # changed within the same size and given back its time stamp: the file had changed just
    # before it was hashed, so the index does not vouch for it and it is hashed again
    stamp = path.stat().st_mtime_ns
    text = path.read_text()
    path.write_text(text.replace("codename: Drill 1\n", "codename: Drill X\n"))
    os.utime(path, ns=(stamp, stamp))
    run(Project(corpus))
    assert calls == ["gen-000001.yaml"]
    # an old, unchanged file is not read again
    index = Cache(corpus / ".kg/cache", "k")
    reads = []
    real_open = open

    def counting_open(file, *args, **kwargs):
        reads.append(str(file))
        return real_open(file, *args, **kwargs)

    index.content_hash(corpus / "data/articles/gen-000002.yaml")
    monkeypatch.setattr("builtins.open", counting_open)
    assert index.content_hash(corpus / "data/articles/gen-000004.yaml") is not None
    assert not [r for r in reads if r.endswith(".yaml")]


def test_pack_is_compacted_and_other_inputs_dropped(corpus, monkeypatch):
    monkeypatch.setattr(cache_module, "SLACK", 0)
    run(Project(corpus))
    size = _packs(corpus)[0].stat().st_size
    path = corpus / "data/articles/gen-000002.yaml"
    original = path.read_text()
    assert "codename: Drill 2\n" in original
    for i in range(8):
        path.write_text(original.replace("codename: Drill 2\n", f"codename: Drill 2 v{i}\n"))
        run(Project(corpus))
        assert _packs(corpus)[0].stat().st_size <= 2 * size + 4096
    assert 6 <= len(_entries(corpus)) < 6 + 8  # without compaction it would keep all 14
    calls = _counting(monkeypatch)
    run(Project(corpus))
    assert calls == []  # the compacted pack still has every entry
    run(Project(corpus), reason="rdfs")
    assert len(_packs(corpus)) == 1 and len(_entries(corpus)) == 6


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
