"""Paragraphs and sentences of an article's text, numbered the way fact files count them.

A paragraph is a block of the text separated from the next by one or more blank lines (a
line that holds only spaces or tabs is blank too); paragraphs are numbered from 1, and this
is the number a fact's ``at`` gives. Sentences are numbered from 1 within their paragraph.
Offsets are character offsets into the whole text, so that a sentence can be found again.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

#: words after which a full stop does not end a sentence
ABBREVIATIONS = frozenset(
    """
    mr mrs ms dr prof gen lt col maj capt cmdr adm sgt cpl pvt brig rep sen gov st mt ft
    jan feb mar apr jun jul aug sep sept oct nov dec
    no nos vol fig approx est inc ltd corp co dept univ govt
    vs etc al e g i
    """.split()
)

_BLANK_LINE = re.compile(r"\n[ \t\f\v]*\n(?:[ \t\f\v]*\n)*")
_LIST_ITEM = re.compile(r"^\s*(?:\d{1,3}[.)]|[-*\u2022\u2013])\s+")


@dataclass(frozen=True)
class Sentence:
    paragraph: int
    number: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Paragraph:
    number: int
    start: int
    end: int
    text: str
    sentences: tuple[Sentence, ...] = field(default=())

    @property
    def lines(self) -> list[str]:
        return [line.strip() for line in self.text.split("\n") if line.strip()]

    @property
    def words(self) -> int:
        return len(self.text.split())


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def paragraphs(text: str) -> list[Paragraph]:
    """The blocks of ``text`` separated by blank lines, numbered from 1, each with its sentences.

    Leading and trailing whitespace of a block is not part of it; the offsets point into
    ``text`` after ``normalise_newlines``.
    """
    text = normalise_newlines(text)
    out: list[Paragraph] = []
    bounds = [(m.start(), m.end()) for m in _BLANK_LINE.finditer(text)]
    edges = [0] + [e for _, e in bounds]
    ends = [s for s, _ in bounds] + [len(text)]
    for start, end in zip(edges, ends):
        block = text[start:end]
        if not block.strip():
            continue
        lead = len(block) - len(block.lstrip())
        trail = len(block) - len(block.rstrip())
        s, e = start + lead, end - trail
        number = len(out) + 1
        sents = tuple(
            Sentence(number, i, s + a, s + b, text[s + a:s + b])
            for i, (a, b) in enumerate(sentence_spans(text[s:e]), start=1)
        )
        out.append(Paragraph(number, s, e, text[s:e], sents))
    return out


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """The (start, end) offsets of the sentences of one paragraph.

    A sentence ends at '.', '!' or '?' (and any closing quotes or brackets) followed by a space
    and a capital letter, a digit or an opening quote, unless the full stop ends a known
    abbreviation, an initial ("J.") or a number. A line break also ends a sentence, unless the
    next line carries on in lower case (a hard-wrapped paragraph).
    """
    spans: list[tuple[int, int]] = []
    start = 0
    n = len(text)
    i = 0
    while i < n:
        ch = text[i]
        cut = None
        if ch in ".!?":
            j = i + 1
            while j < n and text[j] in ".!?\"'\u201d\u2019)]":
                j += 1
            if j >= n:
                cut = n
            elif text[j] in " \t\n":
                k = j
                while k < n and text[k] in " \t\n":
                    k += 1
                if k < n and _starts_sentence(text[k]) and not (ch == "." and _no_break_before(text, i)):
                    cut = j
        elif ch == "\n":
            k = i + 1
            while k < n and text[k] in " \t":
                k += 1
            nxt = text[k:k + 1]
            prev = text[start:i].rstrip()
            if nxt and prev and (not nxt.islower() or _LIST_ITEM.match(text[k:])) and not prev.endswith((",", ";", ":", "-")):
                cut = i
        if cut is not None:
            _add(text, start, cut, spans)
            start = cut
            i = cut
            continue
        i += 1
    _add(text, start, n, spans)
    return spans


def _add(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    chunk = text[start:end]
    if chunk.strip():
        lead = len(chunk) - len(chunk.lstrip())
        trail = len(chunk) - len(chunk.rstrip())
        spans.append((start + lead, end - trail))


def _starts_sentence(ch: str) -> bool:
    return ch.isupper() or ch.isdigit() or ch in "\"'\u201c\u2018(["


def _no_break_before(text: str, dot: int) -> bool:
    """True when the full stop at ``dot`` ends an abbreviation, an initial or a list number."""
    m = re.search(r"([A-Za-z]+)\.?$", text[max(0, dot - 12):dot])
    if m is None:
        # "1." at the start of a list item
        return bool(re.search(r"(?:^|\n)\s*\d{1,3}$", text[:dot]))
    word = m.group(1)
    if word.lower() in ABBREVIATIONS:
        return True
    if len(word) == 1 and word.isupper():  # an initial, or U.S.
        return True
    return False


def sentence_at(paras: list[Paragraph], offset: int) -> Sentence | None:
    for p in paras:
        if p.start <= offset < p.end:
            for s in p.sentences:
                if s.start <= offset < s.end:
                    return s
    return None
