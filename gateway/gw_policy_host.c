/*
 * gw_policy_host.c — the referrer host check (gw_policy_host.h): a registrable domain's label
 * looked up, whole and by its substrings, in the high-sensitivity terms, and against a short
 * list of organisations whose names reveal a condition or care.
 */
#include "gw_policy_host.h"

#include <string.h>

/* Registrable domains of organisations whose name is no vocabulary term but whose site a
 * visitor comes from tells a condition or the care sought (reproductive, substance use, mental
 * health, HIV, cancer, dementia, pregnancy). */
static const char *const organisations[] = {"aa.org",
                                            "afsp.org",
                                            "aidsmap.com",
                                            "alz.org",
                                            "cityofhope.org",
                                            "dana-farber.org",
                                            "gatewayrehab.org",
                                            "komen.org",
                                            "marchofdimes.org",
                                            "mdanderson.org",
                                            "mskcc.org",
                                            "na.org",
                                            "nami.org",
                                            "plannedparenthood.org",
                                            "ppgulfcoast.org",
                                            "rainn.org",
                                            "samhsa.gov",
                                            "smartrecovery.org",
                                            "stjude.org",
                                            "theclinickc.org",
                                            "thetrevorproject.org"};

/* Common words that hold a term of 6+ letters ("ambient": Ambien; "pressure": Essure;
 * "specialist": Cialis; "equilibrium": Librium; "ultramarine": Ultram; "heroine"): the span is
 * blanked before the substring lookup. Found by running the check over EasyList's hosts. */
static const char *const common_words[] = {"ambient",   "equilibri", "heroine", "pressure",
                                           "specialis", "ultramar",  "ultramo"};

/* What is left of a label around a 3-5 letter term that makes it a care site ("aids"+"map"). */
static const char *const care_words[] = {
    "action",     "aid",    "alliance",  "aware",   "awareness",   "care",      "center",
    "centers",    "centre", "chat",      "clinic",  "clinics",     "coalition", "connect",
    "cure",       "doc",    "docs",      "doctor",  "doctors",     "facts",     "forum",
    "foundation", "free",   "fund",      "group",   "health",      "help",      "hotline",
    "hub",        "info",   "institute", "life",    "line",        "living",    "map",
    "md",         "meds",   "net",       "network", "now",         "online",    "partners",
    "pharmacy",   "plus",   "program",   "project", "providers",   "rehab",     "research",
    "resources",  "rx",     "services",  "society", "specialists", "stop",      "support",
    "survivors",  "talk",   "test",      "testing", "tests",       "today",     "treatment",
    "uk",         "united", "us",        "usa"};

#define LONG_TERM 6 /* a term this long counts anywhere in a label */
#define LABEL_MAX 64

/* 1 when s[0..n) is one of the sorted terms. */
static int is_term(const char *s, size_t n)
{
    size_t lo = 0, hi = pw_gw_n_host_terms;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        const char *t = pw_gw_host_terms[mid];
        int c = strncmp(t, s, n);
        if (c == 0 && t[n] == '\0')
            return 1;
        if (c < 0)
            lo = mid + 1;
        else /* t after s, or s a prefix of the longer t */
            hi = mid;
    }
    return 0;
}

static int in_list(const char *const *list, size_t n, const char *s, size_t len)
{
    for (size_t i = 0; i < n; i++)
        if (strlen(list[i]) == len && memcmp(list[i], s, len) == 0)
            return 1;
    return 0;
}

#define IN(list, s, n) in_list((list), sizeof(list) / sizeof(list)[0], (s), (n))

/* A 3-5 letter term at the label's start or end, the rest a care word. */
static int short_term_and_care(const char *l, size_t n)
{
    for (size_t k = 3; k <= 5 && k < n; k++) {
        if (is_term(l, k) && IN(care_words, l + k, n - k))
            return 1;
        if (is_term(l + n - k, k) && IN(care_words, l, n - k))
            return 1;
    }
    return 0;
}

/* The first term of LONG_TERM+ letters inside l, or 0; its span in *at, *len. */
static int long_term_in(const char *l, size_t n, size_t *at, size_t *len)
{
    for (size_t i = 0; i + LONG_TERM <= n; i++)
        for (size_t j = i + LONG_TERM; j <= n; j++)
            if (is_term(l + i, j - i)) {
                *at = i;
                *len = j - i;
                return 1;
            }
    return 0;
}

const char *pw_gw_host_sensitive(pw_arena *a, const char *reg)
{
    if (!reg || !strchr(reg, '.'))
        return NULL;
    if (IN(organisations, reg, strlen(reg)))
        return pw_arena_sprintf(a, "organisation '%s'", reg);
    char l[LABEL_MAX];
    size_t n = 0;
    for (const char *p = reg; *p && *p != '.' && n < sizeof l - 1; p++)
        if (*p != '-')
            l[n++] = *p;
    l[n] = '\0';
    if (n >= 3 && is_term(l, n))
        return pw_arena_sprintf(a, "term '%s'", l);
    if (short_term_and_care(l, n))
        return pw_arena_sprintf(a, "term and care word '%s'", l);
    char blank[LABEL_MAX];
    memcpy(blank, l, n + 1);
    for (size_t w = 0; w < sizeof common_words / sizeof common_words[0]; w++)
        for (char *p = blank; (p = strstr(p, common_words[w]));)
            memset(p, '_', strlen(common_words[w]));
    size_t at = 0, len = 0;
    if (long_term_in(blank, n, &at, &len))
        return pw_arena_sprintf(a, "term '%.*s' in '%s'", (int)len, l + at, l);
    return NULL;
}
