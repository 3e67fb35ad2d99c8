"""Reads the seed folder: prefix table, statement tables (.tsv) and Turtle / N-Triples data files."""

from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pyoxigraph as ox

from kg.errors import InputError, Problem, Problems
from kg.files import check_size, read_text, refused_format
from kg.ontology import DATATYPE, OBJECT, Ontology, parse_turtle, statement_lines, syntax_problem
from kg.paths import Paths
from kg import dates, ranks
from kg.vocab import CART, CLAIM, GRAPH_ACCEPTED, RDF, RDF_TYPE, SRC, XSD

HEADER = ["subject", "predicate", "object", "source", "quote", "status", "note"]
# A table of the curation's judgements has one more column: the pages consulted, as source CURIEs.
CURATION_HEADER = HEADER + ["evidence"]
# Optional columns after those: when the statement holds (a date at day, month or year precision).
QUALIFIER_COLUMNS = ["evidence", "from", "until"]
# Derived at build time from the claims and the curation rows; a row may not state them.
DERIVED = {CART + name for name in ("rank", "deprecationReason", "reasonText", "contradictedBy", "contested", "evidence")}
STATUSES = {
    "verified": CART + "Verified",
    "partially_verified": CART + "PartiallyVerified",
    "unverified": CART + "Unverified",
    "reported": CART + "Reported",
}
NEGATION = "not "
_IRI_BAD = re.compile(r"[\s<>\"{}|\\^`]")
_CURIE = re.compile(r"^([A-Za-z][\w.-]*):(\S*)$")
_INTEGER = re.compile(r"^[+-]?\d+$")
_DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True, slots=True)
class Row:
    """One line of a statement table."""

    file: str
    line: int
    subject: str
    predicate: str
    object: str
    source: str
    quote: str
    status: str
    note: str
    evidence: str = ""
    valid_from: str = ""
    valid_until: str = ""


@dataclass
class SeedData:
    """Everything the seed folder says, ready to load into a store."""

    quads: list[ox.Quad]
    locations: dict[str, tuple[str, int]]
    rdf_files: list[tuple[Path, str, ox.NamedNode]]
    sources: dict[str, str]
    files: list[str]
    warnings: list[Problem] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # The tables' claims and accepted facts, made as N-Quads text a chunk at a time when asked for: a few
    # bytes a triple where Python term objects take hundreds (a 50 MB table is 5M quads).
    statements: list = field(default_factory=list)
    notes: dict = field(default_factory=dict)

    def nquads(self, chunk: int = 20_000):
        """The claims and accepted facts of the tables, as N-Quads, `chunk` statements at a time."""
        for i in range(0, len(self.statements), chunk):
            yield _claim_nquads(self.statements[i:i + chunk], self.notes)
        yield _accepted_nquads(self.statements)


def load_prefixes(paths: Paths) -> dict[str, str]:
    """The CURIE prefixes declared in seeds/prefixes.tsv."""
    prefixes, problems = read_prefixes(paths)
    if problems:
        raise InputError(problems)
    return prefixes


def read_prefixes(paths: Paths) -> tuple[dict[str, str], list[Problem]]:
    """The prefixes of seeds/prefixes.tsv that are well formed, and the problems of the others."""
    shown = paths.relative(paths.prefixes)
    if not paths.prefixes.exists():
        return {}, [Problem(shown, 0, "error", "the prefix table is missing")]
    prefixes: dict[str, str] = {}
    problems = Problems()
    try:
        text = read_text(paths.prefixes, shown)
    except InputError as exc:
        return {}, exc.problems
    for number, line in enumerate(text.split("\n"), start=1):
        if number == 1 or not line.strip():
            continue
        cells = line.split("\t")
        if len(cells) != 2 or not cells[0] or not cells[1]:
            problems.add(shown, number, "error", "expected two tab-separated cells: prefix, namespace")
            continue
        if cells[0] in prefixes:
            problems.add(shown, number, "error", f"prefix {cells[0]!r} is declared twice")
        prefixes[cells[0]] = cells[1]
    return prefixes, problems.items


