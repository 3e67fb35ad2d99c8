"""Dated statements (precision, from/until, "this year") and `--as-of DATE` on the query commands."""

from __future__ import annotations

import json

import pytest

from kg import dates

AUCATZYL = "https://w3id.org/cartkg/id/decision-aucatzyl-fda-approval-2024"
TEST_DECISION = "https://w3id.org/cartkg/id/decision-test-year-precision"
HEADER = "subject\tpredicate\tobject\tsource\tquote\tstatus\tnote"
SOURCE_ROWS = [
    "src:test-dated\ta\tcart:WebPage\tsrc:test-dated\t\tverified",
    "src:test-dated\trdfs:label\tA dated test page\tsrc:test-dated\t\tverified",
    "src:test-dated\tcart:publishedOn\t2019-06-03\tsrc:test-dated\t\tverified",
]


def _table(project, name: str, rows: list[str], header: str = HEADER) -> None:
    (project.seeds / name).write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")


def _sparql(run, tmp_path, text: str, *args: str) -> list[dict]:
    query = tmp_path / "q.rq"
    query.write_text(text, encoding="utf-8")
    result = run("sparql", str(query), "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["results"]["bindings"]


APPROVAL_DATES = """SELECT ?d ?date WHERE { ?d a cart:RegulatoryDecision ; cart:decisionDate ?date } ORDER BY ?d"""


def test_as_of_leaves_out_an_approval_before_its_date_and_includes_it_after(built, run, tmp_path):
    # seeds/reference-approved-products.tsv:206-207: Aucatzyl's FDA approval is dated 2024-11-08.
    before = {r["d"]["value"] for r in _sparql(run, tmp_path, APPROVAL_DATES, "--as-of", "2024-11-07")}
    after = {r["d"]["value"] for r in _sparql(run, tmp_path, APPROVAL_DATES, "--as-of", "2024-11-08")}
    assert AUCATZYL not in before and AUCATZYL in after
    now = {r["d"]["value"] for r in _sparql(run, tmp_path, APPROVAL_DATES)}
    assert before < after <= now


def test_canned_query_as_of(built, run):
    result = run("query", "approvals-timeline", "--format", "csv", "--as-of", "2024-11-07")
    approval = "2024-11-08,https://w3id.org/cartkg/id/fda,https://w3id.org/cartkg/id/aucatzyl,"
    assert result.exit_code == 0 and approval not in result.stdout
    assert "id/aucatzyl,https://w3id.org/cartkg/ontology#RMAT" in result.stdout  # its 2022 RMAT designation stays
    assert "seed rows left out" in result.stderr
    result = run("query", "approvals-timeline", "--format", "csv", "--as-of", "2024-12")
    assert approval in result.stdout


@pytest.mark.parametrize("command", [["query", "approvals-timeline"], ["sparql", "-"], ["viz"], ["export", "--format", "nt"]])
@pytest.mark.parametrize("bad", ["2024-13-01", "yesterday", "24-1-1"])
def test_bad_as_of_is_one_line_exit_2(built, run, tmp_path, command, bad):
    out = tmp_path / "out.html"
    extra = ["-o", str(out)] if command[0] in ("viz", "export") else []
    result = run(*command, *extra, "--as-of", bad, input="SELECT * WHERE { ?s ?p ?o } LIMIT 1")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [f"error: --as-of: {bad!r} is not a date (YYYY-MM-DD, YYYY-MM or YYYY)"]
    assert not out.exists()


def test_export_and_viz_as_of(built, run, tmp_path):
    out = tmp_path / "g.nt"
    assert run("export", "--format", "nt", "-o", str(out), "--as-of", "2024-11-07").exit_code == 0
    assert f"<{AUCATZYL}>" not in out.read_text(encoding="utf-8")
    page = tmp_path / "g.html"
    assert run("viz", "-o", str(page), "--as-of", "2024-11-08").exit_code == 0
    assert "FDA approval of Aucatzyl" in page.read_text(encoding="utf-8") or AUCATZYL in page.read_text(encoding="utf-8")


def test_year_precision_date_as_of(project, run, tmp_path):
    # The page, too, is dated at year precision: it counts from 1 January 2019.
    page = [r.replace("\t2019-06-03\t", "\t2019\t") for r in SOURCE_ROWS]
    _table(project, "test-dated.tsv", page + [
        "id:decision-test-year-precision\ta\tcart:RegulatoryDecision\tsrc:test-dated\t\tverified",
        "id:decision-test-year-precision\trdfs:label\tTest approval in 2019\tsrc:test-dated\t\tverified",
        "id:decision-test-year-precision\tcart:decisionFor\tid:kymriah\tsrc:test-dated\t\tverified",
        "id:decision-test-year-precision\tcart:decidedBy\tid:fda\tsrc:test-dated\t\tverified",
        "id:decision-test-year-precision\tcart:decisionType\tcart:Approval\tsrc:test-dated\t\tverified",
        "id:decision-test-year-precision\tcart:decisionDate\t2019\tsrc:test-dated\t\tverified",
    ])
    assert run("build", "--no-shacl").exit_code == 0
    rows = _sparql(run, tmp_path, """SELECT ?date ?precision WHERE { ?c rdf:subject id:decision-test-year-precision ;
        rdf:predicate cart:decisionDate ; rdf:object ?date ; cart:datePrecision ?precision }""")
    assert [(r["date"]["value"], r["precision"]["value"]) for r in rows] == [
        ("2019-01-01", "https://w3id.org/cartkg/ontology#YearPrecision")]
    # Compared at year precision: not yet on 2018-12-31; on any day of 2019 (and as of "2019") it had happened.
    for when, present in (("2018-12-31", False), ("2019-01-01", True), ("2019", True)):
        found = {r["d"]["value"] for r in _sparql(run, tmp_path, APPROVAL_DATES, "--as-of", when)}
        assert (TEST_DECISION in found) is present, when


def test_this_year_and_from_until(project, run, tmp_path):
    _table(project, "test-dated.tsv", SOURCE_ROWS + [
        "id:kysa-8\tcart:status\tRECRUITING\tsrc:test-dated\t\tverified\t\t2024-01\t2024-10",
        "id:kysa-8\tcart:status\tCOMPLETED\tsrc:test-dated\t\tverified\t\t2024-11",
        "id:decision-test-year-precision\ta\tcart:RegulatoryDecision\tsrc:test-dated\t\tverified",
        "id:decision-test-year-precision\trdfs:label\tTest decision this year\tsrc:test-dated\t\tverified",
        "id:decision-test-year-precision\tcart:decisionDate\tthis year\tsrc:test-dated\t\tverified",
    ], header=HEADER + "\tfrom\tuntil")
    result = run("build", "--no-shacl")
    assert result.exit_code == 0, result.output  # two statuses at two times: no conflict
    rows = _sparql(run, tmp_path, """SELECT ?date ?precision WHERE { ?c rdf:subject id:decision-test-year-precision ;
        rdf:predicate cart:decisionDate ; rdf:object ?date ; cart:datePrecision ?precision }""")
    # "this year" in a page published 2019-06-03 (SOURCE_ROWS) is 2019, at year precision.
    assert [(r["date"]["value"], r["precision"]["value"]) for r in rows] == [
        ("2019-01-01", "https://w3id.org/cartkg/ontology#YearPrecision")]
    status = """SELECT ?status WHERE { id:kysa-8 cart:status ?status } ORDER BY ?status"""
    assert [r["status"]["value"] for r in _sparql(run, tmp_path, status, "--as-of", "2024-06-15")] == ["RECRUITING"]
    # until 2024-10 holds to 31 October (month precision), from 2024-11 starts on 1 November.
    assert [r["status"]["value"] for r in _sparql(run, tmp_path, status, "--as-of", "2024-10-31")] == ["RECRUITING"]
    assert [r["status"]["value"] for r in _sparql(run, tmp_path, status, "--as-of", "2024-11-01")] == ["COMPLETED"]
    claims = _sparql(run, tmp_path, """SELECT ?from ?p WHERE { ?c rdf:subject id:kysa-8 ; rdf:object "RECRUITING" ;
        cart:validFrom ?from ; cart:validFromPrecision ?p }""")
    assert [(r["from"]["value"], r["p"]["value"]) for r in claims] == [
        ("2024-01-01", "https://w3id.org/cartkg/ontology#MonthPrecision")]


def test_until_before_from_is_an_error_at_its_row(project, run):
    _table(project, "test-dated.tsv", SOURCE_ROWS + [
        "id:kysa-8\tcart:status\tRECRUITING\tsrc:test-dated\t\tverified\t\t2024-05\t2024-04-30",
    ], header=HEADER + "\tfrom\tuntil")
    result = run("check", "--no-shacl")
    assert result.exit_code == 1
    assert ("seeds/test-dated.tsv:5: ERROR: until 2024-04-30 is before from 2024-05: the statement would hold at no "
            "time (validity)") in result.stdout
    result = run("build", "--no-shacl")
    assert result.exit_code == 1 and not (project.build / "current").exists()


def test_a_date_that_is_no_date_is_refused_at_its_row(project, run):
    _table(project, "test-dated.tsv", SOURCE_ROWS + [
        "id:kysa-8\tcart:primaryCompletionDate\t2024-13\tsrc:test-dated\t\tverified",
    ])
    result = run("check", "--no-shacl")
    assert result.exit_code == 1
    assert "seeds/test-dated.tsv:5: ERROR: wrong datatype for cart:primaryCompletionDate: '2024-13' is not a date" in result.stdout


def test_dates_compare_at_their_precision():
    assert dates.parse("2023-10").end.isoformat() == "2023-10-31"
    assert dates.parse("2024-02").end.isoformat() == "2024-02-29"
    assert not dates.parse("2023").after(dates.parse("2023-01-01").start)
    assert dates.parse("2023").after(dates.parse("2022-12-31").start)
    with pytest.raises(dates.DateError):
        dates.parse("this year")


def test_a_date_no_source_gives_to_the_day_is_shown_as_they_give_it(project, run):
    # The stored value is the period's first day (2019-03-01); the canned queries show what the sources gave.
    second = [r.replace("src:test-dated", "src:test-dated-2").replace("A dated test page", "A second dated test page")
              for r in SOURCE_ROWS]

    def decision(name: str, date: str, source: str = "src:test-dated", therapy: str = "id:test-cel") -> list[str]:
        iri = f"id:decision-test-{name}"
        return [f"{iri}\ta\tcart:RegulatoryDecision\t{source}\t\tverified",
                f"{iri}\trdfs:label\tTest approval {name}\t{source}\t\tverified",
                f"{iri}\tcart:decisionFor\t{therapy}\t{source}\t\tverified",
                f"{iri}\tcart:decidedBy\tid:fda\t{source}\t\tverified",
                f"{iri}\tcart:decisionType\tcart:Approval\t{source}\t\tverified",
                f"{iri}\tcart:decisionDate\t{date}\t{source}\t\tverified"]

    _table(project, "test-dated.tsv", SOURCE_ROWS + second + [
        "id:test-cel\ta\tcart:Therapy\tsrc:test-dated\t\tverified",
        "id:test-cel\trdfs:label\ttest-cel\tsrc:test-dated\t\tverified",
        "id:test-cel\tcart:targets\tid:cd19\tsrc:test-dated\t\tverified",
        *decision("month", "2019-04"),  # a month
        *decision("month-and-day", "2019-03"),
        *decision("month-and-day", "2019-03-01", "src:test-dated-2"),  # the same day, given by another source
        *decision("year", "2018"),
        *decision("month-on-the-same-day", "2018-01"),  # another test-cel approval stored as 2018-01-01
        *decision("year-and-month", "2018", therapy="id:kymriah"),
        *decision("year-and-month", "2018-01", "src:test-dated-2", therapy="id:kymriah"),  # the finer of the two
        *decision("later", "2019-05-02"),
    ])
    result = run("build", "--no-shacl")
    assert result.exit_code == 0, result.output
    result = run("query", "approvals-worldwide", "-p", "regulator=FDA", "--format", "json")
    assert result.exit_code == 0, result.output
    shown = {b["decision"]["value"].split("decision-test-")[-1]: (b["date"]["value"], b["date"]["datatype"].split("#")[1])
             for b in json.loads(result.stdout)["results"]["bindings"] if "decision-test-" in b["decision"]["value"]}
    assert shown == {"month": ("2019-04", "gYearMonth"), "month-and-day": ("2019-03-01", "date"), "year": ("2018", "gYear"),
                     "month-on-the-same-day": ("2018-01", "gYearMonth"), "year-and-month": ("2018-01", "gYearMonth"),
                     "later": ("2019-05-02", "date")}
    # test-cel's first approvals are "2018" and "2018-01", both stored as 2018-01-01: shown as the finer.
    for query, column, args in (("therapies-by-target", "therapy", ("-p", "target=CD19")),
                                ("car-t-constructs", "product", ("-p", "approved=false"))):
        result = run("query", query, *args, "--format", "json")
        first = {b[column]["value"]: b.get("first_approval", {}).get("value")
                 for b in json.loads(result.stdout)["results"]["bindings"]}
        assert first["https://w3id.org/cartkg/id/test-cel"] == "2018-01", query
    # The entity query shows each decision's date as approvals-worldwide does.
    for name, expected in (("month", ("2019-04", "gYearMonth")), ("month-and-day", ("2019-03-01", "date")),
                           ("year-and-month", ("2018-01", "gYearMonth"))):
        result = run("query", "entity", "-p", f"name=id:decision-test-{name}", "--format", "json")
        assert result.exit_code == 0, result.output
        dates = [(b["value"]["value"], b["value"]["datatype"].split("#")[1])
                 for b in json.loads(result.stdout)["results"]["bindings"]
                 if b["property"]["value"].endswith("#decisionDate")]
        assert dates == [expected], name
