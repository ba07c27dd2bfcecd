#!/usr/bin/env bash
# detect_eval_recall5.sh — the quality bar on the engine-recall5 held-out rows
# (data/eval/heldout_recall5.tsv, written before the code): no hit at all on its hard negatives
# (careers, parking gates, news, visiting hours, staff cards, street directions, slogans that
# "live at" the hospital, "follow up with" a team or an office), identifier and health precision
# 1.000 and recall at least 0.95 (a company's line between a name and its address, "X lives at
# <address>", lower-case names after "follow up with", street lines with a lower-case street
# word). Misses today: none.
set -u
. "$PW_SRC/tests/integration/lib.bash"
detect_eval_bar "$PW_SRC/data/eval/heldout_recall5.tsv" 0.95
finish
