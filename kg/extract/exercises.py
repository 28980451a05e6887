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

from .dates import _DAY, _MONTH, _TO, DateMention, find_dates, month_number
from .mentions import Mention

#: what may stand between two members of a list of states
_JOIN = re.compile(r"\s*(?:,\s*(?:and\s+|or\s+)?|and\s+|or\s+|as\s+well\s+as\s+|plus\s+|along\s+with\s+|"
                   r"together\s+with\s+)(?:also\s+)?(?:the\s+)?", re.I)
#: a list of states is taking part when it is introduced or followed by these
_PARTICIPANT_CUE = re.compile(
    r"\b(?:participat\w*|participants?|tak(?:e|es|ing)\s+part|took\s+part|join(?:s|ed|ing)?\b|involv\w*|"
    r"contribut\w*|line-?up|roster|include[sd]?|including|bring\w*\s+together|brought\s+together|"
    r"(?:countries|nations|states|members)\s*(?::|are|were|will\s+be|is))\b|"
    r"\b(?:effort|venture|initiative|drills?|exercises?)\s+(?:by|between)\s+(?:the\s+)?$", re.I)
#: a state added to those taking part: "units from each member would take part, as would A"
_AS_WOULD = re.compile(r"\bas\s+(?:would|will|did|does|do|has|have)\s+$", re.I)
#: a list of states called countries in apposition ("A, B, C and D - the partner countries - are
#: to open their exercise"): states, not their forces
_NAMED_COUNTRIES = re.compile(r"\s*[-\u2013\u2014,]\s*(?:the|all|its|their)\s+(?:[\w'\u2018\u2019`-]+\s+){0,2}"
                              r"(?:countries|nations|states)\b", re.I)
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
        if clause_of and c0 and (text[c0] == ":" or text[:c0].rstrip().endswith(":")):  # "seven countries: A, B and C"
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
        elif len(run) < 2 and (m := _AS_WOULD.search(before)) and _PARTICIPANT_CUE.search(text[:a]):
            role, cue = "participant", m.group()  # "... would take part, as would A"
        elif len(run) < 2:
            pass  # a lone state: the drafter's own rules read its role (and its force)
        elif re.match(r"\s+(?:[\w-]+\s+)?(?:leaders|officials|ministers|diplomats|presidents|governments|media|"
                      r"envoys|ambassadors|lawmakers|people|citizens|companies|firms|banks)\b", text[b:], re.I):
            role, cue = "people", text[b:].split()[0]  # "Iranian and Russian leaders, including ..."
        elif (m := _PARTICIPANT_CUE.search(before)) or ((m := _PARTICIPANT_CUE.search(after))
                                                         and not m.group().casefold().startswith("includ")) \
                or (m := _HELD_WITH.search(before)) or (m := _NAMED_COUNTRIES.match(text[b:])):
            role, cue = "participant", m.group()
        out.append(StateList(tuple(run), a, b, role, cue))
    # "the exercises that A held with B and C": A, the subject of the verb, takes part as they do
    for i, sl in enumerate(out):
        held = _HELD_WITH.search(text[:sl.start]) if sl.role == "participant" else None
        if held is None:
            continue
        for j, other in enumerate(out[:i]):
            if other.role is None and len(other.members) == 1 and other.end <= held.start() \
                    and re.fullmatch(r"\s*(?:[\w-]+\s+){0,2}", text[other.end:held.start()]):
                out[j] = StateList(other.members, other.start, other.end, "participant", held.group())
    return out


#: an absolute clause after a comma: ", with China pressing on with ..."
_ASIDE = re.compile(r",\s+with\s+(?:the\s+)?(?:[A-Z][\w'.-]*\s+){1,4}(?:\w+ly\s+)?"
                    r"(?!(?:taking|participating|joining|attending|observing|watching|contributing|sending|"
                    r"providing|leading|hosting|co-hosting)\b)\w+ing\b[^;]*", re.U)


def aside_spans(text: str) -> list[tuple[int, int]]:
    """Absolute clauses, whose actors and places are not the sentence's event's."""
    return [(m.start(), m.end()) for m in _ASIDE.finditer(text)]


def same_series_edition(key: str, other: str) -> bool:
    """Two codenames (as keys: lower case, letters and digits) name the same exercise: they are
    equal, or one is the other with its year ("talismansabre", "talismansabre2025"); "mosi" and
    "mosiii" are two editions."""
    short, long_ = sorted((key, other), key=len)
    return key == other or (long_.startswith(short) and re.fullmatch(r"(?:19|20)\d\d", long_[len(short):]) is not None)


