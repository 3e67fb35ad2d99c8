"""`kg import ctgov`: ClinicalTrials.gov API v2 records become a reviewed statement table.

The records are tests/data/ctgov/ (see its README): the real record NCT06131398 and three versions of
the KYSA-1 record (NCT05938725) built for the tests from registry mirror pages. Each expected value
below names the page (or the record field) it comes from.
"""

from __future__ import annotations

import hashlib
import json
import shutil

import pytest
from conftest import ROOT

from kg import catalogue, ctgov, ctgov_names
from kg.paths import Paths
from kg.render import display

DATA = ROOT / "tests" / "data" / "ctgov"
V1 = DATA / "NCT05938725-2023-07-10.json"  # classic.clinicaltrials.gov/ct2/show/NCT05938725
V2 = DATA / "NCT05938725-2024-05-07.json"  # classic.clinicaltrials.gov/ct2/show/record/NCT05938725, ichgcp.net
V3 = DATA / "NCT05938725-2025-10-29.json"  # meddatax.com/clinical-trials/NCT05938725
REAL = DATA / "NCT06131398.json"
PAGES = DATA / "pages"


def table_rows(paths: Paths, name: str) -> list[list[str]]:
    text = (paths.seeds / f"ctgov-{name}.tsv").read_text(encoding="utf-8")
    return [line.split("\t") for line in text.split("\n")[1:] if line]


def seeds_digest(paths: Paths) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(paths.seeds.rglob("*")) if p.is_file()}


# ---------------------------------------------------------------- the walkthrough of the README


def test_walkthrough_import_check_build_and_the_query_quotes_phase_status_and_sponsor(project, run):
    imported = run("import", "ctgov", str(PAGES), "--name", "car-t-autoimmune", "--downloaded", "2026-12-04")
    assert imported.exit_code == 0, imported.output
    assert "2 versions in seeds/ctgov-car-t-autoimmune.tsv (written" in imported.output
    checked = run("check", "--no-shacl")
    assert checked.exit_code == 0, checked.output
    assert "ctgov-car-t-autoimmune.tsv" in checked.output  # the real record's trial evaluates no known therapy
    built = run("build", "--no-shacl")
    assert built.exit_code == 0, built.output
    result = catalogue.run_query(project, "trial-record", {"trial": "NCT05938725"}, labelled=True)
    rows = [tuple(display(t, result.labels) for t in row) for row in result.result.rows]
    mine = {r[2]: r for r in rows if r[1] == "2024-05-07"}
    # classic.clinicaltrials.gov/ct2/show/record/NCT05938725 (last update posted May 7, 2024): "Recruitment
    # Status : Recruiting", "Information provided by (Responsible Party): Kyverna Therapeutics";
    # ichgcp.net (the same version): "Phase • Phase 2 • Phase 1".
    assert mine["phase"][3:7] == ("Phase 1/2", "PHASE1, PHASE2", "protocolSection.designModule.phases", "verified")
    # reported: the curated KYSA-1 status is ACTIVE_NOT_RECRUITING (seeds/field-programs.tsv, MedDataX mirror)
    assert mine["status"][3:7] == ("RECRUITING", "RECRUITING", "protocolSection.statusModule.overallStatus", "reported")
    assert mine["sponsoredBy"][3:7] == ("Kyverna Therapeutics", "Kyverna Therapeutics",
                                    "protocolSection.sponsorCollaboratorsModule.leadSponsor.name", "verified")
    assert mine["phase"][7] == "ClinicalTrials.gov record NCT05938725, version of 2024-05-07"


def test_the_readme_shows_the_curl_commands_and_the_import(project):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "curl" in readme and "https://clinicaltrials.gov/api/v2/studies?" in readme
    assert "pageToken=" in readme and "query.cond=" in readme and "query.term=" in readme
    assert "kg import ctgov" in readme


# ---------------------------------------------------------------- the rules


