/*
 * vocab.c — the health-context vocabulary: the built-in table (generated at build time from
 * data/vocab/<name>.tsv), an optional user file merged at runtime, the choice of matcher back end
 * (Hyperscan database deserialised from the library, or word-level Aho-Corasick), and
 * pw_vocab_scan, which turns the back end's raw occurrences into whole-word matches sorted by
 * start with the longest kept at each start.
 */
#include "detect/vocab.h"

#include <stdlib.h>
#include <string.h>

#include "detect/vocab_ac.h"
#include "detect/vocab_ac_lookup.h"
#include "detect/vocab_builtin.h"
#include "detect/vocab_tsv.h"

/* Inputs larger than this are refused (hs_scan takes an unsigned int length). */
#define PW_VOCAB_SCAN_MAX ((size_t)1 << 31)

struct pw_vocab {
    pw_arena arena; /* user entries, maps, lengths */
    const pw_vocab_entry *builtin;
    size_t n_builtin;
    pw_vocab_entry *user;
    size_t n_user;
    const uint32_t *len;     /* entry → term length (the built-in table's own when alone) */
    uint32_t *builtin_map;   /* built-in pattern → entry (a user entry may replace it); NULL:
                                identity (no user entries) */
    pw_vocab_pattern *extra; /* user terms not in the built-in table */
    size_t n_extra;
    pw_vocab_backend backend;
    pw_vocab_hs_db *hs_builtin, *hs_extra;
    pw_vocab_ac *ac;
};

struct pw_vocab_scratch {
    void *hs;
    pw_vocab_sink sink;
    pw_vocab_wordbuf words; /* pw_vocab_scan_raw */
};

const char *pw_vocab_backend_name(pw_vocab_backend b)
{
    switch (b) {
    case PW_VOCAB_BACKEND_AUTO: return "auto";
    case PW_VOCAB_BACKEND_HYPERSCAN: return "hyperscan";
    case PW_VOCAB_BACKEND_AC: return "ac";
    }
    return "unknown";
}

size_t pw_vocab_size(const pw_vocab *v)
{
    return v->n_builtin + v->n_user;
}

const pw_vocab_entry *pw_vocab_entry_at(const pw_vocab *v, uint32_t i)
{
    if (i < v->n_builtin)
        return &v->builtin[i];
    if (i - v->n_builtin < v->n_user)
        return &v->user[i - v->n_builtin];
    return NULL;
}

size_t pw_vocab_term_len(const pw_vocab *v, uint32_t i)
{
    return i < pw_vocab_size(v) ? v->len[i] : 0;
}

pw_vocab_backend pw_vocab_backend_of(const pw_vocab *v)
{
    return v->backend;
}

/* ---- merging the user file ---- */

typedef struct term_index {
    uint32_t *slot; /* entry + 1, 0 = empty */
    uint32_t mask;
} term_index;

