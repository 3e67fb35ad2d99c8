"""Query parameters: a user's text turned into the typed RDF term a canned query binds (never pasted into it)."""

from __future__ import annotations

import datetime
import difflib
import re
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.errors import KgError
from kg.sparqltext import Param
from kg.vocab import XSD

_IRI_BAD = re.compile(r'[\s<>"{}|\\^`\x00-\x20\x7f]')
_CURIE = re.compile(r"^([A-Za-z][\w.-]*):([^\s:/][^\s]*|)$")
_SCHEME_IRI = re.compile(r"^(https?|urn|ftp|file|mailto|tag):\S+$", re.I)
_INTEGER = re.compile(r"^[+-]?\d+$")
_DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_BOOLEAN = {"true": "true", "yes": "true", "1": "true", "false": "false", "no": "false", "0": "false"}

# What an entity is called: its label, synonyms (INN, brand and code names are skos:altLabel by
# inference) and the identifiers people type (NCT, HGNC, MONDO ids, gene symbols).
_NAMES = "rdfs:label|skos:altLabel|cart:nctId|cart:hgncId|cart:mondoId|cart:geneSymbol"
# The name is bound as a term (?_name), so any text at all is only ever compared, never parsed as SPARQL.
# The class restriction is a fixed fragment chosen by code, bound as ?_class.
_LOOKUP_EXACT = """SELECT DISTINCT ?entity ?_name ?_class WHERE {
  ?entity %s ?_name . %%s
} ORDER BY ?entity""" % _NAMES
_LOOKUP_ANY_CASE = """SELECT DISTINCT ?entity ?_name ?_class WHERE {
  ?entity %s ?label . %%s
  FILTER(LCASE(STR(?label)) = LCASE(STR(?_name)))
} ORDER BY ?entity""" % _NAMES
_IN_CLASS = "?entity a ?_class ."
_EXISTS = "SELECT ?p ?_entity WHERE { { ?_entity ?p ?o } UNION { ?s ?p ?_entity } } LIMIT 1"
_ALL_NAMES = """SELECT DISTINCT ?label ?_class WHERE { ?entity %s ?label . %%s }""" % _NAMES
_ALL_ENTITIES = """SELECT DISTINCT ?entity ?_class WHERE { ?entity %s ?label . %%s }""" % _NAMES


class ParamError(KgError):
    """A parameter value that cannot be used; nothing was run."""


