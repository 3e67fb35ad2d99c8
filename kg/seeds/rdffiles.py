"""The Turtle and N-Triples seed files: each file's named graph, its source quads, and loading N-Triples into a store.

A data file is its own source, in a graph named after the file. Turtle is parsed here, line numbers and
all; N-Triples (bulk data) is parsed once, by load_ntriples straight into the store.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from kg.errors import InputError
from kg.files import check_size, read_text
from kg.ontology import parse_turtle, statement_lines, syntax_problem
from kg.vocab import CART, RDF_TYPE, SRC


def file_graph(path: Path) -> ox.NamedNode:
    """The named graph (and source) of a Turtle or N-Triples seed file."""
    return ox.NamedNode(SRC + "file/" + path.name)


def file_source(graph: ox.NamedNode, shown: str) -> list[ox.Quad]:
    """The quads that make a data file's graph a source."""
    # A data file is its own source: its graph is typed cart:Source and titled with its path.
    return [ox.Quad(graph, ox.NamedNode(RDF_TYPE), ox.NamedNode(CART + "Source"), graph),
            ox.Quad(graph, ox.NamedNode(CART + "title"), ox.Literal(shown), graph)]


def load_ntriples(store: ox.Store, path: Path, shown: str, graph: ox.NamedNode, in_memory: bool = False) -> None:
    """Load one N-Triples seed file into its graph; size checked first, BOM skipped, errors at their line.

    An on-disk store bulk-loads; an in-memory one loads a fifth faster with a plain load.
    """
    check_size(path, shown)
    if _names_blank_nodes(path):
        return _load_ntriples_with_stable_blank_nodes(store, path, shown, graph)
    with path.open("rb") as handle:
        # The parser rejects a byte order mark; N-Triples is UTF-8, so a BOM is noise to skip.
        if handle.read(3) != b"\xef\xbb\xbf":
            handle.seek(0)
        try:
            (store.load if in_memory else store.bulk_load)(input=handle, format=ox.RdfFormat.N_TRIPLES, to_graph=graph)
        except SyntaxError as exc:
            last = path.read_bytes().rstrip().count(b"\n") + 1
            raise InputError([syntax_problem(exc, shown, "N-Triples", last)])


def _names_blank_nodes(path: Path) -> bool:
    # "_:" anywhere, a literal's text included: a false alarm only sends the file the slower way.
    with path.open("rb") as handle:
        return any(b"_:" in chunk for chunk in iter(lambda: handle.read(1 << 20) + handle.readline(), b""))


def _load_ntriples_with_stable_blank_nodes(store: ox.Store, path: Path, shown: str, graph: ox.NamedNode) -> None:
    """Load an N-Triples file whose blank nodes keep names made from the file and their order (a store's
    loader would name them at random, so that no two builds exported the same bytes)."""
    from kg.ontology import stable_blank_nodes

    data = path.read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        # streamed into the store; a syntax error on the way fails the build, which drops the store or the graph
        store.extend(ox.Quad(t.subject, t.predicate, t.object, graph)
                     for t in stable_blank_nodes(ox.parse(data, format=ox.RdfFormat.N_TRIPLES), shown))
    except SyntaxError as exc:
        raise InputError([syntax_problem(exc, shown, "N-Triples", data.rstrip().count(b"\n") + 1)])


def read_turtle(path: Path, shown: str, typed: dict[str, set[str]],
                locations: dict[str, tuple[str, int]]) -> list[ox.Quad]:
    """A Turtle seed file's quads in its graph, with the file's own source quads; the classes it gives
    its subjects go into `typed`, and the line where each is first stated into `locations`."""
    graph = file_graph(path)
    text = read_text(path, shown)
    file_quads, file_prefixes = parse_turtle(text, shown, graph)
    for iri, line in statement_lines(text, file_prefixes).items():
        locations.setdefault(iri, (shown, line))
    for q in file_quads:
        if q.predicate.value == RDF_TYPE:
            typed.setdefault(q.subject.value, set()).add(q.object.value)
    return file_quads + file_source(graph, shown)
