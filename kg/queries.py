"""Saved SPARQL queries: reading query files, their ``#+`` headers and typed parameters,
binding parameter values through the engine, and running them.

A query file is valid SPARQL with a header of ``#+ key: value`` lines (grlc's convention:
``summary``, ``description``, ``tags``, ``defaults``; and kg's ``narrows``, below). Parameters are variables named the
grlc/BASIL way: ``?_state_iri`` is required, ``?__since_xsd_date`` optional; the suffix gives
the type (``_iri``, ``_integer``, ``_xsd_date``; none: a string).

``narrows: {speaker: speaker}`` says that an IRI parameter only narrows the query's listing (the
query run with the parameter unbound): bound, the query gives exactly the listing's rows whose
column (here ``speaker``) is that IRI, in the same order. The parameter is optional, or the
query's only required one (``narrows: {state: _state_iri}`` in ``exercise-partners``, whose
column is the parameter's own: left unbound, the query lists every state's partners, a listing
that only ``kg load --materialize`` runs). ``kg load --materialize`` keeps the listing grouped by that
column, and a lookup of one value reads its rows there (``kg.engines.materialized``); tests
compare it with the store's own answer for every value.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .sparql.terms import XSD, XSD_STRING, Engine, QueryError, SelectResult, SelectStream, Term
from .sparql.text import blank_out
from .inputs import values as V
from .errors import InputError, KgError
from .inputs.files import MAX_QUERY_BYTES, read_text

BASE = "https://w3id.org/milcoop/"
_PARAM_RE = re.compile(r"[?$](__?)([A-Za-z][A-Za-z0-9_]*)")
_TYPES = {
    "iri": "an IRI, an entity id or a label",
    "integer": "a whole number",
    "xsd_date": "a date YYYY-MM-DD",
    "string": "a string",
}
_ABS_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s]*\Z")


@dataclass(frozen=True)
class Param:
    var: str  # the variable name without '?', e.g. _state_iri
    name: str  # what users type: state
    type: str  # iri, integer, xsd_date, string
    required: bool

    def describe(self) -> str:
        need = "required" if self.required else "optional"
        return f"{self.name} ({_TYPES[self.type]}, {need})"


@dataclass
class QueryFile:
    name: str
    path: Path
    text: str
    summary: str = ""
    description: str = ""
    tags: list[str] = field(default_factory=list)
    defaults: dict[str, str] = field(default_factory=dict)
    params: list[Param] = field(default_factory=list)
    form: str = "SELECT"
    #: parameter name -> the column its value narrows the listing by (``#+ narrows``)
    narrows: dict[str, str] = field(default_factory=dict)

    @property
    def listing(self) -> bool:
        """Whether it runs with no parameter given (none is required): a whole listing."""
        return not any(p.required for p in self.params)

    @property
    def runnable(self) -> str:
        """The text that runs: the query with the project's prefixes it does not declare itself
        declared before it, on one line of their own (as Wikidata's query service does)."""
        return _declared(self.text)[0]

    @property
    def added_lines(self) -> int:
        """How many lines ``runnable`` has before the query's own first line (0 or 1)."""
        return _declared(self.text)[1]


_PREFIX_DECL = re.compile(r"\bPREFIX\s+([A-Za-z][A-Za-z0-9_.-]*)?\s*:", re.IGNORECASE)


def _declared(text: str) -> tuple[str, int]:
    from .namespaces import PREFIXES

    own = {m.group(1) or "" for m in _PREFIX_DECL.finditer(blank_out(text))}
    missing = [f"PREFIX {p}: <{PREFIXES[p]}>" for p in sorted(PREFIXES) if p not in own]
    if not missing:
        return text, 0
    return " ".join(missing) + "\n" + text, 1


def _param(var: str, underscores: str, rest: str) -> Param:
    for suffix in ("_xsd_date", "_integer", "_iri"):
        if rest.endswith(suffix) and len(rest) > len(suffix):
            return Param(var, rest[: -len(suffix)], suffix[1:], underscores == "_")
    return Param(var, rest, "string", underscores == "_")


def parse_query_file(path: Path, name: str, display: str | None = None) -> QueryFile:
    display = display or str(path)
    if not path.exists() and not path.is_symlink():
        raise InputError("no such query file", display)
    return parse_query_text(read_text(path, display, "a query file", MAX_QUERY_BYTES), path, name, display)


def parse_query_text(text: str, path: Path, name: str, display: str) -> QueryFile:
    """A query from its text (a file's, or one given on the command line or standard input):
    its ``#+`` header, parameters and form."""
    if len(text.encode("utf-8")) > MAX_QUERY_BYTES:
        raise InputError(f"the query is larger than {MAX_QUERY_BYTES // 1024} KB", display)
    header_lines = []
    for line in text.splitlines():
        if line.startswith("#+"):
            header_lines.append(line[2:].removeprefix(" "))
        elif line.strip() and not line.startswith("#"):
            break
    meta: dict = {}
    if header_lines:
        try:
            meta = yaml.safe_load("\n".join(header_lines)) or {}
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            raise InputError(f"bad '#+' header: {getattr(exc, 'problem', exc)}", display,
                             (mark.line + 1) if mark else 1) from None
        if not isinstance(meta, dict):
            raise InputError("the '#+' header must be 'key: value' lines", display, 1)
    defaults = meta.get("defaults") or {}
    if isinstance(defaults, list):  # grlc writes defaults as a list of one-key mappings
        merged: dict = {}
        for item in defaults:
            if isinstance(item, dict):
                merged.update(item)
        defaults = merged
    tags = meta.get("tags") or []
    narrows = meta.get("narrows") or {}
    if not isinstance(narrows, dict) or not all(isinstance(v, str) for v in narrows.values()):
        raise InputError("'narrows' in the '#+' header must map parameters to columns (speaker: speaker)",
                         display, _header_line(text, "narrows"))
    body = blank_out(text)
    params: dict[str, Param] = {}
    for m in _PARAM_RE.finditer(body):
        var = m.group(1) + m.group(2)
        if var not in params:
            params[var] = _param(var, m.group(1), m.group(2))
    form = "SELECT"
    for word in ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK"):
        if re.search(rf"\b{word}\b", body, re.IGNORECASE):
            form = word
            break
    return QueryFile(
        name=name,
        path=path,
        text=text,
        summary=str(meta.get("summary", "")).strip(),
        description=str(meta.get("description", "")).strip(),
        tags=[str(t) for t in (tags if isinstance(tags, list) else [tags])],
        defaults={str(k): str(v) for k, v in defaults.items()},
        params=sorted(params.values(), key=lambda p: (not p.required, p.name)),
        form=form,
        narrows={str(k): v.removeprefix("?") for k, v in narrows.items()},
    )


def _header_line(text: str, key: str) -> int:
    """The line of the ``#+`` header that gives ``key`` (1 where none does)."""
    for n, line in enumerate(text.splitlines(), 1):
        if re.match(rf"#\+\s*{re.escape(key)}\s*:", line):
            return n
    return 1


def query_names(queries_dir: Path) -> list[str]:
    """Saved query names: ``exercises``, and ``qc/...`` for quality checks."""
    names = [p.stem for p in sorted(queries_dir.glob("*.rq"))]
    names += [f"qc/{p.stem}" for p in sorted((queries_dir / "qc").glob("*.rq"))]
    return names


def find_query(queries_dir: Path, name: str, display) -> QueryFile:
    """A saved query by name, or a query file by path (``something.rq``)."""
    if name.endswith(".rq") or "/" in name and Path(name).exists():
        path = Path(name)
        if not path.exists():
            raise InputError(f"no query file {name}")
        return parse_query_file(path, path.stem, display(path))
    path = queries_dir / f"{name}.rq"
    if not path.exists():
        known = query_names(queries_dir)
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]!r}?" if close else "; 'kg query --list' shows them"
        raise InputError(f"no query named {name!r}{hint}")
    return parse_query_file(path, name, display(path))


