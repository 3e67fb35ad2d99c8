"""The on-disk store of a build, written on a thread of its own while the build works in memory.

Parsing, inference and checks run about twice as fast on an in-memory store as on the on-disk one,
but copying a finished in-memory store to disk costs more than that saves (1M triples: 11 s). So the
copy runs beside the build instead: the N-Triples seed files, the bulk of a big graph, are
bulk-loaded into the disk store from their files while the in-memory store parses and infers, and so
are the tables' claims of a small seed folder as they are made (add()). Once inference is done,
everything else (ontology, accepted facts, Turtle files, the inferred graph) is dumped from memory
and bulk-loaded graph by graph, with the lines that name a blank node added as parsed quads at the
end, so a blank node named in two graphs stays one blank node.

A file with a blank node in it goes with the rest: a store renames the blank nodes of what it
loads, so the same file loaded twice would name them differently in the two stores, and what
inference derived about them names the in-memory ones. A file that changes between the two reads
fails the build, since the checked graph would not be the one written.

A build of a small seed folder (its claims given by add(), no N-Triples file) also lists every quad it
writes beside the store (kg.quadslist). The next such build starts from a copy of the live store and
its list (kg.store.write_new_store's copy_of): it holds what it would write, sets it against the list,
and takes out of the copy only the quads no longer made, adds only the new ones (an edited row: a few
dozen quads), so the build no longer waits for a whole store to be written. Written anew, a quad
costs about 8 us; taken out, about 10 us, added, about 15: past PATCHED_SHARE of the graph changed,
the copy is emptied and written anew.
"""

from __future__ import annotations

import queue
import tempfile
import threading
from pathlib import Path

import pyoxigraph as ox

from kg import quadslist, spill
from kg import seeds as seeds_mod
from kg.errors import InputError, Problem
from kg.store import compact_if_large, quads_list

# A graph of more triples than this goes to disk by way of a file; smaller ones as text, in batches
# of about BATCH_BYTES.
SPILLED_GRAPH = 200_000
BATCH_BYTES = 32_000_000
# Up to this many parsed quads go to the disk store in a transaction rather than a bulk load (_add_quads).
TRANSACTION_QUADS = 10_000
# A patch that takes out and adds more quads than this share of the graph writes the store anew instead.
PATCHED_SHARE = 0.25


def patchable(folder: Path | None) -> Path | None:
    """The quads list of the store in `folder`, if a build can patch a copy of that store by it."""
    if folder is None:
        return None
    listed = quads_list(folder)
    return listed if quadslist.readable(listed) else None


def _graph_sizes(store: ox.Store, skipped: set) -> dict:
    """Triples per named graph of an in-memory store, but for those in `skipped` (all at once: 136k
    triples in about 0.05 s; a graph at a time when most are skipped)."""
    graphs = [g for g in store.named_graphs() if g not in skipped]
    if len(graphs) > 20:
        rows = store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        assert isinstance(rows, ox.QuerySolutions)  # a SELECT's answer
        return {row[0]: int(row[1].value) for row in rows}
    sizes = {}
    for graph in graphs:
        rows = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}")
        assert isinstance(rows, ox.QuerySolutions)
        sizes[graph] = int(next(rows)[0].value)
    return sizes


def _stamp(path: Path) -> tuple[int, int, int]:
    stat = path.stat()
    return stat.st_ino, stat.st_size, stat.st_mtime_ns


