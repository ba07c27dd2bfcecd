/*
 * context_index.h — the look-back's word groups by length (context.c, pw_ctx_before): which
 * entries of a last letter's group have a given length, so the look-back compares only those.
 */
#ifndef PW_DETECT_CONTEXT_INDEX_H
#define PW_DETECT_CONTEXT_INDEX_H

#include <stdint.h>

/* Lengths 0..PW_CTX_INDEX_LEN - 1: longer than every word of the groups ("socialsecuritynumber").
 */
#define PW_CTX_INDEX_LEN 21

/* Bit x of [letter - 'a'][len]: entry x of the words ending in that letter has len letters. */
extern const uint32_t pw_ctx_before_index[26][PW_CTX_INDEX_LEN];

/* Bit x of [letter - 'a']: the look-back's filler word x ("is", "number" …) ends in that letter. */
extern const uint32_t pw_ctx_filler_index[26];

/* 1 when pw_ctx_before_index and pw_ctx_filler_index match the word groups (and every group fits
 * it). */
int pw_ctx_index_ok(void);

/* The indexes as the word groups and fillers give them (to write the table out again after a word
 * change). */
void pw_ctx_index_build(uint32_t out[26][PW_CTX_INDEX_LEN], uint32_t fill[26]);

#endif
