"""The graph's names for `kg import ctgov`: what the seed tables call each entity, and matching a record's names
to them.

Names are folded (case, accents, punctuation, company suffixes ignored) so a registry's spelling finds
the curated entity; the curated rows of single-valued trial properties are kept to check records against.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from kg import seeds
from kg.errors import InputError
from kg.paths import Paths
from kg.vocab import CART

TABLE_PREFIX = "ctgov-"
CURATED = ("verified", "partially_verified")
# The trial properties a registry gives one value of at a version: a curated row with another value
# makes the registry's row a claim (status reported) that the check registry-contradiction.rq reports.
SINGLE_VALUED = ("cart:phase", "cart:status", "cart:startDate", "cart:startDateType", "cart:primaryCompletionDate",
                 "cart:primaryCompletionDateType", "cart:completionDate", "cart:completionDateType",
                 "cart:enrollment", "cart:sponsoredBy", "cart:acronym", "cart:officialTitle")
_SUFFIX = re.compile(r"\b(inc|incorporated|ltd|limited|llc|gmbh|ag|sa|co|corp|corporation|plc|bv|nv)\b")


def normal(name: str) -> str:
    """A name folded for matching: case, accents, punctuation and spacing ignored."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def _org_key(name: str) -> str:
    return " ".join(_SUFFIX.sub(" ", normal(name)).split())


@dataclass
class Names:
    """What the seed tables call each entity, read once per import."""

    classes: dict[str, set[str]] = field(default_factory=dict)
    curated_types: set[str] = field(default_factory=set)  # ids typed outside the import tables
    names: dict[str, dict[str, set[str]]] = field(default_factory=dict)  # kind -> normal name -> ids
    mesh: dict[str, set[str]] = field(default_factory=dict)
    trials_by_nct: dict[str, set[str]] = field(default_factory=dict)
    unverified_nct: dict[str, set[str]] = field(default_factory=dict)
    labels: dict[str, set[str]] = field(default_factory=dict)  # normal label -> ids
    curated: dict[tuple[str, str], list[seeds.Row]] = field(default_factory=dict)
    versions: dict[str, dict[str, str]] = field(default_factory=dict)  # nct -> source -> table holding it
    downloaded: dict[str, str] = field(default_factory=dict)  # source -> its url row's note
    superseded: set[tuple[str, str, str]] = field(default_factory=set)  # (older, newer, table)
    matched: dict[tuple[str, str, bool], list[str]] = field(default_factory=dict)  # match()'s answers, kept

    def kind_of(self, entity: str, ontology) -> set[str]:
        """What the importer matches the entity as: disease, therapy, company, institution, trial."""
        kinds = set()
        for cls in self.classes.get(entity, ()):
            iri = CART + cls[5:] if cls.startswith("cart:") else cls
            for kind, top in (("disease", "Disease"), ("therapy", "Therapy"), ("company", "Company"),
                              ("institution", "AcademicInstitution"), ("trial", "Trial")):
                if ontology.is_subclass(iri, CART + top):
                    kinds.add(kind)
        return kinds


def read_tables(paths: Paths) -> dict[str, list[seeds.Row]]:
    """The rows of every statement table in seeds/, by the file's name as messages show it."""
    tables = {}
    for path in seeds.tables(paths):
        shown = paths.relative(path)
        table_rows, problems = seeds.read_table(path, shown)
        if problems:
            raise InputError(problems)
        tables[shown] = table_rows
    return tables


def read_names(paths: Paths, ontology, tables: dict[str, list[seeds.Row]] | None = None) -> Names:
    """Every name, synonym, code name and cross-reference the statement tables give an entity."""
    names = Names()
    rows = [row for table in (tables if tables is not None else read_tables(paths)).values() for row in table]
    named: list[tuple[str, str]] = []
    for row in rows:
        imported = Path(row.file).name.startswith(TABLE_PREFIX)
        if row.predicate == "a" and row.status != "unverified":
            names.classes.setdefault(row.subject, set()).add(row.object)
            if not imported:
                names.curated_types.add(row.subject)
            if row.object == "cart:RegistryRecord" and row.subject.startswith("src:ctgov-nct") and imported:
                nct = row.subject[len("src:ctgov-"):].split("-", 1)[0].upper()
                names.versions.setdefault(nct, {})[row.subject] = row.file
        elif row.predicate in ("rdfs:label", "skos:altLabel", "cart:codeName", "cart:innName", "cart:brandName",
                               "cart:acronym") and row.status != "unverified":
            named.append((row.subject, row.object))
            if row.predicate == "rdfs:label" and normal(row.object):
                names.labels.setdefault(normal(row.object), set()).add(row.subject)
        elif row.predicate == "cart:xref" and row.object.upper().startswith("MESH:"):
            names.mesh.setdefault(row.object.split(":", 1)[1].upper(), set()).add(row.subject)
        elif row.predicate == "cart:nctId":
            target = names.unverified_nct if row.status == "unverified" else names.trials_by_nct
            target.setdefault(row.object.upper(), set()).add(row.subject)
        elif row.predicate == "cart:url" and imported and row.subject.startswith("src:ctgov-"):
            names.downloaded[row.subject] = row.note
        elif row.predicate == "cart:supersededBy" and imported:
            names.superseded.add((row.subject, row.object, row.file))
        if not imported and row.status in CURATED and row.predicate in SINGLE_VALUED:
            names.curated.setdefault((row.subject, row.predicate), []).append(row)
    for entity, name in named:
        for kind in names.kind_of(entity, ontology):
            key = _org_key(name) if kind in ("company", "institution") else normal(name)
            if key:  # a name with no Latin letter or digit folds to nothing, which every such name would match
                names.names.setdefault(kind, {}).setdefault(key, set()).add(entity)
    return names


def match(names: Names, kind: str, text: str, contained: bool = False) -> list[str]:
    """The ids of `kind` whose name, synonym or code name is `text` (or, contained, a word run inside it)."""
    key = (kind, text, contained)
    if key not in names.matched:
        names.matched[key] = _match(names, kind, text, contained)
    return names.matched[key]


def _match(names: Names, kind: str, text: str, contained: bool) -> list[str]:
    table = names.names.get(kind, {})
    key = _org_key(text) if kind in ("company", "institution") else normal(text)
    if not key:
        return []
    found = table.get(key)
    if found:
        return sorted(found)
    if contained:
        padded = f" {key} "
        hits = {e for name, ids in table.items() if len(name) >= 5 and f" {name} " in padded for e in ids}
        return sorted(hits)
    return []


def slug(text: str) -> str:
    """The id slug of a name: lower case, hyphenated (`Kyverna Therapeutics` is kyverna-therapeutics)."""
    return "-".join(normal(text).split())