class DiskCopy:
    """Fills `disk` with what an in-memory build holds: start(), then finish() after inference, then close().

    What it loads as text is either made by the build and already parsed into the in-memory store, or
    dumped from it: loaded leniently (the IRIs not validated twice; the curated seeds: 1.4 -> 1.0 s).
    """

    def __init__(self, disk: ox.Store, scratch: Path | None = None, folder: Path | None = None,
                 patched: Path | None = None):
        """`patched`: the quads list of the store `disk` is a copy of (kg.store.write_new_store's copy_of):
        patch the copy by it. With `folder`, the quads written are listed beside it (when start() says so)."""
        self.disk = disk
        self.folder = folder  # where `disk` keeps its files: compacted there if large (None: left to the caller)
        self.patched = patched
        self._listing: quadslist.Writer | None = None  # the quads list, while it is written
        self._held: list[quadslist.Chunk] = []  # what a patch would write, to set against the list
        self._pieces = 0  # the pieces of claims add() gave so far
        self.changes: tuple[int, int] | None = None  # a patch's quads taken out and added; None: written anew
        self.scratch = scratch  # where each graph is written out on its way to disk (None: the system's temp)
        self.direct: dict[ox.NamedNode, tuple[Path, str, tuple[int, int, int]]] = {}
        self._memory: ox.Store | None = None
        self._truth: ox.Store | None = None  # the in-memory store, kept for a patch to check against
        self._made: list[ox.Quad] = []
        self._early: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        # The graphs add() was given all of (the caller says which): not copied again at the end.
        self.whole: set = set()
        self._ready = threading.Event()
        self.written = threading.Event()  # set when the thread stops, done or failed
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    def start(self, rdf_files: list[tuple[Path, str, ox.NamedNode]], listed: bool = False) -> None:
        """Begin bulk-loading the N-Triples files into the disk store; call before the build reads them.

        `listed`: every claim will come by add(), so what is written is listed (and a copy is patched)
        unless there are N-Triples files, which are loaded from their files unlisted (a copy given to
        patch is then emptied and written anew).
        """
        if listed and not rdf_files and self.folder is not None:
            self._listing = quadslist.Writer(quads_list(self.folder))
        elif self.patched is not None:
            self.disk.clear()
            self.patched = None
        for path, shown, graph in rdf_files:
            stamp = _stamp(path)
            if not spill.has_blank_node(path):
                self.direct[graph] = (path, shown, stamp)
        self._thread = threading.Thread(target=self._run, name="kg-disk-copy", daemon=True)
        self._thread.start()

    def add(self, quads: bytes) -> None:
        """N-Quads to write now, while the build goes on (after start(), before finish()).

        They must name no blank node: parsed anew here, it would not be the one the in-memory store
        holds. The tables' claims name none (the seed reader makes IRIs and literals only), and are
        loaded as they are, unscanned (a scan for "_:" took 38 ms of the curated seeds' 41 MB, on the
        thread the build waits for). What is given here is held until the thread has written it: for
        text the build makes anyway (the claims of a small seed folder), not for more than memory holds
        twice.
        """
        self._early.put(quads)

    def finish(self, memory: ox.Store, made: list[ox.Quad]) -> None:
        """Hand over the in-memory store once it holds everything, and the quads the build made in Python.

        Of `made`, only those in the graphs of directly loaded files are needed (the file source
        triples a file's graph carries beside its data): everything else is in `memory`'s other graphs,
        which are copied but for those in `whole` (a graph add() gave only part of is copied whole:
        a quad written twice is one quad).
        """
        self._memory = memory
        self._made = [q for q in made if q.graph_name in self.direct]
        self._early.put(None)
        self._ready.set()

    def _run(self) -> None:
        try:
            for graph, (path, shown, _) in self.direct.items():
                seeds_mod.load_ntriples(self.disk, path, shown, graph)
            while (quads := self._early.get()) is not None:
                self._pieces += 1
                self._list(f"claims:{self._pieces}", quads)
                self._load(quads)
            self._ready.wait()
            if self._memory is None:
                return  # the build failed: nothing more to write
            self._copy_graphs()
            if self.patched is not None:
                self._patch()
            # Compacted here (if large enough to gain from it), beside the checks: the build's own call
            # then finds nothing left to do.
            elif self.folder is not None:
                compact_if_large(self.disk, self.folder)
            if self._listing is not None:
                self._listing.commit()
                self._listing = None
        except BaseException as exc:  # handed to close(), on the build's thread
            self._error = exc
        finally:
            if self._listing is not None:
                self._listing.abandon()
            self._truth = None
            self.written.set()

    def _list(self, name: str, quads: bytes) -> None:
        """A chunk of what the store gets, into the quads list (and held for the patch)."""
        if self._listing is None:
            return
        piece = quadslist.chunk(name, quads)
        self._listing.add(piece)
        if self.patched is not None:
            self._held.append(piece)

    def _load(self, quads: bytes) -> None:
        """N-Quads that name no blank node into the disk store, unless it is patched once all are made."""
        if self.patched is None:
            self.disk.bulk_load(input=quads, format=ox.RdfFormat.N_QUADS, lenient=True)

    def _patch(self) -> None:
        """Take out of the copy what its list has and this build did not write, and add what it lacks.

        What may have changed (kg.quadslist.changed_lines) is checked quad by quad: a quad goes out
        only if the in-memory store does not hold it, and in only if the copy does not.
        """
        assert self.patched is not None and self._truth is not None
        held, self._held = self._held, []
        try:
            gone, new, lines = quadslist.changed_lines(self.patched, quadslist.read_index(self.patched), held)
            anew = len(gone) + len(new) > PATCHED_SHARE * lines
        except (OSError, ValueError):  # a list unreadable after all
            anew = True
        if anew:
            self.disk.clear()
            plain, named = spill.set_apart_blank_nodes(b"".join(piece.text for piece in held))
            self.disk.bulk_load(input=plain, format=ox.RdfFormat.N_QUADS, lenient=True)
            self._add_quads(named)
            return
        del held
        memory, self._truth = self._truth, None
        out = [q for q in ox.parse(b"\n".join(gone), format=ox.RdfFormat.N_QUADS) if q not in memory]
        into = [q for q in ox.parse(b"\n".join(new), format=ox.RdfFormat.N_QUADS) if q not in self.disk]
        for quad in out:  # parsed, a blank node keeps its name: the one the copy holds
            self.disk.remove(quad)
        self._add_quads(into)
        self.disk.flush()
        self.changes = (len(out), len(into))

    def _copy_graphs(self) -> None:
        """Every graph of the in-memory store not loaded from its file, and the quads made in Python, to disk.

        A big graph goes by way of a file (kg.spill), so that it is never held in memory as text (a
        410k-row table's claims are one graph of 4M triples: 0.6 GB of N-Triples, twice over once the
        graph name went in). The small ones (most graphs: one per source) go as text together, a batch
        at a time: one bulk load each costs more than its triples do (the curated seeds' 562 graphs:
        a build of 13 s against 3 s, both on a loaded machine). The quads that name a blank node are
        added all together at the end.

        The in-memory store is let go once its graphs are read, before the last bulk load: the build
        lets it go once checked, and whichever comes last frees it (the curated seeds: 53 ms), most
        often beside the other's work rather than after both.
        """
        memory, self._memory = self._memory, None
        assert memory is not None  # finish() gave it
        if self.patched is not None:
            self._truth = memory
        blank: list[ox.Quad] = []
        batch = bytearray()
        # A listed copy goes as text whatever the size (the list holds it), so its graphs are not counted.
        sizes = {} if self._listing is not None else _graph_sizes(memory, self.whole | set(self.direct))
        with tempfile.TemporaryDirectory(prefix="copy-", dir=self.scratch) as folder:
            spilled = Path(folder) / "graph.nt"
            for graph in (ox.DefaultGraph(), *memory.named_graphs()):
                if graph in self.direct or graph in self.whole:
                    continue
                if sizes.get(graph, 0) > SPILLED_GRAPH:
                    memory.dump(str(spilled), format=ox.RdfFormat.N_TRIPLES, from_graph=graph)
                    blank += spill.load_triples(self.disk, spilled, graph)
                    continue
                triples = memory.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph)
                assert triples is not None  # without an output file, dump returns the bytes
                plain, named = spill.set_apart_blank_nodes(spill.with_graph_name(triples, graph))
                self._list(str(graph), plain)
                batch += plain
                blank += named
                if len(batch) > BATCH_BYTES:
                    self._load(bytes(batch))
                    batch = bytearray()
        del memory
        made = ox.serialize(self._made, format=ox.RdfFormat.N_QUADS)
        assert made is not None  # without an output file, serialize returns the bytes
        plain, named = spill.set_apart_blank_nodes(made)
        self._list("made", plain)
        batch += plain
        if batch:
            self._load(bytes(batch))
        blank += named
        if self._listing is not None:
            listed = ox.serialize(blank, format=ox.RdfFormat.N_QUADS)
            assert listed is not None  # without an output file, serialize returns the bytes
            self._list("blank", listed)
        if self.patched is None:
            self._add_quads(blank)

    def _add_quads(self, quads: list[ox.Quad]) -> None:
        """Parsed quads into the disk store: a few in a transaction, many with the bulk loader.

        Each bulk load adds files of its own to the store, and from the third on RocksDB compacts them
        on a thread of its own, beside the build (kg.build.EARLY_FIRST_PIECE); a few hundred quads (the
        ontology's blank nodes) go in a transaction instead, into the store's write buffer.
        """
        if len(quads) > TRANSACTION_QUADS:
            self.disk.bulk_extend(quads)
        elif quads:
            self.disk.extend(quads)

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
        self._early.put(None)
        self._ready.set()
        if self._thread is not None:
            self._thread.join()
