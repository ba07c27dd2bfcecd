#!/usr/bin/env bash
# detect_eval_recall4.sh — the quality bar on the engine-recall4 held-out rows
# (data/eval/heldout_recall4.tsv, written before the code): no hit at all on its hard negatives
# (news section titles about a condition in Chinese and English, lower-case words after
# "my name is" that are no name, a name line above no address, a hospital's unit lines, the
# hospital's own number after "us"/"nous", a hospital building without a postal code), identifier
# and health precision 1.000 and recall at least 0.95. Misses today: none.
set -u
. "$PW_SRC/tests/integration/lib.bash"
detect_eval_bar "$PW_SRC/data/eval/heldout_recall4.tsv" 0.95
finish
