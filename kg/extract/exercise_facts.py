"""The exercise-facts component: one fact for each exercise event (``kg.extract.events``).

Participants, host, observers, location, dates and duration come from the sentences of each
event, by the words around each mention; hedges and sources make it ``reported`` or
``attributed``; a state said not to take part gets a non-participation fact. A conflict the
rules cannot settle is left out and said in the fact's note.
"""
from __future__ import annotations

import re
import datetime as dt
from typing import TYPE_CHECKING

from ..inputs.facts import force_state
from . import lexicon as lx
from .context import Context
from .dates import add_days, find_dates, find_durations, inclusive_days
from .exercises import (When, affiliation, aside_spans, conjuncts, exercise_dates, hedged_before, held_at, is_location,
                        other_event_before, planned_only, state_lists, unknown_part, weak_date_line)
from .found import ExerciseEvent, Found, Post, Sent, parsed
from .mentions import Mention
from .records import DraftFact
from .sources import attribution
from .syntax import (END_WORD, LOCATION_PREP, NON_MILITARY_HEADS, PHASE, PLACE_PREPS, SAME_PARTIES, SERVICE,
                     START_WORD, STRATEGIC, STRONG_LOCATION, after_preposition, codename, exercise_triggers,
                     list_kind, listed_under, military_head, observer_spans, participant_role, source_spans)
from .tokens import plain

if TYPE_CHECKING:
    from .nlp import Roles


def _before(end: str, start: str) -> bool:
    """True when the date ``end`` is before ``start``, compared at the coarser of their
    precisions (as the shapes compare them: a month is never before a day of that month)."""
    n = min(len(end), len(start))
    return end[:n] < start[:n]


def event_dates(trig: list[Sent], day_base: dt.date | None, earlier, cues: list[str],
                curator: list[str]) -> tuple[str | None, str | None, str | None]:
    """The start, end and duration (ISO 8601) of an exercise from the sentences that tell it
    (``trig``), resolving days against ``day_base``; an earlier edition's (``earlier``: its year
    and its event) is its year. Adds the cues read to ``cues``, and what contradicts itself (an
    end before the start, a duration the dates do not make) to ``curator``."""
    start = end = duration = None
    end_cue = duration_cue = ""
    loose: list[tuple[str, When]] = []  # days the article's date cannot fix: ("start"|"end", when)
    for s in trig:
        for d, told in exercise_dates(s.text, day_base):
            before = s.text[max(0, d.start - 70):d.start]
            if other_event_before(s.text, d.start):
                continue  # "the war it started on February 24", "a visit on the last day"
            if told is not None:
                ends = [x.end() for x in END_WORD.finditer(before)]
                starts = [x.end() for x in START_WORD.finditer(before)]
                if d.is_range:
                    loose += [("start", told[0]), ("end", told[1])]
                elif ends and (not starts or ends[-1] > starts[-1]):
                    loose.append(("end", told[0]))
                elif starts or not loose:
                    loose.append(("start", told[0]))
                cues.append(f"date '{d.text}' ({s.where}), no year or weekday only")
                continue
            ends = [x.end() for x in END_WORD.finditer(before)]
            starts = [x.end() for x in START_WORD.finditer(before)]
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
    if earlier:
        start, end, duration = earlier[0], None, None
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
    return start, end, dur_iso


class ExerciseFacts:
    """Reads ``header``, ``sentences``, ``events`` and ``parse`` (a parser's roles, optional: who
    takes part, hosts and observes, by the parse, before the rules); adds ``facts`` (the
    exercises and non-participations: the first facts drafted), ``notes`` and ``posts`` (hosts
    the reference does not name)."""

    name = "exercise-facts"
    reads = ("header", "sentences", "events", "parse")
    adds = ("facts", "notes", "posts")

    def __call__(self, found: Found, ctx: Context) -> dict:
        d = _ExerciseDrafter(ctx, list(found.sentences), found.header.published, [], [], found.parse)
        for event in found.events:
            d.fact(event)
        return {"facts": d.facts, "notes": d.skipped, "posts": d.posts}


