"""A content-addressed cache of per-article build results, under ``.kg/cache/`` in the project.

An entry's key is the SHA-256 of the article file's bytes, its name, and the inputs key: the
bytes of the ontology and the shapes, the engine, the reasoning mode and whether validation
ran, and the code key: the SHA-256 of every file of the ``kg`` package (``code_key``), so that
entries made by other code (an upgrade, a local edit) are never used. The reference files are
not part of the key: an entry names the reference entities (and data concepts) its article
reaches, with a digest of their definitions and entailments, and the build uses it only where
those are unchanged (``kg.pipeline._Setup.current``), so that editing or adding one entity
rebuilds only the articles that use it. So an unchanged article is not read, built, validated
or reasoned over again, and any change to what it depends on misses the cache. What the whole
build needs of the reference entities (their validation results and entailments, the rendered
graphs) is kept the same way, under the inputs key and the digest of the reference files
(``get_context``), one at a time.

Every record is verified when read: a record in the pack carries the SHA-256 of its bytes in
its header, and the index and the context files the SHA-256 of theirs; a record whose bytes do
not match (a flipped bit, a torn write), whose index entry is malformed, or which cannot be
unpickled is ignored and rebuilt. The bytes kept beside an entry (its triples, which most builds
never read) are checked when first read; where they do not match, the article is built again for
them and its entry forgotten (the next build rebuilds it). The index is also checked entry by
entry for its shape, so that a readable but wrong one only costs hashing again.

The content hash is the truth; ``index.pickle`` only saves reading and hashing every article
again: it keeps each article's size, modification and change times (ns), inode and device with
the SHA-256 of its bytes, and a file whose stamp is unchanged is not read again, provided that
it had last changed well before it was hashed (a file changed within ``RACY_NS`` of its
hashing is hashed again, as git does with "racily clean" files). The change time is set by the
system on every write and cannot be put back, so an edit that keeps the size and restores the
modification time (``touch -r``, ``cp -p``) is seen.

Beside the entries: the results of the last check across articles with the key of what they
were made from (``crosscheck.pickle``, ``kg.build.crosscheck.Memo``), the layouts of the
last outputs (``layout/``, ``kg.output.splice``) and the inputs as the last build read them
(``inputs/``, ``kg.pipeline._kept_inputs``), each written whole and read back only where its
checksum matches.

Entries are pickles written to a temporary file and renamed into place, or appended to the
pack in one write. Entries no build used are left for ``kg build --no-cache`` or ``rm -r
.kg/cache`` to clear.
"""
from __future__ import annotations

import hashlib
import os
import pickle
import re
import stat
import sys
import tempfile
import time
from functools import lru_cache
from pathlib import Path
from typing import Any, BinaryIO, Callable, Iterable

from ..errors import KgError
from ..inputs.files import open_regular

FORMAT = b"kg-cache-9\n"
INDEX = "index.pickle"
#: the results of the last cross-article check, with their key (``kg.build.crosscheck.Memo``)
MEMO = "crosscheck.pickle"
#: the start of every record in the pack, before its key, its length and its checksum
RECORD = b"\n%kg-record "
#: the length of a record's checksum (SHA-256), after its length
CHECK = 32
SIDE = ":side"
#: a pack is rewritten when it is larger than twice what the build used, plus this
SLACK = 1 << 20
#: the index's entry for the packs (the others are files)
PACKS = "\0packs"
#: a file that last changed this close (ns) to its hashing is hashed again next time
RACY_NS = 2_000_000_000
#: offsets and lengths in a pack are below this (a larger one in the index is malformed)
LIMIT = 1 << 62
_HEX64 = re.compile(r"[0-9a-f]{64}")


