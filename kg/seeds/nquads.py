"""Writes the claims as N-Quads text: each claim in its source's graph, and the accepted facts once each.

Made as text a chunk at a time rather than as pyoxigraph quads: a few bytes a triple where Python term
objects take hundreds. kg.seeds.SeedData.nquads hands the chunks to the build, which loads them into
the store.
"""

from __future__ import annotations

import pyoxigraph as ox

from kg import ranks
from kg.seeds.claims import STATUSES, Note
from kg.vocab import CART, GRAPH_ACCEPTED, RDF, SRC, XSD

# A fact's summary, written on the first of its claims: (rank, sources, their words, the reason if deprecated,
# its date as its sources give it if only to the month or year: an N-Quads literal, else "").
Summary = tuple[str, str, str, str, str]
# The datatype of a date at each coarse precision (kg.dates.Dated.text writes it).
_AS_GIVEN = {"month": XSD + "gYearMonth", "year": XSD + "gYear"}


def fact_summaries(statements: list[ranks.Statement],
                   notes: dict[ranks.Statement, Note]) -> dict[ranks.Statement, Summary]:
    """Each triple's claims summed up once, keyed by the claim that carries the summary.

    A triple that is a fact: its claims that are not deprecated, ranked "preferred" if one of them is,
    else "normal". A triple no accepted claim states: its deprecated claims, ranked "deprecated", with
    the reason. Claims that a triple does not hold are left out of both. The sources are their `src:`
    names in text order, space separated; the words are each source's quotes in that order, each once,
    joined by " | "; the claim that carries it all is the first of the group by source and claim IRI.
    `kg query entity` reads these instead of grouping the claims at query time (queries/entity.rq).
    A fact whose object is a date that none of its claims gives to the day also carries that date as its
    sources give it (cart:factDate: "2020-12", the finest they give), which the canned queries show.
    """
    groups: dict[tuple, list[ranks.Statement]] = {}
    for st in statements:
        deprecated = st.rank == ranks.DEPRECATED
        # A claim that the triple does not hold is no source of it (and, standing, leaves it no fact).
        if st.negated or (deprecated and not st.reason_text):
            continue
        groups.setdefault((st.subject, st.predicate, st.object, deprecated), []).append(st)
    summaries: dict[ranks.Statement, Summary] = {}
    for (_s, _p, _o, deprecated), group in groups.items():
        if len(group) == 1:  # most facts (the curated seeds: 11.7k of 12.9k), summed up without sorting
            st = group[0]
            if deprecated:
                summaries[st] = ("deprecated", _said(st.source), notes[st][0] or "", st.reason_text, "")
            else:
                summaries[st] = ("preferred" if st.rank == ranks.PREFERRED else "normal", _said(st.source),
                                 notes[st][0] or "", "", _as_given(group))
            continue
        rows = sorted(((_said(st.source), notes[st][0] or "", st) for st in group), key=lambda row: row[:2])
        said = " ".join(dict.fromkeys(row[0] for row in rows))
        words = " | ".join(dict.fromkeys(row[1] for row in rows if row[1]))
        if deprecated:
            rank, reason, given = "deprecated", rows[0][2].reason_text, ""
        else:
            rank, reason = ("preferred" if any(st.rank == ranks.PREFERRED for st in group) else "normal"), ""
            given = _as_given(group)
        lead = min(group, key=lambda st: (st.source, st.claim.value))
        summaries[lead] = (rank, said, words, reason, given)
    return summaries


def _as_given(group: list[ranks.Statement]) -> str:
    """The claims' date at the finest precision any of them gives it, as an N-Quads literal, if that is a
    month or a year ("2020-12"^^xsd:gYearMonth); else "" (a day, or no date)."""
    if any(st.period is None for st in group):
        return ""
    precisions = {st.period.precision for st in group}
    if "day" in precisions:
        return ""
    finest = next(st.period for st in group if st.period.precision == ("month" if "month" in precisions else "year"))
    return f'"{finest.text}"^^<{_AS_GIVEN[finest.precision]}>'


def _said(source: str) -> str:
    return "src:" + source[len(SRC):] if source.startswith(SRC) else source


def claim_nquads(statements: list[ranks.Statement], notes: dict[ranks.Statement, Note],
                 summaries: dict[ranks.Statement, Summary] | None = None) -> bytes:
    """Each statement as a cart:Claim in its source's graph (the triple, quote, rank and why), as N-Quads:
    what it says (said_nquads), then what ranking gives it (ranked_nquads).

    A statement in `summaries` also carries its triple's summary (cart:factRank, cart:factSources,
    cart:factQuotes, cart:factReason, cart:factDate; see fact_summaries).
    """
    return said_nquads(statements, notes) + ranked_nquads(statements, summaries or {})


