"""Faults: a build killed midway, and two builds at once.

What is guaranteed: a build writes its store into a fresh folder under build/stores/ and makes it
live with one atomic rename of the build/current link, so a build killed at any point leaves the live
store (and build/graph.html, which only `kg viz` writes) exactly as they were. The killed build's
half-written folder stays until the next `kg build`, which deletes every store folder that is not
live (kg/store.py, _remove_stale) before it starts and after it swaps its own in.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from build_tree import tree_hash

ROOT = Path(__file__).resolve().parent.parent
HEADER = "subject\tpredicate\tobject\tsource\tquote\tstatus\tnote\n"
WORLD = HEADER + "".join("\t".join(cells) + "\n" for cells in [
    ("src:t-ref", "a", "cart:WebPage", "src:t-ref", "", "verified"),
    ("src:t-ref", "cart:title", "Test reference page", "src:t-ref", "", "verified"),
    ("id:t-cel", "a", "cart:Therapy", "src:t-ref", "", "verified"),
    ("id:t-cel", "rdfs:label", "T-cel", "src:t-ref", "", "verified"),
    ("id:t-cel", "cart:targets", "id:t-cd19", "src:t-ref", "", "verified"),
    ("id:t-cd19", "a", "cart:Target", "src:t-ref", "", "verified"),
    ("id:t-cd19", "rdfs:label", "TCD19", "src:t-ref", "", "verified"),
    ("id:t-cd19", "cart:hgncId", "HGNC:1633", "src:t-ref", "", "verified"),
])


def make_project(root: Path) -> dict:
    for name in ("ontology", "seeds", "queries"):
        shutil.copytree(ROOT / name, root / name)
    for path in (root / "seeds").iterdir():
        if path.is_file() and path.suffix in (".tsv", ".ttl", ".nt") and path.name != "prefixes.tsv":
            path.unlink()
    (root / "seeds" / "t-world.tsv").write_text(WORLD, encoding="utf-8")
    return {**os.environ, "KG_PROJECT": str(root), "KG_BUILD_DIR": str(root / "build")}


def kg(env: dict, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kg", *args], env=env, capture_output=True, text=True, timeout=timeout)


def _as_from_a_terminal() -> None:
    # A command started in the background by a shell without job control (`make test &` in a script)
    # ignores SIGINT, and so would every build started from it: Ctrl-C at a terminal is the default.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start_build(env: dict, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "kg", "build", *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, preexec_fn=_as_from_a_terminal)


def big_ntriples(path: Path, triples: int) -> None:
    """Bulk data that passes every check (no id: subjects to type or label), slow enough to interrupt."""
    with path.open("w", encoding="utf-8") as handle:
        for i in range(triples):
            handle.write(f"<https://example.org/bulk/{i}> <http://www.w3.org/2000/01/rdf-schema#comment> \"row {i}\" .\n")


def store_folders(root: Path) -> list[Path]:
    """The store folders under build/stores/ (beside each, a file may list its quads: kg.quadslist)."""
    stores = root / "build" / "stores"
    return sorted(p for p in stores.iterdir() if p.is_dir()) if stores.is_dir() else []


def count(env: dict, query: str) -> int:
    result = subprocess.run([sys.executable, "-m", "kg", "sparql", "--format", "csv", "-"], input=query, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return int(result.stdout.splitlines()[1])


LABELS = "SELECT (COUNT(*) AS ?n) WHERE { ?s rdfs:label ?l FILTER(STRSTARTS(STR(?s), STR(id:t-))) }"
BULK = "SELECT (COUNT(*) AS ?n) WHERE { ?s rdfs:comment ?c FILTER(STRSTARTS(STR(?s), \"https://example.org/bulk/\")) }"


def wait_until_it_writes(proc: subprocess.Popen, root: Path, live: Path) -> Path:
    """The store folder a running build writes into, once it has written to it for a second."""
    def being_written() -> list[Path]:
        return [f for f in store_folders(root) if f.resolve() != live and not f.name.endswith(".scratch")]

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not being_written():
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    new = being_written()
    assert new, "the build never started writing its store"
    time.sleep(1.0)
    assert proc.poll() is None, "the build finished before it could be stopped: make the data bigger"
    assert sum(p.stat().st_size for p in new[0].rglob("*") if p.is_file()) > 0
    return new[0]


def test_a_build_killed_midway_leaves_the_previous_store_and_page_intact(tmp_path):
    env = make_project(tmp_path)
    first = kg(env, "build")
    assert first.returncode == 0, first.stderr
    page = kg(env, "viz")
    assert page.returncode == 0, page.stderr
    build = tmp_path / "build"
    assert (build / "graph.html").is_file()
    before = tree_hash(build)
    live = (build / "current").resolve()

    big_ntriples(tmp_path / "seeds" / "t-bulk.nt", 500_000)
    proc = start_build(env)
    try:
        new = wait_until_it_writes(proc, tmp_path, live)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
    assert proc.returncode == -signal.SIGKILL

    # the live store and the page are byte-identical; the only change is the killed build's leftover folder
    after = tree_hash(build)
    leftover = str(new.relative_to(build))
    assert {k: v for k, v in after.items() if not k.startswith(leftover)} == before
    assert new.is_dir()
    assert (build / "current").resolve() == live
    assert count(env, LABELS) == 2  # the previous graph still answers

    # the next build cleans up: one store folder, the live one, and nothing temporary anywhere
    (tmp_path / "seeds" / "t-bulk.nt").unlink()
    again = kg(env, "build")
    assert again.returncode == 0, again.stderr
    assert store_folders(tmp_path) == [(build / "current").resolve()]
    live = (build / "current").resolve()
    assert sorted((build / "stores").iterdir()) == [live, live.with_name(live.name + ".nq")]
    assert not new.exists()
    leftovers = [p.name for p in build.rglob("*") if p.name.startswith(".current-") or p.name.endswith(".tmp")]
    assert leftovers == []


def test_a_build_interrupted_with_ctrl_c_removes_its_store_and_keeps_the_previous_one(tmp_path):
    env = make_project(tmp_path)
    first = kg(env, "build")
    assert first.returncode == 0, first.stderr
    build = tmp_path / "build"
    before = tree_hash(build)
    live = (build / "current").resolve()

    big_ntriples(tmp_path / "seeds" / "t-bulk.nt", 500_000)
    proc = start_build(env)
    try:
        wait_until_it_writes(proc, tmp_path, live)  # a thread is bulk-loading the file into it
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 130, err
    assert err.splitlines()[-1] == "interrupted; nothing was written"
    assert "Traceback" not in err
    # the interrupted build's folder is gone once its writer stopped; the live store is as it was
    assert tree_hash(build) == before
    assert count(env, LABELS) == 2


def test_two_builds_at_once_one_fails_fast_and_the_result_is_one_complete_build(tmp_path):
    env = make_project(tmp_path)
    triples = 100_000
    big_ntriples(tmp_path / "seeds" / "t-bulk.nt", triples)
    first = start_build(env, "--no-shacl", "--verbose")
    try:
        # wait until the first build holds the lock (it prints its stages only while holding it)
        line = first.stderr.readline()
        assert "working in memory" in line, line + first.stderr.read()
        started = time.monotonic()
        second = kg(env, "build", "--no-shacl")
        waited = time.monotonic() - started
        assert first.poll() is None, "the first build ended before the second started: make the data bigger"
    finally:
        out, err = first.communicate(timeout=600)
    assert second.returncode == 2
    assert second.stderr.strip() == "error: another kg build is running on this project; try again when it has finished"
    assert waited < 30  # it failed fast rather than waiting
    assert first.returncode == 0, err

    build = tmp_path / "build"
    assert store_folders(tmp_path) == [(build / "current").resolve()]
    assert count(env, BULK) == triples
    assert count(env, LABELS) == 2
