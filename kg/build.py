"""The build: ontology + seeds -> parse -> check -> infer -> store, reporting each stage."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

import pyoxigraph as ox

from kg import checks as checks_mod
from kg import infer as infer_mod
from kg import ontology as ontology_mod
from kg import seeds as seeds_mod
from kg.errors import InputError, Problem
from kg.paths import Paths
from kg.store import build_lock, select, write_new_store
from kg.vocab import SPARQL_PREFIXES

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


@dataclass
class BuildReport:
    """What a build produced."""

    triples_per_graph: dict[str, int] = field(default_factory=dict)
    instances_per_class: dict[str, int] = field(default_factory=dict)
    inferred: dict[str, int] = field(default_factory=dict)
    checks_run: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    stages: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0
    files: list[str] = field(default_factory=list)

    @property
    def total_triples(self) -> int:
        return sum(self.triples_per_graph.values())


def _load(paths: Paths, store: ox.Store, report: BuildReport, progress: Progress):
    t = time.perf_counter()
    progress("reading ontology")
    onto = ontology_mod.load(paths)
    progress("reading seeds")
    seed = seeds_mod.load(paths, onto)
    report.files = onto.files + seed.files
    report.problems.extend(seed.warnings)
    store.extend(onto.quads)
    store.extend(seed.quads)
    for path, shown, graph in seed.rdf_files:
        fmt = ox.RdfFormat.TURTLE if path.suffix.lower() == ".ttl" else ox.RdfFormat.N_TRIPLES
        try:
            store.bulk_load(path=str(path), format=fmt, to_graph=graph)
        except SyntaxError as exc:
            raise InputError([Problem(shown, exc.lineno or 1, "error", f"invalid RDF: {exc}", "syntax")])
        store.add(ox.Quad(graph, ox.NamedNode(SPARQL_PREFIXES["rdf"] + "type"),
                          ox.NamedNode(SPARQL_PREFIXES["cart"] + "Source"), graph))
        store.add(ox.Quad(graph, ox.NamedNode(SPARQL_PREFIXES["cart"] + "title"), ox.Literal(shown), graph))
    report.stages["parse"] = time.perf_counter() - t
    return onto, seed


def _check(paths: Paths, store: ox.Store, onto, seed, report: BuildReport, progress: Progress,
           shacl: bool = True) -> list[Problem]:
    t = time.perf_counter()
    progress("checking")
    locations = {**onto.locations, **seed.locations}
    locator = checks_mod.Locator(store, locations)
    prefixes = {**SPARQL_PREFIXES, **seeds_mod.load_prefixes(paths)}
    checks = checks_mod.load_checks(paths)
    problems = checks_mod.run_sparql_checks(store, checks, locator, prefixes)
    report.checks_run = [c.name for c in checks]
    if shacl:
        problems += checks_mod.run_shacl(store, locator, prefixes)
        report.checks_run.append("shacl")
    report.stages["check"] = time.perf_counter() - t
    return problems


def _summarise(store: ox.Store, report: BuildReport) -> None:
    for row in select(store, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"):
        report.triples_per_graph[row["g"].value] = int(row["n"].value)
    for row in select(store, """SELECT ?c (COUNT(DISTINCT ?x) AS ?n) WHERE {
                                   ?x a ?c . ?c a owl:Class . FILTER(STRSTARTS(STR(?c), STR(cart:)))
                                 } GROUP BY ?c"""):
        report.instances_per_class[row["c"].value] = int(row["n"].value)


def populate(paths: Paths, store: ox.Store, report: BuildReport, progress: Progress = _quiet,
             shacl: bool = True) -> list[Problem]:
    """Load, infer and check everything into `store`; return every problem found by the checks."""
    onto, seed = _load(paths, store, report, progress)
    t = time.perf_counter()
    progress("inferring")
    report.inferred = infer_mod.infer(store)
    report.stages["infer"] = time.perf_counter() - t
    problems = _check(paths, store, onto, seed, report, progress, shacl=shacl)
    return problems


def build(paths: Paths, progress: Progress = _quiet, shacl: bool = True) -> BuildReport:
    """Build the graph into a new store and make it live; on any error the previous build stays as it was."""
    start = time.perf_counter()
    report = BuildReport()
    with build_lock(paths):
        def fill(store: ox.Store) -> None:
            problems = populate(paths, store, report, progress, shacl=shacl)
            report.problems.extend(problems)
            errors = [p for p in problems if p.level == "error"]
            if errors:
                raise InputError(errors)
            t = time.perf_counter()
            progress("writing store")
            _summarise(store, report)
            report.stages["summarise"] = time.perf_counter() - t

        write_new_store(paths, fill)
    report.seconds = time.perf_counter() - start
    return report


def check(paths: Paths, progress: Progress = _quiet, shacl: bool = True) -> tuple[BuildReport, list[Problem]]:
    """Run the whole pipeline in memory and return every problem; nothing is written."""
    report = BuildReport()
    store = ox.Store()
    problems = populate(paths, store, report, progress, shacl=shacl)
    return report, report.problems + problems
