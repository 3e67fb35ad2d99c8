"""The web app's request handlers: each page and endpoint, run against the query workers and rendered by Jinja2.

`Site` holds what the handlers share (the templates, the page cache, the canned queries, the lazily
started worker pool); kg.web.app maps the routes onto its methods.
"""

from __future__ import annotations

import difflib
import os
import re
import shlex
import urllib.parse
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.templating import Jinja2Templates

from kg import catalogue
from kg.errors import InputError, KgError
from kg.params import ParamError, default_text, validate
from kg.paths import Paths
from kg.sparqltext import refusals
from kg.web.caches import Catalogue, PageCache
from kg.web.pool import Pool, QueryTimeout, TaskError

DOWNLOADS = {"csv": "text/csv; charset=utf-8", "tsv": "text/tab-separated-values; charset=utf-8",
             "json": "application/sparql-results+json", "xml": "application/sparql-results+xml"}
_ACCEPT_RESULTS = (("application/sparql-results+json", "json"), ("application/json", "json"),
                   ("application/sparql-results+xml", "xml"), ("application/xml", "xml"), ("text/csv", "csv"),
                   ("text/tab-separated-values", "tsv"))
_ACCEPT_GRAPH = (("text/turtle", "turtle"), ("application/n-triples", "ntriples"), ("application/rdf+xml", "rdfxml"))
MAX_QUERY_CHARS = 100_000
_READ_ONLY = "this endpoint is read-only: updates are refused\n"

Handler = Callable[[Request], Awaitable[Response]]


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


def _entity_href(curie: str) -> str:
    return "/entity/" + urllib.parse.quote(curie, safe=":/")


