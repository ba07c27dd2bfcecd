/*
 * health.c — health context: split a segment into words (ASCII letter/digit runs, camelCase split:
 * "breastCancer", letters apart from glued digits: "cancer2024"; slugs, punctuation and non-ASCII
 * separate), run the vocabulary matcher
 * (vocab.h) over them and turn its matches into HEALTH or CARE_INTENT hits. With the automaton
 * back end the vocabulary splits the segment's own bytes into words in the same pass that looks
 * them up (pw_vocab_scan_raw); the Hyperscan back end gets them written out as normalised
 * lower-case text with a map back to segment bytes. Both give the
 * same matches. Generic words ("hospital", "clinic") never count on their own.
 * pw_health_scan_across keeps only the matches that run across given separators (URL path
 * phrases, path_phrase.c). A segment without a space also has its run-together words split
 * ("hivclinic", "breastcancerawareness"; vocab_seg.c), and text with spaces its hashtags
 * ("#breastcancer"): a term among them counts only when the whole run splits into known words.
 * Languages (docs/detect.md): CJK ideographs and Hangul syllables are written as one word each
 * (pw_vocab_cjk_token), Cyrillic and Arabic words as their light stem's token
 * (pw_vocab_script_word), for a second scan, so that a Chinese term matches inside a run of
 * ideographs with no space, a Korean one before a particle and a Russian or Arabic one in its
 * inflected forms;
 * a German compound that holds a listed part ("Darmkrebsvorsorge": krebs) counts as that part.
 */
#include <stdlib.h>
#include <string.h>

#include "detect/internal.h"
#include "detect/seg_memo_impl.h"
#include "detect/vocab_tsv.h"

#include "de_parts.h"

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

/* Write src[from, to) as one lower-case word at out[*o], after a space unless it is first, with
 * each byte's offset in src in map (a space maps to the word after it). */
static void put_word(char *out, uint32_t *map, const char *src, size_t from, size_t to, size_t *o)
{
    if (*o > 0) {
        out[*o] = ' ';
        map[(*o)++] = (uint32_t)from;
    }
    for (size_t i = from; i < to; i++) {
        out[*o] = (char)pw_tolower((unsigned char)src[i]);
        map[(*o)++] = (uint32_t)i;
    }
}

/* The end of the letter/digit run of g that starts at i. */
static size_t run_end(const pw_seg *g, size_t i)
{
    while (i < g->n && pw_isalnum((unsigned char)g->s[i]))
        i++;
    return i;
}

/* One word of g, split where letters and digits meet as the raw scan splits it ("cancer2024";
 * not "covid19", a vocabulary word: pw_vocab_digit_cut). */
static void put_piece(const pw_vocab *v, pw_detect_scratch *s, const pw_seg *g, size_t from,
                      size_t to, size_t *o)
{
    size_t cut = pw_vocab_digit_cut(g->s + from, to - from);
    if (cut && !pw_vocab_has_word(v, g->s + from, to - from)) {
        put_word(s->norm, s->norm_map, g->s, from, from + cut, o);
        from += cut;
    }
    put_word(s->norm, s->norm_map, g->s, from, to, o);
}

