"""Extending the ontology with no Python change: the Manufacturer walkthrough of ontology/README.md, step by
step on a copy of the project, and a second, different extension (Biomarker)."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "ontology" / "README.md").read_text(encoding="utf-8")
CART = "https://w3id.org/cartkg/ontology#"
ID = "https://w3id.org/cartkg/id/"
HEADER = "subject\tpredicate\tobject\tsource\tquote\tstatus\tnote"

# The reference fact (../shared/reference/car-t-facts.yaml, rese-cel "manufacturing", verified) and the id the
# curators gave its source URL in seeds/sources.tsv.
FACT = ("FDA cleared IND amendment (announced 2026-01-12) letting Cellares manufacture rese-cel on its Cell "
        "Shuttle for clinical use")
URL = ("https://www.pharmamanufacturing.com/automation-control/article/55352250/"
       "cellares-looks-to-advance-automated-cell-therapy-manufacturing")
SOURCE = "src:pharma-manufacturing-cellares-automation"
TITLE = "Cellares looks to advance automated cell therapy manufacturing"  # the page's heading
LABEL = "Pharma Manufacturing: " + TITLE  # the source's name in answers

NEW_CLASS = ('kg new class Manufacturer --parent cart:Company --comment "A company that manufactures cell therapies, '
             'its own or under contract for another company."')
NEW_RELATION = ('kg new property manufacturedBy --domain cart:Therapy --range cart:Manufacturer '
                '--file ontology/extensions/manufacturer.ttl --comment "A manufacturer that makes the therapy, '
                'for clinical or commercial supply."')
NEW_PLATFORM = ('kg new property manufacturingPlatform --domain cart:Manufacturer --range xsd:string --required '
                '--file ontology/extensions/manufacturer.ttl --comment "The manufacturing system a manufacturer '
                'makes cell therapies on, e.g. an automated platform."')
ROWS = [HEADER,
        f"id:cellares\ta\tcart:Manufacturer\t{SOURCE}\t\tverified",
        f"id:rese-cel\tcart:manufacturedBy\tid:cellares\t{SOURCE}\t\tverified\t{FACT}"]
PLATFORM_ROW = f"id:cellares\tcart:manufacturingPlatform\tCell Shuttle\t{SOURCE}\t\tverified"
QUERY = """SELECT ?therapy ?manufacturer ?platform ?source WHERE {
  ?therapy cart:manufacturedBy ?manufacturer .
  ?manufacturer cart:manufacturingPlatform ?platform .
  GRAPH ?source { ?claim rdf:subject ?therapy ; rdf:predicate cart:manufacturedBy ; rdf:object ?manufacturer }
}
"""


def kg(run, command: str, input: str | None = None):
    """Run a command exactly as the README shows it."""
    assert command in README, f"ontology/README.md does not show `{command}`"
    return run(*shlex.split(command)[1:], input=input)


def errors(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if not line.startswith("[")]


def page_data(path: Path) -> dict:
    """The data the graph page's script draws: classes (legend), nodes (class index per node), edges."""
    text = path.read_text(encoding="utf-8")
    found = re.search(r'<script type="application/json" id="graph-data">(.*?)</script>', text, re.S)
    assert found, "kg viz wrote no graph-data element"
    return json.loads(found.group(1))


def own_colour_and_legend(path: Path, class_curie: str, entity_label: str) -> None:
    """The class has a legend entry, a colour no other class on the page has, and the entity is drawn in it."""
    data = page_data(path)
    classes = data["classes"]
    index = [i for i, c in enumerate(classes) if c["curie"] == class_curie]
    assert index, f"no legend entry for {class_curie}: {[c['curie'] for c in classes]}"
    mine = classes[index[0]]
    others = {c["color"] for i, c in enumerate(classes) if i != index[0]}
    assert mine["color"] not in others, f"{class_curie} shares its colour {mine['color']}"
    nodes = [n for n in data["nodes"] if n[1] == entity_label]
    assert nodes and nodes[0][2] == index[0], f"{entity_label} is not drawn as {class_curie}"


