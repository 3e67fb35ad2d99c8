"""What the web app keeps between requests: answers already given for the live store, and the canned queries.

Both are checked against what is on disk on every request (the live store's folder, the modification
times of queries/), so a build or an edited query file is seen at once without a restart.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict

from kg import catalogue
from kg.paths import Paths
from kg.sparqltext import RqFile


class PageCache:
    """Answers already given for the live store: the graph changes only when a build swaps in a new store."""

    def __init__(self, paths: Paths, size: int = 512) -> None:
        self.paths, self.size = paths, size
        self.entries: OrderedDict = OrderedDict()
        self.lock = threading.Lock()

    def version(self) -> str:
        return os.path.realpath(self.paths.current_store)

    def get(self, key: tuple) -> tuple | None:
        with self.lock:
            hit = self.entries.get(key)
            if hit is not None:
                self.entries.move_to_end(key)
            return hit

    def put(self, key: tuple, value: tuple) -> None:
        with self.lock:
            self.entries[key] = value
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)


class Catalogue:
    """The canned queries, reread when a file in queries/ changes (checked by modification time)."""

    def __init__(self, paths: Paths) -> None:
        self.paths = paths
        self.stamp: tuple[tuple[str, int], ...] | None = None
        self.queries: dict[str, RqFile] = {}

    def get(self) -> dict[str, RqFile]:
        files = catalogue.query_files(self.paths)
        stamp = tuple((p.name, p.stat().st_mtime_ns) for p in files)
        if stamp != self.stamp:
            self.queries = {rq.name: rq for rq in catalogue.load_catalogue(self.paths)}
            self.stamp = stamp
        return self.queries

