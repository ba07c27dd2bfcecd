#!/usr/bin/env bash
# gateway_cli.sh — `phiwall gateway` as a program: --check (effective policy, line:col errors),
# --explain, and a real run: /healthz, /phiwall.js, POST /e, SIGHUP reload (good and bad
# files), SIGTERM drain; the logs and the audit never hold the PHI that was posted.
set -u
. "$PW_SRC/tests/integration/lib.bash"
gateway_test_setup
ex="$PW_SRC/contrib/gateway.example.yaml"

out=$("$PHIWALL" gateway --check "$ex"); expect_code 0 $? "--check example"
expect_match "$out" "appointment_request -> Schedule" "--check prints the taxonomy"
expect_nomatch "$out" "tok-XYZ|sec-XYZ|0123456789abcdef" "--check never prints secrets"

sed 's/      newsletter_signup: Lead/      newsletter_signup: CancerLead/' "$ex" >"$dir/lint.yaml"
out=$("$PHIWALL" gateway --check "$dir/lint.yaml"); expect_code 0 $? "--check with a warning"
expect_match "$out" "warning: destinations.meta.events.newsletter_signup: taxonomy name hits the PHI engine" "--check lints names"

# A page category that discloses a condition refuses the policy (--check, --explain, load),
# naming the line and column, the category and what the PHI engine found.
sed 's|^      "/locations\*": locations$|&\n      "/conditions/hiv*": hiv_patients|' "$ex" >"$dir/hivcat.yaml"
grep -q hiv_patients "$dir/hivcat.yaml" || fail "hivcat.yaml not written"
out=$("$PHIWALL" gateway --check "$dir/hivcat.yaml" 2>&1); expect_code 3 $? "--check PHI category"
expect_match "$out" "hivcat.yaml:46:27: destinations.meta.page_categories./conditions/hiv\*: category 'hiv_patients' hits the PHI engine \(HEALTH: " "category error names line:col"
expect_nomatch "$out" ": OK$" "--check PHI category not OK"
out=$("$PHIWALL" gateway --explain "$PW_SRC/tests/data/gateway/event_appointment.json" --config "$dir/hivcat.yaml" 2>&1)
expect_code 3 $? "--explain PHI category"
expect_nomatch "$out" "content_category\":\"hiv" "--explain never shows an HIV category sent"
for f in "$ex" "$PW_SRC/demo/gateway.demo.yaml"; do
    "$PHIWALL" gateway --check "$f" >/dev/null 2>&1; expect_code 0 $? "--check $(basename "$f") (neutral categories)"
done

printf 'destinations:\n  meta:\n    type: meta\n    allow_params: value\n' >"$dir/bad.yaml"
out=$("$PHIWALL" gateway --check "$dir/bad.yaml" 2>&1); expect_code 3 $? "--check bad file"
expect_match "$out" "bad.yaml:4:19: destinations.meta.allow_params: expected a list" "line:col error"

# Numeric options are whole numbers in range, or a usage error naming the option.
out=$("$PHIWALL" gateway --config "$ex" --threads two 2>&1); expect_code 2 $? "--threads not a number"
expect_match "$out" "--threads: expected a number from 0 to 1024, got 'two'" "--threads error"
out=$("$PHIWALL" gateway --config "$ex" --header-kib 4 2>&1); expect_code 2 $? "--header-kib too small"
expect_match "$out" "--header-kib: expected a number from 8 to 1024, got '4'" "--header-kib error"
out=$("$PHIWALL" gateway --config "$ex" --spool-max-mb 12x 2>&1); expect_code 2 $? "--spool-max-mb junk"
expect_match "$out" "--spool-max-mb: expected a number" "--spool-max-mb error"

# --check, --explain and serving are three modes: an option of another is a usage error, not
# ignored (--check FILE --config OTHER validated FILE alone; --ip without --explain did nothing)
ev="$PW_SRC/tests/data/gateway/event_appointment.json"
mode_err() { # expected-regex what args...
    local want=$1 what=$2; shift 2
    local e; e=$("$PHIWALL" gateway "$@" 2>&1 >/dev/null); local rc=$?
    expect_code 2 $rc "$what: exit code"
    expect_match "$e" "$want" "$what: message"
}
mode_err "--check FILE validates FILE alone: give it without --config" "--check with --config" \
    --check "$ex" --config "$dir/other.yaml"
