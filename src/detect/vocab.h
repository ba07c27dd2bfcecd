/*
 * vocab.h — (internal to detect) the health-context vocabulary and its multi-pattern matcher.
 *
 * The vocabulary (data/vocab/<name>.tsv, written by the project) is compiled at build time into
 * an entry table, a word-level Aho-Corasick automaton and (where libhyperscan is available) a
 * Hyperscan database, all embedded in the library. Both matchers sit behind this one interface
 * and give identical results; the automaton is the default (the faster on this vocabulary) and
 * is rebuilt by pw_vocab_new only when a user file adds terms. Matching runs on text
 * that detect has already normalised (lower-case ASCII, every non-alphanumeric byte turned into
 * a single space, percent/camelCase/slug layers decoded) with an offset map back to the original
 * string kept by detect. Matches are whole words only.
 */
#ifndef PHIWALL_DETECT_VOCAB_H
#define PHIWALL_DETECT_VOCAB_H

#include <stddef.h>
#include <stdint.h>

#include "phiwall/arena.h"
#include "phiwall/detect.h"
#include "phiwall/error.h"

typedef enum pw_vocab_class {
    PW_VOCAB_CONDITION = 0,
    PW_VOCAB_SYMPTOM,
    PW_VOCAB_PROCEDURE,
    PW_VOCAB_MEDICATION,
    PW_VOCAB_SPECIALTY,
    PW_VOCAB_CARE_SERVICE,
    PW_VOCAB_SENSITIVE_SERVICE,
    PW_VOCAB_CARE_INTENT, /* scheduling, find-a-doctor, portal, bill pay, refill, … */
    PW_VOCAB_GENERIC,     /* "hospital", "clinic", "doctor": never health context alone */
    PW_VOCAB__COUNT
} pw_vocab_class;

typedef struct pw_vocab_entry {
    const char *term;      /* normalised form: "breast cancer" */
    const char *canonical; /* preferred term for synonyms/misspellings: "breast cancer" */
    pw_vocab_class cls;
    const char *subtype; /* care intent: "scheduling", "find-a-doctor", …; else NULL */
    pw_sensitivity sensitivity;
    uint8_t lay; /* 1 everyday language, 0 clinical */
} pw_vocab_entry;

typedef struct pw_vocab pw_vocab;
typedef struct pw_vocab_scratch pw_vocab_scratch;

typedef struct pw_vocab_match {
    size_t start, end; /* in the normalised text, end exclusive, on word boundaries */
    uint32_t entry;    /* index for pw_vocab_entry_at */
} pw_vocab_match;

/* The compiled-in vocabulary plus an optional user file (same TSV format, --vocab). */
pw_status pw_vocab_new(const char *user_file, pw_vocab **out, pw_err *err);
void pw_vocab_free(pw_vocab *v);
size_t pw_vocab_size(const pw_vocab *v);
const pw_vocab_entry *pw_vocab_entry_at(const pw_vocab *v, uint32_t i);

pw_status pw_vocab_scratch_new(const pw_vocab *v, pw_vocab_scratch **out, pw_err *err);
void pw_vocab_scratch_free(pw_vocab_scratch *s);

/* All whole-word matches in normalised text, sorted by start; longest match wins where two
 * start at the same place. Results in the arena. */
pw_status pw_vocab_scan(const pw_vocab *v, pw_vocab_scratch *s, pw_arena *a, const char *text,
                        size_t n, pw_vocab_match **out, size_t *n_out, pw_err *err);

/* One word of raw text: text[start..end) (ASCII letters and digits, any case); `norm` is where
 * the word would start in the normalised text (words joined by single spaces). */
typedef struct pw_vocab_word {
    uint32_t start, end, norm;
} pw_vocab_word;

/* pw_vocab_scan without the normalised copy: the caller gives the words that normalisation
 * would write, in order, as spans of the raw text, and gets the same matches as pw_vocab_scan
 * on the normalised text, as spans of the raw text (first byte of the first word, end of the
 * last). The matches stay in the scratch until its next scan. PW_ERR_UNSUPPORTED when the back
 * end is not the automaton (the caller then normalises and calls pw_vocab_scan). */
pw_status pw_vocab_scan_words(const pw_vocab *v, pw_vocab_scratch *s, const char *text, size_t n,
                              const pw_vocab_word *w, size_t nw, const pw_vocab_match **out,
                              size_t *n_out, pw_err *err);

