"""kg build and kg sparql: strict input, atomic builds, provenance, inference, result formats."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from build_tree import tree_hash

from kg.vocab import CART, GRAPH_INFERRED, ID, RDF_TYPE, RDFS_LABEL, SRC

HEADER = "subject\tpredicate\tobject\tsource\tquote\tstatus\tnote\n"


def messages(result) -> list[str]:
    """stderr without the progress lines of kg build."""
    return [line for line in result.stderr.splitlines() if not line.startswith("[")]


def add_rows(project, name: str, *rows: str) -> Path:
    path = project.seeds / name
    path.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


REF = "src:test-reference"
SOURCE_ROWS = (f"{REF}\ta\tcart:WebPage\t{REF}\t\tverified",
               f"{REF}\tcart:title\tTest reference page\t{REF}\t\tverified")


def test_build_then_sparql_union_and_graph(project, run):
    add_rows(project, "test-sources.tsv", *SOURCE_ROWS)
    add_rows(project, "test-facts.tsv",
             f"id:test-therapy\ta\tcart:Therapy\t{REF}\t\tverified",
             f"id:test-therapy\trdfs:label\tTestcel\t{REF}\t\tverified",
             f"id:test-target\ta\tcart:Target\t{REF}\t\tverified",
             f"id:test-target\trdfs:label\tTEST1\t{REF}\t\tverified",
             f"id:test-therapy\tcart:targets\tid:test-target\t{REF}\t\tverified")
    result = run("build")
    assert result.exit_code == 0, result.stderr
    assert "triples per source graph" in run("build", "--verbose").stdout
    # The row's claim lives in its source's graph; the fact itself once, in the accepted facts.
    query = ("SELECT ?g ?file ?line WHERE { GRAPH ?g { ?c rdf:subject id:test-therapy ; rdf:predicate cart:targets ; "
             "rdf:object id:test-target ; cart:seedFile ?file ; cart:seedLine ?line } }")
    result = run("sparql", "--format", "csv", "-", input=query)
    assert result.exit_code == 0, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows == [["g", "file", "line"],
                    ["https://w3id.org/cartkg/id/source/test-reference", "seeds/test-facts.tsv", "6"]]
    query = "SELECT ?g WHERE { GRAPH ?g { id:test-therapy cart:targets id:test-target } }"
    assert run("sparql", "--format", "csv", "-", input=query).stdout.splitlines()[1:] == [
        "https://w3id.org/cartkg/graph/accepted"]


def test_inferred_triples_live_in_their_own_graph(project, run):
    add_rows(project, "test-sources.tsv", *SOURCE_ROWS)
    add_rows(project, "test-facts.tsv",
             f"id:t-a\ta\tcart:Company\t{REF}\t\tverified",
             f"id:t-a\trdfs:label\tT Alpha\t{REF}\t\tverified",
             f"id:t-b\ta\tcart:Company\t{REF}\t\tverified",
             f"id:t-b\trdfs:label\tT Beta\t{REF}\t\tverified",
             f"id:t-a\tcart:partnerOf\tid:t-b\t{REF}\t\tverified",
             f"id:t-x\ta\tcart:Therapy\t{REF}\t\tverified",
             f"id:t-x\trdfs:label\tT-cel\t{REF}\t\tverified",
             f"id:t-trial\ta\tcart:Trial\t{REF}\t\tverified",
             f"id:t-trial\trdfs:label\tT-TRIAL\t{REF}\t\tverified",
             f"id:t-trial\tcart:evaluates\tid:t-x\t{REF}\t\tverified",
             f"id:t-trial\tcart:studiesCondition\tid:t-d\t{REF}\t\tverified",
             f"id:t-d\ta\tcart:AutoimmuneDisease\t{REF}\t\tverified",
             f"id:t-d\trdfs:label\tT disease\t{REF}\t\tverified")
    assert run("build").exit_code == 0
    query = """SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o }
               VALUES (?s ?p ?o) { (id:t-b cart:partnerOf id:t-a) (id:t-x cart:investigatedFor id:t-d)
                                   (id:t-d rdf:type cart:Disease) (id:t-a cart:partnerOf id:t-b) } } ORDER BY ?s ?p"""
    rows = json.loads(run("sparql", "--format", "json", "-", input=query).stdout)["results"]["bindings"]
    found = {(r["s"]["value"].rsplit("/", 1)[1], r["p"]["value"].rsplit("#", 1)[1], r["g"]["value"].rsplit("/", 1)[1])
             for r in rows}
    # the stated fact is accepted (a source's graph holds its claims, not bare triples); its inverse is inferred
    assert found == {("t-a", "partnerOf", "accepted"), ("t-b", "partnerOf", "inferred"),
                     ("t-x", "investigatedFor", "inferred"), ("t-d", "type", "inferred")}


def test_negated_claim_marks_the_claim_contested_with_both_sources(project, run):
    news = "src:test-news"
    add_rows(project, "test-sources.tsv", *SOURCE_ROWS,
             f"{news}\ta\tcart:NewsArticle\t{news}\t\treported",
             f"{news}\tcart:title\tTest news\t{news}\t\treported")
    add_rows(project, "test-facts.tsv",
             f"id:t-x\ta\tcart:Therapy\t{news}\t\treported",
             f"id:t-x\trdfs:label\tT-cel\t{news}\t\treported",
             f"id:t-co\ta\tcart:Company\t{news}\t\treported",
             f"id:t-co\trdfs:label\tT Co\t{news}\t\treported",
             f"id:t-x\tcart:developedBy\tid:t-co\t{news}\t\treported",
             f"id:t-x\tnot cart:developedBy\tid:t-co\t{REF}\t\tverified")
    assert run("build").exit_code == 0
    query = """SELECT ?claimed ?denied WHERE {
        ?c rdf:subject id:t-x ; rdf:predicate cart:developedBy ; cart:contested true ; cart:statedIn ?claimed ;
           cart:contradictedBy ?d . ?d cart:negated true ; cart:statedIn ?denied }"""
    result = run("sparql", "--format", "csv", "-", input=query)
    assert result.exit_code == 0, result.stderr
    out = result.stdout.splitlines()
    assert out[1] == "https://w3id.org/cartkg/id/source/test-news,https://w3id.org/cartkg/id/source/test-reference"
    # The verified denial outranks the reported claim: the claim is deprecated (contradicted by reference data),
    # so the triple is asserted nowhere, and the denial itself is a claim only.
    ask = "SELECT ?g WHERE { GRAPH ?g { id:t-x cart:developedBy id:t-co } }"
    assert run("sparql", "--format", "csv", "-", input=ask).stdout.splitlines()[1:] == []
    rank = """SELECT ?rank ?reason WHERE { ?c rdf:subject id:t-x ; rdf:predicate cart:developedBy ;
        cart:statedIn src:test-news ; cart:rank ?rank ; cart:deprecationReason ?reason }"""
    assert run("sparql", "--format", "csv", "-", input=rank).stdout.splitlines()[1:] == [
        "https://w3id.org/cartkg/ontology#DeprecatedRank,https://w3id.org/cartkg/ontology#ContradictedByReference"]


def test_build_prints_a_short_summary_and_the_detail_with_verbose(project, run):
    result = run("build")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert 3 <= len(lines) <= 15 and max(len(line) for line in lines) <= 100 + len(str(project.build))
    assert re.match(r"built [\d,]+ triples \([\d,]+ inferred\) in \d+ graphs from \d+ files in [\d.]+s into ", lines[0])
    check = run("check")
    warnings = int(re.search(r"(\d+) warnings?", check.stdout.splitlines()[-1]).group(1))
    assert warnings > 0  # the curated seeds carry contested claims (README: Adding data)
    assert lines[-1].startswith("checks: ") and f"0 errors, {warnings} warnings" in lines[-1]
    assert "`kg check` lists them" in lines[-1]
    assert any(line.startswith("entities per class: ") and " Therapy" in result.stdout for line in lines)
    assert result.stderr == ""  # not a terminal: no progress line
    verbose = run("build", "--verbose")
    assert "triples per source graph:" in verbose.stdout and "instances per class:" in verbose.stdout
    assert len([line for line in verbose.stdout.splitlines() if ": WARN: " in line]) == warnings
    assert re.search(r"^\[ *[\d.]+s\] reading seeds$", verbose.stderr, re.M)


BAD_INPUT = [
    ("bad-syntax", "ontology/extensions/broken.ttl",
     "@prefix cart: <https://w3id.org/cartkg/ontology#> .\ncart:X a cart:Y ;\n  cart:z \"unterminated .\n",
     "ontology/extensions/broken.ttl:3:"),
    ("unknown-class", "seeds/test-facts.tsv", f"id:t-x\ta\tcart:Theraphy\t{REF}\t\tverified",
     "seeds/test-facts.tsv:2: ERROR: unknown class cart:Theraphy; did you mean cart:Therapy?"),
    ("unknown-property", "seeds/test-facts.tsv", f"id:t-x\tcart:target\tid:t-x\t{REF}\t\tverified",
     "seeds/test-facts.tsv:2: ERROR: unknown property cart:target; did you mean cart:targets?"),
    ("wrong-datatype", "seeds/test-facts.tsv", f"id:t-dec\tcart:decisionDate\t2017-13-45\t{REF}\t\tverified",
     "seeds/test-facts.tsv:2: ERROR: wrong datatype for cart:decisionDate: '2017-13-45' is not a valid xsd:date"),
    ("missing-source", "seeds/test-facts.tsv", "id:t-x\trdfs:label\tNo source\t\t\tverified",
     "seeds/test-facts.tsv:2: ERROR: fact has no source"),
    ("undeclared-source", "seeds/test-facts.tsv", "id:t-x\trdfs:label\tX\tsrc:nowhere\t\tverified",
     "seeds/test-facts.tsv:2: ERROR: source src:nowhere is not declared"),
]


@pytest.mark.parametrize("mode", ["in-memory", "low-memory"])
@pytest.mark.parametrize("case,file,content,expected", BAD_INPUT, ids=[c[0] for c in BAD_INPUT])
def test_bad_input_is_one_line_at_file_and_line_and_keeps_previous_build(project, run, case, file, content, expected,
                                                                         mode):
    # on disk the seed folder is read in a child process (kg.seeds.apart), which hands its problems back
    add_rows(project, "test-sources.tsv", *SOURCE_ROWS)
    assert run("build").exit_code == 0
    before = tree_hash(project.build)
    target = project.root / file
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(content if file.endswith(".ttl") else HEADER + content + "\n", encoding="utf-8")
    result = run("build", f"--{mode}")
    assert result.exit_code == 1
    assert "Traceback" not in result.stderr
    assert messages(result)[0].startswith(expected), result.stderr
    assert len(messages(result)) == 2  # the problem, and "1 error; nothing was written"
    assert tree_hash(project.build) == before


def test_quote_not_found_in_archived_text(project, run):
    news = "src:test-news"
    add_rows(project, "test-sources.tsv",
             f"{news}\ta\tcart:NewsArticle\t{news}\t\treported",
             f"{news}\tcart:archivedText\tseeds/texts/000_6a53bef826e0de7a.txt\t{news}\t\treported")
    add_rows(project, "test-facts.tsv",
             f"id:t-x\ta\tcart:Therapy\t{news}\tBristol Myers Squibb and Cabaletta Bio\treported",
             f"id:t-x\trdfs:label\tT\t{news}\tNovartis reported\treported",
             f"id:t-x\tcart:construct\tT\t{news}\t\treported")
    result = run("build")
    assert result.exit_code == 1
    lines = messages(result)
    assert lines[0].startswith("seeds/test-facts.tsv:3: ERROR: quote not found verbatim in seeds/texts/000_")
    assert lines[1].startswith("seeds/test-facts.tsv:4: ERROR: a fact from src:test-news needs its supporting quote")


def test_dangling_reference_is_an_error(project, run):
    add_rows(project, "test-sources.tsv", *SOURCE_ROWS)
    add_rows(project, "test-facts.tsv",
             f"id:t-x\ta\tcart:Therapy\t{REF}\t\tverified",
             f"id:t-x\trdfs:label\tT-cel\t{REF}\t\tverified",
             f"id:t-x\tcart:targets\tid:nowhere\t{REF}\t\tverified")
    result = run("build")
    assert result.exit_code == 1
    assert any(l.startswith("seeds/test-facts.tsv:4: ERROR:") and "id:nowhere" in l for l in messages(result)), result.stderr


@pytest.mark.parametrize("query,word", [
    ("INSERT DATA { <http://a> <http://b> <http://c> }", "INSERT"),
    ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", "SERVICE"),
    ("DROP ALL", "DROP"),
])
def test_sparql_refuses_updates_and_service(built, run, query, word):
    result = run("sparql", "-", input=query)
    assert result.exit_code == 2
    assert word in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_sparql_keywords_inside_strings_are_not_refused(built, run):
    result = run("sparql", "--format", "csv", "-", input='SELECT ("INSERT SERVICE" AS ?x) WHERE {}')
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == ["x", "INSERT SERVICE"]


def test_sparql_formats_match_the_w3c_serialisers(built):
    """Our JSON/CSV/TSV writers agree with Oxigraph's own W3C serialisers on the real graph."""
    import pyoxigraph as ox

    from kg.engine import LocalEngine
    from kg.render import to_csv, to_json, to_tsv
    from kg.store import select

    engine = LocalEngine(built)
    query = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o LIMIT 400"
    result = engine.select(query)
    assert result.rows
    expected_json = json.loads(select(engine.store, query).serialize(format=ox.QueryResultsFormat.JSON))
    assert json.loads(to_json(result)) == expected_json
    assert to_csv(result).encode() == select(engine.store, query).serialize(format=ox.QueryResultsFormat.CSV)
    assert to_tsv(result).encode() == select(engine.store, query).serialize(format=ox.QueryResultsFormat.TSV)


