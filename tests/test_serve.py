"""`kg serve`, the web app, over a real uvicorn server on 127.0.0.1: time limit, refusals, read-only, bad input."""

from __future__ import annotations

import json
import shutil
import stat
import subprocess
import tempfile
import time
import urllib.parse
from pathlib import Path

import pytest
from web_server import WITHOUT_WRITE, App

pytestmark = pytest.mark.server

ROOT = Path(__file__).resolve().parent.parent
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"
LIMIT = 3.0


@pytest.fixture(scope="module")
def app(built):
    with App(built.root, built.build, ("--time-limit", str(LIMIT))) as running:
        yield running


@pytest.fixture(scope="module")
def roomy_app(built):
    """The server with its default time limit: for tests of what pages answer, not of how fast. The whole
    graph's page is read from the store once a worker, in about 3 s here, which LIMIT would cut short."""
    with App(built.root, built.build) as running:
        yield running


def sparql(app: App, query: str, accept: str = "application/sparql-results+json", timeout: float = 60):
    return app.get("/sparql?" + urllib.parse.urlencode({"query": query}), headers={"Accept": accept}, timeout=timeout)


def test_runaway_query_is_stopped_at_the_time_limit_and_the_next_request_is_answered_at_once(app):
    started = time.monotonic()
    status, _, body = sparql(app, RUNAWAY)
    took = time.monotonic() - started
    assert status == 503
    assert "time limit of 3 s" in body.decode()
    assert took < LIMIT + 2, f"the runaway query held the request for {took:.1f} s"
    started = time.monotonic()
    status, _, body = sparql(app, "SELECT DISTINCT ?label WHERE { id:rese-cel rdfs:label ?label }")
    assert status == 200
    assert time.monotonic() - started < 1.0
    # seeds/reference-autoimmune-programs.tsv: id:rese-cel rdfs:label rese-cel
    assert [b["label"]["value"] for b in json.loads(body)["results"]["bindings"]] == ["rese-cel"]


def test_runaway_query_in_a_canned_form_field_cannot_happen_but_the_editor_one_says_so(app):
    status, _, body = app.get("/sparql", data=urllib.parse.urlencode({"query": RUNAWAY}).encode(),
                              headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 503 and b"time limit" in body


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    "select * where { service silent <http://example.org/sparql> { ?s ?p ?o } }",
])
def test_service_is_refused_through_sparql(app, query):
    status, _, body = sparql(app, query)
    assert status == 400
    assert "SERVICE (federated query) is refused" in body.decode()


