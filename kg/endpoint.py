"""Remote SPARQL endpoints over the SPARQL 1.1 Protocol and Graph Store Protocol (HTTP, standard library only)."""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import socket
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

import pyoxigraph as ox

from kg.errors import KgError
from kg.results import Answer as QueryAnswer
from kg.results import MEDIA_TYPES, RDF_FORMATS, Boolean, Graph, Result
from kg.sparqltext import scan
from kg.vocab import SPARQL_PREFIXES, XSD

DEFAULT_TIMEOUT = 30.0
RESULTS_JSON = "application/sparql-results+json"
# N-Triples is a subset of Turtle, so a server that prefers Turtle (QLever) is parsed all the same.
GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9"
USER_AGENT = "cartkg (SPARQL 1.1 Protocol client)"
FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
XSD_BOOLEAN = XSD + "boolean"


def timeout_from_env() -> float:
    """Seconds to wait for an endpoint: $KG_ENDPOINT_TIMEOUT, else 30."""
    raw = os.environ.get("KG_ENDPOINT_TIMEOUT")
    if not raw:
        return DEFAULT_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        raise KgError(f"KG_ENDPOINT_TIMEOUT must be a number of seconds, not {raw!r}")
    if value <= 0:
        raise KgError(f"KG_ENDPOINT_TIMEOUT must be more than 0 seconds, not {raw!r}")
    return value


def _opener(url: str) -> urllib.request.OpenerDirector:
    """An opener that answers Basic or Digest challenges with $KG_ENDPOINT_USER / $KG_ENDPOINT_PASSWORD."""
    user = os.environ.get("KG_ENDPOINT_USER")
    if not user:
        return urllib.request.build_opener()
    manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
    manager.add_password(None, url, user, os.environ.get("KG_ENDPOINT_PASSWORD", ""))
    return urllib.request.build_opener(urllib.request.HTTPBasicAuthHandler(manager),
                                       urllib.request.HTTPDigestAuthHandler(manager))


@dataclass
class Answer:
    """An HTTP response body with its status, media type and the server's name for itself (its Server header)."""

    status: int
    media_type: str
    body: bytes
    server: str = ""


class HttpError(KgError):
    """The server answered with an error status."""

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.status = status


def request(method: str, url: str, body: bytes | None = None, headers: dict[str, str] | None = None,
         timeout: float = DEFAULT_TIMEOUT) -> Answer:
    """One HTTP request; every failure becomes a one-line KgError naming the URL and the status."""
    request = urllib.request.Request(url, data=body, method=method,
                                     headers={"User-Agent": USER_AGENT, **(headers or {})})
    try:
        with _opener(url).open(request, timeout=timeout) as response:
            data = response.read()
            media_type = response.headers.get_content_type()
            return Answer(response.status, media_type, data, response.headers.get("Server", ""))
    except urllib.error.HTTPError as exc:
        detail = _first_line(exc.read() if exc.fp else b"")
        raise HttpError(f"{method} {url}: HTTP {exc.code} {exc.reason}" + (f": {detail}" if detail else ""), exc.code)
    except urllib.error.URLError as exc:
        raise KgError(f"{method} {url}: {_network_reason(exc.reason, timeout)}")
    except (TimeoutError, socket.timeout):
        raise KgError(f"{method} {url}: no answer within {timeout:g} s (timeout; set KG_ENDPOINT_TIMEOUT to wait longer)")
    except (ConnectionError, OSError, http.client.HTTPException) as exc:
        # The server went away mid-answer (stopped, crashed, reset the connection).
        raise KgError(f"{method} {url}: connection lost ({type(exc).__name__}: {exc})")
    except ValueError as exc:
        raise KgError(f"{url} is not a usable http(s) URL: {exc}")


def _network_reason(reason: object, timeout: float) -> str:
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused (is the server running on that host and port?)"
    if isinstance(reason, (TimeoutError, socket.timeout)):
        return f"no answer within {timeout:g} s (timeout; set KG_ENDPOINT_TIMEOUT to wait longer)"
    if isinstance(reason, socket.gaierror):
        return f"unknown host ({reason.strerror})"
    return f"cannot connect ({reason})"


def _first_line(data: bytes) -> str:
    text = data.decode("utf-8", "replace").strip()
    line = next((l.strip() for l in text.splitlines() if l.strip()), "")
    return line[:200] + ("..." if len(line) > 200 else "")


