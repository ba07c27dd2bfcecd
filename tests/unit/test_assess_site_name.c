/*
 * test_assess_site_name.c — the page context's reason when the health term that made a page a
 * condition page is the site's own name. Planned Parenthood's home page ("Planned Parenthood |
 * Official Site") is a provider page on purpose (docs/rules.md "The site's own name"), but its
 * reason read "health term 'planned parenthood'", which a privacy officer reads as a mistake on a
 * home page; it now says that the term is the site's name. The class of every page is unchanged.
 */
#include <stdio.h>
#include <string.h>

#include "phiwall/arena.h"
#include "phiwall/assess.h"
#include "phiwall/detect.h"
#include "pw_test.h"

typedef struct ctx_case {
    const char *url, *title;
    pw_hhs_context want;
    const char *why; /* a part of the reason */
    int own_name;    /* the reason says the term is the site's name */
} ctx_case;

static void own_name_reason(void)
{
    static const ctx_case cases[] = {
        /* the Markup captures' pages */
        {"https://www.plannedparenthood.org/", "Planned Parenthood | Official Site",
         PW_CTX_CONDITION, "health term 'planned parenthood'", 1},
        {"https://www.plannedparenthood.org/planned-parenthood-gulf-coast", NULL, PW_CTX_CONDITION,
         "planned parenthood", 1},
        {"https://www.gatewayrehab.org/",
         "Addiction Treatment Centers - Pittsburgh | Alcohol Rehab Near Me", PW_CTX_CONDITION,
         "health term 'addiction treatment'", 0},
        {"https://www.cityofhope.org/patients/living-with-cancer/patient-education", NULL,
         PW_CTX_CONDITION, "health term 'cancer'", 0},
        /* a page about a service names the service, not the site */
        {"https://www.plannedparenthood.org/learn/abortion", "Abortion | Planned Parenthood",
         PW_CTX_CONDITION, "health term 'abortion'", 0},
        /* the same name on another site's page is what the page is about */
        {"https://h.org/x", "Planned Parenthood near me", PW_CTX_CONDITION,
         "health term 'planned parenthood'", 0},
        {"https://www.cityofhope.org/homepage", NULL, PW_CTX_GENERAL, "no health", 0},
    };
    pw_detector *d = NULL;
    pw_detect_scratch *s = NULL;
    pw_detector_opts o = {0};
    CHECK_INT(pw_detector_new(&o, &d, NULL), PW_OK);
    CHECK_INT(pw_detect_scratch_new(d, &s, NULL), PW_OK);
    pw_arena a;
    pw_arena_init(&a, 0);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const ctx_case *c = &cases[i];
        const char *why = NULL;
        pw_hhs_context got = pw_assess_page_context(d, s, &a, c->url, c->title, &why);
        if (got != c->want || !why || !strstr(why, c->why) ||
            !!strstr(why, "the site's own name") != c->own_name)
            fprintf(stderr, "case %zu (%s): context %d, reason '%s'\n", i, c->url, (int)got,
                    why ? why : "(null)");
        CHECK_INT(got, c->want);
        CHECK(why && strstr(why, c->why));
        CHECK_INT(why && strstr(why, "the site's own name") != NULL, c->own_name);
    }
    pw_arena_free(&a);
    pw_detect_scratch_free(s);
    pw_detector_free(d);
}

PW_TEST_MAIN(PW_TEST(own_name_reason))
