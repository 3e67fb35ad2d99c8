"""Synthetic CAR T-shaped projects of any size: the real ontology, queries and seeds plus N-Triples seed files.

    python bench/synth.py --triples 1000000 --out /tmp/cartkg-1m

The synthetic part looks like the curated graph, scaled: therapies (most of them aimed at CD19 or BCMA,
the real targets, then a long tail), the companies behind them, trials with phases, dates and
enrolment, diseases, regulatory decisions, readouts, and claims with quotes stating each link in a
source. One N-Triples file per source, so each becomes a named graph like a real source.
"""

from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CART = "https://w3id.org/cartkg/ontology#"
ID = "https://w3id.org/cartkg/id/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XSD = "http://www.w3.org/2001/XMLSchema#"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
ALT = "<http://www.w3.org/2004/02/skos/core#altLabel>"
A = f"<{RDF}type>"

# The skew of the real field: a few targets carry most programs.
TARGET_SHARE = [("cd19", 0.45), ("bcma", 0.22)]
PHASES = ["Phase 1", "Phase 1/2", "Phase 2", "Phase 3"]
STATUSES = ["recruiting", "active, not recruiting", "completed", "not yet recruiting"]
DOMAINS = ["4-1BB", "CD28"]
SOURCES = 8


def _iri(local: str) -> str:
    return f"<{ID}{local}>"


def _lit(text: str, datatype: str | None = None, lang: str | None = None) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    if datatype:
        return f'"{escaped}"^^<{XSD}{datatype}>'
    return f'"{escaped}"@{lang}' if lang else f'"{escaped}"'


class Writer:
    """Spreads statements over the source files round-robin, counting triples."""

    def __init__(self, folder: Path, stem: str):
        self.files = [open(folder / f"{stem}-{i:02d}.nt", "w", encoding="utf-8") for i in range(SOURCES)]
        self.sources = [f"<{ID}source/file/{stem}-{i:02d}.nt>" for i in range(SOURCES)]
        self.count = 0
        self.turn = 0

    def entity(self, lines: list[str]) -> int:
        """Write one entity's lines (all into one source file); returns the index of that file."""
        i = self.turn
        self.turn = (self.turn + 1) % SOURCES
        self.files[i].write("\n".join(lines) + "\n")
        self.count += len(lines)
        return i

    def close(self) -> None:
        for f in self.files:
            f.close()


