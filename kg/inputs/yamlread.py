"""Reading YAML safely, keeping the line of every value.

Only plain YAML is accepted: a value's type comes from how it is written, and the only
explicit tags are ``!!str`` (text), ``!!seq`` and ``!!map``, which can only say what a value
already is or make it text; any other tag (``!!python/...``, ``!!int``, ``!!bool``, ``!!null``,
``!custom``) is refused, so that no tag slips a value past the checks. The document is
built from the parser's events without recursion, so that no nesting depth can exhaust the
stack (values nested deeper than ``MAX_DEPTH`` are refused); an alias reuses the value of its
anchor instead of copying it, and what aliases add is counted, so that an alias bomb ("billion
laughs") is refused at once with no memory spent on it. The text must be UTF-8; the file is read
by ``kg.inputs.files.read_bytes`` (a regular file of at most ``MAX_BYTES``).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.events import (
    AliasEvent, CollectionStartEvent, DocumentEndEvent, DocumentStartEvent, MappingEndEvent,
    MappingStartEvent, ScalarEvent, SequenceEndEvent, StreamEndEvent,
)

from ..errors import InputError
from .files import MAX_BYTES, decode_utf8, position, read_bytes

try:  # the C parser is much faster; fall back where PyYAML was built without it
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]
#: libyaml gives a ReaderError's position in bytes of UTF-8, PyYAML in characters
_POSITION_IN_BYTES = _Loader.__name__.startswith("C")

#: the most values that aliases may add to one file (an alias bomb adds billions)
MAX_ALIAS_VALUES = 100_000
#: the deepest nesting of lists and mappings (a fact file needs four levels)
MAX_DEPTH = 64

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_MERGE = "tag:yaml.org,2002:merge"
_SCALAR_TAGS = {_STR, _INT, _FLOAT, _BOOL, _NULL, _TIMESTAMP}


@dataclass
class Y:
    """A YAML value with the (1-based) line it starts on.

    ``value`` is a ``str`` (scalars keep their text), ``dict[str, Y]``, ``list[Y]`` or
    ``None``; ``tag`` is the short YAML type: str, int, float, bool, null, timestamp, map, seq.
    ``key_lines`` gives, for a map, the line of each key. A value that an alias repeats is the
    anchor's own ``Y`` (with the anchor's line).
    """

    value: Any
    line: int
    tag: str
    key_lines: dict[str, int] | None = None

    def plain(self) -> Any:
        """The value as plain Python (for tests and messages)."""
        if self.tag == "map":
            return {k: v.plain() for k, v in self.value.items()}
        if self.tag == "seq":
            return [v.plain() for v in self.value]
        return self.value


def read_yaml(path: Path, display: str, max_items: int | None = None, hint: str = "") -> Y | None:
    """Parse one YAML file into ``Y`` values; errors name ``display`` and the line.

    ``max_items`` is the most items a list may have (the reading stops at the first one over
    it, before the rest of the file is read); ``hint`` is added to that error.
    """
    return parse_yaml(read_bytes(path, display, "a fact file", MAX_BYTES), display, max_items, hint)


def parse_yaml(data: bytes, display: str, max_items: int | None = None, hint: str = "") -> Y | None:
    """Parse YAML bytes (which must be UTF-8); errors name ``display`` and the line."""
    text = decode_utf8(data, display)
    loader = _Loader(text)
    try:
        return _Builder(loader, display, max_items, hint).document()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        problem = _one_line(exc.problem or exc.context or "invalid YAML")
        raise InputError(f"YAML syntax error: {problem}", display, line) from None
    except yaml.reader.ReaderError as exc:
        offset = exc.position if _POSITION_IN_BYTES else len(text[: exc.position].encode("utf-8"))
        line, column = position(data, min(offset, len(data)))
        what = f"character U+{exc.character:04X}" if isinstance(exc.character, int) else "a character"
        raise InputError(f"{what} at column {column} is not allowed in YAML ({_one_line(exc.reason)})",
                         display, line) from None
    except yaml.YAMLError as exc:  # pragma: no cover - other PyYAML errors carry no mark
        raise InputError(f"YAML error: {_one_line(str(exc))}", display, 1) from None
    finally:
        loader.dispose()


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


class _Frame:
    """A list or mapping being read: its value, the key waiting for its value, its anchor and
    how many values it holds (aliases counted as what they repeat)."""

    __slots__ = ("y", "key", "key_line", "anchor", "size")

    def __init__(self, y: Y, anchor: str | None):
        self.y = y
        self.key: str | None = None
        self.key_line = 0
        self.anchor = anchor
        self.size = 1


class _Builder:
    def __init__(self, loader, display: str, max_items: int | None = None, hint: str = ""):
        self.loader = loader
        self.display = display
        self.max_items = max_items
        self.hint = hint
        self.stack: list[_Frame] = []
        self.anchors: dict[str, tuple[Y, int]] = {}
        self.open_anchors: set[str] = set()
        self.aliased = 0
        self.root: Y | None = None
        self._tags: dict[str, str] = {}

    def error(self, message: str, line: int) -> InputError:
        return InputError(message, self.display, line)

    def _resolve(self, event: ScalarEvent, line: int) -> str:
        tag = event.tag
        if tag is not None:  # an explicit tag: only !!str, which makes the value text
            if tag != _STR:
                raise self.error(f"tag {short_repr(tag, 120)} is not allowed; only plain YAML values are", line)
            return tag
        if not event.implicit[0]:  # quoted or block text: a string
            return self.loader.resolve(yaml.ScalarNode, event.value, event.implicit)
        value = event.value
        cached = self._tags.get(value)
        if cached is None:
            cached = self.loader.resolve(yaml.ScalarNode, value, event.implicit)
            if len(value) <= 40 and len(self._tags) < 10_000:
                self._tags[value] = cached
        return cached

    def document(self) -> Y | None:
        get = self.loader.get_event
        get()  # StreamStartEvent
        event = get()
        if isinstance(event, StreamEndEvent):
            return None
        assert isinstance(event, DocumentStartEvent)
        while True:
            event = get()
            line = event.start_mark.line + 1
            frame = self.stack[-1] if self.stack else None
            if frame is not None and frame.y.tag == "map" and frame.key is None \
                    and not isinstance(event, MappingEndEvent):
                self._key(frame, event, line)
                continue
            if isinstance(event, ScalarEvent):
                tag = self._resolve(event, line)
                if tag not in _SCALAR_TAGS:
                    raise self.error(f"tag {short_repr(tag, 120)} is not allowed; only plain YAML values are", line)
                y = Y(event.value, line, tag.rsplit(":", 1)[1])
                if event.anchor is not None:
                    self.anchors[event.anchor] = (y, 1)
                self._attach(y, 1)
            elif isinstance(event, CollectionStartEvent):
                is_map = isinstance(event, MappingStartEvent)
                tag = event.tag
                if tag is not None and tag != (_MAP if is_map else _SEQ):
                    what = "mappings" if is_map else "lists"
                    raise self.error(f"tag {short_repr(tag, 120)} is not allowed; only plain YAML {what} are", line)
                if len(self.stack) >= MAX_DEPTH:
                    raise self.error(f"lists and mappings are nested more than {MAX_DEPTH} levels deep", line)
                y = Y({}, line, "map", {}) if is_map else Y([], line, "seq")
                if event.anchor is not None:
                    self.open_anchors.add(event.anchor)
                self.stack.append(_Frame(y, event.anchor))
            elif isinstance(event, (SequenceEndEvent, MappingEndEvent)):
                done = self.stack.pop()
                if done.anchor is not None:
                    self.open_anchors.discard(done.anchor)
                    self.anchors[done.anchor] = (done.y, done.size)
                self._attach(done.y, done.size)
            elif isinstance(event, AliasEvent):
                self._attach(*self._alias(event.anchor, line))
            elif isinstance(event, DocumentEndEvent):
                break
        event = get()
        if not isinstance(event, StreamEndEvent):
            raise self.error("YAML syntax error: a file holds one YAML document, not several",
                             event.start_mark.line + 1)
        return self.root

    def _key(self, frame: _Frame, event, line: int) -> None:
        if not isinstance(event, ScalarEvent) or self._resolve(event, line) == _MERGE:
            raise self.error("keys must be plain words (no lists, mappings, aliases or merges)", line)
        tag = self._resolve(event, line)
        if tag not in _SCALAR_TAGS:
            raise self.error(f"tag {short_repr(tag, 120)} is not allowed; only plain YAML values are", line)
        key = event.value
        if key in frame.y.value:
            raise self.error(f"key {short_repr(key)} appears twice (first on line {frame.y.key_lines[key]})", line)
        frame.key, frame.key_line = key, line

    def _alias(self, anchor: str, line: int) -> tuple[Y, int]:
        if anchor in self.open_anchors:
            raise self.error(f"alias *{short_repr(anchor, quote=False)} refers to a value that contains it", line)
        found = self.anchors.get(anchor)
        if found is None:
            raise self.error(f"alias *{short_repr(anchor, quote=False)} has no anchor &{short_repr(anchor, quote=False)} "
                             "before it", line)
        self.aliased += found[1]
        if self.aliased > MAX_ALIAS_VALUES:
            raise self.error(f"aliases repeat more than {MAX_ALIAS_VALUES:,} values (an alias bomb?)", line)
        return found

    def _attach(self, y: Y, size: int) -> None:
        if not self.stack:
            self.root = y
            return
        parent = self.stack[-1]
        parent.size += size
        if parent.y.tag == "map":
            parent.y.value[parent.key] = y
            parent.y.key_lines[parent.key] = parent.key_line
            parent.key = None
        else:
            if self.max_items is not None and len(parent.y.value) >= self.max_items:
                raise self.error(f"the list that starts on line {parent.y.line} has more than "
                                 f"{self.max_items:,} items{self.hint}", y.line)
            parent.y.value.append(y)


def short_repr(text: str, limit: int = 60, quote: bool = True) -> str:
    """``repr`` of a value from a file, cut to ``limit`` characters (errors stay readable)."""
    if len(text) > limit:
        text = text[:limit] + "..."
    return repr(text) if quote else text
