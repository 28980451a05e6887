"""Benchmark incremental builds: the rebuild after each kind of edit curators make, each in a
fresh process.

    python benchmarks/incremental.py [--articles 1000] [--jobs 2] [--workdir DIR]

Generates a project (benchmarks/generate.py), builds it once (cold cache), then times
``kg build -v`` after each edit, in this order: nothing changed; one article edited; one
reference entity edited (a weapon system, used by a few dozen articles); a state no article
uses added, at the top of the list (so that every later state's line moves); an unused state
removed again; the edited weapon's label given back. Prints, per edit, the seconds, the peak
memory, the CPU seconds of the build and its workers (less moved by the machine's load than the
wall clock), and how many articles the build rebuilt (the ``Rebuilt N of M article(s)`` line of
``kg build -v``; "-" where the kg measured does not print it). Not part of the test suite; run
it at 1,000 articles on a shared machine (the 10,000-article figures take minutes of both
cores).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench import run_measured  # noqa: E402  (the same child-process measure as bench.py)

KG = [sys.executable, "-m", "kg"]

#: the weapon edited (generate.py gives each article one to three transfers of 60 weapons)
WEAPON = "weapon-007"
NEW_STATE = "QQQ"


def _run(root: Path, jobs: int, verbose: bool = True) -> dict:
    cmd = [*KG, "-C", str(root), "build", "--jobs", str(jobs), "-v" if verbose else "-q"]  # -q would hide -v's count
    res = run_measured(cmd)
    if res["rc"] == 2 and verbose and "-v" in res["err"]:  # a kg without -v: time it without
        return _run(root, jobs, verbose=False)
    if res["rc"] != 0:
        raise SystemExit(f"failed ({res['rc']}): {' '.join(cmd)}\n{res['err'][-400:]}")
    m = re.search(r"Rebuilt (\d+) of (\d+) article", res["err"])
    res["rebuilt"] = int(m.group(1)) if m else None
    return res


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def scenarios(root: Path) -> list[tuple[str, callable]]:
    ref = root / "data" / "reference"
    article = root / "data" / "articles" / "gen-000000.yaml"
    weapon_label = f"label: Weapon system {int(WEAPON[-3:])}\n"
    state = f"  - id: {NEW_STATE}\n    label: State {NEW_STATE}\n"
    return [
        ("nothing changed", lambda: None),
        ("one article edited", lambda: _edit(article, "codename: Drill 0", "codename: Drill Zero")),
        (f"one entity edited ({WEAPON})",
         lambda: _edit(ref / "weapons.yaml", weapon_label, weapon_label.replace("system", "system no."))),
        ("unused state added (top of the list)", lambda: _edit(ref / "states.yaml", "states:\n", "states:\n" + state)),
        ("unused state removed", lambda: _edit(ref / "states.yaml", state, "")),
        (f"{WEAPON} edited back",
         lambda: _edit(ref / "weapons.yaml", weapon_label.replace("system", "system no."), weapon_label)),
    ]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=1000, help="how many articles (default 1000)")
    ap.add_argument("--jobs", type=int, default=2, help="kg build --jobs (default 2)")
    ap.add_argument("--workdir", type=Path, default=None, help="where to generate (default: a temp folder)")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(HERE))
    from generate import generate

    with tempfile.TemporaryDirectory() as tmp:
        root = generate((args.workdir or Path(tmp)) / f"incr{args.articles}", articles=args.articles, seed=1)
        users = sum(WEAPON in p.read_text(encoding="utf-8") for p in (root / "data" / "articles").glob("*.yaml"))
        print(f"{args.articles} articles, --jobs {args.jobs}, load {os.getloadavg()[0]:.1f}; "
              f"{WEAPON} is named by {users} articles")
        cold = _run(root, args.jobs)
        print("| edit | seconds | CPU s | peak MB | rebuilt |\n|---|---|---|---|---|")
        print(f"| full build (cold cache) | {cold['seconds']:.2f} | {cold['cpu']:.2f} | {cold['peak_mb']:.0f} | "
              f"{cold['rebuilt']} |")
        for name, edit in scenarios(root):
            edit()
            res = _run(root, args.jobs)
            rebuilt = "-" if res["rebuilt"] is None else res["rebuilt"]
            print(f"| {name} | {res['seconds']:.2f} | {res['cpu']:.2f} | {res['peak_mb']:.0f} | {rebuilt} |", flush=True)
        print(f"load after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
