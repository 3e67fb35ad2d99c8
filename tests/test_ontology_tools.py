"""kg new (scaffolding), kg ontology, kg docs, deprecation warnings and the ontology's version and docs."""

from __future__ import annotations

import csv
import html
import os
import re
from pathlib import Path

import pytest
import rdflib

from kg import scaffold

ROOT = Path(__file__).resolve().parent.parent
CART = "https://w3id.org/cartkg/ontology#"
OWL = rdflib.OWL


def core_graph() -> rdflib.Graph:
    """ontology/cart.ttl read with rdflib, independently of the project's own loader."""
    return rdflib.Graph().parse(ROOT / "ontology" / "cart.ttl", format="turtle")


def core_terms(kind) -> list[str]:
    return sorted(str(s) for s in core_graph().subjects(rdflib.RDF.type, kind) if str(s).startswith(CART))


def line_of(path: Path, start: str) -> int:
    """The line number where a Turtle statement starts (found by reading the file, not by the loader)."""
    for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1):
        if line.startswith(start):
            return number
    raise AssertionError(f"{start!r} not in {path}")


def extension(project, name: str, text: str) -> Path:
    """Write a Turtle file into the copy's ontology/extensions/ (a fresh clone may not have the folder)."""
    project.extensions.mkdir(parents=True, exist_ok=True)
    path = project.extensions / name
    path.write_text(text, encoding="utf-8")
    return path


def tree(project) -> dict[str, bytes]:
    """Every file of the project's ontology folder with its bytes."""
    return {str(p.relative_to(project.root)): p.read_bytes() for p in sorted(project.ontology.rglob("*")) if p.is_file()}


# ---------------------------------------------------------------- naming


@pytest.mark.parametrize("name, expected", [
    ("manufacturer", "Manufacturer"), ("regulatory decision", "RegulatoryDecision"),
    ("regulatory_decision", "RegulatoryDecision"), ("RegulatoryDecision", "RegulatoryDecision"),
    ("HGNC gene", "HGNCGene"),
])
def test_upper_camel(name, expected):
    assert scaffold.upper_camel(name) == expected


@pytest.mark.parametrize("name, expected", [
    ("manufactured_by", "manufacturedBy"), ("Manufactured by", "manufacturedBy"),
    ("ManufacturedBy", "manufacturedBy"), ("manufacturing-platform", "manufacturingPlatform"),
])
def test_lower_camel(name, expected):
    assert scaffold.lower_camel(name) == expected


@pytest.mark.parametrize("name, is_class, label", [
    ("RegulatoryDecision", True, "Regulatory decision"), ("manufacturedBy", False, "manufactured by"),
    ("Manufacturer", True, "Manufacturer"), ("hgncId", False, "hgnc id"), ("NCTRecord", True, "NCT record"),
])
def test_label_from_name(name, is_class, label):
    assert scaffold.label_of(name, is_class) == label


# ---------------------------------------------------------------- kg new: refusals write nothing


@pytest.mark.parametrize("args, message", [
    (["new", "class", "manufacturer"],
     "error: class names are UpperCamelCase (like cart:RegulatoryDecision): use Manufacturer"),
    (["new", "class", "Cell_Line"], "error: class names are UpperCamelCase (like cart:RegulatoryDecision): use CellLine"),
    (["new", "property", "Manufactured_By", "--domain", "cart:Therapy", "--range", "cart:Company"],
     "error: property names are lowerCamelCase (like cart:developedBy): use manufacturedBy"),
    (["new", "class", "Manufacturer", "--parent", "cart:Compny"],
     "error: parent cart:Compny is not a class of the ontology; did you mean cart:Company?"),
    (["new", "property", "manufacturedBy", "--domain", "cart:Therapy", "--range", "xsd:gYear"],
     "error: range xsd:gYear: use one of the datatypes the seed loader checks: xsd:string, xsd:date, "
     "xsd:dateTime, xsd:integer, xsd:nonNegativeInteger, xsd:positiveInteger, xsd:decimal, xsd:double, "
     "xsd:boolean, xsd:anyURI"),
    (["new", "class", "Herstellerä"], "error: class names are UpperCamelCase ASCII letters and digits (like "
     "cart:RegulatoryDecision), so that every SPARQL and Turtle tool reads them unescaped"),
    (["new", "class", "schema:Manufacturer"], "error: new terms are cart: terms; name it cart:Manufacturer or just Manufacturer"),
    (["new", "class", "Manufacturer", "--file", "seeds/manufacturer.ttl"],
     "error: seeds/manufacturer.ttl: the file must be a .ttl file inside ontology/ (every .ttl there is loaded by `kg build`)"),
    (["new", "class", "Manufacturer", "--file", "ontology/extensions/manufacturer.txt"],
     "error: ontology/extensions/manufacturer.txt: the file must be a .ttl file inside ontology/ "
     "(every .ttl there is loaded by `kg build`)"),
])
def test_new_refuses_bad_names_and_places_and_writes_nothing(project, run, args, message):
    before = tree(project)
    result = run(*args)
    assert result.exit_code == 2
    assert result.stderr.strip() == message
    assert tree(project) == before


