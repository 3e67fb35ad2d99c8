"""The timeline page: its events from the graph, and the page in headless Chromium (offline, probes shown as text)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from browser_page import Opened, chromium
from viz_probe import IMG, SCRIPT, build_dir, make_probe_project

from kg import timeline
from kg.engine import LocalEngine

ROOT = Path(__file__).resolve().parent.parent
PROBE_ROWS = [
    ("id:probe-decision", "a", "cart:RegulatoryDecision"),
    ("id:probe-decision", "rdfs:label", SCRIPT),
    ("id:probe-decision", "cart:decisionFor", "id:probe-therapy"),
    ("id:probe-decision", "cart:decisionType", "cart:Approval"),
    ("id:probe-decision", "cart:decidedBy", "id:probe-regulator"),
    ("id:probe-regulator", "a", "cart:Regulator"),
    ("id:probe-regulator", "rdfs:label", "Probe agency"),
    ("id:probe-decision", "cart:indication", "id:probe-disease"),
    ("id:probe-decision", "cart:decisionDate", "2024-03"),
    ("id:probe-trial", "cart:startDate", "2022-05-17"),
    ("src:probe", "cart:url", "javascript:alert(5)"),
]


def _data(page: Path) -> dict:
    text = page.read_text(encoding="utf-8")
    return json.loads(re.search(r'<script type="application/json" id="data">(.*?)</script>', text, re.S).group(1))


@pytest.fixture(scope="module")
def real_page(built, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("timeline") / "timeline.html"
    timeline.write_page(LocalEngine(built), out)
    return out


@pytest.fixture(scope="module")
def probe_page(tmp_path_factory) -> Path:
    from kg import build as build_mod

    folder = tmp_path_factory.mktemp("probe")
    paths = make_probe_project(folder)
    table = folder / "seeds" / "probe.tsv"
    table.write_text(table.read_text(encoding="utf-8") + "".join(
        f"{s}\t{p}\t{o}\tsrc:probe\t\tverified\n" for s, p, o in PROBE_ROWS), encoding="utf-8")
    with build_dir(folder / "build"):
        build_mod.build(paths)
        out = folder / "timeline.html"
        timeline.write_page(LocalEngine(paths), out, title=SCRIPT)
    return out


def test_real_page_holds_the_curated_events(real_page):
    events = _data(real_page)["events"]
    # seeds/reference-approved-products.tsv:206-208: Aucatzyl's FDA approval, 2024-11-08.
    aucatzyl = [e for e in events if e["date"] == "2024-11-08" and e["kind"] == "approval"]
    assert [(e["therapies"], e["targets"]) for e in aucatzyl] == [(["Aucatzyl"], ["CD19"])]
    # seeds/field-approvals.tsv: the PMC paper gives ARI-0001's AEMPS authorisation as February 2021 (month precision).
    ari = [e for e in events if "ARI-0001" in e["label"] and e["date"] == "2021-02-01"]
    assert ari and ari[0]["shown"] == "2021-02" and ari[0]["precision"] == "month"
    assert {e["kind"] for e in events} >= {"approval", "designation", "trial start", "readout", "deal"}


def test_decisions_are_drawn_as_the_kind_they_are(real_page):
    events = {(e["label"], e["date"]): e["kind"] for e in _data(real_page)["events"]}
    # seeds/field-approvals-worldwide.tsv:84,86: the MHRA's Promising Innovative Medicine designation of obe-cel, 2021-08-09.
    pim = [kind for (label, date), kind in events.items() if date == "2021-08-09" and "Promising Innovative" in label]
    assert pim == ["designation"]
    # seeds/field-approvals-worldwide.tsv:449,452: Fosun Pharma's announcement of 2025-09-24 says the NMPA accepted the
    # application for brexu-cel in adult B-ALL: an acceptance for review, neither an approval nor a designation.
    accepted = [kind for (label, date), kind in events.items() if date == "2025-09-24" and "brexucabtagene" in label]
    assert accepted == ["other decision"]


def test_page_is_self_contained(real_page):
    text = real_page.read_text(encoding="utf-8")
    assert "Content-Security-Policy" in text and "default-src 'none'" in text
    assert not re.search(r'<(script|link|img)[^>]+(src|href)=', text)


def test_cli_writes_the_timeline(built, run, tmp_path):
    out = tmp_path / "t.html"
    result = run("timeline", "-o", str(out))
    assert result.exit_code == 0 and "dated events" in result.stdout
    before = run("timeline", "-o", str(tmp_path / "old.html"), "--as-of", "2020-01-01")
    assert before.exit_code == 0
    assert len(_data(tmp_path / "old.html")["events"]) < len(_data(out)["events"])
    assert max(e["date"] for e in _data(tmp_path / "old.html")["events"] if e["kind"] == "approval") <= "2020-01-01"


# ---------------------------------------------------------------- in Chromium


@pytest.fixture(scope="module")
def browser():
    yield from chromium()


def opened(browser, path: Path) -> Opened:
    """The timeline page opened from a file, ready once it has drawn its events."""
    return Opened(browser, path, ready_selector="body[data-ready='1']")


@pytest.mark.browser
def test_timeline_draws_and_filters_in_chromium(browser, real_page):
    page = opened(browser, real_page)
    try:
        events = len(_data(real_page)["events"])
        assert page.js("document.querySelectorAll('#axis .dot').length") == events
        assert page.js("document.querySelectorAll('#list li').length") == events
        box = page.js("document.getElementById('axis').getBoundingClientRect().height")
        assert box > 100
        approvals = page.js("document.querySelectorAll('#list li[data-kind=\"approval\"]').length")
        assert approvals > 0
        page.page.uncheck("input[data-kind='approval']")
        assert page.js("document.querySelectorAll('#list li').length") == events - approvals
        page.page.check("input[data-kind='approval']")
        page.page.select_option("#target", "CD19")
        with_cd19 = sum(1 for e in _data(real_page)["events"] if "CD19" in e["targets"])
        assert page.js("document.querySelectorAll('#list li').length") == with_cd19 > 0
        page.page.select_option("#target", "")
        page.page.select_option("#disease", "multiple myeloma")
        mm = sum(1 for e in _data(real_page)["events"] if "multiple myeloma" in e["diseases"])
        assert page.js("document.querySelectorAll('#axis .dot').length") == mm > 0
        page.page.click("#axis .dot")
        assert page.js("document.querySelectorAll('#list li.selected').length") == 1
        page.page.select_option("#disease", "")
        shots = ROOT / "test-artifacts"
        shots.mkdir(exist_ok=True)
        page.page.screenshot(path=str(shots / "timeline.png"))
        page.assert_clean()
    finally:
        page.context.close()


@pytest.mark.browser
def test_timeline_probes_stay_text(browser, probe_page):
    page = opened(browser, probe_page)
    try:
        listed = page.js("document.getElementById('list').textContent")
        assert SCRIPT in listed and IMG in listed  # the decision's label, and its therapy's
        assert page.js("document.title") == SCRIPT
        assert page.js("document.querySelectorAll('img, svg, #list script').length") == 0
        assert page.js("document.querySelectorAll('script').length") == 2
        # a source URL that is not http(s) is shown as text, never a link
        assert page.js("document.querySelectorAll('#list a').length") == 0
        assert "2024-03" in listed and "2024-03-01" not in listed  # shown at month precision
        assert "2022-05-17" in listed
        page.assert_clean()
    finally:
        page.context.close()
