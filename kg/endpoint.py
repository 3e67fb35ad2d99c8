"""Remote SPARQL endpoints over HTTP (standard library only): one request function whose every failure is a
one-line KgError, the SPARQL 1.1 Protocol client (RemoteEngine), and the SPARQL Update and Graph Store
Protocol calls `kg push` makes. What a query's text or its answer mean is not here: kg.binding puts the
parameters into the text, kg.sparqltext reads its form and prefixes, kg.results reads the answer."""

from __future__ import annotations

import http.client
import os
import socket
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

import pyoxigraph as ox

from kg.binding import bind
from kg.errors import KgError
from kg.results import MEDIA_TYPES, RDF_FORMATS, Answer, Boolean, Graph, Result, boolean, parse_json_results
from kg.sparqltext import is_distinct, query_form, with_prefixes
from kg.storeurls import Endpoints
from kg.terms import Term

DEFAULT_TIMEOUT = 30.0
RESULTS_JSON = "application/sparql-results+json"
# N-Triples is a subset of Turtle, so a server that prefers Turtle (QLever) is parsed all the same.
GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9"
USER_AGENT = "cartkg (SPARQL 1.1 Protocol client)"


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
class Response:
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
         timeout: float = DEFAULT_TIMEOUT) -> Response:
    """One HTTP request; every failure becomes a one-line KgError naming the URL and the status."""
    request = urllib.request.Request(url, data=body, method=method,
                                     headers={"User-Agent": USER_AGENT, **(headers or {})})
    try:
        with _opener(url).open(request, timeout=timeout) as response:
            data = response.read()
            media_type = response.headers.get_content_type()
            return Response(response.status, media_type, data, response.headers.get("Server", ""))
    except urllib.error.HTTPError as exc:
        detail = _first_line(exc.read() if exc.fp else b"")
        raise HttpError(f"{method} {url}: HTTP {exc.code} {exc.reason}" + (f": {detail}" if detail else ""), exc.code)
    except urllib.error.URLError as exc:
        raise KgError(f"{method} {url}: {_network_reason(exc.reason, timeout)}")
    except TimeoutError:
        raise KgError(f"{method} {url}: no answer within {timeout:g} s "
                      "(timeout; set KG_ENDPOINT_TIMEOUT to wait longer)")
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
    line = next((text_line.strip() for text_line in text.splitlines() if text_line.strip()), "")
    return line[:200] + ("..." if len(line) > 200 else "")


