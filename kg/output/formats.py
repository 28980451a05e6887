"""The RDF export formats by name (``kg export --format``), with no import of rdflib: the command
line lists them at start-up, and rdflib takes a tenth of a second to import."""
from __future__ import annotations

#: --format name -> (rdflib serializer, whether it keeps named graphs, file suffix)
FORMATS: dict[str, tuple[str, bool, str]] = {
    "turtle": ("turtle", False, ".ttl"),
    "ntriples": ("nt", False, ".nt"),
    "nquads": ("nquads", True, ".nq"),
    "trig": ("trig", True, ".trig"),
    "jsonld": ("json-ld", True, ".jsonld"),
    "xml": ("xml", False, ".rdf"),
}

#: the formats written by kg.output.turtle from chunks (the others by kg.output.export)
CANONICAL = ("turtle", "trig", "ntriples", "nquads")
