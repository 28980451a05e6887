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
