#!/usr/bin/env bash
# gateway_tag_browser.sh — the first-party tag served by a real gateway, in a real headless
# Chromium (tests/data/gateway/tag_browser.mjs): an event in flight when a form navigates is
# delivered once and not stored again; 8 KB of site cookies do not reach the gateway (431) when
# the page is left; a refused origin gets a final 403 the tag can read (one post, not eight),
# counted in /metrics and logged with the origin; consent from an asynchronous CMP with
# data-wait-for-consent; a back/forward cache restore sends a page view.
set -u
. "$PW_SRC/tests/integration/lib.bash"
[ "${PW_SKIP_BROWSER:-0}" = 1 ] && skip "PW_SKIP_BROWSER=1"
[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || skip "chromium not installed"
command -v node >/dev/null || skip "node not installed"
gateway_test_dir
mock_upstream_start || fail "mock upstream did not start"
pp=$(free_port)
cat >"$dir/gw.yaml" <<Y
site:
  origins: [http://127.0.0.1:$pp]
  hmac_key_env: PHIWALL_SITE_KEY
ingest:
  rate_limit: {per_second: 200, burst: 400}
  trust_proxy: false
destinations:
  meta:
    type: meta
    pixel_id: "1"
    access_token_env: PHIWALL_META_TOKEN
    base_url: $mock
    events: {page_view: PageView, appointment_request: Schedule, contact: Contact}
    requires_consent: none
Y
gateway_start "$dir/gw.log" --config "$dir/gw.yaml" --spool "$dir/spool.db" --audit "$dir/audit.log" ||
    { fail "gateway did not start"; finish; exit; }
out=$(cd "$dir" && timeout 180 node "$PW_SRC/tests/data/gateway/tag_browser.mjs" "$PW_SRC" "http://127.0.0.1:$port" "$pp" 2>&1)
expect_code 0 $? "tag in Chromium"
echo "$out" | grep -v '^ok ' || true
expect_match "$out" "^PASS" "all browser tag checks"

# the refused origin: counted and logged (its origin, no path, no IP), the 403 readable by it
m=$(curl --noproxy '*' -s "http://127.0.0.1:$port/metrics")
expect_match "$m" '^phiwall_gateway_origin_refused_total [1-9]' "refused origin counted in /metrics"
expect_match "$(cat "$dir/gw.log")" "\"msg\":\"origin refused[^\"]*\".*\"origin\":\"http://localhost:$pp\"" "refused origin logged"
h=$(curl --noproxy '*' -s -D - -o /dev/null -H "Origin: https://evil.example" -H 'Content-Type: text/plain' \
    --data '{"events":[]}' "http://127.0.0.1:$port/e")
expect_match "$h" '^HTTP/1.1 403' "foreign origin: 403"
expect_match "$h" '^Access-Control-Allow-Origin: https://evil.example' "the 403 readable by the tag (final, not retried)"
expect_nomatch "$h" 'Access-Control-Allow-Credentials' "no credentials for a refused origin"
h=$(curl --noproxy '*' -s -D - -o /dev/null -H "Origin: https://x.example/../\"><" -H 'Content-Type: text/plain' \
    --data '{"events":[]}' "http://127.0.0.1:$port/e")
expect_nomatch "$h" 'Access-Control-Allow-Origin' "a malformed Origin is not echoed"
expect_nomatch "$(cat "$dir/gw.log")" '\.\./' "a malformed Origin is not logged"
finish
