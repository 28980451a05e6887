"""Writing a build's ``kg.ttl`` and ``kg.trig`` again from the previous build's, where few
graphs changed.

A build writes both files whole (``write_build``), and ``kg.pipeline`` keeps in the cache
(``.kg/cache/layout/``) a *layout* of what it wrote (:class:`Layout`): each named graph's
version (a digest of what the build gave for it) and its place in ``kg.trig``, and, for the two
merged parts (``kg.ttl``, merged by subject, and ``graph:inferred`` in ``kg.trig``), where each
subject's block starts and which graph gave it (:class:`Region`). The next build into the same place compares the graphs' versions with the
layout's: where the files the layout describes are still those published (same folder, size,
times, inode), it copies what did not change from them and writes only the blocks of the
subjects that the changed, added or removed graphs have or had (merged again with what the
other graphs give for a subject they share). The bytes are those a whole write gives
(tests/test_splice.py builds a random series of edits both ways and compares them).

Anything unexpected (no layout, another folder, a file touched since, another kg, another
reasoning mode, a region whose bytes do not look as the layout says) writes the files whole, and
so do edits that change most graphs (``SPLICE_MOST``), where a whole write is quicker.
"""
from __future__ import annotations

import hashlib
import heapq
import os
import pickle
import tempfile
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import BinaryIO, Callable

from .export import header
from .turtle import Block, _one_block, count_pairs, indent, prefix_lines, read_pickled

#: past this many graphs a whole write merges the blocks of each group of this many in memory,
#: spills the group to a temporary file, and merges the files as they are read (as
#: ``turtle.merged_stream`` does): memory holds one group's blocks, not all
MAX_PARTS = 16384
#: the files are written whole where more graphs changed than this, or than an eighth of them
SPLICE_MOST = 64


class Fallback(Exception):
    """The layout cannot be used: the files are written whole."""


@dataclass
class Part:
    """One named graph as the build gives it: its IRI, a digest of everything it gives, its TriG
    text and subject blocks (asserted graphs; None for ``graph:inferred`` itself), and what it
    adds to ``graph:inferred`` (None: nothing)."""

    name: str
    version: bytes
    count: int
    trig: Callable[[], str] | None
    blocks: Callable[[], list[Block]] | None
    inferred: Callable[[], list[Block]] | None = None
    _memo: dict = field(default_factory=dict, repr=False)

    def block_of(self, which: str, subject: str) -> str | None:
        found = self._memo.get(which)
        if found is None:
            fn = self.blocks if which == "asserted" else self.inferred
            found = self._memo[which] = dict(fn() if fn is not None else [])
        return found.get(subject)


@dataclass
class Region:
    """Blocks merged by subject, as kept in a file: block ``k`` is written ``"\\n" + text``
    (the text indented by ``indent``) at ``offsets[k]`` (bytes, from the region's base);
    ``offsets[-1]`` is where the last one ends. ``owner[k]`` is the index (in the layout's
    ``names``) of the one graph that gives block ``k``, or -1 where several do: ``multi``
    names them, each with a digest of the block it gives (``_block_digest``), and ``count`` is
    how many statements the blocks hold."""

    indent: str
    offsets: array
    owner: array
    multi: dict[str, tuple[tuple[str, bytes], ...]]
    count: int


@dataclass
class Layout:
    """What a build wrote: by kg's code ``code``, in the generation folder ``generation``,
    whose files were then as ``stamps`` says (size, modification and change times, inode,
    device); each graph's name and version, where it lies in kg.trig, and the merged regions."""

    code: str
    generation: str
    stamps: dict[str, tuple]
    inferred_name: str | None
    #: every named graph, in the order of kg.trig (graph:inferred among them)
    names: list[str]
    versions: list[bytes]
    #: each graph's (start, end) in kg.trig, from the end of its prefix lines
    spans: list[tuple[int, int]]
    ttl: Region
    #: graph:inferred's blocks, from the start of its text in kg.trig
    inferred: Region | None
    #: where the prefix lines end in kg.ttl and in kg.trig (the regions and spans start there)
    ttl_base: int = 0
    trig_base: int = 0


