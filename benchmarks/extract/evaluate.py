"""Measure ``kg extract`` against gold fact files: precision, recall and F1 per kind of fact.

Four sets are measured apart:

- the seeds: the texts in ../shared/seeds (relative to the repository) against their curated
  fact files in data/articles/, drafted with the project's reference entities;
- the dev set: the 16 texts in ../shared/devset/articles against their curated fact files in
  data/articles/ (written from the dev set's gold lists), measured twice: with the project's
  reference as shipped, and "before curation", without the entities only those fact files name
  (the people, posts, units, ships and groups curated for them), as a first reading of the
  articles would be;
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
On the dev set, the built drafts are also checked against the "Must not" traps of its fidelity
files (tests/fidelity/): the traps the drafts fall into are counted and listed (``traps.py``).

    python benchmarks/extract/evaluate.py
    python benchmarks/extract/evaluate.py --seeds /path/to/seeds --show-drafts

With ``--nlp MODEL`` (a trained spaCy pipeline's name or folder; needs the extra ``kg[nlp]``),
the drafts read roles from its parse before the rules, as ``kg extract --nlp`` does.
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
    #: the shapes' violations in the drafts (a draft must build: evaluate exits 2 on any)
    violations: list = field(default_factory=list)
    #: each article's draft facts paired with its gold facts (``kg.extract.score.pairs``)
    pairs: dict[str, list] = field(default_factory=dict)
    #: the dev set's "Must not" traps the drafts fall into (``traps.count``), where measured
    traps: object = None


def seed_cases(seeds: Path) -> list[Case]:
    """The seed texts that a curated fact file names as its source."""
    import yaml

    cases = []
    for gold in sorted((REPO / "data" / "articles").glob("*.yaml")):
        source = (yaml.safe_load(gold.read_text(encoding="utf-8")) or {}).get("article", {}).get("source")
        if source and (seeds / source).is_file():
            cases.append(Case(seeds / source, gold))
    return cases


def devset_cases(devset: Path) -> list[Case]:
    """The dev-set texts (``../shared/devset/articles``) that a curated fact file names as its
    source: the curated file, written from the dev set's gold list of facts, is the gold."""
    return seed_cases(devset / "articles")


#: the kinds of reference entity that are particular to the articles that name them (people,
#: their posts, ships, units of a force, groups); states, services, weapon systems,
#: organisations, places and conflicts are the general knowledge a shipped reference holds
PARTICULAR_KINDS = ("people", "positions", "vessels", "groups")


def curated_only_for(cases: list[Case]) -> set[str]:
    """The particular reference entities (``PARTICULAR_KINDS``, and units: forces that are part
    of another) that only the gold files of ``cases`` name, and those that refer to them: what
    was curated for those articles, which a user drafting them for the first time would not
    have."""
    import re

    import yaml

    def words(path: Path) -> set[str]:
        return set(re.findall(r"[A-Za-z0-9][A-Za-z0-9_.-]*", path.read_text(encoding="utf-8")))

    golds = {c.gold for c in cases}
    named = set().union(*(words(g) for g in golds)) if golds else set()
    elsewhere = set().union(set(), *(words(g) for g in sorted((REPO / "data" / "articles").glob("*.yaml"))
                                     if g not in golds))
    entries: dict[str, str] = {}
    particular: set[str] = set()
    for path in sorted((REPO / "data" / "reference").glob("*.yaml")):
        for kind, items in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).items():
            for e in items or []:
                entries[e["id"]] = yaml.safe_dump(e)
                if kind in PARTICULAR_KINDS or (kind == "forces" and "part_of" in e):
                    particular.add(e["id"])
    drop = {i for i in particular if i in named and i not in elsewhere}
    while True:  # an entry that refers to a dropped one goes too (a unit of a dropped force)
        more = {i for i, text in entries.items() if i not in drop
                and set(re.findall(r"[A-Za-z0-9][A-Za-z0-9_.-]*", text)) & drop}
        if not more:
            return drop
        drop |= more


def own_cases(folder: Path = HERE) -> list[Case]:
    return [Case(folder / "articles" / (g.stem + ".txt"), g) for g in sorted((folder / "gold").glob("*.yaml"))]


def blind_cases() -> list[Case]:
    return own_cases(HERE / "blind")


def blind2_cases() -> list[Case]:
    return own_cases(HERE / "blind2")


def make_project(root: Path, extra_reference: list[Path], drop: set[str] = frozenset()):
    """A scratch project: the repository's ontology and reference (without the entities of
    ``drop``), plus the entities of ``extra_reference`` that the repository's reference does not
    have (as the project grows, it comes to hold some of them: the project's entry is taken)."""
    import yaml

    from kg.project import Project

    (root / "data" / "articles").mkdir(parents=True)
    shutil.copytree(REPO / "ontology", root / "ontology")
    shutil.copytree(REPO / "data" / "reference", root / "data" / "reference")
    if drop:
        for path in sorted((root / "data" / "reference").glob("*.yaml")):
            doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            kept = {kind: [e for e in items or [] if e["id"] not in drop] for kind, items in doc.items()}
            path.write_text(yaml.safe_dump(kept, sort_keys=False, allow_unicode=True), encoding="utf-8")
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


