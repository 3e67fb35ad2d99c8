"""What an entity's page shows: its facts with the claims and sources behind them, what links to it, its dates.

Read inside a query worker (kg.web.model runs it as the `entity` task); returns plain data, never HTML.
"""

from __future__ import annotations

from collections import defaultdict

import pyoxigraph as ox

from kg.engine import LocalEngine
from kg.names import labels
from kg.terms import Term
from kg.vocab import CART, CLAIM, GRAPH_ACCEPTED, GRAPH_INFERRED, GRAPH_ONTOLOGY, RDF
from kg.web.state import State, term

_FACTS = "SELECT ?p ?o ?g ?_e WHERE { GRAPH ?g { ?_e ?p ?o } } "
_INCOMING = """SELECT DISTINCT ?s ?p ?_e WHERE { ?s ?p ?_e .
  FILTER(?p NOT IN (rdf:subject, rdf:object, cart:statedIn)) FILTER NOT EXISTS { ?s a cart:Claim } }"""
# Every claim about the entity, with every property it carries: the statement model adds terms
# (rank, reason) and the page shows whatever a claim has. Two steps: the claims first, then their
# properties by VALUES (one query joining both took 50 ms on rese-cel's 46 claims, these two 4 ms).
_CLAIMS = "SELECT DISTINCT ?claim ?_e WHERE { ?claim rdf:subject ?_e }"
_CLAIM_PROPERTIES = "SELECT DISTINCT ?claim ?cp ?cv WHERE { VALUES ?claim { %s } ?claim ?cp ?cv }"
# Dates of what links to the entity (a trial's start, a decision's date, a readout's): its events in time.
_NEIGHBOUR_DATES = """SELECT DISTINCT ?s ?p ?d WHERE { VALUES ?s { %s } ?s ?p ?d .
  FILTER(isLITERAL(?d) && DATATYPE(?d) = xsd:date) }"""
# What a source states: the facts in its graph, its claim records left out by their namespace (a NOT
# EXISTS per row took three times as long), for a source's page; sorted here, not by the engine.
# A table's source states its claims (rdf:subject / rdf:predicate / rdf:object); a data file's graph its triples.
_STATED = f"""SELECT ?s ?p ?o ?_e WHERE {{
  {{ GRAPH ?_e {{ ?c rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o }} }}
  UNION {{ GRAPH ?_e {{ ?s ?p ?o }} FILTER(!STRSTARTS(STR(?s), "{CLAIM}")) }}
}} LIMIT 1001"""
_EXISTS = "ASK { { ?_e ?p ?o } UNION { ?s ?p ?_e } }"
# Claim properties the entity page shows by name; any other the claim carries is shown too.
CLAIM_SHOWN = {CART + "statedIn", CART + "quote", CART + "contradictedBy", CART + "contested", CART + "rank",
               CART + "reasonText", CART + "verification", CART + "negated", CART + "note"}
_HIDDEN_CLAIM = {RDF + "type", RDF + "subject", RDF + "predicate", RDF + "object", CART + "seedFile",
                 "http://www.w3.org/ns/prov#wasDerivedFrom",  # the same source as cart:statedIn
                 CART + "seedLine",
                 # The summary of every claim of the triple, which the page shows claim by claim.
                 CART + "factRank", CART + "factSources", CART + "factQuotes", CART + "factReason",
                 CART + "factDate"}


def entity(state: State, ref: str) -> dict | None:
    """Everything an entity page shows, or None if the graph has nothing about it."""
    engine = state.fresh()
    iri = state.iri(ref)
    if iri is None:
        return None
    node = ox.NamedNode(iri)
    if not engine.select(_EXISTS, {"_e": node}).rows[0][0].value == "true":
        return None
    facts = _facts(engine, node)
    claims = _claims(engine, node)
    disputes = _disputes(engine, {v.value for c in claims.values() for v in c["props"].get(CART + "contradictedBy", [])
                                  if isinstance(v, ox.NamedNode)})
    for c in claims.values():
        fact = facts.setdefault((c["p"].value, c["o"]), {"p": c["p"], "o": c["o"], "graphs": set(), "claims": []})
        fact["claims"].append(c)
    incoming = [row[:2] for row in engine.select(_INCOMING, {"_e": node}).rows]
    linked = sorted({str(s) for s, _ in incoming if isinstance(s, ox.NamedNode)})[:500]  # IRIs from the graph
    neighbour_dates = engine.select(_NEIGHBOUR_DATES % " ".join(linked)).rows if linked else []
    # Both branches of _STATED's UNION bind ?s ?p ?o.
    stated: list[list[Term]] = [[s, p, o] for s, p, o, _ in engine.select(_STATED, {"_e": node}).rows
                                if s != node and s is not None and p is not None and o is not None]
    shown = _shown(engine, _named(iri, facts, claims, incoming, disputes, neighbour_dates, stated))
    rows = [_fact_row(state, fact, disputes, shown) for fact in facts.values()]
    rows.sort(key=lambda r: (r["p"]["iri"] != RDF + "type", r["p"]["label"].casefold(),
                             (r["o"].get("label") or r["o"].get("text") or "").casefold()))
    return {"iri": iri, "curie": state.curie(iri), "label": shown.get(iri) or state.curie(iri),
            "facts": rows, "incoming": _links(state, incoming, shown),
            "dated": _dated(state, rows, neighbour_dates, shown),
            "stated": sorted(([term(state, x, shown) for x in row] for row in stated[:1000]),
                             key=lambda r: [(t.get("label") or t.get("text") or "").casefold() for t in r]),
            "stated_more": len(stated) > 1000}


