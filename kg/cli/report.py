"""What a command tells people besides its data: progress, summaries, warnings and details go
to standard error, the data to standard output. How much is told is one setting for every
command, ``-q/--quiet`` and ``-v/--verbose`` (``verbosity_params``, which every command of kg
gets from ``kg.cli.params.KgCommand``).

- quiet: errors only (and the data): no progress bar, no summary, no validation warnings;
- normal: a progress bar on a terminal for long work, a summary line at the end;
- verbose: also what ran where and how long it took.
"""
from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import Callable, Iterator

import click

QUIET, NORMAL, VERBOSE = 0, 1, 2
_KEY = "kg.verbosity"


def _set(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if not value:
        return
    level = QUIET if param.name == "quiet" else VERBOSE
    given = ctx.meta.get(_KEY)
    if given is not None and given != level:
        raise click.UsageError("give -q/--quiet or -v/--verbose, not both", ctx=ctx)
    ctx.meta[_KEY] = level


def verbosity_params() -> list[click.Option]:
    """-q/--quiet and -v/--verbose, as every command has them (they set the verbosity; the
    command's function does not receive them)."""
    return [
        click.Option(["-q", "--quiet"], is_flag=True, expose_value=False, callback=_set,
                     help="Print errors and the data only: no progress bar, summary or warnings."),
        click.Option(["-v", "--verbose"], is_flag=True, expose_value=False, callback=_set,
                     help="Print also what ran where, and how long it took (on standard error)."),
    ]


def verbosity() -> int:
    ctx = click.get_current_context(silent=True)
    return ctx.meta.get(_KEY, NORMAL) if ctx is not None else NORMAL


def summary(message: str) -> None:
    """A summary line (on standard error), unless quiet."""
    if verbosity() >= NORMAL:
        click.echo(message, err=True)


def detail(message: str) -> None:
    """A detail line (on standard error), when verbose."""
    if verbosity() >= VERBOSE:
        click.echo(message, err=True)


def bars_shown() -> bool:
    """Progress bars are drawn on a terminal's standard error only, and never when quiet."""
    return verbosity() >= NORMAL and sys.stderr.isatty()


@contextmanager
def progress(label: str, length: int) -> Iterator[Callable[[int], None]]:
    """A progress bar on standard error (``click.progressbar``) where ``bars_shown()``; yields
    ``advance(n)``, which does nothing where no bar is drawn."""
    if not bars_shown() or length <= 0:
        yield lambda n: None
        return
    with click.progressbar(length=length, label=label, file=sys.stderr) as bar:
        yield bar.update
