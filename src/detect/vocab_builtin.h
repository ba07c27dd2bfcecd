/*
 * vocab_builtin.h — (internal to detect) the vocabulary compiled at build time: the entry table
 * and, when the build has Hyperscan, its serialised database. Both are emitted by the host tool
 * vocab_gen.c from data/vocab/<name>.tsv into the generated source vocab_builtin.c.
 */
#ifndef PHIWALL_DETECT_VOCAB_BUILTIN_H
#define PHIWALL_DETECT_VOCAB_BUILTIN_H

#include <stddef.h>
#include <stdint.h>

#include "detect/vocab.h"

/* An entry with its strings as offsets into pw_vocab_builtin_strings: a table of pointers would
 * need one load-time relocation per string (hundreds of thousands), paid by every run of the
 * program, even `phiwall --version`. pw_vocab_new turns these into pw_vocab_entry. */
typedef struct pw_vocab_packed {
    uint32_t term, canonical, subtype; /* subtype: PW_VOCAB_NO_STRING when there is none */
    uint8_t cls, sensitivity, lay;
} pw_vocab_packed;

#define PW_VOCAB_NO_STRING UINT32_MAX

extern const pw_vocab_packed pw_vocab_builtin_entries[]; /* unique terms, file order */
extern const size_t pw_vocab_builtin_count;
extern const uint32_t pw_vocab_builtin_len[];     /* byte length of each entry's term */
extern const char pw_vocab_builtin_strings[];     /* NUL-terminated strings, back to back */
extern const unsigned char pw_vocab_builtin_hs[]; /* hs_serialize_database output */
extern const size_t pw_vocab_builtin_hs_size;     /* 0 when built without Hyperscan */
extern const unsigned char pw_vocab_builtin_ac[]; /* pw_vocab_ac_serialize output, 8-aligned */
extern const size_t pw_vocab_builtin_ac_size;

#endif
