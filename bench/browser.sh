#!/usr/bin/env bash
# browser.sh — pages per minute of the browser scan on the demo site (loopback, contained, with
# interaction), --jobs 1 against --jobs 4 in the same run; prints the ratio and the command.
# "pages" are the report's; --max-pages counts the pages a visit's steps land on too (a form's
# answer), so a run of 50 reports at most about 50 (before, 67: docs/scan-browser.md).
# Usage: bench/browser.sh [BUILD_DIR] [MAX_PAGES]
set -eu
cd "$(dirname "$0")/.."
B=${1:-build}
N=${2:-30}
[ -x /usr/bin/chromium ] || { echo "chromium not installed"; exit 0; }
T=$(mktemp -d)
"$B/phiwall-demo-server" --port 0 --quiet >"$T/srv" 2>&1 </dev/null &
SRV=$!
trap 'kill $SRV 2>/dev/null; wait $SRV 2>/dev/null; rm -rf "$T"' EXIT
for _ in $(seq 50); do grep -q listening "$T/srv" && break; sleep 0.1; done
BASE=$(grep -o 'http://127.0.0.1:[0-9]*' "$T/srv" | head -1)
maps=()
for h in connect.facebook.net www.googletagmanager.com analytics.tiktok.com snap.licdn.com static.hotjar.com; do
    maps+=(--map-host "$h=$BASE/vendor/$h")
done
run() { # jobs → pages per minute
    local t0 t1 pages
    t0=$(date +%s.%N)
    "$B/phiwall" scan "$BASE/" "${maps[@]}" --max-pages "$N" --jobs "$1" --settle 500 \
        --format json -o "$T/r$1.json" 2>/dev/null || true
    t1=$(date +%s.%N)
    pages=$(grep -o '"pages": [0-9]*' "$T/r$1.json" | head -1 | grep -o '[0-9]*$')
    echo "$pages $(echo "$t1 - $t0" | bc)"
}
read p1 s1 < <(run 1)
read p4 s4 < <(run 4)
ppm1=$(echo "scale=1; $p1 * 60 / $s1" | bc)
ppm4=$(echo "scale=1; $p4 * 60 / $s4" | bc)
echo "browser scan, demo site, $N pages max, contained, with interaction, $(nproc) cores"
echo "  --jobs 1: $p1 pages in ${s1}s = $ppm1 pages/min (baseline)"
echo "  --jobs 4: $p4 pages in ${s4}s = $ppm4 pages/min = $(echo "scale=2; $ppm4 / $ppm1" | bc)x"
echo "reproduce: bench/browser.sh $B $N"
