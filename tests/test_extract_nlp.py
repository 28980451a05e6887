"""``kg extract --nlp``: roles from a spaCy parse (``kg.extract.nlp``), the optional extra kg[nlp].

No trained model package is on the package index here, so the pipelines are built from what
installs: the EntityRuler on a blank English pipeline; the DependencyMatcher patterns on
``Doc`` objects that carry a parse (words, heads, dependency labels, lemmas), as spaCy's own
tests make them; and, end to end through the command, a tiny parser and lemmatizer trained (in
a few seconds, with a fixed seed) on the invented sentences below and saved to a folder that
``--nlp`` loads. Every sentence and name here is invented.
"""
from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest
import spacy
import yaml
from click.testing import CliRunner
from spacy.tokens import Doc

from kg.cli import cli
from kg.errors import KgError
from kg.extract.nlp import RULER, Name, Parsed, Role, Roles, parse, prepare, roles

REPO = Path(__file__).resolve().parents[1]

REFERENCE = """\
states:
  - id: FRE
    label: Freedonia
    aliases: [Freedonian]
  - id: SYL
    label: Sylvania
    aliases: [Sylvanian]
  - id: RUR
    label: Ruritania
    aliases: [Ruritanian]
  - id: LAT
    label: Latveria
    aliases: [Latverian]
  - id: GEN
    label: Genovia
    aliases: [Genovian]
  - id: UPS
    label: Upper Sylvania
    aliases: [UPS]
forces:
  - id: sylvania-navy
    label: Sylvanian Navy
    aliases: [Navy of Sylvania]
    kind: navy
    state: SYL
weapons:
  - id: vx-howitzer
    label: VX-9 howitzer
    aliases: [howitzer]
    category: artillery
  - id: kite-drone
    label: Kite drone
    aliases: [drone]
    category: aircraft
"""

#: the parses the tiny pipeline is trained on: word/lemma/dependency/head (the head's index)
TRAIN = """\
Freedonia/freedonia/nsubj/1 supplied/supply/ROOT/1 drones/drone/dobj/1 to/to/prep/1 Sylvania/sylvania/pobj/3 ././punct/1
Ruritania/ruritania/nsubj/1 sold/sell/ROOT/1 Latveria/latveria/dative/1 howitzers/howitzer/dobj/1 ././punct/1
Missiles/missile/nsubjpass/2 were/be/auxpass/2 delivered/deliver/ROOT/2 to/to/prep/2 Genovia/genovia/pobj/3 by/by/agent/2 Freedonia/freedonia/pobj/5 ././punct/2
Sylvania/sylvania/nsubj/1 received/receive/ROOT/1 tanks/tank/dobj/1 from/from/prep/1 Ruritania/ruritania/pobj/3 ././punct/1
Latveria/latveria/nsubj/1 bought/buy/ROOT/1 missiles/missile/dobj/1 from/from/prep/1 Freedonia/freedonia/pobj/3 ././punct/1
Genovia/genovia/nsubj/1 said/say/ROOT/1 that/that/mark/4 Ruritania/ruritania/nsubj/4 supplied/supply/ccomp/1 drones/drone/dobj/4 ././punct/1
Sylvania/sylvania/nsubj/1 denied/deny/ROOT/1 the/the/det/3 report/report/dobj/1 ././punct/1
Freedonia/freedonia/nsubj/3 and/and/cc/0 Latveria/latveria/conj/0 took/take/ROOT/3 part/part/dobj/3 in/in/prep/3 the/the/det/7 exercise/exercise/pobj/5 ././punct/3
Genovia/genovia/nsubj/1 hosted/host/ROOT/1 the/the/det/3 drills/drill/dobj/1 ././punct/1
Ruritania/ruritania/nsubj/1 observed/observe/ROOT/1 the/the/det/3 exercise/exercise/dobj/1 ././punct/1
The/the/det/1 drills/drill/nsubjpass/3 were/be/auxpass/3 hosted/host/ROOT/3 by/by/agent/3 Sylvania/sylvania/pobj/4 ././punct/3
Latveria/latveria/nsubj/1 watched/watch/ROOT/1 the/the/det/3 drills/drill/dobj/1 ././punct/1
Drones/drone/nsubjpass/2 were/be/auxpass/2 sold/sell/ROOT/2 to/to/prep/2 Latveria/latveria/pobj/3 by/by/agent/2 Sylvania/sylvania/pobj/5 ././punct/2
Freedonia/freedonia/nsubj/1 confirmed/confirm/ROOT/1 the/the/det/3 delivery/delivery/dobj/1 ././punct/1
Sylvania/sylvania/nsubj/1 joined/join/ROOT/1 the/the/det/3 exercise/exercise/dobj/1 ././punct/1
Sylvania/sylvania/nsubj/7 ,/,/punct/0 whose/whose/poss/3 army/army/nsubj/4 fought/fight/relcl/0 Latveria/latveria/dobj/4 ,/,/punct/0 supplied/supply/ROOT/7 drones/drone/dobj/7 to/to/prep/7 Genovia/genovia/pobj/9 ././punct/7
Freedonia/freedonia/nsubj/7 ,/,/punct/0 which/which/dobj/5 Ruritania/ruritania/nsubj/5 had/have/aux/5 accused/accuse/relcl/0 ,/,/punct/0 denied/deny/ROOT/7 the/the/det/9 delivery/delivery/dobj/7 ././punct/7
Howitzers/howitzer/nsubjpass/2 were/be/auxpass/2 sold/sell/ROOT/2 to/to/prep/2 Ruritania/ruritania/pobj/3 by/by/agent/2 Genovia/genovia/pobj/5 ././punct/2
It/it/nsubj/2 also/also/advmod/2 supplied/supply/ROOT/2 howitzers/howitzer/dobj/2 to/to/prep/2 Latveria/latveria/pobj/4 ././punct/2
"""

