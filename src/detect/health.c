/*
 * health.c — health context: split a segment into words (ASCII letter/digit runs, camelCase split:
 * "breastCancer"; slugs, punctuation and non-ASCII separate), run the vocabulary matcher
 * (vocab.h) over them and turn its matches into HEALTH or CARE_INTENT hits. With the automaton
 * back end the vocabulary splits the segment's own bytes into words in the same pass that looks
 * them up (pw_vocab_scan_raw); the Hyperscan back end gets them written out as normalised
 * lower-case text with a map back to segment bytes. Both give the
 * same matches. Generic words ("hospital", "clinic") never count on their own.
 * pw_health_scan_across keeps only the matches that run across given separators (URL path
 * phrases, path_phrase.c).
 */
#include <stdlib.h>

#include "detect/internal.h"

static int ensure_norm(pw_detect_scratch *s, size_t need)
{
    if (need <= s->norm_cap)
        return 1;
    size_t cap = s->norm_cap ? s->norm_cap : 256;
    while (cap < need)
        cap *= 2;
    char *t = realloc(s->norm, cap);
    if (!t)
        return 0;
    s->norm = t;
    uint32_t *m = realloc(s->norm_map, cap * sizeof *m);
    if (!m)
        return 0;
    s->norm_map = m;
    s->norm_cap = cap;
    return 1;
}

/* Normalise g into s->norm; returns the length (0 when there is nothing to match). */
static size_t normalise(pw_detect_scratch *s, const pw_seg *g)
{
    if (!ensure_norm(s, g->n * 2 + 2))
        return 0;
    char *out = s->norm;
    uint32_t *map = s->norm_map;
    size_t o = 0;
    int pending_space = 0;
    size_t run_end = 0, run_len = 0;
    for (size_t i = 0; i < g->n; i++) {
        int c = (unsigned char)g->s[i];
        if (!pw_isalnum(c)) {
            pending_space = o > 0;
            continue;
        }
        if (i >= run_end) { /* a new alphanumeric run: measure it once */
            run_end = i;
            while (run_end < g->n && pw_isalnum((unsigned char)g->s[run_end]))
                run_end++;
            run_len = run_end - i;
        }
        if ((pending_space || pw_vocab_camel_break(g->s, g->n, i, run_len)) && o > 0) {
            out[o] = ' ';
            map[o++] = (uint32_t)i;
        }
        pending_space = 0;
        out[o] = (char)pw_tolower(c);
        map[o++] = (uint32_t)i;
    }
    out[o] = '\0';
    return o;
}

/* Segments longer than this take the normalised-text path (its length limit decides there). */
#define RAW_SCAN_MAX ((size_t)1 << 30)

/* Original byte offsets a match must cover to count (n == 0: every match counts). */
typedef struct cut_set {
    const size_t *at;
    size_t n;
} cut_set;

static void add_match(pw_scan *sc, const pw_seg *g, const pw_vocab_entry *e, size_t i, size_t j,
                      const cut_set *cuts);

/* Generic matches are dropped, and a generic phrase shields the care-intent phrase that starts
 * inside it: "supplier portal login" is no patient portal. *generic_end is the furthest end of
 * the generic matches so far (matches come sorted by start). 1 if the match is to be skipped. */
static int skip_match(const pw_vocab_entry *e, size_t start, size_t end, size_t *generic_end)
{
    if (!e)
        return 1;
    if (e->cls == PW_VOCAB_GENERIC) {
        if (end > *generic_end)
            *generic_end = end;
        return 1;
    }
    return e->cls == PW_VOCAB_CARE_INTENT && start < *generic_end;
}

/* Hits from raw-span matches on g's bytes (sorted by start), those covering a cut. */
static inline __attribute__((always_inline)) void add_raw_matches(pw_scan *sc, const pw_seg *g,
                                                                  const pw_vocab_match *m,
                                                                  size_t nm, const cut_set *cuts)
{
    const pw_vocab *v = sc->d->vocab;
    size_t generic_end = 0;
    for (size_t k = 0; k < nm; k++) {
        const pw_vocab_entry *e = pw_vocab_entry_at(v, m[k].entry);
        if (skip_match(e, m[k].start, m[k].end, &generic_end) || m[k].end <= m[k].start ||
            m[k].end > g->n)
            continue;
        add_match(sc, g, e, m[k].start, m[k].end, cuts);
    }
}

