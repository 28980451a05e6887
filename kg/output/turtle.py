"""A canonical Turtle, TriG, N-Triples and N-Quads writer, fast enough for a million triples.

The same triples give the same bytes, whatever order they come in:

- every term is written by :class:`Terms`: a prefixed name (``mc:Exercise``) where the IRI is in
  one of ``kg.namespaces.PREFIXES`` and its local part is safe in the Turtle grammar (ASCII
  letters, digits, ``_`` and ``-``), else a full IRI (``<...>``, with ``UCHAR`` escapes for the
  characters IRIREF forbids); literals with ``ECHAR``/``UCHAR`` escapes (no raw newline, quote or
  backslash), ``@lang`` or ``^^datatype``, and bare integers, decimals and booleans where the
  lexical form is already in the bare syntax; blank nodes by their own label (the ontology's are
  canonical, ``kg.inputs.ontology.load_ontology``), written ``_:label``, never inlined;
- statements are grouped in *subject blocks*: the subject, ``a`` first and then the other
  predicates in the order of their text, each predicate's objects in the order of their text,
  one object a line::

      <s> a mc:Claim ;
          mc:claims <x>,
              <y> ;
          mc:source <z> .

- blocks are in the order of their subject's text, separated by an empty line; in TriG each
  named graph is ``<graph> { ... }`` with its blocks indented, graphs in IRI order.

Because every object is on a line of its own and no term holds a raw newline, a block can be read
back (:func:`parse_block`) and merged with another block of the same subject
(:func:`merge_runs`): that is how ``kg.pipeline`` writes ``kg.ttl`` from per-article blocks
without putting the whole graph in an rdflib ``Graph``, and, past ``SPILL_RUNS`` articles, without
holding all their blocks at once (:func:`merged_stream`: merged a group at a time into temporary
files, then merged from those).
"""
from __future__ import annotations

import heapq
import pickle
import re
import tempfile
from collections import Counter
from itertools import groupby, islice
from operator import itemgetter
from typing import BinaryIO, Iterable, Iterator

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, XSD

from .. import namespaces as ns

#: a subject's text and its rendered block (ending in `` .\n``)
Block = tuple[str, str]

_LOCAL = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]*\Z")
_BNODE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]*\Z")
_INTEGER = re.compile(r"[+-]?[0-9]+\Z")
_DECIMAL = re.compile(r"[+-]?[0-9]*\.[0-9]+\Z")
_BARE = {str(XSD.integer): _INTEGER, str(XSD.decimal): _DECIMAL}
_BOOLEAN = str(XSD.boolean)
_TYPE = str(RDF.type)

# IRIREF forbids [#x00-#x20<>"{}|^`\]: written as \uXXXX
_IRI_ESCAPES = {c: f"\\u{c:04X}" for c in [*range(0x21), *map(ord, '<>"{}|^`\\')]}
# STRING_LITERAL_QUOTE forbids " \ LF CR; the other control characters are escaped for legibility
_STRING_ESCAPES = {c: f"\\u{c:04X}" for c in [*range(0x20), 0x7F]}
_STRING_ESCAPES.update({ord("\\"): "\\\\", ord('"'): '\\"', ord("\n"): "\\n", ord("\r"): "\\r",
                        ord("\t"): "\\t", ord("\b"): "\\b", ord("\f"): "\\f"})


def prefix_lines() -> str:
    """The ``@prefix`` lines of every namespace of ``kg.namespaces.PREFIXES``, by prefix."""
    return "".join(f"@prefix {p}: <{ns.PREFIXES[p]}> .\n" for p in sorted(ns.PREFIXES))


