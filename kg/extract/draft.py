"""Drafting a fact file from an article's text: exercises, arms transfers, denials and
confirmations, with the cue of each and a confidence, for an analyst to review.

The steps, each over the numbered paragraphs and sentences of ``kg.inputs.text``:

1. the header (title, publisher, dateline) from the blocks before the body;
2. exercises: trigger words group sentences into events (a codename or "the drill" keeps to
   the same one, "a drill" starts another); participants, host, observers, location, dates
   and duration come from the sentences of each event, by the words around each mention;
3. arms transfers: a supply verb or noun and a weapon; supplier and recipient by the verb's
   roles (active, passive, "receive ... from");
4. hedges make a fact ``reported`` or ``attributed``; "denied" and "confirmed" make facts
   that point at the facts they are about;
5. names the reference entities do not know: people, forces, ships, weapons and organisations
   become proposed reference entries (``kg.extract.propose``: ``Sighting`` records in,
   ``Proposal`` records out), and the article is drafted again with them as reference entities;
   the other names are listed, with a suggested entry for each.

Every value is a reference id, proposed or not (or a date, a number), and a conflict the rules
cannot settle is left out and said in the fact's note: a draft loads and builds as it is.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from ..inputs.facts import Entity, Reference, force_state
from ..inputs.text import Paragraph, Sentence, paragraphs
from . import claims
from . import lexicon as lx
from .dates import add_days, find_dates, find_durations, inclusive_days
from .exercises import CODENAME_APPOSITION as _CODENAME_APPOSITION
from .exercises import (When, aside_spans, contributes, dateline_end, exercise_dates, names_exercise, other_event_before,
                        same_series_edition, state_lists, weak_date_line)
from .exercises import (affiliation, conjuncts, hedged_before, held_at, hypothetical, is_location, planned_only,
                        unknown_part)
from .mentions import Gazetteer, Mention, classify, unknown_names
from .propose import PROPOSED_KINDS, Proposal, Sighting, extended, slug
from .propose import propose as propose_entries
from .quantities import Quantity, cumulative, quantity_before, running_total
from .tokens import plain
from .records import DraftFact
from .transfers import _category as weapon_category
from .transfers import corefer as corefer_transfers
from .transfers import generic as transfer_generic

ACTOR_KINDS = ("state", "force", "person", "organisation", "group")
#: a plan told as a noun, right before its verb of transfer: "part of a plan by the country to buy"
_PLAN_NOUN = re.compile(r"\b(?:a|the|its|their|his|her)\s+(?:[\w-]+\s+)?plans?\s+(?:(?:by|of|for)\s+[^,;]*?\s+)?"
                        r"to\s+[a-z]+", re.I)
#: a plan given up or changed: "the original plan was to buy 36 jets"
_EARLIER_PLAN = re.compile(r"\b(?:original|initial|earlier|first|previous|former)\s+(?:plans?|intention|aim)\b"
                           r"[^,;]*$", re.I)

_TRIGGER = re.compile(
    r"\b(?:war[- ]games?|military\s+games|wargames?|drills?|exercises?|manoeuvres?|maneuvers?|maneuvres?)\b", re.I)
_DEFINITE = re.compile(r"\b(?:the|this|that|these|those|its|their|such|same)\s+(?:[\w-]+\s+){0,3}$", re.I)
_INDEFINITE = re.compile(r"\b(?:a|an|another|new|separate|second|first)\s+(?:[\w-]+\s+){0,3}$", re.I)
_CODENAME_CUE = re.compile(r"\b(?:code-?named|dubbed|called|named|titled|known\s+as)\s+[\"'\u201c]?"
                           r"(?P<name>[A-Z][\w-]*(?:\s+(?:[A-Z][\w-]*|(?:19|20)\d\d)){0,4})", re.U)
_CODENAME_YEAR = re.compile(r"\b(?P<name>(?:[A-Z][\w]*(?:[\s-]+|(?=\d)))+(?:19|20)\d\d)\b")
_ALLCAPS = re.compile(r"\b(?P<name>[A-Z]{4,}(?:[\s-]+(?:19|20)\d\d)?)\b")
#: capitalised words right before a lower-case trigger: "the yearly Iron Falcon drill"
_CODENAME_BEFORE = re.compile(r"(?<![\w-])(?P<name>[A-Z][a-z][\w-]*(?:\s+[A-Z][a-z][\w-]*){0,2})\s+"
                              r"(?i:exercises?|drills?|war\s*games|manoeuvres|maneuvers|wargames?)\b")
#: an earlier edition of an exercise: "last year", "the previous Zapad exercise"
_EARLIER = re.compile(r"^(?:last|the\s+previous)\s+year\b|\b(?:the|its)\s+(?:last|previous|preceding|prior|earlier)\s+"
                      r"(?:[A-Z][\w-]*\s+){0,3}(?:exercises?|drills?|edition|manoeuvres|maneuvers|war\s*games)\b|"
                      r"\blast\s+year's\s+(?:[\w-]+\s+){0,2}(?:exercises?|drills?|edition|manoeuvres)\b", re.I)
#: a source named by its count or estimate: "by the agency's estimate"
_BY_COUNT = re.compile(r"\b(?:by|according\s+to)\s+the\s+([\w-]+)'s\s+(?:count|estimate|estimates|account|tally|"
                       r"figures|reckoning|data)\b", re.I)
#: a source whose words follow: "an internal memo, which claims ..."
_WHICH_SAYS = re.compile(r",\s+(?:which|who)\s+(?:says|said|claims|claimed|states|stated|reports|reported|"
                         r"alleges|alleged)\b", re.I)
#: a source named by a definite description: "the ministry said"
_THE_SAYER = re.compile(r"\bthe\s+(?:[\w-]+\s+)?([\w-]+)\s+(?:(?:has|had|have)\s+)?(?:said|says|announced|reported|"
                        r"stated|added|confirmed|noted)\b", re.I)
#: the heads of a definite description that names a source given earlier in the article
_SOURCE_HEADS = frozenset("""ministry agency embassy spokesperson spokesman spokeswoman office department command
    military army navy government service committee council document report newspaper outlet broadcaster""".split())
_MONTHS = frozenset("january february march april may june july august september october november december "
                    "jan feb mar apr jun jul aug sep sept oct nov dec".split())
_LOCATION_PREP = re.compile(r"\b(?:in|at|off|near|on|over|across|into|entering|entered|within|along|around|"
                            r"waters\s+of|coast\s+of|shores\s+of|(?:centred|centered|focused|based|held)\s+(?:on|in|at)|"
                            r"(?:flown|sent|deployed|moved|airlifted|shipped|brought|transferred|redeployed|dispatched|"
                            r"sailed|headed|travelled|traveled|marched|driven)\s+(?:back\s+)?to)\s+(?:the\s+)?"
                            r"(?:[\w-]+\s+){0,2}$", re.I)
#: location cues that tie a place to forces even outside a sentence about the exercise itself
_STRONG_LOCATION = re.compile(r"\b(?:waters\s+of|coast\s+of|shores\s+of|(?:centred|centered|focused|based|held)\s+"
                              r"(?:on|in|at)|(?:flown|sent|deployed|moved|airlifted|shipped|brought|transferred|"
                              r"redeployed|dispatched|sailed|headed|travelled|traveled|marched|driven)\s+(?:back\s+)?to)"
                              r"\s+(?:the\s+)?(?:[\w-]+\s+){0,2}$", re.I)
#: an exercise of all services: "a strategic exercise", or phases of several kinds
_STRATEGIC = re.compile(r"\bstrategic\s+(?:[\w-]+\s+){0,2}(?:exercises?|drills?|manoeuvres|maneuvers|war\s*games)\b",
                        re.I)
_PHASE = re.compile(r"\b(naval|maritime|sea|land|ground|air|aerial)\s+(?:phase|stage|part|component)s?\b", re.I)
#: a list of states after these, following a military noun, names participants ("units from A, B and C")
_LIST_PREPS = frozenset("from of including".split())
_NON_MILITARY_HEADS = frozenset(
    """officials official leaders leader president minister ministry advisor adviser advisers advisors diplomats
    diplomat media press government spokesperson spokesman spokeswoman nuclear economy sources intelligence
    analysts experts people citizens authorities embassy side counterpart counterparts foreign prime state-run
    ambition ambitions interests relations parliament lawmakers foreign-ministry capital officials' ties
    territory soil border airspace waters coast""".split())
#: a service named without its state
_SERVICE = re.compile(r"\b(?:Space\s+Force|Coast\s+Guard|Marine\s+Corps|Marines|Air\s+Force|Navy|Army)\b")
#: an earlier edition held by the parties of the one the article is about
_SAME_PARTIES = re.compile(r"\bthe\s+same\s+(?:[\w-]+\s+)?(?:navies|forces|armies|countries|states|nations|"
                           r"partners|militaries|participants)\b", re.I)
_TRAILING_SAY = re.compile(r",\s+(?:[\w'\u2019-]+\s+){0,6}?(?:said|says|announced|reported|stated|added|confirmed|"
                           r"told\s+[\w ]+?)(?:\s+on\s+\w+)?\s*[.!]?$", re.I)
_BOTH = re.compile(r"\b(?:both|the\s+two)\s+(?:governments|countries|states|sides|nations|capitals)\b", re.I)
_WITH = frozenset("with between alongside involving".split())
_ROLE_ADJ = re.compile(r"\b(?:joint|combined|bilateral|trilateral|multilateral)\b", re.I)
_PREPS = frozenset("with to from against in into across over towards toward near at beyond about on off by for "
                   "between among than".split())
_PLACE_PREPS = frozenset("to from against in into across over towards toward near at beyond about on off than".split())
_START_WORD = re.compile(r"\b(?:from|since|began|begin|begins|start\w*|kick\w*\s+off|launch\w*|open\w*|"
                         r"opening|first\s+day)\b", re.I)
_END_WORD = re.compile(r"\b(?:until|till|through|up\s+to|end\w*|conclud\w*|wrap\w*\s+up|close\w*|complet\w*|"
                       r"finish\w*|(?:last|final|closing)\s+day)\b", re.I)
_BE = re.compile(r"\b(?:is|are|was|were|be|been|being|has\s+been|have\s+been|had\s+been)\s+(?:\w+ly\s+)?$", re.I)
_USED_IN = re.compile(r"\b(?:used|deployed|fired|launched|employed)\b", re.I)
_PAST_GIVE = re.compile(r"\b(?:supplied|delivered|sold|transferred|shipped|provided|sent|handed\s+over|donated|"
                        r"exported|gave|given|furnished|received|acquired|bought|obtained|imported|procured|"
                        r"t(?:ook|aken)\s+delivery|handed|brought|armed|unloaded|offloaded|arrived|landed|reached)\b", re.I)
#: an accusation of a speaker named right before it: "U.S. accusations", "Peru's allegation"
_ACCUSATION = re.compile(r"\b(?:accusations?|allegations?|accus(?:es|ed)|alleg(?:es|ed))\b", re.I)
_SOURCE_END = re.compile(r",|;|\.|\s(?:that|which)\s|\s[-\u2014]\s")
#: a state's adjective rather than its name ("Chinese", "Russian", "Turkish", "Israeli", "French")
_DEMONYM = re.compile(r"[A-Z][a-z]+(?:an|ese|ish|i|ch)")
_SPOKES = re.compile(r"\b(spokes(?:person|man|woman)|officials?|commander|chief|minister|ministry)\s+(?:for|of)\s+"
                     r"(?:the\s+)?$", re.I)


# --- data ------------------------------------------------------------------------------------


@dataclass
class Sent:
    """A sentence with its mentions, in offsets of its own (plain) text."""

    sentence: Sentence
    text: str
    mentions: list[Mention]
    clauses: list[tuple[int, int]]

    @property
    def paragraph(self) -> int:
        return self.sentence.paragraph

    @property
    def where(self) -> str:
        return f"{self.sentence.paragraph}.{self.sentence.number}"

    def clause(self, pos: int) -> tuple[int, int]:
        for a, b in self.clauses:
            if a <= pos < b:
                return a, b
        return 0, len(self.text)


@dataclass
class Unresolved:
    """A name the reference entities do not know."""

    name: str
    kind: str
    paragraphs: list[int]
    hint: dict


@dataclass
class Draft:
    header: dict
    header_notes: list[str]
    body: tuple[int, int] | None
    facts: list[DraftFact]
    unresolved: list[Unresolved]
    #: cues found that did not make a fact, in our words ("¶9: denial with nothing to deny")
    skipped: list[str]
    #: reference entries proposed for unknown names; the facts use their ids
    proposals: list[Proposal] = field(default_factory=list)
    #: the reference the facts were drafted against: the project's, plus the proposed entries
    reference: Reference | None = None


# --- helpers ---------------------------------------------------------------------------------


def _clauses(text: str) -> list[tuple[int, int]]:
    cuts = sorted({0, len(text), *(m.start() for m in lx.CLAUSE_BREAK.finditer(text))})
    return [(a, b) for a, b in zip(cuts, cuts[1:]) if b > a]


def _is_body(p: Paragraph) -> bool:
    lines = p.lines
    if lines and all(lx_list.match(line) for line in lines):
        return False  # a numbered or bulleted list: a summary box, a menu
    if _is_caption(p):
        return False  # a photo's caption: its date is the photo's, never the article's or a fact's
    return p.words >= 6 and bool(re.search(r"[.!?][\"'\u201d\u2019)]?\s*$", p.text))


#: a photo credit, which ends or opens a caption: "Photo: Reuters", "(AFP)", "File photo", "... 2023. Reuters"
_PHOTO_CREDIT = re.compile(
    r"^\s*(?:(?:file\s+)?photo|image|picture)\b|\b(?:photo|image|picture)(?:\s+credit)?\s*:|"
    r"\((?:photo|image|picture)\b[^)]{0,40}\)|\bGetty\s+Images\b|\b(?:REUTERS|AFP|AP|EPA)/[A-Z]|"
    r"[.!?]\s*(?:Reuters|AP|AFP|EPA|Getty\s+Images|TASS|Xinhua|Anadolu(?:\s+Agency)?)\.?\s*$", re.I)
#: a date that a line says is not the article's: "date: unknown", "no date", a photo's or a caption's date
_NOT_PUBLISHED = re.compile(r"\b(?:date\s*:?\s*(?:unknown|not\s+(?:given|stored|known))|no\s+date|"
                            r"(?:photo|picture|image)['\u2019]s\s+date|caption)\b", re.I)


def _is_caption(p: Paragraph) -> bool:
    """A photo's caption: a short block (at most three sentences) with a photo credit."""
    return len(re.findall(r"[.!?](?:\s|$)", p.text)) <= 3 and bool(_PHOTO_CREDIT.search(p.text.strip()))


