"""Makes each resolved row into a claim (kg.ranks.Statement) and ranks the claims against each other.

A row becomes a claim only when every check on it passes, in this order: a known property, an object
of the property's kind, a declared source and a known status, a quote that holds (kg.seeds.quotes),
no earlier row of the same claim, no derived property, evidence where the curation judges, and dates
that leave the statement a time to hold. The first check that fails is reported at the row and the row
is left out. The claims are then ranked (kg.ranks) with the sources' dates and supersessions.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg import dates, ranks
from kg.errors import Problem, Problems
from kg.ontology import DATATYPE, OBJECT, Ontology, Property
from kg.seeds.quotes import Archive, Passages, quote_holds
from kg.seeds.tables import Row
from kg.seeds.terms import DATE, Resolved, Resolver, dated_literal, quiet_iri
from kg.terms import Term
from kg.vocab import CART, CLAIM, RDF_TYPE, XSD

# Derived at build time from the claims and the curation rows; a row may not state them.
DERIVED = {CART + name for name in ("rank", "deprecationReason", "reasonText", "contradictedBy", "contested",
                                    "evidence", "factRank", "factSources", "factQuotes", "factReason")}
STATUSES = {
    "verified": CART + "Verified",
    "partially_verified": CART + "PartiallyVerified",
    "unverified": CART + "Unverified",
    "reported": CART + "Reported",
}

# A claim's date qualifiers, each (predicate, object).
Qualified = list[tuple[ox.NamedNode, Term]]
# A claim's quote, note and date qualifiers, kept beside it for its N-Quads.
Note = tuple[str, str, Qualified]
# When a claim holds: from and until, each None when open.
Validity = tuple[dates.Dated | None, dates.Dated | None]


@dataclass
class Folder:
    """What the whole seed folder says that each row's claim is checked against."""

    resolver: Resolver
    sources: dict[str, str]
    archived: dict[str, Archive]
    names: dict[str, set[str]]
    said: dict[str, dates.Dated]
    curation: set[str]
    seen: dict[tuple, Row] = field(default_factory=dict)  # each claim's key -> the row that first made it
    nodes: dict[str, ox.NamedNode] = field(default_factory=dict)  # the objects' IRIs as nodes, each made once
    passages: Passages = field(default_factory=Passages)  # where the quotes were found in the archived texts


def claim_iri(subject: str, predicate: str, obj: Term, source: str, negated: bool) -> ox.NamedNode:
    """A stable IRI for one source's claim of one triple."""
    key = "\x1f".join([subject, predicate, str(obj), source, "not" if negated else ""])
    return ox.NamedNode(CLAIM + hashlib.sha1(key.encode("utf-8")).hexdigest()[:20])


def make_claims(resolved: list[Resolved], folder: Folder,
                each: Callable[[list[ranks.Statement], dict[ranks.Statement, Note]], None] | None = None,
                every: int = 2_000) -> tuple[list[ranks.Statement], dict[ranks.Statement, Note]]:
    """The claims of the rows that pass every check, each with its note; the others are reported.

    `each(claims, notes)`, if given, is called with the claims of each `every` rows in turn, as they are made.
    """
    statements: list[ranks.Statement] = []
    notes: dict[ranks.Statement, Note] = {}
    for start in range(0, len(resolved), every):
        made_here = len(statements)
        for r in resolved[start:start + every]:
            made = _claim(r, folder)
            if made:
                statements.append(made[0])
                notes[made[0]] = made[1]
        if each is not None and len(statements) > made_here:
            each(statements[made_here:], notes)
    return statements, notes


