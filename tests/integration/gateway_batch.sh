#!/usr/bin/env bash
# gateway_batch.sh — `phiwall gateway` answers a batch per event: one invalid event of a batch is
# listed in "rejected" (index + the error naming the field) while the valid ones are spooled;
# /metrics counts it as rejected, the audit records it as dropped at ingest (without the key the
# sender chose) and `phiwall audit list` shows it. A single invalid event is still a 400.
set -u
. "$PW_SRC/tests/integration/lib.bash"
gateway_test_setup
: >"$dir/log"
gateway_start "$dir/log" --config "$dir/gw.yaml" --spool "$dir/spool.db" \
    --audit "$dir/audit.log" --threads 2 || fail "the gateway did not start"
post() { curl -s -H 'Content-Type: text/plain' --data "$1" "http://127.0.0.1:$port/e"; }

ev() { printf '{"event_id":"8a6e0804-2bd0-4672-b79d-d97027f9071%s","name":"appointment_request","consent":{"ads":true,"analytics":true},"user":{"email":"jane@example.com"},"fpid":"fp-%s"}' "$1"; }
batch="[$(ev a),$(ev b),{\"event_id\":\"8a6e0804-2bd0-4672-b79d-d97027f9071c\",\"name\":5}]"
out=$(post "$batch")
expect_match "$out" '^\{"received":3,"accepted":2,"queued":4,"rejected":\[\{"index":2,"error":"events\[2\]\.name: must be a string"\}\]\}$' \
    "one bad event of three: the two others queued, the bad one listed"
out=$(post "{\"events\":[$(ev d),{\"event_id\":\"8a6e0804-2bd0-4672-b79d-d97027f9071e\",\"name\":\"x\",\"params\":{\"hiv_status\":[1]}}]}")
expect_match "$out" '"received":2,"accepted":1,.*"index":1,"error":"events\[1\]\.params\.hiv_status: must be a string, number or boolean"' \
    "{\"events\":[…]}: per event too, the sender sees its key"
out=$(post '{"event_id":"8a6e0804-2bd0-4672-b79d-d97027f9071f","name":5}')
expect_match "$out" '^\{"error":"event\.name: must be a string"\}$' "a single invalid event: 400"
out=$(post '[{"event_id":')
expect_match "$out" '^\{"error":"body: invalid JSON' "not JSON: 400"

out=$(curl -s "http://127.0.0.1:$port/metrics")
expect_match "$out" 'phiwall_gateway_events_total\{outcome="in"\} 5' "/metrics: events in"
expect_match "$out" 'phiwall_gateway_events_total\{outcome="accepted"\} 3' "/metrics: accepted"
expect_match "$out" 'phiwall_gateway_events_total\{outcome="rejected"\} 4' "/metrics: 2 rejected events + 2 refused bodies"

gateway_stop
list=$("$PHIWALL" audit list --audit "$dir/audit.log"); expect_code 0 $? "audit list"
expect_match "$list" 'dropped +- +8a6e0804-2bd0-4672-b79d-d97027f9071c .*rule=ingest: invalid event events\[2\]\.name: must be a string' \
    "audit: the invalid event dropped at ingest, with the field"
expect_match "$list" 'rule=ingest: invalid event events\[1\]\.params: must be a string, number or boolean' \
    "audit: the param error without the sender's key"
expect_nomatch "$list" 'hiv' "the sender's key never reaches the audit"
expect_nomatch "$(cat "$dir/audit.log" "$dir/log")" 'jane@example.com' "no raw user data in audit or logs"
finish
