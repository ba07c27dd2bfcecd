#!/usr/bin/env bash
# scan_static_errors.sh — `phiwall scan --static` never reports a page that did not load as clean,
# as the browser scan does: a start page answering an HTTP error is exit 3 ("no page of the site
# could be scanned"), a linked page answering one is an error-page gap "page answered HTTP 404"
# (listed apart, not incomplete; its error page's tags still read), --sites says so in summary.csv; URLs taken from HTML are
# cleaned the WHATWG way (a newline inside a noscript pixel URL is not sent by a browser); a bad
# -o path fails before the crawl.
set -u
. "$PW_SRC/tests/integration/lib.bash"
command -v jq >/dev/null || skip "jq not installed (scripts/install-deps.sh)"
command -v python3 >/dev/null || skip "python3 not present"
SERVER="$PW_BUILD/pw_browser_test_server"
[ -x "$SERVER" ] || skip "pw_browser_test_server not built (libmicrohttpd missing)"
T=$(mktemp -d)
browser_test_server

# the start page answers 404: an error, not "No tracker findings." with exit 0
"$PHIWALL" scan "$BASE/gone" --static --format json -o "$T/g.json" 2>"$T/g.err"
expect_code 3 $? "static: start page 404: exit 3"
expect_match "$(cat "$T/g.err")" "$BASE/gone: page answered HTTP 404 \(no page of the site could be scanned\)" "static: start page 404: says so"
[ -e "$T/g.json" ] && fail "static: start page 404: a report was written" || pass
"$PHIWALL" scan "$BASE/no-such-page" --static 2>/dev/null >/dev/null
expect_code 3 $? "static: start page 404 (plain): exit 3"

# a linked page answers 404 (with the pixel on its error page): an error-page gap, as in the
# browser scan — listed apart, a baseline's findings there not called fixed, but a broken link does
# not make the scan incomplete (exit 0)
"$PHIWALL" scan "$BASE/broken" --static --format json -o "$T/b.json" 2>"$T/b.err"
expect_code 0 $? "static: linked page 404: exit 0 (an error page is not incomplete)"
expect_match "$(jq -c '[.complete, (.error_pages[] | "\(.kind) \(.url) \(.error)")]' "$T/b.json")" \
    "^\[true,\"error-page $BASE/gone page answered HTTP 404\"\]$" "static: linked page 404: the error-page gap names the page and status"
expect_match "$(jq -r '.findings[].vendor.id' "$T/b.json" | sort -u)" '^meta-pixel$' "static: the error page's pixel is still read"
"$PHIWALL" scan "$BASE/broken" --static --format text >"$T/b.txt" 2>/dev/null
expect_match "$(cat "$T/b.txt")" 'ERROR PAGES: 1 page answered an HTTP error' "static: the text report lists the error page apart"

# --sites: the row of a site whose start page failed is an error, not "…,none,ok"
printf '%s\n' "$BASE/gone" "$BASE/broken" >"$T/sites.txt"
"$PHIWALL" scan --sites "$T/sites.txt" --out "$T/out" --static 2>/dev/null
expect_code 3 $? "static --sites: a failed start page: exit 3"
expect_match "$(grep '/gone,' "$T/out/summary.csv")" 'error: .*page answered HTTP 404' "static --sites: the failed site's row is an error"
expect_nomatch "$(grep '/gone,' "$T/out/summary.csv")" ',ok$' "static --sites: the failed site's row does not say ok"

# March of Dimes' noscript pixel: a newline inside the URL; a browser sends ev=PageView
mkdir -p "$T/www"
printf '<html><head><title>t</title></head><body><noscript><img height="1" width="1" src="https://www.facebook.com/tr?id=1621384747882069&amp;ev=PageView\n&amp;noscript=1"/></noscript></body></html>\n' >"$T/www/index.html"
(cd "$T/www" && exec python3 -m http.server 0 --bind 127.0.0.1) >"$T/py.out" 2>&1 </dev/null &
PY=$!
trap 'kill $SRV $PY 2>/dev/null; wait $SRV $PY 2>/dev/null; rm -rf "$T"' EXIT
wait_until "$PW_WAIT_S" grep -q 'port' "$T/py.out"
PYBASE="http://127.0.0.1:$(sed -n 's/.* port \([0-9]*\) .*/\1/p' "$T/py.out" | head -1)"
"$PHIWALL" scan "$PYBASE/" --static --max-pages 1 --format json -o "$T/nl.json" 2>/dev/null
expect_code 0 $? "static: newline in a pixel URL"
ev=$(jq -r '[.. | strings | select(test("ev=PageView"))] | .[]' "$T/nl.json")
expect_match "$ev" 'ev=PageView&noscript=1' "newline removed from the pixel URL"
expect_nomatch "$(jq -c '.' "$T/nl.json")" 'PageView\\n' "no event named PageView\\n"

# a report path that cannot be written fails before the crawl: the error names -o, not the
# site (nothing listens on port 9 of loopback: a crawl would fail on the connection instead)
err=$("$PHIWALL" scan "http://127.0.0.1:9/" --static -o "$T/no/such/dir/r.txt" 2>&1 >/dev/null)
expect_code 3 $? "bad -o: exit 3"
expect_match "$err" "$T/no/such/dir/r.txt: its directory $T/no/such/dir: No such file or directory" "bad -o: the error names the path"
expect_nomatch "$err" 'onnect' "bad -o: found before any fetch"
finish
