#!/usr/bin/env bash
# guest.sh OUT - the VM lab's guest entry (PID 1's command inside the VM, see runvm.sh).
# Runs every scenario under OUT/scenarios/ (sorted) in this ONE boot, each by scenario.sh with a
# bounded time, and writes OUT/guest.env (kernel, boot time, per-scenario times and exit codes).
# Each scenario's results land in OUT/scenarios/<name>/out/.
# First, when OUT/pluto-load/ exists: each of its group folders (setup.txt and 1.conf, 2.conf,
# ...: rendered libreswan files) is loaded into one running pluto by lab/pluto-load.sh, in
# private network and mount namespaces, on a kernel with XFRM interfaces; the folder gets rc,
# stdout and load-N.log (PLUTO_LOAD_MS in guest.env). Then the same from OUT/pluto-load5/ with
# libreswan 5 (PLUTO5_LOAD_MS).
set -uo pipefail
OUT=${1:-/vmlab-out}
HERE=$(dirname "$(realpath "$0")")
G=$OUT/guest.env
: >"$G"
res() { printf '%s=%s\n' "$1" "$2" >>"$G"; }
res KERNEL "$(uname -r)"
res UPTIME_AT_START "$(cut -d' ' -f1 /proc/uptime)"
res NPROC "$(nproc)"
rc=0; modprobe -a esp4 esp6 xfrm_interface xfrm_user veth dummy af_key 2>"$OUT/modprobe.err" || rc=$?
res MODPROBE_RC "$rc"
res MODULES "$(lsmod | awk 'NR > 1 { print $1 }' | grep -E '^(esp4|xfrm_interface|xfrm_user|veth|dummy)$' | sort | tr '\n' ',')"
# a syslog for scripts that log (health-monitor.sh uses logger); /dev/log is seen by every netns
busybox syslogd -O "$OUT/syslog" 2>/dev/null
# The same for libreswan 5 from OUT/pluto-load5/ by lab/pluto5-load.sh (the trixie root's pluto,
# chrooted: the files are copied next to its work folder, which that script requires).
for set in "pluto-load pluto-load.sh PLUTO_LOAD_MS" "pluto-load5 pluto5-load.sh PLUTO5_LOAD_MS"; do
    read -r dir script key <<<"$set"
    [[ -d $OUT/$dir ]] || continue
    s=$(date +%s%N)
    for g in "$OUT/$dir"/*/; do
        # pluto's control socket needs a local file system (the 9p share cannot hold one)
        w=$(mktemp -d /tmp/ipgvm-pluto.XXXX)
        cp "$g/setup.txt" "$w/"
        mkdir "$w.conf"
        confs=(); i=1
        while [[ -f $g/$i.conf ]]; do cp "$g/$i.conf" "$w.conf/"; confs+=("$w.conf/$i.conf"); i=$((i + 1)); done
        rc=0; timeout -k 5 300 unshare -n -m bash "$HERE/../$script" "$w" "${confs[@]}" >"$g/stdout" 2>&1 || rc=$?
        echo "$rc" >"$g/rc"
        cp "$w"/load-*.log "$w/pluto.out" "$g/" 2>/dev/null
        rm -rf "$w" "$w.conf"
    done
    res "$key" $(( ($(date +%s%N) - s) / 1000000 ))
done
SC_TIMEOUT=$(cat "$OUT/scenario-timeout" 2>/dev/null || echo 240)
n=0
for d in "$OUT"/scenarios/*/; do
    [[ -f $d/scenario.env ]] || continue
    name=$(basename "$d")
    n=$((n + 1))
    s=$(date +%s%N)
    echo "vmlab: scenario $name"
    rc=0; timeout -k 5 "$SC_TIMEOUT" bash "$HERE/scenario.sh" "$d" >"$d/scenario.stdout" 2>&1 || rc=$?
    res "SC_${n}_NAME" "$name"
    res "SC_${n}_RC" "$rc"
    res "SC_${n}_MS" $(( ($(date +%s%N) - s) / 1000000 ))
    # whatever a scenario left (it cleans up itself; a timeout may not)
    ip netns del ipgvm-cloud 2>/dev/null; ip netns del ipgvm-cust 2>/dev/null
done
res SCENARIOS "$n"
res UPTIME_AT_END "$(cut -d' ' -f1 /proc/uptime)"
res MEM_USED_MB "$(free -m | awk '/^Mem:/{print $3}')"
echo "vmlab: done, $n scenarios"
exit 0
