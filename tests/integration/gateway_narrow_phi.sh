#!/usr/bin/env bash
# gateway_narrow_phi.sh — the PHI verdicts of the policy in force reach the events already
# spooled, as the allow-lists did (gateway_narrow.sh). The upstream is down while events are
# accepted; then:
#   - a reload from `phi: redact` to `phi: drop` and from `text_scripts: any` to `latin`: a note
#     redacted at acceptance ("blood test for [HEALTH]") and a Cyrillic topic are not sent, a
#     clean code is, and the `sent` record names what was removed and by which rule;
#   - a restart with a new `--vocab` term: a note that was clean for the engine that accepted it
#     ("zorblax follow-up") is redacted under the new engine before it is sent (the
#     policy redacts), while an event accepted after the restart goes as the engine wrote it.
# Before, the backlog went out with every one of these strings.
set -u
. "$PW_SRC/tests/integration/lib.bash"
gateway_test_dir
[ -x "$PW_BUILD/phiwall-mock-upstream" ] || skip "phiwall-mock-upstream not built"
uport=$(free_port)
up=http://127.0.0.1:$uport
policy() { # $1: loose | tight
    local phi=redact scripts=any
    [ "$1" = tight ] && phi=drop scripts=latin
    policy_site 0
    cat <<YAML
destinations:
  hook:
    type: webhook
    url: $up/hook
    events: {appointment_request: Schedule}
    allow_params: [note, topic, code]
    phi: $phi
    text_scripts: $scripts
YAML
}
t=$(( $(date +%s) * 1000 - 60000 ))
post() { # id note topic: the reply
    curl --noproxy '*' -s -H 'Content-Type: text/plain' "http://127.0.0.1:$port/e" --data-binary \
        "{\"event_id\":\"$1\",\"name\":\"appointment_request\",\"time\":$t,\"params\":{\"note\":\"$2\",\"topic\":\"$3\",\"code\":\"blue\"}}"
}
params_of() { # id: the params the hook received for it, as compact JSON (or "none")
    python3 - "$dir/mock.jsonl" "$1" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    body = r.get("body")
    evs = body if isinstance(body, list) else body.get("events", [body]) if isinstance(body, dict) else []
    if isinstance(body, str):
        try:
            b = json.loads(body)
        except ValueError:
            continue
        evs = b if isinstance(b, list) else b.get("events", [b])
    for e in evs:
        if isinstance(e, dict) and e.get("event_id") == sys.argv[2]:
            print(json.dumps(e.get("params", {}), sort_keys=True, separators=(",", ":"), ensure_ascii=False))
            sys.exit(0)
print("none")
PY
}

# 1. A reload to phi: drop and text_scripts: latin.
policy loose >"$dir/gw.yaml"
gateway_start "$dir/log" --config "$dir/gw.yaml" --spool "$dir/spool.db" --audit "$dir/audit.log" ||
    { fail "gateway started"; finish; exit; }
A=11111111-1111-4111-8111-111111111111
out=$(post $A "blood test for HIV" "Привет")
expect_match "$out" '"accepted":1' "accepted while the upstream is down: $out"
gateway_wait metrics '^phiwall_gateway_deliveries_total\{destination="hook",outcome="failed"\} [1-9]'
expect_code 0 $? "delivery was attempted and failed (upstream down)"
policy tight >"$dir/gw.yaml"
kill -HUP "$pid"
gateway_wait metrics '^phiwall_gateway_policy_reloads_total\{result="ok"\} 1$'
expect_code 0 $? "reloaded"
mock_upstream_on "$uport"
gateway_wait metrics '^phiwall_gateway_spool_depth\{destination="hook"\} 0$'
expect_code 0 $? "hook drained"
got=$(params_of $A)
expect_match "$got" '^\{"code":"blue"\}$' "after the reload only the clean code is sent (got $got)"
sent=$("$PHIWALL" audit list --audit "$dir/audit.log" --event $A --json 2>/dev/null | grep '"action":"sent"')
expect_match "$sent" 'params\.note \(phi: drop \(redacted under the policy of its acceptance\)\)' "the sent record names the note's rule"
expect_match "$sent" 'params\.topic \(guard: ' "the sent record names the topic's rule"
gateway_stop || fail "the gateway did not stop cleanly"
kill "$mock_pid" 2>/dev/null; wait "$mock_pid" 2>/dev/null

# 2. A restart with a new --vocab term (the policy redacts).
policy loose >"$dir/gw.yaml"
: >"$dir/mock.jsonl"
gateway_start "$dir/log" --config "$dir/gw.yaml" --spool "$dir/spool.db" --audit "$dir/audit.log" ||
    { fail "gateway restarted"; finish; exit; }
B=22222222-2222-4222-8222-222222222222
out=$(post $B "zorblax follow-up" "north")
expect_match "$out" '"accepted":1' "accepted while the upstream is down: $out"
gateway_wait metrics '^phiwall_gateway_deliveries_total\{destination="hook",outcome="failed"\} [1-9]'
gateway_stop || fail "the gateway did not stop cleanly"
printf 'zorblax\t-\tcondition\t-\thigh\tclinical\n' >"$dir/vocab.tsv"
gateway_start "$dir/log" --config "$dir/gw.yaml" --spool "$dir/spool.db" --audit "$dir/audit.log" \
    --vocab "$dir/vocab.tsv" || { fail "gateway restarted with --vocab"; finish; exit; }
C=33333333-3333-4333-8333-333333333333
out=$(post $C "Blue line follow-up" "north")
expect_match "$out" '"accepted":1' "an event accepted under the new engine: $out"
mock_upstream_on "$uport"
gateway_wait metrics '^phiwall_gateway_spool_depth\{destination="hook"\} 0$'
expect_code 0 $? "hook drained after the restart"
got=$(params_of $B)
expect_match "$got" '"note":"\[HEALTH\] follow-up"' "the spooled note is redacted by the new engine (got $got)"
expect_match "$got" '"topic":"north"' "the rest is sent (got $got)"
got=$(params_of $C)
expect_match "$got" '"note":"Blue line follow-up"' "an event of the new engine goes as it was written (got $got)"
gateway_stop || fail "the gateway did not stop cleanly"
"$PHIWALL" audit verify --audit "$dir/audit.log" >/dev/null 2>&1
expect_code 0 $? "the audit chain verifies"
finish
