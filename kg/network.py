"""The graph as networkx sees it: entities as nodes, object-property triples as edges, read from an engine."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import networkx as nx
import pyoxigraph as ox

from kg import names
from kg.engine import Engine
from kg.errors import KgError
from kg.terms import Term
from kg.vocab import CART, GRAPH_ACCEPTED, GRAPH_INFERRED, GRAPH_ONTOLOGY, SPARQL_PREFIXES

ENTITY, SOURCE, TERM = "entity", "source", "term"

# Every query names its graphs (GRAPH ?g), so it reads the same on the embedded store and on an
# endpoint whose default graph is not the union of the named graphs.
CLASSES = f"""SELECT ?c ?label ?parent WHERE {{
  GRAPH <{GRAPH_ONTOLOGY}> {{ ?c a owl:Class . FILTER(isIRI(?c))
    OPTIONAL {{ ?c rdfs:label ?label }} OPTIONAL {{ ?c rdfs:subClassOf ?parent . FILTER(isIRI(?parent)) }} }}
}}"""
PROPERTIES = f"""SELECT ?p ?kind ?label WHERE {{
  GRAPH <{GRAPH_ONTOLOGY}> {{ ?p a ?kind . FILTER(?kind IN (owl:ObjectProperty, owl:DatatypeProperty))
    OPTIONAL {{ ?p rdfs:label ?label }} }}
}}"""
# Only the classes an entity can be shown as (VALUES): with every type, the curated graph gave 37.8k rows,
# most of them the claims' own (cart:Claim and the inferred rdf:Statement, prov:Entity), all thrown away;
# now 3.1k (0.29 -> 0.02 s).
TYPES = """SELECT DISTINCT ?s ?c WHERE { GRAPH ?g { ?s a ?c } VALUES ?c { %s } FILTER(isIRI(?s)) }"""
TERMS = f"""SELECT DISTINCT ?s WHERE {{ GRAPH <{GRAPH_ONTOLOGY}> {{ ?s a ?c }} FILTER(isIRI(?s)) }}"""
NAMES = """SELECT DISTINCT ?s ?p ?name WHERE {
  GRAPH ?g { ?s ?p ?name } VALUES ?p { rdfs:label skos:altLabel cart:title } FILTER(isIRI(?s))
}"""
LINKS = """SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } VALUES ?p { %s } FILTER(isIRI(?s) && isIRI(?o)) }"""
VALUES_OF = """SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } VALUES ?p { %s } FILTER(isLiteral(?o)) }"""
# The claims, and each of the four things a claim may also carry by a query of its own, joined here: one
# query with four OPTIONALs took 1.0 s for the curated graph's 15k claims, these five 0.67 s together.
# A claim is what has cart:statedIn (its domain is cart:Claim).
CLAIMS = """SELECT ?c ?s ?p ?o ?src WHERE { GRAPH ?g {
  ?c cart:statedIn ?src ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o } }"""
CLAIM_ATTRIBUTE = """SELECT ?c ?v WHERE { GRAPH ?g { ?c %s ?v } }"""
CLAIM_ATTRIBUTES = ("cart:quote", "cart:negated", "cart:rank", "cart:reasonText")  # in the order of a claim row
# The properties only a claim has (their domain is cart:Claim or a subclass): they describe a claim, not the
# entity it is about, and claims are never nodes, so their values and links are not read (the curated
# graph's links: 50k rows, 46k of them the claims' rank, source and status, 0.58 s; now 3.6k, 0.04 s).
CLAIM_PROPERTIES = f"""SELECT DISTINCT ?p WHERE {{
  GRAPH <{GRAPH_ONTOLOGY}> {{ ?p rdfs:domain ?d . ?d rdfs:subClassOf* cart:Claim }}
}}"""
DEPRECATED = CART + "DeprecatedRank"
TRIPLES_PER_GRAPH = """SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"""

# How a claim about a name, a type or a mapping reads (the ontology labels only its own properties).
BUILTIN_LABELS = {
    SPARQL_PREFIXES["rdf"] + "type": "is a",
    SPARQL_PREFIXES["rdfs"] + "label": "name",
    SPARQL_PREFIXES["rdfs"] + "comment": "comment",
    SPARQL_PREFIXES["rdfs"] + "seeAlso": "see also",
    SPARQL_PREFIXES["skos"] + "altLabel": "also called",
    SPARQL_PREFIXES["skos"] + "exactMatch": "same as",
    SPARQL_PREFIXES["skos"] + "closeMatch": "close to",
    SPARQL_PREFIXES["owl"] + "sameAs": "same as",
}


def curie(iri: str) -> str:
    """An IRI as a CURIE with one of the predeclared prefixes, else the IRI itself (kg/export.py and kg/viz.py
    call this; names.curie(iri, bare=True) is the one rule)."""
    return names.curie(iri, bare=True)


@dataclass(frozen=True)
class OntologyClass:
    """A class of the ontology, as the graph page and the statistics show it."""

    iri: str
    label: str
    parents: tuple[str, ...] = ()


@dataclass(frozen=True)
class Claim:
    """What one source says about an entity, with its own words."""

    source: str
    source_label: str
    predicate: str
    value: str
    quote: str
    negated: bool = False
    rank: str = ""
    reason: str = ""


@dataclass(frozen=True)
class Disputed:
    """A link a source claims that the graph does not accept (a deprecated claim), with why."""

    subject: str
    object: str
    property: str
    label: str
    sources: tuple[str, ...]
    reason: str


@dataclass
class EntityGraph:
    """Entities (nodes keyed by IRI) and the object-property triples between them (edges keyed by property).

    Node attributes: label, names (synonyms), cls (most specific class), kind, facts ([(property, value)]),
    claims ([Claim]). Edge attributes: property, label, inferred (only the inference graph holds it), sources.
    `disputed` holds the links sources claim that the graph does not accept: drawn, never walked.
    """

    graph: nx.MultiDiGraph
    classes: dict[str, OntologyClass] = field(default_factory=dict)
    property_labels: dict[str, str] = field(default_factory=dict)
    disputed: list[Disputed] = field(default_factory=list)

    def subclasses(self, iri: str) -> set[str]:
        """The class and every class below it."""
        below: dict[str, set[str]] = defaultdict(set)
        for c in self.classes.values():
            for p in c.parents:
                below[p].add(c.iri)
        found, todo = {iri}, [iri]
        while todo:
            for child in below[todo.pop()] - found:
                found.add(child)
                todo.append(child)
        return found

    def class_label(self, iri: str) -> str:
        """The rdfs:label of a class, else its CURIE."""
        c = self.classes.get(iri)
        return c.label if c else curie(iri)

    def label(self, node: str) -> str:
        """The name an entity is shown by."""
        return self.graph.nodes[node]["label"]

    def undirected(self) -> nx.Graph:
        """One edge per pair of linked entities, direction and property forgotten (for paths and components)."""
        return nx.Graph(self.graph)

    def subgraph(self, nodes: set[str]) -> EntityGraph:
        """The entities given and the links between them, as a graph of their own."""
        return EntityGraph(self.graph.subgraph(nodes).copy(), self.classes, self.property_labels,
                           [d for d in self.disputed if d.subject in nodes and d.object in nodes])


def _most_specific(classes: set[str], known: dict[str, OntologyClass]) -> str:
    """The one class of a set no other member is a subclass of (the first by IRI if several are)."""
    ancestors: dict[str, set[str]] = {}

    def above(c: str) -> set[str]:
        if c not in ancestors:
            ancestors[c] = set()
            for p in known[c].parents if c in known else ():
                if p in known:
                    ancestors[c] |= {p} | above(p)
        return ancestors[c]

    implied = set().union(*(above(c) for c in classes))
    leaves = sorted(classes - implied) or sorted(classes)
    return leaves[0]


def load(engine: Engine, sources: bool = False, terms: bool = False) -> EntityGraph:
    """The entity graph of what the engine holds: sources and ontology terms only when asked; never claims."""
    classes = _classes(engine)
    object_props, datatype_props = _properties(engine)
    eg = EntityGraph(nx.MultiDiGraph(), classes, {**datatype_props, **object_props})
    called_by = _names(engine)
    _add_entities(engine, eg, called_by, sources, terms)
    claim_rows = _claims(engine)
    of_claims = {row[0].value for row in engine.select(CLAIM_PROPERTIES).rows}
    links = {p: label for p, label in object_props.items() if p not in of_claims}
    if links:
        _add_links(engine, eg, links, claim_rows)
    wanted = {p: label for p, label in datatype_props.items() if p not in of_claims}
    if wanted:
        _add_facts(engine, eg, wanted)
    _add_claims(eg, called_by, claim_rows)
    return eg


def _claims(engine: Engine) -> list[tuple]:
    """Each claim as (subject, predicate, object, source, quote, negated, rank, reason); None where it has none."""
    extra: list[dict[str, Term]] = []
    for attribute in CLAIM_ATTRIBUTES:
        extra.append({c.value: v for c, v in engine.select(CLAIM_ATTRIBUTE % attribute).rows if v is not None})
    return [(s, p, o, src, *(values.get(c.value) for values in extra))
            for c, s, p, o, src in engine.select(CLAIMS).rows]


def _classes(engine: Engine) -> dict[str, OntologyClass]:
    """The ontology's classes with their labels and superclasses."""
    parents: dict[str, set[str]] = defaultdict(set)
    class_labels: dict[str, str] = {}
    for c, label, parent in engine.select(CLASSES).rows:
        if label is not None:
            class_labels.setdefault(c.value, label.value)
        if parent is not None:
            parents[c.value].add(parent.value)
        parents.setdefault(c.value, set())
    return {iri: OntologyClass(iri, class_labels.get(iri) or curie(iri), tuple(sorted(ps)))
            for iri, ps in parents.items()}


