/*
 * test_vocab_raw.c — pw_vocab_scan_raw (the automaton splits raw text into words itself) gives
 * exactly the matches of pw_vocab_scan on the normalised text (lower case, one space between
 * words, camelCase runs split), mapped back to raw spans: on a seeded text of terms written as
 * slugs, camelCase, PascalCase, upper case, glued to digits, between unknown words, long
 * letter runs and stray bytes; with the embedded automaton and with one built at runtime from a
 * user file; and on hand-picked strings whose hits are known.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/vocab.h"
#include "pw_test.h"
#include "vocab_ref_norm.h"

static uint64_t rng_state = 0x2545f4914f6cdd1dull;

static uint32_t rnd(uint32_t n)
{
    return pw_test_rnd(&rng_state, n);
}

/* Append a term the way pages and URLs spell it. */
static void put_term(char *buf, size_t *len, size_t cap, const char *t)
{
    int style = (int)rnd(6), up_next = style == 3;
    for (const char *p = t; *p && *len < cap; p++) {
        char c = *p;
        if (c == ' ') {
            if (style == 2 || style == 3) { /* camelCase / PascalCase: no separator */
                up_next = 1;
                continue;
            }
            c = style == 1 ? '-' : ' ';
        } else if (style == 4 || (up_next && c >= 'a' && c <= 'z')) {
            c = c >= 'a' && c <= 'z' ? (char)(c - 32) : c;
            up_next = 0;
        }
        buf[(*len)++] = c;
    }
}

static void put_str(char *buf, size_t *len, size_t cap, const char *s)
{
    for (; *s && *len < cap; s++)
        buf[(*len)++] = *s;
}

static void put_piece(const pw_vocab *v, char *buf, size_t *len, size_t cap)
{
    static const char *const words[] = {
        "the",     "and",        "2",
        "x",       "HIVTesting", "ABCDEFGHIJ",
        "iPhone",  "PrEP",       "abcdefghijklmnopqrstuvwxyzabcdefghijklmnop",
        "Covid19", "MRI",        "ofThe",
        "careTeam"};
    static const char *const seps[] = {" ", " ", "-", "/", "_", "%20", ", ", "\xc3\xa9", "  ", ""};
    switch (rnd(4)) {
    case 0:
    case 1:
        put_term(buf, len, cap, pw_vocab_entry_at(v, rnd((uint32_t)pw_vocab_size(v)))->term);
        break;
    case 2: put_str(buf, len, cap, words[rnd(sizeof words / sizeof words[0])]); break;
    default: {
        char junk[3] = {(char)(1 + rnd(255)), (char)('0' + rnd(10)), 0};
        put_str(buf, len, cap, junk);
    }
    }
    put_str(buf, len, cap, seps[rnd(sizeof seps / sizeof seps[0])]);
}

/* Raw and normalised scans of text agree; returns the number of matches. */
static size_t agree(const pw_vocab *v, const char *text, size_t n)
{
    pw_vocab_scratch *s = NULL;
    pw_arena a;
    pw_arena_init(&a, 0);
    CHECK_INT(pw_vocab_scratch_new(v, &s, NULL), PW_OK);
    char *norm = malloc(2 * n + 2);
    uint32_t *map = malloc((2 * n + 2) * sizeof *map);
    size_t nn = vocab_ref_normalise(v, text, n, norm, map), nm = 0, nr = 0;
    pw_vocab_match *m = NULL;
    const pw_vocab_match *r = NULL;
    CHECK_INT(pw_vocab_scan(v, s, &a, norm, nn, &m, &nm, NULL), PW_OK);
    CHECK_INT(pw_vocab_scan_raw(v, s, text, n, &r, &nr, NULL), PW_OK);
    CHECK_INT(nr, nm);
    for (size_t i = 0; i < nm && i < nr; i++) {
        size_t start = map[m[i].start], end = map[m[i].end - 1] + 1;
        if (r[i].start != start || r[i].end != end || r[i].entry != m[i].entry) {
            fprintf(stderr, "match %zu differs: raw [%zu,%zu) '%s', normalised [%zu,%zu) '%s'\n", i,
                    r[i].start, r[i].end, pw_vocab_entry_at(v, r[i].entry)->term, start, end,
                    pw_vocab_entry_at(v, m[i].entry)->term);
            CHECK(0);
            break;
        }
    }
    free(norm);
    free(map);
    pw_vocab_scratch_free(s);
    pw_arena_free(&a);
    return nm;
}

