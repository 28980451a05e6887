"""What the words of one sentence say about the names in it, shared by the drafting
components: whether a name is the object of a preposition or the subject of a verb, which spans
name a source or an observer, the words that open an exercise or a transfer, an exercise's name."""
from __future__ import annotations

import re

from . import lexicon as lx
from .context import Context
from .exercises import CODENAME_APPOSITION as _CODENAME_APPOSITION
from .exercises import dateline_end, hypothetical
from .found import Sent
from .mentions import Mention


ACTOR_KINDS = ("state", "force", "person", "organisation", "group")
#: a plan told as a noun, right before its verb of transfer: "part of a plan by the country to buy"
PLAN_NOUN = re.compile(r"\b(?:a|the|its|their|his|her)\s+(?:[\w-]+\s+)?plans?\s+(?:(?:by|of|for)\s+[^,;]*?\s+)?"
                       r"to\s+[a-z]+", re.I)
#: a plan given up or changed: "the original plan was to buy 36 jets"
EARLIER_PLAN = re.compile(r"\b(?:original|initial|earlier|first|previous|former)\s+(?:plans?|intention|aim)\b"
                          r"[^,;]*$", re.I)

TRIGGER = re.compile(
    r"\b(?:war[- ]games?|military\s+games|wargames?|drills?|exercises?|manoeuvres?|maneuvers?|maneuvres?)\b", re.I)
DEFINITE = re.compile(r"\b(?:the|this|that|these|those|its|their|such|same)\s+(?:[\w-]+\s+){0,3}$", re.I)
INDEFINITE = re.compile(r"\b(?:a|an|another|new|separate|second|first)\s+(?:[\w-]+\s+){0,3}$", re.I)
_CODENAME_CUE = re.compile(r"\b(?:code-?named|dubbed|called|named|titled|known\s+as)\s+[\"'\u201c]?"
                           r"(?P<name>[A-Z][\w-]*(?:\s+(?:[A-Z][\w-]*|(?:19|20)\d\d)){0,4})", re.U)
_CODENAME_YEAR = re.compile(r"\b(?P<name>(?:[A-Z][\w]*(?:[\s-]+|(?=\d)))+(?:19|20)\d\d)\b")
_ALLCAPS = re.compile(r"\b(?P<name>[A-Z]{4,}(?:[\s-]+(?:19|20)\d\d)?)\b")
#: capitalised words right before a lower-case trigger: "the yearly Iron Falcon drill"
_CODENAME_BEFORE = re.compile(r"(?<![\w-])(?P<name>[A-Z][a-z][\w-]*(?:\s+[A-Z][a-z][\w-]*){0,2})\s+"
                              r"(?i:exercises?|drills?|war\s*games|manoeuvres|maneuvers|wargames?)\b")
#: an earlier edition of an exercise: "last year", "the previous Zapad exercise"
EARLIER = re.compile(r"^(?:last|the\s+previous)\s+year\b|\b(?:the|its)\s+(?:last|previous|preceding|prior|earlier)\s+"
                     r"(?:[A-Z][\w-]*\s+){0,3}(?:exercises?|drills?|edition|manoeuvres|maneuvers|war\s*games)\b|"
                     r"\blast\s+year's\s+(?:[\w-]+\s+){0,2}(?:exercises?|drills?|edition|manoeuvres)\b", re.I)
#: a source named by its count or estimate: "by the agency's estimate"
BY_COUNT = re.compile(r"\b(?:by|according\s+to)\s+the\s+([\w-]+)'s\s+(?:count|estimate|estimates|account|tally|"
                      r"figures|reckoning|data)\b", re.I)
#: a source whose words follow: "an internal memo, which claims ..."
WHICH_SAYS = re.compile(r",\s+(?:which|who)\s+(?:says|said|claims|claimed|states|stated|reports|reported|"
                        r"alleges|alleged)\b", re.I)
#: a source named by a definite description: "the ministry said"
THE_SAYER = re.compile(r"\bthe\s+(?:[\w-]+\s+)?([\w-]+)\s+(?:(?:has|had|have)\s+)?(?:said|says|announced|reported|"
                       r"stated|added|confirmed|noted)\b", re.I)
#: the heads of a definite description that names a source given earlier in the article
SOURCE_HEADS = frozenset("""ministry agency embassy spokesperson spokesman spokeswoman office department command
    military army navy government service committee council document report newspaper outlet broadcaster""".split())
MONTHS = frozenset("january february march april may june july august september october november december "
                   "jan feb mar apr jun jul aug sep sept oct nov dec".split())
