"""kg check: every problem at once, each at its file and line, from the loaders, the check files and the shapes."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg import checks as checks_mod
from kg.ontology import BUILTIN_PROPERTIES
from kg.paths import Paths
from kg.sparqltext import read_rq
from kg.store import select
from kg.vocab import SPARQL_PREFIXES

ROOT = Path(__file__).resolve().parent.parent
CHECK_FILES = sorted((ROOT / "queries" / "checks").glob("*.rq"))
HEADER = "subject\tpredicate\tobject\tsource\tquote\tstatus\tnote\n"
ARCHIVE = "seeds/texts/000_6a53bef826e0de7a.txt"
QUOTE = "Bristol Myers Squibb and Cabaletta Bio have reported encouraging results"


class Table:
    """A seed table written row by row, remembering the line of each row a test wants to find again."""

    def __init__(self, name: str):
        self.name = name
        self.rows: list[str] = []
        self.lines: dict[str, int] = {}

    def add(self, s: str, p: str, o: str, src: str = "src:t-ref", quote: str = "", status: str = "verified",
            key: str | None = None) -> None:
        self.rows.append("\t".join([s, p, o, src, quote, status]))
        if key:
            self.lines[key] = len(self.rows) + 1  # line 1 is the header

    def write(self, project: Paths) -> None:
        (project.seeds / self.name).write_text(HEADER + "".join(r + "\n" for r in self.rows), encoding="utf-8")

    def at(self, key: str) -> str:
        return f"seeds/{self.name}:{self.lines[key]}"


def only_own_seeds(project: Paths) -> None:
    """Drop the curated tables from a project copy, so a case sees only its own rows (and runs fast)."""
    for path in project.seeds.iterdir():
        if path.is_file() and path.suffix in (".tsv", ".ttl", ".nt") and path.name != "prefixes.tsv":
            path.unlink()


def sources() -> Table:
    table = Table("t-sources.tsv")
    table.add("src:t-ref", "a", "cart:WebPage")
    table.add("src:t-ref", "cart:title", "Test reference page")
    table.add("src:t-ref", "cart:url", "https://example.org/t-ref")
    table.add("src:t-ref", "cart:publishedOn", "2025-06-01")
    table.add("src:t-news", "a", "cart:NewsArticle", "src:t-news", status="reported")
    table.add("src:t-news", "cart:title", "Test news", "src:t-news", status="reported")
    table.add("src:t-news", "cart:archivedText", ARCHIVE, "src:t-news", status="reported")
    table.add("src:t-news", "cart:publishedOn", "2025-11-10", "src:t-news", status="reported")
    return table


def lines_of(result) -> list[str]:
    return result.stdout.splitlines()


# ---------------------------------------------------------------- one project with every kind of mistake


EXTENSION = """@prefix cart: <https://w3id.org/cartkg/ontology#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

cart:TCycleA a owl:Class ; rdfs:label "Cycle A" ; rdfs:comment "test" ;
    rdfs:subClassOf cart:TCycleB .
cart:TCycleB a owl:Class ; rdfs:label "Cycle B" ; rdfs:comment "test" ;
    rdfs:subClassOf cart:TCycleA .
cart:tNoLabel a owl:DatatypeProperty ; rdfs:comment "a property someone forgot to label" .
"""

TURTLE_SEED = """@prefix cart: <https://w3id.org/cartkg/ontology#> .
@prefix id: <https://w3id.org/cartkg/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

id:t-ttl-cel a cart:Theraphy ; rdfs:label "TTL-cel" .
id:t-ttl-readout a cart:Readout ; rdfs:label "TTL readout" ; cart:readoutOf id:t-trial ;
    cart:followUp "3"^^xsd:integer .
