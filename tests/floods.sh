#!/usr/bin/env bash
# Floods: captures made to grow every table and buffer without end (see
# tests/gen_floods.c) are read by the CLI under `/usr/bin/time -f %M`; the
# peak RSS of each run must stay under 100 MB, the run must finish with exit
# 0 or 4, and what the ceilings threw away must be counted in the JSON:
#   invites      1,000,000 never-answered INVITEs, distinct Call-IDs, one per
#                100 us (--max-transactions/--max-calls 20000: an open call and
#                its transaction take about 2.6 KB): txn-evicted
#                and call-evicted in .capture.anomalies
#   fragments    100,000 first fragments that never complete: each counted
#                (ipv4-fragment until the reassembler exists, then by its
#                own drop counters)
#   tcp-endless  one connection, 200 MB of header lines that never end
#   tcp-conns    100,000 connections, each left in the middle of its headers
# The captures are written to a temporary directory, one at a time.
#
# Usage: floods.sh SIPSLEUTH GEN_FLOODS SOURCE_DIR
# Exit 77 (skipped): /usr/bin/time or jq missing, or SIPSLEUTH is an ASan
# build (its RSS is not the program's).
# Environment: SLS_FLOOD_RSS_MB (default 100), SLS_FLOOD_SCALE (percent of
# the default sizes, default 100).
set -uo pipefail
bin=$1
gen=$2
limit_mb=${SLS_FLOOD_RSS_MB:-100}
scale=${SLS_FLOOD_SCALE:-100}

if [ ! -x /usr/bin/time ] || ! command -v jq >/dev/null; then
  echo "/usr/bin/time (package time) or jq missing: skipped"
  exit 77
fi
if ldd "$bin" 2>/dev/null | grep -q libasan || grep -aq __asan_init "$bin"; then
  echo "$bin is an ASan build: RSS would not be the program's: skipped"
  exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail=0
printf '%-12s %10s %8s %7s %9s  %s\n' flood packets MB seconds "RSS MB" result

# flood KIND COUNT [CLI OPTIONS...]: generates, runs, leaves the JSON in
# $tmp/KIND.json and sets $status and $rss_mb; prints the table line later.
flood() {
  local kind=$1 count=$(( $2 * scale / 100 ))
  shift 2
  [ "$count" -ge 1 ] || count=1
  local cap=$tmp/$kind.pcap
  if ! "$gen" "$kind" "$cap" "$count"; then
    echo "FAIL $kind: gen_floods failed"
    fail=1
    return 1
  fi
  size_mb=$(( $(stat -c %s "$cap") / 1048576 ))
  local t0=$SECONDS
  /usr/bin/time -f %M -o "$tmp/$kind.rss" "$bin" summary --format json "$@" "$cap" \
    >"$tmp/$kind.json" 2>"$tmp/$kind.err"
  status=$?
  secs=$((SECONDS - t0))
  rss_mb=$(( $(tail -1 "$tmp/$kind.rss") / 1024 ))
  rm -f "$cap"
  packets=$(jq '.capture.packets' "$tmp/$kind.json" 2>/dev/null || echo '?')
}

# check KIND CONDITION-DESCRIPTION JQ-BOOLEAN...: every jq expression must be
# true on the JSON; prints the table line.
check() {
  local kind=$1
  shift
  local result=ok
  if [ "$status" -ne 0 ] && [ "$status" -ne 4 ]; then
    result="FAIL: exit $status: $(head -2 "$tmp/$kind.err")"
  elif [ "$rss_mb" -ge "$limit_mb" ]; then
    result="FAIL: peak RSS ${rss_mb} MB >= ${limit_mb} MB"
  else
    local e
    for e in "$@"; do
      if [ "$(jq "$e" "$tmp/$kind.json" 2>&1)" != true ]; then
        result="FAIL: not true: $e"
        break
      fi
    done
  fi
  [ "$result" = ok ] || fail=1
  printf '%-12s %10s %8s %7s %9s  %s\n' "$kind" "$packets" "$size_mb" "$secs" "$rss_mb" "$result"
}

n=$((1000000 * scale / 100))
if flood invites 1000000 --max-transactions 20000 --max-calls 20000; then
  check invites ".capture.packets == $n" ".capture.sip_requests == $n" \
    '.capture.anomalies["txn-evicted"] > 0' '.capture.anomalies["call-evicted"] > 0'
fi

n=$((100000 * scale / 100))
if flood fragments 100000; then
  # Until the reassembler exists every fragment is counted as ipv4-fragment;
  # after, what it drops must be counted under some name.
  check fragments ".capture.packets == $n" \
    "(.capture.skipped[\"ipv4-fragment\"] // 0) == $n or
     ([.capture | (.skipped, .anomalies, .malformed, .not_sip) | to_entries[] | .value] | add) > 0"
fi

n=$((150000 * scale / 100))
if flood tcp-endless 150000; then
  check tcp-endless ".capture.packets == $n + 1"
fi

n=$((100000 * scale / 100))
if flood tcp-conns 100000; then
  check tcp-conns ".capture.packets == 2 * $n"
fi

exit $fail
