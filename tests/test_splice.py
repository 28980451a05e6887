"""Outputs written from the previous build's (``kg.output.splice``): after every kind of edit,
``kg build`` copies what did not change from the last ``kg.ttl`` and ``kg.trig`` (``kg build -v``
says so, with how many graphs changed), and the files are byte for byte those that a whole write
of the same build gives (a build into a new folder). Where the old files or their layout cannot
be trusted, the files are written whole."""
from __future__ import annotations

import random
import re
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from generate import generate  # noqa: E402

OUTPUTS = ("kg.ttl", "kg.trig", "manifest.json")
WROTE = re.compile(r"Wrote build/kg\.ttl and build/kg\.trig from the previous build's: (\d+) of (\d+) graph\(s\) changed")


@pytest.fixture
def corpus(tmp_path) -> Path:
    return generate(tmp_path / "p", articles=8, seed=5)


class Builds:
    def __init__(self, run_kg, root: Path, tmp: Path) -> None:
        self.run_kg, self.root, self.tmp, self.n = run_kg, root, tmp, 0

    def step(self, *args: str, spliced: bool = True) -> int | None:
        """Build, and compare the outputs with a whole write of the same build; gives how many
        graphs changed (None: written whole)."""
        result = self.run_kg(self.root, "build", "-v", *args)
        assert result.exit_code == 0, result.output
        found = [WROTE.fullmatch(line) for line in result.stderr.splitlines()]
        found = [m for m in found if m is not None]
        assert len(found) == (1 if spliced else 0), result.stderr
        self.n += 1
        whole = self.tmp / f"whole-{self.n}"  # a new folder: no layout, written whole
        clean = self.run_kg(self.root, "build", "-q", "-o", str(whole), *args)
        assert clean.exit_code == 0, clean.output
        for name in OUTPUTS:
            assert (self.root / "build" / name).read_bytes() == (whole / name).read_bytes(), name
        return int(found[0].group(1)) if found else None


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def _copy_article(articles: Path, src: str, new: str) -> None:
    """A new article reporting the same facts as ``src`` (their subjects then have two graphs)."""
    text = (articles / f"{src}.yaml").read_text()
    (articles / f"{new}.yaml").write_text(text.replace(f"  id: {src}\n", f"  id: {new}\n", 1))


def test_every_kind_of_edit_gives_the_bytes_of_a_whole_write(corpus, run_kg, tmp_path):
    builds = Builds(run_kg, corpus, tmp_path)
    articles = corpus / "data/articles"
    ref = corpus / "data/reference"
    assert builds.step(spliced=False) is None  # the first build: nothing to copy from
    assert builds.step() == 0  # nothing changed
    _edit(articles / "gen-000002.yaml", "codename: Drill 2\n", "codename: Drill Two\n")
    assert builds.step() == 1
    _copy_article(articles, "gen-000003", "gen-000103")  # every fact of gen-000003 in two graphs
    assert builds.step() == 1
    _edit(articles / "gen-000103.yaml", "codename: Drill 3\n", "codename: Drill Three\n")  # one shared subject differs
    assert builds.step() == 1
    _copy_article(articles, "gen-000003", "gen-000203")  # three graphs give them
    (articles / "gen-000003.yaml").unlink()  # and one goes: shared by two again
    assert builds.step() == 2
    (articles / "gen-000103.yaml").unlink()  # given by one graph again
    assert builds.step() == 1
    weapon = next(f"weapon-{i:03d}" for i in range(60) if f"weapon: weapon-{i:03d}\n" in
                  "".join(p.read_text() for p in articles.glob("*.yaml")))
    label = f"label: Weapon system {int(weapon[-3:])}\n"
    _edit(ref / "weapons.yaml", label, label.replace("system", "system no."))  # the reference graph
    assert builds.step() >= 1
    _edit(ref / "states.yaml", "states:\n", "states:\n  - id: QQQ\n    label: State QQQ\n")
    assert builds.step() >= 1
    (articles / "gen-000005.yaml").unlink()
    (articles / "gen-000006.yaml").unlink()
    _copy_article(articles, "gen-000007", "gen-000000a")  # sorts among the others
    assert builds.step() == 3