def test_sparql_without_a_build_says_how_to_build(project, run):
    result = run("sparql", "-", input="SELECT * WHERE { ?s ?p ?o } LIMIT 1")
    assert result.exit_code == 2
    assert result.stderr.strip() == "error: no graph built yet in build/: run `kg build` first"


# --- the on-disk store is what the build made in memory ------------------------------------------------

LABEL = f"<{RDFS_LABEL}>"
TYPE = f"<{RDF_TYPE}>"
NT_DIRECT = (
    # no blank node: bulk-loaded into the disk store straight from the file
    f"<{ID}t-nt-co> {TYPE} <{CART}Company> .\n"
    # a literal with an escaped line break after " .": a dump's line ends must not be confused with it
    f"<{ID}t-nt-co> {LABEL} \"NT Company .\\n second line .\" .\n"
)
NT_BLANK = (
    # a blank node: goes through the in-memory store, where its inferred types name it too
    f"_:co {TYPE} <{CART}Company> .\n"
    f"_:co {LABEL} \"Blank Company\" .\n"
)


def quads_apart(store):
    """(quads without blank nodes as text, rdflib graph of the rest with the graph name folded into the predicate)."""
    import urllib.parse

    import pyoxigraph as ox
    import rdflib

    def term(t):
        if isinstance(t, ox.BlankNode):
            return rdflib.BNode(t.value)
        if isinstance(t, ox.NamedNode):
            return rdflib.URIRef(t.value)
        return rdflib.Literal(t.value, lang=t.language, datatype=None if t.language else rdflib.URIRef(t.datatype.value))

    plain, blank = set(), rdflib.Graph()
    for q in store:
        if any(isinstance(t, ox.BlankNode) for t in (q.subject, q.object)):
            folded = "urn:quad:" + urllib.parse.quote(f"{q.predicate.value} {q.graph_name}", safe="")
            blank.add((term(q.subject), rdflib.URIRef(folded), term(q.object)))
        else:
            plain.add(str(q))
    return plain, blank


