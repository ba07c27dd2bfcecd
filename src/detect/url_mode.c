/*
 * url_mode.c — URL fields: split a URL into path slugs, query parameters and fragment, and scan
 * each as its own segment with the right context (a slug's key is the slug before it, so
 * "/patients/12345" is an ID; a parameter's key is its name, so "fn=jane" is a name). Parameter
 * values are decoded layer by layer; a value that is itself a URL (dl=, url=) is split again.
 * Phrases that run across path slugs ("/pharmacy/refill") are found by path_phrase.c.
 */
#include <string.h>

#if defined(__SSE2__) && defined(__x86_64__) && !defined(PW_NO_SSE2)
#include <emmintrin.h>
#endif

#include "detect/internal.h"
#include "detect/seg_memo_impl.h"
#include "phiwall/text.h"

/* The first '/', '?' or '#' at or after i (n when none): where a URL's authority ends. SSE2
 * looks at 16 bytes at a time while they are all in s. */
static size_t find_authority_end(const char *s, size_t i, size_t n)
{
    static const unsigned char stop[256] = {['/'] = 1, ['?'] = 1, ['#'] = 1};
#if defined(__SSE2__) && defined(__x86_64__) && !defined(PW_NO_SSE2)
    for (; i + 16 <= n; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        __m128i hit = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('/')),
                                   _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('?')),
                                                _mm_cmpeq_epi8(v, _mm_set1_epi8('#'))));
        unsigned bits = (unsigned)_mm_movemask_epi8(hit);
        if (bits)
            return i + (size_t)__builtin_ctz(bits);
    }
#endif
    while (i < n && !stop[(unsigned char)s[i]])
        i++;
    return i;
}

/* The length of the scheme s starts with ("https"), 0 if it starts with none. */
static size_t scheme_len(const char *s, size_t n)
{
    if (n >= 8 && memcmp(s, "https://", 8) == 0) /* the common case, without a walk */
        return 5;
    size_t i = 0;
    while (i < n && (pw_isalnum((unsigned char)s[i]) || s[i] == '+' || s[i] == '-' || s[i] == '.'))
        i++;
    return i;
}

static size_t authority(const char *s, size_t n)
{
    size_t i = scheme_len(s, n);
    if (i == 0 || i + 3 > n || memcmp(s + i, "://", 3) != 0)
        return 0;
    return find_authority_end(s, i + 3, n);
}

typedef struct part_sink {
    pw_url_part *v;
    size_t n, max;
    size_t path_end; /* one past the last path slug put */
    int full;
} part_sink;

static void put(part_sink *k, pw_upart_kind kind, size_t ks, size_t ke, size_t vs, size_t ve)
{
    if (k->n >= k->max) {
        k->full = 1;
        return;
    }
    k->v[k->n++] = (pw_url_part){kind, ks, ke, vs, ve};
}

static void split_path(part_sink *k, const char *s, size_t b, size_t e)
{
    size_t prev_s = b, prev_e = b, i = b;
    while (i < e) {
        if (s[i] == '/') {
            i++;
            continue;
        }
        size_t j = pw_find_char(s, i, e, '/');
        put(k, PW_UPART_PATH, prev_s, prev_e, i, j);
        k->path_end = k->n;
        prev_s = i, prev_e = j;
        i = j;
    }
}

/* Split s[b..e) at '&' and ';' into parameters; semi: the first ';' in it (e when none). */
static void split_params_from(part_sink *k, const char *s, size_t b, size_t e, size_t semi)
{
    size_t i = b; /* ';' is rare: found once, then again */
    while (i < e) {
        if (semi < i)
            semi = pw_find_char(s, i, e, ';');
        size_t j = pw_find_char(s, i, semi, '&');
        if (j > i) {
            size_t eq = pw_find_char(s, i, j, '=');
            if (eq < j)
                put(k, PW_UPART_PARAM, i, eq, eq + 1, j);
            else
                put(k, PW_UPART_TEXT, i, i, i, j);
        }
        i = j + 1;
    }
}

static void split_params(part_sink *k, const char *s, size_t b, size_t e)
{
    split_params_from(k, s, b, e, pw_find_char(s, b, e, ';'));
}

/* engine-url9: the main path and the query are split in one walk each over their delimiters:
 * sixteen bytes are compared with the three or four delimiter bytes at once and each delimiter
 * found is taken from the bit mask in order, where every slug took a search for its '/' and
 * every parameter two (its '&' or ';', then its '='), each with its own set-up and tail (and
 * the path's end and the query's '#' and ';' took three searches more). */

