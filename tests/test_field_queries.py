"""The canned queries of the curated field: trials by target and disease, the autoimmune pipeline,
approvals worldwide, safety across readouts and deals by date, against answers read off the seed rows.

Each expected row names the seed rows it comes from (file:line as committed, subject and property);
they were read there, not copied from a run. The curated tables keep growing, so a test checks the
rows it names and what must hold of every row, not the full answer.
"""

from __future__ import annotations

import pytest
from seed_tables import SEEDS, evaluated_in

from kg import catalogue
from kg.render import display

NEW = ["trials-by-target-and-disease", "autoimmune-pipeline", "autoimmune-pipeline-by-disease", "approvals-worldwide",
       "safety-across-readouts", "deals-by-date"]


@pytest.fixture(scope="module")
def answer(built):
    """Run a canned query on the real built graph; rows as people read them (labels, plain values)."""

    def run(query: str, **given: str) -> list[tuple[str, ...]]:
        result = catalogue.run_query(built, query, given, labelled=True)
        return [tuple(display(t, result.labels) for t in row) for row in result.result.rows]

    return run


def test_the_new_queries_are_in_the_catalogue_with_their_parameters(built):
    queries = {q.name: q for q in catalogue.load_catalogue(built)}
    assert set(NEW) <= set(queries)
    assert queries["trials-by-target-and-disease"].params["target"].type == "entity"
    assert queries["trials-by-target-and-disease"].params["disease"].type == "string"
    assert queries["approvals-worldwide"].params["regulator"].cls == "cart:Regulator"
    assert queries["safety-across-readouts"].params["therapy"].cls == "cart:Therapy"
    assert not queries["autoimmune-pipeline"].params and not queries["deals-by-date"].params
    for name in NEW:
        assert "deprecated" in queries[name].description.lower(), f"{name} says deprecated claims are left out"


# ---------------------------------------------------------------- trials by target and disease

TRIAL_COLUMNS = ["target", "trial", "registry_id", "phase", "status", "start_date", "sponsor", "therapy", "condition"]


def test_trials_by_target_and_disease_columns(built):
    assert catalogue.run_query(built, "trials-by-target-and-disease", {}).result.variables == TRIAL_COLUMNS


def test_cd19_trials_in_lupus_include_lupus_nephritis_trials(answer):
    rows = answer("trials-by-target-and-disease", target="CD19", disease="lupus")
    # field-programs.tsv:179-189 (GLEAM, src:inclinicaltrials-nct06294236): NCT06294236, Phase 1,
    # RECRUITING, start 2024-04-29, sponsor Sana Biotechnology, evaluates SC291 (CD19:
    # field-programs.tsv:503), conditions ANCA-associated vasculitis, lupus nephritis, SLE.
    assert ("CD19", "GLEAM", "NCT06294236", "Phase 1", "RECRUITING", "2024-04-29", "Sana Biotechnology", "SC291",
            "lupus nephritis") in rows
    # reference-autoimmune-programs.tsv:441-449 (KYSA-1): KYV-101 (CD19: :499-501), NCT05938725, start
    # 2023-04-28, lupus nephritis; phase Phase 1 (:445, Lupus Sci Med) and Phase 1/2 (:446, MedDataX),
    # both standing; status ACTIVE_NOT_RECRUITING (field-programs.tsv:239).
    kysa = {r[3] for r in rows if r[1] == "KYSA-1" and r[8] == "lupus nephritis"}
    assert kysa == {"Phase 1", "Phase 1/2"}
    assert {(r[2], r[4], r[5], r[7]) for r in rows if r[1] == "KYSA-1"} == {
        ("NCT05938725", "ACTIVE_NOT_RECRUITING", "2023-04-28", "KYV-101")}
    # reference-autoimmune-programs.tsv:742-748 and news-000:103-106 (RESET-SLE): rese-cel, lupus
    # nephritis and SLE. The reference table's NCT id, from an unnamed public-repository mention
    # (car-t-facts.yaml:832), is not recorded; the registry record's copy (field-trials-monitor-new.tsv:2161,
    # "NCT06121297,RESET-SLE: ...") gives it.
    reset = {(r[2], r[7], r[8]) for r in rows if r[1] == "RESET-SLE"}
    assert reset == {("NCT06121297", "rese-cel", "lupus nephritis"),
                     ("NCT06121297", "rese-cel", "systemic lupus erythematosus")}
    # A trial known only from its registry record's copy: NCT07432334 (field-trials-monitor-new.tsv:1637-1647, read
    # off the archived snapshot's row "NCT07432334,CD19 CAR T-Cell Therapy for Refractory Systemic Lupus
    # Erythematosus,RECRUITING,PHASE1,Refractory Systemic Lupus Erythematosus,Autologous CD19-Targeted CAR-T
    # Cells,2026-03-01,2026-07-09,8,ESTIMATED,Vietnam,..." and its sponsor columns), its product CD19 (:1648-1652).
    assert ("CD19", "CD19 CAR T-Cell Therapy for Refractory Systemic Lupus Erythematosus (NCT07432334)", "NCT07432334",
            "Phase 1", "RECRUITING", "2026-03-01", "Vinmec Research Institute of Stem Cell and Gene Technology",
            "Autologous CD19-Targeted CAR-T Cells of trial NCT07432334", "systemic lupus erythematosus") in rows
    # Lupus nephritis is in MONDO under glomerulonephritis, not under SLE (field-trials-academic.tsv:152):
    # it is found here by its own name.
    assert {r[8] for r in rows} >= {"lupus nephritis", "systemic lupus erythematosus"}
    assert {r[0] for r in rows} == {"CD19"}
    # RESET-PV (pemphigus vulgaris, field-programs.tsv:476) is a CD19 trial in no kind of lupus.
    assert "RESET-PV" not in {r[1] for r in rows}
    assert "pemphigus vulgaris" not in {r[8] for r in rows}


