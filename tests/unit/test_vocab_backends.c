/*
 * test_vocab_backends.c — the Hyperscan and Aho-Corasick back ends give identical matches: on a
 * large seeded random-ish text built from vocabulary terms, their prefixes, random words,
 * separators, upper-case and stray bytes; with and without a user file that adds and
 * re-classes terms. Skips the comparison when Hyperscan is not in the build.
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

static void put(char *buf, size_t *len, size_t cap, const char *s, size_t n)
{
    if (*len + n > cap)
        n = cap - *len;
    memcpy(buf + *len, s, n);
    *len += n;
}

/* One piece of text: a term (whole, cut short, or upper-cased), a random word or stray bytes. */
static void put_piece(const pw_vocab *v, char *buf, size_t *len, size_t cap)
{
    static const char *const seps[] = {" ", " ", " ", "  ", "-", "/", "\xc3\xa9", ",", "\t"};
    static const char *const words[] = {"the",     "for",     "and",  "care", "new", "hiv1", "ms",
                                        "archive", "cancers", "xhiv", "ivfs", "2",   "s"};
    const pw_vocab_entry *e = pw_vocab_entry_at(v, rnd((uint32_t)pw_vocab_size(v)));
    size_t tl = strlen(e->term), start = *len;
    switch (rnd(6)) {
    case 0:
    case 1: put(buf, len, cap, e->term, tl); break;
    case 2: put(buf, len, cap, e->term, 1 + rnd((uint32_t)tl)); break;
    case 3:
        put(buf, len, cap, e->term, tl);
        for (size_t i = start; i < *len; i++)
            if (rnd(3) == 0 && buf[i] >= 'a' && buf[i] <= 'z')
                buf[i] = (char)(buf[i] - 32);
        break;
    case 4: {
        const char *w = words[rnd(13)];
        put(buf, len, cap, w, strlen(w));
        break;
    }
    default: {
        char junk[4] = {(char)rnd(256), (char)('a' + rnd(26)), (char)rnd(256), 'q'};
        put(buf, len, cap, junk, 1 + rnd(4));
    }
    }
    const char *sep = seps[rnd(9)];
    put(buf, len, cap, sep, strlen(sep));
}

static int match_eq(const pw_vocab_match *x, const pw_vocab_match *y)
{
    return x->start == y->start && x->end == y->end && x->entry == y->entry;
}

static int same_matches(const pw_vocab *a, const pw_vocab *b, const char *text, size_t n)
{
    pw_vocab_scratch *sa = NULL, *sb = NULL;
    pw_arena arena;
    pw_arena_init(&arena, 0);
    pw_vocab_match *ma = NULL, *mb = NULL;
    size_t na = 0, nb = 0;
    CHECK_INT(pw_vocab_scratch_new(a, &sa, NULL), PW_OK);
    CHECK_INT(pw_vocab_scratch_new(b, &sb, NULL), PW_OK);
    CHECK_INT(pw_vocab_scan(a, sa, &arena, text, n, &ma, &na, NULL), PW_OK);
    CHECK_INT(pw_vocab_scan(b, sb, &arena, text, n, &mb, &nb, NULL), PW_OK);
    int same = na == nb;
    for (size_t i = 0; same && i < na; i++)
        same = match_eq(&ma[i], &mb[i]);
    if (!same) {
        fprintf(stderr, "back ends differ: %zu vs %zu matches\n", na, nb);
        for (size_t i = 0; i < na && i < nb; i++)
            if (!match_eq(&ma[i], &mb[i])) {
                fprintf(stderr, "first difference at %zu: [%zu,%zu) '%s' vs [%zu,%zu) '%s'\n", i,
                        ma[i].start, ma[i].end, pw_vocab_entry_at(a, ma[i].entry)->term,
                        mb[i].start, mb[i].end, pw_vocab_entry_at(b, mb[i].entry)->term);
                break;
            }
    }
    CHECK(na > 1000);
    /* Every match sits on word boundaries, ordered by start, one per start. */
    for (size_t i = 0; i < na; i++) {
        CHECK(ma[i].end <= n && ma[i].start < ma[i].end);
        CHECK(i == 0 || ma[i].start > ma[i - 1].start);
    }
    pw_vocab_scratch_free(sa);
    pw_vocab_scratch_free(sb);
    pw_arena_free(&arena);
    return same;
}

static void compare(const char *user_tsv)
{
    pw_vocab_opts o = {.backend = PW_VOCAB_BACKEND_HYPERSCAN};
    if (user_tsv) {
        o.user_data = user_tsv;
        o.user_len = strlen(user_tsv);
    }
    pw_vocab *hs = NULL, *ac = NULL;
    if (pw_vocab_new_opts(&o, &hs, NULL) == PW_ERR_UNSUPPORTED) {
        printf("skipped: no Hyperscan in this build\n");
        return;
    }
    o.backend = PW_VOCAB_BACKEND_AC;
    CHECK_INT(pw_vocab_new_opts(&o, &ac, NULL), PW_OK);
    CHECK(hs && ac);
    if (!hs || !ac)
        return;
    CHECK_INT(pw_vocab_backend_of(hs), PW_VOCAB_BACKEND_HYPERSCAN);
    CHECK_INT(pw_vocab_backend_of(ac), PW_VOCAB_BACKEND_AC);
    size_t cap = 2u << 20, len = 0;
    char *text = malloc(cap);
    while (len < cap)
        put_piece(ac, text, &len, cap);
    CHECK(same_matches(hs, ac, text, len));
    free(text);
    pw_vocab_free(hs);
    pw_vocab_free(ac);
}

static void test_builtin_agree(void)
{
    compare(NULL);
}

static void test_with_user_file_agree(void)
{
    compare("zorbitol\t-\tmedication\t-\tnormal\tclinical\n"
            "heart attack\t-\tsymptom\t-\tnormal\tlay\n"
            "the new care\t-\tgeneric\t-\tnormal\tlay\n"
            "hiv1\t-\tcondition\t-\thigh\tclinical\n");
}

/* The automaton embedded at build time equals one built at runtime from the same table (a user
 * file with a term that never occurs forces the runtime build). No Hyperscan needed. */
static void test_embedded_equals_runtime_ac(void)
{
    static const char extra[] = "zzqxjw\t-\tcondition\t-\tnormal\tclinical\n";
    pw_vocab_opts o = {.backend = PW_VOCAB_BACKEND_AC};
    pw_vocab *embedded = NULL, *runtime = NULL;
    CHECK_INT(pw_vocab_new_opts(&o, &embedded, NULL), PW_OK);
    o.user_data = extra;
    o.user_len = strlen(extra);
    CHECK_INT(pw_vocab_new_opts(&o, &runtime, NULL), PW_OK);
    if (embedded && runtime) {
        size_t cap = 1u << 20, len = 0;
        char *text = malloc(cap);
        while (len < cap)
            put_piece(embedded, text, &len, cap);
        CHECK(same_matches(embedded, runtime, text, len));
        free(text);
    }
    pw_vocab_free(embedded);
    pw_vocab_free(runtime);
}

PW_TEST_MAIN(PW_TEST(test_builtin_agree), PW_TEST(test_with_user_file_agree),
             PW_TEST(test_embedded_equals_runtime_ac))
