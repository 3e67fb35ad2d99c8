"""Reading SPARQL text: the `#+` header of .rq files, refusing what a read-only query must not do, the form and
prefixes of a query, and placing syntax errors."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from kg.errors import InputError, KgError, Problem
from kg.files import read_text
from kg.vocab import SPARQL_PREFIXES

_TOKENS = re.compile(
    r'''(?P<comment>\#[^\n]*)
      |(?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^'\\]|\\.|'(?!''))*\'\'\'|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
      |(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
      |(?P<word>[?$]?[A-Za-z_][\w-]*(?::[\w.-]*)?|:[\w.-]*)
      |(?P<newline>\n)
      |(?P<other>.)''', re.X | re.S)

FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
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
            reason = f"FROM {nxt} is refused (no dataset from elsewhere); use GRAPH <iri> {{ ... }} instead"
            found.append(Refusal(word, line, reason))
    return found


# ---------------------------------------------------------------- the form, prefixes and projection of a query

def query_form(sparql: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the form of a query, read past its prologue and comments."""
    for kind, value, _ in scan(sparql):
        if kind == "word" and value.upper() in FORMS:
            return value.upper()
    raise KgError("not a SPARQL query: no SELECT, ASK, CONSTRUCT or DESCRIBE found")


def tokens_at(sparql: str) -> list[tuple[str, str, int]]:
    """Tokens (kind, text, offset) outside comments; scan() skips only whitespace, so find() lands on each."""
    found, pos = [], 0
    for kind, value, _ in scan(sparql):
        at = sparql.find(value, pos)
        pos = at + len(value)
        if kind != "comment":
            found.append((kind, value, at))
    return found


def with_prefixes(sparql: str) -> str:
    """The query with the project's predeclared prefixes it does not declare itself, on its first line."""
    tokens = tokens_at(sparql)
    declared = {tokens[i + 1][1].split(":")[0] for i, (kind, value, _) in enumerate(tokens[:-1])
                if kind == "word" and value.upper() == "PREFIX"}
    # Same line as the query's first line, so the server's error positions match the file's lines.
    missing = "".join(f"PREFIX {p}: <{ns}> " for p, ns in SPARQL_PREFIXES.items() if p not in declared)
    return missing + sparql


def is_distinct(sparql: str) -> bool:
    """Whether the query's own (top-level) SELECT is SELECT DISTINCT."""
    tokens = [t for t in tokens_at(sparql) if t[0] == "word"]
    at = next((i for i, t in enumerate(tokens) if t[1].upper() == "SELECT"), None)
    return at is not None and at + 1 < len(tokens) and tokens[at + 1][1].upper() == "DISTINCT"


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


