"""Measure ``kg extract`` against gold fact files: precision, recall and F1 per kind of fact.

Four sets are measured apart:

- the seeds: the texts in ../shared/seeds (relative to the repository) against their curated
  fact files in data/articles/, drafted with the project's reference entities;
- our own: the articles in benchmarks/extract/articles/ (written by the project, in the style of
  news reports) against benchmarks/extract/gold/, drafted with the project's reference entities
  plus benchmarks/extract/reference/;
- the blind set: the articles in benchmarks/extract/blind/articles/ against
  benchmarks/extract/blind/gold/ (written after the extractor, to measure how general it is; the
  extractor is not tuned on them), with the same reference as our own;
- the second blind set: benchmarks/extract/blind2/ in the same layout, held out once the first
  blind set came to be used for tuning; nobody tunes on it.

Every draft is read back with the project's own checks (``kg.inputs.facts.read_article``) and, unless
``--no-build``, built and validated with the gold files out of the way: a draft that does not
load or does not conform is an error (exit 2). As ``kg extract -o`` does, each draft's proposed
reference entries are written beside it (``<id>.proposed.yaml``) and known to the drafts after it.

    python benchmarks/extract/evaluate.py
    python benchmarks/extract/evaluate.py --seeds /path/to/seeds --show-drafts
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]


@dataclass
class Case:
    text: Path
    gold: Path


@dataclass
class Result:
    name: str
    score: object
    drafts: dict[str, str] = field(default_factory=dict)
    per_article: dict[str, object] = field(default_factory=dict)


def seed_cases(seeds: Path) -> list[Case]:
    """The seed texts that a curated fact file names as its source."""
    import yaml

    cases = []
    for gold in sorted((REPO / "data" / "articles").glob("*.yaml")):
        source = (yaml.safe_load(gold.read_text(encoding="utf-8")) or {}).get("article", {}).get("source")
        if source and (seeds / source).is_file():
            cases.append(Case(seeds / source, gold))
    return cases


def own_cases(folder: Path = HERE) -> list[Case]:
    return [Case(folder / "articles" / (g.stem + ".txt"), g) for g in sorted((folder / "gold").glob("*.yaml"))]


def blind_cases() -> list[Case]:
    return own_cases(HERE / "blind")


def blind2_cases() -> list[Case]:
    return own_cases(HERE / "blind2")


def make_project(root: Path, extra_reference: list[Path]):
    """A scratch project: the repository's ontology and reference, plus the entities of
    ``extra_reference`` that the repository's reference does not have (as the project grows, it
    comes to hold some of them: the project's entry is taken)."""
    import yaml

    from kg.project import Project

    (root / "data" / "articles").mkdir(parents=True)
    shutil.copytree(REPO / "ontology", root / "ontology")
    shutil.copytree(REPO / "data" / "reference", root / "data" / "reference")
    known = {entry["id"] for path in sorted((REPO / "data" / "reference").glob("*.yaml"))
             for entries in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).values()
             for entry in entries or []}
    for path in extra_reference:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        kept = {kind: [e for e in entries if e["id"] not in known] for kind, entries in doc.items()}
        kept = {kind: entries for kind, entries in kept.items() if entries}
        (root / "data" / "reference" / f"zz-{path.name}").write_text(
            yaml.safe_dump(kept, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return Project(root)


def run_set(name: str, cases: list[Case], extra_reference: list[Path], build: bool = True) -> Result:
    from kg.extract.draft import draft
    from kg.extract.mentions import Gazetteer
    from kg.extract.score import Score, compare
    from kg.extract.writer import proposed_name, proposed_yaml, to_yaml
    from kg.extract import read_text
    from kg.inputs.facts import read_article, read_reference
    from kg.inputs.ontology import load_ontology, vocabulary

    result = Result(name, Score())
    with tempfile.TemporaryDirectory() as tmp:
        project = make_project(Path(tmp) / "project", extra_reference)
        vocab = vocabulary(load_ontology(project))
        reference = read_reference([(p, project.display(p)) for p in project.reference_paths()], vocab)
        gazetteer = Gazetteer.of(reference)
        for case in cases:
            gold = read_article(case.gold, str(case.gold.relative_to(REPO)), reference, vocab)
            text = read_text(case.text)
            made = draft(text, reference, gold.id, case.text.name, gazetteer)
            # as `kg extract -o` does: the proposed entries beside the draft, which the next drafts know
            out = to_yaml(made, proposed_name(f"{gold.id}.yaml"))
            result.drafts[gold.id] = out
            path = project.articles_dir / f"{gold.id}.yaml"
            path.write_text(out, encoding="utf-8")
            if made.proposals:
                path.with_name(proposed_name(path.name)).write_text(proposed_yaml(made, path.name), encoding="utf-8")
                reference = made.reference
                gazetteer = Gazetteer.of(reference)
            drafted = read_article(path, f"draft of {case.text.name}", reference, vocab)
            score = compare(drafted, gold)
            result.per_article[gold.id] = score
            result.score.merge(score)
        if build and cases:
            from kg.pipeline import run

            report = run(project, reason="none").report
            if not report.conforms:
                from kg.build.shacl.report import format_text

                raise SystemExit(f"Error: the drafts of {name} do not conform:\n{format_text(report)}")
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=Path, default=REPO.parent / "shared" / "seeds",
                        help="the folder of the seed texts (default: ../shared/seeds)")
    parser.add_argument("--no-build", action="store_true", help="do not build and validate the drafts")
    parser.add_argument("--per-article", action="store_true", help="print a table for every article too")
    parser.add_argument("--show-drafts", action="store_true", help="print the drafts")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(REPO))
    from kg.extract.score import render

    sets = []
    if args.seeds.is_dir():
        sets.append(("seeds", seed_cases(args.seeds), []))
    else:
        print(f"seeds: skipped, no folder {args.seeds}")
    bench_reference = sorted((HERE / "reference").glob("*.yaml"))
    sets.append(("own articles", own_cases(), bench_reference))
    sets.append(("blind", blind_cases(), bench_reference))
    sets.append(("blind2", blind2_cases(), bench_reference))
    for name, cases, extra in sets:
        result = run_set(name, cases, extra, build=not args.no_build)
        if args.show_drafts:
            for ident, text in result.drafts.items():
                print(f"--- draft {ident}\n{text}")
        if args.per_article:
            for ident, score in result.per_article.items():
                print(render(score, f"{name}: {ident}") + "\n")
        print(render(result.score, f"{name} ({len(cases)} articles)"))
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
