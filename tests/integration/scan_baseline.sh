#!/usr/bin/env bash
# scan_baseline.sh — `phiwall scan --baseline OLD.json`: a rescan compared with an earlier JSON
# report: new / unchanged / gone in every format, --fail-on counting only what is new, the
# baseline rewritten in place with -o, and bad baselines refused before anything is scanned.
set -u
. "$PW_SRC/tests/integration/lib.bash"
D="$PW_SRC/tests/data/har"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# the earlier scan: the condition page and the appointment form (1 critical, 2 medium)
"$PHIWALL" scan --har "$D/condition_pageview.har" --har "$D/form_values.har" --format json \
    -o "$T/old.json"
expect_code 0 $? "baseline written"
expect_match "$(cat "$T/old.json")" '"fingerprint": "PW-CONDITION-URL\|meta-pixel\|123456789012345\|www.demo-hospital.org/conditions/asthma"' \
    "findings carry their fingerprint"

# a rescan of the form alone never visits the condition page: its finding is not rechecked, not
# gone (a smaller crawl is no fix); nothing is new, --fail-on stays quiet
out=$("$PHIWALL" scan --har "$D/form_values.har" --baseline "$T/old.json" --fail-on critical)
expect_code 0 $? "--fail-on critical: the critical finding is in the baseline"
expect_match "$out" "Since the baseline $T/old.json \\(captured 2024-05-01T12:00:00Z\\): 0 new, 2 unchanged, 0 gone, 1 not rechecked" \
    "text counts, with the baseline's capture time"
expect_nomatch "$out" 'Gone since the baseline' "no gone table: nothing was looked for and missed"
expect_match "$out" '^Not rechecked \(1\)' "text not-rechecked table"
expect_match "$out" '^- its page was not visited by this scan \(1\)' "with the reason"
expect_match "$out" 'medium +PW-CONDITION-URL +Meta Pixel +123456789012345 +/conditions/asthma' \
    "its row names rule, tracker, account and page (a path: the host is said above the table)"
expect_match "$(grep -A1 '^- its page was not visited' <<<"$out")" '^Pages on www.demo-hospital.org$' \
    "the host once"
expect_match "$out" '\[critical, in the baseline\] PW-FORM-VALUES' "details say it is known"
expect_nomatch "$out" '\(new\)' "nothing marked new"

# the condition page fixed: visited again, without the pixel — now its finding is gone
python3 - "$D/condition_pageview.har" "$T/fixed.har" <<'PY'
import json, sys
h = json.load(open(sys.argv[1]))
h["log"]["entries"] = [e for e in h["log"]["entries"]
                      if e["request"]["url"].startswith("https://www.demo-hospital.org/")]
json.dump(h, open(sys.argv[2], "w"))
PY
out=$("$PHIWALL" scan --har "$D/form_values.har" --har "$T/fixed.har" --baseline "$T/old.json")
expect_match "$out" ': 0 new, 2 unchanged, 1 gone$' "the visited, clean page: gone"
expect_match "$out" '^Gone since the baseline \(1\)' "text gone table"
expect_nomatch "$out" 'Not rechecked' "nothing unchecked"

# the page did not load in the rescan (a gap the HAR records): not rechecked, with that reason
python3 - "$T/fixed.har" "$T/failed.har" <<'PY'
import json, sys
h = json.load(open(sys.argv[1]))
for e in h["log"]["entries"]:
    e["response"]["status"] = 0
    e["response"]["_error"] = "net::ERR_CONNECTION_RESET"
json.dump(h, open(sys.argv[2], "w"))
PY
out=$("$PHIWALL" scan --har "$D/form_values.har" --har "$T/failed.har" --baseline "$T/old.json" \
    --allow-incomplete --format json)
expect_match "$out" '"reason": "page_failed"' "a page that failed: not rechecked"

