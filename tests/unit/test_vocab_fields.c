/*
 * test_vocab_fields.c — the det-vocab additions to the raw scan: pw_vocab_scan_raw_sep (fields
 * joined by a separator byte give each field exactly its own matches, shifted, and none across
 * two fields; texts long enough to cross the scan's 64-byte blocks with camelCase runs on the
 * block edges), and pw_vocab_may_join (never 0 for two words that follow each other in a term:
 * checked for every multi-word term of the vocabulary; 0 for a word in no term).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/vocab.h"
#include "pw_test.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(uint32_t n)
{
    return pw_test_rnd(&rng_state, n);
}

static void put(char *buf, size_t *len, size_t cap, const char *s)
{
    for (; *s && *len < cap; s++)
        buf[(*len)++] = *s;
}

/* A term written in one of several spellings (slug, camelCase, upper case). */
static void put_term(char *buf, size_t *len, size_t cap, const char *t)
{
    int style = (int)rnd(4), up = style == 2;
    for (; *t && *len < cap; t++) {
        char c = *t;
        if (c == ' ' && style == 1)
            c = '-';
        if (c == ' ' && style >= 2) {
            up = 1;
            continue;
        }
        if ((up || style == 3) && c >= 'a' && c <= 'z')
            c = (char)(c - 32);
        up = 0;
        buf[(*len)++] = c;
    }
}

/* One field: terms, filler words and punctuation, 1..~150 bytes. */
static size_t make_field(const pw_vocab *v, char *buf, size_t cap)
{
    static const char *const fill[] = {
        " ", "-",   "/",     " the ", "2024",
        "_", "%20", "ofThe", "x",     "abcdefghijklmnopqrstuvwxyzabcdefghij"};
    size_t len = 0, pieces = 1 + rnd(6);
    for (size_t p = 0; p < pieces; p++) {
        if (rnd(3))
            put_term(buf, &len, cap, pw_vocab_entry_at(v, rnd((uint32_t)pw_vocab_size(v)))->term);
        put(buf, &len, cap, fill[rnd(sizeof fill / sizeof fill[0])]);
    }
    return len;
}

/* Matches of text[0..n) by pw_vocab_scan_raw, copied. */
static size_t raw_matches(const pw_vocab *v, pw_vocab_scratch *s, const char *text, size_t n,
                          pw_vocab_match *out, size_t cap)
{
    const pw_vocab_match *m = NULL;
    size_t k = 0;
    CHECK_INT(pw_vocab_scan_raw(v, s, text, n, &m, &k, NULL), PW_OK);
    CHECK(k <= cap);
    k = k < cap ? k : cap;
    if (k)
        memcpy(out, m, k * sizeof *m);
    return k;
}

/* Fields joined by sep: the joined scan's matches are the fields' own, shifted. */
static void fields_agree(const pw_vocab *v, pw_vocab_scratch *s, int sep)
{
    enum { FIELDS = 12, CAP = 4096, MAXM = 512 };
    char *joined = malloc(CAP), field[256];
    pw_vocab_match *want = malloc(MAXM * sizeof *want), part[64];
    size_t len = 0, nwant = 0;
    for (int f = 0; f < FIELDS; f++) {
        size_t n = make_field(v, field, sizeof field);
        size_t k = raw_matches(v, s, field, n, part, 64);
        for (size_t i = 0; i < k && nwant < MAXM; i++)
            want[nwant++] = (pw_vocab_match){part[i].start + len, part[i].end + len, part[i].entry};
        memcpy(joined + len, field, n);
        len += n;
        joined[len++] = (char)sep;
    }
    const pw_vocab_match *got = NULL;
    size_t ngot = 0;
    CHECK_INT(pw_vocab_scan_raw_sep(v, s, joined, len, sep, &got, &ngot, NULL), PW_OK);
    CHECK_INT(ngot, nwant);
    for (size_t i = 0; i < ngot && i < nwant; i++)
        if (got[i].start != want[i].start || got[i].end != want[i].end ||
            got[i].entry != want[i].entry) {
            fprintf(stderr, "sep %d match %zu: [%zu,%zu) %u, want [%zu,%zu) %u\n", sep, i,
                    got[i].start, got[i].end, got[i].entry, want[i].start, want[i].end,
                    want[i].entry);
            CHECK(0);
            break;
        }
    free(joined);
    free(want);
}

