"""The embedded triple store: loading the build into an on-disk Oxigraph store, and querying
Oxigraph (that store, or an in-memory store made from ``build/kg.trig``).

How a load stays whole
----------------------
``kg load`` never writes into the store that readers see. The store path (``.kg/store`` by
default) is a symbolic link to one *generation*: a complete Oxigraph store in
``.kg/.store.generations/``, published by ``kg.generations.publishing`` as the build's outputs
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
(:meth:`OxigraphEngine.open`), which is safe with any number of readers and a load running.
"""
from __future__ import annotations

import errno
import fcntl
import gc
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from .engines import XSD_STRING, QueryError, SelectResult, Term, run_with_timeout, union_default_graph
from .errors import KgError
from .namespaces import GRAPH, INFERRED_GRAPH, ONTOLOGY_GRAPH, REFERENCE_GRAPH

#: where ``kg load`` puts the store, relative to the project folder
DEFAULT_STORE = Path(".kg") / "store"
#: the publish lock in the generations folder that a load takes (``kg.generations``)
LOAD_LOCK = "lock"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

_COUNT_GRAPHS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
_COUNT_DEFAULT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


class StoreError(KgError):
    """The store cannot be opened or written: missing, locked, unreadable, not a store."""


def default_store_dir(project) -> Path:
    """The store that ``kg load`` fills when no ``--store`` is given: ``.kg/store``."""
    return project.root / DEFAULT_STORE


# --- terms -----------------------------------------------------------------------------------


def to_oxigraph(term: Term):
    """A ``Term`` as a pyoxigraph term."""
    import pyoxigraph as ox

    if term.type == "uri":
        return ox.NamedNode(term.value)
    if term.type == "bnode":
        return ox.BlankNode(term.value)
    if term.type != "literal":
        raise QueryError(f"cannot bind a term of type {term.type!r}")
    if term.lang:
        return ox.Literal(term.value, language=term.lang)
    return ox.Literal(term.value, datatype=ox.NamedNode(term.datatype or XSD_STRING))


def from_oxigraph(node) -> Term:
    """A pyoxigraph term as a ``Term`` (as ``kg.engines.from_rdflib`` makes them)."""
    import pyoxigraph as ox

    if isinstance(node, ox.NamedNode):
        return Term("uri", node.value)
    if isinstance(node, ox.BlankNode):
        return Term("bnode", node.value)
    if isinstance(node, ox.Literal):
        if node.language:
            return Term("literal", node.value, None, node.language)
        return Term("literal", node.value, node.datatype.value)
    # an RDF 1.2 triple term: no engine of ours makes one; keep it readable
    return Term("literal", str(node), XSD_STRING)


# --- the engine ------------------------------------------------------------------------------


