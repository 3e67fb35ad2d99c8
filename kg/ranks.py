"""Ranks the seed tables' statements (preferred, normal, deprecated) and says why a statement is deprecated.

A statement is one row: one source's claim of one triple. Its rank comes from its status and from
the statements it cannot hold beside (a `not` row of the same triple, another value of a functional
property, a type disjoint with another type of the same entity):

- a judgement of the curation (a source of class cart:Curation) wins over any page;
- a preferred statement (status verified or partially_verified) wins over a normal one (reported);
- of two preferred statements, one from a record that a later version supersedes (cart:supersededBy),
  or, for a property that changes over time (cart:changesOverTime), from the older dated source,
  is superseded (with undated sources, or dates of which one falls inside the other's month or year,
  both stand, with a warning); else one from a primary page
  (verified) wins over a secondary one (partially_verified), which the contested-claim check
  reports; else both stand and the check reports an error at both rows;
- two normal statements that disagree both stay, marked contested;
- an unverified statement is deprecated whatever else holds.

Dates are compared at their precision: "2023-10" and "2023-10-15" agree. Of two such values of a
functional property, the more precise one is accepted and the other deprecated as refined, unless the
more precise one weighs less (a reported day against a verified month, or a secondary page's day
against a primary page's month), which is then a conflict as any other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from kg.errors import Problem
from kg.terms import Term
from kg.vocab import CART, OWL, RDF, RDF_TYPE

PREFERRED, NORMAL, DEPRECATED = CART + "PreferredRank", CART + "NormalRank", CART + "DeprecatedRank"
CONTRADICTED, REJECTED, UNVERIFIED, SUPERSEDED = (CART + "ContradictedByReference", CART + "RejectedByCuration",
                                                  CART + "UnverifiedClaim", CART + "Superseded")
REFINED = CART + "RefinedByMorePreciseDate"
RANK_OF_STATUS = {"verified": PREFERRED, "partially_verified": PREFERRED, "reported": NORMAL, "unverified": DEPRECATED}


@dataclass(eq=False, slots=True)
class Statement:
    """One row's claim, with the rank the rules give it."""

    file: str
    line: int
    subject: str
    predicate: str
    object: Term
    source: str
    status: str
    negated: bool
    claim: ox.NamedNode
    evidence: tuple[str, ...] = ()
    rank: str = ""
    reason: str = ""
    reason_text: str = ""
    contradicted_by: list[Statement] = field(default_factory=list)
    valid: tuple = (None, None)  # from and until (kg.dates.Dated, or None when open)
    period: Any = None  # a date object as its source gives it (kg.dates.Dated: a day, a month or a year)

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass
class Axioms:
    """What the ontology says about which statements cannot hold together."""

    functional: set[str]
    symmetric: set[str]
    changing: set[str]
    disjoint: set[tuple[str, str]]
    ancestors: _Memo

    @classmethod
    def read(cls, quads: list[ox.Quad], ancestors) -> Axioms:
        """From the ontology's quads; `ancestors(iri)` gives a class and every class above it."""
        functional, symmetric, changing, disjoint = set(), set(), set(), set()
        firsts: dict[Term, Term] = {}  # an RDF list's cells: node -> its item, node -> the next node
        rests: dict[Term, Term] = {}
        all_disjoint: list[Term] = []
        for q in quads:
            p, o = q.predicate.value, q.object
            if p == RDF_TYPE and o.value == OWL + "FunctionalProperty":
                functional.add(q.subject.value)
            elif p == RDF_TYPE and o.value == OWL + "SymmetricProperty":
                symmetric.add(q.subject.value)
            elif p == CART + "changesOverTime" and o.value in ("true", "1"):
                changing.add(q.subject.value)
            elif p == OWL + "disjointWith":
                disjoint |= {(q.subject.value, o.value), (o.value, q.subject.value)}
            elif p == RDF + "first":
                firsts[q.subject] = o
            elif p == RDF + "rest":
                rests[q.subject] = o
            elif p == OWL + "members" and any(
                    x.subject == q.subject and x.object.value == OWL + "AllDisjointClasses" for x in quads):
                all_disjoint.append(o)
        for head in all_disjoint:
            members, seen = [], set()
            node: Term | None = head
            while node is not None and node in firsts and node not in seen:
                seen.add(node)
                members.append(firsts[node].value)
                node = rests.get(node)
            disjoint |= {(a, b) for a in members for b in members if a != b}
        return cls(functional, symmetric, changing, disjoint, _Memo(ancestors))

    def disjoint_types(self, a: str, b: str) -> bool:
        if not self.disjoint:
            return False
        up_a, up_b = self.ancestors[a], self.ancestors[b]
        return any((x, y) in self.disjoint for x in up_a for y in up_b)


