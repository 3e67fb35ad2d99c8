"""A query from a cold process stays cheap: it must not import the libraries only building or drawing needs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("rdflib", "networkx", "pyvis", "pyshacl")
RUN_AND_LIST = """
import sys
from kg.cli import main
try:
    main({args!r})
except SystemExit as exc:
    status = exc.code
print("HEAVY", sorted(m for m in {heavy!r} if m in sys.modules), "STATUS", status)
"""


def imports_of(built, args: list[str], stdin: str = "") -> str:
    env = {**os.environ, "KG_BUILD_DIR": str(built.build), "KG_PROJECT": str(ROOT)}
    env.pop("KG_ENDPOINT", None)
    done = subprocess.run([sys.executable, "-c", RUN_AND_LIST.format(args=args, heavy=HEAVY)], env=env,
                          input=stdin, capture_output=True, text=True, timeout=120)
    return done.stdout.splitlines()[-1] if done.stdout else done.stderr


def test_sparql_imports_no_heavy_library(built):
    assert imports_of(built, ["sparql", "-", "--format", "csv"], "SELECT * WHERE { ?s ?p ?o } LIMIT 1") \
        == "HEAVY [] STATUS 0"


def test_canned_query_imports_no_heavy_library(built):
    assert imports_of(built, ["query", "therapies-by-target", "--format", "csv"]) == "HEAVY [] STATUS 0"
