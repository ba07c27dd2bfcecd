#!/usr/bin/env bash
# demo_site.sh — the demo hospital server and site against its answer key (demo/expected.json):
# every page answers 200 and carries exactly the tracker tags the key lists; the portal needs
# its session cookie; malformed requests get 4xx/5xx answers and the server survives them; the
# clean variant carries no third-party tag.
set -u
. "$PW_SRC/tests/integration/lib.bash"

SERVER="$PW_BUILD/phiwall-demo-server"
KEY="$PW_SRC/demo/expected.json"
[ -x "$SERVER" ] || skip "phiwall-demo-server not built"
command -v curl >/dev/null || skip "curl not installed"
command -v jq >/dev/null || skip "jq not installed (scripts/install-deps.sh)"

TMP=$(mktemp -d)
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
    rm -rf "$TMP"
}
trap cleanup EXIT

# start_server OUTFILE ARGS… — starts the server on a free port; sets PORT.
start_server() {
    local out=$1
    shift
    "$SERVER" --port 0 --quiet "$@" >"$out" 2>"$out.err" &
    PIDS+=($!)
    PORT=""
    for ((end = SECONDS + PW_WAIT_S; SECONDS < end; )); do
        PORT=$(sed -n '1s|^listening on http://127\.0\.0\.1:\([0-9][0-9]*\)$|\1|p' "$out")
        [ -n "$PORT" ] && return 0
        sleep 0.1
    done
    fail "server did not print its listening line: $(cat "$out.err")"
    finish
}

start_server "$TMP/site.out"
BASE="http://127.0.0.1:$PORT"
expect_match "$(head -1 "$TMP/site.out")" '^listening on http://127\.0\.0\.1:[0-9]+$' "first stdout line"

# --- login once, keep the session cookie -------------------------------------------------
user=$(jq -r .portal.username "$KEY")
pass=$(jq -r .portal.password "$KEY")
hdr=$(curl -s -o /dev/null -D - -c "$TMP/jar" --data-urlencode "username=$user" \
    --data-urlencode "password=$pass" "$BASE/portal/login")
expect_match "$hdr" '^HTTP/1.1 303' "login answers 303"
expect_match "$hdr" 'Location: /portal/dashboard' "login redirects to the dashboard"
expect_match "$hdr" 'Set-Cookie: rrmc_session=[0-9a-f]{32}; Path=/portal; HttpOnly' "login sets the session cookie"
bad=$(curl -s -o /dev/null -D - --data "username=$user&password=wrong" "$BASE/portal/login")
expect_match "$bad" 'Location: /portal/login\?error=1' "wrong password goes back to login"
expect_nomatch "$bad" 'Set-Cookie' "wrong password sets no cookie"

# --- every page of the answer key: status, title, tracker tags ----------------------------
script_of() { # tracker key -> a substring its tag puts in the page
    case $1 in
    meta_pixel) echo 'connect.facebook.net/en_US/fbevents.js' ;;
    ga4) echo 'www.googletagmanager.com/gtag/js?id=G-RRMC7Q2X9L' ;;
    google_ads) echo "gtag('config', 'AW-10987654321')" ;;
    tiktok) echo 'analytics.tiktok.com/i18n/pixel/events.js' ;;
    linkedin) echo 'snap.licdn.com/li.lms-analytics/insight.min.js' ;;
    hotjar) echo 'static.hotjar.com/c/hotjar-' ;;
    esac
}
ALL_TRACKERS="meta_pixel ga4 google_ads tiktok linkedin hotjar"
n=$(jq '.pages | length' "$KEY")
[ "$n" -ge 20 ] && pass || fail "answer key lists $n pages, want >= 20"
for i in $(seq 0 $((n - 1))); do
    path=$(jq -r ".pages[$i].path" "$KEY")
    auth=$(jq -r ".pages[$i].auth_required" "$KEY")
    want=" $(jq -r ".pages[$i].trackers | join(\" \")" "$KEY") "
    cookie=()
    [ "$auth" = true ] && cookie=(-b "$TMP/jar")
    code=$(curl -s -o "$TMP/page.html" -w '%{http_code}' "${cookie[@]}" "$BASE$path")
    expect_code 200 "$code" "GET $path"
    title=$(jq -r ".pages[$i].title" "$KEY" | sed 's/&/\&amp;/g')
    grep -qF "<title>$title |" "$TMP/page.html" && pass || fail "$path: title is not '$title'"
    for t in $ALL_TRACKERS; do
        s=$(script_of "$t")
        if grep -qF "$s" "$TMP/page.html"; then has=1; else has=0; fi
        case $want in *" $t "*) exp=1 ;; *) exp=0 ;; esac
        [ $has = $exp ] && pass || fail "$path: tracker $t present=$has, answer key says $exp"
    done
    if [ "$auth" = true ]; then
        loc=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' "$BASE$path")
        expect_match "$loc" "^302 $BASE/portal/login\\?next=$path\$" "$path without cookie redirects to login"
    fi
