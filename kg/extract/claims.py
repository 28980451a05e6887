"""Who says what, and how sure: the speakers, hedges and denials of a sentence, read from its
structure (the subject of a verb of saying, "according to", a trailing "X said"), for the claims
model (docs/claims-model.md).

A component of ``kg.extract.draft``: it reads a sentence's text and mentions (a ``Said``
record, made from a ``Sent`` with the callbacks that resolve a body or a group through the
reference) and adds ``Speaker`` records (``speakers``); ``NARROW_DENIAL`` and ``denial_mode``
give the claim mode of a denial narrower than a plain one.
Names come from the reference (the mentions); nothing here names an outlet, a state or a weapon.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Sequence

from . import lexicon as lx
from .mentions import Mention

#: the kinds of mention that can speak
SPEAKER_KINDS = ("person", "organisation", "group", "state", "force")
#: a verb of saying after its subject: "the ministry said", "Interfax reported", "X told"
_SAY = re.compile(r"\b(?:said|says|say|reported|reports|report|announced|announces|stated|states|told|tells|"
                  r"claimed|claims|wrote|writes|added|adds|noted|notes|confirmed|confirms|alleged|alleges|"
                  r"believes|believed|indicated|indicates|quoted|listed|lists)\b", re.I)
#: what may stand between a speaker and its verb: "'s website", " on Thursday", ", the ... spokesman,"
_GAP = re.compile(r"(?:['\u2019]s\s+(?:[\w-]+\s+){0,2}?(?:website|statement|report|account|spokes\w+|office|"
                  r"ministry|officials?|sources?)\s*|\s*,\s*(?:[\w.'\u2019-]+\s+){1,8}?[\w.'\u2019-]+\s*,\s*|"
                  r"\s+(?:also|later|then|again|has|have|had|on\s+\w+(?:\s+\w+)?|in\s+a\s+statement|"
                  r"in\s+an\s+interview|\w+ly)\s*|\s*)*", re.I)
#: a definite description that stands for a source named before: "the report said", "the paper"
_ANAPHOR = re.compile(r"\bthe\s+(?:report|paper|newspaper|outlet|agency|broadcaster|network|magazine|"
                      r"website|daily|site)\b", re.I)
#: a body named by its state's pronoun or possessive: "its defence ministry", "China's foreign ministry"
BODY = re.compile(r"(?:\b(?:its|their|the\s+country['\u2019]s|the\s+government['\u2019]s)|['\u2019]s)\s+"
                  r"(?P<head>(?:[\w-]+\s+){0,2}?(?:ministry|office|department|agency|army|navy|military|"
                  r"government|presidency|spokes(?:man|woman|person)))\b", re.I)
#: unnamed people of some states: "officials from Russia and Iran", "sources in Moscow"
GROUP = re.compile(r"\b(?P<head>officials|sources|experts|diplomats|authorities|analysts)\s+(?:from|of|in)\s+",
                   re.I)
#: a source named by a description, read as the organisation it stands for
_ANAPHOR_ORG = re.compile(r"\bthe\s+(?:company|firm|maker|manufacturer|producer|group)\b", re.I)
#: denials narrower than ``lexicon.DENY``'s: pushing back against an accusation (``rejects``),
#: denying only that something was approved (``denies-approval``: "had not approved any shipment")
NARROW_DENIAL = re.compile(
    r"\b(?P<rejects>push(?:es|ed|ing)?\s+back\s+(?:against|on))\b|"
    r"\b(?P<approval>(?:had|has|have|did)\s+not\s+(?:approved?|authori[sz]ed?|sanctioned)|approved\s+no|"
    r"neither\s+sanctioned\s+nor\s+approved)\b", re.I)


def denial_mode(m: re.Match) -> str:
    """The claim mode of a ``NARROW_DENIAL`` match."""
    return "rejects" if m.group("rejects") else "denies-approval"


@dataclass(frozen=True)
class Speaker:
    """An actor a sentence gives as the source of what it says, and the words that say so."""

    id: str
    start: int
    cue: str


@dataclass
class Said:
    """What this component reads of a sentence: its text, mentions and place (``where``), and a
    function telling whether a mention follows a preposition (then it is no subject)."""

    text: str
    mentions: Sequence[Mention]
    where: str
    after_preposition: Callable[[Mention], bool] = field(default=lambda m: False)
    #: the reference's body that a phrase of ``BODY`` ending at an offset names, if any
    body_of: Callable[[re.Match], str | None] = field(default=lambda m: None)
    #: the reference's group of a state's unnamed people: (state, "officials") -> "russian-officials"
    group_of: Callable[[str, str], str | None] = field(default=lambda st, head: None)
    #: the state a mention stands for, if any
    state_of: Callable[[Mention], str | None] = field(default=lambda m: None)


def groups_before(s: Said, pos: int) -> list[tuple[str, int]]:
    """The groups named right before offset ``pos`` as "officials from A and B", with their
    offsets: the reference's group of each state's officials (or sources, experts...)."""
    for g in reversed(list(GROUP.finditer(s.text, 0, pos))):
        states = [m for m in s.mentions if g.end() <= m.start < pos and s.state_of(m)]
        if not states:
            return []
        tail = s.text[states[-1].end:pos]
        joins = [s.text[a.end:b.start] for a, b in zip(states, states[1:])]
        if not _GAP.fullmatch(tail) or any(j.strip(" ,").casefold() not in ("and", "or", "") for j in joins):
            return []
        found = [(s.group_of(s.state_of(m), g.group("head").casefold()), m.start) for m in states]
        return [(i, at) for i, at in found if i]
    return []


def body_before(s: Said, pos: int) -> tuple[str, re.Match] | None:
    """The body named right before offset ``pos`` ("its defence ministry confirmed"), as the
    reference's id and the match of ``BODY``."""
    for b in reversed(list(BODY.finditer(s.text, 0, pos))):
        if _GAP.fullmatch(s.text[b.end():pos]):
            ident = s.body_of(b)
            return (ident, b) if ident else None
    return None


