"""Publishing a folder whole: the build's outputs, the documentation and the store.

What kg publishes at a path (``build``, ``.kg/docs``, ``.kg/store``, or a path given with
``-o``/``--store``) is a symbolic link to one *generation*: a complete folder in the
*generations folder* beside it (``.build.generations/``, ``.kg/.docs.generations/``...). A
publish (:func:`publishing`)

1. checks the path (:func:`check`): kg replaces nothing it did not make. The path may be
   missing, an empty folder (nothing to lose), or kg's own link of the same kind; anything else
   (a folder with files in it, a file, a link kg did not make, kg's store where a build was
   asked for, a place inside one of kg's generations) is refused with :class:`NotMadeByKg`
   and left as it is;
2. takes the publish lock (``<generations>/lock``, an ``flock`` the kernel drops when the
   process dies): two publishers of one path take turns, so one never removes what the other is
   writing (two ``kg build`` at once both finish, and the second one's outputs win);
3. makes the new generation, *marked* as kg's: a marker file beside it
   (``.<generation>.kg-generation``, naming the kind) is made before the folder and removed
   after it, so each generation folder kg made has one, and the generation itself holds only
   what was published;
4. lets the caller fill it, syncs it to disk, and points the path at it by renaming a new
   link over the path (``rename(2)`` is atomic: a reader, or a publish killed at any instant,
   sees the old generation or the new one, never a mix);
5. removes older generations: only marked ones of the same kind, never the one published nor
   the one it replaced (a reader may still be reading it), nor one that ``busy`` says another
   process has open. What kg did not mark, in the generations folder or anywhere, it never
   deletes or moves.
"""
from __future__ import annotations

import errno
import fcntl
import os
import secrets
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterable, Iterator

from ..errors import KgError

GENERATIONS_SUFFIX = ".generations"
MARKER_SUFFIX = ".kg-generation"
LINK_SUFFIX = ".kg-link"
LOCK = "lock"

#: what kg publishes, and the command that publishes each
KINDS = {"build": "kg build", "docs": "kg docs", "store": "kg load"}


class NotMadeByKg(KgError):
    """The path to publish at holds something that kg did not make (or another kind of output):
    it is left as it is."""


class Locked(KgError):
    """Another process is publishing at the same path (only when not waiting for it)."""


def generations_dir(link: Path) -> Path:
    """Where the generations of ``link`` live: beside it, ``.<name>.generations``."""
    link = Path(os.path.abspath(link))
    return link.with_name(f".{link.name}{GENERATIONS_SUFFIX}")


def _marker(generation: Path) -> Path:
    return generation.with_name(f".{generation.name}{MARKER_SUFFIX}")


def kind_of(generation: Path) -> str | None:
    """The kind of the generation folder kg made at ``generation`` (from its marker), or None
    where kg did not make it."""
    marker = _marker(generation)
    try:
        if marker.is_symlink() or not marker.is_file():
            return None
        text = marker.read_text(encoding="ascii", errors="replace").split()
    except OSError:
        return None
    if len(text) == 3 and text[0] == "kg" and text[2] == "generation" and text[1] in KINDS:
        return text[1]
    return None


def _link_target(link: Path) -> Path | None:
    """Where kg's link ``link`` points (a folder directly in its generations folder, which may be
    gone), or None where ``link`` is not such a link."""
    try:
        target = os.readlink(link)
    except OSError:
        return None
    full = Path(os.path.normpath(os.path.join(os.path.dirname(link), target)))
    return full if full.parent == generations_dir(link) else None


def published(link: Path) -> Path | None:
    """The generation folder kg's link ``link`` points at now (its real path), or None."""
    target = _link_target(Path(os.path.abspath(link)))
    return Path(os.path.realpath(target)) if target is not None and target.is_dir() else None


def generation_holding(path: Path) -> Path | None:
    """The generation of kg's that ``path`` would be inside (where the real folder it is in, or
    one above, is a marked generation), or None."""
    here = Path(os.path.realpath(os.path.dirname(os.path.abspath(path))))
    for folder in (here, *here.parents):
        if folder.parent.name.endswith(GENERATIONS_SUFFIX) and kind_of(folder) is not None:
            return folder
    return None


def check_outside_generations(path: Path, shown: str | None = None, option: str = "-o") -> None:
    """Refuse to write ``path`` inside one of kg's generations: it would vanish with the next
    publish there (and a published generation is never written again)."""
    generation = generation_holding(path)
    if generation is not None:
        kind = kind_of(generation) or "build"
        raise NotMadeByKg(f"{shown or path}: inside a generation that '{KINDS[kind]}' made "
                          f"({generation.parent.name}/{generation.name}), which the next '{KINDS[kind]}' "
                          f"replaces; give another {option}")


def check(link: Path, kind: str, shown: str | None = None, option: str = "-o") -> Path | None:
    """Whether kg may publish a ``kind`` at ``link``; returns the generation it names now (None
    when it names none). Raises :class:`NotMadeByKg` where it may not; changes nothing."""
    shown = shown or str(link)
    link = Path(os.path.abspath(link))
    check_outside_generations(link, shown, option)
    if os.path.islink(link):
        target = _link_target(link)
        if target is None:
            raise _not_ours(shown, "a link", option)
        other = kind_of(target)
        if other is not None and other != kind:
            raise NotMadeByKg(f"{shown}: what '{KINDS[other]}' made, which '{KINDS[kind]}' does not replace; "
                              f"give another {option}")
        return target if target.is_dir() else None
    if not os.path.lexists(link):
        return None
    if not link.is_dir():
        raise _not_ours(shown, "a file", option)
    try:
        empty = not any(link.iterdir())
    except OSError:
        empty = False
    if not empty:
        raise _not_ours(shown, "a folder", option)
    return None


