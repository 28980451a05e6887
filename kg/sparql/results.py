"""Writing query results: W3C SPARQL 1.1 JSON, XML, CSV and TSV results, and tables for people
(``SELECT_FORMATS``, by name); ASK answers (``boolean_text``); CONSTRUCT and DESCRIBE graphs
(``GRAPH_FORMATS``, ``write_graph``)."""
from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import BinaryIO, Callable, TextIO

from .terms import IRI_BAD, XSD_STRING, Engine, QueryError, Row, SelectResult, SelectStream, Term

_NUMERIC = {
    "http://www.w3.org/2001/XMLSchema#" + t
    for t in ("integer", "decimal", "double", "float", "int", "long", "nonNegativeInteger", "positiveInteger")
}
@lru_cache(maxsize=1)
def _prefixes() -> list[tuple[str, str]]:
    """The project's prefixes, longest namespace first, so that mcv: wins over mc: where both
    would fit (kg.namespaces imports rdflib: not at start-up, where the command line lists
    ``SELECT_FORMATS``)."""
    from ..namespaces import PREFIXES

    return sorted(((p, str(ns)) for p, ns in PREFIXES.items()), key=lambda x: -len(x[1]))


def prefixed(iri: str) -> str:
    for prefix, ns in _prefixes():
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return f"<{iri}>"


def to_json(result: SelectResult) -> str:
    """The W3C SPARQL 1.1 Query Results JSON Format."""
    buf = io.StringIO()
    write_json(result, buf)
    return buf.getvalue()


def write_json(result: SelectResult | SelectStream, out: TextIO) -> int:
    """Write the JSON results row by row (the same text as ``json.dumps(doc, indent=2)``);
    returns the number of rows."""
    head = json.dumps({"vars": result.variables}, indent=2, ensure_ascii=False).replace("\n", "\n  ")
    out.write('{\n  "head": ' + head + ',\n  "results": {\n    "bindings": [')
    count = 0
    for row in result.rows:
        binding = {v: row[v].to_json() for v in result.variables if v in row}
        text = json.dumps(binding, indent=2, ensure_ascii=False).replace("\n", "\n      ")
        out.write(("," if count else "") + "\n      " + text)
        count += 1
    out.write("\n    ]\n  }\n}\n" if count else "]\n  }\n}\n")
    return count


def boolean_json(value: bool) -> str:
    return json.dumps({"head": {}, "boolean": value}) + "\n"


#: the namespace of the W3C SPARQL Query Results XML Format
SPARQL_RESULTS_NS = "http://www.w3.org/2005/sparql-results#"
#: what XML 1.0 cannot hold (https://www.w3.org/TR/xml/#charsets): the SPARQL results and RDF/XML writers
XML_BAD = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml(text: str) -> str:
    from xml.sax.saxutils import escape

    bad = XML_BAD.search(text)
    if bad:
        raise QueryError(f"a value holds the character U+{ord(bad.group()):04X}, which XML cannot hold; "
                         "use --format json, csv or tsv")
    return escape(text, {'"': "&quot;"})


def _xml_term(term: Term) -> str:
    if term.type == "uri":
        return f"<uri>{_xml(term.value)}</uri>"
    if term.type == "bnode":
        return f"<bnode>{_xml(term.value)}</bnode>"
    if term.lang:
        return f'<literal xml:lang="{_xml(term.lang)}">{_xml(term.value)}</literal>'
    if term.datatype and term.datatype != XSD_STRING:
        return f'<literal datatype="{_xml(term.datatype)}">{_xml(term.value)}</literal>'
    return f"<literal>{_xml(term.value)}</literal>"


def write_xml(result: SelectResult | SelectStream, out: TextIO) -> int:
    """The W3C SPARQL Query Results XML Format, row by row; returns the number of rows."""
    out.write(f'<?xml version="1.0" encoding="utf-8"?>\n<sparql xmlns="{SPARQL_RESULTS_NS}">\n  <head>\n')
    for v in result.variables:
        out.write(f'    <variable name="{_xml(v)}"/>\n')
    out.write("  </head>\n  <results>\n")
    count = 0
    for row in result.rows:
        out.write("    <result>\n")
        for v in result.variables:
            if v in row:
                out.write(f'      <binding name="{_xml(v)}">{_xml_term(row[v])}</binding>\n')
        out.write("    </result>\n")
        count += 1
    out.write("  </results>\n</sparql>\n")
    return count


def boolean_xml(value: bool) -> str:
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<sparql xmlns="{SPARQL_RESULTS_NS}">\n  <head/>\n'
            f"  <boolean>{str(value).lower()}</boolean>\n</sparql>\n")


def to_csv(result: SelectResult) -> str:
    """The W3C SPARQL 1.1 Query Results CSV Format (plain values, CRLF line ends)."""
    buf = io.StringIO()
    _write_csv_text(result, buf)
    return buf.getvalue()


