/*
 * test_assess_review.c — findings a review of the scanner found wrong or missing, on the HARs of
 * tests/data/assess/ written by make_review_cases.py: search severity, page metadata that is no
 * event data, single-page-app routes, find-a-doctor filters, one row per vendor account, fix
 * texts that fit the vendor.
 */
#include <stdlib.h>
#include <string.h>

#include "assess_har_case.h"
#include "pw_test.h"

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
        const pw_finding *f = &s->r->findings[i];
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
        n += strcmp(s->r->findings[i].rule_id, rule) == 0 &&
             page_is(s->r->findings[i].page_url, page);
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

PW_TEST_MAIN(PW_TEST(general_form_values), PW_TEST(batch_is_one_request), PW_TEST(brand_name),
             PW_TEST(search_severity), PW_TEST(uet_keywords_are_page_metadata), PW_TEST(spa_routes))
