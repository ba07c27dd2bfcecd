#!/usr/bin/env bash
# gateway_check_globs.sh — a glob given twice under page_categories: YAML takes the repeated key
# and the first match wins, so the second line's category is never sent. `phiwall gateway
# --check` says so with both lines (a warning: the policy still loads, as it did). Before, it
# was accepted without a word.
set -u
. "$PW_SRC/tests/integration/lib.bash"
gateway_test_dir
{ policy_site; cat <<'YAML'; } >"$dir/gw.yaml"
destinations:
  meta:
    type: meta
    pixel_id: "1"
    access_token_env: PHIWALL_META_TOKEN
    events: {page_view: PageView}
    page_url: categories
    page_categories:
      "/find-a-doctor*": find_doctor
      "/locations*": locations
      "/find-a-doctor*": doctors
    first_party_id: hmac
YAML
out=$("$PHIWALL" gateway --check "$dir/gw.yaml" 2>&1)
expect_code 0 $? "the policy still checks (a warning)"
expect_match "$out" '^# warning: destinations\.meta\.page_categories\./find-a-doctor\*: the glob is given twice \(line 12: find_doctor, line 14: doctors\): the first wins, line 14 is never used$' \
    "--check names the duplicate glob and both lines"
expect_match "$out" 'OK \(with warnings\)$' "the summary says warnings"
sed -i '/"\/find-a-doctor\*": doctors/d' "$dir/gw.yaml"
out=$("$PHIWALL" gateway --check "$dir/gw.yaml" 2>&1)
expect_nomatch "$out" 'given twice' "no warning without a duplicate"
finish
