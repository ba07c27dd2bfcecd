#!/usr/bin/env bash
# demo_key.sh — the answer key against the browser: demo/verify-key.mjs loads every page of
# demo/expected.json in headless Chromium (contained), before and after consent, leaves it and
# clicks its #id interactions, and checks that exactly the listed tracker events fire (with the
# listed button texts). A wrong answer key would misgrade every scanner test. Then the clean
# variant: no third-party request at all, first-party events to the gateway without PHI.
set -u
. "$PW_SRC/tests/integration/lib.bash"

[ "${PW_SKIP_BROWSER:-0}" = 1 ] && skip "PW_SKIP_BROWSER=1"
command -v node >/dev/null || skip "node not installed"
[ -x /usr/bin/chromium ] || skip "chromium not installed"
[ -x "$PW_BUILD/phiwall-demo-server" ] || skip "phiwall-demo-server not built"

out=$(timeout 400 node "$PW_SRC/demo/verify-key.mjs" --server "$PW_BUILD/phiwall-demo-server" 2>&1)
rc=$?
printf '%s\n' "$out" | grep -E '^(FAIL|verify-key)' >&2
expect_code 0 "$rc" "verify-key.mjs finds the key true"
expect_match "$out" 'verify-key: [0-9]+ pages, [0-9]+ checks, 0 failed' "every check ran and passed"
n=$(printf '%s\n' "$out" | sed -n 's/^verify-key: \([0-9]*\) pages, \([0-9]*\) checks.*/\2/p')
[ "${n:-0}" -ge 200 ] && pass || fail "only ${n:-0} checks ran, want >= 200"

# the clean variant: nothing to third parties, only scrubbed first-party events to the gateway
out=$(timeout 400 node "$PW_SRC/demo/verify-key.mjs" --clean --server "$PW_BUILD/phiwall-demo-server" 2>&1)
rc=$?
printf '%s\n' "$out" | grep -E '^(FAIL|verify-key)' >&2
expect_code 0 "$rc" "verify-key.mjs --clean passes"
expect_match "$out" 'verify-key --clean: [0-9]+ pages, [0-9]+ checks, 0 failed' "every clean check ran and passed"
finish
