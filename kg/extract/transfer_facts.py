"""The transfers component: arms transfers, each from a verb or noun of transfer and the
weapons it goes with; supplier and recipient by the verb's roles (active, passive, "receive ...
from"), else from the transfers drafted before; hedges and sources make it ``reported`` or
``attributed``; then the mentions of one transfer are folded into one fact
(``kg.extract.transfers.corefer``)."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from . import lexicon as lx
from .context import Context
from .found import Found, Sent, parsed
from .mentions import Mention
from .propose import slug
from .quantities import Quantity, cumulative, quantity_before, running_total
from .records import DraftFact
from .sources import attribution, heads, source, speakers
from .syntax import (BE, DEMONYM, EARLIER_PLAN, PAST_GIVE, PLAN_NOUN, SOURCE_END, USED_IN, after_preposition,
                     source_spans, states_in, subject_between, transfer_cues)
from .transfers import _category as weapon_category
from .transfers import corefer as corefer_transfers
from .transfers import generic as transfer_generic

if TYPE_CHECKING:
    from .nlp import Roles


class Transfers:
    """Reads ``sentences``, ``main_actors``, ``facts``, ``notes`` and ``parse`` (a parser's roles,
    optional: the supplier and recipient it gives a verb replace the rules'); adds ``facts`` (the
    transfers, and the conflicts the ones just drafted were used in) and ``notes``."""

    name = "transfers"
    reads = ("sentences", "main_actors", "facts", "notes", "parse")
    adds = ("facts", "notes")

    def __call__(self, found: Found, ctx: Context) -> dict:
        d = _TransferDrafter(ctx, list(found.sentences), list(found.main_actors), list(found.facts),
                             list(found.notes), found.parse)
        d.run()
        return {"facts": d.facts, "notes": d.skipped}


def cue_of(s: Sent, w: Mention, cues):
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


class _TransferDrafter:
    def __init__(self, ctx: Context, sents: list[Sent], main_actors: list[str], facts: list[DraftFact],
                 skipped: list[str], parse: Roles | None = None):
        self.ctx, self.sents, self.main_actors, self.facts, self.skipped = ctx, sents, main_actors, facts, skipped
        #: the roles of a parse (``kg.extract.nlp.Roles``), read before the rules; None: the rules alone
        self.parse = parse

    def run(self) -> None:
        previous: list[DraftFact] = []
        for s in self.sents:
            weapons = [m for m in s.mentions if m.kind == "weapon"]
            cues = transfer_cues(s)
            made: list[DraftFact] = []
            if not weapons and cues:
                weapons = self._generic_weapons(s, cues)
            if weapons and cues:
                made = self._transfers_in(s, weapons, cues)
                self._launched_from(s, made)
            # "These were used in the Ukraine conflict": the conflict of the transfers just drafted
            conflicts = [m for m in s.mentions if m.kind == "conflict"]
            if conflicts and USED_IN.search(s.text):
                targets = made or [f for f in previous if f.at[0] >= s.paragraph - 1]
                for f in targets:
                    for c in conflicts:
                        f.values.setdefault("used_in", [])
                        if c.id not in f.values["used_in"]:
                            f.values["used_in"].append(c.id)
                            f.cues.append(f"used in '{c.text}' ({s.where})")
            if made:
                previous = made
        self.facts = corefer_transfers(self.facts, self.ctx.reference)

    def _launched_from(self, s: Sent, made: list[DraftFact]) -> None:
        """A kind of weapon transferred with a named system in one sentence ("the Patriot system
        together with missiles") is the reference's weapon of that kind launched from the system
        (``launched_from``), when there is exactly one."""
        named = {f.values["weapon"] for f in made if not transfer_generic(self.ctx.reference, f.values["weapon"])}
        for f in made:
            w = f.values["weapon"]
            if not named or not transfer_generic(self.ctx.reference, w):
                continue
            fits = [e.id for e in self.ctx.reference.entities.values() if e.kind == "weapon"
                    and getattr(e.values.get("launched_from"), "id", e.values.get("launched_from")) in named
                    and weapon_category(self.ctx.reference, e.id) == weapon_category(self.ctx.reference, w)]
            if len(fits) == 1:
                f.values["weapon"] = fits[0]
                f.label = f.label.replace(self.ctx.label(w), self.ctx.label(fits[0]), 1)
                f.id = self.ctx.new_id(f.id.replace(slug(w), slug(fits[0]), 1))
                system = self.ctx.entity(fits[0]).values["launched_from"]
                f.cues.append(f"the {self.ctx.label(w).casefold()} of the "
                              f"{self.ctx.label(getattr(system, 'id', system))} "
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
            if EARLIER_PLAN.search(s.text[s.clause(cue.start())[0]:cue.start()]):
                # an earlier plan's figure ("the original plan was to buy 36 jets") is no transfer
                self.skipped.append(f"{s.where}: '{obj.group('head')}' of an earlier plan, no transfer of its own")
                continue
            named = [f.values["weapon"] for f in self.facts if f.type == "arms-transfer"
                     and s.paragraph - 1 <= max(f.at) <= s.paragraph and f.values.get("weapon")
                     and not transfer_generic(self.ctx.reference, f.values["weapon"])
                     and weapon_category(self.ctx.reference, f.values["weapon"]) == category]
            if named:
                out.append(Mention(named[-1], "weapon", obj.start("head"), obj.end("head"), obj.group("head")))
        return out

    def _transfers_in(self, s: Sent, weapons: list[Mention], cues) -> list[DraftFact]:
        """The transfers of one sentence: each weapon goes with its nearest transfer cue (the
        one before it in its clause, else the one after it), and each cue with its weapons makes
        a frame whose roles are read from the text between the neighbouring frames."""
        groups: list[tuple[str, object, list[Mention]]] = []
        for w in weapons:
            found = cue_of(s, w, cues)
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
        for st in self.main_actors:
            if st != known:
                return st, "the state the article names most"
        return None, ""

    def _transfer_frame(self, s: Sent, kind: str, cue, weapons: list[Mention], lo: int, hi: int) -> list[DraftFact]:
        sources = source_spans(s)
        made: list[DraftFact] = []
        v0, v1 = cue.start(), cue.end()
        before = states_in(self.ctx, s, lo, v0, sources)
        after = states_in(self.ctx, s, v1, hi, sources)
        notes: list[str] = []
        inferred: list[str] = []

        def state(m: Mention | None) -> str | None:
            return self.ctx.state_of(m) if m else None

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
                first = [m for m in states_in(self.ctx, s, start, v0, sources) if not after_preposition(s, m)
                         and not m.possessive]
                owner = [m for m in states_in(self.ctx, s, start, v0, sources) if m.possessive]
                if not first and owner:  # "Russia's talks with Iran to obtain ...": the possessor acts
                    return state(owner[0])
                # the last state is an object when a verb comes right before it ("followed the United States")
                while len(first) > 1 and re.search(r"\b[a-z]+(?:ed|s)\s+(?:the\s+)?$", s.text[:first[-1].start]):
                    first.pop()
                if first:
                    return state(first[-1])
            # the subject of a verb after "that" is in its clause: "X said ... that Y plans to buy"
            comp = [c.end() for c in re.finditer(r"\b(?:that|whether)\b", s.text[lo:v0], re.I)]
            m, how = subject_between(self.ctx, self.sents, s, lo + comp[-1] if comp else lo, v0)
            if how:
                notes.append(f"Read from a pronoun: {how}.")
            return state(m)

        def objects_before(words: str) -> list[Mention]:
            return [m for m in before if re.search(rf"\b(?:{words})\s+(?:the\s+)?$", s.text[lo:m.start], re.I)]

        supplier = recipient = None
        # "was supplied" is passive, "was supplying" is not
        passive = bool(BE.search(s.text[lo:v0])) and not re.search(r"ing$", cue.group(), re.I) \
            or bool(re.match(r"\s+(?:to|by)\b", s.text[v1:]))
        if kind == "adj":
            supplier = state(next(m for m in s.mentions if m.start == cue.start()))
            first = [m for m in states_in(self.ctx, s, 0, cue.start(), sources)]
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
                    self.ctx.entity(place.id).values["state"].id if "state" in self.ctx.entity(place.id).values
                    else None)
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
            given = [st for m in parsed(self.parse, s, v0, v1, role) or [] if (st := self.ctx.state_of(m))]
            if given and role == "supplier":
                supplier = given[0]
            elif given:
                recipient = given[0]
        if supplier is None and kind in ("get", "arrive", "noun", "deal"):
            # "received Chinese HQ-9 systems": the state named as the weapons' adjective
            maker = next((m for m in s.mentions if m.kind == "state" and any(
                re.fullmatch(r"\s*(?:[\w-]+\s+){0,1}", s.text[m.end:w.start]) and m.end <= w.start
                for w in weapons) and not m.possessive and state(m) != recipient
                and DEMONYM.fullmatch(m.text)), None)
            if maker is not None:
                supplier = state(maker)
                notes.append(f"The supplier is the weapons' origin ('{maker.text} ...', {s.where}).")
        if supplier is None:  # "rifles made in Belarus"
            origin = next((m for m in states_in(self.ctx, s, lo, hi, sources)
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
        certainty, according, via, hedge = attribution(self.ctx, self.sents, [s])
        # a party that speaks of its own transfer announces it: that is no source of the fact
        spoken = [sp for sp in speakers(self.ctx, self.sents, s) if sp.id not in (supplier, recipient)]
        according = heads(self.ctx, s, list(dict.fromkeys(
            [a for a in according if a not in (supplier, recipient)] + [sp.id for sp in spoken])))
        seg = s.text[lo:hi]
        # "talks to obtain", "agreed to hand": an infinitive cue is an intention
        planned = lx.PLANNED.search(seg) or lx.PENDING.search(s.text[:v0]) or re.search(r"\bto\s+$", s.text[:v0])
        ordered = lx.ORDERED.search(seg)
        past = PAST_GIVE.search(seg)
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
                end = SOURCE_END.search(s.text, own[-1].end())
                who = source(self.ctx, s, (own[-1].end(), end.start() if end else len(s.text)))
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
            plan = PLAN_NOUN.search(s.text[a:w.start])
            if status == "planned" and plan and re.fullmatch(r"[\s\d,]*|\s+\w+\s+", s.text[a + plan.end():w.start]):
                values["modality"] = "planned"  # "part of a plan by Chile to buy 42 planes": the plan is told
            elif status == "planned" and lx.INTENT.search(s.text[a:w.start]):
                values["modality"] = "intended"  # "plans to buy", "talks to obtain": an intention, no decision
            label = f"{self.ctx.label(w.id)} from {self.ctx.label(supplier)} to {self.ctx.label(recipient)}"
            confidence = 0.8 if kind in ("give", "get", "arrive") else 0.6
            if inferred:
                confidence = 0.4
            elif notes:
                confidence = min(confidence, 0.6)
            fact = DraftFact("arms-transfer", self.ctx.new_id(f"{supplier}-{recipient}-{w.id}"), label, [s.paragraph],
                             values, wcues, confidence)
            self.facts.append(fact)
            made.append(fact)
        return made

    # -- denials and confirmations --
