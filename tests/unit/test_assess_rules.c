/*
 * test_assess_rules.c — rule defects found in review, on the HARs of tests/data/assess/ written
 * by make_rule_cases.py: a portal word is no login, health terms in event names, custom data and
 * user properties are PW-EVENT-HEALTH, a cleartext ud[em] is PW-FORM-VALUES, PW-NO-BAA stands
 * alone only, and consent managers and embeds get only the content rules with fixes of their own.
 */
#include <string.h>

#include "assess_har_case.h"
#include "pw_test.h"
#include "pw_test_finding.h"

/* The first finding of rule (NULL: any) for tracker (NULL: any) on a page whose URL ends with
 * page (NULL: any). */
static const pw_finding *find(const scan *s, const char *rule, const char *tracker,
                              const char *page)
{
    for (size_t i = 0; s->r && i < s->r->n_findings; i++) {
        const pw_finding *f = pw_test_finding(s->r, i);
        size_t n = strlen(f->page_url), m = page ? strlen(page) : 0;
        if ((!rule || strcmp(f->rule_id, rule) == 0) &&
            (!tracker || strcmp(f->tracker->id, tracker) == 0) &&
            (!page || (n >= m && strcmp(f->page_url + n - m, page) == 0)))
            return f;
    }
    return NULL;
}

static size_t count(const scan *s, const char *rule)
{
    size_t n = 0;
    for (size_t i = 0; s->r && i < s->r->n_findings; i++)
        n += strcmp(pw_test_finding(s->r, i)->rule_id, rule) == 0;
    return n;
}

static int has_evidence(const pw_finding *f, const char *key)
{
    for (size_t i = 0; f && i < f->n_evidence; i++)
        if (strcmp(f->evidence[i].key, key) == 0)
            return 1;
    return 0;
}

static pw_hhs_context context_of(const scan *s, const char *page, const char **why)
{
    for (size_t i = 0; i < s->r->n_pages; i++) {
        size_t n = strlen(s->r->pages[i].url), m = strlen(page);
        if (n >= m && strcmp(s->r->pages[i].url + n - m, page) == 0) {
            *why = s->r->page_reasons ? s->r->page_reasons[i] : NULL;
            return s->r->page_contexts[i];
        }
    }
    return PW_CTX__COUNT;
}

/* 1: a portal, bill-pay or telehealth word on a public page is care intent, not a login. */
static void portal_word_is_no_login(void)
{
    scan s;
    CHECK(scan_har(&s, "portal_words"));
    static const char *const landing[] = {"/patients-visitors/billing-and-insurance",
                                          "/patients/mychart", "/patient-portal-faq", "/telehealth",
                                          NULL};
    const char *why = NULL;
    for (size_t i = 0; landing[i]; i++) {
        CHECK_INT(context_of(&s, landing[i], &why), PW_CTX_CARE_INTENT);
        CHECK(why && strstr(why, "login not observed"));
        CHECK(find(&s, "PW-AUTH-TRACKER", NULL, landing[i]) == NULL);
        CHECK(find(&s, "PW-CONDITION-URL", "meta-pixel", landing[i]) != NULL);
    }
    CHECK_INT(context_of(&s, "/careers/benefits/payment-schedule", &why), PW_CTX_GENERAL);
    CHECK(find(&s, NULL, NULL, "/careers/benefits/payment-schedule")->severity == PW_SEV_INFO);
    /* the portal page the browser reached after its login stays critical */
    CHECK_INT(context_of(&s, "/mychart/messages", &why), PW_CTX_AUTHENTICATED);
    const pw_finding *f = find(&s, "PW-AUTH-TRACKER", "meta-pixel", "/mychart/messages");
    CHECK(f && f->severity == PW_SEV_CRITICAL);
    CHECK_INT(count(&s, "PW-AUTH-TRACKER"), 1);
    scan_free(&s);

    pw_arena a;
    pw_arena_init(&a, 0);
    CHECK_INT(pw_assess_page_context(NULL, NULL, &a, "https://h.org/careers/benefits/payment",
                                     "Payroll", &why),
              PW_CTX_GENERAL);
    CHECK_INT(pw_assess_page_context(NULL, NULL, &a, "https://h.org/patients/mychart",
                                     "MyChart Patient Portal - Sign up today", &why),
              PW_CTX_CARE_INTENT);
    pw_arena_free(&a);
}

