"""A SELECT query's outer ``ORDER BY`` done by kg: ``client_order`` reads it from the query's
text and, where kg can sort exactly as SPARQL 1.1 does (15.1), gives the query without it and
the way to sort its rows.

Oxigraph 0.5 sorts slowly: each comparison reads the terms back from the store, so that at
10,000 articles ordering 43,710 rows took 1.8 s of a query's 2.7 s, where Python sorts them in a
few hundredths of a second. kg sorts where each key is one of

    ?v    STR(?v)    "text"    COALESCE(k1, k2, ...)    ASC(k)    DESC(k)

of variables, and where every value a key takes is of one kind that kg orders as Oxigraph
does: strings (simple literals, xsd:string) and the strings of ``STR``, by code point; IRIs, by
code point; language-tagged strings, by their text, then their language (SPARQL leaves those to
the engine); numbers, by value (the integers with xsd:decimal, or xsd:double, or xsd:float: two of
these in one key are left to the engine); xsd:date or xsd:gYear without a time zone, by date. An
unbound key (or one in error) comes first, as SPARQL has it. Rows whose keys are all equal keep
the order the engine gave them (a stable sort: Oxigraph's own is not, so such ties came in an
order of its choosing before). A key on a variable the query does not project is projected for
the sort and dropped after it, where that cannot change the rows (no DISTINCT, grouping or
expression in the SELECT clause). Anything else is left to the engine: another function or a
projection that may not take a key (``client_order`` answers None), keys of two kinds or a
literal of another type (``apply`` answers None).
"""
from __future__ import annotations

import re
import struct
from dataclasses import dataclass
from decimal import Decimal
from typing import Callable

from .terms import XSD, XSD_STRING, Row, Term
from .text import blank_out, projected

