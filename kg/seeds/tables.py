"""Reads the seed folder's tables: the prefix table and the statement tables (.tsv), row by row.

A statement table has the columns subject, predicate, object, source, quote, status, note, and may add
evidence, from and until. This module checks only the shape of a table (its header, its cell counts) and
hands on its rows as text; turning cells into RDF terms is kg.seeds.terms's job.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from kg.errors import InputError, Problem, Problems
from kg.files import read_text
from kg.paths import Paths

HEADER = ["subject", "predicate", "object", "source", "quote", "status", "note"]
# Optional columns after those: the pages consulted, as source CURIEs (a table of the curation's
# judgements), and when the statement holds (a date at day, month or year precision).
QUALIFIER_COLUMNS = ["evidence", "from", "until"]


class Row(NamedTuple):
    """One line of a statement table.

    A named tuple: made once a row, it is the cheapest immutable record to make (15k curated rows: 22 ms
    as a frozen dataclass, 6 ms as this).
    """

    file: str
    line: int
    subject: str
    predicate: str
    object: str
    source: str
    quote: str
    status: str
    note: str
    evidence: str = ""
    valid_from: str = ""
    valid_until: str = ""


def load_prefixes(paths: Paths) -> dict[str, str]:
    """The CURIE prefixes declared in seeds/prefixes.tsv."""
    prefixes, problems = read_prefixes(paths)
    if problems:
        raise InputError(problems)
    return prefixes


def read_prefixes(paths: Paths) -> tuple[dict[str, str], list[Problem]]:
    """The prefixes of seeds/prefixes.tsv that are well formed, and the problems of the others."""
    shown = paths.relative(paths.prefixes)
    if not paths.prefixes.exists():
        return {}, [Problem(shown, 0, "error", "the prefix table is missing")]
    prefixes: dict[str, str] = {}
    problems = Problems()
    try:
        text = read_text(paths.prefixes, shown)
    except InputError as exc:
        return {}, exc.problems
    for number, line in enumerate(text.split("\n"), start=1):
        if number == 1 or not line.strip():
            continue
        cells = line.split("\t")
        if len(cells) != 2 or not cells[0] or not cells[1]:
            problems.add(shown, number, "error", "expected two tab-separated cells: prefix, namespace")
            continue
        if cells[0] in prefixes:
            problems.add(shown, number, "error", f"prefix {cells[0]!r} is declared twice")
        prefixes[cells[0]] = cells[1]
    return prefixes, problems.items


def seed_files(paths: Paths) -> list[Path]:
    """Data files of the seed folder (texts/ and README.md are not data)."""
    return sorted(p for p in paths.require(paths.seeds).iterdir()
                  if p.is_file() and p.name != "prefixes.tsv" and p.suffix.lower() not in (".md", ".txt")
                  and not p.name.startswith("."))


def tables(paths: Paths) -> list[Path]:
    """The statement tables of the seed folder."""
    return [p for p in seed_files(paths) if p.suffix.lower() == ".tsv"]


def read_table(path: Path, shown: str) -> tuple[list[Row], list[Problem]]:
    """The rows of one statement table, with problems of shape (wrong header, wrong cell count)."""
    text = read_text(path, shown)
    lines = text.split("\n")
    problems: list[Problem] = []
    header = lines[0].split("\t") if lines else []
    extra = header[len(HEADER):]
    if header[:len(HEADER)] != HEADER or extra != [c for c in QUALIFIER_COLUMNS if c in extra]:
        problems.append(Problem(shown, 1, "error", "header must be: " + " ".join(HEADER) + " (tab-separated; "
                                "a table of curation judgements adds: evidence; a table may add from and until, "
                                "in that order)", "syntax"))
        return [], problems
    rows = []
    # One string for each repeated cell (subjects, properties, sources, statuses, common objects): a
    # big table repeats them on many rows. Quotes and notes are mostly unique and stay as read.
    shared: dict[str, str] = {}
    # Where each of Row's text fields is among the cells (past the header's last: a column the table
    # lacks, always blank), so a row is made from its cells without naming them (the curated tables:
    # 0.089 -> 0.065 s).
    at = [header.index(c) if c in header else len(header) for c in (*HEADER, *QUALIFIER_COLUMNS)]
    repeated = [header.index(c) for c in ("subject", "predicate", "object", "source", "status")]
    width = len(header)
    blank = [""] * (width + 1)
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if len(cells) > width:
            problems.append(Problem(shown, number, "error",
                                    f"{len(cells)} cells, at most {width} expected (a tab inside a cell?)",
                                    "syntax"))
            continue
        cells = [c.strip() for c in cells] + blank[len(cells):]
        for i in repeated:
            cells[i] = shared.setdefault(cells[i], cells[i])
        rows.append(Row(shown, number, *[cells[i] for i in at]))
    return rows, problems
