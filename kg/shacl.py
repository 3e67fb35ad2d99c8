"""SHACL Core validation compiled to SPARQL and run in the store itself.

pySHACL needs the whole graph copied into rdflib first: minutes at a million triples. The shapes
a project writes use a small part of SHACL Core (targets by class or by property, and on a simple
path: min/max count, class, datatype, pattern, value ranges), and each of those is one SPARQL query
over the store's indexes. `compile_shapes` reads the shapes from the ontology graph and returns None
when any of them uses something else (sh:or, sh:node, complex paths, ...): the caller then falls back
to pySHACL, so a shape is never silently skipped. The results are those pySHACL gives (focus node,
path, value, severity, message, constraint component), which tests/test_shacl.py checks on graphs
breaking every supported constraint.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.store import side_by_side
from kg.terms import Term
from kg.vocab import GRAPH_ONTOLOGY, RDF_TYPE, RDFS, SH, XSD

# What a shape node may say for the compiled validator to handle it exactly as SHACL says.
_TARGETS = {"targetClass", "targetSubjectsOf", "targetObjectsOf", "targetNode"}
_CONSTRAINTS = {"class", "datatype", "minCount", "maxCount", "pattern", "flags",
                "minInclusive", "maxInclusive", "minExclusive", "maxExclusive"}
_ANNOTATIONS = {"message", "severity", "name", "description", "order", "group", "defaultValue"}
_SHAPE_KEYS = {SH + k for k in _TARGETS | _CONSTRAINTS | _ANNOTATIONS | {"property", "path"}}
_SHAPE_KEYS |= {RDF_TYPE, RDFS + "label", RDFS + "comment"}

# Casting the lexical form tells a well-formed value of these datatypes from an ill-formed one.
_CASTS = ("date", "dateTime", "integer", "decimal", "double", "float", "boolean")
_RANGE = {"minInclusive": ">=", "maxInclusive": "<=", "minExclusive": ">", "maxExclusive": "<"}
_COMPONENT = {"class": "ClassConstraintComponent", "datatype": "DatatypeConstraintComponent",
              "minCount": "MinCountConstraintComponent", "maxCount": "MaxCountConstraintComponent",
              "pattern": "PatternConstraintComponent", "minInclusive": "MinInclusiveConstraintComponent",
              "maxInclusive": "MaxInclusiveConstraintComponent", "minExclusive": "MinExclusiveConstraintComponent",
              "maxExclusive": "MaxExclusiveConstraintComponent"}


@dataclass(frozen=True)
class Result:
    """One validation result, as pySHACL reports it."""

    focus: Term
    path: ox.NamedNode | None
    value: Term | None
    severity: str
    message: str
    component: str
    shape: Term  # the shape that holds the constraint (a property shape, or the node shape itself)


@dataclass
class _Constraints:
    """The constraints one shape node states, with the severity and message its results carry."""

    node: Term
    path: ox.NamedNode | None
    values: dict[str, Term] = field(default_factory=dict)
    severity: str = SH + "Violation"
    message: str = ""


@dataclass
class CompiledShape:
    """A node shape's targets, its own constraints and those of its property shapes."""

    iri: Term
    targets: dict[str, list[Term]]
    parts: list[_Constraints]

    @property
    def target_classes(self) -> list[str]:
        return sorted(t.value for t in self.targets.get("targetClass", []))

    @property
    def subjects_of(self) -> list[Term]:
        return self.targets.get("targetSubjectsOf", [])


def _described(store: ox.Store) -> dict[Term, dict[str, list[Term]]]:
    found: dict[Term, dict[str, list[Term]]] = {}
    for q in store.quads_for_pattern(None, None, None, ox.NamedNode(GRAPH_ONTOLOGY)):
        found.setdefault(q.subject, {}).setdefault(q.predicate.value, []).append(q.object)
    return found


def _single(props: dict[str, list[Term]], key: str) -> bool:
    return len(props.get(SH + key, [])) <= 1


