#!/usr/bin/env bash
# gateway_authpause.sh — `phiwall gateway` when a webhook refuses its bearer token (HTTP 401):
# the destination pauses instead of dead-lettering (/metrics delivery_paused 3, /healthz 503
# "auth", one warn without the token), the events stay queued; a new token file and SIGHUP
# restart the forwarders, every event is delivered once and nothing is dead-lettered.
set -u
. "$PW_SRC/tests/integration/lib.bash"
gateway_test_dir
bad=bad-token-SECRET-0123456789abcdef
good=good-token-SECRET-9876543210fedcba

# The webhook: 401 unless the bearer token is the good one; records the bodies it accepts.
cat >"$dir/mock.py" <<'PY'
import http.server, sys
good, log = sys.argv[1], sys.argv[2]
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.headers.get("Authorization") != "Bearer " + good:
            self.send_response(401); self.send_header("Content-Length", "0"); self.end_headers()
            return
        with open(log, "ab") as f:
            f.write(body + b"\n")
        self.send_response(204); self.end_headers()
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
PY
python3 "$dir/mock.py" "$good" "$dir/accepted.jsonl" >"$dir/mock.port" &
mock_pid=$!
on_exit 'kill $mock_pid 2>/dev/null'
wait_until "$PW_WAIT_S" [ -s "$dir/mock.port" ]
mport=$(cat "$dir/mock.port")
[ -n "$mport" ] || { fail "mock did not start"; finish; exit; }

printf '%s' "$bad" >"$dir/token"
{ policy_site; cat <<YAML; } >"$dir/gw.yaml"
destinations:
  hook:
    type: webhook
    url: http://127.0.0.1:$mport/hook
    bearer_token_file: $dir/token
    events: {appointment_request: Schedule}
YAML
: >"$dir/log"
gateway_start "$dir/log" --config "$dir/gw.yaml" --spool "$dir/spool.db" \
    --audit "$dir/audit.log" --threads 2 || fail "the gateway did not start"

uuid() { printf '00000000-0000-4000-8000-%012d' "$1"; }
for n in 1 2 3 4 5; do
    code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/e" \
        -H 'Origin: https://www.example-hospital.org' -H 'Content-Type: text/plain' \
        --data "{\"event_id\":\"$(uuid $n)\",\"name\":\"appointment_request\"}")
    expect_code 200 "$code" "event $n accepted"
done

gateway_wait metrics '^phiwall_gateway_delivery_paused\{destination="hook"\} 3$'
expect_code 0 $? "/metrics delivery_paused 3 (auth) while the token is refused"
out=$(curl -s -w ' %{http_code}' "http://127.0.0.1:$port/healthz")
expect_match "$out" 'hook paused \(auth: credentials refused.* 503$' "/healthz 503 naming the auth pause"
metrics=$(curl -s "http://127.0.0.1:$port/metrics")
expect_match "$metrics" 'phiwall_gateway_spool_depth\{destination="hook"\} 5' "the 5 events stay queued"
expect_match "$metrics" 'phiwall_gateway_deliveries_total\{destination="hook",outcome="dead"\} 0' "none dead"
expect_match "$(cat "$dir/log")" '"level":"warn","msg":"delivery paused: the destination refused the credentials.*"hook".*http 401' "one warn naming destination and status"

# A new token and a reload: delivered at once, each event once, nothing dead.
printf '%s' "$good" >"$dir/token"
kill -HUP "$pid"
gateway_wait metrics 'phiwall_gateway_spool_depth\{destination="hook"\} 0'
expect_code 0 $? "drained after the reload with the new token"
for n in 1 2 3 4 5; do
    expect_code 1 "$(grep -o "\"$(uuid $n)\"" "$dir/accepted.jsonl" | wc -l)" "event $n delivered once"
done
out=$(curl -s -w ' %{http_code}' "http://127.0.0.1:$port/healthz")
expect_match "$out" '"status":"ok".* 200$' "/healthz ok again"
metrics=$(curl -s "http://127.0.0.1:$port/metrics")
expect_match "$metrics" '^phiwall_gateway_delivery_paused\{destination="hook"\} 0$' "/metrics delivery_paused 0"
gateway_stop
"$PHIWALL" audit verify --audit "$dir/audit.log" >/dev/null; expect_code 0 $? "chain verifies"
expect_code 0 "$("$PHIWALL" audit list --audit "$dir/audit.log" --json | grep -c '"action":"dead"')" "no dead record"
expect_code 0 "$(cat "$dir/log" "$dir/audit.log" | grep -c -e "$bad" -e "$good")" "no token in log or audit"
finish
