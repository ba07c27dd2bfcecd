#!/usr/bin/env bash
# gateway_file_limit.sh — `phiwall gateway` whose spool or audit log reaches the process's file-size
# limit (RLIMIT_FSIZE: `ulimit -f`, systemd's LimitFSIZE=; a write past it fails with EFBIG, as a
# disk that fills would make it fail with ENOSPC). Unprivileged, on loopback:
#   - the gateway is started with a soft limit of 256 KiB (the hard one left as it is) and events
#     are posted while a webhook that never answers keeps them queued, until one is refused;
#   - it is still running (before, SIGXFSZ's default action killed it at the first write past the
#     limit, with a core dump), no event was answered 2xx without being delivered to meta in the
#     end, a refusal is a 503, /healthz is 503 with a reason, /metrics says which file fails, and
#     the log says so;
#   - delivery goes on: every event answered 200 reaches the meta upstream;
#   - the limit raised (prlimit on the running process): new events are taken again, /healthz ok.
set -u
. "$PW_SRC/tests/integration/lib.bash"
command -v prlimit >/dev/null || skip "prlimit not present"
gateway_test_dir
mock_upstream_start || { fail "mock did not start"; finish; exit; }
dead_port=$(free_port)
{ policy_site 100000; policy_meta 7 "$mock"; } >"$dir/gw.yaml"
cat >>"$dir/gw.yaml" <<YAML
  hook:
    type: webhook
    url: http://127.0.0.1:$dead_port/hook
    events: {appointment_request: Schedule}
    allow_params: [note]
YAML
# The phiwall binary under a soft file-size limit of 256 KiB (1 KiB blocks in bash).
cat >"$dir/limited.sh" <<'SH'
#!/usr/bin/env bash
ulimit -S -f 256 || exit 99
exec "$PW_REAL_PHIWALL" "$@"
SH
chmod +x "$dir/limited.sh"
export PW_REAL_PHIWALL=$PHIWALL
PHIWALL=$dir/limited.sh

: >"$dir/log"
gateway_start "$dir/log" --config "$dir/gw.yaml" --spool "$dir/spool.db" \
    --audit "$dir/audit.log" --threads 2 || { fail "the gateway did not start"; finish; exit; }
limit=$(prlimit --pid "$pid" --fsize --noheadings --output SOFT 2>/dev/null | tr -d ' ')
[ "$limit" = 262144 ] || fail "the file-size limit is not in force (soft: '$limit')"

note=$(head -c 1500 /dev/zero | tr '\0' 'a')
uuid() { printf '00000000-0000-4000-8000-%012d' "$1"; }
post() { # N: prints the HTTP status of event uuid N
    curl -s -o "$dir/reply" -w '%{http_code}' "http://127.0.0.1:$port/e" \
        -H 'Origin: https://www.example-hospital.org' -H 'Content-Type: text/plain' \
        --data "{\"event_id\":\"$(uuid "$1")\",\"name\":\"appointment_request\",\"consent\":{\"ads\":true},\"user\":{\"email\":\"a@b.example\"},\"params\":{\"note\":\"$note\"}}"
}
ok=0 refused=0 other=0 n=0
while [ "$n" -lt 2000 ] && [ "$refused" -lt 3 ]; do
    n=$((n + 1))
    code=$(post "$n")
    case $code in
    200) ok=$((ok + 1)) ;;
    503) refused=$((refused + 1)) ;;
    *) other=$((other + 1)); echo "event $n: HTTP $code" >&2; kill -0 "$pid" 2>/dev/null || break ;;
    esac
done
echo "posted $n: $ok taken, $refused refused (503), $other other" >&2
if ! kill -0 "$pid" 2>/dev/null; then
    wait "$pid"; rc=$?
    fail "the gateway died at the file-size limit (exit status $rc; 153 = SIGXFSZ)"
    tail -5 "$dir/log" >&2
    pid=
    finish
    exit
fi
[ "$ok" -gt 0 ] || fail "no event was taken before the limit"
[ "$refused" -ge 1 ] || fail "no event was refused: the limit was never reached ($n posted)"
[ "$other" -eq 0 ] || fail "$other events answered neither 200 nor 503"
expect_match "$(cat "$dir/reply")" 'unavailable|full' "the refusal says why"
out=$(curl -s -w ' %{http_code}' "http://127.0.0.1:$port/healthz")
echo "/healthz at the limit: $out" >&2
expect_match "$out" ' 503$' "/healthz 503 at the limit"
expect_match "$out" 'file-size limit|cannot be written' "/healthz says why"
m=$(curl -s "http://127.0.0.1:$port/metrics")
expect_match "$m" 'phiwall_gateway_spool_reserve_refusals_total [1-9]|phiwall_gateway_(spool_write|audit)_failing 1' "/metrics says so"
expect_match "$(cat "$dir/log")" 'spool full|cannot be written' "the log says so"

# Delivery goes on at the limit: every event answered 200 reaches meta.
n_delivered() { grep -o '00000000-0000-4000-8000-[0-9]*' "$dir/mock.jsonl" 2>/dev/null | sort -u | wc -l; }
delivered() { [ "$(n_delivered)" -ge "$ok" ]; }
wait_until "$PW_WAIT_S" delivered || fail "not every event taken reached meta at the limit ($ok taken, $(n_delivered) delivered)"

# The limit raised: new events are taken again (the next put that succeeds clears the state).
prlimit --pid "$pid" --fsize=unlimited: || fail "prlimit could not raise the limit"
taken=0
for ((end = SECONDS + PW_WAIT_S; SECONDS < end; )); do
    n=$((n + 1))
    [ "$(post "$n")" = 200 ] && { taken=1; break; }
    sleep 0.2
done
[ "$taken" = 1 ] || fail "events still refused after the limit was raised"
gateway_wait healthz '"status":"ok"' || fail "/healthz not ok after the limit was raised: $(curl -s "http://127.0.0.1:$port/healthz")"
m=$(curl -s "http://127.0.0.1:$port/metrics")
expect_match "$m" 'phiwall_gateway_spool_write_failing 0' "/metrics: the spool is written again"
gateway_stop || fail "the gateway did not stop cleanly"
"$PW_REAL_PHIWALL" audit verify "$dir/audit.log" >/dev/null 2>&1 || fail "the audit chain does not verify"
finish
