"""Reading and checking the reference entities and the fact files.

Everything a file says is checked here against the tables of ``kg.inputs.schema``: unknown keys,
missing keys, wrong types, unknown or duplicate ids; each value is checked by the checker of
its kind in ``kg.inputs.values`` (text, dates, durations, numbers, ids...). A problem raises
``InputError`` naming the file and line; what comes out is ready to be turned into triples.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterable

from . import values as V
from ..errors import InputError
from .schema import (
    ACTOR,
    AMOUNT_FIELDS,
    ARTICLE_FIELDS,
    CLAIM_FIELDS,
    WHEN_FIELDS,
    ENTITY_COMMON,
    ENTITY_KINDS,
    FACT_COMMON,
    FACT_TYPES,
    UNKNOWN,
    EntityKind,
    Field,
)
from .values import ID_RE, MAX_TEXT, BadValue, Date  # noqa: F401 (ID_RE, Date: for other modules)
from .yamlread import Y, read_yaml
from .yamlread import short_repr as _q

#: the most facts one fact file (one article) may have; no list in it may have more items
MAX_FACTS = 10_000


@dataclass(frozen=True)
class Ref:
    """A reference to an entity (kind ``state``, ``force``...) or to a fact (kind = fact type)."""

    kind: str
    id: str


@dataclass(frozen=True)
class Concept:
    scheme: str
    id: str


@dataclass(frozen=True)
class Struct:
    """A structured value (an amount, a time, a claim): its checked keys, in the order of the
    fields of its kind (``AMOUNT_FIELDS``, ``WHEN_FIELDS``, ``CLAIM_FIELDS``)."""

    kind: str
    items: tuple[tuple[str, Any], ...]
    line: int = field(default=0, compare=False, repr=False)

    def get(self, key: str, default: Any = None) -> Any:
        for k, v in self.items:
            if k == key:
                return v
        return default

    def __contains__(self, key: str) -> bool:
        return any(k == key for k, _ in self.items)


def _freeze(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


@dataclass(frozen=True)
class Number:
    """A whole or decimal number, kept as written (``50000``, ``8.1``)."""

    text: str


@dataclass
class Entity:
    kind: str
    id: str
    label: str
    aliases: list[str]
    description: str | None
    values: dict[str, Any]
    path: str
    line: int


@dataclass
class DataConcept:
    scheme: str
    id: str
    label: str
    broader: str | None
    definition: str | None
    path: str
    line: int


@dataclass
class Reference:
    """Every reference entity, by id (ids are unique across kinds)."""

    entities: dict[str, Entity] = field(default_factory=dict)
    #: concepts that data adds to our SKOS schemes (``concepts:`` in a reference file)
    concepts: list[DataConcept] = field(default_factory=list)

    def of_kinds(self, kinds: Iterable[str]) -> list[str]:
        wanted = set(kinds)
        return sorted(i for i, e in self.entities.items() if e.kind in wanted)

    def find(self, text: str, kinds: Iterable[str] | None = None) -> list[Entity]:
        """Entities whose id, label or an alias is ``text`` (case-insensitive)."""
        wanted = set(kinds) if kinds is not None else None
        needle = text.casefold()
        found = []
        for e in self.entities.values():
            if wanted is not None and e.kind not in wanted:
                continue
            names = [e.id, e.label, *e.aliases]
            if any(n.casefold() == needle for n in names):
                found.append(e)
        return sorted(found, key=lambda e: e.id)


@dataclass
class Fact:
    type: str
    id: str
    values: dict[str, Any]
    line: int
    #: the line of each key of the fact's entry
    key_lines: dict[str, int] = field(default_factory=dict)


@dataclass
class Article:
    id: str
    path: str
    line: int
    header: dict[str, Any]
    #: header keys the article explicitly leaves unknown
    unknown: list[str]
    facts: list[Fact]
    #: references to facts written TYPE/ID (maybe of another article): (ref, text, line),
    #: resolved once every article is read (``kg.build.crosscheck``)
    fact_refs: list[tuple[Ref, str, int]] = field(default_factory=list)


Vocabulary = dict[str, set[str]]  # scheme -> concept ids


# --- small helpers -----------------------------------------------------------------------


def _suggest(word: str, choices: Iterable[str], n: int = 3) -> str:
    close = difflib.get_close_matches(word, sorted(set(choices)), n=n, cutoff=0.6)
    if not close:
        return ""
    if len(close) == 1:
        return f"; did you mean {close[0]!r}?"
    return "; did you mean " + ", ".join(repr(c) for c in close[:-1]) + f" or {close[-1]!r}?"


def _expect_map(y: Y | None, path: str, what: str, line: int = 1) -> dict[str, Y]:
    if y is None or y.tag != "map":
        raise InputError(f"{what} must be a mapping of keys to values", path, y.line if y else line)
    return y.value


def _check_keys(m: Y, allowed: Iterable[str], path: str, what: str) -> None:
    allowed = list(allowed)
    for key, kline in (m.key_lines or {}).items():
        if key not in allowed:
            raise InputError(f"unknown key {_q(key)} in {what}{_suggest(key, allowed)}", path, kline)


def _scalar_text(y: Y, path: str, key: str) -> str:
    """The text of a single value (of any plain type: ``name: 1234`` is the text 1234), at
    most ``MAX_TEXT`` characters and not blank; what it may hold is for its kind's checker."""
    if y.tag in ("map", "seq"):
        raise InputError(f"{key!r} must be a single value, not a {'list' if y.tag == 'seq' else 'mapping'}", path, y.line)
    if y.tag == "null":
        raise InputError(f"{key!r} has no value", path, y.line)
    text = str(y.value)
    if len(text) > MAX_TEXT:
        raise InputError(f"{key!r} is {len(text):,} characters long; at most {MAX_TEXT:,} are allowed", path, y.line)
    if not text.strip():
        raise InputError(f"{key!r} is empty", path, y.line)
    return text


