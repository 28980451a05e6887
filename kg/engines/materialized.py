"""Results kept with a store: the saved listings and checks that ``kg load --materialize`` ran
on a new generation of the embedded store before publishing it, and the label of every IRI.

A published generation is never written again (``kg.stores.local``), so a result computed on it
stays its result. It is used only while all of these hold, and otherwise the query runs on the
store as usual:

- the query's text is byte for byte the text that was run (its SHA-256 names the result), with
  no parameter bound;
- kg's code is the code that ran it (``kg.build.cache.code_key``): the rows are sorted and
  converted by kg;
- the store's files are those it was run on (name, size and modification time of each file but
  RocksDB's own log and lock): a program that opened the generation for writing (``oxigraph
  serve --location``) leaves new files behind, and the results are then ignored;
- each file is whole (a SHA-256 checksum, ``kg.build.cache.read_checked``).

The folder ``kg-materialized`` lies inside the generation: RocksDB reads only its own files, and
the folder goes when kg removes the generation. A result is kept as its variables, its distinct
terms once, and each row as the index of each variable's term (-1 where unbound).

A listing whose query says that a parameter only narrows it (``#+ narrows: {speaker: speaker}``
in ``queries/statements.rq``: bound, the query gives the listing's rows whose ``speaker`` is that
IRI) is also kept grouped by that column (``Writer.add``'s ``lookups``), so that a lookup of one
value reads its own rows only: a directory (each value's place and checksum in the groups file)
and the groups, each packed as a result is. A query whose only required parameter narrows it
(``exercise-partners``: ``narrows: {state: _state_iri}``) is run with it unbound and kept grouped
only.
"""
from __future__ import annotations

import hashlib
import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path

from ..build.cache import code_key, read_checked, write_checked
from ..inputs.files import open_regular
from ..sparql.terms import Row, Term

#: the folder inside a store generation that holds what ``kg load --materialize`` kept
FOLDER = "kg-materialized"
INDEX = "index.pickle"
LABELS = "labels.pickle"
#: the version of the files' layout
VERSION = 2


def query_key(query: str) -> str:
    """The name of a query's result: the SHA-256 of its text."""
    return hashlib.sha256(query.encode("utf-8")).hexdigest()


def store_stamp(generation: Path) -> tuple:
    """The store's files as they are: each one's name, size and modification time (RocksDB's
    log and lock, which any opening may write, and kg's folder left out)."""
    out = []
    with os.scandir(generation) as entries:
        for entry in entries:
            if entry.name in ("LOCK", FOLDER) or entry.name.startswith("LOG"):
                continue
            st = entry.stat(follow_symlinks=False)
            out.append((entry.name, st.st_size, st.st_mtime_ns))
    return tuple(sorted(out))


def _term_key(term: Term) -> tuple:
    return term.type, term.value, term.datatype, term.lang


def _pack(variables: list[str], rows: list[Row]) -> tuple:
    ids: dict[Term, int] = {}
    packed = []
    for row in rows:
        line = []
        for v in variables:
            term = row.get(v)
            if term is None:
                line.append(-1)
            else:
                i = ids.get(term)
                if i is None:
                    i = ids[term] = len(ids)
                line.append(i)
        packed.append(tuple(line))
    return list(variables), [_term_key(t) for t in ids], packed


def _unpack(value: tuple) -> tuple[list[str], list[Row]]:
    variables, terms, packed = value
    made = [Term(*t) for t in terms]
    columns = list(enumerate(variables))
    return list(variables), [{v: made[line[i]] for i, v in columns if line[i] >= 0} for line in packed]


