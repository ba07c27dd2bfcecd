#!/usr/bin/env python3
"""make_cases.py — writes the small hand-made HARs under tests/data/har/ (one per rule, positive
and negative). The HARs are committed; rerun this only to change a case. Each case is a list of
pages, each with the requests that page sent, in Chrome's export shape unless noted."""
import base64, json, os, sys, urllib.parse

SITE = "https://www.demo-hospital.org"
PIXEL = "123456789012345"
here = os.path.dirname(os.path.abspath(__file__))

def q(d):
    return urllib.parse.urlencode(d, quote_via=urllib.parse.quote)

def meta(page, ev, extra=None, post=False, cookie_ids=True):
    p = {"id": PIXEL, "ev": ev, "dl": page, "rl": "", "if": "false", "ts": "1714564800000",
         "v": "2.9.106", "r": "stable"}
    if cookie_ids:
        p["fbp"] = "fb.1.1714564800000.1234567890"
    p.update(extra or {})
    if post:
        return {"method": "POST", "url": "https://www.facebook.com/tr/",
                "mime": "application/x-www-form-urlencoded", "text": q(p), "type": "ping"}
    return {"method": "GET", "url": "https://www.facebook.com/tr/?" + q(p), "type": "image"}

def ga4(page, en, extra=None):
    p = {"v": "2", "tid": "G-TEST12345", "cid": "123.456", "en": en, "dl": page, "dt": "Page"}
    p.update(extra or {})
    return {"method": "POST", "url": "https://region1.google-analytics.com/g/collect?" + q(p),
            "type": "ping"}

def hotjar(page):
    return {"method": "POST", "url": "https://in.hotjar.com/api/v2/client/sites/1234/visit-data",
            "mime": "application/json", "text": json.dumps({"url": page}), "type": "xhr"}

def freshpaint(page, event, props):
    body = {"event": event, "properties": dict({"$current_url": page}, **props)}
    return {"method": "POST", "url": "https://api.perfalytics.com/track",
            "mime": "application/json", "text": json.dumps(body), "type": "xhr"}

def track(page, body):
    """A tracker's JSON beacon whose body is the object itself (no event envelope)."""
    return {"method": "POST", "url": "https://api.perfalytics.com/track",
            "mime": "application/json", "text": json.dumps(dict(body, url=page)), "type": "xhr"}

def doc(url, cookie=None, method="GET", text=None, mime=None):
    r = {"method": method, "url": url, "type": "document"}
    if cookie:
        r["cookie"] = cookie
    if text is not None:
        r["text"], r["mime"] = text, mime or "application/x-www-form-urlencoded"
    return r

def har(pages, flavour="chrome"):
    out_pages, entries = [], []
    for i, (url, title, reqs) in enumerate(pages):
        pid = f"page_{i + 1}"
        ptitle = url if flavour == "chrome" else title
        out_pages.append({"startedDateTime": f"2024-05-01T12:{i:02d}:00.000Z", "id": pid,
                          "title": ptitle, "pageTimings": {}})
        for j, r in enumerate(reqs):
            headers = [{"name": "User-Agent", "value": "Mozilla/5.0"}]
            if r.get("cookie"):
                headers.append({"name": "Cookie", "value": r["cookie"]})
            if r["type"] != "document":
                headers.append({"name": "Referer", "value": url})
            req = {"method": r["method"], "url": r["url"], "httpVersion": "HTTP/2",
                   "headers": headers, "queryString": [], "cookies": [], "headersSize": -1,
                   "bodySize": 0}
            if "text" in r:
                pd = {"mimeType": r["mime"], "text": r["text"]}
                if r.get("b64"):
                    pd = {"mimeType": r["mime"], "encoding": "base64",
                          "text": base64.b64encode(r["text"].encode()).decode()}
                req["postData"] = pd
            e = {"pageref": pid, "startedDateTime": f"2024-05-01T12:{i:02d}:{j:02d}.000Z",
                 "time": 10, "request": req,
                 "response": {"status": 200, "statusText": "", "httpVersion": "HTTP/2",
                              "headers": [], "cookies": [], "content": {"size": 0,
                              "mimeType": "text/html" if r["type"] == "document" else "image/gif"},
                              "redirectURL": "", "headersSize": -1, "bodySize": 0},
                 "cache": {}, "timings": {"send": 0, "wait": 1, "receive": 1}}
            if flavour == "chrome":
                e["_resourceType"] = r["type"]
                e["_initiator"] = {"type": "script", "stack": {"callFrames": [
                    {"url": "https://connect.facebook.net/en_US/fbevents.js"}]}}
            entries.append(e)
    return {"log": {"version": "1.2", "creator": {"name": flavour, "version": "1"},
                    "pages": out_pages, "entries": entries}}

