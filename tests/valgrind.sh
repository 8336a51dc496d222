#!/usr/bin/env bash
# Memcheck on every capture: the CLI runs under valgrind on each sample
# capture and each capture in ../shared/captures/files (when present), for
# the summary, calls and transactions commands (summary only for captures
# over 256 KiB, to keep the test within about 3 minutes on 2 cores). Every
# run must be free of memory errors and of definite or indirect leaks, and
# exit 0, 3 or 4 (the capture itself may be damaged).
#
# Usage: valgrind.sh SIPSLEUTH SOURCE_DIR
# Exit 77 (skipped): valgrind missing, or SIPSLEUTH built with ASan (the two
# cannot run together; scripts/sanitize.sh covers that build).
set -uo pipefail
bin=$1
src=$2
shared=${SLS_SHARED_CAPTURES:-$src/../shared/captures}
jobs=${SLS_TEST_JOBS:-$(nproc)}

if ! command -v valgrind >/dev/null; then
  echo "valgrind not installed: skipped"
  exit 77
fi
if ldd "$bin" 2>/dev/null | grep -q libasan || grep -aq __asan_init "$bin"; then
  echo "$bin is an ASan build: valgrind skipped"
  exit 77
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

shopt -s nullglob
captures=("$src"/samples/*.pcap "$src"/samples/*.pcapng)
[ -d "$shared/files" ] && captures+=("$shared"/files/*)
shopt -u nullglob
if [ ${#captures[@]} -eq 0 ]; then
  echo "no captures: skipped"
  exit 77
fi

# One job per line: COMMAND<TAB>CAPTURE
: >"$tmp/jobs"
for f in "${captures[@]}"; do
  [ -f "$f" ] || continue
  cmds="summary calls transactions"
  [ "$(stat -c %s "$f")" -gt 262144 ] && cmds=summary
  for c in $cmds; do printf '%s\t%s\n' "$c" "$f" >>"$tmp/jobs"; done
done

# Runs one job; prints one line "ok|FAIL command capture detail".
run_job() {
  local cmd=$1 f=$2 tmp=$3 bin=$4
  local log
  log=$tmp/$(basename "$f").$cmd.vg
  valgrind -q --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,indirect \
    --show-leak-kinds=definite,indirect --log-file="$log" \
    "$bin" "$cmd" "$f" >/dev/null 2>"$log.stderr"
  local rc=$?
  local errors
  errors=$(grep -c '^==[0-9]*==' "$log" 2>/dev/null)
  if [ "$rc" -eq 1 ] || [ "${errors:-0}" -ne 0 ]; then
    echo "FAIL $cmd $(basename "$f"): valgrind reported errors (exit $rc):"
    sed 's/^/    /' "$log" | head -40
  elif [ "$rc" -ne 0 ] && [ "$rc" -ne 3 ] && [ "$rc" -ne 4 ]; then
    echo "FAIL $cmd $(basename "$f"): exit status $rc: $(head -3 "$log.stderr")"
  else
    echo "ok   $cmd $(basename "$f") (exit $rc)"
  fi
}
export -f run_job

start=$SECONDS
tr '\n' '\0' <"$tmp/jobs" |
  xargs -0 -P "$jobs" -I{} bash -c 'IFS=$'"'"'\t'"'"' read -r c f <<<"$1"; run_job "$c" "$f" "$2" "$3"' _ {} "$tmp" "$bin" \
  >"$tmp/results"
sort -k3 "$tmp/results" | grep -v '^ok' || true
runs=$(grep -c '^ok\|^FAIL' "$tmp/results")
fails=$(grep -c '^FAIL' "$tmp/results")
echo "valgrind: $runs runs on ${#captures[@]} captures, $fails failed, $((SECONDS - start)) s"
[ "$fails" -eq 0 ]
