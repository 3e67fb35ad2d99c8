"""The web app: Starlette routes over the query workers (kg.web.handlers).

Pages are Jinja2 (autoescaped); assets come from the package.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import jinja2
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from kg.errors import KgError
from kg.paths import Paths
from kg.web.handlers import Site
from kg.web.pool import DEFAULT_TIME_LIMIT

HERE = Path(__file__).resolve().parent
# Every asset comes from this package: nothing is fetched from anywhere else, so the app works offline.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "frame-src 'self'; frame-ancestors 'self'; base-uri 'none'; form-action 'self'")


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(HERE / "templates")), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["q"] = lambda value: urllib.parse.quote(str(value), safe=":/")
    return env


LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})


def create_app(paths: Paths, time_limit: float = DEFAULT_TIME_LIMIT, workers: int = 2,
               hosts: frozenset[str] | None = LOOPBACK_NAMES) -> Starlette:
    """The app over the project's built store; queries run in `workers` processes, each under `time_limit` seconds.

    `hosts`: the names a request's Host header may carry (None: any, for --allow-remote). On loopback only
    these, so a page elsewhere that rebinds its own name to 127.0.0.1 cannot read the graph through the browser.
    """
    site = Site(paths, Jinja2Templates(env=_environment()), time_limit, workers)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await site.startup()
        yield
        await site.shutdown()

    cached = site.cached
    routes = [
        Route("/", site.home),
        Route("/search", cached(site.search_page)),
        Route("/api/suggest", cached(site.suggest)),
        Route("/entity/{ref:path}", cached(site.entity_page)),
        Route("/queries", site.query_list),
        Route("/queries/{name}", cached(site.query_page)),
        Route("/queries/{name}/download.{fmt}", cached(site.download)),
        Route("/graph", cached(site.graph)),
        Route("/landscape", cached(site.landscape)),
        Route("/editor", site.editor),
        Route("/sparql", site.sparql, methods=["GET", "POST"]),
        Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
    ]
    app = Starlette(routes=routes, lifespan=lifespan, exception_handlers={404: site.not_found, KgError: site.failed},
                    middleware=[Middleware(SecurityHeaders, hosts=hosts)])
    app.state.get_pool = site.get_pool
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
                refusal = PlainTextResponse("unknown Host header: serving 127.0.0.1 only\n", 400)
                return await refusal(scope, receive, send)

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
