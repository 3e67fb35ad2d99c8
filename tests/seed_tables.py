"""The statement tables read straight from seeds/ (csv, not the project's loader): for expected answers counted
from the rows themselves, where a table holds too many to list by hand."""

from __future__ import annotations

import csv
from pathlib import Path

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
ACCEPTED = ("verified", "partially_verified")


def rows(name: str) -> list[dict]:
    """The rows of seeds/<name>, each a dict of the header's columns."""
    with (SEEDS / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


def subjects(name: str, predicate: str, obj: str) -> set[str]:
    """The subjects (ids without `id:`) of the accepted `subject predicate obj` rows of seeds/<name>."""
    return {r["subject"].removeprefix("id:") for r in rows(name)
            if r["predicate"] == predicate and r["object"] == obj and r["status"] in ACCEPTED}


def evaluated_in(names: tuple[str, ...], disease: str) -> set[str]:
    """The therapies (ids without `id:`) that the trials of these tables with a condition `disease` evaluate,
    both rows in these tables."""
    table = [r for name in names for r in rows(name) if r["status"] in ACCEPTED]
    trials = {r["subject"] for r in table if r["predicate"] == "cart:studiesCondition" and r["object"] == disease}
    return {r["object"].removeprefix("id:") for r in table if r["predicate"] == "cart:evaluates" and r["subject"] in trials}
