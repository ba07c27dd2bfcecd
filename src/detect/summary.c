/*
 * summary.c — (internal to detect) the one pass over a segment that records what it holds:
 * which classes of bytes occur (letters, upper case, digits, '@', '%', '+', '.', ':', spaces),
 * how many digits and colons, the lengths of its digit runs, and per-byte class masks (digits,
 * letters, upper case, hex letters, '+'/'(', '.', ':'; one bit per byte). pw_scan_segment and
 * the detectors read it to skip, without looking at a byte again, every detector whose shortest
 * match the segment cannot contain; the masks give each detector its candidate start positions
 * (pw_cand_next in internal.h). The masks are computed 16 bytes at a time with SSE2 where the
 * compiler targets it, else byte by byte (both give the same bits; test_detect_candidates).
 */
#include <string.h>

#if defined(__SSE2__) && defined(__x86_64__) && !defined(PW_NO_SSE2)
#include <emmintrin.h>
#endif

#include "detect/internal.h"

#define D PW_SUM_DIGIT
#define L PW_SUM_ALPHA
#define U (PW_SUM_ALPHA | PW_SUM_UPPER)

static const unsigned short sum_class[256] = {['0'] = D,
                                              ['1'] = D,
                                              ['2'] = D,
                                              ['3'] = D,
                                              ['4'] = D,
                                              ['5'] = D,
                                              ['6'] = D,
                                              ['7'] = D,
                                              ['8'] = D,
                                              ['9'] = D,
                                              ['A'] = U,
                                              ['B'] = U,
                                              ['C'] = U,
                                              ['D'] = U,
                                              ['E'] = U,
                                              ['F'] = U,
                                              ['G'] = U,
                                              ['H'] = U,
                                              ['I'] = U,
                                              ['J'] = U,
                                              ['K'] = U,
                                              ['L'] = U,
                                              ['M'] = U,
                                              ['N'] = U,
                                              ['O'] = U,
                                              ['P'] = U,
                                              ['Q'] = U,
                                              ['R'] = U,
                                              ['S'] = U,
                                              ['T'] = U,
                                              ['U'] = U,
                                              ['V'] = U,
                                              ['W'] = U,
                                              ['X'] = U,
                                              ['Y'] = U,
                                              ['Z'] = U,
                                              ['a'] = L,
                                              ['b'] = L,
                                              ['c'] = L,
                                              ['d'] = L,
                                              ['e'] = L,
                                              ['f'] = L,
                                              ['g'] = L,
                                              ['h'] = L,
                                              ['i'] = L,
                                              ['j'] = L,
                                              ['k'] = L,
                                              ['l'] = L,
                                              ['m'] = L,
                                              ['n'] = L,
                                              ['o'] = L,
                                              ['p'] = L,
                                              ['q'] = L,
                                              ['r'] = L,
                                              ['s'] = L,
                                              ['t'] = L,
                                              ['u'] = L,
                                              ['v'] = L,
                                              ['w'] = L,
                                              ['x'] = L,
                                              ['y'] = L,
                                              ['z'] = L,
                                              ['@'] = PW_SUM_AT,
                                              ['%'] = PW_SUM_PCT,
                                              ['+'] = PW_SUM_PLUS,
                                              ['.'] = PW_SUM_DOT,
                                              [':'] = PW_SUM_COLON,
                                              [' '] = PW_SUM_SPACE,
                                              ['='] = PW_SUM_EQ,
                                              [','] = PW_SUM_COMMA,
                                              ['#'] = PW_SUM_HASH,
                                              [0x80 ... 0xff] = PW_SUM_HIGH};

#undef D
#undef L
#undef U

/* Mask bits (1 << PW_MK_*) of each byte, for the portable classifier. */
#define MD  (1u << PW_MK_DIGIT)
#define MA  (1u << PW_MK_ALPHA)
#define MU  ((1u << PW_MK_ALPHA) | (1u << PW_MK_UPPER))
#define MUH ((1u << PW_MK_ALPHA) | (1u << PW_MK_UPPER) | (1u << PW_MK_HEX))
#define MLH ((1u << PW_MK_ALPHA) | (1u << PW_MK_HEX))

