"""The `kg` command: each command is one library call plus formatting. The only module that prints."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import click

from kg.errors import InputError, KgError
from kg.paths import Paths

EXIT_CODES = """Exit status: 0 fine, 1 problems in the input (or violations), 2 usage or runtime error."""


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


@click.group(cls=KgGroup, epilog=EXIT_CODES)
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


@main.command()
@click.option("--no-shacl", is_flag=True, help="Skip SHACL validation (the SPARQL checks still run).")
@click.option("--low-memory", is_flag=True,
              help="Work on the on-disk store instead of in memory: about a quarter less memory, about 1.6x the time.")
def build(no_shacl: bool, low_memory: bool) -> None:
    """Build the graph from ontology/ and seeds/ into build/ (the previous build stays if this one fails)."""
    from kg import build as build_mod

    paths = _paths()
    started = time.perf_counter()

    def progress(stage: str) -> None:
        click.echo(f"[{time.perf_counter() - started:6.2f}s] {stage}", err=True)

    report = build_mod.build(paths, progress=progress, shacl=not no_shacl, low_memory=low_memory)
    click.echo(f"built {report.total_triples} triples from {len(report.files)} files in {report.seconds:.2f}s "
               f"into {paths.relative(paths.build)}/current/")
    click.echo("triples per source graph:")
    for graph, n in sorted(report.triples_per_graph.items(), key=lambda kv: (-kv[1], kv[0])):
        click.echo(f"  {n:8d}  {_curie(graph)}")
    click.echo("instances per class:")
    for cls, n in sorted(report.instances_per_class.items(), key=lambda kv: (-kv[1], kv[0])):
        click.echo(f"  {n:8d}  {_curie(cls)}")
    click.echo("inferred: " + ", ".join(f"{k} {v}" for k, v in report.inferred.items()))
    warnings = [p for p in report.problems if p.level != "error"]
    click.echo(f"checks passed: {len(report.checks_run)} ({', '.join(report.checks_run)}); {len(warnings)} warnings")
    for w in warnings:
        click.echo(f"  {w}")


@main.command()
@click.argument("query_file", type=click.File("r", encoding="utf-8"))
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json", "md"]), default="table",
              show_default=True, help="json, csv and tsv are the W3C SPARQL 1.1 results formats.")
@click.option("--endpoint", envvar="KG_ENDPOINT", help="Query this SPARQL endpoint instead of the embedded store.")
@_as_of_option
def sparql(query_file, fmt: str, endpoint: str | None, as_of: str | None) -> None:
    """Run a read-only SPARQL query from QUERY_FILE (or - for stdin) over the built graph.

    The default graph is the union of all named graphs; GRAPH ?g tells which source said it.
    Updates and SERVICE are refused.
    """
    from kg.engine import ensure_read_only, labels, open_engine
    from kg.results import render

    text = query_file.read()
    ensure_read_only(text, "<stdin>" if query_file.name == "<stdin>" else query_file.name)
    engine = _engine(endpoint, as_of)
    result = engine.select(text)
    names = labels(engine, result.iris()) if fmt in ("table", "md") else {}
    click.echo(render(result, fmt, names), nl=False)


@main.command()
@click.option("--check", "check_only", is_flag=True, help="Only report files that are not canonical (exit 1).")
def fmt(check_only: bool) -> None:
    """Rewrite the seed tables in canonical form (sorted rows, trimmed cells, LF line ends)."""
    from kg import seeds
    from kg.files import read_text, write_atomic

    paths = _paths()
    changed = []
    for path in seeds.tables(paths):
        text = read_text(path, paths.relative(path))
        canon = seeds.canonical(text)
        if path.read_bytes() != canon.encode("utf-8"):
            changed.append(paths.relative(path))
            if not check_only:
                write_atomic(path, canon)
    for name in changed:
        click.echo(f"{'not canonical' if check_only else 'rewrote'}: {name}")
    if check_only and changed:
        raise click.exceptions.Exit(1)
    if not changed:
        click.echo("all seed tables are canonical")


@main.command()
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


@main.command()
@click.option("--port", type=int, default=7878, show_default=True, help="TCP port (0: any free port).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--allow-remote", is_flag=True, help="Allow a --host other machines can reach (prints a warning).")
def serve(port: int, host: str, allow_remote: bool) -> None:
    """Serve the built graph read-only over SPARQL 1.1 with a query UI (the Oxigraph server), until Ctrl-C.

    It serves a snapshot of the store taken at start: a later `kg build` does not change what it serves.
    """
    import signal

    from kg import serve as serve_mod

    server = serve_mod.start(_paths(), host, port, allow_remote)

    def on_term(signum, frame):  # a service manager's stop: clean up as for Ctrl-C
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    # A process started in the background by a shell inherits SIGINT ignored; Ctrl-C must still stop us.
    signal.signal(signal.SIGINT, on_term)
    try:
        if server.warning:
            click.echo(server.warning, err=True)
        click.echo(f"serving the graph read-only at {server.url} (query UI)")
        click.echo(f"SPARQL endpoint: {server.query_url}   e.g. kg sparql --endpoint {server.query_url} FILE")
        click.echo("press Ctrl-C to stop", err=True)
        status = server.wait()
        if status:
            raise KgError(f"the oxigraph server stopped with exit status {status}")
    except KeyboardInterrupt:
        click.echo("stopped", err=True)
    finally:
        server.stop()


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


@main.command()
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


@main.command()
@click.argument("name")
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE",
              help="A parameter value (repeat for each); entities by any name, synonym, CURIE or IRI.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json", "md"]), default="table",
              show_default=True, help="json, csv and tsv are the W3C SPARQL 1.1 results formats.")
@click.option("--endpoint", envvar="KG_ENDPOINT", help="Query this SPARQL endpoint instead of the embedded store.")
@_as_of_option
def query(name: str, params: tuple[str, ...], fmt: str, endpoint: str | None, as_of: str | None) -> None:
    """Run the canned query NAME (see `kg queries`) with typed parameters, sorted output.

    Values are bound as RDF terms, never pasted into the query text. Notes (such as a name that
    matches nothing) go to stderr.
    """
    from kg.catalogue import run_query
    from kg.results import render

    engine = _engine(endpoint, as_of) if as_of else None
    answer = run_query(_paths(), name, _given(params), endpoint, labelled=fmt in ("table", "md"), engine=engine)
    for note in answer.notes:
        click.echo(f"note: {note}", err=True)
    click.echo(render(answer.result, fmt, answer.labels), nl=False)


@main.command()
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


@main.group()
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


@new.command("class")
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


@new.command("property")
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


@main.command()
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


@main.command()
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


@main.command()
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


@main.command()
@click.option("--top", type=click.IntRange(1, 100), default=3, show_default=True, help="Leaders shown per class.")
@click.option("--endpoint", envvar="KG_ENDPOINT", help=_ENDPOINT_HELP)
def stats(top: int, endpoint: str | None) -> None:
    """Network statistics: entities per class, triples per source, degree and betweenness leaders, components."""
    from kg import network
    from kg.engine import open_engine

    s = network.stats(open_engine(_paths(), endpoint), top)
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


@main.command()
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


@main.command()
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


@main.command()
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


# ---------------------------------------------------------------- time: kg diff


@main.command("diff")
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
    built) or git revisions of this project, built into a temporary folder (without SHACL).

    Example: kg diff HEAD~5 HEAD --format md
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


@main.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the page  [default: build/timeline.html]")
@click.option("--open", "open_page", is_flag=True, help="Open the page in the default browser.")
@click.option("--endpoint", envvar="KG_ENDPOINT", help=_ENDPOINT_HELP)
@_as_of_option
def timeline(output: Path | None, open_page: bool, endpoint: str | None, as_of: str | None) -> None:
    """Write the timeline page: approvals, designations, trial starts and completions, readouts and deals
    on a time axis, filterable by kind, target and disease; one HTML file that works offline.

    Example: kg timeline -o build/timeline.html --as-of 2024-12-31
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
