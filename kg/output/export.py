"""Assembling the named graphs into a dataset, serialising it, and writing files atomically.

Turtle, TriG, N-Triples and N-Quads are written by ``kg.output.turtle`` (canonical, streamed, from
per-graph subject blocks: see :class:`Chunk`); JSON-LD (compact, with kg's prefixes as its context)
and RDF/XML (one ``rdf:Description`` a subject) by :func:`jsonld_text` and :func:`rdfxml_text`,
in a fixed order too: every format gives the same bytes for the same graphs.
"""
from __future__ import annotations

import os
import re
import secrets
import stat
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Callable, Iterable, Iterator

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF

from .. import __version__
from .. import namespaces as ns
from ..errors import KgError
from ..sparql.results import XML_BAD as _XML_BAD  # what XML 1.0 cannot hold, one definition for both XML writers
from .formats import CANONICAL, FORMATS  # noqa: F401 (FORMATS: the registry, re-exported)
from .turtle import Block, Terms, graph_text, merged_stream, ntriples_lines, prefix_lines, subject_blocks


@dataclass
class Chunk:
    """One named graph, ready to write: its IRI, how many triples it holds, its subject blocks
    (``kg.output.turtle``; sorted, one a subject), its TriG text where already rendered, and a function
    giving its triples (for N-Triples, N-Quads and rdflib). The blocks and the TriG text can be
    functions giving them, called each time they are read (an article's, kept compressed until
    it is written)."""

    name: str
    count: int
    blocks: list[Block] | Callable[[], list[Block]]
    triples: Callable[[], Iterable]
    trig: str | Callable[[], str] | None = None

    def block_list(self) -> list[Block]:
        return self.blocks() if callable(self.blocks) else self.blocks

    def trig_text(self, terms: Terms) -> str:
        if callable(self.trig):
            return self.trig()
        if self.trig is None:
            self.trig = graph_text(terms(URIRef(self.name)), (b for _, b in self.block_list()))
        return self.trig


def chunk_of(graph: Graph, terms: Terms | None = None) -> Chunk:
    """A chunk made from an rdflib graph (its identifier names it)."""
    triples = list(graph)
    return Chunk(str(graph.identifier), len(triples), subject_blocks(triples, terms or Terms()),
                 lambda: triples)


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


def exported(fmt: str, chunks, graphs, inferred: bool = False):
    """An export in ``fmt``, as pieces of bytes: the canonical formats (``CANONICAL``) written by
    ``kg.output.turtle`` from the articles' chunks (``chunks()``), streamed; the others by
    ``serialize`` from rdflib graphs (``graphs()``). Only the one asked for is computed."""
    if fmt in CANONICAL:
        return pieces(chunks(), fmt, inferred=inferred)
    return serialize(graphs(), fmt, inferred=inferred)


def pieces(chunks: list[Chunk], fmt: str, inferred: bool = False) -> Iterator[str]:
    """The chunks in a canonical format, as pieces of text to write one after the other:
    merged for Turtle and N-Triples, as named graphs for TriG and N-Quads.

    The same graphs give the same text: graphs in IRI order, subjects, predicates and objects
    sorted (``kg.output.turtle``), blank nodes by their (canonical) labels.
    """
    chunks = sorted(chunks, key=lambda c: c.name)
    names = [c.name for c in chunks]
    quads = FORMATS[fmt][1]
    yield header(names, inferred, kept_apart=quads)
    if fmt == "turtle":
        yield prefix_lines()
        # the articles' blocks read one group of articles at a time (kg.output.turtle.SPILL_RUNS)
        blocks = merged_stream(c.block_list() for c in chunks)
        while piece := list(islice(blocks, 4096)):
            yield "\n" + "\n".join(piece)
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

    Every format gives the same bytes for the same graphs: Turtle, TriG, N-Triples and N-Quads
    are canonical (see :func:`pieces`), JSON-LD and RDF/XML in a fixed order.
    """
    if fmt in CANONICAL:
        terms = Terms()
        return "".join(pieces([chunk_of(g, terms) for g in graphs], fmt, inferred)).encode("utf-8")
    graphs = sorted(graphs, key=lambda g: str(g.identifier))
    if fmt == "jsonld":
        return jsonld_text(graphs).encode("utf-8")
    return rdfxml_text(graphs).encode("utf-8")


class NotExpressible(KgError):
    """The graph holds something the chosen RDF format cannot write."""


def jsonld_context() -> dict[str, str]:
    """The JSON-LD ``@context`` of kg's exports: every prefix of ``kg.namespaces.PREFIXES``."""
    from ..namespaces import PREFIXES

    return {p: str(PREFIXES[p]) for p in sorted(PREFIXES)}


