"""Names: an IRI as a CURIE, what an entity is called, and the entity a user's name stands for."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg.errors import KgError
from kg.terms import Term
from kg.vocab import CART, GRAPH, RDFS_LABEL, SKOS, SPARQL_PREFIXES

if TYPE_CHECKING:
    from kg.engine import Engine
    from kg.results import Answer

_IRI_BAD = re.compile(r'[\s<>"{}|\\^`\x00-\x20\x7f]')
_CURIE = re.compile(r"^([A-Za-z][\w.-]*):([^\s:/][^\s]*|)$")
_SCHEME_IRI = re.compile(r"^(https?|urn|ftp|file|mailto|tag):\S+$", re.I)


class NameProblem(KgError):
    """A name or IRI a user typed that stands for no entity, or for several; the message does not say which
    argument it came from (the caller does: `parameter target: …`)."""


def _longest_first(prefixes: Mapping[str, str]) -> list[tuple[str, str]]:
    return sorted(prefixes.items(), key=lambda kv: -len(kv[1]))


_PREDECLARED = _longest_first(SPARQL_PREFIXES)


def curie(iri: str, prefixes: Mapping[str, str] | None = None, *, bare: bool = False) -> str:
    """An IRI as `prefix:local` with the longest namespace that fits, else `<iri>` (the IRI itself with `bare`).

    A namespace fits when something is left after it and that rest reads back as the same IRI (no space,
    and no ':' or '/' first, as `expand` reads a CURIE); an IRI that is a namespace is shown whole.
    """
    for prefix, ns in (_PREDECLARED if prefixes is None else _longest_first(prefixes)):
        if iri.startswith(ns) and len(iri) > len(ns):
            local = iri[len(ns):]
            if _CURIE.match(f"{prefix}:{local}"):
                return f"{prefix}:{local}"
    return iri if bare else f"<{iri}>"


def term_text(term: Term | None, prefixes: Mapping[str, str]) -> str:
    """A term for a message: an IRI as a CURIE (else <IRI>), a literal quoted, nothing as ''."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return curie(term.value, prefixes)
    if isinstance(term, ox.Literal):
        return repr(term.value)
    return str(term)


def is_iri_like(raw: str, prefixes: Mapping[str, str]) -> bool:
    """Whether a value is meant as an IRI or CURIE rather than a name."""
    if raw.startswith("<") or _SCHEME_IRI.match(raw):
        return True
    match = _CURIE.match(raw)
    return bool(match and match.group(1) in prefixes)


def expand(raw: str, prefixes: Mapping[str, str]) -> ox.NamedNode:
    """An <IRI>, absolute IRI or CURIE as a NamedNode; anything that could break out of an IRI is refused."""
    value = raw[1:-1] if raw.startswith("<") and raw.endswith(">") else raw
    if _IRI_BAD.search(value):
        raise NameProblem(f"{raw!r} is not a valid IRI (spaces, quotes, <, > and braces are not allowed)")
    match = _CURIE.match(value)
    if match and match.group(1) in prefixes and not value.startswith("<"):
        value = prefixes[match.group(1)] + match.group(2)
    elif not (_SCHEME_IRI.match(value) or (raw.startswith("<") and re.match(r"^[A-Za-z][\w+.-]*:", value))):
        known = ", ".join(sorted(prefixes))
        raise NameProblem(f"{raw!r} is not an IRI: write <http://...>, http://... or a CURIE "
                          f"with a known prefix ({known})")
    if _IRI_BAD.search(value):
        raise NameProblem(f"{raw!r} expands to {value!r}, which is not a valid IRI")
    return ox.NamedNode(value)


# ---------------------------------------------------------------- what an entity is called

# What an entity is shown by, in order: its rdfs:label, else a synonym (INN, brand and code names are
# skos:altLabel by inference), else a source's title, else its CURIE.
SHOWN_BY = (RDFS_LABEL, SKOS + "altLabel", CART + "title")
# What a user may find it by: its label, synonyms and the identifiers people type (NCT, HGNC, MONDO ids,
# gene symbols).
FOUND_BY = "rdfs:label|skos:altLabel|cart:nctId|cart:hgncId|cart:mondoId|cart:geneSymbol"


def called(names: Mapping[str, set[str]] | None) -> str | None:
    """The name an entity is shown by, from its names by property (the first of SHOWN_BY it has, the
    smallest of those), or None when it has none."""
    for prop in SHOWN_BY:
        found = (names or {}).get(prop)
        if found:
            return min(found)
    return None


_CALLED = """SELECT ?s ?p (MIN(STR(?name)) AS ?n) WHERE {
  VALUES ?s { %s } VALUES ?p { rdfs:label skos:altLabel cart:title } ?s ?p ?name
} GROUP BY ?s ?p"""
_LABELS = """SELECT ?s (MIN(STR(?l)) AS ?label) WHERE { VALUES ?s { %s } ?s rdfs:label ?l } GROUP BY ?s"""


def labels(engine: Engine, iris: set[str], chunk: int = 500) -> dict[str, str]:
    """rdfs:label of each IRI that has one."""
    found: dict[str, str] = {}
    ordered = sorted(iris)
    for i in range(0, len(ordered), chunk):
        # IRIs that came out of the graph, written as terms (escaped), not user text.
        values = " ".join(str(ox.NamedNode(iri)) for iri in ordered[i:i + chunk])
        for row in engine.select(_LABELS % values).rows:
            if row[0] is not None and row[1] is not None:
                found[row[0].value] = row[1].value
    return found