#: the article the command drafts: the rules read the supplier of the first transfer and the
#: denier as the state nearest the verb (Latveria, Ruritania); the parse, as its subject
ARTICLE = """\
Arms news

Some Outlet
2025-07-25

Sylvania, whose army fought Latveria, supplied drones to Genovia.

Freedonia, which Ruritania had accused, denied the delivery.

Howitzers were sold to Ruritania by Genovia.

It also supplied howitzers to Latveria.
"""


def _annotated(spec: str) -> list[tuple[str, str, str, int]]:
    return [(w, lemma, dep, int(head)) for w, lemma, dep, head in (p.rsplit("/", 3) for p in spec.split())]


def _doc(nlp, spec: str) -> Doc:
    """A ``Doc`` that carries a parse: the words, heads, labels and lemmas of ``spec``."""
    parts = _annotated(spec)
    words = [p[0] for p in parts]
    spaces = [i + 1 < len(words) and words[i + 1] not in ("'s", ".", ",") for i in range(len(words))]
    return Doc(nlp.vocab, words=words, spaces=spaces, lemmas=[p[1] for p in parts],
               deps=[p[2] for p in parts], heads=[p[3] for p in parts])


def _text(parts) -> str:
    out = ""
    for i, (w, *_) in enumerate(parts):
        out += ("" if i == 0 or w in ".," else " ") + w
    return out


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> object:
    from conftest import project_reference

    return project_reference(_project(tmp_path_factory.mktemp("nlp-reference")))


def _project(root: Path) -> Path:
    """A project of the repository's ontology and the invented reference above."""
    (root / "data" / "articles").mkdir(parents=True)
    (root / "data" / "reference").mkdir()
    import shutil

    shutil.copytree(REPO / "ontology", root / "ontology")
    (root / "data" / "reference" / "invented.yaml").write_text(REFERENCE, encoding="utf-8")
    return root


