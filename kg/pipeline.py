"""A whole build: read the inputs, make each article's graph, validate it, write the outputs."""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, URIRef

from .errors import NotConforming
from .build import article_graph, new_graph, reference_graph
from .export import serialize
from .namespaces import INFERRED_GRAPH
from .project import Project, load_shapes, read_inputs
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


def run(project: Project, validate_graphs: bool = True, reason: str = "owlrl") -> BuildResult:
    """Read, build, validate and reason over every article, each on its own."""
    inputs = read_inputs(project)
    shapes = load_shapes(project) if validate_graphs else None
    ref = reference_graph(inputs.reference)
    lines = dict(ref.lines)
    report = Report()
    if shapes is not None:
        report.extend(validate(ref.graph, shapes, inputs.ontology, ref.lines))
    graphs = []
    for article in inputs.articles:
        built = article_graph(article)
        lines.update(built.lines)
        if shapes is not None:
            data = Graph()
            data += built.graph
            data += ref.graph
            report.extend(validate(data, shapes, inputs.ontology, built.lines))
        graphs.append(built.graph)
    # A result about a reference entity found while validating an article is reported once.
    report.results = sorted(set(report.results), key=lambda r: r.sort_key())
    inferred = None
    if reason != "none" and report.conforms:
        inferred = infer_all(inputs.ontology, ref.graph, graphs, reason)
    return BuildResult(inputs.ontology, ref.graph, graphs, report, lines, inferred, reason)


def infer_all(ontology: Graph, reference: Graph, articles: list[Graph], mode: str) -> Graph:
    """The inferred graph: the reference entities' closure once, then each article's."""
    from .reason import Reasoner

    reasoner = Reasoner(ontology, reference, mode)
    inferred = new_graph(INFERRED_GRAPH)
    inferred += reasoner.reference_inferred
    for graph in articles:
        inferred += reasoner.infer(graph)
    return inferred


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
