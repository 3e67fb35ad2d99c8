"""How to store a date's precision, by measurement: one xsd:date plus a qualifier, or xsd:gYearMonth / xsd:gYear.

    python bench/bench_dates.py [--store DIR] [--repeat 7]

Loads a built store of about a million triples (default: builds bench/synth.py's 1M project) into
memory, then times the question users ask most of dates — the trials that started in 2020 — both
ways, medians of --repeat, in turns:

- date: every start date an xsd:date (a month or year stored as its first day; the precision, where
  coarser than a day, a cart:datePrecision on the claim), filtered with typed comparisons;
- mixed: a third of them rewritten as xsd:gYearMonth and a tenth as xsd:gYear, as a seed could give
  them, which typed comparisons no longer cover: the filter has to compare the lexical forms.

It also times reading each date's precision back through its claim, as `kg query` users would.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CART = "https://w3id.org/cartkg/ontology#"
XSD = "http://www.w3.org/2001/XMLSchema#"
PREFIXES = {"cart": CART, "xsd": XSD, "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#"}

TYPED = """SELECT (COUNT(*) AS ?n) WHERE { ?t cart:startDate ?d
  FILTER(?d >= "2020-01-01"^^xsd:date && ?d <= "2020-12-31"^^xsd:date) }"""
LEXICAL = """SELECT (COUNT(*) AS ?n) WHERE { ?t cart:startDate ?d FILTER(SUBSTR(STR(?d), 1, 4) = "2020") }"""
MIXED_TYPED = """SELECT (COUNT(*) AS ?n) WHERE { ?t cart:startDate ?d
  FILTER((DATATYPE(?d) = xsd:date && ?d >= "2020-01-01"^^xsd:date && ?d <= "2020-12-31"^^xsd:date)
      || (DATATYPE(?d) != xsd:date && SUBSTR(STR(?d), 1, 4) = "2020")) }"""
WITH_PRECISION = """SELECT (COUNT(*) AS ?n) WHERE { ?t cart:startDate ?d
  FILTER(?d >= "2020-01-01"^^xsd:date && ?d <= "2020-12-31"^^xsd:date)
  OPTIONAL { ?c rdf:subject ?t ; rdf:predicate cart:startDate ; rdf:object ?d ; cart:datePrecision ?p } }"""


def _store(folder: Path | None) -> ox.Store:
    if folder is None:
        from bench.synth import make_project

        work = Path(tempfile.mkdtemp(prefix="kg-bench-dates-"))
        make_project(work, 1_000_000)
        subprocess.run([str(Path(sys.executable).with_name("kg")), "--project", str(work), "build", "--no-shacl"],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        folder = work / "build" / "current"
    disk = ox.Store.read_only(str(folder))
    memory = ox.Store()
    memory.extend(disk.quads_for_pattern(None, None, None, None))
    return memory


def _mixed(store: ox.Store) -> ox.Store:
    """A copy with a third of the start dates as xsd:gYearMonth and a tenth as xsd:gYear."""
    out = ox.Store()
    out.extend(store.quads_for_pattern(None, None, None, None))
    changes = []
    for i, q in enumerate(store.quads_for_pattern(None, ox.NamedNode(CART + "startDate"), None, None)):
        if i % 10 == 0:
            new = ox.Literal(q.object.value[:4], datatype=ox.NamedNode(XSD + "gYear"))
        elif i % 3 == 0:
            new = ox.Literal(q.object.value[:7], datatype=ox.NamedNode(XSD + "gYearMonth"))
        else:
            continue
        changes.append((q, ox.Quad(q.subject, q.predicate, new, q.graph_name)))
    for old, new in changes:
        out.remove(old)
        out.add(new)
    return out


def _time(store: ox.Store, sparql: str) -> tuple[float, int]:
    t = time.perf_counter()
    n = int(next(iter(store.query(sparql, prefixes=PREFIXES, use_default_graph_as_union=True)))[0].value)
    return time.perf_counter() - t, n


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", type=Path, help="a built store folder (default: build the 1M synthetic project)")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    dated = _store(args.store)
    mixed = _mixed(dated)
    start_dates = sum(1 for _ in dated.quads_for_pattern(None, ox.NamedNode(CART + "startDate"), None, None))
    print(f"{len(dated)} quads; start dates: {start_dates}")
    cases = {
        "xsd:date, typed filter": (dated, TYPED),
        "xsd:date, typed filter, precision read from the claim": (dated, WITH_PRECISION),
        "mixed gYear/gYearMonth/date, lexical filter": (mixed, LEXICAL),
        "mixed, typed filter where typed, lexical elsewhere": (mixed, MIXED_TYPED),
    }
    times: dict[str, list[float]] = {k: [] for k in cases}
    answers: dict[str, int] = {}
    for _ in range(args.repeat):
        for name, (store, sparql) in cases.items():
            seconds, answers[name] = _time(store, sparql)
            times[name].append(seconds)
    for name, values in times.items():
        print(f"{name}: {statistics.median(values) * 1000:.0f} ms ({answers[name]} trials started in 2020)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
