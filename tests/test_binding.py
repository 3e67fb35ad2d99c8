"""The SPARQL text sent to an endpoint: parameters bound as VALUES blocks, and the form of a query (no server needed)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg.binding import bind
from kg.errors import KgError
from kg.sparqltext import query_form


def test_values_block_goes_first_in_the_top_level_where_group():
    a = {"_a": ox.Literal('say "{hi}"', language="en"), "_b": ox.NamedNode("https://e.org/x")}
    text = ("# a comment with { a brace\nSELECT ?s (EXISTS { ?s ?p ?o } AS ?e) ?_a ?_b WHERE {\n"
            "  ?s ?p \"{ in a string\" . { SELECT ?s WHERE { ?s ?p ?o } } }")
    bound = bind(text, a)
    assert bound.count("\n") == text.count("\n")  # error positions still match the file's lines
    assert 'WHERE { VALUES (?_a ?_b) { ("say \\"{hi}\\""@en <https://e.org/x>) } \n' in bound
    construct = "CONSTRUCT { ?s ?p ?_a } WHERE { ?s ?p ?_a }"
    assert bind(construct, {"_a": ox.Literal("1")}) == 'CONSTRUCT { ?s ?p ?_a } WHERE { VALUES (?_a) { ("1") }  ?s ?p ?_a }'
    with pytest.raises(KgError, match="short form"):
        bind("CONSTRUCT WHERE { ?s ?p ?_a }", {"_a": ox.Literal("1")})
    with pytest.raises(KgError, match="IRIs and literals"):
        bind("SELECT * WHERE { ?s ?p ?_a }", {"_a": ox.BlankNode()})
    assert query_form("PREFIX select: <urn:x>\n# ASK\nDESCRIBE <urn:y>") == "DESCRIBE"


def test_values_block_also_goes_into_each_nested_group_that_names_the_variable():
    a = {"_a": ox.NamedNode("urn:a")}
    block = " VALUES (?_a) { (<urn:a>) } "
    text = ("SELECT * WHERE {\n"
            "  ?s ?p ?o OPTIONAL { ?s ?q ?_a } OPTIONAL { ?s ?r ?x }\n"          # names it / does not
            "  { ?s ?t ?_a } UNION { GRAPH ?g { ?s ?u ?_a } }\n"                # each branch, and deeper
            "  { SELECT ?s WHERE { ?s ?v ?_a } }\n"                             # its own ?_a: left alone
            "  { SELECT ?s ?_a WHERE { OPTIONAL { ?s ?w ?_a } } }\n"           # projected: bound inside
            "  VALUES ?o { <urn:o> } { BIND(?o AS ?_a) }\n"                   # rows of a VALUES; a BIND to it
            "  FILTER NOT EXISTS { ?s ?z ?_a }\n}")
    bound = bind(text, a)
    assert bound.count("\n") == text.count("\n")
    expected = ("SELECT * WHERE {" + block + "\n"
                "  ?s ?p ?o OPTIONAL {" + block + " ?s ?q ?_a } OPTIONAL { ?s ?r ?x }\n"
                "  {" + block + " ?s ?t ?_a } UNION {" + block + " GRAPH ?g {" + block + " ?s ?u ?_a } }\n"
                "  { SELECT ?s WHERE { ?s ?v ?_a } }\n"
                "  { SELECT ?s ?_a WHERE {" + block + " OPTIONAL {" + block + " ?s ?w ?_a } } }\n"
                "  VALUES ?o { <urn:o> } { BIND(?o AS ?_a) }\n"
                "  FILTER NOT EXISTS {" + block + " ?s ?z ?_a }\n}")
    assert bound == expected
    # and it is still one query that means what the text without VALUES means with ?_a given
    store = ox.Store()
    store.load(b"<urn:s> <urn:p> <urn:a> .\n<urn:t> <urn:p> <urn:b> .\n", ox.RdfFormat.N_TRIPLES)
    nested = "SELECT ?s ?_a WHERE { ?s ?p ?o OPTIONAL { ?s ?p ?x FILTER(?x = ?_a) } FILTER(BOUND(?x)) }"
    assert [r[0] for r in store.query(bind(nested, a))] == [r[0] for r in store.query(
        nested, substitutions={ox.Variable("_a"): a["_a"]})] == [ox.NamedNode("urn:s")]
