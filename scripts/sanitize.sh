#!/usr/bin/env bash
# Builds sipsleuth with AddressSanitizer + UndefinedBehaviorSanitizer (gcc,
# -DSLS_SANITIZE=ON) in build-asan/ and runs the whole CTest suite in it:
# unit tests, end-to-end tests, and the fuzz corpora replayed (fuzz.*).
# Any sanitizer report aborts the test that made it, so the suite fails.
#
#   scripts/sanitize.sh [CTEST ARGS...]     e.g. scripts/sanitize.sh -R fuzz
#
# Environment: SLS_ASAN_BUILD (default build-asan), CC (default gcc).
# tests/mutate.sh uses the CLI built here (build-asan/sipsleuth) when present.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${SLS_ASAN_BUILD:-$ROOT/build-asan}

cmake -S "$ROOT" -B "$BUILD" -DCMAKE_C_COMPILER="${CC:-gcc}" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSLS_SANITIZE=ON >/dev/null
cmake --build "$BUILD" -j "$(nproc)"

# Leaks are errors; abort (not just exit) so the failure is unmistakable;
# UBSan stops at the first report, with a stack trace. Check forks each test
# by default: ASan and LSan work in the children as well.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
cd "$BUILD"
ctest --output-on-failure -j "$(nproc)" "$@"
