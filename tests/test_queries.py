"""Canned queries: the catalogue, typed and safe parameters, every format, and hand-checked answers.

Expected rows were read off ../shared/seeds/000_*.txt and 003_*.txt (the news texts) and
../shared/reference/car-t-facts.yaml (the record is named in each comment), not copied from a run.
"""

from __future__ import annotations

import csv
import io
import json
import re

import pyoxigraph as ox
import pytest

from kg import catalogue
from kg.engine import LocalEngine

from kg.params import ParamError, bind, resolve_entity, to_term
from kg.paths import Paths
from kg.results import FORMATS, display
from kg.sparqltext import _TOKENS, Param
from kg.store import select

from conftest import ROOT

INJECTION = 'x") } UNION { ?s ?p ?o } #'
QUERY_FILES = sorted(p.name for p in (ROOT / "queries").glob("*.rq"))
REQUIRED = {"entity", "contested-claims", "therapies-by-target", "safety-findings", "efficacy-readouts",
            "registrational-timeline", "challenges", "programs-by-disease", "programs-by-category", "trials",
            "approvals-timeline", "analyst-views", "sources-for-fact", "companies-in-oncology-and-autoimmune",
            "partners-of-company", "car-t-constructs"}


@pytest.fixture(scope="module")
def answer(built):
    """Run a canned query on the real built graph; rows as people read them (labels, plain values)."""

    def run(query: str, **given: str) -> list[tuple[str, ...]]:
        result = catalogue.run_query(built, query, given, labelled=True)
        return [tuple(display(t, result.labels) for t in row) for row in result.result.rows]

    return run


def columns(built, query: str, **given: str) -> list[str]:
    return catalogue.run_query(built, query, given).result.variables


# ---------------------------------------------------------------- the catalogue


def test_catalogue_lists_at_least_18_kebab_case_queries_including_the_named_ones():
    names = catalogue.names(Paths(ROOT))
    assert len(names) >= 18
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", n) for n in names), names
    assert REQUIRED <= set(names)
    queries = {q.name: q for q in catalogue.load_catalogue(Paths(ROOT))}
    assert set(queries["entity"].params) == {"name"}
    assert queries["therapies-by-target"].params["target"].type == "entity"


@pytest.mark.parametrize("file", QUERY_FILES)
def test_each_query_file_is_standard_sparql_with_a_header_and_order_by(file):
    from rdflib.plugins.sparql import prepareQuery

    path = ROOT / "queries" / file
    rq = catalogue.load_query(Paths(ROOT), path)
    assert rq.summary and rq.tags
    # A second, independent SPARQL 1.1 parser: the file (with its #+ header) runs in other tools too.
    prepareQuery(path.read_text(encoding="utf-8"))
    # Every prefix it uses is declared in the file itself.
    used = {m.group(1) for m in re.finditer(r"(?<![\w?$<])([a-z]+):[A-Za-z]", re.sub(r"#[^\n]*|<[^>]*>|\"[^\"]*\"", "", rq.text))}
    declared = set(re.findall(r"^PREFIX (\w+):", rq.text, re.M))
    assert used <= declared, f"{file} uses undeclared prefixes {used - declared}"
    for param in rq.params.values():
        assert param.description, f"{file}: parameter {param.name} needs a description"


def test_kg_queries_lists_every_query_and_kg_queries_name_shows_one(run):
    result = run("queries")
    assert result.exit_code == 0
    for name in catalogue.names(Paths(ROOT)):
        assert re.search(rf"^{re.escape(name)}\s", result.output, re.M), name
    assert "therapies-by-target" in result.output and "[target]" in result.output
    shown = run("queries", "safety-findings")
    assert shown.exit_code == 0
    assert "default rese-cel" in shown.output and "SELECT DISTINCT ?therapy" in shown.output
    assert "#+" not in shown.output


def test_an_unknown_query_suggests_the_closest_names(run):
    result = run("query", "trails")
    assert result.exit_code == 2
    assert "no canned query is called 'trails'; did you mean trials" in result.stderr
    assert run("queries", "contested-claim").stderr.count("contested-claims") == 1


# ---------------------------------------------------------------- headers that do not parse


def _write(project, name: str, text: str) -> None:
    (project.queries / f"{name}.rq").write_text(text, encoding="utf-8")


GOOD = """#+ summary: Therapies of a target
#+ tags: [test]
#+ params:
#+   target:
#+     type: entity
#+     description: the target
PREFIX cart: <https://w3id.org/cartkg/ontology#>
SELECT ?therapy ?_target WHERE { ?therapy cart:targets ?_target }
ORDER BY ?therapy
"""


