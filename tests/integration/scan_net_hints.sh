#!/usr/bin/env bash
# scan_net_hints.sh — a start URL that cannot be loaded is exit 3 with the cause (Chromium's
# net::ERR_… or libcurl's words) and one hint line saying what to do: a self-signed staging
# certificate (and the browser scan then passes with the flag the hint names), nothing listening,
# a port Chromium refuses. Static triage always; the browser cases with Chromium. About 15 s.
set -u
. "$PW_SRC/tests/integration/lib.bash"
command -v python3 >/dev/null || skip "python3 not installed"
command -v openssl >/dev/null || skip "openssl not installed"
T=$(mktemp -d)
srv=
trap '[ -n "$srv" ] && kill $srv 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
export TMPDIR=$T

# a port nothing listens on: bound, then closed
free=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
e=$("$PHIWALL" scan "http://127.0.0.1:$free/" --static --no-easyprivacy --no-easylist 2>&1 >/dev/null)
expect_code 3 $? "--static, nothing listening"
expect_match "$e" "hint: nothing answered at 127\\.0\\.0\\.1:$free \\(connection refused\\)" \
    "--static, nothing listening: hint"

# a staging site with a self-signed certificate
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost \
    -keyout "$T/key.pem" -out "$T/cert.pem" 2>/dev/null || fail "openssl req"
cat >"$T/tls.py" <<'PY'
import http.server, ssl, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"<!doctype html><title>Staging</title><p>Rivermoor staging</p>"
        self.send_response(200 if self.path == "/" else 404)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a): pass
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[1], sys.argv[2])
s.socket = ctx.wrap_socket(s.socket, server_side=True)
print(s.server_address[1], flush=True)
s.serve_forever()
PY
python3 "$T/tls.py" "$T/cert.pem" "$T/key.pem" >"$T/tls.out" 2>"$T/tls.err" &
srv=$!
wait_until "$PW_WAIT_S" test -s "$T/tls.out" || fail "the TLS server did not start: $(cat "$T/tls.err")"
tport=$(head -1 "$T/tls.out")
e=$("$PHIWALL" scan "https://127.0.0.1:$tport/" --static --no-easyprivacy --no-easylist 2>&1 >/dev/null)
expect_code 3 $? "--static, self-signed certificate"
expect_match "$e" "hint: 127\\.0\\.0\\.1:$tport's TLS certificate is not trusted here .*--ignore-certificate-errors \\(--static always verifies\\)" \
    "--static, self-signed certificate: hint"

# no browser: the fallback to static triage says so, and how to name one (exit 4: incomplete)
mkdir -p "$T/www" && echo '<!doctype html><title>Home</title><p>Clinic</p>' >"$T/www/index.html"
python3 -m http.server 0 --bind 127.0.0.1 --directory "$T/www" >"$T/www.out" 2>&1 &
srv="$srv $!"
wait_until "$PW_WAIT_S" grep -q 'port [0-9]' "$T/www.out" || fail "http.server did not start"
wport=$(sed -n 's/.* port \([0-9]*\).*/\1/p' "$T/www.out" | head -1)
e=$("$PHIWALL" scan "http://127.0.0.1:$wport/" --browser "$T/no-such-chrome" --no-easyprivacy \
    --no-easylist 2>&1 >/dev/null)
expect_code 4 $? "--browser that does not exist: static fallback, incomplete"
expect_match "$e" "warning: no browser at $T/no-such-chrome; falling back to --static .*INCOMPLETE\)\. Check the --browser path" \
    "--browser that does not exist: the warning"
# the default browser missing (hidden by a private mount, where one can be made)
if [ "$(id -u)" -eq 0 ] && [ -e /usr/bin/chromium ] &&
    unshare -m true 2>/dev/null; then
    e=$(unshare -m sh -c 'mount --bind /dev/null /usr/bin/chromium && exec "$@"' sh \
        "$PHIWALL" scan "http://127.0.0.1:$wport/" --no-easyprivacy --no-easylist 2>&1 >/dev/null)
    expect_code 4 $? "no /usr/bin/chromium: static fallback, incomplete"
    expect_match "$e" "no browser at /usr/bin/chromium; .*Install Chromium \(apt-get install chromium\) or give --browser PATH" \
        "no /usr/bin/chromium: the warning says how to get a browser"
fi

if [ -x /usr/bin/chromium ]; then
    e=$("$PHIWALL" scan "https://127.0.0.1:$tport/" --max-pages 1 --no-easyprivacy --no-easylist 2>&1 >/dev/null)
    expect_code 3 $? "browser, self-signed certificate"
    expect_match "$e" "net::ERR_CERT_AUTHORITY_INVALID" "browser, self-signed certificate: the cause"
    expect_match "$e" "hint: 127\\.0\\.0\\.1:$tport's TLS certificate is not trusted here .* --browser-arg=--ignore-certificate-errors, or" \
        "browser, self-signed certificate: hint"
    # the hint is right: with the flag it names, the page is scanned
    out=$("$PHIWALL" scan "https://127.0.0.1:$tport/" --max-pages 1 --no-easyprivacy --no-easylist \
        --browser-arg=--ignore-certificate-errors 2>"$T/err"); rc=$?
    expect_code 0 $rc "browser, self-signed certificate, with the hint's flag"
    expect_match "$out" "^1 page" "the hint's flag: the page was scanned"
    [ $rc -eq 0 ] || cat "$T/err" >&2
    # port 9 (discard): Chromium refuses it before connecting
    e=$("$PHIWALL" scan "http://localhost:9/" --max-pages 1 --no-easyprivacy --no-easylist 2>&1 >/dev/null)
    expect_code 3 $? "browser, an unsafe port"
    expect_match "$e" "hint: Chromium refuses to load localhost:9: .*--explicitly-allowed-ports=9" \
        "browser, an unsafe port: hint"
else
    echo "note: no chromium, the browser cases are not run"
fi
finish
