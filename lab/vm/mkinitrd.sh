#!/bin/bash
# mkinitrd.sh KDIR OUT.cpio.gz
# KDIR: a Debian linux-image .deb unpacked with `dpkg -x` (boot/vmlinuz-*, lib/modules/<ver>).
# Builds a tiny initramfs: busybox-static + the virtio-pci/9p/overlay modules + /init.
# /init mounts the host's / (9p tag "root", read-only) under a tmpfs overlay,
# mounts the 9p tag "out" read-write on /vmlab-out, links lib/modules/<ver> to
# KDIR's, switch_root's and runs `vmlab.cmd /vmlab-out` as PID 1; its exit code
# goes to /vmlab-out/exit-code, then the VM powers off.
set -euo pipefail
KDIR=$1 OUTF=$2
KVER=$(ls "$KDIR/lib/modules")
[[ -f $KDIR/lib/modules/$KVER/modules.dep ]] || depmod -b "$KDIR" "$KVER"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
mkdir -p "$T"/{bin,dev,proc,sys,newroot,lower,upper,mods}
cp /bin/busybox "$T/bin/busybox"     # from busybox-static: no shared libs needed
# modules in load order (deps first), exactly as modprobe would insert them
for f in $(modprobe -d "$KDIR" -S "$KVER" --show-depends -a virtio_pci 9pnet_virtio 9p overlay \
           | awk '$1 == "insmod" { print $2 }'); do
    m=$(basename "$f" .ko)
    grep -qx "$m" "$T/mods/order" 2>/dev/null && continue
    cp "$f" "$T/mods/"; echo "$m" >>"$T/mods/order"
done
cat >"$T/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
die() { echo "vmlab-init: $*"; echo o >/proc/sysrq-trigger; sleep 10; }
for m in $(cat /mods/order); do insmod /mods/$m.ko || die "insmod $m failed"; done
arg() { sed -n "s/.*vmlab\.$1=\([^ ]*\).*/\1/p" /proc/cmdline; }
KD=$(arg kdir); CMD=$(arg cmd); KV=$(uname -r)
mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=512000 root /lower || die "9p root failed"
mount -t tmpfs -o mode=755 tmpfs /upper && mkdir -p /upper/u /upper/w
mount -t overlay -o lowerdir=/lower,upperdir=/upper/u,workdir=/upper/w overlay /newroot || die "overlay failed"
for d in proc sys dev; do mount --move /$d /newroot/$d; done
mount -t tmpfs tmpfs /newroot/run
mkdir -p /newroot/dev/pts /newroot/dev/shm /newroot/vmlab-out
mount -t devpts devpts /newroot/dev/pts; mount -t tmpfs tmpfs /newroot/dev/shm
# devtmpfs lacks what udev/systemd normally add; bash process substitution needs /dev/fd
ln -sf /proc/self/fd /newroot/dev/fd; ln -sf /proc/self/fd/0 /newroot/dev/stdin
ln -sf /proc/self/fd/1 /newroot/dev/stdout; ln -sf /proc/self/fd/2 /newroot/dev/stderr
mount -t 9p -o trans=virtio,version=9p2000.L,rw,cache=none,msize=512000 out /newroot/vmlab-out || die "9p out failed"
mkdir -p /newroot/lib/modules && mount -t tmpfs tmpfs /newroot/lib/modules
ln -s "$KD/lib/modules/$KV" /newroot/lib/modules/$KV   # modprobe (and kernel autoload) find them
cat >/newroot/run/vmlab-pid1 <<EOS
#!/bin/sh
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root TERM=dumb
cd /tmp
echo "vmlab-init: up at \$(cut -d' ' -f1 /proc/uptime) s, running $CMD"
"$CMD" /vmlab-out </dev/null
echo \$? >/vmlab-out/exit-code
echo "vmlab-init: done at \$(cut -d' ' -f1 /proc/uptime) s"
sync
exec busybox poweroff -f   # the host's busybox-static; sysrq as a fallback
echo o >/proc/sysrq-trigger
EOS
chmod 755 /newroot/run/vmlab-pid1
exec switch_root /newroot /run/vmlab-pid1 </dev/console >/dev/console 2>&1
EOF
chmod 755 "$T/init"
(cd "$T" && find . | cpio -o -H newc --quiet) | gzip -1 >"$OUTF"
echo "$OUTF ($(du -k "$OUTF" | cut -f1) KiB) for $KVER"
