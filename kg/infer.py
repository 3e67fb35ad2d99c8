"""Inference rules (SPARQL CONSTRUCT) whose results go into a graph of their own."""

from __future__ import annotations

import pyoxigraph as ox

from kg.vocab import GRAPH_INFERRED

# Each rule adds what it derives unless the union of graphs already holds it.
RULES: dict[str, str] = {
    "subclass": """
        CONSTRUCT { ?x a ?super } WHERE {
          ?c rdfs:subClassOf+ ?super . FILTER(isIRI(?super))
          ?x a ?c .
          FILTER NOT EXISTS { ?x a ?super }
        }""",
    "subproperty": """
        CONSTRUCT { ?s ?super ?o } WHERE {
          ?p rdfs:subPropertyOf+ ?super . FILTER(isIRI(?super))
          ?s ?p ?o .
          FILTER NOT EXISTS { ?s ?super ?o }
        }""",
    "symmetric": """
        CONSTRUCT { ?o ?p ?s } WHERE {
          ?p a owl:SymmetricProperty .
          ?s ?p ?o . FILTER(!isLiteral(?o))
          FILTER NOT EXISTS { ?o ?p ?s }
        }""",
    "inverse": """
        CONSTRUCT { ?o ?q ?s } WHERE {
          { ?p owl:inverseOf ?q } UNION { ?q owl:inverseOf ?p }
          ?s ?p ?o . FILTER(!isLiteral(?o))
          FILTER NOT EXISTS { ?o ?q ?s }
        }""",
    "investigated-for": """
        CONSTRUCT { ?therapy cart:investigatedFor ?disease } WHERE {
          ?trial cart:evaluates ?therapy ; cart:studiesCondition ?disease .
          FILTER NOT EXISTS { ?therapy cart:investigatedFor ?disease }
        }""",
    "contested-by-negation": """
        CONSTRUCT { ?claim cart:contested true ; cart:contradictedBy ?denial .
                    ?denial cart:contested true ; cart:contradictedBy ?claim . }
        WHERE {
          ?denial a cart:Claim ; cart:negated true ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ;
                  cart:statedIn ?src2 .
          ?claim a cart:Claim ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; cart:statedIn ?src1 .
          FILTER(?src1 != ?src2)
          FILTER NOT EXISTS { ?claim cart:negated true }
          FILTER NOT EXISTS { ?claim cart:contradictedBy ?denial }
        }""",
    "contested-by-disjoint-class": """
        CONSTRUCT { ?c1 cart:contested true ; cart:contradictedBy ?c2 . }
        WHERE {
          ?c1 a cart:Claim ; rdf:subject ?x ; rdf:predicate rdf:type ; rdf:object ?k1 ; cart:statedIn ?src1 .
          ?c2 a cart:Claim ; rdf:subject ?x ; rdf:predicate rdf:type ; rdf:object ?k2 ; cart:statedIn ?src2 .
          FILTER(?src1 != ?src2)
          FILTER NOT EXISTS { ?c1 cart:negated true }
          FILTER NOT EXISTS { ?c2 cart:negated true }
          ?k1 rdfs:subClassOf* ?d1 . ?k2 rdfs:subClassOf* ?d2 .
          { ?d1 owl:disjointWith ?d2 } UNION { ?d2 owl:disjointWith ?d1 }
          FILTER NOT EXISTS { ?c1 cart:contradictedBy ?c2 }
        }""",
}

MAX_ROUNDS = 10


def infer(store: ox.Store) -> dict[str, int]:
    """Apply every rule until nothing new is derived; return how many triples each rule added."""
    from kg.store import select

    graph = ox.NamedNode(GRAPH_INFERRED)
    counts = {name: 0 for name in RULES}
    for _ in range(MAX_ROUNDS):
        added = 0
        for name, rule in RULES.items():
            new = {ox.Quad(t.subject, t.predicate, t.object, graph) for t in select(store, rule)}
            if new:
                store.extend(new)
                counts[name] += len(new)
                added += len(new)
        if not added:
            break
    return counts
