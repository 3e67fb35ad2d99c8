"""What each page of the web app shows, read from the store inside a query worker; returns plain data, never HTML."""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox

from kg.engine import LocalEngine
from kg.names import labels
from kg.errors import KgError
from kg.paths import Paths
from kg.store import open_store
from kg.vocab import CART, CLAIM, GRAPH, GRAPH_ACCEPTED, GRAPH_INFERRED, GRAPH_ONTOLOGY, RDF, SPARQL_PREFIXES, XSD

# Every property a person may search by: names, synonyms, code names and identifiers.
NAME_PROPERTIES = ("rdfs:label", "skos:altLabel", "cart:codeName", "cart:innName", "cart:brandName",
                   "cart:nctId", "cart:chictrId", "cart:hgncId", "cart:mondoId", "cart:geneSymbol", "cart:title")
_NAMES = f"""SELECT ?e ?name ?cls WHERE {{
  ?e {'|'.join(NAME_PROPERTIES)} ?name .
  OPTIONAL {{ ?e a ?cls }}
  FILTER(isIRI(?e))
}}"""
_CLASS_LABELS = "SELECT ?c (MIN(STR(?l)) AS ?label) WHERE { ?c a owl:Class ; rdfs:label ?l } GROUP BY ?c"
_FACTS = "SELECT ?p ?o ?g ?_e WHERE { GRAPH ?g { ?_e ?p ?o } } "
_INCOMING = """SELECT DISTINCT ?s ?p ?_e WHERE { ?s ?p ?_e .
  FILTER(?p NOT IN (rdf:subject, rdf:object, cart:statedIn)) FILTER NOT EXISTS { ?s a cart:Claim } }"""
# Every claim about the entity, with every property it carries: the statement model adds terms
# (rank, reason) and the page shows whatever a claim has.
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
_STATED = """SELECT ?s ?p ?o ?_e WHERE {
  { GRAPH ?_e { ?c rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o } }
  UNION { GRAPH ?_e { ?s ?p ?o } FILTER(!STRSTARTS(STR(?s), "%s")) }
} LIMIT 1001""" % CLAIM
_EXISTS = "ASK { { ?_e ?p ?o } UNION { ?s ?p ?_e } }"
_THERAPIES = """SELECT ?t ?stage ?target ?disease ?approved ?phase WHERE {
  ?t a cart:Therapy .
  OPTIONAL { ?t cart:developmentStage ?stage }
  OPTIONAL { ?t cart:targets ?target }
  OPTIONAL { { ?t cart:approvedFor ?disease BIND(true AS ?approved) } UNION { ?t cart:investigatedFor ?disease } }
  OPTIONAL { ?trial cart:evaluates ?t ; cart:phase ?phase }
}"""
_APPROVALS = """SELECT ?d ?t ?regulator ?type ?date ?indication WHERE {
  ?d a cart:RegulatoryDecision ; cart:decisionFor ?t ; cart:decidedBy ?regulator .
  OPTIONAL { ?d cart:decisionType ?type }
  OPTIONAL { ?d cart:decisionDate ?date }
  OPTIONAL { ?d cart:indication ?indication }
}"""
STAGES = ("Preclinical", "Phase 1", "Phase 1/2", "Phase 2", "Phase 2/3", "Phase 3", "Registration", "Approved",
          "Discontinued")
_PHASE_STAGE = {"Early Phase 1": "Phase 1", "Phase 1": "Phase 1", "Phase 1/2": "Phase 1/2", "Phase 2": "Phase 2",
                "Phase 2/3": "Phase 2/3", "Phase 3": "Phase 3"}
APPROVAL_TYPES = {CART + "Approval", CART + "AcceleratedApproval", CART + "ConditionalApproval"}
# Claim properties the entity page shows by name; any other the claim carries is shown too.
CLAIM_SHOWN = {CART + "statedIn", CART + "quote", CART + "contradictedBy", CART + "contested", CART + "rank",
               CART + "reasonText", CART + "verification", CART + "negated", CART + "note"}
