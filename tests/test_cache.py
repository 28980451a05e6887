"""The per-article cache (.kg/cache/): hits for unchanged articles, misses for changed inputs,
corrupt entries ignored, the stat index trusted only where it may be, the pack compacted, outputs
the same with and without it, and --jobs giving the same bytes."""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from kg.build import cache as cache_module
from kg.build.cache import RECORD, SIDE, Cache
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
    # a reference entity edited: the articles that name it, and only those (tests/test_incremental.py)
    articles = sorted((corpus / "data/articles").glob("*.yaml"))
    n, users = next((i, [p.name for p in articles if f"weapon-{i:03d}\n" in p.read_text()]) for i in range(60)
                    if any(f"weapon-{i:03d}\n" in p.read_text() for p in articles))
    ref = corpus / "data/reference/weapons.yaml"
    ref.write_text(ref.read_text().replace(f"Weapon system {n}\n", f"Weapon system number {n}\n"))
    run(Project(corpus), reason="rdfs")
    assert sorted(calls) == users and 0 < len(users) < 6


def test_corrupt_entries_are_ignored(corpus, monkeypatch):
    first = run(Project(corpus))
    inferred = set(first.inferred)  # read from the pack, before it is garbled
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
    assert inferred == set(again.inferred)
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
    # setting the times is a change (of the change time), which must be old too: rather than
    # wait RACY_NS, shorten it
    monkeypatch.setattr(cache_module, "RACY_NS", 100_000_000)
    time.sleep(0.2)
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


# --- issue 12, item 7: every record verified, the code in the key, a wrong index ignored -------

def _flip_all(path: Path, needle: bytes, where=lambda at: True) -> int:
    """Flip the lowest bit of the last byte of each occurrence of ``needle`` in the file for
    which ``where(offset)`` holds (as a failing disk or memory might); how many were flipped."""
    data = bytearray(path.read_bytes())
    flipped = 0
    at = data.find(needle)
    while at >= 0:
        if where(at):
            data[at + len(needle) - 1] ^= 1
            flipped += 1
        at = data.find(needle, at + 1)
    path.write_bytes(bytes(data))
    return flipped


def _in_side_record(data: bytes, at: int) -> bool:
    """Whether offset ``at`` of a pack lies in a record kept beside an entry (``SIDE``)."""
    head = data.rfind(RECORD, 0, at)
    key = data[head + len(RECORD):head + len(RECORD) + 64 + len(SIDE)]
    return key.endswith(SIDE.encode())


@pytest.mark.parametrize("where", ["entry", "side", "context"])
def test_flipped_bit_in_a_record_is_never_published(corpus, run_kg, tmp_path, where):
    """A record whose bytes changed on disk still unpickles (a label "Drill 2" read as
    "Drill 3", an article gen-000002 as gen-000003; an entry's rendered text is compressed):
    each record is checked against the hash stored with it, and rebuilt."""
    clean = tmp_path / "clean"
    assert run_kg(corpus, "build", "-q", "--no-cache", "-o", str(clean)).exit_code == 0
    expected = run(Project(corpus), use_cache=False)
    assert run_kg(corpus, "build", "-q", "-o", str(tmp_path / "warm")).exit_code == 0
    if where == "context":
        (context,) = (corpus / ".kg/cache/context").glob("*.pickle")
        assert _flip_all(context, b"Weapon system 0") > 0
    else:
        (pack,) = _packs(corpus)
        data = pack.read_bytes()
        side = where == "side"
        needle = b"Drill 2" if side else b"gen-000002"
        assert _flip_all(pack, needle, lambda at: _in_side_record(data, at) == side) > 0
    out = tmp_path / "again"
    result = run_kg(corpus, "build", "-q", "-o", str(out))
    assert result.exit_code == 0, result.output
    for name in ("kg.ttl", "kg.trig"):
        assert (out / name).read_bytes() == (clean / name).read_bytes(), name
    again = run(Project(corpus))
    assert sorted(map(set, again.articles), key=len) == sorted(map(set, expected.articles), key=len)
    if where == "side":  # checked only when read (above): the damaged entry is then forgotten, and rebuilt
        rebuilt = run_kg(corpus, "build", "-v", "-o", str(out))
        assert rebuilt.stderr.splitlines()[:2] == ["Rebuilt 1 of 6 article(s):", "  data/articles/gen-000002.yaml"]


