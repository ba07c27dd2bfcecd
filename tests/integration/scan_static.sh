#!/usr/bin/env bash
# scan_static.sh — `phiwall scan --static` (HTML only, no browser) finds the tracker tag and
# marks the report as static; a missing browser falls back to it with a warning and an incomplete
# result (exit 4: tags read from HTML are no observed traffic); a page it could not fetch is a
# gap too (exit 4); --sites writes
# one report per site plus summary.csv/html and skips finished sites when run again.
set -u
. "$PW_SRC/tests/integration/lib.bash"
command -v jq >/dev/null || skip "jq not installed (scripts/install-deps.sh)"
SERVER="$PW_BUILD/pw_browser_test_server"
[ -x "$SERVER" ] || skip "pw_browser_test_server not built (libmicrohttpd missing)"
T=$(mktemp -d)
browser_test_server

"$PHIWALL" scan "$BASE/appointments" --static --max-pages 3 --format json -o "$T/s.json" 2>"$T/s.err"
expect_code 0 $? "static scan"
expect_match "$(jq -r .source "$T/s.json")" '^static$' "report says static"
expect_match "$(jq -r '.findings[].vendor.id' "$T/s.json" | sort -u | tr '\n' ' ')" 'meta-pixel' "Meta Pixel tag found"
expect_nomatch "$(jq -r '.pages[].url' "$T/s.json")" '/private' "robots.txt respected"
# the text and HTML reports say the requests were inferred, not observed
"$PHIWALL" scan "$BASE/appointments" --static --max-pages 3 -o "$T/s.txt" 2>/dev/null
expect_match "$(cat "$T/s.txt")" '^Static triage: inferred from the tags' "text report: static banner"
expect_match "$(cat "$T/s.txt")" 'requests? inferred .* tracker beacons? inferred' "text report: counts say inferred"
"$PHIWALL" scan "$BASE/appointments" --static --max-pages 3 --format html -o "$T/s.html" 2>/dev/null
expect_match "$(cat "$T/s.html")" 'Static triage: inferred, not observed' "HTML report: static banner"
expect_match "$(cat "$T/s.html")" '<summary>Inferred request \(built from' "HTML report: requests labelled inferred"
expect_nomatch "$(cat "$T/s.html")" '<summary>Raw request<' "HTML report: no request shown as raw"

# no browser: falls back with a warning, and the result is incomplete (exit 4): tags read from
# HTML are not traffic observed, so the fallback is never a clean result; --static asked for
# explicitly is the user's choice (exit 0 above)
"$PHIWALL" scan "$BASE/" --browser /nonexistent/chromium --max-pages 2 --format json \
    -o "$T/f.json" 2>"$T/f.err"
expect_code 4 $? "fallback scan is incomplete"
expect_match "$(cat "$T/f.err")" 'falling back to --static' "fallback warning"
expect_match "$(cat "$T/f.err")" 'INCOMPLETE: no browser ran \(/nonexistent/chromium: not found' "fallback says INCOMPLETE"
expect_match "$(jq -r .source "$T/f.json")" '^static$' "fallback is static"
expect_match "$(jq -c '[.complete, .incomplete_reasons[0].kind]' "$T/f.json")" '^\[false,"browser"\]$' "fallback JSON: not complete"
"$PHIWALL" scan "$BASE/" --browser /nonexistent/chromium --max-pages 2 --allow-incomplete \
    >/dev/null 2>&1
expect_code 0 $? "fallback scan with --allow-incomplete"
# --har-out records a browser session: the fallback's inferred requests are none, so no HAR
"$PHIWALL" scan "$BASE/" --browser /nonexistent/chromium --max-pages 2 --har-out "$T/fb.har" \
    -o /dev/null 2>"$T/fb.err"
expect_code 4 $? "fallback scan with --har-out"
expect_match "$(cat "$T/fb.err")" "warning: no HAR written to $T/fb.har: static triage records no traffic" "fallback: says no HAR"
[ -e "$T/fb.har" ] && fail "fallback wrote a HAR of inferred requests" || pass

# a page static triage could not fetch (no answer within --timeout, larger than 8 MiB) is a gap
# like in the browser: incomplete, exit 4, each page named with why
"$PHIWALL" scan "$BASE/links" --static --max-pages 3 --timeout 2 --format json -o "$T/l.json" \
    2>"$T/l.err"
expect_code 4 $? "static: pages that could not be fetched: exit 4"
expect_match "$(jq -r '.incomplete_reasons[] | "\(.kind) \(.url) \(.error)"' "$T/l.json" | sort)" "^page $BASE/big larger than [0-9]+ bytes
page $BASE/never .*[Tt]imeout" "static: both pages named with why"
expect_match "$("$PHIWALL" scan "$BASE/links" --static --max-pages 3 --timeout 2 2>/dev/null | sed -n 4p)" '^INCOMPLETE: 2 pages did not load or timed out' "static: text INCOMPLETE line (under the static banner)"

# usage errors
"$PHIWALL" scan "$BASE/" --consent maybe 2>/dev/null; expect_code 2 $? "bad --consent"
"$PHIWALL" scan "$BASE/" --map-host nohost 2>/dev/null; expect_code 2 $? "bad --map-host"
"$PHIWALL" scan "$BASE/" --login "$BASE/login" 2>/dev/null; expect_code 2 $? "--login without password"
"$PHIWALL" scan "$BASE/" "$BASE/x" 2>/dev/null; expect_code 2 $? "two URLs"

