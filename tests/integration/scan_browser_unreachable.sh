#!/usr/bin/env bash
# scan_browser_unreachable.sh — a site whose start URL cannot be loaded is an error, never a clean
# scan: an unresolvable host, a refused connection and an HTTP error on the start document each
# exit 3 with one line naming the URL and the reason, and write no report; a start URL that fails
# while its links lead to scanned pages is not an error. With --sites, the failed site's error is
# in summary.csv and no report is announced or written for it.
set -u
. "$PW_SRC/tests/integration/lib.bash"
browser_test_setup phiwall-demo-server
command -v python3 >/dev/null || skip "python3 not present" # free_port

start_server() { # name: starts the demo server, prints its base URL
    "$SERVER" --port 0 --quiet >"$T/$1.out" 2>&1 </dev/null &
    echo $! >"$T/$1.pid"
    for ((end = SECONDS + PW_WAIT_S; SECONDS < end; )); do grep -q listening "$T/$1.out" && break; sleep 0.1; done
    grep -o 'http://127.0.0.1:[0-9]*' "$T/$1.out" | head -1
}
BASE=$(start_server demo)
trap 'kill $(cat "$T/demo.pid") 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
[ -n "$BASE" ] || { fail "demo server did not start"; finish; }
# a port nobody listens on: connections are refused. free_port's, below the ephemeral range: the
# port of a server started and stopped here was in it, where another test's server or connection
# could take it meanwhile
CLOSED=http://127.0.0.1:$(free_port)
NOHOST=(--browser-arg="--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1")

scan() { # name url, then options; report in $T/<name>.json, stderr in $T/<name>.err
    local name=$1 url=$2
    shift 2
    timeout 120 "$PHIWALL" scan "$url" "${NOHOST[@]}" --settle 300 --fail-on info --format json \
        -o "$T/$name.json" "$@" 2>"$T/$name.err"
}

scan dns https://nonexistent.invalid/ --max-pages 1
expect_code 3 $? "unresolvable host"
expect_match "$(cat "$T/dns.err")" '^phiwall: scan: .*https://nonexistent\.invalid/: net::ERR_NAME_NOT_RESOLVED' "DNS error named"
expect_code 1 "$(grep -vc '^phiwall: scan: hint: ' "$T/dns.err")" "one line of error (and a hint)"
expect_match "$(cat "$T/dns.err")" '^phiwall: scan: hint: the host name in nonexistent\.invalid does not resolve' "DNS error: the hint"
expect_code 0 "$(cat "$T/dns.json" 2>/dev/null | wc -c)" "no report for an unresolvable host"

scan refused "$CLOSED/" --max-pages 3
expect_code 3 $? "refused connection"
expect_match "$(cat "$T/refused.err")" "$CLOSED/: net::ERR_CONNECTION_REFUSED" "refusal named"
# … named without the credentials a start URL carries (before: the error printed them)
scan refusedcreds "http://auditor:s3cret@${CLOSED#http://}/" --max-pages 1
expect_code 3 $? "refused connection, credentials in the URL"
expect_match "$(cat "$T/refusedcreds.err")" "^phiwall: scan: .*$CLOSED/: net::ERR_CONNECTION_REFUSED" "the error names the URL without them"
expect_code 0 "$(grep -c 's3cret' "$T/refusedcreds.err")" "no password on stderr"

scan notfound "$BASE/no-such-page" --max-pages 1 --no-interact
expect_code 3 $? "HTTP 404 on the start document"
expect_match "$(cat "$T/notfound.err")" "$BASE/no-such-page: HTTP 404" "HTTP status named"

# the start document is an error page, but its links lead to pages that are scanned
scan links "$BASE/no-such-page" --max-pages 2 --no-interact --no-sitemap
rc=$?
[ "$rc" -le 1 ] && pass || fail "HTTP 404 start page with scanned links: exit $rc"
expect_match "$(jq -r '.pages[].url' "$T/links.json")" "^$BASE/[a-z]" "a linked page scanned"

# many sites: the failed one has its error in summary.csv and no report
# (the vendors' scripts served from the demo's copies: a site whose tracker scripts fail to load
# would be "incomplete", scan_browser_incomplete.sh)
maps=()
for h in $(jq -r '.vendor_script_hosts[]' "$PW_SRC/demo/expected.json"); do
    maps+=(--map-host "$h=$BASE/vendor/$h")
done
printf '%s/\n%s/\n' "$BASE" "$CLOSED" >"$T/sites.txt"
"$PHIWALL" scan --sites "$T/sites.txt" --out "$T/out" "${NOHOST[@]}" "${maps[@]}" --settle 300 \
    --max-pages 1 --no-interact --format json 2>"$T/sites.err"
expect_code 3 $? "--sites with a failed site"
ok_slug=${BASE#http://}
bad_slug=${CLOSED#http://}
ok_slug=${ok_slug//:/_}
bad_slug=${bad_slug//:/_}
[ -s "$T/out/$ok_slug.json" ] && pass || fail "report of the reachable site"
[ -e "$T/out/$bad_slug.json" ] && fail "a report for the failed site" || pass
expect_match "$(cat "$T/sites.err")" "$BASE/ → " "report of the reachable site announced"
expect_nomatch "$(cat "$T/sites.err")" "$CLOSED/ → " "no report announced for the failed site"
csv=$(cat "$T/out/summary.csv")
expect_match "$csv" "^$BASE/,browser,1,.*,ok,-,-,-$" "reachable site ok in summary.csv (no baseline: new, gone, not rechecked -)"
expect_match "$csv" "^$CLOSED/,.*,\"?error: .*ERR_CONNECTION_REFUSED" "error in summary.csv"
finish
