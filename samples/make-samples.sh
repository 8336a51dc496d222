#!/bin/bash
# Regenerate the sample captures in samples/ from scratch with SIPp.
#
#   sudo samples/make-samples.sh [--no-check] [--keep] [--out DIR] [NAME...]
#
# NAME: answered busy not_found server_error auth_retry cancel unanswered
#       options_register sll2 mixed reasons early_media_fail proxy_auth
#       redirect global_fail misc_fail (default: all of them, in this order).
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
# "-i any" in the UAS namespace (link type LINUX_SLL2). Nothing else on the
# host's network is touched. A trap stops every process the script started and
# deletes the namespaces it created, whatever happens.
#
# Needs root, sipp (Debian package sip-tester), tcpdump, iproute2 (ip, ss);
# tshark and python3 for the check. Takes about 100 s (unanswered: 37 s).
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
SIPP_COMMON=(-nostdin -trace_err -default_behaviors "all,-bye" -timeout 60s)

names=()
while [ $# -gt 0 ]; do
    case "$1" in
        --no-check) CHECK=0 ;;
        --keep) KEEP=1 ;;
        --out) OUT=$(mkdir -p "$2" && cd "$2" && pwd); shift ;;
        -h|--help) sed -n '2,27p' "$0"; exit 0 ;;
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
    (cd "$dir" && exec "${uas_pre[@]}" sipp -sf "$SCEN/$uas" -i "$UAS_IP" -p $UAS_PORT -m "$calls" \
        "${SIPP_COMMON[@]}" "${uas_opts[@]}" >uas.log 2>&1) &
    local uas_pid=$!
    PIDS+=("$uas_pid")
    for _ in $(seq 50); do
        in_ns "$NS_UAS" ss -Hlun "sport = :$UAS_PORT" | grep -q . && break
        kill -0 "$uas_pid" 2>/dev/null || break
        sleep 0.1
    done
    in_ns "$NS_UAS" ss -Hlun "sport = :$UAS_PORT" | grep -q . ||
        die "$tag: UAS did not start (see $dir/uas.log)"
    # the UAC runs in the background too, so that a signal to this script is
    # handled at once (bash defers traps until a foreground command ends)
    (cd "$dir" && exec "${uac_pre[@]}" sipp -sf "$SCEN/$uac" "$UAS_IP:$UAS_PORT" \
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

# ---------------------------------------------------------------- samples
make_answered() {
    loopback_start answered
    answer_run answered 3 bob
    loopback_stop
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