# --- checking the query text -------------------------------------------------------------


def check_query(q: QueryFile, display: str, allow_service: bool = False) -> None:
    """Refuse updates, LOAD and (unless allowed) SERVICE; report syntax errors with line and column."""
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    try:
        parsed = parseQuery(q.runnable)
    except ParseException as exc:
        try:
            parseUpdate(q.runnable)
        except ParseException:
            raise InputError(f"SPARQL syntax error at column {exc.column}: {exc.msg}", display,
                             max(1, exc.lineno - q.added_lines)) from None
        raise InputError("a SPARQL Update (or LOAD) is not allowed in a query file; only queries run", display) from None
    except Exception as exc:  # rdflib raises a few other errors on odd input
        raise InputError(f"SPARQL syntax error: {exc}", display, 1) from None
    _check_prefixes(q, display)
    if not allow_service and _has_service(parsed):
        raise InputError("the query calls a remote SERVICE; pass --allow-service to allow it", display)
    if q.params and q.form != "SELECT":
        raise InputError(f"parameters work in SELECT queries only ({q.form} has ?{q.params[0].var})", display)
    projection = _projection(q.text)
    if projection is not None:
        for p in q.params:
            if p.var not in projection:
                raise InputError(
                    f"parameter ?{p.var} must be in the SELECT clause (and in GROUP BY where the query groups), "
                    "so that every engine can bind it", display)
    by_name = {p.name: p for p in q.params}
    line = _header_line(q.text, "narrows") if q.narrows else 1
    required = [p for p in q.params if p.required]
    for name, column in q.narrows.items():
        p = by_name.get(name)
        if p is None or p.type != "iri" or (p.required and len(required) > 1):
            raise InputError(f"'narrows' names {name!r}, which is neither an optional IRI parameter of the query "
                             "(?__NAME_iri) nor its only required one (?_NAME_iri)", display, line)
        if q.form != "SELECT" or projection is None or column not in projection:
            raise InputError(f"'narrows' names the column {column!r}, which the SELECT clause does not list",
                             display, line)


