"""The entity graph (networkx) and the commands on it: kg stats, kg path, kg neighbors, kg export.

Expected values were read off ../shared/reference/car-t-facts.yaml and ../shared/seeds/*.txt (the
record is named in the comment), not copied from a run of the code.
"""

from __future__ import annotations

import networkx as nx
import pyoxigraph as ox
import pytest
from sparql_servers import Oxigraph
from viz_probe import build_dir, build_probe_project

from kg import explore, network
from kg.engine import LocalEngine
from kg.vocab import CART, GRAPH_INFERRED, ID, SRC

RESE_CEL = ID + "rese-cel"
SLE = ID + "systemic-lupus-erythematosus"


@pytest.fixture(scope="module")
def eg(built) -> network.EntityGraph:
    return network.load(LocalEngine(built))


@pytest.fixture(scope="module")
def probe(tmp_path_factory):
    return build_probe_project(tmp_path_factory.mktemp("probe"))


def probe_env(probe) -> dict:
    return {"KG_BUILD_DIR": str(probe.root / "build")}


def edge(eg, s: str, p: str, o: str) -> dict:
    return eg.graph.edges[ID + s, ID + o, CART + p]


def test_entities_carry_their_most_specific_class_and_every_synonym(eg):
    # yaml: "rese-cel (resecabtagene autoleucel; CABA-201)", former_code CABA-201
    node = eg.graph.nodes[RESE_CEL]
    assert node["label"] == "rese-cel"
    assert node["cls"] == CART + "Therapy"
    assert {"CABA-201", "resecabtagene autoleucel"} <= set(node["names"])
    # SLE is an autoimmune disease (its inferred superclass cart:Disease is not the one shown)
    assert eg.graph.nodes[SLE]["cls"] == CART + "AutoimmuneDisease"


def test_claims_sources_and_ontology_terms_are_left_out_unless_asked(built, eg):
    kinds = {kind for _, kind in eg.graph.nodes(data="kind")}
    assert kinds == {network.ENTITY}
    assert not [n for n in eg.graph if n.startswith(ID + "claim/") or n.startswith(SRC) or n.startswith(CART)]
    wider = network.load(LocalEngine(built), sources=True, terms=True)
    # yaml: rese-cel company Cabaletta Bio, source the EULAR 2025 abstract OP0338
    assert wider.graph.nodes[SRC + "eular-2025-abstract-op0338"]["kind"] == network.SOURCE
    assert wider.graph.nodes[CART + "Approval"]["kind"] == network.TERM
    assert not [n for n in wider.graph if n.startswith(ID + "claim/")]


def test_an_entity_that_also_publishes_sources_stays_an_entity(eg):
    # seeds: the FDA is a Regulator (drugs.com histories, ...) and the Publisher of the openFDA records
    fda = eg.graph.nodes[ID + "fda"]
    assert (fda["cls"], fda["kind"]) == (CART + "Regulator", network.ENTITY)
    # yaml: Kymriah approved by the FDA (2017-08-30)
    assert ID + "fda" in {v for u, v, k in eg.graph.edges(keys=True) if k == CART + "decidedBy"}


def test_an_edge_is_inferred_only_when_no_source_states_it(eg):
    # yaml: RESET-SLE evaluates rese-cel in SLE; no source says "rese-cel investigated for SLE": a rule does
    derived = edge(eg, "rese-cel", "investigatedFor", "systemic-lupus-erythematosus")
    assert derived["inferred"] is True and derived["sources"] == []
    # rese-cel company Cabaletta Bio: reference-autoimmune-programs.tsv:693 (Scleroderma News) and
    # news-000-rese-cel-autoimmune.tsv:92. The EULAR 2025 abstract OP0338 no longer has a developedBy row (the
    # reference rows keep only what each page states).
    stated = edge(eg, "rese-cel", "developedBy", "cabaletta-bio")
    assert stated["inferred"] is False
    assert set(stated["sources"]) == {SRC + "scleroderma-news-rese-cel-study-enrolling",
                                      SRC + "news-000-rese-cel-autoimmune"}
    # Bristol Myers Squibb is rejected by curation.tsv:8: no edge at all
    assert not eg.graph.has_edge(ID + "rese-cel", ID + "bristol-myers-squibb", CART + "developedBy")
    # yaml: Legend Biotech is Janssen's collaborator on Carvykti; the inverse comes from partnerOf being symmetric
    assert edge(eg, "janssen", "partnerOf", "legend-biotech")["inferred"] is False
    assert edge(eg, "legend-biotech", "partnerOf", "janssen")["inferred"] is True


