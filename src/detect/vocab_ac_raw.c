/*
 * vocab_ac_raw.c — the word-level automaton over raw text (pw_vocab_scan_raw): the words are
 * found here, as normalisation would write them (maximal runs of ASCII letters and digits, long
 * runs split at camelCase breaks), and looked up in the same pass.
 *
 * Word boundaries come from bit masks: 64 bytes at a time are classified (16 per SSE2 step where
 * the compiler targets it, else byte by byte) into "word byte", "upper-case letter" and
 * "separator" bits; the starts and ends of the runs are then bit transitions, visited with
 * count-trailing-zeros, so the loop runs once per word rather than once per byte. A run with an
 * upper-case letter (known from the mask) and at least PW_VOCAB_CAMEL_MIN bytes is split at its
 * camelCase breaks byte by byte; every other run is one word.
 */
#include "detect/vocab_ac_lookup.h"

#if defined(__SSE2__) && defined(__x86_64__) && !defined(PW_NO_SSE2)
#include <emmintrin.h>
#define RAW_SSE2 1
#endif

#define BLOCK 64
#define CHUNK 16

/* The class bits of one block of text: bit k for byte base + k. */
typedef struct raw_masks {
    uint64_t word;  /* ASCII letter or digit */
    uint64_t upper; /* A-Z */
    uint64_t lower; /* a-z */
    uint64_t sep;   /* the separator byte (0 when there is none) */
} raw_masks;

#ifdef RAW_SSE2
/* Class bits of 16 bytes: into m at bit `at`, shifted right by `shift` first, low `keep` bits. */
static inline void masks16(__m128i x, __m128i sepv, unsigned shift, unsigned at, unsigned keep,
                           raw_masks *m)
{
    const __m128i k20 = _mm_set1_epi8(0x20);
    __m128i ta = _mm_sub_epi8(_mm_or_si128(x, k20), _mm_set1_epi8('a'));
    __m128i alpha = _mm_cmpeq_epi8(_mm_min_epu8(ta, _mm_set1_epi8(25)), ta);
    __m128i td = _mm_sub_epi8(x, _mm_set1_epi8('0'));
    __m128i digit = _mm_cmpeq_epi8(_mm_min_epu8(td, _mm_set1_epi8(9)), td);
    __m128i bit20_clear = _mm_cmpeq_epi8(_mm_and_si128(x, k20), _mm_setzero_si128());
    unsigned a = (unsigned)_mm_movemask_epi8(alpha) >> shift;
    unsigned d = (unsigned)_mm_movemask_epi8(digit) >> shift;
    unsigned u = (unsigned)_mm_movemask_epi8(_mm_and_si128(alpha, bit20_clear)) >> shift;
    unsigned s = ((unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, sepv)) >> shift) & keep;
    m->word |= (uint64_t)(a | d) << at;
    m->upper |= (uint64_t)u << at;
    m->lower |= (uint64_t)(a & ~u) << at;
    m->sep |= (uint64_t)s << at;
}

/* The len (< 16) bytes at p, zero above, from loads that stay inside p[0..len): bytes 0-7 in
 * *lo, 8-15 in *hi (byte k at bits 8k). */
static inline void load_short(const unsigned char *p, size_t len, uint64_t *lo_out,
                              uint64_t *hi_out)
{
    uint64_t lo = 0, hi = 0;
    if (len >= 8) {
        lo = pw_ac_load8(p);
        if (len > 8)
            hi = pw_ac_load8(p + len - 8) >> (8 * (16 - len));
    } else if (len >= 4) {
        uint32_t x, y;
        memcpy(&x, p, 4);
        memcpy(&y, p + len - 4, 4);
        lo = (uint64_t)x | (uint64_t)y << (8 * (len - 4));
    } else {
        lo = pw_ac_load_tail(p, len);
    }
    *lo_out = lo;
    *hi_out = hi;
}

/* Masks of the block at base of a text of n >= 16 bytes (bytes past n are in no class). Every
 * load lies inside t[0..n): a chunk that runs past the end is loaded as the last 16 bytes and
 * shifted. */
