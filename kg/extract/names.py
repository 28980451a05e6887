"""The unknown-names component: the names the reference entities do not know, and those of them
that ``kg.extract.propose`` proposes entries for (people, forces, ships, weapons and
organisations, where each was first seen, and a force's state); the other names are listed, with
a suggested entry for each."""
from __future__ import annotations

import re

from . import lexicon as lx
from .context import Context
from .found import Found, Sent, Unresolved
from .mentions import classify, unknown_names
from .propose import PROPOSED_KINDS, Sighting
from .syntax import MONTHS
from .tokens import plain


class UnknownNames:
    """Reads ``sentences``, ``main_actors``, ``codenames`` and ``posts``; adds ``unresolved`` and
    ``sightings``."""

    name = "unknown-names"
    reads = ("sentences", "main_actors", "codenames", "posts")
    adds = ("unresolved", "sightings")

    def __call__(self, found: Found, ctx: Context) -> dict:
        d = _Names(ctx, list(found.sentences), list(found.main_actors), found.codenames, list(found.posts))
        unresolved = d.unresolved()
        return {"unresolved": unresolved, "sightings": d.sightings(unresolved)}


class _Names:
    def __init__(self, ctx: Context, sents: list[Sent], main_actors: list[str], codenames, posts):
        self.ctx, self.sents, self.main_actors, self.posts = ctx, sents, main_actors, posts
        self.codenames, self.codename_texts = codenames.keys, codenames.texts
        #: where each unknown name was first seen: (sentence, start, end)
        self._seen: dict[str, tuple[Sent, int, int]] = {}

    def unresolved(self) -> list[Unresolved]:
        lower_words = set(re.findall(r"\b[a-z][\w-]*", plain(self.ctx.text)))
        found: dict[str, Unresolved] = {}
        for s in self.sents:
            for name, start, end, before in unknown_names(s.text, 0, s.mentions):
                if start == 0 and " " not in name and name.casefold() in lower_words:
                    continue  # a capitalised common word at the start of a sentence
                if name.casefold() in MONTHS or all(w.casefold() in lx.COMMON_CAPS for w in name.split()):
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
        for force, post, s, start, end in self.posts:  # "X's commander is hosting": an unnamed person
            name = f"{post.capitalize()} of the {self.ctx.label(force)}"
            if name not in {x.name for x in out}:
                out.append(Sighting(name, "person", {"id": f"{force}-{post}", "post": post}, (s.paragraph,),
                                    s.text, start, end))
        return out

    def _state_of_name(self, s: Sent, start: int) -> tuple[str | None, str]:
        """The state of an unknown force's name: a state named right before it ("Russia's",
        "Iranian"), else the only state its sentence names, else the state the article names most."""
        before = [m for m in s.mentions if m.end <= start and self.ctx.state_of(m)]
        if before and re.fullmatch(r"(?:['\u2019]s)?\s*(?:the\s+)?", s.text[before[-1].end:start]):
            return self.ctx.state_of(before[-1]), f"the state named before it ('{before[-1].text}')"
        states = list(dict.fromkeys(st for m in s.mentions if (st := self.ctx.state_of(m))))
        if len(states) == 1:
            return states[0], "the only state its sentence names (a guess)"
        main = self.main_actors
        if main:
            return main[0], "the state the article names most (a guess)"
        return None, ""
