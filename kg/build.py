"""The build: ontology + seeds -> parse -> infer -> check -> store, reporting each stage.

The stages run on an in-memory store; kg.diskcopy writes the on-disk store beside them.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import queue
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg import checks as checks_mod
from kg import infer as infer_mod
from kg import ontology as ontology_mod
from kg import seeds as seeds_mod
from kg import shacl as shacl_mod
from kg.diskcopy import DiskCopy, patchable
from kg.errors import InputError, Problem
from kg.locations import Locations
from kg.paths import Paths
from kg.store import build_lock, give_back_memory, live_store, select, side_by_side, store_folder, write_new_store
from kg.vocab import GRAPH_ACCEPTED, GRAPH_INFERRED, SPARQL_PREFIXES

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


@dataclass
class BuildReport:
    """What a build produced."""

    triples_per_graph: dict[str, int] = field(default_factory=dict)
    instances_per_class: dict[str, int] = field(default_factory=dict)
    inferred: dict[str, int] = field(default_factory=dict)
    checks_run: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    stages: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0
    # The store: a copy of the last one patched (quads taken out, added), or None: written anew.
    patched: tuple[int, int] | None = None
    files: list[str] = field(default_factory=list)

    @property
    def total_triples(self) -> int:
        return sum(self.triples_per_graph.values())


def _load(paths: Paths, store: ox.Store, report: BuildReport, progress: Progress, keep_going: bool = False,
          copy: DiskCopy | None = None, in_memory: bool = True, scratch: Path | None = None,
          give_back: bool = True):
    """Parse ontology and seeds into the store; return (ontology, seed data or None, problems found).

    `give_back`: hand the memory freed on the way back to the system at the end (see populate).
    """
    t = time.perf_counter()
    progress("reading ontology")
    onto = ontology_mod.load(paths, keep_going=keep_going)
    problems = list(onto.problems)
    if any(p.level == "error" for p in onto.problems):
        # Every seed row is read against the ontology: with part of it missing, each use of a term it
        # declares would be one more "unknown" error, burying the one line that needs fixing.
        problems.append(Problem("", 0, "info", "the seed files and checks were not run because the ontology "
                                "did not load; fix the errors above and run again", "ontology"))
        report.stages["parse"] = time.perf_counter() - t
        return onto, None, problems
    progress("reading seeds")
    if in_memory:
        store.extend(onto.quads)
        feed = _Feed(store, copy)
        try:
            seed = seeds_mod.load(paths, onto, keep_going=keep_going, said=feed)
            feed.finish(seed, onto)
        except BaseException:
            feed.stop()
            raise
        feed.close()
        store.extend(seed.quads)
    else:
        with tempfile.TemporaryDirectory(prefix="seeds-", dir=scratch) as folder:
            claims = Path(folder) / "claims.nq"
            from kg.seeds.apart import load_apart  # here: it brings multiprocessing (7 ms of every build)

            seed = load_apart(paths, onto, claims, keep_going=keep_going)
            _store_seed(store, onto, seed, claims)
    problems += seed.problems
    report.files = onto.files + seed.files
    for (_path, _shown, graph), error in zip(seed.rdf_files, _load_ntriples(store, seed.rdf_files, in_memory)):
        if error is None:
            continue
        if not keep_going:
            raise error
        problems += error.problems
        store.remove_graph(graph)
    _keep_each_triple_once(store)
    if give_back:
        give_back_memory()
    report.stages["parse"] = time.perf_counter() - t
    return onto, seed, problems


# How much of the claims' N-Quads file goes to the bulk loader at once (ends at a line's end).
CLAIMS_PIECE = 8_000_000

# Tables of up to this many rows have their claims written to disk as they are made, beside the build,
# instead of after inference: their text is held until written (the curated seeds: 17k rows, 49 MB),
# but the build no longer waits for them at the end.
EARLY_COPY = 50_000
# The claims go to the disk copy in two pieces, so the copy starts on the first while the second is
# made; the first holds the claims of this share of the rows (1/N). Each piece is one bulk load, and
# RocksDB compacts the store once it has three or more (the copy's last piece is the third): the
# curated seeds' build spent 0.8 s of CPU on compaction with pieces of 2,500 statements, and was
# 2.46 -> 2.29 s in two pieces (medians of 7, one after the other).
EARLY_FIRST_PIECE = 3
# The claims' text waiting to be loaded in memory, in pieces (kg.seeds.claims.make_claims: 2,000 rows each).
LOADING_PIECES = 8


class _Feed:
    """Loads the claims' text into the in-memory store on a thread of its own as the seed reader makes it
    (kg.seeds.folder.Said), while it reads the next rows (pyoxigraph lets go of the GIL while it loads): the
    store holds the claims of the last rows soon after they are read, not a whole load later. With a
    disk copy (kg.diskcopy), starts it once the files are read, and gives it the claims too, in two
    pieces, where the tables are small enough (EARLY_COPY)."""

    def __init__(self, store: ox.Store, copy: DiskCopy | None):
        self.store = store
        self.copy = copy
        self.early: DiskCopy | None = None  # the copy, when it takes the claims as they are made
        self._first = 0  # the claims the copy's first piece holds
        self._held: list[bytes] = []  # the claims' text not yet given to the copy
        self._given = 0  # the claims in what was given to the copy or is held for it
        # At most LOADING_PIECES pieces wait for the thread: past that the reader waits for it, so a large
        # table's text is not all held at once when the store loads slower than the rows are read.
        self._loading: queue.Queue[bytes | None] = queue.Queue(maxsize=LOADING_PIECES)
        self._failed: list[BaseException] = []
        self._loader = threading.Thread(target=self._load_each, name="kg-load", daemon=True)
        self._loader.start()

    def begin(self, rdf_files: list[tuple[Path, str, ox.NamedNode]], rows: int) -> None:
        if self.copy is None:
            return
        small = rows <= EARLY_COPY
        self.copy.start(rdf_files, listed=small)
        if small:
            self.early = self.copy
            self._first = -(-rows // EARLY_FIRST_PIECE)

    def add(self, text: bytes, claims: int) -> None:
        self._loading.put(text)
        if self.early is None:
            return
        self._held.append(text)
        was, self._given = self._given, self._given + claims
        if was < self._first <= self._given:
            self.early.add(b"".join(self._held))
            self._held = []

    def finish(self, seed: seeds_mod.SeedData, onto) -> None:
        """The accepted facts and what ranking gave the claims, once the seed reader is done."""
        if self.early is not None:
            # A claim is in its source's graph; a graph something else writes too is copied at the end.
            shared = {q.graph_name for q in (*onto.quads, *seed.quads)} | {graph for _, _, graph in seed.rdf_files}
            self.early.whole = ({ox.NamedNode(st.source) for st in seed.statements} - shared
                                - {ox.NamedNode(GRAPH_ACCEPTED), ox.NamedNode(GRAPH_INFERRED)})
        pieces = seed.ranked_nquads()
        # The accepted facts are not given to the copy: _keep_each_triple_once takes some out again.
        self._loading.put(next(pieces))
        for ranked in pieces:
            self._loading.put(ranked)
            if self.early is not None:
                self._held.append(ranked)
        if self.early is not None:
            self.early.add(b"".join(self._held))
            self._held = []

    def close(self) -> None:
        """Wait until everything given is loaded; raise what went wrong there."""
        self.stop()
        if self._failed:
            raise self._failed[0]

    def stop(self) -> None:
        """Wait for the thread to load what it was given and stop (the build failed: its error is the one told)."""
        self._loading.put(None)
        self._loader.join()

    def _load_each(self) -> None:
        # The text is the build's own, from terms the seed reader checked (each IRI against the full
        # syntax, each literal made by pyoxigraph): loaded leniently, its IRIs are not checked again
        # (the curated claims: 0.28 -> 0.19 s).
        try:
            while (text := self._loading.get()) is not None:
                self.store.load(text, format=ox.RdfFormat.N_QUADS, lenient=True)
        except BaseException as exc:  # raised on the build's thread
            self._failed.append(exc)
            while self._loading.get() is not None:  # the rest is not loaded: let the build go on to fail
                pass


def _store_seed(store: ox.Store, onto, seed, claims: Path) -> None:
    """The ontology, the Turtle files and the tables' claims, from the file `claims`, into the store."""
    store.extend(onto.quads)
    store.extend(seed.quads)
    # A piece at a time: the bulk loader holds what it is given in memory while it sorts it (the
    # claims of 410k rows at once, 0.6 GB of N-Quads: 1.7 GB at its peak).
    with claims.open("rb") as lines:
        while piece := lines.read(CLAIMS_PIECE):
            store.bulk_load(piece + lines.readline(), format=ox.RdfFormat.N_QUADS, lenient=True)