class _ExerciseDrafter:
    def __init__(self, ctx: Context, sents: list[Sent], base, facts: list[DraftFact], skipped: list[str],
                 parse: Roles | None = None):
        self.ctx, self.sents, self.base, self.facts, self.skipped = ctx, sents, base, facts, skipped
        #: the roles of a parse (``kg.extract.nlp.Roles``), read before the rules; None: the rules alone
        self.parse = parse
        self.posts: list[Post] = []
        #: the participants and participant states drafted for each event, by its id()
        self.parties: dict[int, tuple[list[str], list[str]]] = {}

    def _parsed_roles(self, s: Sent) -> dict[tuple[int, int], str]:
        """The role the parse gives each mention of ``s`` (by its span) at a verb of ``s``: host
        (a state or force, not a post's holder, "X's commander"), participant (a state or force),
        observer (a state, force or organisation), the first of these where it gives several;
        empty without a parse."""
        out: dict[tuple[int, int], str] = {}
        for role, kinds in (("host", ("state", "force")), ("participant", ("state", "force")),
                            ("observer", ("state", "force", "organisation"))):
            for m in parsed(self.parse, s, 0, len(s.text), role) or []:
                if m.kind not in kinds or role == "host" and (
                        lx.HOST_POST.match(s.text[m.end:]) or lx.HOST_POST_BEFORE.search(s.text[:m.start])):
                    continue
                out.setdefault((m.start, m.end), role)
        return out

    def fact(self, event: ExerciseEvent) -> None:
        sents: list[Sent] = [s for s, _ in event.sents]
        context = [s for s, how in event.sents if how == "context"]
        trig = [s for s, how in event.sents if how == "trigger"]
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
                    k = self.ctx.entity(m.id).values.get("kind")
                    kk = {"navy": "naval", "fleet": "naval", "army": "land", "air-force": "air"}.get(k)
                    if kk:
                        counts[kk] = counts.get(kk, 0) + 1
        order = ["naval", "land", "air", "command-post"]
        kind = sorted(counts, key=lambda k: (-counts[k], order.index(k)))[0] if counts else None
        phases = {lx.KIND_WORDS.get(m.group(1).casefold(), m.group(1).casefold()) for s in sents
                  for m in PHASE.finditer(s.text)}
        if any(STRATEGIC.search(s.text) for s in trig) or len(phases) >= 2:
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
        cues = list(event.cues)
        observer_cue: dict[str, str] = {}
        #: conflicts the rules cannot settle, for the curator (the draft keeps only what builds)
        curator: list[str] = []

        def add(lst, x):
            if x and x not in lst:
                lst.append(x)

        how_of = {id(s): how for s, how in event.sents}
        for s in sents:
            excluded = source_spans(s)
            obs = observer_spans(s)
            given = self._parsed_roles(s)  # the parse's roles in this sentence, before the rules'
            for m in s.mentions:
                if given.get((m.start, m.end)) == "observer" and not any(a <= m.start < b for a, b in excluded):
                    add(observers, m.id)
                    observer_cue.setdefault(m.id, f"'{m.text}', {s.where}")
                    cues.append(f"observer '{m.text}' by the parse ({s.where})")
                    excluded.append((m.start, m.end))
                elif any(a <= m.start < b for a, b in obs) and m.kind in ("state", "force", "organisation") \
                        and not any(a <= m.start < b for a, b in excluded) and (m.start, m.end) not in given:
                    add(observers, m.id)
                    observer_cue.setdefault(m.id, f"'{m.text}', {s.where}")
                    cues.append(f"observer '{m.text}' ({s.where})")
            excluded += obs
            for m in s.mentions:
                if given.get((m.start, m.end)) == "host" and host is None:
                    host = m.id
                    excluded.append((m.start, m.end))
                    cues.append(f"host '{m.text}' by the parse ({s.where})")
            for m in lx.HOST_BY.finditer(s.text):
                after = [x for x in s.mentions if x.start >= m.end() and x.kind in ("state", "force")
                         and x.start - m.end() < 40 and (x.start, x.end) not in given]
                if after and host is None:
                    host = after[0].id
                    excluded.append((after[0].start, after[0].end))
                    cues.append(f"'{m.group()}' ({s.where})")
            for m in lx.HOST_VERB.finditer(s.text):
                a, _ = s.clause(m.start())
                before = [x for x in s.mentions if a <= x.start < m.start() and x.kind in ("state", "force")
                          and (x.start, x.end) not in given]
                if before and host is None:
                    x = before[-1]
                    post = lx.HOST_POST.match(s.text[x.end:]) or lx.HOST_POST_BEFORE.search(s.text[:x.start])
                    excluded.append((x.start, x.end))
                    if post:  # "X's commander is hosting": the host is the person, never the force
                        holder = self._post_holder(x.id, post.group(1))
                        if holder is None:
                            self.posts.append(Post(x.id, post.group(1).casefold(), s, x.start, x.end))
                            curator.append(f"the host is the {post.group(1).casefold()} of {self.ctx.label(x.id)} "
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
                    cues.append(f"host '{self.ctx.label(host)}' launches it ({s.where})")
            for m in lx.NEGATED_PARTICIPATION.finditer(s.text):
                a, b = s.clause(m.start())
                for x in s.mentions:
                    if a <= x.start < m.start() and x.kind in ("state", "force") and not x.possessive:
                        absent.append((x.id, s))
                        excluded.append((x.start, x.end))
            for m in s.mentions:  # the parse's participants, but for those said not to take part
                if given.get((m.start, m.end)) != "participant" or any(x == m.id and t is s for x, t in absent):
                    continue
                if m.kind == "force":
                    add(participants, m.id)
                    named_forces.add(m.id)
                else:
                    force = self.ctx.force_for(m.id, force_kind)
                    if force:
                        add(participants, force)
                        derived.append(force)
                    else:
                        add(participant_states, m.id)
                excluded.append((m.start, m.end))
                cues.append(f"participant '{m.text}' by the parse ({s.where})")
            trigger_clauses = [s.clause(t.start()) for t in exercise_triggers(s)]
            code = codename(self.sents, s)
            if code:
                trigger_clauses.append(s.clause(code[1]))
            for m in lx.PARTICIPATION.finditer(s.text):
                trigger_clauses.append(s.clause(m.start()))
            if s in context:
                trigger_clauses += [s.clause(m.start) for m in s.mentions if m.kind == "place"
                                    and STRONG_LOCATION.search(s.text[:m.start])]
                trigger_clauses += [s.clause(m.start) for m in s.mentions if m.kind == "state"
                                    and military_head(s, m)]
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
                    if event.earlier and re.search(r"\b(?:now|today|currently)\b", s.text[:sl.start]):
                        continue  # "began in 1992 ... and now counts A and B among its participants"
                    if sl.role == "observer":
                        add(observers, m.id)
                        observer_cue.setdefault(m.id, f"'{m.text}', {s.where}")
                    elif sl.role == "participant":
                        listed = listed_under(s, m)
                        force = self.ctx.force_for(m.id, list_kind(s, m, listed) or force_kind) \
                            if listed is not None else None
                        named = {self.ctx.state_of(x) for x in s.mentions if x.kind == "force"}
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
                    if "operator" in self.ctx.entity(m.id).values:
                        add(operators, self.ctx.entity(m.id).values["operator"].id)
                elif m.kind == "state" and any(a <= m.start < b for a, b in trigger_clauses):
                    nxt = re.match(r"[ \t]+([\w-]+)", s.text[m.end:])
                    head = nxt.group(1) if nxt else ""
                    listed = listed_under(s, m)
                    if listed is not None and not m.possessive:
                        force = self.ctx.force_for(m.id, list_kind(s, m, listed) or force_kind)
                        if force:
                            add(participants, force)
                            cues.append(f"'{listed} ...' listing '{m.text}' ({s.where})")
                        else:
                            add(participant_states, m.id)  # no force in the reference: the state
                        continue
                    if m.possessive or head[:1].isupper() or head.casefold() in NON_MILITARY_HEADS \
                            or after_preposition(s, m, PLACE_PREPS):
                        continue
                    if not participant_role(s, m, head):
                        continue
                    fkind = lx.MILITARY_NOUNS.get(head.casefold()) or force_kind
                    force = self.ctx.force_for(m.id, fkind)
                    if force:
                        add(participants, force)
                        derived.append(force)
                    else:
                        add(participant_states, m.id)  # no force in the reference: the state
                elif m.kind == "place":
                    whole = not trigger_clauses and how_of.get(id(s)) == "trigger"  # named again: all of it
                    if (is_location(s.text, m.start, m.text) or LOCATION_PREP.search(s.text[:m.start])) and (
                            whole or any(a <= m.start < b for a, b in trigger_clauses)) \
                            or held_at(s.text, m.start):
                        add(locations, m.id)
                        for x in conjuncts(s.text, s.mentions, m):  # "in the Sea of Japan, the Far East and ..."
                            add(locations, x.id)
        participants = [p for p in participants if p not in observers]
        # a unit and the force it is part of are the same participant: keep the unit
        parents = {self.ctx.entity(p).values["part_of"].id for p in participants
                   if "part_of" in self.ctx.entity(p).values}
        participants = [p for p in participants
                        if not (p in parents and self.ctx.entity(p).values.get("kind") in ("armed-forces",))]
        # an observer whose own force takes part: the participation stands, the observer goes to a note
        for o in list(observers):
            taking = [p for p in participants if force_state(self.ctx.reference, self.ctx.entity(p)) == o] \
                + [p for p in participant_states if p == o]
            if taking:
                observers.remove(o)
                curator.append(f"{self.ctx.label(o)} is read as an observer ({observer_cue[o]}) but takes part "
                               f"({', '.join(taking)}); drafted as a participant only.")
        start, end, dur_iso = event_dates(trig, self._day_base(), event.earlier, cues, curator)
        activities = []
        for s in para_sents:
            for act, words in lx.ACTIVITY_CUES.items():
                if any(re.search(r"\b" + re.escape(w) + r"\b", s.text, re.I) for w in words):
                    add(activities, act)
        certainty, according, via, hedge_cues = attribution(self.ctx, self.sents, first_para)
        cues += hedge_cues
        participant_states = [p for p in participant_states if p not in observers]
        # a force read from a state's name ("the US has sent a warship") is that state, where the
        # state is listed as taking part already
        participants = [p for p in participants if p not in derived or p in named_forces
                        or force_state(self.ctx.reference, self.ctx.entity(p)) not in participant_states]
        # a ship whose part is said to be unknown ("the extent of X's involvement is not known")
        vessels = [v for v in vessels if not any(unknown_part(x.text, [m for m in x.mentions if m.id == v])
                                                 for x in sents)]
        # a ship's navy takes part, unless its state is listed as taking part already
        for o in operators:
            if force_state(self.ctx.reference, self.ctx.entity(o)) not in participant_states:
                add(participants, o)
        main = event.earlier[1] if event.earlier else None
        if main and not participants and not participant_states and any(
                SAME_PARTIES.search(s.text) for s in sents):  # "the same three navies held the first ..."
            parties = self.parties.get(id(main), ([], []))
            participants, participant_states = list(parties[0]), list(parties[1])
            cues.append("the same parties as the edition the article is about")
        self.parties[id(event)] = (participants, participant_states)
        states = sorted(({force_state(self.ctx.reference, self.ctx.entity(p)) for p in participants}
                         | set(participant_states)) - {None})
        values: dict = {}
        if kind in ("naval", "land", "air", "command-post"):
            values["kind"] = kind
        if len(states) >= 2:
            values["joint"] = True
        if event.code:
            values["codename"] = event.code
        if certainty:
            values["certainty"] = certainty
        if planned_only([x.text for x in trig]) and not event.earlier:
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
        names = [self.ctx.label(x) for x in states]
        if event.earlier:
            year, main = event.earlier
            code = event.series or main.code
            name = (re.sub(r"(?:19|20)\d\d$", year, code) if re.search(r"(?:19|20)\d\d$", code) else f"{code} {year}") \
                if code else f"The exercise of {year}"
            label, base = (f"Exercise {name}" if code else name), name
            values["_note"] = (values.get("_note", "") + " An earlier edition of the exercise the article is about; "
                               "check whether it is the same series.").strip()
        elif event.code:
            label, base = f"Exercise {event.code}", event.code
        else:
            where = f" in the {self.ctx.label(locations[0])}" if locations else ""
            label = (("–".join(names) + " " if names else "") + (f"{kind} " if kind else "") + "exercise" + where)
            base = "-".join(states) + "-" + (kind or "") + "-exercise"
        label = label[:1].upper() + label[1:]
        confidence = min(0.95, 0.4 + 0.1 * sum(bool(v) for v in (participants, host, observers, locations, start,
                                                                     event.code)))
        fact = DraftFact("exercise", self.ctx.new_id(base), label, paras, values, cues, confidence)
        self.facts.append(fact)
        taking_part = {force_state(self.ctx.reference, self.ctx.entity(p)) for p in participants}
        for actor, s in absent:
            if actor in participants or actor in observers:
                continue
            if self.ctx.state_of(Mention(actor, self.ctx.entity(actor).kind, 0, 0, "")) in taking_part:
                self.skipped.append(f"{s.where}: {self.ctx.label(actor)} stays out of a part of {label} only "
                                    "(it takes part otherwise); no non-participation drafted")
                continue
            if self.ctx.entity(actor).kind not in ("state", "force"):
                continue
            self.facts.append(DraftFact(
                "non-participation", self.ctx.new_id(f"{actor}-not-in-{fact.id}"),
                f"{self.ctx.label(actor)} does not take part in {label}", [s.paragraph],
                {"actor": actor, "exercise": fact.id}, [f"negated participation ({s.where})"], 0.6))

    def _bare_services(self, s: Sent) -> list[tuple[str, tuple[int, int]]]:
        """The services a sentence about one state names without it ("the U.S. contribution will
        include personnel from the Navy, Marines and Coast Guard"): the state's forces whose name,
        without the state's, is the service's."""
        states = {m.id for m in s.mentions if m.kind == "state"}
        if len(states) != 1:
            return []
        state = next(iter(states))
        st = self.ctx.entity(state)
        prefixes = sorted({plain(n).casefold() for n in (st.label, *st.aliases)}, key=len, reverse=True)
        forces = [e for e in self.ctx.reference.entities.values()
                  if e.kind == "force" and force_state(self.ctx.reference, e) == state]
        out = []
        for m in SERVICE.finditer(s.text):
            inside = [x for x in s.mentions if x.start <= m.start() < x.end and x.kind == "force"]
            if any(self.ctx.state_of(x) is not None and len(x.text) > len(m.group()) for x in inside):
                continue  # named with a state already ("US Navy", "Russian Navy")
            word = m.group().casefold()
            for e in sorted(forces, key=lambda e: e.id):
                names = [plain(n).casefold() for n in (e.label, *e.aliases)]
                if any(n.startswith(p + " ") and n[len(p) + 1:] == word for n in names for p in prefixes):
                    out.append((e.id, (min([m.start(), *(x.start for x in inside)]),
                                       max([m.end(), *(x.end for x in inside)]))))
                    break
        return out

    def _day_base(self) -> dt.date | None:
        """The article's date to resolve weekdays and days without a year against: not a date
        the header says it took from the web address or an aggregator's page."""
        if self.base is None:
            return None
        body = self.sents[0].paragraph if self.sents else None
        for p in self.ctx.paras:
            if body is not None and p.number >= body:
                break
            if find_dates(plain(p.text), None) and weak_date_line(p.text):
                return None
        return self.base

    def _post_holder(self, force: str, post: str) -> str | None:
        """The reference person who holds ``post`` ("commander", "chief", "head") of ``force``:
        an entry labelled by the post ("Commander of the US Pacific Fleet (unnamed)"), or None."""
        e = self.ctx.entity(force)
        names = {" ".join(re.findall(r"[a-z0-9]+", plain(n).casefold())) for n in [e.label, *e.aliases]}
        want = {f"{post.casefold()} of {n}" for n in names} | {f"{post.casefold()} of the {n}" for n in names}
        for p in sorted(self.ctx.reference.entities.values(), key=lambda p: p.id):
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
            if not any(v.end() <= t.start() < bring.start() for t in exercise_triggers(s)):
                continue
            a, _ = s.clause(v.start())
            before = [x for x in s.mentions if a <= x.start < v.start() and x.kind in ("state", "force")
                      and not after_preposition(s, x)]
            if before:
                return before[-1].id
        return None
