"""Where each entity is stated (file and line), for placing the problems the checks find.

The ontology and the seed loader give the places they read line by line; N-Triples data files are
searched only when a problem is about an entity nothing else places.
"""

from __future__ import annotations

import re
from pathlib import Path

_NT_SUBJECT = re.compile(rb"^[ \t]*<([^>]*)>")


class Locations(dict):
    """IRI -> (file, line) where it is first stated; N-Triples files are indexed only when a lookup misses.

    Bulk N-Triples data is parsed by the store, not line by line here, so its lines are only worth
    finding when a check has something to report about an entity the other files do not locate.
    """

    def __init__(self, known: dict[str, tuple[str, int]], ntriples: list[tuple[Path, str]]):
        super().__init__(known)
        self._pending = list(ntriples)

    def _index_pending(self) -> None:
        while self._pending:
            path, shown = self._pending.pop(0)
            with path.open("rb") as handle:
                for number, line in enumerate(handle, start=1):
                    match = _NT_SUBJECT.match(line.lstrip(b"\xef\xbb\xbf") if number == 1 else line)
                    if match:
                        self.setdefault(match.group(1).decode("utf-8", "replace"), (shown, number))

    def stated(self, key: str) -> tuple[str, int] | None:
        """Where the files read row by row state `key`, without indexing the N-Triples files."""
        return super().get(key)

    def __contains__(self, key: object) -> bool:
        if not super().__contains__(key) and self._pending:
            self._index_pending()
        return super().__contains__(key)

    def __missing__(self, key: str) -> tuple[str, int]:
        if self._pending:
            self._index_pending()
            if super().__contains__(key):
                return super().__getitem__(key)
        raise KeyError(key)

    def get(self, key: str, default=None):
        return self[key] if key in self else default