def _keep_each_triple_once(store: ox.Store) -> None:
    """Take out of the accepted facts what the ontology or a data file also holds, so no triple is in two graphs.

    Queries see the union of the graphs: a triple in two of them would come back twice.
    """
    store.update(f"""DELETE {{ GRAPH <{GRAPH_ACCEPTED}> {{ ?s ?p ?o }} }}
                     WHERE {{ GRAPH <{GRAPH_ACCEPTED}> {{ ?s ?p ?o }} GRAPH ?g {{ ?s ?p ?o }}
                              FILTER(?g != <{GRAPH_ACCEPTED}>) }}""")


def _load_ntriples(store: ox.Store, files: list, in_memory: bool) -> list[InputError | None]:
    """Load the N-Triples seed files; the error of each, or None.

    Into an on-disk store they are bulk-loaded on as many threads as there are cores (one bulk_load
    parses on one thread; 1M triples: 4.2 s one file after another, 2.7 s two at a time on 2 cores).
    An in-memory store takes one writer at a time (1M triples: 2.2 s on one thread or two), so there
    the files go one after another, leaving the other cores to the disk copy.
    """
    def load(item) -> InputError | None:
        path, shown, graph = item
        try:
            seeds_mod.load_ntriples(store, path, shown, graph, in_memory=in_memory)
        except InputError as exc:
            return exc
        return None

    return side_by_side(load, files, 1 if in_memory else None)


