#!/usr/bin/env bash
# scan_browser_gaps2.sh — what the browser scan still did not see after scan_browser_gaps
# (docs/scan-browser.md):
# 1. iframes: a same-site widget frame's link and link-less route (<div onclick>), a srcdoc
#    frame's link (crawled at the page's depth, --depth 1), the widget's "Schedule now" (clicked
#    in its frame, its beacon on the widget's page), and another site's frame (an ad) whose
#    "Book now" must not be pressed;
# 2. contained tracker WebSockets: a report note counts the sockets, the captured messages and
#    the sockets that sent nothing (a chat tag that waits for its server's hello);
# 3. a WebSocketStream's and a service worker's tracker socket: their messages are captured
#    (a stand-in), nothing reaches the vendor;
# 4. a 60 s "engaged visitor" timer is run at the leave; a 20-minute one is not.
# The previous binary (bf5c5b9) fails 12 of the 23 checks: frame links and routes not visited,
# the frame's care control not clicked on its page, no socket note, the stream's and the
# worker's messages not captured, the 60 s timer not run. Uses helpers/gaps2_site.py; ~40 s.
set -u
. "$PW_SRC/tests/integration/lib.bash"
browser_test_site gaps2_site.py

scan() { # name path max-pages [args…]; $T/<name>.{json,har,err}
    local name=$1 path=$2 pages=$3
    shift 3
    timeout 120 "$PHIWALL" scan "$BASE$path" --settle 400 --no-sitemap --max-pages "$pages" \
        --browser-arg="--host-resolver-rules=MAP ws.hotjar.com 127.0.0.1, MAP ads.test 127.0.0.1, MAP * ~NOTFOUND, EXCLUDE 127.0.0.1" \
        --verbose --format json -o "$T/$name.json" --har-out "$T/$name.har" "$@" 2>"$T/$name.err"
}
vendor() { curl --noproxy '*' -s "$BASE/ws-log"; }

# 1. Links and routes inside iframes are crawled at the depth of the page that shows them: the
# widget frame's link (/widget/book) and its <div onclick> route (/widget/slots), and the
# script-written frame's link (/portal/login), all with --depth 1.
scan widget /widget/ 6 --depth 1
expect_code 0 $? "iframes: scan"
visits=$(grep -o '^phiwall: scan: visit [^ ]*' "$T/widget.err" | sed "s|^phiwall: scan: visit $BASE||" | sort | tr '\n' ' ')
echo "visited: $visits"
for r in /widget/book /widget/slots /portal/login; do
    expect_match "$visits" "$r( |\$)" "iframes: $r (behind a frame) is visited"
done
expect_match "$(grep -c 'route in a frame of .*/widget/slots (Open slots)' "$T/widget.err")" '^[1-9]' \
    "iframes: --verbose names the frame's route"
pv=$(jq -r '.log.entries[].request.url | select(test("ev=PageView")) | capture("dl=(?<d>[^&]*)").d' "$T/widget.har" | sort -u | tr '\n' ' ')
for r in slots book; do
    expect_match "$pv" "widget%2F$r( |\$)" "iframes: the PageView of /widget/$r is captured"
done
# The widget's care control ("Schedule now") is clicked inside the frame: its beacon is on the
# page that shows the widget (the old binary clicked it only on /widget/frame visited as a page).
sched=$(jq -r --arg u "$BASE/widget/" '(.log.pages[] | select(.title == "Schedule a visit") | .id) as $p | .log.entries[] | select(.pageref == $p) | .request.url | select(test("ev=Schedule"))' "$T/widget.har")
expect_match "$sched" 'slot=cardiology-0900' "iframes: the widget's Schedule now button is clicked in its frame, on the widget's page"
ad=$(jq -r '.log.entries[].request.url | select(test("ev=AdClick"))' "$T/widget.har")
[ -z "$ad" ] && pass || fail "iframes: a control in another site's frame (an ad) was pressed: $ad"

# 2. Contained tracker sockets: the vendor receives nothing; the replay socket's message is
# captured; the chat socket, which waits for its server's hello, sends nothing — and the report
# says so in a note (2 sockets, 1 message, 1 sent nothing), not incomplete.
vendor >/dev/null
scan ws /wshello/ 1
expect_code 0 $? "sockets: scan (a note does not make it incomplete)"
got=$(vendor)
[ -z "$got" ] && pass || fail "sockets: the vendor's socket received: $got"
expect_match "$(jq -r '.log.entries[] | select(.request.method == "WEBSOCKET") | .request.postData.text // empty' "$T/ws.har")" \
    '"replay":' "sockets: the replay socket's message is captured"
note=$(jq -r '.. | objects | select(.kind? == "settle") | .error' "$T/ws.json")
echo "note: $note"
expect_match "$note" '^2 tracker WebSockets contained .*took 1 message, .*: 1 of them sent nothing; a tag that waits for its server' \
    "sockets: the report's note counts the contained sockets, the captured message and the silent socket"
expect_match "$(jq -r '.log._phiwall.gaps[]? | select(.kind == "settle") | .error' "$T/ws.har")" '^2 tracker WebSockets contained' \
    "sockets: the HAR keeps the note"

# 3. A WebSocketStream's and a service worker's tracker socket: contained (the vendor receives
# nothing) and what each would have sent is captured as a message of its socket on the page.
for c in "stream:/wsstream/" "sw:/swsock/"; do
    name=${c%%:*}
    vendor >/dev/null
    scan "$name" "${c#*:}" 1
    expect_code 0 $? "$name socket: scan"
    got=$(vendor)
    [ -z "$got" ] && pass || fail "$name socket: the vendor's socket received: $got"
    msgs=$(jq -r '.log.entries[] | select(.request.method == "WEBSOCKET") | "\(.pageref) \(.request.url) \(.request.postData.text // "-")"' "$T/$name.har")
    echo "$msgs"
    expect_match "$msgs" "^page_1 ws://ws\\.hotjar\\.com:[0-9]+/ws\\?tag=$name \\{\"$name\":" \
        "$name socket: its message is captured on the page"
done

# 4. A 60 s "engaged visitor" timer is brought forward at the leave like the 15 s one of
# scan_browser_gaps (captured once, on its page); a 20-minute one is still not run.
scan engaged /engaged/ 1 --no-interact
expect_code 0 $? "60 s timer: scan"
ev=$(jq -r '.log.entries[] | select(.request.url | test("facebook\\.com/tr")) | "\(.pageref) \(.request.url | capture("ev=(?<e>[^&]*)").e)"' "$T/engaged.har" | sort | uniq -c | sed 's/^ *//' | tr '\n' ' ')
echo "beacons: $ev"
expect_match "$ev" "(^| )1 page_1 Engaged60 " "60 s timer: its beacon is captured on its page, once"
expect_nomatch "$ev" 'Never' "60 s timer: a timer due in 20 minutes is not run"

finish
