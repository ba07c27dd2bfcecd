#!/usr/bin/env bash
# detect_eval_es.sh — the quality bar on the Spanish held-out set (tests/data/detect/heldout_es.tsv:
# /es/ pages of US hospitals, their titles, buttons, form fields and pixel URLs, with and without
# accents): identifier precision >= 0.95 and recall >= 0.97, health-context and care-intent
# precision >= 0.95 and recall >= 0.93, and no hit at all on the general hospital rows ("Horario de
# visitas", "Empleos", "Contáctenos" …). Also prints the known gap (heldout_es_ident.tsv:
# identifiers named by Spanish keys and titles), which is not held to the bar.
set -u
. "$PW_SRC/tests/integration/lib.bash"
eval_bin="$PW_BUILD/bench/bench_detect_eval"
[ -x "$eval_bin" ] || skip "bench_detect_eval not built (PW_BENCH=OFF)"

out=$("$eval_bin" "$PW_SRC/tests/data/detect/heldout_es.tsv"); expect_code 0 $? "Spanish held-out eval runs"
echo "$out"

# at_least ROW-NAME MIN-PRECISION MIN-RECALL: the row's precision and recall columns
at_least() {
    local v
    v=$(printf '%s\n' "$out" | awk -v r="$1" '$1 == r {print $4, $5}')
    awk -v v="$v" -v p="$2" -v r="$3" 'BEGIN { n = split(v, a, " "); exit !(n == 2 && a[1] >= p && a[2] >= r) }'
    expect_code 0 $? "$1 precision >= $2 and recall >= $3 ($v)"
}
at_least IDENTIFIERS 0.95 0.97
at_least health 0.95 0.93
at_least care-intent 0.95 0.93
at_least HEALTH+CARE 0.95 0.93
expect_match "$out" 'general hospital rows with any hit: 0 of [1-9][0-9]* ' \
    "no hit at all on the Spanish general hospital rows"

gap=$("$eval_bin" "$PW_SRC/tests/data/detect/heldout_es_ident.tsv"); expect_code 0 $? "known-gap eval runs"
echo "known gap, not held to the bar (Spanish identifier keys and titles):"
echo "$gap"
finish
