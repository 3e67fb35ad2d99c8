"""Imports ClinicalTrials.gov API v2 study records as a statement table of their own in seeds/."""

from __future__ import annotations

import gc
import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

from kg import ontology as ontology_mod
from kg import seeds
from kg.errors import InputError, KgError
from kg.files import read_text, write_atomic
from kg.paths import Paths
from kg.vocab import CART

STUDY_URL = "https://clinicaltrials.gov/study/"
TABLE_PREFIX = "ctgov-"
PUBLISHER = "id:clinicaltrials-gov"
CURATED = ("verified", "partially_verified")
# The trial properties a registry gives one value of at a version: a curated row with another value
# makes the registry's row a claim (status reported) that the check registry-contradiction.rq reports.
SINGLE_VALUED = ("cart:phase", "cart:status", "cart:startDate", "cart:startDateType", "cart:primaryCompletionDate",
                 "cart:primaryCompletionDateType", "cart:completionDate", "cart:completionDateType",
                 "cart:enrollment", "cart:sponsoredBy", "cart:acronym", "cart:officialTitle")
PHASE_WORDS = {"EARLY_PHASE1": "Early Phase 1", "PHASE1": "Phase 1", "PHASE2": "Phase 2", "PHASE3": "Phase 3",
               "PHASE4": "Phase 4"}
SPONSOR_CLASSES = {"INDUSTRY": "cart:Company", "OTHER": "cart:AcademicInstitution"}
_NCT = re.compile(r"^NCT\d{8}$")
_REGISTRY_DATE = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")
_SUFFIX = re.compile(r"\b(inc|incorporated|ltd|limited|llc|gmbh|ag|sa|co|corp|corporation|plc|bv|nv)\b")
QUOTE_MAX = 300


class CtgovInputError(KgError):
    """A file the importer cannot use: one line naming the file and the JSON path; exit status 1."""

    exit_code = 1


@dataclass(frozen=True)
class Candidate:
    """A name in a record that matches nothing in the graph, left for a curator."""

    kind: str
    text: str
    nct_id: str
    path: str
    hint: str

    def line(self) -> str:
        return "\t".join([self.kind, self.text, self.nct_id, self.path, self.hint])


@dataclass(frozen=True)
class Contradiction:
    """A registry value that a curated row contradicts: written with status reported."""

    subject: str
    predicate: str
    value: str
    curated: str
    where: str


@dataclass
class ImportReport:
    """What one import did."""

    table: Path
    review: Path
    records: int = 0
    imported: list[str] = field(default_factory=list)
    elsewhere: dict[str, str] = field(default_factory=dict)
    rows: int = 0
    changed: bool = False
    candidates: list[Candidate] = field(default_factory=list)
    contradictions: list[Contradiction] = field(default_factory=list)


REVIEW_HEADER = "kind\ttext\tnct_id\tjson_path\thint"


# ---------------------------------------------------------------- reading the files


@dataclass
class Study:
    """One study record and where it was found."""

    data: dict
    file: str
    path: str  # JSON path of the study inside its file, e.g. $.studies[3]
    downloaded: str


def input_files(inputs: list[Path], paths: Paths) -> list[Path]:
    """The JSON files named, folders expanded to their *.json files in name order."""
    files: list[Path] = []
    for given in inputs:
        if given.is_dir():
            found = sorted(p for p in given.iterdir() if p.is_file() and p.suffix.lower() == ".json")
            if not found:
                raise CtgovInputError(f"{paths.relative(given)}: no .json files in this folder (nothing written)")
            files.extend(found)
        elif given.is_file():
            files.append(given)
        else:
            raise CtgovInputError(f"{paths.relative(given)}: no such file or folder (nothing written)")
    return files


