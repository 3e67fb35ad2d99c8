"""The `kg` command: each command is one library call plus formatting. The only module that prints."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Callable

import click

from kg.errors import InputError, KgError, LocatedError
from kg.paths import Paths
from kg.vocab import GRAPH_INFERRED

EXIT_CODES = """Exit status: 0 fine, 1 problems in the input (or violations, or a parameter value that names
nothing), 2 usage or runtime error."""


def example(*commands: str) -> str:
    """A help text's last paragraph: commands a user can paste (a test runs each)."""
    return "\b\nExample:\n" + "\n".join(f"  {command}" for command in commands)


class KgGroup(click.Group):
    """Turns library errors into one line on stderr and an exit status, never a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except InputError as exc:
            for problem in exc.problems:
                click.echo(str(problem), err=True)
            n = len(exc.problems)
            click.echo(f"{n} error{'s' if n != 1 else ''}; nothing was written", err=True)
            ctx.exit(exc.exit_code)
        except LocatedError as exc:
            click.echo(str(exc.problem), err=True)
            ctx.exit(exc.exit_code)
        except KgError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except KeyboardInterrupt:
            click.echo("interrupted; nothing was written", err=True)
            ctx.exit(130)
        except BrokenPipeError:
            # The reader went away (`kg query … | head`): stop quietly, as cat and grep do.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            ctx.exit(0)
        except Exception as exc:  # noqa: BLE001 - the last guard before a traceback reaches a user
            if os.environ.get("KG_DEBUG"):
                raise
            click.echo(f"error: {type(exc).__name__}: {exc} (set KG_DEBUG=1 for details)", err=True)
            ctx.exit(2)


@click.group(cls=KgGroup, epilog=EXIT_CODES + "\n\n" + example("kg query therapies-by-target -p target=CD19"))
@click.version_option(package_name="cartkg")
@click.option("--project", type=click.Path(file_okay=False, path_type=Path), envvar="KG_PROJECT",
              help="Project folder (default: the nearest folder up from here with ontology/ and seeds/).")
@click.pass_context
def main(ctx: click.Context, project: Path | None) -> None:
    """cartkg: a knowledge graph of CAR T-cell therapy programs, with the source of every fact."""
    ctx.obj = Paths(project.resolve()) if project else Paths.discover()


def _paths() -> Paths:
    return click.get_current_context().obj


def _as_of_option(command):
    """--as-of DATE: the graph as it stood on that date (declared once for every command that reads the graph)."""
    return click.option("--as-of", "as_of", metavar="DATE",
                        help="The graph as it stood on DATE (YYYY-MM-DD; YYYY-MM or YYYY: the period's last day): "
                             "only what sources published by then said, ranked as of then; built in memory "
                             "from the seeds.")(command)


def _engine(endpoint: str | None, as_of: str | None):
    """The engine a command reads: the graph as of a date, an endpoint, or the embedded store."""
    from kg.engine import open_engine

    if as_of is None:
        return open_engine(_paths(), endpoint)
    from kg import asof

    when = asof.parse_as_of(as_of)  # a bad date is refused before anything is read
    if endpoint:
        raise KgError("--as-of builds the graph from this project's seeds; it cannot be used with --endpoint")
    engine = asof.AsOfEngine(asof.build_as_of(_paths(), when))
    click.echo(f"note: the graph as of {when.isoformat()}: {engine.as_of.rows_left_out} seed rows left out (sources "
               f"published later, events after it, statements not holding then); {engine.as_of.undated_sources} "
               "sources have no date and count at every date", err=True)
    return engine


def _curie(iri: str) -> str:
    from kg.vocab import SPARQL_PREFIXES

    for prefix, ns in sorted(SPARQL_PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


def _wrapped(label: str, items: list[str], width: int = 100, lines: int = 3) -> list[str]:
    """`label: a, b, c` wrapped to `width` columns in at most `lines` lines, ending `… and N more` when cut."""
    import textwrap

    def wrap(text: str) -> list[str]:
        # No break inside an item ("25 RegulatoryDecision"): its spaces are no-break spaces while wrapping.
        return [line.replace("\u00a0", " ") for line in
                textwrap.wrap(text, width=width, subsequent_indent="  ", break_long_words=False)]

    items = [item.replace(" ", "\u00a0") for item in items]
    out = wrap(f"{label}: {', '.join(items)}")
    if len(out) <= lines:
        return out
    shown: list[str] = []
    for item in items:
        if len(wrap(f"{label}: {', '.join(shown + [item])}, … and {len(items) - len(shown) - 1} more")) > lines:
            break
        shown.append(item)
    return wrap(f"{label}: {', '.join(shown)}, … and {len(items) - len(shown)} more")


@main.command(epilog=example("kg build"))
@click.option("--no-shacl", is_flag=True, help="Skip SHACL validation (the SPARQL checks still run).")
@click.option("--low-memory", is_flag=True,
              help="Work on the on-disk store instead of in memory: about a quarter less memory, about 1.6x the time.")
@click.option("-v", "--verbose", is_flag=True,
              help="Also print each stage as it starts, triples per source graph, every class, and each warning.")
def build(no_shacl: bool, low_memory: bool, verbose: bool) -> None:
    """Build the graph from ontology/ and seeds/ into build/ (the previous build stays if this one fails).

    Prints a short summary: triples, entities per class, problems by level (`kg check` lists them), time.
    """
    from kg import build as build_mod

    paths = _paths()
    started = time.perf_counter()
    live = sys.stderr.isatty() and not verbose

    def progress(stage: str) -> None:
        if verbose:
            click.echo(f"[{time.perf_counter() - started:6.2f}s] {stage}", err=True)
        elif live:  # one line, rewritten in place, gone when the build ends
            click.echo(f"\r\x1b[K[{time.perf_counter() - started:6.2f}s] {stage}", err=True, nl=False)

    try:
        report = build_mod.build(paths, progress=progress, shacl=not no_shacl, low_memory=low_memory)
    finally:
        if live:
            click.echo("\r\x1b[K", err=True, nl=False)
    inferred = report.triples_per_graph.get(GRAPH_INFERRED, 0)
    click.echo(f"built {report.total_triples:,} triples ({inferred:,} inferred) in {len(report.triples_per_graph)} "
               f"graphs from {len(report.files)} files in {report.seconds:.2f}s into {paths.relative(paths.build)}/current/")
    counts = {level: sum(1 for p in report.problems if p.level == level) for level in ("error", "warn", "info")}
    problems = (f"{counts['error']} errors, {counts['warn']} warnings, {counts['info']} info"
                + (" (`kg check` lists them)" if counts["warn"] + counts["info"] and not verbose else ""))
    if verbose:
        click.echo("triples per source graph:")
        for graph, n in sorted(report.triples_per_graph.items(), key=lambda kv: (-kv[1], kv[0])):
            click.echo(f"  {n:8d}  {_curie(graph)}")
        click.echo("instances per class:")
        for cls, n in sorted(report.instances_per_class.items(), key=lambda kv: (-kv[1], kv[0])):
            click.echo(f"  {n:8d}  {_curie(cls)}")
        click.echo("inferred: " + ", ".join(f"{k} {v}" for k, v in report.inferred.items()))
        click.echo(f"checks passed: {len(report.checks_run)} ({', '.join(report.checks_run)}); {problems}")
        for problem in report.problems:
            click.echo(f"  {problem}")
        return
    classes = sorted(report.instances_per_class.items(), key=lambda kv: (-kv[1], kv[0]))
    for line in _wrapped("entities per class", [f"{n:,} {_curie(cls).removeprefix('cart:')}" for cls, n in classes]):
        click.echo(line)
    click.echo(f"checks: {len(report.checks_run)} run; {problems}")


_FORMAT_HELP = ("table (default), records (one field a line), json, xml, csv, tsv (the W3C SPARQL results "
                "formats), md.")
_RDF_FORMAT_HELP = "SELECT and ASK: " + _FORMAT_HELP + " CONSTRUCT and DESCRIBE: ttl (default), nt, jsonld, trig, rdfxml."


def output_options(any_form: bool) -> Callable:
    """--format, --wide and --endpoint, shared by the commands that print a query's answer; `any_form`: the
    query may also be a CONSTRUCT or DESCRIBE (canned queries are SELECTs)."""
    from kg.results import ALL_FORMATS, FORMATS

    def add(command: Callable) -> Callable:
        command = click.option("--endpoint", envvar="KG_ENDPOINT",
                               help="Query this SPARQL endpoint instead of the embedded store (asked for the "
                                    "chosen format's media type).")(command)
        command = click.option("--wide", is_flag=True,
                               help="Tables: show every cell whole (by default cells are cut with … to the "
                                    "terminal's width, or 100 columns when not a terminal).")(command)
        return click.option("--format", "fmt", type=click.Choice(ALL_FORMATS if any_form else FORMATS), default=None,
                            help=_RDF_FORMAT_HELP if any_form else _FORMAT_HELP)(command)

    return add


def _table_width(wide: bool) -> int | None:
    """How many columns a table may take: none with --wide, the terminal's width, 100 when not a terminal."""
    from kg.results import TABLE_WIDTH

    if wide:
        return None
    if sys.stdout.isatty():
        import shutil

        return shutil.get_terminal_size((TABLE_WIDTH, 24)).columns
    return TABLE_WIDTH