def _properties(engine: Engine) -> tuple[dict[str, str], dict[str, str]]:
    """The object and the datatype properties of the ontology, each with its label (else its CURIE)."""
    object_props: dict[str, str] = {}
    datatype_props: dict[str, str] = {}
    for p, kind, label in engine.select(PROPERTIES).rows:
        target = object_props if kind.value.endswith("ObjectProperty") else datatype_props
        if p.value not in target or label is not None:
            target[p.value] = label.value if label is not None else curie(p.value)
    return object_props, datatype_props


def _names(engine: Engine) -> dict[str, dict[str, set[str]]]:
    """Every name of every IRI, by property (see names.SHOWN_BY)."""
    found: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for s, p, name in engine.select(NAMES).rows:
        found[s.value][p.value].add(name.value)
    return found


def _add_entities(engine: Engine, eg: EntityGraph, called_by: dict[str, dict[str, set[str]]],
                  sources: bool, terms: bool) -> None:
    """A node per typed IRI, with its most specific class, its kind, the name it is shown by and its synonyms."""
    classes = eg.classes
    # Publishers come with the sources: without them they would stand alone, linked only to sources.
    source_classes = eg.subclasses(CART + "Source") | eg.subclasses(CART + "Publisher")
    claim_classes = eg.subclasses(CART + "Claim")
    typed: dict[str, set[str]] = defaultdict(set)
    shown = sorted(set(classes) - claim_classes)
    for s, c in engine.select(TYPES % " ".join(str(ox.NamedNode(c)) for c in shown)).rows if shown else ():
        typed[s.value].add(c.value)
    in_ontology = {row[0].value for row in engine.select(TERMS).rows}
    for iri, its_classes in typed.items():
        if iri in classes:
            continue  # a class used as an instance (punning) is an ontology term, never an entity
        # A regulator that also publishes records is a regulator here: sources only when nothing else.
        domain = its_classes - source_classes
        cls = _most_specific(domain or its_classes, classes)
        kind = TERM if iri in in_ontology else ENTITY if domain else SOURCE
        if (kind == TERM and not terms) or (kind == SOURCE and not sources):
            continue
        known = called_by.get(iri, {})
        label = names.called(known) or curie(iri)
        synonyms = set().union(*(known.get(p, set()) for p in names.SHOWN_BY)) - {label}
        eg.graph.add_node(iri, label=label, names=sorted(synonyms, key=str.lower), cls=cls, kind=kind, facts=[],
                          claims=[])