/* ---- Additions (vocab branch): back-end choice, names, in-memory user data. ---- */

/* "condition", "symptom", "procedure", "medication", "specialty", "care_service",
 * "sensitive_service", "care_intent", "generic"; "unknown" out of range. */
const char *pw_vocab_class_name(pw_vocab_class c);

typedef enum pw_vocab_backend {
    PW_VOCAB_BACKEND_AUTO = 0, /* word-level Aho-Corasick (the faster on this vocabulary, see
                                  docs/vocabulary.md); PHIWALL_VOCAB_BACKEND=ac|hyperscan in
                                  the environment overrides */
    PW_VOCAB_BACKEND_HYPERSCAN,
    PW_VOCAB_BACKEND_AC
} pw_vocab_backend;

const char *pw_vocab_backend_name(pw_vocab_backend b); /* "auto", "hyperscan", "ac" */

typedef struct pw_vocab_opts {
    const char *user_file; /* extra TSV file, or NULL */
    const char *user_data; /* extra TSV text (used when user_file is NULL), or NULL */
    size_t user_len;
    const char *user_name; /* name of user_data in messages ("<memory>" if NULL) */
    pw_vocab_backend backend;
    int no_builtin; /* 1: only the user entries (tests, fuzzing) */
} pw_vocab_opts;

/* pw_vocab_new with options. A user entry whose term is already in the vocabulary replaces it
 * (a user file can re-class a built-in term, e.g. as generic). PW_ERR_UNSUPPORTED when the
 * requested back end is not in this build. */
pw_status pw_vocab_new_opts(const pw_vocab_opts *opts, pw_vocab **out, pw_err *err);

/* The back end actually in use (never AUTO). */
pw_vocab_backend pw_vocab_backend_of(const pw_vocab *v);

/* Drop every match that lies inside a longer one ("oncology" inside the generic "oncology nurse",
 * "cancer" inside "breast cancer treatment"), in place; m sorted as pw_vocab_scan returns it.
 * Returns the new count. Partial overlaps are kept. */
size_t pw_vocab_drop_contained(pw_vocab_match *m, size_t n);

/* Byte length of entry i's term. */
size_t pw_vocab_term_len(const pw_vocab *v, uint32_t i);

/* ---- Additions (det-health branch): the raw scan splits words itself. ---- */

/* Alphanumeric runs shorter than this are never split at camelCase breaks ("PrEP", "iPhone"). */
#define PW_VOCAB_CAMEL_MIN 7

/* A camelCase word break before s[i] inside an ASCII alphanumeric run of run_len bytes:
 * "breastCancer", "HIVTesting" (an upper-case letter after a lower-case one, or the last upper-case
 * letter of a capital run before a lower-case one). The one rule of both word splitters (the raw
 * scan and detect's normalised text). */
static inline int pw_vocab_camel_break(const char *s, size_t n, size_t i, size_t run_len)
{
    if (i == 0 || run_len < PW_VOCAB_CAMEL_MIN || (unsigned)((unsigned char)s[i] - 'A') >= 26u)
        return 0;
    unsigned prev = (unsigned char)s[i - 1];
    if (prev - 'a' < 26u)
        return 1;
    return prev - 'A' < 26u && i + 1 < n && (unsigned)((unsigned char)s[i + 1] - 'a') < 26u;
}

/* pw_vocab_scan_words over the words of text[0..n) found here: each maximal run of ASCII
 * letters/digits, split at camelCase breaks (pw_vocab_camel_break) — the words a caller would
 * normalise the text into. Same matches, raw spans, kept in the scratch until its next scan;
 * PW_ERR_UNSUPPORTED when the back end is not the automaton. */
pw_status pw_vocab_scan_raw(const pw_vocab *v, pw_vocab_scratch *s, const char *text, size_t n,
                            const pw_vocab_match **out, size_t *n_out, pw_err *err);

/* pw_vocab_scan_raw with the text's byte classes already at hand (engine-text8: the segment
 * summary's masks, so the scan does not classify the bytes again): alpha (ASCII letters), upper
 * (A-Z) and digit (0-9) masks of (n + 63) / 64 words each, bit b of word w for byte 64 w + b, no
 * bit at or past n. Same matches as pw_vocab_scan_raw when the masks are those of text. */
