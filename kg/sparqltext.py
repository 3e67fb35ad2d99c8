"""Reading SPARQL text: the `#+` header of .rq files, and refusing what a read-only query must not do."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from kg.errors import InputError, Problem
from kg.files import read_text

_TOKENS = re.compile(
    r'''(?P<comment>\#[^\n]*)
      |(?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^'\\]|\\.|'(?!''))*\'\'\'|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
      |(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
      |(?P<word>[?$]?[A-Za-z_][\w-]*(?::[\w.-]*)?|:[\w.-]*)
      |(?P<newline>\n)
      |(?P<other>.)''', re.X | re.S)

UPDATE_WORDS = {"INSERT", "DELETE", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "LOAD", "WITH"}


@dataclass
class Refusal:
    word: str
    line: int
    reason: str


def scan(text: str) -> list[tuple[str, str, int]]:
    """SPARQL tokens (kind, text, line), comments and strings kept whole so keywords inside them are ignored."""
    tokens = []
    line = 1
    for m in _TOKENS.finditer(text):
        kind = m.lastgroup or "other"
        value = m.group()
        if kind != "newline" and kind != "other" or value.strip():
            tokens.append((kind, value, line))
        line += value.count("\n")
    return tokens


def refusals(text: str, allow_from: bool = False) -> list[Refusal]:
    """Why a query text may not run: updates, SERVICE, LOAD, FROM <http...> (datasets from elsewhere)."""
    found = []
    tokens = [t for t in scan(text) if t[0] not in ("comment", "newline")]
    for i, (kind, value, line) in enumerate(tokens):
        if kind != "word" or value[0] in "?$" or ":" in value:
            continue
        word = value.upper()
        if word == "SERVICE":
            found.append(Refusal(word, line, "SERVICE (federated query) is refused: queries run on this graph only"))
        elif word in UPDATE_WORDS:
            found.append(Refusal(word, line, f"{word} is an update; queries here are read-only"))
        elif word == "FROM" and not allow_from:
            nxt = tokens[i + 1][1] if i + 1 < len(tokens) else ""
            if nxt.upper() == "NAMED":
                nxt = tokens[i + 2][1] if i + 2 < len(tokens) else ""
            found.append(Refusal(word, line, f"FROM {nxt} is refused (no dataset from elsewhere); use GRAPH <iri> {{ ... }} instead"))
    return found


@dataclass
class Param:
    """A query parameter: the `?_name` variable, its type and default."""

    name: str
    type: str = "string"
    default: object = None
    description: str = ""
    required: bool = False
    cls: str = ""  # for entity parameters: the class (CURIE or IRI) a name is looked up in
    line: int = 0  # the header line that declares the parameter


@dataclass
class RqFile:
    """A SPARQL file with its `#+` header."""

    path: Path
    shown: str
    name: str
    text: str
    header: dict
    header_lines: int
    params: dict[str, Param] = field(default_factory=dict)

    @property
    def summary(self) -> str:
        return str(self.header.get("summary", "")).strip()

    @property
    def description(self) -> str:
        return str(self.header.get("description", "")).strip()

    @property
    def tags(self) -> list[str]:
        return [str(t) for t in self.header.get("tags", []) or []]


class _HeaderLoader(yaml.SafeLoader):
    """YAML for `#+` headers, with dates left as text: a parameter's type says how to read its default."""


_HeaderLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


PARAM_TYPES = ("iri", "entity", "string", "integer", "decimal", "date", "boolean")
PARAM_KEYS = ("type", "default", "description", "class")


def read_rq(path: Path, shown: str, known_keys: set[str]) -> RqFile:
    """Read an .rq file: parse its `#+` header (YAML), refuse unsafe SPARQL; errors name the file and line."""
    text = read_text(path, shown)
    lines = text.split("\n")
    header_lines = []
    first = None
    for number, line in enumerate(lines, start=1):
        if line.startswith("#+"):
            first = first or number
            header_lines.append(line[2:].removeprefix(" "))
        elif header_lines and line.strip() and not line.startswith("#"):
            break
    try:
        header = yaml.load("\n".join(header_lines), Loader=_HeaderLoader) if header_lines else {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = (first or 1) + (mark.line if mark else 0)
        problem = getattr(exc, "problem", None) or str(exc).split("\n")[0]
        raise InputError([Problem(shown, line, "error", f"#+ header is not valid YAML: {problem}", "query-header")])
    if header is None:
        header = {}
    if not isinstance(header, dict):
        raise InputError([Problem(shown, first or 1, "error", "#+ header must be `key: value` lines", "query-header")])
    unknown = set(header) - known_keys
    if unknown:
        key = sorted(unknown)[0]
        line = next((first + i for i, l in enumerate(header_lines) if l.startswith(f"{key}:")), first or 1)
        raise InputError([Problem(shown, line, "error",
                                  f"unknown #+ header key {key!r} (known: {', '.join(sorted(known_keys))})", "query-header")])
    refused = refusals(text)
    if refused:
        r = refused[0]
        raise InputError([Problem(shown, r.line, "error", r.reason, "unsafe-query")])
    params: dict[str, Param] = {}
    raw_params = header.get("params") or {}
    if not isinstance(raw_params, dict):
        raise InputError([Problem(shown, first or 1, "error", "#+ params must map each name to {type, default, description}", "query-header")])
    words = {value for kind, value, _ in scan(text) if kind == "word"}
    for pname, spec in raw_params.items():
        line = next((first + i for i, l in enumerate(header_lines)
                     if re.match(rf"\s+{re.escape(str(pname))}\s*:", l)), first or 1)
        spec = spec if isinstance(spec, dict) else {"type": spec}
        unknown_keys = sorted(set(map(str, spec)) - set(PARAM_KEYS))
        if unknown_keys:
            raise InputError([Problem(shown, line, "error",
                                      f"parameter {pname!r} has unknown key {unknown_keys[0]!r} (known: {', '.join(PARAM_KEYS)})",
                                      "query-header")])
        ptype = str(spec.get("type", "string"))
        if ptype not in PARAM_TYPES:
            raise InputError([Problem(shown, line, "error",
                                      f"parameter {pname!r} has unknown type {ptype!r} (one of {', '.join(PARAM_TYPES)})", "query-header")])
        if f"?_{pname}" not in words and f"$_{pname}" not in words:
            raise InputError([Problem(shown, line, "error", f"parameter {pname!r} is not used as ?_{pname} in the query", "query-header")])
        params[str(pname)] = Param(name=str(pname), type=ptype, default=spec.get("default"),
                                   description=str(spec.get("description") or ""), required="default" not in spec,
                                   cls=str(spec.get("class") or ""), line=line)
    return RqFile(path=path, shown=shown, name=path.stem, text=text, header=header,
                  header_lines=len(header_lines), params=params)
