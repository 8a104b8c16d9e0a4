#!/usr/bin/env bash
# lab/install-tool-deps.sh - the Debian packages of the packaging and pre-commit tests
# (tests/deb.rs, tests/pre_commit.rs), called by lab/install-deps.sh.
#
#   python3-venv     the venv pre-commit (from PyPI, pinned) is installed into
#   git              pre-commit clones the hook repository
#   dpkg-dev         dpkg-shlibdeps for the package's Depends (packaging/build-deb.sh)
#   man-db           `man -w ipsecgen`
#   bash-completion  loads /usr/share/bash-completion/completions/ipsecgen
#
# Idempotent: exits 0 at once when every package is installed. Exit codes: 0 = ok,
# 2 = environment problem (not root, install failed).
set -euo pipefail

PKGS=(python3-venv git dpkg-dev man-db bash-completion)

missing=()
for p in "${PKGS[@]}"; do
    if [[ $(dpkg-query -W -f='${Status}' "$p" 2>/dev/null) != "install ok installed" ]]; then
        missing+=("$p")
    fi
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "install-tool-deps: installing ${missing[*]}" >&2
if [[ $(id -u) -ne 0 ]]; then
    echo "install-tool-deps: must run as root to install packages" >&2
    exit 2
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q || { echo "install-tool-deps: apt-get update failed" >&2; exit 2; }
apt-get install -y -q --no-install-recommends "${missing[@]}" || {
    echo "install-tool-deps: apt-get install failed" >&2; exit 2; }
echo "install-tool-deps: done" >&2
