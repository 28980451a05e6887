"""A whole build: read the inputs, make each article's graph, validate it, write the outputs."""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from typing import Callable

from rdflib import Graph, URIRef

from . import __version__
from . import namespaces as ns
from .errors import InputError, KgError, NotConforming
from .build import article_graph, new_graph, reference_graph
from .export import serialize
from .namespaces import INFERRED_GRAPH
from .project import Project, load_shapes
from .validate import Report, validate

MERGED = "kg.ttl"
NAMED = "kg.trig"
MANIFEST = "manifest.json"


@dataclass
class BuildResult:
    ontology: Graph
    reference: Graph
    articles: list[Graph]
    report: Report
    lines: dict[URIRef, tuple[str, int]] = field(default_factory=dict)
    #: what owlrl adds (``graph:inferred``); None when reasoning is off
    inferred: Graph | None = None
    reason: str = "none"

    @property
    def graphs(self) -> list[Graph]:
        """Every named graph of asserted triples, in a stable order."""
        return [self.ontology, self.reference, *sorted(self.articles, key=lambda g: str(g.identifier))]

    def all_graphs(self, with_inferred: bool = True) -> list[Graph]:
        if with_inferred and self.inferred is not None:
            return [*self.graphs, self.inferred]
        return self.graphs

    def triple_count(self) -> int:
        return sum(len(g) for g in self.all_graphs())


ENGINES = ("fast", "reference")


def run(project: Project, validate_graphs: bool = True, reason: str = "owlrl", engine: str = "fast",
        jobs: int = 1, use_cache: bool = True, progress: Callable[[int, int], None] | None = None) -> BuildResult:
    """Read, build, validate and reason over every article, each on its own.

    ``engine``: ``fast`` (``kg.fastshacl`` and ``kg.rules``) or ``reference`` (pySHACL and
    owlrl); both give the same results (tests/test_fastpath.py). ``jobs`` > 1 spreads the
    articles over that many processes. With ``use_cache``, an article whose file, ontology,
    shapes, reference entities, engine, reasoning mode and kg version are unchanged is taken
    from ``.kg/cache/`` rather than rebuilt (``kg.cache``). ``progress(done, total)`` is called
    as articles are done.
    """
    from .build import Built
    from .cache import Cache, digest_files

    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}")
    inputs_ = read_context(project)
    ontology, reference, vocab = inputs_
    ref = reference_graph(reference)
    lines = dict(ref.lines)
    report = Report()
    shapes = load_shapes(project) if validate_graphs else None
    setup = _Setup(project, ontology, ref, vocab, shapes, reason, engine)
    if shapes is not None:
        report.extend(setup.validate_reference())
    paths = project.article_paths()
    cache = None
    if use_cache:
        inputs_key = digest_files([*project.ontology_paths(), project.shapes_path(), *project.reference_paths()],
                                  extra=f"{__version__}|{engine}|{reason}|{validate_graphs}")
        cache = Cache(project.cache_dir, inputs_key)
    units: list[_Unit | None] = [None] * len(paths)
    todo = []
    for i, path in enumerate(paths):
        hit = cache.get(path) if cache is not None else None
        if hit is not None:
            units[i] = hit
        else:
            todo.append(i)
    done = len(paths) - len(todo)
    if progress is not None:
        progress(done, len(paths))
    for i, unit in _process(setup, [paths[i] for i in todo], todo, jobs):
        units[i] = unit
        if cache is not None:
            cache.put(paths[i], unit)
        done += 1
        if progress is not None:
            progress(done, len(paths))
    graphs = []
    seen: dict[str, _Unit] = {}
    inferred_triples: list = []
    for unit in units:
        assert unit is not None
        if unit.article_id in seen:
            first = seen[unit.article_id]
            raise InputError(f"duplicate article id {unit.article_id!r} (also in {first.path})", unit.path, unit.line)
        seen[unit.article_id] = unit
        g = new_graph(ns.article_graph(unit.article_id))
        for t in unit.triples:
            g.add(t)
        graphs.append(g)
        lines.update(unit.lines)
        report.results.extend(unit.results)
        inferred_triples.append(unit.inferred)
    # A result about a reference entity found while validating an article is reported once.
    report.results = sorted(set(report.results), key=lambda r: r.sort_key())
    inferred = None
    if reason != "none" and report.conforms:
        inferred = new_graph(INFERRED_GRAPH)
        inferred += setup.reasoner().reference_inferred
        for triples in inferred_triples:
            for t in triples:
                inferred.add(t)
    if shapes is not None and engine == "reference":
        # the report graph of pySHACL is kept only by the reference engine
        pass
    _ = Built
    return BuildResult(ontology, ref.graph, graphs, report, lines, inferred, reason)