LOCATION_PREP = re.compile(r"\b(?:in|at|off|near|on|over|across|into|entering|entered|within|along|around|"
                           r"waters\s+of|coast\s+of|shores\s+of|(?:centred|centered|focused|based|held)\s+(?:on|in|at)|"
                           r"(?:flown|sent|deployed|moved|airlifted|shipped|brought|transferred|redeployed|dispatched|"
                           r"sailed|headed|travelled|traveled|marched|driven)\s+(?:back\s+)?to)\s+(?:the\s+)?"
                           r"(?:[\w-]+\s+){0,2}$", re.I)
#: location cues that tie a place to forces even outside a sentence about the exercise itself
STRONG_LOCATION = re.compile(r"\b(?:waters\s+of|coast\s+of|shores\s+of|(?:centred|centered|focused|based|held)\s+"
                             r"(?:on|in|at)|(?:flown|sent|deployed|moved|airlifted|shipped|brought|transferred|"
                             r"redeployed|dispatched|sailed|headed|travelled|traveled|marched|driven)\s+(?:back\s+)?to)"
                             r"\s+(?:the\s+)?(?:[\w-]+\s+){0,2}$", re.I)
#: an exercise of all services: "a strategic exercise", or phases of several kinds
STRATEGIC = re.compile(r"\bstrategic\s+(?:[\w-]+\s+){0,2}(?:exercises?|drills?|manoeuvres|maneuvers|war\s*games)\b",
                       re.I)
PHASE = re.compile(r"\b(naval|maritime|sea|land|ground|air|aerial)\s+(?:phase|stage|part|component)s?\b", re.I)
#: a list of states after these, following a military noun, names participants ("units from A, B and C")
_LIST_PREPS = frozenset("from of including".split())
NON_MILITARY_HEADS = frozenset(
    """officials official leaders leader president minister ministry advisor adviser advisers advisors diplomats
    diplomat media press government spokesperson spokesman spokeswoman nuclear economy sources intelligence
    analysts experts people citizens authorities embassy side counterpart counterparts foreign prime state-run
    ambition ambitions interests relations parliament lawmakers foreign-ministry capital officials' ties
    territory soil border airspace waters coast""".split())
#: a service named without its state
SERVICE = re.compile(r"\b(?:Space\s+Force|Coast\s+Guard|Marine\s+Corps|Marines|Air\s+Force|Navy|Army)\b")
#: an earlier edition held by the parties of the one the article is about
SAME_PARTIES = re.compile(r"\bthe\s+same\s+(?:[\w-]+\s+)?(?:navies|forces|armies|countries|states|nations|"
                          r"partners|militaries|participants)\b", re.I)
TRAILING_SAY = re.compile(r",\s+(?:[\w'\u2019-]+\s+){0,6}?(?:said|says|announced|reported|stated|added|confirmed|"
                          r"told\s+[\w ]+?)(?:\s+on\s+\w+)?\s*[.!]?$", re.I)
BOTH = re.compile(r"\b(?:both|the\s+two)\s+(?:governments|countries|states|sides|nations|capitals)\b", re.I)
_WITH = frozenset("with between alongside involving".split())
_ROLE_ADJ = re.compile(r"\b(?:joint|combined|bilateral|trilateral|multilateral)\b", re.I)
_PREPS = frozenset("with to from against in into across over towards toward near at beyond about on off by for "
                   "between among than".split())
PLACE_PREPS = frozenset("to from against in into across over towards toward near at beyond about on off than".split())
START_WORD = re.compile(r"\b(?:from|since|began|begin|begins|start\w*|kick\w*\s+off|launch\w*|open\w*|"
                        r"opening|first\s+day)\b", re.I)
END_WORD = re.compile(r"\b(?:until|till|through|up\s+to|end\w*|conclud\w*|wrap\w*\s+up|close\w*|complet\w*|"
                      r"finish\w*|(?:last|final|closing)\s+day)\b", re.I)
BE = re.compile(r"\b(?:is|are|was|were|be|been|being|has\s+been|have\s+been|had\s+been)\s+(?:\w+ly\s+)?$", re.I)
USED_IN = re.compile(r"\b(?:used|deployed|fired|launched|employed)\b", re.I)
PAST_GIVE = re.compile(r"\b(?:supplied|delivered|sold|transferred|shipped|provided|sent|handed\s+over|donated|"
                       r"exported|gave|given|furnished|received|acquired|bought|obtained|imported|procured|"
                       r"t(?:ook|aken)\s+delivery|handed|brought|armed|unloaded|offloaded|arrived|landed|reached)\b", re.I)
