"""What `kg stats`, `kg path` and `kg neighbors` compute over the entity graph: centrality leaders and
components, the shortest paths between two entities, the entities around one."""

from __future__ import annotations

from collections import Counter, defaultdict, deque
from dataclasses import dataclass

import networkx as nx

from kg import names
from kg.engine import Engine
from kg.errors import KgError
from kg.network import TRIPLES_PER_GRAPH, EntityGraph, curie, load
from kg.vocab import GRAPH_INFERRED, GRAPH_ONTOLOGY


@dataclass(frozen=True)
class Relation:
    """A property linking two entities one after the other on a path: forward when the first is the subject."""

    label: str
    forward: bool
    backward: bool
    inferred: bool

    def __str__(self) -> str:
        mark = "*" if self.inferred else ""
        return f"{'<' if self.backward else ''}-[{self.label}{mark}]-{'>' if self.forward else ''}"


def relations(eg: EntityGraph, a: str, b: str) -> list[Relation]:
    """Every property between a and b, in either direction, one per property."""
    found: dict[str, list[tuple[bool, bool]]] = defaultdict(list)
    for u, v in ((a, b), (b, a)):
        for data in (eg.graph.get_edge_data(u, v) or {}).values():
            found[data["label"]].append((u == a, data["inferred"]))
    out = []
    for label, seen in sorted(found.items()):
        out.append(Relation(label, any(f for f, _ in seen), any(not f for f, _ in seen), all(i for _, i in seen)))
    return out


def chain(eg: EntityGraph, nodes: list[str]) -> str:
    """A path as text: labels joined by their relations."""
    parts = [eg.label(nodes[0])]
    for a, b in zip(nodes, nodes[1:]):
        parts.append(" / ".join(str(r) for r in relations(eg, a, b)))
        parts.append(eg.label(b))
    return " ".join(parts)


def shortest_paths(eg: EntityGraph, a: str, b: str, limit: int = 10) -> list[list[str]]:
    """Up to `limit` shortest paths from a to b over links in either direction, in a stable order."""
    for end in (a, b):
        if end not in eg.graph:
            raise KgError(f"{curie(end)} is not an entity of the graph (is it a source or an ontology term?)")
    if a == b:
        return [[a]]
    try:
        found = nx.all_shortest_paths(eg.undirected(), a, b)
        paths = []
        for path in found:
            paths.append(path)
            if len(paths) >= 1000:  # enough to pick a stable first `limit` from without listing millions
                break
    except nx.NetworkXNoPath:
        return []
    paths.sort(key=lambda p: [eg.label(n).lower() for n in p])
    return paths[:limit]


@dataclass(frozen=True)
class Neighbor:
    """An entity near another: how far, and the link it is reached by."""

    node: str
    distance: int
    via: str
    relations: tuple[Relation, ...]


def neighbors(eg: EntityGraph, center: str, depth: int = 1) -> list[Neighbor]:
    """Entities at most `depth` links from `center`, nearest first, each with the link that reaches it."""
    if center not in eg.graph:
        raise KgError(f"{curie(center)} is not an entity of the graph (is it a source or an ontology term?)")
    if depth < 1:
        raise KgError("depth must be 1 or more")
    und = eg.graph.to_undirected(as_view=True)
    parent: dict[str, str] = {center: center}
    dist = {center: 0}
    queue = deque([center])
    while queue:
        node = queue.popleft()
        if dist[node] == depth:
            continue
        for nxt in sorted(und[node], key=lambda n: (eg.label(n).lower(), n)):
            if nxt not in dist:
                dist[nxt] = dist[node] + 1
                parent[nxt] = node
                queue.append(nxt)
    out = [Neighbor(n, d, parent[n], tuple(relations(eg, parent[n], n))) for n, d in dist.items() if n != center]
    out.sort(key=lambda x: (x.distance, eg.class_label(eg.graph.nodes[x.node]["cls"]).lower(),
                            eg.label(x.node).lower()))
    return out


