"""The neighbourhood as a Graphviz digraph (DOT)."""
from __future__ import annotations

from .model import COLOURS, OBSERVER_COLOUR, Neighbourhood, node_ids, slug

#: each kind's node shape
SHAPES = {
    "state": "hexagon", "force": "box", "exercise": "ellipse", "transfer": "parallelogram",
    "person": "box", "fact": "note", "organisation": "box", "place": "house",
    "equipment": "trapezium", "conflict": "octagon", "other": "box",
}


def _dot_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def to_dot(hood: Neighbourhood) -> str:
    """A Graphviz digraph with the same colours and edge styles as the other formats."""
    ids = node_ids(hood)
    root = hood.root_node
    lines = [
        f"// {hood.command('dot')}: {root.label}, {len(hood.nodes)} entities, {len(hood.edges)} links",
        f"digraph {_dot_quote(slug(root.iri))} {{",
        "    graph [rankdir=LR, fontname=\"Helvetica\", label=" + _dot_quote(f"Neighbourhood of {root.label}") + "];",
        "    node [style=filled, fontname=\"Helvetica\", fontsize=11];",
        "    edge [fontname=\"Helvetica\", fontsize=9];",
    ]
    for node in hood.nodes:
        fill, line = COLOURS[node.kind]
        attrs = [f"label={_dot_quote(node.label)}", f"shape={SHAPES[node.kind]}",
                 f"fillcolor={_dot_quote(fill)}", f"color={_dot_quote(line)}",
                 f"tooltip={_dot_quote(node.short)}"]
        if node.kind in ("person", "organisation"):
            attrs.append('style="filled,rounded"')
        if node.iri == root.iri:
            attrs.append("penwidth=3")
        lines.append(f"    {ids[node.iri]} [{', '.join(attrs)}];")
    for edge in hood.edges:
        attrs = [f"label={_dot_quote(edge.label)}"]
        if edge.style == "inferred":
            attrs.append("style=dashed")
        elif edge.style == "observer":
            attrs += [f"color={_dot_quote(OBSERVER_COLOUR)}", f"fontcolor={_dot_quote(OBSERVER_COLOUR)}",
                      "arrowhead=odot"]
        elif edge.style == "participant":
            attrs.append("penwidth=2.5")
        lines.append(f"    {ids[edge.source]} -> {ids[edge.target]} [{', '.join(attrs)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"
