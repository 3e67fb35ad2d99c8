"""Times `kg diff` between two synthetic builds of about a million triples each (goal: under 30 s).

    python bench/bench_diff.py [--triples 1000000] [--work DIR] [--repeat 3]

Makes two projects with bench/synth.py (random seeds 7 and 8: the same entities, with targets,
phases, statuses and approvals drawn afresh, so tens of thousands of facts differ: a worst case for
the report) and a third that is the first with one trial's status changed (the everyday case), builds
each (without SHACL), then runs `kg diff` in a fresh process, the cases in turns, and prints medians.
With --work, the projects and their builds are kept there and reused by the next run.
"""

from __future__ import annotations

import argparse
import json
import os
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
GOAL_SECONDS = 30.0


def kg_command() -> str:
    return str(Path(sys.executable).with_name("kg"))


def project(work: Path, name: str, triples: int, seed: int, edit: bool = False) -> Path:
    """A built synthetic project, made (and built) only if `work` does not hold it yet."""
    from bench.synth import make_project

    root = work / name
    if (root / "build" / "current").exists():
        return root
    make_project(root, triples, seed)
    if edit:
        # The everyday case: one trial's status moves on.
        nt = sorted((root / "seeds").glob("synthetic-*.nt"))[0]
        lines = nt.read_text(encoding="utf-8").split("\n")
        i = next(i for i, line in enumerate(lines) if "ontology#status>" in line)
        lines[i] = lines[i].rsplit(" ", 2)[0] + ' "terminated" .'
        nt.write_text("\n".join(lines), encoding="utf-8")
    env = {**os.environ, "KG_PROJECT": str(root)}
    env.pop("KG_BUILD_DIR", None)
    subprocess.run([kg_command(), "build", "--no-shacl"], env=env, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return root


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--work", type=Path, help="keep the projects here (and reuse them)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="kg-bench-diff-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        t = time.perf_counter()
        a = project(work, "seed7", args.triples, 7)
        b = project(work, "seed8", args.triples, 8)
        c = project(work, "seed7-edited", args.triples, 7, edit=True)
        print(f"made and built the three projects in {time.perf_counter() - t:.0f} s")
        cases = {"seed 7 -> seed 8 (reshuffled)": (a, b), "seed 7 -> one status changed": (a, c)}
        times: dict[str, list[float]] = {name: [] for name in cases}
        cpu: dict[str, list[float]] = {name: [] for name in cases}
        changes: dict[str, int] = {}
        for _ in range(args.repeat):
            for name, (old, new) in cases.items():
                out = work / "diff.json"
                t = time.perf_counter()
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                subprocess.run([kg_command(), "--project", str(new), "diff", str(old), str(new), "--format", "json",
                                "-o", str(out)], check=True, stderr=subprocess.DEVNULL)
                times[name].append(time.perf_counter() - t)
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpu[name].append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
                changes[name] = len(json.loads(out.read_text(encoding="utf-8"))["changes"])
        for name, values in times.items():
            median = statistics.median(values)
            verdict = "met" if median < GOAL_SECONDS else "NOT met"
            print(f"kg diff {name}: {changes[name]} changes, median {median:.1f} s wall, "
                  f"{statistics.median(cpu[name]):.1f} s CPU, of {len(values)} "
                  f"(goal under {GOAL_SECONDS:.0f} s: {verdict}; "
                  f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
