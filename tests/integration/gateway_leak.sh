#!/usr/bin/env bash
# gateway_leak.sh — "what the scanner flags, the gateway blocks", on the wire: a live gateway
# with a permissive policy (Meta, GA4 and a webhook at phiwall-mock-upstream; params, titles
# and foreign referrers kept, phi: redact) gets the evasions found by sending the scanner's
# flagged values from demo/demo.har and the Markup captures through it (1 December 2026):
# spaced-out words, layered base64, a param named for a condition, a percent-encoded referrer
# host and a 7-digit "port", and a GA4 title over 100 characters. Checked: no flagged text
# reaches the mock in any decoding (base64, percent, letters joined), and what the mock
# received is byte for byte (times aside) what `--explain` prints for the same events and
# policy — no SENT in --explain that the forwarder then dead-letters.
set -u
. "$PW_SRC/tests/integration/lib.bash"
gateway_test_dir
mock_upstream_start || { fail "mock did not start"; finish; exit; }
{ policy_site; cat <<YAML; } >"$dir/gw.yaml"
ingest:
  rate_limit: {per_second: 0, burst: 0}
destinations:
  meta:
    type: meta
    base_url: $mock
    pixel_id: "1"
    access_token_env: PHIWALL_META_TOKEN
    events: {appointment_request: Schedule}
    allow_params: [label, hiv_status]
    page_url: origin
    referrer: origin
    referrer_origins: "*"
    page_title: keep
    first_party_id: hmac
    phi: redact
  ga4:
    type: ga4
    base_url: $mock
    measurement_id: G-LEAK
    api_secret_env: PHIWALL_GA4_SECRET
    events: {appointment_request: generate_lead}
    allow_params: [label, hiv_status]
    page_url: origin
    page_title: keep
    first_party_id: hmac
    phi: redact
  hook:
    type: webhook
    url: $mock/hook
    events: {appointment_request: Schedule}
    allow_params: [label, hiv_status]
    referrer: origin
    referrer_origins: "*"
    page_title: keep
    first_party_id: hmac
    text_scripts: any
    phi: redact
YAML
python3 - "$dir/events.json" <<'PY'
import json, sys
labels = ["S.c.h.e.d.u.l.e. .a. .c.a.n.c.e.r. .c.o.n.s.u.l.t.a.t.i.o.n",
          "h.t.t.p.:././.1.2.7...0...0...1.:.4.2.1.0.9./.s.e.r.v.i.c.e.s./.o.n.c.o.l.o.g.y",
          "c\u00b7a\u00b7n\u00b7c\u00b7e\u00b7r", "c , a , n , c , e , r",
          "WW5KbFlYTjBJR05oYm1ObGNnPT0=", "Y2FuY2Vy", "YnJlYXN0JTIwY2FuY2Vy", "visiting hours"]
evs = []
for i, v in enumerate(labels):
    evs.append({"event_id": "8a6e0804-2bd0-4672-b79d-%012d" % i, "name": "appointment_request",
                "consent": {"ads": True, "analytics": True}, "fpid": "fp-%d" % i,
                "page_url": "https://www.example-hospital.org/x", "params": {"label": v, "hiv_status": True}})
evs[0]["referrer"] = "https://www.%68%69%76clinic.org/"
evs[1]["referrer"] = "https://www.google.com:5550142/"
evs[2]["page_title"] = "Cancer Care at the Halvorsen Cancer Institute | " + "Rivermoor Regional " * 5
json.dump(evs, open(sys.argv[1], "w"))
PY
gateway_start "$dir/log" --config "$dir/gw.yaml" --spool "$dir/spool.db" --audit "$dir/audit.log" ||
    { fail "gateway started"; finish; exit; }
out=$(curl --noproxy '*' -s -A 'leak-test/1' -H 'Content-Type: text/plain' --data-binary @"$dir/events.json" \
    "http://127.0.0.1:$port/e")
expect_match "$out" '"received":8,"accepted":8' "posted: $out"
# every event reaches each destination (24 payloads), or the GA4 forwarder dead-letters one
delivered() { python3 - "$dir/mock.jsonl" <<'PY'
import json, sys
n = 0
for line in open(sys.argv[1]):
    b = json.loads(json.loads(line)["body"])
    n += len(b) if isinstance(b, list) else len(b["data"]) if "data" in b else 1
print(n)
PY
}
settled() { [ "$(delivered)" -ge 24 ] || grep -q '"dead"' "$dir/audit.log"; }
wait_until "$PW_WAIT_S" settled || fail "delivery did not settle"
sleep 1 # a dead letter is written with its batch: nothing more is on its way
expect_match "$(delivered)" '^24$' "24 payloads delivered (8 events x 3 destinations)"
expect_nomatch "$(cat "$dir/audit.log")" '"dead"' "nothing dead-lettered"

# no flagged text on the wire, read as a reader would decode it
leaks=$(python3 - "$dir/mock.jsonl" <<'PY'
import base64, json, re, sys, urllib.parse
terms = ["cancer", "oncology", "hivclinic", "hivstatus", "5550142"]
def views(s):
    out = {s}
    for _ in range(3):
        for x in list(out):
            out.add(urllib.parse.unquote(x))
            for m in re.findall(r"[A-Za-z0-9+/_-]{8,}={0,2}", x):
                try:
                    out.add(base64.b64decode(m + "=" * (-len(m) % 4)).decode())
                except Exception:
                    pass
    return out
def strings(j):
    if isinstance(j, dict):
        for k, v in j.items():
            yield k
            yield from strings(v)
    elif isinstance(j, list):
        for v in j:
            yield from strings(v)
    elif isinstance(j, str):
        yield j
for line in open(sys.argv[1]):
    for s in strings(json.loads(json.loads(line)["body"])):
        for v in views(s):
            flat = re.sub(r"[^0-9a-z]", "", v.lower())
            for t in terms:
                if t in flat and not re.fullmatch(r"[0-9a-f]{64}", s):
                    print(t, "in", s[:80])
PY
)
expect_match "${leaks:-none}" '^none$' "flagged text on the wire: $leaks"

# --explain for the same events and policy prints what the mock received
"$PHIWALL" gateway --explain "$dir/events.json" --config "$dir/gw.yaml" --ip 127.0.0.1 \
    --ua 'leak-test/1' >"$dir/explain.txt" 2>&1
expect_code 0 $? "--explain"
cmp=$(python3 - "$dir/explain.txt" "$dir/mock.jsonl" <<'PY'
import json, re, sys
def norm(p):
    for k in ("event_time", "timestamp_micros", "time"):
        p.pop(k, None)
    return json.dumps(p, sort_keys=True)
explained, sent = [], []
for line in open(sys.argv[1]):
    m = re.match(r"    payload: (.*)$", line)
    if m:
        explained.append(norm(json.loads(m.group(1))))
for line in open(sys.argv[2]):
    b = json.loads(json.loads(line)["body"])
    for p in b if isinstance(b, list) else b["data"] if "data" in b else [b]:
        sent.append(norm(p))
print("same" if sorted(explained) == sorted(sent) else
      "differ: %d explained, %d sent, only explained: %s" %
      (len(explained), len(sent), sorted(set(explained) - set(sent))[:2]))
PY
)
expect_match "$cmp" '^same$' "--explain vs the wire: $cmp"
finish
