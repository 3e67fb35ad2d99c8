"""Describes the ontology for people: the class and property tree (`kg ontology`) and static HTML docs (`kg docs`)."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg import ontology as ontology_mod
from kg import shapes as shapes_mod
from kg.errors import KgError
from kg.files import write_atomic
from kg.names import curie
from kg.ontology import DATATYPE, OBJECT, Ontology, OntologyClass, Property
from kg.paths import Paths
from kg.terms import Term
from kg.vocab import CART, GRAPH_INFERRED, OWL, RDF_TYPE, RDFS_COMMENT, RDFS_LABEL, SKOS, SPARQL_PREFIXES

if TYPE_CHECKING:
    from kg.engine import Engine

ONTOLOGY_IRI = "https://w3id.org/cartkg/ontology"
ALIGNMENT_PREDICATES = {SKOS + "exactMatch": "exact match", SKOS + "closeMatch": "close match",
                        SKOS + "broadMatch": "broad match", SKOS + "narrowMatch": "narrow match",
                        OWL + "equivalentClass": "equivalent class", OWL + "equivalentProperty": "equivalent property"}
CHARACTERISTICS = ("SymmetricProperty", "TransitiveProperty", "FunctionalProperty", "InverseFunctionalProperty")
EXAMPLE_FACTS = 12


@dataclass
class ClassNode:
    """A class in the tree, with its subclasses."""

    term: OntologyClass
    children: list[ClassNode] = field(default_factory=list)
    external_parents: list[str] = field(default_factory=list)


@dataclass
class PropertyNode:
    """A property in the tree, with its subproperties."""

    term: Property
    children: list[PropertyNode] = field(default_factory=list)
    external_parents: list[str] = field(default_factory=list)


@dataclass
class Overview:
    """The ontology as a tree: version, files, classes under their superclasses, properties by kind."""

    iri: str
    version: str
    files: list[str]
    classes: list[ClassNode]
    properties: dict[str, list[PropertyNode]]
    prefixes: dict[str, str]

    def curie(self, iri: str | None) -> str:
        return curie(iri, self.prefixes) if iri else ""


def _sort_key(term) -> tuple:
    return (term.iri.rsplit("#", 1)[-1].lower(), term.iri)


def _tree(nodes: dict) -> list:
    """Hang each node under its parents among `nodes` (sorted); return the nodes with no such parent."""
    roots = []
    for iri, node in sorted(nodes.items(), key=lambda kv: _sort_key(kv[1].term)):
        inside = [p for p in node.term.parents if p in nodes and p != iri]
        node.external_parents = [p for p in node.term.parents if p not in nodes]
        for parent in inside:
            nodes[parent].children.append(node)
        if not inside:
            roots.append(node)
    return roots


def overview(onto: Ontology) -> Overview:
    """Arrange the ontology's classes and properties as trees (a term under its parents in the ontology)."""
    prefixes = {**SPARQL_PREFIXES, **onto.prefixes}
    version = ""
    for q in onto.quads:
        if q.subject.value == ONTOLOGY_IRI and q.predicate.value == OWL + "versionInfo":
            version = q.object.value

    class_roots = _tree({iri: ClassNode(c) for iri, c in onto.classes.items()})
    by_kind: dict[str, list[PropertyNode]] = {OBJECT: [], DATATYPE: [], "annotation": []}
    for node in _tree({iri: PropertyNode(p) for iri, p in onto.properties.items()}):
        by_kind.setdefault(node.term.kind, []).append(node)
    return Overview(iri=ONTOLOGY_IRI, version=version, files=onto.files, classes=class_roots,
                    properties={k: v for k, v in by_kind.items() if v}, prefixes=prefixes)


def load_overview(paths: Paths) -> Overview:
    """Read the ontology and arrange it as a tree."""
    return overview(ontology_mod.load(paths))


# ---------------------------------------------------------------- the HTML documentation