def digest(*parts: bytes) -> bytes:
    """A 16-byte digest of the parts (each with its length, so that no two lists collide)."""
    h = hashlib.blake2b(digest_size=16)
    for p in parts:
        h.update(len(p).to_bytes(8, "little"))
        h.update(p)
    return h.digest()


def _stamp(path: Path) -> tuple:
    st = os.stat(path)
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev)


# --- writing -----------------------------------------------------------------------------


class _Out:
    """The file being written: bytes, and ranges of an old file copied (in the kernel where it
    can; adjacent ranges in one copy). ``pos`` is where the next byte goes."""

    def __init__(self, fh: BinaryIO) -> None:
        self.fh = fh
        self.buf: list[bytes] = []
        self.size = 0
        self.pos = 0
        self.pending: tuple[BinaryIO, int, int] | None = None

    def write(self, data: bytes) -> None:
        if self.pending is not None:
            self._copy()
        self.buf.append(data)
        self.size += len(data)
        self.pos += len(data)
        if self.size >= 1 << 20:
            self._flush_buf()

    def copy(self, src: BinaryIO, start: int, end: int) -> None:
        if end <= start:
            return
        if self.pending is not None and self.pending[0] is src and self.pending[2] == start:
            self.pending = (src, self.pending[1], end)
        else:
            if self.pending is not None:
                self._copy()
            self.pending = (src, start, end)
        self.pos += end - start

    def flush(self) -> None:
        if self.pending is not None:
            self._copy()
        self._flush_buf()
        self.fh.flush()

    def _flush_buf(self) -> None:
        if self.buf:
            self.fh.write(b"".join(self.buf))
            self.buf, self.size = [], 0

    def _copy(self) -> None:
        src, start, end = self.pending
        self.pending = None
        self._flush_buf()
        self.fh.flush()
        out = self.fh.fileno()
        n, offset = end - start, start
        try:
            while n > 0:
                done = os.copy_file_range(src.fileno(), out, n, offset)
                if done <= 0:
                    raise Fallback("the old file is shorter than its layout says")
                n -= done
                offset += done
        except (OSError, AttributeError):  # across file systems, or no copy_file_range here
            src.seek(offset)
            while n > 0:
                piece = src.read(min(n, 1 << 22))
                if not piece:
                    raise Fallback("the old file is shorter than its layout says") from None
                self.fh.write(piece)
                n -= len(piece)
            self.fh.flush()


def _element(text: str, indent_by: str) -> bytes:
    return ("\n" + (indent(text) if indent_by else text)).encode("utf-8")


def _merged(runs: list[tuple[int, list[Block]]], names: list[str]) -> tuple[list[str], array, dict]:
    """The blocks of several graphs merged by subject (as ``turtle.merged_blocks``), with the
    index of the one graph that gives each (-1 where several do: the dict names them, each with
    a digest of its block)."""
    items: list[tuple[str, int, str]] = []
    for idx, blocks in runs:
        items.extend((s, idx, b) for s, b in blocks)
    items.sort(key=itemgetter(0))
    out: list[str] = []
    owner = array("i")
    multi: dict[str, tuple[tuple[str, bytes], ...]] = {}
    i, n = 0, len(items)
    while i < n:
        s = items[i][0]
        j = i + 1
        while j < n and items[j][0] == s:
            j += 1
        if j == i + 1:
            out.append(items[i][2])
            owner.append(items[i][1])
        else:
            by_id: dict[int, list[str]] = {}
            for k in range(i, j):
                by_id.setdefault(items[k][1], []).append(items[k][2])
            blocks = [items[k][2] for k in range(i, j)]
            out.append(_one_block(s, blocks))
            if len(by_id) == 1:
                owner.append(next(iter(by_id)))
            else:
                owner.append(-1)
                multi[s] = tuple((names[idx], _block_digest(bs[0] if len(bs) == 1 else _one_block(s, bs)))
                                 for idx, bs in sorted(by_id.items()))
        i = j
    return out, owner, multi


