#!/usr/bin/env bash
# gateway_durable.sh — `phiwall gateway` when its audit log's disk fills up, when a policy reload
# removes a destination, and what /healthz and /metrics say about it:
#   - audit log on a small tmpfs (a private mount namespace), filled by a filler file: new events
#     are answered 503 "audit: unavailable", /healthz 503 naming the audit, an error line is
#     logged; once space is back events are taken again, every event answered 200 has its
#     ingest records, and the chain verifies;
#   - a webhook that never answers keeps rows queued: /healthz reports the oldest queued event
#     past PHIWALL_HEALTHZ_MAX_AGE_S; a reload without that destination dead-letters its rows
#     with "dead" audit records and /metrics counts them; reload counters ok/failed.
# Skipped where a tmpfs cannot be mounted (not root, no mount namespaces).
set -u
. "$PW_SRC/tests/integration/lib.bash"
command -v unshare >/dev/null || skip "unshare not present"
if [ -z "${PW_DURABLE_NS:-}" ]; then # a mount namespace of our own: the tmpfs goes with us
    unshare -m --propagation private true 2>/dev/null || skip "cannot create a mount namespace"
    PW_DURABLE_NS=1 exec unshare -m --propagation private bash "$0" "$@"
fi

gateway_test_dir
mkdir "$dir/small"
on_exit 'umount "$dir/small" 2>/dev/null'
mount -t tmpfs -o size=512k tmpfs "$dir/small" 2>/dev/null || skip "cannot mount a tmpfs"
export PHIWALL_HEALTHZ_MAX_AGE_S=3

mock_upstream_start || { fail "mock did not start"; finish; exit; }
dead_port=$(free_port)

write_config() { # with_hook
    { policy_site 100000; policy_meta 7 "$mock"; } >"$dir/gw.yaml"
    [ "$1" = 1 ] && cat >>"$dir/gw.yaml" <<YAML
  hook:
    type: webhook
    url: http://127.0.0.1:$dead_port/hook
    events: {appointment_request: Schedule}
YAML
    return 0
}
write_config 1

: >"$dir/log"
gateway_start "$dir/log" --config "$dir/gw.yaml" --spool "$dir/spool.db" \
    --audit "$dir/small/audit.log" --threads 2 || fail "the gateway did not start"
out=$(curl -s "http://127.0.0.1:$port/healthz"); expect_match "$out" '"status":"ok"' "/healthz ok at start"

n=0
uuid() { printf '00000000-0000-4000-8000-%012d' "$1"; }
post() { # prints the HTTP status; the event_id is uuid N (the caller counts N up)
    curl -s -o "$dir/reply" -w '%{http_code}' "http://127.0.0.1:$port/e" \
        -H 'Origin: https://www.example-hospital.org' -H 'Content-Type: text/plain' \
        --data "{\"event_id\":\"$(uuid $n)\",\"name\":\"appointment_request\",\"consent\":{\"ads\":true},\"user\":{\"email\":\"a@b.example\"}}"
}
ok_ids=()
n=$((n + 1)); code=$(post); expect_code 200 "$code" "first event"
[ "$code" = 200 ] && ok_ids+=("$(uuid $n)")

# Fill the audit log's disk: events are refused (503) once the audit thread saw it fail.
dd if=/dev/zero of="$dir/small/filler" bs=4k 2>/dev/null
refused=0
for ((end = SECONDS + PW_WAIT_S; SECONDS < end; )); do
    n=$((n + 1)); code=$(post)
    if [ "$code" = 503 ]; then refused=1; break; fi
    [ "$code" = 200 ] && ok_ids+=("$(uuid $n)")
    sleep 0.05
done
expect_code 1 "$refused" "503 while the audit log cannot be written"
expect_match "$(cat "$dir/reply")" 'audit: unavailable' "503 names the audit"
out=$(curl -s -w ' %{http_code}' "http://127.0.0.1:$port/healthz")
expect_match "$out" '"status":"unhealthy".*audit: the audit log cannot be written.* 503$' "/healthz 503 names the audit"
expect_match "$(curl -s "http://127.0.0.1:$port/metrics")" '^phiwall_gateway_audit_failing 1$' "/metrics audit_failing 1"
expect_match "$(cat "$dir/log")" '"level":"error","msg":"audit log cannot be written' "error line logged"

# Space back: events are taken again and the records of every 200 are in the chain.
rm -f "$dir/small/filler"
back=0
for ((end = SECONDS + PW_WAIT_S; SECONDS < end; )); do
    n=$((n + 1)); code=$(post)
    if [ "$code" = 200 ]; then back=1; ok_ids+=("$(uuid $n)"); break; fi
    sleep 0.1
done
expect_code 1 "$back" "200 again once space is back"
expect_match "$(curl -s "http://127.0.0.1:$port/metrics")" '^phiwall_gateway_audit_failing 0$' "/metrics audit_failing 0"
expect_match "$(cat "$dir/log")" 'audit log written again' "recovery logged"
# the audit thread writes the last answer's records in its next batch: wait for them (a fixed
# 0.3 s was not always enough on a loaded machine)
all_recorded() { # quiet: 1 while an event answered 200 has no accepted record
    missing=0
    for id in "${ok_ids[@]}"; do
        "$PHIWALL" audit list --audit "$dir/small/audit.log" --event "$id" --json |
            grep -q '"action":"accepted"' || { missing=$((missing + 1)); [ "${1:-}" = quiet ] || echo "no accepted record: $id" >&2; }
    done
    [ "$missing" -eq 0 ]
}
wait_until "$PW_WAIT_S" all_recorded quiet || all_recorded
expect_code 0 "$missing" "every event answered 200 has its accepted record (${#ok_ids[@]} events)"
"$PHIWALL" audit verify --audit "$dir/small/audit.log" >/dev/null; expect_code 0 $? "chain verifies"

