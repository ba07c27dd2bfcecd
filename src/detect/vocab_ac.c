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
#include "detect/vocab_impl.h"

#include <string.h>

#define NONE UINT32_MAX

typedef struct word_slot {
    uint32_t hash, off, id, len; /* len 0 = empty slot; off into the word pool */
} word_slot;

typedef struct edge_slot {
    uint64_t key; /* node << 32 | word id; UINT64_MAX = empty */
    uint32_t child;
} edge_slot;

struct pw_vocab_ac {
    word_slot *words; /* word → id (ids from 1) */
    uint32_t word_mask, n_words, max_word_len;
    char *pool; /* word bytes */
    size_t pool_len, pool_cap;
    edge_slot *edges; /* (node, word) → child, nodes other than the root */
    uint32_t edge_mask, n_edges;
    uint32_t *root_next; /* word id → child of the root (0 = stay at the root) */
    uint32_t n_nodes, cap_nodes;
    uint32_t *fail, *dict; /* failure link; nearest terminal node on the failure chain (0 none) */
    uint32_t *out_entry;   /* entry reported at this node, NONE if not terminal */
    uint32_t *out_len;     /* byte length of the term ending at this node */
    uint32_t *parent, *word, *depth;
};

static uint32_t hash_step(uint32_t h, unsigned char c)
{
    return (h ^ c) * 16777619u;
}

#define HASH_SEED 2166136261u

static uint32_t hash_bytes(const char *s, size_t n)
{
    uint32_t h = HASH_SEED;
    for (size_t i = 0; i < n; i++)
        h = hash_step(h, (unsigned char)s[i]);
    return h;
}

static uint64_t mix64(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdull;
    k ^= k >> 33;
    return k;
}

/* ---- build ---- */

static uint32_t pow2_at_least(size_t n)
{
    uint32_t c = 16;
    while (c < n)
        c <<= 1;
    return c;
}

static uint32_t word_find(const pw_vocab_ac *ac, uint32_t h, const char *s, size_t n)
{
    for (uint32_t i = h & ac->word_mask;; i = (i + 1) & ac->word_mask) {
        const word_slot *w = &ac->words[i];
        if (w->len == 0)
            return 0;
        if (w->hash == h && w->len == n && memcmp(ac->pool + w->off, s, n) == 0)
            return w->id;
    }
}

static uint32_t word_intern(pw_vocab_ac *ac, const char *s, size_t n)
{
    uint32_t h = hash_bytes(s, n), id = word_find(ac, h, s, n);
    if (id)
        return id;
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
    ac->words[i] = (word_slot){h, (uint32_t)ac->pool_len, ++ac->n_words, (uint32_t)n};
    ac->pool_len += n;
    if (n > ac->max_word_len)
        ac->max_word_len = (uint32_t)n;
    return ac->n_words;
}

static uint32_t edge_get(const pw_vocab_ac *ac, uint32_t node, uint32_t word)
{
    uint64_t key = (uint64_t)node << 32 | word;
    for (uint32_t i = (uint32_t)mix64(key) & ac->edge_mask;; i = (i + 1) & ac->edge_mask) {
        if (ac->edges[i].key == key)
            return ac->edges[i].child;
        if (ac->edges[i].key == UINT64_MAX)
            return 0;
    }
}

static void edge_put(pw_vocab_ac *ac, uint32_t node, uint32_t word, uint32_t child)
{
    uint64_t key = (uint64_t)node << 32 | word;
    uint32_t i = (uint32_t)mix64(key) & ac->edge_mask;
    while (ac->edges[i].key != UINT64_MAX)
        i = (i + 1) & ac->edge_mask;
    ac->edges[i] = (edge_slot){key, child};
    ac->n_edges++;
}

static uint32_t child_of(const pw_vocab_ac *ac, uint32_t node, uint32_t word)
{
    return node == 0 ? ac->root_next[word] : edge_get(ac, node, word);
}

