#!/usr/bin/env bash
# gateway_h2c.sh — destinations with `http2: prior-knowledge` deliver over h2c (HTTP/2 without
# TLS or Upgrade) to nginx on loopback: 250 GA4 visitors (one request each, three waves of
# concurrent streams) and their Meta batch, then 40 more after nginx restarted (the connection
# the forwarders kept is gone: a new one is opened without a failed delivery), and 30 more after
# the kept connection sat idle past nginx's keepalive_timeout (GOAWAY, closed). Every event is
# delivered once, nginx saw only HTTP/2.0 requests, none failed or was retried, and --check
# shows the option. Skipped without nginx or its echo module (nginx-light depends on it): nginx's
# `return` answers an h2 POST before reading its body and resets the stream, which libcurl 7.88
# reports as a failure; echo_read_request_body reads it first, as the real endpoints do.
set -u
. "$PW_SRC/tests/integration/lib.bash"
gateway_test_dir
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$nginx_bin" ] || skip "nginx not present"
echo_mod=/usr/lib/nginx/modules/ngx_http_echo_module.so
[ -f "$echo_mod" ] || skip "nginx echo module not present ($echo_mod)"
up=$(free_port)

chmod 755 "$dir"
ngx=
stop_nginx() { [ -n "$ngx" ] && kill "$ngx" 2>/dev/null && wait "$ngx" 2>/dev/null; ngx=; }
on_exit stop_nginx
mkdir -p "$dir/nginx/logs"
cat >"$dir/nginx/nginx.conf" <<NGX
load_module $echo_mod;
worker_processes 1;
pid $dir/nginx/nginx.pid;
error_log $dir/nginx/logs/error.log warn;
events { worker_connections 1024; }
http {
  log_format proto '\$server_protocol \$status \$uri';
  access_log $dir/nginx/logs/access.log proto;
  client_body_temp_path $dir/nginx/body;
  keepalive_timeout 1s; # an idle h2 connection gets GOAWAY and is closed (the phase after the restart)
  server {
    listen 127.0.0.1:$up http2;
    client_max_body_size 8m; client_body_buffer_size 8m;
    location /v21.0/ { default_type application/json; echo_read_request_body;
      echo '{"events_received":1,"messages":[],"fbtrace_id":"h2c"}'; }
    location / { echo_read_request_body; echo_status 204; echo -n ''; }
  }
}
NGX
start_nginx() {
    "$nginx_bin" -p "$dir/nginx" -c "$dir/nginx/nginx.conf" -g 'daemon off;' 2>>"$dir/nginx.err" &
    ngx=$!
    wait_until "$PW_WAIT_S" nginx_up && kill -0 "$ngx" 2>/dev/null
}
# nginx answers, or exited (it could not start: a wait of PW_WAIT_S would not help)
nginx_up() { curl -s -o /dev/null --http2-prior-knowledge "http://127.0.0.1:$up/" || ! kill -0 "$ngx" 2>/dev/null; }
start_nginx || skip "nginx did not start: $(cat "$dir/nginx.err")"

{ policy_site 100000; policy_meta 7 "http://127.0.0.1:$up" "    http2: prior-knowledge"; cat <<YAML; } >"$dir/gw.yaml"
  ga4:
    type: ga4
    measurement_id: G-H2C
    api_secret_env: PHIWALL_GA4_SECRET
    base_url: http://127.0.0.1:$up
    http2: prior-knowledge
    events: {appointment_request: generate_lead}
    first_party_id: hmac
YAML

check=$("$PHIWALL" gateway --check "$dir/gw.yaml" 2>&1); expect_code 0 $? "--check"
expect_match "$check" 'http2: prior-knowledge \(http: h2c' "--check shows http2: prior-knowledge"
expect_match "$(printf '%s\n' "$check" | grep -c 'http2: prior')" '^2$' "for both destinations"
sed 's/http2: prior-knowledge/http2: always/' "$dir/gw.yaml" >"$dir/bad.yaml"
bad=$("$PHIWALL" gateway --check "$dir/bad.yaml" 2>&1)
expect_match "$bad" 'bad\.yaml:[0-9]+:[0-9]+: destinations\.meta\.http2: expected one of: auto \| prior-knowledge \| off' \
    "an unknown http2 value is refused with file:line"

: >"$dir/log"
gateway_start "$dir/log" --config "$dir/gw.yaml" --spool "$dir/spool.db" \
    --audit "$dir/audit.log" --threads 2 || fail "the gateway did not start"

ev() { # n: one event of visitor n (its own fpid, so GA4 sends it alone)
    printf '{"event_id":"8a6e0804-2bd0-4672-b79d-%012x","name":"appointment_request","consent":{"ads":true,"analytics":true},"user":{"email":"v%d@example.com"},"fpid":"c0ffee00-1111-4222-8333-%012x"}' "$1" "$1" "$1"
}
post_range() { # first last: in bodies of 25 events
    local i=$1 body
    while [ "$i" -le "$2" ]; do
        body="["
        for k in $(seq "$i" $((i + 24 > $2 ? $2 : i + 24))); do body+="$(ev "$k"),"; done
        curl -s -o /dev/null -H 'Content-Type: text/plain' --data "${body%,}]" "http://127.0.0.1:$port/e"
        i=$((i + 25))
    done
}
metric() { curl -s "http://127.0.0.1:$port/metrics" | awk -v k="$1" 'index($0, k) == 1 {print $2}'; }
sent() { [ "$(metric "phiwall_gateway_deliveries_total{destination=\"$1\",outcome=\"sent\"}")" = "$2" ]; }
wait_sent() { wait_until "$PW_WAIT_S" sent "$@"; } # destination count
post_range 1 250
wait_sent ga4 250; expect_code 0 $? "ga4: 250 visitors delivered over h2c"
wait_sent meta 250; expect_code 0 $? "meta: 250 events delivered over h2c"

stop_nginx
start_nginx || fail "nginx did not restart"
post_range 251 290
wait_sent ga4 290; expect_code 0 $? "ga4: 40 more after nginx restarted"
wait_sent meta 290; expect_code 0 $? "meta: 40 more after nginx restarted"
# idle past nginx's keepalive_timeout: it sends GOAWAY and closes the kept connection
sleep 2
post_range 291 320
wait_sent ga4 320; expect_code 0 $? "ga4: 30 more after the server's GOAWAY on an idle connection"
wait_sent meta 320; expect_code 0 $? "meta: 30 more after the server's GOAWAY"

for d in ga4 meta; do
    for o in failed retried dead; do
        expect_match "$(metric "phiwall_gateway_deliveries_total{destination=\"$d\",outcome=\"$o\"}")" '^0$' \
            "$d: nothing $o"
    done
done
stop_nginx
log=$(cat "$dir/nginx/logs/access.log")
expect_match "$(printf '%s\n' "$log" | grep -c '^HTTP/2.0 204 /mp/collect$')" '^320$' \
    "nginx answered 320 GA4 requests over HTTP/2"
expect_match "$(printf '%s\n' "$log" | grep -c '^HTTP/2.0 200 /v21.0/7/events$')" '^[1-9][0-9]*$' \
    "nginx answered the Meta batches over HTTP/2"
expect_nomatch "$log" '^HTTP/1' "no HTTP/1.x request reached nginx"

gateway_stop
list=$("$PHIWALL" audit list --audit "$dir/audit.log")
expect_match "$(printf '%s\n' "$list" | grep -cE '^[^ ]+ +sent +ga4 ')" '^320$' \
    "audit: one sent record per GA4 event"
finish
