"""The exercise-events component: which sentences tell which exercise.

Trigger words group sentences into events (``kg.extract.found.ExerciseEvent``): a codename or
"the drill" keeps to the same one, "a drill" starts another; a sentence next to an event's that
lists states with a role, or says where its forces are, joins it; an earlier edition ("last
year's exercise") is an event of its own; an unnamed exercise next to the one named exercise of
the article is that exercise.
"""
from __future__ import annotations

import re

from . import lexicon as lx
from .context import Context
from .dates import find_dates
from .exercises import contributes, names_exercise, same_series_edition, state_lists
from .found import Codenames, ExerciseEvent, Found, Sent
from .syntax import (DEFINITE, EARLIER, INDEFINITE, STRONG_LOCATION, Fake, codename, exercise_triggers,
                     military_head, transfer_cues)


def lists_states(s: Sent) -> bool:
    """The sentence lists states with a role, or says that forces or states send something."""
    return any(sl.role for sl in state_lists(s.text, s.mentions, s.clause)) or (
        any(m.kind in ("force", "state") for m in s.mentions) and contributes(s.text))


class ExerciseEvents:
    """Reads ``header`` and ``sentences``; adds ``events`` and ``codenames``."""

    name = "exercise-events"
    reads = ("header", "sentences")
    adds = ("events", "codenames")

    def __call__(self, found: Found, ctx: Context) -> dict:
        return _Grouping(ctx, list(found.sentences), found.header.published).run()