static inline void block_masks(const unsigned char *t, size_t n, size_t base, int sep, raw_masks *m)
{
    *m = (raw_masks){0, 0, 0, 0};
    __m128i sepv = _mm_set1_epi8((char)sep);
    for (unsigned c = 0; c < BLOCK / CHUNK; c++) {
        size_t q = base + (size_t)c * CHUNK;
        if (q + CHUNK <= n) {
            masks16(_mm_loadu_si128((const __m128i *)(const void *)(t + q)), sepv, 0, c * CHUNK,
                    0xffff, m);
            continue;
        }
        if (q < n)
            masks16(_mm_loadu_si128((const __m128i *)(const void *)(t + n - CHUNK)), sepv,
                    (unsigned)(q + CHUNK - n), c * CHUNK, 0xffff, m);
        break;
    }
    if (sep < 0)
        m->sep = 0;
}

/* A text shorter than 16 bytes: its masks, and its bytes as one number (byte k at bits 8k), from
 * which each word's key is shifted out without another load. */
typedef unsigned __int128 raw_u128;

static inline raw_u128 short_masks(const unsigned char *t, size_t n, int sep, raw_masks *m)
{
    uint64_t lo, hi;
    load_short(t, n, &lo, &hi);
    *m = (raw_masks){0, 0, 0, 0};
    masks16(_mm_set_epi64x((long long)hi, (long long)lo), _mm_set1_epi8((char)sep), 0, 0,
            sep < 0 ? 0 : (1u << n) - 1, m);
    return (raw_u128)hi << 64 | lo;
}
#else
/* Byte classes for the portable path: 1 word byte, 2 upper-case, 4 lower-case letter. */
static const unsigned char raw_class[256] = {
#define C10(v) v, v, v, v, v, v, v, v, v, v
#define C26(v) C10(v), C10(v), v, v, v, v, v, v
    ['0'] = C10(1),
    ['A'] = C26(3),
    ['a'] = C26(5),
};

/* Masks of bytes t[q..q+len) (len <= 64), byte by byte; sep < 0: no separator. */
static void masks_scalar(const unsigned char *t, size_t q, size_t len, int sep, raw_masks *m)
{
    for (size_t k = 0; k < len; k++) {
        unsigned c = raw_class[t[q + k]];
        m->word |= (uint64_t)(c & 1) << k;
        m->upper |= (uint64_t)(c >> 1 & 1) << k;
        m->lower |= (uint64_t)(c >> 2) << k;
        m->sep |= (uint64_t)(t[q + k] == (unsigned)sep) << k;
    }
}

static inline void block_masks(const unsigned char *t, size_t n, size_t base, int sep, raw_masks *m)
{
    *m = (raw_masks){0, 0, 0, 0};
    masks_scalar(t, base, n - base < BLOCK ? n - base : BLOCK, sep, m);
}
#endif

/* State of one raw scan. */
typedef struct raw_scan {
    const pw_vocab_ac *ac;
    const unsigned char *t;
    size_t n;
    pw_vocab_wordbuf *wb;
    pw_vocab_sink *sink;
    size_t nw;   /* words kept in wb (since the automaton last left the root) */
    size_t norm; /* where the next word starts in the normalised text */
    uint32_t state;
} raw_scan;

static int grow_words(pw_vocab_wordbuf *wb)
{
    size_t cap = wb->cap ? wb->cap * 2 : 64;
    pw_vocab_word *w = realloc(wb->w, cap * sizeof *w);
    if (!w)
        return -1;
    wb->w = w;
    wb->cap = cap;
    return 0;
}

/* The word t[from..to) has id `id` (0: in no term): advance the automaton and report the terms
 * ending here. A word in no term, or a step back to the root, ends every match in progress: the
 * words kept for pw_vocab_ac_emit_words's walk back are forgotten. 0, or -1 when out of memory. */
