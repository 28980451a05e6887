"""Where a project's files are, and reading all of its inputs."""
from __future__ import annotations

import logging
import os
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS

from . import namespaces as ns
from . import values as V
from .errors import InputError
from .facts import Article, Reference, Vocabulary, read_article, read_reference
from .files import MAX_BYTES, read_bytes, shown

ONTOLOGY_FILES = ("milcoop.ttl", "vocab.ttl")
SHAPES_FILE = "shapes.ttl"


@dataclass
class Project:
    """A project folder: ``ontology/``, ``data/reference``, ``data/articles``, ``queries/``."""

    root: Path

    @property
    def ontology_dir(self) -> Path:
        return self.root / "ontology"

    @property
    def reference_dir(self) -> Path:
        return self.root / "data" / "reference"

    @property
    def articles_dir(self) -> Path:
        return self.root / "data" / "articles"

    @property
    def queries_dir(self) -> Path:
        return self.root / "queries"

    @property
    def build_dir(self) -> Path:
        return self.root / "build"

    @property
    def cache_dir(self) -> Path:
        """Per-article build results (``kg.cache``); safe to delete."""
        return self.root / ".kg" / "cache"

    def display(self, path: Path) -> str:
        """A path as errors show it: relative to the project where it is inside, on one line
        (control characters escaped)."""
        mine, root = Path(os.path.abspath(path)), Path(os.path.abspath(self.root))
        try:
            return shown(mine.relative_to(root).as_posix())
        except ValueError:
            pass
        try:  # a link is shown where it is
            return shown(path.resolve().relative_to(self.root.resolve()).as_posix())
        except (ValueError, OSError, RuntimeError):  # outside, or a symlink loop
            return shown(path)

    def ontology_paths(self) -> list[Path]:
        return [self.ontology_dir / name for name in ONTOLOGY_FILES]

    def shapes_path(self) -> Path:
        return self.ontology_dir / SHAPES_FILE

    def reference_paths(self) -> list[Path]:
        return sorted(self.reference_dir.glob("*.yaml"))

    def article_paths(self) -> list[Path]:
        return sorted(self.articles_dir.glob("*.yaml"))

    def input_paths(self) -> list[Path]:
        """Every file a build reads."""
        return [*self.ontology_paths(), self.shapes_path(), *self.reference_paths(), *self.article_paths()]

    def newest_input_mtime(self) -> float:
        times = [p.stat().st_mtime for p in self.input_paths() if p.exists()]
        # A removed article changes the folder's mtime.
        times += [d.stat().st_mtime for d in (self.articles_dir, self.reference_dir) if d.exists()]
        return max(times, default=0.0)


def find_project(start: Path | None = None) -> Project:
    """The project at ``start`` (default: the working directory), or the nearest folder above it
    that has ``data/`` and ``ontology/``."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "ontology").is_dir() and (folder / "data").is_dir():
            return Project(folder)
    if start is not None:
        raise InputError(f"{start} is not a kg project (it needs ontology/ and data/)")
    raise InputError(f"{os.getcwd()} is not inside a kg project (no ontology/ and data/ found)")


def parse_turtle(path: Path, display: str, identifier=None) -> Graph:
    """A Turtle file (the ontology, the vocabularies, the shapes), read by ``kg.files`` and
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


@dataclass
class Inputs:
    ontology: Graph
    reference: Reference
    articles: list[Article] = field(default_factory=list)


def read_inputs(project: Project) -> Inputs:
    """Read and check the ontology, the reference entities and every fact file."""
    if not project.articles_dir.is_dir():
        raise InputError(f"no folder {project.display(project.articles_dir)}")
    ontology = load_ontology(project)
    vocab = vocabulary(ontology)
    reference = read_reference([(p, project.display(p)) for p in project.reference_paths()], vocab)
    articles: list[Article] = []
    seen: dict[str, Article] = {}
    for path in project.article_paths():
        article = read_article(path, project.display(path), reference, vocab)
        if article.id in seen:
            first = seen[article.id]
            raise InputError(f"duplicate article id {article.id!r} (also in {first.path})", article.path, article.line)
        seen[article.id] = article
        articles.append(article)
    return Inputs(ontology, reference, articles)
