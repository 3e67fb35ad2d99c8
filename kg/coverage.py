"""Coverage of the curated field: each figure counted by one SPARQL file of queries/coverage/, against its target."""

from __future__ import annotations

import re
from dataclasses import dataclass

from kg.engine import Engine
from kg.errors import InputError, KgError, Problem
from kg.paths import Paths
from kg.sparqltext import read_rq

COVERAGE_KEYS = {"summary", "description", "target"}
# A target is a count to reach (12), a share of the total to reach (80%), all of the total, or none.
_TARGET = re.compile(r"^(\d+)%?$|^all$|^none$")


@dataclass(frozen=True)
class Figure:
    """One coverage figure: what was counted, out of how many, and whether it meets its target."""

    name: str
    summary: str
    description: str
    value: int
    of: int
    target: str  # "12", "80%", "all", "none", or "" for a figure with no target
    file: str

    @property
    def met(self) -> bool | None:
        """Whether the figure reaches its target (None when it has none)."""
        if not self.target:
            return None
        if self.target == "all":
            return self.value == self.of
        if self.target == "none":
            return self.value == 0
        if self.target.endswith("%"):
            return self.of > 0 and 100 * self.value >= int(self.target[:-1]) * self.of
        return self.value >= int(self.target)

    @property
    def share(self) -> float | None:
        """value as a percentage of of (None when of is 0)."""
        return 100 * self.value / self.of if self.of else None


def coverage_files(paths: Paths) -> list:
    """The coverage queries, sorted by name."""
    if not paths.coverage.is_dir():
        return []
    return sorted((p for p in paths.coverage.glob("*.rq") if p.is_file()), key=lambda p: p.stem)


def _target(rq) -> str:
    raw = rq.header.get("target")
    if raw is None:
        return ""
    text = str(raw).strip()
    if not _TARGET.match(text):
        numbered = enumerate(rq.text.split("\n"), start=1)
        line = next((number for number, text_line in numbered if text_line.startswith("#+ target:")), 1)
        raise InputError([Problem(rq.shown, line, "error", f"#+ target: {text!r} is not a count (12), a share (80%), "
                                  "all or none", "query-header")])
    return text


def load_coverage(paths: Paths) -> list[tuple]:
    """Each coverage query with its target, read before anything runs; every malformed file is reported at once."""
    loaded, problems = [], []
    for path in coverage_files(paths):
        try:
            rq = read_rq(path, paths.relative(path), COVERAGE_KEYS)
            loaded.append((rq, _target(rq)))
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    return loaded


def figures(paths: Paths, engine: Engine) -> list[Figure]:
    """Every coverage figure on the graph the engine holds; each file's SELECT gives ?value and ?of."""
    found = []
    for rq, target in load_coverage(paths):
        result = engine.select(rq.text)
        if result.variables[:2] != ["value", "of"] or len(result.rows) != 1:
            raise KgError(f"{rq.shown}: a coverage query selects ?value and ?of in one row "
                          f"(got {', '.join(result.variables)} in {len(result.rows)} rows)")
        value, of = (int(t.value) if t is not None else 0 for t in result.rows[0][:2])
        found.append(Figure(rq.name, rq.summary, rq.description, value, of, target, rq.shown))
    return found