# HARs of a few pages, written by mkhar OUT SPEC: SPEC is a JSON list of pages, each
# {"url", "title"?, "anon"?, "after_login"?, "entries": [[url, status, type, error?, redirect?],
# ...]}; the title is the URL (as Chrome writes it) unless given (as Firefox writes it); "anon"
# writes no page record and no pageref; "PIXEL" as an entry is Meta's beacon from that page with
# the visitor's e-mail in its dl
mkhar() {
    python3 - "$1" "$2" <<'PY'
import json, sys, urllib.parse
pages, entries = [], []
for i, p in enumerate(json.loads(sys.argv[2])):
    pid = "page_%d" % i
    page = {"id": pid, "title": p.get("title", p["url"]),
            "startedDateTime": "2024-05-01T12:0%d:00.000Z" % i}
    if p.get("after_login"):
        page["_afterLogin"] = True
    if not p.get("anon"):
        pages.append(page)
    for e in p["entries"]:
        req = {"method": "GET", "url": None, "headers": [], "queryString": [], "cookies": []}
        resp = {"status": 200, "headers": [], "content": {"size": 0, "mimeType": "text/html"},
                "redirectURL": ""}
        ent = {"pageref": pid, "startedDateTime": page["startedDateTime"], "request": req,
               "response": resp}
        if p.get("anon"):
            del ent["pageref"]
        if e == "PIXEL":
            at = p.get("landed", p["url"])  # where the page's redirects led: the pixel's dl
            dl = at + ("&" if "?" in at else "?") + "email=jane.doe%40example.com"
            req.update(method="POST", url="https://www.facebook.com/tr/",
                       headers=[{"name": "Referer", "value": at}],
                       postData={"mimeType": "application/x-www-form-urlencoded",
                                 "text": "id=123456789012345&ev=PageView&dl=" +
                                         urllib.parse.quote(dl, safe="")})
            ent["_resourceType"] = "ping"
        else:
            req["url"], resp["status"], ent["_resourceType"] = e[0], e[1], e[2]
            if len(e) > 3 and e[3]:
                resp["_error"] = e[3]
            if len(e) > 4:
                resp["redirectURL"] = e[4]
        entries.append(ent)
json.dump({"log": {"version": "1.2", "creator": {"name": "test", "version": "1"},
                   "pages": pages, "entries": entries}}, open(sys.argv[1], "w"))
PY
}
H=https://www.demo-hospital.org
GTM=https://www.googletagmanager.com/gtm.js?id=GTM-ABC1234

# a tag manager that fails on every page hides the tags it loads on each of them: its merged gap
# names the first page, yet the pixel it loaded on the second page is not rechecked, never gone
mkhar "$T/gtm-old.har" "[{\"url\":\"$H/appointments/confirm\",\"entries\":[[\"$H/appointments/confirm\",200,\"document\"],[\"$GTM\",200,\"script\"]]},{\"url\":\"$H/appointments/other\",\"entries\":[[\"$H/appointments/other\",200,\"document\"],[\"$GTM\",200,\"script\"],\"PIXEL\"]}]"
mkhar "$T/gtm-new.har" "[{\"url\":\"$H/appointments/confirm\",\"entries\":[[\"$H/appointments/confirm\",200,\"document\"],[\"$GTM\",404,\"script\"]]},{\"url\":\"$H/appointments/other\",\"entries\":[[\"$H/appointments/other\",200,\"document\"],[\"$GTM\",404,\"script\"]]}]"
"$PHIWALL" scan --har "$T/gtm-old.har" --format json -o "$T/gtm-old.json"
expect_match "$(jq -r '[.findings[] | select(.vendor.id == "meta-pixel")] | length' "$T/gtm-old.json")" '^[1-9]' "the pixel's findings on the second page"
out=$("$PHIWALL" scan --har "$T/gtm-new.har" --baseline "$T/gtm-old.json" --allow-incomplete --format json)
expect_match "$(jq -r '.incomplete_reasons | map("\(.kind) \(.page_url) \(.occurrences)") | join(",")' <<<"$out")" "^script $H/appointments/confirm 2\$" "one gap for both pages, named by the first"
expect_match "$(jq -r '.baseline.gone | length' <<<"$out")" '^0$' "nothing gone where the tag manager failed"
expect_match "$(jq -r '[.baseline.not_rechecked[] | select(.tracker == "Meta Pixel") | .reason] | unique | join(",")' <<<"$out")" '^tracker_failed$' "the pixel's findings: tracker_failed"

