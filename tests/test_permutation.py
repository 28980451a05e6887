"""Determinism under permutation: the same facts in another order, or the reference entities
split over files differently, or the fact files named differently, give the same graph:
isomorphic, and byte for byte the same canonical outputs (build/kg.ttl, build/kg.trig,
build/manifest.json).

An article's id names its graph, so the facts of one article cannot move to another file
without changing the graph; what is split differently here is the reference entities (one
file for all of them, or one file for each) and the file names of the articles.

Files are permuted at the level of YAML nodes and written back with PyYAML's serializer, which
keeps each scalar's text and type exactly as it was.
"""
from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest
import yaml
from rdflib import Graph
from rdflib.compare import isomorphic

from servers import kg

ROOT = Path(__file__).resolve().parent.parent
SEEDS = [7, 11, 2025]

pytestmark = pytest.mark.skipif(not list((ROOT / "data" / "articles").glob("*.yaml")), reason="no fact files")


def _compose(path: Path) -> yaml.Node:
    return yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)


def _write(node: yaml.Node, path: Path) -> None:
    path.write_text(yaml.serialize(node, Dumper=yaml.SafeDumper, allow_unicode=True, width=10_000),
                    encoding="utf-8")


def _shuffle(node: yaml.Node, rng: random.Random) -> None:
    """Every list's items and every mapping's keys in a random order, all the way down."""
    if isinstance(node, (yaml.SequenceNode, yaml.MappingNode)):
        rng.shuffle(node.value)
        for item in node.value:
            for child in (item if isinstance(item, tuple) else (item,)):
                _shuffle(child, rng)


def _copy(dest: Path) -> Path:
    dest.mkdir()
    for name in ("ontology", "data"):
        shutil.copytree(ROOT / name, dest / name)
    return dest


def _built(project: Path) -> dict[str, bytes]:
    result = kg(project, "build")
    assert result.exit_code == 0, result.output
    build = project / "build"
    return {name: (build / name).read_bytes() for name in ("kg.ttl", "kg.trig", "manifest.json")}


@pytest.fixture(scope="module")
def baseline(tmp_path_factory) -> dict[str, bytes]:
    return _built(_copy(tmp_path_factory.mktemp("perm") / "base"))


def _same(outputs: dict[str, bytes], baseline: dict[str, bytes]) -> None:
    a, b = Graph(), Graph()
    a.parse(data=outputs["kg.ttl"], format="turtle")
    b.parse(data=baseline["kg.ttl"], format="turtle")
    assert isomorphic(a, b)
    for name in baseline:
        assert outputs[name] == baseline[name], f"{name} differs"


@pytest.mark.parametrize("seed", SEEDS)
def test_facts_and_entities_in_another_order(tmp_path, baseline, seed):
    project = _copy(tmp_path / "proj")
    rng = random.Random(seed)
    files = sorted((project / "data").rglob("*.yaml"))
    for path in files:
        node = _compose(path)
        _shuffle(node, rng)
        _write(node, path)
    assert any((project / "data" / p.relative_to(project / "data")).read_bytes() !=
               (ROOT / "data" / p.relative_to(project / "data")).read_bytes() for p in files)
    _same(_built(project), baseline)


def _sections(project: Path) -> list[tuple[str, list[yaml.Node], list]]:
    """(section, entity nodes, the key node) of every reference file, in file order."""
    out = []
    for path in sorted((project / "data" / "reference").glob("*.yaml")):
        node = _compose(path)
        for key, value in node.value:
            out.append((key.value, value.value, key))
        path.unlink()
    return out


def test_reference_entities_in_one_file(tmp_path, baseline):
    project = _copy(tmp_path / "proj")
    merged: dict[str, tuple[yaml.Node, list]] = {}
    for section, entities, key in _sections(project):
        merged.setdefault(section, (key, []))[1].extend(entities)
    pairs = [(key, yaml.SequenceNode("tag:yaml.org,2002:seq", items)) for key, items in
             reversed(list(merged.values()))]
    _write(yaml.MappingNode("tag:yaml.org,2002:map", pairs), project / "data" / "reference" / "everything.yaml")
    _same(_built(project), baseline)


def test_reference_entities_one_file_each_and_articles_renamed(tmp_path, baseline):
    project = _copy(tmp_path / "proj")
    count = 0
    for section, entities, key in _sections(project):
        for entity in entities:
            count += 1
            doc = yaml.MappingNode("tag:yaml.org,2002:map", [(key, yaml.SequenceNode("tag:yaml.org,2002:seq", [entity]))])
            _write(doc, project / "data" / "reference" / f"{100_000 - count:06d}-{section}.yaml")
    articles = sorted((project / "data" / "articles").glob("*.yaml"))
    for i, path in enumerate(articles):  # the last file read first
        path.rename(path.with_name(f"{len(articles) - i:03d}-{path.stem[::-1]}.yaml"))
    assert count > 10
    _same(_built(project), baseline)
