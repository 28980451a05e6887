"""Word tokens with their offsets, the unit that entity names are matched on."""
from __future__ import annotations

import re
from dataclasses import dataclass

# Curly quotes and dashes are matched as their plain forms.
_NORMAL = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u201c": '"', "\u201d": '"',
                         "\u2013": "-", "\u2014": "-", "\u2212": "-", "\u00a0": " "})
_TOKEN = re.compile(r"[^\W_]+|\S", re.UNICODE)


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int

    @property
    def low(self) -> str:
        return self.text.casefold()

    @property
    def is_word(self) -> bool:
        return self.text[:1].isalnum()

    @property
    def is_cap(self) -> bool:
        return self.text[:1].isupper()


def plain(text: str) -> str:
    """``text`` with curly quotes and dashes made plain; the same length, so offsets hold."""
    return text.translate(_NORMAL)


def tokenize(text: str, offset: int = 0) -> list[Token]:
    """Runs of letters and digits, and single punctuation marks, with their offsets."""
    text = plain(text)
    return [Token(m.group(), m.start() + offset, m.end() + offset) for m in _TOKEN.finditer(text)]


def words(text: str) -> list[str]:
    """The word tokens of ``text``, case-folded, without hyphens (how names are keyed)."""
    return [t.low for t in tokenize(text) if t.text != "-"]
