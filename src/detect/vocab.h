/*
 * vocab.h — (internal to detect) the health-context vocabulary and its multi-pattern matcher.
 *
 * The vocabulary (data/vocab/ TSV files, written by the project) is compiled at build time: a
 * Hyperscan database serialised into the library where libhyperscan is available, and a
 * portable Aho-Corasick automaton otherwise, behind this one interface. Matching runs on text
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

#endif
