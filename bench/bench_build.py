"""Times `kg build` of the curated graph from a fresh process, beside the floors it cannot go below.

    python bench/bench_build.py [--repeat 7]

Each round runs, one after the other in fresh processes (so a noisy spell hits them all alike):
`python -c pass`; importing what the build imports; a raw pyoxigraph `bulk_load` of the built graph's
quads into a new on-disk store, compacted where the build would compact it (kg.store.compact_if_large:
what writing the store alone costs); `kg check`, the build's work in memory with nothing written (what
a patched build cannot go below); `kg build --anew`, every quad written into a new store (as the first
build of a checkout); `kg build` after one row of a copy of the seeds was edited (a label), which patches
a copy of the store the build before wrote anew (RocksDB compacts that copy on a thread of its own);
and `kg build` after the row was changed back, which patches the copy the patch before made (the edit
loop of a curator). All build into a temporary build folder. Prints medians of wall time and of CPU
time (user and system, every thread: a build that keeps 2 cores busy takes about half its CPU time in
wall time), each build over each floor, the time each build reports for itself, and the goal (under 2 s).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.command import kg_command

GOAL_SECONDS = 2.0

WRITE_ALONE = """
import sys, tempfile, pyoxigraph as ox
from pathlib import Path
from kg.store import compact_if_large
quads = open(sys.argv[1], "rb").read()
with tempfile.TemporaryDirectory(prefix="cartkg-bulk-") as folder:
    store = ox.Store(folder)
    store.bulk_load(input=quads, format=ox.RdfFormat.TRIG, lenient=True)
    compact_if_large(store, Path(folder))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=7, help="rounds; each command runs once per round")
    args = parser.parse_args()
    kg = kg_command()
    if kg is None:
        return 1
    python = sys.executable
    with tempfile.TemporaryDirectory(prefix="cartkg-build-bench-") as tmp:
        project = Path(tmp) / "project"
        for name in ("ontology", "seeds", "queries"):
            shutil.copytree(ROOT / name, project / name)
        edit = Edit(project / "seeds")
        os.environ.update(KG_PROJECT=str(project), KG_BUILD_DIR=str(Path(tmp) / "build"))
        os.environ.pop("KG_ENDPOINT", None)
        subprocess.run([kg, "build"], stdout=subprocess.DEVNULL, check=True)
        dump = Path(tmp) / "graph.trig"
        subprocess.run([kg, "export", "--format", "trig", "--output", str(dump)], capture_output=True, check=True)
        runs = {
            "python -c pass": [python, "-c", "pass"],
            "import kg.cli, kg.build": [python, "-c", "import kg.cli, kg.build"],
            "bulk_load of its quads": [python, "-c", WRITE_ALONE, str(dump)],
            "kg check": [kg, "check"],
            BUILDS[0]: [kg, "build", "--anew"],
            BUILDS[1]: [kg, "build"],
            BUILDS[2]: [kg, "build"],
        }
        times: dict[str, list[float]] = {name: [] for name in runs}
        cpu: dict[str, list[float]] = {name: [] for name in runs}
        reported: dict[str, list[float]] = {name: [] for name in BUILDS}
        for _ in range(args.repeat):
            for name, argv in runs.items():
                if name in BUILDS[1:]:
                    edit.toggle()
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                t = time.perf_counter()
                done = subprocess.run(argv, capture_output=True, text=True, check=True)
                times[name].append(time.perf_counter() - t)
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpu[name].append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
                if name in BUILDS:
                    said = re.search(r" in ([0-9.]+)s into ", done.stdout)
                    if said:
                        reported[name].append(float(said.group(1)))
                    if (name != BUILDS[0]) != ("the last store, patched:" in done.stdout):
                        print(f"{name}: the store was not {'written anew' if name == BUILDS[0] else 'patched'}")
                        return 1
    medians = {name: statistics.median(values) for name, values in times.items()}
    anew, patched = medians[BUILDS[0]], medians[BUILDS[1]]
    print(f"fresh-process wall time, medians of {args.repeat} (load average {os.getloadavg()[0]:.1f})\n")
    print("| command | median s | written anew / this | first patch / this | CPU s (all threads) |")
    print("|---|---:|---:|---:|---:|")
    for name, seconds in medians.items():
        print(f"| {name} | {seconds:.2f} | {anew / seconds:.2f}x | {patched / seconds:.2f}x | "
              f"{statistics.median(cpu[name]):.2f} |")
    print("\nthe time each build reports (from the start of the build to the store going live): " + "; ".join(
        f"{name}, median {statistics.median(said):.2f} s" for name, said in reported.items() if said))
    for name in (BUILDS[1], BUILDS[2], BUILDS[0]):
        seconds = medians[name]
        print(f"\ngoal: kg build of the curated graph under {GOAL_SECONDS:.0f} s, {name}: "
              f"{'met' if seconds < GOAL_SECONDS else 'not met'} ({seconds:.3f} s wall)")
    if stale_bytecode():
        print("\nkg/ has source files newer than their bytecode, and this Python does not write bytecode: each "
              "command above compiled them first (`make bytecode` writes it)")
    return 0


BUILDS = ("kg build --anew", "kg build after a one-row edit", "kg build after the row changed back")


class Edit:
    """One row of a seed table, changed and changed back in turn: the first label row of the first table with one."""

    def __init__(self, seeds: Path):
        self.table = next(path for path in sorted(seeds.glob("*.tsv"))
                          if "\trdfs:label\t" in path.read_text(encoding="utf-8"))
        self.text = self.table.read_text(encoding="utf-8")
        rows = self.text.splitlines(keepends=True)
        at = next(i for i, row in enumerate(rows) if "\trdfs:label\t" in row)
        cells = rows[at].split("\t")
        cells[2] += " (edited)"
        rows[at] = "\t".join(cells)
        self.edited = "".join(rows)
        self.now = self.text

    def toggle(self) -> None:
        self.now = self.edited if self.now == self.text else self.text
        self.table.write_text(self.now, encoding="utf-8")


def stale_bytecode() -> bool:
    """Whether an import of kg compiles a module each time: no bytecode beside a newer source, none written."""
    if not sys.dont_write_bytecode:
        return False
    for source in (ROOT / "kg").rglob("*.py"):
        cached = Path(importlib.util.cache_from_source(str(source)))
        if not cached.exists() or cached.stat().st_mtime < source.stat().st_mtime:
            return True
    return False


if __name__ == "__main__":
    sys.exit(main())