def read_studies(path: Path, shown: str, downloaded: str | None) -> list[Study]:
    """The studies of one file: a study, a search page {"studies": [...]}, or an export (an array)."""
    try:
        text = read_text(path, shown)
    except InputError as exc:
        raise CtgovInputError(f"{shown}: {exc.problems[0].message} (nothing written)")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CtgovInputError(f"{shown}: line {exc.lineno} column {exc.colno}: malformed JSON: {exc.msg} (nothing written)")
    day = downloaded or datetime.fromtimestamp(path.stat().st_mtime, timezone.utc).date().isoformat()
    if isinstance(data, list):
        items = [(f"$[{i}]", s) for i, s in enumerate(data)]
    elif isinstance(data, dict) and "FullStudiesResponse" in data:
        raise CtgovInputError(f"{shown}: $.FullStudiesResponse: the retired API v1 format; download the records "
                              "again from the API v2 (https://clinicaltrials.gov/api/v2/studies) (nothing written)")
    elif isinstance(data, dict) and "studies" in data:
        if not isinstance(data["studies"], list):
            raise CtgovInputError(f"{shown}: $.studies: expected an array of studies (nothing written)")
        items = [(f"$.studies[{i}]", s) for i, s in enumerate(data["studies"])]
    elif isinstance(data, dict) and "protocolSection" in data:
        items = [("$", data)]
    else:
        raise CtgovInputError(f"{shown}: $: not a ClinicalTrials.gov API v2 study, search page or export "
                              "(no protocolSection or studies) (nothing written)")
    studies = []
    for where, study in items:
        if not isinstance(study, dict) or not isinstance(study.get("protocolSection"), dict):
            raise CtgovInputError(f"{shown}: {where}.protocolSection: missing; not an API v2 study (nothing written)")
        studies.append(Study(study, shown, where, day))
    return studies


def _get(data: dict, dotted: str):
    """The value at a dotted path of the record, or None where a key is missing."""
    node = data
    for key in dotted.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node


def registry_date(value, where: str) -> tuple[str, bool]:
    """A registry date (YYYY-MM-DD or YYYY-MM) as an xsd:date, and whether it had month precision only."""
    match = _REGISTRY_DATE.match(value) if isinstance(value, str) else None
    if match:
        year, month, day = match.groups()
        try:
            return date(int(year), int(month), int(day or 1)).isoformat(), day is None
        except ValueError:
            pass
    raise CtgovInputError(f"{where}: {value!r} is not a date the registry writes (YYYY-MM-DD or YYYY-MM) (nothing written)")


# ---------------------------------------------------------------- the graph's names, from the seed tables


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
            if row.predicate == "rdfs:label":
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


# ---------------------------------------------------------------- turning a record into rows


_SPACES = re.compile(r"\s{2,}|[\t\n\r\f\v]")


def _clean(text) -> str:
    """One line of text: a tab or newline would break the table."""
    text = str(text)
    if _SPACES.search(text) or text != text.strip():
        return " ".join(text.split())
    return text


class _Rows:
    """The rows of one record version."""

    def __init__(self, source: str, names: Names, report: ImportReport):
        self.source = source
        self.names = names
        self.report = report
        self.rows: list[list[str]] = []

    def add(self, subject: str, predicate: str, obj: str, quote: str = "", path: str = "",
            status: str = "verified", note: str = "") -> None:
        obj = _clean(obj)
        quote = _clean(quote)[:QUOTE_MAX].rstrip()
        if predicate in SINGLE_VALUED:
            curated = self.names.curated.get((subject, predicate), [])
            if curated and not any(_agrees(obj, row.object, predicate, note) for row in curated):
                status = "reported"
                first = min(curated, key=lambda r: (r.file, r.line))
                self.report.contradictions.append(Contradiction(subject, predicate, obj, first.object,
                                                                f"{first.file}:{first.line}"))
        self.rows.append([subject, predicate, obj, self.source, quote, status,
                          "; ".join(x for x in (path, note) if x)])


def _agrees(value: str, curated: str, predicate: str, note: str) -> bool:
    if value == curated:
        return True
    # A date the registry gives to the month is compared at that precision.
    return predicate.endswith("Date") and "month precision" in note and curated[:7] == value[:7]


def _phase(phases: list) -> str:
    words = [PHASE_WORDS[p] for p in phases if p in PHASE_WORDS]
    if not words:
        return ""
    if len(words) == 1:
        return words[0]
    return words[0] + "/" + "/".join(w.rsplit(" ", 1)[-1] for w in words[1:])