@pytest.mark.parametrize("name, kind", [("Company", "class"), ("targets", "property"), ("Approval", "class")])
def test_new_refuses_a_name_that_exists_and_says_where(project, run, name, kind):
    before = tree(project)
    args = ["new", kind, name] + (["--domain", "cart:Therapy", "--range", "cart:Target"] if kind == "property" else [])
    result = run(*args)
    line = line_of(project.ontology / "cart.ttl", f"cart:{name} a ")
    assert result.exit_code == 2
    assert result.stderr.strip() == (f"error: cart:{name} already exists (ontology/cart.ttl:{line}); "
                                     "names are never reused or renamed: pick a new name")
    assert tree(project) == before


def test_new_refuses_a_deprecated_name_and_says_so(project, run):
    extension(project, "legacy.ttl", LEGACY)
    result = run("new", "class", "OldCompany")
    assert result.exit_code == 2
    assert result.stderr.strip() == ("error: cart:OldCompany already exists (ontology/extensions/legacy.ttl:8) and is "
                                     "deprecated in favour of cart:Company; names are never reused or renamed: pick a new name")


def test_new_class_dry_run_prints_turtle_and_writes_nothing(project, run):
    before = tree(project)
    result = run("new", "class", "CellLine", "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert tree(project) == before
    text = f"@prefix cart: <{CART}> .\n@prefix shape: <https://w3id.org/cartkg/shapes#> .\n"
    text += "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
    text += "@prefix sh: <http://www.w3.org/ns/shacl#> .\n" + result.stdout
    graph = rdflib.Graph().parse(data=text, format="turtle")
    cls = rdflib.URIRef(CART + "CellLine")
    assert (cls, rdflib.RDF.type, OWL.Class) in graph
    assert str(graph.value(cls, rdflib.RDFS.label)) == "Cell line"
    assert str(graph.value(cls, rdflib.RDFS.comment)) == "A cell line."


def test_new_class_and_properties_write_valid_turtle_with_label_comment_and_shape(project, run):
    result = run("new", "class", "CellLine", "--parent", "cart:Target", "--comment", 'A "cell" line\\with quotes.')
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0] == ("wrote ontology/extensions/cell-line.ttl: class cart:CellLine "
                                             "(subclass of cart:Target), shape shape:CellLineShape")
    assert "  id:example-cell-line\ta\tcart:CellLine\tsrc:your-source\t\tverified" in result.stdout.splitlines()
    result = run("new", "property", "derivedFromPatient", "--domain", "cart:CellLine", "--range", "xsd:boolean",
                 "--file", "ontology/extensions/cell-line.ttl")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0] == ("added to ontology/extensions/cell-line.ttl: datatype property "
                                             "cart:derivedFromPatient (cart:CellLine -> xsd:boolean), "
                                             "shape shape:derivedFromPatientShape")
    assert "  id:example-cell-line\tcart:derivedFromPatient\ttrue\tsrc:your-source\t\tverified" in result.stdout.splitlines()
    path = project.extensions / "cell-line.ttl"
    graph = rdflib.Graph().parse(path, format="turtle")
    cls, prop = rdflib.URIRef(CART + "CellLine"), rdflib.URIRef(CART + "derivedFromPatient")
    assert str(graph.value(cls, rdflib.RDFS.comment)) == 'A "cell" line\\with quotes.'
    assert graph.value(cls, rdflib.RDFS.subClassOf) == rdflib.URIRef(CART + "Target")
    assert (prop, rdflib.RDF.type, OWL.DatatypeProperty) in graph
    assert graph.value(prop, rdflib.RDFS.domain) == cls
    assert graph.value(prop, rdflib.RDFS.range) == rdflib.XSD.boolean
    assert str(graph.value(prop, rdflib.RDFS.label)) == "derived from patient"
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    shape = rdflib.URIRef("https://w3id.org/cartkg/shapes#derivedFromPatientShape")
    assert graph.value(shape, sh.targetSubjectsOf) == prop
    assert graph.value(shape, sh["class"]) == cls
    # rdfs:label is already required of every Target, so the new class's shape does not repeat it
    class_shape = rdflib.URIRef("https://w3id.org/cartkg/shapes#CellLineShape")
    assert graph.value(class_shape, sh.targetClass) == cls
    assert graph.value(class_shape, sh.property) is None
    assert "# rdfs:label is already required by shape:TargetShape (a CellLine is a Target)." in path.read_text()
    # and the whole ontology, extension included, still loads and knows the new terms
    result = run("ontology")
    assert result.exit_code == 0, result.stderr
    assert ("    Cell line (cart:CellLine) — A \"cell\" line\\with quotes.  [ontology/extensions/cell-line.ttl:13]"
            in result.stdout.splitlines())


