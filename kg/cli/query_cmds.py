"""``kg query`` and ``kg check``: the saved SPARQL queries."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import ExitCode
from ..sparql.results import GRAPH_FORMATS, SELECT_FORMATS
from .group import cli, handle_errors, project_of
from .report import detail, summary
from .params import columns_option, query_target_options, result_options


def open_engine(project, engine: str, store_dir: Path | None, endpoint: str | None,
                query_path: str | None, timeout: float, retries: int = 3, max_answer_mb: float = 128):
    """The engine that the options name; builds the graph first where it is stale."""
    if endpoint is not None:
        from ..engines.endpoint_engine import EndpointEngine

        return EndpointEngine(endpoint, query_path=query_path, timeout=timeout, retries=retries,
                              max_answer_mb=max_answer_mb)
    if store_dir is not None:
        from ..engines.oxigraph_engine import OxigraphEngine

        return OxigraphEngine.open(store_dir, timeout=timeout)
    from ..engines import from_file
    from ..pipeline import NAMED, ensure_built

    return from_file(engine, ensure_built(project) / NAMED, timeout=timeout)


@cli.command()
@click.argument("name", required=False)
@click.option("-p", "--param", "params", multiple=True, metavar="KEY=VALUE",
              help="A parameter value; an IRI parameter takes an IRI, an entity id (IRN) or a label. Repeatable.")
@click.option("--format", "fmt", type=click.Choice([*SELECT_FORMATS, *GRAPH_FORMATS]),
              default=None,
              help="Output: table (default, for people), csv/tsv/json/xml (W3C SPARQL results formats), "
                   "markdown; turtle (default) or ntriples for CONSTRUCT and DESCRIBE queries.")
@click.option("-e", "--sparql", "sparql", metavar="QUERY", default=None,
              help="Run this query text instead of a saved one (NAME '-' reads it from standard input); "
                   "the project's prefixes (mc:, id:, xsd:...) are declared for it.")
@click.option("--list", "list_", is_flag=True, help="List the saved queries with their summaries.")
@click.option("--show", is_flag=True, help="Print the query with its parameters documented; run nothing.")
@click.option("--allow-service", is_flag=True, help="Allow the query to call remote SERVICEs.")
@columns_option
@result_options
@query_target_options
@click.pass_context
@handle_errors
def query(ctx, name, params, fmt, sparql, list_, show, allow_service, columns, raw, width, engine, store_dir,
          endpoint, query_path, timeout, retries, max_answer_mb):
    """Run a saved SPARQL query (a name from queries/), a query file (PATH.rq), a query given
    with -e, or one read from standard input (NAME '-'). Every query may use the project's
    prefixes (mc:, id:, graph:, xsd:...) without declaring them.

    Each IRI column ?x gets a label column ?xLabel beside it (tables show the label in its
    place); --raw prints the W3C results as they are. A table on a terminal fits its width.

    \b
    Example:
        kg query --list
        kg query exercises
        kg query exercise-partners --param state=IRN
        kg query arms-transfers --format csv > transfers.csv
        kg query arms-transfers --columns supplierLabel,recipientLabel,weaponLabel
        kg query exercise-partners --format csv --raw
        kg query -e 'SELECT ?s WHERE { ?s a mc:State } LIMIT 3'
        echo 'ASK { id:state/IRN a mc:State }' | kg query -
        kg query exercises --store .kg/store
        kg query exercises --endpoint http://localhost:7878
    """
    from ..queries import find_query, query_names, parse_query_file

    project = project_of(ctx)
    if list_:
        names = query_names(project.queries_dir)
        width = max((len(n) for n in names), default=0)
        for n in names:
            q = parse_query_file(project.queries_dir / f"{n}.rq", n)
            click.echo(f"{n.ljust(width)}  {q.summary}".rstrip())
        return
    if sparql is not None and name:
        raise click.UsageError("give a query name or -e QUERY, not both")
    if sparql is not None or name == "-":
        from ..queries import parse_query_text

        display = "--sparql" if sparql is not None else "<stdin>"
        text = sparql if sparql is not None else _read_stdin()
        q = parse_query_text(text, Path(display), display, display)
        q.path = None
    elif not name:
        raise click.UsageError("give a query name (see 'kg query --list'), a .rq file, -e QUERY or '-'")
    else:
        q = find_query(project.queries_dir, name, project.display)
    if show:
        click.echo(_describe(q))
        return
    chosen = [c.strip() for c in columns.split(",") if c.strip()] if columns is not None else None
    _run_and_print(project, q, params, fmt, allow_service,
                   open_engine(project, engine, store_dir, endpoint, query_path, timeout, retries, max_answer_mb),
                   raw=raw, columns=chosen, width=width)


def _read_stdin() -> str:
    from ..errors import InputError

    data = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read().encode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"the query is not UTF-8 (byte {exc.start})", "<stdin>") from None


def _describe(q) -> str:
    lines = [f"# {q.name}: {q.summary}".rstrip()]
    if q.description:
        lines.append(f"# {q.description}")
    if q.params:
        lines.append("# parameters:")
        for p in q.params:
            default = f", default {q.defaults[p.name]}" if p.name in q.defaults else ""
            lines.append(f"#   --param {p.name}=...  {p.describe()}{default}; variable ?{p.var}")
    else:
        lines.append("# parameters: none")
    lines.append("")
    lines.append(q.text.rstrip("\n"))
    return "\n".join(lines)


def _run_and_print(project, q, params, fmt, allow_service, engine, raw: bool = False,
                   columns: list[str] | None = None, width: int | None = None) -> int:
    """Run the query and print its answer; the number of rows (or 1 for a true ASK)."""
    from ..sparql import results as out
    from ..queries import bind_params, check_query, parse_params, run_query, run_query_stream

    check_query(q, project.display(q.path) if q.path is not None else q.name, allow_service=allow_service)
    writer = out.SELECT_FORMATS.get(fmt or "table")
    if q.form == "SELECT" and writer is None:
        raise click.UsageError(f"--format {fmt} is for CONSTRUCT and DESCRIBE queries")
    bindings = bind_params(q, parse_params(list(params)), engine)
    stdout = sys.stdout
    if q.form == "SELECT":
        result = run_query_stream(q, bindings, engine)
        if not raw:  # a label column beside each IRI column, from the engine that ran the query
            result = out.with_labels(result, engine)
        if columns:
            result = out.select_columns(result, columns, with_labels=writer.text is not None)
        if writer.stream is not None:
            count = writer.stream(result, stdout)  # row by row: never all in memory
        else:
            whole = out.collect(result)
            stdout.write(writer.text(whole, table_width(width)))
            count = len(whole.rows)
        labelled = ", labels looked up there" if result.labels else ""
        detail(f"{q.name}: {count} row{'s' * (count != 1)} from {engine.name}{labelled}")
        return count
    outcome = run_query(q, bindings, engine)
    if outcome.form == "ASK":
        stdout.write(out.boolean_text(outcome.boolean, fmt))
        return int(outcome.boolean)
    return out.write_graph(outcome.ntriples, fmt, stdout)


def table_width(width: int | None) -> int | None:
    """The characters a table line may take: ``--width`` (0: no limit); else the terminal's
    width (COLUMNS where set) when standard output is a terminal; else no limit."""
    if width is not None:
        return width or None
    if not sys.stdout.isatty():
        return None
    import shutil

    return shutil.get_terminal_size().columns


@cli.command()
@click.option("--format", "fmt", type=click.Choice(list(SELECT_FORMATS)),
              default="table", show_default=True, help="How to print the rows that break a rule.")
@result_options
@query_target_options
@click.pass_context
@handle_errors
def check(ctx, fmt, raw, width, engine, store_dir, endpoint, query_path, timeout, retries, max_answer_mb):
    """Run the quality checks (queries/qc/*-violation.rq); exit 1 when any returns rows.

    \b
    Example:
        kg check
        kg check --store .kg/store
        kg check --endpoint http://localhost:7878
    """
    from ..queries import find_query, query_names

    project = project_of(ctx)
    runner = open_engine(project, engine, store_dir, endpoint, query_path, timeout, retries, max_answer_mb)
    if endpoint is not None:  # before any check is printed: the server answers, and the checks see
        runner.require_graphs()  # every triple of kg's graphs there (never a pass on what they cannot see)
    failed = 0
    names = [n for n in query_names(project.queries_dir) if n.startswith("qc/")]
    for name in names:
        q = find_query(project.queries_dir, name, project.display)
        click.echo(f"== {name}: {q.summary}")
        rows = _run_and_print(project, q, (), fmt, False, runner, raw=raw, width=width)
        failed += rows > 0
    summary(f"{len(names)} check(s), {failed} with rows that break a rule")
    if failed:
        sys.exit(ExitCode.NOT_CONFORMING)