_HIDDEN_CLAIM = {RDF + "type", RDF + "subject", RDF + "predicate", RDF + "object", CART + "seedFile",
                 "http://www.w3.org/ns/prov#wasDerivedFrom",  # the same source as cart:statedIn
                 CART + "seedLine"}


def _prefixes(paths: Paths) -> dict[str, str]:
    from kg.catalogue import prefixes

    return prefixes(paths)


class State:
    """The worker's view of the store: reopened when `kg build` swaps in a new one; caches keyed to it."""

    def __init__(self, paths: Paths):
        self.paths = paths
        self.prefixes = _prefixes(paths)
        self.by_length = sorted(self.prefixes.items(), key=lambda kv: -len(kv[1]))
        self.opened: Path | None = None
        self.engine: LocalEngine | None = None
        self.cache: dict[str, object] = {}

    def fresh(self) -> LocalEngine:
        """The engine over the live store, reopened if a build replaced it since the last task."""
        try:
            live = self.paths.current_store.resolve(strict=True)
        except OSError:
            open_store(self.paths)  # raises NotBuilt with the message users know
            raise
        if live != self.opened or self.engine is None:
            self.engine = LocalEngine(self.paths)
            self.opened = live
            self.cache = {}
        return self.engine

    def curie(self, iri: str) -> str:
        for prefix, ns in self.by_length:
            if iri.startswith(ns) and len(iri) > len(ns):
                return f"{prefix}:{iri[len(ns):]}"
        if iri.startswith(GRAPH):
            return "graph:" + iri[len(GRAPH):]
        return iri

    def iri(self, ref: str) -> str | None:
        """The IRI a page address names: a CURIE with a known prefix or an absolute IRI; None otherwise."""
        prefix, sep, local = ref.partition(":")
        if sep and prefix in self.prefixes and not local.startswith("//"):
            return self.prefixes[prefix] + local
        if re.match(r"^https?://\S+$", ref):
            return ref
        return None


def store_version(state: State) -> str:
    """Which store is live (its folder name): pages say which build they show."""
    state.fresh()
    return state.opened.name if state.opened else ""


def _names(state: State) -> dict:
    """Each entity's label, class and every name it may be searched by (cached per store)."""
    engine = state.fresh()  # first: a new build empties the caches
    if "names" in state.cache:
        return state.cache["names"]
    class_labels = {row[0].value: row[1].value for row in engine.select(_CLASS_LABELS).rows if row[1] is not None}
    entities: dict[str, dict] = {}
    for e, name, cls in engine.select(_NAMES).rows:
        item = entities.setdefault(e.value, {"names": set(), "classes": set(), "types": set()})
        item["names"].add(name.value)
        if cls is not None:
            item["types"].add(cls.value)  # every class, inferred superclasses too: a form's field filters by it
            if cls.value in class_labels:
                item["classes"].add(class_labels[cls.value])
    found = labels(engine, set(entities))
    index = {}
    for iri, item in entities.items():
        curie = state.curie(iri)
        names = sorted(item["names"] | {curie})
        index[iri] = {"curie": curie, "label": found.get(iri) or min(item["names"]), "names": names,
                      "cls": ", ".join(sorted(item["classes"])), "types": item["types"],
                      "keys": [(_key(n), n) for n in names]}
    state.cache["names"] = index
    return index


def _key(text: str) -> str:
    """Names compared without case, spaces, hyphens or dots: "caba 201" finds CABA-201."""
    return re.sub(r"[\s\-_.]+", "", text.casefold())


def search(state: State, text: str, limit: int = 20, cls: str | None = None) -> list[dict]:
    """Entities whose name, synonym, code name, identifier or CURIE matches: whole, then from the start, then anywhere.

    `cls` (a CURIE or IRI) keeps only the entities of that class, as an entity parameter's `class` does.
    """
    wanted = _key(text)
    if not wanted:
        return []
    only = state.iri(cls) if cls else None
    ranked = []
    for iri, item in _names(state).items():
        if only and only not in item["types"]:
            continue
        best = None
        for key, name in item["keys"]:
            rank = 0 if key == wanted else 1 if key.startswith(wanted) else 2 if wanted in key else None
            if rank is not None and (best is None or rank < best[0]):
                best = (rank, name)
        if best is not None:
            ranked.append((best[0], item["label"].casefold(), iri, best[1]))
    ranked.sort()
    out = []
    for rank, _, iri, matched in ranked[:limit]:
        item = _names(state)[iri]
        out.append({"curie": item["curie"], "label": item["label"], "cls": item["cls"],
                    "matched": matched if matched != item["label"] else "", "exact": rank == 0})
    return out


