#!/usr/bin/env python3
"""make_cases.py — writes the small HARs under tests/data/assess/ that test_assess_findings.c
reads: one per false or misleading finding the assess rules must not give (and the true finding
beside it that must stay). The HARs are committed; rerun this only to change a case. Each case is
a list of pages (url, title, requests); every request carries the page as its Referer header
unless it names another."""
import json, os, urllib.parse

here = os.path.dirname(os.path.abspath(__file__))
SITE = "https://www.hosp.org"
PIXEL = "123456789012345"


def q(d):
    return urllib.parse.urlencode(d, quote_via=urllib.parse.quote)


def meta(page, ev="PageView", extra=None):
    p = {"id": PIXEL, "ev": ev, "dl": page, "rl": "", "if": "false", "ts": "1714564800000",
         "fbp": "fb.1.1714564800000.1234567890"}
    p.update(extra or {})
    return {"url": "https://www.facebook.com/tr/?" + q(p)}


def ga4(page, en="page_view", extra=None):
    p = {"v": "2", "tid": "G-TEST12345", "cid": "123.456", "en": en, "dl": page, "dt": "Page"}
    p.update(extra or {})
    return {"url": "https://region1.google-analytics.com/g/collect?" + q(p)}


def req(url, referer=None, method="GET", text=None, mime="application/json"):
    r = {"url": url, "method": method}
    if referer is not None:
        r["referer"] = referer
    if text is not None:
        r["text"], r["mime"] = text, mime
    return r


def entry(pid, page_url, r, first):
    headers = [{"name": "User-Agent", "value": "Mozilla/5.0"}]
    referer = r.get("referer", None if first else page_url)
    if referer:
        headers.append({"name": "Referer", "value": referer})
    rq = {"method": r.get("method", "GET"), "url": r["url"], "httpVersion": "HTTP/2",
          "headers": headers, "queryString": [], "cookies": [], "headersSize": -1,
          "bodySize": 0}
    if "text" in r:
        rq["postData"] = {"mimeType": r["mime"], "text": r["text"]}
    extra = {"_consent": r["consent"]} if "consent" in r else {}
    return {**extra, "pageref": pid, "startedDateTime": "2024-05-01T12:00:00.000Z", "time": 10,
            "request": rq,
            "response": {"status": 200, "statusText": "", "httpVersion": "HTTP/2",
                         "headers": [], "cookies": [], "content": {"size": 0, "mimeType":
                                                                   "text/html"},
                         "redirectURL": "", "headersSize": -1, "bodySize": 0},
            "cache": {}, "timings": {"send": 0, "wait": 1, "receive": 1},
            "_resourceType": "document" if first else "image"}


def har(pages):
    out_pages, entries = [], []
    for i, (url, reqs) in enumerate(pages):
        pid = f"page_{i + 1}"
        out_pages.append({"startedDateTime": "2024-05-01T12:00:00.000Z", "id": pid,
                          "title": url, "pageTimings": {}})
        entries.append(entry(pid, url, req(url), True))
        entries += [entry(pid, url, r(url) if callable(r) else r, False) for r in reqs]
    return {"log": {"version": "1.2", "creator": {"name": "chrome", "version": "1"},
                    "pages": out_pages, "entries": entries}}


SITEIMPROVE = ("https://6027462.global.siteimproveanalytics.io/image.aspx?" +
               q({"url": SITE + "/", "title": "Home", "accountid": "6027462", "rt": "7783"}))