_INTEGERS = ("integer", "nonPositiveInteger", "negativeInteger", "long", "int", "short", "byte",
             "nonNegativeInteger", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte", "positiveInteger")
#: the XSD numeric types with the lexical forms kg compares (NaN and INF are left to the engine)
_NUMERIC = {**{XSD + t: re.compile(r"[+-]?\d+\Z") for t in _INTEGERS},
            XSD + "decimal": re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)\Z"),
            **{XSD + t: re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\Z") for t in ("float", "double")}}
_DATES = {XSD + "date": re.compile(r"\d{4}-\d{2}-\d{2}\Z"), XSD + "gYear": re.compile(r"\d{4}\Z")}
_KEY_TOKEN = re.compile(r'\s*(?:(ASC|DESC|STR|COALESCE)\s*\(|([(),])|[?$]([A-Za-z0-9_]+)|"([^"\\\n]*)"|'
                        r"'([^'\\\n]*)')", re.IGNORECASE)
_ORDER_BY = re.compile(r"\bORDER\s+BY\b", re.IGNORECASE)
_SLICE = re.compile(r"\s*(?:(LIMIT|OFFSET)\s+(\d+))?\s*(?:(LIMIT|OFFSET)\s+(\d+))?\s*\Z", re.IGNORECASE)

# a key: ("var", name) | ("str", key) | ("const", text) | ("coalesce", [keys])
Key = tuple


@dataclass(frozen=True)
class ClientOrder:
    """The query without its outer ORDER BY, LIMIT and OFFSET (``unordered``; it projects the
    variables ``hidden`` too, keys that the query does not project), and how to put its rows in
    order (``apply``)."""

    unordered: str
    keys: tuple[tuple[Key, bool], ...]  # (key, descending)
    offset: int = 0
    limit: int | None = None
    hidden: tuple[str, ...] = ()

    def apply(self, variables: list[str], rows: list[Row]) -> tuple[list[str], list[Row]] | None:
        """The query's variables and its rows in its order, OFFSET and LIMIT applied; None where
        kg cannot be sure to sort them as SPARQL does (run the query as written)."""
        columns: list[tuple[list[tuple], bool]] = []
        for key, descending in self.keys:
            values = list(map(_compiled(key), rows))
            kinds = {v[0] for v in values if v is not None}
            if len(kinds) > 1 or "other" in kinds:
                return None
            if any(v is None for v in values):  # unbound first: (0,) before every (1, value)
                columns.append(([_UNBOUND if v is None else (1, v[1]) for v in values], descending))
            else:
                columns.append(([v[1] for v in values], descending))
        order = list(range(len(rows)))
        # one stable sort per run of keys in the same direction, from the last run to the first
        runs: list[tuple[list[list[tuple]], bool]] = []
        for column, descending in columns:
            if runs and runs[-1][1] == descending:
                runs[-1][0].append(column)
            else:
                runs.append(([column], descending))
        for run, descending in reversed(runs):
            if len(run) == 1:
                order.sort(key=run[0].__getitem__, reverse=descending)
            else:
                keys = list(zip(*run))
                order.sort(key=keys.__getitem__, reverse=descending)
        end = None if self.limit is None else self.offset + self.limit
        chosen = [rows[i] for i in order[self.offset:end]]
        if self.hidden:
            hidden = set(self.hidden)
            variables = [v for v in variables if v not in hidden]
            for row in chosen:  # the rows are the engine's, made for this query: changed in place
                for name in self.hidden:
                    row.pop(name, None)
        return variables, chosen


def client_order(query: str) -> ClientOrder | None:
    """How kg can sort the query's rows itself (see the module), or None where it leaves the
    order to the engine: no outer ORDER BY, a key it does not read, a key on a variable the query
    does not project, or something after the ORDER BY other than LIMIT and OFFSET."""
    if _ORDER_BY.search(query) is None:  # most queries (label lookups of 2,000 IRIs among them)
        return None
    body = blank_out(query)
    select = re.search(r"\bSELECT\b(.*?)(?:\bWHERE\b|\{)", body, re.IGNORECASE | re.DOTALL)
    if select is None or re.search(r"\b(CONSTRUCT|DESCRIBE|ASK)\b", body[:select.start()], re.IGNORECASE):
        return None
    outside = _outside_braces(body)
    outer = list(_ORDER_BY.finditer(outside))
    if len(outer) != 1:  # none, or two: a syntax error the engine reports
        return None
    start = outer[0]
    rest = body[start.end():]
    if "{" in rest or "}" in rest:
        return None  # a trailing VALUES block, or text kg does not read
    cut = re.search(r"\b(LIMIT|OFFSET)\b", rest, re.IGNORECASE)
    clause_end = start.end() + (cut.start() if cut else len(rest))
    sliced = _SLICE.match(body[clause_end:])
    if sliced is None or (sliced.group(1) and sliced.group(3) and
                          sliced.group(1).upper() == sliced.group(3).upper()):
        return None
    keys = _keys(query[start.end():clause_end])
    if not keys:
        return None
    projection = select.group(1)
    unordered = query[:start.start()]
    hidden: list[str] = []
    if "*" not in projection:
        named = projected(projection)
        for key, _ in keys:
            hidden += [name for name in _variables(key) if name not in named and name not in hidden]
        if hidden:
            # projected beside the others, then dropped: this gives the same rows only where each
            # row of the patterns is a row of the result (no DISTINCT, REDUCED, grouping or
            # expression in the SELECT clause)
            plain = re.fullmatch(r"(?:\s*[?$][A-Za-z0-9_]+)+\s*", projection)
            if plain is None or re.search(r"\b(GROUP\s+BY|HAVING)\b", outside[:start.start()], re.IGNORECASE):
                return None
            end = select.end(1)
            unordered = unordered[:end].rstrip() + "".join(f" ?{name}" for name in hidden) + "\n" + unordered[end:]
    slices = {}
    for word, number in ((sliced.group(1), sliced.group(2)), (sliced.group(3), sliced.group(4))):
        if word:
            slices[word.upper()] = int(number)
    return ClientOrder(unordered, tuple(keys), slices.get("OFFSET", 0), slices.get("LIMIT"), tuple(hidden))


def _outside_braces(body: str) -> str:
    """A blanked query with what stands inside any ``{...}`` (the braces too) turned to spaces,
    same length: what is left is the query's own clauses."""
    out, depth = [], 0
    for c in body:
        if c == "{":
            depth += 1
        out.append(c if depth == 0 else " ")
        if c == "}":
            depth -= 1
    return "".join(out)


# --- reading the keys ------------------------------------------------------------------------


def _keys(text: str) -> list[tuple[Key, bool]] | None:
    """The ORDER BY clause's keys with their direction, or None for one kg does not read."""
    tokens = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = _KEY_TOKEN.match(text, pos)
        if m is None:
            return None
        tokens.append(m)
        pos = m.end()
    keys: list[tuple[Key, bool]] = []
    i = 0
    while i < len(tokens):
        word = (tokens[i].group(1) or "").upper()
        descending = word == "DESC"
        if word in ("ASC", "DESC"):
            key, i = _expression(tokens, i + 1)
            if key is None or i >= len(tokens) or tokens[i].group(2) != ")":
                return None
            i += 1
        else:
            key, i = _expression(tokens, i)
            if key is None or key[0] == "const":
                return None
        keys.append((key, descending))
    return keys


def _expression(tokens, i: int) -> tuple[Key | None, int]:
    if i >= len(tokens):
        return None, i
    m = tokens[i]
    word = (m.group(1) or "").upper()
    if m.group(3):
        return ("var", m.group(3)), i + 1
    if m.group(4) is not None or m.group(5) is not None:
        return ("const", m.group(4) if m.group(4) is not None else m.group(5)), i + 1
    if word == "STR":
        inner, i = _expression(tokens, i + 1)
        if inner is None or inner[0] != "var" or i >= len(tokens) or tokens[i].group(2) != ")":
            return None, i
        return ("str", inner), i + 1
    if word == "COALESCE":
        parts, i = [], i + 1
        while True:
            part, i = _expression(tokens, i)
            if part is None or i >= len(tokens):
                return None, i
            parts.append(part)
            sep = tokens[i].group(2)
            i += 1
            if sep == ")":
                return ("coalesce", parts), i
            if sep != ",":
                return None, i
    return None, i


def _variables(key: Key) -> list[str]:
    if key[0] == "var":
        return [key[1]]
    if key[0] == "str":
        return _variables(key[1])
    if key[0] == "coalesce":
        return [name for part in key[1] for name in _variables(part)]
    return []


# --- the value of a key ----------------------------------------------------------------------

_UNBOUND = (0,)


def _compiled(key: Key) -> Callable[[Row], tuple | None]:
    """A function of a row giving the key's value as (kind, what Python compares), None where it
    is unbound or in error (SPARQL's value, computed without making terms: this runs for every
    row and key)."""
    kind = key[0]
    if kind == "var":
        name = key[1]
        return lambda row: _classify(row.get(name))
    if kind == "const":
        value = ("string", key[1])
        return lambda row: value
    if kind == "str":
        name = key[1][1]

        def string(row):
            term = row.get(name)
            return None if term is None or term.type == "bnode" else ("string", term.value)
        return string
    parts = [_compiled(part) for part in key[1]]

    def coalesce(row):
        for part in parts:
            value = part(row)
            if value is not None:
                return value
        return None
    return coalesce


def _classify(term: Term | None) -> tuple | None:
    """A term as (kind, what Python compares); kind "other" where kg does not compare it."""
    if term is None:
        return None
    if term.type == "uri":
        return ("iri", term.value)
    if term.type != "literal":
        return ("other", None)
    if term.lang:  # Oxigraph: by the text, then by the language (SPARQL leaves it to the engine)
        return ("lang", (term.value, term.lang))
    datatype = term.datatype or XSD_STRING
    if datatype == XSD_STRING:
        return ("string", term.value)
    number = _NUMERIC.get(datatype)
    if number is not None:
        if not number.match(term.value):  # NaN, INF, or not a number at all
            return ("other", None)
        if datatype == XSD + "double":
            return ("double", float(term.value))
        if datatype == XSD + "float":  # a 32-bit float: its value, as the engine holds it
            return ("float", struct.unpack("f", struct.pack("f", float(term.value)))[0])
        return ("decimal", Decimal(term.value))  # the integers and xsd:decimal, exactly
    pattern = _DATES.get(datatype)
    if pattern is not None and pattern.match(term.value):
        return (datatype, term.value)
    return ("other", None)
