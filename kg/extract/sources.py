"""Who says what an article tells: the sources a sentence names ("according to", "X said"), its
speakers (``kg.extract.claims``), the bodies and groups that speak for a state. Shared by the
components that draft facts, over the article's sentences and the context (``kg.extract.context``)."""
from __future__ import annotations

import re
from functools import partial

from . import claims
from . import lexicon as lx
from .context import Context
from .found import Sent
from .syntax import (BY_COUNT, SOURCE_END, SOURCE_HEADS, THE_SAYER, TRAILING_SAY, WHICH_SAYS, ACTOR_KINDS,
                     after_preposition, previous_subject)


def corefer(ctx: Context, sents: list[Sent], s: Sent, head: str, before: int) -> str | None:
    """The source a definite description stands for ("the ministry" after "the Polish defence
    ministry"): the latest actor named up to this point whose name has the same head word."""
    head = head.casefold()
    if head not in SOURCE_HEADS:
        return None
    k = next((i for i, x in enumerate(sents) if x is s), len(sents) - 1)
    for x in reversed(sents[:k + 1]):
        for m in reversed([m for m in x.mentions if x is not s or m.start < before]):
            if m.kind not in ACTOR_KINDS or m.kind == "state":
                continue
            e = ctx.entity(m.id)
            names = [m.text, e.label, *e.aliases]
            if any(head in re.findall(r"[\w-]+", n.casefold()) for n in names):
                return m.id
    return None


def attribution(ctx: Context, article: list[Sent],
                sents: list[Sent]) -> tuple[str | None, list[str], str | None, list[str]]:
    """Certainty, according_to, via and cues from hedges and sources in ``sents`` (of the
    sentences ``article``)."""
    according: list[str] = []
    via = None
    cues: list[str] = []
    hedged = False
    for s in sents:
        for m in lx.ACCORDING_TO.finditer(s.text):
            end = SOURCE_END.search(s.text, m.end())
            span = (m.end(), end.start() if end else len(s.text))
            who = source(ctx, s, span)
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
        said = TRAILING_SAY.search(s.text)
        if said:
            who = [x for x in s.mentions if said.start() <= x.start and x.kind in ACTOR_KINDS]
            the = THE_SAYER.search(s.text, said.start())
            if who:
                according.append(who[0].id)
                cues.append(f"'{said.group().strip(' ,.')}' ({s.where})")
            elif the and (ref := corefer(ctx, article, s, the.group(1), the.start())):
                according.append(ref)
                cues.append(f"'{the.group()}' ({s.where}) read as {ctx.label(ref)}, named before")
        for m in WHICH_SAYS.finditer(s.text):  # "an internal memo ..., which claims ..."
            src = [x for x in s.mentions if x.end <= m.start() and x.kind in ACTOR_KINDS
                   and x.kind != "state" and re.fullmatch(r"[^,;]*", s.text[x.end:m.start()])]
            if src:
                according.append(src[-1].id)
                cues.append(f"'{src[-1].text} ... {m.group().strip(' ,')}' ({s.where})")
        for m in BY_COUNT.finditer(s.text):
            ref = corefer(ctx, article, s, m.group(1), m.start())
            if ref:
                according.append(ref)
                cues.append(f"'{m.group()}' ({s.where}) read as {ctx.label(ref)}, named before")
    according = list(dict.fromkeys(according))
    certainty = "attributed" if according else "reported" if hedged else None
    return certainty, according, via, cues


def said(ctx: Context, sents: list[Sent], s: Sent) -> claims.Said:
    return claims.Said(s.text, s.mentions, s.where, lambda m: after_preposition(s, m),
                       lambda b: body_of(ctx, sents, s, b), partial(group_of, ctx), ctx.state_of)


def group_of(ctx: Context, state: str, head: str) -> str | None:
    """The reference's group of a state's unnamed people ("Russian officials" for Russia and
    "officials"): a group or organisation labelled by one of the state's names and ``head``."""
    st = ctx.entity(state)
    names = {n.casefold() for n in [st.label, *st.aliases] if " " not in n}
    for e in sorted(ctx.reference.entities.values(), key=lambda e: e.id):
        if e.kind in ("group", "organisation"):
            words = e.label.casefold().split()
            if len(words) == 2 and words[1] == head and words[0] in names:
                return e.id
    return None