id:t-ttl-co a cart:Company ; rdfs:label "TTL Co" ; cart:partnerOff id:t-co .
id:t-ttl-event a cart:Event ; rdfs:label "TTL congress" ; rdfs:comment "2017-13-45"^^xsd:date .
"""

NT_SEED = (
    "<https://w3id.org/cartkg/id/t-nt-co> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/cartkg/ontology#Company> .\n"
    "<https://w3id.org/cartkg/id/t-nt-co> <http://www.w3.org/2000/01/rdf-schema#label> \"NT Co\" .\n"
    "<https://w3id.org/cartkg/id/t-nt-event> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/cartkg/ontology#Event> .\n"
    "<https://w3id.org/cartkg/id/t-nt-event> <http://www.w3.org/2000/01/rdf-schema#label> \"NT congress\" .\n"
    "<https://w3id.org/cartkg/id/t-nt-event> <http://www.w3.org/2000/01/rdf-schema#comment> \"2017-02-30\"^^<http://www.w3.org/2001/XMLSchema#date> .\n"
)

BAD_LEVEL_CHECK = "#+ summary: a check with a bad level\n#+ level: fatal\nSELECT ?entity WHERE { ?entity a ?c }\n"
SERVICE_CHECK = ("#+ summary: a check that would query elsewhere\n#+ level: error\n"
                 "SELECT ?entity WHERE {\n  SERVICE <http://example.org/sparql> { ?entity ?p ?o }\n}\n")
BROKEN_SPARQL_CHECK = "#+ summary: a check that does not parse\n#+ level: error\nSELECT ?entity WHERE {\n  ?entity a\n}\n"


@pytest.fixture(scope="module")
def broken(tmp_path_factory):
    """A project copy with one of each mistake, and the kg check output for it (run once)."""
    import shutil

    from click.testing import CliRunner

    from kg.cli import main

    root = tmp_path_factory.mktemp("broken")
    for name in ("ontology", "seeds", "queries"):
        shutil.copytree(ROOT / name, root / name)
    project = Paths(root)
    only_own_seeds(project)
    (project.extensions / "t-extension.ttl").write_text(EXTENSION, encoding="utf-8")
    (project.seeds / "t-data.ttl").write_text(TURTLE_SEED, encoding="utf-8")
    (project.seeds / "t-data.nt").write_text(NT_SEED, encoding="utf-8")
    (project.checks / "t-bad-level.rq").write_text(BAD_LEVEL_CHECK, encoding="utf-8")
    (project.checks / "t-service.rq").write_text(SERVICE_CHECK, encoding="utf-8")
    (project.checks / "t-broken-sparql.rq").write_text(BROKEN_SPARQL_CHECK, encoding="utf-8")

    src = sources()
    # one page declared twice (one of the two undated), and one page in two versions, each dated
    src.add("src:t-page-a", "a", "cart:WebPage")
    src.add("src:t-page-a", "cart:url", "https://example.org/t-page", key="duplicate-source")
    src.add("src:t-page-a", "cart:publishedOn", "2025-06-01")
    src.add("src:t-page-b", "a", "cart:WebPage")
    src.add("src:t-page-b", "cart:url", "https://example.org/t-page")
    src.add("src:t-record-v1", "a", "cart:WebPage")
    src.add("src:t-record-v1", "cart:url", "https://example.org/t-record", key="versions")
    src.add("src:t-record-v1", "cart:publishedOn", "2024-03-01")
    src.add("src:t-record-v2", "a", "cart:WebPage")
    src.add("src:t-record-v2", "cart:url", "https://example.org/t-record")
    src.add("src:t-record-v2", "cart:publishedOn", "2025-03-01")
    facts = Table("t-facts.tsv")
    # a valid little world ...
    facts.add("id:t-cel", "a", "cart:Therapy", key="cel-type")
    facts.add("id:t-cel", "rdfs:label", "T-cel", key="cel-label")
    facts.add("id:t-cel", "cart:targets", "id:t-cd19")
    facts.add("id:t-cd19", "a", "cart:Target")
    facts.add("id:t-cd19", "rdfs:label", "TCD19")
    facts.add("id:t-cd19", "cart:hgncId", "HGNC:1633")
    facts.add("id:t-trial", "a", "cart:Trial")
    facts.add("id:t-trial", "rdfs:label", "T-TRIAL")
    facts.add("id:t-trial", "cart:evaluates", "id:t-cel")
    facts.add("id:t-co", "a", "cart:Company")
    facts.add("id:t-co", "rdfs:label", "T Co")
    # ... and one of each mistake
    facts.add("id:t-x", "a", "cart:Theraphy", key="unknown-class")
    facts.add("id:t-cel", "cart:target", "id:t-cd19", key="unknown-property")
    facts.add("id:t-decision", "cart:decisionDate", "2017-13-45", key="datatype")
    facts.add("id:t-cel", "rdfs:comment", "said by nobody", src="", key="missing-source")
    facts.add("id:t-cel", "cart:construct", "a CD19 CAR", src="src:t-news", quote="words that are not in the text",
              status="reported", key="quote")
    facts.add("foo:t-y", "a", "cart:Therapy", key="undeclared-prefix")
    facts.add("id:t-cel", "cart:developedBy", "id:t-nowhere", key="undefined")
    facts.add("id:t-ghost", "rdfs:label", "Ghost", key="untyped")
    facts.add("id:t-cel2", "a", "cart:Therapy")
    facts.add("id:t-cel2", "rdfs:label", "t-CEL")
    facts.add("id:t-cel2", "cart:targets", "id:t-cd19")
    facts.add("id:t-trial2", "a", "cart:Trial")
    facts.add("id:t-trial2", "rdfs:label", "T-TRIAL 2")
    facts.add("id:t-trial2", "cart:evaluates", "id:t-cel")
    facts.add("id:t-trial2", "cart:nctId", "NCT123", key="nct")
    facts.add("id:t-trial3", "a", "cart:Trial", key="trial-without-therapy")
    facts.add("id:t-trial3", "rdfs:label", "T-TRIAL 3")
    facts.add("id:t-cel3", "a", "cart:Therapy", key="therapy-without-target")
    facts.add("id:t-cel3", "rdfs:label", "T-cel 3")
    facts.add("id:t-cel", "cart:developedBy", "id:t-co", src="src:t-news", quote=QUOTE, status="reported",
              key="claimed")
    facts.add("id:t-cel", "not cart:developedBy", "id:t-co", key="denied")
    # a claim that is not asserted still names what it is about
    facts.add("id:t-cel", "not cart:developedBy", "id:t-phantom", key="denied-undefined")
    src.write(project)
    facts.write(project)

    runner = CliRunner()
    env = {"KG_PROJECT": str(root), "KG_BUILD_DIR": str(root / "build")}
    text = runner.invoke(main, ["check"], env=env, catch_exceptions=False)
    as_json = runner.invoke(main, ["check", "--format", "json"], env=env, catch_exceptions=False)
    built = runner.invoke(main, ["build"], env=env, catch_exceptions=False)
    return {"root": root, "facts": facts, "src": src, "text": text, "json": as_json, "build": built}


def test_check_exits_1_and_ends_with_a_summary(broken):
    result = broken["text"]
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    out = lines_of(result)
    errors = [l for l in out if ": ERROR: " in l]
    warnings = [l for l in out if ": WARN: " in l]
    assert out[-1].startswith(f"{len(errors)} errors, {len(warnings)} warnings, ")


EXPECTED = [
    # (where, level, check, words the line must contain)
    ("unknown-class", "ERROR", "unknown-class", "unknown class cart:Theraphy; did you mean cart:Therapy?"),
    ("unknown-property", "ERROR", "unknown-property", "unknown property cart:target; did you mean cart:targets?"),
    ("datatype", "ERROR", "datatype", "'2017-13-45' is not a valid xsd:date"),
    ("missing-source", "ERROR", "missing-source", "fact has no source"),
    ("quote", "ERROR", "quote", f"quote not found verbatim in {ARCHIVE}"),
    ("undeclared-prefix", "ERROR", "undeclared-prefix", "prefix 'foo' is not declared in seeds/prefixes.tsv"),
    ("undefined", "ERROR", "undefined-entity", "id:t-nowhere is used here (cart:developedBy) but never defined"),
    ("denied-undefined", "ERROR", "undefined-entity", "id:t-phantom is used here (cart:developedBy) but never defined"),
    ("untyped", "ERROR", "untyped-entity", "id:t-ghost has facts but no type"),
    ("cel-label", "ERROR", "duplicate-label", 'id:t-cel'),
    ("nct", "ERROR", "shacl:PatternConstraintComponent", "NCT followed by 8 digits"),
    ("trial-without-therapy", "WARN", "trial-without-therapy", "trial id:t-trial3 evaluates no therapy"),
    ("therapy-without-target", "WARN", "shacl:MinCountConstraintComponent", "id:t-cel3: a Therapy with no known target"),
    # The reported claim loses to the verified denial: it is deprecated and reported once, at its own row, naming the
    # denial's row (the winning denial is preferred and has nothing to answer for).
    ("claimed", "WARN", "contested-claim", "deprecated claim: src:t-news says id:t-cel cart:developedBy id:t-co; "
                                            "contradicted by reference data: src:t-ref (seeds/t-facts.tsv:"),
]


@pytest.mark.parametrize("key,level,check,words", EXPECTED, ids=[e[0] for e in EXPECTED])
def test_each_seed_table_mistake_is_reported_at_its_row(broken, key, level, check, words):
    where = broken["facts"].at(key)
    found = [l for l in lines_of(broken["text"]) if l.startswith(where + ": ")]
    matching = [l for l in found if l.startswith(f"{where}: {level}: ") and l.endswith(f"({check})") and words in l]
    assert len(matching) == 1, "\n".join(found) or f"nothing at {where}"


def test_the_duplicate_label_names_both_ids_and_the_label(broken):
    line = next(l for l in lines_of(broken["text"]) if "(duplicate-label)" in l)
    assert line.startswith(broken["facts"].at("cel-label") + ": ERROR: ")
    assert 'cart:Therapy labelled "T-cel"' in line
    assert "id:t-cel" in line and "id:t-cel2" in line


def test_one_page_declared_twice_is_reported_once_but_two_dated_versions_are_not(broken):
    src = broken["src"]
    out = lines_of(broken["text"])
    found = [l for l in out if l.endswith("(duplicate-source)")]
    assert len(found) == 1, found
    where, _, message = found[0].partition(": WARN: ")
    ids, _, rest = message.partition(" all declare ")
    assert where == src.at("duplicate-source")
    # both ids, in whichever order the engine groups them
    assert sorted(ids.split(", ")) == ["src:t-page-a", "src:t-page-b"]
    assert rest == ("the page https://example.org/t-page: one page under two ids (keep one and cite it from every row) "
                    "(duplicate-source)")
    assert not [l for l in out if l.startswith(src.at("versions") + ": ")]


def test_contested_claim_lists_both_sides_with_the_other_sides_line(broken):
    facts = broken["facts"]
    out = lines_of(broken["text"])
    claimed = next(l for l in out if l.startswith(facts.at("claimed") + ": WARN: deprecated claim"))
    assert f"src:t-ref ({facts.at('denied')}) says id:t-cel cart:developedBy id:t-co does not hold" in claimed
    # the denial wins, so its row carries no warning of its own
    assert not [l for l in out if l.startswith(facts.at("denied") + ": ")]


def test_a_problem_both_a_shape_and_a_check_find_is_reported_once(broken):
    facts = broken["facts"]
    out = lines_of(broken["text"])
    # the shape's line replaces the check's (its class-specific level and message) ...
    assert len([l for l in out if l.startswith(facts.at("therapy-without-target") + ":")]) == 1
    assert len([l for l in out if l.startswith(facts.at("nct") + ":")]) == 1
    # ... except where the check explains the shape (an undefined entity is not "of the wrong class")
    assert [l for l in out if l.startswith(facts.at("undefined") + ":")] == [
        l for l in out if l.startswith(facts.at("undefined") + ":") and "(undefined-entity)" in l]


def test_a_typo_in_an_id_is_one_error_not_a_cascade(project, run):
    """The typo'd id gets facts by inference and fails shapes it meets; only its cause is reported."""
    only_own_seeds(project)
    sources().write(project)
    facts = Table("t-facts.tsv")
    facts.add("id:t-trial", "a", "cart:Trial")
    facts.add("id:t-trial", "rdfs:label", "T-TRIAL")
    facts.add("id:t-trial", "cart:evaluates", "id:t-cell", key="typo")
    facts.add("id:t-trial", "cart:studiesCondition", "id:t-sle")
    facts.add("id:t-sle", "a", "cart:AutoimmuneDisease")
    facts.add("id:t-sle", "rdfs:label", "T lupus")
    facts.add("id:t-sle", "cart:mondoId", "MONDO:0007915")
    facts.write(project)
    result = run("check")
    assert result.exit_code == 1
    assert [l for l in lines_of(result) if ": ERROR: " in l] == [
        f"{facts.at('typo')}: ERROR: id:t-cell is used here (cart:evaluates) but never defined: no row gives it a type "
        "(`id:t-cell  a  cart:...`); a typo in the id? (undefined-entity)"]