@dataclass
class Kept:
    """What ``kg load --materialize`` kept in one generation of the store (see the module)."""

    folder: Path
    results: dict[str, str]  # query key -> file name
    labels_file: str | None
    #: query key -> {the bound variable: (the column it narrows the listing by, the files' name)}
    lookups: dict[str, dict[str, tuple[str, str]]] = field(default_factory=dict)

    @classmethod
    def of(cls, generation: Path) -> "Kept | None":
        """What is kept in ``generation`` and may be used, or None."""
        folder = Path(generation) / FOLDER
        if not folder.is_dir():
            return None
        index = read_checked(folder / INDEX)
        if not isinstance(index, dict) or index.get("version") != VERSION or index.get("code") != code_key():
            return None
        try:
            if index.get("store") != store_stamp(Path(generation)):
                return None
        except OSError:  # the store's files cannot be listed: nothing kept is trusted
            return None
        return cls(folder, dict(index.get("results", {})), index.get("labels"), dict(index.get("lookups", {})))

    def result(self, query: str) -> tuple[list[str], list[Row]] | None:
        """The variables and rows kept for ``query``'s exact text, or None."""
        name = self.results.get(query_key(query))
        if name is None:
            return None
        value = read_checked(self.folder / name)
        if not isinstance(value, tuple) or len(value) != 3:
            return None
        return _unpack(value)

    def lookup(self, query: str, variable: str, value: Term) -> tuple[list[str], list[Row]] | None:
        """The variables and rows of ``query`` with ``variable`` bound to ``value``, where its
        listing is kept grouped by the column that binding narrows it to: the listing's rows
        whose column is ``value``, in the listing's order, each with ``variable`` bound (where
        the query projects it). None where it is not kept, or a file is damaged."""
        found = self.lookups.get(query_key(query), {}).get(variable)
        if found is None:
            return None
        name = found[1]
        directory = read_checked(self.folder / f"{name}.index")
        if not isinstance(directory, tuple) or len(directory) != 2:
            return None
        variables, places = directory
        place = places.get(_term_key(value))
        if place is None:  # no row has it
            return list(variables), []
        offset, length, checksum = place
        try:
            with open_regular(self.folder / name) as fh:
                data = os.pread(fh.fileno(), length, offset)
            if len(data) != length or hashlib.sha256(data).digest() != checksum:
                return None
            packed = pickle.loads(data)
        except Exception:  # missing, damaged or foreign
            return None
        variables, rows = _unpack((variables, *packed))
        if variable in variables:
            for row in rows:
                row[variable] = value
        return variables, rows

    def labels(self) -> dict[str, Term] | None:
        """The label of every IRI that has one, as ``kg.sparql.results.lookup_labels`` finds them."""
        if self.labels_file is None:
            return None
        value = read_checked(self.folder / self.labels_file)
        if not isinstance(value, tuple) or len(value) != 2:
            return None
        iris, terms = value
        return dict(zip(iris, (Term(*t) for t in terms)))


class Writer:
    """Keeps results in a new generation of the store, one at a time (``add``), then the labels
    and the index (``finish``), which is written last: a folder without one is ignored. The
    generation must be complete and closed: its files' stamp is taken at ``finish``."""

    def __init__(self, generation: Path):
        self.generation = Path(generation)
        self.folder = self.generation / FOLDER
        self.folder.mkdir(exist_ok=True)
        self.names: dict[str, str] = {}
        self.lookups: dict[str, dict[str, tuple[str, str]]] = {}

    def _write(self, name: str, value) -> None:
        if not write_checked(self.folder / name, value):
            raise OSError(f"cannot write {self.folder / name}")

    def add(self, query: str, variables: list[str], rows: list[Row],
            lookups: dict[str, str] | None = None, whole: bool = True) -> None:
        """Keep ``query``'s rows (its listing with nothing bound): whole where ``whole``, and
        grouped by each of ``lookups``: each variable whose binding narrows the listing to the
        rows whose column (its value here) is the bound IRI. A query with a required parameter
        is kept grouped only: nothing runs its listing."""
        key = query_key(query)
        if whole:
            self.names[key] = f"{key}.pickle"
            self._write(self.names[key], _pack(variables, rows))
        for variable, column in sorted((lookups or {}).items()):
            name = f"{key}.{variable}.groups"
            self._write_groups(name, variables, rows, column)
            self.lookups.setdefault(key, {})[variable] = (column, name)

    def _write_groups(self, name: str, variables: list[str], rows: list[Row], column: str) -> None:
        """The rows grouped by the IRI in ``column`` (rows where it is unbound or not an IRI
        match no binding), each group packed; the directory, written last, says where each
        group is and its checksum."""
        groups: dict[tuple, list[Row]] = {}
        for row in rows:
            term = row.get(column)
            if term is not None and term.type == "uri":
                groups.setdefault(_term_key(term), []).append(row)
        places = {}
        offset = 0
        with open(self.folder / name, "xb") as fh:
            for value in sorted(groups):
                data = pickle.dumps(_pack(variables, groups[value])[1:], protocol=pickle.HIGHEST_PROTOCOL)
                fh.write(data)
                places[value] = (offset, len(data), hashlib.sha256(data).digest())
                offset += len(data)
        self._write(f"{name}.index", (list(variables), places))

    def finish(self, labels: dict[str, Term] | None) -> None:
        if labels is not None:
            iris = sorted(labels)
            self._write(LABELS, (iris, [_term_key(labels[i]) for i in iris]))
        self._write(INDEX, {"version": VERSION, "code": code_key(), "store": store_stamp(self.generation),
                            "results": dict(sorted(self.names.items())),
                            "lookups": {k: dict(sorted(v.items())) for k, v in sorted(self.lookups.items())},
                            "labels": LABELS if labels is not None else None})
