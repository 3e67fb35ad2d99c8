"""Hand-checked answers, one question per class, from the seed texts and the reference facts.

Each expected value was read off ../shared/seeds/*.txt or ../shared/reference/car-t-facts.yaml
(the record is named in the comment), not copied from a run of the code.
"""

from __future__ import annotations

import pytest

from kg.engine import LocalEngine

SRC = "https://w3id.org/cartkg/id/source/"


@pytest.fixture(scope="module")
def ask(built):
    engine = LocalEngine(built)

    def rows(sparql: str) -> set[tuple]:
        result = engine.select(sparql)
        return {tuple(None if t is None else t.value for t in row) for row in result.rows}

    return rows


def test_therapy_which_therapies_target_bcma(ask):
    # yaml: Abecma and Carvykti target_antigen "BCMA = TNFRSF17"; Descartes-08 target BCMA; anito-cel "BCMA CAR T"
    assert ask("""SELECT DISTINCT ?label WHERE { ?t a cart:Therapy ; cart:targets ?x ; rdfs:label ?label .
                  ?x rdfs:label "BCMA" }""") == {("Abecma",), ("Carvykti",), ("Descartes-08",), ("anito-cel",)}


def test_target_hgnc_id_of_the_kymriah_target_with_its_source(ask):
    # yaml: Kymriah target_antigen "CD19 (HGNC:1633)", sources hemonc.org and ncbi.nlm.nih.gov
    found = ask("""SELECT DISTINCT ?hgnc ?g WHERE { GRAPH ?g { id:kymriah cart:targets ?x } ?x cart:hgncId ?hgnc }""")
    assert {hgnc for hgnc, _ in found} == {"HGNC:1633"}
    assert {g for _, g in found} == {SRC + "hemonc-tisagenlecleucel", SRC + "ncbi-gene-cd19"}


def test_company_developers_of_rese_cel_per_source(ask):
    # text 000: "Bristol Myers Squibb and Cabaletta Bio have reported ... rese-cel"; yaml: company Cabaletta Bio
    found = ask("""SELECT DISTINCT ?company ?kind WHERE { GRAPH ?g { id:rese-cel cart:developedBy ?c }
                   ?c rdfs:label ?company . ?g a ?kind . FILTER(?kind IN (cart:NewsArticle, cart:WebPage, cart:PressRelease)) }""")
    companies = {c for c, _ in found}
    assert companies == {"Cabaletta Bio", "Bristol Myers Squibb"}
    bms_sources = {k for c, k in found if c == "Bristol Myers Squibb"}
    assert bms_sources == {"https://w3id.org/cartkg/ontology#NewsArticle"}  # only news claims it


def test_trial_eliana_nct_and_phase(ask):
    # yaml: Kymriah pivotal_trial "ELIANA (NCT02435849), phase 2"
    assert ask("""SELECT DISTINCT ?nct ?phase WHERE { ?t rdfs:label "ELIANA" ; cart:nctId ?nct ; cart:phase ?phase }""") \
        == {("NCT02435849", "Phase 2")}


def test_disease_mondo_ids_and_category(ask):
    # yaml disease_id: SLE MONDO:0007915, DLBCL MONDO:0018905; SLE is autoimmune, DLBCL a cancer
    assert ask("""SELECT DISTINCT ?label ?mondo ?kind WHERE { ?d cart:mondoId ?mondo ; rdfs:label ?label ; a ?kind .
                   FILTER(?mondo IN ("MONDO:0007915", "MONDO:0018905"))
                   FILTER(?kind IN (cart:AutoimmuneDisease, cart:Cancer)) }""") == {
        ("systemic lupus erythematosus", "MONDO:0007915", "https://w3id.org/cartkg/ontology#AutoimmuneDisease"),
        ("diffuse large B-cell lymphoma", "MONDO:0018905", "https://w3id.org/cartkg/ontology#Cancer"),
    }


def test_analyst_what_william_blair_said_and_about_what(ask):
    # text 000: "... without the use of immunomodulators, which analysts from William Blair suggest de-risks an
    # upcoming registrational cohort for DM."
    found = ask("""SELECT DISTINCT ?about ?quote WHERE { ?a a cart:Analyst ; rdfs:label "William Blair" ;
                      cart:commentsOn ?x . ?x rdfs:label ?about .
                   ?c rdf:subject ?a ; rdf:predicate cart:commentsOn ; rdf:object ?x ; cart:quote ?quote }""")
    assert "RESET-Myositis" in {about for about, _ in found}
    assert all("William Blair suggest de-risks an upcoming registrational cohort for DM" in q for _, q in found)


def test_regulator_fda_first_approval_of_kymriah(ask):
    # yaml: Kymriah first_fda_approval_date 2017-08-30
    assert ask("""SELECT DISTINCT ?date ?type WHERE { ?d cart:decisionFor id:kymriah ; cart:decidedBy ?r ;
                     cart:decisionDate ?date ; cart:decisionType ?type . ?r a cart:Regulator }""") == {
        ("2017-08-30", "https://w3id.org/cartkg/ontology#Approval")}