def test_a_disease_includes_its_mondo_subtypes(answer):
    # field-trials-academic.tsv:152: lupus nephritis subtype of glomerulonephritis; :150 lupus
    # erythematosus is MONDO:0004670 and :444 SLE its subtype. Neither child's names contain the words.
    under_gn = {r[8] for r in answer("trials-by-target-and-disease", disease="glomerulonephritis")}
    assert "lupus nephritis" in under_gn
    under_le = answer("trials-by-target-and-disease", disease="MONDO:0004670")
    assert "systemic lupus erythematosus" in {r[8] for r in under_le}
    assert "GLEAM" in {r[1] for r in under_le}
    assert "lupus nephritis" not in {r[8] for r in under_le}


def test_disease_words_match_whole_words_any_case_and_never_a_fragment(answer):
    lupus = answer("trials-by-target-and-disease", target="CD19", disease="lupus")
    assert answer("trials-by-target-and-disease", target="CD19", disease="  LUPUS ") == lupus
    assert answer("trials-by-target-and-disease", target="CD19", disease="lupu") == []
    # reference-diseases-and-targets.tsv:129: SLE is systemic lupus erythematosus's synonym
    assert {r[8] for r in answer("trials-by-target-and-disease", disease="SLE")} == {"systemic lupus erythematosus"}


def test_a_trial_with_no_condition_is_not_joined_to_every_disease(answer):
    # field-trials-third.tsv:90-97: NCT07241468 (KN3601, CD19 and BCMA) has an NCT id and a label, and no
    # condition row. An earlier version of the query joined its empty condition to every disease's names.
    rows = [r for r in answer("trials-by-target-and-disease") if r[2] == "NCT07241468"]
    assert rows and {r[8] for r in rows} == {""}
    assert [r for r in answer("trials-by-target-and-disease", disease="leukemia") if r[2] == "NCT07241468"] == []


def test_trials_whose_records_give_the_disease_in_the_title_or_name_a_known_product(answer):
    rows = answer("trials-by-target-and-disease", target="CD19", disease="thrombocytopenia")
    # NCT06787989 (field-trials-monitor-new.tsv:730-740): its record's Conditions column gives only "Refractory
    # Immune Cytopenia"; the title names immune thrombocytopenia (:739), its product iCell's BCMA-CD19 cCAR
    # (:733), which targets CD19 and BCMA (field-programs.tsv:203-204, iCell's release).
    assert ("CD19", "BCMA-CD19 CCAR T Cell Treatment of Refractory Immune Thrombocytopenia Associated with Autoimmune "
            "Diseases (NCT06787989)", "NCT06787989", "Phase 1", "RECRUITING", "2024-08-31", "iCell Gene Therapeutics",
            "BCMA-CD19 cCAR (iCell)", "immune thrombocytopenia") in rows
    # NCT07765966 (field-trials-monitor-new.tsv:2095-2104): its record does not call RXIM002 a CAR T; the
    # record of its other trial does, CD19-targeted (:2175).
    assert ("CD19", "Phase 1 Dose Escalation Study of RXIM002 in Autoimmune Cytopenias (NCT07765966)", "NCT07765966",
            "Phase 1", "NOT_YET_RECRUITING", "2027-02-01", "RiboX Therapeutics Ltd.", "RXIM002",
            "immune thrombocytopenia") in rows