def test_edit_keeping_size_and_mtime_is_seen(corpus, monkeypatch):
    """An old file edited in place, same size, its modification time put back (``touch -r``,
    ``cp -p``, an editor that keeps it): the change time, which no one can set, tells."""
    old = (corpus / "data/articles/gen-000001.yaml").stat().st_mtime_ns - 10 * cache_module.RACY_NS
    for p in (corpus / "data/articles").glob("*.yaml"):
        os.utime(p, ns=(old, old))
    run(Project(corpus))
    calls = _counting(monkeypatch)
    path = corpus / "data/articles/gen-000001.yaml"
    text = path.read_text()
    path.write_text(text.replace("codename: Drill 1\n", "codename: Drill X\n"))
    os.utime(path, ns=(old, old))
    result = run(Project(corpus))
    assert calls == ["gen-000001.yaml"]
    assert "Drill X" in next(u.trig_text for u in result.units if u.path.endswith("gen-000001.yaml"))


def _wrong_indexes(corpus: Path) -> list:
    """Indexes of the right type (a dict, written as kg writes it) with wrong insides."""
    article = os.fspath(corpus / "data/articles/gen-000001.yaml")
    index = Cache(corpus / ".kg/cache", "k")._load_index()
    packs = index[cache_module.PACKS]
    (inputs_key,) = packs
    key = next(k for k in packs[inputs_key] if not k.endswith(SIDE))
    right = index[article]

    def with_(name, value):
        return {**index, name: value}

    def with_offsets(value):
        return {**index, cache_module.PACKS: {inputs_key: {**packs[inputs_key], key: value}}}

    return [
        with_(article, ()),
        with_(article, (right[0],)),
        with_(article, (right[0], right[1], "later")),
        with_(article, (right[0], 1234, right[2])),
        with_(article, [right]),
        with_(cache_module.PACKS, {inputs_key: ["not", "a", "dict"]}),
        with_(cache_module.PACKS, ["no"]),
        {**index, 7: right, None: None},
        with_offsets(("0", "10")),
        with_offsets((0,)),
        with_offsets((-50, 10)),
        with_offsets((0, 1 << 70)),
        with_offsets((1 << 70, 1)),
        with_offsets(None),
    ]


def test_well_typed_but_wrong_index_is_ignored(corpus, run_kg, tmp_path):
    clean = tmp_path / "clean"
    assert run_kg(corpus, "build", "-q", "--no-cache", "-o", str(clean)).exit_code == 0
    assert run_kg(corpus, "build", "-q", "-o", str(tmp_path / "warm")).exit_code == 0
    index = corpus / ".kg/cache" / cache_module.INDEX
    good = index.read_bytes()
    for i, wrong in enumerate(_wrong_indexes(corpus)):
        index.write_bytes(good)
        Cache(corpus / ".kg/cache", "k")._write(index, wrong)
        out = tmp_path / f"o{i}"
        result = run_kg(corpus, "build", "-q", "-o", str(out))
        assert result.exit_code == 0, (i, result.output)
        for name in ("kg.ttl", "kg.trig"):
            assert (out / name).read_bytes() == (clean / name).read_bytes(), (i, name)


