#!/usr/bin/env bash
# detect_eval.sh — the PHI engine's quality bar on the hand-written held-out set: identifier
# precision >= 0.95 and recall >= 0.97, no hit on general hospital pages; and identifier
# precision >= 0.95 on presidio-research's synthetic sentences when ../shared/data is present.
set -u
. "$PW_SRC/tests/integration/lib.bash"
eval_bin="$PW_BUILD/bench/bench_detect_eval"
[ -x "$eval_bin" ] || skip "bench_detect_eval not built (PW_BENCH=OFF)"

out=$("$eval_bin" "$PW_SRC/tests/data/detect/heldout.tsv"); expect_code 0 $? "held-out eval runs"
echo "$out"
ident=$(printf '%s\n' "$out" | awk '$1 == "IDENTIFIERS" {print $4, $5}')
awk -v v="$ident" 'BEGIN { split(v, a, " "); exit !(a[1] >= 0.95 && a[2] >= 0.97) }'
expect_code 0 $? "held-out identifier precision >= 0.95 and recall >= 0.97 ($ident)"
expect_match "$out" 'general hospital rows with any hit: 0 of [1-9]' "no hit on general pages"

presidio="$PW_SRC/../shared/data/presidio-synth"
if [ -d "$presidio" ]; then
    out=$("$eval_bin" --presidio "$presidio"); expect_code 0 $? "presidio eval runs"
    echo "$out"
    prec=$(printf '%s\n' "$out" | awk '$1 == "IDENTIFIERS" {print $4}')
    awk -v p="$prec" 'BEGIN { exit !(p >= 0.95) }'
    expect_code 0 $? "presidio identifier precision >= 0.95 ($prec)"
else
    echo "skipped presidio part: ../shared/data not present"
fi
finish