def _names(paths: Paths) -> dict[str, str]:
    from kg.catalogue import prefixes
    from kg.vocab import GRAPH

    return {**prefixes(paths), "graph": GRAPH}


@main.command(epilog=example("echo 'ASK { id:kymriah cart:targets id:cd19 }' | kg sparql --format json -"))
@click.argument("query_file", type=click.File("r", encoding="utf-8"))
@output_options(any_form=True)
@_as_of_option
def sparql(query_file, fmt: str | None, wide: bool, endpoint: str | None, as_of: str | None) -> None:
    """Run a read-only SPARQL query from QUERY_FILE (or - for stdin) over the built graph.

    Any query form: SELECT and ASK answer in a table or the W3C SPARQL results formats, CONSTRUCT and
    DESCRIBE in RDF. The default graph is the union of all named graphs; GRAPH ?g tells which source
    said it. Updates and SERVICE are refused; a query that does not parse is reported at its
    FILE:LINE:COL (exit 1).
    """
    from kg.catalogue import display_names
    from kg.engine import ensure_read_only, open_engine
    from kg.errors import LocatedError
    from kg.results import render
    from kg.sparqltext import syntax_problem
    from kg.vocab import SPARQL_PREFIXES

    paths = _paths()
    text = query_file.read()
    shown = "<stdin>" if query_file.name == "<stdin>" else query_file.name
    ensure_read_only(text, shown)
    problem = syntax_problem(text, shown, SPARQL_PREFIXES)  # the prefixes every engine is given
    if problem:
        raise LocatedError(problem)
    engine = _engine(endpoint, as_of)
    answer = engine.run(text, None, fmt)
    names = _names(paths)
    shown_names = display_names(engine, answer, names) if fmt in (None, "table", "records", "md") else {}
    click.echo(render(answer, fmt, shown_names, names, _table_width(wide)), nl=False)


