"""Reads the SHACL shapes among the ontology's quads: which constraints apply to which class and property."""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.ontology import Ontology
from kg.terms import Term
from kg.vocab import LEVEL_OF_SEVERITY, RDF_TYPE, SH

_NUMBERS = ("minCount", "maxCount", "minLength", "maxLength", "minInclusive", "maxInclusive",
            "minExclusive", "maxExclusive")
_TERMS = ("class", "datatype", "nodeKind", "hasValue", "node")


@dataclass
class Constraint:
    """One constraint of a shape: on a property (path) or, with path None, on the focus node itself."""

    path: str | None
    level: str = "error"
    message: str = ""
    counts: dict[str, str] = field(default_factory=dict)
    terms: dict[str, str] = field(default_factory=dict)
    pattern: str = ""

    @property
    def required(self) -> bool:
        return int(self.counts.get("minCount", "0") or 0) >= 1


@dataclass
class Shape:
    """A node shape: what it targets and what it asks of each focus node."""

    iri: str
    target_classes: list[str] = field(default_factory=list)
    target_subjects_of: list[str] = field(default_factory=list)
    target_objects_of: list[str] = field(default_factory=list)
    constraints: list[Constraint] = field(default_factory=list)
    file: str = ""
    line: int = 0


def read_shapes(onto: Ontology) -> list[Shape]:
    """Every sh:NodeShape of the ontology with its targets and constraints, sorted by IRI."""
    values: dict[str, dict[str, list[Term]]] = {}
    for q in onto.quads:
        values.setdefault(q.subject.value, {}).setdefault(q.predicate.value, []).append(q.object)

    def one(node: str, name: str) -> Term | None:
        found = values.get(node, {}).get(SH + name)
        return found[0] if found else None

    def constraint(node: str, path: str | None) -> Constraint:
        severity = one(node, "severity")
        message = one(node, "message")
        found = Constraint(path=path,
                           level=LEVEL_OF_SEVERITY.get(severity.value, "error") if severity else "error",
                           message=message.value if message else "")
        for name in _NUMBERS:
            term = one(node, name)
            if term is not None:
                found.counts[name] = term.value
        for name in _TERMS:
            term = one(node, name)
            if term is not None:
                found.terms[name] = term.value
        pattern = one(node, "pattern")
        found.pattern = pattern.value if pattern is not None else ""
        return found

    shapes = []
    for node, props in values.items():
        if ox.NamedNode(SH + "NodeShape") not in props.get(RDF_TYPE, []):
            continue
        shape = Shape(iri=node, file=onto.locations.get(node, ("", 0))[0], line=onto.locations.get(node, ("", 0))[1])
        shape.target_classes = sorted(t.value for t in props.get(SH + "targetClass", []))
        shape.target_subjects_of = sorted(t.value for t in props.get(SH + "targetSubjectsOf", []))
        shape.target_objects_of = sorted(t.value for t in props.get(SH + "targetObjectsOf", []))
        own = constraint(node, None)
        if own.counts or own.terms or own.pattern:
            shape.constraints.append(own)
        for prop_node in props.get(SH + "property", []):
            path = one(prop_node.value, "path")
            if isinstance(path, ox.NamedNode):
                shape.constraints.append(constraint(prop_node.value, path.value))
        shapes.append(shape)
    return sorted(shapes, key=lambda s: s.iri)


def for_class(shapes: list[Shape], onto: Ontology, iri: str) -> list[tuple[Shape, Constraint]]:
    """The constraints every instance of the class meets: its own shapes' and its superclasses'."""
    above = onto.ancestors(iri)
    return [(s, c) for s in shapes if set(s.target_classes) & above for c in s.constraints]


def for_property(shapes: list[Shape], iri: str) -> list[tuple[Shape, Constraint]]:
    """The constraints on uses of a property: shapes targeting its subjects, and property shapes on it."""
    found = []
    for s in shapes:
        for c in s.constraints:
            if c.path == iri or (c.path is None and iri in s.target_subjects_of + s.target_objects_of):
                found.append((s, c))
    return found


def requires(shapes: list[Shape], onto: Ontology, cls: str, path: str) -> Shape | None:
    """The shape that already makes `path` required (as a violation) on instances of `cls`, if any."""
    for shape, c in for_class(shapes, onto, cls):
        if c.path == path and c.required and c.level == "error":
            return shape
    return None
