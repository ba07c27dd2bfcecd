/*
 * test_assess_scan_review.c — what a review of the assess stage found wrong (rev-scan, on main
 * dab4a8e), on the HARs of tests/data/har/ written by make_cases.py: anonymous cookies taken for
 * a session, the site's own tel:/mailto: links and a provider's NPI taken for the visitor's
 * identifiers, hashes of nothing taken for advanced matching, a button's destination and id
 * taken for its text, a general section's login taken for care intent, form values and searches
 * in the Referer header never scanned, health words in parameter names missed, and single-page
 * app routes named only by Meta and GA.
 */
#include <string.h>

#define ASSESS_CASE_DIR PW_SRC_DIR "/tests/data/har/"
#include "assess_har_case.h"
#include "pw_test.h"
#include "pw_test_finding.h"

/* The first finding of rule (on a page whose URL contains page, NULL: any) of the tracker id
 * (NULL: any). */
static const pw_finding *find(const scan *s, const char *rule, const char *page,
                              const char *tracker)
{
    for (size_t i = 0; s->r && i < s->r->n_findings; i++) {
        const pw_finding *f = pw_test_finding(s->r, i);
        if (strcmp(f->rule_id, rule) == 0 && (!page || strstr(f->page_url, page)) &&
            (!tracker || strcmp(f->tracker->id, tracker) == 0))
            return f;
    }
    return NULL;
}

/* The context the scan gave the page whose URL contains page, or -1. */
static int context_of(const scan *s, const char *page)
{
    for (size_t i = 0; s->r && i < s->r->n_pages; i++)
        if (strstr(s->r->pages[i].url, page))
            return (int)s->r->page_contexts[i];
    return -1;
}

/* The evidence of f with this key, or NULL. */
static const pw_evidence *evidence(const pw_finding *f, const char *key)
{
    for (size_t i = 0; f && i < f->n_evidence; i++)
        if (strcmp(f->evidence[i].key, key) == 0)
            return &f->evidence[i];
    return NULL;
}

/* An evidence hit of this category in f's field key. */
static int evidence_hit(const pw_finding *f, const char *key, pw_phi_category cat)
{
    const pw_evidence *e = evidence(f, key);
    for (size_t i = 0; e && i < e->n_hits; i++)
        if (e->hits[i].category == cat)
            return 1;
    return 0;
}

/* D1: _pin_unauth, next-auth.callback-url, MyChartLocale… make no page authenticated. */
static void anonymous_cookies(void)
{
    scan s;
    CHECK(scan_har(&s, "cookie_anonymous"));
    CHECK(!find(&s, "PW-AUTH-TRACKER", NULL, NULL));
    CHECK_INT(context_of(&s, "/conditions/heart-disease"), PW_CTX_CONDITION);
    CHECK_INT(context_of(&s, "/careers"), PW_CTX_GENERAL);
    CHECK(find(&s, "PW-CONDITION-URL", "/conditions/heart-disease", "meta-pixel"));
    CHECK(find(&s, "PW-TRACKER-PRESENT", "/careers", "meta-pixel"));
    scan_free(&s);
}

/* D3: the site's tel:/mailto: links (and the click text repeating them) are its published
 * contacts; a phone the visitor typed beside such a link still counts. */
static void link_contacts(void)
{
    scan s;
    CHECK(scan_har(&s, "link_contacts"));
    CHECK(!find(&s, "PW-FORM-VALUES", "/contact-us", NULL));
    const pw_finding *typed = find(&s, "PW-FORM-VALUES", "/appointments/request", "ga4");
    CHECK(typed && typed->severity == PW_SEV_CRITICAL);
    CHECK(evidence_hit(typed, "ep.phone", PW_PHI_PHONE));
    CHECK(!evidence_hit(typed, "ep.link_url", PW_PHI_PHONE));
    /* the cookie ID that joins the typed phone to the visitor is evidence (docs/rules.md) */
    CHECK(evidence(typed, "cid") != NULL);
    scan_free(&s);
}

/* D4: a provider's NPI names the doctor of a provider page, not the visitor. */
static void provider_npi(void)
{
    scan s;
    CHECK(scan_har(&s, "provider_npi"));
    CHECK(!find(&s, "PW-FORM-VALUES", NULL, NULL));
    CHECK(find(&s, "PW-CONDITION-URL", "/doctors/elena-marsh", "ga4"));
    scan_free(&s);
}