static void random_text_agrees(const pw_vocab *v, size_t cap)
{
    size_t len = 0;
    char *text = malloc(cap);
    while (len < cap)
        put_piece(v, text, &len, cap);
    CHECK(agree(v, text, len) > 1000);
    /* Short fields: many scans, each from a fresh automaton state. */
    for (size_t off = 0; off + 64 < len && off < 200000; off += 61)
        agree(v, text + off, 20 + off % 44);
    free(text);
}

static void test_embedded_raw_equals_normalised(void)
{
    pw_vocab_opts o = {.backend = PW_VOCAB_BACKEND_AC};
    pw_vocab *v = NULL;
    CHECK_INT(pw_vocab_new_opts(&o, &v, NULL), PW_OK);
    if (v)
        random_text_agrees(v, 1u << 20);
    pw_vocab_free(v);
}

static void test_runtime_raw_equals_normalised(void)
{
    static const char extra[] = "zorbitol\t-\tmedication\t-\tnormal\tclinical\n"
                                "care team of the\t-\tgeneric\t-\tnormal\tlay\n";
    pw_vocab_opts o = {
        .backend = PW_VOCAB_BACKEND_AC, .user_data = extra, .user_len = sizeof extra - 1};
    pw_vocab *v = NULL;
    CHECK_INT(pw_vocab_new_opts(&o, &v, NULL), PW_OK);
    if (v)
        random_text_agrees(v, 1u << 18);
    pw_vocab_free(v);
}

/* The term that matches at raw span [start, end) of text, or NULL. */
static const char *term_at(const pw_vocab *v, const char *text, size_t start, size_t end)
{
    pw_vocab_scratch *s = NULL;
    const pw_vocab_match *r = NULL;
    size_t nr = 0;
    const char *found = NULL;
    CHECK_INT(pw_vocab_scratch_new(v, &s, NULL), PW_OK);
    CHECK_INT(pw_vocab_scan_raw(v, s, text, strlen(text), &r, &nr, NULL), PW_OK);
    for (size_t i = 0; i < nr; i++)
        if (r[i].start == start && r[i].end == end)
            found = pw_vocab_entry_at(v, r[i].entry)->term;
    pw_vocab_scratch_free(s);
    return found;
}

static void test_known_spans(void)
{
    pw_vocab_opts o = {.backend = PW_VOCAB_BACKEND_AC};
    pw_vocab *v = NULL;
    CHECK_INT(pw_vocab_new_opts(&o, &v, NULL), PW_OK);
    if (!v)
        return;
    const char *t = term_at(v, "/conditions/breastCancerTreatment", 12, 33);
    CHECK(t && strcmp(t, "breast cancer treatment") == 0);
    t = term_at(v, "BREAST-CANCER", 0, 13);
    CHECK(t && strcmp(t, "breast cancer") == 0);
    t = term_at(v, "PrEP", 0, 4); /* short runs stay whole */
    CHECK(t && strcmp(t, "prep") == 0);
    CHECK(term_at(v, "xbreast cancer", 0, 14) == NULL); /* whole words only */
    pw_vocab_free(v);
}

/* The Hyperscan back end has no raw scan: the caller normalises. */
static void test_hyperscan_refuses(void)
{
    pw_vocab_opts o = {.backend = PW_VOCAB_BACKEND_HYPERSCAN};
    pw_vocab *v = NULL;
    if (pw_vocab_new_opts(&o, &v, NULL) != PW_OK) {
        printf("skipped: no Hyperscan in this build\n");
        return;
    }
    pw_vocab_scratch *s = NULL;
    const pw_vocab_match *r = NULL;
    size_t nr = 0;
    CHECK_INT(pw_vocab_scratch_new(v, &s, NULL), PW_OK);
    CHECK_INT(pw_vocab_scan_raw(v, s, "hiv", 3, &r, &nr, NULL), PW_ERR_UNSUPPORTED);
    pw_vocab_scratch_free(s);
    pw_vocab_free(v);
}

PW_TEST_MAIN(PW_TEST(test_embedded_raw_equals_normalised),
             PW_TEST(test_runtime_raw_equals_normalised), PW_TEST(test_known_spans),
             PW_TEST(test_hyperscan_refuses))