def test_new_property_appends_missing_prefixes_to_a_file_of_the_user(project, run):
    path = extension(project, "mine.ttl",
                     "@prefix ex: <https://example.org/> .\n\nex:note <http://www.w3.org/2000/01/rdf-schema#label> \"mine\" .\n")
    result = run("new", "property", "trialSite", "--domain", "cart:Trial", "--range", "schema:Place", "--file", "ontology/extensions/mine.ttl")
    assert result.exit_code == 0, result.stderr
    text = path.read_text(encoding="utf-8")
    assert text.startswith("@prefix ex: <https://example.org/> .\n\nex:note")
    assert "@prefix schema: <http://schema.org/> .\n" in text
    graph = rdflib.Graph().parse(data=text, format="turtle")
    prop = rdflib.URIRef(CART + "trialSite")
    assert graph.value(prop, rdflib.RDFS.range) == rdflib.URIRef("http://schema.org/Place")
    # a class outside the ontology cannot be checked by sh:class (nothing is typed with it): the value must be an IRI
    assert "sh:nodeKind sh:IRI" in text


def test_new_property_required_makes_the_shape_require_it(project, run):
    result = run("new", "property", "geneFamily", "--domain", "cart:Target", "--range", "xsd:string", "--required")
    assert result.exit_code == 0, result.stderr
    graph = rdflib.Graph().parse(project.extensions / "gene-family.ttl", format="turtle")
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    shape = rdflib.URIRef("https://w3id.org/cartkg/shapes#geneFamilyShape")
    assert graph.value(shape, sh.targetClass) == rdflib.URIRef(CART + "Target")
    mins = [graph.value(p, sh.minCount) for p in graph.objects(shape, sh.property)]
    assert [int(m) for m in mins if m is not None] == [1]


# ---------------------------------------------------------------- kg ontology


def test_kg_ontology_lists_every_class_and_property_with_labels_domains_and_ranges(project, run):
    result = run("ontology")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    version = str(core_graph().value(rdflib.URIRef("https://w3id.org/cartkg/ontology"), OWL.versionInfo))
    assert out.splitlines()[0].startswith(f"cartkg ontology {version} <https://w3id.org/cartkg/ontology> from ontology/cart.ttl")
    for iri in core_terms(OWL.Class) + core_terms(OWL.ObjectProperty) + core_terms(OWL.DatatypeProperty):
        assert f"(cart:{iri[len(CART):]})" in out, iri
    lines = out.splitlines()
    # hand-checked against ontology/cart.ttl
    assert "  Therapy (cart:Therapy) — A CAR T-cell therapy product or program, approved or investigational." in lines
    assert ("  targets (cart:targets): cart:Therapy -> cart:Target — The antigen a therapy's CAR binds." in lines)
    assert ("  decision date (cart:decisionDate): cart:RegulatoryDecision -> xsd:date — "
            "Date of the decision or of its announcement.") in lines
    assert "  start date (cart:startDate): any -> xsd:date — Date a trial started or an event began." in lines
    # subclasses are indented under their superclass
    disease = next(i for i, l in enumerate(lines) if l.startswith("  Disease (cart:Disease)"))
    assert lines[disease + 1].startswith("    Autoimmune disease (cart:AutoimmuneDisease) — ")
    assert lines[disease + 2].startswith("    Cancer (cart:Cancer) — ")
    assert lines.index("Object properties") < lines.index("Datatype properties")


