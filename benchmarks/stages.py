"""Where an article's build time goes: each stage of ``kg.pipeline._Setup.article`` timed, in one
process, over the articles of a project (a generated one: ``benchmarks/generate.py``).

    python benchmarks/stages.py PROJECT [--articles N]

Prints, per article: reading the fact file, building its triples, validating (and, within it,
the SPARQL constraints), reasoning and rendering; then the cross-article check. Wall-clock
figures of one process: the machine's own load moves them (run it twice). Not part of the test
suite.
"""
from __future__ import annotations

import argparse
import time
from collections import defaultdict
from pathlib import Path


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("project", type=Path, help="a kg project (benchmarks/generate.py makes one)")
    ap.add_argument("--articles", type=int, default=None, help="only the first N articles")
    args = ap.parse_args(argv)

    from kg import pipeline
    from kg.build.shacl import fast
    from kg.inputs import facts
    from kg.project import Project

    spent: dict[str, float] = defaultdict(float)

    def timed(name, fn):
        def wrapper(*a, **k):
            t = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                spent[name] += time.perf_counter() - t
        return wrapper

    project = Project(args.project)
    t0 = time.perf_counter()
    setup = pipeline._read_inputs(project, True, "owlrl", "fast")
    shared = pipeline._shared(setup, None)
    validator = setup.compiled()
    validator.prepare(setup.ref.graph)
    reasoner = setup.reasoner()
    print(f"setup (ontology, reference, shapes, reasoner): {time.perf_counter() - t0:.2f} s")
    facts.read_article = timed("read", facts.read_article)
    pipeline.article_graph = timed("triples", pipeline.article_graph)
    validator.validate_with_reference = timed("validate", validator.validate_with_reference)
    fast._Run.run_sparql = timed("  of which SPARQL", fast._Run.run_sparql)
    reasoner.inferred = timed("reason", reasoner.inferred)
    setup.unit = timed("render", setup.unit)
    paths = project.article_paths()[: args.articles]
    t = time.perf_counter()
    units = [setup.article(p, setup.reference_entities) for p in paths]
    total = time.perf_counter() - t
    for name, seconds in spent.items():
        print(f"{name:<18} {1000 * seconds / len(paths):6.2f} ms an article  {100 * seconds / total:3.0f} %")
    print(f"{'all':<18} {1000 * total / len(paths):6.2f} ms an article ({len(paths)} articles)")
    t = time.perf_counter()
    pipeline._validated(setup, shared, units)
    print(f"cross-article check: {time.perf_counter() - t:.2f} s")


if __name__ == "__main__":
    main()