@lru_cache(maxsize=1)
def code_key() -> str:
    """The SHA-256 of kg's own code: every file of the ``kg`` package (by its path inside the
    package), and the Python it runs on. Computed once per process (~10 ms)."""
    root = Path(__file__).resolve().parents[1]  # the kg package
    h = hashlib.sha256(FORMAT + sys.implementation.cache_tag.encode() + b"\0")
    for path in sorted(root.rglob("*")):
        if "__pycache__" in path.parts or path.suffix == ".pyc" or not path.is_file():
            continue
        h.update(path.relative_to(root).as_posix().encode() + b"\0")
        try:
            h.update(_sha256_of(path).digest())
        except OSError:  # unreadable: the key still differs from that of readable code
            h.update(b"\1unreadable")
        h.update(b"\0")
    return h.hexdigest()


def _stamp(st: os.stat_result) -> tuple[int, int, int, int, int]:
    """What the index compares: size, modification and change times, inode and device."""
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev)


def _is_file_entry(entry) -> bool:
    """Whether an index entry for a file is (stamp, hex SHA-256, when hashed)."""
    return (type(entry) is tuple and len(entry) == 3
            and type(entry[0]) is tuple and len(entry[0]) == 5 and all(type(n) is int for n in entry[0])
            and type(entry[1]) is str and _HEX64.fullmatch(entry[1]) is not None
            and type(entry[2]) is int)


def _is_where(where) -> bool:
    """Whether an index entry for a record is (offset, length) in its pack."""
    return (type(where) is tuple and len(where) == 2
            and all(type(n) is int and 0 <= n < LIMIT for n in where))


def _checked_index(raw) -> dict:
    """The entries of a loaded index that have the right shape (the others are dropped: their
    files are hashed again, their records rebuilt)."""
    index: dict = {PACKS: {}}
    if type(raw) is not dict:
        return index
    for name, entry in raw.items():
        if type(name) is str and name != PACKS and _is_file_entry(entry):
            index[name] = entry
    packs = raw.get(PACKS)
    if type(packs) is dict:
        for inputs_key, offsets in packs.items():
            if type(inputs_key) is str and type(offsets) is dict:
                index[PACKS][inputs_key] = {k: w for k, w in offsets.items() if type(k) is str and _is_where(w)}
    return index


def _hashable(st: os.stat_result) -> bool:
    """Whether a file may be hashed: a regular file the reader would read (a device, a pipe or
    a file over the reader's limit is left to the reader, which refuses it with its error)."""
    from ..inputs.files import MAX_BYTES, refusal

    return refusal(st, MAX_BYTES) is None