def _claim(r: Resolved, folder: Folder) -> tuple[ranks.Statement, Note] | None:
    """One row's claim and note, or None once the first problem with the row is reported."""
    row, s, p, resolver = r.row, r.subject, r.predicate, folder.resolver
    if not s or not p:
        return None
    prop = resolver.ontology.property(p)
    if not resolver.known_term(row, "property", p, prop, resolver.property_names):
        return None
    assert prop is not None  # known_term is False for an unknown property
    if not row.object:
        resolver.problems.add(row.file, row.line, "error", "object is empty", "syntax")
        return None
    obj = _object(r, prop, folder)
    if obj is None:
        return None
    stated = _source(row, folder)
    if stated is None:
        return None
    src_iri, status = stated
    if not quote_holds(row, s, src_iri, obj, folder.archived, folder.sources, folder.names, resolver,
                       folder.passages):
        return None
    if not _first_and_not_derived(row, (s, p, obj, src_iri, r.negated), folder):
        return None
    evidence = _evidence(row, resolver, folder.sources, src_iri in folder.curation and s != src_iri, resolver.problems)
    if evidence is None:
        return None
    datatype = prop.range if prop.kind == DATATYPE else None
    qualifiers = _qualifiers(row, datatype, folder.said.get(src_iri), resolver.problems)
    if qualifiers is None:
        return None
    qualified, valid, period = qualifiers
    statement = ranks.Statement(row.file, row.line, s, p, obj, src_iri, status, r.negated,
                                claim_iri(s, p, obj, src_iri, r.negated), evidence, valid=valid, period=period)
    return statement, (row.quote, row.note, qualified)


def _object(r: Resolved, prop: Property, folder: Folder) -> Term | None:
    """The row's object as an IRI (a class, for rdf:type) or a literal of the property's datatype; None if wrong."""
    row, resolver = r.row, folder.resolver
    if prop.kind == OBJECT:
        o_iri = r.object_iri if r.types_subject() else resolver.iri(row, row.object, "object")
        if not o_iri:
            return None
        obj = folder.nodes.get(o_iri)
        if obj is None:
            obj = folder.nodes[o_iri] = ox.NamedNode(o_iri)  # one node for each IRI: classes are on many rows
        cls = resolver.ontology.classes.get(o_iri)
        if r.predicate == RDF_TYPE and not resolver.known_term(row, "class", o_iri, cls, resolver.class_names):
            return None
        return obj
    datatype = prop.range if prop.kind == DATATYPE else None
    lit, why = dated_literal(row, datatype, folder.said.get(quiet_iri(row.source, resolver.prefixes)))
    if lit is None:
        resolver.problems.add(row.file, row.line, "error", f"wrong datatype for {resolver.curie(prop.iri)}: {why}",
                              "datatype")
    return lit


def _source(row: Row, folder: Folder) -> tuple[str, str] | None:
    """The row's source IRI (a declared source) and its status; None after reporting what is wrong."""
    problems = folder.resolver.problems
    if not row.source:
        problems.add(row.file, row.line, "error", "fact has no source (fill the source column)", "missing-source")
        return None
    src_iri = folder.resolver.iri(row, row.source, "source")
    if not src_iri:
        return None
    if src_iri not in folder.sources:
        problems.add(row.file, row.line, "error",
                     f"source {row.source} is not declared "
                     "(add it to seeds/sources.tsv with a class under cart:Source)",
                     "undefined-source")
        return None
    status = row.status or "reported"
    if status not in STATUSES:
        problems.add(row.file, row.line, "error",
                     f"status {status!r} is not one of {', '.join(STATUSES)}", "status")
        return None
    return src_iri, status


def _first_and_not_derived(row: Row, key: tuple, folder: Folder) -> bool:
    """False, after reporting it, when an earlier row made the same claim or the row states a derived property."""
    problems = folder.resolver.problems
    if key in folder.seen:
        problems.add(row.file, row.line, "error", "duplicate row (same subject, predicate, object and source as "
                     f"{folder.seen[key].file}:{folder.seen[key].line}): delete one", "duplicate")
        return False
    folder.seen[key] = row
    if key[1] in DERIVED:
        problems.add(row.file, row.line, "error", f"{folder.resolver.curie(key[1])} is derived at build time from the "
                     "claims and the curation rows; it is never typed in a seed table", "derived-property")
        return False
    return True


def _evidence(row: Row, resolver: Resolver, sources: dict[str, str], by_curation: bool,
              problems: Problems) -> tuple[str, ...] | None:
    """The pages a curation row cites; None (and a problem) when a row names none, or names evidence it may not."""
    cells = row.evidence.split()
    if not by_curation:
        if cells:
            problems.add(row.file, row.line, "error", "evidence is for the curation's judgements (a source of class "
                         "cart:Curation); a page's own row quotes the page instead", "evidence")
            return None
        return ()
    if not cells:
        problems.add(row.file, row.line, "error", "a judgement of the curation needs its evidence: the sources "
                     "consulted, as CURIEs in the evidence column", "evidence")
        return None
    found = []
    for cell in cells:
        iri = resolver.iri(row, cell, "evidence")
        if iri is None:
            return None
        if iri not in sources:
            problems.add(row.file, row.line, "error", f"evidence {cell} is not a declared source", "evidence")
            return None
        found.append(iri)
    return tuple(found)


