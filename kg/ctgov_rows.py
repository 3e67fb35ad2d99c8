"""Turns one ClinicalTrials.gov study record into statement-table rows for `kg import ctgov`.

The record becomes a source (its version), the trial's facts cite it, and names the graph does not know
become candidates for a curator; a value a curated row contradicts is written with status reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from kg.ctgov_files import CtgovInputError, Study, registry_date, value_at
from kg.ctgov_names import SINGLE_VALUED, Names, match, normal, slug

STUDY_URL = "https://clinicaltrials.gov/study/"
PUBLISHER = "id:clinicaltrials-gov"
PHASE_WORDS = {"EARLY_PHASE1": "Early Phase 1", "PHASE1": "Phase 1", "PHASE2": "Phase 2", "PHASE3": "Phase 3",
               "PHASE4": "Phase 4"}
SPONSOR_CLASSES = {"INDUSTRY": "cart:Company", "OTHER": "cart:AcademicInstitution"}
_NCT = re.compile(r"^NCT\d{8}$")
QUOTE_MAX = 300
_IDENT = "protocolSection.identificationModule"
_STATUS = "protocolSection.statusModule"


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



_SPACES = re.compile(r"\s{2,}|[\t\n\r\f\v]")


def _clean(text) -> str:
    """One line of text: a tab or newline would break the table."""
    text = str(text)
    if _SPACES.search(text) or text != text.strip():
        return " ".join(text.split())
    return text


class _Rows:
    """The rows of one record version."""

    def __init__(self, source: str, names: Names, report: ImportReport) -> None:
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
    nct, version, version_raw = _identity(data, where)
    source = f"src:ctgov-{nct.lower()}-{version}"
    rows = _Rows(source, names, report)
    _source_rows(rows, study, nct, version, version_raw)
    trial = _trial_rows(rows, data, nct)
    _design_rows(rows, trial, data, where)
    _sponsor_rows(rows, trial, data, nct)
    _country_rows(rows, trial, data)
    _conditions(rows, trial, data, nct, names, report)
    _interventions(rows, trial, data, nct, names, report)
    return nct, source, rows


def _identity(data: dict, where: str) -> tuple[str, str, str]:
    """The record's NCT id and version date (as an xsd:date and as the registry wrote it); raises if either is
    missing."""
    nct = value_at(data, "protocolSection.identificationModule.nctId")
    if not isinstance(nct, str) or not nct:
        raise CtgovInputError(f"{where}.protocolSection.identificationModule.nctId: the study has no NCT id "
                              "(nothing written)")
    if not _NCT.match(nct):
        raise CtgovInputError(f"{where}.protocolSection.identificationModule.nctId: {nct!r} is not an NCT id "
                              "(NCT and 8 digits) (nothing written)")
    version_raw = value_at(data, f"{_STATUS}.lastUpdatePostDateStruct.date")
    if version_raw is None:
        raise CtgovInputError(f"{where}.{_STATUS}.lastUpdatePostDateStruct.date: missing; the record's version "
                              "date is needed (nothing written)")
    version, _ = registry_date(version_raw, f"{where}.{_STATUS}.lastUpdatePostDateStruct.date")
    return nct, version, version_raw


def _source_rows(rows: _Rows, study: Study, nct: str, version: str, version_raw: str) -> None:
    """The record as a source."""
    source, names = rows.source, rows.names
    brief = _clean(value_at(study.data, f"{_IDENT}.briefTitle") or "")
    label = f"ClinicalTrials.gov record {nct}, version of {version}"
    rows.add(source, "a", "cart:RegistryRecord")
    rows.add(source, "rdfs:label", label)
    rows.add(source, "cart:title", brief or label, brief, f"{_IDENT}.briefTitle" if brief else "")
    rows.add(source, "cart:url", STUDY_URL + nct, note=names.downloaded.get(source) or f"downloaded {study.downloaded}")
    rows.add(source, "cart:publishedOn", version, version_raw, f"{_STATUS}.lastUpdatePostDateStruct.date")
    rows.add(source, "cart:publisher", PUBLISHER)
    if PUBLISHER not in names.curated_types:
        rows.add(PUBLISHER, "a", "cart:Publisher")
        rows.add(PUBLISHER, "rdfs:label", "ClinicalTrials.gov")


def _trial_rows(rows: _Rows, data: dict, nct: str) -> str:
    """The trial: its id, and its label and titles unless a curated table already types it."""
    names, report = rows.names, rows.report
    brief = _clean(value_at(data, f"{_IDENT}.briefTitle") or "")
    acronym = _clean(value_at(data, f"{_IDENT}.acronym") or "")
    official = _clean(value_at(data, f"{_IDENT}.officialTitle") or "")
    trial, known = _trial_id(nct, names, report, acronym, f"{_IDENT}.nctId")
    rows.add(trial, "a", "cart:Trial", nct, f"{_IDENT}.nctId")
    if not known:
        title = acronym or brief or nct
        taken = names.labels.get(normal(title), set()) - {trial}
        if taken:
            title_path = f"{_IDENT}.acronym" if acronym else f"{_IDENT}.briefTitle"
            report.candidates.append(Candidate("trial", title, nct, title_path,
                                               f"already the label of {', '.join(sorted(taken))}: the same trial? "
                                               f"labelled {nct} meanwhile"))
            title = nct
        rows.add(trial, "rdfs:label", title, title, f"{_IDENT}.acronym" if title == acronym else
                 f"{_IDENT}.briefTitle" if title == brief else f"{_IDENT}.nctId")
    rows.add(trial, "cart:nctId", nct, nct, f"{_IDENT}.nctId")
    if acronym:
        rows.add(trial, "cart:acronym", acronym, acronym, f"{_IDENT}.acronym")
    if official:
        rows.add(trial, "cart:officialTitle", official, official, f"{_IDENT}.officialTitle")
    return trial


def _design_rows(rows: _Rows, trial: str, data: dict, where: str) -> None:
    """The trial's phase, status, dates and enrollment; raises on a value the registry does not write."""
    phases = value_at(data, "protocolSection.designModule.phases") or []
    if not isinstance(phases, list):
        raise CtgovInputError(f"{where}.protocolSection.designModule.phases: expected an array (nothing written)")
    phase = _phase(phases)
    if phase:
        rows.add(trial, "cart:phase", phase, ", ".join(phases), "protocolSection.designModule.phases")
    overall = value_at(data, f"{_STATUS}.overallStatus")
    if overall:
        rows.add(trial, "cart:status", overall, overall, f"{_STATUS}.overallStatus")
    for key, prop in (("startDateStruct", "startDate"), ("primaryCompletionDateStruct", "primaryCompletionDate"),
                      ("completionDateStruct", "completionDate")):
        raw = value_at(data, f"{_STATUS}.{key}.date")
        if raw is None:
            continue
        value, month_only = registry_date(raw, f"{where}.{_STATUS}.{key}.date")
        rows.add(trial, f"cart:{prop}", value, raw, f"{_STATUS}.{key}.date",
                 note="month precision" if month_only else "")
        kind = value_at(data, f"{_STATUS}.{key}.type")
        if kind:
            rows.add(trial, f"cart:{prop}Type", kind, kind, f"{_STATUS}.{key}.type")
    count = value_at(data, "protocolSection.designModule.enrollmentInfo.count")
    if count is not None:
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise CtgovInputError(f"{where}.protocolSection.designModule.enrollmentInfo.count: {count!r} is not a "
                                  "number of participants (nothing written)")
        kind = value_at(data, "protocolSection.designModule.enrollmentInfo.type")
        rows.add(trial, "cart:enrollment", str(count), str(count), "protocolSection.designModule.enrollmentInfo.count",
                 note=f"type {kind}" if kind else "")