# a page whose document failed after a redirect (/x 301 → /x/, which timed out) did not load:
# a page gap (exit 4) named where the redirect led (the page is named where the visitor landed,
# as the pixel on it names it), its findings not rechecked; a failed iframe document stays no
# page gap
C="$H/appointments/confirm?email=jane.doe%40example.com"
C2="$H/appointments/confirm/?email=jane.doe%40example.com"
mkhar "$T/redir-old.har" "[{\"url\":\"$C\",\"landed\":\"$C2\",\"entries\":[[\"$C\",301,\"document\",null,\"$C2\"],[\"$C2\",200,\"document\"],\"PIXEL\"]}]"
mkhar "$T/redir-new.har" "[{\"url\":\"$C\",\"entries\":[[\"$C\",301,\"document\",null,\"$C2\"],[\"$C2\",0,\"document\",\"net::ERR_TIMED_OUT\"]]}]"
"$PHIWALL" scan --har "$T/redir-old.har" --format json -o "$T/redir-old.json"
out=$("$PHIWALL" scan --har "$T/redir-new.har" --baseline "$T/redir-old.json" --format json)
expect_code 4 $? "a page document that failed after a redirect: incomplete, exit 4"
expect_match "$(jq -r '.incomplete_reasons | map("\(.kind) \(.url) \(.error)") | join(",")' <<<"$out")" "^page $(sed 's/[?.]/\\&/g' <<<"$C2") net::ERR_TIMED_OUT\$" "a page gap named where the redirect led"
expect_match "$(jq -r '[(.baseline.gone | length), (.baseline.not_rechecked | map(.reason) | unique | join(","))] | join(" ")' <<<"$out")" '^0 page_failed$' "its findings: page_failed, none gone"
mkhar "$T/frame.har" "[{\"url\":\"$C\",\"entries\":[[\"$C\",200,\"document\"],[\"$H/widget\",0,\"document\",\"net::ERR_TIMED_OUT\"]]}]"
"$PHIWALL" scan --har "$T/frame.har" --format json -o /dev/null
expect_code 0 $? "a failed document no redirect of the page led to (an iframe): no page gap"

# a page whose document answers an HTTP error in the rescan (the condition page now 404s, or
# 503s) was not seen: an error-page gap ("page answered HTTP 404"), its findings not rechecked
# (page_failed), never gone; a tracker that still fires on the error page is still a finding. A
# broken link is no failed capture: the result is complete (exit 0; earlier versions exited 4)
G="$H/conditions/gout"
mkhar "$T/err-old.har" "[{\"url\":\"$G\",\"entries\":[[\"$G\",200,\"document\"],\"PIXEL\"]}]"
"$PHIWALL" scan --har "$T/err-old.har" --format json -o "$T/err-old.json"
expect_match "$(jq -r '.findings | length' "$T/err-old.json")" '^[1-9]' "the baseline has findings on the page"
for status in 404 503; do
    mkhar "$T/err-new.har" "[{\"url\":\"$G\",\"entries\":[[\"$G\",$status,\"document\"]]}]"
    out=$("$PHIWALL" scan --har "$T/err-new.har" --baseline "$T/err-old.json" --format json)
    expect_code 0 $? "a page that answered $status: complete, exit 0"
    expect_match "$(jq -r '.error_pages | map("\(.kind) \(.url) \(.error)") | join(",")' <<<"$out")" "^error-page $G page answered HTTP $status\$" "an error-page gap: page answered HTTP $status"
    expect_match "$(jq -c '[.complete, .incomplete_reasons]' <<<"$out")" '^\[true,\[\]\]$' "complete ($status)"
    expect_match "$(jq -r '[(.baseline.gone | length), (.baseline.not_rechecked | map(.reason) | unique | join(","))] | join(" ")' <<<"$out")" '^0 page_failed$' "its findings: page_failed, none gone ($status)"
