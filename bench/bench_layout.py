"""Layout engines for the graph page, timed side by side on synthetic CAR T-shaped graphs.

kg.layout (igraph's Fruchterman-Reingold, grid above 500 nodes, per component) against networkx's spring,
ForceAtlas2 and Kamada-Kawai layouts (they need numpy: `pip install numpy scipy`) and Graphviz sfdp
(Debian's graphviz), each where installed. An engine slower than --budget seconds is not tried on larger
graphs. Prints the median of --repeat runs and the ratio to kg.layout.

    .venv/bin/python bench/bench_layout.py [--sizes 1000,5000,20000] [--repeat 3] [--budget 20]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import networkx as nx
import synthetic_graph as synthetic

from kg import layout


def graph(n: int) -> nx.Graph:
    g = synthetic.generate(n)
    out = nx.Graph()
    out.add_nodes_from(sorted(g.nodes))
    out.add_edges_from((s, o) for s, _, o, _ in g.edges)
    return out


def sfdp(g: nx.Graph) -> dict:
    ids = {n: i for i, n in enumerate(g)}
    edges = ";".join(f"{ids[a]}--{ids[b]}" for a, b in g.edges())
    dot = "graph{" + ";".join(map(str, ids.values())) + ";" + edges + "}"
    out = subprocess.run(["sfdp", "-Tplain"], input=dot.encode(), capture_output=True, check=True).stdout.decode()
    return {f[1]: (float(f[2]), float(f[3])) for f in (line.split() for line in out.splitlines()) if f[0] == "node"}


def engines() -> dict:
    found = {"kg.layout (igraph FR)": lambda g: layout.positions(list(g), list(g.edges()))}
    try:
        import numpy  # noqa: F401

        found["networkx spring"] = lambda g: nx.spring_layout(g, seed=1)
        if hasattr(nx, "forceatlas2_layout"):
            found["networkx forceatlas2"] = lambda g: nx.forceatlas2_layout(g, seed=1)
        found["networkx kamada-kawai"] = lambda g: nx.kamada_kawai_layout(g)
    except ImportError:
        print("networkx layouts skipped: numpy is not installed", file=sys.stderr)
    if shutil.which("sfdp"):
        found["graphviz sfdp"] = sfdp
    else:
        print("sfdp skipped: graphviz is not installed (apt-get install graphviz)", file=sys.stderr)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,5000,20000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--budget", type=float, default=20.0, help="seconds; slower engines stop here")
    args = parser.parse_args()
    found = engines()
    sizes = [int(s) for s in args.sizes.split(",")]
    times: dict[str, dict[int, float | None]] = {name: {} for name in found}
    too_slow: set[str] = set()
    for n in sizes:
        g = graph(n)
        for name, run in found.items():
            if name in too_slow:
                times[name][n] = None
                continue
            runs = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                run(g)
                runs.append(time.perf_counter() - started)
                if runs[-1] > args.budget / 4:
                    break  # one run of a slow engine is measurement enough
            times[name][n] = statistics.median(runs)
            if times[name][n] > args.budget:
                too_slow.add(name)
        print(f"measured {n} nodes", file=sys.stderr, flush=True)
    base = times["kg.layout (igraph FR)"]
    head = ["engine"] + [f"{n} nodes" for n in sizes]
    rows = [head]
    for name in found:
        cells = [name]
        for n in sizes:
            t = times[name][n]
            cells.append("skipped" if t is None else f"{t:.2f} s ({t / base[n]:.1f}x)")
        rows.append(cells)
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    print(f"layout time, median of {args.repeat} runs (ratio to kg.layout; skipped: over {args.budget:.0f} s "
          "at a smaller size)")
    for r in rows:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |")


if __name__ == "__main__":
    main()
