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
    # --- the rev-scan review of the ASSESS stage (tests/unit/test_assess_scan_review.c) ---
    # D1: anonymous cookies whose names hold "auth", "author", "remember"… are no session: a
    # condition page stays a condition page, a careers page a general one
    "cookie_anonymous": [page("/conditions/heart-disease", "Heart disease",
                              lambda u: meta(u, "PageView"),
                              cookie="_ga=GA1.2.3.4; _pin_unauth=dWlkPU5qRTVOVEJp; "
                                     "next-auth.callback-url=https%3A%2F%2Fwww.demo-hospital.org; "
                                     "MyChartLocale=en-US; author_pref=1; rememberedLanguage=en; "
                                     "hs_authorship=1; _fbp=fb.1.2.3"),
                         page("/careers", "Careers", lambda u: meta(u, "PageView"),
                              cookie="_pin_unauth=dWlkPU5qRTVOVEJp")],
    # D3: the site's own tel:/mailto: links clicked (GA4 outbound click, Meta button click)
    "link_contacts": [page("/contact-us", "Contact us",
                           lambda u: ga4(u, "click", {"ep.link_url": "tel:+15035551234",
                                                      "ep.link_text": "(503) 555-1234",
                                                      "ep.outbound": "true"}),
                           lambda u: ga4(u, "click", {"ep.link_url": "mailto:info@demo-hospital.org",
                                                      "ep.link_text": "info@demo-hospital.org"}),
                           lambda u: ga4(u, "click", {"ep.link_url": "mailto:drsmith@gmail.com"}),
                           lambda u: ga4(u, "click", {"ep.link_url": "tel:+1 (503) 555-1234"}),
                           lambda u: meta(u, "SubscribedButtonClick", {
                               "cd[buttonText]": "Call 503-555-1234",
                               "cd[buttonFeatures]": json.dumps({
                                   "destination": "tel:5035551234",
                                   "innerText": "Call 503-555-1234", "tag": "a"})})),
                      # a typed phone beside a link to another number still counts
                      page("/appointments/request", "Request an appointment",
                           lambda u: ga4(u, "generate_lead", {"ep.link_url": "tel:+15035551234",
                                                              "ep.phone": "503-555-9876"}))],
    # D4: a provider's NPI on the provider's page names the doctor, not the visitor
    "provider_npi": [page("/doctors/elena-marsh", "Elena Marsh, MD",
                          lambda u: ga4(u, "view_provider", {"ep.provider_npi": "1234567893",
                                                             "ep.provider_name": "Elena Marsh"}))],
    # D8: advanced matching that hashed nothing (SHA-256 of "" and "undefined", MD5 of "null")
    "empty_hash": [page("/appointments", "Appointments",
                        lambda u: meta(u, "PageView", {
                            "ud[em]": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                            "ud[ph]": "eb045d78d273107348b0300c01d29b7552d622abbc6faf81b3ec55359aa9950c",
                            "ud[fn]": "37a6259cc0c1dae299a7866489dff0bd",
                            "ud[country]": "79adb2a2fce5c6ba215fe5f27f532d4e7edbac4b6a5e09e1ef3a08084a904621"}))],
    # D7: a sign-in button's destination and HTML id are no button text; GA4's form_id and
    # form_name are form metadata (PW-FORM-FIELDS), not event data
    "form_meta": [page("/portal/login", "Sign in",
                       lambda u: ga4(u, "form_start", {"ep.form_id": "portal-login",
                                                       "ep.form_name": "portal-login",
                                                       "ep.form_destination": u}),
                       lambda u: meta(u, "SubscribedButtonClick", {
                           "cd[buttonText]": "Sign in",
                           "cd[buttonFeatures]": json.dumps({
                               "classList": "btn", "destination": u,
                               "id": "portal-login-submit", "innerText": "Sign in",
                               "tag": "button"})}))],
    # D9: a general section's login or registration is no patient's
    "general_login": [page("/careers/login", "Careers", lambda u: meta(u, "PageView")),
                      page("/events/register?email=jane.doe%40gmail.com", "Register",
                           lambda u: meta(u, "PageView")),
                      page("/patients/portal/login", "Sign in", lambda u: meta(u, "PageView"))],
    # D2: a GET form's values and a site search reach trackers only in the Referer header
    # (Meta's noscript pixel, Floodlight)
    "referer_form": [page("/appointments/confirm?first_name=Jane&last_name=Doe"
                          "&email=jane.doe%40gmail.com&phone=5035551234&reason=HIV+test",
                          "Appointment confirmed",
                          {"method": "GET", "type": "image",
                           "url": "https://www.facebook.com/tr?id=" + PIXEL +
                                  "&ev=PageView&noscript=1"},
                          {"method": "GET", "type": "image",
                           "url": "https://ad.doubleclick.net/ddm/activity/src=1234567;type=visit;"
                                  "cat=appt0;ord=1?"})],
    "referer_search": [page("/search?q=hiv+testing", "Search results",
                            {"method": "GET", "type": "image",
                             "url": "https://www.facebook.com/tr?id=" + PIXEL +
                                    "&ev=PageView&noscript=1"})],
    # D10: health information in parameter names; harmless names (health_plan, care_type) none
    "health_keys": [page("/", "Home",
                         lambda u: ga4(u, "quiz_complete", {"epn.hiv_risk_score": "8",
                                                            "ep.depression_screening_positive": "yes",
                                                            "up.pregnant": "true"}),
                         lambda u: meta(u, "CompleteRegistration", {"cd[hiv_positive]": "true",
                                                                    "cd[value]": "0"})),
                    page("/news/gala", "Gala",
                         lambda u: ga4(u, "select_content", {"ep.health_plan": "yes",
                                                             "ep.care_type": "1",
                                                             "ep.content_type": "article"}))],
    # D11: a single-page app's route in TikTok's context.page.url, as Meta's dl
    "spa_tiktok": [page("/", "Home",
                        {"method": "POST", "url": "https://analytics.tiktok.com/api/v2/pixel",
                         "mime": "application/json", "type": "xhr",
                         "text": json.dumps({"event": "Search", "event_id": "e1",
                                             "timestamp": "2024-05-01T12:00:00Z",
                                             "context": {"pixel": {"code": "CABCDEFGHIJKL0123456"},
                                                         "page": {"url": SITE + "/find-a-doctor?q=depression",
                                                                  "referrer": ""}},
                                             "properties": {}})})],
    # --- the rev-real review (tests/unit/test_assess_review.c has the unit cases) ---
    # 1: a phone or street address the visitor typed, found by its shape alone: in a GET form's
    # free-text or contact parameter (critical on a care page, high on a general section's
    # contact form, whose reasoning names it) and in free-text event parameters on a neutral page
    "typed_contacts": [page("/appointments/confirm?notes=please+call+me+back+at+503-318-2277",
                            "Request an Appointment", lambda u: meta(u, "PageView")),
                       page("/contact?address=1634+Main+Street%2C+Portland%2C+OR+97201",
                            "Contact Us", lambda u: meta(u, "PageView")),
                       page("/welcome", "Welcome",
                            lambda u: ga4(u, "form_submit", {
                                "ep.message": "please call me back at 503-318-2277"}),
                            lambda u: meta(u, "Lead", {
                                "cd[message]": "my address is 1634 Main Street, Portland, OR 97201"})),
                       page("/home", "Home",
                            lambda u: ga4(u, "form_submit", {"ep.notes": "+1 503 318 2277"})),
                       # 3: a phone number under an address key is labelled a phone
                       page("/start", "Start",
                            lambda u: ga4(u, "form_submit", {"ep.address": "5033182277"}))],
    # negatives: the site's own contact number and a clinic's address in its static content (a
    # page title, a location name, a campaign parameter) are no one's typed value
    "site_contacts": [page("/locations/downtown?utm_content=call-503-318-2277",
                           "Downtown Clinic - call 503-318-2277",
                           lambda u: ga4(u, "page_view", {
                               "ep.location_name": "1634 Main Street Clinic"}))],
    # 2: test data's placeholders sent as a search on a neutral page identify no one
    "placeholders": [page(f"/home/{i}", "Home",
                          lambda u, v=v: ga4(u, "search", {"ep.search_term": v}))
                     for i, v in enumerate(["account 000000000000", "111111111111",
                                            "SSN 111-11-1111", "policy INS000000",
                                            "department@domain.com"])],
}

for name, pages in cases.items():
    flavour = "firefox" if name.startswith("firefox") else "chrome"
    with open(os.path.join(here, name + ".har"), "w") as f:
        json.dump(har(pages, flavour), f, indent=1)
        f.write("\n")
print(f"wrote {len(cases)} HARs to {here}")