@pytest.fixture(scope="session")
def trained(tmp_path_factory) -> Path:
    """A tiny real pipeline (tok2vec, parser, trainable lemmatizer) trained with a fixed seed on
    the parses of ``TRAIN`` until it gives them back, saved to a folder."""
    from spacy.training import Example
    from spacy.util import fix_random_seed

    fix_random_seed(0)
    nlp = spacy.blank("en")
    nlp.add_pipe("tok2vec")
    nlp.add_pipe("parser", config={"min_action_freq": 1})
    nlp.add_pipe("trainable_lemmatizer", config={"backoff": "orth", "min_tree_freq": 1})
    examples = []
    for line in TRAIN.splitlines():
        parts = _annotated(line)
        predicted = nlp.make_doc(_text(parts))
        assert [t.text for t in predicted] == [p[0] for p in parts], line
        gold = Doc(nlp.vocab, words=[t.text for t in predicted], spaces=[bool(t.whitespace_) for t in predicted],
                   lemmas=[p[1] for p in parts], deps=[p[2] for p in parts], heads=[p[3] for p in parts])
        examples.append(Example(predicted, gold))
    optimizer = nlp.initialize(lambda: examples)
    for _ in range(60):
        nlp.update(examples, sgd=optimizer, drop=0.0)
    for ex in examples:  # the pipeline gives back what it was trained on
        doc = nlp(ex.reference.text)
        assert [(t.head.i, t.dep_, t.lemma_) for t in doc] == [(t.head.i, t.dep_, t.lemma_) for t in ex.reference]
    path = tmp_path_factory.mktemp("pipeline") / "tiny-en"
    nlp.to_disk(path)
    return path


# --- the EntityRuler of the reference's names -----------------------------------------------


def test_entity_ruler_names_the_reference_case_insensitively_with_kg_ids(reference):
    nlp = prepare(spacy.blank("en"), reference)
    doc = nlp("FREEDONIA and the sylvanian navies met UPS ships; they told us the Kite Drones and a vx-9 HOWITZER "
              "came from latverian yards.")
    assert [(e.text, e.label_, e.ent_id_) for e in doc.ents] == [
        ("FREEDONIA", "STATE", "FRE"), ("sylvanian navies", "FORCE", "sylvania-navy"), ("UPS", "STATE", "UPS"),
        ("Kite Drones", "WEAPON", "kite-drone"), ("vx-9 HOWITZER", "WEAPON", "vx-howitzer"),
        ("latverian", "STATE", "LAT")]
    # a short acronym is a name only as written: "ups" is a word
    assert not [e for e in nlp("Prices went ups and downs.").ents]


def test_entity_ruler_goes_before_the_models_ner_and_is_replaced_not_doubled(reference):
    nlp = spacy.blank("en")
    nlp.add_pipe("ner")
    prepare(prepare(nlp, reference), reference)
    assert nlp.pipe_names == [RULER, "ner"]


def test_names_the_reference_does_not_know_are_candidates(reference):
    nlp = spacy.blank("en")
    # the user's own entity recogniser (here rules, as a trained NER would be) finds a person
    nlp.add_pipe("entity_ruler", name="people").add_patterns(
        [{"label": "PERSON", "pattern": "Arno Vask"}, {"label": "ORG", "pattern": "Vask Works"}])
    prepare(nlp, reference)
    parsed = parse(nlp, "Arno Vask of Vask Works met Genovian officers.")
    assert parsed.names == (Name("PERSON", "Arno Vask", 0, 9), Name("ORG", "Vask Works", 13, 23),
                            Name("STATE", "Genovian", 28, 36, "GEN"))
    assert parsed.unknown == parsed.names[:2]


def test_a_text_longer_than_the_pipeline_parses_is_an_error_not_a_traceback(reference):
    nlp = prepare(spacy.blank("en"), reference)
    nlp.max_length = 40
    with pytest.raises(KgError, match="more than the 40 that the spaCy pipeline parses at once"):
        parse(nlp, "Freedonia supplied drones to Sylvania. " * 2)


# --- the DependencyMatcher patterns on parsed Docs ------------------------------------------


def _roles(reference, spec):
    nlp = prepare(spacy.blank("en"), reference)
    doc = nlp.get_pipe(RULER)(_doc(nlp, spec))
    return [(r.role, r.text, r.kg_id, r.cue_lemma) for r in roles(doc)]


