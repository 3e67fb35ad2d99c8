"""What a build folder holds, to show that a failed or killed build changed nothing."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


def tree_hash(folder: Path) -> dict[str, str]:
    """Every file under folder with the hash of its bytes (symlinks by target)."""
    out = {}
    for path in sorted(folder.rglob("*")):
        rel = str(path.relative_to(folder))
        if path.is_symlink():
            out[rel] = "-> " + os.readlink(path)
        elif path.is_file():
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out
