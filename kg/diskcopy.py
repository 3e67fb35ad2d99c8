"""The on-disk store of a build, written on a thread of its own while the build works in memory.

Parsing, inference and checks run about twice as fast on an in-memory store as on the on-disk one,
but copying a finished in-memory store to disk costs more than that saves (1M triples: 11 s). So the
copy runs beside the build instead: the N-Triples seed files, the bulk of a big graph, are
bulk-loaded into the disk store from their files while the in-memory store parses and infers; once
inference is done, everything else (ontology, tables, Turtle files, the inferred graph) is dumped
from memory and bulk-loaded graph by graph, with the lines that name a blank node added as parsed
quads at the end, so a blank node named in two graphs stays one blank node.

A file with a blank node in it goes with the rest: a store renames the blank nodes of what it
loads, so the same file loaded twice would name them differently in the two stores, and what
inference derived about them names the in-memory ones. A file that changes between the two reads
fails the build, since the checked graph would not be the one written.
"""

from __future__ import annotations

import io
import mmap
import threading
from pathlib import Path

import pyoxigraph as ox

from kg import seeds as seeds_mod
from kg.errors import InputError, Problem


def _stamp(path: Path) -> tuple[int, int, int]:
    stat = path.stat()
    return stat.st_ino, stat.st_size, stat.st_mtime_ns


def _has_blank_node(path: Path) -> bool:
    # "_:" anywhere, a literal's text included: a false alarm only sends the file the slower way.
    with path.open("rb") as handle:
        if path.stat().st_size == 0:
            return False
        with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
            return data.find(b"_:") != -1


def _quads_of_graph(store: ox.Store, graph: ox.NamedNode | ox.BlankNode | ox.DefaultGraph) -> bytes:
    """One graph as N-Quads, by way of the N-Triples dump (a dump to N-Quads of one graph drops its name).

    Every line of an N-Triples dump ends in " .\\n" and no other newline is in it (the serializer
    escapes newlines in literals), so the graph name goes in before each line's end.
    """
    triples = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph)
    assert triples is not None  # without an output file, dump returns the bytes
    if isinstance(graph, ox.DefaultGraph):
        return triples
    return triples.replace(b" .\n", f" {graph} .\n".encode())


def _set_apart_blank_nodes(parts: list[bytes]) -> tuple[list[bytes], list[ox.Quad]]:
    """The N-Quads parts without the lines that name a blank node, and those lines as quads.

    A store's loader renames every blank node it reads; the parser keeps their names. The blank
    nodes (the shapes' nodes, mostly) keep the stable names the build gave them, so that two builds
    of the same files export the same bytes.
    """
    kept: list[bytes] = []
    blank: list[ox.Quad] = []
    for part in parts:
        if b"_:" not in part:
            kept.append(part)
            continue
        plain, named = bytearray(), bytearray()
        for line in io.BytesIO(part):
            (named if b"_:" in line else plain).extend(line)
        kept.append(bytes(plain))
        # a literal's "_:" brings its line here too: parsed, it is the same quad
        blank.extend(ox.parse(bytes(named), format=ox.RdfFormat.N_QUADS))
    return kept, blank


class DiskCopy:
    """Fills `disk` with what an in-memory build holds: start(), then finish() after inference, then close()."""

    def __init__(self, disk: ox.Store):
        self.disk = disk
        self.direct: dict[ox.NamedNode, tuple[Path, str, tuple[int, int, int]]] = {}
        self._memory: ox.Store | None = None
        self._made: list[ox.Quad] = []
        self._ready = threading.Event()
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    def start(self, rdf_files: list[tuple[Path, str, ox.NamedNode]]) -> None:
        """Begin bulk-loading the N-Triples files into the disk store; call before the build reads them."""
        for path, shown, graph in rdf_files:
            stamp = _stamp(path)
            if not _has_blank_node(path):
                self.direct[graph] = (path, shown, stamp)
        self._thread = threading.Thread(target=self._run, name="kg-disk-copy", daemon=True)
        self._thread.start()

    def finish(self, memory: ox.Store, made: list[ox.Quad]) -> None:
        """Hand over the in-memory store once it holds everything, and the quads the build made in Python.

        Of `made`, only those in the graphs of directly loaded files are needed (the file source
        triples a file's graph carries beside its data): everything else is in `memory`'s other graphs.
        """
        self._memory = memory
        self._made = [q for q in made if q.graph_name in self.direct]
        self._ready.set()

    def _run(self) -> None:
        try:
            for graph, (path, shown, _) in self.direct.items():
                seeds_mod.load_ntriples(self.disk, path, shown, graph)
            self._ready.wait()
            if self._memory is None:
                return  # the build failed: nothing more to write
            memory = self._memory
            # Graph by graph, so that neither the dump nor the bulk loader holds the whole graph at once
            # (a 50k-row table: peak 1.26 -> 0.96 GB). Lines naming a blank node are parsed and added as
            # quads, all together at the end: the loader renames every blank node it reads, the parser
            # keeps their names, so a blank node stays one across graphs and keeps the stable name the
            # build gave it (two builds of the same files export the same bytes).
            blank: list[ox.Quad] = []
            parts = (_quads_of_graph(memory, graph) for graph in (ox.DefaultGraph(), *memory.named_graphs())
                     if graph not in self.direct)
            made = ox.serialize(self._made, format=ox.RdfFormat.N_QUADS)
            assert made is not None  # without an output file, serialize returns the bytes
            for part in (made, *parts):
                (plain,), named = _set_apart_blank_nodes([part])
                if plain:
                    self.disk.bulk_load(input=plain, format=ox.RdfFormat.N_QUADS)
                blank.extend(named)
            self.disk.bulk_extend(blank)
        except BaseException as exc:  # handed to close(), on the build's thread
            self._error = exc

    def close(self) -> None:
        """Wait until the disk store is complete; raise what went wrong there, or if a file changed meanwhile."""
        if self._thread is None or not self._ready.is_set():
            raise RuntimeError("DiskCopy.close() before start() and finish(): the disk store would be incomplete")
        self._join()
        if self._error is not None:
            raise self._error
        for path, shown, stamp in self.direct.values():
            if not path.exists() or _stamp(path) != stamp:
                raise InputError([Problem(shown, 0, "error", "the file changed while the build read it; "
                                          "run kg build again", "file-changed")])

    def abandon(self) -> None:
        """The build failed: wait for the thread to stop writing (its own error, if any, is moot)."""
        self._join()

    def _join(self) -> None:
        self._ready.set()
        if self._thread is not None:
            self._thread.join()
