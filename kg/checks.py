"""Quality checks: SPARQL files in queries/checks/ and the SHACL shapes, each problem at its file and line."""

from __future__ import annotations

import difflib
import functools
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass

import pyoxigraph as ox

from kg.errors import InputError, Problem
from kg.names import term_text as short  # kg/build.py calls checks.short
from kg.ontology import StatedLines
from kg.paths import Paths
from kg.sparqltext import RqFile, read_rq
from kg.store import give_back_memory, select
from kg.terms import Term
from kg.vocab import GRAPH_ONTOLOGY, LEVEL_OF_SEVERITY, RDF_TYPE, SH

CHECK_KEYS = {"summary", "description", "level", "tags", "message", "suggest", "precedence"}
# `suggest: class` looks the ?value up among the ontology's classes, `suggest: property` the ?property
# among its properties, and adds "did you mean ...?" for a near miss.
SUGGEST_COLUMNS = {"class": "value", "property": "property"}
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@dataclass
class Check:
    """A SPARQL check returning ?entity ?property ?value for every violation."""

    rq: RqFile
    level: str
    message: str = ""
    suggest: str = ""
    precedence: str = ""

    @property
    def name(self) -> str:
        return self.rq.name


def read_checks(paths: Paths) -> tuple[list[Check], list[Problem]]:
    """The well-formed check files, and a problem at its file and line for each malformed one."""
    checks, problems = [], []
    for path in sorted(paths.checks.glob("*.rq")):
        try:
            rq = read_rq(path, paths.relative(path), CHECK_KEYS)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        level = str(rq.header.get("level", "error"))
        if level not in ("error", "warn", "info"):
            problems.append(Problem(rq.shown, _header_line(rq, "level"), "error",
                                    f"level must be error, warn or info, not {level!r}", "query-header"))
            continue
        suggest = str(rq.header.get("suggest") or "")
        if suggest and suggest not in SUGGEST_COLUMNS:
            problems.append(Problem(rq.shown, _header_line(rq, "suggest"), "error",
                                    f"suggest must be {' or '.join(SUGGEST_COLUMNS)}, not {suggest!r}", "query-header"))
            continue
        precedence = str(rq.header.get("precedence") or "")
        if precedence not in ("", "over-shapes"):
            problems.append(Problem(rq.shown, _header_line(rq, "precedence"), "error",
                                    f"precedence must be over-shapes (or absent), not {precedence!r}", "query-header"))
            continue
        checks.append(Check(rq, level, str(rq.header.get("message") or ""), suggest, precedence))
    return checks, problems


def _header_line(rq: RqFile, key: str) -> int:
    for number, line in enumerate(rq.text.split("\n"), start=1):
        if re.match(rf"#\+\s*{key}\s*:", line):
            return number
    return 1


class Locator:
    """Finds the file and line behind an entity or a triple."""

    def __init__(self, store: ox.Store, locations: dict[str, tuple[str, int]],
                 triples: StatedLines | None = None):
        self.store = store
        self.locations = locations
        # Where the ontology files state a triple: an extension's axiom about a core class is at the
        # extension's line, not where the class is declared.
        self.triples = triples or StatedLines([])
        # Where the files read row by row state an IRI, without indexing the N-Triples files.
        self.stated = getattr(locations, "stated", locations.get)

    def claim_line(self, entity: Term, prop: Term | None, value: Term | None) -> tuple[str, int] | None:
        """The first seed row that states entity-prop-value (any value when value is None)."""
        if prop is None:
            return None
        # pyoxigraph substitutes only variables of the projection, hence ?s ?p ?o in the SELECT.
        bindings = {"s": entity, "p": prop, **({"o": value} if value is not None else {})}
        rows = list(select(self.store, """
            SELECT ?s ?p ?o ?file ?line WHERE { ?c rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ;
                                          cart:seedFile ?file ; cart:seedLine ?line }
            ORDER BY ?file ?line LIMIT 1""", bindings))
        return (rows[0]["file"].value, int(rows[0]["line"].value)) if rows else None

    def own_line(self, entity: ox.NamedNode) -> tuple[str, int] | None:
        """Where a claim was curated: its own cart:seedFile and cart:seedLine."""
        rows = list(select(self.store, """
            SELECT ?c ?file ?line WHERE { ?c cart:seedFile ?file ; cart:seedLine ?line } LIMIT 1""", {"c": entity}))
        return (rows[0]["file"].value, int(rows[0]["line"].value)) if rows else None

    def locate(self, entity: Term | None, prop: Term | None = None, value: Term | None = None) -> tuple[str, int]:
        if entity is None:
            return "", 0
        if isinstance(entity, ox.NamedNode):
            # The N-Triples files are read line by line (1M lines: half a second) only when the
            # other files, the claim rows and the store's own record of a claim all miss.
            axiom = (str(entity), str(prop), str(value)) if prop is not None and value is not None else None
            found = (self.claim_line(entity, prop, value) or (axiom and self.triples.get(axiom))
                     or self.stated(entity.value) or self.own_line(entity))
            if found:
                return found
            if entity.value in self.locations:
                return self.locations[entity.value]
        if isinstance(value, ox.NamedNode) and value.value in self.locations:
            return self.locations[value.value]
        return "", 0


