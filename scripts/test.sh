#!/usr/bin/env bash
# The whole test suite, as CI runs it (.ci/run):
#   1. install what is missing (scripts/deps.sh) and build;
#   2. the suite again in an AddressSanitizer + UBSan build (scripts/sanitize.sh),
#      without the tests that run valgrind or are sanitizer runs themselves;
#   3. a short libFuzzer run of every fuzz target (scripts/fuzz-ci.sh,
#      SLS_FUZZ_TIME seconds each, 60 by default);
#   4. every test in the normal build: unit tests per module, end-to-end tests
#      on the samples, agreement with Wireshark on ../shared/captures,
#      the CI gate, valgrind on every capture, editcap mutations under ASan,
#      memory floods.
# SLS_QUICK=1 skips 2 and 3.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc)"
if [ "${SLS_QUICK:-0}" != 1 ]; then
  echo "== sanitizers (ASan + UBSan)"
  scripts/sanitize.sh -E 'e2e\.(valgrind|mutate|floods)'
  echo "== fuzzing"
  scripts/fuzz-ci.sh
fi
echo "== test suite"
cd build
ctest --output-on-failure -j "$(nproc)"
