"""Property-based: random seed rows and extension Turtle against the build's rule. Either the build succeeds and
every row's fact is in the graph as its source states it, or it fails with errors at file:line and build/ is
byte-identical to what it was."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from build_tree import tree_hash
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from test_hostile import invoke, rows, small_project

PREFIXES = dict(line.split("\t") for line in (Path(__file__).resolve().parent.parent / "seeds" / "prefixes.tsv")
                .read_text(encoding="utf-8").splitlines()[1:] if line.strip())
XSD = PREFIXES["xsd"]
# The predicates rows use, with what their object is: an entity, or a literal of a datatype (cart.ttl's ranges).
PREDICATES = {
    "a": "iri", "rdfs:label": None, "skos:altLabel": None, "rdfs:comment": None, "cart:targets": "iri",
    "cart:developedBy": "iri", "cart:hgncId": XSD + "string", "cart:enrollment": XSD + "integer",
    "cart:startDate": XSD + "date", "cart:geneSymbol": XSD + "string", "cart:construct": XSD + "string",
}
HEADER = "subject\tpredicate\tobject\tsource\tquote\tstatus\tnote"
# Any text a cell may hold in a table: every character but the line breaks (quotes, tabs and Unicode included).
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r"), max_size=24)
SLUG = st.from_regex(r"\A[a-z][a-z0-9-]{0,12}\Z")
ENTITY = st.one_of(st.sampled_from(["id:t-cel", "id:t-cd19", "id:t-new", "id:novartis"]), SLUG.map(lambda s: "id:" + s),
                   SLUG.map(lambda s: f"<https://example.org/{s}>"), SLUG.map(lambda s: "nope:" + s), TEXT)
CLASS = st.sampled_from(["cart:Therapy", "cart:Target", "cart:Company", "cart:Disease", "cart:Cancer", "cart:Nope"])
OBJECT = st.one_of(ENTITY, CLASS, TEXT, st.integers(-5, 10**6).map(str), st.dates().map(str),
                   st.from_regex(r"\AHGNC:[0-9]{1,5}\Z"))
ROW = st.tuples(ENTITY, st.one_of(st.sampled_from(sorted(PREDICATES)), st.sampled_from(["not cart:targets", ""]), TEXT),
                OBJECT, st.sampled_from(["src:t-fuzz", "src:t-ref", "src:nope", ""]), TEXT,
                st.sampled_from(["verified", "partially_verified", "reported", "unverified", "", "maybe"]), TEXT)
CLEAN_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\t\n\r"), max_size=24)
# Rows a curator could write: each predicate on an entity of its domain, an object of its range; the
# text, quote and note cells any Unicode with quotes and spaces round it.
SUBJECTS = {"cart:targets": "id:t-cel", "cart:developedBy": "id:t-cel", "cart:construct": "id:t-cel",
            "cart:hgncId": "id:t-cd19", "cart:geneSymbol": "id:t-cd19", "cart:enrollment": "id:t-trial",
            "cart:startDate": "id:t-trial"}
OBJECTS = {"cart:targets": st.just("id:t-cd19"), "cart:developedBy": st.just("id:t-co"),
           "cart:hgncId": st.from_regex(r"\AHGNC:[1-9][0-9]{0,4}\Z"), "cart:enrollment": st.integers(0, 10**6).map(str),
           "cart:startDate": st.dates().map(str)}
TYPES = {"id:t-cel": "cart:Therapy", "id:t-cd19": "cart:Target", "id:t-trial": "cart:Trial", "id:t-co": "cart:Company"}


@st.composite
def clean_row(draw) -> list[str]:
    predicate = draw(st.sampled_from(sorted(PREDICATES)))
    subject = SUBJECTS.get(predicate) or draw(st.sampled_from(sorted(TYPES)))
    obj = TYPES[subject] if predicate == "a" else draw(OBJECTS.get(predicate, CLEAN_TEXT.filter(str.strip)))
    status = draw(st.sampled_from(["verified", "partially_verified", "reported", "unverified"]))
    return [subject, predicate, obj, "src:t-fuzz", draw(CLEAN_TEXT), status, draw(CLEAN_TEXT)]


TABLE = st.one_of(st.lists(clean_row(), min_size=1, max_size=6),
                  st.lists(st.one_of(clean_row(), ROW.map(list), st.lists(TEXT, min_size=1, max_size=9)),
                           min_size=1, max_size=6))


def turtle_string(text: str) -> str:
    return '"' + "".join({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"}.get(c, c) for c in text) + '"'


EXTENSION = st.integers(0, 2).flatmap(lambda n: st.none() if n else st.one_of(
    TEXT.map(lambda label: ("label", label, f"cart:Fuzzed a owl:Class ; rdfs:label {turtle_string(label)} .\n")),
    st.sampled_from([
        ("core", None, "cart:Therapy a owl:ObjectProperty .\n"),
        ("core", None, "cart:targets rdfs:range cart:Company .\n"),
        ("core", None, "cart:Fuzzed a owl:Class , owl:DatatypeProperty .\n"),
        ("syntax", None, "cart:Fuzzed a owl:Class ;\n    rdfs:label \"x\"\n\ncart:Other a owl:Class .\n"),
    ]),
    TEXT.map(lambda junk: ("junk", None, junk + "\n")),
))
EXTENSION_HEAD = ("@prefix cart: <https://w3id.org/cartkg/ontology#> .\n@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
                  "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n")


@pytest.fixture(scope="module")
def fuzz_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("fuzz")
    small_project(root)
    (root / "seeds" / "t-more.tsv").write_text(rows(
        ("src:t-fuzz", "a", "cart:WebPage", "src:t-fuzz", "", "verified"),
        ("src:t-fuzz", "cart:title", "The page the fuzzed rows cite", "src:t-fuzz", "", "verified"),
        ("id:t-co", "a", "cart:Company", "src:t-ref", "", "verified"),
        ("id:t-co", "rdfs:label", "T-co", "src:t-ref", "", "verified"),
        ("id:t-trial", "a", "cart:Trial", "src:t-ref", "", "verified"),
        ("id:t-trial", "rdfs:label", "T-trial", "src:t-ref", "", "verified"),
        ("id:t-trial", "cart:evaluates", "id:t-cel", "src:t-ref", "", "verified")), encoding="utf-8")
    assert invoke(root, "build").exit_code == 0
    return root


def iri(cell: str) -> str:
    if cell.startswith("<") and cell.endswith(">"):
        return cell[1:-1]
    prefix, _, local = cell.partition(":")
    return PREFIXES[prefix] + local


def fact(cells: list[str]) -> ox.Quad | None:
    """The quad a table row states, or None if it asserts nothing (a comment, a denial, an unverified record)."""
    cells = [c.strip() for c in cells] + [""] * (7 - len(cells))
    subject, predicate, obj, source, _, status, _ = cells
    if predicate.startswith("not ") or status == "unverified":
        return None
    kind = PREDICATES[predicate]
    if kind == "iri":
        term = ox.NamedNode(iri(obj))
    elif kind is None or kind == XSD + "string":
        term = ox.Literal(obj)
    else:
        term = ox.Literal(obj, datatype=ox.NamedNode(kind))
    pred = PREFIXES["rdf"] + "type" if predicate == "a" else iri(predicate)
    return ox.Quad(ox.NamedNode(iri(subject)), ox.NamedNode(pred), term, ox.NamedNode(iri(source)))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow, HealthCheck.data_too_large])
@given(TABLE, EXTENSION)
def test_a_build_either_holds_every_row_as_stated_or_fails_at_file_and_line_changing_nothing(fuzz_root, table, extension):
    root = fuzz_root
    lines = [HEADER] + ["\t".join(cells) for cells in table]
    seed = root / "seeds" / "fuzz.tsv"
    ext = root / "ontology" / "extensions" / "fuzz.ttl"
    seed.write_text("\n".join(lines) + "\n", encoding="utf-8")
    if extension:
        ext.write_text(EXTENSION_HEAD + extension[2], encoding="utf-8")
    before = tree_hash(root / "build")
    try:
        result = invoke(root, "build")
    finally:
        seed.unlink()
        ext.unlink(missing_ok=True)
    assert "Traceback" not in result.output
    event("built" if result.exit_code == 0 else "refused")
    if result.exit_code != 0:
        assert result.exit_code == 1, result.output
        assert tree_hash(root / "build") == before
        errors = [l.strip() for l in result.stderr.splitlines() if "ERROR" in l]
        assert errors, result.output
        for line in errors:
            assert re.match(r"^(seeds/fuzz\.tsv|seeds/t-[a-z]+\.tsv|ontology/extensions/fuzz\.ttl):[1-9]\d*: ERROR: ", line), line
        return
    assert extension is None or extension[0] in ("label", "junk"), result.output  # a core change never builds
    # Its own build folder by name: Paths.build follows $KG_BUILD_DIR, which the session's built fixture sets.
    store = ox.Store.read_only(str((root / "build" / "current").resolve()))
    for number, cells in enumerate(table, start=2):
        line = lines[number - 1]
        if not line.strip() or line.startswith("#"):
            continue
        quad = fact(cells)
        if quad is not None:
            # As its source states it: a claim of the triple in the source's graph; and the fact itself in
            # the graph queries see unless the claim is deprecated (another row contradicts it).
            s, p, o, g = quad.subject, quad.predicate, quad.object, quad.graph_name
            claims = list(store.query(f"""SELECT ?rank WHERE {{ GRAPH {g} {{
                ?c <{PREFIXES['rdf']}subject> {s} ; <{PREFIXES['rdf']}predicate> {p} ; <{PREFIXES['rdf']}object> {o} ;
                   <{PREFIXES['cart']}rank> ?rank }} }}"""))
            assert claims, (number, line)
            if all(c["rank"].value != PREFIXES["cart"] + "DeprecatedRank" for c in claims):
                assert store.query(f"ASK {{ {s} {p} {o} }}", use_default_graph_as_union=True), (number, line)
    if extension and extension[0] == "label":
        label = ox.Quad(ox.NamedNode(PREFIXES["cart"] + "Fuzzed"), ox.NamedNode(PREFIXES["rdfs"] + "label"),
                        ox.Literal(extension[1]), ox.NamedNode("https://w3id.org/cartkg/graph/ontology"))
        assert label in store
