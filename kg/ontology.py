"""Reads the ontology (ontology/*.ttl and ontology/extensions/*.ttl) strictly, and indexes its terms."""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg import names
from kg.errors import InputError, Problem, Problems
from kg.files import read_text, refused_format
from kg.ontology_guard import guard_core_terms
from kg.paths import Paths
from kg.terms import Term
from kg.vocab import GRAPH_ONTOLOGY, OWL, RDF, RDF_TYPE, RDFS, RDFS_COMMENT, RDFS_LABEL, SKOS

OBJECT, DATATYPE, ANNOTATION = "object", "datatype", "annotation"

# Properties seed tables may use without the ontology declaring them.
BUILTIN_PROPERTIES = {
    RDF_TYPE: (OBJECT, None),
    RDFS_LABEL: (ANNOTATION, None),
    RDFS_COMMENT: (ANNOTATION, None),
    SKOS + "altLabel": (ANNOTATION, None),
    SKOS + "exactMatch": (OBJECT, None),
    SKOS + "closeMatch": (OBJECT, None),
    RDFS + "seeAlso": (OBJECT, None),
    OWL + "sameAs": (OBJECT, None),
}

_STATEMENT_START = re.compile(r"^(<[^>\s]*>|[A-Za-z][\w.-]*:[\w.-]*|:[\w.-]*)")


@dataclass
class OntologyTerm:
    """A class or property of the ontology."""

    iri: str
    label: str = ""
    comment: str = ""
    file: str = ""
    line: int = 0
    deprecated: bool = False
    replaced_by: str = ""


@dataclass
class Property(OntologyTerm):
    kind: str = ANNOTATION
    domain: str | None = None
    range: str | None = None
    parents: list[str] = field(default_factory=list)


@dataclass
class OntologyClass(OntologyTerm):
    parents: list[str] = field(default_factory=list)


@dataclass
class Ontology:
    """The parsed ontology: its quads and an index of its classes and properties."""

    quads: list[ox.Quad]
    classes: dict[str, OntologyClass]
    properties: dict[str, Property]
    prefixes: dict[str, str]
    locations: dict[str, tuple[str, int]]
    files: list[str]
    problems: list[Problem] = field(default_factory=list)
    # (subject, predicate, object) in N-Triples form -> the file and line that states the triple
    stated: StatedLines = field(default_factory=lambda: StatedLines([]))

    def property(self, iri: str) -> Property | None:
        if iri in self.properties:
            return self.properties[iri]
        if iri in BUILTIN_PROPERTIES:
            kind, rng = BUILTIN_PROPERTIES[iri]
            return Property(iri=iri, kind=kind, range=rng)
        return None

    def ancestors(self, iri: str) -> set[str]:
        """The class and every class above it (reflexive, cycle-safe)."""
        seen: set[str] = set()
        todo = [iri]
        while todo:
            current = todo.pop()
            if current in seen:
                continue
            seen.add(current)
            cls = self.classes.get(current)
            if cls:
                todo.extend(cls.parents)
        return seen

    def is_subclass(self, iri: str, of: str) -> bool:
        return of in self.ancestors(iri)

    def label(self, iri: str) -> str:
        term = self.classes.get(iri) or self.properties.get(iri)
        return term.label if term and term.label else iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def ontology_files(paths: Paths) -> list[Path]:
    """The Turtle files of the ontology, core first, then extensions, each sorted by name."""
    files = sorted(p for p in paths.require(paths.ontology).glob("*") if p.is_file() and p.suffix != ".md")
    if paths.extensions.is_dir():
        files += sorted(p for p in paths.extensions.glob("*") if p.is_file() and p.suffix != ".md")
    return files


def statement_lines(text: str, prefixes: dict[str, str]) -> dict[str, int]:
    """IRI -> first line where a Turtle statement starts with it as subject (unindented)."""
    found: dict[str, int] = {}
    for number, line in enumerate(text.split("\n"), start=1):
        match = _STATEMENT_START.match(line)
        if not match or line.startswith(("@prefix", "@base", "PREFIX", "BASE")):
            continue
        token = match.group(1)
        if token.startswith("<"):
            iri = token[1:-1]
        else:
            prefix, _, local = token.partition(":")
            if prefix not in prefixes:
                continue
            iri = prefixes[prefix] + local
        found.setdefault(iri, number)
    return found


def statement_start(text: str, error_line: int) -> int | None:
    """The line where the statement holding a Turtle syntax error starts, if before the error's line.

    A parser notices a missing '.' only at the next statement, lines later. The nearest line before
    the error that starts a statement (unindented) is where the unfinished one starts if the text from
    there to the error's line, read with the file's prefixes, ends mid-statement. One small parse,
    however long the file.
    """
    lines = text.split("\n")
    if not 1 <= error_line <= len(lines):
        return None
    directives = [line for line in lines[:error_line - 1] if line.startswith(("@prefix", "@base", "PREFIX", "BASE"))]

    def starts(line: str) -> bool:
        return bool(_STATEMENT_START.match(line) or line.startswith(("[", "(", "_:"))) and line not in directives

    first = error_line - 1 if starts(lines[error_line - 1]) else error_line
    start = next((n for n in range(first, 0, -1) if starts(lines[n - 1])), None)
    if start is None or start == error_line:
        return None
    window = "\n".join(directives + lines[start - 1:error_line - 1])
    try:
        list(ox.parse(window.encode("utf-8"), format=ox.RdfFormat.TURTLE, base_iri=None))
    except SyntaxError as exc:
        # an error at the window's end: the statement from `start` runs on into the error's line
        return start if (exc.lineno or 0) >= window.rstrip().count("\n") + 1 else None
    return None