def heads(ctx: Context, s: Sent, ids: list[str]) -> list[str]:
    """Speakers without the states that only qualify another speaker ("the Turkish daily X",
    "Germany's defence ministry"): a state is dropped when a speaker of its own is among ``ids``."""
    owned = {getattr(o, "id", o) for i in ids if ctx.entity(i).kind != "state"
             for o in [ctx.entity(i).values.get("state")] if o is not None}
    return [i for i in ids if not (ctx.entity(i).kind == "state" and i in owned)]


def body_of(ctx: Context, sents: list[Sent], s: Sent, b: re.Match) -> str | None:
    """The reference's organisation a ``claims.BODY`` phrase names: of the state named right
    before "'s", else of the sentence's subject (for "its"), else of the previous sentence's
    subject; the organisation of that state whose label or alias holds the phrase's words."""
    st = None
    if b.group().startswith(("'", "\u2019")):
        owner = [m for m in s.mentions if m.end == b.start()]
        st = ctx.state_of(owner[0]) if owner else None
    else:
        subj = [m for m in s.mentions if m.end <= b.start() and ctx.state_of(m)
                and not after_preposition(s, m)]
        prev = None if subj else previous_subject(ctx, sents, s)
        st = ctx.state_of(subj[0]) if subj else ctx.state_of(prev) if prev else None
    if st is None:
        return None
    norm = {"defense": "defence", "spokesman": "spokesperson", "spokeswoman": "spokesperson"}
    want = {norm.get(w, w) for w in re.findall(r"[a-z]+", b.group("head").casefold())}
    for e in sorted(ctx.reference.entities.values(), key=lambda e: e.id):
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


def speakers(ctx: Context, sents: list[Sent], s: Sent) -> list[claims.Speaker]:
    """The speakers of a sentence (``kg.extract.claims.speakers``); "the report" stands for
    the last organisation that spoke in the sentences before."""
    k = next(i for i, x in enumerate(sents) if x is s)
    if k not in ctx.spoken:
        earlier = [sp.id for i in sorted(ctx.spoken) if i < k for sp in ctx.spoken[i]
                   if ctx.entity(sp.id).kind == "organisation"]
        ctx.spoken[k] = claims.speakers(said(ctx, sents, s), earlier)
    return ctx.spoken[k]


def source(ctx: Context, s: Sent, span: tuple[int, int]) -> str | None:
    """The actor a source phrase names: a person or group entity whose label it matches, the
    spokesperson of a force ("a spokesperson for the Iranian Navy"), or an actor it mentions."""
    text = s.text[span[0]:span[1]]
    inside = [m for m in s.mentions if span[0] <= m.start < span[1] and m.kind in ACTOR_KINDS]
    words = [w for w in re.findall(r"[a-z]+", text.casefold()) if w not in lx.SOURCE_STOPWORDS]
    # "a spokesperson for the Iranian Navy" -> the person labelled "Iranian Navy spokesperson"
    role = re.match(r"\s*(?:an?|the|one)?\s*(\w+)\s+(?:for|of)\s+(?:the\s+)?(.+)$", text, re.I)
    if role and inside:
        want = f"{inside[0].text} {role.group(1)}".casefold()
        for e in ctx.reference.find(want, ["person", "group"]):
            return e.id
        for e in ctx.reference.entities.values():
            if e.kind in ("person", "group") and e.label.casefold() == want:
                return e.id
    if words:
        for e in sorted(ctx.reference.entities.values(), key=lambda e: e.id):
            if e.kind != "group":
                continue
            label = [w for w in re.findall(r"[a-z]+", e.label.casefold())
                     if w not in lx.SOURCE_STOPWORDS and w not in ("unnamed", "unknown")]
            if label and set(words) == set(label):
                return e.id
    if inside:
        return inside[0].id
    return None
