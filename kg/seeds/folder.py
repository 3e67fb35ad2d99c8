"""Reads the whole seed folder into SeedData: every data file, then the tables' rows into ranked claims.

load runs the passes in order: read each file (tables, Turtle, N-Triples), resolve the rows' subjects
and predicates (which finds the sources), read the sources' archived texts, make the claims and rank
them. Problems are gathered across all of them, so one run reports everything wrong at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox

from kg.errors import InputError, Problem, Problems
from kg.files import check_size, refused_format
from kg.ontology import Ontology
from kg.paths import Paths
from kg.seeds import claims, quotes
from kg.seeds.nquads import accepted_nquads, claim_nquads, fact_summaries, ranked_nquads, said_nquads
from kg.seeds.rdffiles import file_graph, file_source, read_turtle
from kg.seeds.tables import Row, read_prefixes, read_table, seed_files
from kg.seeds.terms import Resolved, Resolver, resolve_rows


@dataclass
class SeedData:
    """Everything the seed folder says, ready to load into a store."""

    quads: list[ox.Quad]
    locations: dict[str, tuple[str, int]]
    rdf_files: list[tuple[Path, str, ox.NamedNode]]
    sources: dict[str, str]
    files: list[str]
    warnings: list[Problem] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # The tables' claims and accepted facts, made as N-Quads text a chunk at a time when asked for: a few
    # bytes a triple where Python term objects take hundreds (a 50 MB table is 5M quads).
    statements: list = field(default_factory=list)
    notes: dict = field(default_factory=dict)

    def nquads(self, chunk: int = 20_000) -> Iterator[bytes]:
        """The accepted facts of the tables, then their claims, as N-Quads, `chunk` statements at a time.

        Once only: the statements are let go as their chunks are made, so that what the build does next
        (inference, checks) does not run beside them (410k rows: about 0.9 GB of Python objects).
        """
        statements, notes = self.statements, self.notes
        self.statements, self.notes = [], {}
        yield accepted_nquads(statements)
        summaries = fact_summaries(statements, notes)
        while statements:
            part = statements[-chunk:]
            del statements[-chunk:]
            yield claim_nquads(part, notes, summaries)
            for st in part:
                del notes[st]
                summaries.pop(st, None)
            del part

    def ranked_nquads(self, pieces: int = 2) -> Iterator[bytes]:
        """After a load() that handed the claims' own text to its `said` (kg.seeds.nquads.said_nquads): the
        accepted facts, then what ranking gives the claims (kg.seeds.nquads.ranked_nquads), their
        triples' summaries included, in `pieces` pieces (each can be loaded while the next is made).
        Once only, as nquads()."""
        statements, notes = self.statements, self.notes
        self.statements, self.notes = [], {}
        yield accepted_nquads(statements)
        summaries = fact_summaries(statements, notes)
        size = -(-len(statements) // pieces) or 1
        for start in range(0, max(len(statements), 1), size):
            yield ranked_nquads(statements[start:start + size], summaries)


class Said(Protocol):
    """Takes the claims' own text as load() makes it, before the claims are ranked: for a build that loads
    each piece while the next rows are read."""

    def begin(self, rdf_files: list[tuple[Path, str, ox.NamedNode]], rows: int) -> None:
        """The files are read: the N-Triples files among them, and how many table rows were kept."""

    def add(self, text: bytes, claims: int) -> None:
        """The next piece of the claims' own text, in row order, and how many claims it holds."""


@dataclass
class _Files:
    """What the seed files give before their rows are resolved."""

    rows: list[Row] = field(default_factory=list)
    rdf_files: list[tuple[Path, str, ox.NamedNode]] = field(default_factory=list)
    rdf_quads: list[ox.Quad] = field(default_factory=list)
    locations: dict[str, tuple[str, int]] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)  # as shown, each file read without an error
    typed: dict[str, set[str]] = field(default_factory=dict)  # subject -> the classes the files give it


def load(paths: Paths, ontology: Ontology, keep_going: bool = False,
         keep_row: Callable[[Row], bool] | None = None, said: Said | None = None) -> SeedData:
    """Read every seed file; raise InputError listing every problem found.

    With keep_going, rows and files with errors are left out, the good ones are loaded, and every
    problem is in SeedData.problems (so `kg check` can run its checks on the rest and report all at once).
    `keep_row(row)`, if given, says which table rows to read (kg.asof reads the rows known on a date).
    With `said`, the claims' own text goes to it as it is made; SeedData.ranked_nquads gives the rest.
    """
    problems = Problems()
    prefixes, prefix_problems = read_prefixes(paths)
    problems.items.extend(prefix_problems)
    resolver = Resolver(prefixes, ontology, problems)
    found = _read_files(paths, problems, keep_row)
    if not keep_going:
        problems.raise_if_errors()
    if said is not None:
        said.begin(found.rdf_files, len(found.rows))

    resolved = resolve_rows(found.rows, resolver, found.typed, found.locations)
    _locate(resolved, found.locations)
    sources = quotes.declared_sources(resolved, found.typed, ontology)
    folder = claims.Folder(resolver, sources, quotes.read_archives(paths, sources, problems),
                           quotes.names_of(resolved), claims.said_on(resolved),
                           claims.curation_of(found.typed, ontology))
    statements, notes = claims.make_claims(
        resolved, folder, None if said is None else lambda made, notes: said.add(said_nquads(made, notes), len(made)))
    problems.items.extend(claims.rank(statements, ontology, folder.curation, resolver))

    if not keep_going:
        problems.raise_if_errors()
    return SeedData(quads=found.rdf_quads, statements=statements, notes=notes, locations=found.locations,
                    rdf_files=found.rdf_files, sources=sources, files=found.files,
                    warnings=[w for w in problems.items if w.level != "error"], problems=problems.items)


def _read_files(paths: Paths, problems: Problems, keep_row: Callable[[Row], bool] | None) -> _Files:
    """Read each seed file by its kind; a file with an error is reported and left out."""
    found = _Files()
    for path in seed_files(paths):
        shown = paths.relative(path)
        refused = refused_format(path)
        if refused:
            problems.add(shown, 0, "error", refused, "format")
            continue
        try:
            known = _read_file(path, shown, found, problems, keep_row)
        except InputError as exc:
            problems.items.extend(exc.problems)
            continue
        if known:
            found.files.append(shown)
    return found


def _read_file(path: Path, shown: str, found: _Files, problems: Problems,
               keep_row: Callable[[Row], bool] | None) -> bool:
    """Add one seed file's rows or quads to `found`; False if it is of no kind the seed folder takes."""
    suffix = path.suffix.lower()
    if suffix == ".tsv":
        file_rows, shape = read_table(path, shown)
        problems.items.extend(shape)
        found.rows.extend(r for r in file_rows if keep_row is None or keep_row(r))
    elif suffix == ".ttl":
        found.rdf_quads.extend(read_turtle(path, shown, found.typed, found.locations))
    elif suffix == ".nt":
        # N-Triples (bulk data) is parsed once, by load_ntriples into the store.
        check_size(path, shown)
        graph = file_graph(path)
        found.rdf_files.append((path, shown, graph))
        found.rdf_quads.extend(file_source(graph, shown))
    else:
        problems.add(shown, 0, "error", "seed files are statement tables (.tsv), Turtle (.ttl) or N-Triples (.nt)",
                     "format")
        return False
    return True


def _locate(resolved: list[Resolved], locations: dict[str, tuple[str, int]]) -> None:
    """Add where each subject is first stated in the tables, after the places found so far."""
    for r in resolved:
        if r.subject:
            locations.setdefault(r.subject, (r.row.file, r.row.line))
