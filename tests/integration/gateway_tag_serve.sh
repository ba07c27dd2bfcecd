#!/usr/bin/env bash
# gateway_tag_serve.sh — GET /phiwall.js is cacheable with revalidation (Cache-Control max-age,
# ETag, 304 on If-None-Match) and a POST /e from an origin not in site.origins is a 403 the tag
# can read, counted in /metrics and logged with the origin, at most once a minute.
set -u
. "$PW_SRC/tests/integration/lib.bash"
gateway_test_setup
gateway_start "$dir/gw.log" --config "$dir/gw.yaml" --spool "$dir/spool.db" --audit "$dir/audit.log" ||
    { fail "gateway did not start"; finish; exit; }
gw=http://127.0.0.1:$port

h=$(curl --noproxy '*' -s -D - -o "$dir/tag.js" "$gw/phiwall.js")
expect_match "$h" '^HTTP/1.1 200' "GET /phiwall.js"
expect_match "$h" '^Cache-Control: public, max-age=300' "the tag is cached 5 minutes (was no-store)"
etag=$(printf '%s\n' "$h" | sed -n 's/^ETag: \("[0-9a-f]*"\).*/\1/p')
[ -n "$etag" ] && pass || fail "no ETag on /phiwall.js"
cmp -s "$dir/tag.js" "$PW_BUILD/phiwall.min.js" && pass || fail "served tag differs from the build's phiwall.min.js"
grep -q '/\*' <(tail -n +2 "$dir/tag.js") && fail "the served tag keeps the source's comments" || pass
[ "$(wc -c <"$dir/tag.js")" -lt 8192 ] && pass || fail "the served tag is $(wc -c <"$dir/tag.js") bytes (a few KB expected)"
if command -v node >/dev/null; then # the served form is the source's code: same syntax, same calls
    node --check "$dir/tag.js" && pass || fail "the served tag is not valid JavaScript"
fi
h=$(curl --noproxy '*' -s -D - -o "$dir/tag2.js" -H "If-None-Match: $etag" "$gw/phiwall.js")
expect_match "$h" '^HTTP/1.1 304' "revalidation with the ETag: 304"
[ ! -s "$dir/tag2.js" ] && pass || fail "a 304 with a body"
h=$(curl --noproxy '*' -s -D - -o /dev/null -H 'If-None-Match: "0000000000000000"' "$gw/phiwall.js")
expect_match "$h" '^HTTP/1.1 200' "another ETag: the tag again"

post() { curl --noproxy '*' -s -D - -o /dev/null -H "Origin: $1" -H 'Content-Type: text/plain' --data '{"events":[]}' "$gw/e"; }
for o in https://example-hospital.org https://example-hospital.org http://www.example-hospital.org; do
    h=$(post "$o")
    expect_match "$h" '^HTTP/1.1 403' "$o: 403"
    expect_match "$h" "^Access-Control-Allow-Origin: $o" "$o: the 403 readable by the tag"
done
m=$(curl --noproxy '*' -s "$gw/metrics")
expect_match "$m" '^phiwall_gateway_origin_refused_total 3$' "3 refusals counted"
n=$(grep -c '"msg":"origin refused' "$dir/gw.log")
[ "$n" = 1 ] && pass || fail "refusals logged $n times within a minute, expected 1"
expect_match "$(cat "$dir/gw.log")" '"origin refused[^"]*","origin":"https://example-hospital.org"' "the first refused origin logged"
finish
