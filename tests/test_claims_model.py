"""The claims model (docs/claims-model.md): what each part of a fact file becomes in the graph,
and the one-line error each kind of bad claims-model input gets.

The fact file here is written for the test (no article's words); it uses the repository's
reference entities.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

ROOT = Path(__file__).resolve().parent.parent
BASE = "https://w3id.org/milcoop/"

ARTICLE = """article:
  id: model
  title: A report written for the claims-model tests
  publisher: unknown
  published: 2022-09-01
  source: model.txt
  byline: A. Tester

facts:
  - type: exercise
    id: model-drill
    at: [2]
    name: Model Drill 2022
    aliases: [Drill of the Model]
    host: RUS
    participant_states: [CHN, IND]
    start: {date: 2022-09-01, as_said: Thursday, basis: resolved-from-article-date}
    end: {month_day: --09-07, as_said: September 7, basis: no-year}
    strength:
      - {id: troops, value: 50000, bound: more-than, unit: troops}
      - {id: kit, value: 5000, unit: weapons-units}
      - {value: 140, unit: aircraft, within: kit}
    roles:
      supervisor: [valery-gerasimov]
    claims:
      - id: ministry
        by: [russia-defence-ministry]
        at: [3]
        certainty: attributed
        gives: [end]
        values: {location: [caspian-sea]}
      - id: assessment
        mode: assesses
        at: [4]
        says: The drill shows closer ties.

  - type: arms-transfer
    id: model-deal
    at: [5]
    supplier: RUS
    recipient: IRN
    weapon: combat-drone
    status: reported
    certainty: unclear
    quantity: {value: 6, of: 42, unit: drones}
    value: {value: 8.1, currency: USD}
    links:
      in-exchange-for: [model-return]
    claims:
      - id: report
        by: [student-news-network]
        at: [5]
        certainty: attributed
        modality: expected
        said: {as_said: Saturday, basis: weekday-unresolved}
        values: {status: delivered}
      - id: retraction
        mode: retracts
        of: report
        by: [student-news-network]
        at: [5]
        certainty: attributed

  - type: arms-transfer
    id: model-return
    at: [6]
    supplier: IRN
    recipient: RUS
    weapon: combat-drone
    status: reported
    quantity: 12
    amounts: [{vague: dozens, unit: missiles}]
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    dest = tmp_path_factory.mktemp("model") / "proj"
    dest.mkdir()
    for name in ("ontology", "queries"):
        shutil.copytree(ROOT / name, dest / name)
    shutil.copytree(ROOT / "data" / "reference", dest / "data" / "reference")
    (dest / "data" / "articles").mkdir()
    (dest / "data" / "articles" / "model.yaml").write_text(ARTICLE, encoding="utf-8")
    (dest / "data" / "reference" / "zz-test-concepts.yaml").write_text(
        "concepts:\n  - id: sea-lane-drill\n    scheme: activity\n    label: Sea lane drill\n"
        "    broader: maritime-security\n    definition: Practising the protection of sea lanes.\n",
        encoding="utf-8")
    return dest


