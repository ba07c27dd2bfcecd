#!/usr/bin/env bash
# scan_har.sh — `phiwall scan --har`: formats, -o, --fail-on exit codes, several files merged
# into one report, malformed input (exit 3 with file and byte offset), a byte-order mark and
# gzip-compressed HARs, usage errors (exit 2).
set -u
. "$PW_SRC/tests/integration/lib.bash"
D="$PW_SRC/tests/data/har"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# text (default): summary, table and the finding for the portal page
out=$("$PHIWALL" scan --har "$D/auth_tracker.har"); expect_code 0 $? "text scan"
expect_match "$out" '1 critical' "text counts by severity"
expect_match "$out" 'PW-AUTH-TRACKER +Meta Pixel +123456789012345' "text table row"
expect_nomatch "$out" $'\033\\[' "no colour when piped"

# --fail-on: exit 1 at or above, 0 below
"$PHIWALL" scan --har "$D/auth_tracker.har" --fail-on critical >/dev/null; expect_code 1 $? "--fail-on critical"
"$PHIWALL" scan --har "$D/condition_pageview.har" --fail-on high >/dev/null; expect_code 0 $? "--fail-on high, only medium"
"$PHIWALL" scan --har "$D/condition_pageview.har" --fail-on medium >/dev/null; expect_code 1 $? "--fail-on medium"
"$PHIWALL" scan --har "$D/careers_pixel.har" --fail-on low >/dev/null; expect_code 0 $? "careers page is info only"
"$PHIWALL" scan --har "$D/careers_pixel.har" --fail-on info >/dev/null; expect_code 1 $? "--fail-on info"

# json to a file, valid and versioned
"$PHIWALL" scan --har "$D/form_values.har" --format json -o "$T/r.json"; expect_code 0 $? "json -o"
json=$(cat "$T/r.json")
expect_match "$json" '"schema_version": "1"' "json schema version"
expect_match "$json" '"rule_id": "PW-FORM-VALUES"' "json finding"
if command -v python3 >/dev/null && python3 -c 'import jsonschema' 2>/dev/null; then
    python3 - "$PW_SRC/docs/report.schema.json" "$T/r.json" <<'PY'
import json, sys, jsonschema
jsonschema.Draft202012Validator(json.load(open(sys.argv[1]))).validate(json.load(open(sys.argv[2])))
PY
    expect_code 0 $? "json validates against docs/report.schema.json"
fi

# sarif
sarif=$("$PHIWALL" scan --har "$D/search_term.har" --format sarif); expect_code 0 $? "sarif"
expect_match "$sarif" '"version": "2.1.0"' "sarif version"
expect_match "$sarif" '"ruleId": "PW-SEARCH-TERM"' "sarif result"
expect_match "$sarif" '"uri": "https://www.demo-hospital.org/find-a-doctor' "sarif location is the page"

# html: self-contained
"$PHIWALL" scan --har "$D/form_values.har" --format html -o "$T/r.html"; expect_code 0 $? "html"
html=$(cat "$T/r.html")
expect_match "$html" '<mark title=' "html marks PHI"
expect_match "$html" '<details><summary>Raw request' "html raw request"
expect_nomatch "$html" '<script|<link |src="https?:' "html has no external asset"

# several HARs merge into one report
json=$("$PHIWALL" scan --har "$D/careers_pixel.har" --har "$D/auth_tracker.har" --format json)
expect_code 0 $? "two HARs"
expect_match "$json" '"pages": 2,' "pages of both files"
expect_match "$json" 'careers_pixel.har, .*auth_tracker.har' "target names both files"
expect_match "$json" '"rule_id": "PW-TRACKER-PRESENT"' "finding from the first file"
expect_match "$json" '"rule_id": "PW-AUTH-TRACKER"' "finding from the second file"

# stdin
out=$("$PHIWALL" scan --har - < "$D/auth_tracker.har"); expect_code 0 $? "--har -"
expect_match "$out" 'PW-AUTH-TRACKER' "stdin scan"

