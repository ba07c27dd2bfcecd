#!/usr/bin/env bash
# demo_record.sh — re-records the demo walk in headless Chromium with demo/record-har.mjs (the
# tracker scripts, the server and the recorder working together today, not only when demo.har
# was committed), then holds the fresh HAR to the same checks as demo_har.sh. Contained: every
# third-party request is answered by the recorder, nothing leaves 127.0.0.1.
set -u
. "$PW_SRC/tests/integration/lib.bash"

command -v node >/dev/null || skip "node not installed"
[ -x /usr/bin/chromium ] || skip "chromium not installed"
command -v jq >/dev/null || skip "jq not installed (scripts/install-deps.sh)"
[ -x "$PW_BUILD/phiwall-demo-server" ] || skip "phiwall-demo-server not built"

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
out=$(timeout 240 node "$PW_SRC/demo/record-har.mjs" --server "$PW_BUILD/phiwall-demo-server" \
    --out "$TMP/walk.har" 2>&1)
expect_code 0 $? "record-har.mjs runs: $out"
expect_match "$out" 'record-har: wrote .*: 1[0-9] pages, [0-9]+ entries' "recorder reports pages and entries"
DEMO_HAR="$TMP/walk.har" bash "$PW_SRC/tests/integration/demo_har.sh"
expect_code 0 $? "fresh recording passes the demo.har checks"
finish
