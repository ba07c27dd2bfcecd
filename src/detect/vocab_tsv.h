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

/* 1 if normalised text holds a word written as a script token (pw_vocab_cjk_token's "zh" and
 * four letters a-p; the Cyrillic "zc" and Arabic "zb" stems, letters a-p in pairs). Such an
 * entry's canonical is the column as written (what a hit reports), not its tokens. */
int pw_vocab_has_script_token(const char *norm);

/* Bytes of a CJK token. */
#define PW_VOCAB_CJK_TOKEN 6

/* 1 for a CJK ideograph of the unified blocks (U+3400-U+9FFF). */
int pw_vocab_is_cjk(uint32_t cp);

/* The word that stands for the CJK ideograph cp: "zh" and its code point as four letters a-p
 * (PW_VOCAB_CJK_TOKEN bytes, no NUL). */
size_t pw_vocab_cjk_token(uint32_t cp, char *out);

/* 1 for a Hangul syllable (U+AC00-U+D7A3): written as a word of its own like an ideograph
 * (pw_vocab_cjk_token), so that a Korean term matches whatever particle follows it; health.c
 * keeps only the matches that start a word and end it or end before a particle. */
int pw_vocab_is_hangul(uint32_t cp);

/* Scripts whose words are written as one token from a light stem (pw_vocab_script_word). */
#define PW_VOCAB_SCRIPT_CYRILLIC 1
#define PW_VOCAB_SCRIPT_ARABIC   2

/* The script of the letter at in[i] (a 2-byte UTF-8 sequence): PW_VOCAB_SCRIPT_CYRILLIC for a
 * Cyrillic letter (U+0400-U+045F), PW_VOCAB_SCRIPT_ARABIC for an Arabic one (U+0621-U+064A and
 * the Persian yeh and kaf), 0 otherwise. */
int pw_vocab_script_at(const char *in, size_t n, size_t i);

/* Flag of pw_vocab_script_word: take a one-letter conjunction or preposition off an Arabic word
 * of 4+ letters first (و ف ب ل ك: "وسرطان", "بسرطان"); 0 when the word starts with none. */
#define PW_VOCAB_SW_DROP_PREFIX 1u

/* Bytes of a Cyrillic or Arabic token at most (48 letters). */
#define PW_VOCAB_SCRIPT_TOKEN_MAX 98

/* The word of Cyrillic or Arabic letters at in[i] as the vocabulary's token: "zc" (Cyrillic) or
 * "zb" (Arabic) and each letter of its light stem as two letters a-p. Cyrillic: lower-case, ё
 * as е, the combining stress accents dropped, one case or number ending off (Russian nouns and
 * adjectives) when 3+ letters stay. Arabic: tashkeel and tatweel dropped, alef forms as alef,
 * taa marbuta as haa, alef maqsura as yaa, one article prefix off (ال وال بال كال فال لل) when 2+
 * letters stay, one suffix off (ها ان ات ون ين ية ة ي ا) when 3+ stay (4+ for two letters).
 * *end: the byte after the
 * word. Returns the token's length (at most cap), 0 when there is none (not such a letter, a
 * word longer than 48 letters, no room, or the prefix flag and no such prefix). */
size_t pw_vocab_script_word(const char *in, size_t n, size_t i, unsigned flags, size_t *end,
                            char *out, size_t cap);

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
