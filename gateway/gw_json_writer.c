/*
 * gw_json_writer.c — see gw_json_writer.h. It runs several times per event on the request path,
 * so appends that fit are done inline, and a string that needs no escaping (printable ASCII
 * without '"' or '\') is copied as it is; anything else goes through pw_buf_json_string, so the
 * output is byte for byte what pw_buf_json_string writes.
 */
#include "gw_json_writer.h"

#include <stdint.h>
#include <string.h>
#if defined(__SSE2__) && !defined(PW_NO_SSE2)
#include <emmintrin.h>
#endif

/* Append n bytes: in place when they fit, else through pw_buf (growth, sticky failure). */
static inline void put(pw_buf *b, const char *p, size_t n)
{
    if (!b->failed && b->len + n < b->cap) { /* room for the bytes and the NUL */
        memcpy(b->data + b->len, p, n);
        b->len += n;
        b->data[b->len] = '\0';
        return;
    }
    pw_buf_append(b, p, n);
}

static inline void put_c(pw_buf *b, char c)
{
    put(b, &c, 1);
}

/* 1 for the bytes a JSON string carries unescaped and pw_buf_json_string leaves alone:
 * printable ASCII but '"' and '\\' (also what the forwarders' scans skip, forward_compact.c). */
const unsigned char pw_gw_jw_plain[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

#define ONES  0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

/* 1 if no byte of w is below 0x20, above 0x7e, '"' or '\\' (exact: borrows cannot fake a hit
 * where no byte qualifies). */
static int word_plain(uint64_t w)
{
    uint64_t ctrl = (w - ONES * 0x20) & ~w;         /* a byte < 0x20 */
    uint64_t high = (w + ONES * (0x7f - 0x7e)) | w; /* a byte > 0x7e */
    uint64_t quote = ((w ^ (ONES * '"')) - ONES) & ~(w ^ (ONES * '"'));
    uint64_t bslash = ((w ^ (ONES * '\\')) - ONES) & ~(w ^ (ONES * '\\'));
    return ((ctrl | high | quote | bslash) & HIGHS) == 0;
}

/* Bytes of p[0..n), in whole blocks, that are plain (pw_gw_jw_plain: 0x20-0x7E but '"' and
 * '\\'), sixteen at a time with SSE2 (every x86-64 has it), else eight; copied to dst unless it
 * is NULL. The caller's byte loop does the rest. */
static size_t skip_plain(const unsigned char *p, size_t n, char *dst)
{
    size_t i = 0;
#if defined(__SSE2__) && !defined(PW_NO_SSE2)
    const __m128i q = _mm_set1_epi8('"'), b = _mm_set1_epi8('\\'), sp = _mm_set1_epi8(0x20),
                  d = _mm_set1_epi8(0x7F);
    for (; i + 16 <= n; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
        __m128i bad = _mm_or_si128(_mm_cmpeq_epi8(v, q), _mm_cmpeq_epi8(v, b));
        bad = _mm_or_si128(bad, _mm_cmplt_epi8(v, sp)); /* signed: also 0x80-0xFF */
        bad = _mm_or_si128(bad, _mm_cmpeq_epi8(v, d));
        if (_mm_movemask_epi8(bad))
            break;
        if (dst)
            _mm_storeu_si128((__m128i *)(void *)(dst + i), v);
    }
#endif
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        if (!word_plain(w))
            break;
        if (dst)
            memcpy(dst + i, &w, 8);
    }
    return i;
}

static int all_plain(const unsigned char *u, size_t n)
{
    unsigned char ok = 1;
    for (size_t i = skip_plain(u, n, NULL); i < n; i++)
        ok &= pw_gw_jw_plain[u[i]];
    return ok;
}

/* Copy s[0..n) to dst while checking it is plain (all_plain): one pass instead of a check and a
 * memcpy. 0 when a byte is not plain (dst then holds a partial copy). */
static int copy_plain(char *dst, const char *s, size_t n)
{
    unsigned char ok = 1;
    for (size_t i = skip_plain((const unsigned char *)s, n, dst); i < n; i++) {
        ok &= pw_gw_jw_plain[(unsigned char)s[i]];
        dst[i] = s[i];
    }
    return ok;
}

static void put_string(pw_buf *b, const char *s, size_t n)
{
    if (!b->failed && b->len + n + 2 < b->cap) { /* in place; data[len] stays NUL until done */
        char *w = b->data + b->len;
        if (copy_plain(w + 1, s, n)) {
            w[0] = '"';
            w[n + 1] = '"';
            w[n + 2] = '\0';
            b->len += n + 2;
            return;
        }
        pw_buf_json_string(b, s, n);
        return;
    }
    if (!all_plain((const unsigned char *)s, n)) {
        pw_buf_json_string(b, s, n);
        return;
    }
    put_c(b, '"');
    put(b, s, n);
    put_c(b, '"');
}