static void test_separated_fields(void)
{
    pw_vocab_opts o = {.backend = PW_VOCAB_BACKEND_AC};
    pw_vocab *v = NULL;
    pw_vocab_scratch *s = NULL;
    CHECK_INT(pw_vocab_new_opts(&o, &v, NULL), PW_OK);
    CHECK_INT(pw_vocab_scratch_new(v, &s, NULL), PW_OK);
    for (int round = 0; round < 300; round++)
        fields_agree(v, s, round % 3 == 0 ? '\n' : round % 3 == 1 ? 0x1f : 0);
    pw_vocab_scratch_free(s);
    pw_vocab_free(v);
}

/* The term at [start, end) of a scan of text with separator sep (-1: none). */
static int has_match(const pw_vocab *v, pw_vocab_scratch *s, const char *text, int sep,
                     size_t start, size_t end)
{
    const pw_vocab_match *m = NULL;
    size_t k = 0;
    CHECK_INT(pw_vocab_scan_raw_sep(v, s, text, strlen(text), sep, &m, &k, NULL), PW_OK);
    for (size_t i = 0; i < k; i++)
        if (m[i].start == start && m[i].end == end)
            return 1;
    return 0;
}

static void test_separator_breaks_phrases(void)
{
    pw_vocab *v = NULL;
    pw_vocab_scratch *s = NULL;
    CHECK_INT(pw_vocab_new(NULL, &v, NULL), PW_OK);
    CHECK_INT(pw_vocab_scratch_new(v, &s, NULL), PW_OK);
    CHECK(has_match(v, s, "breast\ncancer", -1, 0, 13));    /* any gap joins words… */
    CHECK(!has_match(v, s, "breast\ncancer", '\n', 0, 13)); /* …but a separator */
    CHECK(has_match(v, s, "breast\ncancer", '\n', 7, 13));
    CHECK(has_match(v, s,
                    "breast cancer\x1f"
                    "breast",
                    0x1f, 0, 13));
    const pw_vocab_match *m = NULL;
    size_t k = 0;
    CHECK_INT(pw_vocab_scan_raw_sep(v, s, "hiv", 3, 'a', &m, &k, NULL), PW_ERR_INVALID);
    CHECK_INT(pw_vocab_scan_raw_sep(v, s, "hiv", 3, '7', &m, &k, NULL), PW_ERR_INVALID);
    CHECK_INT(pw_vocab_scan_raw_sep(v, s, "hiv", 3, 256, &m, &k, NULL), PW_ERR_INVALID);
    pw_vocab_scratch_free(s);
    pw_vocab_free(v);
}

/* camelCase runs across the 64-byte blocks of the scan: each block edge position once. */
static void test_block_edges(void)
{
    pw_vocab *v = NULL;
    pw_vocab_scratch *s = NULL;
    CHECK_INT(pw_vocab_new(NULL, &v, NULL), PW_OK);
    CHECK_INT(pw_vocab_scratch_new(v, &s, NULL), PW_OK);
    static const char term[] = "breastCancerTreatment"; /* "breast cancer treatment" */
    char text[200];
    for (size_t pad = 0; pad + sizeof term < sizeof text; pad++) {
        memset(text, '-', pad);
        memcpy(text + pad, term, sizeof term);
        CHECK(has_match(v, s, text, -1, pad, pad + sizeof term - 1));
        text[pad + sizeof term - 1] = 'x'; /* glued to a letter: no whole word */
        text[pad + sizeof term] = '\0';
        CHECK(!has_match(v, s, text, -1, pad, pad + sizeof term - 1));
    }
    pw_vocab_scratch_free(s);
    pw_vocab_free(v);
}

/* Every pair of words that follow each other in a term may join. */
static void test_may_join_has_no_false_no(void)
{
    pw_vocab *v = NULL;
    CHECK_INT(pw_vocab_new(NULL, &v, NULL), PW_OK);
    size_t pairs = 0, bad = 0;
    for (uint32_t i = 0; i < pw_vocab_size(v); i++) {
        const char *t = pw_vocab_entry_at(v, i)->term;
        for (const char *sp = strchr(t, ' '); sp; sp = strchr(sp + 1, ' ')) {
            const char *a = sp, *b = sp + 1, *be = strchr(b, ' ');
            while (a > t && a[-1] != ' ')
                a--;
            size_t bn = be ? (size_t)(be - b) : strlen(b);
            pairs++;
            if (!pw_vocab_may_join(v, t, strlen(t), (size_t)(a - t), (size_t)(sp - a),
                                   (size_t)(b - t), bn))
                bad++;
        }
    }
    CHECK(pairs > 100000);
    CHECK_INT(bad, 0);
    static const char text[] = "Breast/CANCER xyzzyq/cancer";
    CHECK(pw_vocab_may_join(v, text, sizeof text - 1, 0, 6, 7, 6));    /* any case */
    CHECK(!pw_vocab_may_join(v, text, sizeof text - 1, 14, 6, 21, 6)); /* in no term */
    CHECK(pw_vocab_may_join(v, text, 10, 7, 6, 0, 6)); /* past the text: may, by default */
    pw_vocab_free(v);
}

