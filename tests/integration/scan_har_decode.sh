#!/usr/bin/env bash
# scan_har_decode.sh — decoders end to end through `phiwall scan --har`: a Floodlight activity's
# ~oref page URL, a classic ga.js __utm.gif hit's utmp page and a GA4 click's ep.link_text reach
# the assessor's rules (tests/data/decode/floodlight_utm_click.har, hand-made).
set -u
. "$PW_SRC/tests/integration/lib.bash"
H="$PW_SRC/tests/data/decode/floodlight_utm_click.har"

command -v jq >/dev/null || skip "jq not installed (scripts/install-deps.sh)"
# rule, catalog entry, account, page of every finding (the JSON report: the text table's layout
# is docs/report-formats.md's business)
rows=$("$PHIWALL" scan --har "$H" --format json | jq -r '.findings[] | [.rule_id, .vendor.id, .account_id, .page.url] | join(" ")')
expect_code 0 $? "scan --format json"
expect_match "$rows" '^PW-CONDITION-URL floodlight 9630481 https://www\.demo-hospital\.org/patients/living-with-cancer/' "Floodlight's ~oref on a cancer page"
expect_match "$rows" '^PW-CONDITION-URL universal-analytics UA-111-1 https://www\.demo-hospital\.org/conditions/hiv/' "ga.js utmp on an HIV page"
expect_match "$rows" '^PW-BUTTON-TEXT ga4 G-DEMO1 ' "GA4 link text is button text"
out=$("$PHIWALL" scan --har "$H"); expect_code 0 $? "scan"
expect_match "$out" 'evidence: ~oref \(page URL\) = https://www\.demo-hospital\.org/patients/\[\[living-with-cancer\]\]' "~oref decoded as the page URL"
expect_match "$out" 'evidence: utmp \(page URL\) = https://www\.demo-hospital\.org/conditions/' "utmp resolved against utmhn"
# (the header line naming the lists loaded is no beacon)
expect_nomatch "$(printf '%s\n' "$out" | grep -v '^Trackers recognised with:')" 'EasyPrivacy' "no beacon left to EasyPrivacy"
finish
