"""Putting the build where queries can reach it: a local Oxigraph store (``local``: bulk load
into a new generation, then the swap) or a SPARQL 1.1 server (``remote``: Graph Store Protocol)."""
