"""``kg build --watch``: a real process watching a generated project, edited the way curators edit
it (an article, a reference entity, a state no article uses, an article added and one removed, a
broken file). After each edit it builds again, in the same process, only the articles the edit
changed, and its outputs are byte for byte those of a clean build of the same files in a fresh
folder; a failed build is reported and the watch goes on; Ctrl-C stops it with exit 0."""
from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from test_incremental import OUTPUTS, _articles, _clean, _edit, _users

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from generate import generate  # noqa: E402

#: how long a build may take before the test gives up (a busy machine; a build here takes ~1 s)
WAIT_S = 120
#: how long the watch must stay quiet after a build for the step to be over
QUIET_S = 1.5


#: the console command, with SIGINT as a terminal gives it (Ctrl-C: KeyboardInterrupt) or as a
#: job started in the background has it (ignored), whatever the tests were started with
_KG = ("import signal, sys; signal.signal(signal.SIGINT, {}); "
       "from kg.cli import main; sys.argv = ['kg'] + sys.argv[1:]; main()")


class Watching:
    """``kg build --watch -v`` running on ``root``: its standard error read line by line."""

    def __init__(self, root: Path, sigint: str = "signal.default_int_handler"):
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen([sys.executable, "-c", _KG.format(sigint), "-C", str(root), "build", "--watch",
                                      "-v"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
        self.lines: queue.Queue[str] = queue.Queue()
        self.watching = ""
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stderr:
            self.lines.put(line.rstrip("\n"))

    def builds(self) -> list[list[str]]:
        """The lines of each build that ends from now on (each ends with 'kg build: N.NN s'),
        until the watch has been quiet for ``QUIET_S`` after one."""
        builds, current = [], []
        deadline = time.monotonic() + WAIT_S
        while True:
            try:
                line = self.lines.get(timeout=QUIET_S if builds and not current else 1.0)
            except queue.Empty:
                if builds and not current:
                    return builds
                assert time.monotonic() < deadline and self.proc.poll() is None, ("no build", current)
                continue
            if line.startswith("Watching "):  # once, after the first build
                self.watching = line
                continue
            current.append(line)
            if re.fullmatch(r"kg build: \d+\.\d\d s", line):
                builds.append(current)
                current = []

    def stop(self, signum: int = signal.SIGINT) -> tuple[int, list[str]]:
        self.proc.send_signal(signum)
        code = self.proc.wait(timeout=WAIT_S)
        rest = []
        while not self.lines.empty():
            rest.append(self.lines.get())
        return code, rest


def _rebuilt(build: list[str]) -> list[str]:
    """The articles a build made again (``-v``: 'Rebuilt N of M article(s):' and their names)."""
    for i, line in enumerate(build):
        if line.startswith("Rebuilt "):
            n = int(line.split()[1])
            return [name.strip() for name in build[i + 1:i + 1 + n]]
    return []


def _step(watching: Watching, run_kg, root: Path, fresh: Path, rebuilt: list[str]) -> list[list[str]]:
    """The builds that the changes just made start: between them exactly ``rebuilt`` are built
    again, and the last one's report, summary and outputs are a clean build's."""
    builds = watching.builds()
    assert all(b[0].startswith("Changed: data/") or b[0].startswith("Changed: ontology/") for b in builds), builds
    assert sorted({name for b in builds for name in _rebuilt(b)}) == sorted(rebuilt), builds
    clean, clean_outputs = _clean(run_kg, root, fresh)
    last = builds[-1]
    report = [line for line in last[1:-1] if not line.startswith(("Rebuilt ", "  data/", "Wrote build/"))]
    assert report == clean.stderr.splitlines()
    for name in OUTPUTS:
        assert (root / "build" / name).read_bytes() == clean_outputs[name], name
    return builds


@pytest.mark.skipif(sys.platform == "win32", reason="Ctrl-C is sent as SIGINT")
def test_the_watch_builds_each_edit_as_a_clean_build_would(tmp_path, run_kg):
    root = generate(tmp_path / "p", articles=10, seed=11)
    fresh = tmp_path / "fresh"
    ref, articles = root / "data/reference", root / "data/articles"
    watching = Watching(root)
    try:
        first = watching.builds()
        assert len(first) == 1 and _rebuilt(first[0]) == [f"data/articles/{p.name}" for p in _articles(root)]
        assert watching.watching == "Watching ontology/, data/reference/, data/articles/ for changes (Ctrl-C stops)"

        # an article edited: that article only
        _edit(articles / "gen-000002.yaml", "codename: Drill 2\n", "codename: Drill Two\n")
        builds = _step(watching, run_kg, root, fresh, ["data/articles/gen-000002.yaml"])
        assert builds[0][0] == "Changed: data/articles/gen-000002.yaml"

        # a weapon's label: the articles that name it
        weapon = next(f"weapon-{i:03d}" for i in range(60) if 0 < len(_users(root, f"weapon-{i:03d}")) < 10)
        label = f"label: Weapon system {int(weapon[-3:])}\n"
        _edit(ref / "weapons.yaml", label, label.replace("system", "system number"))
        _step(watching, run_kg, root, fresh, _users(root, weapon))

        # a state no article uses: none
        _edit(ref / "states.yaml", "states:\n", "states:\n  - id: QQQ\n    label: State QQQ\n")
        _step(watching, run_kg, root, fresh, [])

        # an article added and one removed
        (articles / "gen-000099.yaml").write_text((articles / "gen-000003.yaml").read_text()
                                                  .replace("gen-000003", "gen-000099"))
        (articles / "gen-000005.yaml").unlink()
        _step(watching, run_kg, root, fresh, ["data/articles/gen-000099.yaml"])

        # a broken article: its error, the outputs left as they were, and the watch goes on
        before = {name: (root / "build" / name).read_bytes() for name in OUTPUTS}
        good = (articles / "gen-000004.yaml").read_text()
        (articles / "gen-000004.yaml").write_text(good + "broken: [\n")
        builds = watching.builds()
        assert any(line.startswith("Error: data/articles/gen-000004.yaml:") for b in builds for line in b), builds
        assert {name: (root / "build" / name).read_bytes() for name in OUTPUTS} == before
        (articles / "gen-000004.yaml").write_text(good)
        _step(watching, run_kg, root, fresh, [])  # its entry is the cache's again

        # the shapes edited: every article, read with the new shapes
        shapes = root / "ontology/shapes.ttl"
        shapes.write_text(shapes.read_text() + "\n# a comment\n")
        _step(watching, run_kg, root, fresh, [f"data/articles/{p.name}" for p in _articles(root)])
    finally:
        code, rest = watching.stop()
    assert code == 0 and rest[-2:] == ["Stopped watching", rest[-1]] and rest[-1].startswith("kg build: "), rest
    # what the watch used of the cache it kept in the cache: a build in a new process redoes nothing
    after = run_kg(root, "build", "-v")
    assert after.exit_code == 0 and after.stderr.splitlines()[0] == f"Rebuilt 0 of {len(_articles(root))} article(s):"


def test_the_watch_refuses_no_cache_before_any_work(tmp_path, run_kg):
    """Each build of a watch without the cache would read and build every article again: the
    pair is a usage error, and nothing is built, cached or watched."""
    root = generate(tmp_path / "p", articles=2, seed=11)
    result = run_kg(root, "build", "--watch", "--no-cache")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == "Error: --watch takes unchanged articles from .kg/cache/; it does not go with --no-cache\n"
    assert not (root / "build").exists() and not (root / ".kg").exists()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_sigterm_stops_the_watch_even_where_sigint_is_ignored(tmp_path):
    """A watch started in the background ignores SIGINT (the shell's rule for background jobs,
    kept); SIGTERM, which a service manager or ``kill`` sends, stops it as Ctrl-C does."""
    root = generate(tmp_path / "p", articles=3, seed=11)
    watching = Watching(root, sigint="signal.SIG_IGN")
    try:
        assert len(watching.builds()) == 1 and watching.watching.startswith("Watching ")
        watching.proc.send_signal(signal.SIGINT)
        with pytest.raises(subprocess.TimeoutExpired):
            watching.proc.wait(timeout=2)
    finally:
        code, rest = watching.stop(signal.SIGTERM)
    assert code == 0 and rest[0] == "Stopped watching" and len(rest) == 2
    assert re.fullmatch(r"kg build: \d+\.\d\d s", rest[1]), rest  # -v: how long the command ran


def test_between_builds_the_warm_state_is_collected_once_and_frozen(tmp_path):
    """``Warm.settle``, which the watch runs after each build: the cycles the last build left
    are collected then, and what lives on is frozen out of the collector's reach for the next
    build, which leaves it frozen (and builds what it built before)."""
    import gc

    from kg.pipeline import Warm, run
    from kg.project import Project

    root = generate(tmp_path / "p", articles=3, seed=4)
    warm = Warm()
    freed = []

    class Cycle:
        def __init__(self):
            self.me = self

        def __del__(self):
            freed.append(True)

    try:
        first = run(Project(root), warm=warm)
        Cycle()  # garbage in a cycle, as a build leaves some
        gc.freeze()  # where a build froze it
        assert not freed
        Warm.settle()
        assert freed == [True]
        frozen = gc.get_freeze_count()
        assert frozen > 0
        second = run(Project(root), warm=warm)
        assert gc.get_freeze_count() >= frozen
        assert first.rebuilt and second.rebuilt == [] and second.units == first.units
    finally:
        gc.unfreeze()