def test_updates_never_reach_the_store(app):
    update = "INSERT DATA { <http://example.org/a> <http://example.org/b> <http://example.org/c> }"
    assert sparql(app, update)[0] == 400
    status, _, _ = app.get("/sparql", data=urllib.parse.urlencode({"update": update}).encode(),
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 403
    status, _, _ = app.get("/sparql", data=update.encode(), headers={"Content-Type": "application/sparql-update"})
    assert status == 403
    status, _, body = sparql(app, "ASK { <http://example.org/a> ?p ?o }")
    assert json.loads(body)["boolean"] is False


def test_sparql_protocol_formats(app):
    query = "SELECT ?code WHERE { id:rese-cel cart:codeName ?code } ORDER BY ?code"
    status, headers, body = sparql(app, query, "text/csv")
    assert status == 200 and headers["content-type"].startswith("text/csv")
    # seeds/reference-autoimmune-programs.tsv:690: id:rese-cel cart:codeName CABA-201
    assert "CABA-201" in body.decode().splitlines()
    status, _, body = app.get("/sparql", data=query.encode(), headers={"Content-Type": "application/sparql-query"})
    assert status == 200 and json.loads(body)["head"]["vars"] == ["code"]


def test_syntax_error_is_shown_at_line_and_column(app):
    status, _, body = sparql(app, "SELECT * WHERE {\n  ?s ?p\n}")
    assert status == 400
    assert body.decode().startswith("line 3, column ")


def test_search_finds_a_code_name(app):
    status, _, body = app.get("/api/suggest?q=CABA-201")
    assert status == 200
    found = json.loads(body)
    # seeds/reference-autoimmune-programs.tsv:690: id:rese-cel cart:codeName CABA-201
    assert found[0]["curie"] == "id:rese-cel" and found[0]["matched"] == "CABA-201"
    status, _, body = app.get("/search?q=caba%20201")
    assert status == 200 and b'href="/entity/id:rese-cel"' in body


def test_entity_page_shows_facts_with_sources_and_quotes(app):
    status, headers, body = app.get("/entity/id:rese-cel")
    text = body.decode()
    assert status == 200
    assert "script-src 'self'" in headers["content-security-policy"]
    # seeds/news-000-rese-cel-autoimmune.tsv:103: id:reset-sle cart:evaluates id:rese-cel: linked from the trial
    assert 'href="/entity/id:reset-sle"' in text
    # the same file: id:rese-cel a cart:Therapy, with the source's words
    assert "<blockquote>resecabtagene autoleucel (rese-cel), a CAR T therapy</blockquote>" in text
    # seeds/reference-autoimmune-programs.tsv:690, from src:eular-2025-abstract-op0338 and others: the code
    # name once (every source under it), and once more as the synonym the rules infer from it
    assert text.count('<td>CABA-201</td>') == 1
    assert text.count('<td>CABA-201<span class="badge">inferred</span></td>') == 1
    assert "inferred by the rules" in text and 'href="/entity/graph:' not in text  # no link to a page that is not there
    # seeds/reference-autoimmune-programs.tsv:257: the Fast Track decision about rese-cel, dated 2023-05-01
    assert ('<li><time>2023-05-01</time> <a href="/entity/id:decision-rese-cel-fda-fast-track-sle-ln-2023"'
            in text)
    status, _, body = app.get("/entity/id:reset-sle")
    assert "three patients with systemic lupus erythematosus (SLE) achieved disease remission" in body.decode()


def test_unknown_entity_and_query_are_404_pages_with_the_nearest_names(app):
    status, _, body = app.get("/entity/id:rese-ce")
    assert status == 404 and b'href="/entity/id:rese-cel"' in body
    status, _, body = app.get("/queries/trails")
    assert status == 404 and b'href="/queries/trials"' in body
    status, _, body = app.get("/no/such/page")
    assert status == 404


def test_wrong_typed_parameter_gives_the_form_again_with_the_fields_error(app):
    status, _, body = app.get("/queries/approvals-timeline?run=1&since=2024-13-45&regulator=FDA")
    text = body.decode()
    assert status == 400
    assert '<div class="error" role="alert">parameter since: &#39;2024-13-45&#39; is not a date (YYYY-MM-DD)</div>' in text
    assert 'value="FDA"' in text  # what the user typed stays in the form
    assert 'id="results"' not in text


def test_xss_probes_in_parameters_are_shown_as_text(app):
    for probe in ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "javascript:alert(1)"):
        status, _, body = app.get("/queries/entity?" + urllib.parse.urlencode({"run": "1", "name": probe}))
        text = body.decode()
        assert "<script>alert" not in text and "<img src=x" not in text
        assert 'href="javascript:' not in text
        status, _, body = app.get("/search?" + urllib.parse.urlencode({"q": probe}))
        assert "<script>alert" not in body.decode() and "<img src=x" not in body.decode()
        status, _, body = app.get("/entity/" + urllib.parse.quote(probe))
        assert status == 404 and "<script>alert" not in body.decode() and "<img src=x" not in body.decode()


@pytest.mark.parametrize("name,params", [("trials", {}), ("approvals-timeline", {"regulator": "FDA"}),
                                         ("entity", {"name": "CABA-201"})])
@pytest.mark.parametrize("fmt", ["csv", "tsv", "json", "xml"])
def test_downloads_are_the_bytes_of_kg_query(app, run, built, name, params, fmt):
    status, headers, body = app.get(f"/queries/{name}/download.{fmt}?" + urllib.parse.urlencode(params))
    assert status == 200
    args = ["query", name, "--format", fmt] + [a for k, v in params.items() for a in ("-p", f"{k}={v}")]
    cli = run(*args, env={"KG_BUILD_DIR": str(built.build), "KG_PROJECT": str(built.root)})
    assert cli.exit_code == 0
    assert body == cli.stdout_bytes
    assert len(body.splitlines()) > 1


def test_form_shows_the_kg_query_command_line(app):
    status, _, body = app.get("/queries/approvals-timeline?run=1&regulator=FDA")
    assert status == 200
    assert b"kg query approvals-timeline -p regulator=FDA --format csv" in body