@main.command(epilog=example("kg fmt --check"))
@click.option("--check", "check_only", is_flag=True, help="Only report files that are not canonical (exit 1).")
def fmt(check_only: bool) -> None:
    """Rewrite the seed tables in canonical form (sorted rows, trimmed cells, LF line ends)."""
    from kg import fmt as fmt_mod

    changed = fmt_mod.format_tables(_paths(), check_only)
    for name in changed:
        click.echo(f"{'not canonical' if check_only else 'rewrote'}: {name}")
    if check_only and changed:
        raise click.exceptions.Exit(1)
    if not changed:
        click.echo("all seed tables are canonical")


@main.command(epilog=example("kg push --endpoint http://127.0.0.1:7878/query"))
@click.option("--endpoint", envvar="KG_ENDPOINT", required=True,
              help="The store's SPARQL query URL (e.g. http://127.0.0.1:7878/query).")
@click.option("--update", "update_url", help="SPARQL Update URL (derived for Oxigraph, Fuseki, Virtuoso, GraphDB).")
@click.option("--graph-store", "graph_store_url", help="Graph Store Protocol URL (derived like --update).")
@click.option("--replace-default", is_flag=True,
              help="Also replace the store's default graph with the union of the pushed graphs.")
def push(endpoint: str, update_url: str | None, graph_store_url: str | None, replace_default: bool) -> None:
    """Check the graph, then upload it to a SPARQL store, one named graph per source.

    Each graph goes to a staging graph first and all are moved into place by one SPARQL Update, so a
    failure midway leaves the remote graphs as they were. Nothing is sent if `kg check` finds errors.
    A graph the store already holds as built is not sent again, and one where at most a tenth of its
    triples differ is patched in place by the same update (a graph with blank nodes is always sent).
    Credentials, if the store wants them: $KG_ENDPOINT_USER and $KG_ENDPOINT_PASSWORD.
    """
    from kg import push as push_mod

    started = time.perf_counter()

    def progress(stage: str) -> None:
        click.echo(f"[{time.perf_counter() - started:6.2f}s] {stage}", err=True)

    report = push_mod.push(_paths(), endpoint, update_url, graph_store_url, replace_default, progress)
    click.echo(f"pushed {report.total_triples} triples in {len(report.triples_per_graph)} graphs "
               f"in {report.seconds:.2f}s to {report.endpoints.graph_store}")
    for graph, n in sorted(report.triples_per_graph.items(), key=lambda kv: (-kv[1], kv[0])):
        note = ("  (already there as built: not sent)" if graph in report.unchanged else
                "  (a few triples differed: patched in place)" if graph in report.patched else "")
        click.echo(f"  {n:8d}  {_curie(graph)}{note}")
    for graph in report.dropped:
        click.echo(f"  dropped  {_curie(graph)} (no longer in the build)")
    if report.replaced_default:
        click.echo("replaced the default graph with the union of the pushed graphs")
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)


