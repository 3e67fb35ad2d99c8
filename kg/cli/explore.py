"""Commands that look at the graph as a network: viz, stats, path, neighbors, timeline."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from kg.cli.options import as_of_option, endpoint_option, entity_named, example, open_graph, project_paths

if TYPE_CHECKING:
    from kg.coverage import Figure


@click.command(epilog=example("kg viz --focus rese-cel --depth 2"))
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
@endpoint_option
@as_of_option
def viz(output: Path | None, focus: str | None, depth: int, classes: tuple[str, ...], sources: bool, terms: bool,
        open_page: bool, endpoint: str | None, as_of: str | None) -> None:
    """Write the graph as one interactive HTML page that works offline.

    Colour and shape per class, links labelled by property, inferred links dashed; hover for names,
    facts and the sources' quotes, search by any name or synonym, filter by class, click to highlight
    a neighbourhood. Everything is inline: the page makes no network request.
    """
    from kg import viz as viz_mod
    from kg.catalogue import prefixes

    paths = project_paths()
    out = output or paths.html
    engine = open_graph(endpoint, as_of)
    known = prefixes(paths)
    # The page is drawn around the entity --focus names, found here so that a name that names nothing is
    # reported as the option's; the page gets its <IRI>, which any scheme of IRI reads back as.
    center = f"<{entity_named(engine, focus, known, '--focus')}>" if focus else None
    page = viz_mod.write_page(engine, out, known, center, depth, list(classes), sources, terms)
    layout = "physics settles it, then freezes" if page.physics else "positions precomputed, physics off"
    click.echo(f"wrote {paths.relative(out)}: {page.nodes} entities, {page.edges} links ({page.inferred} inferred), "
               f"{page.bytes / 1024:.0f} KiB; {layout}")
    if open_page:
        click.launch(str(out))


@click.command(epilog=example("kg stats --top 5"))
@click.option("--top", type=click.IntRange(1, 100), default=3, show_default=True, help="Leaders shown per class.")
@endpoint_option
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
    from kg import coverage, explore
    from kg.names import curie

    paths = project_paths()
    engine = open_graph(endpoint)
    s = explore.stats(engine, top)
    isolated = sum(1 for c in s.components if c == 1)
    click.echo(f"{s.nodes} entities, {s.edges} links ({s.inferred_edges} inferred), "
               f"{len(s.components)} connected components")
    click.echo("entities per class (most specific class):")
    for cls, n in s.instances.items():
        click.echo(f"  {n:8d}  {cls}")
    click.echo("triples per source graph:")
    for graph, n in s.triples_per_graph.items():
        name = s.graph_labels.get(graph)
        click.echo(f"  {n:8d}  {curie(graph, bare=True)}" + (f"  {name}" if name else ""))
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
    _print_coverage(coverage.figures(paths, engine), paths.relative(paths.coverage))


def _print_coverage(figures: list[Figure], folder: str) -> None:
    """Each coverage figure of `kg stats` against its target."""
    if not figures:
        return
    click.echo(f"coverage of the field ({folder}/, one file a figure):")
    counts = [f"{f.value} of {f.of}" + (f" ({f.share:.1f}%)" if f.target.endswith("%") and f.share is not None else "")
              for f in figures]
    width = max(len(c) for c in counts)
    for f, count in zip(figures, counts):
        click.echo(f"  {count:>{width}}  {f.summary}  [{_verdict(f)}]")


def _verdict(f: Figure) -> str:
    """How a coverage figure stands against its target."""
    if f.met is None:
        return "no target"
    if f.met:
        return f"target {f.target}: met"
    if f.target == "none":
        return f"target none: {f.value} left"
    if f.target == "all":
        return f"target all: {f.of - f.value} short"
    if f.target.endswith("%"):
        return f"target {f.target}: short"
    return f"target {f.target}: {int(f.target) - f.value} short"


@click.command(epilog=example('kg path "Cabaletta Bio" SLE'))
@click.argument("a")
@click.argument("b")
@click.option("--max", "limit", type=click.IntRange(1, 1000), default=10, show_default=True,
              help="At most this many paths.")
@endpoint_option
def path(a: str, b: str, limit: int, endpoint: str | None) -> None:
    """The shortest paths between entities A and B (any name, synonym, CURIE or IRI), as chains of relations.

    Links count in either direction; an arrow shows which way each relation points, * marks an inferred one.
    Exit status 1 when no path joins them.
    """
    from kg import explore
    from kg.catalogue import prefixes

    engine = open_graph(endpoint)
    known = prefixes(project_paths())
    start, end = entity_named(engine, a, known, "A"), entity_named(engine, b, known, "B")
    answer = explore.find_paths(engine, start, end, limit)
    if not answer.chains:
        click.echo(f"no path between {answer.source_label} and {answer.target_label}")
        raise click.exceptions.Exit(1)
    n = len(answer.chains)
    click.echo(f"{n} shortest path{'s' if n != 1 else ''} of {answer.links} link{'s' if answer.links != 1 else ''} "
               f"between {answer.source_label} and {answer.target_label} (* inferred):")
    for text in answer.chains:
        click.echo(f"  {text}")


@click.command(epilog=example("kg neighbors CABA-201 --depth 2"))
@click.argument("name")
@click.option("--depth", type=click.IntRange(1, 20), default=1, show_default=True, help="How many links away.")
@endpoint_option
def neighbors(name: str, depth: int, endpoint: str | None) -> None:
    """The entities linked to NAME (any name, synonym, CURIE or IRI), up to --depth links away, nearest first."""
    from kg import explore
    from kg.catalogue import prefixes

    engine = open_graph(endpoint)
    answer = explore.find_neighbors(engine, entity_named(engine, name, prefixes(project_paths()), "NAME"), depth)
    rows = [("DEPTH", "CLASS", "NAME", "LINK")] + [(str(d), c, n, link) for d, c, n, link in answer.rows]
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    for r in rows:
        click.echo(f"{r[0]:<{widths[0]}}  {r[1]:<{widths[1]}}  {r[2]:<{widths[2]}}  {r[3]}".rstrip())
    links = f"{depth} link{'s' if depth != 1 else ''}"
    click.echo(f"({len(answer.rows)} entities within {links} of {answer.label}; * inferred)")


@click.command(epilog=example("kg timeline -o build/timeline.html --as-of 2024-12-31"))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the page  [default: build/timeline.html]")
@click.option("--open", "open_page", is_flag=True, help="Open the page in the default browser.")
@endpoint_option
@as_of_option
def timeline(output: Path | None, open_page: bool, endpoint: str | None, as_of: str | None) -> None:
    """Write the timeline page: approvals, designations, trial starts and completions, readouts and deals
    on a time axis, filterable by kind, target and disease; one HTML file that works offline.
    """
    from kg import timeline as timeline_mod

    paths = project_paths()
    out = output or paths.timeline_html
    engine = open_graph(endpoint, as_of)
    title = "cartkg timeline" + (f" as of {as_of}" if as_of else "")
    page = timeline_mod.write_page(engine, out, title)
    click.echo(f"wrote {paths.relative(out)}: {page.events} dated events, {page.bytes / 1024:.0f} KiB")
    if open_page:
        click.launch(str(out))


COMMANDS = [viz, stats, path, neighbors, timeline]
