/*
 * test_assess_review.c — findings a review of the scanner found wrong or missing, on the HARs of
 * tests/data/assess/ written by make_review_cases.py: search severity, page metadata that is no
 * event data, single-page-app routes, find-a-doctor filters, one row per vendor account, fix
 * texts that fit the vendor.
 */
#include <stdlib.h>
#include <string.h>

#include "assess_har_case.h"
#include "phiwall/report.h"
#include "pw_test.h"
#include "pw_test_finding.h"

#define PIXEL_A "123456789012345" /* make_cases.py's PIXEL */
#define PIXEL_B "998877665544332"

/* 1 if url contains page (NULL: any); a page ending in \x01 must end the URL. */
static int page_is(const char *url, const char *page)
{
    if (!page)
        return 1;
    size_t n = strlen(page);
    if (n && page[n - 1] == '\x01') {
        size_t u = strlen(url);
        return u >= n - 1 && memcmp(url + u - (n - 1), page, n - 1) == 0;
    }
    return strstr(url, page) != NULL;
}

/* The first finding of rule on a page whose URL contains page (NULL: any page) and, when
 * account is not NULL, for that account ("" = none). */
static const pw_finding *find_acc(const scan *s, const char *rule, const char *page,
                                  const char *account)
{
    for (size_t i = 0; s->r && i < s->r->n_findings; i++) {
        const pw_finding *f = pw_test_finding(s->r, i);
        if (strcmp(f->rule_id, rule) != 0 || !page_is(f->page_url, page))
            continue;
        if (account && strcmp(f->account_id ? f->account_id : "", account) != 0)
            continue;
        return f;
    }
    return NULL;
}

static const pw_finding *find(const scan *s, const char *rule, const char *page)
{
    return find_acc(s, rule, page, NULL);
}

static size_t count(const scan *s, const char *rule, const char *page)
{
    size_t n = 0;
    for (size_t i = 0; s->r && i < s->r->n_findings; i++)
        n += strcmp(pw_test_finding(s->r, i)->rule_id, rule) == 0 &&
             page_is(pw_test_finding(s->r, i)->page_url, page);
    return n;
}

/* 1: "parking garage hours" searched on the home page is low; "mammogram" is high. */
static void search_severity(void)
{
    scan s;
    CHECK(scan_har(&s, "search_severity"));
    const pw_finding *plain = find(&s, "PW-SEARCH-TERM", "hosp.org/\x01");
    const pw_finding *health = find(&s, "PW-SEARCH-TERM", "/about");
    CHECK_INT(count(&s, "PW-SEARCH-TERM", NULL), 2);
    CHECK(plain && plain->severity == PW_SEV_LOW);
    CHECK(health && health->severity == PW_SEV_HIGH);
    scan_free(&s);
}

/* 2: UET's kw (the page's meta keywords) is no event data; a care-step event name is. */
static void uet_keywords_are_page_metadata(void)
{
    scan s;
    CHECK(scan_har(&s, "uet_keywords"));
    CHECK_INT(count(&s, "PW-EVENT-HEALTH", "https://www.hosp.org/"), 1);
    const pw_finding *f = find(&s, "PW-EVENT-HEALTH", NULL);
    CHECK(f && strstr(f->page_url, "/news/gala"));
    CHECK(find(&s, "PW-TRACKER-PRESENT", NULL) != NULL);
    scan_free(&s);
}

/* 3: single-page-app routes: each beacon on the route its dl names, with its dt as title. */
static void spa_routes(void)
{
    scan s;
    CHECK(scan_har(&s, "spa_routes"));
    const pw_finding *f = find(&s, "PW-SEARCH-TERM", "/find-a-doctor?q=hiv+testing");
    CHECK(f && f->severity == PW_SEV_HIGH);
    CHECK(f && f->page_title && strcmp(f->page_title, "Find a doctor") == 0);
    CHECK(find(&s, "PW-CONDITION-URL", "/conditions/hiv\x01") != NULL);  /* Meta on "/" */
    CHECK(find(&s, "PW-CONDITION-URL", "/conditions/hiv-prep") != NULL); /* GA4 on /careers */
    CHECK(find(&s, "PW-AUTH-TRACKER", "/portal/messages") != NULL);      /* the session stays */
    /* the home page's own page_view and its anchor (#section-2) are one general page */
    CHECK_INT(count(&s, "PW-TRACKER-PRESENT", NULL), 1);
    const pw_finding *home = find(&s, "PW-TRACKER-PRESENT", "hosp.org/\x01");
    CHECK(home && home->occurrences == 2);
    CHECK_INT(count(&s, "PW-TRACKER-PRESENT", "/careers"), 0);
    scan_free(&s);
}

