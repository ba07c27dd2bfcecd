# gw_phases.awk — from two /metrics snapshots of the gateway (before, after a run), where the
# commit path's time went during the run: per histogram series of phiwall_gateway_commit_seconds
# and phiwall_gateway_spool_phase_seconds, and of phiwall_gateway_request_duration_seconds (a
# POST /e from its first byte read to its answer sent: "http.request", coarse buckets), the count, mean, p50, p99 and max bucket, estimated by
# linear interpolation inside the Prometheus buckets. Used by bench/gateway.sh:
#   awk -f bench/gw_phases.awk before.txt after.txt
function key(line) { sub(/,?le="[^"]*"/, "", line); sub(/_bucket/, "", line); return line }
{ file = FILENAME == ARGV[1] ? 1 : 2 }
/^phiwall_gateway_((commit|spool_phase)_seconds|request_duration_seconds)_(bucket|sum|count)/ {
  split($0, kv, " "); name = kv[1]; v = kv[2]
  if (name ~ /_bucket\{/) {
    le = name; sub(/.*le="/, "", le); sub(/".*/, "", le)
    series = name; sub(/_bucket\{/, "{", series); sub(/,?le="[^"]*"/, "", series); sub(/\{\}/, "", series)
    if (file == 1) b0[series, le] = v; else { b1[series, le] = v; if (!((series, le) in seen)) { seen[series, le] = 1; nle[series]++; les[series, nle[series]] = le } }
    if (file == 2 && !(series in order)) { order[series] = ++ns; names[ns] = series }
  } else if (name ~ /_sum/) {
    series = name; sub(/_sum/, "", series); if (file == 1) s0[series] = v; else s1[series] = v
  } else {
    series = name; sub(/_count/, "", series); if (file == 1) c0[series] = v; else c1[series] = v
  }
}
function q(series, frac,    n, i, le, prev_le, prev_c, c, target) {
  n = c1[series] - c0[series]; target = frac * n; prev_le = 0; prev_c = 0
  for (i = 1; i <= nle[series]; i++) {
    le = les[series, i]; c = b1[series, le] - b0[series, le]
    if (c >= target) {
      if (le == "+Inf") return ">" prev_le * 1000
      if (c == prev_c) return le * 1000
      return sprintf("%.2f", (prev_le + (le - prev_le) * (target - prev_c) / (c - prev_c)) * 1000)
    }
    prev_le = le; prev_c = c
  }
  return "?"
}
END {
  printf "  %-16s %8s %8s %8s %8s   (ms)\n", "phase", "count", "mean", "p50", "p99"
  for (k = 1; k <= ns; k++) {
    sname = names[k]; n = c1[sname] - c0[sname]
    if (n <= 0) continue
    label = sname; sub(/.*phase="/, "", label); sub(/".*/, "", label)
    if (sname ~ /^phiwall_gateway_commit/) label = "commit." label
    if (sname ~ /^phiwall_gateway_request_duration/) label = "http.request"
    printf "  %-16s %8d %8.3f %8s %8s\n", label, n, (s1[sname] - s0[sname]) * 1000 / n, q(sname, 0.5), q(sname, 0.99)
  }
}
