# grade_demo.jq — recall and precision of a phiwall JSON report against demo/expected.json.
# Usage: jq -n --slurpfile key demo/expected.json --slurpfile rep report.json -f grade_demo.jq
# A flow is (page path, tracker): expected when the answer key lists PHI for that tracker on that
# page (on load or after an interaction); reported when the report has a PHI rule finding for
# it. gtag.js (google-tag-manager) is GA4's loader on this site, so it counts as ga4.
def tmap: {"meta_pixel":"meta-pixel","ga4":"ga4","google_ads":"google-ads",
           "tiktok":"tiktok-pixel","linkedin":"linkedin-insight","hotjar":"hotjar"};
def phi_rules: ["PW-AUTH-TRACKER","PW-FORM-VALUES","PW-BUTTON-TEXT","PW-SEARCH-TERM",
                "PW-ADVANCED-MATCHING","PW-SESSION-REPLAY","PW-CONDITION-URL"];
def path_of: sub("^[a-z]+://[^/]+"; "") | sub("[?#].*$"; "") | sub("/index$"; "")
             | if . == "" then "/" else . end;
($key[0]) as $k | ($rep[0]) as $r |
([ $k.pages[] | .path as $p
   | ((.on_load.phi[]?), (.interactions[]?.phi[]?)) | "\($p) \(tmap[.tracker] // .tracker)" ]
 | unique) as $exp |
([ $k.pages[] | select(.no_phi) | .path ]) as $nophi |
([ $r.findings[] | select(.rule_id as $id | phi_rules | index($id))
   | "\(.page.url | path_of) \(if .vendor.id == "google-tag-manager" then "ga4" else .vendor.id end)" ]
 | unique) as $got |
($exp - ($exp - $got)) as $tp |
{
  expected: ($exp | length), reported: ($got | length), found: ($tp | length),
  recall: (if ($exp|length) > 0 then (($tp|length) / ($exp|length)) else 1 end),
  precision: (if ($got|length) > 0 then (($tp|length) / ($got|length)) else 1 end),
  missed: ($exp - $got), extra: ($got - $exp),
  phi_on_no_phi_pages: [ $got[] | select((split(" ")[0]) as $p | $nophi | index($p)) ]
}