def test_pages_answer(roomy_app):
    for path in ("/", "/queries", "/landscape", "/landscape?by=disease", "/editor", "/graph",
                 "/graph?focus=id:rese-cel", "/static/app.js", "/static/app.css"):
        status, headers, _ = roomy_app.get(path)
        assert status == 200, path
        assert "content-security-policy" in {k.lower() for k in headers}, path


def test_landscape_places_programs_by_stage(app):
    status, _, body = app.get("/landscape")
    text = body.decode()
    assert status == 200
    # seeds/reference-approved-products.tsv: Abecma's FDA approval (id:decision-abecma-fda-approval-2021)
    assert 'href="/entity/id:decision-abecma-fda-approval-2021"' in text


def _readable_copy(built) -> Path:
    """The project and its build copied where another user can read it, with every write bit removed."""
    folder = Path(tempfile.mkdtemp(prefix="kg-readonly-"))
    for name in ("ontology", "seeds", "queries"):
        shutil.copytree(ROOT / name, folder / name)
    shutil.copytree(built.build, folder / "build", symlinks=True)
    for path in [folder, *folder.rglob("*")]:
        if path.is_symlink():
            continue
        mode = path.stat().st_mode
        path.chmod((mode | stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH | (0o555 if path.is_dir() else 0))
                   & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    return folder


@pytest.mark.skipif(not shutil.which("setpriv"), reason="needs setpriv (util-linux)")
def test_serves_from_a_read_only_build(built):
    folder = _readable_copy(built)
    try:
        before = sorted(str(p) for p in folder.rglob("*"))
        # The control: the server's process could not write there even if it tried.
        for where in (folder / "build", folder / "build" / "stores", folder / "build" / "current"):
            denied = subprocess.run([*WITHOUT_WRITE, "touch", str(where / "probe")], capture_output=True)
            assert denied.returncode != 0 and b"Permission denied" in denied.stderr
        with App(folder, None, without_write=True) as running:
            assert running.get("/")[0] == 200
            status, _, body = running.get("/entity/id:rese-cel")
            assert status == 200 and b"CABA-201" in body
            status, _, body = running.get("/queries/trials/download.csv")
            assert status == 200 and body.startswith(b"trial,")
            status, _, body = sparql(running, "SELECT (COUNT(*) AS ?n) WHERE { ?s a cart:Therapy }")
            assert status == 200
        assert sorted(str(p) for p in folder.rglob("*")) == before
    finally:
        for path in [folder, *folder.rglob("*")]:
            if not path.is_symlink():
                path.chmod(path.stat().st_mode | stat.S_IWUSR)
        shutil.rmtree(folder)


def test_a_new_build_is_served_at_the_next_request(project, tmp_path):
    from kg import build as build_mod

    build_mod.build(project)
    with App(project.root, None) as running:
        status, _, body = running.get("/entity/id:rese-cel")
        assert status == 200 and b"CABA-201X" not in body
        assert running.get("/api/suggest?q=CABA-201X")[2] == b"[]"
        table = project.seeds / "reference-autoimmune-programs.tsv"
        text = table.read_text(encoding="utf-8")
        assert "\tCABA-201\t" in text
        table.write_text(text.replace("\tCABA-201\t", "\tCABA-201X\t"), encoding="utf-8")
        build_mod.build(project)
        # the same addresses answered again: neither the worker's name index nor the page cache is stale
        status, _, body = running.get("/api/suggest?q=CABA-201X")
        assert status == 200 and json.loads(body)[0]["curie"] == "id:rese-cel"
        assert b"CABA-201X" in running.get("/entity/id:rese-cel")[2]


def test_remote_binding_needs_allow_remote(run, built):
    result = run("serve", "--host", "0.0.0.0", "--port", "0", env={"KG_BUILD_DIR": str(built.build)})
    assert result.exit_code == 2
    assert "--allow-remote" in result.stderr


def test_a_ctrl_c_while_the_addresses_are_written_stops_it_cleanly(run, built, monkeypatch):
    # The address answers from the moment the first line is out (the socket listens from then on), so a
    # Ctrl-C can come while the next lines are written: "stopped" and exit 0, as for one a minute later
    # (it was "interrupted", exit 130). The interrupt is raised where the signal handler raises it.
    import signal

    import click

    real_echo = click.echo

    def echo(message=None, *args, **kwargs):
        real_echo(message, *args, **kwargs)
        if str(message).startswith("serving the graph"):
            raise KeyboardInterrupt

    handlers = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    monkeypatch.setattr(click, "echo", echo)
    try:
        result = run("serve", "--port", "0", env={"KG_BUILD_DIR": str(built.build)})
    finally:
        signal.signal(signal.SIGINT, handlers[0])
        signal.signal(signal.SIGTERM, handlers[1])
    assert result.stdout.startswith("serving the graph read-only at http://127.0.0.1:")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.strip().splitlines()[-1] == "stopped"


@pytest.mark.parametrize("name", sorted(p.stem for p in (ROOT / "queries").glob("*.rq")))
def test_every_canned_question_is_a_form_that_runs_with_its_defaults(app, name):
    from kg.catalogue import find_query
    from kg.paths import Paths

    rq = find_query(Paths(ROOT), name)
    status, _, body = app.get(f"/queries/{name}")
    text = body.decode()
    assert status == 200
    for param in rq.params.values():
        assert f'name="{param.name}"' in text
    status, _, body = app.get(f"/queries/{name}?run=1")
    assert status == 200, body.decode()[-500:]
    assert 'id="results"' in body.decode()


def test_entity_field_suggestions_keep_to_the_parameters_class(app):
    # queries/approvals-timeline.rq: regulator is an entity of class cart:Regulator
    status, _, body = app.get("/queries/approvals-timeline")
    assert 'data-class="cart:Regulator"' in body.decode()
    anything = json.loads(app.get("/api/suggest?q=fda")[2])
    regulators = json.loads(app.get("/api/suggest?q=fda&class=cart:Regulator")[2])
    # seeds/reference-approved-products.tsv: id:fda is the regulator of Abecma's decisions
    assert regulators[0]["curie"] == "id:fda"
    assert {r["curie"] for r in regulators} < {r["curie"] for r in anything}


def test_a_contested_fact_shows_who_disputes_it_and_their_words(app):
    status, _, body = app.get("/entity/id:ars-technica")
    text = body.decode()
    assert status == 200
    # seeds/news-003-car-t-reset-immune.tsv:4 types id:ars-technica a cart:ScientificJournal, which the
    # reference rows (src:handwiki-ars-technica: a cart:NewsWebsite) contradict: both sides are shown
    assert '<span class="badge warn">contested</span>' in text
    assert ('disputed by <a href="/entity/src:news-003-car-t-reset-immune"' in text
            and "<q>According to a recent study published in the journal *Ars Technica*</q>" in text)
    assert 'disputed by <a href="/entity/src:handwiki-ars-technica"' in text


def test_enter_in_the_search_box_goes_to_the_one_entity_the_text_names(app):
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", app.port, timeout=30)
    # seeds/reference-autoimmune-programs.tsv:690: CABA-201 is rese-cel's code name (source titles mention it too)
    connection.request("GET", "/search?q=caba-201&go=1")
    response = connection.getresponse()
    response.read()
    assert response.status == 303 and response.getheader("location") == "/entity/id:rese-cel"
    connection.request("GET", "/search?q=caba&go=1")  # names several entities: the list of them
    response = connection.getresponse()
    assert response.status == 200 and b'href="/entity/id:rese-cel"' in response.read()


def test_a_changed_query_file_is_read_again_and_a_broken_one_is_one_line(project):
    from kg import build as build_mod

    build_mod.build(project)
    with App(project.root, None) as running:
        assert b"Trials by phase" in running.get("/queries/trials")[2]
        path = project.queries / "trials.rq"
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("#+ summary: Trials by phase", "#+ summary: Registered trials by phase", 1),
                        encoding="utf-8")
        assert b"Registered trials by phase" in running.get("/queries/trials")[2]
        path.write_text(text.replace("ORDER BY", "# ORDER BY"), encoding="utf-8")
        status, _, body = running.get("/queries")
        assert status == 500
        assert b"queries/trials.rq:" in body and b"add an ORDER BY" in body and b"Traceback" not in body