def _fill(template: str, values: dict[str, str]) -> str:
    """A message template with each {name} it has a value for filled in (others left as written)."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template)


def plain(term: Term | None, prefixes: dict[str, str]) -> str:
    """A term for a message template: IRIs as CURIEs, literals as their bare text."""
    if isinstance(term, ox.Literal):
        return term.value
    return short(term, prefixes)


def run_sparql_checks(checks: list[Check], evaluated: list, locator: Locator, prefixes: dict[str, str],
                      vocabulary: dict[str, list[str]] | None = None, keys: list | None = None) -> list[Problem]:
    """Each check's rows as problems (a check that cannot run is one too); `evaluated` is what jobs() returned.

    The message is the `#+ message:` template with {variable} filled in, else the ?message column,
    else the summary followed by entity, property and value. `vocabulary` maps "class" and "property"
    to the CURIEs a `suggest:` check picks its "did you mean" from. `keys`, if given, receives
    (entity, property, value) of each problem, in order (None for a check that cannot run). The build
    runs the jobs side by side with the shapes' (kg.build._check).
    """
    problems = []
    for check, (solutions, variables) in zip(checks, evaluated):
        if isinstance(solutions, SyntaxError):
            exc = solutions
            where = re.match(r"error at (\d+):(\d+)", str(exc))
            # the parser lists every token it would have accepted, over several lines: keep the first
            expected = re.search(r"expected one of ((?:\"[^\"]*\", ){0,5})", str(exc))
            detail = f"; expected one of {expected.group(1)}..." if expected and expected.group(1) else ""
            at = f"column {where.group(2)}" if where else str(exc).split("\n")[0]
            problems.append(Problem(check.rq.shown, int(where.group(1)) if where else 1, "error",
                                    f"the check does not parse as SPARQL ({at}{detail})", "syntax"))
            if keys is not None:
                keys.append(None)
            continue
        if isinstance(solutions, Exception):
            raise solutions
        if variables is None or "entity" not in variables:
            problems.append(Problem(check.rq.shown, 1, "error",
                                    "a check must be a SELECT returning ?entity "
                                    "(and ?property ?value where they apply)", "query-header"))
            if keys is not None:
                keys.append(None)
            continue
        for row in solutions:
            entity, prop, value = (_get(row, "entity"), _get(row, "property"), _get(row, "value"))
            file, line = locator.locate(entity, prop, value)
            hint = ""
            if check.suggest and vocabulary:
                wrong = short(_get(row, SUGGEST_COLUMNS[check.suggest]), prefixes)
                close = difflib.get_close_matches(wrong, vocabulary.get(check.suggest, []), n=1, cutoff=0.6)
                hint = f"; did you mean {close[0]}?" if close else ""
            message = _get(row, "message")
            if check.message:
                values = {v: plain(_get(row, v), prefixes) for v in variables}
                values["hint"] = hint
                text = _fill(check.message, values)
                if "{hint}" not in check.message:
                    text += hint
            elif isinstance(message, ox.Literal):
                text = message.value + hint
            else:
                text = (f"{check.rq.summary}: {short(entity, prefixes)} {short(prop, prefixes)} "
                        f"{short(value, prefixes)}".rstrip() + hint)
            problems.append(Problem(file, line, check.level, text, check.name))
            if keys is not None:
                keys.append((entity, prop, value))
    return problems


def _evaluate(store: ox.Store, check: Check, give_back: bool = True) -> tuple[list | Exception, list[str] | None]:
    """A check's rows and variables (None if it is not a SELECT), or the error it raised.

    `give_back`: hand the memory the query freed back to the system once it is done.
    """
    try:
        solutions = select(store, check.rq.text)
        if not isinstance(solutions, ox.QuerySolutions):
            return [], None
        rows = list(solutions)
        if give_back:
            give_back_memory()  # what the query used to find them, before the next check runs
        return rows, [v.value for v in solutions.variables]
    except (SyntaxError, OSError) as exc:
        return exc, None


def jobs(store: ox.Store, checks: list[Check], give_back: bool = True) -> list[Callable[[], tuple]]:
    """Each check's query as a call returning its rows and variables, for run_sparql_checks (`give_back`:
    see _evaluate)."""
    return [functools.partial(_evaluate, store, check, give_back) for check in checks]


def merge_restated(problems: list[Problem], keys: list, shacl: list[Problem], shacl_keys: list,
                   checks: list[Check]) -> list[Problem]:
    """Check and shape problems, each reported once where both say it about one entity, property and value.

    The shapes and the check files overlap (a missing label, an NCT id of the wrong shape): a curator
    should read each problem once. The shape's line is kept (the shapes set message and severity class
    by class), unless the check has `precedence: over-shapes` because its finding explains the shape's:
    then the shape's problems about the same triple, or about the value the check names, are left out
    (an undefined entity fails every class and domain constraint it meets; its one cause is reported).
    """
    first = {c.name for c in checks if c.precedence == "over-shapes"}
    winning = {key for p, key in zip(problems, keys) if key is not None and p.check in first}
    explained = {key[2] for key in winning if key[2] is not None}
    shape_keys = set(shacl_keys)
    kept = [p for p, key in zip(problems, keys) if key is None or key not in shape_keys or p.check in first]
    return kept + [p for p, key in zip(shacl, shacl_keys) if key not in winning and key[0] not in explained]


def _get(row: ox.QuerySolution, name: str) -> Term | None:
    try:
        return row[name]
    except (KeyError, IndexError):
        return None


def run_shacl(store: ox.Store, locator: Locator, prefixes: dict[str, str],
              keys: list | None = None, threads: int | None = None) -> list[Problem]:
    """Validate the union of all graphs against the shapes in the ontology.

    Shapes within the SHACL Core subset kg.shacl compiles run as SPARQL in the store (seconds at a
    million triples); any other shape sends the whole validation to pySHACL. `keys`, if given,
    receives (focus, path, value) of each problem, in order (see merge_restated).
    """
    from kg import shacl

    compiled = shacl.compile_shapes(store)
    if compiled is None:
        return _run_pyshacl(store, locator, prefixes, keys)
    return shape_problems(compiled, shacl.validate(store, compiled, threads), locator, prefixes, keys)


def shape_problems(compiled: list, results: list, locator: Locator, prefixes: dict[str, str],
                   keys: list | None = None) -> list[Problem]:
    """The compiled shapes' results (kg.shacl.validate, or kg.shacl.results) as problems at their seed rows."""
    by_node = {part.node: shape for shape in compiled for part in shape.parts}
    problems = []
    for r in results:
        shape = by_node[r.shape]
        subjects_of = sorted(shape.subjects_of, key=str)
        # blank nodes stand for nothing a seed row names: None, as for pySHACL's results (_to_ox)
        focus, value = (None if isinstance(t, ox.BlankNode) else t for t in (r.focus, r.value))
        problems.append(_shape_problem(locator, prefixes, keys, focus, r.path, value, r.severity, r.message,
                                       r.component, subjects_of[0] if subjects_of else None, shape.target_classes))
    return problems


