#!/usr/bin/env bash
# detect_eval_recall2.sh — the quality bar on the engine-recall2 held-out rows
# (tests/data/detect/heldout_recall2.tsv, written before the code): no hit at all on its hard
# negatives (careers, parking and news titles in Chinese, Korean, Russian and Arabic; slogans after
# "I am"; German "ist" and the IST time zone; numbers after words that are no phone's), identifier
# and health precision 1.000, and recall at least 0.80. Misses today: identifiers none (18 of 18:
# engine-recall3 found "I'm Naomi Ryan, and so is my question" and "Mon portable est le 07 98 76
# 54 32", engine-recall4 "Best number to reach me:"); health 8 of 9: "乳腺癌筛查 | 新闻" is labelled
# health here, but it is a news section's title, which the project's rules make a general page's
# as they do "Breast Cancer Screening | News" in English (engine-recall4's decision, docs/detect.md,
# "General hospital pages").
set -u
. "$PW_SRC/tests/integration/lib.bash"
detect_eval_bar "$PW_SRC/tests/data/detect/heldout_recall2.tsv" 0.80
finish