# many sites, resumable
printf '# sites\n%s/\n%s/careers\n' "$BASE" "$BASE" >"$T/sites.txt"
"$PHIWALL" scan --sites "$T/sites.txt" --out "$T/out" --static --max-pages 2 2>"$T/m.err"
expect_code 0 $? "--sites"
n=$(ls "$T/out"/*.html 2>/dev/null | grep -vc summary.html)
expect_code 2 "$n" "one HTML report per site"
expect_match "$(cat "$T/out/summary.csv")" '^site,source,pages' "summary.csv header"
expect_code 3 "$(wc -l <"$T/out/summary.csv")" "summary.csv rows"
expect_match "$(cat "$T/out/summary.html")" '<table>' "summary.html"
"$PHIWALL" scan --sites "$T/sites.txt" --out "$T/out" --static --max-pages 2 2>"$T/m2.err"
expect_code 0 $? "--sites again"
expect_code 2 "$(grep -c 'skipped' "$T/m2.err")" "finished sites skipped"
# a resumed run trusts only a whole .summary that names the site and says it finished: a run
# killed while writing it (a cut line, an empty file) or an error left the site to scan again
ls "$T/out"/*.html | grep -v summary.html | sort >"$T/reports"
careers=$(ls "$T/out"/*careers.summary)
home=$(ls "$T/out"/*.summary | grep -v careers)
head -c 30 "$careers" >"$T/cut" && mv "$T/cut" "$careers"
: >"$home"
"$PHIWALL" scan --sites "$T/sites.txt" --out "$T/out" --static --max-pages 2 2>"$T/m3.err"
expect_code 0 $? "--sites after cut .summary files"
expect_code 0 "$(grep -c 'skipped' "$T/m3.err")" "sites with a cut .summary are scanned again"
expect_code 2 "$(grep -c ' → ' "$T/m3.err")" "both reports written again"
expect_code 3 "$(wc -l <"$T/out/summary.csv")" "summary.csv has every site again"
# a report cut by a kill (the file-size limit's SIGXFSZ) is never taken for a finished one
rm "$T/out"/*.html "$T/out"/*.summary
(ulimit -f 2; "$PHIWALL" scan --sites "$T/sites.txt" --out "$T/out" --static --max-pages 2; exit $?) \
    2>/dev/null
expect_code 153 $? "--sites killed while writing a report"
ls "$T/out"/*.html >/dev/null 2>&1 && fail "a cut report under its final name" || pass
"$PHIWALL" scan --sites "$T/sites.txt" --out "$T/out" --static --max-pages 2 2>"$T/m4.err"
expect_code 0 $? "--sites after the kill"
expect_code 0 "$(grep -c 'skipped' "$T/m4.err")" "nothing skipped after the kill"
expect_match "$(tail -c 20 "$(head -1 "$T/reports")")" '</html>' "the report is whole"

# month over month: --baseline-dir compares each site with its JSON report of an earlier run
"$PHIWALL" scan --sites "$T/sites.txt" --out "$T/m1" --static --max-pages 2 --format json 2>/dev/null
expect_code 0 $? "--sites --format json (the baseline run)"
rm "$T/m1"/*careers.json # a site the earlier run lacks is scanned without comparison
"$PHIWALL" scan --sites "$T/sites.txt" --out "$T/m2" --static --max-pages 2 --baseline-dir "$T/m1" 2>/dev/null
expect_code 0 $? "--sites --baseline-dir"
csv=$(cat "$T/m2/summary.csv")
expect_match "$(head -1 <<<"$csv")" ',status,new,gone,not_rechecked$' "summary.csv: new, gone, not-rechecked columns"
expect_match "$(grep -v careers <<<"$csv" | tail -1)" ',ok,0,0,0$' "home: nothing new, nothing gone"
expect_match "$(grep careers <<<"$csv")" ',ok,-,-,-$' "careers: no baseline, no counts"
# a 14-field .summary (written before not-rechecked) still reads, its last count as -
homesum=$(ls "$T/m2"/*.summary | grep -v careers)
sed -i 's/\t0$//' "$homesum"
"$PHIWALL" scan --sites "$T/sites.txt" --out "$T/m2" --static --max-pages 2 --baseline-dir "$T/m1" 2>/dev/null
expect_match "$(grep -v careers "$T/m2/summary.csv" | tail -1)" ',ok,0,0,-$' "a 14-field .summary reads its not-rechecked count as -"
home=$(ls "$T/m2"/*.html | grep -v -e careers -e summary.html)
expect_match "$(cat "$home")" '<h2>Since the baseline</h2>' "the home report shows the comparison"
# bad baselines stop the run before anything is scanned or made
ls "$T/m1"/*.json | head -1 | xargs -I{} sh -c 'printf "{\"tool\":" >"{}"'
e=$("$PHIWALL" scan --sites "$T/sites.txt" --out "$T/m3" --static --baseline-dir "$T/m1" 2>&1)
expect_code 3 $? "--baseline-dir with a cut report"
expect_match "$e" "$T/m1/.*\\.json: byte [0-9]+: not JSON" "names the report"
[ -e "$T/m3" ] && fail "a bad baseline made --out DIR" || pass
"$PHIWALL" scan --sites "$T/sites.txt" --out "$T/m3" --static --baseline-dir "$T/none" 2>/dev/null
expect_code 3 $? "--baseline-dir that does not exist"
"$PHIWALL" scan --sites "$T/sites.txt" --out "$T/m2" --static --baseline-dir "$T/m2" 2>/dev/null
expect_code 2 $? "--baseline-dir is --out"
"$PHIWALL" scan "$BASE/" --static --baseline-dir "$T/m1" 2>/dev/null
expect_code 2 $? "--baseline-dir without --sites"
"$PHIWALL" scan --sites "$T/sites.txt" --out "$T/m4" --static --baseline "$T/s.json" 2>/dev/null
expect_code 2 $? "--baseline with --sites"
finish