def names_exercise(text: str, code: str) -> bool:
    """``text`` names the exercise called ``code`` again: the name as written, or its series
    with the same year in two digits ("Vostok 22" for "Vostok 2022")."""
    m = re.fullmatch(r"(?P<series>.*?)[\s-]*(?P<year>(?:19|20)\d\d)?", code.strip())
    series, year = m.group("series"), m.group("year")
    if not series:
        return False
    words = r"[\s-]+".join(re.escape(w) for w in series.split())
    tail = rf"(?:[\s-]*(?:{year}|{year[2:]}))" if year else ""
    found = re.search(rf"(?<![\w-]){words}{tail}(?![\w-]*\d)(?![\w-])" if year else rf"(?<![\w-]){words}(?![\w-])", text)
    return found is not None


#: a place's own name that says where: "off Sydney"
_PLACE_PREP_IN_NAME = re.compile(r"^(?:off|near|around|in|at)\s", re.I)
#: a place where the exercise is held, wherever the clause: "slated to be held around the Hawaiian
#: Islands", "in the seas surrounding the Cape of Good Hope"
_HELD_AT = re.compile(r"\b(?:(?:held|staged|conducted|hosted|run|take\s+place|takes\s+place|took\s+place|"
                      r"taking\s+place|played\s+out|play\s+out)\s+(?:[\w-]+\s+){0,2}?(?:in|at|around|off|near|"
                      r"across|on)|(?:seas?|waters?)\s+(?:surrounding|around|off|near))\s+(?:the\s+)?"
                      r"(?:[\w'-]+\s+){0,2}$", re.I)


def is_location(text: str, start: int, name: str) -> bool:
    """The place's name as written carries its preposition ("off Sydney")."""
    return bool(_PLACE_PREP_IN_NAME.match(name))


#: an area an exercise covers: "an area reaching from A as far as B"
_SPAN = re.compile(r"\b(?:reach\w*|span\w*|stretch\w*|extend\w*|cover\w*)\s+(?:[\w-]+\s+){0,3}?(?:from|across|over)\s+"
                   r"(?:the\s+)?(?:[\w'.-]+\s+){0,2}$|"
                   r"\b(?:reach\w*|span\w*|stretch\w*|extend\w*)\s+(?:[\w-]+\s+){0,3}?from\s+[\w\s'.-]{0,40}?\s"
                   r"(?:to|as\s+far\s+as)\s+(?:the\s+)?(?:[\w'.-]+\s+){0,1}$", re.I)


def held_at(text: str, start: int) -> bool:
    """The place at ``start`` is where something is held ("held around the X"), or the area it
    covers ("reaching from X as far as Y")."""
    window = text[max(0, start - 80):start]
    return bool(_HELD_AT.search(window) or _SPAN.search(window))


def conjuncts(text: str, mentions: list[Mention], m: Mention) -> list[Mention]:
    """The places coordinated after ``m``: "the Sea of Japan, Russia's Far East and eastern Siberia"."""
    out = []
    last = m
    for x in mentions:
        if x.start < m.end:
            continue
        if x.kind != "place" or not _JOIN.fullmatch(_drop_possessor(text[last.end:x.start], mentions, last, x)):
            break
        out.append(x)
        last = x
    return out


def _drop_possessor(gap: str, mentions: list[Mention], a: Mention, b: Mention) -> str:
    """The gap between two places without a state's possessive in it ("..., Russia's Far East")."""
    return re.sub(r"(?:[A-Z][\w.]*\s*)+['\u2019]s\s+$", "", gap)


#: a rank or post after a force's name: the force is a person's, not a participant
_RANK_AFTER = re.compile(r"^['\u2019]?s?\s*(?:Commodore|Admiral|Adm\.|Rear|Vice|General|Gen\.|Lt\.|Lieutenant|Colonel|Col\.|"
                         r"Major|Maj\.|Captain|Capt\.|Commander|Cmdr\.|Brig\.|Brigadier|Sergeant|Deputy|Chief|"
                         r"spokes\w+|officers?|chief|commander|commanding)\b")
#: a person's title and "of the" before a force: "Adm. Harry Harris of the U.S. Navy"
_OF_BEFORE = re.compile(r"\bof\s+(?:the\s+)?$", re.I)
#: an exercise that might be held: "could stage an exercise of that size"
_HYPOTHETICAL = re.compile(r"\b(?:could|would|might)\s+(?:[\w-]+\s+){0,12}?(?:stage|hold|conduct|carry\s+out|run|"
                           r"mount)\s+(?:an?|such\s+an?)\s+(?:[\w-]+\s+){0,2}$", re.I)


def affiliation(text: str, mentions: list[Mention], m: Mention) -> bool:
    """The force at ``m`` names a person's service, not a participant: a rank or post follows
    it, or it follows a person's name and "of the"."""
    if _RANK_AFTER.match(text[m.end:]):
        return True
    if _OF_BEFORE.search(text[:m.start]):
        before = [x for x in mentions if x.end <= m.start]
        if before and before[-1].kind in ("person", "position") and not re.search(r"[,;]", text[before[-1].end:m.start]):
            return True
    return False


