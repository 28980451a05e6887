"""Loading the build into a SPARQL 1.1 server with the Graph Store Protocol: each named graph
replaced whole (``PUT``), the graphs the build no longer has removed (``DELETE``), every count
checked on the server afterwards."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..engines.endpoint_engine import Endpoint, EndpointError, GraphsNotVisible
from ..engines.oxigraph_engine import graph_counts, graph_sort_key
from ..errors import KgError
from ..namespaces import GRAPH
from .local import check_counts


@dataclass
class RemoteLoad:
    """What a load did: where, each graph's triple count, the graphs it removed, and whether
    kg's queries see the loaded triples (in the server's default graph, or in the dataset a
    request names)."""

    target: str
    graphs: dict[str, int]
    removed: list[str]
    visible: bool = True

    @property
    def triples(self) -> int:
        return sum(self.graphs.values())


def load_endpoint(endpoint: Endpoint, trig: Path, expected: dict[str, int] | None = None,
                  progress=None) -> RemoteLoad:
    """Replace each named graph of the build on the server, remove the graphs of ours that the
    build no longer has, then check every graph's triple count on the server, and that queries
    can see the graphs.

    ``progress(graph, count)`` is called after each graph is replaced.
    """
    import pyoxigraph as ox

    data = ox.Store()
    try:
        data.load(path=str(trig), format=ox.RdfFormat.TRIG)
    except SyntaxError as exc:
        raise KgError(f"{trig}: cannot load: {str(exc).splitlines()[0] if str(exc) else exc}") from None
    counts = graph_counts(data)
    if "" in counts:
        raise KgError(f"{trig}: has triples outside named graphs; run 'kg build'")
    if expected is not None:
        check_counts(counts, expected, trig)
    # Asking first also checks the query service and the credentials before anything changes.
    ours = str(GRAPH)
    before = endpoint.graph_counts(prefix=ours)
    sent: dict[str, int] = {}
    for graph in sorted(counts, key=graph_sort_key):
        body = data.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph)) or b""
        try:
            endpoint.put_graph(graph, body)
        except EndpointError as exc:
            if sent:
                done = (f"{len(sent)} of {len(counts)} graphs were replaced before it; each graph is "
                        "the old or the new one, run 'kg load' again")
            else:
                done = "no graph was changed"
            raise EndpointError(f"{exc} ({done})") from None
        sent[graph] = counts[graph]
        if progress is not None:
            progress(graph, counts[graph])
    removed = sorted((g for g in before if g not in counts), key=graph_sort_key)
    for graph in removed:
        try:
            endpoint.delete_graph(graph)
        except EndpointError as exc:
            raise EndpointError(f"{exc} (every graph of the build was replaced; run 'kg load' again "
                                "to remove the graphs it no longer has)") from None
    after = endpoint.graph_counts(list(sent) + removed)
    for graph in [*sent, *removed]:
        want = sent.get(graph, 0)
        if after.get(graph, 0) != want:
            raise endpoint.error(f"{endpoint.url}: after loading, <{graph}> has {after.get(graph, 0)} "
                                 f"triples on the server but {want} were sent")
    # Queries see the graphs in the server's default graph (a union default graph) or in the
    # dataset each request names; a server that shows them neither way gets a warning.
    try:
        endpoint.dataset_for_queries(sorted(sent))
        visible = True
    except GraphsNotVisible:
        visible = False
    return RemoteLoad(endpoint.shown_url, sent, removed, visible)
