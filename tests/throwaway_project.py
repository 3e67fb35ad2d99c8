"""The small throwaway project the rule tests build once per module, and running a command with files dropped in.

test_hostile.small_project writes the project; `built_small_project` builds it and remembers its build
tree's hash, so a test can check that a refused command left build/ as it was; `run_with` drops files
into the project for one command and takes them out again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from build_tree import tree_hash
from test_hostile import invoke, small_project


def built_small_project(tmp_path_factory: Any, name: str) -> tuple[Path, dict]:
    """The small project, built in a fresh folder; and the hash of its build tree."""
    root = tmp_path_factory.mktemp(name)
    small_project(root)
    result = invoke(root, "build")
    assert result.exit_code == 0, result.output
    return root, tree_hash(root / "build")


def run_with(root: Path, files: dict[str, str], command: str) -> Any:
    """Run `kg COMMAND` with `files` (path under root: text) in the project, then remove them."""
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    try:
        return invoke(root, command)
    finally:
        for name in files:
            (root / name).unlink()
