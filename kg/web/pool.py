"""Worker processes that answer from the store, each task under a time limit that kills the worker when it runs over.

pyoxigraph 0.5 has no way to interrupt a query (no timeout, no cancel): a runaway join holds its thread
until it ends. In a process of its own it can be stopped: the worker is killed and a fresh one takes its
place, while the other workers go on answering.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kg.errors import KgError

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess

DEFAULT_TIME_LIMIT = 30.0


class QueryTimeout(KgError):
    """A task ran past the time limit and was stopped."""


class TaskError(KgError):
    """A task failed in the worker; `kind` names the error class it raised there."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


def _work(conn, root: str, build: str | None) -> None:
    """The worker's loop: read (task, args), answer ("ok", value) or ("error", kind, message)."""
    if build:
        os.environ["KG_BUILD_DIR"] = build
    from kg.paths import Paths
    from kg.web import model

    state = model.State(Paths(__import__("pathlib").Path(root)))
    model.warm(state)
    conn.send(("ready",))
    if not conn.poll(0.05):
        model.warm(state, more=True)  # nobody is waiting yet: prepare the slower first pages too
    while True:
        try:
            task, args = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        reply: tuple[object, ...]
        try:
            reply = ("ok", getattr(model, task)(state, *args))
        except KgError as exc:
            reply = ("error", type(exc).__name__, str(exc))
        except Exception as exc:
            reply = ("error", type(exc).__name__, f"{type(exc).__name__}: {exc}")
        try:
            conn.send(reply)
        except (BrokenPipeError, OSError):
            return


@dataclass
class Worker:
    process: BaseProcess  # a spawn context's process
    conn: Connection
    ready: bool = False

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.conn.close()


class Pool:
    """`size` workers over the project's built store.

    `run` hands a task to an idle one and waits at most `time_limit`.
    """

    def __init__(self, root, build: str | None, size: int = 2, time_limit: float = DEFAULT_TIME_LIMIT):
        # spawn, not fork: the server's threads (and their locks) must not be copied into a worker.
        self.context = multiprocessing.get_context("spawn")
        self.root, self.build = str(root), build
        self.size, self.time_limit = max(1, size), time_limit
        self.idle: queue.Queue[Worker] = queue.Queue()
        self.lock = threading.Lock()
        self.workers: list[Worker] = []
        self.closed = False
        for _ in range(self.size):
            self.idle.put(self._start())

    def _start(self) -> Worker:
        mine, theirs = self.context.Pipe()
        process = self.context.Process(target=_work, args=(theirs, self.root, self.build), daemon=True,
                                       name="kg-serve-worker")
        process.start()
        theirs.close()
        worker = Worker(process, mine)
        with self.lock:
            self.workers.append(worker)
        return worker

    def _replace(self, worker: Worker) -> None:
        worker.stop()
        with self.lock:
            if worker in self.workers:
                self.workers.remove(worker)
        if not self.closed:
            self.idle.put(self._start())

    def run(self, task: str, *args, time_limit: float | None = None):
        """The task's value; QueryTimeout past the limit (the worker is killed), TaskError if it failed."""
        limit = self.time_limit if time_limit is None else time_limit
        worker = self.idle.get()
        try:
            if not worker.ready:
                # A fresh worker says when it has imported and opened; that start-up is not the task's time.
                if not worker.conn.poll(60) or worker.conn.recv() != ("ready",):
                    raise EOFError
                worker.ready = True
            started = time.monotonic()
            worker.conn.send((task, args))
            if not worker.conn.poll(limit):
                self._replace(worker)
                raise QueryTimeout(f"the query ran longer than the time limit of {limit:g} s and was stopped "
                                   f"after {time.monotonic() - started:.1f} s; narrow it down (a LIMIT, more "
                                   "specific patterns) or raise the limit with kg serve --time-limit")
            reply = worker.conn.recv()
        except (EOFError, OSError, BrokenPipeError):
            self._replace(worker)
            raise KgError("the query worker stopped unexpectedly; a fresh one has been started, try again")
        self.idle.put(worker)
        if reply[0] == "ok":
            return reply[1]
        raise TaskError(reply[1], reply[2])

    def close(self) -> None:
        """Stop every worker."""
        self.closed = True
        with self.lock:
            workers = list(self.workers)
        for worker in workers:
            worker.stop()
