"""The canonical form of the statement tables, and `kg fmt`'s rewrite of the tables that are not in it."""

from __future__ import annotations

from kg.files import read_text, write_atomic
from kg.paths import Paths
from kg.seeds.tables import tables


def canonical(text: str) -> str:
    """The canonical form of a statement table: header, rows sorted, cells trimmed, LF line ends."""
    lines = text.replace("\r\n", "\n").lstrip("\ufeff").split("\n")
    header, body = lines[0], [line for line in lines[1:] if line.strip()]
    rows = []
    for line in body:
        cells = [c.strip() for c in line.split("\t")]
        while len(cells) > 1 and cells[-1] == "":
            cells.pop()
        rows.append(cells)
    rows.sort(key=lambda c: (c + [""] * 4)[:4] + c[4:])
    return "\n".join([header.strip()] + ["\t".join(c) for c in rows]) + "\n"


def format_tables(paths: Paths, check_only: bool = False) -> list[str]:
    """The seed tables (as shown) not in canonical form, rewritten in it unless `check_only`."""
    changed = []
    for path in tables(paths):
        text = read_text(path, paths.relative(path))
        canon = canonical(text)
        if path.read_bytes() != canon.encode("utf-8"):
            changed.append(paths.relative(path))
            if not check_only:
                write_atomic(path, canon)
    return changed
