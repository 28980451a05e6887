"""The library's exceptions. The command line turns them into one-line errors and exit codes."""
from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """The exit codes of every command, as README.md's *Exit codes* table documents them."""

    OK = 0
    #: the data does not conform to the shapes, or a quality check found rows
    NOT_CONFORMING = 1
    #: bad input (a fact file, a reference file, an option) or a runtime error
    BAD_INPUT = 2


class KgError(Exception):
    """Bad input or a runtime failure: the CLI prints it as one line, ``ExitCode.BAD_INPUT``."""

    def __init__(self, message: str, path: str | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line

    def __str__(self) -> str:
        if self.path is not None and self.line is not None:
            return f"{self.path}:{self.line}: {self.message}"
        if self.path is not None:
            return f"{self.path}: {self.message}"
        return self.message


class InputError(KgError):
    """A fact file, a reference file or a parameter is wrong."""


class NotConforming(Exception):
    """The data has SHACL violations: the CLI prints ``report``, ``ExitCode.NOT_CONFORMING``."""

    def __init__(self, report):
        super().__init__("the graph does not conform")
        self.report = report
