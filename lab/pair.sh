#!/usr/bin/env bash
# lab/pair.sh - run ONE IPsec (+ optional BGP) negotiation between two real
# strongSwan charon daemons (and FRR bgpd) in two fresh network namespaces.
#
# Needs root, and the packages from lab/install-deps.sh. ESP runs in user space
# (kernel-libipsec); each charon gets its own /run (unshare -m + tmpfs).
# All addresses live only inside the two namespaces it creates.
#
# Configuration is by environment variable (lists: separated by spaces, commas
# or newlines, unless noted):
#   LAB_NAME            required, [A-Za-z0-9_.-]{1,40}; namespaces are
#                       ipg-<LAB_NAME>-cloud and ipg-<LAB_NAME>-cust, work dir
#                       $LAB_ROOT/<LAB_NAME> (wiped at start).  Distinct names
#                       may run concurrently; a second run with a name that is
#                       in use exits 2.  Leftovers of a killed run with the same
#                       name are cleaned up at start.
#   LAB_ROOT            default /tmp/ipsecgen-lab
#   RESULTS_DIR         default $LAB_ROOT/<LAB_NAME>/results (created; left behind)
#   CLOUD_IP            required, cloud gateway address (IPv4 or IPv6)
#   CUSTOMER_IP         required, customer gateway address.  Each is put as a
#                       host address with `peer <other>` on the veth "ipg0", so
#                       they need not share a subnet.
#   CLOUD_SWANCTL       required, path of the cloud side's swanctl.conf
#   CUSTOMER_SWANCTL    required, path of the customer side's swanctl.conf
#   CLOUD_SUBNETS       local subnets (CIDR) of the cloud side; for each, the
#   CUSTOMER_SUBNETS    first usable host (10.1.1.0/24 -> 10.1.1.1/32; /31,/32:
#                       the address itself; IPv6 "p::/n" -> p::1/128) is added
#                       on lo, so charon can install its routes.  0.0.0.0/0 and
#                       ::/0 are skipped.
#   CLOUD_LO_ADDRS      extra addresses for lo (e.g. 169.254.11.1 or
#   CUSTOMER_LO_ADDRS   169.254.11.1/32; a bare address becomes /32 or /128)
#   CLOUD_BGPD          optional bgpd.conf for the cloud side (bgpd -Z, no zebra)
#   CUSTOMER_BGPD       optional bgpd.conf for the customer side
#   CLOUD_SWANCTL_DIR   optional dir holding credential subdirs (x509/, x509ca/,
#   CUSTOMER_SWANCTL_DIR  private/, ...).  swanctl --load-all --file F looks for
#                       credentials next to F and prints "opening directory
#                       '...' failed" for each missing subdir, so the harness
#                       copies F to $WORK/<side>/swanctl/swanctl.conf, next to
#                       empty subdirs (or symlinks to those of *_SWANCTL_DIR).
#                       Hence relative `include`s in F are not supported.
#   INITIATE            children to initiate, one after the other: "all"
#                       (default: every child of every conn loaded on the
#                       initiator, from `swanctl --list-conns`, as CONN/CHILD),
#                       "none", or a list of CHILD or CONN/CHILD names
#                       (`swanctl --initiate --child CHILD [--ike CONN]`)
#   REFUSE_CHILDREN     optional list of CHILD names the peer must refuse: left
#                       out of INITIATE=all (and of the SA wait), initiated
#                       after the others from $INITIATOR, each expected to fail
#                       with TS_UNACCEPTABLE (REFUSE_CONFIGURED: how many of
#                       them the initiator's --list-conns had; REFUSED_TS: how
#                       many were refused with TS_UNACCEPTABLE)
#   INITIATOR           customer (default) or cloud
#   RESPONDER_START     as-rendered (default) or none: with none, the copy of
#                       the other side's swanctl.conf (not $INITIATOR's) is
#                       loaded with each `start_action = start` changed to
#                       `start_action = none`, so that only $INITIATOR
#                       initiates (two sides starting on load race: two IKE
#                       SAs, either may survive).  RESPONDER_START_HELD counts
#                       the lines changed.  Trap policies stay as rendered
#                       (no traffic is sent before the SA wait ends).
#   INITIATE_TIMEOUT    seconds per `swanctl --initiate` (default 10)
#   SA_WAIT             seconds to wait for IKE ESTABLISHED + all initiated
#                       children INSTALLED on both sides (default 15)
#                       An initiate that fails only because charon already
#                       has the CHILD_SA ("existing duplicate", e.g. brought up
#                       by start_action = start on load) counts as
#                       INITIATE_DUPLICATE, not as INITIATE_FAILED.
#   REKEY_CHILDREN      optional list of CHILD (or CONN/CHILD) names to rekey
#                       from the $INITIATOR side once all SAs are up, before
#                       bgpd and the pings (`swanctl --rekey --child CHILD`), one
#                       after the other.  Proves the PFS group: in IKEv2 the
#                       first CHILD_SA comes with IKE_AUTH and has no DH; the
#                       rekeyed one shows dh-group in sas-<side>.raw.
#   REKEY_WAIT          seconds per child to wait until each side has a new
#                       INSTALLED CHILD_SA of that name and the old ones are no
#                       longer INSTALLED (default 10).
#                       Skipped (REKEY_ALL_OK=0) when the SAs did not come up.
#   PINGS               pairs "src dst" separated by ';' or newlines, run from
#                       the $PING_SIDE (default customer) namespace: ping -n
#                       -c $PING_COUNT -W 1 -i $PING_INTERVAL -I src dst
#                       (defaults 3 and 0.2), after the SA wait; "SIDE src
#                       dst" (SIDE cloud or customer) pings from that side
#   BGP_WAIT            seconds to wait for every peer on both sides to be
#                       Established (default 40)
#   BGP_SETTLE          then up to this many seconds more until every peer has
#                       pfxRcd > 0 (default 5).  When the CHILD_SAs did not all
#                       come up, the BGP wait is cut to 5 s.
#   CHARON_PLUGINS      override the charon `load` list
#   CHARON_EXTRA_OPTS   extra lines inserted into the `charon { }` section
#
# bgpd is started once the CHILD_SAs are up (or SA_WAIT expired), so its first
# connect does not hit the 120 s connect-retry timer.
#
# Results in $RESULTS_DIR:
#   result.env / result.json   summary: KEY=VALUE lines (values never contain
#                       spaces or quotes, so the file is also shell-sourceable)
#                       and the same keys as one flat JSON object (integers as
#                       numbers).  Keys, in order:
#     LAB_NAME RUN_STATUS(ok|incomplete|charon_<side>_failed) RESULTS_DIR
#     RESPONDER_START RESPONDER_START_HELD
#     LOAD_<S>_RC LOAD_<S>_UNEXPECTED_LINES   (lines other than the usual
#         "loaded ...", "no pools found, 0 unloaded", "successfully loaded ...")
#     INITIATOR INITIATE_CHILDREN(csv or none) INITIATE_OK INITIATE_FAILED
#     INITIATE_DUPLICATE
#     CHILDREN_EXPECTED IKE_ESTABLISHED_<S>(count) CHILDREN_INSTALLED_<S>(count)
#     with REKEY_CHILDREN: REKEY_<n>_CHILD REKEY_<n>_RC REKEY_<n>_OK(0|1)
#         REKEY_COUNT REKEY_ALL_OK(1 = every listed child rekeyed)
#     PING_<n>_SIDE PING_<n>_SRC PING_<n>_DST PING_<n>_RC
#         PING_<n>_LOSS(percent, integer)
#     PING_COUNT PING_ALL_OK(1 = at least one ping and all 0% loss, rc 0)
#     BGP_<S>_ENABLED(0|1), when 1 also: BGP_<S>_STATE (Established when every
#         peer is, else the first other state, "none" without peers)
#         BGP_<S>_PEERS BGP_<S>_PEERS_ESTABLISHED BGP_<S>_PFX_RCVD(sum)
#         BGP_<S>_CONFIG_ERRORS (config lines bgpd rejected, from its log)
#     DURATION_MS
#     (<S> = CLOUD or CUSTOMER)
#   pair.log                   harness progress with timestamps
#   load-<side>.out/.rc        `swanctl --load-all` stdout+stderr and exit code
#   initiate-<n>-<conn>_<child>.out/.rc (or -<child> when given without conn)
#   rekey-<n>-<child>.out/.rc, sas-<side>-before-rekey.raw
#   list-conns-<side>.txt
#   sas-<side>.raw / sas-<side>.txt   `swanctl --list-sas --raw` / plain
#   charon-<side>.log (filelog, ike/cfg/knl=2), charon-<side>.stdout
#   ping-<n>.out/.rc
#   bgp-summary-<side>.json, bgp-ipv4-<side>.json, bgpd-<side>.log
#   routes-<side>.txt          `ip route show table all` + `ip addr`
#   <side> is "cloud" or "customer".
#
# Exit codes: 0 = the run happened (judge result.env), 2 = environment problem
# (not root, missing binary, bad arguments, name in use, charon did not start),
# with a message on stderr.  Teardown (kill started pids, delete namespaces)
# always runs (trap EXIT INT TERM).
set -euo pipefail

