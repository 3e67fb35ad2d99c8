"""The graph page in a real browser: Debian's headless Chromium, opened from a file with the network cut off."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from browser_page import Opened, chromium
from viz_probe import COMPANY, IMG, QUOTE, SCRIPT, build_dir, build_probe_project

from kg import viz
from kg.engine import LocalEngine

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


@pytest.fixture(scope="module")
def browser():
    yield from chromium()


class GraphPage(Opened):
    """The graph page opened from a file, ready once the network is drawn."""

    def __init__(self, browser, path: Path):
        super().__init__(browser, path, ready_function="() => window.kg && window.kg.drawn")

    def node_index(self, curie: str) -> int:
        return self.js("c => kg.data.nodes.findIndex(n => n[0] === c)", curie)

    def node_point(self, index: int) -> tuple[float, float]:
        """A point on the screen where a click lands on node `index`: its centre, or where another node
        drawn over the centre leaves it showing (the layout places some nodes over others' centres)."""
        point = self.js("""i => { const p = kg.network.getPositions([i])[i];
            const box = kg.network.getBoundingBox(i), r = document.getElementById('graph').getBoundingClientRect();
            const steps = [0, -0.25, 0.25, -0.4, 0.4];
            for (const fy of steps) for (const fx of steps) {
              const d = kg.network.canvasToDOM({x: p.x + fx * (box.right - box.left), y: p.y + fy * (box.bottom - box.top)});
              if (kg.network.getNodeAt(d) === i) return [r.left + d.x, r.top + d.y];
            }
            return null; }""", index)
        assert point is not None, f"node {index} is covered by others wherever it is drawn"
        return tuple(point)

    def painted_pixels(self) -> int:
        return self.js("""() => { const c = document.querySelector('#graph canvas');
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return n; }""")


@pytest.fixture(scope="module")
def probe_page(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("probe")
    probe = build_probe_project(folder)
    out = folder / "probe.html"
    with build_dir(probe.root / "build"):
        viz.write_page(LocalEngine(probe), out, {}, sources=True)
    return out


@pytest.fixture(scope="module")
def real_page(built, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("real") / "graph.html"
    viz.write_page(LocalEngine(built), out, {})
    return out


@pytest.fixture(scope="module")
def focus_page(built, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("focus") / "graph.html"
    viz.write_page(LocalEngine(built), out, {}, focus="CABA-201", depth=1)
    return out


def test_probe_page_draws_offline_and_the_probes_stay_text(browser, probe_page):
    page = GraphPage(browser, probe_page)
    try:
        assert page.js("Object.keys(kg.network.body.nodes).length") == 7
        assert page.painted_pixels() > 500
        assert page.js("document.querySelectorAll('script').length") == 3
        therapy = page.js("l => kg.data.nodes.findIndex(n => n[1] === l)", IMG)
        # hover: the tooltip shows the label and synonyms as text
        x, y = page.node_point(therapy)
        page.page.mouse.move(x, y)
        page.page.wait_for_selector("#tooltip:not([hidden])", timeout=5000)
        tip = page.js("document.getElementById('tooltip').textContent")
        assert IMG in tip and SCRIPT in tip and QUOTE in tip
        # click: the side panel lists the quotes as text
        page.page.mouse.click(x, y)
        page.page.wait_for_selector("#details:not([hidden])", timeout=5000)
        details = page.js("document.getElementById('details').textContent")
        assert IMG in details and QUOTE in details and COMPANY in details
        # search for the probe itself: found by its synonym, shown as text
        page.page.fill("#search-box", "</script>")
        page.page.wait_for_selector("#search-results:not([hidden]) button", timeout=5000)
        assert SCRIPT in page.js("document.getElementById('search-results').textContent")
        # no probe became an element anywhere in the page, and none ran
        assert page.js("document.querySelectorAll('img, svg, iframe, object, embed').length") == 0
        assert page.js("document.querySelectorAll('script').length") == 3
        page.page.wait_for_timeout(200)
        page.assert_clean()
    finally:
        page.close()


def test_search_finds_an_entity_by_its_synonym(browser, real_page):
    # yaml: rese-cel (resecabtagene autoleucel; CABA-201)
    page = GraphPage(browser, real_page)
    try:
        assert page.js("Object.keys(kg.network.body.nodes).length") == page.js("kg.data.nodes.length") > 100
        page.page.fill("#search-box", "caba-201")
        first = page.page.wait_for_selector("#search-results button", timeout=5000)
        assert first.text_content().startswith("rese-cel Therapy")
        assert "also called CABA-201" in first.text_content()
        page.page.press("#search-box", "Enter")
        selected = page.js("kg.network.getSelectedNodes()")
        assert [page.js("i => kg.data.nodes[i][0]", i) for i in selected] == ["id:rese-cel"]
        assert page.js("document.querySelector('#details .title').textContent") == "rese-cel"
        page.assert_clean()
    finally:
        page.close()


def test_click_highlights_the_neighbourhood_and_the_class_filter_hides(browser, real_page):
    page = GraphPage(browser, real_page)
    try:
        cd19 = page.node_index("id:cd19")
        # zoomed in on it, as a user would before clicking one node among hundreds (at fit scale they overlap)
        page.js("i => kg.network.moveTo({position: kg.network.getPositions([i])[i], scale: 3})", cd19)
        x, y = page.node_point(cd19)
        page.page.mouse.click(x, y)
        page.page.wait_for_selector("#details:not([hidden])", timeout=5000)
        assert page.js("kg.network.getSelectedNodes()") == [cd19]
        near = set(page.js("i => kg.network.getConnectedNodes(i)", cd19))
        # yaml: Kymriah targets CD19; BCMA is no neighbour of it
        assert page.node_index("id:kymriah") in near and page.node_index("id:bcma") not in near
        colour = "i => { const c = kg.nodes.get(i).color; return typeof c === 'string' ? c : c.background; }"
        assert page.js(colour, page.node_index("id:bcma")).startswith("rgba(190,196,205")
        assert not page.js(colour, page.node_index("id:kymriah")).startswith("rgba(190,196,205")
        # hide every company with the legend's checkbox
        companies = page.js("kg.data.nodes.filter(n => kg.data.classes[n[2]].curie === 'cart:Company').length")
        page.page.uncheck("input[data-cls='cart:Company']")
        assert page.js("kg.nodes.get({filter: n => n.hidden === true}).length") == companies > 5
        page.assert_clean()
    finally:
        page.close()


def test_focus_page_shows_the_neighbourhood_with_its_centre_selected(browser, focus_page):
    # yaml: rese-cel (CABA-201): company Cabaletta Bio, target CD19, trials RESET-SLE, RESET-SSc, RESET-Myositis
    page = GraphPage(browser, focus_page)
    try:
        labels = set(page.js("kg.data.nodes.map(n => n[1])"))
        assert {"rese-cel", "Cabaletta Bio", "CD19", "RESET-SLE", "RESET-SSc", "RESET-Myositis"} <= labels
        assert "Kymriah" not in labels
        assert page.js("Object.keys(kg.network.body.nodes).length") == len(labels)
        page.page.wait_for_selector("#details:not([hidden])", timeout=5000)
        assert page.js("kg.network.getSelectedNodes().map(i => kg.data.nodes[i][0])") == ["id:rese-cel"]
        # hover: the sources' own words, with the source named (text 000, first paragraph)
        x, y = page.node_point(page.node_index("id:rese-cel"))
        page.page.mouse.move(x, y)
        page.page.wait_for_selector("#tooltip:not([hidden])", timeout=5000)
        # (up to three quotes, in the order of their sources' names: each is a quote of a claim about rese-cel)
        quotes = page.js("[...document.querySelectorAll('#tooltip blockquote')].map(q => q.textContent)")
        said = page.js("i => kg.data.details[i].claims.filter(c => c[3]).map(c => '\u201c' + c[3] + '\u201d')",
                       page.node_index("id:rese-cel"))
        assert quotes and len(quotes) <= 3 and set(quotes) <= set(said), quotes
        # text 000, first paragraph, is among the claims the side panel lists
        assert "resecabtagene autoleucel (rese-cel), a CAR T therapy" in " ".join(said)
        ARTIFACTS.mkdir(exist_ok=True)
        page.page.screenshot(path=str(ARTIFACTS / "graph-focus.png"))
        page.assert_clean()
    finally:
        page.close()


def test_focus_page_draws_the_deprecated_developer_link_as_disputed_with_its_reason(browser, focus_page):
    # seeds/news-000-rese-cel-autoimmune.tsv:91 claims Bristol Myers Squibb develops rese-cel;
    # seeds/curation.tsv rejects it, having consulted the ACR 2025 abstract and Cabaletta's 10-K.
    page = GraphPage(browser, focus_page)
    try:
        rese, bms = page.node_index("id:rese-cel"), page.node_index("id:bristol-myers-squibb")
        assert bms >= 0, "the page around rese-cel shows the company a source claims as its developer"
        edge = page.js("""([a, b]) => { const i = kg.data.edges.findIndex(e => e[0] === a && e[1] === b
                                          && kg.data.properties[e[2]] === 'developed by'); return i; }""", [rese, bms])
        assert edge >= 0
        drawn = page.js("i => kg.edges.get(i)", edge)
        assert drawn["dashes"] and drawn["color"]["color"] == "#c0392b", drawn
        assert "rejected by curation" in page.js("i => kg.data.edges[i][5]", edge)
        # hover the link (on its curve), moving along it, at a point nearest its middle where no other link
        # is within hovering distance: the tooltip says it is disputed, and why. Around rese-cel other links
        # lie along it (its trial in multiple sclerosis, the company's own links), so the company is moved
        # clear of them first.
        page.js("""([a, b]) => { const p = kg.network.getPositions([a])[a];
            kg.network.moveNode(b, p.x - 600, p.y - 600); kg.network.fit(); }""", [rese, bms])
        points = page.js("""i => { const r = document.getElementById('graph').getBoundingClientRect();
            // vis-network hovers the links within 10 canvas units of the pointer (Edge.isOverlappingWith),
            // and a node drawn over the link takes the pointer first
            const edges = Object.values(kg.network.body.edges);
            const alone = p => edges.every(e => e.id === i || !e.isOverlappingWith(
                {left: p.x, right: p.x, top: p.y, bottom: p.y})) && kg.network.getNodeAt(kg.network.canvasToDOM(p)) === undefined;
            for (const t of [0.5, 0.55, 0.45, 0.6, 0.4, 0.65, 0.35, 0.7, 0.3, 0.75, 0.25, 0.8, 0.2, 0.85]) {
              const a = kg.network.body.edges[i].edgeType.getPoint(t - 0.02);
              const b = kg.network.body.edges[i].edgeType.getPoint(t);
              if (alone(a) && alone(b)) {
                const da = kg.network.canvasToDOM(a), db = kg.network.canvasToDOM(b);
                return [[r.left + da.x, r.top + da.y], [r.left + db.x, r.top + db.y]];
              }
            }
            return null; }""", edge)
        assert points, "no point of the link is the link under the pointer"
        page.page.mouse.move(*points[0])
        page.page.mouse.move(*points[1])
        # the tooltip of the link itself (one of a link hovered on the way may show first)
        page.page.wait_for_function("""() => { const t = document.getElementById('tooltip');
            return !t.hidden && t.textContent.includes('developed by'); }""", timeout=5000)
        tip = page.js("document.getElementById('tooltip').textContent")
        assert "disputed" in tip and "rejected by curation" in tip and "src:acr-2025-abstract-2468-reset-sle" in tip, tip
        # the side panel of rese-cel lists the link as disputed with the reason
        details = page.js("document.getElementById('details').textContent")
        assert "developed by → Bristol Myers Squibb (disputed)" in details, details
        assert "rejected by curation" in details
        # the accepted developer stays a plain link
        caba = page.node_index("id:cabaletta-bio")
        accepted = page.js("""([a, b]) => kg.data.edges.find(e => e[0] === a && e[1] === b
                                                   && kg.data.properties[e[2]] === 'developed by')""", [rese, caba])
        assert accepted[5] == ""
        page.assert_clean()
    finally:
        page.close()


def test_a_large_page_draws_at_its_precomputed_positions(browser, tmp_path):
    from test_viz import synthetic

    out = tmp_path / "large.html"
    out.write_text(viz.render(synthetic(1500), "large"), encoding="utf-8")
    page = GraphPage(browser, out)
    try:
        assert page.js("Object.keys(kg.network.body.nodes).length") == 1500
        assert page.js("kg.network.physics.physicsEnabled") is False
        first = page.js("kg.data.nodes[0]")
        assert page.js("kg.network.getPositions([0])[0]") == {"x": first[3], "y": first[4]}
        assert page.painted_pixels() > 2000
        # zoomed out, no edge carries its label (vis-network would measure them all on every frame);
        # zoomed in with the wheel, the edges in view get theirs
        assert page.js("kg.edges.get({filter: e => !!e.label}).length") == 0
        x, y = page.node_point(page.node_index("id:t0"))
        page.page.mouse.move(x, y)
        for _ in range(12):
            page.page.mouse.wheel(0, -400)
            page.page.wait_for_timeout(30)
        page.page.wait_for_function("() => kg.edges.get({filter: e => !!e.label}).length > 0", timeout=5000)
        assert page.js("kg.network.getScale()") >= 0.5
        assert set(page.js("kg.edges.get({filter: e => !!e.label}).map(e => e.label)")) == {"targets"}
        page.assert_clean()
    finally:
        page.close()


def test_keep_a_screenshot_of_the_whole_graph(browser, real_page):
    page = GraphPage(browser, real_page)
    try:
        ARTIFACTS.mkdir(exist_ok=True)
        page.page.screenshot(path=str(ARTIFACTS / "graph.png"))
        assert (ARTIFACTS / "graph.png").stat().st_size > 10_000
        shutil.copy(real_page, ARTIFACTS / "graph.html")
    finally:
        page.close()
