"""Finding the reference entities an article names, and the names it uses that are not there.

Names are the entities' labels and aliases, matched on name tokens (``tokens.name_tokens``),
longest match first: "Russian Navy" is the force before "Russian" is the state. Punctuation inside
a name does not matter ("S400" is "S-400", "F/A-18" is "FA-18", "U.S." is "US"). Case matters only
where a word could be another word:

- a designation (a name with a number: "MiG-29", "Su-35", "K2") matches in any case;
- a short acronym ("US", "UK", "PLAN", "IRGC": two to four capitals) must be written as it is;
- a longer or mixed-case acronym ("HIMARS", "BrahMos", "MiG") matches in any case that starts
  with a capital ("Himars", "Brahmos", "BRAHMOS"), never as a lower-case word ("scalp");
- a name's first word in capitals must start with a capital in the text ("Polish" is not
  "polish"); its other words match in any case ("Russian navy"); lower-case names ("drones")
  match any case.

The last word may be a plural ("UAVs", "Iranians"), and a possessive ("Iran's") is noted. A name
that is a place of the reference and also another entity's (a capital that stands for its
government: "Belgrade", "Pyongyang") is the place after "in", "at", "near" and the like, and the
other entity elsewhere.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..inputs.facts import Entity, Reference, force_state
from . import lexicon as lx
from .tokens import Token, name_tokens, tokenize


@dataclass(frozen=True)
class Mention:
    id: str
    kind: str
    start: int
    end: int
    text: str
    #: followed by 's
    possessive: bool = False
    #: other entities of the same name
    alternatives: tuple[str, ...] = ()


@dataclass
class _Name:
    entity: str
    tokens: tuple[str, ...]     # as written, hyphens left out
    lows: tuple[str, ...]


def _is_acronym(tok: str) -> bool:
    return sum(c.isupper() for c in tok) >= 2


def _is_short_acronym(tok: str) -> bool:
    """Two to four capitals and nothing else ("US", "PLAN", "IRGC"): these are words too."""
    return tok.isalpha() and tok.isupper() and 2 <= len(tok) <= 4


#: words before a place's name that make a name shared with another entity the place
_LOCATION_WORDS = frozenset("in at near outside around off inside".split())


def _plurals(low: str) -> set[str]:
    """Singular forms a plural text token may stand for."""
    out = set()
    if low.endswith("ies") and len(low) > 4:
        out.add(low[:-3] + "y")
    if low.endswith("es") and len(low) > 3:
        out.add(low[:-2])
    if low.endswith("s") and len(low) > 2:
        out.add(low[:-1])
    return out


@dataclass
class Gazetteer:
    """Every label and alias of the reference entities, by first word."""

    reference: Reference
    by_first: dict[str, list[_Name]] = field(default_factory=dict)

    @classmethod
    def of(cls, reference: Reference) -> "Gazetteer":
        g = cls(reference)
        seen: set[tuple[str, tuple[str, ...]]] = set()
        for entity in sorted(reference.entities.values(), key=lambda e: e.id):
            names = [entity.label, *entity.aliases]
            # a label "An unnamed media report" is written "an unnamed ..." or "the unnamed ...": the
            # name without its article
            names += [n.split(" ", 1)[1] for n in names if n.split(" ", 1)[0] in ("A", "An", "The") and " " in n]
            for name in names:
                toks = tuple(t.text for t in name_tokens(name))
                if not toks:
                    continue
                lows = tuple(t.casefold() for t in toks)
                if (entity.id, toks) in seen:
                    continue
                seen.add((entity.id, toks))
                g.by_first.setdefault(lows[0], []).append(_Name(entity.id, toks, lows))
        for names in g.by_first.values():
            names.sort(key=lambda n: (-len(n.lows), n.entity))
        return g

    def entity(self, ident: str) -> Entity:
        return self.reference.entities[ident]

    def find(self, text: str, offset: int = 0) -> list[Mention]:
        """The entity mentions in ``text``, leftmost-longest, with offsets plus ``offset``."""
        toks = name_tokens(text, offset)
        out: list[Mention] = []
        i = 0
        while i < len(toks):
            best = self._match_at(toks, i)
            if best is None:
                i += 1
                continue
            length, names = best
            # a longer name that starts inside this one wins ("the Gulf" < "Gulf of Oman")
            longer = False
            for k in range(i + 1, i + length):
                other = self._match_at(toks, k)
                if other is not None and k + other[0] > i + length:
                    longer = True
                    break
            if longer:
                i += 1
                continue
            start, end = toks[i].start, toks[i + length - 1].end
            possessive = (i + length + 1 < len(toks) and toks[i + length].text == "'"
                          and toks[i + length + 1].low == "s" and toks[i + length].start == end)
            ids = sorted({n.entity for n in names})
            ident = self._prefer(ids, toks[i - 1].low if i > 0 else "")
            out.append(Mention(ident, self.entity(ident).kind, start, end, text[start - offset:end - offset],
                               possessive, tuple(x for x in ids if x != ident)))
            i += length
        return self._check_forces(out, text, offset)

    def _match_at(self, toks: list[Token], i: int):
        first = toks[i]
        keys = {first.low} | _plurals(first.low)
        best_len = 0
        best: list[_Name] = []
        for key in keys:
            for name in self.by_first.get(key, ()):
                n = len(name.lows)
                if n < best_len or i + n > len(toks):
                    continue
                if self._fits(name, toks[i:i + n]):
                    if n > best_len:
                        best_len, best = n, [name]
                    elif n == best_len:
                        best.append(name)
        return (best_len, best) if best_len else None

    @staticmethod
    def _fits(name: _Name, toks: list[Token]) -> bool:
        last = len(name.lows) - 1
        designation = any(w.isdigit() for w in name.tokens)
        for k, (want, low, tok) in enumerate(zip(name.tokens, name.lows, toks)):
            plural = k == last and low in _plurals(tok.low)
            if tok.low != low and not plural:
                return False
            if designation:
                continue
            if _is_short_acronym(want):
                if tok.text != want and not (plural and tok.text == want + "s"):
                    return False
            elif (_is_acronym(want) or k == 0 and want[:1].isupper()) and not tok.text[:1].isupper():
                return False
        return True

    def _prefer(self, ids: list[str], before: str = "") -> str:
        """The entity a name shared by ``ids`` stands for: a place after a word of location
        ("in Belgrade"), else by kind (a force before a state before a place ...), else by id."""
        if before in _LOCATION_WORDS:
            places = [i for i in ids if self.entity(i).kind == "place"]
            if places:
                return places[0]
        order = ["force", "vessel", "weapon", "state", "place", "organisation", "group", "person",
                 "conflict", "position"]
        return sorted(ids, key=lambda i: (order.index(self.entity(i).kind) if self.entity(i).kind in order
                                          else 99, i))[0]

    def _check_forces(self, mentions: list[Mention], text: str, offset: int) -> list[Mention]:
        """A force named after another state's name ("Russia's Northern Fleet" where the
        reference's "Northern Fleet" is Iran's) is not that force."""
        out: list[Mention] = []
        for m in mentions:
            if m.kind == "force" and out and out[-1].kind == "state":
                prev = out[-1]
                gap = text[prev.end - offset:m.start - offset].replace("\u2019", "'").strip()
                owner = force_state(self.reference, self.entity(m.id))
                if gap in ("", "'s") and owner is not None and owner != prev.id:
                    out[-1] = Mention("", "unknown-force", prev.start, m.end,
                                      text[prev.start - offset:m.end - offset])
                    continue
            out.append(m)
        return out


# --- names that are not in the reference ---------------------------------------------------


@dataclass
class Candidate:
    """A name the article uses that no reference entity has, with what it seems to be."""

    text: str
    kind: str          # state, force, person, place, weapon, vessel, organisation, codename, unknown
    paragraphs: list[int] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    hint: dict = field(default_factory=dict)


def unknown_names(text: str, offset: int, mentions: list[Mention]) -> list[tuple[str, int, int, str]]:
    """Capitalised names and ALL-CAPS codes in ``text`` not covered by ``mentions``:
    (name, start, end, the word before it)."""
    covered = [(m.start, m.end) for m in mentions if m.id]
    toks = tokenize(text, offset)
    out = []
    i = 0
    while i < len(toks):
        t = toks[i]
        if not _name_token(t) or any(a <= t.start < b for a, b in covered):
            i += 1
            continue
        j = i
        while j + 1 < len(toks):
            nxt = toks[j + 1]
            if any(a <= nxt.start < b for a, b in covered):
                break
            if _name_token(nxt) and nxt.start - toks[j].end <= 1:
                j += 1
            elif nxt.text == "-" and j + 2 < len(toks) and toks[j + 2].is_word and toks[j + 2].start == nxt.end \
                    and nxt.start == toks[j].end:
                j += 2
            elif nxt.is_word and nxt.text.isdigit() and toks[j].text.isupper() and nxt.start - toks[j].end <= 1:
                j += 1  # CASAREX 2025
            elif nxt.low == "of" and j + 2 < len(toks) and _name_token(toks[j + 2]) \
                    and toks[j + 2].low not in lx.COMMON_CAPS \
                    and not any(a <= toks[j + 2].start < b for a, b in covered):
                j += 2
            else:
                break
        run = toks[i:j + 1]
        # leading common words ("The", "While") are not part of a name
        while run and run[0].low in lx.COMMON_CAPS and not run[0].text.isupper():
            run = run[1:]
        while run and (run[-1].low in ("of", "-") or (run[-1].low in lx.COMMON_CAPS and len(run) > 1
                                                      and not run[-1].text.isupper())):
            if run[-1].low in ("navy", "army", "fleet", "forces", "force"):
                break
            run = run[:-1]
        if run and not all(r.low in lx.COMMON_CAPS for r in run):
            s, e = run[0].start, run[-1].end
            before = toks[i - 1].low if i > 0 else ""
            if toks[i] is not run[0]:
                before = toks[toks.index(run[0]) - 1].low
            name = text[s - offset:e - offset]
            if len(name) > 1 and not name.isdigit():
                out.append((name, s, e, before))
        i = j + 1
    return out


def _name_token(t: Token) -> bool:
    if not t.is_word:
        return False
    if t.text.isdigit():
        return False
    return t.text[:1].isupper()


def classify(name: str, before: str, after: str) -> tuple[str, dict]:
    """What an unknown name seems to be, from its own words and the words around it."""
    low = name.casefold()
    words = low.replace("-", " ").split()
    after_words = after.casefold().replace("-", " ").split()
    nxt = after_words[0] if after_words else ""
    for head, kind in sorted(lx.FORCE_HEADS.items(), key=lambda kv: -len(kv[0])):
        if low.endswith(head):
            return "force", {"kind": kind}
    for head, kind in sorted(lx.PLACE_HEADS.items(), key=lambda kv: -len(kv[0])):
        if low.endswith(" " + head) or low == head or low.startswith(head + " of "):
            return "place", {"kind": kind}
    if any(w in lx.ORG_HEADS for w in words):
        return "organisation", {"kind": "news-agency" if any(w in ("agency", "news", "reuters", "tass") for w in words)
                                else "government-body"}
    if nxt in lx.WEAPON_HEADS or any(ch.isdigit() for ch in name) and "-" in name and len(name) < 16:
        if nxt in lx.WEAPON_HEADS:
            return "weapon", {"category": lx.WEAPON_HEADS[nxt], "noun": nxt}
        if name.isupper() or not any(ch.isdigit() for ch in name[-5:]) or not _codename_year(name):
            return "weapon", {"category": "other"}
    if nxt in lx.VESSEL_HEADS or before in lx.VESSEL_HEADS:
        return "vessel", {}
    if name.isupper() and not any(c.isdigit() for c in name) and nxt in (
            "said", "says", "told", "added", "warned", "has", "have", "is", "was", "stated", "announced"):
        return "organisation", {"kind": "alliance" if name.endswith("O") else "government-body"}
    if _codename_year(name) or (name.isupper() and len(name.replace(" ", "")) >= 4 and not any(c.isdigit() for c in name)):
        return "codename", {}
    if before in ("in", "at", "near", "off", "across", "into") and len(words) <= 3 and before not in lx.TITLES:
        return "place", {"kind": "region"}
    if before in lx.TITLES or (len(words) in (2, 3) and all(w[:1].isalpha() for w in words) and nxt in (
            "said", "says", "told", "added", "noted", "stressed", "warned", "who", ",")):
        return "person", {}
    if name.isupper() and len(name) <= 6:
        return "organisation", {"kind": "government-body"}
    if before in ("in", "at", "near", "off", "from", "to", "across", "into") and len(words) <= 3:
        return "place", {"kind": "region"}
    return "unknown", {}


def _codename_year(name: str) -> bool:
    import re

    return bool(re.search(r"[A-Za-z]\s*-?\s*(?:19|20)\d\d$", name))
