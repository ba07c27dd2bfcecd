/*
 * vocab_ac_blob.c — the word-level Aho-Corasick automaton as one flat blob. The build tool
 * (vocab_gen.c) builds the automaton of the built-in vocabulary and embeds this blob in the
 * library; pw_vocab_new then reads it in place (pw_vocab_ac_view) instead of rebuilding it, so
 * startup costs nothing. Layout: a header of 64-bit words (magic, sizes, section offsets), then
 * each array 8-byte aligned. Host byte order: the blob is made and read by the same build.
 */
#include <stdlib.h>
#include <string.h>

#include "detect/vocab_ac.h"

#define MAGIC 0x3230304341575050ull /* "PPWAC002" */

enum {
    H_MAGIC,
    H_WORD_MASK,
    H_N_WORDS,
    H_MAX_WORD,
    H_POOL_LEN,
    H_EDGE_MASK,
    H_N_EDGES,
    H_N_NODES,
    H_SHORT_MASK,
    H_SHORT_SHIFT,
    H_WORD_SLOT,
    H_EDGE_SLOT,
    H_OFF_FILTER,
    H_OFF_WORDS,
    H_OFF_POOL,
    H_OFF_EDGES,
    H_OFF_ROOT,
    H_OFF_FAIL,
    H_OFF_DICT,
    H_OFF_OUT_ENTRY,
    H_OFF_OUT_LEN,
    H_OFF_NODE_FLAGS,
    H_OFF_SHORT_FILTER,
    H_OFF_SHORT_KEYS,
    H_OFF_SHORT_IDS,
    H_OFF_PAIR_FILTER,
    H_TOTAL,
    H__COUNT
};

typedef struct section {
    const void *data;
    size_t size;
    int off_slot;
} section;

static size_t align8(size_t n)
{
    return (n + 7) & ~(size_t)7;
}

/* The arrays of an automaton, in blob order. */
static size_t sections(const pw_vocab_ac *ac, section *s)
{
    size_t nodes = ac->n_nodes;
    section all[] = {
        {ac->filter, PW_AC_FILTER_BITS / 8, H_OFF_FILTER},
        {ac->words, ((size_t)ac->word_mask + 1) * sizeof *ac->words, H_OFF_WORDS},
        {ac->pool, ac->pool_len, H_OFF_POOL},
        {ac->edges, ((size_t)ac->edge_mask + 1) * sizeof *ac->edges, H_OFF_EDGES},
        {ac->root_next, ((size_t)ac->n_words + 1) * sizeof(uint32_t), H_OFF_ROOT},
        {ac->fail, nodes * sizeof(uint32_t), H_OFF_FAIL},
        {ac->dict, nodes * sizeof(uint32_t), H_OFF_DICT},
        {ac->out_entry, nodes * sizeof(uint32_t), H_OFF_OUT_ENTRY},
        {ac->out_len, nodes * sizeof(uint32_t), H_OFF_OUT_LEN},
        {ac->node_flags, nodes, H_OFF_NODE_FLAGS},
        {ac->short_filter, ((size_t)1 << PW_AC_SHORT_FILTER_LOG) / 8, H_OFF_SHORT_FILTER},
        {ac->short_keys, ((size_t)ac->short_mask + 1) * sizeof *ac->short_keys, H_OFF_SHORT_KEYS},
        {ac->short_ids, ((size_t)ac->short_mask + 1) * sizeof *ac->short_ids, H_OFF_SHORT_IDS},
        {ac->pair_filter, ((size_t)1 << PW_AC_PAIR_LOG) / 8, H_OFF_PAIR_FILTER},
    };
    memcpy(s, all, sizeof all);
    return sizeof all / sizeof all[0];
}

pw_status pw_vocab_ac_serialize(const pw_vocab_ac *ac, unsigned char **out, size_t *n, pw_err *err)
{
    section s[16] = {0}; /* zeroed: gcc -O3 cannot see that sections() fills the first k */
    size_t k = sections(ac, s);
    uint64_t h[H__COUNT] = {MAGIC,          ac->word_mask,   ac->n_words,       ac->max_word_len,
                            ac->pool_len,   ac->edge_mask,   ac->n_edges,       ac->n_nodes,
                            ac->short_mask, ac->short_shift, sizeof *ac->words, sizeof *ac->edges};
    size_t off = sizeof h;
    for (size_t i = 0; i < k; i++) {
        h[s[i].off_slot] = off;
        off = align8(off + s[i].size);
    }
    h[H_TOTAL] = off;
    unsigned char *blob = calloc(1, off);
    if (!blob)
        return pw_err_set(err, PW_ERR_NOMEM, "vocabulary: out of memory serialising");
    memcpy(blob, h, sizeof h);
    for (size_t i = 0; i < k; i++)
        if (s[i].size)
            memcpy(blob + h[s[i].off_slot], s[i].data, s[i].size);
    *out = blob;
    *n = off;
    return PW_OK;
}