def record_rows(study: Study, names: Names, report: ImportReport) -> tuple[str, str, _Rows]:
    """The NCT id, the source and the rows of one study record; raises on a record it cannot read."""
    data, where = study.data, f"{study.file}: {study.path}"
    nct = _get(data, "protocolSection.identificationModule.nctId")
    if not isinstance(nct, str) or not nct:
        raise CtgovInputError(f"{where}.protocolSection.identificationModule.nctId: the study has no NCT id (nothing written)")
    if not _NCT.match(nct):
        raise CtgovInputError(f"{where}.protocolSection.identificationModule.nctId: {nct!r} is not an NCT id "
                              "(NCT and 8 digits) (nothing written)")
    status_path = "protocolSection.statusModule"
    version_raw = _get(data, f"{status_path}.lastUpdatePostDateStruct.date")
    if version_raw is None:
        raise CtgovInputError(f"{where}.{status_path}.lastUpdatePostDateStruct.date: missing; the record's version "
                              "date is needed (nothing written)")
    version, _ = registry_date(version_raw, f"{where}.{status_path}.lastUpdatePostDateStruct.date")
    source = f"src:ctgov-{nct.lower()}-{version}"
    rows = _Rows(source, names, report)
    ident = "protocolSection.identificationModule"
    brief = _clean(_get(data, f"{ident}.briefTitle") or "")
    acronym = _clean(_get(data, f"{ident}.acronym") or "")
    official = _clean(_get(data, f"{ident}.officialTitle") or "")

    # The record as a source.
    label = f"ClinicalTrials.gov record {nct}, version of {version}"
    rows.add(source, "a", "cart:RegistryRecord")
    rows.add(source, "rdfs:label", label)
    rows.add(source, "cart:title", brief or label, brief, f"{ident}.briefTitle" if brief else "")
    rows.add(source, "cart:url", STUDY_URL + nct, note=names.downloaded.get(source) or f"downloaded {study.downloaded}")
    rows.add(source, "cart:publishedOn", version, version_raw, f"{status_path}.lastUpdatePostDateStruct.date")
    rows.add(source, "cart:publisher", PUBLISHER)
    if PUBLISHER not in names.curated_types:
        rows.add(PUBLISHER, "a", "cart:Publisher")
        rows.add(PUBLISHER, "rdfs:label", "ClinicalTrials.gov")

    # The trial.
    trial, known = _trial_id(nct, names, report, acronym, f"{ident}.nctId")
    rows.add(trial, "a", "cart:Trial", nct, f"{ident}.nctId")
    if not known:
        title = acronym or brief or nct
        taken = names.labels.get(normal(title), set()) - {trial}
        if taken:
            report.candidates.append(Candidate("trial", title, nct, f"{ident}.acronym" if acronym else f"{ident}.briefTitle",
                                               f"already the label of {', '.join(sorted(taken))}: the same trial? "
                                               f"labelled {nct} meanwhile"))
            title = nct
        rows.add(trial, "rdfs:label", title, title, f"{ident}.acronym" if title == acronym else
                 f"{ident}.briefTitle" if title == brief else f"{ident}.nctId")
    rows.add(trial, "cart:nctId", nct, nct, f"{ident}.nctId")
    if acronym:
        rows.add(trial, "cart:acronym", acronym, acronym, f"{ident}.acronym")
    if official:
        rows.add(trial, "cart:officialTitle", official, official, f"{ident}.officialTitle")

    phases = _get(data, "protocolSection.designModule.phases") or []
    if not isinstance(phases, list):
        raise CtgovInputError(f"{where}.protocolSection.designModule.phases: expected an array (nothing written)")
    phase = _phase(phases)
    if phase:
        rows.add(trial, "cart:phase", phase, ", ".join(phases), "protocolSection.designModule.phases")
    overall = _get(data, f"{status_path}.overallStatus")
    if overall:
        rows.add(trial, "cart:status", overall, overall, f"{status_path}.overallStatus")
    for key, prop in (("startDateStruct", "startDate"), ("primaryCompletionDateStruct", "primaryCompletionDate"),
                      ("completionDateStruct", "completionDate")):
        raw = _get(data, f"{status_path}.{key}.date")
        if raw is None:
            continue
        value, month_only = registry_date(raw, f"{where}.{status_path}.{key}.date")
        rows.add(trial, f"cart:{prop}", value, raw, f"{status_path}.{key}.date",
                 note="month precision" if month_only else "")
        kind = _get(data, f"{status_path}.{key}.type")
        if kind:
            rows.add(trial, f"cart:{prop}Type", kind, kind, f"{status_path}.{key}.type")
    count = _get(data, "protocolSection.designModule.enrollmentInfo.count")
    if count is not None:
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise CtgovInputError(f"{where}.protocolSection.designModule.enrollmentInfo.count: {count!r} is not a "
                                  "number of participants (nothing written)")
        kind = _get(data, "protocolSection.designModule.enrollmentInfo.type")
        rows.add(trial, "cart:enrollment", str(count), str(count), "protocolSection.designModule.enrollmentInfo.count",
                 note=f"type {kind}" if kind else "")

    sponsors = "protocolSection.sponsorCollaboratorsModule"
    lead = _get(data, f"{sponsors}.leadSponsor")
    if isinstance(lead, dict) and lead.get("name"):
        _organisation(rows, trial, "cart:sponsoredBy", lead, f"{sponsors}.leadSponsor", nct, names, report)
    for i, collaborator in enumerate(_get(data, f"{sponsors}.collaborators") or []):
        if isinstance(collaborator, dict) and collaborator.get("name"):
            _organisation(rows, trial, "cart:collaborator", collaborator, f"{sponsors}.collaborators[{i}]", nct,
                          names, report)

    seen_countries: set[str] = set()
    for i, location in enumerate(_get(data, "protocolSection.contactsLocationsModule.locations") or []):
        country = _clean(location.get("country") or "") if isinstance(location, dict) else ""
        if country and country not in seen_countries:
            seen_countries.add(country)
            rows.add(trial, "cart:country", country, country,
                     f"protocolSection.contactsLocationsModule.locations[{i}].country")

    _conditions(rows, trial, data, nct, names, report)
    _interventions(rows, trial, data, nct, names, report)
    return nct, source, rows


