#!/usr/bin/env python3
"""make_shapes.py — writes tests/data/har/shape_*.har: one small visit as each recorder exports it,
written from the formats' public descriptions (HAR 1.2 plus each tool's own fields), not copied
from any tool's output. integration/scan_har_pages reads them: the pages each should give and the
page the Meta pixel's finding lands on. Run it from anywhere; it rewrites the files.

The visit: the hospital's HIV page and another page open in two tabs at once (the other tab's
document starts after the HIV page's, then the HIV page's Meta pixel fires), or one tab's
navigations with a frame and a script's HTML fetch in between, depending on what the recorder can
hold (a proxy sees every tab; a browser's export is one tab)."""
import json
import os

H = "https://www.rivermoor-health.org"
HIV = H + "/conditions/hiv"
PIXEL = ("https://www.facebook.com/tr/?id=4455667788&ev=PageView&dl="
         "https%3A%2F%2Fwww.rivermoor-health.org%2Fconditions%2Fhiv&rl=&if=false&ts=1714564801000")
NAV_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
OUT = os.path.dirname(os.path.abspath(__file__))


def hdrs(pairs, lower=False):
    return [{"name": n.lower() if lower else n, "value": v} for n, v in pairs]


def entry(t, method, url, req_headers, status, mime, extra=None, text=None, http="HTTP/1.1",
          resp_headers=None, post=None):
    req = {"method": method, "url": url, "httpVersion": http, "cookies": [],
           "headers": req_headers, "queryString": [], "headersSize": -1,
           "bodySize": len(post["text"]) if post and "text" in post else 0}
    if post:
        req["postData"] = post
    content = {"size": len(text or ""), "mimeType": mime}
    if text is not None:
        content["text"] = text
    e = {"startedDateTime": t, "time": 42.5, "request": req,
         "response": {"status": status, "statusText": "OK" if status == 200 else "",
                      "httpVersion": http, "cookies": [], "headers": resp_headers or [],
                      "content": content, "redirectURL": "", "headersSize": -1,
                      "bodySize": len(text or "")},
         "cache": {}, "timings": {"blocked": -1, "dns": -1, "connect": -1, "ssl": -1,
                                  "send": 0, "wait": 40, "receive": 2.5}}
    e.update(extra or {})
    return e


def save(name, log):
    with open(os.path.join(OUT, name), "w") as f:
        json.dump({"log": log}, f, indent=1)
        f.write("\n")


# mitmproxy (its HAR export: `savehar`, formerly the har_dump addon): no pages (an empty list),
# no pageref; times are Python's isoformat with microseconds and +00:00; HTTP/2 header names in
# lower case, as the browser sent them (a current browser: Sec-Fetch-* present). Two tabs.
def mitmproxy():
    news = "https://news.example.com/"
    doc = [("accept", NAV_ACCEPT), ("sec-fetch-dest", "document"), ("sec-fetch-mode", "navigate"),
           ("user-agent", "Mozilla/5.0 Chrome/124.0")]
    save("shape_mitmproxy.har", {
        "version": "1.2", "creator": {"name": "mitmproxy", "version": "10.3.0", "comment": ""},
        "pages": [],
        "entries": [
            entry("2024-05-01T12:00:00.100000+00:00", "GET", HIV, hdrs(doc), 200,
                  "text/html; charset=utf-8", text="<title>HIV Care</title>", http="HTTP/2.0",
                  extra={"serverIPAddress": "203.0.113.10"}),
            entry("2024-05-01T12:00:00.900000+00:00", "GET", news, hdrs(doc), 200,
                  "text/html; charset=utf-8", text="<title>News</title>", http="HTTP/2.0"),
            # the HIV tab's pixel: cross-origin, so its Referer is the origin only
            entry("2024-05-01T12:00:01.250000+00:00", "GET", PIXEL,
                  hdrs([("accept", "image/avif,image/webp,*/*"), ("sec-fetch-dest", "image"),
                        ("referer", H + "/")]), 200, "image/gif", http="HTTP/2.0"),
            entry("2024-05-01T12:00:01.400000+00:00", "GET", "https://news.example.com/app.js",
                  hdrs([("accept", "*/*"), ("sec-fetch-dest", "script"), ("referer", news)]),
                  200, "application/javascript", http="HTTP/2.0"),
        ]})


