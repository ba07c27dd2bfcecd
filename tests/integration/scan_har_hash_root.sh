#!/usr/bin/env bash
# scan_har_hash_root.sh — a hash router's home route is the document itself: a Meta beacon whose
# dl is "…/app/#/" (the root a router writes for the bare URL) is judged on the page "…/app/",
# not on a second, untitled report page "…/app/#/"; a route "#/find-a-doctor" or
# "#!/conditions/hiv" is a page of its own (docs/scan-browser.md, hash routes).
set -u
. "$PW_SRC/tests/integration/lib.bash"
command -v python3 >/dev/null || skip "python3 not installed"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
python3 - "$T/app.har" <<'PY'
import json, sys, urllib.parse
site = "https://www.demo-hospital.org/app/"
def entry(t, url, kind):
    return {"pageref": "page_1", "startedDateTime": "2024-05-01T12:00:%02d.000Z" % t, "time": 1,
            "request": {"method": "GET", "url": url, "httpVersion": "HTTP/2",
                        "headers": [{"name": "User-Agent", "value": "Mozilla/5.0"}],
                        "queryString": [], "cookies": [], "headersSize": -1, "bodySize": 0},
            "response": {"status": 200, "statusText": "", "httpVersion": "HTTP/2", "headers": [],
                         "cookies": [], "content": {"size": 0, "mimeType": "text/html"},
                         "redirectURL": "", "headersSize": -1, "bodySize": 0},
            "cache": {}, "timings": {"send": 0, "wait": 1, "receive": 1}, "_resourceType": kind}
def pixel(t, dl, dt):
    q = urllib.parse.urlencode({"id": "493027145822310", "ev": "PageView", "dl": dl, "dt": dt})
    return entry(t, "https://www.facebook.com/tr/?" + q, "image")
entries = [entry(0, site, "document"),
           pixel(1, site + "#/", "Rivermoor App"),
           pixel(2, site + "#/find-a-doctor", "Find a Doctor"),
           pixel(3, site + "#!/conditions/hiv", "HIV care"),
           pixel(4, site + "#!/", "Rivermoor App")]
har = {"log": {"version": "1.2", "creator": {"name": "chrome", "version": "1"},
               "pages": [{"startedDateTime": "2024-05-01T12:00:00.000Z", "id": "page_1",
                          "title": "Rivermoor App", "pageTimings": {}}],
               "entries": entries}}
json.dump(har, open(sys.argv[1], "w"))
PY
"$PHIWALL" scan --har "$T/app.har" --format json -o "$T/r.json"
expect_code 0 $? "scans"
pages=$(python3 -c 'import json,sys; print("\n".join(p["url"] for p in json.load(open(sys.argv[1]))["pages"]))' "$T/r.json")
printf '%s\n' "$pages"
expect_match "$pages" '^https://www\.demo-hospital\.org/app/$' "the app's own page"
expect_nomatch "$pages" '/app/#!?/$' "no page for the home route"
expect_match "$pages" '/app/#/find-a-doctor$' "a route is a page"
expect_match "$pages" '/app/#!/conditions/hiv$' "a #! route is a page"
expect_code 3 "$(printf '%s\n' "$pages" | wc -l)" "three pages"
finish