/* 8: the site's own name is no health term; a service named in an event still is. */
static void brand_name(void)
{
    scan s;
    CHECK(scan_har(&s, "brand_name"));
    CHECK(find(&s, "PW-EVENT-HEALTH", "/annual-report") == NULL);
    CHECK(find(&s, "PW-EVENT-HEALTH", "/our-history") != NULL);
    scan_free(&s);
}

/* 9: occurrences count requests, not the events batched in one. */
static void batch_is_one_request(void)
{
    scan s;
    CHECK(scan_har(&s, "ga4_batch"));
    const pw_finding *c = find(&s, "PW-CONDITION-URL", "/search");
    const pw_finding *q = find(&s, "PW-SEARCH-TERM", "/search");
    CHECK(c && c->occurrences == 1);
    CHECK(q && q->occurrences == 1);
    CHECK(s.r && s.r->n_beacons == 3);
    scan_free(&s);
}

/* 10: form values on a general page are high with their own reasoning, on a care page critical;
 * enhanced-conversion hashes are advanced matching. */
static void general_form_values(void)
{
    scan s;
    CHECK(scan_har(&s, "general_form_values"));
    const pw_finding *job = find(&s, "PW-FORM-VALUES", "/careers/");
    const pw_finding *appt = find(&s, "PW-FORM-VALUES", "/appointments/");
    CHECK(job && job->severity == PW_SEV_HIGH && strstr(job->legal, "job-postings"));
    CHECK(appt && appt->severity == PW_SEV_CRITICAL && !strstr(appt->legal, "job-postings"));
    const pw_finding *ec = find(&s, "PW-ADVANCED-MATCHING", "/conditions/asthma");
    CHECK(ec && ec->severity == PW_SEV_HIGH);
    scan_free(&s);
}

/* 10: health words the visitor wrote in a GET form's free text are PW-FORM-VALUES, critical and
 * marked, with or without an identifier beside them, on a general section's page too (before: no
 * finding at all for the message, high with the job-postings reasoning beside the e-mail); a
 * job application stays high (an applicant, not a patient); a campaign parameter or a chosen
 * department is not typed text. */
static void typed_health(void)
{
    scan s;
    CHECK(scan_har(&s, "typed_health"));
    const pw_finding *msg = find(&s, "PW-FORM-VALUES", "/contact/thanks");
    const pw_finding *job = find(&s, "PW-FORM-VALUES", "/contact-us/thanks");
    const pw_finding *career = find(&s, "PW-FORM-VALUES", "/careers/apply/");
    CHECK(msg && msg->severity == PW_SEV_CRITICAL && !strstr(msg->legal, "job-postings"));
    CHECK(job && job->severity == PW_SEV_CRITICAL && !strstr(job->legal, "job-postings"));
    CHECK(career && career->severity == PW_SEV_HIGH && strstr(career->legal, "job-postings"));
    size_t health = 0;
    for (size_t e = 0; msg && e < msg->n_evidence; e++)
        for (size_t h = 0; h < msg->evidence[e].n_hits; h++)
            health += msg->evidence[e].hits[h].category == PW_PHI_HEALTH;
    CHECK_INT(health, 2); /* HIV, PrEP */
    health = 0;
    for (size_t e = 0; job && e < job->n_evidence; e++)
        for (size_t h = 0; h < job->evidence[e].n_hits; h++)
            health += job->evidence[e].hits[h].category == PW_PHI_HEALTH;
    CHECK_INT(health, 1); /* depression; the e-mail beside it */
    CHECK_INT(count(&s, "PW-FORM-VALUES", "/news/"), 0);
    scan_free(&s);
}