def _actor(m: Mention) -> bool:
    return m.kind in SPEAKER_KINDS


def speakers(s: Said, earlier: Sequence[str] = ()) -> list[Speaker]:
    """The speakers of one sentence: the subject of a verb of saying (before it, joined by a
    possessive, an apposition or an adverb: "Interfax reported", "X's website says", "John Smith,
    the minister, said"), the actor after "according to", the subject of a trailing "..., X said"
    after a quotation; "the report said" stands for the last outlet of ``earlier`` (ids of the
    speakers of the sentences before)."""
    out: list[Speaker] = []
    text = s.text
    for m in lx.ACCORDING_TO.finditer(text):
        # the head of the phrase after "according to": its last actor ("the German Bundeswehr's website")
        end = re.search(r",|;|\.(?:\s|$)|\s(?:that|which|who)\s|\s[-\u2014]\s", text[m.end():])
        stop = m.end() + end.start() if end else len(text)
        inside = [x for x in s.mentions if m.end() <= x.start < stop and _actor(x)]
        heads = [x for x in inside if x.kind != "state"] or inside
        if heads:
            who = heads[-1]
            out.append(Speaker(who.id, who.start, f"'{text[m.start():who.end]}' ({s.where})"))
    for v in _SAY.finditer(text):
        subj = [x for x in s.mentions if x.end <= v.start() and _actor(x) and not s.after_preposition(x)
                and _GAP.fullmatch(text[x.end:v.start()])]
        if subj:
            x = subj[-1]
            out.append(Speaker(x.id, x.start, f"'{text[x.start:v.end()]}' ({s.where})"))
            continue
        groups = groups_before(s, v.start())
        if groups:
            out += [Speaker(i, at, f"'{text[at:v.end()]}' ({s.where})") for i, at in groups]
            continue
        body = body_before(s, v.start())
        if body is not None:
            out.append(Speaker(body[0], body[1].start(), f"'{text[body[1].start():v.end()]}' ({s.where})"))
            continue
        org = [a for a in _ANAPHOR_ORG.finditer(text, 0, v.start()) if _GAP.fullmatch(text[a.end():v.start()])]
        named = [x for x in s.mentions if x.kind == "organisation" and org and x.end <= org[-1].start()]
        if org and (named or earlier):  # "Baykar ... has handed ..., the company said"
            ident = named[-1].id if named else earlier[-1]
            out.append(Speaker(ident, org[-1].start(), f"'{text[org[-1].start():v.end()]}' ({s.where}), "
                                                       f"read as the organisation named before"))
            continue
        ana = [a for a in _ANAPHOR.finditer(text, 0, v.start()) if _GAP.fullmatch(text[a.end():v.start()])]
        if ana and earlier:
            out.append(Speaker(earlier[-1], ana[-1].start(), f"'{text[ana[-1].start():v.end()]}' ({s.where}), "
                                                             f"read as the source named before"))
    # "..., "our information indicates," Kirby said." : the subject after the quotation
    q = re.search(r"[\"\u201d]\s*,?\s*(?P<who>(?:[\w.'\u2019-]+\s+){0,5}?)(?:said|says|reported|added|told)\b"
                  r"[^.;\"\u201c]*[.!]?\s*$", text, re.I)
    if q:
        who = [x for x in s.mentions if q.start("who") <= x.start < q.end("who") + 1 and _actor(x)]
        if who:
            out.append(Speaker(who[0].id, who[0].start, f"'{text[q.start():q.end()].strip(' ,.')}' ({s.where})"))
    seen: set[str] = set()
    unique = []
    for sp in sorted(out, key=lambda sp: sp.start):
        if sp.id not in seen:
            seen.add(sp.id)
            unique.append(sp)
    return unique

