"""Where a project's files are, and reading all of its inputs."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph
from rdflib.namespace import RDF, SKOS

from . import namespaces as ns
from .errors import InputError
from .facts import Article, Reference, Vocabulary, read_article, read_reference

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
        """A path as errors show it: relative to the project where it is inside."""
        for mine, root in ((Path(os.path.abspath(path)), Path(os.path.abspath(self.root))),
                           (path.resolve(), self.root.resolve())):  # a link is shown where it is
            try:
                return mine.relative_to(root).as_posix()
            except ValueError:
                pass
        return str(path)

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
    g = Graph(identifier=identifier)
    try:
        g.parse(path, format="turtle")
    except FileNotFoundError:
        raise InputError("file not found", display) from None
    except Exception as exc:  # rdflib raises several kinds; all mean bad Turtle
        why = getattr(exc, "_why", None)  # rdflib's BadSyntax: the reason and the 0-based line
        line = getattr(exc, "lines", None)
        if why is not None and isinstance(line, int):
            raise InputError(f"invalid Turtle: {why}", display, line + 1) from None
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(f"invalid Turtle: {message}", display) from None
    return g


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
