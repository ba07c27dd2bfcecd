#!/usr/bin/env bash
# gateway.sh — the gateway under wrk on loopback, against nginx answering `return 204` in the
# same run: same wrk threads, connections and duration. The gateway runs with its policy, the
# PHI engine and the durable SQLite spool on (every 200 is fsync'd). Two saturating phases:
#   ingest only — every destination held (`hold: true`, SIGHUP): policy + PHI engine + durable
#     spool + the audit of acceptance, nothing delivered; the ratio DESIGN §5's target names.
#     Then the hold is lifted (SIGHUP with the unheld policy) and the drain is timed: how long the
#     forwarders take to empty the spool, in rows/s and events/s.
#   with delivery — as before: the forwarders deliver to the same nginx (a mock upstream on the
#     same cores) during the burst; its ratio is printed too, labelled as such.
# Prints both req/s, the ratios, p50/p99 latency and the reproducing command, and
# for the paced phase where a request's wait went (the gateway's commit-path histograms from
# /metrics, summarised by bench/gw_phases.awk; docs/gateway-delivery.md explains each phase).
#
#   bench/gateway.sh [BUILD_DIR] [DURATION_S] [CONNECTIONS] [WRK_THREADS]
# Environment: PW_BENCH_NICE=N / PW_BENCH_BOOST_MS=M set the policy's delivery.nice and
# delivery.boost_lag_ms (unset: the gateway's defaults); PW_BENCH_FLOOR=0 skips the HTTP floor
# runs; PW_BENCH_PACED_HELD=0 skips the paced run with delivery held; PW_BENCH_PERF=FILE
# records `perf record` of the gateway during the ingest-only burst
# (PW_BENCH_PERF_PHASE=delivery: the with-delivery burst and its drain instead; PW_BENCH_PERF_HZ
# samples/s, 1999; PW_BENCH_PERF_CG call graphs: fp or dwarf);
# PW_BENCH_AUDIT_DIR puts the audit log elsewhere (e.g. /dev/shm: no audit fsync on the spool's
# disk); PW_BENCH_RATE (10000) is the paced phase's rate; PW_GW_THREADS the HTTP threads;
# PW_BENCH_HTTP2=off (default) delivers to the upstream over HTTP/1.1, =prior-knowledge over h2c
# (the destinations' `http2: prior-knowledge`; the real endpoints speak HTTP/2 over TLS). The
# default is HTTP/1.1 because libcurl 7.88's HTTP/2 costs more CPU per request than its HTTP/1.1
# on loopback (docs/gateway-delivery.md), and it keeps the figures comparable with earlier runs.
# Needs wrk and nginx-light (Debian; its echo module reads the h2 request bodies); run as root
# (nginx is started with a temp config, no daemon, on free loopback ports, and stopped after).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
dur=${2:-10}
conns=${3:-64}
wthreads=${4:-2}
phiwall=$build/phiwall
command -v wrk >/dev/null || { echo "wrk not installed (apt-get install wrk)"; exit 1; }
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || { echo "nginx not installed"; exit 1; }
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$phiwall" ] || { echo "build first: ./scripts/build.sh $build"; exit 1; }

