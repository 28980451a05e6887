"""Dates, date ranges and durations in an article's sentences.

Dates are found with patterns ("July 21", "21 July 2025", "Sept. 12", "July 21-23",
"in September", "in 2024", "on Monday") and read with dateutil; a date without a year is put
in the year that brings it closest to the article's date. Each keeps its precision: day,
month or year, written ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY`` as fact files do.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from dateutil import parser as du_parser
from dateutil.relativedelta import relativedelta

from . import lexicon as lx

_MONTH = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
          r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?")
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d\d"
_TO = r"\s*(?:-|\u2013|\u2014|to|through|until|till|and)\s*"
_WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"

_PATTERNS: list[tuple[str, re.Pattern]] = [
    ("iso", re.compile(rf"\b(?P<y>{_YEAR})-(?P<m>[01]\d)-(?P<d>[0-3]\d)\b")),
    # July 21 to August 2, 2025 / 21 July to 2 August 2025
    ("md-md", re.compile(rf"\b(?P<m1>{_MONTH})\s+(?P<d1>{_DAY}){_TO}(?P<m2>{_MONTH})\s+(?P<d2>{_DAY})\b"
                         rf"(?:,?\s+(?P<y>{_YEAR}))?")),
    ("dm-dm", re.compile(rf"\b(?P<d1>{_DAY})\s+(?P<m1>{_MONTH}){_TO}(?P<d2>{_DAY})\s+(?P<m2>{_MONTH})"
                         rf"(?:,?\s+(?P<y>{_YEAR}))?")),
    # July 21-23, 2025 / 21-23 July 2025
    ("m-dd", re.compile(rf"\b(?P<m1>{_MONTH})\s+(?P<d1>{_DAY}){_TO}(?P<d2>{_DAY})\b(?!\s*{_MONTH})"
                        rf"(?:,?\s+(?P<y>{_YEAR}))?")),
    ("dd-m", re.compile(rf"\b(?P<d1>{_DAY}){_TO}(?P<d2>{_DAY})\s+(?P<m1>{_MONTH})(?:,?\s+(?P<y>{_YEAR}))?")),
    # (Friday,) July 25(, 2025) / 25 July (2025)
    ("md", re.compile(rf"(?:\b{_WEEKDAY},?\s+)?\b(?P<m1>{_MONTH})\s+(?P<d1>{_DAY})\b(?:,?\s+(?P<y>{_YEAR}))?")),
    ("dm", re.compile(rf"(?:\b{_WEEKDAY},?\s+)?\b(?P<d1>{_DAY})\s+(?P<m1>{_MONTH})(?:,?\s+(?P<y>{_YEAR}))?")),
    # September 2025 / in (early|late|mid-) September
    ("my", re.compile(rf"\b(?P<m1>{_MONTH})\s+(?:of\s+)?(?P<y>{_YEAR})\b")),
    ("m", re.compile(rf"\b(?:in|early|late|mid|mid-|since|until|by|during|from|of|this|next|last)\s*"
                     rf"(?:-\s*)?(?P<m1>{_MONTH})(?![\w-])")),
    ("y", re.compile(rf"\b(?:in|since|until|by|during|from|of|early|late|mid)\s*-?\s*(?P<y>{_YEAR})\b(?!-\w|\w)")),
    ("weekday", re.compile(rf"\b(?:on\s+|last\s+|next\s+|this\s+)?(?P<w>{_WEEKDAY})\b")),
    ("rel", re.compile(r"\b(?P<r>yesterday|today|tomorrow)\b", re.I)),
]

_MONTH_NUM = {m: i for i, m in enumerate(
    "jan feb mar apr may jun jul aug sep oct nov dec".split(), start=1)}
_PAST = re.compile(r"\b(?:began|begun|started|kicked|launched|opened|held|was|were|had|did|took|ended|concluded|"
                   r"wrapped|last|ago|said|completed|arrived|delivered)\b", re.I)
_FUTURE = re.compile(r"\b(?:will|to\s+begin|to\s+start|to\s+launch|is\s+to|are\s+to|set\s+to|scheduled|"
                     r"planned|next|upcoming|due)\b", re.I)


@dataclass(frozen=True)
class DateMention:
    start: int
    end: int
    text: str
    value: str              # YYYY-MM-DD, YYYY-MM or YYYY
    end_value: str | None = None   # the last day of a range

    @property
    def precision(self) -> str:
        return {10: "day", 7: "month", 4: "year"}[len(self.value)]

    @property
    def is_range(self) -> bool:
        return self.end_value is not None


@dataclass(frozen=True)
class Duration:
    start: int
    end: int
    text: str
    iso: str
    days: int | None        # when it is a whole number of days or weeks


def month_number(text: str) -> int:
    return _MONTH_NUM[text.strip(".").casefold()[:3]]


def _closest_year(month: int, day: int, base: dt.date) -> int:
    best = None
    for year in (base.year - 1, base.year, base.year + 1):
        try:
            cand = dt.date(year, month, day)
        except ValueError:
            continue
        gap = abs((cand - base).days)
        if best is None or gap < best[0]:
            best = (gap, year)
    return best[1] if best else base.year


def _parse_day(month_text: str, day_text: str, year: int | None, base: dt.date | None) -> str | None:
    """A day's date read with dateutil; the year from the text, else the one closest to ``base``."""
    day_text = re.sub(r"(st|nd|rd|th)$", "", day_text)
    month = month_number(month_text)
    if year is None:
        if base is None:
            return None
        year = _closest_year(month, int(day_text), base)
    try:
        when = du_parser.parse(f"{month_text.strip('.')} {day_text} {year}",
                               default=dt.datetime(year, 1, 1))
    except (ValueError, OverflowError):
        return None
    return when.date().isoformat()


