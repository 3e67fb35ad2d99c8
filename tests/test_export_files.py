"""kg export: the same input gives the same bytes, build after build; a failed write names its file."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from test_hostile import invoke, small_project

# Blank nodes from each way in: the core shapes (sh:property [...]), an extension's shape, a Turtle seed
# file and an N-Triples seed file (which a store's loader would rename at random).
EXTENSION = """@prefix cart: <https://w3id.org/cartkg/ontology#> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
cart:TherapyLabelShape a sh:NodeShape ; sh:targetClass cart:Therapy ;
    sh:property [ sh:path <http://www.w3.org/2000/01/rdf-schema#label> ; sh:minCount 1 ] .
"""
TURTLE_SEED = """@prefix cart: <https://w3id.org/cartkg/ontology#> .
@prefix id: <https://w3id.org/cartkg/id/> .
id:t-cel cart:construct "a CD19 binder" ; <http://www.w3.org/2000/01/rdf-schema#seeAlso> [ cart:title "a note" ] .
"""
NT_SEED = ('_:n1 <https://w3id.org/cartkg/ontology#title> "anonymous" .\n'
           '<https://w3id.org/cartkg/id/t-cel> <http://www.w3.org/2000/01/rdf-schema#seeAlso> _:n1 .\n')
FORMATS = ["nt", "ttl", "trig", "jsonld", "graphml"]


@pytest.fixture(scope="module")
def blank_project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("blank")
    small_project(root)
    (root / "ontology" / "extensions" / "label.ttl").write_text(EXTENSION, encoding="utf-8")
    (root / "seeds" / "t-extra.ttl").write_text(TURTLE_SEED, encoding="utf-8")
    (root / "seeds" / "t-extra.nt").write_text(NT_SEED, encoding="utf-8")
    return root


def exports(root: Path, build: Path, *build_args: str) -> dict[str, bytes]:
    env = {"KG_BUILD_DIR": str(build)}
    result = invoke(root, "build", *build_args, env=env)
    assert result.exit_code == 0, result.output
    out = {}
    for fmt in FORMATS:
        target = build.parent / f"{build.name}.{fmt}"
        assert invoke(root, "export", "--format", fmt, "-o", str(target), env=env).exit_code == 0
        out[fmt] = target.read_bytes()
    return out


def test_two_builds_of_the_same_input_export_the_same_bytes(blank_project, tmp_path):
    first = exports(blank_project, tmp_path / "one")
    second = exports(blank_project, tmp_path / "two")
    low = exports(blank_project, tmp_path / "three", "--low-memory")
    assert b"_:" in first["nt"]  # the blank nodes are there, named the same each time
    for fmt in FORMATS:
        assert first[fmt] == second[fmt], fmt
        assert first[fmt] == low[fmt], fmt


def test_blank_nodes_of_a_data_file_stay_its_own(blank_project, tmp_path):
    """t-extra.nt: _:n1 is titled "anonymous" and is what id:t-cel rdfs:seeAlso names; kept as one node."""
    nt = exports(blank_project, tmp_path / "b")["nt"].decode("utf-8").splitlines()
    titled = [l.split(" ")[0] for l in nt if l.endswith('<https://w3id.org/cartkg/ontology#title> "anonymous" .')]
    assert len(titled) == 1
    assert f"<https://w3id.org/cartkg/id/t-cel> <http://www.w3.org/2000/01/rdf-schema#seeAlso> {titled[0]} ." in nt


def _file_size_limit():
    # ignore SIGXFSZ so that a write past the limit fails with EFBIG instead of killing the process
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))


def test_export_past_a_file_size_limit_names_the_file_and_writes_nothing(blank_project, tmp_path):
    build = tmp_path / "build"
    assert invoke(blank_project, "build", env={"KG_BUILD_DIR": str(build)}).exit_code == 0
    target = tmp_path / "out" / "graph.nt"
    result = subprocess.run([sys.executable, "-m", "kg", "export", "--format", "nt", "-o", str(target)],
                            preexec_fn=_file_size_limit, capture_output=True, text=True,
                            env={**os.environ, "KG_PROJECT": str(blank_project), "KG_BUILD_DIR": str(build)})
    assert result.returncode == 2
    assert result.stderr == f"error: cannot write {target}: File too large; nothing was written\n"
    assert list(target.parent.iterdir()) == []


@pytest.mark.skipif(not Path("/dev/full").is_char_device(), reason="no /dev/full")
def test_export_to_a_full_device_names_it_and_leaves_it_a_device(blank_project, tmp_path):
    build = tmp_path / "build"
    assert invoke(blank_project, "build", env={"KG_BUILD_DIR": str(build)}).exit_code == 0
    result = invoke(blank_project, "export", "--format", "nt", "-o", "/dev/full", env={"KG_BUILD_DIR": str(build)})
    assert result.exit_code == 2
    assert result.stderr == "error: cannot write /dev/full: No space left on device\n"
    assert Path("/dev/full").is_char_device()  # written to, not replaced by a regular file
