"""``kg viz``: the neighbourhood of an entity as Mermaid, DOT and an offline HTML page; the
page checked in headless Chromium."""
from __future__ import annotations

import html
import json
import os
import re
import shutil
import struct
import subprocess
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import copy_seed_project
from kg.cli import cli
from kg.pipeline import NAMED, ensure_built
from kg.project import Project
from kg.present.viz import Edge, GraphData, Neighbourhood, Node, neighbourhood, resolve, to_html, to_mermaid

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden" / "viz"
UPDATE = os.environ.get("KG_UPDATE_GOLDEN") == "1"
CASAREX = "https://w3id.org/milcoop/id/exercise/casarex-2025"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The seed project built once (a copy: the tests never touch the work tree's build/)."""
    dest = copy_seed_project(tmp_path_factory.mktemp("viz") / "proj")
    ensure_built(Project(dest))
    return dest


@pytest.fixture(scope="module")
def data(built) -> GraphData:
    return GraphData.from_trig(built / "build" / NAMED)


def kg(project: Path, *args: str):
    return CliRunner().invoke(cli, ["-C", str(project), *args], catch_exceptions=False)


def _golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        if not UPDATE:
            pytest.fail(f"wrote missing golden file {path.name}; check it and commit it")
    assert text == path.read_text(encoding="utf-8")


# --- Mermaid and DOT -----------------------------------------------------------------------


@pytest.mark.parametrize("fmt, suffix", [("mermaid", "mmd"), ("dot", "dot")])
def test_casarex_golden(built, fmt, suffix):
    result = kg(built, "viz", "casarex-2025", "--format", fmt)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    _golden(f"casarex-2025.{suffix}", result.stdout)


@pytest.mark.parametrize("fmt", ["mermaid", "dot", "html"])
def test_same_bytes_every_run(built, fmt):
    first = kg(built, "viz", "IRN", "--format", fmt, "-o", "-")
    second = kg(built, "viz", "IRN", "--format", fmt, "-o", "-")
    assert first.exit_code == second.exit_code == 0
    assert first.stdout_bytes == second.stdout_bytes


def test_same_bytes_in_another_process(built, tmp_path):
    """Nothing depends on the order of a set (string hashing differs between processes)."""
    import sys

    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / f"iran-{seed}.html"
        subprocess.run([sys.executable, "-m", "kg", "-C", str(built), "viz", "Iran", "-o", str(out)],
                       env={**os.environ, "PYTHONHASHSEED": seed}, check=True, capture_output=True)
        mermaid = subprocess.run([sys.executable, "-m", "kg", "-C", str(built), "viz", "Iran", "--format", "mermaid"],
                                 env={**os.environ, "PYTHONHASHSEED": seed}, check=True, capture_output=True)
        outputs.append((out.read_bytes(), mermaid.stdout))
    assert outputs[0] == outputs[1]


@pytest.mark.parametrize("name", ["casarex-2025", "CASAREX 2025", "casarex 2025", CASAREX])
def test_an_entity_by_id_label_or_iri(built, name):
    result = kg(built, "viz", name, "--format", "mermaid")
    assert result.exit_code == 0, result.output
    assert result.stdout == (GOLDEN / "casarex-2025.mmd").read_text(encoding="utf-8")


def test_a_state_by_id_label_or_alias_gives_one_picture(built):
    outputs = {name: kg(built, "viz", name, "--format", "dot").stdout for name in ("IRN", "Iran", "Tehran")}
    assert len(set(outputs.values())) == 1
    assert outputs["IRN"].startswith("// kg viz IRN --depth 1 --format dot: Iran, ")


def test_a_state_with_its_forces_exercises_and_transfers(built):
    lines = kg(built, "viz", "IRN", "--format", "mermaid").stdout.splitlines()
    assert lines[1] == "flowchart LR"
    assert lines[2] == '    state_IRN{{"Iran"}}'
    for line in ['    force_iran_navy["Islamic Republic of Iran Navy"]',
                 '    exercise_casarex_2025(["CASAREX 2025"])',
                 '    arms_transfer_iran_russia_drones[/"Drones from Iran to Russia"/]',
                 "    force_iran_navy -.->|belongs to| state_IRN",
                 "    arms_transfer_iran_russia_drones -->|supplier| state_IRN",
                 "    exercise_casarex_2025 -.->|participant state| state_IRN",
                 # an exercise reached on the way brings the entities it names
                 "    exercise_casarex_2025 --o|observer| state_AZE"]:
        assert line in lines


def test_depth_0_is_the_entity_alone(built):
    result = kg(built, "viz", "casarex-2025", "--depth", "0", "--format", "mermaid")
    assert result.exit_code == 0
    assert result.stdout == (
        "%% kg viz casarex-2025 --depth 0 --format mermaid: CASAREX 2025, 1 entities, 0 links\n"
        "flowchart LR\n"
        '    exercise_casarex_2025(["CASAREX 2025"])\n'
        "    classDef exercise fill:#8FD6B8,stroke:#17754F,color:#000\n"
        "    class exercise_casarex_2025 exercise\n"
        "    class exercise_casarex_2025 root\n"
        "    classDef root stroke-width:3px\n")


def _node_lines(text: str) -> set[str]:
    return {line for line in text.splitlines() if re.match(r"    \w+ \[label=", line)}


def test_depth_2_holds_depth_1(built):
    one = kg(built, "viz", "casarex-2025", "--format", "dot").stdout
    two = kg(built, "viz", "casarex-2025", "--depth", "2", "--format", "dot").stdout
    assert _node_lines(one) < _node_lines(two)
    # Iran's other exercise is two links away (through Iran)
    assert not any("exercise_iran_russia_caspian_drill [" in line for line in _node_lines(one))
    assert any("exercise_iran_russia_caspian_drill [" in line for line in _node_lines(two))


def test_styles_observers_participants_inferred(built):
    mermaid = kg(built, "viz", "casarex-2025", "--format", "mermaid").stdout.splitlines()
    assert "    exercise_casarex_2025 --o|observer| state_KAZ" in mermaid
    assert "    exercise_casarex_2025 ==>|participant| force_irgc" in mermaid
    assert "    exercise_casarex_2025 -.->|participant state| state_RUS" in mermaid
    assert "    exercise_casarex_2025 -->|host| force_iran_northern_fleet" in mermaid
    assert "    linkStyle 2,3,4 stroke:#888888" in mermaid
    # the inverse of a link that is drawn is not drawn again
    assert not any("participates in" in line for line in mermaid)
    dot = kg(built, "viz", "casarex-2025", "--format", "dot").stdout.splitlines()
    assert ('    exercise_casarex_2025 -> state_KAZ [label="observer", color="#888888", '
            'fontcolor="#888888", arrowhead=odot];') in dot
    assert '    exercise_casarex_2025 -> force_irgc [label="participant", penwidth=2.5];' in dot
    assert '    force_irgc -> state_IRN [label="belongs to", style=dashed];' in dot


def test_no_inferred_leaves_out_the_dashed_links(built):
    result = kg(built, "viz", "casarex-2025", "--no-inferred", "--format", "mermaid")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == ("%% kg viz casarex-2025 --depth 1 --no-inferred --format mermaid: CASAREX 2025, "
                        "27 entities, 36 links")
    assert not any("-.->" in line for line in lines)
    assert not any("belongs to" in line for line in lines)


def test_mermaid_text_is_escaped():
    hood = Neighbourhood("https://w3id.org/milcoop/id/state/XYZ", 1, [
        Node("https://w3id.org/milcoop/id/state/XYZ", 'A "quoted" <b>&</b> state', "state"),
        Node("https://w3id.org/milcoop/id/force/1st", "1st force", "force"),
    ], [Edge("https://w3id.org/milcoop/id/force/1st", "https://w3id.org/milcoop/id/state/XYZ",
             "https://w3id.org/milcoop/ontology/belongsTo", "belongs (to)")])
    lines = to_mermaid(hood).splitlines()
    assert lines[2] == '    state_XYZ{{"A #quot;quoted#quot; #lt;b#gt;#amp;#lt;/b#gt; state"}}'
    assert lines[3] == '    force_1st["1st force"]'
    assert lines[4] == "    force_1st -->|belongs  to| state_XYZ"


def test_html_cannot_be_broken_by_a_label():
    hood = Neighbourhood("https://w3id.org/milcoop/id/state/XYZ", 0, [
        Node("https://w3id.org/milcoop/id/state/XYZ", "</script><script>alert(1)</script>", "state")])
    page = to_html(hood)
    assert "<script>alert(1)" not in page
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in page


# --- errors --------------------------------------------------------------------------------


@pytest.mark.parametrize("name, message", [
    ("casarex-2052", "Error: no entity has the id, label or alias 'casarex-2052'; did you mean 'casarex-2025'?"),
    ("Caspain Sea", "Error: no entity has the id, label or alias 'Caspain Sea'; did you mean 'Caspian Sea'?"),
    ("zzzz", "Error: no entity has the id, label or alias 'zzzz'; give an entity's id (IRN, casarex-2025), "
             "label or alias"),
    ("https://w3id.org/milcoop/id/state/IRM",
     "Error: no entity <https://w3id.org/milcoop/id/state/IRM> in the graph; did you mean 'IRL', 'IRN' or 'IRQ'?"),
])
def test_unknown_entity(built, name, message):
    out = built / "out.html"
    result = kg(built, "viz", name, "-o", str(out))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == message + "\n"
    assert not out.exists()


def test_bad_depth(built):
    result = kg(built, "viz", "IRN", "--depth", "7")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == "Error: Invalid value for '--depth': 7 is not in the range 0<=x<=6."


# --- HTML ----------------------------------------------------------------------------------


def test_html_default_path_atomic_and_offline(built):
    result = kg(built, "viz", "casarex-2025")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr == "Wrote .kg/viz/exercise-casarex-2025.html: CASAREX 2025, 28 entities, 44 links\n"
    page = built / ".kg" / "viz" / "exercise-casarex-2025.html"
    text = page.read_text(encoding="utf-8")
    assert sorted(p.name for p in page.parent.iterdir()) == [page.name]  # no temporary file left
    # offline: every script and stylesheet is inline
    assert not re.search(r"<script[^>]*\bsrc=", text)
    assert not re.search(r"<link[^>]*\bhref=", text)
    assert "<title>CASAREX 2025: neighbourhood (kg viz)</title>" in text
    assert "new vis.Network(" in text
    # written again: the same bytes, put in place by a rename (a new inode)
    inode = page.stat().st_ino
    assert kg(built, "viz", "casarex-2025").exit_code == 0
    assert page.read_text(encoding="utf-8") == text
    assert page.stat().st_ino != inode


def test_html_output_file_and_a_failure_leaves_it(built, tmp_path):
    out = tmp_path / "pages" / "iran.html"
    assert kg(built, "viz", "Iran", "-o", str(out)).exit_code == 0
    before = out.read_bytes()
    assert before.startswith(b"<!DOCTYPE html>")
    result = kg(built, "viz", "Irann", "-o", str(out))
    assert result.exit_code == 2
    assert out.read_bytes() == before
    assert sorted(p.name for p in out.parent.iterdir()) == ["iran.html"]


# --- in a browser ---------------------------------------------------------------------------


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    pytest.skip("no Chromium here (Debian package 'chromium'): the page of kg viz is not checked in a browser")


def _browse(page: Path, profile: Path, *action: str) -> subprocess.CompletedProcess:
    """Headless Chromium on a local page, scripts run (virtual time), the network shut off."""
    command = [
        _chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-extensions", "--hide-scrollbars", f"--user-data-dir={profile}",
        "--host-resolver-rules=MAP * ~NOTFOUND", "--enable-logging=stderr", "--v=0",
        "--virtual-time-budget=15000", "--window-size=1400,900", *action, page.as_uri(),
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)


class _Dom(HTMLParser):
    """The attributes of <html>, of #kg-network, and the text of #kg-status."""

    def __init__(self):
        super().__init__()
        self.root: dict = {}
        self.network: dict = {}
        self.status = ""
        self._in_status = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.root = attrs
        if attrs.get("id") == "kg-network":
            self.network = attrs
        self._in_status = attrs.get("id") == "kg-status"

    def handle_endtag(self, tag):
        self._in_status = False

    def handle_data(self, data):
        if self._in_status:
            self.status += data


def _dom(text: str) -> _Dom:
    parser = _Dom()
    parser.feed(text)
    return parser


def _console(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


def _png_pixels(path: Path) -> tuple[int, int, list[bytes]]:
    """Width, height and rows of RGB(A) pixels of an 8-bit, non-interlaced PNG."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks, header = 8, [], None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            chunks.append(body)
        pos += 12 + length
    width, height, depth, colour, _c, _f, interlace = header
    assert depth == 8 and colour in (2, 6) and interlace == 0, header
    bpp = 3 if colour == 2 else 4
    raw = zlib.decompress(b"".join(chunks))
    stride = width * bpp
    rows, previous = [], bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = previous[x]
            c = previous[x - bpp] if x >= bpp else 0
            if kind == 1:
                line[x] = (line[x] + a) & 255
            elif kind == 2:
                line[x] = (line[x] + b) & 255
            elif kind == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        previous = line
    if bpp == 4:  # drop the alpha channel
        rows = [b"".join(r[i:i + 3] for i in range(0, stride, 4)) for r in rows]
    return width, height, rows


def _count_colour(rows: list[bytes], colour: str, x_max: int, y_min: int, y_max: int) -> int:
    rgb = bytes.fromhex(colour.lstrip("#"))
    return sum(row[:x_max * 3][i:i + 3] == rgb for row in rows[y_min:y_max] for i in range(0, x_max * 3, 3))


def test_html_in_headless_chromium(built, data, tmp_path, tmp_path_factory, capsys):
    result = kg(built, "viz", "casarex-2025")
    assert result.exit_code == 0, result.output
    page = built / ".kg" / "viz" / "exercise-casarex-2025.html"
    hood = neighbourhood(data, resolve(data, "casarex-2025"), 1)

    run = _browse(page, tmp_path / "profile", "--dump-dom")
    assert run.returncode == 0, run.stderr[-2000:]
    dom = _dom(run.stdout)
    assert "data-kg-errors" not in dom.root, dom.root
    assert _console(run.stderr) == []
    assert dom.status == "Drawn: 28 entities, 44 links."
    drawn = json.loads(html.unescape(dom.network["data-drawn"]))
    assert sorted(drawn) == sorted(n.label for n in hood.nodes)
    assert {"CASAREX 2025", "Iran", "Russia", "Azerbaijan", "Russian Navy", "Caspian Sea"} <= set(drawn)

    folder = Path(os.environ.get("KG_SCREENSHOT_DIR") or tmp_path_factory.getbasetemp() / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    shot = folder / "kg-viz-casarex-2025.png"
    if shot.exists():
        shot.unlink()
    run = _browse(page, tmp_path / "profile2", f"--screenshot={shot}")
    assert run.returncode == 0, run.stderr[-2000:]
    assert _console(run.stderr) == []
    width, height, rows = _png_pixels(shot)
    assert (width, height) == (1400, 900)
    # the network itself (left of the legend, below the heading) has nodes of each colour drawn
    for colour in ("#8FD6B8", "#F4C26B", "#9FD3F0"):  # exercise, state, force
        assert _count_colour(rows, colour, x_max=1100, y_min=70, y_max=840) > 100, colour
    with capsys.disabled():
        print(f"\nkg viz casarex-2025 in headless Chromium: screenshot at {shot}")


def test_chromium_check_sees_a_script_error(built, tmp_path):
    """The check above can fail: a page whose script breaks is caught."""
    assert kg(built, "viz", "casarex-2025").exit_code == 0
    text = (built / ".kg" / "viz" / "exercise-casarex-2025.html").read_text(encoding="utf-8")
    broken = tmp_path / "broken.html"
    broken.write_text(text.replace("new vis.Network(", "new vis.Netwerk("), encoding="utf-8")
    run = _browse(broken, tmp_path / "profile", "--dump-dom")
    dom = _dom(run.stdout)
    assert "vis.Netwerk is not a constructor" in dom.root.get("data-kg-errors", "")
    assert dom.status.startswith("The picture could not be drawn: ")
    assert "data-drawn" not in dom.network
    assert any("vis.Netwerk is not a constructor" in line for line in _console(run.stderr))


def test_readme_picture_is_what_kg_viz_writes():
    """The Mermaid picture of CASAREX 2025 in the README (or its section, before it is merged)
    is the golden output above."""
    golden = (GOLDEN / "casarex-2025.mmd").read_text(encoding="utf-8")
    for path in (ROOT / "README.md", ROOT / "docs" / "readme" / "viz.md"):
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        found = re.search(r"```mermaid\n(%% kg viz casarex-2025 .*?)```\n", text, re.S)
        if found:
            assert found.group(1) == golden, f"the picture in {path.relative_to(ROOT)} is out of date"
            return
    pytest.skip("no Mermaid picture of CASAREX 2025 in README.md or docs/readme/viz.md")