# The webhook never answers: its rows stay queued, /healthz says delivery lags.
gateway_wait healthz 'oldest queued event'
expect_code 0 $? "/healthz reports the oldest queued event past the limit"
expect_match "$(curl -s "http://127.0.0.1:$port/metrics")" 'phiwall_gateway_spool_depth\{destination="hook"\} [1-9]' "hook rows queued"

# A bad reload is counted as failed; a reload without the hook dead-letters its rows.
printf 'destinations:\n  meta: [\n' >"$dir/bad.yaml"
cp "$dir/gw.yaml" "$dir/good.yaml"
cp "$dir/bad.yaml" "$dir/gw.yaml"
kill -HUP "$pid"
wait_until "$PW_WAIT_S" grep -q 'policy reload failed' "$dir/log"
write_config 0
kill -HUP "$pid"
wait_until "$PW_WAIT_S" grep -q '"policy reloaded"' "$dir/log"
wait_until "$PW_WAIT_S" grep -q 'were dead-lettered' "$dir/log"
m=$(curl -s "http://127.0.0.1:$port/metrics")
expect_match "$m" 'phiwall_gateway_policy_reloads_total\{result="ok"\} 1' "reloads ok counted"
expect_match "$m" 'phiwall_gateway_policy_reloads_total\{result="failed"\} 1' "reloads failed counted"
expect_match "$m" 'phiwall_gateway_policy_loaded_timestamp_seconds [0-9]+\.[0-9]+' "policy loaded time"
expect_match "$m" 'phiwall_gateway_removed_destination_dead_total\{destination="hook"\} [1-9]' "removed destination's rows counted"
dead=$("$PHIWALL" audit list --audit "$dir/small/audit.log" --destination hook --json | grep -c '"action":"dead".*destination removed from the policy')
[ "$dead" -ge 1 ]; expect_code 0 $? "dead records of the removed destination ($dead)"
out=$(curl -s -w ' %{http_code}' "http://127.0.0.1:$port/healthz")
expect_match "$out" '"status":"ok"\} 200$' "/healthz ok once nothing lags"
"$PHIWALL" audit verify --audit "$dir/small/audit.log" >/dev/null; expect_code 0 $? "chain verifies after reload"

grep -q 'ExecReload=/usr/local/bin/phiwall gateway --check' "$PW_SRC/contrib/phiwall-gateway.service"
expect_code 0 $? "systemd unit checks the policy before a reload"

gateway_stop

# A stop (SIGTERM) while the audit log still refuses the records of events it answered 200:
# they are kept in the spool and appended by the next start, before anything else.
start_gateway() {
    gateway_start "$dir/log3" --config "$dir/gw.yaml" --spool "$dir/spool.db" \
        --audit "$dir/small/audit.log" --threads 2 || fail "the gateway did not start"
}
post_batch() { # 30 events uuid N+1 … N+30 in one request (their records span more than the
    # last page of the log, which a full tmpfs still lets a small append fill); prints the status
    local body="[" i
    for i in $(seq 1 30); do
        body+="{\"event_id\":\"$(uuid $((n + i)))\",\"name\":\"appointment_request\",\"consent\":{\"ads\":true},\"user\":{\"email\":\"a@b.example\"}}"
        [ "$i" -lt 30 ] && body+=","
    done
    curl -s -o "$dir/reply" -w '%{http_code}' "http://127.0.0.1:$port/e" \
        -H 'Content-Type: text/plain' --data "$body]"
}
start_gateway
dd if=/dev/zero of="$dir/small/filler" bs=4k 2>/dev/null
held_ids=()
code=$(post_batch)
expect_code 200 "$code" "a batch answered 200 (spooled) while the audit disk is full"
for i in $(seq 1 30); do held_ids+=("$(uuid $((n + i)))"); done
n=$((n + 30))
wait_until "$PW_WAIT_S" grep -q '"records_held"' "$dir/log3"
expect_match "$(cat "$dir/log3")" 'audit log cannot be written.*"records_held":"[1-9]' "its records are held"
gateway_stop
expect_match "$(cat "$dir/log3")" 'records the audit log refused: kept in the spool' "held records kept at the stop"
rm -f "$dir/small/filler"
start_gateway
expect_match "$(cat "$dir/log3")" 'ingest records kept in the spool at the last stop were appended' "appended at the next start"
missing=0
for id in "${held_ids[@]}"; do
    "$PHIWALL" audit list --audit "$dir/small/audit.log" --event "$id" --json |
        grep -q '"action":"accepted"' || { missing=$((missing + 1)); echo "no accepted record: $id" >&2; }
done
expect_code 0 "$missing" "every held event has its accepted record after the restart"
"$PHIWALL" audit verify --audit "$dir/small/audit.log" >/dev/null; expect_code 0 $? "chain verifies after the restart"
gateway_stop
finish
