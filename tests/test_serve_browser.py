"""The web app of `kg serve` in a real browser: Debian's headless Chromium against a real server on 127.0.0.1."""

from __future__ import annotations

import pytest
from browser_page import Tab, chromium
from viz_probe import COMPANY, IMG, QUOTE, SCRIPT, build_probe_project
from web_server import App

pytestmark = [pytest.mark.browser, pytest.mark.server]


@pytest.fixture(scope="module")
def browser():
    yield from chromium()


@pytest.fixture(scope="module")
def app(built):
    with App(built.root, built.build) as running:
        yield running


@pytest.fixture(scope="module")
def probe_app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("probe")
    probe = build_probe_project(folder)
    # Its own build folder by path: Paths.build follows $KG_BUILD_DIR, which the session's `built` fixture sets.
    with App(probe.root, probe.root / "build") as running:
        yield running


class Session(Tab):
    """A browser tab on the app: every request, console message, page error and dialog recorded."""

    def __init__(self, browser, app: App):
        super().__init__(browser, lambda url: url.startswith(app.url + "/"), width=1300, height=900,
                         whole_context=True, accept_downloads=True)
        self.app = app

    def go(self, path: str) -> None:
        self.page.goto(self.app.url + path)

    def text(self, selector: str) -> str:
        return self.page.locator(selector).first.text_content()

    def assert_clean(self) -> None:
        outside = [u for u in self.requests if not u.startswith(self.app.url + "/")]
        assert outside == [], "the page asked for something outside the app's origin"
        self.assert_quiet()


def test_search_entity_trials_question_results_and_csv_download(browser, app, run, built):
    s = Session(browser, app)
    try:
        s.go("/")
        # seeds/reference-autoimmune-programs.tsv:690: id:rese-cel cart:codeName CABA-201
        s.page.fill("#q", "CABA-201")
        first = s.page.wait_for_selector("#suggestions:not([hidden]) li a", timeout=10_000)
        assert first.text_content() == "rese-cel"
        first.click()
        s.page.wait_for_url(app.url + "/entity/id:rese-cel")
        assert s.text("#entity-label") == "rese-cel"
        # seeds/news-000-rese-cel-autoimmune.tsv:103: id:reset-sle cart:evaluates id:rese-cel
        s.page.click('ul[data-property="cart:evaluates"] a[href="/entity/id:reset-sle"]')
        s.page.wait_for_url(app.url + "/entity/id:reset-sle")
        assert s.text("#entity-label") == "RESET-SLE"
        s.page.click('nav a[href="/queries"]')
        s.page.click('a[href="/queries/trials"]')
        # seeds/reference-autoimmune-programs.tsv:744: id:reset-sle cart:phase Phase 1/2
        s.page.fill("#p-phase", "1/2")
        s.page.click("#run")
        s.page.wait_for_selector("#results")
        trials = s.page.locator("#results tbody tr td:first-child").all_text_contents()
        assert "RESET-SLE" in trials
        # the table sorts on a click of its header, both ways
        s.page.click("#results thead th:first-child")
        ascending = s.page.locator("#results tbody tr td:first-child").all_text_contents()
        assert ascending == sorted(ascending, key=str.lower)
        s.page.click("#results thead th:first-child")
        assert s.page.locator("#results tbody tr td:first-child").all_text_contents() == ascending[::-1]
        assert s.text("#command") == "kg query trials -p phase=1/2 --format csv"
        with s.page.expect_download() as caught:
            s.page.click("#download-csv")
        downloaded = open(caught.value.path(), "rb").read()
        cli = run("query", "trials", "-p", "phase=1/2", "--format", "csv",
                  env={"KG_BUILD_DIR": str(built.build), "KG_PROJECT": str(built.root)})
        assert cli.exit_code == 0
        assert downloaded == cli.stdout_bytes and b"https://w3id.org/cartkg/id/reset-sle," in downloaded
        s.assert_clean()
    finally:
        s.close()