def check_id(text: str, path: str, line: int, what: str = "id") -> str:
    try:
        return V.identifier(text, what)
    except BadValue as exc:
        raise InputError(str(exc), path, line) from None


# --- values ------------------------------------------------------------------------------


class _Checker:
    """Turns one YAML value into the Python value its field kind says."""

    def __init__(self, reference: Reference | None, vocab: Vocabulary, path: str):
        self.reference = reference
        self.vocab = vocab
        self.path = path
        self.fact_refs: list[tuple[Ref, str, int]] = []
        #: how errors name an id: "article id", "fact id" or "id"
        self.id_what = "id"

    def value(self, f: Field, y: Y, subclasses: dict[str, Any] | None = None,
              local_facts: dict[str, Fact] | None = None, fact_fields: tuple[Field, ...] = ()) -> Any:
        if f.many:
            items = y.value if y.tag == "seq" else [y]
            if y.tag == "seq" and not items:
                raise InputError(f"{f.key!r} is an empty list", self.path, y.line)
            out = [self.one(f, item, subclasses, local_facts, fact_fields) for item in items]
            seen: dict[Any, int] = {}
            for item, val in zip(items, out):
                if val in seen:
                    raise InputError(f"{f.key!r} lists the same value twice", self.path, item.line)
                seen[val] = item.line
            return out
        return self.one(f, y, subclasses, local_facts, fact_fields)

    def one(self, f: Field, y: Y, subclasses, local_facts, fact_fields) -> Any:
        try:
            return self._one(f, y, subclasses, local_facts, fact_fields)
        except BadValue as exc:
            raise InputError(str(exc), self.path, y.line) from None

    def _one(self, f: Field, y: Y, subclasses, local_facts, fact_fields) -> Any:
        kind, what = f.kind, repr(f.key)
        if kind == "bool":  # written as YAML writes a boolean (true, false; yes, no...)
            if y.tag != "bool":
                raise BadValue(f"{what} must be true or false, not {_show(y)}")
            return V.boolean(y.value, what)
        if kind == "int" or kind == "paragraph":  # written as a YAML whole number
            if y.tag != "int":
                raise BadValue(f"{what} must be a whole number, not {_show(y)}")
            return V.integer(y.value, what, low=1 if kind == "paragraph" else 0, high=10**12)
        if kind == "amount":
            if y.tag not in ("int", "map"):
                raise BadValue(f"{what} must be a whole number or an amount such as {{value: 6, bound: about}}, "
                               f"not {_show(y)}")
            if y.tag == "int":
                return Struct("amount", (("value", Number(str(V.integer(y.value, what, low=0, high=10**15)))),), y.line)
            return self.struct("amount", AMOUNT_FIELDS, y, f"the amount {what}", local_facts, fact_fields)
        if kind == "when" and y.tag == "map":
            return self.struct("when", WHEN_FIELDS, y, f"the time {what}", local_facts, fact_fields)
        if kind == "when":
            kind = "date"
        if kind == "number":
            if y.tag not in ("int", "float"):
                raise BadValue(f"{what} must be a number, not {_show(y)}")
            return Number(V.number(str(y.value), what))
        if kind == "claims":
            return self.struct("claim", CLAIM_FIELDS, y, "a claim", local_facts, fact_fields)
        if kind == "values":
            loose = tuple(replace(x, required=False) for x in fact_fields)
            values, _ = _fields(y, loose, self.path, f"{what} of a claim", self, None, local_facts, fact_fields)
            if not values:
                raise BadValue(f"{what} is empty")
            return tuple((k, _freeze(v)) for k, v in values.items())
        if kind == "roles":
            return self.mapping(y, what, "fact-role", lambda item, key: self.ref(
                _scalar_text(item, self.path, key), ACTOR.split("|"), item.line))
        if kind == "links":
            return self.mapping(y, what, "fact-link", lambda item, key: self.fact_ref(
                _scalar_text(item, self.path, key), item.line, local_facts or {}))
        text = _scalar_text(y, self.path, f.key)
        if kind == "claim":
            return V.identifier(text, f"{what} (a claim id)")
        if kind == "key":
            keys = [x.key for x in fact_fields if x.prop is not None]
            if text not in keys:
                raise BadValue(f"{what} names {_q(text)}, which is not a key of this fact{_suggest(text, keys)}")
            return text
        if kind == "id":
            return V.identifier(text, self.id_what)
        checker = _TEXT_KINDS.get(kind)
        if checker is not None:
            return checker(text, what)
        if kind == "subclass":
            assert subclasses is not None
            if text not in subclasses:
                raise InputError(
                    f"unknown kind {_q(text)}; known kinds: {', '.join(sorted(subclasses))}", self.path, y.line)
            return text
        if kind.startswith("concept:"):
            scheme = kind.split(":", 1)[1]
            known = self.vocab.get(scheme, set())
            if text not in known:
                raise InputError(
                    f"unknown {scheme} {_q(text)}{_suggest(text, known) or '; known: ' + ', '.join(sorted(known))}",
                    self.path, y.line)
            return Concept(scheme, text)
        if kind.startswith("ref:"):
            kinds = kind.split(":", 1)[1].split("|")
            return self.ref(text, kinds, y.line)
        if kind == "fact" or kind.startswith("fact:"):
            ref = self.fact_ref(text, y.line, local_facts or {})
            wanted = kind.partition(":")[2]
            if wanted and ref.kind != wanted:
                raise InputError(f"{f.key!r} must name a fact of type {wanted!r}; {_q(text)} is a {ref.kind!r}",
                                 self.path, y.line)
            return ref
        if kind == "unreported":
            keys = [x.key for x in fact_fields if x.prop is not None]
            if text not in keys:
                raise InputError(f"'unreported' names {_q(text)}, which is not a key of this fact{_suggest(text, keys)}",
                                 self.path, y.line)
            return text
        raise AssertionError(f"unknown field kind {kind}")  # pragma: no cover

    def struct(self, kind: str, fields: tuple[Field, ...], y: Y, what: str, local_facts, fact_fields) -> Struct:
        values, _ = _fields(y, fields, self.path, what, self, None, local_facts, fact_fields)
        if not values:
            raise InputError(f"{what} is empty", self.path, y.line)
        if kind == "amount" and not any(k in values for k in ("value", "min", "max", "vague")):
            raise InputError(f"{what} needs 'value', 'min', 'max' or 'vague'", self.path, y.line)
        if kind == "when" and not any(k in values for k in ("date", "earliest", "latest", "month_day", "month", "as_said")):
            raise InputError(f"{what} needs 'date', 'earliest', 'latest', 'month_day', 'month' or 'as_said'",
                             self.path, y.line)
        if kind == "amount" and "each" in values:  # what each item holds: a set, in no order
            values["each"] = tuple(sorted(values["each"], key=repr))
        return Struct(kind, tuple((f.key, _freeze(values[f.key])) for f in fields if f.key in values), y.line)

    def mapping(self, y: Y, what: str, scheme: str, one) -> tuple:
        """A mapping of concept id (of ``scheme``) to a list of values, as a sorted tuple."""
        m = _expect_map(y, self.path, what)
        known = self.vocab.get(scheme, set())
        out = []
        for key, items in m.items():
            line = y.key_lines[key]
            if key not in known:
                raise InputError(f"unknown {scheme} {_q(key)}{_suggest(key, known) or '; known: ' + ', '.join(sorted(known))}",
                                 self.path, line)
            seq = items.value if items.tag == "seq" else [items]
            if not seq:
                raise InputError(f"{key!r} is an empty list", self.path, line)
            vals = tuple(one(item, key) for item in seq)
            if len(set(vals)) != len(vals):
                raise InputError(f"{key!r} lists the same value twice", self.path, line)
            out.append((Concept(scheme, key), vals))
        return tuple(out)

    def ref(self, text: str, kinds: list[str], line: int) -> Ref:
        assert self.reference is not None
        entity = self.reference.entities.get(text)
        what = " or ".join(kinds)
        if entity is None:
            hint = ""
            named = self.reference.find(text, kinds)
            if named:
                hint = "; did you mean " + " or ".join(repr(e.id) for e in named) + "?"
            else:
                hint = _suggest(text, self.reference.of_kinds(kinds))
            raise InputError(f"unknown {what} {_q(text)}{hint}", self.path, line)
        if entity.kind not in kinds:
            raise InputError(f"{_q(text)} is a {entity.kind}, but a {what} is needed here", self.path, line)
        return Ref(entity.kind, entity.id)

    def fact_ref(self, text: str, line: int, local_facts: dict[str, Fact]) -> Ref:
        if "/" in text:
            ftype, fid = text.split("/", 1)
            if ftype not in FACT_TYPES:
                raise InputError(f"{_q(text)}: unknown fact type {_q(ftype)}{_suggest(ftype, FACT_TYPES)}", self.path, line)
            check_id(fid, self.path, line, "fact id")
            self.fact_refs.append((Ref(ftype, fid), text, line))
            return Ref(ftype, fid)
        fact = local_facts.get(text)
        if fact is None:
            raise InputError(
                f"no fact {_q(text)} in this file{_suggest(text, local_facts)} "
                "(a fact of another article is written TYPE/ID, e.g. exercise/casarex-2025)",
                self.path, line)
        return Ref(fact.type, fact.id)


