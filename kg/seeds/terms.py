"""Turns the cells of table rows into RDF terms: CURIEs and <IRIs> into IRIs, values into typed literals.

Each cell is checked against the prefix table and the ontology as it is resolved, and what is wrong is
reported at the row (an undeclared prefix, an unknown or deprecated class or property with a
did-you-mean, a value that is not of its datatype). resolve_rows is the first pass over the rows: their
subjects and predicates, and the classes the rows give their subjects.
"""

from __future__ import annotations

import difflib
import re
from datetime import date, datetime
from typing import NamedTuple

import pyoxigraph as ox

from kg import dates, names
from kg.errors import Problems
from kg.ontology import Ontology
from kg.seeds.tables import Row
from kg.vocab import RDF, RDF_TYPE, XSD

NEGATION = "not "
_IRI_BAD = re.compile(r"[\s<>\"{}|\\^`]")
_CURIE = re.compile(r"^([A-Za-z][\w.-]*):(\S*)$")
_INTEGER = re.compile(r"^[+-]?\d+$")
_DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class Resolver:
    """Turns the cells of a row into RDF terms, reporting problems at the row."""

    def __init__(self, prefixes: dict[str, str], ontology: Ontology, problems: Problems):
        self.prefixes = prefixes
        self.ontology = ontology
        self.problems = problems
        known = {**ontology.properties}
        self.property_names = sorted({self.curie(iri) for iri in known} | {self.curie(iri) for iri in _builtin_iris()})
        self.class_names = sorted(self.curie(iri) for iri in ontology.classes)
        # Each cell resolved once: the rows about one entity share one IRI string (a big table names
        # each subject, source and property on many rows). Only cells that resolve are kept, so a bad
        # cell is reported at every row that has it.
        self._resolved: dict[str, str] = {}

    def curie(self, iri: str) -> str:
        return names.curie(iri, self.prefixes)

    def iri(self, row: Row, cell: str, column: str) -> str | None:
        known = self._resolved.get(cell)
        if known is not None:
            return known
        value = self._iri(row, cell, column)
        if value is not None:
            # Checked here, once per cell, against the full IRI syntax: the build loads the text it
            # writes from these leniently (the curated claims: 0.28 -> 0.19 s), so this is the check.
            try:
                ox.NamedNode(value)
            except ValueError as exc:
                self.problems.add(row.file, row.line, "error", f"{column}: {cell} is not a valid IRI ({exc})", "syntax")
                return None
            self._resolved[cell] = value
        return value

    def _iri(self, row: Row, cell: str, column: str) -> str | None:
        if cell.startswith("<") and cell.endswith(">"):
            value = cell[1:-1]
            if _IRI_BAD.search(value) or ":" not in value:
                self.problems.add(row.file, row.line, "error", f"{column}: {cell} is not an absolute IRI", "syntax")
                return None
            return value
        match = _CURIE.match(cell)
        if not match:
            self.problems.add(row.file, row.line, "error",
                              f"{column}: expected a CURIE such as id:rese-cel or an <IRI>, got {cell!r}", "syntax")
            return None
        prefix, local = match.groups()
        if prefix not in self.prefixes:
            self.problems.add(row.file, row.line, "error",
                              f"{column}: prefix {prefix!r} is not declared in seeds/prefixes.tsv", "undeclared-prefix")
            return None
        if _IRI_BAD.search(local):
            self.problems.add(row.file, row.line, "error", f"{column}: {cell!r} has characters not allowed in an IRI",
                              "syntax")
            return None
        return self.prefixes[prefix] + local

    def known_term(self, row: Row, kind: str, iri: str, term, names: list[str]) -> bool:
        """Report an unknown class or property (with a did-you-mean) or a deprecated one; False if unknown."""
        if term is None:
            name = self.curie(iri)
            self.problems.add(row.file, row.line, "error",
                              f"unknown {kind} {name}{self.suggest(name, names)} (declare it in ontology/ to use it)",
                              f"unknown-{kind}")
            return False
        if term.deprecated:
            # The name only for a message: made for every row, it took a twentieth of the curated build.
            better = f"; use {self.curie(term.replaced_by)}" if term.replaced_by else ""
            self.problems.add(row.file, row.line, "warn", f"{kind} {self.curie(iri)} is deprecated{better}",
                              "deprecated-term")
        return True

    def suggest(self, name: str, names: list[str]) -> str:
        close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
        return f"; did you mean {close[0]}?" if close else ""


def _builtin_iris() -> list[str]:
    from kg.ontology import BUILTIN_PROPERTIES

    return list(BUILTIN_PROPERTIES)


