/*
 * test_assess_findings.c — findings the assess rules must and must not give on the small HARs of
 * tests/data/assess/ (written by make_cases.py there): vendor account IDs are no patient record,
 * job searches are no PHI, a third party's own q= is no site search, PW-CONDITION-URL needs a
 * field carrying the condition page, and the fix texts name no placeholder.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assess_har_case.h"
#include "pw_test.h"
#include "pw_test_finding.h"

/* The findings of rule on pages whose URL contains page (NULL: any page). */
static size_t count(const scan *s, const char *rule, const char *page)
{
    size_t n = 0;
    for (size_t i = 0; s->r && i < s->r->n_findings; i++) {
        const pw_finding *f = pw_test_finding(s->r, i);
        if (strcmp(f->rule_id, rule) == 0 && (!page || strstr(f->page_url, page)))
            n++;
    }
    return n;
}

static const pw_finding *find(const scan *s, const char *rule, const char *page)
{
    for (size_t i = 0; s->r && i < s->r->n_findings; i++) {
        const pw_finding *f = pw_test_finding(s->r, i);
        if (strcmp(f->rule_id, rule) == 0 && (!page || strstr(f->page_url, page)))
            return f;
    }
    return NULL;
}

/* An assessor with the built-in catalog and detector, fed request by request by the test. */
static void scan_empty(scan *s)
{
    memset(s, 0, sizeof *s);
    pw_detector_opts dopts = {0};
    CHECK_INT(pw_catalog_load(NULL, &s->cat, NULL), PW_OK);
    CHECK_INT(pw_detector_new(&dopts, &s->det, NULL), PW_OK);
    pw_assess_opts aopts = {.catalog = s->cat, .detector = s->det};
    CHECK_INT(pw_assessor_new(&aopts, &s->as, NULL), PW_OK);
}

/* No finding prints a placeholder ("<ID>") in its fix. */
static void no_placeholder(const scan *s)
{
    for (size_t i = 0; s->r && i < s->r->n_findings; i++)
        CHECK(strstr(pw_test_finding(s->r, i)->remediation, "<ID>") == NULL);
}

/* 1: Siteimprove's accountid=6027462 (also its host's first label) is the vendor's account. */
static void vendor_account_is_no_record(void)
{
    scan s;
    CHECK(scan_har(&s, "vendor_account"));
    CHECK_INT(count(&s, "PW-FORM-VALUES", "https://www.hosp.org/"), 1);
    const pw_finding *f = find(&s, "PW-FORM-VALUES", NULL);
    CHECK(f && strstr(f->page_url, "/contact/thanks?email="));
    CHECK(f && strstr(f->remediation, "submit with POST")); /* a GET form put it in dl */
    CHECK_INT(count(&s, "PW-FORM-VALUES", "/news/"), 0);
    no_placeholder(&s);
    scan_free(&s);
}

/* 2: a job search on a careers section (its first path slug or a deeper one) or a careers host
 * is inventory only (docs/rules.md). */
static void job_search_is_no_phi(void)
{
    scan s;
    CHECK(scan_har(&s, "careers_search"));
    CHECK_INT(count(&s, "PW-SEARCH-TERM", NULL), 0);
    CHECK_INT(count(&s, "PW-CONDITION-URL", NULL), 0);
    CHECK_INT(count(&s, "PW-NO-BAA", NULL), 0);
    CHECK_INT(count(&s, "PW-TRACKER-PRESENT", "/careers/search?keyword=oncology"), 2);
    CHECK_INT(count(&s, "PW-TRACKER-PRESENT", "https://careers.hosp.org/"), 2);
    CHECK_INT(count(&s, "PW-TRACKER-PRESENT", "/en/careers/search?keyword=nurse"), 2);
    CHECK_INT(s.r ? s.r->n_findings : 0, 6);
    scan_free(&s);
    pw_arena a;
    pw_arena_init(&a, 0);
    const char *why = NULL;
    CHECK_INT(
        pw_assess_page_context(NULL, NULL, &a, "https://careers.hosp.org/search?q=x", NULL, &why),
        PW_CTX_GENERAL);
    CHECK(why && strstr(why, "general page host"));
    /* a job board is a general page's host; the hospital's own /search is not */
    CHECK_INT(pw_assess_page_context(NULL, NULL, &a, "https://hosp.wd1.myworkdayjobs.com/search",
                                     NULL, &why),
              PW_CTX_GENERAL);
    CHECK_INT(pw_assess_page_context(NULL, NULL, &a, "https://www.hosp.org/search?q=x", NULL, &why),
              PW_CTX_CARE_INTENT);
    pw_arena_free(&a);
}