def syntax_problem(exc: SyntaxError, shown: str, language: str, last_line: int, text: str | None = None) -> Problem:
    """A parser's SyntaxError as one problem at its line; an error at the end of the file sits on its last line.

    Given the Turtle `text`, the message also names the line where the unfinished statement starts.
    """
    # "Parser error at line 2 between columns 23 and 26: <what> (line 2)": the line is in the Problem already
    message = re.sub(r"^Parser error .*?: ", "", str(exc))
    message = re.sub(r" \(line \d+\)$", "", message)
    if message == "Unexpected end":
        message = "unexpected end of file (a statement is not finished: a missing '.', ']' or ')'?)"
    elif message == "No scheme found in an absolute IRI":
        # Parsed with no base IRI on purpose: <foo> is never resolved against the file's own path.
        message = "relative IRI: write an absolute IRI (https://...) or a prefixed name; no base IRI is used"
    line = min(exc.lineno or 1, max(last_line, 1))
    start = statement_start(text, line) if text is not None else None
    if start is not None:
        message += f" (in the statement that starts at line {start})"
    return Problem(shown, line, "error", f"invalid {language}: {message}", "syntax")


def last_line(text: str) -> int:
    """The number of the last line with anything on it (1 for an empty text)."""
    return text.rstrip().count("\n") + 1


def parse_turtle(text: str, shown: str, graph: ox.NamedNode | None = None) -> tuple[list[ox.Quad], dict[str, str]]:
    """Parse Turtle strictly (no base IRI: relative IRIs are errors); SyntaxError becomes an InputError at its line."""
    parser = ox.parse(text.encode("utf-8"), format=ox.RdfFormat.TURTLE, base_iri=None)
    try:
        triples = list(parser)
    except SyntaxError as exc:
        raise InputError([syntax_problem(exc, shown, "Turtle", last_line(text), text)])
    triples = list(stable_blank_nodes(triples, shown))
    if graph is not None:
        triples = [ox.Quad(q.subject, q.predicate, q.object, graph) for q in triples]
    return triples, dict(parser.prefixes)


def stable_blank_nodes(triples, shown: str):
    """The triples with each blank node named after its file and its order of appearance.

    The parser names blank nodes at random, so every build (and every export) named the shapes'
    nodes anew; named by file and order, the same file gives the same names, and two files' `_:x`
    stay two nodes, as Turtle scopes a label to its document.
    """
    stem = "k" + hashlib.sha1(shown.encode("utf-8")).hexdigest()[:12] + "n"
    names: dict[str, ox.BlankNode] = {}

    def stable(term):
        if isinstance(term, ox.BlankNode):
            if term.value not in names:
                names[term.value] = ox.BlankNode(f"{stem}{len(names)}")
            return names[term.value]
        return term

    return (ox.Quad(stable(t.subject), t.predicate, stable(t.object), t.graph_name) if isinstance(t, ox.Quad)
            else ox.Triple(stable(t.subject), t.predicate, stable(t.object)) for t in triples)


def load(paths: Paths, keep_going: bool = False) -> Ontology:
    """Read and index every ontology file; raise InputError listing every problem.

    With keep_going, files that fail are left out and their problems are in Ontology.problems instead.
    """
    problems = Problems()
    graph = ox.NamedNode(GRAPH_ONTOLOGY)
    read: list[OntologyFile] = []
    for path in ontology_files(paths):
        shown = paths.relative(path)
        refused = refused_format(path)
        if refused or path.suffix != ".ttl":
            problems.add(shown, 0, "error", refused or "only Turtle (.ttl) files belong in ontology/", "format")
            continue
        try:
            text = read_text(path, shown)
            file_quads, file_prefixes = parse_turtle(text, shown, graph)
        except InputError as exc:
            problems.items.extend(exc.problems)
            continue
        read.append(OntologyFile(shown, path.parent != paths.ontology, text, file_quads, file_prefixes,
                                 statement_lines(text, file_prefixes)))
    refused_files = set()
    for file, found in guard_core_terms(read).items():
        problems.items.extend(found)
        refused_files.add(file)
    quads: list[ox.Quad] = []
    prefixes: dict[str, str] = {}
    locations: dict[str, tuple[str, int]] = {}
    kept = [f for f in read if f.shown not in refused_files]
    for f in kept:
        quads.extend(f.quads)
        for p, ns in f.prefixes.items():
            prefixes.setdefault(p, ns)
        for iri, line in f.lines.items():
            locations.setdefault(iri, (f.shown, line))
    if not keep_going:
        problems.raise_if_errors()
    onto = index(quads, prefixes, locations, [f.shown for f in kept])
    onto.stated = StatedLines(kept)
    onto.problems = problems.items
    return onto


