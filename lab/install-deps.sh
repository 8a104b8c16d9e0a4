#!/usr/bin/env bash
# lab/install-deps.sh - install the Debian packages the interop lab needs.
#
# Idempotent: exits 0 immediately when every needed binary is present.
# libreswan is unpacked (not installed) into /opt/libreswan when that is missing.
# Otherwise runs `apt-get update` and `apt-get install -y --no-install-recommends`
# with a policy-rc.d that forbids starting services (so no system charon/frr
# comes up), then stops any strongswan/frr/ipsec service that got started anyway.
# Exit codes: 0 = ok, 2 = environment problem (not root, install failed).
set -euo pipefail

# libstrongswan-standard-plugins is only a Recommends of the strongSwan
# packages, so --no-install-recommends drops it; it carries the openssl plugin
# (ECP/ECDH groups, GCM, ...) that the lab's charon load list uses, and without
# it every swanctl call warns "plugin 'openssl': failed to load".
# libldns3, libevent-pthreads-2.1-7 and libnss3-tools (certutil): the libraries the unpacked
# libreswan's pluto needs beyond the strongSwan/FRR set, and the NSS database tool, so that
# tests/libreswan.rs can load every rendered ipsec.conf into a running pluto (lab/pluto-load.sh).
PKGS=(strongswan-swanctl strongswan-charon libcharon-extra-plugins
      libstrongswan-extra-plugins libstrongswan-standard-plugins
      frr iproute2 iputils-ping libldns3 libevent-pthreads-2.1-7 libnss3-tools)
BINS=(/usr/lib/ipsec/charon swanctl /usr/lib/frr/bgpd vtysh ip ping unshare certutil
      /usr/lib/ipsec/plugins/libstrongswan-openssl.so
      /usr/lib/ipsec/plugins/libstrongswan-kernel-libipsec.so
      /usr/lib/x86_64-linux-gnu/libldns.so.3
      /usr/lib/x86_64-linux-gnu/libevent_pthreads-2.1.so.7)

missing() {
    local b
    for b in "${BINS[@]}"; do
        if [[ $b == *.so || $b == *.so.* ]]; then [[ -r $b ]] || { echo "$b"; return 0; }
        elif [[ $b == /* ]]; then [[ -x $b ]] || { echo "$b"; return 0; }
        else command -v "$b" >/dev/null 2>&1 || { echo "$b"; return 0; }
        fi
    done
    return 1
}

# libreswan's own parsers (addconn --checkconfig, algparse) check the libreswan
# target's output (tests/libreswan.rs). The Debian package conflicts with
# strongSwan's, so it is unpacked, not installed: only when /opt/libreswan is
# missing.
LIBRESWAN=/opt/libreswan
libreswan_tools() {
    [[ -x $LIBRESWAN/usr/libexec/ipsec/addconn ]] && return 0
    if [[ $(id -u) -ne 0 ]]; then
        echo "install-deps: must run as root to unpack libreswan into $LIBRESWAN" >&2
        return 2
    fi
    local tmp
    tmp=$(mktemp -d)
    chmod 755 "$tmp"   # apt-get download runs as _apt
    echo "install-deps: unpacking libreswan into $LIBRESWAN" >&2
    if ! (cd "$tmp" && { apt-get download libreswan || { apt-get update -q && apt-get download libreswan; }; }); then
        echo "install-deps: apt-get download libreswan failed" >&2; rm -rf "$tmp"; return 2
    fi
    if ! dpkg -x "$tmp"/libreswan_*.deb "$LIBRESWAN"; then
        echo "install-deps: dpkg -x libreswan failed" >&2; rm -rf "$tmp"; return 2
    fi
    rm -rf "$tmp"
    [[ -x $LIBRESWAN/usr/libexec/ipsec/addconn ]] || {
        echo "install-deps: $LIBRESWAN/usr/libexec/ipsec/addconn missing after unpacking" >&2; return 2; }
}
libreswan_tools || exit 2

# libreswan 5 (Debian 13's, in a minimal trixie root in /opt/trixie-libreswan, built only when
# missing): tests/libreswan.rs loads the `--device version=5` outputs into its pluto.
bash "$(dirname "$0")/trixie-libreswan.sh" || exit 2

# The VM lab (tests/vmlab.rs): QEMU, a Debian kernel unpacked into /opt/vmlab, its initramfs.
bash "$(dirname "$0")/vm/setup.sh" || exit 2

# The packaging and pre-commit tests' packages (python3-venv, dpkg-dev, man-db, bash-completion).
bash "$(dirname "$0")/install-tool-deps.sh" || exit 2

if ! m=$(missing); then
    exit 0
fi
echo "install-deps: missing $m; installing ${PKGS[*]}" >&2

if [[ $(id -u) -ne 0 ]]; then
    echo "install-deps: must run as root to install packages" >&2
    exit 2
fi

# Forbid service starts during the install (unless a policy already exists).
POLICY=/usr/sbin/policy-rc.d
own_policy=0
if [[ ! -e $POLICY ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$POLICY"
    chmod 755 "$POLICY"
    own_policy=1
fi
cleanup() { if [[ $own_policy -eq 1 ]]; then rm -f "$POLICY"; fi; }
trap cleanup EXIT

export DEBIAN_FRONTEND=noninteractive
if ! apt-get update -q; then
    echo "install-deps: apt-get update failed" >&2; exit 2
fi
if ! apt-get install -y -q --no-install-recommends "${PKGS[@]}"; then
    echo "install-deps: apt-get install failed" >&2; exit 2
fi

# Belt and braces: if an init system started the services anyway, stop and
# disable them (they would hold /var/run/charon.pid, the default vici socket,
# or FRR's default vty sockets).
for svc in strongswan strongswan-starter strongswan-swanctl ipsec frr; do
    if command -v systemctl >/dev/null 2>&1 && [[ -d /run/systemd/system ]]; then
        systemctl stop "$svc" >/dev/null 2>&1 || true
        systemctl disable "$svc" >/dev/null 2>&1 || true
    elif [[ -x /etc/init.d/$svc ]]; then
        /etc/init.d/"$svc" stop >/dev/null 2>&1 || true
    fi
done

if m=$(missing); then
    echo "install-deps: still missing $m after install" >&2
    exit 2
fi
echo "install-deps: done" >&2
