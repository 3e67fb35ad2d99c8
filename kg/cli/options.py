"""What the commands share: the project's paths, the options declared once (--endpoint, --as-of, the output
options), the one way a command gets the engine it reads, and small formatting helpers."""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, TypeVar

import click

from kg.errors import KgError
from kg.paths import Paths

if TYPE_CHECKING:
    from kg.engine import Engine
    from kg.sparqltext import Param

F = TypeVar("F", bound=Callable)

EXIT_CODES = """Exit status: 0 fine, 1 problems in the input (or violations, or a parameter value that names
nothing), 2 usage or runtime error."""

ENDPOINT_HELP = "Read the graph from this SPARQL endpoint instead of the embedded store."


def example(*commands: str) -> str:
    """A help text's last paragraph: commands a user can paste (a test runs each)."""
    return "\b\nExample:\n" + "\n".join(f"  {command}" for command in commands)


def project_paths() -> Paths:
    """The project the command runs on (set by the group from --project or the working folder)."""
    return click.get_current_context().obj


def endpoint_option(command: F) -> F:
    """--endpoint URL: read the graph from a SPARQL endpoint (declared once for every command that reads it)."""
    return click.option("--endpoint", envvar="KG_ENDPOINT", help=ENDPOINT_HELP)(command)


def as_of_option(command: F) -> F:
    """--as-of DATE: the graph as it stood on that date (declared once for every command that reads the graph)."""
    return click.option("--as-of", "as_of", metavar="DATE",
                        help="The graph as it stood on DATE (YYYY-MM-DD; YYYY-MM or YYYY: the period's last day): "
                             "only what sources published by then said, ranked as of then; built in memory "
                             "from the seeds.")(command)


def open_graph(endpoint: str | None, as_of: str | None = None) -> Engine:
    """The engine a command reads: the graph as of a date, an endpoint, or the embedded store."""
    from kg.engine import open_engine

    if as_of is None:
        return open_engine(project_paths(), endpoint)
    from kg import asof

    when = asof.parse_as_of(as_of)  # a bad date is refused before anything is read
    if endpoint:
        raise KgError("--as-of builds the graph from this project's seeds; it cannot be used with --endpoint")
    engine = asof.AsOfEngine(asof.build_as_of(project_paths(), when))
    click.echo(f"note: the graph as of {when.isoformat()}: {engine.as_of.rows_left_out} seed rows left out (sources "
               f"published later, events after it, statements not holding then); {engine.as_of.undated_sources} "
               "sources have no date and count at every date", err=True)
    return engine


def entity_named(engine: Engine, name: str, prefixes: Mapping[str, str], argument: str) -> str:
    """The IRI of the entity a command-line argument names; a failure says which argument it was."""
    from kg.names import NameProblem, entity

    try:
        return entity(engine, name, prefixes)
    except NameProblem as exc:
        raise KgError(f"parameter {argument}: {exc}") from None


def wrapped(label: str, items: list[str], width: int = 100, lines: int = 3) -> list[str]:
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


_FORMAT_HELP = ("table (default), records (one field a line), json, xml, csv, tsv (the W3C SPARQL results "
                "formats), md.")
_RDF_FORMAT_HELP = ("SELECT and ASK: " + _FORMAT_HELP
                    + " CONSTRUCT and DESCRIBE: ttl (default), nt, jsonld, trig, rdfxml.")


def output_options(any_form: bool) -> Callable[[F], F]:
    """--format, --wide and --endpoint, shared by the commands that print a query's answer; `any_form`: the
    query may also be a CONSTRUCT or DESCRIBE (canned queries are SELECTs)."""
    from kg.results import ALL_FORMATS, FORMATS

    def add(command: F) -> F:
        command = endpoint_option(command)
        command = click.option("--wide", is_flag=True,
                               help="Tables: show every cell whole (by default cells are cut with … to the "
                                    "terminal's width, or 100 columns when not a terminal).")(command)
        return click.option("--format", "fmt", type=click.Choice(ALL_FORMATS if any_form else FORMATS), default=None,
                            help=_RDF_FORMAT_HELP if any_form else _FORMAT_HELP)(command)

    return add


def table_width(wide: bool) -> int | None:
    """How many columns a table may take: none with --wide, the terminal's width, 100 when not a terminal."""
    from kg.render import TABLE_WIDTH

    if wide:
        return None
    if sys.stdout.isatty():
        import shutil

        return shutil.get_terminal_size((TABLE_WIDTH, 24)).columns
    return TABLE_WIDTH


def render_prefixes(paths: Paths) -> dict[str, str]:
    """The prefixes an answer is written with: the project's, and graph: for the source graphs."""
    from kg.catalogue import prefixes
    from kg.vocab import GRAPH

    return {**prefixes(paths), "graph": GRAPH}


def given_values(values: tuple[str, ...]) -> dict[str, str]:
    """The -p NAME=VALUE options as a mapping; a malformed or repeated one is a usage error."""
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


def param_usage(param: Param) -> str:
    """How `kg queries` shows a parameter: name=default, name when required, [name] when optional."""
    from kg.params import default_text

    default = default_text(param.default)
    if default is not None:
        return f"{param.name}={default}"
    return param.name if param.required else f"[{param.name}]"
