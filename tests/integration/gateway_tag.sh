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

# The tag drops a stored event first sent more than MAX_AGE ago; the gateway recognises an
# event_id for PW_SPOOL_TOMBSTONE_MS after accepting it. MAX_AGE must stay inside that window
# (a resend after it would be delivered twice): both read from the sources.
tag_ms=$(node -e 'const s=require("fs").readFileSync(process.argv[1],"utf8");
  const m=s.match(/var MAX_AGE = ([0-9* ]+);/); console.log(m ? eval(m[1]) : 0)' "$PW_SRC/gateway/tag/phiwall.js")
gw_ms=$(tr -d '\\\n' <"$PW_SRC/gateway/spool_sqlite_internal.h" |
  sed -n 's/.*#define PW_SPOOL_TOMBSTONE_MS *(\([0-9LL* ]*\)).*/\1/p' | tr -d 'L')
[ -n "$gw_ms" ] || fail "PW_SPOOL_TOMBSTONE_MS not found"
gw_ms=$((gw_ms))
[ "$tag_ms" -gt 0 ] && [ "$tag_ms" -lt "$gw_ms" ] || fail "tag MAX_AGE $tag_ms ms not below the gateway's duplicate window $gw_ms ms"
echo "tag MAX_AGE ${tag_ms} ms < gateway duplicate window ${gw_ms} ms"
finish
