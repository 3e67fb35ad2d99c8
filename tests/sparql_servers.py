"""Real SPARQL servers for the tests, each on 127.0.0.1 at a free port: Oxigraph, Virtuoso, and tiny broken ones."""

from __future__ import annotations

import http.server
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from kg.serve import free_port

# 60000 buffers of 8 KB (about 480 MB) and 1 GB for a query: with 10000 buffers the update that moves the
# staged graphs into place ran past Virtuoso's transaction time on a loaded 2-core machine (SR171), and
# the log asked for more MaxQueryMem.
VIRTUOSO_INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DirsAllowed = ., {dir}
NumberOfBuffers = 60000
MaxDirtyBuffers = 45000
MaxQueryMem = 1G
CheckpointInterval = 60

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
MaxClientConnections = 4
ServerThreads = 4

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 60
"""


def wait_for_port(port: int, process: subprocess.Popen | None, seconds: float, what: str) -> None:
    """Return once something listens on 127.0.0.1:port; fail if the process died or time ran out."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{what} exited with status {process.returncode} before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{what} did not listen on 127.0.0.1:{port} within {seconds} s")


class Oxigraph:
    """`oxigraph serve` (read-write) on a folder; can be killed and started again on the same data."""

    def __init__(self, location: Path):
        self.location = location
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def query_url(self) -> str:
        # The union of the named graphs as default graph, as on the embedded store (an Oxigraph URL option).
        return self.base + "/query?union-default-graph"

    def start(self) -> Oxigraph:
        binary = Path(sys.executable).parent / "oxigraph"
        self.process = subprocess.Popen([str(binary), "serve", "--location", str(self.location),
                                         "--bind", f"127.0.0.1:{self.port}"],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_port(self.port, self.process, 30, "oxigraph serve")
        return self

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


class Virtuoso:
    """Debian's virtuoso-t with a database in a temporary folder, SPARQL updates allowed for the SPARQL user."""

    binary = "virtuoso-t"
    isql = "isql-vt"

    def __init__(self, folder: Path):
        self.folder = folder
        self.http_port = free_port()
        self.sql_port = free_port()
        self.process: subprocess.Popen | None = None

    @classmethod
    def available(cls) -> bool:
        return shutil.which(cls.binary) is not None and shutil.which(cls.isql) is not None

    @property
    def query_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/sparql"

    def start(self) -> Virtuoso:
        self.folder.mkdir(parents=True, exist_ok=True)
        ini = self.folder / "virtuoso.ini"
        ini.write_text(VIRTUOSO_INI.format(dir=self.folder, sql_port=self.sql_port, http_port=self.http_port))
        self.process = subprocess.Popen([self.binary, "-f", "-c", str(ini)], cwd=self.folder,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_port(self.http_port, self.process, 120, "virtuoso-t")
        wait_for_port(self.sql_port, self.process, 60, "virtuoso-t")
        # The anonymous SPARQL user may update (the /sparql endpoint and /sparql-graph-crud): a test database only.
        done = subprocess.run([self.isql, f"127.0.0.1:{self.sql_port}", "dba", "dba",
                               "exec=GRANT SPARQL_UPDATE TO \"SPARQL\";"],
                              capture_output=True, text=True, timeout=60)
        if done.returncode != 0 or "Error" in done.stdout + done.stderr:
            raise RuntimeError(f"isql could not grant SPARQL_UPDATE: {done.stdout} {done.stderr}")
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class TinyServer:
    """A real HTTP server on 127.0.0.1 that answers every request with one status after a delay."""

    def __init__(self, status: int = 500, delay: float = 0.0, body: bytes = b"internal failure\nsecond line\n"):
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                outer.requests += 1
                if outer.gate is not None and not outer.gate(self.headers):
                    self.send_response(401)
                    self.send_header("WWW-Authenticate", 'Basic realm="sparql"')
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if outer.delay:
                    outer.stopping.wait(outer.delay)
                try:
                    self.send_response(outer.status)
                    self.send_header("Content-Type", "application/sparql-results+json" if outer.body.startswith(b"{")
                                     else "text/plain")
                    self.send_header("Content-Length", str(len(outer.body)))
                    self.end_headers()
                    self.wfile.write(outer.body)
                except OSError:
                    pass  # the client gave up first (the timeout test)

            do_GET = do_POST = do_PUT = _answer

            def log_message(self, *args) -> None:
                pass

        self.status, self.delay, self.body = status, delay, body
        self.gate = None  # a check of the request headers; a request that fails it gets 401 and a Basic challenge
        self.requests = 0
        self.stopping = threading.Event()
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/query"

    def __enter__(self) -> TinyServer:
        self.thread.start()
        return self

    def __exit__(self, *_) -> None:
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def env_without_endpoint() -> dict[str, str]:
    """The environment minus KG_ENDPOINT*, so a developer's setting does not leak into a test."""
    return {k: v for k, v in os.environ.items() if not k.startswith("KG_ENDPOINT")}


class RecordingProxy:
    """A real HTTP proxy on 127.0.0.1 in front of a SPARQL endpoint: forwards each request as it is and
    records what the client asked for (its Accept header) and what the server answered (its media type)."""

    def __init__(self, target: str):
        import urllib.request

        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k: v for k, v in self.headers.items() if k.lower() in ("accept", "content-type")}
                forwarded = urllib.request.Request(target, data=body, method="POST", headers=headers)
                with urllib.request.urlopen(forwarded, timeout=60) as response:
                    data = response.read()
                    media_type = response.headers.get("Content-Type", "")
                outer.seen.append((self.headers.get("Accept", ""), media_type.split(";")[0].strip()))
                self.send_response(200)
                self.send_header("Content-Type", media_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args) -> None:
                pass

        self.seen: list[tuple[str, str]] = []
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/query"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> RecordingProxy:
        self.thread.start()
        return self

    def __exit__(self, *_) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
