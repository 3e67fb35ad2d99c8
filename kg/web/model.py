"""The tasks a query worker runs by name (kg.web.pool): search, canned queries, SPARQL, the graph page.

What each page shows is read from the store inside the worker and returned as plain data, never HTML;
the entity page and the landscape have modules of their own (kg.web.entity_page, kg.web.landscape).
"""

from __future__ import annotations

import difflib
import re

import pyoxigraph as ox

from kg.errors import KgError
from kg.names import labels
from kg.vocab import SPARQL_PREFIXES
from kg.web.entity_page import entity  # noqa: F401 - a task the workers run by name
from kg.web.landscape import landscape
from kg.web.state import State, term

# Every property a person may search by: names, synonyms, code names and identifiers.
NAME_PROPERTIES = ("rdfs:label", "skos:altLabel", "cart:codeName", "cart:innName", "cart:brandName",
                   "cart:nctId", "cart:chictrId", "cart:hgncId", "cart:mondoId", "cart:geneSymbol", "cart:title")
_NAMES = f"""SELECT ?e ?name ?cls WHERE {{
  ?e {'|'.join(NAME_PROPERTIES)} ?name .
  OPTIONAL {{ ?e a ?cls }}
  FILTER(isIRI(?e))
}}"""
_CLASS_LABELS = "SELECT ?c (MIN(STR(?l)) AS ?label) WHERE { ?c a owl:Class ; rdfs:label ?l } GROUP BY ?c"


def _names(state: State) -> dict:
    """Each entity's label, class and every name it may be searched by (cached per store)."""
    engine = state.fresh()  # first: a new build empties the caches
    if "names" in state.cache:
        return state.cache["names"]
    class_labels = {row[0].value: row[1].value for row in engine.select(_CLASS_LABELS).rows if row[1] is not None}
    entities: dict[str, dict] = {}
    for e, name, cls in engine.select(_NAMES).rows:
        item = entities.setdefault(e.value, {"names": set(), "classes": set(), "types": set()})
        item["names"].add(name.value)
        if cls is not None:
            item["types"].add(cls.value)  # every class, inferred superclasses too: a form's field filters by it
            if cls.value in class_labels:
                item["classes"].add(class_labels[cls.value])
    found = labels(engine, set(entities))
    index = {}
    for iri, item in entities.items():
        curie = state.curie(iri)
        names = sorted(item["names"] | {curie})
        index[iri] = {"curie": curie, "label": found.get(iri) or min(item["names"]), "names": names,
                      "cls": ", ".join(sorted(item["classes"])), "types": item["types"],
                      "keys": [(_key(n), n) for n in names]}
    state.cache["names"] = index
    return index


def _key(text: str) -> str:
    """Names compared without case, spaces, hyphens or dots: "caba 201" finds CABA-201."""
    return re.sub(r"[\s\-_.]+", "", text.casefold())


def search(state: State, text: str, limit: int = 20, cls: str | None = None) -> list[dict]:
    """Entities whose name, synonym, code name, identifier or CURIE matches: whole, then from the start, then anywhere.

    `cls` (a CURIE or IRI) keeps only the entities of that class, as an entity parameter's `class` does.
    """
    wanted = _key(text)
    if not wanted:
        return []
    only = state.iri(cls) if cls else None
    ranked = []
    for iri, item in _names(state).items():
        if only and only not in item["types"]:
            continue
        best = None
        for key, name in item["keys"]:
            rank = 0 if key == wanted else 1 if key.startswith(wanted) else 2 if wanted in key else None
            if rank is not None and (best is None or rank < best[0]):
                best = (rank, name)
        if best is not None:
            ranked.append((best[0], item["label"].casefold(), iri, best[1]))
    ranked.sort()
    out = []
    for rank, _, iri, matched in ranked[:limit]:
        item = _names(state)[iri]
        out.append({"curie": item["curie"], "label": item["label"], "cls": item["cls"],
                    "matched": matched if matched != item["label"] else "", "exact": rank == 0})
    return out