def test_reimport_is_byte_identical_even_on_another_day(project, run):
    first = run("import", "ctgov", str(V2), str(REAL), "--name", "twice", "--downloaded", "2026-12-01")
    assert first.exit_code == 0, first.output
    table = (project.seeds / "ctgov-twice.tsv").read_bytes()
    review = (project.review / "ctgov-twice.tsv").read_bytes()
    again = run("import", "ctgov", str(V2), str(REAL), "--name", "twice", "--downloaded", "2026-12-04")
    assert again.exit_code == 0, again.output
    assert "(unchanged," in again.output
    assert (project.seeds / "ctgov-twice.tsv").read_bytes() == table
    assert (project.review / "ctgov-twice.tsv").read_bytes() == review
    # The first download of a version is the one recorded.
    assert b"downloaded 2026-12-01" in table and b"downloaded 2026-12-04" not in table


def test_the_written_table_is_canonical_and_checks_clean(project, run):
    assert run("import", "ctgov", str(REAL), "--name", "real").exit_code == 0
    assert run("fmt", "--check").exit_code == 0
    checked = run("check", "--no-shacl")
    assert checked.exit_code == 0 and "0 errors" in checked.output


def test_a_newer_version_keeps_the_older_status_as_a_row_of_the_older_source(project, run):
    assert run("import", "ctgov", str(V2), "--name", "kysa-1").exit_code == 0
    assert run("import", "ctgov", str(V3), "--name", "kysa-1").exit_code == 0
    rows = {(r[0], r[1], r[2], r[3]) for r in table_rows(project, "kysa-1")}
    old, new = "src:ctgov-nct05938725-2024-05-07", "src:ctgov-nct05938725-2025-10-29"
    # classic.clinicaltrials.gov record of May 7, 2024: "Recruiting"; meddatax, last updated 2025-10-29:
    # "Recruitment Status ACTIVE_NOT_RECRUITING", "Total Enrollment 6 participants"; ichgcp: "Enrollment (Estimated) 32".
    assert ("id:kysa-1", "cart:status", "RECRUITING", old) in rows
    assert ("id:kysa-1", "cart:status", "ACTIVE_NOT_RECRUITING", new) in rows
    assert ("id:kysa-1", "cart:enrollment", "32", old) in rows and ("id:kysa-1", "cart:enrollment", "6", new) in rows
    assert (old, "cart:supersededBy", new, old) in rows
    assert ("id:kysa-1", "cart:status", "RECRUITING", new) not in rows
    checked = run("check", "--no-shacl")
    assert checked.exit_code == 0 and "registry-contradiction" not in checked.output


def test_a_version_already_in_another_table_is_left_there(project, run):
    assert run("import", "ctgov", str(V2), "--name", "first").exit_code == 0
    second = run("import", "ctgov", str(PAGES), "--name", "second")
    assert second.exit_code == 0, second.output
    assert "already imported: src:ctgov-nct05938725-2024-05-07 is in seeds/ctgov-first.tsv" in second.output
    assert all(r[3] != "src:ctgov-nct05938725-2024-05-07" for r in table_rows(project, "second"))
    assert run("check", "--no-shacl").exit_code == 0  # no duplicate rows across the two tables


def test_a_value_contradicting_a_curated_row_is_reported_and_kg_check_reports_it_at_the_imported_row(project, run):
    # The record of July 10, 2023 says the trial is recruiting (classic.clinicaltrials.gov/ct2/show/NCT05938725);
    # the curated KYSA-1 rows say ACTIVE_NOT_RECRUITING (seeds/field-programs.tsv, the MedDataX mirror). Its
    # "Phase 1" agrees with a curated row (the LSM abstract, seeds/reference-autoimmune-programs.tsv), so
    # it is not reported.
    imported = run("import", "ctgov", str(V1), "--name", "kysa-1")
    assert imported.exit_code == 0, imported.output
    assert "reported: id:kysa-1 cart:status 'RECRUITING': curated 'ACTIVE_NOT_RECRUITING'" in imported.output
    assert "reported: id:kysa-1 cart:phase" not in imported.output
    rows = table_rows(project, "kysa-1")
    line = next(n for n, r in enumerate(rows, start=2) if r[1] == "cart:status")
    assert rows[line - 2][2] == "RECRUITING" and rows[line - 2][5] == "reported"
    # The start date agrees with the curated one (2023-04-28): not reported.
    assert next(r for r in rows if r[1] == "cart:startDate")[5] == "verified"
    checked = run("check", "--no-shacl")
    assert checked.exit_code == 0, checked.output  # a warning: the curated fact wins, the claim stays
    reported = [l for l in checked.output.splitlines() if l.endswith("(registry-contradiction)")]
    assert [l for l in reported if l.startswith(f"seeds/ctgov-kysa-1.tsv:{line}: WARN: registry record "
                                                "src:ctgov-nct05938725-2023-07-10 says id:kysa-1 cart:status")], reported
    # A later version supersedes it: the 2023 version's value is history, no longer reported.
    assert run("import", "ctgov", str(V3), "--name", "kysa-1").exit_code == 0
    after = run("check", "--no-shacl").output.splitlines()
    assert not [l for l in after if l.endswith("(registry-contradiction)") and "src:ctgov-nct05938725-2023-07-10" in l]