def _facts(engine: LocalEngine, node: ox.NamedNode) -> dict[tuple, dict]:
    """The entity's statements, each with the graphs that hold it (its claims are added later)."""
    facts: dict[tuple, dict] = {}
    for p, o, g, _ in engine.select(_FACTS, {"_e": node}).rows:
        if g is None:
            continue
        fact = facts.setdefault((p.value, o), {"p": p, "o": o, "graphs": set(), "claims": []})
        fact["graphs"].add(g.value)
    return facts


def _claims(engine: LocalEngine, node: ox.NamedNode) -> dict[str, dict]:
    """The claims about the entity: each one's predicate, object and the properties the page shows."""
    claims: dict[str, dict] = {}
    found = [row[0] for row in engine.select(_CLAIMS, {"_e": node}).rows if isinstance(row[0], ox.NamedNode)]
    for i in range(0, len(found), 500):
        values = " ".join(str(c) for c in found[i:i + 500])  # IRIs from the graph, written as terms
        for claim, cp, cv in engine.select(_CLAIM_PROPERTIES % values).rows:
            c = claims.setdefault(claim.value, {"p": None, "o": None, "props": defaultdict(list)})
            if cp.value == RDF + "predicate":
                c["p"] = cv
            elif cp.value == RDF + "object":
                c["o"] = cv
            elif cp.value not in _HIDDEN_CLAIM:
                c["props"][cp.value].append(cv)
    return {k: c for k, c in claims.items() if c["p"] is not None and c["o"] is not None}


def _named(iri: str, facts: dict, claims: dict, incoming: list, disputes: dict, neighbour_dates: list,
           stated: list) -> set[str]:
    """Every IRI the page names, so all their labels are read at once."""
    iris = {iri} | {f["p"].value for f in facts.values()} | {p.value for _, p in incoming}
    iris |= {s.value for s, _ in incoming if isinstance(s, ox.NamedNode)}  # an OWL restriction is a blank node
    iris |= {f["o"].value for f in facts.values() if isinstance(f["o"], ox.NamedNode)}
    for c in claims.values():
        for values in c["props"].values():
            iris |= {v.value for v in values if isinstance(v, ox.NamedNode)}
        iris |= set(c["props"])
    iris |= {g for f in facts.values() for g in f["graphs"]}
    iris |= {x.value for d in disputes.values() for x in d.values() if isinstance(x, ox.NamedNode)}
    iris |= {x.value for s_, p_, _ in neighbour_dates for x in (s_, p_)}
    iris |= {x.value for row in stated[:1000] for x in row if isinstance(x, ox.NamedNode)}
    return iris


def _shown(engine: LocalEngine, iris: set[str]) -> dict[str, str]:
    """The labels of `iris`, and names for the built-in terms and the build's own graphs."""
    shown = labels(engine, iris)
    from kg.network import BUILTIN_LABELS

    for k, v in BUILTIN_LABELS.items():
        shown.setdefault(k, v)
    shown.setdefault(GRAPH_INFERRED, "inferred by the rules")
    shown.setdefault(GRAPH_ONTOLOGY, "the ontology")
    shown.setdefault(GRAPH_ACCEPTED, "the accepted facts")
    return shown


