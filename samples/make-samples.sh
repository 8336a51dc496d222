#!/bin/bash
# Regenerate the sample captures in samples/ from scratch with SIPp.
#
#   sudo samples/make-samples.sh [--no-check] [--keep] [--out DIR] [NAME...]
#
# NAME: answered busy not_found server_error auth_retry cancel unanswered
#       options_register sll2 mixed reasons early_media_fail proxy_auth
#       redirect global_fail misc_fail tcp_multi tcp_split udp_frag ipv6 vlan
#       vlan_qinq (default: all of them, in this order).
# --no-check  do not compare the counts of the new captures with expected.tsv
#             (by default a capture whose counts differ is not installed and
#             the script fails; the check needs tshark and python3).
# --keep      keep the work directory (SIPp and tcpdump logs) under /tmp.
# --out DIR   write the captures to DIR instead of samples/.
#
# For each sample: tcpdump starts (snaplen 0, BPF filter "udp port 5060 or
# udp port 5070"), one or more SIPp pairs run one after the other (the UAS on
# port 5070 in the background; then the UAC on port 5060, waited for), and
# tcpdump is stopped with SIGINT and waited for. Loopback samples run on
# 127.0.0.1 and are captured on "lo" inside a network namespace of their own
# (no other loopback traffic of the host can get in, ports cannot clash);
# sll2 runs in two namespaces joined by a veth pair and is captured with
# "-i any" in the UAS namespace (link type LINUX_SLL2). The samples of the
# "every message" set (tcp_multi ... vlan_qinq) run in two namespaces joined by
# a veth pair too (offloads off, so that the capture shows the real segments
# and fragments), captured on the UAS end with a BPF filter of their own (TCP,
# IP fragments, VLAN tags). Nothing else on the host's network is touched. A
# trap stops every process the script started and deletes the namespaces it
# created, whatever happens.
#
# Needs root, sipp (Debian package sip-tester), tcpdump, iproute2 (ip, ss, tc);
# ethtool for the veth samples; python3 for vlan and vlan_qinq (vlantag.py);
# tshark and python3 for the check. Takes about 130 s (unanswered: 37 s).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SCEN=$HERE/scenarios
OUT=$HERE
CHECK=1
KEEP=0
ALL=(answered in_progress busy not_found server_error auth_retry cancel unanswered
     options_register sll2 mixed
     reasons early_media_fail proxy_auth redirect global_fail misc_fail
     tcp_multi tcp_split udp_frag ipv6 vlan vlan_qinq)

UAC_PORT=5060
UAS_PORT=5070
FILTER="udp port $UAC_PORT or udp port $UAS_PORT"
# SIPp options common to every run: no keyboard, log unexpected events, never
# send BYE/CANCEL on its own when a call goes wrong (a broken run must show up
# as a count mismatch, not as extra traffic), a global time limit.
SIPP_COMMON=(-nostdin -trace_err -default_behaviors "all,-bye" -timeout 60s)

names=()
while [ $# -gt 0 ]; do
    case "$1" in
        --no-check) CHECK=0 ;;
        --keep) KEEP=1 ;;
        --out) OUT=$(mkdir -p "$2" && cd "$2" && pwd); shift ;;
        -h|--help) sed -n '2,33p' "$0"; exit 0 ;;
        -*) echo "unknown option $1" >&2; exit 2 ;;
        *) names+=("$1") ;;
    esac
    shift
done
[ ${#names[@]} -gt 0 ] || names=("${ALL[@]}")
for n in "${names[@]}"; do
    case " ${ALL[*]} " in *" $n "*) ;; *) echo "unknown sample $n" >&2; exit 2 ;; esac
done
[ "$(id -u)" = 0 ] || { echo "must run as root (tcpdump, ip netns)" >&2; exit 1; }
for t in sipp tcpdump ip ss; do
    command -v $t >/dev/null || { echo "missing tool: $t" >&2; exit 1; }
done
if [ $CHECK = 1 ]; then
    for t in tshark python3; do
        command -v $t >/dev/null || { echo "missing tool: $t (or use --no-check)" >&2; exit 1; }
    done
fi