@main.command(epilog=example("kg serve --port 7878"))
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

    def on_term(signum, frame):  # a service manager's stop: as for Ctrl-C
        raise KeyboardInterrupt

    serving = server.prepare(_paths(), host, port, allow_remote, time_limit, workers)
    # uvicorn stops on the signal, then raises it again once it has shut down: it ends here, as "stopped".
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    if serving.warning:
        click.echo(serving.warning, err=True)
    click.echo(f"serving the graph read-only at {serving.url}")
    click.echo(f"SPARQL endpoint: {serving.sparql_url}   e.g. kg sparql --endpoint {serving.sparql_url} FILE")
    click.echo("press Ctrl-C to stop", err=True)
    try:
        serving.run()
    except KeyboardInterrupt:
        pass
    click.echo("stopped", err=True)


def _given(values: tuple[str, ...]) -> dict[str, str]:
    given: dict[str, str] = {}
    for item in values:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise click.BadParameter(f"{item!r} is not NAME=VALUE", param_hint="'-p' / '--param'")
        if name in given:
            raise click.BadParameter(f"{name} is given twice", param_hint="'-p' / '--param'")
        given[name] = value
    return given


def _param_usage(param) -> str:
    from kg.params import default_text

    default = default_text(param.default)
    if default is not None:
        return f"{param.name}={default}"
    return param.name if param.required else f"[{param.name}]"


@main.command(epilog=example("kg queries therapies-by-target"))
@click.argument("name", required=False)
def queries(name: str | None) -> None:
    """List the canned queries (name, parameters, summary), or show the query NAME in full."""
    from kg import catalogue

    paths = _paths()
    if name:
        rq = catalogue.find_query(paths, name)
        click.echo(f"{rq.name} ({rq.shown})")
        click.echo(f"  {rq.summary}")
        if rq.description:
            import textwrap

            click.echo("\n" + textwrap.fill(rq.description, width=100, initial_indent="  ", subsequent_indent="  "))
        if rq.tags:
            click.echo(f"\ntags: {', '.join(rq.tags)}")
        click.echo("\nparameters:" if rq.params else "\nparameters: none")
        for p in rq.params.values():
            default = _param_usage(p).partition("=")[2]
            how = f"default {default}" if default else ("required" if p.required else "optional: all when left out")
            of = f" of {p.cls}" if p.cls else ""
            click.echo(f"  -p {p.name}=VALUE  {p.type}{of}, {how}: {p.description}")
        click.echo(f"\nrun it: kg query {rq.name}" + "".join(f" -p {p.name}=..." for p in rq.params.values()))
        click.echo("\n" + "\n".join(rq.text.split("\n")[rq.header_lines:]).strip("\n"))
        return
    listed = catalogue.load_catalogue(paths)
    rows = [(rq.name, " ".join(_param_usage(p) for p in rq.params.values()), rq.summary) for rq in listed]
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(("NAME", "PARAMETERS"))]
    click.echo(f"{'NAME':<{widths[0]}}  {'PARAMETERS':<{widths[1]}}  SUMMARY")
    for query_name, usage, summary in rows:
        click.echo(f"{query_name:<{widths[0]}}  {usage:<{widths[1]}}  {summary}")
    click.echo(f"\n{len(rows)} queries in {paths.relative(paths.queries)}/; `kg queries NAME` shows one, "
               "`kg query NAME -p name=value` runs it ([name]: optional, all when left out).")


@main.command(epilog=example("kg query therapies-by-target -p target=CD19"))
@click.argument("name")
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE",
              help="A parameter value (repeat for each); entities by any name, synonym, CURIE or IRI (a value "
                   "starting with < is tried as a name first). An empty value (-p target=) is the default.")
