"""Claims stay claims: ranked statements, the accepted facts once each, and the curation as an agent of its own.

Expected values come from the seed rows each test names: rese-cel's developer is Cabaletta Bio
(seeds/reference-autoimmune-programs.tsv, e.g. the EULAR 2025 abstract OP0338 rows); the news texts
claim Bristol Myers Squibb as developer and partner (seeds/news-000-rese-cel-autoimmune.tsv:8 and :91)
and BioSpace does too (seeds/news-biospace-rese-cel.tsv); the curation rejects both
(seeds/curation.tsv), citing the ACR 2025 abstract and Cabaletta's 10-K as evidence; Ars Technica is a
news website (seeds/reference-diseases-and-targets.tsv), which news text 003 calls a journal.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg import catalogue
from kg.engine import LocalEngine
from kg.params import bind
from kg.paths import Paths
from kg.seeds import read_prefixes
from kg.vocab import CART, GRAPH_INFERRED, ID, SPARQL_PREFIXES, SRC

ROOT = Path(__file__).resolve().parent.parent
HEADER = "subject\tpredicate\tobject\tsource\tquote\tstatus\tnote\n"

DEVELOPERS = "SELECT ?dev WHERE { ?t rdfs:label \"rese-cel\" ; cart:developedBy ?d . ?d rdfs:label ?dev }"
PARTNERS = "SELECT ?partner WHERE { id:cabaletta-bio cart:partnerOf ?p . ?p rdfs:label ?partner }"
JOURNAL = "ASK { id:ars-technica a cart:ScientificJournal }"
WHO_SAYS = """SELECT ?source ?quote ?rank ?reason WHERE {
  GRAPH ?source { ?claim rdf:subject id:rese-cel ; rdf:predicate cart:developedBy ;
                         rdf:object id:bristol-myers-squibb ; cart:rank ?rank ; cart:reasonText ?reason .
                  OPTIONAL { ?claim cart:quote ?quote } } }"""


def values(result) -> list[str]:
    return [row[0].value for row in result.rows]


def plain_answers(engine) -> dict:
    """The done-when questions of the facts-and-claims issue, as a plain user would ask them."""
    return {
        "developers": values(engine.select(DEVELOPERS)),
        "partners": values(engine.select(PARTNERS)),
        "journal": engine.select(JOURNAL).rows[0][0].value,
        "who says": sorted((r[0].value, r[1].value if r[1] else "", r[2].value)
                           for r in engine.select(WHO_SAYS).rows),
    }


def check_plain_answers(answers: dict) -> None:
    assert answers["developers"] == ["Cabaletta Bio"]
    assert "Bristol Myers Squibb" not in answers["partners"] and answers["partners"]
    assert answers["journal"] == "false"
    news = SRC + "news-000-rese-cel-autoimmune"
    said = {source: (quote, rank) for source, quote, rank in answers["who says"]}
    assert said[news] == ("Bristol Myers Squibb and Cabaletta Bio have reported encouraging results from their "
                          "Phase I/II clinical trials investigating resecabtagene autoleucel (rese-cel)",
                          CART + "DeprecatedRank")
    assert SRC + "biospace-cabaletta-car-t-lupus-remissions" in said


@pytest.fixture(scope="module")
def engine(built):
    return LocalEngine(built)


def test_plain_sparql_on_the_default_graph_gives_the_accepted_facts_once(engine):
    check_plain_answers(plain_answers(engine))


def test_the_news_claim_keeps_its_quote_rank_and_reason_in_its_source_graph(engine):
    rows = engine.select(WHO_SAYS.replace("GRAPH ?source", f"GRAPH <{SRC}news-000-rese-cel-autoimmune>")
                         .replace("SELECT ?source", "SELECT ?source", 1)).rows
    assert rows, "the news text's claim is not in its graph"
    reason = rows[0][3].value
    assert reason.startswith("rejected by curation (seeds/curation.tsv:"), reason
    assert "src:acr-2025-abstract-2468-reset-sle" in reason and "src:cabaletta-form-10-k-2024" in reason


def distinctless(text: str) -> str:
    """The query with the DISTINCT of its answer taken out (a sub-select's own, which decides what it groups, stays)."""
    return re.sub(r"\bSELECT\s+DISTINCT\b", "SELECT", text, count=1, flags=re.I)


QUERIES = sorted((ROOT / "queries").glob("*.rq"))


@pytest.mark.parametrize("path", QUERIES, ids=[p.stem for p in QUERIES])
def test_every_canned_query_gives_the_same_rows_with_and_without_distinct(built, engine, path):
    rq = catalogue.load_query(Paths(ROOT), path)
    bound = bind(engine, rq.params, {}, catalogue.prefixes(built), rq.name)
    with_distinct = engine.select(rq.text, bound.bindings).rows
    without = engine.select(distinctless(rq.text), bound.bindings).rows
    assert len(without) == len(with_distinct), path.stem
    assert sorted(map(str, without)) == sorted(map(str, with_distinct)), path.stem


def test_no_deprecated_triple_is_held_or_inferred(built):
    store = ox.Store.read_only(str(built.current_store.resolve()))
    q = """SELECT ?s ?p ?o WHERE { ?c cart:rank cart:DeprecatedRank ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .
             FILTER NOT EXISTS { ?c cart:negated true } }"""
    deprecated = [(r["s"], r["p"], r["o"]) for r in store.query(q, prefixes=SPARQL_PREFIXES, use_default_graph_as_union=True)]
    assert deprecated, "the curated seeds have deprecated claims (seeds/news-000-rese-cel-autoimmune.tsv:91)"
    for s, p, o in deprecated:
        holds = store.query(f"ASK {{ {s} {p} {o} }}", use_default_graph_as_union=True)
        # A triple a deprecated claim makes may still hold if an accepted statement makes it too.
        accepted = store.query(f"""ASK {{ ?c rdf:subject {s} ; rdf:predicate {p} ; rdf:object {o} ; cart:rank ?r .
                                       FILTER(?r != cart:DeprecatedRank) FILTER NOT EXISTS {{ ?c cart:negated true }} }}""",
                               prefixes=SPARQL_PREFIXES, use_default_graph_as_union=True)
        assert bool(holds) == bool(accepted), (s, p, o)
    # What the build would derive from the BMS claims: schema:manufacturer and the symmetric partner link.
    inferred = ox.NamedNode(GRAPH_INFERRED)
    rese, bms, caba = (ox.NamedNode(ID + n) for n in ("rese-cel", "bristol-myers-squibb", "cabaletta-bio"))
    assert not list(store.quads_for_pattern(rese, ox.NamedNode("http://schema.org/manufacturer"), bms, inferred))
    assert not list(store.quads_for_pattern(caba, ox.NamedNode(CART + "partnerOf"), bms, None))
    assert list(store.quads_for_pattern(rese, ox.NamedNode("http://schema.org/manufacturer"), caba, inferred))


def test_every_deprecated_statement_has_a_reason(built):
    store = ox.Store.read_only(str(built.current_store.resolve()))
    q = """SELECT ?c WHERE { ?c cart:rank cart:DeprecatedRank .
             FILTER NOT EXISTS { ?c cart:deprecationReason ?term ; cart:reasonText ?words } }"""
    assert [r["c"] for r in store.query(q, prefixes=SPARQL_PREFIXES, use_default_graph_as_union=True)] == []


def read_table(path: Path) -> list[list[str]]:
    lines = path.read_text(encoding="utf-8").split("\n")
    return [line.split("\t") for line in lines[1:] if line.strip()]


def test_a_judgement_is_never_attributed_to_a_page_it_cites_as_evidence(built):
    store = ox.Store.read_only(str(built.current_store.resolve()))
    rows = read_table(ROOT / "seeds" / "curation.tsv")
    judgements = [r for r in rows if len(r) > 7 and r[7].strip()]
    assert judgements, "seeds/curation.tsv has judgements with evidence"
    prefixes = read_prefixes(Paths(ROOT))[0]

    def iri(curie: str) -> str:
        prefix, local = curie.split(":", 1)
        return prefixes[prefix] + local

    for subject, predicate, obj, _source, _quote, _status, _note, evidence in judgements:
        negated = predicate.startswith("not ")
        predicate = predicate[4:] if negated else predicate
        for page in evidence.split():
            value = f"<{iri(obj)}>" if re.match(r"^[a-z]+:[^\s]+$", obj) and not re.match(r"^\d", obj) else "?o"
            literal = "" if value != "?o" else f'FILTER(STR(?o) = "{obj}")'
            q = f"""ASK {{ GRAPH <{iri(page)}> {{ ?c rdf:subject <{iri(subject)}> ; rdf:predicate <{iri(predicate)}> ;
                     rdf:object {value} . {literal}
                     {"?c cart:negated true ." if negated else "FILTER NOT EXISTS { ?c cart:negated true }"} }} }}"""
            assert not bool(store.query(q, prefixes=SPARQL_PREFIXES)), \
                f"{page} is credited with the curation's judgement on {subject} {predicate} {obj}"
    # And no page's own row says "absence of evidence": that is a judgement, the curation's to make.
    for table in sorted((ROOT / "seeds").glob("*.tsv")):
        if table.name in ("curation.tsv", "prefixes.tsv"):
            continue
        for number, row in enumerate(read_table(table), start=2):
            if row[1].startswith("not ") and len(row) > 6:
                assert "absence of evidence" not in row[6], f"{table.name}:{number} puts a judgement in a page's mouth"


# ---------------------------------------------------------------- bad input


def write(project: Paths, name: str, rows: list[str], header: str = HEADER) -> None:
    (project.seeds / name).write_text(header + "".join(r + "\n" for r in rows), encoding="utf-8")


def test_two_preferred_values_of_a_functional_property_are_an_error_at_both_rows(project, run):
    # Two verified pages giving two approval dates for one decision (cart:decisionDate is functional).
    write(project, "t-conflict.tsv", [
        "id:decision-kymriah-fda-approval-2017\tcart:decisionDate\t2017-09-01\tsrc:drugs-com-kymriah-history\t\tverified",
    ])
    result = run("check")
    assert result.exit_code == 1, result.stdout + result.stderr
    lines = [l for l in result.stdout.splitlines() if "conflicting-statements" in l and "ERROR" in l]
    assert any(l.startswith("seeds/t-conflict.tsv:2: ERROR") for l in lines), result.stdout
    assert any("2017-08-30" in l and "2017-09-01" in l and not l.startswith("seeds/t-conflict.tsv") for l in lines), lines


def test_a_curation_row_without_evidence_is_an_error_at_its_line(project, run):
    header = HEADER.rstrip("\n") + "\tevidence\n"
    write(project, "t-judgement.tsv", [
        "id:rese-cel\tnot cart:targets\tid:bcma\tsrc:cartkg-curation\t\tverified\tno page names BCMA\t",
    ], header)
    result = run("check")
    assert result.exit_code == 1
    assert re.search(r"^seeds/t-judgement\.tsv:2: ERROR: a judgement of the curation needs its evidence",
                     result.stdout, re.M), result.stdout


def test_a_page_row_may_not_carry_evidence(project, run):
    header = HEADER.rstrip("\n") + "\tevidence\n"
    write(project, "t-evidence.tsv", [
        "id:rese-cel\trdfs:comment\tA comment\tsrc:eular-2025-abstract-op0338\t\tverified\t\tsrc:cabaletta-form-10-k-2024",
    ], header)
    result = run("check")
    assert result.exit_code == 1
    assert re.search(r"^seeds/t-evidence\.tsv:2: ERROR: evidence is for the curation's judgements", result.stdout, re.M)


def test_a_rank_cannot_be_typed_by_hand(project, run):
    write(project, "t-rank.tsv", [
        "id:rese-cel\tcart:rank\tcart:PreferredRank\tsrc:eular-2025-abstract-op0338\t\tverified",
    ])
    result = run("check")
    assert result.exit_code == 1
    assert re.search(r"^seeds/t-rank\.tsv:2: ERROR: cart:rank is derived at build time", result.stdout, re.M)


def test_a_later_dated_status_supersedes_the_older_one(project, run):
    # Two registry mirror pages, dated, giving a trial's status (cart:status changes over time).
    write(project, "t-status.tsv", [
        "src:t-old\ta\tcart:RegistryRecord\tsrc:t-old\t\tverified",
        "src:t-old\tcart:title\tOld record page\tsrc:t-old\t\tverified",
        "src:t-old\tcart:publishedOn\t2024-01-10\tsrc:t-old\t\tverified",
        "src:t-new\ta\tcart:RegistryRecord\tsrc:t-new\t\tverified",
        "src:t-new\tcart:title\tNew record page\tsrc:t-new\t\tverified",
        "src:t-new\tcart:publishedOn\t2025-06-01\tsrc:t-new\t\tverified",
        "id:t-trial\ta\tcart:Trial\tsrc:t-old\t\tverified",
        "id:t-trial\trdfs:label\tA trial\tsrc:t-old\t\tverified",
        "id:t-trial\tcart:status\tRECRUITING\tsrc:t-old\t\tverified",
        "id:t-trial\tcart:status\tACTIVE_NOT_RECRUITING\tsrc:t-new\t\tverified",
    ])
    assert run("build", "--no-shacl").exit_code == 0
    result = run("sparql", "-", "--format", "tsv", input="SELECT ?s WHERE { id:t-trial cart:status ?s }")
    assert result.stdout.splitlines()[1:] == ['"ACTIVE_NOT_RECRUITING"'], result.stdout
    reason = run("sparql", "-", "--format", "tsv", input="""SELECT ?why WHERE { GRAPH src:t-old {
        ?c rdf:subject id:t-trial ; rdf:predicate cart:status ; cart:reasonText ?why } }""")
    assert "superseded" in reason.stdout and "src:t-new" in reason.stdout, reason.stdout


def test_a_source_dated_to_the_month_is_not_older_than_a_day_inside_it(project, run):
    # An inClinicalTrials page shows only the record's verified month (seeds/sources-field-trials-fill-j.tsv:
    # "Verified date May 2023"); the registry copy is dated a day of that month (2023-05-11). Neither is the later.
    write(project, "t-overlap.tsv", [
        "src:t-month\ta\tcart:RegistryRecord\tsrc:t-month\t\tverified",
        "src:t-month\tcart:title\tA record page dated to the month\tsrc:t-month\t\tverified",
        "src:t-month\tcart:publishedOn\t2023-05\tsrc:t-month\t\tverified",
        "src:t-day\ta\tcart:RegistryRecord\tsrc:t-day\t\tverified",
        "src:t-day\tcart:title\tA record page dated to the day\tsrc:t-day\t\tverified",
        "src:t-day\tcart:publishedOn\t2023-05-11\tsrc:t-day\t\tverified",
        "id:t-trial\ta\tcart:Trial\tsrc:t-month\t\tverified",
        "id:t-trial\trdfs:label\tA trial\tsrc:t-month\t\tverified",
        "id:t-trial\tcart:status\tRECRUITING\tsrc:t-month\t\tverified",
        "id:t-trial\tcart:status\tUNKNOWN\tsrc:t-day\t\tverified",
    ])
    result = run("check")
    for line in (10, 11):
        assert re.search(rf"^seeds/t-overlap\.tsv:{line}: WARN: .*the sources' dates \(2023-05(-11)?, 2023-05(-11)?\) "
                         r"overlap, so which is current cannot be told", result.stdout, re.M), result.stdout
    assert run("build", "--no-shacl").exit_code == 0
    facts = run("sparql", "-", "--format", "tsv", input="SELECT ?s WHERE { id:t-trial cart:status ?s } ORDER BY ?s")
    assert facts.stdout.splitlines()[1:] == ['"RECRUITING"', '"UNKNOWN"'], facts.stdout


def test_a_date_at_month_precision_agrees_with_the_day_inside_it(project, run):
    # Kymriah's first FDA approval: 2017-08-30 (drugs.com's approval history, a verified row of
    # seeds/reference-approved-products.tsv). A page giving only the month agrees with it; the day stays the fact.
    write(project, "t-month.tsv", [
        "src:t-month\ta\tcart:WebPage\tsrc:t-month\t\tverified",
        "src:t-month\tcart:title\tA page giving the month\tsrc:t-month\t\tverified",
        "id:decision-kymriah-fda-approval-2017\tcart:decisionDate\t2017-08\tsrc:t-month\t\tverified",
    ])
    result = run("check")
    assert "t-month.tsv:4: ERROR" not in result.stdout, result.stdout
    assert run("build", "--no-shacl").exit_code == 0
    facts = run("sparql", "-", "--format", "tsv",
                input="SELECT ?d WHERE { id:decision-kymriah-fda-approval-2017 cart:decisionDate ?d }")
    assert facts.stdout.splitlines()[1:] == ['"2017-08-30"^^<http://www.w3.org/2001/XMLSchema#date>'], facts.stdout
    claim = run("sparql", "-", "--format", "tsv", input="""SELECT ?reason ?why WHERE { GRAPH src:t-month {
        ?c rdf:subject id:decision-kymriah-fda-approval-2017 ; rdf:predicate cart:decisionDate ;
           cart:deprecationReason ?reason ; cart:reasonText ?why } }""")
    assert "RefinedByMorePreciseDate" in claim.stdout and "2017-08-30" in claim.stdout, claim.stdout


def test_a_reported_day_does_not_refine_a_verified_month(project, run):
    # The same month, verified; a reported day inside it that no reference row gives is not accepted over it.
    write(project, "t-day.tsv", [
        "src:t-day\ta\tcart:WebPage\tsrc:t-day\t\tverified",
        "src:t-day\tcart:title\tA page giving a day\tsrc:t-day\t\tverified",
        "id:t-decision\ta\tcart:RegulatoryDecision\tsrc:t-day\t\tverified",
        "id:t-decision\trdfs:label\tA decision\tsrc:t-day\t\tverified",
        "id:t-decision\tcart:decisionDate\t2020-05\tsrc:t-day\t\tverified",
        "src:t-news\ta\tcart:WebPage\tsrc:t-news\t\tverified",
        "src:t-news\tcart:title\tA news page giving a day\tsrc:t-news\t\tverified",
        "id:t-decision\tcart:decisionDate\t2020-05-12\tsrc:t-news\t\treported",
    ])
    built = run("build", "--no-shacl")
    assert built.exit_code == 0, built.stdout + built.stderr
    facts = run("sparql", "-", "--format", "tsv", input="SELECT ?d WHERE { id:t-decision cart:decisionDate ?d }")
    assert facts.stdout.splitlines()[1:] == ['"2020-05-01"^^<http://www.w3.org/2001/XMLSchema#date>'], facts.stdout


def test_a_conflict_between_values_of_a_changing_property_says_what_would_settle_it(project, run):
    # cart:status changes over time. Three pairs of pages give two statuses of one trial: undated pages
    # (a date would order them), pages dated the same day, and one page giving both (no date can order them).
    rows = []
    for name, date in (("t-undated-a", ""), ("t-undated-b", ""), ("t-same-a", "2025-06-01"),
                       ("t-same-b", "2025-06-01"), ("t-one", "2025-06-01")):
        rows += [f"src:{name}\ta\tcart:RegistryRecord\tsrc:{name}\t\tverified",
                 f"src:{name}\tcart:title\tRecord page {name}\tsrc:{name}\t\tverified"]
        rows += [f"src:{name}\tcart:publishedOn\t{date}\tsrc:{name}\t\tverified"] if date else []
    for trial, sources in (("t-trial-undated", ("t-undated-a", "t-undated-b")),
                           ("t-trial-same", ("t-same-a", "t-same-b")), ("t-trial-one", ("t-one", "t-one"))):
        rows += [f"id:{trial}\ta\tcart:Trial\tsrc:{sources[0]}\t\tverified",
                 f"id:{trial}\trdfs:label\t{trial}\tsrc:{sources[0]}\t\tverified",
                 f"id:{trial}\tcart:status\tRECRUITING\tsrc:{sources[0]}\t\tverified",
                 f"id:{trial}\tcart:status\tCOMPLETED\tsrc:{sources[1]}\t\tverified"]
    write(project, "t-statuses.tsv", rows)
    result = run("check")
    warnings = [l for l in result.stdout.splitlines() if "conflicting-statements" in l]
    assert not [l for l in warnings if "ERROR" in l], warnings

    def said(source: str) -> str:
        return next(l for l in warnings if l.split(": WARN: ")[1].startswith(f"src:{source} "))

    assert said("t-undated-a").endswith(
        "add cart:publishedOn to src:t-undated-a and src:t-undated-b) (conflicting-statements)")
    assert "both sources are dated 2025-06-01, so which is current cannot be told" in said("t-same-a")
    assert "one source gives both values" in said("t-one")
    assert "add cart:publishedOn" not in said("t-same-b") + said("t-one")
