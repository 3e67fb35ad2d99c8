"""The graph page: one self-contained HTML file (vis-network inline, no request anywhere).

It shows any label as text.
"""

from __future__ import annotations

import base64
import colorsys
import hashlib
import html
import json
from dataclasses import dataclass
from pathlib import Path
from string import Template

import pyvis

from kg import layout, names, network
from kg.engine import Engine
from kg.errors import KgError
from kg.files import write_atomic
from kg.network import EntityGraph
from kg.vocab import CART

TEMPLATES = Path(__file__).resolve().parent / "templates"
# pyvis ships the vis-network build; the page inlines it instead of loading it from a CDN as pyvis's own
# templates do (even its in-line mode fetches Bootstrap).
VIS_DIR = Path(pyvis.__file__).resolve().parent / "templates" / "lib" / "vis-9.1.2"

# Measured in headless Chromium: vis-network's physics settles 100 nodes in well under a second but shows
# only a loading bar for half a minute at 1,000. Above this many nodes the page draws at precomputed
# positions with physics off; at or below it, physics polishes the precomputed picture briefly and freezes.
PHYSICS_UP_TO = 300
# Above this many nodes, edges are hidden while dragging and zooming so that the picture follows the mouse.
LARGE_ABOVE = 2000

# Sixteen colours far apart from each other and readable on white, and seven shapes: 16 and 7 share no
# factor, so colour and shape together repeat only after 112 classes.
PALETTE = ("#4363d8", "#e6194b", "#3cb44b", "#f58231", "#911eb4", "#42d4f4", "#f032e6", "#9a6324",
           "#469990", "#800000", "#bfef45", "#000075", "#808000", "#e6b800", "#a9a9a9", "#dcbeff")
SHAPES = (("dot", "\u25cf"), ("diamond", "\u25c6"), ("square", "\u25a0"), ("triangle", "\u25b2"),
          ("star", "\u2605"), ("hexagon", "\u2b22"), ("triangleDown", "\u25bc"))


@dataclass(frozen=True)
class Style:
    """How the page draws the entities of one class."""

    color: str
    border: str
    shape: str
    symbol: str


def _darker(color: str) -> str:
    r, g, b = (int(color[i:i + 2], 16) / 255 for i in (1, 3, 5))
    hue, lightness, saturation = colorsys.rgb_to_hls(r, g, b)
    r, g, b = colorsys.hls_to_rgb(hue, lightness * 0.65, saturation)
    return f"#{round(r * 255):02x}{round(g * 255):02x}{round(b * 255):02x}"


def class_styles(classes: list[str], later: set[str] | frozenset[str] = frozenset()) -> dict[str, Style]:
    """A colour and a shape for every class of the ontology, so a class added to it gets its own with no code change.

    Classes take the palette in IRI order, those in `later` (provenance: sources, claims) after all others,
    so the classes a page usually shows get the sixteen most distinct colours.
    """
    styles = {}
    for i, iri in enumerate(sorted(classes, key=lambda c: (c in later, c))):
        color = PALETTE[i % len(PALETTE)]
        shape, symbol = SHAPES[i % len(SHAPES)]
        styles[iri] = Style(color, _darker(color), shape, symbol)
    return styles


def ontology_styles(eg: EntityGraph) -> dict[str, Style]:
    """The style of every class of the graph's ontology; provenance and vocabulary classes come last in the palette."""
    provenance = set().union(*(eg.subclasses(CART + c) for c in (
        "Source", "Claim", "Publisher", "VerificationStatus", "Rank", "DeprecationReason", "DecisionType", "DealType",
        "DatePrecision")))
    in_use = {cls for _, cls in eg.graph.nodes(data="cls")}
    return class_styles(list(eg.classes) + sorted(in_use - set(eg.classes)), provenance)


