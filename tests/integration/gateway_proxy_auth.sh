#!/usr/bin/env bash
# gateway_proxy_auth.sh — an egress proxy that demands credentials (tests/mock/egress_proxy.py:
# 407 without the right Proxy-Authorization). proxy_auth_file / proxy_auth_env hold user:password,
# read like the tokens: with the right ones the events go through; with wrong ones the
# destination pauses like a refused token (/metrics delivery_paused 3, a warn naming the proxy's
# 407, events kept queued, none dead) and a new file plus SIGHUP delivers them. A Digest-only
# proxy takes proxy_auth_scheme digest and refuses the default basic (paused). An https
# destination is reached by CONNECT, which carries the credentials too. The password appears in
# no --check output, log, audit record or /metrics. Bad settings name file:line.
set -u
. "$PW_SRC/tests/integration/lib.bash"
gateway_test_dir
unset https_proxy HTTPS_PROXY http_proxy all_proxy ALL_PROXY no_proxy NO_PROXY
good_pw=Good-Proxy-PW-7f3a9c
bad_pw=Wrong-Proxy-PW-2b8e41

mock_upstream_start || { fail "mock did not start"; finish; exit; }
python3 "$PW_SRC/tests/mock/egress_proxy.py" "$dir/proxy.log" "$dir/proxy.port" "gw-user:$good_pw" &
proxy_pid=$!
on_exit 'kill $proxy_pid 2>/dev/null'
python3 "$PW_SRC/tests/mock/egress_proxy.py" "$dir/dproxy.log" "$dir/dproxy.port" "gw-user:$good_pw" digest &
dproxy_pid=$!
on_exit 'kill $dproxy_pid 2>/dev/null'
proxies_up() { [ -s "$dir/proxy.port" ] && [ -s "$dir/dproxy.port" ]; }
wait_until "$PW_WAIT_S" proxies_up || { fail "proxies did not start"; finish; exit; }
proxy="http://127.0.0.1:$(cat "$dir/proxy.port")"
dproxy="http://127.0.0.1:$(cat "$dir/dproxy.port")"

policy() { # BASE_URL EXTRA_LINES…: the policy with those lines in the destination
    local base=$1; shift
    policy_site
    policy_meta 1 "$base" "$@"
}

