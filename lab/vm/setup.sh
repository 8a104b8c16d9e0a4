#!/usr/bin/env bash
# setup.sh - prepare the VM lab (idempotent, root). Installs QEMU + helpers from
# Debian, downloads the current Debian kernel .deb (linux-image-amd64's target)
# and UNPACKS it into $VMLAB/kernel (nothing is installed into /boot or
# /lib/modules), extracts an uncompressed vmlinux for fast PVH boot, and builds
# $VMLAB/initrd.cpio.gz with mkinitrd.sh (next to this file).
set -euo pipefail
VMLAB=${VMLAB:-/opt/vmlab}
HERE=$(dirname "$(realpath "$0")")
export DEBIAN_FRONTEND=noninteractive
# iptables: the rendered ipsec-link.sh clamps TCP MSS with it; the last 3: /opt/libreswan's pluto
PKGS=(qemu-system-x86 kmod busybox-static cpio python3 iptables
      libldns3 libevent-pthreads-2.1-7 libnss3-tools)
missing=()
for p in "${PKGS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if (( ${#missing[@]} )); then
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
mkdir -p "$VMLAB"
# one setup at a time (several worktrees / CI jobs may share $VMLAB)
exec 9>"$VMLAB/.setup.lock"
flock -w 600 9 || { echo "setup: $VMLAB/.setup.lock busy for 600 s" >&2; exit 2; }
# the initramfs is rebuilt whenever mkinitrd.sh changes (its hash is stored beside it)
stamp=$(sha256sum "$HERE/mkinitrd.sh" | cut -d' ' -f1)
if [[ -s $VMLAB/initrd.cpio.gz && -d $VMLAB/kernel/lib/modules ]]; then
    if [[ $(cat "$VMLAB/initrd.stamp" 2>/dev/null) != "$stamp" ]]; then
        "$HERE/mkinitrd.sh" "$VMLAB/kernel" "$VMLAB/initrd.cpio.gz"
        echo "$stamp" >"$VMLAB/initrd.stamp"
    fi
    exit 0
fi

# the kernel ABI name (linux-image-6.1.0-NN-amd64) changes with Debian point
# releases and old ones leave the mirror: resolve it through the metapackage
kpkg() { apt-cache depends linux-image-amd64 2>/dev/null |
         awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }'; }
mkdir -p "$VMLAB"
tmp=$(mktemp -d); chmod 755 "$tmp"            # apt-get download runs as _apt
trap 'rm -rf "$tmp"' EXIT
KPKG=$(kpkg)
if [[ -z $KPKG ]] || ! (cd "$tmp" && apt-get download "$KPKG"); then
    apt-get update -q
    KPKG=$(kpkg)
    [[ -n $KPKG ]] || { echo "setup: cannot resolve linux-image-amd64" >&2; exit 2; }
    (cd "$tmp" && apt-get download "$KPKG")
fi
rm -rf "$VMLAB/kernel"
dpkg -x "$tmp"/linux-image-*.deb "$VMLAB/kernel"
KVER=$(ls "$VMLAB/kernel/lib/modules")
depmod -b "$VMLAB/kernel" "$KVER"             # the .deb ships no modules.dep
# bzImage is xz-compressed: decompressing it under TCG costs ~4 s per boot.
# The payload is an ELF vmlinux with a PVH note, which QEMU boots directly.
if ! python3 - "$VMLAB/kernel/boot/vmlinuz-$KVER" "$VMLAB/vmlinux" <<'EOF'
import lzma, sys
d = open(sys.argv[1], 'rb').read()
i = d.find(b'\xfd7zXZ\x00')
out = lzma.LZMADecompressor().decompress(d[i:]) if i >= 0 else b''
if out[:4] != b'\x7fELF':
    sys.exit("setup: no xz-compressed ELF in bzImage; runvm.sh will boot vmlinuz")
open(sys.argv[2], 'wb').write(out)
EOF
then rm -f "$VMLAB/vmlinux"; fi
"$HERE/mkinitrd.sh" "$VMLAB/kernel" "$VMLAB/initrd.cpio.gz"
echo "$stamp" >"$VMLAB/initrd.stamp"
echo "setup: $KPKG ready in $VMLAB"
