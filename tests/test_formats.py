"""Every query form in the W3C formats, read back by parsers kg did not write; tables that fit; errors at their place."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess

import pyoxigraph as ox
import pytest

from kg.engine import LocalEngine
from kg.results import RDF_FORMATS

# seeds/reference-approved-products.tsv:20: id:abecma cart:targets id:bcma
ASK_TRUE = "ASK { id:abecma cart:targets id:bcma }"
ASK_FALSE = "ASK { id:abecma cart:targets id:cd19 }"
CONSTRUCT = "CONSTRUCT { ?t cart:targets ?x } WHERE { ?t cart:targets ?x }"
DESCRIBE = "DESCRIBE id:abecma"
SELECT = "SELECT ?t ?x WHERE { ?t cart:targets ?x } ORDER BY ?t ?x"


def sparql(run, query: str, *args: str):
    result = run("sparql", *args, "-", input=query)
    assert result.exit_code == 0, result.stderr
    return result


# ---------------------------------------------------------------- ASK and SELECT: SPARQL results

@pytest.mark.parametrize("query, expected", [(ASK_TRUE, True), (ASK_FALSE, False)])
def test_ask_as_w3c_json_and_xml_is_read_by_rdflib(built, run, query, expected):
    from rdflib.plugins.sparql.results.jsonresults import JSONResultParser
    from rdflib.plugins.sparql.results.xmlresults import XMLResultParser

    as_json = sparql(run, query, "--format", "json")
    assert json.loads(as_json.stdout) == {"head": {}, "boolean": expected}
    assert JSONResultParser().parse(io.StringIO(as_json.stdout)).askAnswer is expected
    as_xml = sparql(run, query, "--format", "xml")
    parsed = XMLResultParser().parse(io.BytesIO(as_xml.stdout_bytes))
    assert parsed.type == "ASK" and parsed.askAnswer is expected
    assert sparql(run, query).stdout == ("true\n" if expected else "false\n")
    for fmt in ("csv", "tsv"):  # not defined by the W3C for ASK; written as Oxigraph writes them
        assert sparql(run, query, "--format", fmt).stdout.strip() == ("true" if expected else "false")


def test_select_as_xml_is_read_by_rdflib_with_the_same_terms_as_json(built, run):
    from rdflib.plugins.sparql.results.jsonresults import JSONResultParser
    from rdflib.plugins.sparql.results.xmlresults import XMLResultParser

    query = ('SELECT ?t ?x ?label ?n WHERE { ?t cart:targets ?x . ?x rdfs:label ?label '
             'BIND(STRLEN(?label) AS ?n) BIND("<&>"@en AS ?odd) } ORDER BY ?t ?x')
    from_xml = XMLResultParser().parse(io.BytesIO(sparql(run, query, "--format", "xml").stdout_bytes))
    from_json = JSONResultParser().parse(io.StringIO(sparql(run, query, "--format", "json").stdout))
    assert len(from_xml.bindings) > 10
    assert from_xml.bindings == from_json.bindings and from_xml.vars == from_json.vars
    # Oxigraph's own reader of the W3C XML format agrees too.
    parsed = ox.parse_query_results(sparql(run, query, "--format", "xml").stdout_bytes, format=ox.QueryResultsFormat.XML)
    assert len(list(parsed)) == len(from_xml.bindings)


def test_xml_escapes_markup_in_values(built, run):
    from rdflib.plugins.sparql.results.xmlresults import XMLResultParser

    query = 'SELECT ?v WHERE { VALUES ?v { "<b>&amp;</b>"@en "a\\"b" <https://example.org/a?b=1&c=2> } }'
    parsed = XMLResultParser().parse(io.BytesIO(sparql(run, query, "--format", "xml").stdout_bytes))
    from rdflib import Variable

    assert sorted(str(row[Variable("v")]) for row in parsed.bindings) == ['<b>&amp;</b>', 'a"b', "https://example.org/a?b=1&c=2"]


# ---------------------------------------------------------------- CONSTRUCT and DESCRIBE: RDF

def store_triples(built, query: str) -> set[ox.Triple]:
    return set(LocalEngine(built).construct(query))


@pytest.mark.parametrize("query", [CONSTRUCT, DESCRIBE], ids=["construct", "describe"])
@pytest.mark.parametrize("fmt", list(RDF_FORMATS))
def test_construct_and_describe_in_every_rdf_format_are_read_by_pyoxigraph(built, run, query, fmt):
    expected = store_triples(built, query)
    assert len(expected) > 5
    out = sparql(run, query, "--format", fmt).stdout_bytes
    parsed = {ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(out, format=RDF_FORMATS[fmt])}
    assert parsed == expected


def test_construct_is_turtle_by_default_with_only_the_prefixes_it_uses(built, run):
    out = sparql(run, CONSTRUCT).stdout
    assert re.findall(r"^@prefix (\w+):", out, re.M) == ["cart", "id"]
    assert {ox.Triple(q.subject, q.predicate, q.object)
            for q in ox.parse(out.encode(), format=ox.RdfFormat.TURTLE)} == store_triples(built, CONSTRUCT)


@pytest.mark.skipif(shutil.which("rapper") is None, reason="rapper is not installed (bash scripts/install-system-deps.sh)")
@pytest.mark.parametrize("query", [CONSTRUCT, DESCRIBE], ids=["construct", "describe"])
@pytest.mark.parametrize("fmt, syntax", [("ttl", "turtle"), ("nt", "ntriples")])
def test_turtle_and_ntriples_are_read_by_raptor(built, run, tmp_path, query, fmt, syntax):
    path = tmp_path / f"answer.{fmt}"
    path.write_bytes(sparql(run, query, "--format", fmt).stdout_bytes)
    done = subprocess.run(["rapper", "-q", "-i", syntax, "-o", "ntriples", str(path), "https://example.org/"],
                          capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr
    back = {ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(done.stdout, format=ox.RdfFormat.N_TRIPLES)}
    assert back == store_triples(built, query)


def test_rapper_is_installed_by_the_install_script():
    from pathlib import Path

    script = (Path(__file__).resolve().parent.parent / "scripts" / "install-system-deps.sh").read_text()
    assert "need+=(raptor2-utils)" in script and "command -v rapper" in script


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_a_results_format_for_triples_is_a_usage_error(built, run, fmt):
    result = run("sparql", "--format", fmt, "-", input=CONSTRUCT)
    assert result.exit_code == 2 and result.stdout == ""
    assert "a CONSTRUCT or DESCRIBE gives RDF: --format ttl, nt, jsonld, trig, rdfxml" in result.stderr


def test_an_rdf_format_for_a_select_is_a_usage_error(built, run):
    result = run("sparql", "--format", "ttl", "-", input=SELECT)
    assert result.exit_code == 2 and "a SELECT or ASK gives a table or SPARQL results" in result.stderr


# ---------------------------------------------------------------- tables that fit

def test_therapies_by_target_fits_100_columns_when_not_a_terminal(built, run):
    result = run("query", "therapies-by-target", "-p", "target=CD19")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) > 5 and max(len(line) for line in lines) <= 100


@pytest.mark.parametrize("name", ["safety-findings", "sources", "trials", "efficacy-readouts"])
def test_wide_tables_are_cut_to_100_columns_and_wide_shows_everything(built, run, name):
    wide = run("query", name, "--wide").stdout.splitlines()
    assert max(len(line) for line in wide) > 100, f"{name} is not wide enough to show the cut"
    cut = run("query", name).stdout.splitlines()
    assert max(len(line) for line in cut) <= 100 and len(cut) == len(wide)
    # A cut cell ends in "…"; the wide table cuts none (a value may hold "…" of its own, as a source's title does:
    # "Novartis Immunity Cancer Drug Approved in Korea… No. 1 advanced biopharmaceutical", so count them).
    assert sum(line.count("…") for line in cut) > sum(line.count("…") for line in wide)
    values = {cell["value"] for row in json.loads(run("query", name, "--format", "json").stdout)["results"]["bindings"]
              for cell in row.values() if cell["type"] == "literal"}
    shown = "\n".join(wide)
    assert all(value in shown for value in values)


def test_records_show_one_field_a_line_and_every_value_whole(built, run):
    args = ("query", "safety-findings", "-p", "therapy=rese-cel")
    values = [cell["value"] for row in json.loads(run(*args, "--format", "json").stdout)["results"]["bindings"]
              for cell in row.values() if cell["type"] == "literal"]
    longest = " ".join(max(values, key=len).split())
    assert len(longest) > 80  # the sources' quotes (seeds: the RESET readouts' quotes run past 100 characters)
    out = run(*args, "--format", "records").stdout
    assert longest in " ".join(out.split())  # wrapped onto more lines, never cut
    assert max(len(line) for line in out.splitlines()) <= 100
    assert re.search(r"^-\[ 1 \]-+$", out, re.M) and re.search(r"^therapy +rese-cel$", out, re.M)
    assert out.rstrip().endswith("rows)")


def test_iris_show_as_curies_where_no_label_is_known(built, run):
    out = sparql(run, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g LIMIT 5").stdout
    assert "https://" not in out and re.search(r"^(graph|src|id):", out.splitlines()[2])


# ---------------------------------------------------------------- syntax errors at their place

def test_a_syntax_error_is_reported_at_its_file_line_and_column(built, run, tmp_path):
    path = tmp_path / "broken.rq"
    path.write_text("# targets of each therapy\n"
                    "SELECT ?t ?x WHERE {\n"
                    "  ?t cart:targets ?x .\n"
                    "  FILTER(?x = )\n"
                    "}\n"
                    "ORDER BY ?t\n", encoding="utf-8")
    result = run("sparql", str(path))
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith(f"{path}:4:3: ERROR: cannot read the query from here: `FILTER(?x = )`")
    assert len(result.stderr.splitlines()) == 1


def test_an_undeclared_prefix_names_it_and_the_declared_ones(built, run, tmp_path):
    path = tmp_path / "prefix.rq"
    path.write_text("PREFIX ex: <https://example.org/>\nSELECT ?t WHERE {\n  ?t cart2:targets ?x\n}\n", encoding="utf-8")
    result = run("sparql", str(path))
    assert result.exit_code == 1
    line = result.stderr.strip()
    assert line.startswith(f"{path}:3:6: ERROR: undeclared prefix `cart2:` (did you mean `cart:`?); declared: ")
    assert "cart, dcterms, ex, id," in line and len(result.stderr.splitlines()) == 1 and "\\u{" not in line


@pytest.mark.parametrize("text, line, col, message", [
    ("SELECT ?x WHERE {\n  ?x a ?y .\n", 1, 17, "this `{` is never closed"),
    ("SELECT ?x WHERE {\n  ?x a ?y .\n  }\n  ?y a ?z }\n", 4, 11, "`}` closes nothing"),
    ('SELECT ?x WHERE {\n  ?x rdfs:label "abc .\n}\n', 2, 17, "this string (\") is never closed"),
    ("SELECT ?x WHERE {\n  ?x a ?y .\n}\nORDER ?x\n", 4, 1, "cannot read the query from here: `ORDER ?x`"),
])
def test_common_mistakes_are_placed_where_they_are(built, run, text, line, col, message):
    result = run("sparql", "-", input=text)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"<stdin>:{line}:{col}: ERROR: {message}")


def test_a_canned_query_that_does_not_parse_is_reported_at_its_place(project, run):
    path = project.queries / "therapies-by-target.rq"
    lines = path.read_text(encoding="utf-8").split("\n")
    at = next(i for i, l in enumerate(lines) if l.startswith("SELECT"))
    lines[at] = "SELEC" + lines[at][len("SELECT"):]
    path.write_text("\n".join(lines), encoding="utf-8")
    result = run("query", "therapies-by-target")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"queries/therapies-by-target.rq:{at + 1}:1: ERROR: cannot read the query from here: `SELEC ")


def test_tables_fit_the_terminals_width_on_a_terminal(built):
    import os
    import pty
    import sys
    from pathlib import Path

    leader, follower = pty.openpty()
    env = {**os.environ, "COLUMNS": "60", "KG_PROJECT": str(built.root)}
    env.pop("KG_ENDPOINT", None)
    done = subprocess.run([str(Path(sys.executable).parent / "kg"), "query", "therapies-by-target", "-p", "target=CD19"],
                          stdout=follower, stderr=subprocess.PIPE, env=env, timeout=120)
    os.close(follower)
    out = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    os.close(leader)
    assert done.returncode == 0, done.stderr
    lines = out.decode("utf-8").replace("\r\n", "\n").splitlines()
    assert len(lines) > 5 and max(len(line) for line in lines) <= 60 and any("…" in line for line in lines)


def test_a_prefix_of_the_seed_tables_only_is_undeclared_in_a_query(built, run):
    # seeds/prefixes.tsv declares biolink: for the seed tables; queries get the SPARQL prefixes only, so the
    # syntax check must not accept what the engine would then refuse.
    result = run("sparql", "-", input="SELECT ?x WHERE { ?x a biolink:Gene }")
    assert result.exit_code == 1
    assert result.stderr.startswith("<stdin>:1:24: ERROR: undeclared prefix `biolink:`; declared: cart, ")
