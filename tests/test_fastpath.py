"""The fast path gives what the reference engines give.

Validation: ``kg.fastshacl`` (Python for the core components, Oxigraph for the SPARQL
constraints) against pySHACL, result by result (focus node, path, source shape, severity,
message, value), on every shape fixture (tests/shapes/*.ttl), on the seed data and on a
generated corpus with seeded violations. Inference: ``kg.rules`` against owlrl, the kept
entailments triple by triple, in both ``owlrl`` and ``rdfs`` modes.
"""
from __future__ import annotations

import sys
from functools import lru_cache
from pathlib import Path

import pytest
from rdflib import BNode, Graph

from kg.fastshacl import Shapes, Index, path_key
from kg.project import Project, load_ontology, load_shapes
from kg.validate import validate as reference_validate

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = sorted((ROOT / "tests" / "shapes").glob("*.ttl"))
sys.path.insert(0, str(ROOT / "benchmarks"))


@lru_cache(maxsize=1)
def _inputs():
    project = Project(ROOT)
    return load_ontology(project), load_shapes(project)


def keys(report, graph_of_paths) -> list[tuple]:
    """Results as comparable rows: blank-node paths and shapes rendered as text."""
    rows = set()
    for r in report.results:
        shape = r.shape if not isinstance(r.shape, BNode) else "_"
        focus = r.focus if not isinstance(r.focus, BNode) else "_"
        rows.add((r.severity, str(focus), path_key(graph_of_paths, r.path), str(shape), r.message,
                  str(r.value) if r.value is not None and not isinstance(r.value, BNode) else ("_" if r.value is not None else "")))
    return sorted(rows)


def both(data: Graph):
    ontology, shapes = _inputs()
    ref = reference_validate(data, shapes, ontology)
    fast = Shapes(shapes, ontology).validate(Index(data))
    return keys(ref, ref.graph), keys(fast, shapes)


@pytest.mark.skipif(not FIXTURES, reason="no shape fixtures in tests/shapes yet")
@pytest.mark.parametrize("path", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_fixture_same_results_as_pyshacl(path):
    data = Graph().parse(path, format="turtle")
    ref, fast = both(data)
    assert fast == ref


def _pipeline_rows(root: Path, engine: str, reason: str = "owlrl"):
    from kg.pipeline import run

    result = run(Project(root), reason=reason, engine=engine, use_cache=False)
    _, shapes = _inputs()
    rows = sorted((r.severity, str(r.focus), path_key(shapes, r.path), str(r.shape), r.message, str(r.value),
                   r.origin) for r in result.report.results)
    inferred = set(result.inferred) if result.inferred is not None else None
    return rows, inferred


def test_seed_data_same_results_and_entailments():
    if not (ROOT / "data" / "articles").is_dir():
        pytest.skip("no data/articles in the repository")
    fast, ref = _pipeline_rows(ROOT, "fast"), _pipeline_rows(ROOT, "reference")
    assert fast[0] == ref[0]
    assert fast[1] == ref[1] and len(fast[1]) > 100


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    from generate import VIOLATION_SHAPES, generate

    root = generate(tmp_path_factory.mktemp("corpus"), articles=12, seed=7, violations=1)
    assert len(VIOLATION_SHAPES) <= 12
    return root


def test_generated_corpus_with_seeded_violations(corpus):
    from generate import VIOLATION_SHAPES

    fast, ref = _pipeline_rows(corpus, "fast", "none"), _pipeline_rows(corpus, "reference", "none")
    assert fast[0] == ref[0]
    violations = sorted(row[3].rsplit("/", 1)[-1] for row in fast[0] if row[0] == "Violation")
    assert violations == sorted(VIOLATION_SHAPES.values())


@pytest.mark.parametrize("mode", ["owlrl", "rdfs"])
def test_generated_corpus_same_entailments(tmp_path, mode):
    from generate import generate

    root = generate(tmp_path / "c", articles=6, seed=3)
    fast, ref = _pipeline_rows(root, "fast", mode), _pipeline_rows(root, "reference", mode)
    assert fast[0] == ref[0]
    assert fast[1] == ref[1] and fast[1]


def test_rules_cover_the_ontology():
    from kg.rules import unsupported

    ontology, _ = _inputs()
    assert unsupported(ontology) == []
