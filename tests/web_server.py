"""`kg serve` started for real in its own process on 127.0.0.1 at a free port, for the web app's tests."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from kg.serve import free_port

# Root without the capabilities that override file permissions: a file or folder with no write bit
# cannot be written, as for any other user. (nobody cannot run this machine's Python, which lives
# under /root, so the server keeps uid 0 but loses the power to ignore permissions.)
WITHOUT_WRITE = ["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner,-linux_immutable,-sys_admin,-chown"]


class App:
    """A running `kg serve`: `get(path)` answers (status, headers, body bytes); stop() ends it."""

    def __init__(self, project: Path, build: Path | None = None, extra: tuple[str, ...] = (), without_write: bool = False):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if k not in ("KG_BUILD_DIR", "KG_PROJECT")}
        if build is not None:
            env["KG_BUILD_DIR"] = str(build)
        command = [sys.executable, "-m", "kg", "--project", str(project), "serve", "--port", str(self.port), *extra]
        if without_write:
            command = [*WITHOUT_WRITE, *command]
        self.log = []
        self.started = time.monotonic()
        self.process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL, cwd="/")
        self.wait_until_up()

    def wait_until_up(self, seconds: float = 30) -> float:
        """Seconds from start to the first answered request."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"kg serve exited with status {self.process.returncode}: "
                                   f"{self.process.stdout.read().decode('utf-8', 'replace')}")
            try:
                with urllib.request.urlopen(self.url + "/", timeout=1) as response:
                    response.read()
                    self.up_after = time.monotonic() - self.started
                    return self.up_after
            except (urllib.error.URLError, OSError):
                time.sleep(0.02)
        raise RuntimeError(f"kg serve did not answer on {self.url} within {seconds} s")

    def get(self, path: str, data: bytes | None = None, headers: dict | None = None, timeout: float = 60):
        request = urllib.request.Request(self.url + path, data=data, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, dict(exc.headers), exc.read()

    def stop(self) -> str:
        """Stop the server (as Ctrl-C would); what it printed."""
        if self.process.poll() is None:
            self.process.send_signal(2)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.stdout.read().decode("utf-8", "replace")

    def __enter__(self) -> App:
        return self

    def __exit__(self, *_) -> None:
        self.stop()