def test_sparql_editor_runs_a_query_and_points_at_a_syntax_error(browser, app):
    s = Session(browser, app)
    try:
        s.go("/editor")
        s.page.select_option("#example", "therapies-by-target")
        assert "therapies" in s.page.input_value("#sparql").lower()
        s.page.fill("#sparql", "SELECT ?code WHERE { id:rese-cel cart:codeName ?code } ORDER BY ?code")
        s.page.click("#run-sparql")
        s.page.wait_for_selector("#sparql-results tbody tr")
        # seeds/reference-autoimmune-programs.tsv:690: id:rese-cel cart:codeName CABA-201
        assert "CABA-201" in s.page.locator("#sparql-results tbody td").all_text_contents()
        s.page.fill("#sparql", "SELECT * WHERE {\n  ?s ?p\n}")
        s.page.click("#run-sparql")
        s.page.wait_for_selector("#sparql-error:not([hidden])")
        assert s.text("#sparql-error").startswith("line 3, column ")
        assert s.text("#sparql-error-line").startswith("3 | }")
        # the failed query's 400 is the one console message expected
        s.console = [(k, t) for k, t in s.console if "400" not in t]
        s.assert_clean()
    finally:
        s.close()


def test_every_page_loads_with_nothing_from_outside_and_no_console_error(browser, app):
    s = Session(browser, app)
    try:
        for path in ("/", "/queries", "/queries/approvals-timeline?run=1&regulator=FDA", "/landscape",
                     "/landscape?by=disease", "/editor", "/entity/id:rese-cel", "/search?q=lupus"):
            s.go(path)
            s.page.wait_for_load_state("load")
        s.go("/graph")
        s.page.wait_for_function("() => window.kg && window.kg.drawn", timeout=60_000)
        # the entity page's neighbourhood: the graph page in a frame, allowed by both pages' policies
        s.go("/entity/id:rese-cel")
        s.page.locator("iframe.neighbourhood").scroll_into_view_if_needed()
        frame = s.page.frame_locator("iframe.neighbourhood")
        frame.locator("#graph canvas").wait_for(timeout=60_000)
        s.page.wait_for_timeout(500)
        s.assert_clean()
        assert all(u.startswith(app.url + "/") for u in s.requests) and len(s.requests) > 10
    finally:
        s.close()


def test_xss_probes_in_labels_and_parameters_are_shown_as_text(browser, app, probe_app):
    s = Session(browser, probe_app)
    try:
        s.go("/entity/id:probe-therapy")
        assert s.text("#entity-label") == IMG
        body = s.page.locator("main").text_content()
        assert SCRIPT in body and QUOTE.split(" </")[0] in body
        s.page.fill("#q", "PRB-42")
        s.page.wait_for_selector("#suggestions:not([hidden]) li a")
        assert s.text("#suggestions li a") == IMG
        s.go("/entity/id:probe-company")
        assert s.text("#entity-label") == COMPANY
        assert s.page.evaluate("document.querySelectorAll('main img, main svg, main script').length") == 0
        s.go("/search?q=" + "%3Cscript%3E")
        s.assert_clean()
    finally:
        s.close()
    s = Session(browser, app)
    try:
        for probe in ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "javascript:alert(1)"):
            s.go("/queries/entity")
            s.page.fill("#p-name", probe)
            s.page.click("#run")
            s.page.wait_for_load_state("load")
            shown = s.page.locator("main").text_content()
            assert probe in shown
            assert s.page.evaluate("document.querySelectorAll('main img, main script, a[href^=javascript]').length") == 0
        s.console = [(k, t) for k, t in s.console if "400" not in t]
        s.assert_clean()
    finally:
        s.close()


def test_an_entity_field_suggests_entities_of_its_class(browser, app):
    s = Session(browser, app)
    try:
        s.go("/queries/approvals-timeline")
        s.page.fill("#p-regulator", "fd")
        link = s.page.wait_for_selector("#p-regulator ~ .suggestions:not([hidden]) li a")
        # seeds/reference-approved-products.tsv:180: id:fda decided Abecma's approval
        assert link.get_attribute("data-curie") == "id:fda"
        link.click()
        assert s.page.input_value("#p-regulator") == "id:fda"
        s.page.click("#run")
        s.page.wait_for_selector("#results")
        assert s.page.locator("#results tbody tr").count() > 5
        assert s.text("#command") == "kg query approvals-timeline -p regulator=id:fda --format csv"
        s.assert_clean()
    finally:
        s.close()
