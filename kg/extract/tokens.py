"""Word tokens with their offsets, the unit that entity names are matched on."""
from __future__ import annotations

import re
from dataclasses import dataclass

# Curly quotes and dashes are matched as their plain forms.
_NORMAL = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u201c": '"', "\u201d": '"',
                         "\u2013": "-", "\u2014": "-", "\u2212": "-", "\u00a0": " "})
_TOKEN = re.compile(r"[^\W_]+|\S", re.UNICODE)
# Name parts: runs of letters, runs of digits ("S400" is "S" "400", as "S-400" is), single marks.
_PART = re.compile(r"[^\W\d_]+|\d+|\S", re.UNICODE)
#: marks that join the parts of one name ("S-400", "F/A-18", "HQ-9/P", "U.S.") and say nothing
_JOINERS = frozenset("-/.")


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


def name_tokens(text: str, offset: int = 0) -> list[Token]:
    """The tokens names are matched on: runs of letters and runs of digits, with their offsets;
    hyphens, and slashes and dots inside a word ("F/A-18", "HQ-9/P"), left out; single letters
    joined by dots or a slash made one ("U.S." is "US", "F/A" is "FA"). Any other mark is a token
    of its own, which no name crosses: the full stop after "the US." ends the name."""
    text = plain(text)
    raw = list(_PART.finditer(text))
    out: list[Token] = []
    i = 0
    while i < len(raw):
        m = raw[i]
        t = m.group()
        if len(t) == 1 and t.isalpha():
            letters, j = [t], i
            while (j + 2 < len(raw) and raw[j + 1].group() in "./" and raw[j + 1].start() == raw[j].end()
                   and len(raw[j + 2].group()) == 1 and raw[j + 2].group().isalpha()
                   and raw[j + 2].start() == raw[j + 1].end()):
                letters.append(raw[j + 2].group())
                j += 2
            if len(letters) > 1:
                end = raw[j].end()
                if j + 1 < len(raw) and raw[j + 1].group() == "." and raw[j + 1].start() == end:
                    j += 1  # the abbreviation's last dot
                    end = raw[j].end()
                out.append(Token("".join(letters), m.start() + offset, end + offset))
                i = j + 1
                continue
        if t == "-" or (t in _JOINERS and 0 < i < len(raw) - 1 and raw[i - 1].end() == m.start()
                        and raw[i + 1].start() == m.end() and raw[i - 1].group()[:1].isalnum()
                        and raw[i + 1].group()[:1].isalnum()):
            i += 1
            continue
        out.append(Token(t, m.start() + offset, m.end() + offset))
        i += 1
    return out
