#!/usr/bin/env bash
# gateway_check_userdata.sh — `phiwall gateway --check` warns when a destination sends user_data
# (hashed email/phone: advanced matching) with care events or care pages (docs/gateway.md,
# `user_data`), and the demo policy, like the shipped example, sends none.
set -u
. "$PW_SRC/tests/integration/lib.bash"
export PHIWALL_SITE_KEY=0123456789abcdef-integration PHIWALL_META_TOKEN=x PHIWALL_GA4_SECRET=x
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

for f in "$PW_SRC/demo/gateway.demo.yaml" "$PW_SRC/contrib/gateway.example.yaml"; do
    out=$("$PHIWALL" gateway --check "$f" 2>&1)
    expect_code 0 $? "--check $(basename "$f")"
    expect_match "$out" 'user_data \(consent\.ads, SHA-256\): \[\]$' "$(basename "$f"): no user_data"
    expect_nomatch "$out" 'warning' "$(basename "$f"): no warning"
    expect_match "$out" ': OK$' "$(basename "$f"): OK"
done

# the demo policy with advanced matching (as it was until 30 November 2026): warned, not refused
sed 's|^    user_data: \[\]$|    user_data: [em, ph]|' "$PW_SRC/demo/gateway.demo.yaml" >"$dir/ud.yaml"
grep -q 'user_data: \[em, ph\]' "$dir/ud.yaml" || fail "ud.yaml not written"
out=$("$PHIWALL" gateway --check "$dir/ud.yaml" 2>&1)
expect_code 0 $? "--check with user_data: warnings, not an error"
echo "$out" | grep warning
expect_match "$out" '^# warning: destinations\.meta\.user_data with events\.appointment_request -> Schedule: a care event' "Schedule warned"
expect_match "$out" '^# warning: destinations\.meta\.user_data with events\.newsletter_signup -> Lead' "Lead warned"
expect_match "$out" '^# warning: destinations\.meta\.user_data with events\.contact -> Contact' "Contact warned"
expect_nomatch "$out" 'events\.page_view -> PageView' "a page view is not a care event by its name"
expect_match "$out" '^# warning: destinations\.meta\.user_data with page_categories\./appointments\* -> scheduling' "care page category warned"
expect_match "$out" '^# warning: destinations\.meta\.user_data with page_categories\./find-a-doctor\* -> find_doctor' "doctor pages warned"
expect_nomatch "$out" 'page_categories\./parking\*' "a parking page is not a care page"
expect_match "$out" '^# warning: destinations\.meta\.user_data with default_category other' "the default category warned"
expect_nomatch "$out" 'destinations\.ga4\.user_data' "no user_data for ga4: no warning"
expect_match "$out" ': OK \(with warnings\)$' "OK (with warnings)"

# user_data with only events that say nothing about care, and no page categories: no warning
cat >"$dir/ok.yaml" <<Y
site:
  origins: [https://www.example-hospital.org]
  hmac_key_env: PHIWALL_SITE_KEY
destinations:
  meta:
    type: meta
    pixel_id: "1"
    access_token_env: PHIWALL_META_TOKEN
    events: {job_application_opened: ViewContent}
    page_url: drop
    user_data: [em]
Y
out=$("$PHIWALL" gateway --check "$dir/ok.yaml" 2>&1)
expect_code 0 $? "--check careers-only user_data"
expect_nomatch "$out" 'warning' "no care event, no page category: no warning"
finish