/* 2: health terms the site's tag code puts in event names, custom data and user properties. */
static void event_health(void)
{
    scan s;
    CHECK(scan_har(&s, "event_health"));
    const pw_finding *f = find(&s, "PW-EVENT-HEALTH", "meta-pixel", "www.hosp.org/");
    CHECK(f && f->severity == PW_SEV_HIGH && has_evidence(f, "cd[content_name]"));
    f = find(&s, "PW-EVENT-HEALTH", "meta-pixel", "/news/");
    CHECK(f && has_evidence(f, "ev") && f->event_name &&
          strcmp(f->event_name, "AbortionPillInquiry") == 0);
    f = find(&s, "PW-EVENT-HEALTH", "ga4", "/about/");
    CHECK(f && has_evidence(f, "en") && has_evidence(f, "ep.service_line"));
    f = find(&s, "PW-EVENT-HEALTH", "ga4", "/visiting/");
    CHECK(f && has_evidence(f, "up.patient_type"));
    for (size_t i = 0; f && i < f->n_evidence; i++) /* the property's value is marked */
        if (strcmp(f->evidence[i].key, "up.patient_type") == 0)
            CHECK(f->evidence[i].n_hits > 0);
    /* page metadata the pixel scrapes itself (cd[Meta]) is the page's, not the visitor's */
    CHECK(find(&s, "PW-EVENT-HEALTH", NULL, "/parking/") == NULL);
    CHECK(find(&s, "PW-EVENT-HEALTH", NULL, "/contact/") == NULL);
    CHECK(pw_rule_info_find("PW-EVENT-HEALTH") != NULL);
    scan_free(&s);
}

/* 3: a cleartext e-mail is PW-FORM-VALUES in ud[em] as in ep.user_email; a hash is not. */
static void cleartext_user_data(void)
{
    scan s;
    CHECK(scan_har(&s, "user_data_clear"));
    const pw_finding *f = find(&s, "PW-FORM-VALUES", "meta-pixel", "www.hosp.org/");
    CHECK(f && f->severity == PW_SEV_CRITICAL && has_evidence(f, "ud[em]"));
    CHECK(f && strstr(f->remediation, "fbq('init','123456789012345'"));
    CHECK(find(&s, "PW-FORM-VALUES", "ga4", "www.hosp.org/") != NULL);
    CHECK(find(&s, "PW-FORM-VALUES", NULL, "/news/") == NULL);
    CHECK(find(&s, "PW-ADVANCED-MATCHING", "meta-pixel", "/news/") != NULL);
    scan_free(&s);
}

/* 4: PW-NO-BAA only for a tracker no other rule reported on the page; the others say it. */
static void no_baa_stands_alone(void)
{
    scan s;
    CHECK(scan_har(&s, "no_baa_once"));
    CHECK(find(&s, "PW-NO-BAA", "meta-pixel", NULL) == NULL);
    CHECK(find(&s, "PW-NO-BAA", "google-tag-manager", NULL) != NULL);
    CHECK_INT(count(&s, "PW-NO-BAA"), 1);
    const pw_finding *f = find(&s, "PW-CONDITION-URL", "meta-pixel", NULL);
    CHECK(f && strstr(f->remediation, "No BAA: Meta does not sign"));
    scan_free(&s);
}

/* 5: a consent manager and embeds are no trackers: content rules only, fixes of their own. */
static void consent_and_embeds(void)
{
    scan s;
    CHECK(scan_har(&s, "consent_embeds"));
    CHECK(find(&s, NULL, "onetrust", NULL) == NULL);
    CHECK(find(&s, NULL, "google-maps", NULL) == NULL);
    CHECK_INT(count(&s, "PW-CONDITION-URL"), 0);
    CHECK_INT(count(&s, "PW-NO-BAA"), 0);
    const pw_finding *f = find(&s, "PW-FORM-VALUES", "youtube-embed", NULL);
    CHECK(f && strstr(f->remediation, "youtube-nocookie.com") &&
          strstr(f->remediation, "click-to-load"));
    for (size_t i = 0; i < s.r->n_findings; i++)
        CHECK(strstr(pw_test_finding(s.r, i)->remediation, "Remove") == NULL);
    scan_free(&s);
}

