#!/usr/bin/env bash
# gateway_audit_head.sh — the audit log's head (last durable seq and hash) is remembered in the
# spool, and a log that no longer ends with it at the next start is said loudly and continued,
# never a silent fresh chain at seq 1:
#   - moved aside (mv audit.log moved.log) while stopped: an error line naming the expected
#     seq/hash and what was found, /metrics phiwall_gateway_audit_chain_gap 1, a /healthz
#     reason; the new file's first record is chain_continued with seq = head + 1 and prev_hash =
#     the head's hash, so moved.log followed by audit.log verifies as one chain;
#   - truncated (its last records cut): detected, found seq named, a chain_continued record;
#   - deleted: detected like a move;
#   - a clean restart: no error, gauge 0, /healthz ok;
#   - the gateway pointed at another path (an operator's choice): a warning naming both paths,
#     no gap; the new file is a chain of its own from seq 1.
set -u
. "$PW_SRC/tests/integration/lib.bash"
gateway_test_setup
mock_upstream_start || { fail "mock did not start"; finish; exit; }
{ policy_site 100000; policy_meta 7 "$mock"; } >"$dir/gw.yaml"

n=0
post() { # the next event (its id ends in n), the reply's status in $code; called in this
    # shell, never in $(…): a subshell's n=$((n + 1)) is lost and every event repeats the first id
    n=$((n + 1))
    code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/e" \
        -H 'Origin: https://www.example-hospital.org' -H 'Content-Type: text/plain' \
        --data "{\"event_id\":\"00000000-0000-4000-8000-$(printf %012d $n)\",\"name\":\"appointment_request\",\"consent\":{\"ads\":true},\"user\":{\"email\":\"a@b.example\"}}")
}
start() { # start the gateway on $dir/audit.log, its log appended to $dir/log
    gateway_start "$dir/log" --config "$dir/gw.yaml" --spool "$dir/spool.db" \
        --audit "$dir/audit.log" --threads 1 || fail "the gateway did not start"
}
# run_some N: start, post N events, wait for their records (sent), stop
run_some() {
    local want=$(($(cat "$dir/audit.log" 2>/dev/null | grep -c '"action":"sent"') + $1))
    start
    for _ in $(seq "$1"); do post; expect_code 200 "$code" "event $n accepted"; done
    wait_until "$PW_WAIT_S" sh -c "[ \$(grep -c '\"action\":\"sent\"' '$dir/audit.log') -ge $want ]" ||
        fail "fewer than $want sent records after ${PW_WAIT_S}s"
    gateway_stop
}
field() { sed -n "s/.*\"$1\":\"\{0,1\}\([^\",]*\).*/\1/p"; }
last_seq() { tail -n 1 "$1" | field seq; }
last_hash() { tail -n 1 "$1" | sed -n 's/.*"hash":"\([0-9a-f]*\)"}$/\1/p'; }

: >"$dir/log"
run_some 2
"$PHIWALL" audit verify --audit "$dir/audit.log" >/dev/null; expect_code 0 $? "first log intact"
head_seq=$(last_seq "$dir/audit.log")
head_hash=$(last_hash "$dir/audit.log")
[ -n "$head_seq" ] && [ -n "$head_hash" ] || fail "no head in the first log"

# A clean restart: nothing said.
: >"$dir/log"
start
out=$(curl -s "http://127.0.0.1:$port/healthz"); expect_match "$out" '"status":"ok"' "clean restart: /healthz ok"
expect_match "$(curl -s "http://127.0.0.1:$port/metrics")" '^phiwall_gateway_audit_chain_gap 0$' "clean restart: gauge 0"
gateway_stop
expect_nomatch "$(cat "$dir/log")" 'does not end with the head' "clean restart: no error"
expect_nomatch "$(cat "$dir/audit.log")" 'chain_continued' "clean restart: no chain_continued"

# Moved aside while stopped.
mv "$dir/audit.log" "$dir/moved.log" # not named after the log: the gap stays open (gateway_audit_gap_clear.sh)
: >"$dir/log"
start
expect_match "$(cat "$dir/log")" "\"level\":\"error\".*does not end with the head.*\"expected_seq\":\"$head_seq\",\"expected_hash\":\"$head_hash\",\"found_seq\":\"0\"" \
    "moved: an error line naming the expected seq/hash and what was found"
expect_match "$(curl -s "http://127.0.0.1:$port/metrics")" '^phiwall_gateway_audit_chain_gap 1$' "moved: /metrics gauge 1"
out=$(curl -s -w ' %{http_code}' "http://127.0.0.1:$port/healthz")
expect_match "$out" "audit: the log did not end with the remembered head \\(seq $head_seq\\)" "moved: /healthz names it"
post; expect_code 200 "$code" "moved: events still taken"
wait_until "$PW_WAIT_S" sh -c "grep -q '\"action\":\"sent\"' '$dir/audit.log'" ||
    fail "no sent record after ${PW_WAIT_S}s"
gateway_stop
first=$(head -n 1 "$dir/audit.log")
expect_match "$first" '"action":"chain_continued"' "moved: the new file starts with chain_continued"
expect_match "$first" "^\\{\"seq\":$((head_seq + 1)),.*\"prev_hash\":\"$head_hash\"" \
    "moved: its seq continues and prev_hash is the remembered head's hash"
