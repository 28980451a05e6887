"""A parameter value names an entity by its id, a label or an alias (``kg.queries.resolve_iri``):
ids and labels as written are looked up in the store's indexes; only what they do not settle
reads every label (seconds at 10,000 articles, docs/scale.md)."""
from __future__ import annotations

from pathlib import Path

import pytest

from kg.engines.oxigraph_engine import OxigraphEngine
from kg.errors import InputError
from kg.pipeline import NAMED
from kg.queries import _RESOLVE, Param, resolve_iri
from kg.stores.local import load_store

ID = "https://w3id.org/milcoop/id/"


class Recording:
    """The store's engine, with the queries it was asked kept."""

    def __init__(self, engine):
        self.engine, self.asked = engine, []

    def select(self, query, bindings):
        self.asked.append(query)
        return self.engine.select(query, bindings)


@pytest.fixture(scope="module")
def engine(seed, tmp_path_factory) -> OxigraphEngine:
    path = tmp_path_factory.mktemp("resolve") / "store"
    load_store(path, seed / "build" / NAMED)
    return OxigraphEngine.open(path, timeout=30)


def resolved(engine, text: str) -> tuple[str, bool]:
    """The IRI ``text`` stands for, and whether every label had to be read."""
    rec = Recording(engine)
    iri = resolve_iri(Param("_entity", "entity", "iri", True), text, rec).value
    return iri.removeprefix(ID), _RESOLVE in rec.asked


@pytest.mark.parametrize("text, iri, scanned", [
    ("IRN", "state/IRN", False),                         # an id
    ("casarex-2025", "exercise/casarex-2025", False),    # a fact's id
    (" IRN ", "state/IRN", False),                       # spaces around
    ("Iran", "state/IRN", False),                        # a label as written
    ("Islamic Republic of Iran", "state/IRN", False),    # an alias as written
    ("United States Navy", "force/united-states-navy", False),
    ("iran", "state/IRN", True),                         # another case: every label is read
    ("ISLAMIC REPUBLIC OF IRAN", "state/IRN", True),
])
def test_an_entity_by_its_id_label_or_alias(engine, text, iri, scanned):
    assert resolved(engine, text) == (iri, scanned)


def test_what_names_nothing_is_an_error_after_every_label_is_read(engine):
    rec = Recording(engine)
    with pytest.raises(InputError, match="no entity has the id, label or alias 'Atlantis'"):
        resolve_iri(Param("_entity", "entity", "iri", True), "Atlantis", rec)
    assert _RESOLVE in rec.asked


def test_quotes_and_backslashes_are_a_label_never_query_text(engine):
    for text in ('a"b', "a\\", "x' } UNION { ?s ?p ?o } #", 'Iran" } UNION { ?s ?p ?o } #'):
        with pytest.raises(InputError, match="no entity has the id, label or alias"):
            resolve_iri(Param("_entity", "entity", "iri", True), text, engine)


def test_the_same_answers_as_reading_every_label(engine):
    """Each id and label of the seed project resolves to what reading every label gives."""
    from kg.sparql.terms import XSD_STRING, Term

    rows = engine.select("SELECT DISTINCT ?s ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l "
                         "FILTER(STRSTARTS(STR(?s), '%s')) }" % ID, {}).rows
    checked = 0
    for row in rows[:300]:
        for text in (row["s"].value.rsplit("/", 1)[-1], row["l"].value):
            found = sorted({r["s"].value for r in engine.select(_RESOLVE, {"_text": Term("literal", text, XSD_STRING)}).rows})
            exact = [f for f in found if f.rsplit("/", 1)[-1] == text]
            expected = found[0] if len(found) == 1 else exact[0] if len(exact) == 1 else None
            try:
                got = resolve_iri(Param("_entity", "entity", "iri", True), text, engine).value
            except InputError:
                got = None
            if expected is not None:
                assert got == expected, text
                checked += 1
    assert checked > 100
