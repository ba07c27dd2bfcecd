/*
 * segment.c — scanning one segment of a field: a quick character-class pass (summary.c) decides
 * which detectors can possibly fire (fields without letters or digits are skipped at once),
 * percent- encoded layers are decoded (up to PW_DETECT_MAX_LAYERS, keeping a map to original
 * offsets), the innermost layer is folded when it holds look-alike text (fold.c: fullwidth,
 * invisible format characters, Cyrillic/Greek look-alikes, dotted acronyms), then identifier
 * detectors, canaries and the health vocabulary run on the last layer.
 */
#include <string.h>

#if defined(__SSE2__) && defined(__x86_64__) && !defined(PW_NO_SSE2)
#include <emmintrin.h>
#endif

#include "detect/internal.h"
#include "detect/seg_memo_impl.h"
#include "phiwall/text.h"

static size_t orig_start(const pw_seg *g, size_t i)
{
    return g->ostart ? g->ostart[i] : g->base + i;
}

static size_t orig_end(const pw_seg *g, size_t i)
{
    return g->oend ? g->oend[i] : g->base + i + 1;
}

/* Entries os and oe have past the last byte's (pw_seg_pct_decode): room for fill_offsets'
 * last four. */
#define OFFSET_SLACK 3

/* os[k] = at + k, oe[k] = at + k + 1 for k < len (the spans of bytes copied from an original
 * slice), four at a time with SSE2; engine-url9: the last four too, which may write up to
 * OFFSET_SLACK entries past len (overwritten later, or past the decoded text's end). */
static void fill_offsets(uint32_t *os, uint32_t *oe, uint32_t at, size_t len)
{
    size_t k = 0;
#if defined(__SSE2__) && defined(__x86_64__) && !defined(PW_NO_SSE2)
    __m128i v = _mm_add_epi32(_mm_set1_epi32((int)at), _mm_set_epi32(3, 2, 1, 0));
    const __m128i one = _mm_set1_epi32(1), four = _mm_set1_epi32(4);
    for (; k < len; k += 4) {
        _mm_storeu_si128((__m128i *)(void *)(os + k), v);
        _mm_storeu_si128((__m128i *)(void *)(oe + k), _mm_add_epi32(v, one));
        v = _mm_add_epi32(v, four);
    }
#endif
    for (; k < len; k++) {
        os[k] = at + (uint32_t)k;
        oe[k] = at + (uint32_t)k + 1;
    }
}

/* The original spans of g's bytes [i, i + len) into os, oe. */
static inline void copy_offsets(const pw_seg *g, size_t i, size_t len, uint32_t *os, uint32_t *oe)
{
    if (g->ostart) {
        memcpy(os, g->ostart + i, len * sizeof *os);
        memcpy(oe, g->oend + i, len * sizeof *oe);
    } else {
        fill_offsets(os, oe, (uint32_t)(g->base + i), len);
    }
}

#if defined(__SSE2__) && defined(__x86_64__) && !defined(PW_NO_SSE2)
/* dst[0, len) = src[0, len) for len < 16, in at most two overlapping loads and stores a size */
static inline void copy_short(char *dst, const char *src, size_t len)
{
    if (len >= 8) {
        uint64_t x, y;
        memcpy(&x, src, 8);
        memcpy(&y, src + len - 8, 8);
        memcpy(dst, &x, 8);
        memcpy(dst + len - 8, &y, 8);
    } else if (len >= 4) {
        uint32_t x, y;
        memcpy(&x, src, 4);
        memcpy(&y, src + len - 4, 4);
        memcpy(dst, &x, 4);
        memcpy(dst + len - 4, &y, 4);
    } else if (len > 0) {
        char x = src[0], y = src[len / 2], z = src[len - 1];
        dst[0] = x;
        dst[len / 2] = y;
        dst[len - 1] = z;
    }
}
#endif

/* Copy g's bytes from i up to the first byte decoding may change ('%', or '+' when it means a
 * space) to buf + o, with their original spans; returns that byte's offset (g->n when none),
 * *o moved past the copy. engine-url8: with SSE2, sixteen bytes are stored and looked at in one
 * go (o <= i, so a store of sixteen bytes at o stays inside buf's g->n + 1 when i + 16 <= g->n),
 * instead of a memchr and a memcpy call for every stretch between escapes. */