expect_match "$first" "expected head seq $head_seq" "moved: the record names the gap"
cat "$dir/moved.log" "$dir/audit.log" >"$dir/both.log"
"$PHIWALL" audit verify --audit "$dir/both.log" >/dev/null; expect_code 0 $? "moved: old then new file verify as one chain"

# Truncated: the last two records cut while stopped.
head_seq=$(last_seq "$dir/audit.log")
head_hash=$(last_hash "$dir/audit.log")
head -n -2 "$dir/audit.log" >"$dir/cut" && cat "$dir/cut" >"$dir/audit.log"
cut_seq=$(last_seq "$dir/audit.log")
: >"$dir/log"
start
expect_match "$(cat "$dir/log")" "\"level\":\"error\".*\"expected_seq\":\"$head_seq\".*\"found_seq\":\"$cut_seq\".*shorter" \
    "truncated: detected, the found seq named"
expect_match "$(curl -s "http://127.0.0.1:$port/metrics")" '^phiwall_gateway_audit_chain_gap 1$' "truncated: /metrics gauge 1"
gateway_stop
expect_match "$(grep chain_continued "$dir/audit.log" | tail -n 1)" \
    "^\\{\"seq\":$((cut_seq + 1)),.*chain_continued.*expected head seq $head_seq" "truncated: a chain_continued record after the cut"
cat "$dir/moved.log" "$dir/audit.log" >"$dir/both.log"
"$PHIWALL" audit verify --audit "$dir/both.log" >/dev/null
expect_code 0 $? "truncated: the cut chain still verifies (the gap is recorded in it, not hidden)"

# Deleted while stopped.
head_seq=$(last_seq "$dir/audit.log")
rm "$dir/audit.log"
: >"$dir/log"
start
expect_match "$(cat "$dir/log")" "\"level\":\"error\".*\"expected_seq\":\"$head_seq\".*\"found_seq\":\"0\"" "deleted: detected"
gateway_stop
expect_match "$(head -n 1 "$dir/audit.log")" "^\\{\"seq\":$((head_seq + 1)),.*chain_continued" "deleted: the new file continues the seq"

# Replaced by another, longer log while stopped (its chain intact, its seqs past the head): the
# record after the remembered head does not link to it. Before, a longer log passed unchecked.
head_seq=$(last_seq "$dir/audit.log")
head_hash=$(last_hash "$dir/audit.log")
mkdir -p "$dir/other"
: >"$dir/other/log"
gateway_start "$dir/other/log" --config "$dir/gw.yaml" --spool "$dir/other/spool.db" \
    --audit "$dir/other/audit.log" --threads 1 || fail "the other gateway did not start"
for _ in $(seq $((head_seq + 2))); do post; done
wait_until "$PW_WAIT_S" sh -c "[ \$(wc -l <'$dir/other/audit.log') -gt $((head_seq + 1)) ]" ||
    fail "the other log did not pass the head's seq after ${PW_WAIT_S}s"
gateway_stop
[ "$(last_seq "$dir/other/audit.log")" -gt "$head_seq" ] || fail "the other log is not longer"
cp "$dir/other/audit.log" "$dir/audit.log"
: >"$dir/log"
start
expect_match "$(cat "$dir/log")" "\"level\":\"error\".*\"expected_seq\":\"$head_seq\",\"expected_hash\":\"$head_hash\".*does not link to it" \
    "replaced by a longer log: detected"
expect_match "$(curl -s "http://127.0.0.1:$port/metrics")" '^phiwall_gateway_audit_chain_gap 1$' "replaced by a longer log: gauge 1"
gateway_stop

# A longer log that is this one's continuation (records written after the head was stored, as
# after a crash: the spool's head set back three records here): not a gap.
run_some 1
back=$(tail -n 4 "$dir/audit.log" | head -n 1)
python3 - "$dir/spool.db" "$(printf '%s\n' "$back" | field seq)" \
    "$(printf '%s\n' "$back" | sed -n 's/.*"hash":"\([0-9a-f]*\)"}$/\1/p')" <<'PY' || fail "could not set the head back"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
n = db.execute("UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1", (int(sys.argv[2]), sys.argv[3])).rowcount
db.commit()
sys.exit(0 if n == 1 else 1)
PY
: >"$dir/log"
start
expect_match "$(curl -s "http://127.0.0.1:$port/metrics")" '^phiwall_gateway_audit_chain_gap 0$' "its own continuation: gauge 0"
gateway_stop
expect_nomatch "$(cat "$dir/log")" 'does not end with the head' "its own continuation: no error"

# Another path: not a gap (the old file keeps its records), said with a warning.
: >"$dir/log"
gateway_start "$dir/log" --config "$dir/gw.yaml" --spool "$dir/spool.db" \
    --audit "$dir/other.log" --threads 1 || fail "the gateway did not start"
expect_match "$(curl -s "http://127.0.0.1:$port/metrics")" '^phiwall_gateway_audit_chain_gap 0$' "another path: gauge 0"
gateway_stop
expect_match "$(cat "$dir/log")" "\"level\":\"warn\".*another path.*\"previous_path\":\"$dir/audit.log\"" "another path: a warning naming the old one"
expect_nomatch "$(cat "$dir/log")" 'does not end with the head' "another path: no error"
finish