class _Compact:
    """IRIs as compact IRIs (``mc:participant``) where a prefix of the context fits, else whole."""

    def __init__(self, context: dict[str, str]) -> None:
        self.context = context
        self.by_length = sorted(context.items(), key=lambda kv: -len(kv[1]))
        self.memo: dict[str, str] = {}

    def iri(self, iri: str) -> str:
        out = self.memo.get(iri)
        if out is None:
            out = iri
            for prefix, space in self.by_length:
                rest = iri[len(space):]
                if iri.startswith(space) and rest and not rest.startswith("//"):
                    out = f"{prefix}:{rest}"
                    break
            else:
                scheme = iri.split(":", 1)[0]
                if scheme in self.context or iri.startswith("_:") or iri.startswith("@"):
                    raise NotExpressible(f"JSON-LD cannot write the IRI <{iri}> with kg's context: it would be "
                                         "read as a compact IRI or a blank node")
            self.memo[iri] = out
        return out

    def node(self, term) -> str:
        if isinstance(term, BNode):
            return Terms(ntriples=True)(term)
        return self.iri(str(term))

    def value(self, term):
        if isinstance(term, Literal):
            if term.language:
                return {"@language": term.language, "@value": str(term)}
            if term.datatype is not None:  # an explicit xsd:string too, as the other writers keep it
                return {"@type": self.iri(str(term.datatype)), "@value": str(term)}
            return str(term)
        return {"@id": self.node(term)}


