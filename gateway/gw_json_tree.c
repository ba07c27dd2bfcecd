/* gw_json_tree.c — JSON text to an arena tree: a fast path for plain JSON, yajl's event parser
 * for everything else (see gw_json_tree.h). */
#include "gw_json_tree.h"
#include "phiwall/json_tree.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <yajl/yajl_parse.h>
#if defined(__SSE2__) && !defined(PW_NO_SSE2)
#include <emmintrin.h>
#endif

/* ---- building the tree ---------------------------------------------------------------- */

typedef struct build build;
struct build {
    pw_arena *a;
    pw_gw_jt *root;
    pw_gw_jt **stack; /* open containers, innermost last */
    pw_gw_jt **tail;  /* last member of each open container */
    size_t depth, cap;
    const char *key; /* pending key of the innermost object */
    size_t key_len;
    int key_cut;  /* the pending key held U+0000 (copy_cstr ended it there) */
    int too_deep; /* the yajl path refused a container past JT_YAJL_MAX_DEPTH */
    pw_gw_jt_probe *probe;
};

/* A probe (tests) may make any allocation of the tree fail. Inlined: the fast path allocates a
 * node per value, and as calls these cost ~9% of a plain body's parse (callgrind). */
static inline __attribute__((always_inline)) int refused(const build *b)
{
    return pw_json_probe_refuses(b->probe);
}

static inline __attribute__((always_inline)) void *take(build *b, size_t n)
{
    return refused(b) ? NULL : pw_arena_alloc(b->a, n);
}

/* A C string: ends at the first NUL. */
static char *copy_cstr(build *b, const unsigned char *s, size_t n, size_t *len)
{
    char *p = refused(b) ? NULL : pw_arena_strndup(b->a, (const char *)s, n);
    if (p)
        *len = strlen(p);
    return p;
}

static int add(build *b, pw_gw_jt *v)
{
    if (!b->depth) {
        b->root = v;
        return 1;
    }
    pw_gw_jt *parent = b->stack[b->depth - 1];
    if (parent->type == PW_GW_JT_OBJECT) {
        v->key = b->key;
        v->key_len = b->key_len;
        v->key_cut = b->key_cut;
        b->key = NULL;
        b->key_cut = 0;
    }
    if (b->tail[b->depth - 1])
        b->tail[b->depth - 1]->next = v;
    else
        parent->first = v;
    b->tail[b->depth - 1] = v;
    parent->n++;
    return 1;
}

static inline __attribute__((always_inline)) pw_gw_jt *node(build *b, pw_gw_jt_type t)
{
    pw_gw_jt *v = take(b, sizeof *v);
    if (v)
        *v = (pw_gw_jt){.type = t};
    return v;
}

static int add_new(build *b, pw_gw_jt_type t)
{
    pw_gw_jt *v = node(b, t);
    return v && add(b, v);
}

static int on_null(void *ctx)
{
    return add_new(ctx, PW_GW_JT_NULL);
}

static int on_bool(void *ctx, int v)
{
    return add_new(ctx, v ? PW_GW_JT_TRUE : PW_GW_JT_FALSE);
}

static int on_number(void *ctx, const char *s, size_t n)
{
    build *b = ctx;
    pw_gw_jt *v = node(b, PW_GW_JT_NUMBER);
    if (!v || !(v->s = copy_cstr(b, (const unsigned char *)s, n, &v->len)))
        return 0;
    v->int_ok = pw_json_int_of(v->s, v->len, &v->i);
    return add(b, v);
}

static int on_string(void *ctx, const unsigned char *s, size_t n)
{
    build *b = ctx;
    pw_gw_jt *v = node(b, PW_GW_JT_STRING);
    if (!v || !(v->s = copy_cstr(b, s, n, &v->len)))
        return 0;
    v->cut = v->len < n;
    return add(b, v);
}

static int on_key(void *ctx, const unsigned char *s, size_t n)
{
    build *b = ctx;
    b->key = copy_cstr(b, s, n, &b->key_len);
    b->key_cut = b->key && b->key_len < n;
    return b->key != NULL;
}