def test_large_statement_tables_are_built_on_disk_unless_told_otherwise(project, run, monkeypatch):
    from kg import build as build_mod

    monkeypatch.setattr(build_mod, "TABLES_IN_MEMORY", 1_000)  # the project's tables are far larger than 1 kB
    assert "working on the on-disk store" in run("build", "--verbose").stderr
    assert "working in memory" in run("build", "--verbose", "--in-memory").stderr
    monkeypatch.setattr(build_mod, "TABLES_IN_MEMORY", 10**12)
    assert "working in memory" in run("build", "--verbose").stderr
    assert "working on the on-disk store" in run("build", "--verbose", "--low-memory").stderr


@pytest.mark.parametrize("options", [(), ("late",), ("--low-memory",), ("spilled",)],
                         ids=["in-memory", "in-memory-late", "low-memory", "spilled"])
def test_disk_store_holds_exactly_what_the_build_made_in_memory(project, run, options, monkeypatch):
    import pyoxigraph as ox
    from rdflib.compare import isomorphic

    from kg import build as build_mod
    from kg import diskcopy
    from kg.store import open_store, select

    if options == ("spilled",):  # every graph copied to disk by way of a file, as big graphs are
        monkeypatch.setattr(diskcopy, "SPILLED_GRAPH", 0)
        options = ()
    if options == ("late",):  # the claims copied after inference with the rest, as for big tables
        monkeypatch.setattr(build_mod, "EARLY_COPY", 0)
        options = ()

    (project.seeds / "t-direct.nt").write_text(NT_DIRECT, encoding="utf-8")
    (project.seeds / "t-blank.nt").write_text(NT_BLANK, encoding="utf-8")
    result = run("build", *options)
    assert result.exit_code == 0, result.stderr
    memory = ox.Store()
    build_mod.populate(project, memory, build_mod.BuildReport())
    disk = open_store(project)
    plain_memory, blank_memory = quads_apart(memory)
    plain_disk, blank_disk = quads_apart(disk)
    assert len(plain_memory) > 10_000 and len(blank_memory) > 100  # the ontology's restrictions are blank nodes
    assert plain_disk == plain_memory
    assert isomorphic(blank_disk, blank_memory)
    # the blank company of one file and its inferred types are one node in the disk store
    rows = list(select(disk, f"""SELECT ?c WHERE {{
        GRAPH <{SRC}file/t-blank.nt> {{ ?c rdfs:label "Blank Company" }}
        GRAPH <{GRAPH_INFERRED}> {{ ?c a <http://schema.org/Organization> }} }}"""))
    assert len(rows) == 1 and isinstance(rows[0]["c"], ox.BlankNode)
    label = list(select(disk, "SELECT ?l WHERE { id:t-nt-co rdfs:label ?l }"))
    assert [r["l"].value for r in label] == ["NT Company .\n second line ."]


