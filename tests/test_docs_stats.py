"""``kg docs`` (HTML documentation of the ontology, vocabularies, queries and shapes) and
``kg stats`` (counts per class and article, most mentioned entities, certainty, warnings)."""
from __future__ import annotations

import html
import json
import os
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph
from rdflib.namespace import RDF, RDFS, SH, SKOS

from kg.cli import cli
from kg.queries import parse_query_file, query_names

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden" / "viz"
UPDATE = os.environ.get("KG_UPDATE_GOLDEN") == "1"
PAGES = ["index.html", "ontology.html", "queries-and-shapes.html", "vocabularies.html"]


def kg(project: Path, *args: str):
    return CliRunner().invoke(cli, ["-C", str(project), *args], catch_exceptions=False)


@pytest.fixture(scope="module")
def documented(tmp_path_factory) -> Path:
    """A copy of the project with ``kg docs`` run once."""
    dest = tmp_path_factory.mktemp("docs") / "proj"
    dest.mkdir()
    for name in ("ontology", "data", "queries"):
        shutil.copytree(ROOT / name, dest / name)
    result = kg(dest, "docs")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr == f"Wrote 4 pages to .kg/docs: {', '.join(PAGES)}\n"
    return dest


def _page(project: Path, name: str) -> str:
    return (project / ".kg" / "docs" / name).read_text(encoding="utf-8")


def _golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        if not UPDATE:
            pytest.fail(f"wrote missing golden file {path.name}; check it and commit it")
    assert text == path.read_text(encoding="utf-8")


# --- kg docs -------------------------------------------------------------------------------


def test_docs_pages_are_written_and_self_contained(documented):
    folder = documented / ".kg" / "docs"
    assert sorted(p.name for p in folder.iterdir()) == PAGES
    for name in PAGES:
        text = _page(documented, name)
        assert text.startswith("<!DOCTYPE html>"), name
        assert not re.search(r"<script[^>]*\bsrc=", text), name
        assert not re.search(r"<link[^>]*rel=\"?stylesheet", text), name
        assert not re.search(r"<img[^>]*src=\"?https?:", text), name
    index = _page(documented, "index.html")
    for name in PAGES[1:]:
        assert f'href="{name}"' in index


def test_docs_same_bytes_every_run(documented, tmp_path):
    result = kg(documented, "docs", "-o", str(tmp_path / "again"))
    assert result.exit_code == 0, result.output
    assert result.stderr == f"Wrote 4 pages to {tmp_path / 'again'}: {', '.join(PAGES)}\n"
    for name in PAGES:
        assert (tmp_path / "again" / name).read_bytes() == (documented / ".kg" / "docs" / name).read_bytes()


def test_docs_same_bytes_in_another_process(documented, tmp_path):
    """Nothing depends on the order of a set (string hashing differs between processes)."""
    import subprocess
    import sys

    for seed in ("1", "2"):
        subprocess.run([sys.executable, "-m", "kg", "-C", str(documented), "docs", "-o", str(tmp_path / seed)],
                       env={**os.environ, "PYTHONHASHSEED": seed}, check=True, capture_output=True)
        stats = subprocess.run([sys.executable, "-m", "kg", "-C", str(documented), "stats", "--format", "json"],
                               env={**os.environ, "PYTHONHASHSEED": seed}, check=True, capture_output=True)
        (tmp_path / seed / "stats.json").write_bytes(stats.stdout)
    for name in [*PAGES, "stats.json"]:
        assert (tmp_path / "1" / name).read_bytes() == (tmp_path / "2" / name).read_bytes(), name


def test_docs_ontology_classes_and_properties(documented):
    ontology = Graph().parse(ROOT / "ontology" / "milcoop.ttl")
    page = html.unescape(_page(documented, "ontology.html"))
    terms = [s for s in ontology.subjects(RDFS.label, None) if str(s).startswith("https://w3id.org/milcoop/ontology/")]
    assert len(terms) > 50
    for term in terms:
        assert str(ontology.value(term, RDFS.label)) in page, term
        comment = ontology.value(term, RDFS.comment)
        if comment is not None:
            assert " ".join(str(comment).split()) in " ".join(page.split()), term
    # a domain and a range, as pyLODE shows them
    assert re.search(r"participant.{0,4000}Domain.{0,2000}Military exercise.{0,2000}Range", page, re.S)


def test_docs_vocabularies(documented):
    vocab = Graph().parse(ROOT / "ontology" / "vocab.ttl")
    page = html.unescape(_page(documented, "vocabularies.html"))
    schemes = list(vocab.subjects(RDF.type, SKOS.ConceptScheme))
    assert len(schemes) >= 9
    for scheme in schemes:
        assert f"<h2 id=\"{str(scheme).rsplit('/', 1)[-1]}\">{vocab.value(scheme, SKOS.prefLabel)}</h2>" in page
    for concept in vocab.subjects(RDF.type, SKOS.Concept):
        ident = str(concept).rsplit("/", 1)[-1]
        assert f"<td><code>{ident}</code></td><td>{vocab.value(concept, SKOS.prefLabel)}</td>" in page


def test_docs_queries_with_summaries_and_parameters(documented):
    page = _page(documented, "queries-and-shapes.html")
    names = query_names(ROOT / "queries")
    assert len(names) > 10
    for name in names:
        q = parse_query_file(ROOT / "queries" / f"{name}.rq", name)
        assert f"<code>{name}</code></a></td><td>{html.escape(q.summary)}</td>" in page, name
        for p in q.params:
            assert f"<code>{p.name}</code>: {html.escape(p.describe())}" in page, (name, p.name)
    assert ("<code>state</code>: " in page) and ("<code>exercise-partners</code>" in page)


