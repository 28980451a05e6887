"""The overview pictures, laid out on the server (no script): exercises on a timeline (from the
saved query ``exercises``) and arms transfers as flows from suppliers to recipients (from
``arms-transfers``). Dates keep the precision the articles give: a year or a month is drawn as
the whole span it names."""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date

from ..sparql.terms import Row, Term

_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def span(text: str) -> tuple[date, date] | None:
    """The days a date as given covers: ``2025`` the year, ``2025-03`` the month."""
    m = _DATE.match(text.strip())
    if not m:
        return None
    year, month, day = int(m.group(1)), m.group(2), m.group(3)
    try:
        if day:
            d = date(year, int(month), int(day))
            return d, d
        if month:
            last = calendar.monthrange(year, int(month))[1]
            return date(year, int(month), 1), date(year, int(month), last)
        return date(year, 1, 1), date(year, 12, 31)
    except ValueError:
        return None


@dataclass
class Bar:
    exercise: Term
    start: str
    end: str
    left: float  # per cent of the axis
    width: float
    row: Row


@dataclass
class Timeline:
    bars: list[Bar] = field(default_factory=list)
    undated: list[Row] = field(default_factory=list)
    #: (year, per cent of the axis where it begins)
    ticks: list[tuple[int, float]] = field(default_factory=list)


def timeline(rows: list[Row], labels: dict[str, str]) -> Timeline:
    """Each dated exercise as a bar from its first start to its last end (the start alone
    where no end is given), on an axis of whole years."""
    spans = []
    out = Timeline()
    for row in rows:
        starts = [s for s in (span(t) for t in _values(row, "start")) if s]
        ends = [s for s in (span(t) for t in _values(row, "end")) if s]
        if not starts:
            out.undated.append(row)
            continue
        first = min(s[0] for s in starts)
        last = max([s[1] for s in starts] + [e[1] for e in ends])
        spans.append((first, max(first, last), row))
    if not spans:
        return out
    lo = date(min(s[0] for s in spans).year, 1, 1)
    hi = date(max(s[1] for s in spans).year, 12, 31)
    total = (hi - lo).days + 1
    for first, last, row in sorted(spans, key=lambda s: (s[0], s[1], s[2]["exercise"].value)):
        left = 100 * (first - lo).days / total
        width = max(0.6, 100 * ((last - first).days + 1) / total)
        out.bars.append(Bar(row["exercise"], "; ".join(_values(row, "start")), "; ".join(_values(row, "end")),
                            round(left, 3), round(min(width, 100 - left), 3), row))
    years = hi.year - lo.year + 1
    step = next(n for n in (1, 2, 5, 10, 20, 50, 100, 1000) if years / n <= 10)  # ten labels at most
    out.ticks = [(y, round(100 * (date(y, 1, 1) - lo).days / total, 3))
                 for y in range(lo.year, hi.year + 1) if y % step == 0]
    return out


def _values(row: Row, key: str) -> list[str]:
    return [v for v in row[key].value.split("; ") if v] if key in row else []


@dataclass
class Flow:
    supplier: str
    recipient: str
    transfers: list[str]
    weapons: list[str]
    denied: list[str]
    path: str = ""
    stroke: float = 0


@dataclass
class Flows:
    flows: list[Flow]
    #: (IRI, x, y, height) of each supplier (left) and recipient (right) box
    suppliers: list[tuple[str, float, float, float]]
    recipients: list[tuple[str, float, float, float]]
    width: int = 900
    height: int = 0


def flows(rows: list[Row], labels: dict[str, str]) -> Flows:
    """Transfers grouped by supplier and recipient, laid out as a two-column flow picture: one
    band per pair, as thick as the transfers it holds."""
    pairs: dict[tuple[str, str], Flow] = {}
    for row in rows:
        key = (row["supplier"].value, row["recipient"].value)
        flow = pairs.setdefault(key, Flow(key[0], key[1], [], [], []))
        for name, into in (("transfer", flow.transfers), ("weapon", flow.weapons), ("deniedBy", flow.denied)):
            if name in row and row[name].value not in into:
                into.append(row[name].value)
    ordered = sorted(pairs.values(), key=lambda f: (-len(f.transfers), _name(f.supplier, labels),
                                                   _name(f.recipient, labels)))
    per_supplier: dict[str, int] = {}
    per_recipient: dict[str, int] = {}
    for f in ordered:
        per_supplier[f.supplier] = per_supplier.get(f.supplier, 0) + len(f.transfers)
        per_recipient[f.recipient] = per_recipient.get(f.recipient, 0) + len(f.transfers)
    unit, gap, top = 14.0, 12.0, 10.0

    def column(counts: dict[str, int], x: float) -> tuple[list[tuple[str, float, float, float]], float]:
        boxes, y = [], top
        for iri in sorted(counts, key=lambda i: (-counts[i], _name(i, labels))):
            h = max(22.0, counts[iri] * unit)
            boxes.append((iri, x, y, h))
            y += h + gap
        return boxes, y

    suppliers, left_h = column(per_supplier, 10)
    recipients, right_h = column(per_recipient, 690)
    used_out = {b[0]: b[2] for b in suppliers}
    used_in = {b[0]: b[2] for b in recipients}
    heights_out = {b[0]: b[3] / per_supplier[b[0]] for b in suppliers}
    heights_in = {b[0]: b[3] / per_recipient[b[0]] for b in recipients}
    for f in ordered:
        n = len(f.transfers)
        a = heights_out[f.supplier] * n
        b = heights_in[f.recipient] * n
        y1 = used_out[f.supplier] + a / 2
        y2 = used_in[f.recipient] + b / 2
        used_out[f.supplier] += a
        used_in[f.recipient] += b
        f.stroke = round(min(a, b), 2)
        f.path = f"M 210 {y1:.1f} C 450 {y1:.1f}, 450 {y2:.1f}, 690 {y2:.1f}"
    return Flows(ordered, suppliers, recipients, height=int(max(left_h, right_h) + top))


def _name(iri: str, labels: dict[str, str]) -> str:
    return (labels.get(iri) or iri).casefold()