static int open_container(build *b, pw_gw_jt_type t)
{
    pw_gw_jt *v = node(b, t);
    if (!v || !add(b, v))
        return 0;
    if (b->depth == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 16;
        pw_gw_jt **s = take(b, cap * sizeof *s);
        pw_gw_jt **t2 = take(b, cap * sizeof *t2);
        if (!s || !t2)
            return 0;
        if (b->depth) {
            memcpy(s, b->stack, b->depth * sizeof *s);
            memcpy(t2, b->tail, b->depth * sizeof *t2);
        }
        b->stack = s;
        b->tail = t2;
        b->cap = cap;
    }
    b->stack[b->depth] = v;
    b->tail[b->depth] = NULL;
    b->depth++;
    return 1;
}

static int close_container(void *ctx)
{
    build *b = ctx;
    if (b->depth)
        b->depth--;
    return 1;
}

/* yajl's state stack grows with the nesting, and the reserve must hold it
 * (phiwall/json_reserve.h): deeper containers are refused (PW_GW_JT_MAX_DEPTH). */
#define JT_YAJL_MAX_DEPTH PW_GW_JT_MAX_DEPTH

static int yajl_open(build *b, pw_gw_jt_type t)
{
    if (b->depth >= JT_YAJL_MAX_DEPTH) {
        b->too_deep = 1;
        return 0;
    }
    return open_container(b, t);
}

static int on_start_map(void *ctx)
{
    return yajl_open(ctx, PW_GW_JT_OBJECT);
}

static int on_start_array(void *ctx)
{
    return yajl_open(ctx, PW_GW_JT_ARRAY);
}

static const yajl_callbacks callbacks = {
    .yajl_null = on_null,
    .yajl_boolean = on_bool,
    .yajl_number = on_number,
    .yajl_string = on_string,
    .yajl_start_map = on_start_map,
    .yajl_map_key = on_key,
    .yajl_end_map = close_container,
    .yajl_start_array = on_start_array,
    .yajl_end_array = close_container,
};

/* ---- the fast path -------------------------------------------------------------------- */
/*
 * Most bodies are plain JSON: no comments, no \u escapes, no control bytes, valid UTF-8, the four
 * usual whitespace bytes. Those are parsed here directly into the same tree yajl's callbacks
 * build (same node functions, same number rule). Anything else — including every malformed
 * body — makes the fast path give up (FAST_NO), and yajl parses the body as before, so accepted
 * trees and error messages are yajl's own. The fast path is stricter than yajl, never looser.
 */
enum { FAST_NOMEM = -1, FAST_NO = 0, FAST_OK = 1 };

#define FAST_MAX_DEPTH 64