class OxigraphEngine:
    """Oxigraph over a pyoxigraph ``Store``, the union of the named graphs as default graph.

    ``timeout`` (seconds) stops waiting for a query that runs longer, with a ``QueryError``.
    """

    name = "oxigraph"

    def __init__(self, store, name: str | None = None, timeout: float | None = None):
        self.store = store
        if name is not None:
            self.name = name
        self.timeout = timeout

    @classmethod
    def open(cls, path: str | os.PathLike, timeout: float | None = None) -> "OxigraphEngine":
        """Open an on-disk store read-only (see ``open_store``)."""
        return cls(open_store(Path(path)), name=f"the store {path}", timeout=timeout)

    @classmethod
    def from_file(cls, path: str | os.PathLike, fmt: str = "trig",
                  timeout: float | None = None) -> "OxigraphEngine":
        """An in-memory store holding an RDF file (by default ``build/kg.trig``)."""
        import pyoxigraph as ox

        formats = {"trig": ox.RdfFormat.TRIG, "nquads": ox.RdfFormat.N_QUADS,
                   "turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES}
        store = ox.Store()
        try:
            store.load(path=str(path), format=formats[fmt])
        except SyntaxError as exc:
            raise KgError(f"cannot read {path}: {_first_line(exc)}") from None
        return cls(store, timeout=timeout)

    # -- running ----------------------------------------------------------------------------

    def _query(self, query: str, bindings: dict[str, Term], consume):
        """Run the query and ``consume`` its result, within the timeout."""
        import pyoxigraph as ox

        substitutions = {ox.Variable(k): to_oxigraph(v) for k, v in bindings.items()}

        def work():
            return consume(self.store.query(query, use_default_graph_as_union=union_default_graph(query),
                                            substitutions=substitutions or None))

        try:
            return run_with_timeout(work, self.timeout, self.name)
        except SyntaxError as exc:
            raise QueryError(f"SPARQL syntax error: {_first_line(exc)}") from None
        except (OSError, RuntimeError) as exc:
            raise QueryError(f"the query failed in {self.name}: {_first_line(exc)}") from None

    def select(self, query: str, bindings: dict[str, Term]) -> SelectResult:
        def consume(result):
            import pyoxigraph as ox

            if not isinstance(result, ox.QuerySolutions):
                raise QueryError("not a SELECT query")
            variables = [v.value for v in result.variables]
            rows = []
            for solution in result:
                row = {}
                for i, var in enumerate(variables):
                    value = solution[i]
                    if value is not None:
                        row[var] = from_oxigraph(value)
                rows.append(row)
            return SelectResult(variables, rows)

        return self._query(query, bindings, consume)

    def ask(self, query: str, bindings: dict[str, Term]) -> bool:
        def consume(result):
            import pyoxigraph as ox

            if not isinstance(result, ox.QueryBoolean):
                raise QueryError("not an ASK query")
            return bool(result)

        return self._query(query, bindings, consume)

    def construct(self, query: str, bindings: dict[str, Term]) -> bytes:
        def consume(result):
            import pyoxigraph as ox

            if not isinstance(result, ox.QueryTriples):
                raise QueryError("not a CONSTRUCT or DESCRIBE query")
            return result.serialize(format=ox.RdfFormat.N_TRIPLES) or b""

        return self._query(query, bindings, consume)

    def graph_counts(self) -> dict[str, int]:
        """The triple count of each named graph (and of the default graph, as ``""``, where it
        has triples)."""
        return graph_counts(self.store)


def graph_counts(store) -> dict[str, int]:
    """The triple count of each named graph of a pyoxigraph store; the default graph, where it
    has triples, as ``""``."""
    counts = {s["g"].value: int(s["n"].value) for s in store.query(_COUNT_GRAPHS)}
    default = int(next(iter(store.query(_COUNT_DEFAULT)))["n"].value)
    if default:
        counts[""] = default
    return dict(sorted(counts.items(), key=lambda kv: graph_sort_key(kv[0])))


def graph_sort_key(iri: str) -> tuple[int, str]:
    """The order graphs are listed in: ontology, reference, articles, inferred, others."""
    if iri == str(ONTOLOGY_GRAPH):
        return (0, iri)
    if iri == str(REFERENCE_GRAPH):
        return (1, iri)
    if iri.startswith(str(GRAPH["article/"])):
        return (2, iri)
    if iri == str(INFERRED_GRAPH):
        return (3, iri)
    return (4, iri)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


# --- opening a store on disk -----------------------------------------------------------------


def locked_by_other_process(store_dir: Path) -> bool:
    """Whether another process has the Oxigraph store at ``store_dir`` open for writing.

    RocksDB holds a POSIX record lock on ``LOCK`` while a writer has the store open; asking for
    a shared lock on it fails then. (POSIX record locks belong to a process: closing our probe
    would drop a lock this very process held, so never probe a store this process has open for
    writing. kg opens published stores read-only only.)
    """
    try:
        fd = os.open(store_dir / "LOCK", os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.lockf(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno in (errno.EAGAIN, errno.EACCES):
            return True
        return False
    else:
        fcntl.lockf(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


def open_store(store_dir: Path):
    """Open the store at ``store_dir`` read-only, or say clearly why not.

    ``store_dir`` is a store that ``kg load`` made (a link to a generation) or any Oxigraph
    store directory. A store that another process has open for writing (``oxigraph serve
    --location DIR``, a running program) is refused: reading it read-only meanwhile is undefined.
    """
    import pyoxigraph as ox

    shown = str(store_dir)
    if store_dir.is_symlink() and not store_dir.exists():
        raise StoreError(f"{shown}: the store it links to is gone; run 'kg load' again")
    if not store_dir.exists():
        raise StoreError(f"{shown}: no store here; run 'kg load' first (or give --store DIR)")
    if not store_dir.is_dir():
        raise StoreError(f"{shown}: not a store (it is a file, not a directory)")
    if not os.access(store_dir, os.R_OK | os.X_OK):
        raise StoreError(f"{shown}: the store is unreadable (permission denied)")
    target = store_dir.resolve()
    current = target / "CURRENT"
    if not current.exists():
        if target.is_dir() and not any(target.iterdir()):
            raise StoreError(f"{shown}: the folder is empty, not a store; run 'kg load' first")
        raise StoreError(f"{shown}: not an Oxigraph store (it has no CURRENT file)")
    if not os.access(current, os.R_OK):
        raise StoreError(f"{shown}: the store is unreadable (permission denied)")
    if locked_by_other_process(target):
        raise StoreError(
            f"{shown}: the store is locked by another process that has it open for writing "
            "(an 'oxigraph serve' or a running program); stop it, or query that server with --endpoint")
    try:
        return ox.Store.read_only(str(target))
    except PermissionError:
        raise StoreError(f"{shown}: the store is unreadable (permission denied)") from None
    except OSError as exc:
        raise StoreError(f"{shown}: cannot open the store: {_first_line(exc)}") from None
    except Exception as exc:  # pyoxigraph raises RuntimeError on corrupt files
        raise StoreError(f"{shown}: not a readable Oxigraph store: {_first_line(exc)}") from None


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


def read_manifest(build_dir: Path) -> dict[str, int]:
    """The triple count of each graph that the build wrote (``build/manifest.json``)."""
    from .pipeline import MANIFEST

    path = build_dir / MANIFEST
    try:
        graphs = json.loads(path.read_text(encoding="utf-8"))["graphs"]
        return {str(k): int(v) for k, v in graphs.items()}
    except FileNotFoundError:
        raise KgError(f"{path}: no build manifest; run 'kg build'") from None
    except (ValueError, KeyError, TypeError, AttributeError):
        raise KgError(f"{path}: not a build manifest (no triple count per graph); run 'kg build'") from None


def generations_dir(store_dir: Path) -> Path:
    """Where the generations of the store live: beside it, ``.<name>.generations`` (as the
    build's generations are kept beside ``build``)."""
    from .generations import generations_dir as beside

    return beside(store_dir)


def _build_generation(path: Path, trig: Path) -> dict[str, int]:
    """Bulk-load the TriG into a new store at ``path``; close it; return its graph counts."""
    import pyoxigraph as ox

    store = ox.Store(str(path))
    try:
        store.bulk_load(path=str(trig), format=ox.RdfFormat.TRIG)
        counts = graph_counts(store)
        store.optimize()
        store.flush()
    finally:
        del store
        gc.collect()  # nothing else refers to the store: this closes it and frees its LOCK
    return counts


def load_store(store_dir: Path, trig: Path, expected: dict[str, int] | None = None) -> LoadResult:
    """Replace the content of the store at ``store_dir`` with the named graphs of ``trig``.

    ``expected`` (from ``read_manifest``) is each graph's triple count: a load whose counts
    differ is not published. See the module's docstring for why a load is all old or all new.
    """
    from .generations import Locked, publishing

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
                counts = _build_generation(generation, trig)
            except SyntaxError as exc:
                raise KgError(f"{trig}: cannot load: {_first_line(exc)}") from None
            if expected is not None:
                check_counts(counts, expected, trig)
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
