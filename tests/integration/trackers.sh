#!/usr/bin/env bash
# trackers.sh — `phiwall trackers`: catalog listing (table, category filter, JSON), decoding one
# request (GET, form POST, multipart, GA4 batch) as text and JSON, --trackers extension, errors.
set -u
. "$PW_SRC/tests/integration/lib.bash"
D="$PW_SRC/tests/data/decode"
T="$PHIWALL trackers --no-easyprivacy"

out=$($T); expect_code 0 $? "list"
expect_match "$out" '^meta-pixel +advertising +no +meta +Meta / Meta Pixel' "table row for Meta"
n=$(printf '%s\n' "$out" | sed -n 's/^\([0-9]*\) trackers;.*/\1/p')
[ "${n:-0}" -ge 80 ] && pass || fail "catalog has >= 80 entries (got ${n:-none})"

out=$($T --category session-replay); expect_code 0 $? "category filter"
expect_match "$out" '^hotjar ' "replay list has hotjar"
expect_nomatch "$out" '^meta-pixel ' "replay list has no meta"
$T --category nonsense 2>/dev/null; expect_code 2 $? "unknown category is a usage error"

out=$($T --json); expect_code 0 $? "list --json"
expect_match "$out" '^\{"trackers":\[\{"id":"meta-pixel","vendor":"Meta"' "json list"
expect_match "$out" '"easyprivacy_rules":0,"easylist_rules":0\}$' "json notes the filter lists"

# decode: a GET pixel with a search page in dl
out=$($T --decode 'https://www.facebook.com/tr/?id=123&ev=PageView&dl=https%3A%2F%2Fwww.example-hospital.org%2Fsearch%3Fq%3Dhiv%2Btest' --page https://www.example-hospital.org/)
expect_code 0 $? "decode GET"
expect_match "$out" 'account: 123 +event: PageView' "account and event"
expect_match "$out" 'search_term +dl\?q = hiv test' "search term from the page URL"

# urlencoded POST with JSON features
out=$($T --decode https://www.facebook.com/tr/ --body "$D/meta_button_click.form" \
      --content-type application/x-www-form-urlencoded)
expect_code 0 $? "decode form POST"
expect_match "$out" 'transport: form-post' "form transport"
expect_match "$out" 'button_text +cd\[buttonFeatures\]\.innerText = Schedule my mammogram' "innerText"
expect_match "$out" '\(automatic\)' "automatic event"

# multipart sendBeacon, JSON output
out=$($T --json --decode https://www.facebook.com/tr/ --body "$D/meta_sendbeacon.multipart" \
      --content-type 'multipart/form-data; boundary=----WebKitFormBoundaryq4Xb9Yz2')
expect_code 0 $? "decode multipart --json"
expect_match "$out" '"transport":"multipart"' "multipart transport"
expect_match "$out" '\{"key":"udff\[em\]","value":"973dfe46[0-9a-f]+","kind":"user_data","hashed":true\}' "hashed user data"

# GA4 batch: three beacons
out=$($T --decode 'https://region1.google-analytics.com/g/collect?v=2&tid=G-XYZ&cid=1.2' \
      --body "$D/ga4_batch.txt" --content-type text/plain)
expect_code 0 $? "decode GA4 batch"
[ "$(printf '%s\n' "$out" | grep -c '^beacon ')" -eq 3 ] && pass || fail "GA4 batch gives 3 beacons"
expect_match "$out" 'search_term +ep\.search_term = chest pain cardiologist' "GA4 search term"

# headers: cookies sent along identify the visitor
out=$($T --decode 'https://www.facebook.com/tr/?id=1&ev=Lead' -H 'Cookie: c_user=1000123; datr=xyz')
expect_match "$out" 'user_data +cookie:c_user = 1000123' "cookie header decoded"
$T --decode https://x.test/ -H 'no colon' 2>/dev/null; expect_code 2 $? "bad --header"

# a truncated body: runtime error, named
err=$($T --decode https://www.facebook.com/tr/ --body <(head -c 300 "$D/meta_sendbeacon.multipart") \
      --content-type 'multipart/form-data; boundary=----WebKitFormBoundaryq4Xb9Yz2' 2>&1 >/dev/null)
expect_code 3 $? "truncated multipart exits 3"
expect_match "$err" 'parse error: meta-pixel \(meta decoder\): multipart: byte [0-9]+' "error names where"

# --trackers extends the catalog; a bad file is reported with file:line
out=$($T --trackers "$D/extra_trackers.tsv" --decode 'https://px.acme-ads.test/px?ev=Lead&url=https%3A%2F%2Fh.org%2F')
expect_code 0 $? "user catalog"
expect_match "$out" 'Acme Pixel — Acme Ads \(acme-pixel\)' "user entry decodes"
err=$($T --trackers "$D/bad_category.tsv" 2>&1); expect_code 3 $? "bad user catalog"
expect_match "$err" 'bad_category.tsv:2: unknown category' "file:line in the error"

# first party: no beacon
out=$($T --decode 'https://cdn.example-hospital.org/x?q=1' --page https://www.example-hospital.org/)
expect_match "$out" '^no beacon' "first party gives no beacon"
$T --body /dev/null 2>/dev/null; expect_code 2 $? "--body without --decode"

# EasyPrivacy list given explicitly
out=$($PHIWALL trackers --easyprivacy "$D/mini_easyprivacy.txt" --decode 'https://metrics-collector.example/p.gif' --page https://www.example-hospital.org/)
expect_match "$out" 'matched rule: \|\|metrics-collector.example\^' "EasyPrivacy match reported"
$PHIWALL trackers --easyprivacy /nonexistent/list.txt >/dev/null 2>&1; expect_code 3 $? "missing explicit list"

# EasyList's host rules: a second list, its own entry, after EasyPrivacy
EL="$PHIWALL trackers --easyprivacy $D/mini_easyprivacy.txt --easylist $D/mini_easylist.txt"
out=$($EL); expect_match "$out" 'trackers; 8 EasyPrivacy rules, 10 EasyList rules loaded$' "both lists counted"
out=$($EL --decode 'https://sync.adserver.example/m?uid=1' --page https://www.example-hospital.org/)
expect_match "$out" 'ad server or data broker \(EasyList\) — unknown \(easylist\)' "EasyList entry"
expect_match "$out" 'category: advertising' "EasyList entry is advertising"
expect_match "$out" 'matched rule: \|\|adserver.example\^' "EasyList rule reported"
out=$($EL --json --decode 'https://metrics-collector.example/p.gif' --page https://www.example-hospital.org/)
expect_match "$out" '"id":"easyprivacy".*"matched_rule":"\|\|metrics-collector.example\^"' "EasyPrivacy first"
out=$($EL --no-easylist --decode 'https://adserver.example/p.gif' --page https://www.example-hospital.org/)
expect_match "$out" '^no beacon' "--no-easylist"
out=$($PHIWALL trackers --no-easyprivacy --easylist "$D/mini_easylist.txt" --json)
expect_match "$out" '"easyprivacy_rules":0,"easylist_rules":10\}$' "EasyList alone"
$PHIWALL trackers --easylist /nonexistent/easylist.txt >/dev/null 2>&1; expect_code 3 $? "missing explicit EasyList"
finish