def test_every_inferred_edge_is_in_the_inference_graph_only(built, eg):
    engine = LocalEngine(built)
    for u, v, key, data in eg.graph.edges(keys=True, data=True):
        graphs = {row[0].value for row in engine.select(
            f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ <{u}> <{key}> <{v}> }} }}").rows}
        assert data["inferred"] == (graphs == {GRAPH_INFERRED}), (u, key, v, graphs)


def test_an_entity_keeps_what_each_source_says_with_its_quote(eg):
    # text 000, first paragraph
    quote = ("Bristol Myers Squibb and Cabaletta Bio have reported encouraging results from their Phase I/II "
             "clinical trials investigating resecabtagene autoleucel (rese-cel)")
    claims = eg.graph.nodes[RESE_CEL]["claims"]
    said = {(c.source_label, c.predicate, c.value, c.quote) for c in claims}
    assert ("CAR T Therapy Shows Promise in Treating Autoimmune Conditions", "developed by", "Cabaletta Bio", quote) in said
    # the ACR 2025 abstract lists no BMS affiliation: recorded as a negated claim, never as an edge
    assert any(c.negated and c.value == "Bristol Myers Squibb" for c in claims)


def test_path_from_a_company_to_a_disease_is_a_chain_of_labelled_relations(built, run):
    # yaml: rese-cel company Cabaletta Bio; RESET-SLE (rese-cel) studies SLE, so rese-cel is investigated for it
    result = run("--project", str(built.root), "path", "cabaletta bio", "SLE")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "  Cabaletta Bio <-[developed by]- rese-cel -[investigated for*]-> systemic lupus erythematosus" in lines
    assert "of 2 links between Cabaletta Bio and systemic lupus erythematosus" in lines[0]


def test_path_takes_curies_and_iris(built, run):
    by_name = run("--project", str(built.root), "path", "Cabaletta Bio", "systemic lupus erythematosus")
    by_iri = run("--project", str(built.root), "path", "id:cabaletta-bio", f"<{SLE}>")
    assert by_iri.exit_code == 0 and by_iri.output == by_name.output


def test_unknown_name_is_one_line_with_a_suggestion(built, run):
    result = run("--project", str(built.root), "path", "Cabaleta Bio", "CD19")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "Cabaleta Bio" in result.stderr and "did you mean Cabaletta Bio" in result.stderr


def test_no_path_exits_1(probe, run):
    result = run("--project", str(probe.root), "path", "Lonely Company", "CD-probe", env=probe_env(probe))
    assert result.exit_code == 1
    assert result.output == "no path between Lonely Company and CD-probe\n"


def test_neighbors_by_synonym_in_any_case(built, run):
    # yaml: rese-cel (CABA-201) company Cabaletta Bio, target CD19, trials RESET-SLE, RESET-SSc, RESET-Myositis
    result = run("--project", str(built.root), "neighbors", "caba-201")
    assert result.exit_code == 0, result.output
    rows = [line.split()[0] for line in result.output.splitlines()[1:-1]]
    text = result.output
    assert "rese-cel -[developed by]-> Cabaletta Bio" in text
    assert "rese-cel -[targets]-> CD19" in text
    for trial in ("RESET-SLE", "RESET-SSc", "RESET-Myositis"):
        assert f"rese-cel <-[evaluates]- {trial}" in text
    assert set(rows) == {"1"}
    assert "Kymriah" not in text
    assert "of rese-cel" in result.output.splitlines()[-1]


def test_neighbors_depth_2_reaches_other_therapies_of_the_same_target(built, run):
    # yaml: Kymriah target_antigen CD19; rese-cel targets CD19 too
    result = run("--project", str(built.root), "neighbors", "rese-cel", "--depth", "2")
    assert "CD19 <-[targets]- Kymriah" in result.output
    line = next(l for l in result.output.splitlines() if "CD19 <-[targets]- Kymriah" in l)
    assert line.split()[:2] == ["2", "Therapy"]


