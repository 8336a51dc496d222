#!/usr/bin/env bash
# Agreement with Wireshark: for each capture in ../shared/captures, the
# per-method request counts and per-code response counts of
# `sipsleuth --format json` must equal `tshark -q -z sip,stat` (stored in
# expected/NAME.sip_stat.txt). Every difference must be listed, with its
# proven reason, in tests/conformance-allow.tsv; an allow-list line that no
# longer matches a difference fails too, so the list stays true.
#
# Usage: conformance.sh SIPSLEUTH SOURCE_DIR    (exit 77: captures absent)
set -uo pipefail
bin=$1
src=$2
shared=${SLS_SHARED_CAPTURES:-$src/../shared/captures}
allow=$src/tests/conformance-allow.tsv
if [ ! -f "$shared/MANIFEST.tsv" ]; then
  echo "no captures at $shared: skipped"
  exit 77
fi

# Captures whose MANIFEST features include one of these are reported as out
# of scope, not compared (none by default: every carrier is analysed).
out_of_scope=${SLS_CONFORMANCE_SKIP_FEATURES:-}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# expected/NAME.sip_stat.txt -> "request:METHOD N" and "response:CODE N" lines
wireshark_counts() {
  awk '
    /SIP Status Codes in reply packets/ {sec="r"; next}
    /List of SIP Request methods/ {sec="q"; next}
    /^\* / {sec=""}
    sec=="r" && $1=="SIP" { split($0, a, ":"); n=a[length(a)]; gsub(/[^0-9]/, "", n); print "response:" $2, n }
    sec=="q" && NF>=4 && $2==":" { print "request:" $1, $3 }
  ' "$1" | sort
}

sipsleuth_counts() {
  jq -r '(.requests | to_entries[] | "request:\(.key) \(.value)"),
         (.responses | to_entries[] | "response:\(.key) \(.value)")' "$1" | sort
}

fail=0
compared=0
skipped=0
: >"$tmp/diffs"
printf '%-45s %8s %8s  %s\n' capture wireshark sipsleuth result >"$tmp/table"
while IFS=$'\t' read -r name file _ _ _ _ _ _ _ _ ws_msgs _ _ _ features _; do
  [ "$name" = name ] && continue
  scope=yes
  for f in $out_of_scope; do
    case " $features " in *" $f "*|*" $f("*) scope=no ;; esac
  done
  if [ $scope = no ]; then
    skipped=$((skipped + 1))
    printf '%-45s %8s %8s  %s\n' "$name" "$ws_msgs" - "out of scope ($features)" >>"$tmp/table"
    continue
  fi
  expected=$shared/expected/$name.sip_stat.txt
  [ -f "$expected" ] || continue
  compared=$((compared + 1))
  "$bin" --format json --allow-incomplete "$shared/files/$file" >"$tmp/$name.json" 2>"$tmp/$name.err"
  rc=$?
  if [ $rc -ne 0 ]; then
    echo "FAIL $name: sipsleuth exited $rc: $(cat "$tmp/$name.err")"
    fail=1
    continue
  fi
  wireshark_counts "$expected" >"$tmp/ws"
  sipsleuth_counts "$tmp/$name.json" >"$tmp/us"
  ours=$(jq '.capture.sip_messages' "$tmp/$name.json")
  # Join on key: key, wireshark count, our count (0 when absent).
  join -a1 -a2 -e 0 -o 0,1.2,2.2 "$tmp/ws" "$tmp/us" | while read -r key w u; do
    [ "$w" = "$u" ] || printf '%s\t%s\t%s\t%s\n' "$name" "$key" "$u" "$w"
  done >>"$tmp/diffs"
  # Where Wireshark has no dissector, another tool's reading is the oracle
  # (expected/NAME.hep_lua.sip_stat.txt: HOMER's HEP plugin): it must agree
  # exactly, which is the proof behind the allow-list lines.
  alt=$shared/expected/$name.hep_lua.sip_stat.txt
  if [ -f "$alt" ]; then
    wireshark_counts "$alt" >"$tmp/alt"
    if ! diff -u "$tmp/alt" "$tmp/us" >"$tmp/altdiff"; then
      echo "FAIL $name: differs from $(basename "$alt"):"
      cat "$tmp/altdiff"
      fail=1
    fi
  fi
  if grep -q "^$name	" "$tmp/diffs"; then result="differs (see allow-list)"; else result=agrees; fi
  printf '%-45s %8s %8s  %s\n' "$name" "$ws_msgs" "$ours" "$result" >>"$tmp/table"
done < <(awk -F'\t' -v OFS='\t' '{for (i = 1; i <= NF; i++) if ($i == "") $i = "-"; print}' "$shared/MANIFEST.tsv")

cat "$tmp/table"
echo

# Every difference must be allowed; every allowance must still be needed.
grep -v '^#' "$allow" 2>/dev/null | awk -F'\t' 'NF>=5 {print $1"\t"$2"\t"$3"\t"$4}' | sort >"$tmp/allowed"
sort "$tmp/diffs" >"$tmp/found"
unexpected=$(comm -23 "$tmp/found" "$tmp/allowed")
stale=$(comm -13 "$tmp/found" "$tmp/allowed" | while IFS=$'\t' read -r n rest; do
  # Entries for captures not compared in this run are not stale.
  grep -q "^$n " "$tmp/table" && ! grep -q "^$n .*out of scope" "$tmp/table" && printf '%s\t%s\n' "$n" "$rest"
done)
if [ -n "$unexpected" ]; then
  echo "Differences from Wireshark not in tests/conformance-allow.tsv (capture, key, sipsleuth, wireshark):"
  echo "$unexpected"
  fail=1
fi
if [ -n "$stale" ]; then
  echo "Allow-list entries that no longer match a difference (remove them):"
  echo "$stale"
  fail=1
fi
echo "compared $compared captures, $skipped out of scope, $(wc -l <"$tmp/found") allowed differences"
exit $fail
