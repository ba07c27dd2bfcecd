#!/usr/bin/env bash
# har_outputs_diff.sh OLD_PHIWALL NEW_PHIWALL [MUTANTS] — every report format of `phiwall scan
# --har` (stdout, stderr and exit code) for every HAR under tests/data/har/, demo/demo.har and the
# six Blacklight captures in ../shared/data/markup-nonprofit-health (gunzipped to a temporary
# directory), old binary against new; then MUTANTS damaged copies of City of Hope's capture (a
# byte replaced, removed or inserted at a seeded random place, default 300) whose error messages
# and reports must match too. Prints each difference and exits 1 if there is any. A speed change
# to the HAR reader must leave every output byte-identical: run this before and after.
set -uo pipefail
cd "$(dirname "$0")/.."
OLD=$1
NEW=$2
MUT=${3:-300}
T=$(mktemp -d /tmp/har-diff-XXXXXX)
trap 'rm -rf "$T"' EXIT
DATA=../../shared/data/markup-nonprofit-health
[ -d "$DATA" ] || DATA=/work/shared/data/markup-nonprofit-health
hars=(tests/data/har/*.har demo/demo.har)
for d in "$DATA"/*/; do
    site=$(basename "$d")
    if [ -f "$d/requests.har" ]; then
        hars+=("$d/requests.har")
    elif [ -f "$d/requests.har.gz" ]; then
        gunzip -c "$d/requests.har.gz" >"$T/$site.har"
        hars+=("$T/$site.har" "$d/requests.har.gz")
    fi
done
n=0
bad=0
failed=0
run() { # bin har fmt out
    "$1" scan --har "$2" --format "$3" >"$4" 2>&1
    echo "exit $?" >>"$4"
}
compare() { # har fmt
    run "$OLD" "$1" "$2" "$T/old"
    run "$NEW" "$1" "$2" "$T/new"
    n=$((n + 1))
    tail -n 1 "$T/old" | grep -qv '^exit 0$' && failed=$((failed + 1))
    if ! cmp -s "$T/old" "$T/new"; then
        bad=$((bad + 1))
        echo "DIFFERS: $1 --format $2"
        diff "$T/old" "$T/new" | head -20
    fi
}
for h in "${hars[@]}"; do
    for fmt in text json sarif html; do
        compare "$h" "$fmt"
    done
done
if [ "$MUT" -gt 0 ]; then
    SRC=$DATA/cityofhope.org/requests.har
    python3 - "$SRC" "$T/mut" "$MUT" <<'PY'
import random, sys
src = open(sys.argv[1], "rb").read()
rng = random.Random(20261130)
junk = b'"\\{}[],:0-e.tfnu \n\x01\xc3'
for k in range(int(sys.argv[3])):
    b = bytearray(src)
    # aim at the skipped values (response headers, _initiator_detail) half the time
    if k % 2:
        anchors = [i for i in range(0, len(b), 97) if b[i:i + 1] in (b"\\", b'"', b"{", b"[")]
        at = rng.choice(anchors) + rng.randrange(0, 40)
    else:
        at = rng.randrange(len(b))
    op = rng.randrange(3)
    c = junk[rng.randrange(len(junk))]
    if op == 0:
        b[at] = c
    elif op == 1:
        del b[at]
    else:
        b.insert(at, c)
    open(f"{sys.argv[2]}{k}.har", "wb").write(bytes(b))
PY
    for ((k = 0; k < MUT; k++)); do
        compare "$T/mut$k.har" json
        rm -f "$T/mut$k.har"
    done
fi
echo "$n outputs compared ($failed of them exit non-zero: an error, or an incomplete recording), $bad differ"
[ "$bad" -eq 0 ]
