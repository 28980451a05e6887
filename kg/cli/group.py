"""The ``kg`` command group, its error handling and what every command shares.

Exit codes: 0 the graph conforms (warnings allowed) or the command succeeded; 1 the data
does not conform (SHACL violations) or a check found rows; 2 bad input or a runtime error.
"""
from __future__ import annotations

import functools
from pathlib import Path

import click

from .. import __version__
from ..errors import ExitCode, KgError, NotConforming
from .params import KgCommand
from ..inputs.files import shown

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class KgClickError(click.ClickException):
    """An error shown as one line ``Error: ...`` (control characters escaped), exit 2."""

    exit_code = ExitCode.BAD_INPUT

    def __init__(self, message: str) -> None:
        from ..inputs.values import escape_controls

        super().__init__(escape_controls(message))


class KgGroup(click.Group):
    """kg's command group: a usage error (an unknown option or command, a bad or missing
    value) is one line ``Error: ...`` and exit 2, as every other error, instead of click's
    usage, hint and blank line; ``kg`` alone still prints the help. Its commands check the
    conflicts their options declare (``kg.cli.params.KgCommand``)."""

    command_class = KgCommand

    def make_context(self, *args, **kwargs) -> click.Context:
        try:
            return super().make_context(*args, **kwargs)
        except click.UsageError as exc:
            raise _one_line(exc) from None

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            raise _one_line(exc) from None


def _one_line(exc: click.UsageError) -> click.ClickException:
    if isinstance(exc, click.exceptions.NoArgsIsHelpError):
        return exc  # ``kg`` alone: the help, as click prints it
    return KgClickError(" ".join(exc.format_message().split()))


def handle_errors(func):
    """Turn the library's errors into one line ``Error: ...`` and exit 2."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except KgError as exc:
            raise KgClickError(str(exc)) from None
        except NotConforming as exc:
            from ..build.shacl.report import format_text, summary

            click.echo(format_text(exc.report), err=True)
            click.echo(f"Error: the graph does not conform ({summary(exc.report)}); nothing was built",
                       err=True)
            raise SystemExit(ExitCode.NOT_CONFORMING) from None
        except OSError as exc:
            raise KgClickError(_os_error(exc)) from None

    return wrapper


def _os_error(exc: OSError) -> str:
    where = f"{shown(exc.filename)}: " if getattr(exc, "filename", None) else ""
    return f"{where}{exc.strerror or exc}"


def error_line(exc: BaseException) -> str | None:
    """The line ``Error: ...`` that ``handle_errors`` prints for ``exc`` (a command that goes on
    after an error, ``kg build --watch``, prints it itself), or None for an error it does not
    handle."""
    if isinstance(exc, KgError):
        return f"Error: {KgClickError(str(exc)).format_message()}"
    if isinstance(exc, OSError):
        return f"Error: {KgClickError(_os_error(exc)).format_message()}"
    return None


def project_of(ctx: click.Context):
    """The project the command works on (``-C`` or the working directory)."""
    from ..project import find_project

    start = ctx.obj.get("project") if ctx.obj else None
    return find_project(Path(start) if start else None)


@click.group(name="kg", cls=KgGroup, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "--version", prog_name="kg", message="%(prog)s %(version)s")
@click.option("-C", "--project", type=click.Path(file_okay=False), default=None,
              help="The project folder (with ontology/ and data/). Default: the working directory "
                   "or the nearest folder above it that is one.")
@click.pass_context
def cli(ctx: click.Context, project: str | None) -> None:
    """Build, validate, export and query a knowledge graph of military cooperation between
    states, from curated facts of news articles.

    \b
    Example:
        kg build
        kg export --format trig -o graph.trig
    """
    ctx.ensure_object(dict)
    ctx.obj["project"] = project


#: whether the command that ran asked to end its process without the interpreter's teardown
#: (``exit_without_teardown``)
_QUICK_EXIT = {"asked": False}


def exit_without_teardown() -> None:
    """Ask that the ``kg`` process end, once the command is over and its output flushed, without
    the interpreter's teardown: freeing one by one every object a build of 10,000 articles left
    (0.2-0.4 s, more than the build of one edited article). For commands whose work is all on
    disk when they return (``kg build``, ``kg validate``: files written whole, synced and
    renamed; worker processes joined), never for one that holds a store open. The functions
    registered with ``atexit`` still run. Only the console command (``main``) does it; click's
    own ``main`` (tests, ``CliRunner``) ends as it does."""
    _QUICK_EXIT["asked"] = True


def main() -> None:
    import os
    import sys

    try:
        cli(prog_name="kg")
    except SystemExit as exc:
        if not _QUICK_EXIT["asked"] or not (exc.code is None or isinstance(exc.code, int)):
            raise
        import atexit

        try:
            atexit._run_exitfuncs()  # what was registered to run at exit still runs (a coverage or memory report)
            sys.stdout.flush()
            sys.stderr.flush()
        except Exception:  # a closed pipe: as Python reports it, on the way out
            raise exc from None
        os._exit(exc.code or 0)
