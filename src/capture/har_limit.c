/*
 * har_limit.c — the HAR reader's string limiter. yajl buffers a whole string token before it
 * calls back, so one 2 GB response body would need 2 GB of memory. This filter walks the raw
 * bytes (tracking only "inside a string" and escapes), forwards them to the parser in runs that
 * point into the caller's chunk, and drops the bytes of any string beyond `max`, at a point that
 * keeps the JSON valid (not inside an escape or a UTF-8 sequence). Offsets stay those of the
 * input, so parse errors still name the true byte.
 */
#include <string.h>
#if defined(__SSE2__) && defined(__x86_64__) && !defined(PW_NO_SSE2)
#include <emmintrin.h>
#define HAR_SSE2 1
#endif

#include "capture/har_internal.h"

/* Bytes that end a run of plain string content: the quote, the backslash, control characters. */
static const unsigned char str_special[256] = {
    [0] = 1,  [1] = 1,  [2] = 1,  [3] = 1,  [4] = 1,  [5] = 1,   [6] = 1,    [7] = 1,  [8] = 1,
    [9] = 1,  [10] = 1, [11] = 1, [12] = 1, [13] = 1, [14] = 1,  [15] = 1,   [16] = 1, [17] = 1,
    [18] = 1, [19] = 1, [20] = 1, [21] = 1, [22] = 1, [23] = 1,  [24] = 1,   [25] = 1, [26] = 1,
    [27] = 1, [28] = 1, [29] = 1, [30] = 1, [31] = 1, ['"'] = 1, ['\\'] = 1,
};

/* The first byte of [p, end) in str_special, or end: 16 bytes a step with SSE2. */
const unsigned char *har_next_special(const unsigned char *p, const unsigned char *end)
{
#ifdef HAR_SSE2
    const __m128i quote = _mm_set1_epi8('"'), bs = _mm_set1_epi8('\\'), ctl = _mm_set1_epi8(0x1f);
    while (end - p >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
        __m128i m = _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bs));
        m = _mm_or_si128(m, _mm_cmpeq_epi8(_mm_min_epu8(v, ctl), v)); /* v <= 0x1f */
        int mask = _mm_movemask_epi8(m);
        if (mask)
            return p + __builtin_ctz((unsigned)mask);
        p += 16;
    }
#endif
    while (p < end && !str_special[*p])
        p++;
    return p;
}

void har_limiter_init(har_limiter *l, size_t max)
{
    memset(l, 0, sizeof *l);
    l->max = max;
}

/* Safe place to cut: not inside an escape, not on a UTF-8 continuation byte. */
static int can_cut(const har_limiter *l, unsigned char c)
{
    return !l->esc && l->hex_left == 0 && (c & 0xC0) != 0x80;
}

/* Advance the escape state over one content byte; returns 1 if it closes the string. */
static int string_step(har_limiter *l, unsigned char c)
{
    if (l->hex_left) {
        l->hex_left--;
        return 0;
    }
    if (l->esc) {
        l->esc = 0;
        if (c == 'u')
            l->hex_left = 4;
        return 0;
    }
    if (c == '\\') {
        l->esc = 1;
        return 0;
    }
    return c == '"';
}

/* ---- Skipping unread values ----
 * Most bytes of a real capture are values the reader never reads: response headers, Chrome's
 * `_initiator_detail` (a stack trace as escaped JSON text), cookies, timings, queryString. yajl
 * would lex (and unescape) every one of them. When such a value lies whole in the chunk and is
 * well-formed by yajl's rules (checked here, more strictly than yajl: any doubt and the value is
 * parsed as before), only its first and last byte go to the parser, `""`, `{}` or `[]`: the
 * reader sees an empty value where it reads nothing, the offsets of all later bytes (so of any
 * error) are those of the input, and a value that yajl or the reader would refuse (a bad escape,
 * a control character, too deep a nesting, a string over the limit) is never skipped. */

static int is_hex(unsigned char c)
{
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}

