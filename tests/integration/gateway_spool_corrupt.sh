#!/usr/bin/env bash
# gateway_spool_corrupt.sh — a spool file that opens but whose every put fails (here a page of
# the `body` table overwritten with garbage, as a bad disk block or a copy taken mid-write
# leaves it). The gateway refuses each event with 503 (nothing is acknowledged that is not
# durable), and says why where an operator looks: /healthz answers 503 naming the spool and
# SQLite's message, and the log has one error line. Before, /healthz answered 200 {"status":"ok"}
# while every event was refused, and nothing was logged: an outage no monitor saw.
set -u
. "$PW_SRC/tests/integration/lib.bash"
gateway_test_dir
{ policy_site 0; policy_meta 1 http://127.0.0.1:9; } >"$dir/gw.yaml"
post() { # id: the HTTP status of one event
    curl --noproxy '*' -s -o /dev/null -w '%{http_code}' -H 'Origin: https://www.example-hospital.org' \
        -H 'Content-Type: text/plain' "http://127.0.0.1:$port/e" \
        --data "{\"event_id\":\"00000000-0000-4000-8000-$(printf %012d "$1")\",\"name\":\"appointment_request\",\"consent\":{\"ads\":true},\"user\":{\"email\":\"a$1@example.com\"}}"
}
gateway_start "$dir/log" --config "$dir/gw.yaml" --spool "$dir/spool.db" --audit "$dir/audit.log" ||
    { fail "gateway started"; finish; exit; }
for i in 1 2 3; do expect_code 200 "$(post "$i")" "event $i accepted"; done
gateway_stop
python3 - "$dir/spool.db" <<'PY'
import os, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
page = db.execute("pragma page_size").fetchone()[0]
root = db.execute("select rootpage from sqlite_master where name='body'").fetchone()[0]
db.close()
with open(sys.argv[1], "r+b") as f:
    f.seek((root - 1) * page)
    f.write(bytes((i * 151 + 7) % 256 for i in range(page)))
PY
: >"$dir/log"
gateway_start "$dir/log" --config "$dir/gw.yaml" --spool "$dir/spool.db" --audit "$dir/audit.log" ||
    { fail "gateway started on the damaged spool"; finish; exit; }
expect_code 503 "$(post 4)" "an event is refused (503), not acknowledged"
out=$(curl --noproxy '*' -s -w ' %{http_code}' "http://127.0.0.1:$port/healthz")
expect_match "$out" '"spool: cannot be written \([^)]*malformed[^)]*\); events are refused".* 503$' \
    "/healthz 503 names the spool and SQLite's message: $out"; echo "healthz: $out"
expect_match "$(cat "$dir/log")" '"level":"error","msg":"spool cannot be written: new events are refused' \
    "one error line in the log"
expect_code 503 "$(post 5)" "the next event too"
expect_code 1 "$(grep -c 'spool cannot be written' "$dir/log")" "logged once, not per event"
gateway_stop
finish