def test_a_change_to_kg_code_misses_the_cache(corpus, tmp_path):
    """Entries made by another version of kg's code (an upgrade, a local edit) are not used,
    even where ``__version__`` did not change."""
    import shutil
    import subprocess

    import kg

    code = tmp_path / "code"
    shutil.copytree(Path(kg.__file__).parent, code / "kg", ignore=shutil.ignore_patterns("__pycache__"))
    built = tmp_path / "built.txt"
    env = {**os.environ, "PYTHONPATH": str(code), "KG_TEST_BUILT": str(built)}

    def build():
        done = subprocess.run([sys.executable, "-m", "kg", "-C", str(corpus), "build", "-q"],
                              env=env, cwd=code, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        return built.read_text().split() if built.exists() else []

    assert build() == []  # the old code fills the cache
    where = subprocess.run([sys.executable, "-c", "import kg; print(kg.__file__)"],
                           env=env, cwd=code, capture_output=True, text=True, timeout=60).stdout
    assert where.strip() == str(code / "kg/__init__.py")  # the copy is what runs
    # the new code: the same, and it writes down each article it builds
    with open(code / "kg/pipeline.py", "a") as fh:
        fh.write("\n\n_article = _Setup.article\n\n\n"
                 "def _noted(self, path, reference):\n"
                 "    import os\n"
                 "    from pathlib import Path\n\n"
                 "    with open(os.environ['KG_TEST_BUILT'], 'a') as out:\n"
                 "        out.write(Path(path).name + '\\n')\n"
                 "    return _article(self, path, reference)\n\n\n"
                 "_Setup.article = _noted\n")
    assert len(build()) == 6
    built.unlink()
    assert build() == []  # and its own entries are used from then on


def test_a_stamp_taken_too_close_to_a_change_is_not_trusted(tmp_path):
    """The racy rule: an index entry made within RACY_NS of the file's last change (modification
    or change time) is not trusted, the file is hashed again; an older one is."""
    import hashlib

    path = tmp_path / "a.yaml"
    path.write_text("x: 1\n")
    real = hashlib.sha256(path.read_bytes()).hexdigest()
    st = path.stat()
    changed = max(st.st_mtime_ns, st.st_ctime_ns)
    for hashed_at, expected in ((changed + cache_module.RACY_NS // 2, real), (changed + 2 * cache_module.RACY_NS, "0" * 64)):
        cache = Cache(tmp_path / "c", "k")
        cache._index = {cache_module.PACKS: {}, os.fspath(path): (cache_module._stamp(st), "0" * 64, hashed_at)}
        assert cache.content_hash(path) == expected


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_pipe_in_place_of_a_cache_file_is_not_waited_on(corpus, tmp_path):
    """A named pipe where the index, the pack or a context file should be is not opened for
    reading (that waits for a writer for ever): it is ignored, and the build finishes."""
    import subprocess

    def build():
        return subprocess.run([sys.executable, "-m", "kg", "-C", str(corpus), "build", "-q"],
                              cwd=ROOT, capture_output=True, text=True, timeout=120)

    assert build().returncode == 0
    cache = corpus / ".kg/cache"
    (pack,) = _packs(corpus)
    (context,) = (cache / "context").glob("*.pickle")
    for path in (cache / cache_module.INDEX, pack, context):
        path.unlink()
        os.mkfifo(path)
    done = build()
    assert done.returncode == 0, done.stderr


def test_a_value_that_cannot_be_written_leaves_no_temporary_file(tmp_path):
    """Every cache file is written whole or not at all (``kg.build.cache._replace``): a value
    that cannot be pickled, or a folder that cannot be written, leaves nothing behind."""
    cache = Cache(tmp_path / "c", "k")
    with pytest.raises(Exception):
        cache.put_context(lambda: None)  # a function cannot be pickled
    assert not [p for p in (tmp_path / "c").rglob("*") if p.is_file()]
    cache.put_context({"reference": 1})
    assert cache.get_context() == {"reference": 1}
    if os.geteuid() != 0:  # root writes anywhere
        folder = cache._context_file().parent
        folder.chmod(0o500)
        try:
            cache.put_context({"reference": 2})  # a read-only project builds, without caching
        finally:
            folder.chmod(0o700)
        assert cache.get_context() == {"reference": 1}
    assert sorted(p.name for p in (tmp_path / "c").rglob("*") if p.is_file()) == [cache._context_file().name]
