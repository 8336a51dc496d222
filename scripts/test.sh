#!/usr/bin/env bash
# The whole test suite: install what is missing, build, run every test
# (unit tests per module, end-to-end tests on the samples, conformance with
# Wireshark on ../shared/captures when present, valgrind on the samples).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc)"
cd build
ctest --output-on-failure -j "$(nproc)"
