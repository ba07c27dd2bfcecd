#!/usr/bin/env bash
# detect_eval_langs.sh — the quality bar on the translated pages of US hospitals, one held-out set
# per language the vocabulary speaks (tests/data/detect/heldout_<lang>.tsv, each written before
# its vocabulary: French, Chinese, Vietnamese, German, Italian, Tagalog, Korean, Russian, Arabic,
# Haitian Creole, Portuguese): health and care-intent precision and recall at least 0.95, and no
# hit at all on the general rows (the words for hospital, visiting hours, parking, careers, news).
# French "IST" (the STI; alone a German word and a time zone) counts after an article since
# engine-recall2 ("des IST"): French health recall 0.971 -> 1.000.
set -u
. "$PW_SRC/tests/integration/lib.bash"
eval_bin="$PW_BUILD/bench/bench_detect_eval"
[ -x "$eval_bin" ] || skip "bench_detect_eval not built (PW_BENCH=OFF)"

at_least() { awk -v v="$1" 'BEGIN { exit !(v != "-" && v + 0 >= 0.95) }'; }

for lang in fr zh vi de it tl ko ru ar ht pt; do
    set="$PW_SRC/tests/data/detect/heldout_$lang.tsv"
    out=$("$eval_bin" "$set"); expect_code 0 $? "$lang held-out eval runs"
    printf '%s: %s\n' "$lang" "$(printf '%s\n' "$out" | grep -E '^(health|care-intent|rows) ' | tr '\n' ';')"
    for c in health care-intent; do
        read -r p r < <(printf '%s\n' "$out" | awk -v c="$c" '$1 == c {print $4, $5}')
        if at_least "${p:--}" && at_least "${r:--}"; then pass
        else fail "$lang $c precision/recall ${p:-none}/${r:-none} (at least 0.95 each)"; fi
    done
    expect_match "$out" 'general hospital rows with any hit: 0 of [1-9][0-9]* ' \
        "$lang: no hit on the general rows"
done
finish
