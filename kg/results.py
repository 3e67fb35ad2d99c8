"""Query answers: the rows of a SELECT, the boolean of an ASK and the triples of a CONSTRUCT or DESCRIBE, read
from the embedded store or from an endpoint's SPARQL 1.1 Query Results JSON, and the names of the formats
they can be written in (kg.render writes them). Every engine answers in these types, so the catalogue,
the CLI and the web app never need to know where an answer came from."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import pyoxigraph as ox

from kg.terms import Term

# The formats of a SELECT or ASK answer; json, xml, csv and tsv are the W3C SPARQL 1.1 results formats.
FORMATS = ("table", "records", "csv", "tsv", "json", "xml", "md")
# The formats of a CONSTRUCT or DESCRIBE answer: RDF, Turtle by default.
RDF_FORMATS = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "trig": ox.RdfFormat.TRIG,
    "rdfxml": ox.RdfFormat.RDF_XML,
}
ALL_FORMATS = FORMATS + tuple(RDF_FORMATS)
# What to ask an endpoint for, per output format: the W3C media type of that format where the answer is
# read back from it, else SPARQL results JSON (CSV drops whether a value is an IRI or a literal, and the
# tables need to know).
MEDIA_TYPES = {
    "xml": "application/sparql-results+xml",
    "tsv": "text/tab-separated-values",
    **{name: fmt.media_type for name, fmt in RDF_FORMATS.items()},
}
XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"


@dataclass
class Result:
    """The rows of a SELECT: variable names and, per row, a term or None for each."""

    variables: list[str]
    rows: list[list[Term | None]]

    @classmethod
    def from_solutions(cls, solutions) -> Result:
        variables = [v.value for v in solutions.variables]
        # A solution iterates its terms in projection order (None where unbound): 2.5x faster than by name.
        return cls(variables, [list(solution) for solution in solutions])

    def iris(self) -> set[str]:
        return {t.value for row in self.rows for t in row if isinstance(t, ox.NamedNode)}


@dataclass
class Boolean:
    """The answer of an ASK."""

    value: bool

    def iris(self) -> set[str]:
        return set()


@dataclass
class Graph:
    """The triples a CONSTRUCT or DESCRIBE builds."""

    triples: list[ox.Triple]

    def iris(self) -> set[str]:
        return {t.value for triple in self.triples for t in triple if isinstance(t, ox.NamedNode)}

    def as_table(self) -> Result:
        """The triples as a subject, predicate, object table, sorted."""
        return Result(["subject", "predicate", "object"], [list(t) for t in self.sorted()])

    def sorted(self) -> list[ox.Triple]:
        """Each triple once (the union of the named graphs may state one in several), sorted."""
        return sorted(set(self.triples), key=str)


Answer = Result | Boolean | Graph


def from_oxigraph(answer) -> Answer:
    """A pyoxigraph query answer (solutions, boolean or triples) as a Result, Boolean or Graph."""
    if isinstance(answer, ox.QueryBoolean):
        return Boolean(bool(answer))
    if isinstance(answer, ox.QueryTriples):
        return Graph(list(answer))
    return Result.from_solutions(answer)


# ---------------------------------------------------------------- SPARQL 1.1 Query Results JSON from an endpoint

def _blank(label: str, seen: dict[str, ox.BlankNode]) -> ox.BlankNode:
    node = seen.get(label)
    if node is None:
        try:
            node = ox.BlankNode(label)
        except ValueError:
            # Virtuoso labels blank nodes nodeID://b10001, which is not a valid RDF blank node label.
            node = ox.BlankNode("b" + hashlib.sha1(label.encode("utf-8")).hexdigest()[:16])
        seen[label] = node
    return node


def json_term(cell: dict, seen: dict[str, ox.BlankNode]) -> Term:
    """One binding of SPARQL 1.1 Query Results JSON as a pyoxigraph term."""
    kind = cell.get("type")
    value = cell.get("value", "")
    if kind == "uri":
        return ox.NamedNode(value)
    if kind in ("literal", "typed-literal"):  # typed-literal: the 2007 draft format, still sent by Virtuoso
        if cell.get("xml:lang"):
            return ox.Literal(value, language=cell["xml:lang"])
        if cell.get("datatype"):
            if cell["datatype"] == XSD_BOOLEAN and value in ("1", "0"):
                # Virtuoso stores booleans as integers and answers "1"; the embedded store gives the canonical "true".
                value = "true" if value == "1" else "false"
            return ox.Literal(value, datatype=ox.NamedNode(cell["datatype"]))
        return ox.Literal(value)
    if kind == "bnode":
        return _blank(value, seen)
    if kind == "triple":
        subject, predicate, object_ = (json_term(value[part], seen) for part in ("subject", "predicate", "object"))
        if not isinstance(subject, (ox.NamedNode, ox.BlankNode)) or not isinstance(predicate, ox.NamedNode):
            raise TypeError("a triple term's subject must be an IRI or a blank node and its predicate an IRI")
        return ox.Triple(subject, predicate, object_)
    raise ValueError(f"unknown term type {kind!r}")


def boolean(value: bool) -> Result:
    """The answer of an ASK as a one-cell Result, as the embedded store gives it."""
    return Result(["result"], [[ox.Literal("true" if value else "false", datatype=ox.NamedNode(XSD_BOOLEAN))]])


def parse_json_results(data: bytes, form: str) -> Result:
    """SPARQL 1.1 Query Results JSON as a Result (an ASK answer as one xsd:boolean cell)."""
    doc = json.loads(data)
    if "boolean" in doc:
        return boolean(bool(doc["boolean"]))
    variables = list(doc.get("head", {}).get("vars", []))
    bindings = doc.get("results", {}).get("bindings", [])
    if form == "ASK":
        # Virtuoso answers ASK in JSON as a table with one integer cell (__ASK_RETVAL), not a boolean.
        first: dict = next(iter(bindings[0].values()), {}) if bindings else {}
        return boolean(first.get("value", "0") not in ("0", "false", ""))
    seen: dict[str, ox.BlankNode] = {}
    rows = [[json_term(b[v], seen) if v in b else None for v in variables] for b in bindings]
    return Result(variables, rows)
