"""``kg serve``: the graph on local web pages, a web API and a SPARQL endpoint."""
from __future__ import annotations

import click

from ..errors import InputError
from .group import cli, handle_errors, project_of
from .params import query_target_options


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="The address to listen on. The default answers this machine only; another address "
                   "(0.0.0.0) shows the graph to anyone who can reach it.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True,
              help="The port to listen on.")
@query_target_options
@click.pass_context
@handle_errors
def serve(ctx, host, port, engine, store_dir, endpoint, query_path, timeout, retries, max_answer_mb):
    """Serve the graph read-only on local web pages: a page for every entity and fact with
    what each article says of it, overviews, the saved queries as a web API (OpenAPI at
    /api/openapi.json) and a SPARQL endpoint at /sparql. Stop it with Ctrl-C.

    \b
    Example:
        kg serve                          # the built graph, at http://127.0.0.1:8000/
        kg serve --store .kg/store --port 8080
        kg serve --endpoint http://localhost:7878
    """
    try:
        import uvicorn

        from ..serve import create_app
    except ImportError as exc:
        raise InputError(f"kg serve needs the extra 'serve' ({exc.name} is missing): "
                         "pip install 'kg[serve]'") from None
    from .query_cmds import open_engine

    project = project_of(ctx)
    runner = open_engine(project, engine, store_dir, endpoint, query_path, timeout, retries, max_answer_mb)
    app = create_app(runner, project.queries_dir, display=project.display)
    what = f"the store {store_dir}" if store_dir else endpoint if endpoint else "the built graph"
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"Serving {what} at http://{shown}:{port}/ (Ctrl-C to stop)", err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")
