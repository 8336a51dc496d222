#!/bin/bash
# Build a large, reproducible SIP capture for the benchmark with SIPp.
#
#   bench/make-capture.sh [--tcp] [--rate R] [--force] [--keep] SIZE OUT.pcap
#
# SIZE is a number of calls: 10000, 10k, 240k, ... The calls follow a fixed
# mix (per 100 calls, spread evenly over the run; see bench/README.md):
#
#   outcome   calls/100  messages per call (UDP)
#   answer        70     7  INVITE 100 180 200 ACK BYE 200 (BYE after 0-1 s)
#   busy           8     5  INVITE 100 180 486 ACK
#   notfound       5     4  INVITE 100 404 ACK
#   unavail        4     4  INVITE 100 503 ACK
#   error          2     4  INVITE 100 500 ACK
#   auth           5    10  INVITE 401 ACK INVITE(credentials) 100 180 200 ACK BYE 200
#   cancel         5     7  INVITE 100 180 CANCEL 200 487 ACK (CANCEL after 0.1-1 s)
#   noanswer       1     3  INVITE sent 3 times (0, 0.5, 1.5 s), no response
#                           (1 INVITE over TCP: no retransmission on TCP)
#
# Call k (k = 0, 1, ...) gets outcome slot (37 k mod 100), a hold time of
# (7919 k mod 1001) ms if answered, a ring time of 100 + (7919 k mod 901) ms
# before a CANCEL, so the counts depend on SIZE only.
# The SDP of every call has its own media port (SIPp [auto_media_port]:
# 6000 + 4 n mod 10000 for the caller, 20000 + ... for the callee), as on a
# real trunk. With one media port for all calls, tshark's RTP conversation
# setup from SDP goes quadratic (70 s of CPU instead of 3.6 s at 50k calls).
#
# How: in a private network namespace (so that nothing else on the machine
# can add or steal packets), tcpdump -i lo -s 0 -B 65536 captures
# "udp port 5060 or udp port 5070" (tcp with --tcp) while a SIPp UAS
# (bench/scenarios/uas.xml, port 5070) answers a SIPp UAC
# (bench/scenarios/uac.xml, port 5060, -r RATE calls/s) that reads its
# outcomes from an injection file (-inf). The capture is accepted only if
# both SIPp ends report every call successful, tcpdump dropped no packet,
# and (UDP) the number of packets equals the number of SIP messages of the
# mix (a retransmission caused by an overloaded SIPp would change it).
#
# Cache: OUT.pcap.meta records the size, transport and a hash of the
# scenarios and of this script; if OUT.pcap and a matching .meta exist,
# nothing is done (--force regenerates).
#
# --tcp     SIP over TCP, one connection for all calls (SIPp -t t1)
# --rate R  calls per second; by default 2000, then 1000, then 500 if a run
#           fails its checks (exit status 3: drops, retransmissions, failed
#           calls - what an overloaded machine causes)
# --keep    keep the work directory (SIPp logs, injection file)
#
# Needs root (network namespace, tcpdump), sipp (Debian sip-tester),
# tcpdump, iproute2. Takes about SIZE/RATE seconds plus 5 s.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SCEN=$HERE/scenarios
TRANSPORT=udp
RATE=""
FORCE=0
KEEP=0
UAC_PORT=5060
UAS_PORT=5070

# the comment block at the top of this file
usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }
die() { echo "make-capture: $*" >&2; exit 1; }
# a failure that a lower call rate may avoid
overload() { echo "make-capture: $*" >&2; exit 3; }

args=()
while [ $# -gt 0 ]; do
    case "$1" in
        --tcp) TRANSPORT=tcp ;;
        --rate) [ $# -ge 2 ] || die "--rate needs a value"; RATE=$2; shift ;;
        --force) FORCE=1 ;;
        --keep) KEEP=1 ;;
        -h|--help) usage; exit 0 ;;
        -*) echo "unknown option $1" >&2; usage >&2; exit 2 ;;
        *) args+=("$1") ;;
    esac
    shift
done
[ ${#args[@]} = 2 ] || { usage >&2; exit 2; }

# size_calls SIZE: 10k -> 10000, 1500 -> 1500
size_calls() {
    case "$1" in
        [1-9]*[0-9]k|[1-9]k) echo $(( ${1%k} * 1000 )) ;;
        [1-9]|[1-9]*[0-9]) echo "$1" ;;
        *) return 1 ;;
    esac
}
CALLS=$(size_calls "${args[0]}") || die "bad SIZE ${args[0]} (a number of calls, e.g. 50000 or 50k)"
[ "$CALLS" -le 10000000 ] || die "SIZE too large: $CALLS"
case "${RATE:-1000}" in [1-9]|[1-9][0-9]|[1-9][0-9][0-9]|[1-9][0-9][0-9][0-9]) ;; *) die "bad --rate $RATE (1-9999)" ;; esac
OUT=${args[1]}
case "$OUT" in *.pcap) ;; *) die "OUT must end in .pcap" ;; esac
mkdir -p "$(dirname "$OUT")"
OUT=$(cd "$(dirname "$OUT")" && pwd)/$(basename "$OUT")
META=$OUT.meta

