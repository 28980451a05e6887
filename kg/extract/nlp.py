"""Roles from the parse of a sentence, with spaCy: the optional extra ``kg[nlp]``.

``kg extract --nlp MODEL`` loads a user's trained spaCy pipeline (``load``: a package name such
as ``en_core_web_sm``, or a folder), adds to it an ``EntityRuler`` made from the project's
reference entities (``prepare``), so that the reference's names are entities with kg ids
(``ent.ent_id_``) before the model's own NER, and reads from each parse (``parse``):

- ``Role`` records: who supplies, receives, says, denies, takes part, hosts and observes, by
  ``DependencyMatcher`` patterns on the lemmas of the verb and its dependency relations (active
  and passive voice: ``nsubj``, ``dobj``, ``dative``, ``nsubjpass``, ``agent`` + "by", "to",
  "from", "with");
- ``Name`` records: the entities, those of the reference with their kg id and those only the
  model's NER finds (PERSON, ORG, NORP, GPE), candidates for proposed reference entries.

``ParseRoles`` is the drafting pipeline's component of the parse (``kg.extract.pipeline``): it
runs first, reads no record and adds the record ``parse``, the article's ``Roles``, which the
transfers and stances components declare they read; ``Roles`` says which of a sentence's
mentions fill a role at a cue, or nothing, where the rules then decide as they do without a
parser (and without ``ParseRoles`` the record is None: the rules alone). Offsets are character
offsets in the article's text with its newlines made ``\\n`` (as ``kg.inputs.text`` gives them).
spaCy is imported only here and only when asked for: kg without it drafts as it always has.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from ..errors import KgError
from ..inputs.facts import Reference
from ..inputs.text import normalise_newlines

#: the name of the component ``prepare`` adds to the pipeline
RULER = "kg_reference"

#: the frames of the verbs whose roles the parse gives, by the lemmas of their verbs
FRAMES: dict[str, tuple[str, ...]] = {
    "supply": ("supply", "deliver", "sell", "transfer", "provide", "export", "ship", "send", "give", "donate",
               "hand"),
    "receive": ("receive", "buy", "acquire", "import", "purchase", "obtain", "procure"),
    "say": ("say", "tell", "announce", "claim", "confirm", "state", "report"),
    "deny": ("deny", "reject", "dismiss", "refute"),
    "participate": ("join", "participate"),
    "host": ("host",),
    "observe": ("observe", "watch"),
}
#: the relations of a verb to its dependents that the patterns find: a dependency label, or a
#: preposition (the object of "by" in the passive is ``agent``)
RELATIONS = ("nsubj", "nsubjpass", "dobj", "dative", "agent", "to", "from", "with")
#: the role each relation of a verb of a frame gives its dependent
ROLE_OF: dict[tuple[str, str], str] = {
    ("supply", "nsubj"): "supplier", ("supply", "agent"): "supplier",
    ("supply", "dobj"): "weapon", ("supply", "nsubjpass"): "weapon",
    ("supply", "dative"): "recipient", ("supply", "to"): "recipient",
    ("receive", "nsubj"): "recipient", ("receive", "agent"): "recipient",
    ("receive", "dobj"): "weapon", ("receive", "nsubjpass"): "weapon", ("receive", "from"): "supplier",
    ("say", "nsubj"): "speaker", ("say", "agent"): "speaker",
    ("deny", "nsubj"): "denier", ("deny", "agent"): "denier",
    ("participate", "nsubj"): "participant", ("participate", "agent"): "participant",
    ("host", "nsubj"): "host", ("host", "agent"): "host",
    ("observe", "nsubj"): "observer", ("observe", "agent"): "observer",
}
#: "supplied Genovia with drones", "Genovia was supplied with drones": the object (or the passive
#: subject) is the recipient and the object of "with" the weapon
_WITH_ROLES = {"dobj": "recipient", "nsubjpass": "recipient", "with": "weapon"}
#: the labels of the model's NER that name actors the reference may not know
NAME_LABELS = ("PERSON", "ORG", "NORP", "GPE")
#: the dependents that belong to a noun's phrase before it ("the Sylvanian defence ministry")
_PHRASE_DEPS = frozenset("det poss compound amod nummod nmod case quantmod predet flat".split())
#: the kinds of entity a name shared by several is read as first (as ``kg.extract.mentions`` does)
_KIND_ORDER = ("force", "vessel", "weapon", "state", "place", "organisation", "group", "person", "conflict",
               "position")


class NlpUnavailable(KgError):
    """spaCy is not installed."""

    def __init__(self) -> None:
        super().__init__("needs spaCy: pip install 'kg[nlp]'")


@dataclass(frozen=True)
class Role:
    """A dependent of a verb of a frame that fills a role: ``role`` (supplier, recipient, weapon,
    speaker, denier, participant, host, observer), the reference's id of the entity it is (None
    for a name or phrase the reference does not know), its text and offsets, and the verb's
    lemma and offset."""

    role: str
    kg_id: str | None
    text: str
    start_char: int
    end_char: int
    cue_lemma: str
    cue_start: int

    def key(self) -> tuple:
        return (self.cue_start, self.start_char, self.end_char, self.role)


@dataclass(frozen=True)
class Name:
    """An entity of the parse: a reference's name with its ``kg_id``, or a name the model's NER
    finds (``label`` PERSON, ORG, NORP or GPE) that the reference does not know."""

    label: str
    text: str
    start: int
    end: int
    kg_id: str | None = None


@dataclass(frozen=True)
class Parsed:
    """What ``parse`` reads of an article: its roles and names, in the order of the text."""

    roles: tuple[Role, ...]
    names: tuple[Name, ...]

    @property
    def unknown(self) -> tuple[Name, ...]:
        """The names of actors that the reference does not know: candidates for proposed entries."""
        return tuple(n for n in self.names if n.kg_id is None and n.label in NAME_LABELS)


def _spacy():
    try:
        import spacy
    except ImportError:
        raise NlpUnavailable() from None
    return spacy


def load(model: str) -> Any:
    """The spaCy pipeline ``model`` (an installed package's name or a folder), as ``spacy.load``
    gives it; ``NlpUnavailable`` without spaCy, ``KgError`` when it does not load."""
    spacy = _spacy()
    try:
        return spacy.load(model)
    except Exception as exc:  # noqa: BLE001 -- any failure to load is the user's model, said in one line
        reason = next((line.strip() for line in str(exc).splitlines() if line.strip()), type(exc).__name__)
        raise KgError(f"the spaCy pipeline {model!r} does not load: {reason}") from None


def _short_acronym(word: str) -> bool:
    """Two to four capitals ("US", "PLAN"): matched as written, since they are words in lower case."""
    return word.isalpha() and word.isupper() and 2 <= len(word) <= 4


def _plural(word: str) -> str:
    """The plural of a lower-case noun: "drones", "navies", "launches"."""
    if word.endswith("y") and word[-2:-1] not in ("a", "e", "i", "o", "u", ""):
        return word[:-1] + "ies"
    return word + ("es" if word.endswith(("s", "x", "z", "ch", "sh")) else "s")


def reference_patterns(nlp: Any, reference: Reference) -> list[dict]:
    """The ``EntityRuler`` patterns of the reference's names: each entity's label and aliases
    (and a name without its leading article), as token patterns on ``LOWER`` (a short acronym as
    written), the last word also in its plural; ``label`` is the entity's kind in capitals and
    ``id`` its kg id. A name several entities share is the one of the kind read first."""
    owners: dict[tuple, list] = {}
    for e in sorted(reference.entities.values(), key=lambda e: e.id):
        names = [e.label, *e.aliases]
        names += [n.split(" ", 1)[1] for n in names if n.split(" ", 1)[0] in ("A", "An", "The") and " " in n]
        for name in names:
            words = tuple(t.text for t in nlp.make_doc(name) if not t.is_space)
            if words:
                key = tuple(w if _short_acronym(w) else w.casefold() for w in words)
                owners.setdefault(key, []).append(e)
    patterns = []
    for key in sorted(owners):
        e = min(owners[key], key=lambda e: (_KIND_ORDER.index(e.kind) if e.kind in _KIND_ORDER else 99, e.id))
        tokens: list[dict] = [{"TEXT": w} if _short_acronym(w) else {"LOWER": w} for w in key]
        last = key[-1]
        if not _short_acronym(last) and last.isalpha() and not last.endswith("s"):
            tokens[-1] = {"LOWER": {"IN": [last, _plural(last)]}}
        patterns.append({"label": e.kind.upper(), "pattern": tokens, "id": e.id})
    return patterns


def prepare(nlp: Any, reference: Reference) -> Any:
    """``nlp`` with an ``EntityRuler`` of the reference's names (``reference_patterns``) before
    the model's NER (or last, without one), replacing one an earlier call added."""
    if RULER in nlp.pipe_names:
        nlp.remove_pipe(RULER)
    where = {"before": "ner"} if "ner" in nlp.pipe_names else {"last": True}
    ruler = nlp.add_pipe("entity_ruler", name=RULER, **where)
    ruler.add_patterns(reference_patterns(nlp, reference))
    return nlp


def _patterns() -> dict[str, list[dict]]:
    """The ``DependencyMatcher`` patterns, by key "frame|relation": a verb of the frame (by
    lemma) and its dependent by that relation; "take part" is a verb of taking part."""
    def anchors(frame: str) -> list[list[dict]]:
        verb = [{"RIGHT_ID": "cue", "RIGHT_ATTRS": {"LEMMA": {"IN": list(FRAMES[frame])}}}]
        if frame != "participate":
            return [verb]
        take = [{"RIGHT_ID": "cue", "RIGHT_ATTRS": {"LEMMA": "take"}},
                {"LEFT_ID": "cue", "REL_OP": ">", "RIGHT_ID": "part",
                 "RIGHT_ATTRS": {"LOWER": "part", "DEP": {"IN": ["dobj", "prt", "compound", "npadvmod"]}}}]
        return [verb, take]

    def dependent(relation: str) -> list[dict]:
        if relation == "agent":
            return [{"LEFT_ID": "cue", "REL_OP": ">", "RIGHT_ID": "by", "RIGHT_ATTRS": {"DEP": "agent"}},
                    {"LEFT_ID": "by", "REL_OP": ">", "RIGHT_ID": "filler", "RIGHT_ATTRS": {"DEP": "pobj"}}]
        if relation in ("to", "from", "with"):
            return [{"LEFT_ID": "cue", "REL_OP": ">", "RIGHT_ID": "prep",
                     "RIGHT_ATTRS": {"LOWER": relation, "DEP": {"IN": ["prep", "dative"]}}},
                    {"LEFT_ID": "prep", "REL_OP": ">", "RIGHT_ID": "filler", "RIGHT_ATTRS": {"DEP": "pobj"}}]
        return [{"LEFT_ID": "cue", "REL_OP": ">", "RIGHT_ID": "filler", "RIGHT_ATTRS": {"DEP": relation}}]

    out: dict[str, list[dict]] = {}
    for frame in FRAMES:
        rels = [r for r in RELATIONS if (frame, r) in ROLE_OF or (frame == "supply" and r == "with")]
        for relation in rels:
            out[f"{frame}|{relation}"] = [a + dependent(relation) for a in anchors(frame)]
    return out


def _phrase(doc: Any, token: Any) -> tuple[int, int, str | None]:
    """The character span of the phrase a dependent heads, and the kg id of the reference's
    entity it is: the entity the token is part of, else the token with the words of its phrase
    before it ("the Sylvanian defence ministry", "Sylvania's army")."""
    ent = next((e for e in doc.ents if e.start <= token.i < e.end), None)
    if ent is not None:
        return ent.start_char, ent.end_char, ent.ent_id_ or None
    left = min([t.left_edge.i for t in token.lefts if t.dep_ in _PHRASE_DEPS] + [token.i])
    span = doc[left:token.i + 1]
    return span.start_char, span.end_char, None


def roles(doc: Any) -> list[Role]:
    """The roles of a parsed ``Doc`` (``FRAMES``, ``ROLE_OF``), each dependent and the phrases
    joined to it by "and" / "or" (its conjuncts); sorted by the verb's offset, then the filler's.
    A ``Doc`` without a dependency parse or lemmas has none."""
    from spacy.matcher import DependencyMatcher

    if not (doc.has_annotation("DEP") and doc.has_annotation("LEMMA")):
        return []
    matcher = DependencyMatcher(doc.vocab)
    for key, patterns in _patterns().items():
        matcher.add(key, patterns)
    found: dict[int, dict[str, list]] = {}
    for match_id, ids in matcher(doc):
        frame, relation = doc.vocab.strings[match_id].split("|")
        cue, filler = doc[ids[0]], doc[ids[-1]]
        found.setdefault(cue.i, {"frame": frame}).setdefault(relation, []).append(filler)
    out: set[Role] = set()
    for i, rels in found.items():
        cue, frame = doc[i], rels.pop("frame")
        with_frame = frame == "supply" and "with" in rels
        for relation, fillers in rels.items():
            role = (_WITH_ROLES.get(relation) if with_frame else None) or ROLE_OF.get((frame, relation))
            if role is None:
                continue
            lemma = "take part" if cue.lemma_ == "take" else cue.lemma_
            for filler in fillers:
                for token in (filler, *filler.conjuncts):
                    start, end, kg_id = _phrase(doc, token)
                    out.add(Role(role, kg_id, doc.text[start:end], start, end, lemma, cue.idx))
    return sorted(out, key=Role.key)


def parse(nlp: Any, text: str) -> Parsed:
    """Parse an article's text (its newlines made ``\\n``) and read its roles and names. A text
    longer than the pipeline parses at once (``nlp.max_length``), or one the pipeline fails on,
    is a ``KgError``."""
    text = normalise_newlines(text)
    if len(text) > nlp.max_length:
        raise KgError(f"the text has {len(text):,} characters, more than the {nlp.max_length:,} that the spaCy "
                      "pipeline parses at once (its max_length)")
    try:
        doc = nlp(text)
    except Exception as exc:  # noqa: BLE001 -- the user's pipeline failing is said in one line
        reason = next((line.strip() for line in str(exc).splitlines() if line.strip()), type(exc).__name__)
        raise KgError(f"the spaCy pipeline failed on the text: {reason}") from None
    names = [Name(e.label_, e.text, e.start_char, e.end_char, e.ent_id_ or None) for e in doc.ents]
    return Parsed(tuple(roles(doc)), tuple(names))


class Roles:
    """The record ``parse`` of the drafting pipeline (``kg.extract.found.Found``): which of a
    sentence's mentions fill a role that the parse gives a verb. ``fillers`` answers None where the parse says nothing, and the rules
    decide as they do without it."""

    def __init__(self, parsed: Parsed):
        self.parsed = parsed

    def fillers(self, sentence_start: int, mentions: Sequence, cue: tuple[int, int], role: str) -> list | None:
        """The ``mentions`` (of a sentence that starts at ``sentence_start`` in the article, with
        offsets in the sentence) inside the phrases the parse gives ``role`` at a verb that starts
        between the sentence offsets ``cue``; None when the parse gives that role there no
        mention."""
        a, b = sentence_start + cue[0], sentence_start + cue[1]
        out = []
        for r in self.parsed.roles:
            if r.role == role and a <= r.cue_start < b:
                out += [m for m in mentions if r.start_char <= sentence_start + m.start
                        and sentence_start + m.end <= r.end_char and m not in out]
        return out or None


def check(nlp: Any, model: str) -> None:
    """``KgError`` unless the pipeline ``model`` parses and lemmatizes, as roles need."""
    assigns = {a for c in nlp.analyze_pipes()["summary"].values() for a in c["assigns"]}
    missing = [what for attr, what in (("token.dep", "parser"), ("token.lemma", "lemmatizer"))
               if attr not in assigns]
    if missing:
        raise KgError(f"the spaCy pipeline {model!r} has no {' and no '.join(missing)}; roles are read from "
                      "the parse and the lemmas of the verbs")


class ParseRoles:
    """The drafting component of a parse: reads no record, adds ``parse``, the ``Roles`` of the
    article's text (``context.text``) parsed by ``nlp``, a spaCy pipeline prepared with the
    reference (``prepare``). It goes first (``kg.extract.draft.default_pipeline(parser)``). The
    parse does not depend on the entries proposed between the two runs of a draft
    (``kg.extract.draft.draft``): a text is parsed once, the latest kept."""

    name = "parse"
    reads: tuple[str, ...] = ()
    adds = ("parse",)

    def __init__(self, nlp: Any):
        self.nlp = nlp
        self._last: tuple[str, Roles] | None = None

    def __call__(self, found: Any, context: Any) -> dict:
        if self._last is None or self._last[0] != context.text:
            self._last = (context.text, Roles(parse(self.nlp, context.text)))
        return {"parse": self._last[1]}


def reader(model: str, reference: Reference) -> ParseRoles:
    """The component of the parse (``ParseRoles``) with the pipeline ``model`` (``load``,
    ``check``) prepared with ``reference`` (``prepare``): what ``kg extract --nlp`` drafts with."""
    nlp = load(model)
    check(nlp, model)
    return ParseRoles(prepare(nlp, reference))
