"""Reading a query's text without parsing it: ``blank_out`` hides comments, strings and IRIs;
``union_default_graph`` says whether a query names its own dataset; ``projected`` which
variables a SELECT clause projects."""
from __future__ import annotations

import re


def blank_out(text: str) -> str:
    """The query with comments, strings and IRIs replaced by spaces, same length (to find
    variables, keywords and braces without being fooled by what a string or IRI holds)."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "#":
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif c in "\"'":
            quote = text[i:i + 3] if text[i:i + 3] in ('"""', "'''") else c
            j = i + len(quote)
            while j < n and text[j:j + len(quote)] != quote:
                j += 2 if text[j] == "\\" else 1
            j = min(n, j + len(quote))
            out.append(" " * (j - i))
            i = j
        elif c == "<" and re.match(r"<[^\s<>\"{}|^`\\]*>", text[i:]):
            j = text.index(">", i) + 1
            out.append(" " * (j - i))
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def union_default_graph(query: str) -> bool:
    """Whether Oxigraph should take the union of the named graphs as the default graph: yes,
    unless the query names its own dataset (``FROM``/``FROM NAMED``), which Oxigraph would
    otherwise ignore."""
    return re.search(r"\bFROM\b", blank_out(query), re.IGNORECASE) is None


def projected(clause: str) -> set[str]:
    """The variables a SELECT clause projects: named outright, or after AS."""
    names, depth = set(), 0
    for part in re.finditer(r"\(|\)|\bAS\s+[?$]([A-Za-z0-9_]+)|[?$]([A-Za-z0-9_]+)", clause, re.IGNORECASE):
        tok = part.group(0)
        if tok == "(":
            depth += 1
        elif tok == ")":
            depth -= 1
        elif part.group(1):
            names.add(part.group(1))
        elif depth == 0:
            names.add(part.group(2))
    return names
