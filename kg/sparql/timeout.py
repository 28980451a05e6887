"""Time limits on queries: ``run_with_timeout`` runs work in a worker thread that is stopped
when it runs over; ``stream_with_timeout`` reads a SELECT query's rows as they come, within the
same limit."""
from __future__ import annotations

import ctypes
import os
import queue
import threading
import time
from typing import Callable, Iterator, TypeVar

from .terms import QueryError, Row, SelectStream

T = TypeVar("T")


def _timeout_error(timeout: float, name: str) -> QueryError:
    return QueryError(f"the query ran longer than {timeout:g} s in {name} (--timeout)")


def _cancel(thread: threading.Thread) -> None:
    """Raise an exception in ``thread`` at its next Python instruction (a pure-Python engine,
    rdflib, stops there; a native one stops when it hands back a row)."""
    if thread.ident is not None and thread.is_alive():
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread.ident), ctypes.py_object(_Cancelled))


class _Cancelled(BaseException):
    """Raised inside a query thread whose query ran over its time."""


def _capture(work: Callable[[], T], outcome: dict) -> bool:
    """Run ``work`` in a worker thread, keeping its value or its error (handed to the caller's
    thread) in ``outcome``; False when it was stopped for running over its time."""
    try:
        outcome["value"] = work()
    except _Cancelled:
        return False
    except BaseException as exc:
        outcome["error"] = exc
    return True


class _Worker:
    """A worker thread that runs one piece of work after another: a build runs a few SPARQL
    constraints per article, and starting a thread for each costs more than most of them take.
    A worker whose work ran over is stopped and never used again; one made before a fork is
    not the child's."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.jobs: queue.SimpleQueue = queue.SimpleQueue()
        self.thread = threading.Thread(target=self._loop, name="kg-query", daemon=True)
        self.thread.start()

    def _loop(self) -> None:
        while True:
            work, outcome, done = self.jobs.get()
            if not _capture(work, outcome):
                return
            done.set()

    def usable(self) -> bool:
        return self.pid == os.getpid() and self.thread.is_alive()


_worker: _Worker | None = None
#: held while the shared worker runs a caller's work; other callers meanwhile get threads of their own
_worker_lock = threading.Lock()


def run_with_timeout(work: Callable[[], T], timeout: float | None, name: str) -> T:
    """``work()``; with a timeout, in a worker thread that is stopped (or, when it is inside
    native code that cannot be stopped, abandoned) when it runs over."""
    global _worker
    if timeout is None:
        return work()
    if not _worker_lock.acquire(blocking=False):
        return _run_in_new_thread(work, timeout, name)
    try:
        if _worker is None or not _worker.usable():
            _worker = _Worker()
        worker = _worker
        outcome: dict = {}
        done = threading.Event()
        worker.jobs.put((work, outcome, done))
        if not done.wait(timeout):
            _worker = None
            _cancel(worker.thread)
            raise _timeout_error(timeout, name)
    finally:
        _worker_lock.release()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def _run_in_new_thread(work: Callable[[], T], timeout: float, name: str) -> T:
    outcome: dict = {}

    worker = threading.Thread(target=_capture, args=(work, outcome), name="kg-query", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        _cancel(worker)
        raise _timeout_error(timeout, name)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


#: rows handed from the query thread to the writer at a time, and how many such batches wait
_BATCH = 500
_QUEUED = 8


def stream_with_timeout(start: Callable[[], tuple[list[str], Iterator[Row]]], timeout: float | None,
                        name: str) -> SelectStream:
    """Run ``start()`` (the query: its variables and its rows) and read the rows as they come.

    With a timeout, the query runs in a worker thread that hands rows over in small batches
    through a bounded queue (so memory holds a few thousand rows at most); the query may spend
    ``timeout`` seconds in all producing them (time the reader spends writing rows out is not
    counted).
    """
    if timeout is None:
        variables, rows = start()
        return SelectStream(variables, rows)
    handoff: queue.Queue = queue.Queue(maxsize=_QUEUED)
    stop = threading.Event()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                handoff.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def target():
        try:
            variables, rows = start()
            if not put(("variables", variables)):
                return
            batch = []
            for row in rows:
                batch.append(row)
                if len(batch) >= _BATCH:
                    if not put(("rows", batch)):
                        return
                    batch = []
            if put(("rows", batch)):
                put(("done", None))
        except _Cancelled:
            pass
        except BaseException as exc:  # handed to the reader's thread
            put(("error", exc))

    worker = threading.Thread(target=target, name="kg-query-stream", daemon=True)
    worker.start()
    budget = [float(timeout)]

    def take():
        began = time.monotonic()
        try:
            item = handoff.get(timeout=max(budget[0], 0.0))
        except queue.Empty:
            stop.set()
            _cancel(worker)
            raise _timeout_error(timeout, name) from None
        budget[0] -= time.monotonic() - began
        if item[0] == "error":
            stop.set()
            raise item[1]
        return item

    first = take()
    assert first[0] == "variables"

    def rows() -> Iterator[Row]:
        try:
            while True:
                kind, value = take()
                if kind == "done":
                    return
                yield from value
        finally:
            stop.set()

    return SelectStream(first[1], rows())
