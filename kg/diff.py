"""What changed between two builds of the graph: a typed list of changes, each naming its sources.

A build is a store folder, a build folder (with `current`), a project folder (with `build/current`)
or a git revision of the project, built into a temporary folder from `git archive`.
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import subprocess
import tarfile
import tempfile
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pyoxigraph as ox

from kg.errors import InputError, KgError, Problem
from kg.paths import Paths
from kg.store import select, side_by_side
from kg.vocab import CART, CLAIM, GRAPH_ACCEPTED, GRAPH_INFERRED, GRAPH_ONTOLOGY, RDF_TYPE, RDFS_LABEL

FORMATS = ("text", "md", "json", "atom")
# The kinds of change, in the order reports list them, with their headings.
KINDS = {
    "entity-added": "entities added",
    "entity-removed": "entities removed",
    "source-added": "sources added",
    "approval": "new approvals",
    "designation": "new designations",
    "decision": "other new regulatory decisions",
    "stage": "development stage changes",
    "phase": "phase transitions",
    "status": "status changes",
    "date-slipped": "primary completion dates that slipped",
    "date-advanced": "primary completion dates moved earlier",
    "dispute-opened": "disputes opened",
    "dispute-resolved": "disputes resolved",
}
APPROVALS = {CART + n for n in ("Approval", "AcceleratedApproval", "ConditionalApproval")}
DESIGNATIONS = {CART + n for n in ("FastTrack", "RMAT", "OrphanDrug", "BreakthroughTherapy", "PRIME", "PriorityReview")}
TRACKED = {CART + "developmentStage": "stage", CART + "phase": "phase", CART + "status": "status",
           CART + "primaryCompletionDate": "date"}
DISPUTE_REASONS = {CART + "ContradictedByReference", CART + "RejectedByCuration"}
_NOT_FACTS = f"FILTER(?g != <{GRAPH_INFERRED}> && ?g != <{GRAPH_ONTOLOGY}>)"


@dataclass(frozen=True)
class Change:
    """One change: what kind, about which entity, the value before and after, and who says so."""

    kind: str
    entity: str
    before: str = ""
    after: str = ""
    sources: tuple[str, ...] = ()
    # The triple behind it, to find its sources: (subject, predicate, object) in N-Triples form, in the build it is in.
    triple: tuple[str, str, str] | None = field(default=None, compare=False, repr=False)
    in_old: bool = field(default=False, compare=False, repr=False)


@dataclass
class Snapshot:
    """What one build holds that a report compares."""

    entities: dict[str, set[str]]
    sources: set[str]
    values: dict[tuple[str, str], set[str]]  # (subject, property) -> objects in N-Triples form
    decisions: dict[str, tuple[str, str]]
    disputes: dict[str, tuple[ox.Term, ox.Term, ox.Term, str]]


@dataclass
class Report:
    """The changes from OLD to NEW, with the names and pages of everything they mention."""

    old: str
    new: str
    changes: list[Change]
    labels: dict[str, str]
    urls: dict[str, str]

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for c in self.changes:
            counts[c.kind] = counts.get(c.kind, 0) + 1
        return counts


def read_snapshot(store: ox.Store) -> Snapshot:
    """The entities, sources, tracked values, decisions and disputes of a store."""
    entities: dict[str, set[str]] = {}
    for s, c in select(store, f"SELECT ?s ?c WHERE {{ GRAPH ?g {{ ?s a ?c }} {_NOT_FACTS} FILTER(isIRI(?s)) }}"):
        if c.value != CART + "Claim":
            entities.setdefault(s.value, set()).add(c.value)
    sources = {row[0].value for row in select(store, "SELECT DISTINCT ?s WHERE { ?s a cart:Source }")}
    values: dict[tuple[str, str], set[str]] = {}  # (subject, property) -> objects in N-Triples form
    props = " ".join(f"<{p}>" for p in TRACKED)
    for s, p, o in select(store, f"SELECT ?s ?p ?o WHERE {{ VALUES ?p {{ {props} }} GRAPH ?g {{ ?s ?p ?o }} {_NOT_FACTS} }}"):
        values.setdefault((s.value, p.value), set()).add(str(o))
    decisions = {d.value: (t.value, f.value if f is not None else "") for d, t, f in select(store, """
        SELECT ?d ?t ?f WHERE { ?d a cart:RegulatoryDecision ; cart:decisionType ?t OPTIONAL { ?d cart:decisionFor ?f } }""")}
    disputes = {}
    for c, s, p, o, src, why in select(store, """
            SELECT ?c ?s ?p ?o ?src ?why WHERE { ?c cart:rank cart:DeprecatedRank ; cart:deprecationReason ?why ;
              rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; cart:statedIn ?src }"""):
        if why.value in DISPUTE_REASONS:
            disputes[c.value] = (s, p, o, src.value)
    return Snapshot(entities, sources, values, decisions, disputes)


def compare(old: Snapshot, new: Snapshot) -> list[Change]:
    """The changes from `old` to `new`, without their sources yet."""
    changes: list[Change] = []
    a = f"<{RDF_TYPE}>"
    for e in sorted(new.entities.keys() - old.entities.keys()):
        cls = sorted(new.entities[e])[0]
        triple = (f"<{e}>", a, f"<{cls}>")
        if e in new.sources:
            changes.append(Change("source-added", e, after=cls, sources=(e,), triple=triple))
        elif e in new.decisions:
            kind, what = new.decisions[e]
            grade = "approval" if kind in APPROVALS else "designation" if kind in DESIGNATIONS else "decision"
            changes.append(Change(grade, e, after=kind, triple=(f"<{e}>", f"<{CART}decisionType>", f"<{kind}>")))
        else:
            changes.append(Change("entity-added", e, after=cls, triple=triple))
    for e in sorted(old.entities.keys() - new.entities.keys()):
        cls = sorted(old.entities[e])[0]
        changes.append(Change("entity-removed", e, before=cls, triple=(f"<{e}>", a, f"<{cls}>"),
                              in_old=True))
    both = old.entities.keys() & new.entities.keys()
    for (s, p) in sorted(old.values.keys() | new.values.keys()):
        if s not in both:
            continue
        was, now = old.values.get((s, p), set()), new.values.get((s, p), set())
        if was == now:
            continue
        kind = TRACKED[p]
        before, after = _shown_values(was), _shown_values(now)
        if kind == "date":
            if not was or not now:
                continue  # a date first recorded or no longer recorded has not moved
            kind = "date-slipped" if max(map(_lexical, now)) > max(map(_lexical, was)) else "date-advanced"
        gone = not now
        triple = (f"<{s}>", f"<{p}>", min(was if gone else now))
        changes.append(Change(kind, s, before=before, after=after, triple=triple, in_old=gone))
    for c in sorted(new.disputes.keys() - old.disputes.keys()):
        s, p, o, src = new.disputes[c]
        changes.append(Change("dispute-opened", s.value, after=_claim_text(p, o), sources=(src,)))
    for c in sorted(old.disputes.keys() - new.disputes.keys()):
        s, p, o, src = old.disputes[c]
        changes.append(Change("dispute-resolved", s.value, before=_claim_text(p, o), sources=(src,)))
    return changes


def _shown_values(values: set[str]) -> str:
    return " / ".join(sorted(map(_lexical, values)))


def _lexical(nt: str) -> str:
    """The lexical form of a term in N-Triples form (an IRI's IRI)."""
    if nt.startswith("<"):
        return nt[1:-1]
    end = nt.rindex('"')
    return nt[1:end] if "\\" not in nt else json.loads(nt[:end + 1])


def _claim_text(p: ox.Term, o: ox.Term) -> str:
    return f"{p.value} {o.value}"


def _sources_of(store: ox.Store, triples: list[tuple], chunk: int = 400) -> dict[tuple, set[str]]:
    """(s, p, o) -> the sources that state it: the claims that are not deprecated, and the data files that hold it."""
    found: dict[tuple, set[str]] = {}
    for i in range(0, len(triples), chunk):
        part = triples[i:i + chunk]
        rows = " ".join(f"({s} {p} {o})" for s, p, o in part)
        for s, p, o, src in select(store, f"""
                SELECT ?s ?p ?o ?src WHERE {{ VALUES (?s ?p ?o) {{ {rows} }}
                  {{ ?c rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; cart:statedIn ?src ; cart:rank ?r
                     FILTER(?r != cart:DeprecatedRank) }}
                  UNION {{ GRAPH ?src {{ ?s ?p ?o }}
                           FILTER(?src != <{GRAPH_ACCEPTED}> && ?src != <{GRAPH_INFERRED}> && ?src != <{GRAPH_ONTOLOGY}>) }} }}"""):
            found.setdefault((str(s), str(p), str(o)), set()).add(src.value)
    return found


def _names(store: ox.Store, iris: set[str], chunk: int = 500) -> tuple[dict[str, str], dict[str, str]]:
    """rdfs:label (or cart:title) and cart:url of each IRI that has them."""
    labels, urls = {}, {}
    ordered = sorted(iris)
    for i in range(0, len(ordered), chunk):
        values = " ".join(f"<{x}>" for x in ordered[i:i + chunk])
        for x, label, url in select(store, f"""SELECT ?x (MIN(STR(?l)) AS ?label) (MIN(STR(?u)) AS ?url) WHERE {{
                VALUES ?x {{ {values} }} OPTIONAL {{ ?x rdfs:label|cart:title ?l }} OPTIONAL {{ ?x cart:url ?u }}
              }} GROUP BY ?x"""):
            if label is not None:
                labels[x.value] = label.value
            if url is not None:
                urls[x.value] = url.value
    return labels, urls


def neighbourhood(stores: list[ox.Store], watched: set[str]) -> set[str]:
    """The watched entities and every entity one link from them, in either build (claims and classes left out)."""
    found = set(watched)
    ordered = sorted(watched)
    for store in stores:
        for i in range(0, len(ordered), 300):
            values = " ".join(f"<{x}>" for x in ordered[i:i + 300])
            for (x,) in select(store, f"""SELECT DISTINCT ?x WHERE {{ VALUES ?w {{ {values} }}
                    {{ ?x ?p ?w }} UNION {{ ?w ?p ?x FILTER(?p != rdf:type) }}
                    FILTER(isIRI(?x) && !STRSTARTS(STR(?x), "{CLAIM}")) }}"""):
                found.add(x.value)
    return found


def diff_stores(old: ox.Store, new: ox.Store, old_name: str, new_name: str,
                watched: set[str] | None = None) -> Report:
    """The typed changes from the store `old` to the store `new`, limited to `watched` and its neighbours if given."""
    changes = compare(*side_by_side(read_snapshot, [old, new]))
    if watched is not None:
        keep = neighbourhood([old, new], watched)
        changes = [c for c in changes if c.entity in keep]
    found_old, found_new = side_by_side(
        lambda side: _sources_of(side[0], [c.triple for c in changes if c.triple is not None and c.in_old == side[1]
                                           and not c.sources]), [(old, True), (new, False)])
    changes = [c if c.sources or c.triple is None else
               Change(c.kind, c.entity, c.before, c.after, tuple(sorted((found_old if c.in_old else found_new)
                                                                       .get(c.triple, ()))), c.triple, c.in_old)
               for c in changes]
    order = list(KINDS)
    changes.sort(key=lambda c: (order.index(c.kind), c.entity, c.before, c.after))
    iris = {c.entity for c in changes} | {s for c in changes for s in c.sources}
    iris |= {part for c in changes for v in (c.before, c.after) for part in v.split(" ", 1)
             if part.startswith(("http://", "https://")) and not any(ch in part for ch in ' <>"{}|^`\\')}
    labels, urls = _names(new, iris)
    old_labels, old_urls = _names(old, iris - labels.keys()) if iris - labels.keys() else ({}, {})
    return Report(old_name, new_name, changes, {**old_labels, **labels}, {**old_urls, **urls})


# ---------------------------------------------------------------- opening builds and revisions


class _Elsewhere(Paths):
    """A project whose build folder is given, whatever $KG_BUILD_DIR says."""

    def __init__(self, root: Path, build: Path):
        super().__init__(root)
        object.__setattr__(self, "_build", build)

    @property
    def build(self) -> Path:
        return self._build


def store_folder(path: Path) -> Path | None:
    """The store folder a path names: a store, a build folder with `current`, or a project with `build/current`."""
    for candidate in (path / "build" / "current", path / "current", path):
        if candidate.is_dir() and (candidate / "CURRENT").is_file():
            return candidate.resolve()
    return None


def revision(paths: Paths, name: str) -> str | None:
    """The commit git knows by `name` in the project's repository, or None."""
    try:
        done = subprocess.run(["git", "-C", str(paths.root), "rev-parse", "--verify", "--quiet", f"{name}^{{commit}}"],
                              capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 and done.stdout.strip() else None


def build_revision(paths: Paths, commit: str, name: str, into: Path) -> Path:
    """Build the project as it was at `commit` into the folder `into`; return the store folder."""
    from kg import build as build_mod

    root = into / "project"
    root.mkdir(parents=True)
    done = subprocess.run(["git", "-C", str(paths.root), "archive", "--format=tar", commit, "ontology", "seeds", "queries"],
                          capture_output=True, timeout=300)
    if done.returncode != 0:
        raise KgError(f"{name}: git archive failed: {done.stderr.decode('utf-8', 'replace').strip().splitlines()[-1:]}")
    with tarfile.open(fileobj=io.BytesIO(done.stdout)) as tar:
        # The "data" filter refuses links and paths that leave the folder (Pythons before 3.10.12 lack it;
        # the archive is git's own, of this repository).
        tar.extractall(root, **({"filter": "data"} if hasattr(tarfile, "data_filter") else {}))
    try:
        build_mod.build(_Elsewhere(root, into / "build"), shacl=False)
    except InputError as exc:
        first = exc.problems[0] if exc.problems else Problem("", 0, "error", "it does not build")
        raise InputError([Problem(f"{name}:{first.file}", first.line, first.level,
                                  f"the project at this revision does not build: {first.message}", first.check)])
    return (into / "build" / "current").resolve()


def open_build(paths: Paths, name: str, stack: ExitStack, progress=lambda _: None) -> ox.Store:
    """The store a name means: a folder holding a build, else a git revision built into a temporary folder."""
    given = Path(name)
    if given.exists():
        folder = store_folder(given)
        if folder is None:
            raise KgError(f"{name}: no built store in this folder (give a store folder, a build folder or a project "
                          "folder that `kg build` has built)")
        return ox.Store.read_only(str(folder))
    commit = revision(paths, name)
    if commit is None:
        raise KgError(f"{name}: neither a folder holding a build nor a revision git knows in {paths.root}")
    progress(f"building {name} ({commit[:10]})")
    tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="kg-diff-")))
    return ox.Store.read_only(str(build_revision(paths, commit, name, tmp)))