static const unsigned char mask_class[256] = {['0'] = MD,
                                              ['1'] = MD,
                                              ['2'] = MD,
                                              ['3'] = MD,
                                              ['4'] = MD,
                                              ['5'] = MD,
                                              ['6'] = MD,
                                              ['7'] = MD,
                                              ['8'] = MD,
                                              ['9'] = MD,
                                              ['A'] = MUH,
                                              ['B'] = MUH,
                                              ['C'] = MUH,
                                              ['D'] = MUH,
                                              ['E'] = MUH,
                                              ['F'] = MUH,
                                              ['G'] = MU,
                                              ['H'] = MU,
                                              ['I'] = MU,
                                              ['J'] = MU,
                                              ['K'] = MU,
                                              ['L'] = MU,
                                              ['M'] = MU,
                                              ['N'] = MU,
                                              ['O'] = MU,
                                              ['P'] = MU,
                                              ['Q'] = MU,
                                              ['R'] = MU,
                                              ['S'] = MU,
                                              ['T'] = MU,
                                              ['U'] = MU,
                                              ['V'] = MU,
                                              ['W'] = MU,
                                              ['X'] = MU,
                                              ['Y'] = MU,
                                              ['Z'] = MU,
                                              ['a'] = MLH,
                                              ['b'] = MLH,
                                              ['c'] = MLH,
                                              ['d'] = MLH,
                                              ['e'] = MLH,
                                              ['f'] = MLH,
                                              ['g'] = MA,
                                              ['h'] = MA,
                                              ['i'] = MA,
                                              ['j'] = MA,
                                              ['k'] = MA,
                                              ['l'] = MA,
                                              ['m'] = MA,
                                              ['n'] = MA,
                                              ['o'] = MA,
                                              ['p'] = MA,
                                              ['q'] = MA,
                                              ['r'] = MA,
                                              ['s'] = MA,
                                              ['t'] = MA,
                                              ['u'] = MA,
                                              ['v'] = MA,
                                              ['w'] = MA,
                                              ['x'] = MA,
                                              ['y'] = MA,
                                              ['z'] = MA,
                                              ['+'] = 1u << PW_MK_OPEN,
                                              ['('] = 1u << PW_MK_OPEN,
                                              ['.'] = 1u << PW_MK_DOT,
                                              [':'] = 1u << PW_MK_COLON,
                                              ['-'] = 1u << PW_MK_DASH};

/* Bit of a digit run length (63 and longer share the top bit). */
static uint64_t run_bit(size_t run)
{
    return (uint64_t)1 << (run < 63 ? run : 63);
}

/* Lengths of the maximal digit runs of s, byte by byte. */
static uint64_t digit_runs(const char *s, size_t n)
{
    uint64_t runs = 0;
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        if (pw_isdigit((unsigned char)s[i])) {
            run++;
            continue;
        }
        if (run)
            runs |= run_bit(run);
        run = 0;
    }
    return run ? runs | run_bit(run) : runs;
}

void pw_seg_summarize(const char *s, size_t n, pw_seg_summary *out)
{
    unsigned f = 0;
    size_t digits = 0;
    for (size_t i = 0; i < n; i++) { /* no branch: the loop runs over every byte scanned */
        unsigned c = sum_class[(unsigned char)s[i]];
        f |= c;
        digits += c & PW_SUM_DIGIT;
    }
    out->cls = f;
    out->digits = digits;
    out->colons = 0;                                /* counted with the masks only */
    out->runs = digits >= 5 ? digit_runs(s, n) : 0; /* every reader without masks needs 5+ */
    out->masks = NULL;
}

void pw_seg_masks_scalar(const char *s, size_t n, pw_seg_masks *m)
{
    memset(m->bits, 0, PW_MK__COUNT * m->words * sizeof m->bits[0]);
    for (size_t i = 0; i < n; i++) {
        unsigned c = mask_class[(unsigned char)s[i]];
        for (int k = 0; c; k++, c >>= 1)
            if (c & 1)
                m->bits[(size_t)k * m->words + (i >> 6)] |= (uint64_t)1 << (i & 63);
    }
}

#if defined(__SSE2__) && defined(__x86_64__) && !defined(PW_NO_SSE2)

