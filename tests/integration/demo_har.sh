#!/usr/bin/env bash
# demo_har.sh — demo/demo.har (or $DEMO_HAR) is a valid HAR 1.2 of the scripted walk and holds
# the leaks the answer key promises: Meta SubscribedButtonClick with cd[buttonText] (GET and
# formPOST), udff[] and ud[] hashes of the canary, the canary in clear in a PageView dl, Microdata
# as sendBeacon multipart, GA4 search term, TikTok JSON, LinkedIn, session-replay keystrokes, a
# tracker on an authenticated portal page; and nothing on careers.
set -u
. "$PW_SRC/tests/integration/lib.bash"

HAR=${DEMO_HAR:-$PW_SRC/demo/demo.har}
KEY="$PW_SRC/demo/expected.json"
command -v jq >/dev/null || skip "jq not installed (scripts/install-deps.sh)"
[ -f "$HAR" ] || { fail "$HAR missing"; finish; }

jq -e . "$HAR" >/dev/null 2>&1 && pass || { fail "$HAR is not valid JSON"; finish; }
expect_match "$(jq -r .log.version "$HAR")" '^1\.2$' "HAR version 1.2"
size=$(wc -c <"$HAR")
[ "$size" -le 600000 ] && pass || fail "HAR is $size bytes, keep it under 600 kB"
n=$(jq '.log.entries | length' "$HAR")
min=$(jq .har.min_entries "$KEY")
[ "$n" -ge "$min" ] && pass || fail "HAR has $n entries, want >= $min"
orphans=$(jq '[.log.pages[].id] as $ids | [.log.entries[] | select(.pageref as $p | $ids | index($p) | not)] | length' "$HAR")
expect_code 0 "$orphans" "every entry's pageref names a page"
bad=$(jq '[.log.entries[] | select(.request.postData and (.request.postData | has("mimeType") and has("text") | not))] | length' "$HAR")
expect_code 0 "$bad" "postData has mimeType and text"
bodies=$(jq '[.log.entries[] | select(.response.content.text)] | length' "$HAR")
expect_code 0 "$bodies" "response bodies are omitted"
titles=$(jq -r '.log.pages[].title' "$HAR")
for t in 'Results for “breast cancer”' 'Request an Appointment' 'Symptom Checker' 'My Health Dashboard' 'Test Results' 'Careers'; do
    expect_match "$titles" "$t" "walk visited '$t'"
done

# all requests as one line each: METHOD URL BODY (bodies flattened)
jq -r '.log.entries[] | [.request.method, .request.url, ((.request.postData.text // "") | gsub("[\r\n]"; " "))] | join(" ")' "$HAR" >"${TMPDIR:-/tmp}/har.$$"
REQS="${TMPDIR:-/tmp}/har.$$"
trap 'rm -f "$REQS"' EXIT
has() { # regex what
    grep -Eq -- "$1" "$REQS" && pass || fail "$2: no request matches /$1/"
}
has '^GET https://www\.facebook\.com/tr/\?id=493027145822310&ev=PageView&dl=' "Meta PageView as image GET"
has '^GET https://www\.facebook\.com/tr/\?.*ev=SubscribedButtonClick.*cd%5BbuttonText%5D=Schedule%20a%20cancer%20consultation' "button text of the oncology CTA (GET)"
has '^POST https://www\.facebook\.com/tr/ id=493027145822310&ev=SubscribedButtonClick&.*cd%5BbuttonText%5D=Request\+appointment.*rqm=formPOST' "SubscribedButtonClick as urlencoded formPOST"
has 'cd%5BformFeatures%5D=%5B%7B%22id%22%3A%22first_name%22' "formFeatures lists the form's fields"
for k in fn ln em ph zp; do
    h=$(jq -r ".canary.sha256.$k" "$KEY")
    has "udff%5B$k%5D=$h" "udff[$k] is the SHA-256 of the normalised canary"
done
for k in em ph fn ln db zp; do
    h=$(jq -r ".canary.sha256.$k" "$KEY")
    has "ev=(PageView|Schedule)&.*ud%5B$k%5D=$h" "advanced matching ud[$k] on the confirmation page"
done
email_enc=$(jq -r '.canary.email | @uri | gsub("%"; "%25")' "$KEY")
has "ev=PageView&dl=[^&]*confirm[^&]*email%3D$email_enc" "PageView dl carries the typed email in clear"
has '^POST https://www\.facebook\.com/tr/ -+WebKitFormBoundary.*name="ev" +Microdata' "Microdata as sendBeacon multipart"
has 'cd\[JSON-LD\]|name="cd\[JSON-LD\]"' "Microdata carries JSON-LD"
has '^POST https://region1\.google-analytics\.com/g/collect\?v=2&tid=G-RRMC7Q2X9L&.*dl=[^ ]*find-a-doctor%3Fq%3Dbreast%2Bcancer.* +en=page_view +en=view_search_results&ep\.search_term=breast%20cancer' "GA4 batched body with ep.search_term"
has '^GET https://googleads\.g\.doubleclick\.net/pagead/viewthroughconversion/10987654321/\?.*url=.*&tiba=' "Google Ads remarketing hit with url and tiba"
has 'viewthroughconversion/10987654321/\?.*label=Qx7cCJ2k8YcZEK3h2fAo' "Google Ads conversion"
has '^POST https://analytics\.tiktok\.com/api/v2/pixel \{"event":"Pageview".*"page":\{"url":"[^"]*/services/pregnancy"' "TikTok JSON Pageview"
has '^POST https://analytics\.tiktok\.com/api/v2/pixel \{"event":"ClickButton".*"button_text":"Schedule your first prenatal visit"' "TikTok ClickButton with button text"
has '^GET https://px\.ads\.linkedin\.com/collect\?v=2&fmt=js&pid=5512307&time=[0-9]+&url=' "LinkedIn Insight page view"
has '^GET https://px\.ads\.linkedin\.com/collect\?.*&conversionId=14420981' "LinkedIn conversion"
has '^POST https://in\.hotjar\.com/api/v2/client/sites/3498127/recordings/content\?sv=6 .*"t":"key","sel":"#symptoms","key":"c"' "session replay keystrokes"
has '"name":"symptoms","value":"chest pain and shortness of breath when climbing stairs"' "session replay field value"
has 'facebook\.com/tr/\?id=493027145822310&ev=PageView&dl=http%3A%2F%2F127\.0\.0\.1%3A[0-9]+%2Fportal%2Fdashboard' "Meta PageView on the portal dashboard"
careers=$(jq -r '.log.pages[] | select(.title | test("Careers")) | .id' "$HAR" | tail -1)
third=$(jq --arg p "$careers" '[.log.entries[] | select(.pageref == $p and (.request.url | test("^https?://127\\.0\\.0\\.1") | not))] | length' "$HAR")
expect_code 0 "$third" "careers page sends nothing to third parties"
session=$(jq '[.log.entries[] | select(.request.url | test("/portal/test-results$")) | .request.headers[] | select(.name | test("^[Cc]ookie$")) | .value | select(test("rrmc_session="))] | length' "$HAR")
[ "$session" -ge 1 ] && pass || fail "portal request carries the session cookie"
leaked=$(jq '[.log.entries[] | select((.request.url | test("^https?://127\\.0\\.0\\.1")) | not) | select(.response.status != 0 and .response.status != 200 and .response.status != 204)] | length' "$HAR")
expect_code 0 "$leaked" "every third-party request was answered locally (200/204)"
finish
