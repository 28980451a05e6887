"""The wheel: every module and data file of the package is in it, and kg runs from it.

The wheel is built from a copy of the sources in a temporary folder (setuptools writes
``build/`` and ``*.egg-info`` beside the sources it builds, and ``build/`` is kg's own output
folder), with the setuptools of this environment. .ci/run also installs the wheel with its
dependencies into a fresh virtual environment and runs ``kg build`` and a query with it.
"""
from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    if importlib.util.find_spec("setuptools") is None:
        pytest.skip("no setuptools in this environment to build the wheel with (.ci/run builds it)")
    folder = tmp_path_factory.mktemp("wheel")
    src = folder / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    shutil.copytree(ROOT / "kg", src / "kg", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                           "--wheel-dir", str(folder / "dist"), str(src)],
                          cwd=folder, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (built,) = (folder / "dist").glob("kg-*.whl")
    return built


def package_files() -> list[str]:
    """Every file of the package in the source tree (modules, py.typed, any data)."""
    return sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "kg").rglob("*")
                  if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc")


def test_the_wheel_holds_every_file_of_the_package(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    files = package_files()
    assert {"kg/cli/__init__.py", "kg/extract/__init__.py", "kg/py.typed"} <= set(files)
    assert [f for f in files if f not in names] == []
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    assert "kg = kg.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_kg_starts_from_the_wheel(wheel, tmp_path):
    """The wheel's package alone (no source tree, no editable install on the path) starts."""
    target = tmp_path / "site"
    proc = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
                           "--target", str(target), str(wheel)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # -S: no site-packages processing, so no editable install of kg from the source tree (its
    # .pth file); the dependencies come from this environment's site-packages as a plain path.
    deps = [p for p in sys.path if p.endswith("site-packages")]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(target), *deps])}
    code = "import kg, kg.cli, kg.extract; print(kg.__file__, kg.cli.__file__, kg.extract.__file__)"
    proc = subprocess.run([sys.executable, "-S", "-c", code], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert all(Path(where).is_relative_to(target) for where in proc.stdout.split()), proc.stdout
    proc = subprocess.run([sys.executable, "-S", "-m", "kg", "--version"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert (proc.returncode, proc.stderr) == (0, ""), proc.stderr
    assert proc.stdout.startswith("kg"), proc.stdout


# --- constraints.txt: the exact versions CI and README's set-up line install --------------------

def _pins() -> dict[str, str]:
    from packaging.utils import canonicalize_name

    pins = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, sep, version = line.partition("==")
            assert sep and version and not any(c in version for c in "<>=!~*,;"), f"not an exact pin: {line}"
            pins[canonicalize_name(name)] = version
    return pins


def _requirements(name: str, extras: tuple[str, ...] = ()) -> set[str]:
    """Every distribution ``name`` (with ``extras``) needs in this environment, transitively."""
    from importlib.metadata import PackageNotFoundError, requires

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    seen: set[str] = set()
    todo = [(name, extras)]
    while todo:
        dist, wanted = todo.pop()
        try:
            reqs = requires(dist) or []
        except PackageNotFoundError:
            continue  # a marker chose it for another platform
        for text in reqs:
            req = Requirement(text)
            if req.marker is not None and not any(req.marker.evaluate({"extra": e}) for e in ("", *wanted)):
                continue
            key = canonicalize_name(req.name)
            if key not in seen:
                seen.add(key)
                todo.append((req.name, tuple(req.extras)))
    return seen


def test_constraints_pin_every_dependency_exactly():
    """Every package kg and its test extra need, down to the dependencies of dependencies, has
    an exact version in constraints.txt, and that is the version installed here (where this
    environment was installed from it, as .ci/run and README's set-up line do)."""
    from importlib.metadata import version

    pins = _pins()
    needed = _requirements("kg", ("test",))
    assert {"rdflib", "pyshacl", "click", "pytest", "hypothesis"} <= needed
    assert sorted(needed - set(pins)) == []
    assert "kg" not in pins
    assert {"pip", "setuptools"} <= set(pins)  # the installer and the build backend too
    drift = {name: (pins[name], version(name)) for name in sorted(needed) if version(name) != pins[name]}
    if drift:
        pytest.skip(f"this environment was not installed from constraints.txt: {drift}")


def test_ci_and_readme_install_from_the_constraints():
    setup = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "pip install -c constraints.txt -e '.[test]'" in setup
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert 'pip install --quiet -c "$pins" --build-constraint "$pins" -e \'.[test]\'' in ci
    assert 'pins="$PWD/constraints.txt"' in ci