def _check(paths: Paths, store: ox.Store, onto, seed, report: BuildReport, progress: Progress,
           shacl: bool = True, keep_going: bool = False, held: Callable[[], object] | None = None,
           give_back: bool = True) -> list[Problem]:
    t = time.perf_counter()
    progress("checking")
    locations = Locations({**onto.locations, **seed.locations},
                                    [(path, shown) for path, shown, _ in seed.rdf_files])
    locator = checks_mod.Locator(store, locations, onto.stated)
    prefixes = {**SPARQL_PREFIXES, **seeds_mod.read_prefixes(paths)[0]}
    checks, problems = checks_mod.read_checks(paths)
    if problems and not keep_going:
        raise InputError(problems)
    vocabulary = {
        "class": sorted(checks_mod.short(ox.NamedNode(iri), prefixes) for iri in onto.classes),
        "property": sorted(checks_mod.short(ox.NamedNode(iri), prefixes)
                           for iri in {*onto.properties, *ontology_mod.BUILTIN_PROPERTIES}),
    }
    # The summary's, the checks' and the compiled shapes' queries run as one list, side by side: a thread
    # done with one kind takes the next, instead of waiting for the last of its own. The summary, one of
    # the longest, goes first and the many short shape queries last, so both threads finish about
    # together (last, the summary ran alone at the end: the curated seeds' check stage, 0.87 -> 0.84 s).
    compiled = shacl_mod.compile_shapes(store) if shacl else None
    shape_jobs = shacl_mod.jobs(store, compiled) if compiled is not None else []
    summary = functools.partial(_summarise, store, report)
    done = side_by_side(lambda job: job(), [summary] + checks_mod.jobs(store, checks, give_back) + shape_jobs,
                        held=held)
    done.pop(0)  # the summary's place: it fills `report`
    keys: list = []
    found = checks_mod.run_sparql_checks(checks, done[:len(checks)], locator, prefixes, vocabulary, keys=keys)
    report.checks_run = [c.name for c in checks]
    if shacl:
        shacl_keys: list = []
        if compiled is None:  # shapes beyond what kg.shacl compiles: pySHACL validates them all
            shacl_found = checks_mod.run_shacl(store, locator, prefixes, keys=shacl_keys)
        else:
            shacl_found = checks_mod.shape_problems(compiled, shacl_mod.results(done[len(checks):]), locator,
                                                    prefixes, keys=shacl_keys)
        found = checks_mod.merge_restated(found, keys, shacl_found, shacl_keys, checks)
        report.checks_run.append("shacl")
    problems += found
    report.stages["check"] = time.perf_counter() - t
    return problems