static int is_ws(unsigned char c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

static const unsigned char *skip_ws(const unsigned char *p, const unsigned char *end)
{
    while (p < end && is_ws(*p))
        p++;
    return p;
}

/* Length of the well-formed UTF-8 sequence (RFC 3629) at p, 0 if there is none. yajl checks
 * only the lead and continuation bit patterns, so it accepts all of these and more. */
static size_t utf8_len(const unsigned char *p, const unsigned char *end)
{
    unsigned c = p[0];
    size_t need = c >= 0xC2 && c <= 0xDF   ? 2
                  : c >= 0xE0 && c <= 0xEF ? 3
                  : c >= 0xF0 && c <= 0xF4 ? 4
                                           : 0;
    if (!need || (size_t)(end - p) < need)
        return 0;
    unsigned lo = c == 0xE0 ? 0xA0 : c == 0xF0 ? 0x90 : 0x80;
    unsigned hi = c == 0xED ? 0x9F : c == 0xF4 ? 0x8F : 0xBF;
    if (p[1] < lo || p[1] > hi)
        return 0;
    for (size_t i = 2; i < need; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    return need;
}

#define ONES  0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

/* The high bits of the bytes at p[0..8) that are '"', '\\', a control byte or a non-ASCII byte
 * (0 when none is). */
static uint64_t stops8(const unsigned char *p)
{
    uint64_t w;
    memcpy(&w, p, 8);
    uint64_t q = w ^ (ONES * '"'), b = w ^ (ONES * '\\');
    uint64_t hit = ((q - ONES) & ~q) | ((b - ONES) & ~b) | ((w - ONES * 0x20) & ~w) | w;
    return hit & HIGHS;
}

static int simple_escape(unsigned char c)
{
    return c == '"' || c == '\\' || c == '/' || c == 'b' || c == 'f' || c == 'n' || c == 'r' ||
           c == 't';
}

static char unescape(unsigned char c)
{
    switch (c) {
    case 'b': return '\b';
    case 'f': return '\f';
    case 'n': return '\n';
    case 'r': return '\r';
    case 't': return '\t';
    default: return (char)c; /* '"', '\\', '/' */
    }
}

/* The string whose opening quote is at p[-1], decoded into the arena (*out, *len). Returns the
 * byte after the closing quote; NULL when the fast path does not take it, or when the arena is
 * full (*nomem set). */
static const unsigned char *fast_string(build *b, const unsigned char *p, const unsigned char *end,
                                        const char **out, size_t *len, int *nomem)
{
    const unsigned char *q = p;
    int esc = 0;
    for (;;) {
#if defined(__SSE2__) && !defined(PW_NO_SSE2)
        /* to the first byte that is not plain ASCII, sixteen at a time (every x86-64 has SSE2),
         * then eight: the same stop as stops8's */
        const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\'),
                      space = _mm_set1_epi8(0x20);
        while (end - q >= 16) {
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)q);
            __m128i stop = _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bslash));
            stop = _mm_or_si128(stop, _mm_cmplt_epi8(v, space)); /* signed: also 0x80-0xFF */
            unsigned m = (unsigned)_mm_movemask_epi8(stop);
            if (m) {
                q += __builtin_ctz(m);
                goto stopped;
            }
            q += 16;
        }
#endif
        while (end - q >= 8) { /* to the first byte that is not plain ASCII */
            uint64_t hit = stops8(q);
            if (hit) {
                q += pw_gw_first_flagged(hit);
                break;
            }
            q += 8;
        }
#if defined(__SSE2__) && !defined(PW_NO_SSE2)
    stopped:
#endif
        if (q >= end || *q == '"')
            break;
        unsigned char c = *q;
        if (c == '\\') {
            if (end - q < 2 || !simple_escape(q[1]))
                return NULL;
            esc = 1;
            q += 2;
        } else if (c < 0x20) {
            return NULL;
        } else if (c < 0x80) {
            q++;
        } else {
            size_t k = utf8_len(q, end);
            if (!k)
                return NULL;
            q += k;
        }
    }
    if (q >= end)
        return NULL;
    size_t n = (size_t)(q - p);
    char *s = take(b, n + 1);
    if (!s) {
        *nomem = 1;
        return NULL;
    }
    size_t w = 0;
    if (!esc) {
        memcpy(s, p, n);
        w = n;
    } else {
        for (const unsigned char *r = p; r < q; r++)
            s[w++] = *r == '\\' ? unescape(*++r) : (char)*r;
    }
    s[w] = '\0';
    *out = s;
    *len = w;
    return q + 1;
}

/* A value must be followed by whitespace, ',', ']', '}' or the end. */
static int delimited(const unsigned char *p, const unsigned char *end)
{
    return p == end || is_ws(*p) || *p == ',' || *p == ']' || *p == '}';
}

static int is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static const unsigned char *digits(const unsigned char *p, const unsigned char *end)
{
    while (p < end && is_digit(*p))
        p++;
    return p;
}

/* The end of the JSON number at p, or NULL. */
static const unsigned char *number_end(const unsigned char *p, const unsigned char *end)
{
    if (p < end && *p == '-')
        p++;
    if (p >= end || !is_digit(*p))
        return NULL;
    p = *p == '0' ? p + 1 : digits(p, end);
    if (p < end && *p == '.') {
        if (++p >= end || !is_digit(*p))
            return NULL;
        p = digits(p, end);
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        if (++p < end && (*p == '+' || *p == '-'))
            p++;
        if (p >= end || !is_digit(*p))
            return NULL;
        p = digits(p, end);
    }
    return delimited(p, end) ? p : NULL;
}