/* 3: a third party's own q=85 or keywords=… and a Google search in the referrer are no site
 * search; the site's own /search?q=knee+pain is, and its fix names no placeholder. */
static void only_site_searches(void)
{
    scan s;
    CHECK(scan_har(&s, "not_site_search"));
    CHECK_INT(count(&s, "PW-SEARCH-TERM", NULL), 2);
    CHECK_INT(count(&s, "PW-SEARCH-TERM", "/search?q=knee+pain"), 2);
    for (size_t i = 0; s.r && i < s.r->n_findings; i++) {
        const pw_finding *f = pw_test_finding(s.r, i);
        if (strcmp(f->rule_id, "PW-SEARCH-TERM") != 0)
            continue;
        CHECK(f->severity == PW_SEV_HIGH);
        if (f->account_id) /* GA4 */
            CHECK(strstr(f->remediation, "for account G-TEST12345"));
        else /* a third party not in the catalog is named by its host */
            CHECK(strstr(f->remediation, "queries to collect.example-analytics.net:"));
    }
    no_placeholder(&s);
    scan_free(&s);
}

/* The finding's evidence of this kind, or NULL. */
static const pw_evidence *evidence_of(const pw_finding *f, pw_field_kind kind)
{
    for (size_t i = 0; f && i < f->n_evidence; i++)
        if (f->evidence[i].kind == kind)
            return &f->evidence[i];
    return NULL;
}

/* 4: PW-CONDITION-URL only when a field carries the condition page: not a cookie sync from an ad
 * frame, not a tag naming its own URLs with the site's origin as Referer. */
static void condition_url_needs_the_page(void)
{
    scan s;
    CHECK(scan_har(&s, "condition_fields"));
    CHECK_INT(count(&s, "PW-CONDITION-URL", NULL), 2);
    for (size_t i = 0; s.r && i < s.r->n_findings; i++) {
        const pw_finding *f = pw_test_finding(s.r, i);
        const char *id = f->tracker->id;
        CHECK(strcmp(id, "liveramp") != 0 && strcmp(id, "xandr") != 0);
        const pw_evidence *page = evidence_of(f, PW_FIELD_PAGE_URL);
        const pw_evidence *ref = evidence_of(f, PW_FIELD_REFERRER);
        CHECK(page || ref);                /* every finding shows the field that carried the page */
        if (strcmp(id, "trade-desk") == 0) /* the pixel's Referer header is the page itself */
            CHECK(ref && strcmp(ref->key, "header:referer") == 0 &&
                  strcmp(ref->value, "https://www.hosp.org/conditions/breast-cancer") == 0);
        if (strcmp(id, "meta-pixel") == 0)
            CHECK(page && strcmp(page->key, "dl") == 0 && !ref);
    }
    scan_free(&s);
}

/* 5: placeholders are form metadata (PW-FORM-FIELDS), never PHI; documentation values
 * (555-01xx, example.org) count only as the scanner's canaries. */
static void placeholders_are_no_phi(void)
{
    scan s;
    CHECK(scan_har(&s, "form_placeholders"));
    CHECK_INT(count(&s, "PW-FORM-VALUES", NULL), 0);
    const pw_finding *f = find(&s, "PW-FORM-FIELDS", "/appointments/request");
    CHECK(f != NULL);
    for (size_t i = 0; f && i < f->n_evidence; i++)
        CHECK_INT(f->evidence[i].n_hits, 0);
    scan_free(&s);
    static const pw_canary canaries[] = {
        {"email", "marisol.canary.abc@example.org", PW_CANARY_EMAIL},
        {"phone", "617-555-0107", PW_CANARY_PHONE}};
    CHECK(scan_har_with(&s, "form_placeholders", canaries, 2));
    CHECK_INT(count(&s, "PW-FORM-VALUES", "/appointments/confirm"), 1);
    CHECK_INT(count(&s, "PW-FORM-VALUES", "/appointments/request"), 0);
    scan_free(&s);
}

/* 1 if the finding's request is the Meta event it names ("ev=PageView&"). */
static int request_is_event(const pw_finding *f)
{
    char ev[64];
    snprintf(ev, sizeof ev, "ev=%s&", f->event_name ? f->event_name : "");
    return f->request && f->request->url && strstr(f->request->url, ev) != NULL;
}