@pytest.fixture(scope="module")
def store(project: Path) -> ox.Store:
    from click.testing import CliRunner

    from kg.cli import cli

    result = CliRunner().invoke(cli, ["-C", str(project), "build", "-q"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    s = ox.Store()
    s.bulk_load(path=str(project / "build" / "kg.trig"), format=ox.RdfFormat.TRIG)
    return s


PREFIXES = {"mc": BASE + "ontology/", "id": BASE + "id/", "mcv": BASE + "vocab/",
            "xsd": "http://www.w3.org/2001/XMLSchema#", "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
            "skos": "http://www.w3.org/2004/02/skos/core#"}


def ask(store: ox.Store, where: str) -> bool:
    graph = ox.NamedNode(BASE + "graph/article/model")
    ref = ox.NamedNode(BASE + "graph/reference")
    return bool(store.query(f"ASK {{ {where} }}", prefixes=PREFIXES, default_graph=[graph, ref]))


E = "<https://w3id.org/milcoop/id/exercise/model-drill>"
T = "<https://w3id.org/milcoop/id/arms-transfer/model-deal>"
R = "<https://w3id.org/milcoop/id/arms-transfer/model-return>"
C = "<https://w3id.org/milcoop/id/claim/model/"


@pytest.mark.parametrize("what, where", [
    ("a plain date and its time as given", f"""{E} mc:startDate "2022-09-01"^^xsd:date ;
        mc:timeSpec [ mc:forProperty mc:startDate ; mc:asSaid "Thursday"@en ;
                      mc:dateBasis <{BASE}vocab/date-basis/resolved-from-article-date> ] ."""),
    ("a day with no year and no date literal", f"""{E} mc:timeSpec [ mc:forProperty mc:endDate ;
        mc:monthDay "--09-07"^^xsd:gMonthDay ] . FILTER NOT EXISTS {{ {E} mc:endDate ?d }}"""),
    ("an amount with its bound and unit", f"""{E} mc:strength [ mc:value 50000 ;
        mc:bound <{BASE}vocab/bound/more-than> ; mc:unit <{BASE}vocab/unit/troops> ;
        rdfs:label "more than 50000 troops"@en ]"""),
    ("an amount within another", f"""{E} mc:strength ?a , ?kit . ?a mc:value 140 ; mc:within ?kit .
        ?kit mc:value 5000 ; mc:unit <{BASE}vocab/unit/weapons-units> ."""),
    ("a share of a total", f"{T} mc:quantity [ mc:value 6 ; mc:ofTotal 42 ]"),
    ("a money value", f"""{T} mc:dealValue [ mc:value 8.1 ; mc:currency "USD" ]"""),
    ("a plain number is an exact amount", f"{R} mc:quantity [ mc:value 12 ; mc:bound <{BASE}vocab/bound/exact> ]"),
    ("a vague amount has no bound", f"""{R} mc:amount ?a . ?a mc:vague <{BASE}vocab/vague-amount/dozens> .
        FILTER NOT EXISTS {{ ?a mc:bound ?b }}"""),
    ("a role", f"{E} mc:involves [ mc:roleKind <{BASE}vocab/fact-role/supervisor> ; mc:actor id:person\\/valery-gerasimov ]"),
    ("a link", f"""{T} mc:linkedTo {R} ; mc:link [ mc:linkKind <{BASE}vocab/fact-link/in-exchange-for> ;
        mc:toFact {R} ]"""),
    ("the article's own claim", f"""{C}model-deal> mc:claims {T} ;
        mc:claimMode <{BASE}vocab/claim-mode/asserts> ; mc:certainty <{BASE}vocab/certainty/unclear> ."""),
    ("a claim giving a value of the fact", f"""{C}model-drill/ministry> mc:claims {E} ;
        mc:attributedTo id:organisation\\/russia-defence-ministry ;
        mc:givesValue [ mc:property mc:endDate ; mc:value ?t ] . {E} mc:timeSpec ?t .
        FILTER NOT EXISTS {{ {C}model-drill/ministry> mc:givesValue [ mc:property mc:endDate ;
                                                                     mc:onlyThisClaim true ] }}"""),
    ("a value only a claim gives is kept off the fact", f"""{C}model-drill/ministry> mc:givesValue [
        mc:property mc:location ; mc:value id:place\\/caspian-sea ; mc:onlyThisClaim true ] .
        FILTER NOT EXISTS {{ {E} mc:location ?p }}"""),
    ("a retraction answers its report", f"""{C}model-deal/retraction> mc:claimMode <{BASE}vocab/claim-mode/retracts> ;
        mc:respondsTo {C}model-deal/report> ."""),
    ("a claim's modality and time", f"""{C}model-deal/report> mc:modality <{BASE}vocab/modality/expected> ;
        mc:timeSpec [ mc:forProperty mc:statedOn ; mc:asSaid "Saturday"@en ] ."""),
    ("a retracted status is not the fact's", f"""{C}model-deal/report> mc:givesValue [
        mc:value <{BASE}vocab/transfer-status/delivered> ] .
        {T} mc:transferStatus <{BASE}vocab/transfer-status/reported> .
        FILTER NOT EXISTS {{ {T} mc:transferStatus <{BASE}vocab/transfer-status/delivered> }}"""),
    ("an assessment says something", f"""{C}model-drill/assessment> mc:claimMode <{BASE}vocab/claim-mode/assesses> ;
        mc:says "The drill shows closer ties."@en ; mc:certainty <{BASE}vocab/certainty/stated> ."""),
    ("a concept added in data", f"""<{BASE}vocab/activity/sea-lane-drill> a skos:Concept ;
        skos:inScheme <{BASE}vocab/activity> ; skos:broader <{BASE}vocab/activity/maritime-security> ."""),
    ("states named as taking part", f"{E} mc:participantState id:state\\/CHN, id:state\\/IND"),
    ("the article's byline", f"""id:article\\/model mc:byline "A. Tester"@en"""),
])
def test_the_model_in_the_graph(store: ox.Store, what: str, where: str) -> None:
    assert ask(store, where), what


# --- bad input -----------------------------------------------------------------------------

BAD = [
    ("    gives: [end]\n", "    gives: [ends]\n", "gives: [ends]",
     "'gives' names 'ends', which is not a key of this fact; did you mean 'end'?"),
    ("    gives: [end]\n", "    gives: [duration]\n", "- id: ministry",
     "'gives' names 'duration', which this fact does not give (put a value only this claim gives in its 'values')"),
    ("    of: report\n", "    of: reprt\n", "- id: retraction",
     "'of' names 'reprt', which is not a claim of this fact"),
    ("      - {value: 140, unit: aircraft, within: kit}", "      - {value: 140, unit: aircraft, within: gear}",
     "within: gear", "'within' names 'gear', which is no amount of 'strength'"),
    ("end: {month_day: --09-07,", "end: {month_day: --09-31,", "month_day: --09-31",
     "'month_day' must be a day with no year such as --09-07, not '--09-31'"),
    ("value: {value: 8.1, currency: USD}", "value: {value: 8.1, currency: dollars}", "currency: dollars",
     "'currency' must be an ISO 4217 currency code such as USD, not 'dollars'"),
    ("quantity: {value: 6, of: 42, unit: drones}", "quantity: {value: 6, bound: roughly}", "bound: roughly",
     "unknown bound 'roughly'; known: about, at-least, at-most, exact, fewer-than, more-than, nearly, up-to"),
    ("quantity: {value: 6, of: 42, unit: drones}", "quantity: {unit: drones}", "quantity: {unit: drones}",
     "the amount 'quantity' needs 'value', 'min', 'max' or 'vague'"),
    ("      supervisor: [valery-gerasimov]", "      supervsor: [valery-gerasimov]", "supervsor:",
     "unknown fact-role 'supervsor'; did you mean 'supervisor'?"),
    ("        values: {status: delivered}", "        values: {status: reported}", "- id: report",
     "'values' repeats the fact's own 'status'; name it in 'gives' instead"),
]


@pytest.mark.parametrize("old, new, needle, message", BAD, ids=[m[:40] for *_, m in BAD])
def test_bad_claims_model_input_is_one_line_and_exit_2(tmp_path: Path, run_kg, old, new, needle, message):
    dest = tmp_path / "proj"
    dest.mkdir()
    for name in ("ontology", "queries"):
        shutil.copytree(ROOT / name, dest / name)
    shutil.copytree(ROOT / "data" / "reference", dest / "data" / "reference")
    (dest / "data" / "articles").mkdir()
    assert old in ARTICLE
    text = ARTICLE.replace(old, new, 1)
    (dest / "data" / "articles" / "model.yaml").write_text(text, encoding="utf-8")
    line = next(n for n, ln in enumerate(text.splitlines(), 1) if needle in ln)
    result = run_kg(dest, "build")
    assert result.exit_code == 2, result.output
    assert result.output == f"Error: data/articles/model.yaml:{line}: {message}\n"
    assert not (dest / "build").exists()


def test_the_engine_of_reference_reads_days_with_no_year(project: Path, store, run_kg, tmp_path: Path) -> None:
    """owlrl took every xsd:gMonthDay for ill-formed (and, while it reasoned, made rdflib do so):
    the build with pySHACL and owlrl conforms like the fast one, with the same entailments, and a
    day with no year stays well-typed in this process afterwards."""
    from rdflib import Literal
    from rdflib.namespace import XSD

    dest = tmp_path / "ref"
    shutil.copytree(project, dest, ignore=shutil.ignore_patterns("build", ".kg", ".build.generations"))
    result = run_kg(dest, "build", "-q", "--engine", "reference", "--no-cache")
    assert result.exit_code == 0, result.output
    assert (dest / "build" / "kg.trig").read_bytes() == (project / "build" / "kg.trig").read_bytes()
    assert not Literal("--09-07", datatype=XSD.gMonthDay).ill_typed
