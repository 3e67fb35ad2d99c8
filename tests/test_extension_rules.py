"""What an extension may not do: change what a core term is (unless it says so with cart:overrides), pun a
name as class and property; and where its mistakes are reported: at the extension's own file and line."""

from __future__ import annotations

from pathlib import Path

import pytest
from build_tree import tree_hash
from test_hostile import invoke
from throwaway_project import built_small_project, run_with

PREFIXES = """@prefix cart: <https://w3id.org/cartkg/ontology#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

"""
RULE = ("an extension may add terms, not change core ones (to do it on purpose, name the term with "
        "cart:overrides on the file's owl:Ontology header) (core-term)")


@pytest.fixture(scope="module")
def small_built(tmp_path_factory):
    return built_small_project(tmp_path_factory, "ext")


def refused(root: Path, before: dict, name: str, turtle: str, command: str = "build") -> list[str]:
    """Drop an extension in, run the command: exit 1, no traceback, build/ unchanged; the problem lines."""
    result = run_with(root, {f"ontology/extensions/{name}": PREFIXES + turtle}, command)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert tree_hash(root / "build") == before
    # kg build prints its problems on stderr, kg check its report on stdout
    return [line for line in result.output.splitlines() if ": ERROR: " in line]


@pytest.mark.parametrize("command", ["build", "check"])
def test_an_extension_cannot_make_a_core_class_a_property(small_built, command):
    root, before = small_built
    lines = refused(root, before, "redefine.ttl", """cart:Therapy a owl:ObjectProperty ;
    rdfs:domain cart:Company ;
    rdfs:range cart:Trial .
""", command)
    # the Turtle above starts at line 5 (after the four prefix lines)
    assert lines == [
        f"ontology/extensions/redefine.ttl:5: ERROR: gives the core class cart:Therapy the type owl:ObjectProperty: {RULE}",
        f"ontology/extensions/redefine.ttl:6: ERROR: adds rdfs:domain cart:Company to the core class cart:Therapy: {RULE}",
        f"ontology/extensions/redefine.ttl:7: ERROR: adds rdfs:range cart:Trial to the core class cart:Therapy: {RULE}",
    ]


def test_an_extension_cannot_make_a_core_property_a_class_or_pun_it(small_built):
    root, before = small_built
    lines = refused(root, before, "redefine.ttl", """cart:targets a owl:Class .
cart:developedBy a cart:Therapy .
cart:Company a owl:SymmetricProperty .
""")
    assert lines == [
        f"ontology/extensions/redefine.ttl:5: ERROR: gives the core property cart:targets the type owl:Class: {RULE}",
        f"ontology/extensions/redefine.ttl:6: ERROR: gives the core property cart:developedBy the type cart:Therapy: {RULE}",
        f"ontology/extensions/redefine.ttl:7: ERROR: gives the core class cart:Company the type owl:SymmetricProperty: {RULE}",
    ]


def test_an_extension_cannot_add_a_domain_or_range_to_a_core_property(small_built):
    root, before = small_built
    lines = refused(root, before, "narrow.ttl", """cart:approvedFor rdfs:range cart:Cancer .
cart:targets rdfs:label "targets" ;
    rdfs:domain cart:Company .
""")
    assert lines == [
        f"ontology/extensions/narrow.ttl:5: ERROR: adds rdfs:range cart:Cancer to the core property cart:approvedFor: {RULE}",
        f"ontology/extensions/narrow.ttl:7: ERROR: adds rdfs:domain cart:Company to the core property cart:targets: {RULE}",
    ]


def test_restating_what_the_core_says_is_no_change(small_built, tmp_path):
    """cart.ttl: cart:targets a owl:ObjectProperty ; rdfs:domain cart:Therapy ; rdfs:range cart:Target."""
    root, _ = small_built
    drop = root / "ontology" / "extensions" / "same.ttl"
    drop.write_text(PREFIXES + "cart:targets a owl:ObjectProperty ; rdfs:domain cart:Therapy ; rdfs:range cart:Target .\n"
                    "cart:Therapy a owl:Class ; rdfs:subClassOf <https://example.org/Medicine> .\n", encoding="utf-8")
    try:
        result = invoke(root, "check")
    finally:
        drop.unlink()
    assert result.exit_code == 0, result.output


def test_a_new_term_cannot_be_both_a_class_and_a_property(small_built):
    root, before = small_built
    lines = refused(root, before, "pun.ttl", """cart:Biomarker a owl:Class ; rdfs:label "Biomarker" .

cart:Biomarker a owl:DatatypeProperty .
""")
    assert lines == ["ontology/extensions/pun.ttl:5: ERROR: cart:Biomarker is declared both a class and a property "
                     "(a pun); give the property a name of its own (core-term)"]


