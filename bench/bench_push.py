"""Times `kg push` into a real Oxigraph server: into an empty store, the same graph again, and after one fact changed.

    python bench/bench_push.py --sizes 10000 100000 1000000

For each size: a synthetic project (bench/synth.py), an `oxigraph serve` on an empty folder, then
three pushes: the first (every graph uploaded to a staging graph and moved into place), the same
build again (every graph read back and compared, none sent but the one with blank nodes), and after
one seed fact changed (the graphs it touches patched in place). Each push is checked: the server's
triple count per graph must match the build's. Prints seconds and the server's peak memory.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.synth import make_project
from kg import push as push_mod
from kg.endpoint import RemoteEngine
from kg.errors import KgError
from kg.paths import Paths
from kg.serve import free_port, oxigraph_binary

ALT_LABEL = "<http://www.w3.org/2004/02/skos/core#altLabel>"


def peak_mib(pid: int) -> float:
    """The high-water mark of a process's resident memory (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def change_one_fact(project: Path) -> str:
    """Give the first labelled entity of the last synthetic file one more alternative label."""
    path = sorted((project / "seeds").glob("*.nt"))[-1]
    subject = next(line.split(" ", 1)[0] for line in path.read_text(encoding="utf-8").splitlines()
                   if "rdf-schema#label>" in line)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(f'{subject} {ALT_LABEL} "edited for the push benchmark" .\n')
    return f"{path.name}: {subject} gains a skos:altLabel"


def bench_size(n: int, work: Path) -> None:
    project = work / f"project-{n}"
    make_project(project, n)
    os.environ["KG_PROJECT"] = str(project)
    os.environ["KG_BUILD_DIR"] = str(project / "build")
    paths = Paths(project)
    port = free_port()
    server = subprocess.Popen([oxigraph_binary(), "serve", "--location", str(work / f"server-{n}"),
                               "--bind", f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/query?union-default-graph"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                push_mod.remote_graphs(RemoteEngine(url, 2))
                break
            except KgError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.1)
        print(f"\n## {n:,} synthetic triples (+ the curated seeds), pushed to `oxigraph serve` "
              f"(load average before: {os.getloadavg()[0]:.1f})\n")
        print("| push | seconds | graphs sent / patched / left as they were | server's peak MiB so far "
              "| counts agree |")
        print("|---|---:|---|---:|---|")
        for what in ("first, into an empty store", "the same build again", "after one fact changed"):
            if what.startswith("after"):
                what += f" ({change_one_fact(project)})"
            t = time.perf_counter()
            report = push_mod.push(paths, url, timeout=3600)
            seconds = time.perf_counter() - t
            sent = len(report.triples_per_graph) - len(report.patched) - len(report.unchanged)
            agree = report.remote_triples == report.triples_per_graph and not report.warnings
            print(f"| {what} | {seconds:.1f} | {sent} / {len(report.patched)} / {len(report.unchanged)} | "
                  f"{peak_mib(server.pid):,.0f} | {'yes' if agree else 'NO'} |", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory(prefix="cartkg-bench-push-") as tmp:
        for n in args.sizes:
            bench_size(n, Path(tmp))


if __name__ == "__main__":
    main()
