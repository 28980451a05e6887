"""The embedded triple store: loading the build into an on-disk Oxigraph store (queried by
``kg.engines.oxigraph_engine``).

How a load stays whole
----------------------
``kg load`` never writes into the store that readers see. The store path (``.kg/store`` by
default) is a symbolic link to one *generation*: a complete Oxigraph store in
``.kg/.store.generations/``, published by ``kg.output.publish.publishing`` as the build's outputs
are. A load

1. checks the store path: kg replaces only a store link it made or an empty folder, and
   refuses anything else (a folder it did not make, a link of someone else's, the build);
2. takes the publish lock (``.store.generations/lock``, an advisory lock the kernel drops
   when the process dies, so a killed load never leaves it held); a second load stops at once;
3. bulk-loads ``build/kg.trig`` into a new, marked generation directory, which nobody reads yet
   (the bulk loader writes sorted files directly and is fast on large inputs, but is not
   transactional: that is why it only ever writes into an unpublished directory);
4. checks each graph's triple count against ``build/manifest.json``, flushes, closes the new
   store and syncs it to disk;
5. publishes it by renaming a new link over the store path (``rename(2)`` is atomic: a reader,
   or a load killed at any instant, sees either the old link or the new one);
6. removes older generations that kg made (keeping the one just replaced, which a reader may
   still have open, and any generation that another process holds open).

So after a ``SIGKILL`` at any point the store path names either the previous generation (every
graph old) or the new one (every graph new) — never a mix, and never a half-loaded graph. A
graph dropped from the build (an article removed from ``data/``) is simply absent from the new
generation. Per-graph swaps inside one store (load into a staging graph, then ``MOVE``) would
also be atomic per graph, but a half-loaded staging graph left by a killed load would show up
in every query over the union of the graphs until the next load cleaned it.

A published generation is never written again, so readers open it read-only
(:meth:`kg.engines.oxigraph_engine.OxigraphEngine.open`), which is safe with any number of readers and a load running.
"""
from __future__ import annotations

import gc
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..engines.oxigraph_engine import StoreError, graph_counts, graph_sort_key, locked_by_other_process, open_store
from ..errors import KgError

#: where ``kg load`` keeps the store, under the project
DEFAULT_STORE = Path(".kg") / "store"
#: the publish lock in the store's generations folder
LOAD_LOCK = "lock"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def default_store_dir(project) -> Path:
    """The store that ``kg load`` fills when no ``--store`` is given: ``.kg/store``."""
    return project.root / DEFAULT_STORE


def store_info(store_dir: Path) -> dict[str, int]:
    """The triple count of each graph of the store (the default graph as ``""``)."""
    store = open_store(store_dir)
    try:
        return graph_counts(store)
    except Exception as exc:
        raise StoreError(f"{store_dir}: cannot read the store: {_first_line(exc)}") from None


# --- loading ---------------------------------------------------------------------------------


@dataclass
class LoadResult:
    """What a load did: where, each graph's triple count, the graphs it removed."""

    target: str
    graphs: dict[str, int]
    removed: list[str] = field(default_factory=list)

    @property
    def triples(self) -> int:
        return sum(self.graphs.values())


def generations_dir(store_dir: Path) -> Path:
    """Where the generations of the store live: beside it, ``.<name>.generations`` (as the
    build's generations are kept beside ``build``)."""
    from ..output.publish import generations_dir as beside

    return beside(store_dir)


class _Counted(io.RawIOBase):
    """A file read through, telling ``progress(n)`` how many bytes each read took."""

    def __init__(self, raw, progress: Callable[[int], None]):
        super().__init__()
        self.raw, self.progress = raw, progress

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = self.raw.readinto(buffer) or 0
        self.progress(n)
        return n


def _build_generation(path: Path, trig: Path, progress: Callable[[int], None] | None = None) -> dict[str, int]:
    """Bulk-load the TriG into a new store at ``path``; close it; return its graph counts.
    ``progress(n)`` is told the bytes of the TriG as they are read."""
    import pyoxigraph as ox

    store = ox.Store(str(path))
    try:
        if progress is None:
            store.bulk_load(path=str(trig), format=ox.RdfFormat.TRIG)
        else:
            with open(trig, "rb", buffering=0) as raw:
                store.bulk_load(input=_Counted(raw, progress), format=ox.RdfFormat.TRIG)
        counts = graph_counts(store)
        store.optimize()
        store.flush()
    finally:
        del store
        gc.collect()  # nothing else refers to the store: this closes it and frees its LOCK
    return counts


def load_store(store_dir: Path, trig: Path, expected: dict[str, int] | None = None,
               progress: Callable[[int], None] | None = None,
               prepare: Callable[[Path], None] | None = None) -> LoadResult:
    """Replace the content of the store at ``store_dir`` with the named graphs of ``trig``
    (``progress(n)``: the bytes of ``trig`` read so far, in steps). ``prepare(generation)`` is
    called on the new store, loaded, checked and closed, before it is published (``kg load
    --materialize`` keeps the saved listings' results in it): if it fails, nothing is published.

    ``expected`` (from ``kg.output.manifest.read_manifest``) is each graph's triple count: a load whose counts
    differ is not published. See the module's docstring for why a load is all old or all new.
    """
    from ..output.publish import Locked, publishing

    store_dir = Path(store_dir)
    shown = str(store_dir)
    if store_dir.exists() and not store_dir.is_dir():
        raise StoreError(f"{shown}: not a store (it is a file, not a directory)")
    try:
        with publishing(store_dir, "store", shown, option="--store", wait=False,
                        busy=locked_by_other_process) as generation:
            previous: dict[str, int] = {}
            if store_dir.is_symlink() and store_dir.exists():
                if locked_by_other_process(store_dir.resolve()):
                    raise StoreError(
                        f"{shown}: the store is locked by another process that has it open for writing "
                        "(an 'oxigraph serve' or a running program); stop it and load again")
                try:
                    previous = store_info(store_dir)
                except StoreError:
                    previous = {}  # unreadable old generation: it is replaced all the same
            try:
                counts = _build_generation(generation, trig, progress)
            except SyntaxError as exc:
                raise KgError(f"{trig}: cannot load: {_first_line(exc)}") from None
            if expected is not None:
                check_counts(counts, expected, trig)
            if prepare is not None:
                prepare(generation)
    except Locked:
        raise StoreError(f"{shown}: the store is locked by another process "
                         "(another 'kg load' is writing it); try again when it is done") from None
    except OSError as exc:
        raise StoreError(f"{shown}: cannot write the store: {_first_line(exc)}") from None
    removed = sorted((g for g in previous if g and g not in counts), key=graph_sort_key)
    return LoadResult(shown, counts, removed)


def check_counts(counts: dict[str, int], expected: dict[str, int], trig: Path) -> None:
    for graph in sorted(set(counts) | set(expected), key=graph_sort_key):
        have, want = counts.get(graph, 0), expected.get(graph, 0)
        if have != want:
            name = "the default graph" if graph == "" else f"<{graph}>"
            raise KgError(f"{trig}: {name} loaded {have} triples but the build manifest says {want}; "
                          "run 'kg build' and load again")
