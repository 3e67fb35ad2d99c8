"""The persistent embedded store under build/: written anew or patched in a copy, swapped in whole, opened read-only."""

from __future__ import annotations

import fcntl
import functools
import gc
import os
import shutil
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox

from kg.errors import KgError
from kg.paths import Paths
from kg.terms import Term
from kg.vocab import SPARQL_PREFIXES


class NotBuilt(KgError):
    """No store has been built yet."""


class BuildLocked(KgError):
    """Another build is running."""


@contextmanager
def build_lock(paths: Paths) -> Iterator[None]:
    """Hold the build lock, failing fast with a clear message if another build holds it."""
    paths.build.mkdir(parents=True, exist_ok=True)
    handle = open(paths.lock, "a+")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildLocked("another kg build is running on this project; try again when it has finished")
        yield
    finally:
        handle.close()


def _remove_stale(paths: Paths, keep: set[Path]) -> None:
    """Delete store folders no longer live: the previous store and leftovers of killed builds.

    Called holding the build lock, so nothing else is writing there. A build killed between linking
    its store and swapping the link in leaves a `.current-<pid>` link behind: removed here too.
    """
    for link in paths.build.glob(".current-*"):
        if link.is_symlink():
            link.unlink()
    if not paths.stores.is_dir():
        return
    keep = keep | {quads_list(folder) for folder in keep}
    for entry in paths.stores.iterdir():
        if entry.resolve() in keep:
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)


# A store smaller than this on disk is not compacted after it is written. The curated graph's store
# (50 MB before compaction) answers the canned queries as fast either way, in one process and from a
# cold one (12-13 ms either way, medians of 11), and its build is 1.81 -> 1.73 s without compaction
# (medians of 11); grown to 71-81 MB (the registry snapshot's trials), still 13 ms for every canned query
# from a cold process either way (sums of medians of 5), and compaction cost its build 0.3 s; written in
# three bulk loads since, 45-54 MB (six builds, 2026-12-06). Larger stores gain: the 100k synthetic
# project's (98 MB) answers cold queries 2-9% faster compacted, the 1M one's (515 MB) some queries up to
# 1.3x (the README's 1M figures).
COMPACTED_FROM_BYTES = 90_000_000


def store_folder(scratch: Path) -> Path:
    """The folder of the store that write_new_store gave `fill` this scratch folder beside."""
    return scratch.with_name(scratch.name.removesuffix(".scratch"))


def quads_list(folder: Path) -> Path:
    """The file beside a store's folder that lists every quad the store holds, as N-Quads (kg.quadslist).

    kg.diskcopy writes it with the store; the next build patches a copy of the store by it (only the
    quads that changed go in or out) instead of writing every quad anew.
    """
    return folder.with_name(folder.name + ".nq")


def compact_if_large(store: ox.Store, folder: Path) -> bool:
    """Compact `store`, whose files are in `folder`, if it is COMPACTED_FROM_BYTES or more; say whether it was."""
    store.flush()
    if _bytes_in(folder) < COMPACTED_FROM_BYTES:
        return False
    store.optimize()
    return True


def _bytes_in(folder: Path) -> int:
    """The size of the files in `folder`, but for those the store deletes while they are counted."""
    total = 0
    for entry in os.scandir(folder):
        try:
            if entry.is_file():
                total += entry.stat().st_size
        except FileNotFoundError:  # RocksDB removes files it no longer needs on a thread of its own
            continue
    return total


def live_store(paths: Paths) -> Path | None:
    """The live store's folder, or None before the first build."""
    return paths.current_store.resolve() if paths.current_store.exists() else None