def _month(month_text: str, year: int | None, base: dt.date | None) -> str | None:
    month = month_number(month_text)
    if year is None:
        if base is None:
            return None
        year = _closest_year(month, 15, base)
    return f"{year:04d}-{month:02d}"


def find_dates(text: str, base: dt.date | None, offset: int = 0) -> list[DateMention]:
    """Every date and date range in ``text`` (leftmost, longest first), resolved against ``base``."""
    found: list[DateMention] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            s, e = m.span()
            if any(a < e and s < b for a, b in taken):
                continue
            got = _read(kind, m, text, base)
            if got is None:
                continue
            value, end_value = got
            found.append(DateMention(s + offset, e + offset, m.group(), value, end_value))
            taken.append((s, e))
    return sorted(found, key=lambda d: d.start)


def _read(kind: str, m: re.Match, text: str, base: dt.date | None):
    g = m.groupdict()
    year = int(g["y"]) if g.get("y") else None
    if kind == "iso":
        try:
            return dt.date(int(g["y"]), int(g["m"]), int(g["d"])).isoformat(), None
        except ValueError:
            return None
    if kind in ("md-md", "dm-dm"):
        a = _parse_day(g["m1"], g["d1"], year, base)
        b = _parse_day(g["m2"], g["d2"], year, base)
        return (a, b) if a and b and a <= b else None
    if kind in ("m-dd", "dd-m"):
        if _looks_like_word_month(g["m1"], text, m):
            return None
        a = _parse_day(g["m1"], g["d1"], year, base)
        b = _parse_day(g["m1"], g["d2"], year, base)
        return (a, b) if a and b and a <= b else None
    if kind in ("md", "dm"):
        if _looks_like_word_month(g["m1"], text, m):
            return None
        a = _parse_day(g["m1"], g["d1"], year, base)
        return (a, None) if a else None
    if kind == "my":
        return f"{year:04d}-{month_number(g['m1']):02d}", None
    if kind == "m":
        if _looks_like_word_month(g["m1"], text, m):
            return None
        a = _month(g["m1"], None, base)
        return (a, None) if a else None
    if kind == "y":
        return f"{year:04d}", None
    if kind == "weekday":
        if base is None:
            return None
        return _weekday(g["w"], text, m, base), None
    if kind == "rel":
        if base is None:
            return None
        shift = {"yesterday": -1, "today": 0, "tomorrow": 1}[g["r"].casefold()]
        return (base + dt.timedelta(days=shift)).isoformat(), None
    return None  # pragma: no cover


