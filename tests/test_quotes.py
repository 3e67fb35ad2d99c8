"""A quote has to carry its fact: a fragment that merely occurs in the archived text is not the source's words for it."""

from __future__ import annotations

import re

HEADER = "subject\tpredicate\tobject\tsource\tquote\tstatus\tnote\n"
NEWS = "src:news-000-rese-cel-autoimmune"


def write(project, rows: list[str]) -> None:
    (project.seeds / "t-quotes.tsv").write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")


def test_a_one_character_quote_is_an_error_at_its_row_and_nothing_is_written(project, run):
    # "T" occurs in the archived text of news text 000, so the verbatim check alone let it through.
    write(project, [f"id:rese-cel\tcart:targets\tid:bcma\t{NEWS}\tT\treported"])
    result = run("build")
    assert result.exit_code == 1
    assert re.search(r"^seeds/t-quotes\.tsv:2: ERROR: quote 'T' is too short to carry the fact", result.stderr + result.stdout, re.M), \
        result.stderr + result.stdout
    assert not (project.build / "current").exists()


def test_a_short_quote_that_names_its_value_is_kept(project, run):
    # The archived text of news text 000 writes "systemic sclerosis (SSc)": a bare "(SSc)" names the synonym it
    # supports, so it passes; the same short quote for a code name it does not name does not.
    write(project, [
        f"id:scleroderma\tskos:altLabel\tSSc\t{NEWS}\t(SSc)\treported",
        f"id:rese-cel\tcart:codeName\tCABA-201\t{NEWS}\t(SSc)\treported",
    ])
    result = run("check")
    out = result.stdout
    assert "t-quotes.tsv:2:" not in out, out
    assert re.search(r"^seeds/t-quotes\.tsv:3: ERROR: quote '\(SSc\)' is too short", out, re.M), out


def test_passages_find_a_quote_near_the_last_one_far_from_it_or_nowhere():
    """kg.seeds.quotes.Passages looks near the source's last quote first: the answer must be the
    text's own, wherever the quote is (before, near, after, across the window's edge) or is not."""
    from kg.seeds.quotes import Passages

    near = Passages.NEAR
    text = "start " + "x" * (3 * near) + " middle " + "y" * (3 * near) + " end"
    passages = Passages()
    assert passages.holds("s", "middle", text)  # found in the whole text, remembered
    assert passages.holds("s", "start", text)  # far before the last one
    assert passages.holds("s", " end", text)  # far after it
    assert passages.holds("s", "x middle y", text)  # across where the window around "middle" begins
    assert not passages.holds("s", "no such words", text)
    assert not passages.holds("s", "middle  y", text)  # one space too many
    assert passages.holds("t", "y end", text)  # another source starts from the whole text
    for quote in ("start x", "xx middle", "middle yy", "y end"):  # the same answers as `in`, in any order
        assert passages.holds("s", quote, text) == (quote in text)
