"""Writing a draft as a fact file: the project's YAML format, with what the extractor could not
resolve as comments at the top (comments, so that the file loads and builds as it is)."""
from __future__ import annotations

import json
import re

from ..inputs.facts import ID_RE
from ..inputs.schema import FACT_COMMON, FACT_TYPES
from ..project import PROPOSED_SUFFIX
from .draft import Draft, DraftFact, slug

_PLAIN_ID = re.compile(r"^[A-Za-z][A-Za-z0-9._-]*$")
_YAML_WORDS = frozenset("y n yes no on off true false null".split())
_DATE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")
_HEADER_ORDER = ("id", "title", "publisher", "published", "published_basis", "language", "source", "url")

_SUGGEST_PLURAL = {"state": "states", "force": "forces", "person": "people", "place": "places",
                   "weapon": "weapons", "vessel": "vessels", "organisation": "organisations"}


def _scalar(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    if _DATE.match(text):
        return text
    if _PLAIN_ID.match(text) and text.casefold() not in _YAML_WORDS and ID_RE.match(text):
        return text
    return json.dumps(text, ensure_ascii=False)


def _text(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def _fact_lines(fact: DraftFact) -> list[str]:
    order = [f.key for f in FACT_COMMON if f.key != "note"] + [f.key for f in FACT_TYPES[fact.type].fields] + ["note"]
    values = {"type": fact.type, "id": fact.id, "label": fact.label, "at": fact.at}
    values.update({k: v for k, v in fact.values.items() if not k.startswith("_")})
    values["note"] = fact.note()
    lines = []
    for i, key in enumerate(k for k in order if k in values):
        v = values[key]
        lead = "  - " if i == 0 else "    "
        if key == "claims":  # a list of mappings, one a claim (docs/claims-model.md)
            lines.append(f"{lead}claims:")
            for claim in v:
                for j, (ck, cv) in enumerate(claim.items()):
                    shown = "[" + ", ".join(_scalar(x) for x in cv) + "]" if isinstance(cv, list) else _scalar(cv)
                    lines.append(f"      {'- ' if j == 0 else '  '}{ck}: {shown}")
            continue
        if key in ("label", "note"):
            shown = _text(v)
        elif isinstance(v, dict):  # a time as the text gives it: {month_day: ..., as_said: ..., basis: ...}
            shown = "{" + ", ".join(f"{k}: " + ("[" + ", ".join(_scalar(y) for y in x) + "]" if isinstance(x, list)
                                                 else _scalar(x)) for k, x in v.items()) + "}"
        elif isinstance(v, list):
            shown = "[" + ", ".join(_scalar(x) for x in v) + "]"
        else:
            shown = _scalar(v)
        lines.append(f"{lead}{key}: {shown}")
    return lines


#: the first line of a proposed reference file: what kg extract made, and may replace
PROPOSED_MARK = "# PROPOSED reference entries, written by `kg extract`"
_PLURAL = {"person": "people", "force": "forces", "vessel": "vessels", "weapon": "weapons",
           "organisation": "organisations"}


def proposed_name(draft_name: str) -> str:
    """The name of the proposed reference file beside a draft: ``x.yaml`` -> ``x.proposed.yaml``."""
    stem = draft_name[:-5] if draft_name.endswith(".yaml") else draft_name
    return stem + PROPOSED_SUFFIX


def proposed_yaml(draft: Draft, draft_name: str) -> str:
    """The proposed reference entries of a draft, as a reference file (data/reference/ format),
    each with a comment saying where in the article it comes from."""
    lines = [f"{PROPOSED_MARK} for the draft {draft_name}:",
             "# names the article uses that the reference entities do not know. The draft uses these ids;",
             "# kg reads this file as reference entities while it lies beside the draft in data/articles/.",
             "# Check every entry, move it to a file of data/reference/, and delete this file when it is empty."]
    by_kind: dict[str, list] = {}
    for p in draft.proposals:
        by_kind.setdefault(_PLURAL[p.kind], []).append(p)
    for plural in sorted(by_kind):
        lines.append(f"{plural}:")
        for p in by_kind[plural]:
            lines.append(f"  # {p.source}")
            lines.append(f"  - id: {p.id}")
            lines.append(f"    label: {_text(p.label)}")
            if p.aliases:
                lines.append("    aliases: [" + ", ".join(_text(a) for a in p.aliases) + "]")
            if p.description:
                lines.append(f"    description: {_text(p.description)}")
            for key, value in p.fields.items():
                lines.append(f"    {key}: {_scalar(value)}")
    return "\n".join(lines) + "\n"


def suggestions(draft: Draft, proposed: str | None = None) -> list[str]:
    """Comment lines: the entries proposed in the file ``proposed``, the names not in the
    reference, and entries to add for them."""
    out: list[str] = []
    if draft.proposals:
        out.append(f"Proposed reference entries for {len(draft.proposals)} name(s) not in the reference are in "
                   f"{proposed}, beside this file;")
        out.append("the draft uses their ids: " + ", ".join(p.id for p in draft.proposals) + ".")
    if not draft.unresolved and not draft.skipped:
        return out
    if draft.unresolved:
        out.append("Names not in the reference entities (add them to data/reference/ and extract again):")
        for u in draft.unresolved:
            where = ", ".join(str(p) for p in u.paragraphs)
            article = "an" if u.kind[:1] in "aeiou" else "a"
            out.append(f"  - {u.name!r}: looks like {article} {u.kind} (paragraph {where})")
        entries: dict[str, list[str]] = {}
        for u in draft.unresolved:
            plural = _SUGGEST_PLURAL.get(u.kind)
            if plural is None:
                continue
            lines = [f"  - id: {slug(u.name)}", f"    label: {_text(u.name)}"]
            if u.kind in ("force", "place") and "kind" in u.hint:
                lines.append(f"    kind: {u.hint['kind']}")
            if u.kind == "weapon":
                lines.append(f"    category: {u.hint.get('category', 'other')}")
            if u.kind == "force":
                lines.append("    state: ???  # or part_of")
            if u.kind == "vessel":
                lines.append("    operator: ???")
            entries.setdefault(plural, []).extend(lines)
        if entries:
            out.append("Suggested entries (check every value):")
            for plural in sorted(entries):
                out.append(f"{plural}:")
                out.extend(entries[plural])
    if draft.skipped:
        out.append("Cues that made no fact:")
        out.extend(f"  - {x}" for x in draft.skipped)
    return out


def to_yaml(draft: Draft, proposed: str | None = None) -> str:
    """The draft as the text of a fact file; ``proposed`` names the file of its proposed
    reference entries (``proposed_yaml``), if it has any."""
    h = draft.header
    lines = [f"# DRAFT facts of {h['title']!r} ({h['source']}), written by `kg extract`:",
             "# every fact needs review; its note gives the cues it was drafted from and a confidence.",
             "# `at` counts the blocks of the source text separated by blank lines, from 1"
             + (f"; the body is blocks {draft.body[0]} to {draft.body[1]}." if draft.body else "; no body found.")]
    for note in draft.header_notes:
        lines.append(f"# {note}")
    extra = suggestions(draft, proposed)
    if extra:
        lines.append("#")
        lines.extend(f"# {x}".rstrip() for x in extra)
    lines.append("article:")
    for key in _HEADER_ORDER:
        if key in h:
            v = h[key]
            lines.append(f"  {key}: {_text(v) if key in ('title', 'published_basis') else _scalar(v)}")
    if draft.facts:
        lines.append("")
        lines.append("facts:")
        for i, fact in enumerate(draft.facts):
            if i:
                lines.append("")
            lines.extend(_fact_lines(fact))
    else:
        lines.append("facts: []")
    return "\n".join(lines) + "\n"
