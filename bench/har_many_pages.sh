#!/usr/bin/env bash
# har_many_pages.sh [BUILD_DIR] [PAGES…] — does a HAR scan cost the same per page however many
# pages the HAR has? For each PAGES a HAR of that many pages, one document request each (the
# shape of a long crawl: the reader's page table and the assessor's page context work per page,
# not per byte), is scanned to JSON; prints CPU seconds, MB/s and microseconds a page, and each
# count's cost a page against the first count's (1.00: linear; it was 30x at 40,000 pages against
# 5,000 before the page table had an index and the page-context cues were compared in place).
# Example: bench/har_many_pages.sh build 5000 40000
set -euo pipefail
cd "$(dirname "$0")/.."
B=${1:-build}
shift || true
PAGES=("${@:-5000 40000}")
read -r -a PAGES <<<"${PAGES[*]}"
T=$(mktemp -d "${TMPDIR:-/tmp}/har-pages-XXXXXX")
trap 'rm -rf "$T"' EXIT
base=
for n in "${PAGES[@]}"; do
    python3 - "$n" "$T/p.har" <<'PY'
import json, sys
n, out = int(sys.argv[1]), sys.argv[2]
t = "2026-01-01T00:00:00.000Z"
pages = [{"id": "page_%d" % i, "title": "https://www.example-hospital.org/services/p%d" % i,
          "startedDateTime": t, "pageTimings": {}} for i in range(n)]
entries = [{"pageref": "page_%d" % i, "startedDateTime": t, "time": 1,
            "request": {"method": "GET", "url": "https://www.example-hospital.org/services/p%d" % i,
                        "httpVersion": "HTTP/1.1", "headers": [], "queryString": [], "cookies": [],
                        "headersSize": -1, "bodySize": 0},
            "response": {"status": 200, "statusText": "OK", "httpVersion": "HTTP/1.1", "headers": [],
                         "cookies": [], "content": {"size": 0, "mimeType": "text/html"},
                         "redirectURL": "", "headersSize": -1, "bodySize": 0},
            "cache": {}, "timings": {"send": 0, "wait": 1, "receive": 0}} for i in range(n)]
json.dump({"log": {"version": "1.2", "creator": {"name": "har_many_pages", "version": "1"},
                   "pages": pages, "entries": entries}}, open(out, "w"))
PY
    bytes=$(stat -c %s "$T/p.har")
    /usr/bin/time -f '%U %S %M' -o "$T/time" "$B/phiwall" scan --har "$T/p.har" --format json \
        -o "$T/out.json" 2>/dev/null || true
    read -r u s kib <"$T/time"
    awk -v n="$n" -v b="$bytes" -v u="$u" -v s="$s" -v k="$kib" -v base="$base" 'BEGIN {
        cpu = u + s; if (cpu < 0.01) cpu = 0.01; per = cpu * 1e6 / n
        printf "%7d pages  %6.1f MB  %6.2f s CPU  %7.1f MB/s  %6.1f us/page  %6.1f MiB peak", n, b / 1e6, cpu, b / 1e6 / cpu, per, k / 1024
        if (base != "") printf "  %5.2fx the first count per page", per / base
        printf "\n" }'
    [ -n "$base" ] || base=$(awk -v u="$u" -v s="$s" -v n="$n" 'BEGIN { c = u + s; if (c < 0.01) c = 0.01; print c * 1e6 / n }')
done
echo "reproduce: bench/har_many_pages.sh $B ${PAGES[*]}"
