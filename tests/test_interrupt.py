"""Interrupted work: ``kg build`` and ``kg load`` killed with SIGKILL at random points, again and
again, leave ``build/`` (and the store) as they were before or as the new complete output,
never a mix.

The delays are drawn from a seeded generator (``KG_KILL_SEED`` changes it): half of them spread
over the whole run, half just after the new generation's folder appears, when the outputs are
being written and published. Each test prints how many kills it made and what they left.
"""
from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from kg.engines.oxigraph_engine import OxigraphEngine
from kg.output.manifest import MANIFEST
from kg.pipeline import MERGED, NAMED
from kg.stores.local import generations_dir
from servers import synthetic_project

ROOT = Path(__file__).resolve().parent.parent
KILLS = int(os.environ.get("KG_KILLS", "24"))
RNG_SEED = int(os.environ.get("KG_KILL_SEED", "7"))
OUTPUTS = {MERGED, NAMED, MANIFEST}


def generated_articles(folder: Path, variant: str, articles: int = 4, facts: int = 400) -> None:
    """Fact files with many facts; ``variant`` changes every label, so two builds differ."""
    folder.mkdir(parents=True)
    for a in range(articles):
        lines = [
            "article:", f"  id: generated-{a}", f"  title: Generated article {a} ({variant})",
            "  publisher: unknown", "  published: 2025-07-25", f"  source: generated-{a}.txt", "facts:",
        ]
        for i in range(facts):
            lines += ["  - type: cooperation", f"    id: coop-{a}-{i}", f"    at: [{i % 40 + 1}]",
                      "    parties: [IRN, RUS]", f"    label: Cooperation {a}-{i}, {variant} build"]
        (folder / f"generated-{a}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def outputs(build: Path) -> dict[str, bytes]:
    """The files that ``build`` shows (it must be a link to a complete generation)."""
    assert build.is_symlink(), "build/ is not a link to a generation"
    target = build.resolve()
    assert target.is_dir(), "build/ links to nothing"
    return {p.name: p.read_bytes() for p in target.iterdir()}


def _swap(link: Path, target: Path) -> None:
    tmp = link.with_name(link.name + ".tmp")
    if tmp.is_symlink():
        tmp.unlink()
    tmp.symlink_to(target)
    os.replace(tmp, link)


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory):
    """A project whose data/articles is a link to one of two sets of fact files, and the
    outputs that an unkilled build of each gives."""
    root = tmp_path_factory.mktemp("interrupt") / "proj"
    (root / "data").mkdir(parents=True)
    shutil.copytree(ROOT / "ontology", root / "ontology")
    shutil.copytree(ROOT / "data" / "reference", root / "data" / "reference")
    sets = {v: root.parent / f"articles-{v}" for v in ("old", "new")}
    expected, spans = {}, {}
    for variant, folder in sets.items():
        generated_articles(folder, variant)
        _swap(root / "data" / "articles", folder)
        began = time.monotonic()
        proc = subprocess.run(_build_command(root), capture_output=True, text=True)
        spans[variant] = time.monotonic() - began
        assert proc.returncode == 0, proc.stderr
        expected[variant] = outputs(root / "build")
        assert set(expected[variant]) == OUTPUTS
    assert expected["old"] != expected["new"]
    return root, sets, expected, max(spans.values())


def _build_command(root: Path) -> list[str]:
    return [sys.executable, "-m", "kg", "-C", str(root), "build", "--reason", "none"]


def _kill_plan(count: int, span: float) -> list[tuple[str, float]]:
    rng = random.Random(RNG_SEED)
    plan = []
    for i in range(count):
        if i % 2:
            plan.append(("after start", rng.uniform(0.0, 1.1 * span)))
        else:
            plan.append(("after the new generation appears", rng.uniform(0.0, 0.03)))
    return plan


def _wait_for_new_entry(folder: Path, before: set, process: subprocess.Popen, limit: float) -> bool:
    deadline = time.monotonic() + limit
    while process.poll() is None and time.monotonic() < deadline:
        if folder.exists() and set(folder.iterdir()) - before:
            return True
        time.sleep(0.0005)
    return False


