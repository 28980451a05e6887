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

from .terms import XSD_STRING, QueryError, SelectResult, SelectStream, Term

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


def display_value(term: Term | None, labels: dict[str, str]) -> str:
    """A term for people: the label where the graph has one, else a prefixed name."""
    if term is None:
        return ""
    if term.type == "uri":
        return labels.get(term.value) or prefixed(term.value)
    if term.type == "bnode":
        return f"_:{term.value}"
    return term.value.replace("\n", " ")


def to_table(result: SelectResult, labels: dict[str, str]) -> str:
    rows = [[display_value(row.get(v), labels) for v in result.variables] for row in result.rows]
    widths = [max([len(v)] + [len(r[i]) for r in rows]) for i, v in enumerate(result.variables)]
    out = ["  ".join(v.ljust(w) for v, w in zip(result.variables, widths)).rstrip(),
           "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    out.append(f"({len(rows)} row{'s' * (len(rows) != 1)})")
    return "\n".join(out) + "\n"


def to_markdown(result: SelectResult, labels: dict[str, str]) -> str:
    def cell(text: str) -> str:
        return text.replace("|", "\\|")

    out = ["| " + " | ".join(result.variables) + " |", "|" + "---|" * len(result.variables)]
    for row in result.rows:
        out.append("| " + " | ".join(cell(display_value(row.get(v), labels)) for v in result.variables) + " |")
    return "\n".join(out) + "\n"


def uris_in(result: SelectResult) -> set[str]:
    return {t.value for row in result.rows for t in row.values() if t.type == "uri"}


# --- the formats, by name --------------------------------------------------------------------


@dataclass(frozen=True)
class SelectFormat:
    """How a SELECT result is written: ``stream(rows, out)`` row by row as they come (memory
    holds a few rows at a time), or ``text(result, labels)`` whole, for the formats that align
    columns and show labels. ``out`` is a text stream (CSV, which is bytes, uses its buffer)."""

    stream: Callable[[SelectStream, TextIO], int] | None = None
    text: Callable[[SelectResult, dict[str, str]], str] | None = None


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