def _summarise(store: ox.Store, report: BuildReport) -> None:
    """Triples per graph and entities per class, into `report`."""
    for row in select(store, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"):
        report.triples_per_graph[row["g"].value] = int(row["n"].value)
    for row in select(store, """SELECT ?c (COUNT(DISTINCT ?x) AS ?n) WHERE {
                                   ?x a ?c . ?c a owl:Class . FILTER(STRSTARTS(STR(?c), STR(cart:)))
                                 } GROUP BY ?c"""):
        report.instances_per_class[row["c"].value] = int(row["n"].value)


def populate(paths: Paths, store: ox.Store, report: BuildReport, progress: Progress = _quiet,
             shacl: bool = True, keep_going: bool = False, copy: DiskCopy | None = None,
             in_memory: bool = True, scratch: Path | None = None) -> list[Problem]:
    """Load, infer and check everything into `store`; return every problem found (warnings included).

    Without keep_going the first stage with errors raises InputError (listing all of that stage's
    errors); with it, bad files and rows are left out, the rest is loaded and checked, and every
    problem is returned. With `copy`, it is started when the N-Triples files are known and handed
    the store once inference is done (the checks only read). `in_memory` says what `store` is;
    `scratch`, where an on-disk build puts the files on their way into it (None: the system's temp).
    The memory each stage and check frees is handed back to the system after it where the statement
    tables are GIVE_BACK_FROM_TABLE_BYTES or more together.
    """
    if copy is not None and keep_going:
        raise ValueError("keep_going leaves bad files out of the store, which a disk copy would still load")
    with _no_cycle_collection() if in_memory else contextlib.nullcontext():
        return _populate(paths, store, report, progress, shacl, keep_going, copy, in_memory, scratch)


@contextlib.contextmanager
def _no_cycle_collection():
    """Python's cycle collector off for the duration: the seed reader makes objects by the hundred
    thousand, and each collection pass walks all that are alive, though almost none are in a cycle (the
    curated seeds: 316 passes, about 0.05 s of the build, and 704 objects left in cycles at its end).
    Objects are still freed as their last reference goes; the few cycles wait until the end. Not for
    a build on disk, made for graphs near the machine's memory, where memory comes first: a table of
    150k rows built on disk peaked at 457-473 MB with the collector off, 443 MB with it on."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _populate(paths: Paths, store: ox.Store, report: BuildReport, progress: Progress, shacl: bool,
              keep_going: bool, copy: DiskCopy | None, in_memory: bool, scratch: Path | None) -> list[Problem]:
    give_back = _table_bytes(paths) >= GIVE_BACK_FROM_TABLE_BYTES
    onto, seed, problems = _load(paths, store, report, progress, keep_going=keep_going, copy=copy, in_memory=in_memory,
                                 scratch=scratch, give_back=give_back)
    if seed is None:
        return problems
    t = time.perf_counter()
    progress("inferring")
    report.inferred = infer_mod.infer(store, None if in_memory else scratch or Path(tempfile.gettempdir()))
    if give_back:
        give_back_memory()
    report.stages["infer"] = time.perf_counter() - t
    held = None
    if copy is not None:
        copy.finish(store, onto.quads + seed.quads)
        # The disk copy keeps one core busy until it is done: the checks take that core only then (on
        # it sooner, they slowed the copy, which the build waits for; 1M triples on 2 cores: 13.7 ->
        # 12.4 s, medians of 5).
        held = None if copy.patched is not None else copy.written.wait
    return problems + _check(paths, store, onto, seed, report, progress, shacl=shacl, keep_going=keep_going,
                             held=held, give_back=give_back)


# Statement tables larger than this together are built on disk unless told otherwise: in memory a
# table takes about 56 times its size at the build's peak, on disk about 12 times, in about 1.8x the
# time (bench/bench_memory.py, a 72 MB table: 4.04 GB and 0.85 GB; see the README's figures).
TABLES_IN_MEMORY = 24_000_000


# Statement tables smaller than this together leave the memory a stage or check frees with the C library,
# for what runs next, instead of handing it back after each (kg.store.give_back_memory): pages handed
# back are faulted in again by the next stage. The curated seeds (3 MB of tables): 0.17 s of CPU a
# build saved (3.76 -> 3.59 s, medians of 9), the peak about 280 MB either way. Larger tables hand it
# back, or it would count at every later stage's peak (a 72 MB table built on disk: 0.85 GB at its
# peak; handed back only once 256 MB were free instead, 0.99 GB).
GIVE_BACK_FROM_TABLE_BYTES = 10_000_000


def _table_bytes(paths: Paths) -> int:
    """The size of the statement tables on disk, together."""
    return sum(path.stat().st_size for path in seeds_mod.tables(paths))


def on_disk_by_default(paths: Paths) -> bool:
    """Whether a build works on the on-disk store when not told: when the statement tables are large."""
    return _table_bytes(paths) > TABLES_IN_MEMORY


def build(paths: Paths, progress: Progress = _quiet, shacl: bool = True, low_memory: bool | None = None,
          anew: bool = False) -> BuildReport:
    """Build the graph into a new store and make it live; on any error the previous build stays as it was.

    The stages run on an in-memory store while a thread writes the on-disk one (kg.diskcopy); with
    low_memory they run on the on-disk store itself, the seed folder read in a child process: about
    a fifth of the memory for a big table, in about 1.8x the time.
    None: on disk when the statement tables are larger than TABLES_IN_MEMORY together.
    The new store is a copy of the live one, patched, where the live one has its quads listed (a small
    seed folder built in memory), unless `anew`.
    """
    start = time.perf_counter()
    report = BuildReport()
    if low_memory is None:
        low_memory = on_disk_by_default(paths)

    def complete(problems: list[Problem], store: ox.Store) -> None:
        report.problems = _ordered(problems)
        errors = [p for p in problems if p.level == "error"]
        if errors:
            raise InputError(errors)
        if not report.triples_per_graph:  # summarised beside the checks (_check), unless none ran
            _summarise(store, report)

    def fill_on_disk(disk: ox.Store, scratch: Path) -> bool:
        complete(populate(paths, disk, report, progress, shacl=shacl, in_memory=False, scratch=scratch), disk)
        progress("writing store")
        return False

    def fill(disk: ox.Store, scratch: Path) -> bool:
        """Whether the live store's copy was patched (kg.store.write_new_store)."""
        memory = ox.Store()
        copy = DiskCopy(disk, scratch=scratch, folder=store_folder(scratch), patched=listed)
        try:
            complete(populate(paths, memory, report, progress, shacl=shacl, copy=copy), memory)
        except BaseException:
            copy.abandon()  # before the folder it writes into is deleted
            raise
        del memory  # checked: the copy lets it go too once it has read it (DiskCopy._copy_graphs)
        t = time.perf_counter()
        progress("writing store" if copy.patched is None else "patching the last store's copy")
        copy.close()
        report.patched = copy.changes
        report.stages["write"] = time.perf_counter() - t
        return copy.changes is not None

    with build_lock(paths):
        progress("working on the on-disk store" if low_memory else "working in memory")
        live = None if low_memory or anew else live_store(paths)
        listed = patchable(live)
        write_new_store(paths, fill_on_disk if low_memory else fill, copy_of=live if listed else None)
    report.seconds = time.perf_counter() - start
    return report


def check(paths: Paths, progress: Progress = _quiet, shacl: bool = True) -> tuple[BuildReport, list[Problem]]:
    """Run the whole pipeline in memory, keeping going past bad files and rows; return every problem.

    Nothing is written. The problems are sorted by file and line, each reported once.
    """
    start = time.perf_counter()
    report = BuildReport()
    store = ox.Store()
    problems = _ordered(populate(paths, store, report, progress, shacl=shacl, keep_going=True))
    report.problems = problems
    report.seconds = time.perf_counter() - start
    return report, problems


def _ordered(problems: list[Problem]) -> list[Problem]:
    # Located problems first, by file and line; each once (a row can trip a check more than one way).
    unique = dict.fromkeys(problems)
    return sorted(unique, key=lambda p: (not p.file, p.file, p.line, p.check, p.message))
