"""A whole build: read the inputs, make each article's graph, validate it, write the outputs."""
from __future__ import annotations

import gc
import hashlib
import json
import os
from contextlib import contextmanager
from itertools import chain
from collections import ChainMap
from collections.abc import Mapping
import pickle
import zlib
from dataclasses import dataclass, replace
from pathlib import Path

from typing import Callable, Iterable

from rdflib import Graph, URIRef

from . import __version__
from . import namespaces as ns
from .errors import InputError, KgError, NotConforming
from .output.manifest import MANIFEST
from .build.triples import article_graph, reference_graph
from .output.turtle import Terms, prefix_lines
from .namespaces import INFERRED_GRAPH
from .project import Project
from .inputs.ontology import load_shapes
from .build.shacl.report import Report

MERGED = "kg.ttl"
NAMED = "kg.trig"


class BuildResult:
    """What a build gives: the report, and the named graphs both as chunks ready to write
    (``kg.output.export.Chunk``) and, on demand, as rdflib graphs (``articles``, ``inferred``)."""

    def __init__(self, ontology: Graph, reference: Graph, units: list, report: Report,
                 lines: dict | None = None, ref_inferred: list | None = None, reason: str = "none",
                 inferred_on: bool = False) -> None:
        self.ontology = ontology
        self.reference = reference
        self.units = units
        self.report = report
        self._lines = lines or {}
        self.reason = reason
        self.ref_inferred = ref_inferred or []
        #: whether graph:inferred is part of the build (reasoning on, and the data conforms)
        self.inferred_on = inferred_on
        self._chunks: dict[str, object] = {}
        self._articles: list[Graph] | None = None
        self._inferred: Graph | None = None
        #: graph IRI -> (triples, packed subject blocks) of the ontology, the reference entities
        #: and their entailments, where already rendered
        self.rendered: dict[str, tuple[int, bytes, str | None]] = {}
        #: the fact files this build read and built (the others came from the cache), in order
        self.rebuilt: list[str] = []
        #: where the layouts of the outputs are kept (``kg.output.splice``), None: not kept
        self.layout_dir: Path | None = None
        #: graph -> triples, once the outputs are written (graph:inferred counted as written)
        self._counts: dict[str, int] | None = None
        #: where the outputs were written from the previous ones (``kg.output.splice``): how
        #: many graphs changed; None: written whole
        self.spliced: int | None = None

    @property
    def lines(self) -> dict[URIRef, tuple[str, int]]:
        """node -> (file, line) of the entry that produced it."""
        out = dict(self._lines)
        for unit in self.units:
            out.update(unit.lines)
        return out

    @property
    def articles(self) -> list[Graph]:
        """The article graphs as rdflib graphs (made on first use)."""
        if self._articles is None:
            self._articles = []
            for unit in self.units:
                g = Graph(identifier=ns.article_graph(unit.article_id))
                for t in unit.triples:
                    g.add(t)
                self._articles.append(g)
        return self._articles

    @property
    def inferred(self) -> Graph | None:
        """What reasoning adds (``graph:inferred``); None when reasoning is off."""
        if not self.inferred_on:
            return None
        if self._inferred is None:
            g = Graph(identifier=INFERRED_GRAPH)
            for t in self.ref_inferred:
                g.add(t)
            for unit in self.units:
                for t in unit.inferred:
                    g.add(t)
            self._inferred = g
        return self._inferred

    @property
    def graphs(self) -> list[Graph]:
        """Every named graph of asserted triples, in a stable order."""
        return [self.ontology, self.reference, *sorted(self.articles, key=lambda g: str(g.identifier))]

    def all_graphs(self, with_inferred: bool = True) -> list[Graph]:
        if with_inferred and self.inferred is not None:
            return [*self.graphs, self.inferred]
        return self.graphs

    @property
    def article_count(self) -> int:
        return len(self.units)

    def chunks(self, with_inferred: bool = True) -> list:
        """Every named graph as a ``kg.output.export.Chunk``: the articles' come from their units
        (rendered by the workers, or from the cache), the others are rendered here once."""
        from .output.export import Chunk, chunk_of
        from .output.turtle import Terms, count_pairs, merged_stream

        def fixed(graph: Graph) -> Chunk:
            done = self.rendered.get(str(graph.identifier))
            if done is None:
                return chunk_of(graph, terms)
            return Chunk(str(graph.identifier), done[0], _unpack(done[1]), lambda: list(graph), done[2])

        terms = Terms()
        if "asserted" not in self._chunks:
            asserted = [fixed(self.ontology), fixed(self.reference)]
            for unit in self.units:
                asserted.append(Chunk(str(ns.article_graph(unit.article_id)), unit.count, _reader(unit, "blocks"),
                                      _reader(unit, "triples"), _reader(unit, "trig_text")))
            self._chunks["asserted"] = asserted
        out = list(self._chunks["asserted"])
        if with_inferred and self.inferred_on:
            if "inferred" not in self._chunks:
                from .output.turtle import subject_blocks

                done = self.rendered.get(str(INFERRED_GRAPH))
                first = _unpack(done[1]) if done is not None else subject_blocks(self.ref_inferred, terms)
                blocks = list(merged_stream(chain([first], (u.inferred_blocks for u in self.units))))
                subjects = [b.partition(" ")[0] for b in blocks]
                self._chunks["inferred"] = Chunk(str(INFERRED_GRAPH), sum(count_pairs(b) for b in blocks),
                                                 list(zip(subjects, blocks)), lambda: self.inferred)
            out.append(self._chunks["inferred"])
        return out

    def graph_counts(self) -> dict[str, int]:
        if self._counts is not None:
            return dict(self._counts)
        return {c.name: c.count for c in self.chunks()}

    def parts(self) -> list:
        """Every named graph as a ``kg.output.splice.Part`` (graph:inferred too, where it is
        written), in the order of their IRIs: what the outputs are written from."""
        from .output.splice import Part, digest
        from .output.turtle import subject_blocks

        parts = []
        for graph in (self.ontology, self.reference):
            name = str(graph.identifier)
            done = self.rendered.get(name)
            if done is None or done[2] is None:
                from .output.export import chunk_of

                chunk = chunk_of(graph, Terms())
                text = chunk.trig_text(Terms())
                parts.append(Part(name, digest(text.encode()), chunk.count, (lambda t=text: t),
                                  (lambda c=chunk: c.block_list())))
            else:
                parts.append(Part(name, digest(done[1], done[2].encode()), done[0], (lambda d=done: d[2]),
                                  (lambda d=done: _unpack(d[1]))))
        for unit in self.units:
            parts.append(Part(str(ns.article_graph(unit.article_id)), _version(unit),
                              unit.count, _reader(unit, "trig_text"), _reader(unit, "blocks"),
                              _reader(unit, "inferred_blocks") if self.inferred_on else None))
        if self.inferred_on:
            done = self.rendered.get(str(INFERRED_GRAPH))
            blocks = _unpack(done[1]) if done is not None else subject_blocks(self.ref_inferred, Terms())
            version = digest("\0".join(b for _, b in blocks).encode())
            parts.append(Part(str(INFERRED_GRAPH), version, 0, None, None, lambda: blocks))
        parts.sort(key=lambda p: p.name)
        return parts

    @property
    def inferred_count(self) -> int | None:
        if not self.inferred_on:
            return None
        if self._counts is not None:
            return self._counts[str(INFERRED_GRAPH)]
        return self.chunks()[-1].count

    def triple_count(self) -> int:
        return sum(self.graph_counts().values())


