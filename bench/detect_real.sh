#!/usr/bin/env bash
# detect_real.sh — the PHI engine's MB/s per core on real data beside the generated corpus.
#
# bench_detect's usual corpus (gen_detect_corpus.py) is labelled and dense; this runs the same
# benchmark, in the same sitting, on real tracker URLs, real hospital page texts and public
# sentence sets read in place from ../shared/data (bench/detect_real_corpus.py), and prints one
# line per corpus: scan MB/s, µs per field, the memchr baseline of the same run and the
# distance to DESIGN §5's 500 MB/s.
#
#   bench/detect_real.sh [BUILD_DIR] [SHARED_DATA_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-build}
data=${2:-$(cd "$here/../.." && pwd)/shared/data}
bench="$build/bench/bench_detect"
[ -x "$bench" ] || { echo "detect_real: $bench not built (./scripts/build.sh $build)" >&2; exit 2; }
[ -d "$data" ] || { echo "detect_real: skipped: $data not present" >&2; exit 77; }

dir=$(mktemp -d /tmp/phiwall-detect-real.XXXXXX)
trap 'rm -rf "$dir"' EXIT
python3 "$here/../data/eval/gen_detect_corpus.py" --rows 20000 > "$dir/generated.tsv"
python3 "$here/detect_real_corpus.py" "$data" "$dir" 2>&1

printf '%-16s %7s %8s %10s %10s %12s %10s\n' corpus fields MB 'scan MB/s' 'us/field' 'memchr MB/s' 'x to 500'
for tsv in "$dir"/generated.tsv "$dir"/blacklight-urls.tsv "$dir"/blacklight-text.tsv \
    "$dir"/presidio.tsv "$dir"/maison.tsv; do
    [ -f "$tsv" ] || continue
    name=$(basename "$tsv" .tsv)
    out=$("$bench" "$tsv")
    mb=$(sed -n 's/^corpus: .*, \([0-9]*\) fields, \([0-9.]*\) MB.*/\1 \2/p' <<< "$out")
    line=$(grep '^all fields' <<< "$out")
    scan=$(sed -n 's/.* scan *\([0-9.]*\) MB\/s (  *\([0-9.]*\) us\/field.*/\1 \2/p' <<< "$line")
    base=$(sed -n 's/.*baseline memchr *\([0-9.]*\) MB\/s.*/\1/p' <<< "$line")
    read -r fields mbytes <<< "$mb"
    read -r mbs us <<< "$scan"
    printf '%-16s %7s %8s %10s %10s %12s %10.1f\n' "$name" "$fields" "$mbytes" "$mbs" "$us" "$base" \
        "$(awk -v m="$mbs" 'BEGIN { print 500 / m }')"
done
echo "command: bench/detect_real.sh $build $data"
