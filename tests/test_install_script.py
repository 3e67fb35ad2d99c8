"""scripts/install-system-deps.sh: what it installs, and that it waits for apt's lock instead of failing."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "install-system-deps.sh"
BASH = shutil.which("bash")
# What apt-get 2.6 prints when another process holds dpkg's frontend lock (exit status 100).
LOCKED = "E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 4242 (unattended-upgr)"


def machine(tmp_path: Path, answers: list[tuple[int, str]]) -> dict[str, str]:
    """A PATH on which chromium, virtuoso-t and rapper are missing and apt-get answers in turn with `answers`
    (exit status, stderr), the last one from then on; returns the environment to run the script in."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("id", "grep", "sleep", "cat"):
        (bin_dir / tool).symlink_to(shutil.which(tool))
    cases = "\n".join(f"  {i + 1}) echo '{err}' >&2; exit {code};;" for i, (code, err) in enumerate(answers[:-1]))
    last_code, last_err = answers[-1]
    (bin_dir / "apt-get").write_text(f"""#!{BASH}
n=$(cat "{tmp_path}/count" 2>/dev/null || echo 0); n=$((n + 1)); echo $n > "{tmp_path}/count"
echo "apt-get $*" >> "{tmp_path}/calls"
case $n in
{cases}
  *) {f"echo '{last_err}' >&2;" if last_err else ""} exit {last_code};;
esac
""")
    (bin_dir / "sudo").write_text(f'#!{BASH}\nexec "$@"\n')
    for name in ("apt-get", "sudo"):
        (bin_dir / name).chmod(0o755)
    return {"PATH": str(bin_dir), "KG_APT_LOCK_POLL": "1", "HOME": str(tmp_path)}


def run_script(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([BASH, str(SCRIPT)], env=env, capture_output=True, text=True, timeout=60)


def test_it_installs_chromium_virtuoso_and_rapper_when_missing(tmp_path):
    done = run_script(machine(tmp_path, [(0, "")]))
    assert done.returncode == 0, done.stderr
    calls = (tmp_path / "calls").read_text().splitlines()
    assert calls[0] == "apt-get update -qq"
    assert calls[1].endswith("install -y -qq --no-install-recommends chromium virtuoso-opensource-7-bin raptor2-utils")


def test_it_waits_for_the_apt_lock_and_says_so(tmp_path):
    done = run_script(machine(tmp_path, [(100, LOCKED), (100, LOCKED), (0, "")]))
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("another apt or dpkg process holds the lock") == 1
    assert "waiting up to 300 s" in done.stderr and LOCKED not in done.stderr
    assert [c.split()[1] for c in (tmp_path / "calls").read_text().splitlines()] == ["update", "update", "update", "install"]


def test_it_gives_up_after_the_wait_with_apts_own_message(tmp_path):
    env = {**machine(tmp_path, [(100, LOCKED)]), "KG_APT_LOCK_WAIT": "2"}
    done = run_script(env)
    assert done.returncode == 100
    assert LOCKED in done.stderr and "still holds the lock after 2 s" in done.stderr


def test_any_other_failure_is_reported_at_once(tmp_path):
    missing = "E: Unable to locate package raptor2-utils"
    done = run_script(machine(tmp_path, [(0, ""), (100, missing)]))
    assert done.returncode == 100 and missing in done.stderr and "waiting" not in done.stderr
    assert len((tmp_path / "calls").read_text().splitlines()) == 2


@pytest.mark.skipif(not all(shutil.which(t) for t in ("chromium", "virtuoso-t", "rapper")),
                    reason="the Debian packages are not all installed here")
def test_nothing_is_done_when_everything_is_there():
    done = subprocess.run([BASH, str(SCRIPT)], env=dict(os.environ),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stderr == ""