def test_seed_file_changed_while_the_build_reads_it_fails_the_build(project, run, monkeypatch):
    from types import SimpleNamespace

    from kg import diskcopy, seeds

    assert run("build").exit_code == 0
    before = tree_hash(project.build)
    path = project.seeds / "t-direct.nt"
    path.write_text(NT_DIRECT, encoding="utf-8")

    def load_then_edit(store, file, shown, graph):
        seeds.load_ntriples(store, file, shown, graph)
        with file.open("a", encoding="utf-8") as handle:  # someone saves the file meanwhile
            handle.write(f"<{ID}t-nt-co> {LABEL} \"edited\" .\n")

    monkeypatch.setattr(diskcopy, "seeds_mod", SimpleNamespace(load_ntriples=load_then_edit))
    result = run("build")
    assert result.exit_code == 1
    assert messages(result)[0] == ("seeds/t-direct.nt: ERROR: the file changed while the build read it; "
                                  "run kg build again (file-changed)")
    assert "Traceback" not in result.stderr
    assert tree_hash(project.build) == before


def test_ntriples_syntax_error_is_one_line_and_keeps_previous_build(project, run):
    assert run("build").exit_code == 0
    before = tree_hash(project.build)
    (project.seeds / "t-direct.nt").write_text(NT_DIRECT + f"<{ID}t-nt-co> {LABEL} \"unterminated .\n", encoding="utf-8")
    result = run("build")
    assert result.exit_code == 1
    assert messages(result)[0].startswith("seeds/t-direct.nt:3:"), result.stderr
    assert "Traceback" not in result.stderr
    assert tree_hash(project.build) == before


