#!/usr/bin/env bash
# lab/selftest.sh - prove lab/pair.sh and lab/check-frr.sh work on this machine.
#
# Cases (configs in lab/selftest/<case>/):
#   ikev2     IKEv2 PSK, aes128-sha1-modp1024, 10.1.1.0/24 <-> 10.1.3.0/24, ping
#   ikev1     same, IKEv1 main mode
#   xsubnet   ikev2 configs with gateways in different subnets (203.0.113.1 / 198.51.100.2)
#   bgp       IKEv2 + second child 169.254.11.1/32 <-> 169.254.11.2/32, bgpd both
#             sides (ebgp-multihop 2, update-source, prefix-list/route-map policy)
#   ipv6      IKEv2 between 2001:db8::1 / 2001:db8::2, 2001:db8:1::/64 <-> 2001:db8:3::/64
#   wrongpsk  negative: PSKs differ, must NOT establish, ping must fail
#   rekey     ikev2 + REKEY_CHILDREN=net: the rekeyed CHILD_SA shows the PFS group
#   parallel  ikev2 and ikev1 at the same time under different lab names
# Usage: lab/selftest.sh [case...]   (default: all).  Needs root.
# Exit 0 when every case passed, 1 otherwise, 2 on environment problems.
set -uo pipefail
LAB=$(cd "$(dirname "$0")" && pwd)
ST=$LAB/selftest
PREFIX=selftest-$$
FAILS=0

now_ms() { local t=${EPOCHREALTIME/[.,]/}; echo $(( t / 1000 )); }

# run_pair NAME CASE_DIR [VAR=VALUE...] -> runs pair.sh, sets RES, RC, WALL_MS
run_pair() {
    local name=$1 dir=$2; shift 2
    local t0; t0=$(now_ms)
    RES=/tmp/ipsecgen-lab/$name/results
    env LAB_NAME="$name" CLOUD_IP=192.0.2.1 CUSTOMER_IP=192.0.2.2 \
        CLOUD_SWANCTL="$dir/cloud.swanctl.conf" CUSTOMER_SWANCTL="$dir/customer.swanctl.conf" \
        CLOUD_SUBNETS=10.1.1.0/24 CUSTOMER_SUBNETS=10.1.3.0/24 \
        PINGS='10.1.3.1 10.1.1.1' "$@" "$LAB/pair.sh" >/dev/null
    RC=$?
    WALL_MS=$(( $(now_ms) - t0 ))
}
get() { sed -n "s/^$1=//p" "$RES/result.env"; }

# check DESCRIPTION KEY OP VALUE  (OP: eq ne ge)
CASE_OK=1
check() {
    local what=$1 key=$2 op=$3 want=$4 got
    got=$(get "$key")
    case $op in
        eq) [[ $got == "$want" ]] ;;
        ge) [[ $got =~ ^[0-9]+$ ]] && (( got >= want )) ;;
    esac || { echo "    FAIL: $what: $key=$got (want $op $want)"; CASE_OK=0; }
}
check_clean_load() {
    local side
    for side in cloud customer; do
        check "load $side" "LOAD_${side^^}_RC" eq 0
        check "load $side clean" "LOAD_${side^^}_UNEXPECTED_LINES" eq 0
    done
}
check_up() {  # expected children
    local side
    for side in cloud customer; do
        check "IKE $side" "IKE_ESTABLISHED_${side^^}" eq 1
        check "children $side" "CHILDREN_INSTALLED_${side^^}" eq "$1"
    done
    check "initiate" INITIATE_FAILED eq 0
    check "pings" PING_ALL_OK eq 1
}
finish_case() {
    local name=$1
    if [[ $RC -ne 0 ]]; then echo "    FAIL: pair.sh exit $RC"; CASE_OK=0; fi
    if (( CASE_OK )); then
        printf 'PASS %-9s wall %5d ms  (results %s)\n' "$name" "$WALL_MS" "$RES"
    else
        printf 'FAIL %-9s wall %5d ms  (results %s)\n' "$name" "$WALL_MS" "$RES"
        FAILS=$(( FAILS + 1 ))
    fi
    CASE_OK=1
}

