"""Reading SPARQL 1.1 Query Results JSON into terms (no server needed)."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest

from kg.results import parse_json_results

EX = "http://example.org/"


def _answer(cell: dict) -> bytes:
    return json.dumps({"head": {"vars": ["t"]}, "results": {"bindings": [{"t": cell}]}}).encode("utf-8")


def _triple(subject: dict, predicate: dict) -> dict:
    return {"type": "triple", "value": {"subject": subject, "predicate": predicate,
                                        "object": {"type": "literal", "value": "o"}}}


def test_a_triple_term_is_read_as_a_triple():
    result = parse_json_results(_answer(_triple({"type": "uri", "value": EX + "s"}, {"type": "uri", "value": EX + "p"})),
                                "SELECT")
    assert result.rows == [[ox.Triple(ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p"), ox.Literal("o"))]]


@pytest.mark.parametrize("subject, predicate", [
    ({"type": "literal", "value": "s"}, {"type": "uri", "value": EX + "p"}),
    ({"type": "uri", "value": EX + "s"}, {"type": "bnode", "value": "p"}),
])
def test_a_triple_term_that_is_not_rdf_is_refused_in_one_line(subject, predicate):
    # The endpoint client shows this message inside its one-line error; pyoxigraph's own runs over several lines.
    with pytest.raises(TypeError) as refused:
        parse_json_results(_answer(_triple(subject, predicate)), "SELECT")
    assert str(refused.value) == "a triple term's subject must be an IRI or a blank node and its predicate an IRI"
