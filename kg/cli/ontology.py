"""Commands about the ontology: new (scaffold a class or property), ontology (print it), docs (HTML)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from kg.cli.options import endpoint_option, example, open_graph, project_paths

if TYPE_CHECKING:
    from kg.ontology import OntologyClass, Property
    from kg.ontology_docs import ClassNode, PropertyNode
    from kg.scaffold import Scaffold


@click.group(epilog=example("kg new class Manufacturer --parent cart:Company --dry-run"))
def new() -> None:
    """Scaffold a new class or property in ontology/: label, comment, SHACL shape, example seed rows.

    Names follow the ontology's convention: classes UpperCamelCase (Manufacturer), properties
    lowerCamelCase (manufacturedBy). A name that exists is refused: terms are never renamed or reused.
    """


def _report_scaffold(scaffold: Scaffold, dry_run: bool) -> None:
    if dry_run:
        click.echo(scaffold.block, nl=False)
        return
    notes = f" ({'; '.join(scaffold.notes)})" if scaffold.notes else ""
    verb = "wrote" if scaffold.created else "added to"
    click.echo(f"{verb} {scaffold.shown}: {scaffold.kind} {scaffold.term}{notes}, shape {scaffold.shape}")
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

    _report_scaffold(scaffold.new_class(project_paths(), name, parent=parent, file=file, label=label, comment=comment,
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
@click.option("--required", is_flag=True,
              help="Every instance of the domain class must have it (checked by its shape).")
@click.option("--dry-run", is_flag=True, help="Print the Turtle instead of writing it.")
def new_property(name: str, domain: str, range_: str, file: str | None, label: str | None, comment: str | None,
                 required: bool, dry_run: bool) -> None:
    """Add property NAME (lowerCamelCase) with its domain, range and shape to the ontology."""
    from kg import scaffold

    _report_scaffold(scaffold.new_property(project_paths(), name, domain, range_, file=file, label=label,
                                           comment=comment, required=required, write=not dry_run), dry_run)


@click.command(epilog=example("kg ontology"))
def ontology() -> None:
    """Print the ontology: classes under their superclasses and properties by kind, with labels,
    comments, domains and ranges (terms outside cart.ttl show the file and line that declare them)."""
    from kg import ontology_docs

    view = ontology_docs.load_overview(project_paths())

    def where(term: OntologyClass | Property) -> str:
        extra = f"  [{term.file}:{term.line}]" if term.file and term.file != "ontology/cart.ttl" else ""
        if term.deprecated:
            extra += "  DEPRECATED" + (f", use {view.curie(term.replaced_by)}" if term.replaced_by else "")
        return extra

    def classes(nodes: list[ClassNode], depth: int) -> None:
        for node in nodes:
            term = node.term
            click.echo(f"{'  ' * depth}{term.label or '?'} ({view.curie(term.iri)}) — {term.comment}{where(term)}")
            classes(node.children, depth + 1)

    def properties(nodes: list[PropertyNode], depth: int) -> None:
        for node in nodes:
            term = node.term
            click.echo(f"{'  ' * depth}{term.label or '?'} ({view.curie(term.iri)}): "
                       f"{view.curie(term.domain) or 'any'} -> {view.curie(term.range) or 'any'} "
                       f"— {term.comment}{where(term)}")
            properties(node.children, depth + 1)

    click.echo(f"cartkg ontology {view.version} <{view.iri}> from {', '.join(view.files)}")
    click.echo("\nClasses")
    classes(view.classes, 1)
    for kind, nodes in view.properties.items():
        click.echo(f"\n{kind.capitalize()} properties")
        properties(nodes, 1)


@click.command(epilog=example("kg docs -o build/docs"))
@click.option("-o", "--output", "out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder to write into (default: build/docs).")
@endpoint_option
def docs(out: Path | None, endpoint: str | None) -> None:
    """Write browsable HTML documentation of the ontology: classes, properties, shapes, alignments,
    and, from the built graph, instance counts and an example instance per class."""
    from kg import ontology_docs
    from kg.store import NotBuilt

    paths = project_paths()
    try:
        engine = open_graph(endpoint)
    except NotBuilt:
        engine = None  # the ontology is documented all the same, without instance counts and examples
    report = ontology_docs.write_docs(paths, out or paths.build / "docs", engine)
    graph = ("instance counts and examples from the built graph" if report.with_graph
             else "no built graph: run `kg build` for instance counts and examples")
    for path in report.files:
        click.echo(f"wrote {paths.relative(path)}: {report.classes} classes, {report.properties} properties, "
                   f"{report.shapes} shapes; {graph}")


COMMANDS = [new, ontology, docs]