case_ikev2() {
    run_pair "$PREFIX-ikev2" "$ST/ikev2"
    check_clean_load; check_up 1
    finish_case ikev2
}
case_ikev1() {
    run_pair "$PREFIX-ikev1" "$ST/ikev1"
    check_clean_load; check_up 1
    grep -q 'version=1' "$RES/sas-customer.raw" || { echo "    FAIL: not IKEv1"; CASE_OK=0; }
    finish_case ikev1
}
case_xsubnet() {
    local d; d=$(mktemp -d /tmp/ipsecgen-selftest.XXXXXX)
    sed 's/192\.0\.2\.1/203.0.113.1/g; s/192\.0\.2\.2/198.51.100.2/g' "$ST/ikev2/cloud.swanctl.conf" >"$d/cloud.swanctl.conf"
    sed 's/192\.0\.2\.1/203.0.113.1/g; s/192\.0\.2\.2/198.51.100.2/g' "$ST/ikev2/customer.swanctl.conf" >"$d/customer.swanctl.conf"
    run_pair "$PREFIX-xsubnet" "$d" CLOUD_IP=203.0.113.1 CUSTOMER_IP=198.51.100.2
    check_clean_load; check_up 1
    rm -rf "$d"
    finish_case xsubnet
}
case_bgp() {
    local f
    for f in "$ST/bgp/cloud.bgpd.conf" "$ST/bgp/customer.bgpd.conf"; do
        "$LAB/check-frr.sh" "$f" >/dev/null || { echo "    FAIL: check-frr $f"; CASE_OK=0; }
    done
    run_pair "$PREFIX-bgp" "$ST/bgp" \
        CLOUD_BGPD="$ST/bgp/cloud.bgpd.conf" CUSTOMER_BGPD="$ST/bgp/customer.bgpd.conf" \
        CLOUD_LO_ADDRS=169.254.11.1/32 CUSTOMER_LO_ADDRS=169.254.11.2/32 \
        PINGS='10.1.3.1 10.1.1.1; 169.254.11.2 169.254.11.1'
    check_clean_load; check_up 2
    check "ping count" PING_COUNT eq 2
    for side in CLOUD CUSTOMER; do
        check "bgp $side" "BGP_${side}_STATE" eq Established
        check "bgp $side" "BGP_${side}_PEERS_ESTABLISHED" eq 1
        check "bgp $side prefixes" "BGP_${side}_PFX_RCVD" ge 1
        check "bgpd $side config" "BGP_${side}_CONFIG_ERRORS" eq 0
    done
    grep -q '"10.1.3.0/24"' "$RES/bgp-ipv4-cloud.json" 2>/dev/null \
        || { echo "    FAIL: cloud did not receive 10.1.3.0/24"; CASE_OK=0; }
    grep -q '"10.1.1.0/24"' "$RES/bgp-ipv4-customer.json" 2>/dev/null \
        || { echo "    FAIL: customer did not receive 10.1.1.0/24"; CASE_OK=0; }
    finish_case bgp
}
case_ipv6() {
    run_pair "$PREFIX-ipv6" "$ST/ipv6" CLOUD_IP=2001:db8::1 CUSTOMER_IP=2001:db8::2 \
        CLOUD_SUBNETS=2001:db8:1::/64 CUSTOMER_SUBNETS=2001:db8:3::/64 \
        PINGS='2001:db8:3::1 2001:db8:1::1'
    check_clean_load; check_up 1
    finish_case ipv6
}
case_wrongpsk() {
    run_pair "$PREFIX-wrongpsk" "$ST/wrongpsk" INITIATE_TIMEOUT=5
    check_clean_load
    for side in CLOUD CUSTOMER; do
        check "no IKE $side" "IKE_ESTABLISHED_$side" eq 0
        check "no children $side" "CHILDREN_INSTALLED_$side" eq 0
    done
    check "initiate fails" INITIATE_FAILED eq 1
    check "ping fails" PING_1_LOSS eq 100
    grep -q 'AUTHENTICATION_FAILED' "$RES/charon-customer.log" \
        || { echo "    FAIL: no AUTHENTICATION_FAILED in customer log"; CASE_OK=0; }
    finish_case wrongpsk
}
case_rekey() {
    run_pair "$PREFIX-rekey" "$ST/ikev2" REKEY_CHILDREN=net
    check_clean_load; check_up 1
    check "rekey" REKEY_ALL_OK eq 1
    grep -qE 'state=INSTALLED [^}]* dh-group=MODP_1024' "$RES/sas-customer.raw" \
        || { echo "    FAIL: rekeyed child without dh-group=MODP_1024"; CASE_OK=0; }
    finish_case rekey
}
case_parallel() {
    local t0 r1 r2 pid1 pid2
    t0=$(now_ms)
    ( run_pair "$PREFIX-par1" "$ST/ikev2"; exit $RC ) & pid1=$!
    ( run_pair "$PREFIX-par2" "$ST/ikev1"; exit $RC ) & pid2=$!
    wait "$pid1"; r1=$?
    wait "$pid2"; r2=$?
    WALL_MS=$(( $(now_ms) - t0 ))
    RC=$(( r1 | r2 ))
    for RES in "/tmp/ipsecgen-lab/$PREFIX-par1/results" "/tmp/ipsecgen-lab/$PREFIX-par2/results"; do
        check_clean_load; check_up 1
    done
    finish_case parallel
}

[[ $(id -u) -eq 0 ]] || { echo "selftest: must run as root" >&2; exit 2; }
"$LAB/install-deps.sh" || exit 2
cases=("$@")
(( ${#cases[@]} )) || cases=(ikev2 ikev1 xsubnet ipv6 bgp wrongpsk rekey parallel)
T0=$(now_ms)
for c in "${cases[@]}"; do
    declare -F "case_$c" >/dev/null || { echo "unknown case $c" >&2; exit 2; }
    "case_$c"
done
leftover=$(ip netns list | grep -c "^ipg-$PREFIX-") || true
if (( leftover )); then echo "FAIL: $leftover namespaces left behind"; FAILS=$(( FAILS + 1 )); fi
echo "total $(( $(now_ms) - T0 )) ms, $FAILS failed"
(( FAILS == 0 ))
