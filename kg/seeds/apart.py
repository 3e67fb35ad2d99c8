"""Reads the seed folder in a process of its own, so that the memory its rows and claims took goes back.

A big table's rows, claims and ranks are Python objects (410k rows: about 0.8 GB at their peak). Freed
in the build's own process, most of that memory stays with it (freed objects are scattered over the
heap), under the store, inference and checks that come next. A forked child reads the folder, writes
the claims and accepted facts as N-Quads to a file, hands back the rest of SeedData, and ends: its
memory is the system's again before the store grows. Used for the builds that work on disk.
"""

from __future__ import annotations

import multiprocessing
from pathlib import Path

from kg.errors import InputError, KgError
from kg.ontology import Ontology
from kg.paths import Paths
from kg.seeds.folder import SeedData, load


def load_apart(paths: Paths, ontology: Ontology, nquads: Path, keep_going: bool = False) -> SeedData:
    """seeds.load in a child process; the tables' claims and accepted facts are written to `nquads`.

    Raises what load would: InputError with the problems found, KgError for the rest.
    """
    context = multiprocessing.get_context("fork")  # the child inherits the ontology already read
    receiving, sending = context.Pipe(duplex=False)
    child = context.Process(target=_read, args=(sending, paths, ontology, nquads, keep_going), daemon=True)
    child.start()
    sending.close()
    try:
        kind, value = receiving.recv()
    except EOFError:
        child.join()
        raise KgError(f"reading the seed files stopped (exit status {child.exitcode} of the process that "
                      "read them; out of memory?)") from None
    finally:
        receiving.close()
    child.join()
    if kind == "input":
        raise InputError(value)
    if kind != "seed":
        raise KgError(value)
    return value


def _read(sending, paths: Paths, ontology: Ontology, nquads: Path, keep_going: bool) -> None:
    """The child: read the folder, write the N-Quads, send back ("seed", SeedData) or what went wrong."""
    try:
        seed = load(paths, ontology, keep_going=keep_going)
        message: tuple = ("seed", seed)
        try:
            with nquads.open("wb") as out:
                for chunk in seed.nquads():
                    out.write(chunk)
        except OSError as exc:
            message = ("kg", f"cannot write {paths.relative(nquads)}: {exc.strerror or exc}")
    except KeyboardInterrupt:
        return  # Ctrl-C reached the parent too, which reports it
    except InputError as exc:
        message = ("input", exc.problems)
    except KgError as exc:
        message = ("kg", str(exc))
    except Exception as exc:  # whatever it is, the parent reports it in one line
        message = ("crash", f"reading the seed files failed: {type(exc).__name__}: {exc}")
    try:
        sending.send(message)
    except OSError:
        pass  # the parent is gone (interrupted or killed): nobody to tell
    finally:
        sending.close()
