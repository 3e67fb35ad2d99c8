"""The web app: Starlette routes over the query workers, Jinja2 pages (autoescaped), assets from the package."""

from __future__ import annotations

import difflib
import os
import re
import shlex
import threading
import urllib.parse
from collections import OrderedDict
from contextlib import asynccontextmanager
from pathlib import Path

import jinja2
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from kg import catalogue
from kg.errors import InputError, KgError
from kg.params import ParamError, default_text, validate as check
from kg.paths import Paths
from kg.sparqltext import refusals
from kg.web.pool import DEFAULT_TIME_LIMIT, Pool, QueryTimeout, TaskError

HERE = Path(__file__).resolve().parent
# Every asset comes from this package: nothing is fetched from anywhere else, so the app works offline.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "frame-src 'self'; frame-ancestors 'self'; base-uri 'none'; form-action 'self'")
DOWNLOADS = {"csv": "text/csv; charset=utf-8", "tsv": "text/tab-separated-values; charset=utf-8",
             "json": "application/sparql-results+json", "xml": "application/sparql-results+xml"}
_ACCEPT_RESULTS = (("application/sparql-results+json", "json"), ("application/json", "json"),
                   ("application/sparql-results+xml", "xml"), ("application/xml", "xml"), ("text/csv", "csv"),
                   ("text/tab-separated-values", "tsv"))
_ACCEPT_GRAPH = (("text/turtle", "turtle"), ("application/n-triples", "ntriples"), ("application/rdf+xml", "rdfxml"))
MAX_QUERY_CHARS = 100_000


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(HERE / "templates")), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["q"] = lambda value: urllib.parse.quote(str(value), safe=":/")
    return env


class PageCache:
    """Answers already given for the live store: the graph changes only when a build swaps in a new store."""

    def __init__(self, paths: Paths, size: int = 512):
        self.paths, self.size = paths, size
        self.entries: OrderedDict = OrderedDict()
        self.lock = threading.Lock()

    def version(self) -> str:
        return os.path.realpath(self.paths.current_store)

    def get(self, key):
        with self.lock:
            hit = self.entries.get(key)
            if hit is not None:
                self.entries.move_to_end(key)
            return hit

    def put(self, key, value) -> None:
        with self.lock:
            self.entries[key] = value
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)


class Catalogue:
    """The canned queries, reread when a file in queries/ changes (checked by modification time)."""

    def __init__(self, paths: Paths):
        self.paths, self.stamp, self.queries = paths, None, {}

    def get(self) -> dict:
        files = catalogue.query_files(self.paths)
        stamp = tuple((p.name, p.stat().st_mtime_ns) for p in files)
        if stamp != self.stamp:
            self.queries = {rq.name: rq for rq in catalogue.load_catalogue(self.paths)}
            self.stamp = stamp
        return self.queries


def _field_of(message: str, params) -> str | None:
    m = re.search(r"parameter (\w+)", message)
    return m.group(1) if m and m.group(1) in params else None


def kg_command(name: str, given: dict[str, str], fmt: str | None = None) -> str:
    """The `kg query` command line that gives the same answer."""
    words = ["kg", "query", name]
    for key, value in given.items():
        words += ["-p", f"{key}={value}"]
    if fmt:
        words += ["--format", fmt]
    return " ".join(shlex.quote(w) for w in words)


LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})


