"""Hostile and broken input: one line at file and line, exit status != 0, no traceback, nothing written.

Covers the W3C Turtle and N-Triples syntax suites, encodings (not UTF-8, BOM, CRLF, CJK/RTL/emoji),
undeclared prefixes, relative IRIs, RDF/XML and JSON-LD refused unread, the file size limit, unsafe
query files, a build and every query with no network, and property-based tests of the seed loader
and of parameter binding.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from build_tree import tree_hash
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg import seeds
from kg.cli import main
from kg.errors import InputError
from kg.files import read_text
from kg.fmt import canonical
from kg.ontology import parse_turtle
from kg.paths import Paths

ROOT = Path(__file__).resolve().parent.parent
W3C = ROOT / "tests" / "data" / "w3c"
HEADER = "subject\tpredicate\tobject\tsource\tquote\tstatus\tnote\n"
# The W3C harness parses each test with the test's own URL as base; so do the positive tests here.
W3C_BASE = "http://www.w3.org/2013/TurtleTests/"


def manifest(kind: str) -> list[Path]:
    with (W3C / "manifest.tsv").open(encoding="utf-8") as handle:
        return [W3C / row[1] for row in csv.reader(handle, delimiter="\t") if row and row[0] == kind]


TURTLE_NEGATIVE = manifest("turtle-negative")
TURTLE_POSITIVE = manifest("turtle-positive")
NT_NEGATIVE = manifest("ntriples-negative")
NT_POSITIVE = manifest("ntriples-positive")


def problem_lines(result) -> list[str]:
    """What kg build printed on stderr, progress lines dropped."""
    return [line for line in result.stderr.splitlines() if not line.startswith("[")]


def rows(*cells: tuple[str, ...]) -> str:
    return HEADER + "".join("\t".join(c) + "\n" for c in cells)


SOURCES = rows(("src:t-ref", "a", "cart:WebPage", "src:t-ref", "", "verified"),
               ("src:t-ref", "cart:title", "Test reference page", "src:t-ref", "", "verified"))
WORLD = rows(("id:t-cel", "a", "cart:Therapy", "src:t-ref", "", "verified"),
             ("id:t-cel", "rdfs:label", "T-cel", "src:t-ref", "", "verified"),
             ("id:t-cel", "cart:targets", "id:t-cd19", "src:t-ref", "", "verified"),
             ("id:t-cd19", "a", "cart:Target", "src:t-ref", "", "verified"),
             ("id:t-cd19", "rdfs:label", "TCD19", "src:t-ref", "", "verified"),
             ("id:t-cd19", "cart:hgncId", "HGNC:1633", "src:t-ref", "", "verified"))


def small_project(root: Path) -> Paths:
    """A project copy whose seeds are a small valid world (the curated tables make each build slower)."""
    for name in ("ontology", "seeds", "queries"):
        shutil.copytree(ROOT / name, root / name)
    for path in (root / "seeds").iterdir():
        if path.is_file() and path.suffix in (".tsv", ".ttl", ".nt") and path.name != "prefixes.tsv":
            path.unlink()
    (root / "seeds" / "t-sources.tsv").write_text(SOURCES, encoding="utf-8")
    (root / "seeds" / "t-world.tsv").write_text(WORLD, encoding="utf-8")
    return Paths(root)


def invoke(root: Path, *args: str, env: dict | None = None, input: str | None = None):
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False,
                              env={"KG_PROJECT": str(root), "KG_BUILD_DIR": str(root / "build"), **(env or {})})


@pytest.fixture(scope="module")
def small_built(tmp_path_factory):
    """A small project built once; each case drops one file into it, fails, and must leave build/ as it was."""
    root = tmp_path_factory.mktemp("small")
    small_project(root)
    result = invoke(root, "build")
    assert result.exit_code == 0, result.output
    (root / "build" / "graph.html").write_text("<html>the previous page</html>", encoding="utf-8")
    return root, tree_hash(root / "build")


def fails_cleanly(root: Path, before: dict, drop: Path, content: bytes, *args: str, env: dict | None = None):
    """Drop a file in, run kg build (or args), check exit 1, no traceback, build/ unchanged; the problem lines."""
    drop.parent.mkdir(parents=True, exist_ok=True)
    drop.write_bytes(content)
    try:
        result = invoke(root, *(args or ("build",)), env=env)
    finally:
        drop.unlink()
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert tree_hash(root / "build") == before
    return problem_lines(result)


# ---------------------------------------------------------------- the W3C syntax suites


def test_the_w3c_suites_are_complete():
    assert (len(TURTLE_NEGATIVE), len(TURTLE_POSITIVE), len(NT_NEGATIVE), len(NT_POSITIVE)) == (94, 219, 29, 41)
    for path in TURTLE_NEGATIVE + TURTLE_POSITIVE + NT_NEGATIVE + NT_POSITIVE:
        assert path.is_file(), path


def one_problem_at_a_line(lines: list[str], shown: str, content: bytes, language: str) -> None:
    assert len(lines) == 2, lines
    assert lines[1] == "1 error; nothing was written"
    head, _, rest = lines[0].partition(": ERROR: ")
    file, _, line = head.rpartition(":")
    assert file == shown, lines[0]
    assert 1 <= int(line) <= content.rstrip().count(b"\n") + 1, lines[0]
    assert rest.startswith(f"invalid {language}: ") and rest.endswith(" (syntax)"), lines[0]


@pytest.mark.parametrize("path", TURTLE_NEGATIVE, ids=[p.stem for p in TURTLE_NEGATIVE])
def test_w3c_turtle_negative_syntax_fails_kg_build_at_its_line(small_built, path):
    root, before = small_built
    content = path.read_bytes()
    lines = fails_cleanly(root, before, root / "ontology" / "extensions" / "x.ttl", content)
    one_problem_at_a_line(lines, "ontology/extensions/x.ttl", content, "Turtle")


@pytest.mark.parametrize("path", NT_NEGATIVE, ids=[p.stem for p in NT_NEGATIVE])
def test_w3c_ntriples_negative_syntax_fails_kg_build_at_its_line(small_built, path):
    root, before = small_built
    content = path.read_bytes()
    lines = fails_cleanly(root, before, root / "seeds" / "x.nt", content)
    one_problem_at_a_line(lines, "seeds/x.nt", content, "N-Triples")


@pytest.mark.parametrize("path", TURTLE_POSITIVE, ids=[p.stem for p in TURTLE_POSITIVE])
def test_w3c_turtle_positive_syntax_loads(path):
    """Every positive test parses with the loader's parser; relative IRIs only with the base the W3C harness gives."""
    text = read_text(path, path.name)
    try:
        parse_turtle(text, path.name)
    except InputError as exc:
        # never resolved against a local path: without a base, a relative IRI is an error at its line
        assert [p.message for p in exc.problems] == [
            "invalid Turtle: relative IRI: write an absolute IRI (https://...) or a prefixed name; no base IRI is used"]
    quads, _ = parse_turtle(f"@base <{W3C_BASE}{path.name}> .\n" + text, path.name)
    assert all(not q.subject.value.startswith("file:") for q in quads)