def write_csv(result: SelectResult | SelectStream, out: BinaryIO) -> int:
    """Write the CSV results as UTF-8 to a binary stream, row by row (with a
    ``SelectStream``, memory holds a few rows at a time); returns the number of rows."""
    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=False)
    try:
        return _write_csv_text(result, text)
    finally:
        text.flush()
        text.detach()  # the caller's stream stays open


def _write_csv_text(result: SelectResult | SelectStream, out: TextIO) -> int:
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(result.variables)
    count = 0
    for row in result.rows:
        writer.writerow([_csv_value(row.get(v)) for v in result.variables])
        count += 1
    return count


def _csv_value(term: Term | None) -> str:
    if term is None:
        return ""
    if term.type == "bnode":
        return f"_:{term.value}"
    return term.value


def to_tsv(result: SelectResult) -> str:
    """The W3C SPARQL 1.1 Query Results TSV Format (terms in Turtle syntax)."""
    buf = io.StringIO()
    write_tsv(result, buf)
    return buf.getvalue()


def write_tsv(result: SelectResult | SelectStream, out: TextIO) -> int:
    """Write the TSV results row by row; returns the number of rows."""
    out.write("\t".join(f"?{v}" for v in result.variables) + "\n")
    count = 0
    for row in result.rows:
        out.write("\t".join(_tsv_value(row.get(v)) for v in result.variables) + "\n")
        count += 1
    return count


def _tsv_value(term: Term | None) -> str:
    if term is None:
        return ""
    if term.type == "literal" and term.datatype in _NUMERIC and not term.lang:
        return term.value
    return term.n3().replace("\t", "\\t")


def display_value(term: Term | None, labels: dict[str, str] | None = None) -> str:
    """A term for people: the label where one is given, else a prefixed name."""
    if term is None:
        return ""
    if term.type == "uri":
        return (labels or {}).get(term.value) or prefixed(term.value)
    if term.type == "bnode":
        return f"_:{term.value}"
    return term.value.replace("\n", " ")


def _people_columns(result: SelectResult) -> list[tuple[str, str, str | None]]:
    """The columns of a table for people: (heading, variable, its label variable). A label
    column that stands beside its IRI column is folded into it: the table shows the label in
    the IRI's place (its prefixed name where the graph has no label)."""
    label_var = {iri_var: label for label, iri_var in result.labels.items() if label in result.variables}
    shown = [v for v in result.variables
             if not (v in result.labels and result.labels[v] in result.variables)]
    return [(v, v, label_var.get(v)) for v in shown]


def _people_cell(row: Row, var: str, label_var: str | None) -> str:
    label = row.get(label_var) if label_var is not None else None
    if label is not None:
        return label.value.replace("\n", " ")
    return display_value(row.get(var))


#: what ends a cell cut to fit
ELLIPSIS = "\u2026"


def _fit(widths: list[int], width: int | None) -> list[int]:
    """Column widths that fit in ``width`` characters with two spaces between columns: the
    widest column is narrowed first, one character at a time, never below 3 (None: as they are)."""
    if width is None or width <= 0:
        return widths
    out = list(widths)
    floor = 3
    while sum(out) + 2 * (len(out) - 1) > width:
        widest = max(range(len(out)), key=lambda i: (out[i], -i))
        if out[widest] <= floor:
            break
        out[widest] -= 1
    return out


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[:max(width - 1, 0)] + ELLIPSIS


