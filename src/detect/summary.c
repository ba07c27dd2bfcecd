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

#if defined(__SSE2__)
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
                                              [' '] = PW_SUM_SPACE};

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
                                              [':'] = 1u << PW_MK_COLON};

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
    size_t digits = 0, colons = 0;
    for (size_t i = 0; i < n; i++) { /* no branch: the loop runs over every byte scanned */
        unsigned c = sum_class[(unsigned char)s[i]];
        f |= c;
        digits += c & PW_SUM_DIGIT;
        colons += (c & PW_SUM_COLON) != 0;
    }
    out->cls = f;
    out->digits = digits;
    out->colons = colons;
    out->runs = digits ? digit_runs(s, n) : 0;
    out->masks = NULL;
}

void pw_seg_masks_scalar(const char *s, size_t n, pw_seg_masks *m)
{
    for (int k = 0; k < PW_MK__COUNT; k++)
        memset(m->m[k], 0, m->words * sizeof m->m[k][0]);
    for (size_t i = 0; i < n; i++) {
        unsigned c = mask_class[(unsigned char)s[i]];
        for (int k = 0; c; k++, c >>= 1)
            if (c & 1)
                m->m[k][i >> 6] |= (uint64_t)1 << (i & 63);
    }
}

#if defined(__SSE2__)

/* Bytes of v in [lo, hi] (signed compare: bytes >= 0x80 are negative, in no ASCII range). */
static __m128i in_range(__m128i v, char lo, char hi)
{
    return _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8((char)(lo - 1))),
                         _mm_cmplt_epi8(v, _mm_set1_epi8((char)(hi + 1))));
}

static uint64_t bits16(__m128i v, int k)
{
    return (uint64_t)(unsigned)_mm_movemask_epi8(v) << (16 * k);
}

/* The masks 64 bytes at a time; the PW_SUM_AT/PCT/PLUS/SPACE bits of the bytes seen. */
static unsigned classify(const char *s, size_t n, pw_seg_masks *m)
{
    __m128i at = _mm_setzero_si128(), pct = at, plus = at, space = at;
    for (size_t w = 0; w < m->words; w++) {
        unsigned char tail[64];
        const unsigned char *p = (const unsigned char *)s + w * 64;
        if (n - w * 64 < 64) { /* the last, short block: zero bytes are in no class */
            memset(tail, 0, sizeof tail);
            memcpy(tail, p, n - w * 64);
            p = tail;
        }
        uint64_t r[PW_MK__COUNT] = {0};
        for (int k = 0; k < 4; k++) {
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * k));
            __m128i folded = _mm_or_si128(v, _mm_set1_epi8(0x20)); /* 'A' -> 'a' */
            __m128i is_plus = _mm_cmpeq_epi8(v, _mm_set1_epi8('+'));
            r[PW_MK_DIGIT] |= bits16(in_range(v, '0', '9'), k);
            r[PW_MK_ALPHA] |= bits16(in_range(folded, 'a', 'z'), k);
            r[PW_MK_UPPER] |= bits16(in_range(v, 'A', 'Z'), k);
            r[PW_MK_HEX] |= bits16(in_range(folded, 'a', 'f'), k);
            r[PW_MK_OPEN] |=
                bits16(_mm_or_si128(is_plus, _mm_cmpeq_epi8(v, _mm_set1_epi8('('))), k);
            r[PW_MK_DOT] |= bits16(_mm_cmpeq_epi8(v, _mm_set1_epi8('.')), k);
            r[PW_MK_COLON] |= bits16(_mm_cmpeq_epi8(v, _mm_set1_epi8(':')), k);
            at = _mm_or_si128(at, _mm_cmpeq_epi8(v, _mm_set1_epi8('@')));
            pct = _mm_or_si128(pct, _mm_cmpeq_epi8(v, _mm_set1_epi8('%')));
            plus = _mm_or_si128(plus, is_plus);
            space = _mm_or_si128(space, _mm_cmpeq_epi8(v, _mm_set1_epi8(' ')));
        }
        for (int k = 0; k < PW_MK__COUNT; k++)
            m->m[k][w] = r[k];
    }
    return (_mm_movemask_epi8(at) ? PW_SUM_AT : 0u) | (_mm_movemask_epi8(pct) ? PW_SUM_PCT : 0u) |
           (_mm_movemask_epi8(plus) ? PW_SUM_PLUS : 0u) |
           (_mm_movemask_epi8(space) ? PW_SUM_SPACE : 0u);
}