@pytest.mark.parametrize("path", NT_POSITIVE, ids=[p.stem for p in NT_POSITIVE])
def test_w3c_ntriples_positive_syntax_loads(path):
    store = ox.Store()
    seeds.load_ntriples(store, path, path.name, ox.NamedNode("https://example.org/g"))
    expected = len(list(ox.parse(path.read_bytes(), format=ox.RdfFormat.N_TRIPLES)))
    assert len(store) == len(set(ox.parse(path.read_bytes(), format=ox.RdfFormat.N_TRIPLES))) <= expected


SAMPLE = TURTLE_POSITIVE[::40]


@pytest.mark.parametrize("path", SAMPLE, ids=[p.stem for p in SAMPLE])
def test_w3c_turtle_positive_sample_builds_through_the_cli(tmp_path, path):
    small_project(tmp_path)
    ext = tmp_path / "ontology" / "extensions" / "x.ttl"
    ext.write_text(f"@base <{W3C_BASE}{path.name}> .\n" + read_text(path, path.name), encoding="utf-8")
    result = invoke(tmp_path, "build", "--no-shacl")
    assert result.exit_code == 0, result.output


# ---------------------------------------------------------------- encodings


LATIN1_ROW = "id:t-cel\trdfs:comment\tcaf\xe9\tsrc:t-ref\t\tverified\n".encode("latin-1")