class _Grouping:
    def __init__(self, ctx: Context, sents: list[Sent], base):
        self.ctx, self.sents, self.base = ctx, sents, base
        self.codenames: set[str] = set()
        self.codename_texts: set[str] = set()

    def run(self) -> dict:
        events: list[ExerciseEvent] = []
        current: ExerciseEvent | None = None
        body_index = {p: i for i, p in enumerate(sorted({x.paragraph for x in self.sents}))}
        for s in self.sents:
            triggers = exercise_triggers(s)
            code = codename(self.sents, s)
            known = None
            if code:
                key = re.sub(r"\W", "", code[0].casefold())
                known = next((e for e in events if e.key and same_series_edition(e.key, key)), None)
                if known is not None and len(key) > len(known.key):  # "Talisman Sabre", then "... 2025"
                    known.key, known.code = key, code[0]
            else:  # a name given before, written again or shortened ("Vostok 22" after "Vostok 2022")
                named = [(len(e.code), i) for i, e in enumerate(events)
                         if e.code and names_exercise(s.text, e.code)]
                known = events[max(named)[1]] if named else None
            participation = lx.PARTICIPATION.search(s.text) or lx.OBSERVER_RIGHT.search(s.text) \
                or lx.OBSERVER_LEFT.search(s.text) or lx.NEGATED_PARTICIPATION.search(s.text)
            earlier = EARLIER.search(s.text)
            year = self._earlier_year(s, earlier) if earlier and current is not None else None
            if current is not None and current.code and not year:
                # "In November 2019, the same navies held the first 'Mosi' deployment": the series,
                # held at a time before the edition the article is about
                series = re.sub(r"[\s-]*(?:(?:19|20)\d\d|[IVX]+|\d{1,2})$", "", current.code)
                own = self._event_year(current)
                dates = [d for d in find_dates(s.text, self.base) if not d.is_range]
                # or "the annual Malabar exercise began in 1992": the series' first edition
                first = re.search(r"\b(?:began|started|launched|first\s+held|inaugurated)\s+in\s+(?:19|20)\d\d\b",
                                  s.text, re.I)
                if series and (series != current.code and not names_exercise(s.text, current.code)
                               or first) and names_exercise(s.text, series) and own and dates \
                        and dates[0].value[:4] < own and re.search(r"\b(?:held|staged|conducted|took\s+place|began|"
                                                                  r"first)\b", s.text, re.I):
                    earlier, year = Fake(dates[0].start, dates[0].end, dates[0].text), dates[0].value
                    triggers = triggers or [earlier]
            if code and current is not None and current.code and not known and not year and \
                    re.sub(r"[\s-]*(?:(?:19|20)\d\d|[IVX]+|\d{1,2})$", "", current.code) == code[0]:
                known = current  # "'Mosi', the name of the exercise": the series' name, the same exercise
            if year and (triggers or participation):
                event = ExerciseEvent(None, None, [], s.paragraph, [f"earlier edition '{earlier.group()}' ({s.where})"],
                                      (year, current), code[0] if code and not known else None)
                if event.series:
                    self.codename_texts.add(event.series)
                events.append(event)
                self._attach(event, s, "trigger")
                continue
            if code and not triggers and not known and (participation or lists_states(s)):
                # "Forces from A and B are joining in as Vostok 2022 gets under way": a named exercise
                triggers = [Fake(code[1], code[2], code[0])]
            if not triggers and not known and not (code and triggers):
                transfer = transfer_cues(s) and any(m.kind == "weapon" for m in s.mentions)
                # a list of states with a role ("seven countries: A, B, ...") may follow after a block
                # or two of other matter (a caption, an aside): blocks are counted in the body's
                listed = lists_states(s)
                gap = body_index[s.paragraph] - body_index[current.last] if current is not None else 99
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
                definite = any(DEFINITE.search(s.text[:t.start()]) for t in triggers)
                # "Talisman Sabre, a biennial exercise": an apposition describes the named one
                indefinite = any(INDEFINITE.search(s.text[:t.start()]) and not (
                    code and re.fullmatch(r"[\"'\u2019\u201d]?,\s+(?:a|an)\s+(?:[\w-]+\s+){0,3}",
                                          s.text[code[2]:t.start()])) for t in triggers)
                if current is not None and (definite or not indefinite) and not (
                        code and current.key and not known) and \
                        body_index[s.paragraph] - body_index[current.last] <= 3:
                    event = current
                else:
                    event = ExerciseEvent(None, None, [], s.paragraph, [])
                    events.append(event)
                if code and event.key is None:
                    event.key = re.sub(r"\W", "", code[0].casefold())
                    event.code = code[0]
            else:
                continue
            for t in triggers:
                event.cues.append(f"'{t.group()}' ({s.where})")
            if code:
                event.cues.append(f"codename '{code[0]}' ({s.where})")
            self._attach(event, s, "trigger")
            current = event
        events = self._merge_unnamed(events, body_index)
        for event in events:
            if event.key:
                self.codenames.add(event.key)
                self.codename_texts.add(event.code)
        return {"events": events, "codenames": Codenames(frozenset(self.codenames), frozenset(self.codename_texts))}

    def _event_year(self, event: ExerciseEvent) -> str | None:
        """The year of an exercise: its codename's, else the first date of its sentences."""
        y = re.search(r"(?:19|20)\d\d$", event.code or "")
        if y:
            return y.group()
        for s, _ in event.sents:
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

    def _context_cue(self, s: Sent) -> bool:
        """A sentence next to an exercise's that says where its forces are or what they do: a
        place after a location cue, or a state's name before a military noun."""
        return any(m.kind == "place" and STRONG_LOCATION.search(s.text[:m.start]) for m in s.mentions) \
            or any(m.kind == "state" and military_head(s, m) for m in s.mentions)

    def _merge_unnamed(self, events: list[ExerciseEvent], body_index: dict[int, int]) -> list[ExerciseEvent]:
        """One exercise, one fact: an unnamed exercise next to the one named exercise of the
        article ("Russia has kicked off a set of war games ..." before "The Vostok 2022
        exercise ...") is that exercise, unless it is said to be another one or names states the
        named one does not."""
        named = [e for e in events if e.key and not e.earlier]
        if len(named) != 1:
            return events
        main = named[0]
        main_blocks = {body_index[s.paragraph] for s, _ in main.sents}
        main_states = {m.id for s, _ in main.sents for m in s.mentions if m.kind == "state"}
        out = []
        for e in events:
            if e is main or e.key or e.earlier:
                out.append(e)
                continue
            blocks = {body_index[s.paragraph] for s, _ in e.sents}
            states = {m.id for s, _ in e.sents for m in s.mentions if m.kind == "state"}
            other = any(re.search(r"\b(?:another|separate(?:ly)?|a\s+second)\b", s.text, re.I) for s, _ in e.sents)
            near = any(abs(a - b) <= 1 for a in blocks for b in main_blocks)
            if near and not other and states <= main_states:
                main.sents = sorted(main.sents + e.sents, key=lambda x: self.sents.index(x[0]))
                main.cues += e.cues
                continue
            out.append(e)
        return out

    @staticmethod
    def _attach(event: ExerciseEvent, s: Sent, how: str) -> None:
        event.sents.append((s, how))
        event.last = s.paragraph
