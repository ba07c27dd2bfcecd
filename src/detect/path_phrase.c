/*
 * path_phrase.c — URL mode: vocabulary phrases that run across path slugs. pw_scan_url scans
 * each slug on its own, so "/pharmacy/refill" or "/portal/login" would only be "pharmacy" and
 * "portal". Here each run of adjacent path slugs is scanned once more as one phrase (the word
 * splitter already treats '/' as a space), percent-decoded like any segment, for the vocabulary
 * only; a match counts only when it covers a '/' between two slugs, since the matches inside
 * one slug were found already. Spans stay in original offsets through the segment maps.
 */
#include <string.h>

#include "detect/internal.h"

/* 1 if part p holds a letter: a phrase never runs through an ID slug ("/patients/12345/"). A
 * byte >= 0x80 counts: it is part of a letter of another script ("/ko/HIV/검사/"), which the
 * health scan reads as a word. */
static int has_letter(const char *s, const pw_url_part *p)
{
    for (size_t i = p->val_start; i < p->val_end; i++)
        if (pw_isalpha((unsigned char)s[i]) || (unsigned char)s[i] >= 0x80)
            return 1;
    return 0;
}

/* 1 if parts a and b are path slugs with letters and nothing but '/' between them. */
static int adjacent(const char *s, const pw_url_part *a, const pw_url_part *b)
{
    if (a->kind != PW_UPART_PATH || b->kind != PW_UPART_PATH || b->val_start <= a->val_end)
        return 0;
    for (size_t i = a->val_end; i < b->val_start; i++)
        if (s[i] != '/')
            return 0;
    return has_letter(s, a) && has_letter(s, b);
}

/* The run's bytes as one segment, decoded layer by layer (plus stays plus in a path). */
static pw_seg run_segment(pw_scan *sc, const pw_seg *g, size_t from, size_t to)
{
    pw_seg t = pw_seg_sub(g, from, to);
    t.key = NULL;
    t.key_n = 0;
    t.ctx = PW_CTX_NONE;
    t.in_url = 1;
    t.in_query = 0;
    t.sum = NULL;
    pw_seg dec;
    for (int layer = 0; layer < PW_DETECT_MAX_LAYERS && memchr(t.s, '%', t.n); layer++) {
        if (!pw_seg_pct_decode(sc->a, &t, 0, &dec)) {
            if (pw_has_pct_escape(
                    t.s, t.n)) /* out of memory: this scan's "no phrase" is not remembered */
                sc->degraded = 1;
            break;
        }
        t = dec;
    }
    return t;
}

/* The word of s[lo..hi) that ends last before p (dir < 0) or starts first at or after p
 * (dir > 0), as the vocabulary splits words (letter/digit runs, camelCase breaks); its length,
 * 0 when there is none. */
static size_t word_next_to(const char *s, size_t lo, size_t hi, size_t p, int dir, size_t *at)
{
    size_t b = p, e = p;
    if (dir < 0) {
        while (e > lo && !pw_isalnum((unsigned char)s[e - 1]))
            e--;
        for (b = e; b > lo && pw_isalnum((unsigned char)s[b - 1]); b--)
            ;
    } else {
        while (b < hi && !pw_isalnum((unsigned char)s[b]))
            b++;
        for (e = b; e < hi && pw_isalnum((unsigned char)s[e]); e++)
            ;
    }
    size_t from = b, to = e, run_len = e - b;
    for (size_t k = run_len >= PW_VOCAB_CAMEL_MIN ? b + 1 : e; k < e; k++) {
        if (!pw_isupper((unsigned char)s[k]))
            continue;
        if (!pw_vocab_camel_break(s + b, run_len, k - b, run_len))
            continue;
        if (dir < 0)
            from = k;
        else if (to == e)
            to = k;
    }
    *at = from;
    return to - from;
}

/* 1 if s[0..n) holds a byte >= 0x80: a word of another script (Arabic, Cyrillic, Hangul, CJK)
 * that the health scan reads as a token of its own, which word_next_to does not see. */
static int has_high_byte(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] >= 0x80)
            return 1;
    return 0;
}

/* 1 if the word of n bytes is one the vocabulary's word splitters cut between its letters and
 * digits ("cancer2024" -> "cancer" "2024"): its piece beside the cut is not the word read here. */
static int digit_cut_word(const char *w, size_t n)
{
    return pw_vocab_digit_cut(w, n) != 0;
}

/* 1 if a vocabulary match may cover a cut between parts [first, last]: such a match holds the
 * word just before the cut's '/' and the word just after it, in a row, which the vocabulary can
 * rule out for most slugs ("/careers/nursing") without a scan. Percent-escapes change the words
 * once decoded, words of other scripts are the health scan's own tokens and a word cut between
 * letters and digits is read in pieces: then always 1 (review10b: "/ko/HIV/검사/" and
 * "/breast/cancer2024" lost their cross-slug terms). */
static int may_cross(const pw_scan *sc, const pw_seg *g, const pw_url_part *parts, size_t first,
                     size_t last)
{
    const char *s = g->s;
    size_t lo = parts[first].val_start, hi = parts[last].val_end;
    if (memchr(s + lo, '%', hi - lo) || has_high_byte(s + lo, hi - lo))
        return 1;
    /* engine-url7: the answer depends on the run's bytes alone (its cuts are its '/' runs, its
     * words are read inside it) and the vocabulary: a run found before to be crossed by no
     * phrase ("/conditions/breast-cancer" in every request of a page) is not looked at again */
    uint64_t hash;
    if (pw_seg_memo_run_quiet(sc, s + lo, hi - lo, &hash))
        return 0;
    for (size_t k = first; k < last; k++) {
        size_t p = parts[k].val_end, a, b;
        size_t an = word_next_to(s, lo, hi, p, -1, &a), bn = word_next_to(s, lo, hi, p, 1, &b);
        if (an == 0 || bn == 0 || digit_cut_word(s + a, an) || digit_cut_word(s + b, bn) ||
            pw_vocab_may_join(sc->d->vocab, s, g->n, a, an, b, bn))
            return 1;
    }
    pw_seg_memo_run_put(sc, s + lo, hi - lo, hash);
    return 0;
}

/* Scan parts [first, last] (adjacent slugs, last > first) as one phrase. */
static void scan_run(pw_scan *sc, const pw_seg *g, const pw_url_part *parts, size_t first,
                     size_t last)
{
    if (!may_cross(sc, g, parts, first, last))
        return;
    size_t cuts[PW_URL_MAX_PARTS], nc = 0, end = 0;
    for (size_t k = first; k < last && nc < PW_URL_MAX_PARTS; k++)
        pw_seg_span(g, parts[k].val_end, parts[k].val_end + 1, &cuts[nc++], &end);
    pw_seg t = run_segment(sc, g, parts[first].val_start, parts[last].val_end);
    pw_health_scan_across(sc, &t, cuts, nc);
}

void pw_scan_path_phrases(pw_scan *sc, const pw_seg *g, const pw_url_part *parts, size_t np)
{
    size_t i = 0;
    while (i < np && sc->st == PW_OK) {
        if (parts[i].kind != PW_UPART_PATH) { /* a query's parameters: no run starts there */
            i++;
            continue;
        }
        size_t j = i;
        while (j + 1 < np && adjacent(g->s, &parts[j], &parts[j + 1]))
            j++;
        if (j > i)
            scan_run(sc, g, parts, i, j);
        i = j + 1;
    }
}
