/*
 * test_detect_event_equiv.c — pw_detect_scan_event on thousands of seeded events gives every
 * field exactly what pw_detect_scan gives it alone (same hits in the same order: category,
 * subtype, span, normalised value, confidence, reason, detail, sensitivity), or, for a field of
 * an object of a known kind, what pw_detect_scan_member gives it with that kind; with both back
 * ends and with canaries. The events are drawn from tests/data/detect/event_rows.tsv (generator
 * and stress-corpus rows) and heldout.tsv, with random keys (bare "name" members among them),
 * types and object kinds, empty and letterless fields,
 * the same string several times; and from fields cut in the middle of a multi-word vocabulary
 * term or an identifier ("… breast" | "cancer …", "617-555" | "0123"), where a separator a
 * term or pattern could cross would change the first field's hits.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "detect/internal.h"
#include "detect_helpers.h"
#include "pw_test.h"

typedef struct row {
    char *key, *text;
    pw_field_type type;
} row;

typedef struct rows {
    row *r;
    size_t n, cap;
} rows;

static rows R;
static uint64_t rng = 0x2545f4914f6cdd1dull;

static uint64_t next(void)
{
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return rng;
}

static pw_field_type type_of(const char *t)
{
    return strcmp(t, "url") == 0    ? PW_FT_URL
           : strcmp(t, "form") == 0 ? PW_FT_FORM_VALUE
           : strcmp(t, "json") == 0 ? PW_FT_JSON_VALUE
                                    : PW_FT_TEXT;
}

static void add_row(const char *key, const char *text, pw_field_type type)
{
    if (R.n == R.cap) {
        R.cap = R.cap ? R.cap * 2 : 1024;
        R.r = realloc(R.r, R.cap * sizeof *R.r);
        CHECK(R.r != NULL);
    }
    R.r[R.n++] = (row){key ? strdup(key) : NULL, strdup(text), type};
}

/* Rows of a TSV (group, type, key, text, labels). */
static void load(const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/data/detect/%s", PW_SRC_DIR, name);
    FILE *f = fopen(path, "r");
    CHECK(f != NULL);
    if (!f)
        return;
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, f) > 0) {
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '#' || !line[0])
            continue;
        char *col[4];
        int k = 0;
        for (char *p = line; k < 4 && p; k++) {
            col[k] = p;
            p = strchr(p, '\t');
            if (p)
                *p++ = '\0';
        }
        if (k == 4)
            add_row(strcmp(col[2], "-") ? col[2] : NULL, col[3], type_of(col[1]));
    }
    free(line);
    fclose(f);
}