def test_trials_by_target_and_disease_in_one_command(run):
    result = run("query", "trials-by-target-and-disease", "-p", "target=CD19", "-p", "disease=lupus", "--wide")
    assert result.exit_code == 0, result.stderr
    assert "lupus nephritis" in result.stdout and "KYSA-1" in result.stdout and "NCT06294236" in result.stdout


# ---------------------------------------------------------------- the autoimmune pipeline

PIPELINE_COLUMNS = ["target", "stage", "top_trial_phase", "therapy", "developers", "cell_source", "modality",
                    "diseases"]


def test_autoimmune_pipeline_by_target(built, answer):
    assert catalogue.run_query(built, "autoimmune-pipeline", {}).result.variables == PIPELINE_COLUMNS
    rows = answer("autoimmune-pipeline")
    # field-programs.tsv:149-155 (DSG3-CAART): autologous, Cabaletta Bio, Phase 1, CAAR T, targets DSG3;
    # :469-476 RESET-PV (NCT04422912) evaluates it, Phase 1/2, in pemphigus vulgaris.
    assert ("DSG3", "Phase 1", "Phase 1/2", "DSG3-CAART", "Cabaletta Bio", "autologous", "CAAR T",
            "pemphigus vulgaris") in rows
    # field-programs.tsv:142-143 (Descartes-08: Phase 3, CAR T); reference-autoimmune-programs.tsv:330
    # autologous, :335 Cartesian Therapeutics, :336 BCMA; AURORA (:26-34) Phase 3 in myasthenia gravis.
    descartes = [r for r in rows if r[3] == "Descartes-08"]
    assert [r[:7] for r in descartes] == [("BCMA", "Phase 3", "Phase 3", "Descartes-08", "Cartesian Therapeutics",
                                          "autologous", "CAR T")]
    assert "myasthenia gravis" in descartes[0][7].split("; ")
    # Kymriah is tested in no autoimmune disease
    assert "Kymriah" not in {r[3] for r in rows}


def test_programs_developed_for_autoimmune_disease_with_no_trial_in_one_are_in_the_pipeline(built, answer):
    # field-programs-areas.tsv:6 and :8: FT839 and OTX-201 cart:developedFor id:autoimmune-disease (:2-4,
    # MONDO:0007179), neither in a trial of an autoimmune disease. FT839: field-programs-more.tsv:40-46
    # (iPSC-derived, Fate Therapeutics, Preclinical, CAR T, CD19 and CD38). OTX-201: field-deals.tsv:217-219
    # (Orbital Therapeutics, in vivo CAR T, CD19), field-programs-more.tsv:61-62 (in vivo, Preclinical).
    # CPTX2309 (field-programs-areas.tsv:5, developed for autoimmune disease; field-deals.tsv:25-27 Capstan
    # Therapeutics, in vivo CAR T, CD19; field-programs.tsv:135 in vivo, :137 Phase 1) is now in a trial:
    # NCT06917742 evaluates it (field-trials-monitor-new.tsv:831), Phase 1 (:833), in rheumatoid arthritis and
    # SLE (:837-838).
    rows = answer("autoimmune-pipeline")
    assert {r for r in rows if r[3] in {"CPTX2309", "FT839", "OTX-201"}} == {
        ("CD19", "Phase 1", "Phase 1", "CPTX2309", "Capstan Therapeutics", "in vivo", "in vivo CAR T",
         "autoimmune disease; rheumatoid arthritis; systemic lupus erythematosus"),
        ("CD19", "Preclinical", "", "FT839", "Fate Therapeutics", "iPSC-derived", "CAR T", "autoimmune disease"),
        ("CD38", "Preclinical", "", "FT839", "Fate Therapeutics", "iPSC-derived", "CAR T", "autoimmune disease"),
        ("CD19", "Preclinical", "", "OTX-201", "Orbital Therapeutics", "in vivo", "in vivo CAR T", "autoimmune disease"),
    }
    # Beside them, the therapies of the basket trials whose records list "autoimmune diseases" as a condition,
    # counted here from the statement tables themselves (a `cart:studiesCondition id:autoimmune-disease` row
    # joined on the trial with its `cart:evaluates` rows, none unverified), among them field-trials-new-o.tsv:27
    # with :20 (NCT05459870, 4SCAR T cells), :77 with :67 (NCT07193667), :91 with :86 (NCT07212322) and
    # field-trials-r2-q.tsv:18 with :14 (NCT06361745, UTAA09).
    tables = tuple(path.name for path in sorted(SEEDS.glob("*.tsv")) if path.name != "prefixes.tsv")
    in_basket = evaluated_in(tables, "id:autoimmune-disease")
    assert {"nct05459870-4scar-t", "nct07193667-cd19-car-t", "nct07212322-cd19-ucar-t", "utaa09"} <= in_basket
    run = catalogue.run_query(built, "autoimmune-pipeline-by-disease", {}, labelled=True)
    col = {v: i for i, v in enumerate(run.result.variables)}
    found = {r[col["therapy"]].value.rsplit("/", 1)[1] for r in run.result.rows
             if display(r[col["disease"]], run.labels) == "autoimmune disease"}
    assert found == {"ft839", "otx-201", "cptx2309"} | in_basket
    programs = answer("programs-by-disease", disease="autoimmune disease")
    assert {(r[1], r[3]) for r in programs if r[2] in {"CPTX2309", "FT839", "OTX-201"}} == {
        ("autoimmune disease", "developed for")}
    assert len({r[2] for r in programs if r[1] == "autoimmune disease" and r[3] == "in trial"}) == len(in_basket)


