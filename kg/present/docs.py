"""HTML documentation of the project: the ontology (by pyLODE), the SKOS schemes, the saved
queries and the SHACL shapes.

``pages(project)`` makes every page in memory (file name -> bytes); ``write(project, out_dir)``
writes them as one generation swapped in atomically, like the build's outputs, by default to
``.kg/docs`` (beside the build, not in it: the next build leaves them). Every page is
self-contained (styles inlined, nothing fetched) and the same input gives the same bytes.
"""
from __future__ import annotations

import html
import logging
from pathlib import Path

from rdflib import BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SH, SKOS

from .. import namespaces as ns
from ..errors import InputError
from ..project import Project
from ..inputs.ontology import parse_turtle

INDEX = "index.html"
ONTOLOGY = "ontology.html"
VOCABULARIES = "vocabularies.html"
QUERIES = "queries-and-shapes.html"

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #222;
       max-width: 1100px; margin: 0 auto; padding: 0 24px 48px; line-height: 1.45; }
nav { padding: 10px 0; border-bottom: 1px solid #ddd; margin-bottom: 12px; font-size: 14px; }
nav a { margin-right: 16px; }
h1 { font-size: 26px; } h2 { font-size: 20px; margin-top: 32px; border-bottom: 1px solid #eee; }
h3 { font-size: 16px; margin: 24px 0 4px; }
code, pre { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 13px; }
pre { background: #f6f8fa; padding: 8px 12px; overflow: auto; }
table { border-collapse: collapse; margin: 8px 0; width: 100%; font-size: 14px; }
th, td { border: 1px solid #ddd; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
.muted { color: #666; } .sev-Violation { color: #b00020; } .sev-Warning { color: #a05a00; } .sev-Info { color: #1f5fa8; }
""".strip()


def _e(text) -> str:
    return html.escape(str(text))


def _page(title: str, body: list[str]) -> bytes:
    nav = " ".join(f'<a href="{href}">{_e(text)}</a>' for href, text in (
        (INDEX, "Contents"), (ONTOLOGY, "Ontology"), (VOCABULARIES, "Vocabularies"),
        (QUERIES, "Queries and shapes")))
    text = "\n".join([
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title>",
        f"<style>\n{_CSS}\n</style>",
        "</head>",
        "<body>",
        f"<nav>{nav}</nav>",
        *body,
        "</body>",
        "</html>",
        "",
    ])
    return text.encode("utf-8")


def _short(graph: Graph, node) -> str:
    if isinstance(node, URIRef):
        try:
            return graph.namespace_manager.normalizeUri(node)
        except Exception:  # pragma: no cover - rdflib refuses some IRIs
            return f"<{node}>"
    return str(node)


def _text(graph: Graph, node, *props) -> str:
    """The English (or only) value of the first of ``props`` that the node has."""
    for prop in props:
        values = sorted(graph.objects(node, prop), key=lambda v: (getattr(v, "language", None) not in ("en", None), str(v)))
        if values:
            return str(values[0])
    return ""


# --- the ontology (pyLODE) ------------------------------------------------------------------


def _import_pylode():
    """pyLODE, imported without the logging set-up one of its modules does at import time
    (which would print its debug messages on every later log call)."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        import pylode
    finally:
        for handler in list(root.handlers):
            if handler not in handlers:
                root.removeHandler(handler)
        root.setLevel(level)
    return pylode


def ontology_page(ontology: Graph) -> bytes:
    """pyLODE's OntPub page of the ontology: classes, properties, labels, comments, domains
    and ranges."""
    pylode = _import_pylode()
    try:
        return pylode.OntPub(ontology=ontology).make_html().encode("utf-8")
    except Exception as exc:  # pyLODE's own errors: one line
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(f"pyLODE could not document the ontology: {first}") from None


# --- the SKOS schemes -----------------------------------------------------------------------


def vocabularies_page(vocab: Graph) -> bytes:
    """Every concept scheme with its concepts: labels, alternative labels, definitions and
    scope notes. (pyLODE's VocPub documents one scheme's metadata but not its concepts.)"""
    schemes = sorted(vocab.subjects(RDF.type, SKOS.ConceptScheme),
                     key=lambda s: (_text(vocab, s, SKOS.prefLabel, RDFS.label).casefold(), str(s)))
    body = ["<h1>Vocabularies</h1>",
            f"<p>{len(schemes)} SKOS concept schemes (<code>ontology/vocab.ttl</code>). A fact file "
            "names a concept by its id, the last part of its IRI.</p>", "<ul>"]
    for s in schemes:
        body.append(f'<li><a href="#{_e(_anchor(s))}">{_e(_text(vocab, s, SKOS.prefLabel, RDFS.label))}</a></li>')
    body.append("</ul>")
    for s in schemes:
        concepts = sorted(set(vocab.subjects(SKOS.inScheme, s)) | set(vocab.subjects(SKOS.topConceptOf, s)),
                          key=lambda c: (_text(vocab, c, SKOS.prefLabel).casefold(), str(c)))
        body.append(f'<h2 id="{_e(_anchor(s))}">{_e(_text(vocab, s, SKOS.prefLabel, RDFS.label))}</h2>')
        body.append(f"<p><code>{_e(s)}</code></p>")
        definition = _text(vocab, s, SKOS.definition, DCTERMS.description, RDFS.comment)
        if definition:
            body.append(f"<p>{_e(definition)}</p>")
        for source in sorted(vocab.objects(s, DCTERMS.source)):
            body.append(f'<p class="muted">Source: <a href="{_e(source)}">{_e(source)}</a></p>')
        body.append("<table><thead><tr><th>id</th><th>label</th><th>also called</th>"
                    "<th>definition</th></tr></thead><tbody>")
        for c in concepts:
            ident = str(c).rsplit("/", 1)[-1]
            alt = ", ".join(sorted(str(a) for a in vocab.objects(c, SKOS.altLabel)))
            note = _text(vocab, c, SKOS.scopeNote)
            definition = _e(_text(vocab, c, SKOS.definition))
            if note:
                definition += f'<br><span class="muted">{_e(note)}</span>'
            body.append(f'<tr id="{_e(_anchor(c))}"><td><code>{_e(ident)}</code></td>'
                        f"<td>{_e(_text(vocab, c, SKOS.prefLabel))}</td><td>{_e(alt)}</td><td>{definition}</td></tr>")
        body.append("</tbody></table>")
    return _page("Vocabularies", body)


def _anchor(iri) -> str:
    text = str(iri)
    for base in (str(ns.MCV), str(ns.MCS)):
        if text.startswith(base):
            return text[len(base):].replace("/", "-")
    return text.rsplit("/", 1)[-1]


# --- saved queries and shapes ---------------------------------------------------------------


def _queries_section(project: Project) -> list[str]:
    from ..queries import parse_query_file, query_names

    names = query_names(project.queries_dir) if project.queries_dir.is_dir() else []
    body = ["<h2 id=\"queries\">Saved queries</h2>",
            f"<p>{len(names)} queries in <code>queries/</code>: run one with <code>kg query NAME</code>, "
            "give a parameter with <code>--param NAME=VALUE</code>. The quality checks "
            "(<code>qc/...-violation</code>) must return no rows; <code>kg check</code> runs them.</p>",
            "<table><thead><tr><th>name</th><th>what it answers</th><th>parameters</th></tr></thead><tbody>"]
    queries = []
    for name in names:
        q = parse_query_file(project.queries_dir / f"{name}.rq", name, project.display(project.queries_dir / f"{name}.rq"))
        queries.append(q)
        params = "<br>".join(
            f"<code>{_e(p.name)}</code>: {_e(p.describe())}"
            + (f", default <code>{_e(q.defaults[p.name])}</code>" if p.name in q.defaults else "")
            for p in q.params) or '<span class="muted">none</span>'
        body.append(f'<tr><td><a href="#query-{_e(name.replace("/", "-"))}"><code>{_e(name)}</code></a></td>'
                    f"<td>{_e(q.summary)}</td><td>{params}</td></tr>")
    body.append("</tbody></table>")
    for q in queries:
        body.append(f'<h3 id="query-{_e(q.name.replace("/", "-"))}"><code>{_e(q.name)}</code></h3>')
        if q.summary:
            body.append(f"<p><strong>{_e(q.summary)}</strong></p>")
        if q.description:
            body.append(f"<p>{_e(q.description)}</p>")
        extra = [f"form: {q.form}"]
        if q.tags:
            extra.append("tags: " + ", ".join(q.tags))
        body.append(f'<p class="muted">{_e("; ".join(extra))}</p>')
        body.append(f"<details><summary>SPARQL</summary><pre>{_e(q.text)}</pre></details>")
    return body


def _path_text(shapes: Graph, path) -> str:
    """A SHACL property path as SPARQL path syntax."""
    if path is None:
        return ""
    if isinstance(path, URIRef):
        return _short(shapes, path)
    if (path, RDF.first, None) in shapes:
        return "/".join(_path_text(shapes, p) for p in Collection(shapes, path))
    for prop, fmt in ((SH.inversePath, "^{}"), (SH.zeroOrMorePath, "{}*"), (SH.oneOrMorePath, "{}+"),
                      (SH.zeroOrOnePath, "{}?")):
        inner = shapes.value(path, prop)
        if inner is not None:
            return fmt.format(_path_text(shapes, inner))
    alt = shapes.value(path, SH.alternativePath)
    if alt is not None:
        return "(" + "|".join(_path_text(shapes, p) for p in Collection(shapes, alt)) + ")"
    return str(path)


def _severity(shapes: Graph, shape) -> str:
    sev = shapes.value(shape, SH.severity)
    return {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}.get(sev, "Violation" if sev is None else _short(shapes, sev))


def _messages(shapes: Graph, node) -> str:
    return " / ".join(sorted(str(m) for m in shapes.objects(node, SH.message)))


def _targets(shapes: Graph, shape) -> str:
    parts = []
    for prop, word in ((SH.targetClass, "every"), (SH.targetNode, "the node"),
                       (SH.targetSubjectsOf, "subjects of"), (SH.targetObjectsOf, "objects of")):
        values = sorted(_short(shapes, v) for v in shapes.objects(shape, prop))
        if values:
            parts.append(f"{word} {', '.join(values)}")
    return "; ".join(parts)


def shape_rows(shapes: Graph) -> list[dict]:
    """One row per shape with a message: the node shapes, their property shapes and their
    SPARQL constraints, in order of the node shapes' names."""
    nested = set(shapes.objects(None, SH.property)) | set(shapes.objects(None, SH.sparql))
    tops = {s for s in shapes.subjects(RDF.type, SH.NodeShape)}
    tops |= {s for s in shapes.subjects(RDF.type, SH.PropertyShape) if s not in nested}
    for prop in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf):
        tops |= {s for s in shapes.subjects(prop, None) if s not in nested}
    rows = []
    for top in sorted(tops, key=lambda s: (isinstance(s, BNode), str(s))):
        rows.append({
            "shape": _short(shapes, top), "anchor": _anchor(top), "of": None,
            "label": _text(shapes, top, RDFS.label, SH.name), "comment": _text(shapes, top, RDFS.comment),
            "target": _targets(shapes, top), "path": _path_text(shapes, shapes.value(top, SH.path)),
            "severity": _severity(shapes, top), "message": _messages(shapes, top),
        })
        children = sorted(set(shapes.objects(top, SH.property)) | set(shapes.objects(top, SH.sparql)),
                          key=lambda s: (isinstance(s, BNode), str(s)))
        for child in children:
            rows.append({
                "shape": _short(shapes, child) if isinstance(child, URIRef) else "",
                "anchor": _anchor(child), "of": _short(shapes, top),
                "label": _text(shapes, child, RDFS.label, SH.name), "comment": _text(shapes, child, RDFS.comment),
                "target": "", "path": _path_text(shapes, shapes.value(child, SH.path)),
                "severity": _severity(shapes, child) if (child, SH.severity, None) in shapes else _severity(shapes, top),
                "message": _messages(shapes, child),
            })
    return rows


def _shapes_section(project: Project) -> list[str]:
    path = project.shapes_path()
    body = ['<h2 id="shapes">SHACL shapes</h2>']
    if not path.exists():
        return body + [f"<p>No shapes file ({_e(project.display(path))}).</p>"]
    shapes = parse_turtle(path, project.display(path))
    ns.bind_prefixes(shapes)
    rows = shape_rows(shapes)
    tops = [r for r in rows if r["of"] is None]
    body.append(f"<p>{len(tops)} shapes in <code>{_e(project.display(path))}</code>, with "
                f"{len(rows) - len(tops)} property shapes and SPARQL constraints in them. "
                "<code>kg validate</code> prints the message of each "
                "result with the fact file and line it comes from. A <span class=\"sev-Violation\">Violation</span> "
                "stops the build; a <span class=\"sev-Warning\">Warning</span> or an "
                "<span class=\"sev-Info\">Info</span> is reported only.</p>")
    current = None
    for row in rows:
        if row["of"] is None:
            if current is not None:
                body.append("</tbody></table>")
            current = row
            body.append(f'<h3 id="{_e(row["anchor"])}"><code>{_e(row["shape"])}</code>'
                        + (f" — {_e(row['label'])}" if row["label"] else "") + "</h3>")
            if row["comment"]:
                body.append(f"<p>{_e(row['comment'])}</p>")
            facts = []
            if row["target"]:
                facts.append(f"Checks {_e(row['target'])}.")
            if row["message"]:
                facts.append(f'<span class="sev-{_e(row["severity"])}">{_e(row["severity"])}</span>: '
                             f"{_e(row['message'])}")
            if facts:
                body.append("<p>" + " ".join(facts) + "</p>")
            body.append("<table><thead><tr><th>shape</th><th>path</th><th>severity</th><th>message</th>"
                        "</tr></thead><tbody>")
            continue
        name = row["shape"] or row["label"]
        body.append(f'<tr><td><code>{_e(name)}</code></td><td><code>{_e(row["path"])}</code></td>'
                    f'<td class="sev-{_e(row["severity"])}">{_e(row["severity"])}</td><td>{_e(row["message"])}</td></tr>')
    if current is not None:
        body.append("</tbody></table>")
    return body


def queries_page(project: Project) -> bytes:
    body = ["<h1>Saved queries and SHACL shapes</h1>",
            '<p><a href="#queries">Saved queries</a> · <a href="#shapes">SHACL shapes</a></p>']
    body += _queries_section(project)
    body += _shapes_section(project)
    return _page("Saved queries and SHACL shapes", body)


# --- the whole set ---------------------------------------------------------------------------


def index_page(ontology: Graph, project: Project) -> bytes:
    onto = ns.ONTOLOGY_IRI
    title = _text(ontology, onto, DCTERMS.title, RDFS.label) or "The ontology"
    version = _text(ontology, onto, OWL.versionInfo)
    description = _text(ontology, onto, DCTERMS.description, RDFS.comment)
    classes = {c for c in ontology.subjects(RDF.type, OWL.Class) if str(c).startswith(str(ns.MC))}
    props = {p for t in (OWL.ObjectProperty, OWL.DatatypeProperty) for p in ontology.subjects(RDF.type, t)
             if str(p).startswith(str(ns.MC))}
    body = [
        f"<h1>{_e(title)}</h1>",
        f'<p class="muted"><code>{_e(onto)}</code>' + (f", version {_e(version)}" if version else "") + "</p>",
        f"<p>{_e(description)}</p>" if description else "",
        "<ul>",
        f'<li><a href="{ONTOLOGY}">Ontology</a>: {len(classes)} classes and {len(props)} properties, with their '
        "labels, comments, domains and ranges (made by pyLODE).</li>",
        f'<li><a href="{VOCABULARIES}">Vocabularies</a>: the SKOS concept schemes and their concepts.</li>',
        f'<li><a href="{QUERIES}">Saved queries and SHACL shapes</a>: what each query answers and its '
        "parameters; what each shape checks and its message.</li>",
        "</ul>",
        '<p class="muted">Made by <code>kg docs</code> from <code>ontology/</code> and <code>queries/</code>.</p>',
    ]
    return _page(title, [b for b in body if b])


#: how many pages ``pages`` makes (its ``progress`` is called once after each)
PAGE_COUNT = 4


def pages(project: Project, progress=None) -> dict[str, bytes]:
    """Every page of the documentation, by file name; ``progress(1)`` after each page."""
    paths = project.ontology_paths()
    ontology = parse_turtle(paths[0], project.display(paths[0]))
    vocab = Graph()
    for path in paths[1:]:
        vocab += parse_turtle(path, project.display(path))
    for g in (ontology, vocab):
        ns.bind_prefixes(g)
    makers = {
        INDEX: lambda: index_page(ontology, project),
        ONTOLOGY: lambda: ontology_page(ontology),
        VOCABULARIES: lambda: vocabularies_page(vocab),
        QUERIES: lambda: queries_page(project),
    }
    out = {}
    for name, make in makers.items():
        out[name] = make()
        if progress is not None:
            progress(1)
    return out


#: where ``kg docs`` writes the pages when not told, relative to the project folder
DOCS_DIR = Path(".kg") / "docs"


def write(project: Project, out_dir: Path | None = None, progress=None) -> tuple[Path, list[str]]:
    """Write the pages to ``out_dir`` (default ``.kg/docs``) atomically; returns the folder
    and the file names. ``out_dir`` is refused (``kg.output.publish.NotMadeByKg``) where it
    holds anything that ``kg docs`` did not make."""
    from ..output.publish import check, publish_files

    out_dir = out_dir or project.root / DOCS_DIR
    shown = project.display(out_dir)
    check(out_dir, "docs", shown)  # before the work
    files = pages(project, progress)
    publish_files(out_dir, "docs", files, shown)
    return out_dir, sorted(files)


__all__ = ["pages", "write", "shape_rows", "ontology_page", "vocabularies_page", "queries_page"]