def test_every_link_on_the_main_pages_leads_somewhere(roomy_app):
    import html
    import re

    seen: set[str] = set()
    for start in ("/", "/entity/id:rese-cel", "/entity/id:kymriah", "/landscape", "/landscape?by=disease",
                  "/queries", "/queries/approvals-timeline?run=1", "/search?q=lupus"):
        body = roomy_app.get(start)[2].decode()
        seen |= {html.unescape(h) for h in re.findall(r'href="(/[^"]*)"', body)}
    seen = {h for h in seen if "/download." not in h}  # downloads are checked byte for byte above
    broken = [h for h in sorted(seen) if roomy_app.get(h)[0] != 200]
    assert len(seen) > 100 and broken == []


def test_every_entity_of_the_graph_has_a_page(app):
    query = "SELECT DISTINCT ?s WHERE { ?s a ?c FILTER(isIRI(?s)) FILTER NOT EXISTS { ?s a cart:Claim } } ORDER BY ?s"
    status, _, body = sparql(app, query)
    iris = [b["s"]["value"] for b in json.loads(body)["results"]["bindings"]]
    assert len(iris) > 300
    failed = []
    for iri in iris:
        status, _, _ = app.get("/entity/" + urllib.parse.quote(iri, safe=":/"))
        if status != 200:
            failed.append((iri, status))
    assert failed == []