# ---------------------------------------------------------------- deprecation

LEGACY = """@prefix cart: <https://w3id.org/cartkg/ontology#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .

# A class and a property kept for old data, each pointing at what replaces it.

cart:OldCompany a owl:Class ;
    rdfs:label "Old company" ;
    rdfs:comment "Formerly used for companies." ;
    owl:deprecated true ;
    dcterms:isReplacedBy cart:Company .

cart:makes a owl:ObjectProperty ;
    rdfs:label "makes" ;
    rdfs:comment "Formerly used for a company's therapies." ;
    rdfs:domain cart:Company ;
    owl:deprecated true ;
    dcterms:isReplacedBy cart:developedBy .
"""
HEADER = "subject\tpredicate\tobject\tsource\tquote\tstatus\tnote\n"


def test_deprecated_terms_keep_old_data_loadable_with_a_warning_at_each_row(project, run):
    extension(project, "legacy.ttl", LEGACY)
    src = "src:test-legacy"
    rows = [f"{src}\ta\tcart:WebPage\t{src}\t\tverified", f"{src}\tcart:title\tLegacy data\t{src}\t\tverified",
            f"id:t-old-co\ta\tcart:OldCompany\t{src}\t\tverified", f"id:t-old-co\trdfs:label\tOld Co\t{src}\t\tverified",
            f"id:t-old-co\tcart:makes\tid:rese-cel\t{src}\t\tverified"]
    (project.seeds / "test-legacy.tsv").write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    result = run("build", "--verbose")
    assert result.exit_code == 0, result.stderr
    out = result.stdout.splitlines()
    assert ("  seeds/test-legacy.tsv:4: WARN: class cart:OldCompany is deprecated; use cart:Company (deprecated-term)"
            in out)
    assert ("  seeds/test-legacy.tsv:6: WARN: property cart:makes is deprecated; use cart:developedBy (deprecated-term)"
            in out)
    query = "SELECT ?x WHERE { ?x a cart:OldCompany ; cart:makes id:rese-cel }"
    result = run("sparql", "--format", "csv", "-", input=query)
    assert result.stdout.splitlines() == ["x", "https://w3id.org/cartkg/id/t-old-co"]
    result = run("ontology")
    assert "Old company (cart:OldCompany) — Formerly used for companies.  [ontology/extensions/legacy.ttl:8]  DEPRECATED, use cart:Company" in result.stdout


def test_deprecated_terms_in_turtle_seed_files_are_warned_about_at_their_statement(project, run):
    extension(project, "legacy.ttl", LEGACY)
    (project.seeds / "test-legacy.ttl").write_text("""@prefix cart: <https://w3id.org/cartkg/ontology#> .
@prefix id: <https://w3id.org/cartkg/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

id:t-old-co a cart:OldCompany ;
    rdfs:label "Old Co" ;
    cart:makes id:rese-cel .
""", encoding="utf-8")
    result = run("check")
    assert result.exit_code == 0, result.stdout + result.stderr
    found = sorted(line for line in result.stdout.splitlines() if "(deprecated-term)" in line)
    assert found == [
        "seeds/test-legacy.ttl:5: WARN: cart:OldCompany is deprecated; use cart:Company "
        "(id:t-old-co rdf:type cart:OldCompany) (deprecated-term)",
        "seeds/test-legacy.ttl:5: WARN: cart:makes is deprecated; use cart:developedBy "
        "(id:t-old-co cart:makes id:rese-cel) (deprecated-term)"]


def test_deprecating_a_core_term_warns_at_every_row_of_real_data_that_uses_it(project, run):
    """Deprecate cart:codeName (as a release would) and build the real seeds: one warning per row using it."""
    with (project.ontology / "cart.ttl").open("a", encoding="utf-8") as handle:
        handle.write("\ncart:codeName owl:deprecated true ; dcterms:isReplacedBy skos:altLabel .\n")
    expected = []
    for path in sorted(project.seeds.glob("*.tsv")):
        if path.name == "prefixes.tsv":
            continue
        with path.open(encoding="utf-8", newline="") as handle:
            for number, row in enumerate(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE), start=2):
                if row["predicate"] in ("cart:codeName", "not cart:codeName"):
                    expected.append(f"  seeds/{path.name}:{number}: WARN: property cart:codeName is deprecated; "
                                    "use skos:altLabel (deprecated-term)")
    assert expected, "the curated seeds use cart:codeName"
    result = run("build", "--no-shacl", "--verbose")
    assert result.exit_code == 0, result.stderr
    found = [line for line in result.stdout.splitlines() if line.endswith("(deprecated-term)")]
    assert found == expected