def nearest(state: State, text: str, n: int = 5) -> list[dict]:
    """The entities with names closest to a text that named none (for the 404 page)."""
    index = _names(state)
    by_key: dict[str, str] = {}
    for iri, item in index.items():
        for key, _ in item["keys"]:
            by_key.setdefault(key, iri)
    close = difflib.get_close_matches(_key(text.rpartition(":")[2] or text), list(by_key), n=n * 3, cutoff=0.5)
    seen, out = set(), []
    for key in close:
        iri = by_key[key]
        if iri not in seen:
            seen.add(iri)
            out.append({"curie": index[iri]["curie"], "label": index[iri]["label"], "cls": index[iri]["cls"]})
    return out[:n]


def _term(state: State, term: ox.Term, shown: dict[str, str]) -> dict:
    """A value as the page shows it: a link for an entity, text for a literal, a web link only for http(s)."""
    if isinstance(term, ox.NamedNode):
        if term.value.startswith(GRAPH):  # the build's own graphs (inferred, ontology) have no page
            return {"kind": "literal", "text": shown.get(term.value) or state.curie(term.value), "iri": term.value,
                    "label": shown.get(term.value) or state.curie(term.value)}
        return {"kind": "iri", "curie": state.curie(term.value), "label": shown.get(term.value) or state.curie(term.value),
                "iri": term.value}
    if isinstance(term, ox.Literal):
        value = term.value
        out = {"kind": "literal", "text": value}
        if term.datatype and term.datatype.value not in (XSD + "string",) and not term.language:
            out["datatype"] = state.curie(term.datatype.value)
        if re.match(r"^https?://[^\s<>\"]+$", value):
            out["url"] = value
        return out
    return {"kind": "literal", "text": str(term)}


