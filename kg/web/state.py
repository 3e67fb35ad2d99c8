"""A query worker's view of the store (reopened when a build swaps in a new one) and how a page shows a term.

Every page model (kg.web.model, kg.web.entity_page, kg.web.landscape) reads through a `State` and
writes terms with `term`, so IRIs, literals and links look the same on every page.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg import names
from kg.engine import LocalEngine
from kg.paths import Paths
from kg.store import open_store
from kg.terms import Term
from kg.vocab import GRAPH, XSD


def _prefixes(paths: Paths) -> dict[str, str]:
    from kg.catalogue import prefixes

    return prefixes(paths)


class State:
    """The worker's view of the store: reopened when `kg build` swaps in a new one; caches keyed to it."""

    def __init__(self, paths: Paths):
        self.paths = paths
        self.prefixes = _prefixes(paths)
        self.opened: Path | None = None
        self.engine: LocalEngine | None = None
        # What the pages computed from this store, by name: the name index, the landscape, the entity graph,
        # graph pages. Each kind is read back only where it is put, so the values keep no common type.
        self.cache: dict[str, Any] = {}

    def fresh(self) -> LocalEngine:
        """The engine over the live store, reopened if a build replaced it since the last task."""
        try:
            live = self.paths.current_store.resolve(strict=True)
        except OSError:
            open_store(self.paths)  # raises NotBuilt with the message users know
            raise
        if live != self.opened or self.engine is None:
            self.engine = LocalEngine(self.paths)
            self.opened = live
            self.cache = {}
        return self.engine

    def curie(self, iri: str) -> str:
        short = names.curie(iri, self.prefixes, bare=True)
        if short != iri:
            return short
        if iri.startswith(GRAPH):
            return "graph:" + iri[len(GRAPH):]
        return iri

    def iri(self, ref: str) -> str | None:
        """The IRI a page address names: a CURIE with a known prefix or an absolute IRI; None otherwise."""
        prefix, sep, local = ref.partition(":")
        if sep and prefix in self.prefixes and not local.startswith("//"):
            return self.prefixes[prefix] + local
        if re.match(r"^https?://\S+$", ref):
            return ref
        return None


def term(state: State, term: Term, shown: dict[str, str]) -> dict:
    """A value as the page shows it: a link for an entity, text for a literal, a web link only for http(s)."""
    if isinstance(term, ox.NamedNode):
        if term.value.startswith(GRAPH):  # the build's own graphs (inferred, ontology) have no page
            return {"kind": "literal", "text": shown.get(term.value) or state.curie(term.value), "iri": term.value,
                    "label": shown.get(term.value) or state.curie(term.value)}
        return {"kind": "iri", "curie": state.curie(term.value),
                "label": shown.get(term.value) or state.curie(term.value), "iri": term.value}
    if isinstance(term, ox.Literal):
        value = term.value
        out = {"kind": "literal", "text": value}
        if term.datatype and term.datatype.value not in (XSD + "string",) and not term.language:
            out["datatype"] = state.curie(term.datatype.value)
        if re.match(r"^https?://[^\s<>\"]+$", value):
            out["url"] = value
        return out
    return {"kind": "literal", "text": str(term)}
