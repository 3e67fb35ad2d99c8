"""Writing query answers: the W3C SPARQL results formats (JSON, XML, CSV, TSV) for SELECT and ASK, RDF
(Turtle, N-Triples, JSON-LD, TriG, RDF/XML) for CONSTRUCT and DESCRIBE, and tables, records and Markdown
for a person, with labels (else CURIEs) instead of IRIs. `render` picks the writer for a format name of
kg.results and refuses a format the answer's query form does not have."""

from __future__ import annotations

import csv
import io
import json
import textwrap
import unicodedata
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from kg import names
from kg.errors import KgError
from kg.results import ALL_FORMATS, FORMATS, RDF_FORMATS, Answer, Boolean, Graph, Result
from kg.terms import Term

TABLE_WIDTH = 100  # columns of a table when the output is not a terminal
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RESULTS_NS = "http://www.w3.org/2005/sparql-results#"


class FormatError(KgError):
    """A format the answer's query form does not have (an RDF format for a SELECT, a table format for triples)."""


def _json_term(term: Term) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    raise TypeError(f"unexpected term {term!r}")


def to_json(result: Result | Boolean) -> str:
    """W3C SPARQL 1.1 Query Results JSON."""
    if isinstance(result, Boolean):
        return json.dumps({"head": {}, "boolean": result.value}) + "\n"
    bindings = [{v: _json_term(t) for v, t in zip(result.variables, row) if t is not None} for row in result.rows]
    return json.dumps({"head": {"vars": result.variables}, "results": {"bindings": bindings}},
                      ensure_ascii=False, indent=1) + "\n"