def entity(state: State, ref: str) -> dict | None:
    """Everything an entity page shows, or None if the graph has nothing about it."""
    engine = state.fresh()
    iri = state.iri(ref)
    if iri is None:
        return None
    node = ox.NamedNode(iri)
    if not engine.select(_EXISTS, {"_e": node}).rows[0][0].value == "true":
        return None
    facts: dict[tuple, dict] = {}
    for p, o, g, _ in engine.select(_FACTS, {"_e": node}).rows:
        if g is None:
            continue
        fact = facts.setdefault((p.value, o), {"p": p, "o": o, "graphs": set(), "claims": []})
        fact["graphs"].add(g.value)
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
    claims = {k: c for k, c in claims.items() if c["p"] is not None and c["o"] is not None}
    disputes = _disputes(engine, {v.value for c in claims.values() for v in c["props"].get(CART + "contradictedBy", [])
                                  if isinstance(v, ox.NamedNode)})
    for c in claims.values():
        fact = facts.setdefault((c["p"].value, c["o"]), {"p": c["p"], "o": c["o"], "graphs": set(), "claims": []})
        fact["claims"].append(c)
    incoming = [row[:2] for row in engine.select(_INCOMING, {"_e": node}).rows]
    linked = sorted({str(s) for s, _ in incoming if isinstance(s, ox.NamedNode)})[:500]  # IRIs from the graph
    neighbour_dates = engine.select(_NEIGHBOUR_DATES % " ".join(linked)).rows if linked else []
    stated = [row[:3] for row in engine.select(_STATED, {"_e": node}).rows if row[0] != node]
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
    shown = labels(engine, iris)
    from kg.network import BUILTIN_LABELS

    for k, v in BUILTIN_LABELS.items():
        shown.setdefault(k, v)
    shown.setdefault(GRAPH_INFERRED, "inferred by the rules")
    shown.setdefault(GRAPH_ONTOLOGY, "the ontology")
    shown.setdefault(GRAPH_ACCEPTED, "the accepted facts")

    rows = []
    for fact in facts.values():
        sources = []
        for c in sorted(fact["claims"], key=lambda c: str(c["props"].get(CART + "statedIn", [""])[0])):
            props = c["props"]
            src = props.get(CART + "statedIn", [None])[0]
            item = {"source": _term(state, src, shown) if src is not None else None,
                    "quote": " ".join(v.value for v in props.get(CART + "quote", [])),
                    "verification": [shown.get(v.value) or state.curie(v.value) for v in props.get(CART + "verification", [])],
                    "rank": [_term(state, v, shown) for v in props.get(CART + "rank", [])],
                    "reason": [v.value for v in props.get(CART + "reasonText", [])],
                    "contested": bool(props.get(CART + "contradictedBy")) or any(
                        v.value == "true" for v in props.get(CART + "contested", [])),
                    "negated": any(v.value == "true" for v in props.get(CART + "negated", [])),
                    "note": " ".join(v.value for v in props.get(CART + "note", [])),
                    "disputes": [_dispute(state, disputes[v.value], shown) for v in props.get(CART + "contradictedBy", [])
                                 if v.value in disputes],
                    "other": [{"p": shown.get(k) or state.curie(k), "values": [_term(state, v, shown) for v in vs]}
                              for k, vs in sorted(props.items()) if k not in CLAIM_SHOWN]}
            sources.append(item)
        said = {s["source"]["iri"] for s in sources if s["source"]}
        # A fact its sources state is accepted through them: the accepted facts' graph is no source of its own.
        hidden = said | ({GRAPH_ACCEPTED} if said else set())
        graphs = [_term(state, ox.NamedNode(g), shown) for g in sorted(fact["graphs"]) if g not in hidden]
        rows.append({"p": _term(state, fact["p"], shown), "o": _term(state, fact["o"], shown),
                     "asserted": bool(fact["graphs"]), "inferred": fact["graphs"] == {GRAPH_INFERRED},
                     "sources": sources, "graphs": graphs})
    rows.sort(key=lambda r: (r["p"]["iri"] != RDF + "type", r["p"]["label"].casefold(),
                             (r["o"].get("label") or r["o"].get("text") or "").casefold()))
    links: dict[str, dict] = {}
    for s, p in incoming:
        if not isinstance(s, ox.NamedNode):
            continue
        group = links.setdefault(p.value, {"p": _term(state, p, shown), "items": []})
        group["items"].append(_term(state, s, shown))
    for group in links.values():
        group["items"].sort(key=lambda t: t["label"].casefold())
    dated = [{"date": r["o"]["text"], "what": r["p"]["label"], "of": None} for r in rows
             if r["o"].get("datatype") == "xsd:date" and r["asserted"]]
    dated += [{"date": d.value, "what": shown.get(p.value) or state.curie(p.value), "of": _term(state, s, shown)}
              for s, p, d in neighbour_dates if isinstance(s, ox.NamedNode)]
    dated.sort(key=lambda d: (d["date"], d["of"]["label"] if d["of"] else ""))
    return {"iri": iri, "curie": state.curie(iri), "label": shown.get(iri) or state.curie(iri),
            "facts": rows, "incoming": sorted(links.values(), key=lambda g: g["p"]["label"].casefold()),
            "dated": dated, "stated": sorted(([_term(state, x, shown) for x in row] for row in stated[:1000]),
                                             key=lambda r: [(t.get("label") or t.get("text") or "").casefold() for t in r]),
            "stated_more": len(stated) > 1000}


_DISPUTE = """SELECT ?other ?source ?p ?o ?negated ?quote WHERE { VALUES ?other { %s }
  ?other cart:statedIn ?source ; rdf:predicate ?p ; rdf:object ?o .
  OPTIONAL { ?other cart:negated ?negated } OPTIONAL { ?other cart:quote ?quote } }"""


