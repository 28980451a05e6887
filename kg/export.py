"""Assembling the named graphs into a dataset, serialising it, and writing files atomically."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Iterable

from rdflib import Dataset, Graph

from . import __version__
from . import namespaces as ns

#: --format name -> (rdflib serializer, whether it keeps named graphs, file suffix)
FORMATS: dict[str, tuple[str, bool, str]] = {
    "turtle": ("turtle", False, ".ttl"),
    "ntriples": ("nt", False, ".nt"),
    "nquads": ("nquads", True, ".nq"),
    "trig": ("trig", True, ".trig"),
    "jsonld": ("json-ld", True, ".jsonld"),
    "xml": ("xml", False, ".rdf"),
}


def make_dataset(graphs: Iterable[Graph]) -> Dataset:
    """A dataset with one named graph per input graph (keeping each graph's identifier)."""
    ds = Dataset()
    ns.bind_prefixes(ds)
    for g in graphs:
        target = ds.graph(g.identifier)
        for triple in g:
            target.add(triple)
    return ds


def merged(graphs: Iterable[Graph]) -> Graph:
    out = Graph()
    ns.bind_prefixes(out)
    for g in graphs:
        for triple in g:
            out.add(triple)
    return out


def header(graphs: list[Graph], inferred: bool, kept_apart: bool = False) -> str:
    """A comment saying what the file holds (Turtle, TriG, N-Triples and N-Quads)."""
    names = sorted(str(g.identifier) for g in graphs)
    articles = sum(1 for n in names if n.startswith(str(ns.GRAPH["article/"])))
    how = "kept apart" if kept_apart else "merged"
    where = " (in graph:inferred)" if inferred and kept_apart else ""
    return (
        f"# Knowledge graph of military cooperation, written by kg {__version__}.\n"
        f"# Named graphs {how}: ontology, reference entities, {articles} article(s).\n"
        f"# Inferred triples: {'included' + where if inferred else 'not included'}.\n"
    )


def serialize(graphs: list[Graph], fmt: str, inferred: bool = False) -> bytes:
    """The graphs in one RDF format: merged for triple formats, as named graphs otherwise.

    Turtle, TriG, N-Triples and N-Quads are canonical: the same graphs give the same bytes
    (graphs in IRI order, statements sorted, blank nodes labelled by ``rdflib.compare``).
    """
    name, quads, _suffix = FORMATS[fmt]
    graphs = sorted(graphs, key=lambda g: str(g.identifier))
    if fmt == "trig":
        data = _trig(graphs)
    elif fmt in ("ntriples", "nquads"):
        source = make_dataset(graphs) if quads else merged(graphs)
        text = source.serialize(format=name, encoding="utf-8").decode("utf-8")
        data = "".join(sorted(set(text.splitlines(keepends=True)))).encode("utf-8")
    elif quads:
        data = make_dataset(graphs).serialize(format=name, encoding="utf-8")
    else:
        data = merged(graphs).serialize(format=name, encoding="utf-8")
    if fmt in ("turtle", "trig", "ntriples", "nquads"):
        data = header(graphs, inferred, kept_apart=quads).encode() + data
    return data


def _trig(graphs: list[Graph]) -> bytes:
    """TriG written graph by graph, each body as rdflib's (deterministic) Turtle."""
    prefixes: dict[str, str] = {}
    bodies = []
    for g in graphs:
        copy = Graph()
        ns.bind_prefixes(copy)
        for triple in g:
            copy.add(triple)
        text = copy.serialize(format="turtle")
        body = []
        for line in text.splitlines():
            if line.startswith("@prefix "):
                prefixes[line.split()[1]] = line
            elif line.strip() or body:
                body.append(("    " + line) if line.strip() else "")
        while body and not body[-1]:
            body.pop()
        bodies.append(f"<{g.identifier}> {{\n" + "\n".join(body) + "\n}\n")
    head = "".join(prefixes[k] + "\n" for k in sorted(prefixes))
    return (head + "\n" + "\n".join(bodies)).encode("utf-8")


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
