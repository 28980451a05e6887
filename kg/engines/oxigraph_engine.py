"""Oxigraph as a query engine: an on-disk store that ``kg load`` made (opened read-only), or an
in-memory store made from an RDF file (``build/kg.trig``)."""
from __future__ import annotations

import errno
import fcntl
import os
import re
from contextlib import contextmanager
from itertools import islice
from pathlib import Path
from typing import Iterator

from ..errors import KgError
from .materialized import Kept
from ..namespaces import GRAPH, INFERRED_GRAPH, ONTOLOGY_GRAPH, REFERENCE_GRAPH
from ..sparql.order import client_order
from ..sparql.terms import XSD_STRING, QueryError, Row, SelectResult, SelectStream, Term
from ..sparql.text import blank_out, projected, union_default_graph
from ..sparql.timeout import run_with_timeout, stream_with_timeout

_COUNT_GRAPHS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
_COUNT_DEFAULT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


class StoreError(KgError):
    """The store cannot be opened or written: missing, locked, unreadable, not a store."""


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


def _variables(result) -> list[str]:
    """The variables of a SELECT query's result; ``QueryError`` for another query form's."""
    import pyoxigraph as ox

    if not isinstance(result, ox.QuerySolutions):
        raise QueryError("not a SELECT query")
    return [v.value for v in result.variables]


_KEPT_TERMS = 100_000
#: the most rows a stream is sorted by kg (``OxigraphEngine.select_stream``)
STREAM_SORTED_ROWS = 200_000


def _rows(solutions, variables: list[str]) -> Iterator[Row]:
    """The solutions as rows of ``Term``s (an unbound variable is left out). A term met again
    is the same ``Term`` (they are frozen): at 10,000 articles, converting statements' 72,122
    rows took 1.6 s term by term, 1.0 s so. The terms kept are forgotten past ``_KEPT_TERMS``, so
    that a stream holds few rows' worth of memory, as it should."""
    terms: dict = {}
    columns = list(enumerate(variables))
    for solution in solutions:
        row = {}
        for i, var in columns:
            value = solution[i]
            if value is not None:
                term = terms.get(value)
                if term is None:
                    if len(terms) >= _KEPT_TERMS:
                        terms.clear()
                    term = terms[value] = from_oxigraph(value)
                row[var] = term
        yield row


# --- parameters in the patterns --------------------------------------------------------------

_TOKEN = re.compile(r"[?$][A-Za-z0-9_]+|\bSELECT\b|\bWHERE\b|\bGROUP\s+BY\b|\bORDER\s+BY\b|\bHAVING\b|"
                    r"\bVALUES\b|\bLIMIT\b|\bOFFSET\b|\bBOUND\s*\(|\bAS\b|[{}()]", re.IGNORECASE)
_SAFE_IRI = re.compile(r'[^\x00-\x20<>"{}|^`\\]*\Z')


def _constant(term: Term) -> str | None:
    """A bound term as SPARQL text (pyoxigraph writes it, escaped), or None where it must stay a
    substitution: a blank node (``_:x`` in a pattern would be a variable) or an odd IRI."""
    if term.type == "uri" and _SAFE_IRI.match(term.value):
        return str(to_oxigraph(term))
    if term.type == "literal":
        return str(to_oxigraph(term))
    return None


