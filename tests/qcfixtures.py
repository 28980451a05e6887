"""The quality checks' fixtures (tests/qc/): for each check, queries/qc/NAME.rq, a dataset on
which it returns rows, and the rows it must return there (tests/qc/NAME.tsv, the output of
``kg query qc/NAME --format tsv``).

A fixture is one of:

- ``tests/qc/NAME/``: article fact files (YAML), built with the repository's ontology, shapes
  and reference entities, for a check that fires on data ``kg build`` accepts;
- ``tests/qc/NAME.trig``: graphs added to the repository's ontology (graph:ontology), for a
  check that fires only on a graph ``kg build`` never writes (the fact reader or the shapes
  refuse the input that would give it).

``tests/conftest.py`` registers this module as a pytest plugin: the ``qc_fixtures`` fixture
reaches every test module; modules import only its helpers (``from qcfixtures import ...``).
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg import namespaces as ns
from kg.pipeline import NAMED, ensure_built
from kg.project import Project
from kg.queries import query_names
from kg.stores.local import load_store

ROOT = Path(__file__).resolve().parent.parent
QC = Path(__file__).resolve().parent / "qc"
#: the quality checks, as ``kg query`` names them (qc/...)
CHECKS = [n for n in query_names(ROOT / "queries") if n.startswith("qc/")]
#: the saved queries (not the checks): they run on the project of tests/claims/, two fact files
#: written so that every saved query has rows (tests/test_claims_queries.py)
SAVED = [n for n in query_names(ROOT / "queries") if not n.startswith("qc/")]
CLAIMS = Path(__file__).resolve().parent / "claims"


@dataclass(frozen=True)
class QcFixture:
    name: str
    #: a project with the repository's ontology and queries (and, for articles, their build)
    project: Path
    #: the dataset the check runs on (TriG, named graphs only)
    trig: Path
    #: an embedded store loaded with it
    store: Path
    #: what ``kg query`` and ``kg check`` take to run on it: () for a built project
    where: tuple[str, ...]

    @property
    def golden(self) -> Path:
        return golden_of(self.name)


def stem(name: str) -> str:
    return name.removeprefix("qc/")


def golden_of(name: str) -> Path:
    return QC / f"{stem(name)}.tsv"


def source_of(name: str) -> Path:
    """The fixture's file (TriG) or folder (articles); a missing one names the TriG file."""
    folder = QC / stem(name)
    return folder if folder.is_dir() else QC / f"{stem(name)}.trig"


def _project(dest: Path, articles: Path | None) -> Path:
    dest.mkdir(parents=True)
    for name in ("ontology", "queries"):
        shutil.copytree(ROOT / name, dest / name)
    (dest / "data" / "articles").mkdir(parents=True)
    if articles is not None:
        shutil.copytree(ROOT / "data" / "reference", dest / "data" / "reference")
        for path in sorted(articles.glob("*.yaml")):
            shutil.copy(path, dest / "data" / "articles" / path.name)
    return dest


def _dataset(fixture: Path, dest: Path) -> Path:
    """The repository's ontology in graph:ontology, and the fixture's graphs."""
    store = ox.Store()
    ontology = ox.NamedNode(str(ns.ONTOLOGY_GRAPH))
    for path in Project(ROOT).ontology_paths():
        store.load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ontology)
    store.load(path=str(fixture), format=ox.RdfFormat.TRIG)
    if any(True for _ in store.quads_for_pattern(None, None, None, ox.DefaultGraph())):
        raise ValueError(f"{fixture}: every triple of a fixture goes in a named graph")
    store.dump(output=str(dest), format=ox.RdfFormat.TRIG)
    return dest


def materialise(name: str, dest: Path) -> QcFixture:
    """The fixture of the check ``name`` made ready in the empty folder ``dest``."""
    source = source_of(name)
    store = dest / "store"
    if source.is_dir():
        project = _project(dest / "proj", source)
        trig = ensure_built(Project(project)) / NAMED
        where: tuple[str, ...] = ()
    else:
        project = _project(dest / "proj", None)
        trig = _dataset(source, dest / f"{stem(name)}.trig")
        where = ("--store", str(store))
    load_store(store, trig)
    return QcFixture(name, project, trig, store, where)


def materialise_claims(dest: Path) -> QcFixture:
    """The project of tests/claims/ (its own reference entities and articles) built in ``dest``."""
    project = dest / "proj"
    project.mkdir(parents=True)
    for name in ("ontology", "queries"):
        shutil.copytree(ROOT / name, project / name)
    shutil.copytree(CLAIMS / "data", project / "data")
    trig = ensure_built(Project(project)) / NAMED
    store = dest / "store"
    load_store(store, trig)
    return QcFixture("claims", project, trig, store, ())


@pytest.fixture(scope="session")
def claims_fixture(tmp_path_factory) -> QcFixture:
    """The saved queries' project (tests/claims/), built once for the whole session."""
    return materialise_claims(tmp_path_factory.mktemp("claims"))


@pytest.fixture(scope="session")
def qc_fixtures(tmp_path_factory, claims_fixture) -> dict[str, QcFixture]:
    """Every check's fixture, and for every saved query the project of tests/claims/, made once
    for the whole session (tests must not change them): the engine-agreement tests run each
    query on the dataset named here, where it has rows."""
    fixtures = {name: materialise(name, tmp_path_factory.mktemp(stem(name))) for name in CHECKS}
    fixtures.update({name: claims_fixture for name in SAVED})
    return fixtures
