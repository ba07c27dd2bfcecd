/*
 * vocab_tsv.h — (internal to detect) the vocabulary's TSV format: normalisation of terms and the
 * line-precise parser shared by the build-time generator (vocab_gen.c) and the runtime loader of
 * user files (--vocab). See docs/vocabulary.md for the format.
 */
#ifndef PHIWALL_DETECT_VOCAB_TSV_H
#define PHIWALL_DETECT_VOCAB_TSV_H

#include <stddef.h>
#include <stdint.h>

#include "vocab.h"

/* Longest accepted term after normalisation (bytes); longer lines are a parse error. */
#define PW_VOCAB_TERM_MAX 256

/* Normalise like detect does: accented Latin-1 and Vietnamese letters in UTF-8 lose their marks
 * ("Oncología" is "oncologia", detect's folded layer reads text the same way, fold.c), ASCII
 * lower-case, every run of other non-alphanumeric bytes becomes one space, no leading/trailing
 * space. Writes at most n bytes to out (out may equal in); returns the normalised length. */
size_t pw_vocab_normalize(const char *in, size_t n, char *out);

/* Normalise a vocabulary term: as pw_vocab_normalize, and each CJK ideograph (U+3400-U+9FFF)
 * becomes a word of its own, pw_vocab_cjk_token ("乳腺癌" is three words), as health.c writes
 * the ideographs of the text scanned. Writes at most cap bytes; returns the length. */
size_t pw_vocab_normalize_term(const char *in, size_t n, char *out, size_t cap);

/* Bytes of a CJK token. */
#define PW_VOCAB_CJK_TOKEN 6

/* 1 for a CJK ideograph of the unified blocks (U+3400-U+9FFF). */
int pw_vocab_is_cjk(uint32_t cp);

/* The word that stands for the CJK ideograph cp: "zh" and its code point as four letters a-p
 * (PW_VOCAB_CJK_TOKEN bytes, no NUL). */
size_t pw_vocab_cjk_token(uint32_t cp, char *out);

/* pw_vocab_latin1_base, and the Vietnamese letters outside Latin-1 (ă đ ĩ ũ ơ ư and U+1EA0-U+1EF9:
 * "ư" and "ừ" are 'u', "ệ" is 'e'). What the vocabulary and the folded layer read for them. */
char pw_vocab_fold_base(uint32_t cp);

/* The ASCII letter of a Latin-1 letter U+00C0-U+00FF without its accent ('o' for "ó", 'N' for
 * "Ñ", 'c' for "ç"); 0 for the letters that have none (Æ, Ð, Þ, ß, æ, ð, þ) and for × ÷ and
 * every other code point. The one table of both the vocabulary and detect's folding. */
char pw_vocab_latin1_base(uint32_t cp);

/* Parse a class name ("condition", "care_intent", …); PW_VOCAB__COUNT when unknown. */
pw_vocab_class pw_vocab_class_parse(const char *s, size_t n);

/* A growable list of entries whose strings live in `arena`. */
typedef struct pw_vocab_list {
    pw_vocab_entry *items;
    size_t n, cap;
    pw_arena *arena;
} pw_vocab_list;

/*
 * Parse TSV text `data[0..n)` named `name` (for messages: "name:LINE: what") and append its
 * entries to `list`. Lines: term, canonical ('-' = the term), class, subtype ('-' = none),
 * sensitivity (high|normal), register (lay|clinical), tab-separated. Blank lines and lines
 * starting with '#' are skipped. Fails at the first malformed line.
 */
pw_status pw_vocab_tsv_parse(const char *name, const char *data, size_t n, pw_vocab_list *list,
                             pw_err *err);

/* Read a whole file into a malloc'd buffer (*n bytes, NUL-terminated). */
pw_status pw_vocab_read_file(const char *path, char **data, size_t *n, pw_err *err);

void pw_vocab_list_free(pw_vocab_list *list);

#endif
