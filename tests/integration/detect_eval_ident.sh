#!/usr/bin/env bash
# detect_eval_ident.sh — the quality bar on the identifier gaps of the engine-ident branch
# (tests/data/detect/heldout_ident.tsv: providers' names before credentials, person name keys,
# national phone formats, health information keys, hex text): every category precision and recall
# 1.000, and no hit at all on its hard negatives ("Chevy Chase MD", "Pediatric Associates, PA",
# toll-free numbers, colours, git hashes, UUIDs, hex session IDs, a product's "condition").
set -u
. "$PW_SRC/tests/integration/lib.bash"
eval_bin="$PW_BUILD/bench/bench_detect_eval"
[ -x "$eval_bin" ] || skip "bench_detect_eval not built (PW_BENCH=OFF)"

out=$("$eval_bin" "$PW_SRC/tests/data/detect/heldout_ident.tsv"); expect_code 0 $? "identifier-gap held-out eval runs"
echo "$out"
for c in email phone name health IDENTIFIERS; do
    v=$(printf '%s\n' "$out" | awk -v c="$c" '$1 == c {print $4, $5}')
    expect_match "$v" '^1\.000 1\.000$' "$c precision and recall 1.000 ($v)"
done
expect_match "$out" 'general hospital rows with any hit: 0 of [1-9][0-9]* ' \
    "no hit at all on the hard negatives"
finish
