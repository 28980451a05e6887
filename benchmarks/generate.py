#!/usr/bin/env python3
"""Generate a synthetic kg project: reference entities and N fact files, deterministically.

    python benchmarks/generate.py OUT_DIR --articles 1000 [--seed 1] [--violations K]

OUT_DIR becomes a kg project (``ontology/`` and ``queries/`` copied from this repository,
``data/reference/*.yaml`` with ~200 states and ~1,000 forces, ``data/articles/*.yaml``). The
same arguments give the same bytes. Each article reports an exercise of 2-6 forces of several
states (observers, dates, activities, a place), one to three arms transfers (quantity and
status; some without quantity, which the shapes report as an Info), two positions held and a
denial of one of the transfers; and the parts of the claims model (docs/claims-model.md): the
exercise's strength as amounts with bounds and units, a commander's role, a spokesperson's
claim giving the end date, times given as a weekday; transfers with numbers ordered and
delivered, batches linked to their deal, a report retracted; about 160 triples in all.

``--violations K`` seeds K violations of each shape in ``VIOLATION_SHAPES`` (the shapes whose
violations the fact-file reader lets through: everything else it refuses as bad input), each
in an article of its own (the first articles), so the build must report exactly
``K * len(VIOLATION_SHAPES)`` violations.
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import string
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: seeded violation kind -> the shape (IRI local name in mcs:) that reports it
VIOLATION_SHAPES = {
    "observer-participates": "ExerciseObserverNotParticipant",
    "joint-one-state": "JointExerciseHasTwoStates",
    "supplier-is-recipient": "ArmsTransferSupplierNotRecipient",
    "end-before-start": "EventEndNotBeforeStart",
    "duration-mismatch": "EventDurationMatchesDates",
}

FORCE_KINDS = ("navy", "army", "air-force")
ACTIVITIES = ("air-defence", "amphibious-landing", "anti-piracy", "anti-submarine-warfare",
              "command-and-control", "counter-terrorism", "emergency-response", "live-fire",
              "maritime-security", "patrol", "reconnaissance", "search-and-rescue",
              "tactical-manoeuvres")
STATUSES = ("delivered", "ordered", "planned", "reported", "in-production")
CATEGORIES = ("air-defence-systems", "aircraft", "armoured-vehicles", "artillery", "missiles",
              "naval-weapons", "ships", "sensors")
ROLES = ("defence-minister", "foreign-minister", "head-of-state", "commander")
EXERCISE_KINDS = ("naval", "land", "air", "command-post")
BOUNDS = ("exact", "more-than", "about", "nearly", "up-to")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

N_STATES = 200
FORCES_PER_STATE = 5  # armed forces, a fleet and the units of FORCE_KINDS
N_PLACES = 120
N_WEAPONS = 60
N_ORGS = 25
N_CONFLICTS = 8
N_COMMON = 50  # transfers reported by several articles


def _state_ids(n: int) -> list[str]:
    ids = []
    for a in string.ascii_uppercase:
        for b in string.ascii_uppercase:
            ids.append(f"X{a}{b}")
            if len(ids) == n:
                return ids
    raise ValueError("too many states")


class Registry:
    """The synthetic reference entities, and the YAML that declares them."""

    def __init__(self, rnd: random.Random) -> None:
        self.states = _state_ids(N_STATES)
        self.forces: dict[str, list[str]] = {}  # state -> its forces (top level first)
        self.fleets: dict[str, str] = {}
        for s in self.states:
            low = s.lower()
            self.forces[s] = [f"{low}-armed-forces"] + [f"{low}-{k}" for k in FORCE_KINDS]
            self.fleets[s] = f"{low}-navy-fleet"
        self.places = [f"place-{i:03d}" for i in range(N_PLACES)]
        self.place_borders = {p: sorted(rnd.sample(self.states, rnd.randint(1, 4))) for p in self.places}
        self.weapons = [f"weapon-{i:03d}" for i in range(N_WEAPONS)]
        self.orgs = [f"outlet-{i:02d}" for i in range(N_ORGS)]
        self.conflicts = [f"conflict-{i}" for i in range(N_CONFLICTS)]
        self.people = {s: [f"{s.lower()}-person-{j}" for j in range(2)] for s in self.states}
        self.positions = {s: [f"{s.lower()}-{r}" for r in ROLES[:2]] for s in self.states}

    def files(self, rnd: random.Random) -> dict[str, str]:
        out = {}
        lines = ["# Synthetic states (benchmarks/generate.py).", "states:"]
        for s in self.states:
            lines += [f"  - id: {s}", f"    label: State {s}", f"    aliases: [Capital of {s}]"]
        out["states.yaml"] = "\n".join(lines) + "\n"

        lines = ["forces:"]
        for s in self.states:
            top, *units = self.forces[s]
            lines += [f"  - id: {top}", f"    label: Armed forces of {s}", "    kind: armed-forces",
                      f"    state: {s}"]
            for kind, unit in zip(FORCE_KINDS, units):
                lines += [f"  - id: {unit}", f"    label: {kind.replace('-', ' ').title()} of {s}",
                          f"    kind: {kind}", f"    part_of: {top}"]
            lines += [f"  - id: {self.fleets[s]}", f"    label: Fleet of the navy of {s}", "    kind: fleet",
                      f"    part_of: {s.lower()}-navy"]
        out["forces.yaml"] = "\n".join(lines) + "\n"

        lines = ["people:"]
        for s in self.states:
            for p in self.people[s]:
                lines += [f"  - id: {p}", f"    label: Person {p.split('-')[-1]} of {s}"]
        lines += ["", "positions:"]
        for s in self.states:
            for role, pos in zip(ROLES, self.positions[s]):
                lines += [f"  - id: {pos}", f"    label: {role.replace('-', ' ').title()} of {s}",
                          f"    role: {role}", f"    state: {s}"]
        out["people.yaml"] = "\n".join(lines) + "\n"

        lines = ["places:"]
        for p in self.places:
            lines += [f"  - id: {p}", f"    label: Sea {p[-3:]}", "    kind: body-of-water",
                      f"    borders: [{', '.join(self.place_borders[p])}]"]
        out["places.yaml"] = "\n".join(lines) + "\n"

        lines = ["weapons:"]
        for i, w in enumerate(self.weapons):
            lines += [f"  - id: {w}", f"    label: Weapon system {i}", f"    category: {CATEGORIES[i % len(CATEGORIES)]}"]
        out["weapons.yaml"] = "\n".join(lines) + "\n"

        lines = ["organisations:"]
        for o in self.orgs:
            lines += [f"  - id: {o}", f"    label: News outlet {o[-2:]}", "    kind: news-outlet"]
        out["organisations.yaml"] = "\n".join(lines) + "\n"

        lines = ["conflicts:"]
        for i, c in enumerate(self.conflicts):
            lines += [f"  - id: {c}", f"    label: Conflict {i}",
                      f"    parties: [{', '.join(sorted(rnd.sample(self.states, 2)))}]"]
        out["conflicts.yaml"] = "\n".join(lines) + "\n"
        return out


def _day(rnd: random.Random) -> dt.date:
    return dt.date(2020, 1, 1) + dt.timedelta(days=rnd.randrange(2000))


def _flow(items) -> str:
    return "[" + ", ".join(items) + "]"


def article_yaml(i: int, reg: Registry, rnd: random.Random, violation: str | None = None) -> str:
    """The fact file of synthetic article ``i`` (with one seeded violation, if given)."""
    aid = f"gen-{i:06d}"
    published = _day(rnd)
    lines = [
        f"# Synthetic article {i} (benchmarks/generate.py).",
        "article:",
        f"  id: {aid}",
        f"  title: Synthetic report number {i} on military cooperation",
        f"  publisher: {rnd.choice(reg.orgs)}",
        f"  published: {published.isoformat()}",
        "  language: en",
        f"  source: synthetic-{i:06d}.txt",
        "",
        "facts:",
    ]
    # the exercise: forces of 2-4 states, observers from other states
    n_states = rnd.randint(2, 4)
    states = rnd.sample(reg.states, n_states + 3)
    taking_part, others = states[:n_states], states[n_states:]
    forces = []
    for s in taking_part:
        forces += rnd.sample(reg.forces[s][1:] + [reg.fleets[s]], rnd.randint(1, 2))
    forces = forces[:6]
    observers = others[:rnd.randint(0, 3)]
    joint = True
    if violation == "observer-participates":
        observers = [taking_part[0]]
    if violation == "joint-one-state":
        forces = reg.forces[taking_part[0]][1:3]
    start = _day(rnd)
    days = rnd.randint(1, 10)
    end = start + dt.timedelta(days=days - 1)
    duration = f"P{days}D"
    if violation == "end-before-start":
        end, duration = start - dt.timedelta(days=3), None
    if violation == "duration-mismatch":
        duration = f"P{days + 2}D"
    lines += [
        "  - type: exercise",
        f"    id: {aid}-exercise",
        f"    kind: {rnd.choice(EXERCISE_KINDS)}",
        f"    joint: {'true' if joint else 'false'}",
        f"    codename: Drill {i}",
        "    at: [1, 2]",
        f"    participants: {_flow(forces)}",
        f"    host: {forces[0]}",
    ]
    if observers:
        lines.append(f"    observers: {_flow(observers)}")
    if rnd.random() < 0.9:
        lines.append(f"    location: [{rnd.choice(reg.places)}]")
    if rnd.random() < 0.95 or violation in ("end-before-start", "duration-mismatch"):
        lines.append(f"    start: {start.isoformat()}")
        lines.append(f"    end: {end.isoformat()}")
        if duration:
            lines.append(f"    duration: {duration}")
    lines.append(f"    activities: {_flow(rnd.sample(ACTIVITIES, rnd.randint(1, 4)))}")
    troops = rnd.randint(5, 400) * 100
    lines += [
        "    strength:",
        f"      - {{id: troops, value: {troops}, bound: {rnd.choice(BOUNDS)}, unit: troops}}",
        f"      - {{id: kit, value: {rnd.randint(20, 900)}, unit: weapons-units}}",
        f"      - {{value: {rnd.randint(1, 19)}, unit: aircraft, within: kit}}",
        "    roles:",
        f"      commander: [{reg.people[taking_part[0]][0]}]",
    ]
    if rnd.random() < 0.5:
        lines += [
            "    claims:",
            "      - id: spokesperson",
            f"        by: [{reg.people[taking_part[1]][1]}]",
            "        at: [2]",
            "        certainty: attributed",
            f"        said: {{as_said: {rnd.choice(WEEKDAYS)}, basis: weekday-unresolved}}",
            "        gives: [participants]",
        ]

    transfers = []
    for t in range(rnd.randint(1, 3)):
        supplier, recipient = rnd.sample(reg.states, 2)
        if violation == "supplier-is-recipient" and t == 0:
            recipient = supplier
        tid = f"{aid}-transfer-{t}"
        transfers.append(tid)
        lines += [
            "",
            "  - type: arms-transfer",
            f"    id: {tid}",
            f"    at: [{3 + t}]",
            f"    supplier: {supplier}",
            f"    recipient: {recipient}",
            f"    weapon: {rnd.choice(reg.weapons)}",
            f"    status: {rnd.choice(STATUSES)}",
        ]
        if rnd.random() < 0.7:
            lines.append(f"    quantity: {rnd.randint(1, 400)}")
        if rnd.random() < 0.2:
            lines.append(f"    used_in: [{rnd.choice(reg.conflicts)}]")
        if rnd.random() < 0.3:
            lines.append("    certainty: reported")
        if rnd.random() < 0.3:
            ordered = rnd.randint(2, 60)
            lines.append(f"    ordered: {{value: {ordered}, unit: systems}}")
            lines.append(f"    delivered: {{value: {rnd.randint(1, ordered)}, of: {ordered}, unit: systems}}")
            lines.append(f"    ordered_on: {(published - dt.timedelta(days=rnd.randint(30, 900))).strftime('%Y-%m')}")
        if t > 0 and rnd.random() < 0.4:
            lines += ["    links:", f"      batch-of: [{transfers[0]}]"]
        if rnd.random() < 0.15:
            lines += [
                "    claims:",
                "      - id: report",
                f"        by: [{rnd.choice(reg.orgs)}]",
                f"        at: [{3 + t}]",
                "        certainty: attributed",
                f"        values: {{quantity: {{value: {rnd.randint(2, 90) * 10}, bound: about}}}}",
                "      - id: retraction",
                "        mode: retracts",
                "        of: report",
                f"        by: [{rnd.choice(reg.orgs)}]",
                f"        at: [{3 + t}]",
                "        certainty: attributed",
            ]

    if rnd.random() < 0.1:
        # a transfer that many articles report (the same fact node, one claim per article)
        k = rnd.randrange(N_COMMON)
        crnd = random.Random(k)
        supplier, recipient = crnd.sample(reg.states, 2)
        lines += [
            "",
            "  - type: arms-transfer",
            f"    id: common-transfer-{k}",
            "    at: [5]",
            f"    supplier: {supplier}",
            f"    recipient: {recipient}",
            f"    weapon: {crnd.choice(reg.weapons)}",
            f"    status: {crnd.choice(STATUSES)}",
            f"    quantity: {crnd.randint(1, 50)}",
        ]

    for k in range(2):
        s = taking_part[k]
        j = rnd.randrange(2)
        lines += [
            "",
            "  - type: position-held",
            f"    id: {aid}-position-{k}",
            "    at: [6]",
            f"    person: {reg.people[s][j]}",
            f"    position: {reg.positions[s][j]}",
        ]

    lines += [
        "",
        "  - type: denial",
        f"    id: {aid}-denial",
        "    at: [7]",
        f"    by: [{taking_part[0]}]",
        f"    denies: [{transfers[0]}]",
        f"    disputes: [{transfers[-1]}]",
    ]
    return "\n".join(lines) + "\n"


#: the file that marks a folder as a project this script wrote (and may write again)
MARKER = ".kg-generated"


class NotGenerated(Exception):
    """The folder holds something this script did not write: it is left as it is."""


def _check_out(out: Path) -> None:
    """``out`` may be missing, an empty folder, or a project this script wrote before (its
    marker file says so); anything else is refused, so that no one's data is replaced."""
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise NotGenerated(f"{out}: not a folder; give a new or empty folder")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise NotGenerated(f"{out}: a folder this script did not write (no {MARKER} in it); "
                           "it is left as it is: give a new or empty folder")


