"""What changed between two builds (``kg diff``): added, removed and changed named graphs
(articles, the reference, the ontology), and within each the subjects (facts, claims, amounts,
entities) added, removed or changed, with the statements that differ. ROBOT's ``diff`` is the
model: a report for a curator reviewing a change, in the order of the graphs' and subjects' IRIs.

A build is read from its ``kg.trig`` (the named graphs as written, without ``graph:inferred``
unless asked: entailments follow from the rest). Terms are compared as written (N-Triples): the
writer is canonical, so the same facts give the same terms.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError
from ..namespaces import INFERRED_GRAPH

#: a triple as N-Triples terms
Triple = tuple[str, str, str]


@dataclass
class SubjectChange:
    subject: str
    status: str  # added, removed, changed
    added: list[Triple] = field(default_factory=list)
    removed: list[Triple] = field(default_factory=list)


@dataclass
class GraphChange:
    graph: str
    status: str  # added, removed, changed
    subjects: list[SubjectChange] = field(default_factory=list)
    added: int = 0
    removed: int = 0


@dataclass
class Diff:
    graphs: list[GraphChange] = field(default_factory=list)

    @property
    def same(self) -> bool:
        return not self.graphs

    def summary(self) -> dict[str, int]:
        out = {"graphs added": 0, "graphs removed": 0, "graphs changed": 0, "subjects added": 0,
               "subjects removed": 0, "subjects changed": 0, "statements added": 0, "statements removed": 0}
        for g in self.graphs:
            out[f"graphs {g.status}"] += 1
            out["statements added"] += g.added
            out["statements removed"] += g.removed
            for s in g.subjects:
                out[f"subjects {s.status}"] += 1
        return out


def read_build(path: Path, display: str, inferred: bool = False) -> dict[str, set[Triple]]:
    """The named graphs of a build (a ``kg.trig`` file, or a build folder holding one), each a set
    of N-Triples triples."""
    import pyoxigraph as ox

    trig = path / "kg.trig" if path.is_dir() else path
    if not trig.is_file():
        raise InputError("not a build: no kg.trig here (give a build folder or its kg.trig)", display)
    skip = f"<{INFERRED_GRAPH}>"
    graphs: dict[str, set[Triple]] = {}
    try:
        for q in ox.parse(path=str(trig), format=ox.RdfFormat.TRIG):
            g = str(q.graph_name)
            if g == skip and not inferred:
                continue
            graphs.setdefault(g, set()).add((str(q.subject), str(q.predicate), str(q.object)))
    except (SyntaxError, ValueError, OSError) as exc:
        raise InputError(f"cannot read the build: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}",
                         display) from None
    return graphs


def diff(old: dict[str, set[Triple]], new: dict[str, set[Triple]]) -> Diff:
    """What changed from ``old`` to ``new``, graph by graph and subject by subject."""
    out = Diff()
    for g in sorted(set(old) | set(new)):
        before, after = old.get(g, set()), new.get(g, set())
        if before == after:
            continue
        status = "added" if not before else "removed" if not after else "changed"
        change = GraphChange(g, status, added=len(after - before), removed=len(before - after))
        by_subject: dict[str, tuple[list, list]] = {}
        for t in after - before:
            by_subject.setdefault(t[0], ([], []))[0].append(t)
        for t in before - after:
            by_subject.setdefault(t[0], ([], []))[1].append(t)
        old_subjects = {t[0] for t in before}
        new_subjects = {t[0] for t in after}
        for s in sorted(by_subject):
            plus, minus = by_subject[s]
            st = "added" if s not in old_subjects else "removed" if s not in new_subjects else "changed"
            change.subjects.append(SubjectChange(s, st, sorted(plus), sorted(minus)))
        out.graphs.append(change)
    return out


def short(term: str) -> str:
    """An N-Triples term with the project's prefixes (``id:state/IRN``, ``"2025"^^xsd:gYear``)."""
    from ..sparql.results import prefixed

    if term.startswith("<") and term.endswith(">"):
        return prefixed(term[1:-1])
    cut = term.rfind('"^^<')
    if term.startswith('"') and cut > 0 and term.endswith(">"):  # a literal's datatype, not its text
        return term[:cut + 3] + prefixed(term[cut + 4:-1])
    return term


def render_text(d: Diff, left: str, right: str) -> str:
    """The report for people: per graph, per subject; an added or removed subject by its count of
    statements, a changed one with its statements (``-`` old, ``+`` new)."""
    if d.same:
        return f"No difference between {left} and {right}.\n"
    lines = [f"--- {left}", f"+++ {right}"]
    for g in d.graphs:
        if g.status != "changed":  # a graph added or removed whole: its size, not its subjects
            n = len(g.subjects)
            lines.append(f"{short(g.graph)}: {g.status} ({_count(g.added + g.removed, 'statement')}, "
                         f"{_count(n, 'subject')})")
            continue
        lines.append(f"{short(g.graph)}: changed (+{g.added} -{g.removed} statements)")
        for s in g.subjects:
            if s.status == "changed":
                lines.append(f"  {short(s.subject)}: changed")
                for _, p, o in s.removed:
                    lines.append(f"    - {short(p)} {short(o)}")
                for _, p, o in s.added:
                    lines.append(f"    + {short(p)} {short(o)}")
            else:
                lines.append(f"  {short(s.subject)}: {s.status} ({_count(len(s.added) + len(s.removed), 'statement')})")
    summary = d.summary()
    lines.append(", ".join(f"{_count(n, k.split()[0][:-1])} {k.split()[1]}" for k, n in summary.items() if n))
    return "\n".join(lines) + "\n"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def render_json(d: Diff) -> str:
    """The report as JSON: graphs, subjects and statements (N-Triples terms), and the counts."""
    doc = {
        "same": d.same,
        "summary": d.summary(),
        "graphs": [
            {"graph": g.graph, "status": g.status, "added": g.added, "removed": g.removed,
             "subjects": [{"subject": s.subject, "status": s.status,
                           "added": [list(t[1:]) for t in s.added], "removed": [list(t[1:]) for t in s.removed]}
                          for s in g.subjects]}
            for g in d.graphs],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
