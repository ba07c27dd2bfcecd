#!/usr/bin/env python3
"""make_review_cases.py — writes the HARs under tests/data/assess/ that test_assess_review.c reads:
one per defect a review of the scanner found (a finding that misled or was missing), each with
the true finding beside it that must stay. Built with make_cases.py's helpers; the HARs are
committed, rerun this only to change a case."""
import json, os, sys

sys.dont_write_bytecode = True  # no __pycache__ beside the test data
from make_cases import SITE, PIXEL, q, meta, ga4, req, har

here = os.path.dirname(os.path.abspath(__file__))


def coveo(query):
    return req("https://platform.cloud.coveo.com/rest/search/v2?organizationId=hosp1",
               method="POST", text=json.dumps({"q": query, "locale": "en-US"}))


def uet(page, extra):
    p = {"ti": "5566778", "Ver": "2", "mid": "m-1", "sid": "s-1", "vid": "v-1", "p": page,
         "tl": "Home", "r": ""}
    p.update(extra)
    return req("https://bat.bing.com/action/0?" + q(p))


def with_cookie(h, page_url, cookie):
    """The HAR h with a Cookie header on the document request of page_url."""
    for e in h["log"]["entries"]:
        if e["request"]["url"] == page_url and e["_resourceType"] == "document":
            e["request"]["headers"].append({"name": "Cookie", "value": cookie})
    return h


def ga4_batch(page):
    """One GA4 request carrying three events (one query string a line in the body)."""
    lines = "\n".join([q({"en": "view_search_results", "ep.search_term": "std testing"}),
                       q({"en": "select_content", "ep.content_type": "doctor"}),
                       q({"en": "scroll", "epn.percent_scrolled": "90"})])
    return req("https://region1.google-analytics.com/g/collect?" +
               q({"v": "2", "tid": "G-TEST12345", "cid": "1.2", "dl": page, "dt": "Search"}),
               method="POST", text=lines, mime="text/plain")