/* p at a backslash: the byte after its escape (\" \\ \/ \b \f \n \r \t or \u and four hex
 * digits) when it is one yajl takes and lies wholly before end; else NULL. */
static const unsigned char *escape_end(const unsigned char *p, const unsigned char *end)
{
    if (end - p < 2)
        return NULL;
    unsigned char c = p[1];
    if (c == 'u')
        return end - p >= 6 && is_hex(p[2]) && is_hex(p[3]) && is_hex(p[4]) && is_hex(p[5]) ? p + 6
                                                                                            : NULL;
    return c == '"' || c == '\\' || c == '/' || c == 'b' || c == 'f' || c == 'n' || c == 'r' ||
                   c == 't'
               ? p + 2
               : NULL;
}

static const unsigned char *skip_ws(const unsigned char *p, const unsigned char *end)
{
    while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
        p++;
    return p;
}

/* p just after an opening quote: the closing quote of a string yajl lexes without error, with at
 * most max content bytes; NULL if there is none before end. */
const unsigned char *har_string_end(const unsigned char *p, const unsigned char *end, size_t max)
{
    const unsigned char *start = p;
#ifdef HAR_SSE2
    /* 16 bytes a load; the specials of a block are taken from its mask one after the other, so a
     * string dense in escapes (Chrome's stack traces as JSON text) or a short one costs one load
     * per 16 bytes, not a new scan from each escape */
    const __m128i quote = _mm_set1_epi8('"'), bs = _mm_set1_epi8('\\'), ctl = _mm_set1_epi8(0x1f);
    while (end - p >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
        __m128i m = _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bs));
        m = _mm_or_si128(m, _mm_cmpeq_epi8(_mm_min_epu8(v, ctl), v));
        unsigned mask = (unsigned)_mm_movemask_epi8(m);
        while (mask) {
            const unsigned char *q = p + __builtin_ctz(mask);
            if (*q == '"')
                return (size_t)(q - start) <= max ? q : NULL;
            if (*q < 0x20)
                return NULL;
            q = escape_end(q, end);
            if (!q)
                return NULL;
            size_t adv = (size_t)(q - p);
            if (adv >= 16) {
                p = q - 16; /* the next block starts at q */
                mask = 0;
                break;
            }
            mask &= ~((1u << adv) - 1u);
        }
        p += 16;
    }
#endif
    for (;;) {
        p = har_next_special(p, end);
        if (p >= end || *p < 0x20)
            return NULL;
        if (*p == '"')
            return (size_t)(p - start) <= max ? p : NULL;
        if (!(p = escape_end(p, end)))
            return NULL;
    }
}

static const unsigned char *digits(const unsigned char *p, const unsigned char *end)
{
    const unsigned char *s = p;
    while (p < end && *p >= '0' && *p <= '9')
        p++;
    return p > s ? p : NULL;
}

/* A number as JSON writes it (-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?); NULL if not. */
const unsigned char *har_number_end(const unsigned char *p, const unsigned char *end)
{
    if (p < end && *p == '-')
        p++;
    if (p >= end || *p < '0' || *p > '9')
        return NULL;
    p = *p == '0' ? p + 1 : digits(p, end);
    if (p < end && *p == '.' && !(p = digits(p + 1, end)))
        return NULL;
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < end && (*p == '+' || *p == '-'))
            p++;
        p = digits(p, end);
    }
    return p;
}

static const unsigned char *word_end(const unsigned char *p, const unsigned char *end,
                                     const char *w, size_t n)
{
    return (size_t)(end - p) >= n && memcmp(p, w, n) == 0 ? p + n : NULL;
}

/* p at '{' or '[': its closing bracket when the whole value is JSON yajl parses without error,
 * nested at most room levels (itself included), strings of at most max bytes; else NULL. */