def page(path, title, *reqs, cookie=None):
    url = SITE + path
    return (url, title, [doc(url, cookie=cookie)] + [r(url) if callable(r) else r for r in reqs])

cases = {
    # PW-AUTH-TRACKER: pixel on the patient portal (+ PW-NO-BAA)
    # (the portal page is reached with its login cookie: a portal URL alone is no login)
    "auth_tracker": [page("/mychart/messages", "Messages - MyChart",
                          lambda u: meta(u, "PageView"), cookie="MyChartAuth=s3ss10n")],
    # authenticated by cookie only: a neutral URL, an auth cookie on the page's own request
    "auth_cookie": [page("/home", "Welcome", lambda u: meta(u, "PageView"),
                         cookie="AuthToken=abc123; _ga=GA1.1.1")],
    # PW-BUTTON-TEXT: automatic click event carrying care-intent button text
    "button_text": [page("/appointments", "Request an appointment",
                         lambda u: meta(u, "SubscribedButtonClick",
                                        {"cd[buttonText]": "Schedule a mammogram",
                                         "es": "automatic"}))],
    # PW-SEARCH-TERM: the find-a-doctor search URL goes to GA4
    "search_term": [page("/find-a-doctor/results?q=oncologist+breast+cancer", "Find a Doctor",
                         lambda u: ga4(u, "page_view"))],
    # PW-FORM-VALUES: GET form put the typed e-mail in dl; udff hashes from the form
    "form_values": [page("/appointments/confirm?email=jane.doe%40example.com&phone=5551234567",
                         "Appointment request",
                         lambda u: meta(u, "PageView", {
                             "udff[em]": "a" * 64}, post=True))],
    # PW-ADVANCED-MATCHING: ud[em] on a condition page
    "advanced_matching": [page("/conditions/asthma", "Asthma care",
                               lambda u: meta(u, "PageView", {"ud[em]": "b" * 64}))],
    # PW-CONDITION-URL only: a PageView on a condition page is elevated risk, nothing more
    "condition_pageview": [page("/conditions/asthma", "Asthma care",
                                lambda u: meta(u, "PageView"))],
    # PW-SESSION-REPLAY: Hotjar on a scheduling page
    "session_replay": [page("/appointments", "Request an appointment", hotjar)],
    # negative: a careers page with a pixel gives only the info inventory finding
    "careers_pixel": [page("/careers/nursing-jobs", "Careers", lambda u: meta(u, "PageView"))],
    # negative: first-party analytics only, no tracker at all
    "first_party_only": [page("/appointments", "Request an appointment",
                              {"method": "POST", "url": SITE + "/api/log", "type": "xhr",
                               "mime": "application/json", "text": "{\"a\":1}"})],
    # Firefox-shaped export (document title as page title, no _resourceType), base64 body
    "firefox_base64": [(SITE + "/find-a-doctor", "Find a Doctor | Demo Hospital",
                        [doc(SITE + "/find-a-doctor"),
                         dict(meta(SITE + "/find-a-doctor", "Search",
                                   {"cd[search_string]": "knee pain"}, post=True), b64=True)])],
    # the tracker's own cookies (c_user: the Facebook account) are evidence; their values are not
    "cookie_scrub": [page("/mychart/home", "MyChart",
                          lambda u: dict(meta(u, "PageView"),
                                         cookie="c_user=100001234567; fr=SECRETVALUE"))],
    # --baa freshpaint: a vendor the site holds a BAA with receives the typed e-mail and the
    # care page (capped at low); the Meta Pixel beside it on the same page stays as it is;
    # Adobe Launch (BAA unknown) only loads there: PW-NO-BAA, gone with --baa adobe-launch
    "baa_declared": [page("/appointments/confirm?email=maria.lopez%40gmail.com",
                          "Appointment request",
                          lambda u: freshpaint(u, "Appointment Requested",
                                               {"email": "maria.lopez@gmail.com",
                                                "service": "oncology"}),
                          lambda u: meta(u, "PageView"),
                          {"method": "GET", "url": "https://assets.adobedtm.com/launch-EN1.min.js",
                           "type": "script"})],
    # a JSON object's members are judged together: a product's "name" beside its price and sku
    # is no person's name (no finding, where the name key alone gave PW-FORM-VALUES); a
    # contact's "name" beside a person's member (gender) is one whatever thing's member sits
    # beside it ("event"): PW-FORM-VALUES on the booking page. phiwall redact and the gateway
    # judge the same objects the same way
    "object_kind": [page("/shop/knee-brace", "Knee Brace | Shop",
                         lambda u: track(u, {"name": "Knee Brace", "price": "34.99",
                                             "sku": "KB-100"})),
                    page("/appointments/request", "Request an appointment",
                         lambda u: track(u, {"event": "lead", "name": "Jane Smith",
                                             "gender": "female"})),
                    # the contact nested under a parent that says nothing ("data"): its own
                    # members make it a person's, so its name identifies the visitor there too
                    page("/appointments/details", "Your details",
                         lambda u: track(u, {"data": {"name": "Maria Lopez",
                                                      "gender": "female"}})),
                    # a lead's members (a form id, a value and its currency) are no product's:
                    # the name beside them is still the visitor's
                    page("/contact-us", "Contact us",
                         lambda u: track(u, {"form_id": "contact", "name": "Ana Ruiz",
                                             "value": "50", "currency": "USD"}))],
    # e-commerce items name what the visitor bought: GA4's pr1=id…~nm… and UA's pr1nm are
    # decoded into items[0].item_name (event data: PW-EVENT-HEALTH, as Meta's cd[contents])
    "ga_items": [page("/shop/checkout", "Checkout | Shop",
                      lambda u: ga4(u, "purchase", {"pr1": "idSKU-881~nmHIV Home Test Kit~qt1",
                                                    "pr2": "idSKU-882~nmReading glasses"})),
                 page("/shop/cart", "Cart | Shop",
                      {"method": "GET", "type": "image",
                       "url": "https://www.google-analytics.com/collect?" + q({
                           "v": "1", "tid": "UA-1234-1", "cid": "1.2", "t": "event",
                           "ec": "ecommerce", "ea": "add_to_cart", "pa": "add",
                           "dl": SITE + "/shop/cart", "pr1nm": "Naloxone nasal spray",
                           "pr1ca": "Overdose"})})],
    # GA4 through server-side tagging under a path of the site's own host: the search page's
    # query still reaches Google (PW-SEARCH-TERM); the first-party gtm.js is the tag manager.
    # An unrelated first-party /collect endpoint (no GA4 shape) stays nobody's
    "sgtm_path": [page("/find-a-doctor?q=hiv+testing", "Find a Doctor",
                       {"method": "GET", "type": "script",
                        "url": SITE + "/metrics/gtm.js?id=GTM-ABCD123"},
                       lambda u: dict(ga4(u, "page_view"),
                                      url=SITE + "/metrics/g/collect?" + q({
                                          "v": "2", "tid": "G-SSS998", "cid": "1.2",
                                          "en": "page_view", "dl": u})),
                       {"method": "POST", "type": "ping", "mime": "application/json",
                        "url": SITE + "/api/collect?v=2", "text": "{\"q\":\"hiv testing\"}"})],
    # two pages: general + portal, for the multi-file merge test
    "mixed": [page("/news/new-parking-garage", "News", lambda u: meta(u, "PageView")),
              page("/billing/pay-my-bill", "Pay my bill", lambda u: meta(u, "PageView"),
                   lambda u: ga4(u, "page_view"))],
}

for name, pages in cases.items():
    flavour = "firefox" if name.startswith("firefox") else "chrome"
    with open(os.path.join(here, name + ".har"), "w") as f:
        json.dump(har(pages, flavour), f, indent=1)
        f.write("\n")
print(f"wrote {len(cases)} HARs to {here}")
