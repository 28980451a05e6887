"""Reading YAML safely, keeping the line of every value.

Only the plain YAML types are accepted (no ``!!python/...`` or other tags); aliases are
expanded with a budget so that an alias bomb fails quickly; the text must be UTF-8.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .errors import InputError

try:  # the C loader is much faster; fall back where PyYAML was built without it
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

#: the most scalar and collection nodes one file may expand to (aliases included)
MAX_NODES = 2_000_000
#: the largest fact or reference file read, in bytes
MAX_BYTES = 64 * 1024 * 1024

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_SCALAR_TAGS = {_STR, _INT, _FLOAT, _BOOL, _NULL, _TIMESTAMP}


@dataclass
class Y:
    """A YAML value with the (1-based) line it starts on.

    ``value`` is a ``str`` (scalars keep their text), ``dict[str, Y]``, ``list[Y]`` or
    ``None``; ``tag`` is the short YAML type: str, int, float, bool, null, timestamp, map, seq.
    ``key_lines`` gives, for a map, the line of each key.
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


def read_yaml(path: Path, display: str) -> Y | None:
    """Parse one YAML file into ``Y`` values; errors name ``display`` and the line."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(f"cannot read the file ({exc.strerror})", display) from None
    if size > MAX_BYTES:
        raise InputError(
            f"file is {size:,} bytes, more than the {MAX_BYTES:,} a fact file may have; "
            "split it into several files",
            display,
        )
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputError(
            f"not UTF-8: byte 0x{data[exc.start]:02x} at column {column} (offset {exc.start})",
            display,
            line,
        ) from None
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        problem = exc.problem or exc.context or "invalid YAML"
        raise InputError(f"YAML syntax error: {problem}", display, line) from None
    except yaml.YAMLError as exc:  # pragma: no cover - other PyYAML errors carry no mark
        raise InputError(f"YAML error: {exc}", display, 1) from None
    if node is None:
        return None
    budget = [MAX_NODES]
    return _convert(node, display, budget)


def _convert(node: yaml.Node, display: str, budget: list[int]) -> Y:
    budget[0] -= 1
    if budget[0] < 0:
        raise InputError(
            f"the document expands to more than {MAX_NODES:,} values (an alias bomb?)",
            display,
            node.start_mark.line + 1,
        )
    line = node.start_mark.line + 1
    if isinstance(node, yaml.ScalarNode):
        if node.tag not in _SCALAR_TAGS:
            raise InputError(f"tag {node.tag!r} is not allowed; only plain YAML values are", display, line)
        return Y(node.value, line, node.tag.rsplit(":", 1)[1])
    if isinstance(node, yaml.SequenceNode):
        if node.tag != _SEQ:
            raise InputError(f"tag {node.tag!r} is not allowed; only plain YAML lists are", display, line)
        return Y([_convert(item, display, budget) for item in node.value], line, "seq")
    if isinstance(node, yaml.MappingNode):
        if node.tag != _MAP:
            raise InputError(f"tag {node.tag!r} is not allowed; only plain YAML mappings are", display, line)
        out: dict[str, Y] = {}
        key_lines: dict[str, int] = {}
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                raise InputError("keys must be plain words (no lists, mappings or merges)", display, key_line)
            key = key_node.value
            if key in out:
                raise InputError(f"key {key!r} appears twice (first on line {key_lines[key]})", display, key_line)
            out[key] = _convert(value_node, display, budget)
            key_lines[key] = key_line
        return Y(out, line, "map", key_lines)
    raise InputError("unsupported YAML node", display, line)  # pragma: no cover
