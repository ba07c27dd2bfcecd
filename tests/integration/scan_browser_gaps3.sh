#!/usr/bin/env bash
# scan_browser_gaps3.sh — timers the leave did not run after scan_browser_gaps2
# (docs/scan-browser.md, "Timer beacons at the leave"), on one page of helpers/gaps3_site.py
# (/timers/, served as www.hosp.test): each of these beacons is captured once, on its page —
# a chained tag (a 20 s timer arming a 30 s beacon), a heartbeat's second beat, a 2-minute
# survey, a string handler, a same-origin frame's and a same-site (other origin, same process)
# frame's 20 s timers, and a dedicated worker's 20 s flush — and a 20-minute session-timeout
# warning is not run. The previous binary (32f2377) ran none of the seven (only the heartbeat's
# first beat). ~15 s.
set -u
. "$PW_SRC/tests/integration/lib.bash"
browser_test_site gaps3_site.py
PORT=${BASE##*:}

timeout 120 "$PHIWALL" scan "http://www.hosp.test:$PORT/timers/" --settle 400 --no-sitemap \
    --max-pages 1 --no-interact \
    --browser-arg="--host-resolver-rules=MAP *.hosp.test 127.0.0.1, MAP * ~NOTFOUND, EXCLUDE 127.0.0.1" \
    --verbose --format json -o "$T/timers.json" --har-out "$T/timers.har" 2>"$T/timers.err"
expect_code 0 $? "timers: scan"
ev=$(jq -r '.log.entries[] | select(.request.url | test("facebook\\.com/tr")) | "\(.pageref) \(.request.url | capture("ev=(?<e>[^&]*)").e)\(.request.url | capture("[?&](?<k>n|host)=(?<v>[^&]*)") // {} | if .k then ":" + .v else "" end)"' "$T/timers.har" | sort | uniq -c | sed 's/^ *//' | tr '\n' ' ')
echo "beacons: $ev"
for e in Chain50 Beat:1 Beat:2 Survey120 Str20 "Frame20:www.hosp.test%3A$PORT" \
    "Frame20:widget.hosp.test%3A$PORT" Worker20; do
    expect_match "$ev" "(^| )1 page_1 $e " "timers: $e is captured once, on its page"
done
expect_nomatch "$ev" 'Beat:3' "timers: a heartbeat re-arming the same callback beats once more, not up to the horizon"
expect_nomatch "$ev" 'Timeout20m' "timers: a 20-minute session-timeout warning is not run"
finish
