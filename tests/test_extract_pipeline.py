"""``kg extract`` as a pipeline of components (``kg.extract.pipeline``): each declares the records
it reads and adds, the pipeline refuses declarations that do not hold (when it is made and when
it runs), the shipped pipeline's components fill the records they declare, and a component of
one's own goes in beside them."""
from __future__ import annotations

import re

import pytest

import kg.extract.pipeline as pipeline_module
from kg.extract.context import Context
from kg.extract.draft import COMPONENTS, default_pipeline, draft
from kg.extract.found import OPTIONAL, RECORDS, Found
from kg.extract.mentions import Gazetteer
from kg.extract.nlp import Name, Parsed, ParseRoles, Role, Roles
from kg.extract.pipeline import Pipeline, PipelineError
from kg.extract.records import DraftFact
from kg.extract.writer import to_yaml


#: an invented article that gives every record something: a header, an exercise with a host whose
#: post the reference does not name, a transfer, a denial, a visit, a visit with no visitor (a
#: note), and names the reference does not know
TEXT = """Navies of Russia and Iran open the Caspian drills

The Harbour Courier
Monday, March 3, 2025

Russia and Iran began the joint naval exercise Northern Shield 2025 in the Caspian Sea on Monday, the Iranian navy \
said. The Russian Navy's commander is hosting the drills.

Russia delivered 10 Su-35 fighter jets to Iran last month, according to the Harbour Courier.

Belarus denied that it had supplied drones to Iran.

Admiral Jonas Blackwood of the Caspian Flotilla Command watched the drills.

Vladimir Putin landed in Tehran on Tuesday. It was the first time the Russian leader had visited since 2014.

Officials said it was the first trip of its kind since 2010.
"""


class Step:
    """A component made of its declarations and a function of (found, context)."""

    def __init__(self, name, reads, adds, run=None):
        self.name, self.reads, self.adds = name, tuple(reads), tuple(adds)
        self._run = run or (lambda found, ctx: {r: getattr(Found(), r) for r in self.adds})

    def __call__(self, found, ctx):
        return self._run(found, ctx)


class Spy:
    """A shipped component, with what it was given and what it added kept."""

    def __init__(self, component, log):
        self.component, self.log = component, log
        self.name, self.reads, self.adds = component.name, component.reads, component.adds

    def __call__(self, found, ctx):
        added = self.component(found, ctx)
        self.log.append((self.name, {r: getattr(found, r) for r in self.reads}, added))
        return added


# --- declarations checked when the pipeline is made ------------------------------------------------------------


def test_a_component_that_reads_what_no_component_before_it_adds_is_refused():
    header, sentences = COMPONENTS[0], COMPONENTS[1]
    with pytest.raises(PipelineError) as err:
        Pipeline([header, Step("mine", ["sentences"], ["notes"]), sentences])
    assert str(err.value) == "component 'mine' reads 'sentences', which no component before it adds"
    # the shipped components out of their order: the transfers before any sentence
    with pytest.raises(PipelineError, match=r"^component 'transfers' reads 'sentences', which no component before"):
        Pipeline([COMPONENTS[0], *[c for c in COMPONENTS if c.name == "transfers"], *COMPONENTS[1:]])


def test_a_component_that_adds_a_record_again_without_reading_it_is_refused():
    with pytest.raises(PipelineError) as err:
        Pipeline([*COMPONENTS, Step("mine", ["sentences"], ["facts"])])
    assert str(err.value) == ("component 'mine' adds 'facts' without reading it: it would drop what 'stances' added")


def test_a_record_the_pipeline_does_not_have_and_a_name_given_twice_are_refused():
    with pytest.raises(PipelineError, match=r"^component 'mine' names a record 'entities' that the pipeline does not"):
        Pipeline([*COMPONENTS, Step("mine", ["entities"], [])])
    with pytest.raises(PipelineError, match=r"^two components are named 'stances'$"):
        default_pipeline().insert(COMPONENTS[-2])


