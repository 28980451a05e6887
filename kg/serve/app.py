"""The web application of ``kg serve`` (Starlette, Jinja2 templates in ``templates/``): entity
pages with content negotiation, the saved queries as a web API with its OpenAPI description, a
read-only SPARQL 1.1 Protocol endpoint with a query page, overviews and a search.

Every route reads; none writes. Errors are pages (or one-line bodies for programs) with their
status: 400 for a bad request, 404 for what does not exist, 406 for a format nobody offers, 500
without a word of the cause for anything unexpected (no stack trace ever reaches the client).
"""
from __future__ import annotations

import json
import logging
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from urllib.parse import quote

from markupsafe import Markup
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from .. import namespaces as ns
from ..errors import InputError, KgError
from ..inputs.files import MAX_QUERY_BYTES
from ..sparql import results as out
from ..sparql.terms import SelectResult, Term
from . import openapi
from .negotiate import EXTENSIONS, choose
from .site import NotFound, Site, iri_of, path_of

log = logging.getLogger("kg.serve")

HTML = "text/html"
TURTLE = "text/turtle"
JSONLD = "application/ld+json"
NTRIPLES = "application/n-triples"
SPARQL_JSON = "application/sparql-results+json"
SPARQL_XML = "application/sparql-results+xml"
CSV = "text/csv"
TSV = "text/tab-separated-values"
#: what a SELECT result is offered as, the machine formats first (a client that says nothing gets JSON)
SELECT_OFFERS = [SPARQL_JSON, SPARQL_XML, CSV, TSV, HTML]
ASK_OFFERS = [SPARQL_JSON, SPARQL_XML, HTML]
GRAPH_OFFERS = [TURTLE, NTRIPLES, JSONLD, HTML]
#: an entity page: HTML first (a browser asks for it; a client that says nothing is most likely one too)
ENTITY_OFFERS = [HTML, TURTLE, JSONLD, NTRIPLES]
#: rows an HTML table shows at most (the machine formats have them all)
MAX_HTML_ROWS = 2000


class BadRequest(KgError):
    """A request the server will not answer as asked: 400."""


class NotAcceptable(KgError):
    """The client accepts none of the formats offered: 406."""


# --- helpers for the templates --------------------------------------------------------------


def href(iri: str) -> str:
    """Where a link to ``iri`` goes: its page here, or the IRI itself."""
    local = path_of(iri)
    return quote(local, safe="/:@!$&'()*+,;=-._~") if local is not None else iri


def show(term: Term | None, labels: dict[str, str]) -> Markup:
    """A term for people: a link with the label for an IRI, the text of a literal."""
    if term is None:
        return Markup("")
    if term.type == "uri":
        title = out.prefixed(term.value)
        # no label: the prefixed name, or (outside the project's prefixes: SEM's Event, OWL-Time's
        # Instant) the IRI's last segment, as kg viz names it; the whole IRI is the link's title
        text = labels.get(term.value) or (title if not title.startswith("<") else _local_name(term.value))
        return Markup('<a href="{}" title="{}">{}</a>').format(href(term.value), title, text)
    return Markup("<span>{}</span>").format(out.display_value(term, labels))


def _page_number(text: str, name: str) -> int:
    """A page number given as ``?name=N``: a whole number from 1, else ``BadRequest``."""
    if not (text.isascii() and text.isdigit()) or int(text) < 1 or len(text) > 9:
        raise BadRequest(f"{name} is a page number (1, 2, ...), not {text[:40]!r}")
    return int(text)


def _local_name(iri: str) -> str:
    return iri.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1] or iri


def show_iri(iri: str, labels: dict[str, str]) -> Markup:
    return show(Term("uri", iri), labels)


