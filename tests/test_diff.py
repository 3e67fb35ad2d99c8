"""kg diff: two builds that differ by a status, a new approval and a slipped date report exactly those three."""

from __future__ import annotations

import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from kg import build as build_mod
from kg.paths import Paths

ROOT = Path(__file__).resolve().parent.parent
TRIAL = "https://w3id.org/cartkg/id/nct04561557"
DECISION = "https://w3id.org/cartkg/id/decision-ct103a-fda-approval-test"
# seeds/field-trials-academic.tsv:174 and :175 state the date and status from this registry mirror.
REGISTRY = "https://w3id.org/cartkg/id/source/biotechhunter-nct04561557"
REGISTRY_URL = "https://biotechhunter.com/trials/NCT04561557"
APPROVAL_ROWS = [
    "id:decision-ct103a-fda-approval-test\ta\tcart:RegulatoryDecision",
    "id:decision-ct103a-fda-approval-test\trdfs:label\tFDA approval of CT103A (test)",
    "id:decision-ct103a-fda-approval-test\tcart:decisionFor\tid:eque-cel",
    "id:decision-ct103a-fda-approval-test\tcart:decidedBy\tid:fda",
    "id:decision-ct103a-fda-approval-test\tcart:decisionType\tcart:Approval",
    "id:decision-ct103a-fda-approval-test\tcart:decisionDate\t2026-06-01",
]
ATOM = "{http://www.w3.org/2005/Atom}"


def _copy(root: Path) -> Path:
    for name in ("ontology", "seeds", "queries"):
        shutil.copytree(ROOT / name, root / name)
    return root


def _change(root: Path) -> None:
    """The three changes: NCT04561557 recruiting -> completed, its primary completion 2027-02-22 → 2027-08-22,
    and a new FDA approval of CT103A stated by the same registry mirror."""
    table = root / "seeds" / "field-trials-academic.tsv"
    lines = table.read_text(encoding="utf-8").split("\n")
    for i, line in enumerate(lines):
        if line.startswith("id:nct04561557\tcart:status\tRECRUITING\t"):
            lines[i] = line.replace("\tRECRUITING\t", "\tCOMPLETED\t")
        if line.startswith("id:nct04561557\tcart:primaryCompletionDate\t2027-02-22\t"):
            lines[i] = line.replace("\t2027-02-22\t", "\t2027-08-22\t")
    table.write_text("\n".join(lines), encoding="utf-8")
    rows = [f"{r}\tsrc:biotechhunter-nct04561557\t\tverified" for r in APPROVAL_ROWS]
    (root / "seeds" / "test-approval.tsv").write_text(
        "subject\tpredicate\tobject\tsource\tquote\tstatus\tnote\n" + "\n".join(rows) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory):
    """OLD: the project as committed; NEW: the same with the three changes. Each built into its own build/."""
    import os

    saved = os.environ.pop("KG_BUILD_DIR", None)
    try:
        old = _copy(tmp_path_factory.mktemp("old"))
        new = _copy(tmp_path_factory.mktemp("new"))
        _change(new)
        for root in (old, new):
            build_mod.build(Paths(root), shacl=False)
        yield old, new
    finally:
        if saved is not None:
            os.environ["KG_BUILD_DIR"] = saved


def test_diff_json_reports_exactly_the_three_changes(two_builds, run):
    old, new = two_builds
    result = run("--project", str(new), "diff", str(old), str(new), "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    got = sorted((c["kind"], c["entity"]["iri"], c["before"], c["after"]) for c in report["changes"])
    assert got == sorted([
        ("approval", DECISION, None, "https://w3id.org/cartkg/ontology#Approval"),
        ("date-slipped", TRIAL, "2027-02-22", "2027-08-22"),
        ("status", TRIAL, "RECRUITING", "COMPLETED"),
    ])
    for change in report["changes"]:
        assert REGISTRY in [s["iri"] for s in change["sources"]], change
    assert report["counts"] == {"approval": 1, "date-slipped": 1, "status": 1}


@pytest.mark.parametrize("fmt", ["text", "md"])
def test_diff_text_and_markdown_list_the_three_changes(two_builds, run, fmt):
    old, new = two_builds
    result = run("--project", str(new), "diff", str(old), str(new), "--format", fmt)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.splitlines()[0].endswith(f"3 changes from {old} to {new}")
    assert "RECRUITING → COMPLETED" in out
    assert "2027-02-22 → 2027-08-22" in out
    assert "FDA approval of CT103A (test)" in out and ": Approval" in out
    bullets = [l for l in out.splitlines() if l.startswith(("- ", "  "))]
    assert len(bullets) == 3
    if fmt == "md":
        assert f"(<{REGISTRY_URL}>)" in out  # each change links its source's page
    else:
        assert all("src:biotechhunter-nct04561557" in b for b in bullets)


def test_diff_atom_is_valid_xml_naming_each_source(two_builds, run, tmp_path):
    old, new = two_builds
    out = tmp_path / "feed.xml"
    result = run("--project", str(new), "diff", str(old), str(new), "--format", "atom", "-o", str(out))
    assert result.exit_code == 0, result.output
    feed = ET.parse(out).getroot()
    assert feed.tag == f"{ATOM}feed"
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 3
    for entry in entries:
        assert entry.find(f"{ATOM}id").text.startswith("urn:cartkg:change:")
        hrefs = [l.get("href") for l in entry.findall(f"{ATOM}link")]
        # The status is stated by two mirrors (seeds/field-trials-academic.tsv:175-176), the others by one.
        assert REGISTRY_URL in hrefs and len(hrefs) == (2 if entry.find(f"{ATOM}category").get("term") == "status" else 1)
        assert "BiotechHunter trial record NCT04561557" in entry.find(f"{ATOM}summary").text
    assert {e.find(f"{ATOM}category").get("term") for e in entries} == {"approval", "date-slipped", "status"}


def test_watch_limits_the_report_to_listed_entities_and_their_neighbours(two_builds, run, tmp_path):
    old, new = two_builds
    watch = tmp_path / "watch.txt"
    watch.write_text("# eque-cel (CT103A)\nid:eque-cel\n", encoding="utf-8")
    result = run("--project", str(new), "diff", str(old), str(new), "--format", "json", "--watch", str(watch))
    kinds = sorted(c["kind"] for c in json.loads(result.stdout)["changes"])
    # The decision and the trial both link to CT103A (decisionFor, evaluates): one link away.
    assert kinds == ["approval", "date-slipped", "status"]
    watch.write_text("id:kyv-101\n", encoding="utf-8")
    result = run("--project", str(new), "diff", str(old), str(new), "--format", "json", "--watch", str(watch))
    assert json.loads(result.stdout)["changes"] == []
    watch.write_text("id:kyv-101\nid:no-such-thing\n", encoding="utf-8")
    result = run("--project", str(new), "diff", str(old), str(new), "--watch", str(watch))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0].startswith(f"{watch}:2: ERROR: 'id:no-such-thing' names no entity")