#: the checker of each kind of value written as text (``kg.inputs.schema`` lists the kinds)
_TEXT_KINDS = {
    "str": V.text,
    "plain": V.text,
    "prose": lambda text, what: V.text(text, what, line_breaks=True),
    "language": V.language,
    "url": V.http_url,
    "date": V.date,
    "month-day": V.month_day,
    "month": V.month,
    "currency": V.currency,
    "duration": V.duration,
    "wikidata": V.wikidata,
}


def _show(y: Y) -> str:
    if y.tag in ("map", "seq"):
        return "a list" if y.tag == "seq" else "a mapping"
    return _q(y.value)


def _fields(y: Y, fields: tuple[Field, ...], path: str, what: str, checker: _Checker,
            subclasses=None, local_facts=None, fact_fields=(), allow_unknown: set[str] = frozenset(),
            skip: set[str] = frozenset()) -> tuple[dict[str, Any], list[str]]:
    """Check a mapping's keys and values against ``fields``; return (values, keys said unknown)."""
    m = _expect_map(y, path, what)
    _check_keys(y, [f.key for f in fields], path, what)
    values: dict[str, Any] = {}
    unknown: list[str] = []
    for f in fields:
        if f.key in skip:
            continue
        item = m.get(f.key)
        if item is None or item.tag == "null":
            if f.required:
                line = y.key_lines[f.key] if item is not None else y.line
                raise InputError(f"{what} needs {f.key!r}", path, line)
            continue
        if f.key in allow_unknown and item.tag == "str" and item.value == UNKNOWN:
            unknown.append(f.key)
            continue
        values[f.key] = checker.value(f, item, subclasses, local_facts, fact_fields)
    return values, unknown


