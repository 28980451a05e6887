from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import cli

# The store tests' servers and projects (oxigraph_server, fake_server, seed, proj, ...).
pytest_plugins = ["servers"]

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"


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