#: an accusation of a speaker named right before it: "U.S. accusations", "Peru's allegation"
ACCUSATION = re.compile(r"\b(?:accusations?|allegations?|accus(?:es|ed)|alleg(?:es|ed))\b", re.I)
SOURCE_END = re.compile(r",|;|\.|\s(?:that|which)\s|\s[-\u2014]\s")
#: a state's adjective rather than its name ("Chinese", "Russian", "Turkish", "Israeli", "French")
DEMONYM = re.compile(r"[A-Z][a-z]+(?:an|ese|ish|i|ch)")
SPOKES = re.compile(r"\b(spokes(?:person|man|woman)|officials?|commander|chief|minister|ministry)\s+(?:for|of)\s+"
                    r"(?:the\s+)?$", re.I)


class Fake:
    """A match-like span for cues found without a regular expression."""

    def __init__(self, start: int, end: int, text: str):
        self._start, self._end, self._text = start, end, text

    def start(self) -> int:
        return self._start

    def end(self) -> int:
        return self._end

    def group(self) -> str:
        return self._text


def exercise_triggers(s: Sent) -> list[re.Match]:
    out = []
    activity_spans = [(m.start(), m.end()) for cues in lx.ACTIVITY_CUES.values() for c in cues
                      for m in re.finditer(r"\b" + re.escape(c) + r"\b", s.text, re.I)]
    for m in TRIGGER.finditer(s.text):
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
        if word.endswith("s") and not DEFINITE.search(before):
            a, b = s.clause(m.start())
            clause_words = set(re.findall(r"[a-z]+", s.text[a:b].casefold()))
            if not clause_words & lx.EVENT_VERBS:
                continue
        out.append(m)
    return out


def codename(sents: list[Sent], s: Sent) -> tuple[str, int, int] | None:
    """The exercise's name a sentence gives, without a leading "Exercise" or "The"."""
    found = codename_in(sents, s)
    if found:
        lead = re.match(r"(?:(?:Exercise|The|This)\s+)+", found[0])
        if lead and lead.end() < len(found[0]):
            return found[0][lead.end():], found[1] + lead.end(), found[2]
    return found


def codename_in(sents: list[Sent], s: Sent) -> tuple[str, int, int] | None:
    covered = [(m.start, m.end) for m in s.mentions if m.id]
    dateline = dateline_end(s.text) if s is sents[0] or s.sentence.number == 1 else 0
    for pattern in (_CODENAME_CUE, _CODENAME_YEAR, _ALLCAPS, _CODENAME_BEFORE, _CODENAME_APPOSITION):
        for m in pattern.finditer(s.text, dateline):
            name = m.group("name").strip()
            if pattern is _CODENAME_BEFORE:
                found = name_before_trigger(s, m)
                if found:
                    return found
                continue
            words = [w.split("-")[0].casefold() for w in name.split()]
            first = words[0]
            if pattern is _CODENAME_YEAR and len(words) > 2 and not {*words[:-1]} <= lx.COMMON_CAPS:
                first = ""  # "Northern Coast 2025": a common word opens a name
            if first in MONTHS or first in lx.COMMON_CAPS and pattern is not _CODENAME_CUE:
                continue
            if any(a <= m.start("name") < b for a, b in covered):
                continue
            if pattern is _ALLCAPS and name in ("NATO",):
                continue
            return name, m.start("name"), m.start("name") + len(name)
    return None


def name_before_trigger(s: Sent, m: re.Match) -> tuple[str, int, int] | None:
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
    if any(w.group().casefold() in lx.COMMON_CAPS or w.group().casefold() in MONTHS for w in words):
        return None
    return s.text[a:b], a, b


def source_spans(s: Sent) -> list[tuple[int, int]]:
    out = []
    for m in lx.ACCORDING_TO.finditer(s.text):
        end = SOURCE_END.search(s.text, m.end())
        out.append((m.start(), end.start() if end else len(s.text)))
    for m in lx.VIA.finditer(s.text):
        end = SOURCE_END.search(s.text, m.end())
        out.append((m.start(), end.start() if end else len(s.text)))
    return out


def observer_spans(s: Sent) -> list[tuple[int, int]]:
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


def military_head(s: Sent, m: Mention) -> bool:
    """A state's name followed by a military noun ("Belarusian paratroopers", "Iranian naval units")."""
    words = re.findall(r"[\w-]+", s.text[m.end:m.end + 40].casefold())
    for w in words[:3]:
        if w in lx.MILITARY_NOUNS:
            return True
        if w not in lx.MILITARY_MODIFIERS:
            return False
    return False


def list_kind(s: Sent, m: Mention, noun: str) -> str | None:
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


def listed_under(s: Sent, m: Mention) -> str | None:
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


