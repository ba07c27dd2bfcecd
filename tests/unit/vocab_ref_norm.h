/*
 * vocab_ref_norm.h — the tests' own reference for the vocabulary's raw scan: the normalised text
 * detect gives the Hyperscan back end (words of ASCII letters and digits, lower case, one space
 * between words and at camelCase breaks), with norm byte -> raw byte. test_vocab_raw and
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

/* out and map hold at least 2 * n bytes / entries; returns the normalised length. */
static inline size_t vocab_ref_normalise(const char *s, size_t n, char *out, uint32_t *map)
{
    size_t o = 0, run_end = 0, run_len = 0;
    int pending_space = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!vocab_ref_word_byte(c)) {
            pending_space = o > 0;
            continue;
        }
        if (i >= run_end) {
            for (run_end = i; run_end < n && vocab_ref_word_byte((unsigned char)s[run_end]);
                 run_end++)
                ;
            run_len = run_end - i;
        }
        if ((pending_space || pw_vocab_camel_break(s, n, i, run_len)) && o > 0) {
            out[o] = ' ';
            map[o++] = (uint32_t)i;
        }
        pending_space = 0;
        out[o] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
        map[o++] = (uint32_t)i;
    }
    return o;
}

#endif