@output_options(any_form=False)
@_as_of_option
def query(name: str, params: tuple[str, ...], fmt: str | None, wide: bool, endpoint: str | None,
          as_of: str | None) -> None:
    """Run the canned query NAME (see `kg queries`) with typed parameters, sorted output.

    Values are bound as RDF terms, never pasted into the query text. A value that names nothing in the
    graph is exit status 1, with a note on stderr saying so (and the closest names).
    """
    from kg.catalogue import run_query
    from kg.results import render

    paths = _paths()
    engine = _engine(endpoint, as_of) if as_of else None
    answer = run_query(paths, name, _given(params), endpoint, labelled=fmt in (None, "table", "records", "md"), fmt=fmt,
                       engine=engine)
    for note in answer.notes:
        click.echo(f"note: {note}", err=True)
    if answer.unmatched:
        raise click.exceptions.Exit(1)
    click.echo(render(answer.result, fmt, answer.labels, _names(paths), _table_width(wide)), nl=False)


@main.command(epilog=example("kg check --fail-on error"))
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

    report, problems = build_mod.check(_paths(), shacl=not no_shacl)
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


# ---------------------------------------------------------------- the ontology: kg new, kg ontology, kg docs


@main.group(epilog=example("kg new class Manufacturer --parent cart:Company --dry-run"))
def new() -> None:
    """Scaffold a new class or property in ontology/: label, comment, SHACL shape, example seed rows.

    Names follow the ontology's convention: classes UpperCamelCase (Manufacturer), properties
    lowerCamelCase (manufacturedBy). A name that exists is refused: terms are never renamed or reused.
    """


def _report_scaffold(scaffold, dry_run: bool) -> None:
    if dry_run:
        click.echo(scaffold.block, nl=False)
        return
    notes = f" ({'; '.join(scaffold.notes)})" if scaffold.notes else ""
    click.echo(f"{'wrote' if scaffold.created else 'added to'} {scaffold.shown}: {scaffold.kind} {scaffold.term}{notes}, "
               f"shape {scaffold.shape}")
    click.echo("example seed rows (subject, predicate, object, source, quote, status; tab-separated) "
               "for a table in seeds/, citing your own source:")
    for row in scaffold.example_rows:
        click.echo("  " + row)
    click.echo("then run: kg build")


_FILE_HELP = "Turtle file to add it to, relative to the project (default: ontology/extensions/<name>.ttl)."


@new.command("class", epilog=example("kg new class Manufacturer --parent cart:Company --dry-run"))
@click.argument("name")
@click.option("--parent", help="Its superclass, e.g. cart:Company (default: a top-level class).")
@click.option("--file", "file", help=_FILE_HELP)
@click.option("--label", help="rdfs:label (default: from the name, e.g. Regulatory decision).")
@click.option("--comment", help="rdfs:comment: what an instance is (default: a kind of its parent).")
@click.option("--dry-run", is_flag=True, help="Print the Turtle instead of writing it.")
def new_class(name: str, parent: str | None, file: str | None, label: str | None, comment: str | None,
              dry_run: bool) -> None:
    """Add class NAME (UpperCamelCase) and its shape to the ontology."""
    from kg import scaffold

    _report_scaffold(scaffold.new_class(_paths(), name, parent=parent, file=file, label=label, comment=comment,
                                        write=not dry_run), dry_run)


@new.command("property",
             epilog=example("kg new property manufacturedBy --domain cart:Therapy --range cart:Company --dry-run"))
@click.argument("name")
@click.option("--domain", required=True, help="The class of its subjects, e.g. cart:Therapy.")
@click.option("--range", "range_", required=True,
              help="The class of its values (an object property), or an xsd: datatype such as xsd:date.")
@click.option("--file", "file", help=_FILE_HELP)
@click.option("--label", help="rdfs:label (default: from the name, e.g. manufactured by).")
@click.option("--comment", help="rdfs:comment: what the relation means.")
@click.option("--required", is_flag=True, help="Every instance of the domain class must have it (checked by its shape).")
@click.option("--dry-run", is_flag=True, help="Print the Turtle instead of writing it.")
def new_property(name: str, domain: str, range_: str, file: str | None, label: str | None, comment: str | None,
                 required: bool, dry_run: bool) -> None:
    """Add property NAME (lowerCamelCase) with its domain, range and shape to the ontology."""
    from kg import scaffold

    _report_scaffold(scaffold.new_property(_paths(), name, domain, range_, file=file, label=label, comment=comment,
                                           required=required, write=not dry_run), dry_run)


