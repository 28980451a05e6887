"""Validating graphs with the SHACL shapes of ``ontology/shapes.ttl``: ``Validator`` is the
facade over the fast engine (``kg.build.shacl.fast``) and the reference, pySHACL.

Like pySHACL, a validation keeps a machine-readable result (the report graph) beside a human
one (``Result`` rows that name the fact file and line behind each focus node).
"""
from __future__ import annotations

from rdflib import Graph, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from ... import namespaces as ns
from ...errors import KgError
from .report import SEVERITY_NAMES, Report, Result, ShapesError

#: seconds one pySHACL run over one data graph may take (pySHACL runs its SPARQL constraints
#: inside that run and offers no bound of its own per query)
PYSHACL_TIMEOUT = 600.0

#: the engines: ``fast`` (``kg.build.shacl.fast``, pySHACL for the shapes it does not support) and
#: ``reference`` (pySHACL for every shape)
ENGINES = ("fast", "reference")


def check_engine(engine: str) -> None:
    """``ValueError`` unless ``engine`` is one of ``ENGINES`` (the same names as the reasoners',
    ``kg.build.reasoning.reasoner``)."""
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}")


class Validator:
    """The shapes, compiled once, behind one facade over both engines.

    Every shape is checked for well-formedness first, whichever the engine (a malformed shape is
    a ``ShapesError``). With ``engine="fast"``, each targeted shape is checked by the fast engine
    where it supports every component the shape uses (directly or through the shapes it refers
    to), and by pySHACL otherwise; ``fallback=False`` refuses such a shape instead
    (``kg.build.shacl.fast.Unsupported``, naming the component). ``timeout`` bounds each SPARQL
    constraint query of the fast engine (``kg.build.shacl.fast.SPARQL_TIMEOUT`` by default),
    ``reference_timeout`` each pySHACL run over one data graph (``PYSHACL_TIMEOUT``); running
    over is a ``ShapesError``. ``source`` is the shapes file's name, for errors.
    """

    def __init__(self, shapes: Graph, ontology: Graph | None = None, engine: str = "fast",
                 source: str | None = None, fallback: bool = True, timeout: float | None = None,
                 reference_timeout: float | None = None) -> None:
        from .fast import SPARQL_TIMEOUT, Shapes, Unsupported

        check_engine(engine)
        self.shapes = shapes
        self.ontology = ontology
        self.engine = engine
        self.source = source
        self.timeout = SPARQL_TIMEOUT if timeout is None else timeout
        self.reference_timeout = PYSHACL_TIMEOUT if reference_timeout is None else reference_timeout
        self.compiled = Shapes(shapes, ontology, source=source,  # checks every shape
                               sparql_syntax="rdflib" if engine == "reference" else "oxigraph")
        if engine == "reference":
            self.reference_shapes = set(self.compiled.targeted())
        else:
            self.reference_shapes = set(self.compiled.unsupported)
            if self.reference_shapes and not fallback:
                node = min(self.reference_shapes, key=lambda n: (type(n).__name__, str(n)))
                raise Unsupported(f"the fast SHACL engine does not support {self.compiled.unsupported[node]} "
                                  f"(shape {self.compiled.name(node)}); use --engine reference", source)
        self._reference_graph: Graph | None = None
        #: (the reference graph, its index for the fast engine), made on first use
        self._reference_index: tuple[Graph, object] | None = None

    @property
    def looks_forward_only(self) -> bool:
        """Whether every result about an article depends only on the nodes its triples reach
        forward: the fast engine checks every shape, and none looks back along a property
        (``sh:inversePath``) or targets the objects of one (``sh:targetObjectsOf``)."""
        from rdflib.namespace import SH

        return (self.engine == "fast" and not self.reference_shapes
                and (None, SH.inversePath, None) not in self.shapes
                and (None, SH.targetObjectsOf, None) not in self.shapes)

    @property
    def fast_shapes(self) -> list:
        """The shapes the fast engine checks."""
        return [] if self.engine == "reference" else self.compiled.top

    def reference_graph(self) -> Graph:
        """The shapes graph pySHACL is given: the shapes the fast engine checks keep no target."""
        if self._reference_graph is None:
            if not self.fast_shapes:
                self._reference_graph = self.shapes
            else:
                g = Graph()
                g.namespace_manager = self.shapes.namespace_manager
                for t in self.shapes:
                    g.add(t)
                for shape in self.fast_shapes:
                    for t in self.compiled.target_triples(shape.node):
                        g.remove(t)
                self._reference_graph = g
        return self._reference_graph

    def validate(self, data, focus_within: set[Node] | None = None, lines: dict | None = None,
                 store_triples=None, store_text: str | None = None) -> Report:
        """Validate ``data`` (an rdflib graph or a ``kg.build.shacl.fast.Index``); with
        ``focus_within``, only results at those focus nodes are kept. ``lines`` maps focus
        nodes to the fact file and line that made them; ``store_triples`` are the triples the
        fast engine's SPARQL constraints see (default: all of ``data``)."""
        from .fast import Index

        results: list[Result] = []
        if self.fast_shapes:
            index = data if isinstance(data, Index) else Index(data)
            results += self.compiled.validate(index, focus_within=focus_within, lines=lines,
                                              store_triples=store_triples, timeout=self.timeout,
                                              store_text=store_text).results
        if not self.reference_shapes:
            return Report(results)
        graph = data.graph() if isinstance(data, Index) else data
        report = self._pyshacl(graph, lines)
        if focus_within is not None:
            report.results = [r for r in report.results if r.focus in focus_within]
        if not self.fast_shapes and focus_within is None:
            return report  # pySHACL's own report graph stays with its results
        return Report(results + report.results)

    # --- a build: the reference entities, and graphs that use them -----------------------------

    def prepare(self, reference: Graph) -> None:
        """Make what validating graphs that use ``reference`` shares (for the fast engine, the
        reference's index), so that processes forked after this do not each make it again."""
        if self.engine == "fast":
            self._index_of(reference)

    def validate_reference(self, reference: Graph, lines: dict | None = None) -> Report:
        """The reference entities (the graph every article uses), on their own."""
        data = self._index_of(reference) if self.engine == "fast" else reference
        return self.validate(data, lines=lines)

    def validate_with_reference(self, graph, reference: Graph, lines: dict | None = None,
                                focus_within: set[Node] | None = None, used: list | None = None,
                                store_text: str | None = None) -> Report:
        """``graph`` (an article, or the facts several articles report: a graph or its triples)
        with the reference entities it uses (``used``: the reference triples it uses, when the
        caller has them already; ``store_text``: the two as one Turtle document, which the fast
        engine's SPARQL constraints load quicker than triple by triple); with ``focus_within``,
        only the results at those nodes.

        The fast engine reads ``graph`` over the reference's index, runs its SPARQL constraints
        over ``graph`` and the reference triples it uses (``used_triples``), and keeps the
        results at ``graph``'s own subjects unless told ``focus_within`` (the reference's nodes
        are ``validate_reference``'s). pySHACL validates the two graphs merged."""
        if self.engine == "fast":
            from ..reasoning.owlrl_engine import used_triples
            from .fast import Index

            triples = list(graph)
            focus = {t[0] for t in triples} if focus_within is None else set(focus_within)
            store = None
            if store_text is None:
                store = triples + (used_triples(triples, reference) if used is None else used)
            return self.validate(Index(triples, base=self._index_of(reference)), focus_within=focus, lines=lines,
                                 store_triples=store, store_text=store_text)
        data = Graph()
        for t in graph:
            data.add(t)
        data += reference
        return self.validate(data, focus_within=None if focus_within is None else set(focus_within), lines=lines)

    def _index_of(self, reference: Graph):
        """The reference indexed for the fast engine (``kg.build.shacl.fast.Index``), made once."""
        if self._reference_index is None or self._reference_index[0] is not reference:
            from .fast import Index

            self._reference_index = (reference, Index(reference))
        return self._reference_index[1]

    def _pyshacl(self, data: Graph, lines: dict | None) -> Report:
        from ...sparql.terms import QueryError
        from ...sparql.timeout import run_with_timeout

        shapes = self.reference_graph()
        try:
            return run_with_timeout(lambda: _pyshacl(data, shapes, self.ontology, lines), self.reference_timeout,
                                    "pySHACL")
        except QueryError:
            raise ShapesError(f"pySHACL ran longer than {self.reference_timeout:g} s over one graph",
                              self.source) from None
        except KgError:
            raise
        except Exception as exc:  # pySHACL's own error about the shapes: one line
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ShapesError(f"pySHACL cannot use the shapes: {first}", self.source) from None