def seed_files(paths: Paths) -> list[Path]:
    """Data files of the seed folder (texts/ and README.md are not data)."""
    return sorted(p for p in paths.require(paths.seeds).iterdir()
                  if p.is_file() and p.name != "prefixes.tsv" and p.suffix.lower() not in (".md", ".txt")
                  and not p.name.startswith("."))


def read_table(path: Path, shown: str) -> tuple[list[Row], list[Problem]]:
    """The rows of one statement table, with problems of shape (wrong header, wrong cell count)."""
    text = read_text(path, shown)
    lines = text.split("\n")
    problems: list[Problem] = []
    header = lines[0].split("\t") if lines else []
    extra = header[len(HEADER):]
    if header[:len(HEADER)] != HEADER or extra != [c for c in QUALIFIER_COLUMNS if c in extra]:
        problems.append(Problem(shown, 1, "error", "header must be: " + " ".join(HEADER) + " (tab-separated; "
                                "a table of curation judgements adds: evidence; a table may add from and until, "
                                "in that order)", "syntax"))
        return [], problems
    rows = []
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if len(cells) > len(header):
            problems.append(Problem(shown, number, "error",
                                    f"{len(cells)} cells, at most {len(header)} expected (a tab inside a cell?)", "syntax"))
            continue
        named = dict(zip(header, (c.strip() for c in cells)))
        rows.append(Row(shown, number, *(named.get(c, "") for c in HEADER), evidence=named.get("evidence", ""),
                        valid_from=named.get("from", ""), valid_until=named.get("until", "")))
    return rows, problems


class _Resolver:
    """Turns the cells of a row into RDF terms, reporting problems at the row."""

    def __init__(self, prefixes: dict[str, str], ontology: Ontology, problems: Problems):
        self.prefixes = prefixes
        self.ontology = ontology
        self.problems = problems
        known = {**ontology.properties}
        self.property_names = sorted({self.curie(iri) for iri in known} | {self.curie(iri) for iri in _builtin_iris()})
        self.class_names = sorted(self.curie(iri) for iri in ontology.classes)

    def curie(self, iri: str) -> str:
        best = ""
        for prefix, ns in self.prefixes.items():
            if iri.startswith(ns) and len(ns) > len(best):
                best, name = ns, prefix
        return f"{name}:{iri[len(best):]}" if best else f"<{iri}>"

    def iri(self, row: Row, cell: str, column: str) -> str | None:
        if cell.startswith("<") and cell.endswith(">"):
            value = cell[1:-1]
            if _IRI_BAD.search(value) or ":" not in value:
                self.problems.add(row.file, row.line, "error", f"{column}: {cell} is not an absolute IRI", "syntax")
                return None
            return value
        match = _CURIE.match(cell)
        if not match:
            self.problems.add(row.file, row.line, "error", f"{column}: expected a CURIE such as id:rese-cel or an <IRI>, got {cell!r}", "syntax")
            return None
        prefix, local = match.groups()
        if prefix not in self.prefixes:
            self.problems.add(row.file, row.line, "error",
                              f"{column}: prefix {prefix!r} is not declared in seeds/prefixes.tsv", "undeclared-prefix")
            return None
        if _IRI_BAD.search(local):
            self.problems.add(row.file, row.line, "error", f"{column}: {cell!r} has characters not allowed in an IRI", "syntax")
            return None
        return self.prefixes[prefix] + local

    def known_term(self, row: Row, kind: str, iri: str, term, names: list[str]) -> bool:
        """Report an unknown class or property (with a did-you-mean) or a deprecated one; False if unknown."""
        name = self.curie(iri)
        if term is None:
            self.problems.add(row.file, row.line, "error",
                              f"unknown {kind} {name}{self.suggest(name, names)} (declare it in ontology/ to use it)",
                              f"unknown-{kind}")
            return False
        if term.deprecated:
            better = f"; use {self.curie(term.replaced_by)}" if term.replaced_by else ""
            self.problems.add(row.file, row.line, "warn", f"{kind} {name} is deprecated{better}", "deprecated-term")
        return True

    def suggest(self, name: str, names: list[str]) -> str:
        close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
        return f"; did you mean {close[0]}?" if close else ""


def _builtin_iris() -> list[str]:
    from kg.ontology import BUILTIN_PROPERTIES

    return list(BUILTIN_PROPERTIES)


