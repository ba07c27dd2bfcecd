#!/usr/bin/env bash
# har_mem.sh [BUILD_DIR] [PAGES…] — peak memory of `phiwall scan --har` per page count and report
# format (DESIGN §5: HAR analysis under 64 MiB whatever the HAR). For each PAGES a real-shaped HAR
# (bench/har_real_gen.py: a Markup capture, or demo/demo.har, repeated with PW_BENCH_KB_PAGE
# kilobytes a page, default 60: ~23 entries and ~15 findings a page with City of Hope's capture) is
# scanned once per format — text, json, html, sarif, and json with --baseline (the json report of
# the same HAR, the largest baseline there is); then demo/demo.har against that baseline in each
# format (+demo-vs-base: a small scan, every baseline finding absent) — and GNU time's peak RSS
# and CPU seconds printed, a row at 64 MiB or more marked OVER. The HAR is made in $TMPDIR (else
# /tmp) and removed after its rows (60 KB a page: 1.2 GB at 20,000 pages), or kept in
# PW_BENCH_HAR_CACHE (a directory) for the next run (to compare two builds on the same files);
# PW_BENCH_HAR names another source capture.
# PW_BENCH_SUMS=FILE appends "pages format sha256" of every report to FILE: two builds' reports
# compared without keeping them (cmp the two files' lines).
# Needs python3 and GNU time. Example: bench/har_mem.sh build 5000 20000 50000
set -euo pipefail
cd "$(dirname "$0")/.."
B=${1:-build}
shift || true
PAGES=("${@:-1000 5000 20000}")
read -r -a PAGES <<<"${PAGES[*]}"
KB=${PW_BENCH_KB_PAGE:-60}
SRC=${PW_BENCH_HAR:-/work/shared/data/markup-nonprofit-health/cityofhope.org/requests.har}
[ -f "$SRC" ] || SRC=../shared/data/markup-nonprofit-health/cityofhope.org/requests.har
[ -f "$SRC" ] || SRC=demo/demo.har
BIN=$(cd "$B" && pwd)/phiwall
T=$(cd "$(mktemp -d "${TMPDIR:-/tmp}/har-mem-XXXXXX")" && pwd)
trap 'rm -rf "$T"' EXIT

# "cpu_seconds peak_rss_kib exit_code" of a command (GNU time: the program's own rusage)
measure() {
    local rc=0
    /usr/bin/time -f '%U %S %M' -o "$T/time" "$@" >/dev/null 2>"$T/err" || rc=$?
    awk -v rc="$rc" '{printf "%.2f %d %d\n", $1 + $2, $3, rc}' "$T/time"
}

echo "source: $SRC, $KB KB a page; $("$B/phiwall" --version 2>/dev/null | head -1)"
printf '  %-8s %-20s %9s %8s %10s %5s\n' pages format findings "CPU s" "peak MiB" exit
for p in "${PAGES[@]}"; do
    mb=$(awk -v p="$p" -v kb="$KB" 'BEGIN {printf "%.1f", p * kb / 1000}')
    har=$T/big.har
    [ -n "${PW_BENCH_HAR_CACHE:-}" ] && har=$(cd "$PW_BENCH_HAR_CACHE" && pwd)/har-mem-$p-$KB.har
    [ -f "$har" ] || python3 bench/har_real_gen.py "$SRC" "$har" --mb "$mb" --pages "$p" 2>/dev/null
    "$B/phiwall" scan --har "$har" --format json --allow-incomplete -o "$T/base.json" \
        2>/dev/null || true
    n=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["findings"]))' \
        "$T/base.json" 2>/dev/null || echo "?")
    for fmt in text json html sarif json+baseline {text,json,html,sarif}+demo-vs-base; do
        args=(--format "${fmt%%+*}")
        # the baseline by a relative name (the reports print it): the same in every run
        [ "${fmt#*+}" != "$fmt" ] && args+=(--baseline base.json)
        # +demo-vs-base: demo/demo.har against this baseline, every finding of it absent (they
        # were all held in memory: 136 MiB in json at 20,000 pages)
        in=$har
        [ "${fmt#*+}" = demo-vs-base ] && in=$PWD/demo/demo.har
        read -r c r rc < <(cd "$T" && measure "$BIN" scan --har "$in" "${args[@]}" \
            --allow-incomplete -o "$T/out")
        awk -v p="$p" -v f="$fmt" -v n="$n" -v c="$c" -v r="$r" -v rc="$rc" 'BEGIN {
            printf "  %-8s %-20s %9s %8.2f %10.1f %5d", p, f, n, c, r / 1024, rc
            if (r >= 64 * 1024) printf "   OVER 64 MiB (DESIGN 5)"
            printf "\n" }'
        if [ -n "${PW_BENCH_SUMS:-}" ]; then
            echo "$p $fmt $(sha256sum <"$T/out" | cut -d' ' -f1)" >>"$PW_BENCH_SUMS"
        fi
    done
    rm -f "$T/big.har" "$T/out" "$T/base.json"
done
