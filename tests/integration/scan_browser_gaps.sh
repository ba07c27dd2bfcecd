#!/usr/bin/env bash
# scan_browser_gaps.sh — leaks the browser scan used not to see (docs/scan-browser.md): what a
# contained tracker's WebSocket would have sent (a stand-in socket takes its messages: captured,
# none sent), a form inside a closed shadow root, an engagement beacon sent when the page becomes
# hidden (visibilitychange), and the routes of a single-page app whose navigation has no link
# (<div onclick>, role=link, a router's push) — without ever pressing "Log out" or "Delete".
# Earlier versions: the contained socket failed to connect, so its messages (the page URL, the
# typed address) were never observed; the closed root's form was not filled (no Lead beacon); the
# engagement beacon never came; the app was scanned as its start page alone. Uses
# helpers/gaps_site.py; about 40 s.
set -u
. "$PW_SRC/tests/integration/lib.bash"
browser_test_site gaps_site.py

scan() { # name path max-pages [args…]; $T/<name>.{json,har,err}
    local name=$1 path=$2 pages=$3
    shift 3
    timeout 120 "$PHIWALL" scan "$BASE$path" --settle 400 --no-sitemap --max-pages "$pages" \
        --browser-arg="--host-resolver-rules=MAP ws.hotjar.com 127.0.0.1, MAP * ~NOTFOUND, EXCLUDE 127.0.0.1" \
        --verbose --format json -o "$T/$name.json" --har-out "$T/$name.har" "$@" 2>"$T/$name.err"
}
vendor() { curl --noproxy '*' -s "$BASE/ws-log"; }

# 1. A contained tracker's WebSocket: no handshake and no byte reaches the vendor, yet every
# message the page sent on it (text and binary, the typed address) is a captured message of the
# page, marked as contained, and a finding.
vendor >/dev/null
scan ws /ws/ 1
expect_code 0 $? "websocket, contained: scan"
got=$(vendor)
echo "the vendor's socket received (contained): ${got:-nothing}"
[ -z "$got" ] && pass || fail "websocket, contained: the vendor's socket received: $got"
msgs=$(jq -r '.log.entries[] | select(.request.method == "WEBSOCKET") | "\(.pageref) \(.request.url) [\(.request.headers[] | select(.name == "X-Phiwall-Contained") | .value)] \(.request.postData.text // "-")"' "$T/ws.har")
echo "$msgs"
expect_match "$msgs" "^page_1 ws://ws\\.hotjar\\.com:[0-9]+/ws \\[WebSocket contained[^]]*\\] \\{\"url\":\"$BASE/ws/\"\\}" \
    "websocket, contained: the message with the page URL is captured on its page, marked contained"
expect_match "$msgs" 'marisol\.canary\.[a-z0-9]*@example\.org' "websocket, contained: the message with the typed address is captured"
expect_match "$msgs" "$(printf 'bin:Diabetes care' | base64)" "websocket, contained: the binary message is captured (base64)"
expect_match "$(jq -r '.findings[] | select(.vendor.id == "hotjar") | .rule_id' "$T/ws.json" | sort -u | tr '\n' ' ')" \
    'PW-FORM-VALUES.*PW-SESSION-REPLAY' "websocket, contained: Hotjar's captured messages are findings"
expect_match "$(grep -c 'contain WebSocket ws://ws.hotjar.com.*message of' "$T/ws.err")" '^[3-9]' \
    "websocket, contained: --verbose names each captured message"
expect_code 0 "$(cat "$T/ws.json" "$T/ws.har" | grep -c 'URL with credentials')" \
    "websocket, contained: a message without an initiator is not said to come from a \"(URL with credentials)\""

# 2. A form inside a closed shadow root is found, filled and submitted.
scan closed /closed/ 1
expect_code 0 $? "closed shadow form: scan"
expect_match "$(jq -r '.log.entries[].request.url | select(test("ev=Lead"))' "$T/closed.har")" \
    'udff%5Bem%5D=marisol\.canary\.[a-z0-9]*%40example\.org' "closed shadow form: its Lead beacon carries the canary address"
expect_match "$(jq -r '.findings[].rule_id' "$T/closed.json" | sort -u | tr '\n' ' ')" 'PW-FORM-VALUES' \
    "closed shadow form: the typed values are reported"

# 3. Timer and engagement beacons: the leave brings forward the page's timers due within 30 s
# (a time-on-page beacon at 15 s, a 10 s heartbeat, once) and then makes the page hidden: its
# visibilitychange beacons (sendBeacon and image) are captured, on its page, each once; a timer
# due in 20 minutes is not run.
scan engage /engage/ 1 --no-interact
expect_code 0 $? "timers and visibilitychange: scan"
ev=$(jq -r '.log.entries[] | select(.request.url | test("facebook\\.com/tr")) | "\(.pageref) \(.request.url | capture("ev=(?<e>[^&]*)").e)"' "$T/engage.har" | sort | uniq -c | sed 's/^ *//' | tr '\n' ' ')
echo "beacons: $ev"
for e in Engagement EngagementImage TimeOnPage Heartbeat; do
    expect_match "$ev" "(^| )1 page_1 $e " "timers and visibilitychange: the $e beacon is captured on its page, once"
done
expect_nomatch "$ev" 'Never' "timers: a timer due in 20 minutes is not run"

# 4. A single-page app whose navigation has no link: each route of a <div onclick>, a role=link
# span and a router.push button is found and visited as a page of its own; "Log out" and "Delete
# account" are never pressed.
scan app /app/ 4
expect_code 0 $? "app without links: scan"
visits=$(grep -o '^phiwall: scan: visit [^ ]*' "$T/app.err" | sed "s|^phiwall: scan: visit $BASE||" | sort | tr '\n' ' ')
echo "visited: $visits"
for r in /app/cardiology /app/conditions/hiv /app/find-a-doctor; do
    expect_match "$visits" "$r( |\$)" "app without links: the route $r is visited"
done
expect_code 4 "$(jq '.log.pages | length' "$T/app.har")" "app without links: four pages in the HAR"
expect_match "$(jq -r --arg u "$BASE/app/conditions/hiv" '.findings[] | select(.rule_id == "PW-CONDITION-URL") | .page.url' "$T/app.json" | sort -u)" \
    "^$BASE/app/conditions/hiv\$" "app without links: the HIV route's PageView is a finding on its page"
pressed=$(jq -r '.log.entries[].request.url | select(test("ev=(Logout|Delete)"))' "$T/app.har")
[ -z "$pressed" ] && pass || fail "app without links: a destructive control was pressed: $pressed"

finish
