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
# the usual deadline: it is only reached when the test fails.
PW_WAIT_S=60
wait_until() {
    local end=$((SECONDS + $1))
    shift
    until "$@"; do
        [ "$SECONDS" -lt "$end" ] || return 1
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
    wait_until "$PW_WAIT_S" grep -q PORT "$T/server.out"
    BASE="http://127.0.0.1:$(awk '/PORT/{print $2}' "$T/server.out")"
}
# The gateway tests' start: skip unless curl and python3 are here; set dir (a new temporary
# directory: removed at exit, with the gateway $pid killed), the secrets' environment, and
# $dir/gw.yaml: the shipped example with its upstreams at a closed port. gateway_start (above)
# starts the gateway on a port of its own and sets port.
gateway_test_setup() {
    command -v curl >/dev/null || skip "curl not present"
    command -v python3 >/dev/null || skip "python3 not present"
    dir=$(mktemp -d)
    pid=
    trap '[ -n "$pid" ] && kill -9 $pid 2>/dev/null; rm -rf "$dir"' EXIT
    export PHIWALL_SITE_KEY=0123456789abcdef-integration PHIWALL_META_TOKEN=tok-XYZ PHIWALL_GA4_SECRET=sec-XYZ
    cp "$PW_SRC/contrib/gateway.example.yaml" "$dir/gw.yaml"
    sed -i 's|pixel_id: "000000000000000"|pixel_id: "1"\n    base_url: http://127.0.0.1:9|' "$dir/gw.yaml"
    sed -i 's|measurement_id: G-XXXXXXXXXX|measurement_id: G-X\n    base_url: http://127.0.0.1:9|' "$dir/gw.yaml"
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
    wait_until "$PW_WAIT_S" grep -q listening "$1/server.out"
    BASE=$(grep -o 'http://127.0.0.1:[0-9]*' "$1/server.out" | head -1)
    [ -n "$BASE" ]
}