# malformed input: exit 3, file and byte offset named
printf '{"log":{"entries":[{"request":{"url":' > "$T/trunc.har"
err=$("$PHIWALL" scan --har "$T/trunc.har" 2>&1 >/dev/null); expect_code 3 $? "truncated HAR"
expect_match "$err" "^phiwall: scan: parse error: $T/trunc.har: byte 37: expected more JSON" "truncation message"
head -c 300 /dev/urandom > "$T/garbage.har"; printf '\x01' | cat - "$T/garbage.har" > "$T/g2.har"
err=$("$PHIWALL" scan --har "$T/g2.har" 2>&1 >/dev/null); expect_code 3 $? "binary garbage"
expect_match "$err" 'g2.har: byte [0-9]+: expected' "garbage message"
echo '{"log":{"entries":{}}}' > "$T/type.har"
err=$("$PHIWALL" scan --har "$T/type.har" 2>&1 >/dev/null); expect_code 3 $? "wrong type"
expect_match "$err" 'type.har: byte 19: expected an array for log.entries' "wrong type message"
echo '{"log":{}}' > "$T/noentries.har"
err=$("$PHIWALL" scan --har "$T/noentries.har" 2>&1 >/dev/null); expect_code 3 $? "no log.entries"
expect_match "$err" 'noentries.har: byte 9: expected log.entries' "no log.entries message"
err=$("$PHIWALL" scan --har "$T/missing.har" 2>&1 >/dev/null); expect_code 3 $? "missing file"
expect_match "$err" "$T/missing.har: cannot open: No such file or directory" "missing file: path and reason"

# a UTF-8 byte-order mark is skipped (offsets still count it); a gzip-compressed HAR (The Markup
# ships .har.gz) is inflated on the fly, from a file or from stdin, with or without a mark inside
plain=$("$PHIWALL" scan --har "$D/auth_tracker.har" --format json | grep -v '"target"\|"generated\|"duration')
printf '\xef\xbb\xbf' | cat - "$D/auth_tracker.har" > "$T/bom.har"
out=$("$PHIWALL" scan --har "$T/bom.har" --format json | grep -v '"target"\|"generated\|"duration')
expect_code 0 $? "HAR with a byte-order mark"
[ "$out" = "$plain" ]; expect_code 0 $? "BOM: the same report as without"
printf '\xef\xbb\xbf{"log":{"entries":[{"request":{"url":' > "$T/bomtrunc.har"
err=$("$PHIWALL" scan --har "$T/bomtrunc.har" 2>&1 >/dev/null); expect_code 3 $? "truncated HAR after a BOM"
expect_match "$err" 'bomtrunc.har: byte 40: expected more JSON' "offset counts the BOM"
gzip -c "$D/auth_tracker.har" > "$T/a.har.gz"
out=$("$PHIWALL" scan --har "$T/a.har.gz" --format json | grep -v '"target"\|"generated\|"duration')
expect_code 0 $? "gzip HAR"
[ "$out" = "$plain" ]; expect_code 0 $? "gzip: the same report as plain"
gzip -c "$T/bom.har" > "$T/bom.har.gz"
out=$("$PHIWALL" scan --har - < "$T/bom.har.gz"); expect_code 0 $? "gzip HAR with a BOM on stdin"
expect_match "$out" 'PW-AUTH-TRACKER' "gzip stdin scan"
head -c 200 "$T/a.har.gz" > "$T/cut.har.gz"
err=$("$PHIWALL" scan --har "$T/cut.har.gz" 2>&1 >/dev/null); expect_code 3 $? "truncated gzip"
expect_match "$err" 'cut.har.gz: byte [0-9]+: gzip: compressed byte [0-9]+: the file ends inside the gzip stream' "truncated gzip message"
printf '\x1f\x8b\x08\x00garbage-garbage-garbage' > "$T/bad.har.gz"
err=$("$PHIWALL" scan --har "$T/bad.har.gz" 2>&1 >/dev/null); expect_code 3 $? "corrupt gzip"
expect_match "$err" 'bad.har.gz: byte 0: gzip: compressed byte' "corrupt gzip message"