done
mkhar "$T/err-px.har" "[{\"url\":\"$G\",\"entries\":[[\"$G\",404,\"document\"],\"PIXEL\"]}]"
out=$("$PHIWALL" scan --har "$T/err-px.har" --baseline "$T/err-old.json" --allow-incomplete --format json)
expect_match "$(jq -r '[(.findings | length), .baseline.unchanged, (.baseline.gone | length), .complete] | join(" ")' <<<"$out")" '^[1-9][0-9]* [1-9][0-9]* 0 true$' "the pixel on the error page: still findings (unchanged), complete"
text=$("$PHIWALL" scan --har "$T/err-new.har" --baseline "$T/err-old.json")
expect_match "$text" "^  - error-page $G: page answered HTTP 503\$" "text: the reason"
expect_match "$text" '^ERROR PAGES: 1 page answered an HTTP error \(' "text: the error pages, apart"
expect_nomatch "$text" 'INCOMPLETE' "text: not incomplete"
expect_match "$text" '^- its page did not load in this scan, or answered an HTTP error \([0-9]+\)' "text: why not rechecked"

# a page whose document redirected is the page the redirect led to, not also the URL asked for:
# with a title that is no URL (Firefox) or no page records at all, one page, named by where it
# landed (before, /confirm was a page of its own, or named the page)
for how in title anon; do
    extra='"title":"Appointment confirmed"'; [ "$how" = anon ] && extra='"anon":true'
    mkhar "$T/hop-$how.har" "[{\"url\":\"$C\",$extra,\"entries\":[[\"$C\",301,\"document\",null,\"$C2\"],[\"$C2\",200,\"document\"]]}]"
    out=$("$PHIWALL" scan --har "$T/hop-$how.har" --format json)
    expect_match "$(jq -r '[.pages[].url] | join(" ")' <<<"$out")" "^$(sed 's/[?.]/\\&/g' <<<"$C2")\$" "one page, where the redirect landed ($how)"
done
expect_match "$(jq -r '.pages[0].title' <<<"$("$PHIWALL" scan --har "$T/hop-title.har" --format json)")" '^Appointment confirmed$' "with the HAR's title"
# a chain of redirects (/a 301 → /b 302 → /c) is one page, /c, with all three requests; a
# recording that ends on a redirect still has its page, named where it led, with its title
mkhar "$T/chain.har" "[{\"url\":\"$H/a\",\"anon\":true,\"entries\":[[\"$H/a\",301,\"document\",null,\"/b\"],[\"$H/b\",302,\"document\",null,\"$H/c\"],[\"$H/c\",200,\"document\"]]}]"
expect_match "$(jq -c '[[.pages[].url], .summary.requests]' <<<"$("$PHIWALL" scan --har "$T/chain.har" --format json)")" "^\\[\\[\"$H/c\"\\],3\\]\$" "a chain of redirects: one page, where it ended"
mkhar "$T/cut.har" "[{\"url\":\"$H/a\",\"title\":\"A\",\"entries\":[[\"$H/a\",301,\"document\",null,\"$H/b\"]]}]"
expect_match "$(jq -c '[.pages[] | [.url, .title]]' <<<"$("$PHIWALL" scan --har "$T/cut.har" --format json)")" "^\\[\\[\"$H/b\",\"A\"\\]\\]\$" "a recording ending on a redirect: its page, where it led"

