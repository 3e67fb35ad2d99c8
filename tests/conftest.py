"""Shared fixtures: the real project, a built graph of it, and throw-away copies to break."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg import build as build_mod
from kg.paths import Paths

ROOT = Path(__file__).resolve().parent.parent
COPIED = ("ontology", "seeds", "queries")


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Paths:
    """The real project built once into a temporary build folder (the checkout's build/ is not touched)."""
    build_dir = tmp_path_factory.mktemp("build")
    old = os.environ.get("KG_BUILD_DIR")
    os.environ["KG_BUILD_DIR"] = str(build_dir)
    try:
        paths = Paths(ROOT)
        build_mod.build(paths)
        yield paths
    finally:
        if old is None:
            os.environ.pop("KG_BUILD_DIR", None)
        else:
            os.environ["KG_BUILD_DIR"] = old


@pytest.fixture
def project(tmp_path, monkeypatch) -> Paths:
    """A copy of the project's data folders in tmp_path, safe to edit and break."""
    for name in COPIED:
        shutil.copytree(ROOT / name, tmp_path / name)
    monkeypatch.delenv("KG_BUILD_DIR", raising=False)
    monkeypatch.setenv("KG_PROJECT", str(tmp_path))
    return Paths(tmp_path)


@pytest.fixture
def run(monkeypatch):
    """Invoke the kg CLI in-process; returns click's Result (exit_code, stdout, stderr)."""
    from kg.cli import main

    def invoke(*args: str, input: str | None = None, env: dict | None = None):
        runner = CliRunner()
        return runner.invoke(main, list(args), input=input, env=env, catch_exceptions=False)

    return invoke
