#!/usr/bin/env bash
# scan_filter_lists.sh — `phiwall scan` chooses its filter lists with the options of `phiwall
# trackers` (--easyprivacy FILE | --no-easyprivacy, --easylist FILE | --no-easylist), with the same
# meaning: a scan with --no-easylist reports no tracker that only EasyList names; the live-site
# scan takes the same options (a missing explicit list is a runtime error naming the file).
set -u
. "$PW_SRC/tests/integration/lib.bash"
command -v jq >/dev/null || skip "jq not installed (scripts/install-deps.sh)"
HAR="$PW_SRC/tests/data/har/easylist_only.har" # a condition page; adserver.example, action.media6degrees.com
L="$PW_SRC/tests/data/decode"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
easylist_hosts() { jq -r '[.findings[] | select(.vendor.id == "easylist") | .request.url] | unique | join(" ")' "$1"; }

# an explicit EasyList: its host rule names adserver.example
"$PHIWALL" scan --har "$HAR" --easyprivacy "$L/mini_easyprivacy.txt" --easylist "$L/mini_easylist.txt" \
    --format json -o "$T/el.json"
expect_code 0 $? "scan --easylist FILE"
expect_match "$(easylist_hosts "$T/el.json")" '^https://adserver\.example/pixel\.gif$' "EasyList host reported"

# --no-easylist: nothing that only EasyList names, in any format
"$PHIWALL" scan --har "$HAR" --easyprivacy "$L/mini_easyprivacy.txt" --no-easylist --format json -o "$T/no.json"
expect_code 0 $? "scan --no-easylist"
expect_code 0 "$(jq '[.findings[] | select(.vendor.id == "easylist")] | length' "$T/no.json")" "no EasyList finding"
expect_code 0 "$(jq '.summary.beacons' "$T/no.json")" "no EasyList beacon"
out=$("$PHIWALL" scan --har "$HAR" --no-easylist)
expect_nomatch "$(printf '%s\n' "$out" | grep -v '^Trackers recognised with:')" 'adserver\.example|media6degrees|EasyList' "text report without EasyList trackers"
expect_match "$out" '^Trackers recognised with: catalog [0-9]+ entries; EasyPrivacy .* \([0-9]+ rules, no version in its header; file dated [0-9]{4}-[0-9]{2}-[0-9]{2}\); EasyList not loaded$' "the text report names the lists loaded, a list without a version dated by its file"

# --no-easyprivacy alone loads no list; with --easylist FILE only EasyList (as for trackers)
"$PHIWALL" scan --har "$HAR" --no-easyprivacy --format json -o "$T/none.json"
expect_code 0 "$(jq '.summary.beacons' "$T/none.json")" "--no-easyprivacy: no filter list at all"
"$PHIWALL" scan --har "$HAR" --no-easyprivacy --easylist "$L/mini_easylist.txt" --format json -o "$T/elonly.json"
expect_match "$(easylist_hosts "$T/elonly.json")" 'adserver\.example' "--no-easyprivacy --easylist FILE"

# the default is Debian's EasyList when installed (media6degrees.com is on it, not on EasyPrivacy,
# and not in the catalog: eyeota.net, the host used before, is a catalog entry since 2026-11-30)
deb=/usr/share/chromium/extensions/ublock-origin/assets/thirdparties/easylist/easylist.txt
if [ -r "$deb" ]; then
    "$PHIWALL" scan --har "$HAR" --format json -o "$T/default.json"
    expect_match "$(easylist_hosts "$T/default.json")" 'action\.media6degrees\.com' "Debian's EasyList by default"
    "$PHIWALL" scan --har "$HAR" --no-easylist --format json -o "$T/default-no.json"
    expect_nomatch "$(jq -c '.findings' "$T/default-no.json")" 'media6degrees' "--no-easylist drops Debian's EasyList"
    # Debian's copies carry "%timestamp%", no version: the report dates each by its file (UTC),
    # where it said null and nothing else before
    day=$(date -u -r "$deb" +%F)
    expect_match "$(jq -c '[.tool.filter_lists[] | select(.name == "EasyList") | .version, .file_date]' "$T/default.json")" \
        "^\[null,\"$day\"\]\$" "Debian's EasyList: no version, dated by its file"
    expect_match "$("$PHIWALL" scan --har "$HAR" | grep '^Trackers recognised with:')" \
        "EasyList $deb \([0-9]+ rules, no version in its header; file dated $day\)" "the text report dates Debian's EasyList, said as such"