start() { # NAME: the gateway on a port of its own (gateway_start sets pid and port)
    gateway_start "$dir/log-$1" --config "$dir/gw.yaml" --spool "$dir/spool-$1.db" \
        --audit "$dir/audit-$1.log" --threads 1 || fail "$1: gateway started"
}
n_sent=0
send() { # NAME
    n_sent=$((n_sent + 1))
    code=$(curl --noproxy '*' -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' --data \
        "{\"event_id\":\"00000000-0000-4000-8000-$(printf %012d $n_sent)\",\"name\":\"appointment_request\",\"consent\":{\"ads\":true},\"user\":{\"email\":\"v$n_sent@example.com\"}}" \
        "http://127.0.0.1:$port/e")
    expect_match "$code" "^200$" "$1: event accepted"
}

# 1. Right credentials from a file: --check shows where they come from, never them; delivered.
printf 'gw-user:%s\n' "$good_pw" >"$dir/proxy.auth"
policy "$mock" "    proxy: $proxy" "    proxy_auth_file: $dir/proxy.auth" >"$dir/gw.yaml"
out=$("$PHIWALL" gateway --check "$dir/gw.yaml"); expect_code 0 $? "--check with proxy_auth_file"
expect_match "$out" "proxy_auth: basic \(sent with the first request\), user:password from file $dir/proxy.auth \(loaded\)" "--check names the source and scheme"
expect_nomatch "$out" "$good_pw" "--check does not print the password"
start file
send file
gateway_wait metrics 'deliveries_total\{destination="meta",outcome="sent"\} 1'; expect_code 0 $? "file: delivered through the proxy"
expect_match "$(tail -1 "$dir/proxy.log")" "^POST $mock/v21.0/1/events auth=ok$" "file: the proxy saw the right credentials"
metrics=$(curl --noproxy '*' -s "http://127.0.0.1:$port/metrics")
gateway_stop

# 2. Wrong credentials: paused like a refused token, nothing dead; a new file and SIGHUP deliver.
printf 'gw-user:%s\n' "$bad_pw" >"$dir/proxy.auth"
start reload
send reload
gateway_wait metrics '^phiwall_gateway_delivery_paused\{destination="meta"\} 3$'; expect_code 0 $? "wrong credentials: delivery paused (auth)"
expect_match "$(tail -1 "$dir/proxy.log")" "auth=bad$" "wrong credentials: the proxy refused them"
m2=$(curl --noproxy '*' -s "http://127.0.0.1:$port/metrics")
expect_match "$m2" 'deliveries_total\{destination="meta",outcome="dead"\} 0' "wrong credentials: nothing dead"
expect_match "$m2" 'spool_depth\{destination="meta"\} 1' "wrong credentials: the event stays queued"
expect_match "$(cat "$dir/log-reload")" '"msg":"delivery paused: the destination refused the credentials.*"destination":"meta".*proxy http 407: the egress proxy refused the credentials' "wrong credentials: one warn naming the proxy's 407"
metrics="$metrics$m2"
printf 'gw-user:%s\n' "$good_pw" >"$dir/proxy.auth"
kill -HUP $pid
gateway_wait metrics 'deliveries_total\{destination="meta",outcome="sent"\} 1'; expect_code 0 $? "reload: the new file is read, the event delivered"
gateway_wait metrics '^phiwall_gateway_delivery_paused\{destination="meta"\} 0$'; expect_code 0 $? "reload: no longer paused"
metrics="$metrics$(curl --noproxy '*' -s "http://127.0.0.1:$port/metrics")"
gateway_stop

# 3. From the environment, with the scheme left to the proxy's challenge (any).
policy "$mock" "    proxy: $proxy" "    proxy_auth_env: PW_TEST_PROXY_AUTH" "    proxy_auth_scheme: any" >"$dir/gw.yaml"
export PW_TEST_PROXY_AUTH="gw-user:$good_pw"
out2=$("$PHIWALL" gateway --check "$dir/gw.yaml"); expect_code 0 $? "--check with proxy_auth_env"
expect_match "$out2" "proxy_auth: any .*user:password from env PW_TEST_PROXY_AUTH \(loaded\)" "--check names the variable"
out="$out$out2"
start env
send env
gateway_wait metrics 'deliveries_total\{destination="meta",outcome="sent"\} 1'; expect_code 0 $? "env (any): delivered after the proxy's challenge"
expect_match "$(tail -1 "$dir/proxy.log")" "auth=ok$" "env (any): the proxy saw the right credentials"
metrics="$metrics$(curl --noproxy '*' -s "http://127.0.0.1:$port/metrics")"
gateway_stop

# 3a. proxy: env with credentials and no proxy variable connects directly: said once at start.
policy "$mock" "    proxy: env" "    proxy_auth_env: PW_TEST_PROXY_AUTH" >"$dir/gw.yaml"
saved_proxy_vars=$(env | grep -iE '^(https?|all)_proxy=' || true)
unset https_proxy HTTPS_PROXY http_proxy all_proxy ALL_PROXY
start env-none
send env-none
gateway_wait metrics 'deliveries_total\{destination="meta",outcome="sent"\} 1'; expect_code 0 $? "env without a proxy variable: delivered directly"
expect_code 1 "$(grep -c 'proxy credentials unused' "$dir/log-env-none")" "env without a proxy variable: the unused credentials are said once"
gateway_stop
[ -z "$saved_proxy_vars" ] || while IFS= read -r kv; do export "$kv"; done <<<"$saved_proxy_vars"

# 3b. A proxy that takes Digest only: proxy_auth_scheme digest answers its challenge; the
#     default (basic) is refused by it (a scheme it does not take is a 407 too: paused).
policy "$mock" "    proxy: $dproxy" "    proxy_auth_env: PW_TEST_PROXY_AUTH" "    proxy_auth_scheme: digest" >"$dir/gw.yaml"
start digest
send digest
gateway_wait metrics 'deliveries_total\{destination="meta",outcome="sent"\} 1'; expect_code 0 $? "digest: delivered after the proxy's challenge"
expect_match "$(head -1 "$dir/dproxy.log")" "^POST $mock/v21.0/1/events auth=none$" "digest: the first request goes without credentials"
expect_match "$(tail -1 "$dir/dproxy.log")" "^POST $mock/v21.0/1/events auth=ok$" "digest: the answer to the challenge is right"
metrics="$metrics$(curl --noproxy '*' -s "http://127.0.0.1:$port/metrics")"
gateway_stop
policy "$mock" "    proxy: $dproxy" "    proxy_auth_env: PW_TEST_PROXY_AUTH" >"$dir/gw.yaml"
start digest-basic
send digest-basic
gateway_wait metrics '^phiwall_gateway_delivery_paused\{destination="meta"\} 3$'; expect_code 0 $? "basic against a Digest-only proxy: paused (auth)"
expect_match "$(tail -1 "$dir/dproxy.log")" "auth=bad$" "basic against a Digest-only proxy: refused"
metrics="$metrics$(curl --noproxy '*' -s "http://127.0.0.1:$port/metrics")"
gateway_stop

# 4. An https destination goes by CONNECT: wrong credentials pause it; right ones open the tunnel
#    (the loopback target speaks no TLS, so that attempt is only retried).
policy "https://127.0.0.1:$(cat "$dir/proxy.port")" "    proxy: $proxy" "    proxy_auth_env: PW_TEST_PROXY_AUTH" >"$dir/gw.yaml"
export PW_TEST_PROXY_AUTH="gw-user:$bad_pw"
start connect
send connect
gateway_wait metrics '^phiwall_gateway_delivery_paused\{destination="meta"\} 3$'; expect_code 0 $? "CONNECT with wrong credentials: paused (auth)"
expect_match "$(grep CONNECT "$dir/proxy.log" | tail -1)" "^CONNECT 127.0.0.1:[0-9]+ auth=bad$" "CONNECT carried the (wrong) credentials"
expect_match "$(cat "$dir/log-connect")" 'proxy http 407' "CONNECT: the warn names the proxy's 407"
metrics="$metrics$(curl --noproxy '*' -s "http://127.0.0.1:$port/metrics")"
gateway_stop
export PW_TEST_PROXY_AUTH="gw-user:$good_pw"
start connect2
send connect2
wait_until "$PW_WAIT_S" grep -q "^CONNECT .* auth=ok$" "$dir/proxy.log"
expect_match "$(grep CONNECT "$dir/proxy.log" | tail -1)" "^CONNECT 127.0.0.1:[0-9]+ auth=ok$" "CONNECT with the right credentials accepted"
gateway_stop

# The password is nowhere: --check, logs, audit logs, /metrics.
expect_nomatch "$out$metrics" "$good_pw|$bad_pw" "no password in --check or /metrics"
expect_code 0 "$(cat "$dir"/log-* "$dir"/audit-*.log | grep -c -e "$good_pw" -e "$bad_pw")" "no password in logs or audit logs"

# 5. Bad settings, with their place in the file; a secret file's content is never quoted.
policy "$mock" "    proxy_auth_file: $dir/proxy.auth" >"$dir/bad.yaml"
o=$("$PHIWALL" gateway --check "$dir/bad.yaml" 2>&1); expect_code 3 $? "--check credentials without a proxy"
expect_match "$o" "bad.yaml:12:22: destinations.meta.proxy_auth_file: proxy credentials need proxy: URL or proxy: env" "credentials without a proxy refused"
policy "$mock" "    proxy: $proxy" "    proxy_auth_file: $dir/proxy.auth" "    proxy_auth_env: PW_TEST_PROXY_AUTH" >"$dir/bad.yaml"
o=$("$PHIWALL" gateway --check "$dir/bad.yaml" 2>&1); expect_code 3 $? "--check file and env"
expect_match "$o" "bad.yaml:14:5: destinations.meta.proxy_auth_env: proxy_auth_file and proxy_auth_env: give one" "file and env refused"
printf '%s\n' "$good_pw" >"$dir/nocolon.auth"
policy "$mock" "    proxy: $proxy" "    proxy_auth_file: $dir/nocolon.auth" >"$dir/bad.yaml"
o=$("$PHIWALL" gateway --check "$dir/bad.yaml" 2>&1); expect_code 3 $? "--check secret without a colon"
expect_match "$o" "bad.yaml:13:22: destinations.meta.proxy_auth_file: the file must hold user:password" "secret without a colon refused"
expect_nomatch "$o" "$good_pw" "the file's content is not quoted"
policy "$mock" "    proxy: $proxy" "    proxy_auth_scheme: basic" >"$dir/bad.yaml"
o=$("$PHIWALL" gateway --check "$dir/bad.yaml" 2>&1); expect_code 3 $? "--check scheme without credentials"
expect_match "$o" "bad.yaml:13:24: destinations.meta.proxy_auth_scheme: needs proxy_auth_file or proxy_auth_env" "scheme without credentials refused"
policy "$mock" "    proxy: $proxy" "    proxy_auth_env: PW_TEST_PROXY_AUTH" "    proxy_auth_scheme: kerberos" >"$dir/bad.yaml"
o=$("$PHIWALL" gateway --check "$dir/bad.yaml" 2>&1); expect_code 3 $? "--check unknown scheme"
expect_match "$o" "bad.yaml:14:24: destinations.meta.proxy_auth_scheme: " "unknown scheme refused"
unset PW_TEST_PROXY_AUTH
policy "$mock" "    proxy: $proxy" "    proxy_auth_env: PW_TEST_PROXY_AUTH" >"$dir/bad.yaml"
o=$("$PHIWALL" gateway --check "$dir/bad.yaml" 2>&1); expect_code 3 $? "--check unset variable"
expect_match "$o" "bad.yaml:13:21: destinations.meta.proxy_auth_env: environment variable PW_TEST_PROXY_AUTH is not set" "unset variable refused"
finish