_HEDGE = re.compile(r"\b(?:probably|possibly|likely|perhaps|reportedly|may|might)\b", re.I)
_UNKNOWN = re.compile(r"\b(?:is|are|was|were|remains?)\s+(?:not\s+known|unknown|unclear|uncertain|unconfirmed)\b", re.I)


def hedged_before(text: str, pos: int) -> bool:
    """A hedge stands before ``pos`` in its sentence: "Rizhao, and probably also X and Y"."""
    return bool(_HEDGE.search(text[:pos]))


def unknown_part(text: str, mentions: list[Mention]) -> bool:
    """The sentence says that the part of what ``mentions`` name is not known ("the extent of
    X's involvement in the exercise is not known")."""
    return bool(mentions) and bool(_UNKNOWN.search(text)) and bool(
        re.search(r"\b(?:involvement|part|role|participation)\b", text, re.I))


_PLAN = re.compile(r"\b(?:will|would|is\s+to|are\s+to|slated|scheduled|planned|planning|plans?\s+to|poised\s+to|"
                   r"set\s+to|due\s+to|preparations?|prepar\w+|upcoming|next\s+(?:week|month))\b", re.I)
_UNDER_WAY = re.compile(r"\b(?:began|begun|opened|kicked\s+off|started|commenced|launched|got\s+under\s*way|"
                        r"gets\s+under\s*way|is\s+under\s*way|are\s+under\s*way|was\s+held|were\s+held|took\s+place|"
                        r"ended|concluded|wrapped\s+up|is\s+being\s+held|are\s+taking\s+part|runs|is\s+running)\b", re.I)


def planned_only(texts: list[str]) -> bool:
    """The sentences about an exercise tell it as a plan ("is slated to be held", "will bring
    together") and never as begun or held."""
    return any(_PLAN.search(t) for t in texts) and not any(_UNDER_WAY.search(t) for t in texts)


def hypothetical(before: str) -> bool:
    """The trigger after ``before`` is an exercise that could be held, not one that is."""
    return bool(_HYPOTHETICAL.search(before))


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


#: a day or a range of days with no year: "Feb. 14-24", "21 August", "from June 3 to July 1"
_NO_YEAR = [
    re.compile(rf"\b(?P<m1>{_MONTH})\s+(?P<d1>{_DAY}){_TO}(?P<m2>{_MONTH})\s+(?P<d2>{_DAY})\b(?!,?\s*(?:19|20)\d\d)"),
    re.compile(rf"\b(?P<d1>{_DAY})\s+(?P<m1>{_MONTH}){_TO}(?P<d2>{_DAY})\s+(?P<m2>{_MONTH})(?!,?\s*(?:19|20)\d\d)"),
    re.compile(rf"\b(?P<m1>{_MONTH})\s+(?P<d1>{_DAY}){_TO}(?P<d2>{_DAY})\b(?!,?\s*(?:19|20)\d\d)"),
    re.compile(rf"\b(?P<d1>{_DAY}){_TO}(?P<d2>{_DAY})\s+(?P<m1>{_MONTH})(?!,?\s*(?:19|20)\d\d)"),
    re.compile(rf"\b(?P<m1>{_MONTH})\s+(?P<d1>{_DAY})\b(?!,?\s*(?:19|20)\d\d)"),
    re.compile(rf"\b(?P<d1>{_DAY})\s+(?P<m1>{_MONTH})(?!,?\s*(?:19|20)\d\d)"),
    re.compile(r"\b(?P<w>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"),
]
#: another event whose date a sentence about an exercise gives: "the war it started on February 24"
_OTHER_EVENT = re.compile(r"\b(?:war|invasion|conflict|visit\w*|talks|summit|meeting|crisis|attacks?|elections?|"
                          r"agreement|deal|pact|treaty|annexation|coup)\b", re.I)
_TRIGGER_WORD = re.compile(r"\b(?:exercises?|drills?|war\s*games|manoeuvres|maneuvers|wargames?)\b", re.I)
#: a header's date that is not the article's own date line
_WEAK_DATE = re.compile(r"\b(?:URL|web\s+address|aggregator|page\s+date|slug)\b", re.I)


#: a part of a month: "late May", "in early January"
_ROUGH = re.compile(r"(?:in\s+|by\s+|until\s+|from\s+)?((?:early|late|mid)\b)", re.I)
#: a time relative to the article's date
_RELATIVE = re.compile(r"\b(?:next|this|last|coming)\s+(?:week|month|weekend)\b|\b(?:later|earlier)\s+this\s+"
                       r"(?:week|month|year)\b|\bthis\s+year(?=['\u2019]s\s+(?:[\w-]+\s+){0,2}(?:exercises?|drills?|"
                       r"war\s*games|manoeuvres|maneuvers)\b)", re.I)