def participant_role(s: Sent, m: Mention, head: str) -> bool:
    """A state named near an exercise takes part in it when it names the forces ("Russian
    troops"), modifies the trigger ("the Iran-Russia drill"), is the subject of an event verb
    ("Iran and Russia began ..."), or the drill is joint and it stands in the same clause."""
    low = head.casefold()
    if after_preposition(s, m, _WITH):
        return True
    of = re.search(r"([\w-]+)\s+of\s+(?:the\s+)?$", s.text[:m.start])
    if of and of.group(1).casefold() in lx.MILITARY_NOUNS:
        return True
    if low in lx.MILITARY_NOUNS or low in lx.MILITARY_MODIFIERS or TRIGGER.match(low) \
            or low in lx.KIND_WORDS:
        return True
    a, b = s.clause(m.start)
    clause = s.text[a:b]
    if _ROLE_ADJ.search(clause):
        return True
    verbs = set(re.findall(r"[a-z]+", s.text[m.end:b].casefold()))
    return bool(verbs & lx.EVENT_VERBS) or bool(lx.PARTICIPATION.search(s.text[m.end:b]))


def after_preposition(s: Sent, m: Mention, preps: frozenset | None = None) -> bool:
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

def transfer_cues(s: Sent) -> list[tuple[str, re.Match]]:
    out = [("give", m) for m in lx.GIVE_VERBS.finditer(s.text) if not ship_noun(s, m)]
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
                out.append(("adj", Fake(m.start, m.end + adj.end(), s.text[m.start:m.end + adj.end()])))
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


def ship_noun(s: Sent, m: re.Match) -> bool:
    """True for a verb of ``lexicon.NOUN_VERBS`` used as a noun ("the ships on the list", "a supply
    ship"): the verb comes after its subject, a modal, "to", a pronoun or a conjunction."""
    if m.group().casefold() not in lx.NOUN_VERBS:
        return False
    if any(x.end <= m.start() and re.fullmatch(r"\s*", s.text[x.end:m.start()]) and x.kind in ACTOR_KINDS
           and not re.search(r"\b(?:the|a|an|its|their|his|her)\s+$", s.text[:x.start], re.I)
           and not DEMONYM.fullmatch(x.text) for x in s.mentions):
        return False  # "Russia supplies ...": its subject right before it (not "the French ships")
    before = re.findall(r"[\w']+", s.text[:m.start()])
    return not before or before[-1].casefold() not in lx.SHIP_VERB_BEFORE


def states_in(ctx: Context, s: Sent, a: int, b: int, skip: list[tuple[int, int]]) -> list[Mention]:
    return [m for m in s.mentions if a <= m.start < b and ctx.state_of(m) and m.kind in ("state", "force")
            and not any(x <= m.start < y for x, y in skip)]


def subject_between(ctx: Context, sents: list[Sent], s: Sent, lo: int, hi: int) -> tuple[Mention | None, str | None]:
    """The state that is the subject between ``lo`` and ``hi``: the last state not after a
    preposition, unless a pronoun ("it", "they") follows it, which then stands for the
    subject before it in the sentence or for the subject of the previous sentence. Returns
    (mention, how the subject was found when it came from a pronoun)."""
    cands = [m for m in states_in(ctx, s, lo, hi, source_spans(s)) if not after_preposition(s, m)
             and not m.possessive]
    last_end = cands[-1].end if cands else lo
    pron = [p for p in lx.SUBJECT_PRONOUNS.finditer(s.text, last_end, hi)]
    if not pron:
        return (cands[-1] if cands else None), None
    p = pron[0]
    inside = [m for m in states_in(ctx, s, 0, p.start(), source_spans(s))
              if not after_preposition(s, m) and not m.possessive]
    actors = [m for m in s.mentions if m.end <= p.start() and m.kind in ACTOR_KINDS
              and not after_preposition(s, m) and not m.possessive]
    if actors and not ctx.state_of(actors[0]):
        return None, None  # "the White House said that it ...": the pronoun is no state
    if inside:
        return inside[0], f"'{p.group()}' ({s.where}) read as {inside[0].text}, the subject before it"
    prev = previous_subject(ctx, sents, s)
    if prev is not None:
        return prev, (f"'{p.group()}' ({s.where}) read as {prev.text}, the subject of the previous sentence")
    return None, None


def previous_subject(ctx: Context, sents: list[Sent], s: Sent) -> Mention | None:
    k = next((i for i, x in enumerate(sents) if x is s), 0)
    if k == 0 or sents[k - 1].paragraph < s.paragraph - 1:
        return None
    prev = sents[k - 1]
    cands = [m for m in states_in(ctx, prev, 0, len(prev.text), source_spans(prev))
             if not after_preposition(prev, m)]
    return cands[0] if cands else None
