"""What changed between two builds of the graph: opens both (builds or git revisions) and compares them.

A build is a store folder, a build folder (with `current`), a project folder (with `build/current`)
or a git revision of the project, built into a temporary folder from `git archive`. Comparing is
kg.diff_changes, the report in words, Markdown, JSON and Atom kg.diff_render.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
from contextlib import ExitStack
from pathlib import Path

import pyoxigraph as ox

from kg.diff_changes import Report, diff_stores
from kg.diff_render import render  # noqa: F401 - `kg diff` renders through this module
from kg.errors import InputError, KgError, Problem
from kg.paths import Paths
from kg.store import select


class _Elsewhere(Paths):
    """A project whose build folder is given, whatever $KG_BUILD_DIR says."""

    _build: Path  # set once in __init__ (Paths is frozen)

    def __init__(self, root: Path, build: Path):
        super().__init__(root)
        object.__setattr__(self, "_build", build)

    @property
    def build(self) -> Path:
        return self._build


def store_folder(path: Path) -> Path | None:
    """The store folder a path names: a store, a build folder with `current`, or a project with `build/current`."""
    for candidate in (path / "build" / "current", path / "current", path):
        if candidate.is_dir() and (candidate / "CURRENT").is_file():
            return candidate.resolve()
    return None


def revision(paths: Paths, name: str) -> str | None:
    """The commit git knows by `name` in the project's repository, or None."""
    try:
        done = subprocess.run(["git", "-C", str(paths.root), "rev-parse", "--verify", "--quiet", f"{name}^{{commit}}"],
                              capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 and done.stdout.strip() else None


def build_revision(paths: Paths, commit: str, name: str, into: Path) -> Path:
    """Build the project as it was at `commit` into the folder `into`; return the store folder."""
    from kg import build as build_mod

    root = into / "project"
    root.mkdir(parents=True)
    archive = ["git", "-C", str(paths.root), "archive", "--format=tar", commit, "ontology", "seeds", "queries"]
    done = subprocess.run(archive, capture_output=True, timeout=300)
    if done.returncode != 0:
        raise KgError(f"{name}: git archive failed: {done.stderr.decode('utf-8', 'replace').strip().splitlines()[-1:]}")
    with tarfile.open(fileobj=io.BytesIO(done.stdout)) as tar:
        # The "data" filter refuses links and paths that leave the folder (Pythons before 3.10.12 lack it;
        # the archive is git's own, of this repository).
        if hasattr(tarfile, "data_filter"):
            tar.extractall(root, filter="data")
        else:
            tar.extractall(root)
    try:
        build_mod.build(_Elsewhere(root, into / "build"), shacl=False)
    except InputError as exc:
        first = exc.problems[0] if exc.problems else Problem("", 0, "error", "it does not build")
        raise InputError([Problem(f"{name}:{first.file}", first.line, first.level,
                                  f"the project at this revision does not build: {first.message}", first.check)])
    return (into / "build" / "current").resolve()


def open_build(paths: Paths, name: str, stack: ExitStack, progress=lambda _: None) -> ox.Store:
    """The store a name means: a folder holding a build, else a git revision built into a temporary folder."""
    given = Path(name)
    if given.exists():
        folder = store_folder(given)
        if folder is None:
            raise KgError(f"{name}: no built store in this folder (give a store folder, a build folder or a project "
                          "folder that `kg build` has built)")
        return ox.Store.read_only(str(folder))
    commit = revision(paths, name)
    if commit is None:
        raise KgError(f"{name}: neither a folder holding a build nor a revision git knows in {paths.root}")
    progress(f"building {name} ({commit[:10]})")
    tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="kg-diff-")))
    return ox.Store.read_only(str(build_revision(paths, commit, name, tmp)))


def read_watch(paths: Paths, file: Path, stores: list[ox.Store], prefixes: dict[str, str]) -> set[str]:
    """The entities a watch file lists, one a line (CURIE, <IRI> or exact name; # starts a comment)."""
    shown = paths.relative(file)
    try:
        lines = file.read_text(encoding="utf-8").split("\n")
    except (OSError, UnicodeDecodeError) as exc:
        raise KgError(f"{shown}: cannot read the watch list: {exc}")
    found: set[str] = set()
    for number, raw in enumerate(lines, start=1):
        line = raw.split("#", 1)[0].strip() if not raw.strip().startswith("<") else raw.strip()
        if not line:
            continue
        iri = _iri_of(line, stores, prefixes)
        if iri is None:
            message = (f"{line!r} names no entity in either build "
                       "(give a CURIE such as id:rese-cel, an <IRI> or an entity's exact name)")
            raise InputError([Problem(shown, number, "error", message, "watch")])
        found.add(iri)
    return found


def _iri_of(name: str, stores: list[ox.Store], prefixes: dict[str, str]) -> str | None:
    if name.startswith("<") and name.endswith(">"):
        candidates = [name[1:-1]]
    else:
        prefix, sep, local = name.partition(":")
        candidates = [prefixes[prefix] + local] if sep and prefix in prefixes else []
    for iri in candidates:
        for store in stores:
            if any(True for _ in store.quads_for_pattern(ox.NamedNode(iri), None, None)):
                return iri
    for store in stores:
        query = (f"SELECT ?x WHERE {{ VALUES ?n {{ {ox.Literal(name)} }} ?x rdfs:label|skos:altLabel ?l "
                 "FILTER(LCASE(STR(?l)) = LCASE(?n)) } ORDER BY ?x LIMIT 1")
        rows = list(select(store, query))
        if rows:
            return rows[0][0].value
    return None


def diff(paths: Paths, old: str, new: str, watch: Path | None = None, prefixes: dict[str, str] | None = None,
         progress=lambda _: None) -> Report:
    """The changes from build or revision `old` to build or revision `new`."""
    with ExitStack() as stack:
        old_store = open_build(paths, old, stack, progress)
        new_store = open_build(paths, new, stack, progress)
        watched = read_watch(paths, watch, [old_store, new_store], prefixes or {}) if watch else None
        progress("comparing")
        report = diff_stores(old_store, new_store, old, new, watched)
        del old_store, new_store
        return report