class Resolved(NamedTuple):
    """A row with its subject and predicate as IRIs (None where a cell is empty or does not resolve)."""

    row: Row
    negated: bool
    subject: str | None
    predicate: str | None
    # The object of a row that types its subject (types_subject), resolved in the first pass and only
    # there: None where it does not resolve. Resolving it again when the claim was made reported an
    # undeclared prefix in it twice.
    object_iri: str | None = None

    def types_subject(self) -> bool:
        """Whether the row gives its subject a class that counts (asserted, not unverified, not negated)."""
        return bool(self.subject and self.predicate == RDF_TYPE and not self.negated
                    and self.row.status != "unverified" and self.row.object)


def resolve_rows(rows: list[Row], resolver: Resolver, typed: dict[str, set[str]],
                 locations: dict[str, tuple[str, int]]) -> list[Resolved]:
    """Each row's subject and predicate as IRIs; the classes rows give their subjects go into `typed`, and
    where each typed subject is first typed into `locations`."""
    resolved = []
    for row in rows:
        negated = row.predicate.startswith(NEGATION)
        pred_cell = row.predicate[len(NEGATION):].strip() if negated else row.predicate
        s = resolver.iri(row, row.subject, "subject") if row.subject else None
        if not row.subject:
            resolver.problems.add(row.file, row.line, "error", "subject is empty", "syntax")
        p = RDF_TYPE if pred_cell == "a" else (resolver.iri(row, pred_cell, "predicate") if pred_cell else None)
        if not pred_cell:
            resolver.problems.add(row.file, row.line, "error", "predicate is empty", "syntax")
        r = Resolved(row, negated, s, p)
        if r.types_subject():
            assert s is not None  # a row types its subject only when it has one
            o = resolver.iri(row, row.object, "object")
            r = Resolved(row, negated, s, p, o)
            if o:
                typed.setdefault(s, set()).add(o)
                locations.setdefault(s, (row.file, row.line))
        resolved.append(r)
    return resolved


def literal(value: str, datatype: str | None) -> tuple[ox.Literal | None, str]:
    """A typed literal from a cell, or None and what is wrong with the value."""
    if not datatype or datatype in (XSD + "string", RDF + "langString", "http://www.w3.org/2000/01/rdf-schema#Literal"):
        return ox.Literal(value), ""
    short = datatype.replace(XSD, "xsd:")
    ok = True
    if datatype == XSD + "date":
        ok = bool(DATE.match(value))
        if ok:
            try:
                date.fromisoformat(value)
            except ValueError:
                ok = False
    elif datatype == XSD + "dateTime":
        try:
            datetime.fromisoformat(value)
        except ValueError:
            ok = False
    elif datatype in (XSD + "integer", XSD + "int", XSD + "long", XSD + "nonNegativeInteger", XSD + "positiveInteger"):
        ok = bool(_INTEGER.match(value))
        if ok and datatype == XSD + "nonNegativeInteger":
            ok = int(value) >= 0
        if ok and datatype == XSD + "positiveInteger":
            ok = int(value) > 0
    elif datatype in (XSD + "decimal", XSD + "double", XSD + "float"):
        ok = bool(_DECIMAL.match(value)) or (datatype != XSD + "decimal" and value in ("INF", "-INF", "NaN"))
    elif datatype == XSD + "boolean":
        ok = value in ("true", "false", "1", "0")
    elif datatype == XSD + "anyURI":
        ok = not _IRI_BAD.search(value)
    if not ok:
        return None, f"{value!r} is not a valid {short}"
    return ox.Literal(value, datatype=ox.NamedNode(datatype)), ""


def dated_literal(row: Row, datatype: str | None, said: dates.Dated | None) -> tuple[ox.Literal | None, str]:
    """The literal of a row's object; an xsd:date may be given at month or year precision, or as "this year"
    (resolved against the source's date): it is stored as its first day, the precision goes on the claim."""
    if datatype != XSD + "date" or DATE.match(row.object):
        return literal(row.object, datatype)
    try:
        d = dates.parse(row.object, said=said)
    except dates.DateError as exc:
        return None, str(exc)
    return ox.Literal(d.start.isoformat(), datatype=ox.NamedNode(XSD + "date")), ""


def quiet_iri(cell: str, prefixes: dict[str, str]) -> str:
    """The IRI a CURIE or <IRI> cell names, or "" (its problems are reported where the cell is resolved)."""
    if cell.startswith("<") and cell.endswith(">"):
        return cell[1:-1]
    prefix, sep, local = cell.partition(":")
    return prefixes[prefix] + local if sep and prefix in prefixes else ""