def test_autoimmune_pipeline_most_advanced_first_within_a_target(answer):
    order = ["Approved", "Registration", "Phase 3", "Phase 2/3", "Phase 2", "Phase 1/2", "Phase 1", "Preclinical",
             "Discontinued", ""]
    rows = [r for r in answer("autoimmune-pipeline") if r[0] == "CD19"]
    assert len(rows) > 10
    ranks = [order.index(r[1]) for r in rows]
    assert ranks == sorted(ranks)


def test_autoimmune_pipeline_by_disease(built, answer):
    assert catalogue.run_query(built, "autoimmune-pipeline-by-disease", {}).result.variables == [
        "disease", "stage", "top_trial_phase", "therapy", "developers", "cell_source", "modality", "targets"]
    rows = answer("autoimmune-pipeline-by-disease")
    # field-programs.tsv:476: RESET-PV in pemphigus vulgaris evaluates DSG3-CAART (:469), which targets DSG3 (:155)
    assert ("pemphigus vulgaris", "Phase 1", "Phase 1/2", "DSG3-CAART", "Cabaletta Bio", "autologous", "CAAR T",
            "DSG3") in rows
    # the same programs as by target: every therapy of one is in the other
    assert {r[3] for r in rows} == {r[3] for r in answer("autoimmune-pipeline")}


# ---------------------------------------------------------------- approvals worldwide


def test_approvals_worldwide_by_regulator_and_date(built, answer):
    assert catalogue.run_query(built, "approvals-worldwide", {}).result.variables == [
        "regulator", "date", "product", "indication", "decision_type", "decision"]
    rows = answer("approvals-worldwide")
    short = {r[:5] for r in rows}
    # field-approvals.tsv:772-782: EU conditional marketing authorisation of Tecartus, MCL, dated to the month (:775:
    # the Pharma Letter's article of 16 December 2020 says the Commission "has now granted" it), shown as the month
    assert ("European Commission", "2020-12", "Tecartus", "mantle cell lymphoma", "Conditional approval") in short
    # field-approvals.tsv:170-181: MHRA conditional authorisation of Aucatzyl, 2025-04-25, ALL
    assert ("Medicines and Healthcare products Regulatory Agency (UK)", "2025-04-25", "Aucatzyl",
            "acute lymphoblastic leukemia", "Conditional approval") in short
    # field-approvals.tsv:594-600: Health Canada approved Kymriah on 2018-09-06 for ALL and DLBCL; the release
    # names the second indication large B-cell lymphoma, DLBCL among its kinds (field-lbcl.tsv:5)
    assert {r[3] for r in rows if r[0] == "Health Canada" and r[2] == "Kymriah" and r[1] == "2018-09-06"} == {
        "acute lymphoblastic leukemia", "diffuse large B-cell lymphoma", "large B-cell lymphoma"}
    # reference-approved-products.tsv:182-183: Abecma's FDA date is 2021-03-26 (Drugs.com); the
    # 2021-03-27 claim is deprecated (contradicted), so it never shows.
    abecma = {r[1] for r in rows if r[0] == "U.S. Food and Drug Administration" and r[2] == "Abecma"}
    assert "2021-03-26" in abecma and "2021-03-27" not in abecma
    # Only approvals: designations (Fast Track, RMAT, Orphan Drug, ...) are in approvals-timeline.
    assert {r[4] for r in rows} <= {"Approval", "Accelerated approval", "Conditional approval"}
    assert "rese-cel" not in {r[2] for r in rows}
    # By regulator, then date (undated last within a regulator).
    for regulator in {r[0] for r in rows}:
        dates = [r[1] for r in rows if r[0] == regulator]
        assert dates == sorted(d for d in dates if d) + [d for d in dates if not d]