mode_err "--check FILE validates FILE alone: give it without --explain" "--check with --explain" \
    --check "$ex" --explain "$ev"
mode_err "--listen is for running the gateway, not --check" "--check with --listen" \
    --check "$ex" --listen 127.0.0.1:1
mode_err "--spool is for running the gateway, not --explain" "--explain with --spool" \
    --explain "$ev" --config "$ex" --spool "$dir/s.db"
mode_err "--ip applies to --explain only" "--ip when serving" --config "$ex" --ip 192.0.2.1
mode_err "--ua applies to --explain only" "--ua with --check" --check "$ex" --ua x
out=$("$PHIWALL" gateway --explain "$ev" --config "$ex" --ip 192.0.2.1 --ua x --vocab /dev/null 2>&1)
expect_code 0 $? "--explain with --ip, --ua, --vocab"
# --explain quotes the event's keys: they reach the terminal as text, not as control characters
printf '%s' '{"event_id":"3b241101-e2bb-4255-8caf-4136c566a962","name":"appointment_request","consent":{"ads":true,"analytics":true},"page_url":"https://www.example-hospital.org/","params":{"k\u001b[31m":"v"}}' >"$dir/esc.json"
out=$("$PHIWALL" gateway --explain "$dir/esc.json" --config "$ex"); expect_code 0 $? "--explain an event with an ESC in a key"
expect_nomatch "$out" $'\033' "--explain prints no ESC"
expect_match "$out" 'params\.k\\x1b\[31m +dropped' "--explain shows the key escaped"
expect_match "$out" "^  meta: DROPPED — meta: no user_data" "--explain keeps its lines and UTF-8 (—)"

out=$("$PHIWALL" gateway --explain "$PW_SRC/tests/data/gateway/event_appointment.json" --config "$ex")
expect_code 0 $? "--explain"
expect_match "$out" "meta: SENT as Schedule" "--explain meta"
expect_match "$out" "meta: DROPPED — deny_by_default: event name not in events" "--explain refuses"
expect_match "$out" "params.condition +dropped +deny_by_default: allow_params" "--explain param rule"
expect_nomatch "$out" "payload:.*(diabetes|00123456|Jane|jane)" "--explain payloads clean"
expect_match "$out" "event_time +sent +event_time: receipt time \(the event has none\)" "--explain: no time, receipt time"

# The reviewer's evasions, through the real PHI engine: foreign referrer hosts naming a
# condition or a person, fullwidth/Cyrillic/zero-width/soft-hyphen/dotted/base64 notes, and a
# visitor without consent: nothing of them reaches a payload, --explain says why.
sed -e 's|^    referrer: drop .*$|    referrer: origin\n    referrer_origins: ["*"]|' \
    -e 's|allow_params: \[value, currency\]|allow_params: [value, currency, note]|' "$ex" >"$dir/evade.yaml"
