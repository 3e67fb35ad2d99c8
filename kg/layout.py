"""Node positions for the graph page, computed before the browser sees the graph."""

from __future__ import annotations

import math
import random
import statistics

import igraph

# igraph's Fruchterman-Reingold with a grid is the fastest engine measured here (bench/bench_layout.py):
# 0.08 / 0.36 / 1.3 s at 1k / 5k / 20k nodes, against Graphviz sfdp 0.21 / 1.2 / 6.9 s and networkx's
# spring layout 2.9 / 31 s (quadratic). Without the grid it is exact but quadratic (0.4 s at 500 nodes,
# 1.3 s at 1k): used for small components only.
EXACT_UP_TO = 500
# With the grid, 200 iterations instead of igraph's 500 take 0.4 s instead of 0.9 s at 5k nodes and draw
# the same picture to the eye (compared side by side in Chromium); small components keep all 500.
GRID_ITERATIONS = 200
EDGE_LENGTH = 110.0  # pixels between linked nodes on the page, so that labels rarely overlap
GAP = 2 * EDGE_LENGTH  # between the boxes of two components
# Nodes are dots of radius 12 on the page: closer than this, one hides the other and a click on it
# selects its neighbour (CD19 sat 10 px from systemic sclerosis in the curated graph's picture).
MIN_DISTANCE = 32.0
SPREAD_PASSES = 30
# A component still crowded after SPREAD_PASSES is scaled up this much and spread again, up to this many
# times: a hub rings itself with more leaves than fit around it at EDGE_LENGTH, and pushing pairs apart in
# place only moves each into the next (the curated graph: 2,135 pairs closer than MIN_DISTANCE after
# 30 passes, CD19 covered by the dots of its neighbours).
CROWDED_SCALE = 1.25
CROWDED_STEPS = 4
# Above this many nodes a component is a cloud to zoom into rather than a picture of nodes, and spreading
# it costs more than the layout itself (synthetic 5k nodes: 0.36 -> 1.7 s, 20k: 1.3 -> 23 s).
SPREAD_UP_TO = 2000


def _spread(coords: list[tuple[float, float]],
            minimum: float = MIN_DISTANCE) -> tuple[list[tuple[float, float]], bool]:
    """Push apart the nodes closer than `minimum`, each pair by half the shortfall each way, pass after pass;
    return the new coordinates and whether a last pass found no pair to part.

    Force-directed layouts pile the leaves of a hub onto each other. Pairs are found through a grid of
    `minimum`-sized cells (linear in the nodes per pass); two nodes on the same point part along a
    direction drawn from their indices, so the same layout always spreads the same way.
    """
    xs, ys = [x for x, _ in coords], [y for _, y in coords]
    n = len(coords)
    for _ in range(SPREAD_PASSES):
        cells: dict[tuple[int, int], list[int]] = {}
        for i in range(n):
            cells.setdefault((int(xs[i] // minimum), int(ys[i] // minimum)), []).append(i)
        moved = False
        for (cx, cy), members in cells.items():
            near = [j for dx in (-1, 0, 1) for dy in (-1, 0, 1) for j in cells.get((cx + dx, cy + dy), ())]
            for i in members:
                for j in near:
                    if j <= i:
                        continue
                    dx, dy = xs[j] - xs[i], ys[j] - ys[i]
                    d = math.hypot(dx, dy)
                    if d >= minimum:
                        continue
                    if d < 1e-9:
                        angle = (i * 7919 + j * 104729) % 360 * math.pi / 180
                        dx, dy, d = math.cos(angle), math.sin(angle), 1.0
                        push = minimum / 2
                    else:
                        push = (minimum - d) / 2 * 1.01
                    xs[i] -= dx / d * push
                    ys[i] -= dy / d * push
                    xs[j] += dx / d * push
                    ys[j] += dy / d * push
                    moved = True
        if not moved:
            return list(zip(xs, ys)), True
    return list(zip(xs, ys)), False


def _component_layout(g: igraph.Graph, members: list[int]) -> list[tuple[float, float]]:
    """One connected component laid out alone, scaled so that a typical link is EDGE_LENGTH long."""
    if len(members) == 1:
        return [(0.0, 0.0)]
    sub = g.induced_subgraph(members)
    grid = len(members) > EXACT_UP_TO
    coords = sub.layout_fruchterman_reingold(grid=grid, niter=GRID_ITERATIONS if grid else 500).coords
    lengths = [math.dist(coords[a], coords[b]) for a, b in sub.get_edgelist()[:5000]]
    typical = statistics.median(lengths) if lengths else 1.0
    scale = EDGE_LENGTH / typical if typical > 0 else EDGE_LENGTH
    scaled = [(x * scale, y * scale) for x, y in coords]
    if len(members) > SPREAD_UP_TO:
        return scaled
    for step in range(CROWDED_STEPS + 1):
        if step:
            scaled = [(x * CROWDED_SCALE, y * CROWDED_SCALE) for x, y in scaled]
        scaled, settled = _spread(scaled)
        if settled:
            break
    return scaled


def positions(nodes: list[str], edges: list[tuple[str, str]], seed: int = 1) -> dict[str, tuple[float, float]]:
    """Page coordinates for each node: the same graph always gets the same picture.

    Each connected component is laid out alone and the components are packed in rows, largest first:
    laid out together, force-directed layouts fling small components far away, and a picture that
    frames them all shows the main component as a dot.
    """
    if not nodes:
        return {}
    index = {n: i for i, n in enumerate(nodes)}
    pairs = sorted({(min(index[a], index[b]), max(index[a], index[b])) for a, b in edges if a != b})
    g = igraph.Graph(n=len(nodes), edges=pairs)
    components = sorted((sorted(c) for c in g.connected_components()), key=lambda c: (-len(c), c[0]))
    # igraph draws its random numbers from Python's global `random`: a seeded one of our own makes the picture
    # the same on every run (starting points given instead made the grid variant six times slower).
    igraph.set_random_number_generator(random.Random(seed))
    try:
        laid = [(members, _component_layout(g, members)) for members in components]
    finally:
        igraph.set_random_number_generator(random)
    boxes = []
    for members, coords in laid:
        xs, ys = [x for x, _ in coords], [y for _, y in coords]
        boxes.append((members, coords, min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)))
    area = sum((w + GAP) * (h + GAP) for *_, w, h in boxes)
    row_width = max(max(w for *_, w, _ in boxes), 1.3 * math.sqrt(area))
    placed: dict[str, tuple[float, float]] = {}
    x = y = row_height = 0.0
    for members, coords, left, top, w, h in boxes:
        if x > 0 and x + w > row_width:
            x, y, row_height = 0.0, y + row_height + GAP, 0.0
        for member, (cx, cy) in zip(members, coords):
            placed[nodes[member]] = (x + cx - left, y + cy - top)
        x += w + GAP
        row_height = max(row_height, h)
    return placed