tmp=$(mktemp -d /tmp/phiwall-bench-gw.XXXXXX)
gw_pid= ; ngx_pid= ; floor_pid= ; audit_log=
cleanup() {
  [ -n "$floor_pid" ] && kill "$floor_pid" 2>/dev/null || true
  [ -n "$gw_pid" ] && kill "$gw_pid" 2>/dev/null && wait "$gw_pid" 2>/dev/null || true
  [ -n "$ngx_pid" ] && kill "$ngx_pid" 2>/dev/null && wait "$ngx_pid" 2>/dev/null || true
  rm -rf "$tmp"
  [ -z "${PW_BENCH_AUDIT_DIR:-}" ] || [ -z "$audit_log" ] || rm -f "$audit_log"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ngx_port=$(free_port)
up_port=$(free_port)
h2_port=$(free_port)
gw_port=$(free_port)
cpus=$(nproc)

# nginx: the baseline (return 204) and the upstream the forwarders deliver to: HTTP/1.1 on
# up_port; h2c on h2_port, where the body is read before the answer (echo_read_request_body):
# `return` answers an h2 POST before its body arrives and resets the stream, which libcurl 7.88
# counts as a failed transfer (the real endpoints read the body first).
http2=${PW_BENCH_HTTP2:-off}
echo_mod=/usr/lib/nginx/modules/ngx_http_echo_module.so
if [ "$http2" != off ] && [ ! -f "$echo_mod" ]; then
  echo "no $echo_mod (libnginx-mod-http-echo): delivering over HTTP/1.1"; http2=off
fi
load_echo= ; [ "$http2" = off ] || load_echo="load_module $echo_mod;"
up_base=http://127.0.0.1:$up_port ; [ "$http2" = off ] || up_base=http://127.0.0.1:$h2_port
mkdir -p "$tmp/nginx/logs"
cat >"$tmp/nginx/nginx.conf" <<NGX
$load_echo
worker_processes $cpus;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  client_body_temp_path $tmp/nginx/body;
  server { listen 127.0.0.1:$ngx_port; location / { return 204; } }
  server {
    listen 127.0.0.1:$up_port;
    location /v21.0/ { default_type application/json;
      return 200 '{"events_received":1,"messages":[],"fbtrace_id":"bench"}'; }
    location / { return 204; }
  }
NGX
[ "$http2" = off ] || cat >>"$tmp/nginx/nginx.conf" <<NGX
  server {
    listen 127.0.0.1:$h2_port http2;
    client_max_body_size 8m; client_body_buffer_size 8m; # a Meta batch: in memory, no temp file
    location /v21.0/ { default_type application/json; echo_read_request_body;
      echo '{"events_received":1,"messages":[],"fbtrace_id":"bench"}'; }
    location / { echo_read_request_body; echo_status 204; echo -n ''; }
  }
NGX
echo "}" >>"$tmp/nginx/nginx.conf"
"$nginx_bin" -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" -g 'daemon off;' &
ngx_pid=$!

cat >"$tmp/gateway.yaml" <<YAML
site:
  origins: [https://www.example-hospital.org]
  hmac_key_env: BENCH_SITE_KEY
ingest:
  rate_limit: {per_second: 1000000, burst: 1000000}   # one client IP here; the limiter still runs
destinations:
  meta:
    type: meta
    pixel_id: "1234"
    access_token_env: BENCH_TOKEN
    base_url: $up_base
    http2: $http2
    events: {page_view: PageView, appointment_request: Schedule}
    allow_params: [value, currency, note]
    page_url: categories
    page_categories: {"/find-a-doctor*": find_doctor}
    default_category: other
    user_data: [em, ph]
    first_party_id: hmac
    phi: redact
  ga4:
    type: ga4
    measurement_id: G-BENCH
    api_secret_env: BENCH_TOKEN
    base_url: $up_base
    http2: $http2
    events: {appointment_request: generate_lead}
    allow_params: [value, currency]
    page_url: origin
    first_party_id: hmac
YAML
if [ -n "${PW_BENCH_NICE:-}${PW_BENCH_BOOST_MS:-}" ]; then
  { echo "delivery:"
    [ -z "${PW_BENCH_NICE:-}" ] || echo "  nice: $PW_BENCH_NICE"
    [ -z "${PW_BENCH_BOOST_MS:-}" ] || echo "  boost_lag_ms: $PW_BENCH_BOOST_MS"; } >>"$tmp/gateway.yaml"
fi
# The same policy with every destination held (`hold: true`): the ingest-only phase. The gateway
# reads --config again on SIGHUP, so the phases swap the file's contents and signal.
awk '{ print } /^    type: / { print "    hold: true" }' "$tmp/gateway.yaml" >"$tmp/gateway-held.yaml"
cp "$tmp/gateway.yaml" "$tmp/gateway-unheld.yaml"
export BENCH_SITE_KEY=0123456789abcdef-bench-key BENCH_TOKEN=bench-token
# HTTP threads: the gateway's default (one per CPU) unless PW_GW_THREADS says otherwise. More
# threads than CPUs only add context switches (64 on 2 CPUs: ~60% more CPU per event).
gw_threads=${PW_GW_THREADS:-$cpus}
audit_log=$tmp/audit.log
[ -z "${PW_BENCH_AUDIT_DIR:-}" ] || audit_log=$(mktemp "$PW_BENCH_AUDIT_DIR/phiwall-bench-audit.XXXXXX")
"$phiwall" gateway --config "$tmp/gateway.yaml" --listen "127.0.0.1:$gw_port" \
  --spool "$tmp/spool.db" --audit "$audit_log" --threads "$gw_threads" 2>"$tmp/gateway.log" &
gw_pid=$!

wait_port() { for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$1/${2:-}" && return 0; sleep 0.05; done; echo "port $1 did not open"; exit 1; }
wait_port "$ngx_port"
wait_port "$gw_port" healthz

# Every gateway run sends event_ids of its own (bench/gateway_event.lua): PW_RUN counts them.
export PW_RUN=$(( $(date +%s) % 0x100000 * 16 ))
next_run() { PW_RUN=$((PW_RUN + 1)); }
run_wrk() { # url [script]
  if [ -n "${2:-}" ]; then wrk -t"$wthreads" -c"$conns" -d"${dur}s" --latency -s "$2" "$1"
  else wrk -t"$wthreads" -c"$conns" -d"${dur}s" --latency "$1"; fi
}
rps() { awk '/^Requests\/sec/ {print $2}'; }
pct() { awk -v p="$1" '$1 == p {print $2}'; }
non2xx() { awk '/Non-2xx/ {print $NF}'; }
# CPU ticks used so far by each gateway thread group (thread name -> ticks), one line each.
cpu_by_thread() { cat /proc/"$gw_pid"/task/*/stat 2>/dev/null |
  awk '{ sub(/^[0-9]+ \(/, ""); name = $0; sub(/\).*/, "", name); sub(/^[^)]*\) /, "");
         t[name] += $12 + $13 } END { for (n in t) print n, t[n] }' | sort; }
