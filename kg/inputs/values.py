"""One checker per kind of value, used wherever a value comes in: the fact reader, the
reference reader, the Turtle reader (IRIs) and the binding of query parameters.

Each checker takes the text as given and ``what`` (how an error names the value, such as
``'published'`` or ``parameter 'since'``), and returns the value or raises ``BadValue`` with a
one-line reason; the caller adds the file and line. Every checker reads ASCII digits only
(Python's ``int`` and ``\\d`` also take Arabic-Indic or full-width ones), refuses a trailing
line break (``\\Z``, never ``$``) and refuses what would make a literal or an IRI that an RDF
tool cannot read (a month 00, a duration too long for a date library, a NUL in an IRI).

Text is one line without control characters, except where a kind is free prose (a line
break is then allowed, nothing else); a lone surrogate (a byte that was not UTF-8, as Python
decodes command-line arguments) is refused everywhere.
"""
from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass

#: the longest text value, in characters
MAX_TEXT = 10_000
#: the most digits a whole number may have (it fits in 64 bits, as every engine needs)
MAX_DIGITS = 18
#: the most digits one number of a duration may have
MAX_DURATION_DIGITS = 9

ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,119}\Z")
DATE_RE = re.compile(r"^([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?\Z")
DURATION_RE = re.compile(
    r"^P(?=[0-9]|T[0-9])(?:([0-9]+)Y)?(?:([0-9]+)M)?(?:([0-9]+)W)?(?:([0-9]+)D)?"
    r"(?:T(?=[0-9])(?:([0-9]+)H)?(?:([0-9]+)M)?(?:([0-9]+)S)?)?\Z")
INTEGER_RE = re.compile(r"^[+-]?[0-9]+\Z")
WIKIDATA_RE = re.compile(r"^Q[1-9][0-9]*\Z")
#: what the shapes accept for ``schema:inLanguage`` (a BCP 47 tag such as en or pt-BR)
LANGUAGE_RE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{1,8})*\Z")
HTTP_URL_RE = re.compile(r"^https?://[^\s<>\"{}|\\^`]+\Z")
#: characters that RFC 3987 never allows in an IRI (control characters are refused apart)
_IRI_FORBIDDEN = re.compile(r'[ <>"{}|^`\\]')
#: YAML 1.1's words for true and false (what its resolver types as a boolean)
BOOLEANS = {w: True for w in ("true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON")}
BOOLEANS.update({w: False for w in ("false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF")})

#: what is never shown as it is: the control characters (Unicode category Cc), the line and
#: paragraph separators (Zl, Zp) and lone surrogates (Cs: bytes that were not UTF-8)
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_LINE_BREAKS = "\n\r\x0b\x0c\x85\u2028\u2029"


class BadValue(ValueError):
    """A value is not of its kind; ``str()`` is the reason, one line."""


@dataclass(frozen=True)
class Date:
    """A date as precise as the source gives it: ``2025-07-21``, ``2025-07`` or ``2025``."""

    text: str

    @property
    def precision(self) -> str:
        return {10: "day", 7: "month", 4: "year"}[len(self.text)]


def quoted(text: str, limit: int = 60) -> str:
    """``repr`` of a value, cut to ``limit`` characters (errors stay readable and one line)."""
    if len(text) > limit:
        text = text[:limit] + "..."
    return repr(text)


def _escape(m: re.Match) -> str:
    c = m.group(0)
    if 0xDC80 <= ord(c) <= 0xDCFF:  # surrogateescape: the byte itself
        return f"\\x{ord(c) - 0xDC00:02x}"
    return repr(c)[1:-1]


def escape_controls(text: str) -> str:
    """``text`` with every control character, line break and lone surrogate written as an
    escape (``\\n``, ``\\x1b``; a byte that was not UTF-8 as ``\\xff``), so that it prints as
    one line and moves no cursor."""
    return _CONTROL.sub(_escape, text)


# --- text ----------------------------------------------------------------------------------


