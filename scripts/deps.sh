#!/usr/bin/env bash
# Installs the Debian packages sipsleuth needs to build and test (bookworm).
# Idempotent: asks apt only for what is missing. Run as root (or with sudo).
set -euo pipefail

packages=(
  build-essential cmake pkg-config   # toolchain
  libpcap-dev libosip2-dev           # capture reading, SIP parsing
  zlib1g-dev                         # compressed HEP payloads
  libjansson-dev libinih-dev         # JSON summaries, policy files
  check                              # unit tests
  jq valgrind                        # end-to-end and memory tests
  libxml2-utils python3 python3-jsonschema  # JUnit and JSON Schema checks
  clang libclang-rt-14-dev           # libFuzzer targets (scripts/fuzz-ci.sh)
  wireshark-common tshark time       # editcap mutations, timing oracle, peak RSS (tests/)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "Installing: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