def _not_the_article_date(text: str, start: int, end: int) -> bool:
    """True when the date at ``start:end`` of a line before the body is not the article's: the line
    says the date is unknown, or calls it a photo's or a caption's date ("date: unknown (the
    'April 2' in the text is a photo-caption date)")."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line = text[line_start:line_end if line_end >= 0 else len(text)]
    return bool(_NOT_PUBLISHED.search(line))


#: "the first time X had visited since 2000", "his first visit to Y since 2000": a visit after an earlier one
_FIRST_SINCE = re.compile(
    r"\bfirst\s+(?:time|visit|trip)\b(?:(?!\bsince\b)[^.;]){0,80}?\bsince\s+(?P<year>(?:19|20)\d\d)\b", re.I)
_VISIT_WORDS = re.compile(r"\b(?:visit\w*|trips?|travel\w*|been|come|came)\b", re.I)


lx_list = re.compile(r"^\s*(?:\d{1,3}[.)]|[-*\u2022])\s+")


def _before(end: str, start: str) -> bool:
    """True when the date ``end`` is before ``start``, compared at the coarser of their
    precisions (as the shapes compare them: a month is never before a day of that month)."""
    n = min(len(end), len(start))
    return end[:n] < start[:n]


class Extractor:
    def __init__(self, text: str, reference: Reference, article_id: str, source: str,
                 gazetteer: Gazetteer | None = None, roles=None):
        self.text = text
        #: the roles the parse gives (``kg.extract.nlp.Roles``), consulted before the rules; None: rules only
        self.roles = roles
        self.reference = reference
        self.gaz = gazetteer or Gazetteer.of(reference)
        self.article_id = article_id
        self.source = source
        self.paras = paragraphs(text)
        self.facts: list[DraftFact] = []
        self.skipped: list[str] = []
        self.ids: set[str] = set()
        self.sents: list[Sent] = []
        self.base: dt.date | None = None
        self.codenames: set[str] = set()
        self.codename_texts: set[str] = set()
        self.title = ""
        self._main: list[str] | None = None
        #: where each unknown name was first seen: (sentence, start, end)
        self._seen: dict[str, tuple[Sent, int, int]] = {}
        #: posts whose holder hosts an exercise and that no reference person holds, to be proposed:
        #: (force, post, sentence, span of the force's name)
        self._posts: list[tuple[str, str, Sent, int, int]] = []
        #: the speakers of each sentence, by its index in ``sents`` (``kg.extract.claims``)
        self._spoken: dict[int, list[claims.Speaker]] = {}

    # -- entities --

    def entity(self, ident: str) -> Entity:
        return self.reference.entities[ident]

    def state_of(self, m: Mention) -> str | None:
        if m.kind == "state":
            return m.id
        if m.kind in ("force", "vessel"):
            e = self.entity(m.id)
            if m.kind == "vessel":
                if "operator" not in e.values:  # a merchant ship, or a proposed entry
                    return None
                e = self.entity(e.values["operator"].id)
            return force_state(self.reference, e)
        return None

    def force_for(self, state: str, kind: str | None) -> str | None:
        """The state's force of ``kind`` (navy, army, air-force), else its armed forces."""
        forces = [e for e in self.reference.entities.values()
                  if e.kind == "force" and force_state(self.reference, e) == state]
        for want in ([kind] if kind else []) + ["armed-forces"]:
            found = sorted((e for e in forces if e.values.get("kind") == want),
                           key=lambda e: ("part_of" in e.values and
                                          self.entity(e.values["part_of"].id).values.get("kind") == want, e.id))
            if found:
                return found[0].id
        return None

    def new_id(self, base: str) -> str:
        base = slug(base)
        ident, n = base, 2
        while ident in self.ids:
            ident, n = f"{base}-{n}", n + 1
        self.ids.add(ident)
        return ident

    def label(self, ident: str) -> str:
        return self.entity(ident).label

    def _parsed(self, s: Sent, start: int, end: int, role: str) -> list[Mention] | None:
        """The mentions of ``s`` that the parse gives ``role`` at the verb at ``start:end``; None
        without a parse or where it says nothing (``kg.extract.nlp.Roles``)."""
        return self.roles.fillers(s.sentence.start, s.mentions, (start, end), role) if self.roles else None

    # -- run --

    def run(self) -> Draft:
        header, notes, body = self.header()
        self.title = header.get("title", "") if not notes else ""
        if body is not None:
            for p in self.paras:
                if p.number < body[0] or not _is_body(p):
                    continue
                for s in p.sentences:
                    text = plain(s.text)
                    self.sents.append(Sent(s, text, self.gaz.find(text), _clauses(text)))
        self.exercises()
        self.visits()
        self.transfers()
        self.stances()
        unresolved = self.unresolved()
        return Draft(header, notes, body, self.facts, unresolved, self.skipped)

    # -- header --

    def header(self) -> tuple[dict, list[str], tuple[int, int] | None]:
        body_paras = [p for p in self.paras if _is_body(p)]
        first = body_paras[0].number if body_paras else None
        last = body_paras[-1].number if body_paras else None
        head = [p for p in self.paras if first is None or p.number < first]
        notes: list[str] = []
        # title: a heading line before the body, the one repeated most often in the text
        lines = [(p.number, line) for p in head for line in p.lines]
        whole = plain(self.text)
        best = None
        for n, line in lines:
            words = line.split()
            if len(words) < 4 or len(line) > 200 or re.search(r"[.:]$", line) or line.isupper():
                continue
            if find_dates(line, None):
                continue
            score = whole.count(plain(line))
            if best is None or score > best[0]:
                best = (score, n, line)
        header: dict = {"id": self.article_id}
        if best:
            header["title"] = best[2]
        else:
            header["title"] = f"Article {self.article_id}"
            notes.append("no title found before the body; the title is made up, replace it")
        publisher = None
        for p in head:
            for m in self.gaz.find(plain(p.text)):
                if m.kind == "organisation" and self.entity(m.id).values.get("kind") in ("news-outlet", "news-agency"):
                    publisher = publisher or m.id
        header["publisher"] = publisher or "unknown"
        published = None
        for p in head:
            if _is_caption(p):
                continue  # a photo's caption dates the photo, not the article
            text = plain(p.text)
            for d in find_dates(text, None):
                if _not_the_article_date(text, d.start, d.end):
                    continue
                if d.precision == "day" and not d.is_range:
                    published = (d.value, p.number)
                    break
            if published:
                break
        if published:
            header["published"] = published[0]
            header["published_basis"] = f"the date line before the body (block {published[1]})"
            self.base = dt.date.fromisoformat(published[0])
        else:
            header["published"] = "unknown"
        header["language"] = "en"
        header["source"] = self.source
        return header, notes, (first, last) if first is not None else None

    # -- exercises --

    def _triggers(self, s: Sent) -> list[re.Match]:
        out = []
        activity_spans = [(m.start(), m.end()) for cues in lx.ACTIVITY_CUES.values() for c in cues
                          for m in re.finditer(r"\b" + re.escape(c) + r"\b", s.text, re.I)]
        for m in _TRIGGER.finditer(s.text):
            word = m.group().casefold()
            after = s.text[m.end():m.end() + 30].split()
            before = s.text[:m.start()]
            if word == "exercise" and (after and after[0].casefold().strip(",.") in lx.EXERCISE_VERB_OBJECTS
                                       or re.search(r"\b(?:to|will|would|must|should|can|could)\s+$", before, re.I)):
                continue
            if any(a <= m.start() < b for a, b in activity_spans):
                continue
            if hypothetical(before):  # "the alliance could stage an exercise of that size"
                continue
            if word.endswith("s") and not _DEFINITE.search(before):
                a, b = s.clause(m.start())
                clause_words = set(re.findall(r"[a-z]+", s.text[a:b].casefold()))
                if not clause_words & lx.EVENT_VERBS:
                    continue
            out.append(m)
        return out

    def _codename(self, s: Sent) -> tuple[str, int, int] | None:
        """The exercise's name a sentence gives, without a leading "Exercise" or "The"."""
        found = self._codename_in(s)
        if found:
            lead = re.match(r"(?:(?:Exercise|The|This)\s+)+", found[0])
            if lead and lead.end() < len(found[0]):
                return found[0][lead.end():], found[1] + lead.end(), found[2]
        return found

    def _codename_in(self, s: Sent) -> tuple[str, int, int] | None:
        covered = [(m.start, m.end) for m in s.mentions if m.id]
        dateline = dateline_end(s.text) if s is self.sents[0] or s.sentence.number == 1 else 0
        for pattern in (_CODENAME_CUE, _CODENAME_YEAR, _ALLCAPS, _CODENAME_BEFORE, _CODENAME_APPOSITION):
            for m in pattern.finditer(s.text, dateline):
                name = m.group("name").strip()
                if pattern is _CODENAME_BEFORE:
                    found = self._name_before_trigger(s, m)
                    if found:
                        return found
                    continue
                words = [w.split("-")[0].casefold() for w in name.split()]
                first = words[0]
                if pattern is _CODENAME_YEAR and len(words) > 2 and not {*words[:-1]} <= lx.COMMON_CAPS:
                    first = ""  # "Northern Coast 2025": a common word opens a name
                if first in _MONTHS or first in lx.COMMON_CAPS and pattern is not _CODENAME_CUE:
                    continue
                if any(a <= m.start("name") < b for a, b in covered):
                    continue
                if pattern is _ALLCAPS and name in ("NATO",):
                    continue
                return name, m.start("name"), m.start("name") + len(name)
        return None

    def _name_before_trigger(self, s: Sent, m: re.Match) -> tuple[str, int, int] | None:
        """A codename in capitals right before a trigger ("the yearly Iron Falcon drill"): not
        a name the reference knows, not a common or kind word, not one word opening the sentence."""
        words = list(re.finditer(r"[\w-]+", m.group("name")))
        while words and (words[0].group().casefold() in lx.COMMON_CAPS
                         or words[0].group().casefold() in lx.KIND_WORDS
                         or words[0].group().casefold() in lx.MILITARY_MODIFIERS
                         or _ROLE_ADJ.fullmatch(words[0].group())
                         or words[0].group().casefold() in ("annual", "large-scale", "major", "first", "new")):
            words = words[1:]
        while words and (words[-1].group().casefold() in lx.KIND_WORDS  # "Malabar Naval Exercise"
                         or words[-1].group().casefold() in lx.MILITARY_MODIFIERS):
            words = words[:-1]
        if not words:
            return None
        a, b = m.start("name") + words[0].start(), m.start("name") + words[-1].end()
        if any(x.start < b and a < x.end for x in s.mentions):
            return None
        if a == 0 and len(words) == 1:
            return None
        if any(w.group().casefold() in lx.COMMON_CAPS or w.group().casefold() in _MONTHS for w in words):
            return None
        return s.text[a:b], a, b

    def _event_year(self, event: dict) -> str | None:
        """The year of an exercise: its codename's, else the first date of its sentences."""
        y = re.search(r"(?:19|20)\d\d$", event["code"] or "")
        if y:
            return y.group()
        for s, _ in event["sents"]:
            for d in find_dates(s.text, self.base):
                return d.value[:4]
        return None

    def _earlier_year(self, s: Sent, m: re.Match) -> str | None:
        """The year of an earlier edition: a year the sentence names, else the year before the
        article's for "last year"."""
        years = [d.value for d in find_dates(s.text, self.base) if len(d.value) == 4 and not d.is_range]
        if years:
            return years[0]
        if re.search(r"\blast\s+year", m.group(), re.I) and self.base:
            return str(self.base.year - 1)
        return None

    def _corefer(self, s: Sent, head: str, before: int) -> str | None:
        """The source a definite description stands for ("the ministry" after "the Polish defence
        ministry"): the latest actor named up to this point whose name has the same head word."""
        head = head.casefold()
        if head not in _SOURCE_HEADS:
            return None
        k = next((i for i, x in enumerate(self.sents) if x is s), len(self.sents) - 1)
        for x in reversed(self.sents[:k + 1]):
            for m in reversed([m for m in x.mentions if x is not s or m.start < before]):
                if m.kind not in ACTOR_KINDS or m.kind == "state":
                    continue
                e = self.entity(m.id)
                names = [m.text, e.label, *e.aliases]
                if any(head in re.findall(r"[\w-]+", n.casefold()) for n in names):
                    return m.id
        return None

    def exercises(self) -> None:
        events: list[dict] = []
        current: dict | None = None
        body_index = {p: i for i, p in enumerate(sorted({x.paragraph for x in self.sents}))}
        for s in self.sents:
            triggers = self._triggers(s)
            code = self._codename(s)
            known = None
            if code:
                key = re.sub(r"\W", "", code[0].casefold())
                known = next((e for e in events if e["key"] and same_series_edition(e["key"], key)), None)
                if known is not None and len(key) > len(known["key"]):  # "Talisman Sabre", then "... 2025"
                    known["key"], known["code"] = key, code[0]
            else:  # a name given before, written again or shortened ("Vostok 22" after "Vostok 2022")
                named = [(len(e["code"]), i) for i, e in enumerate(events)
                         if e["code"] and names_exercise(s.text, e["code"])]
                known = events[max(named)[1]] if named else None
            participation = lx.PARTICIPATION.search(s.text) or lx.OBSERVER_RIGHT.search(s.text) \
                or lx.OBSERVER_LEFT.search(s.text) or lx.NEGATED_PARTICIPATION.search(s.text)
            earlier = _EARLIER.search(s.text)
            year = self._earlier_year(s, earlier) if earlier and current is not None else None
            if current is not None and current["code"] and not year:
                # "In November 2019, the same navies held the first 'Mosi' deployment": the series,
                # held at a time before the edition the article is about
                series = re.sub(r"[\s-]*(?:(?:19|20)\d\d|[IVX]+|\d{1,2})$", "", current["code"])
                own = self._event_year(current)
                dates = [d for d in find_dates(s.text, self.base) if not d.is_range]
                # or "the annual Malabar exercise began in 1992": the series' first edition
                first = re.search(r"\b(?:began|started|launched|first\s+held|inaugurated)\s+in\s+(?:19|20)\d\d\b",
                                  s.text, re.I)
                if series and (series != current["code"] and not names_exercise(s.text, current["code"])
                               or first) and names_exercise(s.text, series) and own and dates \
                        and dates[0].value[:4] < own and re.search(r"\b(?:held|staged|conducted|took\s+place|began|"
                                                                  r"first)\b", s.text, re.I):
                    earlier, year = _Fake(dates[0].start, dates[0].end, dates[0].text), dates[0].value
                    triggers = triggers or [earlier]
            if code and current is not None and current["code"] and not known and not year and \
                    re.sub(r"[\s-]*(?:(?:19|20)\d\d|[IVX]+|\d{1,2})$", "", current["code"]) == code[0]:
                known = current  # "'Mosi', the name of the exercise": the series' name, the same exercise
            if year and (triggers or participation):
                event = {"key": None, "code": None, "sents": [], "last": s.paragraph, "earlier": (year, current),
                         "cues": [f"earlier edition '{earlier.group()}' ({s.where})"],
                         "series": code[0] if code and not known else None}
                if event["series"]:
                    self.codename_texts.add(event["series"])
                events.append(event)
                self._attach(event, s, "trigger")
                continue
            if code and not triggers and not known and (participation or self._listed(s)):
                # "Forces from A and B are joining in as Vostok 2022 gets under way": a named exercise
                triggers = [_Fake(code[1], code[2], code[0])]
            if not triggers and not known and not (code and triggers):
                transfer = self._transfer_cues(s) and any(m.kind == "weapon" for m in s.mentions)
                # a list of states with a role ("seven countries: A, B, ...") may follow after a block
                # or two of other matter (a caption, an aside): blocks are counted in the body's
                listed = self._listed(s)
                gap = body_index[s.paragraph] - body_index[current["last"]] if current is not None else 99
                if current is not None and (gap <= 1 or listed and gap <= 3) and not transfer:
                    if participation:
                        self._attach(current, s, "participation")
                    elif self._context_cue(s) or lx.HOST_ANAPHOR.search(s.text):
                        self._attach(current, s, "context")
                    elif listed:
                        self._attach(current, s, "participation")
                continue
            if known is not None:
                event = known
            elif triggers:
                definite = any(_DEFINITE.search(s.text[:t.start()]) for t in triggers)
                # "Talisman Sabre, a biennial exercise": an apposition describes the named one
                indefinite = any(_INDEFINITE.search(s.text[:t.start()]) and not (
                    code and re.fullmatch(r"[\"'\u2019\u201d]?,\s+(?:a|an)\s+(?:[\w-]+\s+){0,3}",
                                          s.text[code[2]:t.start()])) for t in triggers)
                if current is not None and (definite or not indefinite) and not (
                        code and current["key"] and not known) and \
                        body_index[s.paragraph] - body_index[current["last"]] <= 3:
                    event = current
                else:
                    event = {"key": None, "code": None, "sents": [], "last": s.paragraph, "cues": []}
                    events.append(event)
                if code and event["key"] is None:
                    event["key"] = re.sub(r"\W", "", code[0].casefold())
                    event["code"] = code[0]
            else:
                continue
            for t in triggers:
                event["cues"].append(f"'{t.group()}' ({s.where})")
            if code:
                event["cues"].append(f"codename '{code[0]}' ({s.where})")
            self._attach(event, s, "trigger")
            current = event
        events = self._merge_unnamed(events, body_index)
        for event in events:
            if event["key"]:
                self.codenames.add(event["key"])
                self.codename_texts.add(event["code"])
            self._exercise_fact(event)

    def _context_cue(self, s: Sent) -> bool:
        """A sentence next to an exercise's that says where its forces are or what they do: a
        place after a location cue, or a state's name before a military noun."""
        return any(m.kind == "place" and _STRONG_LOCATION.search(s.text[:m.start]) for m in s.mentions) \
            or any(m.kind == "state" and self._military_head(s, m) for m in s.mentions)

    def _merge_unnamed(self, events: list[dict], body_index: dict[int, int]) -> list[dict]:
        """One exercise, one fact: an unnamed exercise next to the one named exercise of the
        article ("Russia has kicked off a set of war games ..." before "The Vostok 2022
        exercise ...") is that exercise, unless it is said to be another one or names states the
        named one does not."""
        named = [e for e in events if e["key"] and not e.get("earlier")]
        if len(named) != 1:
            return events
        main = named[0]
        main_blocks = {body_index[s.paragraph] for s, _ in main["sents"]}
        main_states = {m.id for s, _ in main["sents"] for m in s.mentions if m.kind == "state"}
        out = []
        for e in events:
            if e is main or e["key"] or e.get("earlier"):
                out.append(e)
                continue
            blocks = {body_index[s.paragraph] for s, _ in e["sents"]}
            states = {m.id for s, _ in e["sents"] for m in s.mentions if m.kind == "state"}
            other = any(re.search(r"\b(?:another|separate(?:ly)?|a\s+second)\b", s.text, re.I) for s, _ in e["sents"])
            near = any(abs(a - b) <= 1 for a in blocks for b in main_blocks)
            if near and not other and states <= main_states:
                main["sents"] = sorted(main["sents"] + e["sents"], key=lambda x: self.sents.index(x[0]))
                main["cues"] += e["cues"]
                continue
            out.append(e)
        return out

    def _bare_services(self, s: Sent) -> list[tuple[str, tuple[int, int]]]:
        """The services a sentence about one state names without it ("the U.S. contribution will
        include personnel from the Navy, Marines and Coast Guard"): the state's forces whose name,
        without the state's, is the service's."""
        states = {m.id for m in s.mentions if m.kind == "state"}
        if len(states) != 1:
            return []
        state = next(iter(states))
        st = self.entity(state)
        prefixes = sorted({plain(n).casefold() for n in (st.label, *st.aliases)}, key=len, reverse=True)
        forces = [e for e in self.reference.entities.values()
                  if e.kind == "force" and force_state(self.reference, e) == state]
        out = []
        for m in _SERVICE.finditer(s.text):
            inside = [x for x in s.mentions if x.start <= m.start() < x.end and x.kind == "force"]
            if any(self.state_of(x) is not None and len(x.text) > len(m.group()) for x in inside):
                continue  # named with a state already ("US Navy", "Russian Navy")
            word = m.group().casefold()
            for e in sorted(forces, key=lambda e: e.id):
                names = [plain(n).casefold() for n in (e.label, *e.aliases)]
                if any(n.startswith(p + " ") and n[len(p) + 1:] == word for n in names for p in prefixes):
                    out.append((e.id, (min([m.start(), *(x.start for x in inside)]),
                                       max([m.end(), *(x.end for x in inside)]))))
                    break
        return out

    def _listed(self, s: Sent) -> bool:
        """The sentence lists states with a role, or says that forces or states send something."""
        return any(sl.role for sl in state_lists(s.text, s.mentions, s.clause)) or (
            any(m.kind in ("force", "state") for m in s.mentions) and contributes(s.text))

    def _day_base(self) -> dt.date | None:
        """The article's date to resolve weekdays and days without a year against: not a date
        the header says it took from the web address or an aggregator's page."""
        if self.base is None:
            return None
        body = self.sents[0].paragraph if self.sents else None
        for p in self.paras:
            if body is not None and p.number >= body:
                break
            if find_dates(plain(p.text), None) and weak_date_line(p.text):
                return None
        return self.base

    @staticmethod
    def _attach(event: dict, s: Sent, how: str) -> None:
        event["sents"].append((s, how))
        event["last"] = s.paragraph

    def _spans(self, s: Sent, pattern: re.Pattern) -> list[tuple[int, int]]:
        return [(m.start(), m.end()) for m in pattern.finditer(s.text)]

    def _source_spans(self, s: Sent) -> list[tuple[int, int]]:
        out = []
        for m in lx.ACCORDING_TO.finditer(s.text):
            end = _SOURCE_END.search(s.text, m.end())
            out.append((m.start(), end.start() if end else len(s.text)))
        for m in lx.VIA.finditer(s.text):
            end = _SOURCE_END.search(s.text, m.end())
            out.append((m.start(), end.start() if end else len(s.text)))
        return out

    def _observer_spans(self, s: Sent) -> list[tuple[int, int]]:
        out = []
        for m in lx.OBSERVER_RIGHT.finditer(s.text):
            a, b = s.clause(m.start())
            stop = re.search(r"\b(?:are|is|were|was|will|have|has|had|attend\w*|watch\w*)\b", s.text[m.end():b])
            out.append((m.start(), m.end() + stop.start() if stop else b))
        for m in lx.OBSERVER_LEFT.finditer(s.text):
            a, b = s.clause(m.start())
            if re.match(r"(?:as|with)\b", m.group(), re.I) and m.group().casefold().startswith("with"):
                out.append((m.start(), b))
            else:
                out.append((a, m.end()))
        return out

    def _attribution(self, sents: list[Sent]) -> tuple[str | None, list[str], str | None, list[str]]:
        """Certainty, according_to, via and cues from hedges and sources in ``sents``."""
        according: list[str] = []
        via = None
        cues: list[str] = []
        hedged = False
        for s in sents:
            for m in lx.ACCORDING_TO.finditer(s.text):
                end = _SOURCE_END.search(s.text, m.end())
                span = (m.end(), end.start() if end else len(s.text))
                who = self._source(s, span)
                cues.append(f"'{m.group().strip()}' ({s.where})")
                if who:
                    according.append(who)
                else:
                    hedged = True
            for m in lx.VIA.finditer(s.text):
                if m.group().strip().casefold() == "told":
                    continue
                org = next((x for x in s.mentions if x.kind == "organisation" and x.start >= m.end()
                            and x.start - m.end() < 6), None)
                if org:
                    via = via or org.id
            for m in lx.HEDGES.finditer(s.text):
                hedged = True
                cues.append(f"'{m.group()}' ({s.where})")
            said = _TRAILING_SAY.search(s.text)
            if said:
                who = [x for x in s.mentions if said.start() <= x.start and x.kind in ACTOR_KINDS]
                the = _THE_SAYER.search(s.text, said.start())
                if who:
                    according.append(who[0].id)
                    cues.append(f"'{said.group().strip(' ,.')}' ({s.where})")
                elif the and (ref := self._corefer(s, the.group(1), the.start())):
                    according.append(ref)
                    cues.append(f"'{the.group()}' ({s.where}) read as {self.label(ref)}, named before")
            for m in _WHICH_SAYS.finditer(s.text):  # "an internal memo ..., which claims ..."
                src = [x for x in s.mentions if x.end <= m.start() and x.kind in ACTOR_KINDS
                       and x.kind != "state" and re.fullmatch(r"[^,;]*", s.text[x.end:m.start()])]
                if src:
                    according.append(src[-1].id)
                    cues.append(f"'{src[-1].text} ... {m.group().strip(' ,')}' ({s.where})")
            for m in _BY_COUNT.finditer(s.text):
                ref = self._corefer(s, m.group(1), m.start())
                if ref:
                    according.append(ref)
                    cues.append(f"'{m.group()}' ({s.where}) read as {self.label(ref)}, named before")
        according = list(dict.fromkeys(according))
        certainty = "attributed" if according else "reported" if hedged else None
        return certainty, according, via, cues

    def _said(self, s: Sent) -> claims.Said:
        return claims.Said(s.text, s.mentions, s.where, lambda m: self._after_preposition(s, m),
                           lambda b: self._body_of(s, b), self._group_of, self.state_of)

    def _group_of(self, state: str, head: str) -> str | None:
        """The reference's group of a state's unnamed people ("Russian officials" for Russia and
        "officials"): a group or organisation labelled by one of the state's names and ``head``."""
        st = self.entity(state)
        names = {n.casefold() for n in [st.label, *st.aliases] if " " not in n}
        for e in sorted(self.reference.entities.values(), key=lambda e: e.id):
            if e.kind in ("group", "organisation"):
                words = e.label.casefold().split()
                if len(words) == 2 and words[1] == head and words[0] in names:
                    return e.id
        return None

    def _heads(self, s: Sent, ids: list[str]) -> list[str]:
        """Speakers without the states that only qualify another speaker ("the Turkish daily X",
        "Germany's defence ministry"): a state is dropped when a speaker of its own is among ``ids``."""
        owned = {getattr(o, "id", o) for i in ids if self.entity(i).kind != "state"
                 for o in [self.entity(i).values.get("state")] if o is not None}
        return [i for i in ids if not (self.entity(i).kind == "state" and i in owned)]

    def _body_of(self, s: Sent, b: re.Match) -> str | None:
        """The reference's organisation a ``claims.BODY`` phrase names: of the state named right
        before "'s", else of the sentence's subject (for "its"), else of the previous sentence's
        subject; the organisation of that state whose label or alias holds the phrase's words."""
        st = None
        if b.group().startswith(("'", "\u2019")):
            owner = [m for m in s.mentions if m.end == b.start()]
            st = self.state_of(owner[0]) if owner else None
        else:
            subj = [m for m in s.mentions if m.end <= b.start() and self.state_of(m)
                    and not self._after_preposition(s, m)]
            prev = None if subj else self._previous_subject(s)
            st = self.state_of(subj[0]) if subj else self.state_of(prev) if prev else None
        if st is None:
            return None
        norm = {"defense": "defence", "spokesman": "spokesperson", "spokeswoman": "spokesperson"}
        want = {norm.get(w, w) for w in re.findall(r"[a-z]+", b.group("head").casefold())}
        for e in sorted(self.reference.entities.values(), key=lambda e: e.id):
            if e.kind not in ("organisation", "person", "group"):
                continue
            owner = e.values.get("state")
            if getattr(owner, "id", owner) != st:
                continue
            for name in [e.label, *e.aliases]:
                words = {norm.get(w, w) for w in re.findall(r"[a-z]+", name.casefold())}
                if want <= words:
                    return e.id
        return None

    def _speakers(self, s: Sent) -> list[claims.Speaker]:
        """The speakers of a sentence (``kg.extract.claims.speakers``); "the report" stands for
        the last organisation that spoke in the sentences before."""
        k = next(i for i, x in enumerate(self.sents) if x is s)
        if k not in self._spoken:
            earlier = [sp.id for i in sorted(self._spoken) if i < k for sp in self._spoken[i]
                       if self.entity(sp.id).kind == "organisation"]
            self._spoken[k] = claims.speakers(self._said(s), earlier)
        return self._spoken[k]

    def _source(self, s: Sent, span: tuple[int, int]) -> str | None:
        """The actor a source phrase names: a person or group entity whose label it matches, the
        spokesperson of a force ("a spokesperson for the Iranian Navy"), or an actor it mentions."""
        text = s.text[span[0]:span[1]]
        inside = [m for m in s.mentions if span[0] <= m.start < span[1] and m.kind in ACTOR_KINDS]
        words = [w for w in re.findall(r"[a-z]+", text.casefold()) if w not in lx.SOURCE_STOPWORDS]
        # "a spokesperson for the Iranian Navy" -> the person labelled "Iranian Navy spokesperson"
        role = re.match(r"\s*(?:an?|the|one)?\s*(\w+)\s+(?:for|of)\s+(?:the\s+)?(.+)$", text, re.I)
        if role and inside:
            want = f"{inside[0].text} {role.group(1)}".casefold()
            for e in self.reference.find(want, ["person", "group"]):
                return e.id
            for e in self.reference.entities.values():
                if e.kind in ("person", "group") and e.label.casefold() == want:
                    return e.id
        if words:
            for e in sorted(self.reference.entities.values(), key=lambda e: e.id):
                if e.kind != "group":
                    continue
                label = [w for w in re.findall(r"[a-z]+", e.label.casefold())
                         if w not in lx.SOURCE_STOPWORDS and w not in ("unnamed", "unknown")]
                if label and set(words) == set(label):
                    return e.id
        if inside:
            return inside[0].id
        return None

    def visits(self) -> None:
        """A visit told as the first since a year ("it was the first time the president had
        visited since 2000"): the visit, and the earlier visit of that year it follows, never a
        first-ever visit. The visitor is a person the sentence names, or the first person of the
        sentence before (who "landed" or "arrived"); without one, nothing is drafted."""
        for k, s in enumerate(self.sents):
            m = _FIRST_SINCE.search(s.text)
            if not m or not _VISIT_WORDS.search(m.group()):
                continue
            people = [x for x in s.mentions if x.kind == "person"]
            if not people and k and self.sents[k - 1].paragraph == s.paragraph:
                people = [x for x in self.sents[k - 1].mentions if x.kind == "person"][:1]
            if not people:
                self.skipped.append(f"\u00b6{s.paragraph}: a first visit since {m.group('year')} with no visitor named")
                continue
            who, year = people[0].id, m.group("year")
            cue = f"'{m.group()}' ({s.where})"
            earlier = DraftFact("event", self.new_id(f"{who}-visit-{year}"), f"{self.label(who)}'s visit of {year}",
                                [s.paragraph], {"kind": "visit", "actors": [who], "start": year}, [cue], 0.6)
            visit = DraftFact("event", self.new_id(f"{who}-visit"), f"{self.label(who)}'s visit",
                              [s.paragraph], {"kind": "visit", "actors": [who], "links": {"follows": [earlier.id]},
                                              "_note": f"The earlier visit was in {year}, none between."}, [cue], 0.6)
            self.facts += [visit, earlier]

    def _post_holder(self, force: str, post: str) -> str | None:
        """The reference person who holds ``post`` ("commander", "chief", "head") of ``force``:
        an entry labelled by the post ("Commander of the US Pacific Fleet (unnamed)"), or None."""
        e = self.entity(force)
        names = {" ".join(re.findall(r"[a-z0-9]+", plain(n).casefold())) for n in [e.label, *e.aliases]}
        want = {f"{post.casefold()} of {n}" for n in names} | {f"{post.casefold()} of the {n}" for n in names}
        for p in sorted(self.reference.entities.values(), key=lambda p: p.id):
            if p.kind != "person":
                continue
            label = re.sub(r"\s*\([^)]*\)\s*$", "", p.label)
            if " ".join(re.findall(r"[a-z0-9]+", plain(label).casefold())) in want:
                return p.id
        return None

    def _launching_host(self, s: Sent) -> str | None:
        """The state or force that launches an exercise which brings in others ("X has kicked off
        war games that bring in Y's forces"): the subject before the verb, in its clause; never a
        place, nor a state after a preposition."""
        bring = lx.HOST_BRING_IN.search(s.text)
        if not bring:
            return None
        for v in lx.HOST_LAUNCH.finditer(s.text[:bring.start()]):
            if not any(v.end() <= t.start() < bring.start() for t in self._triggers(s)):
                continue
            a, _ = s.clause(v.start())
            before = [x for x in s.mentions if a <= x.start < v.start() and x.kind in ("state", "force")
                      and not self._after_preposition(s, x)]
            if before:
                return before[-1].id
        return None

    def _exercise_fact(self, event: dict) -> None:
        sents: list[Sent] = [s for s, _ in event["sents"]]
        context = [s for s, how in event["sents"] if how == "context"]
        trig = [s for s, how in event["sents"] if how == "trigger"]
        paras = sorted({s.paragraph for s in sents})
        para_sents = [x for x in self.sents if x.paragraph in paras]
        first_para = [x for x in self.sents if x.paragraph == paras[0]]
        # kind, from the words of the sentences of its paragraphs
        counts: dict[str, int] = {}
        for s in sents:
            for w in re.findall(r"[a-z-]+", s.text.casefold()):
                if w in lx.KIND_WORDS:
                    counts[lx.KIND_WORDS[w]] = counts.get(lx.KIND_WORDS[w], 0) + 1
        for s in first_para:
            for m in s.mentions:
                if m.kind == "force":
                    k = self.entity(m.id).values.get("kind")
                    kk = {"navy": "naval", "fleet": "naval", "army": "land", "air-force": "air"}.get(k)
                    if kk:
                        counts[kk] = counts.get(kk, 0) + 1
        order = ["naval", "land", "air", "command-post"]
        kind = sorted(counts, key=lambda k: (-counts[k], order.index(k)))[0] if counts else None
        phases = {lx.KIND_WORDS.get(m.group(1).casefold(), m.group(1).casefold()) for s in sents
                  for m in _PHASE.finditer(s.text)}
        if any(_STRATEGIC.search(s.text) for s in trig) or len(phases) >= 2:
            kind = None  # all services take part: each state's armed forces
        force_kind = lx.KIND_FORCE.get(kind or "")
        participants: list[str] = []
        observers: list[str] = []
        host = None
        launched = False
        locations: list[str] = []
        vessels: list[str] = []
        operators: list[str] = []  # the forces of the ships named
        derived: list[str] = []  # forces read from a state's name, not named themselves
        named_forces: set[str] = set()
        #: states taking part that the article names without a force ("29 countries: A, B, ...")
        participant_states: list[str] = []
        absent: list[tuple[str, Sent]] = []
        cues = list(event["cues"])
        observer_cue: dict[str, str] = {}
        #: conflicts the rules cannot settle, for the curator (the draft keeps only what builds)
        curator: list[str] = []

        def add(lst, x):
            if x and x not in lst:
                lst.append(x)

        how_of = {id(s): how for s, how in event["sents"]}
        for s in sents:
            excluded = self._source_spans(s)
            obs = self._observer_spans(s)
            for m in s.mentions:
                if any(a <= m.start < b for a, b in obs) and m.kind in ("state", "force", "organisation") \
                        and not any(a <= m.start < b for a, b in excluded):
                    add(observers, m.id)
                    observer_cue.setdefault(m.id, f"'{m.text}', {s.where}")
                    cues.append(f"observer '{m.text}' ({s.where})")
            excluded += obs
            for m in lx.HOST_BY.finditer(s.text):
                after = [x for x in s.mentions if x.start >= m.end() and x.kind in ("state", "force")
                         and x.start - m.end() < 40]
                if after and host is None:
                    host = after[0].id
                    excluded.append((after[0].start, after[0].end))
                    cues.append(f"'{m.group()}' ({s.where})")
            for m in lx.HOST_VERB.finditer(s.text):
                a, _ = s.clause(m.start())
                before = [x for x in s.mentions if a <= x.start < m.start() and x.kind in ("state", "force")]
                if before and host is None:
                    x = before[-1]
                    post = lx.HOST_POST.match(s.text[x.end:]) or lx.HOST_POST_BEFORE.search(s.text[:x.start])
                    excluded.append((x.start, x.end))
                    if post:  # "X's commander is hosting": the host is the person, never the force
                        holder = self._post_holder(x.id, post.group(1))
                        if holder is None:
                            self._posts.append((x.id, post.group(1).casefold(), s, x.start, x.end))
                            curator.append(f"the host is the {post.group(1).casefold()} of {self.label(x.id)} "
                                           f"({s.where}), whom the reference does not name")
                            continue
                        host = holder
                    else:
                        host = x.id
                    cues.append(f"'{m.group()}' ({s.where})")
            if host is None:
                host = self._launching_host(s)
                if host:
                    launched = True  # the state that launches it takes part too
                    cues.append(f"host '{self.label(host)}' launches it ({s.where})")
            for m in lx.NEGATED_PARTICIPATION.finditer(s.text):
                a, b = s.clause(m.start())
                for x in s.mentions:
                    if a <= x.start < m.start() and x.kind in ("state", "force") and not x.possessive:
                        absent.append((x.id, s))
                        excluded.append((x.start, x.end))
            trigger_clauses = [s.clause(t.start()) for t in self._triggers(s)]
            code = self._codename(s)
            if code:
                trigger_clauses.append(s.clause(code[1]))
            for m in lx.PARTICIPATION.finditer(s.text):
                trigger_clauses.append(s.clause(m.start()))
            if s in context:
                trigger_clauses += [s.clause(m.start) for m in s.mentions if m.kind == "place"
                                    and _STRONG_LOCATION.search(s.text[:m.start])]
                trigger_clauses += [s.clause(m.start) for m in s.mentions if m.kind == "state"
                                    and self._military_head(s, m)]
            asides = aside_spans(s.text)
            for force, span in self._bare_services(s):  # "the U.S. contribution: ... the Navy and Army"
                add(participants, force)
                excluded.append(span)
            lists = {x: sl for sl in state_lists(s.text, s.mentions, s.clause) for x in sl.members}
            for i, m in enumerate(s.mentions):
                if any(a <= m.start < b for a, b in excluded) or (m.id == host and not launched):
                    continue
                if any(a <= m.start < b for a, b in asides):
                    continue
                if m in lists and lists[m].role:
                    sl = lists[m]
                    if event.get("earlier") and re.search(r"\b(?:now|today|currently)\b", s.text[:sl.start]):
                        continue  # "began in 1992 ... and now counts A and B among its participants"
                    if sl.role == "observer":
                        add(observers, m.id)
                        observer_cue.setdefault(m.id, f"'{m.text}', {s.where}")
                    elif sl.role == "participant":
                        listed = self._listed_under(s, m)
                        force = self.force_for(m.id, self._list_kind(s, m, listed) or force_kind) \
                            if listed is not None else None
                        named = {self.state_of(x) for x in s.mentions if x.kind == "force"}
                        if force:
                            add(participants, force)
                        elif m.id not in named:  # "A and B ..., with A's army and B's navy": the forces
                            add(participant_states, m.id)
                    if m is sl.members[0]:
                        cues.append(f"{sl.role} list '{sl.cue}' of {len(sl.members)} ({s.where})")
                    continue
                if m.kind == "force":
                    if affiliation(s.text, s.mentions, m):  # "Chilean Navy Commodore X", "Adm. Y of the US Navy"
                        continue
                    add(participants, m.id)
                    named_forces.add(m.id)
                elif m.kind == "vessel":
                    if hedged_before(s.text, m.start):  # "and probably also X": not a ship known to take part
                        continue
                    add(vessels, m.id)
                    if "operator" in self.entity(m.id).values:
                        add(operators, self.entity(m.id).values["operator"].id)
                elif m.kind == "state" and any(a <= m.start < b for a, b in trigger_clauses):
                    nxt = re.match(r"[ \t]+([\w-]+)", s.text[m.end:])
                    head = nxt.group(1) if nxt else ""
                    listed = self._listed_under(s, m)
                    if listed is not None and not m.possessive:
                        force = self.force_for(m.id, self._list_kind(s, m, listed) or force_kind)
                        if force:
                            add(participants, force)
                            cues.append(f"'{listed} ...' listing '{m.text}' ({s.where})")
                        else:
                            add(participant_states, m.id)  # no force in the reference: the state
                        continue
                    if m.possessive or head[:1].isupper() or head.casefold() in _NON_MILITARY_HEADS \
                            or self._after_preposition(s, m, _PLACE_PREPS):
                        continue
                    if not self._participant_role(s, m, head):
                        continue
                    fkind = lx.MILITARY_NOUNS.get(head.casefold()) or force_kind
                    force = self.force_for(m.id, fkind)
                    if force:
                        add(participants, force)
                        derived.append(force)
                    else:
                        add(participant_states, m.id)  # no force in the reference: the state
                elif m.kind == "place":
                    whole = not trigger_clauses and how_of.get(id(s)) == "trigger"  # named again: all of it
                    if (is_location(s.text, m.start, m.text) or _LOCATION_PREP.search(s.text[:m.start])) and (
                            whole or any(a <= m.start < b for a, b in trigger_clauses)) \
                            or held_at(s.text, m.start):
                        add(locations, m.id)
                        for x in conjuncts(s.text, s.mentions, m):  # "in the Sea of Japan, the Far East and ..."
                            add(locations, x.id)
        participants = [p for p in participants if p not in observers]
        # a unit and the force it is part of are the same participant: keep the unit
        parents = {self.entity(p).values["part_of"].id for p in participants if "part_of" in self.entity(p).values}
        participants = [p for p in participants
                        if not (p in parents and self.entity(p).values.get("kind") in ("armed-forces",))]
        # an observer whose own force takes part: the participation stands, the observer goes to a note
        for o in list(observers):
            taking = [p for p in participants if force_state(self.reference, self.entity(p)) == o] \
                + [p for p in participant_states if p == o]
            if taking:
                observers.remove(o)
                curator.append(f"{self.label(o)} is read as an observer ({observer_cue[o]}) but takes part "
                               f"({', '.join(taking)}); drafted as a participant only.")
        # dates and duration
        start = end = duration = None
        end_cue = duration_cue = ""
        loose: list[tuple[str, When]] = []  # days the article's date cannot fix: ("start"|"end", when)
        for s in trig:
            for d, told in exercise_dates(s.text, self._day_base()):
                before = s.text[max(0, d.start - 70):d.start]
                if other_event_before(s.text, d.start):
                    continue  # "the war it started on February 24", "a visit on the last day"
                if told is not None:
                    ends = [x.end() for x in _END_WORD.finditer(before)]
                    starts = [x.end() for x in _START_WORD.finditer(before)]
                    if d.is_range:
                        loose += [("start", told[0]), ("end", told[1])]
                    elif ends and (not starts or ends[-1] > starts[-1]):
                        loose.append(("end", told[0]))
                    elif starts or not loose:
                        loose.append(("start", told[0]))
                    cues.append(f"date '{d.text}' ({s.where}), no year or weekday only")
                    continue
                ends = [x.end() for x in _END_WORD.finditer(before)]
                starts = [x.end() for x in _START_WORD.finditer(before)]
                if d.is_range:
                    if end is None:
                        end_cue = f"'{d.text}', {s.where}"
                    start, end = start or d.value, end or d.end_value
                elif ends and (not starts or ends[-1] > starts[-1]):
                    if end is None:
                        end_cue = f"'{d.text}', {s.where}"
                    end = end or d.value
                elif starts or start is None:
                    start = start or d.value
                else:
                    continue
                cues.append(f"date '{d.text}' ({s.where})")
            for u in find_durations(s.text):
                if duration is None:
                    duration = u
                    duration_cue = f"'{u.text}', {s.where}"
                    cues.append(f"duration '{u.text}' ({s.where})")
        if start is None:
            start = next((w.value() for k, w in loose if k == "start"), None)
        if end is None:
            end = next((w.value() for k, w in loose if k == "end"), None)
        if event.get("earlier"):
            start, end, duration = event["earlier"][0], None, None
        if isinstance(start, str) and isinstance(end, str) and _before(end, start):
            curator.append(f"the end read from the text, {end} ({end_cue}), is before the start, {start}; "
                           "the end is left out.")
            end = None
        dur_iso = duration.iso.replace("P1W", "P7D") if duration else None
        if duration and duration.iso.endswith("W"):
            dur_iso = f"P{duration.days}D"
        if isinstance(start, str) and not end and duration and duration.days and len(start) == 10:
            end = add_days(start, duration.days - 1)
        if isinstance(start, str) and isinstance(end, str) and not duration and len(start) == len(end) == 10:
            dur_iso = f"P{inclusive_days(start, end)}D"
        days = re.fullmatch(r"P(\d+)D", dur_iso or "")
        if isinstance(start, str) and isinstance(end, str) and days and len(start) == len(end) == 10 \
                and int(days.group(1)) != inclusive_days(start, end):
            curator.append(f"the text gives a duration of {dur_iso} ({duration_cue}), but {start} to {end} is "
                           f"{inclusive_days(start, end)} days; the duration is left out.")
            dur_iso = None
        activities = []
        for s in para_sents:
            for act, words in lx.ACTIVITY_CUES.items():
                if any(re.search(r"\b" + re.escape(w) + r"\b", s.text, re.I) for w in words):
                    add(activities, act)
        certainty, according, via, hedge_cues = self._attribution(first_para)
        cues += hedge_cues
        participant_states = [p for p in participant_states if p not in observers]
        # a force read from a state's name ("the US has sent a warship") is that state, where the
        # state is listed as taking part already
        participants = [p for p in participants if p not in derived or p in named_forces
                        or force_state(self.reference, self.entity(p)) not in participant_states]
        # a ship whose part is said to be unknown ("the extent of X's involvement is not known")
        vessels = [v for v in vessels if not any(unknown_part(x.text, [m for m in x.mentions if m.id == v])
                                                 for x in sents)]
        # a ship's navy takes part, unless its state is listed as taking part already
        for o in operators:
            if force_state(self.reference, self.entity(o)) not in participant_states:
                add(participants, o)
        main = event["earlier"][1] if event.get("earlier") else None
        if main and not participants and not participant_states and any(
                _SAME_PARTIES.search(s.text) for s in sents):  # "the same three navies held the first ..."
            participants, participant_states = list(main.get("_participants", [])), list(main.get("_states", []))
            cues.append("the same parties as the edition the article is about")
        event["_participants"], event["_states"] = participants, participant_states
        states = sorted(({force_state(self.reference, self.entity(p)) for p in participants}
                         | set(participant_states)) - {None})
        values: dict = {}
        if kind in ("naval", "land", "air", "command-post"):
            values["kind"] = kind
        if len(states) >= 2:
            values["joint"] = True
        if event["code"]:
            values["codename"] = event["code"]
        if certainty:
            values["certainty"] = certainty
        if planned_only([x.text for x in trig]) and not event.get("earlier"):
            values["modality"] = "planned"  # "is slated to be held", "will bring together": no start told
        if according:
            values["according_to"] = according
        if via:
            values["via"] = via
        for key, val in (("participants", participants), ("participant_states", participant_states), ("host", host), ("observers", observers),
                         ("location", locations), ("start", start), ("end", end), ("duration", dur_iso),
                         ("activities", activities), ("vessels", vessels)):
            if val:
                values[key] = val
        if curator:
            values["_note"] = " ".join([*([values["_note"]] if "_note" in values else []),
                                        *(f"For the curator: {c}" for c in curator)])
        names = [self.label(x) for x in states]
        if event.get("earlier"):
            year, main = event["earlier"]
            code = event.get("series") or main.get("code")
            name = (re.sub(r"(?:19|20)\d\d$", year, code) if re.search(r"(?:19|20)\d\d$", code) else f"{code} {year}") \
                if code else f"The exercise of {year}"
            label, base = (f"Exercise {name}" if code else name), name
            values["_note"] = (values.get("_note", "") + " An earlier edition of the exercise the article is about; "
                               "check whether it is the same series.").strip()
        elif event["code"]:
            label, base = f"Exercise {event['code']}", event["code"]
        else:
            where = f" in the {self.label(locations[0])}" if locations else ""
            label = (("–".join(names) + " " if names else "") + (f"{kind} " if kind else "") + "exercise" + where)
            base = "-".join(states) + "-" + (kind or "") + "-exercise"
        label = label[:1].upper() + label[1:]
        confidence = min(0.95, 0.4 + 0.1 * sum(bool(v) for v in (participants, host, observers, locations, start,
                                                                     event["code"])))
        fact = DraftFact("exercise", self.new_id(base), label, paras, values, cues, confidence)
        self.facts.append(fact)
        taking_part = {force_state(self.reference, self.entity(p)) for p in participants}
        for actor, s in absent:
            if actor in participants or actor in observers:
                continue
            if self.state_of(Mention(actor, self.entity(actor).kind, 0, 0, "")) in taking_part:
                self.skipped.append(f"{s.where}: {self.label(actor)} stays out of a part of {label} only "
                                    "(it takes part otherwise); no non-participation drafted")
                continue
            if self.entity(actor).kind not in ("state", "force"):
                continue
            self.facts.append(DraftFact(
                "non-participation", self.new_id(f"{actor}-not-in-{fact.id}"),
                f"{self.label(actor)} does not take part in {label}", [s.paragraph],
                {"actor": actor, "exercise": fact.id}, [f"negated participation ({s.where})"], 0.6))

    def _military_head(self, s: Sent, m: Mention) -> bool:
        """A state's name followed by a military noun ("Belarusian paratroopers", "Iranian naval units")."""
        words = re.findall(r"[\w-]+", s.text[m.end:m.end + 40].casefold())
        for w in words[:3]:
            if w in lx.MILITARY_NOUNS:
                return True
            if w not in lx.MILITARY_MODIFIERS:
                return False
        return False

    @staticmethod
    def _list_kind(s: Sent, m: Mention, noun: str) -> str | None:
        """The force kind a listing noun calls for: its own ("troops": army, "warships": navy), else
        a kind word just before it ("naval forces of ..."), else None (the exercise's kind)."""
        own = lx.MILITARY_NOUNS.get(noun)
        if own in ("army", "navy", "air-force"):
            return own
        words = re.findall(r"[\w-]+", s.text[max(0, m.start - 80):m.start].casefold())
        k = max((i for i, w in enumerate(words) if w == noun), default=None)
        if k and (kind := lx.KIND_FORCE.get(lx.KIND_WORDS.get(words[k - 1], ""))):
            return kind
        # "forces from A, B and C" in a naval exercise: each state's forces, not its navy
        return "armed-forces" if own == "armed-forces" else None

    def _listed_under(self, s: Sent, m: Mention) -> str | None:
        """The military noun a list of states hangs from ("units from A, B and C", "troops of
        A and B", "forces including A"), or None."""
        pos = m.start
        while True:
            words = re.findall(r"[\w'-]+|,", s.text[:pos])
            while words and words[-1].casefold() in ("the", "both"):
                words.pop()
            if not words:
                return None
            last = words[-1].casefold()
            if last in _LIST_PREPS:
                k = len(words) - 2
                while k >= 0 and (words[k].casefold() in lx.MILITARY_MODIFIERS or words[k] == ","):
                    k -= 1
                noun = words[k].casefold() if k >= 0 else ""
                return noun if noun in lx.MILITARY_NOUNS else None
            if last in ("and", "or", ","):
                prev = [x for x in s.mentions if x.end <= pos and x.kind == "state"]
                if not prev or s.text[prev[-1].end:pos].strip(" ,").casefold() not in ("and", "or", ""):
                    return None
                pos = prev[-1].start
                continue
            return None

    def _participant_role(self, s: Sent, m: Mention, head: str) -> bool:
        """A state named near an exercise takes part in it when it names the forces ("Russian
        troops"), modifies the trigger ("the Iran-Russia drill"), is the subject of an event verb
        ("Iran and Russia began ..."), or the drill is joint and it stands in the same clause."""
        low = head.casefold()
        if self._after_preposition(s, m, _WITH):
            return True
        of = re.search(r"([\w-]+)\s+of\s+(?:the\s+)?$", s.text[:m.start])
        if of and of.group(1).casefold() in lx.MILITARY_NOUNS:
            return True
        if low in lx.MILITARY_NOUNS or low in lx.MILITARY_MODIFIERS or _TRIGGER.match(low) \
                or low in lx.KIND_WORDS:
            return True
        a, b = s.clause(m.start)
        clause = s.text[a:b]
        if _ROLE_ADJ.search(clause):
            return True
        verbs = set(re.findall(r"[a-z]+", s.text[m.end:b].casefold()))
        return bool(verbs & lx.EVENT_VERBS) or bool(lx.PARTICIPATION.search(s.text[m.end:b]))

    def _after_preposition(self, s: Sent, m: Mention, preps: frozenset | None = None) -> bool:
        """True when ``m`` is the object of a preposition ("with Russia", "from Ukraine"), or a
        conjunct of one ("from Ukraine and Syria")."""
        preps = preps or _PREPS
        pos = m.start
        while True:
            words = re.findall(r"[\w'-]+|,", s.text[:pos])
            while words and words[-1].casefold() in ("the", "both", "neighbouring", "neighboring"):
                words.pop()
            if not words:
                return False
            last = words[-1].casefold()
            if last in preps:
                return True
            if last in ("and", "or", ","):
                prev = [x for x in s.mentions if x.end <= pos and x.kind == m.kind]
                if not prev or s.text[prev[-1].end:pos].strip(" ,").casefold() not in ("and", "or", ""):
                    return False
                pos = prev[-1].start
                continue
            return False

    # -- arms transfers --

    def _transfer_cues(self, s: Sent) -> list[tuple[str, re.Match]]:
        out = [("give", m) for m in lx.GIVE_VERBS.finditer(s.text) if not self._ship_noun(s, m)]
        out += [("give", m) for m in lx.HAND_VERBS.finditer(s.text)]
        out += [("give", m) for m in lx.BRING_VERBS.finditer(s.text)]
        out += [("get", m) for m in lx.GET_VERBS.finditer(s.text)]
        out += [("noun", m) for m in lx.TRANSFER_NOUNS.finditer(s.text)]
        out += [("arrive", m) for m in lx.ARRIVE_VERBS.finditer(s.text)]
        out += [("deal", m) for m in lx.DEAL_NOUNS.finditer(s.text)]
        for m in s.mentions:
            if m.kind == "state":
                adj = lx.SUPPLIED_ADJ.match(s.text[m.end:])
                if adj and s.text[m.end:m.end + 1] == "-":
                    out.append(("adj", _Fake(m.start, m.end + adj.end(), s.text[m.start:m.end + adj.end()])))
        # a participle after an article is an attribute, not a verb: "one of the pledged systems"
        out = [(k, m) for k, m in out if k not in ("give", "get") or not re.search(r"(?:ed|en)$", m.group(), re.I)
               or not re.search(r"\b(?:the|a|an|its|their|his|her|these|those)\s+$", s.text[:m.start()], re.I)]
        # "arm" and "armed" are verbs only with a state as object ("armed Ukraine")
        out = [(k, m) for k, m in out if not re.fullmatch(r"arm(?:s|ed|ing)?", m.group(), re.I)]
        # a noun inside a verb's phrase is the verb's ("taken delivery of": the verb, not "delivery of")
        verbs = [m for k, m in out if k in ("give", "get")]
        out = [(k, m) for k, m in out if k != "noun" or not any(
            v.start() <= m.start() < v.end() for v in verbs)]
        return sorted(out, key=lambda km: km[1].start())

    @staticmethod
    def _ship_noun(s: Sent, m: re.Match) -> bool:
        """True for a verb of ``lexicon.NOUN_VERBS`` used as a noun ("the ships on the list", "a supply
        ship"): the verb comes after its subject, a modal, "to", a pronoun or a conjunction."""
        if m.group().casefold() not in lx.NOUN_VERBS:
            return False
        if any(x.end <= m.start() and re.fullmatch(r"\s*", s.text[x.end:m.start()]) and x.kind in ACTOR_KINDS
               and not re.search(r"\b(?:the|a|an|its|their|his|her)\s+$", s.text[:x.start], re.I)
               and not _DEMONYM.fullmatch(x.text) for x in s.mentions):
            return False  # "Russia supplies ...": its subject right before it (not "the French ships")
        before = re.findall(r"[\w']+", s.text[:m.start()])
        return not before or before[-1].casefold() not in lx.SHIP_VERB_BEFORE

    def transfers(self) -> None:
        previous: list[DraftFact] = []
        for s in self.sents:
            weapons = [m for m in s.mentions if m.kind == "weapon"]
            cues = self._transfer_cues(s)
            made: list[DraftFact] = []
            if not weapons and cues:
                weapons = self._generic_weapons(s, cues)
            if weapons and cues:
                made = self._transfers_in(s, weapons, cues)
                self._launched_from(s, made)
            # "These were used in the Ukraine conflict": the conflict of the transfers just drafted
            conflicts = [m for m in s.mentions if m.kind == "conflict"]
            if conflicts and _USED_IN.search(s.text):
                targets = made or [f for f in previous if f.at[0] >= s.paragraph - 1]
                for f in targets:
                    for c in conflicts:
                        f.values.setdefault("used_in", [])
                        if c.id not in f.values["used_in"]:
                            f.values["used_in"].append(c.id)
                            f.cues.append(f"used in '{c.text}' ({s.where})")
            if made:
                previous = made
        self.facts = corefer_transfers(self.facts, self.reference)

    def _launched_from(self, s: Sent, made: list[DraftFact]) -> None:
        """A kind of weapon transferred with a named system in one sentence ("the Patriot system
        together with missiles") is the reference's weapon of that kind launched from the system
        (``launched_from``), when there is exactly one."""
        named = {f.values["weapon"] for f in made if not transfer_generic(self.reference, f.values["weapon"])}
        for f in made:
            w = f.values["weapon"]
            if not named or not transfer_generic(self.reference, w):
                continue
            fits = [e.id for e in self.reference.entities.values() if e.kind == "weapon"
                    and getattr(e.values.get("launched_from"), "id", e.values.get("launched_from")) in named
                    and weapon_category(self.reference, e.id) == weapon_category(self.reference, w)]
            if len(fits) == 1:
                f.values["weapon"] = fits[0]
                f.label = f.label.replace(self.label(w), self.label(fits[0]), 1)
                f.id = self.new_id(f.id.replace(slug(w), slug(fits[0]), 1))
                system = self.entity(fits[0]).values["launched_from"]
                f.cues.append(f"the {self.label(w).casefold()} of the {self.label(getattr(system, 'id', system))} "
                              f"transferred with it ({s.where})")

    #: the object right after a verb of transfer: "buy 42 planes", "deliver the jets", "sell more fighters"
    _GENERIC_OBJECT = re.compile(r"\s+(?:(?:the|its|their|more|further|additional)\s+)?"
                                 r"(?:(?:\d[\d,]*|[a-z]+)\s+)?(?P<head>[a-z]+)\b", re.I)

    def _generic_weapons(self, s: Sent, cues) -> list[Mention]:
        """The weapons of a sentence that names none, by a plain noun after a verb of transfer
        ("a plan to buy 42 planes from Paris"): the weapon of the transfer drafted just before
        (this paragraph or the one before) whose category the noun names, else none."""
        out: list[Mention] = []
        for kind, cue in cues:
            if kind not in ("give", "get"):
                continue
            obj = self._GENERIC_OBJECT.match(s.text, cue.end())
            category = lx.WEAPON_HEADS.get(obj.group("head").casefold()) if obj else None
            if category is None or category == "other":
                continue
            if _EARLIER_PLAN.search(s.text[s.clause(cue.start())[0]:cue.start()]):
                # an earlier plan's figure ("the original plan was to buy 36 jets") is no transfer
                self.skipped.append(f"{s.where}: '{obj.group('head')}' of an earlier plan, no transfer of its own")
                continue
            named = [f.values["weapon"] for f in self.facts if f.type == "arms-transfer"
                     and s.paragraph - 1 <= max(f.at) <= s.paragraph and f.values.get("weapon")
                     and not transfer_generic(self.reference, f.values["weapon"])
                     and weapon_category(self.reference, f.values["weapon"]) == category]
            if named:
                out.append(Mention(named[-1], "weapon", obj.start("head"), obj.end("head"), obj.group("head")))
        return out

    def _states_in(self, s: Sent, a: int, b: int, skip: list[tuple[int, int]]) -> list[Mention]:
        return [m for m in s.mentions if a <= m.start < b and self.state_of(m) and m.kind in ("state", "force")
                and not any(x <= m.start < y for x, y in skip)]

    def _transfers_in(self, s: Sent, weapons: list[Mention], cues) -> list[DraftFact]:
        """The transfers of one sentence: each weapon goes with its nearest transfer cue (the
        one before it in its clause, else the one after it), and each cue with its weapons makes
        a frame whose roles are read from the text between the neighbouring frames."""
        groups: list[tuple[str, object, list[Mention]]] = []
        for w in weapons:
            found = self._cue_of(s, w, cues)
            if found is None:
                continue
            kind, cue = found
            for g in groups:
                if g[1] is cue:
                    g[2].append(w)
                    break
            else:
                groups.append((kind, cue, [w]))
        groups.sort(key=lambda g: min(g[1].start(), g[2][0].start))
        spans = [(min(c.start(), ws[0].start), max(c.end(), ws[-1].end)) for _, c, ws in groups]
        made: list[DraftFact] = []
        for i, (kind, cue, ws) in enumerate(groups):
            lo = spans[i - 1][1] if i else 0
            hi = spans[i + 1][0] if i + 1 < len(groups) else len(s.text)
            made += self._transfer_frame(s, kind, cue, ws, lo, hi)
        return made

    @staticmethod
    def _cue_of(s: Sent, w: Mention, cues):
        """The transfer cue a weapon goes with: the nearest before it in its clause, the nearest
        after it in its clause, the nearest before it when no clause of its own lies between; else
        None (the weapon is mentioned, not transferred)."""
        a, b = s.clause(w.start)
        before = [c for c in cues if c[1].end() <= w.start]
        after = [c for c in cues if c[1].start() >= w.end]
        for pool in ([c for c in before if c[1].start() >= a][-1:], [c for c in after if c[1].start() < b][:1]):
            if pool:
                return pool[0]
        # no cue in the weapon's clause: the cue before it, unless a clause with a subject of its own
        # lies between ("..., providing care, and it has doubled as a testing ground for weapons")
        own = re.compile(r"(?:,|;)\s+(?:and|but|while)\s+(?:it|they|he|she|this|that)\b|;|\band\s+that\s")
        if before and not own.search(s.text[before[-1][1].end():w.start]):
            return before[-1]
        if after and not own.search(s.text[w.end:after[0][1].start()]):
            return after[0]
        return None

    # -- discourse context --

    def main_actors(self) -> list[str]:
        """The states the article is about, most mentioned first (title and body)."""
        if self._main is None:
            counts: dict[str, int] = {}
            first: dict[str, int] = {}
            mentions = self.gaz.find(plain(self.title)) + [m for s in self.sents for m in s.mentions]
            for n, m in enumerate(mentions):
                st = self.state_of(m) if m.kind in ("state", "force") else None
                if st:
                    counts[st] = counts.get(st, 0) + 1
                    first.setdefault(st, n)
            self._main = sorted(counts, key=lambda st: (-counts[st], first[st]))
        return self._main

    def _subject(self, s: Sent, lo: int, hi: int) -> tuple[Mention | None, str | None]:
        """The state that is the subject between ``lo`` and ``hi``: the last state not after a
        preposition, unless a pronoun ("it", "they") follows it, which then stands for the
        subject before it in the sentence or for the subject of the previous sentence. Returns
        (mention, how the subject was found when it came from a pronoun)."""
        cands = [m for m in self._states_in(s, lo, hi, self._source_spans(s)) if not self._after_preposition(s, m)
                 and not m.possessive]
        last_end = cands[-1].end if cands else lo
        pron = [p for p in lx.SUBJECT_PRONOUNS.finditer(s.text, last_end, hi)]
        if not pron:
            return (cands[-1] if cands else None), None
        p = pron[0]
        inside = [m for m in self._states_in(s, 0, p.start(), self._source_spans(s))
                  if not self._after_preposition(s, m) and not m.possessive]
        actors = [m for m in s.mentions if m.end <= p.start() and m.kind in ACTOR_KINDS
                  and not self._after_preposition(s, m) and not m.possessive]
        if actors and not self.state_of(actors[0]):
            return None, None  # "the White House said that it ...": the pronoun is no state
        if inside:
            return inside[0], f"'{p.group()}' ({s.where}) read as {inside[0].text}, the subject before it"
        prev = self._previous_subject(s)
        if prev is not None:
            return prev, (f"'{p.group()}' ({s.where}) read as {prev.text}, the subject of the previous sentence")
        return None, None

    def _previous_subject(self, s: Sent) -> Mention | None:
        k = next((i for i, x in enumerate(self.sents) if x is s), 0)
        if k == 0 or self.sents[k - 1].paragraph < s.paragraph - 1:
            return None
        prev = self.sents[k - 1]
        cands = [m for m in self._states_in(prev, 0, len(prev.text), self._source_spans(prev))
                 if not self._after_preposition(prev, m)]
        return cands[0] if cands else None

    def _from_context(self, known: str | None, role: str, weapon: str, paragraph: int) -> tuple[str | None, str]:
        """The missing side of a transfer: the other side of the latest transfer drafted with the
        same known side; when neither side is known, the latest transfer of the same weapon, else
        the latest transfer of this paragraph or the one before; else the article's most
        mentioned state that is not the known side."""
        other = "recipient" if role == "supplier" else "supplier"
        drafted = [f for f in self.facts if f.type == "arms-transfer"]
        for f in reversed(drafted):
            if known is not None and f.values.get(other) == known:
                return f.values[role], f"the {role} of {f.id}, which has the same {other}"
            if known is None and f.values.get("weapon") == weapon:
                return f.values[role], f"{f.id}, of the same weapon"
        if known is None:
            near = [f for f in drafted if paragraph - 1 <= f.at[0] <= paragraph]
            if near:
                return near[-1].values[role], f"{near[-1].id}, the transfer just before"
            return None, ""
        for st in self.main_actors():
            if st != known:
                return st, "the state the article names most"
        return None, ""

    def _transfer_frame(self, s: Sent, kind: str, cue, weapons: list[Mention], lo: int, hi: int) -> list[DraftFact]:
        sources = self._source_spans(s)
        made: list[DraftFact] = []
        v0, v1 = cue.start(), cue.end()
        before = self._states_in(s, lo, v0, sources)
        after = self._states_in(s, v1, hi, sources)
        notes: list[str] = []
        inferred: list[str] = []

        def state(m: Mention | None) -> str | None:
            return self.state_of(m) if m else None

        def after_word(words: str) -> Mention | None:
            for m in after:
                gap = s.text[v1:m.start]
                if re.search(rf"\b(?:{words})\s+(?:the\s+)?(?:[\w-]+\s+){{0,1}}$", gap, re.I):
                    return m
            return None

        def subject() -> str | None:
            if re.search(r"\bto\s+$", s.text[:v0]):  # "X agreed, after Y, to hand ...": the clause's subject
                comp = [c.end() for c in re.finditer(r"\b(?:that|whether)\b", s.text[lo:v0], re.I)]
                start = lo + comp[-1] if comp else lo
                first = [m for m in self._states_in(s, start, v0, sources) if not self._after_preposition(s, m)
                         and not m.possessive]
                owner = [m for m in self._states_in(s, start, v0, sources) if m.possessive]
                if not first and owner:  # "Russia's talks with Iran to obtain ...": the possessor acts
                    return state(owner[0])
                # the last state is an object when a verb comes right before it ("followed the United States")
                while len(first) > 1 and re.search(r"\b[a-z]+(?:ed|s)\s+(?:the\s+)?$", s.text[:first[-1].start]):
                    first.pop()
                if first:
                    return state(first[-1])
            # the subject of a verb after "that" is in its clause: "X said ... that Y plans to buy"
            comp = [c.end() for c in re.finditer(r"\b(?:that|whether)\b", s.text[lo:v0], re.I)]
            m, how = self._subject(s, lo + comp[-1] if comp else lo, v0)
            if how:
                notes.append(f"Read from a pronoun: {how}.")
            return state(m)

        def objects_before(words: str) -> list[Mention]:
            return [m for m in before if re.search(rf"\b(?:{words})\s+(?:the\s+)?$", s.text[lo:m.start], re.I)]

        supplier = recipient = None
        # "was supplied" is passive, "was supplying" is not
        passive = bool(_BE.search(s.text[lo:v0])) and not re.search(r"ing$", cue.group(), re.I) \
            or bool(re.match(r"\s+(?:to|by)\b", s.text[v1:]))
        if kind == "adj":
            supplier = state(next(m for m in s.mentions if m.start == cue.start()))
            first = [m for m in self._states_in(s, 0, cue.start(), sources)]
            recipient = state(first[0]) if first else None
        elif kind == "give":
            by = after_word("by")
            to = after_word("to|for")
            if passive:
                supplier = state(by)
                recipient = state(to) or (state(before[-1]) if before and not to else None)
                if not to and before and by and re.search(r"\bwith\b", s.text[v1:]):
                    recipient = state(before[-1])
            else:
                supplier = subject() if before or lx.SUBJECT_PRONOUNS.search(s.text[lo:v0]) else None
                if supplier is None and before:
                    supplier = state(before[-1])
                direct = after[0] if after and re.fullmatch(r"\s+(?:the\s+)?", s.text[v1:after[0].start]) else None
                recipient = state(to) or state(direct)
                if recipient is None:  # "to build drones for Russia and then ship them"
                    earlier = [m for m in objects_before("to|for") if state(m) != supplier]
                    recipient = state(earlier[-1]) if earlier else None
        elif kind == "get":
            by = after_word("by")
            recipient = state(by) if passive and by else subject()
            supplier = state(after_word("from"))
            if supplier is None and re.search(r"\bto\s+$", s.text[:v0]):  # "talks with Iran to obtain ..."
                partner = [m for m in before if re.search(r"\bwith\s+(?:the\s+)?$", s.text[lo:m.start])
                           and state(m) != recipient]
                supplier = state(partner[-1]) if partner else None
        elif kind == "arrive":
            place = next((m for m in s.mentions if v1 <= m.start < hi and m.kind in ("state", "place")
                          and re.search(r"\b(?:in|at|to)\s+(?:the\s+)?(?:[\w-]+\s+){0,3}$", s.text[v1:m.start])),
                         None)
            if place is not None:
                recipient = place.id if place.kind == "state" else (
                    self.entity(place.id).values["state"].id if "state" in self.entity(place.id).values else None)
            supplier = state(after_word("from"))
        elif kind == "deal":
            recipient = subject()
            supplier = state(after_word("with|from"))
            recipient = recipient or state(after_word("to|for"))
        else:  # a noun: "deliveries of shells to Russia from North Korea", "Iran's supply of drones"
            poss = [m for m in before if m.possessive or s.text[m.end:v0].strip() in ("", "-")]
            supplier = state(after_word("from|by")) or (state(poss[-1]) if poss else None)
            recipient = state(after_word("to|for"))
            if supplier is None and before:
                supplier = state(before[-1])
        for role in ("supplier", "recipient"):  # the parse's roles, where it gives them, before the rules'
            parsed = [st for m in self._parsed(s, v0, v1, role) or [] if (st := self.state_of(m))]
            if parsed and role == "supplier":
                supplier = parsed[0]
            elif parsed:
                recipient = parsed[0]
        if supplier is None and kind in ("get", "arrive", "noun", "deal"):
            # "received Chinese HQ-9 systems": the state named as the weapons' adjective
            maker = next((m for m in s.mentions if m.kind == "state" and any(
                re.fullmatch(r"\s*(?:[\w-]+\s+){0,1}", s.text[m.end:w.start]) and m.end <= w.start
                for w in weapons) and not m.possessive and state(m) != recipient
                and _DEMONYM.fullmatch(m.text)), None)
            if maker is not None:
                supplier = state(maker)
                notes.append(f"The supplier is the weapons' origin ('{maker.text} ...', {s.where}).")
        if supplier is None:  # "rifles made in Belarus"
            origin = next((m for m in self._states_in(s, lo, hi, sources)
                           if lx.ORIGIN.search(s.text[:m.start]) and any(
                               w.end <= m.start and "," not in s.text[w.end:m.start] for w in weapons)), None)
            if origin is not None:
                supplier = state(origin)
                notes.append(f"The supplier is where the weapons were made ('{origin.text}', {s.where}).")
        if supplier == recipient:
            recipient = None
        for role in ("supplier", "recipient"):
            if (supplier if role == "supplier" else recipient) is not None:
                continue
            known = recipient if role == "supplier" else supplier
            found, why = self._from_context(known, role, weapons[0].id, s.paragraph)
            if found is not None and found != known:
                if role == "supplier":
                    supplier = found
                else:
                    recipient = found
                inferred.append(role)
                notes.append(f"The {role} is inferred from the context ({why}), not named in the sentence.")
        if not supplier or not recipient or supplier == recipient:
            self.skipped.append(f"{s.where}: a transfer cue '{cue.group()}' without "
                                + ("a supplier" if not supplier else "a recipient") + " in the reference")
            return made
        a = s.clause(v0)[0]
        if lx.NEGATED.search(s.text[a:v0]):  # "had not approved any sale of": a denial's object, no transfer
            self.skipped.append(f"{s.where}: a transfer cue '{cue.group()}' under a negation ('"
                                f"{lx.NEGATED.search(s.text[a:v0]).group().strip()}'): no transfer drafted")
            return made
        certainty, according, via, hedge = self._attribution([s])
        # a party that speaks of its own transfer announces it: that is no source of the fact
        spoken = [sp for sp in self._speakers(s) if sp.id not in (supplier, recipient)]
        according = self._heads(s, list(dict.fromkeys(
            [a for a in according if a not in (supplier, recipient)] + [sp.id for sp in spoken])))
        seg = s.text[lo:hi]
        # "talks to obtain", "agreed to hand": an infinitive cue is an intention
        planned = lx.PLANNED.search(seg) or lx.PENDING.search(s.text[:v0]) or re.search(r"\bto\s+$", s.text[:v0])
        ordered = lx.ORDERED.search(seg)
        past = _PAST_GIVE.search(seg)
        for w in weapons:
            if re.search(r"\bdrone$", w.text, re.I) and s.text[w.end:w.end + 1] == "-":
                continue
            values: dict = {"supplier": supplier, "recipient": recipient, "weapon": w.id, "_where": s.where,
                            "_batch": bool(lx.BATCH_WORDS.search(s.text[max(0, w.start - 40):w.start]))}
            wcues = [f"'{cue.group()}' ({s.where})"]
            # a source named between the verb and this weapon is this weapon's source
            k = weapons.index(w)
            start_at = max(v1, weapons[k - 1].end if k else v1)
            own = [m for m in lx.ACCORDING_TO.finditer(s.text) if start_at <= m.start() < w.start]
            if own:
                end = _SOURCE_END.search(s.text, own[-1].end())
                who = self._source(s, (own[-1].end(), end.start() if end else len(s.text)))
                cert, acc = ("attributed", [who]) if who else ("reported", [])
                wcues.append(f"'{own[-1].group().strip()}' ({s.where})")
            else:
                pre = [h for h in lx.HEDGES.finditer(s.text)]
                acc_all = [m for m in lx.ACCORDING_TO.finditer(s.text) if m.start() >= weapons[-1].end
                           or m.start() < v0]
                if according and (acc_all or spoken or not pre):
                    cert, acc = "attributed", according
                    wcues += [sp.cue for sp in spoken]
                    belief = lx.BELIEF.search(s.text[:v0])
                    if belief:  # "said it believes Russia plans to buy": the speaker's belief, likely
                        cert = "likely"
                        wcues.append(f"'{belief.group().split()[0]}' ({s.where})")
                elif pre:
                    cert, acc = "reported", []
                    wcues += [f"'{h.group()}' ({s.where})" for h in pre]
                else:
                    cert, acc = None, []
            retracted = lx.RETRACTED.search(s.text)
            if retracted:  # "the outlet later removed the story": what it said stands unclear
                cert = "unclear"
                wcues.append(f"'{retracted.group()}' ({s.where})")
                if acc:  # the article's account is unclear; the speaker's report and its retraction are claims
                    ident = "-".join(acc)
                    values["claims"] = [
                        {"id": f"{ident}-report", "by": list(acc), "at": [s.paragraph], "certainty": "attributed"},
                        {"id": f"{ident}-retraction", "mode": "retracts", "of": f"{ident}-report", "by": list(acc),
                         "at": [s.paragraph], "certainty": "attributed"}]
                    acc = []
            if cert:
                values["certainty"] = cert
            if acc:
                values["according_to"] = acc
            wnotes = list(notes)
            q: Quantity | None = quantity_before(s.text, w.start)
            previous = running_total(s.text, w.end)
            if q is not None:
                total = previous is not None or cumulative(s.text, w.start, q)
                if not total:  # this transfer's own number, however told: "10", "about 1,000"
                    values["_amount"] = q.describe()
                if previous is not None:  # "76 trucks (up from 60)": a running total, not this delivery's size
                    wnotes.insert(0, f"Quantity: {q.describe()} in all so far, up from {previous} (a running total).")
                elif total:  # "a cumulative 24 drones": all delivered so far, not this delivery's size
                    wnotes.insert(0, f"Quantity: {q.describe()} in all so far (a running total).")
                elif q.exact is not None:
                    values["quantity"] = q.exact
                else:
                    wnotes.insert(0, f"Quantity: {q.describe()} ({q.qualifier}).")
                wcues.append(f"quantity '{q.text}' ({s.where})")
            if wnotes:
                values["_note"] = " ".join(wnotes)
            if cert in ("reported", "unclear"):
                status = "reported"
            elif planned:
                status = "planned"
            elif ordered and not past:
                status = "ordered"
            elif past or kind in ("adj", "arrive"):
                status = "delivered"
            else:
                status = "reported"
            values["status"] = status
            plan = _PLAN_NOUN.search(s.text[a:w.start])
            if status == "planned" and plan and re.fullmatch(r"[\s\d,]*|\s+\w+\s+", s.text[a + plan.end():w.start]):
                values["modality"] = "planned"  # "part of a plan by Chile to buy 42 planes": the plan is told
            elif status == "planned" and lx.INTENT.search(s.text[a:w.start]):
                values["modality"] = "intended"  # "plans to buy", "talks to obtain": an intention, no decision
            label = f"{self.label(w.id)} from {self.label(supplier)} to {self.label(recipient)}"
            confidence = 0.8 if kind in ("give", "get", "arrive") else 0.6
            if inferred:
                confidence = 0.4
            elif notes:
                confidence = min(confidence, 0.6)
            fact = DraftFact("arms-transfer", self.new_id(f"{supplier}-{recipient}-{w.id}"), label, [s.paragraph],
                             values, wcues, confidence)
            self.facts.append(fact)
            made.append(fact)
        return made

    # -- denials and confirmations --

    def stances(self) -> None:
        pending: list[tuple[Sent, re.Match, str]] = []
        for s in self.sents:
            for ftype, pattern in (("confirmation", lx.CONFIRM), ("denial", lx.DENY)):
                for m in pattern.finditer(s.text):
                    self._stance(s, ftype, m)
            # narrower denials ("pushed back against", "had not approved") are claims on the fact
            for m in claims.NARROW_DENIAL.finditer(s.text):
                if not any(d.start() <= m.start() < d.end() for d in lx.DENY.finditer(s.text)):
                    before = len(self.skipped)
                    self._stance(s, "denial", m, claims.denial_mode(m))
                    if len(self.skipped) > before and self.skipped[-1].endswith("with no drafted fact to refer to"):
                        pending.append((s, m, self.skipped[-1]))
        # a denial of "accusations" told before the accused transfer was drafted (as alleged, from a
        # later denial that names it): the same accusation, denied again
        if any(f.type == "arms-transfer" and f.values.get("status") == "alleged" for f in self.facts):
            for s, m, skipped in pending:
                self.skipped.remove(skipped)
                self._stance(s, "denial", m, claims.denial_mode(m))

    def _spoken_for(self, s: Sent, x: Mention) -> Mention:
        """The speaker of "a spokesman for X": the person the reference has for X's spokesperson
        ("Iranian Navy spokesperson"), else X itself, for whom the spokesperson speaks."""
        role = _SPOKES.search(s.text[:x.start])
        if role is None:
            return x
        words = [role.group(1)] + (["spokesperson"] if role.group(1).casefold().startswith("spokes") else [])
        for word in words:
            for e in self.reference.find(f"{x.text} {word}", ["person", "group"]):
                return Mention(e.id, e.kind, x.start, x.end, x.text)
        return x

    #: "A foreign ministry spokesman and a minister ... (both) said on Friday that ": unnamed people
    #: by their titles, the subject of a verb of saying whose clause follows
    _TITLED_SAY = re.compile(r"^\s*(?P<subj>(?:an?|the)\s[^,;.\"\u201c]*?)\s+(?:both\s+|also\s+)?"
                             r"(?:said|say|says|stated|told\s+\w+)(?:\s+on\s+\w+)?\s+that\s+$", re.I)

    def _titled_speakers(self, s: Sent, actors: list[Mention]) -> list[Mention]:
        """The speakers of "a navy spokesman said that Iran had not approved ...": when the actors
        found are only the states of the clause said, and the sentence's subject is unnamed people
        given by their titles, each title with that state resolves to the reference's unnamed person
        ("Iranian Navy spokesperson", "Deputy defence minister of Poland"); those found speak."""
        states = [st for x in actors if x.kind == "state" and (st := self.state_of(x))]
        if not actors or len(states) != len(actors):
            return []
        said = self._TITLED_SAY.match(s.text[:actors[0].start])
        if said is None or any(x.start < actors[0].start for x in s.mentions if x.kind in ACTOR_KINDS):
            return []
        found = []
        for part in re.split(r",\s*|\s+and\s+", said.group("subj")):
            title = re.sub(r"^(?:an?|the)\s+", "", part.strip(), flags=re.I)
            title = re.sub(r"\bspokes(?:man|woman)\b", "spokesperson", title, flags=re.I)
            for st in states:
                e = self.entity(st)
                names = [e.label, *e.aliases]
                hits = [h for n in names for h in self.reference.find(f"{n} {title}", ["person"])
                        + self.reference.find(f"{title} of {n}", ["person"]) if h.values.get("unnamed")]
                if hits:
                    start = said.start("subj") + said.group("subj").find(part.strip())
                    found.append(Mention(hits[0].id, "person", start, start + len(part.strip()), part.strip()))
                    break
        return found

    def _stance(self, s: Sent, ftype: str, m: re.Match, mode: str | None = None) -> None:
        """A denial or confirmation in ``s`` at ``m``: a fact of its own, or, for a denial of a
        narrower ``mode`` (``rejects``, ``denies-approval``), a claim of that mode on each fact it
        is about (docs/claims-model.md)."""
        a, b = s.clause(m.start())
        # the actor: the subject before the verb (in this clause, else in the sentence)
        actors = [self._spoken_for(s, x) for x in s.mentions if x.start < m.start() and x.kind in ACTOR_KINDS
                  and not any(p <= x.start < q for p, q in self._source_spans(s))
                  and (not self._after_preposition(s, x) or _SPOKES.search(s.text[:x.start]))]
        in_clause = [x for x in actors if x.start >= a]
        actors = in_clause or actors[-1:]
        body = claims.body_before(self._said(s), m.start())  # "its defence ministry denied"
        if body is not None:
            actors = [Mention(body[0], self.entity(body[0]).kind, body[1].start(), body[1].end(), body[1].group())]
        if actors:  # the subject: the last actor before the verb and those joined to it by "and"
            chain = [actors[-1]]
            for x in reversed(actors[:-1]):
                if s.text[x.end:chain[0].start].strip(" ,").casefold() not in ("and", "or", ""):
                    break
                chain.insert(0, x)
            actors = chain
            actors = self._titled_speakers(s, actors) or actors
        parsed = [x for x in self._parsed(s, m.start(), m.end(), "denier" if ftype == "denial" else "speaker") or []
                  if x.kind in ACTOR_KINDS]
        if parsed:  # the subject of the verb in the parse, before the rules' reading
            actors = [self._spoken_for(s, x) for x in parsed]
        both = _BOTH.search(s.text[a:m.start()])
        recent_pair = [f for f in self.facts if f.type == "arms-transfer" and s.paragraph - 1 <= f.at[0] <= s.paragraph]
        if not actors and both and recent_pair:
            f = recent_pair[-1]
            pos = a + both.start()
            actors = [Mention(f.values["supplier"], "state", pos, pos, both.group()),
                      Mention(f.values["recipient"], "state", pos, pos, both.group())]
        actors = [x for x in actors if x.kind in ACTOR_KINDS]
        if not actors:
            self.skipped.append(f"{s.where}: '{m.group()}' without an actor in the reference")
            return
        by = list(dict.fromkeys(x.id for x in actors))
        # what is denied or confirmed: the words after the verb, to the next verb of the other kind
        other = lx.DENY if ftype == "confirmation" else lx.CONFIRM
        stop = other.search(s.text, m.end())
        end = min(b, stop.start() if stop else b)
        but = re.search(r"\s(?:but|while|yet)\s", s.text[m.end():end])
        if but:
            end = m.end() + but.start()
        obj = s.text[m.end():end]
        targets: list[str] = []
        cues = [f"'{m.group()}' ({s.where})"]
        recent = [f for f in self.facts if f.type in ("arms-transfer", "exercise")
                  and s.paragraph - 1 <= max(f.at) <= s.paragraph]
        if lx.COOPERATION.search(obj) and not lx.GIVE_VERBS.search(obj):
            parties = list(dict.fromkeys(
                st for x in s.mentions if (st := self.state_of(x)) and x.kind in ("state", "force")))
            for x in actors:
                st = self.state_of(x)
                if st and st not in parties:
                    parties.insert(0, st)
            if len(parties) >= 2:
                areas = [lx.AREA_WORDS[w] for w in re.findall(r"[a-z]+", obj.casefold()) if w in lx.AREA_WORDS]
                conflict = next((x.id for x in s.mentions if x.kind == "conflict" and m.end() <= x.start < end), None)
                values: dict = {"parties": parties}
                if areas:
                    values["areas"] = list(dict.fromkeys(areas))
                if conflict:
                    values["in_conflict"] = conflict
                label = "–".join(self.label(p) for p in parties) + " cooperation" + (
                    f" in the {self.label(conflict)}" if conflict else "")
                coop = DraftFact("cooperation", self.new_id("-".join(parties) + "-cooperation"
                                                            + (f"-{conflict}" if conflict else "")),
                                 label, [s.paragraph], values, [f"'{lx.COOPERATION.search(obj).group()}' ({s.where})"],
                                 0.5)
                self.facts.append(coop)
                targets.append(coop.id)
                if ftype == "denial" and conflict:
                    disputes = [f.id for f in recent if f.type == "arms-transfer"
                                and conflict in f.values.get("used_in", [])]
                    if disputes:
                        coop.values["_disputes"] = disputes
        if not targets:
            code = self._codename(Sent(s.sentence, obj, [], [(0, len(obj))]))
            named = [f for f in self.facts if f.type == "exercise" and code
                     and re.sub(r"\W", "", str(f.values.get("codename", "")).casefold())
                     == re.sub(r"\W", "", code[0].casefold())]
            if named:
                targets = [named[0].id]
            elif _TRIGGER.search(obj):
                targets = [f.id for f in recent if f.type == "exercise"][-1:]
            if not targets:
                targets = [f.id for f in recent if f.type == "arms-transfer" and f.at[0] == s.paragraph] \
                    or [f.id for f in recent if f.type == "arms-transfer"] or [f.id for f in recent][-1:]
        if not targets and ftype == "denial":
            alleged = self._alleged_transfer(s, m, end, actors)
            if alleged is not None:
                targets = [alleged.id]
            elif mode is not None and _ACCUSATION.search(obj):  # "pushed back against the accusations"
                targets = [f.id for f in self.facts
                           if f.type == "arms-transfer" and f.values.get("status") == "alleged"][:1]
        if not targets:
            self.skipped.append(f"{s.where}: '{m.group()}' with no drafted fact to refer to")
            return
        if mode is not None:
            for t in targets:
                f = next(f for f in self.facts if f.id == t)
                made = f.values.setdefault("claims", [])
                same = next((c for c in made if (c.get("mode"), c.get("by"), c.get("at")) == (mode, by, [s.paragraph])),
                            None)
                if same is not None:  # "approved no arms ... neither sanctioned nor approved": one claim
                    f.cues.append(f"'{m.group()}' ({s.where}): {mode} by {', '.join(by)}")
                    continue
                ident = slug(f"{'-'.join(by)}-{mode}")
                ident = ident if all(c["id"] != ident for c in made) else f"{ident}-{len(made) + 1}"
                made.append({"id": ident, "mode": mode, "by": by, "at": [s.paragraph]})
                f.cues.append(f"'{m.group()}' ({s.where}): {mode} by {', '.join(by)}")
            return
        values = {"by": by}
        key = "denies" if ftype == "denial" else "confirms"
        values[key] = targets
        if ftype == "denial":
            disputes = []
            for t in targets:
                f = next(f for f in self.facts if f.id == t)
                disputes += f.values.pop("_disputes", [])
            if disputes:
                values["disputes"] = disputes
            if lx.REPEATED.search(s.text):
                values["repeated"] = True
        who = " and ".join(self.label(x) for x in by)
        verb = "denies" if ftype == "denial" else "confirms"
        what = next(f for f in self.facts if f.id == targets[0])
        shown = what.label if what.type == "exercise" and what.values.get("codename") else f"the {what.type}: {what.label}"
        label = f"{who} {verb if len(by) == 1 else {'denies': 'deny', 'confirms': 'confirm'}[verb]} {shown}"
        self.facts.append(DraftFact(ftype, self.new_id(f"{'-'.join(by)}-{verb}-{targets[0]}"), label,
                                    [s.paragraph], values, cues, 0.6))

    def _alleged_transfer(self, s: Sent, m: re.Match, end: int, actors: list[Mention]) -> DraftFact | None:
        """The transfer a denial at ``m`` names ("had not approved any sale of arms to Bolivia")
        when no drafted fact tells it: only alleged, so drafted as such (status ``alleged``), by
        whoever the article says accuses (a state or person named before "accusations",
        "alleged"), never as a fact the article states (docs/claims-model.md)."""
        obj = s.text[m.end():end]
        noun = lx.TRANSFER_NOUNS.search(obj)
        if noun is None:
            return None
        after = m.end() + noun.end()
        weapon = next((x.id for x in s.mentions if x.kind == "weapon" and after <= x.start < end), None)
        bare = re.match(r"\s*(?:any\s+|the\s+|some\s+)?([a-z]+)\b", s.text[after:end], re.I)
        if weapon is None and bare and bare.group(1).casefold() in lx.WEAPON_GENERIC \
                and "unspecified-arms" in self.reference.entities:
            weapon = "unspecified-arms"  # "any shipment of arms": weapons the text does not name
        recipient = next((x for x in s.mentions if after <= x.start < end and self.state_of(x) and x.kind == "state"
                          and re.search(r"\bto\s+(?:the\s+)?$", s.text[max(0, x.start - 10):x.start])), None)
        if weapon is None or recipient is None:
            return None
        a = s.clause(m.start())[0]
        subject = [x for x in s.mentions if a <= x.start < m.start() and x.kind == "state"]
        supplier = self.state_of(subject[-1]) if subject else next(
            (st for x in actors if (st := self.state_of(x))), None)
        recipient_id = self.state_of(recipient)
        if supplier is None or supplier == recipient_id:
            return None
        values: dict = {"supplier": supplier, "recipient": recipient_id, "weapon": weapon, "status": "alleged"}
        cues = [f"'{noun.group().strip()}' under the denial '{m.group()}' ({s.where}): alleged, not told as a fact"]
        accusers = []
        for t in self.sents:
            if t.paragraph > s.paragraph:
                break
            for acc in _ACCUSATION.finditer(t.text):
                who = [x for x in t.mentions if x.end <= acc.start() and x.kind in ("state", "person")
                       and re.fullmatch(r"[\s'’s]*", t.text[x.end:acc.start()])]
                if who:
                    accusers.append(self.state_of(who[-1]) if who[-1].kind == "state" else who[-1].id)
                    cues.append(f"'{t.text[who[-1].start:acc.end()]}' ({t.where})")
        accusers = [x for x in dict.fromkeys(accusers) if x and x not in (supplier, recipient_id)]
        accusers = list(dict.fromkeys(self._spokesperson_of(st, s.paragraph, cues) for st in accusers))
        values["certainty"] = "attributed" if accusers else "reported"
        if accusers:
            values["according_to"] = accusers
            values["mode"] = "accuses"
        fact = DraftFact("arms-transfer", self.new_id(f"{supplier}-{recipient_id}-{weapon}"),
                         f"{self.label(weapon)} from {self.label(supplier)} to {self.label(recipient_id)} (alleged)",
                         [s.paragraph], values, cues, 0.4)
        self.facts.append(fact)
        return fact

    #: "Jane Doe, the French ambassador to Chile, said": the apposition after a person, up to its comma
    _APPOSITION = re.compile(r"\s*,\s*(?:the|a|an)\s+(?P<post>[^,;]+?)\s*,")

    def _spokesperson_of(self, accuser: str, paragraph: int, cues: list[str]) -> str:
        """The person who speaks for the state ``accuser`` up to ``paragraph``: a speaker given in
        apposition as one of its officials ("X, the U.S. ambassador to South Africa, said"), whose
        accusation "U.S. accusations" reports; else the state itself."""
        if accuser not in self.reference.entities or self.entity(accuser).kind != "state":
            return accuser
        for t in self.sents:
            if t.paragraph > paragraph:
                break
            spoken = {sp.id for sp in self._speakers(t)}
            for x in t.mentions:
                post = self._APPOSITION.match(t.text, x.end) if x.kind == "person" and x.id in spoken else None
                if post is None:
                    continue
                # the post's own state: the first state named in it, not after a preposition ("to South Africa")
                owner = next((self.state_of(y) for y in t.mentions if post.start("post") <= y.start < post.end("post")
                              and self.state_of(y) and not self._after_preposition(t, y)), None)
                if owner == accuser:
                    cues.append(f"'{t.text[x.start:post.end()].rstrip(',')}' ({t.where}): the accuser of {accuser}")
                    return x.id
        return accuser

    # -- names not in the reference --

    def unresolved(self) -> list[Unresolved]:
        lower_words = set(re.findall(r"\b[a-z][\w-]*", plain(self.text)))
        found: dict[str, Unresolved] = {}
        for s in self.sents:
            for name, start, end, before in unknown_names(s.text, 0, s.mentions):
                if start == 0 and " " not in name and name.casefold() in lower_words:
                    continue  # a capitalised common word at the start of a sentence
                if name.casefold() in _MONTHS or all(w.casefold() in lx.COMMON_CAPS for w in name.split()):
                    continue
                kind, hint = classify(name, before, s.text[end:end + 30])
                if kind == "unknown" and " " not in name and start == 0:
                    continue  # one capitalised word at the start of a sentence says too little
                if any(name in c for c in self.codename_texts):
                    continue
                if kind == "codename" and re.sub(r"\W", "", name.casefold()) in self.codenames:
                    continue
                if re.search(r"[\"\u201c][^\"\u201d]*$", s.text[:start]):
                    continue  # inside quotation marks: a slogan, a title
                u = found.setdefault(name, Unresolved(name, kind, [], hint))
                if s.paragraph not in u.paragraphs:
                    u.paragraphs.append(s.paragraph)
                self._seen.setdefault(name, (s, start, end))
        return sorted(found.values(), key=lambda u: (u.paragraphs[0], u.name))

    # -- proposed reference entries --

    def sightings(self, unresolved: list[Unresolved]) -> list[Sighting]:
        """The unknown names of the kinds ``kg.extract.propose`` proposes entries for, where
        they were first seen, and a force's state; not a name that holds an exercise's codename
        ("Garuda VIII" read as a person)."""
        out = []
        for u in unresolved:
            if u.kind not in PROPOSED_KINDS or any(c in u.name for c in self.codename_texts if c):
                continue
            s, start, end = self._seen[u.name]
            state, how = self._state_of_name(s, start) if u.kind == "force" else (None, "")
            out.append(Sighting(u.name, u.kind, dict(u.hint), tuple(u.paragraphs), s.text, start, end, state, how))
        for force, post, s, start, end in self._posts:  # "X's commander is hosting": an unnamed person
            name = f"{post.capitalize()} of the {self.label(force)}"
            if name not in {x.name for x in out}:
                out.append(Sighting(name, "person", {"id": f"{force}-{post}", "post": post}, (s.paragraph,),
                                    s.text, start, end))
        return out

    def _state_of_name(self, s: Sent, start: int) -> tuple[str | None, str]:
        """The state of an unknown force's name: a state named right before it ("Russia's",
        "Iranian"), else the only state its sentence names, else the state the article names most."""
        before = [m for m in s.mentions if m.end <= start and self.state_of(m)]
        if before and re.fullmatch(r"(?:['\u2019]s)?\s*(?:the\s+)?", s.text[before[-1].end:start]):
            return self.state_of(before[-1]), f"the state named before it ('{before[-1].text}')"
        states = list(dict.fromkeys(st for m in s.mentions if (st := self.state_of(m))))
        if len(states) == 1:
            return states[0], "the only state its sentence names (a guess)"
        main = self.main_actors()
        if main:
            return main[0], "the state the article names most (a guess)"
        return None, ""