@pytest.mark.parametrize("where,content,line", [
    ("seeds/t-latin1.tsv", HEADER.encode() + b"id:t-cel\trdfs:comment\tok\tsrc:t-ref\t\tverified\n" + LATIN1_ROW, 3),
    ("ontology/extensions/t-latin1.ttl", b"@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n\n"
                                         b"<https://w3id.org/cartkg/id/t-cel> rdfs:comment \"caf\xe9\" .\n", 3),
    ("seeds/t-latin1.nt", b"<https://w3id.org/cartkg/id/t-cel> <http://www.w3.org/2000/01/rdf-schema#comment> \"ok\" .\n"
                          b"<https://w3id.org/cartkg/id/t-cel> <http://www.w3.org/2000/01/rdf-schema#comment> \"caf\xe9\" .\n", 2),
    ("queries/checks/t-latin1.rq", b"#+ summary: caf\xe9\nSELECT ?entity WHERE { ?entity ?p ?o }\n", 1),
], ids=["tsv", "turtle", "ntriples", "check-file"])
def test_a_file_that_is_not_utf8_is_one_error_at_its_line(small_built, where, content, line):
    root, before = small_built
    lines = fails_cleanly(root, before, root / where, content)
    assert len(lines) == 2 and lines[1] == "1 error; nothing was written", lines
    assert lines[0].startswith(f"{where}:{line}: ERROR: "), lines[0]
    assert "UTF-8" in lines[0]


def test_bom_and_crlf_load_in_every_format(tmp_path):
    small_project(tmp_path)
    bom = b"\xef\xbb\xbf"
    table = rows(("id:t-co", "a", "cart:Company", "src:t-ref", "", "verified"),
                 ("id:t-co", "rdfs:label", "CRLF Co", "src:t-ref", "", "verified"))
    (tmp_path / "seeds" / "t-crlf.tsv").write_bytes(bom + table.replace("\n", "\r\n").encode("utf-8"))
    turtle = ("@prefix cart: <https://w3id.org/cartkg/ontology#> .\n@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
              "<https://w3id.org/cartkg/id/t-ttl-co> a cart:Company ;\n  rdfs:label \"Turtle Co\" .\n")
    (tmp_path / "seeds" / "t-crlf.ttl").write_bytes(bom + turtle.replace("\n", "\r\n").encode("utf-8"))
    ntriples = ("<https://w3id.org/cartkg/id/t-nt-co> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
                "<https://w3id.org/cartkg/ontology#Company> .\n"
                "<https://w3id.org/cartkg/id/t-nt-co> <http://www.w3.org/2000/01/rdf-schema#label> \"NT Co\" .\n")
    (tmp_path / "seeds" / "t-crlf.nt").write_bytes(bom + ntriples.replace("\n", "\r\n").encode("utf-8"))
    extension = ("@prefix cart: <https://w3id.org/cartkg/ontology#> .\n@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
                 "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
                 "cart:TCrlf a owl:Class ; rdfs:label \"CRLF class\" ; rdfs:comment \"test\" ; rdfs:subClassOf cart:Company .\n")
    (tmp_path / "ontology" / "extensions" / "t-crlf.ttl").write_bytes(bom + extension.replace("\n", "\r\n").encode())
    result = invoke(tmp_path, "build")
    assert result.exit_code == 0, result.output
    query = ("SELECT ?s ?label WHERE { ?s rdfs:label ?label FILTER(?s IN (id:t-co, id:t-ttl-co, id:t-nt-co, cart:TCrlf)) } "
             "ORDER BY ?s")
    out = invoke(tmp_path, "sparql", "--format", "json", "-", input=query)
    assert out.exit_code == 0, out.output
    found = {b["s"]["value"].rsplit("/", 1)[-1].rsplit("#", 1)[-1]: b["label"]["value"]
             for b in json.loads(out.stdout)["results"]["bindings"]}
    # no BOM glued to the first subject, no \r left on the last cell
    assert found == {"t-co": "CRLF Co", "t-ttl-co": "Turtle Co", "t-nt-co": "NT Co", "TCrlf": "CRLF class"}


LABELS = {
    "t-cjk": "细胞疗法 CAR-T 療法",
    "t-rtl": "טיפול תאי CAR-T علاج",
    "t-emoji": "🧬 CAR-T 👩‍🔬🚀",
    "t-combining": "Ŝe\u0301",
}


