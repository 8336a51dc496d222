#!/bin/bash
# Regenerate the sample captures in samples/ from scratch with SIPp.
#
#   sudo samples/make-samples.sh [--no-check] [--keep] [--out DIR] [NAME...]
#
# Every capture is made the same way: tcpdump starts (snaplen 0, BPF filter
# "udp port 5060 or udp port 5070"), then one or more SIPp runs follow one
# after the other, each a UAS (port 5070, in the background) and a UAC (port
# 5060, in the foreground), and tcpdump is stopped with SIGINT and waited for.
# Loopback samples run on 127.0.0.1 and are captured on "lo"; sll2 runs in two
# network namespaces joined by a veth pair and is captured with "-i any" in
# the UAS namespace (link type LINUX_SLL2).
#
# NAME: one or more of the samples below (default: all of them).
# --no-check  do not compare the counts of the new captures with expected.tsv
#             (by default a capture whose counts differ is not installed and
#             the script fails; needs tshark and python3).
# --keep      keep the work directory (SIPp logs) under /tmp.
# --out DIR   write the captures to DIR instead of samples/.
#
# Needs root, sipp (Debian package sip-tester), tcpdump, iproute2; tshark and
# python3 for the check. Takes about 1.5 minutes (unanswered alone takes 37 s).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SCEN=$HERE/scenarios
OUT=$HERE
CHECK=1
KEEP=0
ALL=(answered busy not_found server_error auth_retry cancel unanswered
     options_register sll2 mixed
     reasons early_media_fail proxy_auth redirect global_fail misc_fail)

UAC_PORT=5060
UAS_PORT=5070
FILTER="udp port $UAC_PORT or udp port $UAS_PORT"
# SIPp options common to every run: no keyboard, log unexpected events, never
# send BYE/CANCEL on its own when a call goes wrong (a broken run must show up
# as a count mismatch, not as extra traffic), a global time limit.
SIPP_COMMON=(-nostdin -trace_err -default_behaviors all,-bye -timeout 60s)

names=()
while [ $# -gt 0 ]; do
    case "$1" in
        --no-check) CHECK=0 ;;
        --keep) KEEP=1 ;;
        --out) OUT=$(mkdir -p "$2" && cd "$2" && pwd); shift ;;
        -h|--help) sed -n '2,26p' "$0"; exit 0 ;;
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
for t in sipp tcpdump ip ss timeout; do
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
NS_UAC="" NS_UAS=""
UAC_IP=127.0.0.1 UAS_IP=127.0.0.1

