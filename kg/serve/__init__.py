"""``kg serve``: the graph on local web pages and a web API, read-only.

- ``site``: what the pages show, read from any engine by SPARQL (entities with what each
  article says of them, saved queries, search, overviews); it knows no web framework;
- ``picture``: an entity's neighbourhood picture (``kg viz``'s), from the part of the graph
  around it;
- ``overview``: the timeline of exercises and the flows of arms transfers, laid out;
- ``openapi``: the saved queries' OpenAPI description;
- ``negotiate``: content negotiation by ``Accept`` or a file extension;
- ``app``: the Starlette application and its Jinja2 templates (``templates/``, ``static/``).

Starlette, Jinja2 and uvicorn are the optional extra ``kg[serve]``. Nothing here imports
click: ``kg.cli.serve_cmds`` calls ``create_app`` and runs it with uvicorn.
"""
from __future__ import annotations

from .site import NotFound, Site


def create_app(engine, queries_dir, title: str = "kg", display=str):
    """The web application over ``engine`` (any of ``kg.engines``) and the saved queries in
    ``queries_dir``, read now: a query file that cannot be read is an error before anything is
    served (``InputError``, its file shown by ``display``), not a broken page later."""
    from .app import create_app as make

    site = Site(engine, queries_dir, display)
    site.saved  # noqa: B018 - read them all now
    return make(site, title=title)


__all__ = ["NotFound", "Site", "create_app"]