class RemoteEngine:
    """A SPARQL 1.1 Protocol endpoint: queries go over HTTP, parameters as a VALUES block of terms."""

    def __init__(self, url: str, timeout: float | None = None):
        parsed = urllib.parse.urlsplit(url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise KgError(f"endpoint {url!r} is not an http(s) URL (e.g. http://127.0.0.1:7878/query)")
        self.url = url
        self.name = url
        self.timeout = timeout if timeout is not None else timeout_from_env()
        # The Server header of the last answer, e.g. "Oxigraph/0.5.13", "Virtuoso/07.20.3233 (Linux) ...".
        self.server = ""
        # Whether the server takes the nested VALUES blocks bind() adds; Virtuoso 7.2 fails some (entity:
        # "SQ142: Different number of expected and generated columns") and then gets the top-level one only.
        self.nested_values = True

    def _post(self, sparql: str, accept: str) -> Response:
        body = urllib.parse.urlencode({"query": sparql}).encode("ascii")
        headers = {"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"}
        response = request("POST", self.url, body, headers, self.timeout)
        self.server = response.server
        return response

    def select(self, sparql: str, bindings: dict[str, Term] | None = None) -> Result:
        """Run a query; a SELECT gives its rows, an ASK one boolean, a CONSTRUCT or DESCRIBE its triples."""
        answer = self.run(sparql, bindings)
        if isinstance(answer, Graph):
            rows: list[list[Term | None]] = [[t.subject, t.predicate, t.object] for t in answer.triples]
            return Result(["subject", "predicate", "object"], rows)
        if isinstance(answer, Boolean):
            return boolean(answer.value)
        return answer

    def run(self, sparql: str, bindings: dict[str, Term] | None = None, fmt: str | None = None) -> Answer:
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

    def _run(self, sparql: str, bindings: dict[str, Term] | None, fmt: str | None, nested: bool) -> Answer:
        form = query_form(sparql)
        text = with_prefixes(bind(sparql, bindings, nested))
        wanted = MEDIA_TYPES.get(fmt or "")
        if form in ("CONSTRUCT", "DESCRIBE"):
            accept = GRAPH_ACCEPT
            if fmt in RDF_FORMATS:
                wanted = MEDIA_TYPES[fmt]  # every RDF format has its media type
                rest = [m for m in ("application/n-triples", "text/turtle") if m != wanted]
                accept = ", ".join([wanted] + [f"{m};q={0.9 - 0.1 * i:.1f}" for i, m in enumerate(rest)])
            return Graph(self._triples(text, accept))
        result: Result | Boolean | None = None
        if wanted and fmt not in RDF_FORMATS:
            response = self._post(text, f"{wanted}, {RESULTS_JSON};q=0.9")
            if response.media_type == wanted:
                results_format = ox.QueryResultsFormat.from_media_type(wanted)
                assert results_format is not None  # MEDIA_TYPES names only results formats pyoxigraph reads
                try:
                    result = self._read_results(response, results_format)
                except KgError:
                    # The server's own take on the format is not the W3C's (Virtuoso 7.2 quotes the
                    # variables of its TSV header): ask again for the results JSON every server writes.
                    response = self._post(text, RESULTS_JSON)
        else:
            response = self._post(text, RESULTS_JSON)
        if result is None:
            if response.media_type not in (RESULTS_JSON, "application/json"):
                raise KgError(f"POST {self.url}: answer is {response.media_type}, not SPARQL results JSON "
                              f"(is this the SPARQL query endpoint?)")
            try:
                result = parse_json_results(response.body, form)
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                raise KgError(f"POST {self.url}: answer is not valid SPARQL results JSON ({exc})")
        if form == "ASK":
            if isinstance(result, Boolean):
                return result
            # Virtuoso answers ASK as a table with one cell (__ASK_RETVAL, 1 or 0), not a boolean.
            first = result.rows[0][0] if result.rows and result.rows[0] else None
            return Boolean(first is not None and first.value not in ("0", "false", ""))
        if isinstance(result, Result) and is_distinct(sparql):
            # Virtuoso 7.2 can answer SELECT DISTINCT with a VALUES block with a row twice (trials,
            # phase=1/2); the query asked for each row once, so each is kept once, in order.
            result.rows = [list(row) for row in dict.fromkeys(tuple(row) for row in result.rows)]
        return result

    def _read_results(self, response: Response, fmt: ox.QueryResultsFormat) -> Result | Boolean:
        try:
            parsed = ox.parse_query_results(response.body, format=fmt)
            if isinstance(parsed, ox.QueryBoolean):
                return Boolean(bool(parsed))
            return Result.from_solutions(parsed)
        except (SyntaxError, ValueError) as exc:
            raise KgError(f"POST {self.url}: answer is not valid {response.media_type} ({exc})")

    def construct(self, sparql: str) -> list[ox.Triple]:
        """The triples a CONSTRUCT or DESCRIBE query builds."""
        return self._triples(with_prefixes(sparql))

    def _triples(self, text: str, accept: str = GRAPH_ACCEPT) -> list[ox.Triple]:
        response = self._post(text, accept)
        media_type = response.media_type
        fmt = ox.RdfFormat.N_TRIPLES if media_type == "text/plain" else ox.RdfFormat.from_media_type(media_type)
        if fmt is None or fmt == ox.RdfFormat.N3:
            raise KgError(f"POST {self.url}: answer is {response.media_type}, not an RDF format kg reads "
                          "(N-Triples, Turtle, JSON-LD, TriG, RDF/XML)")
        try:
            # A dataset format (TriG) may put the triples in a graph; a CONSTRUCT's answer is one graph.
            return [ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(response.body, format=fmt)]
        except SyntaxError as exc:
            raise KgError(f"POST {self.url}: answer is not valid {response.media_type} ({exc})")


# ---------------------------------------------------------------- SPARQL Update and the Graph Store Protocol

def graph_url(endpoints: Endpoints, graph: str) -> str:
    """The Graph Store Protocol URL of one graph (?graph=IRI, or &graph=IRI after a query string)."""
    sep = "&" if urllib.parse.urlsplit(endpoints.graph_store).query else "?"
    return endpoints.graph_store + sep + urllib.parse.urlencode({"graph": graph})


def put_graph(endpoints: Endpoints, graph: str, data: bytes, timeout: float, bulk: bool = False) -> None:
    """Replace one graph's content through the Graph Store Protocol (HTTP PUT ?graph=IRI).

    With `bulk`, for the Oxigraph server only: load without a transaction and without validating the
    data again (its `no_transaction` and `lenient` options; 520k triples: 13.0 s -> 3.5 s, medians
    of 3). For a staging graph that nobody reads, written from a graph the build has checked.
    """
    url = graph_url(endpoints, graph) + ("&no_transaction&lenient" if bulk else "")
    request("PUT", url, data, {"Content-Type": "application/n-triples"}, timeout)


def get_graph(endpoints: Endpoints, graph: str, timeout: float) -> bytes | None:
    """One graph's triples as the endpoint holds them, as N-Triples from pyoxigraph's serializer.

    None if they cannot be read (an HTTP error, a timeout, a format pyoxigraph does not parse): the
    comparison only spares sending a graph again, so such a graph is sent.
    """
    try:
        response = request("GET", graph_url(endpoints, graph), None, {"Accept": GRAPH_ACCEPT}, timeout)
    except KgError:
        return None
    try:
        fmt = ox.RdfFormat.from_media_type(response.media_type) or ox.RdfFormat.N_TRIPLES
        quads = ox.parse(response.body, format=fmt)
        return ox.serialize((q.triple for q in quads), format=ox.RdfFormat.N_TRIPLES)
    except (SyntaxError, ValueError):
        return None


def update(endpoints: Endpoints, sparql: str, timeout: float) -> None:
    """Run one SPARQL Update request (one request, so one transaction on stores that have them)."""
    body = urllib.parse.urlencode({"update": sparql}).encode("ascii")
    request("POST", endpoints.update, body, {"Content-Type": "application/x-www-form-urlencoded"}, timeout)
