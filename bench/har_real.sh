#!/usr/bin/env bash
# har_real.sh [BUILD_DIR] [MB] [PAGES…] — `phiwall scan --har` on real-shaped HARs: a real
# capture's entries (The Markup's City of Hope scan in ../shared/data when present, else
# demo/demo.har) repeated to MB megabytes (bench/har_real_gen.py) with 1 page (a long session on
# one page) and with each PAGES distinct pages. For each HAR: CPU seconds and peak RSS of the CLI
# users run, `--format json` and `--format text`, beside the baselines of the same run (`cat`
# reading the file, `wc -l` scanning it) and phiwall on a 1-entry HAR (its fixed cost: catalog,
# filter lists, vocabulary). MB/s is per CPU second (user + sys): the machine is shared, wall time
# would measure load. Then the synthetic figure of build/bench/bench_har (3 KB bodies) at MB.
# A row at 64 MiB or more says OVER (DESIGN §5: HAR analysis under 64 MiB whatever the HAR).
# Needs python3 and GNU time. Example: bench/har_real.sh build 240 1 480 2000 5000
set -euo pipefail
cd "$(dirname "$0")/.."
B=${1:-build}
MB=${2:-100}
shift 2 2>/dev/null || shift $#
PAGES=("${@:-1 480}")
read -r -a PAGES <<<"${PAGES[*]}"
SRC=${PW_BENCH_HAR:-../../shared/data/markup-nonprofit-health/cityofhope.org/requests.har}
[ -f "$SRC" ] || SRC=/work/shared/data/markup-nonprofit-health/cityofhope.org/requests.har
[ -f "$SRC" ] || SRC=demo/demo.har
T=$(mktemp -d /tmp/har-real-XXXXXX)
trap 'rm -rf "$T"' EXIT

# "cpu_seconds peak_rss_kib" of a command (GNU time: the program's own rusage)
measure() {
    /usr/bin/time -f '%U %S %M' -o "$T/time" "$@" >/dev/null 2>"$T/err" || true
    awk '{printf "%.3f %d\n", $1 + $2, $3}' "$T/time"
}
row() { # name bytes cpu rss base_cpu
    awk -v n="$1" -v b="$2" -v c="$3" -v r="$4" -v bc="$5" 'BEGIN {
        mbs = c > 0 ? b / c / 1e6 : 0
        printf "  %-34s %7.2f s CPU %8.1f MB/s %7.1f MiB peak", n, c, mbs, r / 1024
        if (bc > 0 && c > 0) printf "   %5.1fx the cat time", c / bc
        if (r >= 64 * 1024) printf "   OVER 64 MiB (DESIGN 5)"
        printf "\n" }'
}

python3 - "$SRC" "$T/one.har" <<'EOF'
import json, sys
log = json.load(open(sys.argv[1], encoding="utf-8"))["log"]
log["entries"] = log["entries"][:1]
json.dump({"log": log}, open(sys.argv[2], "w"))
EOF
echo "source: $SRC"
read -r c r < <(measure "$B/phiwall" scan --har "$T/one.har" --format json --allow-incomplete)
echo "fixed cost (1-entry HAR, default lists): $c s CPU, $(awk -v r="$r" 'BEGIN{printf "%.1f", r/1024}') MiB peak"
read -r c r < <(measure "$B/phiwall" scan --har "$T/one.har" --format json --allow-incomplete \
    --no-easylist --no-easyprivacy)
echo "fixed cost without filter lists:        $c s CPU, $(awk -v r="$r" 'BEGIN{printf "%.1f", r/1024}') MiB peak"

for p in "${PAGES[@]}"; do
    python3 bench/har_real_gen.py "$SRC" "$T/big.har" --mb "$MB" --pages "$p" 2>"$T/gen"
    bytes=$(stat -c %s "$T/big.har")
    echo "$(cat "$T/gen") — $bytes bytes"
    read -r bc br < <(measure cat "$T/big.har")
    row "cat FILE (baseline)" "$bytes" "$bc" "$br" 0
    read -r c r < <(measure wc -l "$T/big.har")
    row "wc -l FILE" "$bytes" "$c" "$r" "$bc"
    for fmt in json text; do
        read -r c r < <(measure "$B/phiwall" scan --har "$T/big.har" --format "$fmt" \
            --allow-incomplete)
        row "phiwall scan --har --format $fmt" "$bytes" "$c" "$r" "$bc"
    done
done
rm -f "$T/big.har"
if [ -x "$B/bench/bench_har" ]; then
    echo "synthetic HAR (bench_har $MB):"
    "$B/bench/bench_har" "$MB" | sed 's/^/  /'
fi
echo "reproduce: bench/har_real.sh $B $MB ${PAGES[*]}"
