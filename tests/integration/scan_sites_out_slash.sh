#!/usr/bin/env bash
# scan_sites_out_slash.sh — the README's `phiwall scan --sites sites.txt --out reports/` as
# written (a trailing slash): the files are named reports/<site>.html, not reports//<site>.html,
# in the progress line and in summary.html; a rerun skips the site; summary.html escapes a row as
# the HTML report does. Static triage of a loopback page, no browser; about 2 s.
set -u
. "$PW_SRC/tests/integration/lib.bash"
command -v python3 >/dev/null || skip "python3 not installed"
T=$(mktemp -d)
srv=
trap '[ -n "$srv" ] && kill $srv 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
mkdir -p "$T/www" && echo '<!doctype html><title>Home</title><p>Clinic</p>' >"$T/www/index.html"
python3 -m http.server 0 --bind 127.0.0.1 --directory "$T/www" >"$T/www.out" 2>&1 &
srv=$!
wait_until "$PW_WAIT_S" grep -q 'port [0-9]' "$T/www.out" || fail "http.server did not start"
port=$(sed -n 's/.* port \([0-9]*\).*/\1/p' "$T/www.out" | head -1)
cd "$T"
printf 'http://127.0.0.1:%s/\n' "$port" >sites.txt
e=$("$PHIWALL" scan --sites sites.txt --out reports/ --static --no-easyprivacy --no-easylist 2>&1)
expect_code 0 $? "scan --sites --out reports/"
expect_match "$e" "→ reports/127\\.0\\.0\\.1_$port\\.html$" "the report is named reports/<site>.html"
expect_nomatch "$e" "reports//" "no double slash on stderr"
[ -f "reports/127.0.0.1_$port.html" ] && pass || fail "the report file exists"
expect_nomatch "$(cat reports/summary.html reports/summary.csv)" "reports//" "no double slash in the summaries"
e=$("$PHIWALL" scan --sites sites.txt --out reports// --static --no-easyprivacy --no-easylist 2>&1)
expect_code 0 $? "rerun with --out reports//"
expect_match "$e" "report exists, skipped" "the rerun finds the report"

# summary.html escapes a site's row as the HTML report does: a bidi override in a site's URL (it
# makes the row read otherwise than it is) becomes U+FFFD (before: written raw)
printf 'http://127.0.0.1:1/\xe2\x80\xaeabc\n' >bidi.txt
"$PHIWALL" scan --sites bidi.txt --out bidi --static --no-easyprivacy --no-easylist >/dev/null 2>&1
[ -f bidi/summary.html ] && pass || fail "the summary of an unreachable site is written"
expect_code 0 "$(grep -c $'\xe2\x80\xae' bidi/summary.html)" "no bidi override in summary.html"
expect_match "$(cat bidi/summary.html)" $'127\.0\.0\.1:1/\xef\xbf\xbdabc' "it is shown as U+FFFD"
finish
