"""What every drafting component of one run shares (``kg.extract.pipeline``): the article's
text and paragraphs, the reference and its gazetteer, the ids given so far, the speakers found
so far, and the helpers over the reference (``state_of``, ``force_for``, ``new_id``, ``label``)."""
from __future__ import annotations

from ..inputs.facts import Entity, Reference, force_state
from ..inputs.text import paragraphs
from . import claims
from .mentions import Gazetteer, Mention
from .propose import slug


class Context:
    def __init__(self, text: str, reference: Reference, article_id: str, source: str,
                 gazetteer: Gazetteer | None = None):
        self.text = text
        self.reference = reference
        self.gaz = gazetteer or Gazetteer.of(reference)
        self.article_id = article_id
        #: the file name the header gives
        self.source = source
        self.paras = paragraphs(text)
        #: the ids given to drafted facts so far (``new_id``)
        self.ids: set[str] = set()
        #: the speakers of each sentence found so far, by its index in the sentences
        #: (``kg.extract.sources.speakers``): the speakers of one sentence depend on those found before
        self.spoken: dict[int, list[claims.Speaker]] = {}

    def entity(self, ident: str) -> Entity:
        return self.reference.entities[ident]

    def label(self, ident: str) -> str:
        return self.entity(ident).label

    def state_of(self, m: Mention) -> str | None:
        """The state a mention stands for: a state, a force's state, a warship's operator's state."""
        if m.kind == "state":
            return m.id
        if m.kind in ("force", "vessel"):
            e = self.entity(m.id)
            if m.kind == "vessel":
                if "operator" not in e.values:  # a merchant ship, or a proposed entry
                    return None
                e = self.entity(e.values["operator"].id)
            return force_state(self.reference, e)
        return None

    def force_for(self, state: str, kind: str | None) -> str | None:
        """The state's force of ``kind`` (navy, army, air-force), else its armed forces."""
        forces = [e for e in self.reference.entities.values()
                  if e.kind == "force" and force_state(self.reference, e) == state]
        for want in ([kind] if kind else []) + ["armed-forces"]:
            found = sorted((e for e in forces if e.values.get("kind") == want),
                           key=lambda e: ("part_of" in e.values and
                                          self.entity(e.values["part_of"].id).values.get("kind") == want, e.id))
            if found:
                return found[0].id
        return None

    def new_id(self, base: str) -> str:
        """A fact id made of ``base``, unique in the draft."""
        base = slug(base)
        ident, n = base, 2
        while ident in self.ids:
            ident, n = f"{base}-{n}", n + 1
        self.ids.add(ident)
        return ident
