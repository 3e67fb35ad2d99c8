"""A tiny project whose labels, synonyms and quotes are XSS probes: the graph page must show them as text."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kg import build as build_mod
from kg.paths import Paths

ROOT = Path(__file__).resolve().parent.parent
IMG = "<img src=x onerror=alert(1)>"
SCRIPT = "</script><script>alert(2)</script>"
QUOTE = "shown as </script><script>alert(3)</script> text"
SVG = "<svg onload=alert(4)>"
COMPANY = "A & B <Co>"
TITLE = "Probe page </script><b>bold</b>"

ROWS = [
    ("src:probe", "a", "cart:WebPage", ""),
    ("src:probe", "cart:title", TITLE, ""),
    ("id:probe-therapy", "a", "cart:Therapy", ""),
    ("id:probe-therapy", "rdfs:label", IMG, QUOTE),
    ("id:probe-therapy", "skos:altLabel", SCRIPT, ""),
    ("id:probe-therapy", "skos:altLabel", "PRB-42", ""),
    ("id:probe-therapy", "cart:codeName", "PRB-42", ""),
    ("id:probe-therapy", "cart:targets", "id:probe-target", SVG),
    ("id:probe-therapy", "cart:developedBy", "id:probe-company", ""),
    ("id:probe-target", "a", "cart:Target", ""),
    ("id:probe-target", "rdfs:label", "CD-probe", ""),
    ("id:probe-company", "a", "cart:Company", ""),
    ("id:probe-company", "rdfs:label", COMPANY, ""),
    ("id:probe-trial", "a", "cart:Trial", ""),
    ("id:probe-trial", "rdfs:label", "PROBE-1", ""),
    ("id:probe-trial", "cart:evaluates", "id:probe-therapy", ""),
    ("id:probe-trial", "cart:studiesCondition", "id:probe-disease", ""),
    ("id:probe-disease", "a", "cart:AutoimmuneDisease", ""),
    ("id:probe-disease", "rdfs:label", "probe disease", ""),
    ("id:lonely-company", "a", "cart:Company", ""),
    ("id:lonely-company", "rdfs:label", "Lonely Company", ""),
]


def make_probe_project(folder: Path) -> Paths:
    """The real ontology and checks with one seed table of probes, built into folder/build."""
    shutil.copytree(ROOT / "ontology", folder / "ontology")
    (folder / "queries").mkdir()
    shutil.copytree(ROOT / "queries" / "checks", folder / "queries" / "checks")
    (folder / "seeds").mkdir()
    shutil.copy(ROOT / "seeds" / "prefixes.tsv", folder / "seeds" / "prefixes.tsv")
    lines = ["subject\tpredicate\tobject\tsource\tquote\tstatus\tnote"]
    lines += [f"{s}\t{p}\t{o}\tsrc:probe\t{q}\tverified" for s, p, o, q in ROWS]
    (folder / "seeds" / "probe.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return Paths(folder)


@contextmanager
def build_dir(folder: Path) -> Iterator[None]:
    """$KG_BUILD_DIR set to folder for a while: the session's `built` fixture points it at the real build."""
    old = os.environ.get("KG_BUILD_DIR")
    os.environ["KG_BUILD_DIR"] = str(folder)
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("KG_BUILD_DIR", None)
        else:
            os.environ["KG_BUILD_DIR"] = old


def build_probe_project(folder: Path) -> Paths:
    """make_probe_project, then `kg build` into folder/build."""
    paths = make_probe_project(folder)
    with build_dir(folder / "build"):
        build_mod.build(paths)
    return paths
