"""The query engines, one module each, all with the same interface (``kg.sparql.terms.Engine``:
``select``, ``select_stream``, ``ask``, ``construct``): rdflib in memory (the reference),
Oxigraph (an on-disk store or in memory) and a SPARQL 1.1 server."""
from __future__ import annotations

from pathlib import Path

#: the engines that run queries on a built graph file (``kg query --engine``), the first the default
FILE_ENGINES = ("oxigraph", "rdflib")


def from_file(engine: str, path: Path, timeout: float | None = None):
    """The engine named ``engine`` (one of ``FILE_ENGINES``) over the RDF file ``path`` (TriG)."""
    if engine == "rdflib":
        from .rdflib_engine import RdflibEngine

        return RdflibEngine.from_file(path, timeout=timeout)
    if engine == "oxigraph":
        from .oxigraph_engine import OxigraphEngine

        return OxigraphEngine.from_file(path, timeout=timeout)
    raise ValueError(f"unknown engine {engine!r}")