def test_the_shipped_pipeline_is_valid_and_its_module_says_what_each_component_reads_and_adds():
    p = Pipeline(COMPONENTS)
    assert p.names == ("header", "sentences", "exercise-events", "exercise-facts", "visits", "transfers", "stances",
                       "unknown-names")
    # the module's list of the shipped components is theirs, as declared
    listed = re.findall(r"^- ([\w-]+) \(``[\w.]+``\): ([\w, ]*?) ?-> ([\w, ]+)$", pipeline_module.__doc__, re.M)

    def split(words: str) -> tuple[str, ...]:
        return tuple(w for w in words.split(", ") if w)

    assert [(n, split(r), split(a)) for n, r, a in listed] == [(c.name, c.reads, c.adds) for c in COMPONENTS]
    # every record is added by a shipped component, but the optional ones: a parser's component adds those
    assert {r for c in COMPONENTS for r in c.adds} == set(RECORDS) - set(OPTIONAL)
    assert set(ParseRoles.adds) == set(OPTIONAL) == {"parse"}


def test_insert_puts_a_component_before_or_after_one_named_and_refuses_a_name_it_does_not_have():
    mine = Step("mine", ["sentences", "notes"], ["notes"])
    assert default_pipeline().insert(mine, after="stances").names[-3:] == ("stances", "mine", "unknown-names")
    assert default_pipeline().insert(mine, before="visits").names[3:6] == ("exercise-facts", "mine", "visits")
    assert default_pipeline().insert(mine).names[-1] == "mine"
    with pytest.raises(PipelineError, match=r"^no component is named 'parser'"):
        default_pipeline().insert(mine, after="parser")
    with pytest.raises(PipelineError, match="reads 'notes', which no component before it adds"):
        default_pipeline().insert(mine, before="exercise-facts")


# --- declarations checked when the pipeline runs ---------------------------------------------------------------


def test_a_component_that_reads_a_record_it_does_not_declare_is_refused_when_it_runs(reference):
    sneaky = Step("sneaky", ["header"], ["notes"], lambda found, ctx: {"notes": [str(len(found.sentences))]})
    with pytest.raises(PipelineError) as err:
        Pipeline([*COMPONENTS[:2], sneaky]).run(Context(TEXT, reference, "t", "t.txt"))
    assert str(err.value) == "component 'sneaky' reads 'sentences', which it does not declare in its reads"


def test_a_component_that_adds_other_records_than_it_declares_is_refused_when_it_runs(reference):
    more = Step("more", ["sentences"], ["notes"], lambda found, ctx: {"notes": [], "posts": []})
    with pytest.raises(PipelineError, match=r"^component 'more' adds 'posts', which it does not declare in its adds$"):
        Pipeline([*COMPONENTS[:2], more]).run(Context(TEXT, reference, "t", "t.txt"))
    less = Step("less", ["sentences"], ["notes", "posts"], lambda found, ctx: {"notes": []})
    with pytest.raises(PipelineError, match=r"^component 'less' declares that it adds 'posts' but did not add it$"):
        Pipeline([*COMPONENTS[:2], less]).run(Context(TEXT, reference, "t", "t.txt"))


# --- the shipped components fill what they declare ----------------------------------------------------------


