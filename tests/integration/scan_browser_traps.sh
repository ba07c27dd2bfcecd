#!/usr/bin/env bash
# scan_browser_traps.sh — what the crawl does not do is said, and traps do not eat the budget
# (tests/integration/helpers/crawl_site.py): an endless events calendar (a path trap) does not
# hide the condition page with the pixel behind it from a 12-page budget, and the report says
# the budget ran out (a note, in JSON, text and on stderr); a start URL that redirects to another
# site, and a robots.txt that disallows the rest of the site, are coverage gaps (INCOMPLETE,
# exit 4) rather than a complete 1-page scan; a pixel loaded by the accept click is not "before
# consent" (PW-CONSENT); --consent accept with a banner it cannot answer says so (a note); a
# sitemap index of slow child sitemaps neither holds the scan nor a Ctrl-C.
set -u
. "$PW_SRC/tests/integration/lib.bash"
[ -x /usr/bin/chromium ] || skip "chromium not installed"
command -v jq >/dev/null || skip "jq not installed (scripts/install-deps.sh)"
command -v python3 >/dev/null || skip "python3 not installed"
T=$(mktemp -d)
export TMPDIR=$T
SRVS=()
trap 'for p in "${SRVS[@]}"; do kill $p 2>/dev/null; wait $p 2>/dev/null; done; rm -rf "$T"' EXIT
# site NAME [VAR=VALUE…]: a crawl_site.py on its own port; sets BASE
site() {
    local name=$1
    shift
    env "$@" python3 "$PW_SRC/tests/integration/helpers/crawl_site.py" "$PW_SRC/demo/site/vendor" \
        >"$T/$name.port" 2>"$T/$name.log" &
    SRVS+=($!)
    wait_until "$PW_WAIT_S" grep -q PORT "$T/$name.port"
    BASE="http://127.0.0.1:$(awk '/PORT/{print $2}' "$T/$name.port")"
}
site main
MAP=(--map-host "connect.facebook.net=$BASE/vendor/connect.facebook.net"
    --browser-arg="--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost")
FAST=(--settle 300 --no-interact)

# an endless calendar: the diabetes page (3 links deep, behind "About") within 12 pages
timeout 300 "$PHIWALL" scan "$BASE/cal/" "${MAP[@]}" "${FAST[@]}" --max-pages 12 \
    --format json -o "$T/cal.json" 2>"$T/cal.err"
expect_code 0 $? "calendar scan: complete, no finding worse than the pixel's"
expect_match "$(jq -r '.pages[].url' "$T/cal.json")" '/cal/health/diabetes$' "the page behind the calendar was visited"
expect_match "$(jq -r '.findings[].page.url' "$T/cal.json")" '/cal/health/diabetes$' "its pixel reported"
cal=$(jq -r '.pages[].url' "$T/cal.json" | grep -c '/cal/events/')
[ "$cal" -le 8 ] && pass || fail "$cal of 12 pages were calendar pages"
expect_match "$(jq -r '.notes[] | select(.kind == "budget") | .error' "$T/cal.json")" \
    '^--max-pages 12 reached: [0-9]+ same-site URLs found were not visited' "the budget note (JSON)"
expect_match "$(jq -r .complete "$T/cal.json")" '^true$' "a budget is no incomplete scan"
expect_match "$(cat "$T/cal.err")" 'note: --max-pages 12 reached' "the budget note on stderr"

# the same budget in text: a NOTE line
timeout 300 "$PHIWALL" scan "$BASE/cal/" "${MAP[@]}" "${FAST[@]}" --max-pages 3 \
    --format text -o "$T/cal3.txt" 2>/dev/null
expect_match "$(cat "$T/cal3.txt")" 'NOTE: page budget reached' "the budget note (text)"

# the accept click loads the pixel: sent after the visitor's answer, no PW-CONSENT
timeout 300 "$PHIWALL" scan "$BASE/consent/" "${MAP[@]}" "${FAST[@]}" --depth 0 --consent accept \
    --format json -o "$T/accept.json" 2>"$T/accept.err"
