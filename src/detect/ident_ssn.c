/*
 * ident_ssn.c — US Social Security numbers: "123-45-6789" / "123 45 6789" by shape with the
 * SSA's never-issued rules (area 000, 666 and 900–999, group 00, serial 0000), and 9 bare digits
 * only where a key or word says "SSN". Order, invoice and tracking numbers are not SSNs.
 */
#include <string.h>

#include "detect/internal.h"

static int ssn_valid(const char *d)
{
    if (memcmp(d, "000", 3) == 0 || memcmp(d, "666", 3) == 0 || d[0] == '9')
        return 0;
    if (memcmp(d + 3, "00", 2) == 0 || memcmp(d + 5, "0000", 4) == 0)
        return 0;
    return 1;
}

/* Parse "ddd-dd-dddd", "ddd dd dddd" or (bare=1) "ddddddddd" at s[i]; end offset or 0. */
static size_t parse_ssn(const char *s, size_t n, size_t i, char d[10], int *bare)
{
    if (pw_digits_at(s, n, i) == 9) {
        memcpy(d, s + i, 9);
        *bare = 1;
        return i + 9;
    }
    if (pw_digits_at(s, n, i) != 3 || i + 11 > n)
        return 0;
    char sep = s[i + 3];
    if ((sep != '-' && sep != ' ') || s[i + 6] != sep)
        return 0;
    if (pw_digits_at(s, n, i + 4) != 2 || pw_digits_at(s, n, i + 7) != 4)
        return 0;
    memcpy(d, s + i, 3);
    memcpy(d + 3, s + i + 4, 2);
    memcpy(d + 5, s + i + 7, 4);
    *bare = 0;
    return i + 11;
}

/* The SSN whose digits start at s[i] (a run of run digits): the end to go on from, or 0. */
static size_t ssn_at(pw_scan *sc, const pw_seg *g, size_t i)
{
    const char *s = g->s;
    size_t n = g->n;
    char d[10] = {0};
    int bare = 0;
    size_t end = pw_num_left_ok(s, i) ? parse_ssn(s, n, i, d, &bare) : 0;
    if (!end || !pw_num_right_ok(s, n, end) || !ssn_valid(d))
        return 0;
    pw_ctx ctx = pw_ctx_at(g, i);
    int has_ctx = ctx == PW_CTX_SSN;
    if ((has_ctx || !bare) && ctx != PW_CTX_NEGATIVE && ctx != PW_CTX_TIME)
        pw_scan_add(sc, g, i, end, PW_PHI_SSN, "ssn", pw_arena_strdup(sc->a, d),
                    has_ctx ? 0.97f : 0.9f, has_ctx ? PW_REASON_CONTEXT : PW_REASON_PATTERN,
                    has_ctx ? "ssn context" : "ssn shape");
    return end;
}

/* pw_ident_ssn on a segment of at most 64 bytes with masks: only the digit runs of 9 or 3 (where
 * parse_ssn can start), their lengths from the digit mask. */
static void ssn_word(pw_scan *sc, const pw_seg *g, const pw_seg_masks *m)
{
    uint64_t d = pw_mask(m, PW_MK_DIGIT, 0);
    for (uint64_t cand = pw_run_starts(d); cand;) {
        size_t i = (size_t)__builtin_ctzll(cand);
        cand &= cand - 1;
        size_t run = pw_run_len(d, i);
        if (run != 9 && run != 3)
            continue;
        size_t end = ssn_at(sc, g, i);
        if (end)
            cand &= end < 64 ? ~(uint64_t)0 << end : 0;
    }
}

void pw_ident_ssn(pw_scan *sc, const pw_seg *g)
{
    const char *s = g->s;
    size_t n = g->n;
    if (g->sum && !(g->sum->runs & (PW_RUN(9) | PW_RUN(3))))
        return; /* parse_ssn starts at a run of 9 digits, or of 3 ("123-45-6789") */
    const pw_seg_masks *m = g->sum ? g->sum->masks : NULL;
    if (m && m->words == 1) {
        ssn_word(sc, g, m);
        return;
    }
    pw_cand_iter ci;
    for (size_t i = pw_cand_first(&ci, g, PW_CAND_RUN); i < n; i = pw_cand_from(&ci, i + 1)) {
        if (!pw_isdigit((unsigned char)s[i]))
            continue;
        size_t run = pw_digits_at(s, n, i);
        size_t end = ssn_at(sc, g, i);
        if (end) {
            i = end - 1;
            continue;
        }
        i += run - 1;
    }
}
