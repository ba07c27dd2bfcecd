/*
 * vocab_ref_norm.h — the tests' own reference for the vocabulary's raw scan: the normalised text
 * detect gives the Hyperscan back end (words of ASCII letters and digits, lower case, one space
 * between words, at camelCase breaks and where a word's letters meet its digits), with norm
 * byte -> raw byte. test_vocab_raw and
 * fuzz_vocab check pw_vocab_scan_raw against a scan of this text mapped back.
 */
#ifndef PW_TEST_VOCAB_REF_NORM_H
#define PW_TEST_VOCAB_REF_NORM_H

#include <stddef.h>
#include <stdint.h>

#include "detect/vocab.h"

static inline int vocab_ref_word_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Write s[from..to) as one lower-case word at *o, after a space unless it is first. */
static inline void vocab_ref_put(const char *s, size_t from, size_t to, char *out, uint32_t *map,
                                 size_t *o)
{
    if (*o > 0) {
        out[*o] = ' ';
        map[(*o)++] = (uint32_t)from;
    }
    for (size_t i = from; i < to; i++) {
        unsigned char c = (unsigned char)s[i];
        out[*o] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
        map[(*o)++] = (uint32_t)i;
    }
}

/* One word, split where its letters and digits meet unless it is a vocabulary word of v
 * ("cancer2024" -> "cancer 2024", "covid19" stays; engine-words). */
static inline void vocab_ref_piece(const pw_vocab *v, const char *s, size_t from, size_t to,
                                   char *out, uint32_t *map, size_t *o)
{
    size_t cut = pw_vocab_digit_cut(s + from, to - from);
    if (cut && !pw_vocab_has_word(v, s + from, to - from)) {
        vocab_ref_put(s, from, from + cut, out, map, o);
        from += cut;
    }
    vocab_ref_put(s, from, to, out, map, o);
}

/* out and map hold at least 2 * n bytes / entries; returns the normalised length. */
static inline size_t vocab_ref_normalise(const pw_vocab *v, const char *s, size_t n, char *out,
                                         uint32_t *map)
{
    size_t o = 0, i = 0;
    while (i < n) {
        if (!vocab_ref_word_byte((unsigned char)s[i])) {
            i++;
            continue;
        }
        size_t end = i;
        while (end < n && vocab_ref_word_byte((unsigned char)s[end]))
            end++;
        size_t from = i;
        for (size_t k = i + 1; k < end; k++)
            if (pw_vocab_camel_break(s, n, k, end - i)) {
                vocab_ref_piece(v, s, from, k, out, map, &o);
                from = k;
            }
        vocab_ref_piece(v, s, from, end, out, map, &o);
        i = end;
    }
    return o;
}

#endif