done

# --- search is rendered server-side and escaped -----------------------------------------
page=$(curl -s "$BASE/find-a-doctor?q=breast+cancer")
expect_match "$page" 'Results for “breast cancer”' "search term in the results title"
expect_match "$page" 'href="/doctors/elena-marsh"' "breast cancer finds Dr. Marsh"
expect_nomatch "$page" 'David Okafor' "breast cancer does not list the cardiologist"
page=$(curl -s "$BASE/find-a-doctor?q=%3Cscript%3Ealert(1)%3C/script%3E")
expect_nomatch "$page" '<script>alert' "search term is HTML-escaped"
expect_match "$page" '&lt;script&gt;alert' "escaped term is shown"
page=$(curl -s "$BASE/appointments/confirm?first_name=%22%3E%3Cimg%20src=x%3E")
expect_nomatch "$page" '"><img src=x>' "query parameters are escaped on the confirmation page"

# --- other routes -------------------------------------------------------------------------
out=$(curl -s -w '\n%{http_code} %{content_type}' "$BASE/robots.txt")
expect_match "$out" 'Disallow: /portal/' "robots.txt disallows the portal"
expect_match "$out" "Sitemap: $BASE/sitemap.xml" "robots.txt names the sitemap"
out=$(curl -s "$BASE/sitemap.xml")
expect_match "$out" "<loc>$BASE/services/oncology</loc>" "sitemap lists a service page"
expect_nomatch "$out" "/portal/dashboard" "sitemap leaves out portal pages"
out=$(curl -s -o /dev/null -w '%{http_code} %{content_type}' "$BASE/no-such-page")
expect_match "$out" '^404 text/html' "unknown page is a 404 page"
out=$(curl -s -o /dev/null -w '%{http_code} %{content_type}' "$BASE/vendor/connect.facebook.net/en_US/fbevents.js")
expect_match "$out" '^200 application/javascript' "vendor script served as JavaScript"
out=$(curl -s -o /dev/null -w '%{http_code} %{content_type}' "$BASE/vendor/www.googletagmanager.com/gtag/js?id=G-RRMC7Q2X9L")
expect_match "$out" '^200 application/javascript' "extension-less vendor path served as JavaScript"
out=$(curl -s -o /dev/null -w '%{http_code}' "$BASE/css/site.css")
expect_code 200 "$out" "stylesheet"
out=$(curl -s -o /dev/null -w '%{http_code}' "$BASE/_data/doctors.tsv")
expect_code 404 "$out" "private _ files are not served"
out=$(curl -s -I -o /dev/null -w '%{http_code} %{size_download}' "$BASE/")
expect_match "$out" '^200 0$' "HEAD answers without a body"
out=$(curl -s -o /dev/null -D - --data "x=1" "$BASE/pharmacy/refill")
expect_match "$out" '^HTTP/1.1 303' "refill form POST answers 303"
out=$(curl -s -o /dev/null -w '%{http_code}' -X DELETE "$BASE/")
expect_code 405 "$out" "DELETE is not allowed"
out=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' -b "$TMP/jar" "$BASE/portal/logout")
expect_match "$out" "^302 $BASE/portal/login" "logout redirects to login"

