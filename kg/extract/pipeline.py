"""The drafting pipeline: components that each read some records of what has been found in an
article (``kg.extract.found.Found``) and add others, run in order.

A component is an object with a ``name``, the records it ``reads`` and the records it ``adds``
(names of ``Found``'s fields), called as ``component(found, context)``: ``found`` shows it only
the records it declares it reads (any other is an error), ``context``
(``kg.extract.context.Context``) holds the article's text, the reference and the helpers every
component shares. It returns a mapping with exactly the records it declares it adds, each the
whole record as it now stands (``found.facts + (new,)`` to add a fact). A component that
amends what an earlier one drafted (adds claims to its facts, folds two into one) reads and
adds that record.

``Pipeline`` checks the declarations when it is made: a component that reads a record no
component before it adds (but for an optional record, ``kg.extract.found.OPTIONAL``, read as
None where not given; a component that adds one after a component read it so is refused),
that adds a record an earlier one added without reading it (it would
drop what that one found), or that names a record ``Found`` does not have, is refused
(``PipelineError``); when it runs, a component that returns other records than it declares is
refused too. The shipped components (``kg.extract.draft.COMPONENTS``), in order, as
``name (module): reads -> adds``:

- header (``kg.extract.header``): -> header
- sentences (``kg.extract.sentences``): header -> sentences, main_actors
- exercise-events (``kg.extract.events``): header, sentences -> events, codenames
- exercise-facts (``kg.extract.exercise_facts``): header, sentences, events, parse -> facts, notes, posts
- visits (``kg.extract.visits``): sentences, facts, notes -> facts, notes
- transfers (``kg.extract.transfer_facts``): sentences, main_actors, facts, notes, parse -> facts, notes
- stances (``kg.extract.stances``): sentences, facts, notes, parse -> facts, notes
- unknown-names (``kg.extract.names``): sentences, main_actors, codenames, posts, parse -> unresolved, sightings

With ``kg extract --nlp``, a parser's component goes first (``default_pipeline(parser)``):
``kg.extract.nlp.ParseRoles``, named parse, reads nothing and adds ``parse``, the roles and names
of the article's parse, which exercise-facts, transfers and stances read before their rules, and
unknown-names for the people and organisations that its entity recogniser finds.

Another component goes in with ``Pipeline.insert`` (or ``draft(..., components=[...])``): one
that reads the sentences and adds facts and notes, say, a parser's, which comes after the
components whose facts it completes::

    class Mine:
        name, reads, adds = "mine", ("sentences", "facts"), ("facts",)

        def __call__(self, found, context):
            return {"facts": found.facts + tuple(more(found.sentences))}

    draft(text, reference, "a1", "a1.txt", components=default_pipeline().insert(Mine(), after="stances"))
"""
from __future__ import annotations

from dataclasses import replace
from typing import Iterable, Mapping, Protocol, Sequence

from .found import OPTIONAL, RECORDS, Found


class PipelineError(ValueError):
    """A pipeline whose components' declarations do not hold."""


class Component(Protocol):
    name: str
    reads: tuple[str, ...]
    adds: tuple[str, ...]

    def __call__(self, found: Found, context) -> Mapping[str, object]:  # pragma: no cover - a protocol
        ...


class _Reads:
    """``found`` as a component sees it: the records it declares it reads, and no other."""

    __slots__ = ("_found", "_reads", "_name")

    def __init__(self, found: Found, reads: Iterable[str], name: str):
        self._found, self._reads, self._name = found, frozenset(reads), name

    def __getattr__(self, record: str):
        if record not in self._reads:
            raise PipelineError(f"component '{self._name}' reads '{record}', which it does not declare in its reads")
        return getattr(self._found, record)


class Pipeline:
    """Components run in order, their declarations checked (see the module)."""

    def __init__(self, components: Iterable[Component]):
        self.components: tuple[Component, ...] = tuple(components)
        added: dict[str, str] = {}  # each record added so far, and the latest component that added it
        unset: dict[str, str] = {}  # each optional record read before any component added it, and who read it
        names: set[str] = set()
        for c in self.components:
            name = getattr(c, "name", None) or type(c).__name__
            if name in names:
                raise PipelineError(f"two components are named '{name}'")
            names.add(name)
            for record in (*c.reads, *c.adds):
                if record not in RECORDS:
                    raise PipelineError(f"component '{name}' names a record '{record}' that the pipeline does "
                                        f"not have (it has: {', '.join(RECORDS)})")
            missing = [r for r in c.reads if r not in added and r not in OPTIONAL]
            if missing:
                raise PipelineError(f"component '{name}' reads '{missing[0]}', which no component before it adds")
            dropped = [r for r in c.adds if r in added and r not in c.reads]
            if dropped:
                raise PipelineError(f"component '{name}' adds '{dropped[0]}' without reading it: it would drop what "
                                    f"'{added[dropped[0]]}' added")
            late = [r for r in c.adds if r in unset]
            if late:
                raise PipelineError(f"component '{name}' adds '{late[0]}' after '{unset[late[0]]}' read it as not "
                                    "given: it must come before")
            unset.update((r, name) for r in c.reads if r in OPTIONAL and r not in added and r not in unset)
            added.update((r, name) for r in c.adds)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.components)

    def insert(self, component: Component, *, before: str | None = None, after: str | None = None) -> Pipeline:
        """A new pipeline with ``component`` before or after the component so named (at the end
        when neither is given); checked as any pipeline is."""
        if before is not None and after is not None:
            raise PipelineError("insert a component before one component or after one, not both")
        where = before if before is not None else after
        if where is not None and where not in self.names:
            raise PipelineError(f"no component is named '{where}' (the pipeline has: {', '.join(self.names)})")
        at = len(self.components) if where is None else self.names.index(where) + (after is not None)
        return Pipeline([*self.components[:at], component, *self.components[at:]])

    def run(self, context, found: Found | None = None) -> Found:
        """Run every component in order on ``context``'s article; returns what they found."""
        found = found or Found()
        for c in self.components:
            added = c(_Reads(found, c.reads, c.name), context)
            if set(added) != set(c.adds):
                extra = sorted(set(added) - set(c.adds))
                lacking = sorted(set(c.adds) - set(added))
                raise PipelineError(f"component '{c.name}' " + (
                    f"adds '{extra[0]}', which it does not declare in its adds" if extra
                    else f"declares that it adds '{lacking[0]}' but did not add it"))
            found = replace(found, **{k: tuple(v) if isinstance(v, list) else v for k, v in added.items()})
        return found


def pipeline_of(components: Pipeline | Sequence[Component]) -> Pipeline:
    return components if isinstance(components, Pipeline) else Pipeline(components)
