/*
 * vocab_builtin.h — (internal to detect) the vocabulary compiled at build time: the entry table
 * and, when the build has Hyperscan, its serialised database. Both are emitted by the host tool
 * vocab_gen.c from data/vocab/<name>.tsv into the generated source vocab_builtin.c.
 */
#ifndef PHIWALL_DETECT_VOCAB_BUILTIN_H
#define PHIWALL_DETECT_VOCAB_BUILTIN_H

#include <stddef.h>

#include "detect/vocab.h"

extern const pw_vocab_entry pw_vocab_builtin_entries[]; /* unique terms, file order */
extern const size_t pw_vocab_builtin_count;
extern const unsigned char pw_vocab_builtin_hs[]; /* hs_serialize_database output */
extern const size_t pw_vocab_builtin_hs_size;     /* 0 when built without Hyperscan */

#endif