/* 6: the severity, flags, event and request of a finding describe one transmission: a PageView
 * before the banner was answered and a Microdata event after the reject are two findings. */
static void consent_finding_is_one_transmission(void)
{
    scan s;
    CHECK(scan_har(&s, "consent_reject"));
    CHECK_INT(count(&s, "PW-CONSENT", NULL), 2);
    for (size_t i = 0; s.r && i < s.r->n_findings; i++) {
        const pw_finding *f = pw_test_finding(s.r, i);
        CHECK(request_is_event(f));
        CHECK_INT(f->before_consent, f->request->before_consent);
        CHECK_INT(f->after_reject, f->request->after_reject);
        if (strcmp(f->rule_id, "PW-CONSENT") != 0)
            continue;
        if (f->severity == PW_SEV_HIGH)
            CHECK(f->after_reject && !f->before_consent && f->event_name &&
                  strcmp(f->event_name, "Microdata") == 0);
        else
            CHECK(f->severity == PW_SEV_MEDIUM && f->before_consent && !f->after_reject &&
                  f->event_name && strcmp(f->event_name, "PageView") == 0);
    }
    scan_free(&s);
}

/* 7: a source that sends a page's requests before the page (the static scan learns the title
 * last) gets findings in the page's final context: "Abortion Services" makes a condition page. */
static void requests_before_their_page(void)
{
    scan s;
    scan_empty(&s);
    const char *page = "https://www.hosp.org/x/1.html";
    pw_request r = {.method = "GET",
                    .url = "https://www.facebook.com/tr/?id=123456789012345&ev=PageView&dl="
                           "https%3A%2F%2Fwww.hosp.org%2Fx%2F1.html",
                    .page_url = page,
                    .resource_type = "image",
                    .source = PW_SOURCE_STATIC};
    CHECK_INT(pw_assessor_add_request(s.as, &r, NULL), PW_OK);
    pw_page pg = {.url = page, .title = "Abortion Services | Hosp"};
    CHECK_INT(pw_assessor_add_page(s.as, &pg, NULL), PW_OK);
    CHECK_INT(pw_assessor_finish(s.as, &s.r, NULL), PW_OK);
    CHECK_INT(s.r->n_pages, 1);
    CHECK_INT(s.r->page_contexts[0], PW_CTX_CONDITION);
    CHECK_INT(count(&s, "PW-CONDITION-URL", NULL), 1);
    CHECK_INT(count(&s, "PW-TRACKER-PRESENT", NULL), 0);
    for (size_t i = 0; i < s.r->n_findings; i++)
        CHECK_INT(pw_test_finding(s.r, i)->context, PW_CTX_CONDITION);
    scan_free(&s);
}

/* 7a: requests held for pages that come later: once many pages' requests were judged (a partial
 * flush each), the held copies move to a fresh arena (memory bounded by what still waits); the
 * request of a page that never comes is judged at the end with everything it carried. */
static void held_requests_compacted(void)
{
    scan s;
    scan_empty(&s);
    char body[4096];
    memset(body, 'x', sizeof body);
    const char *lost = "https://www.hosp.org/lost.html";
    pw_header h[] = {{"User-Agent", "Mozilla/5.0 (test)"}, {"Referer", lost}};
    pw_request held = {.method = "POST",
                       .url = "https://www.facebook.com/tr/?id=123456789012345&ev=Lead",
                       .headers = h,
                       .n_headers = 2,
                       .body = (const unsigned char *)"a=1",
                       .body_len = 3,
                       .page_url = lost,
                       .resource_type = "ping",
                       .error = "net::ERR_ABORTED",
                       .source = PW_SOURCE_STATIC};
    CHECK_INT(pw_assessor_add_request(s.as, &held, NULL), PW_OK);
    for (int i = 0; i < 400; i++) { /* 1.6 MB of bodies judged page by page */
        char page[64], url[160];
        snprintf(page, sizeof page, "https://www.hosp.org/p/%d.html", i);
        snprintf(url, sizeof url,
                 "https://www.facebook.com/tr/?id=123456789012345&ev=PageView&p=%d", i);
        pw_request r = {.method = "POST",
                        .url = url,
                        .body = (const unsigned char *)body,
                        .body_len = sizeof body,
                        .page_url = page,
                        .resource_type = "ping",
                        .source = PW_SOURCE_STATIC};
        CHECK_INT(pw_assessor_add_request(s.as, &r, NULL), PW_OK);
        pw_page pg = {.url = page, .title = "News"};
        CHECK_INT(pw_assessor_add_page(s.as, &pg, NULL), PW_OK);
    }
    CHECK_INT(pw_assessor_finish(s.as, &s.r, NULL), PW_OK);
    const pw_finding *f = find(&s, "PW-TRACKER-PRESENT", "lost.html");
    CHECK(f != NULL);
    if (f && f->request) {
        CHECK_STR(f->request->url, held.url);
        CHECK_STR(f->request->method, "POST");
        CHECK_INT((long)f->request->n_headers, 2);
        if (f->request->n_headers == 2)
            CHECK_STR(f->request->headers[0].value, "Mozilla/5.0 (test)");
        CHECK_INT((long)f->request->body_len, 3);
        CHECK(f->request->body && memcmp(f->request->body, "a=1", 3) == 0);
        CHECK_STR(f->request->error, "net::ERR_ABORTED");
    }
    CHECK_INT(count(&s, "PW-TRACKER-PRESENT", "/p/"), 400);
    scan_free(&s);
}