/* The automaton over the segment's own bytes; 0 when this path cannot serve (the caller then
 * normalises). */
static int scan_raw(pw_scan *sc, const pw_seg *g, const cut_set *cuts)
{
    const pw_vocab *v = sc->d->vocab;
    if (g->n > RAW_SCAN_MAX || pw_vocab_backend_of(v) != PW_VOCAB_BACKEND_AC)
        return 0;
    const pw_vocab_match *m = NULL;
    size_t nm = 0;
    pw_status st = pw_vocab_scan_raw(v, sc->s->vocab, g->s, g->n, &m, &nm, sc->err);
    if (st != PW_OK) {
        sc->st = st;
        return 1;
    }
    add_raw_matches(sc, g, m, nm, cuts);
    return 1;
}

static const char *class_subtype(pw_vocab_class c)
{
    static const char *const names[] = {"condition",        "symptom",   "procedure",
                                        "medication",       "specialty", "care-service",
                                        "sensitive-service"};
    return (unsigned)c <= PW_VOCAB_SENSITIVE_SERVICE ? names[c] : "condition";
}

/* 1 if seg bytes [i, j) cover one of the cut offsets (or there are none). */
static int covers_cut(const pw_seg *g, size_t i, size_t j, const cut_set *cuts)
{
    if (cuts->n == 0)
        return 1;
    size_t start = 0, end = 0;
    pw_seg_span(g, i, j, &start, &end);
    for (size_t k = 0; k < cuts->n; k++)
        if (start <= cuts->at[k] && cuts->at[k] < end)
            return 1;
    return 0;
}

static void add_match(pw_scan *sc, const pw_seg *g, const pw_vocab_entry *e, size_t i, size_t j,
                      const cut_set *cuts)
{
    if (!covers_cut(g, i, j, cuts))
        return;
    size_t before = sc->s->n_hits;
    const char *canon = e->canonical ? e->canonical : e->term;
    if (e->cls == PW_VOCAB_CARE_INTENT)
        pw_scan_add(sc, g, i, j, PW_PHI_CARE_INTENT, e->subtype ? e->subtype : "care", canon, 0.8f,
                    PW_REASON_VOCABULARY, e->term);
    else
        pw_scan_add(sc, g, i, j, PW_PHI_HEALTH, class_subtype(e->cls), canon,
                    e->sensitivity == PW_SENS_HIGH ? 0.95f : 0.85f, PW_REASON_VOCABULARY, e->term);
    if (sc->s->n_hits > before)
        sc->s->hits[before].sensitivity = e->sensitivity;
}

static void health_scan(pw_scan *sc, const pw_seg *g, const cut_set *cuts)
{
    if (!pw_vocab_size(sc->d->vocab) || scan_raw(sc, g, cuts))
        return;
    size_t n = normalise(sc->s, g);
    if (n == 0)
        return;
    pw_vocab_match *m = NULL;
    size_t nm = 0;
    pw_status st =
        pw_vocab_scan(sc->d->vocab, sc->s->vocab, sc->a, sc->s->norm, n, &m, &nm, sc->err);
    if (st != PW_OK) {
        sc->st = st;
        return;
    }
    size_t generic_end = 0;
    for (size_t k = 0; k < nm; k++) {
        const pw_vocab_entry *e = pw_vocab_entry_at(sc->d->vocab, m[k].entry);
        if (skip_match(e, m[k].start, m[k].end, &generic_end) || m[k].end <= m[k].start ||
            m[k].end > n)
            continue;
        size_t i = sc->s->norm_map[m[k].start], j = sc->s->norm_map[m[k].end - 1] + 1;
        add_match(sc, g, e, i, j, cuts);
    }
}

void pw_health_scan(pw_scan *sc, const pw_seg *g)
{
    const cut_set all = {NULL, 0};
    health_scan(sc, g, &all);
}

void pw_health_scan_across(pw_scan *sc, const pw_seg *g, const size_t *cuts, size_t n_cuts)
{
    if (n_cuts == 0)
        return;
    const cut_set some = {cuts, n_cuts};
    health_scan(sc, g, &some);
}
