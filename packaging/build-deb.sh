#!/usr/bin/env bash
# packaging/build-deb.sh - build the Debian package ipsecgen_VERSION-1_ARCH.deb with dpkg-deb.
#
#   bash packaging/build-deb.sh                  # build-dist.sh (static, LTO), then package
#   bash packaging/build-deb.sh --binary PATH    # package an ipsecgen already built
#   ... --out DIR                                # where the .deb goes [target/debian]
#
# Contents (the man page and completions are what the binary itself prints):
#   /usr/bin/ipsecgen                                      stripped
#   /usr/share/man/man1/ipsecgen.1.gz                      ipsecgen man
#   /usr/share/bash-completion/completions/ipsecgen        ipsecgen completions bash
#   /usr/share/zsh/vendor-completions/_ipsecgen            ipsecgen completions zsh
#   /usr/share/fish/vendor_completions.d/ipsecgen.fish     ipsecgen completions fish
#   /usr/share/doc/ipsecgen/copyright
# Depends comes from dpkg-shlibdeps (package dpkg-dev) for a binary that loads shared libraries;
# the static binary of build-dist.sh loads none and has no Depends, and Static-Built-Using names
# the C library and compiler runtime linked into it. Files are owned by root, mtimes are
# clamped to SOURCE_DATE_EPOCH (the last commit's time when unset and git is there).
# Prints the path of the .deb on its last line. Exit codes: 0 ok, 1 build failed, 2 usage.
set -euo pipefail
cd "$(dirname "$0")/.."
umask 022

bin="" out=target/debian
while [[ $# -gt 0 ]]; do
    case $1 in
        --binary) bin=${2:?}; shift 2 ;;
        --out) out=${2:?}; shift 2 ;;
        *) echo "usage: $0 [--binary PATH] [--out DIR]" >&2; exit 2 ;;
    esac
done
for tool in dpkg-deb dpkg-shlibdeps dpkg-query readelf strip gzip; do
    command -v "$tool" >/dev/null || { echo "build-deb: $tool is missing (apt-get install dpkg-dev binutils)" >&2; exit 1; }
done
if [[ -z $bin ]]; then
    bin=$(bash packaging/build-dist.sh | tail -n 1)
fi
[[ -x $bin ]] || { echo "build-deb: $bin is not an executable" >&2; exit 1; }

version=$("$bin" --version | awk '{print $2}')
arch=$(dpkg --print-architecture)
if [[ -z ${SOURCE_DATE_EPOCH:-} ]] && git rev-parse --git-dir >/dev/null 2>&1; then
    SOURCE_DATE_EPOCH=$(git log -1 --format=%ct)
    export SOURCE_DATE_EPOCH
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/root
install -D -m 0755 "$bin" "$root/usr/bin/ipsecgen"
strip --strip-unneeded "$root/usr/bin/ipsecgen"
install -d "$root/usr/share/man/man1" "$root/usr/share/bash-completion/completions" \
    "$root/usr/share/zsh/vendor-completions" "$root/usr/share/fish/vendor_completions.d" \
    "$root/usr/share/doc/ipsecgen" "$root/DEBIAN"
"$bin" man | gzip -9n >"$root/usr/share/man/man1/ipsecgen.1.gz"
"$bin" completions bash >"$root/usr/share/bash-completion/completions/ipsecgen"
"$bin" completions zsh >"$root/usr/share/zsh/vendor-completions/_ipsecgen"
"$bin" completions fish >"$root/usr/share/fish/vendor_completions.d/ipsecgen.fish"
cat >"$root/usr/share/doc/ipsecgen/copyright" <<'COPYRIGHT'
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: ipsecgen

Files: *
Copyright: the ipsecgen developers
License: MIT or Apache-2.0
 On Debian systems the Apache License 2.0 is in /usr/share/common-licenses/Apache-2.0.
COPYRIGHT
chmod 0644 "$root"/usr/share/man/man1/* "$root"/usr/share/*/*completion*/* \
    "$root"/usr/share/doc/ipsecgen/copyright

# A binary that loads shared libraries depends on their packages (dpkg-shlibdeps, which wants a
# debian/control naming the package); a static one on none, and names what is linked into it.
relations=""
if readelf -d "$root/usr/bin/ipsecgen" | grep -q '(NEEDED)'; then
    mkdir "$work/debian"
    printf 'Source: ipsecgen\n\nPackage: ipsecgen\nArchitecture: any\n' >"$work/debian/control"
    depends=$(cd "$work" && dpkg-shlibdeps -O -e"$root/usr/bin/ipsecgen" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
    [[ -n $depends ]] || { echo "build-deb: dpkg-shlibdeps found no dependencies" >&2; exit 1; }
    relations="Depends: $depends"
else
    # The static C library and libgcc_eh that cc (rustc's linker) links in: their source packages.
    built=$(for a in libc.a libgcc_eh.a; do realpath "$(cc -print-file-name=$a)"; done |
        xargs dpkg -S 2>/dev/null | cut -d: -f1 | sort -u |
        xargs dpkg-query -W -f='${source:Package} (= ${source:Version})\n' 2>/dev/null | paste -sd, - | sed 's/,/, /g')
    [[ $built == *"(= "[0-9]* ]] || { echo "build-deb: no package holds the static libc.a and libgcc_eh.a cc links" >&2; exit 1; }
    relations="Static-Built-Using: $built"
fi

cat >"$root/DEBIAN/control" <<CONTROL
Package: ipsecgen
Version: $version-1
Architecture: $arch
Maintainer: ipsecgen developers <ipsecgen@example.invalid>
Installed-Size: $(du -sk --apparent-size "$root/usr" | cut -f1)
$relations
Section: net
Priority: optional
Description: compile cloud VPN API payloads into peer configs, check them offline
 ipsecgen reads the VPN connection settings a cloud API returns (Alibaba Cloud,
 Huawei Cloud / OpenStack VPNaaS, ZStack) and renders the other end of the
 tunnel for strongSwan, FRR, libreswan and vendor devices, or checks the
 settings offline against the cloud's own rules (also as a pre-commit hook).
CONTROL
(cd "$root" && find usr -type f -print0 | sort -z | xargs -0 md5sum) >"$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/control" "$root/DEBIAN/md5sums"

mkdir -p "$out"
deb=$out/ipsecgen_${version}-1_${arch}.deb
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >&2
echo "$deb"
