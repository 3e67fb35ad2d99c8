"""Commands that ask the graph: sparql (any query), queries (the catalogue), query (a canned query)."""

from __future__ import annotations

from typing import IO

import click

from kg.cli.options import (
    as_of_option,
    example,
    given_values,
    open_graph,
    output_options,
    param_usage,
    project_paths,
    render_prefixes,
    table_width,
)


@click.command(epilog=example("echo 'ASK { id:kymriah cart:targets id:cd19 }' | kg sparql --format json -"))
@click.argument("query_file", type=click.File("r", encoding="utf-8"))
@output_options(any_form=True)
@as_of_option
def sparql(query_file: IO[str], fmt: str | None, wide: bool, endpoint: str | None, as_of: str | None) -> None:
    """Run a read-only SPARQL query from QUERY_FILE (or - for stdin) over the built graph.

    Any query form: SELECT and ASK answer in a table or the W3C SPARQL results formats, CONSTRUCT and
    DESCRIBE in RDF. The default graph is the union of all named graphs; GRAPH ?g tells which source
    said it. Updates and SERVICE are refused; a query that does not parse is reported at its
    FILE:LINE:COL (exit 1).
    """
    from kg.engine import ensure_read_only
    from kg.errors import LocatedError
    from kg.names import display_names
    from kg.render import render
    from kg.sparqltext import syntax_problem
    from kg.vocab import SPARQL_PREFIXES

    paths = project_paths()
    text = query_file.read()
    shown = "<stdin>" if query_file.name == "<stdin>" else query_file.name
    ensure_read_only(text, shown)
    problem = syntax_problem(text, shown, SPARQL_PREFIXES)  # the prefixes every engine is given
    if problem:
        raise LocatedError(problem)
    engine = open_graph(endpoint, as_of)
    answer = engine.run(text, None, fmt)
    names = render_prefixes(paths)
    shown_names = display_names(engine, answer, names) if fmt in (None, "table", "records", "md") else {}
    click.echo(render(answer, fmt, shown_names, names, table_width(wide)), nl=False)


@click.command(epilog=example("kg queries therapies-by-target"))
@click.argument("name", required=False)
def queries(name: str | None) -> None:
    """List the canned queries (name, parameters, summary), or show the query NAME in full."""
    from kg import catalogue

    paths = project_paths()
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
            default = param_usage(p).partition("=")[2]
            how = f"default {default}" if default else ("required" if p.required else "optional: all when left out")
            of = f" of {p.cls}" if p.cls else ""
            click.echo(f"  -p {p.name}=VALUE  {p.type}{of}, {how}: {p.description}")
        click.echo(f"\nrun it: kg query {rq.name}" + "".join(f" -p {p.name}=..." for p in rq.params.values()))
        click.echo("\n" + "\n".join(rq.text.split("\n")[rq.header_lines:]).strip("\n"))
        return
    listed = catalogue.load_catalogue(paths)
    rows = [(rq.name, " ".join(param_usage(p) for p in rq.params.values()), rq.summary) for rq in listed]
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(("NAME", "PARAMETERS"))]
    click.echo(f"{'NAME':<{widths[0]}}  {'PARAMETERS':<{widths[1]}}  SUMMARY")
    for query_name, usage, summary in rows:
        click.echo(f"{query_name:<{widths[0]}}  {usage:<{widths[1]}}  {summary}")
    click.echo(f"\n{len(rows)} queries in {paths.relative(paths.queries)}/; `kg queries NAME` shows one, "
               "`kg query NAME -p name=value` runs it ([name]: optional, all when left out).")


@click.command(epilog=example("kg query therapies-by-target -p target=CD19"))
@click.argument("name")
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE",
              help="A parameter value (repeat for each); entities by any name, synonym, CURIE or IRI (a value "
                   "starting with < is tried as a name first). An empty value (-p target=) is the default.")
@output_options(any_form=False)
@as_of_option
def query(name: str, params: tuple[str, ...], fmt: str | None, wide: bool, endpoint: str | None,
          as_of: str | None) -> None:
    """Run the canned query NAME (see `kg queries`) with typed parameters, sorted output.

    Values are bound as RDF terms, never pasted into the query text. A value that names nothing in the
    graph is exit status 1, with a note on stderr saying so (and the closest names).
    """
    from kg.catalogue import run_query, validated_query
    from kg.render import render

    paths = project_paths()
    given = given_values(params)
    as_of_graph = open_graph(endpoint, as_of) if as_of else None  # a bad date is refused first, as it always was
    validated_query(paths, name, given)  # a bad name or value is refused before an engine is opened
    engine = as_of_graph or open_graph(endpoint)
    answer = run_query(paths, name, given, labelled=fmt in (None, "table", "records", "md"), fmt=fmt, engine=engine)
    for note in answer.notes:
        click.echo(f"note: {note}", err=True)
    if answer.unmatched:
        raise click.exceptions.Exit(1)
    click.echo(render(answer.result, fmt, answer.labels, render_prefixes(paths), table_width(wide)), nl=False)


COMMANDS = [sparql, queries, query]