/* Bytes of v in [lo, hi] (0 < lo <= hi < 0x80), with one add and one compare: adding 0x80 - lo
 * maps [lo, hi] onto the signed values -128 .. -128 + hi - lo and every other byte (below lo,
 * above hi, or >= 0x80) onto a larger signed value (test_masks_every_byte tries them all). */
static __m128i in_range(__m128i v, char lo, char hi)
{
    return _mm_cmplt_epi8(_mm_add_epi8(v, _mm_set1_epi8((char)(0x80 - lo))),
                          _mm_set1_epi8((char)(-128 + (hi - lo) + 1)));
}

static uint64_t bits16(__m128i v)
{
    return (uint64_t)(unsigned)_mm_movemask_epi8(v);
}

/* Bytes [off, off + 16) of s, zeroes past n (zero is in no class); *at = off. For a last chunk
 * whose word (starting at byte w0) holds the 16 bytes ending at n, those instead (no copy), *at =
 * n - 16: the bytes before off it reads again get the bits they already have. */
static __m128i load16(const char *s, size_t off, size_t n, size_t w0, size_t *at)
{
    *at = off;
    if (n - off >= 16)
        return _mm_loadu_si128((const __m128i *)(const void *)(s + off));
    if (n >= w0 + 16) {
        *at = n - 16;
        return _mm_loadu_si128((const __m128i *)(const void *)(s + n - 16));
    }
    unsigned char tail[16] = {0};
    memcpy(tail, s + off, n - off);
    return _mm_loadu_si128((const __m128i *)(const void *)tail);
}

/* What the summary needs of one word of masks. */
typedef struct word_bits {
    uint64_t digit, alpha, upper, dot, colon, high;
} word_bits;

/* The '@' '%' '+' ' ' bytes seen so far: each compare or-ed into its own vector (one operation
 * per flag and chunk; the lanes are only asked whether any is set, at the end). */
typedef struct extra_flags {
    __m128i at, pct, plus, space, eq, comma, hash;
} extra_flags;

/* The nine masks of one 64-bit word being built. */
typedef struct word_acc {
    uint64_t dg, al, up, hx, op, dt, cl, da, hi;
} word_acc;

/* The 16 bytes v, byte k at bit sh + k of the word's masks; their '@' '%' '+' ' ' into *ex. */
static inline __attribute__((always_inline)) void classify16(__m128i v, unsigned sh, word_acc *w,
                                                             extra_flags *ex)
{
    __m128i folded = _mm_or_si128(v, _mm_set1_epi8(0x20)); /* 'A' -> 'a' */
    __m128i is_plus = _mm_cmpeq_epi8(v, _mm_set1_epi8('+'));
    __m128i is_open = _mm_or_si128(is_plus, _mm_cmpeq_epi8(v, _mm_set1_epi8('(')));
    w->dg |= bits16(in_range(v, '0', '9')) << sh;
    w->al |= bits16(in_range(folded, 'a', 'z')) << sh;
    w->up |= bits16(in_range(v, 'A', 'Z')) << sh;
    w->hx |= bits16(in_range(folded, 'a', 'f')) << sh;
    w->op |= bits16(is_open) << sh;
    w->dt |= bits16(_mm_cmpeq_epi8(v, _mm_set1_epi8('.'))) << sh;
    w->cl |= bits16(_mm_cmpeq_epi8(v, _mm_set1_epi8(':'))) << sh;
    w->da |= bits16(_mm_cmpeq_epi8(v, _mm_set1_epi8('-'))) << sh;
    w->hi |= bits16(v); /* the sign bits: bytes >= 0x80 (zeroes past n are none) */
    ex->at = _mm_or_si128(ex->at, _mm_cmpeq_epi8(v, _mm_set1_epi8('@')));
    ex->pct = _mm_or_si128(ex->pct, _mm_cmpeq_epi8(v, _mm_set1_epi8('%')));
    ex->plus = _mm_or_si128(ex->plus, is_plus);
    ex->space = _mm_or_si128(ex->space, _mm_cmpeq_epi8(v, _mm_set1_epi8(' ')));
    ex->eq = _mm_or_si128(ex->eq, _mm_cmpeq_epi8(v, _mm_set1_epi8('=')));
    ex->comma = _mm_or_si128(ex->comma, _mm_cmpeq_epi8(v, _mm_set1_epi8(',')));
    ex->hash = _mm_or_si128(ex->hash, _mm_cmpeq_epi8(v, _mm_set1_epi8('#')));
}