def jsonld_text(graphs: list[Graph]) -> str:
    """The graphs as compact JSON-LD with kg's context (``jsonld_context``: its prefixes): one
    object with the ``@context`` and a ``@graph`` of named graphs (``@id``, ``@graph``), graphs
    by IRI, nodes by ``@id``, properties by their compact IRI, every value in a list in the
    order of its JSON text; ``rdf:type`` as ``@type``; literals keep their lexical form (a plain
    string, or ``@value`` with ``@type`` or ``@language``)."""
    import json

    context = jsonld_context()
    compact = _Compact(context)

    def key(value) -> str:
        return json.dumps(value, sort_keys=True, ensure_ascii=False)

    named = []
    for graph in graphs:
        nodes: dict = {}
        for s, p, o in graph:
            node = nodes.setdefault(compact.node(s), {})
            if p == RDF.type and not isinstance(o, Literal):
                node.setdefault("@type", set()).add(compact.node(o))
            else:
                value = compact.value(o)
                node.setdefault(compact.iri(str(p)), {})[key(value)] = value
        if not nodes:
            continue
        listed = []
        for subject in sorted(nodes):
            node = {"@id": subject}
            for prop, values in nodes[subject].items():
                node[prop] = sorted(values) if prop == "@type" else [values[k] for k in sorted(values)]
            listed.append(node)
        named.append({"@id": compact.node(graph.identifier), "@graph": listed})
    return json.dumps({"@context": context, "@graph": named}, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


#: the end of an IRI that can be an XML element name (an NCName)
_NCNAME_END = re.compile(r"[A-Za-z_\u00c0-\ufffd][A-Za-z0-9_.\-\u00b7\u00c0-\ufffd]*\Z")


def _xml_text(text: str, where: str) -> str:
    from xml.sax.saxutils import escape

    bad = _XML_BAD.search(text)
    if bad:
        raise NotExpressible(f"RDF/XML cannot hold the character U+{ord(bad.group()):04X} ({where}); "
                             "choose another --format")
    return escape(text, {'"': "&quot;", "\r": "&#13;"})


def _split_predicate(iri: str) -> tuple[str, str]:
    """A predicate IRI as namespace and XML name (RDF/XML writes predicates as elements)."""
    cut = max(iri.rfind("/"), iri.rfind("#"), iri.rfind(":")) + 1
    for start in range(cut, len(iri)):
        if _NCNAME_END.match(iri, start):
            return iri[:start], iri[start:]
    raise NotExpressible(f"RDF/XML cannot write the predicate <{iri}> as an element name; "
                         "choose another --format")


def _node_id(text: str) -> str:
    """A blank node's ``rdf:nodeID`` (an XML name) from its ``_:label``."""
    label = text[2:]
    return label if label[:1].isalpha() or label[:1] == "_" else "n" + label


def rdfxml_text(graphs: list[Graph]) -> str:
    """The graphs merged, as RDF/XML: one ``rdf:Description`` a subject (by IRI, blank nodes by
    ``rdf:nodeID``), properties by predicate IRI and object text; the project's prefixes, and
    ``ns1``, ``ns2``... for other namespaces, in order."""
    terms = Terms(ntriples=True)
    by_subject: dict[str, set] = {}
    for graph in graphs:
        for s, p, o in graph:
            by_subject.setdefault(terms(s), set()).add((p, o))
    known = {str(v): k for k, v in ns.PREFIXES.items()}
    prefixes = {str(RDF): "rdf"}
    rows = []
    for subject in sorted(by_subject):
        pairs = sorted(by_subject[subject], key=lambda po: (str(po[0]), terms(po[1])))
        rows.append((subject, [(*_split_predicate(str(p)), o) for p, o in pairs]))
        for space, _local, _o in rows[-1][1]:
            if space not in prefixes and space in known:
                prefixes[space] = known[space]
    others = sorted({space for _s, props in rows for space, _l, _o in props} - prefixes.keys())
    used = set(prefixes.values())
    n = 0
    for space in others:
        n += 1
        while f"ns{n}" in used:
            n += 1
        prefixes[space] = f"ns{n}"
    lines = ['<?xml version="1.0" encoding="utf-8"?>', "<rdf:RDF"]
    lines += [f'   xmlns:{prefix}="{_xml_text(space, "a namespace")}"'
              for space, prefix in sorted(prefixes.items(), key=lambda kv: kv[1])]
    lines[-1] += ">"
    for subject, props in rows:
        where = f"a statement about {subject}"
        if subject.startswith("_:"):
            lines.append(f'  <rdf:Description rdf:nodeID="{_node_id(subject)}">')
        else:
            lines.append(f'  <rdf:Description rdf:about="{_xml_text(subject[1:-1], where)}">')
        for space, local, o in props:
            name = f"{prefixes[space]}:{local}"
            if isinstance(o, Literal):
                if o.language:
                    attr = f' xml:lang="{_xml_text(o.language, where)}"'
                elif o.datatype is not None:
                    attr = f' rdf:datatype="{_xml_text(str(o.datatype), where)}"'
                else:
                    attr = ""
                lines.append(f"    <{name}{attr}>{_xml_text(str(o), where)}</{name}>")
            elif isinstance(o, BNode):
                lines.append(f'    <{name} rdf:nodeID="{_node_id(terms(o))}"/>')
            else:
                lines.append(f'    <{name} rdf:resource="{_xml_text(str(o), where)}"/>')
        lines.append("  </rdf:Description>")
    lines.append("</rdf:RDF>")
    return "\n".join(lines) + "\n"


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