def to_xml(result: Result | Boolean) -> str:
    """W3C SPARQL Query Results XML."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>', f'<sparql xmlns="{RESULTS_NS}">']
    if isinstance(result, Boolean):
        out += ["  <head/>", f"  <boolean>{'true' if result.value else 'false'}</boolean>", "</sparql>"]
        return "\n".join(out) + "\n"
    out.append("  <head>")
    out += [f"    <variable name={quoteattr(v)}/>" for v in result.variables]
    out += ["  </head>", "  <results>"]
    for row in result.rows:
        out.append("    <result>")
        for variable, term in zip(result.variables, row):
            if term is not None:
                out.append(f"      <binding name={quoteattr(variable)}>{_xml_term(term)}</binding>")
        out.append("    </result>")
    out += ["  </results>", "</sparql>"]
    return "\n".join(out) + "\n"


def _xml_term(term: Term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            attribute = f" xml:lang={quoteattr(term.language)}"
        elif term.datatype.value != XSD_STRING:
            attribute = f" datatype={quoteattr(term.datatype.value)}"
        else:
            attribute = ""
        return f"<literal{attribute}>{escape(term.value)}</literal>"
    if isinstance(term, ox.Triple):
        return (f"<triple><subject>{_xml_term(term.subject)}</subject><predicate>{_xml_term(term.predicate)}"
                f"</predicate><object>{_xml_term(term.object)}</object></triple>")
    raise TypeError(f"unexpected term {term!r}")


def to_csv(result: Result | Boolean) -> str:
    """W3C SPARQL 1.1 CSV: plain values, CRLF line ends (an ASK answer as true or false, as Oxigraph writes it)."""
    if isinstance(result, Boolean):
        return ("true" if result.value else "false") + "\r\n"
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(result.variables)
    for row in result.rows:
        writer.writerow([_csv_value(t) for t in row])
    return out.getvalue()


def _csv_value(t: Term | None) -> str:
    """A CSV cell: empty where unbound, a blank node as _:label, any other term as its value."""
    if t is None:
        return ""
    return f"_:{t.value}" if isinstance(t, ox.BlankNode) else t.value


def to_tsv(result: Result | Boolean) -> str:
    """W3C SPARQL 1.1 TSV: terms in SPARQL syntax (an ASK answer as true or false, as Oxigraph writes it)."""
    if isinstance(result, Boolean):
        return ("true" if result.value else "false") + "\n"
    lines = ["\t".join("?" + v for v in result.variables)]
    for row in result.rows:
        lines.append("\t".join("" if t is None else _tsv_term(t) for t in row))
    return "\n".join(lines) + "\n"


def _tsv_term(term: Term) -> str:
    if isinstance(term, ox.Literal) and term.datatype.value in (
            "http://www.w3.org/2001/XMLSchema#integer", "http://www.w3.org/2001/XMLSchema#decimal",
            "http://www.w3.org/2001/XMLSchema#double", "http://www.w3.org/2001/XMLSchema#boolean") \
            and _canonical_number(term):
        return term.value
    return str(term)


def _canonical_number(term: ox.Literal) -> bool:
    import re

    return bool(re.fullmatch(r"[+-]?\d+(\.\d+)?([eE][+-]?\d+)?|true|false", term.value))


def curie(iri: str, prefixes: dict[str, str]) -> str:
    """The IRI as a CURIE with the longest declared namespace it starts with, else <iri> (kg.names' rule)."""
    return names.curie(iri, prefixes)


def display(term: Term | None, labels: dict[str, str], prefixes: dict[str, str] | None = None) -> str:
    """How a person reads a term: its label, else its CURIE (with prefixes given) or its value."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        if term.value in labels:
            return labels[term.value]
        return curie(term.value, prefixes) if prefixes else term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Triple):
        return "<< " + " ".join(display(t, labels, prefixes) for t in term) + " >>"
    return " ".join(term.value.split())


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 0 if unicodedata.combining(c) else 1 for c in text)


def fit(text: str, width: int) -> str:
    """The text cut to at most `width` terminal columns, an ellipsis marking the cut."""
    if _width(text) <= width:
        return text
    out, used = [], 0
    for c in text:
        w = _width(c)
        if used + w > width - 1:
            break
        out.append(c)
        used += w
    return "".join(out) + "…"


MIN_COLUMN = 6  # a column is never cut narrower than this (or its own width, if less)


def column_widths(natural: list[int], width: int | None, gap: int = 2) -> list[int]:
    """Column widths that fit `width` terminal columns: the widest columns are cut to the same width first."""
    if width is None or sum(natural) + gap * (len(natural) - 1) <= width:
        return natural
    room = width - gap * (len(natural) - 1)
    floors = [min(w, MIN_COLUMN) for w in natural]
    cap = max(natural)
    # The largest cap at which every column cut to it (never below its floor) still fits.
    while cap > 1 and sum(max(f, min(w, cap)) for w, f in zip(natural, floors)) > room:
        cap -= 1
    return [max(f, min(w, cap)) for w, f in zip(natural, floors)]


def _count(n: int) -> str:
    return f"({n} row{'s' if n != 1 else ''})"


def to_table(result: Result | Boolean, labels: dict[str, str], prefixes: dict[str, str] | None = None,
             width: int | None = None) -> str:
    """Aligned columns for a terminal, labels (else CURIEs) instead of IRIs; cells cut with an ellipsis so
    that lines fit `width` columns (None: no limit)."""
    if isinstance(result, Boolean):
        return ("true" if result.value else "false") + "\n"
    cells = [[display(t, labels, prefixes) for t in row] for row in result.rows]
    natural = [max([_width(v)] + [_width(r[i]) for r in cells]) for i, v in enumerate(result.variables)]
    widths = column_widths(natural, width)

    def line(values: list[str]) -> str:
        cut = [fit(v, w) for v, w in zip(values, widths)]
        return "  ".join(v + " " * (w - _width(v)) for v, w in zip(cut, widths)).rstrip()

    out = [line(result.variables), line(["-" * w for w in widths])]
    out += [line(r) for r in cells]
    out.append(_count(len(cells)))
    return "\n".join(out) + "\n"


def to_records(result: Result | Boolean, labels: dict[str, str], prefixes: dict[str, str] | None = None,
               width: int | None = None) -> str:
    """One field per line, each row under a `-[ n ]-` rule: for rows too wide for a table. Nothing is cut;
    long values wrap within `width` columns."""
    if isinstance(result, Boolean):
        return ("true" if result.value else "false") + "\n"
    key = max((_width(v) for v in result.variables), default=0)
    rule = width or TABLE_WIDTH
    out = []
    for n, row in enumerate(result.rows, start=1):
        head = f"-[ {n} ]"
        out.append(head + "-" * max(0, min(rule, key + 40) - len(head)))
        for variable, term in zip(result.variables, row):
            value = display(term, labels, prefixes)
            lines = (textwrap.wrap(value, width=max(20, width - key - 2), break_long_words=False,
                                   break_on_hyphens=False) if width else [value]) or [""]
            out.append(f"{variable}{' ' * (key - _width(variable))}  {lines[0]}".rstrip())
            out += [" " * (key + 2) + rest for rest in lines[1:]]
    out.append(_count(len(result.rows)))
    return "\n".join(out) + "\n"


def to_markdown(result: Result | Boolean, labels: dict[str, str], prefixes: dict[str, str] | None = None) -> str:
    """A Markdown table, labels (else CURIEs) instead of IRIs."""
    if isinstance(result, Boolean):
        return ("true" if result.value else "false") + "\n"

    def esc(text: str) -> str:
        return text.replace("\\", "\\\\").replace("|", "\\|")

    out = ["| " + " | ".join(result.variables) + " |", "|" + "|".join(" --- " for _ in result.variables) + "|"]
    out += ["| " + " | ".join(esc(display(t, labels, prefixes)) for t in row) + " |" for row in result.rows]
    return "\n".join(out) + "\n"


def used_prefixes(graph: Graph, prefixes: dict[str, str]) -> dict[str, str]:
    """The prefixes whose namespace some IRI of the graph starts with (a Turtle header of those only)."""
    iris = graph.iris() | {t.datatype.value for triple in graph.triples for t in triple if isinstance(t, ox.Literal)}
    return {p: ns for p, ns in sorted(prefixes.items()) if any(i.startswith(ns) for i in iris)}


def to_rdf(graph: Graph, fmt: str, prefixes: dict[str, str] | None = None) -> str:
    """The triples in one of RDF_FORMATS, sorted so that the same graph gives the same text."""
    triples = graph.sorted()
    if fmt == "nt":
        return ox.serialize(triples, format=RDF_FORMATS[fmt]).decode("utf-8")
    return ox.serialize(triples, format=RDF_FORMATS[fmt], prefixes=used_prefixes(graph, prefixes or {})).decode("utf-8")


def default_format(answer: Answer) -> str:
    """table for SELECT and ASK, Turtle for CONSTRUCT and DESCRIBE."""
    return "ttl" if isinstance(answer, Graph) else "table"


def render(answer: Answer, fmt: str | None = None, labels: dict[str, str] | None = None,
           prefixes: dict[str, str] | None = None, width: int | None = None) -> str:
    """The answer in one of ALL_FORMATS (None: its default_format); tables cut to `width` columns when given."""
    labels = labels or {}
    fmt = fmt or default_format(answer)
    if fmt not in ALL_FORMATS:
        raise ValueError(f"unknown format {fmt!r}; one of {', '.join(ALL_FORMATS)}")
    if isinstance(answer, Graph):
        if fmt in RDF_FORMATS:
            return to_rdf(answer, fmt, prefixes)
        if fmt not in ("table", "records", "md"):
            raise FormatError(f"--format {fmt} is for SELECT and ASK; a CONSTRUCT or DESCRIBE gives RDF: "
                              f"--format {', '.join(RDF_FORMATS)} (or table, records, md)")
        answer = answer.as_table()
    elif fmt in RDF_FORMATS:
        raise FormatError(f"--format {fmt} is for CONSTRUCT and DESCRIBE; a SELECT or ASK gives a table "
                          f"or SPARQL results: --format {', '.join(FORMATS)}")
    if fmt == "json":
        return to_json(answer)
    if fmt == "xml":
        return to_xml(answer)
    if fmt == "csv":
        return to_csv(answer)
    if fmt == "tsv":
        return to_tsv(answer)
    if fmt == "md":
        return to_markdown(answer, labels, prefixes)
    if fmt == "records":
        return to_records(answer, labels, prefixes, width)
    return to_table(answer, labels, prefixes, width)
