"""Reading the ontology and the shapes: Turtle parsed with one-line errors (file and line), every
IRI checked, and the vocabulary (the SKOS concepts fact files may name)."""
from __future__ import annotations

import logging
import os
import re
from contextlib import contextmanager
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS

from .. import namespaces as ns
from ..errors import InputError
from ..project import Project
from . import values as V
from .facts import Vocabulary
from .files import MAX_BYTES, read_bytes, shown


def parse_turtle(path: Path, display: str, identifier=None) -> Graph:
    """A Turtle file (the ontology, the vocabularies, the shapes), read by ``kg.inputs.files`` and
    parsed by rdflib; every IRI in it must be one that every RDF tool reads (rdflib takes
    ``<a\\u0000b>`` and spaces, which no store can then load)."""
    data = read_bytes(path, display, "a Turtle file", MAX_BYTES)
    display = shown(display)
    g = Graph(identifier=identifier)
    try:
        with _quiet_rdflib():
            g.parse(data=data, format="turtle", publicID=Path(os.path.abspath(path)).as_uri())
    except Exception as exc:  # rdflib raises several kinds; all mean bad Turtle
        why = getattr(exc, "_why", None)  # rdflib's BadSyntax: the reason and the 0-based line
        line = getattr(exc, "lines", None)
        if why is not None and isinstance(line, int):
            raise InputError(f"invalid Turtle: {V.escape_controls(str(why))}", display, line + 1) from None
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(f"invalid Turtle: {V.escape_controls(message)}", display) from None
    _check_iris(g, data, display)
    return g


@contextmanager
def _quiet_rdflib():
    """rdflib logs a warning for each IRI it doubts; ``_check_iris`` reports them instead."""
    logger = logging.getLogger("rdflib.term")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


_IRIREF = re.compile(r"<([^<>\n]*)>")
_UCHAR = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def _check_iris(g: Graph, data: bytes, display: str) -> None:
    """Refuse the first IRI of the graph (subjects, predicates, objects, datatypes) that is not
    a valid absolute IRI, with the line of the file where it is written."""
    checked: set[str] = set()
    for triple in g:
        for term in triple:
            iri = term.datatype if isinstance(term, Literal) else term
            if not isinstance(iri, URIRef) or iri in checked:
                continue
            checked.add(iri)
            problem = V.iri_problem(str(iri))
            if problem is not None:
                raise InputError(f"{V.quoted(str(iri))} is not a valid IRI ({problem})", display,
                                 _line_of_iri(data, str(iri)))


def _line_of_iri(data: bytes, iri: str) -> int | None:
    """The line of the ``<...>`` that gives ``iri`` (escapes decoded; a relative IRI or a
    prefix declaration counts where the IRI ends or starts with it), or None."""
    text = data.decode("utf-8", errors="replace")
    part_of_it = None
    for number, line in enumerate(text.split("\n"), 1):
        for m in _IRIREF.finditer(line):
            written = _UCHAR.sub(lambda u: chr(int(u.group(1) or u.group(2), 16)), m.group(1))
            if written == iri:
                return number
            if part_of_it is None and written and written in iri and V.bad_iri_character(written):
                part_of_it = number
    return part_of_it


def load_ontology(project: Project) -> Graph:
    """The ontology and vocabularies; their blank nodes (OWL lists) get canonical labels, so
    that every output is the same bytes for the same input."""
    from rdflib.compare import to_canonical_graph

    parsed = Graph()
    for path in project.ontology_paths():
        parsed += parse_turtle(path, project.display(path))
    g = Graph(identifier=ns.ONTOLOGY_GRAPH)
    ns.bind_prefixes(g)
    for triple in to_canonical_graph(parsed):
        g.add(triple)
    return g


def load_shapes(project: Project) -> Graph:
    path = project.shapes_path()
    return parse_turtle(path, project.display(path))


def vocabulary(ontology: Graph) -> Vocabulary:
    """The concept ids of each of our SKOS schemes."""
    vocab: Vocabulary = {}
    base = str(ns.MCV)
    for concept in ontology.subjects(RDF.type, SKOS.Concept):
        text = str(concept)
        if not text.startswith(base):
            continue
        scheme, _, ident = text[len(base):].partition("/")
        if ident:
            vocab.setdefault(scheme, set()).add(ident)
    return vocab
