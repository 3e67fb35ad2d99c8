#!/usr/bin/env bash
# Installs the Debian packages the tests use: headless Chromium (browser tests of the graph page),
# Virtuoso's server binaries (the second SPARQL engine of the endpoint tests; the -bin package only, so no
# system service is set up or started: the tests start their own on 127.0.0.1 with a temporary database)
# and raptor2-utils (`rapper`, an independent RDF parser that reads back kg's Turtle and N-Triples).
# Idempotent: does nothing when everything is already there.
# When another apt or dpkg process holds the lock (a machine installing updates), it waits for it, saying
# so, for up to KG_APT_LOCK_WAIT seconds (default 300) instead of failing at once.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v virtuoso-t >/dev/null 2>&1 || need+=(virtuoso-opensource-7-bin)
command -v rapper >/dev/null 2>&1 || need+=(raptor2-utils)
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
else
  SUDO=
fi
wait_limit=${KG_APT_LOCK_WAIT:-300}
poll=${KG_APT_LOCK_POLL:-5}

# Runs an apt-get command; while it fails because another process holds apt's or dpkg's lock, waits and
# tries again, until wait_limit seconds have passed. Any other failure is reported as it is.
apt_get() {
  local waited=0 said=0 out status
  while true; do
    status=0
    out=$($SUDO apt-get "$@" 2>&1) || status=$?
    if [ $status -eq 0 ]; then
      return 0
    fi
    if ! grep -qiE 'could not (get|open) lock|unable to (acquire|lock)|is held by process|lock-frontend' <<<"$out"; then
      printf '%s\n' "$out" >&2
      return $status
    fi
    if [ "$waited" -ge "$wait_limit" ]; then
      printf '%s\n' "$out" >&2
      echo "another apt or dpkg process still holds the lock after ${wait_limit} s; try again when it has finished" >&2
      return $status
    fi
    if [ $said -eq 0 ]; then
      echo "another apt or dpkg process holds the lock (updates being installed?); waiting up to ${wait_limit} s for it" >&2
      said=1
    fi
    sleep "$poll"
    waited=$((waited + poll))
  done
}

echo "installing Debian packages: ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt_get update -qq
apt_get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