cases = {
    # 1: Siteimprove's own account ID is no patient record; the GET form's e-mail on the
    # confirmation page is a real form value
    "vendor_account": [(SITE + "/", [req(SITEIMPROVE)]),
                       (SITE + "/news/annual-report",
                        [req("https://collect.example-analytics.net/p.gif?" +
                             q({"site_id": "884120", "account_id": "99123456",
                                "u": SITE + "/news/annual-report"}))]),
                       (SITE + "/contact/thanks?email=jane.doe%40mail.net", [meta])],
    # 2: job searches on a careers section (first slug or deeper) and a careers host are no PHI
    "careers_search": [(SITE + "/careers/search?keyword=oncology", [meta, ga4]),
                       (SITE + "/en/careers/search?keyword=nurse", [meta, ga4]),
                       ("https://careers.hosp.org/search?q=oncology+nurse", [meta, ga4])],
    # 3: a third party's own q/keywords parameters are no site search; the site search is
    "not_site_search": [
        (SITE + "/", [req("https://i.vimeocdn.com/video/383226822-d.jpg?mw=80&q=85"),
                      req("https://mbox.tt.omtrdc.net/rest/v1/delivery?client=x", method="POST",
                          text=json.dumps({"execute": {"pageLoad": {"parameters": {
                              "keywords": "video,immigration,clinic,lawyer"}}}})),
                      lambda u: ga4(u, extra={"dr": "https://www.google.com/search?q=back+pain"})]),
        (SITE + "/search?q=knee+pain",
         [ga4, lambda u: req("https://collect.example-analytics.net/p.gif?" + q({"u": u}))])],
    # 4: PW-CONDITION-URL needs a field with the condition page's URL, title or referrer
    "condition_fields": [
        (SITE + "/conditions/breast-cancer", [
            # a cookie sync from an ad iframe: no page field, Referer is the iframe's
            req("https://idsync.rlcdn.com/360947.gif?partner_uid=7235745084599157301",
                referer="https://20833821p.rfihub.com/ca.html?ver=9"),
            # a tag that only names its own URLs (redir=) and sends the origin as Referer
            req("https://ib.adnxs.com/getuid?" +
                q({"redir": "https://match.adsrvr.org/track/cmf/appnexus?ttd=1"}),
                referer=SITE + "/"),
            # a pixel request whose Referer header is the condition page itself
            req("https://insight.adsrvr.org/track/pxl/?adv=ycwhf6j&ct=0:x&fmt=3"),
            meta])],
    # 5: the form's placeholders in cd[formFeatures] are no one's phone or e-mail; a scanner's
    # canary at example.org typed into a GET form is found when the canary is given
    "form_placeholders": [
        (SITE + "/appointments/request", [lambda u: meta(u, "SubscribedButtonClick", {
            "cd[buttonText]": "Submit", "cd[formFeatures]": json.dumps([
                {"id": "phone", "name": "phone", "tag": "input",
                 "placeholder": "(555) 555-0100", "inputType": "tel"},
                {"id": "email", "name": "email", "tag": "input",
                 "placeholder": "you@example.com", "inputType": "email"}])})]),
        (SITE + "/appointments/confirm?email=marisol.canary.abc%40example.org&phone=617-555-0107",
         [meta])],
    # 6: before the banner was answered a PageView, after the reject a Microdata event: two
    # transmissions, each finding describes one
    "consent_reject": [
        (SITE + "/find-a-doctor", [lambda u: dict(meta(u), consent="none"),
                                   lambda u: dict(meta(u, "Microdata"), consent="reject")])],
    # 7: hosted site-search services receive the visitor's query in their own parameters: a
    # PW-SEARCH-TERM naming the vendor; not on a careers page's job search
    "site_search_vendors": [
        (SITE + "/find-a-doctor", [
            req("https://hospapp-dsn.algolia.net/1/indexes/*/queries?" +
                q({"x-algolia-agent": "Algolia for JavaScript (4.20.0)",
                   "x-algolia-api-key": "0123abcd", "x-algolia-application-id": "HOSPAPP"}),
                method="POST", mime="application/x-www-form-urlencoded",
                text=json.dumps({"requests": [{"indexName": "providers",
                                               "params": "query=knee%20pain&hitsPerPage=20"}]})),
            req("https://platform.cloud.coveo.com/rest/search/v2?organizationId=hosp1",
                method="POST", text=json.dumps({"q": "breast cancer screening",
                                                "locale": "en-US"})),
            req("https://liveapi.yext.com/v2/accounts/me/answers/query?" +
                q({"input": "diabetes doctor", "experienceKey": "hosp-search",
                   "api_key": "abc123", "v": "20220511", "locale": "en"})),
            req("https://search-api.swiftype.com/api/v1/public/engines/search.json?" +
                q({"engine_key": "Ab12Cd34", "q": "mammogram"})),
            req("https://cse.google.com/cse/element/v1?" +
                q({"rsz": "filtered_cse", "num": "10", "cx": "0123456789:abcdefghijk",
                   "q": "depression therapy"})),
            # a third party that is no search service: its q= (an image quality) is none
            req("https://images.example-cdn.net/photo.jpg?w=400&q=85"),
            req("https://ads.example-adserver.net/ad?keywords=doctors,hospital&sz=300x250")]),
        (SITE + "/careers/search?keyword=nurse", [
            req("https://hospapp-dsn.algolia.net/1/indexes/jobs/query?" +
                q({"x-algolia-application-id": "HOSPAPP", "x-algolia-api-key": "0123abcd"}),
                method="POST", text=json.dumps({"params": "query=oncology%20nurse"}))])],
    # 8: client-side search keeps the query in the fragment (Coveo/Sitecore "#q=", a hash
    # route's own "?q="): a site search too; a fragment without a search parameter is none
    "fragment_search": [
        (SITE + "/search#q=herpes%20treatment&sort=relevancy", [ga4]),
        (SITE + "/#/find-a-doctor?q=oncologist", [ga4]),
        (SITE + "/services#section-2", [ga4])],
    # one finding per page key: the same search page with three queries (the last seen twice),
    # and a single-page app's two routes, which stay two pages
    "query_variants": [
        (SITE + "/search?q=herpes", [ga4]),
        (SITE + "/search?q=hiv+testing", [ga4]),
        (SITE + "/search?q=hiv+testing", [ga4]),
        (SITE + "/search?q=prep&page=2", [ga4]),
        (SITE + "/#/appointments/new?doctor=a", [meta]),
        (SITE + "/#/billing/pay?invoice=1", [meta])],
}

if __name__ == "__main__":
    for name, pages in cases.items():
        with open(os.path.join(here, name + ".har"), "w") as f:
            json.dump(har(pages), f, indent=1)
            f.write("\n")
    print(f"wrote {len(cases)} HARs to {here}")
