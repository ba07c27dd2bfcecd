#!/usr/bin/env python3
"""make_hostile.py OUTDIR — writes HARs a hostile site (or a hostile HAR's author) would give
phiwall, for tests/integration/report_hostile.sh. They are built from the committed cases
(condition_pageview.har, failed_trackers.har) at test time rather than committed: they hold
bytes that are not UTF-8, which no JSON tool rewrites faithfully.

- hostile.har: page titles, page URLs (query), event names, accounts, cookie and header names
  and evidence values carrying HTML/script, terminal escapes (OSC title, CSI clear screen), a C1
  CSI, bidi overrides, U+2028, spreadsheet formulas, CR LF, a lone surrogate escape and bytes
  that are not UTF-8.
- hostile_gaps.har: failed tracker scripts, a frame and a page whose URL and error carry the
  same (the INCOMPLETE banner, the stderr line and the SARIF notifications quote them).
- weird_uri.har: a condition page whose URL holds a space, non-ASCII and <>"{|}`^\\ as written.
- nul_body.har: a search sent in a base64 POST body whose value holds a NUL, an ESC sequence, a C1
  control and a byte that is not UTF-8 before its health term.
"""
import base64, json, os, sys, urllib.parse

here = os.path.dirname(os.path.abspath(__file__))
out = sys.argv[1]
ESC = "\x1b"
SITE = "https://www.demo-hospital.org"
EVIL = ("</title></h3><script>alert(1)</script><img src=x onerror=alert(2)><svg onload=alert(5)>"
        + ESC + "]0;PWNED\x07" + ESC + "[2J\u202egnp.exe\u2028\u2029\x9b31m"
        + " =cmd|'/C calc'!A0\r\nFAKE LINE")
BAD_UTF8 = b"\xff\xc3(\xed\xa0\x80"  # no UTF-8: a lone byte, a cut pair, a CESU surrogate


def load(name):
    with open(os.path.join(here, name)) as f:
        return json.load(f)


def save(name, har, raw=None):
    s = json.dumps(har, ensure_ascii=False, indent=1)
    # a lone surrogate as a JSON escape, then bytes that are not UTF-8, where BADBYTES stands
    s = s.replace("LONESURROGATE", "\\ud800")
    data = s.encode("utf-8").replace(b"BADBYTES", BAD_UTF8)
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)


def beacon(page, pixel, ev, extra):
    p = {"id": pixel, "ev": ev, "dl": page, "rl": "", "if": "false", "ts": "1714564800000",
         "fbp": "fb.1.1714564800000.1234567890"}
    p.update(extra)
    return "https://www.facebook.com/tr/?" + urllib.parse.urlencode(p, quote_via=urllib.parse.quote)


def hostile():
    har = load("condition_pageview.har")
    log = har["log"]
    page_url = (SITE + "/conditions/asthma?first_name=%3Cscript%3E&q="
                + urllib.parse.quote(EVIL))
    log["pages"][0]["title"] = EVIL + " LONESURROGATE BADBYTES"
    doc, px = log["entries"][0], log["entries"][1]
    doc["request"]["url"] = page_url
    px["request"]["url"] = beacon(page_url, "123456789012345", "<svg/onload=alert(3)>" + ESC + "[31m",
                                  {"ud[em]": "jane@example.com",
                                   "cd[buttonText]": "Schedule BADBYTES " + EVIL})
    for h in px["request"]["headers"]:
        if h["name"] == "Referer":
            h["value"] = page_url
    px["request"]["headers"].append({"name": "X-<b>" + ESC + "[1m", "value": EVIL + " BADBYTES"})
    # a second pixel whose account is markup and escapes, with hostile cookie names
    px2 = json.loads(json.dumps(px))
    px2["request"]["url"] = beacon(page_url, "<b>" + ESC + "[2J", "PageView", {})
    px2["request"]["headers"].append(
        {"name": "Cookie", "value": "=cmd" + ESC + "[2J=1; <script>=2; c_user=3"})
    log["entries"].append(px2)
    save("hostile.har", har)


def hostile_gaps():
    har = load("failed_trackers.har")
    for e in har["log"]["entries"]:
        r = e["response"]
        if r.get("_error"):
            r["_error"] = ("net::ERR_FAILED " + ESC + "]0;OWNED\x07" + ESC + "[2J\x9b31m\u202eevil "
                           "BADBYTES </li><script>alert(1)</script>")
            e["request"]["url"] += "?x=<b>" + ESC + "[1m\u202e\x9b"
    for p in har["log"]["pages"]:
        p["title"] = "T " + ESC + "[2J\x9b\u202e BADBYTES"
    save("hostile_gaps.har", har)


def weird_uri():
    har = load("condition_pageview.har")
    bad = SITE + "/conditions/breast cancer/\u00fcber<x>\"{|}`^\\"
    for e in har["log"]["entries"]:
        e["request"]["url"] = e["request"]["url"].replace(SITE + "/conditions/asthma", bad).replace(
            urllib.parse.quote(SITE + "/conditions/asthma", safe=""), urllib.parse.quote(bad, safe=""))
        for h in e["request"]["headers"]:
            if h["name"] == "Referer":
                h["value"] = bad
    save("weird_uri.har", har)


def nul_body():
    har = load("firefox_base64.har")
    for e in har["log"]["entries"]:
        pd = e["request"].get("postData")
        if pd and pd.get("encoding") == "base64":
            body = base64.b64decode(pd["text"]).replace(b"knee", b"kn\x00e\x1b[2J\xc2\x9b\xff")
            pd["text"] = base64.b64encode(body).decode()
    save("nul_body.har", har)


hostile()
hostile_gaps()
weird_uri()
nul_body()
