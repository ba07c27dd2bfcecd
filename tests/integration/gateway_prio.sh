#!/usr/bin/env bash
# gateway_prio.sh — `delivery.nice` in a real gateway: the forwarder threads (pw-fwd-*) and the
# ingest audit writer (pw-audit) run at the configured nice value while the HTTP threads and the
# spool's committer keep the process's own (read from /proc/PID/task/*/stat); at the lowest
# priority (19) a burst of 1,000 events is still delivered in full to the loopback mock, and
# /metrics and --check show the setting.
set -u
. "$PW_SRC/tests/integration/lib.bash"
gateway_test_dir
mock_upstream_start || { fail "mock did not start"; finish; exit; }

{
    policy_site 1000000
    printf '%s\n' "delivery:" "  nice: 19" "  boost_lag_ms: 0"
    policy_meta 1 "$mock" "    allow_params: [value]"
    cat <<YAML
  ga4:
    type: ga4
    measurement_id: G-PRIO
    api_secret_env: PHIWALL_GA4_SECRET
    base_url: $mock
    events: {appointment_request: generate_lead}
YAML
} >"$dir/gw.yaml"

out=$("$PHIWALL" gateway --check "$dir/gw.yaml"); expect_code 0 $? "--check"
expect_match "$out" "nice: 19 \(forwarders and audit writer below ingest\)" "--check shows delivery.nice"
printf 'delivery:\n  nice: 25\n' >"$dir/bad.yaml"
out=$("$PHIWALL" gateway --check "$dir/bad.yaml" 2>&1); expect_code 3 $? "--check bad nice"
expect_match "$out" "bad.yaml:2:9: delivery.nice: expected an integer from 0 to 19" "line:col error"

: >"$dir/log"
gateway_start "$dir/log" --config "$dir/gw.yaml" --spool "$dir/spool.db" \
    --audit "$dir/audit.log" --threads 2 || fail "the gateway did not start"

# name -> nice of every thread of the gateway ("MHD-single 0", "pw-fwd-meta 19", …)
thread_nices() {
    for f in /proc/"$pid"/task/*/stat; do
        python3 - "$f" <<'PY'
import sys
s = open(sys.argv[1]).read()
comm = s[s.index("(") + 1:s.rindex(")")]
print(comm.replace(" ", "_"), s[s.rindex(")") + 2:].split()[16])
PY
    done
}
base=$(awk '{ s = $0; sub(/^.*\) /, "", s); split(s, f, " "); print f[17] }' /proc/"$pid"/stat)
want=$((base + 19 > 19 ? 19 : base + 19))

# 1,000 events in 20 batched requests of 50, sent 4 at a time.
python3 - "$dir/bodies" <<'PY'
import json, sys, os
os.makedirs(sys.argv[1])
for b in range(20):
    evs = [{"event_id": "00000000-0000-4000-8000-%012d" % (b * 50 + i), "name": "appointment_request",
            "page_url": "https://www.example-hospital.org/x", "consent": {"ads": True, "analytics": True},
            "user": {"email": "visitor.%d@example.com" % (b * 50 + i)}, "params": {"value": i}}
           for i in range(50)]
    open(os.path.join(sys.argv[1], "%02d.json" % b), "w").write(json.dumps(evs))
PY
ls "$dir"/bodies/*.json | xargs -P 4 -I{} curl -s -o /dev/null -w '%{http_code}\n' \
    -H 'Content-Type: application/json' --data-binary @{} "http://127.0.0.1:$port/e" >"$dir/codes"
expect_match "$(sort -u "$dir/codes" | tr '\n' ' ')" '^200 $' "every batch answered 200"

nices=$(thread_nices)
expect_match "$nices" "^pw-fwd-meta $want\$" "meta forwarder at nice $want"
expect_match "$nices" "^pw-fwd-ga4 $want\$" "ga4 forwarder at nice $want"
expect_match "$nices" "^pw-audit $want\$" "audit writer at nice $want"
expect_match "$nices" "^pw-spool $base\$" "spool committer keeps nice $base"
expect_nomatch "$(printf '%s\n' "$nices" | grep -Ev '^(pw-fwd-|pw-audit )')" " $want\$" "no ingest thread lowered"

# Every event reaches the mock, for both destinations.
# Waited for as long as the queues go down, PW_WAIT_S without progress at most: at nice 19 the
# forwarders get a sliver of a CPU the other tests keep busy (1,000 GA4 requests took over 60 s
# in a ctest -j3 run at load 40).
depth() { printf '%s\n' "$m" | awk '/^phiwall_gateway_spool_depth\{destination="(meta|ga4)"\} / {n += $2} END {print n + 0}'; }
left=-1
for ((end = SECONDS + PW_WAIT_S; SECONDS < end; )); do
    m=$(curl -s "http://127.0.0.1:$port/metrics")
    now=$(depth)
    printf '%s\n' "$m" | grep -q 'spool_depth{destination="meta"} 0' &&
        printf '%s\n' "$m" | grep -q 'spool_depth{destination="ga4"} 0' && break
    [ "$left" -ge 0 ] && [ "$now" -lt "$left" ] && end=$((SECONDS + PW_WAIT_S))
    left=$now
    sleep 0.1
done
expect_match "$m" 'deliveries_total\{destination="meta",outcome="sent"\} 1000' "meta: 1000 delivered"
expect_match "$m" 'deliveries_total\{destination="ga4",outcome="sent"\} 1000' "ga4: 1000 delivered"
expect_match "$m" "delivery_nice\{destination=\"meta\"\} $want" "/metrics shows the nice value"
n_mock=$(python3 - "$dir/mock.jsonl" <<'PY'
import json, sys
ids = set()
for line in open(sys.argv[1]):
    body = json.loads(json.loads(line)["body"])
    ids.update(e["event_id"] for e in body.get("data", []))
print(len(ids))
PY
)
expect_code 1000 "$n_mock" "the mock received 1000 distinct Meta event_ids"

gateway_stop; expect_code 0 $? "SIGTERM drains and exits 0"
finish
