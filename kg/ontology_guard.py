"""Keeps extensions from changing the core ontology: the check `kg.ontology.load` runs on every file it reads.

An extension (ontology/extensions/*.ttl) may add terms, labels, alignments and shapes; what it may not
do to a core term (ontology/*.ttl) unless its header names the term with cart:overrides is listed in
`guard_core_terms`. Each refusal is an error at the line that does it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg.errors import Problem
from kg.vocab import OWL, RDF, RDF_TYPE, RDFS

if TYPE_CHECKING:
    from kg.ontology import OntologyFile

CLASS_TYPES = {OWL + "Class", RDFS + "Class"}
PROPERTY_TYPES = {OWL + "ObjectProperty", OWL + "DatatypeProperty", OWL + "AnnotationProperty", RDF + "Property"}
OVERRIDES = "https://w3id.org/cartkg/ontology#overrides"
_BOUNDS = (RDFS + "domain", RDFS + "range")


def guard_core_terms(files: list[OntologyFile]) -> dict[str, list[Problem]]:
    """Extensions that change what a core term is, with an error at each line that does it.

    An extension may add terms, labels, alignments and shapes. It may not give a core class or property
    a type the core does not give it (a class made a property, a property made a class, a term punned
    as an individual, a property made symmetric) nor a new rdfs:domain or rdfs:range, unless its
    ontology header names the term with cart:overrides; an override that names no core term, or a term
    the file does not change, is an error too. A term both a class and a property is refused anywhere.
    """
    core_types, core_bounds = _core(files)
    core = {iri for iri, types in core_types.items() if types & (CLASS_TYPES | PROPERTY_TYPES)}
    punned = _punned(files)
    found: dict[str, list[Problem]] = {}
    for f in files:
        overrides, problems = _overrides(f, core)
        changed, refused = _changes(f, core, core_types, core_bounds, overrides)
        problems += refused
        for iri, line in overrides.items():
            if iri not in changed:
                problems.append(Problem(f.shown, line, "error", f"cart:overrides names {f.curie(ox.NamedNode(iri))}, "
                                        "but this file does not change it: remove the override", "core-term"))
        problems += _puns(f, punned, core, overrides)
        if problems:
            found[f.shown] = problems
    return found


def _core(files: list[OntologyFile]) -> tuple[dict[str, set[str]], dict[tuple[str, str], set[str]]]:
    """The types the core files give each term, and the domains and ranges they give each property."""
    core_types: dict[str, set[str]] = {}
    core_bounds: dict[tuple[str, str], set[str]] = {}
    for f in files:
        if f.extension:
            continue
        for q in f.quads:
            if q.predicate.value == RDF_TYPE:
                core_types.setdefault(q.subject.value, set()).add(q.object.value)
            elif q.predicate.value in _BOUNDS:
                core_bounds.setdefault((q.subject.value, q.predicate.value), set()).add(q.object.value)
    return core_types, core_bounds


def _punned(files: list[OntologyFile]) -> set[str]:
    """The terms some file declares a class and some file a property."""
    every_type: dict[str, set[str]] = {}
    for f in files:
        for q in f.quads:
            if q.predicate.value == RDF_TYPE and isinstance(q.subject, ox.NamedNode):
                every_type.setdefault(q.subject.value, set()).add(q.object.value)
    return {iri for iri, types in every_type.items() if types & CLASS_TYPES and types & PROPERTY_TYPES}


def _overrides(f: OntologyFile, core: set[str]) -> tuple[dict[str, int], list[Problem]]:
    """The core terms an extension's header overrides (with the line), and its overrides that are refused."""
    problems: list[Problem] = []
    headers = {q.subject.value for q in f.quads if q.predicate.value == RDF_TYPE and q.object.value == OWL + "Ontology"}
    overrides: dict[str, int] = {}
    for q in f.quads:
        if q.predicate.value != OVERRIDES:
            continue
        line = f.line_of(q.subject.value, q.object, q.predicate)
        name = f.curie(q.object)
        if not f.extension:
            continue
        if q.subject.value not in headers:
            problems.append(Problem(f.shown, line, "error",
                                    f"cart:overrides belongs on the file's owl:Ontology header, "
                                    f"not on {f.curie(q.subject)}", "core-term"))
        elif not isinstance(q.object, ox.NamedNode) or q.object.value not in core:
            problems.append(Problem(f.shown, line, "error", f"cart:overrides names {name}, which is not a class or "
                                    "property of the core ontology (ontology/*.ttl)", "core-term"))
        else:
            overrides.setdefault(q.object.value, line)
    return overrides, problems


def _changes(f: OntologyFile, core: set[str], core_types: dict[str, set[str]],
             core_bounds: dict[tuple[str, str], set[str]], overrides: dict[str, int]) -> tuple[set[str], list[Problem]]:
    """The core terms an extension changes, and an error for each change its header does not override."""
    changed: set[str] = set()
    problems: list[Problem] = []
    for q in f.quads if f.extension else []:
        s, p, o = q.subject.value, q.predicate.value, q.object.value
        if s not in core:
            continue
        what = "class" if core_types[s] & CLASS_TYPES else "property"
        if p == RDF_TYPE and o not in core_types[s]:
            change = f"gives the core {what} {f.curie(q.subject)} the type {f.curie(q.object)}"
        elif p in _BOUNDS and o not in core_bounds.get((s, p), set()):
            change = f"adds {f.curie(q.predicate)} {f.curie(q.object)} to the core {what} {f.curie(q.subject)}"
        else:
            continue
        changed.add(s)
        if s not in overrides:
            problems.append(Problem(f.shown, f.line_of(s, q.object, q.predicate), "error",
                                    f"{change}: an extension may add terms, not change core ones (to do it on "
                                    "purpose, name the term with cart:overrides on the file's owl:Ontology header)",
                                    "core-term"))
    return changed, problems


def _puns(f: OntologyFile, punned: set[str], core: set[str], overrides: dict[str, int]) -> list[Problem]:
    """An error for each term an extension declares that is both a class and a property."""
    problems: list[Problem] = []
    for iri in sorted(punned & set(f.lines)):
        if any(q.subject.value == iri and q.predicate.value == RDF_TYPE for q in f.quads):
            if not f.extension or iri in overrides:
                continue
            if iri in core:
                continue  # reported above as a change of a core term
            problems.append(Problem(f.shown, f.lines[iri], "error",
                                    f"{f.curie(ox.NamedNode(iri))} is declared both a class and a property (a pun); "
                                    "give the property a name of its own", "core-term"))
    return problems