def query_form(sparql: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the form of a query, read past its prologue and comments."""
    for kind, value, _ in scan(sparql):
        if kind == "word" and value.upper() in FORMS:
            return value.upper()
    raise KgError("not a SPARQL query: no SELECT, ASK, CONSTRUCT or DESCRIBE found")


def _tokens_at(sparql: str) -> list[tuple[str, str, int]]:
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
    tokens = _tokens_at(sparql)
    declared = {tokens[i + 1][1].split(":")[0] for i, (kind, value, _) in enumerate(tokens[:-1])
                if kind == "word" and value.upper() == "PREFIX"}
    # Same line as the query's first line, so the server's error positions match the file's lines.
    missing = "".join(f"PREFIX {p}: <{ns}> " for p, ns in SPARQL_PREFIXES.items() if p not in declared)
    return missing + sparql


def _where_brace(tokens: list[tuple[str, str, int]], form: str) -> int:
    """Offset just after the `{` that opens the query's top-level WHERE group."""
    start = next(i for i, t in enumerate(tokens) if t[0] == "word" and t[1].upper() == form)
    i = start + 1
    if form == "CONSTRUCT":
        if i < len(tokens) and tokens[i][1].upper() == "WHERE":
            raise KgError("parameters cannot be bound in the short form CONSTRUCT WHERE { ... }; "
                          "write CONSTRUCT { template } WHERE { ... }")
        template = next((j for j in range(i, len(tokens)) if tokens[j][:2] == ("other", "{")), None)
        if template is not None:
            i = _closing(tokens, template) + 1  # skip the template
    parens = 0
    for kind, value, at in tokens[i:]:
        if kind != "other":
            continue
        if value == "(":
            parens += 1
        elif value == ")":
            parens -= 1
        elif value == "{" and parens == 0:
            return at + 1
    raise KgError(f"cannot bind parameters: no WHERE {{ ... }} group found after {form}")


def sparql_term(term: ox.Term) -> str:
    """A term in SPARQL syntax, escaped by pyoxigraph (its N-Triples form)."""
    if isinstance(term, (ox.NamedNode, ox.Literal)):
        return str(term)
    raise KgError(f"only IRIs and literals can be bound as parameters, not {term!r}")


def bind(sparql: str, bindings: dict[str, ox.Term] | None, nested: bool = True) -> str:
    """The query with a VALUES block binding each variable to its term, first in the top-level WHERE group.

    The SPARQL Protocol has no way to pass bindings, so this is the standard way to send them: the
    terms are serialised by pyoxigraph (escaped), never pasted from user text. Each nested group that
    names a variable gets a VALUES block for it as well: the answers are the same (the variable has
    that one value there anyway), but an engine that evaluates an OPTIONAL or UNION on its own before
    joining it, as Oxigraph's server does, then looks up one value instead of all of them (1M triples:
    registrational-timeline 439 ms -> 37 ms). A sub-select that does not project a variable has a
    variable of its own by that name, and is left alone. With nested=False, only the top-level block.
    """
    if not bindings:
        return sparql
    terms = {name.lstrip("?$"): sparql_term(term) for name, term in bindings.items()}
    tokens = _tokens_at(sparql)
    at = _where_brace(tokens, query_form(sparql))
    top = next(i for i, t in enumerate(tokens) if t[2] == at - 1)
    inserts = [(at, _values_block(list(terms), terms))]
    if nested:
        inserts += _nested_values(tokens, top, _closing(tokens, top), set(terms), terms)
    for offset, block in sorted(inserts, reverse=True):
        sparql = f"{sparql[:offset]}{block}{sparql[offset:]}"
    return sparql


def _is_distinct(sparql: str) -> bool:
    """Whether the query's own (top-level) SELECT is SELECT DISTINCT."""
    tokens = [t for t in _tokens_at(sparql) if t[0] == "word"]
    at = next((i for i, t in enumerate(tokens) if t[1].upper() == "SELECT"), None)
    return at is not None and at + 1 < len(tokens) and tokens[at + 1][1].upper() == "DISTINCT"


def _values_block(names: list[str], terms: dict[str, str]) -> str:
    variables = " ".join(str(ox.Variable(name)) for name in names)
    return f" VALUES ({variables}) {{ ({' '.join(terms[name] for name in names)}) }} "


def _closing(tokens: list[tuple[str, str, int]], i: int) -> int:
    """Index of the `}` that closes the `{` at tokens[i]."""
    depth = 0
    for j in range(i, len(tokens)):
        if tokens[j][0] == "other" and tokens[j][1] == "{":
            depth += 1
        elif tokens[j][0] == "other" and tokens[j][1] == "}":
            depth -= 1
            if depth == 0:
                return j
    raise KgError("cannot bind parameters: a { in the query is never closed")


def _is_data_block(tokens: list[tuple[str, str, int]], i: int) -> bool:
    """Whether the `{` at tokens[i] opens the rows of a VALUES clause, not a group."""
    j = i - 1
    if tokens[j][1] == ")":
        while j > 0 and tokens[j][1] != "(":
            j -= 1
    return j > 0 and tokens[j - 1][1].upper() == "VALUES"


def _projected(tokens: list[tuple[str, str, int]], i: int, visible: set[str]) -> set[str]:
    """Of `visible`, the variables the sub-select starting at tokens[i] (SELECT) projects."""
    found: set[str] = set()
    depth = 0
    for j in range(i + 1, len(tokens)):
        kind, value, _ = tokens[j]
        if kind == "other" and value == "{" or kind == "word" and value.upper() == "WHERE":
            break
        if value == "(":
            depth += 1
        elif value == ")":
            depth -= 1
        elif value == "*" and depth == 0:
            return set(visible)
        elif kind == "word" and value[0] in "?$" and (depth == 0 or tokens[j - 1][1].upper() == "AS"):
            found.add(value[1:])
    return found & visible


def _nested_values(tokens: list[tuple[str, str, int]], start: int, end: int, visible: set[str],
                   terms: dict[str, str]) -> list[tuple[int, str]]:
    """(offset, VALUES block) for each group inside tokens[start:end + 1] (a group) that names a variable."""
    inserts = []
    i = start + 1
    while i < end:
        kind, value, at = tokens[i]
        if not (kind == "other" and value == "{"):
            i += 1
            continue
        close = _closing(tokens, i)
        if _is_data_block(tokens, i):
            pass
        elif i + 1 < close and tokens[i + 1][1].upper() == "SELECT":
            inner = _projected(tokens, i + 1, visible)
            where = next(j for j in range(i + 2, close) if tokens[j][1] == "{")
            if inner:
                where_close = _closing(tokens, where)
                inserts += _named_in(tokens, where, where_close, inner, terms)
                inserts += _nested_values(tokens, where, where_close, inner, terms)
        else:
            inserts += _named_in(tokens, i, close, visible, terms)
            inserts += _nested_values(tokens, i, close, visible, terms)
        i = close + 1
    return inserts


def _named_in(tokens: list[tuple[str, str, int]], i: int, close: int, visible: set[str],
              terms: dict[str, str]) -> list[tuple[int, str]]:
    """A VALUES block for the group tokens[i:close + 1], for the variables it names (none it binds with AS)."""
    named = {v[1:] for kind, v, _ in tokens[i:close] if kind == "word" and v[0] in "?$"}
    bound_here = {tokens[j + 1][1][1:] for j in range(i, close) if tokens[j][1].upper() == "AS"}
    names = [name for name in terms if name in visible & named and name not in bound_here]
    return [(tokens[i][2] + 1, _values_block(names, terms))] if names else []


def _blank(label: str, seen: dict[str, ox.BlankNode]) -> ox.BlankNode:
    node = seen.get(label)
    if node is None:
        try:
            node = ox.BlankNode(label)
        except ValueError:
            # Virtuoso labels blank nodes nodeID://b10001, which is not a valid RDF blank node label.
            node = ox.BlankNode("b" + hashlib.sha1(label.encode("utf-8")).hexdigest()[:16])
        seen[label] = node
    return node


def json_term(cell: dict, seen: dict[str, ox.BlankNode]) -> ox.Term:
    """One binding of SPARQL 1.1 Query Results JSON as a pyoxigraph term."""
    kind = cell.get("type")
    value = cell.get("value", "")
    if kind == "uri":
        return ox.NamedNode(value)
    if kind in ("literal", "typed-literal"):  # typed-literal: the 2007 draft format, still sent by Virtuoso
        if cell.get("xml:lang"):
            return ox.Literal(value, language=cell["xml:lang"])
        if cell.get("datatype"):
            if cell["datatype"] == XSD_BOOLEAN and value in ("1", "0"):
                # Virtuoso stores booleans as integers and answers "1"; the embedded store gives the canonical "true".
                value = "true" if value == "1" else "false"
            return ox.Literal(value, datatype=ox.NamedNode(cell["datatype"]))
        return ox.Literal(value)
    if kind == "bnode":
        return _blank(value, seen)
    if kind == "triple":
        return ox.Triple(json_term(value["subject"], seen), json_term(value["predicate"], seen),
                         json_term(value["object"], seen))
    raise ValueError(f"unknown term type {kind!r}")


def boolean(value: bool) -> Result:
    """The answer of an ASK as a one-cell Result, as the embedded store gives it."""
    return Result(["result"], [[ox.Literal("true" if value else "false", datatype=ox.NamedNode(XSD_BOOLEAN))]])


def parse_json_results(data: bytes, form: str) -> Result:
    """SPARQL 1.1 Query Results JSON as a Result (an ASK answer as one xsd:boolean cell)."""
    doc = json.loads(data)
    if "boolean" in doc:
        return boolean(bool(doc["boolean"]))
    variables = list(doc.get("head", {}).get("vars", []))
    bindings = doc.get("results", {}).get("bindings", [])
    if form == "ASK":
        # Virtuoso answers ASK in JSON as a table with one integer cell (__ASK_RETVAL), not a boolean.
        first = next(iter(bindings[0].values()), {}) if bindings else {}
        return boolean(first.get("value", "0") not in ("0", "false", ""))
    seen: dict[str, ox.BlankNode] = {}
    rows = [[json_term(b[v], seen) if v in b else None for v in variables] for b in bindings]
    return Result(variables, rows)


class RemoteEngine:
    """A SPARQL 1.1 Protocol endpoint: queries go over HTTP, parameters as a VALUES block of terms."""

    def __init__(self, url: str, timeout: float | None = None):
        parsed = urllib.parse.urlsplit(url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise KgError(f"endpoint {url!r} is not an http(s) URL (e.g. http://127.0.0.1:7878/query)")
        self.url = url
        self.name = url
        self.timeout = timeout if timeout is not None else timeout_from_env()
        self.server = ""  # the Server header of the last answer, e.g. "Oxigraph/0.5.13", "Virtuoso/07.20.3233 (Linux) ..."
        # Whether the server takes the nested VALUES blocks bind() adds; Virtuoso 7.2 fails some (entity:
        # "SQ142: Different number of expected and generated columns") and then gets the top-level one only.
        self.nested_values = True

    def _post(self, sparql: str, accept: str) -> Answer:
        body = urllib.parse.urlencode({"query": sparql}).encode("ascii")
        answer = request("POST", self.url, body, {"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"},
                         self.timeout)
        self.server = answer.server
        return answer

    def select(self, sparql: str, bindings: dict[str, ox.Term] | None = None) -> Result:
        """Run a query; a SELECT gives its rows, an ASK one boolean, a CONSTRUCT or DESCRIBE its triples."""
        answer = self.run(sparql, bindings)
        if isinstance(answer, Graph):
            return Result(["subject", "predicate", "object"], [[t.subject, t.predicate, t.object] for t in answer.triples])
        if isinstance(answer, Boolean):
            return boolean(answer.value)
        return answer

    def run(self, sparql: str, bindings: dict[str, ox.Term] | None = None, fmt: str | None = None) -> QueryAnswer:
        """Any query form, answered in its own kind: rows, a boolean or triples. The server is asked for
        the media type of `fmt` (an output format of kg.results) first, and SPARQL results JSON, N-Triples
        or Turtle after it, and its answer is read in whichever of them it sends."""
        if bindings and self.nested_values:
            try:
                return self._run(sparql, bindings, fmt, nested=True)
            except HttpError as exc:
                if exc.status not in (400, 500) or bind(sparql, bindings) == bind(sparql, bindings, nested=False):
                    raise
                answer = self._run(sparql, bindings, fmt, nested=False)
                self.nested_values = False  # it was the nested blocks: leave them out from now on
                return answer
        return self._run(sparql, bindings, fmt, nested=False)

    def _run(self, sparql: str, bindings: dict[str, ox.Term] | None, fmt: str | None, nested: bool) -> QueryAnswer:
        form = query_form(sparql)
        text = with_prefixes(bind(sparql, bindings, nested))
        wanted = MEDIA_TYPES.get(fmt or "")
        if form in ("CONSTRUCT", "DESCRIBE"):
            accept = GRAPH_ACCEPT
            if fmt in RDF_FORMATS:
                rest = [m for m in ("application/n-triples", "text/turtle") if m != wanted]
                accept = ", ".join([wanted] + [f"{m};q={0.9 - 0.1 * i:.1f}" for i, m in enumerate(rest)])
            return Graph(self._triples(text, accept))
        result: Result | Boolean | None = None
        if wanted and fmt not in RDF_FORMATS:
            answer = self._post(text, f"{wanted}, {RESULTS_JSON};q=0.9")
            if answer.media_type == wanted:
                try:
                    result = self._read_results(answer, ox.QueryResultsFormat.from_media_type(wanted))
                except KgError:
                    # The server's own take on the format is not the W3C's (Virtuoso 7.2 quotes the
                    # variables of its TSV header): ask again for the results JSON every server writes.
                    answer = self._post(text, RESULTS_JSON)
        else:
            answer = self._post(text, RESULTS_JSON)
        if result is None:
            if answer.media_type not in (RESULTS_JSON, "application/json"):
                raise KgError(f"POST {self.url}: answer is {answer.media_type}, not SPARQL results JSON "
                              f"(is this the SPARQL query endpoint?)")
            try:
                result = parse_json_results(answer.body, form)
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                raise KgError(f"POST {self.url}: answer is not valid SPARQL results JSON ({exc})")
        if form == "ASK":
            if isinstance(result, Boolean):
                return result
            # Virtuoso answers ASK as a table with one cell (__ASK_RETVAL, 1 or 0), not a boolean.
            first = result.rows[0][0] if result.rows and result.rows[0] else None
            return Boolean(first is not None and first.value not in ("0", "false", ""))
        if isinstance(result, Result) and _is_distinct(sparql):
            # Virtuoso 7.2 can answer SELECT DISTINCT with a VALUES block with a row twice (trials,
            # phase=1/2); the query asked for each row once, so each is kept once, in order.
            result.rows = [list(row) for row in dict.fromkeys(tuple(row) for row in result.rows)]
        return result

    def _read_results(self, answer: Answer, fmt: ox.QueryResultsFormat) -> Result | Boolean:
        try:
            parsed = ox.parse_query_results(answer.body, format=fmt)
            if isinstance(parsed, ox.QueryBoolean):
                return Boolean(bool(parsed))
            return Result.from_solutions(parsed)
        except (SyntaxError, ValueError) as exc:
            raise KgError(f"POST {self.url}: answer is not valid {answer.media_type} ({exc})")

    def construct(self, sparql: str) -> list[ox.Triple]:
        """The triples a CONSTRUCT or DESCRIBE query builds."""
        return self._triples(with_prefixes(sparql))

    def _triples(self, text: str, accept: str = GRAPH_ACCEPT) -> list[ox.Triple]:
        answer = self._post(text, accept)
        fmt = ox.RdfFormat.N_TRIPLES if answer.media_type == "text/plain" else ox.RdfFormat.from_media_type(answer.media_type)
        if fmt is None or fmt == ox.RdfFormat.N3:
            raise KgError(f"POST {self.url}: answer is {answer.media_type}, not an RDF format kg reads "
                          "(N-Triples, Turtle, JSON-LD, TriG, RDF/XML)")
        try:
            # A dataset format (TriG) may put the triples in a graph; a CONSTRUCT's answer is one graph.
            return [ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(answer.body, format=fmt)]
        except SyntaxError as exc:
            raise KgError(f"POST {self.url}: answer is not valid {answer.media_type} ({exc})")


@dataclass(frozen=True)
class Endpoints:
    """The three URLs of a store: SPARQL query, SPARQL update and Graph Store Protocol."""

    query: str
    update: str
    graph_store: str


def derive(query_url: str, update: str | None = None, graph_store: str | None = None) -> Endpoints:
    """The update and graph store URLs of a known kind of server, from its query URL (given ones win).

    Oxigraph: /query -> /update, /store. Virtuoso: /sparql -> /sparql, /sparql-graph-crud.
    Fuseki: /DATASET/query or /DATASET/sparql -> /DATASET/update, /DATASET/data.
    GraphDB and RDF4J: /repositories/REPO -> .../statements, .../rdf-graphs/service.
    """
    parts = urllib.parse.urlsplit(query_url)
    path = parts.path.rstrip("/")
    segments = path.split("/")

    def at(new_path: str) -> str:
        return urllib.parse.urlunsplit((parts.scheme, parts.netloc, new_path, "", ""))

    guess: tuple[str, str] | None = None
    if path == "/query":
        guess = (at("/update"), at("/store"))
    elif path == "/sparql":
        guess = (at("/sparql"), at("/sparql-graph-crud"))
    elif len(segments) >= 3 and segments[-1] in ("query", "sparql"):
        base = "/".join(segments[:-1])
        guess = (at(base + "/update"), at(base + "/data"))
    elif len(segments) >= 3 and segments[-2] == "repositories":
        guess = (at(path + "/statements"), at(path + "/rdf-graphs/service"))
    update = update or (guess[0] if guess else None)
    graph_store = graph_store or (guess[1] if guess else None)
    if not update or not graph_store:
        raise KgError(f"cannot tell the update and graph store URLs of {query_url}: give --update URL and --graph-store URL")
    return Endpoints(query_url, update, graph_store)
