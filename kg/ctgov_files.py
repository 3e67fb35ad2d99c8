"""Reads ClinicalTrials.gov API v2 files for `kg import ctgov`: which files, their study records, their dates.

A file is one study, a search page ({"studies": [...]}) or an export (an array); anything else, and any
record without what the import needs, is refused with one line naming the file and the JSON path.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

from kg.errors import InputError, KgError
from kg.files import read_text
from kg.paths import Paths

_REGISTRY_DATE = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")


class CtgovInputError(KgError):
    """A file the importer cannot use: one line naming the file and the JSON path; exit status 1."""

    exit_code = 1


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
        raise CtgovInputError(f"{shown}: line {exc.lineno} column {exc.colno}: malformed JSON: {exc.msg} "
                              "(nothing written)")
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


def value_at(data: dict, dotted: str):
    """The value at a dotted path of the record, or None where a key is missing."""
    node: object = data  # any JSON value on the way down
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
    raise CtgovInputError(f"{where}: {value!r} is not a date the registry writes (YYYY-MM-DD or YYYY-MM) "
                          "(nothing written)")