@dataclass
class Example:
    """One instance of a class from the built graph, with some of its facts (labels, not IRIs)."""

    iri: str
    label: str
    facts: list[tuple[str, str]]


@dataclass
class GraphFacts:
    """What the built graph says about the ontology's terms: instance counts, uses, an example per class."""

    counts: dict[str, int] = field(default_factory=dict)
    uses: dict[str, int] = field(default_factory=dict)
    examples: dict[str, Example] = field(default_factory=dict)


def graph_facts(engine: Engine, onto: Ontology) -> GraphFacts:
    """Instance counts per class (subclass instances included), uses per property, and one example per class."""
    from kg.names import labels

    found = GraphFacts()
    for row in engine.select("SELECT ?c (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a ?c } GROUP BY ?c").rows:
        if row[0] is not None and row[0].value in onto.classes:
            found.counts[row[0].value] = int(row[1].value)
    for row in engine.select("SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p").rows:
        if row[0] is not None and row[0].value in onto.properties:
            found.uses[row[0].value] = int(row[1].value)
    picked: dict[str, str] = {}
    for cls in sorted(found.counts):
        # The example is an instance typed with the class itself where there is one, labelled first.
        rows = engine.select(f"""
            SELECT ?c ?x ?direct ?label WHERE {{
              ?x a ?c .
              OPTIONAL {{ ?x rdfs:label ?l }}
              BIND(COALESCE(STR(?l), "") AS ?label)
              BIND(EXISTS {{ GRAPH ?g {{ ?x a ?c }} FILTER(?g != <{GRAPH_INFERRED}>) }} AS ?direct)
              FILTER(isIRI(?x))
            }} ORDER BY DESC(?direct) (?label = "") ?label ?x LIMIT 1""", {"c": ox.NamedNode(cls)}).rows
        if rows:
            picked[cls] = rows[0][1].value
    facts: dict[str, list[tuple[Term, Term]]] = {}
    for iri in sorted(set(picked.values())):
        rows = engine.select(f"""
            SELECT DISTINCT ?x ?p ?o WHERE {{
              GRAPH ?g {{ ?x ?p ?o }} FILTER(?g != <{GRAPH_INFERRED}>)
            }} ORDER BY (?p != rdf:type) ?p ?o LIMIT {EXAMPLE_FACTS}""",
                             {"x": ox.NamedNode(iri)}).rows
        # ?p and ?o are bound in every row: the test only narrows the cells' type
        facts[iri] = [(p, o) for _, p, o in rows if p is not None and o is not None]
    linked = {t.value for pairs in facts.values() for pair in pairs for t in pair if isinstance(t, ox.NamedNode)}
    names = labels(engine, set(picked.values()) | linked)
    prefixes = {**SPARQL_PREFIXES, **onto.prefixes}

    def show(term: Term) -> str:
        if not isinstance(term, ox.NamedNode):
            return term.value
        if term.value in onto.classes or term.value in onto.properties:
            return onto.label(term.value)
        return names.get(term.value) or curie(term.value, prefixes)

    for cls, iri in picked.items():
        found.examples[cls] = Example(iri=iri, label=names.get(iri, curie(iri, prefixes)),
                                      facts=[(show(p), show(o)) for p, o in facts.get(iri, [])])
    return found


def _text(value: str) -> str:
    return html.escape(value, quote=True)


def anchor(iri: str, prefixes: dict[str, str]) -> str:
    """The fragment id of a term on the page: its CURIE with characters outside [A-Za-z0-9_-] replaced."""
    return re.sub(r"[^A-Za-z0-9_-]", "-", curie(iri, prefixes).strip("<>"))


