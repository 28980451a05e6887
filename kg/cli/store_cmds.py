"""``kg load`` and ``kg store info``: the graph in an embedded store or on a SPARQL server."""
from __future__ import annotations

from pathlib import Path

import click

from .group import cli, handle_errors, project_of
from .report import bars_shown, detail, progress, summary
from .params import KgCommand, endpoint_options, load_endpoint_options, store_option


def _display(project, path: Path) -> str:
    """A store path as the user gave it: relative to the project where inside (links kept)."""
    import os

    absolute = Path(os.path.abspath(path))
    try:
        return absolute.relative_to(project.root).as_posix()
    except ValueError:
        return str(path)


def _shown(iri: str) -> str:
    from ..sparql.results import prefixed

    return "(default graph)" if iri == "" else prefixed(iri)


def _print_counts(counts: dict[str, int]) -> None:
    width = max((len(_shown(g)) for g in counts), default=0)
    for graph, count in counts.items():
        click.echo(f"{_shown(graph).ljust(width)}  {count}")


def _endpoint(endpoint, query_path, timeout, retries, max_answer_mb, gsp_path=None):
    from ..engines.endpoint_engine import Endpoint

    return Endpoint(endpoint, query_path=query_path, gsp_path=gsp_path, timeout=timeout, retries=retries,
                    max_answer_mb=max_answer_mb)


@cli.command()
@store_option
@click.option("--materialize", is_flag=True,
              help="Also run every saved listing and check (the queries without a required parameter) "
                   "on the new store and keep their results and every IRI's label in it, and each "
                   "lookup whose parameter only narrows a listing ('#+ narrows') grouped by it, so that "
                   "'kg query --store', 'kg check --store' and 'kg serve --store' answer them at once; "
                   "used while the store, the query text and kg are unchanged. Embedded store only.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=1, show_default=True,
              help="With --materialize: run this many listings at once.")
@load_endpoint_options
@click.pass_context
@handle_errors
def load(ctx: click.Context, store_dir: Path | None, materialize: bool, jobs: int, endpoint: str | None,
         gsp_path: str | None, query_path: str | None, timeout: float, retries: int,
         max_answer_mb: float) -> None:
    """Load the built graph into a triple store, replacing each named graph whole.

    Builds first where the build is missing or stale. By default the graph goes into an embedded
    Oxigraph store in .kg/store (nothing to install or start); with --endpoint, into a SPARQL 1.1
    server through the Graph Store HTTP Protocol. Prints each graph with its triple count; a
    progress bar on a terminal's standard error.

    \b
    Example:
        kg load
        kg load --materialize --jobs 2
        kg load --endpoint http://localhost:7878
        kg load --endpoint http://localhost:3030/kg --gsp-path /data
    """
    from ..pipeline import NAMED, ensure_built
    from ..output.manifest import read_manifest
    from ..stores.local import default_store_dir, load_store

    project = project_of(ctx)
    if materialize and endpoint is not None:
        raise click.UsageError("--materialize keeps results in the embedded store; the server answers "
                               "--endpoint queries itself")
    if endpoint is not None:
        server = _endpoint(endpoint, query_path, timeout, retries, max_answer_mb, gsp_path)  # checks the URL first
        out_dir = ensure_built(project)
        from ..stores.remote import load_endpoint

        manifest = read_manifest(out_dir)
        with progress("Loading graphs", len(manifest or {})) as advance:
            def loaded(graph: str, count: int) -> None:
                advance(1)
                detail(f"{_shown(graph)}: {count} triples sent")

            result = load_endpoint(server, out_dir / NAMED, manifest, progress=loaded)
        if not result.visible:
            from ..engines.endpoint_engine import UNION_FIX

            click.echo(f"Warning: {server.shown_url} does not show kg's graphs in the default graph, nor in "
                       "the dataset a request names, so 'kg query --endpoint' finds nothing there; "
                       f"{UNION_FIX}", err=True)  # a warning: shown even with -q
    else:
        out_dir = ensure_built(project)
        target = store_dir if store_dir is not None else default_store_dir(project)
        trig = out_dir / NAMED
        kept = []
        if materialize:  # the saved queries are read and checked before the graph is loaded
            from ..queries import kept_queries, materialize as keep

            queries = kept_queries(project.queries_dir, project.display)

        def prepare(generation: Path) -> None:
            with progress("Materializing", len(queries)) as ended:
                def done(name: str) -> None:
                    ended(1)
                    detail(f"{name}: result kept")

                kept.append(keep(generation, queries, done, jobs))

        with progress("Loading", trig.stat().st_size) as advance:
            result = load_store(target, trig, read_manifest(out_dir), progress=advance if bars_shown() else None,
                                prepare=prepare if materialize else None)
        result.target = _display(project, target)
    _print_counts(result.graphs)
    removed = f"; removed {', '.join(_shown(g) for g in result.removed)}" if result.removed else ""
    summary(f"Loaded {len(result.graphs)} graph(s), {result.triples} triples into {result.target}{removed}")
    if materialize:
        m = kept[0]
        summary(f"Kept the results of {m.results} listing(s) and check(s) ({m.rows} rows), "
                f"{m.lookups} lookup(s) grouped by their parameter and {m.labels} labels in {result.target}")


@cli.group(name="store")
def store_group() -> None:
    """Look into a triple store that 'kg load' filled.

    \b
    Example:
        kg store info
    """


@store_group.command(cls=KgCommand)
@store_option
@endpoint_options
@click.pass_context
@handle_errors
def info(ctx: click.Context, store_dir: Path | None, endpoint: str | None, query_path: str | None,
         timeout: float, retries: int, max_answer_mb: float) -> None:
    """Print the named graphs of the store and their triple counts.

    \b
    Example:
        kg store info
        kg store info --store /tmp/kg-store
        kg store info --endpoint http://localhost:7878
    """
    if endpoint is not None:
        server = _endpoint(endpoint, query_path, timeout, retries, max_answer_mb)
        from ..engines.oxigraph_engine import graph_sort_key

        counts = dict(sorted(server.graph_counts().items(), key=lambda kv: graph_sort_key(kv[0])))
        where = server.shown_url
    else:
        from ..stores.local import default_store_dir, store_info

        project = project_of(ctx) if store_dir is None else None
        target = store_dir if store_dir is not None else default_store_dir(project)
        counts = store_info(target)
        where = _display(project, target) if project is not None else str(target)
    _print_counts(counts)
    summary(f"{len(counts)} graph(s), {sum(counts.values())} triples in {where}")
    if endpoint is None:
        from ..engines.materialized import Kept

        kept = Kept.of(Path(target).resolve())
        if kept is not None:
            lookups = sum(len(by_variable) for by_variable in kept.lookups.values())
            summary(f"{len(kept.results)} listing result(s) and {lookups} grouped lookup(s) kept by "
                    "'kg load --materialize', in use")
