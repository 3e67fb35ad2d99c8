"""Checks each row's quote against its source: verbatim in the source's archived text, long enough to carry the fact.

A source whose text is archived in the project (cart:archivedText, e.g. seeds/texts/) needs a quote on
every fact it gives, found word for word in that text; any quote must be long enough, or name the value,
to support its fact. This module finds the declared sources and their archives, reads the archives once,
and checks one row's quote at a time.
"""

from __future__ import annotations

import re

import pyoxigraph as ox

from kg.errors import InputError, Problems
from kg.files import read_text
from kg.ontology import Ontology
from kg.paths import Paths
from kg.seeds.tables import Row
from kg.seeds.terms import Resolved, Resolver
from kg.terms import Term
from kg.vocab import CART, XSD

# A quote this short carries a fact only if it names the fact's value ("DM" for the synonym DM).
MIN_QUOTE = 8
_ALNUM = re.compile(r"[^0-9a-z]+")
NAMING = {"http://www.w3.org/2000/01/rdf-schema#label", "http://www.w3.org/2004/02/skos/core#altLabel",
          *(CART + n for n in ("innName", "brandName", "codeName", "acronym", "title", "geneSymbol", "hgncId",
                               "nctId", "chictrId", "mondoId"))}

# An archive's text; None: the archive is not a file inside the project; an InputError: it cannot be read.
Archive = str | None | InputError


def names_of(resolved: list[Resolved]) -> dict[str, set[str]]:
    """What each entity is called (lower case), for telling whether a quote names it."""
    names: dict[str, set[str]] = {}
    for r in resolved:
        if r.subject and r.predicate in NAMING and not r.negated and r.row.object:
            names.setdefault(r.subject, set()).add(r.row.object.lower())
    return names


def declared_sources(resolved: list[Resolved], typed: dict[str, set[str]], ontology: Ontology) -> dict[str, str]:
    """Every entity typed under cart:Source -> the path of its archived text ("" if none)."""
    sources = {s: "" for s, classes in typed.items()
               if any(ontology.is_subclass(c, CART + "Source") for c in classes)}
    for r in resolved:
        if r.subject and r.predicate == CART + "archivedText" and r.subject in sources:
            sources[r.subject] = r.row.object
    return sources


def read_archives(paths: Paths, sources: dict[str, str], problems: Problems) -> dict[str, Archive]:
    """The archived text of each source that has one; a text that cannot be read is reported once, here."""
    archived: dict[str, Archive] = {}
    by_path: dict[str, Archive] = {}  # one file archives every record of a registry snapshot: read it once
    for source, rel in sources.items():
        if rel:
            if rel not in by_path:
                by_path[rel] = _read_archive(paths, rel, problems)
            archived[source] = by_path[rel]
    return archived


def _read_archive(paths: Paths, rel: str, problems: Problems) -> Archive:
    target = (paths.root / rel).resolve()
    if paths.root.resolve() not in target.parents or not target.is_file():
        return None
    try:
        return read_text(target, rel)
    except InputError as exc:
        problems.items.extend(exc.problems)
        return exc


class Passages:
    """Finds quotes in archived texts, each first near where the last quote of its source was found.

    A source's rows quote a passage or a few near each other, in a text many sources may share (a
    monitor's table of registry records, one line a record): looked for from the start of the text
    every time, the curated rows' 2,787 quotes took 0.058 s, most of it in one 343 kB table, and take
    0.021 s this way. Where the quote is not near, the whole text is searched: the answer is the same.
    """

    NEAR = 4_096  # characters either side of the last quote found

    def __init__(self) -> None:
        self._last: dict[str, int] = {}

    def holds(self, source: str, quote: str, text: str) -> bool:
        """Whether `quote` occurs in `text`, the archive of `source`."""
        last = self._last.get(source)
        found = -1 if last is None else text.find(quote, max(0, last - self.NEAR), last + self.NEAR + len(quote))
        if found < 0:
            found = text.find(quote)
        if found >= 0:
            self._last[source] = found
        return found >= 0


def quote_holds(row: Row, subject: str, source: str, obj: Term, archived: dict[str, Archive],
                sources: dict[str, str], names: dict[str, set[str]], resolver: Resolver,
                passages: Passages) -> bool:
    """Whether the row's quote is found in its source's archive and carries its fact; False after reporting why.

    `passages`: one Passages for all the rows of a folder, to find their quotes faster.
    """
    problems = resolver.problems
    text = archived.get(source, "")
    if text is None:
        problems.add(row.file, row.line, "error",
                     f"archived text of {row.source} ({sources[source]}) is not a file inside the project", "quote")
        return False
    if isinstance(text, InputError):
        return False  # reported once, at the archive
    if text and subject != source:
        if not row.quote:
            problems.add(row.file, row.line, "error",
                         f"a fact from {row.source} needs its supporting quote (the source's text is archived)",
                         "quote")
            return False
        if not passages.holds(source, row.quote, text):
            problems.add(row.file, row.line, "error",
                         f"quote not found verbatim in {sources[source]}: {row.quote[:60]!r}", "quote")
            return False
    if row.quote and not carries(row.quote, obj, names):
        problems.add(row.file, row.line, "error", f"quote {row.quote!r} is too short to carry the fact: give the "
                     f"source's words that state it (at least {MIN_QUOTE} characters, or words naming "
                     f"{resolver.curie(obj.value) if isinstance(obj, ox.NamedNode) else repr(obj.value)})",
                     "quote-too-short")
        return False
    return True


def carries(quote: str, obj: Term, names: dict[str, set[str]]) -> bool:
    """Whether a quote is long enough, or names the value it supports, to carry a fact."""
    if len(quote.strip()) >= MIN_QUOTE:
        return True
    if isinstance(obj, ox.Literal):
        keys = {obj.value}
        if obj.datatype.value == XSD + "date":
            keys.add(obj.value[:7])  # a registry's month-precision date, "2025-08"
    else:
        keys = {obj.value.rsplit("#", 1)[-1].rsplit("/", 1)[-1]} | names.get(obj.value, set())
    # Compared on letters and digits only: a registry writes "PHASE1" for "Phase 1".
    text = _ALNUM.sub("", quote.lower())
    return any(k and k in text for k in (_ALNUM.sub("", key.lower()) for key in keys))