class _Memo(dict):
    def __init__(self, compute):
        super().__init__()
        self.compute = compute

    def __missing__(self, key):
        value = self[key] = self.compute(key)
        return value


def _value(term: Term) -> str:
    return term.value if isinstance(term, (ox.NamedNode, ox.Literal)) else str(term)


def rank(statements: list[Statement], axioms: Axioms, curation: set[str], dates: dict[str, str],
         supersedes: dict[str, set[str]], label) -> list[Problem]:
    """Give every statement its rank and, when deprecated, its reason; return the conflicts to report.

    `curation`: the curation's sources; `dates`: source -> its publication date; `supersedes`:
    source -> the later versions that supersede it (transitively); `label(iri)` names an IRI in messages.
    """
    for st in statements:
        st.rank = RANK_OF_STATUS.get(st.status, NORMAL)
        if st.source in curation:
            st.rank = PREFERRED
        if st.rank == DEPRECATED:
            st.reason = UNVERIFIED
            st.reason_text = ("status unverified: no usable source was found, "
                              "so the claim is recorded and never asserted")

    pairs = _conflicts(statements, axioms)
    refinements = [(a, b) for a, b in pairs if _refines(a, b) or _refines(b, a)]
    refined = set(refinements)  # statements hash by identity: a set, not a scan of the list per pair
    pairs = [ab for ab in pairs if ab not in refined]
    problems = _rank_pairs(pairs, axioms, curation, dates, supersedes, label)
    return problems + _settle_refinements(refinements, axioms, curation, dates, supersedes, label)


def _rank_pairs(pairs: list[tuple[Statement, Statement]], axioms: Axioms, curation: set[str], dates: dict[str, str],
                supersedes: dict[str, set[str]], label) -> list[Problem]:
    """Settle each pair of statements that cannot both hold, stage by stage; return the conflicts to report."""
    problems: list[Problem] = []
    # Curation first, so that a page it rejects contradicts nothing; then the preferred statements among
    # themselves, so that a normal one is only held against the preferred statements that stand.
    for stage in ("curation", "primary", "preferred", "normal"):
        for a, b in pairs:
            if a.rank == DEPRECATED and a.reason == UNVERIFIED or b.rank == DEPRECATED and b.reason == UNVERIFIED:
                continue
            a_cur, b_cur = a.source in curation, b.source in curation
            if stage == "curation":
                if a_cur and b_cur:
                    problems += _both_stand(a, b, "two judgements of the curation", label)
                elif a_cur or b_cur:
                    judge, judged = (a, b) if a_cur else (b, a)
                    _deprecate(judged, judge, REJECTED, label)
                continue
            if a_cur or b_cur:
                continue
            if DEPRECATED in (a.rank, b.rank):
                if stage == "normal" and {a.rank, b.rank} == {PREFERRED, DEPRECATED} \
                        and RANK_OF_STATUS.get((a if a.rank == DEPRECATED else b).status) == NORMAL:
                    _link(a, b)  # a claim that several reference rows contradict names each of them
                continue
            if stage in ("primary", "preferred") and a.rank == b.rank == PREFERRED:
                # A primary page settles its secondary ones first, so two secondary pages that disagree
                # with each other and with it are not reported as a conflict it has already decided.
                if stage == "primary" and {a.status, b.status} != {"verified", "partially_verified"}:
                    continue
                problems += _between_preferred(a, b, axioms, dates, supersedes, label)
            elif stage == "normal" and {a.rank, b.rank} == {PREFERRED, NORMAL}:
                winner, loser = (a, b) if a.rank == PREFERRED else (b, a)
                _deprecate(loser, winner, CONTRADICTED, label)
            elif stage == "normal" and a.rank == b.rank == NORMAL:
                _link(a, b)
    return problems