def read_watch(paths: Paths, file: Path, stores: list[ox.Store], prefixes: dict[str, str]) -> set[str]:
    """The entities a watch file lists, one a line (CURIE, <IRI> or exact name; # starts a comment)."""
    shown = paths.relative(file)
    try:
        lines = file.read_text(encoding="utf-8").split("\n")
    except (OSError, UnicodeDecodeError) as exc:
        raise KgError(f"{shown}: cannot read the watch list: {exc}")
    found: set[str] = set()
    for number, raw in enumerate(lines, start=1):
        line = raw.split("#", 1)[0].strip() if not raw.strip().startswith("<") else raw.strip()
        if not line:
            continue
        iri = _iri_of(line, stores, prefixes)
        if iri is None:
            raise InputError([Problem(shown, number, "error", f"{line!r} names no entity in either build "
                                      "(give a CURIE such as id:rese-cel, an <IRI> or an entity's exact name)", "watch")])
        found.add(iri)
    return found


def _iri_of(name: str, stores: list[ox.Store], prefixes: dict[str, str]) -> str | None:
    if name.startswith("<") and name.endswith(">"):
        candidates = [name[1:-1]]
    else:
        prefix, sep, local = name.partition(":")
        candidates = [prefixes[prefix] + local] if sep and prefix in prefixes else []
    for iri in candidates:
        for store in stores:
            if any(True for _ in store.quads_for_pattern(ox.NamedNode(iri), None, None)):
                return iri
    for store in stores:
        rows = list(select(store, f"SELECT ?x WHERE {{ VALUES ?n {{ {ox.Literal(name)} }} ?x rdfs:label|skos:altLabel ?l "
                                  "FILTER(LCASE(STR(?l)) = LCASE(?n)) } ORDER BY ?x LIMIT 1"))
        if rows:
            return rows[0][0].value
    return None