def test_regulatory_decision_tecartus_accelerated_approval(ask):
    # yaml: Tecartus first_fda_approval_date "2020-07-24 (accelerated approval)", indication mantle cell lymphoma
    assert ask("""SELECT DISTINCT ?date ?disease WHERE { ?d a cart:RegulatoryDecision ; cart:decisionFor id:tecartus ;
                     cart:decisionType cart:AcceleratedApproval ; cart:decisionDate ?date ; cart:indication ?i .
                     ?i rdfs:label ?disease }""") == {("2020-07-24", "mantle cell lymphoma")}


def test_person_role_at_cabaletta_from_news_and_reference(ask):
    # text 000: "David Chang, Cabaletta's Chief Medical Officer"; yaml: chief_medical_officer David J. Chang
    found = ask("""SELECT DISTINCT ?title ?g WHERE { ?p a cart:Person ; cart:worksFor id:cabaletta-bio .
                   GRAPH ?g { ?p cart:jobTitle ?title } }""")
    assert {t for t, _ in found} == {"Chief Medical Officer"}
    assert SRC + "news-000-rese-cel-autoimmune" in {g for _, g in found}
    assert len({g for _, g in found}) >= 2


def test_event_readouts_presented_at_acr_2025(ask):
    # text 000: RESET-SLE, RESET-Myositis and RESET-SSc data "presented at the 2025 American College of Rheumatology congress"
    found = ask("""SELECT DISTINCT ?trial WHERE { ?r cart:reportedAt id:acr-convergence-2025 ; cart:readoutOf ?t .
                   ?t rdfs:label ?trial }""")
    assert {"RESET-SLE", "RESET-Myositis", "RESET-SSc"} <= {t for (t,) in found}


def test_readout_reset_myositis_patients_and_follow_up(ask):
    # text 000: "involving six patients ... four evaluable patients demonstrated "moderate or major improvement"
    # after 16 weeks of treatment"
    assert ask("""SELECT DISTINCT ?enrolled ?evaluated ?follow WHERE { ?r cart:readoutOf id:reset-myositis ;
                     cart:reportedAt id:acr-convergence-2025 ; cart:patientsEnrolled ?enrolled ;
                     cart:patientsEvaluated ?evaluated ; cart:followUp ?follow }""") == {("6", "4", "16 weeks")}


def test_source_title_of_the_first_news_text(ask):
    # text 000, first line
    assert ask("""SELECT ?title WHERE { src:news-000-rese-cel-autoimmune cart:title ?title }""") == {
        ("CAR T Therapy Shows Promise in Treating Autoimmune Conditions",)}


def test_claim_contested_with_sources_on_both_sides(ask):
    # text 000 pairs BMS with rese-cel; yaml partner_bms: "no Bristol Myers Squibb collaboration on rese-cel found".
    # text 003 calls Ars Technica a journal; yaml publisher_type: "technology and science news website".
    found = ask("""SELECT DISTINCT ?s ?p ?claimedIn ?deniedIn WHERE {
                     ?c a cart:Claim ; cart:contested true ; rdf:subject ?s ; rdf:predicate ?p ; cart:statedIn ?claimedIn ;
                        cart:contradictedBy ?d . ?d cart:statedIn ?deniedIn .
                     FILTER NOT EXISTS { ?c cart:negated true } FILTER(STRSTARTS(STR(?claimedIn), STR(src:news-))) }""")
    pairs = {(s.rsplit("/", 1)[1], p.rsplit("#", 1)[1], c.rsplit("/", 1)[1]) for s, p, c, _ in found}
    assert ("rese-cel", "developedBy", "news-000-rese-cel-autoimmune") in pairs
    assert ("ars-technica", "type", "news-003-car-t-reset-immune") in pairs
    denied = {d for s, p, _, d in found if s.endswith("/ars-technica")}
    assert denied == {SRC + "handwiki-ars-technica", SRC + "wikisum-ars-technica"}


def test_unverified_facts_are_claims_not_facts(ask):
    # yaml: "RESET-SLE = NCT06121297" is unverified: recorded as a claim, never asserted
    assert ask("""SELECT ?nct WHERE { id:reset-sle cart:nctId ?nct }""") == set()
    assert ask("""SELECT DISTINCT ?status WHERE { ?c rdf:subject id:reset-sle ; rdf:predicate cart:nctId ;
                     rdf:object "NCT06121297" ; cart:verification ?status }""") == {
        ("https://w3id.org/cartkg/ontology#Unverified",)}


def test_investigated_for_is_inferred_from_trials(ask):
    # text 000: the RESET-SSc trial "focusing on systemic sclerosis"
    assert ask("""SELECT ?g WHERE { GRAPH ?g { id:rese-cel cart:investigatedFor id:systemic-sclerosis } }""") == {
        ("https://w3id.org/cartkg/graph/inferred",)}


def test_the_provenance_example_in_the_ontology_readme_runs(built):
    """The example query documented in ontology/README.md answers as the README shows."""
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "ontology" / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Provenance"):]
    query = re.search(r"```sparql\n(.*?)```", section, re.S).group(1)
    rows = LocalEngine(built).select(query).rows
    firsts = [(r[0].value, r[4].value) for r in rows]
    # text 000 claims both companies; BMS is the contested one
    assert ("Bristol Myers Squibb", "seeds/news-000-rese-cel-autoimmune.tsv") in firsts
    assert ("Cabaletta Bio", "seeds/reference-autoimmune-programs.tsv") in firsts
