"""Every path the project reads or writes, named once."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def _looks_like_project(path: Path) -> bool:
    return (path / "ontology").is_dir() and (path / "seeds").is_dir()


def find_root(start: Path | None = None) -> Path:
    """The project folder: $KG_PROJECT, else the nearest folder up from cwd with ontology/ and seeds/."""
    env = os.environ.get("KG_PROJECT")
    if env:
        return Path(env).resolve()
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if _looks_like_project(candidate):
            return candidate
    if _looks_like_project(PACKAGE_DIR.parent):
        return PACKAGE_DIR.parent
    return here


@dataclass(frozen=True)
class Paths:
    """The folders of one project checkout."""

    root: Path

    @classmethod
    def discover(cls, start: Path | None = None) -> Paths:
        return cls(find_root(start))

    @property
    def ontology(self) -> Path:
        return self.root / "ontology"

    @property
    def extensions(self) -> Path:
        return self.root / "ontology" / "extensions"

    @property
    def seeds(self) -> Path:
        return self.root / "seeds"

    @property
    def prefixes(self) -> Path:
        return self.root / "seeds" / "prefixes.tsv"

    @property
    def queries(self) -> Path:
        return self.root / "queries"

    @property
    def checks(self) -> Path:
        return self.root / "queries" / "checks"

    @property
    def coverage(self) -> Path:
        """The SPARQL files that count the coverage figures `kg stats` prints."""
        return self.root / "queries" / "coverage"

    @property
    def build(self) -> Path:
        return Path(os.environ.get("KG_BUILD_DIR") or self.root / "build")

    @property
    def stores(self) -> Path:
        """Each build writes a fresh store here; `current` points at the live one."""
        return self.build / "stores"

    @property
    def current_store(self) -> Path:
        return self.build / "current"

    @property
    def serving(self) -> Path:
        """`kg serve` keeps the snapshot of the store it serves here while it runs."""
        return self.build / "serving"

    @property
    def lock(self) -> Path:
        return self.build / ".lock"

    @property
    def review(self) -> Path:
        """`kg import` lists what matched nothing in the graph here, for a curator."""
        return self.build / "review"

    @property
    def html(self) -> Path:
        return self.build / "graph.html"

    @property
    def timeline_html(self) -> Path:
        return self.build / "timeline.html"

    def require(self, folder: Path) -> Path:
        """The folder, or a one-line error saying this is not a cartkg project."""
        if not folder.is_dir():
            from kg.errors import KgError

            raise KgError(f"no {self.relative(folder)}/ folder in {self.root}: run kg inside a cartkg project "
                          "or pass --project DIR")
        return folder

    def relative(self, path: Path) -> str:
        """A path as users see it in messages: relative to the project where it can be."""
        try:
            return str(Path(os.path.abspath(path)).relative_to(self.root))
        except ValueError:
            return str(path)
