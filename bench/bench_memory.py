"""Peak memory of `kg build` per MB of seed table, with and without --low-memory, side by side.

    python bench/bench_memory.py --rows 410000

Makes a project with the real ontology and checks and one statement table of registry-shaped trial
rows (seven facts a trial, each quoting a 100-character sentence), builds it in a process of its
own in each mode (as chosen by default: on disk above 24 MB of tables; in memory; on disk), samples
the resident memory of that process and the processes under it (their sum) every 0.1 s, and prints
the peak, the peak per MB of seed and the time.
The goal: a 50 MB table under 2 GB, and under 1 GB with --low-memory.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEADER = "subject\tpredicate\tobject\tsource\tquote\tstatus\tnote"


def make_table(path: Path, rows: int) -> None:
    """A statement table of about `rows` rows (whole trials: seven rows each) about registry-shaped trials,
    in canonical order. A trial cut short would lack its label, and the build would stop at that error."""
    lines = ["src:bulk-registry\ta\tcart:RegistryRecord\tsrc:bulk-registry\t\tverified",
             "src:bulk-registry\tcart:title\tBulk registry export\tsrc:bulk-registry\t\tverified"]
    i = 0
    while len(lines) < rows:
        t = f"id:bulk-trial-{i:06d}"
        q = f"A phase 1/2 study of CAR T cells in systemic lupus erythematosus, record {i}, sponsored by an institute"
        for p, o in (("a", "cart:Trial"), ("rdfs:label", f"Bulk trial {i}"), ("cart:nctId", f"NCT{10000000 + i}"),
                     ("cart:phase", "Phase 1/2"), ("cart:status", "RECRUITING"),
                     ("cart:startDate", f"2024-0{1 + i % 9}-15"), ("cart:enrollment", str(10 + i % 90))):
            lines.append(f"{t}\t{p}\t{o}\tsrc:bulk-registry\t{q}\tverified")
        i += 1
    path.write_text(HEADER + "\n" + "\n".join(sorted(lines)) + "\n", encoding="utf-8")


def _tree_rss(pid: int) -> int:
    """Resident kB of a process and every process under it (the build reads big tables in a child)."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            with open(f"/proc/{current}/status") as status:
                total += next((int(line.split()[1]) for line in status if line.startswith("VmRSS")), 0)
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(child) for child in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def peak_of(command: list[str], cwd: Path) -> tuple[float, float, int]:
    """(peak resident MB, seconds, exit code) of a command, sampled from /proc every 0.1 s; exits if it fails."""
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak = [0]

    def watch() -> None:
        while process.poll() is None:
            peak[0] = max(peak[0], _tree_rss(process.pid))
            time.sleep(0.1)

    start = time.perf_counter()
    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    _, errors = process.communicate()
    watcher.join()
    if process.returncode != 0:
        # The peak of a build that stopped early says nothing of a whole one.
        sys.exit(f"{' '.join(command[2:])} failed (exit {process.returncode}): {errors.strip()[:500]}")
    return peak[0] / 1024, time.perf_counter() - start, process.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=410_000, help="rows of the table (410k rows is about 70 MB)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="cartkg-memory-"))
    try:
        for name in ("ontology", "queries"):
            shutil.copytree(ROOT / name, folder / name)
        (folder / "seeds").mkdir()
        shutil.copy(ROOT / "seeds" / "prefixes.tsv", folder / "seeds" / "prefixes.tsv")
        table = folder / "seeds" / "bulk.tsv"
        make_table(table, args.rows)
        mb = table.stat().st_size / 1e6
        rows = table.read_text(encoding="utf-8").count("\n") - 1
        print(f"table: {rows:,} rows, {mb:.1f} MB")
        kg = [sys.executable, "-m", "kg", "build", "--no-shacl"]
        for label, extra in (("kg build", []), ("kg build --in-memory", ["--in-memory"]),
                             ("kg build --low-memory", ["--low-memory"])):
            shutil.rmtree(folder / "build", ignore_errors=True)
            peak, seconds, _ = peak_of(kg + extra, folder)
            print(f"{label:24s} peak {peak:8.0f} MB  {peak / mb:6.1f} MB per MB of seed  {seconds:7.1f} s")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
