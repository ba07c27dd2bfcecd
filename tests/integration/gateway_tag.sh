#!/usr/bin/env bash
# gateway_tag.sh — the first-party tag (gateway/tag/phiwall.js) in node with a fake browser:
# sendBeacon, fetch keepalive fallback, retries with stable event_ids, consent gating, UUIDv4.
set -u
. "$PW_SRC/tests/integration/lib.bash"
command -v node >/dev/null || skip "node not present"
out=$(node "$PW_SRC/tests/data/gateway/tag_harness.js" "$PW_SRC/gateway/tag/phiwall.js" 2>&1)
expect_code 0 $? "tag harness"
echo "$out" | grep -v '^ok ' || true
expect_match "$out" "^PASS" "all tag checks"
finish