# ----------------------------------------------------------- the call mix
# One line per call: outcome;ms before BYE or CANCEL;INVITE copies if unanswered.
# Also writes mix.tsv: outcome, calls, SIP messages.
MIX_AWK='
BEGIN {
    split("answer busy notfound unavail error auth cancel noanswer", name, " ")
    split("70 8 5 4 2 5 5 1", per100, " ")
    split("7 5 4 4 4 10 7 3", msgs, " ")
    if (tr == "tcp") msgs[8] = 1
    slot = 0
    for (o = 1; o <= 8; o++)
        for (j = 0; j < per100[o]; j++) outcome[slot++] = o
    print "SEQUENTIAL" > csv
    for (k = 0; k < n; k++) {
        o = outcome[(k * 37) % 100]
        ms = (name[o] == "cancel") ? 100 + (k * 7919) % 901 : (k * 7919) % 1001
        printf "%s;%d;%d;\n", name[o], ms, (tr == "tcp" ? 1 : 3) > csv
        calls[o]++
        total += msgs[o]
    }
    for (o = 1; o <= 8; o++)
        printf "%s\t%d\t%d\n", name[o], calls[o], calls[o] * msgs[o] > tsv
    printf "total\t%d\t%d\n", n, total > tsv
}'

# The cache key: what determines the content of the capture: the mix, the
# scenarios, and RECIPE, to be changed by hand when the way of capturing
# changes (filter, ports, SIPp options that change the messages).
RECIPE=1
KEY="calls=$CALLS transport=$TRANSPORT recipe=$( { echo "$RECIPE"; echo "$MIX_AWK"; cat "$SCEN/uac.xml" "$SCEN/uas.xml"; } | sha256sum | cut -c1-16)"
# (a capture made at another call rate is reused unless --rate asks for one)
if [ $FORCE = 0 ] && [ -s "$OUT" ] && [ -f "$META" ] && grep -qxF "key: $KEY" "$META" &&
   { [ -z "$RATE" ] || grep -qxF "rate_cps: $RATE" "$META"; }; then
    echo "$(basename "$OUT"): cached ($(grep '^sip_messages:' "$META" | cut -d' ' -f2) SIP messages, made in $(grep '^generated_in_s:' "$META" | cut -d' ' -f2) s at $(grep '^rate_cps:' "$META" | cut -d' ' -f2) calls/s)"
    exit 0
fi

# No rate given: try from fast to slow.
if [ -z "$RATE" ]; then
    opts=()
    [ $TRANSPORT = tcp ] && opts+=(--tcp)
    [ $FORCE = 1 ] && opts+=(--force)
    [ $KEEP = 1 ] && opts+=(--keep)
    for r in 2000 1000 500; do
        rc=0
        "$0" "${opts[@]}" --rate $r "${args[@]}" || rc=$?
        [ $rc = 3 ] || exit $rc
        echo "make-capture: retrying at a lower rate" >&2
    done
    exit 3
fi

[ "$(id -u)" = 0 ] || die "must run as root (network namespace, tcpdump)"
for t in sipp tcpdump ip timeout awk sha256sum; do
    command -v $t >/dev/null || die "missing tool: $t"
done

WORK=$(mktemp -d /tmp/sls-bench-capture.XXXXXX)
NS=sls-bench-$$
NS_MADE=0
PIDS=()

cleanup() {
    local rc=$? p
    set +e
    for p in "${PIDS[@]}"; do
        if kill -0 "$p" 2>/dev/null; then
            kill -INT "$p" 2>/dev/null; sleep 0.5
            kill -0 "$p" 2>/dev/null && kill -KILL "$p" 2>/dev/null
        fi
        wait "$p" 2>/dev/null
    done
    [ $NS_MADE = 1 ] && ip netns del "$NS" 2>/dev/null
    rm -f "$OUT.tmp"
    if [ $KEEP = 1 ] || [ $rc != 0 ]; then
        echo "make-capture: work directory kept: $WORK" >&2
    else
        rm -rf "$WORK"
    fi
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

forget() {
    local p keep=()
    for p in "${PIDS[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
    PIDS=("${keep[@]}")
}

awk -v n="$CALLS" -v tr="$TRANSPORT" -v csv="$WORK/calls.csv" -v tsv="$WORK/mix.tsv" "$MIX_AWK"
MESSAGES=$(awk -F'\t' '$1 == "total" { print $3 }' "$WORK/mix.tsv")

# ------------------------------------------------------ namespace, capture
ip netns add "$NS" || die "cannot create network namespace $NS"
NS_MADE=1
ip -n "$NS" link set lo up
in_ns() { ip netns exec "$NS" "$@"; }

FILTER="$TRANSPORT port $UAC_PORT or $TRANSPORT port $UAS_PORT"
T0=$(date +%s.%N)
# started directly (not through a function) so that $! is tcpdump itself:
# SIGINT makes it flush the file and print its drop counters
ip netns exec "$NS" tcpdump -i lo -s 0 -B 65536 -n -Z root -w "$OUT.tmp" "$FILTER" 2>"$WORK/tcpdump.log" &
CAP_PID=$!
PIDS+=("$CAP_PID")
for _ in $(seq 100); do
    grep -q "listening on" "$WORK/tcpdump.log" 2>/dev/null && break
    kill -0 "$CAP_PID" 2>/dev/null || die "tcpdump failed: $(cat "$WORK/tcpdump.log")"
    sleep 0.1
done
grep -q "listening on" "$WORK/tcpdump.log" || die "tcpdump did not start"

# ------------------------------------------------------------------ SIPp
# Hard limit for each SIPp process: the run at RATE, the longest call, slack.
LIMIT_S=$(( CALLS / RATE + 60 ))
case $TRANSPORT in udp) SIPP_T=u1; SS=-Hlun ;; tcp) SIPP_T=t1; SS=-Hltn ;; esac
SIPP_COMMON=(-nostdin -t "$SIPP_T" -trace_err -trace_screen -default_behaviors "all,-bye"
             -recv_timeout 20s -timeout "${LIMIT_S}s" -timeout_error
             -buff_size 4194304 -max_recv_loops 5000 -max_sched_loops 5000)