class _HeaderLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """YAML for `#+` headers, with dates left as text: a parameter's type says how to read its default.

    On libyaml's parser where PyYAML was built with it: the 16 checks are read in 6 ms, not 38.
    """


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
    for number, source_line in enumerate(lines, start=1):
        if source_line.startswith("#+"):
            first = first or number
            header_lines.append(source_line[2:].removeprefix(" "))
        elif header_lines and source_line.strip() and not source_line.startswith("#"):
            break
    start = first or 1  # the header's first line (line 1 when there is no header)
    try:
        header = yaml.load("\n".join(header_lines), Loader=_HeaderLoader) if header_lines else {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = start + (mark.line if mark else 0)
        problem = getattr(exc, "problem", None) or str(exc).split("\n")[0]
        raise InputError([Problem(shown, line, "error", f"#+ header is not valid YAML: {problem}", "query-header")])
    if header is None:
        header = {}
    if not isinstance(header, dict):
        raise InputError([Problem(shown, start, "error", "#+ header must be `key: value` lines", "query-header")])
    unknown = set(header) - known_keys
    if unknown:
        key = sorted(unknown)[0]
        line = next((start + i for i, header_line in enumerate(header_lines)
                     if header_line.startswith(f"{key}:")), start)
        message = f"unknown #+ header key {key!r} (known: {', '.join(sorted(known_keys))})"
        raise InputError([Problem(shown, line, "error", message, "query-header")])
    refused = refusals(text)
    if refused:
        r = refused[0]
        raise InputError([Problem(shown, r.line, "error", r.reason, "unsafe-query")])
    params = _read_params(header, header_lines, start, text, shown)
    return RqFile(path=path, shown=shown, name=path.stem, text=text, header=header,
                  header_lines=len(header_lines), params=params)


# ---------------------------------------------------------------- syntax errors at their line and column

_OPENERS = {"{": "}", "(": ")", "[": "]"}
_CLOSERS = {v: k for k, v in _OPENERS.items()}
_ORIGIN = re.compile(r"error at (\d+):(\d+): ?(.*)", re.S)

def _read_params(header: dict, header_lines: list[str], start: int, text: str, shown: str) -> dict[str, Param]:
    """The `#+ params` of a query header, each checked against the query text; errors name the file and line."""
    params: dict[str, Param] = {}
    raw_params = header.get("params") or {}
    if not isinstance(raw_params, dict):
        message = "#+ params must map each name to {type, default, description}"
        raise InputError([Problem(shown, start, "error", message, "query-header")])
    words = {value for kind, value, _ in scan(text) if kind == "word"}
    for pname, spec in raw_params.items():
        line = next((start + i for i, header_line in enumerate(header_lines)
                     if re.match(rf"\s+{re.escape(str(pname))}\s*:", header_line)), start)
        spec = spec if isinstance(spec, dict) else {"type": spec}
        unknown_keys = sorted(set(map(str, spec)) - set(PARAM_KEYS))
        if unknown_keys:
            message = f"parameter {pname!r} has unknown key {unknown_keys[0]!r} (known: {', '.join(PARAM_KEYS)})"
            raise InputError([Problem(shown, line, "error", message, "query-header")])
        ptype = str(spec.get("type", "string"))
        if ptype not in PARAM_TYPES:
            message = f"parameter {pname!r} has unknown type {ptype!r} (one of {', '.join(PARAM_TYPES)})"
            raise InputError([Problem(shown, line, "error", message, "query-header")])
        if f"?_{pname}" not in words and f"$_{pname}" not in words:
            message = f"parameter {pname!r} is not used as ?_{pname} in the query"
            raise InputError([Problem(shown, line, "error", message, "query-header")])
        params[str(pname)] = Param(name=str(pname), type=ptype, default=spec.get("default"),
                                   description=str(spec.get("description") or ""), required="default" not in spec,
                                   cls=str(spec.get("class") or ""), line=line)
    return params


def _positions(text: str):
    """Tokens (kind, text, line, column) without comments and whitespace; columns count characters from 1."""
    line, line_start = 1, 0
    for m in _TOKENS.finditer(text):
        kind, value = m.lastgroup or "other", m.group()
        if kind not in ("comment", "newline") and value.strip():
            yield kind, value, line, m.start() - line_start + 1
        if "\n" in value:
            line += value.count("\n")
            line_start = m.start() + value.rindex("\n") + 1


def _declared(text: str, prefixes: dict[str, str]) -> set[str]:
    tokens = list(_positions(text))
    own = {tokens[i + 1][1].split(":")[0] for i, t in enumerate(tokens[:-1])
           if t[0] == "word" and t[1].upper() == "PREFIX"}
    return set(prefixes) | own


def _unbalanced(text: str) -> tuple[int, int, str] | None:
    """The first bracket that closes nothing or is never closed, or a string never closed."""
    stack: list[tuple[str, int, int]] = []
    for kind, value, line, col in _positions(text):
        if kind != "other":
            continue
        if value in ('"', "'"):
            return line, col, f"this string ({value}) is never closed on its line"
        if value in _OPENERS:
            stack.append((value, line, col))
        elif value in _CLOSERS:
            if not stack:
                return line, col, f"`{value}` closes nothing"
            opener, oline, ocol = stack.pop()
            if _OPENERS[opener] != value:
                return line, col, f"`{value}` where `{_OPENERS[opener]}` should close the `{opener}` at {oline}:{ocol}"
    if stack:
        opener, line, col = stack[-1]
        return line, col, f"this `{opener}` is never closed (a `{_OPENERS[opener]}` is missing)"
    return None


def _expected(message: str) -> list[str]:
    """What Oxigraph's parser says it expected, without character classes: keywords and punctuation."""
    items = re.split(r",\s*", message.removeprefix("expected one of ").removeprefix("expected "))
    kept = []
    for item in items:
        item = item.strip()
        if re.fullmatch(r"[A-Z][A-Za-z]*", item) and item != "Prefix":
            kept.append(item)
        elif re.fullmatch(r'"[^"\s]{1,3}"', item):
            kept.append(f"`{item[1:-1]}`")
    return kept


def _rest_of_line(text: str, line: int, col: int) -> str:
    lines = text.split("\n")
    rest = lines[line - 1][col - 1:].strip() if line <= len(lines) else ""
    return rest[:40] + ("…" if len(rest) > 40 else "")


def _other_parser_position(text: str) -> tuple[int, int] | None:
    """Where rdflib's SPARQL parser (another implementation) stops reading, or None if it reads it all."""
    try:
        from pyparsing import ParseException
        from rdflib.plugins.sparql.parser import parseQuery
    except ImportError:  # pragma: no cover - rdflib is a dependency; the position is only a refinement
        return None
    try:
        parseQuery(text)
    except ParseException as exc:
        return exc.lineno, exc.col
    except Exception:
        return None
    return None


def syntax_problem(text: str, shown: str, prefixes: dict[str, str]) -> Problem | None:
    """Where a SPARQL query does not parse, as a Problem at its line and column with a message a person can
    act on; None when it parses. Oxigraph's parser decides whether it parses."""
    import pyoxigraph as ox

    try:
        ox.Store().query(text, prefixes=prefixes)
        return None
    except SyntaxError as exc:
        raw = str(exc)
    match = _ORIGIN.match(raw)
    line, col, detail = (int(match.group(1)), int(match.group(2)), match.group(3)) if match else (1, 1, raw)

    def problem(line: int, col: int, message: str) -> Problem:
        return Problem(shown, line, "error", message, "sparql-syntax", col)

    if "Prefix not found" in detail:
        declared = _declared(text, prefixes)
        for kind, value, tline, tcol in _positions(text):
            if kind == "word" and ":" in value and value[0] not in "?$" and value.split(":")[0] not in declared:
                name = value.split(":")[0]
                close = difflib.get_close_matches(name, sorted(declared), n=1)
                hint = f" (did you mean `{close[0]}:`?)" if close else ""
                shown_list = ", ".join(sorted(declared)[:8]) + (", …" if len(declared) > 8 else "")
                return problem(tline, tcol, f"undeclared prefix `{name}:`{hint}; declared: {shown_list}")
    unbalanced = _unbalanced(text)
    if unbalanced:
        return problem(*unbalanced)
    # Oxigraph sometimes reports the end of the text (where its parser last looked) rather than where the
    # query stops making sense; a second parser's position is used when it is earlier.
    other = _other_parser_position(text)
    if other and other < (line, col):
        line, col = other
        detail = ""
    rest = _rest_of_line(text, line, col)
    expected = _expected(detail)
    message = f"cannot read the query from here: `{rest}`" if rest else "the query ends too early"
    if expected and len(expected) <= 6:
        message += f"; expected {' or '.join(expected) if len(expected) < 3 else 'one of ' + ', '.join(expected)}"
    return problem(line, col, message)