_PNAME = re.compile(r"(?<![\w?$.:\\-])([A-Za-z][A-Za-z0-9_.-]*)?:")


def _check_prefixes(q: QueryFile, display: str) -> None:
    """A prefixed name whose prefix neither the query nor the project declares is one error with
    its line and column (engines give their own words, on the line of the text they were given)."""
    from .namespaces import PREFIXES

    body = blank_out(q.text)
    declared = {m.group(1) or "" for m in _PREFIX_DECL.finditer(body)} | set(PREFIXES)
    for m in _PNAME.finditer(body):
        prefix = m.group(1) or ""
        if prefix in declared or body[max(0, m.start() - 7):m.start()].strip().upper().endswith("PREFIX"):
            continue
        line = body.count("\n", 0, m.start()) + 1
        column = m.start() - (body.rfind("\n", 0, m.start()) + 1) + 1
        known = ", ".join(f"{p}:" for p in sorted(PREFIXES))
        raise InputError(f"unknown prefix {prefix + ':'!r} at column {column}; declare it (PREFIX {prefix}: <...>) "
                         f"or use one kg declares: {known}", display, line)


def _projection(text: str) -> set[str] | None:
    """The variables of the outer SELECT clause, or None for SELECT *."""
    body = blank_out(text)
    m = re.search(r"\bSELECT\b(.*?)(?:\bWHERE\b|\{)", body, re.IGNORECASE | re.DOTALL)
    if m is None:
        return None
    clause = m.group(1)
    if re.match(r"\s*(DISTINCT|REDUCED)?\s*\*", clause, re.IGNORECASE):
        return None
    # variables named outright, not those only used inside (expr AS ?v)
    depth, names = 0, set()
    for part in re.finditer(r"\(|\)|[?$][A-Za-z0-9_]+", clause):
        tok = part.group(0)
        if tok == "(":
            depth += 1
        elif tok == ")":
            depth -= 1
        elif depth == 0:
            names.add(tok[1:])
    return names