# a report bigger than the writer holds (PW_BUF_SPILL_AT, 256 KiB) is written in pieces as it is
# rendered: the same bytes to a file and to stdout, whole JSON, and a full disk is still exit 3
python3 "$PW_SRC/bench/har_real_gen.py" "$D/auth_tracker.har" "$T/big.har" --mb 0.6 --pages 300 2>/dev/null
"$PHIWALL" scan --har "$T/big.har" --format json -o "$T/big.json"; expect_code 0 $? "big report -o"
"$PHIWALL" scan --har "$T/big.har" --format json >"$T/big.out"; expect_code 0 $? "big report to stdout"
[ "$(stat -c %s "$T/big.json")" -gt 524288 ]; expect_code 0 $? "the big report spans several pieces"
cmp -s "$T/big.json" "$T/big.out"; expect_code 0 $? "big report: the same bytes in a file and on stdout"
python3 -c 'import json, sys; r = json.load(open(sys.argv[1])); assert len(r["findings"]) >= 300' \
    "$T/big.json"; expect_code 0 $? "big report: whole JSON, every page's finding"
"$PHIWALL" scan --har "$T/big.har" --format text -o "$T/big.txt"; expect_code 0 $? "big text report -o"
[ "$(tail -c 200 "$T/big.txt")" = "$("$PHIWALL" scan --har "$T/big.har" | tail -c 200)" ]
expect_code 0 $? "big text report: its end reached the file"
if [ -w /dev/full ]; then
    err=$("$PHIWALL" scan --har "$T/big.har" --format json -o /dev/full 2>&1); expect_code 3 $? "big report -o /dev/full"
    expect_match "$err" '/dev/full: write failed: No space left on device' "big report -o /dev/full: message"
    err=$("$PHIWALL" scan --har "$T/big.har" --format json 2>&1 >/dev/full); expect_code 3 $? "big report > /dev/full"
    expect_match "$err" 'stdout: write failed: No space left on device' "big report > /dev/full: message"
fi
# a file size limit (ulimit -f 64: 64 KiB, what a quota or a full disk looks like) that stops the
# findings' temporary file (2,000 pages: past the 2 MiB kept in memory) is exit 3 naming it and
# the cause; one that stops the report is exit 3 and no report file. Before, SIGXFSZ killed the
# scan without a word (exit 153), leaving 64 KiB of report on stdout.
python3 "$PW_SRC/bench/har_real_gen.py" "$D/auth_tracker.har" "$T/big2.har" --mb 4 --pages 2000 2>/dev/null
mkdir -p "$T/spill"
err=$( (ulimit -f 64; TMPDIR="$T/spill" exec "$PHIWALL" scan --har "$T/big2.har" --format json) 2>&1 >/dev/null)
expect_code 3 $? "spill file over the file size limit"
expect_match "$err" "$T/spill: cannot write the findings' temporary file at byte [0-9]+: File too large" \
    "spill file over the file size limit: message"
err=$( (ulimit -f 64; exec "$PHIWALL" scan --har "$T/big.har" --format json -o "$T/fsize.json") 2>&1)
expect_code 3 $? "report over the file size limit"
expect_match "$err" "fsize.json: write failed: File too large" "report over the file size limit: message"
[ ! -e "$T/fsize.json" ]; expect_code 0 $? "report over the file size limit: no report file"
# -o into a directory that is not there names it (before: "cannot create a temporary file
# beside it"), and writes nothing
err=$("$PHIWALL" scan --har "$D/auth_tracker.har" --format json -o "$T/nodir/r.json" 2>&1)
expect_code 3 $? "-o into a missing directory"
expect_match "$err" "nodir/r\.json: its directory $T/nodir: No such file or directory" "-o into a missing directory: names it"

# usage errors
"$PHIWALL" scan --har "$D/auth_tracker.har" --format pdf 2>/dev/null; expect_code 2 $? "bad format"
"$PHIWALL" scan --har "$D/auth_tracker.har" --fail-on urgent 2>/dev/null; expect_code 2 $? "bad severity"
"$PHIWALL" scan --har "$D/auth_tracker.har" https://x.org 2>/dev/null; expect_code 2 $? "HAR and URL"
"$PHIWALL" scan 2>/dev/null; expect_code 2 $? "nothing to scan"
finish