@dataclass
class Leader:
    """An entity ranked by a centrality measure."""

    node: str
    label: str
    value: float


@dataclass
class Stats:
    """What `kg stats` reports."""

    instances: dict[str, int]
    triples_per_graph: dict[str, int]
    graph_labels: dict[str, str]
    degree: dict[str, list[Leader]]
    betweenness: dict[str, list[Leader]]
    betweenness_samples: int | None
    components: list[int]
    nodes: int
    edges: int
    inferred_edges: int


def stats(engine: Engine, top: int = 3, exact_up_to: int = 2000) -> Stats:
    """Instances per class, triples per source, centrality leaders per class and connected components."""
    eg = load(engine)
    g = eg.graph
    instances = Counter(eg.class_label(cls) for _, cls in g.nodes(data="cls"))
    per_graph = {row[0].value: int(row[1].value) for row in engine.select(TRIPLES_PER_GRAPH).rows}
    graph_labels = {GRAPH_INFERRED: "inferred by the rules", GRAPH_ONTOLOGY: "the ontology",
                    **names.labels(engine, set(per_graph))}
    und = eg.undirected()
    n = und.number_of_nodes()
    samples = None if n <= exact_up_to else min(n, 500)
    # Above a few thousand nodes, exact betweenness takes minutes; a fixed-seed sample ranks the leaders alike.
    between = nx.betweenness_centrality(und, k=samples, seed=1 if samples else None)
    degree = dict(und.degree())
    by_class: dict[str, list[str]] = defaultdict(list)
    for node, cls in g.nodes(data="cls"):
        by_class[eg.class_label(cls)].append(node)

    def leaders(values: dict[str, float]) -> dict[str, list[Leader]]:
        out = {}
        for cls, nodes in sorted(by_class.items()):
            ranked = sorted(nodes, key=lambda x: (-values[x], eg.label(x).lower()))[:top]
            out[cls] = [Leader(x, eg.label(x), values[x]) for x in ranked]
        return out

    components = sorted((len(c) for c in nx.connected_components(und)), reverse=True)
    return Stats(
        instances=dict(sorted(instances.items(), key=lambda kv: (-kv[1], kv[0]))),
        triples_per_graph=dict(sorted(per_graph.items(), key=lambda kv: (-kv[1], kv[0]))),
        graph_labels=graph_labels, degree=leaders(degree), betweenness=leaders(between),
        betweenness_samples=samples, components=components, nodes=g.number_of_nodes(),
        edges=g.number_of_edges(), inferred_edges=sum(1 for *_, i in g.edges(data="inferred") if i))


@dataclass
class PathAnswer:
    """The shortest paths between two named entities, each as a chain of labelled relations."""

    source: str
    target: str
    source_label: str
    target_label: str
    chains: list[str]
    links: int


def find_paths(engine: Engine, start: str, end: str, limit: int = 10) -> PathAnswer:
    """The shortest paths between two entities (IRIs; names.entity finds the one a user names)."""
    eg = load(engine)
    found = shortest_paths(eg, start, end, limit)
    return PathAnswer(start, end, eg.label(start), eg.label(end), [chain(eg, p) for p in found],
                      len(found[0]) - 1 if found else -1)


@dataclass
class NeighborAnswer:
    """The entities around a named one."""

    center: str
    label: str
    rows: list[tuple[int, str, str, str]]  # distance, class label, label, how it is reached


def find_neighbors(engine: Engine, center: str, depth: int = 1) -> NeighborAnswer:
    """The entities at most `depth` links from an entity (an IRI; names.entity finds the one a user names)."""
    eg = load(engine)
    rows = []
    for n in neighbors(eg, center, depth):
        rows.append((n.distance, eg.class_label(eg.graph.nodes[n.node]["cls"]), eg.label(n.node),
                     chain(eg, [n.via, n.node])))
    return NeighborAnswer(center, eg.label(center), rows)