# a failed --login: the findings of the logged-in area are not rechecked (login_failed), even on
# a page the scan visited without being logged in
P="$H/portal/messages"
mkhar "$T/login-old.har" "[{\"url\":\"$P\",\"after_login\":true,\"entries\":[[\"$P\",200,\"document\"],\"PIXEL\"]}]"
mkhar "$T/login-new.har" "[{\"url\":\"$P\",\"entries\":[[\"$P\",200,\"document\"]]}]"
"$PHIWALL" scan --har "$T/login-old.har" --format json -o "$T/login-old.json"
expect_match "$(jq -r '[.findings[].context] | unique | join(",")' "$T/login-old.json")" '^authenticated$' "the baseline's findings are of the logged-in area"
out=$("$PHIWALL" scan --har "$T/login-new.har" --baseline "$T/login-old.json" --format json)
expect_match "$(jq -r '.baseline.gone | length' <<<"$out")" '^[1-9]' "a login that worked, the pixel removed: gone"
python3 - "$T/login-new.har" <<'PY'
import json, sys
h = json.load(open(sys.argv[1]))
h["log"]["_phiwall"] = {"gaps": [{"kind": "login", "url": "https://www.demo-hospital.org/login",
                                  "error": "still a password field", "count": 1}]}
json.dump(h, open(sys.argv[1], "w"))
PY
out=$("$PHIWALL" scan --har "$T/login-new.har" --baseline "$T/login-old.json" --allow-incomplete --format json)
expect_match "$(jq -r '[(.baseline.gone | length), (.baseline.not_rechecked | map(.reason) | unique | join(","))] | join(" ")' <<<"$out")" '^0 login_failed$' "the login failed: login_failed, none gone"
text=$("$PHIWALL" scan --har "$T/login-new.har" --baseline "$T/login-old.json" --allow-incomplete)
expect_match "$text" "^- its page is in the logged-in area, and this scan's login failed \\([0-9]+\\)" "text: the reason"

# without the fix in the baseline, the same critical finding is new and fails the build
"$PHIWALL" scan --har "$D/condition_pageview.har" --format json -o "$T/cond.json"
out=$("$PHIWALL" scan --har "$D/form_values.har" --baseline "$T/cond.json" --fail-on critical)
expect_code 1 $? "--fail-on critical: a new critical finding"
expect_match "$out" 'critical \(new\) +PW-FORM-VALUES' "text marks the new finding"
expect_match "$out" '2 new, 0 unchanged, 0 gone, 1 not rechecked' "counts against the condition-only baseline"

# json, sarif and html carry the comparison; the json still validates
"$PHIWALL" scan --har "$D/form_values.har" --baseline "$T/cond.json" --format json -o "$T/new.json"
expect_code 0 $? "json with a baseline"
json=$(cat "$T/new.json")
expect_match "$json" '"state": "new"' "json finding state"
expect_match "$json" '"gone": \[' "json gone list"
expect_match "$json" '"reason": "page_not_visited"' "json not-rechecked list, with the reason"
if python3 -c 'import jsonschema' 2>/dev/null; then
    python3 - "$PW_SRC/docs/report.schema.json" "$T/new.json" <<'PY'
import json, sys, jsonschema
jsonschema.Draft202012Validator(json.load(open(sys.argv[1]))).validate(json.load(open(sys.argv[2])))
PY
    expect_code 0 $? "json with a baseline validates against docs/report.schema.json"
fi
sarif=$("$PHIWALL" scan --har "$D/form_values.har" --baseline "$T/cond.json" --format sarif)
expect_match "$sarif" '"baselineState": "new"' "sarif baselineState new"
sarif=$("$PHIWALL" scan --har "$D/form_values.har" --baseline "$T/old.json" --format sarif)
expect_match "$sarif" '"baselineState": "unchanged"' "sarif baselineState unchanged"
html=$("$PHIWALL" scan --har "$D/form_values.har" --baseline "$T/cond.json" --format html)
expect_match "$html" '<h2>Since the baseline</h2>' "html section"
expect_match "$html" '<span class="since new">new</span>' "html badge"

