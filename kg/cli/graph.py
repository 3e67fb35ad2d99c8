"""Commands that make, check and move the graph: build, check, fmt, push, serve, export."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from kg.cli.options import as_of_option, endpoint_option, example, open_graph, project_paths, wrapped
from kg.vocab import GRAPH_INFERRED


@click.command(epilog=example("kg build"))
@click.option("--no-shacl", is_flag=True, help="Skip SHACL validation (the SPARQL checks still run).")
@click.option("--low-memory/--in-memory", default=None,
              help="Work on the on-disk store (about a fifth of the memory, about 1.8x the time) or in memory. "
                   "By default in memory, unless the statement tables pass 24 MB together.")
@click.option("--anew", is_flag=True,
              help="Write every quad into a new store, rather than patch a copy of the last one with what changed.")
@click.option("-v", "--verbose", is_flag=True,
              help="Also print each stage as it starts, triples per source graph, every class, and each warning.")
def build(no_shacl: bool, low_memory: bool | None, anew: bool, verbose: bool) -> None:
    """Build the graph from ontology/ and seeds/ into build/ (the previous build stays if this one fails).

    Prints a short summary: triples, entities per class, problems by level (`kg check` lists them), time.
    A seed folder of up to 50,000 statements and no N-Triples file, built in memory, is written whole once;
    later builds copy the last store and change in it only the quads that changed (the summary says how
    many), unless --anew.
    """
    from kg import build as build_mod
    from kg.names import curie

    paths = project_paths()
    started = time.perf_counter()
    live = sys.stderr.isatty() and not verbose

    def progress(stage: str) -> None:
        if verbose:
            click.echo(f"[{time.perf_counter() - started:6.2f}s] {stage}", err=True)
        elif live:  # one line, rewritten in place, gone when the build ends
            click.echo(f"\r\x1b[K[{time.perf_counter() - started:6.2f}s] {stage}", err=True, nl=False)

    try:
        report = build_mod.build(paths, progress=progress, shacl=not no_shacl, low_memory=low_memory, anew=anew)
    finally:
        if live:
            click.echo("\r\x1b[K", err=True, nl=False)
    inferred = report.triples_per_graph.get(GRAPH_INFERRED, 0)
    click.echo(f"built {report.total_triples:,} triples ({inferred:,} inferred) in {len(report.triples_per_graph)} "
               f"graphs from {len(report.files)} files in {report.seconds:.2f}s "
               f"into {paths.relative(paths.build)}/current/")
    if report.patched is not None:
        click.echo(f"the last store, patched: {report.patched[0]:,} quads out, {report.patched[1]:,} in")
    counts = {level: sum(1 for p in report.problems if p.level == level) for level in ("error", "warn", "info")}
    problems = (f"{counts['error']} errors, {counts['warn']} warnings, {counts['info']} info"
                + (" (`kg check` lists them)" if counts["warn"] + counts["info"] and not verbose else ""))
    if verbose:
        click.echo("triples per source graph:")
        for graph, n in sorted(report.triples_per_graph.items(), key=lambda kv: (-kv[1], kv[0])):
            click.echo(f"  {n:8d}  {curie(graph, bare=True)}")
        click.echo("instances per class:")
        for cls, n in sorted(report.instances_per_class.items(), key=lambda kv: (-kv[1], kv[0])):
            click.echo(f"  {n:8d}  {curie(cls, bare=True)}")
        click.echo("inferred: " + ", ".join(f"{k} {v}" for k, v in report.inferred.items()))
        click.echo(f"checks passed: {len(report.checks_run)} ({', '.join(report.checks_run)}); {problems}")
        for problem in report.problems:
            click.echo(f"  {problem}")
        return
    classes = sorted(report.instances_per_class.items(), key=lambda kv: (-kv[1], kv[0]))
    per_class = [f"{n:,} {curie(cls, bare=True).removeprefix('cart:')}" for cls, n in classes]
    for line in wrapped("entities per class", per_class):
        click.echo(line)
    click.echo(f"checks: {len(report.checks_run)} run; {problems}")


@click.command(epilog=example("kg check --fail-on error"))
@click.option("--fail-on", type=click.Choice(["error", "warn"]), default="error", show_default=True,
              help="Exit 1 when there are problems at this level or above.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text: one `file:line: LEVEL: message (check)` line each; json: for tools.")
@click.option("--no-shacl", is_flag=True, help="Skip SHACL validation (the SPARQL checks still run).")
def check(fail_on: str, fmt: str, no_shacl: bool) -> None:
    """Run every check on ontology/ and seeds/ and report all problems at once, each at its file and line.

    Checks are the loaders' own (syntax, unknown terms, datatypes, sources, quotes), the SPARQL files
    in queries/checks/ and the SHACL shapes. Nothing is written. Exit 0 clean, 1 problems at or above
    --fail-on, 2 usage or runtime error.
    """
    import json

    from kg import build as build_mod

    report, problems = build_mod.check(project_paths(), shacl=not no_shacl)
    counts = {level: sum(1 for p in problems if p.level == level) for level in ("error", "warn", "info")}
    failing = ("error",) if fail_on == "error" else ("error", "warn")
    failed = any(counts[level] for level in failing)
    if fmt == "json":
        click.echo(json.dumps({"problems": [p.as_dict() for p in problems], "counts": counts,
                               "checks": report.checks_run, "fail_on": fail_on, "failed": failed},
                              ensure_ascii=False, indent=1))
    else:
        for problem in problems:
            click.echo(str(problem))
        click.echo(f"{counts['error']} error{'s' if counts['error'] != 1 else ''}, "
                   f"{counts['warn']} warning{'s' if counts['warn'] != 1 else ''}, {counts['info']} info "
                   f"({len(report.checks_run)} checks run on {len(report.files)} files)")
    if failed:
        raise click.exceptions.Exit(1)


@click.command(epilog=example("kg fmt --check"))
@click.option("--check", "check_only", is_flag=True, help="Only report files that are not canonical (exit 1).")
def fmt(check_only: bool) -> None:
    """Rewrite the seed tables in canonical form (sorted rows, trimmed cells, LF line ends)."""
    from kg import fmt as fmt_mod

    changed = fmt_mod.format_tables(project_paths(), check_only)
    for name in changed:
        click.echo(f"{'not canonical' if check_only else 'rewrote'}: {name}")
    if check_only and changed:
        raise click.exceptions.Exit(1)
    if not changed:
        click.echo("all seed tables are canonical")


@click.command(epilog=example("kg push --endpoint http://127.0.0.1:7878/query"))
@click.option("--endpoint", envvar="KG_ENDPOINT", required=True,
              help="The store's SPARQL query URL (e.g. http://127.0.0.1:7878/query).")
@click.option("--update", "update_url", help="SPARQL Update URL (derived for Oxigraph, Fuseki, Virtuoso, GraphDB).")
@click.option("--graph-store", "graph_store_url", help="Graph Store Protocol URL (derived like --update).")
@click.option("--replace-default", is_flag=True,
              help="Also replace the store's default graph with the union of the pushed graphs.")
def push(endpoint: str, update_url: str | None, graph_store_url: str | None, replace_default: bool) -> None:
    """Check the graph, then upload it to a SPARQL store, one named graph per source.

    Each graph goes to a staging graph first and all are moved into place by one SPARQL Update, so a
    failure midway leaves the remote graphs as they were. A server other than Oxigraph gets that update
    in parts (at most 250 operations and 20,000 triples each): there a failure between parts leaves some
    graphs moved, and kg push again finishes the job. Nothing is sent if `kg check` finds errors.
    A graph the store already holds as built is not sent again, and one where at most a tenth of its
    triples differ is patched in place by the same update (a graph with blank nodes is always sent).
    Credentials, if the store wants them: $KG_ENDPOINT_USER and $KG_ENDPOINT_PASSWORD.
    """
    from kg import push as push_mod
    from kg.names import curie

    started = time.perf_counter()

    def progress(stage: str) -> None:
        click.echo(f"[{time.perf_counter() - started:6.2f}s] {stage}", err=True)

    report = push_mod.push(project_paths(), endpoint, update_url, graph_store_url, replace_default, progress)
    click.echo(f"pushed {report.total_triples} triples in {len(report.triples_per_graph)} graphs "
               f"in {report.seconds:.2f}s to {report.endpoints.graph_store}")
    for graph, n in sorted(report.triples_per_graph.items(), key=lambda kv: (-kv[1], kv[0])):
        note = ("  (already there as built: not sent)" if graph in report.unchanged else
                "  (a few triples differed: patched in place)" if graph in report.patched else "")
        click.echo(f"  {n:8d}  {curie(graph, bare=True)}{note}")
    for graph in report.dropped:
        click.echo(f"  dropped  {curie(graph, bare=True)} (no longer in the build)")
    if report.replaced_default:
        click.echo("replaced the default graph with the union of the pushed graphs")
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)


@click.command(epilog=example("kg serve --port 7878"))
@click.option("--port", type=int, default=7878, show_default=True, help="TCP port (0: any free port).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--allow-remote", is_flag=True, help="Allow a --host other machines can reach (prints a warning).")
@click.option("--time-limit", type=float, default=30.0, show_default=True,
              help="Seconds a query may run before it is stopped (on the server, not just for the client).")
@click.option("--workers", type=int, default=2, show_default=True, help="Query worker processes.")
def serve(port: int, host: str, allow_remote: bool, time_limit: float, workers: int) -> None:
    """Serve the built graph read-only as a web app, with the SPARQL 1.1 Protocol at /sparql, until Ctrl-C.

    Search, entity pages, the canned questions as forms (CSV/TSV/JSON downloads), the landscape, the
    graph page and a SPARQL editor. It reads the store read-only and writes nothing; after a `kg build`
    the next request sees the new graph.

    Example: kg serve --port 8080   (then open http://127.0.0.1:8080/)
    """
    import signal

    from kg.web import server

    def on_term(signum: int, frame: object) -> None:  # a service manager's stop: as for Ctrl-C
        raise KeyboardInterrupt

    serving = server.prepare(project_paths(), host, port, allow_remote, time_limit, workers)
    # uvicorn stops on the signal, then raises it again once it has shut down: it ends here, as "stopped".
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    try:
        # Inside the try: the address already answers once the first line is out, so a Ctrl-C can come
        # while the next ones are written, and it stops the server as cleanly as one a minute later.
        if serving.warning:
            click.echo(serving.warning, err=True)
        click.echo(f"serving the graph read-only at {serving.url}")
        click.echo(f"SPARQL endpoint: {serving.sparql_url}   e.g. kg sparql --endpoint {serving.sparql_url} FILE")
        click.echo("press Ctrl-C to stop", err=True)
        serving.run()
    except KeyboardInterrupt:
        pass
    click.echo("stopped", err=True)


@click.command(epilog=example("kg export --format ttl -o build/graph.ttl"))
@click.option("--format", "fmt", type=click.Choice(["graphml", "ttl", "trig", "nt", "jsonld"]), required=True,
              help="graphml: the entities and links (Gephi, Cytoscape); trig, jsonld: every triple in its "
                   "source's named graph; ttl, nt: the union of all graphs.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file (atomically) instead of stdout.")
@endpoint_option
@as_of_option
def export(fmt: str, output: Path | None, endpoint: str | None, as_of: str | None) -> None:
    """Export the graph as GraphML or RDF (Turtle, TriG, N-Triples, JSON-LD)."""
    from kg import export as export_mod
    from kg.catalogue import prefixes
    from kg.files import write_atomic

    paths = project_paths()
    data = export_mod.export(open_graph(endpoint, as_of), fmt, prefixes(paths))
    if output is None:
        click.echo(data, nl=False)
        return
    write_atomic(output, data)
    click.echo(f"wrote {paths.relative(output)} ({len(data) / 1024:.0f} KiB, {fmt})", err=True)


COMMANDS = [build, check, fmt, push, serve, export]
