/*
 * ident_card.c — payment card numbers: 13–19 digits, plain or grouped by one consistent space
 * or dash, with a known issuer prefix and a valid Luhn check digit. Pixel and click IDs under
 * keys like "id" or "fbp" are never cards.
 */
#include <string.h>

#include "detect/internal.h"

/* 1: a known issuer prefix and length; 2: one that also needs a card word; 0: neither. */
static int known_prefix(const char *d, size_t n)
{
    int two = (d[0] - '0') * 10 + (d[1] - '0');
    int four = two * 100 + (d[2] - '0') * 10 + (d[3] - '0');
    if (d[0] == '4')
        return n == 13 || n == 16 || n == 19;
    if ((two >= 51 && two <= 55) || (four >= 2221 && four <= 2720))
        return n == 16;
    if (two == 34 || two == 37)
        return n == 15;
    if (four == 6011 || two == 65 || (four >= 6440 && four <= 6499))
        return n >= 16;
    if (two == 35)
        return n >= 16;
    if (two == 36 || two == 38 || two == 30)
        return n >= 14;
    if (four == 2131 || four == 1800) /* older 15-digit JCB: only after a card word */
        return n == 15 ? 2 : 0;
    if (two == 50 || (two >= 56 && two <= 69)) /* Maestro, 12–19 digits: only after a card word */
        return n >= 12 ? 2 : 0;
    return 0;
}

/* Collect digits at s[i] grouped by one separator; end offset, digits in d. */
static size_t collect(const char *s, size_t n, size_t i, char *d, size_t *nd)
{
    size_t p = i, k = 0, end = i;
    char sep = 0;
    while (p < n && k < 19) {
        size_t run = pw_digits_at(s, n, p);
        if (run == 0 || k + run > 19)
            break;
        memcpy(d + k, s + p, run);
        k += run;
        p += run;
        end = p;
        if (p + 1 < n && (s[p] == ' ' || s[p] == '-') && pw_isdigit((unsigned char)s[p + 1]) &&
            (!sep || s[p] == sep) && run >= 3) {
            sep = s[p];
            p++;
            continue;
        }
        break;
    }
    *nd = k;
    return end;
}

/* The card number whose first digit run starts at s[i] (run digits, i passes pw_num_left_ok):
 * its end once collected with a known prefix and a valid Luhn digit (reported or not), else 0. */
static size_t card_at(pw_scan *sc, const pw_seg *g, size_t i)
{
    const char *s = g->s;
    size_t n = g->n;
    char d[20];
    size_t nd = 0, end = collect(s, n, i, d, &nd);
    int prefix = nd >= 12 && pw_num_right_ok(s, n, end) ? known_prefix(d, nd) : 0;
    if (!prefix || !pw_luhn_ok(d, nd))
        return 0;
    pw_ctx ctx = pw_ctx_at(g, i);
    /* wide prefixes, and numbers in URL path slugs (pixel IDs), need a card word */
    int need_ctx = prefix == 2 || (g->in_url && !g->in_query);
    /* A number written in groups ("4539 1488 0343 6467") is written as a card: a word such as
     * "order" before it does not make it an order number, as it does a plain digit run. */
    int grouped = end - i > nd;
    int negative = ctx == PW_CTX_NEGATIVE && !grouped;
    if (!negative && ctx != PW_CTX_TIME && (!need_ctx || ctx == PW_CTX_CARD))
        pw_scan_add(sc, g, i, end, PW_PHI_CARD, "card", pw_arena_strndup(sc->a, d, nd), 0.95f,
                    PW_REASON_CHECKSUM, "luhn");
    return end;
}

/* A card may start at a digit run of run digits: 12 or more, or a group of 2-6. */
static int card_run_ok(size_t run)
{
    return run >= 12 || (run >= 2 && run <= 6);
}

/* pw_ident_card on a segment of at most 64 bytes with masks: digit runs from the digit mask, and
 * collect only with 12 digits from the run on. */
static void card_word(pw_scan *sc, const pw_seg *g, const pw_seg_masks *m)
{
    uint64_t d = pw_mask(m, PW_MK_DIGIT, 0);
    for (uint64_t cand = pw_run_starts(d); cand;) {
        size_t i = (size_t)__builtin_ctzll(cand);
        cand &= cand - 1;
        size_t run = pw_run_len(d, i);
        if (!card_run_ok(run) || pw_popcount64(d >> i) < 12 || !pw_num_left_ok(g->s, i))
            continue;
        size_t end = card_at(sc, g, i);
        if (end)
            cand &= end < 64 ? ~(uint64_t)0 << end : 0;
    }
}

void pw_ident_card(pw_scan *sc, const pw_seg *g)
{
    const char *s = g->s;
    size_t n = g->n;
    const pw_seg_masks *m = g->sum ? g->sum->masks : NULL;
    if (m && m->words == 1) {
        card_word(sc, g, m);
        return;
    }
    pw_cand_iter ci;
    for (size_t i = pw_cand_first(&ci, g, PW_CAND_RUN); i < n; i = pw_cand_from(&ci, i + 1)) {
        if (!pw_isdigit((unsigned char)s[i]))
            continue;
        size_t run = pw_digits_at(s, n, i);
        if (!pw_num_left_ok(s, i) || !card_run_ok(run)) {
            i += run - 1;
            continue;
        }
        size_t end = card_at(sc, g, i);
        if (end) {
            i = end - 1;
            continue;
        }
        i += run - 1;
    }
}