def text(value: str, what: str, *, line_breaks: bool = False, controls: bool = False,
         max_chars: int = MAX_TEXT, empty: bool = False) -> str:
    """A text value: valid Unicode, at most ``max_chars`` characters, not blank (unless
    ``empty``), with no control character (``line_breaks``: but for ``\\n``; ``controls``: any
    control character, as a search string may hold)."""
    bad = _SURROGATE.search(value)
    if bad:
        c = ord(bad.group(0))
        shown = f"byte 0x{c - 0xDC00:02x}" if 0xDC80 <= c <= 0xDCFF else f"U+{c:04X}"
        raise BadValue(f"{what} is not UTF-8 text ({shown} at character {bad.start() + 1})")
    if len(value) > max_chars:
        raise BadValue(f"{what} is {len(value):,} characters long; at most {max_chars:,} are allowed")
    if not empty and not value.strip():
        raise BadValue(f"{what} is empty")
    if not controls:
        for m in _CONTROL.finditer(value):
            c = m.group(0)
            if line_breaks and c == "\n":
                continue
            kind = "a line break" if c in _LINE_BREAKS else "a control character"
            raise BadValue(f"{what} holds {kind} (U+{ord(c):04X}) at character {m.start() + 1}")
    return value


def language(value: str, what: str) -> str:
    """A language tag such as ``en`` or ``pt-BR``."""
    if not LANGUAGE_RE.match(value):
        raise BadValue(f"{what} must be a language tag such as en or pt-BR, not {quoted(value)}")
    return value


def identifier(value: str, what: str = "id") -> str:
    """An id: letters, digits, '.', '_' and '-', at most 120 (so every IRI made of it parses)."""
    if not ID_RE.match(value):
        raise BadValue(f"{what} {quoted(value)} must start with a letter or digit and use only letters, digits, "
                       "'.', '_' and '-' (at most 120 characters)")
    return value


def wikidata(value: str, what: str) -> str:
    if not WIKIDATA_RE.match(value):
        raise BadValue(f"{what} must be a Wikidata item id such as Q794, not {quoted(value)}")
    return value


# --- numbers and truth -----------------------------------------------------------------------


def integer(value: str, what: str, low: int | None = None, high: int | None = None) -> int:
    """A whole number in ASCII digits with an optional sign, from ``low`` to ``high``."""
    digits = value.lstrip("+-")
    if not INTEGER_RE.match(value) or len(digits) > MAX_DIGITS:
        raise BadValue(f"{what} must be a whole number, not {quoted(value)}")
    n = int(value)
    if (low is not None and n < low) or (high is not None and n > high):
        span = f"from {low}" if high is None else f"from {low} to {high}" if low is not None else f"up to {high}"
        raise BadValue(f"{what} must be a whole number {span}, not {n}")
    return n


NUMBER_RE = re.compile(r"^[0-9]{1,18}(?:\.[0-9]{1,9})?\Z")
CURRENCY_RE = re.compile(r"^[A-Z]{3}\Z")
MONTH_DAY_RE = re.compile(r"^--([0-9]{2})-([0-9]{2})\Z")


def number(value: str, what: str) -> str:
    """A whole or decimal number, not negative, in ASCII digits (``8.1``, ``50000``)."""
    if not NUMBER_RE.match(value):
        raise BadValue(f"{what} must be a number such as 42 or 8.1, not {quoted(value)}")
    if "." in value:
        value = value.rstrip("0").rstrip(".")
    return value


def currency(value: str, what: str) -> str:
    """An ISO 4217 currency code such as USD or EUR."""
    if not CURRENCY_RE.match(value):
        raise BadValue(f"{what} must be an ISO 4217 currency code such as USD, not {quoted(value)}")
    return value


def month_day(value: str, what: str) -> str:
    """A day of the year with no year, ``--MM-DD`` (``xsd:gMonthDay``)."""
    m = MONTH_DAY_RE.match(value)
    if m:
        try:
            _dt.date(2000, int(m.group(1)), int(m.group(2)))  # 2000: a leap year, so --02-29 is a day
            return value
        except ValueError:
            pass
    raise BadValue(f"{what} must be a day with no year such as --09-07, not {quoted(value)}")


