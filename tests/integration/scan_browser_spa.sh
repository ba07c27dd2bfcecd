#!/usr/bin/env bash
# scan_browser_spa.sh — modern front-ends (docs/scan-browser.md): a hash router's routes are pages
# of the crawl, a router that rewrites its URL does not cost the leave's cap, forms and consent
# banners inside web components' shadow roots, and banners in iframes, are filled, submitted and
# answered, a two-step form's second step is filled and sent, a form its script sends costs no
# wait for a load event, and messages a tracker sends over a WebSocket are captured (--no-contain)
# or, by default, the tracker's socket is blocked before it sends anything (also from a worker or a
# cross-site iframe). Earlier versions scanned a hash-routed app as its start page alone, waited 5 s more on every page whose
# URL a router had rewritten, saw nothing inside shadow roots (no Lead beacon; a `consent` note
# saying no banner was found) or in a banner's iframe, no second step of a form, waited 10 s after
# a script-sent form, and saw no WebSocket message — and then let the tracker's socket send the
# page URL and the canary address to the vendor during a contained scan. Uses
# helpers/spa_site.py; about 60 s.
set -u
. "$PW_SRC/tests/integration/lib.bash"
browser_test_site spa_site.py

scan() { # name path max-pages [args…]; $T/<name>.{json,har,err}
    local name=$1 path=$2 pages=$3
    shift 3
    timeout 120 "$PHIWALL" scan "$BASE$path" --settle 400 --no-sitemap --max-pages "$pages" \
        --browser-arg="--host-resolver-rules=MAP ws.hotjar.com 127.0.0.1, MAP frames.test 127.0.0.1, MAP * ~NOTFOUND, EXCLUDE 127.0.0.1" \
        --verbose --format json -o "$T/$name.json" --har-out "$T/$name.har" "$@" 2>"$T/$name.err"
}
beacons() { # name: "ev dl" of every Meta beacon in the HAR
    jq -r '.log.entries[].request.url | select(test("facebook\\.com/tr")) | capture("ev=(?<e>[^&]*).*dl=(?<d>[^&]*)") | "\(.e) \(.d | @uri "\(.)" | gsub("%25";"%"))"' "$T/$1.har" 2>/dev/null
}

# A hash router: its routes are crawled, each a page named and titled as the app shows it, and
# the condition route's PageView is judged on that page.
scan hash /hash/ 3 --no-interact
expect_code 0 $? "hash router: scan"
pages=$(jq -r '.log.pages[] | "\(.title)=\(.id)"' "$T/hash.har")
visits=$(grep -o '^phiwall: scan: visit [^ ]*' "$T/hash.err" | sed "s|^phiwall: scan: visit $BASE||" | tr '\n' ' ')
echo "visited: $visits"
expect_match "$visits" '/hash/#!/conditions/hiv' "hash router: the #!/conditions/hiv route is visited"
expect_match "$visits" '/hash/#/find-a-doctor' "hash router: the #/find-a-doctor route is visited"
expect_match "$(jq -r '.findings[] | select(.rule_id == "PW-CONDITION-URL") | "\(.page.url) \(.page.title)"' "$T/hash.json")" \
    "^$BASE/hash/#!/conditions/hiv HIV care\$" "hash router: the condition route's PageView is a finding on its page, with its title"
expect_code 3 "$(jq '.log.pages | length' "$T/hash.har")" "hash router: three pages in the HAR ($pages)"
hiv=$(jq -r --arg u "$BASE/hash/#!/conditions/hiv" '.log.pages[] | select(._url == $u) | .id' "$T/hash.har")
expect_match "$(jq -r --arg p "$hiv" '.log.entries[] | select(.pageref == $p) | .request.url | select(test("ev=Leave"))' "$T/hash.har")" \
    'conditions%2Fhiv' "hash router: the route's pagehide beacon is on the route's page"

