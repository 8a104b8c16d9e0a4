#!/usr/bin/env bash
# lab/pluto-load.sh DIR CONF - load a rendered libreswan ipsec.conf into a real pluto and print
# pluto's log. `addconn --checkconfig` only parses; pluto itself refuses more (an IKEv1 conn
# without `ikev1-policy=accept`, a conn neither end of which is this host, ...).
#
# Run inside `unshare -n -m` (tests/libreswan.rs does): a private network namespace (pluto's
# IKE ports, the conn's left= addresses on lo) and a private mount namespace (pluto execs
# /usr/libexec/ipsec/addconn, so the unpacked /opt/libreswan/usr/libexec is bound there).
# DIR: an empty scratch directory. DIR/setup.txt, if present, holds lines for `config setup`.
# Exit: 0 when pluto ran (the caller judges the log), 2 on an environment problem.
set -u
D=$1 CONF=$2
L=/opt/libreswan/usr/libexec/ipsec
mount --bind /opt/libreswan/usr/libexec /usr/libexec || exit 2
ip link set lo up || exit 2
for a in $(sed -n 's/^[[:space:]]*left=\([0-9a-fA-F.:]*\)$/\1/p' "$CONF" | sort -u); do
    case $a in *:*) ip -6 addr add "$a/128" dev lo ;; *) ip addr add "$a/32" dev lo ;; esac
done
# %defaultroute needs a default route.
ip addr add 192.0.2.254/24 dev lo 2>/dev/null
ip route add default via 192.0.2.1 dev lo onlink 2>/dev/null
mkdir -p "$D/nss" "$D/run" || exit 2
certutil -N -d "sql:$D/nss" --empty-password || exit 2
{
    echo "config setup"
    echo "    logfile=$D/pluto.log"
    [[ -r $D/setup.txt ]] && cat "$D/setup.txt"
    echo "include $CONF"
} >"$D/main.conf"
"$L/pluto" --config "$D/main.conf" --rundir "$D/run" --nssdir "$D/nss" --secretsfile /dev/null \
    --ipsecdir "$D" --dumpdir "$D/run" --nofork --stderrlog --no-dnssec >"$D/pluto.out" 2>&1 &
P=$!
for _ in $(seq 100); do [[ -S $D/run/pluto.ctl ]] && break; sleep 0.1; done
[[ -S $D/run/pluto.ctl ]] || { cat "$D/pluto.out"; kill "$P"; exit 2; }
# pluto adds every conn of its --config at start (auto=add|ondemand|start); add them once more
# explicitly, as `ipsec auto --add` would, so a conn with auto=ignore is loaded too.
for c in $(sed -n 's/^conn \([^ ]*\)$/\1/p' "$CONF"); do
    "$L/whack" --ctlsocket "$D/run/pluto.ctl" --name "$c" --delete >/dev/null 2>&1
    "$L/addconn" --config "$D/main.conf" --ctlsocket "$D/run/pluto.ctl" "$c" 2>&1
done
"$L/whack" --ctlsocket "$D/run/pluto.ctl" --shutdown >/dev/null 2>&1
wait "$P"
grep '"' "$D/pluto.out" | grep -v 'prepare-client\|route-client\|_updown'
exit 0