static size_t copy_plain_run(const pw_seg *g, size_t i, int plus_is_space, char *buf, uint32_t *os,
                             uint32_t *oe, size_t *o)
{
    const char *s = g->s;
    size_t n = g->n, from = i, at = *o;
#if defined(__SSE2__) && defined(__x86_64__) && !defined(PW_NO_SSE2)
    const __m128i pct = _mm_set1_epi8('%'), plus = _mm_set1_epi8(plus_is_space ? '+' : '%');
    for (; i + 16 <= n; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        _mm_storeu_si128((__m128i *)(void *)(buf + at + (i - from)), v);
        unsigned bits = (unsigned)_mm_movemask_epi8(
            _mm_or_si128(_mm_cmpeq_epi8(v, pct), _mm_cmpeq_epi8(v, plus)));
        if (bits) {
            i += (size_t)__builtin_ctz(bits);
            copy_offsets(g, from, i - from, os + at, oe + at);
            *o = at + (i - from);
            return i;
        }
    }
    if (i < n && n >= 16) { /* engine-url10: the last, partial block as the sixteen bytes ending
                               at n, shifted, instead of a byte at a time */
        size_t base = n - 16;
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + base));
        unsigned bits = (unsigned)_mm_movemask_epi8(
                            _mm_or_si128(_mm_cmpeq_epi8(v, pct), _mm_cmpeq_epi8(v, plus))) >>
                        (i - base);
        size_t stop = bits ? i + (size_t)__builtin_ctz(bits) : n;
        copy_short(buf + at + (i - from), s + i, stop - i);
        i = stop;
        copy_offsets(g, from, i - from, os + at, oe + at);
        *o = at + (i - from);
        return i;
    }
#endif
    for (; i < n; i++) {
        char c = s[i];
        if (c == '%' || (c == '+' && plus_is_space))
            break;
        buf[at + (i - from)] = c;
    }
    copy_offsets(g, from, i - from, os + at, oe + at);
    *o = at + (i - from);
    return i;
}

/* Bytes that decoding leaves alone are copied in stretches between the '%' (and '+') bytes. */
int pw_seg_pct_decode(pw_arena *a, const pw_seg *g, int plus_is_space, pw_seg *out)
{
    /* one block: the two offset maps (with fill_offsets' slack), then the text */
    uint32_t *os = pw_arena_alloc(a, 2 * (g->n + 1 + OFFSET_SLACK) * sizeof *os + g->n + 1);
    if (!os)
        return 0;
    uint32_t *oe = os + g->n + 1 + OFFSET_SLACK;
    char *buf = (char *)(oe + g->n + 1 + OFFSET_SLACK);
    size_t o = 0, i = 0;
    int changed = 0, hi, lo;
    while (i < g->n) {
        size_t j = g->s[i] == '%' ? i /* escapes come in runs ("%3A%2F%2F") */
                                  : copy_plain_run(g, i, plus_is_space, buf, os, oe, &o);
        if (j >= g->n)
            break;
        int c = (unsigned char)g->s[j];
        if (c == '%' && j + 2 < g->n && (hi = pw_hex_value(g->s[j + 1])) >= 0 &&
            (lo = pw_hex_value(g->s[j + 2])) >= 0) {
            buf[o] = (char)(hi * 16 + lo);
            os[o] = (uint32_t)orig_start(g, j);
            oe[o++] = (uint32_t)orig_end(g, j + 2);
            i = j + 3;
            changed = 1;
            continue;
        }
        if (c == '+' && plus_is_space) {
            c = ' ';
            changed = 1;
        }
        buf[o] = (char)c;
        os[o] = (uint32_t)orig_start(g, j);
        oe[o++] = (uint32_t)orig_end(g, j);
        i = j + 1;
    }
    if (!changed)
        return 0;
    buf[o] = '\0';
    *out = *g;
    out->s = buf;
    out->n = o;
    out->ostart = os;
    out->oend = oe;
    out->base = 0;
    return 1;
}

static int decoded_is_url(const pw_seg *g)
{
    size_t i = 0;
    while (i < g->n && g->s[i] == ' ')
        i++;
    const char *s = g->s + i;
    size_t n = g->n - i;
    return (n >= 8 && memcmp(s, "https://", 8) == 0) || (n >= 7 && memcmp(s, "http://", 7) == 0);
}