def _shape_problem(locator: Locator, prefixes: dict[str, str], keys: list | None, focus, path, value,
                   severity: str, message: str, component: str, subjects_of, target_classes: list[str]) -> Problem:
    """One validation result as a problem at the seed file and line behind it."""
    if keys is not None:
        keys.append((focus, path, value))
    if path is None and subjects_of is not None:
        # A constraint on the focus node itself (a domain check on sh:targetSubjectsOf P) is about
        # the row that uses P, not about the row that declared the node.
        path, value = subjects_of, None
    found = None
    if value is None and path is not None and component == SH + "MinCountConstraintComponent":
        # A missing property is about the row that gave the node the shape's class (for a
        # company made a cart:Manufacturer in a file of its own, that row, not its first mention).
        for cls in target_classes:
            found = locator.claim_line(focus, ox.NamedNode(RDF_TYPE), ox.NamedNode(cls))
            if found:
                break
    file, line = found or locator.locate(focus, path, value)
    shown = short(focus, prefixes)
    text = f"{shown}: {message}" if message else f"{shown} {short(path, prefixes)} violates a shape"
    check = "shacl:" + (component.rsplit("#", 1)[-1] if component else "shape")
    return Problem(file, line, LEVEL_OF_SEVERITY.get(severity, "error"), text, check)


