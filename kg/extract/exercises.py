"""The exercise component's readings of a sentence that the drafter's word-by-word rules miss:
lists of states and the role the whole list has, the clauses that are about something else,
and an exercise's dates as the claims model gives them.

Each reading is a typed record (``StateList``, ``When``) made from a sentence's plain text and
its mentions (``kg.extract.mentions.Mention``); ``kg.extract.draft`` reads them when it fills an
exercise's participants, participant states, observers and dates.

- ``state_lists(text, mentions)``: the coordinated runs of states ("A, B, C and D", "A as well
  as B") with the role the words around the run give it: ``participant`` (a list of countries
  taking part, contributing, included, joining), ``observer`` ("... make up the observer
  nations", "... as observers"), ``elsewhere`` (taking part in a named programme that is not the
  exercise) or ``None`` (the words say nothing about the exercise);
- ``aside_spans(text)``: absolute clauses ("..., with China pressing on with manoeuvres across
  the region") whose names are not the exercise's;
- ``when(...)``: a start or end as a date where the text and the article's date fix one, else
  what the text gives (a day with no year, a weekday) with its basis.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from . import lexicon as lx
from .dates import DateMention, month_number
from .mentions import Mention

#: what may stand between two members of a list of states
_JOIN = re.compile(r"\s*(?:,\s*(?:and\s+|or\s+)?|and\s+|or\s+|as\s+well\s+as\s+|plus\s+|along\s+with\s+|"
                   r"together\s+with\s+)(?:also\s+)?(?:the\s+)?", re.I)
#: a list of states is taking part when it is introduced or followed by these
_PARTICIPANT_CUE = re.compile(
    r"\b(?:participat\w*|participants?|tak(?:e|es|ing)\s+part|took\s+part|join(?:s|ed|ing)?\b|involv\w*|"
    r"contribut\w*|line-?up|roster|include[sd]?|including|bring\w*\s+together|brought\s+together|"
    r"(?:countries|nations|states|members)\s*(?::|are|were|will\s+be|is))\b", re.I)
#: a list of states right after "held ... with", "open ... alongside"
_HELD_WITH = re.compile(r"\b(?:held|holds?|holding|conduct\w*|stag\w*|open\w*|begin|began|begun|start\w*|"
                        r"launch\w*|kick\w*\s+off)\b[^,;]{0,60}\b(?:with|alongside)\s+(?:the\s+)?$", re.I)
#: a list of states observes
_OBSERVER_CUE = re.compile(r"\bobserv\w*\b", re.I)
#: taking part in a named programme or project, which is not the exercise
_ELSEWHERE = re.compile(
    r"\b(?i:tak(?:e|es|ing)\s+part|took\s+part|participat\w*|involved)\s+(?i:in|through|via)\s+(?:the\s+)?"
    r"(?P<name>(?:[A-Z][\w'-]*\s+){0,5}(?:Project|Programme|Program|Initiative|Plan|Operation|Mission|Fund|"
    r"Scheme))\b")
#: people of a state ("the ambassadors of A and B"), who are not its forces
_PEOPLE_OF = re.compile(r"\b(?:ambassadors?|envoys?|diplomats?|ministers?|leaders?|officials?|presidents?|"
                        r"heads?|representatives?|citizens|nationals|governments?)\b[^,;]*\bof\s+(?:the\s+)?$", re.I)
#: how far before a list its cue may stand, in characters
_CUE_REACH = 90


@dataclass(frozen=True)
class StateList:
    """A coordinated run of states in one sentence and the role its words give it."""

    members: tuple[Mention, ...]
    start: int
    end: int
    #: "participant", "observer", "elsewhere" (taking part in something else), "people" (its
    #: envoys, officials...) or None
    role: str | None
    #: the words that gave the role, for the fact's cues
    cue: str = ""


def _runs(text: str, mentions: list[Mention]) -> list[list[Mention]]:
    states = [m for m in mentions if m.kind == "state" and not m.possessive]
    runs: list[list[Mention]] = []
    for m in states:
        if runs and _JOIN.fullmatch(text[runs[-1][-1].end:m.start]):
            runs[-1].append(m)
        else:
            runs.append([m])
    return runs


def state_lists(text: str, mentions: list[Mention], clause_of=None) -> list[StateList]:
    """The runs of states of a sentence, each with the role its words give it. ``clause_of``
    maps an offset to the (start, end) of its clause; without it, the sentence is one clause."""
    out = []
    for run in _runs(text, mentions):
        a, b = run[0].start, run[-1].end
        c0, c1 = clause_of(a) if clause_of else (0, len(text))
        if clause_of and c0 and text[:c0].rstrip().endswith(":"):  # "seven countries: A, B and C"
            c0 = clause_of(len(text[:c0].rstrip()) - 1)[0]
        c1 = max(c1, clause_of(b - 1)[1]) if clause_of else c1
        before = text[max(c0, a - _CUE_REACH, 0):a]
        after = text[b:c1]
        role, cue = None, ""
        if (m := _ELSEWHERE.search(before)) or (m := _ELSEWHERE.search(after)):
            role, cue = "elsewhere", m.group()
        elif (m := _OBSERVER_CUE.search(after)) or (m := _OBSERVER_CUE.search(before[-40:])):
            role, cue = "observer", m.group()
        elif m := _PEOPLE_OF.search(before):
            role, cue = "people", m.group()
        elif len(run) < 2:
            pass  # a lone state: the drafter's own rules read its role (and its force)
        elif (m := _PARTICIPANT_CUE.search(before)) or (m := _PARTICIPANT_CUE.search(after)) \
                or (m := _HELD_WITH.search(before)):
            role, cue = "participant", m.group()
        out.append(StateList(tuple(run), a, b, role, cue))
    return out


#: an absolute clause after a comma: ", with China pressing on with ..."
_ASIDE = re.compile(r",\s+with\s+(?:the\s+)?(?:[A-Z][\w'.-]*\s+){1,4}(?:\w+ly\s+)?\w+ing\b[^;]*", re.U)


def aside_spans(text: str) -> list[tuple[int, int]]:
    """Absolute clauses, whose actors and places are not the sentence's event's."""
    return [(m.start(), m.end()) for m in _ASIDE.finditer(text)]


#: a force or state sends something to the exercise
_CONTRIBUTE = re.compile(r"\b(?:sent|sends|sending|contribut\w*|provid\w*|deploy\w*|dispatch\w*|represented\s+by)\b", re.I)


def contributes(text: str) -> bool:
    """The sentence says that someone sends forces or equipment ("X is sending two frigates")."""
    return bool(_CONTRIBUTE.search(text))


#: a dateline before a report's first sentence: "KIEL, Sept. 8 -", "SYDNEY (Reuters) -"
_DATELINE = re.compile(r"^(?:[A-Z][A-Z.'-]+(?:\s+[A-Z][A-Z.'-]+){0,3},?\s+)(?:[A-Z][a-z]{2,8}\.?\s+\d{1,2},?\s*)?"
                       r"(?:\(\s*[\w .&'-]+\s*\)\s*)?[-\u2013\u2014:]\s+")
#: a name in apposition to an exercise: "Cobra Gold, the biggest military exercise", "'Mosi II', a
#: trilateral naval exercise", "This Cobra Gold is the 36th joint exercise"
CODENAME_APPOSITION = re.compile(
    r"(?:^|(?<=\s)|(?<=\u2018)|(?<=[\"'\u201c]))(?P<name>[A-Z][a-z][\w-]*(?:\s+(?:[A-Z][\w-]*|[IVX]+|\d{1,2}))"
    r"{0,3})[\"'\u2019\u201d]?(?:,\s+|\s+(?:is|was|will\s+be)\s+)(?:the|a|an)\s+(?:[\w-]+\s+){0,5}"
    r"(?:exercises?|drills?|war\s*games|manoeuvres|maneuvers)\b")


def dateline_end(text: str) -> int:
    """Where the text after a dateline starts (0 where there is none): a dateline's place or
    outlet is never a codename."""
    m = _DATELINE.match(text)
    return m.end() if m else 0


# --- dates ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class When:
    """A start or end as the claims model gives it: a date, or what the text gives and how it
    was read (``basis``: a concept of the date-basis scheme)."""

    date: str | None = None
    month_day: str | None = None
    as_said: str | None = None
    basis: str | None = None

    def value(self):
        """The fact file's value: a plain date where it was stated, else a mapping."""
        if self.date and self.basis in (None, "stated"):
            return self.date
        return {k: v for k, v in (("date", self.date), ("month_day", self.month_day), ("as_said", self.as_said),
                                  ("basis", self.basis)) if v}


_MONTH_DAY = re.compile(r"(?P<m>[A-Z][a-z]{2,8}\.?)\s+(?P<d>\d{1,2})\b|\b(?P<d2>\d{1,2})\s+(?P<m2>[A-Z][a-z]{2,8}\.?)")
_WEEKDAY = re.compile(r"\b(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b")


def unresolved_day(text: str) -> When | None:
    """A day the text gives without a year ("Feb. 14", "21 August") or a weekday ("Sunday"),
    when the article's date cannot fix it."""
    m = _MONTH_DAY.search(text)
    if m:
        month, day = (m.group("m"), m.group("d")) if m.group("m") else (m.group("m2"), m.group("d2"))
        try:
            n = month_number(month)
        except KeyError:
            n = None
        if n and 1 <= int(day) <= 31:
            return When(month_day=f"--{n:02d}-{int(day):02d}", as_said=m.group().strip(), basis="no-year")
    w = _WEEKDAY.search(text)
    if w:
        return When(as_said=w.group(), basis="weekday-unresolved")
    return None
