#!/usr/bin/env bash
# gateway_bad_content_length.sh — the raw bytes of the answers to a malformed Content-Length
# (`abc`, `-1`, `5x`, a value beyond 2^64), as docs/gateway.md "Malformed Content-Length"
# documents them. libmicrohttpd refuses these itself before the gateway's handler runs (400, or
# 413 for a number too large), and 0.9.75 (Debian 12) writes its status line and headers twice:
# the second copy and the start of its HTML page fill the first copy's Content-Length, the rest
# trails. The gateway cannot answer instead (no application callback runs between libmicrohttpd's
# header parsing and its answer; the same bytes come from a bare libmicrohttpd server), so this
# pins what a client gets: the right status first, `Connection: close`, the connection closed,
# at most the one duplicate (byte-identical header block), the very bytes (Date aside) that
# phiwall-mock-upstream, another libmicrohttpd server sharing no code with the gateway's HTTP
# side, sends for the same request — and the server keeps serving. The
# framing errors the gateway itself answers (two Content-Length lines) get exactly one status
# line with its JSON error naming the header.
set -u
. "$PW_SRC/tests/integration/lib.bash"
gateway_test_dir
mock_upstream_start || { fail "mock did not start"; finish; exit; }
mock_port=${mock##*:}
{ policy_site; cat <<'YAML'; } >"$dir/gw.yaml"
destinations:
  hook:
    type: webhook
    url: http://127.0.0.1:9/hook
    hold: true
    events: {appointment_request: Schedule}
YAML
gateway_start "$dir/log" --config "$dir/gw.yaml" --spool "$dir/spool.db" --audit "$dir/audit.log" \
    --threads 1 || { fail "gateway started"; finish; exit; }

# bytes PORT REQUEST: what the server on PORT answers, the Date header's value blanked.
bytes() {
    python3 - "$1" "$2" <<'PY'
import re, socket, sys
port, req = int(sys.argv[1]), sys.argv[2].encode().decode("unicode_escape").encode("latin1")
s = socket.create_connection(("127.0.0.1", port)); s.sendall(req); s.settimeout(3)
out = b""
try:
    while True:
        b = s.recv(65536)
        if not b:
            break
        out += b
except socket.timeout:
    pass
sys.stdout.write(re.sub(rb"\r\nDate: [^\r]*", b"\r\nDate: -", out).hex() + "\n")
PY
}

# raw REQUEST: send the bytes on a new connection, read until the server closes it (or 3 s);
# prints one line: "<status lines> <first status line> <close|open> <copies identical 0|1>
# <Connection: close in the first header block 0|1> <body>" (body: the bytes after the first
# header block, up to 200).
raw() {
    python3 - "$port" "$1" <<'PY'
import re, socket, sys
port, req = int(sys.argv[1]), sys.argv[2].encode().decode("unicode_escape").encode("latin1")
s = socket.create_connection(("127.0.0.1", port)); s.sendall(req); s.settimeout(3)
out, closed = b"", "open"
try:
    while True:
        b = s.recv(65536)
        if not b:
            closed = "close"; break
        out += b
except socket.timeout:
    pass
lines = re.findall(rb"(?:^|\r\n)(HTTP/1\.[01] \d{3}[^\r]*)", out)
head, _, body = out.partition(b"\r\n\r\n")
same = 1
if len(lines) == 2:
    same = int(body.startswith(head + b"\r\n\r\n"))
conn_close = int(b"\r\nconnection: close" in head.lower())
first = lines[0].decode() if lines else "-"
print(len(lines), first.replace(" ", "_"), closed, same, conn_close, body[:200].decode("latin1").replace("\r\n", "|"))
PY
}

n_ev=10
for v in abc -1 5x 99999999999999999999999; do
    want=400; [ "$v" = 99999999999999999999999 ] && want=413
    read -r n first closed same cc body <<<"$(raw "POST /e HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: $v\r\n\r\n")"
    expect_match "$first" "^HTTP/1\.1_${want}_" "Content-Length $v: the first status line is $want"
    expect_match "$n" '^[12]$' "Content-Length $v: one status line, or libmicrohttpd 0.9.75's one duplicate"
    expect_code 1 "$same" "Content-Length $v: a duplicate is the same header block again"
    expect_code 1 "$cc" "Content-Length $v: Connection: close"
    expect_match "$closed" '^close$' "Content-Length $v: the server closes the connection"
    req="POST /e HTTP/1.1\r\nHost: x\r\nContent-Length: $v\r\n\r\n"
    ours=$(bytes "$port" "$req"); theirs=$(bytes "$mock_port" "$req")
    [ -n "$ours" ] && [ "$ours" = "$theirs" ]
    expect_code 0 $? "Content-Length $v: byte for byte what libmicrohttpd alone sends (the mock upstream)"
    # Still serving: a well-formed event right after each.
    code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/e" \
        -H 'Origin: https://www.example-hospital.org' -H 'Content-Type: text/plain' \
        --data "{\"event_id\":\"00000000-0000-4000-8000-0000000000$((++n_ev))\",\"name\":\"appointment_request\"}")
    expect_code 200 "$code" "Content-Length $v: the next request is served"
done

# The framing errors the gateway answers itself: one status line, its JSON naming the header.
read -r n first closed same cc body <<<"$(raw "POST /e HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n{}")"
expect_code 1 "$n" "two Content-Length lines: exactly one status line"
expect_match "$first" '^HTTP/1\.1_400_' "two Content-Length lines: 400"
expect_match "$body" '^\{"error":"content-length: sent more than once"\}$' "two Content-Length lines: the JSON error names the header"
expect_match "$closed" '^close$' "two Content-Length lines: the connection is closed"

# Request smuggling through names libmicrohttpd keeps as written (RFC 9112 §5.1): whitespace
# before the colon, or a framing header folded onto the next line. It framed the body by the other
# header and answered the smuggled GET /metrics on the same connection; now one 400 and close.
smuggle_cases=(
    "TE-space|POST /e HTTP/1.1\r\nHost: x\r\nTransfer-Encoding : chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\nGET /metrics HTTP/1.1\r\nHost: x\r\n\r\n|header: a field name with whitespace or a separator"
    "CL-space|POST /e HTTP/1.1\r\nHost: x\r\nContent-Length : 40\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /metrics HTTP/1.1\r\nHost: x\r\n\r\n|header: a field name with whitespace or a separator"
    "CL-tab|POST /e HTTP/1.1\r\nHost: x\r\nContent-Length\t: 4\r\n\r\nabcdGET /metrics HTTP/1.1\r\nHost: x\r\n\r\n|header: a field name with whitespace or a separator"
    "CL-folded|POST /e HTTP/1.1\r\nHost: x\r\nContent-Length:\r\n 4\r\n\r\nabcdGET /metrics HTTP/1.1\r\nHost: x\r\n\r\n|header: a framing header continued on the next line (obsolete line folding)"
    "TE-folded|POST /e HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n Transfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\nabcdGET /metrics HTTP/1.1\r\nHost: x\r\n\r\n|header: a field name with whitespace or a separator"
)
for c in "${smuggle_cases[@]}"; do
    name=${c%%|*} c=${c#*|}
    req=${c%%|*} want=${c#*|}
    read -r n first closed same cc body <<<"$(raw "$req")"
    expect_code 1 "$n" "smuggling $name: one status line"
    expect_match "$first" '^HTTP/1\.1_400_' "smuggling $name: 400"
    expect_code 1 "$([ "$body" = "{\"error\":\"$want\"}" ] && echo 1 || echo 0)" \
        "smuggling $name: only the JSON error, the smuggled GET unanswered ($body)"
    expect_match "$closed" '^close$' "smuggling $name: the connection is closed"
done

out=$(curl -s -w ' %{http_code}' "http://127.0.0.1:$port/healthz")
expect_match "$out" ' 200$' "/healthz still 200"
kill -0 "$pid" 2>/dev/null; expect_code 0 $? "the gateway is still running"
gateway_stop
finish