def _block_digest(block: str) -> bytes:
    return digest(block.encode("utf-8"))


#: one merged block: its subject (may be empty where one graph gives it, all in memory), its
#: text, the index of the one graph that gives it (-1: several), and then each of them with the
#: digest of the block it gives (else empty)
Item = tuple[str, str, int, tuple]


def _items(runs: list[tuple[int, Callable[[], list[Block]]]], names: list[str]) -> Iterator[Item]:
    """The blocks of ``runs`` (each a graph's index and a function giving its blocks, in the
    order of the indices) merged by subject as ``_merged`` merges them, one at a time: up to
    ``MAX_PARTS`` runs in memory; past that, each group of ``MAX_PARTS`` merged in memory and
    spilled to a temporary file, and the files merged as they are read. A subject that several
    groups give is given by several graphs (a graph is in one group): its blocks are merged into
    one, and the graphs each group names are listed in the order of their indices."""
    group = max(1, MAX_PARTS)
    if len(runs) <= group:
        blocks, owner, multi = _merged([(i, fn()) for i, fn in runs], names)
        for block, own in zip(blocks, owner):
            if own == -1:
                subject = block.partition(" ")[0]
                yield subject, block, own, multi[subject]
            else:  # the subject is needed where several graphs give it only (``_write_region``)
                yield "", block, own, ()
        return
    files: list[BinaryIO] = []
    try:
        for k in range(0, len(runs), group):
            blocks, owner, multi = _merged([(i, fn()) for i, fn in runs[k:k + group]], names)
            f = tempfile.TemporaryFile(prefix="kg-merge-")
            files.append(f)
            for j in range(0, len(blocks), 4096):
                chunk = []
                for block, own in zip(blocks[j:j + 4096], owner[j:j + 4096]):
                    subject = block.partition(" ")[0]
                    chunk.append((subject, block, own, multi[subject] if own == -1 else ()))
                pickle.dump(chunk, f, protocol=pickle.HIGHEST_PROTOCOL)
            f.seek(0)
            del blocks, owner, multi
        merged = heapq.merge(*(read_pickled(f) for f in files), key=itemgetter(0))
        for subject, same in groupby(merged, key=itemgetter(0)):
            found = list(same)
            if len(found) == 1:
                yield found[0]
                continue
            entries: list = []
            for _s, block, own, listed in found:
                entries.extend(listed if own == -1 else ((names[own], _block_digest(block)),))
            yield subject, _one_block(subject, [item[1] for item in found]), -1, tuple(entries)
    finally:
        for f in files:
            f.close()


def _write_region(out: _Out, items: Iterable[Item], indent_by: str, base: int) -> Region | None:
    """The merged blocks written one after the other, and their region (None where there are
    none)."""
    offsets, owner = array("q"), array("i")
    multi: dict[str, tuple[tuple[str, bytes], ...]] = {}
    count = 0
    for subject, block, own, listed in items:
        offsets.append(out.pos - base)
        out.write(_element(block, indent_by))
        count += count_pairs(block)
        owner.append(own)
        if own == -1:
            multi[subject] = listed
    if not offsets:
        return None
    offsets.append(out.pos - base)
    return Region(indent_by, offsets, owner, multi, count)