TURTLE_EXPECTED = [
    ("seeds/t-data.ttl:6: ERROR: ", "unknown class cart:Theraphy; did you mean cart:Therapy?", "unknown-class"),
    ("seeds/t-data.ttl:7: ERROR: ", 'wrong datatype for cart:followUp: "3" is xsd:integer but the range of the '
                                    "property is xsd:string", "datatype"),
    ("seeds/t-data.ttl:9: ERROR: ", "unknown property cart:partnerOff; did you mean cart:partnerOf?", "unknown-property"),
    ("seeds/t-data.ttl:10: ERROR: ", 'wrong datatype for rdfs:comment: "2017-13-45" is not a valid xsd:date', "datatype"),
    ("seeds/t-data.nt:3: ERROR: ", 'wrong datatype for rdfs:comment: "2017-02-30" is not a valid xsd:date', "datatype"),
    # each at the line that states its rdfs:subClassOf (the statements start at lines 5 and 7)
    ("ontology/extensions/t-extension.ttl:6: ERROR: ", "rdfs:subClassOf cycle: cart:TCycleA is a subclass of cart:TCycleB",
     "subclass-cycle"),
    ("ontology/extensions/t-extension.ttl:8: ERROR: ", "rdfs:subClassOf cycle: cart:TCycleB is a subclass of cart:TCycleA",
     "subclass-cycle"),
    ("ontology/extensions/t-extension.ttl:9: ERROR: ", "cart:tNoLabel (owl:DatatypeProperty) has no rdfs:label",
     "missing-label"),
    ("queries/checks/t-bad-level.rq:2: ERROR: ", "level must be error, warn or info, not 'fatal'", "query-header"),
    ("queries/checks/t-service.rq:4: ERROR: ", "SERVICE (federated query) is refused", "unsafe-query"),
    ("queries/checks/t-broken-sparql.rq:5: ERROR: ", "the check does not parse as SPARQL", "syntax"),
]