static inline __attribute__((always_inline)) int raw_step(raw_scan *r, size_t from, size_t to,
                                                          uint32_t id)
{
    size_t at = r->norm;
    r->norm += to - from + 1;
    if (id)
        r->state = pw_ac_step(r->ac, r->state, id);
    if (!id || !r->state) {
        r->state = 0;
        r->nw = 0;
        return 0;
    }
    if (r->nw == r->wb->cap && grow_words(r->wb) != 0)
        return -1;
    size_t k = r->nw++;
    r->wb->w[k] = (pw_vocab_word){(uint32_t)from, (uint32_t)to, (uint32_t)at};
    if (!(r->ac->node_flags[r->state] & PW_AC_EMITS))
        return 0;
    return pw_vocab_ac_emit_words(r->ac, r->state, r->wb->w, k, r->sink);
}

/* One word t[from..to), looked up in the text. */
static inline __attribute__((always_inline)) int raw_word(raw_scan *r, size_t from, size_t to)
{
    size_t len = to - from;
    return raw_step(r, from, to, pw_ac_word_id(r->ac, r->t + from, len, r->n - from, from));
}

/* engine-words: a word t[from..to) that may hold letters and digits. Letters then digits (or
 * the other way round) with one change between them are two words ("cancer2024", "chemo2",
 * "hiv2": pw_vocab_digit_cut) unless the whole is a vocabulary word ("covid19", "her2"). */
static int raw_piece(raw_scan *r, size_t from, size_t to)
{
    size_t len = to - from, cut = pw_vocab_digit_cut((const char *)r->t + from, len);
    if (!cut)
        return raw_word(r, from, to);
    uint32_t id = pw_ac_word_id(r->ac, r->t + from, len, r->n - from, from);
    if (id)
        return raw_step(r, from, to, id);
    if (raw_word(r, from, from + cut) != 0)
        return -1;
    return raw_word(r, from + cut, to);
}

/* Bits [0, k) of a 64-bit mask (k <= 63). */
static inline uint64_t low_bits(unsigned k)
{
    return ((uint64_t)1 << k) - 1;
}

/* A run t[ws..we) with an upper-case letter, split at its camelCase breaks byte by byte (a run
 * that crosses a block boundary). */
static int raw_camel_run(raw_scan *r, size_t ws, size_t we)
{
    const char *s = (const char *)r->t;
    size_t from = ws, run_len = we - ws;
    for (size_t k = ws + 1; k < we; k++) {
        if (!pw_vocab_camel_break(s, r->n, k, run_len))
            continue;
        if (raw_piece(r, from, k) != 0)
            return -1;
        from = k;
    }
    return raw_piece(r, from, we);
}

/* The camelCase breaks inside the run at bits [s, e) of a block (pw_vocab_camel_break) read off
 * the masks: an upper-case letter after a lower-case one, or after an upper-case one and before a
 * lower-case one. The bytes around the run's inner positions are all in the block. */
static inline uint64_t camel_breaks(const raw_masks *m, unsigned s, unsigned e)
{
    uint64_t U = m->upper, L = m->lower;
    return U & (L << 1 | (U << 1 & L >> 1)) & low_bits(e) & ~low_bits(s + 1);
}

/* The same for a run at bits [s, e) of the block at base, split at those breaks; mixed: the run
 * holds letters and digits (each piece may split again, raw_piece). */
static int camel_in_block(raw_scan *r, const raw_masks *m, size_t base, unsigned s, unsigned e,
                          int mixed)
{
    uint64_t brk = camel_breaks(m, s, e);
    size_t from = base + s;
    for (; brk; brk &= brk - 1) {
        size_t k = base + (size_t)__builtin_ctzll(brk);
        if ((mixed ? raw_piece(r, from, k) : raw_word(r, from, k)) != 0)
            return -1;
        from = k;
    }
    return mixed ? raw_piece(r, from, base + e) : raw_word(r, from, base + e);
}

/* engine-text9: the changes between letters and digits inside the run at `bits` (W the word
 * bytes, L the letters of the block): bit k when byte k is a letter after a digit or a digit
 * after a letter. The run's first byte has none (the byte before is no word byte). */