def _whole(gen: Path, ttl_name: str, trig_name: str, parts: list[Part], inferred_name: str | None,
           inferred_on: bool) -> Layout | None:
    """Both files written whole, and their layout."""
    names = [p.name for p in parts]
    index = {n: i for i, n in enumerate(names)}
    asserted = [p for p in parts if p.blocks is not None]
    with open(gen / ttl_name, "wb") as fh:
        out = _Out(fh)
        out.write((header([p.name for p in asserted], False) + prefix_lines()).encode())
        base = out.pos
        ttl = _write_region(out, _items([(index[p.name], p.blocks) for p in asserted], names), "", base)
        out.flush()
        if ttl is None:  # no asserted triple at all
            ttl = Region("", array("q", [0]), array("i"), {}, 0)
        ttl_base = base
    spans: list[tuple[int, int]] = []
    inferred = None
    usable = True
    with open(gen / trig_name, "wb") as fh:
        out = _Out(fh)
        out.write((header(names, inferred_on, kept_apart=True) + prefix_lines()).encode())
        base = out.pos
        trig_base = base
        for p in parts:
            out.write(b"\n")
            start = out.pos - base
            if p.name == inferred_name:
                out.write(_graph_name(p.name).encode() + b" {")
                inferred = _write_region(out, _items([(index[q.name], q.inferred) for q in parts
                                                      if q.inferred is not None], names), "    ", base + start)
                if inferred is None:  # written as graph_text writes it; no layout
                    out.write(b"\n")
                    usable = False
                out.write(b"}\n")
            else:
                out.write(p.trig().encode("utf-8"))
            spans.append((start, out.pos - base))
        out.flush()
    if not usable:
        return None
    return Layout("", "", {}, inferred_name, names, [p.version for p in parts], spans, ttl, inferred,
                  ttl_base, trig_base)


def _graph_name(name: str) -> str:
    from rdflib import URIRef

    from .turtle import Terms

    return Terms()(URIRef(name))


# --- writing again from the previous files -----------------------------------------------


def _subject_at(mm, base: int, reg: Region, k: int) -> str:
    start = base + reg.offsets[k] + 1 + len(reg.indent)
    end = mm.find(b" ", start, base + reg.offsets[k + 1])
    if end < 0 or mm[start - 1 - len(reg.indent)] != 0x0A:
        raise Fallback("a block is not where the layout says")
    return mm[start:end].decode("utf-8")


def _find(mm, base: int, reg: Region, subject: str) -> tuple[int, bool]:
    """Where ``subject``'s block is (or would go) among the region's blocks, and whether it is
    there."""
    lo, hi = 0, len(reg.offsets) - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if _subject_at(mm, base, reg, mid) < subject:
            lo = mid + 1
        else:
            hi = mid
    return lo, lo < len(reg.offsets) - 1 and _subject_at(mm, base, reg, lo) == subject


