/* test_assess.c — page context cues (HHS context), auth cookies, login URLs, the rule table. */
#include <stdio.h>
#include <string.h>

#include "phiwall/assess.h"
#include "pw_test.h"

static pw_hhs_context ctx_of(const char *url, const char *title)
{
    pw_arena a;
    pw_arena_init(&a, 0);
    const char *why = NULL;
    pw_hhs_context c = pw_assess_page_context(NULL, NULL, &a, url, title, &why);
    CHECK(why != NULL);
    pw_arena_free(&a);
    return c;
}

static void contexts(void)
{
    /* a portal word alone is a landing page (care intent); only session evidence, which the
     * assessor adds, makes a page authenticated */
    CHECK_INT(ctx_of("https://h.org/mychart/inbox", NULL), PW_CTX_CARE_INTENT);
    CHECK_INT(ctx_of("https://h.org/billing/pay-my-bill", NULL), PW_CTX_CARE_INTENT);
    CHECK_INT(ctx_of("https://h.org/x", "Telehealth visit"), PW_CTX_CARE_INTENT);
    CHECK_INT(ctx_of("https://h.org/portal/login", NULL), PW_CTX_CARE_INTENT);
    CHECK_INT(ctx_of("https://h.org/appointments/new", NULL), PW_CTX_CARE_INTENT);
    CHECK_INT(ctx_of("https://h.org/find-a-doctor?q=knee", NULL), PW_CTX_CARE_INTENT);
    CHECK_INT(ctx_of("https://h.org/pharmacy/refill", NULL), PW_CTX_CARE_INTENT);
    CHECK_INT(ctx_of("https://h.org/conditions/asthma", NULL), PW_CTX_CONDITION);
    CHECK_INT(ctx_of("https://h.org/doctors/jane-smith-md", NULL), PW_CTX_CONDITION);
    CHECK_INT(ctx_of("https://h.org/careers/search-jobs", NULL), PW_CTX_GENERAL);
    CHECK_INT(ctx_of("https://h.org/news/cancer-center-opens", NULL), PW_CTX_GENERAL);
    CHECK_INT(ctx_of("https://h.org/visiting-hours", NULL), PW_CTX_GENERAL);
    /* a general page anywhere in the path (pw_detect_general_page, one rule with detect): the
       job search after it is the page's own, a care cue before it keeps a care page */
    CHECK_INT(ctx_of("https://h.org/about/careers/search?keyword=nurse", NULL), PW_CTX_GENERAL);
    CHECK_INT(ctx_of("https://h.org/en/careers/search?keyword=nurse", NULL), PW_CTX_GENERAL);
    CHECK_INT(ctx_of("https://h.org/locations/boston/jobs/search?q=oncology", NULL),
              PW_CTX_GENERAL);
    CHECK_INT(ctx_of("https://h.org/our-hospital/news/search?q=cancer", NULL), PW_CTX_GENERAL);
    CHECK_INT(ctx_of("https://h.org/patients-visitors/parking", "Book a parking space"),
              PW_CTX_GENERAL);
    CHECK_INT(ctx_of("https://h.org/en/visiting-hours", NULL), PW_CTX_GENERAL);
    CHECK_INT(ctx_of("https://h.org/appointments/parking", NULL), PW_CTX_CARE_INTENT);
    pw_arena a;
    pw_arena_init(&a, 0);
    const char *why = NULL;
    CHECK_INT(
        pw_assess_page_context(NULL, NULL, &a, "https://h.org/en/careers/search?q=rn", NULL, &why),
        PW_CTX_GENERAL);
    CHECK_STR(why, "general section (page word '/careers' as path slug 2)");
    pw_arena_free(&a);
    CHECK_INT(ctx_of("https://h.org/en/search?q=careers", NULL), PW_CTX_CARE_INTENT);
    CHECK_INT(ctx_of("https://h.org/", "Home"), PW_CTX_GENERAL);
    /* a general section's login or registration is an applicant's, attendee's or donor's: the
       section wins as it does over a portal word; a portal's login stays care intent */
    CHECK_INT(ctx_of("https://h.org/careers/login", NULL), PW_CTX_GENERAL);
    CHECK_INT(ctx_of("https://h.org/events/register", NULL), PW_CTX_GENERAL);
    CHECK_INT(ctx_of("https://h.org/donate/register", NULL), PW_CTX_GENERAL);
    CHECK_INT(ctx_of("https://h.org/volunteer/sign-in", NULL), PW_CTX_GENERAL);
    CHECK_INT(ctx_of("https://h.org/news/login", NULL), PW_CTX_GENERAL);
    CHECK_INT(ctx_of("https://h.org/careers/benefits/payment-schedule", NULL), PW_CTX_GENERAL);
    CHECK_INT(ctx_of("https://h.org/patients/portal/login", NULL), PW_CTX_CARE_INTENT);
    CHECK_INT(ctx_of("https://h.org/register", NULL), PW_CTX_CARE_INTENT);
    /* words match whole: "facebook" is not "book", "accountable" is not "account" */
    CHECK_INT(ctx_of("https://h.org/facebook-accountable", NULL), PW_CTX_GENERAL);
}