def diff(paths: Paths, old: str, new: str, watch: Path | None = None, prefixes: dict[str, str] | None = None,
         progress=lambda _: None) -> Report:
    """The changes from build or revision `old` to build or revision `new`."""
    with ExitStack() as stack:
        old_store = open_build(paths, old, stack, progress)
        new_store = open_build(paths, new, stack, progress)
        watched = read_watch(paths, watch, [old_store, new_store], prefixes or {}) if watch else None
        progress("comparing")
        report = diff_stores(old_store, new_store, old, new, watched)
        del old_store, new_store
        return report


# ---------------------------------------------------------------- the report in words, Markdown, JSON and Atom


def _short(iri: str, prefixes: dict[str, str]) -> str:
    best = ""
    for prefix, ns in prefixes.items():
        if iri.startswith(ns) and len(ns) > len(best):
            best, name = ns, prefix
    return f"{name}:{iri[len(best):]}" if best else iri


def describe(change: Change, report: Report, prefixes: dict[str, str]) -> str:
    """One sentence saying what changed."""
    def name(iri: str) -> str:
        return report.labels.get(iri) or _short(iri, prefixes)

    def value(v: str) -> str:
        if not v:
            return "(none)"
        return name(v) if v.startswith("http") else v

    who = f"{name(change.entity)} ({_short(change.entity, prefixes)})"
    k = change.kind
    if k == "entity-added":
        return f"{who} added ({value(change.after)})"
    if k == "entity-removed":
        return f"{who} removed (was {value(change.before)})"
    if k == "source-added":
        return f"source {who} added"
    if k in ("approval", "designation", "decision"):
        return f"{who}: {value(change.after)}"
    if k in ("stage", "phase", "status"):
        what = {"stage": "development stage", "phase": "phase", "status": "status"}[k]
        return f"{who} {what}: {value(change.before)} → {value(change.after)}"
    if k == "date-slipped":
        return f"{who} primary completion date slipped: {change.before} → {change.after}"
    if k == "date-advanced":
        return f"{who} primary completion date moved earlier: {change.before} → {change.after}"
    p, _, o = (change.after or change.before).partition(" ")
    claim = f"{name(p)} {value(o)}"
    if k == "dispute-opened":
        return f"{who}: the claim '{claim}' is now deprecated (disputed)"
    return f"{who}: the claim '{claim}' is no longer deprecated as disputed"


