#!/usr/bin/env bash
# scan_browser_gaps4.sh — what the browser scan still missed or miscounted after
# scan_browser_gaps3, on helpers/gaps4_site.py:
# /swsock/  a service worker's plain WebSocket to the hospital's own chat host is the real socket
#           (its message and its answer to the server's hello reach the server), a replay tag's is
#           still contained and its message captured;
# /booking/ the page a frame's top.location lands on is a page like any other: titled, its links
#           crawled, its form filled and sent;
# /forms/   --max-pages counts the pages a visit's submission lands on: 3 pages, and the budget note
#           (with 2, the note says the last visit's submission went one page past it);
# /portal/  a session-timeout warning the leave runs (120 s) arms a logout (60 s later) that clears
#           cookie and storage and ends the session on the server: the next page still has all of
#           it and the site received nothing.
# The previous binary (f4bbeaa) fails 16 of the 25 checks: 4 of 6 /swsock/ (its chat socket
# failed to connect), all 5 /booking/ (the page named by its URL, its link and form untouched),
# the /forms/ count (5 pages) and the note of a limit gone past (4 pages, no word of it), and 5
# of 6 /portal/ (cookie, token and flag gone, the session-end call reached the site; the
# warning's beacon is captured either way). ~35 s.
set -u
. "$PW_SRC/tests/integration/lib.bash"
browser_test_site gaps4_site.py
PORT=${BASE##*:}

worker_sockets_scan /swsock/ "service worker sockets"
expect_match "$got" "OPEN chat\\.hosp\\.test:$PORT" "service worker sockets: the chat socket's handshake reached its server"
expect_match "$got" "MSG \\{\"sw\":\"chat\",\"at\":\"[^\"]*\",\"state\":1\\}" \
    "service worker sockets: the chat socket opened (readyState 1) and its message reached its server"
expect_match "$got" "MSG got:hello" "service worker sockets: the server's message reached the worker, which answered"

site_scan booking "$BASE/booking/" top.location --max-pages 8 --jobs 1
pages=$(jq -r '.log.pages[] | "\(.title) \(.id)"' "$T/booking.har")
echo "$pages"
expect_match "$(jq -r '.log.pages[].title' "$T/booking.har")" '^Appointment confirmed$' \
    "top.location: the page it landed on has its title"
expect_nomatch "$(jq -r '.log.pages[].title' "$T/booking.har")" '^http' "top.location: no page is named by its URL"
expect_match "$(jq -r '.log.pages[].title' "$T/booking.har")" '^Parking$' \
    "top.location: the landed page's link (linked from nowhere else) was crawled"
expect_match "$(jq -r '.log.entries[] | select(.request.method == "POST" and (.request.url | test("/booking/feedback"))) | .request.postData.text' "$T/booking.har")" \
    'marisol\.canary\.' "top.location: the landed page's form was filled and sent"
expect_match "$(jq -r '(.log.pages | map({(.id): .title}) | add) as $t | .log.entries[] | select(.request.url | test("facebook\\.com/tr.*confirm")) | $t[.pageref]' "$T/booking.har" | sort -u)" \
    '^Appointment confirmed$' "top.location: the landed page's beacon is on it"

site_scan forms "$BASE/forms/" max-pages --settle 300 --max-pages 3 --jobs 1
jq -r '.log.pages[] | "\(.title) \(.id)"' "$T/forms.har"
expect_match "$(jq '.log.pages | length' "$T/forms.har")" '^3$' \
    "max-pages: 3 pages, the page a submission landed on counted"
expect_match "$(jq -r '.. | strings' "$T/forms.json" | grep -c -- '--max-pages 3 reached')" '^[1-9]' \
    "max-pages: the report says the limit stopped the crawl"
# --max-pages 2: the second visit's submission lands past the limit; the note says so
site_scan forms2 "$BASE/forms/" "max-pages 2" --settle 300 --max-pages 2 --jobs 1
expect_match "$(jq -r '.. | strings' "$T/forms2.json" | grep -- '--max-pages 2 reached')" \
    '^--max-pages 2 reached \(3 page loads: the steps of the last page visited landed on 1 more' \
    "max-pages 2: the note says the last visit's steps went one page past the limit"

site_scan portal "http://www.hosp.test:$PORT/portal/" "session timeout" --max-pages 2 --jobs 1 \
    --no-interact "$(hosts_here '*.hosp.test')"
ev=$(jq -r '.log.entries[].request.url | select(test("facebook\\.com/tr")) | capture("ev=(?<e>[^&]*)(?<r>.*)") | "\(.e) \(.r)"' "$T/portal.har" | sort -u)
echo "$ev"
expect_match "$ev" '^Warn120 ' "session timeout: the 2-minute warning is run (captured)"
state=$(echo "$ev" | grep '^State ')
expect_match "$state" 'c=sid%3Dabc123' "session timeout: the next page still has the session cookie"
expect_match "$state" 't=t-1' "session timeout: the next page still has the localStorage token"
expect_match "$state" 's=on' "session timeout: the next page still has the sessionStorage flag"
expect_nomatch "$(curl --noproxy '*' -s "$BASE/portal/log")" 'SESSION-END|SIGNED-OUT' \
    "session timeout: the site received no session end and no signed-out page"
expect_match "$(jq -r '.log.entries[] | select(.request.url | test("session-end")) | "\(.request.method) \(.response.status)"' "$T/portal.har")" \
    '^POST 204' "session timeout: the logout's call is captured, answered here"
finish
