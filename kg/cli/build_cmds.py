"""``kg build``, ``kg validate``, ``kg export``."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import ExitCode
from ..output.formats import FORMATS as EXPORT_FORMATS
from .group import cli, exit_without_teardown, handle_errors, project_of
from .params import build_options


def report_options(func):
    func = click.option("--format", "report_format", type=click.Choice(["text", "turtle", "json"]),
                        default="text", show_default=True,
                        help="How to print the validation report: one line per result, the SHACL "
                             "report graph as Turtle, or JSON.")(func)
    return func


_RANK = {"violation": 0, "warning": 1, "info": 2}


def _shown_results(report, severity: str):
    """The report with the results of ``severity`` or worse (never fewer than its violations)."""
    from ..build.shacl.report import Report

    keep = _RANK[severity]
    return Report([r for r in report.results if _RANK.get(r.severity.lower(), 2) <= keep])


def _print_report(report, report_format: str, severity: str = "info", err: bool = False) -> None:
    """The validation report, with the results of ``severity`` or worse: on standard output
    where it is the command's data (kg validate), on standard error where it is a report on the
    way (kg build: ``err``)."""
    from ..build.shacl.report import format_json, format_text, report_graph

    report = _shown_results(report, severity)
    if report_format == "turtle":
        click.echo(report_graph(report).serialize(format="turtle"), nl=False, err=err)
    elif report_format == "json":
        click.echo(format_json(report), err=err)
    else:
        text = format_text(report)
        if text:
            click.echo(text, err=err)


def _run(project, **kwargs):
    """kg.pipeline.run with a progress bar on a terminal's stderr (``kg.cli.report``)."""
    from ..pipeline import run
    from .report import bars_shown

    if not bars_shown():
        return run(project, **kwargs)
    bar = None
    state = {"shown": 0}

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            if total - done < 50:  # over in a moment: no bar
                return
            bar = click.progressbar(length=total, label="Articles", file=sys.stderr)
            bar.__enter__()
        bar.update(done - state["shown"])
        state["shown"] = done

    try:
        return run(project, progress=progress, **kwargs)
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)


@cli.command()
@click.option("-o", "--out-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where to write kg.ttl and kg.trig: a new or empty folder, or one that 'kg build' made "
                   "(anything else is refused). Default: build/ in the project.")
@click.option("--reason", type=click.Choice(["owlrl", "rdfs", "none"]), default="owlrl", show_default=True,
              help="What to infer from the ontology into graph:inferred: OWL 2 RL (owlrl), RDFS only, "
                   "or nothing.")
@click.option("--watch", is_flag=True,
              help="Then keep watching the ontology, the reference and the articles, and build again as "
                   "soon as one changes, in this process: only what changed is redone and read. A failed "
                   "build is reported and the watch goes on. With --format json or turtle, each "
                   "build's report is printed in turn. Ctrl-C or SIGTERM stops it (exit 0).")
@report_options
@build_options
@click.pass_context
@handle_errors
def build(ctx: click.Context, out_dir: Path | None, reason: str, watch: bool, report_format: str, engine: str,
          jobs: int, no_cache: bool, severity: str) -> None:
    """Build the graph from data/ and write build/kg.ttl (merged) and build/kg.trig (named graphs).

    Every article is read, turned into triples and validated on its own; facts that several
    articles report differently are then checked together (warnings). The outputs are written
    only when the whole graph conforms (warnings allowed); a failed build leaves the previous
    outputs as they were. The validation results go to standard error (as JSON or Turtle, with
    --format, to standard output), the summary too.

    \b
    Example:
        kg build
        kg build -o /tmp/out
        kg build --jobs 2 -v
        kg build --engine reference --no-cache
        kg build --severity warning
        kg build --watch
    """
    from ..output.publish import check

    if watch and no_cache:  # each build would read and build every article again
        raise click.UsageError("--watch takes unchanged articles from .kg/cache/; it does not go with "
                               "--no-cache", ctx=ctx)
    project = project_of(ctx)
    out = out_dir or project.build_dir
    # out is a link to the new generation: show the link, not where it points
    link = out.parent.resolve() / out.name
    try:
        shown_dir = link.relative_to(project.root.resolve()).as_posix()
    except ValueError:
        shown_dir = str(link)
    check(out, "build", shown_dir)  # before the work: kg replaces only what it made
    options = dict(reason=reason, report_format=report_format, engine=engine, jobs=jobs, no_cache=no_cache,
                   severity=severity)
    if not watch:
        exit_without_teardown()
        code = _build_once(project, out, shown_dir, **options)
        if code:
            sys.exit(code)
        return
    _watch(project, out, shown_dir, options)


