#!/usr/bin/env bash
# gateway_slowloris.sh — every request has a deadline to arrive whole (--request-timeout, which
# wins over PHIWALL_REQUEST_TIMEOUT_S: 2 s here, the variable saying 600; 30 s by default), however it trickles in. A python client on loopback opens 16
# connections that send their headers a byte at a time, 16 that send whole headers and then
# their body a byte at a time, and 8 keep-alive connections that sent one request and stay idle,
# each trickler sending a byte every 0.25 s (libmicrohttpd's own 30 s timeout is an idle one,
# started again by every byte). Meanwhile another client posts events and reads /healthz: every
# one of its requests is answered, each within 2 s. Each slow connection must be closed by the
# gateway within the deadline plus 2.5 s of its start, and /metrics counts them in
# phiwall_gateway_requests_timed_out_total. Before, the trickling connections stayed open for as
# long as their client kept sending (the run's 8 s, and beyond), and nothing counted them.
set -u
. "$PW_SRC/tests/integration/lib.bash"
gateway_test_setup
export PHIWALL_REQUEST_TIMEOUT_S=600 # the flag wins: with 600 s no slow connection is cut
gateway_start "$dir/log" --config "$dir/gw.yaml" --spool "$dir/spool.db" --audit "$dir/audit.log" \
    --threads 2 --request-timeout 2 || { fail "gateway started"; finish; exit; }

python3 - "$port" <<'PY' >"$dir/slow.out" 2>&1
import json, socket, sys, threading, time, uuid
port = int(sys.argv[1])
DEADLINE, GRACE, RUN = 2.0, 2.5, 8.0
t0 = time.monotonic()
closed = {}          # name -> seconds from its start until the gateway closed it (None: never)
lock = threading.Lock()

def conn():
    s = socket.create_connection(("127.0.0.1", port), timeout=RUN + 5)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s

def gone(s):
    """True when the gateway closed the connection (EOF or reset), without waiting."""
    s.setblocking(False)
    try:
        return s.recv(4096) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True
    finally:
        s.setblocking(True)

def trickle(name, head, tail):
    s = conn()
    start = time.monotonic()
    s.sendall(head)
    result = None
    for b in tail:
        if time.monotonic() - start > RUN:
            break
        try:
            s.send(bytes([b]))
        except OSError:
            result = time.monotonic() - start
            break
        time.sleep(0.25)
        if gone(s):
            result = time.monotonic() - start
            break
    with lock:
        closed[name] = result
    s.close()

def idle(name):
    s = conn()
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    s.recv(4096)  # its answer; then nothing more is sent
    start = time.monotonic()
    result = None
    while time.monotonic() - start < RUN:
        time.sleep(0.1)
        if gone(s):
            result = time.monotonic() - start
            break
    with lock:
        closed[name] = result
    s.close()

filler = b"X-Pad: " + b"a" * 3000 + b"\r\n\r\n"
threads = []
for i in range(16):
    threads.append(threading.Thread(target=trickle, args=("headers%d" % i,
        b"POST /e HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n", filler)))
for i in range(16):
    body = b'{"event_id":"' + str(uuid.uuid4()).encode() + b'","name":"page_view"}' + b" " * 3000
    threads.append(threading.Thread(target=trickle, args=("body%d" % i,
        b"POST /e HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n" % len(body), body)))
for i in range(8):
    threads.append(threading.Thread(target=idle, args=("idle%d" % i,)))
for t in threads:
    t.start()

# The other client: a request every 0.1 s for the whole run, each on a connection of its own.
worst, answered, failed = 0.0, 0, []
while time.monotonic() - t0 < RUN:
    path = "/healthz" if answered % 2 else "/e"
    ev = json.dumps({"event_id": str(uuid.uuid4()), "name": "page_view",
                     "consent": {"ads": False, "analytics": True}}).encode()
    req = (b"POST /e HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nConnection: close\r\n"
           b"Content-Length: %d\r\n\r\n%s" % (len(ev), ev)) if path == "/e" else \
          b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    a = time.monotonic()
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(req)
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        s.close()
        status = data.split(b" ", 2)[1] if data.startswith(b"HTTP/1.1 ") else b"none"
        if status not in (b"200", b"503"):
            failed.append("%s: %s" % (path, status.decode(errors="replace")))
    except OSError as e:
        failed.append("%s: %s" % (path, e))
    worst = max(worst, time.monotonic() - a)
    answered += 1
    time.sleep(0.1)