/* Bit k set when s[pos + k] (pos + k < n, k < 16) is a, b, c or d. */
static inline unsigned delim_bits(const char *s, size_t pos, size_t n, char a, char b, char c,
                                  char d)
{
#if defined(__SSE2__) && defined(__x86_64__) && !defined(PW_NO_SSE2)
    if (n >= 16) { /* the last, partial block is the sixteen bytes ending at n, shifted */
        size_t at = pos + 16 <= n ? pos : n - 16;
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + at));
        __m128i m = _mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(a)), _mm_cmpeq_epi8(v, _mm_set1_epi8(b))),
            _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(c)), _mm_cmpeq_epi8(v, _mm_set1_epi8(d))));
        return (unsigned)_mm_movemask_epi8(m) >> (pos - at);
    }
#endif
    unsigned bits = 0;
    for (size_t k = 0; k < 16 && pos + k < n; k++) {
        char x = s[pos + k];
        bits |= (unsigned)(x == a || x == b || x == c || x == d) << k;
    }
    return bits;
}

/* split_path of s[b..q), q the first '?' or '#' at or after b (n when none), found in the same
 * walk; returns q. */
static size_t split_main_path(part_sink *k, const char *s, size_t b, size_t n)
{
    size_t prev_s = b, prev_e = b, i = b; /* i: where the slug being read starts */
    for (size_t pos = b; pos < n; pos += 16) {
        for (unsigned bits = delim_bits(s, pos, n, '/', '?', '#', '#'); bits; bits &= bits - 1) {
            size_t d = pos + (size_t)__builtin_ctz(bits);
            if (d > i) {
                put(k, PW_UPART_PATH, prev_s, prev_e, i, d);
                k->path_end = k->n;
                prev_s = i, prev_e = d;
            }
            if (s[d] != '/')
                return d;
            i = d + 1;
        }
    }
    if (n > i) {
        put(k, PW_UPART_PATH, prev_s, prev_e, i, n);
        k->path_end = k->n;
    }
    return n;
}

/* The piece s[i..j) of a query (j > i): a parameter when it holds '=' (eq: its first), else
 * text. */
static inline void put_piece(part_sink *k, size_t i, size_t eq, size_t j)
{
    if (eq < j)
        put(k, PW_UPART_PARAM, i, eq, eq + 1, j);
    else
        put(k, PW_UPART_TEXT, i, i, i, j);
}

/* split_params of s[b..h), h the first '#' at or after b (n when none), found in the same walk;
 * returns h. */
static size_t split_main_query(part_sink *k, const char *s, size_t b, size_t n)
{
    size_t i = b, eq = SIZE_MAX; /* the piece being read, its first '=' */
    for (size_t pos = b; pos < n; pos += 16) {
        for (unsigned bits = delim_bits(s, pos, n, '&', ';', '=', '#'); bits; bits &= bits - 1) {
            size_t d = pos + (size_t)__builtin_ctz(bits);
            char c = s[d];
            if (c == '=') {
                if (eq == SIZE_MAX)
                    eq = d;
                continue;
            }
            if (d > i)
                put_piece(k, i, eq, d);
            if (c == '#')
                return d;
            i = d + 1, eq = SIZE_MAX;
        }
    }
    if (n > i)
        put_piece(k, i, eq, n);
    return n;
}

size_t pw_url_parts(const char *s, size_t n, pw_url_part *parts, size_t max, size_t *authority_end)
{
    size_t path_end;
    return pw_url_parts_paths(s, n, parts, max, authority_end, &path_end);
}

size_t pw_url_parts_paths(const char *s, size_t n, pw_url_part *parts, size_t max,
                          size_t *authority_end, size_t *path_end)
{
    part_sink k = {parts, 0, max > 0 ? max - 1 : 0, 0, 0};
    size_t a = authority(s, n);
    *authority_end = a;
    size_t q = split_main_path(&k, s, a, n);
    if (q < n && s[q] == '?')
        q = split_main_query(&k, s, q + 1, n);
    if (q < n && s[q] == '#') {
        size_t f = q + 1;
        if (f < n && s[f] == '!')
            f++;
        size_t fq = pw_find_char(s, f, n, '?');
        if (f < n && s[f] == '/')
            split_path(&k, s, f, fq);
        else if (memchr(s + f, '=', fq - f))
            split_params(&k, s, f, fq), fq = fq < n ? fq : n;
        else if (fq > f)
            put(&k, PW_UPART_TEXT, f, f, f, fq);
        if (fq < n)
            split_params(&k, s, fq + 1, n);
    }
    if (k.full && k.n > 0 && max > 0) { /* the rest is scanned as one text part */
        size_t from = k.v[k.n - 1].val_end;
        k.v[k.n++] = (pw_url_part){PW_UPART_TEXT, from, from, from, n};
    }
    *path_end = k.path_end;
    return k.n;
}

