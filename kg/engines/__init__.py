"""The query engines, one module each, all with the same interface (``kg.sparql.terms.Engine``:
``select``, ``select_stream``, ``ask``, ``construct``): rdflib in memory (the reference),
Oxigraph (an on-disk store or in memory) and a SPARQL 1.1 server."""