for t in threads:
    t.join()
bad = 0
late = sorted((n, r) for n, r in closed.items() if r is None or r > DEADLINE + GRACE)
print("other client: %d requests, worst %.3f s, failures %s" % (answered, worst, failed))
print("slow connections closed by the gateway (s from their start): %s" %
      ", ".join("%s=%s" % (n, "never" if r is None else "%.2f" % r) for n, r in sorted(closed.items())))
if failed or worst > 2.0 or answered < 20:
    print("FAIL: the other client was not served within the bound"); bad = 1
if len(closed) != 40 or late:
    print("FAIL: slow connections not closed within %.1f s: %s" % (DEADLINE + GRACE, late)); bad = 1
sys.exit(bad)
PY
rc=$?
cat "$dir/slow.out"
expect_code 0 "$rc" "other clients served within the bound, every slow connection cut at the deadline"
expect_match "$(curl -s "http://127.0.0.1:$port/metrics")" '^phiwall_gateway_requests_timed_out_total (4[0-9]|[5-9][0-9])$' \
    "metrics: the 40 slow connections counted"
gateway_stop; expect_code 0 $? "stopped cleanly"

# A deadline that is no whole number of seconds from 1 to 3600 is refused at start, named (it used
# to fall back to 30 s without a word).
for bad in abc 0 3601 2s -5 " 7"; do
    out=$(PHIWALL_REQUEST_TIMEOUT_S="$bad" timeout 20 "$PHIWALL" gateway --config "$dir/gw.yaml" \
        --spool "$dir/bad.db" --audit "$dir/bad.log" --listen 127.0.0.1:0 2>&1); rc=$?
    expect_nomatch "$rc" '^(0|124)$' "PHIWALL_REQUEST_TIMEOUT_S='$bad': the gateway does not start"
    expect_match "$out" "PHIWALL_REQUEST_TIMEOUT_S=$bad: not a whole number of seconds from 1 to 3600" \
        "PHIWALL_REQUEST_TIMEOUT_S='$bad': the error names the variable and its value"
    out=$(PHIWALL_REQUEST_TIMEOUT_S="$bad" "$PHIWALL" gateway --check "$dir/gw.yaml" 2>&1); rc=$?
    expect_code 3 "$rc" "PHIWALL_REQUEST_TIMEOUT_S='$bad': --check fails"
    expect_match "$out" "PHIWALL_REQUEST_TIMEOUT_S=$bad: not a whole number" "--check names the variable"
    # the flag: the same rule, a usage error before anything is opened
    out=$(PHIWALL_REQUEST_TIMEOUT_S=5 timeout 20 "$PHIWALL" gateway --config "$dir/gw.yaml" \
        --spool "$dir/bad.db" --audit "$dir/bad.log" --listen 127.0.0.1:0 --request-timeout="$bad" 2>&1)
    expect_code 2 $? "--request-timeout='$bad': usage error"
    expect_match "$out" "--request-timeout=$bad: not a whole number of seconds from 1 to 3600" \
        "--request-timeout='$bad': the error names the flag and its value"
done
[ ! -e "$dir/bad.db" ]; expect_code 0 $? "a bad --request-timeout opens no spool"

# --check shows the deadline the gateway would start with, and where it comes from.
unset PHIWALL_REQUEST_TIMEOUT_S
expect_match "$("$PHIWALL" gateway --check "$dir/gw.yaml")" '^# request_timeout: 30 s \(default\)$' \
    "--check: the default"
expect_match "$(PHIWALL_REQUEST_TIMEOUT_S=7 "$PHIWALL" gateway --check "$dir/gw.yaml")" \
    '^# request_timeout: 7 s \(PHIWALL_REQUEST_TIMEOUT_S\)$' "--check: from the environment"
expect_match "$(PHIWALL_REQUEST_TIMEOUT_S=7 "$PHIWALL" gateway --check "$dir/gw.yaml" --request-timeout 9)" \
    '^# request_timeout: 9 s \(--request-timeout\)$' "--check: the flag wins"
out=$("$PHIWALL" gateway --explain "$dir/gw.yaml" --config "$dir/gw.yaml" --request-timeout 9 2>&1)
expect_code 2 $? "--request-timeout with --explain: usage error"
finish
