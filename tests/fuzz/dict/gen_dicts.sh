#!/usr/bin/env bash
# gen_dicts.sh — writes the libFuzzer dictionary that carries a sample of the health vocabulary:
# fuzz_detect.dict, its hand-written entries (fuzz_detect.dict.in) followed by terms of
# data/vocab/*.tsv and data/vocab/es/*.tsv (libFuzzer reads a single -dict file).
# Every file is sampled: up to 10 high-sensitivity terms spread over it and 3 others, each as
# written and, with spaces, as a URL slug (dashes), non-ASCII bytes as \xNN (libFuzzer refuses
# raw ones). Edit the .in file, not the .dict file; run this again after a large vocabulary
# change. The other dictionaries here are written by hand.
set -euo pipefail
cd "$(dirname "$0")/../../.."
vocab() {
    for f in data/vocab/*.tsv data/vocab/es/*.tsv; do
        grep -v '^#' "$f" | awk -F'\t' '$5 == "high" { print $1 }' |
            awk '{ t[NR] = $0 } END { k = int(NR / 10); if (k < 1) k = 1; for (i = 1; i <= NR && n < 10; i += k) { print t[i]; n++ } }'
        grep -v '^#' "$f" | awk -F'\t' '$5 != "high" { print $1 }' |
            awk '{ t[NR] = $0 } END { k = int(NR / 3); if (k < 1) k = 1; for (i = 1; i <= NR && n < 3; i += k) { print t[i]; n++ } }'
    done | LC_ALL=C sort -u | while IFS= read -r term; do
        [ -n "$term" ] || continue
        esc=${term//\\/\\\\}
        esc=${esc//\"/\\\"}
        printf '"%s"\n' "$esc"
        case $term in *" "*) printf '"%s"\n' "${esc// /-}" ;; esac
    done | LC_ALL=C perl -pe 's/([^\n\x20-\x7e])/sprintf("\\x%02X", ord($1))/ge'
}
terms=$(vocab)
t=fuzz_detect
out=tests/fuzz/dict/$t.dict
{
    echo "# $t.dict — written by tests/fuzz/dict/gen_dicts.sh from $t.dict.in and data/vocab; do not edit"
    cat "tests/fuzz/dict/$t.dict.in"
    echo
    echo "# health vocabulary (data/vocab, sampled)"
    printf '%s\n' "$terms"
} >"$out"
echo "$out: $(grep -c '^"' "$out") entries"