static uint32_t term_hash(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

/* Find the entry with this term, or insert `entry`; returns the existing entry or UINT32_MAX. */
static uint32_t index_find_or_add(term_index *ix, const pw_vocab *v, uint32_t entry)
{
    const char *t = pw_vocab_entry_at(v, entry)->term;
    size_t n = v->len[entry];
    for (uint32_t i = term_hash(t, n) & ix->mask;; i = (i + 1) & ix->mask) {
        if (ix->slot[i] == 0) {
            ix->slot[i] = entry + 1;
            return UINT32_MAX;
        }
        uint32_t e = ix->slot[i] - 1;
        if (v->len[e] == n && memcmp(pw_vocab_entry_at(v, e)->term, t, n) == 0)
            return e;
    }
}

static pw_status load_user(pw_vocab *v, const pw_vocab_opts *o, pw_vocab_list *list, pw_err *err)
{
    if (o->user_file) {
        char *data;
        size_t n;
        pw_status st = pw_vocab_read_file(o->user_file, &data, &n, err);
        if (st != PW_OK)
            return st;
        st = pw_vocab_tsv_parse(o->user_file, data, n, list, err);
        free(data);
        return st;
    }
    if (o->user_data)
        return pw_vocab_tsv_parse(o->user_name ? o->user_name : "<memory>", o->user_data,
                                  o->user_len, list, err);
    return PW_OK;
}

/* Entries, lengths and the pattern maps: a user term already built in replaces that entry;
 * a user term repeated in the file keeps its first line. */
static pw_status merge_entries(pw_vocab *v, pw_vocab_list *list, pw_err *err)
{
    static const uint32_t no_len[1] = {0};
    size_t total = v->n_builtin + list->n;
    v->n_user = list->n;
    v->extra = pw_arena_calloc(&v->arena, list->n + 1, sizeof *v->extra);
    if (!v->extra)
        return pw_err_set(err, PW_ERR_NOMEM, "vocabulary: out of memory");
    if (list->n == 0) { /* the built-in table alone: lengths built in, no map (startup) */
        v->len = v->n_builtin ? pw_vocab_builtin_len : no_len;
        return PW_OK;
    }
    v->user = pw_arena_memdup(&v->arena, list->items, list->n * sizeof *list->items);
    uint32_t *len = pw_arena_calloc(&v->arena, total + 1, sizeof *len);
    v->builtin_map = pw_arena_calloc(&v->arena, v->n_builtin + 1, sizeof *v->builtin_map);
    if (!v->user || !len || !v->builtin_map)
        return pw_err_set(err, PW_ERR_NOMEM, "vocabulary: out of memory");
    if (v->n_builtin)
        memcpy(len, pw_vocab_builtin_len, v->n_builtin * sizeof *len);
    for (size_t i = v->n_builtin; i < total; i++)
        len[i] = (uint32_t)strlen(pw_vocab_entry_at(v, (uint32_t)i)->term);
    v->len = len;
    for (size_t i = 0; i < v->n_builtin; i++)
        v->builtin_map[i] = (uint32_t)i;
    uint32_t cap = 16;
    while (cap < total * 2)
        cap <<= 1;
    term_index ix = {pw_arena_calloc(&v->arena, cap, sizeof(uint32_t)), cap - 1};
    if (!ix.slot)
        return pw_err_set(err, PW_ERR_NOMEM, "vocabulary: out of memory");
    for (size_t i = 0; i < v->n_builtin; i++)
        index_find_or_add(&ix, v, (uint32_t)i);
    for (size_t u = 0; u < v->n_user; u++) {
        uint32_t e = (uint32_t)(v->n_builtin + u), prev = index_find_or_add(&ix, v, e);
        if (prev == UINT32_MAX)
            v->extra[v->n_extra++] = (pw_vocab_pattern){v->user[u].term, v->len[e], e};
        else if (prev < v->n_builtin && v->builtin_map[prev] == prev)
            v->builtin_map[prev] = e;
    }
    return PW_OK;
}

/* Built-in pattern i reports this entry. */
static uint32_t builtin_entry(const pw_vocab *v, size_t i)
{
    return v->builtin_map ? v->builtin_map[i] : (uint32_t)i;
}

/* ---- back ends ---- */

static pw_vocab_backend requested_backend(const pw_vocab_opts *o)
{
    if (o->backend != PW_VOCAB_BACKEND_AUTO)
        return o->backend;
    const char *env = getenv("PHIWALL_VOCAB_BACKEND");
    if (env && strcmp(env, "ac") == 0)
        return PW_VOCAB_BACKEND_AC;
    if (env && (strcmp(env, "hyperscan") == 0 || strcmp(env, "hs") == 0))
        return PW_VOCAB_BACKEND_HYPERSCAN;
    return PW_VOCAB_BACKEND_AUTO;
}

/* The automaton embedded at build time serves when the user file adds or replaces nothing. */
static int can_use_embedded_ac(const pw_vocab *v)
{
    if (v->n_builtin == 0 || v->n_extra > 0 || pw_vocab_builtin_ac_size == 0)
        return 0;
    for (size_t i = 0; v->builtin_map && i < v->n_builtin; i++)
        if (v->builtin_map[i] != i)
            return 0;
    return 1;
}

static pw_status build_ac(pw_vocab *v, pw_err *err)
{
    if (can_use_embedded_ac(v) &&
        pw_vocab_ac_view(pw_vocab_builtin_ac, pw_vocab_builtin_ac_size, &v->ac, NULL) == PW_OK) {
        v->backend = PW_VOCAB_BACKEND_AC;
        return PW_OK;
    }
    size_t n = v->n_builtin + v->n_extra;
    pw_vocab_pattern *p = malloc((n + 1) * sizeof *p);
    if (!p)
        return pw_err_set(err, PW_ERR_NOMEM, "vocabulary: out of memory");
    for (size_t i = 0; i < v->n_builtin; i++)
        p[i] = (pw_vocab_pattern){v->builtin[i].term, v->len[i], builtin_entry(v, i)};
    memcpy(p + v->n_builtin, v->extra, v->n_extra * sizeof *p);
    pw_status st = pw_vocab_ac_build(p, n, &v->ac, err);
    free(p);
    if (st == PW_OK)
        v->backend = PW_VOCAB_BACKEND_AC;
    return st;
}

static pw_status build_hs(pw_vocab *v, pw_err *err)
{
    pw_status st;
    if (v->n_builtin) {
        st = pw_vocab_hs_load(pw_vocab_builtin_hs, pw_vocab_builtin_hs_size, &v->hs_builtin, err);
        if (st != PW_OK)
            return st;
        pw_vocab_hs_set_map(v->hs_builtin, v->builtin_map, v->len);
    }
    if (v->n_extra) {
        st = pw_vocab_hs_compile(v->extra, v->n_extra, &v->hs_extra, err);
        if (st != PW_OK)
            return st;
        pw_vocab_hs_set_map(v->hs_extra, NULL, v->len);
    }
    v->backend = PW_VOCAB_BACKEND_HYPERSCAN;
    return PW_OK;
}

/* AUTO is the word-level Aho-Corasick automaton: on the full vocabulary (60k terms) it scans
 * 3-5x faster than Hyperscan's literal matcher (bench/bench_vocab.c), whose cost grows with the
 * number of literals while the automaton's does not. Hyperscan stays available on request. */
static pw_status choose_backend(pw_vocab *v, const pw_vocab_opts *o, pw_err *err)
{
    pw_vocab_backend want = requested_backend(o);
    if (want != PW_VOCAB_BACKEND_HYPERSCAN)
        return build_ac(v, err);
    int hs_ok = pw_vocab_hs_available() && (v->n_builtin == 0 || pw_vocab_builtin_hs_size > 0);
    if (!hs_ok)
        return pw_err_set(err, PW_ERR_UNSUPPORTED,
                          "vocabulary: this build has no Hyperscan database");
    /* engine-words: the automaton's word table also serves the word splitters' look-ups
     * (pw_vocab_has_word), so that both back ends split "covid19" and "hivclinic" alike */
    pw_status st = build_ac(v, err);
    return st == PW_OK ? build_hs(v, err) : st;
}

/* ---- lifecycle ---- */

/* The built-in entries with their strings as pointers into the compiled-in pool. */
static pw_status unpack_builtin(pw_vocab *v, pw_err *err)
{
    size_t n = pw_vocab_builtin_count;
    pw_vocab_entry *e = n ? pw_arena_alloc(&v->arena, n * sizeof *e) : NULL;
    if (n && !e)
        return pw_err_set(err, PW_ERR_NOMEM, "vocabulary: out of memory");
    const char *pool = pw_vocab_builtin_strings;
    for (size_t i = 0; i < n; i++) {
        const pw_vocab_packed *p = &pw_vocab_builtin_entries[i];
        e[i] = (pw_vocab_entry){
            .term = pool + p->term,
            .canonical = pool + p->canonical,
            .cls = (pw_vocab_class)p->cls,
            .subtype = p->subtype == PW_VOCAB_NO_STRING ? NULL : pool + p->subtype,
            .sensitivity = (pw_sensitivity)p->sensitivity,
            .lay = p->lay,
        };
    }
    v->builtin = e;
    v->n_builtin = n;
    return PW_OK;
}

pw_status pw_vocab_new_opts(const pw_vocab_opts *opts, pw_vocab **out, pw_err *err)
{
    static const pw_vocab_opts defaults = {0};
    const pw_vocab_opts *o = opts ? opts : &defaults;
    *out = NULL;
    pw_vocab *v = calloc(1, sizeof *v);
    if (!v)
        return pw_err_set(err, PW_ERR_NOMEM, "vocabulary: out of memory");
    pw_arena_init(&v->arena, 0);
    pw_status st = o->no_builtin ? PW_OK : unpack_builtin(v, err);
    pw_vocab_list list = {.arena = &v->arena};
    if (st == PW_OK)
        st = load_user(v, o, &list, err);
    if (st == PW_OK)
        st = merge_entries(v, &list, err);
    pw_vocab_list_free(&list);
    if (st == PW_OK)
        st = choose_backend(v, o, err);
    if (st != PW_OK) {
        pw_vocab_free(v);
        return st;
    }
    *out = v;
    return PW_OK;
}

pw_status pw_vocab_new(const char *user_file, pw_vocab **out, pw_err *err)
{
    pw_vocab_opts o = {.user_file = user_file};
    return pw_vocab_new_opts(&o, out, err);
}

void pw_vocab_free(pw_vocab *v)
{
    if (!v)
        return;
    pw_vocab_hs_free(v->hs_builtin);
    pw_vocab_hs_free(v->hs_extra);
    pw_vocab_ac_free(v->ac);
    pw_arena_free(&v->arena);
    free(v);
}

pw_status pw_vocab_scratch_new(const pw_vocab *v, pw_vocab_scratch **out, pw_err *err)
{
    *out = NULL;
    pw_vocab_scratch *s = calloc(1, sizeof *s);
    if (!s)
        return pw_err_set(err, PW_ERR_NOMEM, "vocabulary: out of memory");
    pw_vocab_hs_db *dbs[] = {v->hs_builtin, v->hs_extra};
    for (size_t i = 0; i < 2; i++) {
        if (!dbs[i])
            continue;
        pw_status st = pw_vocab_hs_scratch(dbs[i], &s->hs, err);
        if (st != PW_OK) {
            pw_vocab_scratch_free(s);
            return st;
        }
    }
    *out = s;
    return PW_OK;
}

void pw_vocab_scratch_free(pw_vocab_scratch *s)
{
    if (!s)
        return;
    if (s->hs)
        pw_vocab_hs_scratch_free(s->hs);
    free(s->sink.m);
    free(s->words.w);
    free(s);
}

/* ---- scanning ---- */

static int by_start_longest(const void *a, const void *b)
{
    const pw_vocab_match *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    if (x->end != y->end)
        return x->end > y->end ? -1 : 1;
    return 0;
}

/* Both back ends report matches by end offset, so sorting by start only moves each match past
 * the few that end inside it: insertion sort, with qsort as the fallback if the input is far
 * from sorted (the move budget runs out). */
static void sort_matches(pw_vocab_match *m, size_t n)
{
    size_t budget = 64 * n + 64;
    for (size_t i = 1; i < n; i++) {
        pw_vocab_match x = m[i];
        size_t j = i;
        while (j > 0 && by_start_longest(&m[j - 1], &x) > 0) {
            m[j] = m[j - 1];
            j--;
            if (--budget == 0) {
                m[j] = x;
                qsort(m, n, sizeof *m, by_start_longest);
                return;
            }
        }
        m[j] = x;
    }
}

/* Sort and keep the longest at each start, in place; returns the count. */
static size_t longest_per_start(pw_vocab_sink *sink)
{
    if (sink->n == 0)
        return 0;
    sort_matches(sink->m, sink->n);
    size_t k = 0;
    for (size_t i = 0; i < sink->n; i++)
        if (k == 0 || sink->m[i].start != sink->m[k - 1].start)
            sink->m[k++] = sink->m[i];
    return k;
}

/* Sort, keep the longest at each start, copy into the arena. */
static pw_status finish(pw_vocab_sink *sink, pw_arena *a, pw_vocab_match **out, size_t *n_out,
                        pw_err *err)
{
    *out = NULL;
    *n_out = 0;
    if (sink->n == 0)
        return PW_OK;
    size_t k = longest_per_start(sink);
    pw_vocab_match *m = pw_arena_memdup(a, sink->m, k * sizeof *m);
    if (!m)
        return pw_err_set(err, PW_ERR_NOMEM, "vocabulary: out of memory for matches");
    *out = m;
    *n_out = k;
    return PW_OK;
}

size_t pw_vocab_drop_contained(pw_vocab_match *m, size_t n)
{
    size_t k = 0, reach = 0; /* reach: furthest end among the matches kept so far */
    for (size_t i = 0; i < n; i++) {
        if (k > 0 && m[i].end <= reach)
            continue; /* starts later (sorted) and ends no further: inside a kept match */
        if (m[i].end > reach)
            reach = m[i].end;
        m[k++] = m[i];
    }
    return k;
}

pw_status pw_vocab_scan(const pw_vocab *v, pw_vocab_scratch *s, pw_arena *a, const char *text,
                        size_t n, pw_vocab_match **out, size_t *n_out, pw_err *err)
{
    *out = NULL;
    *n_out = 0;
    if (n > PW_VOCAB_SCAN_MAX)
        return pw_err_set(err, PW_ERR_LIMIT, "vocabulary: text of %zu bytes is over the %zu limit",
                          n, PW_VOCAB_SCAN_MAX);
    s->sink.n = 0;
    if (v->backend == PW_VOCAB_BACKEND_AC) {
        if (pw_vocab_ac_scan(v->ac, text, n, &s->sink) != 0)
            return pw_err_set(err, PW_ERR_NOMEM, "vocabulary: out of memory for matches");
        return finish(&s->sink, a, out, n_out, err);
    }
    pw_vocab_hs_db *dbs[] = {v->hs_builtin, v->hs_extra};
    for (size_t i = 0; i < 2; i++) {
        if (!dbs[i])
            continue;
        pw_status st = pw_vocab_hs_scan(dbs[i], s->hs, text ? text : "", n, &s->sink, err);
        if (st != PW_OK)
            return st;
    }
    return finish(&s->sink, a, out, n_out, err);
}

pw_status pw_vocab_scan_words(const pw_vocab *v, pw_vocab_scratch *s, const char *text, size_t n,
                              const pw_vocab_word *w, size_t nw, const pw_vocab_match **out,
                              size_t *n_out, pw_err *err)
{
    *out = NULL;
    *n_out = 0;
    if (v->backend != PW_VOCAB_BACKEND_AC)
        return pw_err_set(err, PW_ERR_UNSUPPORTED, "vocabulary: word scan needs the automaton");
    s->sink.n = 0;
    if (pw_vocab_ac_scan_words(v->ac, text, n, w, nw, &s->sink) != 0)
        return pw_err_set(err, PW_ERR_NOMEM, "vocabulary: out of memory for matches");
    *n_out = longest_per_start(&s->sink);
    *out = s->sink.m;
    return PW_OK;
}

/* The refusals of a raw scan, out of the scan's own (hot) path. */
static __attribute__((noinline, cold)) pw_status raw_refused(const pw_vocab *v, size_t n, int sep,
                                                             pw_err *err)
{
    if (v->backend != PW_VOCAB_BACKEND_AC)
        return pw_err_set(err, PW_ERR_UNSUPPORTED, "vocabulary: raw scan needs the automaton");
    if (n > UINT32_MAX)
        return pw_err_set(err, PW_ERR_LIMIT, "vocabulary: text of %zu bytes is too large", n);
    return pw_err_set(err, PW_ERR_INVALID, "vocabulary: separator %d is not a byte outside words",
                      sep);
}

static __attribute__((noinline, cold)) pw_status raw_out_of_memory(pw_err *err)
{
    return pw_err_set(err, PW_ERR_NOMEM, "vocabulary: out of memory for matches");
}

/* The sink's matches, sorted, the longest kept at each start. */
static pw_status raw_done(pw_vocab_scratch *s, const pw_vocab_match **out, size_t *n_out)
{
    *n_out = s->sink.n ? longest_per_start(&s->sink) : 0;
    *out = s->sink.m;
    return PW_OK;
}

pw_status pw_vocab_scan_raw_sep(const pw_vocab *v, pw_vocab_scratch *s, const char *text, size_t n,
                                int sep, const pw_vocab_match **out, size_t *n_out, pw_err *err)
{
    *out = NULL;
    *n_out = 0;
    if (sep < 0)
        return pw_vocab_scan_raw(v, s, text, n, out, n_out, err);
    if (v->backend != PW_VOCAB_BACKEND_AC || n > UINT32_MAX || sep > 255 ||
        pw_vocab_is_word_byte((unsigned char)sep))
        return raw_refused(v, n, sep, err);
    s->sink.n = 0;
    if (pw_vocab_ac_scan_raw_sep(v->ac, text, n, sep, &s->words, &s->sink) != 0)
        return raw_out_of_memory(err);
    return raw_done(s, out, n_out);
}

pw_status pw_vocab_scan_raw(const pw_vocab *v, pw_vocab_scratch *s, const char *text, size_t n,
                            const pw_vocab_match **out, size_t *n_out, pw_err *err)
{
    *out = NULL;
    *n_out = 0;
    if (v->backend != PW_VOCAB_BACKEND_AC || n > UINT32_MAX)
        return raw_refused(v, n, -1, err);
    s->sink.n = 0;
    if (pw_vocab_ac_scan_raw(v->ac, text, n, &s->words, &s->sink) != 0)
        return raw_out_of_memory(err);
    return raw_done(s, out, n_out);
}

pw_status pw_vocab_scan_raw_masks(const pw_vocab *v, pw_vocab_scratch *s, const char *text,
                                  size_t n, const uint64_t *alpha, const uint64_t *upper,
                                  const uint64_t *digit, const pw_vocab_match **out, size_t *n_out,
                                  pw_err *err)
{
    *out = NULL;
    *n_out = 0;
    if (v->backend != PW_VOCAB_BACKEND_AC || n > UINT32_MAX)
        return raw_refused(v, n, -1, err);
    s->sink.n = 0;
    if (pw_vocab_ac_scan_raw_masks(v->ac, text, n, alpha, upper, digit, &s->words, &s->sink) != 0)
        return raw_out_of_memory(err);
    return raw_done(s, out, n_out);
}

int pw_vocab_may_join(const pw_vocab *v, const char *text, size_t n, size_t a, size_t an, size_t b,
                      size_t bn)
{
    if (v->backend != PW_VOCAB_BACKEND_AC || a + an > n || b + bn > n)
        return 1;
    return pw_vocab_ac_may_join(v->ac, text, n, a, an, b, bn);
}

int pw_vocab_has_word(const pw_vocab *v, const char *s, size_t n)
{
    if (!v->ac || n == 0)
        return 0;
    return pw_ac_word_id(v->ac, (const unsigned char *)s, n, n, 0) != 0;
}

size_t pw_vocab_segment(const pw_vocab *v, const char *s, size_t n, uint8_t *ends, size_t max)
{
    return pw_vocab_ac_segment(v->ac, s, n, ends, max);
}