def said_nquads(statements: list[ranks.Statement], notes: dict[ranks.Statement, Note]) -> bytes:
    """What each statement's claim says, in its source's graph, as N-Quads: the triple, its source, status and
    seed row, its quote and note, whether it is negated, its evidence and date qualifiers. All of a claim
    but what ranking gives it (ranked_nquads), so made as the rows are read, before the claims are ranked.
    """
    rdf_type, rdf_s, rdf_p, rdf_o = (f"<{RDF}{n}>" for n in ("type", "subject", "predicate", "object"))
    c = {n: f"<{CART}{n}>" for n in ("Claim", "statedIn", "verification", "seedFile", "seedLine", "quote", "note",
                                     "negated", "evidence")}
    true = f'"true"^^<{XSD}boolean>'
    integer = f"^^<{XSD}integer>"
    statuses = {status: f"<{iri}>" for status, iri in STATUSES.items()}
    files: dict[str, str] = {}  # each seed file's name as a literal, made once
    lines: list[str] = []
    for st in statements:
        graph, claim = f"<{st.source}>", str(st.claim)
        quote, note, qualified = notes[st]
        end = f" {graph} .\n{claim} "  # one quad's end and the next one's subject
        file = files.get(st.file) or files.setdefault(st.file, str(ox.Literal(st.file)))
        # What every claim has, in one piece: the triple, its source, status and seed row.
        lines.append(f"{claim} {rdf_type} {c['Claim']}{end}{rdf_s} <{st.subject}>{end}{rdf_p} <{st.predicate}>{end}"
                     f"{rdf_o} {st.object}{end}{c['statedIn']} {graph}{end}{c['verification']} {statuses[st.status]}"
                     f"{end}{c['seedFile']} {file}{end}"
                     f'{c["seedLine"]} "{st.line}"{integer} {graph} .\n')

        def add(p: str, o: str, claim: str = claim, graph: str = graph) -> None:
            lines.append(f"{claim} {p} {o} {graph} .\n")

        if quote:
            add(c["quote"], str(ox.Literal(quote)))
        if note:
            add(c["note"], str(ox.Literal(note)))
        if st.negated:
            add(c["negated"], true)
        for e in st.evidence:
            add(c["evidence"], f"<{e}>")
        for rp, ro in qualified:
            add(str(rp), str(ro))
    return _utf8(lines)


def ranked_nquads(statements: list[ranks.Statement], summaries: dict[ranks.Statement, Summary]) -> bytes:
    """What ranking gives each statement's claim, in its source's graph, as N-Quads: its rank, why it is
    deprecated, the claims it contradicts, and the summary of its triple where it carries one (`summaries`)."""
    c = {n: f"<{CART}{n}>" for n in ("rank", "deprecationReason", "reasonText", "contested", "contradictedBy")}
    true = f'"true"^^<{XSD}boolean>'
    lines: list[str] = []
    for st in statements:
        graph, claim = f"<{st.source}>", str(st.claim)
        lines.append(f"{claim} {c['rank']} <{st.rank}> {graph} .\n")
        if st.reason:
            lines.append(f"{claim} {c['deprecationReason']} <{st.reason}> {graph} .\n")
            lines.append(f"{claim} {c['reasonText']} {ox.Literal(st.reason_text)} {graph} .\n")
        if st.contradicted_by:
            lines.append(f"{claim} {c['contested']} {true} {graph} .\n")
            for other in st.contradicted_by:
                lines.append(f"{claim} {c['contradictedBy']} {other.claim} {graph} .\n")
        if st in summaries:
            _add_summary(lines, claim, graph, summaries[st])
    return _utf8(lines)


def _add_summary(lines: list[str], claim: str, graph: str, summary: Summary) -> None:
    rank, said, words, reason, given = summary
    lines.append(f'{claim} <{CART}factRank> {ox.Literal(rank)} {graph} .\n')
    lines.append(f'{claim} <{CART}factSources> {ox.Literal(said)} {graph} .\n')
    if words:
        lines.append(f'{claim} <{CART}factQuotes> {ox.Literal(words)} {graph} .\n')
    if reason:
        lines.append(f'{claim} <{CART}factReason> {ox.Literal(reason)} {graph} .\n')
    if given:
        lines.append(f'{claim} <{CART}factDate> {given} {graph} .\n')


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
    return _utf8(lines)


def _utf8(lines: list[str]) -> bytes:
    """The lines as one UTF-8 text, each line encoded on its own: joined first, one quote's character
    beyond Latin-1 widens the whole text to two bytes a character before it is encoded (the curated
    claims' 41 MB: 0.106 -> 0.059 s)."""
    return b"".join([line.encode("utf-8") for line in lines])
