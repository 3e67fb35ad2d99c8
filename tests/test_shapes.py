"""The SHACL shapes in ontology/shapes.ttl: each required property, pattern, datatype, domain and range,
reported by `kg build` at the seed file and line behind the focus node."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg import build as build_mod

HEADER = "subject\tpredicate\tobject\tsource\tquote\tstatus\tnote\n"
REF = "src:test-shapes"
SOURCE_ROWS = (f"{REF}\ta\tcart:WebPage\t{REF}\t\tverified",
               f"{REF}\tcart:title\tShapes test page\t{REF}\t\tverified",
               f"{REF}\tcart:url\thttps://example.org/shapes\t{REF}\t\tverified",
               f"{REF}\tcart:publishedOn\t2025-06-01\t{REF}\t\tverified")


def rows(*cells: tuple[str, str, str]) -> list[str]:
    return [f"{s}\t{p}\t{o}\t{REF}\t\tverified" for s, p, o in cells]


def write_table(project, name: str, lines: list[str]) -> Path:
    path = project.seeds / name
    path.write_text(HEADER + "".join(line + "\n" for line in lines), encoding="utf-8")
    return path


@pytest.fixture
def project(project):
    """The project copy without the curated seed tables, so each case sees only its own rows."""
    for path in project.seeds.iterdir():
        if path.is_file() and path.suffix in (".tsv", ".ttl", ".nt") and path.name != "prefixes.tsv":
            path.unlink()
    return project


def problems(result) -> list[str]:
    """The problem lines kg build printed (stderr for errors, stdout for warnings), progress dropped."""
    out = [line.strip() for line in result.stderr.splitlines() if not line.startswith("[")]
    out += [line.strip() for line in result.stdout.splitlines() if ": WARN: " in line]
    return out


def labelled(entity: str, cls: str, label: str) -> list[tuple[str, str, str]]:
    return [(entity, "a", cls), (entity, "rdfs:label", label)]


# A small valid world the cases below break one piece of.
THERAPY = labelled("id:t-cel", "cart:Therapy", "T-cel") + [("id:t-cel", "cart:targets", "id:t-target")]
TARGET = labelled("id:t-target", "cart:Target", "TGT1") + [("id:t-target", "cart:hgncId", "HGNC:1633")]


def build_with(project, run, cells):
    write_table(project, "test-sources.tsv", list(SOURCE_ROWS))
    write_table(project, "test-facts.tsv", rows(*cells))
    return run("build", "--verbose")  # the warnings, one a line


def test_a_valid_world_builds_without_shape_problems(project, run):
    result = build_with(project, run, THERAPY + TARGET)
    assert result.exit_code == 0, result.stderr
    assert "shacl" in result.stdout
    assert problems(result) == []


def test_missing_label_is_an_error_at_the_row_that_declares_the_entity(project, run):
    # line 2 declares the therapy; its label row is missing
    result = build_with(project, run, [("id:t-cel", "a", "cart:Therapy"), ("id:t-cel", "cart:targets", "id:t-target")] + TARGET)
    assert result.exit_code == 1
    assert ("seeds/test-facts.tsv:2: ERROR: id:t-cel: a Therapy needs a name: add an rdfs:label row "
            "(shacl:MinCountConstraintComponent)") in problems(result)


def test_a_therapy_without_a_target_is_a_warning_and_still_builds(project, run):
    result = build_with(project, run, labelled("id:t-cel", "cart:Therapy", "T-cel"))
    assert result.exit_code == 0, result.stderr
    assert ("seeds/test-facts.tsv:2: WARN: id:t-cel: a Therapy with no known target: add a cart:targets row "
            "if a source names the antigen (shacl:MinCountConstraintComponent)") in problems(result)


def test_targets_value_must_be_a_target_at_the_row_that_uses_it(project, run):
    cells = THERAPY[:2] + labelled("id:t-co", "cart:Company", "T Co") + [("id:t-cel", "cart:targets", "id:t-co")]
    result = build_with(project, run, cells)
    assert result.exit_code == 1
    found = [p for p in problems(result) if "ClassConstraintComponent" in p]
    assert found == ["seeds/test-facts.tsv:6: ERROR: id:t-cel: the value of cart:targets must be a Target "
                     "(declare it: a row `<id> a cart:Target`) (shacl:ClassConstraintComponent)"]


def test_domain_violation_is_reported_at_the_row_that_uses_the_property(project, run):
    cells = TARGET + labelled("id:t-co", "cart:Company", "T Co") + [("id:t-co", "cart:targets", "id:t-target")]
    result = build_with(project, run, cells)
    assert result.exit_code == 1
    # id:t-co is declared at line 5; the offending cart:targets row is line 7
    assert ("seeds/test-facts.tsv:7: ERROR: id:t-co: only a Therapy targets an antigen (rdfs:domain of cart:targets) "
            "(shacl:ClassConstraintComponent)") in problems(result)


@pytest.mark.parametrize("cls, prop, bad, message", [
    ("cart:Trial", "cart:nctId", "NCT123", "an NCT id is NCT followed by 8 digits, e.g. NCT02435849"),
    ("cart:Trial", "cart:nctId", "nct02435849", "an NCT id is NCT followed by 8 digits, e.g. NCT02435849"),
    ("cart:Target", "cart:hgncId", "1633", "an HGNC id is HGNC: followed by digits, e.g. HGNC:1633"),
    ("cart:Disease", "cart:mondoId", "MONDO:7915", "a MONDO id is MONDO: followed by 7 digits, e.g. MONDO:0007915"),
])
def test_identifier_of_the_wrong_shape_is_an_error_at_its_row(project, run, cls, prop, bad, message):
    cells = labelled("id:t-x", cls, "X") + [("id:t-x", prop, bad)]
    result = build_with(project, run, cells)
    assert result.exit_code == 1
    assert f"seeds/test-facts.tsv:4: ERROR: id:t-x: {message} (shacl:PatternConstraintComponent)" in problems(result)


@pytest.mark.parametrize("cls, prop, bad, expected", [
    ("cart:Trial", "cart:nctId", "NCT123", "NCT followed by 8 digits, e.g. NCT02435849"),
    ("cart:Target", "cart:hgncId", "1633", "HGNC: followed by digits, e.g. HGNC:1633"),
    ("cart:Disease", "cart:mondoId", "MONDO:7915", "MONDO: followed by 7 digits, e.g. MONDO:0007915"),
])
def test_identifier_check_without_shacl_reports_each_wrong_shape_once(project, run, cls, prop, bad, expected):
    # the SPARQL check (queries/checks/identifier-shape.rq) on its own; a well-formed id beside the bad one passes
    good = {"cart:nctId": "NCT02435849", "cart:hgncId": "HGNC:1633", "cart:mondoId": "MONDO:0007915"}[prop]
    write_table(project, "test-sources.tsv", list(SOURCE_ROWS))
    write_table(project, "test-facts.tsv", rows(*labelled("id:t-x", cls, "X"), ("id:t-x", prop, bad), ("id:t-x", prop, good)))
    result = run("check", "--no-shacl")
    assert result.exit_code == 1
    found = [p for p in problems(result) + result.stdout.splitlines() if "(identifier-shape)" in p]
    assert found == [f'seeds/test-facts.tsv:4: ERROR: {prop} "{bad}" of id:t-x is not {expected} (identifier-shape)']


@pytest.mark.parametrize("cls, prop, good", [
    ("cart:Trial", "cart:nctId", "NCT02435849"),
    ("cart:Target", "cart:hgncId", "HGNC:1633"),
    ("cart:Disease", "cart:mondoId", "MONDO:0007915"),
])
def test_identifier_of_the_right_shape_passes(project, run, cls, prop, good):
    result = build_with(project, run, labelled("id:t-x", cls, "X") + [("id:t-x", prop, good)])
    assert result.exit_code == 0, result.stderr
    assert not [p for p in problems(result) if "Pattern" in p]


@pytest.mark.parametrize("missing, message", [
    ("cart:decisionFor", "a RegulatoryDecision needs the therapy it is about: add a cart:decisionFor row"),
    ("cart:decidedBy", "a RegulatoryDecision needs the regulator that made it: add a cart:decidedBy row"),
    ("cart:decisionType", "a RegulatoryDecision needs its kind: add a cart:decisionType row (cart:Approval, cart:FastTrack, ...)"),
])
def test_regulatory_decision_needs_therapy_regulator_and_type(project, run, missing, message):
    decision = [("id:t-decision", "a", "cart:RegulatoryDecision"),
                ("id:t-decision", "rdfs:label", "FDA approval of T-cel"),
                ("id:t-decision", "cart:decisionFor", "id:t-cel"),
                ("id:t-decision", "cart:decidedBy", "id:t-fda"),
                ("id:t-decision", "cart:decisionType", "cart:Approval"),
                ("id:t-decision", "cart:decisionDate", "2017-08-30")]
    cells = THERAPY + TARGET + labelled("id:t-fda", "cart:Regulator", "T FDA") + [c for c in decision if c[1] != missing]
    result = build_with(project, run, cells)
    assert result.exit_code == 1
    line = 2 + len(THERAPY + TARGET) + 2  # the decision's `a` row
    assert f"seeds/test-facts.tsv:{line}: ERROR: id:t-decision: {message} (shacl:MinCountConstraintComponent)" in problems(result)


def test_a_complete_regulatory_decision_passes(project, run):
    cells = THERAPY + TARGET + labelled("id:t-fda", "cart:Regulator", "T FDA") + [
        ("id:t-decision", "a", "cart:RegulatoryDecision"),
        ("id:t-decision", "cart:decisionFor", "id:t-cel"),
        ("id:t-decision", "cart:decidedBy", "id:t-fda"),
        ("id:t-decision", "cart:decisionType", "cart:Approval")]
    result = build_with(project, run, cells)
    assert result.exit_code == 0, result.stderr
    # an unlabelled decision is only a warning
    assert [p for p in problems(result) if "ERROR" in p] == []
    assert any("id:t-decision: a RegulatoryDecision with no label" in p for p in problems(result))


def test_readout_needs_the_trial_it_reports(project, run):
    result = build_with(project, run, [("id:t-readout", "a", "cart:Readout"), ("id:t-readout", "rdfs:label", "R"),
                                       ("id:t-readout", "cart:patientsEnrolled", "12")])
    assert result.exit_code == 1
    assert ("seeds/test-facts.tsv:2: ERROR: id:t-readout: a Readout needs the trial it reports: add a cart:readoutOf row "
            "(shacl:MinCountConstraintComponent)") in problems(result)


def test_source_needs_a_title_at_its_row_in_the_sources_table(project, run):
    write_table(project, "test-sources.tsv", [f"{REF}\ta\tcart:WebPage\t{REF}\t\tverified",
                                              f"{REF}\tcart:url\thttps://example.org/page\t{REF}\t\tverified"])
    write_table(project, "test-facts.tsv", rows(*THERAPY, *TARGET))
    result = run("build", "--verbose")
    assert result.exit_code == 1
    assert (f"seeds/test-sources.tsv:2: ERROR: {REF}: a Source needs its title: add a cart:title row in seeds/sources.tsv "
            "(shacl:MinCountConstraintComponent)") in problems(result)


def test_a_source_with_two_titles_is_an_error_at_a_title_row(project, run):
    """One page, one title: two (one table calls it one thing, another something else) are a slip to resolve."""
    write_table(project, "test-sources.tsv", [f"{REF}\ta\tcart:WebPage\t{REF}\t\tverified",
                                              f"{REF}\tcart:title\tTest page\t{REF}\t\tverified",
                                              f"{REF}\tcart:title\tTest page, another name\t{REF}\t\tverified",
                                              f"{REF}\tcart:url\thttps://example.org/page\t{REF}\t\tverified"])
    write_table(project, "test-facts.tsv", rows(*THERAPY, *TARGET))
    result = run("build", "--verbose")
    assert result.exit_code == 1
    found = [line for line in problems(result) if "a Source has one title" in line]
    assert len(found) == 1, problems(result)
    assert found[0].split(": ERROR: ")[0] in ("seeds/test-sources.tsv:3", "seeds/test-sources.tsv:4")
    assert found[0].endswith(f"{REF}: a Source has one title: keep the page's own and drop the other cart:title row "
                             "(shacl:MaxCountConstraintComponent)")


TURTLE = """@prefix cart: <https://w3id.org/cartkg/ontology#> .
@prefix id: <https://w3id.org/cartkg/id/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