def default_text(value: object) -> str | None:
    """A header default (YAML may have typed it) as the text a user would type."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return str(value)


def is_iri_like(raw: str, prefixes: dict[str, str]) -> bool:
    """Whether an entity value is meant as an IRI or CURIE rather than a name."""
    if raw.startswith("<") or _SCHEME_IRI.match(raw):
        return True
    match = _CURIE.match(raw)
    return bool(match and match.group(1) in prefixes)


def to_iri(name: str, raw: str, prefixes: dict[str, str]) -> ox.NamedNode:
    """An <IRI>, absolute IRI or CURIE as a NamedNode; anything that could break out of an IRI is refused."""
    value = raw[1:-1] if raw.startswith("<") and raw.endswith(">") else raw
    if _IRI_BAD.search(value):
        raise ParamError(f"parameter {name}: {raw!r} is not a valid IRI (spaces, quotes, <, > and braces are not allowed)")
    match = _CURIE.match(value)
    if match and match.group(1) in prefixes and not value.startswith("<"):
        value = prefixes[match.group(1)] + match.group(2)
    elif not (_SCHEME_IRI.match(value) or (raw.startswith("<") and re.match(r"^[A-Za-z][\w+.-]*:", value))):
        known = ", ".join(sorted(prefixes))
        raise ParamError(f"parameter {name}: {raw!r} is not an IRI: write <http://...>, http://... or a CURIE "
                         f"with a known prefix ({known})")
    if _IRI_BAD.search(value):
        raise ParamError(f"parameter {name}: {raw!r} expands to {value!r}, which is not a valid IRI")
    return ox.NamedNode(value)


def to_term(param: Param, raw: str, prefixes: dict[str, str]) -> ox.Term:
    """The typed term for a value of any type but entity; a value of the wrong shape is refused."""
    kind, name = param.type, param.name
    if kind == "iri":
        return to_iri(name, raw, prefixes)
    if kind == "string":
        return ox.Literal(raw)
    if kind == "integer":
        if not _INTEGER.match(raw):
            raise ParamError(f"parameter {name}: {raw!r} is not a whole number")
        return ox.Literal(str(int(raw)), datatype=ox.NamedNode(XSD + "integer"))
    if kind == "decimal":
        if not _DECIMAL.match(raw):
            raise ParamError(f"parameter {name}: {raw!r} is not a decimal number such as 2.5")
        return ox.Literal(raw, datatype=ox.NamedNode(XSD + "decimal"))
    if kind == "date":
        try:
            if not re.match(r"^\d{4}-\d{2}-\d{2}$", raw):
                raise ValueError(raw)
            datetime.date.fromisoformat(raw)
        except ValueError:
            raise ParamError(f"parameter {name}: {raw!r} is not a date (YYYY-MM-DD)")
        return ox.Literal(raw, datatype=ox.NamedNode(XSD + "date"))
    if kind == "boolean":
        value = _BOOLEAN.get(raw.lower())
        if value is None:
            raise ParamError(f"parameter {name}: {raw!r} is not a boolean (true or false)")
        return ox.Literal(value, datatype=ox.NamedNode(XSD + "boolean"))
    raise ParamError(f"parameter {name}: type {kind} is resolved against the graph, not parsed")


def resolve_entity(engine, param: Param, raw: str, prefixes: dict[str, str]) -> tuple[ox.Term, str]:
    """The entity a value names (IRI, CURIE, label or synonym, any case) and a note when none or it is unknown.

    An unknown name is bound as the plain literal it is, which matches no entity: the query runs and
    returns no rows rather than widening.
    """
    bindings: dict[str, ox.Term] = {}
    restriction = ""
    if param.cls:
        bindings["_class"] = to_iri(f"{param.name} (its class)", param.cls, prefixes)
        restriction = _IN_CLASS
    name = ox.Literal(raw)
    if raw.startswith("<"):
        # A label may start with "<" (an HTML-looking name such as "<img ...>"): a name first, then an IRI.
        found = _entities(engine.select(_LOOKUP_EXACT % restriction, {**bindings, "_name": name}))
        if len(found) == 1:
            return found[0], ""
        if found:
            choices = ", ".join(_short(e, prefixes) for e in found)
            raise ParamError(f"parameter {param.name}: {raw!r} names {len(found)} entities ({choices}); pass one of these instead")
    if is_iri_like(raw, prefixes):
        iri = to_iri(param.name, raw, prefixes)
        if not engine.select(_EXISTS, {"_entity": iri}).rows:
            named = {row[0].value for row in engine.select(_ALL_ENTITIES % restriction, bindings).rows
                     if isinstance(row[0], ox.NamedNode)}
            shown = {_short(ox.NamedNode(e), prefixes): e for e in named}
            close = difflib.get_close_matches(_short(iri, prefixes), list(shown), n=3, cutoff=0.6)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            return iri, f"parameter {param.name}: {raw} is not in the graph{hint}"
        return iri, ""
    found = _entities(engine.select(_LOOKUP_EXACT % restriction, {**bindings, "_name": name}))
    if not found:
        found = _entities(engine.select(_LOOKUP_ANY_CASE % restriction, {**bindings, "_name": name}))
    if len(found) == 1:
        return found[0], ""
    if len(found) > 1:
        choices = ", ".join(_short(e, prefixes) for e in found)
        raise ParamError(f"parameter {param.name}: {raw!r} names {len(found)} entities ({choices}); pass one of these instead")
    names = sorted({row[0].value for row in engine.select(_ALL_NAMES % restriction, bindings).rows if row[0] is not None})
    lowered = {n.lower(): n for n in names}
    close = [lowered[n] for n in difflib.get_close_matches(raw.lower(), list(lowered), n=3, cutoff=0.6)]
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    where = f" among {_short(bindings['_class'], prefixes)}" if param.cls else ""
    return name, f"parameter {param.name}: nothing{where} is named {raw!r}{hint}"


def _entities(result) -> list[ox.NamedNode]:
    seen: dict[str, ox.NamedNode] = {}
    for row in result.rows:
        if isinstance(row[0], ox.NamedNode):
            seen.setdefault(row[0].value, row[0])
    return [seen[k] for k in sorted(seen)]


def _short(term: ox.Term, prefixes: dict[str, str]) -> str:
    if isinstance(term, ox.NamedNode):
        for prefix, ns in sorted(prefixes.items(), key=lambda kv: -len(kv[1])):
            if term.value.startswith(ns):
                return f"{prefix}:{term.value[len(ns):]}"
        return f"<{term.value}>"
    return str(term)


def given_or_default(param: Param, given: dict[str, str]) -> str | None:
    """The value given for a parameter, else its default; an empty value (`-p target=`) is the default."""
    raw = given.get(param.name, "")
    return raw if raw != "" else default_text(param.default)


def check(params: dict[str, Param], given: dict[str, str], prefixes: dict[str, str], query: str) -> None:
    """Refuse unknown or missing parameters and values of the wrong shape, before any engine is opened."""
    unknown = sorted(set(given) - set(params))
    if unknown:
        close = difflib.get_close_matches(unknown[0], list(params), n=1)
        hint = f"; did you mean {close[0]}?" if close else ""
        known = ", ".join(sorted(params)) or "none"
        raise ParamError(f"query {query} has no parameter {unknown[0]!r}{hint} (its parameters: {known})")
    for name, param in params.items():
        raw = given_or_default(param, given)
        if raw is None and param.required:
            about = f": {param.description}" if param.description else ""
            raise ParamError(f"query {query} needs parameter {name} ({param.type}{about}); pass it as -p {name}=VALUE")
        if raw is None:
            continue
        if param.type != "entity":
            to_term(param, raw, prefixes)
        elif is_iri_like(raw, prefixes) and not raw.startswith("<"):
            to_iri(name, raw, prefixes)  # "<..." may be a name: resolve_entity tries it as one first


@dataclass
class Bound:
    """The terms a query runs with, what the user should be told, and the names that matched nothing."""

    bindings: dict[str, ox.Term] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)


def bind(engine, params: dict[str, Param], given: dict[str, str], prefixes: dict[str, str], query: str) -> Bound:
    """The `?_name` bindings for a query from the values given (else the defaults), and notes for the user."""
    check(params, given, prefixes, query)
    bound = Bound()
    for name, param in params.items():
        raw = given_or_default(param, given)
        if raw is None:
            continue  # an optional parameter left unbound matches anything
        if param.type == "entity":
            term, note = resolve_entity(engine, param, raw, prefixes)
            if note:  # a name that names nothing, or an IRI the graph does not hold
                bound.notes.append(note)
                bound.unmatched.append(name)
        else:
            term = to_term(param, raw, prefixes)
        bound.bindings["_" + name] = term
    return bound
