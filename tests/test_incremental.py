"""Incremental builds: after each edit of the reference entities or the articles, ``kg build``
rebuilds only the articles whose inputs changed (``kg build -v`` names them), and its outputs
and report are byte for byte those of a clean build of the same files in a fresh folder."""
from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from generate import generate  # noqa: E402

N = 10
OUTPUTS = ("kg.ttl", "kg.trig", "manifest.json")


@pytest.fixture
def corpus(tmp_path) -> Path:
    return generate(tmp_path / "p", articles=N, seed=11)


def _articles(root: Path) -> list[Path]:
    return sorted((root / "data/articles").glob("*.yaml"))


def _users(root: Path, needle: str) -> list[str]:
    """The fact files that name ``needle`` (an id, or the start of one)."""
    pattern = re.compile(rf"(?<![\w-]){re.escape(needle)}")
    return [f"data/articles/{p.name}" for p in _articles(root) if pattern.search(p.read_text())]


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new))


def _built(run_kg, root: Path, *args: str):
    result = run_kg(root, "build", *args)
    assert result.exit_code == 0, result.output
    return result, {name: (root / "build" / name).read_bytes() for name in OUTPUTS}


def _clean(run_kg, root: Path, fresh: Path, *args: str):
    """The report and outputs of a build of the same files in a new folder, with no cache."""
    if fresh.exists():
        shutil.rmtree(fresh)
    for part in ("ontology", "data", "queries"):
        shutil.copytree(root / part, fresh / part)
    return _built(run_kg, fresh, *args)


def _step(run_kg, root: Path, fresh: Path, rebuilt: list[str], *args: str, spliced: bool = True) -> dict:
    """Build ``root`` again: exactly ``rebuilt`` are built, the outputs are written from the
    previous ones (``spliced``), and everything is as a clean build's."""
    result, outputs = _built(run_kg, root, "-v", *args)
    # -v: which articles were built again, then the report and the summary (on standard error)
    head = [f"Rebuilt {len(rebuilt)} of {len(_articles(root))} article(s):", *(f"  {name}" for name in rebuilt)]
    lines = result.stderr.splitlines()
    assert lines[:len(head)] == head
    # -v: the outputs written from the previous build's (all but the first build here)
    wrote = [i for i, line in enumerate(lines) if line.startswith("Wrote build/kg.ttl and build/kg.trig from ")]
    if spliced:
        assert len(wrote) == 1, lines
        del lines[wrote[0]]
    else:
        assert wrote == [], lines
    assert re.fullmatch(r"kg build: \d+\.\d\d s", lines[-1]), lines[-1]  # -v: how long it took
    assert lines[-2].startswith(f"Built {len(_articles(root))} article(s), ")
    clean, clean_outputs = _clean(run_kg, root, fresh, *args)
    assert lines[len(head):-1] == clean.stderr.splitlines()  # the same report and summary
    for name in OUTPUTS:
        assert outputs[name] == clean_outputs[name], name
    return outputs


def test_reference_and_article_edits_rebuild_only_what_they_change(corpus, run_kg, tmp_path):
    fresh = tmp_path / "fresh"
    ref = corpus / "data/reference"
    everything = [f"data/articles/{p.name}" for p in _articles(corpus)]
    before = _step(run_kg, corpus, fresh, everything, spliced=False)

    # a weapon's label: the articles that name the weapon
    weapon = next(f"weapon-{i:03d}" for i in range(60) if 0 < len(_users(corpus, f"weapon-{i:03d}")) < N)
    label = f"label: Weapon system {int(weapon[-3:])}\n"
    _edit(ref / "weapons.yaml", label, label.replace("system", "system number"))
    _step(run_kg, corpus, fresh, _users(corpus, weapon))

    # a navy moved to another state's armed forces: what follows of its exercises (the
    # participating states) changes for every article that names the navy or its fleet
    ids = re.findall(r"- id: (X\w\w)\n", (ref / "states.yaml").read_text())
    state = next(s for s in ids if 0 < len(_users(corpus, f"{s.lower()}-navy")) < N)
    low, other = state.lower(), next(s for s in ids if s != state).lower()
    navy = f"  - id: {low}-navy\n    label: Navy of {state}\n    kind: navy\n"
    _edit(ref / "forces.yaml", f"{navy}    part_of: {low}-armed-forces\n", f"{navy}    part_of: {other}-armed-forces\n")
    moved = _step(run_kg, corpus, fresh, _users(corpus, f"{low}-navy"))
    assert moved["kg.trig"] != before["kg.trig"]

    # a state no article uses, added first (every later state's line moves), then removed
    states = ref / "states.yaml"
    _edit(states, "states:\n", "states:\n  - id: QQQ\n    label: State QQQ\n")
    _step(run_kg, corpus, fresh, [])
    _edit(states, "  - id: QQQ\n    label: State QQQ\n", "")
    _step(run_kg, corpus, fresh, [])

    # an article edited, one added, one removed
    articles = corpus / "data/articles"
    _edit(articles / "gen-000002.yaml", "codename: Drill 2\n", "codename: Drill Two\n")
    (articles / "gen-000099.yaml").write_text((articles / "gen-000003.yaml").read_text()
                                              .replace("gen-000003", "gen-000099"))
    (articles / "gen-000005.yaml").unlink()
    _step(run_kg, corpus, fresh, ["data/articles/gen-000002.yaml", "data/articles/gen-000099.yaml"])

    # a weapon that articles use, removed: their build fails and nothing is written; given
    # back, every article comes from the cache again
    text = (ref / "weapons.yaml").read_text()
    entry = re.search(rf"  - id: {weapon}\n(    .*\n)*", text).group(0)
    (ref / "weapons.yaml").write_text(text.replace(entry, ""))
    failed = run_kg(corpus, "build", "-q")
    assert failed.exit_code == 2
    assert f"unknown weapon '{weapon}'" in failed.stderr
    (ref / "weapons.yaml").write_text(text)
    _step(run_kg, corpus, fresh, [])


