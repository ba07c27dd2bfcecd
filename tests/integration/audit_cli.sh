#!/usr/bin/env bash
# audit_cli.sh — `phiwall audit verify|list` on a chain built here with sha256sum, so the record
# format (hash = SHA-256(prev_hash || line up to ,"hash":)) is checked independently of the C code.
set -u
. "$PW_SRC/tests/integration/lib.bash"
command -v sha256sum >/dev/null || skip "sha256sum not present"

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
log="$dir/audit.log"
# chain FILE FROM TO PREV NAME: append records FROM..TO linked to PREV; the last hash in $prev,
# each record's in hashes[i].
declare -a hashes
chain() {
    local file=$1 from=$2 to=$3 name=$5 i dest body hash
    prev=$4
    for ((i = from; i <= to; i++)); do
        dest=meta; [ $((i % 2)) -eq 0 ] && dest=ga4
        body="{\"seq\":$i,\"time\":\"2026-11-0${i}T10:00:00.000Z\",\"action\":\"sent\",\"event_id\":\"ev-$i\",\"event_name\":\"$name\",\"destination\":\"$dest\",\"http_status\":200,\"prev_hash\":\"$prev\""
        hash=$(printf '%s%s' "$prev" "$body" | sha256sum | cut -d' ' -f1)
        printf '%s,"hash":"%s"}\n' "$body" "$hash" >>"$file"
        hashes[i]=$hash
        prev=$hash
    done
}
chain "$log" 1 4 0000000000000000000000000000000000000000000000000000000000000000 Lead

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

# list verifies as it reads: what comes before the break is printed, then a warning naming
# FILE:LINE on stderr and exit 1; the edited record and what follows are not printed.
out=$("$PHIWALL" audit list --audit "$dir/edited.log" 2>"$dir/list.err"); expect_code 1 $? "list of an edited log"
expect_match "$out" "ev-2" "list prints the records before the break"
expect_nomatch "$out" "ev-3|Lead2" "list does not print the edited record"
expect_nomatch "$out" "ev-4" "list prints nothing after the break"
expect_match "$(cat "$dir/list.err")" "warning: chain broken at .*edited.log:3: seq 3: hash mismatch" \
    "list warns with FILE:LINE"
out=$("$PHIWALL" audit list --audit "$dir/deleted.log" --json 2>&1); expect_code 1 $? "list of a log with a deletion"

# Rewriting the chain from record 3 on (hashes recomputed) passes verify alone: the chain has no
# secret. The head kept before the rewrite (record 4's) exposes it; a head kept before record 3
# was written (record 2's) still passes: --expect-head proves the records up to it.
head4=${hashes[4]} head2=${hashes[2]}
head -n 2 "$log" >"$dir/rewritten.log"
chain "$dir/rewritten.log" 3 4 "$head2" Lead2
"$PHIWALL" audit verify --audit "$dir/rewritten.log" >/dev/null; expect_code 0 $? "rewrite from a point passes verify alone"
err=$("$PHIWALL" audit verify --audit "$dir/rewritten.log" --expect-head "$head4" 2>&1)
expect_code 1 $? "rewrite caught by the expected head"
expect_match "$err" "no record has the expected head hash $head4" "expected head missing named"
out=$("$PHIWALL" audit verify --audit "$dir/rewritten.log" --expect-head "$head2")
expect_code 0 $? "an older expected head still in the chain passes"
expect_match "$out" "expected head found: seq 2 \(line 2\), unchanged up to it; 2 record\(s\) after it" \
    "verify says how far the expected head proves"
# An expected head from yesterday still verifies today's longer log.
out=$("$PHIWALL" audit verify --audit "$log" --expect-head "$head2"); expect_code 0 $? "older head, longer log"
"$PHIWALL" audit verify --audit "$dir/missing.log" 2>/dev/null; expect_code 3 $? "missing log"
"$PHIWALL" audit list --since yesterday --audit "$log" 2>/dev/null; expect_code 2 $? "bad --since"
# --expect-head is the 64 hex digits verify printed, in either case; anything else is a usage
# error, not a chain that "was cut off or rewritten"
out=$("$PHIWALL" audit verify --audit "$log" --expect-head "${head2^^}"); expect_code 0 $? "upper-case head"
expect_match "$out" "expected head found: seq 2" "upper-case head found"
err=$("$PHIWALL" audit verify --audit "$log" --expect-head "${head2:0:12}" 2>&1)
expect_code 2 $? "a cut head is a usage error"
expect_match "$err" "--expect-head: expected the 64 hex digits of a head hash" "cut head: message"
# an option of the other subcommand is refused, not ignored
for o in "--since 2026-11-02" "--event ev-1" "--destination meta" "--json"; do
    err=$("$PHIWALL" audit verify --audit "$log" $o 2>&1); expect_code 2 $? "verify $o"
    expect_match "$err" "${o%% *} is an option of \`audit list\`, not verify" "verify $o: message"
done
err=$("$PHIWALL" audit list --audit "$log" --expect-head "$head2" 2>&1); expect_code 2 $? "list --expect-head"
expect_match "$err" "--expect-head is an option of \`audit verify\`, not list" "list --expect-head: message"
# what the log holds reaches the terminal as text: an edited log rewritten with an ESC and a
# CR LF in an event name verifies, and list shows them escaped
chain "$dir/esc.log" 1 1 0000000000000000000000000000000000000000000000000000000000000000 'X\u001b[2J\r\nFAKE'
out=$("$PHIWALL" audit list --audit "$dir/esc.log"); expect_code 0 $? "list a record with control characters"
expect_nomatch "$out" $'\033|\r' "list prints no control character"
expect_match "$out" 'ev-1 +X\\x1b\[2J\\r\\nFAKE' "list shows them escaped"
finish