@pytest.mark.parametrize("name, content, where", [
    ("malformed", '{"studies": [{"protocolSection": }]}', "line 1 column 34: malformed JSON"),
    ("v1", '{"FullStudiesResponse": {"APIVrs": "1.01.05", "FullStudies": []}}', "$.FullStudiesResponse: the retired API v1"),
    ("no-nct", None, "$.studies[1].protocolSection.identificationModule.nctId: the study has no NCT id"),
    ("bad-date", None, "$.studies[0].protocolSection.statusModule.startDateStruct.date: '2024-02-30' is not a date"),
])
def test_bad_input_is_one_line_naming_file_and_json_path_exit_1_and_nothing_written(project, run, tmp_path, name,
                                                                                       content, where):
    record = json.loads(V2.read_text(encoding="utf-8"))
    if name == "no-nct":
        nameless = json.loads(json.dumps(record))
        del nameless["protocolSection"]["identificationModule"]["nctId"]
        content = json.dumps({"studies": [record, nameless]})
    elif name == "bad-date":
        record["protocolSection"]["statusModule"]["startDateStruct"]["date"] = "2024-02-30"
        content = json.dumps({"studies": [record]})
    bad = tmp_path / "input" / f"{name}.json"
    bad.parent.mkdir()
    bad.write_text(content, encoding="utf-8")
    shutil.copy(V1, bad.parent / "a-good-one.json")  # read first: still nothing written
    before = seeds_digest(project)
    result = run("import", "ctgov", str(bad.parent), "--name", "bad")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    # The project is tmp_path, so the file is named relative to it.
    assert lines[0].startswith(f"error: input/{name}.json: ") and where in lines[0], lines[0]
    assert "Traceback" not in result.output
    assert seeds_digest(project) == before
    assert not (project.review / "ctgov-bad.tsv").exists()


# ---------------------------------------------------------------- matching names


@pytest.fixture(scope="module")
def names():
    from kg import ontology

    paths = Paths(ROOT)
    return ctgov_names.read_names(paths, ontology.load(paths))


def test_interventions_match_therapies_by_label_synonym_and_code_name(names):
    # seeds: rese-cel has cart:codeName CABA-201 (EULAR 2025 abstract OP0338); KYV-101 its label and the
    # INN mivocabtagene autoleucel; Kymriah the code name CTL019.
    assert ctgov_names.match(names, "therapy", "CABA-201") == ["id:rese-cel"]
    assert ctgov_names.match(names, "therapy", "caba 201") == ["id:rese-cel"]
    assert ctgov_names.match(names, "therapy", "Mivocabtagene Autoleucel") == ["id:kyv-101"]
    assert ctgov_names.match(names, "therapy", "CTL019") == ["id:kymriah"]
    # An intervention name that carries a therapy's name (classic.clinicaltrials.gov, NCT05938725).
    assert ctgov_names.match(names, "therapy", "KYV-101 anti-CD19 CAR-T cell therapy", contained=True) == ["id:kyv-101"]
    assert ctgov_names.match(names, "therapy", "Standard lymphodepletion regimen", contained=True) == []


def test_a_name_with_no_latin_letters_matches_no_organisation(names):
    # seeds/field-programs-seventh.tsv: Bioray's altLabel 邦耀生物, which folds to nothing for matching, as do
    # all names written in Chinese characters: none of them may name Bioray, nor Bioray's own Chinese name.
    assert ctgov_names.match(names, "company", "邦耀生物") == []
    assert ctgov_names.match(names, "company", "上海医院") == []
    assert ctgov_names.match(names, "company", "Bioray") == ["id:bioray"]