PROG=pair.sh
env_fail() { echo "$PROG: $*" >&2; exit 2; }

# ---------------------------------------------------------------- arguments
LAB_NAME=${LAB_NAME:-}
[[ $LAB_NAME =~ ^[A-Za-z0-9_.-]{1,40}$ ]] || env_fail "LAB_NAME must match [A-Za-z0-9_.-]{1,40} (got '${LAB_NAME}')"
LAB_ROOT=${LAB_ROOT:-/tmp/ipsecgen-lab}
WORK=$LAB_ROOT/$LAB_NAME
RES=${RESULTS_DIR:-$WORK/results}
NS_CLOUD=ipg-$LAB_NAME-cloud
NS_CUST=ipg-$LAB_NAME-cust
CLOUD_IP=${CLOUD_IP:-}
CUSTOMER_IP=${CUSTOMER_IP:-}
[[ -n $CLOUD_IP && -n $CUSTOMER_IP ]] || env_fail "CLOUD_IP and CUSTOMER_IP are required"
CLOUD_SWANCTL=${CLOUD_SWANCTL:-}
CUSTOMER_SWANCTL=${CUSTOMER_SWANCTL:-}
[[ -r $CLOUD_SWANCTL ]] || env_fail "CLOUD_SWANCTL '$CLOUD_SWANCTL' not readable"
[[ -r $CUSTOMER_SWANCTL ]] || env_fail "CUSTOMER_SWANCTL '$CUSTOMER_SWANCTL' not readable"
CLOUD_SWANCTL=$(realpath "$CLOUD_SWANCTL")
CUSTOMER_SWANCTL=$(realpath "$CUSTOMER_SWANCTL")
CLOUD_SWANCTL_DIR=${CLOUD_SWANCTL_DIR:-}
CUSTOMER_SWANCTL_DIR=${CUSTOMER_SWANCTL_DIR:-}
CLOUD_SUBNETS=${CLOUD_SUBNETS:-}
CUSTOMER_SUBNETS=${CUSTOMER_SUBNETS:-}
CLOUD_LO_ADDRS=${CLOUD_LO_ADDRS:-}
CUSTOMER_LO_ADDRS=${CUSTOMER_LO_ADDRS:-}
CLOUD_BGPD=${CLOUD_BGPD:-}
CUSTOMER_BGPD=${CUSTOMER_BGPD:-}
for f in "$CLOUD_BGPD" "$CUSTOMER_BGPD"; do
    [[ -z $f || -r $f ]] || env_fail "bgpd config '$f' not readable"