/* 7b: the capture period is the earliest and latest request time; a request without one, or
 * with a writer's placeholder (0001-01-01 reads as a negative time), does not move it. */
static void capture_period(void)
{
    scan s;
    scan_empty(&s);
    static const double times[] = {1764485700.5, 0, 1764485462.0, -62135596800.0, 1764485600.0};
    for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) {
        pw_request r = {.method = "GET",
                        .url = "https://www.hosp.org/a.js",
                        .page_url = "https://www.hosp.org/",
                        .timestamp = times[i]};
        CHECK_INT(pw_assessor_add_request(s.as, &r, NULL), PW_OK);
    }
    CHECK_INT(pw_assessor_finish(s.as, &s.r, NULL), PW_OK);
    CHECK(s.r->captured_first == 1764485462.0);
    CHECK(s.r->captured_last == 1764485700.5);
    scan_free(&s);
}

/* The PW-SEARCH-TERM fix names the parameter that carried the search as the request names it:
 * Google Ads' page URL is url=, not GA4's dl; Meta's search field cd[search_string] is no page
 * URL to strip a query from. */
static const char *search_fix(const char *beacon)
{
    scan s;
    scan_empty(&s);
    pw_page pg = {.url = "https://www.hosp.org/find-a-doctor?q=breast+cancer",
                  .title = "Find a Doctor"};
    CHECK_INT(pw_assessor_add_page(s.as, &pg, NULL), PW_OK);
    pw_request r = {.method = "GET", .url = beacon, .page_url = pg.url, .resource_type = "image"};
    CHECK_INT(pw_assessor_add_request(s.as, &r, NULL), PW_OK);
    CHECK_INT(pw_assessor_finish(s.as, &s.r, NULL), PW_OK);
    const pw_finding *f = find(&s, "PW-SEARCH-TERM", NULL);
    static char fix[1024];
    snprintf(fix, sizeof fix, "%s", f ? f->remediation : "");
    scan_free(&s);
    return fix;
}

static void search_fix_names_the_field(void)
{
    const char *fix = search_fix(
        "https://googleads.g.doubleclick.net/pagead/viewthroughconversion/10987654321/?cv=11&"
        "url=https%3A%2F%2Fwww.hosp.org%2Ffind-a-doctor%3Fq%3Dbreast%2Bcancer");
    CHECK(strstr(fix, "from the page URL it receives (`url`)") != NULL);
    CHECK(strstr(fix, "dl") == NULL);
    fix = search_fix("https://www.facebook.com/tr/?id=123456789012345&ev=Search&"
                     "dl=https%3A%2F%2Fwww.hosp.org%2Ffind-a-doctor&cd[search_string]=oncology");
    CHECK(strstr(fix, "stop sending the search field (`cd[search_string]`)") != NULL);
    CHECK(strstr(fix, "strip the query string") == NULL);
}

/* 8: a hosted site-search service receives the visitor's query in its own parameter (Algolia
 * query inside the multi-query params, Coveo q, Yext input, Swiftype q, Google Programmable
 * Search q): one PW-SEARCH-TERM per vendor naming it; an image CDN's q=85 and an ad server's
 * keywords= are none, nor is a job search on a careers page. */