def literal(value: str, datatype: str | None) -> tuple[ox.Literal | None, str]:
    """A typed literal from a cell, or None and what is wrong with the value."""
    if not datatype or datatype in (XSD + "string", RDF + "langString", "http://www.w3.org/2000/01/rdf-schema#Literal"):
        return ox.Literal(value), ""
    short = datatype.replace(XSD, "xsd:")
    ok = True
    if datatype == XSD + "date":
        ok = bool(_DATE.match(value))
        if ok:
            try:
                date.fromisoformat(value)
            except ValueError:
                ok = False
    elif datatype == XSD + "dateTime":
        try:
            datetime.fromisoformat(value)
        except ValueError:
            ok = False
    elif datatype in (XSD + "integer", XSD + "int", XSD + "long", XSD + "nonNegativeInteger", XSD + "positiveInteger"):
        ok = bool(_INTEGER.match(value))
        if ok and datatype == XSD + "nonNegativeInteger":
            ok = int(value) >= 0
        if ok and datatype == XSD + "positiveInteger":
            ok = int(value) > 0
    elif datatype in (XSD + "decimal", XSD + "double", XSD + "float"):
        ok = bool(_DECIMAL.match(value)) or (datatype != XSD + "decimal" and value in ("INF", "-INF", "NaN"))
    elif datatype == XSD + "boolean":
        ok = value in ("true", "false", "1", "0")
    elif datatype == XSD + "anyURI":
        ok = not _IRI_BAD.search(value)
    if not ok:
        return None, f"{value!r} is not a valid {short}"
    return ox.Literal(value, datatype=ox.NamedNode(datatype)), ""


def claim_iri(subject: str, predicate: str, obj: ox.Term, source: str, negated: bool) -> ox.NamedNode:
    """A stable IRI for one source's claim of one triple."""
    key = "\x1f".join([subject, predicate, str(obj), source, "not" if negated else ""])
    return ox.NamedNode(CLAIM + hashlib.sha1(key.encode("utf-8")).hexdigest()[:20])


def file_graph(path: Path) -> ox.NamedNode:
    """The named graph (and source) of a Turtle or N-Triples seed file."""
    return ox.NamedNode(SRC + "file/" + path.name)


def _file_source(graph: ox.NamedNode, shown: str) -> list[ox.Quad]:
    # A data file is its own source: its graph is typed cart:Source and titled with its path.
    return [ox.Quad(graph, ox.NamedNode(RDF_TYPE), ox.NamedNode(CART + "Source"), graph),
            ox.Quad(graph, ox.NamedNode(CART + "title"), ox.Literal(shown), graph)]


def load_ntriples(store: ox.Store, path: Path, shown: str, graph: ox.NamedNode, in_memory: bool = False) -> None:
    """Load one N-Triples seed file into its graph; size checked first, BOM skipped, errors at their line.

    An on-disk store bulk-loads; an in-memory one loads a fifth faster with a plain load.
    """
    check_size(path, shown)
    if _names_blank_nodes(path):
        return _load_ntriples_with_stable_blank_nodes(store, path, shown, graph)
    with path.open("rb") as handle:
        # The parser rejects a byte order mark; N-Triples is UTF-8, so a BOM is noise to skip.
        if handle.read(3) != b"\xef\xbb\xbf":
            handle.seek(0)
        try:
            (store.load if in_memory else store.bulk_load)(input=handle, format=ox.RdfFormat.N_TRIPLES, to_graph=graph)
        except SyntaxError as exc:
            last = path.read_bytes().rstrip().count(b"\n") + 1
            raise InputError([syntax_problem(exc, shown, "N-Triples", last)])


def _names_blank_nodes(path: Path) -> bool:
    # "_:" anywhere, a literal's text included: a false alarm only sends the file the slower way.
    with path.open("rb") as handle:
        return any(b"_:" in chunk for chunk in iter(lambda: handle.read(1 << 20) + handle.readline(), b""))