def _environment():
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    env = Environment(loader=PackageLoader("kg.serve", "templates"), autoescape=select_autoescape(),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.globals.update(show=show, show_iri=show_iri, href=href, prefixed=out.prefixed)
    return env


# --- the application ------------------------------------------------------------------------


def create_app(site: Site, title: str = "kg") -> Starlette:
    """The application over ``site``; ``title`` names the graph in the pages' heading."""
    templates = Jinja2Templates(env=_environment())

    def page(request: Request, name: str, context: dict, status: int = 200) -> Response:
        context = {"title": title, "page_title": context.pop("page_title", title), **context}
        response = templates.TemplateResponse(request, name, context, status_code=status)
        response.headers["Vary"] = "Accept"  # every page is one of the formats its path offers
        return response

    def wants_html(request: Request) -> bool:
        return choose(request.headers.get("accept"), [HTML, "text/plain"]) == HTML

    def error(request: Request, status: int, message: str) -> Response:
        if wants_html(request):
            heading = {400: "Bad request", 404: "Not found", 405: "Method not allowed", 406: "Not acceptable",
                       500: "Server error"}.get(status, "Error")
            return page(request, "error.html", {"page_title": heading, "heading": heading, "message": message,
                                                "status": status}, status)
        return PlainTextResponse(f"Error: {message}\n", status_code=status, headers={"Vary": "Accept"})

    async def on_kg_error(request: Request, exc: Exception) -> Response:
        if isinstance(exc, NotFound):
            return error(request, 404, str(exc))
        if isinstance(exc, NotAcceptable):
            return error(request, 406, str(exc))
        if isinstance(exc, (InputError, BadRequest)):
            return error(request, 400, str(exc))
        # a query failed in the engine (a timeout, the server's answer): its one line, as kg query says it
        return error(request, 500, str(exc))

    async def on_http_error(request: Request, exc: HTTPException) -> Response:
        message = {404: f"no page {request.url.path}", 405: f"{request.method} is not allowed here"}.get(
            exc.status_code, exc.detail)
        return error(request, exc.status_code, message)

    async def on_crash(request: Request, exc: Exception) -> Response:
        log.error("error on %s %s", request.method, request.url.path, exc_info=exc)
        return error(request, 500, "something went wrong on the server; its log says what")

    def negotiated(request: Request, offers: list[str], ext: str | None = None) -> str:
        if ext is not None:
            media = EXTENSIONS.get(ext)
            if media not in offers:
                raise NotFound(f"no format .{ext} here; the formats are "
                               + ", ".join(f".{e}" for e, m in EXTENSIONS.items() if m in offers))
            return media
        chosen = choose(request.headers.get("accept"), offers)
        if chosen is None:
            raise NotAcceptable("none of the formats asked for is offered here; offered: " + ", ".join(offers))
        return chosen

    def split_ext(path: str, exists) -> tuple[str, str | None]:
        """``path`` and the extension that names a format, where ``path`` without it is what exists."""
        stem, dot, ext = path.rpartition(".")
        if dot and ext in EXTENSIONS and not exists(path):
            return stem, ext
        return path, None

    # -- pages ----------------------------------------------------------------------------

    async def home(request: Request) -> Response:
        return page(request, "home.html", {"queries": site.saved})

    async def search(request: Request) -> Response:
        text = request.query_params.get("q", "")
        found = await run_in_threadpool(site.search, text)
        iris = {iri for iri, _ in found}
        labels = await run_in_threadpool(site.labels, iris)
        kinds = await run_in_threadpool(site.kinds, iris)
        return page(request, "search.html", {"page_title": f"Search: {text}", "q": text, "found": found,
                                             "labels": labels, "kinds": kinds})

    async def entity(request: Request) -> Response:
        path = request.scope["path"].lstrip("/")  # decoded: /id/a%3Fb is the IRI id/a?b
        path, ext = split_ext(path, lambda p: False)
        iri = iri_of(path)
        media = negotiated(request, ENTITY_OFFERS, ext)
        if media != HTML:
            triples, found = await run_in_threadpool(site.triples, iri)
            if not found and ext is not None:  # an IRI that ends in ".ttl" itself
                triples, found = await run_in_threadpool(site.triples, iri + "." + ext)
            if not found:
                raise NotFound(f"no entity <{iri}> in the graph")
            return Response(rdf(triples, media), media_type=_with_charset(media), headers={"Vary": "Accept"})
        said_page = _page_number(request.query_params.get("said", "1"), "said")
        try:
            item = await run_in_threadpool(site.entity, iri, said_page)
        except NotFound:
            if ext is None:
                raise
            item = await run_in_threadpool(site.entity, iri + "." + ext, said_page)
        kind = (await run_in_threadpool(site.kinds, {item.iri}))[item.iri]
        picture = await run_in_threadpool(neighbourhood_or_none, item.iri)
        return page(request, "entity.html", {"page_title": item.label, "e": item, "labels": item.labels,
                                             "kind": kind, "picture": picture}, 200)

    @lru_cache(maxsize=32)
    def neighbourhood_or_none(iri: str):
        """The picture of ``iri`` and the entities it leaves out; kept for the page's frame,
        which asks for it right after the page (the store is opened read-only)."""
        from .picture import picture

        return picture(site.engine, iri)

    async def viz(request: Request) -> Response:
        from ..present.viz import to_html

        iri = iri_of(request.path_params["rest"])
        found = await run_in_threadpool(neighbourhood_or_none, iri)
        if found is None:
            raise NotFound(f"no entity <{iri}> in the graph")
        return Response(to_html(found[0]), media_type="text/html; charset=utf-8")

    async def exercises(request: Request) -> Response:
        from .overview import timeline

        result = await run_in_threadpool(site.run, site.query("exercises"), {})
        rows = result.select.rows
        labels = await run_in_threadpool(site.labels, out.uris_in(result.select))
        return page(request, "exercises.html", {"page_title": "Exercises", "timeline": timeline(rows, labels),
                                                "labels": labels})

    async def transfers(request: Request) -> Response:
        from .overview import flows

        result = await run_in_threadpool(site.run, site.query("arms-transfers"), {})
        labels = await run_in_threadpool(site.labels, out.uris_in(result.select))
        return page(request, "transfers.html", {"page_title": "Arms transfers",
                                                "flows": flows(result.select.rows, labels), "labels": labels})

    async def states(request: Request) -> Response:
        result = await run_in_threadpool(site.states)
        labels = await run_in_threadpool(site.labels, out.uris_in(result))
        return page(request, "states.html", {"page_title": "States", "rows": result.rows, "labels": labels})

    async def articles(request: Request) -> Response:
        items = await run_in_threadpool(site.articles)
        iris = {i["article"].value for i in items} | {f.value for i in items for f in i["facts"]}
        iris |= {i["publisher"].value for i in items if "publisher" in i}
        labels = await run_in_threadpool(site.labels, iris)
        return page(request, "articles.html", {"page_title": "Articles", "items": items, "labels": labels})

    # -- the saved queries as an API --------------------------------------------------------

    async def api_index(request: Request) -> Response:
        if choose(request.headers.get("accept"), [HTML, "application/json"]) == "application/json":
            return JSONResponse([{"name": q.name, "summary": q.summary, "path": f"/api/{q.name}",
                                  "parameters": [p.name for p in q.params]} for q in site.saved.values()])
        return page(request, "api.html", {"page_title": "Saved queries", "queries": site.saved})

    async def api_spec(request: Request) -> Response:
        doc = openapi.describe(site.saved, title=title, server=str(request.base_url).rstrip("/"))
        return Response(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", media_type="application/json")

    async def api_query(request: Request) -> Response:
        name, ext = split_ext(request.path_params["name"], lambda n: n in site.saved)
        q = site.query(name)
        given = {}
        for key, value in request.query_params.multi_items():
            if key in given:
                raise BadRequest(f"parameter {key!r} is given twice")
            given[key] = value
        offers = SELECT_OFFERS if q.form == "SELECT" else ASK_OFFERS if q.form == "ASK" else GRAPH_OFFERS
        media = negotiated(request, offers, ext)
        outcome = await run_in_threadpool(site.run, q, given)
        return await answer(request, outcome, media, {"query": q, "given": given})

    # -- the SPARQL endpoint ----------------------------------------------------------------

    async def sparql(request: Request) -> Response:
        params = dict(request.query_params)
        text = params.get("query")
        if request.method == "POST":
            kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
            body = await _read_body(request)
            if kind == "application/x-www-form-urlencoded":
                from urllib.parse import parse_qsl

                try:
                    form = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
                except UnicodeDecodeError:
                    raise BadRequest("the form is not UTF-8") from None
                params.update(form)
                text = form.get("query", text)
            elif kind == "application/sparql-query":
                try:
                    text = body.decode("utf-8")
                except UnicodeDecodeError:
                    raise BadRequest("the query is not UTF-8") from None
            elif kind == "application/sparql-update":
                raise BadRequest("this endpoint is read-only: SPARQL Update is not allowed")
            else:
                raise BadRequest("POST a query as application/x-www-form-urlencoded (query=...) "
                                 "or application/sparql-query")
        if "update" in params:
            raise BadRequest("this endpoint is read-only: SPARQL Update is not allowed")
        for key in ("default-graph-uri", "named-graph-uri", "using-graph-uri", "using-named-graph-uri"):
            if key in params:
                raise BadRequest(f"{key} is not supported: queries run on the union of the graph's named "
                                 "graphs; use FROM / FROM NAMED in the query")
        if text is None or not text.strip():
            if request.method == "GET" and wants_html(request):
                return page(request, "sparql.html", {"page_title": "SPARQL", "text": _EXAMPLE, "result": None,
                                                     "rows": [], "labels": {}, "boolean": None, "graph": None})
            raise BadRequest("give a query: ?query=... (GET) or a POST body")
        if len(text.encode("utf-8")) > MAX_QUERY_BYTES:
            raise BadRequest(f"the query is larger than {MAX_QUERY_BYTES // 1024} KB")
        from ..queries import parse_query_text

        form = parse_query_text(text, Path("query"), "query", "query").form
        offers = SELECT_OFFERS if form == "SELECT" else ASK_OFFERS if form == "ASK" else GRAPH_OFFERS
        media = negotiated(request, offers)
        outcome = await run_in_threadpool(site.run_text, text)
        return await answer(request, outcome, media, {"text": text})

    async def answer(request: Request, outcome, media: str, about: dict) -> Response:
        """A query's outcome in the chosen format."""
        headers = {"Vary": "Accept"}
        if outcome.form == "SELECT":
            result: SelectResult = outcome.select
            if media == HTML:
                labels = await run_in_threadpool(site.labels, out.uris_in(result))
                return page(request, "sparql.html" if "text" in about else "result.html",
                            {"page_title": about["query"].name if "query" in about else "SPARQL", **about,
                             "result": result, "rows": result.rows[:MAX_HTML_ROWS], "labels": labels,
                             "boolean": None, "graph": None})
            writer = {SPARQL_JSON: out.to_json, SPARQL_XML: _to_xml, CSV: out.to_csv, TSV: out.to_tsv}[media]
            return Response(writer(result), media_type=_with_charset(media), headers=headers)
        if outcome.form == "ASK":
            if media == HTML:
                return page(request, "sparql.html" if "text" in about else "result.html",
                            {"page_title": "SPARQL", **about, "result": None, "rows": [], "labels": {},
                             "boolean": outcome.boolean, "graph": None})
            text = out.boolean_json(outcome.boolean) if media == SPARQL_JSON else out.boolean_xml(outcome.boolean)
            return Response(text, media_type=_with_charset(media), headers=headers)
        graph = graph_text(outcome.ntriples, TURTLE if media == HTML else media)
        if media == HTML:
            return page(request, "sparql.html" if "text" in about else "result.html",
                        {"page_title": "SPARQL", **about, "result": None, "rows": [], "labels": {},
                         "boolean": None, "graph": graph})
        return Response(graph, media_type=_with_charset(media), headers=headers)

    routes = [
        Route("/", home),
        Route("/search", search),
        Route("/exercises", exercises),
        Route("/transfers", transfers),
        Route("/states", states),
        Route("/articles", articles),
        Route("/api", api_index),
        Route("/api/openapi.json", api_spec),
        Route("/api/{name:path}", api_query),
        Route("/sparql", sparql, methods=["GET", "POST"]),
        Route("/viz/{rest:path}", viz),
        Route("/id/{rest:path}", entity),
        Route("/vocab/{rest:path}", entity),
        Route("/ontology/{rest:path}", entity),
        Mount("/static", StaticFiles(directory=str(files("kg.serve").joinpath("static"))), name="static"),
    ]
    app = Starlette(routes=routes, exception_handlers={
        KgError: on_kg_error, HTTPException: on_http_error, Exception: on_crash})
    app.state.site = site
    return app


_EXAMPLE = """SELECT ?exercise ?label ?start WHERE {
  ?exercise a mc:MilitaryExercise ; rdfs:label ?label .
  OPTIONAL { ?exercise mc:startDate ?start }
}
ORDER BY ?start
LIMIT 20"""


async def _read_body(request: Request) -> bytes:
    """The request's body, refused past the largest query kg reads."""
    limit = MAX_QUERY_BYTES * 4  # a form encodes each byte as up to three
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BadRequest(f"the request body is larger than {limit // 1024} KB")
        chunks.append(chunk)
    return b"".join(chunks)


def _with_charset(media: str) -> str:
    return f"{media}; charset=utf-8"


def _to_xml(result: SelectResult) -> str:
    import io

    buf = io.StringIO()
    out.write_xml(result, buf)
    return buf.getvalue()


def _graph(ntriples: bytes):
    from rdflib import Graph

    g = Graph()
    ns.bind_prefixes(g)
    g.parse(data=ntriples.decode("utf-8"), format="nt")
    return g


def graph_text(ntriples: bytes, media: str) -> str:
    """N-Triples as Turtle, sorted N-Triples or JSON-LD (rdflib's writers)."""
    g = _graph(ntriples)
    if media == NTRIPLES:
        return "".join(sorted(g.serialize(format="nt").splitlines(keepends=True)))
    if media == JSONLD:
        context = {p: str(n) for p, n in ns.PREFIXES.items()}
        return g.serialize(format="json-ld", context=context, sort_keys=True, indent=2)
    return g.serialize(format="turtle")


def rdf(triples: list[tuple[Term, Term, Term]], media: str) -> str:
    """Triples of ``Term``s in the chosen RDF format."""
    lines = "".join(f"{s.n3()} {p.n3()} {o.n3()} .\n" for s, p, o in triples)
    return graph_text(lines.encode("utf-8"), media)