/* Word w's masks into column w of b (stride words per mask). */
static inline __attribute__((always_inline)) word_bits store_word(const word_acc *a, uint64_t *b,
                                                                  size_t stride, size_t w)
{
    b[PW_MK_DIGIT * stride + w] = a->dg, b[PW_MK_ALPHA * stride + w] = a->al;
    b[PW_MK_UPPER * stride + w] = a->up, b[PW_MK_HEX * stride + w] = a->hx;
    b[PW_MK_OPEN * stride + w] = a->op, b[PW_MK_DOT * stride + w] = a->dt;
    b[PW_MK_COLON * stride + w] = a->cl, b[PW_MK_DASH * stride + w] = a->da;
    return (word_bits){a->dg, a->al, a->up, a->dt, a->cl, a->hi};
}

/* One 64-bit word of the masks: bytes [64 w, min(n, 64 w + 64)) of s, 16 at a time, built in
 * registers and stored once into column w of b (stride words per mask); the '@' '%' '+' ' '
 * bytes are or-ed into *ex. */
static inline __attribute__((always_inline)) word_bits
classify_word(const char *s, size_t n, size_t w, uint64_t *b, size_t stride, extra_flags *ex)
{
    word_acc a = {0, 0, 0, 0, 0, 0, 0, 0, 0};
    size_t end = n - w * 64 < 64 ? n : w * 64 + 64;
    for (size_t off = w * 64; off < end; off += 16) {
        size_t at;
        __m128i v = load16(s, off, n, w * 64, &at);
        classify16(v, (unsigned)(at & 63), &a, ex);
    }
    return store_word(&a, b, stride, w);
}

/* The same for a segment of 16..64 bytes, its one word: whole chunks, then the last 16 bytes
 * (read again where they overlap the chunk before: the same bits). */
static inline __attribute__((always_inline)) word_bits classify_one(const char *s, size_t n,
                                                                    uint64_t *b, extra_flags *ex)
{
    word_acc a = {0, 0, 0, 0, 0, 0, 0, 0, 0};
    size_t off = 0;
    for (; off + 16 <= n; off += 16)
        classify16(_mm_loadu_si128((const __m128i *)(const void *)(s + off)), (unsigned)off, &a,
                   ex);
    if (off < n)
        classify16(_mm_loadu_si128((const __m128i *)(const void *)(s + n - 16)), (unsigned)(n - 16),
                   &a, ex);
    return store_word(&a, b, 1, 0);
}

/* The PW_SUM_* bits of the '@' '%' '+' ' ' '=' ',' '#' bytes accumulated by classify16. */
static unsigned extra_cls(const extra_flags *ex)
{
    return (_mm_movemask_epi8(ex->at) ? PW_SUM_AT : 0u) |
           (_mm_movemask_epi8(ex->pct) ? PW_SUM_PCT : 0u) |
           (_mm_movemask_epi8(ex->plus) ? PW_SUM_PLUS : 0u) |
           (_mm_movemask_epi8(ex->space) ? PW_SUM_SPACE : 0u) |
           (_mm_movemask_epi8(ex->eq) ? PW_SUM_EQ : 0u) |
           (_mm_movemask_epi8(ex->comma) ? PW_SUM_COMMA : 0u) |
           (_mm_movemask_epi8(ex->hash) ? PW_SUM_HASH : 0u);
}

