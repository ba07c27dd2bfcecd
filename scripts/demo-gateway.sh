#!/usr/bin/env bash
# demo-gateway.sh — the closed-loop demo (docs/demo.md "Closed loop"): the clean demo hospital
# site sends its events only to phiwall's gateway, which forwards what demo/gateway.demo.yaml
# allows to a loopback mock of Meta CAPI and GA4. Starts phiwall-mock-upstream, `phiwall gateway`
# (temp spool and audit log) and `phiwall-demo-server --clean --gateway URL`, browses the clean
# site in headless Chromium (demo/drive-clean.mjs: care pages, the appointment form filled with
# the canary identity and submitted), scans it with `phiwall scan URL` when the build has the
# browser scanner (expected: no PHI finding; prints the summary), waits for delivery, then prints
# what left the browser, `phiwall audit verify`, `phiwall audit list` and what the mock received. Everything listens on
# 127.0.0.1 only; every process it starts is stopped on exit.
#
#   scripts/demo-gateway.sh                   # builds build/ (deps first on a first build)
#   scripts/demo-gateway.sh --build-dir DIR   # use an existing build, do not build
#   scripts/demo-gateway.sh --out DIR         # keep the files (config, mock.jsonl, audit.log,
#                                             # browser.txt, logs) in DIR (tests use this)
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build= out=
while [ $# -gt 0 ]; do
    case $1 in
    --build-dir) build=$(cd "$2" && pwd); shift 2 ;;
    --out) out=$2; shift 2 ;;
    -h | --help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "demo-gateway.sh: unknown argument '$1'" >&2; exit 2 ;;
    esac
done
if [ -z "$build" ]; then
    build=$src/build
    # like scripts/test.sh: packages (idempotent, quick when present), then bring build/ up to date
    (cd "$src" && ./scripts/install-deps.sh >/dev/null && ./scripts/build.sh build >/dev/null)
fi
chromium=${CHROMIUM:-/usr/bin/chromium}
for need in "$build/phiwall" "$build/phiwall-demo-server" "$build/phiwall-mock-upstream" "$chromium"; do
    [ -x "$need" ] || { echo "demo-gateway.sh: $need not found" >&2; exit 77; }
done
command -v node >/dev/null || { echo "demo-gateway.sh: node not found (drives Chromium)" >&2; exit 77; }
command -v python3 >/dev/null || { echo "demo-gateway.sh: python3 not found" >&2; exit 77; }

if [ -n "$out" ]; then
    mkdir -p "$out"
    dir=$(cd "$out" && pwd)
else
    dir=$(mktemp -d "${TMPDIR:-/tmp}/phiwall-demo-gateway.XXXXXX")
