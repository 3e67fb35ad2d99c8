"""The SHACL shapes compiled to SPARQL (kg.shacl) report exactly what pySHACL reports.

pySHACL is the reference: both run on the curated graph plus a source graph that breaks every kind of
constraint the compiler handles, and must give the same problems at the same lines.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg import checks, shacl
from kg.store import open_store
from kg.vocab import GRAPH_ONTOLOGY, SPARQL_PREFIXES

BAD = """
@prefix cart: <https://w3id.org/cartkg/ontology#> .
@prefix id: <https://w3id.org/cartkg/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

id:bad-therapy a cart:CARTTherapy .                                   # no label (minCount), no target (warning)
id:bad-trial a cart:Trial ; rdfs:label "Bad trial" ;
    cart:nctId "NCT00000001" , "NCT00000002" ;                        # maxCount
    cart:evaluates id:bad-therapy ;
    cart:plannedEnrollment -5 ;                                       # minInclusive
    cart:startDate "2020-13-45"^^xsd:date .                           # ill-formed date
id:bad-trial-2 a cart:Trial ; rdfs:label "Bad trial 2" ;
    cart:nctId "XYZ" ;                                                # pattern
    cart:patientsEnrolled "many"^^xsd:integer ;                       # ill-formed integer
    cart:patientsEvaluated 3.5 .                                      # datatype
id:bad-trial-3 a cart:Trial ; rdfs:label "Bad trial 3" ;
    cart:nctId 12345678 ;                                             # datatype and pattern
    cart:evaluates id:bad-company .                                   # range: not a therapy
id:bad-trial-4 a cart:Trial ; rdfs:label "Bad trial 4" ;
    cart:nctId "NCT12345678"@en ;                                     # language-tagged, not xsd:string
    cart:evaluates "a literal" , [ rdfs:label "a blank node" ] .
id:bad-company a cart:Company ; rdfs:label "Bad company" ;
    cart:targets id:cd19 .                                            # domain: a company targets nothing
id:bad-target a cart:Target ; rdfs:label "Bad target" ; cart:hgncId _:b1 .   # a blank node fails a pattern
"""


@pytest.fixture(scope="module")
def store(built):
    live = open_store(built)
    copy = ox.Store()
    copy.extend(live.quads_for_pattern(None, None, None, None))
    copy.load(BAD, ox.RdfFormat.TURTLE, to_graph=ox.NamedNode("https://w3id.org/cartkg/id/source/test-bad"))
    return copy


def _both(store: ox.Store):
    locator = checks.Locator(store, {})
    native_keys: list = []
    reference_keys: list = []
    native = checks.run_shacl(store, locator, SPARQL_PREFIXES, keys=native_keys)
    reference = checks._run_pyshacl(store, locator, SPARQL_PREFIXES, keys=reference_keys)
    return native, native_keys, reference, reference_keys


def _as_set(problems):
    return sorted({(p.file, p.line, p.level, p.message, p.check) for p in problems})


def test_the_projects_shapes_are_compiled_not_handed_to_pyshacl(store):
    compiled = shacl.compile_shapes(store)
    assert compiled is not None
    assert len(compiled) >= 50
    assert sum(len(s.parts) for s in compiled) >= 60


def test_compiled_shapes_report_what_pyshacl_reports(store):
    native, native_keys, reference, reference_keys = _both(store)
    assert _as_set(native) == _as_set(reference)
    assert sorted(map(str, native_keys)) == sorted(map(str, reference_keys))
    assert len(native) == len(reference)
    # the bad graph breaks every kind of constraint the compiler handles
    kinds = {p.check for p in native}
    assert kinds >= {"shacl:MinCountConstraintComponent", "shacl:MaxCountConstraintComponent",
                     "shacl:ClassConstraintComponent", "shacl:DatatypeConstraintComponent",
                     "shacl:PatternConstraintComponent", "shacl:MinInclusiveConstraintComponent"}, kinds


def test_the_curated_graph_alone_gives_the_same_warnings_both_ways(built):
    live = open_store(built)
    native, _, reference, _ = _both(live)
    assert _as_set(native) == _as_set(reference)
    assert not [p for p in native if p.level == "error"]


@pytest.mark.parametrize("extra", [
    # what the compiler does not handle: each sends validation to pySHACL instead of being skipped
    "shape:OrShape a sh:NodeShape ; sh:targetClass cart:Trial ; sh:or ( [ sh:path cart:nctId ; sh:minCount 1 ] ) .",
    "shape:PathShape a sh:NodeShape ; sh:targetClass cart:Trial ; sh:property [ sh:path [ sh:inversePath cart:evaluates ] ; sh:minCount 1 ] .",
    "shape:InShape a sh:NodeShape ; sh:targetClass cart:Trial ; sh:property [ sh:path cart:phase ; sh:in ( \"Phase 1\" ) ] .",
    "cart:Trial a owl:Class , sh:NodeShape ; sh:property [ sh:path rdfs:label ; sh:minCount 1 ] .",
    "shape:TwoMessages a sh:NodeShape ; sh:targetClass cart:Trial ; sh:property [ sh:path rdfs:label ; sh:minCount 1 ; sh:message \"a\" , \"b\" ] .",
])
def test_a_shape_beyond_the_compiled_subset_falls_back_to_pyshacl(extra):
    prefixes = """@prefix cart: <https://w3id.org/cartkg/ontology#> . @prefix shape: <https://w3id.org/cartkg/shapes#> .
                  @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
                  @prefix owl: <http://www.w3.org/2002/07/owl#> ."""
    store = ox.Store()
    store.load(prefixes + "shape:Plain a sh:NodeShape ; sh:targetClass cart:Trial ; sh:property [ sh:path rdfs:label ; sh:minCount 1 ] .",
               ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(GRAPH_ONTOLOGY))
    assert shacl.compile_shapes(store) is not None
    store.load(prefixes + extra, ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(GRAPH_ONTOLOGY))
    assert shacl.compile_shapes(store) is None


def test_a_shape_without_targets_reports_nothing_both_ways():
    # SHACL validates a node shape's constraints on its focus nodes only: with no target there are none
    store = ox.Store()
    store.load("""@prefix cart: <https://w3id.org/cartkg/ontology#> . @prefix shape: <https://w3id.org/cartkg/shapes#> .
                  @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
                  shape:Targeted a sh:NodeShape ; sh:targetClass cart:Trial ;
                      sh:property [ sh:path rdfs:label ; sh:minCount 1 ; sh:message "a trial needs a label" ] .
                  shape:Untargeted a sh:NodeShape ;
                      sh:property [ sh:path rdfs:comment ; sh:minCount 1 ; sh:message "no focus node, no result" ] ,
                                  [ sh:path cart:phase ; sh:datatype cart:NotADatatype ; sh:message "nor this" ] .""",
               ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(GRAPH_ONTOLOGY))
    store.load("""@prefix cart: <https://w3id.org/cartkg/ontology#> . @prefix id: <https://w3id.org/cartkg/id/> .
                  id:t-trial a cart:Trial ; cart:phase "Phase 1" .""",
               ox.RdfFormat.TURTLE, to_graph=ox.NamedNode("https://w3id.org/cartkg/id/source/test-untargeted"))
    native, _, reference, _ = _both(store)
    assert [p.message for p in native] == [p.message for p in reference]
    assert len(native) == 1 and native[0].message.endswith("a trial needs a label")
