/*
 * vocab_seg.c — run-together words: the fewest known words that make up a run of letters
 * ("hivclinic" -> "hiv" "clinic", "prenatalcare", "breastcancerawareness"). A known word is a
 * word of a vocabulary term with 3 letters or more (pw_vocab_has_word, one probe of the word
 * table) or a word of the project's short list of web and compound words
 * (data/vocab/seg/words.txt, generated/seg_words.h). A shortest-path pass over the run's
 * positions: from each position that known words reach, every known word that starts there.
 * Detect reports a term found in such a run only when the whole run splits (health.c), so a
 * word that merely contains a term ("archive", "hivemind", "chemistry") gives nothing.
 */
#include <string.h>

#include "detect/vocab.h"
#include "seg_words.h"

#define SEG_WORDS (sizeof pw_seg_words / sizeof pw_seg_words[0])
#define PIECE_MAX 24 /* longer words are not looked for inside a run */
#define UNREACHED 0xff

/* 1 if the lower-case w[0..n) is in the project's list (sorted: binary search). */
static int listed(const char *w, size_t n)
{
    size_t lo = 0, hi = SEG_WORDS;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const char *x = pw_seg_words[mid];
        int c = strncmp(x, w, n);
        if (c == 0 && x[n] != '\0')
            c = 1; /* x is longer, with w as a prefix */
        if (c == 0)
            return 1;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

static int known(const pw_vocab *v, const char *w, size_t n)
{
    return (n >= 3 && pw_vocab_has_word(v, w, n)) || listed(w, n);
}

size_t pw_vocab_segment(const pw_vocab *v, const char *s, size_t n, uint8_t *ends, size_t max)
{
    if (n < 2 || n > PW_VOCAB_SEG_MAX || max == 0)
        return 0;
    char w[PW_VOCAB_SEG_MAX];
    for (size_t i = 0; i < n; i++) {
        unsigned c = (unsigned char)s[i];
        if ((unsigned)((c | 0x20) - 'a') >= 26u)
            return 0; /* letters only */
        w[i] = (char)(c | 0x20);
    }
    uint8_t best[PW_VOCAB_SEG_MAX + 1], from[PW_VOCAB_SEG_MAX + 1];
    memset(best, UNREACHED, n + 1);
    best[0] = 0;
    for (size_t i = 0; i < n; i++) {
        if (best[i] == UNREACHED)
            continue;
        size_t top = n - i < PIECE_MAX ? n - i : PIECE_MAX;
        for (size_t len = 2; len <= top; len++) {
            size_t j = i + len;
            if (best[i] + 1 >= best[j] || !known(v, w + i, len))
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
