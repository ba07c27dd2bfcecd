#!/usr/bin/env bash
# scan_har_incomplete.sh — a HAR whose tracker scripts failed to load is not a clean result.
# tests/data/har/failed_trackers.har (Chrome's export shape) has fbevents.js with status 0 and
# _error net::ERR_NAME_NOT_RESOLVED, gtm.js answered 404, gtag/js with status 0 and no
# _resourceType (Firefox), a DoubleClick iframe that timed out and a portal page whose document
# got no response — each a reason of the incomplete result — and failures that are no gap: a
# blocked Meta beacon (its data was captured and is assessed), a consent manager's script and
# the site's own script. The scan exits 4; --allow-incomplete gives 0 and --fail-on 1.
# tests/data/har/phiwall_gaps.har is phiwall's own --har-out shape: the gaps no entry shows (a
# page that timed out, a failed login) are in log._phiwall.gaps and come back as the same
# reasons; a page stated there whose document also failed is one reason, not two.
set -u
. "$PW_SRC/tests/integration/lib.bash"
command -v jq >/dev/null || skip "jq not installed (scripts/install-deps.sh)"
HAR="$PW_SRC/tests/data/har/failed_trackers.har"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

"$PHIWALL" scan --har "$HAR" --format json -o "$T/r.json" 2>"$T/r.err"
expect_code 4 $? "exit 4: incomplete"
expect_match "$(jq .complete "$T/r.json")" '^false$' "complete: false"
reasons=$(jq -r '.incomplete_reasons[] | "\(.kind) \(.url) \(.error) \(.tracker_id)"' "$T/r.json")
expect_code 5 "$(printf '%s\n' "$reasons" | wc -l)" "five reasons"
expect_match "$reasons" '^script https://connect\.facebook\.net/en_US/fbevents\.js net::ERR_NAME_NOT_RESOLVED meta-pixel$' "fbevents.js: _error"
expect_match "$reasons" '^script https://www\.googletagmanager\.com/gtm\.js\?id=GTM-ABC1234 HTTP 404 google-tag-manager$' "gtm.js: HTTP 404"
expect_match "$reasons" '^script https://www\.googletagmanager\.com/gtag/js\?id=G-TEST12345 no response \(status 0' "gtag/js without a resource type: status 0"
expect_match "$reasons" '^frame https://td\.doubleclick\.net/td/rul/.* net::ERR_TIMED_OUT ' "tracker iframe"
expect_match "$reasons" '^page https://www\.example-hospital\.org/patient-portal net::ERR_CONNECTION_RESET null$' "page that did not load"
expect_nomatch "$reasons" 'facebook\.com/tr|cookielaw|site\.js' "no gap for a beacon, a consent manager or a first-party script"
if python3 -c 'import jsonschema' 2>/dev/null; then
    python3 - "$PW_SRC/docs/report.schema.json" "$T/r.json" <<'PY'
import json, sys, jsonschema
jsonschema.Draft202012Validator(json.load(open(sys.argv[1]))).validate(json.load(open(sys.argv[2])))
PY
    expect_code 0 $? "incomplete JSON validates against docs/report.schema.json"
fi
expect_match "$(jq -r '.incomplete_reasons[0].page_url' "$T/r.json")" '^https://www\.example-hospital\.org/find-a-doctor$' "reason names its page"
expect_match "$(jq -r '[.findings[].request.url] | join(" ")' "$T/r.json")" 'facebook\.com/tr' "the blocked beacon is still assessed"
expect_match "$(cat "$T/r.err")" '^phiwall: scan: INCOMPLETE: 3 tracker scripts failed to load \(connect\.facebook\.net/en_US/fbevents\.js: net::ERR_NAME_NOT_RESOLVED\), 1 tracker frame failed to load .*, 1 page did not load or timed out \(https://www\.example-hospital\.org/patient-portal: net::ERR_CONNECTION_RESET\) — .*\(exit 4; --allow-incomplete accepts it\)$' "stderr headline"

text=$("$PHIWALL" scan --har "$HAR" 2>/dev/null)
expect_match "$(printf '%s\n' "$text" | sed -n 3p)" '^INCOMPLETE: 3 tracker scripts failed to load \(connect\.facebook\.net/en_US/fbevents\.js: net::ERR_NAME_NOT_RESOLVED\)' "text: INCOMPLETE near the top"
expect_match "$text" '^  - page https://www\.example-hospital\.org/patient-portal: net::ERR_CONNECTION_RESET$' "text: one line per reason"

"$PHIWALL" scan --har "$HAR" --format sarif 2>/dev/null >"$T/r.sarif"
expect_match "$(jq -c '.runs[0].invocations[0] | [.executionSuccessful, (.toolExecutionNotifications | length)]' "$T/r.sarif")" '^\[false,5\]$' "SARIF: not successful, five notifications"
"$PHIWALL" scan --har "$HAR" --format html 2>/dev/null >"$T/r.html"
expect_match "$(cat "$T/r.html")" '<b>INCOMPLETE — this is not a clean result\.</b>' "HTML banner"