WORK=$(mktemp -d /tmp/sipsleuth-samples.XXXXXX)
PIDS=()          # background processes started by this script
NETNS=()         # network namespaces created by this script
NS_UAC="" NS_UAS=""     # namespaces of the current UAC and UAS
UAC_IP="" UAS_IP=""
LO_NS=sls-lo-$$         # private loopback for the loopback samples

cleanup() {
    local rc=$? p ns
    set +e
    for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
    for p in "${PIDS[@]}"; do
        for _ in 1 2 3 4 5 6 7 8 9 10; do
            kill -0 "$p" 2>/dev/null || break
            sleep 0.2
        done
        kill -KILL "$p" 2>/dev/null
        wait "$p" 2>/dev/null
    done
    for ns in "${NETNS[@]}"; do ip netns del "$ns" 2>/dev/null; done
    if [ $KEEP = 1 ] || [ $rc != 0 ]; then
        echo "work directory kept: $WORK" >&2
    else
        rm -rf "$WORK"
    fi
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

die() { echo "make-samples: $*" >&2; exit 1; }

# new_ns NAME: create a network namespace with its loopback up
new_ns() {
    ip netns add "$1"
    NETNS+=("$1")
    ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
    ip -n "$1" link set lo up
}

# del_ns NAME
del_ns() {
    local ns keep=()
    ip netns del "$1"
    for ns in "${NETNS[@]}"; do [ "$ns" = "$1" ] || keep+=("$ns"); done
    NETNS=("${keep[@]}")
}

# loopback_start NAME: capture on lo in a fresh namespace, both ends 127.0.0.1
loopback_start() {
    new_ns "$LO_NS"
    NS_UAC=$LO_NS NS_UAS=$LO_NS UAC_IP=127.0.0.1 UAS_IP=127.0.0.1
    capture_start "$1" lo "$LO_NS"
}

loopback_stop() {
    capture_stop
    del_ns "$LO_NS"
}

# in_ns NS CMD...: run CMD in namespace NS ("" = the current one)
in_ns() {
    local ns=$1; shift
    if [ -n "$ns" ]; then ip netns exec "$ns" "$@"; else "$@"; fi
}

# forget PID: drop a finished process from PIDS
forget() {
    local p keep=()
    for p in "${PIDS[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
    PIDS=("${keep[@]}")
}

# capture_start NAME IFACE [NS] [tcpdump options]: start tcpdump, wait until
# it is listening.
CAP_PID="" CAP_FILE="" CAP_DIR="" CAP_NAME=""
capture_start() {
    local name=$1 iface=$2 ns=${3:-}; shift 3 || shift $#
    CAP_NAME=$name
    CAP_DIR=$WORK/$name
    mkdir -p "$CAP_DIR"
    CAP_FILE=$CAP_DIR/$name.pcap
    local pre=()
    [ -z "$ns" ] || pre=(ip netns exec "$ns")
    "${pre[@]}" tcpdump -i "$iface" -s 0 -U -n -Z root "$@" -w "$CAP_FILE" \
        "$FILTER" 2>"$CAP_DIR/tcpdump.log" &
    CAP_PID=$!
    PIDS+=("$CAP_PID")
    local _
    for _ in $(seq 50); do
        grep -q "listening on" "$CAP_DIR/tcpdump.log" 2>/dev/null && break
        kill -0 "$CAP_PID" 2>/dev/null || die "tcpdump failed: $(cat "$CAP_DIR/tcpdump.log")"
        sleep 0.1
    done
    grep -q "listening on" "$CAP_DIR/tcpdump.log" || die "tcpdump did not start"
    sleep 0.5
}

capture_stop() {
    sleep 0.5
    kill -INT "$CAP_PID"
    wait "$CAP_PID" || die "tcpdump exited with an error: $(cat "$CAP_DIR/tcpdump.log")"
    forget "$CAP_PID"
    grep -q "0 packets dropped by kernel" "$CAP_DIR/tcpdump.log" ||
        die "tcpdump dropped packets: $(cat "$CAP_DIR/tcpdump.log")"
}

# port_free NS PORT: true if no UDP socket is bound to PORT in NS and no TCP
# socket listens on it
port_free() {
    ! in_ns "$1" ss -Hltun "sport = :$2" | grep -q .
}

# run_pair TAG UAS_XML UAC_XML CALLS [UAS options] -- [UAC options]
# Start the UAS in the background, wait until its port is bound, run the UAC
# in the foreground, wait for the UAS; both must end successfully.
# Call-IDs are <sample>-<TAG>-<call number>@<UAC address>.
run_pair() {
    local tag=$1 uas=$2 uac=$3 calls=$4; shift 4
    local uas_opts=() uac_opts=()
    while [ $# -gt 0 ] && [ "$1" != "--" ]; do uas_opts+=("$1"); shift; done
    [ $# -gt 0 ] && shift
    uac_opts=("$@")
    local dir=$CAP_DIR/$tag uas_pre=() uac_pre=()
    [ -z "$NS_UAS" ] || uas_pre=(ip netns exec "$NS_UAS")
    [ -z "$NS_UAC" ] || uac_pre=(ip netns exec "$NS_UAC")
    mkdir -p "$dir"
    port_free "$NS_UAS" $UAS_PORT || die "$tag: port $UAS_PORT is in use"
    port_free "$NS_UAC" $UAC_PORT || die "$tag: port $UAC_PORT is in use"
    (cd "$dir" && exec "${uas_pre[@]}" sipp -sf "$SCEN/$uas" -i "$UAS_IP" -p $UAS_PORT -m "$calls" \
        "${SIPP_COMMON[@]}" "${uas_opts[@]}" >uas.log 2>&1) &
    local uas_pid=$!
    PIDS+=("$uas_pid")
    # the UAS is up when its UDP socket is bound (or its TCP socket listens)
    for _ in $(seq 50); do
        in_ns "$NS_UAS" ss -Hltun "sport = :$UAS_PORT" | grep -q . && break
        kill -0 "$uas_pid" 2>/dev/null || break
        sleep 0.1
    done
    in_ns "$NS_UAS" ss -Hltun "sport = :$UAS_PORT" | grep -q . ||
        die "$tag: UAS did not start (see $dir/uas.log)"
    local remote=$UAS_IP:$UAS_PORT
    case $UAS_IP in *:*) remote="[$UAS_IP]:$UAS_PORT" ;; esac   # IPv6
    # the UAC runs in the background too, so that a signal to this script is
    # handled at once (bash defers traps until a foreground command ends)
    (cd "$dir" && exec "${uac_pre[@]}" sipp -sf "$SCEN/$uac" "$remote" \
        -i "$UAC_IP" -p $UAC_PORT -m "$calls" -r 10 -cid_str "$CAP_NAME-$tag-%u@%s" \
        "${SIPP_COMMON[@]}" "${uac_opts[@]}" >uac.log 2>&1) &
    local uac_pid=$! rc=0
    PIDS+=("$uac_pid")
    wait "$uac_pid" || rc=$?
    forget "$uac_pid"
    [ $rc = 0 ] || die "$tag: SIPp UAC failed (exit $rc), see $dir"
    wait "$uas_pid" || die "$tag: SIPp UAS failed (exit $?), see $dir"
    forget "$uas_pid"
}

# csv_calls FILE: number of calls (lines after the SEQUENTIAL header)
csv_calls() { grep -cv '^SEQUENTIAL' "$SCEN/$1"; }

# reject_run TAG CSV: one UAC run of uac_reject.xml, one call per CSV line
reject_run() {
    local n; n=$(csv_calls "$2")
    run_pair "$1" uas_reject.xml uac_reject.xml "$n" -- -inf "$SCEN/$2"
}

answer_run() {   # answer_run TAG CALLS USER
    run_pair "$1" uas_answer.xml uac_call.xml "$2" -- -s "$3"
}

# ------------------------------------------ veth samples (every message set)
# veth_start MTU: two fresh namespaces, UAC and UAS, joined by a veth pair
# (veth-uac, veth-uas) with the given MTU. TSO, GSO and GRO are off on both
# ends: with them a veth pair passes (and tcpdump shows) TCP "super-segments"
# larger than the MTU; without them every captured frame is one on the wire.
# Addresses are set by the caller (veth_ipv4, veth_ipv6).
veth_start() {
    local mtu=$1 side ns
    command -v ethtool >/dev/null || die "missing tool: ethtool"
    NS_UAC=sls-uac-$$ NS_UAS=sls-uas-$$
    new_ns "$NS_UAC"
    new_ns "$NS_UAS"
    ip link add veth-uac netns "$NS_UAC" type veth peer name veth-uas netns "$NS_UAS"
    for side in uac uas; do
        ns=$NS_UAC; [ $side = uas ] && ns=$NS_UAS
        ip -n "$ns" link set dev veth-$side mtu "$mtu"
        in_ns "$ns" ethtool -K veth-$side tso off gso off gro off
        ip -n "$ns" link set dev veth-$side up
    done
}

# veth_ipv4 [quickack]: 192.0.2.1 (UAC) and 192.0.2.2 (UAS). With "quickack",
# the route between them disables delayed ACKs (ip route ... quickack 1):
# every TCP segment with data is acknowledged at once by a segment of its own,
# so the pure ACKs in a TCP capture, and hence its packet count, do not depend
# on timing (with delayed ACKs they do, from run to run).
veth_ipv4() {
    local q=()
    [ "${1:-}" = quickack ] && q=(quickack 1)
    ip -n "$NS_UAC" addr add 192.0.2.1/24 dev veth-uac
    ip -n "$NS_UAS" addr add 192.0.2.2/24 dev veth-uas
    ip -n "$NS_UAC" route replace 192.0.2.0/24 dev veth-uac src 192.0.2.1 "${q[@]}"
    ip -n "$NS_UAS" route replace 192.0.2.0/24 dev veth-uas src 192.0.2.2 "${q[@]}"
    UAC_IP=192.0.2.1 UAS_IP=192.0.2.2
}

# veth_ipv6: 2001:db8::1 (UAC) and 2001:db8::2 (UAS) (new_ns turns IPv6 off;
# it is turned on again here), without duplicate address detection so that
# the addresses can be used at once.
veth_ipv6() {
    local side ns
    for side in uac uas; do
        ns=$NS_UAC; [ $side = uas ] && ns=$NS_UAS
        in_ns "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=0 \
            net.ipv6.conf.default.disable_ipv6=0 net.ipv6.conf.veth-$side.disable_ipv6=0
    done
    ip -n "$NS_UAC" addr add 2001:db8::1/64 dev veth-uac nodad
    ip -n "$NS_UAS" addr add 2001:db8::2/64 dev veth-uas nodad
    UAC_IP=2001:db8::1 UAS_IP=2001:db8::2
}

# veth_vlan TAG...: tag every frame that leaves either end of the veth pair
# with the TAGs (802.1Q:VID or 802.1ad:VID, innermost first) and untag every
# frame that arrives, with tc eBPF programs (vlantag.py): this kernel has no
# 802.1Q module, so "ip link add ... type vlan" is not available. The bpf
# file system is mounted in the private mount namespace of one
# "ip netns exec", where the programs are pinned and attached; it goes away
# with it, the programs stay attached to the veth ends.
veth_vlan() {
    local side ns dir
    for side in uac uas; do
        ns=$NS_UAC; [ $side = uas ] && ns=$NS_UAS
        dir=$WORK/bpf-$side
        mkdir -p "$dir"
        ip netns exec "$ns" sh -ec '
            dir=$1 dev=$2 tagger=$3; shift 3
            mount -t bpf bpf "$dir"
            python3 "$tagger" push "$dir/push" "$@"
            python3 "$tagger" pop "$dir/pop" "$@"
            tc qdisc add dev "$dev" clsact
            tc filter add dev "$dev" egress bpf direct-action object-pinned "$dir/push"
            tc filter add dev "$dev" ingress bpf direct-action object-pinned "$dir/pop"
            umount "$dir"' sh "$dir" veth-$side "$HERE/vlantag.py" "$@" ||
            die "could not set up VLAN tagging on veth-$side"
    done
}

veth_stop() {
    del_ns "$NS_UAC"
    del_ns "$NS_UAS"
}

# veth_capture_start NAME: capture on the UAS end of the veth pair, with the
# BPF filter in FILTER (callers set a local FILTER) and --immediate-mode, so
# that every packet is written before tcpdump is stopped.
veth_capture_start() {
    capture_start "$1" veth-uas "$NS_UAS" --immediate-mode
}

# veth_capture_stop: capture_stop, and every packet that passed the filter
# must be in the file.
veth_capture_stop() {
    capture_stop
    local got seen
    got=$(sed -n 's/^\([0-9]*\) packets\{0,1\} captured$/\1/p' "$CAP_DIR/tcpdump.log")
    seen=$(sed -n 's/^\([0-9]*\) packets\{0,1\} received by filter$/\1/p' "$CAP_DIR/tcpdump.log")
    [ -n "$got" ] && [ "$got" = "$seen" ] ||
        die "tcpdump wrote $got of the $seen packets it received"
}

# TCP: the UAC opens one connection (-t t1) from port 5060 to the UAS's 5070
TCP_FILTER="tcp port $UAC_PORT or tcp port $UAS_PORT"

# ---------------------------------------------------------------- samples
make_answered() {
    loopback_start answered
    answer_run answered 3 bob
    loopback_stop
}
# in_progress: a capture that ends while a call is still ringing, the one
# outcome a complete SIPp run cannot show. It is answered.pcap cut after its
# 13th frame (editcap): calls 1 and 2 answered and ACKed (no BYE yet), call 3
# at 180 Ringing.
make_in_progress() {
    [ -f "$OUT/answered.pcap" ] || die "in_progress is cut from answered.pcap: make it first"
    CAP_DIR=$WORK/in_progress
    mkdir -p "$CAP_DIR"
    CAP_FILE=$CAP_DIR/in_progress.pcap
    editcap -F pcap -r "$OUT/answered.pcap" "$CAP_FILE" 1-13 >/dev/null
}
make_busy() {
    loopback_start busy
    reject_run reject busy.csv
    loopback_stop
}
make_not_found() {
    loopback_start not_found
    reject_run reject not_found.csv
    loopback_stop
}
make_server_error() {
    loopback_start server_error
    reject_run reject server_error.csv
    loopback_stop
}
make_auth_retry() {
    loopback_start auth_retry
    run_pair auth uas_auth.xml uac_auth.xml 2 -- -s auth-www -au alice -ap secret
    loopback_stop
}
make_cancel() {
    loopback_start cancel
    run_pair cancel uas_cancel.xml uac_cancel.xml 2 -- -s bob
    loopback_stop
}
make_unanswered() {
    loopback_start unanswered
    # 7 INVITEs over 31.5 s, UAC gives up at 33 s, UAS ends at 34 s
    run_pair noanswer uas_blackhole.xml uac_noanswer.xml 1 -- -s bob -max_invite_retrans 6
    # then an unrelated OPTIONS ping, so that the capture lasts more than
    # 32 s after the first INVITE
    run_pair options uas_options.xml uac_options.xml 1 -- -s bob
    loopback_stop
}
make_options_register() {
    loopback_start options_register
    run_pair options uas_options.xml uac_options.xml 2 -- -s bob
    run_pair register uas_register.xml uac_register.xml 2
    loopback_stop
}
make_sll2() {
    local a=sls-uac-$$ b=sls-uas-$$
    new_ns "$a"
    new_ns "$b"
    ip link add veth-uac netns "$a" type veth peer name veth-uas netns "$b"
    ip -n "$a" addr add 192.0.2.1/24 dev veth-uac
    ip -n "$b" addr add 192.0.2.2/24 dev veth-uas
    ip -n "$a" link set veth-uac up
    ip -n "$b" link set veth-uas up
    NS_UAC=$a NS_UAS=$b UAC_IP=192.0.2.1 UAS_IP=192.0.2.2
    capture_start sll2 any "$b" -y LINUX_SLL2
    answer_run answered 3 bob
    reject_run reject sll2.csv
    capture_stop
    del_ns "$a"
    del_ns "$b"
}
make_mixed() {
    loopback_start mixed
    run_pair register uas_register.xml uac_register.xml 1
    run_pair options uas_options.xml uac_options.xml 1 -- -s bob
    answer_run answered 3 bob
    reject_run reject mixed.csv
    run_pair cancel uas_cancel.xml uac_cancel.xml 2 -- -s bob
    loopback_stop
}
make_reasons() {
    loopback_start reasons
    reject_run reject reasons.csv
    answer_run bye481 1 bye481
    loopback_stop
}
make_early_media_fail() {
    loopback_start early_media_fail
    reject_run reject early_media_fail.csv
    loopback_stop
}
make_proxy_auth() {
    loopback_start proxy_auth
    run_pair auth-ok uas_auth.xml uac_auth.xml 1 -- -s auth-proxy -au alice -ap secret
    run_pair auth-fail uas_auth.xml uac_auth.xml 1 -- -s auth-proxy-fail -au alice -ap secret
    loopback_stop
}
make_redirect() {
    loopback_start redirect
    reject_run reject redirect.csv
    loopback_stop
}
make_global_fail() {
    loopback_start global_fail
    reject_run reject global_fail.csv
    loopback_stop
}
make_misc_fail() {
    loopback_start misc_fail
    reject_run reject misc_fail.csv
    loopback_stop
}

# ------------------------------------------------- the "every message" set
make_tcp_multi() {
    local FILTER=$TCP_FILTER
    veth_start 1500
    veth_ipv4 quickack
    veth_capture_start tcp_multi
    run_pair multi uas_tcp_multi.xml uac_tcp_multi.xml 4 -t t1 -- -t t1 \
        -inf "$SCEN/tcp_multi.csv"
    veth_capture_stop
    veth_stop
}
make_tcp_split() {
    local FILTER=$TCP_FILTER
    veth_start 576
    veth_ipv4 quickack
    veth_capture_start tcp_split
    run_pair split uas_big_answer.xml uac_big_call.xml 3 -t t1 -- -t t1 -s bob
    veth_capture_stop
    veth_stop
}
make_udp_frag() {
    # "udp port" only matches a datagram's first fragment: add the others
    local FILTER="$FILTER or (ip[6:2] & 0x1fff != 0)"
    veth_start 576
    veth_ipv4
    veth_capture_start udp_frag
    run_pair frag uas_big_answer.xml uac_big_call.xml 3 -- -s bob
    veth_capture_stop
    veth_stop
}
make_ipv6() {
    veth_start 1500
    veth_ipv6
    veth_capture_start ipv6
    answer_run answered 3 bob
    reject_run reject ipv6.csv
    veth_capture_stop
    veth_stop
}
make_vlan() {
    local FILTER="vlan 100 and ($FILTER)"
    veth_start 1500
    veth_ipv4
    veth_vlan 802.1Q:100
    veth_capture_start vlan
    answer_run answered 2 bob
    reject_run reject busy.csv
    veth_capture_stop
    veth_stop
}
make_vlan_qinq() {
    local FILTER="vlan 200 and vlan 100 and ($FILTER)"
    veth_start 1500
    veth_ipv4
    veth_vlan 802.1Q:100 802.1ad:200
    veth_capture_start vlan_qinq
    answer_run answered 2 bob
    reject_run reject vlan_qinq.csv
    veth_capture_stop
    veth_stop
}

# check NAME FILE: counts of FILE must equal the rows of NAME in expected.tsv
check() {
    local name=$1 file=$2
    [ -f "$HERE/expected.tsv" ] || die "no expected.tsv (use --no-check)"
    python3 "$HERE/sipcount.py" "$file" "$name" >"$CAP_DIR/counts.tsv"
    awk -F'\t' -v n="$name" '$1 == n' "$HERE/expected.tsv" >"$CAP_DIR/expected.tsv"
    [ -s "$CAP_DIR/expected.tsv" ] || die "$name: no rows in expected.tsv"
    if ! diff -u "$CAP_DIR/expected.tsv" "$CAP_DIR/counts.tsv" >"$CAP_DIR/counts.diff"; then
        cat "$CAP_DIR/counts.diff" >&2
        die "$name: counts differ from expected.tsv (capture kept in $CAP_DIR)"
    fi
}

start=$(date +%s)
for n in "${names[@]}"; do
    t0=$(date +%s)
    "make_$n"
    [ $CHECK = 1 ] && check "$n" "$CAP_FILE"
    chmod 644 "$CAP_FILE"
    mv -f "$CAP_FILE" "$OUT/$n.pcap"
    echo "$n.pcap: $(($(date +%s) - t0)) s$([ $CHECK = 1 ] && echo ", counts match expected.tsv")"
done
echo "done in $(($(date +%s) - start)) s"
