"""The property-based tests run under a fixed hypothesis profile (tests/conftest.py), so that
CI and a fresh clone draw the same examples every run: a failure is reproducible, never a
flake of the day's random seed."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(os.environ.get("HYPOTHESIS_PROFILE", "ci") != "ci",
                                reason="HYPOTHESIS_PROFILE chooses a random search")


def _drawn() -> list:
    seen: list = []

    @settings(max_examples=30)
    @given(st.text(), st.integers())
    def record(text, number):
        seen.append((text, number))

    record()
    return seen


def test_the_same_examples_every_run():
    assert _drawn() == _drawn()
    profile = settings.default
    assert profile.derandomize and profile.database is None and profile.deadline is None


def test_profiles_registered_in_test_modules_inherit_it(tmp_path):
    """A profile a test module registers (as tests/test_fuzz.py does) and a test with its own
    @settings keep the fixed seed; the examples are the same in two separate processes."""
    test = tmp_path / "test_draw.py"
    test.write_text(textwrap.dedent("""\
        from hypothesis import given, settings, strategies as st
        settings.register_profile("module-profile", max_examples=20)

        @settings(settings.get_profile("module-profile"))
        @given(st.binary())
        def test_draw(data):
            print("drawn", data.hex())
        """), encoding="utf-8")
    runs = []
    env = {**os.environ, "PYTHONPATH": str(ROOT / "tests")}
    env.pop("HYPOTHESIS_PROFILE", None)
    for _ in range(2):
        # tests/conftest.py loaded as a plugin, as pytest loads it for the tests beside it
        proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider", "-p", "conftest",
                               "--rootdir", str(tmp_path), str(test)],
                              cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        runs.append([line for line in proc.stdout.splitlines() if line.startswith("drawn")])
    assert len(runs[0]) >= 10 and runs[0] == runs[1]
