"""Inference: the set-wise schema rules and the join rules derive exactly what the textbook rules do.

The oracle is the plain definition of each rule as one generic SPARQL CONSTRUCT, applied until nothing
changes; it is slow on big graphs but has no shortcuts, so any difference is a bug in kg.infer.
"""

from __future__ import annotations

import re

import pyoxigraph as ox
import pytest

from kg import infer
from kg.store import select
from kg.vocab import GRAPH_INFERRED, SPARQL_PREFIXES

ORACLE = {
    "subclass": "CONSTRUCT { ?x a ?d } WHERE { ?c rdfs:subClassOf+ ?d . FILTER(isIRI(?d)) ?x a ?c . }",
    "subproperty": "CONSTRUCT { ?s ?q ?o } WHERE { ?p rdfs:subPropertyOf+ ?q . FILTER(isIRI(?q)) ?s ?p ?o . }",
    "symmetric": "CONSTRUCT { ?o ?p ?s } WHERE { ?p a owl:SymmetricProperty . ?s ?p ?o . FILTER(!isLiteral(?o)) }",
    "inverse": """CONSTRUCT { ?o ?q ?s } WHERE { { ?p owl:inverseOf ?q } UNION { ?q owl:inverseOf ?p }
                                               ?s ?p ?o . FILTER(!isLiteral(?o)) }""",
    "investigated-for": """CONSTRUCT { ?t cart:investigatedFor ?d } WHERE {
                             ?trial cart:evaluates ?t ; cart:studiesCondition ?d }""",
}

DATA = """
@prefix ex: <http://example.org/> .
@prefix cart: <https://w3id.org/cartkg/ontology#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .

ex:A rdfs:subClassOf ex:B . ex:B rdfs:subClassOf ex:C .
ex:C rdfs:subClassOf [ a owl:Restriction ; owl:onProperty ex:p ; owl:someValuesFrom ex:C ] .
ex:Loop1 rdfs:subClassOf ex:Loop2 . ex:Loop2 rdfs:subClassOf ex:Loop1 .
ex:p rdfs:subPropertyOf ex:q . ex:q rdfs:subPropertyOf ex:r .
ex:q owl:inverseOf ex:qi .
ex:s a owl:SymmetricProperty ; rdfs:subPropertyOf ex:r .
ex:qi rdfs:subPropertyOf ex:s .
ex:t rdfs:subPropertyOf rdf:type .
cart:investigatedFor rdfs:subPropertyOf ex:about ; owl:inverseOf ex:studiedIn .

ex:x a ex:A ; ex:p ex:y , "a literal" ; ex:s ex:z .
ex:y a ex:C .
ex:w ex:t ex:B .
ex:loop a ex:Loop1 .
ex:trial cart:evaluates ex:therapy ; cart:studiesCondition ex:disease .
ex:known cart:evaluates ex:therapy2 ; cart:studiesCondition ex:disease2 .
ex:therapy2 cart:investigatedFor ex:disease2 .
"""


def _store(data: str) -> ox.Store:
    store = ox.Store()
    half = data.index("ex:x a ex:A")
    prologue = data[:data.index("ex:A rdfs:subClassOf")]
    # schema and data in two graphs, one triple also asserted in a third: the union is what counts
    store.load(data[:half], ox.RdfFormat.TURTLE, to_graph=ox.NamedNode("http://example.org/g/schema"))
    store.load(prologue + data[half:], ox.RdfFormat.TURTLE, to_graph=ox.NamedNode("http://example.org/g/data"))
    store.load(prologue + "ex:y a ex:B .", ox.RdfFormat.TURTLE, to_graph=ox.NamedNode("http://example.org/g/other"))
    return store


def _triples(store: ox.Store, graph: str | None = None) -> set[tuple[str, str, str]]:
    g = ox.NamedNode(graph) if graph else None
    return {(str(q.subject), str(q.predicate), str(q.object)) for q in store.quads_for_pattern(None, None, None, g)}


def _oracle(data: str) -> set[tuple[str, str, str]]:
    """Everything the textbook rules derive that the data does not already hold."""
    store = _store(data)
    before = _triples(store)
    graph = ox.NamedNode("http://example.org/g/derived")
    while True:
        new = set()
        for rule in ORACLE.values():
            for t in store.query(rule, prefixes=SPARQL_PREFIXES, use_default_graph_as_union=True):
                new.add(ox.Quad(t.subject, t.predicate, t.object, graph))
        size = len(list(store.quads_for_pattern(None, None, None, graph)))
        store.extend(new)
        if len(list(store.quads_for_pattern(None, None, None, graph))) == size:
            break
    derived = {(str(q.subject), str(q.predicate), str(q.object))
               for q in store.quads_for_pattern(None, None, None, graph)}
    return derived - before


