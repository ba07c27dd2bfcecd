#!/usr/bin/env bash
# demo.sh — quick start command 1: install dependencies, build, and run phiwall's main job on the
# bundled demo: start the demo hospital site on loopback, scan it in headless Chromium (contained:
# tracker endpoints are answered locally; canaries typed into its forms; consent accepted; the
# patient portal scanned after a form login), and write the HTML report to out/demo-report.html,
# the session as out/demo-session.har, and the terminal summary.
#
# The site's pages load the real vendor script URLs (https://connect.facebook.net/…); --map-host
# serves those scripts from the demo server's /vendor/<host>/ copies (demo/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh build
mkdir -p out
work=$(mktemp -d)
exec 3< <(sleep 3600) # the demo server stops when this pipe closes
keeper=$!            # ... and the pipe's writer goes with the script, not an hour later
./build/phiwall-demo-server --port 0 --quiet >"$work/server.out" 2>&1 <&3 &
server=$!
trap 'kill $server $keeper 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do grep -q listening "$work/server.out" && break; sleep 0.1; done
base=$(grep -o 'http://127.0.0.1:[0-9]*' "$work/server.out" | head -1)
[ -n "$base" ] || { echo "demo.sh: the demo server did not start" >&2; exit 3; }
echo "demo site: $base/"

maps=()
for h in $(jq -r '.vendor_script_hosts[]' demo/expected.json); do
    maps+=(--map-host "$h=$base/vendor/$h")
done
jq -r .portal.password demo/expected.json >"$work/password"
status=0
./build/phiwall scan "$base/" "${maps[@]}" --consent accept \
    --login "$base$(jq -r .portal.login demo/expected.json)" \
    --username "$(jq -r .portal.username demo/expected.json)" --password-file "$work/password" \
    --max-pages 40 --jobs 2 --settle 400 --screenshots out/screenshots \
    --har-out out/demo-session.har --canary-out out/demo-canaries.tsv \
    --format html -o out/demo-report.html || status=$?
[ "$status" -le 1 ] || exit "$status"
# the same session, summarised in the terminal from the HAR it wrote (with the values it typed)
./build/phiwall scan --har out/demo-session.har --canary out/demo-canaries.tsv --format text
echo
echo "HTML report: $(pwd)/out/demo-report.html"
