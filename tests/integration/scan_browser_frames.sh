#!/usr/bin/env bash
# scan_browser_frames.sh — forms inside iframes are filled and submitted like the page's own
# (docs/scan-browser.md, "Interaction"): /frameform embeds the appointment form (with the pixel,
# whose submit listener sends the typed values) in an iframe of the same site, and with
# ?frame=book.test of another site (an out-of-process frame with its own DevTools session).
# Earlier versions filled and submitted the top document's forms only: no Lead beacon, no
# PW-FORM-VALUES, a clean-looking report.
# Uses pw_browser_test_server; about 20 s.
set -u
. "$PW_SRC/tests/integration/lib.bash"
browser_test_setup

browser_test_server

scan() { # name query; $T/<name>.{json,har,err}
    timeout 120 "$PHIWALL" scan "$BASE/frameform$2" --settle 400 --no-sitemap --max-pages 1 \
        --map-host "connect.facebook.net=$BASE/vendor/connect.facebook.net" \
        --browser-arg="--host-resolver-rules=MAP book.test 127.0.0.1, MAP * ~NOTFOUND, EXCLUDE 127.0.0.1" \
        --verbose --format json -o "$T/$1.json" --har-out "$T/$1.har" 2>"$T/$1.err"
}

for c in "same:" "cross:?frame=book.test"; do
    name=${c%%:*}
    scan "$name" "${c#*:}"; expect_code 0 $? "$name-site frame: scan"
    lead=$(jq -r '.log.entries[] | select(.request.url | test("facebook\\.com/tr")) | .request.postData.text // empty' "$T/$name.har" | grep 'ev=Lead')
    expect_match "$lead" 'udff%5Bemail%5D=marisol\.canary|udff\[email\]=marisol\.canary' "$name-site frame: the form was filled and submitted (its Lead beacon has the canary address)"
    expect_match "$(jq -r '.findings[].rule_id' "$T/$name.json" | sort -u | tr '\n' ' ')" 'PW-FORM-VALUES' "$name-site frame: the typed values are reported"
    expect_match "$(grep -c 'scan: frame .*"submitted":1' "$T/$name.err")" '^1$' "$name-site frame: one submission"
done

finish
