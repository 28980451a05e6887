"""Drafting a fact file from an article's text: exercises, arms transfers, denials and
confirmations, with the cue of each and a confidence, for an analyst to review.

``draft`` runs a pipeline of components (``kg.extract.pipeline``), each reading some typed
records of what has been found in the article (``kg.extract.found.Found``) and adding others,
over the numbered paragraphs and sentences of ``kg.inputs.text``:

1. ``header`` (``kg.extract.header``): the title, publisher and dateline from the blocks before
   the body;
2. ``sentences`` (``kg.extract.sentences``): the body's sentences with the names the reference
   knows in each and its clauses, and the states the article is about;
3. ``exercise-events`` (``kg.extract.events``): trigger words group sentences into events (a
   codename or "the drill" keeps to the same one, "a drill" starts another);
4. ``exercise-facts`` (``kg.extract.exercise_facts``): participants, host, observers, location,
   dates and duration from the sentences of each event, by the words around each mention;
5. ``visits`` (``kg.extract.visits``): a visit told as the first since a year;
6. ``transfers`` (``kg.extract.transfer_facts``): a supply verb or noun and a weapon; supplier
   and recipient by the verb's roles (active, passive, "receive ... from");
7. ``stances`` (``kg.extract.stances``): "denied" and "confirmed" make facts that point at the
   facts they are about;
8. ``unknown-names`` (``kg.extract.names``): names the reference entities do not know; people,
   forces, ships, weapons and organisations become proposed reference entries
   (``kg.extract.propose``: ``Sighting`` records in, ``Proposal`` records out), and the article
   is drafted again with them as reference entities; the other names are listed, with a
   suggested entry for each.

Hedges make a fact ``reported`` or ``attributed`` (``kg.extract.sources``). Every value is a
reference id, proposed or not (or a date, a number), and a conflict the rules cannot settle is
left out and said in the fact's note: a draft loads and builds as it is.

With ``kg extract --nlp``, a parser's component (``kg.extract.nlp.ParseRoles``) runs first and
adds the record ``parse``, the roles and names of the article's parse: ``exercise-facts``,
``transfers`` and ``stances`` read its roles before their rules, ``unknown-names`` the people
and organisations it finds; without it that record is None and the rules alone decide.

``draft(..., components=...)`` takes another pipeline: ``default_pipeline().insert(mine,
after="stances")`` adds a component of one's own (see ``kg.extract.pipeline``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

from ..inputs.facts import Reference
from .context import Context
from .events import ExerciseEvents
from .exercise_facts import ExerciseFacts
from .found import Sent, Unresolved
from .header import ArticleHeader
from .mentions import Gazetteer
from .names import UnknownNames
from .pipeline import Component, Pipeline, pipeline_of
from .propose import Proposal, extended, slug
from .propose import propose as propose_entries
from .records import DraftFact
from .sentences import Sentences
from .stances import Stances
from .transfer_facts import Transfers
from .visits import Visits

__all__ = ["COMPONENTS", "Draft", "DraftFact", "Sent", "Unresolved", "default_pipeline", "draft", "slug"]

#: the shipped components, in the order they run
COMPONENTS: tuple[Component, ...] = (ArticleHeader(), Sentences(), ExerciseEvents(), ExerciseFacts(), Visits(),
                                     Transfers(), Stances(), UnknownNames())


def default_pipeline(parser: Component | None = None) -> Pipeline:
    """The shipped pipeline (``COMPONENTS``), to run as it is or to insert a component into;
    with ``parser`` (a component that adds the record ``parse``: ``kg.extract.nlp.ParseRoles``),
    that component first."""
    return Pipeline(COMPONENTS if parser is None else (parser, *COMPONENTS))


@dataclass
class Draft:
    header: dict
    header_notes: list[str]
    body: tuple[int, int] | None
    facts: list[DraftFact]
    unresolved: list[Unresolved]
    #: cues found that did not make a fact, in our words ("¶9: denial with nothing to deny")
    skipped: list[str]
    #: reference entries proposed for unknown names; the facts use their ids
    proposals: list[Proposal] = field(default_factory=list)
    #: the reference the facts were drafted against: the project's, plus the proposed entries
    reference: Reference | None = None


def draft(text: str, reference: Reference, article_id: str, source: str,
          gazetteer: Gazetteer | None = None, propose: bool = True,
          components: Pipeline | Sequence[Component] | None = None) -> Draft:
    """Draft the facts of an article's ``text``; ``source`` is the file name the header gives.

    With ``propose``, the unknown people, forces, vessels, weapons and organisations get
    proposed reference entries (``Draft.proposals``) and the article is drafted again with them
    as reference entities, so that the facts use them; ``Draft.reference`` is then the reference
    to read the draft with (the project's plus the proposed entries). ``components`` is the
    pipeline to run (``default_pipeline()`` without it); both runs use it."""
    pipeline = default_pipeline() if components is None else pipeline_of(components)
    found = pipeline.run(Context(text, reference, article_id, source, gazetteer))
    made = _draft_of(found)
    made.reference = reference
    proposals = propose_entries(list(found.sightings), reference.entities) if propose else []
    if not proposals:
        return made
    path = f"{article_id}.proposed.yaml"
    wider = extended(reference, proposals, path)
    made = _draft_of(pipeline.run(Context(text, wider, article_id, source, Gazetteer.of(wider))))
    made.proposals = proposals
    made.reference = wider
    return made


def _draft_of(found) -> Draft:
    header = found.header
    return Draft(header.values, list(header.notes), header.body, list(found.facts), list(found.unresolved),
                 list(found.notes))