class Terms:
    """Renders rdflib terms as Turtle (``ntriples=True``: as N-Triples, full IRIs, no bare
    literals). Remembers the text of IRIs and blank nodes, which recur."""

    def __init__(self, ntriples: bool = False) -> None:
        self.ntriples = ntriples
        self.namespaces = {} if ntriples else {str(v): k for k, v in ns.PREFIXES.items()}
        self.memo: dict = {}

    def __call__(self, term) -> str:
        kind = type(term)
        if kind is Literal or isinstance(term, Literal):
            return self.literal(term)
        text = self.memo.get(term)
        if text is None:
            if isinstance(term, URIRef):
                text = self.iri(str(term))
            elif isinstance(term, BNode):
                label = str(term)
                text = "_:" + (label if _BNODE.match(label) else "b" + label.encode("utf-8").hex())
            else:
                raise TypeError(f"cannot write {term!r} in Turtle")
            self.memo[term] = text
        return text

    def predicate(self, term) -> str:
        if not self.ntriples and term == RDF.type:
            return "a"
        return self(term)

    def iri(self, iri: str) -> str:
        if self.namespaces:
            cut = max(iri.rfind("/"), iri.rfind("#")) + 1
            prefix = self.namespaces.get(iri[:cut])
            if prefix is not None and _LOCAL.match(iri, cut):
                return f"{prefix}:{iri[cut:]}"
        return "<" + iri.translate(_IRI_ESCAPES) + ">"

    def literal(self, lit: Literal) -> str:
        lexical = str(lit)
        if lit.language:
            return '"' + lexical.translate(_STRING_ESCAPES) + '"@' + lit.language
        dt = lit.datatype
        if dt is None:
            return '"' + lexical.translate(_STRING_ESCAPES) + '"'
        if not self.ntriples:
            bare = _BARE.get(str(dt))
            if bare is not None and bare.match(lexical):
                return lexical
            if str(dt) == _BOOLEAN and lexical in ("true", "false"):
                return lexical
        return '"' + lexical.translate(_STRING_ESCAPES) + '"^^' + self(dt)


def _pkey(p: str):
    return (p != "a", p)


def render_block(subject: str, pairs: dict[str, Iterable[str]]) -> str:
    """One subject block from term texts: ``pairs`` maps a predicate's text to its objects'."""
    parts = [p + " " + ",\n        ".join(sorted(set(pairs[p]))) for p in sorted(pairs, key=_pkey)]
    return subject + " " + " ;\n    ".join(parts) + " .\n"


def subject_blocks(triples: Iterable, terms: Terms) -> list[Block]:
    """The triples as subject blocks, in the order of their subject's text."""
    by_subject: dict[str, dict[str, list[str]]] = {}
    pred = terms.predicate
    for s, p, o in triples:
        pairs = by_subject.get(s)
        if pairs is None:
            pairs = by_subject[s] = {}
        pairs.setdefault(pred(p), []).append(terms(o))
    blocks = [(terms(s), render_block(terms(s), pairs)) for s, pairs in by_subject.items()]
    blocks.sort(key=itemgetter(0))
    return blocks


def parse_block(block: str) -> tuple[str, dict[str, set[str]]]:
    """The subject and predicate -> objects of a block written by :func:`render_block`."""
    pairs: dict[str, set[str]] = {}
    lines = block.rstrip("\n").split("\n")
    subject, _, first = lines[0].partition(" ")
    predicate = ""
    for i, line in enumerate(lines):
        if i == 0:
            body, new = first, True
        elif line.startswith("        "):
            body, new = line[8:], False
        else:
            body, new = line[4:], True
        body = body[:-1] if body.endswith(",") else body[:-2]  # "," or " ;" or " ."
        if new:
            predicate, _, body = body.partition(" ")
        pairs.setdefault(predicate, set()).add(body)
    return subject, pairs


def merge_runs(blocks: list[Block]) -> list[str]:
    """The blocks of a list sorted by subject, with the blocks of one subject merged into one."""
    counts = Counter(map(itemgetter(0), blocks))
    if len(counts) == len(blocks):
        return [b for _, b in blocks]
    shared = {s for s, n in counts.items() if n > 1}
    blocks_of: dict[str, list[str]] = {s: [] for s in shared}
    for s, block in blocks:
        if s in shared:
            blocks_of[s].append(block)
    merged = {s: _one_block(s, same) for s, same in blocks_of.items()}
    # a shared subject's merged block goes where its first block was
    out = [merged.pop(s, None) if s in shared else b for s, b in blocks]
    return [b for b in out if b is not None]


