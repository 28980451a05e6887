"""Pictures of an entity's neighbourhood: the states, forces, exercises, transfers and people
linked to it, as a self-contained interactive HTML page (pyvis / vis-network, inlined: it
fetches nothing), as Mermaid text (renders in Markdown on the common code hosts) or as Graphviz
DOT.

What is drawn (``neighbourhood``):

- the nodes are our entities (``id:``) and the facts about them; claims and articles are left
  out (a fact's sources are in its tooltip), and concept values (activities, statuses...) and
  literals are details of a node, not nodes;
- the edges are the ontology's links (``mc:participant``, ``mc:host``, ``mc:observer``,
  ``mc:supplier``, ``mc:belongsTo``, ``mc:partOf``...) between two drawn nodes, labelled with the
  property's ``rdfs:label``; an edge found only in ``graph:inferred`` is *inferred* (drawn
  dashed), unless it merely restates an edge that is drawn (the inverse ``mc:participatesIn``
  of ``mc:participant``, a super-property);
- ``depth`` counts links from the entity (0: the entity alone); a fact reached on the way
  also brings the entities it names (its participants, supplier and recipient...), since a
  fact without them says nothing.

The package: ``model`` (what is drawn), one module per format (``mermaid``, ``dot``, ``html``
with its page template ``page.html``) and ``render``, which picks the format by name. It knows
nothing of click; ``kg.cli.viz_cmds`` calls it.
"""
from __future__ import annotations

from ...errors import InputError
from .dot import to_dot
from .html import to_html
from .mermaid import to_mermaid
from .model import (KINDS, VIZ_DIR, Edge, GraphData, Neighbourhood, Node, default_page, ident, neighbourhood,
                    resolve, slug)

__all__ = ["FORMATS", "KINDS", "VIZ_DIR", "Edge", "GraphData", "Neighbourhood", "Node", "default_page", "ident",
           "neighbourhood", "render", "resolve", "slug", "to_dot", "to_html", "to_mermaid"]

FORMATS = {"html": to_html, "mermaid": to_mermaid, "dot": to_dot}


def render(hood: Neighbourhood, fmt: str) -> str:
    try:
        return FORMATS[fmt](hood)
    except KeyError:
        raise InputError(f"unknown format {fmt!r}; known: {', '.join(FORMATS)}") from None