/* 4: find-a-doctor filters are searches; the same parameter on a scheduling page and a filter
 * without a health term are not; a search carried by the referrer gets a fix naming it. */
static void doctor_filters(void)
{
    scan s;
    CHECK(scan_har(&s, "doctor_filters"));
    static const char *const searched[] = {
        "/find-a-doctor?condition=breast+cancer", "/doctors?specialty=oncology",
        "/FindADoctor.aspx?treatment", "/#/find-a-doctor?symptom", "/doctors/jane-roe"};
    for (size_t i = 0; i < sizeof searched / sizeof *searched; i++) {
        const pw_finding *f = find(&s, "PW-SEARCH-TERM", searched[i]);
        CHECK(f && f->severity == PW_SEV_HIGH);
        if (!f)
            fprintf(stderr, "no PW-SEARCH-TERM on %s\n", searched[i]);
    }
    CHECK_INT(count(&s, "PW-SEARCH-TERM", "/find-a-doctor?condition="), 2); /* Meta and GA4 */
    CHECK_INT(count(&s, "PW-SEARCH-TERM", "/providers?insurance="), 0);
    CHECK_INT(count(&s, "PW-SEARCH-TERM", "/appointments/"), 0);
    /* a hash route's page is judged by its route: no inventory-only row beside the search */
    CHECK_INT(count(&s, "PW-TRACKER-PRESENT", NULL), 0);
    const pw_finding *f = find(&s, "PW-SEARCH-TERM", "/doctors?specialty");
    /* the search is the evidence, beside the cookie IDs that join it to the visitor */
    size_t k = 0;
    while (f && k < f->n_evidence && f->evidence[k].kind == PW_FIELD_DEVICE_ID)
        k++;
    CHECK(f && k < f->n_evidence && strcmp(f->evidence[k].key, "dl?specialty") == 0);
    CHECK(f && strstr(f->remediation, "from the page URL it receives"));
    const pw_finding *r = find(&s, "PW-SEARCH-TERM", "/doctors/jane-roe");
    CHECK(r && strstr(r->remediation, "from the referrer it receives"));
    scan_free(&s);
}

/* The inventory row of tracker id with this account ("" = none), or NULL. */
static const pw_tracker_use *row(const scan *s, const char *id, const char *account)
{
    for (size_t i = 0; s->r && i < s->r->n_trackers; i++) {
        const pw_tracker_use *u = &s->r->trackers[i];
        if (strcmp(u->tracker->id, id) == 0 &&
            strcmp(u->account_id ? u->account_id : "", account) == 0)
            return u;
    }
    return NULL;
}

/* 5: one vendor with one known account is one row; with two accounts the script stays apart. */
static void account_rows(void)
{
    scan s;
    CHECK(scan_har(&s, "account_rows"));
    CHECK(find_acc(&s, "PW-SESSION-REPLAY", "/conditions/diabetes", "") == NULL);
    const pw_finding *f = find_acc(&s, "PW-SESSION-REPLAY", "/conditions/diabetes", "123456");
    CHECK(f && f->occurrences == 4);
    CHECK_INT(count(&s, "PW-SESSION-REPLAY", NULL), 1);
    CHECK(row(&s, "hotjar", "") == NULL);
    const pw_tracker_use *u = row(&s, "hotjar", "123456");
    CHECK(u && u->n_requests == 4 && u->n_pages == 1);
    CHECK(u && u->n_hosts >= 3);
    /* two pixels: which one the script load serves is unknown */
    CHECK(row(&s, "meta-pixel", "") != NULL);
    CHECK(row(&s, "meta-pixel", PIXEL_A) != NULL && row(&s, "meta-pixel", PIXEL_B) != NULL);
    scan_free(&s);
}

/* The one PW-CONDITION-URL finding of a folding case: the pixel's account, its distinct page URLs
 * counted, the first ones listed once each, its requests counted, a beacon as the evidence. */