cleanup() {
    local rc=$? p ns
    set +e
    for p in "${PIDS[@]}"; do
        if kill -0 "$p" 2>/dev/null; then
            kill -INT "$p" 2>/dev/null; sleep 0.3
            kill -0 "$p" 2>/dev/null && kill -KILL "$p" 2>/dev/null
        fi
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
    local i
    for i in $(seq 50); do
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

# port_free NS PORT: true if no UDP socket is bound to PORT in NS
port_free() {
    ! in_ns "$1" ss -Hlun "sport = :$2" | grep -q .
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
    port_free "$NS_UAS" $UAS_PORT || die "$tag: UDP port $UAS_PORT is in use"
    port_free "$NS_UAC" $UAC_PORT || die "$tag: UDP port $UAC_PORT is in use"
    (cd "$dir" && exec timeout -s KILL 90 "${uas_pre[@]}" sipp -sf "$SCEN/$uas" -i "$UAS_IP" -p $UAS_PORT -m "$calls" \
        "${SIPP_COMMON[@]}" "${uas_opts[@]}" >uas.log 2>&1) &
    local uas_pid=$!
    PIDS+=("$uas_pid")
    local i
    for i in $(seq 50); do
        in_ns "$NS_UAS" ss -Hlun "sport = :$UAS_PORT" | grep -q . && break
        kill -0 "$uas_pid" 2>/dev/null || break
        sleep 0.1
    done
    in_ns "$NS_UAS" ss -Hlun "sport = :$UAS_PORT" | grep -q . ||
        die "$tag: UAS did not start (see $dir/uas.log)"
    local rc=0
    (cd "$dir" && exec timeout -s KILL 90 "${uac_pre[@]}" sipp -sf "$SCEN/$uac" "$UAS_IP:$UAS_PORT" -i "$UAC_IP" -p $UAC_PORT \
        -m "$calls" -r 10 -cid_str "$CAP_NAME-$tag-%u@%s" \
        "${SIPP_COMMON[@]}" "${uac_opts[@]}" >uac.log 2>&1) || rc=$?
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

# ---------------------------------------------------------------- samples
make_answered() {
    capture_start answered lo
    answer_run answered 3 bob
    capture_stop
}
make_busy() {
    capture_start busy lo
    reject_run reject busy.csv
    capture_stop
}
make_not_found() {
    capture_start not_found lo
    reject_run reject not_found.csv
    capture_stop
}
make_server_error() {
    capture_start server_error lo
    reject_run reject server_error.csv
    capture_stop
}
make_auth_retry() {
    capture_start auth_retry lo
    run_pair auth uas_auth.xml uac_auth.xml 2 -- -s auth-www -au alice -ap secret
    capture_stop
}
make_cancel() {
    capture_start cancel lo
    run_pair cancel uas_cancel.xml uac_cancel.xml 2 -- -s bob
    capture_stop
}
make_unanswered() {
    capture_start unanswered lo
    # 7 INVITEs over 31.5 s, UAC gives up at 33 s, UAS ends at 34 s
    run_pair noanswer uas_blackhole.xml uac_noanswer.xml 1 -- -s bob -max_invite_retrans 6
    # then an unrelated OPTIONS ping, so that the capture lasts more than
    # 32 s after the first INVITE
    run_pair options uas_options.xml uac_options.xml 1 -- -s bob
    capture_stop
}
make_options_register() {
    capture_start options_register lo
    run_pair options uas_options.xml uac_options.xml 2 -- -s bob
    run_pair register uas_register.xml uac_register.xml 2
    capture_stop
}
make_sll2() {
    local a=sls-uac-$$ b=sls-uas-$$
    ip netns add "$a"; NETNS+=("$a")
    ip netns add "$b"; NETNS+=("$b")
    ip link add veth-uac netns "$a" type veth peer name veth-uas netns "$b"
    ip -n "$a" addr add 192.0.2.1/24 dev veth-uac
    ip -n "$b" addr add 192.0.2.2/24 dev veth-uas
    for ns in "$a" "$b"; do
        ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
        ip -n "$ns" link set lo up
    done
    ip -n "$a" link set veth-uac up
    ip -n "$b" link set veth-uas up
    NS_UAC=$a NS_UAS=$b UAC_IP=192.0.2.1 UAS_IP=192.0.2.2
    capture_start sll2 any "$b" -y LINUX_SLL2
    answer_run answered 3 bob
    reject_run reject sll2.csv
    capture_stop
    NS_UAC="" NS_UAS="" UAC_IP=127.0.0.1 UAS_IP=127.0.0.1
    ip netns del "$a"; ip netns del "$b"
    NETNS=()
}
make_mixed() {
    capture_start mixed lo
    run_pair register uas_register.xml uac_register.xml 1
    run_pair options uas_options.xml uac_options.xml 1 -- -s bob
    answer_run answered 3 bob
    reject_run reject mixed.csv
    run_pair cancel uas_cancel.xml uac_cancel.xml 2 -- -s bob
    capture_stop
}
make_reasons() {
    capture_start reasons lo
    reject_run reject reasons.csv
    answer_run bye481 1 bye481
    capture_stop
}
make_early_media_fail() {
    capture_start early_media_fail lo
    reject_run reject early_media_fail.csv
    capture_stop
}
make_proxy_auth() {
    capture_start proxy_auth lo
    run_pair auth-ok uas_auth.xml uac_auth.xml 1 -- -s auth-proxy -au alice -ap secret
    run_pair auth-fail uas_auth.xml uac_auth.xml 1 -- -s auth-proxy-fail -au alice -ap secret
    capture_stop
}
make_redirect() {
    capture_start redirect lo
    reject_run reject redirect.csv
    capture_stop
}
make_global_fail() {
    capture_start global_fail lo
    reject_run reject global_fail.csv
    capture_stop
}
make_misc_fail() {
    capture_start misc_fail lo
    reject_run reject misc_fail.csv
    capture_stop
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