def _splice_region(out: _Out, src: BinaryIO, mm, old_base: int, new_base: int, reg: Region,
                   old_names: list[str], changed: set[str], new_index: dict[str, int], remap: list[int],
                   by_name: dict[str, Part], which: str) -> Region:
    """The region written again: the blocks of the subjects that a changed graph has or had
    made again, the others copied."""
    n = len(reg.offsets) - 1
    changed_ids = {i for i, name in enumerate(old_names) if name in changed}
    touched: dict[str, int | None] = {}
    if changed_ids:
        for k in [k for k, o in enumerate(reg.owner) if o in changed_ids]:
            touched[_subject_at(mm, old_base, reg, k)] = k
    for s, givers in reg.multi.items():
        if any(name in changed for name, _ in givers):
            touched.setdefault(s, None)
    new_of: dict[str, list[tuple[str, str]]] = {}
    for name in sorted(changed):
        part = by_name.get(name)
        fn = None if part is None else (part.blocks if which == "asserted" else part.inferred)
        for s, b in (fn() if fn is not None else []):
            new_of.setdefault(s, []).append((name, b))
            touched.setdefault(s, None)
    events = []
    for s in sorted(touched):
        k = touched[s]
        exists = True
        if k is None:
            k, exists = _find(mm, old_base, reg, s)
        adds = new_of.get(s, [])
        if exists:
            o = reg.owner[k]
            if o == -1:
                before = dict(reg.multi[s])
                if {n: d for n, d in before.items() if n in changed} == {n: _block_digest(b) for n, b in adds}:
                    continue  # the changed graphs give it the same block as before: copied
            else:
                before = {old_names[o]: b""}
        else:
            before = {}
        keep = sorted(set(before) - changed)
        blocks = [by_name[name].block_of(which, s) if name in by_name else None for name in keep]
        if any(b is None for b in blocks):
            raise Fallback("a graph the layout names gives no such block")
        givers = sorted([*zip(keep, blocks), *adds])
        blocks += [b for _, b in adds]
        text = None if not blocks else blocks[0] if len(blocks) == 1 else _one_block(s, blocks)
        if (exists and text is not None and [n for n, _ in givers] == sorted(before)
                and mm[old_base + reg.offsets[k]:old_base + reg.offsets[k + 1]] == _element(text, reg.indent)):
            continue  # the same block from the same graphs: copied with its neighbours
        events.append((k, exists, s, text, givers))
    offsets, owner = array("q"), array("i")
    same = remap[:-1] == list(range(len(remap) - 1))  # no graph added or removed: the indexes hold
    redone = {e[2] for e in events}
    multi = {s: v for s, v in reg.multi.items() if s not in redone}
    count = reg.count
    cur = 0

    def copy_to(k: int) -> None:
        nonlocal cur
        if k > cur:
            a, b = reg.offsets[cur], reg.offsets[k]
            if mm[old_base + a] != 0x0A:
                raise Fallback("a block is not where the layout says")
            delta = out.pos - new_base - a
            offsets.extend(reg.offsets[cur:k] if delta == 0 else array("q", [o + delta for o in reg.offsets[cur:k]]))
            owner.extend(reg.owner[cur:k] if same else array("i", [remap[o] for o in reg.owner[cur:k]]))
            out.copy(src, old_base + a, old_base + b)
            cur = k

    for k, exists, s, text, givers in events:
        copy_to(k)
        if exists:
            count -= mm[old_base + reg.offsets[k]:old_base + reg.offsets[k + 1]].count(b"\n") - 1
            cur = k + 1
        if text is not None:
            offsets.append(out.pos - new_base)
            if len(givers) == 1:
                owner.append(new_index[givers[0][0]])
            else:
                owner.append(-1)
                multi[s] = tuple((name, _block_digest(b)) for name, b in givers)
            out.write(_element(text, reg.indent))
            count += count_pairs(text)
    copy_to(n)
    offsets.append(out.pos - new_base)
    if len(offsets) == 1:
        raise Fallback("no blocks left")  # an empty graph:inferred is written otherwise
    return Region(reg.indent, offsets, owner, multi, count)