def test_a_spilled_file_keeps_its_blank_nodes_names(tmp_path):
    """The loader renames blank nodes, so kg.spill hands their lines back as parsed quads, names kept."""
    import pyoxigraph as ox

    from kg import spill

    store = ox.Store(str(tmp_path / "store"))
    path = tmp_path / "derived.nt"
    path.write_text("<http://x/a> <http://x/p> <http://x/b> .\n_:shape7 <http://x/p> <http://x/c> .\n", encoding="utf-8")
    graph = ox.NamedNode("http://x/g")
    held = spill.load_triples(store, path, graph)
    assert [str(q) for q in store] == ["<http://x/a> <http://x/p> <http://x/b> <http://x/g>"]
    assert held == [ox.Quad(ox.BlankNode("shape7"), ox.NamedNode("http://x/p"), ox.NamedNode("http://x/c"), graph)]


def test_the_cycle_collector_is_off_while_the_build_works_and_back_on_after(project):
    """The build turns Python's cycle collector off (kg.build._no_cycle_collection) and must turn it back
    on, failed or not: its caller goes on in the same process (`kg diff` builds twice, `kg push` populates a
    store and then sends it)."""
    import gc

    from kg import build as build_mod

    seen = []
    build_mod.build(project, progress=lambda stage: seen.append((stage, gc.isenabled())))
    assert ("reading seeds", False) in seen and ("checking", False) in seen
    assert gc.isenabled()
    seen.clear()  # a build on disk, for graphs near the machine's memory, keeps it on
    build_mod.build(project, progress=lambda stage: seen.append((stage, gc.isenabled())), low_memory=True)
    assert ("reading seeds", True) in seen and ("checking", True) in seen
    add_rows(project, "test-bad.tsv", f"id:x\tcart:noSuchProperty\tid:y\t{REF}\t\tverified")
    with pytest.raises(build_mod.InputError):
        build_mod.build(project)
    assert gc.isenabled()
    gc.disable()  # a caller that had it off finds it off
    try:
        build_mod.build(project, progress=lambda stage: seen.append((stage, gc.isenabled())))
    except build_mod.InputError:
        pass
    finally:
        was = gc.isenabled()
        gc.enable()
    assert not was