_FULL_MONTHS = frozenset("january february march april may june july august september october november "
                         "december".split())


def _said(text: str) -> str:
    """The words as the text gives them, without a sentence's full stop after a month's name."""
    text = text.strip()
    last = text.rstrip(".").split()[-1].casefold() if text.rstrip(".") else ""
    return text.rstrip(".") if text.endswith(".") and last in _FULL_MONTHS else text


def weak_date_line(text: str) -> bool:
    """The header block says its date comes from the web address or an aggregator's page, so
    it does not fix a weekday or a day without a year."""
    return bool(_WEAK_DATE.search(text))


def other_event_before(text: str, pos: int) -> bool:
    """The words just before a date name another event, not the exercise: a war, a visit, an
    announcement ("announced on Thursday"), or a clause of "since" with a verb of its own ("since
    the president ordered ... on February 24")."""
    window = text[max(0, pos - 50):pos]
    if _OTHER_EVENT.search(window) and not _TRIGGER_WORD.search(window):
        return True
    if re.search(r"\b(?:announced|said|told|reported|stated|confirmed|declared)\s+(?:on\s+|last\s+)?$", window, re.I) \
            and re.match(r"\W*(?:\w+\s+){0,2}?that\s+(?:[\w-]+\s+){1,3}?(?:would|will|plans?|planned|intends?|is\s+to|"
                         r"are\s+to)\b", text[pos:].split(" ", 1)[-1], re.I):
        return True  # "NATO announced on Thursday that it would hold ...": the announcement's date
    return bool(re.search(r"\bsince\s+(?:[\w.'-]+\s+){1,8}?\w+ed\b[^,;]*$", text[max(0, pos - 90):pos]))


def _month_day(month: str, day: str) -> str | None:
    try:
        n = month_number(month)
    except KeyError:
        return None
    d = int(re.sub(r"\D", "", day))
    return f"--{n:02d}-{d:02d}" if 1 <= d <= 31 else None


def exercise_dates(text: str, base: dt.date | None) -> list[tuple[DateMention, tuple[When, When] | None]]:
    """The dates of a sentence about an exercise, each with, where no date can be given, what
    the text gives (start and end of a range; a day's start twice): days without a year that
    neither the article's date (``base``) nor a year in the same sentence fixes, and weekdays
    without the article's date."""
    own_year = None
    if base is None:  # "the 2024 round ..., from June 27 to Aug. 1": the sentence's own year
        years = sorted({m.group() for m in re.finditer(r"(?<![\w-])(?:19|20)\d\d(?![\w-])", text)})
        if len(years) == 1:
            own_year = dt.date(int(years[0]), 7, 1)
    # a weekday or "yesterday" needs the article's date itself, never the sentence's year
    found = []
    for d in find_dates(text, own_year or base):
        if base is None and re.search(r"day\b", d.text, re.I) and not re.search(r"\d", d.text):
            continue
        rough = _ROUGH.match(d.text)
        if rough:  # "late May": a part of a month, dated only by the article's own date
            w = When(date=d.value if base is not None else None, as_said=_said(d.text[rough.start(1):]),
                     basis="approximate")
            found.append((d, (w, w)))
        else:
            found.append((d, None))
    taken = [(d.start, d.end) for d, _ in found]
    if base is None:  # "starts next week": relative to a date the article does not give
        for m in _RELATIVE.finditer(text):
            if not any(a < m.end() and m.start() < b for a, b in taken):
                w = When(as_said=m.group(), basis="relative-unresolved")
                found.append((DateMention(m.start(), m.end(), m.group(), "0000-00-00"), (w, w)))
                taken.append(m.span())
    for pattern in _NO_YEAR:
        for m in pattern.finditer(text):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            g = m.groupdict()
            if g.get("w"):
                if base is not None:  # resolved above
                    continue
                w = When(as_said=m.group(), basis="weekday-unresolved")
                pair = (w, w)
            else:
                first = _month_day(g["m1"], g["d1"])
                last = _month_day(g.get("m2") or g["m1"], g["d2"]) if g.get("d2") else None
                if first is None:
                    continue
                said = _said(m.group())
                pair = (When(month_day=first, as_said=said, basis="no-year"),
                        When(month_day=last or first, as_said=said, basis="no-year"))
            rng = bool(g.get("d2"))
            found.append((DateMention(m.start(), m.end(), m.group(), "0000-00-00", "0000-00-00" if rng else None), pair))
            taken.append(m.span())
    return sorted(found, key=lambda x: x[0].start)