def _reader(unit, name: str):
    """A function giving ``unit``'s attribute ``name`` when called (read then, not now)."""
    return lambda: getattr(unit, name)


@contextmanager
def _no_gc():
    """The cyclic garbage collector paused: reading 10,000 cache entries (or their triples, or
    writing the outputs from them) makes millions of objects that hold no cycles, and each
    collection meanwhile walks every one made so far (at 10,000 articles, unpickling the
    entries took 0.85 s with it, 0.22 s without). Not around the workers: they are forked."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


class Warm:
    """What a long-lived process (``kg build --watch``) keeps from one build for the next, so
    that a build after one edit redoes only what the edit changed, with no more read from disk
    than a build needs to see what changed:

    - the ontology, the shapes and the reference read, with the shapes compiled and the reasoner
      made (``_Setup``), kept while the digest of those files, the engine, the reasoning mode
      and whether to validate are what they were;
    - each article's unit under its cache key (the digest of its file's bytes and the inputs'),
      used again where its key is the same and the cache still holds its entry (the entry is
      then kept in use, as a read would: ``kg.build.cache.Cache.held``).

    What a build gives with it is what it gives without it, byte for byte (tests/test_watch.py);
    a build that fails keeps what the last one that got that far kept."""

    def __init__(self) -> None:
        self.key: tuple | None = None
        self.setup: "_Setup | None" = None
        self.units: dict[str, "_Unit"] = {}

    def hits(self, cache, paths: list[Path]) -> tuple[list["_Unit | None"], list[str | None]]:
        """Each article's unit (the one kept where its key is the same, else the cache's), and
        each one's key."""
        out, keys = [], []
        for path in paths:
            key = cache.key(path)
            unit = self.units.get(key) if key is not None else None
            if unit is None or not cache.held(key, unit):
                unit = cache.get(path)
            out.append(unit)
            keys.append(key)
        return out, keys

    def keep(self, keys: list[str | None], units: list["_Unit"]) -> None:
        self.units = {key: unit for key, unit in zip(keys, units) if key is not None}

    @staticmethod
    def settle() -> None:
        """Between two builds (after one, while the process waits for changes): collect what
        the last build left in cycles, then freeze what lives on (this warm state above all) out
        of the cyclic collector's reach, so that the next build's collections walk only what
        that build makes. Without it, the first objects a build made started a collection of
        everything alive: 1.9 s of each build after an edit at 100,000 articles, where this
        takes the same time once, while nothing is asked of the process. ``run`` leaves frozen
        what it finds frozen."""
        gc.unfreeze()
        gc.collect()
        gc.freeze()


def input_folders(project: Project) -> list[Path]:
    """The folders whose files a build reads, where they exist: the ontology's, the reference's
    and the articles'."""
    return [d for d in (project.ontology_dir, project.reference_dir, project.articles_dir) if d.is_dir()]


def watch_inputs(project: Project, stop_event=None):
    """Wait for the files a build reads to change, and give each batch of changes as the sorted
    paths the project shows (``Project.display``) of the files changed, added or removed: the
    ontology's and the shapes' files, the reference files, the articles and the proposed
    entries. The operating system tells of the changes (inotify, FSEvents, ReadDirectoryChangesW
    through watchfiles): nothing is read while nothing changes. A burst of changes (an editor's
    save, a checkout) comes as one batch, once 50 ms pass without another. Changes made while
    the caller works on a batch come in the next. Ends when ``stop_event`` (``threading.Event``)
    is set; Ctrl-C raises ``KeyboardInterrupt``."""
    from watchfiles import watch

    from .project import ONTOLOGY_FILES, SHAPES_FILE

    ontology = project.ontology_dir.resolve()
    folders = [d.resolve() for d in input_folders(project)]
    names = {*ONTOLOGY_FILES, SHAPES_FILE}

    def wanted(_change, path: str) -> bool:
        where = Path(path)
        if where.parent == ontology:
            return where.name in names
        return where.suffix == ".yaml" and not where.name.startswith(".")

    for changes in watch(*folders, watch_filter=wanted, recursive=False, stop_event=stop_event, step=50):
        yield sorted({project.display(Path(path)) for _change, path in changes})


