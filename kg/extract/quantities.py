"""How many weapons a sentence says: exact ("2,400"), hedged ("about 300", "dozens") or
bounded ("up to 25", "more than 1,000")."""
from __future__ import annotations

import re
from dataclasses import dataclass

from . import lexicon as lx

_NUMWORD = "|".join(sorted(lx.NUMBER_WORDS, key=len, reverse=True))
_FILLER_STOP = frozenset("to with and by from for in of on at the a an or as than per each".split())
_BOUND_MAX = r"up\s+to|as\s+many\s+as|at\s+most|no\s+more\s+than|not\s+more\s+than|fewer\s+than|less\s+than|under"
_BOUND_MIN = r"more\s+than|over|at\s+least|upwards\s+of|in\s+excess\s+of|no\s+fewer\s+than"
_APPROX = r"about|around|approximately|roughly|some|nearly|almost|an\s+estimated|estimated|close\s+to|circa|" \
          r"an\s+unspecified|a\s+reported"
_NUMBER = rf"(?P<n>\d{{1,3}}(?:,\d{{3}})+|\d+(?:\.\d+)?|{_NUMWORD})(?:\s+(?P<scale>hundred|thousand|million|billion))?"
_VAGUE = r"(?P<vague>tens\s+of\s+thousands|hundreds\s+of\s+thousands|dozens|scores|hundreds|thousands|millions|" \
         r"several|a\s+few|a\s+batch|batches|a\s+number|numerous|many)"
_QUANTITY = re.compile(
    rf"(?:(?P<max>{_BOUND_MAX})|(?P<min>{_BOUND_MIN})|(?P<approx>{_APPROX}))?\s*(?<![\w.,-])(?:{_NUMBER}|{_VAGUE})"
    rf"(?:\s+of)?(?:\s+(?:rounds|units|pieces|batteries|sets|batches|shipments|consignments)\s+of)?(?P<filler>(?:\s+[\w\-.]+){{0,3}})\s*$", re.I)


@dataclass(frozen=True)
class Quantity:
    text: str
    qualifier: str             # exact, approximate, at-most, at-least, vague
    value: int | None = None   # the number, where there is one

    @property
    def exact(self) -> int | None:
        return self.value if self.qualifier == "exact" else None

    def describe(self) -> str:
        """In our words: "2400", "about 300", "up to 25", "dozens"."""
        if self.value is None:
            return self.text.casefold()
        prefix = {"exact": "", "approximate": "about ", "at-most": "up to ", "at-least": "more than "}[self.qualifier]
        return f"{prefix}{self.value}"


def _number(n: str, scale: str | None) -> int | None:
    n = n.casefold()
    if n in lx.NUMBER_WORDS:
        value: float = lx.NUMBER_WORDS[n]
    else:
        try:
            value = float(n.replace(",", ""))
        except ValueError:
            return None
    if scale:
        value *= lx.SCALE_WORDS[scale.casefold()]
    return int(round(value))


def quantity_before(text: str, end: int) -> Quantity | None:
    """The quantity that ends just before offset ``end`` of ``text`` (where a weapon's name
    starts), with at most three words between them ("2,400 Iranian-made drones")."""
    prefix = text[max(0, end - 90):end]
    # the leftmost match whose filler holds no stop word or number: "six tanks and 40 drones" is 40
    m = None
    for w in re.finditer(r"(?<![\w.,-])\S", prefix):
        cand = _QUANTITY.match(prefix, w.start())
        if cand is None:
            continue
        filler = cand.group("filler").split()
        if any(x.casefold() in _FILLER_STOP for x in filler) or any(re.match(r"^\d", x) for x in filler):
            continue
        m = cand
        break
    if m is None:
        return None
    start = m.start()
    # "in 2024 drones" is no quantity; nor a year
    if m.group("n") and re.fullmatch(r"(?:19|20)\d\d", m.group("n")):
        return None
    num_end = m.end("vague") if m.group("vague") else m.end("scale") if m.group("scale") else m.end("n")
    shown = prefix[start:num_end].strip()
    if m.group("vague"):
        return Quantity(shown, "vague", None)
    value = _number(m.group("n"), m.group("scale"))
    if value is None:
        return None
    if m.group("max"):
        qualifier = "at-most"
    elif m.group("min"):
        qualifier = "at-least"
    elif m.group("approx") or m.group("scale") and "." in m.group("n"):
        qualifier = "approximate"
    else:
        qualifier = "exact"
    return Quantity(shown, qualifier, value)


_RUNNING = re.compile(r"[^.;()]{0,40}?\(?\s*(?:up|down)\s+from\s+(?P<n>\d{1,3}(?:,\d{3})+|\d+)\b", re.I)


def running_total(text: str, start: int) -> int | None:
    """The previous figure of a running total that follows offset ``start`` (the weapon's name):
    "76 trucks (up from 60)" gives 60; else None."""
    m = _RUNNING.match(text, start)
    return int(m.group("n").replace(",", "")) if m else None


_CUMULATIVE = re.compile(r"\b(?:cumulative|total\s+of|combined)\s+$", re.I)


def cumulative(text: str, end: int, quantity: Quantity) -> bool:
    """True where ``quantity``, which ends before offset ``end`` (the weapon's name), is a
    running total told with no previous figure: "a cumulative 24 drones", "a total of 24"."""
    at = text.rfind(quantity.text, max(0, end - 90), end)
    return at >= 0 and bool(_CUMULATIVE.search(text[max(0, at - 30):at]))
