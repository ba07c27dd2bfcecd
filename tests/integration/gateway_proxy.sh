#!/usr/bin/env bash
# gateway_proxy.sh — the egress path is the policy's `proxy:`: by default (none) a destination
# connects directly even with http_proxy / https_proxy set in the environment (libcurl used them
# silently) and a warning names the ignored variables; `proxy: env` uses them; `proxy: URL`
# uses that proxy. A loopback HTTP proxy (absolute-form requests, no CONNECT) logs what passes
# through it; the loopback mock of Meta receives the events in every case.
set -u
. "$PW_SRC/tests/integration/lib.bash"
gateway_test_dir
unset https_proxy HTTPS_PROXY http_proxy all_proxy ALL_PROXY no_proxy NO_PROXY
mock_upstream_start || { fail "mock did not start"; finish; exit; }

# The proxy (tests/mock/egress_proxy.py): one line per request it forwards
# ("POST http://127.0.0.1:…/v21.0/1/events").
python3 "$PW_SRC/tests/mock/egress_proxy.py" "$dir/proxy.log" "$dir/proxy.port" &
proxy_pid=$!
on_exit 'kill $proxy_pid 2>/dev/null'
wait_until "$PW_WAIT_S" [ -s "$dir/proxy.port" ]
proxy="http://127.0.0.1:$(cat "$dir/proxy.port")"
[ -s "$dir/proxy.port" ] || { fail "proxy did not start"; finish; exit; }

policy() { # PROXY_LINE: the policy with that line in the destination ("" for none)
    policy_site
    policy_meta 1 "$mock" "$1"
}

n_sent=0
# run NAME: start the gateway on $dir/gw.yaml, send one event, wait until it is delivered, stop.
run() {
    n_sent=$((n_sent + 1))
    : >"$dir/log-$1"
    gateway_start "$dir/log-$1" --config "$dir/gw.yaml" --spool "$dir/spool-$1.db" \
        --audit "$dir/audit-$1.log" --threads 1 || fail "the gateway did not start"
    code=$(curl --noproxy "*" -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' --data \
        "{\"event_id\":\"00000000-0000-4000-8000-00000000000$n_sent\",\"name\":\"appointment_request\",\"consent\":{\"ads\":true},\"user\":{\"email\":\"v$n_sent@example.com\"}}" \
        "http://127.0.0.1:$port/e")
    expect_match "$code" "^200$" "$1: event accepted"
    gateway_wait metrics 'deliveries_total\{destination="meta",outcome="sent"\} 1'
    expect_code 0 $? "$1: delivered"
    gateway_stop
}
proxied() { [ -f "$dir/proxy.log" ] && wc -l <"$dir/proxy.log" || echo 0; }

# 1. Default (no proxy:), the environment naming the proxy: direct, with a warning.
policy "" >"$dir/gw.yaml"
out=$("$PHIWALL" gateway --check "$dir/gw.yaml"); expect_code 0 $? "--check default"
expect_match "$out" "proxy: none \(direct; https_proxy, http_proxy, all_proxy ignored\)" "--check shows proxy: none"
http_proxy=$proxy https_proxy=$proxy run default
expect_code 0 "$(proxied)" "default: nothing through the environment's proxy"
expect_match "$(cat "$dir/log-default")" '"msg":"proxy variables in the environment ignored: the destination connects directly.*"variables":"https_proxy,http_proxy"' "default: the ignored variables are named"

# 2. proxy: env: libcurl's environment variables are used.
policy "    proxy: env" >"$dir/gw.yaml"
out=$("$PHIWALL" gateway --check "$dir/gw.yaml"); expect_code 0 $? "--check env"
expect_match "$out" "proxy: env \(libcurl's https_proxy, http_proxy, all_proxy, no_proxy\)" "--check shows proxy: env"
http_proxy=$proxy run env
expect_code 1 "$(proxied)" "env: the event went through the environment's proxy"
expect_nomatch "$(cat "$dir/log-env")" "proxy variables in the environment ignored" "env: no warning"

# 3. proxy: URL: that proxy, whatever the environment says (no_proxy included).
policy "    proxy: $proxy" >"$dir/gw.yaml"
out=$("$PHIWALL" gateway --check "$dir/gw.yaml"); expect_code 0 $? "--check URL"
expect_match "$out" "proxy: http://127.0.0.1:[0-9]+ \(no_proxy ignored\)" "--check shows the proxy URL"
no_proxy='*' run url
expect_code 2 "$(proxied)" "url: the event went through the policy's proxy"
expect_match "$(tail -1 "$dir/proxy.log")" "^POST $mock/v21.0/1/events" "url: the proxy saw the Meta request"
n_mock=$(grep -c '"url":"/v21.0/1/events"' "$dir/mock.jsonl" || true)
expect_code 3 "$n_mock" "the mock received all three events"

# 4. Bad values, with their place in the file.
policy "    proxy: ftp://127.0.0.1:21" >"$dir/bad.yaml"
out=$("$PHIWALL" gateway --check "$dir/bad.yaml" 2>&1); expect_code 3 $? "--check ftp proxy"
expect_match "$out" "bad.yaml:12:12: destinations.meta.proxy: expected none, env, or a proxy URL" "ftp:// refused"
policy "    proxy: http://user:pw@127.0.0.1:3128" >"$dir/bad.yaml"
out=$("$PHIWALL" gateway --check "$dir/bad.yaml" 2>&1); expect_code 3 $? "--check proxy credentials"
expect_match "$out" "bad.yaml:12:12: destinations.meta.proxy: credentials in the proxy URL are not supported.*proxy_auth_file.*proxy_auth_env" "credentials refused, the options named"
expect_nomatch "$out" "pw@" "the credentials are not echoed"
policy "    proxy: http://192.0.2.1:3128" >"$dir/bad.yaml"
out=$("$PHIWALL" gateway --check "$dir/bad.yaml" 2>&1); expect_code 3 $? "--check remote proxy for http"
expect_match "$out" "destinations.meta.proxy: a plain-http endpoint \(loopback only\) takes only a loopback proxy" "http endpoint: remote proxy refused"
finish
