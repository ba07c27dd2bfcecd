/*
 * vocab_seg.c — run-together words: the fewest known words that make up a run of letters
 * ("hivclinic" -> "hiv" "clinic", "prenatalcare", "breastcancerawareness"). A known word is a
 * word of a vocabulary term with 4 letters or more, or 3 at the start of the run
 * (pw_vocab_has_word, one probe of the word table), or a word of the project's short list of web
 * and compound words (data/vocab/seg/words.txt, generated/seg_words.h). A shortest-path pass over
 * the run's positions: from each position that known words reach, every known word that starts
 * there. Detect reports a term found in such a run only when the whole run splits (health.c), so a
 * word that merely contains a term ("archive", "hivemind", "chemistry") gives nothing.
 */
#include <stdint.h>
#include <string.h>

#include "detect/vocab_ac_lookup.h"
#include "detect/vocab_impl.h"
#include "seg_words.h"

#define PIECE_MAX 24 /* longer words are not looked for inside a run */
#define UNREACHED 0xff

/* 1 if the lower-case w[0..n) is in the project's list: a mask of the lengths listed for its first
 * letter rules out most pieces, the rest are compared with the words of that letter and length
 * only. */
static inline int listed(const char *w, size_t n)
{
    unsigned c = (unsigned)(w[0] - 'a');
    if (n > 30 || !(pw_seg_lens[c] >> n & 1))
        return 0;
    for (unsigned k = pw_seg_from[c]; k < pw_seg_from[c + 1]; k++) {
        if (pw_seg_wlen[k] != n)
            continue;
        const char *x = pw_seg_words[k];
        size_t i = 1; /* the first letters are equal */
        while (i < n && x[i] == w[i])
            i++;
        if (i == n)
            return 1;
    }
    return 0;
}

/* w[0..n) at offset `at` of its run is a known word. A vocabulary word of 3 letters is mostly an
 * abbreviation, and a run's inner letters spell those by chance ("sign" "als" in "signals",
 * "iui" in many a token): only at the start of the run ("hivtesting", "stdtest"). The word table
 * is probed inline (one multiply and a filter bit for most pieces). */
static inline int known(const pw_vocab_ac *ac, const char *w, size_t n, size_t at, size_t avail)
{
    if (listed(w, n))
        return 1;
    return (n >= 4 || (n == 3 && at == 0)) &&
           pw_ac_word_id(ac, (const unsigned char *)w, n, avail - at, at) != 0;
}

size_t pw_vocab_ac_segment(const pw_vocab_ac *ac, const char *s, size_t n, uint8_t *ends,
                           size_t max)
{
    if (!ac || n < 2 || n > PW_VOCAB_SEG_MAX || max == 0)
        return 0;
    char w[PW_VOCAB_SEG_MAX];
    for (size_t i = 0; i < n; i++) {
        unsigned c = (unsigned char)s[i];
        if ((unsigned)((c | 0x20) - 'a') >= 26u)
            return 0; /* letters only */
        w[i] = (char)(c | 0x20);
    }
    if (listed(w, n))
        return 0; /* one listed word ("example", "campaign"): nothing to split */
    uint8_t best[PW_VOCAB_SEG_MAX + 1], from[PW_VOCAB_SEG_MAX + 1];
    memset(best, UNREACHED, n + 1);
    best[0] = 0;
    for (size_t i = 0; i < n; i++) {
        if (best[i] == UNREACHED)
            continue;
        size_t top = n - i < PIECE_MAX ? n - i : PIECE_MAX;
        for (size_t len = 2; len <= top; len++) {
            size_t j = i + len;
            if (best[i] + 1 >= best[j] || !known(ac, w + i, len, i, n))
                continue;
            best[j] = (uint8_t)(best[i] + 1);
            from[j] = (uint8_t)i;
        }
    }
    size_t k = best[n];
    if (k == UNREACHED || k < 2 || k > max)
        return 0;
    for (size_t j = n, p = k; p > 0; j = from[j])
        ends[--p] = (uint8_t)j;
    return k;
}
