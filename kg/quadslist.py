"""The quads list beside a store: every quad the store holds, as N-Quads text in named chunks.

A build writes the list with its store (kg.diskcopy) and the next build patches a copy of that store
by it: it sets what it would write, chunk by chunk, against the list. A chunk is a piece of the
claims, one graph of the in-memory store, or the quads that name a blank node, written in the same
order by every build of the same seeds, so an edited row changes a few lines of a few chunks.
A chunk whose digest is the one listed is not read again; of one that changed, only the lines between
the start and the end its old and new text share are compared line by line (the curated graph: 260k
lines, 56 MB in 8 chunks, of which a label edited changes 4: both pieces of claims, the accepted
and the inferred graph).

The file: a header line, the chunks one after the other, an index line `# <bytes> <lines> <sha256>
<name>` for each, and a last line `# index <where the index starts> <chunks>`. No N-Quads line starts
with "#".
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

# What wrote a list: one another version wrote is not patched from (its store may be of another format).
HEADER = f"# cartkg quads list 2, pyoxigraph {ox.__version__}\n".encode()


@dataclass(frozen=True)
class Chunk:
    """Whole N-Quads lines under a name that says which, the same from one build to the next."""

    name: str
    text: bytes
    lines: int
    digest: str


def chunk(name: str, text: bytes) -> Chunk:
    """A chunk of `text`, its lines counted and digested (56 MB: 0.03 s, the GIL let go meanwhile)."""
    return Chunk(name, text, text.count(b"\n"), hashlib.sha256(text).hexdigest())


@dataclass(frozen=True)
class Listed:
    """Where a chunk is in a list, and what it held."""

    offset: int
    size: int
    lines: int
    digest: str


def part_of(path: Path) -> Path:
    """Where the list at `path` is written until it is complete."""
    return path.with_name(path.name + ".part")


class Writer:
    """A list written chunk by chunk into its .part file; commit() puts it in place."""

    def __init__(self, path: Path):
        self.path = path
        self._file = part_of(path).open("wb")
        self._file.write(HEADER)
        self._index: list[bytes] = []

    def add(self, piece: Chunk) -> None:
        self._file.write(piece.text)
        self._index.append(f"# {len(piece.text)} {piece.lines} {piece.digest} {piece.name}\n".encode())

    def commit(self) -> None:
        start = self._file.tell()
        self._file.write(b"".join(self._index))
        self._file.write(f"# index {start} {len(self._index)}\n".encode())
        self._file.close()
        os.replace(part_of(self.path), self.path)

    def abandon(self) -> None:
        self._file.close()
        part_of(self.path).unlink(missing_ok=True)


def readable(path: Path) -> bool:
    """Whether `path` is a list this version wrote."""
    try:
        with path.open("rb") as handle:
            return handle.readline() == HEADER
    except OSError:
        return False


def read_index(path: Path) -> dict[str, Listed]:
    """The chunks of the list at `path`, by name, read from its end (ValueError if it is no list)."""
    with path.open("rb") as handle:
        end = handle.seek(0, os.SEEK_END)
        handle.seek(max(0, end - 80))
        tail = handle.read()
        last = tail[tail.rindex(b"\n", 0, len(tail) - 1) + 1:]
        word, start, count = last[2:].split()
        if word != b"index" or not last.endswith(b"\n"):
            raise ValueError(f"{path}: no index at its end")
        handle.seek(int(start))
        lines = handle.read(end - int(start) - len(last)).splitlines()
    if len(lines) != int(count):
        raise ValueError(f"{path}: {len(lines)} chunks listed, {int(count)} said")
    index, offset = {}, len(HEADER)
    for line in lines:
        size, number, digest, name = line[2:].decode().split(" ", 3)
        index[name] = Listed(offset, int(size), int(number), digest)
        offset += int(size)
    if offset != int(start):
        raise ValueError(f"{path}: its chunks end at {offset}, its index starts at {int(start)}")
    return index


def changed_lines(path: Path, index: dict[str, Listed], chunks: list[Chunk]) -> tuple[set[bytes], set[bytes], int]:
    """The lines of the list at `path` (its `index`) that may be gone from `chunks`, those of `chunks` that
    may be new, and how many lines `chunks` has.

    Each set holds every line that is (every old line not in `chunks`, every line of `chunks` not in the
    old list) and perhaps a few more: a line can stand in an unchanged part of one chunk and a changed
    part of another (a quad written twice). The caller checks each against the stores.
    """
    index = dict(index)
    gone: list[bytes] = []
    made: list[bytes] = []
    with path.open("rb") as handle:

        def old(place: Listed) -> bytes:
            handle.seek(place.offset)
            return handle.read(place.size)

        for piece in chunks:
            place = index.pop(piece.name, None)
            if place is None:
                made.append(piece.text)
            elif (place.size, place.digest) != (len(piece.text), piece.digest):
                before, after = _middles(old(place), piece.text)
                gone.append(before)
                made.append(after)
        gone += [old(place) for place in index.values()]  # chunks no longer written
    old_lines = set(b"\n".join(gone).split(b"\n"))
    new_lines = set(b"\n".join(made).split(b"\n"))
    old_lines.discard(b"")
    new_lines.discard(b"")
    return old_lines - new_lines, new_lines - old_lines, sum(piece.lines for piece in chunks)


def _middles(old: bytes, new: bytes) -> tuple[bytes, bytes]:
    """The lines of `old` and of `new` between the lines both start with and the lines both end with."""
    start = old.rfind(b"\n", 0, _same_start(old, new)) + 1  # back to the start of a line
    alike = _same_end(old, new, min(len(old), len(new)) - start)
    if alike:
        # on to the start of a line inside the alike end, the same place in both texts
        after = old.find(b"\n", len(old) - alike)
        alike = len(old) - after - 1 if after != -1 else 0
    return old[start:len(old) - alike], new[start:len(new) - alike]


def _same_start(a: bytes, b: bytes) -> int:
    """How many bytes `a` and `b` start with alike (each step compares only what the last did not)."""
    view = memoryview(b)
    low, high = 0, min(len(a), len(b))  # a[:low] == b[:low]; the answer is at most high
    while low < high:
        middle = (low + high + 1) // 2
        if a.startswith(view[low:middle], low):
            low = middle
        else:
            high = middle - 1
    return low


def _same_end(a: bytes, b: bytes, most: int) -> int:
    """How many bytes, up to `most`, `a` and `b` end with alike."""
    view = memoryview(b)
    low, high = 0, most
    while low < high:
        middle = (low + high + 1) // 2
        if a.startswith(view[len(b) - middle:len(b) - low], len(a) - middle):
            low = middle
        else:
            high = middle - 1
    return low