def _looks_like_word_month(month_text: str, text: str, m: re.Match) -> bool:
    """"May" the verb, "March" the verb; month names are capitalised."""
    if not month_text[:1].isupper():
        return True
    if month_text in ("May", "March") and re.match(r"\s+(?:have|be|not|also|well)\b", text[m.end():]):
        return True
    return False


def _weekday(name: str, text: str, m: re.Match, base: dt.date) -> str:
    """A weekday before or after the article's date, as the tense of its sentence says."""
    from dateutil.relativedelta import weekday as _wd

    target = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"].index(name.casefold())
    before = text[max(0, m.start() - 60):m.start()]
    prefix = m.group().casefold()
    future = prefix.startswith("next") or bool(_FUTURE.search(before))
    past = prefix.startswith("last") or (bool(_PAST.search(before + text[m.end():m.end() + 40])) and not future)
    if future:
        when = base + relativedelta(days=+1, weekday=_wd(target))
    elif past:
        when = base + relativedelta(weekday=_wd(target, -1))
    else:
        when = base + relativedelta(weekday=_wd(target))
        back = base + relativedelta(weekday=_wd(target, -1))
        if (base - back).days < (when - base).days:
            when = back
    return when.isoformat()


# --- durations ------------------------------------------------------------------------------

_NUM = r"(?:\d{1,3}|" + "|".join(sorted((w for w in lx.NUMBER_WORDS if " " not in w), key=len, reverse=True)) + ")"
_UNIT = {"day": "D", "week": "W", "month": "M", "year": "Y"}
_DURATIONS = [
    re.compile(rf"\b(?P<n>{_NUM})[-\s](?P<u>day|week|month|year)(?:s)?(?:-long)?\b", re.I),
    re.compile(rf"\b(?:for|lasting|last|lasts|lasted|over|spanning|spans)\s+(?:about\s+|some\s+)?"
               rf"(?P<n>{_NUM})\s+(?P<u>day|week|month|year)s?\b", re.I),
]


def find_durations(text: str, offset: int = 0) -> list[Duration]:
    """Durations such as "three-day", "two-week", "for 10 days"."""
    out: list[Duration] = []
    taken: list[tuple[int, int]] = []
    for pattern in _DURATIONS:
        for m in pattern.finditer(text):
            s, e = m.span()
            if any(a < e and s < b for a, b in taken):
                continue
            n_text = m.group("n").casefold()
            n = int(n_text) if n_text.isdigit() else lx.NUMBER_WORDS.get(n_text)
            if not n or n > 400:
                continue
            unit = _UNIT[m.group("u").casefold()]
            days = n if unit == "D" else n * 7 if unit == "W" else None
            # "a 2025 three-day drill" but not "the day after" or "two days later"
            after = text[e:e + 12].casefold()
            if re.match(r"\s*(?:later|after|before|ago|earlier)\b", after):
                continue
            out.append(Duration(s + offset, e + offset, m.group(), f"P{n}{unit}", days))
            taken.append((s, e))
    return sorted(out, key=lambda d: d.start)


def add_days(day: str, days: int) -> str:
    return (dt.date.fromisoformat(day) + dt.timedelta(days=days)).isoformat()


def inclusive_days(start: str, end: str) -> int:
    return (dt.date.fromisoformat(end) - dt.date.fromisoformat(start)).days + 1