def _refines(fine: Statement, coarse: Statement) -> bool:
    """Whether `fine` gives a date inside the period `coarse` gives at a lower precision (2023-10-15 in 2023-10)."""
    f, c = fine.period, coarse.period
    return (f is not None and c is not None and not fine.negated and not coarse.negated
            and f.precision != c.precision and c.start <= f.start and f.end <= c.end)


_ORDER = {PREFERRED: 2, NORMAL: 1, DEPRECATED: 0}


def _strength(st: Statement, curation: set[str]) -> tuple[int, int]:
    """How much a statement weighs: its rank, then a primary page or the curation over a secondary page."""
    return _ORDER[st.rank], int(st.status == "verified" or st.source in curation)


def _settle_refinements(refinements: list[tuple[Statement, Statement]], axioms: Axioms, curation: set[str],
                        dates: dict[str, str], supersedes: dict[str, set[str]], label) -> list[Problem]:
    """The less precise of two agreeing dates is deprecated as refined; a more precise one that weighs less
    than the date it refines (a secondary page's day inside a primary page's month) is held against it as
    any other value would be."""
    conflicts = []
    for a, b in refinements:
        fine, coarse = (a, b) if _refines(a, b) else (b, a)
        if DEPRECATED in (fine.rank, coarse.rank):
            continue
        if _strength(fine, curation) >= _strength(coarse, curation):
            # Not linked as contradicting each other: the two agree, and neither is contested.
            coarse.rank, coarse.reason = DEPRECATED, REFINED
            coarse.reason_text = (f"refined: {_says(fine, label)}, which agrees with {coarse.period.text} and gives "
                                  f"the date at {fine.period.precision} precision")
        else:
            conflicts.append((a, b))
    if not conflicts:
        return []
    return _rank_pairs(conflicts, axioms, curation, dates, supersedes, label)


def _conflicts(statements: list[Statement], axioms: Axioms) -> list[tuple[Statement, Statement]]:
    """Every pair of statements that cannot both hold, each pair once, in row order."""
    by_triple: dict[tuple, list[Statement]] = {}
    by_property: dict[tuple[str, str], list[Statement]] = {}
    types: dict[str, list[Statement]] = {}
    for st in statements:
        ends = (st.subject, _value(st.object))
        if st.predicate in axioms.symmetric and isinstance(st.object, ox.NamedNode):
            ends = (min(ends), max(ends))  # a symmetric link denied one way round is denied the other way too
        by_triple.setdefault((ends[0], st.predicate, ends[1]), []).append(st)
        if st.negated:
            continue
        if st.predicate in axioms.functional:
            by_property.setdefault((st.subject, st.predicate), []).append(st)
        if st.predicate == RDF_TYPE and axioms.disjoint:
            types.setdefault(st.subject, []).append(st)
    pairs = []
    for group in by_triple.values():
        yes, no = [s for s in group if not s.negated], [s for s in group if s.negated]
        pairs += [(a, b) for a in yes for b in no]
    for group in by_property.values():
        pairs += [(a, b) for i, a in enumerate(group) for b in group[i + 1:]
                  if _value(a.object) != _value(b.object) and _overlap(a, b)]
    for group in types.values():
        pairs += [(a, b) for i, a in enumerate(group) for b in group[i + 1:]
                  if axioms.disjoint_types(a.object.value, b.object.value)]
    return sorted(pairs, key=lambda ab: (ab[0].file, ab[0].line, ab[1].file, ab[1].line))


def _overlap(a: Statement, b: Statement) -> bool:
    """Whether two statements can hold at one time: two values of a functional property at different times agree."""
    (a_from, a_until), (b_from, b_until) = a.valid, b.valid
    if a_until and b_from and a_until.end < b_from.start:
        return False
    if b_until and a_from and b_until.end < a_from.start:
        return False
    return True


def _link(a: Statement, b: Statement) -> None:
    if b not in a.contradicted_by:
        a.contradicted_by.append(b)
    if a not in b.contradicted_by:
        b.contradicted_by.append(a)