#else

/* The masks byte by byte; the PW_SUM_AT/PCT/PLUS/SPACE bits of the bytes seen. */
static unsigned classify(const char *s, size_t n, pw_seg_masks *m)
{
    unsigned f = 0;
    for (size_t i = 0; i < n; i++)
        f |= sum_class[(unsigned char)s[i]];
    pw_seg_masks_scalar(s, n, m);
    return f & (PW_SUM_AT | PW_SUM_PCT | PW_SUM_PLUS | PW_SUM_SPACE);
}

#endif

/* Lengths of the maximal digit runs, from the digit mask: each run is a start bit and an end
 * bit (its last digit), met in order. */
static uint64_t mask_runs(const pw_seg_masks *m)
{
    uint64_t runs = 0;
    size_t start = 0;
    for (size_t w = 0; w < m->words; w++) {
        uint64_t d = m->m[PW_MK_DIGIT][w];
        if (!d)
            continue;
        uint64_t st = d & ~pw_mask_prev(m, PW_MK_DIGIT, w);
        uint64_t en = d & ~pw_mask_next(m, PW_MK_DIGIT, w);
        while (st | en) {
            if (st && (!en || __builtin_ctzll(st) <= __builtin_ctzll(en))) {
                start = (w << 6) + (size_t)__builtin_ctzll(st);
                st &= st - 1;
            } else {
                size_t end = (w << 6) + (size_t)__builtin_ctzll(en);
                runs |= run_bit(end - start + 1);
                en &= en - 1;
            }
        }
    }
    return runs;
}

static size_t mask_count(const pw_seg_masks *m, int k)
{
    size_t c = 0;
    for (size_t w = 0; w < m->words; w++)
        c += (size_t)__builtin_popcountll(m->m[k][w]);
    return c;
}

static int mask_any(const pw_seg_masks *m, int k)
{
    for (size_t w = 0; w < m->words; w++)
        if (m->m[k][w])
            return 1;
    return 0;
}

/* Point m's masks at the inline store, or at arena memory for a long segment; 0 if none. */
static int masks_storage(pw_arena *a, size_t n, pw_seg_masks *m)
{
    m->n = n;
    m->words = (n + 63) / 64;
    uint64_t *block = NULL;
    if (m->words > PW_MASK_INLINE_WORDS) {
        block = a ? pw_arena_alloc(a, m->words * PW_MK__COUNT * sizeof *block) : NULL;
        if (!block)
            return 0;
    }
    for (int k = 0; k < PW_MK__COUNT; k++)
        m->m[k] = block ? block + (size_t)k * m->words : m->inline_store[k];
    return 1;
}

void pw_seg_summarize_masks(pw_arena *a, const char *s, size_t n, pw_seg_summary *out,
                            pw_seg_masks *m)
{
    if (!masks_storage(a, n, m)) {
        pw_seg_summarize(s, n, out);
        return;
    }
    unsigned f = classify(s, n, m);
    out->digits = mask_count(m, PW_MK_DIGIT);
    out->colons = mask_count(m, PW_MK_COLON);
    f |= out->digits ? PW_SUM_DIGIT : 0u;
    f |= out->colons ? PW_SUM_COLON : 0u;
    f |= mask_any(m, PW_MK_ALPHA) ? PW_SUM_ALPHA : 0u;
    f |= mask_any(m, PW_MK_UPPER) ? PW_SUM_UPPER : 0u;
    f |= mask_any(m, PW_MK_DOT) ? PW_SUM_DOT : 0u;
    out->cls = f;
    out->runs = out->digits ? mask_runs(m) : 0;
    out->masks = m;
}
