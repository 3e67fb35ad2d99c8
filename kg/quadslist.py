"""The quads list beside a store: every quad the store holds, as N-Quads text in named chunks.

A build writes the list with its store (kg.diskcopy) and the next build patches a copy of that store
by it: it sets what it would write, chunk by chunk, against the list. A chunk is a piece of the
claims, one graph of the in-memory store, or the quads that name a blank node, written in the same
order by every build of the same seeds, so an edited row changes a few lines of two or three chunks;
only the lines between the start and the end a chunk shares with its old text are compared line by
line (the curated graph: 260k lines, 56 MB).

The file: a header line, the chunks one after the other, an index line `# <bytes> <name>` for each,
and a last line `# <number of chunks>`. No N-Quads line starts with "#".
"""

from __future__ import annotations

import os
from pathlib import Path

import pyoxigraph as ox

# What wrote a list: one another version wrote is not patched from (its store may be of another format).
HEADER = f"# cartkg quads list 1, pyoxigraph {ox.__version__}\n".encode()


def part_of(path: Path) -> Path:
    """Where the list at `path` is written until it is complete."""
    return path.with_name(path.name + ".part")


class Writer:
    """A list written chunk by chunk into its .part file; commit() puts it in place."""

    def __init__(self, path: Path):
        self.path = path
        self._file = part_of(path).open("wb")
        self._file.write(HEADER)
        self._index: list[tuple[int, str]] = []

    def add(self, name: str, text: bytes) -> None:
        """A chunk: whole N-Quads lines; `name` says which, the same from one build to the next."""
        self._file.write(text)
        self._index.append((len(text), name))

    def commit(self) -> None:
        self._file.write(b"".join(f"# {size} {name}\n".encode() for size, name in self._index))
        self._file.write(f"# {len(self._index)}\n".encode())
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


def read(path: Path) -> tuple[bytes, dict[str, tuple[int, int]]]:
    """The list's text, and where each chunk is in it: name -> (offset, bytes)."""
    data = path.read_bytes()
    end = data.rindex(b"\n", 0, len(data) - 1) + 1
    count = int(data[end + 2:-1])
    lines = data[:end].rsplit(b"\n", count + 1)[1:-1] if count else []
    index, offset = {}, len(HEADER)
    for line in lines:
        size, name = line[2:].decode().split(" ", 1)
        index[name] = (offset, int(size))
        offset += int(size)
    return data, index


def changed_lines(data: bytes, index: dict[str, tuple[int, int]],
                  chunks: list[tuple[str, bytes]]) -> tuple[set[bytes], set[bytes], int]:
    """The lines of the old list (`data`, `index`) that may be gone from `chunks`, those of `chunks` that may
    be new, and how many lines `chunks` has.

    Each set holds every line that is (every old line not in `chunks`, every line of `chunks` not in the
    old list) and perhaps a few more: a line can stand in an unchanged part of one chunk and a changed
    part of another (a quad written twice). The caller checks each against the stores.
    """
    index = dict(index)
    gone: list[bytes] = []
    made: list[bytes] = []
    lines = 0
    for name, text in chunks:
        lines += text.count(b"\n")
        place = index.pop(name, None)
        if place is None:
            made.append(text)
            continue
        start, size = place
        if size == len(text) and data.startswith(text, start):
            continue
        old, new = _middles(data[start:start + size], text)
        gone.append(old)
        made.append(new)
    gone += [data[start:start + size] for start, size in index.values()]  # chunks no longer written
    old_lines = set(b"\n".join(gone).split(b"\n"))
    new_lines = set(b"\n".join(made).split(b"\n"))
    old_lines.discard(b"")
    new_lines.discard(b"")
    return old_lines - new_lines, new_lines - old_lines, lines


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