def _says(st: Statement, label) -> str:
    if st.negated:
        what = f"{label(st.subject)} {label(st.predicate)} {_shown(st.object, label)} does not hold"
    else:
        what = f"{label(st.predicate)} is {_shown(st.object, label)}"
    return f"{label(st.source)} ({st.where}) says {what}"


def _shown(term: Term, label) -> str:
    return label(term.value) if isinstance(term, ox.NamedNode) else repr(term.value)


def _deprecate(loser: Statement, winner: Statement, reason: str, label) -> None:
    _link(loser, winner)
    if loser.rank == DEPRECATED:
        return
    loser.rank, loser.reason = DEPRECATED, reason
    if reason == REJECTED:
        evidence = ", ".join(label(e) for e in winner.evidence)
        judged = "is not" if winner.negated else "is"
        loser.reason_text = (f"rejected by curation ({winner.where}), having consulted {evidence}: "
                             f"{label(winner.predicate)} {judged} {_shown(winner.object, label)}")
    elif reason == SUPERSEDED:
        loser.reason_text = f"superseded: {_says(winner, label)}"
    else:
        loser.reason_text = f"contradicted by reference data: {_says(winner, label)}"


def _between_preferred(a: Statement, b: Statement, axioms: Axioms, dates: dict[str, str],
                       supersedes: dict[str, set[str]], label) -> list[Problem]:
    if b.source in supersedes.get(a.source, ()):
        _deprecate(a, b, SUPERSEDED, label)
        return []
    if a.source in supersedes.get(b.source, ()):
        _deprecate(b, a, SUPERSEDED, label)
        return []
    da, db = dates.get(a.source, ""), dates.get(b.source, "")
    if a.predicate == b.predicate and a.predicate in axioms.changing and da and db and da != db \
            and not _dates_overlap(da, db) and not a.negated and not b.negated:
        older, newer = (a, b) if da < db else (b, a)
        _deprecate(older, newer, SUPERSEDED, label)
        return []
    if a.predicate == b.predicate and a.predicate in axioms.changing and not a.negated and not b.negated:
        # Both may have held, each at its time: with no dates to order them, neither is current.
        _link(a, b)
        why = _why_undecided(a, b, da, db, label)
        return [Problem(x.file, x.line, "warn", f"{_says(x, label)}; {_says(y, label)}: both may have held at their "
                        f"time, but {why}", "conflicting-statements") for x, y in ((a, b), (b, a))]
    if a.predicate == b.predicate == RDF_TYPE and not a.negated and not b.negated:
        _link(a, b)  # two curated types that are disjoint: the disjoint-types check reports both rows
        return []
    if {a.status, b.status} == {"verified", "partially_verified"}:
        primary, secondary = (a, b) if a.status == "verified" else (b, a)
        _deprecate(secondary, primary, CONTRADICTED, label)  # the contested-claim check reports it
        return []
    return _both_stand(a, b, "two preferred statements", label)


def _dates_overlap(da: str, db: str) -> bool:
    """Whether one source's date falls inside the other's period (2023-05-11 in 2023-05): neither is the later."""
    return da.startswith(db + "-") or db.startswith(da + "-")


def _why_undecided(a: Statement, b: Statement, da: str, db: str, label) -> str:
    """Why the dates of two sources do not say which of their values is current, and what would."""
    if a.source == b.source:
        return "one source gives both values, so which is current cannot be told"
    if da and da == db:
        return f"both sources are dated {da}, so which is current cannot be told"
    if da and db and _dates_overlap(da, db):
        return f"the sources' dates ({da}, {db}) overlap, so which is current cannot be told"
    undated = " and ".join(label(st.source) for st, date in ((a, da), (b, db)) if not date)
    return f"which is current cannot be told without the sources' dates (add cart:publishedOn to {undated})"


def _both_stand(a: Statement, b: Statement, what: str, label) -> list[Problem]:
    _link(a, b)
    return [Problem(x.file, x.line, "error",
                    f"{what} cannot both hold: {_says(x, label)}; {_says(y, label)} (resolve it with a judgement "
                    "in seeds/curation.tsv citing the pages consulted, or correct a row)", "conflicting-statements")
            for x, y in ((a, b), (b, a))]