/* Normalise g into s->norm; returns the length (0 when there is nothing to match). */
static size_t normalise(const pw_vocab *v, pw_detect_scratch *s, const pw_seg *g)
{
    if (!ensure_norm(s, g->n * 2 + 2))
        return 0;
    size_t o = 0, i = 0;
    while (i < g->n) {
        if (!pw_isalnum((unsigned char)g->s[i])) {
            i++;
            continue;
        }
        size_t e = run_end(g, i), from = i;
        for (size_t k = i + 1; k < e; k++)
            if (pw_vocab_camel_break(g->s, g->n, k, e - i)) {
                put_piece(v, s, g, from, k, &o);
                from = k;
            }
        put_piece(v, s, g, from, e, &o);
        i = e;
    }
    s->norm[o] = '\0';
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

/* ---- engine-words: run-together words ("hivclinic", "breastcancerawareness", "STDtest") ---- */

#define SEG_RUNS 8 /* runs split per segment, at most */
#define SEG_MIN \
    7 /* shorter runs are not split: six letters are mostly a name or one word ("hannah") */

typedef struct seg_run {
    size_t b, e;
} seg_run;

/* Which runs of a segment are split: every run of a segment without a space (URL slugs and
 * values, hosts, one-token JSON values and form values), and in text with spaces only hashtags
 * ("Proud to walk for #breastcancer awareness", "#hivtesting"): prose writes its other words
 * apart, and splitting every long unknown word of it would cost more than it finds. Text without
 * a '#' pays one memchr. */
typedef enum seg_mode { SEG_NONE = 0, SEG_ALL, SEG_HASHTAGS } seg_mode;

static seg_mode seg_wanted(const pw_seg *g, const cut_set *cuts)
{
    if (cuts->n != 0 || g->n < SEG_MIN || !g->sum)
        return SEG_NONE;
    if (!(g->sum->cls & PW_SUM_SPACE))
        return SEG_ALL;
    if (!(g->sum->cls & PW_SUM_HASH)) /* the summary saw no '#' */
        return SEG_NONE;
    return memchr(g->s, '#', g->n) ? SEG_HASHTAGS : SEG_NONE;
}

/* 1 if some match (raw spans, or normalised ones through map) overlaps g's bytes [b, e). */
static int run_matched(const pw_vocab_match *m, size_t nm, const uint32_t *map, size_t b, size_t e)
{
    for (size_t k = 0; k < nm; k++) {
        size_t i = m[k].start, j = m[k].end;
        if (map && j > i)
            i = map[i], j = map[j - 1] + 1;
        if (i < e && b < j)
            return 1;
    }
    return 0;
}

/* The letters of the run g[b..e) worth splitting into [*lb, *le): the whole run, or its letters
 * beside its digits ("breastcancer2024"); SEG_MIN to PW_VOCAB_SEG_MAX letters, no camelCase
 * break (those runs are split already: "BreastCancerAwareness"), not a vocabulary word itself.
 * 0 when there are none. */
static int run_letters(const pw_vocab *v, const pw_seg *g, size_t b, size_t e, size_t *lb,
                       size_t *le)
{
    const char *s = g->s;
    int digits = 0;
    for (size_t i = b; i < e && !digits; i++)
        digits = pw_isdigit((unsigned char)s[i]);
    if (digits) {
        size_t cut = pw_vocab_digit_cut(s + b, e - b);
        if (!cut)
            return 0;
        if (pw_isdigit((unsigned char)s[b]))
            b += cut;
        else
            e = b + cut;
    }
    if (e - b < SEG_MIN || e - b > PW_VOCAB_SEG_MAX)
        return 0;
    for (size_t i = b + 1; i < e; i++)
        if (pw_isupper((unsigned char)s[i]) && pw_islower((unsigned char)s[i - 1]))
            return 0;
    if (pw_vocab_has_word(v, s + b, e - b))
        return 0;
    *lb = b;
    *le = e;
    return 1;
}

/* Bit b: bytes b..b+len-1 of the 64-byte word whose mask is x (nx: the next word's) are all set
 * in the masks: a run of len+ such bytes covers them. */
static inline uint64_t run_bits(uint64_t x, uint64_t nx, unsigned len)
{
    /* doubling: y bit b holds bytes b..b+c-1 (ny: the same from the next word's bit 0, exact for
     * the low bits y reads), then one more step of len - c <= c */
    uint64_t y = x, ny = nx;
    unsigned c = 1;
    for (; 2 * c <= len; c *= 2) {
        y &= y >> c | ny << (64 - c);
        ny &= ny >> c;
    }
    if (c < len)
        y &= y >> (len - c) | ny << (64 - (len - c));
    return y;
}

/* The run of g at i, kept in out[*nr] when it is worth splitting and no match touches it (a run
 * with a hit says enough); its end. */
static inline __attribute__((always_inline)) size_t seg_run_at(const pw_vocab *v, const pw_seg *g,
                                                               size_t i, const pw_vocab_match *m,
                                                               size_t nm, const uint32_t *map,
                                                               seg_run *out, size_t *nr)
{
    size_t e = run_end(g, i), lb, le;
    if (e - i >= SEG_MIN && run_letters(v, g, i, e, &lb, &le) && !run_matched(m, nm, map, lb, le))
        out[(*nr)++] = (seg_run){lb, le};
    return e;
}

/* The runs of g to split (mode SEG_ALL: every letter run, SEG_HASHTAGS: those right after a
 * '#', found by memchr). */
static size_t seg_runs(const pw_vocab *v, const pw_seg *g, seg_mode mode, const pw_vocab_match *m,
                       size_t nm, const uint32_t *map, seg_run *out)
{
    size_t nr = 0, i = 0;
    if (mode == SEG_HASHTAGS) {
        for (const char *h = memchr(g->s, '#', g->n); h && nr < SEG_RUNS;) {
            i = (size_t)(h - g->s) + 1;
            if (i < g->n && pw_isalnum((unsigned char)g->s[i]))
                i = seg_run_at(v, g, i, m, nm, map, out, &nr);
            h = i < g->n ? memchr(g->s + i, '#', g->n - i) : NULL;
        }
        return nr;
    }
    const pw_seg_masks *mk = g->sum ? g->sum->masks : NULL;
    if (mk) { /* engine-speed5: only the starts of runs of SEG_MIN+ letters/digits, from the masks
               */
        uint64_t carry = 0; /* the last byte of the previous word is a letter or digit */
        for (size_t w = 0; w < mk->words && nr < SEG_RUNS; w++) {
            uint64_t a = pw_mask(mk, PW_MK_ALPHA, w) | pw_mask(mk, PW_MK_DIGIT, w);
            uint64_t na = w + 1 < mk->words
                              ? pw_mask(mk, PW_MK_ALPHA, w + 1) | pw_mask(mk, PW_MK_DIGIT, w + 1)
                              : 0;
            uint64_t starts = run_bits(a, na, SEG_MIN) & ~(a << 1 | carry);
            carry = a >> 63;
            for (; starts && nr < SEG_RUNS; starts &= starts - 1)
                seg_run_at(v, g, (w << 6) + (size_t)__builtin_ctzll(starts), m, nm, map, out, &nr);
        }
        return nr;
    }
    while (i < g->n && nr < SEG_RUNS) {
        if (!pw_isalnum((unsigned char)g->s[i])) {
            i++;
            continue;
        }
        i = seg_run_at(v, g, i, m, nm, map, out, &nr);
    }
    return nr;
}

/* 1 if the match m of text is a specialty named by one word ("radiology", "oncology"): run into
 * other words, that is an organisation's name far more often than a visitor's care
 * ("radiologypartners", "cardiologyassociates", "oncologyconsultants"), so it is not reported;
 * a specialty phrase is ("hivclinic", "diabetescare"). */
static int specialty_word(const pw_vocab_entry *e, const char *text, const pw_vocab_match *m)
{
    return e->cls == PW_VOCAB_SPECIALTY && !memchr(text + m->start, ' ', m->end - m->start);
}

/* pw_vocab_segment of the run s[0..n), through the scratch's split memo (engine-real10): a split
 * is a function of the run's bytes and the vocabulary, and a site's names come back in value
 * after value of its tracker URLs ("cityofhope", "homepage", "activityi": 466 runs, 242
 * distinct, in the 1,055 Blacklight request URLs; 3,559 and 303 in the generated corpus), each
 * a shortest-path pass of ~550-1,400 instructions. */
static size_t split_run(const pw_scan *sc, const char *s, size_t n, uint8_t *ends)
{
    const pw_vocab *v = sc->d->vocab;
    if (!sc->memo || n > PW_VOCAB_SEG_MAX)
        return pw_vocab_segment(v, s, n, ends, PW_VOCAB_SEG_MAX);
    uint64_t h = mix_bytes(0x2545f4914f6cdd1dull ^ n, s, n);
    split_memo_entry *e = &sc->memo->split[memo_slot(h, PW_SPLIT_MEMO_SLOTS)];
    if (e->hash == h && e->n == n && same_bytes(e->bytes, s, n)) {
        memcpy(ends, e->ends, e->k);
        return e->k;
    }
    size_t k = pw_vocab_segment(v, s, n, ends, PW_VOCAB_SEG_MAX);
    if (k <= PW_SPLIT_MEMO_WORDS) {
        e->hash = h;
        e->n = (uint8_t)n;
        e->k = (uint8_t)k;
        memcpy(e->ends, ends, k);
        memcpy(e->bytes, s, n);
    }
    return k;
}

/* Split one run into known words and report the terms among them. */
static void seg_scan_run(pw_scan *sc, const pw_seg *g, seg_run r, const cut_set *cuts)
{
    const pw_vocab *v = sc->d->vocab;
    uint8_t ends[PW_VOCAB_SEG_MAX];
    size_t k = split_run(sc, g->s + r.b, r.e - r.b, ends);
    if (k < 2)
        return;
    char text[2 * PW_VOCAB_SEG_MAX];
    uint32_t map[2 * PW_VOCAB_SEG_MAX];
    size_t o = 0, from = r.b;
    for (size_t p = 0; p < k; p++) {
        put_word(text, map, g->s, from, r.b + ends[p], &o);
        from = r.b + ends[p];
    }
    pw_vocab_match *m = NULL;
    size_t nm = 0, generic_end = 0;
    pw_status st = pw_vocab_scan(v, sc->s->vocab, sc->a, text, o, &m, &nm, sc->err);
    if (st != PW_OK) {
        sc->st = st;
        return;
    }
    for (size_t q = 0; q < nm; q++) {
        const pw_vocab_entry *e = pw_vocab_entry_at(v, m[q].entry);
        if (skip_match(e, m[q].start, m[q].end, &generic_end) || m[q].end <= m[q].start ||
            m[q].end > o || specialty_word(e, text, &m[q]))
            continue;
        add_match(sc, g, e, map[m[q].start], map[m[q].end - 1] + 1, cuts);
    }
}

#define DE_WORD_MIN    8  /* a part of 5+ letters and 3+ letters beside it */
#define DE_WORD_MAX    48 /* longer runs are no German word (tokens, hashes) */
#define DE_FEW_MATCHES 4
#define DE_CANDS       4 /* compounds reported per segment, at most */

typedef struct de_cand {
    size_t b, e; /* the word in g */
    size_t part; /* index in pw_de_parts */
} de_cand;

static inline __attribute__((always_inline)) size_t de_compounds(const pw_seg *g,
                                                                 const pw_vocab_match *m, size_t nm,
                                                                 const uint32_t *map, de_cand *out);

/* The automaton over the segment's own bytes; 0 when this path cannot serve (the caller then
 * normalises). runs (NULL: none wanted) gets the runs to split, *nr their count. */
static int scan_raw(pw_scan *sc, const pw_seg *g, const cut_set *cuts, seg_mode mode, seg_run *runs,
                    size_t *nr, de_cand *de, size_t *nde)
{
    const pw_vocab *v = sc->d->vocab;
    if (g->n > RAW_SCAN_MAX || pw_vocab_backend_of(v) != PW_VOCAB_BACKEND_AC)
        return 0;
    const pw_vocab_match *m = NULL;
    size_t nm = 0;
    const pw_seg_masks *mk = g->sum ? g->sum->masks : NULL;
    pw_status st =
        mk && mk->n == g->n /* the summary's masks: the scan need not classify the bytes again */
            ? pw_vocab_scan_raw_masks(v, sc->s->vocab, g->s, g->n,
                                      &mk->bits[PW_MK_ALPHA * mk->stride],
                                      &mk->bits[PW_MK_UPPER * mk->stride],
                                      &mk->bits[PW_MK_DIGIT * mk->stride], &m, &nm, sc->err)
            : pw_vocab_scan_raw(v, sc->s->vocab, g->s, g->n, &m, &nm, sc->err);
    if (st != PW_OK) {
        sc->st = st;
        return 1;
    }
    if (mode != SEG_NONE)
        *nr = seg_runs(v, g, mode, m, nm, NULL, runs);
    *nde = de_compounds(g, m, nm, NULL, de);
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
    /* a term matched as script tokens ("zcdbdfea…") is shown as its canonical, as written */
    const char *term = e->term[0] == 'z' && canon != e->term && pw_vocab_has_script_token(e->term)
                           ? canon
                           : e->term;
    if (e->cls == PW_VOCAB_CARE_INTENT)
        pw_scan_add(sc, g, i, j, PW_PHI_CARE_INTENT, e->subtype ? e->subtype : "care", canon, 0.8f,
                    PW_REASON_VOCABULARY, term);
    else
        pw_scan_add(sc, g, i, j, PW_PHI_HEALTH, class_subtype(e->cls), canon,
                    e->sensitivity == PW_SENS_HIGH ? 0.95f : 0.85f, PW_REASON_VOCABULARY, term);
    if (sc->s->n_hits > before)
        sc->s->hits[before].sensitivity = e->sensitivity;
}

/* The vocabulary over normalised text (the Hyperscan back end). */
static void scan_norm(pw_scan *sc, const pw_seg *g, const cut_set *cuts, seg_mode mode,
                      seg_run *runs, size_t *nr, de_cand *de, size_t *nde)
{
    size_t n = normalise(sc->d->vocab, sc->s, g);
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
    if (mode != SEG_NONE)
        *nr = seg_runs(sc->d->vocab, g, mode, m, nm, sc->s->norm_map, runs);
    *nde = de_compounds(g, m, nm, sc->s->norm_map, de);
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

/* ---- German compounds ("Brustkrebs", "Darmkrebsvorsorge", "Alkoholsucht") ---- */

/* The part that the lower-case word w[0..n) holds with 3+ letters beside it, or SIZE_MAX. */
static size_t de_part_in(const char *w, size_t n)
{
    for (size_t i = 0; i + 5 <= n; i++) {
        unsigned c = (unsigned char)w[i] - 'a';
        unsigned c2 = (unsigned char)w[i + 1] - 'a';
        if (c >= 26 || !(pw_de_part_first >> c & 1) || c2 >= 26 ||
            !(pw_de_part_second[c] >> c2 & 1))
            continue; /* no part starts with these two letters */
        for (size_t p = pw_de_part_from[c]; p < pw_de_part_from[c + 1]; p++) {
            size_t len = pw_de_part_len[p];
            if (i + len <= n && n - len >= 3 && memcmp(w + i, pw_de_parts[p], len) == 0)
                return p;
        }
    }
    return SIZE_MAX;
}

/* Bit b of the result: bytes b..b+DE_WORD_MIN-1 of word w of the masks are letters (a run of
 * DE_WORD_MIN+ letters covers them). */
static uint64_t long_run_bits(const pw_seg_masks *mk, size_t w)
{
    return run_bits(pw_mask(mk, PW_MK_ALPHA, w),
                    w + 1 < mk->words ? pw_mask(mk, PW_MK_ALPHA, w + 1) : 0, DE_WORD_MIN);
}

/* The letter run g[i, e) (i starts it) when it is a candidate: DE_WORD_MIN..DE_WORD_MAX letters
 * without a digit on either side, holding a part, and no match touches it: into *out, 1. */
static inline __attribute__((always_inline)) int de_cand_at(const pw_seg *g, size_t i, size_t e,
                                                            const pw_vocab_match *m, size_t nm,
                                                            const uint32_t *map, de_cand *out)
{
    size_t n = e - i;
    if (n < DE_WORD_MIN || n > DE_WORD_MAX || (e < g->n && pw_isdigit((unsigned char)g->s[e])) ||
        (i > 0 && pw_isdigit((unsigned char)g->s[i - 1])))
        return 0;
    /* run_matched walks every match of the segment: with a few, it is cheaper than the copy and
     * the part search and goes first; with many (long text), last */
    int few = nm <= DE_FEW_MATCHES;
    if (few && run_matched(m, nm, map, i, e))
        return 0;
    char w[DE_WORD_MAX];
    for (size_t q = 0; q < n; q++)
        w[q] = (char)pw_tolower((unsigned char)g->s[i + q]);
    size_t p = de_part_in(w, n);
    if (p == SIZE_MAX || (!few && run_matched(m, nm, map, i, e)))
        return 0;
    *out = (de_cand){i, e, p};
    return 1;
}

/* The letter runs of g of DE_WORD_MIN..DE_WORD_MAX letters that no match touches and that hold
 * a part: into out (DE_CANDS at most); their count. With the segment's masks, the runs are
 * found from one mask of run starts per 64 bytes (a byte starts a long run when it and the
 * DE_WORD_MIN - 1 after it are letters and the byte before is none), without a walk over the
 * other bytes; short segments (no masks) are walked. */
static inline __attribute__((always_inline)) size_t
de_compounds(const pw_seg *g, const pw_vocab_match *m, size_t nm, const uint32_t *map, de_cand *out)
{
    const pw_seg_masks *mk = g->sum ? g->sum->masks : NULL;
    size_t k = 0;
    if (g->n < DE_WORD_MIN)
        return 0;
    if (mk) {
        uint64_t carry = 0; /* the last byte of the previous word is a letter */
        for (size_t w = 0; w < mk->words && k < DE_CANDS; w++) {
            uint64_t a = pw_mask(mk, PW_MK_ALPHA, w);
            uint64_t starts = long_run_bits(mk, w) & ~(a << 1 | carry);
            carry = a >> 63;
            while (starts && k < DE_CANDS) {
                size_t i = (w << 6) + (size_t)__builtin_ctzll(starts), e = i + DE_WORD_MIN;
                starts &= starts - 1;
                while (e < g->n && pw_isalpha((unsigned char)g->s[e]))
                    e++;
                k += (size_t)de_cand_at(g, i, e, m, nm, map, out + k);
            }
        }
        return k;
    }
    size_t i = 0;
    while (i < g->n && k < DE_CANDS) {
        if (!pw_isalpha((unsigned char)g->s[i])) {
            i++;
            continue;
        }
        size_t e = i;
        while (e < g->n && pw_isalpha((unsigned char)g->s[e]))
            e++;
        k += (size_t)de_cand_at(g, i, e, m, nm, map, out + k);
        i = e;
    }
    return k;
}

/* The vocabulary entry of the whole lower-case text t[0..n) that counts (no generic), or NULL;
 * *generic = 1 when the whole text is a generic term. */
static const pw_vocab_entry *whole_term(pw_scan *sc, const char *t, size_t n, int *generic)
{
    const pw_vocab *v = sc->d->vocab;
    pw_vocab_match *m = NULL;
    size_t nm = 0;
    *generic = 0;
    if (pw_vocab_scan(v, sc->s->vocab, sc->a, t, n, &m, &nm, NULL) != PW_OK)
        return NULL;
    for (size_t k = 0; k < nm; k++) {
        const pw_vocab_entry *e = pw_vocab_entry_at(v, m[k].entry);
        if (!e || m[k].start != 0 || m[k].end != n)
            continue;
        if (e->cls == PW_VOCAB_GENERIC)
            *generic = 1;
        else
            return e;
    }
    return NULL;
}

/* Report the compounds found (after the scan whose matches found them: the look-ups here reuse
 * its scratch). A whole word that is a generic term ("Flusskrebs", "Eifersucht") is none. */
static void de_report(pw_scan *sc, const pw_seg *g, const de_cand *c, size_t nc,
                      const cut_set *cuts)
{
    for (size_t k = 0; k < nc && sc->st == PW_OK; k++) {
        char w[DE_WORD_MAX];
        size_t n = c[k].e - c[k].b;
        for (size_t q = 0; q < n; q++)
            w[q] = (char)pw_tolower((unsigned char)g->s[c[k].b + q]);
        int generic = 0;
        whole_term(sc, w, n, &generic);
        if (generic)
            continue;
        const char *part = pw_de_parts[c[k].part];
        const pw_vocab_entry *e = whole_term(sc, part, pw_de_part_len[c[k].part], &generic);
        if (e)
            add_match(sc, g, e, c[k].b, c[k].e, cuts);
    }
}

/* Drop the runs to split that a compound covers (it says enough). */
static size_t drop_compound_runs(seg_run *runs, size_t nr, const de_cand *c, size_t nc)
{
    size_t k = 0;
    for (size_t r = 0; r < nr; r++) {
        int covered = 0;
        for (size_t q = 0; q < nc && !covered; q++)
            covered = runs[r].b < c[q].e && c[q].b < runs[r].e;
        if (!covered)
            runs[k++] = runs[r];
    }
    return k;
}

/* ---- Other scripts (docs/detect.md, Languages) ----
 * CJK ideographs and Hangul syllables are each a word ("乳腺癌筛查" holds "乳腺癌", "유방암을"
 * holds "유방암"); a Cyrillic or Arabic word is one token from its light stem
 * (pw_vocab_script_word: "рака" is "рак", "السرطان" is "سرطان"). */

/* The code point of the 3-byte UTF-8 sequence at u[i] (lead 0xE0-0xEF), or 0. */
static uint32_t cp3_at(const unsigned char *u, size_t n, size_t i)
{
    if (i + 2 >= n || (u[i] & 0xF0) != 0xE0 || (u[i + 1] & 0xC0) != 0x80 ||
        (u[i + 2] & 0xC0) != 0x80)
        return 0;
    return (uint32_t)(u[i] & 0x0F) << 12 | (uint32_t)(u[i + 1] & 0x3F) << 6 | (u[i + 2] & 0x3Fu);
}

/* A CJK ideograph or a Hangul syllable: a word of its own. */
static int syllable_cp(uint32_t cp)
{
    return pw_vocab_is_cjk(cp) || pw_vocab_is_hangul(cp);
}

/* 1 if g holds a letter this scan writes: an ideograph, a Hangul syllable, a Cyrillic or an
 * Arabic letter. */
static int has_script(const pw_seg *g)
{
    if (g->sum && !(g->sum->cls & PW_SUM_HIGH))
        return 0;
    const unsigned char *u = (const unsigned char *)g->s;
    for (size_t i = 0; i + 1 < g->n; i++) {
        if (u[i] < 0xD0)
            continue;
        if (u[i] <= 0xDB ? pw_vocab_script_at(g->s, g->n, i) != 0
                         : u[i] >= 0xE3 && u[i] <= 0xED && syllable_cp(cp3_at(u, g->n, i)))
            return 1;
    }
    return 0;
}

/* The word written between two ideographs or syllables that punctuation separates ("乳腺、癌",
 * "乳腺癌 | 医院"): no term holds it (a CJK token's letters are a-p), so no match runs across. */
#define SCRIPT_BREAK     "zhqqqq"
#define SCRIPT_BREAK_LEN 6

/* Write the word tok[0..t) for g's bytes [i, e) at s->norm[*o] (first byte mapped to i, the
 * others to e - 1, so that a match ends where the word does), after a space unless first. */
static void put_token(pw_detect_scratch *s, const char *tok, size_t t, size_t i, size_t e,
                      size_t *o)
{
    if (*o > 0) {
        s->norm[*o] = ' ';
        s->norm_map[(*o)++] = (uint32_t)i;
    }
    memcpy(s->norm + *o, tok, t);
    s->norm_map[*o] = (uint32_t)i;
    for (size_t k = 1; k < t; k++)
        s->norm_map[*o + k] = (uint32_t)(e - 1);
    *o += t;
}

/* The Cyrillic or Arabic word at g[i] as its token into tok; an Arabic word that is no
 * vocabulary word is tried without a one-letter conjunction or preposition on it ("وسرطان",
 * "بسرطان": و ف ب ل ك), which a root letter can also be, so only when what stays is a word of
 * the vocabulary. *e: the word's end. */
static size_t script_token(const pw_vocab *v, const pw_seg *g, size_t i, size_t *e, char *tok)
{
    size_t t = pw_vocab_script_word(g->s, g->n, i, 0, e, tok, PW_VOCAB_SCRIPT_TOKEN_MAX);
    if (t && pw_vocab_script_at(g->s, g->n, i) == PW_VOCAB_SCRIPT_ARABIC &&
        !pw_vocab_has_word(v, tok, t)) {
        char alt[PW_VOCAB_SCRIPT_TOKEN_MAX];
        size_t e2 = 0, t2 = pw_vocab_script_word(g->s, g->n, i, PW_VOCAB_SW_DROP_PREFIX, &e2, alt,
                                                 sizeof alt);
        if (t2 && pw_vocab_has_word(v, alt, t2)) {
            memcpy(tok, alt, t2);
            t = t2;
        }
    }
    return t;
}

/* g written for the vocabulary into s->norm: ASCII letter/digit runs lower-cased, each CJK
 * ideograph and Hangul syllable as its token (pw_vocab_normalize_term writes the terms alike),
 * each Cyrillic or Arabic word as its stem's token, one space between words, SCRIPT_BREAK
 * between two ideographs or syllables with punctuation between them; map: each byte's offset in
 * g. */
static size_t script_normalise(const pw_vocab *v, pw_detect_scratch *s, const pw_seg *g)
{
    if (!ensure_norm(s, g->n * 4 + 16))
        return 0;
    const unsigned char *u = (const unsigned char *)g->s;
    size_t o = 0;
    int last_syllable = 0, punct = 0;
    for (size_t i = 0; i < g->n;) {
        if (pw_isalnum(u[i])) {
            size_t e = run_end(g, i);
            put_word(s->norm, s->norm_map, g->s, i, e, &o);
            last_syllable = punct = 0;
            i = e;
            continue;
        }
        if (u[i] >= 0xD0 && u[i] <= 0xDB && pw_vocab_script_at(g->s, g->n, i)) {
            char tok[PW_VOCAB_SCRIPT_TOKEN_MAX];
            size_t e = i, t = script_token(v, g, i, &e, tok);
            if (t)
                put_token(s, tok, t, i, e, &o);
            last_syllable = punct = 0;
            i = e > i ? e : i + 1;
            continue;
        }
        uint32_t cp = u[i] >= 0xE0 ? cp3_at(u, g->n, i) : 0;
        if (syllable_cp(cp)) {
            char tok[PW_VOCAB_CJK_TOKEN];
            if (last_syllable && punct)
                put_token(s, SCRIPT_BREAK, SCRIPT_BREAK_LEN, i, i + 1, &o);
            pw_vocab_cjk_token(cp, tok);
            put_token(s, tok, PW_VOCAB_CJK_TOKEN, i, i + 3, &o);
            last_syllable = 1, punct = 0;
            i += 3;
            continue;
        }
        /* a separator: spaces and slug joiners keep a run of ideographs or syllables one
         * phrase ("유방암-검진", "乳腺癌 筛查"); other punctuation ends it */
        int space = u[i] == ' ' || u[i] == '\t' || u[i] == '-' || u[i] == '_' || u[i] == '+' ||
                    cp == 0x3000 || (u[i] == 0xC2 && i + 1 < g->n && u[i + 1] == 0xA0);
        if (!space)
            punct = 1;
        i += cp ? 3 : (u[i] == 0xC2 && space) ? 2 : 1;
    }
    s->norm[o] = '\0';
    return o;
}

/* Korean particles and the light verb's endings that follow a noun in the same word ("유방암을",
 * "임신중절은", "예약하기"): a term of Hangul syllables counts there. */
static const char *const ko_particles[] = {
    "이",   "가",     "을",       "를",     "은",     "는",     "의",     "에",     "에서", "에게",
    "께",   "와",     "과",       "로",     "으로",   "도",     "만",     "까지",   "부터", "이나",
    "나",   "랑",     "이랑",     "하고",   "에는",   "에서는", "으로는", "로는",   "과의", "와의",
    "이란", "란",     "이라",     "이며",   "입니다", "이다",   "에도",   "으로도", "로도", "하기",
    "하다", "하세요", "하십시오", "합니다", "하는",   "해요",   "인가요", "만을",   "도록"};

static int ko_particle(const char *s, size_t n)
{
    for (size_t k = 0; k < sizeof ko_particles / sizeof ko_particles[0]; k++)
        if (strlen(ko_particles[k]) == n && memcmp(ko_particles[k], s, n) == 0)
            return 1;
    return 0;
}

static int hangul_at(const pw_seg *g, size_t i)
{
    return i + 3 <= g->n && pw_vocab_is_hangul(cp3_at((const unsigned char *)g->s, g->n, i));
}

/* A Korean match g[i, j) counts when it starts a word (no syllable before it: "비임신" holds no
 * "임신") and ends one, or ends before a particle ("유방암을") or before another match that
 * starts there ("유방암검진": 유방암 then 검진); "암호" (password) holds no "암". */
static int hangul_match_ok(const pw_seg *g, size_t i, size_t j, const pw_vocab_match *m, size_t nm,
                           const uint32_t *map)
{
    if (i >= 3 && hangul_at(g, i - 3))
        return 0;
    if (j < 3 || !hangul_at(g, j - 3) || !hangul_at(g, j))
        return 1;
    size_t r = j;
    while (hangul_at(g, r))
        r += 3;
    if (ko_particle(g->s + j, r - j))
        return 1;
    for (size_t k = 0; k < nm; k++)
        if (m[k].end > m[k].start && map[m[k].start] == j)
            return 1;
    return 0;
}

/* The vocabulary over g's words with the other scripts' words as tokens; only matches that hold
 * such a word are reported (the others are the first scan's). */
static void script_scan(pw_scan *sc, const pw_seg *g, const cut_set *cuts)
{
    size_t n = script_normalise(sc->d->vocab, sc->s, g);
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
    const uint32_t *map = sc->s->norm_map;
    size_t generic_end = 0;
    for (size_t k = 0; k < nm; k++) {
        const pw_vocab_entry *e = pw_vocab_entry_at(sc->d->vocab, m[k].entry);
        if (skip_match(e, m[k].start, m[k].end, &generic_end) || m[k].end <= m[k].start ||
            m[k].end > n)
            continue;
        size_t i = map[m[k].start], j = map[m[k].end - 1] + 1;
        int other = 0;
        for (size_t q = i; q < j && !other; q++)
            other = (unsigned char)g->s[q] >= 0x80;
        if (!other)
            continue;
        if ((hangul_at(g, i) || (j >= 3 && hangul_at(g, j - 3))) &&
            !hangul_match_ok(g, i, j, m, nm, map))
            continue;
        add_match(sc, g, e, i, j, cuts);
    }
}

static void health_scan(pw_scan *sc, const pw_seg *g, const cut_set *cuts)
{
    if (!pw_vocab_size(sc->d->vocab))
        return;
    if (has_script(g))
        script_scan(sc, g, cuts);
    if (g->sum && !(g->sum->cls & PW_SUM_ALPHA))
        return; /* ideographs and digits alone: nothing more to find */
    seg_run runs[SEG_RUNS];
    de_cand de[DE_CANDS];
    size_t nr = 0, nde = 0;
    seg_mode mode = seg_wanted(g, cuts);
    if (!scan_raw(sc, g, cuts, mode, runs, &nr, de, &nde))
        scan_norm(sc, g, cuts, mode, runs, &nr, de, &nde);
    de_report(sc, g, de, nde, cuts);
    nr = drop_compound_runs(runs, nr, de, nde);
    for (size_t k = 0; k < nr && sc->st == PW_OK; k++)
        seg_scan_run(sc, g, runs[k], cuts);
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
