# lib.sh — helpers for integration tests (sourced). Each expect_* counts a pass or a failure;
# `finish` prints "N passed, N failed" and exits non-zero on any failure.
PW_PASSED=0
PW_FAILED=0
pass() { PW_PASSED=$((PW_PASSED + 1)); }
fail() { PW_FAILED=$((PW_FAILED + 1)); echo "FAIL: $*" >&2; }
expect_code() { # expected actual what
    if [ "$2" -eq "$1" ]; then pass; else fail "$3: exit $2, expected $1"; fi
}
expect_match() { # text regex what
    if printf '%s\n' "$1" | grep -Eq -- "$2"; then pass; else fail "$3: no match for /$2/"; fi
}
expect_nomatch() {
    if printf '%s\n' "$1" | grep -Eq -- "$2"; then fail "$3: unexpected /$2/"; else pass; fi
}
skip() { echo "skipped: $*"; exit 77; }
# wait_until SECONDS COMMAND...: run COMMAND every 0.05 s until it succeeds or SECONDS pass; its
# last status. A test waits for the condition it needs, never a fixed time: under ASan, valgrind
# or on a loaded machine a step can take many times as long as on a quiet one. PW_WAIT_S (60) is
# the usual deadline: it is only reached when the test fails, so running out is a failed check of
# its own (a caller that ignored the status once let a test pass after a 60 s wait for records that
# could never come).
PW_WAIT_S=60
wait_until() {
    local secs=$1 end=$((SECONDS + $1))
    shift
    until "$@"; do
        if [ "$SECONDS" -ge "$end" ]; then
            fail "wait_until: gave up after ${secs}s: ${*:1:4}"
            return 1
        fi
        sleep 0.05
    done
}
# gateway_listening LOG PID [LINE]: wait until the gateway PID, started with --listen 127.0.0.1:0
# and its stderr in LOG, logs "listening" (after line LINE of LOG); set port to the port it bound.
# 1 if it exited first or did not start within PW_WAIT_S. (A port picked free beforehand could be
# taken by another process before the gateway bound it: other tests run at the same time.)
gateway_listening() {
    local from=$((${3:-0} + 1))
    wait_until "$PW_WAIT_S" _gateway_up "$1" "$2" "$from"
    port=$(tail -n +"$from" "$1" | sed -n 's/.*"msg":"listening".*"port":"\([0-9]*\)".*/\1/p' | tail -1)
    [ -n "$port" ]
}
# gateway_start LOG ARGS...: `phiwall gateway ARGS --listen 127.0.0.1:0` in the background, its
# stderr appended to LOG; sets pid, and port once it listens. 1 if it did not start (log printed).
gateway_start() {
    local log=$1 lines
    shift
    lines=$(cat "$log" 2>/dev/null | wc -l)
    "$PHIWALL" gateway "$@" --listen 127.0.0.1:0 2>>"$log" &
    pid=$!
    gateway_listening "$log" "$pid" "$lines" && return 0
    echo "the gateway did not start:" >&2
    cat "$log" >&2
    return 1
}
_gateway_up() { tail -n +"$3" "$1" | grep -q '"msg":"listening"' || ! kill -0 "$2" 2>/dev/null; }

