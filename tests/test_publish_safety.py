"""What kg publishes (``build/``, the documentation, the pictures, the store) never costs a
user a file: kg replaces only what it made, two builds at once leave a complete build, and the
pages a user asked for outlive the next build."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.output.manifest import MANIFEST
from kg.pipeline import MERGED, NAMED
from servers import one_line_error

OUTPUTS = {MERGED, NAMED, MANIFEST}


def kg(project: Path, *args: str):
    return CliRunner().invoke(cli, ["-C", str(project), *args], catch_exceptions=False)


def snapshot(folder: Path, skip: tuple[str, ...] = ()) -> dict[str, object]:
    """Every file, folder and link under ``folder`` (links not followed): path -> content."""
    out: dict[str, object] = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        rel = os.path.relpath(dirpath, folder)
        dirnames[:] = [d for d in dirnames if os.path.normpath(os.path.join(rel, d)) not in skip]
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            key = os.path.normpath(os.path.join(rel, name))
            if os.path.islink(path):
                out[key] = ("link", os.readlink(path))
            elif os.path.isdir(path):
                out[key] = ("folder",)
            else:
                out[key] = ("file", Path(path).read_bytes())
    return out


@pytest.fixture
def mine(tmp_path: Path, project: Path) -> dict[str, Path]:
    """Folders and files of the user's, beside and inside the project."""
    (project / "docs").mkdir()
    (project / "docs" / "notes.md").write_text("my notes\n")
    user = tmp_path / "mine"
    user.mkdir()
    (user / "thesis.txt").write_text("years of work\n")
    return {
        "data/": project / "data",
        "docs/": project / "docs",
        "the project": project,
        "a folder of the user's": user,
    }


# --- 4. kg replaces only what it made ------------------------------------------------------


@pytest.mark.parametrize("command", ["build", "docs"])
@pytest.mark.parametrize("target", ["data/", "docs/", "the project", "a folder of the user's"])
def test_a_folder_kg_did_not_make_is_refused_and_kept(tmp_path, project, mine, command, target):
    before = snapshot(tmp_path, skip=("proj/.kg",))
    result = kg(project, command, "-o", str(mine[target]))
    inside = mine[target] == project or project in mine[target].parents
    shown = os.path.relpath(mine[target], project) if inside else str(mine[target])
    one_line_error(result, f"Error: {shown}: ", "kg did not make")
    assert snapshot(tmp_path, skip=("proj/.kg",)) == before


@pytest.mark.parametrize("command", ["build", "docs"])
def test_a_hand_made_folder_or_a_link_of_the_users_is_refused_and_kept(tmp_path, project, mine, command):
    out = project / "out"
    out.mkdir()
    (out / "kept.txt").write_text("by hand\n")
    link = project / "link"
    link.symlink_to(mine["a folder of the user's"])
    before = snapshot(tmp_path, skip=("proj/.kg",))
    one_line_error(kg(project, command, "-o", str(out)), "kg did not make")
    one_line_error(kg(project, command, "-o", str(link)), "kg did not make")
    assert snapshot(tmp_path, skip=("proj/.kg",)) == before


def test_a_hand_made_build_folder_is_refused_and_kept(tmp_path, project):
    (project / "build").mkdir()
    (project / "build" / "results.csv").write_text("a,b\n")
    before = snapshot(tmp_path, skip=("proj/.kg",))
    one_line_error(kg(project, "build"), "build", "kg did not make")
    assert snapshot(tmp_path, skip=("proj/.kg",)) == before


def test_build_dot_in_the_project_folder(tmp_path, project):
    """``kg build -o .`` as typed in the project folder: the project stays whole."""
    before = snapshot(tmp_path)
    proc = subprocess.run([sys.executable, "-m", "kg", "build", "-o", "."], cwd=project,
                          capture_output=True, text=True)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("Error: ") and proc.stderr.count("\n") == 1, proc.stderr
    assert "kg did not make" in proc.stderr
    assert snapshot(tmp_path, skip=("proj/.kg",)) == {k: v for k, v in before.items()
                                                      if not k.startswith("proj/.kg")}


def test_an_empty_folder_becomes_the_output(project, tmp_path):
    """An empty folder holds nothing to lose: it is replaced by kg's link."""
    out = tmp_path / "empty"
    out.mkdir()
    assert kg(project, "build", "-o", str(out)).exit_code == 0
    assert out.is_symlink() and {p.name for p in out.iterdir()} == OUTPUTS