static void check_folded(const char *name, size_t variants, size_t listed, size_t occurrences)
{
    scan s;
    CHECK(scan_har(&s, name));
    size_t n = 0;
    for (size_t i = 0; s.r && i < s.r->n_findings; i++) {
        const pw_finding *f = pw_test_finding(s.r, i);
        if (strcmp(f->rule_id, "PW-CONDITION-URL") != 0)
            continue;
        n++;
        CHECK_STR(f->account_id ? f->account_id : "", PIXEL_A);
        CHECK_INT(f->page_variants, variants);
        CHECK_INT(f->n_page_urls, listed);
        CHECK_INT(f->occurrences, occurrences);
        CHECK(f->event_name != NULL); /* the evidence is a beacon, not the script load */
        for (size_t k = 0; k < f->n_page_urls; k++)
            for (size_t j = k + 1; j < f->n_page_urls; j++)
                CHECK(strcmp(f->page_urls[k], f->page_urls[j]) != 0);
    }
    CHECK_INT(n, 1);
    scan_free(&s);
}

/* 5b: a script load folded into the pixel's account brings its page URL along: one finding for
 * the page, with all three URLs (folding meets the per-page-key findings). */
static void account_variants(void)
{
    check_folded("account_variants", 3, 3, 3);
}

/* 5c: folding with more URLs than a finding lists (10): the script load's 12 URLs (visits 1-12,
 * 14 requests) join the beacons' 16 (visits 5-20, 18 requests), repeats among both; the count is
 * the distinct 20, not the 22 that counting the script load's unlisted URLs as new gave. */
static void account_variants_many(void)
{
    check_folded("account_variants_many", 20, 10, 32);
}

/* 5d: PW-FORM-VALUES on a GET form with mixed fields marks what the visitor typed: the name, the
 * e-mail and the symptom in the visit reason they wrote. The department chosen from a list and
 * the page's path are not what the finding is about (the page's own findings report them).
 * Every format renders the hits it is given. */
static void form_values_marks_identifiers(void)
{
    scan s;
    CHECK(scan_har(&s, "form_mixed"));
    size_t n = 0;
    for (size_t i = 0; s.r && i < s.r->n_findings; i++) {
        const pw_finding *f = pw_test_finding(s.r, i);
        if (strcmp(f->rule_id, "PW-FORM-VALUES") != 0)
            continue;
        n++;
        size_t ids = 0;
        for (size_t e = 0; e < f->n_evidence; e++)
            for (size_t h = 0; h < f->evidence[e].n_hits; h++) {
                const pw_hit *hit = &f->evidence[e].hits[h];
                CHECK(hit->category == PW_PHI_NAME || hit->category == PW_PHI_EMAIL ||
                      (hit->category == PW_PHI_HEALTH && hit->normalized &&
                       strcmp(hit->normalized, "knee pain") == 0));
                ids++;
            }
        CHECK_INT(ids, 4);
    }
    CHECK_INT(n, 1);
    pw_buf b;
    pw_buf_init(&b);
    pw_report_opts o = {.tool_version = "t"};
    pw_err err;
    CHECK(s.r && pw_report_render(s.r, PW_REPORT_TEXT, &o, &b, &err) == PW_OK);
    const char *text = b.data ? b.data : "";
    const char *fv = strstr(text, "] PW-FORM-VALUES");
    const char *end = fv ? strstr(fv, "\n  why:") : NULL;
    CHECK(fv && end);
    if (fv && end) {
        char part[2048];
        snprintf(part, sizeof part, "%.*s", (int)(end - fv), fv);
        CHECK(strstr(part, "first_name=[[Jane]]") != NULL);
        CHECK(strstr(part, "reason=[[knee%20pain]]") != NULL);
        CHECK(strstr(part, "[[cardiology") == NULL);
        CHECK(strstr(part, "[[appointments") == NULL);
    }
    pw_buf_free(&b);
    scan_free(&s);
}

/* 5e: a page whose HAR title is its URL takes its title from GA's dt, even when the Meta beacon
 * of the same page came first: that beacon is judged on a condition page (by the title), not a
 * general one. A dt sent for another URL (a route) names that route, not the recorded page. */