/* D8: SHA-256 of "" and "undefined", MD5 of "null": advanced matching that matched no one. */
static void empty_hashes(void)
{
    scan s;
    CHECK(scan_har(&s, "empty_hash"));
    CHECK(!find(&s, "PW-ADVANCED-MATCHING", NULL, NULL));
    CHECK(!find(&s, "PW-FORM-VALUES", NULL, NULL));
    CHECK(find(&s, "PW-CONDITION-URL", "/appointments", "meta-pixel"));
    scan_free(&s);
}

/* D7: "Sign in" is the button's text; its destination and id are not. GA4's form_id and
 * form_name are form metadata with their own fix. */
static void form_and_button_metadata(void)
{
    scan s;
    CHECK(scan_har(&s, "form_meta"));
    CHECK(!find(&s, "PW-BUTTON-TEXT", NULL, NULL));
    CHECK(!find(&s, "PW-EVENT-HEALTH", NULL, NULL));
    const pw_finding *ff = find(&s, "PW-FORM-FIELDS", "/portal/login", "ga4");
    CHECK(ff && ff->severity == PW_SEV_MEDIUM);
    CHECK(evidence(ff, "ep.form_id") && evidence(ff, "ep.form_name"));
    CHECK(!evidence(ff, "ep.form_destination"));
    CHECK(ff && strstr(ff->remediation, "enhanced-measurement form interactions"));
    /* the destination is the page itself: the page-URL finding's evidence */
    const pw_finding *cu = find(&s, "PW-CONDITION-URL", "/portal/login", "meta-pixel");
    CHECK(cu && evidence(cu, "dl"));
    scan_free(&s);
}

/* D9: /careers/login and /events/register are general pages; a portal's login is not. */
static void general_section_login(void)
{
    scan s;
    CHECK(scan_har(&s, "general_login"));
    CHECK_INT(context_of(&s, "/careers/login"), PW_CTX_GENERAL);
    CHECK_INT(context_of(&s, "/events/register"), PW_CTX_GENERAL);
    CHECK_INT(context_of(&s, "/patients/portal/login"), PW_CTX_CARE_INTENT);
    CHECK(!find(&s, "PW-CONDITION-URL", "/careers/login", NULL));
    CHECK(find(&s, "PW-TRACKER-PRESENT", "/careers/login", NULL));
    const pw_finding *f = find(&s, "PW-FORM-VALUES", "/events/register", "meta-pixel");
    CHECK(f && f->severity == PW_SEV_HIGH);
    CHECK(find(&s, "PW-CONDITION-URL", "/patients/portal/login", NULL));
    scan_free(&s);
}

/* D2: a GET form's values and a site search in the Referer header of a noscript pixel and
 * Floodlight are scanned; with --canary the typed canary is found there too. */
static void referer_values(void)
{
    scan s;
    CHECK(scan_har(&s, "referer_form"));
    const pw_finding *m = find(&s, "PW-FORM-VALUES", "/appointments/confirm", "meta-pixel");
    CHECK(m && m->severity == PW_SEV_CRITICAL);
    CHECK(evidence_hit(m, "header:referer", PW_PHI_EMAIL));
    CHECK(find(&s, "PW-FORM-VALUES", "/appointments/confirm", "floodlight"));
    scan_free(&s);

    pw_canary c = {.kind = PW_CANARY_EMAIL, .value = "jane.doe@gmail.com", .label = "email"};
    CHECK(scan_har_with(&s, "referer_form", &c, 1));
    m = find(&s, "PW-FORM-VALUES", "/appointments/confirm", "meta-pixel");
    CHECK(evidence_hit(m, "header:referer", PW_PHI_CANARY));
    scan_free(&s);

    CHECK(scan_har(&s, "referer_search"));
    const pw_finding *q = find(&s, "PW-SEARCH-TERM", "/search", "meta-pixel");
    CHECK(q && q->severity == PW_SEV_HIGH);
    CHECK(evidence(q, "header:referer?q") != NULL);
    CHECK(q && strstr(q->remediation, "Referrer-Policy") &&
          !strstr(q->remediation, "open from their results"));
    scan_free(&s);
}

/* D10: cd[hiv_positive]=true, up.pregnant=true, ep.depression_screening_positive=yes tell the
 * vendor the visitor's health by their names; health_plan and care_type do not. */
static void health_in_names(void)
{
    scan s;
    CHECK(scan_har(&s, "health_keys"));
    const pw_finding *g = find(&s, "PW-EVENT-HEALTH", "demo-hospital.org/", "ga4");
    const pw_finding *m = find(&s, "PW-EVENT-HEALTH", "demo-hospital.org/", "meta-pixel");
    CHECK(g && g->severity == PW_SEV_HIGH && !strstr(g->page_url, "/news"));
    CHECK(m && m->severity == PW_SEV_HIGH);
    CHECK(evidence(m, "cd[hiv_positive]") != NULL);
    CHECK(evidence(g, "up.pregnant") != NULL);
    CHECK(!find(&s, "PW-EVENT-HEALTH", "/news/gala", NULL));
    scan_free(&s);
}

