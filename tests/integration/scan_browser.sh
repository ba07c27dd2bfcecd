#!/usr/bin/env bash
# scan_browser.sh — `phiwall scan URL` in real Chromium against the demo hospital site on
# loopback: every PHI flow of demo/expected.json is found (recall and precision printed and
# asserted), careers and visiting hours have no PHI finding, the scan is contained (Chromium
# resolves no host but 127.0.0.1, so any tracker request that was not answered locally fails and
# shows in the HAR), the portal is scanned after a form login whose password appears nowhere,
# screenshots are PNG files, the HAR it writes gives the same report through `scan --har`, and no
# browser process is left behind.
set -u
. "$PW_SRC/tests/integration/lib.bash"
[ -x /usr/bin/chromium ] || skip "chromium not installed"
command -v jq >/dev/null || skip "jq not installed (scripts/install-deps.sh)"
SERVER="$PW_BUILD/phiwall-demo-server"
[ -x "$SERVER" ] || skip "phiwall-demo-server not built"
KEY="$PW_SRC/demo/expected.json"
T=$(mktemp -d)
export TMPDIR=$T

SRV=
trap 'kill $SRV 2>/dev/null; wait $SRV 2>/dev/null; rm -rf "$T"' EXIT
start_demo_server "$T" || { fail "demo server did not start"; finish; }

maps=()
for h in $(jq -r '.vendor_script_hosts[]' "$KEY"); do maps+=(--map-host "$h=$BASE/vendor/$h"); done
jq -r .portal.password "$KEY" >"$T/password"
PASSWORD=$(cat "$T/password")
start=$(date +%s)
# --settle 1000 (the default), not 400: on a loaded machine a run missed the GA4 page_view of
# /billing/receipt, the page a form submission leads to. The demo's tag sends it from a 250 ms
# timer, or at pagehide when the scan leaves the page (under a 2 s cap); with 400 the first
# chance was the submission's wait of 800 ms, with 1000 it is 2 s. (Not reproduced here: three
# runs under load passed with 400, and so did one with --settle 150 on a quiet machine.) The
# pagehide send was in fact never captured then: Chromium reports no Network event for a beacon
# of an unloading document; since the scan takes such beacons from their Fetch pause it is.
"$PHIWALL" scan "$BASE/" "${maps[@]}" \
    --browser-arg="--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1" \
    --consent accept --login "$BASE$(jq -r .portal.login "$KEY")" \
    --username "$(jq -r .portal.username "$KEY")" --password-file "$T/password" \
    --max-pages 48 --jobs 2 --settle 1000 --screenshots "$T/shots" \
    --canary-tag 7 --canary-out "$T/canaries.tsv" \
    --format json -o "$T/report.json" --har-out "$T/session.har" ${PW_SCAN_EXTRA:-} 2>"$T/stderr"
expect_code 0 $? "scan exit code"
echo "scan took $(( $(date +%s) - start )) s"
jq -e .summary "$T/report.json" >/dev/null && pass || { fail "no JSON report"; grep -v "^phiwall: scan: [<>]" "$T/stderr" | tail -40; finish; }
jq -c .summary "$T/report.json"
expect_match "$(jq -c '[.complete, .incomplete_reasons]' "$T/report.json")" '^\[true,\[\]\]$' "every tracker script loaded: the scan is complete"

# recall and precision against the answer key
grade=$(jq -n --slurpfile key "$KEY" --slurpfile rep "$T/report.json" \
    -f "$PW_SRC/tests/data/browser/grade_demo.jq")
echo "$grade" | jq -c '{expected, reported, found, recall, precision, missed, extra}'
expect_match "$(echo "$grade" | jq .missed)" '^\[\]$' "every expected PHI flow found"
jq -e '.recall == 1' <<<"$grade" >/dev/null && pass || fail "recall below 1"
jq -e '.precision >= 0.8' <<<"$grade" >/dev/null && pass || fail "precision below 0.8"
for p in /careers /visiting-hours; do
    expect_nomatch "$(echo "$grade" | jq -r '.phi_on_no_phi_pages[]')" "^$p " "no PHI finding on $p"
done