def _has_service(node) -> bool:
    from rdflib.plugins.sparql.parserutils import CompValue

    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, CompValue):
            if item.name == "ServiceGraphPattern":
                return True
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
        elif hasattr(item, "asList") and not isinstance(item, str):
            stack.extend(list(item))
        elif isinstance(item, dict):
            stack.extend(item.values())
    return False


# --- parameters --------------------------------------------------------------------------

_RESOLVE = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?s ?_text WHERE {
  ?s rdfs:label|skos:altLabel|skos:prefLabel ?label .
  FILTER(isIRI(?s) && STRSTARTS(STR(?s), "%s"))
  FILTER(LCASE(STR(?label)) = LCASE(STR(?_text)) || STRENDS(STR(?s), CONCAT("/", STR(?_text))))
}
ORDER BY STR(?s)
""" % BASE


def _found_by_id_or_label(text: str, engine: Engine) -> list[str]:
    """The entities whose id is ``text`` (``id/KIND/text`` for each kind of entity and fact), else
    those with ``text`` as written for a label or alias: lookups in the store's indexes, where
    ``_RESOLVE`` reads every label (seconds at 10,000 articles). Several, or none, and the caller
    asks ``_RESOLVE``."""
    from .inputs.schema import ENTITY_KINDS, FACT_TYPES

    if V.ID_RE.match(text):
        kinds = sorted({*ENTITY_KINDS, *FACT_TYPES, "article"})
        values = " ".join(f"<{BASE}id/{kind}/{text}>" for kind in kinds)
        rows = engine.select("SELECT DISTINCT ?s WHERE { VALUES ?s { %s } ?s ?p ?o }" % values, {}).rows
        if rows:
            return sorted({row["s"].value for row in rows})
    labels = f'{Term("literal", text).n3()} {Term("literal", text, lang="en").n3()}'
    rows = engine.select(_BY_LABEL % labels, {}).rows
    return sorted({row["s"].value for row in rows})


_BY_LABEL = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?s WHERE {
  VALUES ?label { %%s }
  ?s rdfs:label|skos:altLabel|skos:prefLabel ?label .
  FILTER(isIRI(?s) && STRSTARTS(STR(?s), "%s"))
}
""" % BASE


