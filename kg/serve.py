"""Serving helpers: which addresses are loopback, free ports, and the Oxigraph server over a snapshot of the store.

For bench/bench_queries.py; `kg serve` itself is kg/web.
"""

from __future__ import annotations

import ipaddress
import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from kg.errors import KgError
from kg.paths import Paths
from kg.store import open_store

DEFAULT_PORT = 7878


def oxigraph_binary() -> str:
    """The `oxigraph` server program of PyPI's `oxigraph` package: beside this Python first, else on PATH."""
    beside = Path(sys.executable).parent / "oxigraph"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which("oxigraph")
    if not found:
        raise KgError("the oxigraph server is not installed: pip install 'cartkg[server]' (PyPI package oxigraph)")
    return found


def is_loopback(host: str) -> bool:
    """Whether only this machine can reach an address."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def exposure(host: str, allow_remote: bool) -> str | None:
    """The warning for binding `host`, or None for loopback; KgError if remote binding was not allowed."""
    if is_loopback(host):
        return None
    if not allow_remote:
        raise KgError(f"binding to {host} lets anyone who can reach this machine read the graph: "
                      "pass --allow-remote to do it anyway")
    return (f"warning: serving on {host}: anyone who can reach this machine on that address can read the "
            "whole graph (read-only; there is no authentication)")


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.bind((host.strip("[]"), 0))
        return sock.getsockname()[1]


def _in_use(host: str, port: int) -> str | None:
    """Why nothing new can listen on host:port (address in use, not an address of this machine), or None."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host.strip("[]"), port))
        except OSError as exc:
            return exc.strerror or str(exc)
    return None


def _url_host(host: str) -> str:
    return f"[{host.strip('[]')}]" if ":" in host else host


@dataclass
class Server:
    """A running Oxigraph server over a snapshot of the store."""

    url: str
    process: subprocess.Popen
    snapshot: Path
    log: Path
    warning: str | None = None

    @property
    def query_url(self) -> str:
        return self.url + "query"

    def wait(self) -> int:
        """Block until the server exits; its exit status."""
        return self.process.wait()

    def stop(self) -> None:
        """Stop the server and delete its snapshot."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.snapshot, ignore_errors=True)
        self.log.unlink(missing_ok=True)

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *_) -> None:
        self.stop()


def snapshot(paths: Paths) -> Path:
    """A checkpoint of the live store that the server reads (hard links where it can, so it is cheap).

    `oxigraph serve-read-only` must not read a folder another process writes, and the next `kg build`
    deletes the store it replaces: the snapshot keeps the served graph intact through both.
    """
    paths.serving.mkdir(parents=True, exist_ok=True)
    target = paths.serving / f"snapshot-{os.getpid()}-{time.time_ns()}"
    store = open_store(paths)
    try:
        store.backup(str(target))
    except OSError as exc:
        shutil.rmtree(target, ignore_errors=True)
        raise KgError(f"cannot snapshot the store into {paths.relative(target)}: {exc}")
    finally:
        del store
    return target


def start(paths: Paths, host: str = "127.0.0.1", port: int = DEFAULT_PORT, allow_remote: bool = False,
          wait_seconds: float = 30.0) -> Server:
    """Start `oxigraph serve-read-only` on a snapshot of the built store; returns once it answers."""
    warning = exposure(host, allow_remote)
    binary = oxigraph_binary()
    port = port or free_port(host)
    # Checked before starting: a readiness probe would otherwise reach whatever already listens there.
    in_use = _in_use(host, port)
    if in_use:
        raise KgError(f"the oxigraph server did not start on {_url_host(host)}:{port}: {in_use}")
    folder = snapshot(paths)
    log = folder.with_suffix(".log")
    bind = f"{_url_host(host)}:{port}"
    # --union-default-graph: queries without GRAPH see every source, as on the embedded store.
    command = [binary, "serve-read-only", "--location", str(folder), "--bind", bind, "--union-default-graph"]
    with open(log, "wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    server = Server(f"http://{bind}/", process, folder, log, warning)
    deadline = time.monotonic() + wait_seconds
    while True:
        if process.poll() is not None:
            said = _last_line(log)
            server.stop()
            raise KgError(f"the oxigraph server did not start on {bind}: {said or f'exit status {process.returncode}'}")
        try:
            with socket.create_connection((host.strip("[]"), port), timeout=0.5):
                return server
        except OSError:
            pass
        if time.monotonic() > deadline:
            server.stop()
            raise KgError(f"the oxigraph server did not answer on {bind} within {wait_seconds:g} s")
        time.sleep(0.05)


def _last_line(path: Path) -> str:
    try:
        lines = [line.strip() for line in path.read_text("utf-8", "replace").splitlines() if line.strip()]
    except OSError:
        return ""
    return lines[-1] if lines else ""