@pytest.mark.parametrize("spec, expected", [
    ("Freedonia/freedonia/nsubj/1 supplied/supply/ROOT/1 drones/drone/dobj/1 to/to/prep/1 Sylvania/sylvania/pobj/3",
     [("supplier", "Freedonia", "FRE", "supply"), ("weapon", "drones", "kite-drone", "supply"),
      ("recipient", "Sylvania", "SYL", "supply")]),
    # the indirect object
    ("Ruritania/ruritania/nsubj/1 sold/sell/ROOT/1 Latveria/latveria/dative/1 howitzers/howitzer/dobj/1",
     [("supplier", "Ruritania", "RUR", "sell"), ("recipient", "Latveria", "LAT", "sell"),
      ("weapon", "howitzers", "vx-howitzer", "sell")]),
    # passive: the subject is the weapon, "by" the supplier
    ("Drones/drone/nsubjpass/2 were/be/auxpass/2 delivered/deliver/ROOT/2 to/to/prep/2 Genovia/genovia/pobj/3 "
     "by/by/agent/2 Freedonia/freedonia/pobj/5",
     [("weapon", "Drones", "kite-drone", "deliver"), ("recipient", "Genovia", "GEN", "deliver"),
      ("supplier", "Freedonia", "FRE", "deliver")]),
    # "supplied X with Y": X receives
    ("the/the/det/2 Sylvanian/sylvanian/amod/2 ministry/ministry/nsubj/3 provided/provide/ROOT/3 Latveria/latveria/dobj/3 "
     "with/with/prep/3 howitzers/howitzer/pobj/5",
     [("supplier", "the Sylvanian ministry", None, "provide"), ("recipient", "Latveria", "LAT", "provide"),
      ("weapon", "howitzers", "vx-howitzer", "provide")]),
    ("Latveria/latveria/nsubjpass/2 was/be/auxpass/2 supplied/supply/ROOT/2 with/with/prep/2 drones/drone/pobj/3 "
     "by/by/agent/2 Genovia/genovia/pobj/5",
     [("recipient", "Latveria", "LAT", "supply"), ("weapon", "drones", "kite-drone", "supply"),
      ("supplier", "Genovia", "GEN", "supply")]),
    ("Sylvania/sylvania/nsubj/1 bought/buy/ROOT/1 drones/drone/dobj/1 from/from/prep/1 Ruritania/ruritania/pobj/3",
     [("recipient", "Sylvania", "SYL", "buy"), ("weapon", "drones", "kite-drone", "buy"),
      ("supplier", "Ruritania", "RUR", "buy")]),
    ("Howitzers/howitzer/nsubjpass/2 were/be/auxpass/2 acquired/acquire/ROOT/2 by/by/agent/2 Genovia/genovia/pobj/3 "
     "from/from/prep/2 Latveria/latveria/pobj/5",
     [("weapon", "Howitzers", "vx-howitzer", "acquire"), ("recipient", "Genovia", "GEN", "acquire"),
      ("supplier", "Latveria", "LAT", "acquire")]),
    # a possessive phrase is the subject, not the state alone; its conjunct is a speaker too
    ("Sylvania/sylvania/poss/2 's/'s/case/0 navy/navy/nsubj/5 and/and/cc/2 Genovia/genovia/conj/2 "
     "announced/announce/ROOT/5 drills/drill/dobj/5",
     [("speaker", "Sylvania's navy", None, "announce"), ("speaker", "Genovia", "GEN", "announce")]),
    ("The/the/det/1 report/report/nsubjpass/3 was/be/auxpass/3 rejected/reject/ROOT/3 by/by/agent/3 "
     "Freedonia/freedonia/pobj/4",
     [("denier", "Freedonia", "FRE", "reject")]),
    ("Freedonia/freedonia/nsubj/3 and/and/cc/0 Latveria/latveria/conj/0 took/take/ROOT/3 part/part/dobj/3",
     [("participant", "Freedonia", "FRE", "take part"), ("participant", "Latveria", "LAT", "take part")]),
    ("The/the/det/1 drills/drill/nsubjpass/3 were/be/auxpass/3 hosted/host/ROOT/3 by/by/agent/3 "
     "Sylvania/sylvania/pobj/4",
     [("host", "Sylvania", "SYL", "host")]),
    ("Ruritania/ruritania/nsubj/1 watched/watch/ROOT/1 drills/drill/dobj/1",
     [("observer", "Ruritania", "RUR", "watch")]),
    # no verb of a frame, or none of its relations: nothing
    ("Ruritania/ruritania/nsubj/1 fought/fight/ROOT/1 Latveria/latveria/dobj/1", []),
    ("drills/drill/ROOT/0 with/with/prep/0 Latveria/latveria/pobj/1", []),
])
def test_roles_from_the_parse(reference, spec, expected):
    assert _roles(reference, spec) == expected