def run(project: Project, validate_graphs: bool = True, reason: str = "owlrl", engine: str = "fast",
        jobs: int = 1, use_cache: bool = True, progress: Callable[[int, int], None] | None = None,
        warm: Warm | None = None) -> BuildResult:
    """Read, build, validate and reason over every article, each on its own.

    ``engine``: ``fast`` (``kg.build.shacl.fast`` and ``kg.build.reasoning.rules``) or ``reference`` (pySHACL and
    owlrl); both give the same results (tests/test_fastpath.py). ``jobs`` > 1 spreads the
    articles over that many processes. With ``use_cache``, an article whose file, ontology,
    shapes, engine, reasoning mode and kg version are unchanged, and whose reference entities
    are (``_Setup.current``: each entity it reaches, with its entailments), is taken from
    ``.kg/cache/`` rather than rebuilt (``kg.build.cache``); ``BuildResult.rebuilt`` names the
    others. ``progress(done, total)`` is called as articles are done. ``warm``: what the last
    build in this process kept (``Warm``), used and then updated.

    Then every article, cached or not, is checked against the others (``kg.build.crosscheck``, over
    each article's index of its facts and references): a ``TYPE/ID`` reference to a fact no
    article reports raises ``InputError``; the facts several articles report are validated
    with all their values, and where the articles disagree the report has warnings.
    """
    from .build.shacl.facade import check_engine

    check_engine(engine)
    setup = _read_inputs(project, validate_graphs, reason, engine, warm, use_cache)
    cache = _open_cache(project, validate_graphs, reason, engine) if use_cache else None
    shared = _shared(setup, cache)
    thawed = gc.get_freeze_count() == 0
    try:
        units, rebuilt = _build_articles(setup, cache, jobs, progress, warm)
        report = _validated(setup, shared, units, cache)
        result = _result(setup, shared, units, report)
    finally:
        if thawed:  # what _build_articles froze collectable again (a long-lived process)
            gc.unfreeze()
    result.rebuilt = rebuilt
    if use_cache:
        result.layout_dir = project.cache_dir / "layout"
    return result


# --- the stages of run ---------------------------------------------------------------------


@dataclass
class Shared:
    """What every article's build shares, computed once and cached: the shapes' results on the
    reference entities, their entailments, the ontology's and the reference's graphs rendered
    (``kg.output.turtle``), and the reasoner pickled (with the reference's closure)."""

    ref_results: list
    ref_inferred: list
    rendered: dict
    reasoner_blob: bytes | None


def _read_inputs(project: Project, validate_graphs: bool, reason: str, engine: str,
                 warm: Warm | None = None, use_cache: bool = False) -> "_Setup":
    """Inputs: the ontology, the reference entities (and their graph), the shapes (those
    ``warm`` kept, where their files and the way of building are the same; else, with
    ``use_cache``, those a build kept in the cache, ``_kept_inputs``)."""
    # hashed before they are read: a file changed in between gives a key its entries never
    # match again (they are then checked entity by entity), never entries of old bytes under
    # the key of new ones
    ref_key, context_key = _input_digests(project)
    key = None
    if warm is not None:
        key = (ref_key, context_key, validate_graphs, reason, engine, str(project.root.resolve()))
        if warm.key == key and warm.setup is not None:
            return warm.setup
        warm.key, warm.setup = None, None  # the old setup goes before the new one is read
    if use_cache:
        ontology, reference, vocab, shapes = _kept_inputs(project, validate_graphs, ref_key, context_key)
    else:
        ontology, reference, vocab = read_context(project)
        shapes = load_shapes(project) if validate_graphs else None
    ref = reference_graph(reference)
    setup = _Setup(project, ontology, ref, vocab, shapes, reason, engine)
    setup.reference_entities = reference  # read_article only looks entities up
    setup.ref_key = ref_key
    if warm is not None:
        warm.key, warm.setup = key, setup
    return setup


def _input_digests(project: Project) -> tuple[str, str]:
    """The digests of the reference files and of the ontology and shapes files."""
    from .build.cache import digest_files

    return (digest_files(project.reference_paths(), extra="reference"),
            digest_files([*project.ontology_paths(), project.shapes_path()], extra="context"))


#: the folder of the cache (``Project.cache_dir``) where the inputs read are kept (``_kept_inputs``)
INPUTS_KEPT = "inputs"


def _kept_inputs(project: Project, validate_graphs: bool, ref_key: str, context_key: str) -> tuple:
    """``read_context`` and ``load_shapes``: what a build read of the same files, where it kept
    it in the cache (``.kg/cache/inputs/``, one file), else read and kept. A new process reads
    them there in 0.04 s where parsing the ontology (with its blank nodes labelled), the shapes
    and the reference's YAML takes 0.25 s at 10,000 articles. The file is named by the digests
    of every file they are read from (``ref_key``, ``context_key``: taken before reading), kg's
    code, rdflib's version and the project's folder, and is kept only where those files hash
    the same after reading (a file changed while it was read is read again next time); it is
    read back only where its checksum matches (``kg.build.cache.read_checked``). Errors in
    the files are raised as ``read_context`` raises them: nothing is kept of a failed read."""
    import rdflib

    from .build.cache import code_key, read_checked, write_alone

    _check_articles_folder(project)
    key = hashlib.sha256("\0".join([code_key(), rdflib.__version__, ref_key, context_key, str(validate_graphs),
                                     str(project.root.resolve())]).encode()).hexdigest()
    folder = project.cache_dir / INPUTS_KEPT
    kept = read_checked(folder / f"{key}.pickle")
    if type(kept) is tuple and len(kept) == 4:
        return kept
    ontology, reference, vocab = read_context(project)
    shapes = load_shapes(project) if validate_graphs else None
    read = (ontology, reference, vocab, shapes)
    if _input_digests(project) == (ref_key, context_key):  # one file: the inputs as they are now
        write_alone(folder / f"{key}.pickle", read)
    return read


def _open_cache(project: Project, validate_graphs: bool, reason: str, engine: str):
    """The cache of built articles, keyed by what every article shares and by how they are
    built; not by the reference entities, which each entry names as it uses them
    (``_Setup.current``)."""
    from .build.cache import Cache, digest_files

    inputs_key = digest_files([*project.ontology_paths(), project.shapes_path()],
                              extra=f"{__version__}|{engine}|{reason}|{validate_graphs}")
    return Cache(project.cache_dir, inputs_key)