def bound_in_patterns(query: str, bindings: dict[str, Term]) -> str:
    """The query with each bound variable written as its value where it is used in the patterns
    and expressions (SEP-0007 substitution, which pyoxigraph applies only after it has planned the
    query: a plan made for an unknown state lists every exercise before it meets the state's).

    ``BOUND(?v)`` becomes ``true``. The variable stays where a value cannot stand (a SELECT
    clause's list of variables, GROUP BY, VALUES, ``AS``, the outer ORDER BY), and the substitution
    that ``_run`` still passes binds it there; a sub-SELECT that does not project the variable
    has its own variable of that name and is left alone.
    """
    values = {name: text for name, term in bindings.items() if (text := _constant(term)) is not None}
    if not values:
        return query
    body = blank_out(query)
    out, last = [], 0
    depth, paren, mode = 0, 0, None  # mode: select (a SELECT clause), group (GROUP BY, VALUES), None
    hidden: list[tuple[int, set[str]]] = []  # sub-SELECTs that hide variables: (their depth, names)
    pending: set[str] = set()  # the variables the SELECT clause being read hides
    after_as = False
    for m in _TOKEN.finditer(body):
        if m.start() < last:  # inside a BOUND(...) already written as true
            continue
        tok = m.group(0)
        word = re.sub(r"\s+", " ", tok.upper())
        if tok == "{":
            depth += 1
            if mode == "select":
                hidden.append((depth, pending))
            mode = None
        elif tok == "}":
            while hidden and hidden[-1][0] >= depth:
                hidden.pop()
            depth -= 1
            mode = None
        elif tok in "()":
            paren += 1 if tok == "(" else -1
            continue
        elif word == "SELECT":
            mode, paren = "select", 0
            clause = re.match(r"SELECT(.*?)(?:\bWHERE\b|\{)", body[m.start():], re.IGNORECASE | re.DOTALL)
            named = projected(clause.group(1)) if clause else set()
            star = clause is not None and "*" in clause.group(1)
            pending = set() if star else {v for v in values if v not in named}
        elif word in ("GROUP BY", "VALUES"):
            mode = "group"
        elif word in ("ORDER BY", "HAVING", "LIMIT", "OFFSET"):
            mode = None
        elif word == "AS":
            after_as = True
            continue
        elif tok[0] in "?$" or word.startswith("BOUND"):
            bound_call = word.startswith("BOUND")
            if bound_call:
                call = re.match(r"BOUND\s*\(\s*[?$]([A-Za-z0-9_]+)\s*\)", body[m.start():], re.IGNORECASE)
                if call is None:
                    paren += 1
                    continue
                name, end = call.group(1), m.start() + call.end()
            else:
                name, end = tok[1:], m.end()
            keep = (after_as or mode == "group" or (mode == "select" and paren == 0)
                    or (depth == 0 and mode != "select") or any(name in names for _, names in hidden)
                    or (mode == "select" and name in pending))
            if name in values and not keep:
                out.append(query[last:m.start()])
                out.append("true" if bound_call else values[name])
                last = end
            elif bound_call:
                paren += 1
        after_as = False
    out.append(query[last:])
    return "".join(out)


# --- the engine ------------------------------------------------------------------------------


