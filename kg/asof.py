"""The graph as it stood on a date: built in memory from the seed rows known then, ranked as of then.

A row counts on date D when its source was published on or before D (a source with no date counts
at every date: it cannot be placed in time), when the event it describes (a decision, a readout, a
deal) had happened by D, and when D falls within its from/until. Dates are compared at their
precision: a source dated 2023 counts from 1 January 2023, a statement until 2023-10 holds to
31 October. The canned queries run unchanged on the result.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pyoxigraph as ox

from kg import dates
from kg.engine import LocalEngine
from kg.errors import KgError
from kg.paths import Paths
from kg.vocab import CART

# The properties that date an event itself: before that date the event had not happened.
EVENT_DATES = {CART + "decisionDate", CART + "readoutDate", CART + "dealDate"}


def parse_as_of(text: str) -> date:
    """The day an --as-of value names: YYYY-MM-DD, or the last day of YYYY-MM or YYYY."""
    try:
        return dates.parse(text).end
    except dates.DateError as exc:
        raise KgError(f"--as-of: {exc}") from None


@dataclass
class RowFilter:
    """Which seed rows were known, and held, on a date."""

    when: date
    prefixes: dict[str, str]
    published: dict[str, dates.Dated] = field(default_factory=dict)
    events: dict[str, dates.Dated] = field(default_factory=dict)
    undated: set[str] = field(default_factory=set)
    left_out: int = 0

    def iri(self, cell: str) -> str:
        if cell.startswith("<") and cell.endswith(">"):
            return cell[1:-1]
        prefix, sep, local = cell.partition(":")
        return self.prefixes[prefix] + local if sep and prefix in self.prefixes else cell

    def read(self, rows) -> None:
        """Learn the sources' dates and the events' dates from all the rows."""
        for row in rows:
            p = "" if row.predicate == "a" else self.iri(row.predicate)
            if p == CART + "publishedOn" or p in EVENT_DATES:
                try:
                    d = dates.parse(row.object)
                except dates.DateError:
                    continue
                if p == CART + "publishedOn":
                    self.published.setdefault(self.iri(row.subject), d)
                else:
                    s = self.iri(row.subject)
                    if s not in self.events or d.start < self.events[s].start:
                        self.events[s] = d

    def keep(self, row) -> bool:
        """Whether the row was known and held on the date."""
        source = self.iri(row.source)
        said = self.published.get(source)
        if said is None:
            self.undated.add(source)
        ok = not (said and said.after(self.when))
        event = self.events.get(self.iri(row.subject))
        ok = ok and not (event and event.after(self.when))
        try:
            if ok and row.valid_from and dates.parse(row.valid_from, said=said).after(self.when):
                ok = False
            if ok and row.valid_until and dates.parse(row.valid_until, said=said).end < self.when:
                ok = False
        except dates.DateError:
            pass  # the loader reports it at the row
        self.left_out += not ok
        return ok


@dataclass
class AsOf:
    """An in-memory store of the graph as of a date, and what was left out."""

    when: date
    store: ox.Store
    rows_left_out: int
    undated_sources: int


def build_as_of(paths: Paths, when: date) -> AsOf:
    """Load, rank and infer the seed rows known on `when` into an in-memory store (no checks: `kg build` runs them)."""
    from kg import build as build_mod
    from kg import infer as infer_mod
    from kg import ontology as ontology_mod
    from kg import seeds as seeds_mod

    onto = ontology_mod.load(paths)
    row_filter = RowFilter(when, seeds_mod.load_prefixes(paths))
    for table in seeds_mod.tables(paths):
        row_filter.read(seeds_mod.read_table(table, paths.relative(table))[0])
    seed = seeds_mod.load(paths, onto, keep_going=True, keep_row=row_filter.keep)
    store = ox.Store()
    store.extend(onto.quads)
    store.extend(seed.quads)
    for chunk in seed.nquads():
        store.load(chunk, format=ox.RdfFormat.N_QUADS)
    for path, shown, graph in seed.rdf_files:
        seeds_mod.load_ntriples(store, path, shown, graph, in_memory=True)
    build_mod._keep_each_triple_once(store)
    infer_mod.infer(store)
    return AsOf(when, store, row_filter.left_out, len(row_filter.undated - set(row_filter.published)))


class AsOfEngine(LocalEngine):
    """Answers queries on the graph as of a date, like the embedded store does on the build."""

    def __init__(self, as_of: AsOf):
        self.store = as_of.store
        self.as_of = as_of
        self.name = f"graph as of {as_of.when.isoformat()}"


def open_as_of(paths: Paths, text: str) -> AsOfEngine:
    """The engine for `--as-of TEXT`."""
    return AsOfEngine(build_as_of(paths, parse_as_of(text)))