expect_match "$(jq -r '.findings[].rule_id' "$T/accept.json")" '^PW-TRACKER|^PW-CONDITION' "the pixel the accept loaded is reported"
expect_nomatch "$(jq -r '.findings[].rule_id' "$T/accept.json")" '^PW-CONSENT$' "no PW-CONSENT for what the accept click loaded"
expect_code 0 "$(jq '.notes | length' "$T/accept.json")" "an answered banner: no note"

# a banner whose buttons phiwall does not know: --consent accept says it answered none
timeout 300 "$PHIWALL" scan "$BASE/consent/?a=Fine%20by%20me&r=Manage%20preferences" "${MAP[@]}" \
    "${FAST[@]}" --depth 0 --consent accept --format json -o "$T/unknown.json" 2>"$T/unknown.err"
expect_match "$(jq -r '.notes[] | select(.kind == "consent") | .error' "$T/unknown.json")" \
    '^--consent accept: no accept button of a consent banner was found' "the consent note (JSON)"
expect_match "$(cat "$T/unknown.err")" 'note: --consent accept: no accept button' "the consent note on stderr"
# "I understand" is a label it knows now
timeout 300 "$PHIWALL" scan "$BASE/consent/?a=I%20understand&r=Manage%20preferences" "${MAP[@]}" \
    "${FAST[@]}" --depth 0 --consent accept --format json -o "$T/understand.json" 2>/dev/null
expect_match "$(jq -r '.findings[].rule_id' "$T/understand.json")" '^PW-TRACKER|^PW-CONDITION' "'I understand' answered: the pixel is seen"

# a start URL that redirects to another site: a coverage gap, exit 4
timeout 300 "$PHIWALL" scan "$BASE/xs" "${MAP[@]}" "${FAST[@]}" --format json -o "$T/xs.json" \
    2>"$T/xs.err"
expect_code 4 $? "cross-site redirect: incomplete"
expect_match "$(jq -r '.incomplete_reasons[] | select(.kind == "coverage") | .error' "$T/xs.json")" \
    'redirected to http://localhost:[0-9]+/cal/, another site' "the coverage gap names the site"

# robots.txt Disallow: / on a staging site: a coverage gap, exit 4 (and --ignore-robots goes on)
site robots SITE_ROBOTS='User-agent: *\nDisallow: /'
timeout 300 "$PHIWALL" scan "$BASE/cal/" "${FAST[@]}" --format json -o "$T/robots.json" \
    2>"$T/robots.err"
expect_code 4 $? "robots.txt Disallow: / : incomplete"
expect_match "$(jq -r '.incomplete_reasons[] | select(.kind == "coverage") | .error' "$T/robots.json")" \
    '^robots.txt disallows the rest of the site' "the coverage gap says robots.txt"
expect_match "$(cat "$T/robots.err")" 'warning: robots.txt disallows' "and stderr says it"
timeout 300 "$PHIWALL" scan "$BASE/cal/" "${FAST[@]}" --ignore-robots --max-pages 3 --format json \
    -o "$T/robots2.json" 2>/dev/null
expect_code 3 "$(jq '.pages | length' "$T/robots2.json")" "--ignore-robots crawls on"

# a sitemap index of 20 child sitemaps taking 30 s each: Ctrl-C once the scan waits for the first
# stops the scan soon, well before that child's 30 s. (Timed from the Ctrl-C: timed from the
# start, at 3 s, the Ctrl-C could come while a loaded machine or ASan was still starting the
# browser, and the start's time counted against the bound: 16 s once.)
site sitemap SITE_SITEMAP=20
timeout 300 "$PHIWALL" scan "$BASE/cal/" "${FAST[@]}" --max-pages 2 --format json \
    -o "$T/sm.json" 2>"$T/sm.err" &
scan=$!
wait_until "$PW_WAIT_S" grep -q 'child sitemap' "$T/sitemap.log"
start=$(date +%s)
kill -INT $scan
wait $scan
expect_code 130 $? "Ctrl-C while reading sitemaps"
took=$(($(date +%s) - start))
[ "$took" -le 15 ] && pass || fail "Ctrl-C while reading sitemaps took $took s"
finish
