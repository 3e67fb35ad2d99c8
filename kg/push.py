"""Upload the checked graph to a SPARQL store: one named graph per source, staged, then moved in by one update
(on a server that cannot take that many operations at once, by several)."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg import build as build_mod
from kg.endpoint import RemoteEngine, get_graph, put_graph, timeout_from_env, update
from kg.errors import InputError, KgError, Problem
from kg.paths import Paths
from kg.storeurls import Endpoints, derive
from kg.vocab import GRAPH, ID

Progress = Callable[[str], None]
STAGING = GRAPH + "staging/"
# Graphs under these namespaces are the project's own: a pushed graph no longer built is dropped.
OWN_GRAPHS = (GRAPH, ID)
# Oxigraph lists its graphs at once for the empty pattern (1.5M triples: 30 ms; 650 ms for the
# graphs of every quad). Virtuoso 7.2 answers the empty pattern with one graph of its own and a
# DISTINCT over all quads not at all (over 20 s on a store of 20k triples), but counts per graph at once.
LIST_GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { } }"
COUNT_GRAPHS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
# The operations (MOVE, ADD, DROP, patches) of one update to a server other than Oxigraph: Virtuoso 7.2
# refuses an update of 1,200 MOVEs ("SQ156 ... Query too large, variables in state over the limit") and
# takes 800 in 1.4 s, so a build of a few hundred graphs goes in several updates there. The Oxigraph
# server applies an update as one transaction, so it gets everything in one.
OPERATIONS_PER_UPDATE = 250
# And at most this many triples moved, added or taken away by one update there (a graph larger than
# that goes alone): Virtuoso bounds an update's transaction by its [SPARQL] MaxQueryExecutionTime
# (plus 10 s), and moves 15-18k triples a second when idle but, with both cores busy, took 60 s for
# one update of 250 MOVEs and 122k triples; 20k keeps a part to a few seconds when idle.
TRIPLES_PER_UPDATE = 20_000
# How long the one update that moves the staged graphs into place may take, per triple moved: the
# Oxigraph server moved 1.5M triples in 105 s into an empty store and in 135 s over a previous push
# (11-15k a second), so 5k a second leaves room for a slower machine. Below that, the query timeout.
MOVE_TRIPLES_PER_SECOND = 5_000


def _quiet(_: str) -> None:
    pass


@dataclass
class Difference:
    """How a graph on the endpoint differs from the build: N-Triples lines to take away and to add."""

    removed: list[bytes]
    added: list[bytes]
    size: int

    @property
    def none(self) -> bool:
        return not self.removed and not self.added

    @property
    def small(self) -> bool:
        # Patched in place when at most a tenth of the graph changes: a patch touches only those
        # triples, a staged copy sends and moves the whole graph (1 row of a seed table at 1M
        # triples changes a few of the 520k triples of the inferred graph).
        return len(self.removed) + len(self.added) <= self.size // 10


@dataclass
class PushReport:
    """What a push sent and what the remote store holds afterwards."""

    endpoints: Endpoints
    triples_per_graph: dict[str, int] = field(default_factory=dict)
    remote_triples: dict[str, int] = field(default_factory=dict)
    dropped: list[str] = field(default_factory=list)
    dropped_staging: list[str] = field(default_factory=list)
    replaced_default: bool = False
    unchanged: list[str] = field(default_factory=list)
    patched: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def total_triples(self) -> int:
        return sum(self.triples_per_graph.values())


def staging_graph(target: str) -> str:
    """The graph a target graph is uploaded to before it is moved into place."""
    return STAGING + hashlib.sha1(target.encode("utf-8")).hexdigest()[:20]


def checked_store(paths: Paths, progress: Progress = _quiet) -> tuple[ox.Store, list[Problem]]:
    """The graph built in memory by the same pipeline as `kg check`; InputError if any check fails."""
    report = build_mod.BuildReport()
    store = ox.Store()
    problems = build_mod.populate(paths, store, report, progress)
    errors = [p for p in problems if p.level == "error"]
    if errors:
        raise InputError(errors)
    return store, [p for p in problems if p.level != "error"]


def remote_graphs(engine: RemoteEngine) -> set[str]:
    """The named graphs the remote store holds."""
    rows = engine.select(LIST_GRAPHS).rows
    if engine.server.startswith("Virtuoso"):  # known from that first answer's Server header
        rows = engine.select(COUNT_GRAPHS).rows
    return {row[0].value for row in rows if isinstance(row[0], ox.NamedNode)}


def _n_triples(store: ox.Store, graph: str) -> bytes:
    """One graph of the build as N-Triples."""
    data = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph))
    assert data is not None  # dump() without an output returns the bytes
    return data


def compare_graphs(endpoints: Endpoints, store: ox.Store, graphs: list[str], timeout: float) -> dict[str, Difference]:
    """For each of `graphs` the endpoint holds: what it holds that the build has not, and the other way round.

    A graph with a blank node is left out: each store names its blank nodes anew, so telling its
    triples apart would take a graph isomorphism test. Such a graph is simply sent again.
    """
    differences = {}
    for g in graphs:
        local = _n_triples(store, g)
        if b"_:" in local:  # in a literal too: a false alarm only sends the graph again
            continue
        there = get_graph(endpoints, g, timeout)
        if there is None or b"_:" in there:
            continue
        built, held = set(local.splitlines()), set(there.splitlines())
        differences[g] = Difference(sorted(held - built), sorted(built - held), len(built))
    return differences


def move_in(targets: list[str], stale: list[str], leftovers: list[str], replace_default: bool,
            in_place: Sequence[str] = (), patches: dict[str, Difference] | None = None,
            most: int | None = None, sizes: dict[str, int] | None = None,
            most_triples: int | None = None) -> list[str]:
    """The updates that put every staged graph in place, patch the graphs that changed a little and drop
    what the build no longer has: one, or (`most` or `most_triples` given) as many as it takes at `most`
    operations and `most_triples` triples each (`sizes`: triples per graph; an operation larger than that
    goes alone), in this order: drops, moves, patches, the new default graph.

    `in_place` are the other built graphs already on the endpoint: not moved, but part of a new default graph.
    """
    size = sizes or {}
    ops = [(f"DROP SILENT GRAPH <{g}>", 0) for g in stale + leftovers]
    ops += [(f"MOVE SILENT GRAPH <{staging_graph(g)}> TO GRAPH <{g}>", size.get(g, 0)) for g in targets]
    for g, difference in (patches or {}).items():
        for verb, lines in (("DELETE", difference.removed), ("INSERT", difference.added)):
            if lines:
                ops.append((f"{verb} DATA {{ GRAPH <{g}> {{\n" + b"\n".join(lines).decode("utf-8") + "\n} }",
                            len(lines)))
    if replace_default:
        ops.append(("DROP SILENT DEFAULT", 0))
        ops += [(f"ADD SILENT GRAPH <{g}> TO DEFAULT", size.get(g, 0)) for g in sorted([*targets, *in_place])]
    parts: list[list[str]] = []
    count = triples = 0
    for op, weight in ops:
        if not parts or (most and count == most) or (most_triples and triples + weight > most_triples and count):
            parts.append([])
            count = triples = 0
        parts[-1].append(op)
        count, triples = count + 1, triples + weight
    return [" ;\n".join(part) for part in parts]


def _probe(store: ox.Store) -> ox.Triple | None:
    """A triple without blank nodes, to ask the remote default graph for."""
    for q in store.quads_for_pattern(None, None, None, None):
        if not isinstance(q.subject, ox.BlankNode) and not isinstance(q.object, (ox.BlankNode, ox.Triple)) \
                and not isinstance(q.subject, ox.Triple):
            return ox.Triple(q.subject, q.predicate, q.object)
    return None


def push(paths: Paths, query_url: str, update_url: str | None = None, graph_store_url: str | None = None,
         replace_default: bool = False, progress: Progress = _quiet, timeout: float | None = None) -> PushReport:
    """Check the graph locally, upload each named graph to a staging graph, then move all into place at once.

    Nothing is sent if a check fails. If the upload fails midway, the remote graphs stay as they were
    (staging graphs left behind are dropped by the next push).
    """
    start = time.perf_counter()
    endpoints = derive(query_url, update_url, graph_store_url)
    timeout = timeout if timeout is not None else timeout_from_env()
    report = PushReport(endpoints)
    store, _ = checked_store(paths, progress)
    targets = sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))
    for g in targets:
        report.triples_per_graph[g] = sum(1 for _ in store.quads_for_pattern(None, None, None, ox.NamedNode(g)))
    engine = RemoteEngine(endpoints.query, timeout)
    existing = _drop_left_staging(engine, endpoints, report, progress, timeout)
    differences = _compare(endpoints, store, targets, existing, report, progress, timeout)
    sending = [g for g in targets if g not in report.unchanged and g not in report.patched]
    oxigraph = engine.server.startswith("Oxigraph/")
    staged = _stage(endpoints, store, sending, oxigraph, progress, timeout)
    _move_into_place(endpoints, targets, existing, sending, staged, differences, replace_default, report, progress,
                     timeout, one_update=oxigraph)
    _verify(engine, store, targets, report, progress)
    report.seconds = time.perf_counter() - start
    return report


def _drop_left_staging(engine: RemoteEngine, endpoints: Endpoints, report: PushReport, progress: Progress,
                       timeout: float) -> set[str]:
    """The graphs the remote store holds, after dropping the staging graphs an interrupted push left."""
    progress("listing remote graphs")
    existing = remote_graphs(engine)
    stale_staging = sorted(g for g in existing if g.startswith(STAGING))
    if stale_staging:
        # Left by a push that was interrupted: they would show in a union default graph until dropped.
        progress(f"dropping {len(stale_staging)} staging graphs an interrupted push left: " + ", ".join(stale_staging))
        update(endpoints, " ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in stale_staging), timeout)
        existing -= set(stale_staging)
        report.dropped_staging = stale_staging
    return existing


def _compare(endpoints: Endpoints, store: ox.Store, targets: list[str], existing: set[str], report: PushReport,
             progress: Progress, timeout: float) -> dict[str, Difference]:
    """How the built graphs already on the endpoint differ from it; notes which are unchanged and which to patch."""
    progress("comparing the graphs already on the endpoint")
    differences = compare_graphs(endpoints, store, [g for g in targets if g in existing], timeout)
    report.unchanged = [g for g, d in differences.items() if d.none]
    report.patched = [g for g, d in differences.items() if not d.none and d.small]
    if report.unchanged or report.patched:
        progress(f"of {len(targets)} graphs, {len(report.unchanged)} are on the endpoint as built and "
                 f"{len(report.patched)} differ in a few triples: those are not sent again")
    return differences


def _stage(endpoints: Endpoints, store: ox.Store, sending: list[str], bulk: bool, progress: Progress,
           timeout: float) -> list[str]:
    """Upload each graph to its staging graph; the staging graphs written. If one upload fails, those already
    written are dropped again (or named in the error, if the server is gone) and nothing is moved into place."""
    staged: list[str] = []
    try:
        for i, g in enumerate(sending, start=1):
            progress(f"uploading graph {i}/{len(sending)}: {g}")
            put_graph(endpoints, staging_graph(g), _n_triples(store, g), timeout, bulk=bulk)
            staged.append(staging_graph(g))
    except KgError as exc:
        left = ""
        if staged:
            try:
                update(endpoints, " ;\n".join(f"DROP SILENT GRAPH <{s}>" for s in staged), timeout)
            except KgError:
                # The server is gone: say which graphs it may still hold; the next push drops them first.
                left = ("; staging graphs that may remain on the endpoint until the next kg push drops them: "
                        + ", ".join(f"<{s}>" for s in staged))
        raise KgError(f"push stopped after {len(staged)} of {len(sending)} graphs, nothing was moved into place "
                      f"(the remote graphs are as they were): {exc}{left}")
    return staged


def _move_into_place(endpoints: Endpoints, targets: list[str], existing: set[str], sending: list[str],
                     staged: list[str], differences: dict[str, Difference], replace_default: bool,
                     report: PushReport, progress: Progress, timeout: float, one_update: bool = True) -> None:
    """The update (or, `one_update` false, the updates) that move the staged graphs in, patch the others and
    drop the graphs no longer built."""
    stale = sorted(g for g in existing if g.startswith(OWN_GRAPHS) and not g.startswith(STAGING) and g not in targets)
    leftovers = sorted(g for g in existing if g.startswith(STAGING) and g not in staged)
    patches = {g: differences[g] for g in report.patched}
    updates = move_in(sending, stale, leftovers, replace_default, report.unchanged + report.patched, patches,
                      None if one_update else OPERATIONS_PER_UPDATE, report.triples_per_graph,
                      None if one_update else TRIPLES_PER_UPDATE)
    if updates:
        moved = sum(report.triples_per_graph[g] for g in sending)
        patched = sum(len(d.removed) + len(d.added) for d in patches.values())
        progress(f"moving staged graphs into place ({moved:,} triples)"
                 + (f" and patching {len(patches)} ({patched:,} triples taken away or added)" if patches else "")
                 + (f", in {len(updates)} updates of at most {OPERATIONS_PER_UPDATE} operations and "
                    f"{TRIPLES_PER_UPDATE:,} triples (a larger graph alone)" if len(updates) > 1 else ""))
        for i, operations in enumerate(updates, start=1):
            try:
                update(endpoints, operations, max(timeout, (moved + patched) / MOVE_TRIPLES_PER_SECOND))
            except KgError as exc:
                done = f" (update {i} of {len(updates)}; the ones before it were applied)" if len(updates) > 1 else ""
                raise KgError(f"{exc}{done}; the staged graphs may or may not be in place (a server that received "
                              "the update may still be applying it): once it is idle, run kg push again (graphs "
                              "already in place are not sent again)")
    report.dropped = stale
    report.replaced_default = replace_default


def _verify(engine: RemoteEngine, store: ox.Store, targets: list[str], report: PushReport, progress: Progress) -> None:
    """Warn of graphs the endpoint holds fewer or more triples of than were sent, and of a default graph
    that is not the union of the named graphs."""
    progress("verifying")
    report.remote_triples = remote_counts(engine, targets)
    for g in targets:
        if report.remote_triples.get(g, 0) != report.triples_per_graph[g]:
            report.warnings.append(f"graph <{g}> holds {report.remote_triples.get(g, 0)} triples on the endpoint, "
                                   f"{report.triples_per_graph[g]} were sent")
    probe = _probe(store)
    if probe is not None and not engine.select(f"ASK {{ {probe} }}").rows[0][0].value == "true":
        report.warnings.append(
            "the endpoint's default graph is not the union of its named graphs, so queries without GRAPH find "
            "nothing: start Oxigraph with --union-default-graph (or add ?union-default-graph to the query URL), "
            "set tdb2:unionDefaultGraph on Fuseki, or push with --replace-default")


def remote_counts(engine: RemoteEngine, graphs: list[str]) -> dict[str, int]:
    """Triples per named graph on the endpoint."""
    if not graphs:
        return {}
    values = " ".join(f"<{g}>" for g in graphs)
    query = f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?g"
    rows = engine.select(query).rows
    return {row[0].value: int(row[1].value) for row in rows}
