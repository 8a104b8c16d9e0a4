#!/bin/bash
# runvm.sh SCRIPT OUTDIR [extra qemu args...]
# Boots the Debian kernel unpacked in $KDIR, host / shared read-only (9p, tmpfs
# overlay inside), runs `SCRIPT /vmlab-out` as PID 1 in the guest; OUTDIR is
# shared read-write as /vmlab-out. Console (kernel + script output) -> stdout.
# Exit code: the script's, 255 if the VM died without writing one.
set -euo pipefail
SCRIPT=$(realpath "$1"); OUTD=$(realpath -m "$2"); shift 2
VMLAB=${VMLAB:-/opt/vmlab}
KDIR=$VMLAB/kernel
INITRD=$VMLAB/initrd.cpio.gz
KIMG=${KIMG:-$VMLAB/vmlinux}        # uncompressed ELF: PVH boot, no xz under TCG
[[ -r $KIMG ]] || KIMG=$(ls "$KDIR"/boot/vmlinuz-*)
MEM=${MEM:-512}
VMTIMEOUT=${VMTIMEOUT:-600}
# /dev/kvm alone is not enough: on PVM hosts (kvm_pvm, no vmx/svm flag) an
# unmodified kernel hangs in early boot. Use KVM only with real VT-x/AMD-V.
if [[ -z ${ACCEL:-} ]]; then
    ACCEL=tcg
    [[ -w /dev/kvm ]] && grep -qwE 'vmx|svm' /proc/cpuinfo && ACCEL=kvm
fi
if [[ $ACCEL == kvm ]]; then acc=(-accel kvm -cpu host); SMP=${SMP:-2}
else acc=(-accel "tcg,tb-size=${TBSIZE:-256}" -cpu max); SMP=${SMP:-1}   # 1 vCPU: 2 made exec 3-5x slower under TCG
fi
mkdir -p "$OUTD"; rm -f "$OUTD/exit-code"
timeout -k 5 "$VMTIMEOUT" qemu-system-x86_64 "${acc[@]}" -smp "$SMP" -m "$MEM" \
    -nodefaults -no-user-config -display none -no-reboot \
    -serial stdio -kernel "$KIMG" -initrd "$INITRD" \
    -append "console=ttyS0 quiet loglevel=3 panic=-1 vmlab.kdir=$KDIR vmlab.cmd=$SCRIPT" \
    -fsdev local,id=root,path=/,security_model=none,readonly=on,multidevs=remap \
    -device virtio-9p-pci,fsdev=root,mount_tag=root \
    -fsdev local,id=out,path="$OUTD",security_model=none,multidevs=remap \
    -device virtio-9p-pci,fsdev=out,mount_tag=out \
    "$@" </dev/null
rc=$(cat "$OUTD/exit-code" 2>/dev/null || echo 255)
exit "$rc"
