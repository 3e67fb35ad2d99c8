"""Imports ClinicalTrials.gov API v2 study records as a statement table of their own in seeds/.

Reading the files is kg.ctgov_files, the graph's names kg.ctgov_names, a record's rows kg.ctgov_rows;
this module runs the import: every record read and checked, then the table and the review file written.
"""

from __future__ import annotations

import gc
import re
from datetime import date
from pathlib import Path

from kg import ontology as ontology_mod
from kg import seeds
from kg.ctgov_files import input_files, read_studies
from kg.ctgov_names import TABLE_PREFIX, Names, read_names, read_tables, slug
from kg.ctgov_rows import ImportReport, record_rows
from kg.errors import KgError
from kg.files import write_atomic
from kg.paths import Paths

REVIEW_HEADER = "kind\ttext\tnct_id\tjson_path\thint"


def table_for(paths: Paths, inputs: list[Path], name: str | None) -> Path:
    """seeds/ctgov-<name>.tsv, the name given or taken from the first input's file or folder name."""
    stem = name or (inputs[0].resolve().name if inputs else "import")
    stem = re.sub(r"\.json$", "", stem, flags=re.IGNORECASE)
    base = slug(stem)
    while base.startswith("ctgov-"):
        base = base[len("ctgov-"):]
    if not base:
        raise KgError(f"--name {name!r}: give a name of letters or digits")
    return paths.seeds / f"{TABLE_PREFIX}{base}.tsv"


def import_ctgov(paths: Paths, inputs: list[Path], name: str | None = None,
                 downloaded: str | None = None) -> ImportReport:
    """Read the records, write their rows to seeds/ctgov-<name>.tsv and the candidates to the review file.

    Every file is read and every record checked before anything is written; the table is written
    only when its content changes, so importing the same records again leaves it byte-identical.
    """
    # Ten thousand records make millions of small objects (parsed JSON, rows): the cyclic collector
    # walked them again and again, a third of the time, though none of them is part of a cycle.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _import(paths, inputs, name, downloaded)
    finally:
        if collecting:
            gc.enable()


def _import(paths: Paths, inputs: list[Path], name: str | None, downloaded: str | None) -> ImportReport:
    if downloaded:
        try:
            date.fromisoformat(downloaded)
        except ValueError:
            raise KgError(f"--downloaded {downloaded!r}: expected a date, YYYY-MM-DD")
    paths.require(paths.seeds)
    table = table_for(paths, inputs, name)
    shown_table = paths.relative(table)
    report = ImportReport(table=table, review=paths.review / (table.stem + ".tsv"))
    files = input_files(inputs, paths)
    onto = ontology_mod.load(paths)
    tables = read_tables(paths)
    names = read_names(paths, onto, tables)
    generated, touched = _read_records(paths, files, downloaded, names, shown_table, report)
    report.imported = sorted(generated)
    all_rows = _table_rows(tables.get(shown_table, []), shown_table, names, generated, touched)
    _write(table, all_rows, report)
    return report


def _read_records(paths: Paths, files: list[Path], downloaded: str | None, names: Names, shown_table: str,
                  report: ImportReport) -> tuple[dict[str, list[list[str]]], dict[str, set[str]]]:
    """The rows of every record version not already imported elsewhere, by source; and the sources of each NCT id."""
    generated: dict[str, list[list[str]]] = {}
    touched: dict[str, set[str]] = {}
    for path in files:
        # One file at a time, so only its records are held; rows are all kept until every record
        # has been read and checked, and nothing is written before that.
        for study in read_studies(path, paths.relative(path), downloaded):
            report.records += 1
            marks = len(report.candidates), len(report.contradictions)
            nct, source, rows = record_rows(study, names, report)
            holder = names.versions.get(nct, {}).get(source)
            if (holder and holder != shown_table) or source in generated:
                # Already in another import table, or twice in this import (pages overlap): its rows live there.
                if holder and holder != shown_table:
                    report.elsewhere[source] = holder
                del report.candidates[marks[0]:], report.contradictions[marks[1]:]
                continue
            generated[source] = rows.rows
            touched.setdefault(nct, set()).add(source)
    return generated, touched


def _table_rows(existing_rows: list[seeds.Row], shown_table: str, names: Names,
                generated: dict[str, list[list[str]]], touched: dict[str, set[str]]) -> list[list[str]]:
    """The table's rows: those of versions this import leaves alone, the new ones, and the chain of versions."""
    existing = [[r.subject, r.predicate, r.object, r.source, r.quote, r.status, r.note] for r in existing_rows]
    touched_sources = {s for sources in touched.values() for s in sources}
    kept = [r for r in existing if r[3] not in touched_sources
            and not (r[1] == "cart:supersededBy" and _nct_of(r[0]) in touched)]
    superseded_elsewhere = {(old, new) for old, new, file in names.superseded if file != shown_table}
    chain_rows = []
    for nct, sources in touched.items():
        versions = sorted(set(names.versions.get(nct, {})) | sources)
        for older, newer in zip(versions, versions[1:]):
            if (older, newer) not in superseded_elsewhere:
                chain_rows.append([older, "cart:supersededBy", newer, older, "", "verified",
                                   "a later version of the same record"])
    return kept + [r for rows in generated.values() for r in rows] + chain_rows


def _write(table: Path, all_rows: list[list[str]], report: ImportReport) -> None:
    """Write the table if its content changed, and the review file if there are candidates (or was one)."""
    text = canonical_text(all_rows)
    report.rows = len(all_rows)
    before = table.read_bytes() if table.exists() else None
    if all_rows and text.encode("utf-8") != before:
        write_atomic(table, text)
        report.changed = True
    report.candidates = sorted(set(report.candidates), key=lambda c: (c.nct_id, c.kind, c.path, c.text))
    review = REVIEW_HEADER + "\n" + "".join(c.line() + "\n" for c in report.candidates)
    if report.candidates or report.review.exists():
        write_atomic(report.review, review)


def canonical_text(rows: list[list[str]]) -> str:
    """The table in the canonical form `kg fmt` writes (kg.fmt.canonical), made from rows directly."""
    cells = []
    for row in rows:
        row = [c.strip() for c in row]
        while len(row) > 1 and row[-1] == "":
            row.pop()
        cells.append(row)
    cells.sort(key=lambda c: (c + [""] * 4)[:4] + c[4:])
    return "\n".join(["\t".join(seeds.HEADER)] + ["\t".join(c) for c in cells]) + "\n"


def _nct_of(source: str) -> str:
    return source[len("src:ctgov-"):].split("-", 1)[0].upper() if source.startswith("src:ctgov-") else ""