def generate(out: Path, articles: int, seed: int = 1, violations: int = 0) -> Path:
    """Write the synthetic project to ``out``: a new or empty folder, or one this script wrote
    before (its ontology/, queries/ and data/ are then replaced). Raises :class:`NotGenerated`
    for any other folder, and changes nothing in it."""
    out = Path(out)
    _check_out(out)
    rnd = random.Random(seed)
    reg = Registry(rnd)
    out.mkdir(parents=True, exist_ok=True)
    (out / MARKER).write_text("a synthetic project written by benchmarks/generate.py\n", encoding="utf-8")
    for name in ("ontology", "queries"):
        if (out / name).exists():
            shutil.rmtree(out / name)
        shutil.copytree(ROOT / name, out / name)
    if (out / "data").exists():
        shutil.rmtree(out / "data")
    (out / "data" / "reference").mkdir(parents=True)
    (out / "data" / "articles").mkdir(parents=True)
    for name, text in reg.files(rnd).items():
        (out / "data" / "reference" / name).write_text(text, encoding="utf-8")
    seeded = [kind for kind in VIOLATION_SHAPES for _ in range(violations)]
    if len(seeded) > articles:
        raise ValueError(f"{len(seeded)} seeded violations need at least as many articles")
    for i in range(articles):
        text = article_yaml(i, reg, random.Random(seed * 1_000_003 + i), seeded[i] if i < len(seeded) else None)
        (out / "data" / "articles" / f"gen-{i:06d}.yaml").write_text(text, encoding="utf-8")
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path, help="the project folder to write")
    ap.add_argument("--articles", type=int, default=100, help="how many fact files (default 100)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("--violations", type=int, default=0,
                    help="seed this many violations of each shape in VIOLATION_SHAPES (default 0)")
    args = ap.parse_args(argv)
    try:
        generate(args.out, args.articles, args.seed, args.violations)
    except NotGenerated as exc:
        print(f"Error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    print(f"{args.out}: {args.articles} articles, {args.violations * len(VIOLATION_SHAPES)} seeded violations")


if __name__ == "__main__":
    main()
