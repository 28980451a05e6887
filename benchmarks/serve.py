"""How fast ``kg serve`` answers on a store: an entity page and a saved-query API call.

    python benchmarks/serve.py --store PROJECT/.kg/store --queries queries [--runs 5]
        [--entity /id/state/XAA] [--api "/api/exercise-partners?state=XAA"]

Opens the store as ``kg serve --store`` does (read-only, the same engine and timeout), builds the
application once, then requests each path ``--runs`` times in process through the framework's test
client (no network, no server start-up in the figures) and prints, per path, the status, the size
of the answer and the median and slowest time, with the machine's load. The first request of each
path is reported apart: it fills the page's caches (the saved queries' parsed text, the labels).
The defaults are entities of the generated corpus (``benchmarks/generate.py``): state ``XAA`` and
the first exercise.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--store", type=Path, required=True, help="a store made by kg load")
    ap.add_argument("--queries", type=Path, default=REPO / "queries", help="the saved queries (default: the repository's)")
    ap.add_argument("--runs", type=int, default=5, help="requests of each path after the first (default 5)")
    ap.add_argument("--path", action="append", dest="paths", default=None,
                    help="a path to request (repeatable; default: an entity page, a fact page and two API calls)")
    ap.add_argument("--timeout", type=float, default=60.0, help="the engine's query timeout in seconds")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(REPO))
    from starlette.testclient import TestClient

    from kg.engines.oxigraph_engine import OxigraphEngine
    from kg.serve import create_app

    paths = args.paths or ["/id/state/XAA", "/id/exercise/gen-000000-exercise", "/api/exercise-partners?state=XAA",
                           "/api/sources?entity=XAA"]
    started = time.perf_counter()
    engine = OxigraphEngine.open(args.store, timeout=args.timeout)
    client = TestClient(create_app(engine, args.queries), raise_server_exceptions=False)
    print(f"store {args.store}: opened and application made in {time.perf_counter() - started:.2f} s; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'path':<45} {'status':>6} {'bytes':>8} {'first ms':>9} {'median ms':>10} {'max ms':>7}")
    for path in paths:
        times = []
        for _ in range(args.runs + 1):
            t0 = time.perf_counter()
            r = client.get(path, headers={"accept": "text/html"} if not path.startswith("/api/")
                           else {"accept": "application/sparql-results+json"})
            times.append((time.perf_counter() - t0) * 1000)
        first, rest = times[0], times[1:] or times
        print(f"{path:<45} {r.status_code:>6} {len(r.content):>8} {first:>9.0f} {statistics.median(rest):>10.0f} "
              f"{max(rest):>7.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
