#!/usr/bin/env python3
"""make_rule_cases.py — writes the HARs under tests/data/assess/ that test_assess_rules.c reads:
one per rule defect found in review (a word in a URL made a public page "authenticated"; health
terms in event names, custom data and user properties gave no finding; a cleartext e-mail in
ud[em] was not PW-FORM-VALUES; PW-NO-BAA repeated every finding; consent managers and embeds were
treated as trackers). Pages carry their own titles and phiwall's page facts (_afterLogin,
_hasSessionCookie), so a logged-in page and its public look-alike sit side by side. The HARs are
committed; rerun this only to change a case. Request helpers come from make_cases.py."""
import json, os, sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
from make_cases import SITE, q, meta, ga4, req, entry  # noqa: E402


def page(url, title, reqs, **facts):
    return {"url": url, "title": title, "reqs": reqs, "facts": facts}


def har(pages):
    out_pages, entries = [], []
    for i, p in enumerate(pages):
        pid = f"page_{i + 1}"
        hp = {"startedDateTime": "2024-05-01T12:00:00.000Z", "id": pid, "title": p["title"],
              "pageTimings": {}, "_url": p["url"]}
        for k, v in p["facts"].items():
            hp["_" + k] = v
        out_pages.append(hp)
        entries.append(entry(pid, p["url"], req(p["url"]), True))
        entries += [entry(pid, p["url"], r(p["url"]) if callable(r) else r, False)
                    for r in p["reqs"]]
    return {"log": {"version": "1.2", "creator": {"name": "chrome", "version": "1"},
                    "pages": out_pages, "entries": entries}}


def embed(url):
    return lambda page_url: req(url, referer=page_url)


cases = {
    # 1: portal, bill-pay and telehealth words on public pages are care intent, not a login;
    # the same kind of page reached after a login (browser facts) is authenticated
    "portal_words": [
        page(SITE + "/patients-visitors/billing-and-insurance",
             "Billing and Insurance | Example Health", [meta]),
        page(SITE + "/patients/mychart", "MyChart Patient Portal - Sign up today", [meta]),
        page(SITE + "/patient-portal-faq", "Patient Portal FAQ", [meta]),
        page(SITE + "/telehealth", "Telehealth video visits: how it works", [meta]),
        page(SITE + "/careers/benefits/payment-schedule", "Payroll", [meta]),
        page(SITE + "/mychart/messages", "Messages", [meta], afterLogin=True,
             hasSessionCookie=True)],
    # 2: health terms in the event name, custom data and user properties, on a general page;
    # page metadata the pixel scrapes itself is no such finding
    "event_health": [
        page(SITE + "/", "Home", [
            lambda u: meta(u, "ViewContent", {"cd[content_name]": "HIV PrEP consultation"})]),
        page(SITE + "/news/", "News", [lambda u: meta(u, "AbortionPillInquiry")]),
        page(SITE + "/about/", "About us", [
            lambda u: ga4(u, "schedule_oncology_consult",
                          {"ep.service_line": "breast cancer"})]),
        page(SITE + "/visiting/", "Visiting", [
            lambda u: ga4(u, "page_view", {"up.patient_type": "oncology patient"})]),
        page(SITE + "/parking/", "Parking", [
            lambda u: meta(u, "Microdata", {"cd[Meta]": json.dumps(
                {"title": "Parking", "meta:description": "Parking near the cancer center"})})]),
        # a form's destination URL names a page, not what the visitor did
        page(SITE + "/contact/", "Contact", [
            lambda u: ga4(u, "form_start", {"ep.form_destination": SITE + "/find-a-doctor"})])],
    # 3: a cleartext e-mail in ud[em] and in ep.user_email are the same disclosure; a hashed
    # ud[em] stays advanced matching
    "user_data_clear": [
        page(SITE + "/", "Home", [
            lambda u: meta(u, "Lead", {"ud[em]": "jane.doe@gmail.com"}),
            lambda u: ga4(u, "page_view", {"ep.user_email": "jane.doe@gmail.com"})]),
        page(SITE + "/news/", "News", [
            lambda u: meta(u, "Lead", {"ud[em]": "a" * 64})])],
    # 4: on a care page a tracker reported by another rule gets no separate PW-NO-BAA; a tag
    # manager that only loads there does
    "no_baa_once": [
        page(SITE + "/appointments/request", "Request an appointment", [
            meta, lambda u: req("https://connect.facebook.net/en_US/fbevents.js", referer=u),
            lambda u: req("https://www.googletagmanager.com/gtm.js?id=GTM-ABC123", referer=u)])],
    # 5: a consent manager and embeds on a care page are no trackers: no presence findings;
    # content sent to an embed is still a finding, with an embed's fix
    "consent_embeds": [
        page(SITE + "/appointments/request", "Request an appointment", [
            embed("https://cdn.cookielaw.org/scripttemplates/otSDKStub.js"),
            embed("https://geolocation.onetrust.com/cookieconsentpub/v1/geo/location"),
            embed("https://maps.googleapis.com/maps/api/js?key=AIzaXXXX"),
            embed("https://www.youtube.com/embed/abc"),
            embed("https://www.youtube.com/embed/abc?" +
                  q({"ctx": "x", "email": "jane.doe@gmail.com"}))])],
}

if __name__ == "__main__":
    for name, pages in cases.items():
        with open(os.path.join(here, name + ".har"), "w") as f:
            json.dump(har(pages), f, indent=1)
            f.write("\n")
    print(f"wrote {len(cases)} HARs to {here}")
