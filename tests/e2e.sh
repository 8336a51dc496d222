#!/usr/bin/env bash
# End-to-end tests on the bundled samples: the binary's JSON summary must
# hold exactly the counts listed in samples/expected.tsv (made from the
# captures with tshark and the scenario scripts, see samples/README.md), and
# nothing else: a method, code or outcome that appears but is not listed
# fails too. Then each call's timings are checked against an independent
# oracle (tshark's view of the same frames) when tshark is installed.
#
# Usage: e2e.sh SIPSLEUTH SOURCE_DIR
set -uo pipefail
bin=$1
src=$2
expected=$src/samples/expected.tsv
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }

if [ ! -f "$expected" ]; then
  echo "no $expected"
  exit 1
fi

# jq path of an expected.tsv key.
jq_path() {
  local key=$1
  case $key in
    packets) echo '.capture.packets' ;;
    sip_messages) echo '.capture.sip_messages' ;;
    retransmissions) echo '.capture.retransmissions' ;;
    calls) echo '.calls.total' ;;
    challenged) echo '.calls.challenged' ;;
    link_type) echo '.capture.files[0].link_type' ;;
    call_ids) echo 'SKIP' ;; # informational: Call-IDs of every kind
    request:*) echo ".requests[\"${key#request:}\"] // 0" ;;
    response:*) echo ".responses[\"${key#response:}\"] // 0" ;;
    outcome:*) echo ".calls.outcomes[\"${key#outcome:}\"] // 0" ;;
    txn:*:*)
      local rest=${key#txn:}
      echo ".transactions[\"${rest%%:*}\"][\"${rest#*:}\"] // 0" ;;
    *) echo "" ;;
  esac
}

samples=$(awk -F'\t' 'NR > 1 && $1 !~ /^#/ {print $1}' "$expected" | sort -u)
for s in $samples; do
  pcap=$src/samples/$s.pcap
  [ -f "$pcap" ] || pcap=$src/samples/$s.pcapng
  if ! "$bin" --format json "$pcap" >"$tmp/$s.json" 2>"$tmp/$s.err"; then
    bad "$s: sipsleuth exited $?: $(cat "$tmp/$s.err")"
    continue
  fi
  if [ -s "$tmp/$s.err" ]; then
    bad "$s: unexpected diagnostics: $(cat "$tmp/$s.err")"
  fi
  awk -F'\t' -v s="$s" '$1 == s {print $2 "\t" $3}' "$expected" >"$tmp/$s.exp"
  while IFS=$'\t' read -r key want; do
    path=$(jq_path "$key")
    [ "$path" = SKIP ] && continue
    if [ -z "$path" ]; then
      bad "$s: unknown key $key in expected.tsv"
      continue
    fi
    got=$(jq -r "$path" "$tmp/$s.json")
    if [ "$got" = "$want" ]; then ok; else bad "$s: $key = $got, expected $want"; fi
  done <"$tmp/$s.exp"
  # Exactness: every non-zero request, response, transaction bucket and
  # outcome in the output must be listed.
  jq -r '(.requests | to_entries[] | "request:\(.key)"),
         (.responses | to_entries[] | "response:\(.key)"),
         (.transactions | to_entries[] | .key as $m | .value | to_entries[]
            | select((.key | test("^(total|1xx_only|2xx|3xx|4xx|5xx|6xx|no_final)$")) and .value > 0)
            | "txn:\($m):\(.key)"),
         (.calls.outcomes | to_entries[] | select(.value > 0) | "outcome:\(.key)")' \
     "$tmp/$s.json" | sort >"$tmp/$s.have"
  cut -f1 "$tmp/$s.exp" | grep -E '^(request|response|txn|outcome):' | sort >"$tmp/$s.want"
  extra=$(comm -23 "$tmp/$s.have" "$tmp/$s.want")
  if [ -n "$extra" ]; then bad "$s: present but not in expected.tsv: $(echo $extra)"; else ok; fi
done

# Per-call timings against tshark: post-dial delay is the first 180/183
# after the INVITE that got it, answer time the first 2xx to an INVITE, both
# from that INVITE (the last initial INVITE of the call before the answer).
if command -v tshark >/dev/null 2>&1; then
  for s in $samples; do
    pcap=$src/samples/$s.pcap
    [ -f "$pcap" ] || continue
    "$bin" calls --format ndjson "$pcap" >"$tmp/$s.calls" 2>/dev/null || { bad "$s: calls failed"; continue; }
    # One line per SIP message (a TCP segment can carry several): JSON with
    # one "sip" object per message.
    tshark -r "$pcap" -Y sip -T json --no-duplicate-keys -J "frame sip" 2>/dev/null |
      jq -r 'def f(k): (first(.. | objects | select(has(k)) | .[k]) // "")
                       | if type == "array" then .[0] else . end;
             .[] | ._source.layers as $l | ($l.frame["frame.time_epoch"]) as $t
             | ($l.sip | if type == "array" then .[] else . end)
             | [$t, f("sip.Call-ID"), f("sip.Method"), f("sip.Status-Code"),
                f("sip.CSeq.method"), f("sip.CSeq.seq"), f("sip.to.tag")] | @tsv' >"$tmp/$s.ts"
    # Oracle: per Call-ID, for the INVITE attempt with the highest CSeq that
    # has responses: time of first INVITE with that CSeq, first 18x, first 2xx.
    awk -F'\t' '
      $5 == "INVITE" && $3 == "INVITE" && $7 == "" && !(($2, $6) in inv) { inv[$2, $6] = $1 }
      $5 == "INVITE" && $4 ~ /^18[03]$/ && !(($2, $6) in ring) { ring[$2, $6] = $1 }
      $5 == "INVITE" && $4 ~ /^2/ && !(($2, $6) in ans) { ans[$2, $6] = $1 }
      END {
        for (k in inv) {
          split(k, p, SUBSEP)
          pdd = (k in ring) ? sprintf("%.3f", (ring[k] - inv[k]) * 1000) : "null"
          a = (k in ans) ? sprintf("%.3f", (ans[k] - inv[k]) * 1000) : "null"
          if ((k in ring) || (k in ans)) print p[1] "\t" pdd "\t" a
        }
      }' "$tmp/$s.ts" | sort >"$tmp/$s.oracle"
    jq -r 'select(.pdd_ms != null or .answer_ms != null)
           | "\(.call_id)\t\(if .pdd_ms == null then "null" else (.pdd_ms * 1000 | round / 1000 | tostring) end)\t\(if .answer_ms == null then "null" else (.answer_ms * 1000 | round / 1000 | tostring) end)"' \
      "$tmp/$s.calls" | sort >"$tmp/$s.ours"
    # Compare numerically to the microsecond.
    if join -t $'\t' -a1 -a2 -e MISSING -o 0,1.2,1.3,2.2,2.3 "$tmp/$s.oracle" "$tmp/$s.ours" |
       awk -F'\t' '
         function d(a, b) { if (a == "null" || b == "null") return a != b; return (a - b > 0.002 || b - a > 0.002) }
         d($2, $4) || d($3, $5) { print "  " $0; bad = 1 }
         END { exit bad }' >"$tmp/$s.tdiff"; then
      ok
    else
      bad "$s: call timings differ from tshark (call-id, pdd, answer: tshark then sipsleuth):"
      cat "$tmp/$s.tdiff"
    fi
  done
else
  echo "tshark not installed: per-call timing oracle skipped"
fi

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