@main.command(epilog=example("kg ontology"))
def ontology() -> None:
    """Print the ontology: classes under their superclasses and properties by kind, with labels,
    comments, domains and ranges (terms outside cart.ttl show the file and line that declare them)."""
    from kg import ontology_docs

    view = ontology_docs.load_overview(_paths())

    def where(term) -> str:
        extra = f"  [{term.file}:{term.line}]" if term.file and term.file != "ontology/cart.ttl" else ""
        if term.deprecated:
            extra += "  DEPRECATED" + (f", use {view.curie(term.replaced_by)}" if term.replaced_by else "")
        return extra

    def classes(nodes, depth: int) -> None:
        for node in nodes:
            term = node.term
            click.echo(f"{'  ' * depth}{term.label or '?'} ({view.curie(term.iri)}) — {term.comment}{where(term)}")
            classes(node.children, depth + 1)

    def properties(nodes, depth: int) -> None:
        for node in nodes:
            term = node.term
            click.echo(f"{'  ' * depth}{term.label or '?'} ({view.curie(term.iri)}): "
                       f"{view.curie(term.domain) or 'any'} -> {view.curie(term.range) or 'any'} — {term.comment}{where(term)}")
            properties(node.children, depth + 1)

    click.echo(f"cartkg ontology {view.version} <{view.iri}> from {', '.join(view.files)}")
    click.echo("\nClasses")
    classes(view.classes, 1)
    for kind, nodes in view.properties.items():
        click.echo(f"\n{kind.capitalize()} properties")
        properties(nodes, 1)


@main.command(epilog=example("kg docs -o build/docs"))
@click.option("-o", "--output", "out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder to write into (default: build/docs).")
@click.option("--endpoint", envvar="KG_ENDPOINT", help="Count instances on this SPARQL endpoint instead of the embedded store.")
def docs(out: Path | None, endpoint: str | None) -> None:
    """Write browsable HTML documentation of the ontology: classes, properties, shapes, alignments,
    and, from the built graph, instance counts and an example instance per class."""
    from kg import ontology_docs

    paths = _paths()
    report = ontology_docs.write_docs(paths, out or paths.build / "docs", endpoint)
    graph = ("instance counts and examples from the built graph" if report.with_graph
             else "no built graph: run `kg build` for instance counts and examples")
    for path in report.files:
        click.echo(f"wrote {paths.relative(path)}: {report.classes} classes, {report.properties} properties, "
                   f"{report.shapes} shapes; {graph}")


_ENDPOINT_HELP = "Read the graph from this SPARQL endpoint instead of the embedded store."


@main.command(epilog=example("kg viz --focus rese-cel --depth 2"))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the page  [default: build/graph.html]")
@click.option("--focus", metavar="NAME", help="Only the entities around this one (any name, synonym, CURIE or IRI).")
@click.option("--depth", type=click.IntRange(0, 20), default=1, show_default=True,
              help="With --focus: how many links away from it.")
@click.option("--class", "classes", multiple=True, metavar="CLASS",
              help="Only entities of this class or its subclasses, by label, CURIE or IRI (repeat for more).")
@click.option("--sources", is_flag=True, help="Also show the sources and their publishers.")
@click.option("--terms", is_flag=True, help="Also show individuals of the ontology (decision types).")
@click.option("--open", "open_page", is_flag=True, help="Open the page in the default browser.")
@click.option("--endpoint", envvar="KG_ENDPOINT", help=_ENDPOINT_HELP)
@_as_of_option
def viz(output: Path | None, focus: str | None, depth: int, classes: tuple[str, ...], sources: bool, terms: bool,
        open_page: bool, endpoint: str | None, as_of: str | None) -> None:
    """Write the graph as one interactive HTML page that works offline.

    Colour and shape per class, links labelled by property, inferred links dashed; hover for names,
    facts and the sources' quotes, search by any name or synonym, filter by class, click to highlight
    a neighbourhood. Everything is inline: the page makes no network request.
    """
    from kg import viz as viz_mod
    from kg.catalogue import prefixes
    from kg.engine import open_engine

    paths = _paths()
    out = output or paths.html
    page = viz_mod.write_page(_engine(endpoint, as_of), out, prefixes(paths), focus, depth, list(classes),
                              sources, terms)
    layout = "physics settles it, then freezes" if page.physics else "positions precomputed, physics off"
    click.echo(f"wrote {paths.relative(out)}: {page.nodes} entities, {page.edges} links ({page.inferred} inferred), "
               f"{page.bytes / 1024:.0f} KiB; {layout}")
    if open_page:
        click.launch(str(out))


