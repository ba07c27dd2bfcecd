#!/usr/bin/env bash
# compare.sh BIN_BEFORE BIN_AFTER [CASES] — the gateway's outputs byte for byte, before and after a
# change: generated POST /e requests (valid, batched, malformed; PHI in every field; several
# Origins, content types, X-Forwarded-For) through four policies (the benchmark's, the shipped
# example, the demo's, a webhook+Meta+GA4 one keeping titles and user agents); replies, spool
# rows, ingest audit records and --explain output must be identical. Forwarders point at a closed
# port, so rows stay queued. Not a benchmark; a check for changes to the request path.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
n=${3:-4000}
out=$(mktemp -d /tmp/pw-identity.XXXXXX)
python3 "$here/gen.py" "$n" 11 >"$out/cases.json"
rc=0
for p in p1 p2 p3 p4; do
  python3 "$here/run.py" "$1" "$here/$p.yaml" "$out/cases.json" "$out/A-$p" >/dev/null
  python3 "$here/run.py" "$2" "$here/$p.yaml" "$out/cases.json" "$out/B-$p" >/dev/null
  for f in replies spool audit explain; do
    cmp -s "$out/A-$p/$f.txt" "$out/B-$p/$f.txt" || { echo "DIFF $p $f ($out)"; rc=1; }
  done
  echo "$p: $(wc -l <"$out/A-$p/replies.txt") replies ($(awk '$2 == 200' "$out/A-$p/replies.txt" | wc -l) x 200), $(wc -l <"$out/A-$p/spool.txt") spool rows, $(wc -l <"$out/A-$p/audit.txt") audit records, $(grep -c '^== ' "$out/A-$p/explain.txt") explains"
done
[ "$rc" = 0 ] && rm -rf "$out" && echo "identical"
exit "$rc"
