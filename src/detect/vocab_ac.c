/*
 * vocab_ac.c — the portable back end of the vocabulary matcher: Aho-Corasick over words.
 *
 * Terms are whole words joined by single spaces, so the automaton's alphabet is the set of words
 * that occur in any term (a hash table gives each an id; any other word sends the automaton back
 * to its root). Scanning hashes each run of ASCII letters/digits once, follows goto/failure links
 * on the word id and reports every term that ends at that word. Two words are adjacent in a term
 * only when exactly one space separates them in the text, which gives the same whole-word
 * semantics as the Hyperscan back end with its boundary check.
 */
#include "detect/vocab_ac_lookup.h"

#include <string.h>

#define HIGHS 0x8080808080808080ull
#define ONES  0x0101010101010101ull

/* 0x80 in each byte of v that is an ASCII letter or digit, 0 elsewhere (SWAR range tests on
 * the low 7 bits, bytes with the high bit set excluded). */
static uint64_t word_byte_mask(uint64_t v)
{
    uint64_t low = v & ~HIGHS, folded = low | PW_AC_LOWER_BITS;
    uint64_t digit = (low + (0x80 - '0') * ONES) & ~(low + (0x7f - '9') * ONES);
    uint64_t alpha = (folded + (0x80 - 'a') * ONES) & ~(folded + (0x7f - 'z') * ONES);
    return (digit | alpha) & ~v & HIGHS;
}

/* First index >= i that is not a word byte (n if none). */
static size_t word_end(const unsigned char *t, size_t i, size_t n, const unsigned char *lc)
{
    for (; i + 8 <= n; i += 8) {
        uint64_t stop = ~word_byte_mask(pw_ac_load8(t + i)) & HIGHS;
        if (stop)
            return i + (size_t)__builtin_ctzll(stop) / 8;
    }
    while (i < n && lc[t[i]])
        i++;
    return i;
}

/* ---- build ---- */

/* Re-insert the word table into 2^k slots (mask = 2^k - 1). */
static int rehash_words(pw_vocab_ac *ac, uint32_t mask)
{
    pw_ac_word_slot *words = calloc((size_t)mask + 1, sizeof *words);
    if (!words)
        return -1;
    for (uint32_t i = 0; ac->words && i <= ac->word_mask; i++) {
        if (!ac->words[i].len)
            continue;
        uint32_t j = ac->words[i].hash & mask;
        while (words[j].len)
            j = (j + 1) & mask;
        words[j] = ac->words[i];
    }
    free(ac->words);
    ac->words = words;
    ac->word_mask = mask;
    return 0;
}

/* Re-insert the edge table into 2^k slots. */
static int rehash_edges(pw_vocab_ac *ac, uint32_t mask)
{
    pw_ac_edge_slot *edges = malloc(((size_t)mask + 1) * sizeof *edges);
    if (!edges)
        return -1;
    memset(edges, 0xff, ((size_t)mask + 1) * sizeof *edges);
    for (uint32_t i = 0; ac->edges && i <= ac->edge_mask; i++) {
        if (ac->edges[i].key == UINT64_MAX)
            continue;
        uint32_t j = (uint32_t)pw_ac_mix64(ac->edges[i].key) & mask;
        while (edges[j].key != UINT64_MAX)
            j = (j + 1) & mask;
        edges[j] = ac->edges[i];
    }
    free(ac->edges);
    ac->edges = edges;
    ac->edge_mask = mask;
    return 0;
}

static uint32_t word_find(const pw_vocab_ac *ac, uint32_t h, const char *s, size_t n)
{
    for (uint32_t i = h & ac->word_mask;; i = (i + 1) & ac->word_mask) {
        const pw_ac_word_slot *w = &ac->words[i];
        if (w->len == 0)
            return 0;
        if (w->hash == h && w->len == n && memcmp(ac->pool + w->off, s, n) == 0)
            return w->id;
    }
}

static uint32_t word_intern(pw_vocab_ac *ac, const char *s, size_t n)
{
    uint32_t h = pw_ac_hash_word((const unsigned char *)s, n, n, 0), id = word_find(ac, h, s, n);
    if (id)
        return id;
    if ((ac->n_words + 1) * 2 > ac->word_mask && rehash_words(ac, ac->word_mask * 2 + 1) != 0)
        return 0;
    if (ac->pool_len + n > ac->pool_cap) {
        size_t cap = (ac->pool_cap + n) * 2;
        char *p = realloc(ac->pool, cap);
        if (!p)
            return 0;
        ac->pool = p;
        ac->pool_cap = cap;
    }
    memcpy(ac->pool + ac->pool_len, s, n);
    uint32_t i = h & ac->word_mask;
    while (ac->words[i].len)
        i = (i + 1) & ac->word_mask;
    ac->words[i] = (pw_ac_word_slot){h, (uint32_t)ac->pool_len, ++ac->n_words, (uint32_t)n};
    ac->filter[pw_ac_filter_bit(h) / 64] |= 1ull << (pw_ac_filter_bit(h) % 64);
    ac->pool_len += n;
    if (n > ac->max_word_len)
        ac->max_word_len = (uint32_t)n;
    return ac->n_words;
}

