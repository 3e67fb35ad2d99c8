"""Parameter values at the edges: a name that starts with "<", an empty value."""

from __future__ import annotations

import csv
import io

import pytest
from test_hostile import invoke, rows, small_project

# A second target whose label looks like HTML (the hostile probe of issue 22), with a therapy of its own.
ODD = "<img src=x onerror=alert(1)>"
MORE = rows(("id:t-odd", "a", "cart:Target", "src:t-ref", "", "verified"),
            ("id:t-odd", "rdfs:label", ODD, "src:t-ref", "", "verified"),
            ("id:t-odd", "cart:hgncId", "HGNC:11919", "src:t-ref", "", "verified"),
            ("id:u-cel", "a", "cart:Therapy", "src:t-ref", "", "verified"),
            ("id:u-cel", "rdfs:label", "U-cel", "src:t-ref", "", "verified"),
            ("id:u-cel", "cart:targets", "id:t-odd", "src:t-ref", "", "verified"))


@pytest.fixture(scope="module")
def odd_built(tmp_path_factory):
    root = tmp_path_factory.mktemp("odd")
    small_project(root)
    (root / "seeds" / "t-more.tsv").write_text(MORE, encoding="utf-8")
    result = invoke(root, "build")
    assert result.exit_code == 0, result.output
    return root


def table(result) -> list[dict]:
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.stdout)))


def test_a_name_that_starts_with_an_angle_bracket_is_tried_as_a_name_first(odd_built):
    result = invoke(odd_built, "query", "entity", "-p", f"name={ODD}", "--format", "csv")
    found = table(result)
    assert "not a valid IRI" not in result.stderr and "nothing" not in result.stderr
    # t-more.tsv: id:u-cel cart:targets id:t-odd
    assert {r["value"] for r in found if r["role"] == "object" and r["property"].endswith("#targets")} == {
        "https://w3id.org/cartkg/id/u-cel"}


def test_an_angle_bracket_value_that_is_no_name_is_still_an_iri(odd_built):
    ok = invoke(odd_built, "query", "entity", "-p", "name=<https://w3id.org/cartkg/id/t-odd>", "--format", "csv")
    assert any(r["property"].endswith("#label") and r["value"] == ODD for r in table(ok))
    bad = invoke(odd_built, "query", "entity", "-p", "name=<img src=y>")
    assert bad.exit_code == 2 and "parameter name: '<img src=y>' is not a valid IRI" in bad.stderr


def test_an_empty_value_is_the_parameters_default_not_a_name(odd_built):
    everything = table(invoke(odd_built, "query", "therapies-by-target", "--format", "csv"))
    # t-world.tsv: id:t-cel targets id:t-cd19; t-more.tsv: id:u-cel targets id:t-odd
    assert {r["therapy"] for r in everything} == {"https://w3id.org/cartkg/id/t-cel", "https://w3id.org/cartkg/id/u-cel"}
    empty = invoke(odd_built, "query", "therapies-by-target", "-p", "target=", "--format", "csv")
    assert table(empty) == everything
    assert "nothing" not in empty.stderr