def test_stats_reports_classes_sources_leaders_and_components(built, run):
    result = run("--project", str(built.root), "stats")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "entities per class" in out and "triples per source graph" in out
    # the title of text 000 names its graph
    assert "src:news-000-rese-cel-autoimmune  CAR T Therapy Shows Promise in Treating Autoimmune Conditions" in out
    # yaml: CD19 is the target of Kymriah, Yescarta, Tecartus, Breyanzi, Aucatzyl and most autoimmune
    # programs; BCMA only of Abecma, Carvykti, Descartes-08 and anito-cel
    degree = out.split("degree (linked entities) leaders per class:")[1].split("leaders per class:")[0]
    target_line = next(l for l in degree.splitlines() if l.strip().startswith("Target"))
    assert target_line.split("Target", 1)[1].strip().startswith("CD19 ")
    assert "connected components:" in out


def test_betweenness_is_sampled_with_a_fixed_seed_on_large_graphs(eg, built):
    s1 = explore.stats(LocalEngine(built), exact_up_to=10)
    s2 = explore.stats(LocalEngine(built), exact_up_to=10)
    assert s1.betweenness_samples and s1.betweenness == s2.betweenness


def test_export_graphml_opens_as_the_same_graph(built, run, tmp_path, eg):
    out = tmp_path / "graph.graphml"
    result = run("--project", str(built.root), "export", "--format", "graphml", "-o", str(out))
    assert result.exit_code == 0, result.output
    back = nx.read_graphml(out)
    assert back.number_of_nodes() == eg.graph.number_of_nodes()
    assert back.number_of_edges() == eg.graph.number_of_edges()
    node = back.nodes[RESE_CEL]
    assert node["label"] == "rese-cel" and "CABA-201" in node["synonyms"] and node["class_label"] == "Therapy"


@pytest.mark.parametrize("fmt, rdf_format, graphs", [
    ("trig", ox.RdfFormat.TRIG, True), ("jsonld", ox.RdfFormat.JSON_LD, True),
    ("ttl", ox.RdfFormat.TURTLE, False), ("nt", ox.RdfFormat.N_TRIPLES, False)])
def test_export_rdf_holds_every_triple(built, run, tmp_path, fmt, rdf_format, graphs):
    out = tmp_path / f"graph.{fmt}"
    result = run("--project", str(built.root), "export", "--format", fmt, "-o", str(out))
    assert result.exit_code == 0, result.output
    engine = LocalEngine(built)
    count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }" if graphs else \
        "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }"
    expected = int(engine.select(count).rows[0][0].value)
    parsed = list(ox.parse(path=str(out), format=rdf_format))
    assert len(parsed) == expected
    assert all((q.graph_name != ox.DefaultGraph()) == graphs for q in parsed[:100])


def test_export_to_stdout(probe, run):
    result = run("--project", str(probe.root), "export", "--format", "nt", env=probe_env(probe))
    assert result.exit_code == 0
    assert f'<{ID}probe-target> <http://www.w3.org/2000/01/rdf-schema#label> "CD-probe" .' in result.output


@pytest.mark.server
def test_commands_answer_alike_on_a_remote_endpoint(probe, run, tmp_path):
    from kg import push as push_mod

    server = Oxigraph(tmp_path / "oxigraph").start()
    try:
        with build_dir(probe.root / "build"):
            push_mod.push(probe, server.query_url)
        env = probe_env(probe)
        for args in (["stats"], ["path", "PRB-42", "probe disease"], ["neighbors", "CD-probe", "--depth", "2"],
                     ["export", "--format", "graphml"]):
            local = run("--project", str(probe.root), *args, env=env)
            remote = run("--project", str(probe.root), *args, "--endpoint", server.query_url, env=env)
            assert local.exit_code == 0, local.output
            assert remote.exit_code == 0, remote.output
            assert remote.output == local.output, args
        # blank nodes (in the SHACL shapes) get new names on the server: compare everything else, and the count
        local = run("--project", str(probe.root), "export", "--format", "trig", env=env).stdout_bytes
        remote = run("--project", str(probe.root), "export", "--format", "trig", "--endpoint", server.query_url,
                     env=env).stdout_bytes
        quads = [list(ox.parse(data, format=ox.RdfFormat.TRIG)) for data in (local, remote)]
        assert len(quads[0]) == len(quads[1]) > 100
        named = [{q for q in qs if not any(isinstance(t, ox.BlankNode) for t in (q.subject, q.object))} for qs in quads]
        assert named[0] == named[1]
        local_page = tmp_path / "local.html"
        remote_page = tmp_path / "remote.html"
        run("--project", str(probe.root), "viz", "-o", str(local_page), env=env)
        run("--project", str(probe.root), "viz", "-o", str(remote_page), "--endpoint", server.query_url, env=env)
        assert remote_page.read_bytes() == local_page.read_bytes()
    finally:
        server.stop()