@pytest.mark.parametrize("broken, line, message", [
    (GOOD.replace("#+ summary: Therapies of a target", "#+ summary: Therapies: of a target"), 1, "not valid YAML"),
    (GOOD.replace("#+ tags: [test]", "#+ tags: [test]\n#+ author: me"), 3, "unknown #+ header key 'author'"),
    (GOOD.replace("#+     type: entity", "#+     type: gene"), 4, "unknown type 'gene'"),
    (GOOD.replace("#+     type: entity", "#+     type: entity\n#+     defualt: CD19"), 4, "unknown key 'defualt'"),
    (GOOD.replace("SELECT ?therapy ?_target", "SELECT ?therapy"), 4, "add ?_target to the SELECT clause"),
    (GOOD.replace("ORDER BY ?therapy\n", ""), 8, "add an ORDER BY"),
    (GOOD.replace("#+ summary: Therapies of a target\n", ""), 1, "summary: is missing"),
    (GOOD.replace("#+     type: entity", "#+     type: date\n#+     default: 2024-02-30"), 4, "default: parameter target: '2024-02-30' is not a date"),
    (GOOD.replace("?_target", "?target"), 4, "not used as ?_target"),
])
def test_a_header_that_does_not_parse_names_the_file_and_line(project, run, broken, line, message):
    _write(project, "broken", broken)
    result = run("queries")
    assert result.exit_code == 1
    assert f"queries/broken.rq:{line}: ERROR:" in result.stderr
    assert message in result.stderr
    assert run("query", "broken").exit_code == 1


# ---------------------------------------------------------------- parameters: typed, checked, never pasted


