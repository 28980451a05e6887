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


def header(graphs: list[Graph], inferred: bool) -> str:
    names = sorted(str(g.identifier) for g in graphs)
    articles = sum(1 for n in names if n.startswith(str(ns.GRAPH["article/"])))
    return (
        f"# Knowledge graph of military cooperation, written by kg {__version__}.\n"
        f"# Named graphs merged: ontology, reference entities, {articles} article(s).\n"
        f"# Inferred triples: {'included' if inferred else 'not included'}.\n"
    )


def serialize(graphs: list[Graph], fmt: str, inferred: bool = False) -> bytes:
    """The graphs in one RDF format: merged for triple formats, as named graphs otherwise."""
    name, quads, _suffix = FORMATS[fmt]
    if quads:
        data = make_dataset(graphs).serialize(format=name, encoding="utf-8")
    else:
        data = merged(graphs).serialize(format=name, encoding="utf-8")
    if fmt in ("turtle", "trig", "ntriples", "nquads"):
        data = header(graphs, inferred).encode() + data
    return data


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