class Site:
    """What every handler needs: the project, the templates, the caches and the query workers."""

    def __init__(self, paths: Paths, templates: Jinja2Templates, time_limit: float, workers: int) -> None:
        self.paths, self.templates, self.time_limit, self.workers = paths, templates, time_limit, workers
        self.cache = PageCache(paths)
        self.queries = Catalogue(paths)
        self.known_prefixes = catalogue.prefixes(paths)
        self.pool: Pool | None = None

    # ------------------------------------------------------------ shared by the handlers

    def cached(self, handler: Handler) -> Handler:
        """Serve a GET page from the cache while the same store and queries are live; only 200 answers are kept."""
        async def serve(request: Request) -> Response:
            self.queries.get()  # rereads queries/ if a file changed, so the key below is current
            key = (self.cache.version(), self.queries.stamp, request.url.path, request.url.query)
            hit = self.cache.get(key)
            if hit is not None:
                body, status, headers = hit
                return Response(body, status, headers=headers)
            response = await handler(request)
            if response.status_code == 200 and hasattr(response, "body"):
                headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
                self.cache.put(key, (response.body, 200, headers))
            return response

        return serve

    def get_pool(self) -> Pool:
        if self.pool is None:
            self.pool = Pool(self.paths.root, os.environ.get("KG_BUILD_DIR"), self.workers, self.time_limit)
        return self.pool

    async def run(self, task: str, *args: object, limit: float | None = None) -> Any:
        """The value the worker's task (a function of kg.web.model, by name) returns: its type is the task's."""
        return await run_in_threadpool(self.get_pool().run, task, *args, time_limit=limit)

    def page(self, request: Request, template: str, status: int = 200, **context: object) -> Response:
        context.setdefault("title", "")
        context.setdefault("q", "")
        return self.templates.TemplateResponse(request, template, context, status_code=status)

    def problem(self, request: Request, exc: Exception, status: int = 500) -> Response:
        if isinstance(exc, QueryTimeout):
            status = 503
        elif isinstance(exc, TaskError) and exc.kind == "NotBuilt":
            status = 503
        return self.page(request, "error.html", status, title="Error", message=str(exc))

    def listed(self) -> list:
        return sorted(self.queries.get().values(), key=lambda rq: rq.name)

    # ------------------------------------------------------------ pages

    async def home(self, request: Request) -> Response:
        return self.page(request, "home.html", title="", queries=self.listed())

    async def search_page(self, request: Request) -> Response:
        text = request.query_params.get("q", "").strip()
        try:
            found = await self.run("search", text, 50) if text else []
        except KgError as exc:
            return self.problem(request, exc)
        exact = [f for f in found if f["exact"]]
        if request.query_params.get("go") and (len(exact) == 1 or len(found) == 1):
            # Enter in the search box goes straight to the one entity the text names.
            return RedirectResponse(f"/entity/{urllib.parse.quote((exact or found)[0]['curie'], safe=':/')}", 303)
        return self.page(request, "search.html", title=f"Search: {text}" if text else "Search", q=text, found=found)

    async def suggest(self, request: Request) -> Response:
        text = request.query_params.get("q", "").strip()[:200]
        cls = request.query_params.get("class", "").strip()[:200] or None
        try:
            found = await self.run("search", text, 10, cls) if text else []
        except KgError as exc:
            return JSONResponse({"error": str(exc)}, 503)
        return JSONResponse(found)

    async def entity_page(self, request: Request) -> Response:
        ref = request.path_params["ref"]
        try:
            data = await self.run("entity", ref)
            if data is None:
                near = await self.run("nearest", ref)
                return self.page(request, "notfound.html", 404, title="Not found", what="entity", name=ref,
                                 near=[{"href": _entity_href(n["curie"]), "label": n["label"],
                                        "note": n["curie"] + (f" ({n['cls']})" if n["cls"] else "")} for n in near])
        except KgError as exc:
            return self.problem(request, exc)
        return self.page(request, "entity.html", title=data["label"], e=data)

    async def query_list(self, request: Request) -> Response:
        try:
            listed = self.listed()
        except InputError as exc:
            return self.page(request, "error.html", 500, title="Error", message="; ".join(map(str, exc.problems)))
        return self.page(request, "queries.html", title="Canned questions", queries=listed)

    def _unknown_query(self, request: Request, name: str) -> Response:
        close = difflib.get_close_matches(name, list(self.queries.get()), n=5, cutoff=0.4)
        return self.page(request, "notfound.html", 404, title="Not found", what="canned question", name=name,
                         near=[{"href": f"/queries/{n}", "label": n, "note": self.queries.get()[n].summary}
                               for n in close])

    @staticmethod
    def _given(request: Request, rq) -> dict[str, str]:
        return {k: v for k, v in request.query_params.items() if k in rq.params and v.strip() != ""}

    async def query_page(self, request: Request) -> Response:
        name = request.path_params["name"]
        rq = self.queries.get().get(name)
        if rq is None:
            return self._unknown_query(request, name)
        given = self._given(request, rq)
        values = {p.name: given.get(p.name, default_text(p.default) or "") for p in rq.params.values()}
        context: dict[str, Any] = {"title": rq.name, "rq": rq, "values": values, "errors": {}, "answer": None,
                                   "notes": [], "command": kg_command(rq.name, given), "downloads": {}, "message": ""}
        if "run" in request.query_params:
            try:
                validate(rq.params, given, self.known_prefixes, rq.name)
                answer = await self.run("canned", rq.name, given, "cells")
            except (ParamError, TaskError) as exc:
                field = _field_of(str(exc), rq.params)
                if isinstance(exc, TaskError) and exc.kind != "ParamError":
                    return self.problem(request, exc)
                if field:
                    context["errors"] = {field: str(exc)}
                else:
                    context["message"] = str(exc)
                return self.page(request, "query.html", 400, **context)
            except KgError as exc:
                return self.problem(request, exc)
            query_string = urllib.parse.urlencode(given)
            suffix = f"?{query_string}" if query_string else ""
            context.update(answer=answer, notes=answer["notes"],
                           downloads={fmt: f"/queries/{rq.name}/download.{fmt}" + suffix for fmt in DOWNLOADS},
                           commands={fmt: kg_command(rq.name, given, fmt) for fmt in DOWNLOADS})
        return self.page(request, "query.html", **context)

    async def download(self, request: Request) -> Response:
        name, fmt = request.path_params["name"], request.path_params["fmt"]
        rq = self.queries.get().get(name)
        if rq is None:
            return self._unknown_query(request, name)
        if fmt not in DOWNLOADS:
            return PlainTextResponse(f"no download as {fmt}: one of {', '.join(DOWNLOADS)}", 404)
        given = self._given(request, rq)
        try:
            validate(rq.params, given, self.known_prefixes, rq.name)
            answer = await self.run("canned", rq.name, given, fmt)
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

    async def graph(self, request: Request) -> Response:
        focus = request.query_params.get("focus") or None
        try:
            depth = max(1, min(3, int(request.query_params.get("depth", "1"))))
        except ValueError:
            depth = 1
        try:
            text = await self.run("graph_page", focus, depth)
        except KgError as exc:
            return self.problem(request, exc)
        if text is None:
            return self.page(request, "notfound.html", 404, title="Not found", what="entity", name=focus or "", near=[])
        # The page carries its own policy (only its two inline scripts, by hash); the header repeats it.
        m = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', text)
        policy = (m.group(1) if m else "default-src 'none'") + "; frame-ancestors 'self'"
        return HTMLResponse(text, headers={"Content-Security-Policy": policy})

    async def landscape(self, request: Request) -> Response:
        try:
            data = await self.run("landscape")
        except KgError as exc:
            return self.problem(request, exc)
        by = "disease" if request.query_params.get("by") == "disease" else "target"
        return self.page(request, "landscape.html", title="Landscape", data=data, by=by,
                         rows=data["by_disease"] if by == "disease" else data["by_target"])

    async def editor(self, request: Request) -> Response:
        known = self.known_prefixes
        prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(known.items()))
        start = (prologue + "\nSELECT ?therapy ?label WHERE {\n  ?therapy a cart:Therapy ; rdfs:label ?label .\n}\n"
                 "ORDER BY ?label\nLIMIT 20\n")
        return self.page(request, "editor.html", title="SPARQL", queries=self.listed(), start=start,
                         prefixes=sorted(known.items()), time_limit=self.time_limit)

    # ------------------------------------------------------------ the SPARQL endpoint

    async def sparql(self, request: Request) -> Response:
        """The SPARQL 1.1 Protocol (query operation only): GET ?query=, POST form or application/sparql-query."""
        text = await _query_text(request)
        if isinstance(text, Response):
            return text
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
            body, media = await self.run("sparql", text, results, graph_fmt)
        except QueryTimeout as exc:
            return PlainTextResponse(str(exc) + "\n", 503)
        except TaskError as exc:
            return PlainTextResponse(str(exc) + "\n", 400 if exc.kind == "SparqlSyntax" else 500)
        except KgError as exc:
            return PlainTextResponse(str(exc) + "\n", 500)
        return Response(body, media_type=media)

    # ------------------------------------------------------------ errors and the workers' life

    async def failed(self, request: Request, exc: Exception) -> Response:  # registered for KgError only
        # A library error the handler did not expect (a malformed query file, a store gone): one line, no traceback.
        message = "; ".join(map(str, exc.problems)) if isinstance(exc, InputError) else str(exc)
        return self.page(request, "error.html", 500, title="Error", message=message)

    async def not_found(self, request: Request, exc: Exception) -> Response:
        return self.page(request, "notfound.html", 404, title="Not found", what="page", name=request.url.path, near=[])

    async def startup(self) -> None:
        self.get_pool()  # the workers start while the server binds

    async def shutdown(self) -> None:
        if self.pool is not None:
            self.pool.close()


async def _query_text(request: Request) -> str | None | Response:
    """The query a SPARQL request carries (None if none), or the refusal to send back instead."""
    if request.method == "GET":
        if "update" in request.query_params:
            return PlainTextResponse(_READ_ONLY, 403)
        text = request.query_params.get("query")
        if text is None:
            return RedirectResponse("/editor", 303)
        return text
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "application/sparql-query":
        return (await request.body()).decode("utf-8", "replace")
    if kind == "application/x-www-form-urlencoded":
        # Parsed here: Starlette's form parser needs python-multipart, and this body is one urlencoded line.
        form = {k: v[-1] for k, v in urllib.parse.parse_qs((await request.body()).decode("utf-8", "replace"),
                                                           keep_blank_values=True).items()}
        if "update" in form:
            return PlainTextResponse(_READ_ONLY, 403)
        return form.get("query")
    if kind == "application/sparql-update":
        return PlainTextResponse(_READ_ONLY, 403)
    return PlainTextResponse("send the query as GET ?query=, or POST application/sparql-query "
                             "or application/x-www-form-urlencoded\n", 415)
