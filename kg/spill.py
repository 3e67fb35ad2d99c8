"""Triples on their way into an on-disk store by way of a file: written out, then bulk-loaded from it.

A big graph held as text, or as one update's transaction, costs memory in proportion to its size;
a file costs disk instead, and the bulk loader reads it in pieces. Blank nodes need care: the
loader renames every blank node it reads, while the parser keeps their names, so the lines that
name one are parsed and added as quads. The blank nodes (the shapes' nodes, mostly) keep the stable
names the build gave them, so that two builds of the same files export the same bytes.
"""

from __future__ import annotations

import io
import mmap
from pathlib import Path

import pyoxigraph as ox

Graph = ox.NamedNode | ox.BlankNode | ox.DefaultGraph


def has_blank_node(path: Path) -> bool:
    """Whether "_:" is anywhere in the file, a literal's text included (a false alarm costs only time)."""
    with path.open("rb") as handle:
        if path.stat().st_size == 0:
            return False
        with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
            return data.find(b"_:") != -1


def with_graph_name(triples: bytes, graph: Graph) -> bytes:
    """N-Triples as N-Quads in `graph` (a dump to N-Quads of one graph drops its name).

    Every line of an N-Triples dump ends in " .\\n" and no other newline is in it (the serializer
    escapes newlines in literals), so the graph name goes in before each line's end.
    """
    if isinstance(graph, ox.DefaultGraph):
        return triples
    return triples.replace(b" .\n", f" {graph} .\n".encode())


def set_apart_blank_nodes(quads: bytes) -> tuple[bytes, list[ox.Quad]]:
    """N-Quads without the lines that name a blank node, and those lines as parsed quads."""
    if b"_:" not in quads:
        return quads, []
    plain, named = bytearray(), bytearray()
    for line in io.BytesIO(quads):
        (named if b"_:" in line else plain).extend(line)
    # a literal's "_:" brings its line here too: parsed, it is the same quad
    return bytes(plain), list(ox.parse(bytes(named), format=ox.RdfFormat.N_QUADS))


def load_triples(store: ox.Store, path: Path, graph: Graph) -> list[ox.Quad]:
    """Bulk-load an N-Triples file into `graph`, but for its lines that name a blank node: those, as quads.

    The caller adds them (store.extend or bulk_extend) when it sees fit.
    """
    if not has_blank_node(path):
        if path.stat().st_size:
            store.bulk_load(path=str(path), format=ox.RdfFormat.N_TRIPLES, to_graph=graph)
        return []
    plain, named = set_apart_blank_nodes(with_graph_name(path.read_bytes(), graph))
    if plain:
        store.bulk_load(input=plain, format=ox.RdfFormat.N_QUADS)
    return named
