from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, settings

from kg.cli import cli

# The store tests' servers and projects (oxigraph_server, fake_server, seed, proj, ...), and the
# quality checks' fixtures (qc_fixtures).
pytest_plugins = ["servers", "qcfixtures"]

ROOT = Path(__file__).resolve().parent.parent

# Hypothesis: a fixed profile, so that CI and a fresh clone draw the same examples on every run
# (no seed of the day, no example database, no deadline or slowness check on a busy machine);
# every example a search ever found is kept in its test as an explicit @example.
# HYPOTHESIS_PROFILE=explore searches with random seeds (and keeps what it finds in .hypothesis/).
# Loaded here, before the test modules are imported, so that the profiles and @settings they
# declare inherit it.
settings.register_profile("ci", derandomize=True, database=None, deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("explore", deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


#: the fact files of the two seed articles, the project's first (their outputs are recorded in
#: tests/golden/; the dev-set articles beside them have tests of their own, tests/fidelity/)
SEED_ARTICLES = ("iran-russia-caspian-maneuvers.yaml", "somali-magazine-casarex-2025.yaml")


def copy_seed_project(dest: Path) -> Path:
    """``dest`` made a project of the repository's ontology, queries and reference entities with
    the two seed articles only."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("ontology", "queries"):
        shutil.copytree(ROOT / name, dest / name)
    shutil.copytree(ROOT / "data" / "reference", dest / "data" / "reference")
    (dest / "data" / "articles").mkdir()
    for name in SEED_ARTICLES:
        shutil.copy(ROOT / "data" / "articles" / name, dest / "data" / "articles" / name)
    return dest


def copy_reference_project(dest: Path) -> Path:
    """``dest`` made a project of the repository's ontology and reference entities, with no
    articles (where drafts and test articles are put)."""
    (dest / "data" / "articles").mkdir(parents=True)
    shutil.copytree(ROOT / "ontology", dest / "ontology")
    shutil.copytree(ROOT / "data" / "reference", dest / "data" / "reference")
    return dest


@pytest.fixture
def seed_project(tmp_path: Path) -> Path:
    """A copy of the project with the two seed articles only."""
    return copy_seed_project(tmp_path / "proj")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the project's ontology and data in a temporary folder."""
    dest = tmp_path / "proj"
    dest.mkdir()
    for name in ("ontology", "data", "queries"):
        if (ROOT / name).exists():
            shutil.copytree(ROOT / name, dest / name)
    return dest


@pytest.fixture
def run_kg():
    """Run ``kg`` through CliRunner in a project folder; returns the click Result."""

    def _run(project: Path, *args: str):
        runner = CliRunner()
        return runner.invoke(cli, ["-C", str(project), *args], catch_exceptions=False)

    return _run


def project_reference(root: Path):
    """The reference entities of the project at ``root``, read as kg reads them."""
    from kg.inputs.facts import read_reference
    from kg.inputs.ontology import load_ontology, vocabulary
    from kg.project import Project

    project = Project(root)
    vocab = vocabulary(load_ontology(project))
    return read_reference([(p, p.name) for p in project.reference_paths()], vocab)


@pytest.fixture(scope="module")
def reference():
    """The repository's own reference entities (what a user's drafts are made against), read once
    per test module (drafting with proposals may add to what it is given)."""
    return project_reference(ROOT)
