/*
 * vocab_impl.h — (internal to the vocabulary) the two matcher back ends behind pw_vocab_scan:
 * a word-level Aho-Corasick automaton (portable, vocab_ac.c) and Hyperscan literal databases
 * (vocab_hs.c). Both report every whole-word occurrence of every term into a pw_vocab_sink;
 * vocab.c sorts and keeps the longest match at each start.
 */
#ifndef PHIWALL_DETECT_VOCAB_IMPL_H
#define PHIWALL_DETECT_VOCAB_IMPL_H

#include <stdint.h>
#include <stdlib.h>

#include "detect/vocab.h"

/* Growable match list kept in the per-thread scratch. */
typedef struct pw_vocab_sink {
    pw_vocab_match *m;
    size_t n, cap;
} pw_vocab_sink;

/* Append one match; 0 on success, -1 when out of memory. */
static inline int pw_vocab_sink_push(pw_vocab_sink *s, size_t start, size_t end, uint32_t entry)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        pw_vocab_match *m = realloc(s->m, cap * sizeof *m);
        if (!m)
            return -1;
        s->m = m;
        s->cap = cap;
    }
    s->m[s->n++] = (pw_vocab_match){start, end, entry};
    return 0;
}

/* A byte that belongs to a word (ASCII letter or digit, either case). */
static inline int pw_vocab_is_word_byte(unsigned char c)
{
    return (unsigned)((c | 0x20) - 'a') < 26u || (unsigned)(c - '0') < 10u;
}

/* One pattern for a back end: a normalised term and the entry it reports. */
typedef struct pw_vocab_pattern {
    const char *term;
    uint32_t len;
    uint32_t entry;
} pw_vocab_pattern;

/* ---- Aho-Corasick over words ---- */
typedef struct pw_vocab_ac pw_vocab_ac;
pw_status pw_vocab_ac_build(const pw_vocab_pattern *p, size_t n, pw_vocab_ac **out, pw_err *err);
void pw_vocab_ac_free(pw_vocab_ac *ac);
/* 0 on success, -1 when the sink ran out of memory. */
int pw_vocab_ac_scan(const pw_vocab_ac *ac, const char *text, size_t n, pw_vocab_sink *sink);
/* The same over words given as spans of raw text (see pw_vocab_scan_words); matches are
 * reported as byte spans of that text. */
int pw_vocab_ac_scan_words(const pw_vocab_ac *ac, const char *text, size_t n,
                           const pw_vocab_word *w, size_t nw, pw_vocab_sink *sink);

/* 0 when no term holds word a directly followed by word b (see pw_vocab_may_join). */
int pw_vocab_ac_may_join(const pw_vocab_ac *ac, const char *text, size_t n, size_t a, size_t an,
                         size_t b, size_t bn);

/* Growable word list of a raw scan, kept in the per-thread scratch. */
typedef struct pw_vocab_wordbuf {
    pw_vocab_word *w;
    size_t cap;
} pw_vocab_wordbuf;

/* The same over the words of the raw text, split here (see pw_vocab_scan_raw). */
int pw_vocab_ac_scan_raw(const pw_vocab_ac *ac, const char *text, size_t n, pw_vocab_wordbuf *wb,
                         pw_vocab_sink *sink);
/* The same with the text's class masks given (see pw_vocab_scan_raw_masks). */
int pw_vocab_ac_scan_raw_masks(const pw_vocab_ac *ac, const char *text, size_t n,
                               const uint64_t *alpha, const uint64_t *upper, const uint64_t *digit,
                               pw_vocab_wordbuf *wb, pw_vocab_sink *sink);
/* The same where the byte `sep` (not a letter or digit; -1: none) ends every match in progress
 * (see pw_vocab_scan_raw_sep). */
int pw_vocab_ac_scan_raw_sep(const pw_vocab_ac *ac, const char *text, size_t n, int sep,
                             pw_vocab_wordbuf *wb, pw_vocab_sink *sink);

/* pw_vocab_segment over the automaton's word table (vocab_seg.c). */
size_t pw_vocab_ac_segment(const pw_vocab_ac *ac, const char *s, size_t n, uint8_t *ends,
                           size_t max);

/* ---- Hyperscan (PW_ERR_UNSUPPORTED in builds without it) ---- */
typedef struct pw_vocab_hs_db pw_vocab_hs_db;
int pw_vocab_hs_available(void);
pw_status pw_vocab_hs_load(const unsigned char *bytes, size_t n, pw_vocab_hs_db **out, pw_err *err);
/* Compile patterns; pattern i reports p[i].entry. */
pw_status pw_vocab_hs_compile(const pw_vocab_pattern *p, size_t n, pw_vocab_hs_db **out,
                              pw_err *err);
/* A loaded (serialised) database reports ids through `map` (NULL = identity), set here. */
void pw_vocab_hs_set_map(pw_vocab_hs_db *db, const uint32_t *map, const uint32_t *entry_len);
void pw_vocab_hs_free(pw_vocab_hs_db *db);
/* Allocate or grow *scratch (void*: hs_scratch_t) for db. */
pw_status pw_vocab_hs_scratch(const pw_vocab_hs_db *db, void **scratch, pw_err *err);
void pw_vocab_hs_scratch_free(void *scratch);
pw_status pw_vocab_hs_scan(const pw_vocab_hs_db *db, void *scratch, const char *text, size_t n,
                           pw_vocab_sink *sink, pw_err *err);

#endif