def display_names(engine: Engine, result: Answer, known_prefixes: Mapping[str, str]) -> dict[str, str]:
    """How to show each IRI of a result: the name it is called (see SHOWN_BY), else its CURIE."""
    iris = result.iris()
    ordered = sorted(iris)
    by_iri: dict[str, dict[str, set[str]]] = {}
    for i in range(0, len(ordered), 500):
        values = " ".join(str(ox.NamedNode(iri)) for iri in ordered[i:i + 500])
        for s, p, name in engine.select(_CALLED % values).rows:
            if s is not None and p is not None and name is not None:
                by_iri.setdefault(s.value, {})[p.value] = {name.value}
    shown = {iri: known for iri in iris if (known := called(by_iri.get(iri))) is not None}
    with_graph = {**known_prefixes, "graph": GRAPH}
    for iri in iris - set(shown):
        text = curie(iri, with_graph, bare=True)
        if text != iri:
            shown[iri] = text
    return shown


# ---------------------------------------------------------------- the entity a name stands for

# The name is bound as a term (?_name), so any text at all is only ever compared, never parsed as SPARQL.
# The class restriction is a fixed fragment chosen by code, bound as ?_class.
_LOOKUP_EXACT = f"""SELECT DISTINCT ?entity ?_name ?_class WHERE {{
  ?entity {FOUND_BY} ?_name . %s
}} ORDER BY ?entity"""
_LOOKUP_ANY_CASE = f"""SELECT DISTINCT ?entity ?_name ?_class WHERE {{
  ?entity {FOUND_BY} ?label . %s
  FILTER(LCASE(STR(?label)) = LCASE(STR(?_name)))
}} ORDER BY ?entity"""
_IN_CLASS = "?entity a ?_class ."
_EXISTS = "SELECT ?p ?_entity WHERE { { ?_entity ?p ?o } UNION { ?s ?p ?_entity } } LIMIT 1"
_ALL_NAMES = f"""SELECT DISTINCT ?label ?_class WHERE {{ ?entity {FOUND_BY} ?label . %s }}"""
_ALL_ENTITIES = f"""SELECT DISTINCT ?entity ?_class WHERE {{ ?entity {FOUND_BY} ?label . %s }}"""


@dataclass(frozen=True)
class Lookup:
    """The entity a name stands for; when it stands for none, the term the query binds instead (the name as
    a plain literal, or the IRI the graph does not hold) and why, for the user."""

    term: Term
    missing: str = ""


def lookup(engine: Engine, raw: str, prefixes: Mapping[str, str], cls: ox.NamedNode | None = None) -> Lookup:
    """The entity a value names (IRI, CURIE, label or synonym, any case), among `cls` when given.

    An unknown name comes back as the plain literal it is, which matches no entity: a query bound to it
    runs and returns no rows rather than widening. A name of several entities is refused (NameProblem).
    """
    bindings: dict[str, Term] = {"_class": cls} if cls is not None else {}
    restriction = _IN_CLASS if cls is not None else ""
    name = ox.Literal(raw)
    if raw.startswith("<"):
        # A label may start with "<" (an HTML-looking name such as "<img ...>"): a name first, then an IRI.
        found = _one(engine, _LOOKUP_EXACT % restriction, {**bindings, "_name": name}, raw, prefixes)
        if found is not None:
            return Lookup(found)
    if is_iri_like(raw, prefixes):
        return _known_iri(engine, raw, prefixes, restriction, bindings)
    found = _one(engine, _LOOKUP_EXACT % restriction, {**bindings, "_name": name}, raw, prefixes)
    if found is None:
        found = _one(engine, _LOOKUP_ANY_CASE % restriction, {**bindings, "_name": name}, raw, prefixes)
    if found is not None:
        return Lookup(found)
    names = sorted({row[0].value for row in engine.select(_ALL_NAMES % restriction, bindings).rows
                    if row[0] is not None})
    lowered = {n.lower(): n for n in names}
    close = [lowered[n] for n in difflib.get_close_matches(raw.lower(), list(lowered), n=3, cutoff=0.6)]
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    where = f" among {curie(cls.value, prefixes)}" if cls is not None else ""
    return Lookup(name, f"nothing{where} is named {raw!r}{hint}")


def _known_iri(engine: Engine, raw: str, prefixes: Mapping[str, str], restriction: str,
               bindings: dict[str, Term]) -> Lookup:
    """An IRI or CURIE, with a note (and the closest names) when the graph does not hold it."""
    iri = expand(raw, prefixes)
    if engine.select(_EXISTS, {"_entity": iri}).rows:
        return Lookup(iri)
    named = {row[0].value for row in engine.select(_ALL_ENTITIES % restriction, bindings).rows
             if isinstance(row[0], ox.NamedNode)}
    shown = {curie(e, prefixes): e for e in named}
    close = difflib.get_close_matches(curie(iri.value, prefixes), list(shown), n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    return Lookup(iri, f"{raw} is not in the graph{hint}")


def _one(engine: Engine, sparql: str, bindings: dict[str, Term], raw: str,
         prefixes: Mapping[str, str]) -> ox.NamedNode | None:
    """The one entity a lookup query finds, None when it finds none; several are refused."""
    seen: dict[str, ox.NamedNode] = {}
    for row in engine.select(sparql, bindings).rows:
        if isinstance(row[0], ox.NamedNode):
            seen.setdefault(row[0].value, row[0])
    found = [seen[k] for k in sorted(seen)]
    if len(found) > 1:
        choices = ", ".join(curie(e.value, prefixes) for e in found)
        raise NameProblem(f"{raw!r} names {len(found)} entities ({choices}); pass one of these instead")
    return found[0] if found else None


def entity(engine: Engine, raw: str, prefixes: Mapping[str, str]) -> str:
    """The IRI of the entity a user names by label or synonym (any case), CURIE or IRI; NameProblem when none."""
    found = lookup(engine, raw, prefixes)
    if found.missing:
        raise NameProblem(found.missing)
    return found.term.value
