#!/usr/bin/env bash
# scan_demo_har.sh — `phiwall scan --har demo/demo.har` graded against the demo site's answer key
# (demo/expected.json): every PHI transmission of a page load the key lists must be reported
# with the matching rule, tracker and page (bench/demo_eval.py prints every miss).
set -u
. "$PW_SRC/tests/integration/lib.bash"
[ -f "$PW_SRC/demo/demo.har" ] && [ -f "$PW_SRC/demo/expected.json" ] || skip "demo/demo.har not in this tree"
command -v python3 >/dev/null || skip "python3 not installed"
out=$(python3 "$PW_SRC/bench/demo_eval.py" "$PHIWALL" "$PW_SRC/demo"); rc=$?
printf '%s\n' "$out"
expect_code 0 $rc "no page-load disclosure missed"
expect_match "$out" 'PHI transmissions \(page, tracker, rule\): ' "graded"
finish