static int edge_put(pw_vocab_ac *ac, uint32_t node, uint32_t word, uint32_t child)
{
    if ((ac->n_edges + 1) * 2 > ac->edge_mask && rehash_edges(ac, ac->edge_mask * 2 + 1) != 0)
        return -1;
    uint64_t key = (uint64_t)node << 32 | word;
    uint32_t i = (uint32_t)pw_ac_mix64(key) & ac->edge_mask;
    while (ac->edges[i].key != UINT64_MAX)
        i = (i + 1) & ac->edge_mask;
    ac->edges[i] = (pw_ac_edge_slot){key, child, 0};
    ac->n_edges++;
    return 0;
}

static uint32_t child_of(const pw_vocab_ac *ac, uint32_t node, uint32_t word)
{
    return node == 0 ? ac->root_next[word] : pw_ac_edge_get(ac, node, word);
}

static int alloc_tables(pw_vocab_ac *ac, const pw_vocab_pattern *p, size_t n)
{
    size_t total_words = 0;
    for (size_t i = 0; i < n; i++) {
        total_words++;
        for (uint32_t k = 0; k < p[i].len; k++)
            total_words += p[i].term[k] == ' ';
    }
    ac->cap_nodes = (uint32_t)total_words + 1;
    if (rehash_words(ac, 1023) != 0 || rehash_edges(ac, 1023) != 0)
        return -1;
    ac->root_next = calloc(total_words + 2, sizeof *ac->root_next);
    uint32_t **arrays[] = {&ac->fail,   &ac->dict, &ac->out_entry, &ac->out_len,
                           &ac->parent, &ac->word, &ac->depth};
    for (size_t i = 0; i < sizeof arrays / sizeof arrays[0]; i++)
        *arrays[i] = calloc(ac->cap_nodes, sizeof(uint32_t));
    for (size_t i = 0; i < sizeof arrays / sizeof arrays[0]; i++)
        if (!*arrays[i])
            return -1;
    ac->node_flags = calloc(ac->cap_nodes, 1);
    ac->filter = calloc(PW_AC_FILTER_BITS / 64, sizeof *ac->filter);
    ac->pair_filter = calloc(((size_t)1 << PW_AC_PAIR_LOG) / 64, sizeof *ac->pair_filter);
    if (!ac->root_next || !ac->node_flags || !ac->filter || !ac->pair_filter)
        return -1;
    ac->n_nodes = 1;
    ac->out_entry[0] = PW_AC_NONE;
    return 0;
}