out=$("$PHIWALL" gateway --explain "$PW_SRC/tests/data/gateway/event_evasions.json" --config "$dir/evade.yaml" 2>&1)
expect_code 0 $? "--explain evasions"
expect_nomatch "$out" "payload:.*(hiv|cancer|jane|HIV|IV\"|ancer|h\.i\.v|am9ob|referrer_origin|mama)" "evasions never in a payload"
expect_match "$out" "referrer +dropped +referrer: host names health context or a person \(HEALTH\)" "referrer host scanned"
expect_match "$out" "referrer +dropped +referrer: a subdomain not in referrer_origins" "referrer subdomain dropped"
expect_match "$out" "custom_data.note +dropped +guard: compatibility letter U\+FF28" "fullwidth refused"
expect_match "$out" "custom_data.note +dropped +guard: text_scripts latin: non-Latin letter U\+041D" "Cyrillic refused"
expect_match "$out" "custom_data.note +dropped +guard: invisible format character U\+200B" "zero-width refused"
expect_match "$out" "custom_data.note +dropped +guard: invisible format character U\+00AD" "soft hyphen refused"
expect_match "$out" "custom_data.note +dropped +guard: spaced-out letters carry PHI" "dotted letters refused"
expect_match "$out" "custom_data.note +dropped +guard: base64 text carries PHI" "base64 refused"
# An accented term is read without its accents and handled per phi like ASCII text (it was
# dropped whole by the guard): drop here, redact below.
expect_match "$out" "custom_data.note +dropped +phi: drop \(HEALTH\)" "cáncer dropped per phi: drop"
sed 's|phi: drop|phi: redact|' "$dir/evade.yaml" >"$dir/evade_redact.yaml"
out=$("$PHIWALL" gateway --explain "$PW_SRC/tests/data/gateway/event_evasions.json" --config "$dir/evade_redact.yaml" 2>&1)
expect_match "$out" "custom_data.note +redacted +phi: redact \(HEALTH\)" "cáncer redacted per phi: redact"
expect_match "$out" 'payload:.*"note":"\[HEALTH\]"' "cáncer de mama sent as [HEALTH]"
expect_nomatch "$out" "payload:.*(hiv|cancer|HIV|IV\"|ancer|h\.i\.v|am9ob|mama)" "evasions never in a payload (redact)"
expect_match "$out" "meta: DROPPED — requires_consent: ads" "no ads consent: nothing to Meta"
expect_match "$out" "ga4: DROPPED — requires_consent: analytics" "no analytics consent: nothing to GA4"
# Spanish pages: the built-in vocabulary has Spanish terms (data/vocab/es/), accented or not;
# contrib/vocab-es.tsv loaded on top with --vocab changes nothing for these.
printf '{"event_id":"77777777-2222-4333-8444-00000000000a","name":"appointment_request","fpid":"x","consent":{"ads":true,"analytics":true},"params":{"note":"prueba de VIH y embarazo"}}' >"$dir/ev_es.json"
out=$("$PHIWALL" gateway --explain "$dir/ev_es.json" --config "$dir/evade.yaml" 2>&1)
expect_nomatch "$out" "payload:.*(VIH|embarazo)" "built in: VIH and embarazo never in a payload"
out=$("$PHIWALL" gateway --explain "$dir/ev_es.json" --config "$dir/evade.yaml" --vocab "$PW_SRC/contrib/vocab-es.tsv" 2>&1)
expect_code 0 $? "--explain --vocab contrib/vocab-es.tsv"
expect_nomatch "$out" "payload:.*(VIH|embarazo)" "with contrib/vocab-es.tsv: VIH and embarazo never in a payload"
out=$("$PHIWALL" gateway --check "$dir/evade.yaml" 2>&1); expect_code 0 $? "--check evade.yaml"
expect_match "$out" "requires_consent: analytics \(not sent without the visitor's consent.analytics\)" "--check shows requires_consent"
expect_match "$out" "referrer_origins: site.origins, any other whose host passes the PHI engine" "--check shows referrer_origins"
# GA4 names GA4 would silently drop are refused with their place in the file.
sed 's|      appointment_request: generate_lead|      appointment_request: session_start|' "$ex" >"$dir/ga4name.yaml"
out=$("$PHIWALL" gateway --check "$dir/ga4name.yaml" 2>&1); expect_code 3 $? "--check reserved GA4 name"
expect_match "$out" "ga4name.yaml:[0-9]+:[0-9]+: destinations.ga4.events.appointment_request: 'session_start' is not an event name GA4 takes" "GA4 reserved name refused"

# An event's time is never re-dated: a year-old conversion is refused (Meta > 6 days, GA4 > 72 h),
# an hour-old one keeps its own time (times relative to now).
now_ms=$(($(date +%s) * 1000))
at() { # AGE_MS: the appointment event with time = now - AGE_MS
    sed "s|\"name\":\"appointment_request\",|\"name\":\"appointment_request\",\"time\":$((now_ms - $1)),|" \
        "$PW_SRC/tests/data/gateway/event_appointment.json" >"$dir/ev_time.json"
    "$PHIWALL" gateway --explain "$dir/ev_time.json" --config "$ex"
}
out=$(at $((365 * 86400000))); expect_code 0 $? "--explain a year-old event"
expect_match "$out" "meta: DROPPED — event_time: older than 6 days \(Meta rejects events older than 7\): refused, not re-dated" "year-old: Meta refused"
expect_match "$out" "ga4: DROPPED — event_time: older than 72 h \(GA4's limit\): refused, not re-dated" "year-old: GA4 refused"
expect_nomatch "$out" "SENT as Schedule" "year-old: never sent as fresh"
out=$(at $((4 * 86400000))); expect_code 0 $? "--explain a 4-day-old event"
expect_match "$out" "meta: SENT as Schedule" "4 days: Meta takes it"
expect_match "$out" "\"event_time\":$(((now_ms - 4 * 86400000) / 1000))," "4 days: Meta gets the event's own time"
expect_match "$out" "ga4: DROPPED — event_time: older than 72 h" "4 days: GA4 refused"
out=$(at 3600000); expect_code 0 $? "--explain an hour-old event"
expect_match "$out" "event_time +sent +event_time: the event's own time \(within 6 days\)" "hour-old: own time"
expect_match "$out" "\"event_time\":$(((now_ms - 3600000) / 1000))," "hour-old: Meta payload keeps it"
expect_match "$out" "ga4: SENT as generate_lead" "hour-old: GA4 takes it"

