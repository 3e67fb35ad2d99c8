"""Synthetic CAR T-shaped entity graphs of a given number of nodes, put straight into a store (no build, no claims)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import pyoxigraph as ox

CART = "https://w3id.org/cartkg/ontology#"
ID = "https://w3id.org/cartkg/id/synthetic/"
SOURCE = "https://w3id.org/cartkg/id/source/synthetic"
INFERRED = "https://w3id.org/cartkg/graph/inferred"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
ALT = "http://www.w3.org/2004/02/skos/core#altLabel"

# Share of the nodes each class gets, roughly as in the curated data: many trials and therapies,
# a handful of targets that almost every therapy points at.
SHARES = [
    ("Target", 0.015), ("Company", 0.10), ("Therapy", 0.25), ("Trial", 0.30), ("Cancer", 0.04),
    ("AutoimmuneDisease", 0.02), ("RegulatoryDecision", 0.05), ("Readout", 0.12), ("Person", 0.04),
    ("Event", 0.015), ("Regulator", 0.005), ("Milestone", 0.045),
]


@dataclass
class SyntheticGraph:
    """Nodes (id -> class, label, synonyms) and edges (subject, property, object, inferred)."""

    nodes: dict[str, tuple[str, str, list[str]]] = field(default_factory=dict)
    edges: list[tuple[str, str, str, bool]] = field(default_factory=list)

    def quads(self) -> list[ox.Quad]:
        """The graph as quads: asserted facts in one source graph, inferred ones in the inferred graph."""
        src, inf = ox.NamedNode(SOURCE), ox.NamedNode(INFERRED)
        out = [ox.Quad(src, ox.NamedNode(RDF_TYPE), ox.NamedNode(CART + "NewsArticle"), src),
               ox.Quad(src, ox.NamedNode(LABEL), ox.Literal("synthetic source"), src)]
        for node, (cls, label, synonyms) in self.nodes.items():
            s = ox.NamedNode(ID + node)
            out.append(ox.Quad(s, ox.NamedNode(RDF_TYPE), ox.NamedNode(CART + cls), src))
            out.append(ox.Quad(s, ox.NamedNode(LABEL), ox.Literal(label), src))
            out += [ox.Quad(s, ox.NamedNode(ALT), ox.Literal(a), src) for a in synonyms]
        for s, p, o, inferred in self.edges:
            graph = inf if inferred else src
            out.append(ox.Quad(ox.NamedNode(ID + s), ox.NamedNode(CART + p), ox.NamedNode(ID + o), graph))
        return out


def generate(n: int, seed: int = 7) -> SyntheticGraph:
    """A graph of about n nodes, the same for the same n and seed."""
    rng = random.Random(seed)
    g = SyntheticGraph()
    by_class: dict[str, list[str]] = {}
    for cls, share in SHARES:
        count = max(2, round(n * share))
        names = [f"{cls.lower()}-{i}" for i in range(count)]
        by_class[cls] = names
        for i, name in enumerate(names):
            synonyms = [f"{cls[:3].upper()}-{i:05d}"] if cls in ("Therapy", "Target", "Company") else []
            g.nodes[name] = (cls, f"{cls} {i}", synonyms)

    def pick(cls: str, skew: float = 1.0) -> str:
        names = by_class[cls]
        # A power law: the first few names (CD19, BCMA, the big companies) get most links.
        return names[min(len(names) - 1, int(len(names) * rng.random() ** (1 + skew)))]

    diseases = by_class["Cancer"] + by_class["AutoimmuneDisease"]
    edges: set[tuple[str, str, str, bool]] = set()
    for t in by_class["Therapy"]:
        edges.add((t, "targets", pick("Target", 3), False))
        if rng.random() < 0.15:
            edges.add((t, "targets", pick("Target", 1), False))
        edges.add((t, "developedBy", pick("Company"), False))
    studies: dict[str, set[str]] = {}
    for trial in by_class["Trial"]:
        therapy = pick("Therapy", 0.3)
        edges.add((trial, "evaluates", therapy, False))
        edges.add((trial, "sponsoredBy", pick("Company"), False))
        for _ in range(1 + (rng.random() < 0.3)):
            d = diseases[min(len(diseases) - 1, int(len(diseases) * rng.random() ** 2))]
            edges.add((trial, "studiesCondition", d, False))
            studies.setdefault(therapy, set()).add(d)
    for therapy, ds in studies.items():
        for d in ds:
            edges.add((therapy, "investigatedFor", d, True))
    companies = by_class["Company"]
    for c in companies:
        if rng.random() < 0.15:
            other = pick("Company")
            if other != c:
                edges.add((c, "partnerOf", other, False))
                edges.add((other, "partnerOf", c, True))
    for d in by_class["RegulatoryDecision"]:
        edges.add((d, "decisionFor", pick("Therapy", 1), False))
        edges.add((d, "decidedBy", pick("Regulator"), False))
        edges.add((d, "indication", rng.choice(diseases), False))
    for r in by_class["Readout"]:
        edges.add((r, "readoutOf", pick("Trial", 0.5), False))
        edges.add((r, "reportedAt", pick("Event"), False))
    for p in by_class["Person"]:
        edges.add((p, "worksFor", pick("Company"), False))
    for m in by_class["Milestone"]:
        edges.add((m, "plannedBy", pick("Company"), False))
        edges.add((m, "concerns", pick("Therapy", 0.5), False))
    g.edges = sorted(edges)
    return g