# rdf:type as a subproperty's target makes types part of property chains: every round runs in Python
TYPE_CHAIN = "ex:t rdfs:subPropertyOf rdf:type .\n"
# a blank-node class: only what is typed with it is a member of its superclass
UNION_CLASS = """
ex:A rdfs:subClassOf _:either . ex:Loop1 rdfs:subClassOf _:either .
_:either owl:unionOf ( ex:A ex:Loop1 ) ; rdfs:subClassOf ex:AOrLoop .
ex:inverseOfP rdfs:subPropertyOf [ owl:inverseOf ex:p ] .
[ owl:inverseOf ex:q ] rdfs:subPropertyOf ex:r2 .
[ owl:inverseOf ex:s ] a owl:SymmetricProperty .
"""
VARIANTS = {
    "as given": DATA,
    "first pass in the store": DATA.replace(TYPE_CHAIN, ""),
    "blank-node classes, in Python": DATA.replace("ex:x a ex:A", UNION_CLASS + "ex:x a ex:A"),
    "blank-node classes, in the store": DATA.replace(TYPE_CHAIN, "").replace("ex:x a ex:A", UNION_CLASS + "ex:x a ex:A"),
}


def test_the_variants_take_both_ways():
    assert TYPE_CHAIN in DATA
    for name, data in VARIANTS.items():
        store = _store(data)
        assert (infer._chains(infer.Schema.read(store)) is None) == ("in Python" in name or name == "as given"), name


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_schema_and_join_rules_derive_what_the_textbook_rules_derive(variant):
    data = VARIANTS[variant]
    store = _store(data)
    counts = infer.infer(store)
    got = _triples(store, GRAPH_INFERRED)
    expected = _oracle(data)
    assert got == expected
    assert sum(counts.values()) == len(got)


def test_hand_checked_consequences():
    store = _store(DATA)
    infer.infer(store)
    got = _triples(store, GRAPH_INFERRED)
    ex, cart = "http://example.org/", "https://w3id.org/cartkg/ontology#"
    rdf_type = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"

    def t(s, p, o):
        return (s if s.startswith('"') else f"<{s}>", p if p.startswith("<") else f"<{p}>",
                o if o.startswith('"') else f"<{o}>")

    for triple in [
        t(ex + "x", rdf_type, ex + "B"), t(ex + "x", rdf_type, ex + "C"),       # subclass chain
        t(ex + "x", ex + "q", ex + "y"), t(ex + "x", ex + "r", ex + "y"),        # subproperty chain
        t(ex + "y", ex + "qi", ex + "x"),                                         # inverse of a derived q
        t(ex + "y", ex + "s", ex + "x"),                                          # qi is a subproperty of s
        t(ex + "x", ex + "s", ex + "y"),                                          # ... which is symmetric
        t(ex + "z", ex + "s", ex + "x"), t(ex + "z", ex + "r", ex + "x"),         # symmetric, then its super
        t(ex + "w", rdf_type, ex + "B"), t(ex + "w", rdf_type, ex + "C"),         # type via a subproperty
        t(ex + "loop", rdf_type, ex + "Loop2"),                                   # a class cycle ends
        t(ex + "therapy", cart + "investigatedFor", ex + "disease"),              # join rule
        t(ex + "therapy", ex + "about", ex + "disease"),                          # ... then its super
        t(ex + "disease", ex + "studiedIn", ex + "therapy"),                      # ... and its inverse
        t(ex + "x", ex + "q", '"a literal"'),                                     # literals move forwards
    ]:
        assert triple in got, triple
    for triple in [
        t(ex + "y", rdf_type, ex + "C"), t(ex + "y", rdf_type, ex + "B"),         # held already (2 graphs)
        t(ex + "therapy2", cart + "investigatedFor", ex + "disease2"),            # asserted, not re-derived
        t(ex + "loop", rdf_type, ex + "Loop1"),                                   # a class is not its own super
    ]:
        assert triple not in got, triple
    assert not any(s.startswith('"') for s, _, _ in got), "a literal became a subject"
    assert not any(o.startswith("_:") for _, p, o in got if p == rdf_type), "typed with an OWL restriction"


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_a_second_run_derives_nothing(variant):
    store = _store(VARIANTS[variant])
    infer.infer(store)
    assert sum(infer.infer(store).values()) == 0