# --- the next build patches a copy of the last store ----------------------------------------------------

TTL_BLANK = """@prefix cart: <https://w3id.org/cartkg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
[] a cart:Company ; rdfs:label "Patched Blank Company" .
"""


def assert_disk_is_memory(project) -> None:
    import pyoxigraph as ox
    from rdflib.compare import isomorphic

    from kg import build as build_mod
    from kg.store import open_store

    memory = ox.Store()
    build_mod.populate(project, memory, build_mod.BuildReport())
    plain_memory, blank_memory = quads_apart(memory)
    plain_disk, blank_disk = quads_apart(open_store(project))
    assert len(plain_memory) > 10_000 and len(blank_memory) > 100
    assert plain_disk == plain_memory
    assert isomorphic(blank_disk, blank_memory)


def patched(result) -> tuple[int, int] | None:
    said = re.search(r"^the last store, patched: ([0-9,]+) quads out, ([0-9,]+) in$", result.stdout, re.M)
    return (int(said[1].replace(",", "")), int(said[2].replace(",", ""))) if said else None


def rename_a_label(project) -> tuple[Path, str]:
    """The first label of the first table with one, renamed; the table and its text before."""
    table = next(p for p in sorted(project.seeds.glob("*.tsv")) if "\trdfs:label\t" in p.read_text(encoding="utf-8"))
    text = table.read_text(encoding="utf-8")
    rows = text.splitlines(keepends=True)
    at = next(i for i, row in enumerate(rows) if "\trdfs:label\t" in row)
    cells = rows[at].split("\t")
    cells[2] += " (renamed)"
    rows[at] = "\t".join(cells)
    table.write_text("".join(rows), encoding="utf-8")
    return table, text


def test_a_rebuild_patches_a_copy_of_the_last_store_into_exactly_what_the_build_made(project, run):
    first = run("build")
    assert first.exit_code == 0 and patched(first) is None  # nothing to patch: written anew, and listed
    table, text = rename_a_label(project)
    add_rows(project, "t-patch.tsv", *SOURCE_ROWS, f"id:t-patch-co\ta\tcart:Company\t{REF}\t\tverified",
             f"id:t-patch-co\trdfs:label\tPatch Company\t{REF}\t\tverified")
    (project.seeds / "t-blank.ttl").write_text(TTL_BLANK, encoding="utf-8")

    second = run("build")
    assert second.exit_code == 0, second.stderr
    out, into = patched(second)
    # the renamed label: its claim's object and its accepted triple, out and in; the new table's rows and
    # the Turtle file's blank node (and what inference adds about each): in only
    assert out >= 2 and into > out
    assert_disk_is_memory(project)

    table.write_text(text, encoding="utf-8")
    (project.seeds / "t-patch.tsv").unlink()
    (project.seeds / "t-blank.ttl").unlink()
    third = run("build")
    assert third.exit_code == 0, third.stderr
    assert patched(third) == (into, out)  # all undone
    assert_disk_is_memory(project)
    unchanged = run("build")
    assert patched(unchanged) == (0, 0)
    # one store and its list are kept, the last
    assert sorted(p.suffix for p in project.stores.iterdir()) == ["", ".nq"]
    anew = run("build", "--anew")
    assert anew.exit_code == 0 and patched(anew) is None
    assert_disk_is_memory(project)


