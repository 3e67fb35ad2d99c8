"""A diff report in words, Markdown, JSON or Atom: one sentence per change, each citing its sources."""

from __future__ import annotations

import hashlib
import html
import json
from datetime import datetime, timezone

from kg import names
from kg.diff_changes import KINDS, Change, Report


def _short(iri: str, prefixes: dict[str, str]) -> str:
    return names.curie(iri, prefixes, bare=True)


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
    escaped = html.escape(text, quote=False)
    return escaped.replace("|", "\\|").replace("*", "\\*").replace("_", "\\_").replace("[", "\\[")


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
                f"    <updated>{stamp}</updated>",
                f"    <category term={quoteattr(c.kind)} label={quoteattr(KINDS[c.kind])}/>"]
        for s in c.sources:
            url = report.urls.get(s) or s
            title = report.labels.get(s, _short(s, prefixes))
            out.append(f"    <link rel=\"related\" href={quoteattr(_xml_safe(url))}"
                       f" title={quoteattr(_xml_safe(title))}/>")
        cited = "; ".join(f"{report.labels.get(s, _short(s, prefixes))} <{report.urls.get(s, s)}>" for s in c.sources)
        summary = text + (". Sources: " + cited if cited else ". No source recorded.")
        out.append(f"    <summary>{escape(_xml_safe(summary))}</summary>")
        out.append("  </entry>")
    out.append("</feed>")
    return "\n".join(out) + "\n"


def _xml_safe(text: str) -> str:
    # XML 1.0 allows no control characters but tab, newline and carriage return.
    return "".join(ch for ch in text if ch in "\t\n\r" or ord(ch) >= 0x20)