pw_status pw_vocab_scan_raw_masks(const pw_vocab *v, pw_vocab_scratch *s, const char *text,
                                  size_t n, const uint64_t *alpha, const uint64_t *upper,
                                  const uint64_t *digit, const pw_vocab_match **out, size_t *n_out,
                                  pw_err *err);

/* ---- Additions (det-vocab branch): several fields in one raw scan. ---- */

/* pw_vocab_scan_raw over fields joined by the byte `sep` (a byte that is no ASCII letter or
 * digit, e.g. '\n' or 0x1f; -1: none, which is pw_vocab_scan_raw): a separator ends every match
 * in progress, so each field gets exactly the matches of its own pw_vocab_scan_raw (shifted by
 * its offset) and none runs across two fields. PW_ERR_INVALID for a letter or digit. */
pw_status pw_vocab_scan_raw_sep(const pw_vocab *v, pw_vocab_scratch *s, const char *text, size_t n,
                                int sep, const pw_vocab_match **out, size_t *n_out, pw_err *err);

/* 0 when no term holds the word text[a..a+an) directly followed by the word text[b..b+bn) (each
 * one whole word: ASCII letters and digits only, any case; text holds n bytes), so that no match
 * can run across whatever separates the two; 1 when a term may (a filter: it can say 1 wrongly,
 * never 0). Always 1 with the Hyperscan back end. */
int pw_vocab_may_join(const pw_vocab *v, const char *text, size_t n, size_t a, size_t an, size_t b,
                      size_t bn);

/* ---- Additions (engine-words branch): digits glued to a word, run-together words. ---- */

/* Where a word of n bytes (ASCII letters and digits) that is letters then digits, or digits
 * then letters, with exactly one change between them, splits: "cancer2024" -> "cancer" "2024",
 * "chemo2", "2024cancer". At least 4 letters and 1-4 digits; three letters and a digit are an
 * endpoint's or a product code's shape as often as a term's ("iui3" on an ad server, "STD100"),
 * except a virus's abbreviation and its type ("hiv1", "hiv2", "hcv2", "hsv2", "hpv16"): three
 * letters ending in 'v' (virus) then one or two digits. A longer number is an identifier's,
 * several changes a token's ("a8f3hiv92"). 0 when the word is no such word. Both word splitters
 * split there unless the whole word is a vocabulary word ("covid19", "her2", "brca1" stay one
 * word): pw_vocab_has_word. */
static inline size_t pw_vocab_digit_cut(const char *s, size_t n)
{
    if (n < 4)
        return 0;
    int d0 = (unsigned)((unsigned char)s[0] - '0') < 10u;
    size_t k = 1;
    while (k < n && ((unsigned)((unsigned char)s[k] - '0') < 10u) == d0)
        k++;
    if (k == n)
        return 0;
    for (size_t j = k + 1; j < n; j++)
        if (((unsigned)((unsigned char)s[j] - '0') < 10u) == d0)
            return 0;
    size_t digits = d0 ? k : n - k;
    size_t letters = n - digits;
    int virus_type = letters == 3 && !d0 && digits <= 2 && (s[2] | 0x20) == 'v';
    return (letters >= 4 && digits <= 4) || virus_type ? k : 0;
}

/* 1 if s[0..n) (ASCII letters and digits, any case) is a word of some vocabulary term. */
int pw_vocab_has_word(const pw_vocab *v, const char *s, size_t n);

/* Letter runs up to this long are segmented (pw_vocab_segment); longer ones are not. */
#define PW_VOCAB_SEG_MAX 48

/* The fewest known words that make up the letters s[0..n) (any case, n <= PW_VOCAB_SEG_MAX):
 * "hivclinic" -> "hiv" "clinic", "breastcancerawareness" -> "breast" "cancer" "awareness". A
 * known word is a word of a vocabulary term of 4 letters or more (of 3 letters only at the start
 * of the run: "hivtesting", "stdtest", but not "sign" "als" in "signals"), or a word of the
 * project's list of common web and compound words (data/vocab/seg/words.txt: clinic, test, care,
 * online, my, the …). Writes the end offset of each word to ends[] (at most max) and returns how
 * many there are; 0 when the whole run does not split into known words, or splits into one. */
size_t pw_vocab_segment(const pw_vocab *v, const char *s, size_t n, uint8_t *ends, size_t max);

#endif
