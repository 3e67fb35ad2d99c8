"""kg viz without a browser: one self-contained file, labels only ever as text, styles from the ontology."""

from __future__ import annotations

import json
import math
import re

import networkx as nx
import pytest
from viz_probe import COMPANY, IMG, QUOTE, SCRIPT, SVG, TITLE, build_dir, build_probe_project, make_probe_project

from kg import network, viz
from kg.engine import LocalEngine
from kg.network import EntityGraph, OntologyClass
from kg.vocab import CART, ID


@pytest.fixture(scope="module")
def probe(tmp_path_factory):
    return build_probe_project(tmp_path_factory.mktemp("probe"))


def env(project) -> dict:
    return {"KG_BUILD_DIR": str(project.root / "build")}


def page_json(html: str) -> dict:
    raw = re.search(r'<script type="application/json" id="graph-data">(.*?)</script>', html, re.S).group(1)
    return json.loads(raw)


@pytest.fixture(scope="module")
def probe_page(probe, tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("page") / "graph.html"
    with build_dir(probe.root / "build"):
        viz.write_page(LocalEngine(probe), out, {}, sources=True)
    return out.read_text(encoding="utf-8")


def test_page_loads_nothing_from_anywhere(probe_page):
    assert not re.search(r"<(link|iframe|img|object|embed)\b", probe_page, re.I)
    assert not re.search(r"<script[^>]*\bsrc=", probe_page, re.I)
    assert "@import" not in probe_page
    # every url() in the inlined styles is a data: URI
    assert all(u.startswith(("data:", '"data:', "'data:")) for u in re.findall(r"url\(([^)]*)\)", probe_page))
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', probe_page).group(1)
    assert "default-src 'none'" in csp and "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]


def test_inline_scripts_are_the_ones_the_policy_allows(probe_page):
    import base64
    import hashlib

    csp = re.search(r'content="(default-src[^"]*)"', probe_page).group(1)
    allowed = set(re.findall(r"'sha256-([^']+)'", csp))
    scripts = re.findall(r"<script>(.*?)</script>", probe_page, re.S)
    assert len(scripts) == 2
    assert {base64.b64encode(hashlib.sha256(s.encode("utf-8")).digest()).decode() for s in scripts} == allowed


def test_probe_labels_never_appear_as_markup(probe_page):
    for probe_text in (IMG, SCRIPT, QUOTE, SVG, COMPANY, TITLE):
        assert probe_text not in probe_page
    # exactly one element ends the data block and three <script> elements exist: nothing broke out
    assert probe_page.count("</script>") == 3
    data = page_json(probe_page)
    labels = {n[1] for n in data["nodes"]}
    assert {IMG, COMPANY, "CD-probe"} <= labels
    therapy = next(n for n in data["nodes"] if n[1] == IMG)
    assert SCRIPT in therapy[5]
    details = data["details"][data["nodes"].index(therapy)]
    assert QUOTE in {c[3] for c in details["claims"]} and SVG in {c[3] for c in details["claims"]}
    assert TITLE in data["sources"]


def test_title_is_escaped(probe, tmp_path):
    g = nx.MultiDiGraph()
    g.add_node(ID + "x", label="x", names=[], cls=CART + "Therapy", kind="entity", facts=[], claims=[])
    eg = EntityGraph(g, {CART + "Therapy": OntologyClass(CART + "Therapy", "Therapy")}, {})
    html = viz.render(eg, "around </title><script>alert(5)</script>")
    assert "<script>alert(5)" not in html
    assert "&lt;/title&gt;&lt;script&gt;alert(5)&lt;/script&gt;" in html


def test_page_data_links_and_inferred_edges(probe_page):
    data = page_json(probe_page)
    names = [n[1] for n in data["nodes"]]
    props = data["properties"]
    edges = {(names[e[0]], props[e[2]], names[e[1]]): e[3] for e in data["edges"]}
    assert edges[(IMG, "targets", "CD-probe")] == 0
    assert edges[(IMG, "developed by", COMPANY)] == 0
    assert edges[("PROBE-1", "evaluates", IMG)] == 0
    # the trial evaluates the therapy and studies the disease: a rule infers the therapy is investigated for it
    assert edges[(IMG, "investigated for", "probe disease")] == 1
    assert len(edges) == 5


def test_every_ontology_class_gets_its_own_colour_and_shape(built):
    eg = network.load(LocalEngine(built))
    styles = viz.ontology_styles(eg)
    looks = {(s.color, s.shape) for s in styles.values()}
    assert len(looks) == len(styles) == len(eg.classes)
    entity_classes = {c for _, c in eg.graph.nodes(data="cls")}
    assert len({styles[c].color for c in entity_classes}) == len(entity_classes)


def test_a_class_added_to_the_ontology_is_drawn_in_its_own_style(tmp_path, run):
    project = make_probe_project(tmp_path)
    (project.ontology / "extensions").mkdir(exist_ok=True)
    (project.ontology / "extensions" / "vector.ttl").write_text(
        "@prefix cart: <https://w3id.org/cartkg/ontology#> .\n"
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        'cart:ViralVector a owl:Class ; rdfs:label "Viral vector" ; rdfs:comment "A vector that carries the CAR gene." .\n',
        encoding="utf-8")
    with (project.seeds / "probe.tsv").open("a", encoding="utf-8") as f:
        f.write("id:lentivirus\ta\tcart:ViralVector\tsrc:probe\t\tverified\n")
        f.write("id:lentivirus\trdfs:label\tlentiviral vector\tsrc:probe\t\tverified\n")
    out = tmp_path / "page.html"
    assert run("--project", str(project.root), "build", "--no-shacl", env=env(project)).exit_code == 0
    result = run("--project", str(project.root), "viz", "-o", str(out), env=env(project))
    assert result.exit_code == 0, result.output
    classes = page_json(out.read_text(encoding="utf-8"))["classes"]
    new = next(c for c in classes if c["label"] == "Viral vector")
    assert [(c["color"], c["shape"]) for c in classes].count((new["color"], new["shape"])) == 1


def test_focus_depth_and_class_filter(probe, run, tmp_path):
    out = tmp_path / "focus.html"
    result = run("--project", str(probe.root), "viz", "-o", str(out), "--focus", "prb-42", "--depth", "1",
                 env=env(probe))
    assert result.exit_code == 0, result.output
    data = page_json(out.read_text(encoding="utf-8"))
    names = sorted(n[1] for n in data["nodes"])
    assert names == sorted([IMG, "CD-probe", COMPANY, "PROBE-1", "probe disease"])
    assert data["nodes"][data["focus"]][1] == IMG
    result = run("--project", str(probe.root), "viz", "-o", str(out), "--focus", "CD-probe", "--depth", "2",
                 "--class", "Company", "--class", "cart:Target", env=env(probe))
    assert result.exit_code == 0, result.output
    names = sorted(n[1] for n in page_json(out.read_text(encoding="utf-8"))["nodes"])
    assert names == sorted(["CD-probe", COMPANY])  # Lonely Company is no link near
    result = run("--project", str(probe.root), "viz", "-o", str(out), "--class", "Disease", env=env(probe))
    names = [n[1] for n in page_json(out.read_text(encoding="utf-8"))["nodes"]]
    assert names == ["probe disease"]  # an AutoimmuneDisease is a Disease


def test_bad_focus_writes_nothing(probe, run, tmp_path):
    out = tmp_path / "graph.html"
    out.write_text("previous page", encoding="utf-8")
    result = run("--project", str(probe.root), "viz", "-o", str(out), "--focus", "PRB-43", env=env(probe))
    assert result.exit_code == 2
    assert "did you mean PRB-42" in result.stderr
    assert out.read_text(encoding="utf-8") == "previous page"
    assert [p.name for p in tmp_path.iterdir()] == ["graph.html"]
    result = run("--project", str(probe.root), "viz", "-o", str(out), "--class", "Vector", env=env(probe))
    assert result.exit_code == 2 and "no class is called 'Vector'" in result.stderr
    assert out.read_text(encoding="utf-8") == "previous page"


def test_default_output_is_build_graph_html_in_utf8(probe, run):
    result = run("--project", str(probe.root), "viz", env=env(probe))
    assert result.exit_code == 0, result.output
    page = probe.root / "build" / "graph.html"
    assert result.output.startswith("wrote build/graph.html: 6 entities, 5 links (1 inferred)")
    page.read_bytes().decode("utf-8")
    assert '<meta charset="utf-8">' in page.read_text(encoding="utf-8")


def synthetic(n: int) -> EntityGraph:
    """A chain of therapies each targeting one of ten targets: enough to exercise layout and physics choice."""
    g = nx.MultiDiGraph()
    classes = {CART + c: OntologyClass(CART + c, c) for c in ("Therapy", "Target")}
    for i in range(10):
        g.add_node(f"{ID}t{i}", label=f"T{i}", names=[], cls=CART + "Target", kind="entity", facts=[], claims=[])
    for i in range(n - 10):
        g.add_node(f"{ID}x{i}", label=f"X{i}", names=[f"code-{i}"], cls=CART + "Therapy", kind="entity",
                   facts=[], claims=[])
        g.add_edge(f"{ID}x{i}", f"{ID}t{i % 10}", key=CART + "targets", property=CART + "targets",
                   label="targets", inferred=False, sources=[])
    return EntityGraph(g, classes, {})


def test_large_graphs_get_positions_and_no_physics():
    small = page_json(viz.render(synthetic(50), "small"))
    large = page_json(viz.render(synthetic(viz.PHYSICS_UP_TO + 50), "large"))
    assert small["physics"] is True and large["physics"] is False
    xs = {(n[3], n[4]) for n in large["nodes"]}
    assert len(xs) > 0.95 * len(large["nodes"])  # spread out, not piled on one point


def test_same_graph_same_page():
    assert viz.render(synthetic(600), "same") == viz.render(synthetic(600), "same")


def test_vis_network_assets_are_in_the_pyvis_package():
    assert (viz.VIS_DIR / "vis-network.min.js").stat().st_size > 100_000
    assert "@version 9.1.2" in (viz.VIS_DIR / "vis-network.min.js").read_text(encoding="utf-8")[:1000]


def test_no_two_nodes_of_a_picture_sit_on_each_other():
    # A hub with 80 leaves and a second hub sharing half of them: force-directed layouts pile leaves up.
    from kg import layout

    nodes = ["hub", "other"] + [f"leaf{i}" for i in range(80)]
    edges = [("hub", f"leaf{i}") for i in range(80)] + [("other", f"leaf{i}") for i in range(40)]
    placed = layout.positions(nodes, edges)
    points = list(placed.values())
    closest = min(math.dist(a, b) for i, a in enumerate(points) for b in points[i + 1:])
    assert closest > 2 * 12 + 4  # dots of radius 12 (graph.js) do not touch (the spreading aims at 32 px)
    assert layout.positions(nodes, edges) == placed  # and the same picture every time


def test_a_hub_with_more_leaves_than_fit_around_it_still_parts_them():
    # 600 leaves on one hub (CD19 in the curated graph has 147 neighbours): pushing pairs apart in place
    # left dots 0.3 px apart; the crowded component is scaled up until they part.
    from kg import layout

    nodes = ["hub", "other"] + [f"leaf{i}" for i in range(600)]
    edges = [("hub", f"leaf{i}") for i in range(600)] + [("other", f"leaf{i}") for i in range(0, 600, 3)]
    points = list(layout.positions(nodes, edges).values())
    closest = min(math.dist(a, b) for i, a in enumerate(points) for b in points[i + 1:])
    assert closest >= layout.MIN_DISTANCE - 0.5
