"""The unknown-names component: the names the reference entities do not know, and those of them
that ``kg.extract.propose`` proposes entries for (people, forces, ships, weapons and
organisations, where each was first seen, and a force's state); the other names are listed, with
a suggested entry for each. With a parse (the optional record ``parse``), the people and
organisations its entity recogniser finds that the reference does not know are unknown names
too, of that kind (``kg.extract.nlp.Parsed.unknown``)."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from . import lexicon as lx
from .context import Context
from .found import Found, Sent, Unresolved
from .mentions import classify, unknown_names
from .propose import PROPOSED_KINDS, Sighting
from .syntax import MONTHS
from .tokens import plain

if TYPE_CHECKING:
    from .nlp import Roles

#: the kind of unknown name each label of a parser's entity recogniser gives (those proposed)
PARSED_KINDS = {"PERSON": "person", "ORG": "organisation"}


class UnknownNames:
    """Reads ``sentences``, ``main_actors``, ``codenames``, ``posts`` and ``parse`` (a parser's
    names, optional: the people and organisations it finds are unknown names of that kind);
    adds ``unresolved`` and ``sightings``."""

    name = "unknown-names"
    reads = ("sentences", "main_actors", "codenames", "posts", "parse")
    adds = ("unresolved", "sightings")

    def __call__(self, found: Found, ctx: Context) -> dict:
        d = _Names(ctx, list(found.sentences), list(found.main_actors), found.codenames, list(found.posts),
                   found.parse)
        unresolved = d.unresolved()
        return {"unresolved": unresolved, "sightings": d.sightings(unresolved)}


class _Names:
    def __init__(self, ctx: Context, sents: list[Sent], main_actors: list[str], codenames, posts,
                 parse: Roles | None = None):
        self.ctx, self.sents, self.main_actors, self.posts = ctx, sents, main_actors, posts
        #: the names of a parse (``kg.extract.nlp.Roles``); None: the rules alone
        self.parse = parse
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
        for s, name, start, end, kind in self._parsed_names():
            u = found.get(name)
            if u is None or u.kind == "unknown":  # the parse's kind where the words around it say nothing
                u = found[name] = Unresolved(name, kind, list(u.paragraphs) if u else [], dict(u.hint) if u else {})
            if s.paragraph not in u.paragraphs:
                u.paragraphs.append(s.paragraph)
                u.paragraphs.sort()
            self._seen.setdefault(name, (s, start, end))
        return sorted(found.values(), key=lambda u: (u.paragraphs[0], u.name))

    def _parsed_names(self) -> list[tuple[Sent, str, int, int, str]]:
        """The people and organisations of the parse that the reference does not know, in the
        body's sentences: (sentence, name, start, end in the sentence, kind); not a name that
        overlaps a reference's name, has no capital, or is an exercise's codename."""
        out = []
        names = [n for n in self.parse.parsed.unknown if n.label in PARSED_KINDS] if self.parse is not None else []
        for n in names:
            s = next((s for s in self.sents if s.sentence.start <= n.start and n.end <= s.sentence.end), None)
            if s is None:
                continue  # not in the body: a heading, a caption
            start, end = n.start - s.sentence.start, n.end - s.sentence.start
            lead = re.match(r"(?:the|a|an)\s+", s.text[start:end], re.I)
            start += lead.end() if lead else 0
            name = s.text[start:end].strip()
            end = start + len(name)
            if not name or not any(w[:1].isupper() for w in name.split()) \
                    or any(m.start < end and start < m.end for m in s.mentions if m.id) \
                    or any(name in c for c in self.codename_texts) \
                    or re.sub(r"\W", "", name.casefold()) in self.codenames:
                continue
            out.append((s, name, start, end, PARSED_KINDS[n.label]))
        return out

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