def _shared(setup: "_Setup", cache) -> Shared:
    """The reference entities validated and reasoned over, and what every build writes of the
    ontology and the reference, rendered once (from the cache where it has them, under the
    reference files' digest)."""
    shared = cache.get_context(setup.ref_key) if cache is not None else None
    if shared is None:
        from .output.turtle import graph_text, subject_blocks

        terms = Terms()
        ref_results = setup.validate_reference().results if setup.shapes is not None else []
        ref_inferred = list(setup.reasoner().reference_inferred) if setup.reason != "none" else []
        rendered = {}
        for g in (setup.ontology, setup.ref.graph):
            blocks = subject_blocks(g, terms)
            rendered[str(g.identifier)] = (len(g), _pack(blocks),
                                           graph_text(terms(g.identifier), (b for _, b in blocks)))
        rendered[str(INFERRED_GRAPH)] = (len(ref_inferred), _pack(subject_blocks(ref_inferred, terms)), None)
        reasoner_blob = None
        if setup.reason != "none":
            try:  # the reasoner (with the reference entities' closure), for builds that need one
                reasoner_blob = pickle.dumps(setup.reasoner(), protocol=pickle.HIGHEST_PROTOCOL)
            except Exception:
                reasoner_blob = None
        shared = Shared(ref_results, ref_inferred, rendered, reasoner_blob)
        if cache is not None:
            cache.put_context(shared, setup.ref_key)
    setup.reasoner_blob = shared.reasoner_blob
    setup.ref_inferred = shared.ref_inferred
    return shared


def _build_articles(setup: "_Setup", cache, jobs: int, progress: Callable[[int, int], None] | None,
                    warm: Warm | None = None) -> tuple[list["_Unit"], list[str]]:
    """Each article built, validated and reasoned over on its own (or taken from the cache,
    where the reference entities it uses are unchanged; or from ``warm``), in the order of its
    path, and the names of the fact files built; a duplicate article id is an ``InputError``."""
    paths = setup.project.article_paths()
    units: list[_Unit | None] = [None] * len(paths)
    todo = []
    with _no_gc():
        if cache is None:
            hits = [None] * len(paths)
        elif warm is not None:
            hits, keys = warm.hits(cache, paths)
        else:
            hits = cache.get_many(paths)
        # what is alive now lives through the build: the collections to come (the cross-check,
        # the report) need not walk it again (nor do the forked workers, which share its pages);
        # frozen before the collector is on again, whose first collection would walk it all
        # (0.06-0.09 s at 10,000 articles)
        gc.freeze()
    for i, hit in enumerate(hits):
        if hit is not None and setup.current(hit):
            units[i] = hit
            # the triples kept beside it are checked when read: where damaged, made again (and
            # the entry forgotten, so that the next build rebuilds it)
            if getattr(hit, "_side", None) is not None:
                hit.attach(hit._side, _rebuilder(setup, cache, paths[i]))
        else:
            todo.append(i)
    done = len(paths) - len(todo)
    if progress is not None:
        progress(done, len(paths))
    for i, unit in _process(setup, [paths[i] for i in todo], todo, jobs):
        units[i] = unit
        if cache is not None:
            light = unit.light()
            side = cache.put(paths[i], light, side=pickle.dumps(unit.blobs, protocol=pickle.HIGHEST_PROTOCOL))
            if side is not None:  # read back from the cache when asked for, as a cached unit is
                light.attach(side)
                units[i] = light
        done += 1
        if progress is not None:
            progress(done, len(paths))
    if cache is not None:
        cache.save()
    seen: dict[str, _Unit] = {}
    for unit in units:
        assert unit is not None
        if unit.article_id in seen:
            first = seen[unit.article_id]
            raise InputError(f"duplicate article id {unit.article_id!r} (also in {first.path})", unit.path, unit.line)
        seen[unit.article_id] = unit
    if warm is not None and cache is not None:
        for i in todo:  # the key each was put under
            keys[i] = cache.key(paths[i])
        warm.keep(keys, units)
    return units, [units[i].path for i in todo]


def _version(unit: "_Unit") -> bytes:
    """A digest of everything an article gives: its graph's text and its entailments (worked
    out once for each unit: neither ever changes)."""
    got = unit.__dict__.get("_version")
    if got is None:
        from .output.splice import digest

        got = unit.__dict__["_version"] = digest(unit.trig, unit.packed_inferred)
    return got


def _rebuilder(setup: "_Setup", cache, path: Path) -> Callable[[], tuple]:
    def rebuild() -> tuple:
        cache.forget(path)
        return setup.article(path, setup.reference_entities)._blobs()
    return rebuild


def _validated(setup: "_Setup", shared: Shared, units: list["_Unit"], cache=None) -> Report:
    """The report: the reference's results, each article's, and the cross-article check's."""
    report = Report()
    report.results.extend(shared.ref_results)
    for unit in units:
        report.results.extend(unit.results)
    with _no_gc():
        report.results.extend(_cross_check(setup, units, report.results, cache))
    # A result about a reference entity found while validating an article is reported once.
    report.results = sorted(set(report.results), key=lambda r: r.sort_key())
    return report


def _result(setup: "_Setup", shared: Shared, units: list["_Unit"], report: Report) -> BuildResult:
    """The articles in the order of their graphs' names, with everything the outputs need."""
    ordered = sorted(units, key=lambda u: str(ns.article_graph(u.article_id)))
    result = BuildResult(setup.ontology, setup.ref.graph, ordered, report, dict(setup.ref.lines),
                         shared.ref_inferred, setup.reason,
                         inferred_on=setup.reason != "none" and report.conforms)
    result.rendered = shared.rendered
    return result


def _check_articles_folder(project: Project) -> None:
    if not project.articles_dir.is_dir():
        raise InputError(f"no folder {project.display(project.articles_dir)}")


def read_context(project: Project):
    """The ontology, the reference entities and the vocabulary (what every article needs)."""
    from .inputs.facts import read_reference
    from .inputs.ontology import load_ontology, vocabulary

    _check_articles_folder(project)
    ontology = load_ontology(project)
    vocab = {scheme: set(ids) for scheme, ids in vocabulary(ontology).items()}
    reference = read_reference([(p, project.display(p)) for p in project.reference_paths()], vocab)
    return ontology, reference, vocab