def count_line(text: str, label: str) -> int | None:
    """The number on the line `  <n>  <label>` of a per-class count listing."""
    found = re.search(rf"^\s+(\d+)\s+{re.escape(label)}\s*$", text, re.M)
    return int(found.group(1)) if found else None


def test_the_walkthrough_source_is_the_curators_id_for_the_reference_url():
    rows = (ROOT / "seeds" / "sources.tsv").read_text(encoding="utf-8").splitlines()
    assert f"{SOURCE}\tcart:url\t{URL}\t{SOURCE}\t\tverified" in rows
    assert f"{SOURCE}\tcart:title\t{TITLE}\t{SOURCE}\t\tverified" in rows
    assert f"{SOURCE}\trdfs:label\t{LABEL}\t{SOURCE}\t\tverified" in rows


def test_manufacturer_walkthrough(project, run, monkeypatch):
    monkeypatch.chdir(project.root)  # the README runs every command from the project folder

    # 1. scaffold the class and two properties
    result = kg(run, NEW_CLASS)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0] == ("wrote ontology/extensions/manufacturer.ttl: class cart:Manufacturer "
                                             "(subclass of cart:Company), shape shape:ManufacturerShape")
    for command, first in ((NEW_RELATION, "added to ontology/extensions/manufacturer.ttl: object property "
                                          "cart:manufacturedBy (cart:Therapy -> cart:Manufacturer), shape "
                                          "shape:manufacturedByShape"),
                           (NEW_PLATFORM, "added to ontology/extensions/manufacturer.ttl: datatype property "
                                          "cart:manufacturingPlatform (cart:Manufacturer -> xsd:string, required), "
                                          "shape shape:manufacturingPlatformShape")):
        result = kg(run, command)
        assert result.exit_code == 0, result.stderr
        assert result.stdout.splitlines()[0] == first
    assert first in README

    # 2. the ontology now lists them
    result = kg(run, "kg ontology")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    company = next(i for i, line in enumerate(lines) if line.startswith("  Company (cart:Company)"))
    assert lines[company + 1].startswith("    Manufacturer (cart:Manufacturer) — A company that manufactures cell therapies")
    assert ("  manufactured by (cart:manufacturedBy): cart:Therapy -> cart:Manufacturer — A manufacturer that makes "
            "the therapy, for clinical or commercial supply.  [ontology/extensions/manufacturer.ttl:27]") in lines

    # 3. the data, forgetting the required platform: the shape reports it at the row that made Cellares a manufacturer
    table = project.seeds / "reference-manufacturing.tsv"
    for row in ROWS:
        assert row in README
    table.write_text("\n".join(ROWS) + "\n", encoding="utf-8")
    result = kg(run, "kg build")
    assert result.exit_code == 1
    expected = ("seeds/reference-manufacturing.tsv:2: ERROR: id:cellares: a Manufacturer needs its manufacturing "
                "platform: add a cart:manufacturingPlatform row (shacl:MinCountConstraintComponent)")
    assert expected in errors(result)
    assert expected in README
    assert not (project.build / "current").exists()

    # 4. add the row, canonical order, build
    assert PLATFORM_ROW in README
    with table.open("a", encoding="utf-8") as handle:
        handle.write(PLATFORM_ROW + "\n")
    result = kg(run, "kg fmt")
    assert result.stdout == "rewrote: seeds/reference-manufacturing.tsv\n"
    assert table.read_text(encoding="utf-8").splitlines() == [ROWS[0], ROWS[1], PLATFORM_ROW, ROWS[2]]
    result = kg(run, "kg build --verbose")
    assert result.exit_code == 0, result.stderr
    assert "         1  cart:Manufacturer" in result.stdout.splitlines()
    assert not [line for line in result.stdout.splitlines() if "manufactur" in line.lower() and "WARN" in line]

    # 5. every command that reads the graph sees the new class and properties. Each is checked even if
    #    another fails, so that one run shows which of them do not yet handle a new class.
    failures: dict[str, str] = {}

    def check(name: str, step) -> None:
        try:
            step()
        except AssertionError as exc:
            failures[name] = str(exc) or "assertion failed"

    def sparql() -> None:
        assert QUERY in README
        result = run("sparql", "--format", "json", "-", input=QUERY)
        assert result.exit_code == 0, result.stderr
        rows = json.loads(result.stdout)["results"]["bindings"]
        assert [{k: v["value"] for k, v in row.items()} for row in rows] == [
            {"therapy": ID + "rese-cel", "manufacturer": ID + "cellares", "platform": "Cell Shuttle",
             "source": "https://w3id.org/cartkg/id/source/pharma-manufacturing-cellares-automation"}]
        result = run("sparql", "--wide", "-", input=QUERY)
        assert "$ kg sparql --wide - <<'EOF'\n" + QUERY in README
        assert "rese-cel  Cellares      Cell Shuttle  " + LABEL in result.stdout.splitlines()

    def entity() -> None:
        result = kg(run, "kg query entity -p name=Cellares --wide")
        assert result.exit_code == 0, result.stderr
        out = result.stdout
        assert re.search(r"^subject\s+rdf:type\s+Manufacturer\s", out, re.M), out
        assert re.search(r"^subject\s+manufacturing platform\s+Cell Shuttle\s", out, re.M), out
        assert re.search(r"^object\s+manufactured by\s+rese-cel\s", out, re.M), out

    def path() -> None:
        result = kg(run, "kg path Cellares rese-cel")
        assert result.exit_code == 0, result.stderr
        assert "  Cellares <-[manufactured by]- rese-cel" in result.stdout.splitlines(), result.stdout

    def viz() -> None:
        result = kg(run, "kg viz -o build/graph.html")
        assert result.exit_code == 0, result.stderr
        own_colour_and_legend(project.root / "build" / "graph.html", "cart:Manufacturer", "Cellares")

    def stats() -> None:
        result = kg(run, "kg stats")
        assert result.exit_code == 0, result.stderr
        per_class = result.stdout.split("entities per class")[1].split("triples per source graph")[0]
        assert count_line(per_class, "Manufacturer") == 1, result.stdout

    def docs() -> None:
        result = kg(run, "kg docs -o build/docs")
        assert result.exit_code == 0, result.stderr
        page = (project.root / "build" / "docs" / "index.html").read_text(encoding="utf-8")
        section = page[page.index('id="cart-Manufacturer"'):]
        section = section[:section.index("</section>")]
        assert "<th>instances in the built graph</th><td>1</td>" in section
        assert "<p><strong>Cellares</strong> <code>id:cellares</code></p>" in section
        assert "a Manufacturer needs its manufacturing platform" in section

    for name, step in (("kg sparql", sparql), ("kg query entity", entity), ("kg path", path), ("kg viz", viz),
                       ("kg stats", stats), ("kg docs", docs)):
        check(name, step)
    assert failures == {}, "\n".join(f"{name}: {why}" for name, why in failures.items())


