#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan, the whole library
# instrumented for coverage) in build-fuzz/ and runs each one for a while on a
# copy of its corpus. Prints executions and coverage per target; fails when a
# crash, leak or timeout is found, leaving the input that caused it in
# build-fuzz/fuzz-artifacts/<target>/ and printing how to reproduce it.
#
#   scripts/fuzz-ci.sh [TARGET...]        (default: every target built)
#
# Environment:
#   SLS_FUZZ_TIME=60        seconds per target (-max_total_time)
#   SLS_FUZZ_JOBS=<nproc>   targets fuzzed at the same time
#   SLS_FUZZ_BUILD=build-fuzz
#
# Anything found becomes a regression test: minimise it
#   build-fuzz/fuzz/fuzz_<t> -minimize_crash=1 -runs=20000 -exact_artifact_path=min ARTEFACT
# and add it as fuzz/corpus/<t>/regress-<what-it-was> (see fuzz/README.md).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${SLS_FUZZ_BUILD:-$ROOT/build-fuzz}
TIME=${SLS_FUZZ_TIME:-60}
JOBS=${SLS_FUZZ_JOBS:-$(nproc)}
SHARED=${SLS_SHARED_DIR:-$ROOT/../shared}

if ! command -v clang >/dev/null; then
  echo "fuzz-ci: clang is needed (scripts/deps.sh installs it)" >&2
  exit 1
fi

echo "== configure and build ($BUILD)"
mkdir -p "$BUILD"
# Warnings are errors in the gcc builds; clang warns about other things
# (-Wstring-concatenation on split literals), which must not stop fuzzing:
# they are left in fuzz-build.log.
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DSLS_FUZZ=ON -DSLS_SANITIZE=ON -DSLS_WERROR=OFF >"$BUILD/fuzz-configure.log" 2>&1 ||
  { cat "$BUILD/fuzz-configure.log"; exit 1; }

available=()
help=$(cmake --build "$BUILD" --target help)
for src in "$ROOT"/fuzz/fuzz_*.c; do
  t=$(basename "$src" .c)
  t=${t#fuzz_}
  if grep -qE "(^|\.\.\. )fuzz_$t(:|\$)" <<<"$help"; then
    available+=("$t")
  fi
done
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${available[@]}")
if [ ${#targets[@]} -eq 0 ]; then
  echo "fuzz-ci: no fuzz target was configured" >&2
  exit 1
fi
build_targets=()
for t in "${targets[@]}"; do build_targets+=("fuzz_$t"); done
cmake --build "$BUILD" -j "$(nproc)" --target "${build_targets[@]}" >"$BUILD/fuzz-build.log" 2>&1 ||
  { tail -50 "$BUILD/fuzz-build.log"; exit 1; }

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# One target: fresh working corpus (the committed seeds, plus the small
# shared captures for the capture target), artefacts kept apart.
run_one() {
  local t=$1
  local work=$BUILD/fuzz-work/$t art=$BUILD/fuzz-artifacts/$t
  rm -rf "$work" "$art"
  mkdir -p "$work/corpus" "$art"
  cp "$ROOT/fuzz/corpus/$t/"* "$work/corpus/" 2>/dev/null || true
  if [ "$t" = capture ] && [ -d "$SHARED/captures/files" ]; then
    find "$SHARED/captures/files" -maxdepth 1 -type f -size -65k \
      -exec cp {} "$work/corpus/" \;
  fi
  local rc=0
  "$BUILD/fuzz/fuzz_$t" -max_total_time="$TIME" -dict="$ROOT/fuzz/sip.dict" \
    -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
    -artifact_prefix="$art/" "$work/corpus" >"$work/log" 2>&1 || rc=$?
  echo "$rc" >"$work/rc"
}

pids=()
for t in "${targets[@]}"; do
  echo "== fuzz_$t: ${TIME}s"
  run_one "$t" &
  pids+=($!)
  if [ ${#pids[@]} -ge "$JOBS" ]; then
    wait "${pids[0]}"
    pids=("${pids[@]:1}")
  fi
done
wait

status=0
printf '\n%-10s %12s %8s %8s %8s %8s  %s\n' target execs exec/s cov ft corpus result
for t in "${targets[@]}"; do
  work=$BUILD/fuzz-work/$t
  art=$BUILD/fuzz-artifacts/$t
  rc=$(cat "$work/rc")
  # The final "#N DONE cov: X ft: Y" line; after a crash, the last status line.
  done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$work/log" | tail -1 || true)
  [ -n "$done_line" ] || done_line=$(grep -E '^#[0-9]+[[:space:]].*cov: ' "$work/log" | tail -1 || true)
  execs=$(grep -oE 'stat::number_of_executed_units:[[:space:]]+[0-9]+' "$work/log" | grep -oE '[0-9]+$' | tail -1 || echo '?')
  eps=$(grep -oE 'stat::average_exec_per_sec:[[:space:]]+[0-9]+' "$work/log" | grep -oE '[0-9]+$' | tail -1 || echo '?')
  cov=$(echo "$done_line" | grep -oE 'cov: [0-9]+' | grep -oE '[0-9]+' || echo '?')
  ft=$(echo "$done_line" | grep -oE 'ft: [0-9]+' | grep -oE '[0-9]+' || echo '?')
  corp=$(echo "$done_line" | grep -oE 'corp: [0-9]+/[0-9]+[a-zA-Z]*' | sed 's/corp: //' || echo '?')
  # slow-unit-* files are notes, not failures; crash-, leak-, timeout-,
  # oom- files are.
  found=$(find "$art" -type f ! -name 'slow-unit-*' | head -1)
  result=ok
  if [ "$rc" -ne 0 ] || [ -n "$found" ]; then
    result="FAILED (exit $rc)"
    status=1
  fi
  printf '%-10s %12s %8s %8s %8s %8s  %s\n' "$t" "$execs" "$eps" "$cov" "$ft" "$corp" "$result"
  [ -n "$done_line" ] && echo "           $done_line"
  if [ "$result" != ok ]; then
    echo "---- fuzz_$t log (last 60 lines): $work/log"
    tail -60 "$work/log"
    for a in "$art"/*; do
      [ -f "$a" ] || continue
      case $(basename "$a") in slow-unit-*) continue ;; esac
      echo "---- artefact: $a"
      echo "     reproduce: $BUILD/fuzz/fuzz_$t $a"
      echo "     or (gcc):  build/fuzz/fuzz_${t}_replay $a"
    done
  fi
done
exit $status
