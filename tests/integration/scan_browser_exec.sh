#!/usr/bin/env bash
# scan_browser_exec.sh — a --browser that cannot run gives one clear line and a documented exit
# code, never the 127 of a failed exec: a file that is not executable is no browser (static
# triage instead, incomplete: exit 4, the gap says "not executable"); a file the kernel cannot
# execute (no #! line, a directory) is an error naming the reason (exit 3: "cannot execute: Exec
# format error", reported by the child through a close-on-exec pipe; earlier versions waited for
# a DevTools answer and said only "no DevTools answer"); a program that ends before answering
# (a wrapper script whose exec fails: status 127, /bin/false: status 1) is an error with its exit
# status (exit 3). No profile directory is left behind.
# Uses pw_browser_test_server (the static triage reads its pages); Chromium itself is not run.
set -u
. "$PW_SRC/tests/integration/lib.bash"
command -v jq >/dev/null || skip "jq not installed (scripts/install-deps.sh)"
SERVER="$PW_BUILD/pw_browser_test_server"
[ -x "$SERVER" ] || skip "pw_browser_test_server not built (libmicrohttpd missing)"
T=$(mktemp -d)
export TMPDIR=$T # where a started browser's profile would be

browser_test_server

scan() { # name browser: one page; stderr in $T/<name>.err
    timeout 60 "$PHIWALL" scan "$BASE/careers" --browser "$2" --max-pages 1 --format json \
        -o "$T/$1.json" 2>"$T/$1.err"
}

printf 'not a program\n' >"$T/noexec"
chmod 644 "$T/noexec"
scan noexec "$T/noexec"; expect_code 4 $? "a browser file that is not executable: static triage"
expect_match "$(cat "$T/noexec.err")" "no browser at $T/noexec; falling back to --static" "not executable: the fallback says so"
expect_match "$(jq -r '.incomplete_reasons[] | "\(.kind) \(.error)"' "$T/noexec.json")" \
    '^browser not executable: ' "not executable: the gap says why"

printf 'not a program\n' >"$T/text"
chmod 755 "$T/text"
scan text "$T/text"; expect_code 3 $? "an executable file without #!"
expect_match "$(cat "$T/text.err")" "^phiwall: scan: i/o error: browser $T/text: cannot execute: Exec format error\$" "failed exec: the reason"
expect_code 1 "$(wc -l <"$T/text.err")" "failed exec: one line"

mkdir "$T/dir"
scan dir "$T/dir"; expect_code 3 $? "a directory as the browser"
expect_match "$(cat "$T/dir.err")" "^phiwall: scan: i/o error: browser $T/dir: cannot execute: Permission denied\$" "a directory: the reason"

printf '#!/bin/sh\nexec "%s/missing-chromium" "$@"\n' "$T" >"$T/wrapper"
chmod 755 "$T/wrapper"
scan wrapper "$T/wrapper"; expect_code 3 $? "a wrapper whose exec fails (status 127)"
expect_match "$(cat "$T/wrapper.err")" "^phiwall: scan: i/o error: browser $T/wrapper did not start \\(it exited with status 127 before answering: a program it runs was not found\\)\$" "wrapper: its exit status"

scan false /bin/false; expect_code 3 $? "/bin/false as the browser"
expect_match "$(cat "$T/false.err")" '^phiwall: scan: i/o error: browser /bin/false did not start \(it exited with status 1 before answering\)$' "/bin/false: its exit status"

expect_match "$(ls -d "$T"/phiwall-chromium-* 2>/dev/null || echo none)" '^none$' "no profile directory left"
finish
