#!/usr/bin/env bash
# demo.sh — quick start command 1: install dependencies, build, and run phiwall's main job on the
# bundled demo. Until a scanner lands this stops at building and showing `phiwall help`.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh build
./build/phiwall help
