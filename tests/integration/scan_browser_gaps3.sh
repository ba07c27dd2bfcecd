#!/usr/bin/env bash
# scan_browser_gaps3.sh — timers the leave did not run after scan_browser_gaps2
# (docs/scan-browser.md, "Timer beacons at the leave"), on one page of helpers/gaps3_site.py
# (/timers/, served as www.hosp.test): each of these beacons is captured once, on its page —
# a chained tag (a 20 s timer arming a 30 s beacon), a heartbeat's second beat, a 2-minute
# survey, a string handler, a same-origin frame's and a same-site (other origin, same process)
# frame's 20 s timers, and a dedicated worker's 20 s flush — and a 20-minute session-timeout
# warning is not run; a 90 s idle timer runs but the navigation it starts (to /timers/logout)
# is cancelled. The previous binary (32f2377) ran none of the eight (only the heartbeat's first
# beat): 8 of the 13 timer checks fail with it (the navigation check only fails on a leave that
# runs the timer without cancelling it). Then /booking/, where frames open a window
# (an ad's window.open, with the popup blocker off) and send the whole page elsewhere (a booking
# widget's top.location): guards of what the previous binary did right too — the booking page's
# beacon on the booking page, the window contained as the tab's popup. Last, /swstream/: a service
# worker's WebSocketStream to the hospital's own chat host is let through (the previous binary's
# stand-in made it fail: 2 of the 5 checks fail with it), a replay tag's is still contained.
# ~40 s.
set -u
. "$PW_SRC/tests/integration/lib.bash"
browser_test_site gaps3_site.py
PORT=${BASE##*:}

site_scan timers "http://www.hosp.test:$PORT/timers/" timers --max-pages 1 --no-interact \
    "$(hosts_here '*.hosp.test')"
ev=$(jq -r '.log.entries[] | select(.request.url | test("facebook\\.com/tr")) | "\(.pageref) \(.request.url | capture("ev=(?<e>[^&]*)").e)\(.request.url | capture("[?&](?<k>n|host)=(?<v>[^&]*)") // {} | if .k then ":" + .v else "" end)"' "$T/timers.har" | sort | uniq -c | sed 's/^ *//' | tr '\n' ' ')
echo "beacons: $ev"
for e in Chain50 Beat:1 Beat:2 Survey120 Str20 "Frame20:www.hosp.test%3A$PORT" \
    "Frame20:widget.hosp.test%3A$PORT" Worker20; do
    expect_match "$ev" "(^| )1 page_1 $e " "timers: $e is captured once, on its page"
done
expect_nomatch "$ev" 'Beat:3' "timers: a heartbeat re-arming the same callback beats once more, not up to the horizon"
expect_nomatch "$ev" 'Timeout20m' "timers: a 20-minute session-timeout warning is not run"
expect_match "$ev" "(^| )1 page_1 Idle90 " "timers: a 90 s idle timer is run"
expect_nomatch "$(jq -r '.log.entries[].request.url' "$T/timers.har")" '/timers/logout' \
    "timers: the navigation a run timer starts (to /timers/logout) is cancelled before it reaches the site"

# Frames: the scheduling frame's "Book appointment" sends the whole page to /booking/confirm with
# the visitor's choice in the query; the ad (another site, out of process) opens a window at load.
site_scan booking "$BASE/booking/" frames --max-pages 1 --browser-arg=--disable-popup-blocking \
    "$(hosts_here ads.test)"
on() { # EV → "PAGE_TITLE|DL" of each beacon EV
    jq -r --arg ev "$1" '(.log.pages | map({(.id): .title}) | add) as $t | .log.entries[] | select(.request.url | test("facebook\\.com/tr.*ev=" + $ev + "(&|$)")) | "\($t[.pageref])|\(.request.url | capture("dl=(?<d>[^&]*)").d)"' "$T/booking.har"
}
got=$(on PageView | sort -u)
echo "$got"
expect_match "$got" "^Appointment confirmed\\|.*booking%2Fconfirm%3Fslot%3Dcardiology-0900%26reason%3Dchest%2Bpain\$" \
    "frames: the page the widget sent the visitor to is a page (titled since scan_browser_gaps4), its beacon (with the visit's reason) on it"
expect_nomatch "$got" "^Book a visit\\|.*confirm" "frames: the booking page's beacon is not on the page that showed the widget"
expect_match "$(on AdWindow)" "^http://ads\\.test:$PORT/booking/popup\\|" "frames: the ad's window is a page of its own with its beacon"
expect_match "$(grep -c 'attached popup session to tab 0' "$T/booking.err")" '^[1-9]' "frames: the ad's window is the tab's popup"
expect_match "$(grep -c 'contain Image https://www.facebook.com/tr?id=5550001&ev=AdWindow' "$T/booking.err")" '^[1-9]' \
    "frames: the ad window's beacon is contained"

# A service worker's WebSocketStreams: the chat service's (no tracker) reaches its server, the
# replay tag's does not and its message is captured.
worker_sockets_scan /swstream/ "service worker streams"
expect_match "$got" "^MSG \\{\"sw\":\"chat\"" "service worker streams: the chat service's stream is the real one (its message reached its server)"
finish
