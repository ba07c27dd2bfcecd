#!/usr/bin/env bash
# gateway_audit_rotate.sh — logrotate of the audit log with a live gateway: after
# `mv audit.log audit.log.1` (and `create`: a new empty audit.log) SIGHUP reopens the path and
# the chain goes on in the new file (its first record links to the old file's last);
# `phiwall audit verify audit.log.1 audit.log` checks both as one chain, the new file alone is
# reported as linking to a previous file (exit 1), the files in the wrong order name the link
# that breaks; a restart afterwards sees no gap. A move without `create`: SIGHUP creates it.
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
sent_in() { # FILE N: wait until FILE has N sent records
    wait_until "$PW_WAIT_S" sh -c "[ \$(cat '$1' 2>/dev/null | grep -c '\"action\":\"sent\"') -ge $2 ]" ||
        fail "fewer than $2 sent records in $1 after ${PW_WAIT_S}s"
}
start() {
    gateway_start "$dir/log" --config "$dir/gw.yaml" --spool "$dir/spool.db" \
        --audit "$dir/audit.log" --threads 1 || fail "the gateway did not start"
}
hups=0
rotate_hup() { # wait for the reopen line number hups+1
    hups=$((hups + 1))
    kill -HUP "$pid"
    wait_until "$PW_WAIT_S" sh -c "[ \$(grep -c 'audit log: reopened at its path' '$dir/log') -ge $hups ]" ||
        fail "no reopen number $hups after ${PW_WAIT_S}s"
}

: >"$dir/log"
start
post; expect_code 200 "$code" "event 1"
post; expect_code 200 "$code" "event 2"
sent_in "$dir/audit.log" 2
old_last=$(tail -n 1 "$dir/audit.log" | sed -n 's/.*"hash":"\([0-9a-f]*\)"}$/\1/p')
old_seq=$(tail -n 1 "$dir/audit.log" | sed -n 's/^{"seq":\([0-9]*\),.*/\1/p')

# logrotate `create`: move, new empty file, SIGHUP.
mv "$dir/audit.log" "$dir/audit.log.1"
: >"$dir/audit.log"; chmod 600 "$dir/audit.log"
rotate_hup
post; expect_code 200 "$code" "event 3 after the rotation"
sent_in "$dir/audit.log" 1
expect_nomatch "$(tail -n +1 "$dir/audit.log.1" | grep -c "000000000003")" '^[1-9]' "nothing of event 3 in the old file"
first=$(head -n 1 "$dir/audit.log")
expect_match "$first" "^\\{\"seq\":$((old_seq + 1)),.*\"prev_hash\":\"$old_last\"" \
    "the new file's first record links to the old file's last"

out=$("$PHIWALL" audit verify "$dir/audit.log.1" "$dir/audit.log" 2>&1); rc=$?
expect_code 0 $rc "verify old then new: one chain"
expect_match "$out" 'one chain intact' "verify over both files says one chain"
out=$("$PHIWALL" audit verify "$dir/audit.log" 2>&1); rc=$?
expect_code 1 $rc "verify over the new file alone: exit 1"
expect_match "$out" "audit.log:1: .*links to a previous file" "the new file alone: its first record links to a previous file"
out=$("$PHIWALL" audit verify "$dir/audit.log" "$dir/audit.log.1" 2>&1); rc=$?
expect_code 1 $rc "the files in the wrong order: exit 1"
expect_match "$out" "audit.log:1: " "the wrong order names the file and line of the broken link"

# A move without `create`: SIGHUP creates the file.
mv "$dir/audit.log" "$dir/audit.log.2"
rotate_hup
post; expect_code 200 "$code" "event 4 after a move without create"
sent_in "$dir/audit.log" 1
[ -f "$dir/audit.log" ]; expect_code 0 $? "SIGHUP created the log at its path"
expect_match "$(stat -c %a "$dir/audit.log")" '^600$' "created 0600"
out=$("$PHIWALL" audit verify "$dir/audit.log.1" "$dir/audit.log.2" "$dir/audit.log" 2>&1)
expect_code 0 $? "three rotated files verify as one chain"

# A SIGHUP with nothing rotated: no reopen.
kill -HUP "$pid"
wait_until "$PW_WAIT_S" sh -c "[ \$(grep -c 'policy reloaded' '$dir/log') -ge 3 ]" ||
    fail "the third reload not logged after ${PW_WAIT_S}s"
expect_code 2 "$(grep -c 'audit log: reopened at its path' "$dir/log")" "no reopen when the file is the open one"
gateway_stop

# A restart after the rotations: the head is the new file's, no gap.
: >"$dir/log2"
gateway_start "$dir/log2" --config "$dir/gw.yaml" --spool "$dir/spool.db" \
    --audit "$dir/audit.log" --threads 1 || fail "the gateway did not restart"
expect_match "$(curl -s "http://127.0.0.1:$port/metrics")" '^phiwall_gateway_audit_chain_gap 0$' "restart after rotation: no gap"
gateway_stop
expect_nomatch "$(cat "$dir/log2")" 'does not end with the head' "restart after rotation: no error"
finish
