#!/usr/bin/env bash
# demo_gateway.sh — the closed loop of the demo (scripts/demo-gateway.sh): the clean demo site in
# headless Chromium sends only to phiwall's gateway; the gateway forwards to a loopback mock of
# Meta and GA4. Asserts: nothing from the browser went anywhere but the site and the gateway;
# the mock got Meta and GA4 events, all with safe taxonomy names and harmless page categories;
# no canary identity value of demo/expected.json (plain, normalised, URL-encoded or SHA-256) and
# no care-page path reached the mock; `phiwall audit verify` accepts the audit chain. With a
# build that has the browser scan (`phiwall scan URL`), the scan of the clean site finds nothing.
set -u
. "$PW_SRC/tests/integration/lib.bash"

[ "${PW_SKIP_BROWSER:-0}" = 1 ] && skip "PW_SKIP_BROWSER=1"
[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || skip "chromium not installed"
command -v node >/dev/null || skip "node not installed"
command -v python3 >/dev/null || skip "python3 not installed"
for b in phiwall phiwall-demo-server phiwall-mock-upstream; do
    [ -x "$PW_BUILD/$b" ] || skip "$b not built"
done

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

# a short crawl when the build has the browser scan (the demo default is 16 pages); the run
# takes 30-50 s, the timeout only catches a hang (a machine at load 30+ needed over 90 s)
out=$(PHIWALL_DEMO_SCAN_PAGES=${PHIWALL_DEMO_SCAN_PAGES:-5} timeout 240 "$PW_SRC/scripts/demo-gateway.sh" --build-dir "$PW_BUILD" --out "$dir/run" 2>&1)
rc=$?
expect_code 0 "$rc" "scripts/demo-gateway.sh runs to the end"
[ "$rc" = 0 ] || printf '%s\n' "$out" | tail -n 30 >&2
expect_match "$out" '== what the mock of Meta and GA4 received' "the script prints what the mock received"
expect_match "$out" 'chain intact' "the script prints the audit verification"

# the browser: only the site and the gateway
b=$(cat "$dir/run/browser.txt" 2>/dev/null)
expect_match "$b" 'drive-clean: [0-9]+ pages, [0-9]+ site requests, [1-9][0-9]* gateway requests, 0 other requests' \
    "the browser sent events to the gateway and nothing to any third party"
gw=$(printf '%s\n' "$b" | sed -n 's|^request [A-Z]* \(http://127.0.0.1:[0-9]*\)/.*|\1|p' | sort -u)
[ "$(printf '%s\n' "$gw" | grep -c .)" = 1 ] && pass || fail "requests off the site go to more than one origin: $gw"

# the browser scan of the clean site, when this build has `phiwall scan URL`: no finding at all
if [ -f "$dir/run/scan.json" ]; then
    sum=$(python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["summary"]; print(s["pages"], s["findings"])' \
        "$dir/run/scan.json" 2>/dev/null)
    expect_match "$sum" '^[1-9][0-9]* 0$' "the scan of the clean site crawled pages and found no PHI (pages findings: $sum)"
else
    expect_match "$out" 'phiwall scan: not in this build' "without the browser scan, the script says so"
fi

# the mock: events, names, categories, canaries
report=$(python3 - "$dir/run/mock.jsonl" "$PW_SRC/demo/expected.json" "$dir/run/scan.json" <<'PY'
import hashlib, json, re, sys, urllib.parse
SAFE = {"meta": {"PageView", "Schedule", "Contact", "Lead"}, "ga4": {"page_view", "generate_lead"}}
CATEGORIES = {"home", "scheduling", "find_doctor", "visit_info", "about", "other"}
canary = json.load(open(sys.argv[2]))["canary"]
values = set()
def add(v):
    if not isinstance(v, str) or len(v) < 4:
        return
    for x in {v, v.lower(), v.strip().lower()}:
        values.add(x)
        values.add(urllib.parse.quote(x))
        values.add(urllib.parse.quote_plus(x))
        values.add(hashlib.sha256(x.encode()).hexdigest())
for k, v in canary.items():
    if isinstance(v, dict):
        for w in v.values():
            add(w)
    else:
        add(v)
try:  # the scan's own canary identity: every value it put into a query string
    for page in json.load(open(sys.argv[3]))["pages"]:
        for _, v in urllib.parse.parse_qsl(urllib.parse.urlsplit(page["url"]).query):
            add(v)
except (OSError, ValueError, KeyError):
    pass
for care in ("hiv-care", "behavioral-health", "elena-marsh", "symptom-checker", "sertraline"):
    values.add(care)
names = {"meta": set(), "ga4": set()}
problems = []
n = 0
for line in open(sys.argv[1]):
    n += 1
    r = json.loads(line)
    text = r["url"] + "\n" + r["body"]
    for v in values:
        # a short or all-digit value (a ZIP like 01758) also occurs by chance inside a hex
        # client_id or a timestamp; it counts only where it stands as a token of its own
        if len(v) < 8 or v.isdigit():
            token = re.compile(r"(?<![0-9A-Za-z])" + re.escape(v) + r"(?![0-9A-Za-z])")
            hit = token.search(text) or token.search(urllib.parse.unquote_plus(text))
        else:
            hit = v in text
        if hit:
            problems.append(f"canary {v[:24]!r} reached the mock: {r['url']}")
    dest = "meta" if "/events" in r["url"] else "ga4" if "/mp/collect" in r["url"] else None
    if dest is None:
        problems.append(f"unexpected request {r['url']}")
        continue
    body = json.loads(r["body"])
    for ev in body.get("data") or body.get("events") or []:
        name = ev.get("event_name") or ev.get("name")
        names[dest].add(name)
        if name not in SAFE[dest]:
            problems.append(f"{dest}: unsafe event name {name}")
        cat = (ev.get("custom_data") or ev.get("params") or {})
        cat = cat.get("content_category") or cat.get("page_category")
        if cat is not None and cat not in CATEGORIES:
            problems.append(f"{dest}: page category {cat!r}")
        if dest == "meta" and "user_data" in ev:
            ud = ev["user_data"]
            extra = set(ud) - {"em", "ph", "external_id", "client_ip_address", "client_user_agent"}
            if extra or "client_ip_address" in ud or "client_user_agent" in ud:
                problems.append(f"meta: user_data keys {sorted(ud)}")
print(f"requests {n}")
print("meta " + " ".join(sorted(names["meta"])))
print("ga4 " + " ".join(sorted(names["ga4"])))
for p in problems[:20]:
    print("PROBLEM " + p)
PY
)
expect_match "$report" 'requests [1-9]' "the mock received requests"
expect_match "$report" '^meta .*PageView' "Meta got PageView"
expect_match "$report" '^meta .*Schedule' "Meta got Schedule (appointment_request)"
expect_match "$report" '^meta .*Contact' "Meta got Contact (refill form)"
expect_match "$report" '^ga4 .*generate_lead' "GA4 got generate_lead (appointment_request)"
expect_match "$report" '^ga4 .*page_view' "GA4 got page_view"
expect_nomatch "$report" 'PROBLEM' "no canary value, care path, unsafe name or category reached the mock"
printf '%s\n' "$report" | grep PROBLEM >&2

# the audit chain
"$PW_BUILD/phiwall" audit verify --audit "$dir/run/audit.log" >/dev/null 2>&1
expect_code 0 "$?" "phiwall audit verify accepts the gateway's audit log"
list=$("$PW_BUILD/phiwall" audit list --audit "$dir/run/audit.log" 2>&1)
expect_match "$list" 'sent' "the audit lists the disclosures sent"
# an accounting of disclosures: per event_id, accepted/queued before any sent/dead, and one
# "queued" per destination however often the tag retried (a repeat is "duplicate")
order=$(python3 - "$dir/run/audit.log" <<'PY'
import json, sys
seen, queued = {}, {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    e, a, d = r.get("event_id"), r["action"], r.get("destination")
    if a in ("accepted", "queued"):
        seen.setdefault(e, set()).add(a)
    if a == "queued":
        queued[(e, d)] = queued.get((e, d), 0) + 1
        if queued[(e, d)] == 2:
            print(f"PROBLEM {e} queued twice for {d}")
    if a in ("sent", "dead", "retry") and "queued" not in seen.get(e, ()):
        print(f"PROBLEM {e}: {a} {d} before its queued record")
PY
)
expect_nomatch "$order" 'PROBLEM' "audit: ingest records before outcomes, no second queued"
printf '%s\n' "$order" | grep PROBLEM >&2
finish
