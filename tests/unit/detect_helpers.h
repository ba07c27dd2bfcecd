/*
 * detect_helpers.h — shared by the test_detect_*.c unit tests: one detector per test file, a
 * scan helper that returns hits for a string, and finders for a hit of a category.
 */
#ifndef PW_DETECT_HELPERS_H
#define PW_DETECT_HELPERS_H

#include <stdio.h>
#include <string.h>

#include "phiwall/detect.h"
#include "pw_test.h"

typedef struct dt_ctx {
    pw_detector *d;
    pw_detect_scratch *s;
    pw_arena a;
    pw_hit *h;
    size_t n;
    const char *str;
} dt_ctx;

static inline int dt_open(dt_ctx *t, const pw_canary *c, size_t nc)
{
    memset(t, 0, sizeof *t);
    pw_detector_opts o = {.canaries = c, .n_canaries = nc};
    if (pw_detector_new(&o, &t->d, NULL) != PW_OK)
        return 0;
    if (pw_detect_scratch_new(t->d, &t->s, NULL) != PW_OK)
        return 0;
    pw_arena_init(&t->a, 0);
    return 1;
}

static inline void dt_close(dt_ctx *t)
{
    pw_arena_free(&t->a);
    pw_detect_scratch_free(t->s);
    pw_detector_free(t->d);
}

static inline size_t dt_scan(dt_ctx *t, const char *key, const char *s, pw_field_type type)
{
    t->str = s;
    if (pw_detect_scan(t->d, t->s, &t->a, key, s, strlen(s), type, &t->h, &t->n, NULL) != PW_OK)
        return (size_t)-1;
    return t->n;
}

/* The first hit of a category (or NULL); its text in the scanned string in *text. */
static inline const pw_hit *dt_find(dt_ctx *t, pw_phi_category c)
{
    for (size_t i = 0; i < t->n; i++)
        if (t->h[i].category == c)
            return &t->h[i];
    return NULL;
}

/* The hit of category c whose span is exactly the first occurrence of `covered` in the scanned
 * string (or NULL). */
static inline const pw_hit *dt_find_span(dt_ctx *t, pw_phi_category c, const char *covered)
{
    const char *at = strstr(t->str, covered);
    for (size_t i = 0; at && i < t->n; i++)
        if (t->h[i].category == c && t->h[i].start == (size_t)(at - t->str) &&
            t->h[i].end == t->h[i].start + strlen(covered))
            return &t->h[i];
    return NULL;
}

static inline int dt_count(dt_ctx *t, pw_phi_category c)
{
    int k = 0;
    for (size_t i = 0; i < t->n; i++)
        k += t->h[i].category == c;
    return k;
}

/* The hit's text, copied into the arena. */
static inline const char *dt_text(dt_ctx *t, const pw_hit *h)
{
    return h ? pw_arena_strndup(&t->a, t->str + h->start, h->end - h->start) : NULL;
}

/* Count identifier hits. */
static inline int dt_identifiers(dt_ctx *t)
{
    int k = 0;
    for (size_t i = 0; i < t->n; i++)
        k += pw_phi_is_identifier(t->h[i].category);
    return k;
}

/* Checks shared by the detector tests: a hit of category c whose text is exactly want, and no hit
 * of category c at all; each says what it missed or found on stderr. */
static inline void dt_expect_span(dt_ctx *t, const char *key, const char *s, pw_field_type ft,
                                  pw_phi_category c, const char *want)
{
    dt_scan(t, key, s, ft);
    const pw_hit *h = dt_find_span(t, c, want);
    if (!h)
        fprintf(stderr, "  no %s hit \"%s\" in \"%s\"\n", pw_phi_category_name(c), want, s);
    CHECK(h != NULL);
}

static inline void dt_expect_none(dt_ctx *t, const char *key, const char *s, pw_field_type ft,
                                  pw_phi_category c)
{
    dt_scan(t, key, s, ft);
    const pw_hit *h = dt_find(t, c);
    if (h)
        fprintf(stderr, "  unexpected %s hit \"%s\" in \"%s\"\n", pw_phi_category_name(c),
                dt_text(t, h), s);
    CHECK(h == NULL);
}

/* Two strings alike (both NULL, or equal). */
static inline int dt_same_text(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

/* Two lists of hits alike in every field (spans, category, subtype, value, confidence, reason,
 * its detail, sensitivity): what a memo must give back as a fresh scan finds it. */
static inline int dt_same_hits(const pw_hit *a, size_t na, const pw_hit *b, size_t nb)
{
    if (na != nb)
        return 0;
    for (size_t i = 0; i < na; i++)
        if (a[i].category != b[i].category || a[i].start != b[i].start || a[i].end != b[i].end ||
            strcmp(a[i].subtype, b[i].subtype) != 0 ||
            strcmp(a[i].normalized, b[i].normalized) != 0 || a[i].confidence != b[i].confidence ||
            a[i].reason != b[i].reason || !dt_same_text(a[i].reason_detail, b[i].reason_detail) ||
            a[i].sensitivity != b[i].sensitivity)
            return 0;
    return 1;
}

#endif