id:t-trial a cart:Trial ;
    rdfs:label "T-TRIAL" ;
    cart:startDate "{date}"^^xsd:date .

id:t-readout a cart:Readout ;
    rdfs:label "T readout" ;
    cart:readoutOf id:t-trial ;
    cart:patientsEnrolled "{n}" .
"""


def test_turtle_seed_files_get_datatype_checks_at_their_statement_line(project, run):
    write_table(project, "test-sources.tsv", list(SOURCE_ROWS))
    (project.seeds / "test-data.ttl").write_text(TURTLE.replace("{date}", "2024-13-45").replace("{n}", "twelve"),
                                                  encoding="utf-8")
    result = run("build", "--verbose")
    assert result.exit_code == 1
    found = problems(result)
    assert ("seeds/test-data.ttl:6: ERROR: id:t-trial: cart:startDate is an xsd:date (YYYY-MM-DD) "
            "(shacl:DatatypeConstraintComponent)") in found
    assert ("seeds/test-data.ttl:10: ERROR: id:t-readout: cart:patientsEnrolled is a whole number "
            "(xsd:integer, not negative) (shacl:DatatypeConstraintComponent)") in found
    assert "Traceback" not in result.stderr  # rdflib's log of ill-typed literals stays off the terminal


def test_turtle_seed_file_with_right_datatypes_builds(project, run):
    write_table(project, "test-sources.tsv", list(SOURCE_ROWS))
    text = TURTLE.replace("{date}", "2024-02-01").replace('"{n}"', '"12"^^xsd:integer')
    (project.seeds / "test-data.ttl").write_text(text, encoding="utf-8")
    result = run("build", "--verbose")
    assert result.exit_code == 0, result.stderr


def test_every_cart_class_has_a_shape_or_inherits_one():
    """Every class of cart.ttl is the target of a shape, itself or through a superclass."""
    from kg import ontology
    from kg.paths import Paths

    onto = ontology.load(Paths(Path(__file__).resolve().parent.parent))
    sh = "http://www.w3.org/ns/shacl#"
    targeted = {q.object.value for q in onto.quads if q.predicate.value == sh + "targetClass"}
    core = [c for c in onto.classes.values() if c.file == "ontology/cart.ttl"]
    assert core
    uncovered = [c.iri for c in core if not (onto.ancestors(c.iri) & targeted)]
    assert uncovered == []


def test_the_real_graph_passes_its_shapes(built):
    """The curated seeds build with the shapes (the `built` fixture fails on any violation)."""
    report, found = build_mod.check(built)
    assert "shacl" in report.checks_run
    assert [p for p in found if p.level == "error"] == []