# Run-queue wait so far by thread group (name -> ns runnable but not running, schedstat field 2,
# and the times it got a CPU, field 3): how long each group waited for a CPU, whatever else the
# machine runs, in all and per turn on a CPU (a wake-up or a preemption's return).
wait_by_thread() { for t in /proc/"$gw_pid"/task/*; do
    printf '%s %s\n' "$(tr ' ' _ <"$t/comm" 2>/dev/null)" "$(cut -d' ' -f2,3 "$t/schedstat" 2>/dev/null)"
  done | awk 'NF == 3 { t[$1] += $2; r[$1] += $3 } END { for (n in t) print n, t[n], r[n] }' | sort; }
# Context switches so far by thread group (voluntary + involuntary): wake-ups per event.
csw_by_thread() { for t in /proc/"$gw_pid"/task/*; do
    printf '%s %s\n' "$(tr ' ' _ <"$t/comm" 2>/dev/null)" \
      "$(awk '/ctxt_switches/ {n += $2} END {print n + 0}' "$t/status" 2>/dev/null)"
  done | awk 'NF == 2 { t[$1] += $2 } END { for (n in t) print n, t[n] }' | sort; }
# Writes so far by thread group (name -> bytes handed to write calls, write calls, bytes of pages
# dirtied for the disk: /proc/<pid>/task/<tid>/io), for the durable path's bytes per event.
io_by_thread() { for t in /proc/"$gw_pid"/task/*; do
    printf '%s %s\n' "$(tr ' ' _ <"$t/comm" 2>/dev/null)" \
      "$(awk '/^wchar|^syscw|^write_bytes/ {printf "%s ", $2}' "$t/io" 2>/dev/null)"
  done | awk 'NF == 4 { w[$1] += $2; c[$1] += $3; d[$1] += $4 } END { for (n in w) print n, w[n], c[n], d[n] }' | sort; }
events_in() { curl -s "http://127.0.0.1:$gw_port/metrics" |
  awk '/^phiwall_gateway_events_total\{outcome="in"\}/ {print $2}'; }
spool_depth() { curl -s "http://127.0.0.1:$gw_port/metrics" |
  awk '/^phiwall_gateway_spool_depth\{/ {d += $2} END {print d + 0}'; }
# After a wrk run: the spool depth it left and how long delivery takes to empty the spool
# ("depth drain_seconds"; drain "-" if it is not empty within 120 s).
drain() {
  local d0 t0 t
  d0=$(spool_depth); t0=$(date +%s.%N)
  for _ in $(seq 2400); do
    [ "$(spool_depth)" = 0 ] && { t=$(date +%s.%N); awk -v a="$t0" -v b="$t" -v d="$d0" 'BEGIN { printf "%d %.2f\n", d, b - a }'; return; }
    sleep 0.05
  done
  echo "$d0 -"
}

# Warm up both briefly, then measure nginx first and the gateway second.
wrk -t1 -c4 -d1s "http://127.0.0.1:$ngx_port/" >/dev/null
next_run; wrk -t1 -c4 -d1s -s bench/gateway_event.lua "http://127.0.0.1:$gw_port/e" >/dev/null
proc_ticks() { for p in "$@"; do awk '{print $14 + $15}' /proc/"$p"/stat; done | awk '{t += $1} END {print t + 0}'; }
requests() { awk '/ requests in / {print $1}'; }
ngx_workers=$(pgrep -P "$ngx_pid" | tr '\n' ' ')
ngx_t0=$(proc_ticks $ngx_workers)
ngx_out=$(run_wrk "http://127.0.0.1:$ngx_port/")
ngx_t1=$(proc_ticks $ngx_workers)
perf_pid=
perf_start() { # PHASE: profile the gateway when PW_BENCH_PERF is set and PW_BENCH_PERF_PHASE is PHASE
  [ -n "${PW_BENCH_PERF:-}" ] && [ "${PW_BENCH_PERF_PHASE:-ingest}" = "$1" ] || return 0
  perf record -q -F "${PW_BENCH_PERF_HZ:-1999}" --call-graph "${PW_BENCH_PERF_CG:-fp}" -p "$gw_pid" -o "$PW_BENCH_PERF" 2>/dev/null &
  perf_pid=$!
}
perf_stop() { [ -z "$perf_pid" ] || { kill -INT "$perf_pid"; wait "$perf_pid" 2>/dev/null || true; perf_pid=; }; }
# held_count: destinations whose delivery is held now (/metrics).
held_count() { curl -s "http://127.0.0.1:$gw_port/metrics" |
  awk '/^phiwall_gateway_delivery_held\{/ && $2 == 1 {n++} END {print n + 0}'; }
# set_policy held|unheld: swap the config, SIGHUP, and wait until /metrics shows it in force.
set_policy() {
  local want=0
  [ "$1" = held ] && want=$(grep -c '^    hold: true' "$tmp/gateway-held.yaml")
  cp "$tmp/gateway-$1.yaml" "$tmp/gateway.yaml"
  kill -HUP "$gw_pid"
  for _ in $(seq 200); do [ "$(held_count)" = "$want" ] && return 0; sleep 0.05; done
  echo "the gateway did not apply the $1 policy (see $tmp/gateway.log)"; exit 1
}

# Phase 1, ingest only: every destination held, so the burst measures what DESIGN §5's target
# names (policy + PHI engine + durable spool, with the audit of acceptance) and nothing of
# delivery or the mock upstream. The CPU is read once the audit thread has written the burst's
# records.
set_policy held
icpu0=$(cpu_by_thread); iwait0=$(wait_by_thread); icsw0=$(csw_by_thread); iio0=$(io_by_thread); iev0=$(events_in)
perf_start ingest
next_run; ing_out=$(run_wrk "http://127.0.0.1:$gw_port/e" bench/gateway_event.lua)
iev1=$(events_in); iwait1=$(wait_by_thread)
sleep 0.5
perf_stop
icpu1=$(cpu_by_thread); icsw1=$(csw_by_thread); iio1=$(io_by_thread)
# Then the hold is lifted: how long delivery takes to empty what the burst spooled.
hold_rows=$(spool_depth)
dcpu0=$(cpu_by_thread); dio0=$(io_by_thread); dup_t0=$(proc_ticks $ngx_workers)
set_policy unheld
hold_drain=$(drain)
dcpu1=$(cpu_by_thread); dio1=$(io_by_thread); dup_t1=$(proc_ticks $ngx_workers)

# Phase 2, full load with delivery: forwarders and their mock upstream (nginx) on the same cores
# as ingest, as before; CPU counted until the spool is empty again.
cpu0=$(cpu_by_thread); wait0=$(wait_by_thread); ev0=$(events_in); up_t0=$(proc_ticks $ngx_workers)
perf_start delivery
next_run; gw_out=$(run_wrk "http://127.0.0.1:$gw_port/e" bench/gateway_event.lua)
ev1=$(events_in)
wait1=$(wait_by_thread) # at the end of the burst: what ingest waited while delivery competed
burst_drain=$(drain)
cpu1=$(cpu_by_thread) # after the drain: delivery deferred past the burst is counted too
up_t1=$(proc_ticks $ngx_workers) # nginx as the forwarders' upstream, same span
perf_stop
# Fixed offered load (DESIGN: >= 10,000 events/s at p99 < 5 ms): each wrk thread sends on its
# own schedule (bench/gateway_event.lua, PW_RATE), over 100 connections so that slow answers do
# not lower the offered rate until all of them are busy.
rate=${PW_BENCH_RATE:-10000}
curl -s "http://127.0.0.1:$gw_port/metrics" >"$tmp/metrics.paced0"
pcpu0=$(cpu_by_thread); pwait0=$(wait_by_thread); pev0=$(events_in)
next_run; paced_out=$(PW_RATE=$rate PW_THREADS=$wthreads wrk -t"$wthreads" -c100 -d"${dur}s" --latency \
  -s bench/gateway_event.lua "http://127.0.0.1:$gw_port/e")
pcpu1=$(cpu_by_thread); pwait1=$(wait_by_thread); pev1=$(events_in)
curl -s "http://127.0.0.1:$gw_port/metrics" >"$tmp/metrics.paced1"
# The same paced load against nginx `return 204` right after: the latency of wrk, the loopback and
# the machine's scheduling at this rate with no work behind the answer (the tail no gateway
# change can remove). PW_BENCH_PACED_NGINX=0 skips it.
ngx_paced_out=
[ "${PW_BENCH_PACED_NGINX:-1}" = 0 ] || ngx_paced_out=$(PW_RATE=$rate PW_THREADS=$wthreads \
  wrk -t"$wthreads" -c100 -d"${dur}s" --latency -s bench/gateway_event.lua "http://127.0.0.1:$ngx_port/e")
paced_drain=$(drain)
# The same paced load again with every destination held (as the ingest-only phase): the latency
# of what DESIGN section 5 names (policy + PHI engine + durable spool, the audit of acceptance)
# without the forwarders, their spool writes (send marks, acks in the group commits) and the
# mock upstream on the same 2 cores. Both paced figures are printed, labelled.
# PW_BENCH_PACED_HELD=0 skips it.
held_paced_out=
if [ "${PW_BENCH_PACED_HELD:-1}" != 0 ]; then
  set_policy held
  curl -s "http://127.0.0.1:$gw_port/metrics" >"$tmp/metrics.held0"
  next_run; held_paced_out=$(PW_RATE=$rate PW_THREADS=$wthreads wrk -t"$wthreads" -c100 -d"${dur}s" \
    --latency -s bench/gateway_event.lua "http://127.0.0.1:$gw_port/e")
  curl -s "http://127.0.0.1:$gw_port/metrics" >"$tmp/metrics.held1"
  set_policy unheld
  drain >/dev/null
fi

# The floor under the gateway's HTTP front, same wrk load: libmicrohttpd (the gateway's library)
# and libh2o's evloop (the alternative measured against it) with no work, answering at once or
# after a hop through a second thread (MHD: suspend/resume; h2o: a multithread queue back to the
# loop), as the commit does.
floor_bin=$build/bench/bench_http_floor
floor_lines=
# floor_run MODE [RATE]: wrk against bench_http_floor MODE (at full load, or paced at RATE/s over
# 100 connections); appends its CPU per request to floor_lines. A mode not built is skipped.
floor_run() {
  "$floor_bin" "$1" "$gw_threads" <>"$tmp/floor.in" >"$tmp/floor.out" & floor_pid=$!
  for _ in $(seq 100); do grep -q '^port' "$tmp/floor.out" && break; sleep 0.05; done
  local fport f_t0 f_t1 f_out
  fport=$(awk '{print $2}' "$tmp/floor.out")
  if [ -z "$fport" ]; then # libh2o-evloop-dev missing
    kill "$floor_pid" 2>/dev/null || true; wait "$floor_pid" 2>/dev/null || true; return 0
  fi
  f_t0=$(proc_ticks $floor_pid)
  if [ -n "${2:-}" ]; then
    f_out=$(PW_RATE=$2 PW_THREADS=$wthreads wrk -t"$wthreads" -c100 -d"${dur}s" \
      -s bench/gateway_event.lua "http://127.0.0.1:$fport/e")
  else
    f_out=$(run_wrk "http://127.0.0.1:$fport/e" bench/gateway_event.lua)
  fi
  f_t1=$(proc_ticks $floor_pid)
  kill "$floor_pid"; wait "$floor_pid" 2>/dev/null || true
  floor_lines+=$(awk -v t="$((f_t1 - f_t0))" -v n="$(echo "$f_out" | requests)" -v hz="$(getconf CLK_TCK)" \
    -v r="$(echo "$f_out" | rps)" -v m="$1" -v paced="${2:+ paced}" \
    'BEGIN { lib = m ~ /^h2o/ ? "libh2o" : "libmicrohttpd"; sub(/^h2o-?/, "", m); if (m == "") m = "direct"
             printf "  %-13s no work (%-7s) %7.1f   %8.0f req/s%s\n", lib, m, t * 1e6 / hz / n, r, paced }')$'\n'
}
if [ -x "$floor_bin" ] && [ "${PW_BENCH_FLOOR:-1}" != 0 ]; then
  mkfifo "$tmp/floor.in"
  for mode in direct suspend h2o h2o-hop; do floor_run "$mode"; done
  # The two hop modes again at the paced run's fixed rate: the same requests per second and so the
  # same batching for both libraries (at full load the faster one batches more).
  for mode in suspend h2o-hop; do floor_run "$mode" "$rate"; done
fi

# The disk's floor under a durable answer: fdatasync latency in the spool's directory.
fsync_line=
[ -x "$build/bench/bench_fsync" ] && fsync_line=$("$build/bench/bench_fsync" "$tmp" 2000 | head -1)

ngx_rps=$(echo "$ngx_out" | rps)
ing_rps=$(echo "$ing_out" | rps)
gw_rps=$(echo "$gw_out" | rps)
metrics=$(curl -s "http://127.0.0.1:$gw_port/metrics")
echo "== nginx (return 204)";  echo "$ngx_out" | grep -E "Requests/sec|  50%|  99%|Non-2xx|Socket errors" || true
echo "== phiwall gateway, INGEST ONLY: every destination held (policy + PHI engine + SQLite spool + audit of acceptance; nothing delivered), $gw_threads HTTP threads"
echo "$ing_out" | grep -E "Requests/sec|  50%|  99%|Non-2xx|Socket errors" || true
echo "== phiwall gateway, WITH DELIVERY: forwarders + mock upstream (nginx) on the same cores, $gw_threads HTTP threads"
echo "$gw_out" | grep -E "Requests/sec|  50%|  99%|Non-2xx|Socket errors" || true
echo "$metrics" | grep -E 'events_total\{outcome="(in|accepted|queued|rejected|duplicate)"\}|requests_total|spool_depth|deliveries_total\{.*sent' || true
printf '\nnginx return 204               : %10.0f req/s  p50 %-8s p99 %s\n' "$ngx_rps" \
  "$(echo "$ngx_out" | pct 50%)" "$(echo "$ngx_out" | pct 99%)"
printf 'gateway ingest only (held)     : %10.0f req/s  p50 %-8s p99 %s\n' "$ing_rps" \
  "$(echo "$ing_out" | pct 50%)" "$(echo "$ing_out" | pct 99%)"
printf 'gateway with delivery          : %10.0f req/s  p50 %-8s p99 %s\n' "$gw_rps" \
  "$(echo "$gw_out" | pct 50%)" "$(echo "$gw_out" | pct 99%)"
awk -v g="$ing_rps" -v n="$ngx_rps" 'BEGIN { printf "ratio INGEST ONLY gateway/nginx  : %.2f (the figure DESIGN section 5 names: policy + PHI + durable spool; target >= 0.50)\n", g / n }'
awk -v g="$gw_rps" -v n="$ngx_rps" 'BEGIN { printf "ratio WITH DELIVERY gateway/nginx: %.2f (ingest + forwarders + mock upstream sharing the %d cores)\n", g / n, '"$cpus"' }'
# The drain once the hold was lifted: spool rows are one per event and destination.
ing_events=$((${iev1%.*} - ${iev0%.*}))
awk -v r="$hold_rows" -v d="${hold_drain#* }" -v e="$ing_events" 'BEGIN {
  if (d == "-") printf "hold lifted: %d spool rows (%d events) not delivered within 120 s\n", r, e
  else printf "hold lifted: %d spool rows (%d events) delivered in %.2f s: %.0f rows/s, %.0f events/s\n", r, e, d, r / d, e / d }'
echo "$paced_out" | grep -E "Non-2xx|Socket errors" | sed "s/^/paced: /" || true
printf 'gateway paced    : %10.0f req/s  p50 %-8s p99 %s  (offered %d/s on a fixed schedule, 100 connections; target p99 < 5ms at 10000/s)\n' \
  "$(echo "$paced_out" | rps)" "$(echo "$paced_out" | pct 50%)" "$(echo "$paced_out" | pct 99%)" \
  "$rate"
[ -z "$held_paced_out" ] || printf 'gateway paced, delivery held: %8.0f req/s  p50 %-8s p99 %s  (the same paced load, every destination held: policy + PHI engine + durable spool, no forwarders)\n' \
  "$(echo "$held_paced_out" | rps)" "$(echo "$held_paced_out" | pct 50%)" "$(echo "$held_paced_out" | pct 99%)"
[ -z "$ngx_paced_out" ] || printf 'nginx paced      : %10.0f req/s  p50 %-8s p99 %s  (the same paced load against return 204: the floor of this measurement now)\n' \
  "$(echo "$ngx_paced_out" | rps)" "$(echo "$ngx_paced_out" | pct 50%)" "$(echo "$ngx_paced_out" | pct 99%)"
printf 'spool after burst: %8d items, empty %s s after wrk stopped (full load); paced: %d items, %s s\n' \
  ${burst_drain% *} "${burst_drain#* }" ${paced_drain% *} "${paced_drain#* }"
echo "$metrics" | grep -E '^phiwall_gateway_delivery_(nice|boosts_total|priority_refused)' | tr '\n' ' ' |
  sed 's/phiwall_gateway_delivery_//g; s/$/\n/' | sed 's/^/delivery priority: /'
[ -z "$fsync_line" ] || echo "durable floor    : $fsync_line (a 2xx waits for one or two of these)"
# Where a paced request's wait goes (the gateway's own histograms, /metrics): commit.answered is
# the hand-over to the committer until the completion; put_* split it (queue: until a group
# commit takes it; lock: that commit waiting for a forwarder to release the spool; write: the
# INSERTs; commit: WAL write + fsync); *_hold: how long a forwarder's lease/ack holds the spool.
echo "commit path during the paced phase:"
awk -f bench/gw_phases.awk "$tmp/metrics.paced0" "$tmp/metrics.paced1"
if [ -n "$held_paced_out" ]; then
  echo "commit path during the paced phase with delivery held:"
  awk -f bench/gw_phases.awk "$tmp/metrics.held0" "$tmp/metrics.held1"
fi
# Group commits during the paced phase and how many of them waited for more requests (the load
# gather; a gateway before the counter prints none).
awk '/^phiwall_gateway_spool_(commits|load_gathers)_total / { if (FILENAME == ARGV[1]) a[$1] = $2; else b[$1] = $2 }
     END { c = b["phiwall_gateway_spool_commits_total"] - a["phiwall_gateway_spool_commits_total"]
           if (c > 0 && ("phiwall_gateway_spool_load_gathers_total" in b))
             printf "  paced: %d group commits, %d after a load gather\n", c,
               b["phiwall_gateway_spool_load_gathers_total"] - a["phiwall_gateway_spool_load_gathers_total"] }' \
  "$tmp/metrics.paced0" "$tmp/metrics.paced1"
awk '/^phiwall_gateway_spool_commit_(requests|items)_total|^phiwall_gateway_spool_commits_total/ {v[$1] = $2}
     END { if (v["phiwall_gateway_spool_commits_total"] > 0)
             printf "  group commit: %.1f requests per commit (whole run)\n",
               v["phiwall_gateway_spool_commit_requests_total"] / v["phiwall_gateway_spool_commits_total"] }' \
  "$tmp/metrics.paced1"
# CPU per event is steadier than req/s on a shared machine: it does not depend on what else runs.
hz=$(getconf CLK_TCK)
# cpu_report LABEL CPU0 CPU1 EVENTS: CPU seconds and us/event by thread group between two snapshots.
cpu_report() {
  join -a2 -e0 -o 0,1.2,2.2 <(echo "$2") <(echo "$3") |
    awk -v e="$4" -v hz="$hz" -v l="$1" '
      { d = ($3 - $2) / hz; tot += d; if (d > 0) printf "%s CPU %-12s %7.2f s  %6.1f us/event\n", l, $1, d, d * 1e6 / e }
      END { if (e > 0) printf "%s CPU total        %7.2f s  %6.1f us/event (%d events)\n", l, tot, tot * 1e6 / e, e }'
}
# wait_report LABEL WAIT0 WAIT1 EVENTS: run-queue wait by thread group.
wait_report() {
  join -a2 -e0 -o 0,1.2,2.2,1.3,2.3 <(echo "$2") <(echo "$3") |
    awk -v e="$4" -v l="$1" '
      { d = ($3 - $2) / 1e9; n = $5 - $4
        if (d > 0) printf "%s run-queue wait %-12s %7.2f s  %6.1f us/event, %6.1f us per turn on a CPU (runnable, no CPU; during the burst)\n", l, $1, d, d * 1e6 / e, (n > 0 ? d * 1e6 / n : 0) }'
}
cpu_report "ingest-only" "$icpu0" "$icpu1" "$ing_events"
wait_report "ingest-only" "$iwait0" "$iwait1" "$ing_events"
join -a2 -e0 -o 0,1.2,2.2 <(echo "$icsw0") <(echo "$icsw1") |
  awk -v e="$ing_events" '{ d = $3 - $2; if (d > 0 && e > 0) printf "ingest-only context switches %-12s %8d  %5.2f per event\n", $1, d, d / e }'
io_report() { # LABEL IO0 IO1 EVENTS: writes per event by thread group
  join -a2 -e0 -o 0,1.2,2.2,1.3,2.3,1.4,2.4 <(echo "$2") <(echo "$3") |
    awk -v e="$4" -v l="$1" '{ w = $3 - $2; c = $5 - $4; d = $7 - $6
      if ((w > 0 || d > 0) && e > 0) printf "%s writes %-12s %8.0f B written  %6.3f write calls  %8.0f B of pages dirtied  per event\n", l, $1, w / e, c / e, d / e }'
}
io_report "ingest-only" "$iio0" "$iio1" "$ing_events"
io_report "hold-drain " "$dio0" "$dio1" "$ing_events"
cpu_report "hold-drain " "$dcpu0" "$dcpu1" "$ing_events"
awk -v t="$((dup_t1 - dup_t0))" -v e="$ing_events" -v hz="$hz" \
  'BEGIN { if (e > 0) printf "hold-drain  upstream nginx CPU (mock, same cores) %6.1f us/event\n", t * 1e6 / hz / e }'
cpu_report "with-delivery" "$cpu0" "$cpu1" "$((${ev1%.*} - ${ev0%.*}))"
wait_report "with-delivery" "$wait0" "$wait1" "$((${ev1%.*} - ${ev0%.*}))"
# The paced phase (wrk's run only; delivery of its events runs meanwhile and is counted).
cpu_report "paced" "$pcpu0" "$pcpu1" "$((${pev1%.*} - ${pev0%.*}))"
wait_report "paced" "$pwait0" "$pwait1" "$((${pev1%.*} - ${pev0%.*}))"
awk -v t="$((up_t1 - up_t0))" -v e="$((${ev1%.*} - ${ev0%.*}))" -v hz="$hz" -v h="$http2" \
  'BEGIN { if (e > 0) printf "with-delivery upstream nginx CPU (mock, same cores) %6.1f us/event (delivery http2: %s)\n", t * 1e6 / hz / e, h }'
echo "CPU per request (us, every thread of the server; 1 event per request):"
awk -v t="$((ngx_t1 - ngx_t0))" -v n="$(echo "$ngx_out" | requests)" -v hz="$hz" -v r="$ngx_rps" \
  'BEGIN { printf "  nginx return 204                  %7.1f   %8.0f req/s\n", t * 1e6 / hz / n, r }'
printf '%s' "$floor_lines"
echo "machine: $cpus CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "reproduce: PW_BENCH_HTTP2=$http2 PW_BENCH_NICE=${PW_BENCH_NICE:-} PW_BENCH_BOOST_MS=${PW_BENCH_BOOST_MS:-} PW_BENCH_AUDIT_DIR=${PW_BENCH_AUDIT_DIR:-} bench/gateway.sh $build $dur $conns $wthreads   (PW_GW_THREADS=$gw_threads)"
