"""A content-addressed cache of per-article build results, under ``.kg/cache/`` in the project.

An entry's key is the SHA-256 of the article file's bytes, its path, and the inputs key: the
bytes of the ontology, the shapes and every reference file, the kg version, the engine, the
reasoning mode and whether validation ran. So an unchanged article is not read, built,
validated or reasoned over again, and any change to what it depends on misses the cache.
(Reference files count as a whole: a changed reference entity rebuilds every article.)

Entries are pickles written to a temporary file and renamed into place; an entry that cannot
be read (truncated, corrupt, from another Python) is ignored and rebuilt. Entries no build
used are left for ``kg build --no-cache`` or ``rm -r .kg/cache`` to clear.
"""
from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any, Iterable

FORMAT = b"kg-cache-1\n"


def digest_files(paths: Iterable[Path], extra: str = "") -> str:
    h = hashlib.sha256(FORMAT + extra.encode())
    for p in paths:
        h.update(str(p.name).encode() + b"\0")
        try:
            h.update(p.read_bytes())
        except FileNotFoundError:
            h.update(b"\1missing")
        h.update(b"\0")
    return h.hexdigest()


class Cache:
    def __init__(self, folder: Path, inputs_key: str) -> None:
        self.folder = Path(folder)
        self.inputs_key = inputs_key
        self.hits = 0
        self.misses = 0

    def key(self, path: Path) -> str | None:
        try:
            data = Path(path).read_bytes()
        except OSError:
            return None
        h = hashlib.sha256(self.inputs_key.encode() + b"\0" + Path(path).name.encode() + b"\0")
        h.update(data)
        return h.hexdigest()

    def _file(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.pickle"

    def get(self, path: Path) -> Any | None:
        key = self.key(path)
        if key is None:
            return None
        try:
            with open(self._file(key), "rb") as fh:
                if fh.read(len(FORMAT)) != FORMAT:
                    raise ValueError("not a kg cache entry")
                value = pickle.load(fh)
        except FileNotFoundError:
            self.misses += 1
            return None
        except Exception:  # a corrupt or foreign entry: rebuild it
            self.misses += 1
            return None
        self.hits += 1
        return value

    def put(self, path: Path, value: Any) -> None:
        key = self.key(path)
        if key is None:
            return
        target = self._file(key)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".entry-", dir=target.parent)
            with os.fdopen(fd, "wb") as fh:
                fh.write(FORMAT)
                pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, target)
        except OSError:
            # a read-only project still builds, without caching
            try:
                os.unlink(tmp)
            except Exception:
                pass