def run_set(name: str, cases: list[Case], extra_reference: list[Path], build: bool = True,
            drop: set[str] = frozenset(), traps: bool = False, nlp=None) -> Result:
    """Draft every case, score the drafts against the gold files and build them. With ``drop``,
    the drafts are made with the reference without those entities (the gold files are read
    with the whole reference). With ``traps`` (and a build), count the dev set's "Must not"
    traps the built drafts fall into (``traps.py``). With ``nlp`` (a spaCy pipeline), the drafts
    read roles from its parse first (``kg.extract.nlp``)."""
    from kg.extract.draft import draft
    from kg.extract.mentions import Gazetteer
    from kg.extract.score import Score, compare, pairs
    from kg.extract.writer import proposed_name, proposed_yaml, to_yaml
    from kg.extract import read_text
    from kg.inputs.facts import read_article, read_reference
    from kg.inputs.ontology import load_ontology, vocabulary

    result = Result(name, Score())
    with tempfile.TemporaryDirectory() as tmp:
        project = make_project(Path(tmp) / "project", extra_reference, drop)
        vocab = vocabulary(load_ontology(project))
        reference = read_reference([(p, project.display(p)) for p in project.reference_paths()], vocab)
        whole, whole_vocab = reference, vocab
        if drop:  # the gold files name what was dropped: they are read with everything
            full = make_project(Path(tmp) / "whole", extra_reference)
            whole_vocab = vocabulary(load_ontology(full))
            whole = read_reference([(p, full.display(p)) for p in full.reference_paths()], whole_vocab)
        gazetteer = Gazetteer.of(reference)
        components = None
        if nlp is not None:
            from kg.extract.draft import default_pipeline
            from kg.extract.nlp import ParseRoles, prepare

            components = default_pipeline(ParseRoles(prepare(nlp, reference)))
        for case in cases:
            gold = read_article(case.gold, str(case.gold.relative_to(REPO)), whole, whole_vocab)
            text = read_text(case.text)
            made = draft(text, reference, gold.id, case.text.name, gazetteer, components=components)
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
            result.pairs[gold.id] = pairs(drafted, gold)
            result.per_article[gold.id] = score
            result.score.merge(score)
        if build and cases:
            from kg.pipeline import run

            built = run(project, reason="none")
            for r in built.report.results:
                if r.severity == "Violation":
                    result.violations.append(r)
            if traps:
                if str(HERE) not in sys.path:
                    sys.path.insert(0, str(HERE))
                from traps import count

                result.traps = count(built, result.pairs)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=Path, default=REPO.parent / "shared" / "seeds",
                        help="the folder of the seed texts (default: ../shared/seeds)")
    parser.add_argument("--devset", type=Path, default=REPO.parent / "shared" / "devset",
                        help="the dev set's folder, with articles/ (default: ../shared/devset)")
    parser.add_argument("--no-build", action="store_true", help="do not build and validate the drafts")
    parser.add_argument("--per-article", action="store_true", help="print a table for every article too")
    parser.add_argument("--show-drafts", action="store_true", help="print the drafts")
    parser.add_argument("--nlp", metavar="MODEL", default=None,
                        help="read roles from the parse of this spaCy pipeline (name or folder) first")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(REPO))
    from kg.extract.score import render

    nlp = None
    if args.nlp is not None:
        from kg.errors import KgError
        from kg.extract.nlp import NlpUnavailable, check, load

        try:
            nlp = load(args.nlp)
            check(nlp, args.nlp)
        except NlpUnavailable as exc:
            print(f"Error: --nlp {exc}", file=sys.stderr)
            return 2
        except KgError as exc:
            print(f"Error: {exc}", file=sys.stderr)
            return 2

    sets = []
    if args.seeds.is_dir():
        sets.append(("seeds", seed_cases(args.seeds), [], frozenset()))
    else:
        print(f"seeds: skipped, no folder {args.seeds}")
    if (args.devset / "articles").is_dir():
        cases = devset_cases(args.devset)
        # the shipped reference holds what was curated for these articles: measured with it and,
        # as a first reading of them would be, without it
        sets.append(("devset, shipped reference", cases, [], frozenset()))
        sets.append(("devset, before curation", cases, [], curated_only_for(cases)))
    else:
        print(f"devset: skipped, no folder {args.devset / 'articles'}")
    bench_reference = sorted((HERE / "reference").glob("*.yaml"))
    sets.append(("own articles", own_cases(), bench_reference, frozenset()))
    sets.append(("blind", blind_cases(), bench_reference, frozenset()))
    sets.append(("blind2", blind2_cases(), bench_reference, frozenset()))
    failed = False
    for name, cases, extra, drop in sets:
        result = run_set(name, cases, extra, build=not args.no_build, drop=drop, traps=name.startswith("devset"),
                         nlp=nlp)
        if args.show_drafts:
            for ident, text in result.drafts.items():
                print(f"--- draft {ident}\n{text}")
        if args.per_article:
            for ident, score in result.per_article.items():
                print(render(score, f"{name}: {ident}") + "\n")
        print(render(result.score, f"{name} ({len(cases)} articles)"))
        if result.violations:
            bad = sorted({r.origin[0] for r in result.violations if r.origin})
            print(f"drafts that do not build: {len(bad)} of {len(cases)}, {len(result.violations)} violation(s):")
            for r in result.violations:
                where = f"{r.origin[0]}:{r.origin[1]}" if r.origin else str(r.focus)
                print(f"  {where}: {r.message}")
            failed = True
        if result.traps is not None:
            print(f"traps fallen into: {len(result.traps.hits)} of {result.traps.checked}")
            for hit in result.traps.hits:
                print(f"  {hit.article}: {hit.trap}")
        print()
    return 2 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