def parse_params(pairs: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise InputError(f"--param must be KEY=VALUE, not {V.quoted(pair)}")
        out[key.strip()] = value
    return out


def bind_params(q: QueryFile, given: dict[str, str], engine: Engine) -> dict[str, Term]:
    """Typed terms for the query's parameters (defaults applied), checked and resolved."""
    by_name = {p.name: p for p in q.params}
    for key in given:
        if key not in by_name:
            known = ", ".join(p.describe() for p in q.params) or "none"
            raise InputError(f"query {q.name!r} has no parameter {key!r}; its parameters: {known}")
    values = {**q.defaults, **given}
    bindings: dict[str, Term] = {}
    for p in q.params:
        if p.name not in values:
            if p.required:
                raise InputError(f"query {q.name!r} needs --param {p.name}=... ({_TYPES[p.type]})")
            continue
        try:
            bindings[p.var] = to_term(p, values[p.name], engine)
        except V.BadValue as exc:
            raise InputError(str(exc)) from None
    return bindings


def to_term(p: Param, value: str, engine: Engine) -> Term:
    """The term a parameter value stands for, checked by the checker of its type in
    ``kg.inputs.values`` (raises ``BadValue``). A string may hold any character (it is bound as one
    literal, never pasted into the query), but it must be UTF-8."""
    what = f"parameter {p.name!r}"
    text = V.text(value, what, controls=True, empty=True, max_chars=V.MAX_TEXT)
    if p.type == "integer":
        return Term("literal", str(V.integer(text.strip(), what)), XSD + "integer")
    if p.type == "xsd_date":
        return Term("literal", V.date(text.strip(), what, precisions=("day",)).text, XSD + "date")
    if p.type == "iri":
        return resolve_iri(p, text, engine)
    return Term("literal", text, XSD_STRING)


def resolve_iri(p: Param, value: str, engine: Engine) -> Term:
    """An IRI as given, or the entity whose id, label or alias the value is."""
    text = value.strip()
    if _ABS_IRI.match(text) and "://" in text:
        return Term("uri", V.iri(text, f"parameter {p.name!r}"))
    found = _found_by_id_or_label(text, engine)
    if len(found) != 1:  # none, or more than one: every label and alias, in any case
        result = engine.select(_RESOLVE, {"_text": Term("literal", text, XSD_STRING)})
        found = sorted({row["s"].value for row in result.rows})
    if not found:
        raise InputError(f"parameter {p.name!r}: no entity has the id, label or alias {text!r}")
    if len(found) > 1:
        # an exact id match wins over labels
        exact = [f for f in found if f.rsplit("/", 1)[-1] == text]
        if len(exact) == 1:
            return Term("uri", exact[0])
        shown = ", ".join(f.removeprefix(BASE) for f in found[:5])
        raise InputError(f"parameter {p.name!r}: {text!r} could be any of {shown}; give the id")
    return Term("uri", found[0])


# --- running -----------------------------------------------------------------------------


@dataclass
class Outcome:
    form: str
    select: SelectResult | None = None
    boolean: bool | None = None
    ntriples: bytes | None = None


def run_query(q: QueryFile, bindings: dict[str, Term], engine: Engine) -> Outcome:
    """Run a query; parameter columns (``?_name``) are inputs and are left out of the results."""
    try:
        if q.form == "SELECT":
            result = engine.select(q.runnable, bindings)
            params = {p.var for p in q.params}
            variables = [v for v in result.variables if v not in params]
            rows = [{k: v for k, v in row.items() if k not in params} for row in result.rows]
            return Outcome("SELECT", select=SelectResult(variables, rows))
        if q.form == "ASK":
            return Outcome("ASK", boolean=engine.ask(q.runnable, bindings))
        return Outcome(q.form, ntriples=engine.construct(q.runnable, bindings))
    except KgError:
        raise
    except Exception as exc:  # an engine's own error: one line, no traceback
        raise QueryError(f"query {q.name!r} failed in {engine.name}: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from None


def run_query_stream(q: QueryFile, bindings: dict[str, Term], engine: Engine) -> SelectStream:
    """Run a SELECT query and read its rows as they come (see ``kg.sparql.results.write_csv``):
    memory holds a few rows at a time, whatever the size of the result. Parameter columns are
    left out, as ``run_query`` does; an engine's error while reading rows is a ``QueryError``."""
    if q.form != "SELECT":
        raise InputError(f"query {q.name!r} is a {q.form} query; only SELECT results stream")
    try:
        stream = engine.select_stream(q.runnable, bindings)
    except KgError:
        raise
    except Exception as exc:
        raise QueryError(f"query {q.name!r} failed in {engine.name}: {_first_line(exc)}") from None
    params = {p.var for p in q.params}
    variables = [v for v in stream.variables if v not in params]

    def rows():
        try:
            for row in stream.rows:
                yield {k: v for k, v in row.items() if k not in params} if params else row
        except KgError:
            raise
        except Exception as exc:
            raise QueryError(f"query {q.name!r} failed in {engine.name}: {_first_line(exc)}") from None

    return SelectStream(variables, rows())


def _first_line(exc: BaseException) -> str:
    return str(exc).splitlines()[0] if str(exc).strip() else type(exc).__name__


# --- results kept with the store -------------------------------------------------------------


@dataclass
class Materialized:
    """What ``materialize`` kept: how many whole results, the rows run, labelled IRIs, and the
    lookups kept grouped (a query and a parameter each)."""

    results: int
    rows: int
    labels: int
    lookups: int = 0


def listings(queries_dir: Path, display) -> list[QueryFile]:
    """The saved SELECT queries and checks that run with no parameter given: their whole listings."""
    return [q for q in _saved_selects(queries_dir, display) if q.listing]


def grouped_lookups(queries_dir: Path, display) -> list[QueryFile]:
    """The saved SELECT queries whose one required parameter only narrows their listing
    (``#+ narrows``): ``kg load --materialize`` keeps that listing grouped by its column only."""
    return [q for q in _saved_selects(queries_dir, display) if _grouped_only(q)]


def kept_queries(queries_dir: Path, display) -> list[QueryFile]:
    """What ``kg load --materialize`` runs, each saved query read and checked once (about 3 s for
    the project's): the whole listings (``listings``), then the lookups kept grouped only
    (``grouped_lookups``)."""
    saved = _saved_selects(queries_dir, display)
    return [*(q for q in saved if q.listing), *(q for q in saved if _grouped_only(q))]


def _grouped_only(q: QueryFile) -> bool:
    return not q.listing and all(p.name in q.narrows for p in q.params if p.required)


def _saved_selects(queries_dir: Path, display) -> list[QueryFile]:
    out = []
    for name in query_names(queries_dir):
        q = find_query(queries_dir, name, display)
        if q.form == "SELECT":
            check_query(q, display(queries_dir / f"{name}.rq"))
            out.append(q)
    return out


def materialize(generation: Path, queries: list[QueryFile], progress=None, jobs: int = 1) -> Materialized:
    """Run each of ``queries`` (``kept_queries``: the whole listings, and the lookups kept
    grouped only) with no parameter bound on the closed, unpublished store
    ``generation`` as ``kg query --store`` runs it, and find the label of every IRI; keep them in
    the generation (``kg.engines.materialized``) for the engines that open it later: a listing
    whole, and grouped by each column a parameter narrows it to (a query with a required
    parameter only so).
    ``jobs`` queries run at once, in threads (Oxigraph evaluates them in parallel: two threads
    took 6.7 s where one took 9.5 s); each result is written as it ends, and what is written
    does not depend on the order. ``progress(name)`` is told each query as it ends. A query that
    fails stops it, naming the query."""
    import gc
    from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

    from .engines.materialized import Writer
    from .engines.oxigraph_engine import OxigraphEngine
    from .sparql.results import ALL_LABELS_QUERY, best_labels

    engine = OxigraphEngine.open(generation, materialized=False)
    writer = Writer(generation)
    rows = 0
    labels: dict[str, Term] = {}

    def run(q: QueryFile | None):
        if q is None:  # the labels
            return None, best_labels(engine.select(ALL_LABELS_QUERY, {}).rows)
        try:
            return q, engine.select(q.runnable, {})
        except KgError as exc:
            raise QueryError(f"query {q.name!r}: {exc}") from None

    todo: list[QueryFile | None] = [None, *queries]
    try:
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            running: set = set()
            try:
                while todo or running:
                    while todo and len(running) < max(1, jobs):  # a few at a time: memory holds few results
                        running.add(pool.submit(run, todo.pop(0)))
                    done, running = wait(running, return_when=FIRST_COMPLETED)
                    for future in done:
                        q, result = future.result()
                        if q is None:
                            labels = result
                            continue
                        by_name = {p.name: p.var for p in q.params}
                        writer.add(q.runnable, result.variables, result.rows,
                                   lookups={by_name[name]: column for name, column in q.narrows.items()},
                                   whole=q.listing)
                        rows += len(result.rows)
                        if progress is not None:
                            progress(q.name)
            except BaseException:
                todo.clear()
                for future in running:
                    future.cancel()
                raise
    finally:
        del engine
        gc.collect()  # nothing else holds the store: this closes it
    writer.finish(labels)
    return Materialized(len(writer.names), rows, len(labels), sum(len(by) for by in writer.lookups.values()))