static void site_search_services(void)
{
    scan s;
    CHECK(scan_har(&s, "site_search_vendors"));
    static const char *const ids[] = {"algolia", "coveo", "yext-search", "swiftype",
                                      "google-programmable-search"};
    static const char *const vendors[] = {"Algolia", "Coveo", "Yext", "Elastic", "Google"};
    CHECK_INT(count(&s, "PW-SEARCH-TERM", NULL), 5);
    CHECK_INT(count(&s, "PW-SEARCH-TERM", "/careers/"), 0);
    for (size_t k = 0; k < 5; k++) {
        const pw_finding *hit = NULL;
        for (size_t i = 0; s.r && i < s.r->n_findings; i++) {
            const pw_finding *f = pw_test_finding(s.r, i);
            if (strcmp(f->rule_id, "PW-SEARCH-TERM") == 0 && strcmp(f->tracker->id, ids[k]) == 0)
                hit = f;
        }
        CHECK(hit != NULL);
        if (!hit)
            continue;
        CHECK_INT(hit->severity, PW_SEV_HIGH); /* a find-a-doctor page: care intent */
        CHECK(strstr(hit->remediation, vendors[k]) != NULL);
        CHECK(strstr(hit->remediation, "sends each visitor's query to") != NULL);
        const pw_evidence *e = evidence_of(hit, PW_FIELD_SEARCH_TERM);
        CHECK(e != NULL && e->n_hits > 0);
    }
    for (size_t i = 0; s.r && i < s.r->n_findings; i++) {
        const pw_finding *f = pw_test_finding(s.r, i);
        if (strcmp(f->rule_id, "PW-SEARCH-TERM") == 0)
            CHECK(f->tracker && strcmp(f->tracker->id, "unknown-third-party") != 0);
    }
    const pw_finding *al = NULL;
    for (size_t i = 0; s.r && i < s.r->n_findings; i++)
        if (strcmp(pw_test_finding(s.r, i)->rule_id, "PW-SEARCH-TERM") == 0 &&
            strcmp(pw_test_finding(s.r, i)->tracker->id, "algolia") == 0)
            al = pw_test_finding(s.r, i);
    const pw_evidence *e = evidence_of(al, PW_FIELD_SEARCH_TERM);
    CHECK(e && strcmp(e->key, "requests.0.params.query") == 0 &&
          strcmp(e->value, "knee pain") == 0);
    CHECK(al && strstr(al->remediation, "for account HOSPAPP"));
    no_placeholder(&s);
    scan_free(&s);
}

/* 8: a search term in the page URL's fragment (client-side search) is a site search. */
static void fragment_search(void)
{
    scan s;
    CHECK(scan_har(&s, "fragment_search"));
    CHECK_INT(count(&s, "PW-SEARCH-TERM", NULL), 2);
    CHECK_INT(count(&s, "PW-SEARCH-TERM", "/search#q=herpes"), 1);
    CHECK_INT(count(&s, "PW-SEARCH-TERM", "/#/find-a-doctor?q=oncologist"), 1);
    for (size_t i = 0; s.r && i < s.r->n_findings; i++) {
        const pw_finding *f = pw_test_finding(s.r, i);
        if (strcmp(f->rule_id, "PW-SEARCH-TERM") != 0)
            continue;
        const pw_evidence *e = evidence_of(f, PW_FIELD_SEARCH_TERM);
        CHECK(e && e->key && strcmp(e->key, "dl#q") == 0);
    }
    scan_free(&s);
}

/* Page URLs that differ only in their query are one finding with every URL counted; a single-page
 * app's routes in the fragment are pages of their own. */
static void query_variants(void)
{
    scan s;
    CHECK(scan_har(&s, "query_variants"));
    CHECK_INT(count(&s, "PW-SEARCH-TERM", NULL), 1);
    const pw_finding *f = find(&s, "PW-SEARCH-TERM", "/search?q=");
    CHECK(f != NULL);
    if (f) {
        CHECK_INT(f->occurrences, 4);
        CHECK_INT(f->page_variants, 3);
        CHECK_INT(f->n_page_urls, 3);
        CHECK_STR(f->page_urls[0], "https://www.hosp.org/search?q=herpes");
        CHECK_STR(f->page_urls[1], "https://www.hosp.org/search?q=hiv+testing");
        CHECK_STR(f->page_urls[2], "https://www.hosp.org/search?q=prep&page=2");
        /* the evidence and the page it names are one transmission's */
        const pw_evidence *e = evidence_of(f, PW_FIELD_SEARCH_TERM);
        CHECK(e && strstr(f->page_url, e->value) != NULL);
    }
    size_t appt = 0, bill = 0;
    for (size_t i = 0; s.r && i < s.r->n_findings; i++) {
        appt += strstr(pw_test_finding(s.r, i)->page_url, "/#/appointments/new") != NULL;
        bill += strstr(pw_test_finding(s.r, i)->page_url, "/#/billing/pay") != NULL;
    }
    CHECK(appt >= 1 && bill >= 1); /* two routes, two pages: not merged */
    scan_free(&s);
}