class _Page:
    """Builds the HTML of the documentation page; every string from the ontology or the graph is escaped."""

    def __init__(self, onto: Ontology, view: Overview, shapes: list[shapes_mod.Shape], facts: GraphFacts | None):
        self.onto, self.view, self.shapes, self.facts = onto, view, shapes, facts
        self.prefixes = view.prefixes
        self.values: dict[str, dict[str, list[Term]]] = {}
        for q in onto.quads:
            self.values.setdefault(q.subject.value, {}).setdefault(q.predicate.value, []).append(q.object)
        self.out: list[str] = []

    def curie(self, iri: str | None) -> str:
        return curie(iri, self.prefixes) if iri else ""

    def ref(self, iri: str | None) -> str:
        """A link to a term on this page, or its CURIE (linked when it is an http(s) IRI elsewhere)."""
        if not iri:
            return "—"
        if iri in self.onto.classes or iri in self.onto.properties or any(s.iri == iri for s in self.shapes):
            name = self.onto.label(iri) if (iri in self.onto.classes or iri in self.onto.properties) else ""
            title = f' title="{_text(name)}"' if name else ""
            return f'<a href="#{anchor(iri, self.prefixes)}"{title}><code>{_text(self.curie(iri))}</code></a>'
        if iri.startswith(("http://", "https://")):
            return f'<a href="{_text(iri)}" rel="noopener"><code>{_text(self.curie(iri))}</code></a>'
        return f"<code>{_text(self.curie(iri))}</code>"

    def w(self, line: str) -> None:
        self.out.append(line)

    def constraint_rows(self, pairs: list[tuple[shapes_mod.Shape, shapes_mod.Constraint]]) -> None:
        if not pairs:
            self.w("<p class='muted'>No shape constrains it.</p>")
            return
        self.w("<table><tr><th>property</th><th>rule</th><th>level</th><th>message</th><th>shape</th></tr>")
        for shape, c in pairs:
            rules = [f"{k} {_text(v)}" for k, v in c.counts.items()]
            rules += [f"{k} {self.ref(v)}" for k, v in c.terms.items()]
            if c.pattern:
                rules.append(f"pattern <code>{_text(c.pattern)}</code>")
            path = self.ref(c.path) if c.path else "<em>the node itself</em>"
            self.w(f"<tr><td>{path}</td><td>{', '.join(rules)}</td><td class='{c.level}'>{c.level}</td>"
                   f"<td>{_text(c.message)}</td><td>{self.ref(shape.iri)}</td></tr>")
        self.w("</table>")

    def alignments(self, iri: str, external_parents: list[str], relation: str) -> list[str]:
        found = [f"{relation} {self.ref(p)}" for p in external_parents]
        for pred, name in ALIGNMENT_PREDICATES.items():
            found += [f"{name} {self.ref(o.value)}" for o in self.values.get(iri, {}).get(pred, [])
                      if isinstance(o, ox.NamedNode)]
        return found

    def term_head(self, term, kind: str) -> None:
        self.w(f'<section class="term" id="{anchor(term.iri, self.prefixes)}">')
        dep = " <span class='deprecated'>deprecated</span>" if term.deprecated else ""
        name, shown = _text(term.label or self.curie(term.iri)), _text(self.curie(term.iri))
        self.w(f"<h3>{name} <small>{kind} <code>{shown}</code></small>{dep}</h3>")
        self.w(f"<p>{_text(term.comment) if term.comment else '<em>no rdfs:comment</em>'}</p>")
        if term.deprecated:
            better = f" Use {self.ref(term.replaced_by)} instead." if term.replaced_by else ""
            self.w(f"<p class='deprecated'>Deprecated: data using it still loads, with a warning.{better}</p>")
        self.w(f"<p class='muted'>IRI <code>{_text(term.iri)}</code>; "
               f"defined in <code>{_text(term.file)}:{term.line}</code></p>")

    def class_section(self, node: ClassNode) -> None:
        term = node.term
        self.term_head(term, "class")
        rows = []
        inside = [p for p in term.parents if p in self.onto.classes]
        rows.append(("superclasses", ", ".join(self.ref(p) for p in inside) or "—"))
        rows.append(("subclasses", ", ".join(self.ref(c.term.iri) for c in node.children) or "—"))
        rows.append(("alignments", "; ".join(self.alignments(term.iri, node.external_parents, "subclass of")) or "—"))
        above = self.onto.ancestors(term.iri)
        domain = [p for p in self.onto.properties.values() if p.domain in above]
        ranges = [p for p in self.onto.properties.values() if p.range in above]
        rows.append(("properties (as domain, own and inherited)",
                     ", ".join(self.ref(p.iri) for p in sorted(domain, key=_sort_key)) or "—"))
        rows.append(("used as range by", ", ".join(self.ref(p.iri) for p in sorted(ranges, key=_sort_key)) or "—"))
        members = sorted(s for s, props in self.values.items()
                         if ox.NamedNode(term.iri) in props.get(RDF_TYPE, []) and s not in self.onto.classes)
        if members:
            rows.append(("members defined in the ontology", ", ".join(
                f"<code>{_text(self.curie(m))}</code> ({_text(self._label(m))})" for m in members)))
        if self.facts is not None:
            rows.append(("instances in the built graph", str(self.facts.counts.get(term.iri, 0))))
        self.w("<table class='facts'>" + "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows) + "</table>")
        self.w("<h4>Shape: what a valid instance looks like</h4>")
        self.constraint_rows(shapes_mod.for_class(self.shapes, self.onto, term.iri))
        if self.facts is not None:
            example = self.facts.examples.get(term.iri)
            self.w("<h4>Example instance</h4>")
            if example:
                self.w(f"<p><strong>{_text(example.label)}</strong> <code>{_text(self.curie(example.iri))}</code></p>")
                self.w("<table>" + "".join(f"<tr><td>{_text(p)}</td><td>{_text(o)}</td></tr>" for p, o in example.facts)
                       + "</table>")
            else:
                self.w("<p class='muted'>No instance in the built graph.</p>")
        self.w("</section>")
        for child in node.children:
            self.class_section(child)

    def _label(self, iri: str) -> str:
        found = self.values.get(iri, {}).get(RDFS_LABEL)
        return found[0].value if found else ""

    def property_section(self, node: PropertyNode) -> None:
        term = node.term
        self.term_head(term, f"{term.kind} property")
        kinds = [t.value.rsplit("#", 1)[-1] for t in self.values.get(term.iri, {}).get(RDF_TYPE, [])]
        rows = [("domain", self.ref(term.domain)), ("range", self.ref(term.range)),
                ("superproperties", ", ".join(self.ref(p) for p in term.parents if p in self.onto.properties) or "—"),
                ("subproperties", ", ".join(self.ref(c.term.iri) for c in node.children) or "—"),
                ("characteristics", ", ".join(k for k in kinds if k in CHARACTERISTICS) or "—"),
                ("alignments", "; ".join(self.alignments(term.iri, node.external_parents, "subproperty of")) or "—")]
        if self.facts is not None:
            rows.append(("uses in the built graph", str(self.facts.uses.get(term.iri, 0))))
        self.w("<table class='facts'>" + "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows) + "</table>")
        self.w("<h4>Shapes on its uses</h4>")
        self.constraint_rows(shapes_mod.for_property(self.shapes, term.iri))
        self.w("</section>")
        for child in node.children:
            self.property_section(child)

    def toc(self, nodes, depth: int = 0) -> None:
        self.w("<ul>")
        for node in nodes:
            name = _text(node.term.label or self.curie(node.term.iri))
            self.w(f"<li><a href='#{anchor(node.term.iri, self.prefixes)}'>{name}</a>")
            if node.children:
                self.toc(node.children, depth + 1)
            self.w("</li>")
        self.w("</ul>")

    def render(self) -> str:
        view = self.view
        n_classes, n_props = len(self.onto.classes), len(self.onto.properties)
        self.w("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>")
        self.w(f"<title>cartkg ontology {_text(view.version)}</title><style>{CSS}</style></head><body>")
        self.w("<nav><h2>Classes</h2>")
        self.toc(view.classes)
        for kind, nodes in view.properties.items():
            self.w(f"<h2>{_text(kind.capitalize())} properties</h2>")
            self.toc(nodes)
        self.w("<h2><a href='#shapes'>Shapes</a></h2><h2><a href='#alignments'>Alignments</a></h2></nav><main>")
        self.w(f"<h1>cartkg ontology <small>version {_text(view.version or 'unknown')}</small></h1>")
        comment = self.values.get(ONTOLOGY_IRI, {}).get(RDFS_COMMENT)
        if comment:
            self.w(f"<p>{_text(comment[0].value)}</p>")
        self.w(f"<p>{n_classes} classes, {n_props} properties, {len(self.shapes)} shapes, from "
               + ", ".join(f"<code>{_text(f)}</code>" for f in view.files) + ". Namespace "
               f"<code>{_text(CART)}</code> (prefix <code>cart:</code>). Generated by <code>kg docs</code>.</p>")
        if self.facts is None:
            self.w("<p class='muted'>No built graph was found: run <code>kg build</code> and then "
                   "<code>kg docs</code> again to see instance counts and examples.</p>")
        self.w("<h2>Classes</h2>")
        for node in view.classes:
            self.class_section(node)
        for kind, nodes in view.properties.items():
            self.w(f"<h2>{_text(kind.capitalize())} properties</h2>")
            for prop_node in nodes:
                self.property_section(prop_node)
        self.w("<h2 id='shapes'>Shapes</h2>")
        for shape in self.shapes:
            targets = ([f"instances of {self.ref(c)}" for c in shape.target_classes]
                       + [f"subjects of {self.ref(p)}" for p in shape.target_subjects_of]
                       + [f"objects of {self.ref(p)}" for p in shape.target_objects_of])
            self.w(f"<section class='term' id=\"{anchor(shape.iri, self.prefixes)}\">"
                   f"<h3><code>{_text(self.curie(shape.iri))}</code> <small>checks {', '.join(targets)}; "
                   f"<code>{_text(shape.file)}:{shape.line}</code></small></h3>")
            self.constraint_rows([(shape, c) for c in shape.constraints])
            self.w("</section>")
        self.w("<h2 id='alignments'>Alignments</h2><table><tr><th>term</th><th>alignment</th></tr>")
        for node_iri, parents in [(c.iri, [p for p in c.parents if p not in self.onto.classes])
                                  for c in sorted(self.onto.classes.values(), key=_sort_key)] + \
                                 [(p.iri, [q for q in p.parents if q not in self.onto.properties])
                                  for p in sorted(self.onto.properties.values(), key=_sort_key)]:
            relation = "subclass of" if node_iri in self.onto.classes else "subproperty of"
            for text in self.alignments(node_iri, parents, relation):
                self.w(f"<tr><td>{self.ref(node_iri)}</td><td>{text}</td></tr>")
        self.w("</table></main></body></html>")
        return "\n".join(self.out) + "\n"


# The page's style sheet, inlined into it (the page works offline).
CSS = (Path(__file__).resolve().parent / "templates" / "ontology-docs.css").read_text(encoding="utf-8")


@dataclass
class DocsReport:
    """What `kg docs` wrote."""

    files: list[Path]
    classes: int
    properties: int
    shapes: int
    with_graph: bool


def write_docs(paths: Paths, out: Path, engine: Engine | None = None) -> DocsReport:
    """Write the ontology's HTML documentation into `out`, with instance counts and examples read from
    `engine` when there is a graph to read."""
    onto = ontology_mod.load(paths)
    view = overview(onto)
    shapes = shapes_mod.read_shapes(onto)
    facts = graph_facts(engine, onto) if engine is not None else None
    page = _Page(onto, view, shapes, facts).render()
    if out.exists() and not out.is_dir():
        raise KgError(f"{out} exists and is not a folder")
    index = out / "index.html"
    write_atomic(index, page)
    return DocsReport(files=[index], classes=len(onto.classes), properties=len(onto.properties),
                      shapes=len(shapes), with_graph=facts is not None)
