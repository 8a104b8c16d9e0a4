#!/usr/bin/env bash
# lab/check-frr.sh FILE - FRR syntax check of a bgpd/frr config, no daemon needed.
#
# Runs `vtysh -C -f FILE` (dry run: parse every line, talk to no daemon).
# `bgpd -C` is useless (exits 0 even on bad lines).  vtysh reads
# <config_dir>/vtysh.conf first; to be independent of /etc/frr (absent,
# unreadable, or with local settings) it gets a private config dir holding an
# empty vtysh.conf (without one vtysh still works but prints "% Can't open
# configuration file .../vtysh.conf").
# Output: vtysh's messages, e.g. "line 3: % Unknown command[25]:  bogus line".
# Exit: vtysh's status (0 = ok, 2 = at least one bad line, 1 = FILE cannot be
# opened), 127 = vtysh not installed, 64 = usage.
# Limits seen with FRR 8.4: only syntax is checked; references to undefined
# route-maps/prefix-lists pass.
set -uo pipefail
if [[ $# -ne 1 ]]; then echo "usage: $0 FILE" >&2; exit 64; fi
command -v vtysh >/dev/null 2>&1 || { echo "check-frr: vtysh not found (run lab/install-deps.sh)" >&2; exit 127; }
file=$1
if [[ ! -r $file ]]; then echo "check-frr: cannot read '$file'" >&2; exit 1; fi
cfg=$(mktemp -d "${TMPDIR:-/tmp}/check-frr.XXXXXX") || exit 1
trap 'rm -rf "$cfg"' EXIT
: >"$cfg/vtysh.conf"
timeout -k 2 30 vtysh --config_dir "$cfg" -C -f "$file" 2>&1
rc=$?
if [[ $rc -ne 0 ]]; then echo "check-frr: '$file' failed (vtysh -C exit $rc)" >&2; fi
exit "$rc"
