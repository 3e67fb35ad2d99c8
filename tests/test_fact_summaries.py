"""The build sums up each triple's claims on one of them (cart:factRank and its siblings), and the
entity query that reads those summaries answers as grouping the claims at query time did."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.paths import Paths
from kg.store import open_store
from kg.vocab import SPARQL_PREFIXES

GROUPED = Path(__file__).parent / "data" / "queries" / "entity-grouped.rq"
CLAIMS = """SELECT ?c ?s ?p ?o ?src ?rank ?quote ?negated ?why ?fr ?fs ?fq ?fw ?fd ?precision WHERE {
  ?c a cart:Claim ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; cart:statedIn ?src ; cart:rank ?rank .
  OPTIONAL { ?c cart:quote ?quote } OPTIONAL { ?c cart:negated ?negated } OPTIONAL { ?c cart:reasonText ?why }
  OPTIONAL { ?c cart:factRank ?fr } OPTIONAL { ?c cart:factSources ?fs } OPTIONAL { ?c cart:factQuotes ?fq }
  OPTIONAL { ?c cart:factReason ?fw } OPTIONAL { ?c cart:factDate ?fd } OPTIONAL { ?c cart:datePrecision ?precision } }"""
DEPRECATED = "https://w3id.org/cartkg/ontology#DeprecatedRank"
MONTH = "https://w3id.org/cartkg/ontology#MonthPrecision"
PREFERRED = "https://w3id.org/cartkg/ontology#PreferredRank"


@pytest.fixture(scope="module")
def store(built: Paths) -> ox.Store:
    return open_store(built)


def rows(store: ox.Store, query: str, **bound) -> list[tuple]:
    answer = store.query(query, prefixes=SPARQL_PREFIXES, use_default_graph_as_union=True,
                         substitutions={ox.Variable(k): v for k, v in bound.items()} or None)
    names = answer.variables
    return [tuple(None if r[v] is None else r[v].value for v in names) for r in answer]


def test_each_group_of_claims_is_summed_up_once_with_every_source_and_its_words(store):
    groups: dict[tuple, list[tuple]] = defaultdict(list)
    for row in rows(store, CLAIMS):
        c, s, p, o, src, rank, quote, negated, why = row[:9]
        deprecated = rank == DEPRECATED
        if negated or (deprecated and not why):
            assert row[9] is None, f"{c} carries a summary but no group of its own"
            continue
        groups[(s, p, o, deprecated)].append(row)
    assert len(groups) > 5000
    for (_s, _p, _o, deprecated), claims in groups.items():
        carriers = [row for row in claims if row[9] is not None]
        assert len(carriers) == 1, f"{[row[0] for row in claims]}: {len(carriers)} claims carry the summary"
        fact_rank, sources, quotes, reason, as_given = carriers[0][9:14]
        # sources in text order, each once; their words in that order (a source's own in text order), each once
        said = sorted((row[4].replace("https://w3id.org/cartkg/id/source/", "src:"), row[6] or "") for row in claims)
        assert sources == " ".join(dict.fromkeys(name for name, _ in said))
        assert (quotes or "") == " | ".join(dict.fromkeys(words for _, words in said if words))
        if deprecated:
            assert fact_rank == "deprecated" and reason in {row[8] for row in claims}
        else:
            best = "preferred" if any(row[5] == PREFERRED for row in claims) else "normal"
            assert (fact_rank, reason) == (best, None)
        # A date fact none of whose claims gives the day: the date at the finest precision they give.
        precisions = {row[14] for row in claims}
        coarse = "" if deprecated or None in precisions else "MonthPrecision" if MONTH in precisions else "YearPrecision"
        assert as_given == {"": None, "MonthPrecision": _o[:7], "YearPrecision": _o[:4]}[coarse]


def test_the_rese_cel_developer_claims_are_summed_up_as_the_sources_say(store):
    # reference-autoimmune-programs.tsv:693 (verified) and news-000-rese-cel-autoimmune.tsv:92 say Cabaletta Bio
    # develops rese-cel; news-000:91 and news-biospace-rese-cel.tsv:5 say Bristol Myers Squibb, which the
    # curation rejects (curation.tsv:8)
    found = rows(store, """SELECT ?o ?fr ?fs ?fw WHERE { ?c rdf:subject id:rese-cel ; rdf:predicate cart:developedBy ;
                             rdf:object ?o ; cart:factRank ?fr ; cart:factSources ?fs . OPTIONAL { ?c cart:factReason ?fw } }""")
    by_developer = {o.rsplit("/", 1)[1]: (fr, set(fs.split()), fw) for o, fr, fs, fw in found}
    assert by_developer["cabaletta-bio"][:2] == ("preferred", {"src:scleroderma-news-rese-cel-study-enrolling",
                                                                "src:news-000-rese-cel-autoimmune"})
    rank, said, why = by_developer["bristol-myers-squibb"]
    assert (rank, said) == ("deprecated", {"src:news-000-rese-cel-autoimmune", "src:biospace-cabaletta-car-t-lupus-remissions"})
    assert why.startswith("rejected by curation (seeds/curation.tsv:8)")


def test_the_entity_query_answers_as_grouping_the_claims_at_query_time_did(store, built):
    """For every entity a deprecated claim or a fact of two or more sources is about, and every 25th other one."""
    reading = (built.queries / "entity.rq").read_text(encoding="utf-8")
    grouping = GROUPED.read_text(encoding="utf-8")
    disputed = {r[0] for r in rows(store, """SELECT DISTINCT ?e WHERE {
        { ?c cart:factRank "deprecated" } UNION { ?c cart:factSources ?s FILTER(CONTAINS(?s, " ")) }
        { ?c rdf:subject ?e } UNION { ?c rdf:object ?e FILTER(isIRI(?e)) } }""")}
    everyone = sorted(r[0] for r in rows(store, "SELECT DISTINCT ?e WHERE { ?e a ?class FILTER(isIRI(?e)) }"))
    entities = sorted(disputed | set(everyone[::25]))
    assert len(disputed) > 50
    for iri in entities:
        entity = ox.NamedNode(iri)
        assert rows(store, reading, _name=entity) == rows(store, grouping, _name=entity), iri


@pytest.mark.parametrize("every", [1, 2_000, 10**9], ids=["each row", "2,000 rows", "all rows"])
def test_claims_said_as_read_then_ranked_write_the_same_quads_as_the_plain_order(every, monkeypatch):
    """The build loads what each claim says as its rows are read, in pieces of `every` rows, and what ranking
    gives the claims (their rank, why deprecated, what contests them, their facts' summaries) once all are
    ranked: the quads are the same, line for line, as those of the plain order, each claim whole at once."""
    from kg import ontology, seeds
    from kg.paths import Paths
    from kg.seeds import claims as claims_mod
    from kg.vocab import CLAIM, GRAPH_ACCEPTED

    paths = Paths.discover()
    onto = ontology.load(paths)

    def lines(chunks) -> list[bytes]:
        return sorted(line for chunk in chunks for line in chunk.splitlines())

    def claims(text: bytes) -> int:
        return text.count(b"<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/cartkg/ontology#Claim>")

    class Said:
        def __init__(self):
            self.rows, self.pieces, self.counts = 0, [], []

        def begin(self, rdf_files, rows):
            self.rows = rows

        def add(self, text, made):
            self.pieces.append(text)
            self.counts.append(made)

    seed = seeds.load(paths, onto)
    statements = len(seed.statements)
    plain = lines(seed.nquads())
    said = Said()
    make_claims = claims_mod.make_claims
    monkeypatch.setattr(claims_mod, "make_claims", lambda resolved, folder, each: make_claims(resolved, folder, each,
                                                                                             every=every))
    accepted, *pieces = seeds.load(paths, onto, said=said).ranked_nquads(pieces=3)
    ranked = b"".join(pieces)
    assert len(pieces) == 3 and all(b"#rank>" in piece for piece in pieces)
    assert lines([*said.pieces, accepted, ranked]) == plain
    assert said.rows >= statements and len(said.pieces) == min(-(-said.rows // every), statements)
    assert [claims(piece) for piece in said.pieces] == said.counts and sum(said.counts) == statements
    assert claims(ranked) == 0 and b"#rank>" not in b"".join(said.pieces)
    assert b"#factRank>" in ranked and ranked.count(b"#rank>") == statements
    assert all(line.startswith(b"<" + CLAIM.encode()) for text in (*said.pieces, ranked) for line in text.splitlines())
    assert all(line.endswith(f"<{GRAPH_ACCEPTED}> .".encode()) for line in accepted.splitlines())