# A router that rewrites the URL at load (/routed/ → /routed/home): the leave still recognises the
# document's unload marker, so the next page starts at once instead of after the marker's cap
# (5 s at --settle 400; earlier versions: 5.5-6 s between the two documents). The scan says when
# a leave waited its cap (--verbose): checked on that line, not on the time between the two
# documents, which a loaded machine (ASan at load 40: 5.3 s) stretches past any fixed limit.
# The control: the same router on a page whose pagehide listener stops the event before the
# scan's marker (the window's last listener) sends anything, where the leave does wait its cap:
# the line is there, so its absence above is no check that cannot fail.
capped() { grep -F 'no unload marker within' "$T/$1.err"; }
scan routed /routed/ 2 --no-interact
expect_code 0 $? "rewritten URL: scan"
expect_code 2 "$(grep -c '^phiwall: scan: visit ' "$T/routed.err")" "rewritten URL: both pages visited"
[ -z "$(capped routed)" ] && pass || fail "rewritten URL: the leave waited for its cap: $(capped routed)"
scan held /held/ 1 --no-interact
expect_code 0 $? "no unload marker (control): scan"
expect_match "$(capped held)" "leave $BASE/held/(home)?: no unload marker within 5000 ms: the leave waited its cap" \
    "no unload marker (control): the leave that waits its cap is said"

# A form inside a web component's shadow root is filled and submitted.
scan shadow /shadow/ 1
expect_code 0 $? "shadow form: scan"
expect_match "$(jq -r '.log.entries[].request.url | select(test("ev=Lead"))' "$T/shadow.har")" \
    'udff%5Bem%5D=marisol\.canary\.[a-z0-9]*%40example\.org' "shadow form: its Lead beacon carries the canary address"
expect_match "$(jq -r '.findings[].rule_id' "$T/shadow.json" | sort -u | tr '\n' ' ')" 'PW-FORM-VALUES' \
    "shadow form: the typed values are reported"

# A form its script sends (fetch, no navigation): the page stays, and is left after the settles,
# not after waiting half of --timeout (10 s) for a load event that never comes.
scan jsform /jsform/ 1 --timeout 20
expect_code 0 $? "script-sent form: scan"
ms() { jq -r --arg e "$2" '[.log.entries[] | select(.request.url | test("ev=" + $e + "&")) | .startedDateTime | sub("\\.[0-9]+Z$"; "Z") as $s | (.[20:23] | tonumber) as $ms | ($s | fromdateiso8601) * 1000 + $ms] | .[0] // empty' "$T/$1.har"; }
lead=$(ms jsform Lead) leave=$(ms jsform Leave)
echo "script-sent form: Lead at ${lead:-?}, pagehide beacon at ${leave:-?}"
[ -n "$lead" ] && [ -n "$leave" ] && [ $((leave - lead)) -lt 6000 ] && pass ||
    fail "script-sent form: the page was left $((${leave:-0} - ${lead:-0})) ms after the submission (waited for a load event)"

# A two-step form: "Next" is pressed, the second step filled, and its "Submit request" sends both
# steps' values.
scan steps /steps/ 1
expect_code 0 $? "two-step form: scan"
lead=$(jq -r '.log.entries[].request.url | select(test("ev=Lead"))' "$T/steps.har")
expect_match "$lead" 'udff%5Bem%5D=marisol\.canary\.[a-z0-9]*%40example\.org' "two-step form: the first step's address is sent"
expect_match "$lead" 'udff%5Bdb%5D=[0-9]{2}%2F[0-9]{2}%2F[0-9]{4}' "two-step form: the second step (date of birth) was filled"