def _sha256_of(name, h=None):
    """The SHA-256 of a file, read in blocks."""
    h = h if h is not None else hashlib.sha256()
    with open(name, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h


def digest_files(paths: Iterable[Path], extra: str = "") -> str:
    h = hashlib.sha256(FORMAT + extra.encode())
    for p in paths:
        h.update(str(p.name).encode() + b"\0")
        try:
            st = os.stat(p)
            if _hashable(st):
                _sha256_of(p, h)
            else:  # the reader refuses it; the key only has to differ
                h.update(b"\1unreadable" + repr((st.st_mode, st.st_size, st.st_mtime_ns)).encode())
        except FileNotFoundError:
            h.update(b"\1missing")
        h.update(b"\0")
    return h.hexdigest()


class Cache:
    def __init__(self, folder: Path, inputs_key: str) -> None:
        self.folder = Path(folder)
        #: what the entries depend on besides each article: the given inputs and kg's code
        self.inputs_key = hashlib.sha256(f"{code_key()}\0{inputs_key}".encode()).hexdigest()
        self.hits = 0
        self.misses = 0
        self._index: dict | None = None
        self._index_changed = False
        self._mm = None
        #: the records this build used or wrote: key -> (offset, length)
        self._used: dict[str, tuple[int, int]] = {}

    # --- the stat index ------------------------------------------------------------------

    def _load_index(self) -> dict[str, Any]:
        if self._index is None:
            # missing, corrupt or foreign: hash every file; malformed entries: those files
            try:
                self._index = _checked_index(self._read(self.folder / INDEX))
            except Exception:
                self._index = _checked_index(None)
        return self._index

    def content_hash(self, path: Path) -> str | None:
        """The SHA-256 of the file's bytes, from the index where the file is unchanged."""
        index = self._load_index()
        name = os.fspath(path)
        now = time.time_ns()  # before the file is looked at: a later change is after it
        try:
            st = os.stat(name)
        except OSError:
            return None
        stamp = _stamp(st)
        known = index.get(name)
        if known is not None and known[0] == stamp and max(st.st_mtime_ns, st.st_ctime_ns) + RACY_NS < known[2]:
            return known[1]
        if not _hashable(st):
            return None  # not cached: the reader reports what is wrong with the file
        try:
            digest = _sha256_of(name).hexdigest()
        except OSError:
            return None
        index[name] = (stamp, digest, now)
        self._index_changed = True
        return digest

    def save_index(self) -> None:
        """Write the index (temporary file and rename), where it changed."""
        if not self._index_changed or self._index is None:
            return
        self._write(self.folder / INDEX, self._index)
        self._index_changed = False

    # --- entries, in a pack file ------------------------------------------------------

    def key(self, path: Path) -> str | None:
        digest = self.content_hash(path)
        if digest is None:
            return None
        h = hashlib.sha256(self.inputs_key.encode() + b"\0" + os.path.basename(path).encode() + b"\0")
        h.update(digest.encode())
        return h.hexdigest()

    def _pack_path(self) -> Path:
        return self.folder / f"pack-{self.inputs_key[:32]}"

    def _offsets(self) -> dict[str, tuple[int, int]]:
        return self._load_index()[PACKS].setdefault(self.inputs_key, {})

    def _map(self):
        if self._mm is None:
            import mmap

            try:
                with open_regular(self._pack_path()) as fh:
                    self._mm = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
            except (OSError, ValueError):  # no pack yet, or an empty one
                self._mm = b""
        return self._mm

    def _record(self, key: str, check: bool = True) -> memoryview | None:
        """The bytes stored under ``key``, checked against the record's own header and the
        checksum in it; None where they do not match. ``check=False``: the header only (the
        caller checks the bytes against ``_checksum`` before it uses them)."""
        where = self._offsets().get(key)
        if where is None:
            return None
        offset, length = where
        mm = self._map()
        head = RECORD + key.encode() + length.to_bytes(8, "little")
        start = offset + len(head) + CHECK
        if start + length > len(mm) and self._mm is not None:
            self._mm = None  # appended to since it was mapped
            mm = self._map()
        if start + length > len(mm) or mm[offset:offset + len(head)] != head:
            return None
        data = memoryview(mm)[start:start + length]
        if check and hashlib.sha256(data).digest() != mm[start - CHECK:start]:
            return None
        self._used[key] = where
        return data

    def get(self, path: Path) -> Any | None:
        """The entry of an article, or None (also for an entry that cannot be read)."""
        key = self.key(path)
        if key is None:
            return None
        try:
            data = self._record(key)
            if data is None:
                raise KeyError(key)
            value, has_side = pickle.loads(data)
            if has_side:  # its bytes checked when they are read (most builds never read them)
                side = self._record(key + SIDE, check=False)
                if side is None:
                    raise KeyError(key + SIDE)
                value.attach(_Side(side, self._checksum(key + SIDE)))
        except Exception:  # missing, or a corrupt or foreign entry: rebuild it
            self.misses += 1
            return None
        self.hits += 1
        return value

    def held(self, key: str, value: Any) -> bool:
        """Use ``value``, which the caller holds from an earlier read or write of the entry under
        ``key`` (``kg.pipeline.Warm``), as ``get`` would have read it: the entry is kept in use
        (``save`` keeps what a build used) and its side bytes attached again from the pack as
        it is now. False where the pack no longer holds the entry whole."""
        if self._record(key, check=False) is None:
            return False
        if key + SIDE in self._offsets():
            side = self._record(key + SIDE, check=False)
            if side is None:
                return False
            value.attach(_Side(side, self._checksum(key + SIDE)))
        self.hits += 1
        return True

    def forget(self, path: Path) -> None:
        """Drop the entry of an article (found damaged): the next build rebuilds it."""
        key = self.key(path)
        offsets = self._offsets()
        for k in (key, f"{key}{SIDE}") if key is not None else ():
            offsets.pop(k, None)
            self._used.pop(k, None)
        self._index_changed = True
        self.save_index()

    def _checksum(self, key: str) -> bytes:
        offset, length = self._offsets()[key]
        start = offset + len(RECORD) + len(key.encode()) + 8
        return bytes(self._map()[start:start + CHECK])

    def get_many(self, paths: Iterable[Path]) -> list[Any | None]:
        return [self.get(p) for p in paths]

    def put(self, path: Path, value: Any, side: bytes | None = None) -> Callable[[], bytes] | None:
        """Append the entry of an article to the pack; ``side``: bytes kept beside it and read
        only when asked for (``value.attach``). Gives a function reading ``side`` back from the
        pack (so that the caller need not keep it), or None where it was not written."""
        key = self.key(path)
        if key is None:
            return None
        reader = None
        if side is not None:
            self._append(key + SIDE, side)
            if key + SIDE in self._used:
                reader = _Stored(self, key + SIDE)
        self._append(key, pickle.dumps((value, side is not None), protocol=pickle.HIGHEST_PROTOCOL))
        return reader

    def _append(self, key: str, data: bytes) -> None:
        head = RECORD + key.encode() + len(data).to_bytes(8, "little") + hashlib.sha256(data).digest()
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd = os.open(self._pack_path(), os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NONBLOCK", 0), 0o644)
            try:
                if not stat.S_ISREG(os.fstat(fd).st_mode):
                    return
                os.write(fd, head + data)  # one write: appended whole, after any other build's
                end = os.lseek(fd, 0, os.SEEK_CUR)
            finally:
                os.close(fd)
        except OSError:  # a read-only project still builds, without caching
            return
        where = (end - len(head) - len(data), len(data))
        self._offsets()[key] = where
        self._used[key] = where
        self._index_changed = True

    def save(self) -> None:
        """Write the index; rewrite the pack with only this build's entries when more than half
        of it is entries no build uses any more, and remove the packs of other inputs."""
        offsets = self._offsets()
        for stale in set(offsets) - set(self._used):
            del offsets[stale]
            self._index_changed = True
        self._mm = None  # the pack as it is now, with this build's records
        mm = self._map()
        live = sum(length + len(RECORD) + len(key) + 8 + CHECK for key, (_o, length) in self._used.items())
        if len(mm) > 2 * live + SLACK:
            self._compact(mm)
        packs = self._index.get(PACKS, {})
        for other in [k for k in packs if k != self.inputs_key]:
            del packs[other]
            self._index_changed = True
        for path in self.folder.glob("pack-*"):
            if path != self._pack_path():
                try:
                    path.unlink()
                except OSError:
                    pass
        self.save_index()

    def _compact(self, mm) -> None:
        offsets = {}

        def write(fh) -> None:
            for key, (offset, length) in sorted(self._used.items(), key=lambda kv: kv[1][0]):
                head = RECORD + key.encode() + length.to_bytes(8, "little")
                offsets[key] = (fh.tell(), length)
                fh.write(head)  # the checksum and the bytes, as read and checked
                fh.write(mm[offset + len(head):offset + len(head) + CHECK + length])

        if not _replace(self._pack_path(), ".pack-", write):
            return
        self._index[PACKS][self.inputs_key] = offsets
        self._used = dict(offsets)
        self._mm = None  # read the new pack from now on
        self._index_changed = True

    # --- single files: the index and the context ---------------------------------------

    def _read(self, target: Path) -> Any | None:
        return read_checked(target)

    def _write(self, target: Path, value: Any) -> None:
        write_checked(target, value)

    # --- the last cross-article check ----------------------------------------------------

    def get_memo(self, key: str) -> Any | None:
        """What ``put_memo`` kept under ``key`` (the last one only), or None."""
        kept = read_checked(self.folder / MEMO)
        if type(kept) is tuple and len(kept) == 2 and kept[0] == key:
            return kept[1]
        return None

    def put_memo(self, key: str, value: Any) -> None:
        write_checked(self.folder / MEMO, (key, value))

    # --- what the whole build needs of the reference entities ----------------------------

    def _context_file(self, extra: str = "") -> Path:
        key = hashlib.sha256(self.inputs_key.encode() + b"\0context\0" + extra.encode()).hexdigest()
        return self.folder / "context" / f"{key}.pickle"

    def get_context(self, extra: str = "") -> Any | None:
        """What ``put_context`` kept under the inputs key and ``extra`` (the reference files'
        digest), or None."""
        return self._read(self._context_file(extra))

    def put_context(self, value: Any, extra: str = "") -> None:
        """Keep ``value`` under the inputs key and ``extra``, and remove the context files of
        other inputs (a reference edited again and again leaves one file, not one an edit)."""
        write_alone(self._context_file(extra), value)


def read_checked(target: Path) -> Any | None:
    """What ``write_checked`` wrote at ``target``, or None where it is missing, or its checksum
    does not match, or it cannot be unpickled."""
    try:
        with open_regular(target) as fh:
            data = memoryview(fh.read())
        start = len(FORMAT) + CHECK
        if data[:len(FORMAT)] != FORMAT or hashlib.sha256(data[start:]).digest() != data[len(FORMAT):start]:
            raise ValueError("not a kg cache entry, or a damaged one")
        return pickle.loads(data[start:])
    except Exception:  # missing, or a corrupt or foreign entry
        return None


def write_checked(target: Path, value: Any) -> bool:
    """``value`` pickled at ``target`` after the format and its checksum, whole or not at all
    (``_replace``); False where that fails (a read-only project still builds, without caching)."""
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)

    def write(fh) -> None:
        fh.write(FORMAT + hashlib.sha256(data).digest())
        fh.write(data)

    return _replace(target, ".entry-", write)


def write_alone(target: Path, value: Any) -> bool:
    """``write_checked``, then the other ``*.pickle`` files beside ``target`` removed: one file
    kept for what is current (the context, the inputs read), not one for each past state."""
    written = write_checked(target, value)
    for other in target.parent.glob("*.pickle"):
        if other != target:
            try:
                other.unlink()
            except OSError:
                pass
    return written


def _replace(target: Path, prefix: str, write: Callable[[BinaryIO], None]) -> bool:
    """Write ``target`` whole or not at all: ``write`` fills a temporary file beside it (its name
    starts with ``prefix``), which then replaces ``target`` in one rename. False where that
    fails (an ``OSError``: a read-only project, a full disk), and no temporary file is left."""
    tmp = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=prefix, dir=target.parent)
        with os.fdopen(fd, "wb") as fh:
            write(fh)
        os.replace(tmp, target)
        return True
    except OSError:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        return False


class DamagedRecord(KgError):
    """Bytes kept beside an entry that no longer match their checksum (read only when used)."""


class _Side:
    """Bytes kept beside an entry in the pack, copied out of the mapped pack and checked against
    their checksum when first asked for (``DamagedRecord`` where they do not match)."""

    def __init__(self, data: memoryview, checksum: bytes) -> None:
        self.data = data
        self.checksum = checksum

    def __call__(self) -> bytes:
        data = bytes(self.data)
        if hashlib.sha256(data).digest() != self.checksum:
            raise DamagedRecord("a record of the build cache is damaged; kg build --no-cache rebuilds it")
        return data


class _Stored:
    """Bytes this build appended to the pack, read back (and checked) when called."""

    def __init__(self, cache: Cache, key: str) -> None:
        self.cache, self.key = cache, key

    def __call__(self) -> bytes:
        data = self.cache._record(self.key)
        if data is None:
            raise KgError(f"the build cache's record {self.key[:12]} changed while the build ran; "
                          "build again (kg build --no-cache to rebuild everything)")
        return bytes(data)
