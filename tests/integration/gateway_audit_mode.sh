#!/usr/bin/env bash
# gateway_audit_mode.sh — `phiwall gateway` leaves an existing audit log's mode alone but warns
# at start, naming the file and its mode, when other users can read or write it (0644, 0602);
# a group-readable 0640 (an operator's choice for a log reader) and a new file (0600) get no
# warning, and the mode is never changed.
set -u
. "$PW_SRC/tests/integration/lib.bash"
gateway_test_setup
# start_gw MODE: start on an audit log of that mode (none: no file), stop, leave the log in $dir/log
start_gw() {
    rm -f "$dir/audit.log" "$dir/spool.db"*
    if [ "$1" != none ]; then : >"$dir/audit.log"; chmod "$1" "$dir/audit.log"; fi
    : >"$dir/log"
    gateway_start "$dir/log" --config "$dir/gw.yaml" --spool "$dir/spool.db" \
        --audit "$dir/audit.log" --threads 1 || fail "the gateway did not start"
    curl -sf "http://127.0.0.1:$port/healthz" >/dev/null; expect_code 0 $? "started ($1)"
    gateway_stop
}
mode_of() { stat -c %a "$dir/audit.log"; }

start_gw 644
expect_match "$(cat "$dir/log")" '"level":"warn".*audit log: other users can read or write it.*"path":"[^"]*/audit\.log","mode":"0644"' \
    "0644: a warning naming the file and its mode"
expect_match "$(mode_of)" '^644$' "0644: the mode is left as it was"
start_gw 602
expect_match "$(cat "$dir/log")" '"mode":"0602"' "0602 (others may write): a warning"
start_gw 640
expect_nomatch "$(cat "$dir/log")" 'other users can read' "0640 (the operator's group): no warning"
expect_match "$(mode_of)" '^640$' "0640: the mode is left as it was"
start_gw none
expect_nomatch "$(cat "$dir/log")" 'other users can read' "a new audit log: no warning"
expect_match "$(mode_of)" '^600$' "a new audit log is created 0600"
finish
