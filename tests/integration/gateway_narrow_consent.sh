#!/usr/bin/env bash
# gateway_narrow_consent.sh — a reload that makes a destination require consent reaches the
# events already spooled. The upstream is down while three events are accepted under a policy
# where neither the webhook nor GA4 requires consent: one with consent to ads and analytics, one
# with analytics only, one with none. The reload (SIGHUP) makes the webhook require `ads` and GA4
# `analytics`; the upstream comes back. Checked: the webhook receives only the first event, GA4
# the first two, the third reaches nothing; the events refused are dead-lettered with the policy
# version and the consent they lacked in the reason; /metrics counts them; the chain verifies; a
# restart (the consent read back from the spool file) refuses an event spooled before it too.
# Before (the spool kept no consent), every event went to both destinations.
set -u
. "$PW_SRC/tests/integration/lib.bash"
gateway_test_dir
[ -x "$PW_BUILD/phiwall-mock-upstream" ] || skip "phiwall-mock-upstream not built"
uport=$(free_port)
up=http://127.0.0.1:$uport
policy() { # $1: open | consent
    local hook=none ga4=none
    [ "$1" = consent ] && hook=ads ga4=analytics
    policy_site 0
    cat <<YAML
destinations:
  ga4:
    type: ga4
    base_url: $up
    measurement_id: G-CONSENT
    api_secret_env: PHIWALL_GA4_SECRET
    events: {appointment_request: generate_lead}
    allow_params: [value]
    requires_consent: $ga4
  hook:
    type: webhook
    url: $up/hook
    events: {appointment_request: Schedule}
    allow_params: [value]
    requires_consent: $hook
YAML
}
t=$(( $(date +%s) * 1000 - 60000 ))
ev() { # id ads analytics: params.value is the id's first digit (GA4's payload has no event_id)
    printf '{"event_id":"%s","name":"appointment_request","time":%s,' "$1" "$t"
    printf '"consent":{"ads":%s,"analytics":%s},"params":{"value":%s}}' "$2" "$3" "${1:0:1}"
}
post() { curl --noproxy '*' -s -H 'Content-Type: text/plain' --data-binary "$1" "http://127.0.0.1:$port/e"; }
received() { # destination id: 1 if the mock received the event for it, else 0
    python3 - "$dir/mock.jsonl" "$1" "$2" <<'PY'
import json, os, sys
log, dest, ev = sys.argv[1:4]
n = 0
for line in open(log) if os.path.exists(log) else []:
    r = json.loads(line)
    body = json.loads(r["body"])
    if dest == "ga4" and "/mp/collect" in r["url"]:
        n += sum(e["params"].get("value") == int(ev[0]) for e in body["events"])
    elif dest == "hook" and "/hook" in r["url"]:
        n += sum(e.get("event_id") == ev for e in body)
print(1 if n else 0)
PY
}
A=11111111-1111-4111-8111-111111111111 # ads + analytics
B=22222222-2222-4222-8222-222222222222 # analytics only
C=33333333-3333-4333-8333-333333333333 # none
D=44444444-4444-4444-8444-444444444444 # none, spooled before a restart

policy open >"$dir/gw.yaml"
gateway_start "$dir/log" --config "$dir/gw.yaml" --spool "$dir/spool.db" --audit "$dir/audit.log" ||
    { fail "gateway started"; finish; exit; }
out=$(post "[$(ev $A true true),$(ev $B false true),$(ev $C false false)]")
expect_match "$out" '"received":3,"accepted":3' "all three accepted under the open policy: $out"
gateway_wait metrics '^phiwall_gateway_deliveries_total\{destination="hook",outcome="failed"\} [1-9]'
expect_code 0 $? "delivery was attempted and failed (upstream down)"

policy consent >"$dir/gw.yaml"
kill -HUP "$pid"
gateway_wait metrics '^phiwall_gateway_policy_reloads_total\{result="ok"\} 1$'
expect_code 0 $? "reloaded"
mock_upstream_on "$uport"
for d in ga4 hook; do
    gateway_wait metrics "^phiwall_gateway_spool_depth\\{destination=\"$d\"\\} 0$"
    expect_code 0 $? "$d drained"
done
expect_code 1 "$(received hook $A)" "hook: the event with consent to ads was sent"
expect_code 0 "$(received hook $B)" "hook: the event without consent to ads was not sent"
expect_code 0 "$(received hook $C)" "hook: the event without consent was not sent"
expect_code 1 "$(received ga4 $A)" "ga4: the event with consent to analytics was sent"
expect_code 1 "$(received ga4 $B)" "ga4: the event with consent to analytics only was sent"
expect_code 0 "$(received ga4 $C)" "ga4: the event without consent was not sent"
metrics=$(curl --noproxy '*' -s "http://127.0.0.1:$port/metrics")
expect_match "$metrics" '^phiwall_gateway_delivery_narrowed_total\{destination="hook",outcome="dead"\} 2$' "metrics: hook dead 2"
expect_match "$metrics" '^phiwall_gateway_delivery_narrowed_total\{destination="ga4",outcome="dead"\} 1$' "metrics: ga4 dead 1"

# Across a restart: spooled under the open policy while the upstream is down again, the gateway
# stopped, started with the consent policy: the consent comes back from the spool file.
kill "$mock_pid"; wait "$mock_pid" 2>/dev/null
policy open >"$dir/gw.yaml"
kill -HUP "$pid"
gateway_wait metrics '^phiwall_gateway_policy_reloads_total\{result="ok"\} 2$'
out=$(post "$(ev $D false false)")
expect_match "$out" '"accepted":1' "accepted under the open policy again: $out"
gateway_wait metrics '^phiwall_gateway_deliveries_total\{destination="hook",outcome="failed"\} [1-9]'
gateway_stop; expect_code 0 $? "stopped"
policy consent >"$dir/gw.yaml"
gateway_start "$dir/log" --config "$dir/gw.yaml" --spool "$dir/spool.db" --audit "$dir/audit.log" ||
    { fail "gateway restarted"; finish; exit; }
mock_upstream_on "$uport"
for d in ga4 hook; do
    gateway_wait metrics "^phiwall_gateway_spool_depth\\{destination=\"$d\"\\} 0$"
    expect_code 0 $? "$d drained after the restart"
done
expect_code 0 "$(received hook $D)" "hook: the event spooled before the restart without consent was not sent"
expect_code 0 "$(received ga4 $D)" "ga4: the event spooled before the restart without consent was not sent"
gateway_stop

"$PHIWALL" audit verify --audit "$dir/audit.log" >/dev/null; expect_code 0 $? "the chain verifies"
sha=$(sha256sum "$dir/gw.yaml" | cut -c1-12)
dead=$("$PHIWALL" audit list --audit "$dir/audit.log" --json | grep '"action":"dead"')
expect_code 5 "$(printf '%s\n' "$dead" | grep -c .)" "five dead letters (B and C to hook, C to ga4, D to both)"
expect_match "$(printf '%s\n' "$dead" | grep "\"event_id\":\"$B\"")" \
    "\"destination\":\"hook\".*policy reload: not sent under the policy in force \\(sha256 $sha\\): requires_consent: ads \\(the visitor had not consented to ads when the event was accepted\\)" \
    "B's dead letter names the policy version and the consent it lacked"
expect_match "$(printf '%s\n' "$dead" | grep "\"event_id\":\"$C\"" | grep '"destination":"ga4"')" \
    "requires_consent: analytics \\(the visitor had not consented to analytics" "C's ga4 dead letter names analytics"
finish
