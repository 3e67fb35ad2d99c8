"""Times `kg import ctgov` on 10,000 records, and `kg build` after it against a build of as many hand-written rows.

    python bench/bench_import.py [--records 10000] [--no-build]

The records are made from the real record's shape (tests/data/ctgov/NCT06131398.json: its modules,
its 24 sites in 11 countries, its two interventions): each gets its own NCT id and version date, and
sponsors, phases, statuses, dates, conditions and interventions drawn from small lists, some of which
the graph knows (Kyverna Therapeutics, lupus nephritis, KYV-101) and most of which it does not. They
are written as search pages of 100 studies, as the API returns them. Goals: the import under 30 s;
`kg build` of the project with the imported table within 2x of the build of the same project with a
table of the same number of hand-written trial rows (one source per trial, as curated tables have).
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.command import kg_command

REAL = ROOT / "tests" / "data" / "ctgov" / "NCT06131398.json"
GOAL_IMPORT_SECONDS = 30.0
GOAL_BUILD_RATIO = 2.0
PAGE = 100

SPONSORS = [("Kyverna Therapeutics", "INDUSTRY"), ("Cabaletta Bio", "INDUSTRY"), ("Amgen", "INDUSTRY")] + \
    [(f"Bench Cell Therapeutics {i}", "INDUSTRY") for i in range(40)] + \
    [(f"Bench University Hospital {i}", "OTHER") for i in range(40)]
PHASES = [["PHASE1"], ["PHASE1", "PHASE2"], ["PHASE2"], ["EARLY_PHASE1"], ["PHASE3"]]
STATUSES = ["RECRUITING", "ACTIVE_NOT_RECRUITING", "COMPLETED", "NOT_YET_RECRUITING", "TERMINATED"]
CONDITIONS = ["Lupus Nephritis", "Systemic Lupus Erythematosus", "Advanced Solid Tumors", "Myasthenia Gravis",
              "Refractory Autoimmune Disease", "Systemic Sclerosis"]
INTERVENTIONS = ["KYV-101 anti-CD19 CAR-T cell therapy", "CABA-201", "AMG 355", "Fludarabine", "Bench CAR T 7"]


def make_records(n: int, folder: Path) -> None:
    """n records in the real record's shape, as search pages of PAGE studies."""
    real = json.loads(REAL.read_text(encoding="utf-8"))
    rng = random.Random(17)
    page: list[dict] = []
    number = 0
    for i in range(n):
        study = copy.deepcopy(real)
        ps = study["protocolSection"]
        ps["identificationModule"]["nctId"] = f"NCT9{i:07d}"
        ps["identificationModule"]["briefTitle"] = f"A Study of Bench CAR T {i} in Autoimmune Disease"
        ps["identificationModule"]["acronym"] = f"BENCH-{i}"
        status = ps["statusModule"]
        status["lastUpdatePostDateStruct"]["date"] = f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}"
        status["overallStatus"] = rng.choice(STATUSES)
        status["startDateStruct"] = {"date": f"{2022 + i % 4}-{1 + i % 12:02d}", "type": "ACTUAL"}
        ps["designModule"]["phases"] = rng.choice(PHASES)
        ps["designModule"]["enrollmentInfo"]["count"] = rng.randint(6, 120)
        name, cls = rng.choice(SPONSORS)
        ps["sponsorCollaboratorsModule"]["leadSponsor"] = {"name": name, "class": cls}
        ps["conditionsModule"]["conditions"] = rng.sample(CONDITIONS, 2)
        for item, label in zip(ps["armsInterventionsModule"]["interventions"], rng.sample(INTERVENTIONS, 2)):
            item["name"] = label
        page.append(study)
        if len(page) == PAGE or i == n - 1:
            number += 1
            body = {"studies": page} | ({"nextPageToken": f"token-{number}"} if i < n - 1 else {})
            (folder / f"page-{number:04d}.json").write_text(json.dumps(body), encoding="utf-8")
            page = []