def test_a_declared_override_lets_the_change_through(small_built, tmp_path):
    root, _ = small_built
    drop = root / "ontology" / "extensions" / "oncology.ttl"
    drop.write_text(PREFIXES + """<https://example.org/ext/oncology> a owl:Ontology ;
    cart:overrides cart:approvedFor .

cart:approvedFor rdfs:range cart:Cancer .
""", encoding="utf-8")
    build = tmp_path / "build"
    try:
        result = invoke(root, "build", env={"KG_BUILD_DIR": str(build)})
        answer = invoke(root, "sparql", "-", input="ASK { cart:approvedFor rdfs:range cart:Cancer }",
                        env={"KG_BUILD_DIR": str(build)})
    finally:
        drop.unlink()
    assert result.exit_code == 0, result.output
    assert answer.exit_code == 0, answer.output
    assert "true" in answer.stdout


def test_an_override_must_name_a_core_term_the_file_changes(small_built):
    root, before = small_built
    lines = refused(root, before, "stale.ttl", """<https://example.org/ext/stale> a owl:Ontology ;
    cart:overrides cart:targets ;
    cart:overrides cart:Biomarker .
cart:Therapy cart:overrides cart:Company .
cart:Biomarker a owl:Class .
""")
    assert lines == [
        "ontology/extensions/stale.ttl:6: ERROR: cart:overrides names cart:targets, but this file does not change it: "
        "remove the override (core-term)",
        "ontology/extensions/stale.ttl:7: ERROR: cart:overrides names cart:Biomarker, which is not a class or property "
        "of the core ontology (ontology/*.ttl) (core-term)",
        "ontology/extensions/stale.ttl:8: ERROR: cart:overrides belongs on the file's owl:Ontology header, not on "
        "cart:Therapy (core-term)",
    ]


# ---------------------------------------------------------------- where an extension's mistakes are reported


def test_a_subclass_cycle_made_in_an_extension_is_reported_at_the_extensions_lines(small_built):
    """cart.ttl states cart:Cancer rdfs:subClassOf cart:Disease; the extension closes the loop."""
    root, before = small_built
    lines = refused(root, before, "loop.ttl", """cart:Oncology a owl:Class ;
    rdfs:label "Oncology" ;
    rdfs:subClassOf cart:Cancer .

cart:Cancer rdfs:subClassOf cart:Oncology .
""")
    assert lines == [
        "ontology/extensions/loop.ttl:7: ERROR: rdfs:subClassOf cycle: cart:Oncology is a subclass of cart:Cancer, "
        "which is a subclass of cart:Oncology again (subclass-cycle)",
        "ontology/extensions/loop.ttl:9: ERROR: rdfs:subClassOf cycle: cart:Cancer is a subclass of cart:Oncology, "
        "which is a subclass of cart:Cancer again (subclass-cycle)",
    ]


@pytest.mark.parametrize("command", ["build", "check"])
def test_a_decision_type_an_extension_declares_both_an_approval_and_a_designation_type_is_an_error(small_built, command):
    """cart.ttl: cart:ApprovalType owl:disjointWith cart:DesignationType. The reports group a decision type by
    these classes; a type in both would land in one group or the other by chance."""
    root, before = small_built
    lines = refused(root, before, "both.ttl", """cart:Licence a cart:DecisionType , cart:ApprovalType , cart:DesignationType ;
    rdfs:label "Licence" .
""", command)
    assert lines == [
        "ontology/extensions/both.ttl:5: ERROR: cart:Licence is declared a cart:DesignationType and a "
        "cart:ApprovalType: the ontology declares the two classes disjoint (keep one) (disjoint-ontology-types)",
    ]


def test_a_decision_type_in_one_group_only_is_not_reported(small_built):
    root, _ = small_built
    result = run_with(root, {"ontology/extensions/one.ttl": PREFIXES + """cart:Licence a cart:DecisionType , cart:ApprovalType ;
    rdfs:label "Licence" .
"""}, "check")
    assert "disjoint-ontology-types" not in result.output, result.output


@pytest.mark.parametrize("where", ["ontology/extensions/broken.ttl", "seeds/broken.ttl"])
def test_a_missing_dot_is_reported_with_the_line_its_statement_starts(small_built, where):
    root, before = small_built
    drop = root / where
    drop.write_text(PREFIXES + """cart:Oncology a owl:Class ;
    rdfs:label "Oncology"

cart:Immunology a owl:Class .
""", encoding="utf-8")
    try:
        result = invoke(root, "build")
    finally:
        drop.unlink()
    assert result.exit_code == 1
    assert tree_hash(root / "build") == before
    # the parser notices at line 8 (the next statement); the statement without its '.' starts at line 5
    assert [l for l in result.output.splitlines() if ": ERROR: " in l] == [f"{where}:8: ERROR: invalid Turtle: A dot is expected at the end of statements "
                                        "(in the statement that starts at line 5) (syntax)"]
