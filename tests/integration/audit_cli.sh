#!/usr/bin/env bash
# audit_cli.sh — `phiwall audit verify|list` on a chain built here with sha256sum, so the record
# format (hash = SHA-256(prev_hash || line up to ,"hash":)) is checked independently of the C code.
set -u
. "$PW_SRC/tests/integration/lib.bash"
command -v sha256sum >/dev/null || skip "sha256sum not present"

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
log="$dir/audit.log"
prev=0000000000000000000000000000000000000000000000000000000000000000
for i in 1 2 3 4; do
    dest=meta; [ $((i % 2)) -eq 0 ] && dest=ga4
    body="{\"seq\":$i,\"time\":\"2026-11-0${i}T10:00:00.000Z\",\"action\":\"sent\",\"event_id\":\"ev-$i\",\"event_name\":\"Lead\",\"destination\":\"$dest\",\"http_status\":200,\"prev_hash\":\"$prev\""
    hash=$(printf '%s%s' "$prev" "$body" | sha256sum | cut -d' ' -f1)
    printf '%s,"hash":"%s"}\n' "$body" "$hash" >>"$log"
    prev=$hash
done

out=$("$PHIWALL" audit verify --audit "$log"); expect_code 0 $? "verify intact chain"
expect_match "$out" "4 record\(s\), chain intact" "verify counts records"
expect_match "$out" "head $prev" "verify prints the head hash"
"$PHIWALL" audit verify --audit "$log" --expect-head "$prev" >/dev/null
expect_code 0 $? "expected head matches"

out=$("$PHIWALL" audit list --audit "$log" --since 2026-11-02T00:00:00Z); expect_code 0 $? "list"
expect_match "$out" "ev-2" "list --since includes later records"
expect_nomatch "$out" "ev-1" "list --since excludes earlier records"
out=$("$PHIWALL" audit list --audit "$log" --destination ga4 --json)
expect_match "$out" '^\{"seq":2,' "list --json prints stored lines"
expect_nomatch "$out" '"destination":"meta"' "list --destination filters"

sed '3s/"Lead"/"Lead2"/' "$log" >"$dir/edited.log"
err=$("$PHIWALL" audit verify --audit "$dir/edited.log" 2>&1); expect_code 1 $? "edit detected"
expect_match "$err" "edited.log:3: seq 3: hash mismatch" "edit named by line"
sed '2d' "$log" >"$dir/deleted.log"
err=$("$PHIWALL" audit verify --audit "$dir/deleted.log" 2>&1); expect_code 1 $? "deletion detected"
expect_match "$err" "deleted.log:2: seq 2: found seq 3" "deletion named by line"
head -n 3 "$log" >"$dir/cut.log"
"$PHIWALL" audit verify --audit "$dir/cut.log" --expect-head "$prev" >/dev/null 2>&1
expect_code 1 $? "cut tail detected against the expected head"
"$PHIWALL" audit verify --audit "$dir/missing.log" 2>/dev/null; expect_code 3 $? "missing log"
"$PHIWALL" audit list --since yesterday --audit "$log" 2>/dev/null; expect_code 2 $? "bad --since"
finish