def test_roles_have_offsets_in_the_article_and_a_deterministic_order(reference):
    nlp = prepare(spacy.blank("en"), reference)
    doc = nlp.get_pipe(RULER)(_doc(nlp, "Latveria/latveria/nsubj/1 watched/watch/ROOT/1 ././punct/1 "
                                        "Genovia/genovia/nsubj/4 hosted/host/ROOT/4 drills/drill/dobj/4"))
    found = roles(doc)
    assert found == [Role("observer", "LAT", "Latveria", 0, 8, "watch", 9),
                     Role("host", "GEN", "Genovia", 18, 25, "host", 26)]
    assert [doc.text[r.start_char:r.end_char] for r in found] == ["Latveria", "Genovia"]


def test_the_seam_gives_mentions_inside_the_role_or_nothing():
    class M:  # a mention of the draft's sentence (offsets in the sentence)
        def __init__(self, start, end):
            self.start, self.end = start, end

    parsed = Parsed((Role("supplier", None, "the Sylvanian ministry", 100, 122, "supply", 123),), ())
    mentions = [M(4, 13), M(30, 38)]  # "Sylvanian" in the subject; another state after the verb
    seam = Roles(parsed)
    assert seam.fillers(100, mentions, (23, 31), "supplier") == [mentions[0]]
    assert seam.fillers(100, mentions, (23, 31), "recipient") is None  # the parse says nothing
    assert seam.fillers(100, mentions, (40, 48), "supplier") is None  # another verb
    assert seam.fillers(100, mentions[1:], (23, 31), "supplier") is None  # no mention in the phrase


# --- the command ------------------------------------------------------------------------------


def _facts(output: str) -> list[dict]:
    return yaml.safe_load(output)["facts"]


def _draft(project: Path, article: Path, *args: str):
    result = CliRunner().invoke(cli, ["-C", str(project), "extract", str(article), "--id", "t", *args])
    assert result.exit_code == 0, result.output
    return result


def test_kg_extract_nlp_reads_roles_from_the_parse_before_the_rules(tmp_path, trained):
    project = _project(tmp_path / "project")
    article = tmp_path / "article.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    rules = _facts(_draft(project, article).stdout)
    parsed = _facts(_draft(project, article, "--nlp", str(trained)).stdout)

    def sides(facts):  # by block of the article
        return {f["at"][0]: (f.get("supplier"), f.get("recipient"), f.get("weapon")) if f["type"] == "arms-transfer"
                else (f["type"], f["by"]) for f in facts}

    # the rules: the state nearest the verb
    assert sides(rules)[3] == ("LAT", "GEN", "kite-drone")
    assert sides(rules)[4] == ("denial", ["RUR"])
    # the parse: the verb's subject
    assert sides(parsed)[3] == ("SYL", "GEN", "kite-drone")
    assert sides(parsed)[4] == ("denial", ["FRE"])
    # passive voice from the parse; "It" is no mention, so the rules read the pronoun as without a parse
    assert sides(parsed)[5] == sides(rules)[5] == ("GEN", "RUR", "vx-howitzer")
    assert sides(parsed)[6] == sides(rules)[6] == ("GEN", "LAT", "vx-howitzer")


def test_kg_extract_nlp_writes_a_draft_that_builds(tmp_path, trained):
    project = _project(tmp_path / "project")
    article = tmp_path / "article.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    out = project / "data" / "articles" / "t.yaml"
    first = _draft(project, article, "--nlp", str(trained), "-o", str(out))
    assert first.stderr.startswith("Drafted 4 fact(s)")
    text = out.read_text(encoding="utf-8")
    _draft(project, article, "--nlp", str(trained), "-o", str(out), "--force")
    assert out.read_text(encoding="utf-8") == text  # deterministic
    result = CliRunner().invoke(cli, ["-C", str(project), "validate"])
    assert result.exit_code == 0, result.output


