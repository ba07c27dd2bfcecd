#!/usr/bin/env bash
# demo.sh — quick start command 1: install dependencies, build, and run phiwall's main job on the
# bundled demo: scan the recorded HAR of the demo hospital site (demo/demo.har) and write the
# HTML report to out/demo-report.html (plus the terminal summary).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh build
mkdir -p out
./build/phiwall scan --har demo/demo.har --format html -o out/demo-report.html
./build/phiwall scan --har demo/demo.har --format text
echo
echo "HTML report: $(pwd)/out/demo-report.html"