def test_reasoning_off_and_entity_edits(corpus, run_kg, tmp_path):
    """Without reasoning the entries are other ones; an unused weapon added rebuilds nothing."""
    fresh = tmp_path / "fresh"
    _step(run_kg, corpus, fresh, [f"data/articles/{p.name}" for p in _articles(corpus)], "--reason", "none",
          spliced=False)
    weapons = corpus / "data/reference/weapons.yaml"
    weapons.write_text(weapons.read_text() + "  - id: weapon-new\n    label: A new weapon\n    category: missiles\n")
    _step(run_kg, corpus, fresh, [], "--reason", "none")


def test_shapes_that_look_back_make_every_article_depend_on_the_whole_reference(corpus, run_kg, tmp_path):
    """A shape that follows a link backwards (sh:inversePath) can see any entity that points at
    an article's nodes: then any reference edit rebuilds every article, as before."""
    shapes = corpus / "ontology/shapes.ttl"
    shapes.write_text(shapes.read_text() + """
mcs:StateRecipientsProbe a sh:NodeShape ;
    sh:targetClass mc:State ;
    sh:property [ sh:path [ sh:inversePath mc:state ] ; sh:maxCount 100 ;
                  sh:message "A state has at most 100 forces of its own" ] .
""")
    fresh = tmp_path / "fresh"
    everything = [f"data/articles/{p.name}" for p in _articles(corpus)]
    _step(run_kg, corpus, fresh, everything, spliced=False)
    states = corpus / "data/reference/states.yaml"
    states.write_text(states.read_text() + "  - id: QQQ\n    label: State QQQ\n")
    _step(run_kg, corpus, fresh, everything)
    _step(run_kg, corpus, fresh, [])


def test_the_inputs_read_are_kept_for_the_next_build_and_only_for_the_same_files(corpus, run_kg, tmp_path):
    """``.kg/cache/inputs/``: the ontology, shapes and reference as a build read them, one file
    named by their digests; a new build reads them there, and builds what a clean build builds;
    a changed reference file or shapes file is read again (and the kept file replaced); a damaged
    kept file is read again and rewritten; a failed read keeps nothing; --no-cache neither reads
    nor writes it."""
    fresh = tmp_path / "fresh"
    kept_dir = corpus / ".kg/cache/inputs"
    run_kg(corpus, "build", "-q", "--no-cache")
    assert not (corpus / ".kg").exists()
    _step(run_kg, corpus, fresh, [f"data/articles/{p.name}" for p in _articles(corpus)], spliced=False)
    [first] = kept_dir.iterdir()

    # an article edited: built with the kept inputs, as a clean build builds it
    articles, ref = corpus / "data/articles", corpus / "data/reference"
    _edit(articles / "gen-000002.yaml", "codename: Drill 2\n", "codename: Drill Two\n")
    _step(run_kg, corpus, fresh, ["data/articles/gen-000002.yaml"])
    assert list(kept_dir.iterdir()) == [first]

    # a weapon's label: read again, and the kept file replaced by one for the new files
    weapon = next(f"weapon-{i:03d}" for i in range(60) if 0 < len(_users(corpus, f"weapon-{i:03d}")) < N)
    label = f"label: Weapon system {int(weapon[-3:])}\n"
    _edit(ref / "weapons.yaml", label, label.replace("system", "system called"))
    _edit(articles / "gen-000003.yaml", "codename: Drill 3\n", "codename: Drill Three\n")
    _step(run_kg, corpus, fresh, sorted({*_users(corpus, weapon), "data/articles/gen-000003.yaml"}))
    [second] = kept_dir.iterdir()
    assert second.name != first.name

    # damaged: read again from the files, and written whole again
    data = bytearray(second.read_bytes())
    data[len(data) // 2] ^= 0xFF
    second.write_bytes(bytes(data))
    _edit(articles / "gen-000004.yaml", "codename: Drill 4\n", "codename: Drill Four\n")
    _step(run_kg, corpus, fresh, ["data/articles/gen-000004.yaml"])
    assert [p.name for p in kept_dir.iterdir()] == [second.name] and second.read_bytes() != bytes(data)

    # a reference file that cannot be read: its error, and nothing kept for it
    text = (ref / "weapons.yaml").read_text()
    (ref / "weapons.yaml").write_text(text + "  - id: [broken\n")
    failed = run_kg(corpus, "build", "-q")
    assert failed.exit_code == 2 and failed.stderr.startswith("Error: data/reference/weapons.yaml:")
    assert [p.name for p in kept_dir.iterdir()] == [second.name]
    (ref / "weapons.yaml").write_text(text)

    # the shapes edited: read again, every article rebuilt
    shapes = corpus / "ontology/shapes.ttl"
    shapes.write_text(shapes.read_text() + "\n# a comment\n")
    _step(run_kg, corpus, fresh, [f"data/articles/{p.name}" for p in _articles(corpus)], spliced=True)
    [third] = kept_dir.iterdir()
    assert third.name not in (first.name, second.name)