# Charles Proxy (Export… HTTP Archive): no pages, no pageref; local times with an offset
# (-04:00); an older browser without Sec-Fetch-*: HTTP/1.1 header names as sent. One tab: the
# find-a-doctor page, its search results fetched by jQuery (an HTML fragment), the pixel.
def charles():
    page = H + "/find-a-doctor"
    save("shape_charles.har", {
        "version": "1.2", "creator": {"name": "Charles Proxy", "version": "4.6.6"},
        "entries": [
            entry("2024-05-01T08:00:00.120-04:00", "GET", page,
                  hdrs([("Accept", NAV_ACCEPT), ("User-Agent", "Mozilla/5.0 Safari/605.1.15")]),
                  200, "text/html; charset=UTF-8", extra={"_charlesStatus": "COMPLETE"}),
            entry("2024-05-01T08:00:02.010-04:00", "GET",
                  H + "/find-a-doctor/results?specialty=infectious-disease&condition=hiv",
                  hdrs([("Accept", "text/html, */*; q=0.01"),
                        ("X-Requested-With", "XMLHttpRequest"), ("Referer", page)]),
                  200, "text/html; charset=UTF-8", extra={"_charlesStatus": "COMPLETE"}),
            entry("2024-05-01T08:00:02.300-04:00", "GET",
                  PIXEL.replace("conditions%2Fhiv", "find-a-doctor"),
                  hdrs([("Accept", "image/png,image/svg+xml,image/*;q=0.8,*/*;q=0.5"),
                        ("Referer", H + "/")]), 200, "image/gif",
                  extra={"_charlesStatus": "COMPLETE"}),
        ]})


# Fiddler (File > Export Sessions > HTTPArchive v1.2): pages an empty list, no pageref; times
# with seven fractional digits and the local offset; bodies base64 with "encoding". Two tabs of
# one site: the HIV page, then the careers page; the HIV page's own analytics beacon (same
# origin: its Referer is the whole URL) goes out after the careers document started.
def fiddler():
    careers = H + "/careers"
    doc = [("Accept", NAV_ACCEPT), ("Sec-Fetch-Dest", "document"), ("Sec-Fetch-Mode", "navigate")]
    save("shape_fiddler.har", {
        "version": "1.2", "creator": {"name": "Fiddler", "version": "5.0.20211.51073",
                                       "comment": "http://www.telerik.com/fiddler"},
        "pages": [],
        "entries": [
            entry("2024-05-01T07:00:00.1000000-05:00", "GET", HIV, hdrs(doc), 200, "text/html",
                  text="PHRpdGxlPkhJViBDYXJlPC90aXRsZT4=", extra={"comment": ""}),
            entry("2024-05-01T07:00:00.8000000-05:00", "GET", careers,
                  hdrs(doc + [("Referer", HIV)]), 200, "text/html", extra={"comment": ""}),
            entry("2024-05-01T07:00:01.2000000-05:00", "POST", H + "/analytics/collect",
                  hdrs([("Accept", "*/*"), ("Sec-Fetch-Dest", "empty"), ("Referer", HIV),
                        ("Content-Type", "application/json")]), 204, "",
                  post={"mimeType": "application/json",
                        "text": '{"event":"page_view","page":"/conditions/hiv"}'}),
            entry("2024-05-01T07:00:01.3000000-05:00", "GET", PIXEL,
                  hdrs([("Accept", "image/*"), ("Sec-Fetch-Dest", "image"), ("Referer", H + "/")]),
                  200, "image/gif"),
        ]})


# Playwright (browser.newContext({recordHar})): pages one per tab, ids "page@<guid>", titles the
# documents' titles; entries with pageref, _frameref, _monotonicTime, _serverIPAddress; Chromium's
# headers as sent (Sec-Fetch-Dest). Two tabs, the HIV page with a same-site chat frame.
def playwright():
    careers = H + "/careers"
    doc = [("accept", NAV_ACCEPT), ("sec-fetch-dest", "document")]
    pa, pb = "page@4c1b2f0e9d8a7c6b5a4f3e2d1c0b9a87", "page@9e8d7c6b5a4f3e2d1c0b9a8776655443"
    fa, fb, fc = ("frame@0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e", "frame@1f2e3d4c5b6a79880f1e2d3c4b5a6978",
                  "frame@aa11bb22cc33dd44ee55ff6677889900")

    def pw(pageref, frame, mono):
        return {"pageref": pageref, "_frameref": frame, "_monotonicTime": mono,
                "_serverIPAddress": "203.0.113.10", "_serverPort": 443,
                "_securityDetails": {"protocol": "TLS 1.3"}}
    save("shape_playwright.har", {
        "version": "1.2", "creator": {"name": "Playwright", "version": "1.44.0"},
        "browser": {"name": "chromium", "version": "125.0.6422.26"},
        "pages": [
            {"startedDateTime": "2024-05-01T12:00:00.050Z", "id": pa,
             "title": "HIV Care | Rivermoor Health", "pageTimings": {"onContentLoad": 210,
                                                                     "onLoad": 480}},
            {"startedDateTime": "2024-05-01T12:00:00.700Z", "id": pb,
             "title": "Careers | Rivermoor Health", "pageTimings": {"onContentLoad": 150,
                                                                    "onLoad": 300}}],
        "entries": [
            entry("2024-05-01T12:00:00.100Z", "GET", HIV, hdrs(doc), 200, "text/html",
                  extra=pw(pa, fa, 100.1)),
            entry("2024-05-01T12:00:00.750Z", "GET", careers, hdrs(doc), 200, "text/html",
                  extra=pw(pb, fb, 750.2)),
            entry("2024-05-01T12:00:00.900Z", "GET", H + "/widgets/chat",
                  hdrs([("accept", NAV_ACCEPT), ("sec-fetch-dest", "iframe"), ("referer", HIV)]),
                  200, "text/html", extra=pw(pa, fc, 900.3)),
            entry("2024-05-01T12:00:01.200Z", "GET", PIXEL,
                  hdrs([("accept", "image/*"), ("sec-fetch-dest", "image"),
                        ("referer", H + "/")]), 200, "image/gif", extra=pw(pa, fa, 1200.4)),
        ]})