def write_new_store(paths: Paths, fill: Callable[[ox.Store, Path], bool | None], copy_of: Path | None = None) -> Path:
    """Build a store in a fresh folder with `fill(store, scratch)`, then make it the live one in one atomic rename.

    With `copy_of` (the live store's folder), the fresh folder starts as a copy of that store: a
    checkpoint, whose files are hard links to the live store's, which RocksDB never changes in place
    (the curated graph's store: 13 ms), so `fill` changes only the copy. `fill` returns True when it
    patched that copy rather than writing every quad: the store is then left as RocksDB keeps it (its
    own compaction merges the patch's few files), not compacted if large (compact_if_large), which
    only a store written anew gains from. A compacted store takes about twice the room of one just
    bulk-loaded (the curated graph: 45 MB written, 90 MB once RocksDB compacted its copy), so its size
    says nothing of what compacting it again would gain: at 90.1 MB the curated graph's patched builds
    each spent 0.45 s compacting it.
    Must be called holding build_lock. If `fill` raises, the folder is deleted and the live store is untouched.
    `scratch` is an empty folder beside the store's, named after it (`<store>.scratch`), for files on
    their way into the store; it is deleted before the store goes live, or with the store's folder. A
    killed build leaves the two together, and the next build deletes both (_remove_stale).
    """
    paths.stores.mkdir(parents=True, exist_ok=True)
    live = live_store(paths)
    _remove_stale(paths, {live} if live else set())
    # A fresh, unique folder: never the live one, even for two builds in the same second and process.
    folder = Path(tempfile.mkdtemp(prefix=f"store-{time.strftime('%Y%m%dT%H%M%S')}-", dir=paths.stores))
    scratch = folder.with_name(folder.name + ".scratch")
    store: ox.Store | None = None
    try:
        if copy_of is not None:
            folder.rmdir()  # a checkpoint is made into a folder of its own making
            ox.Store.read_only(str(copy_of)).backup(str(folder))
        scratch.mkdir()
        store = ox.Store(str(folder))
        patched = fill(store, scratch)
        shutil.rmtree(scratch)
        if not patched:
            compact_if_large(store, folder)  # a second call finds nothing left to do
        store = None
        link = paths.build / f".current-{os.getpid()}"
        if link.is_symlink() or link.exists():
            link.unlink()
        os.symlink(os.path.relpath(folder, paths.build), link)
        os.replace(link, paths.current_store)
    except BaseException as exc:
        # Close the store before its folder goes: RocksDB writes what it still holds in memory when the
        # store is closed, which would bring the folder back. The failed stages' frames hold it too.
        traceback.clear_frames(exc.__traceback__)
        store = None
        gc.collect()
        shutil.rmtree(folder, ignore_errors=True)
        shutil.rmtree(scratch, ignore_errors=True)
        quads_list(folder).unlink(missing_ok=True)
        raise
    _remove_stale(paths, {folder.resolve()})
    return folder


def open_store(paths: Paths) -> ox.Store:
    """Open the live store read-only."""
    if not paths.current_store.exists():
        raise NotBuilt(f"no graph built yet in {paths.relative(paths.build)}/: run `kg build` first")
    try:
        return ox.Store.read_only(str(paths.current_store.resolve()))
    except OSError as exc:
        raise KgError(f"cannot open the store in {paths.relative(paths.current_store)}: {exc}")


@functools.cache
def _c_library():
    """The C library, loaded the first time it is needed: not at start-up, where finding it by name
    (ctypes.util.find_library runs ldconfig) took 10 ms of every command."""
    import ctypes
    import ctypes.util

    try:
        return ctypes.CDLL("libc.so.6")
    except OSError:
        name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name) if name else None
    except OSError:
        return None


def give_back_memory() -> None:
    """Hand the memory freed so far back to the system, where the C library can (glibc's malloc_trim).

    The store's queries and loads free what they used, but glibc keeps it for later (a check that
    joins every claim: 0.49 GB kept after it ended, 0.09 GB once trimmed), and it would count at
    every later stage's peak. Elsewhere this does nothing.
    """
    trim = getattr(_c_library(), "malloc_trim", None)
    if trim is not None:
        trim(0)


def select(store: ox.Store, sparql: str, substitutions: dict[str, Term] | None = None):
    """Run a SELECT/ASK/CONSTRUCT over the union of all graphs, with terms bound by the engine."""
    subs = {ox.Variable(k): v for k, v in (substitutions or {}).items()}
    return store.query(sparql, prefixes=SPARQL_PREFIXES, use_default_graph_as_union=True,
                       substitutions=subs or None)


def side_by_side(work: Callable, items: list, threads: int | None = None,
                 held: Callable[[], object] | None = None) -> list:
    """work(item) for each item, on `threads` threads (default: as many as there are cores), results in item order.

    For store work: pyoxigraph releases the GIL while it loads or evaluates a query. With `held`, the
    threads beyond the first take items only once held() returns (it waits for a core that is busy
    elsewhere: the build's disk copy). The first error raised by work is raised, once all threads stop.
    """
    threads = max(1, min(len(items), threads or os.cpu_count() or 1))
    if threads < 2:
        return [work(item) for item in items]
    results: list = [None] * len(items)
    failed: list[tuple[int, BaseException]] = []
    queue = iter(enumerate(items))
    lock = threading.Lock()

    def run(first: bool) -> None:
        if not first and held is not None:
            held()
        while not failed:
            with lock:
                taken = next(queue, None)
            if taken is None:
                return
            index, item = taken
            try:
                results[index] = work(item)
            except BaseException as exc:  # raised on the caller's thread below
                failed.append((index, exc))

    helpers = [threading.Thread(target=run, args=(False,), name="kg-side-by-side", daemon=True)
               for _ in range(threads - 1)]
    for helper in helpers:
        helper.start()
    run(True)
    for helper in helpers:
        helper.join()
    if failed:
        raise min(failed, key=lambda f: f[0])[1]
    return results
