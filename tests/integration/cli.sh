#!/usr/bin/env bash
# cli.sh — the program's contract: help, version, exit codes for usage errors.
set -u
. "$PW_SRC/tests/integration/lib.bash"

out=$("$PHIWALL" --version) ; expect_code 0 $? "--version"
expect_match "$out" '^phiwall [0-9]+\.[0-9]+\.[0-9]+$' "--version prints the build version"
out=$("$PHIWALL" help) ; expect_code 0 $? "help"
for c in scan trackers redact gateway audit; do
    expect_match "$out" "  $c " "help lists $c"
    "$PHIWALL" "$c" --help >/dev/null; expect_code 0 $? "$c --help"
done
"$PHIWALL" 2>/dev/null; expect_code 2 $? "no command is a usage error"
"$PHIWALL" frobnicate 2>/dev/null; expect_code 2 $? "unknown command"
"$PHIWALL" trackers --no-such-option 2>/dev/null; expect_code 2 $? "unknown option"
err=$("$PHIWALL" frobnicate 2>&1 >/dev/null)
expect_match "$err" "unknown command 'frobnicate'" "error names the command"
# piped output carries no ANSI escape sequences
out=$("$PHIWALL" help | cat)
expect_nomatch "$out" $'\033\\[' "no colour when piped"
finish