def test_killed_builds_leave_old_or_new_outputs(two_builds, capsys):
    root, sets, expected, span = two_builds
    build = root / "build"
    generations = root / ".build.generations"
    state = "new"  # the fixture built "new" last
    seen: Counter = Counter()
    for how, delay in _kill_plan(KILLS, span):
        target = "old" if state == "new" else "new"
        _swap(root / "data" / "articles", sets[target])
        before = set(generations.iterdir())
        process = subprocess.Popen(_build_command(root), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if how == "after start":
            time.sleep(delay)
        elif _wait_for_new_entry(generations, before, process, 10 * span + 30):
            time.sleep(delay)
        finished = process.poll() is not None
        process.send_signal(signal.SIGKILL)
        process.wait()
        now = outputs(build)
        assert now in (expected["old"], expected["new"]), "build/ holds a mix of two builds, or a partial file"
        new_state = "old" if now == expected["old"] else "new"
        if finished:
            assert new_state == target, "a build that finished did not publish"
        seen["finished before the kill" if finished else "killed while running"] += 1
        seen["left as before" if new_state == state else "left as the new build"] += 1
        state = new_state
    # a build after the kills publishes, and clears what the killed ones left (it keeps the
    # generation it replaced, which a reader may still be reading)
    _swap(root / "data" / "articles", sets["old"])
    replaced = build.resolve()
    assert subprocess.run(_build_command(root), capture_output=True).returncode == 0
    assert outputs(build) == expected["old"]
    leftovers = [p.name for p in generations.iterdir()
                 if p.resolve() not in (build.resolve(), replaced) and not p.name.startswith(".") and p.name != "lock"]
    with capsys.disabled():
        print(f"\ninterrupted builds: {KILLS} SIGKILLs (build of {span:.1f} s, seed {RNG_SEED}): "
              + ", ".join(f"{n} {k}" for k, n in sorted(seen.items())) + "; build/ was old or new every time")
    assert seen["killed while running"] >= KILLS // 2, "most kills should land while the build runs"
    assert seen["left as before"] > 0
    assert leftovers == [], f"generations left behind: {leftovers}"


# --- kg load ---------------------------------------------------------------------------------


def store_state(store: Path, old: dict[str, int], new: dict[str, int]) -> str:
    engine = OxigraphEngine.open(store)
    counts = engine.graph_counts()
    del engine
    if counts == old:
        return "old"
    if counts == new:
        return "new"
    raise AssertionError(f"the store holds a mix: {len(counts)} graphs, {sum(counts.values())} triples")


def test_killed_loads_leave_the_old_or_the_new_store(tmp_path, capsys):
    old = synthetic_project(tmp_path / "old", range(0, 30), 3000, 0)
    new = synthetic_project(tmp_path / "new", range(5, 35), 3000, 3)  # 5 graphs gone, 5 new, all changed
    roots = {"old": tmp_path / "old", "new": tmp_path / "new"}
    store = tmp_path / "store"
    gens = generations_dir(store)

    def start(which: str) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-m", "kg", "-C", str(roots[which]), "load", "--store", str(store)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    began = time.monotonic()
    assert start("old").wait(120) == 0
    span = time.monotonic() - began
    state = store_state(store, old, new)
    assert state == "old"
    seen: Counter = Counter()
    for how, delay in _kill_plan(KILLS, span):
        target = "new" if state == "old" else "old"
        before = set(gens.iterdir())
        process = start(target)
        if how == "after start":
            time.sleep(delay)
        elif _wait_for_new_entry(gens, before, process, 10 * span + 30):
            time.sleep(delay * 10)  # a load writes its generation for longer than a build does
        finished = process.poll() is not None
        process.send_signal(signal.SIGKILL)
        process.wait()
        new_state = store_state(store, old, new)
        if finished:
            assert new_state == target
        seen["finished before the kill" if finished else "killed while running"] += 1
        seen["left as before" if new_state == state else "left as the new load"] += 1
        state = new_state
    assert start("new").wait(120) == 0
    assert store_state(store, old, new) == "new"
    assert len([p for p in gens.iterdir() if p.is_dir()]) <= 2
    with capsys.disabled():
        print(f"\ninterrupted loads: {KILLS} SIGKILLs (load of {span:.1f} s, seed {RNG_SEED}): "
              + ", ".join(f"{n} {k}" for k, n in sorted(seen.items())) + "; the store was old or new every time")
    assert seen["killed while running"] >= KILLS // 2
    assert seen["left as before"] > 0
