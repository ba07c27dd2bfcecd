#!/usr/bin/env bash
# report_hostile.sh — the reports are safe to open and correct whatever a scanned site sent.
# Hostile HARs (tests/data/har/make_hostile.py: markup, terminal escapes, C1 controls, bidi
# overrides, formulas, CR LF, a lone surrogate and bytes that are not UTF-8 in titles, URLs,
# events, accounts, cookie and header names and gap errors) through every format:
# - text and stderr: no control character, C1 control or bidi override reaches the terminal;
# - html: no markup from the site, valid UTF-8 with no control character, C1 or bidi override
#   (also in the INCOMPLETE banner), a Content-Security-Policy and no Referer;
# - json: valid UTF-8 and valid against docs/report.schema.json for every committed HAR, the
#   demo HAR, the hostile ones and the six Blacklight captures (when ../shared/data is there);
# - sarif: ruleIndex names the rule, levels, valid URIs (a page URL with a space, non-ASCII and
#   <>"{|}`^\ as written), fingerprints stable across runs and page order;
# - baseline: the same HAR twice or with its pages in another order is no change; a changed
#   pixel ID or a new PHI field is.
set -u
. "$PW_SRC/tests/integration/lib.bash"
command -v python3 >/dev/null || skip "python3 not installed"
command -v jq >/dev/null || skip "jq not installed (scripts/install-deps.sh)"
D="$PW_SRC/tests/data/har"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
python3 "$D/make_hostile.py" "$T" || fail "make_hostile.py"

# what must never reach a terminal or an HTML file: C0 controls but tab and newline (CR too, in
# HTML), DEL, C1 controls (UTF-8 C2 80-9F) and bidi embeddings, overrides and isolates
cat >"$T/unsafe.py" <<'PY'
import re, sys
mode, path = sys.argv[1], sys.argv[2]
data = open(path, "rb").read()
try:
    text = data.decode("utf-8")
except UnicodeDecodeError as e:
    sys.exit(f"{path}: not UTF-8: {e}")
ctl = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f" + ("" if mode == "html" else "\r")
bad = re.search("[" + ctl + "\x80-\x9f\u202a-\u202e\u2066-\u2069]", text)
if bad:
    at = bad.start()
    sys.exit(f"{path}: U+{ord(bad.group()):04X} at {at}: {text[max(0, at - 60):at + 20]!r}")
PY
safe() { # mode file what
    local msg
    msg=$(python3 "$T/unsafe.py" "$1" "$2" 2>&1) && pass || fail "$3: $msg"
}

for h in hostile hostile_gaps; do
    for f in text json sarif html; do
        "$PHIWALL" scan --har "$T/$h.har" --format $f -o "$T/$h.$f" 2>"$T/$h.$f.err"
        rc=$?
        [ $rc -eq 0 ] || [ $rc -eq 4 ] || fail "$h $f: exit $rc"
        safe text "$T/$h.$f.err" "$h $f: stderr shows the site's strings safe"
    done
    "$PHIWALL" scan --har "$T/$h.har" >"$T/$h.stdout" 2>/dev/null
    safe text "$T/$h.stdout" "$h: text report on stdout"
    safe text "$T/$h.text" "$h: text report in a file"
    safe html "$T/$h.html" "$h: HTML report"
    html=$(cat "$T/$h.html")
    expect_nomatch "$html" '<(script|img|svg|iframe|a |link|base|form|object|embed)' "$h: no markup of the site in the HTML"
    expect_nomatch "$html" 'javascript:' "$h: no javascript: in the HTML"
    expect_match "$html" "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:;" \
        "$h: the HTML report's policy forbids scripts and requests"
    expect_match "$html" '<meta name="referrer" content="no-referrer">' "$h: no Referer leaves the report"
done
expect_match "$(cat "$T/hostile_gaps.html")" 'class="incomplete"' "the INCOMPLETE banner is there"
expect_match "$(cat "$T/hostile_gaps.text.err")" 'INCOMPLETE: .*\\x1b\]0;OWNED\\x07\\x1b\[2J\\u009b31m\\u202eevil \\xff' \
    "stderr shows the gap's escapes as escapes"
expect_match "$(cat "$T/hostile.stdout")" 'dl\?q( \([a-z ]+\))? = </title>.*\\x1b\]0;PWNED\\x07\\x1b\[2J\\u202egnp' \
    "text report shows the evidence's escapes as escapes"

