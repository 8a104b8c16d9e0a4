#!/usr/bin/env bash
# lab/pluto-load.sh DIR CONF... - load rendered libreswan ipsec.conf files into a real, running
# pluto (`addconn` against it, as `ipsec auto --add` does) and print what pluto said about each.
# `addconn --checkconfig` only parses; pluto itself refuses more (an IKEv1 conn without
# `ikev1-policy=accept`, a conn neither end of which is this host, an ipsec-interface= conn on
# a kernel without XFRM interfaces, ...).
#
# Run inside `unshare -n -m` (tests/libreswan.rs on the host, lab/vm/guest.sh in the VM lab): a
# private network namespace (pluto's IKE ports, each conn's left= addresses on lo) and a private
# mount namespace (pluto execs /usr/libexec/ipsec/addconn and `ipsec _updown`, so the unpacked
# /opt/libreswan/usr/libexec is bound there).
# DIR: an empty scratch directory on a local file system (pluto's control socket lives there).
# DIR/setup.txt, if present, holds the lines for `config setup`: the same for every CONF, so
# callers load together only files whose headers ask for the same lines.
# One pluto loads the files one after the other: CONF number N gets its own left= addresses on
# lo (and no other file's: a conn both of whose ends are local cannot be oriented), its conns
# added, then deleted again (files may name the same conn). DIR/load-N.log: pluto's lines and
# addconn's output while CONF N was loaded; stdout: all of them, in order.
# Exit: 0 when pluto ran (the caller judges the logs), 2 on an environment problem.
set -u
D=$1; shift
L=/opt/libreswan/usr/libexec/ipsec
mount --bind /opt/libreswan/usr/libexec /usr/libexec || exit 2
ip link set lo up || exit 2
# %defaultroute needs a default route.
ip addr add 192.0.2.254/24 dev lo 2>/dev/null
ip route add default via 192.0.2.1 dev lo onlink 2>/dev/null
mkdir -p "$D/nss" "$D/run" || exit 2
certutil -N -d "sql:$D/nss" --empty-password || exit 2
setup() {
    echo "config setup"
    echo "    logfile=$D/pluto.log"
    [[ -r $D/setup.txt ]] && cat "$D/setup.txt"
}
# pluto starts with the `config setup` only: every conn is added by addconn below
setup >"$D/setup.conf"
"$L/pluto" --config "$D/setup.conf" --rundir "$D/run" --nssdir "$D/nss" --secretsfile /dev/null \
    --ipsecdir "$D" --dumpdir "$D/run" --nofork --stderrlog --no-dnssec >"$D/pluto.out" 2>&1 &
P=$!
for _ in $(seq 300); do [[ -S $D/run/pluto.ctl ]] && break; sleep 0.1; done
[[ -S $D/run/pluto.ctl ]] || { cat "$D/pluto.out"; kill "$P"; exit 2; }
W() { "$L/whack" --ctlsocket "$D/run/pluto.ctl" "$@"; }
lefts() { sed -n 's/^[[:space:]]*left=\([0-9a-fA-F.:]*\)$/\1/p' "$1" | sort -u; }
lo() {  # add|del addresses...
    local op=$1 a; shift
    for a in "$@"; do
        case $a in *:*) ip -6 addr "$op" "$a/128" dev lo ;; *) ip addr "$op" "$a/32" dev lo ;; esac
    done
}
n=0
for CONF in "$@"; do
    n=$((n + 1))
    { setup; echo "include $CONF"; } >"$D/main-$n.conf"
    mapfile -t A < <(lefts "$CONF")
    lo add "${A[@]}"
    W --listen >/dev/null 2>&1
    from=$(wc -l <"$D/pluto.out")
    conns=$(sed -n 's/^conn \([^ ]*\)$/\1/p' "$CONF")
    {
        for c in $conns; do
            "$L/addconn" --config "$D/main-$n.conf" --ctlsocket "$D/run/pluto.ctl" "$c" 2>&1
        done
        for c in $conns; do W --name "$c" --delete 2>&1; done
    } >"$D/addconn-$n.out"
    lo del "${A[@]}"   # (the next file's --listen drops them from pluto's interfaces)
    { cat "$D/addconn-$n.out"; tail -n +"$((from + 1))" "$D/pluto.out" | grep '"' |
        grep -v 'prepare-client\|route-client\|down-client\|_updown'; } >"$D/load-$n.log"
    cat "$D/load-$n.log"
done
W --shutdown >/dev/null 2>&1
wait "$P"
exit 0
