#!/usr/bin/env bash
# scan_static_fetch.sh — `phiwall scan --static` reads each page where a browser lands and as a
# browser decodes it: relative links resolved against the URL after redirects (and <base href>),
# the page named by that URL; a short same-site <meta> refresh (a splash start page) followed;
# windows-1252 / ISO-8859-1 pages decoded (titles, the condition context, links requested as a
# browser encodes them: path in UTF-8, query in the page's encoding); a large download that is
# not HTML no gap; up to 20 redirects followed, as Chromium does. A loopback Python server plays
# the site and logs every request it gets.
set -u
. "$PW_SRC/tests/integration/lib.bash"
command -v jq >/dev/null || skip "jq not installed (scripts/install-deps.sh)"
command -v python3 >/dev/null || skip "python3 not present"
T=$(mktemp -d)
cat >"$T/site.py" <<'EOF'
import sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

PIXEL = "<script>fbq('init', '123456789012345');</script>"
LOG = open(sys.argv[1], "a", buffering=1)

def page(title, body, head="", charset=None):
    meta = "<meta charset=%s>" % charset if charset else ""
    return "<!doctype html><html><head>%s<title>%s</title>%s</head><body>%s</body></html>" % (
        meta, title, head, body)

class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a):
        pass
    def send(self, code, body, ctype="text/html; charset=utf-8", headers=()):
        if isinstance(body, str):
            body = body.encode("utf-8")
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)
    def go(self, to, code=302):
        self.send(code, "", headers=[("Location", to)])
    def do_GET(self):
        LOG.write(self.path + "\n")
        u = urlsplit(self.path)
        p = u.path
        if p == "/robots.txt":
            return self.send(404, "", "text/plain")
        # 7: a start page that redirects to where its relative links make sense
        if p == "/rel":
            return self.go("/rel/en/home", 301)
        if p == "/rel/en/home":
            return self.send(200, page("Home", '<a href="oncology">Cancer care</a>'))
        if p == "/rel/en/oncology":
            return self.send(200, page("Oncology", PIXEL))
        if p == "/base/":
            return self.send(200, page("Home", '<a href="cardiology">Heart care</a>',
                                       head='<base href="/base/en/">'))
        if p == "/base/en/cardiology":
            return self.send(200, page("Cardiology", PIXEL))
        # 8: a splash start page that refreshes at once; one that refreshes to another site
        if p == "/splash/":
            return self.send(200, page("Welcome", "", head='<meta http-equiv="refresh" content="0; url=/splash/home.aspx">'))
        if p == "/splash/home.aspx":
            return self.send(200, page("Home", '<a href="/splash/oncology">Cancer care</a>'))
        if p == "/splash/oncology":
            return self.send(200, page("Cancer care", PIXEL))
        if p == "/away/":
            port = self.server.server_address[1]
            return self.send(200, page("Welcome", "", head='<meta http-equiv="refresh" content="0; url=http://localhost:%d/splash/home.aspx">' % port))
        # 9: windows-1252 said as ISO-8859-1 by HTTP, or only by <meta>
        if p in ("/cp/", "/cpm/"):
            link = p + "s\xedntomas?q=depresi\xf3n"
            body = page("Atenci\xf3n del c\xe1ncer de mama", '<a href="%s">S\xedntomas</a>' % link + PIXEL,
                        charset="windows-1252" if p == "/cpm/" else None)
            return self.send(200, body.encode("cp1252"),
                             "text/html; charset=ISO-8859-1" if p == "/cp/" else "text/html")
        if p in ("/cp/s%C3%ADntomas", "/cpm/s%C3%ADntomas") and u.query == "q=depresi%F3n":
            return self.send(200, page("Depresi\xf3n y ansiedad", PIXEL).encode("cp1252"),
                             "text/html; charset=windows-1252")
        # 13: a 9 MiB file that is not HTML, next to a page
        if p == "/dl/":
            return self.send(200, page("Forms", '<a href="/dl/get/records-release">Records release form</a> <a href="/dl/cardiology">Cardiology</a>'))
        if p == "/dl/get/records-release":  # no file extension says what it is: only its type
            return self.send(200, b"%PDF-1.4\n" + b"0" * (9 << 20), "application/pdf",
                             [("Content-Disposition", 'attachment; filename="release.pdf"')])
        if p == "/dl/cardiology":
            return self.send(200, page("Cardiology", PIXEL))
        # 13: redirect chains: 15 hops (fine in Chromium), 25 hops (too many there too)
        if p.startswith("/chain/"):
            n = int(p.rsplit("/", 1)[1])
            return self.go("/chain/%d" % (n + 1)) if n < 15 else self.send(200, page("Oncology end of chain", PIXEL))
        if p == "/long/":
            return self.send(200, page("Home", '<a href="/longchain/0">Cancer care</a>'))
        if p.startswith("/longchain/"):
            n = int(p.rsplit("/", 1)[1])
            return self.go("/longchain/%d" % (n + 1)) if n < 25 else self.send(200, page("End", PIXEL))
        # 16: a start URL that sends its visitor to another site
        if p == "/xsite":
            return self.go("http://localhost:%d/splash/home.aspx" % self.server.server_address[1])
        # 14: a staging site behind HTTP Basic authentication (staff / s3cr@t)
        if p.startswith("/auth/"):
            host = self.headers.get("Host", "").split(":")[0]
            got = self.headers.get("Authorization")
            LOG.write("AUTH %s %s %s\n" % (host, p, got))
            if p == "/auth/leak":
                return self.send(200, page("Elsewhere", ""))
            if got != "Basic c3RhZmY6czNjckB0":
                return self.send(401, page("Log in", ""), headers=[("WWW-Authenticate", 'Basic realm="staging"')])
            if p == "/auth/":
                port = self.server.server_address[1]
                return self.send(200, page("Home", '<a href="oncology">Cancer care</a> <a href="/auth/away">Away</a>'))
            if p == "/auth/oncology":
                return self.send(200, page("Oncology", PIXEL))
            if p == "/auth/away":
                return self.go("http://localhost:%d/auth/leak" % self.server.server_address[1])
        return self.send(404, page("Not found", "not found"))

srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
print("PORT %d" % srv.server_address[1], flush=True)
srv.serve_forever()
EOF
python3 "$T/site.py" "$T/hits.log" >"$T/site.out" 2>&1 </dev/null &
SRV=$!
trap 'kill $SRV 2>/dev/null; wait $SRV 2>/dev/null; rm -rf "$T"' EXIT
wait_until "$PW_WAIT_S" grep -qs PORT "$T/site.out" || { cat "$T/site.out" >&2; exit 1; }
PORT=$(awk '/PORT/{print $2}' "$T/site.out")
B="http://127.0.0.1:$PORT"
Q='{complete, pages:[.pages[]|[.url,.title,.context]], gaps:[.incomplete_reasons[]|.kind+" "+.url+" "+.error], errp:[.error_pages[]|.url+" "+.error], f:[.findings[]|.rule_id+" "+.page.url]|unique}'
scan() { # NAME URL [ARGS...]: the JSON report's gist in $T/NAME.txt, the exit code in rc
    local name=$1 url=$2
    shift 2
    "$PHIWALL" scan --static "$url" "$@" --format json -o "$T/$name.json" 2>"$T/$name.err"
    rc=$?
    jq -c "$Q" "$T/$name.json" >"$T/$name.txt" 2>/dev/null
}

# 7. /rel answers 301 → /rel/en/home, whose link says "oncology": the browser goes to
# /rel/en/oncology; read against /rel it was /oncology (404) and the pixel page was never read
scan rel "$B/rel"
expect_code 0 $rc "redirected start page: exit 0"
expect_match "$(jq -r '.pages[0].url' "$T/rel.json")" "^$B/rel/en/home$" "the start page is named where it landed"
expect_match "$(jq -r '.pages[].url' "$T/rel.json")" "^$B/rel/en/oncology$" "its relative link resolved against where it landed"
expect_match "$(jq -r '.findings[].page.url' "$T/rel.json")" "^$B/rel/en/oncology$" "the pixel on the linked page is reported"
expect_nomatch "$(cat "$T/hits.log")" '^/oncology' "no request for the link resolved against the URL before the redirect"
expect_match "$(jq -c '.error_pages' "$T/rel.json")" '^\[\]$' "no error pages"
# <base href> decides what relative links mean
scan base "$B/base/"
expect_match "$(jq -r '.pages[].url' "$T/base.json")" "^$B/base/en/cardiology$" "<base href> honoured"
expect_match "$(jq -c '.error_pages' "$T/base.json")" '^\[\]$' "<base href>: no error pages"

# 8. a splash start page with <meta http-equiv=refresh content="0; url=…">: followed, as in a
# browser (before: 1 page, complete, no findings)
scan splash "$B/splash/"
expect_code 0 $rc "splash start page: exit 0"
expect_match "$(jq -r '.pages[].url' "$T/splash.json" | sort | tr '\n' ' ')" "^$B/splash/ $B/splash/home.aspx $B/splash/oncology $" "splash page, where it refreshes to, and its links read"
expect_match "$(jq -r '.findings[].page.url' "$T/splash.json")" "^$B/splash/oncology$" "splash: the pixel page behind it is reported"
# a refresh to another site is not followed (and the other site is not crawled)
scan away "$B/away/"
expect_nomatch "$(jq -r '.pages[].url' "$T/away.json")" 'localhost' "a refresh to another site is not followed"

# 9. windows-1252 said by HTTP as ISO-8859-1 (the web's name for it), or by <meta charset> only
for cp in cp cpm; do
    scan $cp "$B/$cp/"
    expect_code 0 $rc "$cp: exit 0"
    expect_match "$(jq -r '.pages[0].title' "$T/$cp.json")" '^Atención del cáncer de mama$' "$cp: the title decoded"
    expect_match "$(jq -r '.pages[0].context' "$T/$cp.json")" '^condition$' "$cp: the condition context read from it"
    expect_match "$(jq -r '.pages[1] | "\(.url) \(.title)"' "$T/$cp.json")" "^$B/$cp/s%C3%ADntomas\\?q=depresi%F3n Depresión y ansiedad$" \
        "$cp: the link requested as a browser does (path UTF-8, query windows-1252)"
    expect_match "$(jq -r '[.findings[].rule_id] | unique | join(" ")' "$T/$cp.json")" 'PW-CONDITION-URL' "$cp: findings on condition pages"
    expect_match "$(jq -c '.error_pages' "$T/$cp.json")" '^\[\]$' "$cp: no error pages"
