"""Assembling the named graphs into a dataset, serialising it, and writing files atomically.

Turtle, TriG, N-Triples and N-Quads are written by ``kg.turtle`` (canonical, streamed, from
per-graph subject blocks: see :class:`Chunk`); JSON-LD and RDF/XML by rdflib's serialisers.
"""
from __future__ import annotations

import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

from rdflib import Dataset, Graph, URIRef

from . import __version__
from . import namespaces as ns
from .turtle import Block, Terms, graph_text, merged_blocks, ntriples_lines, prefix_lines, subject_blocks

#: --format name -> (rdflib serializer, whether it keeps named graphs, file suffix)
FORMATS: dict[str, tuple[str, bool, str]] = {
    "turtle": ("turtle", False, ".ttl"),
    "ntriples": ("nt", False, ".nt"),
    "nquads": ("nquads", True, ".nq"),
    "trig": ("trig", True, ".trig"),
    "jsonld": ("json-ld", True, ".jsonld"),
    "xml": ("xml", False, ".rdf"),
}

#: the formats written by kg.turtle from chunks
CANONICAL = ("turtle", "trig", "ntriples", "nquads")


@dataclass
class Chunk:
    """One named graph, ready to write: its IRI, how many triples it holds, its subject blocks
    (``kg.turtle``; sorted, one a subject), its TriG text where already rendered, and a function
    giving its triples (for N-Triples, N-Quads and rdflib)."""

    name: str
    count: int
    blocks: list[Block]
    triples: Callable[[], Iterable]
    trig: str | None = None

    def trig_text(self, terms: Terms) -> str:
        if self.trig is None:
            self.trig = graph_text(terms(URIRef(self.name)), (b for _, b in self.blocks))
        return self.trig


def chunk_of(graph: Graph, terms: Terms | None = None) -> Chunk:
    """A chunk made from an rdflib graph (its identifier names it)."""
    triples = list(graph)
    return Chunk(str(graph.identifier), len(triples), subject_blocks(triples, terms or Terms()),
                 lambda: triples)


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


def header(names: Iterable[str], inferred: bool, kept_apart: bool = False) -> str:
    """A comment saying what the file holds (Turtle, TriG, N-Triples and N-Quads)."""
    article_base = str(ns.GRAPH["article/"])
    articles = sum(1 for n in names if n.startswith(article_base))
    how = "kept apart" if kept_apart else "merged"
    where = " (in graph:inferred)" if inferred and kept_apart else ""
    return (
        f"# Knowledge graph of military cooperation, written by kg {__version__}.\n"
        f"# Named graphs {how}: ontology, reference entities, {articles} article(s).\n"
        f"# Inferred triples: {'included' + where if inferred else 'not included'}.\n"
    )


def pieces(chunks: list[Chunk], fmt: str, inferred: bool = False) -> Iterator[str]:
    """The chunks in a canonical format, as pieces of text to write one after the other:
    merged for Turtle and N-Triples, as named graphs for TriG and N-Quads.

    The same graphs give the same text: graphs in IRI order, subjects, predicates and objects
    sorted (``kg.turtle``), blank nodes by their (canonical) labels.
    """
    chunks = sorted(chunks, key=lambda c: c.name)
    names = [c.name for c in chunks]
    quads = FORMATS[fmt][1]
    yield header(names, inferred, kept_apart=quads)
    if fmt == "turtle":
        yield prefix_lines()
        blocks = merged_blocks(c.blocks for c in chunks)
        for i in range(0, len(blocks), 4096):
            yield "\n" + "\n".join(blocks[i:i + 4096])
    elif fmt == "trig":
        yield prefix_lines()
        terms = Terms()
        for c in chunks:
            yield "\n"
            yield c.trig_text(terms)
    else:
        terms = Terms(ntriples=True)
        lines: set[str] = set()
        for c in chunks:
            lines |= ntriples_lines(c.triples(), terms, terms(URIRef(c.name)) if quads else "")
        yield "".join(sorted(lines))


def serialize(graphs: list[Graph], fmt: str, inferred: bool = False) -> bytes:
    """The graphs in one RDF format: merged for triple formats, as named graphs otherwise.

    Turtle, TriG, N-Triples and N-Quads are canonical (see :func:`pieces`).
    """
    name, quads, _suffix = FORMATS[fmt]
    if fmt in CANONICAL:
        terms = Terms()
        return "".join(pieces([chunk_of(g, terms) for g in graphs], fmt, inferred)).encode("utf-8")
    graphs = sorted(graphs, key=lambda g: str(g.identifier))
    if quads:
        return make_dataset(graphs).serialize(format=name, encoding="utf-8")
    return merged(graphs).serialize(format=name, encoding="utf-8")


def write_pieces(fh, parts: Iterable[str] | bytes, batch: int = 1 << 20) -> None:
    """Write bytes, or pieces of text encoded as UTF-8 in batches of about ``batch`` characters."""
    if isinstance(parts, (bytes, bytearray)):
        fh.write(parts)
        return
    buf: list[str] = []
    size = 0
    for part in parts:
        buf.append(part)
        size += len(part)
        if size >= batch:
            fh.write("".join(buf).encode("utf-8"))
            buf, size = [], 0
    if buf:
        fh.write("".join(buf).encode("utf-8"))


def write_atomic(path: Path, data: bytes | Iterable[str]) -> None:
    """Write ``data`` (bytes, or pieces of text) to a temporary file beside ``path``, then
    rename it into place.

    The file gets the mode any new file gets (0666 less the umask, applied by the system when
    the temporary file is created: ``tempfile.mkstemp`` would make it 0600 whatever the umask);
    a file it replaces keeps its mode, as writing over it would."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = _create_beside(path)
    try:
        try:
            mode = stat.S_IMODE(os.stat(path).st_mode)
        except (FileNotFoundError, NotADirectoryError):
            mode = None
        with os.fdopen(fd, "wb") as fh:
            if mode is not None:
                os.fchmod(fh.fileno(), mode)
            write_pieces(fh, data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


_CREATE_FLAGS = (os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
                 | getattr(os, "O_BINARY", 0))


def _create_beside(path: Path) -> tuple[int, str]:
    """A new, empty file ``.NAME.RANDOM.tmp`` beside ``path`` (as ``tempfile.mkstemp`` makes
    one, but with mode 0666 for the umask to apply); its descriptor and path."""
    for _ in range(100):
        tmp = os.path.join(path.parent, f".{path.name}.{secrets.token_hex(6)}.tmp")
        try:
            return os.open(tmp, _CREATE_FLAGS, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name beside {path}")
