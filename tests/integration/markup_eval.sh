#!/usr/bin/env bash
# markup_eval.sh — phiwall's HAR analysis against The Markup's Blacklight inspections of six
# health nonprofits (../shared/data/markup-nonprofit-health): every Meta pixel ID and Meta event
# Blacklight saw must be found; every other disagreement (tracker domains, session recorders) is
# printed by bench/markup_eval.py for review.
set -u
. "$PW_SRC/tests/integration/lib.bash"
data=""
for d in "$PW_SRC/../shared/data" "$PW_SRC/../../shared/data"; do
    [ -d "$d/markup-nonprofit-health" ] && data="$d/markup-nonprofit-health" && break
done
[ -n "$data" ] || skip "../shared/data not present"
command -v python3 >/dev/null || skip "python3 not installed"
out=$(python3 "$PW_SRC/bench/markup_eval.py" "$PHIWALL" "$data"); rc=$?
printf '%s\n' "$out"
expect_code 0 $rc "no pixel ID or Meta event missed"
expect_match "$out" '^6 sites: Meta pixel IDs 18/18, Meta events 8/8' "pixel IDs and events found"
# The catalog alone (no EasyPrivacy, no EasyList) covers Blacklight's tracker domains too: the
# figure that does not measure EasyPrivacy against EasyPrivacy. The two it leaves are no vendor's:
# the site's own WP Engine CDN host and a news site's page embedded in an iframe.
n=$(printf '%s\n' "$out" | sed -n 's/^catalog alone .*: \([0-9]*\)\/[0-9]* of the compared.*/\1/p')
[ -n "$n" ] && [ "$n" -ge 183 ] && pass ||
    fail "the catalog alone covers at least 183 Blacklight tracker domains (got ${n:-none})"
expect_nomatch "$out" 'CATALOG ALONE misses domain (agkn.com|bidswitch.net|liadm.com|omtrdc.net|eloqua.com|abtasty.com|krxd.net|parsely.com|imrworldwide.com|medtargetsystem.com|bing.com):' \
    "ad tech, data brokers, analytics and A/B testing in the catalog"
# With Debian's lists (EasyPrivacy, and EasyList's host rules for the data brokers that moved
# there since 2021), nearly all of Blacklight's tracker domains are phiwall trackers too.
# No false gap: every failed request in the six HARs is a beacon, a site's own file or a data
# file (The Clinic KC's Optimera score file answered 403 for a page it had not scored, once a
# "failed tracker script": INCOMPLETE, exit 4), so each scan is complete and exits 0.
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
for site in "$data"/*/; do
    s=$(basename "$site")
    if [ -f "$site/requests.har.gz" ]; then gzip -dc "$site/requests.har.gz" >"$T/$s.har"; else cp "$site/requests.har" "$T/$s.har"; fi
    "$PHIWALL" scan --har "$T/$s.har" -o /dev/null 2>"$T/$s.err"
    expect_code 0 $? "$s: complete, no false gap ($(tr '\n' ' ' <"$T/$s.err"))"
done
lists=/usr/share/chromium/extensions/ublock-origin/assets/thirdparties/easylist
if [ -r "$lists/easyprivacy.txt" ] && [ -r "$lists/easylist.txt" ]; then
    # every Blacklight tracker domain the HAR has a request to is a phiwall tracker, and every
    # Blacklight session recorder (Lucky Orange's CloudFront distribution too) is phiwall's
    n=$(printf '%s\n' "$out" | sed -n 's/.*Blacklight tracker domains \([0-9]*\/[0-9]*\) .*/\1/p')
    [ -n "$n" ] && [ "${n%/*}" = "${n#*/}" ] && [ "${n#*/}" -ge 180 ] && pass ||
        fail "every compared Blacklight tracker domain found, at least 180 (got ${n:-none})"
    expect_nomatch "$out" 'DISAGREE (domain .*no tracker in phiwall|session recorder .*only Blacklight)' \
        "no Blacklight tracker or session recorder missed"
    expect_nomatch "$out" 'DISAGREE domain (eyeota.net|liadm.com|rfihub.com|ml314.com|tremorhub.com):' \
        "data brokers on today's EasyList found"
fi
finish