def _trial_id(nct: str, names: Names, report: ImportReport, acronym: str, path: str) -> tuple[str, bool]:
    """The graph's trial with this NCT id, or id:nct… ; and whether a curated table types it."""
    found = sorted(names.trials_by_nct.get(nct, set()))
    own = f"id:{nct.lower()}"
    if len(found) == 1:
        return found[0], found[0] in names.curated_types
    if len(found) > 1:
        report.candidates.append(Candidate("trial", nct, nct, path, f"claimed by {', '.join(found)}: "
                                           f"imported as {own} until a curator decides"))
    else:
        unverified = sorted(names.unverified_nct.get(nct, set()))
        if unverified:
            report.candidates.append(Candidate("trial", nct, nct, path, f"an unverified row gives this NCT id to "
                                               f"{', '.join(unverified)}; imported as {own}"))
    return own, own in names.curated_types


def _organisation(rows: _Rows, trial: str, prop: str, org: dict, path: str, nct: str, names: Names,
                  report: ImportReport) -> None:
    name = _clean(org["name"])
    found = sorted(set(match(names, "company", name) + match(names, "institution", name)))
    cls = SPONSOR_CLASSES.get(str(org.get("class") or ""))
    entity = found[0] if len(found) == 1 else f"id:{slug(name)}"
    clash = names.classes.get(entity, set()) - {cls}
    kind = "sponsor" if prop == "cart:sponsoredBy" else "collaborator"
    if len(found) > 1:
        report.candidates.append(Candidate(kind, name, nct, f"{path}.name",
                                           f"several organisations have this name: {', '.join(found)}"))
        return
    if not found and (not cls or clash or not slug(name)):
        hint = (f"class {org.get('class')!r} is neither INDUSTRY nor OTHER: add the organisation by hand" if not cls
                else "no id can be made from this name (no Latin letters or digits): add the organisation by hand"
                if not slug(name) else f"{entity} is already a {', '.join(sorted(clash))}")
        report.candidates.append(Candidate(kind, name, nct, f"{path}.name", hint))
        return
    # An organisation only the import tables know is typed again by each record that names it,
    # from the record's own sponsor class; a curated one keeps its curated type.
    if entity not in names.curated_types and cls and not clash:
        rows.add(entity, "a", cls, str(org.get("class")), f"{path}.class")
        rows.add(entity, "rdfs:label", name, name, f"{path}.name")
    rows.add(trial, prop, entity, name, f"{path}.name")