class StatedLines:
    """Where the ontology files state a triple, (subject, predicate, object) in N-Triples form -> file and line.

    Looked up only for a problem's message, so each line is found when first asked for: finding the
    lines of every axiom up front cost a build more than all of its lookups.
    """

    def __init__(self, files: list[OntologyFile]):
        self.files = files
        self._quads: dict[tuple[str, str, str], tuple[OntologyFile, ox.Quad]] | None = None

    def get(self, triple: tuple[str, str, str]) -> tuple[str, int] | None:
        if self._quads is None:
            self._quads = {}
            for f in self.files:
                for q in f.quads:
                    if isinstance(q.subject, ox.NamedNode) and q.subject.value in f.lines:
                        self._quads.setdefault((str(q.subject), str(q.predicate), str(q.object)), (f, q))
        found = self._quads.get(triple)
        if found is None:
            return None
        f, q = found
        return f.shown, f.line_of(q.subject.value, q.object, q.predicate)


@dataclass
class OntologyFile:
    """One parsed ontology file: core (ontology/*.ttl) or an extension (ontology/extensions/*.ttl)."""

    shown: str
    extension: bool
    text: str
    quads: list[ox.Quad]
    prefixes: dict[str, str]
    lines: dict[str, int]

    @functools.cached_property
    def rows(self) -> list[str]:
        return self.text.split("\n")

    def line_of(self, subject: str, *terms: Term) -> int:
        """The line of `subject`'s statement that names the first of `terms` it names (else its first line)."""
        start = self.lines.get(subject, 1)
        rows = self.rows
        end = start
        while end < len(rows) and not _STATEMENT_START.match(rows[end]):
            end += 1
        for term in terms:
            names = self._names(term.value) if isinstance(term, ox.NamedNode) else []
            for number in range(start, end + 1):
                if any(re.search(rf"(?<![\w:#/<-]){re.escape(n)}(?![\w-])", rows[number - 1]) for n in names):
                    return number
        return start

    def curie(self, term: Term) -> str:
        """A term as the file would write it, for messages."""
        if isinstance(term, ox.NamedNode):
            return names.curie(term.value, self.prefixes)
        return str(term)

    def _names(self, iri: str) -> list[str]:
        names = [f"<{iri}>"]
        if iri == RDF_TYPE:
            names.append("a")
        for prefix, ns in self.prefixes.items():
            if iri.startswith(ns):
                names.append(f"{prefix}:{iri[len(ns):]}")
        return names


def index(quads: list[ox.Quad], prefixes: dict[str, str], locations: dict[str, tuple[str, int]],
          files: list[str]) -> Ontology:
    """Index the classes and properties the quads declare."""
    types: dict[str, set[str]] = {}
    values: dict[tuple[str, str], list[Term]] = {}
    for q in quads:
        s, p = q.subject.value, q.predicate.value
        if p == RDF_TYPE:
            types.setdefault(s, set()).add(q.object.value)
        values.setdefault((s, p), []).append(q.object)

    def first(s: str, p: str) -> str:
        found = values.get((s, p))
        return found[0].value if found else ""

    def all_of(s: str, p: str) -> list[str]:
        return [o.value for o in values.get((s, p), []) if isinstance(o, ox.NamedNode)]

    def fill(term: OntologyTerm) -> None:
        term.label = first(term.iri, RDFS_LABEL)
        term.comment = first(term.iri, RDFS_COMMENT)
        term.file, term.line = locations.get(term.iri, ("", 0))
        term.deprecated = first(term.iri, OWL + "deprecated").lower() in ("true", "1")
        term.replaced_by = first(term.iri, "http://purl.org/dc/terms/isReplacedBy")

    classes: dict[str, OntologyClass] = {}
    properties: dict[str, Property] = {}
    for s, kinds in types.items():
        if kinds & {OWL + "Class", RDFS + "Class"}:
            cls = OntologyClass(iri=s, parents=all_of(s, RDFS + "subClassOf"))
            fill(cls)
            classes[s] = cls
        kind = None
        if OWL + "ObjectProperty" in kinds:
            kind = OBJECT
        elif OWL + "DatatypeProperty" in kinds:
            kind = DATATYPE
        elif kinds & {OWL + "AnnotationProperty", RDF + "Property"}:
            kind = ANNOTATION
        if kind:
            prop = Property(iri=s, kind=kind, domain=first(s, RDFS + "domain") or None,
                            range=first(s, RDFS + "range") or None, parents=all_of(s, RDFS + "subPropertyOf"))
            fill(prop)
            properties[s] = prop
    return Ontology(quads=quads, classes=classes, properties=properties, prefixes=prefixes,
                    locations=locations, files=files)
