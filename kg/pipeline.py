"""A whole build: read the inputs, make each article's graph, validate it, write the outputs."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, URIRef

from .build import article_graph, reference_graph
from .export import serialize, write_atomic
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

    @property
    def graphs(self) -> list[Graph]:
        """Every named graph, in a stable order."""
        return [self.ontology, self.reference, *sorted(self.articles, key=lambda g: str(g.identifier))]

    def triple_count(self) -> int:
        return sum(len(g) for g in self.graphs)


def run(project: Project, validate_graphs: bool = True) -> BuildResult:
    """Read, build and validate every article, each on its own."""
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
    return BuildResult(inputs.ontology, ref.graph, graphs, report, lines)


def write_outputs(result: BuildResult, out_dir: Path) -> dict[str, Path]:
    """Write the merged Turtle and the named-graph TriG, each atomically."""
    outputs = {"turtle": out_dir / MERGED, "trig": out_dir / NAMED}
    data = {fmt: serialize(result.graphs, fmt) for fmt in outputs}
    manifest = {
        "graphs": {str(g.identifier): len(g) for g in result.graphs},
        "triples": result.triple_count(),
    }
    for fmt, path in outputs.items():
        write_atomic(path, data[fmt])
    write_atomic(out_dir / MANIFEST, (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode())
    return outputs