def _conditions(rows: _Rows, trial: str, data: dict, nct: str, names: Names, report: ImportReport) -> None:
    matched: set[str] = set()
    unmatched: list[tuple[str, str]] = []
    for i, text in enumerate(_get(data, "protocolSection.conditionsModule.conditions") or []):
        path = f"protocolSection.conditionsModule.conditions[{i}]"
        found = match(names, "disease", str(text))
        for disease in found:
            if disease not in matched:
                matched.add(disease)
                rows.add(trial, "cart:studiesCondition", disease, str(text), path)
        if not found:
            unmatched.append((_clean(text), path))
    by_mesh: list[str] = []
    for i, mesh in enumerate(_get(data, "derivedSection.conditionBrowseModule.meshes") or []):
        if not isinstance(mesh, dict):
            continue
        for disease in sorted(names.mesh.get(str(mesh.get("id", "")).upper(), set())):
            by_mesh.append(disease)
            if disease not in matched:
                matched.add(disease)
                rows.add(trial, "cart:studiesCondition", disease, str(mesh.get("term", "")),
                         f"derivedSection.conditionBrowseModule.meshes[{i}].id", note=f"MeSH {mesh.get('id')}")
    for text, path in unmatched:
        hint = "no disease of the graph has this name or synonym"
        if by_mesh:
            hint += f"; the record's MeSH terms matched {', '.join(sorted(set(by_mesh)))}"
        report.candidates.append(Candidate("condition", text, nct, path, hint))


def _interventions(rows: _Rows, trial: str, data: dict, nct: str, names: Names, report: ImportReport) -> None:
    seen: set[str] = set()
    for i, item in enumerate(_get(data, "protocolSection.armsInterventionsModule.interventions") or []):
        if not isinstance(item, dict):
            continue
        path = f"protocolSection.armsInterventionsModule.interventions[{i}]"
        tried = [(str(item.get("name", "")), f"{path}.name")]
        tried += [(str(n), f"{path}.otherNames[{j}]") for j, n in enumerate(item.get("otherNames") or [])]
        found = []
        for text, where in tried:
            # The exact name first; then a therapy name inside it ("KYV-101 anti-CD19 CAR-T cell therapy").
            hits = match(names, "therapy", text) or match(names, "therapy", text, contained=True)
            for therapy in hits:
                found.append(therapy)
                if therapy not in seen:
                    seen.add(therapy)
                    rows.add(trial, "cart:evaluates", therapy, text, where)
        if not found and item.get("name"):
            kind = item.get("type") or ""
            report.candidates.append(Candidate("intervention", _clean(item["name"]), nct, f"{path}.name",
                                               f"{kind.lower() + ': ' if kind else ''}no therapy of the graph has "
                                               "this name, synonym or code name"))


# ---------------------------------------------------------------- the import


def table_for(paths: Paths, inputs: list[Path], name: str | None) -> Path:
    """seeds/ctgov-<name>.tsv, the name given or taken from the first input's file or folder name."""
    stem = name or (inputs[0].resolve().name if inputs else "import")
    stem = re.sub(r"\.json$", "", stem, flags=re.IGNORECASE)
    base = slug(stem)
    while base.startswith("ctgov-"):
        base = base[len("ctgov-"):]
    if not base:
        raise KgError(f"--name {name!r}: give a name of letters or digits")
    return paths.seeds / f"{TABLE_PREFIX}{base}.tsv"


