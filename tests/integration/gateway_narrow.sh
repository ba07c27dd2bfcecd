#!/usr/bin/env bash
# gateway_narrow.sh — a policy tightened by a reload reaches the events already spooled. The
# upstream (phiwall-mock-upstream, on a port of its own) is down while events are accepted under
# a loose policy; the privacy officer removes a param, a page category, the referrer, the page
# title, the user agent, a GA4 consent taken from the visitor, GA4's first-party id and Meta's
# Schedule event, and reloads (SIGHUP); the upstream comes back. Checked: the exact payloads
# each destination receives (the backlog narrowed to the new policy, not as spooled), Meta's
# Schedule event dead-lettered with the policy version in its reason, the audit records naming
# what was removed and by which policy, /metrics counting both, and the chain verifying.
# Before (the backlog went out as spooled), every one of these fields reached the upstream.
set -u
. "$PW_SRC/tests/integration/lib.bash"
gateway_test_dir
[ -x "$PW_BUILD/phiwall-mock-upstream" ] || skip "phiwall-mock-upstream not built"
uport=$(free_port)
up=http://127.0.0.1:$uport
policy() { # $1: loose | tight
    policy_site 0
    local params='[value, clinic_code]' cats='{"/find-a-doctor*": find_doctor, "/clinics/*": clinic_page}'
    local ref='referrer: origin' title=keep ua=keep ga4consent=visitor ga4fpid=hmac
    local metaevents='{page_view: PageView, appointment_request: Schedule}'
    local hookrefs='[https://www.google.com]' hookip=truncate
    if [ "$1" = tight ]; then
        params='[value]' cats='{"/find-a-doctor*": find_doctor}' ref='referrer: drop' title=drop
        ua=drop ga4consent=denied ga4fpid=drop metaevents='{page_view: PageView}' hookrefs='[]'
        hookip=drop
    fi
    cat <<YAML
destinations:
  meta:
    type: meta
    base_url: $up
    pixel_id: "1"
    access_token_env: PHIWALL_META_TOKEN
    events: $metaevents
    allow_params: $params
    page_url: categories
    page_categories: $cats
    default_category: other
    $ref
    referrer_origins: [https://www.google.com]
    page_title: $title
    client_ip: truncate
    user_agent: $ua
    first_party_id: hmac
  ga4:
    type: ga4
    base_url: $up
    measurement_id: G-NARROW
    api_secret_env: PHIWALL_GA4_SECRET
    events: {page_view: page_view, appointment_request: generate_lead}
    allow_params: $params
    page_url: categories
    page_categories: $cats
    default_category: other
    referrer: origin
    referrer_origins: [https://www.google.com]
    page_title: $title
    consent: $ga4consent
    first_party_id: $ga4fpid
  hook:
    type: webhook
    url: $up/hook
    events: {page_view: PageView, appointment_request: Schedule}
    allow_params: $params
    page_url: categories
    page_categories: $cats
    default_category: other
    referrer: origin
    referrer_origins: $hookrefs
    page_title: $title
    client_ip: $hookip
    user_agent: keep
    first_party_id: hmac
YAML
}
policy loose >"$dir/gw.yaml"
"$PHIWALL" gateway --check "$dir/gw.yaml" >/dev/null; expect_code 0 $? "the loose policy checks"
gateway_start "$dir/log" --config "$dir/gw.yaml" --spool "$dir/spool.db" --audit "$dir/audit.log" ||
    { fail "gateway started"; finish; exit; }

# Two events accepted while the upstream is down (nothing listens on its port).
t=$(( $(date +%s) * 1000 - 60000 ))
ev() { # id name path
    printf '{"event_id":"%s","name":"%s","time":%s,"fpid":"fp-%s","consent":{"ads":true,"analytics":true},' \
        "$1" "$2" "$t" "$1" 
    printf '"page_url":"https://www.example-hospital.org%s?q=1","referrer":"https://www.google.com/search?q=x",' "$3"
    printf '"page_title":"Visiting hours","params":{"value":12,"clinic_code":"K7"}}'
}
A=11111111-1111-4111-8111-111111111111
B=22222222-2222-4222-8222-222222222222
out=$(curl --noproxy '*' -s -A 'narrow-test/1' -H 'Content-Type: text/plain' \
    --data-binary "[$(ev $A page_view /find-a-doctor/smith),$(ev $B appointment_request /clinics/north)]" \
    "http://127.0.0.1:$port/e")
expect_match "$out" '"received":2,"accepted":2' "posted while the upstream is down: $out"
gateway_wait metrics '^phiwall_gateway_deliveries_total\{destination="hook",outcome="failed"\} [1-9]'
expect_code 0 $? "delivery was attempted and failed (upstream down)"
expect_match "$(curl --noproxy '*' -s "http://127.0.0.1:$port/metrics")" \
    'phiwall_gateway_spool_depth\{destination="meta"\} 2' "both events queued for meta"

# Tighten, reload, bring the upstream back.
policy tight >"$dir/gw.yaml"
kill -HUP "$pid"
gateway_wait metrics '^phiwall_gateway_policy_reloads_total\{result="ok"\} 1$'
expect_code 0 $? "reloaded"
mock_upstream_on "$uport"
for d in meta ga4 hook; do
    gateway_wait metrics "^phiwall_gateway_spool_depth\\{destination=\"$d\"\\} 0$"
    expect_code 0 $? "$d drained"
done

python3 - "$dir/mock.jsonl" "$PHIWALL_SITE_KEY" "$t" "$A" "$B" <<'PY'
import hashlib, hmac, json, sys
log, key, t, A, B = sys.argv[1], sys.argv[2].encode(), int(sys.argv[3]), sys.argv[4], sys.argv[5]
h = lambda dest, v: hmac.new(key, (dest + "\0" + v).encode(), hashlib.sha256).hexdigest()
ordered = lambda s: json.loads(s, object_pairs_hook=list)   # key order counts
got = {"meta": [], "ga4": [], "hook": []}
for line in open(log):
    r = json.loads(line)
    body = json.loads(r["body"])
    if "/events" in r["url"]:
        got["meta"] += [json.dumps(e) for e in body["data"]]
    elif "/mp/collect" in r["url"]:
        got["ga4"].append(json.dumps(body))
    else:
        got["hook"] += [json.dumps(e) for e in body]
origin = "https://www.example-hospital.org"
want = {
    "meta": [  # A narrowed; B (Schedule) no longer sent to meta: dead-lettered
        {"event_name": "PageView", "event_time": t // 1000, "event_id": A, "action_source": "website",
         "event_source_url": origin + "/",
         "user_data": {"external_id": h("meta", "fp-" + A), "client_ip_address": "127.0.0.0"},
         "custom_data": {"value": 12, "content_category": "find_doctor"}}],
    "ga4": [
        {"client_id": h("ga4", ev), "timestamp_micros": t * 1000,
         "consent": {"ad_user_data": "DENIED", "ad_personalization": "DENIED"},
         "events": [{"name": name, "params": dict(
             [("value", 12), ("page_location", origin)] + ([("page_category", cat)] if cat else []) +
             [("page_referrer", "https://www.google.com")])}]}
        for ev, name, cat in ((A, "page_view", "find_doctor"), (B, "generate_lead", None))],
    "hook": [
        dict([("event_id", ev), ("name", name), ("time", t), ("page_origin", origin)] +
             ([("page_category", cat)] if cat else []) +
             [("user_agent", "narrow-test/1"), ("fpid", h("hook", "fp-" + ev)), ("params", {"value": 12})])
        for ev, name, cat in ((A, "PageView", "find_doctor"), (B, "Schedule", None))],
}
bad = 0
for dest in want:
    g = sorted(got[dest])
    w = sorted(json.dumps(x) for x in want[dest])
    if [ordered(x) for x in g] != [ordered(x) for x in w]:
        bad += 1
        print("FAIL: %s received\n  %s\nexpected\n  %s" % (dest, "\n  ".join(g), "\n  ".join(w)), file=sys.stderr)
sys.exit(bad)
PY
expect_code 0 $? "each destination received the backlog narrowed to the policy in force, exactly"
raw=$(cat "$dir/mock.jsonl")
for leak in clinic_code K7 clinic_page 'Visiting hours' google.com/search GRANTED "fp-$A"; do
    expect_nomatch "$raw" "$leak" "nothing removed by the reload reached the upstream ($leak)"
done
metrics=$(curl --noproxy '*' -s "http://127.0.0.1:$port/metrics")
expect_match "$metrics" '^phiwall_gateway_delivery_narrowed_total\{destination="meta",outcome="sent"\} 1$' "metrics: meta narrowed 1"
expect_match "$metrics" '^phiwall_gateway_delivery_narrowed_total\{destination="meta",outcome="dead"\} 1$' "metrics: meta dead 1"
expect_match "$metrics" '^phiwall_gateway_delivery_narrowed_total\{destination="ga4",outcome="sent"\} 2$' "metrics: ga4 narrowed 2"
expect_match "$metrics" '^phiwall_gateway_delivery_narrowed_total\{destination="hook",outcome="sent"\} 2$' "metrics: hook narrowed 2"
gateway_stop
"$PHIWALL" audit verify --audit "$dir/audit.log" >/dev/null; expect_code 0 $? "the chain verifies"
sha=$(sha256sum "$dir/gw.yaml" | cut -c1-12)
audit=$("$PHIWALL" audit list --audit "$dir/audit.log" --json)
dead=$(printf '%s\n' "$audit" | grep '"action":"dead"')
expect_match "$dead" "\"event_id\":\"$B\".*\"destination\":\"meta\".*policy reload: not sent under the policy in force \\(sha256 $sha\\): events: no rule of the policy in force sends 'Schedule'" \
    "meta's Schedule event dead-lettered naming the policy version"
expect_code 1 "$(printf '%s\n' "$dead" | wc -l)" "one dead letter"
sent=$(printf '%s\n' "$audit" | grep '"action":"sent"' | grep "\"event_id\":\"$A\"" | grep '"destination":"meta"')
expect_match "$sent" "policy reload: narrowed to the policy in force \\(sha256 $sha\\): .*custom_data.clinic_code \\(allow_params: not allowed\\)" \
    "meta's sent record names what the policy in force removed"
expect_nomatch "$(printf '%s\n' "$sent" | sed 's/"rule":"[^"]*"//')" 'clinic_code|referrer|page_title|client_user_agent' \
    "its disclosed fields are those sent"
finish