# ---------------------------------------------------------------- versioning and the ontology's own docs


def test_version_info_matches_the_newest_changelog_entry():
    graph = core_graph()
    onto = rdflib.URIRef("https://w3id.org/cartkg/ontology")
    version = str(graph.value(onto, OWL.versionInfo))
    changelog = (ROOT / "ontology" / "CHANGELOG.md").read_text(encoding="utf-8")
    newest = re.search(r"^## (\d+\.\d+\.\d+) — \d{4}-\d{2}-\d{2}$", changelog, re.M)
    assert newest and newest.group(1) == version
    assert str(graph.value(onto, OWL.versionIRI)) == f"https://w3id.org/cartkg/ontology/{version}"


def test_ontology_readme_names_every_term_of_cart_ttl():
    readme = (ROOT / "ontology" / "README.md").read_text(encoding="utf-8")
    terms = core_terms(OWL.Class) + core_terms(OWL.ObjectProperty) + core_terms(OWL.DatatypeProperty)
    missing = [t for t in terms if f"cart:{t[len(CART):]}`" not in readme]
    assert missing == []


# ---------------------------------------------------------------- kg docs


def test_docs_without_a_build_list_every_term_and_escape_what_they_show(project, run, tmp_path):
    extension(project, "probe.ttl", """@prefix cart: <https://w3id.org/cartkg/ontology#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
cart:Probe a owl:Class ; rdfs:label "<script>alert(1)</script>" ; rdfs:comment "<img src=x onerror=alert(2)> & more" .
""")
    out = tmp_path / "docs"
    umask = os.umask(0o022)
    try:
        result = run("docs", "-o", str(out))
    finally:
        os.umask(umask)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.rstrip().endswith("no built graph: run `kg build` for instance counts and examples")
    page = (out / "index.html").read_text(encoding="utf-8")
    assert (out / "index.html").stat().st_mode & 0o777 == 0o644  # readable by others, as a web page is
    assert "<script>" not in page and "<img" not in page
    assert html.escape("<script>alert(1)</script>") in page
    assert html.escape("<img src=x onerror=alert(2)> & more") in page
    for iri in core_terms(OWL.Class) + core_terms(OWL.ObjectProperty) + core_terms(OWL.DatatypeProperty):
        assert f'id="cart-{iri[len(CART):]}"' in page, iri
    assert 'id="shape-TherapyShape"' in page
    assert "run <code>kg build</code>" in page


def seed_rows():
    """Every row of the curated seed tables, read with csv (not with the project's loader)."""
    for path in sorted((ROOT / "seeds").glob("*.tsv")):
        if path.name == "prefixes.tsv":
            continue
        with path.open(encoding="utf-8", newline="") as handle:
            yield from csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)


def test_docs_of_the_built_graph_count_instances_and_show_an_example(built, run, tmp_path, monkeypatch):
    monkeypatch.setenv("KG_PROJECT", str(built.root))
    asserted = [r for r in seed_rows() if r["status"] != "unverified"]
    therapies = {r["subject"] for r in asserted if r["predicate"] == "a" and r["object"] == "cart:Therapy"}
    label = {r["subject"]: r["object"] for r in asserted if r["predicate"] == "rdfs:label"}
    assert therapies
    out = tmp_path / "docs"
    result = run("docs", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.rstrip().endswith("instance counts and examples from the built graph")
    page = (out / "index.html").read_text(encoding="utf-8")
    section = page[page.index('id="cart-Therapy"'):]
    section = section[:section.index("</section>")]
    assert f"<th>instances in the built graph</th><td>{len(therapies)}</td>" in section
    first = min(therapies, key=lambda s: (label.get(s, "\uffff"), s))
    assert f"<p><strong>{html.escape(label[first])}</strong> <code>{first}</code></p>" in section