static int mask_ok(uint64_t m)
{
    return m < UINT32_MAX && ((m + 1) & m) == 0;
}

pw_status pw_vocab_ac_view(const unsigned char *blob, size_t n, pw_vocab_ac **out, pw_err *err)
{
    uint64_t h[H__COUNT];
    if (n < sizeof h || ((uintptr_t)blob & 7) != 0)
        return pw_err_set(err, PW_ERR_INVALID, "vocabulary: embedded automaton too short");
    memcpy(h, blob, sizeof h);
    if (h[H_MAGIC] != MAGIC || h[H_TOTAL] != n || !mask_ok(h[H_WORD_MASK]) ||
        !mask_ok(h[H_EDGE_MASK]) || !mask_ok(h[H_SHORT_MASK]) ||
        h[H_SHORT_SHIFT] != 64 - (uint64_t)__builtin_popcountll(h[H_SHORT_MASK]) ||
        h[H_N_NODES] == 0 || h[H_N_NODES] > UINT32_MAX || h[H_N_WORDS] > h[H_WORD_MASK] ||
        h[H_WORD_SLOT] != sizeof(pw_ac_word_slot) || h[H_EDGE_SLOT] != sizeof(pw_ac_edge_slot))
        return pw_err_set(err, PW_ERR_INVALID, "vocabulary: embedded automaton is not valid");
    pw_vocab_ac *ac = calloc(1, sizeof *ac);
    if (!ac)
        return pw_err_set(err, PW_ERR_NOMEM, "vocabulary: out of memory");
    ac->word_mask = (uint32_t)h[H_WORD_MASK];
    ac->n_words = (uint32_t)h[H_N_WORDS];
    ac->max_word_len = (uint32_t)h[H_MAX_WORD];
    ac->pool_len = (size_t)h[H_POOL_LEN];
    ac->edge_mask = (uint32_t)h[H_EDGE_MASK];
    ac->n_edges = (uint32_t)h[H_N_EDGES];
    ac->n_nodes = (uint32_t)h[H_N_NODES];
    ac->short_mask = (uint32_t)h[H_SHORT_MASK];
    ac->short_shift = (uint32_t)h[H_SHORT_SHIFT];
    /* Every section must lie inside the blob. */
    section s[16] = {0}; /* zeroed: gcc -O3 cannot see that sections() fills the first k */
    size_t k = sections(ac, s);
    for (size_t i = 0; i < k; i++) {
        uint64_t off = h[s[i].off_slot];
        if (off % 8 != 0 || off > n || s[i].size > n - off) {
            free(ac);
            return pw_err_set(err, PW_ERR_INVALID, "vocabulary: embedded automaton truncated");
        }
    }
    unsigned char *b = (unsigned char *)blob; /* read only: a view never writes */
    ac->filter = (uint64_t *)(void *)(b + h[H_OFF_FILTER]);
    ac->words = (pw_ac_word_slot *)(void *)(b + h[H_OFF_WORDS]);
    ac->pool = (char *)(b + h[H_OFF_POOL]);
    ac->edges = (pw_ac_edge_slot *)(void *)(b + h[H_OFF_EDGES]);
    ac->root_next = (uint32_t *)(void *)(b + h[H_OFF_ROOT]);
    ac->fail = (uint32_t *)(void *)(b + h[H_OFF_FAIL]);
    ac->dict = (uint32_t *)(void *)(b + h[H_OFF_DICT]);
    ac->out_entry = (uint32_t *)(void *)(b + h[H_OFF_OUT_ENTRY]);
    ac->out_len = (uint32_t *)(void *)(b + h[H_OFF_OUT_LEN]);
    ac->node_flags = b + h[H_OFF_NODE_FLAGS];
    ac->short_filter = (uint64_t *)(void *)(b + h[H_OFF_SHORT_FILTER]);
    ac->short_keys = (uint64_t *)(void *)(b + h[H_OFF_SHORT_KEYS]);
    ac->short_ids = (uint32_t *)(void *)(b + h[H_OFF_SHORT_IDS]);
    ac->pair_filter = (uint64_t *)(void *)(b + h[H_OFF_PAIR_FILTER]);
    ac->borrowed = 1;
    *out = ac;
    return PW_OK;
}