def _not_ours(shown: str, what: str, option: str) -> NotMadeByKg:
    return NotMadeByKg(f"{shown}: {what} that kg did not make{' (not empty)' if what == 'a folder' else ''}; "
                       f"kg left it as it is: move it away or give another {option}")


@contextmanager
def _lock(gens: Path, shown: str, wait: bool) -> Iterator[None]:
    fd = os.open(gens / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                raise Locked(f"{shown}: another kg process is writing it; try again when it is done") from None
            raise
        yield
    finally:
        os.close(fd)  # releases the lock


def _new_generation(gens: Path, kind: str) -> Path:
    """A new, empty generation folder, its marker made first."""
    while True:
        generation = gens / f"gen-{secrets.token_hex(6)}"
        try:
            fd = os.open(_marker(generation), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            continue
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(f"kg {kind} generation\n")
        try:
            os.mkdir(generation)
        except FileExistsError:  # a folder of that name that is not ours: leave it, try another
            _marker(generation).unlink()
            continue
        return generation


def _fsync(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _swap(link: Path, generation: Path, shown: str, option: str) -> None:
    """Point ``link`` at ``generation`` with one atomic rename of a new link."""
    gens = generation.parent
    tmp = gens / f".{os.getpid()}-{secrets.token_hex(4)}{LINK_SUFFIX}"
    os.symlink(os.path.relpath(generation, link.parent), tmp)
    try:
        if link.is_dir() and not link.is_symlink():
            try:  # the empty folder that check() let through: rename(2) cannot replace a folder
                link.rmdir()
            except OSError:
                raise _not_ours(shown, "a folder", option) from None
        os.replace(tmp, link)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync(link.parent)


def _points_at(link: Path, generation: Path) -> bool:
    """Whether ``link`` is a symbolic link to ``generation`` (an absolute path)."""
    try:
        target = os.readlink(link)
    except OSError:
        return False
    return Path(os.path.abspath(os.path.join(link.parent, target))) == generation


def _remove(generation: Path) -> None:
    """Remove a generation of kg's, then its marker (so a folder kg made always has one)."""
    if generation.is_dir() and not generation.is_symlink():
        shutil.rmtree(generation, ignore_errors=True)
        if generation.exists():
            return
    _marker(generation).unlink(missing_ok=True)


def clean_up(gens: Path, kind: str, keep: Iterable[Path], busy: Callable[[Path], bool] | None = None) -> None:
    """Remove the generations of ``kind`` that kg made in ``gens``, except ``keep`` and those
    that ``busy`` says are in use; and the temporary links kg left there."""
    keep = {Path(os.path.abspath(k)) for k in keep}
    for marker in gens.glob(f".*{MARKER_SUFFIX}"):
        generation = marker.with_name(marker.name[1:-len(MARKER_SUFFIX)])
        if generation in keep or kind_of(generation) != kind:
            continue
        if generation.is_dir() and busy is not None and busy(generation):
            continue
        _remove(generation)
    for tmp in gens.glob(f".*{LINK_SUFFIX}"):
        if tmp.is_symlink():
            tmp.unlink(missing_ok=True)


@contextmanager
def publishing(link: Path, kind: str, shown: str | None = None, option: str = "-o", wait: bool = True,
               busy: Callable[[Path], bool] | None = None) -> Iterator[Path]:
    """Publish a new generation of ``kind`` at ``link``: yields the new, empty generation folder
    for the caller to fill; when the block ends without an error, the folder is synced and
    ``link`` points at it; on an error before that it is removed and ``link`` is left as it
    was (an interrupt once ``link`` points at it leaves it published).

    Waits for another publisher of ``link`` to finish (or raises :class:`Locked` at once when
    not ``wait``). ``busy(generation)`` tells an older generation that another process has open
    (it is kept). See the module's docstring.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown kind of output {kind!r}")
    shown = shown or str(link)
    link = Path(os.path.abspath(link))
    check(link, kind, shown, option)
    gens = generations_dir(link)
    gens.mkdir(parents=True, exist_ok=True)
    with _lock(gens, shown, wait):
        previous = check(link, kind, shown, option)  # again: it may have changed while we waited
        generation = _new_generation(gens, kind)
        try:
            yield generation
            for path in generation.iterdir():
                if path.is_file() and not path.is_symlink():
                    _fsync(path)
            _fsync(generation)
            _fsync(gens)
            _swap(link, generation, shown, option)
        except BaseException:
            # an interrupt (Ctrl-C, SIGTERM in kg build --watch) may come once the link is
            # renamed but before the swap returns: what the path points at is published, and
            # is kept; only a generation never published is removed
            if not _points_at(link, generation):
                _remove(generation)
            raise
        clean_up(gens, kind, [generation, *([previous] if previous is not None else [])], busy)


def publish_files(link: Path, kind: str, files: dict[str, bytes | Iterable[str]], shown: str | None = None,
                  option: str = "-o") -> None:
    """Publish ``files`` (name -> bytes, or pieces of text written as UTF-8) as a new generation
    of ``kind`` at ``link``."""
    from .export import write_pieces

    with publishing(link, kind, shown, option) as generation:
        for name, content in files.items():
            with open(generation / name, "wb") as fh:
                write_pieces(fh, content)