/* The masks of s, word by word; fills out's class bits and counts. */
static void classify(const char *s, size_t n, pw_seg_masks *m, pw_seg_summary *out)
{
    extra_flags extra = {_mm_setzero_si128(), _mm_setzero_si128(), _mm_setzero_si128(),
                         _mm_setzero_si128(), _mm_setzero_si128(), _mm_setzero_si128(),
                         _mm_setzero_si128()};
    uint64_t any_alpha = 0, any_upper = 0, any_dot = 0, any_high = 0;
    size_t digits = 0, colons = 0, words = m->words;
    if (words == 1 && n >= 16) { /* the common case: a field of 16..64 bytes */
        word_bits x = classify_one(s, n, m->bits, &extra);
        any_alpha = x.alpha, any_upper = x.upper, any_dot = x.dot, any_high = x.high;
        digits = (size_t)pw_popcount64(x.digit);
        colons = (size_t)pw_popcount64(x.colon);
    } else {
        for (size_t w = 0; w < words; w++) {
            word_bits x = classify_word(s, n, w, m->bits, words, &extra);
            any_alpha |= x.alpha, any_upper |= x.upper, any_dot |= x.dot, any_high |= x.high;
            digits += x.digit ? pw_popcount64(x.digit) : 0;
            colons += x.colon ? pw_popcount64(x.colon) : 0;
        }
    }
    out->digits = digits;
    out->colons = colons;
    out->cls = extra_cls(&extra) | (any_alpha ? PW_SUM_ALPHA : 0u) |
               (any_upper ? PW_SUM_UPPER : 0u) | (any_dot ? PW_SUM_DOT : 0u) |
               (digits ? PW_SUM_DIGIT : 0u) | (colons ? PW_SUM_COLON : 0u) |
               (any_high ? PW_SUM_HIGH : 0u);
}

#else

/* The masks byte by byte; fills out's class bits and counts. The colon count, which
 * pw_seg_summarize leaves to the masks, comes from the colon mask (readers with masks trust it). */
static void classify(const char *s, size_t n, pw_seg_masks *m, pw_seg_summary *out)
{
    pw_seg_summarize(s, n, out);
    pw_seg_masks_scalar(s, n, m);
    size_t colons = 0;
    for (size_t w = 0; w < m->words; w++)
        colons += (size_t)__builtin_popcountll(m->bits[PW_MK_COLON * m->words + w]);
    out->colons = colons;
}

#endif

/* Lengths of the maximal digit runs, from the digit mask: from each run's first digit, the
 * count of consecutive digit bits. */
static inline __attribute__((always_inline)) uint64_t mask_runs(const pw_seg_masks *m)
{
    uint64_t runs = 0;
    if (m->words == 1) { /* every run ends inside the word: its length is one count of ones */
        uint64_t d = pw_mask(m, PW_MK_DIGIT, 0);
        for (uint64_t st = pw_run_starts(d); st; st &= st - 1)
            runs |= run_bit(pw_run_len(d, (size_t)__builtin_ctzll(st)));
        return runs;
    }
    for (size_t w = 0; w < m->words; w++) {
        uint64_t d = pw_mask(m, PW_MK_DIGIT, w);
        uint64_t st = d & ~pw_mask_prev(m, PW_MK_DIGIT, w);
        while (st) {
            size_t p = (w << 6) + (size_t)__builtin_ctzll(st), run = 0;
            uint64_t ones;
            while ((ones = ~pw_mask_at(m, PW_MK_DIGIT, p + run)) == 0)
                run += 64;
            run += (size_t)__builtin_ctzll(ones);
            runs |= run_bit(run);
            st &= st - 1;
        }
    }
    return runs;
}

/* Shorter segments are walked byte by byte: the masks' fixed cost exceeds what they save. */
#define PW_MASK_MIN_BYTES 16

/* Point m's masks at the inline store, or at arena memory for a long segment; 0 if none. */
static int masks_storage(pw_arena *a, size_t n, pw_seg_masks *m)
{
    m->n = n;
    m->words = (n + 63) / 64;
    m->stride = m->words;
    m->bits = m->inline_store;
    if (m->words > PW_MASK_INLINE_WORDS)
        m->bits = a ? pw_arena_alloc(a, m->words * PW_MK__COUNT * sizeof *m->bits) : NULL;
    return m->bits != NULL;
}

void pw_seg_summarize_masks(pw_arena *a, const char *s, size_t n, pw_seg_summary *out,
                            pw_seg_masks *m)
{
    if (n < PW_MASK_MIN_BYTES || !masks_storage(a, n, m)) {
        pw_seg_summarize(s, n, out);
        return;
    }
    classify(s, n, m, out);
    out->runs = out->digits ? mask_runs(m) : 0;
    out->masks = m;
}