def _load_ntriples_with_stable_blank_nodes(store: ox.Store, path: Path, shown: str, graph: ox.NamedNode) -> None:
    """Load an N-Triples file whose blank nodes keep names made from the file and their order (a store's
    loader would name them at random, so that no two builds exported the same bytes)."""
    from kg.ontology import stable_blank_nodes

    data = path.read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        # streamed into the store; a syntax error on the way fails the build, which drops the store or the graph
        store.extend(ox.Quad(t.subject, t.predicate, t.object, graph)
                     for t in stable_blank_nodes(ox.parse(data, format=ox.RdfFormat.N_TRIPLES), shown))
    except SyntaxError as exc:
        raise InputError([syntax_problem(exc, shown, "N-Triples", data.rstrip().count(b"\n") + 1)])


_NT_SUBJECT = re.compile(rb"^[ \t]*<([^>]*)>")


class Locations(dict):
    """IRI -> (file, line) where it is first stated; N-Triples files are indexed only when a lookup misses.

    Bulk N-Triples data is parsed by the store, not line by line here, so its lines are only worth
    finding when a check has something to report about an entity the other files do not locate.
    """

    def __init__(self, known: dict[str, tuple[str, int]], ntriples: list[tuple[Path, str]]):
        super().__init__(known)
        self._pending = list(ntriples)

    def _index_pending(self) -> None:
        while self._pending:
            path, shown = self._pending.pop(0)
            with path.open("rb") as handle:
                for number, line in enumerate(handle, start=1):
                    match = _NT_SUBJECT.match(line.lstrip(b"\xef\xbb\xbf") if number == 1 else line)
                    if match:
                        self.setdefault(match.group(1).decode("utf-8", "replace"), (shown, number))

    def stated(self, key: str) -> tuple[str, int] | None:
        """Where the files read row by row state `key`, without indexing the N-Triples files."""
        return super().get(key)

    def __contains__(self, key: object) -> bool:
        if not super().__contains__(key) and self._pending:
            self._index_pending()
        return super().__contains__(key)

    def __missing__(self, key: str) -> tuple[str, int]:
        if self._pending:
            self._index_pending()
            if super().__contains__(key):
                return super().__getitem__(key)
        raise KeyError(key)

    def get(self, key: str, default=None):
        return self[key] if key in self else default


