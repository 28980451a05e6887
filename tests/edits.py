"""Changing a test's copy of the project: shared by the test modules (``from edits import edit``)."""
from __future__ import annotations

from pathlib import Path


def edit(project: Path, rel: str, old: str, new: str) -> int:
    """Replace the first ``old`` in the file ``rel`` of ``project`` with ``new``; the line where
    it was."""
    path = project / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1
