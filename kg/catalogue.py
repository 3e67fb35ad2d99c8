"""The canned query catalogue: queries/*.rq with their `#+` headers, run with typed parameters."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

from kg.engine import Engine, open_engine
from kg.errors import InputError, KgError, Problem
from kg.names import display_names
from kg.params import ParamError, bind, default_text, to_term, validate
from kg.paths import Paths
from kg.results import Result
from kg.sparqltext import RqFile, read_rq, scan, syntax_problem
from kg.terms import Term
from kg.vocab import SPARQL_PREFIXES

QUERY_KEYS = {"summary", "description", "tags", "params"}


class UnknownQuery(KgError):
    """No canned query has that name."""


@dataclass
class Answer:
    """A canned query's rows, the terms it was run with, and what the user should know about them."""

    query: RqFile
    result: Result
    bindings: dict[str, Term]
    labels: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)  # parameters whose value names nothing in the graph


def query_files(paths: Paths) -> list[Path]:
    """The .rq files of the catalogue (checks live in their own folder and are not canned queries)."""
    if not paths.queries.is_dir():
        return []
    return sorted((p for p in paths.queries.glob("*.rq") if p.is_file()), key=lambda p: p.stem)


def names(paths: Paths) -> list[str]:
    """The name of every canned query."""
    return [p.stem for p in query_files(paths)]


def load_query(paths: Paths, path: Path) -> RqFile:
    """Read one canned query and check what `kg query` relies on; errors name the file and line."""
    shown = paths.relative(path)
    rq = read_rq(path, shown, QUERY_KEYS)
    problems = []
    syntax = syntax_problem(rq.text, shown, SPARQL_PREFIXES)  # the prefixes every engine is given
    if syntax:
        raise InputError([syntax])
    if not rq.summary:
        problems.append(Problem(shown, 1, "error", "#+ summary: is missing (one line saying what the query answers)",
                                "query-header"))
    tokens = [t for t in scan(rq.text) if t[0] not in ("comment", "newline")]
    projected = _projection(tokens)
    if projected is None:
        problems.append(Problem(shown, 1, "error", "a canned query is a SELECT query", "query-shape"))
    else:
        for param in rq.params.values():
            if "?_" + param.name not in projected and "$_" + param.name not in projected:
                # Oxigraph binds only variables of the SELECT clause; a parameter left out would be ignored.
                problems.append(Problem(shown, param.line, "error",
                                        f"parameter {param.name}: add ?_{param.name} to the SELECT clause "
                                        "(only selected variables can be bound)", "query-shape"))
    if not _ends_with_order_by(tokens):
        problems.append(Problem(shown, tokens[-1][2] if tokens else 1, "error",
                                "add an ORDER BY after the WHERE clause so the same graph always gives the same output",
                                "query-shape"))
    for param in rq.params.values():
        raw = default_text(param.default)
        if raw is None or param.type == "entity":
            continue
        try:
            to_term(param, raw, {**SPARQL_PREFIXES, **_seed_prefixes(paths)})
        except ParamError as exc:
            problems.append(Problem(shown, param.line, "error", f"default: {exc}", "query-header"))
    if problems:
        raise InputError(problems)
    return rq


def _projection(tokens: list[tuple[str, str, int]]) -> set[str] | None:
    """The variables the top-level SELECT clause projects by name (not those only inside an expression)."""
    start = next((i for i, t in enumerate(tokens) if t[0] == "word" and t[1].upper() == "SELECT"), None)
    if start is None:
        return None
    projected, depth = set(), 0
    for kind, value, _ in tokens[start + 1:]:
        if value == "{" or (kind == "word" and value.upper() == "WHERE"):
            break
        if value == "(":
            depth += 1
        elif value == ")":
            depth -= 1
        elif kind == "word" and value[0] in "?$" and depth == 0:
            projected.add(value)
        elif value == "*" and depth == 0:
            projected.add("*")
    return projected


def _ends_with_order_by(tokens: list[tuple[str, str, int]]) -> bool:
    last_brace = max((i for i, t in enumerate(tokens) if t[1] == "}"), default=-1)
    return any(t[0] == "word" and t[1].upper() == "ORDER" for t in tokens[last_brace + 1:])


def load_catalogue(paths: Paths) -> list[RqFile]:
    """Every canned query, sorted by name; every malformed file is reported at once."""
    queries, problems = [], []
    for path in query_files(paths):
        try:
            queries.append(load_query(paths, path))
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    return queries


def find_query(paths: Paths, name: str) -> RqFile:
    """The canned query called `name`; an unknown name gets the closest names as a hint."""
    path = paths.queries / f"{name}.rq"
    if "/" in name or "\\" in name or name.startswith(".") or not path.is_file():
        known = names(paths)
        close = difflib.get_close_matches(name, known, n=3, cutoff=0.5)
        hint = f"; did you mean {' or '.join(close)}?" if close else ""
        raise UnknownQuery(f"no canned query is called {name!r}{hint} (`kg queries` lists them)")
    return load_query(paths, path)


def _seed_prefixes(paths: Paths) -> dict[str, str]:
    if not paths.prefixes.is_file():
        return {}
    from kg.seeds import load_prefixes

    return load_prefixes(paths)


def prefixes(paths: Paths) -> dict[str, str]:
    """The CURIE prefixes a parameter may use: the predeclared SPARQL ones and the seed table's."""
    return {**SPARQL_PREFIXES, **_seed_prefixes(paths)}


def without_parameters(result: Result) -> Result:
    """The result without the ?_name columns the embedded engine needs selected to bind them."""
    keep = [i for i, v in enumerate(result.variables) if not v.startswith("_")]
    return Result([result.variables[i] for i in keep], [[row[i] for i in keep] for row in result.rows])


def validated_query(paths: Paths, name: str, given: dict[str, str]) -> RqFile:
    """The canned query called `name`, the values given checked against its parameters (names, types, shapes)."""
    rq = find_query(paths, name)
    validate(rq.params, given, prefixes(paths), rq.name)
    return rq


def run_query(paths: Paths, name: str, given: dict[str, str], endpoint: str | None = None,
              labelled: bool = False, fmt: str | None = None, engine: Engine | None = None) -> Answer:
    """Run a canned query with parameter values given as text, on the built graph, an endpoint (asked for the
    media type of output format `fmt`) or an open engine. A value that names nothing is in `unmatched`, with no rows."""
    rq = validated_query(paths, name, given)  # before anything is opened: a bad value never reaches an engine
    known = prefixes(paths)
    engine = engine or open_engine(paths, endpoint)
    bound = bind(engine, rq.params, given, known, rq.name)
    answer = engine.run(rq.text, bound.bindings, fmt)
    if not isinstance(answer, Result):
        raise KgError(f"{rq.shown}: a canned query is a SELECT query")
    result = without_parameters(answer)
    if bound.unmatched:
        # The query ran with the name as a plain string, which matches no entity; rows it could still
        # make (such as "nothing is recorded about ...") would be about nothing, so none are shown.
        result = Result(result.variables, [])
    shown = display_names(engine, result, known) if labelled else {}
    return Answer(query=rq, result=result, bindings=bound.bindings, labels=shown, notes=bound.notes,
                  unmatched=bound.unmatched)
