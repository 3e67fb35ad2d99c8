"""Quality checks: SPARQL files in queries/checks/ and the SHACL shapes, each problem at its file and line."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.errors import InputError, Problem
from kg.paths import Paths
from kg.sparqltext import RqFile, read_rq
from kg.store import select
from kg.vocab import GRAPH_ONTOLOGY, SH

CHECK_KEYS = {"summary", "description", "level", "tags"}
LEVEL_OF_SEVERITY = {SH + "Violation": "error", SH + "Warning": "warn", SH + "Info": "info"}


@dataclass
class Check:
    """A SPARQL check returning ?entity ?property ?value for every violation."""

    rq: RqFile
    level: str

    @property
    def name(self) -> str:
        return self.rq.name


def load_checks(paths: Paths) -> list[Check]:
    """Every check file; a malformed one is an error naming its file and line."""
    checks, problems = [], []
    for path in sorted(paths.checks.glob("*.rq")):
        try:
            rq = read_rq(path, paths.relative(path), CHECK_KEYS)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        level = str(rq.header.get("level", "error"))
        if level not in ("error", "warn", "info"):
            problems.append(Problem(rq.shown, 1, "error", f"level must be error, warn or info, not {level!r}", "query-header"))
            continue
        checks.append(Check(rq, level))
    if problems:
        raise InputError(problems)
    return checks


class Locator:
    """Finds the file and line behind an entity or a triple."""

    def __init__(self, store: ox.Store, locations: dict[str, tuple[str, int]]):
        self.store = store
        self.locations = locations

    def claim_line(self, entity: ox.Term, prop: ox.Term | None, value: ox.Term | None) -> tuple[str, int] | None:
        if prop is None or value is None:
            return None
        rows = list(select(self.store, """
            SELECT ?file ?line WHERE { ?c rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ;
                                          cart:seedFile ?file ; cart:seedLine ?line }
            ORDER BY ?file ?line LIMIT 1""", {"s": entity, "p": prop, "o": value}))
        return (rows[0]["file"].value, int(rows[0]["line"].value)) if rows else None

    def locate(self, entity: ox.Term | None, prop: ox.Term | None = None, value: ox.Term | None = None) -> tuple[str, int]:
        if entity is None:
            return "", 0
        if isinstance(entity, ox.NamedNode):
            found = self.claim_line(entity, prop, value)
            if found:
                return found
            if entity.value in self.locations:
                return self.locations[entity.value]
        if isinstance(value, ox.NamedNode) and value.value in self.locations:
            return self.locations[value.value]
        return "", 0


def short(term: ox.Term | None, prefixes: dict[str, str]) -> str:
    """A term as a CURIE where a prefix fits, for messages."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        for p, ns in sorted(prefixes.items(), key=lambda kv: -len(kv[1])):
            if term.value.startswith(ns):
                return f"{p}:{term.value[len(ns):]}"
        return f"<{term.value}>"
    if isinstance(term, ox.Literal):
        return repr(term.value)
    return str(term)


def run_sparql_checks(store: ox.Store, checks: list[Check], locator: Locator, prefixes: dict[str, str]) -> list[Problem]:
    """Run each check; every row it returns is a problem."""
    problems = []
    for check in checks:
        for row in select(store, check.rq.text):
            entity, prop, value = (_get(row, "entity"), _get(row, "property"), _get(row, "value"))
            file, line = locator.locate(entity, prop, value)
            message = _get(row, "message")
            text = message.value if isinstance(message, ox.Literal) else (
                f"{check.rq.summary}: {short(entity, prefixes)} {short(prop, prefixes)} {short(value, prefixes)}".rstrip())
            problems.append(Problem(file, line, check.level, text, check.name))
    return problems


def _get(row: ox.QuerySolution, name: str) -> ox.Term | None:
    try:
        return row[name]
    except (KeyError, IndexError):
        return None


def run_shacl(store: ox.Store, locator: Locator, prefixes: dict[str, str]) -> list[Problem]:
    """Validate the union of all graphs against the shapes in the ontology with pySHACL."""
    import rdflib
    from pyshacl import validate

    shapes = rdflib.Graph()
    shapes.parse(data=ox.serialize(list(store.quads_for_pattern(None, None, None, ox.NamedNode(GRAPH_ONTOLOGY))),
                                   format=ox.RdfFormat.N_QUADS), format="nquads")
    shapes_graph = rdflib.Graph()
    for triple in shapes:
        shapes_graph.add(triple)
    if not any(shapes_graph.triples((None, rdflib.RDF.type, rdflib.URIRef(SH + "NodeShape")))):
        return []
    data = rdflib.Graph()
    nt = ox.serialize([ox.Triple(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(None, None, None, None)
                       if not isinstance(q.subject, ox.Triple)], format=ox.RdfFormat.N_TRIPLES)
    data.parse(data=nt, format="nt")
    _, report, _ = validate(data, shacl_graph=shapes_graph, inference="none", advanced=True, allow_warnings=True)
    problems = []
    for result in report.subjects(rdflib.RDF.type, rdflib.URIRef(SH + "ValidationResult")):
        focus = report.value(result, rdflib.URIRef(SH + "focusNode"))
        path = report.value(result, rdflib.URIRef(SH + "resultPath"))
        value = report.value(result, rdflib.URIRef(SH + "value"))
        severity = report.value(result, rdflib.URIRef(SH + "resultSeverity"))
        message = report.value(result, rdflib.URIRef(SH + "resultMessage"))
        component = report.value(result, rdflib.URIRef(SH + "sourceConstraintComponent"))
        f, p, v = (_to_ox(focus), _to_ox(path), _to_ox(value))
        file, line = locator.locate(f, p, v)
        text = f"{short(f, prefixes)}: {message}" if message else f"{short(f, prefixes)} {short(p, prefixes)} violates a shape"
        check = "shacl:" + (str(component).rsplit("#", 1)[-1] if component else "shape")
        problems.append(Problem(file, line, LEVEL_OF_SEVERITY.get(str(severity), "error"), text, check))
    return problems


def _to_ox(term) -> ox.Term | None:
    import rdflib

    if term is None or isinstance(term, rdflib.BNode):
        return None
    if isinstance(term, rdflib.URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, rdflib.Literal):
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        if term.language:
            return ox.Literal(str(term), language=term.language)
        return ox.Literal(str(term))
    return None