def hand_written(rows: int, path: Path) -> None:
    """A curated-style table of `rows` rows: trials with their facts, one source per trial, and the sources."""
    lines = ["subject\tpredicate\tobject\tsource\tquote\tstatus\tnote"]
    i = 0
    while len(lines) - 1 < rows:
        src, trial = f"src:bench-hand-{i}", f"id:bench-hand-trial-{i}"
        q = f"The Bench Hand {i} trial of a CD19 CAR T is a Phase 1/2 study, recruiting since 2024."
        lines += [
            f"{src}\ta\tcart:WebPage\t{src}\t\tverified",
            f"{src}\trdfs:label\tBench hand page {i}\t{src}\t\tverified",
            f"{src}\tcart:title\tBench hand page {i}\t{src}\t\tverified",
            f"{src}\tcart:url\thttps://example.org/bench/{i}\t{src}\t\tverified",
            f"{src}\tcart:publishedOn\t2025-{1 + i % 12:02d}-{1 + i % 28:02d}\t{src}\t\tverified",
            f"{trial}\ta\tcart:Trial\t{src}\t{q}\tverified",
            f"{trial}\trdfs:label\tBench Hand {i}\t{src}\t{q}\tverified",
            f"{trial}\tcart:nctId\tNCT8{i:07d}\t{src}\t{q}\tverified",
            f"{trial}\tcart:phase\tPhase 1/2\t{src}\t{q}\tverified",
            f"{trial}\tcart:status\tRECRUITING\t{src}\t{q}\tverified",
            f"{trial}\tcart:startDate\t2024-{1 + i % 12:02d}-01\t{src}\t{q}\tverified",
            f"{trial}\tcart:enrollment\t{6 + i % 100}\t{src}\t{q}\tverified",
            f"{trial}\tcart:sponsoredBy\tid:kyverna-therapeutics\t{src}\t{q}\tverified",
            f"{trial}\tcart:studiesCondition\tid:lupus-nephritis\t{src}\t{q}\tverified",
            f"{trial}\tcart:evaluates\tid:kyv-101\t{src}\t{q}\tverified",
        ] + [f"{trial}\tcart:country\tBench Country {k}\t{src}\t{q}\tverified" for k in range(11)]
        i += 1
    path.write_text("\n".join(lines[:rows + 1]) + "\n", encoding="utf-8")


def copy_project(to: Path) -> None:
    for name in ("ontology", "seeds", "queries"):
        shutil.copytree(ROOT / name, to / name)


def timed(argv: list[str], env: dict) -> float:
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv[1:3])} failed: {done.stderr.strip()[-2000:]}")
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--no-build", action="store_true", help="time the import only")
    args = parser.parse_args()
    kg = kg_command()
    if kg is None:
        return 1
    with tempfile.TemporaryDirectory(prefix="cartkg-import-") as tmp:
        base = Path(tmp)
        pages, imported, hand = base / "pages", base / "imported", base / "hand"
        pages.mkdir()
        make_records(args.records, pages)
        copy_project(imported)
        env = {**os.environ, "KG_PROJECT": str(imported), "KG_BUILD_DIR": str(base / "build-imported")}
        env.pop("KG_ENDPOINT", None)
        seconds = timed([kg, "import", "ctgov", str(pages), "--name", "bench", "--downloaded", "2026-12-04"], env)
        table = imported / "seeds" / "ctgov-bench.tsv"
        rows = table.read_text(encoding="utf-8").count("\n") - 1
        verdict = "met" if seconds < GOAL_IMPORT_SECONDS else "MISSED"
        print(f"import: {args.records} records in {seconds:.1f} s = {args.records / seconds:,.0f} records/s "
              f"({rows:,} rows; goal under {GOAL_IMPORT_SECONDS:.0f} s: {verdict})")
        again = timed([kg, "import", "ctgov", str(pages), "--name", "bench", "--downloaded", "2026-12-05"], env)
        print(f"re-import (no change): {again:.1f} s")
        if args.no_build:
            return 0
        build_imported = timed([kg, "build", "--no-shacl"], env)
        copy_project(hand)
        hand_written(rows, hand / "seeds" / "bench-hand.tsv")
        env_hand = {**env, "KG_PROJECT": str(hand), "KG_BUILD_DIR": str(base / "build-hand")}
        build_hand = timed([kg, "build", "--no-shacl"], env_hand)
        ratio = build_imported / build_hand
        print(f"kg build --no-shacl with the imported table: {build_imported:.1f} s; with {rows:,} hand-written rows: "
              f"{build_hand:.1f} s; ratio {ratio:.2f} (goal within {GOAL_BUILD_RATIO:.0f}x: "
              f"{'met' if ratio <= GOAL_BUILD_RATIO else 'MISSED'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
