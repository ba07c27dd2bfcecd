/*
 * vocab_ac.h — (internal to the vocabulary) the layout of the word-level Aho-Corasick automaton,
 * shared by its builder/scanner (vocab_ac.c) and its flat serialisation (vocab_ac_blob.c), which
 * lets the build embed the automaton of the built-in vocabulary in the library.
 */
#ifndef PHIWALL_DETECT_VOCAB_AC_H
#define PHIWALL_DETECT_VOCAB_AC_H

#include <stdint.h>

#include "detect/vocab_impl.h"

#define PW_AC_NONE UINT32_MAX

/* Node flags: a goto edge leaves the node (else the edge table is not probed); a term ends at
 * the node or on its failure chain (else there is nothing to report there). */
#define PW_AC_HAS_CHILD 1u
#define PW_AC_EMITS     2u

typedef struct pw_ac_word_slot {
    uint32_t hash, off, id, len; /* len 0 = empty slot; off into the word pool */
} pw_ac_word_slot;

typedef struct pw_ac_edge_slot {
    uint64_t key; /* node << 32 | word id; UINT64_MAX = empty */
    uint32_t child, pad;
} pw_ac_edge_slot;

/* A bit per hash value: most words of ordinary text are in no term and are rejected here, in a
 * table small enough to stay in the first-level cache, before the word table is touched. */
#define PW_AC_FILTER_BITS (1u << 18)

/* Words of up to 8 bytes (vocab_ac_lookup.h): a filter of 2^PW_AC_SHORT_FILTER_LOG bits (8 KiB)
 * in front of an open-addressing table of their keys (the bytes themselves). */
#define PW_AC_SHORT_FILTER_LOG 16
#define PW_AC_SHORT_MAX        8

/* Pairs of words that follow each other in a term: a filter of 2^PW_AC_PAIR_LOG bits (128 KiB)
 * over their two ids (pw_vocab_may_join). */
#define PW_AC_PAIR_LOG 20

struct pw_vocab_ac {
    uint64_t *filter;       /* PW_AC_FILTER_BITS bits */
    pw_ac_word_slot *words; /* word → id (ids from 1) */
    uint32_t word_mask, n_words, max_word_len;
    char *pool; /* word bytes */
    size_t pool_len, pool_cap;
    pw_ac_edge_slot *edges; /* (node, word) → child, nodes other than the root */
    uint32_t edge_mask, n_edges;
    uint32_t *root_next; /* word id → child of the root (0 = stay at the root) */
    uint32_t n_nodes, cap_nodes;
    uint32_t *fail, *dict; /* failure link; nearest terminal node on the failure chain (0 none) */
    uint32_t *out_entry;   /* entry reported at this node, PW_AC_NONE if not terminal */
    uint32_t *out_len;     /* byte length of the term ending at this node */
    uint32_t *parent, *word, *depth;  /* build only (NULL in a view) */
    uint8_t *node_flags;              /* PW_AC_HAS_CHILD | PW_AC_EMITS of each node */
    uint64_t *short_filter;           /* 2^PW_AC_SHORT_FILTER_LOG bits */
    uint64_t *short_keys;             /* short_mask + 1 slots: word key, 0 = empty */
    uint32_t *short_ids;              /* word id of each slot */
    uint32_t short_mask, short_shift; /* slots - 1; 64 - log2(slots): slot = hash >> shift */
    uint64_t *pair_filter;            /* 2^PW_AC_PAIR_LOG bits */
    int borrowed; /* 1: the arrays point into an embedded blob (pw_vocab_ac_view) */
};

/* The terms ending at word k of w (the automaton reached `state` there) as raw spans: a term of
 * out_len bytes ending at the word's normalised end starts at the word whose normalised start is
 * that far back. 0, or -1 when the sink ran out of memory. */
int pw_vocab_ac_emit_words(const pw_vocab_ac *ac, uint32_t state, const pw_vocab_word *w, size_t k,
                           pw_vocab_sink *sink);

/* Flatten an automaton into one malloc'd blob (same byte order and word size only). */
pw_status pw_vocab_ac_serialize(const pw_vocab_ac *ac, unsigned char **out, size_t *n, pw_err *err);
/* An automaton that reads `blob` in place (must stay alive, 8-byte aligned). */
pw_status pw_vocab_ac_view(const unsigned char *blob, size_t n, pw_vocab_ac **out, pw_err *err);

#endif
