#!/usr/bin/env bash
# scan_browser_gaps7.sh — what the browser scan still missed after scan_browser_gaps6, on
# helpers/gaps7_site.py:
# /slowstore/ a page whose chain of IndexedDB requests at load outlasts the settle (1.5 s, no
#             request to the network in it) keeps what it writes: the leave waits for the page's
#             storage work before its timers run and its guard makes writes do nothing (before:
#             the guard, armed mid-chain, dropped the page's own record: "none" at load and on the
#             next page — scan_browser_gaps5's /store/ failed so once in 6 runs under load).
# /latehide/  a beacon that a handler set as window.onpagehide after the page's last pagehide
#             listener sends 1 s late is captured: the unload marker runs after it too (before:
#             the marker came first, the leave did not wait for it, lost every time);
# /bodyhide/  the same from a <body onpagehide> attribute (these two pass on the previous binary
#             too: Chromium 156 runs such a handler before the marker; they guard the measurement);
# /rframes/   a route (a control that is no link) in the 11th of 12 same-origin frames is found
#             and crawled: routes, filling and consent in frames follow --max-pages as the
#             frames' links do (before: the first 8 frames only).
# The previous binary (d79f3fd) fails 5 of the 15 checks: the 4 of /slowstore/ (no Ready beacon
# before the leave, record and cache gone on the next page) and /rframes/' route. ~30 s.
set -u
. "$PW_SRC/tests/integration/lib.bash"
browser_test_site gaps7_site.py

# ev → its first beacon's query, one parameter a line
beacon() {
    jq -r --arg ev "$2" '.log.entries[].request.url | select(test("facebook\\.com/tr.*ev=" + $ev + "(&|$)"))' "$T/$1.har" |
        head -1 | tr '?&' '\n\n'
}

site_scan slow "$BASE/slowstore/" "slow storage" --max-pages 2 --jobs 1 --no-interact
ready=$(beacon slow Ready)
echo "ready: $(echo "$ready" | tr '\n' ' ')"
expect_match "$ready" '^idb=rec-1$' "slow storage: the page's own record, written after 1.5 s, is read back at load"
expect_match "$ready" '^cache=yes$' "slow storage: the page's cache is there at load"
state=$(beacon slow State)
echo "state: $(echo "$state" | tr '\n' ' ')"
expect_match "$state" '^idb=rec-1$' "slow storage: the next page finds the record"
expect_match "$state" '^cache=yes$' "slow storage: the next page finds the cache"
for p in latehide:LateHide bodyhide:BodyHide; do
    path=${p%%:*} ev=${p#*:}
    site_scan "$path" "$BASE/$path/" "$path" --max-pages 1 --no-interact
    expect_match "$(jq -r --arg ev "ev=$ev" '.log.entries[] | select((.request.postData.text // "") | contains($ev))
        | "\(.pageref) \(.response.status)"' "$T/$path.har")" '^page_1 204$' \
        "$path: the late pagehide handler's beacon is in the HAR, on its page"
    expect_match "$(jq -r '.findings[].event_name' "$T/$path.json")" "^$ev\$" "$path: reported"
    expect_nomatch "$(grep -F 'the leave waited its cap' "$T/$path.err")" . \
        "$path: the leave did not wait its cap"
done
site_scan rframes "$BASE/rframes/" "route in frame 11" --max-pages 13 --jobs 1
titles=\|$(jq -r '.log.pages[].title' "$T/rframes.har" | sort | tr '\n' '|')
echo "pages: $titles"
expect_match "$titles" '\|Day 11\|' "route in frame 11: found and crawled"
finish