def _disputes(engine, others: set[str]) -> dict[str, dict]:
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
    return {"source": _term(state, d["source"], shown), "denies": denies,
            "says": None if denies else {"p": _term(state, d["p"], shown), "o": _term(state, d["o"], shown)},
            "quote": d["quote"].value if d["quote"] is not None else ""}


def canned(state: State, name: str, given: dict[str, str], fmt: str) -> dict:
    """A canned query's answer: rendered in `fmt` exactly as `kg query NAME --format fmt` prints it, or as table cells."""
    from kg.catalogue import run_query
    from kg.results import render

    engine = state.fresh()
    answer = run_query(state.paths, name, given, labelled=fmt == "cells", engine=engine)
    if fmt != "cells":
        return {"text": render(answer.result, fmt, answer.labels), "notes": answer.notes}
    rows = [[None if t is None else _term(state, t, answer.labels) for t in row] for row in answer.result.rows]
    return {"variables": answer.result.variables, "rows": rows, "notes": answer.notes}


_SYNTAX = re.compile(r"^error at (\d+):(\d+): ?(.*)$", re.S)
RESULT_FORMATS = {
    "json": (ox.QueryResultsFormat.JSON, "application/sparql-results+json"),
    "xml": (ox.QueryResultsFormat.XML, "application/sparql-results+xml"),
    "csv": (ox.QueryResultsFormat.CSV, "text/csv; charset=utf-8"),
    "tsv": (ox.QueryResultsFormat.TSV, "text/tab-separated-values; charset=utf-8"),
}
GRAPH_FORMATS = {
    "turtle": (ox.RdfFormat.TURTLE, "text/turtle; charset=utf-8"),
    "ntriples": (ox.RdfFormat.N_TRIPLES, "application/n-triples"),
    "rdfxml": (ox.RdfFormat.RDF_XML, "application/rdf+xml"),
}


class SparqlSyntax(KgError):
    """A query that does not parse; the message says line and column."""


def sparql(state: State, text: str, results: str, graph: str) -> tuple[bytes, str]:
    """A SPARQL query's answer serialized (results formats for SELECT/ASK, RDF for CONSTRUCT/DESCRIBE)."""
    engine = state.fresh()
    try:
        answer = engine.store.query(text, prefixes=SPARQL_PREFIXES, use_default_graph_as_union=True)
    except SyntaxError as exc:
        message = str(exc)
        m = _SYNTAX.match(message)
        if m:
            raise SparqlSyntax(f"line {m.group(1)}, column {m.group(2)}: {m.group(3)}")
        raise SparqlSyntax(message)
    except OSError as exc:
        raise KgError(f"the query failed: {exc}")
    if isinstance(answer, ox.QueryTriples):
        fmt, media = GRAPH_FORMATS[graph]
        return answer.serialize(format=fmt), media
    fmt, media = RESULT_FORMATS[results]
    return answer.serialize(format=fmt), media


def graph_page(state: State, focus: str | None, depth: int) -> str | None:
    """The kg viz page of the whole graph, or around one entity; None if the focus is not an entity of the graph."""
    from kg import network, viz

    engine = state.fresh()
    if "entity-graph" not in state.cache:
        state.cache["entity-graph"] = network.load(engine)
    eg = state.cache["entity-graph"]
    key = f"graph-page {focus} {depth}"
    if key in state.cache:
        return state.cache[key]
    title = "cartkg graph"
    center = None
    if focus:
        center = state.iri(focus)
        if center is None or center not in eg.graph:
            return None
        title += f": around {eg.label(center)}, {depth} link{'s' if depth != 1 else ''} deep"
    page = viz.render(viz.select(eg, center, depth), title, center)
    if focus is None:
        state.cache[key] = page
    return page


def warm(state: State, more: bool = False) -> None:
    """Build the name index search needs; with `more`, also what other pages need first (when the worker is idle)."""
    try:
        _names(state)
        if more:
            import kg.network  # noqa: F401 - entity pages use its labels; importing networkx takes 0.2 s

            landscape(state)
    except Exception:  # noqa: BLE001 - nothing built yet, or a broken store: the page that asks says so
        pass