def validate(data: Graph, shapes: Graph, ontology: Graph | None = None,
             lines: dict[URIRef, tuple[str, int]] | None = None, engine: str = "reference",
             source: str | None = None) -> Report:
    """Validate one data graph (an article with the reference entities it uses); pySHACL by
    default. To validate many graphs, make one ``Validator`` (the shapes are compiled once)."""
    return Validator(shapes, ontology, engine=engine, source=source).validate(data, lines=lines)


def _pyshacl(data: Graph, shapes: Graph, ontology: Graph | None,
             lines: dict[URIRef, tuple[str, int]] | None) -> Report:
    from pyshacl import validate as shacl_validate  # slow to import: only when validating

    _conforms, report_graph, _text = shacl_validate(
        data,
        shacl_graph=shapes,
        ont_graph=ontology,
        inference="none",
        advanced=True,
        allow_warnings=True,
        abort_on_first=False,
    )
    results = []
    # the report's results, not the nested ones pySHACL adds as their sh:detail (the results
    # inside an sh:node or sh:qualifiedValueShape that explain one of the report's)
    for result in report_graph.objects(None, SH.result):
        severity = report_graph.value(result, SH.resultSeverity)
        focus = report_graph.value(result, SH.focusNode)
        message = _message(report_graph, result, shapes)
        results.append(
            Result(
                severity=SEVERITY_NAMES.get(severity, str(severity)),
                focus=focus,
                path=report_graph.value(result, SH.resultPath),
                message=str(message) if message is not None else "",
                shape=report_graph.value(result, SH.sourceShape),
                value=report_graph.value(result, SH.value),
                origin=(lines or {}).get(focus),
            )
        )
    ns.bind_prefixes(report_graph)
    return Report(results, report_graph)


def _message(report_graph: Graph, result, shapes: Graph):
    """The result's message. pySHACL gives a SPARQL-based result two: the constraint's (with its
    variables filled in) and the node shape's; the more specific one is kept, whichever order
    the report graph yields them in."""
    messages = sorted(str(m) for m in report_graph.objects(result, SH.resultMessage))
    if len(messages) > 1:
        general = {str(m) for m in shapes.objects(report_graph.value(result, SH.sourceShape), SH.message)}
        messages = [m for m in messages if m not in general] or messages
    return messages[0] if messages else None
