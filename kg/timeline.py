"""The timeline page: approvals, designations, trial starts and completions, readouts and deals on a time axis.

One self-contained HTML file (no network): the data sits in a JSON script element, the page's one
script and style are inline and allowed by their hashes in a Content-Security-Policy, and every
label reaches the page as text.
"""

from __future__ import annotations

import base64
import hashlib
import html
from dataclasses import dataclass, field
from pathlib import Path
from string import Template

from kg.engine import Engine
from kg.errors import KgError
from kg.files import write_atomic
from kg.paths import PACKAGE_DIR
from kg.vocab import CART, DECISION_GROUPS

TEMPLATES = PACKAGE_DIR / "templates"
KINDS = ["approval", "designation", "other decision", "trial start", "trial completion", "readout", "deal"]
PRECISION = {CART + "MonthPrecision": "month", CART + "YearPrecision": "year"}

EVENTS = """
SELECT ?event ?kind ?date ?p ?what ?therapy ?disease WHERE {
  { ?event a cart:RegulatoryDecision ; cart:decisionDate ?date ; cart:decisionType ?what .
    BIND(cart:decisionDate AS ?p) BIND("decision" AS ?kind)
    OPTIONAL { ?event cart:decisionFor ?therapy } OPTIONAL { ?event cart:indication ?disease } }
  UNION
  { ?event a cart:Trial ; cart:startDate ?date . BIND(cart:startDate AS ?p) BIND("trial start" AS ?kind)
    OPTIONAL { ?event cart:evaluates ?therapy } OPTIONAL { ?event cart:studiesCondition ?disease } }
  UNION
  { ?event a cart:Trial ; cart:primaryCompletionDate ?date . BIND(cart:primaryCompletionDate AS ?p)
    BIND("trial completion" AS ?kind)
    OPTIONAL { ?event cart:evaluates ?therapy } OPTIONAL { ?event cart:studiesCondition ?disease } }
  UNION
  { ?event a cart:Readout ; cart:readoutDate ?date . BIND(cart:readoutDate AS ?p) BIND("readout" AS ?kind)
    OPTIONAL { ?event cart:readoutOf/cart:evaluates ?therapy } OPTIONAL { ?event cart:condition ?disease } }
  UNION
  { ?event a cart:Deal ; cart:dealDate ?date . BIND(cart:dealDate AS ?p) BIND("deal" AS ?kind)
    OPTIONAL { ?event cart:dealAsset ?therapy } }
}"""
TARGETS = "SELECT ?therapy ?target WHERE { ?therapy a cart:Therapy ; cart:targets ?target }"
PRECISIONS = """SELECT ?s ?p ?o ?precision WHERE {
  ?c a cart:Claim ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; cart:datePrecision ?precision ;
     cart:rank ?rank FILTER(?rank != cart:DeprecatedRank) }"""
SOURCES = """SELECT ?s ?p ?o ?source WHERE {
  ?c a cart:Claim ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; cart:statedIn ?source ;
     cart:rank ?rank FILTER(?rank != cart:DeprecatedRank)
  FILTER(?p IN (cart:decisionDate, cart:startDate, cart:primaryCompletionDate, cart:readoutDate, cart:dealDate)) }"""


@dataclass
class Event:
    """One dated event and what it concerns."""

    iri: str
    kind: str
    date: str
    precision: str
    what: str = ""
    therapies: set[str] = field(default_factory=set)
    diseases: set[str] = field(default_factory=set)
    sources: set[str] = field(default_factory=set)


def events(engine: Engine) -> list[Event]:
    """Every dated event the graph holds, one per event and date property."""
    found: dict[tuple[str, str, str], Event] = {}
    precision = {(s.value, p.value, o.value): PRECISION.get(x.value, "day")
                 for s, p, o, x in engine.select(PRECISIONS).rows}
    said: dict[tuple[str, str, str], set[str]] = {}
    for s, p, o, src in engine.select(SOURCES).rows:
        said.setdefault((s.value, p.value, o.value), set()).add(src.value)
    group = {t.value: g.value for t, g in engine.select(DECISION_GROUPS).rows}
    for event, kind, when, p, what, therapy, disease in engine.select(EVENTS).rows:
        key = (event.value, p.value, when.value)
        e = found.get(key)
        if e is None:
            name = kind.value
            if name == "decision":
                name = group.get(what.value, "other decision")
            e = found[key] = Event(event.value, name, when.value, precision.get(key, "day"),
                                   what.value if what is not None else "", sources=said.get(key, set()))
        if therapy is not None:
            e.therapies.add(therapy.value)
        if disease is not None:
            e.diseases.add(disease.value)
    return sorted(found.values(), key=lambda e: (e.date, e.kind, e.iri))


