#!/usr/bin/env bash
# redact.sh — `phiwall redact` as a log filter: text and JSON lines, canaries, --hits, errors.
set -u
. "$PW_SRC/tests/integration/lib.bash"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

out=$(printf 'Email jane.doe@example.com or call (617) 555-0123\nnothing here\n' | "$PHIWALL" redact)
expect_code 0 $? "text redact"
expect_match "$out" '^Email \[EMAIL\] or call \[PHONE\]$' "text line redacted"
expect_match "$out" '^nothing here$' "clean line unchanged"
expect_nomatch "$out" 'jane|555' "no identifier left"

out=$(printf '{"user":{"email":"a.b@c.org","n":3,"ok":true,"tags":["617-555-0123",null]}}\n' |
      "$PHIWALL" redact --format json)
expect_code 0 $? "json redact"
expect_match "$out" '"email":"\[EMAIL\]"' "json string redacted, key kept"
expect_match "$out" '"n":3,"ok":true' "numbers and booleans kept"
expect_match "$out" '\["\[PHONE\]",null\]' "array strings redacted"

# a "name" member names a person at the top or under a person, a thing under anything else
out=$(printf '{"name":"Jane Doe","patients":[{"name":"John Roe"}],"product":{"name":"Knee Brace"}}\n' |
      "$PHIWALL" redact --format json)
expect_match "$out" '^\{"name":"\[NAME\]","patients":\[\{"name":"\[NAME\]"\}\]' "person names redacted"
expect_match "$out" '"product":\{"name":"Knee Brace"\}' "product name kept"

# the members beside a top-level "name" decide: a product's (price, GA4 item_*, Meta content_*)
# or a person's (email, phone), whatever else sits beside the person's
out=$(printf '%s\n' '{"name":"Knee Brace","price":"34.99"}' \
      '{"name":"Knee Brace","content_ids":["BR-2231"],"content_type":"product"}' \
      '{"name":"Jane Smith","email":"js@example.org","content_type":"lead"}' |
      "$PHIWALL" redact --format json)
expect_match "$out" '^\{"name":"Knee Brace","price":"34.99"\}$' "a product's name beside its price kept"
expect_match "$out" '^\{"name":"Knee Brace","content_ids":\["BR-2231"\]' "a product's name beside Meta's content_ids kept"
expect_match "$out" '^\{"name":"\[NAME\]","email":"\[EMAIL\]","content_type":"lead"\}$' "a contact's name redacted"

# a contact object's own members decide whatever its parent (a webhook's "data"); under the same
# parent without them, or beside a price, "name" stays; JSON as text reads the same
for fmt in json text; do
  out=$(printf '%s\n' '{"data":{"name":"Jane Smith","email":"js@example.org"}}' \
        '{"data":{"name":"Jane Smith"}}' '{"data":{"name":"Knee Brace","price":"3"}}' |
        "$PHIWALL" redact --format "$fmt")
  expect_match "$out" '^\{"data":\{"name":"\[NAME\]","email":"\[EMAIL\]"\}\}$' "$fmt: a nested contact's name redacted"
  expect_match "$out" '^\{"data":\{"name":"Jane Smith"\}\}$' "$fmt: a nested name alone kept"
  expect_match "$out" '^\{"data":\{"name":"Knee Brace","price":"3"\}\}$' "$fmt: a nested product's name kept"
done

out=$(echo 'https://h.org/patients/12345/visit?email=a%40b.org&lang=en' | "$PHIWALL" redact)
expect_match "$out" '^https://h.org/patients/\[ID\]/visit\?email=\[EMAIL\]&lang=en$' "URL shape kept"

printf 'email\temail\tJane.Doe@Example.com\nphone\tphone\t617-555-0123\n' > "$tmp/canaries.tsv"
out=$(echo 'ud[em]=86e0b9e56c17cc4d12387e1949b85053fbe73bc3ce5a1188713a9d300cc6133d' |
      "$PHIWALL" redact --canary "$tmp/canaries.tsv" --hits)
expect_code 0 $? "--hits with canaries"
expect_match "$out" '"category":"canary","subtype":"sha256"' "hashed canary found"
expect_match "$out" '"detail":"email"' "canary label reported"

printf 'bad line without tabs\n' > "$tmp/bad.tsv"
err=$(echo x | "$PHIWALL" redact --canary "$tmp/bad.tsv" 2>&1 >/dev/null)
expect_code 3 $? "bad canary file"
expect_match "$err" 'bad.tsv: line 1: expected label<TAB>kind<TAB>value' "error names the line"

err=$(printf '{"a":1}\n{"b":\n' | "$PHIWALL" redact --format json 2>&1 >/dev/null)
expect_code 4 $? "bad JSON"
expect_match "$err" 'line 2: invalid JSON' "JSON error names the line"

# a bad line does not end the run (`tail -f | phiwall redact`: every later line was lost) and is
# never passed on unredacted: it is redacted as text, named on stderr, and the run exits 4
printf '{"a":"jane@example.com"}\nnot json jane@example.com\n{"b":"ssn 123-45-6789"}\n' >"$tmp/mixed"
out=$("$PHIWALL" redact --format json <"$tmp/mixed" 2>"$tmp/mixed.err")
expect_code 4 $? "a bad JSON line among good ones: exit 4"
expect_match "$out" '^\{"a":"\[EMAIL\]"\}$' "bad line: the line before redacted"
expect_match "$out" '^not json \[EMAIL\]$' "bad line: redacted as text"
expect_match "$out" '^\{"b":"ssn \[SSN\]"\}$' "bad line: the line after still redacted"
expect_nomatch "$out" 'jane|6789' "bad line: no identifier left"
expect_match "$(cat "$tmp/mixed.err")" 'line 2: invalid JSON.*redacted as text' "bad line: named on stderr"
expect_match "$(cat "$tmp/mixed.err")" '1 line was not valid JSON' "bad line: counted at the end"
# --hits: the bad line's hits are reported too
out=$("$PHIWALL" redact --format json --hits <"$tmp/mixed" 2>/dev/null)
expect_code 4 $? "--hits with a bad JSON line: exit 4"
expect_match "$out" '"line":2,' "--hits: the bad line's hits"
expect_match "$out" '"line":3,' "--hits: the lines after it read"