@pytest.mark.parametrize("start,words,check", TURTLE_EXPECTED, ids=[e[0].split(": ")[0] for e in TURTLE_EXPECTED])
def test_turtle_ntriples_ontology_and_check_file_mistakes_at_their_line(broken, start, words, check):
    found = [l for l in lines_of(broken["text"]) if l.startswith(start) and words in l and l.endswith(f"({check})")]
    assert len(found) == 1, "\n".join(l for l in lines_of(broken["text"]) if l.startswith(start.split(": ")[0]))


def test_json_format_has_the_same_problems(broken):
    data = json.loads(broken["json"].stdout)
    assert broken["json"].exit_code == 1
    from kg.errors import Problem

    assert [str(Problem(**p)) for p in data["problems"]] == lines_of(broken["text"])[:-1]
    assert data["counts"]["error"] == sum(1 for l in lines_of(broken["text"]) if ": ERROR: " in l)
    assert data["failed"] is True and "undefined-entity" in data["checks"] and "shacl" in data["checks"]


def test_build_of_the_same_project_fails_and_writes_nothing(broken):
    result = broken["build"]
    assert result.exit_code == 1
    assert "Traceback" not in result.stderr
    build = broken["root"] / "build"
    assert not (build / "current").exists()
    assert not any((build / "stores").iterdir()) if (build / "stores").exists() else True


