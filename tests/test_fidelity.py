"""Every gold fact of the curated dev-set articles is in the graph with its hedge, speaker and
time, and no trap is (``tests/fidelity/*.yaml``; ``tests/fidelity_lib.py`` says how).

The queries run on the repository's own ``data/``; the dev set itself (``../shared/devset``) is
needed only to check that each fidelity file covers every gold fact and every trap of its
article, and those tests skip, saying why, where it is absent.
"""
from __future__ import annotations

import pytest

import fidelity_lib as F

FILES = F.files()
FACTS = [(f, g) for f in FILES for g in f.facts]
TRAPS = [(f, i, t) for f in FILES for i, t in enumerate(f.traps)]


@pytest.fixture(scope="module")
def graphs(tmp_path_factory) -> F.Graphs:
    return F.Graphs(F.built_trig(tmp_path_factory.mktemp("fidelity")))


def test_there_are_fidelity_files():
    assert FILES, "no tests/fidelity/*.yaml"


@pytest.mark.parametrize("f", FILES, ids=[f.devset for f in FILES])
def test_each_file_is_well_formed(f: F.FidelityFile, graphs: F.Graphs):
    assert graphs.has_article(f.article), f"no article {f.article!r} in the build"
    for g in f.facts:
        assert g.status in F.STATUSES, (g.id, g.status)
        assert g.how.strip(), f"{g.id}: 'how' is empty"
        if g.status == "not-expressible":
            assert g.ask is None, f"{g.id}: a fact not expressible has no ask"
        else:
            assert g.ask and "ASK" in g.ask.upper(), f"{g.id}: needs an ASK query"
        if g.status != "expressed":
            assert g.lost.strip(), f"{g.id}: say what is lost"


@pytest.mark.parametrize("f,g", [(f, g) for f, g in FACTS if g.ask],
                         ids=[f"{f.devset}-{g.id}" for f, g in FACTS if g.ask])
def test_gold_fact_is_in_the_graph(f: F.FidelityFile, g: F.Gold, graphs: F.Graphs):
    assert graphs.ask(f.article, g.ask) is True, f"{f.devset} {g.id} ({g.status}): {g.how}"


@pytest.mark.parametrize("f,i,t", TRAPS, ids=[f"{f.devset}-trap{i + 1}" for f, i, t in TRAPS])
def test_trap_is_not_in_the_graph(f: F.FidelityFile, i: int, t: F.Trap, graphs: F.Graphs):
    assert graphs.ask(f.article, t.ask) is False, f"{f.devset}: {t.trap}"


@pytest.mark.parametrize("f", FILES, ids=[f.devset for f in FILES])
def test_every_gold_fact_and_trap_is_covered(f: F.FidelityFile):
    found = F.gold_ids(f.devset)
    if found is None:
        pytest.skip(f"the dev set is not beside the project ({F.DEVSET} is absent)")
    ids, bullets = found
    assert [g.id for g in f.facts] == ids
    assert len(f.traps) >= bullets


def test_the_fidelity_page_is_generated_from_these_files(graphs: F.Graphs):
    assert F.DOC.read_text(encoding="utf-8") == F.render(F.check_all(graphs)), \
        "docs/fidelity.md is out of date: run python tests/fidelity_lib.py"


# --- no sentence of an article is copied -------------------------------------------------------

#: how many words in a row of an article's text a fact file may repeat (names, titles of posts
#: and short quoted phrases are shorter; a sentence or a clause is longer)
MAX_COPIED_WORDS = 7
SOURCES = (F.ROOT.parent / "shared" / "seeds", F.DEVSET)
ARTICLE_FILES = sorted((F.ROOT / "data" / "articles").glob("*.yaml"))


def _words(text: str) -> list[str]:
    import re

    return re.findall(r"[\w'’-]+", text.casefold())


def copied_runs(fact_file: str, source: str, n: int = MAX_COPIED_WORDS + 1) -> list[str]:
    """Runs of ``n`` words of ``source`` that ``fact_file`` repeats, except those of the
    article's title and URL (its bibliographic record, which a fact file cites) and of the names
    it gives things (a slogan, a codename)."""
    import yaml

    doc = yaml.safe_load(fact_file) or {}
    header = doc.get("article") or {}
    names = [str(header.get(k, "")) for k in ("title", "url")]
    # a name the article gives a thing (an exercise's slogan or name) is a value, not a sentence
    names += [str(f.get(k, "")) for f in doc.get("facts") or [] for k in ("slogan", "name", "codename")]
    cited = " | ".join(" ".join(_words(n)) for n in names)
    text = _words(source)
    grams = {tuple(text[i:i + n]) for i in range(len(text) - n + 1)}
    words = _words(fact_file)
    runs = [" ".join(words[i:i + n]) for i in range(len(words) - n + 1) if tuple(words[i:i + n]) in grams]
    return [r for r in runs if r not in cited]


@pytest.mark.parametrize("path", ARTICLE_FILES, ids=[p.stem for p in ARTICLE_FILES])
def test_no_sentence_of_the_article_is_copied(path):
    import yaml

    source = yaml.safe_load(path.read_text(encoding="utf-8"))["article"]["source"]
    found = [d / source for d in SOURCES if (d / source).is_file()]
    if not found:
        pytest.skip(f"the article's text {source} is not beside the project (../shared)")
    runs = copied_runs(path.read_text(encoding="utf-8"), found[0].read_text(encoding="utf-8"))
    assert not runs, f"{path.name} repeats the article's words: {runs[:5]}"


def test_copied_runs_finds_a_copied_clause_and_not_a_name():
    source = "The Russian defence ministry says the navies will train together in the Sea of Japan."
    assert copied_runs("says: the navies will train together in the Sea of Japan", source)
    assert not copied_runs("article:\n  title: The Russian defence ministry says the navies will train "
                           "together in the Sea of Japan\nfacts:\n  - label: Russian defence ministry\n", source)