def _qualifiers(row: Row, datatype: str | None, source_date: dates.Dated | None,
                problems: Problems) -> tuple[Qualified, Validity, dates.Dated | None] | None:
    """The claim's date qualifiers (the object's precision, from, until), its validity and its date object
    at its precision (for comparing dates: kg.ranks), or None and a problem."""
    qualified: Qualified = []
    period = None
    if datatype == XSD + "date":
        period = dates.parse(row.object, said=source_date)  # the object was checked as a date already
        if not DATE.match(row.object):
            qualified.append((ox.NamedNode(CART + "datePrecision"), ox.NamedNode(dates.PRECISIONS[period.precision])))
    if not row.valid_from and not row.valid_until:  # most rows
        return qualified, (None, None), period
    valid: list[dates.Dated | None] = []
    for column, prop, cell in (("from", "validFrom", row.valid_from), ("until", "validUntil", row.valid_until)):
        if not cell:
            valid.append(None)
            continue
        try:
            d = dates.parse(cell, said=source_date)
        except dates.DateError as exc:
            problems.add(row.file, row.line, "error", f"{column}: {exc}", "datatype")
            return None
        valid.append(d)
        first_day = ox.Literal(d.start.isoformat(), datatype=ox.NamedNode(XSD + "date"))
        qualified.append((ox.NamedNode(CART + prop), first_day))
        if d.precision != "day":
            qualified.append((ox.NamedNode(CART + prop + "Precision"), ox.NamedNode(dates.PRECISIONS[d.precision])))
    if valid[0] and valid[1] and valid[1].end < valid[0].start:
        problems.add(row.file, row.line, "error", f"until {valid[1].text} is before from {valid[0].text}: the "
                     "statement would hold at no time", "validity")
        return None
    return qualified, (valid[0], valid[1]), period


def said_on(resolved: list[Resolved]) -> dict[str, dates.Dated]:
    """Each source's publication date as its own rows give it, at its precision (for "this year" in its rows)."""
    said = {}
    for r in resolved:
        s, row = r.subject, r.row
        own_date = r.predicate == CART + "publishedOn" and not r.negated and row.status != "unverified"
        if s and own_date and s not in said:
            try:
                said[s] = dates.parse(row.object)
            except dates.DateError:
                pass  # reported at the row by the datatype check
    return said


def curation_of(typed: dict[str, set[str]], ontology: Ontology) -> set[str]:
    """The sources typed under cart:Curation: their rows are the curation's judgements."""
    return {s for s, classes in typed.items() if any(ontology.is_subclass(c, CART + "Curation") for c in classes)}


def rank(statements: list[ranks.Statement], ontology: Ontology, curation: set[str],
         resolver: Resolver) -> list[Problem]:
    """Rank the claims against each other (kg.ranks); the problems the ranking finds."""
    published, supersedes = _source_dates(statements), _superseding(statements)
    return ranks.rank(statements, ranks.Axioms.read(ontology.quads, ontology.ancestors), curation,
                      published, supersedes, resolver.curie)


def _source_dates(statements: list[ranks.Statement]) -> dict[str, str]:
    """Each source's publication date, as its own rows give it, at its precision (2023-05 for a month)."""
    published: dict[str, str] = {}
    for st in statements:
        if st.predicate == CART + "publishedOn" and not st.negated and st.rank != ranks.DEPRECATED:
            published.setdefault(st.subject, st.period.text if st.period is not None else st.object.value)
    return published


def _superseding(statements: list[ranks.Statement]) -> dict[str, set[str]]:
    """source -> every later version that supersedes it (cart:supersededBy, followed to its end)."""
    direct: dict[str, set[str]] = {}
    for st in statements:
        if st.predicate == CART + "supersededBy" and not st.negated:
            direct.setdefault(st.subject, set()).add(st.object.value)
    closed: dict[str, set[str]] = {}
    for start in direct:
        seen, todo = set(), list(direct[start])
        while todo:
            x = todo.pop()
            if x not in seen:
                seen.add(x)
                todo.extend(direct.get(x, ()))
        closed[start] = seen
    return closed