def test_same_build_has_no_changes(two_builds, run):
    old, _ = two_builds
    result = run("--project", str(old), "diff", str(old), str(old))
    assert result.exit_code == 0
    assert result.stdout.startswith("0 changes")


def test_diff_between_git_revisions(tmp_path, run, monkeypatch):
    monkeypatch.delenv("KG_BUILD_DIR", raising=False)
    root = _copy(tmp_path / "repo")
    git = ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run(git + ["init", "-q"], check=True)
    subprocess.run(git + ["add", "-A"], check=True)
    subprocess.run(git + ["commit", "-qm", "before"], check=True)
    _change(root)
    subprocess.run(git + ["add", "-A"], check=True)
    subprocess.run(git + ["commit", "-qm", "after"], check=True)
    result = run("--project", str(root), "diff", "HEAD~1", "HEAD", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["counts"] == {"approval": 1, "date-slipped": 1, "status": 1}
    assert not (root / "build").exists()  # built in a temporary folder, nothing left in the project


def test_unknown_revision_is_one_line_exit_2(tmp_path, run):
    root = _copy(tmp_path / "repo")
    subprocess.run(["git", "-C", str(root), "init", "-q"], check=True)
    out = tmp_path / "feed.xml"
    result = run("--project", str(root), "diff", "no-such-rev", "HEAD", "-o", str(out))
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"error: no-such-rev: neither a folder holding a build nor a revision git knows in {root}"]
    assert not out.exists()


def test_compare_types_each_kind_of_change():
    """compare() on two hand-made snapshots: each difference lands in its kind, nothing else is reported."""
    import pyoxigraph as ox

    from kg.diff_changes import Snapshot, compare

    cart, ids = "https://w3id.org/cartkg/ontology#", "https://w3id.org/cartkg/id/"
    trial, therapy, src = ids + "t", ids + "x", ids + "source/new"
    date = "<http://www.w3.org/2001/XMLSchema#date>"
    claim = (ox.NamedNode(therapy), ox.NamedNode(cart + "developedBy"), ox.NamedNode(ids + "c"), ids + "source/p")
    old = Snapshot(entities={trial: {cart + "Trial"}, therapy: {cart + "Therapy"}, ids + "gone": {cart + "Company"}},
                   sources=set(), decisions={},
                   values={(trial, cart + "primaryCompletionDate"): {f'"2027-02-22"^^{date}'},
                           (trial, cart + "phase"): {'"Phase 1"'}, (therapy, cart + "developmentStage"): {'"Phase 1"'}},
                   disputes={ids + "claim/old": claim})
    new = Snapshot(entities={trial: {cart + "Trial"}, therapy: {cart + "Therapy"}, src: {cart + "PressRelease"},
                             ids + "d": {cart + "RegulatoryDecision"}},
                   sources={src}, decisions={ids + "d": (cart + "RMAT", "designation")},
                   values={(trial, cart + "primaryCompletionDate"): {f'"2026-12-01"^^{date}'},
                           (trial, cart + "phase"): {'"Phase 2"'}, (therapy, cart + "developmentStage"): {'"Phase 1"'}},
                   disputes={ids + "claim/new": claim})
    got = sorted((c.kind, c.entity, c.before, c.after) for c in compare(old, new))
    assert got == sorted([
        ("source-added", src, "", cart + "PressRelease"),
        ("designation", ids + "d", "", cart + "RMAT"),
        ("entity-removed", ids + "gone", cart + "Company", ""),
        ("date-advanced", trial, "2027-02-22", "2026-12-01"),
        ("phase", trial, "Phase 1", "Phase 2"),
        ("dispute-opened", therapy, "", f"{cart}developedBy {ids}c"),
        ("dispute-resolved", therapy, f"{cart}developedBy {ids}c", ""),
    ])
