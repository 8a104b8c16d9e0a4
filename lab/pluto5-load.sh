#!/usr/bin/env bash
# lab/pluto5-load.sh DIR CONF... - lab/pluto-load.sh with libreswan 5: the same loading, judged
# the same way, by the pluto of the trixie root lab/trixie-libreswan.sh builds in
# /opt/trixie-libreswan (Debian 13's libreswan 5; the host's Debian 12 has 4.10).
#
# Run inside `unshare -n -m` like pluto-load.sh (tests/libreswan.rs). DIR and every CONF must lie
# under DIR's parent folder: that folder is bound into the root (in this private mount namespace
# only) at /mnt/load, with /proc, /sys and /dev, and pluto-load.sh itself runs chrooted there.
# pluto-load.sh binds /opt/libreswan/usr/libexec over /usr/libexec: inside the root that path is
# the root's own /usr/libexec, bound there first. Output and exit codes: pluto-load.sh's.
set -u
ROOT=/opt/trixie-libreswan
D=$(realpath "$1"); shift
TOP=$(dirname "$D")
[[ -x $ROOT/usr/libexec/ipsec/pluto ]] || { echo "$ROOT: no pluto (lab/trixie-libreswan.sh)" >&2; exit 2; }
# A tmpfs over the root's /mnt holds the mount points, so the shared root is never written.
mount -t tmpfs lab "$ROOT/mnt" || exit 2
mkdir -p "$ROOT/mnt/load" "$ROOT/mnt/lab" || exit 2
mount --bind "$TOP" "$ROOT/mnt/load" || exit 2
mount --bind "$(dirname "$(realpath "$0")")" "$ROOT/mnt/lab" || exit 2
mount -t proc proc "$ROOT/proc" || exit 2
mount -t sysfs sys "$ROOT/sys" || exit 2
mount --rbind /dev "$ROOT/dev" || exit 2
# /opt inside the root: a tmpfs with the /opt/libreswan/usr/libexec that pluto-load.sh expects.
mount -t tmpfs opt "$ROOT/opt" || exit 2
mkdir -p "$ROOT/opt/libreswan/usr/libexec" || exit 2
mount --bind "$ROOT/usr/libexec" "$ROOT/opt/libreswan/usr/libexec" || exit 2
args=()
for CONF in "$@"; do
    CONF=$(realpath "$CONF")
    [[ $CONF == "$TOP"/* ]] || { echo "$CONF is not under $TOP" >&2; exit 2; }
    args+=("/mnt/load/${CONF#"$TOP"/}")
done
exec chroot "$ROOT" /bin/bash /mnt/lab/pluto-load.sh "/mnt/load/${D#"$TOP"/}" "${args[@]}"