# an evidence value is the value as sent, NUL bytes and all: not cut at its NUL (nor padded
# with NULs where the rest was), every format showing the same bytes
"$PHIWALL" scan --har "$T/nul_body.har" --format json -o "$T/nul.json" 2>/dev/null
"$PHIWALL" scan --har "$T/nul_body.har" -o "$T/nul.text" 2>/dev/null
values=$(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
print(ascii(sorted({e["value"] for f in r["findings"] for e in f["evidence"] if e["key"] == "cd[search_string]"})))' "$T/nul.json")
expect_match "$values" "^\\['kn\\\\x00e\\\\x1b\\[2J\\\\x9b\\\\ufffd pain'\\]\$" "JSON: the evidence value whole"
expect_match "$(cat "$T/nul.text")" 'cd\[search_string\] \(event data\) = kn\\x00e\\x1b\[2J\\u009b\\xff \[\[pain\]\]' \
    "text: the evidence value whole, its PHI marked"
safe text "$T/nul.text" "nul_body: text report"

# JSON: valid UTF-8 and against the schema for every HAR phiwall is tested with
hars=("$D"/*.har "$PW_SRC/demo/demo.har" "$T"/hostile*.har "$T/weird_uri.har" "$T/nul_body.har")
for d in "$PW_SRC/../shared/data" "$PW_SRC/../../shared/data"; do
    [ -d "$d/markup-nonprofit-health" ] || continue
    for f in "$d"/markup-nonprofit-health/*/requests.har*; do
        n=$(basename "$(dirname "$f")")
        case $f in
        *.gz) gunzip -c "$f" >"$T/bl-$n.har" ;;
        *) cp "$f" "$T/bl-$n.har" ;;
        esac
        hars+=("$T/bl-$n.har")
    done
    break
done
mkdir -p "$T/json" "$T/sarif"
for h in "${hars[@]}"; do
    n=$(basename "$h" .har)
    "$PHIWALL" scan --har "$h" --format json -o "$T/json/$n.json" 2>/dev/null
    rc=$?
    [ $rc -eq 0 ] || [ $rc -eq 4 ] || fail "$n: json exit $rc"
    "$PHIWALL" scan --har "$h" --format sarif -o "$T/sarif/$n.sarif" 2>/dev/null
    "$PHIWALL" scan --har "$h" --format sarif -o "$T/sarif/$n.again" 2>/dev/null