@dataclass
class _Unit:
    """What one article gives, as the cache keeps it: its validation results, its named graph
    rendered (TriG text and subject blocks, ``kg.output.turtle``), its entailments' subject blocks,
    and its triples, lines and entailments pickled, unpickled only when asked for."""

    article_id: str
    path: str
    line: int
    count: int
    results: list
    #: its named graph as TriG text, compressed (``trig_text``)
    trig: bytes
    #: the subject blocks (``_pack``: the subjects joined by newlines and the blocks by NULs,
    #: neither holds one, compressed): far smaller, and quicker to unpickle, than a list of pairs.
    #: An article's rendered text is a sixth of its size compressed, so that 100,000 articles'
    #: units fit in memory until their outputs are written
    packed_blocks: bytes
    packed_inferred: bytes
    #: the triples, lines and entailments, each pickled; None in an entry read from the
    #: cache, which keeps them apart (``kg.build.cache``) and reads them when first asked for
    blobs: tuple[bytes, bytes, bytes] | None = None
    #: its facts and its references to facts (``kg.build.crosscheck.ArticleIndex``), checked
    #: against every other article's after the per-article stage
    index: object | None = None
    #: the digest of the reference files it was built with (``_Setup.ref_key``)
    ref_key: str = ""
    #: the reference entities and concepts it reaches (``_Setup.dependencies``: short names,
    #: one a line), and the digest of their definitions and entailments then; None: it depends
    #: on the whole reference (``_Setup.local`` is false)
    deps: str | None = None
    deps_digest: bytes | None = None
    #: the results whose origin is a reference entity's line (their focus is not the
    #: article's), looked up again when the entry is used with other reference files
    ref_origins: tuple[int, ...] = ()
    #: what the cross-article check reads of the triples (``kg.build.crosscheck.subset``),
    #: pickled and compressed: about a third of them, the others are not unpickled for the check
    check_blob: bytes | None = None

    def attach(self, side, rebuild: Callable[[], tuple] | None = None) -> None:
        """Where to read ``blobs`` from when they are asked for (a function giving them
        pickled), and how to make them again where what it gives is damaged
        (``kg.build.cache.DamagedRecord``)."""
        self._side = side
        self._rebuild = rebuild

    def _blobs(self) -> tuple[bytes, bytes, bytes]:
        if self.blobs is None:
            from .build.cache import DamagedRecord

            try:
                self.blobs = pickle.loads(self._side())
            except DamagedRecord:
                if getattr(self, "_rebuild", None) is None:
                    raise
                self.blobs = self._rebuild()
        return self.blobs

    def light(self) -> "_Unit":
        """The unit without its blobs (what the cache entry keeps)."""
        return replace(self, blobs=None)

    @property
    def trig_text(self) -> str:
        return _decompress(self.trig).decode()

    @property
    def blocks(self) -> list:
        return _unpack(self.packed_blocks)

    @property
    def inferred_blocks(self) -> list:
        return _unpack(self.packed_inferred)

    @property
    def triples(self) -> list:
        return pickle.loads(self._blobs()[0])

    @property
    def check_triples(self) -> list:
        """The triples the cross-article check reads (``check_blob``)."""
        if self.check_blob is None:
            from .build.crosscheck import subset

            return subset(self.triples)
        return pickle.loads(_decompress(self.check_blob))

    @property
    def lines(self) -> dict:
        return pickle.loads(self._blobs()[1])

    @property
    def inferred(self) -> list:
        return pickle.loads(self._blobs()[2])


def _short(node: URIRef) -> str:
    """A node's name in a cache entry: its IRI without the project's base (a NUL first where
    it has another)."""
    text = str(node)
    return text[len(ns.BASE):] if text.startswith(ns.BASE) else "\0" + text


def _reference_prefixes() -> tuple[str, ...]:
    from .inputs.schema import ENTITY_KINDS

    return tuple(sorted({str(ns.entity(k.name, "")) for k in ENTITY_KINDS.values()} | {str(ns.MCV)}))


_REFERENCE_PREFIXES = _reference_prefixes()


def _could_be_reference(node) -> bool:
    """Whether ``node`` has the form of a reference subject: an entity's IRI
    (``kg.namespaces.entity`` of an entity kind) or a concept's (``kg.namespaces.concept``).
    Other nodes (an article's facts, claims, amounts; the ontology's classes) can never gain a
    triple in the reference, so an entry need not name them."""
    return isinstance(node, URIRef) and str(node).startswith(_REFERENCE_PREFIXES)


class _Looked:
    """What reading one article looks up in the reference entities and the vocabulary, as
    nodes (``nodes``): ``reference`` and ``vocab`` stand for the real ones and note every
    entity and concept asked for."""

    def __init__(self, reference, vocab: dict) -> None:
        from .inputs.facts import Reference

        self.nodes: set = set()
        self.reference = Reference(entities=_LookedEntities(reference.entities, self.nodes),
                                   concepts=reference.concepts)
        self.vocab = _LookedVocab(vocab, self.nodes)


class _LookedEntities(Mapping):
    """The reference's entities (read through, not copied), noting each one looked up."""

    def __init__(self, entities: dict, nodes: set) -> None:
        self._entities = entities
        self._nodes = nodes

    def __getitem__(self, key):
        entity = self._entities[key]
        self._nodes.add(ns.entity(entity.kind, entity.id))
        return entity

    def __iter__(self):
        return iter(self._entities)

    def __len__(self) -> int:
        return len(self._entities)

    def values(self):  # what error messages search: nothing is noted (no entry is made then)
        return self._entities.values()

    def items(self):
        return self._entities.items()


class _LookedVocab(Mapping):
    """The vocabulary (scheme -> concept ids), noting each concept asked for that it has."""

    def __init__(self, vocab: dict, nodes: set) -> None:
        self._vocab = vocab
        self._nodes = nodes

    def __getitem__(self, scheme):
        return _LookedIds(scheme, self._vocab[scheme], self._nodes)

    def __iter__(self):
        return iter(self._vocab)

    def __len__(self) -> int:
        return len(self._vocab)


class _LookedIds:
    """One scheme's concept ids: ``in`` notes the concept where the scheme has it."""

    def __init__(self, scheme: str, ids: set, nodes: set) -> None:
        self._scheme, self._ids, self._nodes = scheme, ids, nodes

    def __contains__(self, ident) -> bool:
        found = ident in self._ids
        if found:
            self._nodes.add(ns.concept(self._scheme, ident))
        return found

    def __iter__(self):
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)


