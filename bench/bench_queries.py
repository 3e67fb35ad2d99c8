"""Times build/load and every canned query on the embedded store, the Oxigraph server and rdflib, side by side.

    python bench/bench_queries.py --sizes 10000 100000 1000000

For each size: a synthetic project (bench/synth.py), `kg build` (with and without SHACL) against a raw
pyoxigraph bulk_load of the same files, the peak memory of a build in a process of its own, then
every canned query with its defaults on the embedded store (kg's engine), the same SPARQL on raw
pyoxigraph, the Oxigraph server (`kg serve`) and rdflib in memory. Prints medians, ratios, and
whether the answers agree.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pyoxigraph as ox

from bench.synth import make_project
from kg import build as build_mod
from kg import catalogue
from kg.endpoint import RemoteEngine
from kg.engine import LocalEngine
from kg.paths import Paths
from kg.serve import start as serve
from kg.vocab import SPARQL_PREFIXES

GOAL_BUILD_1M = 5.0
GOAL_QUERY_MS = 150.0
GOAL_RATIO = 1.3


def medians_ms(runs: dict[str, object], repeat: int, budget: float = 60.0, least: float = 0.5) -> dict:
    """{name: (median wall time in ms, answer)} of each `run()`, timed in turns so noise hits them alike.

    One warm-up each, then rounds of one run of each (every other round in reverse order): at least
    `repeat` rounds and, for fast runs, as many as fit in `least` seconds (up to 500, so a 0.1 ms query
    is not judged on 7 samples); one round when `repeat` rounds would take longer than `budget`.
    """
    answers, times = {}, {name: [] for name in runs}
    t = time.perf_counter()
    for name, run in runs.items():
        answers[name] = run()
    first = time.perf_counter() - t
    rounds = 0
    started = time.perf_counter()
    names = list(runs)
    while True:
        # Every other round in reverse order: whichever runs first pays for the cold caches.
        for name in (names if rounds % 2 == 0 else names[::-1]):
            t = time.perf_counter()
            runs[name]()
            times[name].append(time.perf_counter() - t)
        rounds += 1
        spent = time.perf_counter() - started
        if first * repeat >= budget or rounds >= 500 or (rounds >= repeat and spent >= least):
            break
    return {name: (statistics.median(times[name]) * 1000, answers[name]) for name in runs}


def build_peak_mib() -> float:
    """The largest resident set of a `kg build --no-shacl` of $KG_PROJECT, in a fresh process (its own peak only)."""
    code = ("import resource; from kg import build; from kg.paths import Paths; "
            "build.build(Paths.discover(), shacl=False); print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          cwd=Path(__file__).resolve().parent.parent)
    return int(done.stdout.split()[-1]) / 1024  # Linux reports KiB


def rows_of(result) -> list[tuple]:
    """Rows as sorted tuples of N-Triples strings, blank nodes as one marker: comparable across engines."""
    return sorted(tuple("_:" if isinstance(t, ox.BlankNode) else ("" if t is None else str(t)) for t in row)
                  for row in result)


def rdflib_rows(result, variables: list[str]) -> list[tuple]:
    import rdflib

    def term(t) -> str:
        if t is None:
            return ""
        if isinstance(t, rdflib.BNode):
            return "_:"
        if isinstance(t, rdflib.URIRef):
            return str(ox.NamedNode(str(t)))
        if t.language:
            return str(ox.Literal(str(t), language=t.language))
        return str(ox.Literal(str(t), datatype=ox.NamedNode(str(t.datatype or "http://www.w3.org/2001/XMLSchema#string"))))

    return sorted(tuple(term(row[v]) for v in variables) for row in result)


def probe_seconds(name: str, timeout: float) -> float | None:
    """Wall time of `kg query NAME` in a fresh process, or None if it ran past `timeout` (then it is stopped)."""
    t = time.perf_counter()
    try:
        subprocess.run([sys.executable, "-m", "kg", "query", name, "--format", "csv"], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return None
    return time.perf_counter() - t


def rdflib_query(dataset, text: str, bindings: dict, variables: list[str], timeout: float):
    """rdflib's median time (ms, 3 runs) and rows, in a forked child so a query can be cut off at `timeout`.

    (None, None) when it ran past `timeout`; (name of the exception, None) when rdflib raised one.
    """
    import multiprocessing

    def child(queue) -> None:
        init = {k: to_rdflib(v) for k, v in bindings.items()}
        times = []
        try:
            for _ in range(3):
                t = time.perf_counter()
                result = list(dataset.query(text, initBindings=init))
                times.append(time.perf_counter() - t)
                if sum(times) > timeout / 2:
                    break
        except Exception as exc:
            queue.put((type(exc).__name__, None))
            return
        queue.put((statistics.median(times) * 1000, rdflib_rows(result, variables)))

    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    process = context.Process(target=child, args=(queue,))
    process.start()
    try:
        return queue.get(timeout=timeout)
    except Exception:
        return None, None
    finally:
        process.kill()
        process.join()


def to_rdflib(term: ox.Term):
    import rdflib

    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))


def bench_size(n: int, repeat: int, with_rdflib: bool, with_shacl: bool, work: Path, rdflib_timeout: float,
               query_timeout: float, shacl_max: int, build_repeat: int = 3) -> None:
    project = work / f"project-{n}"
    t = time.perf_counter()
    written = make_project(project, n)
    print(f"\n## {n:,} synthetic triples (+ the curated seeds): generated in {time.perf_counter() - t:.1f} s "
          f"(load average before: {os.getloadavg()[0]:.1f})")
    os.environ["KG_PROJECT"] = str(project)
    os.environ["KG_BUILD_DIR"] = str(project / "build")
    paths = Paths(project)

    nt_files = sorted(paths.seeds.glob("*.nt"))

    def raw_load() -> None:
        folder = Path(tempfile.mkdtemp(prefix=f"raw-{n}-", dir=work))
        raw = ox.Store(str(folder))
        for f in nt_files:
            raw.bulk_load(path=str(f), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode("urn:" + f.name))
        raw.flush()
        del raw
        shutil.rmtree(folder)

    raw_times = []
    for _ in range(build_repeat):
        t = time.perf_counter()
        raw_load()
        raw_times.append(time.perf_counter() - t)
    raw_median = statistics.median(raw_times)

    builds = {}
    for shacl in ([False, True] if with_shacl and n <= shacl_max else [False]):
        runs = []
        for _ in range(build_repeat):
            t = time.perf_counter()
            report = build_mod.build(paths, shacl=shacl)
            runs.append((time.perf_counter() - t, report.stages))
        # the run with the median time, and its stages
        seconds, stages = sorted(runs, key=lambda r: r[0])[len(runs) // 2]
        builds[shacl] = seconds
        stage_times = ", ".join(f"{k} {v:.2f}" for k, v in stages.items())
        print(f"kg build{'' if shacl else ' --no-shacl'}: {seconds:.2f} s median of {len(runs)} for "
              f"{report.total_triples:,} triples ({stage_times})")
    print(f"raw pyoxigraph bulk_load of the {len(nt_files)} N-Triples files ({written:,} synthetic triples): "
          f"{raw_median:.2f} s median of {len(raw_times)}; "
          f"kg build --no-shacl / raw = {builds[False] / raw_median:.1f}x"
          + (f", kg build / raw = {builds[True] / raw_median:.1f}x" if True in builds else ""))
    print(f"kg build --no-shacl peak memory: {build_peak_mib():,.0f} MiB (one more build, in a process of its own)")
    if n == 1_000_000:
        verdict = "met" if builds[False] < GOAL_BUILD_1M else "not met"
        print(f"goal: kg build of 1M triples under {GOAL_BUILD_1M:.0f} s: {verdict}")

    local = LocalEngine(paths)
    store = local.store
    server = serve(paths, port=0)
    remote = RemoteEngine(server.query_url, timeout=600)
    dataset = None
    if with_rdflib:
        import rdflib

        t = time.perf_counter()
        dataset = rdflib.Dataset(default_union=True)
        dataset.parse(data=store.dump(format=ox.RdfFormat.N_QUADS).decode("utf-8"), format="nquads")
        print(f"rdflib: loaded {len(dataset):,} quads in {time.perf_counter() - t:.1f} s")
    try:
        print("\n| query | rows | embedded ms | raw pyoxigraph ms | ratio | server ms | rdflib ms | agree |")
        print("|---|---:|---:|---:|---:|---:|---:|---|")
        worst = 0.0
        slowest = 0.0
        for name in catalogue.names(paths):
            # A query that runs away would stall the whole table: try it first in a process that can be stopped.
            probe = probe_seconds(name, query_timeout)
            if probe is None:
                print(f"| {name} | ? | > {query_timeout * 1000:.0f} | - | - | - | - "
                      f"| not measured: over {query_timeout:g} s |", flush=True)
                slowest = max(slowest, query_timeout * 1000)
                continue
            answer = catalogue.run_query(paths, name, {})
            text, bindings = answer.query.text, answer.bindings
            subs = {ox.Variable(k): v for k, v in bindings.items()}
            # The two the goal compares, in turns; the server on its own (right after an HTTP round trip
            # whatever runs next finds the CPU caches cold, and that is not the embedded store's cost).
            timed = medians_ms({
                "kg": lambda text=text, bindings=bindings: local.select(text, bindings),
                "raw": lambda text=text, subs=subs: list(store.query(text, prefixes=SPARQL_PREFIXES,
                                                                     use_default_graph_as_union=True,
                                                                     substitutions=subs or None)),
            }, repeat)
            (kg_ms, kg_result), (raw_ms, raw_result) = timed["kg"], timed["raw"]
            on_server = {"server": lambda text=text, bindings=bindings: remote.select(text, bindings)}
            srv_ms, srv_result = medians_ms(on_server, repeat)["server"]
            agree = rows_of(kg_result.rows) == rows_of(srv_result.rows) == rows_of(
                [[s[v] for v in kg_result.variables] for s in raw_result])
            lib_ms, lib_agree = None, None
            if dataset is not None:
                lib_ms, lib_rows = rdflib_query(dataset, text, bindings, kg_result.variables, rdflib_timeout)
                lib_agree = lib_rows == rows_of(kg_result.rows) if lib_rows is not None else None
            ratio = kg_ms / raw_ms if raw_ms else float("nan")
            worst = max(worst, ratio)
            slowest = max(slowest, kg_ms)
            failed = isinstance(lib_ms, str)
            agreement = ("yes" if agree else "NO (server)") + (
                "" if dataset is None else f", rdflib raised {lib_ms}" if failed else
                ", rdflib timed out" if lib_rows is None else ", rdflib yes" if lib_agree else ", rdflib NO")
            lib_cell = ("-" if dataset is None or failed else f"> {rdflib_timeout * 1000:.0f}" if lib_ms is None
                        else f"{lib_ms:.0f}")
            print(f"| {name} | {len(kg_result.rows)} | {kg_ms:.1f} | {raw_ms:.1f} | {ratio:.2f} | {srv_ms:.1f} | "
                  f"{lib_cell} | {agreement} |", flush=True)
        print(f"\nslowest canned query on the embedded store: {slowest:.1f} ms (goal < {GOAL_QUERY_MS:.0f} ms at 1M); "
              f"worst embedded / raw pyoxigraph: {worst:.2f}x (goal <= {GOAL_RATIO})")
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--no-rdflib", action="store_true", help="skip the rdflib baseline (slow at 1M)")
    parser.add_argument("--no-shacl", action="store_true", help="time only kg build --no-shacl")
    parser.add_argument("--shacl-max", type=int, default=1_000_000,
                        help="largest size timed with SHACL too "
                             "(a shape beyond the compiled subset runs in pySHACL: minutes at 1M)")
    parser.add_argument("--build-repeat", type=int, default=3,
                        help="builds (and raw loads) per size; the median is shown")
    parser.add_argument("--query-timeout", type=float, default=30.0, help="seconds before a canned query is given up")
    parser.add_argument("--rdflib-timeout", type=float, default=30.0, help="seconds before an rdflib query is cut off")
    args = parser.parse_args()
    version = ox.__version__ if hasattr(ox, "__version__") else ""
    print(f"machine: {os.cpu_count()} CPUs, {_cpu_model()}, {_memory_gib():.0f} GiB; pyoxigraph {version}")
    with tempfile.TemporaryDirectory(prefix="cartkg-bench-") as tmp:
        for n in args.sizes:
            bench_size(n, args.repeat, not args.no_rdflib, not args.no_shacl, Path(tmp), args.rdflib_timeout,
                       args.query_timeout, args.shacl_max, args.build_repeat)


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


def _memory_gib() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return 0.0


if __name__ == "__main__":
    main()