def render(report: Report, fmt: str, prefixes: dict[str, str], now: datetime | None = None) -> str:
    """The report as text, md, json or atom."""
    if fmt == "json":
        return _json(report, prefixes)
    if fmt == "atom":
        return atom(report, prefixes, now)
    lines = []
    n = len(report.changes)
    head = f"{n} change{'s' if n != 1 else ''} from {report.old} to {report.new}"
    lines.append(f"# {head}" if fmt == "md" else head)
    for kind, heading in KINDS.items():
        group = [c for c in report.changes if c.kind == kind]
        if not group:
            continue
        lines.append("")
        lines.append(f"## {heading.capitalize()} ({len(group)})" if fmt == "md" else f"{heading} ({len(group)}):")
        if fmt == "md":
            lines.append("")
        for c in group:
            cited = ", ".join(_cited(s, report, prefixes, fmt) for s in c.sources) or "no source recorded"
            text = describe(c, report, prefixes)
            lines.append(f"- {_md(text)} — {cited}" if fmt == "md" else f"  {text}  [{cited}]")
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return html.escape(text, quote=False).replace("|", "\\|").replace("*", "\\*").replace("_", "\\_").replace("[", "\\[")


def _cited(source: str, report: Report, prefixes: dict[str, str], fmt: str) -> str:
    short = _short(source, prefixes)
    if fmt != "md":
        return short
    label = _md(report.labels.get(source, short))
    url = report.urls.get(source)
    if url and url.startswith(("https://", "http://")):
        return f"[{label}](<{url.replace('>', '%3E').replace('<', '%3C')}>)"
    return label