static int same_str(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

static int same_hit(const pw_hit *a, const pw_hit *b)
{
    return a->category == b->category && same_str(a->subtype, b->subtype) && a->start == b->start &&
           a->end == b->end && same_str(a->normalized, b->normalized) &&
           a->confidence == b->confidence && a->reason == b->reason &&
           same_str(a->reason_detail, b->reason_detail) && a->sensitivity == b->sensitivity;
}

typedef struct tally {
    size_t events, fields, hits, mismatches;
    size_t by_kind; /* fields whose object kind changed their hits from pw_detect_scan's */
} tally;

/* The hits of field f scanned alone: pw_detect_scan_member with its kind, pw_detect_scan when
 * the kind is unknown (the call a caller without the kind makes). */
static void scan_alone(dt_ctx *c, const pw_detect_field *f, pw_hit **h, size_t *nh)
{
    if (f->object == PW_OBJECT_UNKNOWN)
        CHECK(pw_detect_scan(c->d, c->s, &c->a, f->key, f->str, f->n, f->type, h, nh, NULL) ==
              PW_OK);
    else
        CHECK(pw_detect_scan_member(c->d, c->s, &c->a, f->key, f->object, f->str, f->n, f->type, h,
                                    nh, NULL) == PW_OK);
}

static int same_hits(const pw_hit *a, size_t na, const pw_hit *b, size_t nb)
{
    int same = na == nb;
    for (size_t k = 0; same && k < na; k++)
        same = same_hit(&a[k], &b[k]);
    return same;
}

/* One event: each field's hits equal its own scan's (with its object's kind); counts into t. */
static void check_event(dt_ctx *c, pw_detect_field *f, size_t nf, tally *t)
{
    pw_arena_reset(&c->a);
    CHECK(pw_detect_scan_event(c->d, c->s, &c->a, f, nf, NULL) == PW_OK);
    t->events++;
    for (size_t i = 0; i < nf; i++) {
        pw_hit *h = NULL;
        size_t nh = 0;
        scan_alone(c, &f[i], &h, &nh);
        int same = same_hits(h, nh, f[i].hits, f[i].n_hits);
        for (size_t k = 0; k < f[i].n_hits; k++) /* spans inside the field */
            same &= f[i].hits[k].start < f[i].hits[k].end && f[i].hits[k].end <= f[i].n;
        if (!same && t->mismatches++ < 5)
            fprintf(stderr,
                    "event field %zu (%s, type %d, object %d) \"%.*s\": %zu hits alone, %zu in "
                    "event\n",
                    i, f[i].key ? f[i].key : "-", (int)f[i].type, (int)f[i].object,
                    (int)(f[i].n < 120 ? f[i].n : 120), f[i].str, nh, f[i].n_hits);
        if (f[i].object != PW_OBJECT_UNKNOWN) {
            pw_hit *u = NULL;
            size_t nu = 0;
            CHECK(pw_detect_scan(c->d, c->s, &c->a, f[i].key, f[i].str, f[i].n, f[i].type, &u, &nu,
                                 NULL) == PW_OK);
            t->by_kind += !same_hits(u, nu, h, nh);
        }
        t->fields++;
        t->hits += nh;
    }
}

#define EVENT_MAX 16

static const char *const keys[] = {
    NULL,         "q",    "fn",   "email",          "ph",           "patient_id", "dl", "dt",
    "dob",        "zip",  "mrn",  "cd[buttonText]", "ud[em]",       "ts",         "s",  "notes",
    "event.name", "name", "name", "data.name",      "contact[name]"};

/* A random field: a row, sometimes under another key or type, sometimes empty or letterless. */
static pw_detect_field random_field(void)
{
    /* Letterless fields of 16 bytes and more hold words of the event's masks too. */
    static const char *const odd[] = {
        "",
        "--- ... ///",
        "12",
        "0",
        " ",
        "%20%20",
        "a",
        "-- ** -- ** -- ** -- ** -- ** --",
        "=========================== . =========================== . ========"};
    uint64_t x = next();
    const row *r = &R.r[x % R.n];
    pw_detect_field f = {r->key, r->text, strlen(r->text), r->type, PW_OBJECT_UNKNOWN, NULL, 0};
    if ((x >> 20) % 8 == 0)
        f.key = keys[(x >> 24) % (sizeof keys / sizeof keys[0])];
    if ((x >> 28) % 8 == 0)
        f.type = (pw_field_type)((x >> 32) % 5);
    if ((x >> 44) % 2 == 0) /* half the fields are members of an object of a known kind */
        f.object = (pw_detect_object)(1 + (x >> 45) % 2);
    if ((x >> 36) % 16 == 0) {
        f.str = odd[(x >> 40) % (sizeof odd / sizeof odd[0])];
        f.n = strlen(f.str);
    }
    return f;
}

static void random_events(dt_ctx *c, size_t n_events, tally *t)
{
    pw_detect_field f[EVENT_MAX];
    for (size_t e = 0; e < n_events; e++) {
        size_t nf = 1 + next() % EVENT_MAX;
        for (size_t i = 0; i < nf; i++)
            f[i] = random_field();
        check_event(c, f, nf, t);
    }
}

/* Texts cut inside a multi-word term whose first words are a term too ("breast" | "cancer
 * screening"): the first field must keep its own, shorter match. Returns the pairs made. */
static size_t term_cuts(dt_ctx *c, char (*a)[96], char (*b)[96], size_t max)
{
    const pw_vocab *v = c->d->vocab;
    size_t made = 0;
    for (uint32_t i = 0; i < pw_vocab_size(v) && made < max; i += 7) {
        const char *t = pw_vocab_entry_at(v, i)->term;
        const char *sp = strchr(t, ' ');
        if (!sp || strlen(t) > 80)
            continue;
        snprintf(a[made], 96, "about %.*s", (int)(sp - t), t);
        const pw_vocab_match *m = NULL;
        size_t nm = 0;
        if (pw_vocab_scan_raw(v, c->s->vocab, a[made], strlen(a[made]), &m, &nm, NULL) != PW_OK ||
            nm == 0 || m[nm - 1].end != strlen(a[made]))
            continue; /* the first word alone is no term */
        snprintf(b[made], 96, "%s today", sp + 1);
        made++;
    }
    return made;
}

static char cut_a[400][96], cut_b[400][96];
static size_t n_cuts; /* made once, with the automaton (it can scan raw text) */

static void cut_events(dt_ctx *c, tally *t)
{
    char(*a)[96] = cut_a, (*b)[96] = cut_b;
    if (!n_cuts)
        n_cuts = term_cuts(c, a, b, 400);
    size_t n = n_cuts;
    CHECK(n >= 50);
    static const pw_field_type types[] = {PW_FT_TEXT, PW_FT_FORM_VALUE, PW_FT_JSON_VALUE};
    for (size_t i = 0; i < n; i++) {
        pw_field_type ty = types[i % 3];
        pw_detect_field f[] = {{NULL, a[i], strlen(a[i]), ty, PW_OBJECT_UNKNOWN, NULL, 0},
                               {NULL, b[i], strlen(b[i]), ty, PW_OBJECT_UNKNOWN, NULL, 0}};
        check_event(c, f, 2, t);
    }
    static const char *const ident[][2] = {
        {"call 617-555", "0123 now"},
        {"SSN 123-45", "-6789"},
        {"jane.doe@", "example.com"},
        {"DOB 03/14/", "1985"},
        {"MRN 0012", "3456"},
        {"4111 1111 1111", "1111"},
        {"192.168.", "1.20"},
        {"Patient name: Jane", "Doe"},
        {"12 Main", "Street, Boston MA 02115"},
        {"0123456789abcdef0123456789abcdef", "0"},
    };
    for (size_t i = 0; i < sizeof ident / sizeof ident[0]; i++)
        for (int ty = 0; ty < 5; ty++) {
            pw_detect_field f[] = {{"dob", ident[i][0], strlen(ident[i][0]), (pw_field_type)ty,
                                    PW_OBJECT_UNKNOWN, NULL, 0},
                                   {NULL, ident[i][1], strlen(ident[i][1]), (pw_field_type)ty,
                                    PW_OBJECT_UNKNOWN, NULL, 0}};
            check_event(c, f, 2, t);
        }
}

static void run_backend(const char *backend, const pw_canary *can, size_t n_can)
{
    setenv("PHIWALL_VOCAB_BACKEND", backend, 1);
    dt_ctx c;
    CHECK(dt_open(&c, can, n_can));
    tally t = {0};
    random_events(&c, 3000, &t);
    cut_events(&c, &t);
    fprintf(stderr, "%s%s: %zu events, %zu fields, %zu hits, %zu mismatches, %zu by kind\n",
            backend, n_can ? " +canaries" : "", t.events, t.fields, t.hits, t.mismatches,
            t.by_kind);
    CHECK_INT((long)t.mismatches, 0);
    CHECK(t.by_kind >= 10); /* the kinds change some fields' hits: the event must pass them */
    CHECK(t.events >= 3000 && t.hits >= 10000); /* not vacuous */
    dt_close(&c);
    unsetenv("PHIWALL_VOCAB_BACKEND");
}

static void test_ac(void)
{
    run_backend("ac", NULL, 0);
}

static void test_ac_canaries(void)
{
    static const pw_canary can[] = {{"email", "jane.doe@example.com", PW_CANARY_EMAIL},
                                    {"phone", "617-555-0123", PW_CANARY_PHONE},
                                    {"first name", "Maria", PW_CANARY_NAME}};
    run_backend("ac", can, 3);
}

static void test_hyperscan(void)
{
    run_backend("hyperscan", NULL, 0);
}

static void setup(void)
{
    load("event_rows.tsv");
    load("heldout.tsv");
    CHECK(R.n > 1500);
}

static void teardown(void)
{
    for (size_t i = 0; i < R.n; i++)
        free(R.r[i].key), free(R.r[i].text);
    free(R.r);
}

PW_TEST_MAIN(PW_TEST(setup), PW_TEST(test_ac), PW_TEST(test_ac_canaries), PW_TEST(test_hyperscan),
             PW_TEST(teardown))