"$PHIWALL" scan --har "$HAR" --allow-incomplete >/dev/null 2>&1
expect_code 0 $? "--allow-incomplete: exit 0"
"$PHIWALL" scan --har "$HAR" --fail-on medium >/dev/null 2>&1
expect_code 1 $? "findings at --fail-on: exit 1"

# phiwall's --har-out: log._phiwall.gaps are the capture's own gaps
GAPS="$PW_SRC/tests/data/har/phiwall_gaps.har"
"$PHIWALL" scan --har "$GAPS" --format json -o "$T/g.json" 2>"$T/g.err"
expect_code 4 $? "_phiwall.gaps: exit 4"
expect_match "$(jq -r '.incomplete_reasons[] | "\(.kind) \(.url) \(.occurrences) \(.error)"' "$T/g.json")" '^page https://www\.example-hospital\.org/patient-portal 1 net::ERR_CONNECTION_RESET
page https://www\.example-hospital\.org/find-a-doctor 1 no load event within 20 s \(--timeout\): tags that wait for it did not run
login https://www\.example-hospital\.org/login 1 still a password field after submitting the login form: the logged-in area was not scanned$' "_phiwall.gaps: the stated page timeout and login, the failed page once"
expect_match "$("$PHIWALL" scan --har "$GAPS" 2>/dev/null | sed -n 3p)" '^INCOMPLETE: 2 pages did not load or timed out .*, login failed \(https://www\.example-hospital\.org/login: ' "_phiwall.gaps: text INCOMPLETE line"
sed 's/"kind":"login"/"kind":"logout"/' "$GAPS" >"$T/badkind.har"
"$PHIWALL" scan --har "$T/badkind.har" -o /dev/null 2>"$T/badkind.err"
expect_code 3 $? "_phiwall.gaps with an unknown kind: an error"
expect_match "$(cat "$T/badkind.err")" 'badkind\.har: byte [0-9]+: expected script, frame, page, login, browser or error-page for log\._phiwall\.gaps\[2\]\.kind' "unknown kind named with its place"

# a recorded gap's page list (pageUrls, morePages, morePageCount) comes back as the report's:
# every page named, and how many more (earlier versions read neither: the first page alone)
jq '.log._phiwall.gaps += [{"kind":"script","url":"https://www.googletagmanager.com/gtm.js?id=GTM-X",
    "pageUrl":"https://www.example-hospital.org/","error":"HTTP 404","trackerId":"google-tag-manager",
    "count":4,"pageUrls":["https://www.example-hospital.org/","https://www.example-hospital.org/a",
    "https://www.example-hospital.org/b"],"morePages":true,"morePageCount":1}]' "$GAPS" >"$T/pages.har"
"$PHIWALL" scan --har "$T/pages.har" --format json -o "$T/pages.json" 2>/dev/null
expect_code 4 $? "_phiwall.gaps with a page list: exit 4"
expect_match "$(jq -c '.incomplete_reasons[] | select(.kind == "script") | [.occurrences, .page_urls, .more_pages]' "$T/pages.json")" \
    '^\[4,\["https://www\.example-hospital\.org/","https://www\.example-hospital\.org/a","https://www\.example-hospital\.org/b"\],1\]$' \
    "_phiwall.gaps: a recorded gap's pages and the count past them"

# a HAR without failures is complete: exit 0, no INCOMPLETE anywhere
"$PHIWALL" scan --har "$PW_SRC/tests/data/har/mixed.har" --format json -o "$T/ok.json" 2>"$T/ok.err"
expect_code 0 $? "complete HAR: exit 0"
expect_match "$(jq -c '[.complete, .incomplete_reasons]' "$T/ok.json")" '^\[true,\[\]\]$' "complete HAR: complete true"
expect_nomatch "$(cat "$T/ok.err")" 'INCOMPLETE' "complete HAR: nothing on stderr"

# a visit the browser scan cut short (crash, hang) and made again after the restart: its
# unanswered script loads are marked _visitRetried by --har-out and are no gap (the second
# visit loaded them); the same entry without the mark is one
retried() { # true|false
    jq --argjson r "$1" '.log.entries |= map(if (.request.url | test("fbevents")) then
        (.response.status = 0 | del(.response._error) | ._visitRetried = $r) else . end)
        | .log.entries |= map(select((.request.url | test("gtm.js|gtag/js|doubleclick|patient-portal")) | not))' \
        "$HAR" >"$T/retried-$1.har"
    "$PHIWALL" scan --har "$T/retried-$1.har" --format json -o "$T/retried-$1.json" 2>/dev/null
}
retried true; expect_code 0 $? "a retried visit's unanswered script: no gap, exit 0"
expect_match "$(jq -c '[.complete, .incomplete_reasons]' "$T/retried-true.json")" '^\[true,\[\]\]$' "retried visit: complete"
retried false; expect_code 4 $? "the same entry without _visitRetried: a gap, exit 4"
finish
