"""Scoring drafts against gold fact files: precision, recall and F1 per kind of fact.

A kind is one slot of a fact: the participants (forces, and states named as taking part), observers, host, location, start and end of
exercises; the supplier, recipient, weapon and quantity of arms transfers; the certainty of
both (only where it is not the default, ``stated``) and their speakers (``according_to``); and
who denies what (denier and paragraph). Each draft fact is first paired with the gold fact of its
type it shares most values with; the values of a pair are compared, and the values of an unpaired
fact all count against the draft (a fact too many) or for the gold (a fact missed). The kinds
``exercise`` and ``transfer`` count the facts themselves: a pair is found, an unpaired draft fact
is one too many, an unpaired gold fact one missed. ``micro`` sums every kind's counts.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..inputs.facts import Article, Fact, Struct

KINDS = ("exercise", "participant", "observer", "host", "location", "start", "end",
         "transfer", "supplier", "recipient", "weapon", "quantity", "certainty", "speaker", "denial")
_SLOTS = {
    "exercise": (("participant", "participants"), ("participant", "participant_states"), ("observer", "observers"), ("host", "host"),
                 ("location", "location"), ("start", "start"), ("end", "end"), ("speaker", "according_to")),
    "arms-transfer": (("supplier", "supplier"), ("recipient", "recipient"), ("weapon", "weapon"),
                      ("quantity", "quantity"), ("speaker", "according_to")),
}
#: the kind that counts the facts of a type found
_DETECTED = {"exercise": "exercise", "arms-transfer": "transfer"}


def _plain(value) -> str:
    if isinstance(value, Struct):  # a time as given (its date) or an amount (its number)
        inner = value.get("date") if value.kind == "when" else value.get("value")
        return _plain(inner) if inner is not None else f"({value.kind} without a {'date' if value.kind == 'when' else 'number'})"
    for attr in ("id", "text"):
        if hasattr(value, attr):
            return str(getattr(value, attr))
    return str(value)


def fact_values(fact: Fact) -> set[tuple[str, str]]:
    """The (kind, value) pairs of one exercise or transfer."""
    out: set[tuple[str, str]] = set()
    for kind, key in _SLOTS.get(fact.type, ()):
        v = fact.values.get(key)
        for item in v if isinstance(v, list) else [v] if v is not None else []:
            out.add((kind, _plain(item)))
    certainty = fact.values.get("certainty")
    if certainty is not None and certainty.id != "stated":
        out.add(("certainty", certainty.id))
    return out


@dataclass
class Score:
    counts: dict[str, list[int]] = field(default_factory=lambda: {k: [0, 0, 0] for k in KINDS})
    #: participants of a draft that the gold lists as observers
    observers_as_participants: int = 0

    def add(self, kind: str, tp: int = 0, fp: int = 0, fn: int = 0) -> None:
        c = self.counts[kind]
        c[0] += tp
        c[1] += fp
        c[2] += fn

    def merge(self, other: "Score") -> None:
        for k in KINDS:
            self.add(k, *other.counts[k])
        self.observers_as_participants += other.observers_as_participants

    def counts_of(self, kind: str) -> list[int]:
        """True positives, false positives and false negatives of ``kind`` (or ``micro``: all)."""
        if kind == "micro":
            return [sum(c[i] for c in self.counts.values()) for i in range(3)]
        return self.counts[kind]

    def prf(self, kind: str) -> tuple[float | None, float | None, float | None]:
        """Precision, recall and F1 of ``kind`` (``micro``: of every kind's counts summed)."""
        tp, fp, fn = self.counts_of(kind)
        p = tp / (tp + fp) if tp + fp else None
        r = tp / (tp + fn) if tp + fn else None
        if p is None and r is None:
            return None, None, None
        p = 1.0 if p is None else p   # nothing drafted and nothing to draft is no error
        r = 1.0 if r is None else r
        f = 2 * p * r / (p + r) if p + r else 0.0
        return p, r, f


def _pair(drafts: list[Fact], golds: list[Fact]) -> list[tuple[Fact | None, Fact | None]]:
    scored = []
    for i, d in enumerate(drafts):
        dv = {x for x in fact_values(d) if x[0] != "certainty"}
        for j, g in enumerate(golds):
            shared = len(dv & {x for x in fact_values(g) if x[0] != "certainty"})
            overlap = bool(set(d.values.get("at", [])) & set(g.values.get("at", [])))
            if shared or overlap:
                scored.append((-(shared + 0.5 * overlap), i, j))
    pairs: list[tuple[Fact | None, Fact | None]] = []
    used_d: set[int] = set()
    used_g: set[int] = set()
    for _, i, j in sorted(scored):
        if i in used_d or j in used_g:
            continue
        used_d.add(i)
        used_g.add(j)
        pairs.append((drafts[i], golds[j]))
    pairs += [(d, None) for i, d in enumerate(drafts) if i not in used_d]
    pairs += [(None, g) for j, g in enumerate(golds) if j not in used_g]
    return pairs


def compare(draft: Article, gold: Article) -> Score:
    """The score of one draft against its gold."""
    score = Score()
    gold_observers = {_plain(o) for f in gold.facts if f.type == "exercise" for o in f.values.get("observers", [])}
    for ftype in _SLOTS:
        pairs = _pair([f for f in draft.facts if f.type == ftype], [f for f in gold.facts if f.type == ftype])
        for d, g in pairs:
            score.add(_DETECTED[ftype], int(d is not None and g is not None), int(g is None), int(d is None))
            dv = fact_values(d) if d else set()
            gv = fact_values(g) if g else set()
            for kind in KINDS:
                dk = {v for k, v in dv if k == kind}
                gk = {v for k, v in gv if k == kind}
                score.add(kind, len(dk & gk), len(dk - gk), len(gk - dk))
            if d is not None and ftype == "exercise":
                observers = {_plain(o) for o in g.values.get("observers", [])} if g else gold_observers
                score.observers_as_participants += len(
                    {_plain(p) for p in d.values.get("participants", [])} & observers)
    dd = _denials(draft)
    gd = _denials(gold)
    score.add("denial", len(dd & gd), len(dd - gd), len(gd - dd))
    return score


#: claim modes that deny (the claims model's ``denies`` and the dev set's narrower ones)
DENIAL_MODES = frozenset({"denies", "denies-approval", "rejects"})


def _denials(article: Article) -> set[tuple[str, int]]:
    """Who denies, and at which paragraph: denial facts, and claims (a fact's own account or an
    entry of its ``claims``) whose mode denies, by their speakers."""
    out = {(_plain(by), at) for f in article.facts if f.type == "denial"
           for by in f.values.get("by", []) for at in f.values.get("at", [])}
    for f in article.facts:
        mode = f.values.get("mode")
        if mode is not None and mode.id in DENIAL_MODES:
            out |= {(_plain(by), at) for by in f.values.get("according_to", []) for at in f.values.get("at", [])}
        for claim in f.values.get("claims", ()):
            mode = claim.get("mode")
            if mode is not None and mode.id in DENIAL_MODES:
                out |= {(_plain(by), at) for by in claim.get("by") or [] for at in claim.get("at") or []}
    return out


def table(score: Score) -> list[tuple[str, int, int, int, str, str, str]]:
    """Rows of kind, tp, fp, fn, precision, recall, F1 (``-`` where there is nothing to score)."""
    rows = []
    for kind in (*KINDS, "micro"):
        p, r, f = score.prf(kind)
        rows.append((kind, *score.counts_of(kind), *("-" if x is None else f"{x:.2f}" for x in (p, r, f))))
    return rows


def render(score: Score, title: str) -> str:
    lines = [title, f"{'kind':<12} {'tp':>4} {'fp':>4} {'fn':>4} {'precision':>9} {'recall':>6} {'F1':>5}"]
    for kind, tp, fp, fn, p, r, f in table(score):
        lines.append(f"{kind:<12} {tp:>4} {fp:>4} {fn:>4} {p:>9} {r:>6} {f:>5}")
    lines.append(f"observers drafted as participants: {score.observers_as_participants}")
    return "\n".join(lines)


def pairs(draft: Article, gold: Article) -> list[tuple[Fact | None, Fact | None]]:
    """Every draft fact with the gold fact of its type it is scored against (or None), and the
    gold facts no draft fact pairs with: the pairing ``compare`` uses, over every fact type."""
    out: list[tuple[Fact | None, Fact | None]] = []
    for ftype in sorted({f.type for f in draft.facts} | {f.type for f in gold.facts}):
        out += _pair([f for f in draft.facts if f.type == ftype], [f for f in gold.facts if f.type == ftype])
    return out