# -o may rewrite the baseline itself: it is read before the scan
cp "$T/cond.json" "$T/rolling.json"
"$PHIWALL" scan --har "$D/form_values.har" --baseline "$T/rolling.json" --format json -o "$T/rolling.json"
expect_code 0 $? "-o over the baseline"
out=$("$PHIWALL" scan --har "$D/form_values.har" --baseline "$T/rolling.json")
expect_match "$out" '0 new, 2 unchanged, 0 gone' "the rewritten baseline is the new scan"
expect_match "$(cat "$T/rolling.json")" '"new": 2' "and it recorded its own comparison"

# bad baselines: refused before the scan, naming the file and what is wrong
err=$("$PHIWALL" scan --har "$D/form_values.har" --baseline "$T/none.json" 2>&1 >/dev/null)
expect_code 3 $? "missing baseline: runtime error"
expect_match "$err" "$T/none.json" "names the file"
"$PHIWALL" scan --har "$D/form_values.har" --format sarif -o "$T/s.sarif"
err=$("$PHIWALL" scan --har "$D/form_values.har" --baseline "$T/s.sarif" 2>&1 >/dev/null)
expect_code 3 $? "a SARIF log is no baseline"
expect_match "$err" 'not a phiwall JSON report' "says why"
printf '{"tool":{"name":"phiwall"},"findings":[{"rule_id":"PW-X","severity":"high"}]}' >"$T/old-format.json"
err=$("$PHIWALL" scan --har "$D/form_values.har" --baseline "$T/old-format.json" 2>&1 >/dev/null)
expect_code 3 $? "a finding without fingerprint"
expect_match "$err" 'findings\[0\]\.fingerprint: missing' "names the finding"
printf '{"tool":' >"$T/cut.json"
err=$("$PHIWALL" scan --har "$D/form_values.har" --baseline "$T/cut.json" 2>&1 >/dev/null)
expect_code 3 $? "cut JSON"
expect_match "$err" 'cut.json: byte [0-9]+: not JSON' "byte offset"
"$PHIWALL" scan --har "$D/form_values.har" --baseline "$T/cond.json" --baseline "$T/cond.json" >/dev/null 2>&1
expect_code 2 $? "--baseline twice"
"$PHIWALL" scan --har "$D/form_values.har" --baseline - </dev/null >/dev/null 2>&1
expect_code 2 $? "--baseline -"
# the baseline is read in 64 KiB runs, never whole: a 100 MB report (a large crawl's; here padded
# with whitespace) compares under a 166 MiB address space limit with the same result as unpadded.
# Before, the file was read into memory whole: "pad.json: out of memory", exit 3 (and at 20,000
# pages a 280 MB baseline took the scan from 78 to 324 MiB)
python3 -c 'import sys; s = open(sys.argv[1], "rb").read(); i = s.index(b"\"findings\"")
open(sys.argv[2], "wb").write(s[:i] + b" " * (100 << 20) + s[i:])' "$T/cond.json" "$T/pad.json"
want=$("$PHIWALL" scan --har "$D/form_values.har" --baseline "$T/cond.json" --format json)
# a sanitizer build reserves terabytes of address space and cannot start under any such limit:
# there the padded file is compared without it
limit=170000
{ (ulimit -v $limit; exec "$PHIWALL" --version) >/dev/null 2>&1; } 2>/dev/null || limit=unlimited
got=$( (ulimit -v $limit; exec "$PHIWALL" scan --har "$D/form_values.har" --baseline "$T/pad.json" --format json) 2>&1)
expect_code 0 $? "100 MB baseline under a 166 MiB address space limit ($limit)"
[ "$(printf '%s\n' "$got" | sed 's/pad\.json/cond.json/g')" = "$want" ]
expect_code 0 $? "100 MB baseline: the same comparison"
rm -f "$T/pad.json"
echo "https://a.example/" >"$T/sites.txt"
err=$("$PHIWALL" scan --sites "$T/sites.txt" --out "$T/out" --baseline "$T/cond.json" 2>&1)
expect_code 2 $? "--baseline with --sites"
expect_match "$err" 'applies to a scan of one URL' "says why"

finish
