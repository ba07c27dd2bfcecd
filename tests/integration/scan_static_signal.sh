#!/usr/bin/env bash
# scan_static_signal.sh — Ctrl-C (SIGINT) or SIGTERM during `phiwall scan --static`, the same
# contract as the browser scan (scan_signal.sh): the page being fetched is finished, no other page
# is started, the pages read are reported INCOMPLETE ("interrupted") and the scan exits 128 + the
# signal; a second signal exits at once, by the signal, with no report. Before, static triage
# installed no handler: Ctrl-C lost every page read, with no report at all.
set -u
. "$PW_SRC/tests/integration/lib.bash"
command -v jq >/dev/null || skip "jq not installed (scripts/install-deps.sh)"
command -v python3 >/dev/null || skip "python3 not present"
T=$(mktemp -d)

# a site of 30 pages that each take 0.4 s to answer (a crawl of 20 takes 8 s) and link to all the
# others, each with a Meta pixel; /hang answers after 30 s. The server logs each page it serves.
cat >"$T/site.py" <<'PY'
import http.server, sys, time
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        print("got", self.path, flush=True)
        if self.path == "/robots.txt":
            self.send_response(404); self.end_headers(); return
        time.sleep(30 if self.path == "/hang" else 0.4)
        links = "".join('<a href="/p%d">page %d</a>' % (i, i) for i in range(30))
        body = ('<html><head><title>%s</title><script src="https://connect.facebook.net/en_US/'
                'fbevents.js"></script><script>fbq("init", "123456789012345");</script></head>'
                '<body>%s</body></html>' % (self.path, links)).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        print("served", self.path, flush=True)
    def log_message(self, *a): pass
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
print("PORT", s.server_address[1], flush=True)
s.serve_forever()
PY
python3 "$T/site.py" >"$T/site.out" 2>&1 </dev/null &
PY=$!
trap 'kill $PY 2>/dev/null; wait $PY 2>/dev/null; rm -rf "$T"' EXIT
wait_until "$PW_WAIT_S" grep -q PORT "$T/site.out"
BASE="http://127.0.0.1:$(awk '/PORT/{print $2}' "$T/site.out")"
served() { [ "$(grep -c '^served ' "$T/site.out")" -ge "$1" ]; }

# SIGINT once, after two pages: those are reported, INCOMPLETE "interrupted", exit 130
for sig in INT TERM; do
        before=$(grep -c '^served ' "$T/site.out")
    "$PHIWALL" scan "$BASE/" --static --format json -o "$T/$sig.json" 2>"$T/$sig.err" &
    pid=$!
    wait_until "$PW_WAIT_S" served $((before + 2))
    kill -$sig "$pid"
    wait "$pid"
    rc=$?
    [ $sig = INT ] && want=130 || want=143
    expect_code $want $rc "SIG$sig: exit $want"
    expect_match "$(cat "$T/$sig.err")" 'interrupted: finishing the page being read' "SIG$sig: says so at once"
    expect_match "$(jq -c '[.complete, (.incomplete_reasons[] | select(.kind == "interrupted") | .error)]' "$T/$sig.json")" \
        "^\\[false,\"SIG$sig after [0-9]+ pages?: the rest of the site was not scanned\"\\]\$" "SIG$sig: report INCOMPLETE, interrupted"
    n=$(jq '.pages | length' "$T/$sig.json")
    [ "$n" -ge 2 ] && [ "$n" -lt 20 ] && pass || fail "SIG$sig: the pages read (2 or more, fewer than 20) are in the report: $n"
    expect_match "$(jq -r '.pages[].url' "$T/$sig.json" | head -1)" "^$BASE/\$" "SIG$sig: the start page is in the report"
    expect_match "$(jq -r '[.findings[].vendor.id] | unique | join(" ")' "$T/$sig.json")" 'meta-pixel' "SIG$sig: the tags read are reported"
done

# the text report and its exit status when the signal came with --sites: no more sites
printf '%s\n' "$BASE/" "$BASE/p1" >"$T/sites.txt"
"$PHIWALL" scan --sites "$T/sites.txt" --out "$T/out" --static 2>"$T/sites.err" &
pid=$!
wait_until "$PW_WAIT_S" served $(($(grep -c '^served ' "$T/site.out") + 2))
kill -INT "$pid"
wait "$pid"
expect_code 130 $? "--sites, SIGINT: exit 130"
expect_match "$(cat "$T/out/summary.csv" 2>/dev/null)" 'incomplete: .*SIGINT after' "--sites: the site read is incomplete (interrupted)"
expect_code 1 "$(find "$T/out" -name '*.summary' | wc -l)" "--sites: no site started after the signal"

# a second signal while the page being read hangs: out at once, killed by it, no report
"$PHIWALL" scan "$BASE/hang" --static --timeout 60 --format json -o "$T/h.json" 2>"$T/h.err" &
pid=$!
wait_until "$PW_WAIT_S" grep -q '^got /hang' "$T/site.out"
kill -TERM "$pid"
wait_until "$PW_WAIT_S" grep -q 'interrupted: finishing' "$T/h.err"
start=$(date +%s)
kill -INT "$pid"
wait "$pid"
expect_code 130 $? "second signal: killed by it (SIGINT)"
[ $(($(date +%s) - start)) -lt 20 ] && pass || fail "second signal: did not exit at once"
expect_match "$(cat "$T/h.err")" 'interrupted again: exiting now' "second signal: says so"
[ -e "$T/h.json" ] && fail "second signal: a report was written" || pass
finish
