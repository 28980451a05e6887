"""Presenting the graph to people: the interactive views (``viz``), the documentation site
(``docs``) and the statistics (``stats``)."""