static int term_ok(const char *t, uint32_t len)
{
    if (len == 0 || t[0] == ' ' || t[len - 1] == ' ')
        return 0;
    for (uint32_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)t[i];
        if (c == ' ' ? t[i + 1] == ' ' : !((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
            return 0;
    }
    return 1;
}

/* Add one term to the trie; -1 out of memory. A term already present keeps its first entry. */
static int insert_term(pw_vocab_ac *ac, const pw_vocab_pattern *p)
{
    uint32_t node = 0, i = 0;
    while (i < p->len) {
        uint32_t j = i;
        while (j < p->len && p->term[j] != ' ')
            j++;
        uint32_t w = word_intern(ac, p->term + i, j - i);
        if (!w)
            return -1;
        if (node != 0) {
            uint32_t bit = pw_ac_pair_bit(ac->word[node], w);
            ac->pair_filter[bit >> 6] |= (uint64_t)1 << (bit & 63);
        }
        uint32_t next = child_of(ac, node, w);
        if (!next) {
            next = ac->n_nodes++;
            ac->parent[next] = node;
            ac->word[next] = w;
            ac->depth[next] = ac->depth[node] + 1;
            ac->out_entry[next] = PW_AC_NONE;
            if (node == 0)
                ac->root_next[w] = next;
            else if (edge_put(ac, node, w, next) != 0)
                return -1;
            ac->node_flags[node] |= PW_AC_HAS_CHILD;
        }
        node = next;
        i = j + 1;
    }
    if (ac->out_entry[node] == PW_AC_NONE) {
        ac->out_entry[node] = p->entry;
        ac->out_len[node] = p->len;
    }
    return 0;
}

/* Failure and dictionary links, nodes taken in order of depth (a counting sort). */
static int link_failures(pw_vocab_ac *ac)
{
    uint32_t max_depth = 0;
    for (uint32_t v = 1; v < ac->n_nodes; v++)
        if (ac->depth[v] > max_depth)
            max_depth = ac->depth[v];
    uint32_t *start = calloc((size_t)max_depth + 2, sizeof *start);
    uint32_t *order = malloc((size_t)ac->n_nodes * sizeof *order);
    if (!start || !order) {
        free(start);
        free(order);
        return -1;
    }
    for (uint32_t v = 1; v < ac->n_nodes; v++)
        start[ac->depth[v] + 1]++;
    for (uint32_t d = 1; d <= max_depth + 1; d++)
        start[d] += start[d - 1];
    for (uint32_t v = 1; v < ac->n_nodes; v++)
        order[start[ac->depth[v]]++] = v;
    for (uint32_t k = 0; k + 1 < ac->n_nodes; k++) {
        uint32_t v = order[k], p = ac->parent[v], w = ac->word[v], f = 0;
        if (p != 0) {
            f = ac->fail[p];
            while (f != 0 && !((ac->node_flags[f] & PW_AC_HAS_CHILD) && pw_ac_edge_get(ac, f, w)))
                f = ac->fail[f];
            f = child_of(ac, f, w);
        }
        ac->fail[v] = f;
        ac->dict[v] = ac->out_entry[f] != PW_AC_NONE ? f : ac->dict[f];
        if (ac->out_entry[v] != PW_AC_NONE || ac->dict[v] != 0)
            ac->node_flags[v] |= PW_AC_EMITS;
    }
    free(start);
    free(order);
    return 0;
}

/* The short-word filter and table (vocab_ac_lookup.h) of the words of up to 8 bytes. */
static int build_short_table(pw_vocab_ac *ac)
{
    uint32_t n_short = 0;
    for (uint32_t i = 0; i <= ac->word_mask; i++)
        n_short += ac->words[i].len && ac->words[i].len <= PW_AC_SHORT_MAX;
    uint32_t log = 4;
    while (((uint32_t)1 << log) < n_short * 2)
        log++;
    ac->short_mask = ((uint32_t)1 << log) - 1;
    ac->short_shift = 64 - log;
    ac->short_filter = calloc(((size_t)1 << PW_AC_SHORT_FILTER_LOG) / 64, sizeof(uint64_t));
    ac->short_keys = calloc((size_t)ac->short_mask + 1, sizeof *ac->short_keys);
    ac->short_ids = calloc((size_t)ac->short_mask + 1, sizeof *ac->short_ids);
    if (!ac->short_filter || !ac->short_keys || !ac->short_ids)
        return -1;
    for (uint32_t i = 0; i <= ac->word_mask; i++) {
        const pw_ac_word_slot *w = &ac->words[i];
        if (!w->len || w->len > PW_AC_SHORT_MAX)
            continue;
        uint64_t key = pw_ac_load_tail((const unsigned char *)ac->pool + w->off, w->len);
        uint64_t h = pw_ac_short_hash(key);
        uint32_t bit = pw_ac_short_bit(h), slot = (uint32_t)(h >> ac->short_shift);
        ac->short_filter[bit >> 6] |= (uint64_t)1 << (bit & 63);
        while (ac->short_keys[slot])
            slot = (slot + 1) & ac->short_mask;
        ac->short_keys[slot] = key;
        ac->short_ids[slot] = w->id;
    }
    return 0;
}

pw_status pw_vocab_ac_build(const pw_vocab_pattern *p, size_t n, pw_vocab_ac **out, pw_err *err)
{
    for (size_t i = 0; i < n; i++)
        if (!term_ok(p[i].term, p[i].len))
            return pw_err_set(err, PW_ERR_INVALID,
                              "vocabulary: term %zu '%.*s' is not normalised (a-z, 0-9, single "
                              "spaces)",
                              i, (int)(p[i].len > 60 ? 60 : p[i].len), p[i].term);
    pw_vocab_ac *ac = calloc(1, sizeof *ac);
    if (!ac || alloc_tables(ac, p, n) != 0)
        goto oom;
    for (size_t i = 0; i < n; i++)
        if (insert_term(ac, &p[i]) != 0)
            goto oom;
    if (link_failures(ac) != 0 || build_short_table(ac) != 0)
        goto oom;
    *out = ac;
    return PW_OK;
oom:
    pw_vocab_ac_free(ac);
    return pw_err_set(err, PW_ERR_NOMEM, "vocabulary: out of memory building the automaton");
}

void pw_vocab_ac_free(pw_vocab_ac *ac)
{
    if (!ac)
        return;
    if (ac->borrowed) {
        free(ac);
        return;
    }
    free(ac->filter);
    free(ac->words);
    free(ac->pool);
    free(ac->edges);
    free(ac->root_next);
    free(ac->fail);
    free(ac->dict);
    free(ac->out_entry);
    free(ac->out_len);
    free(ac->parent);
    free(ac->word);
    free(ac->depth);
    free(ac->node_flags);
    free(ac->short_filter);
    free(ac->short_keys);
    free(ac->short_ids);
    free(ac->pair_filter);
    free(ac);
}

int pw_vocab_ac_may_join(const pw_vocab_ac *ac, const char *text, size_t n, size_t a, size_t an,
                         size_t b, size_t bn)
{
    const unsigned char *t = (const unsigned char *)text;
    uint32_t ia = pw_ac_word_id(ac, t + a, an, n - a, a);
    uint32_t ib = ia ? pw_ac_word_id(ac, t + b, bn, n - b, b) : 0;
    return ia && ib && pw_ac_pair_may(ac, ia, ib);
}

/* ---- scan of normalised text ---- */

static int emit(const pw_vocab_ac *ac, uint32_t state, size_t end, pw_vocab_sink *sink)
{
    uint32_t o = ac->out_entry[state] != PW_AC_NONE ? state : ac->dict[state];
    for (; o != 0; o = ac->dict[o])
        if (pw_vocab_sink_push(sink, end - ac->out_len[o], end, ac->out_entry[o]) != 0)
            return -1;
    return 0;
}

/* Lower-case byte of a word character, 0 for a separator. */
static const unsigned char *lower_table(void)
{
    static const unsigned char t[256] = {
#define R10(b) b, b + 1, b + 2, b + 3, b + 4, b + 5, b + 6, b + 7, b + 8, b + 9
        ['0'] = R10('0'),
#define L26(b)                                                                                  \
    b, b + 1, b + 2, b + 3, b + 4, b + 5, b + 6, b + 7, b + 8, b + 9, b + 10, b + 11, b + 12,   \
        b + 13, b + 14, b + 15, b + 16, b + 17, b + 18, b + 19, b + 20, b + 21, b + 22, b + 23, \
        b + 24, b + 25
        ['A'] = L26('a'),
        ['a'] = L26('a'),
    };
    return t;
}

int pw_vocab_ac_scan(const pw_vocab_ac *ac, const char *text, size_t n, pw_vocab_sink *sink)
{
    const unsigned char *lc = lower_table(), *t = (const unsigned char *)text;
    uint32_t state = 0;
    size_t i = 0, prev_end = (size_t)-1;
    while (i < n) {
        while (i < n && !lc[t[i]])
            i++;
        if (i == n)
            break;
        size_t ws = i;
        i = word_end(t, i, n, lc);
        uint32_t w = pw_ac_word_id(ac, t + ws, i - ws, n - ws, ws);
        if (!(ws > 0 && prev_end == ws - 1 && t[ws - 1] == ' '))
            state = 0;
        prev_end = i;
        state = w ? pw_ac_step(ac, state, w) : 0;
        if (state && emit(ac, state, i, sink) != 0)
            return -1;
    }
    return 0;
}

int pw_vocab_ac_emit_words(const pw_vocab_ac *ac, uint32_t state, const pw_vocab_word *w, size_t k,
                           pw_vocab_sink *sink)
{
    size_t norm_end = (size_t)w[k].norm + (w[k].end - w[k].start);
    uint32_t o = ac->out_entry[state] != PW_AC_NONE ? state : ac->dict[state];
    for (; o != 0; o = ac->dict[o]) {
        size_t want = norm_end - ac->out_len[o], j = k;
        while (j > 0 && w[j].norm > want)
            j--;
        if (w[j].norm == want &&
            pw_vocab_sink_push(sink, w[j].start, w[k].end, ac->out_entry[o]) != 0)
            return -1;
    }
    return 0;
}

int pw_vocab_ac_scan_words(const pw_vocab_ac *ac, const char *text, size_t n,
                           const pw_vocab_word *w, size_t nw, pw_vocab_sink *sink)
{
    const unsigned char *t = (const unsigned char *)text;
    uint32_t state = 0;
    for (size_t k = 0; k < nw; k++) { /* consecutive words are adjacent, as in normalised text */
        size_t ws = w[k].start, len = w[k].end - ws;
        uint32_t id = pw_ac_word_id(ac, t + ws, len, n - ws, ws);
        state = id ? pw_ac_step(ac, state, id) : 0;
        if (state && pw_vocab_ac_emit_words(ac, state, w, k, sink) != 0)
            return -1;
    }
    return 0;
}
