"""The dev-set fidelity checks: each gold fact of each curated dev-set article, proven in the
graph by an ASK query, and each trap proven absent (``tests/fidelity/*.yaml``).

``tests/test_fidelity.py`` runs them; ``python tests/fidelity_lib.py`` writes
``docs/fidelity.md`` from the same files and the same queries (``--check`` says whether the
page is up to date), so the page says what the tests prove and nothing else.

A fidelity file names its dev-set article (``devset``: the file stem under
``../shared/devset/articles/``) and our article id, then for each gold fact ``F1``... its
``status`` (``expressed``, ``approximate`` or ``not-expressible``), ``how`` (in our words), what is
``lost`` (approximate and not expressible) and an ``ask`` (all but not expressible), which must
be true; then ``must_not``: traps, each with an ``ask`` that must be false. Each query sees only
the article's own named graph, the reference entities and the ontology: no inference, no
other article.
"""
from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
FIDELITY_DIR = ROOT / "tests" / "fidelity"
DEVSET = ROOT.parent / "shared" / "devset" / "articles"
DOC = ROOT / "docs" / "fidelity.md"
STATUSES = ("expressed", "approximate", "not-expressible")

BASE = "https://w3id.org/milcoop/"
SCHEMES = ("weapon-category", "activity", "transfer-status", "certainty", "provision", "topic",
           "cooperation-area", "stance", "role", "claim-mode", "modality", "bound", "vague-amount",
           "unit", "date-basis", "fact-role", "fact-link", "recurrence", "domain", "event-kind")
PREFIXES = {
    "mc": BASE + "ontology/",
    "mcv": BASE + "vocab/",
    "id": BASE + "id/",
    "graph": BASE + "graph/",
    "schema": "https://schema.org/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "prov": "http://www.w3.org/ns/prov#",
    "owl": "http://www.w3.org/2002/07/owl#",
    **{s: f"{BASE}vocab/{s}/" for s in SCHEMES},
}


@dataclass
class Gold:
    id: str
    status: str
    how: str
    lost: str
    ask: str | None


@dataclass
class Trap:
    trap: str
    ask: str


@dataclass
class FidelityFile:
    path: Path
    devset: str
    article: str
    facts: list[Gold] = field(default_factory=list)
    traps: list[Trap] = field(default_factory=list)


def read(path: Path) -> FidelityFile:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    out = FidelityFile(path, doc["devset"], doc["article"])
    for fid, entry in (doc.get("facts") or {}).items():
        out.facts.append(Gold(fid, entry["status"], entry.get("how", ""), entry.get("lost", "") or "",
                              entry.get("ask")))
    for entry in doc.get("must_not") or []:
        out.traps.append(Trap(entry["trap"], entry["ask"]))
    out.facts.sort(key=lambda g: int(g.id[1:]))
    return out


def files() -> list[FidelityFile]:
    return [read(p) for p in sorted(FIDELITY_DIR.glob("*.yaml"))]


def gold_ids(devset: str) -> tuple[list[str], int] | None:
    """The gold fact ids and the number of "Must not" bullets of a dev-set article, or None
    where the dev set is not beside the project."""
    path = DEVSET / f"{devset}.facts.md"
    if not path.is_file():
        return None
    text = path.read_text(encoding="utf-8")
    ids = re.findall(r"^\| (F[0-9]+) \|", text, flags=re.M)
    must_not = text.split("Must not:", 1)[1] if "Must not:" in text else ""
    bullets = len(re.findall(r"^- ", must_not, flags=re.M))
    return ids, bullets


class Graphs:
    """The built graph in an embedded store; ``ask`` runs a query on one article's view."""

    def __init__(self, trig: Path):
        import pyoxigraph as ox

        self.ox = ox
        self.store = ox.Store()
        self.store.bulk_load(path=str(trig), format=ox.RdfFormat.TRIG)

    def ask(self, article: str, query: str) -> bool:
        ox = self.ox
        graphs = [ox.NamedNode(f"{BASE}graph/article/{article}"), ox.NamedNode(f"{BASE}graph/reference"),
                  ox.NamedNode(f"{BASE}graph/ontology")]
        return bool(self.store.query(query, prefixes=PREFIXES, default_graph=graphs))

    def has_article(self, article: str) -> bool:
        ox = self.ox
        return any(True for _ in self.store.quads_for_pattern(None, None, None, ox.NamedNode(f"{BASE}graph/article/{article}")))