/* With the PHI engine, a health term in the path or title makes a condition page. */
static void contexts_with_engine(void)
{
    pw_detector *d = NULL;
    pw_detect_scratch *s = NULL;
    pw_detector_opts o = {0};
    CHECK_INT(pw_detector_new(&o, &d, NULL), PW_OK);
    CHECK_INT(pw_detect_scratch_new(d, &s, NULL), PW_OK);
    pw_arena a;
    pw_arena_init(&a, 0);
    const char *why = NULL;
    CHECK_INT(pw_assess_page_context(d, s, &a, "https://h.org/heart-failure", NULL, &why),
              PW_CTX_CONDITION);
    CHECK(why && strstr(why, "health term"));
    CHECK_INT(pw_assess_page_context(d, s, &a, "https://h.org/x", "Living with diabetes", &why),
              PW_CTX_CONDITION);
    CHECK_INT(pw_assess_page_context(d, s, &a, "https://h.org/our-story", "Our story", &why),
              PW_CTX_GENERAL);
    /* The site's own name counts for no rule, but it does set the page context (docs/rules.md
     * "The site's own name"): a provider whose name is a health term is a provider page, as a
     * visit there says what care is sought. Pinned on purpose: dropping the name from the
     * context turned every finding of plannedparenthood.org and ppgulfcoast.org into info. */
    CHECK_INT(pw_assess_page_context(d, s, &a, "https://www.plannedparenthood.org/",
                                     "Planned Parenthood | Official Site", &why),
              PW_CTX_CONDITION);
    CHECK(why && strstr(why, "planned parenthood"));
    CHECK_INT(pw_assess_page_context(d, s, &a, "https://www.plannedparenthood.org/x",
                                     "Abortion Services | Planned Parenthood", &why),
              PW_CTX_CONDITION);
    pw_arena_free(&a);
    pw_detect_scratch_free(s);
    pw_detector_free(d);
}