done
if python3 -c 'import jsonschema' 2>/dev/null; then
    python3 - "$PW_SRC/docs/report.schema.json" "$T"/json/*.json <<'PY'
import json, re, sys, jsonschema
v = jsonschema.Draft202012Validator(json.load(open(sys.argv[1])))
bad = 0
for path in sys.argv[2:]:
    raw = open(path, "rb").read()
    try:
        doc = json.loads(raw.decode("utf-8"))
    except ValueError as e:
        print(f"{path}: not UTF-8 JSON: {e}"); bad += 1; continue
    # a lone surrogate escape is valid JSON text but no Unicode: strict consumers reject it
    if re.search(rb"\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F])", raw) or \
       re.search(rb"(?<![0-9a-fA-F]{4})\\u[dD][c-fC-F][0-9a-fA-F]{2}", raw):
        print(f"{path}: a lone surrogate escape"); bad += 1
    for e in v.iter_errors(doc):
        print(f"{path}: {list(e.absolute_path)}: {e.message[:200]}"); bad += 1
        break
print(f"{len(sys.argv) - 2} reports, {bad} invalid")
sys.exit(1 if bad else 0)
PY
    expect_code 0 $? "every JSON report is UTF-8 and valid against docs/report.schema.json"
else
    echo "note: python3-jsonschema not installed: the schema check is skipped"
fi

python3 - "$T"/sarif/*.sarif <<'PY'
import json, re, sys
URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://[A-Za-z0-9\-._~!$&'()*+,;=:@\[\]%]*"
                 r"[A-Za-z0-9\-._~!$&'()*+,;=:@/?#%]*$")
bad = 0
def no(path, what):
    global bad
    bad += 1
    print(f"{path}: {what}")
for path in sys.argv[1:]:
    log = json.load(open(path))
    again = json.load(open(path[:-len(".sarif")] + ".again"))
    if log.get("version") != "2.1.0" or "$schema" not in log:
        no(path, "no SARIF 2.1.0 version and $schema")
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    if len(set(ids)) != len(ids):
        no(path, "two rules with one id")
    uris = []
    for r in run["results"]:
        i = r.get("ruleIndex", -1)
        if not 0 <= i < len(rules) or rules[i]["id"] != r["ruleId"]:
            no(path, f"ruleIndex {i} does not name {r['ruleId']}")
        if r.get("level") not in ("error", "warning", "note", "none"):
            no(path, f"level {r.get('level')}")
        if not r.get("message", {}).get("text"):
            no(path, "result without message text")
        if not r.get("partialFingerprints", {}).get("phiwallFinding/v1"):
            no(path, "result without fingerprint")
        uris += [l["physicalLocation"]["artifactLocation"]["uri"] for l in r.get("locations", [])]
    for inv in run.get("invocations", []):
        for n in inv.get("toolExecutionNotifications", []):
            uris += [l["physicalLocation"]["artifactLocation"]["uri"] for l in n.get("locations", [])]
    for u in uris:
        if not URI.match(u):
            no(path, f"not a URI: {u!r}")
    fp = lambda l: [(r["ruleId"], r["partialFingerprints"]) for r in l["runs"][0]["results"]]
    if fp(log) != fp(again):
        no(path, "fingerprints differ between two runs")
print(f"{len(sys.argv) - 1} SARIF logs, {bad} problems")
sys.exit(1 if bad else 0)
PY
expect_code 0 $? "every SARIF log: rules, levels, URIs and stable fingerprints"
expect_match "$(cat "$T/sarif/weird_uri.sarif")" '"uri": "https://www.demo-hospital.org/conditions/breast%20cancer/%C3%BCber%3Cx%3E%22%7B%7C%7D%60%5E%5C"' \
    "a page URL's space, non-ASCII and <>\"{|}\`^\\ are percent-encoded in the SARIF location"

# baseline: no change is no change; a changed pixel or a new PHI field is
H="$PW_SRC/demo/demo.har"
"$PHIWALL" scan --har "$H" --format json -o "$T/base.json" 2>/dev/null
python3 - "$H" "$T" <<'PY'
import json, sys
har, out = sys.argv[1], sys.argv[2]
h = json.load(open(har))
h["log"]["pages"].reverse()  # another page order, the same traffic in the same time order
json.dump(h, open(out + "/pages_reversed.har", "w"))
h = json.load(open(har))
pixels = set()
for e in h["log"]["entries"]:
    u = e["request"]["url"]
    if "facebook.com/tr" in u and "id=" in u:
        pixels.add(u.split("id=")[1].split("&")[0])
s = json.dumps(h)
for p in pixels:
    s = s.replace(p, "999999999999999")
open(out + "/pixel_changed.har", "w").write(s)
h = json.load(open(har))
for e in h["log"]["entries"]:  # a new identifier in the first Meta beacon of the HAR
    if "facebook.com/tr/?" in e["request"]["url"]:
        e["request"]["url"] += "&ud%5Bph%5D=5035551234"
        break
json.dump(h, open(out + "/new_field.har", "w"))
PY
counts() { python3 -c "
import json, sys; b = json.load(open(sys.argv[1]))['baseline']
print(b['new'], b['unchanged'], len(b['gone']), len(b['not_rechecked']))" "$1"; }
"$PHIWALL" scan --har "$H" --baseline "$T/base.json" --format json -o "$T/same.json" 2>/dev/null
n=$(jq '.findings | length' "$T/base.json")
expect_match "$(counts "$T/same.json")" "^0 $n 0 0\$" "the same HAR twice: no change"
"$PHIWALL" scan --har "$T/pages_reversed.har" --baseline "$T/base.json" --format json -o "$T/rev.json" 2>/dev/null
expect_match "$(counts "$T/rev.json")" "^0 $n 0 0\$" "pages in another order: no change"
"$PHIWALL" scan --har "$T/pixel_changed.har" --baseline "$T/base.json" --format json -o "$T/pix.json" 2>/dev/null
expect_match "$(counts "$T/pix.json")" '^[1-9][0-9]* [0-9]+ [1-9][0-9]* 0$' "a changed pixel ID: new and gone findings"
expect_match "$(jq -r '.findings[] | select(.baseline.state == "new") | .account_id' "$T/pix.json" | sort -u)" \
    '^999999999999999$' "the new findings are the new pixel's"
"$PHIWALL" scan --har "$T/new_field.har" --baseline "$T/base.json" --format json -o "$T/field.json" 2>/dev/null
expect_match "$(jq -r '.findings[] | select(.baseline.state == "new" or (.baseline.severity // .severity) != .severity) | .rule_id' "$T/field.json")" \
    'PW-ADVANCED-MATCHING|PW-FORM-VALUES|PW-IDENTIFIER' "a new PHI field: a new finding"
finish
