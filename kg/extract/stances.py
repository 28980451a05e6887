"""The stances component: denials and confirmations. "Denied" and "confirmed" make facts that
point at the facts they are about (a transfer, an exercise, a cooperation the sentence names, or
a transfer only alleged, drafted as such); a narrower denial ("pushed back against", "had not
approved") is a claim of its mode on each fact it is about (docs/claims-model.md)."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from . import claims
from . import lexicon as lx
from .context import Context
from .found import Found, Sent, parsed
from .mentions import Mention
from .propose import slug
from .records import DraftFact
from .sources import said, speakers
from .syntax import (ACCUSATION, BOTH, SPOKES, TRIGGER, ACTOR_KINDS, after_preposition, codename,
                     source_spans)

if TYPE_CHECKING:
    from .nlp import Roles


class Stances:
    """Reads ``sentences``, ``facts``, ``notes`` and ``parse`` (a parser's roles, optional: who
    denies or confirms, by the parse, replaces the rules' reading); adds ``facts`` (denials,
    confirmations, cooperations and alleged transfers they name, claims on the facts before) and
    ``notes``."""

    name = "stances"
    reads = ("sentences", "facts", "notes", "parse")
    adds = ("facts", "notes")

    def __call__(self, found: Found, ctx: Context) -> dict:
        d = _StanceDrafter(ctx, list(found.sentences), list(found.facts), list(found.notes), found.parse)
        d.run()
        return {"facts": d.facts, "notes": d.skipped}


class _StanceDrafter:
    def __init__(self, ctx: Context, sents: list[Sent], facts: list[DraftFact], skipped: list[str],
                 parse: Roles | None = None):
        self.ctx, self.sents, self.facts, self.skipped = ctx, sents, facts, skipped
        #: the roles of a parse (``kg.extract.nlp.Roles``), read before the rules; None: the rules alone
        self.parse = parse

    def run(self) -> None:
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
        role = SPOKES.search(s.text[:x.start])
        if role is None:
            return x
        words = [role.group(1)] + (["spokesperson"] if role.group(1).casefold().startswith("spokes") else [])
        for word in words:
            for e in self.ctx.reference.find(f"{x.text} {word}", ["person", "group"]):
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
        states = [st for x in actors if x.kind == "state" and (st := self.ctx.state_of(x))]
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
                e = self.ctx.entity(st)
                names = [e.label, *e.aliases]
                hits = [h for n in names for h in self.ctx.reference.find(f"{n} {title}", ["person"])
                        + self.ctx.reference.find(f"{title} of {n}", ["person"]) if h.values.get("unnamed")]
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
                  and not any(p <= x.start < q for p, q in source_spans(s))
                  and (not after_preposition(s, x) or SPOKES.search(s.text[:x.start]))]
        in_clause = [x for x in actors if x.start >= a]
        actors = in_clause or actors[-1:]
        body = claims.body_before(said(self.ctx, self.sents, s), m.start())  # "its defence ministry denied"
        if body is not None:
            actors = [Mention(body[0], self.ctx.entity(body[0]).kind, body[1].start(), body[1].end(), body[1].group())]
        if actors:  # the subject: the last actor before the verb and those joined to it by "and"
            chain = [actors[-1]]
            for x in reversed(actors[:-1]):
                if s.text[x.end:chain[0].start].strip(" ,").casefold() not in ("and", "or", ""):
                    break
                chain.insert(0, x)
            actors = chain
            actors = self._titled_speakers(s, actors) or actors
        given = [x for x in parsed(self.parse, s, m.start(), m.end(), "denier" if ftype == "denial" else "speaker")
                 or [] if x.kind in ACTOR_KINDS]
        if given:  # the subject of the verb in the parse, before the rules' reading
            actors = [self._spoken_for(s, x) for x in given]
        both = BOTH.search(s.text[a:m.start()])
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
                st for x in s.mentions if (st := self.ctx.state_of(x)) and x.kind in ("state", "force")))
            for x in actors:
                st = self.ctx.state_of(x)
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
                label = "–".join(self.ctx.label(p) for p in parties) + " cooperation" + (
                    f" in the {self.ctx.label(conflict)}" if conflict else "")
                coop = DraftFact("cooperation", self.ctx.new_id("-".join(parties) + "-cooperation"
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
            code = codename(self.sents, Sent(s.sentence, obj, [], [(0, len(obj))]))
            named = [f for f in self.facts if f.type == "exercise" and code
                     and re.sub(r"\W", "", str(f.values.get("codename", "")).casefold())
                     == re.sub(r"\W", "", code[0].casefold())]
            if named:
                targets = [named[0].id]
            elif TRIGGER.search(obj):
                targets = [f.id for f in recent if f.type == "exercise"][-1:]
            if not targets:
                targets = [f.id for f in recent if f.type == "arms-transfer" and f.at[0] == s.paragraph] \
                    or [f.id for f in recent if f.type == "arms-transfer"] or [f.id for f in recent][-1:]
        if not targets and ftype == "denial":
            alleged = self._alleged_transfer(s, m, end, actors)
            if alleged is not None:
                targets = [alleged.id]
            elif mode is not None and ACCUSATION.search(obj):  # "pushed back against the accusations"
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
        who = " and ".join(self.ctx.label(x) for x in by)
        verb = "denies" if ftype == "denial" else "confirms"
        what = next(f for f in self.facts if f.id == targets[0])
        shown = what.label if what.type == "exercise" and what.values.get("codename") else f"the {what.type}: {what.label}"
        label = f"{who} {verb if len(by) == 1 else {'denies': 'deny', 'confirms': 'confirm'}[verb]} {shown}"
        self.facts.append(DraftFact(ftype, self.ctx.new_id(f"{'-'.join(by)}-{verb}-{targets[0]}"), label,
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
                and "unspecified-arms" in self.ctx.reference.entities:
            weapon = "unspecified-arms"  # "any shipment of arms": weapons the text does not name
        recipient = next((x for x in s.mentions if after <= x.start < end and self.ctx.state_of(x) and x.kind == "state"
                          and re.search(r"\bto\s+(?:the\s+)?$", s.text[max(0, x.start - 10):x.start])), None)
        if weapon is None or recipient is None:
            return None
        a = s.clause(m.start())[0]
        subject = [x for x in s.mentions if a <= x.start < m.start() and x.kind == "state"]
        supplier = self.ctx.state_of(subject[-1]) if subject else next(
            (st for x in actors if (st := self.ctx.state_of(x))), None)
        recipient_id = self.ctx.state_of(recipient)
        if supplier is None or supplier == recipient_id:
            return None
        values: dict = {"supplier": supplier, "recipient": recipient_id, "weapon": weapon, "status": "alleged"}
        cues = [f"'{noun.group().strip()}' under the denial '{m.group()}' ({s.where}): alleged, not told as a fact"]
        accusers = []
        for t in self.sents:
            if t.paragraph > s.paragraph:
                break
            for acc in ACCUSATION.finditer(t.text):
                who = [x for x in t.mentions if x.end <= acc.start() and x.kind in ("state", "person")
                       and re.fullmatch(r"[\s'’s]*", t.text[x.end:acc.start()])]
                if who:
                    accusers.append(self.ctx.state_of(who[-1]) if who[-1].kind == "state" else who[-1].id)
                    cues.append(f"'{t.text[who[-1].start:acc.end()]}' ({t.where})")
        accusers = [x for x in dict.fromkeys(accusers) if x and x not in (supplier, recipient_id)]
        accusers = list(dict.fromkeys(self._spokesperson_of(st, s.paragraph, cues) for st in accusers))
        values["certainty"] = "attributed" if accusers else "reported"
        if accusers:
            values["according_to"] = accusers
            values["mode"] = "accuses"
        fact = DraftFact("arms-transfer", self.ctx.new_id(f"{supplier}-{recipient_id}-{weapon}"),
                         f"{self.ctx.label(weapon)} from {self.ctx.label(supplier)} to "
                         f"{self.ctx.label(recipient_id)} (alleged)",
                         [s.paragraph], values, cues, 0.4)
        self.facts.append(fact)
        return fact

    #: "Jane Doe, the French ambassador to Chile, said": the apposition after a person, up to its comma
    _APPOSITION = re.compile(r"\s*,\s*(?:the|a|an)\s+(?P<post>[^,;]+?)\s*,")

    def _spokesperson_of(self, accuser: str, paragraph: int, cues: list[str]) -> str:
        """The person who speaks for the state ``accuser`` up to ``paragraph``: a speaker given in
        apposition as one of its officials ("X, the U.S. ambassador to South Africa, said"), whose
        accusation "U.S. accusations" reports; else the state itself."""
        if accuser not in self.ctx.reference.entities or self.ctx.entity(accuser).kind != "state":
            return accuser
        for t in self.sents:
            if t.paragraph > paragraph:
                break
            spoken = {sp.id for sp in speakers(self.ctx, self.sents, t)}
            for x in t.mentions:
                post = self._APPOSITION.match(t.text, x.end) if x.kind == "person" and x.id in spoken else None
                if post is None:
                    continue
                # the post's own state: the first state named in it, not after a preposition ("to South Africa")
                owner = next((self.ctx.state_of(y) for y in t.mentions
                              if post.start("post") <= y.start < post.end("post")
                              and self.ctx.state_of(y) and not after_preposition(t, y)), None)
                if owner == accuser:
                    cues.append(f"'{t.text[x.start:post.end()].rstrip(',')}' ({t.where}): the accuser of {accuser}")
                    return x.id
        return accuser

    # -- names not in the reference --
