#!/usr/bin/env bash
# redact_nomem.sh — `phiwall redact --format json` out of memory: a 13 MB JSON line under
# address-space limits (ulimit -v) at which reading or parsing it fails. Each run either redacts
# the line whole (exit 0, one line out) or stops with exit 3 and "out of memory" naming stdin's
# line; never a crash, and never exit 0 with the line lost. Before: at 60 MB getline's ENOMEM
# read as the end of input (exit 0, nothing out), at 90 MB yajl's failure read "invalid JSON:
# client cancelled parse via callback return value".
set -u
. "$PW_SRC/tests/integration/lib.bash"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The limits start where phiwall itself starts (its compiled vocabulary and libraries: ~61 MB of
# address space in 2026-12; a fixed 60 MB once made this test skip in every build). A sanitizer
# build reserves terabytes of shadow memory: it starts under none of these.
floor=
for kb in $(seq 40000 2000 400000); do
    if { (ulimit -v "$kb"; printf 'x\n' | "$PHIWALL" redact > /dev/null 2>&1); } 2>/dev/null; then
        floor=$kb
        break
    fi
done
[ -n "$floor" ] || skip "phiwall cannot start under ulimit -v 400000 (a sanitizer build?)"
echo "phiwall starts under ulimit -v $floor"
python3 -c "
import json
print(json.dumps({'a': ['x\\n' * 10] * 400000}))" > "$tmp/line.json"
nomem=0
for kb in "$floor" $((floor + 30000)) $((floor + 60000)); do
    (ulimit -v "$kb"; "$PHIWALL" redact --format json < "$tmp/line.json" > "$tmp/out" 2> "$tmp/err")
    code=$?
    if [ "$code" -eq 0 ]; then
        expect_code 1 "$(wc -l < "$tmp/out")" "ulimit -v $kb: exit 0 with the line redacted"
    else
        expect_code 3 "$code" "ulimit -v $kb: exit 3, no crash"
        expect_match "$(cat "$tmp/err")" '^phiwall: redact: out of memory: stdin: line 1: out of memory' \
            "ulimit -v $kb: out of memory, naming the line"
        nomem=$((nomem + 1))
    fi
done
expect_code 1 "$((nomem > 0))" "at least one limit runs out of memory"
finish