def _run_pyshacl(store: ox.Store, locator: Locator, prefixes: dict[str, str],
                 keys: list | None = None) -> list[Problem]:
    """Validate with pySHACL: the whole graph copied into rdflib (slow past a few 100k triples)."""
    import rdflib
    from pyshacl import validate

    # N-Triples, not N-Quads: rdflib parses N-Quads into named graphs that iterating a Graph never sees,
    # which left the shapes graph empty and every shape silently unchecked.
    shapes_graph = rdflib.Graph()
    ontology_triples = [ox.Triple(q.subject, q.predicate, q.object)
                        for q in store.quads_for_pattern(None, None, None, ox.NamedNode(GRAPH_ONTOLOGY))]
    shapes_graph.parse(data=ox.serialize(ontology_triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
    if not any(shapes_graph.triples((None, rdflib.RDF.type, rdflib.URIRef(SH + "NodeShape")))):
        return []
    data = rdflib.Graph()
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(None, None, None, None)
               if not isinstance(q.subject, ox.Triple)]
    nt = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    # rdflib logs a traceback for every ill-typed literal ("2024-13-45"^^xsd:date) it meets; the
    # shapes report those at their file and line, so the log would only be noise on the terminal.
    term_log = logging.getLogger("rdflib.term")
    was_disabled, term_log.disabled = term_log.disabled, True
    try:
        data.parse(data=nt, format="nt")
        # inplace: the data graph is ours alone, so pySHACL need not copy it first (a third of its time).
        _, report, _ = validate(data, shacl_graph=shapes_graph, inference="none", advanced=True, allow_warnings=True,
                                inplace=True)
    finally:
        term_log.disabled = was_disabled
    problems = []
    for result in report.subjects(rdflib.RDF.type, rdflib.URIRef(SH + "ValidationResult")):
        shape = report.value(result, rdflib.URIRef(SH + "sourceShape"))
        message = report.value(result, rdflib.URIRef(SH + "resultMessage"))
        component = report.value(result, rdflib.URIRef(SH + "sourceConstraintComponent"))
        severity = report.value(result, rdflib.URIRef(SH + "resultSeverity"))
        used = shapes_graph.value(shape, rdflib.URIRef(SH + "targetSubjectsOf")) if shape is not None else None
        problems.append(_shape_problem(
            locator, prefixes, keys, _to_ox(report.value(result, rdflib.URIRef(SH + "focusNode"))),
            _to_ox(report.value(result, rdflib.URIRef(SH + "resultPath"))),
            _to_ox(report.value(result, rdflib.URIRef(SH + "value"))),
            str(severity), str(message) if message else "", str(component) if component else "",
            _to_ox(used) if used is not None else None, _target_classes(shapes_graph, shape)))
    return problems


def _target_classes(shapes_graph, shape) -> list[str]:
    """The sh:targetClass of a node shape, or of the node shapes a property shape belongs to."""
    import rdflib

    if shape is None:
        return []
    nodes = [shape, *shapes_graph.subjects(rdflib.URIRef(SH + "property"), shape)]
    return sorted({str(c) for n in nodes for c in shapes_graph.objects(n, rdflib.URIRef(SH + "targetClass"))})


def _to_ox(term) -> Term | None:
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


