"""Building the graph from the inputs: one graph per article and the reference graph
(``triples``), validated with the SHACL shapes (``shacl``)."""
