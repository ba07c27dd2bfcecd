#!/usr/bin/env bash
# scan_har_pages.sh — a HAR's pages are the pages the visitor saw, whatever the file's order or
# shape (docs/scan-har.md, "Pages"): each request belongs to the page whose document started last
# before it by startedDateTime, not the document listed last before it. demo/demo.har made into
#   - a HAR without pages (curl, mitmproxy, Charles or Fiddler exports; a hand-merged HAR),
#   - a Blacklight-shaped HAR (puppeteer-har: one pageref for the whole visit, its title the
#     start URL, each navigation a document with Sec-Fetch-Dest),
# shuffled with several seeds, gives the same findings (rule, page, severity) as in time order;
# and the same HAR with its pages listed after its entries (JSON member order is free) keeps
# every page's title (the same report as with the pages first).
# Before: the reader placed requests by file order — a shuffle moved findings to other pages
# (and made pages of them) — and a page listed after its entries lost its title.
set -u
. "$PW_SRC/tests/integration/lib.bash"
[ -f "$PW_SRC/demo/demo.har" ] || skip "demo/demo.har not in this tree"
command -v python3 >/dev/null || skip "python3 not installed"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

python3 - "$PW_SRC/demo/demo.har" "$T" <<'PY'
import json, random, sys
src, out = sys.argv[1], sys.argv[2]
har = json.load(open(src))
def save(log, name, pages_last=False):
    log = dict(log)
    if pages_last and "pages" in log:  # the same members, "pages" after "entries"
        pages = log.pop("pages")
        log["pages"] = pages
    json.dump({"log": log}, open(f"{out}/{name}.har", "w"))
def shuffled(log, seed):
    log = json.loads(json.dumps(log))
    random.Random(seed).shuffle(log["entries"])
    return log
# without pages: no log.pages, no pageref
bare = json.loads(json.dumps(har["log"]))
bare.pop("pages")
for e in bare["entries"]:
    e.pop("pageref", None)
save(bare, "bare")
# Blacklight's shape: one page, its title the start URL, every entry on it
bl = json.loads(json.dumps(har["log"]))
first = bl["entries"][0]
bl["pages"] = [{"id": "page_1", "title": first["request"]["url"],
                "startedDateTime": first["startedDateTime"], "pageTimings": {}}]
for e in bl["entries"]:
    e["pageref"] = "page_1"
save(bl, "blacklight")
# Blacklight's first entry: the start URL it was given, a redirect (no MIME type, resource type
# or Sec-Fetch-Dest, initiator "other") to the page the visitor saw; the page's title is that URL
blr = json.loads(json.dumps(bl))
hop = json.loads(json.dumps(first))
hop["request"]["url"] = "http://127.0.0.1:42109/start"
hop["request"]["headers"] = [h for h in hop["request"]["headers"]
                             if not h["name"].lower().startswith("sec-fetch")]
hop["response"].update({"status": 301, "redirectURL": first["request"]["url"],
                        "content": {"size": 0, "mimeType": ""}})
hop.pop("_resourceType", None)
hop["_initiator_type"] = "other"
hop["startedDateTime"] = first["startedDateTime"].replace(".151Z", ".100Z")
blr["entries"].insert(0, hop)
blr["pages"][0]["title"] = hop["request"]["url"]
save(blr, "blacklight-redirect")
for seed in (1, 2, 3, 7, 42):
    save(shuffled(bare, seed), f"bare-shuffled{seed}")
    save(shuffled(bl, seed), f"blacklight-shuffled{seed}")
# Firefox's shape (page titles are document titles, no page URL), pages first and pages last
ff = json.loads(json.dumps(har["log"]))
for p in ff["pages"]:
    p.pop("_url", None)
save(ff, "titles-first")
save(ff, "titles-last", pages_last=True)
save(shuffled(ff, 9), "titles-last-shuffled", pages_last=True)
PY
expect_code 0 $? "the HAR's shapes written"

findings() { # a report's findings as a sorted list of (rule, page, severity)
    python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
for f in sorted((f["rule_id"], f["page"]["url"], f["severity"]) for f in r["findings"]):
    print(*f)' "$1"
}
for shape in bare blacklight; do
    "$PHIWALL" scan --har "$T/$shape.har" --format json -o "$T/$shape.json"
    expect_code 0 $? "$shape: the recorded order scans"
    findings "$T/$shape.json" >"$T/$shape.ref"
    [ "$(grep -c . "$T/$shape.ref")" -gt 20 ]
    expect_code 0 $? "$shape: the recorded order has its findings"
    for f in "$T/$shape"-shuffled*.har; do
        "$PHIWALL" scan --har "$f" --format json -o "$T/out.json"
        expect_code 0 $? "$(basename "$f") scans"
        findings "$T/out.json" >"$T/out.txt"
        diff "$T/$shape.ref" "$T/out.txt"
        expect_code 0 $? "$(basename "$f"): the same findings as in time order"
    done