def test_an_application_accepted_for_review_is_not_an_approval(answer):
    # field-approvals-worldwide.tsv:453: a broker's English page says Fosun Kite's brexucabtagene autoleucel
    # "received approval" from the NMPA; the filing it renders (:445-457, Fosun Pharma's announcement of
    # 2025-09-24) says the application was accepted (受理), and curation-judgements.tsv:16 rejects the approval.
    assert "Tecartus" not in {r[2] for r in answer("approvals-worldwide", regulator="id:nmpa")}
    timeline = answer("approvals-timeline", therapy="id:tecartus", regulator="id:nmpa")
    assert [r[:5] for r in timeline] == [("2025-09-24", "National Medical Products Administration (China)", "Tecartus",
                                          "Application acceptance", "acute lymphoblastic leukemia")]
    contested = {r for row in answer("contested-claims", about="id:decision-tecartus-nmpa-approval-all") for r in row}
    assert "Approval" in contested


def test_designations_dated_at_the_precision_their_sources_give(answer):
    rows = {(r[0], r[1], r[3]) for r in answer("approvals-timeline", therapy="id:zevor-cel")}
    # field-approvals-worldwide.tsv:580-581: CARsgen's site says "in August 2019", its release is dated
    # Aug. 30, 2019; the month and the day agree, so the day shows
    assert ("2019-08-30", "U.S. Food and Drug Administration", "Orphan Drug") in rows
    # field-approvals-worldwide.tsv:588: CARsgen's release of Oct. 28, 2019 (RMAT)
    assert ("2019-10-28", "U.S. Food and Drug Administration", "RMAT") in rows
    # field-approvals.tsv:957: the EU orphan designation "in 2020", a year and no more
    assert ("2020", "European Medicines Agency", "Orphan Drug") in rows


def test_approvals_worldwide_of_one_regulator(answer):
    # field-approvals.tsv:172 (id:mhra decided the Aucatzyl authorisation)
    rows = answer("approvals-worldwide", regulator="id:mhra")
    assert rows and {r[0] for r in rows} == {"Medicines and Healthcare products Regulatory Agency (UK)"}
    assert "Aucatzyl" in {r[2] for r in rows}


# ---------------------------------------------------------------- safety across readouts

SAFETY_COLUMNS = ["therapy", "trial", "readout", "date", "patients_treated", "crs_any", "crs_any_pct", "crs_grade3",
                  "crs_grade3_pct", "icans_any", "icans_any_pct", "icans_grade3", "icans_grade3_pct",
                  "serious_infections", "serious_infections_pct", "deaths", "deaths_pct"]


def test_safety_across_readouts_with_rates_only_where_both_counts_are_given(built, answer):
    assert catalogue.run_query(built, "safety-across-readouts", {}).result.variables == SAFETY_COLUMNS
    rows = {r[2]: r[3:] for r in answer("safety-across-readouts")}
    # field-readouts.tsv:125-136 (Feng et al., Nat Med 2025): 15 treated, CRS any grade 13 (13/15 = 87%;
    # its safety finding at :138 says 86.7%), no ICANS (0), no deaths (0); dated 2025-09-24.
    assert rows["Co-infused CD19 and BCMA CAR-T in refractory SLE (Feng et al., Nat Med 2025)"] == (
        "2025-09-24", "15", "13", "87", "", "", "0", "0", "", "", "", "", "0", "0")
    # field-readouts.tsv:183-191 (Erlangen case series, NEJM 2024): 15 treated, CRS 11 (73%), ICANS 1
    # (7%), serious infections 1 (7%); dated 2024-02-22.
    assert rows["Erlangen CD19 CAR T case series results (Müller et al., NEJM 2024)"] == (
        "2024-02-22", "15", "11", "73", "", "", "1", "7", "", "", "1", "7", "", "")
    # field-readouts.tsv:264: one grade 3 ICANS in RESET-SSc, and no count of patients treated: no rate.
    assert rows["RESET-SSc safety event reported with Cabaletta's full-year results"] == (
        "", "", "", "", "", "", "", "", "1", "", "", "", "", "")
    # every rate has its count and the patients treated beside it
    for values in rows.values():
        treated, figures = values[1], values[2:]
        for count, pct in zip(figures[0::2], figures[1::2]):
            assert pct == "" or (count != "" and treated != ""), values