const unsigned char *har_container_end(const unsigned char *p, const unsigned char *end,
                                       size_t room, size_t max)
{
    unsigned char open[64]; /* '{' or '[' per level */
    size_t d = 0;
    if (room > sizeof open)
        room = sizeof open;
    for (;;) {
        /* p at a value */
        if (p >= end)
            return NULL;
        switch (*p) {
        case '{':
        case '[':
            if (d == room)
                return NULL;
            open[d++] = *p;
            p = skip_ws(p + 1, end);
            if (p >= end)
                return NULL;
            if (*p == (open[d - 1] == '{' ? '}' : ']'))
                goto close;
            if (open[d - 1] == '{')
                goto key;
            continue;
        case '"':
            p = har_string_end(p + 1, end, max);
            p = p ? p + 1 : NULL;
            break;
        case 't': p = word_end(p, end, "true", 4); break;
        case 'f': p = word_end(p, end, "false", 5); break;
        case 'n': p = word_end(p, end, "null", 4); break;
        default: p = har_number_end(p, end); break;
        }
        if (!p)
            return NULL;
    after: /* after a value: a comma, or the end of its container */
        p = skip_ws(p, end);
        if (p >= end)
            return NULL;
        if (*p == ',') {
            p = skip_ws(p + 1, end);
            if (open[d - 1] == '{')
                goto key;
            continue;
        }
        if (*p != (open[d - 1] == '{' ? '}' : ']'))
            return NULL;
    close:
        if (--d == 0)
            return p;
        p++;
        goto after;
    key:
        if (p >= end || *p != '"' || !(p = har_string_end(p + 1, end, max)))
            return NULL;
        p = skip_ws(p + 1, end);
        if (p >= end || *p != ':')
            return NULL;
        p = skip_ws(p + 1, end);
    }
}

/* The string that closed just before in[*i] was a key whose value is never read: feed the
 * parser up to the value's first byte, and resume after its last, fed with the next run. */
static int try_skip(har_limiter *l, const unsigned char *in, size_t n, size_t *i, size_t *seg,
                    har_feed_fn feed, void *ctx)
{
    const unsigned char *end = in + n;
    if (l->str_start < l->in_off)
        return 1; /* the key began in an earlier chunk */
    const unsigned char *key = in + (l->str_start - l->in_off) + 1;
    size_t key_n = (size_t)(in + *i - 1 - key);
    const unsigned char *p = skip_ws(in + *i, end);
    if (p >= end || *p != ':')
        return 1;
    p = skip_ws(p + 1, end);
    if (p >= end || (*p != '"' && *p != '{' && *p != '['))
        return 1;
    if (memchr(key, '\\', key_n))
        return 1;
    int kc = l->skip->key_class(ctx, key, key_n);
    if (kc == HAR_KEY_READ)
        return 1;
    size_t v = (size_t)(p - in);
    const unsigned char *e = NULL;
    if (*p == '"') {
        /* short strings cost the parser less than the two runs a skip makes */
        e = har_string_end(p + 1, end, l->max);
        if (!e || (size_t)(e - p - 1) < (kc == HAR_KEY_UNREAD ? 64 : 1024))
            return 1;
    }
    size_t room = 1;
    if (*p != '"' || kc == HAR_KEY_ASK) {
        if (v > *seg && !feed(ctx, in + *seg, v - *seg, l->in_off + *seg, 0))
            return 0;
        *seg = v;
        room = l->skip->value_room(ctx);
        if (!room)
            return 1;
    }
    if (*p != '"' && !(e = har_container_end(p, end, room, l->max)))
        return 1;
    if (!feed(ctx, in + *seg, v + 1 - *seg, l->in_off + *seg, 0))
        return 0;
    *seg = (size_t)(e - in);
    *i = *seg + 1;
    return 1;
}

/* ---- Long numbers ----
 * yajl buffers a token that goes on past the run it began in, so a number of a billion digits
 * would take a gigabyte. A run of digits (outside strings) that goes on from the previous chunk
 * keeps only its first HAR_NUM_KEEP digits: the number stays well-formed, its value as the reader
 * reads it (a status, a count: at most 20 digits count) is the same, and errors after it keep
 * their true offsets. */
#define HAR_NUM_KEEP 64

static int is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

/* Digits at the start of the chunk that continue the previous one's: those past the first
 * HAR_NUM_KEEP of the run are never fed; *skip is how many bytes to pass over. */