# The browser tests' start: skip unless Chromium, jq and the loopback server (the test server,
# or the one named: phiwall-demo-server) are here; set SERVER (the server's path), T (a new
# temporary directory) and TMPDIR=T (Chromium's profiles).
browser_test_setup() {
    [ -x /usr/bin/chromium ] || skip "chromium not installed"
    command -v jq >/dev/null || skip "jq not installed (scripts/install-deps.sh)"
    SERVER="$PW_BUILD/${1:-pw_browser_test_server}"
    [ -x "$SERVER" ] || skip "${1:-pw_browser_test_server} not built (libmicrohttpd missing)"
    T=$(mktemp -d)
    export TMPDIR=$T
}
# The browser tests' loopback server ($SERVER, after browser_test_setup) on a port of its own:
# sets SRV (its pid) and BASE (http://127.0.0.1:PORT) once it listens; at exit it is stopped and
# $T removed.
browser_test_server() {
    "$SERVER" 0 >"$T/server.out" </dev/null &
    SRV=$!
    trap 'kill $SRV 2>/dev/null; wait $SRV 2>/dev/null; rm -rf "$T"' EXIT
    wait_until "$PW_WAIT_S" grep -qs PORT "$T/server.out"
    BASE="http://127.0.0.1:$(awk '/PORT/{print $2}' "$T/server.out")"
}
# The browser tests' python loopback site (tests/integration/helpers/SCRIPT, which prints
# "PORT <n>"): skips without chromium, jq or python3; sets T (exported as TMPDIR), SRV (its pid)
# and BASE once it listens; at exit it is stopped and $T removed.
browser_test_site() {
    [ -x /usr/bin/chromium ] || skip "chromium not installed"
    command -v jq >/dev/null || skip "jq not installed (scripts/install-deps.sh)"
    command -v python3 >/dev/null || skip "python3 not present"
    T=$(mktemp -d)
    export TMPDIR=$T
    python3 "$PW_SRC/tests/integration/helpers/$1" >"$T/site.out" 2>&1 </dev/null &
    SRV=$!
    trap 'kill $SRV 2>/dev/null; wait $SRV 2>/dev/null; rm -rf "$T"' EXIT
    wait_until "$PW_WAIT_S" grep -qs PORT "$T/site.out"
    BASE="http://127.0.0.1:$(awk '/PORT/{print $2}' "$T/site.out")"
}
# site_scan NAME URL WHAT [ARG...]: the browser tests' scan of their loopback site (after
# browser_test_site or browser_test_server): `phiwall scan URL --settle 400 --no-sitemap --verbose
# ARG...` (150 s at most), its JSON report in $T/NAME.json, its HAR in $T/NAME.har, its stderr in
# $T/NAME.err, and a check "WHAT: scan" that it exited 0.
site_scan() {
    local name=$1 url=$2 what=$3
    shift 3
    timeout 150 "$PHIWALL" scan "$url" --settle 400 --no-sitemap --verbose "$@" --format json \
        -o "$T/$name.json" --har-out "$T/$name.har" 2>"$T/$name.err"
    expect_code 0 $? "$what: scan"
}
# hosts_here HOST...: the --browser-arg that resolves each HOST (a name, or a pattern such as
# *.hosp.test) to 127.0.0.1, where the test site listens, and no other name at all.
hosts_here() {
    local rules="" h
    for h in "$@"; do rules+="MAP $h 127.0.0.1, "; done
    printf '%s' "--browser-arg=--host-resolver-rules=${rules}MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"
}
# vendor_log: what the test site's vendor WebSocket end (pixel_site.py's /ws) received since the
# last call, one line each.
vendor_log() { curl --noproxy '*' -s "$BASE/ws-log"; }
# worker_sockets_scan PATH WHAT: site_scan of PATH (named sw), a page whose service worker opens
# sockets to the site's vendor end (pixel_site.py's /ws) under two names: the hospital's chat
# service (chat.hosp.test, to be let through) and a replay tag (ws.hotjar.com, to be contained).
# Sets got (what the vendor end received during the scan) and checks what holds for either kind
# of socket: the replay tag's reaches nothing, its message is captured, the chat's did not fail.
worker_sockets_scan() {
    vendor_log >/dev/null
    site_scan sw "$BASE$1" "$2" --max-pages 1 "$(hosts_here chat.hosp.test ws.hotjar.com)"
    got=$(vendor_log)
    echo "vendor end: $got"
    expect_nomatch "$got" 'hotjar|"replay"' "$2: the replay tag's socket reaches nothing"
    expect_match "$(jq -r '.log.entries[] | select(.request.method == "WEBSOCKET") | "\(.request.url) \(.request.postData.text // "-")"' "$T/sw.har")" \
        "^ws://ws\\.hotjar\\.com:${BASE##*:}/ws\\?tag=replay \\{\"sw\":\"replay\"" \
        "$2: the replay tag's message is captured"
    expect_nomatch "$(jq -r '.log.entries[].request.url' "$T/sw.har")" 'sw-failed\?tag=chat' \
        "$2: the chat socket did not fail"
}
# The gateway tests' start: skip unless curl and python3 are here; set dir (a new temporary
# directory), pid (the gateway's: gateway_start sets it) and the secrets' environment. At exit
# the gateway is killed, the on_exit commands run (in order) and dir is removed.
gateway_test_dir() {
    command -v curl >/dev/null || skip "curl not present"
    command -v python3 >/dev/null || skip "python3 not present"
    dir=$(mktemp -d)
    pid=
    PW_ON_EXIT=()
    trap _gateway_test_exit EXIT
    export PHIWALL_SITE_KEY=0123456789abcdef-integration PHIWALL_META_TOKEN=tok-XYZ PHIWALL_GA4_SECRET=sec-XYZ
}
# on_exit COMMAND: run COMMAND (a string, evaluated then: `on_exit 'kill $x'` reads x at exit)
# when the test exits, before dir is removed. After gateway_test_dir.
on_exit() { PW_ON_EXIT+=("$1"); }
_gateway_test_exit() {
    local c
    [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
    for c in "${PW_ON_EXIT[@]}"; do eval "$c"; done
    rm -rf "$dir"
}
# gateway_test_setup: gateway_test_dir, and $dir/gw.yaml: the shipped example with its
# upstreams at a closed port. gateway_start (above) starts the gateway on a port of its own and
# sets port; gateway_stop stops it.
gateway_test_setup() {
    gateway_test_dir
    cp "$PW_SRC/contrib/gateway.example.yaml" "$dir/gw.yaml"
    sed -i 's|pixel_id: "000000000000000"|pixel_id: "1"\n    base_url: http://127.0.0.1:9|' "$dir/gw.yaml"
    sed -i 's|measurement_id: G-XXXXXXXXXX|measurement_id: G-X\n    base_url: http://127.0.0.1:9|' "$dir/gw.yaml"
}
# gateway_stop: SIGTERM the gateway $pid and wait until it exited; its exit status; pid= after.
gateway_stop() {
    local rc=0
    kill -TERM "$pid"
    wait "$pid" || rc=$?
    pid=
    return "$rc"
}
# gateway_serves PATH REGEX: 0 if the gateway on $port answers GET /PATH with a line matching
# REGEX (grep -E); gateway_wait PATH REGEX: wait until it does (PW_WAIT_S at most).
gateway_serves() { curl --noproxy '*' -s "http://127.0.0.1:$port/$1" | grep -Eq -- "$2"; }
gateway_wait() { wait_until "$PW_WAIT_S" gateway_serves "$@"; }
# mock_upstream_start: phiwall-mock-upstream (skip if not built) on a loopback port of its own,
# writing each request it gets as a line of $dir/mock.jsonl; sets mock (its base URL) and
# mock_pid (stopped at exit). 1 if it did not start. After gateway_test_dir.
mock_upstream_start() { mock_upstream_on 0; }
# mock_upstream_on PORT: the same on a given port (a test brings the upstream back at the address
# the gateway already sends to), logging to $dir/mock.jsonl; 1, and a failed check naming the port,
# when it could not listen there (the port was taken meanwhile: every later check would read a
# log of nothing, or of another server's answers).
mock_upstream_on() {
    [ -x "$PW_BUILD/phiwall-mock-upstream" ] || skip "phiwall-mock-upstream not built"
    rm -f "$dir/mock.url" # the child truncates it only once it runs: an old URL would pass the wait
    "$PW_BUILD/phiwall-mock-upstream" "$dir/mock.jsonl" "$1" >"$dir/mock.url" &
    mock_pid=$!
    on_exit 'kill $mock_pid 2>/dev/null'
    wait_until "$PW_WAIT_S" [ -s "$dir/mock.url" ]
    mock=$(cat "$dir/mock.url")
    [ -n "$mock" ] && return 0
    fail "the mock upstream could not listen on port $1"
    return 1
}
# free_port: a loopback port free now, for a server a test starts itself that cannot bind port 0
# and tell it (the port may be taken meanwhile: prefer servers that say what they bound), or
# for an address where nothing listens. Picked below the kernel's ephemeral range, from which
# every bind to port 0 and every outgoing connection of the other tests running meanwhile takes
# its port: one of those could take a port picked inside it before the test's server bound it,
# or answer at an address meant to refuse. (Inside the range only if nothing is free below it.)
free_port() {
    python3 - <<'PY'
import random, socket
lo = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
for port in random.sample(range(10000, lo), min(200, max(lo - 10000, 0))) + [0]:
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port))
        print(s.getsockname()[1])
        break
    except OSError:
        pass
    finally:
        s.close()
PY
}
# policy_site [PER_SECOND]: the first lines of a test policy: the site (the origin the tests
# post from, the key in PHIWALL_SITE_KEY) and, given PER_SECOND, an ingest rate limit that high
# (burst the same).
policy_site() {
    printf '%s\n' "site:" "  origins: [https://www.example-hospital.org]" "  hmac_key_env: PHIWALL_SITE_KEY"
    [ -z "${1:-}" ] || printf 'ingest:\n  rate_limit: {per_second: %s, burst: %s}\n' "$1" "$1"
}
# policy_meta PIXEL BASE_URL [LINE...]: the destinations of a test policy, from their first line:
# meta (pixel PIXEL at BASE_URL, the token in PHIWALL_META_TOKEN, appointment_request sent as
# Schedule with the email), in 8 lines, then each LINE (more of meta's settings, or more
# destinations).
policy_meta() {
    local pixel=$1 base=$2
    shift 2
    printf '%s\n' "destinations:" "  meta:" "    type: meta" "    pixel_id: \"$pixel\"" \
        "    access_token_env: PHIWALL_META_TOKEN" "    base_url: $base" \
        "    events: {appointment_request: Schedule}" "    user_data: [em]" "$@"
}
# detect_eval_bar FILE MIN_RECALL: the quality bar of a held-out file of the engine's
# (tests/data/detect/heldout_*.tsv, data/eval/heldout_*.tsv) through bench_detect_eval: it runs,
# identifier and health+care-intent precision 1.000 and recall at least MIN_RECALL, and no hit at
# all on its general hospital rows. Skips when the benchmarks are not built (PW_BENCH=OFF).
detect_eval_bar() {
    local file=$1 min=$2 eval_bin="$PW_BUILD/bench/bench_detect_eval" out v c
    [ -x "$eval_bin" ] || skip "bench_detect_eval not built (PW_BENCH=OFF)"
    out=$("$eval_bin" "$file"); expect_code 0 $? "$(basename "$file") held-out eval runs"
    echo "$out"
    for c in IDENTIFIERS HEALTH+CARE; do
        v=$(printf '%s\n' "$out" | awk -v c="$c" '$1 == c {print $4, $5}')
        awk -v v="$v" -v min="$min" 'BEGIN { split(v, a, " "); exit !(a[1] == 1 && a[2] >= min) }'
        expect_code 0 $? "$c precision 1.000 and recall >= $min ($v)"
    done
    expect_match "$out" 'general hospital rows with any hit: 0 of [1-9][0-9]* ' \
        "no hit at all on the hard negatives"
}
finish() {
    echo "$PW_PASSED passed, $PW_FAILED failed"
    [ "$PW_FAILED" -eq 0 ]
}
# start_demo_server DIR: the demo hospital site on a free loopback port; sets SRV (its pid) and
# BASE (http://127.0.0.1:PORT); returns 1 if it did not start. The caller's trap stops it.
start_demo_server() {
    "$PW_BUILD/phiwall-demo-server" --port 0 --quiet >"$1/server.out" 2>&1 </dev/null &
    SRV=$!
    wait_until "$PW_WAIT_S" grep -qs listening "$1/server.out"
    BASE=$(grep -o 'http://127.0.0.1:[0-9]*' "$1/server.out" | head -1)
    [ -n "$BASE" ]
}
