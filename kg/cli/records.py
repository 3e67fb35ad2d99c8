"""Commands about records over time: import (registry records as seed rows), diff (what changed)."""

from __future__ import annotations

import time
from pathlib import Path

import click

from kg.cli.options import example, project_paths


@click.group("import", epilog=example("kg import ctgov tests/data/ctgov/pages --name car-t-autoimmune"))
def import_group() -> None:
    """Bring records of outside registries into seeds/ as statement tables a curator reviews and commits."""


@import_group.command("ctgov", epilog=example("kg import ctgov tests/data/ctgov/pages --name car-t-autoimmune"))
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--name", help="The table to write, seeds/ctgov-NAME.tsv (default: the first FILE's or DIR's name).")
@click.option("--downloaded", metavar="YYYY-MM-DD",
              help="The day the records were downloaded (default: each file's modification date).")
def import_ctgov(inputs: tuple[Path, ...], name: str | None, downloaded: str | None) -> None:
    """Import ClinicalTrials.gov API v2 JSON: a study, a search page, a folder of pages or an export.

    Each record version becomes a source of its own (src:ctgov-nct…-<lastUpdatePostDate>); its values
    are rows quoting the record, each noting the JSON path it came from. Conditions, interventions and
    sponsors are matched to the graph's names in the seed tables; what matches nothing is listed for
    curation (printed, and written to build/review/ctgov-NAME.tsv), never added as a guessed entity.
    A value a curated row contradicts gets status `reported`, and `kg check` reports it. Importing the
    same records again changes nothing; a newer version keeps the older one's rows as history. Bad
    input is one line naming the file and the JSON path, exit 1, and nothing written.
    """
    from kg import ctgov

    paths = project_paths()
    report = ctgov.import_ctgov(paths, list(inputs), name, downloaded)
    table = paths.relative(report.table)
    for source, holder in sorted(report.elsewhere.items()):
        click.echo(f"already imported: {source} is in {holder}; left there")
    click.echo(f"read {report.records} record{'s' if report.records != 1 else ''}; "
               f"{len(report.imported)} version{'s' if len(report.imported) != 1 else ''} in {table} "
               f"({'written' if report.changed else 'unchanged'}, {report.rows} rows)")
    for contra in report.contradictions:
        click.echo(f"reported: {contra.subject} {contra.predicate} {contra.value!r}: curated {contra.curated!r} "
                   f"at {contra.where} (kept as the registry's claim; kg check reports it)")
    for cand in report.candidates:
        click.echo(f"candidate {cand.kind}: {cand.text!r} ({cand.nct_id}, {cand.path}): {cand.hint}")
    if report.candidates:
        click.echo(f"{len(report.candidates)} candidate{'s' if len(report.candidates) != 1 else ''} for curation "
                   f"listed in {paths.relative(report.review)}")


@click.command("diff", epilog=example("kg diff HEAD build --format md"))
@click.argument("old")
@click.argument("new")
@click.option("--format", "fmt", type=click.Choice(["text", "md", "json", "atom"]), default="text", show_default=True,
              help="atom: a feed (RFC 4287), one entry per change, linking its sources.")
@click.option("--watch", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Only changes to the entities this file lists (one CURIE, <IRI> or name a line) and to what "
                   "is one link from them.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file (atomically) instead of stdout.")
def diff_command(old: str, new: str, fmt: str, watch: Path | None, output: Path | None) -> None:
    """What changed from OLD to NEW: entities added and removed, sources added, new approvals and
    designations, stage, phase and status changes, primary completion dates that slipped, disputes
    opened and resolved, each with its sources.

    OLD and NEW are builds (a store folder, a build folder, or a project folder that `kg build` has
    built) or git revisions of this project, built into a temporary folder (without SHACL). The
    example shows what the rows not yet committed change.
    """
    from kg import diff as diff_mod
    from kg.catalogue import prefixes
    from kg.files import write_atomic

    paths = project_paths()
    started = time.perf_counter()

    def progress(stage: str) -> None:
        click.echo(f"[{time.perf_counter() - started:6.2f}s] {stage}", err=True)

    known = prefixes(paths) if paths.prefixes.exists() else {}
    report = diff_mod.diff(paths, old, new, watch, known, progress)
    text = diff_mod.render(report, fmt, known)
    if output is None:
        click.echo(text, nl=False)
        return
    write_atomic(output, text)
    click.echo(f"wrote {paths.relative(output)}: {len(report.changes)} changes ({fmt})", err=True)


COMMANDS = [import_group, diff_command]
