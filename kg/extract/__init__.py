"""``kg extract``: a draft fact file from the plain text of a news article.

``extract_file`` reads the text (UTF-8), drafts the facts against a project's reference
entities (``kg.extract.draft``) and returns the fact file's text (``kg.extract.writer``).
"""
from __future__ import annotations

from pathlib import Path

from ..errors import InputError
from ..inputs.facts import Reference
from ..inputs.files import read_bytes, shown


def read_text(path: Path, display: str | None = None) -> str:
    """The text of an article file; a file that is not UTF-8 or holds no text is an error."""
    display = shown(display or str(path))
    if path.is_dir():
        raise InputError("is a folder, not a text file", display)
    data = read_bytes(path, display, "an article's text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise InputError(f"not UTF-8 text (byte 0x{data[exc.start]:02x} cannot be decoded)", display, line) from None
    if "\x00" in text:
        line = text[:text.index("\x00")].count("\n") + 1
        raise InputError("not a text file (it holds a NUL byte)", display, line)
    if not text.strip():
        raise InputError("the file holds no text", display, 1)
    return text


def extract_text(text: str, reference: Reference, article_id: str, source: str, propose: bool = True,
                 parser=None):
    """The draft (``kg.extract.draft.Draft``) of ``text``; with ``propose``, unknown names get
    proposed reference entries that the facts use; ``parser``: the component of a parse
    (``kg.extract.nlp.ParseRoles``), run first, whose roles the rules read before their own."""
    from .draft import default_pipeline, draft

    return draft(text, reference, article_id, source, propose=propose,
                 components=default_pipeline(parser) if parser is not None else None)


def extract_file(path: Path, reference: Reference, article_id: str, display: str | None = None,
                 proposed: str | None = None, parser=None):
    """Read ``path`` and draft its facts: returns (draft, fact file text). ``proposed`` is the
    name of the file beside the draft that will hold its proposed reference entries
    (``kg.extract.writer.proposed_yaml``); without it, the draft uses reference ids only and
    lists unknown names in comments. ``parser``: the component of a parse
    (``kg.extract.nlp.reader``), run first, whose roles the rules read before their own."""
    from .writer import to_yaml

    text = read_text(path, display)
    d = extract_text(text, reference, article_id, path.name, propose=proposed is not None, parser=parser)
    return d, to_yaml(d, proposed)