@pytest.mark.parametrize("kind, raw, expected", [
    ("integer", "42", ox.Literal("42", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))),
    ("integer", "+007", ox.Literal("7", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))),
    ("decimal", "2.5", ox.Literal("2.5", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal"))),
    ("date", "2017-08-30", ox.Literal("2017-08-30", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date"))),
    ("boolean", "yes", ox.Literal("true", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean"))),
    ("boolean", "False", ox.Literal("false", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean"))),
    ("string", INJECTION, ox.Literal(INJECTION)),
    ("iri", "cart:targets", ox.NamedNode("https://w3id.org/cartkg/ontology#targets")),
    ("iri", "<https://example.org/a#b>", ox.NamedNode("https://example.org/a#b")),
    ("iri", "https://example.org/x", ox.NamedNode("https://example.org/x")),
])
def test_values_become_typed_terms(kind, raw, expected):
    assert to_term(Param("p", kind), raw, {"cart": "https://w3id.org/cartkg/ontology#"}) == expected


@pytest.mark.parametrize("kind, raw", [
    ("integer", "4.2"), ("integer", "12abc"), ("decimal", "1e5x"), ("date", "2017-8-30"), ("date", "2017-02-30"),
    ("boolean", "maybe"), ("iri", "<http://x> y"), ("iri", "http://x>y"), ("iri", "cart:a b"), ("iri", " cart:a"),
    ("iri", "cart:a>b"), ("iri", "nope:x"), ("iri", "just words"), ("iri", '<http://x"y>'),
])
def test_values_of_the_wrong_shape_are_refused(kind, raw):
    with pytest.raises(ParamError, match="parameter p:"):
        to_term(Param("p", kind), raw, {"cart": "https://w3id.org/cartkg/ontology#"})


@pytest.mark.parametrize("value", ["<https://w3id.org/cartkg/id/x> UNION", "id:cd19>", "<http://x>\n{"])
def test_an_iri_parameter_with_angle_brackets_or_spaces_is_refused_before_anything_runs(project, run, value):
    # The project copy has no build: reaching the engine would fail with "run `kg build` first".
    result = run("query", "sources-for-fact", "-p", f"property={value}")
    assert result.exit_code == 2
    assert "parameter property:" in result.stderr and "not a valid IRI" in result.stderr
    assert "kg build" not in result.stderr


def test_a_missing_parameter_is_named(project, run):
    _write(project, "needs-target", GOOD)
    result = run("query", "needs-target")
    assert result.exit_code == 2
    assert "query needs-target needs parameter target (entity: the target); pass it as -p target=VALUE" in result.stderr


def test_an_unknown_parameter_is_named_with_the_closest_one(project, run):
    result = run("query", "therapies-by-target", "-p", "targte=CD19")
    assert result.exit_code == 2
    assert "has no parameter 'targte'; did you mean target?" in result.stderr
    assert run("query", "trials", "-p", "phase").exit_code == 2  # not NAME=VALUE: a usage error


def test_the_injection_probe_as_a_string_returns_no_rows(built, run):
    everything = catalogue.run_query(built, "trials", {}).result.rows
    assert len(everything) > 20
    result = run("query", "trials", "-p", f"phase={INJECTION}", "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["results"]["bindings"] == []


@pytest.mark.parametrize("query, param", [("therapies-by-target", "target"), ("entity", "name"),
                                          ("challenges", "about"), ("contested-claims", "about")])
def test_the_injection_probe_as_an_entity_name_matches_nothing_and_returns_no_rows(built, run, query, param):
    result = run("query", query, "-p", f"{param}={INJECTION}", "--format", "csv")
    assert result.exit_code == 1  # a value that names nothing: a script can tell it from an empty answer
    assert result.stdout == ""
    assert "nothing" in result.stderr and "is named 'x\") } UNION" in result.stderr


def test_the_injection_probe_never_widens_the_name_lookup(built):
    engine = LocalEngine(built)
    term, note = resolve_entity(engine, Param("name", "entity"), INJECTION, catalogue.prefixes(built))
    assert term == ox.Literal(INJECTION) and note


@pytest.mark.parametrize("name", ["CD19", "cd19", "id:cd19", "<https://w3id.org/cartkg/id/cd19>",
                                  "https://w3id.org/cartkg/id/cd19"])
def test_an_entity_is_found_by_label_any_case_curie_or_iri(built, name):
    engine = LocalEngine(built)
    term, note = resolve_entity(engine, Param("target", "entity", cls="cart:Target"), name, catalogue.prefixes(built))
    assert term == ox.NamedNode("https://w3id.org/cartkg/id/cd19") and note == ""


def test_a_trial_is_found_by_its_nct_id(built):
    # yaml: RESET-SSc (NCT06328777)
    engine = LocalEngine(built)
    term, note = resolve_entity(engine, Param("about", "entity"), "nct06328777", catalogue.prefixes(built))
    assert term == ox.NamedNode("https://w3id.org/cartkg/id/reset-ssc") and note == ""


@pytest.mark.parametrize("name", ["rese-cel", "resecabtagene autoleucel", "CABA-201", "Resecabtagene Autoleucel"])
def test_a_therapy_is_found_by_any_of_its_names(built, name):
    # yaml: rese-cel (resecabtagene autoleucel; CABA-201); INN and code names are synonyms (skos:altLabel)
    engine = LocalEngine(built)
    term, _ = resolve_entity(engine, Param("therapy", "entity"), name, catalogue.prefixes(built))
    assert term == ox.NamedNode("https://w3id.org/cartkg/id/rese-cel")


def test_a_typo_gets_the_closest_names(built, run):
    result = run("query", "therapies-by-target", "-p", "target=CD91")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith("note: parameter target: nothing among cart:Target is named 'CD91'; did you mean CD19")
    assert len(result.stderr.splitlines()) == 1


def test_an_iri_the_graph_does_not_hold_is_exit_1_too(built, run):
    result = run("query", "therapies-by-target", "-p", "target=id:cd91")
    assert result.exit_code == 1 and result.stdout == ""
    # seeds/reference-approved-products.tsv:189: id:cd19 a cart:Target; id:cd91 is nothing
    assert result.stderr.startswith("note: parameter target: id:cd91 is not in the graph; did you mean id:cd19")
    assert len(result.stderr.splitlines()) == 1


def test_an_empty_answer_is_exit_0(built, run):
    # A text filter that matches nothing is an answer with no rows, not a value naming nothing: no trial's
    # phase contains "Phase 9" (cart:phase takes Early Phase 1 to Phase 3).
    result = run("query", "trials", "-p", "phase=Phase 9", "--format", "csv")
    assert result.exit_code == 0 and result.stdout_bytes.count(b"\r\n") == 1


def test_a_name_shared_by_two_entities_is_refused_with_their_curies():
    store = ox.Store()
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    for slug in ("a", "b"):
        store.add(ox.Quad(ox.NamedNode(f"https://w3id.org/cartkg/id/{slug}"), label, ox.Literal("Same Name"),
                          ox.NamedNode("https://w3id.org/cartkg/id/source/s")))
    engine = LocalEngine.__new__(LocalEngine)
    engine.store = store
    with pytest.raises(ParamError, match=r"'same name' names 2 entities \(id:a, id:b\)"):
        resolve_entity(engine, Param("name", "entity"), "same name", {"id": "https://w3id.org/cartkg/id/"})


# ---------------------------------------------------------------- every query, every format, same bytes


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("file", QUERY_FILES)
def test_every_query_runs_with_its_defaults_in_every_format(built, run, file, fmt):
    name = file[:-3]
    first = run("query", name, "--format", fmt)
    assert first.exit_code == 0, first.stderr
    out = first.stdout
    variables = columns(built, name)
    assert variables and not any(v.startswith("_") for v in variables)
    if fmt == "json":
        data = json.loads(out)
        assert data["head"]["vars"] == variables
        rows = data["results"]["bindings"]
    elif fmt == "csv":
        table = list(csv.reader(io.StringIO(first.stdout_bytes.decode("utf-8"), newline="")))
        assert table[0] == variables and first.stdout_bytes.endswith(b"\r\n")
        rows = table[1:]
    elif fmt == "tsv":
        lines = out.rstrip("\n").split("\n")
        assert lines[0] == "\t".join("?" + v for v in variables)
        rows = lines[1:]
    elif fmt == "xml":
        from rdflib.plugins.sparql.results.xmlresults import XMLResultParser

        parsed = XMLResultParser().parse(io.BytesIO(first.stdout_bytes))
        assert [str(v) for v in parsed.vars] == variables
        rows = list(parsed.bindings)
    elif fmt == "records":
        assert set(re.findall(r"^(\w+) ", out, re.M)) <= set(variables)
        rows = re.findall(r"^-\[ \d+ \]-", out, re.M)
        assert re.search(rf"^\({len(rows)} rows?\)$", out, re.M)
    elif fmt == "md":
        lines = out.rstrip("\n").split("\n")
        assert lines[0] == "| " + " | ".join(variables) + " |"
        rows = lines[2:]
    else:
        match = re.search(r"^\((\d+) rows?\)$", out, re.M)
        assert match and "https://w3id.org/cartkg/id/" not in out  # labels, not IRIs
        rows = [None] * int(match.group(1))
    assert len(rows) > 0, f"{name} returns nothing with its defaults"
    assert run("query", name, "--format", fmt).stdout_bytes == first.stdout_bytes  # sorted: same graph, same bytes


def _values_first(text: str, bindings: dict[str, ox.Term]) -> str:
    """The query with its bindings as a VALUES block opening the top-level WHERE group (how a remote
    engine that has no substitutions binds them)."""
    where = None
    for m in _TOKENS.finditer(text):
        if m.lastgroup == "word" and m.group().upper() == "WHERE" and where is None:
            where = m.end()
        elif where is not None and m.group() == "{":
            values = " ".join(f"VALUES ?{k} {{ {t} }}" for k, t in bindings.items())
            return f"{text[:m.end()]} {values} {text[m.end():]}"
    raise AssertionError("no WHERE group")


CASES = [(f[:-3], {}) for f in QUERY_FILES] + [
    ("therapies-by-target", {"target": "BCMA"}), ("approvals-timeline", {"regulator": "FDA", "since": "2023-01-01"}),
    ("approvals-timeline", {"kind": "RMAT", "therapy": "rese-cel"}), ("programs-by-disease", {"disease": "SLE"}),
    ("programs-by-category", {"category": "cancer"}), ("trials", {"phase": "2", "sponsor": "Autolus"}),
    ("trials", {"status": "recruiting"}), ("safety-findings", {"therapy": "Kymriah"}), ("challenges", {"about": "SLE"}),
    ("challenges", {"about": "Kymriah"}), ("analyst-views", {"about": "RESET-Myositis"}),
    ("sources-for-fact", {"property": "cart:developedBy", "value": "bristol"}), ("contested-claims", {"about": "rese-cel"}),
    ("partners-of-company", {"company": "BMS"}), ("car-t-constructs", {"approved": "false"}),
    ("sources", {"kind": "News article"}), ("people", {"organisation": "Cabaletta"}), ("entity", {"name": "CD19"}),
    ("registrational-timeline", {"therapy": "Descartes-08"}), ("efficacy-readouts", {"therapy": "KYV-101"}),
]


@pytest.mark.parametrize("name, given", CASES, ids=[f"{n}-{'-'.join(g) or 'defaults'}" for n, g in CASES])
def test_bindings_give_the_same_rows_as_a_values_block_at_the_top(built, name, given):
    engine = LocalEngine(built)
    rq = catalogue.find_query(built, name)
    bound = bind(engine, rq.params, given, catalogue.prefixes(built), name)
    substituted = engine.select(rq.text, bound.bindings)
    assert substituted.rows, f"{name} {given} returns nothing"
    injected = engine.select(_values_first(rq.text, bound.bindings)) if bound.bindings else engine.select(rq.text)
    assert (substituted.variables, substituted.rows) == (injected.variables, injected.rows)


def test_queries_run_on_the_embedded_store_without_network_or_pasting(built):
    # The parameter's text never appears in what the engine is given.
    rq = catalogue.find_query(built, "trials")
    assert INJECTION not in rq.text
    rows = list(select(LocalEngine(built).store, rq.text, {"_phase": ox.Literal(INJECTION)}))
    assert rows == []


# ---------------------------------------------------------------- hand-checked answers on the real seeds


def test_therapies_by_target_cd19(answer):
    # yaml target_antigen CD19: Kymriah, Yescarta, Tecartus, Breyanzi, Aucatzyl; autoimmune_car_t targets:
    # rese-cel, BMS-986353, KYV-101, YTB323, azer-cel, the Erlangen series. Companies and first approval
    # dates from the same records; BMS on rese-cel is news 000's claim, disputed (partner_bms: none found).
    assert set(answer("therapies-by-target", target="CD19")) == {
        ("CD19", "Aucatzyl", "Autolus", "", "2024-11-08"),
        ("CD19", "azer-cel", "TG Therapeutics", "", ""),
        ("CD19", "BMS-986353", "Bristol Myers Squibb", "", ""),
        ("CD19", "Breyanzi", "Bristol Myers Squibb", "", "2021-02-05"),
        ("CD19", "Breyanzi", "Juno Therapeutics", "", "2021-02-05"),
        ("CD19", "Erlangen academic CD19 CAR T", "", "", ""),
        ("CD19", "Kymriah", "Novartis", "", "2017-08-30"),
        ("CD19", "KYV-101", "Kyverna Therapeutics", "", ""),
        ("CD19", "rese-cel", "Bristol Myers Squibb", "disputed", ""),
        ("CD19", "rese-cel", "Cabaletta Bio", "", ""),
        ("CD19", "Tecartus", "Kite Pharma", "", "2020-07-24"),
        ("CD19", "Yescarta", "Kite Pharma", "", "2017-10-18"),
        ("CD19", "YTB323", "Novartis", "", ""),
    }


def test_therapies_by_target_bcma_by_its_gene_symbol(answer):
    # yaml: BCMA = TNFRSF17 (Abecma, Carvykti, Descartes-08; anito-cel "BCMA CAR T")
    therapies = {row[1] for row in answer("therapies-by-target", target="TNFRSF17")}
    assert therapies == {"Abecma", "Carvykti", "Descartes-08", "anito-cel"}
    assert answer("therapies-by-target", target="BCMA") == answer("therapies-by-target", target="HGNC:11913")


def test_approvals_timeline_dated_decisions_in_order(answer):
    # yaml first_fda_approval_date of each product; autoimmune_car_t designations with dates:
    # rese-cel Fast Track SLE and LN "May 1 (2023)", Orphan IIM 2024-02-01, IND amendment 2026-01-12;
    # KYV-101 Fast Track MG 2023-12-14; Descartes-08 RMAT MG 2024-05-22.
    dated = [(r[0], r[2], r[3], r[4]) for r in answer("approvals-timeline") if r[0]]
    assert dated == [
        ("2017-08-30", "Kymriah", "Approval", "acute lymphoblastic leukemia"),
        ("2017-10-18", "Yescarta", "Approval", "diffuse large B-cell lymphoma"),
        ("2020-07-24", "Tecartus", "Accelerated approval", "mantle cell lymphoma"),
        ("2021-02-05", "Breyanzi", "Approval", "diffuse large B-cell lymphoma"),
        ("2021-03-26", "Abecma", "Approval", "multiple myeloma"),
        ("2022-02-28", "Carvykti", "Approval", "multiple myeloma"),
        ("2023-05-01", "rese-cel", "Fast Track", "lupus nephritis"),
        ("2023-05-01", "rese-cel", "Fast Track", "systemic lupus erythematosus"),
        ("2023-12-14", "KYV-101", "Fast Track", "myasthenia gravis"),
        ("2024-02-01", "rese-cel", "Orphan Drug", "idiopathic inflammatory myopathy"),
        ("2024-05-22", "Descartes-08", "RMAT", "myasthenia gravis"),
        ("2024-11-08", "Aucatzyl", "Approval", "acute lymphoblastic leukemia"),
        ("2026-01-12", "rese-cel", "IND clearance", ""),
    ]


def test_approvals_timeline_leaves_out_unconfirmed_designations(answer):
    # yaml: BMS-986353 designation "RMAT / Fast Track / Orphan" is unverified: recorded, never asserted.
    assert "BMS-986353" not in {r[2] for r in answer("approvals-timeline")}
    rmat = {(r[2], r[4]) for r in answer("approvals-timeline", kind="RMAT", regulator="FDA")}
    # yaml: Breyanzi first RMAT approval; Aucatzyl RMAT; rese-cel RMAT myositis; KYV-101 RMAT (SPS);
    # FT819 RMAT for lupus; Descartes-08 RMAT MG.
    assert rmat == {("Breyanzi", ""), ("Aucatzyl", ""), ("rese-cel", "idiopathic inflammatory myopathy"),
                    ("KYV-101", "stiff person syndrome"), ("FT819", "systemic lupus erythematosus"),
                    ("Descartes-08", "myasthenia gravis")}


def test_programs_by_disease_sle(answer):
    # yaml trials in SLE: RESET-SLE (rese-cel), Breakfree-1 and Breakfree-SLE (BMS-986353), YTB323
    # NCT05798117 and AUTOGRAPH-SLE/LN, Descartes-08 open-label Phase 2, CARLYSLE and NCT07053800
    # (obe-cel, i.e. Aucatzyl), relma-cel NCT05765006, the Erlangen case series (8 SLE); designations
    # for SLE: rese-cel Fast Track, FT819 RMAT (lupus), SC291 Fast Track.
    rows = {(r[2], r[3], r[4]) for r in answer("programs-by-disease", disease="lupus")}
    assert {r[1] for r in answer("programs-by-disease", disease="SLE")} == {"systemic lupus erythematosus"}
    assert {(t, how) for t, how, _ in rows} == {
        ("Aucatzyl", "in trial"), ("BMS-986353", "in trial"), ("Descartes-08", "in trial"),
        ("Erlangen academic CD19 CAR T", "in trial"), ("FT819", "RMAT"), ("relma-cel", "in trial"),
        ("rese-cel", "Fast Track"), ("rese-cel", "in trial"), ("SC291", "Fast Track"), ("YTB323", "in trial")}
    assert {trial for t, _, trial in rows if t == "BMS-986353"} == {"Breakfree-1", "Breakfree-SLE"}
    assert all(r[0] == "Autoimmune disease" for r in answer("programs-by-disease", disease="SLE"))


def test_programs_by_category_cancer_are_the_seven_approved_products(answer):
    # yaml fda_approved_car_t: first_approved_indication of each product
    assert set(answer("programs-by-category", category="oncology")) == {
        ("Cancer", "Abecma", "approved", "multiple myeloma"),
        ("Cancer", "Aucatzyl", "approved", "acute lymphoblastic leukemia"),
        ("Cancer", "Breyanzi", "approved", "diffuse large B-cell lymphoma"),
        ("Cancer", "Carvykti", "approved", "multiple myeloma"),
        ("Cancer", "Kymriah", "approved", "acute lymphoblastic leukemia"),
        ("Cancer", "Tecartus", "approved", "mantle cell lymphoma"),
        ("Cancer", "Yescarta", "approved", "diffuse large B-cell lymphoma"),
    }
    autoimmune = {r[1]: r for r in answer("programs-by-category", category="autoimmune")}
    # yaml: Breakfree-1 = SLE, IIM, SSc, RA; MS trial NCT06220201; Breakfree-SLE incl. lupus nephritis
    assert autoimmune["BMS-986353"][2:] == ("investigational", "idiopathic inflammatory myopathy; lupus nephritis; "
                                            "multiple sclerosis; rheumatoid arthritis; systemic lupus erythematosus; "
                                            "systemic sclerosis")
    assert {r[2] for r in autoimmune.values()} == {"investigational"}


def test_trials_by_phase_status_and_sponsor(answer):
    # yaml: AURORA (NCT06799247), Phase 3, Descartes-08, start 2025-05-06
    assert answer("trials", phase="3") == [("AURORA", "NCT06799247", "Phase 3", "", "2025-05-06", "", "Descartes-08")]
    # yaml: Phase 2 in SLE with active LN (NCT07053800), sponsor Autolus Limited
    assert [(r[1], r[5], r[6]) for r in answer("trials", sponsor="Autolus")] == [("NCT07053800", "Autolus", "Aucatzyl")]
    # text 003: "The clinical trial is currently in the initial safety phase, enrolling a small cohort"
    recruiting = answer("trials", status="RECRUITING")
    assert len(recruiting) == 1 and recruiting[0][3] == "RECRUITING" and recruiting[0][0].startswith("Unnamed")
    # yaml: ZUMA-1 phase 1/2, KYSA-1 Phase 1/2, RESET-* Phase 1/2, NCT05798117 Phase 1/2
    assert {r[0] for r in answer("trials", phase="1/2")} >= {"ZUMA-1", "KYSA-1", "RESET-SLE", "RESET-SSc",
                                                             "RESET-Myositis", "RESET-MG"}


def test_safety_findings_for_rese_cel_say_what_is_missing(answer):
    # text 000: RESET-Myositis improvements "occurred without the use of immunomodulators"; RESET-SSc
    # "clinical improvements without the need for immunomodulator or steroid treatment"; RESET-SLE
    # results name no safety finding; RESET-MG, RESET-MS, RESET-PV (yaml) have no readout.
    rows = answer("safety-findings")
    assert [(r[1], r[3], r[6]) for r in rows] == [
        ("RESET-MG", "", "no readout of this trial is recorded"),
        ("RESET-MS", "", "no readout of this trial is recorded"),
        ("RESET-Myositis", "improvements occurred without the use of immunomodulators", ""),
        ("RESET-PV", "", "no readout of this trial is recorded"),
        ("RESET-SLE", "", "its readouts report no safety finding"),
        ("RESET-SSc", "clinical improvements without the need for immunomodulator or steroid treatment", ""),
    ]
    assert rows[2][5] == "these improvements occurred without the use of immunomodulators"
    assert {r[4] for r in rows if r[3]} == {"CAR T Therapy Shows Promise in Treating Autoimmune Conditions"}


def test_efficacy_readouts_for_rese_cel_against_existing_treatment(answer):
    # text 000: RESET-SLE three patients in remission, at least three months of follow-up; a fourth
    # with lupus nephritis, complete renal response; RESET-Myositis six patients, four evaluable,
    # "moderate or major improvement" after 16 weeks; RESET-SSc four patients, at least three months.
    # yaml EULAR 2025: myositis 7/8 clinical responses; 7 SLE patients; 2 SSc patients.
    # text 003: current treatments for lupus involve broad immunosuppression.
    rows = {(r[1], r[3]): r[4:11] for r in answer("efficacy-readouts") if r[2].endswith("ACR Convergence 2025")}
    assert rows[("RESET-SLE", "systemic lupus erythematosus")] == (
        "", "3", "disease remission", "at least three months", "ACR Convergence 2025", "broad immunosuppression",
        "not reported: patients enrolled")
    assert rows[("RESET-SLE", "lupus nephritis")][:3] == ("", "1", "complete renal response")
    assert rows[("RESET-Myositis", "dermatomyositis")][:4] == ("6", "4", "moderate or major improvement", "16 weeks")
    assert rows[("RESET-SSc", "systemic sclerosis")][:4] == ("", "4", "clinical improvements", "at least three months")
    eular = {(r[1], r[4], r[5], r[6]) for r in answer("efficacy-readouts") if "EULAR" in r[2]}
    assert eular == {("RESET-Myositis", "", "8", "clinical responses in 7 of 8 patients"),
                     ("RESET-SLE", "7", "", ""), ("RESET-SSc", "2", "", "")}
    assert ("RESET-MG", "no readout of this trial is recorded") in {(r[1], r[10]) for r in answer("efficacy-readouts")}


def test_registrational_timeline_for_rese_cel(answer):
    # text 000: preparing for a registrational trial in myositis (no timing); align with the FDA "this
    # year" on pivotal designs for lupus and SSc; an "upcoming" registrational cohort for DM; a
    # dose-escalation cohort in RESET-SLE "next year". The text has no date of its own.
    # yaml: Fast Track 2023 (May 1), Orphan 2024-02-01, IND amendment 2026-01-12, RMAT and RESET-MS IND undated.
    rows = [(r[1], r[2], r[3], r[4], r[7]) for r in answer("registrational-timeline")]
    unanchored = "the source's publication date, which anchors this timing, is not recorded"
    assert rows == [
        ("Fast Track", "FDA Fast Track designation of rese-cel for SLE and lupus nephritis (2023)", "2023-05-01",
         "U.S. Food and Drug Administration", ""),
        ("Orphan Drug", "FDA Orphan Drug designation of rese-cel for idiopathic inflammatory myopathies (2024)",
         "2024-02-01", "U.S. Food and Drug Administration", ""),
        ("IND clearance", "FDA clearance of the rese-cel IND amendment for manufacturing by Cellares (2026)",
         "2026-01-12", "U.S. Food and Drug Administration", ""),
        ("IND clearance", "FDA IND clearance for rese-cel in multiple sclerosis (RESET-MS)", "",
         "U.S. Food and Drug Administration", "no date is reported"),
        ("RMAT", "FDA RMAT designation of rese-cel for myositis", "", "U.S. Food and Drug Administration",
         "no date is reported"),
        ("milestone", "Dose-escalation cohort in RESET-SLE", "next year", "", unanchored),
        ("milestone", "FDA alignment on pivotal study designs for lupus and systemic sclerosis", "this year",
         "U.S. Food and Drug Administration", unanchored),
        ("milestone", "Registrational cohort of rese-cel in dermatomyositis", "upcoming", "", unanchored),
        ("milestone", "Registrational trial of rese-cel in myositis", "", "", "no expected timing is reported"),
    ]


def test_registrational_timeline_of_a_therapy_with_nothing_recorded_says_so(answer):
    # yaml: relma-cel appears only as the sponsor-less China SLE trial NCT05765006
    assert answer("registrational-timeline", therapy="relma-cel") == [
        ("relma-cel", "", "", "", "", "", "", "no regulatory decision, pivotal trial or registration milestone is recorded", "0")]


def test_challenges_and_open_questions(answer):
    # text 000: "conditions that have traditionally been challenging to manage" and the five
    # "Explore Further" questions; text 003: "proven resistant to conventional drugs", broad
    # immunosuppression leaving patients vulnerable (lupus, RA, MS), two "What to Watch" questions.
    rows = answer("challenges")
    assert sum(r[0] == "open question" for r in rows) == 7
    assert {r[2] for r in rows if r[0] == "challenge"} == {
        "Autoimmune conditions have traditionally been challenging to manage.",
        "Autoimmune conditions have proven resistant to conventional drugs.",
        "Broad immunosuppression can leave patients vulnerable to infections and other complications."}
    assert {r[1] for r in rows if r[2].startswith("Broad")} == {
        "multiple sclerosis", "rheumatoid arthritis", "systemic lupus erythematosus"}
    assert answer("challenges", about="Kymriah") == [("", "Kymriah", "", "", "", "no challenge or open question is recorded")]


def test_analyst_views(answer):
    # text 000: "which analysts from William Blair suggest de-risks an upcoming registrational cohort for DM"
    quote = "which analysts from William Blair suggest de-risks an upcoming registrational cohort for DM"
    assert answer("analyst-views") == [
        ("William Blair", "Registrational cohort of rese-cel in dermatomyositis", quote,
         "CAR T Therapy Shows Promise in Treating Autoimmune Conditions"),
        ("William Blair", "RESET-Myositis", quote, "CAR T Therapy Shows Promise in Treating Autoimmune Conditions")]


def test_sources_for_who_develops_rese_cel(answer):
    # text 000: "Bristol Myers Squibb and Cabaletta Bio have reported encouraging results ...";
    # yaml company: Cabaletta Bio; partner_bms: no BMS collaboration on rese-cel found (ACR 2025
    # abstract 2468: all company authors are Cabaletta Bio, no BMS affiliation).
    rows = answer("sources-for-fact", subject="rese-cel", property="cart:developedBy")
    says = {(r[2], r[3]) for r in rows}
    assert says == {("Bristol Myers Squibb", "holds"), ("Bristol Myers Squibb", "does not hold"), ("Cabaletta Bio", "holds")}
    news = [r for r in rows if r[4] == "CAR T Therapy Shows Promise in Treating Autoimmune Conditions"]
    assert {r[6] for r in news} == {"Bristol Myers Squibb and Cabaletta Bio have reported encouraging results from "
                                     "their Phase I/II clinical trials investigating resecabtagene autoleucel (rese-cel)"}
    assert {r[7] for r in rows if r[2] == "Bristol Myers Squibb"} == {"contested"}
    assert all(re.fullmatch(r"seeds/[\w.-]+\.tsv:\d+", r[8]) for r in rows)


def test_contested_claims_with_both_sides(answer):
    # text 000 calls BMS and Cabaletta partners developing rese-cel (yaml partner_bms: none found);
    # text 003 calls Ars Technica a journal (yaml publisher_type: news website, not peer reviewed).
    rows = answer("contested-claims")
    assert {(r[0], r[1], r[2]) for r in rows} == {
        ("Bristol Myers Squibb", "partner of", "Cabaletta Bio"), ("rese-cel", "developed by", "Bristol Myers Squibb"),
        ("Ars Technica", "rdf:type", "News website")}
    assert {r[3] for r in rows if r[0] != "Ars Technica"} == {"CAR T Therapy Shows Promise in Treating Autoimmune Conditions"}
    assert {r[6] for r in rows if r[0] != "Ars Technica"} == {"says it does not hold"}
    ars = [r for r in rows if r[0] == "Ars Technica"]
    assert {r[6] for r in ars} == {"says it is a Scientific journal"}
    assert {r[7] for r in ars} == {"According to a recent study published in the journal *Ars Technica*"}
    assert len(answer("contested-claims", about="BMS")) == 3


def test_companies_in_both_oncology_and_autoimmune_disease(answer):
    # yaml: Novartis (Kymriah; YTB323), Bristol Myers Squibb (Breyanzi, Abecma; BMS-986353), Autolus
    # (Aucatzyl in ALL; obe-cel in lupus). Kite and Janssen have no autoimmune program in the yaml.
    rows = answer("companies-in-oncology-and-autoimmune")
    assert {r[0] for r in rows} == {"Autolus", "Bristol Myers Squibb", "Novartis"}
    assert {(r[0], r[1], r[2]) for r in rows if r[0] == "Novartis"} == {
        ("Novartis", "autoimmune disease", "YTB323"), ("Novartis", "oncology", "Kymriah")}


def test_partners_of_bristol_myers_squibb(answer):
    # yaml Abecma company: "Bristol Myers Squibb with bluebird bio"; text 000 calls BMS and Cabaletta
    # "the partners", which three sources deny.
    rows = answer("partners-of-company", company="BMS")
    assert {(r[1], r[4]) for r in rows} == {("bluebird bio", ""), ("Cabaletta Bio", "disputed")}
    assert {r[3] for r in rows if r[1] == "Cabaletta Bio"} == {
        "the partners are working to align with the FDA this year on pivotal study designs for lupus and systemic sclerosis"}


def test_car_t_constructs_side_by_side(answer):
    # yaml fda_approved_car_t: target_antigen, costimulatory_domain, vector, first_fda_approval_date
    assert answer("car-t-constructs") == [
        ("Kymriah", "CD19", "4-1BB", "lentiviral", "not recorded", "2017-08-30"),
        ("Yescarta", "CD19", "CD28", "gammaretroviral", "not recorded", "2017-10-18"),
        ("Tecartus", "CD19", "CD28", "gammaretroviral", "not recorded", "2020-07-24"),
        ("Breyanzi", "CD19", "4-1BB", "lentiviral", "not recorded", "2021-02-05"),
        ("Abecma", "BCMA", "4-1BB", "lentiviral", "not recorded", "2021-03-26"),
        ("Carvykti", "BCMA", "4-1BB", "lentiviral", "not recorded", "2022-02-28"),
        ("Aucatzyl", "CD19", "4-1BB", "lentiviral", "not recorded", "2024-11-08"),
    ]
    # yaml: azer-cel allogeneic; KYV-101 autologous with a CD28 domain; Descartes-08 mRNA, autologous
    others = {r[0]: r[1:5] for r in answer("car-t-constructs", approved="false")}
    assert others["azer-cel"] == ("CD19", "not recorded", "not recorded", "allogeneic")
    assert others["KYV-101"] == ("CD19", "CD28", "not recorded", "autologous")
    assert others["Descartes-08"] == ("BCMA", "not recorded", "mRNA", "autologous")


def test_pivotal_trials(answer):
    # yaml pivotal_trial of each approved product
    assert [(r[0], r[1], r[2], r[3]) for r in answer("pivotal-trials")] == [
        ("Kymriah", "ELIANA", "NCT02435849", "Phase 2"), ("Yescarta", "ZUMA-1", "NCT02348216", "Phase 1/2"),
        ("Tecartus", "ZUMA-2", "NCT02601313", "Phase 2"), ("Breyanzi", "TRANSCEND NHL 001", "NCT02631044", ""),
        ("Abecma", "KarMMa", "NCT03361748", "Phase 2"), ("Carvykti", "CARTITUDE-1", "NCT03548207", "Phase 1b/2"),
        ("Aucatzyl", "FELIX", "NCT04404660", "Phase 1b/2")]


def test_sources_of_one_kind(answer):
    # the two news digests (000 and 003) and the BioSpace article 000 was written from
    rows = answer("sources", kind="News article")
    assert {r[0] for r in rows} == {"CAR T Therapy Shows Promise in Treating Autoimmune Conditions",
                                    "Cabaletta's CAR T Therapy Spurs Remissions in Small Lupus Trial",
                                    "Researchers are repurposing chimeric antigen receptor (CAR) T cell therapy"}
    assert {r[2] for r in rows if r[0].startswith("Cabaletta's")} == {"BioSpace"}


def test_people_and_roles(answer):
    # text 000: "David Chang, Cabaletta's Chief Medical Officer"; yaml: David J. Chang, M.D.
    assert {(r[0], r[1], r[2]) for r in answer("people", organisation="Cabaletta")} == {
        ("David J. Chang", "Chief Medical Officer", "Cabaletta Bio")}


def test_unconfirmed_claims(answer):
    # yaml status unverified: BMS-986353 designation RMAT / Fast Track / Orphan; RESET-SLE =
    # NCT06121297; RESET-Myositis = NCT06154252. Denied: NCT05765006 is relma-cel's, not RESET-SLE's.
    rows = answer("unconfirmed-claims")
    assert ("RESET-SLE", "NCT id", "NCT05765006", "the source says it does not hold") in {r[:4] for r in rows}
    assert {(r[0], r[2]) for r in rows if r[1] == "NCT id" and r[3] == "unverified"} == {
        ("RESET-SLE", "NCT06121297"), ("RESET-Myositis", "NCT06154252")}
    assert {r[2] for r in rows if r[1] == "decision type" and r[3] == "unverified"} == {"RMAT", "Fast Track", "Orphan Drug"}


def test_entity_by_its_code_name(answer):
    # yaml: rese-cel former_code CABA-201, target CD19, company Cabaletta Bio, autologous
    rows = answer("entity", name="caba-201")
    assert {("subject", "targets", "CD19"), ("subject", "developed by", "Cabaletta Bio"),
            ("subject", "cell source", "autologous"), ("subject", "code name", "CABA-201"),
            ("object", "evaluates", "RESET-SLE")} <= {r[:3] for r in rows}
    assert rows == answer("entity", name="id:rese-cel")
    assert {r[3] for r in rows if r[1] == "investigated for"} == {"graph:inferred"}
