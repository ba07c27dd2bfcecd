#!/usr/bin/env bash
# detect_eval_words.sh — the quality bar on health words written without a space or with digits
# glued to them (tests/data/detect/heldout_words.tsv: "breastcancerawareness", "cancer2024",
# "hivtesting", "www.hivclinic.com", "Lump in my left breast"): health precision and recall
# 1.000, and no hit at all on its general rows ("archive", "hivemind", "chemistry2024",
# "www.radiologypartners.com", "STD100", "iui3", "signals").
set -u
. "$PW_SRC/tests/integration/lib.bash"
eval_bin="$PW_BUILD/bench/bench_detect_eval"
[ -x "$eval_bin" ] || skip "bench_detect_eval not built (PW_BENCH=OFF)"

out=$("$eval_bin" "$PW_SRC/tests/data/detect/heldout_words.tsv"); expect_code 0 $? "words held-out eval runs"
echo "$out"
v=$(printf '%s\n' "$out" | awk '$1 == "health" {print $4, $5}')
expect_match "$v" '^1\.000 1\.000$' "health precision and recall 1.000 ($v)"
expect_match "$out" 'general hospital rows with any hit: 0 of [1-9][0-9]* ' \
    "no hit at all on the general rows"
finish
