#!/usr/bin/env bash
# Mutated captures through the ASan + UBSan build: every sample capture and
# every capture in ../shared/captures/files is damaged with
# `editcap -E 0.02 --seed N` (Wireshark's own fuzzing method: each packet
# byte changed with probability 2 %), SEEDS times with fixed seeds, and each
# mutant is read by the sanitized CLI (summary as JSON, and the call list).
# No crash, no sanitizer report, and an exit status of 0, 3 or 4 only.
#
# Usage: mutate.sh SIPSLEUTH SOURCE_DIR
# The sanitized CLI is SIPSLEUTH itself when it is an ASan build (the test
# runs in build-asan/), else SOURCE_DIR/build-asan/sipsleuth (made by
# scripts/sanitize.sh), else a copy built here in a temporary directory.
# Exit 77 (skipped): editcap missing, or no ASan build could be had.
# Environment: SLS_MUTATE_SEEDS (default 3), SLS_TEST_JOBS (default nproc),
# SLS_MUTATE_KEEP (where failing mutants are kept, default /tmp/sipsleuth-mutants).
set -uo pipefail
bin=$1
src=$2
shared=${SLS_SHARED_CAPTURES:-$src/../shared/captures}
seeds=${SLS_MUTATE_SEEDS:-3}
jobs=${SLS_TEST_JOBS:-$(nproc)}

if ! command -v editcap >/dev/null; then
  echo "editcap (wireshark-common) not installed: skipped"
  exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

is_asan() {
  [ -x "$1" ] && { ldd "$1" 2>/dev/null | grep -q libasan || grep -aq __asan_init "$1"; }
}
asan=
if is_asan "$bin"; then
  asan=$bin
elif is_asan "$src/build-asan/sipsleuth"; then
  asan=$src/build-asan/sipsleuth
else
  echo "no ASan build: building one in $tmp/build (about a minute)"
  if timeout 300 cmake -S "$src" -B "$tmp/build" -DSLS_SANITIZE=ON \
       -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$tmp/build.log" 2>&1 &&
     timeout 300 cmake --build "$tmp/build" -j "$(nproc)" --target sipsleuth \
       >>"$tmp/build.log" 2>&1; then
    asan=$tmp/build/sipsleuth
  else
    tail -20 "$tmp/build.log"
    echo "could not build the ASan CLI: skipped"
    exit 77
  fi
fi
echo "sanitized CLI: $asan"

shopt -s nullglob
captures=("$src"/samples/*.pcap "$src"/samples/*.pcapng)
[ -d "$shared/files" ] && captures+=("$shared"/files/*)
shopt -u nullglob
if [ ${#captures[@]} -eq 0 ]; then
  echo "no captures: skipped"
  exit 77
fi

mkdir -p "$tmp/mut"
: >"$tmp/jobs"
for f in "${captures[@]}"; do
  [ -f "$f" ] || continue
  for s in $(seq 1 "$seeds"); do
    printf '%s\t%s\n' "$f" "$s" >>"$tmp/jobs"
  done
done

# Failing mutants are kept here (the temporary directory goes away).
export SLS_MUTATE_KEEP=${SLS_MUTATE_KEEP:-${TMPDIR:-/tmp}/sipsleuth-mutants}
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

# One mutant: make it, run it. Prints "ok ..." or "FAIL ..." with details.
run_job() {
  local f=$1 seed=$2 tmp=$3 asan=$4
  local base ext m
  base=$(basename "$f")
  ext=${base##*.}
  m=$tmp/mut/${base%.*}.seed$seed.$ext
  if ! editcap -E 0.02 --seed "$seed" "$f" "$m" >/dev/null 2>&1; then
    # editcap stops at a damaged record; the packets before it are kept.
    [ -s "$m" ] || { echo "skip $base seed $seed: editcap could not read it"; return; }
  fi
  local cmd rc
  for cmd in "summary --format json" "calls --format csv"; do
    # shellcheck disable=SC2086
    "$asan" $cmd "$m" >/dev/null 2>"$m.err"
    rc=$?
    if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:|UndefinedBehaviorSanitizer' "$m.err" ||
       { [ "$rc" -ne 0 ] && [ "$rc" -ne 3 ] && [ "$rc" -ne 4 ]; }; then
      mkdir -p "$SLS_MUTATE_KEEP" && cp "$m" "$SLS_MUTATE_KEEP/" 2>/dev/null
      echo "FAIL $base seed $seed ($cmd): exit $rc; mutant kept as $SLS_MUTATE_KEEP/$(basename "$m")"
      echo "     regenerate: editcap -E 0.02 --seed $seed $f mutant.${ext}"
      sed 's/^/     /' "$m.err" | head -30
      return
    fi
  done
  echo "ok   $base seed $seed (exit $rc)"
  rm -f "$m" "$m.err"
}
export -f run_job

start=$SECONDS
tr '\n' '\0' <"$tmp/jobs" |
  xargs -0 -P "$jobs" -I{} bash -c 'IFS=$'"'"'\t'"'"' read -r f s <<<"$1"; run_job "$f" "$s" "$2" "$3"' _ {} "$tmp" "$asan" \
  >"$tmp/results"
grep -v '^ok' "$tmp/results" || true
runs=$(grep -c '^ok\|^FAIL' "$tmp/results")
fails=$(grep -c '^FAIL' "$tmp/results")
echo "mutate: $runs mutants of ${#captures[@]} captures (seeds 1..$seeds), $fails failed, $((SECONDS - start)) s"
[ "$runs" -gt 0 ] && [ "$fails" -eq 0 ]