def nearest(state: State, text: str, n: int = 5) -> list[dict]:
    """The entities with names closest to a text that named none (for the 404 page)."""
    index = _names(state)
    by_key: dict[str, str] = {}
    for iri, item in index.items():
        for key, _ in item["keys"]:
            by_key.setdefault(key, iri)
    close = difflib.get_close_matches(_key(text.rpartition(":")[2] or text), list(by_key), n=n * 3, cutoff=0.5)
    seen, out = set(), []
    for key in close:
        iri = by_key[key]
        if iri not in seen:
            seen.add(iri)
            out.append({"curie": index[iri]["curie"], "label": index[iri]["label"], "cls": index[iri]["cls"]})
    return out[:n]


def canned(state: State, name: str, given: dict[str, str], fmt: str) -> dict:
    """A canned query's answer, as table cells or rendered in `fmt`.

    Rendered exactly as `kg query NAME --format fmt` prints it.
    """
    from kg.catalogue import run_query
    from kg.render import render

    engine = state.fresh()
    answer = run_query(state.paths, name, given, labelled=fmt == "cells", engine=engine)
    if fmt != "cells":
        return {"text": render(answer.result, fmt, answer.labels), "notes": answer.notes}
    rows = [[None if t is None else term(state, t, answer.labels) for t in row] for row in answer.result.rows]
    return {"variables": answer.result.variables, "rows": rows, "notes": answer.notes}


_SYNTAX = re.compile(r"^error at (\d+):(\d+): ?(.*)$", re.S)
RESULT_FORMATS = {
    "json": (ox.QueryResultsFormat.JSON, "application/sparql-results+json"),
    "xml": (ox.QueryResultsFormat.XML, "application/sparql-results+xml"),
    "csv": (ox.QueryResultsFormat.CSV, "text/csv; charset=utf-8"),
    "tsv": (ox.QueryResultsFormat.TSV, "text/tab-separated-values; charset=utf-8"),
}
GRAPH_FORMATS = {
    "turtle": (ox.RdfFormat.TURTLE, "text/turtle; charset=utf-8"),
    "ntriples": (ox.RdfFormat.N_TRIPLES, "application/n-triples"),
    "rdfxml": (ox.RdfFormat.RDF_XML, "application/rdf+xml"),
}


class SparqlSyntax(KgError):
    """A query that does not parse; the message says line and column."""


def sparql(state: State, text: str, results: str, graph: str) -> tuple[bytes, str]:
    """A SPARQL query's answer serialized (results formats for SELECT/ASK, RDF for CONSTRUCT/DESCRIBE)."""
    engine = state.fresh()
    try:
        answer = engine.store.query(text, prefixes=SPARQL_PREFIXES, use_default_graph_as_union=True)
    except SyntaxError as exc:
        message = str(exc)
        m = _SYNTAX.match(message)
        if m:
            raise SparqlSyntax(f"line {m.group(1)}, column {m.group(2)}: {m.group(3)}")
        raise SparqlSyntax(message)
    except OSError as exc:
        raise KgError(f"the query failed: {exc}")
    if isinstance(answer, ox.QueryTriples):
        rdf_format, media = GRAPH_FORMATS[graph]
        serialized = answer.serialize(format=rdf_format)
    else:
        results_format, media = RESULT_FORMATS[results]
        serialized = answer.serialize(format=results_format)
    assert serialized is not None  # given no output file, serialize returns the bytes (its stub says bytes | None)
    return serialized, media


def graph_page(state: State, focus: str | None, depth: int) -> str | None:
    """The kg viz page of the whole graph, or around one entity; None if the focus is not an entity of the graph."""
    from kg import network, viz

    engine = state.fresh()
    if "entity-graph" not in state.cache:
        state.cache["entity-graph"] = network.load(engine)
    eg = state.cache["entity-graph"]
    key = f"graph-page {focus} {depth}"
    if key in state.cache:
        return state.cache[key]
    title = "cartkg graph"
    center = None
    if focus:
        center = state.iri(focus)
        if center is None or center not in eg.graph:
            return None
        title += f": around {eg.label(center)}, {depth} link{'s' if depth != 1 else ''} deep"
    page = viz.render(viz.narrow(eg, center, depth), title, center)
    if focus is None:
        state.cache[key] = page
    return page


def warm(state: State, more: bool = False) -> None:
    """Build the name index search needs; with `more`, also what other pages need first (when the worker is idle)."""
    try:
        _names(state)
        if more:
            import kg.network  # noqa: F401 - entity pages use its labels; importing networkx takes 0.2 s

            landscape(state)
    except Exception:
        pass