void pw_gw_jw_init(pw_gw_jw *w, pw_buf *b)
{
    memset(w, 0, sizeof *w);
    w->b = b;
}

/* ,"key": in place when the key is plain and fits (the usual case: keys are the writer's own
 * literals), else piece by piece. */
static void member(pw_gw_jw *w, const char *key)
{
    pw_buf *b = w->b;
    size_t comma = w->count[w->depth]++ != 0, n = key ? strlen(key) : 0;
    if (key && !b->failed && b->len + comma + n + 3 < b->cap) {
        char *o = b->data + b->len + comma + 1; /* data[len] stays NUL until done */
        if (copy_plain(o, key, n)) {
            o[-1] = '"';
            o[n] = '"';
            o[n + 1] = ':';
            o[n + 2] = '\0';
            if (comma)
                o[-2] = ',';
            b->len += comma + n + 3;
            return;
        }
    }
    if (comma)
        put_c(b, ',');
    if (key) {
        put_string(b, key, n);
        put_c(b, ':');
    }
}

/* ,"key": for a key given as its quoted text and colon (`"key":`, n bytes) that is plain: what
 * member writes for that key, with no strlen and no check. */
static void member_lit(pw_gw_jw *w, const char *qkey, size_t n)
{
    pw_buf *b = w->b;
    size_t comma = w->count[w->depth]++ != 0;
    if (!b->failed && b->len + comma + n < b->cap) {
        char *o = b->data + b->len;
        o[0] = ','; /* overwritten by the key when there is no comma */
        memcpy(o + comma, qkey, n);
        o[comma + n] = '\0';
        b->len += comma + n;
        return;
    }
    if (comma)
        put_c(b, ',');
    put(b, qkey, n);
}

static void open_container(pw_gw_jw *w, const char *key, char c)
{
    member(w, key);
    put_c(w->b, c);
    if (w->depth < 15)
        w->count[++w->depth] = 0;
}

static void open_container_lit(pw_gw_jw *w, const char *qkey, size_t n, char c)
{
    member_lit(w, qkey, n);
    put_c(w->b, c);
    if (w->depth < 15)
        w->count[++w->depth] = 0;
}

void pw_gw_jw_obj_lit(pw_gw_jw *w, const char *qkey, size_t n)
{
    open_container_lit(w, qkey, n, '{');
}

void pw_gw_jw_arr_lit(pw_gw_jw *w, const char *qkey, size_t n)
{
    open_container_lit(w, qkey, n, '[');
}

void pw_gw_jw_str_lit(pw_gw_jw *w, const char *qkey, size_t n, const char *s)
{
    member_lit(w, qkey, n);
    put_string(w->b, s, strlen(s));
}

void pw_gw_jw_obj(pw_gw_jw *w, const char *key)
{
    open_container(w, key, '{');
}

void pw_gw_jw_arr(pw_gw_jw *w, const char *key)
{
    open_container(w, key, '[');
}

void pw_gw_jw_end_obj(pw_gw_jw *w)
{
    put_c(w->b, '}');
    if (w->depth > 0)
        w->depth--;
}

void pw_gw_jw_end_arr(pw_gw_jw *w)
{
    put_c(w->b, ']');
    if (w->depth > 0)
        w->depth--;
}

void pw_gw_jw_strn(pw_gw_jw *w, const char *key, const char *s, size_t n)
{
    member(w, key);
    put_string(w->b, s, n);
}

void pw_gw_jw_str(pw_gw_jw *w, const char *key, const char *s)
{
    pw_gw_jw_strn(w, key, s, strlen(s));
}

void pw_gw_jw_raw(pw_gw_jw *w, const char *key, const char *raw)
{
    member(w, key);
    put(w->b, raw, strlen(raw));
}

/* The digits of v, ending at end; their start. */
static char *int_text(char *end, long long v)
{
    char *i = end;
    unsigned long long m = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    do {
        *--i = (char)('0' + m % 10);
        m /= 10;
    } while (m);
    if (v < 0)
        *--i = '-';
    return i;
}

void pw_gw_jw_int_lit(pw_gw_jw *w, const char *qkey, size_t n, long long v)
{
    char digits[24];
    char *i = int_text(digits + sizeof digits, v);
    member_lit(w, qkey, n);
    put(w->b, i, (size_t)(digits + sizeof digits - i));
}

void pw_gw_jw_int(pw_gw_jw *w, const char *key, long long v)
{
    char digits[24];
    size_t i = sizeof digits;
    unsigned long long m = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    do {
        digits[--i] = (char)('0' + m % 10);
        m /= 10;
    } while (m);
    if (v < 0)
        digits[--i] = '-';
    member(w, key);
    put(w->b, digits + i, sizeof digits - i);
}