static void test_may_join_hyperscan(void)
{
    pw_vocab_opts o = {.backend = PW_VOCAB_BACKEND_HYPERSCAN};
    pw_vocab *v = NULL;
    if (pw_vocab_new_opts(&o, &v, NULL) != PW_OK) {
        printf("skipped: no Hyperscan in this build\n");
        return;
    }
    CHECK(pw_vocab_may_join(v, "xyzzyq qqqq", 11, 0, 6, 7, 4)); /* cannot tell: may */
    pw_vocab_free(v);
}

/* engine-text8: pw_vocab_scan_raw_masks, given the class masks a caller made (the segment
 * summary's), finds exactly pw_vocab_scan_raw's matches on fields of 1..~600 bytes (one to ten
 * 64-byte words; runs and camelCase breaks across the words' edges); masks shifted by one byte
 * give other matches (the test would see masks that are ignored or read at the wrong word). */
static void masks_of(const char *t, size_t n, uint64_t *alpha, uint64_t *upper, uint64_t *digit)
{
    for (size_t w = 0; w < (n + 63) / 64; w++)
        alpha[w] = upper[w] = digit[w] = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)t[i];
        uint64_t b = (uint64_t)1 << (i & 63);
        if ((c | 32) >= 'a' && (c | 32) <= 'z')
            alpha[i >> 6] |= b;
        if (c >= 'A' && c <= 'Z')
            upper[i >> 6] |= b;
        if (c >= '0' && c <= '9')
            digit[i >> 6] |= b;
    }
}

static void test_raw_masks(void)
{
    pw_vocab_opts o = {.backend = PW_VOCAB_BACKEND_AC};
    pw_vocab *v = NULL;
    pw_vocab_scratch *s = NULL;
    CHECK_INT(pw_vocab_new_opts(&o, &v, NULL), PW_OK);
    CHECK_INT(pw_vocab_scratch_new(v, &s, NULL), PW_OK);
    enum { CAP = 640, W = CAP / 64, MAXM = 256 };
    char text[CAP];
    uint64_t alpha[W], upper[W], digit[W];
    pw_vocab_match want[MAXM];
    size_t differ = 0, matches = 0, shifted_differ = 0;
    for (int round = 0; round < 400; round++) {
        size_t n = 0, fields = 1 + rnd(4 + (uint32_t)(round % 4) * 2);
        for (size_t f = 0; f < fields && n + 160 < CAP; f++)
            n += make_field(v, text + n, CAP - n);
        size_t k = raw_matches(v, s, text, n, want, MAXM);
        masks_of(text, n, alpha, upper, digit);
        const pw_vocab_match *got = NULL;
        size_t ngot = 0;
        CHECK_INT(pw_vocab_scan_raw_masks(v, s, text, n, alpha, upper, digit, &got, &ngot, NULL),
                  PW_OK);
        matches += k;
        int same = ngot == k;
        for (size_t i = 0; same && i < k; i++)
            same = got[i].start == want[i].start && got[i].end == want[i].end &&
                   got[i].entry == want[i].entry;
        differ += !same;
        if (k && n > 1) { /* the masks of text + 1 under text's bytes: not its words */
            masks_of(text + 1, n - 1, alpha, upper, digit);
            CHECK_INT(
                pw_vocab_scan_raw_masks(v, s, text, n - 1, alpha, upper, digit, &got, &ngot, NULL),
                PW_OK);
            int again = ngot == k;
            for (size_t i = 0; again && i < k; i++)
                again = got[i].start == want[i].start && got[i].end == want[i].end;
            shifted_differ += !again;
        }
    }
    CHECK_INT(differ, 0);
    CHECK(matches > 400);
    CHECK(shifted_differ > 100);
    pw_vocab_scratch_free(s);
    pw_vocab_free(v);
}

PW_TEST_MAIN(PW_TEST(test_separated_fields), PW_TEST(test_separator_breaks_phrases),
             PW_TEST(test_block_edges), PW_TEST(test_may_join_has_no_false_no),
             PW_TEST(test_may_join_hyperscan), PW_TEST(test_raw_masks))