@main.command(epilog=example("kg stats --top 5"))
@click.option("--top", type=click.IntRange(1, 100), default=3, show_default=True, help="Leaders shown per class.")
@click.option("--endpoint", envvar="KG_ENDPOINT", help=_ENDPOINT_HELP)
def stats(top: int, endpoint: str | None) -> None:
    """Network statistics: entities per class, triples per source, degree and betweenness leaders, components;
    then the coverage of the curated field, each figure against its target.

    Each coverage figure is counted by one SPARQL file of queries/coverage/ (its header says what is
    counted and the target): approved products with INN, brand, developer, target, construct and cell
    source; regulatory decisions with regulator and date, and their regulators; autoimmune programs
    with developer, target, cell source and stage; autoimmune trials with registry id, phase, status,
    start date, sponsor, condition and therapy; readouts with patients and an outcome, and those with
    safety figures; deals with date and assets; diseases with a MONDO id; reference rows with a quote.

    Example: kg stats --top 5
    """
    from kg import coverage, network
    from kg.engine import open_engine

    paths = _paths()
    engine = open_engine(paths, endpoint)
    s = network.stats(engine, top)
    isolated = sum(1 for c in s.components if c == 1)
    click.echo(f"{s.nodes} entities, {s.edges} links ({s.inferred_edges} inferred), "
               f"{len(s.components)} connected components")
    click.echo("entities per class (most specific class):")
    for cls, n in s.instances.items():
        click.echo(f"  {n:8d}  {cls}")
    click.echo("triples per source graph:")
    for graph, n in s.triples_per_graph.items():
        name = s.graph_labels.get(graph)
        click.echo(f"  {n:8d}  {_curie(graph)}" + (f"  {name}" if name else ""))
    sampled = f", estimated from {s.betweenness_samples} sampled entities" if s.betweenness_samples else ""
    for title, leaders, fmt in (("degree (linked entities)", s.degree, "{:.0f}"),
                                (f"betweenness{sampled}", s.betweenness, "{:.3f}")):
        click.echo(f"{title} leaders per class:")
        width = max((len(c) for c in leaders), default=0)
        for cls, ranked in leaders.items():
            shown = "; ".join(f"{x.label} {fmt.format(x.value)}" for x in ranked)
            click.echo(f"  {cls:<{width}}  {shown}")
    sizes = ", ".join(str(n) for n in s.components[:10]) + (", ..." if len(s.components) > 10 else "")
    click.echo(f"connected components: {len(s.components)} (sizes {sizes}; {isolated} isolated entities)")
    figures = coverage.figures(paths, engine)
    if figures:
        click.echo(f"coverage of the field ({paths.relative(paths.coverage)}/, one file a figure):")
        counts = [f"{f.value} of {f.of}" + (f" ({f.share:.1f}%)" if f.target.endswith("%") and f.share is not None else "")
                  for f in figures]
        width = max(len(c) for c in counts)
        for f, count in zip(figures, counts):
            if f.met is None:
                verdict = "no target"
            elif f.met:
                verdict = f"target {f.target}: met"
            elif f.target == "none":
                verdict = f"target none: {f.value} left"
            elif f.target == "all":
                verdict = f"target all: {f.of - f.value} short"
            elif f.target.endswith("%"):
                verdict = f"target {f.target}: short"
            else:
                verdict = f"target {f.target}: {int(f.target) - f.value} short"
            click.echo(f"  {count:>{width}}  {f.summary}  [{verdict}]")


@main.command(epilog=example('kg path "Cabaletta Bio" SLE'))
@click.argument("a")
@click.argument("b")
@click.option("--max", "limit", type=click.IntRange(1, 1000), default=10, show_default=True,
              help="At most this many paths.")
@click.option("--endpoint", envvar="KG_ENDPOINT", help=_ENDPOINT_HELP)
def path(a: str, b: str, limit: int, endpoint: str | None) -> None:
    """The shortest paths between entities A and B (any name, synonym, CURIE or IRI), as chains of relations.

    Links count in either direction; an arrow shows which way each relation points, * marks an inferred one.
    Exit status 1 when no path joins them.
    """
    from kg import network
    from kg.catalogue import prefixes
    from kg.engine import open_engine

    paths = _paths()
    answer = network.find_paths(open_engine(paths, endpoint), a, b, prefixes(paths), limit)
    if not answer.chains:
        click.echo(f"no path between {answer.source_label} and {answer.target_label}")
        raise click.exceptions.Exit(1)
    n = len(answer.chains)
    click.echo(f"{n} shortest path{'s' if n != 1 else ''} of {answer.links} link{'s' if answer.links != 1 else ''} "
               f"between {answer.source_label} and {answer.target_label} (* inferred):")
    for text in answer.chains:
        click.echo(f"  {text}")