@pytest.fixture(scope="module")
def unicode_built(tmp_path_factory):
    root = tmp_path_factory.mktemp("unicode")
    small_project(root)
    cells = []
    for slug, label in LABELS.items():
        cells += [(f"id:{slug}", "a", "cart:Company", "src:t-ref", "", "verified"),
                  (f"id:{slug}", "rdfs:label", label, "src:t-ref", "", "verified")]
    (root / "seeds" / "t-unicode.tsv").write_text(rows(*cells), encoding="utf-8")
    result = invoke(root, "build")
    assert result.exit_code == 0, result.output
    return root


@pytest.mark.parametrize("fmt", ["table", "tsv", "csv", "json", "md"])
def test_cjk_rtl_and_emoji_labels_are_byte_identical_in_sparql_output(unicode_built, fmt):
    query = "SELECT ?s ?label WHERE { ?s a cart:Company ; rdfs:label ?label } ORDER BY ?s"
    result = invoke(unicode_built, "sparql", "--format", fmt, "-", input=query)
    assert result.exit_code == 0, result.output
    for label in LABELS.values():
        assert label.encode("utf-8") in result.stdout_bytes, (fmt, label)


def test_unicode_label_is_byte_identical_in_kg_query_and_kg_check(unicode_built):
    label = LABELS["t-emoji"]
    result = invoke(unicode_built, "query", "entity", "-p", f"name={label}", "--format", "tsv")
    assert result.exit_code == 0, result.output
    assert label.encode("utf-8") in result.stdout_bytes
    # the same label twice in one class: kg check quotes it back exactly
    twin = unicode_built / "seeds" / "t-twin.tsv"
    twin.write_text(rows(("id:t-twin", "a", "cart:Company", "src:t-ref", "", "verified"),
                         ("id:t-twin", "rdfs:label", label, "src:t-ref", "", "verified")), encoding="utf-8")
    try:
        check = invoke(unicode_built, "check")
    finally:
        twin.unlink()
    assert check.exit_code == 1
    line = next(l for l in check.stdout.splitlines() if "(duplicate-label)" in l)
    assert f'labelled "{label}"'.encode() in line.encode("utf-8")


def test_cjk_rtl_and_emoji_labels_are_byte_identical_in_the_html(unicode_built):
    out = unicode_built / "build" / "t-unicode.html"
    result = invoke(unicode_built, "viz", "-o", str(out))
    assert result.exit_code == 0, result.output
    page = out.read_bytes()
    for label in LABELS.values():
        assert label.encode("utf-8") in page, label


# ---------------------------------------------------------------- prefixes, relative IRIs


@pytest.mark.parametrize("where,content,expected", [
    ("seeds/t-bad.tsv", rows(("id:t-cel", "rdfs:seeAlso", "foo:bar", "src:t-ref", "", "verified")),
     "seeds/t-bad.tsv:2: ERROR: object: prefix 'foo' is not declared in seeds/prefixes.tsv (undeclared-prefix)"),
    ("seeds/t-bad.ttl", "@prefix cart: <https://w3id.org/cartkg/ontology#> .\n\nfoo:x a cart:Company .\n",
     "seeds/t-bad.ttl:3: ERROR: invalid Turtle: "),
    ("ontology/extensions/t-bad.ttl", "@prefix owl: <http://www.w3.org/2002/07/owl#> .\nfoo:X a owl:Class .\n",
     "ontology/extensions/t-bad.ttl:2: ERROR: invalid Turtle: "),
], ids=["tsv", "turtle-seed", "ontology"])
def test_undeclared_prefix_is_one_error_at_its_line(small_built, where, content, expected):
    root, before = small_built
    lines = fails_cleanly(root, before, root / where, content.encode())
    assert len(lines) == 2 and lines[0].startswith(expected), lines
    if where.endswith(".ttl"):
        assert "foo" in lines[0]


