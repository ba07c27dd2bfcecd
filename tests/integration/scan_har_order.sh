#!/usr/bin/env bash
# scan_har_order.sh — a HAR's report does not depend on the order its entries are listed in
# (docs/scan-har.md, "Entry order"): demo/demo.har with its entries shuffled (several seeds), with
# only the portal's login POST moved to the end, and a 4,525-entry session shuffled, gives the
# same JSON report as the recorded order (every field but the target, the file name).
# Before the reorder window, a shuffle judged the portal's pages before the login POST: two
# critical PW-AUTH-TRACKER findings on /portal/* became medium PW-CONDITION-URL.
set -u
. "$PW_SRC/tests/integration/lib.bash"
[ -f "$PW_SRC/demo/demo.har" ] || skip "demo/demo.har not in this tree"
command -v python3 >/dev/null || skip "python3 not installed"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

"$PHIWALL" scan --har "$PW_SRC/demo/demo.har" --format json -o "$T/ref.json"
expect_code 0 $? "the recorded order scans"
grep -q '"PW-AUTH-TRACKER"' "$T/ref.json"
expect_code 0 $? "the recorded order has its logged-in findings"

python3 - "$PW_SRC/demo/demo.har" "$T" <<'PY'
import json, random, sys
src, out = sys.argv[1], sys.argv[2]
har = json.load(open(src))
entries = har["log"]["entries"]
for seed in (1, 2, 3, 7, 42):
    h = json.loads(json.dumps(har))
    random.Random(seed).shuffle(h["log"]["entries"])
    json.dump(h, open(f"{out}/shuffled{seed}.har", "w"))
# only the login POST out of place: the portal's pages come before it in the file
h = json.loads(json.dumps(har))
e = h["log"]["entries"]
login = [x for x in e if x["request"]["method"] == "POST" and "/portal/login" in x["request"]["url"]]
assert login, "demo.har has no portal login POST"
h["log"]["entries"] = [x for x in e if x not in login] + login
json.dump(h, open(f"{out}/login-last.har", "w"))
# a longer session: the visit made 25 times, a minute apart (4,525 entries), and shuffled
import datetime
def later(e, k):
    e = json.loads(json.dumps(e))
    t = datetime.datetime.fromisoformat(e["startedDateTime"].replace("Z", "+00:00"))
    e["startedDateTime"] = (t + datetime.timedelta(minutes=k)).isoformat().replace("+00:00", "Z")
    return e
h = json.loads(json.dumps(har))
h["log"]["entries"] = [later(e, k) for k in range(25) for e in entries]
json.dump(h, open(f"{out}/long.har", "w"))
random.Random(5).shuffle(h["log"]["entries"])
json.dump(h, open(f"{out}/long-shuffled.har", "w"))
PY
expect_code 0 $? "shuffled copies written"

same() { # the two JSON reports but for their target
    python3 - "$1" "$2" <<'PY'
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
a.pop("target"); b.pop("target")
if a != b:
    ka = {(f["rule_id"], f["page"]["url"], f["severity"]) for f in a["findings"]}
    kb = {(f["rule_id"], f["page"]["url"], f["severity"]) for f in b["findings"]}
    print("only in the recorded order:", sorted(ka - kb))
    print("only in the shuffled copy:", sorted(kb - ka))
    print("keys that differ:", sorted(k for k in a if a[k] != b.get(k)))
    sys.exit(1)
PY
}

"$PHIWALL" scan --har "$T/long.har" --format json -o "$T/long.json"
expect_code 0 $? "the long session scans"
for f in "$T"/shuffled*.har "$T/login-last.har" "$T/long-shuffled.har"; do
    ref="$T/ref.json"
    [ "$f" = "$T/long-shuffled.har" ] && ref="$T/long.json"
    "$PHIWALL" scan --har "$f" --format json -o "$T/out.json"
    expect_code 0 $? "$(basename "$f") scans"
    same "$ref" "$T/out.json"
    expect_code 0 $? "$(basename "$f"): the same report as the recorded order"
done
finish