def load(paths: Paths, ontology: Ontology, keep_going: bool = False, keep_row=None) -> SeedData:
    """Read every seed file; raise InputError listing every problem found.

    With keep_going, rows and files with errors are left out, the good ones are loaded, and every
    problem is in SeedData.problems (so `kg check` can run its checks on the rest and report all at once).
    `keep_row(row)`, if given, says which table rows to read (kg.asof reads the rows known on a date).
    """
    problems = Problems()
    prefixes, prefix_problems = read_prefixes(paths)
    problems.items.extend(prefix_problems)
    resolver = _Resolver(prefixes, ontology, problems)
    rows: list[Row] = []
    rdf_files: list[tuple[Path, str, ox.NamedNode]] = []
    rdf_quads: list[ox.Quad] = []
    locations: dict[str, tuple[str, int]] = {}
    files: list[str] = []
    typed: dict[str, set[str]] = {}
    for path in seed_files(paths):
        shown = paths.relative(path)
        refused = refused_format(path)
        if refused:
            problems.add(shown, 0, "error", refused, "format")
            continue
        suffix = path.suffix.lower()
        try:
            if suffix == ".tsv":
                file_rows, shape = read_table(path, shown)
                problems.items.extend(shape)
                rows.extend(r for r in file_rows if keep_row is None or keep_row(r))
            elif suffix == ".ttl":
                graph = file_graph(path)
                text = read_text(path, shown)
                file_quads, file_prefixes = parse_turtle(text, shown, graph)
                for iri, line in statement_lines(text, file_prefixes).items():
                    locations.setdefault(iri, (shown, line))
                for q in file_quads:
                    if q.predicate.value == RDF_TYPE:
                        typed.setdefault(q.subject.value, set()).add(q.object.value)
                rdf_quads.extend(file_quads + _file_source(graph, shown))
            elif suffix == ".nt":
                # N-Triples (bulk data) is parsed once, by load_ntriples into the store.
                check_size(path, shown)
                graph = file_graph(path)
                rdf_files.append((path, shown, graph))
                rdf_quads.extend(_file_source(graph, shown))
            else:
                problems.add(shown, 0, "error", "seed files are statement tables (.tsv), Turtle (.ttl) or N-Triples (.nt)", "format")
                continue
        except InputError as exc:
            problems.items.extend(exc.problems)
            continue
        files.append(shown)
    if not keep_going:
        problems.raise_if_errors()

    resolved = []
    for row in rows:
        negated = row.predicate.startswith(NEGATION)
        pred_cell = row.predicate[len(NEGATION):].strip() if negated else row.predicate
        s = resolver.iri(row, row.subject, "subject") if row.subject else None
        if not row.subject:
            problems.add(row.file, row.line, "error", "subject is empty", "syntax")
        p = RDF_TYPE if pred_cell == "a" else (resolver.iri(row, pred_cell, "predicate") if pred_cell else None)
        if not pred_cell:
            problems.add(row.file, row.line, "error", "predicate is empty", "syntax")
        resolved.append((row, negated, s, p))
        if s and p == RDF_TYPE and not negated and row.status != "unverified":
            o = resolver.iri(Row(row.file, row.line, "", "", "", "", "", "", ""), row.object, "object") if row.object else None
            if o:
                typed.setdefault(s, set()).add(o)
                locations.setdefault(s, (row.file, row.line))
    names: dict[str, set[str]] = {}  # what each entity is called, for telling whether a quote names it
    for row, negated, s, p in resolved:
        if s:
            locations.setdefault(s, (row.file, row.line))
            if p in NAMING and not negated and row.object:
                names.setdefault(s, set()).add(row.object.lower())

    sources = {s: "" for s, classes in typed.items()
               if any(ontology.is_subclass(c, CART + "Source") for c in classes)}
    for row, negated, s, p in resolved:
        if s and p == CART + "archivedText" and s in sources:
            sources[s] = row.object

    # None: the archive is not a file inside the project; an InputError: it cannot be read.
    archived: dict[str, str | None | InputError] = {}
    for source, rel in sources.items():
        if rel:
            target = (paths.root / rel).resolve()
            if paths.root.resolve() not in target.parents or not target.is_file():
                archived[source] = None
            else:
                try:
                    archived[source] = read_text(target, rel)
                except InputError as exc:
                    problems.items.extend(exc.problems)
                    archived[source] = exc

    said = _said_on(resolved)
    statements: list[ranks.Statement] = []
    notes: dict[ranks.Statement, tuple[str, str, list]] = {}
    curation = {s for s, classes in typed.items() if any(ontology.is_subclass(c, CART + "Curation") for c in classes)}
    seen: dict[tuple, str] = {}
    for row, negated, s, p in resolved:
        if not s or not p:
            continue
        prop = ontology.property(p)
        if not resolver.known_term(row, "property", p, prop, resolver.property_names):
            continue
        if not row.object:
            problems.add(row.file, row.line, "error", "object is empty", "syntax")
            continue
        if prop.kind == OBJECT:
            o_iri = resolver.iri(row, row.object, "object")
            if not o_iri:
                continue
            obj: ox.Term = ox.NamedNode(o_iri)
            if p == RDF_TYPE:
                if not resolver.known_term(row, "class", o_iri, ontology.classes.get(o_iri), resolver.class_names):
                    continue
        else:
            datatype = prop.range if prop.kind == DATATYPE else None
            lit, why = dated_literal(row, datatype, said.get(_quiet_iri(row.source, resolver.prefixes)))
            if lit is None:
                problems.add(row.file, row.line, "error", f"wrong datatype for {resolver.curie(p)}: {why}", "datatype")
                continue
            obj = lit
        if not row.source:
            problems.add(row.file, row.line, "error", "fact has no source (fill the source column)", "missing-source")
            continue
        src_iri = resolver.iri(row, row.source, "source")
        if not src_iri:
            continue
        if src_iri not in sources:
            problems.add(row.file, row.line, "error",
                         f"source {row.source} is not declared (add it to seeds/sources.tsv with a class under cart:Source)",
                         "undefined-source")
            continue
        status = row.status or "reported"
        if status not in STATUSES:
            problems.add(row.file, row.line, "error",
                         f"status {status!r} is not one of {', '.join(STATUSES)}", "status")
            continue
        text = archived.get(src_iri, "")
        if text is None:
            problems.add(row.file, row.line, "error",
                         f"archived text of {row.source} ({sources[src_iri]}) is not a file inside the project", "quote")
            continue
        if isinstance(text, InputError):
            continue  # reported once, at the archive
        if text and s != src_iri:
            if not row.quote:
                problems.add(row.file, row.line, "error",
                             f"a fact from {row.source} needs its supporting quote (the source's text is archived)", "quote")
                continue
            if row.quote not in text:
                problems.add(row.file, row.line, "error",
                             f"quote not found verbatim in {sources[src_iri]}: {row.quote[:60]!r}", "quote")
                continue
        if row.quote and not _carries(row.quote, obj, names):
            problems.add(row.file, row.line, "error", f"quote {row.quote!r} is too short to carry the fact: give the "
                         f"source's words that state it (at least {MIN_QUOTE} characters, or words naming "
                         f"{resolver.curie(obj.value) if isinstance(obj, ox.NamedNode) else repr(obj.value)})",
                         "quote-too-short")
            continue
        key = (s, p, str(obj), src_iri, negated)
        if key in seen:
            problems.add(row.file, row.line, "error", "duplicate row (same subject, predicate, object and source as "
                         f"{seen[key]}): delete one", "duplicate")
            continue
        seen[key] = f"{row.file}:{row.line}"
        if p in DERIVED:
            problems.add(row.file, row.line, "error", f"{resolver.curie(p)} is derived at build time from the claims "
                         "and the curation rows; it is never typed in a seed table", "derived-property")
            continue
        evidence = _evidence(row, resolver, sources, src_iri in curation and s != src_iri, problems)
        if evidence is None:
            continue
        qualifiers = _qualifiers(row, datatype if prop.kind != OBJECT else None, said.get(src_iri), problems)
        if qualifiers is None:
            continue
        qualified, valid = qualifiers
        statements.append(ranks.Statement(row.file, row.line, s, p, obj, src_iri, status, negated,
                                          claim_iri(s, p, obj, src_iri, negated), evidence, valid=valid))
        notes[statements[-1]] = (row.quote, row.note, qualified)

    dates, supersedes = _source_dates(statements), _superseding(statements)
    problems.items.extend(ranks.rank(statements, ranks.Axioms.read(ontology.quads, ontology.ancestors), curation,
                                     dates, supersedes, resolver.curie))

    if not keep_going:
        problems.raise_if_errors()
    return SeedData(quads=rdf_quads, statements=statements, notes=notes, locations=locations, rdf_files=rdf_files, sources=sources, files=files,
                    warnings=[w for w in problems.items if w.level != "error"], problems=problems.items)


