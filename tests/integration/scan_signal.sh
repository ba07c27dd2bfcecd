#!/usr/bin/env bash
# scan_signal.sh — Ctrl-C (SIGINT) or SIGTERM during a browser scan: the page being read is
# finished, Chromium stopped and its profile removed, the pages read are reported INCOMPLETE
# ("interrupted") and --har-out is written; exit 128 + the signal. A second signal exits at once
# (by the signal), the profile removed too. A profile left by a phiwall that was killed (its
# phiwall.pid names no process) is removed at the next launch; one of a live process is not.
set -u
. "$PW_SRC/tests/integration/lib.bash"
browser_test_setup
browser_test_server

visited() { grep -q 'phiwall: scan: visit ' "$1" 2>/dev/null; }
profiles() { find "$T" -maxdepth 1 -name 'phiwall-chromium-*' | wc -l; }

# a stale profile of a process that is gone, and one of a live process (this shell)
mkdir "$T/phiwall-chromium-stale1" "$T/phiwall-chromium-live01" "$T/phiwall-chromium-nopid1"
sh -c 'echo $$' >"$T/phiwall-chromium-stale1/phiwall.pid" # that sh has exited
echo "$$" >"$T/phiwall-chromium-live01/phiwall.pid"
echo "session" >"$T/phiwall-chromium-stale1/Cookies"

# SIGINT once: the pages read are reported
"$PHIWALL" scan "$BASE/" --max-pages 20 --settle 300 --no-interact --verbose --format json \
    -o "$T/int.json" --har-out "$T/int.har" 2>"$T/int.err" &
pid=$!
wait_until "$PW_WAIT_S" visited "$T/int.err"
[ -d "$T/phiwall-chromium-stale1" ] && fail "stale profile not removed at launch" || pass
[ -d "$T/phiwall-chromium-live01" ] && pass || fail "a live process's profile was removed"
[ -d "$T/phiwall-chromium-nopid1" ] && pass || fail "a directory phiwall did not mark was removed"
rm -rf "$T/phiwall-chromium-live01" "$T/phiwall-chromium-nopid1"
kill -INT "$pid"
wait "$pid"
expect_code 130 $? "SIGINT: exit 130"
expect_code 0 "$(profiles)" "SIGINT: no profile left"
expect_match "$(cat "$T/int.err")" 'interrupted: finishing the page being read' "SIGINT: says so at once"
expect_nomatch "$(cat "$T/int.err")" 'exit 4' "SIGINT: stderr does not promise exit 4"
expect_match "$(jq -c '[.complete, (.incomplete_reasons[] | select(.kind == "interrupted") | .error)]' "$T/int.json")" \
    '^\[false,"SIGINT after [0-9]+ pages?: the rest of the site was not scanned"\]$' "SIGINT: report INCOMPLETE, interrupted"
expect_match "$(jq -r '.pages[].url' "$T/int.json" | head -1)" "^$BASE/\$" "SIGINT: the pages read are in the report"
expect_match "$(jq -r '.log._phiwall.gaps[].kind' "$T/int.har")" '^interrupted$' "SIGINT: --har-out written, with the gap"
# the HAR read back is the same incomplete result
"$PHIWALL" scan --har "$T/int.har" -o /dev/null 2>"$T/har.err"
expect_code 4 $? "the interrupted HAR read back: incomplete"

# SIGTERM then SIGINT: out at once, by the signal, no report, no profile
"$PHIWALL" scan "$BASE/" --max-pages 20 --settle 300 --verbose --format json \
    -o "$T/t.json" 2>"$T/t.err" &
pid=$!
wait_until "$PW_WAIT_S" visited "$T/t.err"
kill -TERM "$pid"
wait_until "$PW_WAIT_S" grep -q 'interrupted: finishing' "$T/t.err"
kill -INT "$pid"
wait "$pid"
expect_code 130 $? "second signal: killed by it (SIGINT)"
expect_code 0 "$(profiles)" "second signal: no profile left"
expect_match "$(cat "$T/t.err")" 'interrupted again: exiting now' "second signal: says so"
[ -e "$T/t.json" ] && fail "second signal: a report was written" || pass
finish