static void cookies_and_login(void)
{
    CHECK(pw_assess_auth_cookie("_ga=1; AuthToken=xyz"));
    CHECK(pw_assess_auth_cookie(".ASPXAUTH=abc"));
    CHECK(!pw_assess_auth_cookie("_ga=GA1.2; _fbp=fb.1.2; PHPSESSID=abc"));
    CHECK(!pw_assess_auth_cookie("x=auth")); /* values do not count */
    CHECK(!pw_assess_auth_cookie(NULL));
    CHECK(!pw_assess_auth_cookie("_ga=1; csrftoken=abc; XSRF-TOKEN=x"));
    CHECK(pw_assess_auth_cookie("access_token=abc"));
    /* whole tokens of the name, never a substring: anonymous visitors get these */
    static const char *const anonymous[] = {
        "_pin_unauth=dWlk",         "next-auth.callback-url=https%3A%2F%2Fh.org",
        "MyChartLocale=en-US",      "author_pref=1",
        "rememberedLanguage=en",    "hs_authorship=1",
        "next-auth.csrf-token=abc", ".AspNetCore.Session=CfDJ8",
        "MyChartSession=abc",       "JSESSIONID=abc",
        "ASP.NET_SessionId=abc",    "oauth_state=xyz",
        "LoginRedirect=%2Fportal",  "__Host-next-auth.pkce.code_verifier=x"};
    for (size_t i = 0; i < sizeof anonymous / sizeof anonymous[0]; i++) {
        CHECK(!pw_assess_auth_cookie(anonymous[i]));
        if (pw_assess_auth_cookie(anonymous[i]))
            fprintf(stderr, "  anonymous cookie counted as a session: %s\n", anonymous[i]);
    }
    /* a logged-in user's session, in the spellings frameworks use */
    static const char *const session[] = {"MyChartAuth=s3ss10n",
                                          "next-auth.session-token=eyJ",
                                          "__Secure-next-auth.session-token=eyJ",
                                          "wordpress_logged_in_5f4dcc3b=jane",
                                          "accessToken=eyJ",
                                          "id_token=eyJ",
                                          ".AspNetCore.Identity.Application=CfDJ8",
                                          "remember_web_59ba36=1",
                                          "auth_session=abc",
                                          "jwt=eyJ",
                                          "isLoggedIn=true",
                                          "SSO_SESSION=x"};
    for (size_t i = 0; i < sizeof session / sizeof session[0]; i++) {
        CHECK(pw_assess_auth_cookie(session[i]));
        if (!pw_assess_auth_cookie(session[i]))
            fprintf(stderr, "  session cookie missed: %s\n", session[i]);
    }
    CHECK(pw_assess_auth_cookie("_ga=1; _pin_unauth=x; AuthToken=y"));
    CHECK(!pw_assess_login_url("https://h.org/careers/login"));
    CHECK(!pw_assess_login_url("https://h.org/volunteer/sign-in"));
    CHECK(pw_assess_login_url("https://h.org/patients/portal/login"));
    CHECK(pw_assess_login_url("https://h.org/mychart/Authentication/Login"));
    CHECK(pw_assess_login_url("https://h.org/sso/saml"));
    CHECK(!pw_assess_login_url("https://h.org/blog/logging-tips"));
}

static void severities(void)
{
    pw_severity s;
    CHECK_INT(pw_severity_parse("HIGH", &s), 0);
    CHECK_INT(s, PW_SEV_HIGH);
    CHECK_INT(pw_severity_parse("urgent", &s), -1);
    CHECK_STR(pw_severity_name(PW_SEV_CRITICAL), "critical");
    CHECK_STR(pw_hhs_context_name(PW_CTX_CARE_INTENT), "care-intent");
}

static void rule_table(void)
{
    static const char *required[] = {
        "PW-AUTH-TRACKER",      "PW-BUTTON-TEXT",   "PW-SEARCH-TERM",    "PW-FORM-VALUES",
        "PW-ADVANCED-MATCHING", "PW-CONDITION-URL", "PW-SESSION-REPLAY", "PW-NO-BAA",
        "PW-TRACKER-PRESENT",   "PW-CONSENT"};
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
        CHECK(pw_rule_info_find(required[i]) != NULL);
    const pw_rule_info *c = pw_rule_info_find("PW-CONDITION-URL");
    CHECK(c && strstr(c->legal, "AHA v. Becerra") && strstr(c->legal, "not a proven PHI"));
    CHECK(c && c->severity == PW_SEV_MEDIUM);
    CHECK(pw_rule_info_find("PW-AUTH-TRACKER")->severity == PW_SEV_CRITICAL);
    CHECK(pw_rule_info_find("PW-NOPE") == NULL);
}

PW_TEST_MAIN(PW_TEST(contexts), PW_TEST(contexts_with_engine), PW_TEST(cookies_and_login),
             PW_TEST(severities), PW_TEST(rule_table))
