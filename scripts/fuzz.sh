#!/usr/bin/env bash
# fuzz.sh — run fuzz campaigns, one target at a time, at the lowest CPU priority:
#   scripts/fuzz.sh [--build DIR] [--seconds N] [--no-dict] [--keep] [--out DIR] TARGET...
# TARGET is a name (fuzz_gw_policy) or `all`. Each target runs for N seconds (default 120) from
# its seed corpus tests/fuzz/corpus/TARGET, with its dictionary tests/fuzz/dict/TARGET.dict when
# there is one (--no-dict leaves it out, to measure what it gives) and the libFuzzer flags of
# tests/fuzz/flags/TARGET.flags (one a line, # comments), the same inputs the CTest smoke
# (`ctest -L fuzz`, tests/CMakeLists.txt) uses. New inputs go to OUT/TARGET/corpus (OUT defaults
# to DIR/fuzz-campaign; emptied first unless --keep), crashes to OUT/TARGET/ and the log to
# OUT/TARGET.log. Prints one line per target: its last coverage (cov:, ft:, corpus, exec/s) and
# any crash; exits 1 when a target crashed. Build first with
#   CC=clang ./scripts/build.sh build-fuzz -DPW_FUZZ=ON -DPW_SANITIZE=ON -DPW_BENCH=OFF
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=$src/build-fuzz seconds=120 dict=1 keep=0 out=
while [ $# -gt 0 ]; do
    case $1 in
    --build) build=$(cd "$2" && pwd); shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --no-dict) dict=0; shift ;;
    --keep) keep=1; shift ;;
    --out) mkdir -p "$2"; out=$(cd "$2" && pwd); shift 2 ;;
    -h | --help) sed -n '2,13p' "$0"; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
    *) break ;;
    esac
done
[ $# -gt 0 ] || { echo "fuzz.sh: name a target (or all)" >&2; exit 2; }
out=${out:-$build/fuzz-campaign}
targets=("$@")
if [ "${targets[0]}" = all ]; then
    targets=()
    for f in "$src"/tests/fuzz/fuzz_*.c; do targets+=("$(basename "$f" .c)"); done
fi
crashed=0
for t in "${targets[@]}"; do
    bin=$build/tests/$t
    [ -x "$bin" ] || { echo "fuzz.sh: $bin not built" >&2; exit 2; }
    work=$out/$t
    [ "$keep" = 1 ] || rm -rf "$work"
    mkdir -p "$work/corpus" "$src/tests/fuzz/corpus/$t"
    args=(-max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1
        -artifact_prefix="$work/")
    d=$src/tests/fuzz/dict/$t.dict
    [ "$dict" = 1 ] && [ -f "$d" ] && args+=(-dict="$d")
    fl=$src/tests/fuzz/flags/$t.flags
    [ -f "$fl" ] && while read -r a; do args+=("$a"); done < <(grep -E '^-' "$fl")
    log=$out/$t.log
    set +e
    (cd "$work" && nice -n 19 "$bin" "${args[@]}" corpus "$src/tests/fuzz/corpus/$t") >"$log" 2>&1
    rc=$?
    set -e
    last=$(grep -E '^#[0-9]+' "$log" | tail -1 | sed -E 's/^(#[0-9]+)[[:space:]]+[A-Z]+[[:space:]]+/\1 /')
    with=$([ "$dict" = 1 ] && [ -f "$d" ] && echo dict || echo no-dict)
    if [ $rc -ne 0 ]; then
        crashed=1
        found=
        for f in "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-* "$work"/slow-unit-*; do
            [ -e "$f" ] && found="$found$f "
        done
        echo "$t ($seconds s, $with): FAILED rc=$rc: ${found}log $log"
    else
        echo "$t ($seconds s, $with): $last"
    fi
done
exit $crashed