def test_what_kg_did_not_make_in_its_generations_folder_is_kept(project):
    assert kg(project, "build").exit_code == 0
    gens = project / ".build.generations"
    (gens / "notes").mkdir()
    (gens / "notes" / "why.txt").write_text("mine\n")
    (gens / "gen-by-hand").mkdir()
    for _ in range(3):
        assert kg(project, "build").exit_code == 0
    assert (gens / "notes" / "why.txt").read_text() == "mine\n"
    assert (gens / "gen-by-hand").is_dir()
    # and kg's own older generations are gone: the one published and the one it replaced stay
    assert len([p for p in gens.iterdir() if p.is_dir() and p.name.startswith("gen-")
                and p.name != "gen-by-hand"]) == 2


def test_one_kind_of_output_never_replaces_another(proj, tmp_path):
    """The store is not a build folder, the build folder is not documentation, and nothing is
    written inside a build generation (the next build replaces it)."""
    assert kg(proj, "load").exit_code == 0
    before = snapshot(proj, skip=(".kg/cache",))
    one_line_error(kg(proj, "build", "-o", str(proj / ".kg" / "store")), ".kg/store")
    one_line_error(kg(proj, "docs", "-o", str(proj / "build")), "build")
    one_line_error(kg(proj, "docs", "-o", str(proj / "build" / "docs")), "which the next 'kg build' replaces")
    one_line_error(kg(proj, "viz", "IRN", "-o", str(proj / "build" / "iran.html")), "which the next 'kg build' replaces")
    one_line_error(kg(proj, "export", "-o", str(proj / "build" / "kg.nt")), "which the next 'kg build' replaces")
    one_line_error(kg(proj, "load", "--store", str(proj / "build")), "build")
    assert snapshot(proj, skip=(".kg/cache",)) == before


def test_load_refuses_a_link_it_did_not_make_and_keeps_what_it_did_not_make(seed, tmp_path):
    theirs = tmp_path / "their-store"
    theirs.mkdir()
    (theirs / "README").write_text("an Oxigraph store of someone else's\n")
    link = tmp_path / "st"
    link.symlink_to(theirs)
    before = snapshot(tmp_path)
    one_line_error(kg(seed, "load", "--store", str(link)), "kg did not make")
    assert snapshot(tmp_path) == before
    store = tmp_path / "store"
    assert kg(seed, "load", "--store", str(store)).exit_code == 0
    gens = tmp_path / ".store.generations"
    (gens / "backup").mkdir()
    (gens / "backup" / "CURRENT").write_text("a store kept by hand\n")
    for _ in range(3):
        assert kg(seed, "load", "--store", str(store)).exit_code == 0
    assert (gens / "backup" / "CURRENT").read_text() == "a store kept by hand\n"


# --- 5. two builds at once -----------------------------------------------------------------