# --- reference entities ------------------------------------------------------------------

_BY_PLURAL = {k.plural: k for k in ENTITY_KINDS.values()}


def read_reference(paths: list[tuple[Path, str]], vocab: Vocabulary) -> Reference:
    """Read every reference file; ``paths`` pairs each file with the name errors show."""
    reference = Reference()
    pending: list[tuple[EntityKind, Y, str]] = []
    # First pass: ids, labels, kinds; refs are checked once every id is known.
    for path, display in paths:
        doc = read_yaml(path, display)
        if doc is None:
            continue
        top = _expect_map(doc, display, "a reference file")
        for key, items in top.items():
            if key == "concepts":
                _read_concepts(items, display, vocab, reference)
                continue
            kind = _BY_PLURAL.get(key)
            if kind is None:
                raise InputError(f"unknown section {_q(key)}{_suggest(key, _BY_PLURAL)}; a reference file lists "
                                 + ", ".join(sorted([*_BY_PLURAL, "concepts"])), display, doc.key_lines[key])
            if items.tag != "seq":
                raise InputError(f"{key!r} must be a list of entities", display, items.line)
            for item in items.value:
                m = _expect_map(item, display, f"an entry of {key!r}")
                id_y = m.get("id")
                if id_y is None:
                    raise InputError(f"an entry of {key!r} needs 'id'", display, item.line)
                ident = check_id(_scalar_text(id_y, display, "id"), display, id_y.line)
                if kind.name == "state" and not re.match(r"^[A-Z]{3}\Z", ident):
                    raise InputError(f"a state's id is its ISO 3166-1 alpha-3 code (three capitals), not {ident!r}",
                                     display, id_y.line)
                if ident in reference.entities:
                    first = reference.entities[ident]
                    raise InputError(f"duplicate id {ident!r} (first defined at {first.path}:{first.line})",
                                     display, id_y.line)
                reference.entities[ident] = Entity(kind.name, ident, "", [], None, {}, display, item.line)
                pending.append((kind, item, display))
    checker = _Checker(reference, vocab, "")
    for kind, item, display in pending:
        checker.path = display
        values, _ = _fields(item, ENTITY_COMMON + kind.fields, display, f"a {kind.name}", checker,
                            subclasses=kind.subclasses)
        entity = reference.entities[values["id"]]
        entity.label = values.pop("label")
        entity.aliases = values.pop("aliases", [])
        entity.description = values.pop("description", None)
        values.pop("id")
        entity.values = values
    _check_forces(reference)
    for c in reference.concepts:
        if c.broader is not None and c.broader not in vocab.get(c.scheme, set()):
            raise InputError(f"'broader' names {c.broader!r}, which is not a concept of {c.scheme!r}", c.path, c.line)
    return reference