def _one_block(subject: str, blocks: list[str]) -> str:
    """The blocks of one subject merged into one."""
    pairs: dict[str, set[str]] = {}
    for block in blocks:
        for p, objs in parse_block(block)[1].items():
            pairs.setdefault(p, set()).update(objs)
    return render_block(subject, pairs)


def merged_blocks(runs: Iterable[list[Block]]) -> list[str]:
    """The blocks of several sorted lists, in subject order, one block a subject."""
    items: list[Block] = []
    for run in runs:
        items.extend(run)
    items.sort(key=itemgetter(0))  # stable; equal subjects are merged
    return merge_runs(items)


#: how many sorted runs (articles) ``merged_stream`` merges in memory at once; past that, a
#: group at a time into a temporary file
SPILL_RUNS = 16384


def merged_stream(runs: Iterable[Iterable[Block]], group: int = SPILL_RUNS) -> Iterator[str]:
    """``merged_blocks`` of ``runs``, given one block at a time: with more than ``group`` runs,
    each ``group`` of them is merged in memory and written to a temporary file (removed when
    done), and the files are merged as they are read, so that memory holds one group's blocks,
    not all (``runs`` is read lazily: a run is made only when its group is merged)."""
    runs = iter(runs)
    batch = list(islice(runs, group))
    after = next(runs, None)  # one run ahead: is there more than a group?
    if after is None:
        yield from merged_blocks(batch)
        return
    files: list[BinaryIO] = []
    try:
        while batch:
            files.append(_spilled(merged_blocks(batch)))
            batch = [] if after is None else [after, *islice(runs, group - 1)]
            after = next(runs, None) if batch else None
        yield from _merged_subjects(heapq.merge(*(_read_spilled(f) for f in files), key=itemgetter(0)))
    finally:
        for f in files:
            f.close()


def _spilled(blocks: list[str]) -> BinaryIO:
    """The blocks in a new temporary file (deleted when closed), rewound."""
    f = tempfile.TemporaryFile(prefix="kg-merge-")
    try:
        for i in range(0, len(blocks), 4096):
            pickle.dump(blocks[i:i + 4096], f, protocol=pickle.HIGHEST_PROTOCOL)
        f.seek(0)
    except BaseException:
        f.close()
        raise
    return f


def read_pickled(f: BinaryIO) -> Iterator:
    """The items of the lists pickled one after the other in ``f``, in order."""
    while True:
        try:
            items = pickle.load(f)
        except EOFError:
            return
        yield from items


def _read_spilled(f: BinaryIO) -> Iterator[Block]:
    for block in read_pickled(f):
        yield block.partition(" ")[0], block


def _merged_subjects(items: Iterable[Block]) -> Iterator[str]:
    """Blocks in subject order, those of one subject merged into one."""
    for subject, same in groupby(items, key=itemgetter(0)):
        blocks = [b for _, b in same]
        yield blocks[0] if len(blocks) == 1 else _one_block(subject, blocks)


def count_pairs(block: str) -> int:
    """How many statements a block holds (one object a line)."""
    return block.count("\n")


def indent(block: str) -> str:
    return "    " + block[:-1].replace("\n", "\n    ") + "\n"


def graph_text(name: str, blocks: Iterable[str]) -> str:
    """A TriG named graph: ``name`` is the graph's text (``Terms``), ``blocks`` its blocks."""
    return name + " {\n" + "\n".join(indent(b) for b in blocks) + "}\n"


def ntriples_lines(triples: Iterable, terms: Terms, graph: str = "") -> set[str]:
    """The triples as N-Triples lines (N-Quads with ``graph``, the graph's text)."""
    tail = f" {graph} .\n" if graph else " .\n"
    return {f"{terms(s)} {terms(p)} {terms(o)}{tail}" for s, p, o in triples}
