#!/usr/bin/env bash
# Installs the system libraries and tools the package needs (Debian/Ubuntu).
# Idempotent: does nothing when everything is present.
set -euo pipefail
PKGS=(libhiredis-dev libsecp256k1-dev libssl-dev libcmocka-dev redis-server protobuf-compiler)
missing=()
for p in "${PKGS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
    echo "setup: missing packages: ${missing[*]}" >&2
    echo "setup: run as root, or: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}"