def test_check_writes_nothing(project, run):
    result = run("check")
    assert result.exit_code == 0, result.output
    assert not project.build.exists()


# ---------------------------------------------------------------- exit status and --fail-on


def warnings_only_project(project: Paths) -> Table:
    only_own_seeds(project)
    sources().write(project)
    facts = Table("t-facts.tsv")
    facts.add("id:t-trial", "a", "cart:Trial", key="trial")
    facts.add("id:t-trial", "rdfs:label", "Lonely trial")
    facts.write(project)
    return facts


def test_warnings_pass_by_default_and_fail_with_fail_on_warn(project, run):
    facts = warnings_only_project(project)
    result = run("check")
    assert result.exit_code == 0, result.output
    assert lines_of(result)[0] == (f"{facts.at('trial')}: WARN: trial id:t-trial evaluates no therapy: add a row "
                                   "`id:t-trial  cart:evaluates  id:...` (trial-without-therapy)")
    assert lines_of(result)[-1].startswith("0 errors, 1 warning, 0 info (")
    assert run("check", "--fail-on", "warn").exit_code == 1


def test_usage_and_runtime_errors_exit_2(project, run):
    assert run("check", "--fail-on", "info").exit_code == 2
    assert run("check", "--format", "xml").exit_code == 2
    result = run("check", env={"KG_MAX_FILE_BYTES": "lots"})
    assert result.exit_code == 2
    assert result.stderr.strip() == "error: KG_MAX_FILE_BYTES must be a whole number of bytes, not 'lots'"


