#!/usr/bin/env bash
# gateway_audit_gap_clear.sh — the /healthz chain-gap reason of a log moved aside while the
# gateway was stopped says how it clears, and clears without a restart once the moved file is put
# back next to the log under a name after it (audit.log.1: where `phiwall audit verify
# audit.log.1 audit.log` checks the two as one chain): the gateway re-checks at each SIGHUP and
# sweep (5 s). A reload while the records are still elsewhere, or a file named after the log that
# ends with another record, does not clear it. Before, the reason (and /metrics
# phiwall_gateway_audit_chain_gap 1, a 503 /healthz) stayed until the next start.
set -u
. "$PW_SRC/tests/integration/lib.bash"
gateway_test_setup
mock_upstream_start || { fail "mock did not start"; finish; exit; }
{ policy_site 100000; policy_meta 7 "$mock"; } >"$dir/gw.yaml"
n=0
post() { # the next event (its id ends in n), the reply's status in $code; called in this shell,
    # not in $(…), so that n counts (in a subshell every event repeated the first id: a duplicate,
    # never sent, and the wait for two "sent" records ran out its 60 s)
    n=$((n + 1))
    code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/e" \
        -H 'Origin: https://www.example-hospital.org' -H 'Content-Type: text/plain' \
        --data "{\"event_id\":\"00000000-0000-4000-8000-$(printf %012d $n)\",\"name\":\"appointment_request\",\"consent\":{\"ads\":true},\"user\":{\"email\":\"a@b.example\"}}")
}
start() {
    gateway_start "$dir/log" --config "$dir/gw.yaml" --spool "$dir/spool.db" \
        --audit "$dir/audit.log" --threads 1 || fail "the gateway did not start"
}
start
for _ in 1 2; do post; expect_code 200 "$code" "event $n accepted"; done
wait_until "$PW_WAIT_S" sh -c "[ \$(grep -c '\"action\":\"sent\"' '$dir/audit.log') -ge 2 ]"
expect_code 0 $? "both events sent"
gateway_stop
head_seq=$(tail -n 1 "$dir/audit.log" | sed -n 's/^{"seq":\([0-9]*\),.*/\1/p')
[ -n "$head_seq" ] || fail "no head in the first log"

# Moved out of the log's directory while stopped: a gap, whose reason says how it clears.
mkdir "$dir/aside"
mv "$dir/audit.log" "$dir/aside/old.log"
head -n 1 "$dir/aside/old.log" >"$dir/audit.log.bak" # named after the log, another last record
: >"$dir/log"
start
out=$(curl -s -w ' %{http_code}' "http://127.0.0.1:$port/healthz")
expect_match "$out" "audit: the log did not end with the remembered head \\(seq $head_seq\\); found seq 0 \\(until a file next to it, named after it, ends with that head" \
    "moved: /healthz names the gap and how it clears"
expect_match "$out" ' 503$' "moved: /healthz 503"
post; expect_code 200 "$code" "events still taken"

# A reload while the records are elsewhere: still a gap (checked at the SIGHUP itself).
kill -HUP "$pid"
gateway_wait metrics '^phiwall_gateway_policy_reloads_total\{result="ok"\} 1$'
expect_code 0 $? "reloaded"
expect_match "$(curl -s "http://127.0.0.1:$port/metrics")" '^phiwall_gateway_audit_chain_gap 1$' \
    "records still elsewhere (audit.log.bak ends with another record): gauge 1"
expect_match "$(curl -s -w ' %{http_code}' "http://127.0.0.1:$port/healthz")" 'remembered head.* 503$' \
    "records still elsewhere: /healthz 503"

# Put back next to the log: closed at the next sweep, without a signal.
mv "$dir/aside/old.log" "$dir/audit.log.1"
gateway_wait metrics '^phiwall_gateway_audit_chain_gap 0$'
expect_code 0 $? "put back as audit.log.1: gauge 0 without a restart"
out=$(curl -s -w ' %{http_code}' "http://127.0.0.1:$port/healthz")
expect_match "$out" '"status":"ok".* 200$' "put back: /healthz ok: $out"
expect_match "$(cat "$dir/log")" "\"level\":\"info\".*chain gap is closed.*\"file\":\"[^\"]*/audit.log.1\",\"seq\":\"$head_seq\"" \
    "put back: an info line naming the file and the head"
gateway_stop
"$PHIWALL" audit verify "$dir/audit.log.1" "$dir/audit.log" >/dev/null
expect_code 0 $? "the file put back and the log verify as one chain"

# Truncated while stopped (a restore from an older backup): a gap too, which clears without a
# restart once the original, ending with the remembered head, is put back next to the log.
# Before, a truncated (or replaced) log kept the reason, the gauge 1 and a 503 /healthz until the
# next start, whatever was put back.
start
post; expect_code 200 "$code" "event $n accepted"
gateway_stop
head_seq=$(tail -n 1 "$dir/audit.log" | sed -n 's/^{"seq":\([0-9]*\),.*/\1/p')
cp "$dir/audit.log" "$dir/original.log"
head -n 1 "$dir/original.log" >"$dir/audit.log"
: >"$dir/log"
start
out=$(curl -s -w ' %{http_code}' "http://127.0.0.1:$port/healthz")
expect_match "$out" "remembered head \\(seq $head_seq\\); found seq [0-9]+ \\(until a file next to it, named after it, ends with that head: the original log put back" \
    "truncated: /healthz names the gap and how it clears"
expect_match "$out" ' 503$' "truncated: /healthz 503"
sleep 6 # a sweep with nothing put back: the gap stays
expect_match "$(curl -s "http://127.0.0.1:$port/metrics")" '^phiwall_gateway_audit_chain_gap 1$' \
    "truncated, nothing put back: gauge 1 after a sweep"
mv "$dir/original.log" "$dir/audit.log.orig"
gateway_wait metrics '^phiwall_gateway_audit_chain_gap 0$'
expect_code 0 $? "truncated, the original put back as audit.log.orig: gauge 0 without a restart"
expect_match "$(curl -s -w ' %{http_code}' "http://127.0.0.1:$port/healthz")" '"status":"ok".* 200$' \
    "truncated, put back: /healthz ok"
expect_match "$(cat "$dir/log")" "\"level\":\"info\".*chain gap is closed: the log went on from the cut, so verify each file on its own.*\"file\":\"[^\"]*/audit.log.orig\",\"seq\":\"$head_seq\"" \
    "truncated, put back: an info line naming the file, the head, and how to verify"
gateway_stop
"$PHIWALL" audit verify "$dir/audit.log.1" "$dir/audit.log.orig" >/dev/null
expect_code 0 $? "the original put back verifies (with the file before it)"
finish
