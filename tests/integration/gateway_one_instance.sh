#!/usr/bin/env bash
# gateway_one_instance.sh — one gateway per spool and per audit log: a second `phiwall gateway`
# on the files a running one uses refuses to start, naming the file, instead of interleaving the
# audit chain (which then verifies as tampered) or leasing the same spool rows twice. Also the
# start-up refusals an operator can make by mistake: `--listen HOST:` (no port) or with no IP
# address (refused before any file is created), a port in use (the reason given), a secret
# file too large to be a token or that is a directory, and a spool whose directory is missing.
set -u
. "$PW_SRC/tests/integration/lib.bash"
gateway_test_setup

: >"$dir/log1"
gateway_start "$dir/log1" --config "$dir/gw.yaml" --spool "$dir/s1.db" --audit "$dir/a1.log" \
    --threads 1 || fail "the first gateway did not start"
first=$pid

out=$(timeout 20 "$PHIWALL" gateway --config "$dir/gw.yaml" --spool "$dir/s2.db" --audit "$dir/a1.log" \
    --listen 127.0.0.1:0 --threads 1 2>&1)
expect_code 3 $? "a second gateway on the same audit log does not start"
expect_match "$out" 'a1\.log: in use by another phiwall gateway' "the refusal names the audit log"

out=$(timeout 20 "$PHIWALL" gateway --config "$dir/gw.yaml" --spool "$dir/s1.db" --audit "$dir/a2.log" \
    --listen 127.0.0.1:0 --threads 1 2>&1)
expect_code 3 $? "a second gateway on the same spool does not start"
expect_match "$out" 's1\.db: in use by another phiwall gateway' "the refusal names the spool"

curl -sf "http://127.0.0.1:$port/healthz" >/dev/null
expect_code 0 $? "the first gateway still serves"
body='{"events":[{"name":"PageView","event_id":"one-1","page":{"url":"https://www.example-hospital.org/"}}]}'
curl -s -o /dev/null -H 'Origin: https://www.example-hospital.org' -H 'Content-Type: application/json' \
    --data "$body" "http://127.0.0.1:$port/e"
pid=$first
gateway_stop
"$PHIWALL" audit verify --audit "$dir/a1.log" >/dev/null 2>&1
expect_code 0 $? "the first gateway's audit log verifies"

# The kernel drops the lock with the process: a gateway killed with -9 is no obstacle.
: >"$dir/log3"
gateway_start "$dir/log3" --config "$dir/gw.yaml" --spool "$dir/s1.db" --audit "$dir/a1.log" \
    --threads 1 || fail "the gateway did not start again"
kill -9 "$pid"; wait "$pid" 2>/dev/null; pid=
gateway_start "$dir/log3" --config "$dir/gw.yaml" --spool "$dir/s1.db" --audit "$dir/a1.log" \
    --threads 1 || fail "after kill -9 the files are free again"
gateway_stop

out=$(timeout 20 "$PHIWALL" gateway --config "$dir/gw.yaml" --spool "$dir/s3.db" --audit "$dir/a3.log" \
    --listen 127.0.0.1: 2>&1)
expect_code 2 $? "--listen without a port is a usage error"
[ ! -e "$dir/s3.db" ]; expect_code 0 $? "no spool is created for a refused --listen"

out=$(timeout 20 "$PHIWALL" gateway --config "$dir/gw.yaml" --spool "$dir/s4.db" --audit "$dir/a4.log" \
    --listen 999.1.1.1:80 2>&1)
expect_code 2 $? "--listen with an address that is no IP address is a usage error"
[ ! -e "$dir/s4.db" ] && [ ! -e "$dir/a4.log" ]
expect_code 0 $? "no spool or audit log is created for it"

# a port another process listens on: the error says why
busy=$(python3 -c 'import socket,sys,time,os
s=socket.socket(); s.bind(("127.0.0.1",0)); s.listen(); print(s.getsockname()[1], flush=True)
os.close(1); os.close(2); time.sleep(15)' &)
[ -n "$busy" ] || fail "the test's listener did not start"
out=$(timeout 20 "$PHIWALL" gateway --config "$dir/gw.yaml" --spool "$dir/s5.db" --audit "$dir/a5.log" \
    --listen "127.0.0.1:$busy" 2>&1)
expect_code 3 $? "a port in use: runtime error"
expect_match "$out" "listen 127\.0\.0\.1:$busy: cannot start the HTTP server: Address already in use" \
    "a port in use: the error gives the reason"

head -c 5000 /dev/zero | tr '\0' 'x' >"$dir/big.token"
sed 's|access_token_env: PHIWALL_META_TOKEN.*|access_token_file: big.token|' "$dir/gw.yaml" >"$dir/big.yaml"
grep -q 'access_token_file: big.token' "$dir/big.yaml" || fail "the test's config edit did not apply"
out=$("$PHIWALL" gateway --check "$dir/big.yaml" 2>&1)
expect_code 3 $? "a 5,000-byte token file is refused"
expect_match "$out" 'big\.token: larger than 4095 bytes' "the refusal names the file and why"
# a token path that is a directory (a mount or a LoadCredential= slip) says so, not "read error"
mkdir "$dir/tokdir"
sed 's|access_token_env: PHIWALL_META_TOKEN.*|access_token_file: tokdir|' "$dir/gw.yaml" >"$dir/dir.yaml"
out=$("$PHIWALL" gateway --check "$dir/dir.yaml" 2>&1)
expect_code 3 $? "a token path that is a directory is refused"
expect_match "$out" 'cannot read tokdir: a directory, not a file holding the secret' "the refusal says it is a directory"
# a spool whose directory is missing says so (SQLite said "unable to open database file")
out=$(timeout 20 "$PHIWALL" gateway --config "$dir/gw.yaml" --spool "$dir/nodir/s6.db" --audit "$dir/a6.log" \
    --listen 127.0.0.1:0 --threads 1 2>&1)
expect_code 3 $? "a spool in a missing directory: runtime error"
expect_match "$out" 'nodir/s6\.db: its directory: No such file or directory' "the error names the directory"
finish