# --- malformed requests: an answer each, never a crash ------------------------------------
raw() { # request bytes -> status line
    exec 3<>"/dev/tcp/127.0.0.1/$PORT" || return 1
    printf '%b' "$1" >&3
    local line
    IFS= read -r -t 5 line <&3
    exec 3>&-
    printf '%s' "${line%$'\r'}"
}
expect_raw() { # request expected-status what
    local got
    got=$(raw "$1")
    expect_match "$got" "^HTTP/1.1 $2 " "$3 (got '$got')"
}
expect_raw 'GARBAGE\r\n\r\n' 400 "request line without target"
expect_raw 'GET / HTTP/1.1\r\n\r\n' 400 "HTTP/1.1 without Host"
expect_raw 'GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n' 400 "dot-dot path"
expect_raw 'GET /%2e%2e/etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n' 400 "encoded dot-dot path"
expect_raw 'GET /a%00b HTTP/1.1\r\nHost: x\r\n\r\n' 400 "encoded NUL in path"
expect_raw 'GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n' 400 "bad percent escape"
expect_raw 'GET http://example.org/ HTTP/1.1\r\nHost: x\r\n\r\n' 400 "absolute-form target"
expect_raw 'GET / HTTP/9.9\r\nHost: x\r\n\r\n' 400 "unknown version"
expect_raw 'GET / HTTP/2.0\r\nHost: x\r\n\r\n' 501 "HTTP/2 request line"
expect_raw 'POST /portal/login HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n' 400 "non-numeric Content-Length"
expect_raw 'POST /portal/login HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n' 400 "repeated Content-Length"
expect_raw 'POST /portal/login HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999\r\n\r\n' 413 "oversized body"
expect_raw 'POST /portal/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n' 501 "chunked body"
expect_raw 'GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n' 400 "obsolete line folding"
expect_raw 'GET / HTTP/1.1\r\nHost x\r\n\r\n' 400 "header without colon"
expect_raw 'GET / HTTP/1.1\r\nHost: x\r\nX: a\x01b\r\n\r\n' 400 "control byte in a header"
big=$(head -c 20000 /dev/zero | tr '\0' 'a')
expect_raw "GET / HTTP/1.1\\r\\nHost: x\\r\\nX-Big: $big\\r\\n\\r\\n" 431 "oversized head"
hdrs=""
for i in $(seq 80); do hdrs="${hdrs}X-$i: v\\r\\n"; done
expect_raw "GET / HTTP/1.1\\r\\nHost: x\\r\\n$hdrs\\r\\n" 431 "too many headers"
expect_raw 'GET /find-a-doctor?q=%ff%fe%00 HTTP/1.1\r\nHost: x\r\n\r\n' 200 "undecodable search term is ignored"
# a client that connects and sends nothing, and one that hangs up mid-request
exec 4<>"/dev/tcp/127.0.0.1/$PORT"
exec 5<>"/dev/tcp/127.0.0.1/$PORT"
printf 'GET / HT' >&5
exec 5>&-
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$BASE/")
expect_code 200 "$code" "server serves others while a client idles"
exec 4>&-
# 40 requests at once
for i in $(seq 40); do curl -s -o /dev/null -w '%{http_code}\n' "$BASE/services/cardiology" & done >"$TMP/par" 2>&1
wait $(jobs -p | grep -v "${PIDS[0]}") 2>/dev/null
expect_code 40 "$(grep -c '^200$' "$TMP/par")" "40 concurrent requests answered 200"
kill -0 "${PIDS[0]}" 2>/dev/null && pass || fail "server died during the malformed-request tests"
code=$(curl -s -o /dev/null -w '%{http_code}' "$BASE/")
expect_code 200 "$code" "server still answers after all of it"

# --- the clean variant: no third-party tag, the gateway's own tag instead ------------------
# (--gateway given the old ".../e" form on purpose: the server cuts it to the gateway's base URL)
start_server "$TMP/clean.out" --clean --gateway http://127.0.0.1:9/e
CLEAN="http://127.0.0.1:$PORT"
for path in $(jq -r '.pages[] | select(.auth_required | not) | .path' "$KEY"); do
    curl -s "$CLEAN$path" >"$TMP/clean.html"
    third=$(grep -oE '(https?:)?//[a-z0-9.-]+\.(com|net|ms|io)/' "$TMP/clean.html" | sort -u | tr '\n' ' ')
    [ -z "$third" ] && pass || fail "clean $path references third parties: $third"
    grep -qF '<script async src="http://127.0.0.1:9/phiwall.js" data-page="path">' "$TMP/clean.html" \
        && pass || fail "clean $path lacks the gateway's /phiwall.js"
done
out=$(curl -s "$CLEAN/appointments/request")
expect_match "$out" 'data-phiwall-event="appointment_request"' "the appointment form names its site action"
expect_nomatch "$out" '\{\{' "no template placeholder left in the clean page"
code=$(curl -s -o /dev/null -w '%{http_code}' "$CLEAN/phiwall.js")
expect_code 404 "$code" "the demo server serves no tag of its own (the gateway does)"

# --- SIGTERM: both servers drain and exit 0 (under ASan, LeakSanitizer checks them here) ------
for p in "${PIDS[@]}"; do
    kill -TERM "$p"
    wait "$p"
    expect_code 0 $? "server $p exits 0 on SIGTERM"
done
PIDS=()
expect_nomatch "$(cat "$TMP"/*.err)" 'Sanitizer|runtime error|leak' "no sanitizer report from the servers"

finish