_CONCEPT_FIELDS = (
    Field("id", "id", None, required=True),
    Field("scheme", "plain", None, required=True),
    Field("label", "str", None, required=True),
    Field("broader", "id", None),
    Field("definition", "prose", None),
)


def _read_concepts(items: Y, display: str, vocab: Vocabulary, reference: Reference) -> None:
    """Concepts that data adds to our schemes; ``vocab`` then holds them for the fact files."""
    if items.tag != "seq":
        raise InputError("'concepts' must be a list of concepts", display, items.line)
    checker = _Checker(reference, vocab, display)
    for item in items.value:
        values, _ = _fields(item, _CONCEPT_FIELDS, display, "an entry of 'concepts'", checker)
        scheme, ident = values["scheme"], values["id"]
        if scheme not in vocab:
            raise InputError(f"unknown scheme {_q(scheme)}{_suggest(scheme, vocab)}", display, item.key_lines["scheme"])
        if ident in vocab[scheme]:
            raise InputError(f"{scheme} already has a concept {ident!r}", display, item.key_lines["id"])
        vocab[scheme].add(ident)
        reference.concepts.append(DataConcept(scheme, ident, values["label"], values.get("broader"),
                                              values.get("definition"), display, item.line))


def force_state(reference: Reference, entity: Entity) -> str | None:
    """The state a force belongs to: its own ``state``, or its parent's."""
    current: Entity | None = entity
    while current is not None:
        if "state" in current.values:
            return current.values["state"].id
        parent = current.values.get("part_of")
        current = reference.entities[parent.id] if parent else None
    return None


