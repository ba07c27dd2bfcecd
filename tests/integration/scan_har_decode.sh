#!/usr/bin/env bash
# scan_har_decode.sh — decoders end to end through `phiwall scan --har`: a Floodlight activity's
# ~oref page URL, a classic ga.js __utm.gif hit's utmp page and a GA4 click's ep.link_text reach
# the assessor's rules (tests/data/decode/floodlight_utm_click.har, hand-made).
set -u
. "$PW_SRC/tests/integration/lib.bash"
H="$PW_SRC/tests/data/decode/floodlight_utm_click.har"

out=$("$PHIWALL" scan --har "$H"); expect_code 0 $? "scan"
expect_match "$out" 'PW-CONDITION-URL +Floodlight / Campaig +9630481 +www\.demo-hospital\.org/patients/livi' "Floodlight's ~oref on a cancer page"
expect_match "$out" 'evidence: ~oref = https://www\.demo-hospital\.org/patients/\[\[living-with-cancer\]\]' "~oref decoded as the page URL"
expect_match "$out" 'PW-CONDITION-URL +Universal Analytics +UA-111-1 +www\.demo-hospital\.org/conditions/hi' "ga.js utmp on an HIV page"
expect_match "$out" 'evidence: utmp = https://www\.demo-hospital\.org/conditions/' "utmp resolved against utmhn"
expect_match "$out" 'PW-BUTTON-TEXT +Google Analytics 4 +G-DEMO1' "GA4 link text is button text"
expect_nomatch "$out" 'EasyPrivacy' "no beacon left to EasyPrivacy"
finish
