"""Proposed reference entries for the names an article uses that the reference does not know: one
component of the drafting pipeline (``kg.extract.draft``).

Reads:  ``Sighting`` records, one per unknown name: what it seems to be (``kind``, ``hint``, from
        ``kg.extract.mentions.classify``), where it was first seen (the sentence and the span), and
        for a force the state found for it and how.
Adds:   ``Proposal`` records, one per person, force, vessel, weapon and organisation: a reference
        entry (id, label, aliases, description, the fields a reference file gives its kind) and a
        comment saying where it comes from.

``extended`` gives the reference with the proposals as entities, for drafting the article again
so that the facts use them; ``kg.extract.writer.proposed_yaml`` writes them as a reference file.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable, Mapping

from ..inputs.facts import Concept, Entity, Ref, Reference
from . import lexicon as lx
from .tokens import plain

#: the kinds of unknown names that become proposed reference entries
PROPOSED_KINDS = ("person", "force", "vessel", "weapon", "organisation")

#: words of a title or post next to a person's name ("Defence Minister", "the navy's spokesman")
_TITLE_WORDS = lx.TITLES | frozenset(
    "defence defense foreign prime deputy vice rear first interior naval navy army military chief staff "
    "of the general joint armed forces air force ministry national security press political".split())
_TITLE_AFTER = re.compile(r",\s+(?:the|a|an|its|their)\s+((?:[\w'\u2019.-]+\s+){0,5}[\w'\u2019.-]+)\s*[,.;]")
_ORDINAL_BEFORE = re.compile(r"(?<![\w-])(\d{1,4}(?:st|nd|rd|th))\s+$")


def slug(text: str) -> str:
    """An id made from a name: lower-case ASCII letters and digits joined by '-' (at most 60)."""
    s = re.sub(r"[^A-Za-z0-9]+", "-", plain(text)).strip("-").lower()
    return s[:60].strip("-") or "x"


@dataclass(frozen=True)
class Sighting:
    """An unknown name as the drafter found it (what ``propose`` reads)."""

    name: str
    #: what it seems to be: person, force, vessel, weapon, organisation (other kinds are not proposed)
    kind: str
    #: what ``classify`` read from the words around it: a force's or organisation's ``kind``, a
    #: weapon's ``category`` and the ``noun`` after it
    hint: Mapping[str, str]
    paragraphs: tuple[int, ...]
    #: the sentence it was first seen in, and its span there
    text: str
    start: int
    end: int
    #: a force's state, and how it was found; None where no state could be found
    state: str | None = None
    state_basis: str = ""


@dataclass(frozen=True)
class Proposal:
    """A proposed reference entry (what ``propose`` adds): what a reference file holds for it
    (``fields``: kind, state, category as the file writes them) and where it comes from
    (``source``, a comment for the curator)."""

    id: str
    kind: str
    label: str
    aliases: tuple[str, ...]
    description: str | None
    fields: Mapping[str, str] = field(default_factory=dict)
    source: str = ""

    def entity(self, path: str) -> Entity:
        """The entry as a reference entity (as ``read_reference`` reads it from ``path``)."""
        values: dict = {}
        for key, value in self.fields.items():
            if key == "state":
                values[key] = Ref("state", value)
            elif key == "category":
                values[key] = Concept("weapon-category", value)
            else:
                values[key] = value
        return Entity(self.kind, self.id, self.label, list(self.aliases), self.description, values, path, 0)


def title(text: str, start: int, end: int) -> str | None:
    """The title or post the text gives right before a person's name ("Defence Minister X")
    or right after it ("X, the defence minister,"), or None."""
    words = list(re.finditer(r"[\w'\u2019.-]+", text[:start]))
    run: list[re.Match] = []
    for w in reversed(words):
        gap = text[w.end():(run[0].start() if run else start)]
        if gap.strip() or w.group().casefold().strip(".") not in _TITLE_WORDS:
            break
        run.insert(0, w)
    while run and run[0].group().casefold() in ("of", "the"):
        run = run[1:]
    if run and any(w.group().casefold().strip(".") in lx.TITLES for w in run):
        return text[run[0].start():run[-1].end()]
    after = _TITLE_AFTER.match(text, end)
    if after and any(w.casefold().strip(".") in lx.TITLES for w in after.group(1).split()):
        return after.group(1)
    return None


def propose(sightings: Iterable[Sighting], taken: Iterable[str]) -> list[Proposal]:
    """A proposed entry for each sighting of a proposed kind, in the order given, with an id
    that is not ``taken`` (the reference's ids) nor used by an earlier proposal (``-2``, ``-3``...).
    A force with no state is not proposed: a reference file cannot hold it."""
    out: list[Proposal] = []
    used = set(taken)
    for u in sightings:
        if u.kind not in PROPOSED_KINDS:
            continue
        fields: dict[str, str] = {}
        aliases: list[str] = []
        description = None
        label = u.name
        what = "a " + u.kind
        if u.kind == "person" and u.hint.get("post"):  # a post's holder the article does not name
            description = f"The {u.hint['post']} whom the article does not name; it names the post only."
            fields["unnamed"] = True
            what = f"a person, the unnamed {u.hint['post']}"
        elif u.kind == "person":
            found = title(u.text, u.start, u.end)
            if found:
                description = f"{found[0].upper()}{found[1:]}, as the article calls them."
                what = f"a person, '{found}'"
        elif u.kind == "force":
            if u.state is None:
                continue
            fields["kind"] = u.hint.get("kind", "unit")
            fields["state"] = u.state
            number = _ORDINAL_BEFORE.search(u.text[:u.start])
            if number:  # "the 77th Coastal Brigade": the number is part of the name
                label = f"{number.group(1)} {u.name}"
            what = f"a force ({fields['kind']}); its state is {u.state_basis}"
        elif u.kind == "weapon":
            fields["category"] = u.hint.get("category", "other")
            noun = u.hint.get("noun")
            if noun:  # "Zephyr-9 missiles": the name with its noun is one weapon, not two
                one = noun[:-1] if noun.endswith("s") and noun[:-1] in lx.WEAPON_HEADS else noun
                aliases.append(f"{u.name} {one}")
            what = f"a weapon ({fields['category']})"
        elif u.kind == "organisation":
            fields["kind"] = u.hint.get("kind", "government-body")
            what = f"an organisation ({fields['kind']})"
        base = slug(u.hint.get("id") or label)  # an id given by the drafter ("<force>-commander")
        ident, n = base, 2
        while ident in used:
            ident, n = f"{base}-{n}", n + 1
        used.add(ident)
        where = "paragraph " + ", ".join(str(p) for p in u.paragraphs)
        out.append(Proposal(ident, u.kind, label, tuple(aliases), description, fields, f"{where}: '{label}', {what}"))
    return out


def extended(reference: Reference, proposals: Iterable[Proposal], path: str) -> Reference:
    """``reference`` with the proposed entries (to be read from ``path``) as entities of its own."""
    entities = dict(reference.entities)
    for p in proposals:
        entities[p.id] = p.entity(path)
    return Reference(entities, reference.concepts)