def test_each_record_is_filled_by_the_component_that_declares_it(reference):
    log: list = []
    found = Pipeline([Spy(c, log) for c in COMPONENTS]).run(Context(TEXT, reference, "t", "t.txt"))
    # every record holds something, and the component that first filled it declares it
    first = {}
    for name, _, added in log:
        for record, value in added.items():
            if value and record not in first:
                first[record] = name
    assert first == {"header": "header", "sentences": "sentences", "main_actors": "sentences",
                     "events": "exercise-events", "codenames": "exercise-events", "facts": "exercise-facts",
                     "posts": "exercise-facts", "notes": "visits", "unresolved": "unknown-names",
                     "sightings": "unknown-names"}
    # each component that adds facts adds those of its kind
    kinds = {}
    seen: set[int] = set()
    for name, _, added in log:
        new = [f for f in added.get("facts", ()) if id(f) not in seen]
        seen |= {id(f) for f in new}
        if new:
            kinds[name] = sorted({f.type for f in new})
    assert kinds == {"exercise-facts": ["exercise"], "visits": ["event"], "transfers": ["arms-transfer"],
                     "stances": ["denial"]}
    # what they found, as records of their own types
    assert found.header.published.isoformat() == "2025-03-03"
    assert found.main_actors[:2] == ("RUS", "IRN")
    assert [e.code for e in found.events] == ["Northern Shield 2025"]
    assert found.codenames.keys == {"northernshield2025"}
    assert [(p.force, p.post) for p in found.posts] == [("russia-navy", "commander")]
    assert found.notes == ("\u00b68: a first visit since 2010 with no visitor named",)
    assert "Jonas Blackwood" in {u.name for u in found.unresolved}
    assert {"Jonas Blackwood", "Commander of the Russian Navy"} <= {s.name for s in found.sightings}
    # the records a component was shown are those it declares, as the components before it left them
    shown = {name: set(given) for name, given, _ in log}
    assert shown == {c.name: set(c.reads) for c in COMPONENTS}


def test_draft_runs_the_shipped_pipeline_as_before(reference):
    # draft() is the pipeline's run, twice with proposals: the same facts as running the components by hand
    made = draft(TEXT, reference, "t", "t.txt", propose=False)
    found = default_pipeline().run(Context(TEXT, reference, "t", "t.txt"))
    assert [f.id for f in made.facts] == [f.id for f in found.facts]
    assert made.skipped == list(found.notes)
    assert made.header == found.header.values
    assert to_yaml(made) == to_yaml(draft(TEXT, reference, "t", "t.txt", propose=False, components=COMPONENTS))


# --- the parse: an optional record, added by a parser's component first --------------------------------------


def _role(role: str, kg_id: str, text: str, cue: str) -> Role:
    """A role a parse gives the phrase ``text`` at the verb ``cue`` of TEXT (article offsets)."""
    at, verb = TEXT.index(text), TEXT.index(cue)
    return Role(role, kg_id, text, at, at + len(text), cue, verb)


def test_the_parse_is_an_optional_record_read_as_not_given_without_a_parser(reference):
    # transfers and stances declare they read 'parse'; no shipped component adds it, and the pipeline runs
    assert {c.name for c in COMPONENTS if "parse" in c.reads} == {"exercise-facts", "transfers", "stances",
                                                                  "unknown-names"}
    log: list = []
    Pipeline([Spy(c, log) for c in COMPONENTS]).run(Context(TEXT, reference, "t", "t.txt"))
    assert [(name, given["parse"]) for name, given, _ in log if "parse" in given] == [
        ("exercise-facts", None), ("transfers", None), ("stances", None), ("unknown-names", None)]
    # a component that adds it after one read it as not given is refused; first, it is what they read
    late = Step("late", [], ["parse"])
    with pytest.raises(PipelineError, match=r"^component 'late' adds 'parse' after 'exercise-facts' read it as not given"):
        default_pipeline().insert(late, after="stances")
    assert default_pipeline(late).names[:2] == ("late", "header")
    # a record that is not optional is still refused where no component before adds it
    with pytest.raises(PipelineError, match="reads 'facts', which no component before it adds"):
        Pipeline([Step("mine", ["facts"], [])])