/* A scalar value at p (string, number, true, false, null) added to the tree. Returns the byte
 * after it, or NULL (*nomem says why). */
static const unsigned char *fast_scalar(build *b, const unsigned char *p, const unsigned char *end,
                                        int *nomem)
{
    static const struct {
        const char *text;
        size_t n;
        pw_gw_jt_type type;
    } lits[] = {
        {"true", 4, PW_GW_JT_TRUE}, {"false", 5, PW_GW_JT_FALSE}, {"null", 4, PW_GW_JT_NULL}};
    pw_gw_jt *v = NULL;
    const unsigned char *next = NULL;
    if (*p == '"') {
        const char *s = NULL;
        size_t len = 0;
        if (!(next = fast_string(b, p + 1, end, &s, &len, nomem)))
            return NULL;
        if (!(v = node(b, PW_GW_JT_STRING)))
            goto nomem;
        v->s = s;
        v->len = len;
    } else if (*p == '-' || is_digit(*p)) {
        if (!(next = number_end(p, end)))
            return NULL;
        size_t len = (size_t)(next - p);
        char *text = take(b, len + 1);
        if (!text || !(v = node(b, PW_GW_JT_NUMBER)))
            goto nomem;
        memcpy(text, p, len);
        text[len] = '\0';
        v->s = text;
        v->len = len;
        v->int_ok = pw_json_int_of(v->s, v->len, &v->i);
    } else {
        for (size_t i = 0; i < sizeof lits / sizeof lits[0] && !next; i++)
            if ((size_t)(end - p) >= lits[i].n && memcmp(p, lits[i].text, lits[i].n) == 0 &&
                delimited(p + lits[i].n, end)) {
                next = p + lits[i].n;
                if (!(v = node(b, lits[i].type)))
                    goto nomem;
            }
        if (!next)
            return NULL;
    }
    add(b, v);
    return next;
nomem:
    *nomem = 1;
    return NULL;
}

/* An object's key at p (its opening quote) and the ':' after it. */
static const unsigned char *fast_key(build *b, const unsigned char *p, const unsigned char *end,
                                     int *nomem)
{
    if (p >= end || *p != '"')
        return NULL;
    p = fast_string(b, p + 1, end, &b->key, &b->key_len, nomem);
    if (!p)
        return NULL;
    p = skip_ws(p, end);
    return p < end && *p == ':' ? p + 1 : NULL;
}

static int fast_parse(build *b, const unsigned char *p, const unsigned char *end, size_t max_depth)
{
    int nomem = 0;
    for (;;) {
        /* a value */
        p = skip_ws(p, end);
        if (p >= end)
            return FAST_NO;
        if (*p == '{' || *p == '[') {
            int obj = *p == '{';
            if (b->depth >= max_depth)
                return FAST_NO;
            if (!open_container(b, obj ? PW_GW_JT_OBJECT : PW_GW_JT_ARRAY))
                return FAST_NOMEM;
            p = skip_ws(p + 1, end);
            if (p < end && *p == (obj ? '}' : ']')) {
                b->depth--;
                p++;
            } else {
                if (obj && !(p = fast_key(b, p, end, &nomem)))
                    return nomem ? FAST_NOMEM : FAST_NO;
                continue; /* the first member's value */
            }
        } else if (!(p = fast_scalar(b, p, end, &nomem))) {
            return nomem ? FAST_NOMEM : FAST_NO;
        }
        /* after a value: close containers, or go on to the next member */
        for (;;) {
            p = skip_ws(p, end);
            if (!b->depth)
                return p == end ? FAST_OK : FAST_NO;
            int obj = b->stack[b->depth - 1]->type == PW_GW_JT_OBJECT;
            if (p >= end)
                return FAST_NO;
            if (*p == (obj ? '}' : ']')) {
                b->depth--;
                p++;
                continue;
            }
            if (*p != ',')
                return FAST_NO;
            p++;
            if (obj && !(p = fast_key(b, skip_ws(p, end), end, &nomem)))
                return nomem ? FAST_NOMEM : FAST_NO;
            break;
        }
    }
}