def test_conditions_match_diseases_by_label_synonym_and_mondo_cross_reference(names):
    # seeds/reference-diseases-and-targets.tsv: lupus nephritis, altLabel LN, xref MESH:D008181 (from MONDO).
    assert ctgov_names.match(names, "disease", "Lupus Nephritis") == ["id:lupus-nephritis"]
    assert ctgov_names.match(names, "disease", "LN") == ["id:lupus-nephritis"]
    assert names.mesh["D008181"] == {"id:lupus-nephritis"}


def test_a_condition_found_by_its_mesh_term_is_linked_and_the_unmatched_text_listed(project, run, tmp_path):
    record = json.loads(V1.read_text(encoding="utf-8"))
    record["protocolSection"]["conditionsModule"]["conditions"] = ["Refractory Lupus Nephritis"]
    record["derivedSection"] = {"conditionBrowseModule": {"meshes": [{"id": "D008181", "term": "Lupus Nephritis"}]}}
    path = tmp_path / "mesh.json"
    path.write_text(json.dumps(record), encoding="utf-8")
    result = run("import", "ctgov", str(path), "--name", "mesh")
    assert result.exit_code == 0, result.output
    row = next(r for r in table_rows(project, "mesh") if r[1] == "cart:studiesCondition")
    assert row[2] == "id:lupus-nephritis" and row[6].startswith("derivedSection.conditionBrowseModule.meshes[0].id")
    assert "candidate condition: 'Refractory Lupus Nephritis'" in result.output
    assert "MeSH terms matched id:lupus-nephritis" in result.output


def test_what_matches_nothing_is_a_candidate_never_an_entity(project, run):
    # The real record: condition "Advanced Solid Tumors", interventions "AMG 355" and "Pembrolizumab",
    # lead sponsor Amgen of class INDUSTRY.
    result = run("import", "ctgov", str(REAL), "--name", "real")
    assert result.exit_code == 0, result.output
    rows = table_rows(project, "real")
    subjects = {r[0] for r in rows}
    assert not any("amg-355" in s or "pembrolizumab" in s or "solid-tumors" in s for s in subjects)
    assert not any(r[1] in ("cart:evaluates", "cart:studiesCondition") for r in rows)
    review = (project.review / "ctgov-real.tsv").read_text(encoding="utf-8").splitlines()
    assert review[0] == ctgov.REVIEW_HEADER
    assert {tuple(l.split("\t")[:3]) for l in review[1:]} == {
        ("condition", "Advanced Solid Tumors", "NCT06131398"), ("intervention", "AMG 355", "NCT06131398"),
        ("intervention", "Pembrolizumab", "NCT06131398")}
    # The sponsor's type is the record's own: leadSponsor.class INDUSTRY.
    assert ["id:amgen", "a", "cart:Company", "src:ctgov-nct06131398-2026-08-11", "INDUSTRY", "verified",
            "protocolSection.sponsorCollaboratorsModule.leadSponsor.class"] in rows


def test_the_website_export_an_array_of_studies_is_read(project, run, tmp_path):
    export = tmp_path / "export.json"
    export.write_text(json.dumps([json.loads(V2.read_text(encoding="utf-8"))]), encoding="utf-8")
    result = run("import", "ctgov", str(export))
    assert result.exit_code == 0, result.output
    assert "1 version in seeds/ctgov-export.tsv" in result.output


def test_a_sponsor_name_without_latin_letters_is_a_candidate_not_an_empty_id(project, run, tmp_path):
    # Robustness, not a fact: the KYSA-1 record of May 2024 with its sponsor's name replaced.
    record = json.loads(V2.read_text(encoding="utf-8"))
    record["protocolSection"]["sponsorCollaboratorsModule"]["leadSponsor"] = {"name": "上海医院", "class": "OTHER"}
    path = tmp_path / "sponsor.json"
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    result = run("import", "ctgov", str(path), "--name", "sponsor")
    assert result.exit_code == 0, result.output
    assert "candidate sponsor: '上海医院'" in result.output and "no id can be made" in result.output
    assert not any(r[1] == "cart:sponsoredBy" or r[0] == "id:" for r in table_rows(project, "sponsor"))