def _spliced(gen: Path, old: Path, layout: Layout, ttl_name: str, trig_name: str, parts: list[Part],
             inferred_name: str | None, inferred_on: bool) -> tuple[Layout, int]:
    import mmap

    if layout.inferred_name != inferred_name or (layout.inferred is None) != (inferred_name is None):
        raise Fallback("graph:inferred is or is not written now")
    names = [p.name for p in parts]
    old_index = {n: i for i, n in enumerate(layout.names)}
    changed = {p.name for p in parts
               if p.name not in old_index or layout.versions[old_index[p.name]] != p.version}
    changed |= set(layout.names) - set(names)
    if len(changed) > max(SPLICE_MOST, len(names) // 8):
        # most graphs changed (another reasoning mode, an ontology edit): a whole write is quicker
        raise Fallback("most graphs changed")
    new_index = {n: i for i, n in enumerate(names)}
    remap = [new_index.get(n, -2) for n in layout.names] + [-1]
    by_name = {p.name: p for p in parts}
    asserted = [p for p in parts if p.blocks is not None]
    if not changed and names == layout.names and _linked(gen, old, ttl_name, trig_name):
        return Layout("", "", {}, inferred_name, names, layout.versions, layout.spans, layout.ttl, layout.inferred,
                      layout.ttl_base, layout.trig_base), 0
    with open(old / ttl_name, "rb") as src, mmap.mmap(src.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        with open(gen / ttl_name, "wb") as fh:
            out = _Out(fh)
            out.write((header([p.name for p in asserted], False) + prefix_lines()).encode())
            ttl_base = out.pos
            ttl = _splice_region(out, src, mm, layout.ttl_base, ttl_base, layout.ttl, layout.names, changed,
                                 new_index, remap, by_name, "asserted")
            out.flush()
    spans: list[tuple[int, int]] = []
    inferred = None
    with open(old / trig_name, "rb") as src, mmap.mmap(src.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        with open(gen / trig_name, "wb") as fh:
            out = _Out(fh)
            out.write((header(names, inferred_on, kept_apart=True) + prefix_lines()).encode())
            base = out.pos
            old_base = layout.trig_base
            for p in parts:
                i = old_index.get(p.name)
                if p.name == inferred_name:
                    out.write(b"\n")
                    start = out.pos - base
                    out.write(_graph_name(p.name).encode() + b" {")
                    inferred = _splice_region(out, src, mm, old_base + layout.spans[i][0], base + start,
                                              layout.inferred, layout.names, changed, new_index, remap,
                                              by_name, "inferred")
                    out.write(b"}\n")
                elif p.name in changed:
                    out.write(b"\n")
                    start = out.pos - base
                    out.write(p.trig().encode("utf-8"))
                else:
                    a, b = layout.spans[i]
                    if mm[old_base + a - 1] != 0x0A or mm[old_base + b - 2:old_base + b] != b"}\n":
                        raise Fallback("a graph is not where the layout says")
                    start = out.pos - base + 1
                    out.copy(src, old_base + a - 1, old_base + b)  # with the newline before it
                spans.append((start, out.pos - base))
            out.flush()
    return Layout("", "", {}, inferred_name, names, [p.version for p in parts], spans, ttl, inferred,
                  ttl_base, base), len(changed)


def _linked(gen: Path, old: Path, *names: str) -> bool:
    """Nothing changed: the old files linked into the new generation (the same bytes, nothing
    copied). False where the file system cannot (then they are copied)."""
    done = []
    try:
        for name in names:
            os.link(old / name, gen / name)
            done.append(name)
        return True
    except OSError:
        for name in done:
            (gen / name).unlink(missing_ok=True)
        return False


def write_build(gen: Path, old: Path | None, layout: Layout | None, code: str, ttl_name: str, trig_name: str,
                parts: list[Part], inferred_name: str | None, inferred_on: bool) -> tuple[Layout | None, int | None]:
    """Write ``ttl_name`` and ``trig_name`` in the new generation ``gen``: from the files in
    ``old`` where ``layout`` describes them, else whole. Gives the new layout (None where none
    is kept) and, where the old files were used, how many graphs changed (else None)."""
    if old is not None and isinstance(layout, Layout):
        try:
            if layout.code != code or layout.generation != str(old) or any(
                    _stamp(old / name) != layout.stamps.get(name) for name in (ttl_name, trig_name)):
                raise Fallback("not the files the layout describes")
            return _spliced(gen, old, layout, ttl_name, trig_name, parts, inferred_name, inferred_on)
        except Exception:  # whatever it is, writing the files whole gives the right bytes
            for name in (ttl_name, trig_name):
                (gen / name).unlink(missing_ok=True)
    return _whole(gen, ttl_name, trig_name, parts, inferred_name, inferred_on), None


def stamped(layout: Layout, gen: Path, code: str, ttl_name: str, trig_name: str) -> Layout:
    """The layout, naming the generation it describes, its files as they are now, and kg's code."""
    layout.code = code
    layout.generation = str(gen)
    layout.stamps = {name: _stamp(gen / name) for name in (ttl_name, trig_name)}
    return layout