done
expect_nomatch "$(cat "$T/hits.log")" '%EF%BF%BD' "no link requested with U+FFFD"
expect_match "$(cat "$T/hits.log")" '^/cp/s%C3%ADntomas\?q=depresi%F3n$' "the server got the browser's request"

# 13. a 9 MiB PDF is a download, not a page: no gap, exit 0 (before: a `page` gap "larger than
# 8388608 bytes", INCOMPLETE, exit 4)
scan dl "$B/dl/"
expect_code 0 $rc "a large non-HTML file: exit 0 (no gap)"
expect_match "$(cat "$T/dl.txt")" '"complete":true' "a large non-HTML file: complete"
expect_match "$(cat "$T/hits.log")" '^/dl/get/records-release$' "the file was asked for (its type decides)"
expect_match "$(jq -r '.pages[].url' "$T/dl.json")" "^$B/dl/cardiology$" "the page next to it is read"
# 15 redirects are followed as in Chromium (before: 5, and the start page was an error, exit 3)
scan chain "$B/chain/0"
expect_code 0 $rc "a 15-hop redirect chain: exit 0"
expect_match "$(jq -r '.pages[0].url' "$T/chain.json")" "^$B/chain/15$" "the chain's end is read and named"
# … and more than 20 are a page gap, as in Chromium (ERR_TOO_MANY_REDIRECTS)
scan long "$B/long/"
expect_code 4 $rc "a 25-hop redirect chain: exit 4"
expect_match "$(jq -r '.incomplete_reasons[] | "\(.kind) \(.url) \(.error)"' "$T/long.json")" "^page $B/longchain/0 more than 20 redirects$" "the gap says why"

# 14. credentials in the start URL log in to a staging site: every page behind them is read, no
# report names them, and they go to the start URL's origin only (before: each page URL in the
# report carried staff:s3cr%40t@, as relative links resolved against it)
scan auth "http://staff:s3cr%40t@127.0.0.1:$PORT/auth/"
expect_code 0 $rc "a site behind HTTP authentication: exit 0"
expect_match "$(jq -r '.pages[].url' "$T/auth.json" | sort | tr '\n' ' ')" "^$B/auth/ $B/auth/oncology " "its pages read, named without credentials"
expect_match "$(jq -r '.findings[].page.url' "$T/auth.json" | sort -u)" "^$B/auth/oncology$" "the pixel behind the login is reported"
expect_nomatch "$(cat "$T/auth.json" "$T/auth.err")" 'staff|s3cr' "no credentials in the report or on stderr"
expect_match "$(grep -c '^AUTH 127.0.0.1 /auth/oncology Basic ' "$T/hits.log")" '^[1-9]' "the linked page was asked for with the credentials"
expect_match "$(grep '^AUTH localhost ' "$T/hits.log")" '^AUTH localhost /auth/leak None$' "a redirect to another host does not carry them"

# 15. the page limit reached with links left: a note says so (before: nothing, the report looked
# like the whole site); a crawl that read everything has none
scan budget "$B/dl/" --max-pages 2
expect_match "$(jq -r '.notes[] | select(.kind == "budget") | .error' "$T/budget.json")" \
    '^page limit 2 reached .*: 1 same-site URL found was not visited' "the page limit is a note"
expect_code 0 $rc "the page limit: exit 0 (a note, not a gap)"
expect_match "$(cat "$T/budget.err")" 'page limit 2 reached' "the note on stderr too"
expect_match "$(jq -c '[.notes[] | select(.kind == "budget")]' "$T/rel.json")" '^\[\]$' "no note when every page was read"
# … and names the start URL without its credentials
scan authb "http://staff:s3cr%40t@127.0.0.1:$PORT/auth/" --max-pages 2
expect_match "$(jq -r '.notes[] | select(.kind == "budget") | .url' "$T/authb.json")" "^$B/auth/$" "the note names the start URL"
expect_nomatch "$(cat "$T/authb.json" "$T/authb.err")" 'staff|s3cr' "the note carries no credentials"
# 16. a start URL that redirects to another site: only that page is read, and the report says so
# with the browser scan's coverage gap, incomplete (before: one page, complete, exit 0)
scan xsite "$B/xsite"
expect_code 4 $rc "a start URL redirected to another site: exit 4"
expect_match "$(jq -r '.incomplete_reasons[] | "\(.kind) \(.error)"' "$T/xsite.json")" \
    "^coverage the start URL redirected to http://localhost:$PORT/splash/home.aspx, another site" "the coverage gap says why"
expect_match "$(jq -r '[.incomplete_reasons[] | select(.kind == "coverage")] | length' "$T/rel.json")" '^0$' "no coverage gap for a same-site redirect"
finish