fi

# a missing explicit list: exit 3 naming it, for --har and for a live-site scan
e=$("$PHIWALL" scan --har "$HAR" --easylist "$T/missing.txt" 2>&1); expect_code 3 $? "--har, missing --easylist"
expect_match "$e" "$T/missing.txt" "the missing list is named (--har)"
e=$("$PHIWALL" scan http://127.0.0.1:9/ --static --easyprivacy "$T/missing.txt" 2>&1)
expect_code 3 $? "live scan, missing --easyprivacy"
expect_match "$e" "$T/missing.txt" "the missing list is named (live scan)"

# SARIF: a filter-list company's fingerprint is the company (its registrable domain), not the
# host that gave the evidence: two captures that meet a.metrics-collector.example and
# b.metrics-collector.example in either order give one alert identity
two_hosts() { # first host, second host: the condition page, then one beacon to each
    jq --arg a "https://$1/p.gif" --arg b "https://$2/p.gif" '.log.entries as $e | .log.entries =
        [$e[0], ($e[1] | .request.url = $a | .startedDateTime = "2024-05-01T12:00:01.000Z"),
                ($e[1] | .request.url = $b | .startedDateTime = "2024-05-01T12:00:02.000Z")]' "$HAR"
}
fingerprints() { jq -r '[.runs[0].results[].partialFingerprints."phiwallFinding/v1"] | join(" ")' "$1"; }
for order in "a b" "b a"; do
    set -- $order
    two_hosts "$1.metrics-collector.example" "$2.metrics-collector.example" >"$T/$1$2.har"
    "$PHIWALL" scan --har "$T/$1$2.har" --easyprivacy "$L/mini_easyprivacy.txt" --no-easylist \
        --format sarif -o "$T/$1$2.sarif"
    expect_code 0 $? "scan, $1.metrics-collector.example met first"
    expect_match "$(jq -r '.runs[0].results[0].message.text' "$T/$1$2.sarif")" \
        "at $1\.metrics-collector\.example " "the message names the host of the evidence ($1)"
done
expect_match "$(fingerprints "$T/ab.sarif")" \
    '^PW-CONDITION-URL\|easyprivacy\|metrics-collector\.example\|www\.demo-hospital\.org/conditions/asthma$' \
    "fingerprint names the company"
# JSON names the company beside the request's host; a catalog tracker has none
for order in ab ba; do
    "$PHIWALL" scan --har "$T/$order.har" --easyprivacy "$L/mini_easyprivacy.txt" --no-easylist \
        --format json -o "$T/$order.json"
    expect_match "$(jq -r '[.findings[] | select(.vendor.id == "easyprivacy") | .company] | unique | join(" ")' "$T/$order.json")" \
        '^metrics-collector\.example$' "JSON company of the filter-list finding ($order)"
done
expect_match "$(jq -r '[.findings[] | select(.vendor.id != "easyprivacy") | .company] | unique | join(" ")' "$T/ab.json")" \
    '^$' "JSON company is null for catalog trackers"
fp_ab=$(fingerprints "$T/ab.sarif") fp_ba=$(fingerprints "$T/ba.sarif")
[ -n "$fp_ab" ] && [ "$fp_ab" = "$fp_ba" ] && pass ||
    fail "same fingerprint whichever host came first: '$fp_ab' vs '$fp_ba'"

# documented in scan --help with trackers' wording
help=$("$PHIWALL" scan --help)
for o in '--easyprivacy FILE' '--no-easyprivacy' '--easylist FILE' '--no-easylist'; do
    expect_match "$help" "$o" "scan --help names $o"
done
finish