# Safari's Web Inspector (Export HAR): pages "page_0"…, entries with pageref, _fetchType and
# _priority; Safari before 16.4 sends no Sec-Fetch-*. One tab: the HIV page and a same-site
# video frame, then the pixel.
def safari():
    save("shape_safari.har", {
        "version": "1.2", "creator": {"name": "WebKit Web Inspector", "version": "17.4"},
        "pages": [{"startedDateTime": "2024-05-01T12:00:00.000Z", "id": "page_0",
                   "title": HIV, "pageTimings": {"onContentLoad": 180, "onLoad": 420}}],
        "entries": [
            entry("2024-05-01T12:00:00.010Z", "GET", HIV, hdrs([("Accept", NAV_ACCEPT)]), 200,
                  "text/html", extra={"pageref": "page_0", "_fetchType": "Network Load",
                                      "_priority": "high"}),
            entry("2024-05-01T12:00:00.600Z", "GET", H + "/media/embed/hiv-prep-video",
                  hdrs([("Accept", NAV_ACCEPT), ("Referer", HIV)]), 200, "text/html",
                  extra={"pageref": "page_0", "_fetchType": "Network Load",
                         "_priority": "medium"}),
            entry("2024-05-01T12:00:01.100Z", "GET", PIXEL,
                  hdrs([("Accept", "image/webp,image/png,*/*;q=0.8"), ("Referer", H + "/")]),
                  200, "image/gif", extra={"pageref": "page_0", "_fetchType": "Network Load",
                                            "_priority": "low"}),
        ]})


# Firefox (Network panel, Save All As HAR): pages "page_1"…, titles the documents' titles, times
# with the local offset; no _initiator or _resourceType; Sec-Fetch-Dest since Firefox 90; form
# bodies may come as params only. One tab: the HIV page, its same-site frame, its pixel.
def firefox():
    save("shape_firefox.har", {
        "version": "1.2", "creator": {"name": "Firefox", "version": "125.0"},
        "browser": {"name": "Firefox", "version": "125.0"},
        "pages": [{"startedDateTime": "2024-05-01T14:00:00.000+02:00", "id": "page_1",
                   "title": "HIV Care | Rivermoor Health",
                   "pageTimings": {"onContentLoad": 200, "onLoad": 450}}],
        "entries": [
            entry("2024-05-01T14:00:00.015+02:00", "GET", HIV,
                  hdrs([("Accept", NAV_ACCEPT), ("Sec-Fetch-Dest", "document")]), 200,
                  "text/html; charset=utf-8", extra={"pageref": "page_1",
                                                     "serverIPAddress": "203.0.113.10",
                                                     "connection": "443"}),
            entry("2024-05-01T14:00:00.500+02:00", "GET", H + "/widgets/chat",
                  hdrs([("Accept", NAV_ACCEPT), ("Sec-Fetch-Dest", "iframe"),
                        ("Referer", HIV)]), 200, "text/html; charset=utf-8",
                  extra={"pageref": "page_1"}),
            entry("2024-05-01T14:00:01.000+02:00", "POST", "https://www.facebook.com/tr/",
                  hdrs([("Accept", "*/*"), ("Sec-Fetch-Dest", "empty"), ("Referer", H + "/")]),
                  200, "text/plain", extra={"pageref": "page_1"},
                  post={"mimeType": "application/x-www-form-urlencoded",
                        "params": [{"name": "id", "value": "4455667788"},
                                   {"name": "ev", "value": "PageView"},
                                   {"name": "dl", "value": HIV}]}),
        ]})


for make in (mitmproxy, charles, fiddler, playwright, safari, firefox):
    make()