static inline uint64_t changes(uint64_t L, uint64_t W, uint64_t bits)
{
    uint64_t D = W & ~L;
    return ((L & D << 1) | (D & L << 1)) & bits;
}

/* A run that goes on from earlier blocks ends at t[we). */
static int open_run_ends(raw_scan *r, size_t ws, size_t we, int upper)
{
    if (upper && we - ws >= PW_VOCAB_CAMEL_MIN)
        return raw_camel_run(r, ws, we);
    return raw_piece(r, ws, we);
}

/* Where a scan is between blocks. */
typedef struct raw_carry {
    size_t ws;       /* start of the open run */
    int open;        /* a run goes on past the block */
    int upper;       /* the open run has an upper-case letter */
    int sep_pending; /* a separator after the last word seen */
} raw_carry;

/* The runs of one block (masks m, at base); `bytes`: the whole text as one number when it is
 * shorter than 16 bytes (its short words' keys are taken from it), else NULL. use_sep: m.sep may
 * be set. 0, or -1 when out of memory. */
static inline __attribute__((always_inline)) int
block_runs(raw_scan *r, raw_masks *m, size_t base, raw_carry *c, const void *bytes, int use_sep)
{
    uint64_t W = m->word, starts = W & ~(W << 1), ends = W & ~(W >> 1);
    /* where a run holds a camelCase break or a change between letters and digits: a run with
     * neither (most words) is one plain word, looked up without the checks below; the bits at a
     * run's first byte are 0 (the byte before is in no class) */
    uint64_t L = m->upper | m->lower, D = W & ~L;
    uint64_t special = (m->upper & (m->lower << 1 | (m->upper << 1 & m->lower >> 1))) |
                       (L & D << 1) | (D & L << 1);
    if (c->open) { /* the run from the previous block: ends at the first byte out of W */
        if (W == ~(uint64_t)0) {
            c->upper |= m->upper != 0;
            return 0;
        }
        unsigned e = (unsigned)__builtin_ctzll(~W);
        starts &= ~(uint64_t)1;
        c->open = 0;
        if (open_run_ends(r, c->ws, base + e, c->upper || (m->upper & low_bits(e))) != 0)
            return -1;
    }
    /* engine-text9: the automaton's position and state in locals while plain short words miss
     * the vocabulary (most words of a text): such a word only moves norm on and sends the state
     * back to the root, so the loop below keeps them in registers and writes them back to r
     * before anything else reads them (the `sync` below). r->nw is 0 whenever r->state is. */
    size_t norm = r->norm;
    uint32_t state = r->state;
    for (; starts; starts &= starts - 1) {
        unsigned s = (unsigned)__builtin_ctzll(starts);
        if (use_sep && (c->sep_pending || (m->sep & low_bits(s)))) { /* no match across it */
            state = 0;
            c->sep_pending = 0;
            m->sep &= ~low_bits(s);
        }
        /* the run's last byte: the first run end from s (a run that reaches the block's last
         * byte ends there, as ends has bit 63 then) */
        unsigned len = (unsigned)__builtin_ctzll(ends >> s) + 1;
        if (s + len >= BLOCK) {
            c->open = 1;
            c->ws = base + s;
            c->upper = (m->upper >> s) != 0;
            break;
        }
        uint64_t bits = low_bits(len) << s;
        if (!(special & bits) && len <= PW_AC_SHORT_MAX && !bytes) {
            /* a plain word of up to 8 bytes (raw_word's lookup, inline): a miss is done here */
            size_t from = base + s;
            uint64_t key =
                pw_ac_short_key(pw_ac_load_word(r->t + from, len, r->n - from, from), len);
            uint32_t id = pw_ac_short_lookup(r->ac, key);
            if (!id) {
                norm += len + 1;
                state = 0;
                continue;
            }
            r->norm = norm, r->state = state;
            if (!state)
                r->nw = 0;
            int rc = raw_step(r, from, from + len, id);
            norm = r->norm, state = r->state;
            if (rc != 0)
                return -1;
            continue;
        }
        r->norm = norm, r->state = state;
        if (!state)
            r->nw = 0;
        int rc;
        uint64_t letters = L & bits;
        int mixed = (special & bits) && letters != bits && letters != 0; /* "cancer2024" */
        if ((special & bits) && (m->upper & bits) && len >= PW_VOCAB_CAMEL_MIN &&
            camel_breaks(m, s, s + len)) /* "Provider": one word, looked up inline below */
            rc = camel_in_block(r, m, base, s, s + len, mixed);
        else if (mixed && !(changes(L, W, bits) & (changes(L, W, bits) - 1)))
            rc = raw_piece(r, base + s, base + s + len);
        else if (mixed) /* two changes or more: pw_vocab_digit_cut splits no such word */
            rc = raw_word(r, base + s, base + s + len);
#ifdef RAW_SSE2
        else if (bytes && len <= PW_AC_SHORT_MAX)
            rc = raw_step(
                r, s, s + len,
                pw_ac_short_lookup(r->ac,
                                   pw_ac_short_key((uint64_t)(*(const raw_u128 *)bytes >> (8 * s)) &
                                                       pw_ac_keep(len),
                                                   len)));
#endif
        else
            rc = raw_word(r, base + s, base + s + len);
        norm = r->norm, state = r->state;
        if (rc != 0)
            return -1;
    }
    r->norm = norm, r->state = state;
    if (!state)
        r->nw = 0;
    if (use_sep)
        c->sep_pending |= m->sep != 0;
    return 0;
}

