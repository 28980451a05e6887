"""``kg load`` and ``kg store info``: the graph in an embedded store or on a SPARQL server."""
from __future__ import annotations

from pathlib import Path

import click

from .group import cli, handle_errors, project_of


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


def store_option(func):
    return click.option(
        "--store", "store_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
        help="The embedded Oxigraph store (a folder). Default: .kg/store in the project.")(func)


#: --max-answer-mb, shared with kg query and kg check
max_answer_option = click.option(
    "--max-answer-mb", "max_answer_mb", type=click.FloatRange(min=0.001), default=128, show_default=True,
    help="With --endpoint: the largest answer read from the server, in MB; a larger one is an error.")


def endpoint_options(func=None, *, gsp: bool = False):
    """Where a SPARQL server is and how to talk to it (credentials come from the environment)."""
    if func is None:
        return lambda f: endpoint_options(f, gsp=gsp)
    options = [
        click.option("--endpoint", metavar="URL", default=None,
                     help="A SPARQL 1.1 server's base URL (Oxigraph http://localhost:7878, Fuseki "
                          "http://localhost:3030/DATASET) instead of the embedded store. Credentials "
                          "come from KG_ENDPOINT_USER and KG_ENDPOINT_PASSWORD, or KG_ENDPOINT_TOKEN."),
        *([click.option("--gsp-path", default=None,
                        help="With --endpoint: the path (or full URL) of the Graph Store HTTP Protocol "
                             "service. Default: /store (Oxigraph); Fuseki: /data.")] if gsp else []),
        click.option("--query-path", default=None,
                     help="With --endpoint: the path (or full URL) of the SPARQL query service. "
                          "Default: /query (Oxigraph, Fuseki)."),
        click.option("--timeout", type=click.FloatRange(min=0.1), default=60.0, show_default=True,
                     help="With --endpoint: seconds each request may take, its whole answer included."),
        click.option("--retries", type=click.IntRange(min=0), default=3, show_default=True,
                     help="With --endpoint: how many times to retry after a connection error or a "
                          "5xx answer, waiting longer each time."),
        max_answer_option,
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _endpoint(endpoint, query_path, timeout, retries, max_answer_mb, gsp_path=None):
    from ..engines.endpoint_engine import Endpoint

    return Endpoint(endpoint, query_path=query_path, gsp_path=gsp_path, timeout=timeout, retries=retries,
                    max_answer_mb=max_answer_mb)


@cli.command()
@store_option
@endpoint_options(gsp=True)
@click.pass_context
@handle_errors
def load(ctx: click.Context, store_dir: Path | None, endpoint: str | None, gsp_path: str | None,
         query_path: str | None, timeout: float, retries: int, max_answer_mb: float) -> None:
    """Load the built graph into a triple store, replacing each named graph whole.

    Builds first where the build is missing or stale. By default the graph goes into an embedded
    Oxigraph store in .kg/store (nothing to install or start); with --endpoint, into a SPARQL 1.1
    server through the Graph Store HTTP Protocol. Prints each graph with its triple count.

    \b
    Example:
        kg load
        kg load --endpoint http://localhost:7878
        kg load --endpoint http://localhost:3030/kg --gsp-path /data
    """
    from ..pipeline import NAMED, ensure_built
    from ..output.manifest import read_manifest
    from ..stores.local import default_store_dir, load_store

    if store_dir is not None and endpoint is not None:
        raise click.UsageError("give --store or --endpoint, not both")
    if endpoint is None and (gsp_path is not None or query_path is not None):
        raise click.UsageError("--gsp-path and --query-path go with --endpoint")
    project = project_of(ctx)
    if endpoint is not None:
        server = _endpoint(endpoint, query_path, timeout, retries, max_answer_mb, gsp_path)  # checks the URL first
        out_dir = ensure_built(project)
        from ..stores.remote import load_endpoint

        result = load_endpoint(server, out_dir / NAMED, read_manifest(out_dir))
        if not result.visible:
            from ..engines.endpoint_engine import UNION_FIX

            click.echo(f"Warning: {server.shown_url} does not show kg's graphs in the default graph, nor in "
                       "the dataset a request names, so 'kg query --endpoint' finds nothing there; "
                       f"{UNION_FIX}", err=True)
    else:
        out_dir = ensure_built(project)
        target = store_dir if store_dir is not None else default_store_dir(project)
        result = load_store(target, out_dir / NAMED, read_manifest(out_dir))
        result.target = _display(project, target)
    _print_counts(result.graphs)
    removed = f"; removed {', '.join(_shown(g) for g in result.removed)}" if result.removed else ""
    click.echo(f"Loaded {len(result.graphs)} graph(s), {result.triples} triples into {result.target}{removed}",
               err=True)


@cli.group(name="store")
def store_group() -> None:
    """Look into a triple store that 'kg load' filled.

    \b
    Example:
        kg store info
    """


@store_group.command()
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
    if store_dir is not None and endpoint is not None:
        raise click.UsageError("give --store or --endpoint, not both")
    if endpoint is None and query_path is not None:
        raise click.UsageError("--query-path goes with --endpoint")
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
    click.echo(f"{len(counts)} graph(s), {sum(counts.values())} triples in {where}", err=True)
