#!/usr/bin/env bash
# Installs the Debian packages the tests use: headless Chromium (browser tests of the graph page) and
# Virtuoso's server binaries (the second SPARQL engine of the endpoint tests; the -bin package only, so no
# system service is set up or started: the tests start their own on 127.0.0.1 with a temporary database).
# Idempotent: does nothing when everything is already there.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v virtuoso-t >/dev/null 2>&1 || need+=(virtuoso-opensource-7-bin)
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
else
  SUDO=
fi
echo "installing Debian packages: ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