/* Narrow *t (a copy of g) to g's bytes [a, b). */
static inline void narrow(pw_seg *t, const pw_seg *g, size_t a, size_t b)
{
    t->s = g->s + a;
    t->n = b - a;
    if (g->ostart) {
        t->ostart = g->ostart + a;
        t->oend = g->oend + a;
    } else {
        t->base = g->base + a;
    }
}

pw_seg pw_seg_sub(const pw_seg *g, size_t a, size_t b)
{
    pw_seg t = *g;
    narrow(&t, g, a, b);
    return t;
}

static pw_ctx key_ctx(pw_scan *sc, const char *k, size_t n)
{
    return pw_ctx_param_key(sc->s, sc->a, k, n);
}

/* A slug's context from the slug before it: only patient-record words count
 * ("/patients/12345"), and appointment words before a date ("/citas/14-de-junio-de-2026");
 * "/accounts/<id>" and "/s/<font>" in vendor URLs are no PHI. */
static pw_ctx path_ctx(pw_ctx c, size_t key_len)
{
    if (c == PW_CTX_PATIENT_ID || c == PW_CTX_MEMBER || c == PW_CTX_MRN || c == PW_CTX_APPT)
        return c;
    if (c == PW_CTX_SEARCH && key_len >= 5)
        return c;
    return PW_CTX_NONE;
}

void pw_scan_url(pw_scan *sc, const pw_seg *g, int depth)
{
    pw_url_part parts[PW_URL_MAX_PARTS];
    size_t auth = 0, path_end = 0,
           np = pw_url_parts_paths(g->s, g->n, parts, PW_URL_MAX_PARTS, &auth, &path_end);
    /* engine-url8: no part from path_end on is a path slug (a query's parameters): the page
     * words and the phrases across slugs look at parts [0, path_end) only */
    pw_quiet_ref qref;
    size_t quiet = pw_page_quiet_from_ref(sc->s, g->s, auth, parts, np, path_end,
                                          &qref); /* careers, news… (det-quality) */
    pw_seg t = *g; /* one copy; each part sets every field it changes */
    /* tag_of(&t, depth) but for the part's context, place and quietness (engine-url9) */
    const uint32_t url_tag =
        0x80000000u | (uint32_t)g->type << 6 | 1u << 10 | (uint32_t)depth << 16;
    for (size_t i = 0; i < np && sc->st == PW_OK; i++) {
        const pw_url_part *p = &parts[i];
        if (p->val_end <= p->val_start)
            continue;
        narrow(&t, g, p->val_start, p->val_end);
        t.sum = g->sum;
        t.key = g->s + p->key_start;
        t.key_n = p->key_end - p->key_start;
        t.in_url = 1;
        t.in_query = p->kind == PW_UPART_PARAM;
        t.ctx = PW_CTX_NONE;
        if (p->kind == PW_UPART_PARAM)
            t.ctx = key_ctx(sc, t.key, t.key_n);
        else if (p->kind == PW_UPART_PATH && t.key_n >= 3 && t.key_n <= 12) /* "patients" */
            t.ctx = path_ctx(key_ctx(sc, t.key, t.key_n), t.key_n);
        if (p->kind == PW_UPART_TEXT)
            t.key = NULL, t.key_n = 0;
        t.page_quiet = i >= quiet;
        pw_scan_part_inline(sc, &t, depth,
                            url_tag | (uint32_t)t.ctx | (uint32_t)t.in_query << 11 |
                                (uint32_t)t.page_quiet << 12);
    }
    /* engine-url9: the phrases across the slugs depend on the slugs' bytes (the quiet memo's
     * key), the vocabulary and the URL segment's phrase tag; found to give no hit for them
     * before, they are not looked for again (only where the segment memo runs: no canaries) */
    uint32_t ptag = pw_quiet_phrase_tag(g);
    if (sc->st != PW_OK || (sc->memo && qref.phrases_tag == ptag))
        return;
    size_t before = sc->s->n_hits;
    pw_scan_path_phrases(sc, g, parts, quiet < path_end ? quiet : path_end);
    if (sc->memo && sc->st == PW_OK && !sc->capped && !sc->degraded && sc->s->n_hits == before)
        pw_page_phrases_quiet(sc->s, g->s, &qref, ptag);
}