def _constraints(node: Term, props: dict[str, list[Term]], path: ox.NamedNode | None) -> _Constraints | None:
    """A shape node's constraints, or None if it says anything the compiler does not handle exactly."""
    if set(props) - _SHAPE_KEYS:
        return None
    if not all(_single(props, k) for k in _CONSTRAINTS | {"message", "severity", "path"}):
        return None
    found = _Constraints(node, path)
    for key in _CONSTRAINTS:
        if props.get(SH + key):
            found.values[key] = props[SH + key][0]
    if "flags" in found.values and "pattern" not in found.values:
        return None
    if any(not isinstance(found.values.get(k), (ox.NamedNode, type(None))) for k in ("class", "datatype")):
        return None
    if any(not isinstance(found.values.get(k), (ox.Literal, type(None)))
           for k in ("minCount", "maxCount", "pattern", "flags", *_RANGE)):
        return None
    message = props.get(SH + "message", [])
    if message and (not isinstance(message[0], ox.Literal) or message[0].language):
        return None  # one plain message only: pySHACL would pick among several
    found.message = message[0].value if message else ""
    severity = props.get(SH + "severity", [])
    if severity:
        found.severity = severity[0].value
    return found


def compile_shapes(store: ox.Store) -> list[CompiledShape] | None:
    """The ontology graph's node shapes, or None if any shape needs more than this compiler does."""
    described = _described(store)
    node_shape = ox.NamedNode(SH + "NodeShape")
    classes = {ox.NamedNode(RDFS + "Class"), ox.NamedNode("http://www.w3.org/2002/07/owl#Class")}
    shapes = []
    for node, props in described.items():
        types = set(props.get(RDF_TYPE, []))
        uses_sh = any(k.startswith(SH) for k in props)
        if ox.NamedNode(SH + "PropertyShape") in types and any(SH + t in props for t in _TARGETS):
            return None  # a property shape with targets of its own
        if node_shape not in types:
            if uses_sh and not _is_property_shape_of_some(node, described):
                return None  # a shape not typed sh:NodeShape (implicit or unusual): leave it to pySHACL
            continue
        if types & classes or SH + "deactivated" in props:
            return None  # implicit class targets, or switched off
        own = _constraints(node, {k: v for k, v in props.items() if k != SH + "property"}, None)
        if own is None or SH + "path" in props:
            return None
        parts = [own] if own.values else []
        for prop_node in props.get(SH + "property", []):
            prop_props = described.get(prop_node, {})
            path = prop_props.get(SH + "path", [])
            if len(path) != 1 or not isinstance(path[0], ox.NamedNode) or SH + "property" in prop_props:
                return None  # a path expression or a nested shape
            part = _constraints(prop_node, prop_props, path[0])
            if part is None:
                return None
            parts.append(part)
        targets = {t: props.get(SH + t, []) for t in _TARGETS if props.get(SH + t)}
        if any(not isinstance(t, ox.NamedNode) for ts in targets.values() for t in ts):
            return None
        if not targets:
            continue  # no focus node: a shape without targets validates nothing on its own
        shapes.append(CompiledShape(node, targets, parts))
    return shapes


def _is_property_shape_of_some(node: Term, described: dict) -> bool:
    return any(node in props.get(SH + "property", []) for props in described.values())


def _focus_branches(shape: CompiledShape) -> str:
    """SPARQL that binds ?focus to each focus node of the shape (perhaps more than once)."""
    branches = []
    for cls in shape.targets.get("targetClass", []):
        branches.append(f"{{ ?focus a ?_t . ?_t <{RDFS}subClassOf>* {cls} }}")
    for prop in shape.targets.get("targetSubjectsOf", []):
        branches.append(f"{{ ?focus {prop} ?_o }}")
    for prop in shape.targets.get("targetObjectsOf", []):
        branches.append(f"{{ ?_s {prop} ?focus }}")
    for node in shape.targets.get("targetNode", []):
        branches.append(f"{{ VALUES ?focus {{ {node} }} }}")
    return " UNION ".join(branches)


def _focus(shape: CompiledShape) -> str:
    """A SPARQL group binding ?focus to each focus node of the shape once."""
    return f"{{ SELECT DISTINCT ?focus WHERE {{ {_focus_branches(shape)} }} }}"


def _subclasses(store: ox.Store, cls: ox.NamedNode, cache: dict) -> str:
    if cls not in cache:
        query = f"SELECT DISTINCT ?k WHERE {{ ?k <{RDFS}subClassOf>* {cls} }}"
        rows = store.query(query, use_default_graph_as_union=True)
        cache[cls] = " ".join(str(row[0]) for row in rows if not isinstance(row[0], ox.BlankNode)) or str(cls)
    return cache[cls]


def _well_formed(datatype: ox.NamedNode) -> str:
    """An expression that is true for a well-formed ?value of the datatype (an ill-formed one makes the cast fail)."""
    local = datatype.value[len(XSD):] if datatype.value.startswith(XSD) else ""
    if local in _CASTS:
        return f"isLiteral(<{XSD}{local}>(STR(?value)))"
    return "true"


