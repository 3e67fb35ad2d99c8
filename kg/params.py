"""Query parameters: a user's text turned into the typed RDF term a canned query binds (never pasted into it)."""

from __future__ import annotations

import datetime
import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg.errors import KgError
from kg.names import NameProblem, expand, is_iri_like, lookup
from kg.sparqltext import Param
from kg.terms import Term
from kg.vocab import XSD

if TYPE_CHECKING:
    from kg.engine import Engine

_INTEGER = re.compile(r"^[+-]?\d+$")
_DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_BOOLEAN = {"true": "true", "yes": "true", "1": "true", "false": "false", "no": "false", "0": "false"}


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


def to_iri(name: str, raw: str, prefixes: Mapping[str, str]) -> ox.NamedNode:
    """An <IRI>, absolute IRI or CURIE as a NamedNode; anything that could break out of an IRI is refused."""
    try:
        return expand(raw, prefixes)
    except NameProblem as exc:
        raise ParamError(f"parameter {name}: {exc}") from None


def to_term(param: Param, raw: str, prefixes: Mapping[str, str]) -> Term:
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


def resolve_entity(engine: Engine, param: Param, raw: str, prefixes: Mapping[str, str]) -> tuple[Term, str]:
    """The entity a value names (IRI, CURIE, label or synonym, any case) and a note when none or it is unknown.

    An unknown name is bound as the plain literal it is, which matches no entity: the query runs and
    returns no rows rather than widening.
    """
    cls = to_iri(f"{param.name} (its class)", param.cls, prefixes) if param.cls else None
    try:
        found = lookup(engine, raw, prefixes, cls)
    except NameProblem as exc:
        raise ParamError(f"parameter {param.name}: {exc}") from None
    return found.term, f"parameter {param.name}: {found.missing}" if found.missing else ""


def given_or_default(param: Param, given: dict[str, str]) -> str | None:
    """The value given for a parameter, else its default; an empty value (`-p target=`) is the default."""
    raw = given.get(param.name, "")
    return raw if raw != "" else default_text(param.default)


def validate(params: dict[str, Param], given: dict[str, str], prefixes: Mapping[str, str], query: str) -> None:
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

    bindings: dict[str, Term] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)


def bind(engine: Engine, params: dict[str, Param], given: dict[str, str], prefixes: Mapping[str, str],
         query: str) -> Bound:
    """The `?_name` bindings for a query from the values given (else the defaults), and notes for the user."""
    validate(params, given, prefixes, query)
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
