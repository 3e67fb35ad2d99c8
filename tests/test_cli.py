"""Every command has help text and is documented in the README; the README's two commands exist."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from kg.cli import main

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    found = []
    for name, command in sorted(group.commands.items()):
        found.append((prefix + name, command))
        if isinstance(command, click.Group):
            found += commands(command, prefix + name + " ")
    return found


ALL = commands(main)


def test_there_are_commands():
    assert {"build", "check", "query", "queries", "sparql", "viz", "stats", "path"} <= {n for n, _ in ALL}


@pytest.mark.parametrize("name,command", ALL, ids=[n for n, _ in ALL])
def test_command_has_help_and_is_in_the_readme(run, name, command):
    assert (command.help or "").strip(), f"kg {name} has no help text"
    result = run(*name.split(), "--help")
    assert result.exit_code == 0 and "Usage:" in result.stdout
    top = name.split()[0]
    assert f"kg {top}" in README, f"`kg {top}` is not in README.md"


def test_readme_first_screen_gives_the_two_commands_and_ci_uses_the_test_one():
    first_screen = "\n".join(README.splitlines()[:15])
    assert "make demo" in first_screen and "make test" in first_screen
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "\ndemo:" in makefile and "\ntest:" in makefile
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_every_canned_query_named_in_the_readme_exists():
    import re

    names = {p.stem for p in (ROOT / "queries").glob("*.rq")}
    mentioned = set(re.findall(r"kg query ([a-z][a-z-]+)", README))
    assert mentioned and mentioned <= names, mentioned - names