def boolean(value: str, what: str) -> bool:
    """true or false (and YAML's other words for them: yes/no, on/off)."""
    found = BOOLEANS.get(value)
    if found is None:
        raise BadValue(f"{what} must be true or false, not {quoted(value)}")
    return found


# --- dates and durations ---------------------------------------------------------------------

_PRECISION_FORMS = {"day": "YYYY-MM-DD", "month": "YYYY-MM", "year": "YYYY"}


def date(value: str, what: str, precisions: tuple[str, ...] = ("day", "month", "year")) -> Date:
    """A real date of a plausible year, as precise as one of ``precisions``."""
    m = DATE_RE.match(value)
    found = Date(value) if m else None
    if found is None or found.precision not in precisions:
        forms = [_PRECISION_FORMS[p] for p in precisions]
        shown = forms[0] if len(forms) == 1 else ", ".join(forms[:-1]) + " or " + forms[-1]
        raise BadValue(f"{what} must be a date {shown}, not {quoted(value)}")
    year, month, day = (int(g) if g is not None else None for g in m.groups())
    try:  # a month or day 00 is no date (``None`` stands for a part the date does not give)
        _dt.date(year, 1 if month is None else month, 1 if day is None else day)
    except ValueError:
        raise BadValue(f"{what} is not a real date: {value}") from None
    if year < 1000:
        raise BadValue(f"{what} is not a plausible year: {value}")
    return found


def duration(value: str, what: str) -> str:
    """An ISO 8601 duration such as P3D, as ``xsd:duration`` (weeks become days); each number
    has at most 9 digits and the days and times fit a date library (999,999,999 days)."""
    m = DURATION_RE.match(value)
    if not m:
        raise BadValue(f"{what} must be an ISO 8601 duration such as P3D or P2W, not {quoted(value)}")
    years, months, weeks, days, hours, minutes, seconds = m.groups()
    numbers = [g for g in m.groups() if g is not None]
    try:
        if any(len(g.lstrip("0")) > MAX_DURATION_DIGITS for g in numbers):
            raise OverflowError
        if weeks:  # xsd:duration has no weeks
            days = str(int(weeks) * 7 + int(days or 0))
        _dt.timedelta(days=int(days or 0), hours=int(hours or 0), minutes=int(minutes or 0),
                      seconds=int(seconds or 0))
    except OverflowError:
        raise BadValue(f"{what} is too long a duration: {quoted(value)} (at most 999,999,999 days, "
                       f"and {MAX_DURATION_DIGITS} digits a number)") from None
    out = "P" + "".join(f"{v}{u}" for v, u in ((years, "Y"), (months, "M"), (days, "D")) if v)
    time = "".join(f"{v}{u}" for v, u in ((hours, "H"), (minutes, "M"), (seconds, "S")) if v)
    return out + ("T" + time if time else "")


# --- IRIs --------------------------------------------------------------------------------------


def bad_iri_character(value: str) -> str | None:
    """The first character that no IRI, absolute or relative, may hold, described; or None."""
    control = _CONTROL.search(value)
    if control:
        return f"it holds the control character U+{ord(control.group(0)):04X}"
    bad = _IRI_FORBIDDEN.search(value)
    return f"it holds {bad.group(0)!r}" if bad else None


def iri_problem(value: str) -> str | None:
    """Why ``value`` is not an absolute IRI (RFC 3987, as Oxigraph reads it), or None."""
    bad = bad_iri_character(value)
    if bad:
        return bad
    import pyoxigraph as ox

    try:
        ox.NamedNode(value)
    except ValueError as exc:
        return escape_controls(" ".join(str(exc).split())) or "it does not parse"
    return None


def iri(value: str, what: str) -> str:
    """An absolute IRI that every RDF tool reads."""
    if iri_problem(value) is not None:
        raise BadValue(f"{what}: {quoted(value)} is not a valid IRI")
    return value


def http_url(value: str, what: str) -> str:
    """An absolute http(s) URL (kept as ``xsd:anyURI``)."""
    if not HTTP_URL_RE.match(value) or iri_problem(value) is not None:
        raise BadValue(f"{what} must be an http(s) URL, not {quoted(value)}")
    return value