def _json(report: Report, prefixes: dict[str, str]) -> str:
    def term(iri: str) -> dict:
        out = {"iri": iri, "curie": _short(iri, prefixes)}
        if iri in report.labels:
            out["label"] = report.labels[iri]
        if iri in report.urls:
            out["url"] = report.urls[iri]
        return out

    return json.dumps({
        "old": report.old, "new": report.new, "counts": report.counts(),
        "changes": [{"kind": c.kind, "entity": term(c.entity), "before": c.before or None, "after": c.after or None,
                     "text": describe(c, report, prefixes), "sources": [term(s) for s in c.sources]}
                    for c in report.changes],
    }, ensure_ascii=False, indent=1) + "\n"


def change_id(c: Change) -> str:
    """A stable id of a change: the same change between other builds gets the same id."""
    key = "\x1f".join([c.kind, c.entity, c.before, c.after])
    return "urn:cartkg:change:" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:24]


def atom(report: Report, prefixes: dict[str, str], now: datetime | None = None) -> str:
    """An Atom 1.0 feed (RFC 4287): one entry per change, linking its sources' pages."""
    from xml.sax.saxutils import escape, quoteattr

    stamp = (now or datetime.now(timezone.utc)).strftime("%Y-%m-%dT%H:%M:%SZ")
    feed_id = "urn:cartkg:diff:" + hashlib.sha1(f"{report.old}\x1f{report.new}".encode()).hexdigest()[:24]
    out = ['<?xml version="1.0" encoding="utf-8"?>', '<feed xmlns="http://www.w3.org/2005/Atom">',
           f"  <title>{escape(f'cartkg: what changed from {report.old} to {report.new}')}</title>",
           f"  <id>{feed_id}</id>", f"  <updated>{stamp}</updated>", "  <author><name>cartkg</name></author>"]
    for c in report.changes:
        text = describe(c, report, prefixes)
        out += ["  <entry>", f"    <id>{change_id(c)}</id>", f"    <title>{escape(_xml_safe(text))}</title>",
                f"    <updated>{stamp}</updated>", f"    <category term={quoteattr(c.kind)} label={quoteattr(KINDS[c.kind])}/>"]
        for s in c.sources:
            url = report.urls.get(s) or s
            title = report.labels.get(s, _short(s, prefixes))
            out.append(f"    <link rel=\"related\" href={quoteattr(_xml_safe(url))} title={quoteattr(_xml_safe(title))}/>")
        cited = "; ".join(f"{report.labels.get(s, _short(s, prefixes))} <{report.urls.get(s, s)}>" for s in c.sources)
        out.append(f"    <summary>{escape(_xml_safe(text + ('. Sources: ' + cited if cited else '. No source recorded.')))}</summary>")
        out.append("  </entry>")
    out.append("</feed>")
    return "\n".join(out) + "\n"


def _xml_safe(text: str) -> str:
    # XML 1.0 allows no control characters but tab, newline and carriage return.
    return "".join(ch for ch in text if ch in "\t\n\r" or ord(ch) >= 0x20)