static int alloc_tables(pw_vocab_ac *ac, const pw_vocab_pattern *p, size_t n)
{
    size_t total_words = 0;
    for (size_t i = 0; i < n; i++) {
        total_words++;
        for (uint32_t k = 0; k < p[i].len; k++)
            total_words += p[i].term[k] == ' ';
    }
    ac->word_mask = pow2_at_least(total_words * 2 + 1) - 1;
    ac->edge_mask = pow2_at_least(total_words * 2 + 1) - 1;
    ac->cap_nodes = (uint32_t)total_words + 1;
    ac->words = calloc((size_t)ac->word_mask + 1, sizeof *ac->words);
    ac->edges = malloc(((size_t)ac->edge_mask + 1) * sizeof *ac->edges);
    ac->root_next = calloc(total_words + 2, sizeof *ac->root_next);
    uint32_t **arrays[] = {&ac->fail,   &ac->dict, &ac->out_entry, &ac->out_len,
                           &ac->parent, &ac->word, &ac->depth};
    for (size_t i = 0; i < sizeof arrays / sizeof arrays[0]; i++)
        *arrays[i] = calloc(ac->cap_nodes, sizeof(uint32_t));
    for (size_t i = 0; i < sizeof arrays / sizeof arrays[0]; i++)
        if (!*arrays[i])
            return -1;
    if (!ac->words || !ac->edges || !ac->root_next)
        return -1;
    memset(ac->edges, 0xff, ((size_t)ac->edge_mask + 1) * sizeof *ac->edges);
    ac->n_nodes = 1;
    ac->out_entry[0] = NONE;
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
        uint32_t next = child_of(ac, node, w);
        if (!next) {
            next = ac->n_nodes++;
            ac->parent[next] = node;
            ac->word[next] = w;
            ac->depth[next] = ac->depth[node] + 1;
            ac->out_entry[next] = NONE;
            if (node == 0)
                ac->root_next[w] = next;
            else
                edge_put(ac, node, w, next);
        }
        node = next;
        i = j + 1;
    }
    if (ac->out_entry[node] == NONE) {
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
            while (f != 0 && !edge_get(ac, f, w))
                f = ac->fail[f];
            f = child_of(ac, f, w);
        }
        ac->fail[v] = f;
        ac->dict[v] = ac->out_entry[f] != NONE ? f : ac->dict[f];
    }
    free(start);
    free(order);
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
    if (link_failures(ac) != 0)
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
    free(ac);
}

/* ---- scan ---- */

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

/* Word id of text[0..n) (any case), 0 when the word is in no term. */
static uint32_t lookup_word(const pw_vocab_ac *ac, const unsigned char *lc, uint32_t h,
                            const unsigned char *s, size_t n)
{
    if (n > ac->max_word_len)
        return 0;
    for (uint32_t i = h & ac->word_mask;; i = (i + 1) & ac->word_mask) {
        const word_slot *w = &ac->words[i];
        if (w->len == 0)
            return 0;
        if (w->hash != h || w->len != n)
            continue;
        const unsigned char *k = (const unsigned char *)ac->pool + w->off;
        size_t j = 0;
        while (j < n && k[j] == lc[s[j]])
            j++;
        if (j == n)
            return w->id;
    }
}

static uint32_t step(const pw_vocab_ac *ac, uint32_t state, uint32_t w)
{
    for (;;) {
        if (state == 0)
            return ac->root_next[w];
        uint32_t c = edge_get(ac, state, w);
        if (c)
            return c;
        state = ac->fail[state];
    }
}

static int emit(const pw_vocab_ac *ac, uint32_t state, size_t end, pw_vocab_sink *sink)
{
    uint32_t o = ac->out_entry[state] != NONE ? state : ac->dict[state];
    for (; o != 0; o = ac->dict[o])
        if (pw_vocab_sink_push(sink, end - ac->out_len[o], end, ac->out_entry[o]) != 0)
            return -1;
    return 0;
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
        uint32_t h = HASH_SEED;
        for (; i < n && lc[t[i]]; i++)
            h = hash_step(h, lc[t[i]]);
        if (!(ws > 0 && prev_end == ws - 1 && t[ws - 1] == ' '))
            state = 0;
        prev_end = i;
        uint32_t w = lookup_word(ac, lc, h, t + ws, i - ws);
        state = w ? step(ac, state, w) : 0;
        if (state && emit(ac, state, i, sink) != 0)
            return -1;
    }
    return 0;
}