@pytest.mark.parametrize("rule", sorted(infer.JOIN_RULES))
def test_join_rules_say_what_they_read(rule):
    """A join rule re-runs only when a property it reads grew: every property in its text must be listed."""
    text = infer.JOIN_RULES[rule].construct
    # what a rule excludes (MINUS, NOT EXISTS) only shrinks its answer when it grows
    where = re.sub(r"(MINUS|FILTER NOT EXISTS)\s*\{[^{}]*\}", "", text[text.index("WHERE"):])
    used = set()
    for prefix, ns in SPARQL_PREFIXES.items():
        for token in where.replace(";", " ").replace(".", " ").split():
            if token.startswith(prefix + ":"):
                used.add(ns + token[len(prefix) + 1:].rstrip("*+?"))
    if " a " in where:
        used.add(SPARQL_PREFIXES["rdf"] + "type")
    properties = {u for u in used if u[u.rfind("#") + 1:][:1].islower() or u.endswith("/type")}
    assert properties <= infer.JOIN_RULES[rule].reads, properties - infer.JOIN_RULES[rule].reads


def test_contested_claims_rules_still_apply_in_the_built_graph(built):
    """What the join rules contested-by-negation and contested-by-disjoint-class did, the ranks now do at build time."""
    from kg.store import open_store

    assert not {"contested-by-negation", "contested-by-disjoint-class"} & set(infer.JOIN_RULES)
    store = open_store(built)

    def claim(file_line: str) -> dict:
        file, line = file_line.rsplit(":", 1)
        rows = list(select(store, f"""SELECT ?rank ?reason ?contested ?by WHERE {{
            ?c cart:seedFile "{file}" ; cart:seedLine {line} ; cart:rank ?rank .
            OPTIONAL {{ ?c cart:deprecationReason ?reason }} OPTIONAL {{ ?c cart:contested ?contested }}
            OPTIONAL {{ ?c cart:contradictedBy ?d . ?d cart:seedFile ?f ; cart:seedLine ?l
                       BIND(CONCAT(?f, ":", STR(?l)) AS ?by) }} }}"""))
        assert rows, file_line

        def one(key):
            return {r[key].value.rsplit("#", 1)[-1] for r in rows if r[key] is not None}

        return {"rank": one("rank"), "reason": one("reason"), "contested": one("contested"), "by": one("by")}

    # negation: news text 000 says BMS develops rese-cel (news-000-rese-cel-autoimmune.tsv:91); the curation's
    # `not cart:developedBy` row (curation.tsv:8) denies it
    assert claim("seeds/news-000-rese-cel-autoimmune.tsv:91") == {
        "rank": {"DeprecatedRank"}, "reason": {"RejectedByCuration"}, "contested": {"true"},
        "by": {"seeds/curation.tsv:8"}}
    assert claim("seeds/curation.tsv:8") == {"rank": {"PreferredRank"}, "reason": set(), "contested": {"true"},
                                             "by": {"seeds/news-000-rese-cel-autoimmune.tsv:91",
                                                    "seeds/news-biospace-rese-cel.tsv:5"}}
    # disjoint classes: news text 003 types Ars Technica a cart:ScientificJournal (news-003-car-t-reset-immune.tsv:4);
    # two reference pages type it a cart:NewsWebsite (reference-diseases-and-targets.tsv:19-20)
    assert claim("seeds/news-003-car-t-reset-immune.tsv:4") == {
        "rank": {"DeprecatedRank"}, "reason": {"ContradictedByReference"}, "contested": {"true"},
        "by": {"seeds/reference-diseases-and-targets.tsv:19", "seeds/reference-diseases-and-targets.tsv:20"}}
    # neither deprecated triple is a fact, and nothing of it is inferred
    facts = list(select(store, """SELECT ?x WHERE { { id:rese-cel cart:developedBy ?x }
                                   UNION { id:ars-technica a cart:ScientificJournal BIND(1 AS ?x) } }"""))
    assert [r["x"].value for r in facts] == ["https://w3id.org/cartkg/id/cabaletta-bio"]
    rows = list(select(store, """SELECT (COUNT(*) AS ?n) WHERE {
        GRAPH <https://w3id.org/cartkg/graph/inferred> { ?c cart:contradictedBy ?d } }"""))
    assert int(rows[0]["n"].value) == 0
