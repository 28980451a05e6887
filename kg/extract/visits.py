"""The visits component: a visit told as the first since a year."""
from __future__ import annotations

import re

from .context import Context
from .found import Found, Sent
from .records import DraftFact


#: "the first time X had visited since 2000", "his first visit to Y since 2000": a visit after an earlier one
_FIRST_SINCE = re.compile(
    r"\bfirst\s+(?:time|visit|trip)\b(?:(?!\bsince\b)[^.;]){0,80}?\bsince\s+(?P<year>(?:19|20)\d\d)\b", re.I)
_VISIT_WORDS = re.compile(r"\b(?:visit\w*|trips?|travel\w*|been|come|came)\b", re.I)


class Visits:
    """Reads ``sentences``, ``facts`` and ``notes``; adds ``facts`` (the visits) and ``notes``."""

    name = "visits"
    reads = ("sentences", "facts", "notes")
    adds = ("facts", "notes")

    def __call__(self, found: Found, ctx: Context) -> dict:
        facts, skipped = list(found.facts), list(found.notes)
        visits(ctx, list(found.sentences), facts, skipped)
        return {"facts": facts, "notes": skipped}


def visits(ctx: Context, sents: list[Sent], facts: list[DraftFact], skipped: list[str]) -> None:
    """A visit told as the first since a year ("it was the first time the president had
    visited since 2000"): the visit, and the earlier visit of that year it follows, never a
    first-ever visit. The visitor is a person the sentence names, or the first person of the
    sentence before (who "landed" or "arrived"); without one, nothing is drafted."""
    for k, s in enumerate(sents):
        m = _FIRST_SINCE.search(s.text)
        if not m or not _VISIT_WORDS.search(m.group()):
            continue
        people = [x for x in s.mentions if x.kind == "person"]
        if not people and k and sents[k - 1].paragraph == s.paragraph:
            people = [x for x in sents[k - 1].mentions if x.kind == "person"][:1]
        if not people:
            skipped.append(f"\u00b6{s.paragraph}: a first visit since {m.group('year')} with no visitor named")
            continue
        who, year = people[0].id, m.group("year")
        cue = f"'{m.group()}' ({s.where})"
        earlier = DraftFact("event", ctx.new_id(f"{who}-visit-{year}"), f"{ctx.label(who)}'s visit of {year}",
                            [s.paragraph], {"kind": "visit", "actors": [who], "start": year}, [cue], 0.6)
        visit = DraftFact("event", ctx.new_id(f"{who}-visit"), f"{ctx.label(who)}'s visit",
                          [s.paragraph], {"kind": "visit", "actors": [who], "links": {"follows": [earlier.id]},
                                          "_note": f"The earlier visit was in {year}, none between."}, [cue], 0.6)
        facts += [visit, earlier]