done
[[ -z $CLOUD_BGPD ]] || CLOUD_BGPD=$(realpath "$CLOUD_BGPD")
[[ -z $CUSTOMER_BGPD ]] || CUSTOMER_BGPD=$(realpath "$CUSTOMER_BGPD")
INITIATE=${INITIATE:-all}
INITIATOR=${INITIATOR:-customer}
[[ $INITIATOR == customer || $INITIATOR == cloud ]] || env_fail "INITIATOR must be customer or cloud"
RESPONDER_START=${RESPONDER_START:-as-rendered}
[[ $RESPONDER_START == as-rendered || $RESPONDER_START == none ]] || env_fail "RESPONDER_START must be as-rendered or none"
INITIATE_TIMEOUT=${INITIATE_TIMEOUT:-10}
SA_WAIT=${SA_WAIT:-15}
PINGS=${PINGS:-}
PING_COUNT=${PING_COUNT:-3}
PING_INTERVAL=${PING_INTERVAL:-0.2}
PING_SIDE=${PING_SIDE:-customer}
[[ $PING_SIDE == customer || $PING_SIDE == cloud ]] || env_fail "PING_SIDE must be customer or cloud"
BGP_WAIT=${BGP_WAIT:-40}
BGP_SETTLE=${BGP_SETTLE:-5}
CHARON_PLUGINS=${CHARON_PLUGINS:-random nonce openssl aes sha1 sha2 md5 hmac gmp curve25519 pem pkcs1 x509 pubkey kdf kernel-libipsec kernel-netlink socket-default vici updown}
CHARON_EXTRA_OPTS=${CHARON_EXTRA_OPTS:-}
SWANCTL_PLUGINS="random nonce openssl aes sha1 sha2 md5 hmac gmp curve25519 pem pkcs1 pkcs8 pkcs12 x509 pubkey"
REKEY_CHILDREN=${REKEY_CHILDREN:-}
REKEY_WAIT=${REKEY_WAIT:-10}
for v in INITIATE_TIMEOUT SA_WAIT PING_COUNT BGP_WAIT BGP_SETTLE REKEY_WAIT; do
    [[ ${!v} =~ ^[0-9]+$ ]] || env_fail "$v must be a non-negative integer"
done

# ---------------------------------------------------------------- environment
[[ $(id -u) -eq 0 ]] || env_fail "must run as root (network namespaces)"
CHARON_BIN=/usr/lib/ipsec/charon
BGPD_BIN=/usr/lib/frr/bgpd
for b in "$CHARON_BIN" "$BGPD_BIN"; do
    [[ -x $b ]] || env_fail "missing $b (run lab/install-deps.sh)"
done
for b in swanctl vtysh ip ping unshare timeout flock mount realpath; do
    command -v "$b" >/dev/null 2>&1 || env_fail "missing $b (run lab/install-deps.sh)"