/* 6: a fix names the pages as the site has them: host and a non-default port
 * ("127.0.0.1:42109/conditions/…"), never a scheme's own port ("h.org:443"). */
static void fix_keeps_the_port(void)
{
    static const pw_page pages[] = {{.url = "http://127.0.0.1:42109/conditions/asthma"},
                                    {.url = "https://h.org:443/conditions/asthma"}};
    static const pw_request reqs[] = {
        {.method = "GET",
         .url = "https://www.facebook.com/tr/?id=493027145822310&ev=PageView&dl=http%3A%2F%2F"
                "127.0.0.1%3A42109%2Fconditions%2Fasthma",
         .page_url = "http://127.0.0.1:42109/conditions/asthma",
         .resource_type = "image"},
        {.method = "GET",
         .url = "https://www.facebook.com/tr/?id=493027145822310&ev=PageView&dl=https%3A%2F%2F"
                "h.org%2Fconditions%2Fasthma",
         .page_url = "https://h.org:443/conditions/asthma",
         .resource_type = "image"}};
    scan s;
    CHECK(scan_requests(&s, pages, 2, reqs, 2));
    const pw_finding *f = find(&s, "PW-CONDITION-URL", "meta-pixel", "42109/conditions/asthma");
    CHECK(f && strstr(f->remediation, "(127.0.0.1:42109/conditions/*)"));
    f = find(&s, "PW-CONDITION-URL", "meta-pixel", "h.org:443/conditions/asthma");
    CHECK(f && strstr(f->remediation, "(h.org/conditions/*)"));
    scan_free(&s);
}

/* 7: a click or device ID a tag sends as its "no value" (UET's msclkid=N, the X pixel's
 * p_user_id=0) joins nothing to the visit and is no evidence; the real IDs beside it are. */
static void no_value_ids_are_no_evidence(void)
{
    static const pw_page pages[] = {{.url = "https://h.org/conditions/asthma"}};
    static const pw_request reqs[] = {
        {.method = "GET",
         .url = "https://bat.bing.com/action/0?ti=5063020&Ver=2&sid=934fdb7031b311ec&vid="
                "93565ea031b311ec&evt=pageLoad&p=https%3A%2F%2Fh.org%2Fconditions%2Fasthma&"
                "msclkid=N&rn=1",
         .page_url = "https://h.org/conditions/asthma",
         .resource_type = "image"},
        {.method = "GET",
         .url = "https://analytics.twitter.com/i/adsct?type=javascript&p_id=Twitter&p_user_id=0&"
                "txn_id=nvd6c&tw_document_href=https%3A%2F%2Fh.org%2Fconditions%2Fasthma",
         .page_url = "https://h.org/conditions/asthma",
         .resource_type = "image"}};
    scan s;
    CHECK(scan_requests(&s, pages, 1, reqs, 2));
    size_t n = 0;
    for (size_t i = 0; s.r && i < s.r->n_findings; i++) {
        const pw_finding *f = pw_test_finding(s.r, i);
        n += strcmp(f->rule_id, "PW-CONDITION-URL") == 0;
        CHECK(!has_evidence(f, "msclkid") && !has_evidence(f, "p_user_id"));
    }
    CHECK_INT((int)n, 2);
    const pw_finding *f = find(&s, "PW-CONDITION-URL", "microsoft-uet", NULL);
    CHECK(f && has_evidence(f, "p") && has_evidence(f, "vid"));
    scan_free(&s);
}

PW_TEST_MAIN(PW_TEST(portal_word_is_no_login), PW_TEST(event_health), PW_TEST(cleartext_user_data),
             PW_TEST(no_baa_stands_alone), PW_TEST(consent_and_embeds), PW_TEST(fix_keeps_the_port),
             PW_TEST(no_value_ids_are_no_evidence))
