"""Times `kg query` on the curated graph from a cold process, against the floors it cannot go below.

    python bench/bench_cold.py [--repeat 21]

Builds the curated project into a temporary build folder, then runs each command below in a fresh
process, one after the other round after round (so a noisy spell hits them all alike), and prints
medians, the query's wall time over each floor, and the goal (under 0.2 s).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.command import kg_command

GOAL_SECONDS = 0.2
QUERY = "therapies-by-target"


def commands(kg: str) -> dict[str, list[str]]:
    python = sys.executable
    return {
        "python -c pass": [python, "-c", "pass"],
        "import click, pyoxigraph": [python, "-c", "import click, pyoxigraph"],
        "import the five libraries": [python, "-c", "import click, pyoxigraph, rdflib, networkx, pyvis"],
        f"kg query {QUERY}": [kg, "query", QUERY, "--format", "csv"],
        "kg --help": [kg, "--help"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=21, help="rounds; each command runs once per round")
    args = parser.parse_args()
    kg = kg_command()
    if kg is None:
        return 1
    from kg import build as build_mod
    from kg.paths import Paths

    with tempfile.TemporaryDirectory(prefix="cartkg-cold-") as tmp:
        os.environ.update(KG_PROJECT=str(ROOT), KG_BUILD_DIR=tmp)  # for the build here and the commands
        os.environ.pop("KG_ENDPOINT", None)
        build_mod.build(Paths(ROOT))
        runs = commands(kg)
        times: dict[str, list[float]] = {name: [] for name in runs}
        for argv in runs.values():  # one warm-up each: the first run reads the files from disk
            subprocess.run(argv, stdout=subprocess.DEVNULL, check=True)
        for _ in range(args.repeat):
            for name, argv in runs.items():
                t = time.perf_counter()
                subprocess.run(argv, stdout=subprocess.DEVNULL, check=True)
                times[name].append(time.perf_counter() - t)
    medians = {name: statistics.median(values) for name, values in times.items()}
    query = medians[f"kg query {QUERY}"]
    print(f"cold-process wall time, medians of {args.repeat} (load average {os.getloadavg()[0]:.1f})\n")
    print("| command | median ms | kg query / this |")
    print("|---|---:|---:|")
    for name, seconds in medians.items():
        print(f"| {name} | {seconds * 1000:.0f} | {query / seconds:.2f}x |")
    print(f"\ngoal: kg query under {GOAL_SECONDS} s from a cold process: "
          f"{'met' if query < GOAL_SECONDS else 'not met'} ({query * 1000:.0f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
