"""What changed between two stores of the graph: their snapshots compared into a typed list of changes.

Each change names its sources and carries the labels and pages of what it mentions, so a report can be
rendered (kg.diff_render) without the stores.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.store import select, side_by_side
from kg.terms import Term
from kg.vocab import (
    CART,
    CLAIM,
    DECISION_GROUPS,
    GRAPH_ACCEPTED,
    GRAPH_INFERRED,
    GRAPH_ONTOLOGY,
    RDF_TYPE,
)

# The kinds of change, in the order reports list them, with their headings.
KINDS = {
    "entity-added": "entities added",
    "entity-removed": "entities removed",
    "source-added": "sources added",
    "approval": "new approvals",
    "designation": "new designations",
    "decision": "other new regulatory decisions",
    "stage": "development stage changes",
    "phase": "phase transitions",
    "status": "status changes",
    "date-slipped": "primary completion dates that slipped",
    "date-advanced": "primary completion dates moved earlier",
    "dispute-opened": "disputes opened",
    "dispute-resolved": "disputes resolved",
}
TRACKED = {CART + "developmentStage": "stage", CART + "phase": "phase", CART + "status": "status",
           CART + "primaryCompletionDate": "date"}
DISPUTE_REASONS = {CART + "ContradictedByReference", CART + "RejectedByCuration"}
_NOT_FACTS = f"FILTER(?g != <{GRAPH_INFERRED}> && ?g != <{GRAPH_ONTOLOGY}>)"


@dataclass(frozen=True)
class Change:
    """One change: what kind, about which entity, the value before and after, and who says so."""

    kind: str
    entity: str
    before: str = ""
    after: str = ""
    sources: tuple[str, ...] = ()
    # The triple behind it, to find its sources: (subject, predicate, object) in N-Triples form, in the build it is in.
    triple: tuple[str, str, str] | None = field(default=None, compare=False, repr=False)
    in_old: bool = field(default=False, compare=False, repr=False)


@dataclass
class Snapshot:
    """What one build holds that a report compares."""

    entities: dict[str, set[str]]
    sources: set[str]
    values: dict[tuple[str, str], set[str]]  # (subject, property) -> objects in N-Triples form
    decisions: dict[str, tuple[str, str]]  # decision -> (its type, its kind of change: approval, designation, decision)
    disputes: dict[str, tuple[Term, Term, Term, str]]


@dataclass
class Report:
    """The changes from OLD to NEW, with the names and pages of everything they mention."""

    old: str
    new: str
    changes: list[Change]
    labels: dict[str, str]
    urls: dict[str, str]

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for c in self.changes:
            counts[c.kind] = counts.get(c.kind, 0) + 1
        return counts


def read_snapshot(store: ox.Store) -> Snapshot:
    """The entities, sources, tracked values, decisions and disputes of a store."""
    entities: dict[str, set[str]] = {}
    for s, c in select(store, f"SELECT ?s ?c WHERE {{ GRAPH ?g {{ ?s a ?c }} {_NOT_FACTS} FILTER(isIRI(?s)) }}"):
        if c.value != CART + "Claim":
            entities.setdefault(s.value, set()).add(c.value)
    sources = {row[0].value for row in select(store, "SELECT DISTINCT ?s WHERE { ?s a cart:Source }")}
    values: dict[tuple[str, str], set[str]] = {}  # (subject, property) -> objects in N-Triples form
    props = " ".join(f"<{p}>" for p in TRACKED)
    tracked = f"SELECT ?s ?p ?o WHERE {{ VALUES ?p {{ {props} }} GRAPH ?g {{ ?s ?p ?o }} {_NOT_FACTS} }}"
    for s, p, o in select(store, tracked):
        values.setdefault((s.value, p.value), set()).add(str(o))
    group = {t.value: g.value for t, g in select(store, DECISION_GROUPS)}
    decisions = {d.value: (t.value, group.get(t.value, "decision")) for d, t in select(store, """
        SELECT ?d ?t WHERE { ?d a cart:RegulatoryDecision ; cart:decisionType ?t }""")}
    disputes = {}
    for c, s, p, o, src, why in select(store, """
            SELECT ?c ?s ?p ?o ?src ?why WHERE { ?c cart:rank cart:DeprecatedRank ; cart:deprecationReason ?why ;
              rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; cart:statedIn ?src }"""):
        if why.value in DISPUTE_REASONS:
            disputes[c.value] = (s, p, o, src.value)
    return Snapshot(entities, sources, values, decisions, disputes)


def compare(old: Snapshot, new: Snapshot) -> list[Change]:
    """The changes from `old` to `new`, without their sources yet."""
    changes: list[Change] = []
    a = f"<{RDF_TYPE}>"
    for e in sorted(new.entities.keys() - old.entities.keys()):
        cls = sorted(new.entities[e])[0]
        triple = (f"<{e}>", a, f"<{cls}>")
        if e in new.sources:
            changes.append(Change("source-added", e, after=cls, sources=(e,), triple=triple))
        elif e in new.decisions:
            kind, grade = new.decisions[e]
            changes.append(Change(grade, e, after=kind, triple=(f"<{e}>", f"<{CART}decisionType>", f"<{kind}>")))
        else:
            changes.append(Change("entity-added", e, after=cls, triple=triple))
    for e in sorted(old.entities.keys() - new.entities.keys()):
        cls = sorted(old.entities[e])[0]
        changes.append(Change("entity-removed", e, before=cls, triple=(f"<{e}>", a, f"<{cls}>"),
                              in_old=True))
    both = old.entities.keys() & new.entities.keys()
    for (s, p) in sorted(old.values.keys() | new.values.keys()):
        if s not in both:
            continue
        was, now = old.values.get((s, p), set()), new.values.get((s, p), set())
        if was == now:
            continue
        kind = TRACKED[p]
        before, after = _shown_values(was), _shown_values(now)
        if kind == "date":
            if not was or not now:
                continue  # a date first recorded or no longer recorded has not moved
            kind = "date-slipped" if max(map(_lexical, now)) > max(map(_lexical, was)) else "date-advanced"
        gone = not now
        triple = (f"<{s}>", f"<{p}>", min(was if gone else now))
        changes.append(Change(kind, s, before=before, after=after, triple=triple, in_old=gone))
    for c in sorted(new.disputes.keys() - old.disputes.keys()):
        subject, predicate, obj, src = new.disputes[c]
        changes.append(Change("dispute-opened", subject.value, after=_claim_text(predicate, obj), sources=(src,)))
    for c in sorted(old.disputes.keys() - new.disputes.keys()):
        subject, predicate, obj, src = old.disputes[c]
        changes.append(Change("dispute-resolved", subject.value, before=_claim_text(predicate, obj), sources=(src,)))
    return changes


def _shown_values(values: set[str]) -> str:
    return " / ".join(sorted(map(_lexical, values)))


def _lexical(nt: str) -> str:
    """The lexical form of a term in N-Triples form (an IRI's IRI)."""
    if nt.startswith("<"):
        return nt[1:-1]
    end = nt.rindex('"')
    return nt[1:end] if "\\" not in nt else json.loads(nt[:end + 1])


def _claim_text(p: Term, o: Term) -> str:
    return f"{p.value} {o.value}"


def _sources_of(store: ox.Store, triples: list[tuple], chunk: int = 400) -> dict[tuple, set[str]]:
    """(s, p, o) -> the sources that state it: the claims that are not deprecated, and the data files that hold it."""
    found: dict[tuple, set[str]] = {}
    is_data_file = f"?src != <{GRAPH_ACCEPTED}> && ?src != <{GRAPH_INFERRED}> && ?src != <{GRAPH_ONTOLOGY}>"
    for i in range(0, len(triples), chunk):
        part = triples[i:i + chunk]
        rows = " ".join(f"({s} {p} {o})" for s, p, o in part)
        for s, p, o, src in select(store, f"""
                SELECT ?s ?p ?o ?src WHERE {{ VALUES (?s ?p ?o) {{ {rows} }}
                  {{ ?c rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; cart:statedIn ?src ; cart:rank ?r
                     FILTER(?r != cart:DeprecatedRank) }}
                  UNION {{ GRAPH ?src {{ ?s ?p ?o }}
                           FILTER({is_data_file}) }} }}"""):
            found.setdefault((str(s), str(p), str(o)), set()).add(src.value)
    return found


def _names(store: ox.Store, iris: set[str], chunk: int = 500) -> tuple[dict[str, str], dict[str, str]]:
    """rdfs:label (or cart:title) and cart:url of each IRI that has them."""
    labels, urls = {}, {}
    ordered = sorted(iris)
    for i in range(0, len(ordered), chunk):
        values = " ".join(f"<{x}>" for x in ordered[i:i + chunk])
        for x, label, url in select(store, f"""SELECT ?x (MIN(STR(?l)) AS ?label) (MIN(STR(?u)) AS ?url) WHERE {{
                VALUES ?x {{ {values} }} OPTIONAL {{ ?x rdfs:label|cart:title ?l }} OPTIONAL {{ ?x cart:url ?u }}
              }} GROUP BY ?x"""):
            if label is not None:
                labels[x.value] = label.value
            if url is not None:
                urls[x.value] = url.value
    return labels, urls


def neighbourhood(stores: list[ox.Store], watched: set[str]) -> set[str]:
    """The watched entities and every entity one link from them, in either build (claims and classes left out)."""
    found = set(watched)
    ordered = sorted(watched)
    for store in stores:
        for i in range(0, len(ordered), 300):
            values = " ".join(f"<{x}>" for x in ordered[i:i + 300])
            for (x,) in select(store, f"""SELECT DISTINCT ?x WHERE {{ VALUES ?w {{ {values} }}
                    {{ ?x ?p ?w }} UNION {{ ?w ?p ?x FILTER(?p != rdf:type) }}
                    FILTER(isIRI(?x) && !STRSTARTS(STR(?x), "{CLAIM}")) }}"""):
                found.add(x.value)
    return found


def diff_stores(old: ox.Store, new: ox.Store, old_name: str, new_name: str,
                watched: set[str] | None = None) -> Report:
    """The typed changes from the store `old` to the store `new`, limited to `watched` and its neighbours if given."""
    changes = compare(*side_by_side(read_snapshot, [old, new]))
    if watched is not None:
        keep = neighbourhood([old, new], watched)
        changes = [c for c in changes if c.entity in keep]
    found_old, found_new = side_by_side(
        lambda side: _sources_of(side[0], [c.triple for c in changes if c.triple is not None and c.in_old == side[1]
                                           and not c.sources]), [(old, True), (new, False)])
    changes = [c if c.sources or c.triple is None else
               Change(c.kind, c.entity, c.before, c.after, tuple(sorted((found_old if c.in_old else found_new)
                                                                       .get(c.triple, ()))), c.triple, c.in_old)
               for c in changes]
    order = list(KINDS)
    changes.sort(key=lambda c: (order.index(c.kind), c.entity, c.before, c.after))
    iris = {c.entity for c in changes} | {s for c in changes for s in c.sources}
    iris |= {part for c in changes for v in (c.before, c.after) for part in v.split(" ", 1)
             if part.startswith(("http://", "https://")) and not any(ch in part for ch in ' <>"{}|^`\\')}
    labels, urls = _names(new, iris)
    old_labels, old_urls = _names(old, iris - labels.keys()) if iris - labels.keys() else ({}, {})
    return Report(old_name, new_name, changes, {**old_labels, **labels}, {**old_urls, **urls})