def test_a_request_for_another_host_name_is_refused(app):
    # A page elsewhere whose name was rebound to 127.0.0.1 would send its own name as Host.
    status, _, body = app.get("/entity/id:rese-cel", headers={"Host": "attacker.example"})
    assert status == 400 and b"unknown Host header" in body
    assert app.get("/", headers={"Host": f"localhost:{app.port}"})[0] == 200
    assert app.get("/", headers={"Host": f"127.0.0.1:{app.port}"})[0] == 200


def test_a_claims_rank_and_reason_are_shown_when_the_graph_has_them(project):
    """The statement model ranks claims (cart:rank, cart:reasonText); here one is ranked by a Turtle seed file."""
    import pyoxigraph as ox

    from kg import build as build_mod
    from kg.seeds import claim_iri
    from kg.vocab import CART, ID, RDF_TYPE, SRC

    # seeds/news-003-car-t-reset-immune.tsv:4: id:ars-technica a cart:ScientificJournal
    claim = claim_iri(ID + "ars-technica", RDF_TYPE, ox.NamedNode(CART + "ScientificJournal"),
                      SRC + "news-003-car-t-reset-immune", False)
    (project.seeds / "ranks.ttl").write_text(
        "@prefix cart: <https://w3id.org/cartkg/ontology#> .\n"
        f"<{claim.value}> cart:rank cart:DeprecatedRank ; cart:reasonText \"<b>contradicted</b> by two reference pages\" .\n",
        encoding="utf-8")
    build_mod.build(project)
    with App(project.root, None) as running:
        status, _, body = running.get("/entity/id:ars-technica")
    text = body.decode()
    assert status == 200
    assert 'rank: <a href="/entity/cart:DeprecatedRank" title="cart:DeprecatedRank">deprecated</a>' in text
    assert '<div class="reason">reason: &lt;b&gt;contradicted&lt;/b&gt; by two reference pages</div>' in text


def test_the_listening_socket_lets_asyncio_turn_off_nagle():
    """Regression: a socket made without IPPROTO_TCP kept Nagle on, and small answers waited 40 ms for an ACK."""
    import asyncio.base_events
    import socket

    from kg.web.server import _listen

    sock = _listen("127.0.0.1", 0)
    try:
        assert sock.proto == socket.IPPROTO_TCP
        accepted = socket.create_connection(sock.getsockname())
        conn, _ = sock.accept()
        asyncio.base_events._set_nodelay(conn)  # what asyncio's transport does with an accepted connection
        assert conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
        conn.close()
        accepted.close()
    finally:
        sock.close()


def test_small_answers_on_a_kept_alive_connection_do_not_wait_for_a_delayed_ack(app):
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", app.port, timeout=30)
    took = []
    for _ in range(15):
        started = time.perf_counter()
        connection.request("GET", "/static/app.css")
        connection.getresponse().read()
        took.append(time.perf_counter() - started)
    assert sorted(took)[len(took) // 2] < 0.035  # 40 ms and more each with Nagle on


def test_a_sources_page_lists_what_it_states(app):
    status, _, body = app.get("/entity/src:news-000-rese-cel-autoimmune")
    text = body.decode()
    assert status == 200 and "<h2>What this source states</h2>" in text
    # seeds/news-000-rese-cel-autoimmune.tsv:103: id:reset-sle cart:evaluates id:rese-cel, from this source
    row = ('<tr><td><a href="/entity/id:reset-sle" title="id:reset-sle">RESET-SLE</a></td><td><a href="/entity/cart:evaluates"'
           ' title="cart:evaluates">')
    assert row in text
    assert "/entity/id:claim/" not in text  # the claim records are provenance, not what the source states
