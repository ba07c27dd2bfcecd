#!/usr/bin/env bash
# scan_browser_gaps8.sh — frames' unload beacons, on helpers/gaps8_site.py:
# /fhide/   a same-origin frame's pagehide listener that works 1 s before it sends its beacon:
#           the beacon is captured, on its page (the frame's first pagehide listener announces its
#           unload marker with a request the scan answers, and the leave waits for the marker of
#           each frame that announced one; before, it waited for the top document's alone, then
#           300 ms and a quiet window, and lost the beacon every time); the announce is not in the
#           frame's performance timeline (one sent at pageshow was);
# /quiet/   frames that never announce (a sandbox frame without scripts, an about:blank frame the
#           page wrote into, a srcdoc frame, another site's frame in its own process), /fcsp/ a
#           frame whose CSP refuses requests to its own origin, /forge/ a page that sends a
#           frame's announce and marker itself, /fremove/ a frame the page removes in its own
#           pagehide (it announces and sends its marker as it is removed) and /unshown/ a frame
#           whose document never ends loading: none makes the leave wait its cap;
# the scan never enables the Runtime domain (bot checks notice it: browser-gaps8 announced frames
# through Runtime.addBinding, whose events need Runtime.enable), and phiwall's own requests are in
# no report.
# The previous binary (d27c3b8) fails the 3 checks of /fhide/'s beacon and its leave. ~60 s.
set -u
. "$PW_SRC/tests/integration/lib.bash"
browser_test_site gaps8_site.py

site_scan fhide "$BASE/fhide/" "slow frame beacon" --max-pages 1 --no-interact
expect_match "$(jq -r '.log.entries[] | select((.request.postData.text // "") | contains("ev=FrameHide"))
    | "\(.pageref) \(.response.status)"' "$T/fhide.har")" '^page_1 204$' \
    "slow frame beacon: the frame's late pagehide beacon is in the HAR, on its page"
expect_match "$(jq -r '.findings[].event_name' "$T/fhide.json")" '^FrameHide$' \
    "slow frame beacon: reported"
expect_nomatch "$(grep -F 'waited its cap' "$T/fhide.err")" . "slow frame beacon: the leave did not wait its cap"
expect_match "$(grep -F 'for its unload marker and those of' "$T/fhide.err")" \
    'fhide/: [0-9]+ ms .* those of the 1 frames that announced one \(0 not sent\)$' \
    "slow frame beacon: the frame announced its marker and sent it"
for path in quiet fremove unshown fcsp forge; do
    site_scan "$path" "$BASE/$path/" "$path" --max-pages 1 --no-interact
    echo "$path: $(grep -hF -e 'waited its cap' -e 'for its unload marker and those' "$T/$path.err")"
    expect_match "$(jq -r '.findings[].event_name' "$T/$path.json")" '^PageView$' "$path: the page was scanned"
    expect_nomatch "$(grep -F 'frames sent no unload marker' "$T/$path.err")" . \
        "$path: the leave waited for no frame's marker past its cap"
done
# The top document's own marker: a page that removes a frame in its pagehide loses, now and then,
# every beacon its later listeners send, the scan's marker too (measured with Chromium 156 and
# d27c3b8: 3 of 6 runs), and the leave waits its cap for it, as before: /fremove/ is not checked
# for that.
for path in quiet unshown fcsp forge; do
    expect_nomatch "$(grep -F 'waited its cap' "$T/$path.err")" . "$path: the leave did not wait its cap"
done
for path in quiet fcsp forge; do
    expect_match "$(grep -hF 'for its unload marker and those of' "$T/$path.err")" 'those of the 0 frames' \
        "$path: no frame announced a marker"
done
for path in fremove unshown; do
    expect_match "$(grep -hF 'for its unload marker and those of' "$T/$path.err")" 'announced one \(0 not sent\)$' \
        "$path: each frame that announced a marker sent it"
done
urls=$(jq -r '.log.entries[].request.url' "$T/quiet.har")
expect_nomatch "$urls" 'ev=Sandboxed' "quiet: the sandbox frame ran no script"
expect_match "$urls" '^https://www\.facebook\.com/tr\?.*ev=OtherSite' "quiet: the other site's frame ran its script"
# phiwall's own requests (the announces, the markers, the page's forged ones) are no request of
# any page
for n in fhide quiet fremove unshown fcsp forge; do
    expect_nomatch "$(cat "$T/$n.har" "$T/$n.json")" '__phiwall_' "$n: no request of phiwall's own in the report"
done
# the frame's performance timeline at load (+300 ms): the announce is not in it
rt=$(jq -r '.log.entries[].request.url | select(test("ev=Timing"))' "$T/fhide.har" | tr '&' '\n' | sed -n 's/^rt=//p')
echo "fhide/f's resources at load: ${rt:-none}"
expect_match "$(jq -r '.log.entries[].request.url' "$T/fhide.har")" 'ev=Timing' "slow frame beacon: the frame's Timing beacon was sent"
expect_nomatch "$rt" '__phiwall' "slow frame beacon: no script of the frame sees the announce"
# the scan sends no Runtime.enable (nor a binding) on any session: --verbose logs what it sends
sent=$(grep -hF 'scan: >> {' "$T"/*.err)
expect_match "$sent" '"method":"Page.addScriptToEvaluateOnNewDocument"' "the CDP messages the scan sends are logged"
expect_nomatch "$sent" '"method":"Runtime\.(enable|addBinding)"' "the scan never enables the Runtime domain"
finish
