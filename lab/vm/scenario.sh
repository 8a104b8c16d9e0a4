#!/usr/bin/env bash
# scenario.sh SCENARIO_DIR - one VM lab scenario, run INSIDE the VM by guest.sh.
#
# SCENARIO_DIR holds scenario.env (written by tests/vmlab.rs) and the files ipsecgen rendered
# for each side: cloud/ and customer/ (swanctl.conf or ipsec.conf + ipsec.secrets, and, when
# rendered, ipsec-link.sh and bgpd.conf). This script only builds the two hosts, runs the
# rendered files as a user would, waits (bounded) and RECORDS kernel and daemon state into
# SCENARIO_DIR/out/; the assertions are the Rust test's (tests/vmlab.rs).
#
# scenario.env (shell assignments, written by tests/common/lab/vm.rs from the shared scenario):
#   CLOUD_IMPL, CUSTOMER_IMPL   swanctl | libreswan (4.10, /opt/libreswan) | libreswan5 (5.2, the
#                               trixie root of lab/trixie-libreswan.sh, chrooted)
#   CLOUD_IPS, CUSTOMER_IPS     the gateway addresses, one per tunnel: tunnel N's pair is on the
#                               veth "upN" of each namespace (the default route takes up0); a
#                               tunnel to a customer address an earlier tunnel K has shares upK,
#                               as two tunnels to one customer gateway share its uplink (the
#                               cloud's address beside the first, a route to it on the customer)
#   CLOUD_LAN, CUSTOMER_LAN     addr/prefix list put on the dummy interface lan0 (the subnets)
#   CLOUD_LO, CUSTOMER_LO       extra /32 addresses on lo
#   EXPECT_STATES_CLOUD/_CUSTOMER   xfrm states to wait for (0: wait SA_WAIT, negative pairs)
#   SA_WAIT                     seconds to wait for them
#   INITIATE                    swanctl child names INITIATOR initiates (empty: the rendered
#                               start_action / auto does it)
#   INITIATOR                   customer (default) or cloud: with cloud, the customer's own start
#                               is held (the copy it loads has `auto=start` as `auto=add`,
#                               `start_action = start` as `none`; START_HELD counts them, as
#                               lab/pair.sh RESPONDER_START=none does on the host), its daemon is
#                               started first and the cloud's INITIATE children are initiated
#                               from the cloud (Alibaba initiating: docs/alibaba-reference.md 10.5)
#   BGP                         1: zebra + bgpd from <side>/bgpd.conf, after the SAs are up
#   WAIT_ROUTES_CLOUD/_CUSTOMER prefixes to wait for in the kernel's main table (BGP_WAIT s) ...
#   WAIT_VIA_CLOUD/_CUSTOMER    ... through these interfaces (all of them: multipath)
#   BGP_PEERS                   ... and this many BGP sessions Established on each side
#   PINGS                       "side src dst;..." (a warm-up ping first, then 3 counted)
#   HC_MONITOR                  1: start the cloud's health-monitor.sh (as rendered) before ACTIONS
#   ACTIONS                     steps after the pings, separated by ';' (each bounded; results
#                               ACTION_<n>_OK=0|1, ACTION_<n>_MS, out/action-<n>.txt):
#                                 uplink SIDE N up|down        tunnel N's veth on SIDE
#                                 address SIDE N del|add       tunnel N's gateway address on SIDE
#                                 terminate SIDE IKE           swanctl --terminate --ike IKE --force
#                                 initiate SIDE CHILD          swanctl --initiate --child CHILD (done
#                                                              when CHILD is INSTALLED after it)
#                                 via SIDE DST DEV SECS        wait until `ip route get DST` is via DEV
#                                 echo SIDE ADDR drop|answer   SIDE drops echo requests to ADDR
#                                 ping SIDE SRC DST answered|lost   3 pings, 0% / 100% loss
#                                 routes SIDE present|absent SECS DEV|- P1,P2,...
#                                   wait until every prefix is routed (through DEV) / none is
#   SELF_START                  cloud|customer|"": the side whose file initiates by itself
#                               (its daemon is started last; no TRIGGER traffic)
#   TRIGGER                     1: while waiting for SAs, send the first ping's packet every 2 s
#                               (trap / ondemand configs negotiate on traffic)
#   EVIDENCE                    negative pairs: stop waiting once a daemon log has this text
#   REKEY_FROM, REKEY_CHILDREN  once the SAs are up (before FRR and the pings), the swanctl side
#                               REKEY_FROM rekeys each child named (`swanctl --rekey --child`),
#                               one after the other, as lab/pair.sh REKEY_CHILDREN does on the
#                               host: done when each swanctl side holds a new INSTALLED child of
#                               that name and none of the old ones is INSTALLED (REKEY_WAIT s,
#                               default 20); then, bounded by REKEY_WAIT too, until the kernel
#                               holds EXPECT_STATES_* again (charon keeps the rekeyed inbound SA
#                               a few s). Results REKEY_<n>_CHILD, REKEY_<n>_RC, REKEY_<n>_OK,
#                               REKEY_COUNT, REKEY_ALL_OK, REKEY_SETTLE_MS, REKEY_STATES;
#                               out/rekey-<n>-<child>.out, sas-<side>-before-rekey.raw
#
# A charon whose swanctl.conf names an `updown = /etc/swanctl/...` script (two tunnels without
# BGP: ipsec-link.sh) finds the side's rendered file there, installed as its header says, in the
# charon's own mount namespace (a tmpfs over /etc/swanctl).
# A libreswan side is loaded as the rendered header tells a user to install it: the file is
# included from an ipsec.conf whose `config setup` holds the lines under "# config setup needs:".
set -uo pipefail
SD=$(realpath "$1")
OUT=$SD/out
rm -rf "$OUT"; mkdir -p "$OUT"
# shellcheck disable=SC1091
source "$SD/scenario.env"
: "${CLOUD_LAN:=}" "${CUSTOMER_LAN:=}" "${CLOUD_LO:=}" "${CUSTOMER_LO:=}" "${INITIATE:=}"
: "${BGP:=0}" "${WAIT_ROUTES_CLOUD:=}" "${WAIT_ROUTES_CUSTOMER:=}" "${PINGS:=}" "${SA_WAIT:=60}"
: "${EXPECT_STATES_CLOUD:=0}" "${EXPECT_STATES_CUSTOMER:=0}" "${BGP_WAIT:=120}"
: "${ACTIONS:=}" "${HC_MONITOR:=0}" "${TRIGGER:=0}" "${EVIDENCE:=}"
: "${WAIT_VIA_CLOUD:=}" "${WAIT_VIA_CUSTOMER:=}" "${BGP_PEERS:=0}"
: "${REKEY_FROM:=}" "${REKEY_CHILDREN:=}" "${REKEY_WAIT:=20}" "${INITIATOR:=customer}"
W=$(mktemp -d /tmp/ipgvm-sc.XXXX); chmod 755 "$W"   # FRR runs as user frr
T0=$(date +%s%N)
ms() { echo $(( ($(date +%s%N) - T0) / 1000000 )); }
log() { echo "[$(ms) ms] $*" >>"$OUT/scenario.log"; }
res() { printf '%s=%s\n' "$1" "$2" >>"$OUT/result.env"; }
: >"$OUT/result.env"
NS_cloud=ipgvm-cloud NS_customer=ipgvm-cust
ns() { local v="NS_$1"; echo "${!v}"; }
PIDS=()
copy_logs() {
    local s
    for s in cloud customer; do
        cp "$W/$s/charon.log" "$OUT/charon-$s.log" 2>/dev/null
        cp "$W/$s/pluto.log" "$OUT/pluto-$s.log" 2>/dev/null
        cp "$W/$s/frr/bgpd.log" "$OUT/bgpd-$s.log" 2>/dev/null
        cp "$W/$s/frr/zebra.log" "$OUT/zebra-$s.log" 2>/dev/null
    done
}
cleanup() {
    local p
    copy_logs
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${PIDS[@]}"; do
        for _ in $(seq 30); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$p" 2>/dev/null; wait "$p" 2>/dev/null
    done
    ip netns del "$NS_cloud" 2>/dev/null; ip netns del "$NS_customer" 2>/dev/null
    rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 143' TERM INT

CHARON=/usr/lib/ipsec/charon
PLUGINS="random nonce openssl aes sha1 sha2 md5 hmac gmp curve25519 pem pkcs1 x509 pubkey kdf kernel-netlink socket-default vici updown"
LS=/opt/libreswan
LS5=/opt/trixie-libreswan   # libreswan 5.2 (lab/trixie-libreswan.sh): a libreswan5 side's pluto

# ------------------------------------------------------------------ two hosts
for s in cloud customer; do ip netns del "$(ns $s)" 2>/dev/null; ip netns add "$(ns $s)"; done
addr_peer() {  # side dev me peer
    local n; n=$(ns "$1")
    ip -n "$n" addr add "$3" peer "$4" dev "$2"
    ip -n "$n" link set "$2" up
    # up0 is the host's way to everything (as a default route to the internet would be):
    # policy-based traffic follows it into the IPsec policies
    [[ $2 == up0 ]] && ip -n "$n" route add default via "$4" dev up0
}
read -ra CIPS <<<"$CLOUD_IPS"; read -ra UIPS <<<"$CUSTOMER_IPS"
for s in cloud customer; do
    n=$(ns $s)
    ip -n "$n" link set lo up
    ip -n "$n" link add lan0 type dummy && ip -n "$n" link set lan0 up
    ip netns exec "$n" sysctl -q -w net.ipv4.ip_forward=1
done
sysctl -q -w net.ipv4.ip_forward=1 >/dev/null
declare -A LINK_OF   # customer address -> the veth that reaches it
UPL=() ADDR_cloud=() ADDR_customer=()   # per tunnel: its veth, each side's `ip addr` arguments
for t in "${!CIPS[@]}"; do
    c=${CIPS[$t]} u=${UIPS[$t]}
    if [[ -n ${LINK_OF[$u]:-} ]]; then
        l=${LINK_OF[$u]}
        ADDR_cloud[$t]="$c/32 dev $l"
        ip -n "$NS_cloud" addr add $c/32 dev "$l"
        # the cloud keeps a way to the customer while the first tunnel's address is removed
        ip -n "$NS_cloud" route add "$u/32" dev "$l" src "$c" metric 10
        ip -n "$NS_customer" route add "$c/32" dev "$l" src "$u"
        ADDR_customer[$t]=""
    else
        l=up$t
        LINK_OF[$u]=$l
        ip link add "$l" netns "$NS_cloud" type veth peer name "$l" netns "$NS_customer"
        addr_peer cloud "$l" "$c" "$u"
        addr_peer customer "$l" "$u" "$c"
        ADDR_cloud[$t]="$c peer $u dev $l"
        ADDR_customer[$t]="$u peer $c dev $l"
    fi
    UPL[$t]=$l
done
for a in $CLOUD_LAN; do ip -n "$NS_cloud" addr add "$a" dev lan0; done
for a in $CUSTOMER_LAN; do ip -n "$NS_customer" addr add "$a" dev lan0; done
for a in $CLOUD_LO; do ip -n "$NS_cloud" addr add "$a/32" dev lo; done
for a in $CUSTOMER_LO; do ip -n "$NS_customer" addr add "$a/32" dev lo; done
log "hosts ready"

# ------------------------------------------------------------------ ipsec-link.sh up (as written)
for s in cloud customer; do
    if [[ -f $SD/$s/ipsec-link.sh ]]; then
        rc=0; timeout 60 ip netns exec "$(ns $s)" "$SD/$s/ipsec-link.sh" up >"$OUT/link-up-$s.out" 2>&1 || rc=$?
        res "LINK_UP_RC_${s^^}" "$rc"
    fi
done

# ------------------------------------------------------------------ IKE daemons
# LOADED: the file side $1 loads, the rendered $2 as it is, or (INITIATOR=cloud, the
# customer) a copy $3 with its own start held
START_HELD=0 LOADED=
loaded() {  # side rendered-file copy
    LOADED=$2
    [[ $INITIATOR == cloud && $1 == customer ]] || return 0
    local n
    n=$(grep -cE '^[[:space:]]*(auto=start|start_action[[:space:]]*=[[:space:]]*start)[[:space:]]*$' "$2") || n=0
    START_HELD=$((START_HELD + n))
    sed -E -e 's/^([[:space:]]*auto=)start[[:space:]]*$/\1add/' \
        -e 's/^([[:space:]]*start_action[[:space:]]*=[[:space:]]*)start[[:space:]]*$/\1none/' "$2" >"$3"
    LOADED=$3
}
sw() { local d=$1; shift; STRONGSWAN_CONF=$d/strongswan.conf timeout 120 swanctl "$@"; }
start_charon() {  # side
    local s=$1 d=$W/$1 n; n=$(ns "$1")
    mkdir -p "$d"
    # install_routes stays at strongSwan's default (yes), as a user's charon would have it
    cat >"$d/strongswan.conf" <<EOF
charon {
  load_modular = no
  load = $PLUGINS
  plugins { vici { socket = unix://$d/charon.vici } }
  filelog { f { path = $d/charon.log
    time_format = %H:%M:%S
    default = 1
    ike = 2
    knl = 2
    flush_line = yes } }
}
swanctl {
  socket = unix://$d/charon.vici
  load = pem pkcs1 x509 pubkey
}
EOF
    # the updown scripts the config names, installed where it names them
    local p inst="" rc=0
    for p in $(sed -n 's/^[[:space:]]*updown = \([^ ]*\).*/\1/p' "$SD/$s/swanctl.conf" | sort -u); do
        if [[ $p == /etc/swanctl/* && -f $SD/$s/$(basename "$p") ]]; then
            inst+="mkdir -p $(dirname "$p") && cp $SD/$s/$(basename "$p") $p && chmod 755 $p && "
        else
            echo "updown $p: not under /etc/swanctl or no $(basename "$p") rendered" >>"$OUT/updown-$s.out"
            rc=1
        fi
    done
    [[ -n $inst ]] && { inst="mount -t tmpfs tmpfs /etc/swanctl && $inst"; echo "$inst" >>"$OUT/updown-$s.out"; }
    [[ -n $inst || $rc != 0 ]] && res "UPDOWN_RC_${s^^}" "$rc"
    ip netns exec "$n" unshare -m --propagation private sh -c \
        "mount -t tmpfs tmpfs /run && $inst"'exec env STRONGSWAN_CONF="$1" "$2"' sh "$d/strongswan.conf" "$CHARON" \
        </dev/null >"$d/charon.stdout" 2>&1 &
    PIDS+=("$!")
    local i
    for i in $(seq 1 600); do
        [[ -S $d/charon.vici ]] && sw "$d" --stats >/dev/null 2>&1 && break
        sleep 0.1
    done
    loaded "$s" "$SD/$s/swanctl.conf" "$d/swanctl.conf"
    rc=0; sw "$d" --load-all --file "$LOADED" >"$OUT/load-$s.out" 2>&1 || rc=$?
    res "LOAD_RC_${s^^}" "$rc"
}
declare -A PLUTO_PID
WHACK() {
    local s=$1; shift
    if [[ $(impl "$s") == libreswan5 ]]; then
        # 5.2's own whack, in pluto's mount namespace and chrooted as pluto is
        timeout 60 nsenter -t "${PLUTO_PID[$s]}" -m -n chroot "$LS5" /usr/libexec/ipsec/whack \
            --ctlsocket "$W/$s/run/pluto.ctl" "$@"
    else
        ip netns exec "$(ns "$s")" timeout 60 "$LS/usr/libexec/ipsec/whack" --ctlsocket "$W/$s/run/pluto.ctl" "$@"
    fi
}
start_pluto() {  # side
    local s=$1 P=$W/$1 n inc; n=$(ns "$1")
    mkdir -p "$P/run" "$P/nss" "$P/ipsec.d"
    loaded "$s" "$SD/$s/ipsec.conf" "$P/conn.conf"; inc=$LOADED
    if [[ $(impl "$s") == libreswan5 ]]; then
        # pluto runs chrooted in the trixie root, where only $P is bound: the rendered files
        # are copied there, as a user installs them
        [[ $inc == "$P/conn.conf" ]] || cp "$SD/$s/ipsec.conf" "$P/conn.conf"
        cp "$SD/$s/ipsec.secrets" "$P/ipsec.secrets"
        inc=$P/conn.conf
    else
        certutil -N -d "sql:$P/nss" --empty-password >"$OUT/certutil-$s.out" 2>&1
    fi
    # /etc/ipsec.conf as the header asks: `config setup` with its lines, the file included
    {
        echo "config setup"
        awk 'f && /^#     / { sub(/^#     /, ""); print "    " $0; next }
             f { exit }
             /^# config setup needs:$/ { f = 1 }' "$SD/$s/ipsec.conf"
        echo "include $inc"
    } >"$P/ipsec.conf"
    cp "$P/ipsec.conf" "$OUT/main-ipsec-$s.conf"
    local rc=0
    if [[ $(impl "$s") == libreswan5 ]]; then
        # libreswan 5.2: the trixie root's pluto (and its addconn, _updown, certutil),
        # chrooted, in a private mount namespace: a tmpfs over the root's /tmp holds $P at its
        # own path (the shared root is never written), with /proc, /sys, /dev and a /run
        ip netns exec "$n" unshare -m --propagation private sh -c \
            'R=$1 P=$2; shift 2
             mount -t tmpfs tmp "$R/tmp" && mkdir -p "$R$P" && mount --bind "$P" "$R$P" &&
             mount -t proc proc "$R/proc" && mount -t sysfs sys "$R/sys" &&
             mount --rbind /dev "$R/dev" && mount -t tmpfs run "$R/run" &&
             chroot "$R" certutil -N -d "sql:$P/nss" --empty-password >"$P/certutil.out" 2>&1 &&
             exec chroot "$R" "$@"' sh "$LS5" "$P" \
            /usr/libexec/ipsec/pluto --nofork --config "$P/ipsec.conf" --rundir "$P/run" \
            --nssdir "$P/nss" --secretsfile "$P/ipsec.secrets" --ipsecdir "$P/ipsec.d" \
            --stderrlog --no-dnssec </dev/null >"$P/pluto.log" 2>&1 &
        PLUTO_PID[$s]=$!
        PIDS+=("$!")
        for _ in $(seq 1 600); do [[ -S $P/run/pluto.ctl ]] && break; sleep 0.1; done
        cp "$P/certutil.out" "$OUT/certutil-$s.out" 2>/dev/null
        timeout 120 nsenter -t "${PLUTO_PID[$s]}" -m chroot "$LS5" /usr/libexec/ipsec/addconn \
            --config "$P/ipsec.conf" --checkconfig >"$OUT/load-$s.out" 2>&1 || rc=$?
        res "LOAD_RC_${s^^}" "$rc"
        return
    fi
    # pluto runs the compiled-in /usr/libexec/ipsec/addconn and `ipsec _updown`: give it the
    # unpacked libreswan there, in its own mount namespace only (strongSwan's `ipsec` stays)
    ip netns exec "$n" unshare -m --propagation private sh -c \
        'mount -t tmpfs tmpfs /run && mkdir -p /usr/libexec/ipsec &&
         mount --bind /opt/libreswan/usr/libexec/ipsec /usr/libexec/ipsec &&
         mount --bind /opt/libreswan/usr/sbin/ipsec /usr/sbin/ipsec && exec "$@"' sh \
        "$LS/usr/libexec/ipsec/pluto" --nofork --config "$P/ipsec.conf" --rundir "$P/run" \
        --nssdir "$P/nss" --secretsfile "$SD/$s/ipsec.secrets" --ipsecdir "$P/ipsec.d" \
        --stderrlog --no-dnssec </dev/null >"$P/pluto.log" 2>&1 &
    PIDS+=("$!")
    for _ in $(seq 1 600); do [[ -S $P/run/pluto.ctl ]] && break; sleep 0.1; done
    # pluto itself runs `addconn --autoall` at start (adds, routes and starts the conns as
    # their auto= says); a second --autoall here would initiate every auto=start conn twice.
    # The load is judged by libreswan's own parser and pluto's log ("failed to add").
    timeout 120 "$LS/usr/libexec/ipsec/addconn" --config "$P/ipsec.conf" --checkconfig \
        >"$OUT/load-$s.out" 2>&1 || rc=$?
    res "LOAD_RC_${s^^}" "$rc"
}
impl() { local v="${1^^}_IMPL"; echo "${!v}"; }
# a side that initiates by itself (SELF_START) is started last, when its peer is ready: as
# Alibaba initiates once the connection is applied, to a customer device already configured (a
# charon up without its config answers NO_PROPOSAL_CHOSEN, and start_action = start gives up)
order=(cloud customer)
[[ ${SELF_START:-} == cloud || $INITIATOR == cloud ]] && order=(customer cloud)
for s in "${order[@]}"; do
    case $(impl $s) in
        swanctl) start_charon "$s" ;;
        libreswan|libreswan5) start_pluto "$s" ;;
    esac
done
res INITIATOR "$INITIATOR"; res START_HELD "$START_HELD"
log "daemons loaded (initiator $INITIATOR, $START_HELD customer starts held)"

# ------------------------------------------------------------------ initiate, wait for SAs
t=$(ms)
for c in $INITIATE; do
    rc=0; sw "$W/$INITIATOR" --initiate --child "$c" --timeout 60 >>"$OUT/initiate.out" 2>&1 || rc=$?
    res "INITIATE_RC_$c" "$rc"
done
states() { ip -n "$(ns "$1")" xfrm state 2>/dev/null | grep -c '^src'; }
# policy-based with trap/ondemand: the first packet triggers; the pings below do it, so only
# wait here when the scenario asks for states
if (( EXPECT_STATES_CLOUD + EXPECT_STATES_CUSTOMER > 0 )); then
    IFS=';' read -ra PL <<<"$PINGS"
    read -r tside tsrc tdst <<<"${PL[0]:-}"
    k=0
    while (( $(ms) - t < SA_WAIT * 1000 )); do   # wall-clock bound: each exec is slow under TCG
        k=$((k + 1))
        (( $(states cloud) >= EXPECT_STATES_CLOUD && $(states customer) >= EXPECT_STATES_CUSTOMER )) && break
        # a daemon that refused the rendered config will not come up: do not wait for it
        # (grep reads the files itself: `cat | grep -q` fails under pipefail when grep exits early)
        if (( k % 5 == 0 )) && grep -qs 'failed to add' "$W"/*/pluto.log; then
            break
        fi
        if [[ -n $EVIDENCE ]] && (( k % 5 == 0 )) &&
           grep -qsF -- "$EVIDENCE" "$W"/*/charon.log "$W"/*/pluto.log; then
            sleep 2; break   # a moment for the other side's log line
        fi
        # trap/ondemand configs wait for traffic: the first ping's path triggers them
        if [[ $TRIGGER == 1 && -n ${tdst:-} ]] && (( k % 10 == 1 )); then
            ip netns exec "$(ns "$tside")" ping -n -q -c 1 -W 1 -I "$tsrc" "$tdst" >/dev/null 2>&1 &
        fi
        sleep 0.2
    done
else
    sleep "$SA_WAIT"
fi
res SA_WAIT_MS $(( $(ms) - t ))
# whether the expected states were there when the wait ended (before any ping of the scenario)
res SA_STATES_AT_WAIT "$(states cloud) $(states customer)"
log "SAs: cloud $(states cloud), customer $(states customer)"

# ------------------------------------------------------------------ rekey
# "<uniqueid> <state>" of every CHILD_SA named $2 in the raw list-sas file $1 (lab/pair.sh's)
child_states() {
    grep -oE '\{name=[^ ]+ uniqueid=[0-9]+ reqid=[0-9]+ state=[A-Z_]+' "$1" 2>/dev/null \
        | awk -v want="name=$2" '{ sub(/^\{/, "", $1); sub(/^uniqueid=/, "", $2); sub(/^state=/, "", $4) }
                                 $1 == want { print $2, $4 }' || true
}
# the children of $2 in `swanctl --list-sas --raw` of side $1: a new one (not among the ids $3)
# INSTALLED and none of $3 INSTALLED
rekeyed() {
    local s=$1 ch=$2 old=$3 id st new=0
    sw "$W/$s" --list-sas --raw >"$OUT/sas-$s-rekey.raw" 2>&1
    while read -r id st; do
        [[ -n $id ]] || continue
        if [[ " $old " == *" $id "* ]]; then [[ $st == INSTALLED ]] && return 1
        elif [[ $st == INSTALLED ]]; then new=1; fi
    done < <(child_states "$OUT/sas-$s-rekey.raw" "$ch")
    (( new ))
}
if [[ -n $REKEY_FROM && -n ${REKEY_CHILDREN// } ]]; then
    up=0
    (( $(states cloud) >= EXPECT_STATES_CLOUD && $(states customer) >= EXPECT_STATES_CUSTOMER )) && up=1
    # the sides whose children are judged here (a pluto peer: by the kernel's states after)
    judged=()
    for s in cloud customer; do [[ $(impl $s) == swanctl ]] && judged+=("$s"); done
    n=0 all=1
    for ch in $REKEY_CHILDREN; do
        n=$((n + 1)); res "REKEY_${n}_CHILD" "$ch"
        if (( ! up )); then
            res "REKEY_${n}_RC" -1; res "REKEY_${n}_OK" 0; all=0
            log "rekey $ch skipped: SAs not up"; continue
        fi
        declare -A OLD=()
        for s in "${judged[@]}"; do
            sw "$W/$s" --list-sas --raw >"$OUT/sas-$s-before-rekey.raw" 2>&1
            OLD[$s]=$(child_states "$OUT/sas-$s-before-rekey.raw" "$ch" | awk '{ print $1 }' | tr '\n' ' ')
        done
        t=$(ms) rc=0 ok=0
        sw "$W/$REKEY_FROM" --rekey --child "$ch" >"$OUT/rekey-$n-$ch.out" 2>&1 || rc=$?
        res "REKEY_${n}_RC" "$rc"
        while (( rc == 0 && $(ms) - t < REKEY_WAIT * 1000 )); do
            ok=1
            for s in "${judged[@]}"; do rekeyed "$s" "$ch" "${OLD[$s]}" || { ok=0; break; }; done
            (( ok )) && break
            sleep 0.5
        done
        res "REKEY_${n}_OK" "$ok"; res "REKEY_${n}_MS" $(( $(ms) - t ))
        (( ok )) || all=0
        log "rekey $ch from $REKEY_FROM: rc=$rc ok=$ok"
        unset OLD
    done
    res REKEY_COUNT "$n"; res REKEY_ALL_OK $(( n > 0 ? all : 0 ))
    # the rekeyed SAs' inbound halves linger a few s: the kernel's count is asserted after
    t=$(ms)
    while (( $(ms) - t < REKEY_WAIT * 1000 )); do
        (( $(states cloud) == EXPECT_STATES_CLOUD && $(states customer) == EXPECT_STATES_CUSTOMER )) && break
        sleep 0.5
    done
    res REKEY_SETTLE_MS $(( $(ms) - t )); res REKEY_STATES "$(states cloud) $(states customer)"
    log "rekeys done, kernel SAs: cloud $(states cloud), customer $(states customer)"
fi

# ------------------------------------------------------------------ FRR (zebra + bgpd)
start_frr() {  # side
    local s=$1 d=$W/$1/frr n; n=$(ns "$1")
    mkdir -p "$d"; : >"$d/zebra.conf"
    # as packaged: the daemons drop to user frr (with their capabilities); not daemonized, so
    # they are killed by pid
    chown -R frr:frr "$d"
    ip netns exec "$n" /usr/lib/frr/zebra -u frr -g frr -F traditional -f "$d/zebra.conf" -i "$d/zebra.pid" \
        -z "$d/zserv.api" --vty_socket "$d" --log "file:$d/zebra.log" \
        </dev/null >"$OUT/zebra-$s.stdout" 2>&1 &
    PIDS+=("$!")
    for _ in $(seq 1 300); do [[ -S $d/zserv.api ]] && break; sleep 0.1; done
    ip netns exec "$n" /usr/lib/frr/bgpd -u frr -g frr -F traditional -f "$SD/$s/bgpd.conf" -i "$d/bgpd.pid" \
        -z "$d/zserv.api" --vty_socket "$d" --log "file:$d/bgpd.log" \
        </dev/null >"$OUT/bgpd-$s.stdout" 2>&1 &
    PIDS+=("$!")
}
vty() { local s=$1; shift; ip netns exec "$(ns "$s")" timeout 30 vtysh --vty_socket "$W/$s/frr" "$@"; }
has_routes() {  # side prefixes... (through every interface of WAIT_VIA_<SIDE>)
    local s=$1 p v out; shift
    local via="WAIT_VIA_${s^^}"
    for p in "$@"; do
        out=$(ip -n "$(ns "$s")" route show "$p")
        [[ -n $out ]] || return 1
        for v in ${!via}; do grep -q "dev $v " <<<"$out " || return 1; done
    done
}
established() {  # side: BGP sessions Established
    vty "$1" -c 'show bgp ipv4 unicast summary json' 2>/dev/null | grep -o '"state":"Established"' | wc -l
}
if [[ $BGP == 1 ]]; then
    t=$(ms)
    for s in cloud customer; do start_frr "$s"; done
    while (( $(ms) - t < BGP_WAIT * 1000 )); do
        # shellcheck disable=SC2086
        has_routes cloud $WAIT_ROUTES_CLOUD && has_routes customer $WAIT_ROUTES_CUSTOMER &&
            (( $(established cloud) >= BGP_PEERS && $(established customer) >= BGP_PEERS )) && break
        sleep 0.5
    done
    res BGP_WAIT_MS $(( $(ms) - t ))
    log "BGP waited"
fi
if [[ $BGP != 1 ]]; then
    # static routes: they are there at once (ipsec-link.sh or charon's table 220); bounded anyway
    t=$(ms)
    while (( $(ms) - t < 10000 )); do
        # shellcheck disable=SC2086
        has_routes cloud $WAIT_ROUTES_CLOUD && has_routes customer $WAIT_ROUTES_CUSTOMER && break
        sleep 0.5
    done
fi

# ------------------------------------------------------------------ pings
i=0
IFS=';' read -ra PL <<<"$PINGS"
for p in "${PL[@]}"; do
    read -r side src dst <<<"$p"
    [[ -n ${dst:-} ]] || continue
    i=$((i + 1))
    n=$(ns "$side")
    # warm-up: trap/ondemand policies drop the packet that triggers the negotiation
    for _ in 1 2 3 4 5; do
        timeout 10 ip netns exec "$n" ping -n -q -c 1 -W 2 -I "$src" "$dst" >/dev/null 2>&1 && break
    done
    out=$(timeout 30 ip netns exec "$n" ping -n -c 3 -i 0.3 -W 2 -I "$src" "$dst" 2>&1)
    loss=$(sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p' <<<"$out")
    echo "## $side $src -> $dst"$'\n'"$out" >>"$OUT/pings.txt"
    res "PING_${i}" "$side $src $dst ${loss:-none}"
done
res PING_COUNT "$i"

# ------------------------------------------------------------------ state
snapshot() {  # suffix
    local s n
    for s in cloud customer; do
        n=$(ns "$s")
        ip -n "$n" -d link show >"$OUT/links-$s$1.txt" 2>&1
        ip netns exec "$n" iptables -t mangle -S FORWARD >"$OUT/iptables-$s$1.txt" 2>&1
        [[ -n $1 ]] && continue
        ip -n "$n" -s xfrm state >"$OUT/xfrm-state-$s$1.txt" 2>&1
        ip -n "$n" xfrm policy >"$OUT/xfrm-policy-$s$1.txt" 2>&1
        { echo "## main"; ip -n "$n" route show; echo "## all"; ip -n "$n" route show table all; } \
            >"$OUT/routes-$s$1.txt" 2>&1
    done
}
snapshot ""
for s in cloud customer; do
    case $(impl $s) in
        swanctl) sw "$W/$s" --list-sas --raw >"$OUT/sas-$s.raw" 2>&1 ;;
        libreswan|libreswan5) WHACK "$s" --trafficstatus >"$OUT/pluto-traffic-$s.txt" 2>&1
                   WHACK "$s" --showstates >"$OUT/pluto-states-$s.txt" 2>&1 ;;
    esac
    if [[ $BGP == 1 ]]; then
        vty "$s" -c 'show bgp summary json' >"$OUT/bgp-summary-$s.json" 2>&1
        vty "$s" -c 'show bgp ipv4 unicast json' >"$OUT/bgp-ipv4-$s.json" 2>&1
    fi
done

# ------------------------------------------------------------------ actions
# the cloud's health monitor, as rendered (revoke_route: withdraw the routes to the customer's
# subnets after RETRY lost probes, restore them when the probe answers again)
if [[ $HC_MONITOR == 1 && -f $SD/cloud/health-monitor.sh ]]; then
    ip netns exec "$NS_cloud" "$SD/cloud/health-monitor.sh" >"$OUT/hc-monitor.out" 2>&1 &
    PIDS+=("$!")
    sleep 2
fi
routes_are() {  # side present|absent dev prefixes...
    local s=$1 want=$2 dev=$3 p; shift 3
    local via=(); [[ $dev != - ]] && via=(dev "$dev")
    for p in "$@"; do
        if ip -n "$(ns "$s")" route show "$p" "${via[@]}" | grep -q .; then
            [[ $want == absent ]] && return 1
        else
            [[ $want == present ]] && return 1
        fi
    done
    return 0
}
act() {  # n words...
    local n=$1 what=$2 s=$3 t ok=0 out loss; shift 3
    t=$(ms)
    case $what in
        uplink)
            ip -n "$(ns "$s")" link set "${UPL[$1]}" "$2" >"$OUT/action-$n.txt" 2>&1 && ok=1 ;;
        address)
            local a="ADDR_$s[$1]"
            if [[ -n ${!a:-} ]]; then
                # shellcheck disable=SC2086
                ip -n "$(ns "$s")" addr "$2" ${!a} >"$OUT/action-$n.txt" 2>&1 && ok=1
            else
                echo "tunnel $1 has no address of its own on the $s side" >"$OUT/action-$n.txt"
            fi ;;
        terminate)
            # done when the IKE SA is gone: a peer that cannot be reached (this side's address
            # was removed, and the output has no MOBIKE to move the SA) never answers the
            # DELETE, so --force destroys it after the timeout and swanctl reports a failure
            if sw "$W/$s" --terminate --ike "$1" --force --timeout 10 >"$OUT/action-$n.txt" 2>&1; then
                ok=1
            elif ! sw "$W/$s" --list-sas --ike "$1" 2>&1 | tee -a "$OUT/action-$n.txt" |
                 grep -qE "^$1: #[0-9]+"; then
                ok=1; echo "(destroyed after the timeout: the peer was not reachable)" >>"$OUT/action-$n.txt"
            fi ;;
        initiate)
            # done when the child is INSTALLED: by this initiation, or already (the peer's
            # trap policy may have re-initiated it first)
            if sw "$W/$s" --initiate --child "$1" --timeout 30 >"$OUT/action-$n.txt" 2>&1; then
                ok=1
            elif sw "$W/$s" --list-sas 2>&1 | tee -a "$OUT/action-$n.txt" |
                 grep -qE "^ +$1: #[0-9]+, .*INSTALLED"; then
                ok=1; echo "(INSTALLED already: the peer initiated it first)" >>"$OUT/action-$n.txt"
            fi ;;
        via)
            local dst=$1 dev=$2 secs=$3 got
            while (( $(ms) - t < secs * 1000 )); do
                got=$(ip -n "$(ns "$s")" route get "$dst" 2>&1)
                [[ "$got " == *" dev $dev "* ]] && { ok=1; break; }
                sleep 0.5
            done
            { echo "$got"; ip -n "$(ns "$s")" route show; } >"$OUT/action-$n.txt" 2>&1 ;;
        echo)
            local op=-I; [[ $2 == answer ]] && op=-D
            ip netns exec "$(ns "$s")" iptables "$op" INPUT -d "$1" -p icmp --icmp-type echo-request -j DROP \
                >"$OUT/action-$n.txt" 2>&1 && ok=1 ;;
        ping)
            local w=2; [[ $3 == lost ]] && w=1
            out=$(timeout 30 ip netns exec "$(ns "$s")" ping -n -c 3 -i 0.3 -W "$w" -I "$1" "$2" 2>&1)
            echo "$out" >"$OUT/action-$n.txt"
            loss=$(sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p' <<<"$out")
            [[ $3 == answered && $loss == 0 ]] && ok=1
            [[ $3 == lost && $loss == 100 ]] && ok=1 ;;
        routes)
            local want=$1 secs=$2 dev=$3 list; IFS=, read -ra list <<<"$4"
            while (( $(ms) - t < secs * 1000 )); do
                routes_are "$s" "$want" "$dev" "${list[@]}" && { ok=1; break; }
                sleep 1
            done
            ip -n "$(ns "$s")" route show >"$OUT/action-$n.txt" 2>&1 ;;
        *) echo "unknown action $what" >"$OUT/action-$n.txt" ;;
    esac
    res "ACTION_${n}_OK" "$ok"; res "ACTION_${n}_MS" $(( $(ms) - t ))
    log "action $n: $what $s $* -> $ok"
}
IFS=';' read -ra AL <<<"$ACTIONS"
i=0
for a in "${AL[@]}"; do
    [[ -n ${a// } ]] || continue
    i=$((i + 1))
    # shellcheck disable=SC2086
    act "$i" $a
done
res ACTION_COUNT "$i"

# ------------------------------------------------------------------ ipsec-link.sh down
for s in cloud customer; do
    if [[ -f $SD/$s/ipsec-link.sh ]]; then
        rc=0; timeout 60 ip netns exec "$(ns $s)" "$SD/$s/ipsec-link.sh" down >"$OUT/link-down-$s.out" 2>&1 || rc=$?
        res "LINK_DOWN_RC_${s^^}" "$rc"
    fi
done
snapshot "-after-down"

res DURATION_MS "$(ms)"
res DONE 1