def create_app(paths: Paths, time_limit: float = DEFAULT_TIME_LIMIT, workers: int = 2,
               hosts: frozenset[str] | None = LOOPBACK_NAMES) -> Starlette:
    """The app over the project's built store; queries run in `workers` processes, each under `time_limit` seconds.

    `hosts`: the names a request's Host header may carry (None: any, for --allow-remote). On loopback only
    these, so a page elsewhere that rebinds its own name to 127.0.0.1 cannot read the graph through the browser.
    """
    templates = Jinja2Templates(env=_environment())
    cache = PageCache(paths)
    pool: dict[str, Pool] = {}
    queries = Catalogue(paths)
    known_prefixes = catalogue.prefixes(paths)

    def cached(handler):
        """Serve a GET page from the cache while the same store and queries are live; only 200 answers are kept."""
        async def serve(request: Request) -> Response:
            queries.get()  # rereads queries/ if a file changed, so the key below is current
            key = (cache.version(), queries.stamp, request.url.path, request.url.query)
            hit = cache.get(key)
            if hit is not None:
                body, status, headers = hit
                return Response(body, status, headers=headers)
            response = await handler(request)
            if response.status_code == 200 and hasattr(response, "body"):
                headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
                cache.put(key, (response.body, 200, headers))
            return response

        return serve

    def get_pool() -> Pool:
        if "pool" not in pool:
            pool["pool"] = Pool(paths.root, os.environ.get("KG_BUILD_DIR"), workers, time_limit)
        return pool["pool"]

    async def run(task: str, *args, limit: float | None = None):
        return await run_in_threadpool(get_pool().run, task, *args, time_limit=limit)

    def page(request: Request, template: str, status: int = 200, **context) -> Response:
        context.setdefault("title", "")
        context.setdefault("q", "")
        return templates.TemplateResponse(request, template, context, status_code=status)

    def problem(request: Request, exc: Exception, status: int = 500) -> Response:
        if isinstance(exc, QueryTimeout):
            status = 503
        elif isinstance(exc, TaskError) and exc.kind == "NotBuilt":
            status = 503
        return page(request, "error.html", status, title="Error", message=str(exc))

    async def home(request: Request) -> Response:
        listed = sorted(queries.get().values(), key=lambda rq: rq.name)
        return page(request, "home.html", title="", queries=listed)

    async def search_page(request: Request) -> Response:
        text = request.query_params.get("q", "").strip()
        try:
            found = await run("search", text, 50) if text else []
        except KgError as exc:
            return problem(request, exc)
        exact = [f for f in found if f["exact"]]
        if request.query_params.get("go") and (len(exact) == 1 or len(found) == 1):
            # Enter in the search box goes straight to the one entity the text names.
            return RedirectResponse(f"/entity/{urllib.parse.quote((exact or found)[0]['curie'], safe=':/')}", 303)
        return page(request, "search.html", title=f"Search: {text}" if text else "Search", q=text, found=found)

    async def suggest(request: Request) -> Response:
        text = request.query_params.get("q", "").strip()[:200]
        cls = request.query_params.get("class", "").strip()[:200] or None
        try:
            found = await run("search", text, 10, cls) if text else []
        except KgError as exc:
            return JSONResponse({"error": str(exc)}, 503)
        return JSONResponse(found)

    async def entity_page(request: Request) -> Response:
        ref = request.path_params["ref"]
        try:
            data = await run("entity", ref)
            if data is None:
                near = await run("nearest", ref)
                return page(request, "notfound.html", 404, title="Not found", what="entity", name=ref,
                            near=[{"href": "/entity/" + urllib.parse.quote(n["curie"], safe=":/"), "label": n["label"],
                                   "note": n["curie"] + (f" ({n['cls']})" if n["cls"] else "")} for n in near])
        except KgError as exc:
            return problem(request, exc)
        return page(request, "entity.html", title=data["label"], e=data)

    async def query_list(request: Request) -> Response:
        try:
            listed = sorted(queries.get().values(), key=lambda rq: rq.name)
        except InputError as exc:
            return page(request, "error.html", 500, title="Error", message="; ".join(map(str, exc.problems)))
        return page(request, "queries.html", title="Canned questions", queries=listed)

    def _unknown_query(request: Request, name: str) -> Response:
        close = difflib.get_close_matches(name, list(queries.get()), n=5, cutoff=0.4)
        return page(request, "notfound.html", 404, title="Not found", what="canned question", name=name,
                    near=[{"href": f"/queries/{n}", "label": n, "note": queries.get()[n].summary} for n in close])

    def _given(request: Request, rq) -> dict[str, str]:
        return {k: v for k, v in request.query_params.items() if k in rq.params and v.strip() != ""}

    async def query_page(request: Request) -> Response:
        name = request.path_params["name"]
        rq = queries.get().get(name)
        if rq is None:
            return _unknown_query(request, name)
        given = _given(request, rq)
        values = {p.name: given.get(p.name, default_text(p.default) or "") for p in rq.params.values()}
        context = dict(title=rq.name, rq=rq, values=values, errors={}, answer=None, notes=[],
                       command=kg_command(rq.name, given), downloads={}, message="")
        if "run" in request.query_params:
            try:
                check(rq.params, given, known_prefixes, rq.name)
                answer = await run("canned", rq.name, given, "cells")
            except (ParamError, TaskError) as exc:
                field = _field_of(str(exc), rq.params)
                if isinstance(exc, TaskError) and exc.kind != "ParamError":
                    return problem(request, exc)
                if field:
                    context["errors"] = {field: str(exc)}
                else:
                    context["message"] = str(exc)
                return page(request, "query.html", 400, **context)
            except KgError as exc:
                return problem(request, exc)
            query_string = urllib.parse.urlencode(given)
            context.update(answer=answer, notes=answer["notes"],
                           downloads={fmt: f"/queries/{rq.name}/download.{fmt}" + (f"?{query_string}" if query_string else "")
                                      for fmt in DOWNLOADS},
                           commands={fmt: kg_command(rq.name, given, fmt) for fmt in DOWNLOADS})
        return page(request, "query.html", **context)

    async def download(request: Request) -> Response:
        name, fmt = request.path_params["name"], request.path_params["fmt"]
        rq = queries.get().get(name)
        if rq is None:
            return _unknown_query(request, name)
        if fmt not in DOWNLOADS:
            return PlainTextResponse(f"no download as {fmt}: one of {', '.join(DOWNLOADS)}", 404)
        given = _given(request, rq)
        try:
            check(rq.params, given, known_prefixes, rq.name)
            answer = await run("canned", rq.name, given, fmt)
        except ParamError as exc:
            return PlainTextResponse(str(exc) + "\n", 400)
        except TaskError as exc:
            return PlainTextResponse(str(exc) + "\n", 400 if exc.kind == "ParamError" else 500)
        except QueryTimeout as exc:
            return PlainTextResponse(str(exc) + "\n", 503)
        except KgError as exc:
            return PlainTextResponse(str(exc) + "\n", 500)
        return Response(answer["text"].encode("utf-8"), media_type=DOWNLOADS[fmt],
                        headers={"Content-Disposition": f'attachment; filename="{rq.name}.{fmt}"'})

    async def graph(request: Request) -> Response:
        focus = request.query_params.get("focus") or None
        try:
            depth = max(1, min(3, int(request.query_params.get("depth", "1"))))
        except ValueError:
            depth = 1
        try:
            text = await run("graph_page", focus, depth)
        except KgError as exc:
            return problem(request, exc)
        if text is None:
            return page(request, "notfound.html", 404, title="Not found", what="entity", name=focus or "", near=[])
        # The page carries its own policy (only its two inline scripts, by hash); the header repeats it.
        m = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', text)
        policy = (m.group(1) if m else "default-src 'none'") + "; frame-ancestors 'self'"
        return HTMLResponse(text, headers={"Content-Security-Policy": policy})

    async def landscape(request: Request) -> Response:
        try:
            data = await run("landscape")
        except KgError as exc:
            return problem(request, exc)
        by = "disease" if request.query_params.get("by") == "disease" else "target"
        return page(request, "landscape.html", title="Landscape", data=data, by=by,
                    rows=data["by_disease"] if by == "disease" else data["by_target"])

    async def editor(request: Request) -> Response:
        listed = sorted(queries.get().values(), key=lambda rq: rq.name)
        prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(known_prefixes.items()))
        start = prologue + "\nSELECT ?therapy ?label WHERE {\n  ?therapy a cart:Therapy ; rdfs:label ?label .\n}\nORDER BY ?label\nLIMIT 20\n"
        return page(request, "editor.html", title="SPARQL", queries=listed, start=start,
                    prefixes=sorted(known_prefixes.items()), time_limit=time_limit)

    async def sparql(request: Request) -> Response:
        """The SPARQL 1.1 Protocol (query operation only): GET ?query=, POST form or application/sparql-query."""
        text = None
        if request.method == "GET":
            if "update" in request.query_params:
                return PlainTextResponse("this endpoint is read-only: updates are refused\n", 403)
            text = request.query_params.get("query")
            if text is None:
                return RedirectResponse("/editor", 303)
        else:
            kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
            if kind == "application/sparql-query":
                text = (await request.body()).decode("utf-8", "replace")
            elif kind == "application/x-www-form-urlencoded":
                # Parsed here: Starlette's form parser needs python-multipart, and this body is one urlencoded line.
                form = {k: v[-1] for k, v in urllib.parse.parse_qs((await request.body()).decode("utf-8", "replace"),
                                                                   keep_blank_values=True).items()}
                if "update" in form:
                    return PlainTextResponse("this endpoint is read-only: updates are refused\n", 403)
                text = form.get("query")
            elif kind == "application/sparql-update":
                return PlainTextResponse("this endpoint is read-only: updates are refused\n", 403)
            else:
                return PlainTextResponse("send the query as GET ?query=, or POST application/sparql-query "
                                         "or application/x-www-form-urlencoded\n", 415)
        if not text or not str(text).strip():
            return PlainTextResponse("no query given (the query parameter is empty)\n", 400)
        text = str(text)
        if len(text) > MAX_QUERY_CHARS:
            return PlainTextResponse(f"the query is longer than {MAX_QUERY_CHARS} characters\n", 413)
        refused = refusals(text, allow_from=False)
        if refused:
            r = refused[0]
            return PlainTextResponse(f"line {r.line}: {r.reason}\n", 400)
        accept = request.headers.get("accept", "")
        results = next((f for media, f in _ACCEPT_RESULTS if media in accept), "json")
        graph_fmt = next((f for media, f in _ACCEPT_GRAPH if media in accept), "turtle")
        try:
            body, media = await run("sparql", text, results, graph_fmt)
        except QueryTimeout as exc:
            return PlainTextResponse(str(exc) + "\n", 503)
        except TaskError as exc:
            return PlainTextResponse(str(exc) + "\n", 400 if exc.kind == "SparqlSyntax" else 500)
        except KgError as exc:
            return PlainTextResponse(str(exc) + "\n", 500)
        return Response(body, media_type=media)

    async def failed(request: Request, exc: KgError) -> Response:
        # A library error the handler did not expect (a malformed query file, a store gone): one line, no traceback.
        message = "; ".join(map(str, exc.problems)) if isinstance(exc, InputError) else str(exc)
        return page(request, "error.html", 500, title="Error", message=message)

    async def not_found(request: Request, exc) -> Response:
        return page(request, "notfound.html", 404, title="Not found", what="page", name=request.url.path, near=[])

    async def shutdown() -> None:
        if "pool" in pool:
            pool["pool"].close()

    async def startup() -> None:
        get_pool()  # the workers start while the server binds

    @asynccontextmanager
    async def lifespan(app):
        await startup()
        yield
        await shutdown()

    routes = [
        Route("/", home),
        Route("/search", cached(search_page)),
        Route("/api/suggest", cached(suggest)),
        Route("/entity/{ref:path}", cached(entity_page)),
        Route("/queries", query_list),
        Route("/queries/{name}", cached(query_page)),
        Route("/queries/{name}/download.{fmt}", cached(download)),
        Route("/graph", cached(graph)),
        Route("/landscape", cached(landscape)),
        Route("/editor", editor),
        Route("/sparql", sparql, methods=["GET", "POST"]),
        Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
    ]
    app = Starlette(routes=routes, lifespan=lifespan, exception_handlers={404: not_found, KgError: failed},
                    middleware=[Middleware(SecurityHeaders, hosts=hosts)])
    app.state.get_pool = get_pool
    return app


class SecurityHeaders:
    """Adds the Content Security Policy (unless the response set its own) and the other safety headers."""

    def __init__(self, app, hosts: frozenset[str] | None = None):
        self.app, self.hosts = app, hosts

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if self.hosts is not None:
            host = dict(scope["headers"]).get(b"host", b"").decode("latin-1")
            name = host[1:host.find("]")] if host.startswith("[") else host.rsplit(":", 1)[0]
            if name.lower() not in self.hosts:
                return await PlainTextResponse("unknown Host header: serving 127.0.0.1 only\n", 400)(scope, receive, send)

        async def sending(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                if b"content-security-policy" not in names:
                    headers.append((b"content-security-policy", CSP.encode()))
                headers += [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer"),
                            (b"cross-origin-resource-policy", b"same-origin")]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, sending)
