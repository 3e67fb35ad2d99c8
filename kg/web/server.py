"""Running the web app: uvicorn on 127.0.0.1 (another address only when allowed), until stopped."""

from __future__ import annotations

import socket
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kg.errors import KgError
from kg.paths import Paths
from kg.serve import _url_host, exposure
from kg.store import open_store
from kg.web.pool import DEFAULT_TIME_LIMIT

if TYPE_CHECKING:
    import uvicorn  # imported where the server is made: it takes a while


def _listen(host: str, port: int) -> socket.socket:
    """A socket listening on host:port, so the address is printed only once connections are accepted."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto given: asyncio sets TCP_NODELAY on accepted connections only for sockets created with IPPROTO_TCP,
    # and without it every small answer on a kept-alive connection waited 40 ms for a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host.strip("[]"), port))
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise KgError(f"kg serve did not start on {_url_host(host)}:{port}: {exc.strerror or exc}")
    return sock


@dataclass
class Serving:
    """A configured server, not yet running: its address, the warning to print, and `run()`."""

    url: str
    warning: str | None
    server: uvicorn.Server
    sock: socket.socket

    @property
    def sparql_url(self) -> str:
        return self.url + "sparql"

    def run(self) -> None:
        """Serve until interrupted (Ctrl-C or SIGTERM)."""
        self.server.run(sockets=[self.sock])


def prepare(paths: Paths, host: str = "127.0.0.1", port: int = 7878, allow_remote: bool = False,
            time_limit: float = DEFAULT_TIME_LIMIT, workers: int = 2) -> Serving:
    """Check the store and the address, and set up the app on them; nothing is written anywhere."""
    import uvicorn

    from kg.web.app import create_app

    if time_limit <= 0:
        raise KgError(f"--time-limit must be more than 0 seconds, not {time_limit:g}")
    if workers < 1:
        raise KgError(f"--workers must be at least 1, not {workers}")
    warning = exposure(host, allow_remote)
    if not paths.current_store.exists():
        open_store(paths)  # fails now, with the usual message (the workers open the store; opening it here cost 0.1 s)
    sock = _listen(host, port)
    port = sock.getsockname()[1]
    from kg.serve import is_loopback
    from kg.web.app import LOOPBACK_NAMES

    hosts = (LOOPBACK_NAMES | {host.strip("[]").lower()}) if is_loopback(host) else None
    app = create_app(paths, time_limit=time_limit, workers=workers, hosts=hosts)
    config = uvicorn.Config(app, host=host.strip("[]"), port=port, log_level="warning", access_log=False,
                            lifespan="on", timeout_graceful_shutdown=2)
    return Serving(f"http://{_url_host(host)}:{port}/", warning, uvicorn.Server(config), sock)
