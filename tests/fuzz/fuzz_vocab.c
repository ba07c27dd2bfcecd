/*
 * fuzz_vocab.c — the health vocabulary on arbitrary bytes. First byte even: scan the rest with
 * the built-in vocabulary on both back ends; they must agree, every match must lie inside the
 * input on word boundaries and spell its entry's term (ASCII case-insensitively). First byte
 * odd: the rest is a user TSV file; it must parse or fail with a "name:line:" message, and a
 * vocabulary built from it must keep the same match properties on the input itself. The raw
 * scan (the automaton splits the bytes into words itself, camelCase included) must give the
 * matches of the scan of the normalised text, mapped back; with '\n' as a field separator, no
 * match may hold one.
 */
#include <stdlib.h>
#include <string.h>

#include "../../src/detect/vocab.h"
#include "pw_fuzz.h"
#include "../unit/vocab_ref_norm.h"

static void check_matches(const pw_vocab *v, const char *t, size_t n, const pw_vocab_match *m,
                          size_t k)
{
    for (size_t i = 0; i < k; i++) {
        FUZZ_ASSERT(m[i].start < m[i].end && m[i].end <= n);
        FUZZ_ASSERT(i == 0 || m[i].start > m[i - 1].start);
        FUZZ_ASSERT(m[i].start == 0 || !vocab_ref_word_byte((unsigned char)t[m[i].start - 1]));
        FUZZ_ASSERT(m[i].end == n || !vocab_ref_word_byte((unsigned char)t[m[i].end]));
        const pw_vocab_entry *e = pw_vocab_entry_at(v, m[i].entry);
        FUZZ_ASSERT(e && strlen(e->term) == m[i].end - m[i].start);
        for (size_t j = 0; j < m[i].end - m[i].start; j++) {
            unsigned char c = (unsigned char)t[m[i].start + j];
            FUZZ_ASSERT((c >= 'A' && c <= 'Z' ? c + 32 : c) == (unsigned char)e->term[j]);
        }
    }
}

static size_t scan(const pw_vocab *v, pw_arena *a, const char *t, size_t n, pw_vocab_match **m)
{
    pw_vocab_scratch *s = NULL;
    size_t k = 0;
    FUZZ_ASSERT(pw_vocab_scratch_new(v, &s, NULL) == PW_OK);
    FUZZ_ASSERT(pw_vocab_scan(v, s, a, t, n, m, &k, NULL) == PW_OK);
    pw_vocab_scratch_free(s);
    check_matches(v, t, n, *m, k);
    return k;
}

static void compare(const pw_vocab *x, const pw_vocab *y, const char *t, size_t n)
{
    pw_arena a;
    pw_arena_init(&a, 0);
    pw_vocab_match *mx, *my;
    size_t kx = scan(x, &a, t, n, &mx);
    if (y) {
        size_t ky = scan(y, &a, t, n, &my);
        FUZZ_ASSERT(kx == ky);
        for (size_t i = 0; i < kx; i++)
            FUZZ_ASSERT(mx[i].start == my[i].start && mx[i].end == my[i].end &&
                        mx[i].entry == my[i].entry);
    }
    pw_arena_free(&a);
}

/* Raw scan == normalised scan mapped back; the separator scan keeps matches off '\n'. */
static void compare_raw(const pw_vocab *v, const char *t, size_t n)
{
    pw_vocab_scratch *s = NULL;
    pw_arena a;
    pw_arena_init(&a, 0);
    FUZZ_ASSERT(pw_vocab_scratch_new(v, &s, NULL) == PW_OK);
    char *norm = malloc(2 * n + 2);
    uint32_t *map = malloc((2 * n + 2) * sizeof *map);
    FUZZ_ASSERT(norm && map);
    size_t nn = vocab_ref_normalise(v, t, n, norm, map), nm = 0, nr = 0;
    pw_vocab_match *m = NULL;
    const pw_vocab_match *r = NULL;
    FUZZ_ASSERT(pw_vocab_scan(v, s, &a, norm, nn, &m, &nm, NULL) == PW_OK);
    FUZZ_ASSERT(pw_vocab_scan_raw(v, s, t, n, &r, &nr, NULL) == PW_OK);
    FUZZ_ASSERT(nr == nm);
    for (size_t i = 0; i < nm; i++)
        FUZZ_ASSERT(r[i].start == map[m[i].start] && r[i].end == map[m[i].end - 1] + 1 &&
                    r[i].entry == m[i].entry);
    FUZZ_ASSERT(pw_vocab_scan_raw_sep(v, s, t, n, '\n', &r, &nr, NULL) == PW_OK);
    for (size_t i = 0; i < nr; i++)
        FUZZ_ASSERT(r[i].end <= n && !memchr(t + r[i].start, '\n', r[i].end - r[i].start));
    free(norm);
    free(map);
    pw_vocab_scratch_free(s);
    pw_arena_free(&a);
}

static void fuzz_scan(const char *t, size_t n)
{
    static pw_vocab *ac, *hs;
    static int ready;
    if (!ready) {
        pw_vocab_opts o = {.backend = PW_VOCAB_BACKEND_AC};
        FUZZ_ASSERT(pw_vocab_new_opts(&o, &ac, NULL) == PW_OK);
        o.backend = PW_VOCAB_BACKEND_HYPERSCAN;
        if (pw_vocab_new_opts(&o, &hs, NULL) != PW_OK)
            hs = NULL;
        ready = 1;
    }
    compare(ac, hs, t, n);
    compare_raw(ac, t, n);
}

static void fuzz_user_file(const char *t, size_t n)
{
    pw_vocab_opts o = {.user_data = t,
                       .user_len = n,
                       .user_name = "u.tsv",
                       .backend = PW_VOCAB_BACKEND_AC,
                       .no_builtin = 1};
    pw_vocab *ac = NULL, *hs = NULL;
    pw_err err = {0};
    pw_status st = pw_vocab_new_opts(&o, &ac, &err);
    if (st != PW_OK) {
        FUZZ_ASSERT(ac == NULL);
        FUZZ_ASSERT(st == PW_ERR_PARSE ? strncmp(err.msg, "u.tsv:", 6) == 0 : 1);
        return;
    }
    if (n < 512) {
        o.backend = PW_VOCAB_BACKEND_HYPERSCAN;
        if (pw_vocab_new_opts(&o, &hs, NULL) != PW_OK)
            hs = NULL;
    }
    compare(ac, hs, t, n);
    compare_raw(ac, t, n);
    pw_vocab_free(ac);
    pw_vocab_free(hs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const char *t = (const char *)data + 1;
    if (data[0] & 1)
        fuzz_user_file(t, size - 1);
    else
        fuzz_scan(t, size - 1);
    return 0;
}