/* Class masks a caller already has (pw_vocab_ac_scan_raw_masks): word w of each for the block
 * at 64 w. */
typedef struct raw_given {
    const uint64_t *alpha, *upper, *digit;
} raw_given;

static inline __attribute__((always_inline)) int scan_raw(raw_scan *r, int sep, int use_sep,
                                                          const raw_given *given)
{
    raw_carry c = {0, 0, 0, 0};
    raw_masks m;
#ifdef RAW_SSE2
    if (!given && r->n < CHUNK) {
        raw_u128 bytes = short_masks(r->t, r->n, sep, &m);
        return block_runs(r, &m, 0, &c, &bytes, use_sep);
    }
#endif
    for (size_t base = 0; base < r->n; base += BLOCK) {
        if (given) { /* the same bits block_masks makes, without a separator */
            size_t w = base / BLOCK;
            uint64_t a = given->alpha[w], u = given->upper[w];
            m = (raw_masks){a | given->digit[w], u, a & ~u, 0};
        } else {
            block_masks(r->t, r->n, base, sep, &m);
        }
        if (block_runs(r, &m, base, &c, NULL, use_sep) != 0)
            return -1;
    }
    return c.open ? open_run_ends(r, c.ws, r->n, c.upper) : 0;
}

int pw_vocab_ac_scan_raw_sep(const pw_vocab_ac *ac, const char *text, size_t n, int sep,
                             pw_vocab_wordbuf *wb, pw_vocab_sink *sink)
{
    raw_scan r = {ac, (const unsigned char *)text, n, wb, sink, 0, 0, 0};
    return sep < 0 ? scan_raw(&r, -1, 0, NULL) : scan_raw(&r, sep, 1, NULL);
}

int pw_vocab_ac_scan_raw(const pw_vocab_ac *ac, const char *text, size_t n, pw_vocab_wordbuf *wb,
                         pw_vocab_sink *sink)
{
    raw_scan r = {ac, (const unsigned char *)text, n, wb, sink, 0, 0, 0};
    return scan_raw(&r, -1, 0, NULL);
}

int pw_vocab_ac_scan_raw_masks(const pw_vocab_ac *ac, const char *text, size_t n,
                               const uint64_t *alpha, const uint64_t *upper, const uint64_t *digit,
                               pw_vocab_wordbuf *wb, pw_vocab_sink *sink)
{
    raw_scan r = {ac, (const unsigned char *)text, n, wb, sink, 0, 0, 0};
    raw_given given = {alpha, upper, digit};
    return scan_raw(&r, -1, 0, &given);
}
