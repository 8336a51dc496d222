#!/usr/bin/env bash
# Quick start: install what is missing, build, analyze a bundled sample.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "$(nproc)" >/dev/null
echo "Built build/sipsleuth. Analyzing samples/mixed.pcap:"
echo
build/sipsleuth samples/mixed.pcap