def _add_links(engine: Engine, eg: EntityGraph, object_props: dict[str, str], claim_rows: list) -> None:
    """An edge per object-property triple between two entities (with the sources that say it), and the
    links sources claim that the graph does not accept, as `eg.disputed`."""
    g = eg.graph
    seen: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    values = " ".join(str(ox.NamedNode(p)) for p in sorted(object_props))
    for s, p, o, graph in engine.select(LINKS % values).rows:
        if s.value in g and o.value in g and s.value != o.value:
            seen[(s.value, p.value, o.value)].add(graph.value)
    claimed: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for s, p, o, src, _, negated, rank, _ in claim_rows:
        if rank is not None and rank.value != DEPRECATED and not _true(negated) and isinstance(o, ox.NamedNode):
            claimed[(s.value, p.value, o.value)].add(src.value)
    for (subject, prop, obj), graphs in sorted(seen.items()):
        sources = sorted((graphs - {GRAPH_INFERRED, GRAPH_ONTOLOGY, GRAPH_ACCEPTED})
                         | claimed.get((subject, prop, obj), set()))
        g.add_edge(subject, obj, key=prop, property=prop, label=object_props[prop],
                   inferred=graphs == {GRAPH_INFERRED}, sources=sources)
    disputed: dict[tuple[str, str, str], tuple[set[str], list[str]]] = {}
    for s, p, o, src, _, negated, rank, reason in claim_rows:
        if rank is None or rank.value != DEPRECATED or _true(negated) or p.value not in object_props:
            continue
        if s.value in g and o.value in g and not g.has_edge(s.value, o.value, key=p.value):
            said, why = disputed.setdefault((s.value, p.value, o.value), (set(), []))
            said.add(src.value)
            if reason is not None:
                why.append(reason.value)
    eg.disputed = [Disputed(s, o, p, object_props[p], tuple(sorted(said)), sorted(set(why))[0] if why else "")
                   for (s, p, o), (said, why) in sorted(disputed.items())]