def test_kg_extract_nlp_with_a_pipeline_that_does_not_load(tmp_path):
    project = _project(tmp_path / "project")
    article = tmp_path / "article.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    out = project / "data" / "articles" / "t.yaml"
    blank = tmp_path / "blank"
    spacy.blank("en").to_disk(blank)  # a pipeline that loads, with no parser and no lemmatizer
    for model in ("no_such_pipeline_xyz", str(tmp_path / "project"), str(blank)):  # no such package; no pipeline
        result = CliRunner().invoke(cli, ["-C", str(project), "extract", str(article), "--nlp", model, "-o", str(out)])
        assert result.exit_code == 2
        assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1
        assert repr(model) in result.stderr
        assert "Traceback" not in result.output
        assert not out.exists()


_NO_SPACY = ("import sys; sys.modules['spacy'] = None; from kg.cli import main; "
             "sys.argv = ['kg'] + sys.argv[1:]; main()")


def _without_spacy(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-c", _NO_SPACY, *args], capture_output=True, text=True, env=env,
                          timeout=300)


def test_without_spacy_nlp_is_one_line_and_the_rules_draft_as_before(tmp_path):
    project = _project(tmp_path / "project")
    article = tmp_path / "article.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    out = project / "data" / "articles" / "t.yaml"
    result = _without_spacy("-C", str(project), "extract", str(article), "--nlp", "en_core_web_sm", "-o", str(out))
    assert (result.returncode, result.stderr) == (2, "Error: --nlp needs spaCy: pip install 'kg[nlp]'\n")
    assert not out.exists()
    # without --nlp, kg never imports spaCy and drafts what it drafts with spaCy installed
    plain = _without_spacy("-C", str(project), "extract", str(article), "--id", "t")
    assert plain.returncode == 0, plain.stderr
    assert plain.stdout == _draft(project, article).stdout


def _evaluate():
    spec = importlib.util.spec_from_file_location("extract_evaluate_nlp", REPO / "benchmarks" / "extract" / "evaluate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_evaluate_nlp(tmp_path, trained, capsys):
    evaluate = _evaluate()
    assert evaluate.main(["--nlp", "no_such_pipeline_xyz", "--no-build"]) == 2
    assert capsys.readouterr().err.startswith("Error: the spaCy pipeline 'no_such_pipeline_xyz' does not load")
    # the benchmark's own articles drafted with the parse: every draft still loads and is scored
    cases = evaluate.own_cases()[:2]
    bench = sorted((evaluate.HERE / "reference").glob("*.yaml"))
    with_parse = evaluate.run_set("own", cases, bench, build=False, nlp=spacy.load(trained))
    assert sorted(with_parse.drafts) == sorted(evaluate.run_set("own", cases, bench, build=False).drafts)


def test_the_parse_component_goes_first_and_parses_an_article_once(reference, trained):
    from kg.extract.draft import default_pipeline, draft
    from kg.extract.nlp import ParseRoles

    nlp = prepare(spacy.load(trained), reference)
    texts: list[str] = []

    class Counting:  # the pipeline, with the texts it parses kept
        max_length = nlp.max_length

        def __call__(self, text):
            texts.append(text)
            return nlp(text)

    parser = ParseRoles(Counting())
    assert default_pipeline(parser).names[:2] == ("parse", "header")
    text = ARTICLE + "\nAdmiral Jonas Blackwood said the delivery was late.\n"
    made = draft(text, reference, "t", "t.txt", components=default_pipeline(parser))
    # drafted twice (the second time with the proposed entries), parsed once: the parse does not change
    assert "jonas-blackwood" in {p.id for p in made.proposals}
    assert texts == [text]
    # the roles reach the draft as without the proposals (the first transfer's supplier, by the parse)
    assert next(f for f in made.facts if f.type == "arms-transfer").values["supplier"] == "SYL"