(cd "$WORK" && exec timeout -s KILL $((LIMIT_S + 10)) ip netns exec "$NS" \
    sipp -sf "$SCEN/uas.xml" -i 127.0.0.1 -p $UAS_PORT -mp 20000 -m "$CALLS" "${SIPP_COMMON[@]}" \
    >uas.log 2>&1) &
UAS_PID=$!
PIDS+=("$UAS_PID")
for _ in $(seq 100); do
    in_ns ss "$SS" "sport = :$UAS_PORT" | grep -q . && break
    kill -0 "$UAS_PID" 2>/dev/null || break
    sleep 0.1
done
in_ns ss "$SS" "sport = :$UAS_PORT" | grep -q . || die "SIPp UAS did not start (see $WORK/uas.log)"

rc=0
(cd "$WORK" && exec timeout -s KILL $((LIMIT_S + 10)) ip netns exec "$NS" \
    sipp -sf "$SCEN/uac.xml" "127.0.0.1:$UAS_PORT" -i 127.0.0.1 -p $UAC_PORT -mp 6000 \
    -m "$CALLS" -r "$RATE" -l $((RATE * 5)) -inf "$WORK/calls.csv" \
    -cid_str "bench-%u@%s" -au alice -ap secret "${SIPP_COMMON[@]}" \
    >uac.log 2>&1) || rc=$?
[ $rc = 0 ] || overload "SIPp UAC failed (exit $rc), see $WORK (uac.log, *_errors.log, *_screen.log)"
rc=0
wait "$UAS_PID" || rc=$?
forget "$UAS_PID"
[ $rc = 0 ] || overload "SIPp UAS failed (exit $rc), see $WORK"

# tcpdump (TPACKET_V3) hands packets to user space a block at a time, a block
# at the latest 1 s after its first packet: what is still in the kernel's
# ring at SIGINT is neither written nor counted as dropped. Wait for it.
sleep 2.5
kill -INT "$CAP_PID"
wait "$CAP_PID" || die "tcpdump failed: $(cat "$WORK/tcpdump.log")"
forget "$CAP_PID"
T1=$(date +%s.%N)

# ----------------------------------------------------------------- checks
captured=$(awk '/packets captured/ { print $1 }' "$WORK/tcpdump.log")
dropped=$(awk '/packets dropped by kernel/ { print $1 }' "$WORK/tcpdump.log")
received=$(awk '/packets received by filter/ { print $1 }' "$WORK/tcpdump.log")
# on lo the filter sees every packet twice (sent, received) and keeps one
[ "$received" = $((2 * captured)) ] ||
    overload "tcpdump wrote $captured packets but its filter saw $received (expected $((2 * captured)))"
[ "$dropped" = 0 ] || overload "tcpdump dropped $dropped packets (lower --rate): $(cat "$WORK/tcpdump.log")"
if [ $TRANSPORT = udp ] && [ "$captured" != "$MESSAGES" ]; then
    overload "captured $captured packets, the mix has $MESSAGES SIP messages (retransmissions? lower --rate)"
fi

mv -f "$OUT.tmp" "$OUT"
chmod 644 "$OUT"
{
    echo "key: $KEY"
    echo "calls: $CALLS"
    echo "transport: $TRANSPORT"
    echo "rate_cps: $RATE"
    echo "sip_messages: $MESSAGES"
    echo "packets: $captured"
    echo "bytes: $(stat -c %s "$OUT")"
    echo "generated_in_s: $(awk -v a="$T0" -v b="$T1" 'BEGIN { printf "%.0f", b - a }')"
    echo "generated_on: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    sed 's/^/mix: /' "$WORK/mix.tsv"
} >"$META"
echo "$(basename "$OUT"): $CALLS calls ($TRANSPORT), $MESSAGES SIP messages, $captured packets," \
     "$(( $(stat -c %s "$OUT") / 1000000 )) MB, generated in $(grep '^generated_in_s:' "$META" | cut -d' ' -f2) s"
