#!/usr/bin/env bash
# scan_browser_crawl.sh — what the browser scan visits, on the demo hospital site: the
# start URL is visited first, and query variants of one path (/appointments/request?doctor=…)
# do not eat a small page budget.
set -u
. "$PW_SRC/tests/integration/lib.bash"
[ -x /usr/bin/chromium ] || skip "chromium not installed"
command -v jq >/dev/null || skip "jq not installed (scripts/install-deps.sh)"
SERVER="$PW_BUILD/phiwall-demo-server"
[ -x "$SERVER" ] || skip "phiwall-demo-server not built"
KEY="$PW_SRC/demo/expected.json"
T=$(mktemp -d)
export TMPDIR=$T

"$SERVER" --port 0 --quiet >"$T/server.out" 2>&1 </dev/null &
SRV=$!
trap 'kill $SRV 2>/dev/null; wait $SRV 2>/dev/null; rm -rf "$T"' EXIT
for _ in $(seq 50); do grep -q listening "$T/server.out" && break; sleep 0.1; done
BASE=$(grep -o 'http://127.0.0.1:[0-9]*' "$T/server.out" | head -1)
[ -n "$BASE" ] || { fail "demo server did not start"; finish; }
maps=(--browser-arg="--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1")
for h in $(jq -r '.vendor_script_hosts[]' "$KEY"); do maps+=(--map-host "$h=$BASE/vendor/$h"); done

# six pages: the start page first, at most two variants of a path
timeout 180 "$PHIWALL" scan "$BASE/" "${maps[@]}" --max-pages 6 --consent reject --no-interact \
    --settle 300 --verbose --format json -o "$T/crawl.json" --har-out "$T/crawl.har" 2>"$T/crawl.err"
expect_code 0 $? "six-page scan"
grep -o '^phiwall: scan: visit [^ ]*' "$T/crawl.err" | sed "s|^phiwall: scan: visit $BASE||" >"$T/visits"
echo "visited: $(tr '\n' ' ' <"$T/visits")"
expect_code 6 "$(wc -l <"$T/visits")" "six visits"
expect_match "$(head -1 "$T/visits")" '^/$' "the start URL is visited first"
expect_match "$(jq -r '.log.entries[] | select(._resourceType == "document") | .request.url' "$T/crawl.har")" "^$BASE/\$" "the HAR has the start document"
most=$(sed 's/?.*//' "$T/visits" | sort | uniq -c | sort -rn | awk 'NR==1{print $1}')
[ "${most:-9}" -le 2 ] && pass || fail "a path visited $most times in six pages: $(tr '\n' ' ' <"$T/visits")"
expect_match "$(cat "$T/visits")" '^/find-a-doctor$' "care page visited"

finish