@pytest.mark.parametrize("where,content,expected", [
    ("seeds/t-rel.tsv", rows(("id:t-cel", "rdfs:seeAlso", "<etc/passwd>", "src:t-ref", "", "verified")),
     "seeds/t-rel.tsv:2: ERROR: object: <etc/passwd> is not an absolute IRI (syntax)"),
    ("seeds/t-rel.ttl", "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n<etc/passwd> rdfs:label \"x\" .\n",
     "seeds/t-rel.ttl:2: ERROR: invalid Turtle: relative IRI: write an absolute IRI (https://...) or a prefixed name; "
     "no base IRI is used (syntax)"),
    ("ontology/extensions/t-rel.ttl", "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n\n<x> rdfs:label \"x\" .\n",
     "ontology/extensions/t-rel.ttl:3: ERROR: invalid Turtle: relative IRI: "),
    ("seeds/t-rel.nt", "<https://w3id.org/cartkg/id/t-cel> <http://www.w3.org/2000/01/rdf-schema#seeAlso> <../../etc/passwd> .\n",
     "seeds/t-rel.nt:1: ERROR: invalid N-Triples: relative IRI: "),
], ids=["tsv", "turtle-seed", "ontology", "ntriples"])
def test_relative_iri_with_no_base_is_an_error_never_a_local_path(small_built, where, content, expected):
    root, before = small_built
    lines = fails_cleanly(root, before, root / where, content.encode())
    assert len(lines) == 2 and lines[0].startswith(expected), lines
    assert str(root) not in lines[0] and "file:" not in lines[0]


@pytest.mark.parametrize("cell,expected", [
    ("<http://example.org/%zz>", "seeds/t-iri.tsv:2: ERROR: object: <http://example.org/%zz> is not a valid IRI "),
    ("<1http:x>", "seeds/t-iri.tsv:2: ERROR: object: <1http:x> is not a valid IRI "),
    ("id:t-%zz", "seeds/t-iri.tsv:2: ERROR: object: id:t-%zz is not a valid IRI "),
], ids=["percent-encoding", "scheme", "curie"])
def test_an_iri_the_syntax_refuses_is_one_error_at_its_line(small_built, cell, expected):
    # The build loads the text it writes from the seed rows leniently, so the seed reader is what refuses these.
    root, before = small_built
    content = rows(("id:t-cel", "rdfs:seeAlso", cell, "src:t-ref", "", "verified"))
    lines = fails_cleanly(root, before, root / "seeds/t-iri.tsv", content.encode())
    assert len(lines) == 2 and lines[0].startswith(expected) and lines[0].endswith("(syntax)"), lines


# ---------------------------------------------------------------- formats refused unread, size limit


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">
  <rdf:Description rdf:about="https://w3id.org/cartkg/id/t-cel"><rdfs:label>&lol3;</rdfs:label></rdf:Description>
</rdf:RDF>
"""
REMOTE_CONTEXT = b'{"@context": "http://example.org/context.jsonld", "@id": "https://w3id.org/cartkg/id/t-cel", "label": "x"}\n'

AUDITED_BUILD = r"""
import sys
opened = []
def hook(event, args):
    if event == "open" and args and "t-evil" in str(args[0]):
        opened.append(str(args[0]))
    if event.startswith("socket."):
        opened.append(event)
sys.addaudithook(hook)
from click.testing import CliRunner
from kg.cli import main
result = CliRunner().invoke(main, ["build"])
sys.stdout.write(repr((result.exit_code, opened)) + "\n")
sys.stdout.write(result.stderr)
"""


@pytest.mark.parametrize("where,content,fmt", [
    ("seeds/t-evil.rdf", BILLION_LAUGHS, "RDF/XML"),
    ("seeds/t-evil.xml", BILLION_LAUGHS, "RDF/XML"),
    ("ontology/t-evil.owl", BILLION_LAUGHS, "RDF/XML"),
    ("seeds/t-evil.jsonld", REMOTE_CONTEXT, "JSON-LD"),
    ("seeds/t-evil.json", REMOTE_CONTEXT, "JSON-LD"),
], ids=["rdf", "xml", "owl-in-ontology", "jsonld", "json"])
def test_rdfxml_and_jsonld_are_refused_without_being_opened(small_built, where, content, fmt):
    """A Python audit hook in the build's process sees every open(): the refused file is never opened."""
    root, before = small_built
    target = root / where
    target.write_bytes(content)
    try:
        env = {**os.environ, "KG_PROJECT": str(root), "KG_BUILD_DIR": str(root / "build")}
        proc = subprocess.run([sys.executable, "-c", AUDITED_BUILD], capture_output=True, text=True, env=env,
                              timeout=120)
    finally:
        target.unlink()
    head, *stderr = proc.stdout.splitlines()
    assert head == "(1, [])", proc.stdout + proc.stderr
    lines = [l for l in stderr if not l.startswith("[")]
    assert lines == [f"{where}: ERROR: {fmt} is not accepted here (entity expansion and remote contexts are attack "
                     "surfaces); convert it to Turtle or a seed table (format)", "1 error; nothing was written"]
    assert tree_hash(root / "build") == before


