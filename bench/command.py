"""The `kg` command the bench scripts time: the one installed beside the interpreter that runs them."""

from __future__ import annotations

import sys
from pathlib import Path


def kg_command() -> str | None:
    """The path of `kg` beside this interpreter, or None after saying on stderr how to install it."""
    kg = Path(sys.executable).with_name("kg")
    if not kg.exists():
        print(f"no kg command beside {sys.executable}: install the project first (make demo)", file=sys.stderr)
        return None
    return str(kg)