def read_context(project: Project):
    """The ontology, the reference entities and the vocabulary (what every article needs)."""
    from .facts import read_reference
    from .project import load_ontology, vocabulary

    if not project.articles_dir.is_dir():
        raise InputError(f"no folder {project.display(project.articles_dir)}")
    ontology = load_ontology(project)
    vocab = vocabulary(ontology)
    reference = read_reference([(p, project.display(p)) for p in project.reference_paths()], vocab)
    return ontology, reference, vocab


@dataclass
class _Unit:
    """What one article gives: its triples, lines, validation results and entailments."""

    article_id: str
    path: str
    line: int
    triples: list
    lines: dict
    results: list
    inferred: list


class _Setup:
    """What every article's work needs, made once per process."""

    def __init__(self, project, ontology, ref, vocab, shapes, reason, engine):
        self.project = project
        self.ontology = ontology
        self.ref = ref
        self.reference = None
        self.vocab = vocab
        self.shapes = shapes
        self.reason = reason
        self.engine = engine
        self._compiled = None
        self._ref_index = None
        self._reasoner = None

    def compiled(self):
        if self._compiled is None:
            from .fastshacl import Index, Shapes

            self._compiled = Shapes(self.shapes, self.ontology)
            self._ref_index = Index(self.ref.graph)
        return self._compiled

    def reasoner(self):
        if self._reasoner is None:
            if self.engine == "fast":
                from .rules import FastReasoner, unsupported

                if not unsupported(self.ontology):
                    self._reasoner = FastReasoner(self.ontology, self.ref.graph, self.reason)
            if self._reasoner is None:
                from .reason import Reasoner

                self._reasoner = Reasoner(self.ontology, self.ref.graph, self.reason)
        return self._reasoner

    def validate_reference(self) -> Report:
        if self.engine == "fast":
            return self.compiled().validate(_index(self), lines=self.ref.lines)
        return validate(self.ref.graph, self.shapes, self.ontology, self.ref.lines)

    def article(self, path: Path, reference) -> _Unit:
        from .facts import read_article
        from .reason import used_entities

        article = read_article(path, self.project.display(path), reference, self.vocab)
        built = article_graph(article)
        results: list = []
        lines = {**self.ref.lines, **built.lines}
        if self.shapes is not None:
            if self.engine == "fast":
                from .fastshacl import Index

                compiled = self.compiled()
                data = Index(built.graph, base=self._ref_index)
                store = list(built.graph) + list(used_entities(built.graph, self.ref.graph))
                results = compiled.validate(data, focus_within=set(built.graph.subjects()), lines=lines,
                                            store_triples=store).results
            else:
                data = Graph()
                data += built.graph
                data += self.ref.graph
                results = validate(data, self.shapes, self.ontology, lines).results
        inferred: list = []
        if self.reason != "none" and not any(r.severity == "Violation" for r in results):
            reasoner = self.reasoner()
            if hasattr(reasoner, "infer_triples"):
                inferred = sorted(reasoner.infer_triples(built.graph))
            else:
                inferred = sorted(reasoner.infer(built.graph))
        return _Unit(article.id, article.path, article.line, list(built.graph), dict(built.lines), results, inferred)


def _index(setup: _Setup):
    setup.compiled()
    return setup._ref_index


_WORKER: dict = {}


def _work(args):
    i, path = args
    setup, reference = _WORKER["setup"], _WORKER["reference"]
    try:
        return i, setup.article(path, reference), None
    except KgError as exc:
        return i, None, (exc.message, exc.path, exc.line)