@main.command(epilog=example("kg neighbors CABA-201 --depth 2"))
@click.argument("name")
@click.option("--depth", type=click.IntRange(1, 20), default=1, show_default=True, help="How many links away.")
@click.option("--endpoint", envvar="KG_ENDPOINT", help=_ENDPOINT_HELP)
def neighbors(name: str, depth: int, endpoint: str | None) -> None:
    """The entities linked to NAME (any name, synonym, CURIE or IRI), up to --depth links away, nearest first."""
    from kg import network
    from kg.catalogue import prefixes
    from kg.engine import open_engine

    paths = _paths()
    answer = network.find_neighbors(open_engine(paths, endpoint), name, prefixes(paths), depth)
    rows = [("DEPTH", "CLASS", "NAME", "LINK")] + [(str(d), c, n, link) for d, c, n, link in answer.rows]
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    for r in rows:
        click.echo(f"{r[0]:<{widths[0]}}  {r[1]:<{widths[1]}}  {r[2]:<{widths[2]}}  {r[3]}".rstrip())
    click.echo(f"({len(answer.rows)} entities within {depth} link{'s' if depth != 1 else ''} of {answer.label}; * inferred)")


@main.command(epilog=example("kg export --format ttl -o build/graph.ttl"))
@click.option("--format", "fmt", type=click.Choice(["graphml", "ttl", "trig", "nt", "jsonld"]), required=True,
              help="graphml: the entities and links (Gephi, Cytoscape); trig, jsonld: every triple in its "
                   "source's named graph; ttl, nt: the union of all graphs.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file (atomically) instead of stdout.")
@click.option("--endpoint", envvar="KG_ENDPOINT", help=_ENDPOINT_HELP)
@_as_of_option
def export(fmt: str, output: Path | None, endpoint: str | None, as_of: str | None) -> None:
    """Export the graph as GraphML or RDF (Turtle, TriG, N-Triples, JSON-LD)."""
    from kg import export as export_mod
    from kg.catalogue import prefixes
    from kg.engine import open_engine
    from kg.files import write_atomic

    paths = _paths()
    data = export_mod.export(_engine(endpoint, as_of), fmt, prefixes(paths))
    if output is None:
        click.echo(data, nl=False)
        return
    write_atomic(output, data)
    click.echo(f"wrote {paths.relative(output)} ({len(data) / 1024:.0f} KiB, {fmt})", err=True)


# ---------------------------------------------------------------- kg import: registry records as seed rows


@main.group("import", epilog=example("kg import ctgov tests/data/ctgov/pages --name car-t-autoimmune"))
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

    paths = _paths()
    report = ctgov.import_ctgov(paths, list(inputs), name, downloaded)
    table = paths.relative(report.table)
    for source, holder in sorted(report.elsewhere.items()):
        click.echo(f"already imported: {source} is in {holder}; left there")
    click.echo(f"read {report.records} record{'s' if report.records != 1 else ''}; "
               f"{len(report.imported)} version{'s' if len(report.imported) != 1 else ''} in {table} "
               f"({'written' if report.changed else 'unchanged'}, {report.rows} rows)")
    for c in report.contradictions:
        click.echo(f"reported: {c.subject} {c.predicate} {c.value!r}: curated {c.curated!r} at {c.where} "
                   "(kept as the registry's claim; kg check reports it)")
    for c in report.candidates:
        click.echo(f"candidate {c.kind}: {c.text!r} ({c.nct_id}, {c.path}): {c.hint}")
    if report.candidates:
        click.echo(f"{len(report.candidates)} candidate{'s' if len(report.candidates) != 1 else ''} for curation "
                   f"listed in {paths.relative(report.review)}")


# ---------------------------------------------------------------- time: kg diff


@main.command("diff", epilog=example("kg diff HEAD build --format md"))
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

    paths = _paths()
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


@main.command(epilog=example("kg timeline -o build/timeline.html --as-of 2024-12-31"))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the page  [default: build/timeline.html]")
@click.option("--open", "open_page", is_flag=True, help="Open the page in the default browser.")
@click.option("--endpoint", envvar="KG_ENDPOINT", help=_ENDPOINT_HELP)
@_as_of_option
def timeline(output: Path | None, open_page: bool, endpoint: str | None, as_of: str | None) -> None:
    """Write the timeline page: approvals, designations, trial starts and completions, readouts and deals
    on a time axis, filterable by kind, target and disease; one HTML file that works offline.
    """
    from kg import timeline as timeline_mod

    paths = _paths()
    out = output or paths.timeline_html
    engine = _engine(endpoint, as_of)
    title = "cartkg timeline" + (f" as of {as_of}" if as_of else "")
    page = timeline_mod.write_page(engine, out, title)
    click.echo(f"wrote {paths.relative(out)}: {page.events} dated events, {page.bytes / 1024:.0f} KiB")
    if open_page:
        click.launch(str(out))
