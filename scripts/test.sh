#!/usr/bin/env bash
# test.sh — quick start command 2: install dependencies, build, run the whole test suite (unit
# and integration). Ends with CTest's summary; exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh build
cd build
ctest --output-on-failure -j "$(nproc)" -LE fuzz
