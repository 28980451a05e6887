"""The neighbourhood as a self-contained interactive HTML page: vis-network (as pyvis ships
it) and the data inlined, nothing fetched. The page is ``page.html`` beside this module (package
data), a ``string.Template`` whose ``$name`` fields are filled here."""
from __future__ import annotations

import json
from functools import cache
from html import escape
from importlib.resources import files
from pathlib import Path
from string import Template

from .model import COLOURS, KIND_LEGEND, OBSERVER_COLOUR, Neighbourhood

#: each kind's node shape in vis-network
SHAPES = {
    "state": "hexagon", "force": "box", "exercise": "ellipse", "transfer": "diamond",
    "person": "dot", "fact": "box", "organisation": "box", "place": "triangle",
    "equipment": "square", "conflict": "star", "other": "box",
}


def _vis_assets() -> tuple[str, str]:
    """vis-network's script and stylesheet, as pyvis ships them (inlined in the page)."""
    import pyvis

    lib = Path(pyvis.__file__).parent / "templates" / "lib" / "vis-9.1.2"
    if not lib.is_dir():  # pragma: no cover - another pyvis layout
        lib = Path(pyvis.__file__).parent / "lib" / "vis-9.1.2"
    return ((lib / "vis-network.min.js").read_text(encoding="utf-8"),
            (lib / "vis-network.css").read_text(encoding="utf-8"))


def _network(hood: Neighbourhood):
    """The pyvis network: nodes coloured by class, edges styled as in the other formats."""
    from pyvis.network import Network

    net = Network(directed=True, height="100%", width="100%")
    for node in hood.nodes:
        fill, line = COLOURS[node.kind]
        title = "\n".join(
            [node.label, ", ".join(node.classes) or KIND_LEGEND[node.kind], node.short]
            + [f"{k}: {v}" for k, v in node.details]
        )
        net.add_node(
            node.iri, label=node.label, title=title, shape=SHAPES[node.kind],
            color={"background": fill, "border": line,
                   "highlight": {"background": fill, "border": "#000000"}},
            borderWidth=4 if node.iri == hood.root else 1,
            font={"size": 16 if node.iri == hood.root else 13},
            size=20 if node.kind == "state" else 14,
        )
    for edge in hood.edges:
        options = {"label": edge.label, "title": f"{edge.label} ({edge.style})" if edge.style != "plain" else edge.label,
                   "arrows": {"to": {"enabled": True}}, "color": {"color": "#555555"}, "width": 1,
                   "dashes": False, "font": {"size": 11, "align": "middle"}}
        if edge.style == "inferred":
            options["dashes"] = True
            options["title"] = f"{edge.label} (inferred from the ontology)"
        elif edge.style == "observer":
            options["arrows"] = {"to": {"enabled": True, "type": "circle"}}
            options["color"] = {"color": OBSERVER_COLOUR}
            options["font"]["color"] = OBSERVER_COLOUR
        elif edge.style == "participant":
            options["width"] = 3
        net.add_edge(edge.source, edge.target, **options)
    net.set_options(json.dumps({
        "layout": {"randomSeed": 7, "improvedLayout": True},
        "physics": {"solver": "forceAtlas2Based",
                    "forceAtlas2Based": {"gravitationalConstant": -80, "springLength": 140},
                    "stabilization": {"enabled": True, "iterations": 400, "fit": True}},
        "interaction": {"hover": True, "tooltipDelay": 150, "navigationButtons": False},
        "edges": {"smooth": {"enabled": True, "type": "dynamic"}},
    }))
    return net


def _js_data(value) -> str:
    """JSON that is safe inside a <script> element."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for char, code in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"),
                       ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, code)
    return text


def to_html(hood: Neighbourhood) -> str:
    """A self-contained interactive page: vis-network and the data are inlined, nothing is
    fetched."""
    import pyvis

    net = _network(hood)
    nodes, edges, _heading, _height, _width, options = net.get_network_data()
    vis_js, vis_css = _vis_assets()
    root = hood.root_node
    e = escape
    kind_legend = "\n".join(
        f'<li><span class="swatch" style="background:{COLOURS[k][0]};border-color:{COLOURS[k][1]}"></span>'
        f"{e(KIND_LEGEND[k])}</li>" for k in hood.kinds)
    styles = {edge.style for edge in hood.edges}
    edge_texts = [("participant", "participant (thick)"), ("observer", "observer (grey, circle at the end)"),
                  ("plain", "other link, labelled with its property"),
                  ("inferred", "inferred from the ontology (dashed)")]
    edge_legend = "\n".join(f'<li><span class="line {s}"></span>{e(t)}</li>' for s, t in edge_texts if s in styles)
    labels = {n.iri: n.label for n in hood.nodes}
    node_rows = "\n".join(
        f"<tr><td>{e(n.label)}</td><td>{e(', '.join(n.classes) or KIND_LEGEND[n.kind])}</td>"
        f"<td>{e(n.short)}</td></tr>" for n in hood.nodes)
    edge_rows = "\n".join(
        f"<tr><td>{e(labels[x.source])}</td><td>{e(x.label)}{' (inferred)' if x.inferred else ''}</td>"
        f"<td>{e(labels[x.target])}</td></tr>" for x in hood.edges)
    title = f"{root.label}: neighbourhood (kg viz)"
    return _page().substitute(
        pyvis_version=e(getattr(pyvis, "__version__", "?")),
        title=e(title),
        vis_css=vis_css,
        vis_js=vis_js.replace("</script", "<\\/script"),
        heading=e(f"Neighbourhood of {root.label}"),
        subtitle=e(f"{root.short} · depth {hood.depth} · {len(hood.nodes)} entities, {len(hood.edges)} links"),
        aria=e(f"A network of {len(hood.nodes)} entities linked to {root.label}; the same is in the table below"),
        kind_legend=kind_legend,
        edge_legend=edge_legend,
        node_rows=node_rows,
        edge_rows=edge_rows,
        nodes=_js_data(nodes),
        edges=_js_data(edges),
        options=_js_data(json.loads(options)),
    )


@cache
def _page() -> Template:
    """The page, ``page.html`` (package data), read once."""
    return Template(files(__package__).joinpath("page.html").read_text(encoding="utf-8"))
