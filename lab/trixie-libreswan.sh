#!/usr/bin/env bash
# lab/trixie-libreswan.sh - a libreswan 5 for tests/libreswan.rs, called by lab/install-deps.sh.
#
# The host is Debian 12, whose libreswan is 4.10; the libreswan target's `--device version=5`
# form (`leftsubnet=a,b`) needs a libreswan 5 pluto to be loaded into. Debian 13 (trixie) ships
# one: a minimal trixie root (`debootstrap --variant=minbase`) with `libreswan` and
# `libnss3-tools` installed into it, in /opt/trixie-libreswan. Its pluto runs chrooted there.
#
# Idempotent: exits 0 at once when the root's pluto and certutil are there. Built in
# /opt/trixie-libreswan.partial and renamed when complete, so a broken run leaves nothing that
# looks finished. Needs root and the Debian mirror (debootstrap is installed from the host's
# apt sources when missing). Exit codes: 0 = ok, 2 = environment problem.
set -euo pipefail

ROOT=/opt/trixie-libreswan
MIRROR=http://deb.debian.org/debian
[[ -x $ROOT/usr/libexec/ipsec/pluto && -x $ROOT/usr/bin/certutil ]] && exit 0

if [[ $(id -u) -ne 0 ]]; then
    echo "trixie-libreswan: must run as root to build $ROOT" >&2
    exit 2
fi
export DEBIAN_FRONTEND=noninteractive
if ! command -v debootstrap >/dev/null 2>&1; then
    echo "trixie-libreswan: installing debootstrap" >&2
    { apt-get install -y -q --no-install-recommends debootstrap ||
        { apt-get update -q && apt-get install -y -q --no-install-recommends debootstrap; }; } ||
        { echo "trixie-libreswan: apt-get install debootstrap failed" >&2; exit 2; }
fi

T=$ROOT.partial
umount "$T/proc" 2>/dev/null || true
rm -rf "$T"
start=$(date +%s)
echo "trixie-libreswan: building $ROOT (debootstrap --variant=minbase trixie, libreswan)" >&2
if ! debootstrap --variant=minbase trixie "$T" "$MIRROR" >"$ROOT.log" 2>&1; then
    tail -n 20 "$ROOT.log" >&2
    echo "trixie-libreswan: debootstrap failed (whole log: $ROOT.log)" >&2
    exit 2
fi
# No service starts inside the root; apt's postinst scripts want /proc.
printf '#!/bin/sh\nexit 101\n' >"$T/usr/sbin/policy-rc.d"
chmod 755 "$T/usr/sbin/policy-rc.d"
mount -t proc proc "$T/proc"
trap 'umount "$T/proc" 2>/dev/null || true' EXIT
if ! chroot "$T" apt-get install -y -q --no-install-recommends libreswan libnss3-tools \
    >>"$ROOT.log" 2>&1; then
    tail -n 20 "$ROOT.log" >&2
    echo "trixie-libreswan: apt-get install libreswan in the root failed (whole log: $ROOT.log)" >&2
    exit 2
fi
# The package lists (55 MB) are not needed to run pluto.
chroot "$T" apt-get clean
rm -rf "$T"/var/lib/apt/lists/*
umount "$T/proc"
trap - EXIT
[[ -x $T/usr/libexec/ipsec/pluto && -x $T/usr/bin/certutil ]] || {
    echo "trixie-libreswan: pluto or certutil missing in $T after the install" >&2; exit 2; }
mv "$T" "$ROOT"
echo "trixie-libreswan: $(chroot "$ROOT" /usr/libexec/ipsec/pluto --version 2>&1 | head -1)," \
    "$(du -sh "$ROOT" | cut -f1), $(($(date +%s) - start)) s" >&2
