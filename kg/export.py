"""The graph in files other tools open: GraphML (Gephi, Cytoscape) of the entities, RDF of everything."""

from __future__ import annotations

from typing import Any, cast

import networkx as nx
import pyoxigraph as ox

from kg import network
from kg.engine import Engine
from kg.network import EntityGraph

RDF_FORMATS = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD,
}
FORMATS = ("graphml", *RDF_FORMATS)
# TriG and JSON-LD keep each triple in the named graph of the source that states it; Turtle and
# N-Triples have no named graphs, so they hold the union (who said what is lost).
KEEPS_GRAPHS = {"trig", "jsonld"}
QUADS = "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }"


def graphml(eg: EntityGraph) -> str:
    """GraphML of the entity graph: node and edge attributes flattened to the scalars GraphML allows."""
    flat = nx.MultiDiGraph()
    for node, a in eg.graph.nodes(data=True):
        flat.add_node(node, label=a["label"], curie=network.curie(node), cls=network.curie(a["cls"]),
                      class_label=eg.class_label(a["cls"]), synonyms="; ".join(a["names"]), kind=a["kind"])
    for u, v, key, e in eg.graph.edges(keys=True, data=True):
        flat.add_edge(u, v, key=network.curie(key), property=network.curie(e["property"]), label=e["label"],
                      inferred=bool(e["inferred"]), sources=" ".join(network.curie(s) for s in e["sources"]))
    return "\n".join(nx.generate_graphml(flat, prettyprint=True)) + "\n"


def rdf(engine: Engine, fmt: str, prefixes: dict[str, str]) -> bytes:
    """Every triple the engine holds, in an RDF format; sorted so that the same graph gives the same file."""
    # QUADS binds all four cells of every row (GRAPH ?g { ?s ?p ?o }): none is unbound.
    quads = [ox.Quad(*cast("tuple[Any, ox.NamedNode, Any, Any]", row)) for row in engine.select(QUADS).rows]
    quads.sort(key=lambda q: (str(q.graph_name), str(q.subject), str(q.predicate), str(q.object)))
    if fmt in KEEPS_GRAPHS:
        return _bytes(ox.serialize(quads, format=RDF_FORMATS[fmt], prefixes=prefixes))
    seen: set[ox.Triple] = set()
    triples = []
    for q in sorted(quads, key=lambda q: (str(q.subject), str(q.predicate), str(q.object))):
        t = ox.Triple(q.subject, q.predicate, q.object)
        if t not in seen:
            seen.add(t)
            triples.append(t)
    if fmt == "nt":
        return _bytes(ox.serialize(triples, format=RDF_FORMATS[fmt]))
    return _bytes(ox.serialize(triples, format=RDF_FORMATS[fmt], prefixes=prefixes))


def _bytes(serialized: bytes | None) -> bytes:
    """What ox.serialize returns given no output file: the bytes (its stub says bytes | None for both cases)."""
    assert serialized is not None
    return serialized


def export(engine: Engine, fmt: str, prefixes: dict[str, str]) -> bytes:
    """The graph in one of FORMATS, as bytes to write."""
    if fmt == "graphml":
        return graphml(network.load(engine)).encode("utf-8")
    return rdf(engine, fmt, prefixes)
