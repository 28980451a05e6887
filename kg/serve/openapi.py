"""The OpenAPI 3 description of the saved queries as a web API, as grlc describes a folder of
queries: one path ``/api/<query>`` per query (``/api/qc/<check>`` for the quality checks), its
``#+`` summary and description, its tags, and one query-string parameter per ``?_name``
variable (required for ``?_name``, optional for ``?__name``), typed by its suffix, with its
default."""
from __future__ import annotations

from .. import __version__
from ..queries import QueryFile

_SCHEMAS = {
    "iri": {"type": "string", "description": "an IRI, an entity id (IRN) or a label"},
    "integer": {"type": "integer"},
    "xsd_date": {"type": "string", "format": "date"},
    "string": {"type": "string"},
}
_SELECT = ["application/sparql-results+json", "application/sparql-results+xml", "text/csv",
           "text/tab-separated-values", "text/html"]
_ASK = ["application/sparql-results+json", "application/sparql-results+xml", "text/html"]
_GRAPH = ["text/turtle", "application/n-triples", "application/ld+json", "text/html"]


def describe(queries: dict[str, QueryFile], title: str = "kg", server: str | None = None) -> dict:
    """The OpenAPI 3.0 document of ``queries`` (by name)."""
    paths = {}
    for name, q in queries.items():
        parameters = []
        for p in q.params:
            schema = dict(_SCHEMAS[p.type])
            if p.name in q.defaults:
                schema["default"] = q.defaults[p.name]
            parameters.append({"name": p.name, "in": "query", "required": p.required and p.name not in q.defaults,
                               "description": p.describe(), "schema": schema})
        media = _SELECT if q.form == "SELECT" else _ASK if q.form == "ASK" else _GRAPH
        paths[f"/api/{name}"] = {"get": {
            "operationId": name.replace("/", "_").replace("-", "_"),
            "summary": q.summary,
            "description": q.description,
            "tags": q.tags or (["quality checks"] if name.startswith("qc/") else []),
            "parameters": parameters,
            "responses": {
                "200": {"description": f"the {q.form} query's results; the format by the Accept header",
                        "content": {m: {} for m in media}},
                "400": {"description": "a parameter is missing, unknown or not of its type",
                        "content": {"text/plain": {}, "text/html": {}}},
                "406": {"description": "none of the formats asked for is offered"},
            },
        }}
    doc = {
        "openapi": "3.0.3",
        "info": {"title": f"{title}: saved SPARQL queries", "version": __version__,
                 "description": "Each saved query of queries/*.rq as a GET operation; its parameters are "
                                "query-string arguments (the ?_name variables of the query, as grlc reads them)."},
        "paths": paths,
    }
    if server:
        doc["servers"] = [{"url": server}]
    return doc