def summary(checked: list[tuple[FidelityFile, dict[str, bool]]]) -> dict[str, int]:
    counts = {s: 0 for s in STATUSES}
    for f, _ in checked:
        for g in f.facts:
            counts[g.status] += 1
    return counts


def render(checked: list[tuple[FidelityFile, dict[str, bool]]]) -> str:
    """docs/fidelity.md: per article, each gold fact as expressed, approximate or not
    expressible, with what is lost; ``checked`` pairs each file with its ASK results."""
    counts = summary(checked)
    total = sum(counts.values())
    proven = sum(1 for f, res in checked for g in f.facts if g.status == "expressed" and res.get(g.id))
    traps = sum(len(f.traps) for f, _ in checked)
    traps_ok = sum(1 for f, res in checked for i, _ in enumerate(f.traps) if res.get(f"trap{i}") is False)
    lines = [
        "# Fidelity on the dev set",
        "",
        "Generated by `python tests/fidelity_lib.py` from `tests/fidelity/*.yaml`, the files that",
        "`tests/test_fidelity.py` runs: do not edit by hand. Each gold fact of the 16 dev-set articles",
        "(`../shared/devset/`) is proven in the graph by an ASK query on its article's named graph",
        "alone (with the reference entities and the ontology, no inference); each trap (\"Must not\")",
        "by an ASK query that must be false.",
        "",
        f"- gold facts: {total}; expressed faithfully: {counts['expressed']} "
        f"({100 * counts['expressed'] / total if total else 0:.1f} %), proven: {proven}",
        f"- approximate: {counts['approximate']}; not expressible: {counts['not-expressible']}",
        f"- traps: {traps}, each proven absent: {traps_ok}",
        "",
        "| article | facts | expressed | approximate | not expressible | traps |",
        "|---|---|---|---|---|---|",
    ]
    for f, _ in checked:
        c = {s: sum(1 for g in f.facts if g.status == s) for s in STATUSES}
        lines.append(f"| [{f.devset}](#{f.devset.replace('_', '')}) | {len(f.facts)} | {c['expressed']} | "
                     f"{c['approximate']} | {c['not-expressible']} | {len(f.traps)} |")
    for f, res in checked:
        lines += ["", f"## {f.devset}", "", f"Fact file `data/articles/{f.article}.yaml`.", "",
                  "| gold | status | how | lost |", "|---|---|---|---|"]
        for g in f.facts:
            status = g.status if g.ask is None or res.get(g.id) else f"{g.status} (NOT PROVEN)"
            lines.append(f"| {g.id} | {status} | {_cell(g.how)} | {_cell(g.lost)} |")
        lines += ["", "Traps proven absent:", ""]
        for i, t in enumerate(f.traps):
            mark = "" if res.get(f"trap{i}") is False else " (NOT PROVEN)"
            lines.append(f"- {_cell(t.trap)}{mark}")
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def check_all(graphs: Graphs) -> list[tuple[FidelityFile, dict[str, bool]]]:
    out = []
    for f in files():
        res: dict[str, bool] = {}
        for g in f.facts:
            if g.ask:
                res[g.id] = graphs.ask(f.article, g.ask)
        for i, t in enumerate(f.traps):
            res[f"trap{i}"] = graphs.ask(f.article, t.ask)
        out.append((f, res))
    return out


def built_trig(workdir: Path) -> Path:
    """Copy the repository's ontology, data and queries to ``workdir`` and build them there
    with the command line; the TriG output."""
    import shutil

    from click.testing import CliRunner

    from kg.cli import cli

    for name in ("ontology", "data", "queries"):
        shutil.copytree(ROOT / name, workdir / name)
    result = CliRunner().invoke(cli, ["-C", str(workdir), "build", "-q"], catch_exceptions=False)
    if result.exit_code != 0:
        raise RuntimeError(f"kg build failed ({result.exit_code}): {result.output[-2000:]}")
    return workdir / "build" / "kg.trig"


def main(argv: list[str]) -> int:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        text = render(check_all(Graphs(built_trig(Path(tmp)))))
    if "--check" in argv:
        if not DOC.is_file() or DOC.read_text(encoding="utf-8") != text:
            print(f"{DOC.relative_to(ROOT)} is out of date: run python tests/fidelity_lib.py", file=sys.stderr)
            return 1
        return 0
    DOC.write_text(text, encoding="utf-8")
    print(f"wrote {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main(sys.argv[1:]))