def _check_forces(reference: Reference) -> None:
    """No cycles of part_of; every force has a state, its own or its parent's, and they agree."""
    for entity in reference.entities.values():
        if entity.kind != "force":
            continue
        seen = [entity.id]
        current = entity
        while "part_of" in current.values:
            parent = current.values["part_of"].id
            if parent in seen:
                raise InputError(f"'part_of' makes a cycle: {' -> '.join(seen + [parent])}", entity.path, entity.line)
            seen.append(parent)
            current = reference.entities[parent]
        if "state" not in entity.values and "part_of" not in entity.values:
            raise InputError(f"force {entity.id!r} needs 'state' or 'part_of'", entity.path, entity.line)
        if "state" in entity.values and "part_of" in entity.values:
            parent_state = force_state(reference, reference.entities[entity.values["part_of"].id])
            if parent_state is not None and parent_state != entity.values["state"].id:
                raise InputError(
                    f"force {entity.id!r} belongs to {entity.values['state'].id} but is part of "
                    f"{entity.values['part_of'].id!r}, which belongs to {parent_state}", entity.path, entity.line)


# --- fact files --------------------------------------------------------------------------

_ARTICLE_UNKNOWABLE = {"publisher", "published"}


def read_article(path: Path, display: str, reference: Reference, vocab: Vocabulary) -> Article:
    doc = read_yaml(path, display, max_items=MAX_FACTS,
                    hint=f"; a fact file may have at most {MAX_FACTS:,} facts")
    if doc is None:
        raise InputError("the file is empty; a fact file has 'article' and 'facts'", display, 1)
    top = _expect_map(doc, display, "a fact file")
    _check_keys(doc, ["article", "facts"], display, "a fact file")
    if "article" not in top:
        raise InputError("a fact file needs 'article' (the article's metadata)", display, 1)
    checker = _Checker(reference, vocab, display)
    checker.id_what = "article id"
    header, unknown = _fields(top["article"], ARTICLE_FIELDS, display, "the article", checker,
                              allow_unknown=_ARTICLE_UNKNOWABLE)
    checker.id_what = "fact id"
    facts_y = top.get("facts")
    facts: list[Fact] = []
    if facts_y is not None and facts_y.tag != "null":
        if facts_y.tag != "seq":
            raise InputError("'facts' must be a list of facts", display, facts_y.line)
        # First pass: ids and types, so facts may refer to facts further down.
        local: dict[str, Fact] = {}
        for item in facts_y.value:
            m = _expect_map(item, display, "a fact")
            type_y, id_y = m.get("type"), m.get("id")
            if type_y is None:
                raise InputError("a fact needs 'type' (" + ", ".join(sorted(FACT_TYPES)) + ")", display, item.line)
            ftype = _scalar_text(type_y, display, "type")
            if ftype not in FACT_TYPES:
                raise InputError(f"unknown fact type {_q(ftype)}{_suggest(ftype, FACT_TYPES)}", display, type_y.line)
            if id_y is None:
                raise InputError("a fact needs 'id'", display, item.line)
            fid = check_id(_scalar_text(id_y, display, "id"), display, id_y.line, "fact id")
            if fid in local:
                raise InputError(f"duplicate fact id {fid!r} (first on line {local[fid].line})", display, id_y.line)
            local[fid] = Fact(ftype, fid, {}, item.line)
        for item in facts_y.value:
            ftype = item.value["type"].value
            fid = item.value["id"].value
            ft = FACT_TYPES[ftype]
            fields = FACT_COMMON + ft.fields
            values, _ = _fields(item, fields, display, f"a fact of type {ftype!r}", checker,
                                subclasses=ft.subclasses, local_facts=local, fact_fields=ft.fields)
            fact = local[fid]
            fact.values = values
            fact.key_lines = dict(item.key_lines or {})
            _check_fact(fact, item, display)
            facts.append(fact)
    return Article(header["id"], display, top["article"].line, header, unknown, facts, checker.fact_refs)