def test_broken_ontology_is_reported_and_the_seeds_are_not_checked_against_it(project, run):
    (project.extensions / "t-broken.ttl").write_text(
        "@prefix cart: <https://w3id.org/cartkg/ontology#> .\ncart:X a cart:Y ;\n  cart:z \"unterminated .\n",
        encoding="utf-8")
    (project.extensions / "t-broken2.ttl").write_text("cart:X a cart:Y .\n", encoding="utf-8")
    result = run("check")
    assert result.exit_code == 1
    out = lines_of(result)
    assert out[0].startswith("ontology/extensions/t-broken.ttl:3: ERROR: invalid Turtle: ")
    assert out[1].startswith("ontology/extensions/t-broken2.ttl:1: ERROR: invalid Turtle: ")
    assert out[2] == ("INFO: the seed files and checks were not run because the ontology did not load; "
                      "fix the errors above and run again (ontology)")
    assert out[3].startswith("2 errors, 0 warnings, 1 info")


def test_a_curator_adds_a_check_by_adding_a_file(project, run):
    warnings_only_project(project)
    (project.checks / "t-trial-needs-phase.rq").write_text(
        "#+ summary: Trial without a phase\n#+ level: error\n#+ message: \"trial {entity} has no phase\"\n"
        "PREFIX cart: <https://w3id.org/cartkg/ontology#>\n"
        "SELECT ?entity WHERE { ?entity a cart:Trial FILTER NOT EXISTS { ?entity cart:phase ?p } }\n", encoding="utf-8")
    result = run("check")
    assert result.exit_code == 1
    assert "seeds/t-facts.tsv:2: ERROR: trial id:t-trial has no phase (t-trial-needs-phase)" in lines_of(result)


def test_shacl_violation_of_a_users_own_shape_is_at_the_seed_row(project, run):
    """A shape in an extension file is checked like the project's own, and mapped to the row."""
    facts = warnings_only_project(project)
    (project.extensions / "t-shape.ttl").write_text(
        "@prefix cart: <https://w3id.org/cartkg/ontology#> .\n@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "@prefix ex: <https://example.org/shapes#> .\n"
        "ex:TrialPhase a sh:NodeShape ; sh:targetClass cart:Trial ;\n"
        "  sh:property [ sh:path cart:phase ; sh:minCount 1 ; sh:message \"a trial needs its phase\" ] .\n",
        encoding="utf-8")
    result = run("check")
    assert result.exit_code == 1
    assert (f"{facts.at('trial')}: ERROR: id:t-trial: a trial needs its phase (shacl:MinCountConstraintComponent)"
            in lines_of(result))


# ---------------------------------------------------------------- the real seeds


@pytest.fixture(scope="module")
def real_check():
    from click.testing import CliRunner

    from kg.cli import main

    return CliRunner().invoke(main, ["--project", str(ROOT), "check"], catch_exceptions=False)


def read_rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


def test_real_seeds_are_clean(real_check):
    assert real_check.exit_code == 0, real_check.output
    assert not [l for l in lines_of(real_check) if ": ERROR: " in l]
    assert lines_of(real_check)[-1].startswith("0 errors, ")


def test_real_negated_claims_are_reported_contested_with_both_sources(real_check):
    """Every `not` row that denies what another source's row states: both rows warned, each naming the other."""
    tables = sorted(p for p in (ROOT / "seeds").glob("*.tsv") if p.name != "prefixes.tsv")
    stated, denied = {}, []
    for path in tables:
        for line, row in enumerate(read_rows(path), start=2):
            where = f"seeds/{path.name}:{line}"
            if row["predicate"].startswith("not "):
                denied.append((where, row))
            elif row["status"] != "unverified":
                stated.setdefault((row["subject"], row["predicate"], row["object"]), []).append((where, row))
    pairs = [(claim_at, claim["source"], deny_at, deny["source"])
             for deny_at, deny in denied
             for claim_at, claim in stated.get((deny["subject"], deny["predicate"][4:], deny["object"]), [])
             if claim["source"] != deny["source"]]
    assert pairs, "the curated seeds deny at least one news claim"
    out = lines_of(real_check)
    # Each denied claim is deprecated and warned at its row, naming the denial's row; a denial by the curation
    # (seeds/curation.tsv) says "rejected by curation", one by a page "contradicted by reference data".
    for claim_at, claim_src, deny_at, deny_src in pairs:
        why = (f"rejected by curation ({deny_at})" if deny_src == "src:cartkg-curation"
               else f"contradicted by reference data: {deny_src} ({deny_at})")
        assert any(l.startswith(f"{claim_at}: WARN: deprecated claim: {claim_src} says ") and f"; {why}" in l
                   and l.endswith("(contested-claim)") for l in out), (claim_at, deny_at)