# ---------------------------------------------------------------- a second, different extension

QUOTE = ("The study will monitor patients for adverse events, changes in antibody levels, and clinical improvement "
         "in disease symptoms over a 12\u2011month period.")  # verbatim from seeds/texts/003_…, non-breaking hyphen
NEWS = "src:news-003-car-t-reset-immune"
TRIAL = "id:trial-003-unnamed-autoimmune-car-t"
THERAPY = "id:therapy-003-unnamed-b-cell-car-t"


def biomarker_rows(*cells: tuple[str, str, str]) -> str:
    return "\n".join([HEADER] + [f"{s}\t{p}\t{o}\t{NEWS}\t{QUOTE}\treported" for s, p, o in cells]) + "\n"


def test_biomarker_extension_with_a_datatype_property_and_a_relation_to_trials(project, run, monkeypatch):
    """A top-level class, a relation to an existing class and an integer property, from a news text's claim."""
    monkeypatch.chdir(project.root)
    target = "ontology/extensions/biomarker.ttl"
    for args in (["new", "class", "Biomarker", "--comment",
                  "A measurable sign of disease activity or of a therapy's effect that a trial monitors."],
                 ["new", "property", "monitoredIn", "--domain", "cart:Biomarker", "--range", "cart:Trial",
                  "--file", target, "--comment", "A trial that monitors the biomarker."],
                 ["new", "property", "monitoringMonths", "--domain", "cart:Biomarker", "--range", "xsd:integer",
                  "--file", target, "--comment", "For how many months the trial monitors the biomarker."]):
        result = run(*args)
        assert result.exit_code == 0, result.stderr
    # a top-level class: its own shape requires the label
    assert "sh:path rdfs:label ; sh:minCount 1 ;" in (project.root / target).read_text(encoding="utf-8")

    table = project.seeds / "news-003-biomarkers.tsv"
    table.write_text(biomarker_rows(("id:antibody-levels", "a", "cart:Biomarker"),
                                    ("id:antibody-levels", "cart:monitoredIn", THERAPY),
                                    ("id:antibody-levels", "cart:monitoringMonths", "twelve")), encoding="utf-8")
    result = run("build")
    assert result.exit_code == 1
    assert errors(result) == ["seeds/news-003-biomarkers.tsv:4: ERROR: wrong datatype for cart:monitoringMonths: "
                              "'twelve' is not a valid xsd:integer (datatype)", "1 error; nothing was written"]

    table.write_text(biomarker_rows(("id:antibody-levels", "a", "cart:Biomarker"),
                                    ("id:antibody-levels", "cart:monitoredIn", THERAPY),
                                    ("id:antibody-levels", "cart:monitoringMonths", "12")), encoding="utf-8")
    result = run("build")
    assert result.exit_code == 1
    found = errors(result)
    assert ("seeds/news-003-biomarkers.tsv:2: ERROR: id:antibody-levels: a Biomarker needs a name: add an "
            "rdfs:label row (shacl:MinCountConstraintComponent)") in found
    assert ("seeds/news-003-biomarkers.tsv:3: ERROR: id:antibody-levels: the value of cart:monitoredIn must be "
            "a Trial (shacl:ClassConstraintComponent)") in found

    table.write_text(biomarker_rows(("id:antibody-levels", "a", "cart:Biomarker"),
                                    ("id:antibody-levels", "rdfs:label", "antibody levels"),
                                    ("id:antibody-levels", "cart:monitoredIn", TRIAL),
                                    ("id:antibody-levels", "cart:monitoringMonths", "12")), encoding="utf-8")
    result = run("build", "--verbose")
    assert result.exit_code == 0, result.stderr
    assert "         1  cart:Biomarker" in result.stdout.splitlines()

    failures: dict[str, str] = {}

    def sparql() -> None:
        query = ("SELECT ?biomarker ?trial ?months ?quote WHERE { ?biomarker a cart:Biomarker ; "
                 "cart:monitoredIn ?trial ; cart:monitoringMonths ?months . "
                 "?c rdf:subject ?biomarker ; rdf:predicate cart:monitoringMonths ; cart:quote ?quote }")
        result = run("sparql", "--format", "json", "-", input=query)
        assert result.exit_code == 0, result.stderr
        rows = json.loads(result.stdout)["results"]["bindings"]
        assert rows == [{"biomarker": {"type": "uri", "value": ID + "antibody-levels"},
                         "trial": {"type": "uri", "value": ID + TRIAL[3:]},
                         "months": {"type": "literal", "value": "12",
                                    "datatype": "http://www.w3.org/2001/XMLSchema#integer"},
                         "quote": {"type": "literal", "value": QUOTE}}]

    def entity() -> None:
        result = run("query", "entity", "-p", "name=antibody levels", "--wide")
        assert result.exit_code == 0, result.stderr
        assert re.search(r"^subject\s+monitored in\s+Unnamed early-stage trial", result.stdout, re.M), result.stdout
        assert re.search(r"^subject\s+monitoring months\s+12\s", result.stdout, re.M), result.stdout

    def path() -> None:
        result = run("path", "antibody levels", THERAPY)
        assert result.exit_code == 0, result.stderr
        assert "-[monitored in]->" in result.stdout and "-[evaluates]->" in result.stdout, result.stdout

    def viz() -> None:
        result = run("viz", "-o", "build/graph.html")
        assert result.exit_code == 0, result.stderr
        own_colour_and_legend(project.root / "build" / "graph.html", "cart:Biomarker", "antibody levels")

    def stats() -> None:
        result = run("stats")
        assert result.exit_code == 0, result.stderr
        per_class = result.stdout.split("entities per class")[1].split("triples per source graph")[0]
        assert count_line(per_class, "Biomarker") == 1, result.stdout

    for name, step in (("kg sparql", sparql), ("kg query entity", entity), ("kg path", path), ("kg viz", viz),
                       ("kg stats", stats)):
        try:
            step()
        except AssertionError as exc:
            failures[name] = str(exc) or "assertion failed"
    assert failures == {}, "\n".join(f"{name}: {why}" for name, why in failures.items())