def _compress(data: bytes) -> bytes:
    """What a unit keeps of an article's text and triples, compressed with zlib's fastest level:
    a sixth of the text, read back at 400 MB/s."""
    return zlib.compress(data, 1)


_decompress = zlib.decompress


def _pack(blocks: list) -> bytes:
    """Subject blocks as bytes: the subjects joined by newlines, a NUL, the blocks joined by NULs,
    compressed (``_compress``)."""
    text = "\n".join(s for s, _ in blocks) + "\0" + "\0".join(b for _, b in blocks)
    return _compress(text.encode())


def _unpack(packed: bytes) -> list:
    subjects, _, texts = _decompress(packed).decode().partition("\0")
    if not subjects:
        return []
    return list(zip(subjects.split("\n"), texts.split("\0")))


class _Setup:
    """What every article's work needs, made once per process."""

    def __init__(self, project, ontology, ref, vocab, shapes, reason, engine):
        self.project = project
        self.ontology = ontology
        self.ref = ref
        self.reference = None
        self.vocab = vocab
        self.shapes = shapes
        self.reason = reason
        self.engine = engine
        self._compiled = None
        self._reasoner = None
        #: the reasoner pickled, from the cache: quicker to load than to make
        self.reasoner_blob: bytes | None = None
        self.terms = Terms()
        #: reference subject -> its Turtle block (``_reference_text``)
        self._ref_blocks: dict = {}
        #: the digest of the reference files (``_read_inputs``), and the reference entities'
        #: entailments (``_shared``)
        self.ref_key = ""
        self.ref_inferred: list = []
        self._local: bool | None = None
        #: (reference triples by subject, their entailments by subject), made on first use
        self._by_node: tuple[dict, dict] | None = None
        #: short name of a node -> the digest of its reference triples and entailments
        self._node_digests: dict[str, bytes] = {}
        #: short name -> its name and digest as ``deps_digest`` hashes them
        self._dep_entries: dict[str, bytes] = {}

    def compiled(self):
        """The shapes, compiled once (``kg.build.shacl.facade.Validator``: the engine's facade)."""
        if self._compiled is None:
            from .build.shacl.facade import Validator

            self._compiled = Validator(self.shapes, self.ontology, engine=self.engine,
                                       source=self.project.display(self.project.shapes_path()))
        return self._compiled

    def reasoner(self):
        if self._reasoner is None and self.reasoner_blob is not None:
            try:
                self._reasoner = pickle.loads(self.reasoner_blob)
            except Exception:
                self._reasoner = None
        if self._reasoner is None:
            from .build.reasoning import reasoner

            self._reasoner = reasoner(self.engine, self.ontology, self.ref.graph, self.reason)
        return self._reasoner

    def validate_reference(self) -> Report:
        return self.compiled().validate_reference(self.ref.graph, lines=self.ref.lines)

    # --- what an article depends on of the reference ---------------------------------------

    def local(self) -> bool:
        """Whether an article's results and entailments depend only on the reference entities
        (and data concepts) it reaches from its own nodes by following links forward: true for
        the fast engine's shapes that follow no link backwards (no ``sh:inversePath``, no
        ``sh:targetObjectsOf``, no pySHACL fallback: pySHACL validates each article with the
        whole reference) and for both reasoners (``kg.build.reasoning``: over the article and
        the reference triples it uses, with their entailments), provided that the reference
        has no ``rdfs:subClassOf`` of its own and that its every subject is an entity's or a
        data concept's IRI (``_could_be_reference``). Otherwise every entry depends on the
        whole reference, as it did before."""
        if self._local is None:
            from rdflib.namespace import RDFS

            local = True
            if self.shapes is not None:
                local = self.compiled().looks_forward_only
            by_subject, by_inferred = self._nodes()
            local = (local and (None, RDFS.subClassOf, None) not in self.ref.graph
                     and all(_could_be_reference(s) for s in (*by_subject, *by_inferred)))
            self._local = local
        return self._local

    def _nodes(self) -> tuple[dict, dict]:
        if self._by_node is None:
            by_subject: dict = {}
            for t in self.ref.graph:
                by_subject.setdefault(t[0], []).append(t)
            by_inferred: dict = {}
            for t in self.ref_inferred:
                by_inferred.setdefault(t[0], []).append(t)
            self._by_node = (by_subject, by_inferred)
        return self._by_node

    def node_digest(self, name: str) -> bytes:
        """The digest of what the reference says of one node (its short name, ``_short``) and
        what follows from it: every triple of which it is the subject, asserted or entailed."""
        got = self._node_digests.get(name)
        if got is None:
            node = URIRef(ns.BASE + name if not name.startswith("\0") else name[1:])
            by_subject, by_inferred = self._nodes()
            h = hashlib.blake2b(digest_size=16)
            for part in (by_subject.get(node, ()), by_inferred.get(node, ())):
                for line in sorted(f"{p.n3()} {o.n3()}" for _s, p, o in part):
                    h.update(line.encode() + b"\n")
                h.update(b"\0")
            got = self._node_digests[name] = h.digest()
        return got

    def deps_digest(self, deps: str) -> bytes:
        """The digest of what the reference says of each of ``deps`` (short names, one a line)."""
        entries = self._dep_entries
        parts = []
        for name in deps.split("\n") if deps else ():
            entry = entries.get(name)
            if entry is None:
                entry = entries[name] = name.encode() + b"\0" + self.node_digest(name)
            parts.append(entry)
        return hashlib.blake2b(b"".join(parts), digest_size=16).digest()

    def dependencies(self, nodes) -> str | None:
        """The reference entities and concepts that ``nodes`` (an article's) reach, following
        the links of the reference and its entailments, as sorted short names, one a line (one
        string: 100,000 articles' tuples of 50-odd names would hold 400 MB): the nodes that
        are, or could become, a subject of the reference; None where the build is not
        ``local`` (or a name holds a line break)."""
        if not self.local():
            return None
        by_subject, by_inferred = self._nodes()
        seen: set = set()
        todo = [n for n in nodes if isinstance(n, URIRef)]
        while todo:
            node = todo.pop()
            if node in seen:
                continue
            seen.add(node)
            for part in (by_subject.get(node, ()), by_inferred.get(node, ())):
                for t in part:
                    if isinstance(t[2], URIRef):
                        todo.append(t[2])
        names = sorted(_short(n) for n in seen if _could_be_reference(n))
        if any("\n" in name for name in names):
            return None
        return "\n".join(names)

    def current(self, unit: "_Unit") -> bool:
        """Whether a cached entry holds what building its article now would give: it was built
        with the same reference files, or every reference entity it reaches is as it was then
        (then the results that name a reference entity's line take its line now)."""
        if getattr(unit, "index", None) is None:  # made by an older kg, without the cross-article index
            return False
        if unit.ref_key == self.ref_key:
            return True
        if unit.deps is None or not self.local() or self.deps_digest(unit.deps) != unit.deps_digest:
            return False
        if unit.ref_origins:
            lines = self.ref.lines
            moved = set(unit.ref_origins)
            unit.results = [replace(r, origin=lines.get(r.focus)) if i in moved else r
                            for i, r in enumerate(unit.results)]
        return True

    def article(self, path: Path, reference) -> _Unit:
        from .build.reasoning.owlrl_engine import used_triples
        from .inputs.facts import read_article
        from .output.turtle import subject_blocks

        looked = _Looked(reference, self.vocab)
        article = read_article(path, self.project.display(path), looked.reference, looked.vocab)
        built = article_graph(article)
        results: list = []
        # a view, not a copy of the reference's lines for every article
        lines = ChainMap(built.lines, self.ref.lines)
        triples = list(built.triples)
        blocks = subject_blocks(triples, self._terms())
        # the reference triples about what the article uses, found once for shapes and rules
        used = used_triples(triples, self.ref.graph)
        if self.shapes is not None:
            text = _PREFIXES + "".join(b for _, b in blocks) + self._reference_text(used)
            results = self.compiled().validate_with_reference(triples, self.ref.graph, lines=lines, used=used,
                                                              store_text=text).results
        inferred: list = []
        if self.reason != "none" and not any(r.severity == "Violation" for r in results):
            inferred = list(self.reasoner().inferred(triples, used=used))
        unit = self.unit(article, built, results, inferred, triples, blocks)
        unit.ref_key = self.ref_key
        unit.deps = self.dependencies({n for t in triples for n in (t[0], t[2])} | looked.nodes)
        if unit.deps is not None:
            unit.deps_digest = self.deps_digest(unit.deps)
        own = built.lines
        unit.ref_origins = tuple(i for i, r in enumerate(results) if r.focus not in own)
        return unit

    def _terms(self) -> Terms:
        if len(self.terms.memo) > 200_000:  # most IRIs are an article's own: do not keep them all
            self.terms.memo.clear()
        return self.terms

    def _reference_text(self, used: list) -> str:
        """The reference triples an article uses (``used_triples``: every triple of each subject
        it takes), as Turtle blocks, each subject's rendered once per process."""
        from .output.turtle import subject_blocks

        memo = self._ref_blocks
        out = []
        start = 0
        for i in range(1, len(used) + 1):  # used_triples gives each subject's triples together
            if i == len(used) or used[i][0] != used[start][0]:
                s = used[start][0]
                block = memo.get(s)
                if block is None:
                    block = memo[s] = subject_blocks(used[start:i], self.terms)[0][1]
                out.append(block)
                start = i
        return "".join(out)

    def validate_merged(self, graph: Graph, focus: set, lines: dict) -> list:
        """The shapes' results on the nodes ``focus`` of ``graph`` (facts reported by several
        articles, with the values of all of them), with the reference entities."""
        return self.compiled().validate_with_reference(graph, self.ref.graph, lines=lines,
                                                       focus_within=set(focus)).results

    def unit(self, article, built, results: list, inferred: list, triples: list, blocks: list) -> _Unit:
        from .build.crosscheck import index_of, subset
        from .output.turtle import graph_text, subject_blocks

        terms = self.terms
        trig = graph_text(terms(built.identifier), (b for _, b in blocks))
        dump = pickle.dumps
        unit = _Unit(article.id, article.path, article.line, len(triples), results, _compress(trig.encode()),
                     _pack(blocks),
                     _pack(subject_blocks(inferred, terms)),
                     (dump(triples, protocol=pickle.HIGHEST_PROTOCOL),
                      dump(dict(built.lines), protocol=pickle.HIGHEST_PROTOCOL),
                      dump(inferred, protocol=pickle.HIGHEST_PROTOCOL)), index_of(article, blocks, terms))
        unit.check_blob = _compress(dump(subset(triples), protocol=pickle.HIGHEST_PROTOCOL))
        return unit