static void title_from_dt(void)
{
    scan s;
    CHECK(scan_har(&s, "title_from_dt"));
    int meta_condition = 0, untitled_general = 0;
    for (size_t i = 0; s.r && i < s.r->n_findings; i++) {
        const pw_finding *f = pw_test_finding(s.r, i);
        if (strcmp(f->tracker->id, "meta-pixel") != 0)
            continue;
        if (strstr(f->page_url, "/p/4821") && strcmp(f->rule_id, "PW-CONDITION-URL") == 0) {
            meta_condition = 1;
            CHECK_STR(f->page_title ? f->page_title : "", "Breast Cancer Treatment | Hosp");
            CHECK_INT(f->context, PW_CTX_CONDITION);
        }
        if (strstr(f->page_url, "/p/77")) {
            CHECK(f->page_title == NULL);
            untitled_general |= strcmp(f->rule_id, "PW-TRACKER-PRESENT") == 0;
        }
    }
    CHECK(meta_condition);
    CHECK(untitled_general);
    scan_free(&s);
}

/* 6: a site-search service's presence fixes are a BAA or a first-party search, and an unknown
 * BAA stance is no refusal. */
static void site_search_baa(void)
{
    scan s;
    CHECK(scan_har(&s, "site_search_baa"));
    const pw_finding *nobaa = find(&s, "PW-NO-BAA", "/find-a-doctor");
    const pw_finding *cond = find(&s, "PW-CONDITION-URL", "/appointments");
    CHECK(nobaa && cond);
    const pw_finding *both[] = {nobaa, cond};
    for (size_t i = 0; i < 2; i++) {
        const char *fix = both[i] ? both[i]->remediation : "";
        CHECK(strstr(fix, "Coveo is not known to sign") != NULL);
        CHECK(strstr(fix, "Get a BAA from Coveo") != NULL);
        CHECK(strstr(fix, "does not sign") == NULL);
        CHECK(strstr(fix, "phiwall gateway") == NULL);
        CHECK(strstr(fix, "Remove") == NULL);
    }
    scan_free(&s);
}

/* 7: a filter-list company is its host, not an ID the generic decoder guessed (pid=420). */
static void list_company_is_its_host(void)
{
    pw_catalog_options co = {.easyprivacy_file =
                                 PW_SRC_DIR "/tests/data/decode/mini_easyprivacy.txt"};
    pw_catalog *cat = NULL;
    pw_detector *det = NULL;
    pw_assessor *as = NULL;
    pw_detector_opts dopts = {0};
    const pw_scan_result *r = NULL;
    CHECK_INT(pw_catalog_open(&co, &cat, NULL), PW_OK);
    CHECK_INT(pw_detector_new(&dopts, &det, NULL), PW_OK);
    pw_assess_opts ao = {.catalog = cat, .detector = det};
    CHECK_INT(pw_assessor_new(&ao, &as, NULL), PW_OK);
    pw_page page = {.url = "https://www.hosp.org/conditions/hiv"};
    pw_request q = {.method = "GET",
                    .url = "https://metrics-collector.example/p.gif?pid=420&u=https%3A%2F%2F"
                           "www.hosp.org%2Fconditions%2Fhiv",
                    .page_url = page.url};
    CHECK_INT(pw_assessor_add_page(as, &page, NULL), PW_OK);
    CHECK_INT(pw_assessor_add_request(as, &q, NULL), PW_OK);
    CHECK_INT(pw_assessor_finish(as, &r, NULL), PW_OK);
    size_t n = 0;
    for (size_t i = 0; r && i < r->n_findings; i++, n++)
        CHECK(pw_test_finding(r, i)->account_id == NULL);
    CHECK(n >= 1);
    size_t rows = 0;
    for (size_t i = 0; r && i < r->n_trackers; i++, rows++)
        CHECK(r->trackers[i].account_id == NULL);
    CHECK(rows >= 1);
    pw_assessor_free(as);
    pw_detector_free(det);
    pw_catalog_free(cat);
}

PW_TEST_MAIN(PW_TEST(general_form_values), PW_TEST(typed_health), PW_TEST(batch_is_one_request),
             PW_TEST(brand_name), PW_TEST(search_severity), PW_TEST(uet_keywords_are_page_metadata),
             PW_TEST(spa_routes), PW_TEST(doctor_filters), PW_TEST(account_rows),
             PW_TEST(account_variants), PW_TEST(account_variants_many),
             PW_TEST(form_values_marks_identifiers), PW_TEST(title_from_dt),
             PW_TEST(site_search_baa), PW_TEST(list_company_is_its_host))