# A quote this short carries a fact only if it names the fact's value ("DM" for the synonym DM).
MIN_QUOTE = 8
_ALNUM = re.compile(r"[^0-9a-z]+")
NAMING = {"http://www.w3.org/2000/01/rdf-schema#label", "http://www.w3.org/2004/02/skos/core#altLabel",
          *(CART + n for n in ("innName", "brandName", "codeName", "acronym", "title", "geneSymbol", "hgncId",
                               "nctId", "chictrId", "mondoId"))}


def _carries(quote: str, obj: ox.Term, names: dict[str, set[str]]) -> bool:
    """Whether a quote is long enough, or names the value it supports, to carry a fact."""
    if len(quote.strip()) >= MIN_QUOTE:
        return True
    if isinstance(obj, ox.Literal):
        keys = {obj.value}
        if obj.datatype.value == XSD + "date":
            keys.add(obj.value[:7])  # a registry's month-precision date, "2025-08"
    else:
        keys = {obj.value.rsplit("#", 1)[-1].rsplit("/", 1)[-1]} | names.get(obj.value, set())
    # Compared on letters and digits only: a registry writes "PHASE1" for "Phase 1".
    text = _ALNUM.sub("", quote.lower())
    return any(k and k in text for k in (_ALNUM.sub("", key.lower()) for key in keys))


