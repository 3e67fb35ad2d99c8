"""`make demo` as the README's first screen promises it: a short run that ends with the answer and the page."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_make_demo_fits_40_lines_and_ends_with_the_answer_and_the_page(tmp_path):
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    # The install step prints pip's own messages the first time; `make test` has done it before the tests run.
    if subprocess.run(["make", "-q", ".venv/.installed"], cwd=ROOT).returncode != 0:
        pytest.skip(".venv is not installed or not up to date: run `make test`")
    env = {**os.environ, "KG_BUILD_DIR": str(tmp_path / "build")}
    env.pop("KG_ENDPOINT", None)
    done = subprocess.run(["make", "--no-print-directory", "demo"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr
    lines = (done.stdout + done.stderr).splitlines()
    assert len(lines) <= 40, "\n".join(lines)
    # The answer: the table of approved products (README, first screen), then the page's path on the last line.
    assert lines[-1].startswith(f"wrote {tmp_path / 'build' / 'graph.html'}: ")
    assert re.fullmatch(r"\(\d+ rows\)", lines[-3])  # then make shows the kg viz command
    assert (tmp_path / "build" / "graph.html").is_file()
    table = lines[lines.index(next(l for l in lines if l.startswith("product "))):-2]
    # seeds/reference-approved-products.tsv:457 (Kymriah's 4-1BB) and seeds/field-approvals.tsv:1059 (lentiviral)
    assert any(re.match(r"Kymriah +CD19 +4-1BB +lentiviral ", line) for line in table), table