done
# the pages the Blacklight shape gives are the pages visited (each navigation, redirects and
# iframes aside), not one page per document
python3 - "$T/blacklight.json" "$T/bare.json" <<'PY'
import json, sys
for f in sys.argv[1:]:
    urls = sorted({p["url"] for p in json.load(open(f))["pages"]})
    assert "http://127.0.0.1:42109/portal/dashboard" in urls, (f, urls)
    assert not any("facebook.com" in u for u in urls), (f, urls)  # Meta's hidden-iframe POST
PY
expect_code 0 $? "the visited pages, not Meta's iframe"
# a page whose title is the start URL that redirected is the page it landed on (as the browser
# scan names it), not also a page of the start URL (before: "…/start" listed, without a title)
"$PHIWALL" scan --har "$T/blacklight-redirect.har" --format json -o "$T/blr.json"
expect_code 0 $? "the redirected start scans"
python3 - "$T/blr.json" "$T/blacklight.json" <<'PY'
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
urls = [p["url"] for p in a["pages"]]
assert "http://127.0.0.1:42109/start" not in urls, urls
assert urls == [p["url"] for p in b["pages"]], (urls, [p["url"] for p in b["pages"]])
PY
expect_code 0 $? "the redirected start is no page of its own"

same_report() { # the two JSON reports but for their target
    python3 - "$1" "$2" <<'PY'
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
a.pop("target"); b.pop("target")
if a != b:
    ta = {(p["url"], p.get("title")) for p in a["pages"]}
    tb = {(p["url"], p.get("title")) for p in b["pages"]}
    print("pages only with the pages first:", sorted(ta - tb, key=str))
    print("keys that differ:", sorted(k for k in a if a[k] != b.get(k)))
    sys.exit(1)
PY
}
"$PHIWALL" scan --har "$T/titles-first.har" --format json -o "$T/titles-first.json"
expect_code 0 $? "pages first scans"
grep -q '"Find a Doctor | Rivermoor Regional Medical Center"' "$T/titles-first.json"
expect_code 0 $? "pages first: titled pages"
for f in titles-last titles-last-shuffled; do
    "$PHIWALL" scan --har "$T/$f.har" --format json -o "$T/$f.json"
    expect_code 0 $? "$f scans"
    same_report "$T/titles-first.json" "$T/$f.json"
    expect_code 0 $? "$f: every page keeps its title (the same report as with the pages first)"
done

# Each recorder's shape (tests/data/har/shape_*.har, written by make_shapes.py from the formats'
# public descriptions) gives the pages of its visit, and the Meta pixel's finding lands on the
# HIV page that fired it. Before: mitmproxy's two tabs put the HIV tab's pixel on the news tab
# whose document started later (an info finding there, none on the HIV page); Charles' jQuery
# HTML fragment (X-Requested-With, no Sec-Fetch-Dest) was a page of its own.
H=https://www.rivermoor-health.org
shape_check() { # shape "page URL|…" "rule page-url"
    "$PHIWALL" scan --har "$PW_SRC/tests/data/har/shape_$1.har" --format json -o "$T/shape.json"
    expect_code 0 $? "$1: scans"
    python3 - "$T/shape.json" "$2" "$3" <<'PY2'
import json, sys
r = json.load(open(sys.argv[1]))
pages = [p["url"] for p in r["pages"]]
assert pages == sys.argv[2].split("|"), pages
meta = sorted((f["rule_id"], f["page"]["url"]) for f in r["findings"] if f["vendor"]["name"] == "Meta")
assert meta == [tuple(sys.argv[3].split(" "))], meta
PY2
    expect_code 0 $? "$1: its pages, and the pixel's finding on the page that fired it"
}
shape_check mitmproxy "$H/conditions/hiv|https://news.example.com/" "PW-CONDITION-URL $H/conditions/hiv"
shape_check charles "$H/find-a-doctor" "PW-CONDITION-URL $H/find-a-doctor"
shape_check fiddler "$H/conditions/hiv|$H/careers" "PW-CONDITION-URL $H/conditions/hiv"
shape_check playwright "$H/conditions/hiv|$H/careers" "PW-CONDITION-URL $H/conditions/hiv"
shape_check safari "$H/conditions/hiv" "PW-CONDITION-URL $H/conditions/hiv"
shape_check firefox "$H/conditions/hiv" "PW-CONDITION-URL $H/conditions/hiv"
finish