def _check_fact(fact: Fact, item: Y, path: str) -> None:
    v = fact.values
    certainty = v.get("certainty")
    if certainty is not None and certainty.id == "attributed" and "according_to" not in v:
        raise InputError("certainty 'attributed' needs 'according_to' (who says it)", path,
                         item.key_lines["certainty"])
    for key, value in v.items():
        if isinstance(value, list) and value and isinstance(value[0], Struct) and value[0].kind == "amount":
            ids = [a.get("id") for a in value if "id" in a]
            if len(set(ids)) != len(ids):
                raise InputError(f"two amounts of {key!r} have the same id", path, item.key_lines[key])
            for a in value:
                if "within" in a and a.get("within") not in ids:
                    raise InputError(f"'within' names {a.get('within')!r}, which is no amount of {key!r}", path, a.line)
                if "within" in a and a.get("within") == a.get("id"):
                    raise InputError("an amount cannot be within itself", path, a.line)
            if any(str(a.get("id", "")).isdigit() for a in value):
                raise InputError(f"an amount's id must not be a number (amounts without one are numbered)", path,
                                 item.key_lines[key])
    claims = v.get("claims", [])
    ids = [c.get("id") for c in claims]
    for c in claims:
        line = c.line
        if ids.count(c.get("id")) > 1:
            raise InputError(f"two claims of this fact have the id {c.get('id')!r}", path, line)
        of = c.get("of")
        if of is not None and of not in ids:
            raise InputError(f"'of' names {of!r}, which is not a claim of this fact", path, line)
        if of == c.get("id"):
            raise InputError("a claim cannot answer itself in 'of'", path, line)
        for key in c.get("gives", ()):
            if key not in v:
                raise InputError(f"'gives' names {key!r}, which this fact does not give (put a value only this "
                                 "claim gives in its 'values')", path, line)
        if c.get("certainty") is not None and c.get("certainty").id == "attributed" and "by" not in c:
            raise InputError("certainty 'attributed' needs 'by' (who says it)", path, line)
        for key, value in c.get("values", ()):
            if key in v and v[key] == value:
                raise InputError(f"'values' repeats the fact's own {key!r}; name it in 'gives' instead", path, line)
    for key in v.get("unreported", []):
        if key in v:
            raise InputError(f"{key!r} is given and also listed as unreported", path, item.key_lines["unreported"])
    for ref_key in ("denies", "disputes", "confirms", "about", "exercise"):
        refs = v.get(ref_key)
        refs = refs if isinstance(refs, list) else [refs] if refs else []
        if any(r.kind == fact.type and r.id == fact.id for r in refs):
            raise InputError(f"a fact cannot refer to itself in {ref_key!r}", path, item.key_lines[ref_key])