/* The labels of a finding's evidence field key: its hits' category names, comma-separated. */
static const char *hit_labels(const pw_finding *f, const char *key, char *out, size_t cap)
{
    out[0] = '\0';
    for (size_t i = 0; f && i < f->n_evidence; i++) {
        if (strcmp(f->evidence[i].key, key) != 0)
            continue;
        for (size_t j = 0; j < f->evidence[i].n_hits; j++)
            snprintf(out + strlen(out), cap - strlen(out), "%s%s", out[0] ? "," : "",
                     pw_phi_category_name(f->evidence[i].hits[j].category));
    }
    return out;
}

/* Meta's hashed zip is labelled the same in PW-FORM-VALUES (udff[zp], the pixel's form hashing)
 * as in PW-ADVANCED-MATCHING (ud[zp]): earlier versions dropped the hash's "zip" hit from the
 * form finding's evidence (a ZIP code alone identifies no one, so the hit-by-hit filter of typed
 * values left it out) and showed udff[zp] with no label. */
static void hashed_zip_is_labelled(void)
{
    static const char zip[] = "8f0e2a2ed6ab4b8c26a7a8c5e5e6f1b7f2cd1b1a3a6f7d2c4a9b5e8d1c3f2a4b";
    static const char em[] = "9a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d0e2f4a6b8c0d2e4f6a8b0c2d4e6f8a0b";
    char form[512], match[512];
    snprintf(form, sizeof form,
             "https://www.facebook.com/tr/?id=123456789012345&ev=SubscribedButtonClick&"
             "dl=https%%3A%%2F%%2Fwww.hosp.org%%2Fappointments%%2Frequest&udff[em]=%s&udff[zp]=%s",
             em, zip);
    snprintf(match, sizeof match,
             "https://www.facebook.com/tr/?id=123456789012345&ev=PageView&"
             "dl=https%%3A%%2F%%2Fwww.hosp.org%%2Fappointments%%2Frequest&ud[em]=%s&ud[zp]=%s",
             em, zip);
    scan s;
    scan_empty(&s);
    pw_page pg = {.url = "https://www.hosp.org/appointments/request", .title = "Request"};
    CHECK_INT(pw_assessor_add_page(s.as, &pg, NULL), PW_OK);
    const char *urls[] = {form, match};
    for (size_t i = 0; i < 2; i++) {
        pw_request r = {
            .method = "GET", .url = urls[i], .page_url = pg.url, .resource_type = "image"};
        CHECK_INT(pw_assessor_add_request(s.as, &r, NULL), PW_OK);
    }
    CHECK_INT(pw_assessor_finish(s.as, &s.r, NULL), PW_OK);
    char a[128], b[128];
    CHECK_STR(hit_labels(find(&s, "PW-ADVANCED-MATCHING", NULL), "ud[zp]", a, sizeof a), "zip");
    CHECK_STR(hit_labels(find(&s, "PW-FORM-VALUES", NULL), "udff[zp]", b, sizeof b), "zip");
    CHECK_STR(hit_labels(find(&s, "PW-FORM-VALUES", NULL), "udff[em]", b, sizeof b), "email");
    scan_free(&s);
}

PW_TEST_MAIN(PW_TEST(vendor_account_is_no_record), PW_TEST(job_search_is_no_phi),
             PW_TEST(only_site_searches), PW_TEST(condition_url_needs_the_page),
             PW_TEST(placeholders_are_no_phi), PW_TEST(consent_finding_is_one_transmission),
             PW_TEST(requests_before_their_page), PW_TEST(held_requests_compacted),
             PW_TEST(capture_period), PW_TEST(search_fix_names_the_field),
             PW_TEST(site_search_services), PW_TEST(fragment_search), PW_TEST(query_variants),
             PW_TEST(hashed_zip_is_labelled))
