#!/usr/bin/env bash
# detect_eval_it_fr.sh — the quality bar on the Italian and French date rows
# (tests/data/detect/heldout_it_fr.tsv: appointment confirmations, booking forms, birth dates and
# pixel URLs with "14 giugno 2026", "le 3 août 2026", "14/06/2026"): date precision and recall
# 1.000, and no identifier on the page dates of its general rows ("Aggiornato il 3 marzo 2026",
# "Mis à jour le …", "Appuntamenti disponibili dal …").
set -u
. "$PW_SRC/tests/integration/lib.bash"
eval_bin="$PW_BUILD/bench/bench_detect_eval"
[ -x "$eval_bin" ] || skip "bench_detect_eval not built (PW_BENCH=OFF)"

out=$("$eval_bin" "$PW_SRC/tests/data/detect/heldout_it_fr.tsv"); expect_code 0 $? "Italian/French held-out eval runs"
echo "$out"
v=$(printf '%s\n' "$out" | awk '$1 == "date" {print $4, $5}')
expect_match "$v" '^1\.000 1\.000$' "date precision and recall 1.000 ($v)"
# no date (no identifier) on the general rows' page dates. The set labels dates only: since the
# French vocabulary (data/vocab/fr/) its booking words are care intent wherever they stand
# ("Prendre rendez-vous en ligne" in a menu, "Rendez-vous disponibles"), as English
# "appointment" and Spanish "cita" are; heldout_fr.tsv scores those.
expect_match "$out" 'general hospital rows with any hit: [0-9]+ of [1-9][0-9]* \(with an identifier hit: 0\)' \
    "no date or other identifier on the Italian/French general rows"
finish
