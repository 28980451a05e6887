"""The typed records the drafting components hand each other (``kg.extract.pipeline``).

``Found`` is what has been found in one article so far: one field per kind of record, each
added by the component that declares it in its ``adds`` (``kg.extract.draft.COMPONENTS`` lists
them in order). A field no component has added yet holds its empty default.

``parse`` is an optional record (``OPTIONAL``): no shipped component adds it; a parser's
component (``kg.extract.nlp.ParseRoles``, with ``kg extract --nlp``) that runs first does, and
the components that declare they read it read None without one, where the rules alone decide.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, NamedTuple

from ..inputs.text import Sentence
from .mentions import Mention
from .propose import Sighting
from .records import DraftFact

if TYPE_CHECKING:  # spaCy's module is imported only with --nlp
    from .nlp import Roles


@dataclass(frozen=True)
class Header:
    """The article's header, from the blocks before its body (``kg.extract.header``)."""

    #: the fact file's ``article`` block: id, title, publisher, published, language, source
    values: dict
    #: what the curator must fix in it ("no title found ...")
    notes: tuple[str, ...]
    #: the first and last paragraph of the body, or None when no block reads as one
    body: tuple[int, int] | None
    #: the article's date, to resolve relative dates against
    published: dt.date | None
    #: the title, where one was found (not made up), else ""
    title: str


@dataclass
class Sent:
    """A sentence of the body with its mentions and clauses, in offsets of its own (plain) text."""

    sentence: Sentence
    text: str
    mentions: list[Mention]
    clauses: list[tuple[int, int]]

    @property
    def paragraph(self) -> int:
        return self.sentence.paragraph

    @property
    def where(self) -> str:
        return f"{self.sentence.paragraph}.{self.sentence.number}"

    def clause(self, pos: int) -> tuple[int, int]:
        for a, b in self.clauses:
            if a <= pos < b:
                return a, b
        return 0, len(self.text)


@dataclass
class ExerciseEvent:
    """The sentences that tell one exercise (``kg.extract.events``), before its fact is drafted."""

    #: the codename's letters, to compare names; None for an unnamed exercise
    key: str | None
    code: str | None
    #: each sentence with how it joined: "trigger", "participation" or "context"
    sents: list[tuple[Sent, str]]
    #: the paragraph of the latest sentence
    last: int
    cues: list[str]
    #: for an earlier edition: its year, and the event of the edition the article is about
    earlier: tuple[str, ExerciseEvent | None] | None = None
    #: an earlier edition's series name, where the sentence gives one
    series: str | None = None


@dataclass(frozen=True)
class Codenames:
    """The exercises' names (``kg.extract.events``): never unknown names of their own."""

    #: the names' letters, casefolded ("vostok2022")
    keys: frozenset[str]
    #: the names as written, and the series names of earlier editions
    texts: frozenset[str]


class Post(NamedTuple):
    """A post whose holder hosts an exercise and whom the reference does not name ("X's
    commander is hosting"): proposed as an unnamed person."""

    force: str
    post: str
    sent: Sent
    start: int
    end: int


@dataclass
class Unresolved:
    """A name the reference entities do not know."""

    name: str
    kind: str
    paragraphs: list[int]
    hint: dict


@dataclass(frozen=True)
class Found:
    """What the components have found in one article so far."""

    #: the roles and names a parse of the article gives (``kg.extract.nlp.Roles``); None: the rules alone
    parse: Roles | None = None
    header: Header | None = None
    #: the body's sentences (``kg.extract.sentences``)
    sentences: tuple[Sent, ...] = ()
    #: the states the article is about, most mentioned first (title and body)
    main_actors: tuple[str, ...] = ()
    #: the exercises told, as groups of sentences
    events: tuple[ExerciseEvent, ...] = ()
    codenames: Codenames = Codenames(frozenset(), frozenset())
    posts: tuple[Post, ...] = ()
    #: the drafted facts, in the draft's order; a later component may fold them or add claims to them
    facts: tuple[DraftFact, ...] = ()
    #: cues found that did not make a fact, in our words ("¶9: denial with nothing to deny")
    notes: tuple[str, ...] = ()
    #: names the reference does not know, and where each was first seen
    unresolved: tuple[Unresolved, ...] = ()
    #: the unknown names ``kg.extract.propose`` proposes entries for
    sightings: tuple[Sighting, ...] = ()


#: the names of ``Found``'s records
RECORDS = tuple(f.name for f in fields(Found))
#: the records a pipeline may run without: a component reads one that no component before it
#: adds as its default (None), which says "not given"
OPTIONAL = ("parse",)


def parsed(parse: Roles | None, s: Sent, start: int, end: int, role: str) -> list[Mention] | None:
    """The mentions of ``s`` that the parse gives ``role`` at the verb at ``start:end`` (offsets
    in ``s``); None without a parse or where it names none there, and the rules decide
    (``kg.extract.nlp.Roles.fillers``)."""
    return parse.fillers(s.sentence.start, s.mentions, (start, end), role) if parse is not None else None