def to_table(result: SelectResult, width: int | None = None) -> str:
    """A table for people: labels in place of IRIs, columns two spaces apart; with ``width``,
    cells cut with an ellipsis so that every line fits in that many characters."""
    columns = _people_columns(result)
    headings = [c[0] for c in columns]
    rows = [[_people_cell(row, var, label) for _, var, label in columns] for row in result.rows]
    natural = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headings)]
    widths = _fit(natural, width)
    out = ["  ".join(_cut(h, w).ljust(w) for h, w in zip(headings, widths)).rstrip(),
           "  ".join("-" * w for w in widths)]
    out += ["  ".join(_cut(c, w).ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    out.append(f"({len(rows)} row{'s' * (len(rows) != 1)})")
    return "\n".join(out) + "\n"


def to_markdown(result: SelectResult, width: int | None = None) -> str:
    """A Markdown table, labels in place of IRIs (never cut: Markdown is read rendered)."""
    def cell(text: str) -> str:
        return text.replace("|", "\\|")

    columns = _people_columns(result)
    out = ["| " + " | ".join(c[0] for c in columns) + " |", "|" + "---|" * len(columns)]
    for row in result.rows:
        out.append("| " + " | ".join(cell(_people_cell(row, var, label)) for _, var, label in columns) + " |")
    return "\n".join(out) + "\n"


# --- label columns ---------------------------------------------------------------------------

#: where a label comes from, best first: rdfs:label, skos:prefLabel, an article's schema:headline
LABEL_PROPERTIES = ("http://www.w3.org/2000/01/rdf-schema#label",
                    "http://www.w3.org/2004/02/skos/core#prefLabel",
                    "https://schema.org/headline")
#: the label column of ``?x`` is ``?xLabel`` (Wikidata's convention)
LABEL_SUFFIX = "Label"
#: rows read ahead before their labels are looked up
LABEL_BATCH = 5000
#: the labels kept from one batch of rows to the next (an IRI met again is not looked up again)
LABELS_KEPT = 100_000
#: the most IRIs one label query names: Virtuoso 7 refuses a VALUES of 5,000 (SP030, "too many
#: arguments"); 2,000 is well within what it takes, and no slower on Oxigraph
LABEL_QUERY_IRIS = 2000


def label_query(iris: list[str]) -> str:
    """The one query that finds the labels of ``iris``: each IRI's literals of each label
    property. (The IRIs as VALUES and the properties as a FILTER: rdflib answers this form in a
    tenth of a second, where a VALUES of the properties took it seconds.)"""
    values = " ".join(f"<{i}>" for i in iris)
    properties = ", ".join(f"<{p}>" for p in LABEL_PROPERTIES)
    return (f"SELECT ?s ?p ?label WHERE {{ VALUES ?s {{ {values} }} ?s ?p ?label "
            f"FILTER(?p IN ({properties}) && isLiteral(?label)) }}")


def _label_order(rank: int, label: Term) -> tuple:
    lang = (label.lang or "").lower()
    return rank, 0 if lang == "en" else 1 if lang == "" else 2, lang, label.value


def lookup_labels(engine: Engine, iris: set[str]) -> dict[str, Term]:
    """The label of each IRI that has one, from ``engine`` (the engine, store or server that ran
    the query; one query for each ``LABEL_QUERY_IRIS`` of them, or, for more than that, the
    labels ``kg load --materialize`` kept with the store): rdfs:label before skos:prefLabel
    before schema:headline, English before no language before others, then the first in code
    point order."""
    wanted = sorted(i for i in iris if not IRI_BAD.search(i))
    if len(wanted) > LABEL_QUERY_IRIS:  # more than one query: the labels kept with the store, if any
        kept = getattr(engine, "kept_labels", lambda: None)()
        if kept is not None:
            return {iri: kept[iri] for iri in wanted if iri in kept}
    rows = (row for start in range(0, len(wanted), LABEL_QUERY_IRIS)
            for row in engine.select(label_query(wanted[start:start + LABEL_QUERY_IRIS]), {}).rows)
    return best_labels(rows)


#: every IRI's literals of each label property (``kg load --materialize`` keeps their best)
ALL_LABELS_QUERY = "SELECT ?s ?p ?label WHERE { " + " UNION ".join(
    f"{{ ?s <{p}> ?label BIND(<{p}> AS ?p) }}" for p in LABEL_PROPERTIES) + " }"


def best_labels(rows) -> dict[str, Term]:
    """The best label of each IRI among rows of ``?s ?p ?label`` (see ``lookup_labels``)."""
    best: dict[str, tuple] = {}
    for row in rows:
        s, p, label = row.get("s"), row.get("p"), row.get("label")
        if (s is None or s.type != "uri" or IRI_BAD.search(s.value) or p is None
                or p.value not in LABEL_PROPERTIES or label is None or label.type != "literal"):
            continue
        order = _label_order(LABEL_PROPERTIES.index(p.value), label)
        if s.value not in best or order < best[s.value][0]:
            best[s.value] = (order, label)
    return {iri: Term("literal", label.value, label.datatype, label.lang) for iri, (_, label) in best.items()}


def with_labels(result: SelectResult | SelectStream, engine: Engine, batch: int = LABEL_BATCH) -> SelectStream:
    """The result with a label column ``?xLabel`` beside each IRI column ``?x`` (a variable
    bound to an IRI in the first ``batch`` rows, unless the query has an ``?xLabel`` of its
    own), holding the IRI's label from ``engine``. The rows are read ``batch`` at a time, and
    the labels of each batch found in one query: memory holds one batch, whatever the size."""
    from itertools import islice

    rows = iter(result.rows)
    first = list(islice(rows, batch))
    own = set(result.variables)
    iri_vars = [v for v in result.variables
                if v + LABEL_SUFFIX not in own and any(r.get(v) is not None and r[v].type == "uri" for r in first)]
    if not iri_vars:
        return SelectStream(list(result.variables), _chain(first, rows),
                            dict(result.labels))
    variables: list[str] = []
    labels = dict(result.labels)
    for v in result.variables:
        variables.append(v)
        if v in iri_vars:
            variables.append(v + LABEL_SUFFIX)
            labels[v + LABEL_SUFFIX] = v

    known: dict[str, Term | None] = {}  # labels of earlier batches: an IRI met again is not looked up again

    def labelled(chunk: list[Row]):
        iris = {r[v].value for r in chunk for v in iri_vars if r.get(v) is not None and r[v].type == "uri"}
        if len(known) + len(iris) > LABELS_KEPT:  # memory holds a few batches' labels, whatever the size
            known.clear()
        wanted = iris - known.keys()
        found = lookup_labels(engine, wanted)
        known.update((iri, found.get(iri)) for iri in wanted)
        for row in chunk:
            out: Row = {}
            for v in result.variables:
                if v in row:
                    out[v] = row[v]
                    if v in iri_vars and row[v].type == "uri":
                        label = known.get(row[v].value)
                        if label is not None:
                            out[v + LABEL_SUFFIX] = label
            yield out

    def all_rows():
        chunk = first
        while chunk:
            yield from labelled(chunk)
            chunk = list(islice(rows, batch))

    return SelectStream(variables, all_rows(), labels)


def _chain(first: list[Row], rest):
    yield from first
    yield from rest


def select_columns(result: SelectResult | SelectStream, columns: list[str],
                   with_labels: bool = False) -> SelectStream:
    """The result with only ``columns`` (variable names, with or without ``?``), in that order
    (``with_labels``: each chosen IRI column keeps its label column, which a table folds into
    it); a name that is not a column is an error that lists the columns."""
    names = [c[1:] if c.startswith(("?", "$")) else c for c in columns]
    unknown = [n for n in names if n not in result.variables]
    if unknown:
        raise QueryError(f"--columns: no column {', '.join(repr(n) for n in unknown)}; the columns are "
                         + ", ".join(result.variables))
    chosen = list(dict.fromkeys(names))
    if with_labels:
        label_of = {iri_var: label for label, iri_var in result.labels.items()}
        chosen = list(dict.fromkeys(c for n in chosen for c in (n, label_of.get(n)) if c is not None))
    rows = ({v: row[v] for v in chosen if v in row} for row in result.rows)
    return SelectStream(chosen, rows, {k: v for k, v in result.labels.items() if k in chosen})


def collect(result: SelectResult | SelectStream) -> SelectResult:
    """A stream's rows, all read."""
    return SelectResult(list(result.variables), list(result.rows), dict(result.labels))


def uris_in(result: SelectResult) -> set[str]:
    return {t.value for row in result.rows for t in row.values() if t.type == "uri"}


# --- the formats, by name --------------------------------------------------------------------


@dataclass(frozen=True)
class SelectFormat:
    """How a SELECT result is written: ``stream(rows, out)`` row by row as they come (memory
    holds a few rows at a time), or ``text(result, width)`` whole, for the formats that align
    columns for people (``width``: the characters a line may take, None for no limit). ``out``
    is a text stream (CSV, which is bytes, uses its buffer)."""

    stream: Callable[[SelectStream, TextIO], int] | None = None
    text: Callable[[SelectResult, int | None], str] | None = None


def _csv_stream(result: SelectStream, out: TextIO) -> int:
    return write_csv(result, out.buffer)


#: --format name -> how SELECT results are written
SELECT_FORMATS: dict[str, SelectFormat] = {
    "table": SelectFormat(text=to_table),
    "csv": SelectFormat(stream=_csv_stream),
    "tsv": SelectFormat(stream=write_tsv),
    "json": SelectFormat(stream=write_json),
    "xml": SelectFormat(stream=write_xml),
    "markdown": SelectFormat(text=to_markdown),
}

#: --format names of CONSTRUCT and DESCRIBE results (Turtle is the default)
GRAPH_FORMATS = ("turtle", "ntriples")


def boolean_text(value: bool, fmt: str | None) -> str:
    """An ASK answer: W3C SPARQL JSON with ``json``, XML with ``xml``, else ``true`` or ``false``."""
    if fmt == "json":
        return boolean_json(value)
    if fmt == "xml":
        return boolean_xml(value)
    return f"{str(value).lower()}\n"


def write_graph(ntriples: bytes, fmt: str | None, out: TextIO) -> int:
    """A CONSTRUCT or DESCRIBE result (N-Triples from any engine) as Turtle, or as N-Triples
    sorted (the same lines whichever engine or server ran the query); the triple count."""
    from rdflib import Graph

    from ..namespaces import bind_prefixes

    g = Graph()
    bind_prefixes(g)
    g.parse(data=ntriples.decode("utf-8"), format="nt")
    if fmt == "ntriples":
        out.write("".join(sorted(g.serialize(format="nt").splitlines(keepends=True))))
    else:
        out.write(g.serialize(format="turtle"))
    return len(g)