def _queries(store: ox.Store, shape: CompiledShape, part: _Constraints, cache: dict) -> list[tuple[str, str]]:
    """(component, SELECT ?focus ?value) for each constraint of one shape node."""
    focus = _focus(shape)
    values = part.values
    path = part.path

    def failing(test: str) -> str:
        """The focus nodes and values for which `test` (a FILTER or MINUS on ?value) leaves a value."""
        if path is None:
            # constraints on the focus node itself: the value node is the focus
            return f"SELECT DISTINCT ?focus ?value WHERE {{ {focus} BIND(?focus AS ?value) {test} }}"
        # Each distinct value tested once, then the focus nodes with a failing one. Joined the other
        # way round, the engine makes the whole focus set first (a Claim's source: 19 -> 4 ms).
        return (f"SELECT DISTINCT ?focus ?value WHERE {{ {{ SELECT ?value WHERE {{ "
                f"{{ SELECT DISTINCT ?value WHERE {{ ?_any {path} ?value }} }} {test} }} }} "
                f"?focus {path} ?value . FILTER EXISTS {{ {_focus_branches(shape)} }} }}")

    out = []
    if "class" in values:
        cls = values["class"]
        assert isinstance(cls, ox.NamedNode)  # _constraints refuses any other sh:class
        kinds = _subclasses(store, cls, cache)
        out.append(("class", failing(f"MINUS {{ ?value a ?_k . VALUES ?_k {{ {kinds} }} }}")))
    if "datatype" in values:
        dt = values["datatype"]
        assert isinstance(dt, ox.NamedNode)  # _constraints refuses any other sh:datatype
        out.append(("datatype", failing(
            f"FILTER(!isLiteral(?value) || DATATYPE(?value) != {dt} || !COALESCE({_well_formed(dt)}, false))")))
    if "pattern" in values:
        flags = f", {values['flags']}" if "flags" in values else ""
        out.append(("pattern", failing(
            f"FILTER(isBlank(?value) || !COALESCE(REGEX(STR(?value), {values['pattern']}{flags}), false))")))
    for key, op in _RANGE.items():
        if key in values:
            out.append((key, failing(f"FILTER(!COALESCE(?value {op} {values[key]}, false))")))
    if path is not None and "minCount" in values:
        least = int(values["minCount"].value)
        if least == 1:
            out.append(("minCount", f"SELECT ?focus WHERE {{ {focus} MINUS {{ ?focus {path} ?_v }} }}"))
        elif least > 1:
            out.append(("minCount", f"""SELECT ?focus WHERE {{ {focus} OPTIONAL {{ ?focus {path} ?_v }} }}
                GROUP BY ?focus HAVING (COUNT(DISTINCT ?_v) < {least})"""))
    if path is not None and "maxCount" in values:
        # the subjects with too many values first (few), then whether each is a focus node
        out.append(("maxCount", f"""SELECT ?focus WHERE {{ {{ SELECT ?focus WHERE {{ ?focus {path} ?_v }}
            GROUP BY ?focus HAVING (COUNT(DISTINCT ?_v) > {int(values['maxCount'].value)}) }}
            FILTER EXISTS {{ {_focus_branches(shape)} }} }}"""))
    return out


def validate(store: ox.Store, shapes: list[CompiledShape], threads: int | None = None) -> list[Result]:
    """Every result of every shape, in a stable order; the queries run side by side like the checks."""
    return results(side_by_side(lambda job: job(), jobs(store, shapes), threads))


def jobs(store: ox.Store, shapes: list[CompiledShape]) -> list[Callable[[], list[Result]]]:
    """The shapes' queries, each a call that returns its results (for results(), in this order).

    For a caller that runs them among other work (the build runs them with the checks, side by side).
    """
    cache: dict = {}
    return [functools.partial(_run, store, part, key, query) for shape in shapes for part in shape.parts
            for key, query in _queries(store, shape, part, cache)]


def results(found: list[list[Result]]) -> list[Result]:
    """What jobs() returned, in one stable order."""
    return sorted((r for some in found for r in some),
                  key=lambda r: (str(r.focus), str(r.path), str(r.value), r.component, r.message))


def _run(store: ox.Store, part: _Constraints, key: str, query: str) -> list[Result]:
    return [Result(row["focus"], part.path, row["value"] if key not in ("minCount", "maxCount") else None,
                   part.severity, part.message, SH + _COMPONENT[key], part.node)
            for row in store.query(query, use_default_graph_as_union=True)]