# A real run on a free port (the gateway picks it: --listen 127.0.0.1:0), on $dir/gw.yaml (the
# example with its upstreams at a closed port: gateway_test_setup).
: >"$dir/log"
gateway_start "$dir/log" --config "$dir/gw.yaml" --spool "$dir/spool.db" \
    --audit "$dir/audit.log" --threads 2 || fail "the gateway did not start"
out=$(curl -sf "http://127.0.0.1:$port/healthz"); expect_match "$out" '"status":"ok"' "/healthz"
out=$(curl -sf "http://127.0.0.1:$port/phiwall.js"); expect_match "$out" "sendBeacon" "/phiwall.js"
ev='{"event_id":"8a6e0804-2bd0-4672-b79d-d97027f9071a","name":"appointment_request","page_url":"https://www.example-hospital.org/find-a-doctor/x?email=jane.doe%40example.com","consent":{"ads":true,"analytics":true},"user":{"email":"jane.doe@example.com"},"fpid":"c0ffee00-1111-4222-8333-444455556666","params":{"value":5,"note":"breast cancer MRN 00123456"}}'
out=$(curl -s -H 'Origin: https://www.example-hospital.org' -H 'Content-Type: text/plain' --data "$ev" "http://127.0.0.1:$port/e")
expect_match "$out" '"accepted":1,"queued":2' "POST /e"
out=$(curl -s -H "Content-Type: application/json" --data '{"event_id":"x","name":1}' "http://127.0.0.1:$port/e")
expect_match "$out" '"error":"event.event_id: must be a UUID string"' "400 names the field"
# The tag retrying a request whose answer it lost: the spool keeps the first copy, the answer
# and /metrics say the repeat was a duplicate and count nothing twice.
out=$(curl -s -H 'Origin: https://www.example-hospital.org' -H 'Content-Type: text/plain' --data "$ev" "http://127.0.0.1:$port/e")
expect_match "$out" '^\{"received":1,"accepted":0,"queued":0,"duplicate":1\}$' "POST /e repeated: duplicate"
out=$(curl -s "http://127.0.0.1:$port/metrics")
expect_match "$out" 'phiwall_gateway_events_total\{outcome="queued"\} 2' "/metrics queued"
expect_match "$out" 'phiwall_gateway_events_total\{outcome="accepted"\} 1' "/metrics accepted once"
expect_match "$out" 'phiwall_gateway_events_total\{outcome="duplicate"\} 1' "/metrics duplicate"
expect_match "$out" 'phiwall_gateway_spool_depth\{destination="meta"\}' "/metrics spool depth"

# The upstream (port 9) refuses: Meta's delivery fails and is counted; a reload must not reset
# the counter (the forwarders are replaced, the counters go on).
failed_meta() { curl -s "http://127.0.0.1:$port/metrics" | sed -n 's/^phiwall_gateway_deliveries_total{destination="meta",outcome="failed"} //p'; }
# Two attempts (the second after a backoff of 0.5-1 s); a replaced forwarder starting from 0
# could not fail twice in the moment between the reload and the check below (next backoff 1-2 s).
failed_twice() { local n; n=$(failed_meta); [ -n "$n" ] && [ "$n" -ge 2 ]; }
wait_until "$PW_WAIT_S" failed_twice
failed_before=$(failed_meta)
[ -n "$failed_before" ] && [ "$failed_before" -ge 2 ]; expect_code 0 $? "failed deliveries are counted ($failed_before)"

