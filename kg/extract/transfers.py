"""One transfer, one fact: the coreference step of the transfers ``kg.extract.draft`` drafts.

A component: it reads the drafted arms transfers (``DraftFact`` of type ``arms-transfer``, each
with the sentence it was read from in ``values['_where']``) and the reference's weapons, and
folds the mentions of one transfer into one fact:

- a generic weapon noun ("drones", "fighter jets") between the same supplier and recipient as a
  named system of its category is that system ("Bayraktar TB2 drones"; "the drones arrived",
  later in the article); two generic nouns of one category between the same states in one
  sentence are one transfer (but "Russia received drones from Iran, and France delivered Rafale
  jets to Egypt" are two);
- the same weapon between the same states is one transfer, in one paragraph or, later, unless
  either is named as a batch of several ("the last batch of", "its first", "another");

never two mentions whose numbers differ (exact or not: "10" and "about 1,000"), nor two of one weapon whose statuses differ in one
paragraph ("24 delivered and 30 more ordered"). In later paragraphs, an order or a plan and the
delivery of the same weapons between the same states are the stages of one transfer ("agreed to
supply", then "delivered"): the fact takes the latest stage told (planned, ordered, delivered).

The fact kept is the named system's, else the first; it takes the paragraphs, cues and missing
values of those folded into it, and another speaker's account as a claim of it (``claims``:
``by``, ``at``, ``certainty``). Whether a weapon is generic comes from the reference: an entry
with an alias in lower case (a common noun: "drones", "fighter jets") names a kind of weapon,
not a system.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..inputs.facts import Reference

if TYPE_CHECKING:  # pragma: no cover
    from .records import DraftFact

_COMMON_NOUN = re.compile(r"[a-z][a-z /-]*")
#: the stages of one transfer, in the order they happen (other statuses are never replaced)
_STAGES = {"planned": 0, "ordered": 1, "delivered": 2}


def generic(reference: Reference, weapon: str) -> bool:
    """True for a weapon entry that names a kind of weapon (an alias in lower case)."""
    e = reference.entities.get(weapon)
    return e is not None and any(_COMMON_NOUN.fullmatch(a) for a in e.aliases)


def _category(reference: Reference, weapon: str) -> str | None:
    e = reference.entities.get(weapon)
    c = e.values.get("category") if e is not None else None
    return getattr(c, "id", c)


def _fold(into: "DraftFact", other: "DraftFact") -> None:
    mine, theirs = into.values.get("status"), other.values.get("status")
    later = _STAGES.get(theirs, -1) > _STAGES.get(mine, 99)  # the later stage told: "ordered", then "delivered"
    by = other.values.get("according_to", [])
    if later and by and not into.values.get("according_to") and not into.values.get("certainty"):
        # the article told the plan, a speaker the delivery: the transfer as it stands is that speaker's
        into.values["according_to"] = list(by)
        if other.values.get("certainty"):
            into.values["certainty"] = other.values["certainty"]
    mine_by = into.values.get("according_to", [])
    if mine_by and not by and other.values.get("certainty") == "reported" and "mode" not in into.values:
        # the article itself tells the transfer, hedged ("reportedly"): the fact is the article's
        # report, and the speaker who told it first gives a claim of it, as any other speaker does
        told = [c for c in into.values.get("claims", ())]
        at = [p for p in into.at if not any(p in c.get("at", ()) for c in told)] or list(into.at)
        claim = {"id": "-".join(mine_by) + "-account", "by": list(mine_by), "at": at}
        if into.values.get("certainty"):
            claim["certainty"] = into.values["certainty"]
        into.values.setdefault("claims", []).insert(0, claim)
        del into.values["according_to"]
        into.values["certainty"] = "reported"
    # another speaker's account of the same transfer is a claim of it (docs/claims-model.md)
    if by and by != into.values.get("according_to", []):
        claims = into.values.setdefault("claims", [])
        ident = "-".join(by) + "-account"
        claim = {"id": ident if all(c["id"] != ident for c in claims) else f"{ident}-{len(claims) + 1}",
                 "by": list(by), "at": list(other.at)}
        if other.values.get("certainty"):
            claim["certainty"] = other.values["certainty"]
        claims.append(claim)
    into.at = sorted(set(into.at) | set(other.at))
    into.cues += [c for c in other.cues if c not in into.cues]
    for key, value in other.values.items():
        if key not in into.values and (key == "_amount" or not key.startswith("_")) \
                and key not in ("certainty", "according_to"):
            into.values[key] = value
    into.confidence = max(into.confidence, other.confidence)
    if later:
        into.values["status"] = theirs
        into.values.pop("modality", None)  # an intention that went ahead is no longer only intended


def corefer(facts: list["DraftFact"], reference: Reference) -> list["DraftFact"]:
    """``facts`` with the mentions of one transfer folded into one fact (see the module)."""
    transfers = [f for f in facts if f.type == "arms-transfer"]
    folded: set[int] = set()

    def same_parties(a: "DraftFact", b: "DraftFact") -> bool:
        return (a.values.get("supplier"), a.values.get("recipient")) == \
            (b.values.get("supplier"), b.values.get("recipient"))

    def differ(a: "DraftFact", b: "DraftFact") -> bool:
        # two statuses of one weapon in one paragraph are two transfers; later, stages of one
        keys = ("quantity", "_amount", "status") if a.values["weapon"] == b.values["weapon"] \
            and set(a.at) & set(b.at) else ("quantity", "_amount")
        return any(k in a.values and k in b.values and a.values[k] != b.values[k] for k in keys)

    for i, f in enumerate(transfers):
        if id(f) in folded:
            continue
        for g in transfers[i + 1:]:
            if id(g) in folded:
                continue
            fw, gw = f.values["weapon"], g.values["weapon"]
            same_sentence = f.values.get("_where") == g.values.get("_where")
            if differ(f, g):  # two deliveries, or a delivery and an order: "24 delivered, 30 more ordered"
                fold = False
            elif fw == gw:  # in one paragraph, or later and not named as another batch
                fold = same_parties(f, g) and (f.at[0] == g.at[0] or not (
                    f.values.get("_batch") or g.values.get("_batch")))
            elif _category(reference, fw) != _category(reference, gw):
                fold = False
            elif generic(reference, fw) == generic(reference, gw):
                # two kinds of one category in one sentence ("kamikaze drones ... drones"): one transfer
                fold = generic(reference, fw) and same_sentence and same_parties(f, g)
            else:
                fold = same_parties(f, g)
            if not fold:
                continue
            # the named system is kept; a generic noun before it is folded into it
            keep, gone = (g, f) if generic(reference, fw) and not generic(reference, gw) else (f, g)
            _fold(keep, gone)
            folded.add(id(gone))
            if gone is f:
                break
    return [f for f in facts if id(f) not in folded]
