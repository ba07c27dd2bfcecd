#!/usr/bin/env bash
# build.sh [BUILD_DIR] [extra cmake args…] — configure and build phiwall (warnings are errors).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build}
shift || true
cmake -S . -B "$dir" -DPW_WERROR=ON "$@" >/dev/null
cmake --build "$dir" -j "$(nproc)"
