"""The header component: the article's title, publisher and date from the blocks before its
body, and which blocks are the body (``kg.extract.found.Header``)."""
from __future__ import annotations

import datetime as dt
import re

from ..inputs.text import Paragraph
from .context import Context
from .dates import find_dates
from .found import Found, Header
from .tokens import plain


def is_body(p: Paragraph) -> bool:
    lines = p.lines
    if lines and all(lx_list.match(line) for line in lines):
        return False  # a numbered or bulleted list: a summary box, a menu
    if is_caption(p):
        return False  # a photo's caption: its date is the photo's, never the article's or a fact's
    return p.words >= 6 and bool(re.search(r"[.!?][\"'\u201d\u2019)]?\s*$", p.text))


#: a photo credit, which ends or opens a caption: "Photo: Reuters", "(AFP)", "File photo", "... 2023. Reuters"
_PHOTO_CREDIT = re.compile(
    r"^\s*(?:(?:file\s+)?photo|image|picture)\b|\b(?:photo|image|picture)(?:\s+credit)?\s*:|"
    r"\((?:photo|image|picture)\b[^)]{0,40}\)|\bGetty\s+Images\b|\b(?:REUTERS|AFP|AP|EPA)/[A-Z]|"
    r"[.!?]\s*(?:Reuters|AP|AFP|EPA|Getty\s+Images|TASS|Xinhua|Anadolu(?:\s+Agency)?)\.?\s*$", re.I)
#: a date that a line says is not the article's: "date: unknown", "no date", a photo's or a caption's date
_NOT_PUBLISHED = re.compile(r"\b(?:date\s*:?\s*(?:unknown|not\s+(?:given|stored|known))|no\s+date|"
                            r"(?:photo|picture|image)['\u2019]s\s+date|caption)\b", re.I)


def is_caption(p: Paragraph) -> bool:
    """A photo's caption: a short block (at most three sentences) with a photo credit."""
    return len(re.findall(r"[.!?](?:\s|$)", p.text)) <= 3 and bool(_PHOTO_CREDIT.search(p.text.strip()))


def _not_the_article_date(text: str, start: int, end: int) -> bool:
    """True when the date at ``start:end`` of a line before the body is not the article's: the line
    says the date is unknown, or calls it a photo's or a caption's date ("date: unknown (the
    'April 2' in the text is a photo-caption date)")."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line = text[line_start:line_end if line_end >= 0 else len(text)]
    return bool(_NOT_PUBLISHED.search(line))


lx_list = re.compile(r"^\s*(?:\d{1,3}[.)]|[-*\u2022])\s+")


class ArticleHeader:
    """Reads the text (the context's paragraphs); adds ``header``."""

    name = "header"
    reads: tuple[str, ...] = ()
    adds = ("header",)

    def __call__(self, found: Found, ctx: Context) -> dict:
        body_paras = [p for p in ctx.paras if is_body(p)]
        first = body_paras[0].number if body_paras else None
        last = body_paras[-1].number if body_paras else None
        head = [p for p in ctx.paras if first is None or p.number < first]
        notes: list[str] = []
        # title: a heading line before the body, the one repeated most often in the text
        lines = [(p.number, line) for p in head for line in p.lines]
        whole = plain(ctx.text)
        best = None
        for n, line in lines:
            words = line.split()
            if len(words) < 4 or len(line) > 200 or re.search(r"[.:]$", line) or line.isupper():
                continue
            if find_dates(line, None):
                continue
            score = whole.count(plain(line))
            if best is None or score > best[0]:
                best = (score, n, line)
        header: dict = {"id": ctx.article_id}
        if best:
            header["title"] = best[2]
        else:
            header["title"] = f"Article {ctx.article_id}"
            notes.append("no title found before the body; the title is made up, replace it")
        publisher = None
        for p in head:
            for m in ctx.gaz.find(plain(p.text)):
                if m.kind == "organisation" and ctx.entity(m.id).values.get("kind") in ("news-outlet", "news-agency"):
                    publisher = publisher or m.id
        header["publisher"] = publisher or "unknown"
        published = None
        for p in head:
            if is_caption(p):
                continue  # a photo's caption dates the photo, not the article
            text = plain(p.text)
            for d in find_dates(text, None):
                if _not_the_article_date(text, d.start, d.end):
                    continue
                if d.precision == "day" and not d.is_range:
                    published = (d.value, p.number)
                    break
            if published:
                break
        base = None
        if published:
            header["published"] = published[0]
            header["published_basis"] = f"the date line before the body (block {published[1]})"
            base = dt.date.fromisoformat(published[0])
        else:
            header["published"] = "unknown"
        header["language"] = "en"
        header["source"] = ctx.source
        # the title the main actors are counted in: none when it was made up
        title = header.get("title", "") if not notes else ""
        return {"header": Header(header, tuple(notes), (first, last) if first is not None else None, base, title)}