def test_random_edits(corpus, run_kg, tmp_path):
    """A seeded series of edits, several at once, each build compared with a whole write."""
    builds = Builds(run_kg, corpus, tmp_path)
    articles = corpus / "data/articles"
    rng = random.Random(7)
    builds.step(spliced=False)
    made = 0
    for _ in range(8):
        for _ in range(rng.randint(1, 3)):
            present = sorted(p.stem for p in articles.glob("*.yaml"))
            kind = rng.choice(["edit", "copy", "remove"] if len(present) > 3 else ["edit", "copy"])
            name = rng.choice(present)
            if kind == "edit":
                text = (articles / f"{name}.yaml").read_text()
                text = re.sub(r"codename: (.*)\n", lambda m: f"codename: {m.group(1)} {rng.randint(0, 9)}\n", text, 1)
                text = re.sub(r"value: (\d+), bound: exact", lambda m: f"value: {int(m.group(1)) + 1}, bound: exact",
                              text, 1)
                (articles / f"{name}.yaml").write_text(text)
            elif kind == "copy":
                made += 1
                _copy_article(articles, name, f"{name[:10]}x{made}")
            else:
                (articles / f"{name}.yaml").unlink()
        assert builds.step() >= 1


def test_what_cannot_be_trusted_is_written_whole(corpus, run_kg, tmp_path):
    builds = Builds(run_kg, corpus, tmp_path)
    articles = corpus / "data/articles"
    builds.step(spliced=False)
    # an output changed since kg wrote it (its size, times or inode): written whole, never copied
    ttl = corpus / "build/kg.ttl"
    ttl.write_bytes(ttl.read_bytes().replace(b"Drill 1", b"Drill I"))
    builds.step(spliced=False)
    # the layouts damaged or gone
    layouts = sorted((corpus / ".kg/cache/layout").glob("*.layout"))
    assert layouts
    for layout in layouts:
        data = bytearray(layout.read_bytes())
        data[-10] ^= 0xFF
        layout.write_bytes(bytes(data))
    builds.step(spliced=False)
    builds.step()
    shutil.rmtree(corpus / ".kg/cache/layout")
    builds.step(spliced=False)
    # another reasoning mode: graph:inferred goes, and comes back
    builds.step("--reason", "none", spliced=False)
    _edit(articles / "gen-000001.yaml", "codename: Drill 1\n", "codename: Drill One\n")
    assert builds.step("--reason", "none") == 1
    builds.step(spliced=False)
    # most graphs changed (here more than one of the 11): written whole, a whole write is quicker
    from kg.output import splice

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(splice, "SPLICE_MOST", 1)
        _edit(articles / "gen-000002.yaml", "codename: Drill 2\n", "codename: Drill Two\n")
        _edit(articles / "gen-000003.yaml", "codename: Drill 3\n", "codename: Drill Three\n")
        builds.step(spliced=False)
        _edit(articles / "gen-000004.yaml", "codename: Drill 4\n", "codename: Drill Four\n")
        assert builds.step() == 1
    # without the cache no layout is kept: the next build writes whole
    builds.step("--no-cache", spliced=False)
    builds.step(spliced=False)
    builds.step()


def test_past_a_group_of_graphs_the_layout_is_made_group_by_group(corpus, run_kg, tmp_path, monkeypatch):
    """More graphs than ``MAX_PARTS`` (16,384): a whole write merges each group of them in
    memory, spills it to a temporary file and merges the files (memory holds one group). Its
    files and its layout are those of a write of all at once, and the next build splices."""
    from kg.build.cache import read_checked
    from kg.output import splice

    articles = corpus / "data/articles"
    for i, src in enumerate(("gen-000001", "gen-000004", "gen-000006")):  # facts given by graphs of other groups
        _copy_article(articles, src, f"gen-00009{i}")
    at_once, grouped = tmp_path / "at-once", tmp_path / "grouped"

    def layout(out: Path):
        import hashlib
        import os

        key = hashlib.sha256(os.path.abspath(out).encode()).hexdigest()[:32]
        kept = read_checked(corpus / ".kg/cache/layout" / f"{key}.layout")
        assert isinstance(kept, splice.Layout)
        return [kept.names, kept.versions, kept.spans, kept.ttl, kept.inferred, kept.ttl_base, kept.trig_base]

    assert run_kg(corpus, "build", "-q", "-o", str(at_once)).exit_code == 0
    monkeypatch.setattr(splice, "MAX_PARTS", 3)  # 11 articles and 3 other graphs: 5 groups
    assert run_kg(corpus, "build", "-q", "-o", str(grouped)).exit_code == 0
    for name in OUTPUTS:
        assert (grouped / name).read_bytes() == (at_once / name).read_bytes(), name
    made = layout(grouped)
    assert made == layout(at_once)
    assert made[3].multi and made[4].multi  # subjects that several graphs give, in both regions

    builds = Builds(run_kg, corpus, tmp_path)
    builds.step(spliced=False)
    _edit(articles / "gen-000002.yaml", "codename: Drill 2\n", "codename: Drill Two\n")
    assert builds.step() == 1
    (articles / "gen-000091.yaml").unlink()
    assert builds.step() == 1
    monkeypatch.undo()
    assert builds.step() == 0
