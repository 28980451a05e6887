"""The records the drafting components hand each other: a drafted fact (``DraftFact``), read by
the writer and by the components that fold or complete facts (``kg.extract.transfers``)."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class DraftFact:
    type: str
    id: str
    label: str
    at: list[int]
    values: dict
    cues: list[str] = field(default_factory=list)
    confidence: float = 0.5

    def note(self) -> str:
        cues = "; ".join(dict.fromkeys(self.cues))
        extra = self.values.get("_note", "")
        return (f"DRAFT by kg extract, review. Cues: {cues}. Confidence {self.confidence:.2f}."
                + (f" {extra}" if extra else ""))