def _sponsor_rows(rows: _Rows, trial: str, data: dict, nct: str) -> None:
    sponsors = "protocolSection.sponsorCollaboratorsModule"
    lead = value_at(data, f"{sponsors}.leadSponsor")
    if isinstance(lead, dict) and lead.get("name"):
        _organisation(rows, trial, "cart:sponsoredBy", lead, f"{sponsors}.leadSponsor", nct, rows.names, rows.report)
    for i, collaborator in enumerate(value_at(data, f"{sponsors}.collaborators") or []):
        if isinstance(collaborator, dict) and collaborator.get("name"):
            _organisation(rows, trial, "cart:collaborator", collaborator, f"{sponsors}.collaborators[{i}]", nct,
                          rows.names, rows.report)


def _country_rows(rows: _Rows, trial: str, data: dict) -> None:
    seen_countries: set[str] = set()
    for i, location in enumerate(value_at(data, "protocolSection.contactsLocationsModule.locations") or []):
        country = _clean(location.get("country") or "") if isinstance(location, dict) else ""
        if country and country not in seen_countries:
            seen_countries.add(country)
            rows.add(trial, "cart:country", country, country,
                     f"protocolSection.contactsLocationsModule.locations[{i}].country")


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
    for i, text in enumerate(value_at(data, "protocolSection.conditionsModule.conditions") or []):
        path = f"protocolSection.conditionsModule.conditions[{i}]"
        found = match(names, "disease", str(text))
        for disease in found:
            if disease not in matched:
                matched.add(disease)
                rows.add(trial, "cart:studiesCondition", disease, str(text), path)
        if not found:
            unmatched.append((_clean(text), path))
    by_mesh: list[str] = []
    for i, mesh in enumerate(value_at(data, "derivedSection.conditionBrowseModule.meshes") or []):
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
    for i, item in enumerate(value_at(data, "protocolSection.armsInterventionsModule.interventions") or []):
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