def generate(folder: Path, triples: int, seed: int = 7, stem: str = "synthetic") -> int:
    """Write about `triples` synthetic triples as N-Triples files into `folder`; returns the exact count."""
    rng = random.Random(seed)
    out = Writer(folder, stem)
    # Fixed shares of a budget per entity, measured from what each entity writes below.
    n_therapy = max(10, triples // 60)
    n_target = max(5, n_therapy // 40)
    n_company = max(5, n_therapy // 8)
    n_disease = max(6, n_therapy // 30)
    targets = [t for t, _ in TARGET_SHARE] + [f"{stem}-target-{i}" for i in range(n_target)]
    weights = [w for _, w in TARGET_SHARE] + [(1 - sum(w for _, w in TARGET_SHARE)) / n_target] * n_target
    companies = [f"{stem}-company-{i}" for i in range(n_company)]
    diseases = [f"{stem}-disease-{i}" for i in range(n_disease)]

    for i in range(n_target):
        t = _iri(f"{stem}-target-{i}")
        out.entity([f"{t} {A} <{CART}Target> .", f"{t} {LABEL} {_lit(f'TGT{i}')} .",
                    f"{t} <{CART}geneSymbol> {_lit(f'TGT{i}')} .", f"{t} <{CART}hgncId> {_lit(f'HGNC:{90000 + i}')} ."])
    for i, c in enumerate(companies):
        out.entity([f"{_iri(c)} {A} <{CART}Company> .", f"{_iri(c)} {LABEL} {_lit(f'Company {i} Bio')} ."])
    for i, d in enumerate(diseases):
        cls = "Cancer" if i % 3 else "AutoimmuneDisease"
        out.entity([f"{_iri(d)} {A} <{CART}{cls}> .", f"{_iri(d)} {LABEL} {_lit(f'disease {i}')} .",
                    f"{_iri(d)} <{CART}mondoId> {_lit(f'MONDO:{9000000 + i:07d}')} ."])

    i = 0
    while out.count < triples:
        therapy = f"{stem}-therapy-{i}"
        th = _iri(therapy)
        target = rng.choices(targets, weights)[0]
        company = companies[min(n_company - 1, int(n_company * rng.random() ** 2))]
        disease = diseases[min(n_disease - 1, int(n_disease * rng.random() ** 2))]
        lines = [
            f"{th} {A} <{CART}Therapy> .",
            f"{th} {LABEL} {_lit(f'therapy {i}')} .",
            f"{th} {ALT} {_lit(f'SYN-{i:06d}')} .",
            f"{th} <{CART}targets> {_iri(target)} .",
            f"{th} <{CART}developedBy> {_iri(company)} .",
            f"{th} <{CART}costimulatoryDomain> {_lit(rng.choice(DOMAINS))} .",
            f"{th} <{CART}investigatedFor> {_iri(disease)} .",
        ]
        source = out.sources[out.turn]
        # The claim behind the target link, with its quote, as the seed tables record one.
        claim = _iri(f"claim/{stem}-{i}")
        lines += [
            f"{claim} {A} <{CART}Claim> .",
            f"{claim} <{RDF}subject> {th} .",
            f"{claim} <{RDF}predicate> <{CART}targets> .",
            f"{claim} <{RDF}object> {_iri(target)} .",
            f"{claim} <{CART}statedIn> {source} .",
            f"{claim} <{CART}verification> <{CART}Reported> .",
            f"{claim} <{CART}quote> {_lit(f'therapy {i} is a CAR T aimed at {target}')} .",
        ]
        for k in range(1 + (rng.random() < 0.4)):
            trial = _iri(f"{stem}-trial-{i}-{k}")
            lines += [
                f"{trial} {A} <{CART}Trial> .",
                f"{trial} {LABEL} {_lit(f'trial {i}-{k}')} .",
                f"{trial} <{CART}nctId> {_lit(f'NCT{(i * 2 + k) % 10**8:08d}')} .",
                f"{trial} <{CART}evaluates> {th} .",
                f"{trial} <{CART}studiesCondition> {_iri(disease)} .",
                f"{trial} <{CART}sponsoredBy> {_iri(company)} .",
                f"{trial} <{CART}phase> {_lit(rng.choice(PHASES))} .",
                f"{trial} <{CART}status> {_lit(rng.choice(STATUSES))} .",
                f"{trial} <{CART}startDate> {_lit(f'{2015 + i % 10}-{1 + i % 12:02d}-{1 + i % 28:02d}', 'date')} .",
                f"{trial} <{CART}plannedEnrollment> {_lit(str(10 + i % 300), 'integer')} .",
            ]
        if rng.random() < 0.05:
            decision = _iri(f"{stem}-decision-{i}")
            lines += [
                f"{th} <{CART}approvedFor> {_iri(disease)} .",
                f"{decision} {A} <{CART}RegulatoryDecision> .",
                f"{decision} {LABEL} {_lit(f'approval of therapy {i}')} .",
                f"{decision} <{CART}decisionFor> {th} .",
                f"{decision} <{CART}decidedBy> {_iri('fda')} .",
                f"{decision} <{CART}decisionType> <{CART}Approval> .",
                f"{decision} <{CART}indication> {_iri(disease)} .",
                f"{decision} <{CART}decisionDate> {_lit(f'{2017 + i % 8}-{1 + i % 12:02d}-15', 'date')} .",
            ]
        out.entity(lines)
        i += 1
    out.close()
    return out.count


def make_project(out: Path, triples: int, seed: int = 7) -> int:
    """A project folder: the real ontology, queries and seeds, plus synthetic seed files of `triples` triples."""
    if out.exists():
        shutil.rmtree(out)
    for name in ("ontology", "queries", "seeds"):
        shutil.copytree(ROOT / name, out / name)
    return generate(out / "seeds", triples, seed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--triples", type=int, default=100_000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    n = make_project(args.out, args.triples, args.seed)
    print(f"wrote {n} synthetic triples into {args.out}/seeds/ (plus the real seeds)")


if __name__ == "__main__":
    main()