static int trim_number(har_limiter *l, const unsigned char *in, size_t n, size_t *skip,
                       har_feed_fn feed, void *ctx)
{
    size_t d = 0;
    while (d < n && is_digit(in[d]))
        d++;
    size_t keep = l->num_run < HAR_NUM_KEEP ? HAR_NUM_KEEP - l->num_run : 0;
    *skip = 0;
    if (d > keep) {
        if (keep && !feed(ctx, in, keep, l->in_off, 0))
            return 0;
        *skip = d;
    }
    l->num_run = d == n ? (l->num_run + d > HAR_NUM_KEEP ? HAR_NUM_KEEP : l->num_run + d) : 0;
    return 1;
}

/* The digits that end the chunk outside a string: the number may go on in the next. */
static void note_number(har_limiter *l, const unsigned char *in, size_t n, size_t from)
{
    if (l->in_str || n == 0 || !is_digit(in[n - 1])) {
        l->num_run = 0;
        return;
    }
    size_t t = n;
    while (t > from && is_digit(in[t - 1]))
        t--;
    if (t > from || !l->num_run)
        l->num_run = n - t;
}

int har_limiter_push(har_limiter *l, const unsigned char *in, size_t n, har_feed_fn feed, void *ctx)
{
    size_t i = 0, seg = 0;
    if (l->num_run && !l->in_str) {
        if (!trim_number(l, in, n, &i, feed, ctx))
            return 0;
        seg = i;
        if (i == n) {
            l->in_off += n;
            return 1;
        }
    }
    size_t from = i;
    while (i < n) {
        if (!l->in_str) {
            const unsigned char *q = memchr(in + i, '"', n - i);
            if (!q) {
                i = n;
                break;
            }
            i = (size_t)(q - in) + 1;
            l->in_str = 1;
            l->str_len = 0;
            l->str_start = l->in_off + (size_t)(q - in);
            continue;
        }
        if (!l->dropping) {
            /* Fast path: plain content bytes up to the limit, skipped with memchr. */
            size_t room = l->max > l->str_len ? l->max - l->str_len : 0;
            size_t end = n - i < room ? n : i + room;
            while (i < end) {
                if (!l->esc && !l->hex_left) {
                    /* to a quote or a backslash; a control character stops it too, and is
                     * then stepped over as content below */
                    size_t stop = (size_t)(har_next_special(in + i, in + end) - in);
                    l->str_len += stop - i;
                    i = stop;
                    if (i == end)
                        break;
                }
                unsigned char c = in[i++];
                l->str_len++;
                if (string_step(l, c)) {
                    l->in_str = 0;
                    break;
                }
            }
            if (!l->in_str && l->skip && !try_skip(l, in, n, &i, &seg, feed, ctx))
                return 0;
            if (!l->in_str || i == n || l->str_len < l->max)
                continue;
            if (!can_cut(l, in[i]) || in[i] == '"') {
                /* finish an escape, a UTF-8 sequence or the string itself, one byte at a time */
                unsigned char c = in[i++];
                l->str_len++;
                if (string_step(l, c))
                    l->in_str = 0;
                continue;
            }
            if (i > seg && !feed(ctx, in + seg, i - seg, l->in_off + seg, 0))
                return 0;
            if (l->n_truncated++ == 0)
                l->first_truncation = l->str_start;
            l->dropping = 1;
            seg = i;
            continue;
        }
        /* Dropping: find the closing quote, keep nothing before it. */
        while (i < n) {
            unsigned char c = in[i];
            if (string_step(l, c))
                break;
            i++;
        }
        if (i == n) {
            seg = n;
            break;
        }
        if (!feed(ctx, in + i, 1, l->in_off + i, 1))
            return 0;
        i++;
        seg = i;
        l->in_str = 0;
        l->dropping = 0;
    }
    if (n > seg && !feed(ctx, in + seg, n - seg, l->in_off + seg, 0))
        return 0;
    note_number(l, in, n, from);
    l->in_off += n;
    return 1;
}