def test_real_disjoint_publisher_type_is_contested(real_check):
    """Hand-checked: news text 003 calls Ars Technica a journal; two reference pages call it a news website."""
    news = "seeds/news-003-car-t-reset-immune.tsv:4"
    out = lines_of(real_check)
    # The claim is deprecated once, at its row; the reason names the first reference row that contradicts it
    # (reference-diseases-and-targets.tsv:19, HandWiki). Both :19 and :20 (WikiSum) are linked as cart:contradictedBy
    # (test_answers.py::test_claim_contested_with_sources_on_both_sides).
    assert (f"{news}: WARN: deprecated claim: src:news-003-car-t-reset-immune says id:ars-technica rdf:type "
            "cart:ScientificJournal; contradicted by reference data: src:handwiki-ars-technica "
            "(seeds/reference-diseases-and-targets.tsv:19) says rdf:type is cart:NewsWebsite (contested-claim)") in out
    assert not [l for l in out if l.startswith(("seeds/reference-diseases-and-targets.tsv:19: ",
                                                  "seeds/reference-diseases-and-targets.tsv:20: "))]


# ---------------------------------------------------------------- the check files themselves


@pytest.mark.parametrize("path", CHECK_FILES, ids=[p.stem for p in CHECK_FILES])
def test_check_file_has_a_header_and_runs_in_any_sparql_tool(path):
    rq = read_rq(path, f"queries/checks/{path.name}", checks_mod.CHECK_KEYS)
    assert rq.summary and rq.description, "every check says what it finds and why it matters"
    assert rq.header.get("level") in ("error", "warn", "info")
    # no predeclared prefixes: the file declares what it uses, so it runs in any SPARQL tool
    solutions = ox.Store().query(rq.text)
    assert "entity" in {v.value for v in solutions.variables}


@pytest.mark.parametrize("path", [p for p in CHECK_FILES if "level: error" in p.read_text()],
                         ids=[p.stem for p in CHECK_FILES if "level: error" in p.read_text()])
def test_error_checks_find_nothing_in_the_real_graph(built, path):
    from kg.store import open_store

    store = open_store(built)
    assert list(select(store, path.read_text(encoding="utf-8"))) == []


def test_unknown_property_check_allows_exactly_the_loaders_builtin_properties():
    import re

    text = (ROOT / "queries" / "checks" / "unknown-property.rq").read_text(encoding="utf-8")
    allowed = re.search(r"\?property NOT IN \(([^)]*)\)", text, re.S).group(1)
    names = {name.strip() for name in allowed.split(",")}
    claim_record = {"rdf:subject", "rdf:predicate", "rdf:object"}
    expanded = {SPARQL_PREFIXES[n.split(":")[0]] + n.split(":")[1] for n in names - claim_record}
    assert expanded == set(BUILTIN_PROPERTIES)


def test_a_claim_is_located_by_its_own_row_without_reading_the_ntriples_files(tmp_path):
    # Reading the N-Triples files line by line is the locator's last resort (half a second per
    # million lines): a claim carries its own seed row. The file here does not exist, so reading it fails.
    from kg.locations import Locations
    from kg.vocab import CART, XSD

    claim = ox.NamedNode("https://w3id.org/cartkg/id/claim/0123456789abcdef0123")
    store = ox.Store()
    store.add(ox.Quad(claim, ox.NamedNode(CART + "seedFile"), ox.Literal("seeds/t-claims.tsv")))
    store.add(ox.Quad(claim, ox.NamedNode(CART + "seedLine"), ox.Literal("7", datatype=ox.NamedNode(XSD + "integer"))))
    missing = tmp_path / "gone.nt"
    locator = checks_mod.Locator(store, Locations({}, [(missing, "seeds/gone.nt")]))
    assert locator.locate(claim) == ("seeds/t-claims.tsv", 7)
    # an IRI nothing else locates is still looked for in the N-Triples files
    with pytest.raises(FileNotFoundError):
        locator.locate(ox.NamedNode("https://w3id.org/cartkg/id/elsewhere"))


