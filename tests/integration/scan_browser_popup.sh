#!/usr/bin/env bash
# scan_browser_popup.sh — windows a page opens are captured and contained like the page itself
# (docs/scan-browser.md, "Capture"). /popup of the test server has three care controls that open
# the booking page /popup/window in a new window: a button running window.open, one running
# window.open with noopener, and a form submitted into target=_blank (its canary e-mail address
# in the window's URL). The window loads the pixel, sends a beacon of its own and one at pagehide.
# www.facebook.com is resolved, inside the browser only, to a loopback TLS stand-in that logs
# every request reaching it: anything it logs escaped containment. Earlier versions attached no
# session to such a window: its beacons (the canary address among them) reached the stand-in and
# were missing from the report and the HAR.
# Uses pw_browser_test_server, python3 and openssl; about 20 s.
set -u
. "$PW_SRC/tests/integration/lib.bash"
browser_test_setup
command -v python3 >/dev/null || skip "python3 not present"
command -v openssl >/dev/null || skip "openssl not present"

browser_test_server

# the vendor's stand-in: TLS with a throwaway self-signed certificate, port in $T/vendor.out
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=www.facebook.com \
    -keyout "$T/key.pem" -out "$T/cert.pem" 2>/dev/null || fail "openssl req"
cat >"$T/vendor.py" <<'EOF'
import http.server, socketserver, ssl, sys
cert, key, log = sys.argv[1:4]
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def any(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        with open(log, "a") as f:
            f.write("%s %s %r\n" % (self.command, self.path, body[:200]))
        self.send_response(204); self.end_headers()
    do_GET = do_POST = any
class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
srv = S(("127.0.0.1", 0), H)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
print("PORT", srv.server_address[1], flush=True)
srv.serve_forever()
EOF
: >"$T/escaped.log"; : >"$T/vendor.out"
python3 "$T/vendor.py" "$T/cert.pem" "$T/key.pem" "$T/escaped.log" >"$T/vendor.out" 2>&1 &
VENDOR=$!
trap 'kill $SRV $VENDOR 2>/dev/null; wait $SRV $VENDOR 2>/dev/null; rm -rf "$T"' EXIT
wait_until "$PW_WAIT_S" grep -q PORT "$T/vendor.out"
VPORT=$(awk '/PORT/{print $2}' "$T/vendor.out")

scan() { # name [options]: /popup, one page; $T/<name>.{json,har,err}
    local name=$1
    shift
    timeout 120 "$PHIWALL" scan "$BASE/popup" "$@" --settle 500 --no-sitemap --max-pages 1 \
        --map-host "connect.facebook.net=$BASE/vendor/connect.facebook.net" \
        --browser-arg="--host-resolver-rules=MAP www.facebook.com 127.0.0.1:$VPORT, MAP * ~NOTFOUND, EXCLUDE 127.0.0.1" \
        --browser-arg=--ignore-certificate-errors --canary-tag popup \
        --verbose --format json -o "$T/$name.json" --har-out "$T/$name.har" 2>"$T/$name.err"
}

scan popup; expect_code 0 $? "scan of the page that opens windows"
expect_match "$(wc -l <"$T/escaped.log")" '^0$' "no request of a window reached the vendor"
cat "$T/escaped.log" | head -5
beacons() { # the events of the Meta beacons of $1's HAR sent by the window opened via $2
    jq -r --arg via "$2" '.log.entries[] | select(.request.url | test("facebook\\.com/tr"))
        | ((.request.url | capture("ev=(?<e>[A-Za-z]+)").e) // (.request.postData.text
        | capture("ev=(?<e>[A-Za-z]+)").e)) + " " + (.response.status | tostring) + " "
        + (.request.url + " " + (.request.postData.text // "")
           | if test("via%3D" + $via) then "window" else "other" end)' "$T/$1.har" |
        grep ' window$' | cut -d' ' -f1,2 | sort -u | tr '\n' ' '
}
for via in open noopener form; do
    expect_match "$(beacons popup $via)" 'PageView 200 .*PopupLeave 204 PopupView 200' \
        "window.open ($via): its beacons are captured and answered locally"
done
pages=$(jq -r '.pages[].url' "$T/popup.json" | sort | tr '\n' ' ')
for via in open noopener form; do
    expect_match "$pages" "/popup/window\\?via=$via" "the window ($via) is a page of the report"
done
# its requests are on its own page, not the opener's
expect_match "$(jq -r '.findings[] | select(.rule_id == "PW-FORM-VALUES") | .page.url' "$T/popup.json" | sort -u | tr '\n' ' ')" \
    'popup/window\?via=form&email=marisol' "the window's beacon with the canary address is reported on the window's page"
expect_match "$(jq -r '[.log.entries[] | select(.request.url | test("ev=PopupView")) | .pageref] | unique | length' "$T/popup.har")" \
    '^3$' "each window's beacon is on its own page of the HAR"
# the windows were closed when the page was left (their pagehide beacons prove it), and no page
# of the browser is left waiting: the scan ended in time
expect_nomatch "$(cat "$T/popup.err")" 'a window of no known opener' "each window's opener is known"

finish