def _build_once(project, out: Path, shown_dir: str, reason: str, report_format: str, engine: str, jobs: int,
                no_cache: bool, severity: str, warm=None) -> int:
    """One build, its report and summary; the exit code (0, or NOT_CONFORMING: nothing written)."""
    from ..pipeline import MERGED, NAMED, write_outputs
    from ..build.shacl.report import summary
    from .report import QUIET, detail, summary as say, verbosity

    result = _run(project, reason=reason, engine=engine, jobs=jobs, use_cache=not no_cache, warm=warm)
    # verbose: which fact files were built again (the others came from .kg/cache/)
    detail(f"Rebuilt {len(result.rebuilt)} of {result.article_count} article(s):"
           + "".join(f"\n  {name}" for name in result.rebuilt))
    if report_format != "text":  # the report in a format for programs: asked for as data
        _print_report(result.report, report_format, severity)
    elif verbosity() != QUIET:
        _print_report(result.report, report_format, severity, err=True)
    elif not result.report.conforms:  # quiet: the violations of a failed build only
        _print_report(result.report, report_format, "violation", err=True)
    if not result.report.conforms:
        click.echo(f"Not built: {summary(result.report)}.", err=True)
        return ExitCode.NOT_CONFORMING
    outputs = write_outputs(result, out, shown_dir)
    if result.spliced is not None:
        detail(f"Wrote {shown_dir}/{MERGED} and {shown_dir}/{NAMED} from the previous build's: "
               f"{result.spliced} of {len(result.graph_counts())} graph(s) changed")
    shown = ", ".join(f"{shown_dir}/{p.name}" for p in outputs.values())
    count = result.inferred_count
    inferred = f", {count} inferred" if count is not None else ""
    say(f"Built {result.article_count} article(s), {result.triple_count()} triples{inferred} "
        f"({summary(result.report)}): {shown}")
    return 0


def _watch(project, out: Path, shown_dir: str, options: dict) -> None:
    """``kg build --watch``: build, then build again after each batch of changes to the inputs,
    keeping what a build needs from one to the next (``kg.pipeline.Warm``); an error is reported
    as ``kg build`` reports it, and the watch goes on."""
    import signal
    import time

    from ..pipeline import Warm, input_folders, watch_inputs
    from .group import error_line
    from .report import detail, summary as say

    warm = Warm()

    def once() -> None:
        began = time.monotonic()
        try:
            _build_once(project, out, shown_dir, warm=warm, **options)
        except Exception as exc:
            line = error_line(exc)
            if line is None:
                raise
            click.echo(line, err=True)
        detail(f"kg build: {time.monotonic() - began:.2f} s")
        warm.settle()  # the collector's work done now, before the next change (Warm.settle)

    def stop(_signum, _frame) -> None:
        raise KeyboardInterrupt

    # SIGTERM (a service manager's, kill's) stops it as Ctrl-C does; SIGINT is left as it was
    # given: a job started in the background ignores it, as it should
    try:
        previous = signal.signal(signal.SIGTERM, stop)
    except ValueError:  # not the main thread: SIGTERM as Python has it
        previous = None
    try:
        once()
        folders = [project.display(d) + "/" for d in input_folders(project)]
        say(f"Watching {', '.join(folders)} for changes (Ctrl-C stops)")
        for changed in watch_inputs(project):
            shown = ", ".join(changed[:3]) + (f" and {len(changed) - 3} more" if len(changed) > 3 else "")
            say(f"Changed: {shown}")
            once()
    except KeyboardInterrupt:
        pass
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    say("Stopped watching")


@cli.command()
@report_options
@build_options
@click.pass_context
@handle_errors
def validate(ctx: click.Context, report_format: str, engine: str, jobs: int, no_cache: bool,
             severity: str) -> None:
    """Validate the facts against the shapes; write nothing.

    Prints the report on standard output, one line per result: severity, focus node, path,
    message, and the fact file and line that produced the focus node; the summary goes to
    standard error. Exits 1 when there is a violation.

    \b
    Example:
        kg validate
        kg validate --format json
        kg validate --severity violation
    """
    from ..build.shacl.report import summary
    from .report import summary as say

    exit_without_teardown()
    result = _run(project_of(ctx), reason="none", engine=engine, jobs=jobs, use_cache=not no_cache)
    _print_report(result.report, report_format, severity)
    say(("Conforms" if result.report.conforms else "Does not conform") + f": {summary(result.report)}.")
    if not result.report.conforms:
        sys.exit(ExitCode.NOT_CONFORMING)


@cli.command()
@click.option("--format", "fmt", type=click.Choice(list(EXPORT_FORMATS)),
              default="turtle", show_default=True, help="The RDF format to write.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The file to write (atomically). Default: standard output.")
@click.option("--with-inferred", is_flag=True,
              help="Add the triples inferred from the ontology (graph:inferred) to the export.")
@click.pass_context
@handle_errors
def export(ctx: click.Context, fmt: str, output: Path | None, with_inferred: bool) -> None:
    """Export the graph in an RDF format: triple formats merge the named graphs.

    \b
    Example:
        kg export --format ntriples -o kg.nt
        kg export --format trig
    """
    from ..output.export import exported, write_atomic, write_pieces
    from ..output.publish import check_outside_generations
    from ..pipeline import run
    from ..build.shacl.report import summary

    if output is not None:  # a file in a build generation would vanish with the next build
        check_outside_generations(output)
    result = run(project_of(ctx), reason="owlrl" if with_inferred else "none")
    if not result.report.conforms:
        click.echo(f"Error: the graph does not conform ({summary(result.report)}); run 'kg validate'", err=True)
        sys.exit(ExitCode.NOT_CONFORMING)
    data = exported(fmt, lambda: result.chunks(with_inferred), lambda: result.all_graphs(with_inferred),
                    inferred=with_inferred)
    if output is None:
        write_pieces(sys.stdout.buffer, data)
        sys.stdout.flush()
    else:
        write_atomic(output, data)