def test_a_trial_without_a_registry_id_beside_a_registered_twin_is_reported_for_a_look(project, run):
    # KYSA-1 (NCT05938725) tests KYV-101 in lupus nephritis: reference-autoimmune-programs.tsv:441 (evaluates
    # id:kyv-101), :443 (NCT05938725) and :448 (studiesCondition id:lupus-nephritis). A trial known from a paper
    # that tests the same therapy in the same disease, without a registry id, may be KYSA-1; one with its own NCT
    # id, or one in a disease no registered trial of KYV-101 studies, is not reported.
    rows = [
        "src:t-paper\ta\tcart:Paper\tsrc:t-paper\t\tverified",
        "src:t-paper\tcart:title\tA paper on a KYV-101 study\tsrc:t-paper\t\tverified",
    ]
    for trial, nct, disease in (("t-paper-trial", "", "lupus-nephritis"), ("t-registered", "NCT09999991", "lupus-nephritis"),
                                ("t-elsewhere", "", "pemphigus-vulgaris")):
        rows += [f"id:{trial}\ta\tcart:Trial\tsrc:t-paper\t\tverified",
                 f"id:{trial}\trdfs:label\t{trial}\tsrc:t-paper\t\tverified",
                 f"id:{trial}\tcart:evaluates\tid:kyv-101\tsrc:t-paper\t\tverified",
                 f"id:{trial}\tcart:studiesCondition\tid:{disease}\tsrc:t-paper\t\tverified"]
        rows += [f"id:{trial}\tcart:nctId\t{nct}\tsrc:t-paper\t\tverified"] if nct else []
    (project.seeds / "t-twins.tsv").write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    result = run("check")
    found = [l for l in result.stdout.splitlines() if l.endswith("(unregistered-trial-twin)") and "t-twins.tsv" in l]
    assert len(found) == 1, found
    assert found[0].startswith("seeds/t-twins.tsv:4: INFO: id:t-paper-trial has no registry id and tests id:kyv-101 "
                               "in id:lupus-nephritis, like the registered ") and "NCT05938725" in found[0], found
    assert "NCT09999991" in found[0]  # the other registered trial of the pair, added here


def test_a_source_without_a_date_or_an_address_is_reported_at_its_row(project, run):
    # Four sources: one dated by its own page, one read on a day the curation records (a page with no date),
    # one with neither, and one with no URL and no archived text. Only the last two are reported, each at its
    # `a` row; the curation itself (cart:Curation) never is.
    rows = [
        "src:t-dated\ta\tcart:WebPage\tsrc:t-dated\t\tverified",
        "src:t-dated\tcart:title\tA dated page\tsrc:t-dated\t\tverified",
        "src:t-dated\tcart:url\thttps://example.org/dated\tsrc:t-dated\t\tverified",
        "src:t-dated\tcart:publishedOn\t2025-06-01\tsrc:t-dated\t\tverified",
        "src:t-read\ta\tcart:WebPage\tsrc:t-read\t\tverified",
        "src:t-read\tcart:title\tA page showing no date\tsrc:t-read\t\tverified",
        "src:t-read\tcart:url\thttps://example.org/read\tsrc:t-read\t\tverified",
        "src:t-undated\ta\tcart:WebPage\tsrc:t-undated\t\tverified",
        "src:t-undated\tcart:title\tAn undated page\tsrc:t-undated\t\tverified",
        "src:t-undated\tcart:url\thttps://example.org/undated\tsrc:t-undated\t\tverified",
        "src:t-nowhere\ta\tcart:WebPage\tsrc:t-nowhere\t\tverified",
        "src:t-nowhere\tcart:title\tA page with no address\tsrc:t-nowhere\t\tverified",
        "src:t-nowhere\tcart:publishedOn\t2025-06-01\tsrc:t-nowhere\t\tverified",
    ]
    (project.seeds / "t-dates.tsv").write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    (project.seeds / "curation-t-read.tsv").write_text(
        HEADER.replace("note\n", "note\tevidence\n")
        + "src:t-read\tcart:retrievedOn\t2026-12-05\tsrc:cartkg-curation\t\tverified\tthe page shows no date\tsrc:t-read\n",
        encoding="utf-8")
    result = run("check")
    found = sorted(l for l in result.stdout.splitlines() if "(source-without-" in l and "t-dates.tsv" in l)
    assert found == [
        "seeds/t-dates.tsv:12: WARN: source src:t-nowhere cannot be opened: add a row "
        "`src:t-nowhere  cart:url  https://...` (source-without-locator)",
        "seeds/t-dates.tsv:9: WARN: source src:t-undated has no date: add a row `src:t-undated  cart:publishedOn  "
        "YYYY-MM-DD` (the page's own date) or, where the page shows none, `src:t-undated  cart:retrievedOn  "
        "YYYY-MM-DD  src:cartkg-curation` in seeds/curation-retrieved.tsv (source-without-date)",
    ], found
    assert not [l for l in result.stdout.splitlines() if "source src:cartkg-curation " in l]