def test_a_parsers_roles_come_before_the_rules_for_supplier_recipient_and_who_denies(reference):
    rules = draft(TEXT, reference, "t", "t.txt", propose=False)
    transfer = next(f for f in rules.facts if f.type == "arms-transfer")
    denial = next(f for f in rules.facts if f.type == "denial")
    assert (transfer.values["supplier"], transfer.values["recipient"], denial.values["by"]) == ("RUS", "IRN", ["BLR"])
    # an invented parse that reads the delivery the other way round and gives the denial to Iran
    parse = Roles(Parsed((_role("recipient", "RUS", "Russia", "delivered"),
                          _role("supplier", "IRN", "Iran last", "delivered"), _role("denier", "IRN", "Iran.", "denied")),
                         ()))
    parser = Step("parse", [], ["parse"], lambda found, ctx: {"parse": parse})
    made = draft(TEXT, reference, "t", "t.txt", propose=False, components=default_pipeline(parser))
    transfer = next(f for f in made.facts if f.type == "arms-transfer")
    denial = next(f for f in made.facts if f.type == "denial")
    assert (transfer.values["supplier"], transfer.values["recipient"], denial.values["by"]) == ("IRN", "RUS", ["IRN"])
    # where the parse names no mention (a role at another verb), the rules decide
    elsewhere = Roles(Parsed((_role("supplier", "IRN", "Iran last", "landed"),), ()))
    other = Step("parse", [], ["parse"], lambda found, ctx: {"parse": elsewhere})
    made = draft(TEXT, reference, "t", "t.txt", propose=False, components=default_pipeline(other))
    assert to_yaml(made) == to_yaml(rules)


#: an exercise whose parties the rules read as observers all: the observing words of the sentence's end
#: reach back over its start
EXERCISE = """Navies drill in the Gulf of Oman

The Harbour Courier
Monday, March 3, 2025

Russia and Iran took part in the joint naval exercise Maritime Security Belt 2025 in the Gulf of Oman on \
Monday, with ships that China sent observing.
"""


def test_a_parsers_roles_come_before_the_rules_for_who_takes_part_hosts_and_observes(reference):
    def parties(made):
        f = next(f for f in made.facts if f.type == "exercise")
        return {k: f.values.get(k) for k in ("participants", "participant_states", "host", "observers")}

    rules = draft(EXERCISE, reference, "t", "t.txt", propose=False)
    assert parties(rules) == {"participants": None, "participant_states": None, "host": None,
                              "observers": ["RUS", "IRN", "OMN", "CHN"]}
    at = EXERCISE.index
    roles = [Role("participant", "RUS", "Russia", at("Russia"), at("Russia") + 6, "take part", at("took")),
             Role("participant", "IRN", "Iran", at("Iran"), at("Iran") + 4, "take part", at("took")),
             Role("observer", None, "ships that China sent", at("ships"), at("sent") + 4, "observe", at("observing"))]
    parser = Step("parse", [], ["parse"], lambda found, ctx: {"parse": Roles(Parsed(tuple(roles), ()))})
    made = draft(EXERCISE, reference, "t", "t.txt", propose=False, components=default_pipeline(parser))
    # the parse's participants take part (the naval exercise: their navies), its observer observes; the
    # rules still read Oman, of which the parse says nothing
    assert parties(made) == {"participants": ["russia-navy", "iran-navy"], "participant_states": None, "host": None,
                             "observers": ["OMN", "CHN"]}
    # a host by the parse; a state the rules read as not taking part stays out, whatever the parse says
    hosted = EXERCISE.replace("with ships that China sent observing", "in waters that Oman, as in every year "
                              "since the first edition in 2019, hosted") + "\nPakistan did not take part in the exercise.\n"
    at = hosted.index
    roles = [Role("host", "OMN", "Oman", at("Oman,"), at("Oman,") + 4, "host", at("hosted")),
             Role("participant", "PAK", "Pakistan", at("Pakistan"), at("Pakistan") + 8, "take part", at("take part"))]
    rules = draft(hosted, reference, "t", "t.txt", propose=False)
    assert parties(rules) == {"participants": None, "participant_states": ["RUS", "IRN", "OMN"], "host": None,
                              "observers": None}
    made = draft(hosted, reference, "t", "t.txt", propose=False, components=default_pipeline(parser))
    assert parties(made) == {"participants": None, "participant_states": ["RUS", "IRN"], "host": "OMN",
                             "observers": None}
    assert [f.type for f in made.facts] == [f.type for f in rules.facts] == ["exercise", "non-participation"]