def shown_date(e: Event) -> str:
    """The date at its precision: 2021-02-05, 2021-02 or 2021."""
    return {"day": e.date, "month": e.date[:7], "year": e.date[:4]}[e.precision]


def page_data(engine: Engine, found: list[Event]) -> dict:
    """What the page's script reads: events, and the names of the therapies, targets, diseases and sources."""
    from kg.names import labels

    targets: dict[str, set[str]] = {}
    for therapy, target in engine.select(TARGETS).rows:
        targets.setdefault(therapy.value, set()).add(target.value)
    iris = {e.iri for e in found} | {x for e in found for x in e.therapies | e.diseases | e.sources}
    iris |= {t for e in found for th in e.therapies for t in targets.get(th, ())} | {e.what for e in found if e.what}
    names = labels(engine, iris)
    urls = {row[0].value: row[1].value for row in engine.select(
        "SELECT ?s (MIN(STR(?u)) AS ?url) WHERE { ?s a cart:Source ; cart:url ?u } GROUP BY ?s").rows
        if row[1] is not None}
    names.update({row[0].value: row[1].value for row in engine.select(
        "SELECT ?s (MIN(STR(?t)) AS ?title) WHERE { ?s a cart:Source ; cart:title ?t } GROUP BY ?s").rows
        if row[1] is not None and row[0].value not in names})

    def name(iri: str) -> str:
        return names.get(iri) or iri.rsplit("/", 1)[-1].rsplit("#", 1)[-1]

    rows = []
    for e in found:
        event_targets = sorted({name(t) for th in e.therapies for t in targets.get(th, ())})
        rows.append({
            "label": name(e.iri), "kind": e.kind, "date": e.date, "shown": shown_date(e), "precision": e.precision,
            "what": name(e.what) if e.what else "", "therapies": sorted(name(t) for t in e.therapies),
            "targets": event_targets, "diseases": sorted(name(d) for d in e.diseases),
            "sources": [[name(s), urls.get(s, "")] for s in sorted(e.sources)],
        })
    return {"kinds": KINDS, "events": rows}


def _script_json(data: object) -> str:
    import json

    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def _template(name: str) -> Template:
    """A standalone page's template: the shared document head, then its own.

    The head (head.html) holds the charset, policy, viewport and title.
    """
    head = (TEMPLATES / "head.html").read_text(encoding="utf-8")
    return Template(head + (TEMPLATES / name).read_text(encoding="utf-8"))


def render(data: dict, title: str) -> str:
    """The page as one HTML document; only its own script and style may run, nothing may be fetched."""
    script = (TEMPLATES / "timeline.js").read_text(encoding="utf-8")
    style = (TEMPLATES / "timeline.css").read_text(encoding="utf-8")
    for name, text, end in (("timeline.js", script, "</script"), ("timeline.css", style, "</style")):
        if end in text.lower():
            raise KgError(f"{name} contains {end}> and cannot be inlined")
    csp = (f"default-src 'none'; script-src {_csp_hash(script)}; style-src {_csp_hash(style)}; "
           "img-src data:; base-uri 'none'; form-action 'none'")
    n = len(data["events"])
    span = f" from {data['events'][0]['shown']} to {data['events'][-1]['shown']}" if n else ""
    summary = f"{n} dated events" + span
    return _template("timeline.html").substitute(
        csp=csp, title=html.escape(title), summary=html.escape(summary), style=style,
        data=_script_json(data), script=script)


@dataclass
class Page:
    """A timeline page written to a file."""

    path: Path
    events: int
    bytes: int


def write_page(engine: Engine, output: Path, title: str = "cartkg timeline") -> Page:
    """Write the timeline page of the graph the engine reads."""
    data = page_data(engine, events(engine))
    text = render(data, title)
    write_atomic(output, text)
    return Page(output, len(data["events"]), len(text.encode("utf-8")))