def _add_facts(engine: Engine, eg: EntityGraph, wanted: dict[str, str]) -> None:
    """Each entity's values of the datatype properties wanted, as (property label, value) pairs."""
    g = eg.graph
    values = " ".join(str(ox.NamedNode(p)) for p in sorted(wanted))
    facts = sorted((s.value, wanted[p.value], o.value) for s, p, o in engine.select(VALUES_OF % values).rows
                   if s.value in g)
    for s, prop, value in facts:
        g.nodes[s]["facts"].append((prop, value))


def _add_claims(eg: EntityGraph, called_by: dict[str, dict[str, set[str]]], claim_rows: list) -> None:
    """What each source says about each entity, with its own words."""
    g = eg.graph

    def shown(term: Term) -> str:
        if isinstance(term, ox.NamedNode):
            if term.value in g:
                return g.nodes[term.value]["label"]
            return names.called(called_by.get(term.value)) or curie(term.value)
        return term.value

    for s, p, o, src, quote, negated, rank, reason in claim_rows:
        if s.value not in g:
            continue
        g.nodes[s.value]["claims"].append(Claim(
            source=src.value, source_label=shown(src),
            predicate=eg.property_labels.get(p.value) or BUILTIN_LABELS.get(p.value) or curie(p.value),
            value=shown(o), quote=quote.value if quote is not None else "", negated=_true(negated),
            rank=rank.value.rsplit("#", 1)[-1].removesuffix("Rank").lower() if rank is not None else "",
            reason=reason.value if reason is not None else ""))
    for node in g:
        g.nodes[node]["claims"] = sorted(set(g.nodes[node]["claims"]),
                                         key=lambda c: (c.source_label.lower(), c.predicate, c.value, c.quote))


def _true(term: Term | None) -> bool:
    return term is not None and term.value in ("true", "1")


def resolve_class(eg: EntityGraph, name: str) -> str:
    """The class a user names by label, CURIE or IRI (any case)."""
    wanted = name.strip().strip("<>").lower()
    for c in eg.classes.values():
        if wanted in (c.iri.lower(), curie(c.iri).lower(), c.label.lower(), c.iri.rsplit("#", 1)[-1].lower()):
            return c.iri
    shown = ", ".join(sorted(eg.class_label(c) for c in {eg.graph.nodes[n]["cls"] for n in eg.graph}))
    raise KgError(f"no class is called {name!r} (classes in the graph: {shown})")


def restrict(eg: EntityGraph, classes: list[str], keep: set[str] | None = None) -> EntityGraph:
    """Only the entities of the given classes (and their subclasses), plus `keep`."""
    allowed: set[str] = set()
    for c in classes:
        allowed |= eg.subclasses(c)
    nodes = {n for n, cls in eg.graph.nodes(data="cls") if cls in allowed} | (keep or set())
    return eg.subgraph(nodes)


def around(eg: EntityGraph, center: str, depth: int, disputed: bool = False) -> EntityGraph:
    """The entities at most `depth` links from `center`, whatever the links' direction.

    With `disputed`, the links sources claim that the graph does not accept count as links too (a page
    around an entity shows what is disputed about it; paths and neighbours never walk them).
    """
    if center not in eg.graph:
        raise KgError(f"{curie(center)} is not an entity of the graph (is it a source or an ontology term?)")
    if depth < 0:
        raise KgError("depth must be 0 or more")
    walk = nx.Graph(eg.graph.to_undirected(as_view=True))
    if disputed:
        walk.add_edges_from((d.subject, d.object) for d in eg.disputed)
    reach = nx.single_source_shortest_path_length(walk, center, cutoff=depth)
    return eg.subgraph(set(reach))