# a closed stdin is an error, not an empty input
err=$("$PHIWALL" redact <&- 2>&1)
expect_code 3 $? "closed stdin: exit 3"
expect_match "$err" 'stdin: (line 1: )?Bad file descriptor' "closed stdin: says so"

# a string holding \u0000 would be cut there (C strings): an error naming the line, not a
# shorter string; an escaped backslash before u0000 is text
out=$(printf '{"a":1}\n{"a":"x\\u0000 jane@example.org"}\n' | "$PHIWALL" redact --format json 2>"$tmp/nul.err")
expect_code 4 $? "\\u0000 in a string"
expect_match "$(cat "$tmp/nul.err")" 'line 2: a string holds \\u0000' "\\u0000: the error names the line"
expect_match "$out" '^\{"a":"x\\u0000 \[EMAIL\]"\}$' "\\u0000: the line redacted as text"
out=$(printf '{"a":"x\\\\u0000"}\n' | "$PHIWALL" redact --format json)
expect_code 0 $? "an escaped backslash before u0000"
expect_match "$out" '^\{"a":"x\\\\u0000"\}$' "an escaped backslash before u0000 is kept"
err=$("$PHIWALL" redact --type pdf </dev/null 2>&1); expect_code 2 $? "bad --type"
expect_match "$err" "--type: expected text, url, form or json, got 'pdf'" "bad --type names the value"

# a canary line that could never match is an error naming file and line, not skipped
bad_canary() { # what file-content expected-message
    printf "$2" >"$tmp/bad.tsv"
    local e; e=$(echo x | "$PHIWALL" redact --canary "$tmp/bad.tsv" 2>&1 >/dev/null)
    expect_code 3 $? "canary $1: exit code"
    expect_match "$e" "bad.tsv: line 2: $3" "canary $1: message"
}
bad_canary "empty value" '# c\na\ttext\t\n' 'empty value'
bad_canary "blank value" '# c\na\temail\t   \n' 'empty value'
bad_canary "empty label" '# c\n\ttext\tjane\n' 'empty label'
bad_canary "four columns" '# c\na\ttext\tx\tmore\n' 'expected 3 tab-separated columns, found more'

# nesting: 512 levels are redacted and stay valid JSON (yajl_gen stopped at 128 and wrote
# broken JSON with exit 0); deeper is refused with the line (half a million levels crashed)
deep() { python3 -c "import sys; n=int(sys.argv[1]); print('{\"a\":'*n + '\"jane@example.org\"' + '}'*n)" "$1"; }
out=$(deep 512 | "$PHIWALL" redact --format json); expect_code 0 $? "512 levels of JSON"
printf '%s' "$out" | python3 -c 'import json,sys; json.load(sys.stdin)'
expect_code 0 $? "512 levels: the output is JSON"
expect_match "$out" '"a":"\[EMAIL\]"' "512 levels: the value is redacted"
expect_nomatch "$out" 'jane' "512 levels: no identifier left"
err=$( (echo '{"a":1}'; deep 513) | "$PHIWALL" redact --format json 2>&1 >/dev/null)
expect_code 4 $? "513 levels of JSON"
expect_match "$err" 'line 2: JSON nested deeper than 512 levels' "513 levels: the error names the line"
python3 -c "print('['*600000 + ']'*600000)" >"$tmp/deep.json"
err=$("$PHIWALL" redact --format json <"$tmp/deep.json" 2>&1 >/dev/null)
expect_code 4 $? "600000 levels of JSON: named, no crash"
expect_match "$err" 'line 1: JSON nested deeper than 512 levels' "600000 levels: the error"
out=$(printf '["a]\\"[",{"b":"{{{"}]\n' | "$PHIWALL" redact --format json)
expect_code 0 $? "brackets inside strings do not count as nesting"
expect_match "$out" '^\["a\]\\"\[",\{"b":"\{\{\{"\}\]$' "strings with brackets kept"

# more identifiers in one line than one scan keeps (4,096): every one is still redacted (the
# hits past the limit used to pass through in clear); a run with no separator is refused
out=$(python3 -c "print('jane@x.org ' * 5000 + 'call 617-555-0123')" | "$PHIWALL" redact)
expect_code 0 $? "5000 identifiers in one line"
expect_nomatch "$out" 'jane@x\.org' "5000 identifiers: none left in clear"
expect_nomatch "$out" '555-0123' "5000 identifiers: the phone after them redacted"
[ "$(printf '%s' "$out" | grep -o '\[EMAIL\]' | wc -l)" = 5000 ]
expect_code 0 $? "5000 identifiers: 5000 [EMAIL] tags"
err=$( (echo ok; python3 -c "print('a@b.co;' * 6000)" | tr -d ';') | "$PHIWALL" redact 2>&1 >/dev/null)
expect_code 3 $? "too many hits without a separator: an error"
expect_match "$err" 'line 2: redact: more hits in one' "too many hits: the error names the line"

"$PHIWALL" redact --format xml </dev/null 2>/dev/null
expect_code 2 $? "bad --format is a usage error"
finish
