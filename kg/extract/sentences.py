"""The sentences component: the body's sentences, each with the names the reference knows in
it (``kg.extract.mentions``) and its clauses, and the states the article is about."""
from __future__ import annotations

from . import lexicon as lx
from .context import Context
from .found import Found, Sent
from .header import is_body
from .tokens import plain


def clauses(text: str) -> list[tuple[int, int]]:
    cuts = sorted({0, len(text), *(m.start() for m in lx.CLAUSE_BREAK.finditer(text))})
    return [(a, b) for a, b in zip(cuts, cuts[1:]) if b > a]


class Sentences:
    """Reads ``header``; adds ``sentences`` (with their mentions and clauses) and ``main_actors``."""

    name = "sentences"
    reads = ("header",)
    adds = ("sentences", "main_actors")

    def __call__(self, found: Found, ctx: Context) -> dict:
        body = found.header.body
        sents = []
        if body is not None:
            for p in ctx.paras:
                if p.number < body[0] or not is_body(p):
                    continue
                for s in p.sentences:
                    text = plain(s.text)
                    sents.append(Sent(s, text, ctx.gaz.find(text), clauses(text)))
        return {"sentences": sents, "main_actors": main_actors(ctx, found.header.title, sents)}


def main_actors(ctx: Context, title: str, sents: list[Sent]) -> list[str]:
    """The states the article is about, most mentioned first (title and body)."""
    counts: dict[str, int] = {}
    first: dict[str, int] = {}
    mentions = ctx.gaz.find(plain(title)) + [m for s in sents for m in s.mentions]
    for n, m in enumerate(mentions):
        st = ctx.state_of(m) if m.kind in ("state", "force") else None
        if st:
            counts[st] = counts.get(st, 0) + 1
            first.setdefault(st, n)
    return sorted(counts, key=lambda st: (-counts[st], first[st]))
