"""Load test of `kg serve` on the curated graph: 8 clients for 60 s on localhost, and start-up to first answer.

    python bench/bench_serve.py [--clients 8] [--seconds 60] [--starts 5]

Builds the curated project into a temporary build folder, then:
- start-up: starts `kg serve` --starts times and times it to the first answered request (the home page),
  and to the first answer that needs the store (a search suggestion); goal under 1.5 s;
- load: `--clients` threads, each with its own keep-alive connection, request the pages of the app in
  turn (home, search, suggestions, entity pages, canned-question forms with results, CSV downloads, the
  landscape, the SPARQL editor, the graph page, /sparql) for `--seconds`; prints requests, errors,
  p50/p90/p99/max per page and overall; goal p99 under 300 ms, no errors. Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import http.client
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GOAL_P99_MS = 300
GOAL_START_S = 1.5
SPARQL = "SELECT ?therapy ?label WHERE { ?therapy a cart:Therapy ; rdfs:label ?label } ORDER BY ?label LIMIT 50"
PAGES = [
    ("home", "/"),
    ("search", "/search?q=lupus"),
    ("search", "/search?q=CD19"),
    ("suggest", "/api/suggest?q=caba"),
    ("suggest", "/api/suggest?q=NCT0"),
    ("entity", "/entity/id:rese-cel"),
    ("entity", "/entity/id:cd19"),
    ("entity", "/entity/id:kymriah"),
    ("entity", "/entity/id:systemic-lupus-erythematosus"),
    ("entity", "/entity/id:reset-sle"),
    ("form", "/queries/trials"),
    ("results", "/queries/trials?run=1&phase=1%2F2"),
    ("results", "/queries/approvals-timeline?run=1&regulator=FDA"),
    ("results", "/queries/therapies-by-target?run=1&target=CD19"),
    ("results", "/queries/entity?run=1&name=CABA-201"),
    ("csv", "/queries/trials/download.csv"),
    ("csv", "/queries/approvals-timeline/download.csv?regulator=FDA"),
    ("landscape", "/landscape"),
    ("landscape", "/landscape?by=disease"),
    ("editor", "/editor"),
    ("graph", "/graph"),
    ("sparql", "/sparql?" + urllib.parse.urlencode({"query": SPARQL})),
]


def free_port() -> int:
    from kg.serve import free_port as free

    return free()


def start(env: dict, port: int) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "kg", "--project", str(ROOT), "serve", "--port", str(port)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)


def first_answer(port: int, path: str, deadline: float) -> float:
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            connection.close()
            if response.status == 200:
                return time.monotonic()
        except OSError:
            time.sleep(0.005)
    raise RuntimeError(f"no answer on port {port}")


def stop(process: subprocess.Popen) -> None:
    process.send_signal(2)
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def startup(env: dict, starts: int) -> tuple[list[float], list[float], list[float]]:
    """Start-up to the home page and to the first search answer, and beside each start the floor: the imports alone."""
    home, store, floor = [], [], []
    for _ in range(starts):
        began = time.monotonic()
        subprocess.run([sys.executable, "-c", "import kg.cli, kg.web.app, kg.web.server, uvicorn"], env=env, check=True)
        floor.append(time.monotonic() - began)
        port = free_port()
        began = time.monotonic()
        process = start(env, port)
        try:
            home.append(first_answer(port, "/", began + 30) - began)
            store.append(first_answer(port, "/api/suggest?q=caba", began + 30) - began)
        finally:
            stop(process)
    return home, store, floor


ENTITIES = """SELECT DISTINCT ?e WHERE { VALUES ?c { cart:Therapy cart:Trial cart:Company cart:Target cart:Disease
  cart:RegulatoryDecision cart:Readout } ?e a ?c } ORDER BY ?e"""


def entity_pages(port: int) -> list[tuple[str, str]]:
    """A page for every therapy, trial, company, target, disease, decision and readout: most are not cached yet."""
    import json

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("GET", "/sparql?" + urllib.parse.urlencode({"query": ENTITIES}),
                       headers={"Accept": "application/sparql-results+json"})
    rows = json.loads(connection.getresponse().read())["results"]["bindings"]
    prefix = "https://w3id.org/cartkg/id/"
    pages = []
    for r in rows:
        if r["e"]["value"].startswith(prefix):
            local = r["e"]["value"][len(prefix):]
            pages += [("entity (first view)", "/entity/id:" + local),
                      ("suggest (first view)", "/api/suggest?q=" + urllib.parse.quote(local[:4 + len(pages) % 5])),
                      ("results (first view)", "/queries/entity?run=1&name=id:" + urllib.parse.quote(local))]
    return pages[::-1]


def client(port: int, until: float, offset: int, timings: dict, errors: list, lock: threading.Lock,
           fresh: list) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    i = offset
    while time.monotonic() < until:
        # Every other request a page seen before (the mix above), every other one an entity page not yet
        # opened while any are left: the answer cache does not make the test.
        with lock:
            kind, path = fresh.pop() if (i % 2 and fresh) else PAGES[(i // 2) % len(PAGES)]
        i += 1
        began = time.perf_counter()
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException) as exc:
            status = repr(exc)
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        took = (time.perf_counter() - began) * 1000
        with lock:
            timings.setdefault(kind, []).append(took)
            if status != 200:
                errors.append(f"{path}: {status}")
    connection.close()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def _table_row(name: str, ts: list[float]) -> str:
    """A page's (or all pages') row of the timings table: requests, p50, p90, p99 and max ms."""
    return (f"| {name} | {len(ts)} | {percentile(ts, 50):.0f} | {percentile(ts, 90):.0f} "
            f"| {percentile(ts, 99):.0f} | {max(ts):.0f} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--starts", type=int, default=5)
    args = parser.parse_args()
    from kg import build as build_mod
    from kg.paths import Paths

    with tempfile.TemporaryDirectory(prefix="kg-bench-serve-") as tmp:
        env = {**os.environ, "KG_BUILD_DIR": tmp}
        env.pop("KG_PROJECT", None)
        os.environ["KG_BUILD_DIR"] = tmp
        build_mod.build(Paths(ROOT))
        home, store, floor = startup(env, args.starts)
        print(f"start-up to first answer (median of {args.starts}): home page {statistics.median(home):.2f} s "
              f"(max {max(home):.2f}), first search answer {statistics.median(store):.2f} s "
              f"(max {max(store):.2f}); goal under {GOAL_START_S} s; the floor, importing the server's modules "
              f"in a fresh Python, {statistics.median(floor):.2f} s")
        port = free_port()
        process = start(env, port)
        try:
            first_answer(port, "/", time.monotonic() + 30)
            for _, path in PAGES:  # each page once, as a user would have opened it before
                first_answer(port, path, time.monotonic() + 60)
            timings: dict[str, list[float]] = {}
            errors: list[str] = []
            lock = threading.Lock()
            until = time.monotonic() + args.seconds
            fresh = entity_pages(port)
            unseen = len(fresh)
            threads = [threading.Thread(target=client, args=(port, until, i * 3, timings, errors, lock, fresh))
                       for i in range(args.clients)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        finally:
            stop(process)
    every = [t for ts in timings.values() for t in ts]
    print(f"\nload: {args.clients} clients for {args.seconds:g} s: {len(every)} requests "
          f"({len(every) / args.seconds:.0f}/s), {len(errors)} errors; {unseen - len(fresh)} of {unseen} pages "
          "opened for the first time (answered from the store, not the cache: the first-view rows)")
    print("| page | requests | p50 ms | p90 ms | p99 ms | max ms |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for kind in sorted(timings):
        print(_table_row(kind, timings[kind]))
    p99 = percentile(every, 99)
    print(_table_row("all", every))
    print(f"\ngoal p99 under {GOAL_P99_MS} ms: {'met' if p99 < GOAL_P99_MS else 'NOT met'} ({p99:.0f} ms)")
    for error in errors[:10]:
        print("error:", error)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
