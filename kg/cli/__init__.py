"""The `kg` command: each command is one library call plus formatting. The only package that prints.

The group and its error handling are here, the options commands share in options.py, the commands in
modules by theme: graph.py (build, check, fmt, push, serve, export), query.py (sparql, queries, query),
explore.py (viz, stats, path, neighbors, timeline), ontology.py (new, ontology, docs), records.py
(import, diff).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from kg.cli.options import EXIT_CODES, example
from kg.errors import InputError, KgError, LocatedError
from kg.paths import Paths


class KgGroup(click.Group):
    """Turns library errors into one line on stderr and an exit status, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
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
        except Exception as exc:
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


def _register() -> None:
    from kg.cli import explore, graph, ontology, query, records

    for module in (graph, query, ontology, explore, records):
        for command in module.COMMANDS:
            main.add_command(command)


_register()