# A consent banner inside a shadow root, or in an iframe, is answered, either way.
for c in shadow:accept:Accepted frame:reject:Rejected; do
    where=${c%%:*} answer=${c#*:} answer=${answer%%:*} n="consent-${c%%:*}"
    scan "$n" "/consent-$where/" 1 --no-interact --consent "$answer"
    expect_code 0 $? "$where banner: --consent $answer"
    expect_match "$(beacons "$n")" "^Consent${c##*:} " "$where banner: --consent $answer pressed its button"
    expect_code 0 "$(jq '[.notes[] | select(.kind == "consent")] | length' "$T/$n.json")" \
        "$where banner: --consent $answer: no 'no banner found' note"
done

# WebSockets. The site's /ws endpoint plays the vendor (ws.hotjar.com, a catalog endpoint) and
# records every handshake and message it receives (/ws-log). With containment (the default) the
# tracker's socket is stopped before its handshake: nothing reaches the vendor — earlier versions
# sent it the page URL and the typed canary address — and the contained socket is still a request
# of the page, so Hotjar is reported, with a header saying it was contained (its messages, taken
# by phiwall's stand-in socket, are scan_browser_gaps.sh's).
vendor() { curl --noproxy '*' -s "$BASE/ws-log"; }
vendor >/dev/null
scan ws /ws/ 1
expect_code 0 $? "websocket, contained: scan"
got=$(vendor)
echo "the vendor's socket received (contained): ${got:-nothing}"
[ -z "$got" ] && pass || fail "websocket, contained: the vendor's socket received: $got"
expect_nomatch "$got" 'marisol\.canary' "websocket, contained: no canary address reached the vendor"
blocked=$(jq -r '.log.entries[] | select(.request.method == "WEBSOCKET") | "\(.pageref) \(.request.url) \(.request.headers[] | select(.name == "X-Phiwall-Contained") | .value)"' "$T/ws.har")
echo "$blocked"
expect_match "$blocked" "^page_1 ws://ws\\.hotjar\\.com:[0-9]+/ws WebSocket contained: no handshake" \
    "websocket, contained: the contained socket is a request of its page, marked as contained"
expect_match "$(grep -c 'contain WebSocket ws://ws.hotjar.com.*no handshake' "$T/ws.err")" '^[1-9]' "websocket, contained: --verbose says it was contained"
expect_match "$(jq -r '.findings[] | select(.vendor.id == "hotjar") | .rule_id' "$T/ws.json" | sort -u | tr '\n' ' ')" \
    'PW-SESSION-REPLAY' "websocket, contained: Hotjar is still reported, from its blocked socket"

# --no-contain: the socket connects, the vendor receives the page URL and the typed address (the
# test's stand-in vendor works), and each message is a request of the page and a finding.
scan wsopen /ws/ 1 --no-contain
expect_code 0 $? "websocket, --no-contain: scan"
got=$(vendor)
echo "the vendor's socket received (--no-contain): $got"
expect_match "$got" "MSG \\{\"url\":\"$BASE/ws/\"" "websocket, --no-contain: the vendor received the page URL"
expect_match "$got" 'MSG \{"input":"marisol\.canary\.[a-z0-9]*@example\.org"' "websocket, --no-contain: the vendor received the typed address"
msgs=$(jq -r '.log.entries[] | select(.request.method == "WEBSOCKET") | "\(.pageref) \(.request.url) \(.request.postData.text)"' "$T/wsopen.har")
echo "$msgs"
expect_match "$msgs" "^page_1 ws://ws\\.hotjar\\.com:[0-9]+/ws \\{\"url\":\"$BASE/ws/\"" "websocket: the message with the page URL is captured on its page"
expect_match "$msgs" 'marisol\.canary\.[a-z0-9]*@example\.org' "websocket: the message with the typed address is captured"
expect_match "$(jq -r '.findings[] | select(.vendor.id == "hotjar") | .rule_id' "$T/wsopen.json" | sort -u | tr '\n' ' ')" \
    'PW-FORM-VALUES.*PW-SESSION-REPLAY' "websocket: Hotjar's messages are findings"

# The same socket opened by a dedicated worker and by a cross-site (out-of-process) iframe: each
# target of the page is guarded, so with containment the vendor receives nothing from either
# (without --no-contain's two handshakes the check would prove nothing).
scan wsmore /ws-more/ 1 --no-interact
expect_code 0 $? "websocket in a worker and a cross-site frame, contained: scan"
got=$(vendor)
echo "the vendor's socket received (worker, frame; contained): ${got:-nothing}"
[ -z "$got" ] && pass || fail "websocket in a worker or a cross-site frame, contained: the vendor's socket received: $got"
expect_code 2 "$(grep -c 'contain WebSocket ws://ws.hotjar.com.*no handshake' "$T/wsmore.err")" "websocket in a worker and a cross-site frame: both contained"
expect_match "$(jq -r '.log.entries[] | select(.request.method == "WEBSOCKET") | .request.postData.text // empty' "$T/wsmore.har" | sort | tr '\n' ' ')" \
    '\{"frame":"http://frames\.test:[0-9]+/ws-frame/"\} \{"worker":' \
    "websocket in a worker and a cross-site frame, contained: both messages are captured, none sent"
scan wsmoreopen /ws-more/ 1 --no-interact --no-contain
got=$(vendor)
echo "the vendor's socket received (worker, frame; --no-contain): $got"
expect_match "$got" 'MSG \{"worker":' "websocket in a worker, --no-contain: the vendor received its message"
expect_match "$got" 'MSG \{"frame":"http://frames\.test:' "websocket in a cross-site frame, --no-contain: the vendor received its message"

finish