class _Fake:
    """A match-like span for cues found without a regular expression."""

    def __init__(self, start: int, end: int, text: str):
        self._start, self._end, self._text = start, end, text

    def start(self) -> int:
        return self._start

    def end(self) -> int:
        return self._end

    def group(self) -> str:
        return self._text


def draft(text: str, reference: Reference, article_id: str, source: str,
          gazetteer: Gazetteer | None = None, propose: bool = True, roles=None) -> Draft:
    """Draft the facts of an article's ``text``; ``source`` is the file name the header gives.

    With ``propose``, the unknown people, forces, vessels, weapons and organisations get
    proposed reference entries (``Draft.proposals``) and the article is drafted again with them
    as reference entities, so that the facts use them; ``Draft.reference`` is then the reference
    to read the draft with (the project's plus the proposed entries). ``roles``
    (``kg.extract.nlp.Roles``): the roles of a parse of ``text``, read before the rules."""
    first = Extractor(text, reference, article_id, source, gazetteer, roles)
    made = first.run()
    made.reference = reference
    proposals = propose_entries(first.sightings(made.unresolved), reference.entities) if propose else []
    if not proposals:
        return made
    path = f"{article_id}.proposed.yaml"
    wider = extended(reference, proposals, path)
    made = Extractor(text, wider, article_id, source, Gazetteer.of(wider), roles).run()
    made.proposals = proposals
    made.reference = wider
    return made