def _cross_check(setup: _Setup, units: list, results: list, cache=None) -> list:
    """What only the articles together show (``kg.build.crosscheck``): raises ``InputError`` for a
    reference to a fact no article reports; gives the warnings where articles disagree (kept in
    the cache with what they were made from, ``crosscheck.Memo``, and used again while that is
    unchanged)."""
    from .build.crosscheck import Memo, check

    memo = None
    if cache is not None:
        by_path = {u.path: u for u in units}

        def version(path: str) -> bytes:
            # what the article gives, and the reference entities it reaches as they are now (the
            # merged facts reach no others: links are followed forward; a unit in use is
            # current, so its digest of them is today's); all of the reference where the build
            # is not local
            unit = by_path[path]
            local = unit.deps is not None and unit.deps_digest is not None and setup.local()
            return _version(unit) + (unit.deps_digest if local else setup.ref_key.encode())

        memo = Memo(cache.inputs_key, version, cache.get_memo, cache.put_memo)

    articles = [(u.path, u.index, _reader(u, "check_triples")) for u in units]
    merged = setup.validate_merged if setup.shapes is not None else None
    return check(articles, setup.ontology, setup.shapes, results, merged, memo)


_WORKER: dict = {}
#: the @prefix lines that head an article's Turtle
_PREFIXES = prefix_lines()


def _work(args):
    i, path = args
    setup, reference = _WORKER["setup"], _WORKER["reference"]
    try:
        return i, setup.article(path, reference), None
    except KgError as exc:
        return i, None, (exc.message, exc.path, exc.line)


