"""Where queries run: the embedded store under build/ (or, with --endpoint, a remote SPARQL endpoint)."""

from __future__ import annotations

from typing import Protocol

import pyoxigraph as ox

from kg.errors import KgError
from kg.paths import Paths
from kg.results import Answer, Result, from_oxigraph
from kg.sparqltext import refusals
from kg.store import open_store, select
from kg.terms import Term


class Engine(Protocol):
    """Runs read-only SPARQL and answers with Results."""

    name: str

    def select(self, sparql: str, bindings: dict[str, Term] | None = None) -> Result: ...

    def construct(self, sparql: str) -> list[ox.Triple]: ...

    def run(self, sparql: str, bindings: dict[str, Term] | None = None, fmt: str | None = None) -> Answer: ...


def ensure_read_only(sparql: str, where: str) -> None:
    """Refuse updates, SERVICE and FROM <elsewhere> in a query before it runs."""
    refused = refusals(sparql, allow_from=False)
    if refused:
        r = refused[0]
        raise KgError(f"{where}:{r.line}: {r.reason}")


class LocalEngine:
    """The embedded Oxigraph store built by `kg build`."""

    name = "embedded store"

    def __init__(self, paths: Paths) -> None:
        self.store = open_store(paths)

    def select(self, sparql: str, bindings: dict[str, Term] | None = None) -> Result:
        try:
            solutions = select(self.store, sparql, bindings)
        except SyntaxError as exc:
            raise KgError(f"query does not parse: {exc}")
        if isinstance(solutions, ox.QueryBoolean):
            return Result(["result"], [[ox.Literal(str(bool(solutions)).lower(), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean"))]])
        if isinstance(solutions, ox.QueryTriples):
            return Result(["subject", "predicate", "object"], [[t.subject, t.predicate, t.object] for t in solutions])
        return Result.from_solutions(solutions)

    def construct(self, sparql: str) -> list[ox.Triple]:
        return list(select(self.store, sparql))

    def run(self, sparql: str, bindings: dict[str, Term] | None = None, fmt: str | None = None) -> Answer:
        """Any query form, answered in its own kind: rows, a boolean or triples (fmt matters only remotely)."""
        try:
            return from_oxigraph(select(self.store, sparql, bindings))
        except SyntaxError as exc:
            raise KgError(f"query does not parse: {exc}")


def open_engine(paths: Paths, endpoint: str | None = None, timeout: float | None = None) -> Engine:
    """The engine to query: a remote endpoint when given, else the embedded store.

    A remote endpoint's timeout is `timeout`, else $KG_ENDPOINT_TIMEOUT, else 30 s.
    """
    if endpoint:
        from kg.endpoint import RemoteEngine

        return RemoteEngine(endpoint, timeout=timeout)
    return LocalEngine(paths)