def import_ctgov(paths: Paths, inputs: list[Path], name: str | None = None, downloaded: str | None = None) -> ImportReport:
    """Read the records, write their rows to seeds/ctgov-<name>.tsv and the candidates to the review file.

    Every file is read and every record checked before anything is written; the table is written
    only when its content changes, so importing the same records again leaves it byte-identical.
    """
    # Ten thousand records make millions of small objects (parsed JSON, rows): the cyclic collector
    # walked them again and again, a third of the time, though none of them is part of a cycle.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _import(paths, inputs, name, downloaded)
    finally:
        if collecting:
            gc.enable()


def _import(paths: Paths, inputs: list[Path], name: str | None, downloaded: str | None) -> ImportReport:
    if downloaded:
        try:
            date.fromisoformat(downloaded)
        except ValueError:
            raise KgError(f"--downloaded {downloaded!r}: expected a date, YYYY-MM-DD")
    paths.require(paths.seeds)
    table = table_for(paths, inputs, name)
    shown_table = paths.relative(table)
    report = ImportReport(table=table, review=paths.review / (table.stem + ".tsv"))
    files = input_files(inputs, paths)
    onto = ontology_mod.load(paths)
    tables = read_tables(paths)
    names = read_names(paths, onto, tables)
    generated: dict[str, list[list[str]]] = {}
    touched: dict[str, set[str]] = {}
    for path in files:
        # One file at a time, so only its records are held; rows are all kept until every record
        # has been read and checked, and nothing is written before that.
        for study in read_studies(path, paths.relative(path), downloaded):
            report.records += 1
            marks = len(report.candidates), len(report.contradictions)
            nct, source, rows = record_rows(study, names, report)
            holder = names.versions.get(nct, {}).get(source)
            if (holder and holder != shown_table) or source in generated:
                # Already in another import table, or twice in this import (pages overlap): its rows live there.
                if holder and holder != shown_table:
                    report.elsewhere[source] = holder
                del report.candidates[marks[0]:], report.contradictions[marks[1]:]
                continue
            generated[source] = rows.rows
            touched.setdefault(nct, set()).add(source)
    report.imported = sorted(generated)

    existing = [[r.subject, r.predicate, r.object, r.source, r.quote, r.status, r.note]
                for r in tables.get(shown_table, [])]
    touched_sources = {s for sources in touched.values() for s in sources}
    kept = [r for r in existing if r[3] not in touched_sources
            and not (r[1] == "cart:supersededBy" and _nct_of(r[0]) in touched)]
    superseded_elsewhere = {(old, new) for old, new, file in names.superseded if file != shown_table}
    chain_rows = []
    for nct, sources in touched.items():
        versions = sorted(set(names.versions.get(nct, {})) | sources)
        for older, newer in zip(versions, versions[1:]):
            if (older, newer) not in superseded_elsewhere:
                chain_rows.append([older, "cart:supersededBy", newer, older, "", "verified",
                                   "a later version of the same record"])
    all_rows = kept + [r for rows in generated.values() for r in rows] + chain_rows
    text = canonical_text(all_rows)
    report.rows = len(all_rows)
    before = table.read_bytes() if table.exists() else None
    if all_rows and text.encode("utf-8") != before:
        write_atomic(table, text)
        report.changed = True
    report.candidates = sorted(set(report.candidates), key=lambda c: (c.nct_id, c.kind, c.path, c.text))
    review = REVIEW_HEADER + "\n" + "".join(c.line() + "\n" for c in report.candidates)
    if report.candidates or report.review.exists():
        write_atomic(report.review, review)
    return report


def canonical_text(rows: list[list[str]]) -> str:
    """The table in the canonical form `kg fmt` writes (seeds.canonical), made from rows directly."""
    cells = []
    for row in rows:
        row = [c.strip() for c in row]
        while len(row) > 1 and row[-1] == "":
            row.pop()
        cells.append(row)
    cells.sort(key=lambda c: (c + [""] * 4)[:4] + c[4:])
    return "\n".join(["\t".join(seeds.HEADER)] + ["\t".join(c) for c in cells]) + "\n"


def _nct_of(source: str) -> str:
    return source[len("src:ctgov-"):].split("-", 1)[0].upper() if source.startswith("src:ctgov-") else ""