/* D11: TikTok's context.page.url names the route of a single-page app, as Meta's dl does. */
static void tiktok_route(void)
{
    scan s;
    CHECK(scan_har(&s, "spa_tiktok"));
    const pw_finding *f = find(&s, "PW-SEARCH-TERM", "/find-a-doctor", "tiktok-pixel");
    CHECK(f && f->severity == PW_SEV_HIGH && f->context == PW_CTX_CARE_INTENT);
    CHECK(!find(&s, "PW-TRACKER-PRESENT", NULL, "tiktok-pixel"));
    scan_free(&s);
}

/* rev-real 1: a phone or street address typed into a GET form's notes or address box, or into
 * a free-text event parameter, counts by its shape alone: critical on a care or neutral page. */
static void typed_contacts(void)
{
    scan s;
    CHECK(scan_har(&s, "typed_contacts"));
    const pw_finding *f = find(&s, "PW-FORM-VALUES", "/appointments/confirm", "meta-pixel");
    CHECK(f && f->severity == PW_SEV_CRITICAL);
    CHECK(evidence_hit(f, "dl", PW_PHI_PHONE));
    f = find(&s, "PW-FORM-VALUES", "/welcome", "ga4");
    CHECK(f && f->severity == PW_SEV_CRITICAL && evidence_hit(f, "ep.message", PW_PHI_PHONE));
    f = find(&s, "PW-FORM-VALUES", "/welcome", "meta-pixel");
    CHECK(f && f->severity == PW_SEV_CRITICAL && evidence_hit(f, "cd[message]", PW_PHI_ADDRESS));
    f = find(&s, "PW-FORM-VALUES", "/home", "ga4");
    CHECK(f && f->severity == PW_SEV_CRITICAL && evidence_hit(f, "ep.notes", PW_PHI_PHONE));
    scan_free(&s);
}

/* rev-real 1: the site's own number and a clinic's address in its page title, a location name
 * or a campaign parameter are no one's typed value. */
static void site_contacts(void)
{
    scan s;
    CHECK(scan_har(&s, "site_contacts"));
    CHECK(!find(&s, "PW-FORM-VALUES", NULL, NULL));
    scan_free(&s);
}

/* rev-real 2: test data's placeholders (all-zero and repeated-digit numbers, an address at
 * domain.com) sent as a search identify no one. */
static void placeholders(void)
{
    scan s;
    CHECK(scan_har(&s, "placeholders"));
    CHECK(!find(&s, "PW-FORM-VALUES", NULL, NULL));
    scan_free(&s);
}

/* rev-real 3: a phone number under an address key is labelled a phone, as the hit names it. */
static void phone_under_address_key(void)
{
    scan s;
    CHECK(scan_har(&s, "typed_contacts"));
    const pw_finding *f = find(&s, "PW-FORM-VALUES", "/start", "ga4");
    CHECK(f && evidence_hit(f, "ep.address", PW_PHI_PHONE));
    CHECK(f && !evidence_hit(f, "ep.address", PW_PHI_ADDRESS));
    scan_free(&s);
}

/* rev-real 4: a contact form's values on /contact are reported high with reasoning that names
 * the contact form, not a careers application or a donation. */
static void contact_form_reasoning(void)
{
    scan s;
    CHECK(scan_har(&s, "typed_contacts"));
    const pw_finding *f = find(&s, "PW-FORM-VALUES", "/contact", "meta-pixel");
    CHECK(f && f->severity == PW_SEV_HIGH);
    CHECK(f && strstr(f->legal, "'/contact'") && strstr(f->legal, "a contact form"));
    CHECK(f && !strstr(f->legal, "careers") && !strstr(f->legal, "donation"));
    scan_free(&s);
}

PW_TEST_MAIN(PW_TEST(anonymous_cookies), PW_TEST(link_contacts), PW_TEST(provider_npi),
             PW_TEST(empty_hashes), PW_TEST(form_and_button_metadata),
             PW_TEST(general_section_login), PW_TEST(referer_values), PW_TEST(health_in_names),
             PW_TEST(tiktok_route), PW_TEST(typed_contacts), PW_TEST(site_contacts),
             PW_TEST(placeholders), PW_TEST(phone_under_address_key),
             PW_TEST(contact_form_reasoning))
