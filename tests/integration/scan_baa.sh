#!/usr/bin/env bash
# scan_baa.sh — `phiwall scan --baa ID`: the site holds a BAA with a tracker's vendor. Its
# findings are capped at low with the BAA's reasoning and fix, PW-NO-BAA no longer fires for it,
# other trackers on the same page are untouched, every format says what was declared, and an id
# that cannot carry a BAA (unknown, a filter list, a vendor that signs none) is refused.
set -u
. "$PW_SRC/tests/integration/lib.bash"
H="$PW_SRC/tests/data/har/baa_declared.har"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# the HAR scan's help lists it (the live scan's has its own line)
expect_match "$("$PHIWALL" scan --help)" '^  --baa ID +the site holds a signed BAA' "scan --har help lists --baa"

# without a declaration: Freshpaint receives the typed e-mail (critical), Adobe Launch is PW-NO-BAA
out=$("$PHIWALL" scan --har "$H")
expect_match "$out" 'critical +PW-FORM-VALUES +Freshpaint' "no --baa: Freshpaint's form values are critical"
expect_match "$out" 'medium +PW-NO-BAA +Adobe Experience Platform Tags' "no --baa: Adobe Launch is PW-NO-BAA"

out=$("$PHIWALL" scan --har "$H" --baa freshpaint --fail-on high)
expect_code 1 $? "--fail-on high still fails: the Meta Pixel beside it is critical"
expect_match "$out" 'BAA declared \(--baa; findings of these trackers capped at low\): Freshpaint \(freshpaint\)' \
    "text says what was declared"
expect_match "$out" 'low +PW-FORM-VALUES +Freshpaint' "Freshpaint's form values capped at low"
expect_match "$out" 'critical +PW-FORM-VALUES +Meta Pixel' "the Meta Pixel stays critical"
expect_nomatch "$out" '(critical|high|medium) +PW-[A-Z-]+ +Freshpaint' "no Freshpaint finding above low"
expect_match "$out" 'why: +Covered by the business associate agreement the site declared' "BAA reasoning"
expect_match "$out" 'fix: +Check that the BAA with Freshpaint \(declared with `--baa freshpaint`\)' "BAA fix"
"$PHIWALL" scan --har "$H" --baa freshpaint --baa adobe-launch --fail-on high >/dev/null
expect_code 1 $? "two declarations"
out=$("$PHIWALL" scan --har "$H" --baa freshpaint --baa adobe-launch --baa freshpaint)
expect_nomatch "$out" 'PW-NO-BAA' "--baa adobe-launch: no PW-NO-BAA for it"
expect_match "$out" 'Freshpaint \(freshpaint\), Adobe Experience Platform Tags \(Launch\) \(adobe-launch\)$' \
    "an id given twice is one declaration"

# json and sarif carry it; the json validates
"$PHIWALL" scan --har "$H" --baa freshpaint --format json -o "$T/r.json"
expect_code 0 $? "json"
expect_match "$(jq -c .baa_declared "$T/r.json")" '^\["freshpaint"\]$' "json: baa_declared ids"
expect_match "$(jq -r '[.findings[] | select(.vendor.id == "freshpaint") | .baa_declared] | unique | tostring' "$T/r.json")" \
    '^\[true\]$' "json: Freshpaint findings flagged"
expect_match "$(jq -r '[.findings[] | select(.vendor.id == "meta-pixel") | .baa_declared] | unique | tostring' "$T/r.json")" \
    '^\[false\]$' "json: Meta Pixel findings not flagged"
if python3 -c 'import jsonschema' 2>/dev/null; then
    python3 - "$PW_SRC/docs/report.schema.json" "$T/r.json" <<'PY'
import json, sys, jsonschema
jsonschema.Draft202012Validator(json.load(open(sys.argv[1]))).validate(json.load(open(sys.argv[2])))
PY
    expect_code 0 $? "json with --baa validates against docs/report.schema.json"
fi
expect_match "$("$PHIWALL" scan --har "$H" --baa freshpaint --format sarif)" '"baa_declared": true' "sarif property"
expect_match "$("$PHIWALL" scan --har "$H" --baa freshpaint --format html)" '<b>BAA declared.</b>' "html note"

# ids that cannot carry a BAA
err=$("$PHIWALL" scan --har "$H" --baa meta-pixel 2>&1 >/dev/null)
expect_code 3 $? "--baa meta-pixel refused"
expect_match "$err" '--baa meta-pixel: the tracker catalog records that Meta signs no BAA' "says why"
err=$("$PHIWALL" scan --har "$H" --baa no-such-tracker 2>&1 >/dev/null)
expect_code 3 $? "unknown id refused"
expect_match "$err" '--baa no-such-tracker: no tracker has this id' "names the id"
err=$("$PHIWALL" scan --har "$H" --baa easyprivacy 2>&1 >/dev/null)
expect_code 3 $? "filter list refused"
expect_match "$err" 'a filter list stands for many companies' "says why"
# --sites checks the ids once, before anything is scanned or made
echo "https://a.example/" >"$T/sites.txt"
err=$("$PHIWALL" scan --sites "$T/sites.txt" --out "$T/out" --static --baa meta-pixel 2>&1)
expect_code 3 $? "--sites with a refused --baa"
[ -e "$T/out" ] && fail "--sites with a refused --baa made --out DIR" || pass

finish