# SIGHUP with a bad file keeps the policy; with a good one (no GA4) applies it.
cp "$dir/gw.yaml" "$dir/good.yaml"
printf 'destinations: [\n' >"$dir/gw.yaml"
kill -HUP $pid
wait_until "$PW_WAIT_S" grep -q '"msg":"policy reload' "$dir/log"
expect_match "$(cat "$dir/log")" '"msg":"policy reload failed; the current policy stays".*gw.yaml:2:1' "bad reload logged"
sed '/^  ga4:/,$d' "$dir/good.yaml" >"$dir/gw.yaml"
kill -HUP $pid
wait_until "$PW_WAIT_S" grep -q '"msg":"policy reloaded"' "$dir/log"
expect_match "$(cat "$dir/log")" '"msg":"policy reloaded"' "good reload logged"
failed_after=$(failed_meta)
[ -n "$failed_after" ] && [ "$failed_after" -ge "$failed_before" ]; expect_code 0 $? "/metrics counters survive a reload ($failed_before -> $failed_after)"
ev2=${ev/8a6e0804/9b6e0804}
out=$(curl -s -H "Content-Type: application/json" --data "$ev2" "http://127.0.0.1:$port/e")
expect_match "$out" '"accepted":1,"queued":1' "reloaded policy in force"

gateway_stop; expect_code 0 $? "SIGTERM drains and exits 0"
expect_match "$(cat "$dir/log")" '"msg":"stopped"' "stopped logged"
expect_nomatch "$(cat "$dir/log" "$dir/audit.log")" "jane|cancer|00123456|127\.0\.0\.1.*e\"|tok-XYZ" "no PHI or token in logs/audit"
out=$("$PHIWALL" audit verify --audit "$dir/audit.log" 2>&1); expect_code 0 $? "audit chain verifies"

# Without --audit, `phiwall audit` reads the log `phiwall gateway` writes: ./phiwall-audit.log,
# or $PHIWALL_AUDIT for both.
runs=0
run_default() { # [env…]: a gateway without --audit in $dir/cwd, one event, then SIGTERM
    runs=$((runs + 1))
    (cd "$dir/cwd" && exec env "$@" "$PHIWALL" gateway --config "$dir/gw.yaml" \
        --listen 127.0.0.1:0 --spool "$dir/cwd/spool.db" --threads 1 2>"$dir/log$runs") &
    pid=$!
    gateway_listening "$dir/log$runs" $pid || fail "gateway run $runs did not start: $(cat "$dir/log$runs")"
    out=$(curl -s -H "Content-Type: application/json" --data "$ev" "http://127.0.0.1:$port/e")
    expect_match "$out" '"received":1' "gateway run $runs: event received"
    gateway_stop
}
mkdir -p "$dir/cwd"
unset PHIWALL_AUDIT
run_default
[ -s "$dir/cwd/phiwall-audit.log" ]; expect_code 0 $? "gateway default audit log ./phiwall-audit.log"
out=$(cd "$dir/cwd" && "$PHIWALL" audit verify 2>&1); expect_code 0 $? "audit verify reads the gateway's default log"
expect_match "$out" "^phiwall-audit.log: [1-9][0-9]* record\(s\), chain intact" "audit verify default path"
out=$(cd "$dir/cwd" && "$PHIWALL" audit list 2>&1); expect_match "$out" "queued" "audit list default path"
run_default PHIWALL_AUDIT="$dir/env-audit.log"
out=$(PHIWALL_AUDIT="$dir/env-audit.log" "$PHIWALL" audit verify 2>&1); expect_code 0 $? "PHIWALL_AUDIT for both"
expect_match "$out" "env-audit.log: [1-9][0-9]* record\(s\), chain intact" "PHIWALL_AUDIT: the gateway wrote there"
grep -q 'PHIWALL_AUDIT=/var/lib/phiwall/audit.log' "$PW_SRC/contrib/phiwall-gateway.service" &&
    grep -q -- '--audit ${PHIWALL_AUDIT}' "$PW_SRC/contrib/phiwall-gateway.service"
expect_code 0 $? "the systemd unit gives gateway and operators one audit path"
finish
