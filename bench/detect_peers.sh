#!/usr/bin/env bash
# detect_peers.sh [BUILD_DIR] — the PHI engine beside its peers on the same generated corpus:
#   phiwall redact (this project), npm redact-pii (installed into bench/node_modules on first
#   run), and rg -F -f with the health vocabulary (a near-limit literal-matching reference).
# Prints MB/s for each, the ratios, and identifier recall / false-redaction rate of the two
# redactors. Needs python3, node + npm (peer only), ripgrep and GNU time (Debian packages).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
rows=${PW_BENCH_ROWS:-100000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 data/eval/gen_detect_corpus.py --seed 4 --rows "$rows" > "$work/corpus.tsv"
grep -v '^#' "$work/corpus.tsv" | cut -f4 > "$work/corpus.txt"
bytes=$(wc -c < "$work/corpus.txt")
mb() { python3 -c "print(f'{$bytes / $1 / 1e6:.1f}')"; }
# CPU seconds (user + sys) of a command: the machine is shared, so wall time would measure load.
# GNU time reports the exec'd program's own rusage (a Python wrapper's RUSAGE_CHILDREN also
# counted the forked interpreter before exec, ~0.1 s here).
cpu() { # IN OUT CMD...
    local in=$1 out=$2
    shift 2
    /usr/bin/time -f "%U %S" -o "$work/time.txt" "$@" < "$in" > "$out" || true
    awk '{ s = $1 + $2; print (s > 0.000001 ? s : 0.000001) }' "$work/time.txt"
}

echo "corpus: $rows fields, $bytes bytes (data/eval/gen_detect_corpus.py --seed 4 --rows $rows)"

# phiwall: the library throughput (one core) and the redact filter end to end
"$build/bench/bench_detect" "$work/corpus.tsv" | sed 's/^/  /'
pw_s=$(cpu "$work/corpus.txt" "$work/phiwall.txt" "$build/phiwall" redact)
echo "phiwall redact (process CPU time, incl. start-up and I/O): $(mb "$pw_s") MB/s"
echo "  quality: $(python3 bench/detect_peers_score.py "$work/corpus.tsv" "$work/phiwall.txt")"

# npm redact-pii
if [ ! -d bench/node_modules/redact-pii ]; then
    npm install --prefix bench --no-save --no-audit --no-fund redact-pii@3 >/dev/null 2>&1 ||
        echo "redact-pii: npm install failed (offline?)"
fi
if [ -d bench/node_modules/redact-pii ]; then
    peer_s=$(NODE_PATH=bench/node_modules node bench/redact_pii_run.js "$work/corpus.txt" \
             "$work/peer.txt" 2>&1 | awk '/^seconds/ {print $2}')
    echo "redact-pii $(node -p 'require("./bench/node_modules/redact-pii/package.json").version') (CPU time in redact() only): $(mb "$peer_s") MB/s"
    echo "  quality: $(python3 bench/detect_peers_score.py "$work/corpus.tsv" "$work/peer.txt")"
    python3 -c "print(f'ratio phiwall redact / redact-pii: {$peer_s / $pw_s:.1f}x')"
fi

# rg -F -f: every vocabulary term as a fixed string over the lower-cased corpus (rg -i with tens
# of thousands of literals falls off its fast path, so case is folded beforehand, untimed)
cat data/vocab/*.tsv data/vocab/generated/*.tsv 2>/dev/null | grep -v '^#' | cut -f1 |
    grep -v '^$' | sort -u > "$work/terms.txt"
for i in $(seq 20); do tr "A-Z" "a-z" < "$work/corpus.txt"; done > "$work/corpus.lower"
rg_s=$(python3 -c "print($(cpu "$work/corpus.lower" /dev/null rg -F -c -f "$work/terms.txt") / 20)")
echo "rg -F -f ($(wc -l < "$work/terms.txt") vocabulary terms, literal, no word boundaries, CPU time incl. start-up): $(mb "$rg_s") MB/s"
python3 -c "print(f'ratio phiwall redact / rg: {$rg_s / $pw_s:.3f}x')"
echo "command: bench/detect_peers.sh $build   (PW_BENCH_ROWS=$rows)"