static void search_intent(pw_scan *sc, const pw_seg *g)
{
    size_t i = 0, j = g->n;
    while (i < j && !pw_isalnum((unsigned char)g->s[i]))
        i++;
    while (j > i && !pw_isalnum((unsigned char)g->s[j - 1]))
        j--;
    int letters = 0;
    for (size_t k = i; k < j && !letters; k++)
        letters = pw_isalpha((unsigned char)g->s[k]);
    if (letters) /* "_s=1" (GA session count) is no search */
        pw_scan_add(sc, g, i, j, PW_PHI_CARE_INTENT, "search", NULL, 0.9f, PW_REASON_CONTEXT,
                    "search query parameter");
}

/* Each detector runs only when the segment holds enough digits for its shortest form (finer
 * gates on g->sum sit in the detectors, beside the patterns they rely on). */
static void scan_identifiers(pw_scan *sc, const pw_seg *g)
{
    size_t digits = g->sum->digits;
    if (g->sum->cls & PW_SUM_AT)
        pw_ident_email(sc, g);
    if (digits >= 9)
        pw_ident_ssn(sc, g);
    if (digits >= 7)
        pw_ident_phone(sc, g);
    if (digits >= 12)
        pw_ident_card(sc, g);
    if (digits >= 5)
        pw_ident_numeric(sc, g);
    if (digits >= 1)
        pw_ident_date(sc, g);
    if (digits >= 4)
        pw_ident_ip(sc, g);
    if (digits >= 3)
        pw_ident_ids(sc, g);
    if (digits >= 1)
        pw_ident_address(sc, g);
}

/* Scan a decoded layer: as a URL when it is one, else as a segment. */
static void scan_layer(pw_scan *sc, pw_seg *dec, int depth)
{
    if (decoded_is_url(dec) && depth < PW_DETECT_MAX_URL_DEPTH)
        pw_scan_url(sc, dec, depth + 1);
    else
        pw_scan_segment(sc, dec, depth + 1);
}

/* Without canaries nothing reads a segment's summary before its percent layer is decoded, and a
 * %XX escape holds a hex digit (the letter/digit gate passes): such a segment goes straight to
 * its next layer, without a summary of this one. 0 if it is no such segment. */
static int decoded_first(pw_scan *sc, pw_seg *in, int depth)
{
    if (sc->d->n_forms || depth >= PW_DETECT_MAX_LAYERS || !pw_has_pct_escape(in->s, in->n))
        return 0;
    /* engine-url10: '+' means a space in a query's value; with no '+' in it that changes
     * nothing, so no search for one first */
    int plus = in->in_query;
    pw_seg dec;
    in->sum = NULL;
    if (!pw_seg_pct_decode(sc->a, in, plus, &dec)) {
        sc->degraded = 1;
        return 0; /* out of memory: scanned as it is, as below */
    }
    scan_layer(sc, &dec, depth);
    return 1;
}

/* det-norm: the folded layer of g (fold.c: fullwidth, invisible format characters, look-alike
 * letters, dotted acronyms) is scanned instead of g when folding changes g. 1 if it was. A
 * pure-ASCII segment pays one bit of its summary (PW_SUM_HIGH) and, with a '.', a look for dotted
 * letters. Folding a folded layer changes nothing; the layer still counts as one, so no input
 * recurses without end. */
static inline __attribute__((always_inline)) int fold_layer(pw_scan *sc, const pw_seg *g,
                                                            unsigned cls, int depth)
{
    int high = (cls & PW_SUM_HIGH) != 0;
    if (!high && !((cls & PW_SUM_DOT) && pw_fold_dotted_term(sc, g)))
        return 0;
    pw_seg f;
    if (depth > PW_DETECT_MAX_LAYERS || !pw_seg_fold(sc, g, high, &f))
        return 0;
    pw_scan_segment(sc, &f, depth + 1);
    return 1;
}

/* engine-ident: a value written as hex text ("63616e636572" is "cancer"): the whole segment,
 * spaces around it aside, is an even number (8 or more) of hex digits whose bytes are all
 * printable ASCII with a letter among them. Random hex (a git hash, a session ID, an MD5, a
 * colour "#ff0000") decodes to bytes outside that range almost surely: each byte of it is
 * printable with odds 95/256, and a byte whose first digit is a letter (0xa0-0xff) never is. A
 * hex string of the 0x20-0x7e bytes of text is text. 1 and the decoded layer in out, else 0. */