def _evidence(row: Row, resolver: "_Resolver", sources: dict[str, str], by_curation: bool,
              problems: Problems) -> tuple[str, ...] | None:
    """The pages a curation row cites; None (and a problem) when a row names none, or names evidence it may not."""
    cells = row.evidence.split()
    if not by_curation:
        if cells:
            problems.add(row.file, row.line, "error", "evidence is for the curation's judgements (a source of class "
                         "cart:Curation); a page's own row quotes the page instead", "evidence")
            return None
        return ()
    if not cells:
        problems.add(row.file, row.line, "error", "a judgement of the curation needs its evidence: the sources "
                     "consulted, as CURIEs in the evidence column", "evidence")
        return None
    found = []
    for cell in cells:
        iri = resolver.iri(row, cell, "evidence")
        if iri is None:
            return None
        if iri not in sources:
            problems.add(row.file, row.line, "error", f"evidence {cell} is not a declared source", "evidence")
            return None
        found.append(iri)
    return tuple(found)


def _said_on(resolved) -> dict[str, "dates.Dated"]:
    """Each source's publication date as its own rows give it, at its precision (for "this year" in its rows)."""
    said = {}
    for row, negated, s, p in resolved:
        if s and p == CART + "publishedOn" and not negated and row.status != "unverified" and s not in said:
            try:
                said[s] = dates.parse(row.object)
            except dates.DateError:
                pass  # reported at the row by the datatype check
    return said


def dated_literal(row: Row, datatype: str | None, said: "dates.Dated | None") -> tuple[ox.Literal | None, str]:
    """The literal of a row's object; an xsd:date may be given at month or year precision, or as "this year"
    (resolved against the source's date): it is stored as its first day, the precision goes on the claim."""
    if datatype != XSD + "date" or _DATE.match(row.object):
        return literal(row.object, datatype)
    try:
        d = dates.parse(row.object, said=said)
    except dates.DateError as exc:
        return None, str(exc)
    return ox.Literal(d.start.isoformat(), datatype=ox.NamedNode(XSD + "date")), ""


def _quiet_iri(cell: str, prefixes: dict[str, str]) -> str:
    """The IRI a CURIE or <IRI> cell names, or "" (its problems are reported where the cell is resolved)."""
    if cell.startswith("<") and cell.endswith(">"):
        return cell[1:-1]
    prefix, sep, local = cell.partition(":")
    return prefixes[prefix] + local if sep and prefix in prefixes else ""


def _qualifiers(row: Row, datatype: str | None, source_date, problems: Problems):
    """The claim's date qualifiers (the object's precision, from, until) and its validity, or None and a problem."""
    qualified: list = []
    if datatype == XSD + "date" and not _DATE.match(row.object):
        d = dates.parse(row.object, said=source_date)
        qualified.append((ox.NamedNode(CART + "datePrecision"), ox.NamedNode(dates.PRECISIONS[d.precision])))
    valid = []
    for column, prop, cell in (("from", "validFrom", row.valid_from), ("until", "validUntil", row.valid_until)):
        if not cell:
            valid.append(None)
            continue
        try:
            d = dates.parse(cell, said=source_date)
        except dates.DateError as exc:
            problems.add(row.file, row.line, "error", f"{column}: {exc}", "datatype")
            return None
        valid.append(d)
        qualified.append((ox.NamedNode(CART + prop), ox.Literal(d.start.isoformat(), datatype=ox.NamedNode(XSD + "date"))))
        if d.precision != "day":
            qualified.append((ox.NamedNode(CART + prop + "Precision"), ox.NamedNode(dates.PRECISIONS[d.precision])))
    if valid[0] and valid[1] and valid[1].end < valid[0].start:
        problems.add(row.file, row.line, "error", f"until {valid[1].text} is before from {valid[0].text}: the "
                     "statement would hold at no time", "validity")
        return None
    return qualified, (valid[0], valid[1])


def _source_dates(statements: list[ranks.Statement]) -> dict[str, str]:
    """Each source's publication date, as its own rows give it."""
    dates: dict[str, str] = {}
    for st in statements:
        if st.predicate == CART + "publishedOn" and not st.negated and st.rank != ranks.DEPRECATED:
            dates.setdefault(st.subject, st.object.value)
    return dates


