"""Every command's --help ends with an example, and each example runs as printed (through bash, on a copy)."""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from sparql_servers import Oxigraph, wait_for_port
from test_cli import ALL

from kg.cli import main
from kg.serve import free_port

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = [("", main)] + ALL
BIN = str(Path(sys.executable).parent)


def examples(name: str) -> list[str]:
    """The commands under the last `Example:` of `kg NAME --help`, which must end the help."""
    result = CliRunner().invoke(main, [*name.split(), "--help"], catch_exceptions=False)
    assert result.exit_code == 0
    lines = result.stdout.rstrip("\n").split("\n")
    assert "Example:" in [line.strip() for line in lines], f"kg {name} --help has no example"
    at = max(i for i, line in enumerate(lines) if line.strip() == "Example:")
    found = [line.strip() for line in lines[at + 1:]]
    assert found and all(line.startswith("kg ") or " | kg " in line for line in found), found
    return found


@pytest.mark.parametrize("name", [n for n, _ in COMMANDS], ids=[n or "kg" for n, _ in COMMANDS])
def test_help_ends_with_an_example_of_the_command_itself(name):
    for command in examples(name):
        words = shlex.split(command.split(" | ")[-1])
        assert words[:1 + len(name.split())] == ["kg", *name.split()][:len(words)] or not name, command


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """A built copy of the project and the environment a user's shell would have (kg on PATH)."""
    root = tmp_path_factory.mktemp("project")
    for folder in ("ontology", "seeds", "queries", "tests/data/ctgov"):  # the import example reads a test record
        shutil.copytree(ROOT / folder, root / folder)
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    env.update(PATH=BIN + os.pathsep + env.get("PATH", ""), KG_PROJECT=str(root))
    env.update(GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.org", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@example.org")
    for git in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "as cloned"]):  # the diff example reads HEAD
        subprocess.run(["git", *git], cwd=root, env=env, check=True, capture_output=True)
    done = subprocess.run(["kg", "build"], cwd=root, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return root, env


def shell(command: str, root: Path, env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([shutil.which("bash") or "/bin/bash", "-c", f"set -o pipefail; {command}"], cwd=root, env=env,
                          capture_output=True, text=True, timeout=timeout)


RUNNABLE = [(n, c) for n, c in COMMANDS if n not in ("serve", "push")]


@pytest.mark.parametrize("name", [n for n, _ in RUNNABLE], ids=[n or "kg" for n, _ in RUNNABLE])
def test_each_example_runs(sandbox, name):
    root, env = sandbox
    for command in examples(name):
        done = shell(command, root, env)
        assert done.returncode == 0, f"{command}: {done.stderr}"
        assert done.stdout or done.stderr, command


def test_the_push_example_runs_against_a_real_oxigraph_server(sandbox, tmp_path):
    root, env = sandbox
    server = Oxigraph(tmp_path / "data").start()
    try:
        for command in examples("push"):
            assert "127.0.0.1:7878" in command
            done = shell(command.replace("127.0.0.1:7878", f"127.0.0.1:{server.port}"), root, env)
            assert done.returncode == 0, f"{command}: {done.stderr}"
            assert done.stdout.startswith("pushed ")
    finally:
        server.stop()


def test_the_serve_example_serves_until_interrupted(sandbox):
    root, env = sandbox
    port = free_port()
    for command in examples("serve"):
        assert "--port 7878" in command
        process = subprocess.Popen([shutil.which("bash") or "/bin/bash", "-c", command.replace("--port 7878", f"--port {port}")],
                                   cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                   start_new_session=True)
        try:
            wait_for_port(port, process, 60, command)
            # It says so once it serves and Ctrl-C stops it cleanly (before that, Ctrl-C is an interruption).
            first = process.stdout.readline()
        finally:
            os.killpg(process.pid, signal.SIGINT)
            out, err = process.communicate(timeout=60)
        assert process.returncode == 0, err
        assert first.startswith(f"serving the graph read-only at http://127.0.0.1:{port}")
