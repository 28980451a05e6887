"""The neighbourhood as a Mermaid flowchart (renders in Markdown on the common code hosts)."""
from __future__ import annotations

import re
from collections import defaultdict

from .model import COLOURS, OBSERVER_COLOUR, Neighbourhood, node_ids

#: each kind's node shape: what opens and closes its label
SHAPES = {
    "state": ('{{"', '"}}'), "force": ('["', '"]'), "exercise": ('(["', '"])'),
    "transfer": ('[/"', '"/]'), "person": ('("', '")'), "fact": ('[["', '"]]'),
    "organisation": ('("', '")'), "place": ('>"', '"]'), "equipment": ('[/"', '"\\]'),
    "conflict": ('{{"', '"}}'), "other": ('["', '"]'),
}
#: each edge style's arrow
ARROWS = {"plain": "-->", "participant": "==>", "observer": "--o", "inferred": "-.->"}


def _mermaid_text(text: str) -> str:
    """Text inside a quoted Mermaid label: its own entity codes for the characters it reads."""
    for char, code in (("&", "#amp;"), ('"', "#quot;"), ("<", "#lt;"), (">", "#gt;")):
        text = text.replace(char, code)
    return text


def to_mermaid(hood: Neighbourhood) -> str:
    """A Mermaid flowchart; node colours by class, observers grey with a circle at the end,
    participants thick, inferred links dotted."""
    ids = node_ids(hood)
    root = hood.root_node
    lines = [
        f"%% {hood.command('mermaid')}: {_mermaid_text(root.label)}, "
        f"{len(hood.nodes)} entities, {len(hood.edges)} links",
        "flowchart LR",
    ]
    for node in hood.nodes:
        left, right = SHAPES[node.kind]
        lines.append(f"    {ids[node.iri]}{left}{_mermaid_text(node.label)}{right}")
    styles: dict[str, list[int]] = defaultdict(list)
    for i, edge in enumerate(hood.edges):
        label = re.sub(r"[^\w -]+", " ", edge.label).strip()
        lines.append(f"    {ids[edge.source]} {ARROWS[edge.style]}|{label}| {ids[edge.target]}")
        styles[edge.style].append(i)
    for kind in hood.kinds:
        fill, line = COLOURS[kind]
        lines.append(f"    classDef {kind} fill:{fill},stroke:{line},color:#000")
    for kind in hood.kinds:
        members = ",".join(ids[n.iri] for n in hood.nodes if n.kind == kind)
        lines.append(f"    class {members} {kind}")
    lines.append(f"    class {ids[root.iri]} root")
    lines.append("    classDef root stroke-width:3px")
    if styles.get("observer"):
        lines.append(f"    linkStyle {','.join(map(str, styles['observer']))} stroke:{OBSERVER_COLOUR}")
    return "\n".join(lines) + "\n"