def _superseding(statements: list[ranks.Statement]) -> dict[str, set[str]]:
    """source -> every later version that supersedes it (cart:supersededBy, followed to its end)."""
    direct: dict[str, set[str]] = {}
    for st in statements:
        if st.predicate == CART + "supersededBy" and not st.negated:
            direct.setdefault(st.subject, set()).add(st.object.value)
    closed: dict[str, set[str]] = {}
    for start in direct:
        seen, todo = set(), list(direct[start])
        while todo:
            x = todo.pop()
            if x not in seen:
                seen.add(x)
                todo.extend(direct.get(x, ()))
        closed[start] = seen
    return closed


def _claim_nquads(statements: list[ranks.Statement], notes: dict[ranks.Statement, tuple[str, str]]) -> bytes:
    """Each statement as a cart:Claim in its source's graph (the triple, quote, rank and why), as N-Quads."""
    rdf_type, rdf_s, rdf_p, rdf_o = (f"<{RDF}{n}>" for n in ("type", "subject", "predicate", "object"))
    c = {n: f"<{CART}{n}>" for n in ("Claim", "statedIn", "verification", "rank", "seedFile", "seedLine", "quote",
                                     "note", "negated", "deprecationReason", "reasonText", "contested",
                                     "contradictedBy", "evidence")}
    true = f'"true"^^<{XSD}boolean>'
    lines: list[str] = []
    for st in statements:
        graph, claim = f"<{st.source}>", str(st.claim)
        quote, note, qualified = notes[st]

        def add(p: str, o: str) -> None:
            lines.append(f"{claim} {p} {o} {graph} .\n")

        add(rdf_type, c["Claim"])
        add(rdf_s, f"<{st.subject}>")
        add(rdf_p, f"<{st.predicate}>")
        add(rdf_o, str(st.object))
        add(c["statedIn"], graph)
        add(c["verification"], f"<{STATUSES[st.status]}>")
        add(c["rank"], f"<{st.rank}>")
        add(c["seedFile"], str(ox.Literal(st.file)))
        add(c["seedLine"], f'"{st.line}"^^<{XSD}integer>')
        if quote:
            add(c["quote"], str(ox.Literal(quote)))
        if note:
            add(c["note"], str(ox.Literal(note)))
        if st.negated:
            add(c["negated"], true)
        if st.reason:
            add(c["deprecationReason"], f"<{st.reason}>")
            add(c["reasonText"], str(ox.Literal(st.reason_text)))
        if st.contradicted_by:
            add(c["contested"], true)
            for other in st.contradicted_by:
                add(c["contradictedBy"], str(other.claim))
        for e in st.evidence:
            add(c["evidence"], f"<{e}>")
        for rp, ro in qualified:
            add(str(rp), str(ro))
    return "".join(lines).encode("utf-8")


def _accepted_nquads(statements: list[ranks.Statement]) -> bytes:
    """The accepted facts, each triple once: what a statement that is not deprecated says holds, as N-Quads."""
    graph, seen, lines = f"<{GRAPH_ACCEPTED}>", set(), []
    for st in statements:
        if st.negated or st.rank == ranks.DEPRECATED:
            continue
        line = f"<{st.subject}> <{st.predicate}> {st.object} {graph} .\n"
        if line not in seen:
            seen.add(line)
            lines.append(line)
    return "".join(lines).encode("utf-8")

def canonical(text: str) -> str:
    """The canonical form of a statement table: header, rows sorted, cells trimmed, LF line ends."""
    lines = text.replace("\r\n", "\n").lstrip("\ufeff").split("\n")
    header, body = lines[0], [l for l in lines[1:] if l.strip()]
    rows = []
    for line in body:
        cells = [c.strip() for c in line.split("\t")]
        while len(cells) > 1 and cells[-1] == "":
            cells.pop()
        rows.append(cells)
    rows.sort(key=lambda c: (c + [""] * 4)[:4] + c[4:])
    return "\n".join([header.strip()] + ["\t".join(c) for c in rows]) + "\n"


def tables(paths: Paths) -> list[Path]:
    """The statement tables of the seed folder."""
    return [p for p in seed_files(paths) if p.suffix.lower() == ".tsv"]
