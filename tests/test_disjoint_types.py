"""One entity, two disjoint classes: an error at both rows when curated data says so; a contested claim when
a news row (reported, unverified) says so against curated data."""

from __future__ import annotations

import pytest
from build_tree import tree_hash
from test_hostile import rows
from throwaway_project import built_small_project, run_with

FIX = "the two classes are disjoint (fix the wrong row, or give the two things ids of their own) (disjoint-types)"


@pytest.fixture(scope="module")
def small_built(tmp_path_factory):
    return built_small_project(tmp_path_factory, "disjoint")


def lines(result, level: str) -> list[str]:
    return [l.strip() for l in result.output.splitlines() if f": {level}: " in l]


@pytest.mark.parametrize("command", ["build", "check"])
@pytest.mark.parametrize("status", ["verified", "partially_verified"])
def test_curated_rows_typing_one_entity_with_disjoint_classes_are_an_error_at_both_rows(small_built, command, status):
    root, before = small_built
    # t-world.tsv line 2: id:t-cel a cart:Therapy (verified)
    result = run_with(root, {"seeds/t-wrong.tsv": rows(("id:t-cel", "a", "cart:Company", "src:t-ref", "", status))},
                      command)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert tree_hash(root / "build") == before
    assert lines(result, "ERROR") == [
        f"seeds/t-world.tsv:2: ERROR: id:t-cel is a cart:Therapy here and a cart:Company at seeds/t-wrong.tsv:2: {FIX}",
        f"seeds/t-wrong.tsv:2: ERROR: id:t-cel is a cart:Company here and a cart:Therapy at seeds/t-world.tsv:2: {FIX}",
    ]


def test_the_declared_disjointness_covers_subclasses_and_data_files(small_built):
    root, before = small_built
    # t-world.tsv line 5: id:t-cd19 a cart:Target; the Turtle file says it is a cancer (a cart:Disease)
    turtle = ("@prefix cart: <https://w3id.org/cartkg/ontology#> .\n@prefix id: <https://w3id.org/cartkg/id/> .\n\n"
              "id:t-cd19 a cart:Cancer .\n")
    result = run_with(root, {"seeds/t-wrong.ttl": turtle}, "check")
    assert result.exit_code == 1, result.output
    assert lines(result, "ERROR") == [
        f"seeds/t-world.tsv:5: ERROR: id:t-cd19 is a cart:Target here and a cart:Cancer at seeds/t-wrong.ttl: {FIX}",
        f"seeds/t-wrong.ttl:4: ERROR: id:t-cd19 is a cart:Cancer here and a cart:Target at seeds/t-world.tsv:5: {FIX}",
    ]


def test_autoimmune_disease_and_cancer_stay_disjoint(small_built):
    root, _ = small_built
    result = run_with(root, {"seeds/t-wrong.tsv": rows(("id:t-lupus", "a", "cart:AutoimmuneDisease", "src:t-ref", "", "verified"),
                                                       ("id:t-lupus", "rdfs:label", "T-lupus", "src:t-ref", "", "verified"),
                                                       ("id:t-lupus", "a", "cart:Cancer", "src:t-ref", "", "verified"))},
                      "check")
    assert result.exit_code == 1
    assert [l.split(": ERROR: ")[0] for l in lines(result, "ERROR")] == ["seeds/t-wrong.tsv:2", "seeds/t-wrong.tsv:4"]


@pytest.mark.parametrize("status", ["reported", "unverified"])
def test_a_news_row_against_curated_data_is_a_contested_claim_not_an_error(small_built, status):
    root, _ = small_built
    news = rows(("src:t-news", "a", "cart:NewsArticle", "src:t-news", "", "verified"),
                ("src:t-news", "cart:title", "A news text", "src:t-news", "", "verified"),
                ("id:t-cel", "a", "cart:Company", "src:t-news", "", status))
    result = run_with(root, {"seeds/t-news.tsv": news}, "check")
    assert result.exit_code == 0, result.output
    assert lines(result, "ERROR") == []
    if status == "reported":
        # the news row is deprecated, contradicted by the curated row, and reported at its own line
        assert ("seeds/t-news.tsv:4: WARN: deprecated claim: src:t-news says id:t-cel rdf:type cart:Company; "
                "contradicted by reference data: src:t-ref (seeds/t-world.tsv:2) says rdf:type is cart:Therapy "
                "(contested-claim)") in lines(result, "WARN")
    else:
        # an unverified row is deprecated as such and contradicts nothing: neither an error nor a contest
        assert not [line for line in lines(result, "WARN") if line.startswith("seeds/t-news.tsv:4:")]