def project_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and "build" not in p.relative_to(root).parts]


@pytest.mark.parametrize("where,garbage", [
    ("seeds/t-big.tsv", b"not a header\tat all\n"),
    ("seeds/t-big.ttl", b"@prefix this is not Turtle\n"),
    ("seeds/t-big.nt", b"<not> <N-Triples> either\n"),
    ("ontology/extensions/t-big.ttl", b"@prefix this is not Turtle\n"),
    ("queries/checks/t-big.rq", b"#+ summary: [unclosed\nnot SPARQL\n"),
], ids=["tsv", "turtle-seed", "ntriples", "ontology", "check-file"])
def test_a_file_over_the_size_limit_is_refused_before_parsing(small_built, where, garbage):
    root, before = small_built
    limit = max(p.stat().st_size for p in project_files(root))
    content = garbage * (limit // len(garbage) + 1)
    lines = fails_cleanly(root, before, root / where, content, env={"KG_MAX_FILE_BYTES": str(limit)})
    # the size problem alone: had the parser seen the file, it would be a syntax error instead
    assert lines == [f"{where}: ERROR: file is {len(content)} bytes, over the limit of {limit} "
                     "(set KG_MAX_FILE_BYTES to raise it) (file-size)", "1 error; nothing was written"]


def test_the_size_limit_also_covers_archived_texts(small_built):
    root, before = small_built
    limit = max(p.stat().st_size for p in project_files(root))
    archive = root / "seeds" / "texts" / "t-big.txt"
    archive.write_bytes(b"a news text. " * (limit // 13 + 1))
    table = rows(("src:t-news", "a", "cart:NewsArticle", "src:t-news", "", "reported"),
                 ("src:t-news", "cart:archivedText", "seeds/texts/t-big.txt", "src:t-news", "", "reported"))
    try:
        lines = fails_cleanly(root, before, root / "seeds" / "t-news.tsv", table.encode(),
                              env={"KG_MAX_FILE_BYTES": str(limit)})
    finally:
        archive.unlink()
    assert lines == [f"seeds/texts/t-big.txt: ERROR: file is {archive_size(limit)} bytes, over the limit of {limit} "
                     "(set KG_MAX_FILE_BYTES to raise it) (file-size)", "1 error; nothing was written"]


def archive_size(limit: int) -> int:
    return len(b"a news text. ") * (limit // 13 + 1)


# ---------------------------------------------------------------- unsafe query files


UNSAFE = {
    "SERVICE": ("SELECT ?entity WHERE {\n  SERVICE <http://example.org/sparql> { ?entity ?p ?o }\n} ORDER BY ?entity\n", 4,
                "SERVICE (federated query) is refused"),
    "LOAD": ("SELECT ?entity WHERE { ?entity ?p ?o }\nORDER BY ?entity\n;\nLOAD <http://example.org/data.ttl>\n", 6,
             "LOAD is an update"),
    "FROM": ("SELECT ?entity\nFROM <http://example.org/graph>\nWHERE { ?entity ?p ?o } ORDER BY ?entity\n", 4,
             "FROM <http://example.org/graph> is refused"),
}


@pytest.mark.parametrize("word", UNSAFE)
def test_check_file_with_service_load_or_from_is_refused_when_loaded(small_built, word):
    root, before = small_built
    body, line, words = UNSAFE[word]
    content = f"#+ summary: an unsafe check\n#+ level: error\n{body}".encode()
    lines = fails_cleanly(root, before, root / "queries" / "checks" / "t-unsafe.rq", content)
    assert len(lines) == 2 and lines[0].startswith(f"queries/checks/t-unsafe.rq:{line}: ERROR: {words}"), lines
    assert lines[0].endswith("(unsafe-query)")


@pytest.mark.parametrize("word", UNSAFE)
def test_canned_query_with_service_load_or_from_is_refused_when_loaded(small_built, word):
    root, _ = small_built
    body, line, words = UNSAFE[word]
    target = root / "queries" / "t-unsafe.rq"
    target.write_text(f"#+ summary: an unsafe query\n#+ description: test\n{body}", encoding="utf-8")
    try:
        listed = invoke(root, "queries")
        ran = invoke(root, "query", "t-unsafe")
    finally:
        target.unlink()
    for result in (listed, ran):
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output
        assert f"queries/t-unsafe.rq:{line}: ERROR: {words}" in result.stderr


@pytest.mark.parametrize("word", UNSAFE)
def test_sparql_command_refuses_service_load_and_from(small_built, word):
    root, _ = small_built
    body, line, words = UNSAFE[word]
    result = invoke(root, "sparql", "-", input="\n\n" + body)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: <stdin>:{line}: {words}"), result.stderr


# ---------------------------------------------------------------- no network, ever


NO_NETWORK = r"""
import sys
used = []
def hook(event, args):
    if event in ("socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyaddr",
                 "socket.sendto", "socket.sendmsg", "urllib.Request"):
        used.append((event, repr(args)[:200]))
        raise RuntimeError(f"network use during a build or query: {event}")
sys.addaudithook(hook)

from click.testing import CliRunner
from kg import catalogue
from kg.cli import main
from kg.paths import Paths

runner = CliRunner()
results = {"build": runner.invoke(main, ["build"]).exit_code, "check": runner.invoke(main, ["check"]).exit_code}
SAMPLE = {"string": "x", "integer": "1", "decimal": "1.5", "date": "2020-01-01", "boolean": "true",
          "iri": "id:rese-cel", "entity": "rese-cel"}
for rq in catalogue.load_catalogue(Paths.discover()):
    args = ["query", rq.name]
    for param in rq.params.values():
        if param.required:
            args += ["-p", f"{param.name}={SAMPLE[param.type]}"]
    results[rq.name] = runner.invoke(main, args).exit_code
print(repr((results, used)))
"""


def test_build_check_and_every_canned_query_never_touch_the_network(tmp_path):
    """A Python audit hook fails any socket use; it runs in a subprocess so it cannot leak into other tests."""
    env = {**os.environ, "KG_PROJECT": str(ROOT), "KG_BUILD_DIR": str(tmp_path / "build")}
    proc = subprocess.run([sys.executable, "-c", NO_NETWORK], capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stderr
    import ast

    results, used = ast.literal_eval(proc.stdout.strip().splitlines()[-1])
    assert used == []
    assert results.pop("build") == 0 and results.pop("check") == 0
    names = sorted(p.stem for p in (ROOT / "queries").glob("*.rq"))
    assert sorted(results) == names and len(names) >= 10
    assert {name: code for name, code in results.items() if code != 0} == {}


def test_the_audit_hook_does_catch_a_socket(tmp_path):
    """The guard above can fail: the same hook stops a real connection attempt (to a closed local port)."""
    script = NO_NETWORK.split("from click.testing")[0] + (
        "import socket\ntry:\n    socket.create_connection(('127.0.0.1', 9), timeout=1)\nexcept Exception as exc:\n"
        "    print(type(exc).__name__, used[0][0])\n")
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert proc.stdout.split() == ["RuntimeError", "socket.getaddrinfo"] or \
        proc.stdout.split() == ["RuntimeError", "socket.connect"], proc.stdout + proc.stderr


# ---------------------------------------------------------------- property-based: the seed loader


XSD = "http://www.w3.org/2001/XMLSchema#"
CELL = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\t\n\r"), max_size=30)


@given(st.dates())
def test_literal_accepts_every_iso_date(day):
    lit, why = seeds.literal(day.isoformat(), XSD + "date")
    assert why == "" and lit.value == day.isoformat() and lit.datatype.value == XSD + "date"


@given(st.text(max_size=20))
def test_literal_date_accepts_exactly_the_valid_dates(text):
    import datetime
    import re

    lit, why = seeds.literal(text, XSD + "date")
    try:
        valid = bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", text)) and datetime.date.fromisoformat(text) is not None
    except ValueError:
        valid = False
    assert (lit is not None) == valid
    assert (why == "") == valid
    if not valid:
        assert why == f"{text!r} is not a valid xsd:date"


@given(st.integers())
def test_literal_integer_round_trips(number):
    lit, why = seeds.literal(str(number), XSD + "integer")
    assert why == "" and int(lit.value) == number


@given(st.text(max_size=20))
def test_literal_integer_never_accepts_what_python_cannot_read_as_an_integer(text):
    lit, _ = seeds.literal(text, XSD + "integer")
    if lit is not None:
        assert int(text) == int(lit.value)
        assert text.strip() == text and "_" not in text


@given(st.text(max_size=40))
def test_literal_string_keeps_the_text_exactly(text):
    lit, why = seeds.literal(text, XSD + "string")
    assert why == "" and lit.value == text
    assert seeds.literal(text, None)[0].value == text


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=60)
@given(st.lists(st.lists(CELL, min_size=1, max_size=7), min_size=0, max_size=8))
def test_read_table_returns_each_row_at_its_line_with_trimmed_cells(tmp_path, table):
    lines = [HEADER.rstrip("\n")] + ["\t".join(cells) for cells in table]
    path = tmp_path / "t.tsv"
    path.write_bytes("\n".join(lines).encode("utf-8") + b"\n")
    found, problems = seeds.read_table(path, "seeds/t.tsv")
    assert problems == []
    expected = [(number, cells) for number, cells in enumerate(table, start=2)
                if "\t".join(cells).strip() and not "\t".join(cells).startswith("#")]
    assert [r.line for r in found] == [n for n, _ in expected]
    for row, (_, cells) in zip(found, expected):
        padded = [c.strip() for c in cells] + [""] * (7 - len(cells))
        assert [row.subject, row.predicate, row.object, row.source, row.quote, row.status, row.note] == padded


@given(st.lists(st.lists(CELL, min_size=1, max_size=7), max_size=8), st.sampled_from(["\n", "\r\n"]),
       st.booleans())
def test_canonical_is_idempotent_and_keeps_the_rows(table, newline, bom):
    text = ("\ufeff" if bom else "") + newline.join([HEADER.rstrip("\n")] + ["\t".join(c) for c in table]) + newline
    once = canonical(text)
    assert canonical(once) == once
    assert once.endswith("\n") and "\r\n" not in once and not once.startswith("\ufeff")

    def kept(t: str) -> list[tuple]:
        return sorted(tuple(c.strip() for c in l.split("\t")) for l in t.split("\n")[1:] if l.strip())

    def unpadded(cells: tuple) -> tuple:
        cells = list(cells)
        while len(cells) > 1 and cells[-1] == "":
            cells.pop()
        return tuple(cells)

    assert [unpadded(r) for r in kept(once)] == sorted(unpadded(r) for r in kept(text.lstrip("\ufeff").replace("\r\n", "\n")))


# ---------------------------------------------------------------- property-based: parameter binding


PREFIXES = {"id": "https://w3id.org/cartkg/id/", "cart": "https://w3id.org/cartkg/ontology#"}


def _param(kind: str):
    from kg.sparqltext import Param

    return Param(name="p", type=kind)


@given(st.text(max_size=60))
def test_a_string_parameter_is_bound_as_exactly_that_literal_and_never_parsed(text):
    """Whatever a user types, the query sees one literal equal to it: no SPARQL injection."""
    from kg.params import to_term

    term = to_term(_param("string"), text, PREFIXES)
    assert isinstance(term, ox.Literal) and term.value == text
    store = ox.Store()
    answer = list(store.query("SELECT ?_p ?x WHERE { BIND(STR(?_p) AS ?x) }", substitutions={ox.Variable("_p"): term}))
    assert len(answer) == 1 and answer[0]["x"].value == text


@given(st.text(max_size=30))
def test_an_integer_parameter_is_an_xsd_integer_or_refused(text):
    from kg.params import ParamError, to_term

    try:
        term = to_term(_param("integer"), text, PREFIXES)
    except ParamError:
        return
    assert term.datatype.value == XSD + "integer" and int(term.value) == int(text)


@given(st.text(max_size=40))
def test_an_iri_parameter_never_yields_an_iri_that_could_break_out(text):
    from kg.params import ParamError, to_iri

    try:
        iri = to_iri("p", text, PREFIXES)
    except ParamError:
        return
    assert not any(c in iri.value for c in ' <>"{}|\\^`\n\t')
    # and it is a real IRI: it survives a round trip through the N-Triples parser
    triple = f"<{iri.value}> <https://example.org/p> <https://example.org/o> .\n"
    assert [t.subject for t in ox.parse(triple.encode(), format=ox.RdfFormat.N_TRIPLES)] == [iri]


@given(st.dates(), st.booleans())
def test_date_and_boolean_parameters_are_typed(day, flag):
    from kg.params import to_term

    assert to_term(_param("date"), day.isoformat(), PREFIXES) == ox.Literal(day.isoformat(), datatype=ox.NamedNode(XSD + "date"))
    assert to_term(_param("boolean"), str(flag).lower(), PREFIXES).value == str(flag).lower()
