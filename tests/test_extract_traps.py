"""The trap count of benchmarks/extract/traps.py: the dev set's "Must not" queries run on a draft's
build, put into the gold's names first. The curated fact files fall into none; a draft that
names its facts in its own way and makes one known mistake falls into exactly that trap."""
from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

from conftest import ROOT, copy_reference_project

sys.path.insert(0, str(ROOT / "benchmarks" / "extract"))

import traps  # noqa: E402

from kg.extract.score import pairs  # noqa: E402
from kg.inputs.facts import read_article, read_reference  # noqa: E402
from kg.inputs.ontology import load_ontology, vocabulary  # noqa: E402
from kg.pipeline import run  # noqa: E402
from kg.project import Project  # noqa: E402

RIMPAC = "rimpac-2024-defensedaily"
PLANNED = "Nothing about the exercise reported as happened or under way; every claim of it is planned."


def _articles(project: Project, names: list[str]):
    vocab = vocabulary(load_ontology(project))
    reference = read_reference([(p, project.display(p)) for p in project.reference_paths()], vocab)
    return {name: read_article(project.articles_dir / f"{name}.yaml", f"{name}.yaml", reference, vocab)
            for name in names}


def test_the_curated_fact_files_fall_into_no_trap(tmp_path: Path):
    root = copy_reference_project(tmp_path / "proj")
    fidelity = traps._fidelity_lib().files()
    for f in fidelity:
        shutil.copy(ROOT / "data" / "articles" / f"{f.article}.yaml", root / "data" / "articles")
    project = Project(root)
    built = run(project, reason="none")
    articles = _articles(project, [f.article for f in fidelity])
    count = traps.count(built, {name: pairs(a, a) for name, a in articles.items()})
    assert count.checked == sum(len(f.traps) for f in fidelity) > 100
    assert count.hits == []


def test_a_draft_is_read_in_the_golds_names_and_its_mistake_counted(tmp_path: Path):
    # the curated RIMPAC file as a draft would give it: its own fact id, and the plans told as done
    gold_root = copy_reference_project(tmp_path / "gold")
    shutil.copy(ROOT / "data" / "articles" / f"{RIMPAC}.yaml", gold_root / "data" / "articles")
    text = (gold_root / "data" / "articles" / f"{RIMPAC}.yaml").read_text(encoding="utf-8")
    assert "id: rimpac-2024\n" in text and "modality: planned" in text
    drafted = "\n".join(line for line in re.sub(r"\brimpac-2024\b(?!-)", "exercise-1", text).splitlines()
                        if line.strip() != "modality: planned") + "\n"
    draft_root = copy_reference_project(tmp_path / "draft")
    (draft_root / "data" / "articles" / f"{RIMPAC}.yaml").write_text(drafted, encoding="utf-8")
    draft_project = Project(draft_root)
    built = run(draft_project, reason="none")
    draft = _articles(draft_project, [RIMPAC])[RIMPAC]
    gold = _articles(Project(gold_root), [RIMPAC])[RIMPAC]
    assert [f.id for f in draft.facts if f.type == "exercise"] == ["exercise-1"]

    count = traps.count(built, {RIMPAC: pairs(draft, gold)})
    assert count.hits == [traps.Hit(RIMPAC, PLANNED)]
    # without the renaming, the gold's queries look for id:exercise/rimpac-2024 and see nothing
    count = traps.count(built, {RIMPAC: pairs(draft, draft)})
    assert count.hits == []