def test_safety_across_readouts_of_one_therapy(answer):
    # field-readouts.tsv:212-217: KYSA-1 (KYV-101) preliminary report, 2 treated, CRS in 2 (100%), no ICANS
    rows = answer("safety-across-readouts", therapy="KYV-101")
    assert rows and {r[0] for r in rows} == {"KYV-101"}
    kysa = [r for r in rows if r[2] == "KYSA-1 preliminary report in lupus nephritis (Lupus Sci Med 2024 supplement)"]
    assert [r[4:11] for r in kysa] == [("2", "2", "100", "", "", "0", "0")]


# ---------------------------------------------------------------- deals by date


def test_deals_by_date(built, answer):
    assert catalogue.run_query(built, "deals-by-date", {}).result.variables == [
        "date", "deal", "deal_type", "parties", "assets", "value"]
    rows = answer("deals-by-date")
    # field-deals.tsv:30-37: AbbVie acquires Capstan (2025-06-30), asset CPTX2309, three wordings of the value
    assert ("2025-06-30", "AbbVie acquisition of Capstan Therapeutics (2025)", "Acquisition",
            "AbbVie; Capstan Therapeutics", "CPTX2309",
            "up to $2.1 billion in cash; up to $2.1 billion in cash, subject to customary adjustments; up to $2.1bn") in rows
    dated = [r[0] for r in rows if r[0]]
    assert dated == sorted(dated, reverse=True) and rows[:len(dated)] == [r for r in rows if r[0]]


def test_trial_gaps_lists_what_each_trial_short_of_the_figure_lacks(built, answer):
    from kg import coverage
    from kg.engine import LocalEngine

    # Exactly the trials the figure counts but not as complete: of - value of autoimmune-trials.
    figure = next(f for f in coverage.figures(built, LocalEngine(built)) if f.name == "autoimmune-trials")
    rows = answer("trial-gaps")
    assert len(rows) == figure.of - figure.value > 0
    gaps = {r[0]: (r[1], r[2], r[3]) for r in rows}
    # NCT06508346: MedPath gives its id, sponsor, status, condition and therapy (field-trials-academic.tsv:287-293);
    # the registry record's copy its start date 2024-08-01 and status WITHDRAWN (field-trials-monitor.tsv:213-214)
    # but "Unknown" in its Phase column, which is no phase: no row gives one.
    assert gaps["Anti-CD19 CAR-T cells in children with refractory ANCA-associated vasculitis (NCT06508346)"] == (
        "NCT06508346", "phase", "1")
    # NCT07212322 (field-trials-new-o.tsv:84-97, MedDataX, which gives no sponsor; not in the registry snapshot):
    # no row names its sponsor.
    assert gaps["Universal CD19 CAR T (UCAR-T) in autoimmune diseases (NCT07212322)"] == ("NCT07212322", "sponsor", "1")
    # GALLOP (field-programs.tsv:170-178): the registry record's copy leaves its StartDate empty
    # (field-trials-monitor.tsv:54-61, WITHDRAWN with 0 participants): no row gives its start date.
    assert gaps["GALLOP"] == ("NCT06752876", "start date", "1")
    # RESET-SLE is complete since the record's copy gave its NCT id, status and start date
    # (field-trials-monitor-new.tsv:2161, :2165, :2164): not a gap any more.
    assert "RESET-SLE" not in gaps
    # A trial one field short comes before one with more to find.
    assert [int(r[3]) for r in rows] == sorted(int(r[3]) for r in rows)
    # missing matches any part of the list, in any case.
    lacking_start = answer("trial-gaps", missing="START DATE")
    assert lacking_start and all("start date" in r[2] for r in lacking_start)
    assert ("GALLOP", "NCT06752876", "start date", "1") in lacking_start
    assert "Universal CD19 CAR T (UCAR-T) in autoimmune diseases (NCT07212322)" not in {r[0] for r in lacking_start}