fi
pids=()
cleanup() {
    local p
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
    [ -n "$out" ] || rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
# first line of FILE, once a process has written it (5 s at most)
first_line() {
    local i
    for i in $(seq 100); do
        [ -s "$1" ] && head -n1 "$1" | grep -q . && { head -n1 "$1"; return 0; }
        sleep 0.05
    done
    return 1
}

# 1. the loopback mock of Meta and GA4
"$build/phiwall-mock-upstream" "$dir/mock.jsonl" >"$dir/mock.url" 2>"$dir/mock.err" &
pids+=($!)
mock=$(first_line "$dir/mock.url") || { echo "demo-gateway.sh: mock did not start" >&2; exit 3; }

# 2. the demo site, clean variant, its tag pointing at the gateway's port
gw_port=$(free_port)
gateway=http://127.0.0.1:$gw_port
"$build/phiwall-demo-server" --port 0 --quiet --clean --gateway "$gateway" >"$dir/site.url" 2>"$dir/site.err" &
pids+=($!)
site=$(first_line "$dir/site.url" | sed -n 's|^listening on \(http://127.0.0.1:[0-9]*\).*|\1|p')
[ -n "$site" ] || { echo "demo-gateway.sh: demo server did not start" >&2; exit 3; }

# 3. the gateway: demo policy with this run's site origin and mock URL
sed -e "s|http://127.0.0.1:8080|$site|" -e "s|http://127.0.0.1:8788|$mock|" \
    "$src/demo/gateway.demo.yaml" >"$dir/gateway.yaml"
export PHIWALL_SITE_KEY=demo-site-key-0123456789abcdef PHIWALL_META_TOKEN=demo-meta-token \
    PHIWALL_GA4_SECRET=demo-ga4-secret
"$build/phiwall" gateway --config "$dir/gateway.yaml" --listen "127.0.0.1:$gw_port" \
    --spool "$dir/spool.db" --audit "$dir/audit.log" 2>"$dir/gateway.log" &
gw_pid=$!
pids+=($gw_pid)
for _ in $(seq 100); do curl -sf "$gateway/healthz" >/dev/null 2>&1 && break; sleep 0.05; done
curl -sf "$gateway/healthz" >/dev/null || { echo "demo-gateway.sh: gateway did not start" >&2; cat "$dir/gateway.log" >&2; exit 3; }

echo "== closed loop: site $site -> gateway $gateway -> mock Meta/GA4 $mock"
if [ -n "$out" ]; then echo "   (files kept in $dir)"; else echo "   (--out DIR keeps the files)"; fi

# 4. a visitor browses the clean site
node "$src/demo/drive-clean.mjs" --site "$site" --gateway "$gateway" --chromium "$chromium" >"$dir/browser.txt"
echo
echo "== what left the browser (every request not to the site itself)"
cat "$dir/browser.txt"

# 4b. the browser scan of the clean site, when this build has it (`phiwall scan URL`): it crawls,
# fills forms with its own canary identity and checks every request; expected: no PHI finding.
# Vendor hosts are mapped to the demo server and every other host is unresolvable (contained).
if "$build/phiwall" scan --help 2>&1 | grep -q 'scan URL.*browser scan'; then
    maps=()
    for h in $(python3 -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))["vendor_script_hosts"]))' \
        "$src/demo/expected.json"); do
        maps+=(--map-host "$h=$site/vendor/$h")
    done
    scan_rc=0
    "$build/phiwall" scan "$site/" "${maps[@]}" \
        --browser-arg="--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1" \
        --consent accept --max-pages "${PHIWALL_DEMO_SCAN_PAGES:-16}" --jobs 2 --settle 400 \
        --format json -o "$dir/scan.json" 2>"$dir/scan.err" || scan_rc=$?
    echo
    echo "== phiwall scan $site/ (clean variant; exit $scan_rc)"
    python3 - "$dir/scan.json" <<'PY' || tail -n 5 "$dir/scan.err"
import json, sys
r = json.load(open(sys.argv[1]))
print("summary " + json.dumps(r.get("summary"), sort_keys=True))
PY
else
    echo
    echo "== phiwall scan: not in this build (branch 'browser'); the browser run above stands in"
fi

# 5. delivery: the forwarders send Schedule (Meta) and generate_lead (GA4) last; then quiet
for _ in $(seq 100); do
    grep -q 'Schedule' "$dir/mock.jsonl" 2>/dev/null && grep -q 'generate_lead' "$dir/mock.jsonl" && break
    sleep 0.1
done
sleep 0.5
kill -TERM "$gw_pid" 2>/dev/null || true
wait "$gw_pid" 2>/dev/null || true

echo
echo "== phiwall audit verify"
"$build/phiwall" audit verify --audit "$dir/audit.log" || echo "(audit verify: exit $?)"
echo
echo "== phiwall audit list"
"$build/phiwall" audit list --audit "$dir/audit.log"
echo
echo "== what the mock of Meta and GA4 received"
python3 - "$dir/mock.jsonl" <<'PY'
import json, sys, urllib.parse
for line in open(sys.argv[1]):
    r = json.loads(line)
    u = urllib.parse.urlsplit(r["url"])
    try:
        body = json.loads(r["body"])
    except ValueError:
        print(f"{r['method']} {u.path}: {r['body'][:200]}")
        continue
    for ev in body.get("data") or body.get("events") or []:
        name = ev.get("event_name") or ev.get("name")
        fields = {k: v for k, v in ev.items() if k not in ("event_name", "name")}
        print(f"{r['method']} {u.path}  {name}  {json.dumps(fields, sort_keys=True)}")
PY
