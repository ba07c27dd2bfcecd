#!/usr/bin/env bash
# scan_browser_crawl.sh — what the browser scan visits and types, on the demo hospital site: the
# start URL is visited first, query variants of one path (/appointments/request?doctor=…) do not
# eat a small page budget, and the form filler puts the canary date of birth only into the
# birth-date field (the preferred appointment date gets a future date, reported as no canary).
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

# the appointment form: date of birth in dob, a future weekday in preferred_date
timeout 120 "$PHIWALL" scan "$BASE/appointments/request?doctor=elena-marsh" "${maps[@]}" \
    --max-pages 1 --depth 0 --consent accept --settle 300 --format json -o "$T/form.json" \
    --har-out "$T/form.har" 2>"$T/form.err"
rc=$?
[ "$rc" -le 1 ] && pass || fail "form scan: exit $rc"
confirm=$(jq -r '.log.entries[].request.url | select(test("/appointments/confirm\\?"))' "$T/form.har" | head -1)
expect_match "$confirm" '[?&]dob=1984-03-17(&|$)' "date of birth typed into dob"
pref=$(printf '%s\n' "$confirm" | grep -o 'preferred_date=[0-9-]*' | cut -d= -f2)
expect_match "$pref" '^20[0-9][0-9]-[01][0-9]-[0-3][0-9]$' "preferred date filled ($pref)"
[[ "$pref" > "$(date -u +%F)" ]] && pass || fail "preferred date $pref is not in the future"
dobs=$(jq '[.findings[].evidence[]? | [.hits[]? | select(.reason_detail == "date of birth")] | length] | max' "$T/form.json")
expect_code 1 "${dobs:-0}" "date of birth reported once per value, not in preferred_date"
finish
