"""The curated seed files: canonical, every quote verbatim in its archived source, archives unchanged."""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

import pytest
import seed_tables

from kg.fmt import canonical
from kg.seeds import HEADER

ROOT = Path(__file__).resolve().parent.parent
TABLES = sorted(p for p in (ROOT / "seeds").glob("*.tsv") if p.name != "prefixes.tsv")


def read_rows(path: Path) -> list[dict]:
    return seed_tables.rows(path.name)


@functools.cache
def archived_texts() -> dict[str, str]:
    """source CURIE -> archived text path, read straight from the tables (not through the loader)."""
    return {row["subject"]: row["object"] for path in TABLES for row in read_rows(path)
            if row["predicate"] == "cart:archivedText"}


@functools.cache
def archive_text(archive: str) -> str:
    """An archived text, read once: one registry snapshot archives thousands of rows' records."""
    return (ROOT / archive).read_text(encoding="utf-8")


def test_there_are_seed_tables():
    names = {p.name for p in TABLES}
    assert "sources.tsv" in names
    assert any(n.startswith("news-") for n in names) and any(n.startswith("reference-") for n in names)


@pytest.mark.parametrize("path", TABLES, ids=[p.name for p in TABLES])
def test_seed_table_is_canonical(path):
    text = path.read_text(encoding="utf-8")
    assert text == canonical(text), f"{path.name} is not canonical: run `kg fmt`"


@pytest.mark.parametrize("path", TABLES, ids=[p.name for p in TABLES])
def test_every_quote_occurs_verbatim_in_its_source(path):
    texts = archived_texts()
    checked = 0
    for number, row in enumerate(read_rows(path), start=2):
        archive = texts.get(row["source"])
        if not archive or row["subject"] == row["source"]:
            continue
        text = archive_text(archive)
        assert row["quote"], f"{path.name}:{number}: no quote for a fact from {row['source']}"
        assert row["quote"] in text, f"{path.name}:{number}: quote not in {archive}: {row['quote']!r}"
        checked += 1
    if path.name.startswith("news-"):
        rows = list(read_rows(path))
        if any(texts.get(r["source"]) for r in rows):
            # the digests of the archived news texts (000, 003)
            assert checked > 10, f"{path.name}: expected the news claims to carry quotes"
        else:
            # a news page with no archived text (news-biospace-rese-cel.tsv: BioSpace has no cart:archivedText row):
            # its quotes cannot be checked here, but every claim carries one
            assert rows and all(r["quote"] for r in rows), f"{path.name}: every news claim carries its quote"


def test_news_claims_come_from_both_archived_texts():
    texts = archived_texts()
    news = {Path(t).name for s, t in texts.items() if s.startswith("src:news-")}
    assert sorted(news) == ["000_6a53bef826e0de7a.txt", "003_7b912715a129945c.txt"]


def test_every_archived_text_is_one_of_the_originals():
    texts = archived_texts()
    assert {Path(t).name for t in texts.values()} == set(ARCHIVED)
    # the registry snapshot archives every record it copies, each record a source of its own
    snapshot = [s for s, t in texts.items() if Path(t).name == "rheum-car-t-monitor-trials-2026-08-22.csv"]
    assert snapshot and all(s.startswith("src:rheum-car-t-monitor-nct") for s in snapshot)


# The SHA-256 of each archived text as it was archived: the two news texts the curators copied into
# seeds/texts/, and the trials table of the CAR-T Rheumatology & Autoimmune Trials Monitor's snapshot of
# 2026-08-22 (git blob snapshots/2026-08-22/trials.csv of ptjeong/Rheumatology-CAR-T-Trials-Monitor- at commit
# 85fee4bdde6ddd5bc87f431ee91aa470b346497b, copied unchanged; its MIT licence beside it).
ARCHIVED = {"000_6a53bef826e0de7a.txt": "92fafe80a5c9dd2d006c14642313cf2f41febfb451a9eb4b68c614b6737b1ac6",
            "003_7b912715a129945c.txt": "75eddc99b33ff33fde7e9f137edcfaa8d0383ef258d6bbf6560e12a8a89418fd",
            "rheum-car-t-monitor-trials-2026-08-22.csv":
                "1d4941de3fd187cb391da7c8df358e8833a58da4a6dd6d4b8471462db485f85f"}


@pytest.mark.parametrize("name", sorted(ARCHIVED))
def test_archived_texts_are_byte_identical_to_the_originals(name):
    data = (ROOT / "seeds" / "texts" / name).read_bytes()
    assert hashlib.sha256(data).hexdigest() == ARCHIVED[name], f"seeds/texts/{name} differs from the archived original"


def test_fmt_check_passes_on_the_committed_tables(run, monkeypatch):
    monkeypatch.setenv("KG_PROJECT", str(ROOT))
    result = run("fmt", "--check")
    assert result.exit_code == 0, result.stdout
    assert result.stdout.strip() == "all seed tables are canonical"


def test_fmt_rewrites_a_shuffled_table_and_check_reports_it(project, run):
    path = project.seeds / "sources.tsv"
    lines = path.read_text(encoding="utf-8").splitlines()
    shuffled = [lines[0]] + list(reversed(lines[1:]))
    path.write_text("\r\n".join(shuffled) + "\r\n", encoding="utf-8")
    check = run("fmt", "--check")
    assert check.exit_code == 1 and "not canonical: seeds/sources.tsv" in check.stdout
    assert run("fmt").exit_code == 0
    assert path.read_text(encoding="utf-8") == "\n".join(lines) + "\n"


def test_canonical_is_idempotent_and_sorts_by_subject_predicate_object_source():
    text = ("subject\tpredicate\tobject\tsource\tquote\tstatus\tnote\n"
            "id:b\ta\tcart:Therapy\tsrc:x\t\tverified\n"
            "id:a\trdfs:label\tA \tsrc:x\t\tverified\t\n")
    once = canonical(text)
    assert once.splitlines()[1] == "id:a\trdfs:label\tA\tsrc:x\t\tverified"
    assert canonical(once) == once


def test_fmt_keeps_the_file_mode_of_a_rewritten_table(project, run):
    path = project.seeds / "sources.tsv"
    path.chmod(0o644)
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([lines[0]] + lines[:0:-1]) + "\n", encoding="utf-8")
    assert run("fmt").exit_code == 0
    assert path.stat().st_mode & 0o777 == 0o644


def test_an_undeclared_prefix_in_a_class_is_reported_once(project, run):
    # The object of a row typing its subject was resolved twice (to type the subject, then for the claim),
    # so kg build printed this error twice and counted 2 errors.
    table = project.seeds / "t-typo.tsv"
    table.write_text("\t".join(HEADER) + "\nid:t-x\ta\tnope:Thing\tsrc:news-000-rese-cel-autoimmune\t\tverified\n",
                     encoding="utf-8")
    result = run("build")
    assert result.exit_code == 1
    lines = [line for line in result.stderr.splitlines() if not line.startswith("[")]
    assert lines == ["seeds/t-typo.tsv:2: ERROR: object: prefix 'nope' is not declared in seeds/prefixes.tsv "
                     "(undeclared-prefix)", "1 error; nothing was written"]
