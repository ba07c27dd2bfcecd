#!/usr/bin/env bash
# scan_browser_pages.sh — what a page of the browser scan is, and what its reports name
# (docs/scan-browser.md):
# - download: a link to an attachment is refused (Browser.setDownloadBehavior deny: nothing is
#   saved in ~/Downloads, where earlier versions left every file) and is no page: it takes no
#   place of --max-pages (earlier versions listed it as a scanned page);
# - spa: a page that changes its URL with history.pushState every 200 ms is one page of the HAR
#   (a page is a document load; earlier versions made every rewritten URL a page of its own,
#   35 for --max-pages 5 in the reviewer's run);
# - credentials: user:password@ in the start URL logs in to the site but appears in no report
#   or HAR (earlier versions wrote it into both);
# - loginframe: a --login page whose form sits in an iframe is not filled, and the login gap says
#   that no form was submitted (earlier versions said "still a password field after submitting").
# Uses pw_browser_test_server; about 40 s.
set -u
. "$PW_SRC/tests/integration/lib.bash"
browser_test_setup

browser_test_server

scan() { # name url [options]; $T/<name>.{json,har,err}
    local name=$1 url=$2
    shift 2
    timeout 120 "$PHIWALL" scan "$url" "$@" --settle 300 --no-sitemap \
        --map-host "connect.facebook.net=$BASE/vendor/connect.facebook.net" \
        --browser-arg="--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1" \
        --verbose --format json -o "$T/$name.json" --har-out "$T/$name.har" 2>"$T/$name.err"
}

# a download link: nothing saved (the browser's download directory is $HOME/Downloads), no page
mkdir -p "$T/home"
HOME="$T/home" scan download "$BASE/download" --max-pages 2
expect_code 0 $? "scan of a page linking a download"
expect_match "$(find "$T/home" -path '*Downloads*' -type f | wc -l)" '^0$' "the download was not saved"
expect_match "$(jq -r '[.pages[].url] | sort | join(" ")' "$T/download.json")" \
    "^$BASE/careers $BASE/download\$" "the download is no page, and takes no page of --max-pages"
expect_match "$(grep -c 'is a download: not a page' "$T/download.err")" '^1$' "the download is logged"

# history.pushState: one document, one page of the HAR, its beacons on it
scan spa "$BASE/spa" --max-pages 1 --no-interact
expect_code 0 $? "scan of a page rewriting its URL"
expect_match "$(jq -r '[.log.pages[].title] | join(",")' "$T/spa.har")" '^Find care$' "the rewritten URLs are no pages of the HAR"
expect_match "$(jq -r '[.log.entries[] | select(.request.url | test("ev=PageView.*spa%2Fcondition"))] | length' "$T/spa.har")" \
    '^[1-9][0-9]*$' "the beacons of the rewritten URLs are captured"
expect_match "$(jq -r '[.log.entries[].pageref] | unique | join(",")' "$T/spa.har")" '^page_1$' "on the page that sent them"

# credentials in the start URL: used, never written
url="http://auditor:s3cret@${BASE#http://}/careers"
scan creds "$url" --max-pages 1
expect_code 0 $? "scan of a start URL with credentials"
"$PHIWALL" scan "$url" --settle 300 --no-sitemap --max-pages 1 --format html -o "$T/creds.html" \
    --map-host "connect.facebook.net=$BASE/vendor/connect.facebook.net" \
    --browser-arg="--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1" 2>/dev/null
expect_match "$(jq -r '.pages[].url' "$T/creds.json")" "^$BASE/careers\$" "the page is named without the credentials"
expect_match "$(cat "$T/creds.json" "$T/creds.har" "$T/creds.html" | grep -c 's3cret')" '^0$' "no report or HAR holds the password"
expect_match "$(cat "$T/creds.json" "$T/creds.har" "$T/creds.html" | grep -c 'auditor:')" '^0$' "nor the user name"
expect_match "$(grep -c 'visit ' "$T/creds.err")" '^[1-9]' "--verbose logs the visit"
expect_match "$(grep -c 's3cret' "$T/creds.err")" '^0$' "--verbose logs no password (before: every line naming the start page)"

# a login form inside an iframe: not submitted, and the gap says so
scan loginframe "$BASE/careers" --max-pages 1 --no-interact --login "$BASE/loginframe" \
    --username auditor --password-file <(echo s3cret)
expect_code 4 $? "scan with a login form inside an iframe"
expect_match "$(jq -r '.incomplete_reasons[] | select(.kind == "login") | .error' "$T/loginframe.json")" \
    '^no login form was submitted' "the login gap says no form was submitted"

finish