done
[[ -c /dev/net/tun ]] || env_fail "/dev/net/tun missing (kernel-libipsec needs it)"
(( ${#WORK} < 80 )) || env_fail "work dir '$WORK' too long for a unix socket path"

# ---------------------------------------------------------------- helpers
now_ms() { local t=${EPOCHREALTIME/[.,]/}; echo $(( t / 1000 )); }
T0=$(now_ms)
log() { printf '%6d ms  %s\n' $(( $(now_ms) - T0 )) "$*" >>"$RES/pair.log"; }
split_list() { tr ',;\n' '   ' <<<"$1"; }      # words, one per $(...) word
side_ns() { if [[ $1 == cloud ]]; then echo "$NS_CLOUD"; else echo "$NS_CUST"; fi; }

# Run a command in the background and wait for it: a trapped INT/TERM then
# interrupts `wait` at once (bash defers traps while a foreground child runs).
# The lock fd is closed for children, so leftovers of a SIGKILLed run do not
# hold the lab name.
run() { "$@" {LOCK_FD}>&- & wait $!; }

# swanctl in a side's namespace, bounded
sw() {  # sw SIDE TIMEOUT args...
    local side=$1 t=$2; shift 2
    run timeout -k 2 "$t" ip netns exec "$(side_ns "$side")" \
        env STRONGSWAN_CONF="$WORK/$side/strongswan.conf" SWANCTL_DIR="$(swdir "$side")" \
        swanctl "$@" --uri "unix://$WORK/$side/charon.vici"
}
swdir() { echo "$WORK/$1/swanctl"; }
vty() {  # vty SIDE command...
    local side=$1; shift
    local args=() c
    for c in "$@"; do args+=(-c "$c"); done
    run timeout -k 2 10 ip netns exec "$(side_ns "$side")" \
        vtysh --vty_socket "$WORK/$side" -d bgpd "${args[@]}"
}

# first usable host of a CIDR, with host prefix; empty for default routes
first_host() {
    local cidr=$1 addr plen
    addr=${cidr%/*}
    if [[ $cidr == */* ]]; then plen=${cidr#*/}; else plen=; fi
    if [[ $addr == *:* ]]; then
        [[ $plen == 0 ]] && return 0
        if [[ $addr == *:: ]]; then echo "${addr}1/128"; else echo "$addr/128"; fi
        return 0
    fi
    [[ -z $plen ]] && plen=32
    [[ $plen =~ ^[0-9]+$ ]] && (( plen <= 32 )) || { echo "bad-cidr"; return 0; }
    (( plen == 0 )) && return 0
    local IFS=. o1 o2 o3 o4
    read -r o1 o2 o3 o4 <<<"$addr"
    local n=$(( (o1 << 24) | (o2 << 16) | (o3 << 8) | o4 ))
    local mask=$(( (0xffffffff << (32 - plen)) & 0xffffffff ))
    n=$(( n & mask ))
    (( plen <= 30 )) && n=$(( n + 1 ))
    echo "$(( (n >> 24) & 255 )).$(( (n >> 16) & 255 )).$(( (n >> 8) & 255 )).$(( n & 255 ))/32"
}
host_prefix() {  # bare address -> address/32 or /128
    if [[ $1 == */* ]]; then echo "$1"; elif [[ $1 == *:* ]]; then echo "$1/128"; else echo "$1/32"; fi
}

# ---------------------------------------------------------------- teardown
PIDS=()
LOCK_FD=
cleanup() {
    local rc=$?
    set +e
    trap - EXIT INT TERM
    local pid i
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
    for (( i = 0; i < 30; i++ )); do           # up to 3 s for a clean exit
        local alive=0
        for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
        (( alive )) || break
        sleep 0.1
    done
    for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null; done
    # anything else still inside our namespaces was started by this run
    # (a swanctl/vtysh/ping interrupted by a signal)
    kill_ns_pids "$NS_CLOUD"; kill_ns_pids "$NS_CUST"
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null; done
    ip netns del "$NS_CLOUD" 2>/dev/null
    ip netns del "$NS_CUST" 2>/dev/null
    [[ -d $RES ]] && log "teardown done (exit $rc)"
    exit "$rc"
}
kill_ns_pids() {
    local ns=$1 pids
    [[ -e /run/netns/$ns ]] || return 0
    pids=$(ip netns pids "$ns" 2>/dev/null) || return 0
    [[ -n $pids ]] || return 0
    kill -TERM $pids 2>/dev/null; sleep 0.2; kill -KILL $pids 2>/dev/null
    return 0
}

# ---------------------------------------------------------------- lock, stale
mkdir -p "$LAB_ROOT"
exec {LOCK_FD}>"$LAB_ROOT/.$LAB_NAME.lock"
flock -n "$LOCK_FD" || env_fail "lab name '$LAB_NAME' is in use by another run"
# We hold the lock: namespaces with our name are leftovers of a killed run.
for ns in "$NS_CLOUD" "$NS_CUST"; do
    if [[ -e /run/netns/$ns ]]; then
        kill_ns_pids "$ns"
        ip netns del "$ns" 2>/dev/null || true
    fi
done
rm -rf "$WORK"
mkdir -p "$WORK/cloud/swanctl" "$WORK/customer/swanctl" "$RES"
for side in cloud customer; do
    src=$CLOUD_SWANCTL_DIR conf=$CLOUD_SWANCTL
    [[ $side == customer ]] && { src=$CUSTOMER_SWANCTL_DIR; conf=$CUSTOMER_SWANCTL; }
    for d in x509 x509ca x509ocsp x509aa x509ac x509crl pubkey private rsa ecdsa bliss pkcs8 pkcs12; do
        if [[ -n $src && -d $src/$d ]]; then ln -s "$(realpath "$src/$d")" "$WORK/$side/swanctl/$d"
        else mkdir -p "$WORK/$side/swanctl/$d"; fi
    done
    cp "$conf" "$WORK/$side/swanctl/swanctl.conf"
done
# only $INITIATOR initiates: the responder's `start_action = start` held (see RESPONDER_START)
held=0
if [[ $RESPONDER_START == none ]]; then
    responder=cloud; [[ $INITIATOR == cloud ]] && responder=customer
    f=$WORK/$responder/swanctl/swanctl.conf
    held=$(grep -cE '^[[:space:]]*start_action[[:space:]]*=[[:space:]]*start[[:space:]]*$' "$f") || held=0
    sed -i -E 's/^([[:space:]]*start_action[[:space:]]*=[[:space:]]*)start[[:space:]]*$/\1none/' "$f"
fi
# a caller-supplied RESULTS_DIR is reused: drop only files this script writes
(cd "$RES" && rm -f result.env result.json pair.log load-* initiate-* list-conns-* \
    sas-* charon-* ping-* bgp-* bgpd-* routes-*) || true
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
log "lab $LAB_NAME: work $WORK, results $RES"

# ---------------------------------------------------------------- result bookkeeping
declare -A R=()
R_KEYS=()
setr() { [[ -v R[$1] ]] || R_KEYS+=("$1"); R[$1]=$2; }
write_results() {
    local k v first=1
    : >"$RES/result.env"
    for k in "${R_KEYS[@]}"; do printf '%s=%s\n' "$k" "${R[$k]}" >>"$RES/result.env"; done
    {
        printf '{'
        for k in "${R_KEYS[@]}"; do
            v=${R[$k]}
            (( first )) || printf ','
            first=0
            if [[ $v =~ ^-?[0-9]+$ ]]; then printf '\n  "%s": %s' "$k" "$v"
            else v=${v//\\/\\\\}; v=${v//\"/\\\"}; printf '\n  "%s": "%s"' "$k" "$v"; fi
        done
        printf '\n}\n'
    } >"$RES/result.json"
}
setr LAB_NAME "$LAB_NAME"
setr RUN_STATUS incomplete
setr RESULTS_DIR "$RES"
setr RESPONDER_START "$RESPONDER_START"
setr RESPONDER_START_HELD "$held"
(( held == 0 )) || log "$responder: $held start_action = start held (RESPONDER_START=none)"
write_results

# ---------------------------------------------------------------- network
log "creating namespaces $NS_CLOUD $NS_CUST"
ip netns add "$NS_CLOUD"
ip netns add "$NS_CUST"
for ns in "$NS_CLOUD" "$NS_CUST"; do
    ip -n "$ns" link set lo up
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 2>/dev/null || true
done
ip link add ipg0 netns "$NS_CLOUD" type veth peer name ipg0 netns "$NS_CUST"
addr_peer() {  # ns local remote
    local l r
    l=$(host_prefix "$2"); r=$(host_prefix "$3")
    if [[ $l == *:* ]]; then    # IPv6 `peer` does not install the peer route
        ip -n "$1" addr add "$l" dev ipg0 nodad
        ip -n "$1" route add "$r" dev ipg0
    else
        ip -n "$1" addr add "$l" peer "$r" dev ipg0
    fi
}
ip -n "$NS_CLOUD" link set ipg0 up
ip -n "$NS_CUST" link set ipg0 up
addr_peer "$NS_CLOUD" "$CLOUD_IP" "$CUSTOMER_IP"
addr_peer "$NS_CUST" "$CUSTOMER_IP" "$CLOUD_IP"

lo_add() {  # ns addr/len
    if [[ $2 == *:* ]]; then ip -n "$1" addr replace "$2" dev lo nodad
    else ip -n "$1" addr replace "$2" dev lo; fi
}
add_lo() {  # side subnets extra
    local ns a h
    ns=$(side_ns "$1")
    for a in $(split_list "$2"); do
        h=$(first_host "$a")
        [[ $h == bad-cidr ]] && env_fail "bad subnet '$a'"
        [[ -n $h ]] || continue
        lo_add "$ns" "$h"
        log "$1: lo $h (subnet $a)"
    done
    for a in $(split_list "$3"); do
        h=$(host_prefix "$a")
        lo_add "$ns" "$h"
        log "$1: lo $h"
    done
}
add_lo cloud "$CLOUD_SUBNETS" "$CLOUD_LO_ADDRS"
add_lo customer "$CUSTOMER_SUBNETS" "$CUSTOMER_LO_ADDRS"

# ---------------------------------------------------------------- charon
start_charon() {
    local side=$1 ns
    ns=$(side_ns "$side")
    cat >"$WORK/$side/strongswan.conf" <<EOF
charon {
  load_modular = no
  load = $CHARON_PLUGINS
  install_routes = yes
  plugins {
    vici { socket = unix://$WORK/$side/charon.vici }
  }
  filelog {
    lab {
      path = $RES/charon-$side.log
      time_format = %H:%M:%S
      time_precision = ms
      ike_name = yes
      append = no
      flush_line = yes
      default = 1
      ike = 2
      cfg = 2
      knl = 2
    }
  }
$CHARON_EXTRA_OPTS
}
swanctl {
  socket = unix://$WORK/$side/charon.vici
  load = $SWANCTL_PLUGINS
}
EOF
    ip netns exec "$ns" unshare -m --propagation private sh -c \
        'mount -t tmpfs tmpfs /run && exec env STRONGSWAN_CONF="$1" "$2"' \
        sh "$WORK/$side/strongswan.conf" "$CHARON_BIN" \
        </dev/null >"$RES/charon-$side.stdout" 2>&1 {LOCK_FD}>&- &
    PIDS+=("$!")
    log "$side: charon pid $!"
}
start_charon cloud
start_charon customer

wait_vici() {  # side pid -> 0 when swanctl --stats answers (max 10 s)
    local side=$1 pid=$2 deadline=$(( $(now_ms) + 10000 ))
    while (( $(now_ms) < deadline )); do
        kill -0 "$pid" 2>/dev/null || return 1    # charon exited
        if [[ -S $WORK/$side/charon.vici ]] && sw "$side" 3 --stats >/dev/null 2>&1; then
            return 0
        fi
        sleep 0.05
    done
    return 1
}
for side in cloud customer; do
    pid=${PIDS[0]}; [[ $side == customer ]] && pid=${PIDS[1]}
    if ! wait_vici "$side" "$pid"; then
        setr RUN_STATUS "charon_${side}_failed"; write_results
        echo "$PROG: charon ($side) did not come up; see $RES/charon-$side.stdout and .log" >&2
        exit 2
    fi
    log "$side: vici up"
done

# ---------------------------------------------------------------- load
# Lines swanctl --load-all prints on a clean load; anything else is counted.
CLEAN_RE="^(loaded (ike|eap|xauth|ntlm|ppk|private|token) secret '.*'|loaded (certificate|authority|pool|connection) .*|loaded [A-Za-z0-9]+ key from .*|no (authorities|pools|connections) found, [0-9]+ unloaded|successfully loaded [0-9]+ (connections|authorities|pools), 0 unloaded)$"
for side in cloud customer; do
    rc=0
    sw "$side" 20 --load-all --noprompt --file "$WORK/$side/swanctl/swanctl.conf" >"$RES/load-$side.out" 2>&1 || rc=$?
    echo "$rc" >"$RES/load-$side.rc"
    bad=$(grep -cvE "$CLEAN_RE" "$RES/load-$side.out" || true)
    setr "LOAD_${side^^}_RC" "$rc"
    setr "LOAD_${side^^}_UNEXPECTED_LINES" "$bad"
    log "$side: load-all rc=$rc unexpected_lines=$bad"
done
write_results

# ---------------------------------------------------------------- initiate
children=()
sw "$INITIATOR" 10 --list-conns >"$RES/list-conns-$INITIATOR.txt" 2>&1 || true
if [[ $INITIATE == all ]]; then
    # `swanctl --list-conns`: "<conn>: IKEv1|IKEv2|IKE, ..." at column 0, then
    # "  <child>: TUNNEL|TRANSPORT|PASS|DROP, ..." with a two-space indent
    mapfile -t children < <(awk '
        /^[^ ][^ ]*: IKE/ { conn = substr($1, 1, length($1) - 1) }
        /^  [^ ]+: (TUNNEL|TRANSPORT|TRANSPORT_PROXY|PASS|DROP|BEET)/ {
            print conn "/" substr($1, 1, length($1) - 1) }' "$RES/list-conns-$INITIATOR.txt")
elif [[ $INITIATE != none ]]; then
    read -r -a children <<<"$(split_list "$INITIATE")"
fi
read -r -a refuse <<<"$(split_list "${REFUSE_CHILDREN:-}")"
refuse_found=0
if (( ${#refuse[@]} )); then
    kept=()
    for ch in "${children[@]}"; do
        if [[ " ${refuse[*]} " == *" ${ch#*/} "* ]]; then
            refuse_found=$(( refuse_found + 1 ))
        else
            kept+=("$ch")
        fi
    done
    children=("${kept[@]}")
fi
setr REFUSE_CONFIGURED "$refuse_found"
setr INITIATOR "$INITIATOR"
ch_csv=$(IFS=,; echo "${children[*]}")
setr INITIATE_CHILDREN "${ch_csv:-none}"
init_ok=0 init_fail=0 init_dup=0 i=0
for ch in "${children[@]}"; do
    i=$(( i + 1 ))
    rc=0
    sel=(--child "${ch#*/}")
    [[ $ch == */* ]] && sel+=(--ike "${ch%%/*}")
    sw "$INITIATOR" $(( INITIATE_TIMEOUT + 2 )) --initiate "${sel[@]}" --timeout "$INITIATE_TIMEOUT" \
        >"$RES/initiate-$i-${ch//\//_}.out" 2>&1 || rc=$?
    echo "$rc" >"$RES/initiate-$i-${ch//\//_}.rc"
    if (( rc == 0 )); then init_ok=$(( init_ok + 1 ))
    elif grep -q 'due to existing duplicate' "$RES/initiate-$i-${ch//\//_}.out"; then
        init_dup=$(( init_dup + 1 ))
    else init_fail=$(( init_fail + 1 )); fi
    log "initiate $ch from $INITIATOR: rc=$rc"
done
setr INITIATE_OK "$init_ok"
setr INITIATE_FAILED "$init_fail"
setr INITIATE_DUPLICATE "$init_dup"
refused_ts=0 j=0
for ch in "${refuse[@]}"; do
    j=$(( j + 1 ))
    rc=0
    sw "$INITIATOR" $(( INITIATE_TIMEOUT + 2 )) --initiate --child "$ch" --timeout "$INITIATE_TIMEOUT" \
        >"$RES/refuse-$j-$ch.out" 2>&1 || rc=$?
    echo "$rc" >"$RES/refuse-$j-$ch.rc"
    if (( rc != 0 )) && grep -q 'received TS_UNACCEPTABLE notify' "$RES/refuse-$j-$ch.out"; then
        refused_ts=$(( refused_ts + 1 ))
    fi
    log "initiate $ch from $INITIATOR (the peer must refuse it): rc=$rc"
done
setr REFUSED_TS "$refused_ts"
write_results

# ---------------------------------------------------------------- wait for SAs
count_in() { local n; n=$(grep -o "$1" "$2" 2>/dev/null | wc -l) || true; echo "${n:-0}"; }
sa_snapshot() {
    local side
    for side in cloud customer; do
        sw "$side" 5 --list-sas --raw >"$RES/sas-$side.raw" 2>&1 || true
    done
}
expected=${#children[@]}
setr CHILDREN_EXPECTED "$expected"
# if nothing initiated successfully, take a single snapshot instead of waiting
wait_ms=$(( init_ok + init_dup > 0 ? SA_WAIT * 1000 : 0 ))
deadline=$(( $(now_ms) + wait_ms ))
while :; do
    sa_snapshot
    ok=1
    for side in cloud customer; do
        (( $(count_in 'state=ESTABLISHED' "$RES/sas-$side.raw") >= 1 )) || ok=0
        (( $(count_in 'state=INSTALLED' "$RES/sas-$side.raw") >= expected )) || ok=0
    done
    (( ok )) && break
    (( $(now_ms) < deadline )) || break
    sleep 0.2
done
sas_up=$ok
log "SA wait done (all up: $ok)"
for side in cloud customer; do
    setr "IKE_ESTABLISHED_${side^^}" "$(count_in 'state=ESTABLISHED' "$RES/sas-$side.raw")"
    setr "CHILDREN_INSTALLED_${side^^}" "$(count_in 'state=INSTALLED' "$RES/sas-$side.raw")"
done
write_results

# ---------------------------------------------------------------- rekey
# "<uniqueid> <state>" of every CHILD_SA named $2 in the raw list-sas file $1
child_states() {
    grep -oE '\{name=[^ ]+ uniqueid=[0-9]+ reqid=[0-9]+ state=[A-Z_]+' "$1" 2>/dev/null \
        | awk -v want="name=$2" '{ sub(/^\{/, "", $1); sub(/^uniqueid=/, "", $2); sub(/^state=/, "", $4) }
                                 $1 == want { print $2, $4 }' || true
}
if [[ -n ${REKEY_CHILDREN//[[:space:],;]/} ]]; then
    RESPONDER=cloud; [[ $INITIATOR == cloud ]] && RESPONDER=customer
    n=0 rk_all=1
    for ch in $(split_list "$REKEY_CHILDREN"); do
        n=$(( n + 1 ))
        ch=${ch#*/}
        setr "REKEY_${n}_CHILD" "$ch"
        if (( ! sas_up )); then
            setr "REKEY_${n}_RC" -1; setr "REKEY_${n}_OK" 0; rk_all=0
            log "rekey $ch skipped: SAs not up"; continue
        fi
        sw "$INITIATOR" 5 --list-sas --raw >"$RES/sas-$INITIATOR-before-rekey.raw" 2>&1 || true
        sw "$RESPONDER" 5 --list-sas --raw >"$RES/sas-$RESPONDER-before-rekey.raw" 2>&1 || true
        old_i=$(child_states "$RES/sas-$INITIATOR-before-rekey.raw" "$ch" | awk '{ print $1 }' | tr '\n' ' ')
        old_r=$(child_states "$RES/sas-$RESPONDER-before-rekey.raw" "$ch" | awk '{ print $1 }' | tr '\n' ' ')
        rc=0
        sw "$INITIATOR" $(( REKEY_WAIT + 2 )) --rekey --child "$ch" >"$RES/rekey-$n-$ch.out" 2>&1 || rc=$?
        echo "$rc" >"$RES/rekey-$n-$ch.rc"
        setr "REKEY_${n}_RC" "$rc"
        ok=0
        deadline=$(( $(now_ms) + REKEY_WAIT * 1000 ))
        while (( rc == 0 )); do
            sa_snapshot
            # a new INSTALLED one on each side, the old ones no longer INSTALLED
            # (charon keeps them a few s for late inbound packets: delete_rekeyed_delay)
            new_i=0 new_r=0 old_up=0
            while read -r id st; do
                [[ -n $id ]] || continue
                if [[ " $old_i " == *" $id "* ]]; then [[ $st == INSTALLED ]] && old_up=1
                elif [[ $st == INSTALLED ]]; then new_i=1; fi
            done < <(child_states "$RES/sas-$INITIATOR.raw" "$ch")
            while read -r id st; do
                [[ -n $id ]] || continue
                if [[ " $old_r " == *" $id "* ]]; then [[ $st == INSTALLED ]] && old_up=1
                elif [[ $st == INSTALLED ]]; then new_r=1; fi
            done < <(child_states "$RES/sas-$RESPONDER.raw" "$ch")
            (( new_i && new_r && ! old_up )) && { ok=1; break; }
            (( $(now_ms) < deadline )) || break
            sleep 0.2
        done
        setr "REKEY_${n}_OK" "$ok"
        (( ok )) || rk_all=0
        log "rekey $ch from $INITIATOR: rc=$rc ok=$ok"
    done
    setr REKEY_COUNT "$n"
    setr REKEY_ALL_OK $(( n > 0 ? rk_all : 0 ))
    write_results
fi

# ---------------------------------------------------------------- bgpd
start_bgpd() {
    local side=$1 conf=$2 ns
    ns=$(side_ns "$side")
    ip netns exec "$ns" "$BGPD_BIN" -S -Z -f "$conf" -i "$WORK/$side/bgpd.pid" \
        --vty_socket "$WORK/$side" --log "file:$RES/bgpd-$side.log" -u root -g root \
        </dev/null >"$RES/bgpd-$side.stdout" 2>&1 {LOCK_FD}>&- &
    PIDS+=("$!")
    log "$side: bgpd pid $!"
}
bgp_sides=()
[[ -n $CLOUD_BGPD ]] && { start_bgpd cloud "$CLOUD_BGPD"; bgp_sides+=(cloud); }
[[ -n $CUSTOMER_BGPD ]] && { start_bgpd customer "$CUSTOMER_BGPD"; bgp_sides+=(customer); }

# ---------------------------------------------------------------- pings
n=0 all_ok=1
if [[ -n ${PINGS//[[:space:];]/} ]]; then
    while IFS= read -r pair; do
        read -r src dst rest <<<"$pair" || true
        [[ -n ${src:-} ]] || continue
        from=$PING_SIDE
        if [[ $src == cloud || $src == customer ]]; then
            from=$src; read -r src dst rest <<<"$dst $rest"
        fi
        [[ -n ${dst:-} ]] || { log "bad ping pair '$pair'"; continue; }
        n=$(( n + 1 ))
        rc=0
        run timeout -k 2 $(( PING_COUNT * 2 + 5 )) ip netns exec "$(side_ns "$from")" \
            ping -n -c "$PING_COUNT" -W 1 -i "$PING_INTERVAL" -I "$src" "$dst" \
            >"$RES/ping-$n.out" 2>&1 || rc=$?
        echo "$rc" >"$RES/ping-$n.rc"
        loss=$(grep -oE '[0-9.]+% packet loss' "$RES/ping-$n.out" | head -1 | cut -d% -f1) || true
        loss=${loss:-100}; loss=${loss%%.*}
        setr "PING_${n}_SIDE" "$from"; setr "PING_${n}_SRC" "$src"; setr "PING_${n}_DST" "$dst"
        setr "PING_${n}_RC" "$rc"; setr "PING_${n}_LOSS" "$loss"
        (( rc == 0 && loss == 0 )) || all_ok=0
        log "ping $src -> $dst from $from: rc=$rc loss=$loss%"
    done < <(tr ';' '\n' <<<"$PINGS")
fi
setr PING_COUNT "$n"
setr PING_ALL_OK $(( n > 0 ? all_ok : 0 ))
write_results

# ---------------------------------------------------------------- BGP wait
# per side: "<peers> <established> <pfxRcd sum> <first non-Established state>"
bgp_eval() {
    local f=$1
    if command -v jq >/dev/null 2>&1; then
        jq -r '[.ipv4Unicast.peers // {} | to_entries[] | .value] as $p
               | "\($p | length) \([$p[] | select(.state == "Established")] | length) \([$p[] | .pfxRcd // 0] | add // 0) \(([$p[] | select(.state != "Established") | .state] + ["Established"])[0])"' \
            "$f" 2>/dev/null || echo "0 0 0 none"
    else
        local p e s st
        p=$(grep -cE '"state": ?"' "$f" 2>/dev/null) || p=0
        e=$(grep -cE '"state": ?"Established"' "$f" 2>/dev/null) || e=0
        s=$(grep -oE '"pfxRcd": ?[0-9]+' "$f" 2>/dev/null | grep -oE '[0-9]+$' | awk '{ t += $1 } END { print t + 0 }') || s=0
        st=$(grep -oE '"state": ?"[A-Za-z]+"' "$f" 2>/dev/null | grep -v Established | head -1 | grep -oE '[A-Za-z]+"$' | tr -d '"') || true
        echo "$p $e ${s:-0} ${st:-Established}"
    fi
}
bgp_snapshot() {
    local side
    for side in "${bgp_sides[@]}"; do
        vty "$side" 'show bgp summary json' >"$RES/bgp-summary-$side.json" 2>&1 || true
    done
}
if (( ${#bgp_sides[@]} > 0 )); then
    bgp_wait=$BGP_WAIT
    (( sas_up || bgp_wait <= 5 )) || { bgp_wait=5; log "SAs not up: BGP wait cut to 5 s"; }
    deadline=$(( $(now_ms) + bgp_wait * 1000 ))
    settle_deadline=
    while :; do
        bgp_snapshot
        est=1 pfx=1
        for side in "${bgp_sides[@]}"; do
            read -r p e s st <<<"$(bgp_eval "$RES/bgp-summary-$side.json")"
            (( p > 0 && e == p )) || est=0
            (( e > 0 )) && (( s >= e )) || pfx=0   # at least one prefix per peer
        done
        if (( est )); then
            (( pfx )) && break
            [[ -n $settle_deadline ]] || { settle_deadline=$(( $(now_ms) + BGP_SETTLE * 1000 )); log "BGP Established"; }
            (( $(now_ms) < settle_deadline )) || break
        fi
        (( $(now_ms) < deadline )) || break
        sleep 0.5
    done
    log "BGP wait done"
    for side in "${bgp_sides[@]}"; do
        vty "$side" 'show bgp ipv4 unicast json' >"$RES/bgp-ipv4-$side.json" 2>&1 || true
    done
fi
for side in cloud customer; do
    S=${side^^}
    if [[ " ${bgp_sides[*]} " == *" $side "* ]]; then
        read -r p e s st <<<"$(bgp_eval "$RES/bgp-summary-$side.json")"
        (( p > 0 )) || st=none
        setr "BGP_${S}_ENABLED" 1
        setr "BGP_${S}_STATE" "$st"
        setr "BGP_${S}_PEERS" "$p"
        setr "BGP_${S}_PEERS_ESTABLISHED" "$e"
        setr "BGP_${S}_PFX_RCVD" "$s"
        # lines bgpd rejected while reading its config (vtysh -C cannot see these)
        ce=$(grep -cE 'Config Failed on config line|error processing configuration change' \
            "$RES/bgpd-$side.log" 2>/dev/null) || ce=0
        setr "BGP_${S}_CONFIG_ERRORS" "$ce"
    else
        setr "BGP_${S}_ENABLED" 0
    fi
done

# ---------------------------------------------------------------- collect
sa_snapshot
for side in cloud customer; do
    S=${side^^}
    sw "$side" 5 --list-sas >"$RES/sas-$side.txt" 2>&1 || true
    setr "IKE_ESTABLISHED_$S" "$(count_in 'state=ESTABLISHED' "$RES/sas-$side.raw")"
    setr "CHILDREN_INSTALLED_$S" "$(count_in 'state=INSTALLED' "$RES/sas-$side.raw")"
    { ip -n "$(side_ns "$side")" addr; echo; ip -n "$(side_ns "$side")" route show table all; } \
        >"$RES/routes-$side.txt" 2>&1 || true
done
[[ $INITIATOR == cloud ]] || sw cloud 5 --list-conns >"$RES/list-conns-cloud.txt" 2>&1 || true
[[ $INITIATOR == customer ]] || sw customer 5 --list-conns >"$RES/list-conns-customer.txt" 2>&1 || true
setr RUN_STATUS ok
setr DURATION_MS $(( $(now_ms) - T0 ))
write_results
log "done"
echo "$RES"
exit 0