def test_the_people_and_organisations_a_parser_finds_become_proposed_entries(reference):
    text = TEXT + "\nIlves said the jets had arrived. Vostok Logistics shipped the spare parts.\n"
    rules = draft(text, reference, "t", "t.txt")
    # the rules pass over one capitalised word that starts a sentence, and list a name they cannot classify
    assert "Ilves" not in {u.name for u in rules.unresolved}
    assert ("Vostok Logistics", "unknown") in {(u.name, u.kind) for u in rules.unresolved}
    assert not {"ilves", "vostok-logistics"} & {p.id for p in rules.proposals}
    at = text.index
    names = (Name("PERSON", "Ilves", at("Ilves"), at("Ilves") + 5),
             Name("ORG", "Vostok Logistics", at("Vostok"), at("Vostok") + 16),
             Name("ORG", "the Iranian navy", at("the Iranian navy"), at("the Iranian navy") + 16),
             Name("PERSON", "Putin", at("Vladimir Putin") + 9, at("Vladimir Putin") + 14))
    parser = Step("parse", [], ["parse"], lambda found, ctx: {"parse": Roles(Parsed((), names))})
    made = draft(text, reference, "t", "t.txt", components=default_pipeline(parser))
    proposed = {p.id: (p.kind, p.label, p.source) for p in made.proposals}
    paragraph = text[:at("Ilves")].count("\n\n") + 1  # paragraphs count from 1
    assert proposed["ilves"] == ("person", "Ilves", f"paragraph {paragraph}: 'Ilves', a person")
    assert proposed["vostok-logistics"][:2] == ("organisation", "Vostok Logistics")
    # names the reference knows (the navy, the president) are not proposed
    assert {p.id for p in made.proposals} - {p.id for p in rules.proposals} == {"ilves", "vostok-logistics"}
    # drafted again with them, as every proposal: they are known, no longer unresolved
    assert not {"Ilves", "Vostok Logistics"} & {u.name for u in made.unresolved}


# --- a component of one's own -------------------------------------------------------------------------------


class JointPatrols:
    """A user's component: a sentence that says two states patrol together is their cooperation."""

    name = "joint-patrols"
    reads = ("sentences", "facts", "notes")
    adds = ("facts", "notes")

    def __call__(self, found, ctx):
        facts, notes = list(found.facts), list(found.notes)
        for s in found.sentences:
            if not re.search(r"\bjoint\s+patrols?\b", s.text):
                continue
            states = list(dict.fromkeys(st for m in s.mentions if (st := ctx.state_of(m))))
            if len(states) < 2:
                notes.append(f"\u00b6{s.paragraph}: a joint patrol with fewer than two states")
                continue
            label = "\u2013".join(ctx.label(st) for st in states) + " joint patrol"
            facts.append(DraftFact("cooperation", ctx.new_id("-".join(states) + "-joint-patrol"), label,
                                   [s.paragraph], {"parties": states}, [f"'joint patrol' ({s.where})"], 0.5))
        return {"facts": facts, "notes": notes}


def test_a_users_component_reads_the_sentences_and_adds_facts_and_notes(reference):
    text = TEXT + ("\nChina and Russia held a joint patrol over the Sea of Japan.\n\n"
                   "Another joint patrol over the northern seas is planned for the summer.\n")
    gaz = Gazetteer.of(reference)
    plain = draft(text, reference, "t", "t.txt", gaz)
    assert not [f for f in plain.facts if f.type == "cooperation"]
    for components in (default_pipeline().insert(JointPatrols(), after="stances"), [*COMPONENTS, JointPatrols()]):
        made = draft(text, reference, "t", "t.txt", gaz, components=components)
        assert made.proposals  # drafted twice, with the proposed entries: the component ran in both runs, once each
        coop = [f for f in made.facts if f.type == "cooperation"]
        assert [(f.id, f.values["parties"], f.at) for f in coop] == [("chn-rus-joint-patrol", ["CHN", "RUS"], [9])]
        assert made.skipped == plain.skipped + ["\u00b610: a joint patrol with fewer than two states"]
        # the other facts are as the shipped pipeline drafts them, and the fact file holds the new one
        assert [f.id for f in made.facts if f.type != "cooperation"] == [f.id for f in plain.facts]
        assert "id: chn-rus-joint-patrol" in to_yaml(made)