pw_status pw_gw_jt_parse(pw_arena *a, const char *s, size_t n, pw_gw_jt **out, char *errbuf,
                         size_t errcap)
{
    return pw_gw_jt_parse_probe(a, s, n, out, errbuf, errcap, NULL);
}

pw_status pw_gw_jt_parse_probe(pw_arena *a, const char *s, size_t n, pw_gw_jt **out, char *errbuf,
                               size_t errcap, pw_gw_jt_probe *probe)
{
    *out = NULL;
    if (errcap)
        errbuf[0] = '\0';
    build fb = {.a = a, .probe = probe};
    int fast =
        fast_parse(&fb, (const unsigned char *)s, (const unsigned char *)s + n, FAST_MAX_DEPTH);
    if (fast == FAST_NOMEM)
        return PW_ERR_NOMEM;
    if (fast == FAST_OK) {
        *out = fb.root;
        return PW_OK;
    }
    return pw_gw_jt_parse_yajl_probe(a, s, n, out, errbuf, errcap, probe);
}

int pw_gw_jt_parse_plain(pw_arena *a, const char *s, size_t n, size_t max_depth, pw_gw_jt **out)
{
    build fb = {.a = a};
    *out = NULL;
    if (max_depth > FAST_MAX_DEPTH)
        max_depth = FAST_MAX_DEPTH;
    int fast = fast_parse(&fb, (const unsigned char *)s, (const unsigned char *)s + n, max_depth);
    if (fast == FAST_OK)
        *out = fb.root;
    return fast;
}

pw_status pw_gw_jt_parse_yajl(pw_arena *a, const char *s, size_t n, pw_gw_jt **out, char *errbuf,
                              size_t errcap)
{
    return pw_gw_jt_parse_yajl_probe(a, s, n, out, errbuf, errcap, NULL);
}

pw_status pw_gw_jt_parse_yajl_probe(pw_arena *a, const char *s, size_t n, pw_gw_jt **out,
                                    char *errbuf, size_t errcap, pw_gw_jt_probe *probe)
{
    build b = {.a = a, .probe = probe};
    *out = NULL;
    if (errcap)
        errbuf[0] = '\0';
    /* yajl's allocations come from a reserve (phiwall/json_reserve.h): small texts take it from
     * the stack (nothing yajl allocates outlives the parse: the callbacks copy the tree into the
     * arena), larger ones from the arena. */
    _Alignas(16) unsigned char small[PW_JSON_RESERVE_STACK];
    pw_json_reserve r;
    yajl_handle h = pw_json_reserve_yajl(&r, a, s, n, small, sizeof small, &callbacks, &b, probe);
    if (!h)
        return PW_ERR_NOMEM;
    yajl_config(h, yajl_allow_comments, 1);
    yajl_status st = yajl_parse(h, (const unsigned char *)s, n);
    if (st == yajl_status_ok)
        st = yajl_complete_parse(h);
    if (st != yajl_status_ok && st != yajl_status_client_canceled)
        pw_json_error_line(h, s, n, errbuf, errcap);
    pw_json_reserve_done(&r);
    if (st == yajl_status_client_canceled && b.too_deep) {
        snprintf(errbuf, errcap, "nesting deeper than %d", JT_YAJL_MAX_DEPTH);
        return PW_ERR_PARSE;
    }
    if (st == yajl_status_client_canceled)
        return PW_ERR_NOMEM; /* otherwise only an allocation stops the callbacks */
    if (st != yajl_status_ok)
        return PW_ERR_PARSE;
    *out = b.root;
    return PW_OK;
}

const pw_gw_jt *pw_gw_jt_get(const pw_gw_jt *obj, const char *key)
{
    if (!obj || obj->type != PW_GW_JT_OBJECT)
        return NULL;
    /* A member's key_len is its strlen unless key_cut: "ads\u0000x" is not "ads". */
    size_t n = strlen(key);
    for (const pw_gw_jt *m = obj->first; m; m = m->next)
        if (!m->key_cut && m->key_len == n && memcmp(m->key, key, n) == 0)
            return m;
    return NULL;
}