def _process(setup: _Setup, paths: list[Path], indexes: list[int], jobs: int):
    """(index, unit) for every article, in order, over ``jobs`` processes."""
    _WORKER.update(setup=setup, reference=setup.reference_entities)
    work = list(zip(indexes, paths))
    if jobs <= 1 or len(work) < 2:
        for item in work:
            i, unit, err = _work(item)
            if err:
                raise InputError(*err)
            yield i, unit
        return
    import multiprocessing

    # warm what the workers share before forking, so that each does not redo it
    setup.local()
    if setup.shapes is not None:
        setup.compiled().prepare(setup.ref.graph)
    if setup.reason != "none":
        setup.reasoner()
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    # concurrent.futures, not multiprocessing.Pool: a worker that dies (killed, out of memory)
    # breaks the pool with an error instead of leaving the build waiting for it forever
    chunksize = max(1, min(64, len(work) // (jobs * 8) or 1))
    pool = ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork"))
    try:
        for i, unit, err in pool.map(_work, work, chunksize=chunksize):
            if err:
                raise InputError(*err)
            yield i, unit
    except BrokenProcessPool:
        raise KgError("a worker process of the build died (killed, or out of memory?); "
                      "try again, or with --jobs 1") from None
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def write_outputs(result: BuildResult, out_dir: Path, shown: str | None = None) -> dict[str, Path]:
    """Write the merged Turtle (asserted triples only), the TriG (every named graph,
    ``graph:inferred`` included) and a manifest, as one generation swapped in atomically.

    ``out_dir`` becomes a symbolic link to a generation folder beside it
    (``.<name>.generations/``), published by ``kg.output.publish.publishing``: the new generation
    is written in full and synced, then the link is replaced with one rename, so a reader, or a
    build killed at any point, sees the old outputs or the new ones, never a mix; two builds at
    once take turns to publish; and ``out_dir`` is never anything kg did not make (that is
    refused with ``kg.output.publish.NotMadeByKg``, and left as it is). Both files are written by
    ``kg.output.turtle`` from the articles' chunks, streamed (``kg.output.export.pieces``).
    """
    with _no_gc():
        _write_outputs(result, out_dir, shown)
    return {"turtle": out_dir / MERGED, "trig": out_dir / NAMED}


def _write_outputs(result: BuildResult, out_dir: Path, shown: str | None) -> None:
    """The outputs written from the previous build's where its layout is kept and they are
    unchanged (``kg.output.splice``: only what the changed graphs give is written), else whole."""
    from .build.cache import code_key, read_checked
    from .output import splice
    from .output.export import pieces, write_pieces
    from .output.publish import published, publishing

    where = None
    if result.layout_dir is not None:
        key = hashlib.sha256(os.path.abspath(out_dir).encode()).hexdigest()[:32]
        where = result.layout_dir / f"{key}.layout"
    parts = result.parts()
    inferred_name = str(INFERRED_GRAPH) if result.inferred_on else None
    with publishing(out_dir, "build", shown) as generation:
        old = read_checked(where) if where is not None else None
        layout, result.spliced = splice.write_build(generation, published(out_dir), old, code_key(),
                                                    MERGED, NAMED, parts, inferred_name, result.inferred_on)
        if layout is None:  # no layout (an empty graph:inferred): written as exports are
            chunks = result.chunks()
            counts = {c.name: c.count for c in chunks}
            for name, data in ((MERGED, pieces(result.chunks(with_inferred=False), "turtle", inferred=False)),
                               (NAMED, pieces(chunks, "trig", inferred=result.inferred_on))):
                with open(generation / name, "wb") as fh:
                    write_pieces(fh, data)
        else:
            counts = {p.name: p.count for p in parts}
            if inferred_name is not None:
                counts[inferred_name] = layout.inferred.count
        manifest = {"graphs": counts, "reason": result.reason, "triples": sum(counts.values())}
        (generation / MANIFEST).write_bytes((json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode())
    result._counts = counts
    if where is not None:
        _keep_layout(where, layout and splice.stamped(layout, Path(os.path.realpath(generation)), code_key(),
                                                      MERGED, NAMED))


#: the layouts of outputs kept (one per output folder built into), the least recent removed first
LAYOUTS_KEPT = 8


def _keep_layout(where: Path, layout) -> None:
    """Keep the layout of the outputs just written (None: remove the old one), and remove the
    least recently written past ``LAYOUTS_KEPT``. Where that fails, the next build writes the
    outputs whole."""
    from .build.cache import write_checked

    try:
        if layout is None:
            where.unlink(missing_ok=True)
            return
        if write_checked(where, layout):
            kept = sorted(where.parent.glob("*.layout"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
            for old in kept[LAYOUTS_KEPT:]:
                old.unlink(missing_ok=True)
    except OSError:
        pass


def is_stale(project: Project, out_dir: Path | None = None, reason: str | None = None) -> bool:
    """Whether the build is missing, older than any of its inputs, or reasoned otherwise."""
    out_dir = out_dir or project.build_dir
    outputs = [out_dir / MERGED, out_dir / NAMED, out_dir / MANIFEST]
    if not all(p.exists() for p in outputs):
        return True
    if reason is not None:
        try:
            if json.loads((out_dir / MANIFEST).read_text(encoding="utf-8")).get("reason") != reason:
                return True
        except (OSError, ValueError):
            return True
    return min(p.stat().st_mtime for p in outputs) < project.newest_input_mtime()


def ensure_built(project: Project, out_dir: Path | None = None, reason: str = "owlrl") -> Path:
    """Build where the outputs are missing or stale; return the folder of the outputs.

    A build made with another ``reason`` mode is kept as it is unless it is stale.
    Raises ``NotConforming`` when the data has violations (nothing is written then).
    """
    from .output.publish import check

    out_dir = out_dir or project.build_dir
    if is_stale(project, out_dir):
        check(out_dir, "build", project.display(out_dir))  # before the work: kg replaces only what it made
        result = run(project, reason=reason)
        if not result.report.conforms:
            raise NotConforming(result.report)
        write_outputs(result, out_dir, project.display(out_dir))
    return out_dir