class OxigraphEngine:
    """Oxigraph over a pyoxigraph ``Store``, the union of the named graphs as default graph.

    ``timeout`` (seconds) stops waiting for a query that runs longer, with a ``QueryError``.
    """

    name = "oxigraph"

    def __init__(self, store, name: str | None = None, timeout: float | None = None, kept: Kept | None = None):
        self.store = store
        if name is not None:
            self.name = name
        self.timeout = timeout
        #: the results ``kg load --materialize`` kept with the store (``kg.engines.materialized``)
        self.kept = kept
        self._labels: dict[str, Term] | None = None

    @classmethod
    def open(cls, path: str | os.PathLike, timeout: float | None = None,
             materialized: bool = True) -> "OxigraphEngine":
        """Open an on-disk store read-only (see ``open_store``), with the results that ``kg load
        --materialize`` kept in it unless ``materialized`` is false."""
        store, target = _open_store(Path(path))
        return cls(store, name=f"the store {path}", timeout=timeout,
                   kept=Kept.of(target) if materialized else None)

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

    @contextmanager
    def _failing(self) -> Iterator[None]:
        """Oxigraph's errors, while a query is parsed, run or read, as ``QueryError``."""
        try:
            yield
        except SyntaxError as exc:
            raise QueryError(f"SPARQL syntax error: {_first_line(exc)}") from None
        except (OSError, RuntimeError) as exc:
            raise QueryError(f"the query failed in {self.name}: {_first_line(exc)}") from None

    def _run(self, query: str, bindings: dict[str, Term]):
        """The query's result as pyoxigraph gives it (solutions are computed as they are read)."""
        import pyoxigraph as ox

        substitutions = {ox.Variable(k): to_oxigraph(v) for k, v in bindings.items()}
        query = bound_in_patterns(query, bindings)
        return self.store.query(query, use_default_graph_as_union=union_default_graph(query),
                                substitutions=substitutions or None)

    def _query(self, query: str, bindings: dict[str, Term], consume):
        """Run the query and ``consume`` its result, within the timeout."""
        with self._failing():
            return run_with_timeout(lambda: consume(self._run(query, bindings)), self.timeout, self.name)

    def _kept(self, query: str, bindings: dict[str, Term]) -> SelectResult | None:
        """The result ``kg load --materialize`` kept for this very query text, if any: its whole
        listing with nothing bound, or, with one IRI bound that the query says narrows its
        listing (``#+ narrows``), the listing's rows for that IRI."""
        if self.kept is None:
            return None
        if not bindings:
            found = self.kept.result(query)
        elif len(bindings) == 1:
            ((variable, value),) = bindings.items()
            found = self.kept.lookup(query, variable, value) if value.type == "uri" else None
        else:
            found = None
        return SelectResult(*found) if found is not None else None

    def answers_from_kept(self, query: str, bindings: dict[str, Term]) -> bool:
        """Whether ``select`` reads this query's answer from what ``kg load --materialize`` kept."""
        return self._kept(query, bindings) is not None

    def kept_labels(self) -> dict[str, Term] | None:
        """The label of every IRI, where ``kg load --materialize`` kept them (read once)."""
        if self._labels is None and self.kept is not None:
            self._labels = self.kept.labels()
        return self._labels

    def select(self, query: str, bindings: dict[str, Term]) -> SelectResult:
        kept = self._kept(query, bindings)
        if kept is not None:
            return kept

        def consume(result):
            variables = _variables(result)
            return SelectResult(variables, list(_rows(result, variables)))

        ordered = self._sorted_by_kg(query, bindings)
        if ordered is not None:
            return SelectResult(*ordered)
        return self._query(query, bindings, consume)

    def _sorted_by_kg(self, query: str, bindings: dict[str, Term], most: int | None = None):
        """The variables and rows of a SELECT query run without its ORDER BY and sorted by kg,
        which sorts faster than Oxigraph does (``kg.sparql.order``); None where kg leaves the
        sort to Oxigraph, or where the query gives more than ``most`` rows."""
        order = client_order(query)
        if order is None:
            return None

        def consume(result):
            variables = _variables(result)
            rows = list(islice(_rows(result, variables), None if most is None else most + 1))
            return None if most is not None and len(rows) > most else (variables, rows)

        read = self._query(order.unordered, bindings, consume)
        return order.apply(*read) if read is not None else None

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

    def select_stream(self, query: str, bindings: dict[str, Term]) -> SelectStream:
        """The rows of a SELECT query, converted one at a time as they come; where kg sorts them
        (``select``), all at once, up to ``STREAM_SORTED_ROWS`` rows (past that, Oxigraph sorts
        them, in less memory than Python's rows take)."""
        kept = self._kept(query, bindings)
        if kept is not None:
            return SelectStream(kept.variables, iter(kept.rows))
        ordered = self._sorted_by_kg(query, bindings, STREAM_SORTED_ROWS)
        if ordered is not None:
            return SelectStream(ordered[0], iter(ordered[1]))

        def start() -> tuple[list[str], Iterator[Row]]:
            with self._failing():
                result = self._run(query, bindings)
            variables = _variables(result)

            def rows() -> Iterator[Row]:
                with self._failing():
                    yield from _rows(result, variables)

            return variables, rows()

        return stream_with_timeout(start, self.timeout, self.name)

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
    return _open_store(store_dir)[0]


def _open_store(store_dir: Path):
    """``open_store``'s store, and the folder it opened (the generation a link named then)."""
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
        return ox.Store.read_only(str(target)), target
    except PermissionError:
        raise StoreError(f"{shown}: the store is unreadable (permission denied)") from None
    except OSError as exc:
        raise StoreError(f"{shown}: cannot open the store: {_first_line(exc)}") from None
    except Exception as exc:  # pyoxigraph raises RuntimeError on corrupt files
        raise StoreError(f"{shown}: not a readable Oxigraph store: {_first_line(exc)}") from None