# the scan was contained: every third-party request was answered locally (200 or 204); with
# every other host unresolvable, one that went to the network would show status 0
jq -e . "$T/session.har" >/dev/null && pass || fail "HAR is not JSON"
third=$(jq '[.log.entries[] | select(.request.url | test("^https?://127\\.0\\.0\\.1[:/]") | not)] | length' "$T/session.har")
[ "$third" -gt 50 ] && pass || fail "only $third third-party requests captured"
leaked=$(jq -r '.log.entries[] | select(.request.url | test("^https?://127\\.0\\.0\\.1[:/]") | not)
    | select(.response.status != 200 and .response.status != 204) | .request.url' "$T/session.har")
expect_match "${leaked:-none}" "^none$" "no tracker request reached the network"; [ -n "$leaked" ] && echo "$leaked" | head -5
beacons=$(jq '[.log.entries[] | select(.request.url | test("facebook\\.com/tr|google-analytics\\.com/g/collect|tiktok\\.com/api|px\\.ads\\.linkedin|hotjar\\.com/api"))] | length' "$T/session.har")
[ "$beacons" -gt 20 ] && pass || fail "only $beacons tracker beacons captured"
posts=$(jq '[.log.entries[] | select(.request.method == "POST" and .request.postData.text != null and (.request.url | test("127\\.0\\.0\\.1") | not))] | length' "$T/session.har")
[ "$posts" -gt 5 ] && pass || fail "POST bodies of beacons captured ($posts)"
steps=$(jq -r '[.log.entries[]._step] | unique | join(",")' "$T/session.har")
expect_match "$steps" 'click' "requests attributed to clicks"
expect_match "$steps" 'submit' "requests attributed to submissions"
expect_match "$steps" 'fill' "requests attributed to typing (session replay)"

# the portal was scanned behind the login; the password is nowhere
expect_match "$(jq -r '.pages[] | select(.context == "authenticated") | .url' "$T/report.json")" '/portal/dashboard' "portal dashboard scanned as authenticated"
if grep -rqF -- "$PASSWORD" "$T/report.json" "$T/session.har" "$T/stderr"; then
    fail "the password appears in the report, HAR or log"
else pass; fi

# canaries typed into forms were found (hashed and in clear) and consent state was recorded
expect_match "$(jq -r '.findings[].evidence[]?.hits[]? | select(.category == "canary") | .subtype' "$T/report.json" | sort -u | tr '\n' ' ')" 'sha256' "canary found as SHA-256"
expect_match "$(jq -r '.findings[] | select(.rule_id == "PW-FORM-VALUES") | .page.url' "$T/report.json")" 'appointments' "typed values leak from the appointment form"
expect_match "$(jq -r '[.findings[] | select(.before_consent)] | length' "$T/report.json")" '^[1-9]' "beacons before the consent answer are flagged"

# the HAR is the same session: `scan --har` of it gives the same summary, findings and pages
# (given the canary identity the scan typed, which it wrote with --canary-out)
expect_match "$(grep -v '^#' "$T/canaries.tsv" | cut -f1,2 | tr '\t\n' ':,')" \
    '^first name:name,last name:name,email:email,phone:phone,date of birth:date,street address:address,ZIP code:zip,member ID:id,reason for visit:text,$' \
    "--canary-out lists the typed identity"
expect_match "$(grep -c Marisol "$T/canaries.tsv")" '^1$' "--canary-out holds the --canary-tag 7 identity"
# the HAR, the report and the canary file were renamed into place: no temporary file is left
expect_code 0 "$(ls -A "$T" | grep -c '\.tmp-')" "no temporary output file left"
"$PHIWALL" scan --har "$T/session.har" --canary "$T/canaries.tsv" --format json -o "$T/from_har.json"
expect_code 0 $? "scan --har of the session's HAR"
same() { # jq-filter what
    local a b
    a=$(jq -S "$1" "$T/report.json") b=$(jq -S "$1" "$T/from_har.json")
    [ "$a" = "$b" ] && pass || { fail "HAR round trip: $2 differ"; diff <(echo "$a") <(echo "$b") | head -20; }
}
# the live scan judged the requests in the order they were sent, all tabs of a round together —
# the order `scan --har` reads them back in. Earlier versions gave them tab after tab: a finding
# several requests make (one page key, two queries) named /find-a-doctor live and
# /find-a-doctor?q=diabetes from the HAR (at load 40); 29 of 674 entries out of order here.
expect_match "$(jq '[.log.entries[].startedDateTime] as $e | [range(1; $e | length) | select($e[.] < $e[. - 1])] | length' "$T/session.har")" \
    '^0$' "the HAR's entries are in the order they were sent"
same .summary "summaries"
same '[.findings[] | "\(.rule_id) \(.severity) \(.page.url) \(.vendor.name) \(.step) \(.before_consent) \(.after_reject) \(.occurrences)"] | sort' "findings"
same '[.pages[] | "\(.url) \(.context) \(.title)"] | sort' "pages"

# screenshots
n_png=$(ls "$T/shots"/*.png 2>/dev/null | wc -l)
[ "$n_png" -ge 10 ] && pass || fail "only $n_png screenshots"
first=$(ls "$T/shots"/*.png | head -1)
expect_match "$(head -c 4 "$first" | od -An -c | tr -d ' ')" 'PNG' "screenshots are PNG"

# nothing left behind
# (the killed browser's processes end on their own time: waited for, not a fixed 0.5 s)
no_browser_left() { ! pgrep -f "$T/phiwall-chromium" >/dev/null; }
wait_until "$PW_WAIT_S" no_browser_left
expect_match "$(pgrep -f "$T/phiwall-chromium" || echo none)" '^none$' "no browser process left"
expect_match "$(ls -d "$T"/phiwall-chromium-* 2>/dev/null || echo none)" '^none$' "browser profile removed"
finish