def test_a_store_written_anew_is_compacted_if_large_and_a_patched_copy_is_not(project, run, monkeypatch):
    """Compaction is for a store written anew: a copy patched with a few quads keeps the layout RocksDB gave the
    store it copies, whose size on disk doubles once RocksDB has compacted it (no measure of what it would gain)."""
    from kg import diskcopy
    from kg import store as store_mod

    monkeypatch.setattr(store_mod, "COMPACTED_FROM_BYTES", 0)  # every store large enough
    compacted = []
    compact = store_mod.compact_if_large

    def compact_and_tell(store, folder):
        compacted.append(folder.name)
        return compact(store, folder)

    monkeypatch.setattr(store_mod, "compact_if_large", compact_and_tell)
    monkeypatch.setattr(diskcopy, "compact_if_large", compact_and_tell)
    first = run("build")
    assert first.exit_code == 0 and patched(first) is None and compacted
    compacted.clear()
    rename_a_label(project)
    second = run("build")
    assert second.exit_code == 0, second.stderr
    assert patched(second)[0] > 0 and compacted == []
    assert_disk_is_memory(project)
    anew = run("build", "--anew")
    assert anew.exit_code == 0 and patched(anew) is None and compacted


def test_an_unreadable_quads_list_has_the_store_written_anew(project, run):
    from kg.store import live_store, quads_list

    assert run("build").exit_code == 0
    listed = quads_list(live_store(project))
    header = listed.read_bytes().split(b"\n", 1)[0]
    listed.write_bytes(header + b"\n<not a list")  # as if cut short
    result = run("build")
    assert result.exit_code == 0, result.stderr
    assert patched(result) is None
    assert_disk_is_memory(project)
    assert patched(run("build")) == (0, 0)  # listed again


def test_a_build_that_fails_after_patching_its_copy_leaves_the_live_store_as_it_was(project, run, monkeypatch):
    """The copy's files are hard links to the live store's, which RocksDB never rewrites: the patch of the
    copy (run to its end even when the checks fail beside it) changes nothing of the live store."""
    from kg import diskcopy

    assert run("build").exit_code == 0
    before = tree_hash(project.build)
    done = []
    patch = diskcopy.DiskCopy._patch

    def patch_and_tell(self) -> None:
        patch(self)
        done.append(self.changes)

    monkeypatch.setattr(diskcopy.DiskCopy, "_patch", patch_and_tell)
    add_rows(project, "test-sources.tsv", *SOURCE_ROWS)
    add_rows(project, "test-facts.tsv",  # read without error; the checks find the dangling reference
             f"id:t-x\ta\tcart:Therapy\t{REF}\t\tverified",
             f"id:t-x\trdfs:label\tT-cel\t{REF}\t\tverified",
             f"id:t-x\tcart:targets\tid:nowhere\t{REF}\t\tverified")
    result = run("build")
    assert result.exit_code == 1 and "id:nowhere" in result.stderr
    assert len(done) == 1 and done[0][1] > 0  # the copy was patched: the new rows' quads went in
    assert tree_hash(project.build) == before


def test_a_patch_past_its_share_of_the_graph_writes_the_copy_anew(project, run, monkeypatch):
    from kg import diskcopy

    assert run("build").exit_code == 0
    monkeypatch.setattr(diskcopy, "PATCHED_SHARE", 0)  # any change is too many: the copy is emptied, written anew
    rename_a_label(project)  # the old label's quads are in the copy, and must go
    result = run("build")
    assert result.exit_code == 0, result.stderr
    assert patched(result) is None
    assert_disk_is_memory(project)
