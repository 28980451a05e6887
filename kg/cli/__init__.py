"""The ``kg`` command line: thin click commands over the library, one module per family of
commands; each registers itself on the group ``cli`` (``group``)."""
from __future__ import annotations

from .group import cli, main

# the commands, one module per family; each registers itself on ``cli``
from . import build_cmds, query_cmds  # noqa: E402,F401
from . import store_cmds  # noqa: E402,F401
from . import viz_cmds  # noqa: E402,F401
from . import extract_cmds  # noqa: E402,F401

__all__ = ["cli", "main"]
from . import serve_cmds  # noqa: E402,F401
