#!/usr/bin/env python3
"""demo_eval.py — grade `phiwall scan --har demo/demo.har` against the demo site's answer key
(demo/expected.json, written by the demo's authors): page contexts, and for every PHI
transmission the key lists (page, tracker, kind) whether phiwall reports a finding of the
matching rule for that tracker on that page. Prints every miss and every context disagreement,
then recall figures. Exit 0, or 2 when a "disclosure"-level item of a page load is missed (interactions
are reported but the recorded walk need not contain every one the key lists).
Usage: bench/demo_eval.py PHIWALL DEMO_DIR
"""
import json, os, subprocess, sys, tempfile, urllib.parse

TRACKERS = {"meta_pixel": "meta-pixel", "ga4": "ga4", "google_ads": "google-ads",
            "tiktok": "tiktok-pixel", "linkedin": "linkedin-insight", "hotjar": "hotjar"}
RULES = {"page-url-condition": "PW-CONDITION-URL", "page-url-care-intent": "PW-CONDITION-URL",
         "search-term": "PW-SEARCH-TERM", "button-text": "PW-BUTTON-TEXT",
         "form-fields": "PW-FORM-FIELDS", "form-values": "PW-FORM-VALUES",
         "form-values-hashed": "PW-FORM-VALUES", "advanced-matching": "PW-ADVANCED-MATCHING",
         "replay-keystrokes": "PW-SESSION-REPLAY", "replay-page-text": "PW-SESSION-REPLAY",
         "portal-tracker": "PW-AUTH-TRACKER"}

def path_of(url):
    return urllib.parse.urlsplit(url).path

def main():
    if len(sys.argv) < 3:
        print("usage: bench/demo_eval.py PHIWALL DEMO_DIR  (e.g. build/phiwall demo)", file=sys.stderr)
        return 2
    exe, demo = sys.argv[1], sys.argv[2]
    key = json.load(open(f"{demo}/expected.json"))
    # the values the recorder typed, as a --canary file (what a user of phiwall would do)
    kinds = {"first_name": "name", "last_name": "name", "dob": "date", "zip": "zip",
             "phone": "phone", "email": "email", "member_id": "id", "reason": "text",
             "symptoms": "text"}
    fd, canary = tempfile.mkstemp(suffix=".tsv")
    with os.fdopen(fd, "w") as f:
        for k, kind in kinds.items():
            if key.get("canary", {}).get(k):
                f.write(f"{k}\t{kind}\t{key['canary'][k]}\n")
    out = subprocess.run([exe, "scan", "--har", f"{demo}/demo.har", "--canary", canary,
                          "--format", "json"], capture_output=True)
    os.unlink(canary)
    if out.returncode not in (0, 1):
        print(out.stderr.decode()); return 3
    rep = json.loads(out.stdout)
    found = {(path_of(f["page"]["url"]), f["vendor"]["id"], f["rule_id"]) for f in rep["findings"]}
    ctx = {}
    for p in rep["pages"]:
        ctx.setdefault(path_of(p["url"]), p["context"])
    agree = total = 0
    for p in key["pages"]:
        if p["path"] not in ctx:
            continue
        total += 1
        if ctx[p["path"]] == p["context"]:
            agree += 1
        else:
            print(f"CONTEXT {p['path']}: phiwall {ctx[p['path']]}, answer key {p['context']}")
    want, hit, missed_disclosure = 0, 0, 0
    seen = set()
    for p in key["pages"]:
        if p["path"] not in ctx:
            continue
        items = [(it, 0) for it in p.get("on_load", {}).get("phi", [])]
        for i in p.get("interactions", []):
            items += [(it, 1) for it in i.get("phi", [])]
        for item, interaction in items:
            rule = RULES.get(item["kind"])
            tid = TRACKERS.get(item["tracker"], item["tracker"])
            k = (p["path"], tid, rule)
            if not rule or k in seen:
                continue
            seen.add(k)
            want += 1
            if k in found:
                hit += 1
            else:
                note = " [interaction: the recorded walk may not include it]" if interaction else ""
                print(f"MISS {p['path']} {item['tracker']} {item['kind']} ({item['level']}, "
                      f"field {item.get('field')}): no {rule}{note}")
                missed_disclosure += item["level"] == "disclosure" and not interaction
    print(f"\npage contexts: {agree}/{total} agree with the answer key")
    print(f"PHI transmissions (page, tracker, rule): {hit}/{want} reported")
    print("reproduce: bench/demo_eval.py build/phiwall demo")
    return 2 if missed_disclosure else 0

if __name__ == "__main__":
    sys.exit(main())
