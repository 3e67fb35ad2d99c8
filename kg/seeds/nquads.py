"""Writes the claims as N-Quads text: each claim in its source's graph, and the accepted facts once each.

Made as text a chunk at a time rather than as pyoxigraph quads: a few bytes a triple where Python term
objects take hundreds. kg.seeds.SeedData.nquads hands the chunks to the build, which loads them into
the store.
"""

from __future__ import annotations

import pyoxigraph as ox

from kg import ranks
from kg.seeds.claims import STATUSES, Note
from kg.vocab import CART, GRAPH_ACCEPTED, RDF, XSD


def claim_nquads(statements: list[ranks.Statement], notes: dict[ranks.Statement, Note]) -> bytes:
    """Each statement as a cart:Claim in its source's graph (the triple, quote, rank and why), as N-Quads."""
    rdf_type, rdf_s, rdf_p, rdf_o = (f"<{RDF}{n}>" for n in ("type", "subject", "predicate", "object"))
    c = {n: f"<{CART}{n}>" for n in ("Claim", "statedIn", "verification", "rank", "seedFile", "seedLine", "quote",
                                     "note", "negated", "deprecationReason", "reasonText", "contested",
                                     "contradictedBy", "evidence")}
    true = f'"true"^^<{XSD}boolean>'
    lines: list[str] = []
    for st in statements:
        graph, claim = f"<{st.source}>", str(st.claim)
        quote, note, qualified = notes[st]

        def add(p: str, o: str, claim: str = claim, graph: str = graph) -> None:
            lines.append(f"{claim} {p} {o} {graph} .\n")

        add(rdf_type, c["Claim"])
        add(rdf_s, f"<{st.subject}>")
        add(rdf_p, f"<{st.predicate}>")
        add(rdf_o, str(st.object))
        add(c["statedIn"], graph)
        add(c["verification"], f"<{STATUSES[st.status]}>")
        add(c["rank"], f"<{st.rank}>")
        add(c["seedFile"], str(ox.Literal(st.file)))
        add(c["seedLine"], f'"{st.line}"^^<{XSD}integer>')
        if quote:
            add(c["quote"], str(ox.Literal(quote)))
        if note:
            add(c["note"], str(ox.Literal(note)))
        if st.negated:
            add(c["negated"], true)
        if st.reason:
            add(c["deprecationReason"], f"<{st.reason}>")
            add(c["reasonText"], str(ox.Literal(st.reason_text)))
        if st.contradicted_by:
            add(c["contested"], true)
            for other in st.contradicted_by:
                add(c["contradictedBy"], str(other.claim))
        for e in st.evidence:
            add(c["evidence"], f"<{e}>")
        for rp, ro in qualified:
            add(str(rp), str(ro))
    return "".join(lines).encode("utf-8")


def accepted_nquads(statements: list[ranks.Statement]) -> bytes:
    """The accepted facts, each triple once: what a statement that is not deprecated says holds, as N-Quads."""
    graph, seen, lines = f"<{GRAPH_ACCEPTED}>", set(), []
    for st in statements:
        if st.negated or st.rank == ranks.DEPRECATED:
            continue
        line = f"<{st.subject}> <{st.predicate}> {st.object} {graph} .\n"
        if line not in seen:
            seen.add(line)
            lines.append(line)
    return "".join(lines).encode("utf-8")