def _process(setup: _Setup, paths: list[Path], indexes: list[int], jobs: int):
    """(index, unit) for every article, in order, over ``jobs`` processes."""
    from .facts import read_reference

    reference = read_reference([(p, setup.project.display(p)) for p in setup.project.reference_paths()],
                               setup.vocab)
    _WORKER.update(setup=setup, reference=reference)
    work = list(zip(indexes, paths))
    if jobs <= 1 or len(work) < 2:
        for item in work:
            i, unit, err = _work(item)
            if err:
                raise InputError(*err)
            yield i, unit
        return
    import multiprocessing

    # warm what the workers share before forking, so that each does not redo it
    if setup.shapes is not None and setup.engine == "fast":
        setup.compiled()
    if setup.reason != "none":
        setup.reasoner()
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(jobs) as pool:
        for i, unit, err in pool.imap(_work, work, chunksize=max(1, min(64, len(work) // (jobs * 8) or 1))):
            if err:
                pool.terminate()
                raise InputError(*err)
            yield i, unit


def write_outputs(result: BuildResult, out_dir: Path) -> dict[str, Path]:
    """Write the merged Turtle (asserted triples only), the TriG (every named graph,
    ``graph:inferred`` included) and a manifest, as one generation swapped in atomically.

    ``out_dir`` is a symbolic link to a generation folder beside it
    (``.<name>.generations/<n>``). The new generation is written in full and synced, then the
    link is replaced with ``os.replace``: a reader, or a build killed at any point, sees the
    old outputs or the new ones, never a mix.
    """
    data = {
        MERGED: serialize(result.all_graphs(with_inferred=False), "turtle", inferred=False),
        NAMED: serialize(result.all_graphs(), "trig", inferred=result.inferred is not None),
    }
    manifest = {
        "graphs": {str(g.identifier): len(g) for g in result.all_graphs()},
        "reason": result.reason,
        "triples": result.triple_count(),
    }
    data[MANIFEST] = (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode()
    publish(out_dir, data)
    return {"turtle": out_dir / MERGED, "trig": out_dir / NAMED}


def publish(out_dir: Path, files: dict[str, bytes]) -> None:
    """Write ``files`` as a new generation and point ``out_dir`` at it atomically."""
    out_dir = Path(os.path.abspath(out_dir))
    generations = out_dir.parent / f".{out_dir.name}.generations"
    generations.mkdir(parents=True, exist_ok=True)
    gen = Path(tempfile.mkdtemp(prefix="gen-", dir=generations))
    os.chmod(gen, 0o755)
    for name, content in files.items():
        with open(gen / name, "wb") as fh:
            fh.write(content)
            fh.flush()
            os.fsync(fh.fileno())
    _fsync_dir(gen)
    if out_dir.exists() and not out_dir.is_symlink():
        # An out dir made by hand or by an older kg: keep it as a generation, once.
        os.replace(out_dir, Path(tempfile.mkdtemp(prefix="old-", dir=generations)) / "kept")
    link = generations / f".link-{os.getpid()}"
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(os.path.relpath(gen, out_dir.parent))
    os.replace(link, out_dir)
    _fsync_dir(out_dir.parent)
    _remove_old_generations(generations, keep=gen)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_old_generations(generations: Path, keep: Path) -> None:
    for child in generations.iterdir():
        if child != keep and not child.name.startswith(".link-"):
            shutil.rmtree(child, ignore_errors=True)


def is_stale(project: Project, out_dir: Path | None = None, reason: str | None = None) -> bool:
    """Whether the build is missing, older than any of its inputs, or reasoned otherwise."""
    out_dir = out_dir or project.build_dir
    outputs = [out_dir / MERGED, out_dir / NAMED, out_dir / MANIFEST]
    if not all(p.exists() for p in outputs):
        return True
    if reason is not None:
        try:
            if json.loads((out_dir / MANIFEST).read_text(encoding="utf-8")).get("reason") != reason:
                return True
        except (OSError, ValueError):
            return True
    return min(p.stat().st_mtime for p in outputs) < project.newest_input_mtime()


def ensure_built(project: Project, out_dir: Path | None = None, reason: str = "owlrl") -> Path:
    """Build where the outputs are missing or stale; return the folder of the outputs.

    A build made with another ``reason`` mode is kept as it is unless it is stale.
    Raises ``NotConforming`` when the data has violations (nothing is written then).
    """
    out_dir = out_dir or project.build_dir
    if is_stale(project, out_dir):
        result = run(project, reason=reason)
        if not result.report.conforms:
            raise NotConforming(result.report)
        write_outputs(result, out_dir)
    return out_dir