def _fact_row(state: State, fact: dict, disputes: dict[str, dict], shown: dict[str, str]) -> dict:
    """One fact as the page lists it: the sources that state it, and the graphs that hold it besides them."""
    sources = [_source(state, c, disputes, shown)
               for c in sorted(fact["claims"], key=lambda c: str(c["props"].get(CART + "statedIn", [""])[0]))]
    said = {s["source"]["iri"] for s in sources if s["source"]}
    # A fact its sources state is accepted through them: the accepted facts' graph is no source of its own.
    hidden = said | ({GRAPH_ACCEPTED} if said else set())
    graphs = [term(state, ox.NamedNode(g), shown) for g in sorted(fact["graphs"]) if g not in hidden]
    return {"p": term(state, fact["p"], shown), "o": term(state, fact["o"], shown),
            "asserted": bool(fact["graphs"]), "inferred": fact["graphs"] == {GRAPH_INFERRED},
            "sources": sources, "graphs": graphs}


def _source(state: State, c: dict, disputes: dict[str, dict], shown: dict[str, str]) -> dict:
    """One claim of a fact: who states it, in what words, how it was checked and who disputes it."""
    props = c["props"]
    src = props.get(CART + "statedIn", [None])[0]
    return {"source": term(state, src, shown) if src is not None else None,
            "quote": " ".join(v.value for v in props.get(CART + "quote", [])),
            "verification": [shown.get(v.value) or state.curie(v.value) for v in props.get(CART + "verification", [])],
            "rank": [term(state, v, shown) for v in props.get(CART + "rank", [])],
            "reason": [v.value for v in props.get(CART + "reasonText", [])],
            "contested": bool(props.get(CART + "contradictedBy")) or any(
                v.value == "true" for v in props.get(CART + "contested", [])),
            "negated": any(v.value == "true" for v in props.get(CART + "negated", [])),
            "note": " ".join(v.value for v in props.get(CART + "note", [])),
            "disputes": [_dispute(state, disputes[v.value], shown) for v in props.get(CART + "contradictedBy", [])
                         if v.value in disputes],
            "other": [{"p": shown.get(k) or state.curie(k), "values": [term(state, v, shown) for v in vs]}
                      for k, vs in sorted(props.items()) if k not in CLAIM_SHOWN]}


def _links(state: State, incoming: list, shown: dict[str, str]) -> list[dict]:
    """What links to the entity, grouped by property."""
    links: dict[str, dict] = {}
    for s, p in incoming:
        if not isinstance(s, ox.NamedNode):
            continue
        group = links.setdefault(p.value, {"p": term(state, p, shown), "items": []})
        group["items"].append(term(state, s, shown))
    for group in links.values():
        group["items"].sort(key=lambda t: t["label"].casefold())
    return sorted(links.values(), key=lambda g: g["p"]["label"].casefold())


def _dated(state: State, rows: list[dict], neighbour_dates: list, shown: dict[str, str]) -> list[dict]:
    """The entity's events in time: its own dates and those of what links to it."""
    dated = [{"date": r["o"]["text"], "what": r["p"]["label"], "of": None} for r in rows
             if r["o"].get("datatype") == "xsd:date" and r["asserted"]]
    dated += [{"date": d.value, "what": shown.get(p.value) or state.curie(p.value), "of": term(state, s, shown)}
              for s, p, d in neighbour_dates if isinstance(s, ox.NamedNode)]
    dated.sort(key=lambda d: (d["date"], d["of"]["label"] if d["of"] else ""))
    return dated


_DISPUTE = """SELECT ?other ?source ?p ?o ?negated ?quote WHERE { VALUES ?other { %s }
  ?other cart:statedIn ?source ; rdf:predicate ?p ; rdf:object ?o .
  OPTIONAL { ?other cart:negated ?negated } OPTIONAL { ?other cart:quote ?quote } }"""


def _disputes(engine: LocalEngine, others: set[str]) -> dict[str, dict]:
    """What each contradicting claim says and who says it."""
    found: dict[str, dict] = {}
    ordered = sorted(others)
    for i in range(0, len(ordered), 500):
        values = " ".join(str(ox.NamedNode(o)) for o in ordered[i:i + 500])
        for other, source, p, o, negated, quote in engine.select(_DISPUTE % values).rows:
            found.setdefault(other.value, {"source": source, "p": p, "o": o, "negated": negated, "quote": quote})
    return found


def _dispute(state: State, d: dict, shown: dict[str, str]) -> dict:
    denies = d["negated"] is not None and d["negated"].value == "true"
    return {"source": term(state, d["source"], shown), "denies": denies,
            "says": None if denies else {"p": term(state, d["p"], shown), "o": term(state, d["o"], shown)},
            "quote": d["quote"].value if d["quote"] is not None else ""}