static int hex_decode(pw_arena *a, const pw_seg *g, pw_seg *out)
{
    size_t i = 0, j = g->n;
    while (i < j && g->s[i] == ' ')
        i++;
    while (j > i && g->s[j - 1] == ' ')
        j--;
    size_t len = j - i;
    if (len < 8 || (len & 1))
        return 0;
    int letters = 0;
    for (size_t k = i; k < j; k += 2) { /* the first digit of a byte of text is 2..7 */
        int hi = pw_hex_value((unsigned char)g->s[k]),
            lo = pw_hex_value((unsigned char)g->s[k + 1]);
        if (hi < 2 || hi > 7 || lo < 0 || (hi == 7 && lo == 15))
            return 0;
        int c = hi * 16 + lo;
        letters |= pw_isalpha(c);
    }
    if (!letters)
        return 0;
    size_t dn = len / 2;
    uint32_t *os = pw_arena_alloc(a, 2 * dn * sizeof *os + dn + 1);
    if (!os)
        return 0;
    uint32_t *oe = os + dn;
    char *buf = (char *)(oe + dn);
    for (size_t k = 0; k < dn; k++) {
        size_t at = i + 2 * k;
        buf[k] = (char)(pw_hex_value((unsigned char)g->s[at]) * 16 +
                        pw_hex_value((unsigned char)g->s[at + 1]));
        os[k] = (uint32_t)orig_start(g, at);
        oe[k] = (uint32_t)orig_end(g, at + 1);
    }
    buf[dn] = '\0';
    *out = *g;
    out->s = buf;
    out->n = dn;
    out->ostart = os;
    out->oend = oe;
    out->base = 0;
    out->sum = NULL;
    return 1;
}

/* The hex layer of g is scanned instead of g when g is hex text (hex_decode). A segment with a
 * byte that is no hex digit or space (most text, every URL part with a letter past 'f') is
 * turned down by its masks without a look at its bytes. 1 if it was scanned. */
static int hex_layer(pw_scan *sc, const pw_seg *g, int depth)
{
    const pw_seg_summary *m = g->sum;
    if (depth >= PW_DETECT_MAX_LAYERS || g->n < 8 || !(m->cls & PW_SUM_DIGIT) ||
        (m->cls & (PW_SUM_AT | PW_SUM_PCT | PW_SUM_PLUS | PW_SUM_DOT | PW_SUM_COLON | PW_SUM_HIGH)))
        return 0;
    const pw_seg_masks *k = m->masks;
    for (size_t w = 0; k && w < k->words; w++) /* a letter past 'f' */
        if (pw_mask(k, PW_MK_ALPHA, w) & ~pw_mask(k, PW_MK_HEX, w))
            return 0;
    pw_seg dec;
    if (!hex_decode(sc->a, g, &dec))
        return 0;
    pw_scan_segment(sc, &dec, depth + 1);
    /* hex of text without a digit past 9 ("sister" is 736973746572) reads as a number too: a
     * card or a record number can decode to letters ("4369362053266459" is "Ci6 S&dY"), so such
     * a value is scanned as it is as well */
    return (m->cls & PW_SUM_ALPHA) != 0;
}

/* engine-ident: a value that says nothing about health though its key says it is health
 * information: empty, a yes/no, a placeholder or a product's state ("condition": "new"). */
static int no_health_value(const char *s, size_t n)
{
    static const char *const words[] = {
        "true",      "false",    "yes",  "no",   "on",      "off",       "null",
        "undefined", "none",     "n/a",  "na",   "unknown", "other",     "select",
        "new",       "used",     "good", "fair", "poor",    "excellent", "refurbished",
        "like new",  "open box", "-",    NULL};
    if (n > 11)
        return 0;
    for (const char *const *w = words; *w; w++)
        if (word_eq(s, n, *w))
            return 1;
    return 0;
}

/* A value under a key that names health information ("diagnosis", "condition",
 * "reason_for_visit", "chief_complaint"; PW_CTX_HEALTH) is health context whatever its words:
 * "stage 2 thing" tells as much as "stage 2 cancer". Added when the vocabulary found no term of
 * the segment since mark (its hit is the more specific); the value needs a letter. */
