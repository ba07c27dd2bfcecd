#!/usr/bin/env bash
# detect_eval_recall2.sh — the quality bar on the engine-recall2 held-out rows
# (tests/data/detect/heldout_recall2.tsv, written before the code): no hit at all on its hard
# negatives (careers, parking and news titles in Chinese, Korean, Russian and Arabic; slogans after
# "I am"; German "ist" and the IST time zone; numbers after words that are no phone's), identifier
# and health precision 1.000, and recall at least 0.80. Misses today (identifiers 17 of 18, health
# 8 of 9; engine-recall3 found "I'm Naomi Ryan, and so is my question" and "Mon portable est le
# 07 98 76 54 32"): "Best number to reach me:" (no phone phrase), "乳腺癌筛查 | 新闻" (a news
# component quiets the title, as "Breast Cancer Screening | News" does in English).
set -u
. "$PW_SRC/tests/integration/lib.bash"
eval_bin="$PW_BUILD/bench/bench_detect_eval"
[ -x "$eval_bin" ] || skip "bench_detect_eval not built (PW_BENCH=OFF)"

out=$("$eval_bin" "$PW_SRC/tests/data/detect/heldout_recall2.tsv"); expect_code 0 $? "recall2 held-out eval runs"
echo "$out"
for c in IDENTIFIERS HEALTH+CARE; do
    v=$(printf '%s\n' "$out" | awk -v c="$c" '$1 == c {print $4, $5}')
    awk -v v="$v" 'BEGIN { split(v, a, " "); exit !(a[1] == 1 && a[2] >= 0.80) }'
    expect_code 0 $? "$c precision 1.000 and recall >= 0.80 ($v)"
done
expect_match "$out" 'general hospital rows with any hit: 0 of [1-9][0-9]* ' \
    "no hit at all on the hard negatives"
finish