def _articles(folder: Path, articles: int = 4, facts: int = 300) -> None:
    """Fact files with many facts, so that writing the outputs takes a while."""
    for a in range(articles):
        lines = ["article:", f"  id: generated-{a}", f"  title: Generated article {a}", "  publisher: unknown",
                 "  published: 2025-07-25", f"  source: generated-{a}.txt", "facts:"]
        for i in range(facts):
            lines += ["  - type: cooperation", f"    id: coop-{a}-{i}", f"    at: [{i % 40 + 1}]",
                      "    parties: [IRN, RUS]", f"    label: Cooperation {a}-{i}"]
        (folder / f"generated-{a}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _complete(build: Path) -> dict[str, bytes] | None:
    """The outputs that ``build`` links to, or None where it links to no complete build."""
    try:
        target = build.parent / os.readlink(build)
        files = {p.name: p.read_bytes() for p in target.iterdir()}
    except OSError:
        return None
    return files if set(files) == OUTPUTS else None


ROUNDS = int(os.environ.get("KG_CONCURRENT_ROUNDS", "8"))


def test_two_builds_at_once_leave_a_complete_build(project, capsys):
    for old in (project / "data" / "articles").glob("*.yaml"):
        old.unlink()
    _articles(project / "data" / "articles")
    command = [sys.executable, "-m", "kg", "-C", str(project), "build", "--reason", "none", "-q"]
    subprocess.run(command, check=True, capture_output=True)
    build = project / "build"
    expected = _complete(build)
    assert expected is not None
    broken: list[str] = []
    stop = threading.Event()

    def watch() -> None:  # build/ must resolve to a complete build at every instant
        while not stop.is_set():
            before = os.readlink(build)
            if _complete(build) is None and os.readlink(build) == before:
                broken.append(before)
            time.sleep(0.001)

    watcher = threading.Thread(target=watch)
    watcher.start()
    failures = []
    try:
        for _ in range(ROUNDS):
            procs = [subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
                     for _ in range(2)]
            for proc in procs:
                _, err = proc.communicate(timeout=300)
                if proc.returncode != 0:
                    failures.append(f"exit {proc.returncode}: {err.strip()}")
            if _complete(build) != expected:
                failures.append(f"after the round build/ links to {os.readlink(build)}, not a complete build")
    finally:
        stop.set()
        watcher.join()
    with capsys.disabled():
        print(f"\ntwo builds at once, {ROUNDS} rounds: {len(failures)} failures, "
              f"{len(broken)} moments with build/ incomplete")
    assert failures == []
    assert broken == []


# --- 6. pages a user asked for outlive the next build --------------------------------------


def _written(stderr: str) -> str:
    """The path in 'Wrote PATH: ...' or 'Wrote N pages to PATH: ...'."""
    line = stderr.strip()
    return line.split(" to ", 1)[1].split(":", 1)[0] if " pages to " in line else line[len("Wrote "):].split(":", 1)[0]


def test_docs_and_pictures_outlive_a_build_and_a_query_that_rebuilds(proj):
    docs = kg(proj, "docs")
    assert docs.exit_code == 0, docs.output
    viz = kg(proj, "viz", "casarex-2025")
    assert viz.exit_code == 0, viz.output
    index = proj / _written(docs.stderr) / "index.html"
    page = proj / _written(viz.stderr)
    pages = {index: index.read_bytes(), page: page.read_bytes()}
    assert kg(proj, "build").exit_code == 0
    assert {p: p.read_bytes() for p in pages if p.exists()} == pages
    article = sorted((proj / "data" / "articles").glob("*.yaml"))[0]
    os.utime(article)  # newer than the build: the query builds again, silently
    assert kg(proj, "query", "exercises").exit_code == 0
    assert {p: p.read_bytes() for p in pages if p.exists()} == pages
    # and written again, they replace themselves
    assert kg(proj, "docs").exit_code == 0 and kg(proj, "viz", "casarex-2025").exit_code == 0
    assert {p: p.read_bytes() for p in pages} == pages


@pytest.mark.parametrize("after", ["rename", "sync"])
def test_an_interrupt_once_the_link_is_renamed_keeps_what_it_points_at(tmp_path, monkeypatch, after):
    """Ctrl-C (or SIGTERM in ``kg build --watch``) raised as the swap ends, once the new link is
    renamed over the path (``after``: right after the rename, or in the folder's sync that
    follows): the path points at the new generation, which is kept whole; a publish interrupted
    before the rename removes its generation and leaves the path as it was."""
    from kg.output import publish

    link = tmp_path / "out"
    publish.publish_files(link, "build", {"a.txt": b"old\n"})
    real_replace, real_fsync = os.replace, publish._fsync

    def replace(src, dst):
        real_replace(src, dst)
        if after == "rename" and Path(dst) == link:
            raise KeyboardInterrupt

    def fsync(path):
        real_fsync(path)
        if after == "sync" and Path(path) == link.parent:
            raise KeyboardInterrupt

    monkeypatch.setattr(publish.os, "replace", replace)
    monkeypatch.setattr(publish, "_fsync", fsync)
    with pytest.raises(KeyboardInterrupt):
        publish.publish_files(link, "build", {"a.txt": b"new\n"})
    assert (link / "a.txt").read_bytes() == b"new\n"
    monkeypatch.undo()

    # interrupted before the rename: the old one stays, the new folder is gone
    gens = publish.generations_dir(link)
    before = sorted(p.name for p in gens.iterdir())

    def interrupted(*_args):
        raise KeyboardInterrupt

    monkeypatch.setattr(publish, "_swap", interrupted)
    with pytest.raises(KeyboardInterrupt):
        publish.publish_files(link, "build", {"a.txt": b"newer\n"})
    monkeypatch.undo()
    assert (link / "a.txt").read_bytes() == b"new\n"
    assert sorted(p.name for p in gens.iterdir()) == before
