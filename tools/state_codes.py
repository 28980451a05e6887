#!/usr/bin/env python3
"""Write the Correlates of War and Gleditsch-Ward numbers of every state into
data/reference/states.yaml, from the countrycode package (Arel-Bundock's converter, the one
political scientists use; its ``cown`` and ``gwn`` codes), so that nobody types a table of them.

    pip install countrycode==0.6.0   # the version constraints.txt pins
    python tools/state_codes.py [--check]

Each state's ``cow:`` and ``gw:`` lines are put after its ``label:`` line (replacing any
already there); a state the lists have no number for gets none. The rest of the file (comments,
aliases, order) is left as it is. ``--check`` writes nothing and exits 1 when the file differs
from what the package gives (``tests/test_reference.py`` runs the same comparison).
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

STATES = Path(__file__).resolve().parents[1] / "data" / "reference" / "states.yaml"


def codes(ids: list[str]) -> dict[str, dict[str, int]]:
    """ISO 3166-1 alpha-3 -> {"cow": n, "gw": n}, the numbers countrycode knows."""
    from countrycode import countrycode

    out: dict[str, dict[str, int]] = {i: {} for i in ids}
    for key, destination in (("cow", "cown"), ("gw", "gwn")):
        for i, n in zip(ids, countrycode(ids, origin="iso3c", destination=destination)):
            if n is not None and str(n).strip() not in ("", "nan", "None"):
                out[i][key] = int(n)
    return out


def with_codes(text: str) -> str:
    """``text`` (states.yaml) with every state's codes after its label."""
    lines = text.splitlines(keepends=True)
    ids = [m.group(1) for line in lines if (m := re.match(r"  - id: ([A-Z]{3})\s*$", line))]
    table = codes(ids)
    out: list[str] = []
    current = None
    for line in lines:
        m = re.match(r"  - id: ([A-Z]{3})\s*$", line)
        if m:
            current = m.group(1)
        elif current and re.match(r"    (cow|gw): ", line):
            continue  # written again below
        out.append(line)
        if current and line.startswith("    label: "):
            for key in ("cow", "gw"):
                if key in table[current]:
                    out.append(f"    {key}: {table[current][key]}\n")
    return "".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="write nothing; exit 1 when the file is out of date")
    args = ap.parse_args(argv)
    text = STATES.read_text(encoding="utf-8")
    new = with_codes(text)
    if args.check:
        return 0 if new == text else 1
    if new != text:
        STATES.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