def landscape(state: State) -> dict:
    """The pipeline matrix (programs by stage, per target and per disease) and approvals by regulator (cached per store)."""
    engine = state.fresh()
    if "landscape" not in state.cache:
        state.cache["landscape"] = _landscape(state, engine)
    return state.cache["landscape"]


def _landscape(state: State, engine) -> dict:
    programs: dict[str, dict] = {}
    for t, stage, target, disease, approved, phase in engine.select(_THERAPIES).rows:
        p = programs.setdefault(t.value, {"stages": set(), "targets": set(), "diseases": set(), "phases": set(),
                                          "approved": False})
        if stage is not None:
            p["stages"].add(stage.value)
        if target is not None:
            p["targets"].add(target.value)
        if disease is not None:
            p["diseases"].add(disease.value)
        if approved is not None:
            p["approved"] = True
        if phase is not None and phase.value in _PHASE_STAGE:
            p["phases"].add(_PHASE_STAGE[phase.value])
    decisions = engine.select(_APPROVALS).rows
    iris = set(programs) | {x for p in programs.values() for x in p["targets"] | p["diseases"]}
    iris |= {x.value for row in decisions for x in row if isinstance(x, ox.NamedNode)}
    shown = labels(engine, iris)
    approved_by = {row[1].value for row in decisions if row[3] is not None and row[3].value in APPROVAL_TYPES}
    for iri, p in programs.items():
        if p["stages"]:
            # Where sources disagree, the furthest stage recorded is shown and the page says so.
            p["stage"] = max(p["stages"], key=lambda s: STAGES.index(s) if s in STAGES else -1)
            p["from"] = "recorded" + (" (sources differ)" if len(p["stages"]) > 1 else "")
        elif p["approved"] or iri in approved_by:
            p["stage"], p["from"] = "Approved", "an approval"
        elif p["phases"]:
            p["stage"], p["from"] = max(p["phases"], key=STAGES.index), "its furthest trial"
        else:
            p["stage"], p["from"] = "", "nothing recorded"

    def matrix(by: str) -> list[dict]:
        groups: dict[str, dict] = {}
        for iri, p in programs.items():
            for g in sorted(p[by]) or [""]:
                row = groups.setdefault(g, {"group": _term(state, ox.NamedNode(g), shown) if g else None,
                                            "cells": defaultdict(list)})
                row["cells"][p["stage"]].append({"curie": state.curie(iri), "label": shown.get(iri) or state.curie(iri),
                                                 "from": p["from"]})
        out = []
        for g, row in groups.items():
            cells = [sorted(row["cells"].get(s, []), key=lambda x: x["label"].casefold()) for s in STAGES]
            unknown = sorted(row["cells"].get("", []), key=lambda x: x["label"].casefold())
            out.append({"group": row["group"], "cells": cells, "unknown": unknown})
        out.sort(key=lambda r: (r["group"] is None, (r["group"] or {}).get("label", "").casefold()))
        return out

    regulators = sorted({row[2].value for row in decisions}, key=lambda r: (shown.get(r) or r).casefold())
    approvals: dict[str, dict] = {}
    for d, t, regulator, dtype, date, indication in decisions:
        if dtype is None or dtype.value not in APPROVAL_TYPES:
            continue
        row = approvals.setdefault(t.value, {"therapy": _term(state, t, shown), "cells": defaultdict(list)})
        row["cells"][regulator.value].append({"decision": _term(state, d, shown), "date": date.value if date else "",
                                             "type": state.curie(dtype.value).partition(":")[2],
                                             "indication": shown.get(indication.value, "") if indication else ""})
    approval_rows = []
    for row in sorted(approvals.values(), key=lambda r: r["therapy"]["label"].casefold()):
        approval_rows.append({"therapy": row["therapy"],
                              "cells": [sorted(row["cells"].get(r, []), key=lambda x: x["date"]) for r in regulators]})
    return {"stages": list(STAGES), "by_target": matrix("targets"), "by_disease": matrix("diseases"),
            "regulators": [_term(state, ox.NamedNode(r), shown) for r in regulators], "approvals": approval_rows,
            "programs": len(programs)}