def test_docs_shapes_with_their_messages(documented):
    shapes = Graph().parse(ROOT / "ontology" / "shapes.ttl")
    page = html.unescape(_page(documented, "queries-and-shapes.html"))
    messages = {str(m) for m in shapes.objects(None, SH.message)}
    assert len(messages) > 10
    for message in messages:
        assert message in page
    for shape in shapes.subjects(RDF.type, SH.NodeShape):
        assert f"<code>mcs:{str(shape).rsplit('/', 1)[-1]}</code>" in page, shape


def test_docs_bad_ontology_is_one_line_and_writes_nothing(documented, tmp_path):
    dest = tmp_path / "proj"
    for name in ("ontology", "data", "queries"):
        shutil.copytree(documented / name, dest / name)
    with (dest / "ontology" / "vocab.ttl").open("a", encoding="utf-8") as fh:
        fh.write("\nthis is not turtle .\n")
    result = kg(dest, "docs")
    assert result.exit_code == 2
    assert result.stdout == ""
    line = len((dest / "ontology" / "vocab.ttl").read_text(encoding="utf-8").splitlines())
    assert result.stderr.startswith(f"Error: ontology/vocab.ttl:{line}: invalid Turtle: ")
    assert len(result.stderr.splitlines()) == 1
    assert not (dest / "build").exists()


# --- kg stats ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> Path:
    from conftest import copy_seed_project

    return copy_seed_project(tmp_path_factory.mktemp("stats") / "proj")


@pytest.mark.parametrize("fmt, golden", [("json", "stats.json"), ("text", "stats.txt")])
def test_stats_golden(seeded, fmt, golden):
    result = kg(seeded, "stats", "--format", fmt)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    _golden(golden, result.stdout)


def test_stats_json_adds_up(seeded):
    stats = json.loads(kg(seeded, "stats", "--format", "json").stdout)
    assert sorted(stats) == ["articles", "certainty", "claims", "classes", "fact_types", "facts",
                             "most_mentioned", "triples", "validation"]
    # every fact has the article's own claim; the claims model adds more (a speaker's, a retraction)
    assert sum(a["facts"] for a in stats["articles"]) <= stats["claims"]
    assert sum(t["facts"] for t in stats["fact_types"]) == stats["facts"]
    assert all(sum(a["fact_types"].values()) == a["facts"] for a in stats["articles"])
    assert {"type": "exercise", "facts": 2, "articles": 2} in stats["fact_types"]
    classes = {c["class"]: c["count"] for c in stats["classes"]}
    assert classes["mc:Fact"] == stats["facts"]
    assert classes["mc:Claim"] == stats["claims"]
    assert classes["mc:Article"] == len(stats["articles"])
    assert list(stats["certainty"]) == ["stated", "reported", "attributed", "likely", "possible", "unclear", "denied"]
    assert stats["validation"]["conforms"] is True
    assert [r["severity"] for r in stats["validation"]["results"]] == ["Warning"] * stats["validation"]["warnings"]
    counts = [m["articles"] for m in stats["most_mentioned"]]
    assert counts == sorted(counts, reverse=True) and len(counts) == 10
    assert all(m["articles"] == len(m["article_ids"]) for m in stats["most_mentioned"])


def test_stats_top(seeded):
    stats = json.loads(kg(seeded, "stats", "--format", "json", "--top", "3").stdout)
    assert [m["entity"] for m in stats["most_mentioned"]] == ["id:place/caspian-sea", "id:state/IRN",
                                                              "id:force/iran-navy"]
    result = kg(seeded, "stats", "--top", "0")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == "Error: Invalid value for '--top': 0 is not in the range x>=1."


def test_stats_of_data_that_does_not_conform_exit_1(seeded, tmp_path):
    dest = tmp_path / "proj"
    shutil.copytree(seeded, dest)
    path = dest / "data/articles/somali-magazine-casarex-2025.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("    end: 2025-07-23", "    end: 2025-07-20"), encoding="utf-8")
    result = kg(dest, "stats", "--format", "json")
    assert result.exit_code == 1
    validation = json.loads(result.stdout)["validation"]
    assert validation["conforms"] is False
    assert validation["violations"] >= 1
    violations = [r for r in validation["results"] if r["severity"] == "Violation"]
    assert len(violations) == validation["violations"]
    assert all(r["file"] == "data/articles/somali-magazine-casarex-2025.yaml" for r in violations)
    text_result = kg(dest, "stats")
    assert text_result.exit_code == 1
    assert any(line.startswith("Violation: id:exercise/casarex-2025: The event ends (2025-07-20) before it starts")
               for line in text_result.stdout.splitlines())


def test_stats_bad_fact_file_is_one_line(seeded, tmp_path):
    dest = tmp_path / "proj"
    shutil.copytree(seeded, dest)
    path = dest / "data/articles/somali-magazine-casarex-2025.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("host: iran-northern-fleet", "host: iran-northern-flet"), encoding="utf-8")
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "host: iran-northern-fleet" in t)
    result = kg(dest, "stats")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (f"Error: data/articles/somali-magazine-casarex-2025.yaml:{line}: unknown force or "
                             "state or person or organisation 'iran-northern-flet'; did you mean 'iran-northern-fleet' or "
                             "'russia-northern-fleet'?\n")
