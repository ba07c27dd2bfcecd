#!/usr/bin/env bash
# detect_eval_freetext.sh — the quality bar on what a visitor types (engine-recall branch,
# tests/data/detect/heldout_freetext.tsv: self-introductions, greetings, sign-offs, a chat's
# answer, addresses given in a sentence, a ZIP after a state's name): every identifier category
# precision and recall 1.000, and no identifier hit on its hard negatives (titles and buttons of
# capitalised words, a chat bot's persona, an organisation's sign-off, directions, news dates).
# Health terms in the visitors' messages ("fever", "lab results") are not scored here.
set -u
. "$PW_SRC/tests/integration/lib.bash"
eval_bin="$PW_BUILD/bench/bench_detect_eval"
[ -x "$eval_bin" ] || skip "bench_detect_eval not built (PW_BENCH=OFF)"

out=$("$eval_bin" "$PW_SRC/tests/data/detect/heldout_freetext.tsv"); expect_code 0 $? "free-text held-out eval runs"
echo "$out"
for c in name address zip date phone IDENTIFIERS; do
    v=$(printf '%s\n' "$out" | awk -v c="$c" '$1 == c {print $4, $5}')
    expect_match "$v" '^1\.000 1\.000$' "$c precision and recall 1.000 ($v)"
done
expect_match "$out" 'general hospital rows with any hit: 0 of [1-9][0-9]* ' \
    "no hit at all on the hard negatives"
finish
