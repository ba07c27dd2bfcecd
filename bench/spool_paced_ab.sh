#!/usr/bin/env bash
# spool_paced_ab.sh — the spool's paced put -> durable latency with and without the other writers
# on its disk, for one or more builds of bench_spool, alternated round by round (the machine is
# shared and its disk is noisy: only runs taken side by side compare).
#
#   bench/spool_paced_ab.sh ROUNDS RATE SECONDS DIR MODES BIN...
#     MODES: comma-separated bench_spool --paced other writers: none, audit, shm (audit with the
#            log on /dev/shm: the same CPU work, no audit writeback on DIR's disk), raw:N
#   e.g. bench/spool_paced_ab.sh 4 10000 5 /tmp none,audit,shm before=/tmp/b/bench_spool \
#          after=build/bench/bench_spool
#
# One line per run: round, build, mode, put -> durable p50/p99/p99.9/max ms, the bare fdatasync
# floor just before it (bench_fsync DIR 300: p50/p99), what the disk was asked during the run by
# everyone (/sys/block/DEV/stat: MB written, write requests, flushes and discards per second;
# other processes' writeback shows there too) and the load average.
set -euo pipefail
rounds=$1 rate=$2 secs=$3 dir=$4 modes=$5
shift 5
fsync_bin=${PW_BENCH_FSYNC_BIN:-$(dirname "$0")/../build/bench/bench_fsync}
dev=$(findmnt -n -o SOURCE -T "$dir" | sed 's|/dev/||')
# write requests, sectors written, discards, flushes
disk() { awk '{ print $5, $7, $12, $16 }' "/sys/block/$dev/stat"; }
printf '%-5s %-8s %-10s %8s %8s %8s %8s   %-13s %6s %7s %6s %6s %5s\n' round build mode p50 p99 \
    p99.9 max 'fsync p50/p99' 'MB/s' 'wreq/s' 'fl/s' 'dsc/s' load
for r in $(seq 1 "$rounds"); do
  for b in "$@"; do
    name=${b%%=*} bin=${b#*=}
    for m in ${modes//,/ }; do
      floor=$("$fsync_bin" "$dir" 300 | sed -n 's/.*p50 \([0-9.]*\) ms.*p99 \([0-9.]*\) ms  p99.9.*/\1\/\2/p')
      d0=$(disk)
      t0=$(date +%s.%N)
      if [ "$m" = shm ]; then
        out=$(PW_BENCH_AUDIT_DIR=/dev/shm "$bin" --paced "$dir" "$rate" "$secs" 0 audit)
      else
        out=$("$bin" --paced "$dir" "$rate" "$secs" 0 "$m")
      fi
      rates=$(echo "$d0 $(disk) $t0 $(date +%s.%N)" | awk '{ t = $10 - $9;
        printf "%.1f %.0f %.0f %.0f", ($6 - $2) * 512 / 1e6 / t, ($5 - $1) / t, ($8 - $4) / t,
          ($7 - $3) / t }')
      lat=$(printf '%s\n' "$out" | sed -n 's/^put -> durable ms: p50 \([0-9.]*\), p90 [0-9.]*, p99 \([0-9.]*\), p99.9 \([0-9.]*\), max \([0-9.]*\)/\1 \2 \3 \4/p')
      # shellcheck disable=SC2086
      printf '%-5s %-8s %-10s %8s %8s %8s %8s   %-13s %6s %7s %6s %6s %5s\n' "$r" "$name" "$m" \
        $lat "$floor" $rates "$(cut -d' ' -f1 /proc/loadavg)"
    done
  done
done