static void health_key_value(pw_scan *sc, const pw_seg *g, size_t mark)
{
    for (size_t k = mark; k < sc->s->n_hits; k++)
        if (sc->s->hits[k].category == PW_PHI_HEALTH)
            return;
    size_t i = 0, j = g->n;
    while (i < j && !pw_isalnum((unsigned char)g->s[i]) && (unsigned char)g->s[i] < 0x80)
        i++;
    while (j > i && !pw_isalnum((unsigned char)g->s[j - 1]) && (unsigned char)g->s[j - 1] < 0x80)
        j--;
    if (j - i < 2 || no_health_value(g->s + i, j - i))
        return;
    pw_scan_add(sc, g, i, j, PW_PHI_HEALTH, "condition", NULL, 0.8f, PW_REASON_CONTEXT,
                "health information key");
}

static void scan_segment(pw_scan *sc, pw_seg *in, int depth);

void pw_scan_segment(pw_scan *sc, pw_seg *in, int depth)
{
    pw_scan_segment_inline(sc, in, depth);
}

void pw_scan_segment_keyed(pw_scan *sc, pw_seg *in, int depth, const pw_seg_memo_key *kp)
{
    pw_seg_memo_key k = *kp;
    if (pw_seg_memo_hit_may(sc, in, &k) && pw_seg_memo_replay(sc, in, &k))
        return; /* engine-speed: the same bytes in the same place gave these hits before */
    size_t before = sc->s->n_hits;
    scan_segment(sc, in, depth);
    if (sc->s->n_hits == before && k.ok)
        pw_seg_memo_put(sc, in, &k);
    else /* hits, or no hit in a segment too long for the no-hit memo */
        pw_seg_memo_put_hits(sc, in, &k, before);
}

static void scan_segment(pw_scan *sc, pw_seg *in, int depth)
{
    if (decoded_first(sc, in, depth))
        return;
    pw_seg_summary own;
    pw_seg_masks masks;
    pw_seg_summarize_masks(sc->a, in->s, in->n, &own, &masks);
    const pw_seg_summary *sum = &own;
    unsigned cls = sum->cls;
    int lettered = (cls & (PW_SUM_DIGIT | PW_SUM_ALPHA)) != 0;
    /* fullwidth "HIV" holds no ASCII letter, but its folded layer does */
    if (!lettered && !(cls & PW_SUM_HIGH))
        return;
    in->sum = sum; /* set in place (no copy of the segment); valid for this call */
    const pw_seg *g = in;
    size_t mark = sc->s->n_hits; /* det-quality: this segment's hits start here */
    if (sc->d->n_forms)
        pw_canary_scan(sc, g);
    int plus = g->in_query && (cls & PW_SUM_PLUS);
    if (depth < PW_DETECT_MAX_LAYERS &&
        (((cls & PW_SUM_PCT) && pw_has_pct_escape(g->s, g->n)) || plus)) {
        pw_seg dec;
        if (pw_seg_pct_decode(sc->a, g, plus, &dec)) {
            scan_layer(sc, &dec, depth);
            return;
        }
        sc->degraded = 1; /* out of memory (an escape or '+' always changes the text) */
    }
    if (fold_layer(sc, g, cls, depth))
        return;
    if (hex_layer(sc, g, depth))
        return;
    if (!lettered) {
        if (pw_ctx_is_name(g->ctx))
            pw_ident_name(sc, g); /* "fn=王小明", "name=Ольга Иванова": no ASCII letter */
        if (!g->page_quiet) { /* "乳腺癌": a Chinese term has no ASCII letter (health.c) */
            pw_health_scan(sc, g);
            pw_page_text_filter(sc, g, mark);
        }
        return;
    }
    if (g->ctx == PW_CTX_SEARCH && !g->page_quiet)
        search_intent(sc, g);
    if (g->in_query && (g->ctx == PW_CTX_TIME || g->ctx == PW_CTX_NEGATIVE))
        return; /* ts=, v=, id=, fbp=: tracker bookkeeping, never PHI (canaries checked above) */
    if (g->ctx == PW_CTX_NONE || !pw_ident_hashed(sc, g))
        scan_identifiers(sc, g);
    pw_ident_name(sc, g);
    if ((cls & (PW_SUM_ALPHA | PW_SUM_HIGH)) && !g->page_quiet)
        pw_health_scan(sc, g); /* HIGH: "2型糖尿病", ideographs and digits */
    if (g->ctx == PW_CTX_HEALTH && (cls & PW_SUM_ALPHA) && !g->page_quiet)
        health_key_value(sc, g, mark);
    pw_page_text_filter(sc, g, mark);
}
