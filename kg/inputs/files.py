"""Reading a file kg is given: one reader for every input, one rule for what may be read.

A fact or reference file, the ontology, the shapes, a query file, an article's text, a cache
entry: each is read by ``read_bytes``, which reads only a regular file (a pipe would block
forever, a device such as ``/dev/zero`` never ends), at most ``limit`` bytes of it (it stops
reading there, so a file that grows meanwhile is not read further), and turns every failure
(missing, a folder, a symlink loop, no permission) into one ``InputError`` line. A file name
shown in an error has its control characters escaped (``shown``), so the error stays one line.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

from ..errors import InputError
from .values import escape_controls

#: the largest file kg reads as input (a fact, reference, ontology or shapes file), in bytes
MAX_BYTES = 64 * 1024 * 1024
#: the largest query file, in bytes
MAX_QUERY_BYTES = 1024 * 1024

_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # opening a pipe does not wait for a writer
_FLAGS = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)


def shown(path: str | os.PathLike) -> str:
    """A file name as an error shows it: one line, control characters escaped."""
    return escape_controls(os.fsdecode(path))


def refusal(info: os.stat_result, limit: int | None, what: str = "a fact file") -> str | None:
    """Why a file with this ``stat`` is not read (not a regular file, larger than ``limit``),
    or None: the rule of ``read_bytes``, which the cache uses to leave such files to it."""
    if not stat.S_ISREG(info.st_mode):
        return f"not a regular file (a device, a pipe or a folder); {what} is a file"
    if limit is not None and info.st_size > limit:
        return f"the file is {info.st_size:,} bytes, more than the {limit:,} {what} may have"
    return None


class Refused(OSError):
    """A file that ``open_regular`` will not open; ``str()`` says why."""


def open_regular(path: str | os.PathLike, what: str = "a file", limit: int | None = None) -> BinaryIO:
    """A regular file of at most ``limit`` bytes, opened for reading; anything else raises an
    ``OSError`` (``Refused`` for a pipe, a device, a folder or a file too large), so that code
    which ignores files it cannot read (the cache) ignores these too. A pipe is never waited
    for: it is opened without blocking and refused on what the opened file is."""
    problem = refusal(os.stat(path), limit, what)  # refused before it is even opened
    if problem is not None:
        raise Refused(problem)
    fd = os.open(path, _FLAGS | _NONBLOCK)
    try:
        problem = refusal(os.fstat(fd), limit, what)  # the file opened, not the one looked at
        if problem is not None:
            raise Refused(problem)
        if _NONBLOCK:
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_bytes(path: Path, display: str | None = None, what: str = "a fact file",
               limit: int | None = MAX_BYTES) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes; errors name ``display``."""
    display = shown(display if display is not None else path)
    try:
        with open_regular(path, what, limit) as fh:
            # at most one byte over the limit: a file that grows meanwhile is not read further
            data = fh.read() if limit is None else fh.read(limit + 1)
    except OSError as exc:
        raise InputError(cannot_read(exc), display) from None
    if limit is not None and len(data) > limit:
        raise InputError(f"the file is more than the {limit:,} bytes {what} may have", display)
    return data


def read_text(path: Path, display: str | None = None, what: str = "a fact file",
              limit: int | None = MAX_BYTES) -> str:
    """The text of a file as ``read_bytes`` reads it, which must be UTF-8."""
    display = shown(display if display is not None else path)
    return decode_utf8(read_bytes(path, display, what, limit), display)


def decode_utf8(data: bytes, display: str) -> str:
    """``data`` as UTF-8; a byte that is not is an error with its line, column and offset."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = position(data, exc.start)
        raise InputError(f"not UTF-8: byte 0x{data[exc.start]:02x} at column {column} (offset {exc.start})",
                         display, line) from None


def position(data: bytes, offset: int) -> tuple[int, int]:
    """The (1-based) line and column of a byte offset; the column counts characters."""
    line = data[:offset].count(b"\n") + 1
    start = data.rfind(b"\n", 0, offset) + 1
    column = len(data[start:offset].decode("utf-8", errors="replace")) + 1
    return line, column


def cannot_read(exc: OSError) -> str:
    """An OSError as the reason a file cannot be read."""
    if isinstance(exc, Refused):
        return str(exc)
    if isinstance(exc, FileNotFoundError):
        return "file not found"
    return f"cannot read the file ({exc.strerror or type(exc).__name__})"