def test_a_decision_type_an_extension_declares_an_approval_type_is_counted_as_an_approval(project, run, monkeypatch):
    """The reports and the approval queries read a decision type's group from the ontology, not from code."""
    monkeypatch.chdir(project.root)
    # seeds/reference-approved-products.tsv:210-211: the FDA's approval of Aucatzyl on 2024-11-08 (its date :206-207),
    # here given a decision type of an extension's own.
    decision = "id:decision-aucatzyl-fda-approval-2024\tcart:decisionType\t"
    table = project.seeds / "reference-approved-products.tsv"
    text = table.read_text(encoding="utf-8")
    assert text.count(decision + "cart:Approval\t") == 2
    table.write_text(text.replace(decision + "cart:Approval\t", decision + "cart:MarketingAuthorisation\t"),
                     encoding="utf-8")
    extension = project.root / "ontology" / "extensions" / "marketing-authorisation.ttl"
    prefixes = ("@prefix cart: <https://w3id.org/cartkg/ontology#> .\n"
                "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n")
    for declared, kind, listed in ((" , cart:ApprovalType", "approval", True), ("", "other decision", False)):
        extension.write_text(prefixes + f'cart:MarketingAuthorisation a cart:DecisionType{declared} ;\n'
                                        '    rdfs:label "Marketing authorisation" .\n', encoding="utf-8")
        result = run("build")
        assert result.exit_code == 0, result.stderr

        result = run("timeline", "-o", "build/timeline.html")
        assert result.exit_code == 0, result.stderr
        page = (project.root / "build" / "timeline.html").read_text(encoding="utf-8")
        data = json.loads(re.search(r'<script type="application/json" id="data">(.*?)</script>', page, re.S).group(1))
        drawn = [(e["kind"], e["what"]) for e in data["events"]
                 if e["date"] == "2024-11-08" and e["label"] == "FDA approval of Aucatzyl (2024)"]
        assert drawn == [(kind, "Marketing authorisation")], declared

        result = run("query", "approvals-worldwide", "-p", "regulator=FDA", "--format", "json")
        assert result.exit_code == 0, result.stderr
        decisions = {row["decision"]["value"] for row in json.loads(result.stdout)["results"]["bindings"]}
        assert (ID + "decision-aucatzyl-fda-approval-2024" in decisions) is listed, declared