cases = {
    # 1: a search with no health term on a general page is low, with one it is high; the
    # engine's "this is a search" marker is no health term
    "search_severity": [(SITE + "/", [coveo("parking garage hours")]),
                        (SITE + "/about", [coveo("mammogram")])],
    # 2: UET's kw is the page's <meta name="keywords">: page metadata, no event data; a custom
    # event named for a care step still is
    "uet_keywords": [(SITE + "/", [lambda u: uet(u, {"evt": "pageLoad",
                                                     "kw": "cancer, HIV, diabetes, hospital"})]),
                     (SITE + "/news/gala", [lambda u: uet(u, {
                         "evt": "custom", "ea": "schedule_oncology_consult", "ec": "form"})])],
    # 3: a single-page app changes route without loading a document: each GA4/Meta beacon is
    # judged on the route its dl (and dt) names, not on the document the HAR recorded; an anchor
    # (#section-2) is the same page; a route of an authenticated page stays authenticated
    "spa_routes": [
        (SITE + "/", [ga4,
                      lambda u: ga4(u + "#section-2"),
                      lambda u: ga4(SITE + "/find-a-doctor?q=hiv+testing",
                                    extra={"dt": "Find a doctor"}),
                      lambda u: meta(SITE + "/conditions/hiv")]),
        (SITE + "/careers", [lambda u: ga4(SITE + "/conditions/hiv-prep",
                                           extra={"dt": "HIV PrEP"})]),
        (SITE + "/portal/home", [lambda u: ga4(SITE + "/portal/messages",
                                               extra={"dt": "Messages"})])],
    # 4: a find-a-doctor page's filters name what the visitor looks for as plainly as a typed
    # query: PW-SEARCH-TERM; the same parameter on a scheduling page, or a filter without a
    # health term (insurance=) is none; a search in the referrer gets a fix about the referrer
    "doctor_filters": [
        (SITE + "/find-a-doctor?condition=breast+cancer", [meta, ga4]),
        (SITE + "/doctors?specialty=oncology&location=boston", [meta]),
        (SITE + "/FindADoctor.aspx?treatment%5B%5D=chemotherapy", [meta]),
        (SITE + "/#/find-a-doctor?symptom=chest+pain", [meta]),
        (SITE + "/providers?insurance=aetna", [meta]),
        (SITE + "/appointments/request?service=oncology", [meta]),
        (SITE + "/doctors/jane-roe", [lambda u: ga4(u, extra={
            "dr": SITE + "/search?q=breast+cancer"})])],
    # 5: a tracker's requests that name no account (Hotjar's script modules and frames, the
    # Meta Pixel's script) join its account when the scan saw one; with two pixels the script
    # load stays apart
    "account_rows": [
        (SITE + "/conditions/diabetes", [
            req("https://static.hotjar.com/c/hotjar-123456.js?sv=6"),
            req("https://vars.hotjar.com/box-469cf41adb11dc78be68c1ae7f9457a4.html"),
            req("https://script.hotjar.com/modules.1e2f.js"),
            req("https://in.hotjar.com/api/v2/client/sites/123456/visit-data?sv=7",
                method="POST", text=json.dumps({"url": SITE + "/conditions/diabetes"}))]),
        ("https://www.clinic-two.org/services/cardiology", [
            req("https://connect.facebook.net/en_US/fbevents.js"),
            meta, lambda u: dict(meta(u), url=meta(u)["url"].replace(PIXEL, "998877665544332"))])],
    # 5b: the pixel's script load on one submission of a form page and its beacon on another:
    # one finding for the page, its URLs joined when the script load takes the pixel's account
    "account_variants": [
        (SITE + "/conditions/asthma?visit=1", [req("https://connect.facebook.net/en_US/fbevents.js")]),
        (SITE + "/conditions/asthma?visit=2", [meta]),
        (SITE + "/conditions/asthma?visit=3", [meta])],
    # 5c: the same with more URLs than a finding lists (10), repeats among them: the script
    # loads on visits 1-12, the beacons on visits 5-20; the folded finding counts 20 URLs
    "account_variants_many": (
        [(SITE + f"/conditions/asthma?visit={v}", [req("https://connect.facebook.net/en_US/fbevents.js")])
         for v in list(range(1, 13)) + [1, 12]] +
        [(SITE + f"/conditions/asthma?visit={v}", [meta]) for v in list(range(5, 21)) + [5, 20]]),
    # 5d: a GET form with mixed fields: PW-FORM-VALUES marks what the visitor typed, the name,
    # the e-mail and the health words of the visit reason in their own words, not the care words
    # around them (the department chosen from a list, the page's path)
    "form_mixed": [
        (SITE + "/appointments/thanks?" + q({"first_name": "Jane", "last_name": "Roe",
                                             "email": "jane.roe@gmail.com", "reason": "knee pain",
                                             "department": "cardiology"}), [meta])],
    # 5e: a HAR whose pages[].title is the URL (Chrome): the page's title comes from GA's dt,
    # sent after the Meta beacon of the same page, whose findings must still be judged with it
    # (a condition page by its title); a dt naming another URL (a route) gives this page none
    "title_from_dt": [
        (SITE + "/p/4821", [
            req("https://connect.facebook.net/en_US/fbevents.js"), meta,
            lambda u: ga4(u, extra={"dt": "Breast Cancer Treatment | Hosp"})]),
        (SITE + "/p/77", [
            meta, lambda u: ga4(SITE + "/p/78", extra={"dt": "Knee Surgery"})])],
    # 6: a hosted site search on care pages: its fixes are a BAA or a search that does not hand
    # it the visitor (never "replace it with the gateway"), and a vendor whose BAA stance is
    # unknown is "not known to sign" one, not said to refuse
    "site_search_baa": [
        (SITE + "/find-a-doctor", [dict(coveo(""), referer=SITE + "/")]),
        (SITE + "/appointments", [coveo("")])],
    # 7: the site's own name ("Planned Parenthood" on plannedparenthood.org) in a custom
    # dimension describes the organisation, not what the visitor seeks; a service is still one
    "brand_name": [
        ("https://www.plannedparenthood.org/about-us/annual-report", [
            lambda u: ga4(u, extra={"ep.affiliate_name": "Planned Parenthood Gulf Coast, Inc."})]),
        ("https://www.plannedparenthood.org/about-us/our-history", [
            lambda u: ga4(u, en="select_service", extra={"ep.service": "abortion pill"})])],
    # 8: a finding counts requests: GA4's three batched events in one request are one
    "ga4_batch": [(SITE + "/search?q=std+testing", [ga4_batch])],
    # 9: an e-mail from a careers application is an identified person but no PHI on its own
    # (high, with the general page's reasoning); from an appointment form it is PHI (critical);
    # Google Ads enhanced conversions (em=tv.1~em.<sha256>) are advanced matching
    "general_form_values": [
        (SITE + "/careers/apply/thanks?email=john.roe%40gmail.com", [meta]),
        (SITE + "/appointments/thanks?email=jane.doe%40gmail.com", [meta]),
        (SITE + "/conditions/asthma", [lambda u: req(
            "https://googleads.g.doubleclick.net/pagead/viewthroughconversion/123456/?" +
            q({"url": u, "em": "tv.1~em." + "3f" * 32}))])],
    # 10: health words the visitor wrote in a GET form's free text (a contact form's message, a
    # reason for the visit) are theirs: PW-FORM-VALUES, critical with or without an identifier,
    # even on a general section's page; a job application stays high (an applicant, not a patient:
    # the engine reads no health on a careers page); the site's own campaign parameter or a
    # chosen department are not typed text (no PW-FORM-VALUES there)
    "typed_health": [
        (SITE + "/contact/thanks?" + q({"message": "I tested positive for HIV and need a PrEP refill"}),
         [meta]),
        (SITE + "/contact-us/thanks?" + q({"email": "john.roe@gmail.com",
                                           "comments": "I was treated for depression last year"}),
         [meta]),
        (SITE + "/careers/apply/thanks?" + q({"email": "john.roe@gmail.com",
                                              "comments": "I was treated for depression last year"}),
         [meta]),
        (SITE + "/news/?" + q({"utm_content": "breast-cancer-awareness", "department": "oncology"}),
         [meta])],
}

post = {"spa_routes": lambda h: with_cookie(h, SITE + "/portal/home", "auth_token=abc123")}

if __name__ == "__main__":
    for name, pages in cases.items():
        with open(os.path.join(here, name + ".har"), "w") as f:
            json.dump(post.get(name, lambda h: h)(har(pages)), f, indent=1)
            f.write("\n")
    print(f"wrote {len(cases)} HARs to {here}")
