"""The URLs of a SPARQL store: given its query URL, the SPARQL Update and Graph Store Protocol URLs that
a known kind of server (Oxigraph, Virtuoso, Fuseki, GraphDB, RDF4J) puts beside it. This is knowledge
of server products' URL layouts, not HTTP: nothing here opens a connection, so `kg push` can refuse an
unknown layout before it reads or checks anything, and the guesses are tested without a server."""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass

from kg.errors import KgError


@dataclass(frozen=True)
class Endpoints:
    """The three URLs of a store: SPARQL query, SPARQL update and Graph Store Protocol."""

    query: str
    update: str
    graph_store: str


def derive(query_url: str, update: str | None = None, graph_store: str | None = None) -> Endpoints:
    """The update and graph store URLs of a known kind of server, from its query URL (given ones win).

    Oxigraph: /query -> /update, /store. Virtuoso: /sparql -> /sparql, /sparql-graph-crud.
    Fuseki: /DATASET/query or /DATASET/sparql -> /DATASET/update, /DATASET/data.
    GraphDB and RDF4J: /repositories/REPO -> .../statements, .../rdf-graphs/service.
    """
    parts = urllib.parse.urlsplit(query_url)
    path = parts.path.rstrip("/")
    segments = path.split("/")

    def at(new_path: str) -> str:
        return urllib.parse.urlunsplit((parts.scheme, parts.netloc, new_path, "", ""))

    guess: tuple[str, str] | None = None
    if path == "/query":
        guess = (at("/update"), at("/store"))
    elif path == "/sparql":
        guess = (at("/sparql"), at("/sparql-graph-crud"))
    elif len(segments) >= 3 and segments[-1] in ("query", "sparql"):
        base = "/".join(segments[:-1])
        guess = (at(base + "/update"), at(base + "/data"))
    elif len(segments) >= 3 and segments[-2] == "repositories":
        guess = (at(path + "/statements"), at(path + "/rdf-graphs/service"))
    update = update or (guess[0] if guess else None)
    graph_store = graph_store or (guess[1] if guess else None)
    if not update or not graph_store:
        raise KgError(f"cannot tell the update and graph store URLs of {query_url}: "
                      "give --update URL and --graph-store URL")
    return Endpoints(query_url, update, graph_store)
