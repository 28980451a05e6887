"""The shared vocabulary of querying, below every engine: result terms and types
(``terms``), reading a query's text (``text``), time limits (``timeout``) and result writers
(``results``). Nothing here knows an engine."""