def script_json(data: object) -> str:
    """JSON that can sit inside a <script> element whatever its strings hold (no `</script>`, no `<!--`)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def page_data(eg: EntityGraph, focus: str | None = None) -> dict:
    """What the page's script reads: classes, nodes with positions, edges, and each entity's facts and sources."""
    g = eg.graph
    order = sorted(g, key=lambda n: (eg.label(n).lower(), n))
    index = {n: i for i, n in enumerate(order)}
    present = sorted({cls for _, cls in g.nodes(data="cls")}, key=lambda c: (eg.class_label(c).lower(), c))
    class_index = {c: i for i, c in enumerate(present)}
    styles = ontology_styles(eg)
    where = layout.positions(order, [(u, v) for u, v in g.edges()])
    props: dict[str, int] = {}
    sources: dict[str, int] = {}
    source_labels: list[str] = []

    def source(iri: str, label: str) -> int:
        if iri not in sources:
            sources[iri] = len(source_labels)
            source_labels.append(label)
        return sources[iri]

    nodes, details = [], []
    for n in order:
        a = g.nodes[n]
        x, y = where[n]
        nodes.append([network.curie(n), a["label"], class_index[a["cls"]], round(x), round(y), a["names"]])
        claims = [[source(c.source, c.source_label), c.predicate, c.value, c.quote, int(c.negated), c.rank, c.reason]
                  for c in a["claims"]]
        details.append({"facts": [list(f) for f in a["facts"]], "claims": claims} if a["facts"] or claims else None)
    edges = []
    for u, v, e in sorted(g.edges(data=True), key=lambda t: (index[t[0]], index[t[1]], t[2]["property"])):
        p = props.setdefault(e["label"], len(props))
        said = [source(s, eg.label(s) if s in g else network.curie(s)) for s in e["sources"]]
        edges.append([index[u], index[v], p, int(e["inferred"]), said, ""])
    for d in eg.disputed:
        p = props.setdefault(d.label, len(props))
        said = [source(s, network.curie(s)) for s in d.sources]
        edges.append([index[d.subject], index[d.object], p, 0, said, d.reason or "disputed"])
    source_names = _source_names(eg, sources)
    return {
        "classes": [{"label": eg.class_label(c), "curie": network.curie(c), "color": styles[c].color,
                     "border": styles[c].border, "shape": styles[c].shape, "symbol": styles[c].symbol}
                    for c in present],
        "properties": list(props),
        "sources": [source_names.get(iri, label) for iri, label in zip(sources, source_labels)],
        "nodes": nodes,
        "edges": edges,
        "details": details,
        "focus": index[focus] if focus in index else -1,
        "physics": len(order) <= PHYSICS_UP_TO,
        "large_above": LARGE_ABOVE,
    }


def _source_names(eg: EntityGraph, sources: dict[str, int]) -> dict[str, str]:
    # Edge sources are known by IRI only; claims carry the source's title: reuse it for the same IRI.
    names: dict[str, str] = {}
    for n in eg.graph:
        for c in eg.graph.nodes[n]["claims"]:
            names.setdefault(c.source, c.source_label)
    return {iri: names[iri] for iri in sources if iri in names}


def _csp_hash(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii") + "'"


def render(eg: EntityGraph, title: str, focus: str | None = None) -> str:
    """The page as one HTML document: styles, scripts and data inline; only the two known scripts may run."""
    data = page_data(eg, focus)
    vis_js = (VIS_DIR / "vis-network.min.js").read_text(encoding="utf-8")
    vis_css = (VIS_DIR / "vis-network.css").read_text(encoding="utf-8")
    page_js = (TEMPLATES / "graph.js").read_text(encoding="utf-8")
    page_css = (TEMPLATES / "graph.css").read_text(encoding="utf-8")
    for name, text, end in (("vis-network.min.js", vis_js, "</script"), ("graph.js", page_js, "</script"),
                            ("vis-network.css", vis_css, "</style"), ("graph.css", page_css, "</style")):
        if end in text.lower():
            raise KgError(f"{name} contains {end}> and cannot be inlined")
    # Scripts run only if their hash is listed: an injected element or inline handler would not run even if
    # some text ever reached the page as HTML. Nothing may be fetched, so the page works with no network.
    csp = ("default-src 'none'; "
           f"script-src {_csp_hash(vis_js)} {_csp_hash(page_js)}; "
           "style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'")
    inferred = sum(e[3] for e in data["edges"])
    disputed = sum(1 for e in data["edges"] if e[5])
    summary = (f"{len(data['nodes'])} entities, {len(data['edges']) - disputed} links "
               f"({inferred} inferred, dashed) in {len(data['classes'])} classes"
               + (f"; {disputed} disputed links (red, dotted)" if disputed else ""))
    # The document head every standalone page shares (head.html: charset, policy, viewport, title).
    template = Template((TEMPLATES / "head.html").read_text(encoding="utf-8")
                        + (TEMPLATES / "graph.html").read_text(encoding="utf-8"))
    return template.substitute(
        csp=csp, title=html.escape(title), summary=html.escape(summary), vis_css=vis_css, page_css=page_css,
        data=script_json(data), vis_js=vis_js, page_js=page_js)


@dataclass
class Page:
    """A graph page written to a file."""

    path: Path
    nodes: int
    edges: int
    inferred: int
    bytes: int
    focus: str | None
    physics: bool


def narrow(eg: EntityGraph, focus: str | None = None, depth: int = 1, classes: list[str] | None = None) -> EntityGraph:
    """The part of the graph a page shows: around `focus` (to `depth` links), of the given classes only."""
    if focus is not None:
        eg = network.around(eg, focus, depth, disputed=True)
    if classes:
        eg = network.restrict(eg, [network.resolve_class(eg, c) for c in classes], keep={focus} if focus else None)
    return eg


def write_page(engine: Engine, output: Path, prefixes: dict[str, str], focus: str | None = None, depth: int = 1,
               classes: list[str] | None = None, sources: bool = False, terms: bool = False) -> Page:
    """Read the graph from the engine and write its page to `output` (atomically, UTF-8)."""
    eg = network.load(engine, sources=sources, terms=terms)
    # `focus`: an IRI (the CLI resolves what the user typed and names --focus in its message), or a name.
    center = names.entity(engine, focus, prefixes) if focus else None
    shown = narrow(eg, center, depth, classes)
    title = "cartkg graph"
    if center:
        title += f": around {eg.label(center)}, {depth} link{'s' if depth != 1 else ''} deep"
    text = render(shown, title, center)
    raw = text.encode("utf-8")
    write_atomic(output, raw)
    g = shown.graph
    return Page(path=output, nodes=g.number_of_nodes(), edges=g.number_of_edges(),
                inferred=sum(1 for *_, i in g.edges(data="inferred") if i), bytes=len(raw), focus=center,
                physics=g.number_of_nodes() <= PHYSICS_UP_TO)
